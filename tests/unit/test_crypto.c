/* Keys, signatures, JWK and thumbprints, checked against openssl's command
 * line: openssl makes and reads the keys, computes the thumbprint from the
 * public point it prints, and verifies our signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "err.h"
#include "json.h"
#include "port.h"
#include "tap.h"
#include "testlib.h"

/* base64url of file name, computed by openssl and tr only. */
static void ossl_b64url(const char *name, char *out, size_t cap)
{
	sh("openssl base64 -A -in %s | tr '+/' '-_' | tr -d '=\\n' > %s.b64",
	   name, name);
	{
		char b[64];

		snprintf(b, sizeof(b), "%s.b64", name);
		if (slurp(b, out, cap) < 0)
			out[0] = '\0';
	}
}

/* The canonical JWK of the public key in file pub.der (SubjectPublicKeyInfo
 * by openssl), built here with fixed string code. */
static int ossl_jwk(const char *crv, size_t cs, char *js, size_t cap)
{
	unsigned char spki[256];
	char x[80], y[80];
	long n = slurp("pub.der", spki, sizeof(spki));

	if (n < (long)(2 * cs + 1))
		return -1;
	spit("x.bin", spki + n - 2 * cs, cs);
	spit("y.bin", spki + n - cs, cs);
	ossl_b64url("x.bin", x, sizeof(x));
	ossl_b64url("y.bin", y, sizeof(y));
	snprintf(js, cap, "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
	         crv, x, y);
	return 0;
}

/* Load test_dir/name with key_from_pem. */
static int load_key(struct key *k, const char *name)
{
	char pem[8192];
	long n = slurp(name, pem, sizeof(pem));

	return n < 0 ? AL_ENOENT : key_from_pem(k, pem, (size_t)n);
}

/* JWK members and thumbprint of an openssl-made key against openssl. */
static void thumbprint_vs_openssl(const char *curve, const char *crv,
                                  size_t cs, enum key_type want)
{
	struct key k;
	struct jw w;
	char js[512], tp[44], ref[80], mine[512];
	size_t n = 0;

	ok(sh("openssl ecparam -genkey -name %s -noout -out tk.pem", curve) == 0,
	   "%s: openssl makes a SEC1 key", crv);
	is_int(load_key(&k, "tk.pem"), AL_OK, "%s: key_from_pem (SEC1)", crv);
	is_int(k.type, want, "%s: key type", crv);
	sh("openssl ec -in tk.pem -pubout -outform DER -out pub.der");
	ok(ossl_jwk(crv, cs, js, sizeof(js)) == 0, "%s: openssl public point", crv);
	spit("jwk.json", js, strlen(js));
	sh("openssl dgst -sha256 -binary -out h.bin jwk.json");
	ossl_b64url("h.bin", ref, sizeof(ref));
	is_int(key_thumbprint(&k, tp), AL_OK, "%s: thumbprint rc", crv);
	is_str(tp, ref, "%s: thumbprint equals openssl's", crv);
	jw_init(&w, mine, sizeof(mine));
	jw_obj_begin(&w);
	key_jwk_members(&k, &w);
	jw_obj_end(&w);
	ok(jw_finish(&w, &n) == AL_OK, "%s: JWK written", crv);
	is_str(mine, js, "%s: JWK members in RFC 7638 order", crv);
}

