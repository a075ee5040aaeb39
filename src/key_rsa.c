/* RSA certificate keys (KEY_RSA, requirement S10): 2048, 3072 or 4096
 * bits, public exponent 65537, RS256 signatures. BearSSL's i31 code, the
 * one the TLS client already links to check RSA signatures. */
#include <string.h>

#include <bearssl.h>

#include "b64.h"
#include "err.h"
#include "json.h"
#include "key_rsa.h"

#define RSA_PUBEXP 65537
#define RSA_NMAX 512   /* bytes of a 4096-bit modulus */
#define RSA_B64MAX 688 /* base64url of RSA_NMAX bytes, and NUL */

/* Overwrite secrets in a way the compiler may not drop as a dead store. */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

int rsa_built(void)
{
	return 1;
}

static unsigned rsa_bits(enum key_type t)
{
	switch (t) {
	case KEY_RSA2048:
		return 2048;
	case KEY_RSA3072:
		return 3072;
	case KEY_RSA4096:
		return 4096;
	default:
		return 0;
	}
}

/* BearSSL views of the private key of k, pointing into k. */
static void rsa_sk_view(const struct key *k, br_rsa_private_key *sk)
{
	unsigned char *b = (unsigned char *)k->rsa_sk;

	*sk = k->rsa;
	sk->p = b;
	sk->q = b += sk->plen;
	sk->dp = b += sk->qlen;
	sk->dq = b += sk->dplen;
	sk->iq = b + sk->dqlen;
}

/* The public view of k; AL_EINVAL when k is not an RSA key. */
int rsa_pub(const struct key *k, br_rsa_public_key *pk)
{
	if (!rsa_bits(k->type))
		return AL_EINVAL;
	*pk = k->rsapub;
	pk->n = (unsigned char *)k->rsa_pk;
	pk->e = (unsigned char *)k->rsa_pk + pk->nlen;
	return AL_OK;
}

/* Copy one big-endian integer to *dst without its leading zero bytes (so
 * a key has one layout whether generated or read back), advancing *dst;
 * returns the length kept. The caller checked the room. */
static size_t put(unsigned char **dst, const unsigned char *src, size_t n)
{
	while (n > 1 && src[0] == 0) {
		src++;
		n--;
	}
	memcpy(*dst, src, n);
	*dst += n;
	return n;
}

/* Store sk, n and e packed into k, as type t. */
static int rsa_store(struct key *k, enum key_type t,
                     const br_rsa_private_key *sk, const unsigned char *n,
                     size_t nlen, const unsigned char *e, size_t elen)
{
	unsigned char *d;

	if (sk->plen + sk->qlen + sk->dplen + sk->dqlen + sk->iqlen >
	    sizeof(k->rsa_sk) || nlen + elen > sizeof(k->rsa_pk))
		return AL_EPROTO;
	memset(k, 0, sizeof(*k));
	k->type = t;
	k->rsa = *sk;
	d = k->rsa_sk;
	k->rsa.plen = put(&d, sk->p, sk->plen);
	k->rsa.qlen = put(&d, sk->q, sk->qlen);
	k->rsa.dplen = put(&d, sk->dp, sk->dplen);
	k->rsa.dqlen = put(&d, sk->dq, sk->dqlen);
	k->rsa.iqlen = put(&d, sk->iq, sk->iqlen);
	d = k->rsa_pk;
	k->rsapub.nlen = put(&d, n, nlen);
	k->rsapub.elen = put(&d, e, elen);
	return AL_OK;
}

/* Generate an RSA key; BearSSL's key buffers are filled in its own
 * layout, then packed into k in ours. */
int rsa_generate(struct key *k, enum key_type t, struct rng *r)
{
	unsigned char kp[BR_RSA_KBUF_PRIV_SIZE(4096)];
	unsigned char kq[BR_RSA_KBUF_PUB_SIZE(4096)];
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	unsigned bits = rsa_bits(t);
	int rc = AL_EFAIL;

	if (!bits)
		return AL_EINVAL;
	if (br_rsa_i31_keygen(&r->drbg.vtable, &sk, kp, &pk, kq, bits,
	                      RSA_PUBEXP) == 1)
		rc = rsa_store(k, t, &sk, pk.n, pk.nlen, pk.e, pk.elen);
	wipe(kp, sizeof(kp));
	wipe(&sk, sizeof(sk));
	return rc;
}

