/* JSON Web Signature in flattened JSON serialization, as ACME sends it. */
#ifndef ACMELET_JWS_H
#define ACMELET_JWS_H

#include <stddef.h>

struct key;

/* Sign one ACME request. The protected header carries alg, nonce, url and
 * either kid (account URL, when kid is not NULL) or the public jwk. payload
 * NULL means POST-as-GET (empty payload, RFC 8555 §6.3). Writes the JSON
 * body into out (NUL-terminated). Returns 0 or AL_E2BIG. */
int jws_build(const struct key *k, const char *kid, const char *nonce,
              const char *url, const char *payload, size_t payload_len,
              char *out, size_t cap, size_t *len);

#endif
