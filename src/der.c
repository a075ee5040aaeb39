/* A small DER writer (for the CSR) and a DER walker for the certificate
 * facts BearSSL's X.509 decoder does not expose: serial, SANs, AKI, and the
 * validity dates. The walker trusts no length: every read is checked
 * against what is left of its enclosing value. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "der.h"
#include "schedule.h"
#include "der_write.h"
#include "err.h"
#include "pem.h"

#define CERT_DER_MAX 49152 /* 100 long SANs and a few KiB of the rest */

/* ---- writer ---- */

/* Start writing into buf. */
void derw_init(struct derw *w, unsigned char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = buf ? cap : 0;
}

/* Append n bytes, or make the error sticky. */
void derw_raw(struct derw *w, const void *v, size_t n)
{
	if (w->err)
		return;
	if (n > w->cap - w->len) {
		w->err = AL_E2BIG;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, v, n);
	w->len += n;
}

/* Encode a DER length into out (at most 9 bytes); returns its size. */
static size_t der_len_enc(size_t n, unsigned char out[9])
{
	size_t k = 0, i;

	if (n < 0x80) {
		out[0] = (unsigned char)n;
		return 1;
	}
	for (i = n; i; i >>= 8)
		k++;
	out[0] = (unsigned char)(0x80 | k);
	for (i = 0; i < k; i++)
		out[k - i] = (unsigned char)(n >> (8 * i));
	return k + 1;
}

/* Open a constructed value. */
void derw_begin(struct derw *w, unsigned char tag)
{
	unsigned char hdr[2] = { tag, 0 };

	if (!w->err && w->depth >= DERW_MAX_DEPTH)
		w->err = AL_EINVAL;
	derw_raw(w, hdr, 2);
	if (w->err)
		return;
	w->open[w->depth++] = w->len - 1;
}

/* Close the innermost value: widen its length in place if needed. */
void derw_end(struct derw *w)
{
	unsigned char l[9];
	size_t pos, body, k;

	if (w->err)
		return;
	if (w->depth == 0) {
		w->err = AL_EINVAL;
		return;
	}
	pos = w->open[--w->depth];
	body = w->len - pos - 1;
	k = der_len_enc(body, l);
	if (k - 1 > w->cap - w->len) {
		w->err = AL_E2BIG;
		return;
	}
	memmove(w->buf + pos + k, w->buf + pos + 1, body);
	memcpy(w->buf + pos, l, k);
	w->len += k - 1;
}

/* A complete primitive value. */
void derw_prim(struct derw *w, unsigned char tag, const void *v, size_t n)
{
	unsigned char l[9];
	size_t k = der_len_enc(n, l);

	derw_raw(w, &tag, 1);
	derw_raw(w, l, k);
	derw_raw(w, v, n);
}

/* A BIT STRING of whole bytes. */
void derw_bits(struct derw *w, const void *v, size_t n)
{
	unsigned char l[9], zero = 0, tag = DER_BIT_STRING;
	size_t k;

	if (n == (size_t)-1) {
		w->err = AL_E2BIG;
		return;
	}
	k = der_len_enc(n + 1, l);
	derw_raw(w, &tag, 1);
	derw_raw(w, l, k);
	derw_raw(w, &zero, 1);
	derw_raw(w, v, n);
}

/* Report the outcome of a whole write. */
int derw_finish(struct derw *w, size_t *len)
{
	if (w->err)
		return w->err;
	if (w->depth)
		return AL_EINVAL;
	if (len)
		*len = w->len;
	return AL_OK;
}

/* ---- walker ---- */

/* What is left of a value being read. */
struct der_rd {
	const unsigned char *p;
	size_t n;
};

/* One tag-length-value. */
struct der_item {
	unsigned tag;
	const unsigned char *v;
	size_t n;
};

/* Read the next TLV of r. Only definite lengths and low tag numbers, which
 * is all X.509 uses. */
