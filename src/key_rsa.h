/* Internal: the RSA half of the key operations in crypto.c, chosen by
 * Kconfig (KEY_RSA: src/key_rsa.c, else src/key_rsa_none.c, where every
 * function returns AL_EINVAL or 0). crypto.c dispatches here by key type;
 * csr.c takes the public key from here for the SubjectPublicKeyInfo.
 *
 * The key lives in struct key: p, q, dp, dq, iq packed in that order in
 * k->rsa_sk, n then e in k->rsa_pk; k->rsa and k->rsapub keep the lengths
 * only, and the views below point into k itself, so a copied key works. */
#ifndef ACMELET_KEY_RSA_H
#define ACMELET_KEY_RSA_H

#include <stddef.h>
#include <bearssl.h>

#include "crypto.h"

/* 1 when this build has RSA keys, else 0. */
int rsa_built(void);

/* Generate a fresh RSA key of type t (KEY_RSA2048..KEY_RSA4096) with the
 * public exponent 65537. AL_EINVAL for another type or without RSA. */
int rsa_generate(struct key *k, enum key_type t, struct rng *r);

/* Take the RSA private key sk (from br_skey_decoder) into k, deriving n
 * and e. AL_EPROTO for a size other than 2048, 3072 or 4096 bits. */
int rsa_from_skey(struct key *k, const br_rsa_private_key *sk);

/* The private key of k as PKCS#8 DER into der (cap bytes). */
int rsa_to_der(const struct key *k, unsigned char *der, size_t cap,
               size_t *len);

/* A view of the public key of k, pointing into k. */
int rsa_pub(const struct key *k, br_rsa_public_key *pk);

/* JWK members "e", "kty", "n" (RFC 7638 order) into an open object. */
void rsa_jwk_members(const struct key *k, struct jw *w);

/* RFC 7638 thumbprint of the RSA key k (43 characters and NUL). */
int rsa_thumbprint(const struct key *k, char out[44]);

/* RS256: RSASSA-PKCS1-v1_5 with SHA-256 over data; *siglen gets the
 * modulus length. AL_E2BIG when cap is smaller. */
int rsa_sign(const struct key *k, const void *data, size_t n,
             unsigned char *sig, size_t cap, size_t *siglen);

/* 1 when pub (an RSA key from a certificate) is the public half of k. */
int rsa_matches_pub(const struct key *k, const br_rsa_public_key *pub);

#endif
