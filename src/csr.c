/* PKCS#10 certificate signing requests (RFC 2986) with the names in
 * subjectAltName (RFC 8555 §7.4), written with the DER writer; the X.509
 * pieces (x509_* in der_write.h) serve alpn_cert.c's certificate too. */
#include <arpa/inet.h>
#include <string.h>

#include <bearssl.h>

#include "crypto.h"
#include "der.h"
#include "der_write.h"
#include "err.h"
#include "key_rsa.h"

#define CN_MAX 64 /* ub-common-name (RFC 5280): longer names skip the CN */

static const unsigned char oid_cn[] = { 0x55, 0x04, 0x03 };
static const unsigned char oid_ec_pub[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                            0x02, 0x01 };
static const unsigned char oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                          0x03, 0x01, 0x07 };
static const unsigned char oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const unsigned char oid_ext_req[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                             0x0d, 0x01, 0x09, 0x0e };
static const unsigned char oid_san[] = { 0x55, 0x1d, 0x11 };
static const unsigned char oid_ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce,
                                                  0x3d, 0x04, 0x03, 0x02 };
static const unsigned char oid_ecdsa_sha384[] = { 0x2a, 0x86, 0x48, 0xce,
                                                  0x3d, 0x04, 0x03, 0x03 };
static const unsigned char oid_rsa_pub[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                             0x0d, 0x01, 0x01, 0x01 };
static const unsigned char oid_rsa_sha256[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
                                                0x0d, 0x01, 0x01, 0x0b };
static const unsigned char der_null[] = { 0x05, 0x00 };