/* key_sign verified by openssl, for a key we generated. */
static void sign_vs_openssl(struct rng *r, enum key_type t, const char *md)
{
	const char *name = key_type_name(t);
	unsigned char sig[128], sig2[128], der[128];
	char pem[1024], data[] = "eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ";
	size_t n = 0, n2 = 0, plen = 0, dl;
	struct key k, k2;

	is_int(key_generate(&k, t, r), AL_OK, "%s: key_generate", name);
	is_int(key_to_pem(&k, pem, sizeof(pem), &plen), AL_OK,
	       "%s: key_to_pem", name);
	ok(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0 &&
	   plen == strlen(pem), "%s: PKCS#8 PEM", name);
	spit("gen.pem", pem, plen);
	is_int(sh("openssl pkey -in gen.pem -check -noout"), 0,
	       "%s: openssl accepts our private key", name);
	is_int(key_from_pem(&k2, pem, plen), AL_OK, "%s: reload our PEM", name);
	ok(memcmp(k2.ec_x, k.ec_x, sizeof(k.ec_x)) == 0 &&
	   memcmp(k2.ec_q, k.ec_q, sizeof(k.ec_q)) == 0, "%s: same key", name);
	sh("openssl pkey -in gen.pem -pubout -outform DER -out pub.der");
	{
		unsigned char spki[256];
		long sl = slurp("pub.der", spki, sizeof(spki));
		size_t ql = k.ecpub.qlen;

		ok(sl > (long)ql && memcmp(spki + sl - (long)ql, k.ec_q, ql) == 0,
		   "%s: public point equals openssl's", name);
	}
	is_int(key_sign(&k, data, strlen(data), sig, sizeof(sig), &n), AL_OK,
	       "%s: key_sign", name);
	is_int(n, t == KEY_EC384 ? 96 : 64, "%s: raw r||s length", name);
	key_sign(&k, data, strlen(data), sig2, sizeof(sig2), &n2);
	ok(n == n2 && memcmp(sig, sig2, n) == 0, "%s: deterministic (RFC 6979)",
	   name);
	dl = raw_to_der(sig, n, der);
	spit("sig.der", der, dl);
	spit("data", data, strlen(data));
	sh("openssl pkey -in gen.pem -pubout -out pub.pem");
	is_int(sh("openssl dgst -%s -verify pub.pem -signature sig.der data", md),
	       0, "%s: openssl verifies the signature", name);
	data[0] ^= 1;
	spit("data", data, strlen(data));
	ok(sh("openssl dgst -%s -verify pub.pem -signature sig.der data", md) != 0,
	   "%s: openssl rejects it over other data", name);
	is_int(key_sign(&k, data, 1, sig, n - 1, &n2), AL_E2BIG,
	       "%s: signature buffer too small", name);
}

/* key_matches_pub against the key BearSSL decodes from an openssl cert. */
static void matches_pub(struct rng *r)
{
	unsigned char der[2048];
	br_x509_decoder_context dc;
	br_x509_pkey *pk;
	struct key k, other;
	long n;

	sh("openssl ecparam -genkey -name prime256v1 -noout -out mk.pem");
	load_key(&k, "mk.pem");
	sh("openssl req -new -x509 -key mk.pem -subj /CN=m -outform DER -out m.der");
	n = slurp("m.der", der, sizeof(der));
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, n > 0 ? (size_t)n : 0);
	pk = br_x509_decoder_get_pkey(&dc);
	ok(pk != NULL, "BearSSL decodes the openssl certificate");
	if (!pk)
		return;
	is_int(key_matches_pub(&k, pk), 1, "key matches its certificate");
	key_generate(&other, KEY_EC256, r);
	is_int(key_matches_pub(&other, pk), 0, "another key does not");
}

/* Private keys that key_from_pem must refuse. */
static void bad_keys(void)
{
	static const char *const cmds[] = {
		"openssl ecparam -genkey -name secp521r1 -noout -out bad.pem",
		"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out bad.pem",
		"openssl req -new -x509 -key mk.pem -subj /CN=m -out bad.pem",
		"openssl pkcs8 -topk8 -in mk.pem -passout pass:x -out bad.pem",
	};
	static const char *const what[] = { "P-521 key", "RSA key",
	                                    "certificate", "encrypted key" };
	struct key k;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		sh("%s", cmds[i]);
		is_int(load_key(&k, "bad.pem"), AL_EPROTO, "refuse %s", what[i]);
	}
	is_int(key_from_pem(&k, "", 0), AL_EPROTO, "refuse empty text");
	is_int(key_from_pem(&k, "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	                        "-----END PRIVATE KEY-----\n", 60), AL_EPROTO,
	       "refuse garbage DER");
}

