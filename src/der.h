/* A tiny DER writer (BearSSL decodes X.509 but writes no CSR) and a small
 * DER walker for the certificate facts BearSSL does not expose. */
#ifndef ACMELET_DER_H
#define ACMELET_DER_H

#include <stddef.h>
#include <stdint.h>

struct key;

/* Build a PKCS#10 CSR signed by k, with names[0] as the subject CN and every
 * name in subjectAltName (dNSName, or iPAddress for an IPv4/IPv6 literal).
 * Returns 0, AL_E2BIG when der (cap bytes) is too small, AL_EINVAL for a
 * bad name. */
int csr_build(const struct key *k, const char *const *names, int nnames,
              unsigned char *der, size_t cap, size_t *len);

#define CERT_NAMES_MAX 100
#define CERT_NAME_LEN 256
#define CERT_SERIAL_MAX 32
#define CERT_KEYID_MAX 64

/* What acmelet needs to know about a certificate. */
struct cert_facts {
	int64_t not_before, not_after; /* Unix seconds, UTC */
	int nnames;                     /* dNSName and iPAddress SANs */
	char names[CERT_NAMES_MAX][CERT_NAME_LEN];
	unsigned char serial[CERT_SERIAL_MAX]; /* DER INTEGER content bytes,
	                                          leading 0x00 kept (ARI) */
	size_t serial_len;
	unsigned char aki[CERT_KEYID_MAX];     /* authorityKeyIdentifier keyid */
	size_t aki_len;
	char issuer_cn[CERT_NAME_LEN];         /* issuer's commonName, or "" */
};

/* Extract the facts from one DER certificate. AL_EPROTO when malformed. */
int cert_facts_der(const unsigned char *der, size_t len, struct cert_facts *f);

/* Same, from the first certificate of a PEM text. */
int cert_facts_pem(const char *pem, size_t len, struct cert_facts *f);

/* 1 when every name of names is covered by the certificate's SANs
 * (case-insensitive; a wildcard SAN covers one label). */
int cert_covers(const struct cert_facts *f, const char *const *names, int n);

#endif
