/* schedule.c: renewal times from the certificate's own lifetime, backoff,
 * jitter, Retry-After and RFC 3339. Expected times come from the RFCs'
 * examples, from arithmetic on the requirement (S12, S15, M1), from a naive
 * day count, and from GNU date(1). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "schedule.h"
#include "tap.h"

#define DAY 86400
#define T2025 1735689600 /* 2025-01-01T00:00:00Z */

/* Unix seconds of when, as GNU date(1) computes it; INT64_MIN on failure. */
static int64_t date_s(const char *when)
{
	char cmd[256], out[64];
	long long v;
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "date -u -d '%s' +%%s 2>/dev/null", when);
	p = popen(cmd, "r");
	if (p == NULL)
		return INT64_MIN;
	if (fgets(out, sizeof(out), p) != NULL)
		n = sscanf(out, "%lld", &v);
	if (pclose(p) != 0 || n != 1)
		return INT64_MIN;
	return (int64_t)v;
}

/* Days since 1970-01-01 by walking whole years and months: slow, but
 * obviously right. */
static int64_t naive_days(int64_t y, unsigned m, unsigned d)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30,
	                             31, 31, 30, 31, 30, 31 };
	int64_t days = 0, i;
	unsigned k;

	for (i = 1970; i < y; i++)
		days += (i % 4 == 0 && i % 100 != 0) || i % 400 == 0 ? 366 : 365;
	for (i = y; i < 1970; i++)
		days -= (i % 4 == 0 && i % 100 != 0) || i % 400 == 0 ? 366 : 365;
	for (k = 1; k < m; k++)
		days += len[k - 1] + (k == 2 && ((y % 4 == 0 && y % 100 != 0) ||
		                                 y % 400 == 0));
	return days + d - 1;
}

static void test_days_from_civil(void)
{
	static const struct { int y; unsigned m, d; } probes[] = {
		{ 1970, 1, 1 }, { 1969, 12, 31 }, { 1972, 2, 29 },
		{ 1972, 3, 1 }, { 1999, 12, 31 }, { 2000, 1, 1 },
		{ 2000, 2, 28 }, { 2000, 2, 29 }, { 2000, 3, 1 },
		{ 2038, 1, 19 }, { 2099, 12, 31 }, { 2100, 2, 28 },
		{ 2100, 3, 1 }, { 2400, 2, 29 }, { 1900, 2, 28 },
		{ 1900, 3, 1 }, { 1600, 2, 29 }, { 1, 1, 1 },
	};
	char when[32];
	size_t i;
	int y, bad = 0;
	unsigned m;

	is_int(sched_days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(sched_days_from_civil(1969, 12, 31), -1, "1969-12-31 is day -1");
	is_int(sched_days_from_civil(2000, 1, 1), 10957, "2000-01-01 is 10957");
	is_int(sched_days_from_civil(2000, 3, 1) -
	       sched_days_from_civil(2000, 2, 28), 2, "2000 is a leap year");
	is_int(sched_days_from_civil(2100, 3, 1) -
	       sched_days_from_civil(2100, 2, 28), 1, "2100 is not");
	is_int(sched_days_from_civil(1900, 3, 1) -
	       sched_days_from_civil(1900, 2, 28), 1, "1900 is not");
	is_int(sched_days_from_civil(2001, 1, 1) -
	       sched_days_from_civil(2000, 1, 1), 366, "2000 has 366 days");
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		snprintf(when, sizeof(when), "%04d-%02u-%02u", probes[i].y,
		         probes[i].m, probes[i].d);
		is_int(sched_days_from_civil(probes[i].y, probes[i].m,
		                             probes[i].d) * DAY,
		       date_s(when), "%s agrees with date(1)", when);
	}
	is_int(sched_days_from_civil(0, 1, 1), -719528,
	       "0000-01-01 is 719528 days before 1970");
	for (y = -800; y <= 2500 && !bad; y++)
		for (m = 1; m <= 12 && !bad; m++)
			if (sched_days_from_civil(y, m, 1) != naive_days(y, m, 1) ||
			    sched_days_from_civil(y, m, 28) != naive_days(y, m, 28))
				bad = y * 100 + (y < 0 ? -(int)m : (int)m);
	is_int(bad, 0, "years -800..2500 agree with a naive day count "
	       "(else first bad year*100+month)");
}

