/* JWS: the body parses as flattened JSON (jsmn), the protected header says
 * what it should, and openssl verifies the signature over
 * "protected.payload" with the key it made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#include <jsmn.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "jws.h"
#include "tap.h"
#include "testlib.h"

/* Value of string member key of the object at toks[obj], unescaped for
 * the \" and \\ this test uses; NULL when missing or not a string. */
static const char *member(const char *js, jsmntok_t *toks, int ntok, int obj,
                          const char *key, char *out, size_t cap)
{
	int i, depth_end = toks[obj].end;

	for (i = obj + 1; i + 1 < ntok && toks[i].start < depth_end; i++) {
		jsmntok_t *k = &toks[i], *v = &toks[i + 1];
		size_t o = 0;
		int j;

		if (k->type != JSMN_STRING || toks[i].start <= toks[obj].start)
			continue;
		if ((size_t)(k->end - k->start) != strlen(key) ||
		    strncmp(js + k->start, key, strlen(key)) != 0 ||
		    v->type != JSMN_STRING)
			continue;
		for (j = v->start; j < v->end && o + 1 < cap; j++) {
			if (js[j] == '\\')
				j++;
			out[o++] = js[j];
		}
		out[o] = '\0';
		return out;
	}
	return NULL;
}

struct parts {
	char prot[4096], payload[65536], sig[256];
	char hdr[4096];
	jsmntok_t htok[32];
	int nh;
};

/* Split a JWS body and decode its header; 0 when it is well-formed. */
static int split(const char *body, size_t len, struct parts *p)
{
	jsmntok_t t[16];
	jsmn_parser jp;
	size_t hl = 0;
	int n;

	jsmn_init(&jp);
	n = jsmn_parse(&jp, body, len, t, 16);
	if (n != 7 || t[0].type != JSMN_OBJECT || t[0].size != 3 ||
	    !member(body, t, n, 0, "protected", p->prot, sizeof(p->prot)) ||
	    !member(body, t, n, 0, "payload", p->payload, sizeof(p->payload)) ||
	    !member(body, t, n, 0, "signature", p->sig, sizeof(p->sig)))
		return -1;
	if (b64url_decode(p->prot, strlen(p->prot), p->hdr, sizeof(p->hdr) - 1,
	                  &hl) != AL_OK)
		return -1;
	p->hdr[hl] = '\0';
	jsmn_init(&jp);
	p->nh = jsmn_parse(&jp, p->hdr, hl, p->htok, 32);
	return p->nh > 0 && p->htok[0].type == JSMN_OBJECT ? 0 : -1;
}

/* openssl verifies sig over "protected.payload" with pub.pem. */
static int verify(struct parts *p, const char *md)
{
	unsigned char raw[128], der[140];
	char input[sizeof(p->prot) + sizeof(p->payload) + 2];
	size_t rl = 0;

	if (b64url_decode(p->sig, strlen(p->sig), raw, sizeof(raw), &rl) != AL_OK)
		return -1;
	snprintf(input, sizeof(input), "%s.%s", p->prot, p->payload);
	spit("input", input, strlen(input));
	spit("sig.der", der, raw_to_der(raw, rl, der));
	return sh("openssl dgst -%s -verify pub.pem -signature sig.der input", md);
}

/* Public x and y of pub.der in base64url, computed with openssl. */
static void ossl_xy(size_t cs, char *x, char *y)
{
	unsigned char spki[256];
	long n = slurp("pub.der", spki, sizeof(spki));

	spit("x.bin", spki + n - 2 * (long)cs, cs);
	spit("y.bin", spki + n - (long)cs, cs);
	sh("openssl base64 -A -in x.bin | tr '+/' '-_' | tr -d '=' > x.b64");
	sh("openssl base64 -A -in y.bin | tr '+/' '-_' | tr -d '=' > y.b64");
	slurp("x.b64", x, 80);
	slurp("y.b64", y, 80);
}

static char body[70000];

