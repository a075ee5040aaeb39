/* base64url without padding (RFC 4648 §5), as JOSE and ACME use it. */
#ifndef ACMELET_B64_H
#define ACMELET_B64_H

#include <stddef.h>

/* Length of the encoding of n bytes, without NUL. */
#define B64URL_LEN(n) (((n) * 4 + 2) / 3)

/* Encode in[0..n) into out (NUL-terminated). Returns 0, or AL_E2BIG when
 * out (cap bytes) is too small; *olen gets the length without NUL. */
int b64url_encode(const void *in, size_t n, char *out, size_t cap,
                  size_t *olen);

/* Decode a base64url string (no padding, no whitespace). AL_EPROTO on a bad
 * character or impossible length, AL_E2BIG when out is too small. */
int b64url_decode(const char *in, size_t n, void *out, size_t cap,
                  size_t *olen);

#endif