static void test_renew_at(void)
{
	int64_t nb = T2025;

	is_int(sched_renew_at(nb, nb + 90 * DAY), nb + 60 * DAY,
	       "90-day certificate: day 60");
	is_int(sched_renew_at(nb, nb + 45 * DAY), nb + 30 * DAY,
	       "45-day certificate: day 30");
	is_int(sched_renew_at(nb, nb + 64 * DAY), nb + 64 * DAY - 64 * DAY / 3,
	       "64-day certificate: one third left");
	is_int(sched_renew_at(nb, nb + 6 * DAY), nb + 3 * DAY,
	       "6-day certificate: day 3 (half)");
	is_int(sched_renew_at(nb, nb + 9 * DAY), nb + 9 * DAY / 2,
	       "9-day certificate: half");
	is_int(sched_renew_at(nb, nb + 10 * DAY), nb + 10 * DAY - 10 * DAY / 3,
	       "10-day certificate: one third left");
	is_int(sched_renew_at(nb, nb + 397 * DAY), nb + 397 * DAY - 397 * DAY / 3,
	       "397-day certificate: one third left, no fixed day count");
	is_int(sched_renew_at(nb, nb), nb, "no lifetime: due at once");
	is_int(sched_renew_at(nb, nb - DAY), nb, "inverted validity: due at once");
}

static void test_backoff(void)
{
	static const int64_t want[] = { 60, 600, 6000, 86400, 86400, 86400 };
	int i, bad = 0;

	is_int(sched_backoff(0), 0, "no failure, no wait");
	is_int(sched_backoff(-3), 0, "negative count, no wait");
	for (i = 1; i <= 6; i++)
		is_int(sched_backoff(i), want[i - 1], "failure %d", i);
	for (i = 7; i < 100000; i++)
		if (sched_backoff(i) != DAY)
			bad = i;
	is_int(bad, 0, "then once a day, for ever");
	is_int(sched_backoff(0x7fffffff), DAY, "INT_MAX failures: a day");
}

static void test_clamp(void)
{
	is_int(sched_clamp_retry(5), 60, "5 s -> 1 min");
	is_int(sched_clamp_retry(0), 60, "0 -> 1 min");
	is_int(sched_clamp_retry(-100), 60, "negative -> 1 min");
	is_int(sched_clamp_retry(60), 60, "1 min stays");
	is_int(sched_clamp_retry(3600), 3600, "1 h stays");
	is_int(sched_clamp_retry(DAY), DAY, "1 day stays");
	is_int(sched_clamp_retry(10 * DAY), DAY, "10 days -> 1 day");
	is_int(sched_clamp_retry(INT64_MAX), DAY, "INT64_MAX -> 1 day");
}

/* xorshift64*: a fixed, reproducible stream of 64-bit draws. */
static uint64_t next_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static void test_pick(void)
{
	int64_t start = T2025, end = T2025 + 2 * DAY, lo = INT64_MAX,
	        hi = INT64_MIN, t;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int counts[10] = { 0 }, i, out = 0, flat = 1;
	const int n = 200000;

	for (i = 0; i < n; i++) {
		t = sched_pick(start, end, next_rnd(&s));
		if (t < start || t >= end) {
			out++;
			continue;
		}
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
		counts[(t - start) * 10 / (end - start)]++;
	}
	is_int(out, 0, "%d draws all inside [start, end)", n);
	ok(lo - start < 60, "minimum near start (%lld s after)",
	   (long long)(lo - start));
	ok(end - hi <= 60, "maximum near end (%lld s before)",
	   (long long)(end - hi));
	for (i = 0; i < 10; i++)
		if (counts[i] < n / 10 * 95 / 100 || counts[i] > n / 10 * 105 / 100)
			flat = 0;
	ok(flat, "tenths of the window each get 10%% +- 0.5%%");
	is_int(sched_pick(start, end, 0), start, "rnd 0 -> start");
	is_int(sched_pick(start, end, UINT64_MAX), end - 1, "rnd max -> end - 1");
	is_int(sched_pick(start, end, 1ULL << 63), start + DAY,
	       "rnd 2^63 -> middle");
	is_int(sched_pick(start, start, 12345), start, "empty window -> start");
	is_int(sched_pick(end, start, 12345), end, "inverted window -> start");
	is_int(sched_pick(start, start + 1, UINT64_MAX), start,
	       "one-second window -> start");
	is_int(sched_pick(INT64_MIN, INT64_MAX, UINT64_MAX), INT64_MAX - 1,
	       "widest window does not overflow");
	is_int(sched_pick(-10 * DAY, -DAY, 0), -10 * DAY,
	       "window before 1970");
}