/* out[0..an+bn) = a * b, big-endian. BearSSL 0.6's
 * br_rsa_i31_compute_modulus() returns 0 for 4096-bit keys, and this
 * schoolbook product has no data-dependent branch. */
static void mul_be(unsigned char *out, const unsigned char *a, size_t an,
                   const unsigned char *b, size_t bn)
{
	size_t i, j;

	memset(out, 0, an + bn);
	for (i = an; i-- > 0;) {
		uint32_t carry = 0;

		for (j = bn; j-- > 0;) {
			uint32_t t = (uint32_t)a[i] * b[j] + out[i + j + 1] + carry;

			out[i + j + 1] = (unsigned char)t;
			carry = t >> 8;
		}
		out[i] = (unsigned char)carry; /* no earlier row reached it */
	}
}

/* 1 when n, e and sk are one key: a number raised to e with the public
 * operation comes back with the private one. */
static int rsa_consistent(const br_rsa_private_key *sk,
                          const unsigned char *n, size_t nlen, uint32_t ev)
{
	unsigned char x[RSA_NMAX], y[RSA_NMAX], e[4];
	br_rsa_public_key pk = { (unsigned char *)n, nlen, e, sizeof(e) };
	size_t i;

	e[0] = (unsigned char)(ev >> 24);
	e[1] = (unsigned char)(ev >> 16);
	e[2] = (unsigned char)(ev >> 8);
	e[3] = (unsigned char)ev;
	for (i = 0; i < nlen; i++) /* below n: its top byte is zero */
		x[i] = (unsigned char)(i * 37 + 11);
	x[0] = 0;
	memcpy(y, x, nlen);
	return br_rsa_i31_public(y, nlen, &pk) == 1 &&
	       br_rsa_i31_private(y, sk) == 1 && memcmp(x, y, nlen) == 0;
}

/* Take a decoded private key, deriving n and e (BearSSL's decoder gives
 * the CRT elements only). */
int rsa_from_skey(struct key *k, const br_rsa_private_key *sk)
{
	unsigned char n[RSA_NMAX + 8], e[4];
	enum key_type t;
	uint32_t ev;
	size_t nlen, i;

	if (sk->n_bitlen == 2048)
		t = KEY_RSA2048;
	else if (sk->n_bitlen == 3072)
		t = KEY_RSA3072;
	else if (sk->n_bitlen == 4096)
		t = KEY_RSA4096;
	else
		return AL_EPROTO;
	nlen = sk->n_bitlen / 8;
	if (sk->plen + sk->qlen > sizeof(n))
		return AL_EPROTO;
	mul_be(n, sk->p, sk->plen, sk->q, sk->qlen);
	for (i = 0; i + nlen < sk->plen + sk->qlen; i++)
		if (n[i] != 0)
			return AL_EPROTO;
	memmove(n, n + i, nlen);
	/* BearSSL recovers e only when p and q are 3 mod 4 (its own keys);
	 * other tools' keys almost always use 65537. */
	ev = br_rsa_i31_compute_pubexp(sk);
	if (ev == 0)
		ev = RSA_PUBEXP;
	if (!rsa_consistent(sk, n, nlen, ev))
		return AL_EPROTO;
	e[0] = (unsigned char)(ev >> 24);
	e[1] = (unsigned char)(ev >> 16);
	e[2] = (unsigned char)(ev >> 8);
	e[3] = (unsigned char)ev;
	nlen = 0;
	while (e[nlen] == 0) /* ev != 0: stops within e */
		nlen++;
	return rsa_store(k, t, sk, n, sk->n_bitlen / 8, e + nlen, 4 - nlen);
}

/* The public exponent of k as a number (at most 4 bytes: ours). */
static uint32_t rsa_e(const struct key *k)
{
	br_rsa_public_key pk;
	uint32_t v = 0;
	size_t i;

	rsa_pub(k, &pk);
	for (i = 0; i < pk.elen && i < 4; i++)
		v = (v << 8) | pk.e[i];
	return v;
}

