/* When to act: renewal time from the certificate itself or from ARI,
 * backoff after failures, jitter. Pure functions of times and random draws,
 * so the simulated clock tests can drive them directly (S12-S15, M1, M2). */
#ifndef ACMELET_SCHEDULE_H
#define ACMELET_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

/* Renewal time without ARI: when one third of the lifetime is left, one
 * half for lifetimes under 10 days. Never a fixed day count (M2). */
int64_t sched_renew_at(int64_t not_before, int64_t not_after);

/* Wait after the failures-th consecutive failure (1-based): 1 min, 10 min,
 * 100 min, then one day (S15). 0 for failures <= 0. */
int64_t sched_backoff(int failures);

/* A uniformly random time in [start, end) from the 64 random bits rnd
 * (ARI suggestedWindow, M1). end <= start gives start. */
int64_t sched_pick(int64_t start, int64_t end, uint64_t rnd);

/* Clamp a server's Retry-After for ARI to 1 minute .. 1 day (M1). */
int64_t sched_clamp_retry(int64_t secs);

/* Parse a Retry-After value: delay-seconds or an HTTP-date (IMF-fixdate),
 * relative to now. Returns 0 and *secs (>= 0), or AL_EPROTO. */
int sched_parse_retry_after(const char *value, int64_t now, int64_t *secs);

/* Parse an RFC 3339 timestamp ("2025-01-02T04:00:00Z", offsets and
 * fractions allowed) into Unix seconds. Returns 0 or AL_EPROTO. */
int sched_parse_rfc3339(const char *s, int64_t *t);

/* Value of exactly n decimal digits at s, or -1. */
int64_t sched_digits(const char *s, int n);

/* Unix seconds of a broken-down UTC time (year >= 0, month 1-12, ...);
 * AL_EPROTO for a field out of range, February 29 of a common year
 * included. A leap second (60) lands on the next minute. */
int sched_civil_time(int64_t y, int64_t mo, int64_t d, int64_t h,
                     int64_t mi, int64_t s, int64_t *t);

/* Days since 1970-01-01 of a proleptic Gregorian date (no mktime, no
 * local time). */
int64_t sched_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Formats of sched_format_utc(). */
enum { SCHED_FMT_LOG = 0,  /* "2026-11-23 07:13 UTC", for log lines */
       SCHED_FMT_RFC3339   /* "2026-11-23T07:13:22Z", for JSON */ };

/* Write Unix time t as a UTC date into buf (no gmtime/strftime: their
 * time-zone code is most of a small static binary's date support).
 * Returns buf. */
const char *sched_format_utc(int64_t t, int style, char *buf, size_t cap);

#endif