static void test_rfc3339(void)
{
	static const char *const bad[] = {
		"", "1985-04-12", "1985-04-12T23:20:50", "1985-04-12T23:20:50.Z",
		"1985-04-12 23:20:50Z", "1985-4-12T23:20:50Z",
		"1985-04-12T23:20:5Z", "198a-04-12T23:20:50Z",
		"1985-13-12T23:20:50Z", "1985-00-12T23:20:50Z",
		"1985-04-00T23:20:50Z", "1985-04-31T23:20:50Z",
		"1985-02-29T23:20:50Z", "2100-02-29T00:00:00Z",
		"1985-04-12T24:00:00Z", "1985-04-12T23:60:00Z",
		"1985-04-12T23:20:61Z", "1985-04-12T23:20:50+24:00",
		"1985-04-12T23:20:50+05:60", "1985-04-12T23:20:50+0100",
		"1985-04-12T23:20:50+01", "1985-04-12T23:20:50Zjunk",
		"1985-04-12T23:20:50.52", "1985-04-12T23:20:50.5.2Z",
		" 1985-04-12T23:20:50Z", "1985-04-12T23:20:50Z ",
		"1985-04-12T23:20:50+01:00 ", "-985-04-12T23:20:50Z",
		"+1985-04-12T23:20:50Z", "1985-04-12T23:20:50GMT",
	};
	int64_t t = 0;
	size_t i;
	int rejected = 0;

	/* RFC 3339 §5.8 examples. */
	is_int(sched_parse_rfc3339("1985-04-12T23:20:50.52Z", &t), 0,
	       "RFC 3339 example 1 parses");
	is_int(t, 482196050, "1985-04-12T23:20:50.52Z");
	is_int(sched_parse_rfc3339("1996-12-19T16:39:57-08:00", &t), 0,
	       "RFC 3339 example 2 parses");
	is_int(t, date_s("1996-12-20 00:39:57"), "-08:00 offset");
	is_int(t, 851042397, "1996-12-19T16:39:57-08:00 is 851042397");
	is_int(sched_parse_rfc3339("1990-12-31T23:59:60Z", &t), 0,
	       "leap second parses");
	is_int(t, date_s("1991-01-01 00:00:00"), "leap second lands on the "
	       "next minute");
	is_int(sched_parse_rfc3339("1990-12-31T15:59:60-08:00", &t), 0,
	       "leap second with offset parses");
	is_int(t, date_s("1991-01-01 00:00:00"), "same instant");
	is_int(sched_parse_rfc3339("1937-01-01T12:00:27.87+00:20", &t), 0,
	       "1937 with +00:20 parses");
	is_int(t, date_s("1937-01-01 11:40:27"), "before 1970, odd offset");
	is_int(sched_parse_rfc3339("2025-01-02T04:00:00Z", &t), 0, "ARI style");
	is_int(t, date_s("2025-01-02 04:00:00"), "2025-01-02T04:00:00Z");
	is_int(sched_parse_rfc3339("2025-01-02t04:00:00.123456789z", &t), 0,
	       "lower-case t and z, nanoseconds");
	is_int(t, date_s("2025-01-02 04:00:00"), "fraction dropped");
	is_int(sched_parse_rfc3339("2000-02-29T23:59:59-00:00", &t), 0,
	       "-00:00 and a leap day");
	is_int(t, date_s("2000-02-29 23:59:59"), "2000-02-29T23:59:59");
	is_int(sched_parse_rfc3339("2024-12-31T23:30:00-01:00", &t), 0,
	       "offset across a year end");
	is_int(t, date_s("2025-01-01 00:30:00"), "into 2025");
	is_int(sched_parse_rfc3339("9999-12-31T23:59:59Z", &t), 0, "year 9999");
	is_int(t, 253402300799LL, "9999-12-31T23:59:59Z");
	is_int(sched_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0, "epoch");
	is_int(t, 0, "epoch is 0");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 777;
		if (sched_parse_rfc3339(bad[i], &t) == AL_EPROTO && t == 777)
			rejected++;
		else
			printf("# accepted '%s'\n", bad[i]);
	}
	is_int(rejected, (int)(sizeof(bad) / sizeof(bad[0])),
	       "malformed and out-of-range timestamps rejected, *t untouched");
	is_int(sched_parse_rfc3339(NULL, &t), AL_EPROTO, "NULL rejected");
}

