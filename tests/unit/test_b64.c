/* base64url: RFC 4648 §10 vectors (padding dropped, §5 alphabet), and
 * random data against openssl's base64 with the URL alphabet applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "err.h"
#include "tap.h"

/* Encode and check against want, then decode back. */
static void vector(const char *in, const char *want)
{
	char out[64], back[64];
	size_t n = 0, m = 0;
	int rc;

	rc = b64url_encode(in, strlen(in), out, sizeof(out), &n);
	ok(rc == AL_OK && n == strlen(want), "encode \"%s\" rc/len", in);
	is_str(out, want, "encode \"%s\"", in);
	rc = b64url_decode(want, strlen(want), back, sizeof(back), &m);
	ok(rc == AL_OK && m == strlen(in) && memcmp(back, in, m) == 0,
	   "decode \"%s\"", want);
}

/* Base64url of buf per openssl: standard base64, then +/ -> -_ and no =. */
static int openssl_b64url(const unsigned char *buf, size_t n, char *out,
                          size_t cap)
{
	char path[] = "/tmp/test_b64_XXXXXX", cmd[128];
	FILE *f, *p;
	size_t i, len;
	int fd = mkstemp(path);

	if (fd < 0 || !(f = fdopen(fd, "wb")))
		return -1;
	fwrite(buf, 1, n, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "openssl base64 -A -in %s", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	len = fread(out, 1, cap - 1, p);
	pclose(p);
	remove(path);
	out[len] = '\0';
	for (i = 0; i < len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
		else if (out[i] == '=' || out[i] == '\n')
			out[i] = '\0';
	}
	return 0;
}

static void random_vs_openssl(void)
{
	unsigned char buf[300], back[300];
	char mine[512], theirs[512];
	unsigned seed = 12345;
	size_t lens[] = { 1, 2, 3, 4, 5, 31, 32, 33, 64, 65, 299 };
	size_t i, j, n = 0, m = 0;
	int bad = 0;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < lens[i]; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = (unsigned char)(seed >> 16);
		}
		if (b64url_encode(buf, lens[i], mine, sizeof(mine), &n) != AL_OK ||
		    openssl_b64url(buf, lens[i], theirs, sizeof(theirs)) != 0 ||
		    strcmp(mine, theirs) != 0 || n != B64URL_LEN(lens[i]))
			bad++;
		if (b64url_decode(mine, n, back, sizeof(back), &m) != AL_OK ||
		    m != lens[i] || memcmp(back, buf, m) != 0)
			bad++;
	}
	is_int(bad, 0, "random data matches openssl and round-trips");
}

static void errors(void)
{
	unsigned char b[16];
	char out[16];
	size_t n = 99;

	is_int(b64url_encode("foo", 3, out, 4, &n), AL_E2BIG,
	       "encode: no room for NUL");
	is_int(b64url_encode("foo", 3, out, 5, &n), AL_OK, "encode: exact fit");
	is_int(b64url_decode("Zm9v", 4, b, 2, &n), AL_E2BIG, "decode: too small");
	is_int(b64url_decode("Zm9v", 4, b, 3, &n), AL_OK, "decode: exact fit");
	is_int(b64url_decode("Zm9vY", 5, b, sizeof(b), &n), AL_EPROTO,
	       "decode: impossible length");
	is_int(b64url_decode("Zg==", 4, b, sizeof(b), &n), AL_EPROTO,
	       "decode: padding refused");
	is_int(b64url_decode("+/8", 3, b, sizeof(b), &n), AL_EPROTO,
	       "decode: standard alphabet refused");
	is_int(b64url_decode("Zm 9", 4, b, sizeof(b), &n), AL_EPROTO,
	       "decode: whitespace refused");
	is_int(b64url_decode("Zh", 2, b, sizeof(b), &n), AL_EPROTO,
	       "decode: non-zero leftover bits refused");
	is_int(b64url_decode("", 0, b, 0, &n), AL_OK, "decode: empty");
	is_int(n, 0, "decode: empty length");
}

int main(void)
{
	unsigned char url[3] = { 0xfb, 0xff, 0xbf };
	char out[16];

	vector("", "");
	vector("f", "Zg");
	vector("fo", "Zm8");
	vector("foo", "Zm9v");
	vector("foob", "Zm9vYg");
	vector("fooba", "Zm9vYmE");
	vector("foobar", "Zm9vYmFy");
	/* Standard base64 of these bytes is "+/+/": the URL alphabet differs. */
	b64url_encode(url, 3, out, sizeof(out), NULL);
	is_str(out, "-_-_", "URL-safe alphabet");
	is_int(B64URL_LEN(32), 43, "B64URL_LEN(32)");
	errors();
	random_vs_openssl();
	return tap_done();
}
