/* dns-persist-01 records (draft-ietf-acme-dns-persist-01): the TXT value
 * at _validation-persist.NAME that names a CA and an account,
 *
 *     <issuer-domain-name>; accounturi=<URL>[; policy=wildcard]
 *                                           [; persistUntil=<Unix seconds>]
 *
 * (the issue-value syntax of CAA, RFC 8659: tags case-insensitive,
 * values of visible ASCII without ';'). Written and judged here, with no
 * I/O, so that the parser can be fuzzed on its own. */
#ifndef ACMELET_DNS_PERSIST_H
#define ACMELET_DNS_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#define PERSIST_LABEL "_validation-persist"
#define PERSIST_FIELD_MAX 512

/* One record as read. */
struct persist_rec {
	char issuer[256];               /* lower case, no final dot */
	char account[PERSIST_FIELD_MAX]; /* accounturi, "" when absent */
	int wildcard;                   /* policy=wildcard */
	int64_t until;                  /* persistUntil, 0 when absent */
};

/* Write the record for issuer and account into out (cap bytes), with
 * policy=wildcard when wildcard and persistUntil when until > 0. Its
 * length, or AL_E2BIG / AL_EINVAL (a field with a ';', a blank or a
 * control byte, or an empty one). */
int persist_format(char *out, size_t cap, const char *issuer,
                   const char *account, int wildcard, int64_t until);

/* Read the TXT value txt into r. 0, or AL_EPROTO for a value that is not
 * such a record (no issuer, a tag without '=', a bad persistUntil, a
 * field too long). Unknown tags are ignored, as the draft says. */
int persist_parse(const char *txt, struct persist_rec *r);

/* What the records at a name say for one CA, account and identifier,
 * from best to worst; the worst of them is what the operator must fix. */
enum persist_verdict {
	PERSIST_OK = 0,
	PERSIST_EXPIRED,        /* ours, but persistUntil has passed */
	PERSIST_NO_WILDCARD,    /* ours, but a wildcard needs policy=wildcard */
	PERSIST_OTHER_ACCOUNT,  /* for this CA, another account */
	PERSIST_NONE            /* nothing for this CA */
};

/* The verdict of one TXT value for a CA of issuers (n names, any one
 * will do), account, a wildcard or not, at time now; r gets what was
 * read. */
enum persist_verdict persist_judge(const char *txt,
                                   const char *const *issuers, int n,
                                   const char *account, int wildcard,
                                   int64_t now, struct persist_rec *r);

#endif
