/* Certificate names as a CA will see them: normalised (lower case, no
 * trailing dot, no duplicates) and checked before any CA contact, so a
 * name no CA accepts costs one line and no account or order. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "names.h"

#define LABEL_MAX 63
#define NAME_MAX_LEN 253

/* An IP literal must be written as inet_ntop writes it (RFC 8738 asks for
 * the canonical text form; RFC 5952 for IPv6), or two spellings of one
 * address would be two certificates. */
static int check_ip(const char *s, int v6, char *err, size_t cap)
{
	unsigned char ip[16];
	char canon[INET6_ADDRSTRLEN];
	int af = v6 ? AF_INET6 : AF_INET;

	if (inet_pton(af, s, ip) != 1) {
		snprintf(err, cap, "%s: not a valid IPv%d address", s, v6 ? 6 : 4);
		return AL_EINVAL;
	}
	if (!inet_ntop(af, ip, canon, sizeof(canon)) || strcmp(canon, s)) {
		snprintf(err, cap, "%s: write the IP address as %s", s, canon);
		return AL_EINVAL;
	}
	return 0;
}

/* One DNS label of n characters at s: letters, digits, hyphens inside. */
static int check_label(const char *name, const char *s, size_t n, char *err,
                       size_t cap)
{
	size_t i;

	if (n == 0) {
		snprintf(err, cap, "%s: empty label (two dots, or a leading dot)",
		         name);
		return AL_EINVAL;
	}
	if (n > LABEL_MAX) {
		snprintf(err, cap, "%s: a label is longer than %d characters",
		         name, LABEL_MAX);
		return AL_EINVAL;
	}
	if (s[0] == '-' || s[n - 1] == '-') {
		snprintf(err, cap, "%s: a label starts or ends with '-'", name);
		return AL_EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-')) {
			snprintf(err, cap, "%s: '%c' is not allowed in a DNS name "
			         "(letters, digits, '-' and '.' are)", name, s[i]);
			return AL_EINVAL;
		}
	return 0;
}

/* A DNS name: LDH labels, a wildcard only as the whole leftmost label, a
 * last label that is not all digits (that would be a mistyped IPv4). */
static int check_dns(const char *s, char *err, size_t cap)
{
	const char *p = s, *dot, *last = s;
	size_t n = strlen(s);
	int rc;

	if (n > NAME_MAX_LEN) {
		snprintf(err, cap, "%.40s...: longer than %d characters", s,
		         NAME_MAX_LEN);
		return AL_EINVAL;
	}
	if (strncmp(s, "*.", 2) == 0)
		p = s + 2;
	if (strchr(p, '*')) {
		snprintf(err, cap, "%s: a wildcard must be the whole leftmost "
		         "label (*.example.com)", s);
		return AL_EINVAL;
	}
	for (;; p = dot + 1) {
		dot = strchr(p, '.');
		last = p;
		if ((rc = check_label(s, p, dot ? (size_t)(dot - p) : strlen(p),
		                      err, cap)) != 0)
			return rc;
		if (!dot)
			break;
	}
	if (strspn(last, "0123456789") == strlen(last)) {
		snprintf(err, cap, "%s: neither a DNS name (its last label is a "
		         "number) nor an IP address", s);
		return AL_EINVAL;
	}
	return 0;
}

int name_normalize(char *s, char *err, size_t cap)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	if (n > 1 && s[n - 1] == '.' && s[n - 2] != '.')
		s[--n] = '\0'; /* the root label: "example.com." is example.com */
	if (n == 0) {
		snprintf(err, cap, "empty name");
		return AL_EINVAL;
	}
	if (strchr(s, ':'))
		return check_ip(s, 1, err, cap);
	if (strspn(s, "0123456789.") == n && strchr(s, '.') &&
	    strspn(s, "0123456789") != n)
		return check_ip(s, 0, err, cap);
	return check_dns(s, err, cap);
}

int name_check(const char *s, char *err, size_t cap)
{
	char copy[NAME_MAX_LEN + 2];

	if (strlen(s) >= sizeof(copy)) {
		snprintf(err, cap, "%.40s...: longer than %d characters", s,
		         NAME_MAX_LEN);
		return AL_EINVAL;
	}
	memcpy(copy, s, strlen(s) + 1);
	return name_normalize(copy, err, cap);
}

int names_dedupe(const char **names, int n)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < k && strcmp(names[j], names[i]); j++)
			;
		if (j == k)
			names[k++] = names[i];
	}
	return k;
}

int names_same_set(const char *const *a, int na, const char *const *b, int nb)
{
	int i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(a[i], b[j]); j++)
			;
		if (j == nb)
			return 0;
	}
	for (i = 0; i < nb; i++) {
		for (j = 0; j < na && strcmp(b[i], a[j]); j++)
			;
		if (j == na)
			return 0;
	}
	return 1;
}
