/* Keys, ECDSA signatures, JWK thumbprints and the DRBG, over BearSSL.
 * RSA keys are handed to src/key_rsa.h, which a build without KEY_RSA
 * fills with refusals. */
#include <string.h>

#include <bearssl.h>

#include "b64.h"
#include "crypto.h"
#include "ec.h"
#include "err.h"
#include "json.h"
#include "key_rsa.h"
#include "pem.h"
#include "port.h"

#define KEY_DER_MAX 2560  /* PKCS#8: EC under 200 bytes, RSA-4096 ~2400 */

static const char *const key_type_names[] = {
	[KEY_EC256] = "ec-256",
	[KEY_EC384] = "ec-384",
	[KEY_RSA2048] = "rsa-2048",
	[KEY_RSA3072] = "rsa-3072",
	[KEY_RSA4096] = "rsa-4096",
};

#define KEY_NTYPES (int)(sizeof(key_type_names) / sizeof(key_type_names[0]))

/* Overwrite secrets in a way the compiler may not drop as a dead store. */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* Parse a key type name such as "ec-256". */
int key_type_parse(const char *s, enum key_type *out)
{
	int i;

	for (i = 0; s && i < KEY_NTYPES; i++) {
		if (strcmp(s, key_type_names[i]) == 0) {
			*out = (enum key_type)i;
			return AL_OK;
		}
	}
	return AL_EINVAL;
}

/* Name of a key type, or "unknown". */
const char *key_type_name(enum key_type t)
{
	if ((int)t < 0 || (int)t >= KEY_NTYPES)
		return "unknown";
	return key_type_names[t];
}

static int key_is_rsa(enum key_type t)
{
	return t == KEY_RSA2048 || t == KEY_RSA3072 || t == KEY_RSA4096;
}

/* EC types are always built; RSA when KEY_RSA is. */
int key_type_built(enum key_type t)
{
	if (key_is_rsa(t))
		return rsa_built();
	return (int)t >= 0 && (int)t < KEY_NTYPES;
}

/* BearSSL curve id of an EC key type, or 0. */
static int key_curve(enum key_type t)
{
	if (t == KEY_EC256)
		return BR_EC_secp256r1;
	if (t == KEY_EC384)
		return BR_EC_secp384r1;
	return 0;
}

/* Coordinate size in bytes of the curve of k, or 0 when k is not EC. */
static size_t key_csize(const struct key *k)
{
	if (k->type == KEY_EC256)
		return 32;
	if (k->type == KEY_EC384)
		return 48;
	return 0;
}

/* BearSSL views of k that point into k itself, so a struct key that was
 * copied by value still works. */
static void key_views(const struct key *k, br_ec_private_key *sk,
                      br_ec_public_key *pk)
{
	if (sk) {
		sk->curve = key_curve(k->type);
		sk->x = (unsigned char *)k->ec_x;
		sk->xlen = key_csize(k);
	}
	if (pk) {
		pk->curve = key_curve(k->type);
		pk->q = (unsigned char *)k->ec_q;
		pk->qlen = 1 + 2 * key_csize(k);
	}
}

/* Seed the DRBG with 48 bytes from the port's entropy source. */
int rng_init(struct rng *r, struct port *p)
{
	unsigned char seed[48];
	int rc;

	rc = port_entropy(p, seed, sizeof(seed));
	if (rc == AL_OK)
		br_hmac_drbg_init(&r->drbg, &br_sha256_vtable, seed, sizeof(seed));
	wipe(seed, sizeof(seed));
	return rc;
}

/* Derive the public point of k from its private scalar. */
static int key_derive_pub(struct key *k)
{
	const br_ec_impl *impl = ec_impl();
	br_ec_private_key sk;

	key_views(k, &sk, NULL);
	if (br_ec_compute_pub(impl, &k->ecpub, k->ec_q, &sk) != 1 + 2 * sk.xlen)
		return AL_EFAIL;
	k->ec = sk;
	return AL_OK;
}

/* Generate a fresh key; only EC types are supported by this build. */
int key_generate(struct key *k, enum key_type t, struct rng *r)
{
	const br_ec_impl *impl = ec_impl();
	int curve = key_curve(t);
	size_t n;

	if (key_is_rsa(t))
		return rsa_generate(k, t, r);
	if (!curve)
		return AL_EINVAL;
	memset(k, 0, sizeof(*k));
	k->type = t;
	n = br_ec_keygen(&r->drbg.vtable, impl, &k->ec, k->ec_x, curve);
	if (n != key_csize(k))
		return AL_EFAIL;
	return key_derive_pub(k);
}

