/* dns-persist-01 record values: writer, parser, verdict. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/persist.h"
#include "err.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* 1 when s is a non-empty value of visible ASCII without ';'. */
static int value_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == ';')
			return 0;
	return 1;
}

int persist_format(char *out, size_t cap, const char *issuer,
                   const char *account, int wildcard, int64_t until)
{
	char tail[64] = "";
	int n;

	if (!value_ok(issuer) || !value_ok(account) || until < 0)
		return AL_EINVAL;
	if (until > 0)
		snprintf(tail, sizeof(tail), "; persistUntil=%lld",
		         (long long)until);
	n = snprintf(out, cap, "%s; accounturi=%s%s%s", issuer, account,
	             wildcard ? "; policy=wildcard" : "", tail);
	if (n < 0 || (size_t)n >= cap)
		return AL_E2BIG;
	return n;
}

/* Copy [s, e) without its surrounding blanks into out (cap bytes). 0, or
 * -1 when it does not fit. */
static int trimmed(const char *s, const char *e, char *out, size_t cap)
{
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if ((size_t)(e - s) >= cap)
		return -1;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = 0;
	return 0;
}

/* persistUntil: decimal Unix seconds, no sign, at most 12 digits. */
static int parse_until(const char *v, int64_t *t)
{
	int64_t x = 0;
	int n = 0;

	for (; *v >= '0' && *v <= '9' && n < 13; v++, n++)
		x = x * 10 + (*v - '0');
	if (*v || n == 0 || n > 12)
		return -1;
	*t = x;
	return 0;
}

/* One "tag=value" of the attribute list into r. */
static int attribute(const char *s, const char *e, struct persist_rec *r)
{
	char tag[32], val[PERSIST_FIELD_MAX];
	const char *eq = memchr(s, '=', (size_t)(e - s));

	if (!eq || trimmed(s, eq, tag, sizeof(tag)) || !tag[0] ||
	    trimmed(eq + 1, e, val, sizeof(val)))
		return -1;
	if (!strcasecmp(tag, "accounturi"))
		memcpy(r->account, val, strlen(val) + 1);
	else if (!strcasecmp(tag, "policy"))
		r->wildcard = !strcasecmp(val, "wildcard");
	else if (!strcasecmp(tag, "persistuntil"))
		return parse_until(val, &r->until);
	return 0;
}

int persist_parse(const char *txt, struct persist_rec *r)
{
	const char *s = txt, *e;
	size_t n;

	memset(r, 0, sizeof(*r));
	e = s + strcspn(s, ";");
	if (trimmed(s, e, r->issuer, sizeof(r->issuer)) || !r->issuer[0] ||
	    !value_ok(r->issuer))
		return AL_EPROTO;
	n = strlen(r->issuer);
	if (r->issuer[n - 1] == '.')  /* one final dot, as in a zone file */
		r->issuer[--n] = 0;
	if (n == 0 || r->issuer[n - 1] == '.')
		return AL_EPROTO;
	for (n = 0; r->issuer[n]; n++)
		if (r->issuer[n] >= 'A' && r->issuer[n] <= 'Z')
			r->issuer[n] += 'a' - 'A';
	while (*e == ';') {
		s = e + 1;
		e = s + strcspn(s, ";");
		while (s < e && is_blank(*s))
			s++;
		if (s == e) /* an empty attribute (a trailing ';') */
			continue;
		if (attribute(s, e, r))
			return AL_EPROTO;
	}
	return 0;
}

/* 1 when issuer is one of the n names (ASCII case ignored, a final dot
 * too). */
static int issuer_is(const char *issuer, const char *const *names, int n)
{
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (len && names[i][len - 1] == '.')
			len--;
		if (strlen(issuer) == len && !strncasecmp(issuer, names[i], len))
			return 1;
	}
	return 0;
}

enum persist_verdict persist_judge(const char *txt,
                                   const char *const *issuers, int n,
                                   const char *account, int wildcard,
                                   int64_t now, struct persist_rec *r)
{
	if (persist_parse(txt, r) || !issuer_is(r->issuer, issuers, n))
		return PERSIST_NONE;
	if (strcmp(r->account, account))
		return PERSIST_OTHER_ACCOUNT;
	if (wildcard && !r->wildcard)
		return PERSIST_NO_WILDCARD;
	if (r->until && r->until < now)
		return PERSIST_EXPIRED;
	return PERSIST_OK;
}