int x509_host_ok(const char *s, int wildcard)
{
	size_t n = strlen(s), lab = 0, i = 0;

	if (n == 0 || n > 253)
		return 0;
	if (s[0] == '*') {
		if (!wildcard || s[1] != '.' || s[2] == '\0')
			return 0;
		i = 2;
	}
	for (; i <= n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' || c == '\0') {
			if (lab == 0 || lab > 63)
				return 0;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '-') {
			lab++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* The GeneralName of one name: iPAddress for an IP literal, else dNSName. */
static int csr_name(struct derw *w, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1)
		derw_prim(w, 0x87, ip, 4);
	else if (inet_pton(AF_INET6, name, ip) == 1)
		derw_prim(w, 0x87, ip, 16);
	else if (x509_host_ok(name, 1))
		derw_prim(w, 0x82, name, strlen(name));
	else
		return AL_EINVAL;
	return AL_OK;
}

void x509_name(struct derw *w, const char *name)
{
	derw_begin(w, DER_SEQUENCE);
	if (strlen(name) <= CN_MAX) {
		derw_begin(w, DER_SET);
		derw_begin(w, DER_SEQUENCE);
		derw_prim(w, DER_OID, oid_cn, sizeof(oid_cn));
		derw_prim(w, DER_UTF8STRING, name, strlen(name));
		derw_end(w);
		derw_end(w);
	}
	derw_end(w);
}

/* An unsigned big-endian number as a DER INTEGER. */
static void csr_uint(struct derw *w, const unsigned char *v, size_t n)
{
	while (n > 1 && *v == 0)
		v++, n--;
	derw_begin(w, DER_INTEGER);
	if (*v & 0x80)
		derw_raw(w, "", 1); /* a zero byte keeps it positive */
	derw_raw(w, v, n);
	derw_end(w);
}

/* SubjectPublicKeyInfo of the RSA key k (RFC 8017 RSAPublicKey). */
static void csr_spki_rsa(struct derw *w, const br_rsa_public_key *pk)
{
	derw_begin(w, DER_SEQUENCE);
	derw_begin(w, DER_SEQUENCE);
	derw_prim(w, DER_OID, oid_rsa_pub, sizeof(oid_rsa_pub));
	derw_raw(w, der_null, sizeof(der_null));
	derw_end(w);
	derw_begin(w, DER_BIT_STRING);
	derw_raw(w, "", 1); /* no unused bits */
	derw_begin(w, DER_SEQUENCE);
	csr_uint(w, pk->n, pk->nlen);
	csr_uint(w, pk->e, pk->elen);
	derw_end(w);
	derw_end(w);
	derw_end(w);
}

void x509_spki(struct derw *w, const struct key *k)
{
	int p384 = k->type == KEY_EC384;
	size_t qlen = p384 ? 97 : 65;
	br_rsa_public_key pk;

	if (rsa_pub(k, &pk) == AL_OK) {
		csr_spki_rsa(w, &pk);
		return;
	}
	derw_begin(w, DER_SEQUENCE);
	derw_begin(w, DER_SEQUENCE);
	derw_prim(w, DER_OID, oid_ec_pub, sizeof(oid_ec_pub));
	if (p384)
		derw_prim(w, DER_OID, oid_p384, sizeof(oid_p384));
	else
		derw_prim(w, DER_OID, oid_p256, sizeof(oid_p256));
	derw_end(w);
	derw_bits(w, k->ec_q, qlen);
	derw_end(w);
}

/* attributes [0]: one extensionRequest with subjectAltName. */
static int csr_attrs(struct derw *w, const char *const *names, int n)
{
	int i, rc = AL_OK;

	derw_begin(w, 0xa0);
	derw_begin(w, DER_SEQUENCE);
	derw_prim(w, DER_OID, oid_ext_req, sizeof(oid_ext_req));
	derw_begin(w, DER_SET);
	derw_begin(w, DER_SEQUENCE);       /* Extensions */
	derw_begin(w, DER_SEQUENCE);       /* Extension */
	derw_prim(w, DER_OID, oid_san, sizeof(oid_san));
	derw_begin(w, DER_OCTET_STRING);  /* extnValue wraps GeneralNames */
	derw_begin(w, DER_SEQUENCE);
	for (i = 0; i < n && rc == AL_OK; i++)
		rc = csr_name(w, names[i]);
	for (i = 0; i < 7; i++)
		derw_end(w);
	return rc;
}

void x509_sig_alg(struct derw *w, const struct key *k)
{
	derw_begin(w, DER_SEQUENCE);
	if (k->type == KEY_EC384) {
		derw_prim(w, DER_OID, oid_ecdsa_sha384, sizeof(oid_ecdsa_sha384));
	} else if (k->type == KEY_EC256) {
		derw_prim(w, DER_OID, oid_ecdsa_sha256, sizeof(oid_ecdsa_sha256));
	} else {
		derw_prim(w, DER_OID, oid_rsa_sha256, sizeof(oid_rsa_sha256));
		derw_raw(w, der_null, sizeof(der_null));
	}
	derw_end(w);
}

int x509_sign(struct derw *w, const struct key *k, size_t from)
{
	unsigned char sig[512]; /* RSA-4096; ECDSA needs 160 */
	size_t sl = 0;
	int rc;

	if (w->err)
		return w->err;
	rc = key_sign(k, w->buf + from, w->len - from, sig, sizeof(sig), &sl);
	if (rc != AL_OK)
		return rc;
	if (k->type == KEY_EC256 || k->type == KEY_EC384)
		sl = br_ecdsa_raw_to_asn1(sig, sl);
	if (sl == 0)
		return AL_EFAIL;
	x509_sig_alg(w, k);
	derw_bits(w, sig, sl);
	return AL_OK;
}

/* Build a PKCS#10 CSR for names, signed by k (ecdsa-with-SHA256 for P-256,
 * ecdsa-with-SHA384 for P-384, sha256WithRSAEncryption for RSA). */
int csr_build(const struct key *k, const char *const *names, int nnames,
              unsigned char *der, size_t cap, size_t *len)
{
	struct derw w;
	static const unsigned char version[] = { 0 };
	size_t info;
	int rc;

	if (k->type != KEY_EC256 && k->type != KEY_EC384 &&
	    !key_type_built(k->type))
		return AL_EINVAL;
	if (!names || nnames < 1 || nnames > CERT_NAMES_MAX)
		return AL_EINVAL;
	derw_init(&w, der, cap);
	derw_begin(&w, DER_SEQUENCE);
	info = w.len;
	derw_begin(&w, DER_SEQUENCE);
	derw_prim(&w, DER_INTEGER, version, sizeof(version));
	x509_name(&w, names[0]);
	x509_spki(&w, k);
	rc = csr_attrs(&w, names, nnames);
	if (rc != AL_OK)
		return rc;
	derw_end(&w);
	rc = x509_sign(&w, k, info);
	if (rc != AL_OK)
		return rc;
	derw_end(&w);
	return derw_finish(&w, len);
}
