/* JSON Web Signature in flattened JSON serialization, as ACME sends it. */
#ifndef ACMELET_JWS_H
#define ACMELET_JWS_H

#include <stddef.h>

struct key;

/* Sign one ACME request. The protected header carries alg, nonce, url and
 * either kid (account URL, when kid is not NULL) or the public jwk. payload
 * NULL means POST-as-GET (empty payload, RFC 8555 §6.3). nonce NULL leaves
 * it out (the inner JWS of a keyChange, §7.3.5). Writes the JSON
 * body into out (NUL-terminated). Returns 0 or AL_E2BIG. */
int jws_build(const struct key *k, const char *kid, const char *nonce,
              const char *url, const char *payload, size_t payload_len,
              char *out, size_t cap, size_t *len);

/* An external account binding (RFC 8555 §7.3.4): a JWS over the account's
 * public JWK, MACed with HS256 under the key the CA issued with kid. */
struct jws_eab {
	char protected_hdr[1400];
	char payload[1536];     /* an RSA-4096 JWK fits */
	char signature[48];
};

/* Build the binding of account key acct for the newAccount URL url.
 * Returns 0 or AL_E2BIG (kid or url too long). */
int jws_eab(const struct key *acct, const char *kid, const void *mac_key,
            size_t mac_len, const char *url, struct jws_eab *out);

#endif