/* PKCS#8 DER of k; the private exponent is recomputed here only. */
int rsa_to_der(const struct key *k, unsigned char *der, size_t cap,
               size_t *len)
{
	unsigned char d[RSA_NMAX];
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	size_t dlen, n;
	int rc = AL_EFAIL;

	if (rsa_pub(k, &pk) != AL_OK)
		return AL_EINVAL;
	rsa_sk_view(k, &sk);
	dlen = br_rsa_i31_compute_privexp(d, &sk, rsa_e(k));
	if (dlen == 0)
		goto out;
	n = br_encode_rsa_pkcs8_der(NULL, &sk, &pk, d, dlen);
	rc = AL_E2BIG;
	if (n == 0 || n > cap)
		goto out;
	br_encode_rsa_pkcs8_der(der, &sk, &pk, d, dlen);
	*len = n;
	rc = AL_OK;
out:
	wipe(d, sizeof(d));
	return rc;
}

/* n and e of k in base64url, without leading zero bytes. */
static int rsa_ne_b64(const struct key *k, char n[RSA_B64MAX], char e[12])
{
	br_rsa_public_key pk;

	if (rsa_pub(k, &pk) != AL_OK)
		return AL_EINVAL;
	while (pk.nlen > 1 && pk.n[0] == 0)
		pk.n++, pk.nlen--;
	while (pk.elen > 1 && pk.e[0] == 0)
		pk.e++, pk.elen--;
	if (b64url_encode(pk.n, pk.nlen, n, RSA_B64MAX, NULL) != AL_OK ||
	    b64url_encode(pk.e, pk.elen, e, 12, NULL) != AL_OK)
		return AL_EFAIL;
	return AL_OK;
}

void rsa_jwk_members(const struct key *k, struct jw *w)
{
	char n[RSA_B64MAX], e[12];

	if (rsa_ne_b64(k, n, e) != AL_OK) {
		if (!w->err) /* sticky: jw_finish reports it */
			w->err = AL_EINVAL;
		return;
	}
	jw_key(w, "e");
	jw_str(w, e);
	jw_key(w, "kty");
	jw_str(w, "RSA");
	jw_key(w, "n");
	jw_str(w, n);
}

/* The canonical JWK is assembled by hand as for EC keys in crypto.c: its
 * exact bytes are the specification, and base64url never needs escaping. */
int rsa_thumbprint(const struct key *k, char out[44])
{
	char n[RSA_B64MAX], e[12], js[RSA_B64MAX + 48];
	unsigned char h[32];
	size_t l = 0, m;
	int rc;

	if ((rc = rsa_ne_b64(k, n, e)) != AL_OK)
		return rc;
	memcpy(js, "{\"e\":\"", 6);
	l = 6;
	m = strlen(e);
	memcpy(js + l, e, m);
	l += m;
	memcpy(js + l, "\",\"kty\":\"RSA\",\"n\":\"", 19);
	l += 19;
	m = strlen(n);
	memcpy(js + l, n, m);
	l += m;
	memcpy(js + l, "\"}", 2);
	l += 2;
	sha256(js, l, h);
	return b64url_encode(h, sizeof(h), out, 44, NULL);
}

/* RS256 signature of data. */
int rsa_sign(const struct key *k, const void *data, size_t n,
             unsigned char *sig, size_t cap, size_t *siglen)
{
	br_rsa_private_key sk;
	unsigned char h[32];

	if (!rsa_bits(k->type))
		return AL_EINVAL;
	if (cap < k->rsapub.nlen)
		return AL_E2BIG;
	sha256(data, n, h);
	rsa_sk_view(k, &sk);
	if (br_rsa_i31_pkcs1_sign(BR_HASH_OID_SHA256, h, sizeof(h), &sk, sig) != 1)
		return AL_EFAIL;
	*siglen = k->rsapub.nlen;
	return AL_OK;
}

/* Big-endian numbers a and b are equal, ignoring leading zeros. */
static int same_uint(const unsigned char *a, size_t an,
                     const unsigned char *b, size_t bn)
{
	while (an > 0 && *a == 0)
		a++, an--;
	while (bn > 0 && *b == 0)
		b++, bn--;
	return an == bn && memcmp(a, b, an) == 0;
}

int rsa_matches_pub(const struct key *k, const br_rsa_public_key *pub)
{
	br_rsa_public_key pk;

	if (rsa_pub(k, &pk) != AL_OK)
		return 0;
	return same_uint(pk.n, pk.nlen, pub->n, pub->nlen) &&
	       same_uint(pk.e, pk.elen, pub->e, pub->elen);
}
