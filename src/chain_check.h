/* The served chain checked before it may go live (issue 12): a chain the
 * CA got wrong is refused and the live certificate stays. */
#ifndef ACMELET_CHAIN_CHECK_H
#define ACMELET_CHAIN_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct cert_facts;
struct key;
struct logger;

#define CHAIN_CERTS_MAX 8      /* certificates in one served chain */
#define CHAIN_CERT_DER_MAX 8192 /* one certificate, DER */
#define CHAIN_SKEW_S 600        /* a notBefore this far ahead is clock skew */

/* What the chain must be for. */
struct chain_want {
	const struct key *key;        /* the pending certificate key */
	const char *const *names;
	int nnames;
	int64_t now;                  /* Unix seconds, the trusted wall clock */
	const char *cert_name;        /* for the log line */
	const struct logger *log;
};

/* Check pem[0..len): every PEM block is a certificate that decodes whole
 * (no bytes after its DER); the first is for w->key and every name, its
 * notBefore at most CHAIN_SKEW_S ahead of now and its notAfter after now;
 * each certificate is signed by the next one (BearSSL's X.509 engine,
 * the next one as its trust anchor). Returns 0 with the leaf's facts in
 * *leaf and *cert_end the offset after its PEM block; else AL_EPROTO
 * (AL_EFAIL without memory) after one log line saying why and that the
 * current certificate is kept. */
int chain_check(const char *pem, size_t len, const struct chain_want *w,
                struct cert_facts *leaf, size_t *cert_end);

#endif