static int der_next(struct der_rd *r, struct der_item *it)
{
	size_t len, hdr = 2, i, nb;

	if (r->n < 2)
		return AL_EPROTO;
	it->tag = r->p[0];
	if ((it->tag & 0x1f) == 0x1f)
		return AL_EPROTO;
	len = r->p[1];
	if (len & 0x80) {
		nb = len & 0x7f;
		if (nb == 0 || nb > 4 || nb > r->n - 2)
			return AL_EPROTO;
		len = 0;
		for (i = 0; i < nb; i++)
			len = len << 8 | r->p[2 + i];
		hdr += nb;
	}
	if (len > r->n - hdr)
		return AL_EPROTO;
	it->v = r->p + hdr;
	it->n = len;
	r->p += hdr + len;
	r->n -= hdr + len;
	return AL_OK;
}

/* Read the next TLV and require its tag. */
static int der_expect(struct der_rd *r, unsigned tag, struct der_item *it)
{
	int rc = der_next(r, it);

	if (rc == AL_OK && it->tag != tag)
		rc = AL_EPROTO;
	return rc;
}

/* A reader over the contents of it. */
static struct der_rd der_in(const struct der_item *it)
{
	struct der_rd r = { it->v, it->n };

	return r;
}

/* Value of n decimal digits at s, or -1. */
static int64_t digits(const unsigned char *s, int n)
{
	return sched_digits((const char *)s, n);
}

/* UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), the only
 * forms RFC 5280 allows, into Unix seconds. */
static int der_time(const struct der_item *it, int64_t *out)
{
	const unsigned char *s = it->v;
	int64_t y;

	if (it->tag == 0x17 && it->n == 13) {
		y = digits(s, 2);
		if (y < 0)
			return AL_EPROTO;
		y += y < 50 ? 2000 : 1900;
		s += 2;
	} else if (it->tag == 0x18 && it->n == 15) {
		y = digits(s, 4);
		s += 4;
	} else {
		return AL_EPROTO;
	}
	/* DER times have no leap second: 60 is malformed here */
	if (y < 1 || s[10] != 'Z' || digits(s + 8, 2) > 59 ||
	    sched_civil_time(y, digits(s, 2), digits(s + 2, 2), digits(s + 4, 2),
	                     digits(s + 6, 2), digits(s + 8, 2), out) != 0)
		return AL_EPROTO;
	return AL_OK;
}

/* Add one SAN; dNSName must be printable ASCII, iPAddress 4 or 16 bytes. */
static int san_add(struct cert_facts *f, const struct der_item *it)
{
	char *dst;
	size_t i;

	if (it->tag != 0x82 && it->tag != 0x87)
		return AL_OK; /* other GeneralName forms are not ours */
	if (f->nnames >= CERT_NAMES_MAX)
		return AL_E2BIG;
	dst = f->names[f->nnames];
	if (it->tag == 0x82) {
		if (it->n == 0 || it->n >= CERT_NAME_LEN)
			return AL_EPROTO;
		for (i = 0; i < it->n; i++)
			if (it->v[i] <= 0x20 || it->v[i] >= 0x7f)
				return AL_EPROTO;
		memcpy(dst, it->v, it->n);
		dst[it->n] = '\0';
	} else if (it->n == 4 || it->n == 16) {
		if (!inet_ntop(it->n == 4 ? AF_INET : AF_INET6, it->v, dst,
		               CERT_NAME_LEN))
			return AL_EPROTO;
	} else {
		return AL_EPROTO;
	}
	f->nnames++;
	return AL_OK;
}

/* subjectAltName: SEQUENCE OF GeneralName. */
static int ext_san(struct cert_facts *f, struct der_rd r)
{
	struct der_item seq, gn;
	struct der_rd in;
	int rc;

	rc = der_expect(&r, 0x30, &seq);
	if (rc != AL_OK || r.n != 0)
		return AL_EPROTO;
	in = der_in(&seq);
	while (in.n > 0) {
		rc = der_next(&in, &gn);
		if (rc == AL_OK)
			rc = san_add(f, &gn);
		if (rc != AL_OK)
			return rc;
	}
	return AL_OK;
}