/* Write the private key as PKCS#8 PEM. */
int key_to_pem(const struct key *k, char *out, size_t cap, size_t *len)
{
	unsigned char der[KEY_DER_MAX];
	br_ec_private_key sk;
	br_ec_public_key pk;
	size_t n = 0;
	int rc;

	if (key_is_rsa(k->type)) {
		rc = rsa_to_der(k, der, sizeof(der), &n);
		if (rc != AL_OK)
			goto out;
	} else {
		if (!key_csize(k))
			return AL_EINVAL;
		key_views(k, &sk, &pk);
		n = br_encode_ec_pkcs8_der(NULL, &sk, &pk);
		if (n == 0 || n > sizeof(der))
			return AL_EFAIL;
		br_encode_ec_pkcs8_der(der, &sk, &pk);
	}
	rc = pem_encode(der, n, BR_ENCODE_PEM_PKCS8, out, cap, len);
out:
	wipe(der, sizeof(der));
	return rc;
}

/* 1 when x (big-endian, n bytes) is in [1, order-1] of curve. */
static int scalar_ok(const unsigned char *x, size_t n, int curve)
{
	const br_ec_impl *impl = ec_impl();
	const unsigned char *ord;
	size_t olen;

	while (n > 0 && *x == 0) {
		x++;
		n--;
	}
	ord = impl->order(curve, &olen);
	if (n == 0 || !ord || n > olen)
		return 0;
	return n < olen || memcmp(x, ord, n) < 0;
}

/* Take the private key out of one DER object (PKCS#8, SEC1 or PKCS#1). */
static int key_from_der(struct key *k, const unsigned char *der, size_t n)
{
	br_skey_decoder_context dec;
	const br_ec_private_key *ek;
	size_t cs;
	int rc = AL_EPROTO;

	br_skey_decoder_init(&dec);
	br_skey_decoder_push(&dec, der, n);
	if (br_skey_decoder_last_error(&dec) != 0)
		goto out;
	if (br_skey_decoder_get_rsa(&dec)) {
		/* Whatever the reason (size, no RSA here), not a key we use. */
		if (rsa_from_skey(k, br_skey_decoder_get_rsa(&dec)) == AL_OK)
			rc = AL_OK;
		goto out;
	}
	ek = br_skey_decoder_get_ec(&dec);
	if (!ek)
		goto out;
	memset(k, 0, sizeof(*k));
	if (ek->curve == BR_EC_secp256r1)
		k->type = KEY_EC256;
	else if (ek->curve == BR_EC_secp384r1)
		k->type = KEY_EC384;
	else
		goto out;
	cs = key_csize(k);
	if (ek->xlen > cs || !scalar_ok(ek->x, ek->xlen, ek->curve))
		goto out;
	/* Left-pad to the curve size: RFC 5915 fixes the length. */
	memcpy(k->ec_x + (cs - ek->xlen), ek->x, ek->xlen);
	rc = key_derive_pub(k);
out:
	wipe(&dec, sizeof(dec));
	return rc;
}

/* Read a private key from PEM, skipping objects such as EC PARAMETERS. */
int key_from_pem(struct key *k, const char *pem, size_t len)
{
	unsigned char der[KEY_DER_MAX];
	char label[64];
	size_t off = 0;
	int rc = AL_EPROTO;

	if (!pem)
		return AL_EPROTO;
	while (off < len) {
		size_t dlen = 0, end = 0;

		rc = pem_decode_next(pem + off, len - off, NULL, der, sizeof(der),
		                     &dlen, &end, label, sizeof(label));
		if (rc == AL_E2BIG && end > 0) {
			off += end; /* too big for an EC key: not ours */
			continue;
		}
		if (rc != AL_OK)
			break;
		off += end;
		if (strcmp(label, BR_ENCODE_PEM_PKCS8) == 0 ||
		    strcmp(label, BR_ENCODE_PEM_EC_RAW) == 0 ||
		    strcmp(label, BR_ENCODE_PEM_RSA_RAW) == 0) {
			rc = key_from_der(k, der, dlen);
			goto out;
		}
		if (end == 0)
			break;
	}
	rc = AL_EPROTO;
out:
	wipe(der, sizeof(der));
	return rc;
}

/* x and y of the public point of k in base64url, each NUL-terminated. */
static int key_xy_b64(const struct key *k, char x[65], char y[65])
{
	size_t cs = key_csize(k);

	if (!cs)
		return AL_EINVAL;
	if (b64url_encode(k->ec_q + 1, cs, x, 65, NULL) != AL_OK ||
	    b64url_encode(k->ec_q + 1 + cs, cs, y, 65, NULL) != AL_OK)
		return AL_EFAIL;
	return AL_OK;
}