static void test_retry_after(void)
{
	static const char *const bad[] = {
		"", "   ", "-5", "+5", "5s", "1.5", "0x10", "soon",
		"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
		"Sun, 06 Foo 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX",
		"Sun, 06 nov 1994 08:49:37 GMT", "5 5",
	};
	int64_t imf = date_s("1994-11-06 08:49:37"), s = 0;
	size_t i;
	int rejected = 0;

	is_int(imf, 784111777, "date(1) agrees on the RFC 9110 example date");
	is_int(sched_parse_retry_after("120", 0, &s), 0, "delay-seconds");
	is_int(s, 120, "120 s");
	is_int(sched_parse_retry_after("0", 0, &s), 0, "zero");
	is_int(s, 0, "0 s");
	is_int(sched_parse_retry_after(" \t21600 ", 0, &s), 0,
	       "surrounding whitespace");
	is_int(s, 21600, "21600 s");
	is_int(sched_parse_retry_after("99999999999999999999999999", 0, &s), 0,
	       "huge delay saturates");
	ok(s >= 10 * DAY && s <= 2000000000LL, "huge delay is large, no "
	   "overflow (%lld)", (long long)s);
	is_int(sched_clamp_retry(s), DAY, "and clamps to a day");
	is_int(sched_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
	                               imf - 100, &s), 0, "IMF-fixdate");
	is_int(s, 100, "100 s before the date");
	is_int(sched_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT",
	                               imf + 5000, &s), 0, "past IMF-fixdate");
	is_int(s, 0, "a past date means now");
	is_int(sched_parse_retry_after("Thu, 29 Feb 2024 23:59:59 GMT",
	                               date_s("2024-02-28 23:59:59"), &s), 0,
	       "leap day");
	is_int(s, DAY, "a day before the leap day");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = 777;
		if (sched_parse_retry_after(bad[i], 0, &s) == AL_EPROTO && s == 777)
			rejected++;
		else
			printf("# accepted '%s'\n", bad[i]);
	}
	is_int(rejected, (int)(sizeof(bad) / sizeof(bad[0])),
	       "malformed Retry-After rejected, *secs untouched");
	is_int(sched_parse_retry_after(NULL, 0, &s), AL_EPROTO, "NULL rejected");
}

/* GNU date(1)'s rendering of Unix time t in fmt; "" on failure. */
static void date_fmt(int64_t t, const char *fmt, char *out, size_t cap)
{
	char cmd[256];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "date -u -d @%lld '+%s' 2>/dev/null",
	         (long long)t, fmt);
	if ((p = popen(cmd, "r")) == NULL)
		return;
	if (fgets(out, (int)cap, p) != NULL)
		out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

/* sched_format_utc against date(1): leap days, century years, the epoch,
 * before it, 2038 and beyond, and a sweep of days across 400 years. */
static void test_format_utc(void)
{
	static const int64_t at[] = { 0, -1, 59, 951782400 /* 2000-02-29 */,
	                              4107542399LL /* 2100-02-28T23:59:59 */,
	                              4107542400LL, 2147483648LL, T2025 + 45296,
	                              253402300799LL /* 9999-12-31T23:59:59 */,
	                              -2208988800LL /* 1900-01-01 */ };
	char got[64], want[64];
	int64_t t;
	size_t i;
	int bad = 0, n = 0;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		sched_format_utc(at[i], SCHED_FMT_RFC3339, got, sizeof(got));
		date_fmt(at[i], "%Y-%m-%dT%H:%M:%SZ", want, sizeof(want));
		is_str(got, want, "RFC 3339 form of %lld", (long long)at[i]);
	}
	sched_format_utc(T2025 + 45296, SCHED_FMT_LOG, got, sizeof(got));
	is_str(got, "2025-01-01 12:34 UTC", "log form");
	/* a sweep from 1900 to 2300 (97 days and a bit apart): every date
	 * parses back to the same second (days_from_civil is the inverse) */
	for (t = -2208988800LL; t < 10413792000LL; t += 97 * 86400LL + 3671) {
		int64_t back;

		sched_format_utc(t, SCHED_FMT_RFC3339, got, sizeof(got));
		n++;
		if (sched_parse_rfc3339(got, &back) != 0 || back != t)
			bad++;
	}
	is_int(bad, 0, "%d dates from 1900 to 2300 format and parse back", n);
}

int main(void)
{
	test_days_from_civil();
	test_renew_at();
	test_backoff();
	test_clamp();
	test_pick();
	test_rfc3339();
	test_retry_after();
	test_format_utc();
	return tap_done();
}