/* authorityKeyIdentifier: we want its [0] keyIdentifier. */
static int ext_aki(struct cert_facts *f, struct der_rd r)
{
	struct der_item seq, it;
	struct der_rd in;

	if (der_expect(&r, 0x30, &seq) != AL_OK || r.n != 0)
		return AL_EPROTO;
	in = der_in(&seq);
	while (in.n > 0) {
		if (der_next(&in, &it) != AL_OK)
			return AL_EPROTO;
		if (it.tag != 0x80)
			continue;
		if (it.n == 0 || it.n > CERT_KEYID_MAX)
			return AL_EPROTO;
		memcpy(f->aki, it.v, it.n);
		f->aki_len = it.n;
	}
	return AL_OK;
}

/* Extensions ::= SEQUENCE OF SEQUENCE { extnID, critical?, extnValue }. */
static int cert_exts(struct cert_facts *f, const struct der_item *exts)
{
	static const unsigned char oid_san[] = { 0x55, 0x1d, 0x11 };
	static const unsigned char oid_aki[] = { 0x55, 0x1d, 0x23 };
	struct der_rd r = der_in(exts), seq;
	struct der_item all, ext, oid, val;
	int rc = AL_OK, seen_san = 0, seen_aki = 0;

	if (der_expect(&r, 0x30, &all) != AL_OK || r.n != 0)
		return AL_EPROTO;
	r = der_in(&all);
	while (rc == AL_OK && r.n > 0) {
		if (der_expect(&r, 0x30, &ext) != AL_OK)
			return AL_EPROTO;
		seq = der_in(&ext);
		if (der_expect(&seq, 0x06, &oid) != AL_OK ||
		    der_next(&seq, &val) != AL_OK)
			return AL_EPROTO;
		if (val.tag == 0x01 && der_next(&seq, &val) != AL_OK)
			return AL_EPROTO;
		if (val.tag != 0x04 || seq.n != 0)
			return AL_EPROTO;
		if (oid.n == 3 && memcmp(oid.v, oid_san, 3) == 0) {
			if (seen_san++)
				return AL_EPROTO;
			rc = ext_san(f, der_in(&val));
		} else if (oid.n == 3 && memcmp(oid.v, oid_aki, 3) == 0) {
			if (seen_aki++)
				return AL_EPROTO;
			rc = ext_aki(f, der_in(&val));
		}
	}
	return rc;
}

/* The issuer's commonName (the last one, if several) into f->issuer_cn, for
 * --preferred-chain; an odd issuer name leaves it "" (not an error). */
static void issuer_cn(struct cert_facts *f, const struct der_item *name)
{
	static const unsigned char oid_cn[] = { 0x55, 0x04, 0x03 };
	struct der_rd r = der_in(name), set, atv;
	struct der_item rdn, seq, oid, val;
	size_t i;

	while (r.n > 0 && der_expect(&r, 0x31, &rdn) == AL_OK) {
		set = der_in(&rdn);
		while (set.n > 0 && der_expect(&set, 0x30, &seq) == AL_OK) {
			atv = der_in(&seq);
			if (der_expect(&atv, 0x06, &oid) != AL_OK ||
			    der_next(&atv, &val) != AL_OK || oid.n != 3 ||
			    memcmp(oid.v, oid_cn, 3) != 0 ||
			    val.n >= sizeof(f->issuer_cn))
				continue;
			for (i = 0; i < val.n && val.v[i] >= 0x20 && val.v[i] != 0x7f;
			     i++)
				;
			if (i < val.n)
				continue;
			memcpy(f->issuer_cn, val.v, val.n);
			f->issuer_cn[val.n] = '\0';
		}
	}
}