/* One request: build, parse, check header members, verify. */
static void one(const struct key *k, const char *kid, const char *payload,
                const char *md, const char *what)
{
	static struct parts p;
	char v[512], x[80], y[80], dec[65536];
	size_t len = 0, dl = 0;
	int jwk, rc;

	rc = jws_build(k, kid, "nonce-123_x", "https://ca.test/acme/new-order",
	               payload, payload ? strlen(payload) : 0, body,
	               sizeof(body), &len);
	is_int(rc, AL_OK, "%s: jws_build", what);
	ok(len == strlen(body) && split(body, len, &p) == 0,
	   "%s: flattened JSON with protected/payload/signature", what);
	is_str(member(p.hdr, p.htok, p.nh, 0, "alg", v, sizeof(v)),
	       key_jws_alg(k), "%s: alg", what);
	is_str(member(p.hdr, p.htok, p.nh, 0, "nonce", v, sizeof(v)),
	       "nonce-123_x", "%s: nonce", what);
	is_str(member(p.hdr, p.htok, p.nh, 0, "url", v, sizeof(v)),
	       "https://ca.test/acme/new-order", "%s: url", what);
	jwk = member(p.hdr, p.htok, p.nh, 0, "crv", v, sizeof(v)) != NULL;
	if (kid) {
		is_str(member(p.hdr, p.htok, p.nh, 0, "kid", v, sizeof(v)), kid,
		       "%s: kid", what);
		ok(!jwk && !strstr(p.hdr, "\"jwk\""), "%s: no jwk with kid", what);
	} else {
		ossl_xy(k->type == KEY_EC384 ? 48 : 32, x, y);
		ok(strstr(p.hdr, "\"jwk\":{") && !strstr(p.hdr, "\"kid\""),
		   "%s: jwk and no kid", what);
		is_str(member(p.hdr, p.htok, p.nh, 0, "x", v, sizeof(v)), x,
		       "%s: jwk x equals openssl's", what);
		is_str(member(p.hdr, p.htok, p.nh, 0, "y", v, sizeof(v)), y,
		       "%s: jwk y equals openssl's", what);
		is_str(member(p.hdr, p.htok, p.nh, 0, "kty", v, sizeof(v)), "EC",
		       "%s: jwk kty", what);
	}
	rc = b64url_decode(p.payload, strlen(p.payload), dec, sizeof(dec) - 1,
	                   &dl);
	dec[rc == AL_OK ? dl : 0] = '\0';
	is_str(dec, payload ? payload : "", "%s: payload", what);
	is_int(verify(&p, md), 0, "%s: openssl verifies the signature", what);
	p.prot[3] ^= 1;
	ok(verify(&p, md) != 0, "%s: and rejects a changed header", what);
}

/* Every too-small buffer is refused without writing past it. */
static void caps(const struct key *k)
{
	char ref[2048], *buf;
	size_t len = 0, l2, cap;
	int bad = 0;

	jws_build(k, "https://ca.test/acct/1", "n", "https://ca.test/x", "{}", 2,
	          ref, sizeof(ref), &len);
	for (cap = 0; cap <= len + 1; cap++) {
		buf = malloc(cap ? cap : 1);
		if (jws_build(k, "https://ca.test/acct/1", "n", "https://ca.test/x",
		              "{}", 2, buf, cap, &l2) != (cap <= len ? AL_E2BIG : AL_OK))
			bad++;
		if (cap > len && (l2 != len || memcmp(buf, ref, len + 1) != 0))
			bad++;
		free(buf);
	}
	is_int(bad, 0, "AL_E2BIG for every cap up to the length, exact fit ok");
}

int main(void)
{
	static char big[40001];
	struct key k, k384;
	char pem[8192];
	long n;

	if (test_dir_make("test_jws") != 0)
		return 1;
	sh("openssl ecparam -genkey -name prime256v1 -noout -out k.pem");
	sh("openssl ec -in k.pem -pubout -out pub.pem");
	sh("openssl ec -in k.pem -pubout -outform DER -out pub.der");
	n = slurp("k.pem", pem, sizeof(pem));
	ok(n > 0 && key_from_pem(&k, pem, (size_t)n) == AL_OK, "openssl key loads");
	one(&k, "https://ca.test/acme/acct/17", "{\"identifiers\":[]}", "sha256",
	    "kid");
	one(&k, NULL, "{\"termsOfServiceAgreed\":true}", "sha256", "jwk");
	one(&k, "https://ca.test/acme/acct/17", NULL, "sha256", "POST-as-GET");
	one(&k, NULL, NULL, "sha256", "POST-as-GET with jwk");
	one(&k, "https://ca.test/a\"b\\c", "{}", "sha256", "kid needing escapes");
	memset(big, 'a', sizeof(big) - 1);
	one(&k, "https://ca.test/acme/acct/17", big, "sha256", "40 KB payload");
	caps(&k);

	sh("openssl ecparam -genkey -name secp384r1 -noout -out k384.pem");
	sh("openssl ec -in k384.pem -pubout -out pub.pem");
	sh("openssl ec -in k384.pem -pubout -outform DER -out pub.der");
	n = slurp("k384.pem", pem, sizeof(pem));
	ok(n > 0 && key_from_pem(&k384, pem, (size_t)n) == AL_OK,
	   "openssl P-384 key loads");
	one(&k384, NULL, "{}", "sha384", "ES384 jwk");
	one(&k384, "https://ca.test/acme/acct/18", NULL, "sha384", "ES384 kid");
	/* a keyChange's inner JWS (RFC 8555 §7.3.5) has no nonce */
	is_int(jws_build(&k, NULL, NULL, "u", "{}", 2, body, sizeof(body), NULL),
	       AL_OK, "no nonce: built (keyChange inner JWS)");
	{
		static struct parts q;

		ok(split(body, strlen(body), &q) == 0 && !strstr(q.hdr, "nonce") &&
		   strstr(q.hdr, "\"jwk\"") && strstr(q.hdr, "\"url\":\"u\""),
		   "no nonce: the header has jwk and url, and no nonce member");
	}
	is_int(jws_build(&k, NULL, "n", NULL, NULL, 0, body, sizeof(body), NULL),
	       AL_EINVAL, "url is required");
	test_dir_remove();
	return tap_done();
}
