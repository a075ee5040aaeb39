/* base64url without padding (RFC 4648 §5). */
#include <stdint.h>

#include "b64.h"
#include "err.h"

static const char b64url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encode in[0..n) into out (NUL-terminated). */
int b64url_encode(const void *in, size_t n, char *out, size_t cap,
                  size_t *olen)
{
	const unsigned char *p = in;
	size_t need, i, o = 0;

	/* B64URL_LEN would overflow long before any real input gets here. */
	if (n > (SIZE_MAX - 3) / 4)
		return AL_E2BIG;
	need = B64URL_LEN(n);
	if (!out || cap < need + 1)
		return AL_E2BIG;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64url_alpha[v >> 18];
		out[o++] = b64url_alpha[(v >> 12) & 63];
		out[o++] = b64url_alpha[(v >> 6) & 63];
		out[o++] = b64url_alpha[v & 63];
	}
	if (n - i == 1) {
		out[o++] = b64url_alpha[p[i] >> 2];
		out[o++] = b64url_alpha[(p[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];
		out[o++] = b64url_alpha[v >> 10];
		out[o++] = b64url_alpha[(v >> 4) & 63];
		out[o++] = b64url_alpha[(v & 15) << 2];
	}
	out[o] = '\0';
	if (olen)
		*olen = o;
	return AL_OK;
}

/* Value of one base64url character, or -1. */
static int b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Decode a base64url string. Non-zero leftover bits are refused so that
 * every byte string has exactly one accepted encoding. */
int b64url_decode(const char *in, size_t n, void *out, size_t cap,
                  size_t *olen)
{
	unsigned char *q = out;
	uint32_t acc = 0;
	size_t i, o = 0, need;
	int bits = 0;

	if (n % 4 == 1)
		return AL_EPROTO;
	need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
	for (i = 0; i < n; i++)
		if (b64url_val((unsigned char)in[i]) < 0)
			return AL_EPROTO;
	if (need > cap || (need && !out))
		return AL_E2BIG;
	for (i = 0; i < n; i++) {
		acc = (acc << 6 | (uint32_t)b64url_val((unsigned char)in[i]))
		      & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			q[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1))
		return AL_EPROTO;
	if (olen)
		*olen = o;
	return AL_OK;
}