/* Keys made by openssl in other encodings. */
static void openssl_keys(void)
{
	unsigned char spki[256];
	struct key k;
	long n;

	sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p8.pem");
	is_int(load_key(&k, "p8.pem"), AL_OK, "PKCS#8 P-384 from openssl");
	sh("openssl pkey -in p8.pem -pubout -outform DER -out pub.der");
	n = slurp("pub.der", spki, sizeof(spki));
	ok(k.type == KEY_EC384 && n > 97 && memcmp(spki + n - 97, k.ec_q, 97) == 0,
	   "PKCS#8 P-384: derived public point equals openssl's");
	sh("openssl ecparam -genkey -name prime256v1 -out ep.pem");
	is_int(load_key(&k, "ep.pem"), AL_OK,
	       "SEC1 key after an EC PARAMETERS block");
}

static void rng_and_types(void)
{
	struct test_port fixed = { { &tp_fixed_ops }, 0x5a };
	struct test_port unseeded = { { &tp_unseeded_ops }, 0 };
	struct rng r1, r2;
	struct key a, b;
	enum key_type t = KEY_EC384;
	static const char *const names[] = { "ec-256", "ec-384", "rsa-2048",
	                                     "rsa-3072", "rsa-4096" };
	int i, bad = 0;

	is_int(rng_init(&r1, &unseeded.base), AL_EUNSEEDED,
	       "rng_init passes AL_EUNSEEDED on");
	rng_init(&r1, &fixed.base);
	rng_init(&r2, &fixed.base);
	key_generate(&a, KEY_EC256, &r1);
	key_generate(&b, KEY_EC256, &r2);
	ok(memcmp(a.ec_x, b.ec_x, 32) == 0, "same entropy, same key");
	fixed.fill = 0xa5;
	rng_init(&r2, &fixed.base);
	key_generate(&b, KEY_EC256, &r2);
	ok(memcmp(a.ec_x, b.ec_x, 32) != 0, "other entropy, other key");
	for (i = 0; i < 5; i++)
		if (key_type_parse(names[i], &t) != AL_OK || (int)t != i ||
		    strcmp(key_type_name(t), names[i]) != 0)
			bad++;
	is_int(bad, 0, "key type names parse and print");
	is_int(key_type_parse("ec-521", &t), AL_EINVAL, "unknown key type");
	is_int(key_generate(&a, KEY_RSA2048 + 1 + (KEY_RSA4096 - KEY_RSA2048),
	                    &r1), AL_EINVAL, "key_generate: unknown type");
	ok(key_type_built(KEY_EC256) && key_type_built(KEY_EC384),
	   "EC types are always built");
	key_generate(&a, KEY_EC256, &r1);
	is_str(key_jws_alg(&a), "ES256", "alg ES256");
	key_generate(&a, KEY_EC384, &r1);
	is_str(key_jws_alg(&a), "ES384", "alg ES384");
	{
		char pem[64];
		size_t n;

		is_int(key_to_pem(&a, pem, sizeof(pem), &n), AL_E2BIG,
		       "key_to_pem: buffer too small");
	}
}

/* TAP lines for RSA tests a build without KEY_RSA cannot run. */
static void skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # skip %s\n", ++tap_n, why);
}

/* n (from "openssl rsa -modulus") and e (from its text) of file pem, as
 * the canonical RFC 7638 JWK. */
