/* When to act. Everything here is a pure function of its arguments: no
 * clock, no entropy, no OS call, so simulated-time tests drive it directly
 * and the same code decides on a router and in a test (S12-S15, M1, M2). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "schedule.h"

#define DAY 86400
#define SHORT_LIFETIME (10 * DAY) /* below this, renew at half (M1) */
#define RETRY_MIN 60
#define RETRY_MAX DAY
/* delay-seconds beyond this (about 31 years) saturate: any such value is
 * clamped to a day by the caller anyway, and int64 must never overflow. */
#define DELAY_SAT 1000000000LL

int64_t sched_renew_at(int64_t not_before, int64_t not_after)
{
	int64_t life;

	/* A certificate without a positive lifetime is due at once. */
	if (not_after <= not_before)
		return not_before;
	life = not_after - not_before;
	if (life < SHORT_LIFETIME)
		return not_before + life / 2;
	return not_after - life / 3;
}

int64_t sched_backoff(int failures)
{
	static const int64_t steps[] = { 60, 600, 6000 };

	if (failures <= 0)
		return 0;
	if (failures <= (int)(sizeof(steps) / sizeof(steps[0])))
		return steps[failures - 1];
	return DAY;
}

/* High 64 bits of a * b, built from 32-bit halves: 32-bit routers have no
 * 128-bit integer type. */
static uint64_t mul_hi64(uint64_t a, uint64_t b)
{
	uint64_t al = a & 0xffffffffu, ah = a >> 32;
	uint64_t bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);

	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

int64_t sched_pick(int64_t start, int64_t end, uint64_t rnd)
{
	uint64_t span;

	if (end <= start)
		return start;
	/* Scaling rnd by the span instead of rnd % span: no modulo bias worth
	 * the name (at most span / 2^64), and no loop. Unsigned arithmetic
	 * keeps a span wider than INT64_MAX well defined. */
	span = (uint64_t)end - (uint64_t)start;
	return (int64_t)((uint64_t)start + mul_hi64(rnd, span));
}

int64_t sched_clamp_retry(int64_t secs)
{
	if (secs < RETRY_MIN)
		return RETRY_MIN;
	if (secs > RETRY_MAX)
		return RETRY_MAX;
	return secs;
}

int64_t sched_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;
	unsigned mp;

	/* Count from March 1st, so the leap day is the last day of the
	 * shifted year and every month before it has a fixed length. */
	if (m <= 2)
		y--;
	mp = m > 2 ? m - 3 : m + 9;              /* March = 0 .. February = 11 */
	era = (y >= 0 ? y : y - 399) / 400;      /* 400-year cycles, floored */
	yoe = y - era * 400;                     /* 0 .. 399 */
	doy = (153 * (int64_t)mp + 2) / 5 + (int64_t)d - 1; /* 0 .. 365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;        /* 0 .. 146096 */
	/* 146097 days per cycle; 0000-03-01 is 719468 days before 1970. */
	return era * 146097 + doe - 719468;
}

/* The inverse: the date of a day count, same March-based years. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;                                 /* 0 .. 146096 */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0 .. 399 */
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* 0 .. 365 */
	mp = (5 * doy + 2) / 153;                               /* 0 .. 11 */
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

