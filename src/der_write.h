/* Internal: the DER writer shared by der.c (which implements it), csr.c
 * and alpn_cert.c, and the X.509 pieces csr.c writes for both of them.
 * Constructed values are written with a one-byte length placeholder that
 * derw_end() widens in place, so callers write in natural order. Errors are
 * sticky: after an overflow every call is a no-op and derw_finish() says
 * AL_E2BIG. */
#ifndef ACMELET_DER_WRITE_H
#define ACMELET_DER_WRITE_H

#include <stddef.h>

#define DERW_MAX_DEPTH 12

/* DER tags used by the writer's callers. */
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_UTF8STRING 0x0c
#define DER_SEQUENCE 0x30
#define DER_SET 0x31

struct derw {
	unsigned char *buf;
	size_t cap, len;
	int err;
	int depth;
	size_t open[DERW_MAX_DEPTH]; /* offsets of the length placeholders */
};

/* Start writing into buf (cap bytes). */
void derw_init(struct derw *w, unsigned char *buf, size_t cap);

/* Open a constructed value with tag; close it with derw_end(). */
void derw_begin(struct derw *w, unsigned char tag);
void derw_end(struct derw *w);

/* A complete primitive value: tag, length, v[0..n). */
void derw_prim(struct derw *w, unsigned char tag, const void *v, size_t n);

/* A BIT STRING holding the whole bytes v[0..n) (no unused bits). */
void derw_bits(struct derw *w, const void *v, size_t n);

/* Bytes already DER-encoded, copied as they are. */
void derw_raw(struct derw *w, const void *v, size_t n);

/* 0 with *len set when every value was written and closed, AL_E2BIG after
 * an overflow, AL_EINVAL when values are still open or nesting was too
 * deep. */
int derw_finish(struct derw *w, size_t *len);

/* ---- X.509 pieces (csr.c): the CSR's, and the tls-alpn-01 certificate's */

struct key;

/* 1 when s is a host name fit for a certificate: LDH labels of 1..63
 * characters, at most 253 in all; "*." as the whole first label only when
 * wildcard is set. */
int x509_host_ok(const char *s, int wildcard);

/* A Name holding CN = cn when cn fits ub-common-name (64), else empty. */
void x509_name(struct derw *w, const char *cn);

/* The SubjectPublicKeyInfo of k (P-256, P-384 or RSA). */
void x509_spki(struct derw *w, const struct key *k);

/* The signature AlgorithmIdentifier of k: ecdsa-with-SHA256 for P-256,
 * ecdsa-with-SHA384 for P-384, sha256WithRSAEncryption for RSA. */
void x509_sig_alg(struct derw *w, const struct key *k);

/* Sign the value written at buf[from..len) with k and append its
 * AlgorithmIdentifier and the signature BIT STRING. 0, the writer's
 * sticky error, or key_sign's. */
int x509_sign(struct derw *w, const struct key *k, size_t from);

#endif
