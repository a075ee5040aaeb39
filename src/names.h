/* Certificate names: normalised and checked locally, before any CA
 * contact (a DNS name, a wildcard, or an IP literal per RFC 8738). */
#ifndef ACMELET_NAMES_H
#define ACMELET_NAMES_H

#include <stddef.h>

/* Lower-case s in place and drop one trailing dot, then check it: labels
 * of letters, digits and inner hyphens of 1-63 characters, 253 in all, a
 * wildcard only as the whole leftmost label; IP literals in canonical
 * form. Returns 0, or AL_EINVAL with "NAME: reason" in err. */
int name_normalize(char *s, char *err, size_t cap);

/* name_normalize on a copy: 0 when s is acceptable once normalised. */
int name_check(const char *s, char *err, size_t cap);

/* Drop later duplicates from names[0..n), keeping the order; returns the
 * new count. */
int names_dedupe(const char **names, int n);

/* 1 when a and b hold the same names, in whatever order. */
int names_same_set(const char *const *a, int na, const char *const *b,
                   int nb);

#endif