static int ossl_rsa_jwk(const char *pem, char *js, size_t cap)
{
	char hex[1100], e64[16], n64[700], *h;
	unsigned char bin[520], eb[4];
	size_t nb = 0, i = 0;
	unsigned long e = 0;

	sh("openssl rsa -in %s -noout -modulus > mod.txt", pem);
	sh("openssl rsa -in %s -noout -text | sed -n 's/^publicExponent: "
	   "\\([0-9]*\\).*/\\1/p' > e.txt", pem);
	if (slurp("mod.txt", hex, sizeof(hex)) < 0 ||
	    slurp("e.txt", e64, sizeof(e64)) < 0 ||
	    strncmp(hex, "Modulus=", 8) != 0)
		return -1;
	e = strtoul(e64, NULL, 10);
	for (h = hex + 8; h[0] && h[1] && h[0] != '\n' && nb < sizeof(bin);
	     h += 2) {
		unsigned v;

		if (sscanf(h, "%2x", &v) != 1)
			return -1;
		bin[nb++] = (unsigned char)v;
	}
	eb[0] = (unsigned char)(e >> 24);
	eb[1] = (unsigned char)(e >> 16);
	eb[2] = (unsigned char)(e >> 8);
	eb[3] = (unsigned char)e;
	while (i < 3 && eb[i] == 0)
		i++;
	spit("n.bin", bin, nb);
	spit("e.bin", eb + i, 4 - i);
	ossl_b64url("n.bin", n64, sizeof(n64));
	ossl_b64url("e.bin", e64, sizeof(e64));
	snprintf(js, cap, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
	         e64, n64);
	return e ? 0 : -1;
}

/* An RSA key in a certificate that openssl makes from file pem: 1 when
 * key_matches_pub says it is k's. */
static int rsa_cert_matches(const struct key *k, const char *pem)
{
	unsigned char der[4096];
	br_x509_decoder_context dc;
	br_x509_pkey *pk;
	long n;

	sh("openssl req -new -x509 -key %s -subj /CN=r -outform DER -out r.der",
	   pem);
	n = slurp("r.der", der, sizeof(der));
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, n > 0 ? (size_t)n : 0);
	pk = br_x509_decoder_get_pkey(&dc);
	return pk ? key_matches_pub(k, pk) : -1;
}

/* RSA-2048 generated here: PEM, RS256 and thumbprint against openssl. */
static void rsa_generated(struct rng *r, const struct key *k)
{
	static struct key k2, k3;
	unsigned char sig[600], sig2[600];
	char pem[4096], js[800], mine[800], tp[44], ref[80];
	char data[] = "eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ";
	size_t plen = 0, n = 0, n2 = 0;
	struct jw w;

	is_int(key_to_pem(k, pem, sizeof(pem), &plen), AL_OK, "rsa: key_to_pem");
	ok(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0,
	   "rsa: PKCS#8 PEM");
	spit("rsa.pem", pem, plen);
	is_int(sh("openssl pkey -in rsa.pem -check -noout"), 0,
	       "rsa: openssl pkey -check accepts our key");
	is_int(sh("openssl pkey -in rsa.pem -noout -text | "
	          "grep -q 'Private-Key: (2048 bit'"), 0,
	       "rsa: openssl sees a 2048-bit key");
	is_int(key_from_pem(&k2, pem, plen), AL_OK, "rsa: reload our PEM");
	ok(k2.type == KEY_RSA2048 &&
	   memcmp(k2.rsa_pk, k->rsa_pk, sizeof(k->rsa_pk)) == 0 &&
	   memcmp(k2.rsa_sk, k->rsa_sk, sizeof(k->rsa_sk)) == 0,
	   "rsa: same key after the round trip");
	is_str(key_jws_alg(k), "RS256", "rsa: alg RS256");
	is_int(key_sign(k, data, strlen(data), sig, sizeof(sig), &n), AL_OK,
	       "rsa: key_sign");
	is_int(n, 256, "rsa: signature as long as the modulus");
	spit("sig.bin", sig, n);
	spit("data", data, strlen(data));
	sh("openssl pkey -in rsa.pem -pubout -out rpub.pem");
	is_int(sh("openssl dgst -sha256 -verify rpub.pem -signature sig.bin data"),
	       0, "rsa: openssl verifies the RS256 signature");
	data[0] ^= 1;
	spit("data", data, strlen(data));
	ok(sh("openssl dgst -sha256 -verify rpub.pem -signature sig.bin data") != 0,
	   "rsa: openssl rejects it over other data");
	k3 = *k; /* views are rebuilt from lengths: a copy signs the same */
	key_sign(&k3, data, 5, sig, sizeof(sig), &n);
	key_sign(k, data, 5, sig2, sizeof(sig2), &n2);
	ok(n == n2 && memcmp(sig, sig2, n) == 0, "rsa: a copied key signs alike");
	is_int(key_sign(k, data, 5, sig, 255, &n), AL_E2BIG,
	       "rsa: signature buffer too small");
	ok(ossl_rsa_jwk("rsa.pem", js, sizeof(js)) == 0, "rsa: openssl n and e");
	spit("jwk.json", js, strlen(js));
	sh("openssl dgst -sha256 -binary -out h.bin jwk.json");
	ossl_b64url("h.bin", ref, sizeof(ref));
	is_int(key_thumbprint(k, tp), AL_OK, "rsa: thumbprint rc");
	is_str(tp, ref, "rsa: thumbprint equals openssl's");
	jw_init(&w, mine, sizeof(mine));
	jw_obj_begin(&w);
	key_jwk_members(k, &w);
	jw_obj_end(&w);
	ok(jw_finish(&w, &n) == AL_OK, "rsa: JWK written");
	is_str(mine, js, "rsa: JWK members in RFC 7638 order");
	is_int(rsa_cert_matches(k, "rsa.pem"), 1, "rsa: key matches its cert");
	key_generate(&k3, KEY_EC256, r);
	is_int(rsa_cert_matches(&k3, "rsa.pem"), 0, "rsa: an EC key does not");
}

