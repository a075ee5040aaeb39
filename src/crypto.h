/* Keys, signatures, thumbprints and random numbers, with BearSSL only.
 * No allocation: every structure is owned by the caller. */
#ifndef ACMELET_CRYPTO_H
#define ACMELET_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <bearssl.h>

struct port;
struct jw;

enum key_type {
	KEY_EC256 = 0, /* ECDSA P-256, the default (D7) */
	KEY_EC384,
	KEY_RSA2048,
	KEY_RSA3072,
	KEY_RSA4096,
};

/* Parse "ec-256", "ec-384", "rsa-2048", ... Returns 0 or AL_EINVAL. */
int key_type_parse(const char *s, enum key_type *out);
const char *key_type_name(enum key_type t);

/* 1 when this build can make and use keys of type t (RSA is optional:
 * Kconfig KEY_RSA). */
int key_type_built(enum key_type t);

/* A private key with its public half, in buffers it owns. RSA keys keep
 * p, q, dp, dq, iq in rsa_sk and n, e in rsa_pk; rsa and rsapub hold their
 * lengths (src/key_rsa.h). */
struct key {
	enum key_type type;
	br_ec_private_key ec;
	br_ec_public_key ecpub;
	unsigned char ec_x[BR_EC_KBUF_PRIV_MAX_SIZE];
	unsigned char ec_q[BR_EC_KBUF_PUB_MAX_SIZE];
	br_rsa_private_key rsa;
	br_rsa_public_key rsapub;
	unsigned char rsa_sk[BR_RSA_KBUF_PRIV_SIZE(4096)];
	unsigned char rsa_pk[BR_RSA_KBUF_PUB_SIZE(4096)];
};

/* A DRBG seeded from the port's entropy source. */
struct rng {
	br_hmac_drbg_context drbg;
};

/* Seed rng from the port. AL_EUNSEEDED when the OS pool is not seeded yet:
 * no key is ever made from a weak source (E3). */
int rng_init(struct rng *r, struct port *p);

/* Generate a fresh key of the given type. AL_EINVAL for a type this build
 * does not support. */
int key_generate(struct key *k, enum key_type t, struct rng *r);

/* Write the private key as PEM (PKCS#8 "PRIVATE KEY") into out
 * (NUL-terminated); *len gets the length without NUL. */
int key_to_pem(const struct key *k, char *out, size_t cap, size_t *len);

/* Read a private key from PEM: PKCS#8 ("PRIVATE KEY"), SEC1 ("EC PRIVATE
 * KEY") or, with RSA built, PKCS#1 ("RSA PRIVATE KEY"). The public half is
 * derived. AL_EPROTO for anything else. */
int key_from_pem(struct key *k, const char *pem, size_t len);

/* Write the members of the public JWK of k into an open JSON object, in
 * the lexicographic order RFC 7638 requires ("crv","kty","x","y"; for RSA
 * "e","kty","n"). */
void key_jwk_members(const struct key *k, struct jw *w);

/* RFC 7638 thumbprint: base64url(SHA-256(canonical JWK)), 43 characters
 * plus NUL in out. */
int key_thumbprint(const struct key *k, char out[44]);

/* The JWS "alg" for k ("ES256", "ES384", "RS256"). */
const char *key_jws_alg(const struct key *k);

/* Sign data with the JWS algorithm of k. For ECDSA the signature is raw
 * r||s (exactly what JWS wants); for RSA it is as long as the modulus.
 * *siglen gets the length. */
int key_sign(const struct key *k, const void *data, size_t n,
             unsigned char *sig, size_t cap, size_t *siglen);

/* Compare the public key of k with a public key from a certificate: 1 when
 * they are the same key. */
int key_matches_pub(const struct key *k, const br_x509_pkey *pub);

/* 1 when the DER certificate der carries the public key of k. */
int key_matches_cert(const struct key *k, const unsigned char *der,
                     size_t len);

/* SHA-256 of data into out[32]. */
void sha256(const void *data, size_t n, unsigned char out[32]);

#endif