/* serialNumber, validity, and what follows subjectPublicKeyInfo. */
static int cert_tbs(struct cert_facts *f, struct der_rd r)
{
	struct der_item it, nb, na;
	struct der_rd v;

	if (der_next(&r, &it) != AL_OK)
		return AL_EPROTO;
	if (it.tag == 0xa0 && der_next(&r, &it) != AL_OK)
		return AL_EPROTO;
	if (it.tag != 0x02 || it.n == 0 || it.n > CERT_SERIAL_MAX)
		return AL_EPROTO;
	memcpy(f->serial, it.v, it.n);
	f->serial_len = it.n;
	if (der_expect(&r, 0x30, &it) != AL_OK ||  /* signature */
	    der_expect(&r, 0x30, &it) != AL_OK)    /* issuer */
		return AL_EPROTO;
	issuer_cn(f, &it);
	if (der_expect(&r, 0x30, &it) != AL_OK)    /* validity */
		return AL_EPROTO;
	v = der_in(&it);
	if (der_next(&v, &nb) != AL_OK || der_next(&v, &na) != AL_OK ||
	    v.n != 0 || der_time(&nb, &f->not_before) != AL_OK ||
	    der_time(&na, &f->not_after) != AL_OK)
		return AL_EPROTO;
	if (der_expect(&r, 0x30, &it) != AL_OK ||  /* subject */
	    der_expect(&r, 0x30, &it) != AL_OK)    /* subjectPublicKeyInfo */
		return AL_EPROTO;
	while (r.n > 0) {
		if (der_next(&r, &it) != AL_OK)
			return AL_EPROTO;
		if (it.tag == 0xa3)
			return r.n == 0 ? cert_exts(f, &it) : AL_EPROTO;
		if (it.tag != 0x81 && it.tag != 0x82) /* unique identifiers */
			return AL_EPROTO;
	}
	return AL_OK;
}

/* Extract the facts from one DER certificate. */
int cert_facts_der(const unsigned char *der, size_t len, struct cert_facts *f)
{
	struct der_rd r = { der, der ? len : 0 }, c;
	struct der_item cert, tbs, it;
	int rc;

	memset(f, 0, sizeof(*f));
	if (der_expect(&r, 0x30, &cert) != AL_OK || r.n != 0)
		return AL_EPROTO;
	c = der_in(&cert);
	if (der_expect(&c, 0x30, &tbs) != AL_OK ||
	    der_expect(&c, 0x30, &it) != AL_OK ||   /* signatureAlgorithm */
	    der_expect(&c, 0x03, &it) != AL_OK || c.n != 0)
		return AL_EPROTO;
	rc = cert_tbs(f, der_in(&tbs));
	if (rc != AL_OK)
		memset(f, 0, sizeof(*f));
	return rc;
}

/* Facts of the first CERTIFICATE of a PEM text. */
int cert_facts_pem(const char *pem, size_t len, struct cert_facts *f)
{
	unsigned char der[CERT_DER_MAX];
	size_t n = 0;
	int rc;

	rc = pem_decode_next(pem, len, "CERTIFICATE", der, sizeof(der), &n,
	                     NULL, NULL, 0);
	if (rc == AL_ENOENT)
		rc = AL_EPROTO;
	if (rc != AL_OK) {
		memset(f, 0, sizeof(*f));
		return rc;
	}
	return cert_facts_der(der, n, f);
}

/* Parse an IP literal of either family; returns the address size or 0. */
static size_t ip_parse(const char *s, unsigned char out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return 0;
}

/* 1 when SAN san covers name: equal ignoring case, equal addresses, or a
 * "*.rest" wildcard and a name of one more, non-wildcard, label. */
static int san_covers(const char *san, const char *name)
{
	unsigned char a[16], b[16];
	size_t na = ip_parse(san, a), nb = ip_parse(name, b);
	const char *dot;

	if (na || nb)
		return na == nb && memcmp(a, b, na) == 0;
	if (strcasecmp(san, name) == 0)
		return 1;
	if (san[0] != '*' || san[1] != '.')
		return 0;
	dot = strchr(name, '.');
	if (!dot || dot == name || name[0] == '*')
		return 0;
	return strcasecmp(dot + 1, san + 2) == 0;
}

/* 1 when every name is covered by a SAN of f. */
int cert_covers(const struct cert_facts *f, const char *const *names, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		int hit = 0;

		for (j = 0; j < f->nnames && !hit; j++)
			hit = san_covers(f->names[j], names[i]);
		if (!hit)
			return 0;
	}
	return 1;
}