static const char *key_crv(const struct key *k)
{
	return k->type == KEY_EC384 ? "P-384" : "P-256";
}

/* Public JWK members in RFC 7638 order, into an open object. */
void key_jwk_members(const struct key *k, struct jw *w)
{
	char x[65], y[65];

	if (key_is_rsa(k->type)) {
		rsa_jwk_members(k, w);
		return;
	}
	if (key_xy_b64(k, x, y) != AL_OK) {
		/* The writer's error is sticky: jw_finish reports it. */
		if (!w->err)
			w->err = AL_EINVAL;
		return;
	}
	jw_key(w, "crv");
	jw_str(w, key_crv(k));
	jw_key(w, "kty");
	jw_str(w, "EC");
	jw_key(w, "x");
	jw_str(w, x);
	jw_key(w, "y");
	jw_str(w, y);
}

/* Append s to buf at *n; the caller sized buf for the worst case. */
static void cat(char *buf, size_t *n, const char *s)
{
	size_t l = strlen(s);

	memcpy(buf + *n, s, l);
	*n += l;
}

/* RFC 7638 thumbprint of k. The canonical JSON is assembled by hand on
 * purpose: its exact bytes are the specification, and every member value
 * is a fixed name or base64url, which never needs escaping. */
int key_thumbprint(const struct key *k, char out[44])
{
	char x[65], y[65], js[200];
	unsigned char h[32];
	size_t n = 0;
	int rc;

	if (key_is_rsa(k->type))
		return rsa_thumbprint(k, out);
	rc = key_xy_b64(k, x, y);
	if (rc != AL_OK)
		return rc;
	cat(js, &n, "{\"crv\":\"");
	cat(js, &n, key_crv(k));
	cat(js, &n, "\",\"kty\":\"EC\",\"x\":\"");
	cat(js, &n, x);
	cat(js, &n, "\",\"y\":\"");
	cat(js, &n, y);
	cat(js, &n, "\"}");
	sha256(js, n, h);
	return b64url_encode(h, sizeof(h), out, 44, NULL);
}

/* JWS alg of k. */
const char *key_jws_alg(const struct key *k)
{
	switch (k->type) {
	case KEY_EC256:
		return "ES256";
	case KEY_EC384:
		return "ES384";
	default:
		return "RS256";
	}
}

/* Sign data: ECDSA (RFC 6979, deterministic) with raw r||s output. */
int key_sign(const struct key *k, const void *data, size_t n,
             unsigned char *sig, size_t cap, size_t *siglen)
{
	br_ec_private_key sk;
	br_hash_compat_context hc;
	const br_hash_class *hf;
	unsigned char h[64];
	size_t cs = key_csize(k), sl;

	if (key_is_rsa(k->type))
		return rsa_sign(k, data, n, sig, cap, siglen);
	if (!cs)
		return AL_EINVAL;
	if (cap < 2 * cs)
		return AL_E2BIG;
	hf = k->type == KEY_EC384 ? &br_sha384_vtable : &br_sha256_vtable;
	hf->init(&hc.vtable);
	hf->update(&hc.vtable, data, n);
	hf->out(&hc.vtable, h);
	key_views(k, &sk, NULL);
	sl = br_ecdsa_i31_sign_raw(ec_impl(), hf, h, &sk, sig);
	if (sl != 2 * cs)
		return AL_EFAIL;
	*siglen = sl;
	return AL_OK;
}

/* 1 when pub (from a certificate) is the public half of k. */
int key_matches_pub(const struct key *k, const br_x509_pkey *pub)
{
	br_ec_public_key pk;

	if (pub && pub->key_type == BR_KEYTYPE_RSA)
		return key_is_rsa(k->type) && rsa_matches_pub(k, &pub->key.rsa);
	if (!key_csize(k) || !pub || pub->key_type != BR_KEYTYPE_EC)
		return 0;
	key_views(k, NULL, &pk);
	return pub->key.ec.curve == pk.curve && pub->key.ec.qlen == pk.qlen &&
	       memcmp(pub->key.ec.q, pk.q, pk.qlen) == 0;
}

int key_matches_cert(const struct key *k, const unsigned char *der,
                     size_t len)
{
	br_x509_decoder_context dc;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, len);
	return br_x509_decoder_get_pkey(&dc) &&
	       key_matches_pub(k, br_x509_decoder_get_pkey(&dc));
}

/* SHA-256 of data. */
void sha256(const void *data, size_t n, unsigned char out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, n);
	br_sha256_out(&c, out);
}
