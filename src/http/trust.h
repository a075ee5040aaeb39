/* Trust for BearSSL's TLS client: anchors loaded from a PEM bundle, and an
 * X.509 class that adds the IP-address check BearSSL lacks.
 *
 * Every anchor (array, DNs and public keys) lives in one malloc'ed arena
 * sized exactly to what the bundle needs: the Debian bundle (144 CAs)
 * takes 70 KiB. */
#ifndef ACMELET_TRUST_H
#define ACMELET_TRUST_H

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>

#define TRUST_DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

/* Upper bound for one arena, against a runaway file. */
#define TRUST_ARENA_MAX (4u * 1024 * 1024)

struct trust_store {
	br_x509_trust_anchor *anchors; /* count entries, inside arena */
	size_t count;
	size_t skipped;  /* certificates BearSSL could not decode (e.g. an
	                    Ed25519 key), or with bytes after their DER:
	                    left out rather than failing */
	size_t arena_len;
	void *arena;
};

/* Load every CERTIFICATE of the PEM file at path (NULL: the default bundle)
 * as a trust anchor; the CA flag is set for CA certificates, so a lone
 * self-signed server certificate is trusted directly. On failure ts is left
 * empty and err (errcap bytes) gets a one-line reason. Returns 0, AL_ENOENT
 * (unreadable file, or no usable certificate), AL_EPROTO (malformed PEM),
 * AL_E2BIG (over TRUST_ARENA_MAX) or AL_EFAIL (out of memory). */
int trust_load(struct trust_store *ts, const char *path, char *err,
               size_t errcap);

/* Free the arena and empty ts. Safe on an empty or zeroed store. */
void trust_free(struct trust_store *ts);

/* The server's own certificate is kept for the IP check up to this size;
 * a larger one fails the check (real ones are 1-3 KiB). */
#define TRUST_EE_MAX 16384

/* br_x509_minimal validates the chain, dates and key usage, but matches the
 * expected name only against dNSName SANs (or the CN): an IP literal would
 * never match an iPAddress SAN, and passing no name would skip the check.
 * This class wraps it: for an IP it asks the inner engine for no name and
 * then requires an iPAddress SAN equal to the address in the end-entity
 * certificate, failing with BR_ERR_X509_BAD_SERVER_NAME otherwise. For a
 * host name it forwards everything unchanged. */
struct trust_x509 {
	const br_x509_class *vtable; /* must be first */
	br_x509_minimal_context *inner;
	unsigned char ip[16];
	size_t ip_len;               /* 4 or 16; 0: host name mode */
	uint32_t ncert;              /* certificates seen in this chain */
	size_t ee_len;
	int ee_over;                 /* end-entity larger than TRUST_EE_MAX */
	unsigned char ee[TRUST_EE_MAX];
};

/* Set up tx around an initialised minimal engine; install it with
 * br_ssl_engine_set_x509(eng, &tx->vtable). Host name mode. */
void trust_x509_init(struct trust_x509 *tx, br_x509_minimal_context *inner);

/* Before a handshake: expect the IPv4 (len 4) or IPv6 (len 16) address ip
 * in the server's certificate; len 0 returns to host name mode. */
void trust_x509_expect_ip(struct trust_x509 *tx, const unsigned char *ip,
                          size_t len);

/* 1 when the DER certificate has an iPAddress SAN equal to ip (len 4 or
 * 16), 0 when not or when the certificate is malformed. */
int trust_cert_has_ip(const unsigned char *der, size_t der_len,
                      const unsigned char *ip, size_t len);

/* A one-line reason, for a user, for BearSSL error err (an X.509 or SSL
 * code from br_ssl_engine_last_error) on a connection to host:port. */
void trust_explain(int err, const char *host, unsigned port, char *buf,
                   size_t cap);

#endif