const char *sched_format_utc(int64_t t, int style, char *buf, size_t cap)
{
	int64_t days = (t >= 0 ? t : t - (DAY - 1)) / DAY, sec = t - days * DAY;
	int64_t y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	if (style == SCHED_FMT_RFC3339)
		snprintf(buf, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y,
		         m, d, (unsigned)(sec / 3600), (unsigned)(sec / 60 % 60),
		         (unsigned)(sec % 60));
	else
		snprintf(buf, cap, "%04lld-%02u-%02u %02u:%02u UTC", (long long)y, m,
		         d, (unsigned)(sec / 3600), (unsigned)(sec / 60 % 60));
	return buf;
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30,
	                                       31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

int64_t sched_digits(const char *s, int n)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int sched_civil_time(int64_t y, int64_t mo, int64_t d, int64_t h,
                      int64_t mi, int64_t s, int64_t *t)
{
	if (y < 0 || mo < 1 || mo > 12 || d < 1 ||
	    d > (int64_t)month_days(y, (unsigned)mo) || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || s < 0 || s > 60)
		return AL_EPROTO;
	*t = sched_days_from_civil(y, (unsigned)mo, (unsigned)d) * DAY +
	     h * 3600 + mi * 60 + s;
	return 0;
}

/* The "(Z|+hh:mm|-hh:mm)" at the end of an RFC 3339 time, in seconds east
 * of UTC; AL_EPROTO when it is not exactly that. */
static int rfc3339_offset(const char *s, int64_t *off)
{
	int64_t h, m;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*off = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return AL_EPROTO;
	h = sched_digits(s + 1, 2);
	if (h < 0 || s[3] != ':')
		return AL_EPROTO;
	m = sched_digits(s + 4, 2);
	if (m < 0 || s[6] != '\0' || h > 23 || m > 59)
		return AL_EPROTO;
	*off = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

int sched_parse_rfc3339(const char *s, int64_t *t)
{
	int64_t y, mo, d, h, mi, sec, off, local;
	const char *p;

	if (s == NULL || t == NULL)
		return AL_EPROTO;
	/* "YYYY-MM-DDTHH:MM:SS": check each byte before reading past it, so a
	 * short string stops at its NUL. */
	for (p = s; p < s + 19; p++)
		if (*p == '\0')
			return AL_EPROTO;
	if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return AL_EPROTO;
	y = sched_digits(s, 4);
	mo = sched_digits(s + 5, 2);
	d = sched_digits(s + 8, 2);
	h = sched_digits(s + 11, 2);
	mi = sched_digits(s + 14, 2);
	sec = sched_digits(s + 17, 2);
	p = s + 19;
	/* Fractions are dropped: a renewal time needs no sub-second part, and
	 * dropping a positive fraction is flooring. */
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return AL_EPROTO;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (rfc3339_offset(p, &off) != 0 ||
	    sched_civil_time(y, mo, d, h, mi, sec, &local) != 0)
		return AL_EPROTO;
	*t = local - off;
	return 0;
}

/* Index of the 3-letter name at s in names (n entries), or -1. */
static int name_index(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[0] == names[i][0] && s[1] == names[i][1] &&
		    s[2] == names[i][2])
			return i;
	return -1;
}

/* IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT", exactly
 * 29 characters, into Unix seconds. */
static int imf_fixdate(const char *s, size_t n, int64_t *t)
{
	static const char *const days[7] = { "Mon", "Tue", "Wed", "Thu",
	                                     "Fri", "Sat", "Sun" };
	static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr",
	                                        "May", "Jun", "Jul", "Aug",
	                                        "Sep", "Oct", "Nov", "Dec" };
	int mo;

	if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    s[25] != ' ' || s[26] != 'G' || s[27] != 'M' || s[28] != 'T')
		return AL_EPROTO;
	mo = name_index(s + 8, months, 12);
	if (name_index(s, days, 7) < 0 || mo < 0)
		return AL_EPROTO;
	return sched_civil_time(sched_digits(s + 12, 4), mo + 1, sched_digits(s + 5, 2),
	                  sched_digits(s + 17, 2), sched_digits(s + 20, 2), sched_digits(s + 23, 2), t);
}

int sched_parse_retry_after(const char *value, int64_t now, int64_t *secs)
{
	const char *s = value, *e;
	int64_t v = 0, t;

	if (value == NULL || secs == NULL)
		return AL_EPROTO;
	/* Optional whitespace around a field value (RFC 9110 §5.5). */
	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s; *e; e++)
		;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s)
		return AL_EPROTO;
	if (*s >= '0' && *s <= '9') {
		for (; s < e; s++) {
			if (*s < '0' || *s > '9')
				return AL_EPROTO;
			v = v * 10 + (*s - '0');
			if (v > DELAY_SAT)
				v = DELAY_SAT;
		}
		*secs = v;
		return 0;
	}
	if (imf_fixdate(s, (size_t)(e - s), &t) != 0)
		return AL_EPROTO;
	*secs = t > now ? t - now : 0;
	return 0;
}