#define RSA_NTESTS 25

/* RSA keys, or TAP skips in a build without KEY_RSA. */
static void rsa_keys(struct rng *r)
{
	static struct key k, o;
	char js[800], mine[800];
	struct jw w;
	size_t n = 0;
	int rc = key_generate(&k, KEY_RSA2048, r);

	if (!key_type_built(KEY_RSA2048)) {
		is_int(rc, AL_EINVAL, "no KEY_RSA: key_generate says AL_EINVAL");
		sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
		   "-out o.pem");
		is_int(load_key(&o, "o.pem"), AL_EPROTO,
		       "no KEY_RSA: key_from_pem refuses RSA-2048");
		skip(RSA_NTESTS - 2, "this build has no RSA keys (KEY_RSA)");
		return;
	}
	is_int(rc, AL_OK, "rsa: key_generate rsa-2048");
	rsa_generated(r, &k);
	sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 "
	   "-out o8.pem && openssl rsa -in o8.pem -traditional -out o.pem");
	is_int(load_key(&o, "o.pem"), AL_OK, "rsa: openssl 3072 PKCS#1 loads");
	is_int(o.type, KEY_RSA3072, "rsa: as rsa-3072");
	ossl_rsa_jwk("o.pem", js, sizeof(js));
	jw_init(&w, mine, sizeof(mine));
	jw_obj_begin(&w);
	key_jwk_members(&o, &w);
	jw_obj_end(&w);
	jw_finish(&w, &n);
	is_str(mine, js, "rsa: derived n and e equal openssl's");
	is_int(rsa_cert_matches(&k, "o.pem"), 0, "rsa: another RSA key does not");
}

static void sha256_vector(void)
{
	static const unsigned char want[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	unsigned char h[32];

	sha256("abc", 3, h);
	ok(memcmp(h, want, 32) == 0, "SHA-256(\"abc\") (FIPS 180-2)");
}

int main(void)
{
	struct test_port up = { { &tp_ops }, 0 };
	struct rng r;

	if (test_dir_make("test_crypto") != 0)
		return 1;
	is_int(rng_init(&r, &up.base), AL_OK, "rng_init from /dev/urandom");
	rng_and_types();
	sha256_vector();
	thumbprint_vs_openssl("prime256v1", "P-256", 32, KEY_EC256);
	thumbprint_vs_openssl("secp384r1", "P-384", 48, KEY_EC384);
	sign_vs_openssl(&r, KEY_EC256, "sha256");
	sign_vs_openssl(&r, KEY_EC384, "sha384");
	openssl_keys();
	matches_pub(&r);
	bad_keys();
	rsa_keys(&r);
	test_dir_remove();
	return tap_done();
}
