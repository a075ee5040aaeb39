/* Trust anchors from a PEM bundle, in one exactly-sized arena.
 *
 * The file is read twice in small chunks: the first pass decodes every
 * certificate only to measure its DN and key, the second copies them into
 * the arena. That keeps peak memory at the arena itself (no copy of the
 * ~220 KiB bundle, no growing buffer). The bundle is read with read(2),
 * not through the port: it is system configuration, not acmelet's state;
 * not with stdio either, whose fopen/fread/rewind were 1.5 KiB of the
 * static binary for this one file. */
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

struct loader {
	br_pem_decoder_context pem;
	br_x509_decoder_context x509;
	int in_obj;          /* inside a PEM object */
	int in_cert;         /* ... whose label is a certificate */
	int cert_bad;        /* ... with bytes after its DER */
	unsigned char head[5]; /* its first DER bytes: tag and length */
	size_t head_len;
	size_t pushed;       /* its DER bytes so far */
	int fill;            /* 0: measuring pass, 1: copying pass */
	int overflow;        /* copying pass: the file grew between passes */
	size_t count;        /* anchors measured or copied so far */
	size_t skipped;
	size_t data_len;     /* DN and key bytes used so far */
	size_t dn_len;       /* DN bytes of the current certificate */
	int dn_over;         /* copying pass: its DN did not fit */
	br_x509_trust_anchor *ta; /* copying pass only */
	size_t ta_cap;
	unsigned char *data;
	size_t data_cap;
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct loader *ld = ctx;
	size_t at = ld->data_len + ld->dn_len;

	/* No room is an error only for a certificate that is kept: one that
	 * is skipped was never measured. */
	if (ld->fill) {
		if (ld->dn_over || at > ld->data_cap || len > ld->data_cap - at)
			ld->dn_over = 1;
		else
			memcpy(ld->data + at, buf, len);
	}
	ld->dn_len += len;
}

/* BearSSL's decoder must not be pushed once it has finished or failed:
 * its code has returned and a further push jumps through a null pointer
 * (bytes after the certificate inside its PEM block crashed here). Those
 * bytes make the certificate unusable instead. */
static void pem_data(void *ctx, const void *src, size_t len)
{
	struct loader *ld = ctx;

	if (!ld->in_cert || len == 0 || ld->cert_bad)
		return;
	for (size_t i = 0; ld->head_len < sizeof(ld->head) && i < len; i++)
		ld->head[ld->head_len++] = ((const unsigned char *)src)[i];
	ld->pushed += len;
	if (br_x509_decoder_last_error(&ld->x509) != BR_ERR_X509_TRUNCATED) {
		ld->cert_bad = 1;
		return;
	}
	br_x509_decoder_push(&ld->x509, src, len);
}

/* The tag and the length of the DER element whose first n bytes are at
 * q: single-byte tags and definite lengths of up to 3 bytes, which is all
 * a certificate uses. Returns the size of that header, 0 when malformed
 * or when the n bytes do not hold it all. The element's value may lie
 * beyond them. */
static size_t der_head(const unsigned char *q, size_t n, unsigned *tag,
                       size_t *len)
{
	size_t k, i;

	if (n < 2 || (q[0] & 0x1f) == 0x1f)
		return 0;
	*tag = q[0];
	if (q[1] < 0x80) {
		*len = q[1];
		return 2;
	}
	k = q[1] & 0x7f;
	if (k == 0 || k > 3 || n < 2 + k)
		return 0;
	for (*len = 0, i = 0; i < k; i++)
		*len = (*len << 8) | q[2 + i];
	return 2 + k;
}

/* The size of the DER element whose first bytes are h[0..n), 0 when they
 * do not say (the decoder then fails on its own). */
static size_t der_total(const unsigned char *h, size_t n)
{
	unsigned tag;
	size_t len, hl = der_head(h, n, &tag, &len);

	return hl ? hl + len : 0;
}

static size_t key_len(const br_x509_pkey *pk)
{
	if (pk->key_type == BR_KEYTYPE_RSA)
		return pk->key.rsa.nlen + pk->key.rsa.elen;
	return pk->key.ec.qlen;
}

/* Copy the decoded key into the arena at dst (room checked by caller). */
static void key_copy(br_x509_pkey *to, const br_x509_pkey *from,
                     unsigned char *dst)
{
	to->key_type = from->key_type;
	if (from->key_type == BR_KEYTYPE_RSA) {
		const br_rsa_public_key *k = &from->key.rsa;

		memcpy(dst, k->n, k->nlen);
		memcpy(dst + k->nlen, k->e, k->elen);
		to->key.rsa.n = dst;
		to->key.rsa.nlen = k->nlen;
		to->key.rsa.e = dst + k->nlen;
		to->key.rsa.elen = k->elen;
	} else {
		memcpy(dst, from->key.ec.q, from->key.ec.qlen);
		to->key.ec.curve = from->key.ec.curve;
		to->key.ec.q = dst;
		to->key.ec.qlen = from->key.ec.qlen;
	}
}

/* A certificate object ended: count it (measuring) or store it (copying). */
static void cert_end(struct loader *ld)
{
	const br_x509_pkey *pk = NULL;
	br_x509_trust_anchor *ta;
	size_t klen, at;

	if (ld->pushed != der_total(ld->head, ld->head_len))
		ld->cert_bad = 1;
	if (!ld->cert_bad && br_x509_decoder_last_error(&ld->x509) == 0)
		pk = br_x509_decoder_get_pkey(&ld->x509);
	if (pk == NULL) {
		ld->skipped++;
		return;
	}
	klen = key_len(pk);
	if (!ld->fill) {
		ld->count++;
		ld->data_len += ld->dn_len + klen;
		if (ld->data_len > TRUST_ARENA_MAX)
			ld->overflow = 1;
		return;
	}
	at = ld->data_len + ld->dn_len;
	if (ld->overflow || ld->dn_over || ld->count == ld->ta_cap ||
	    at > ld->data_cap ||
	    klen > ld->data_cap - at) {
		ld->overflow = 1;
		return;
	}
	ta = &ld->ta[ld->count++];
	ta->dn.data = ld->data + ld->data_len;
	ta->dn.len = ld->dn_len;
	ta->flags = br_x509_decoder_isCA(&ld->x509) ? BR_X509_TA_CA : 0;
	key_copy(&ta->pkey, pk, ld->data + at);
	ld->data_len = at + klen;
}

static int is_cert_label(const char *name)
{
	return strcmp(name, "CERTIFICATE") == 0 ||
	       strcmp(name, "X509 CERTIFICATE") == 0;
}

/* Push one chunk of PEM text through the decoder, handling its events. */
static int feed(struct loader *ld, const unsigned char *buf, size_t len)
{
	while (len > 0) {
		size_t n = br_pem_decoder_push(&ld->pem, buf, len);

		buf += n;
		len -= n;
		switch (br_pem_decoder_event(&ld->pem)) {
		case BR_PEM_BEGIN_OBJ:
			ld->in_obj = 1;
			ld->in_cert = is_cert_label(br_pem_decoder_name(&ld->pem));
			ld->dn_len = 0;
			ld->cert_bad = ld->dn_over = 0;
			ld->head_len = ld->pushed = 0;
			if (ld->in_cert)
				br_x509_decoder_init(&ld->x509, dn_append, ld);
			break;
		case BR_PEM_END_OBJ:
			if (ld->in_cert)
				cert_end(ld);
			ld->in_obj = ld->in_cert = 0;
			break;
		case BR_PEM_ERROR:
			return AL_EPROTO;
		default:
			break;
		}
	}
	return 0;
}

/* One pass over the whole file. */
static int read_pass(struct loader *ld, int fd)
{
	unsigned char buf[2048];
	ssize_t n;
	int rc;

	(void)lseek(fd, 0, SEEK_SET); /* as rewind(3): a pipe reads on */
	br_pem_decoder_init(&ld->pem);
	br_pem_decoder_setdest(&ld->pem, pem_data, ld);
	ld->in_obj = ld->in_cert = 0;
	ld->count = ld->skipped = ld->data_len = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return AL_ENOENT;
		rc = feed(ld, buf, (size_t)n);
		if (rc != 0)
			return rc;
	}
	/* The decoder reports an END line only once its newline is seen. */
	rc = feed(ld, (const unsigned char *)"\n", 1);
	if (rc == 0 && ld->in_obj)
		rc = AL_EPROTO;
	return rc;
}

/* Size and fill the arena from the measuring pass's numbers. */
static int fill_arena(struct trust_store *ts, struct loader *ld, int fd)
{
	size_t tabytes = ld->count * sizeof(br_x509_trust_anchor);
	size_t total = tabytes + ld->data_len;
	int rc;

	if (ld->overflow || total > TRUST_ARENA_MAX)
		return AL_E2BIG;
	ts->arena = malloc(total);
	if (ts->arena == NULL)
		return AL_EFAIL;
	ts->arena_len = total;
	ld->ta = ts->arena;
	ld->ta_cap = ld->count;
	ld->data = (unsigned char *)ts->arena + tabytes;
	ld->data_cap = ld->data_len;
	ld->fill = 1;
	rc = read_pass(ld, fd);
	if (rc == 0 && ld->overflow)
		rc = AL_EPROTO; /* the file changed between the passes */
	ts->anchors = ld->ta;
	ts->count = ld->count;
	ts->skipped = ld->skipped;
	return rc;
}

int trust_load(struct trust_store *ts, const char *path, char *err,
               size_t errcap)
{
	struct loader *ld = NULL;
	int fd, rc;

	memset(ts, 0, sizeof(*ts));
	if (path == NULL)
		path = TRUST_DEFAULT_CA_FILE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errcap, "CA file %s: %s", path, strerror(errno));
		return AL_ENOENT;
	}
	/* The decoders are ~2 KiB: keep them off small embedded stacks. */
	ld = calloc(1, sizeof(*ld));
	rc = ld == NULL ? AL_EFAIL : read_pass(ld, fd);
	if (rc == 0 && ld->count == 0)
		rc = AL_ENOENT;
	if (rc == 0)
		rc = fill_arena(ts, ld, fd);
	if (rc == 0 && ts->count == 0)
		rc = AL_ENOENT;
	if (rc != 0) {
		snprintf(err, errcap, "CA file %s: %s", path,
		         rc == AL_ENOENT ? "unreadable, or no usable certificate in it (PEM expected)" :
		         rc == AL_EPROTO ? "malformed PEM" :
		         rc == AL_E2BIG ? "too many certificates" :
		         "out of memory");
		trust_free(ts);
	}
	free(ld);
	close(fd);
	return rc;
}

void trust_free(struct trust_store *ts)
{
	if (ts == NULL)
		return;
	free(ts->arena);
	memset(ts, 0, sizeof(*ts));
}

/* ---- IP address check around br_x509_minimal ---- */

/* Read one whole DER element at *p (see der_head). */
static int der_next(const unsigned char **p, const unsigned char *end,
                    unsigned *tag, const unsigned char **val, size_t *len)
{
	size_t hl = der_head(*p, (size_t)(end - *p), tag, len);

	if (hl == 0 || (size_t)(end - *p) - hl < *len)
		return -1;
	*val = *p + hl;
	*p = *val + *len;
	return 0;
}

/* Enter the element at *p, which must have tag want; p moves inside it and
 * *end to its end. */
static int der_enter(const unsigned char **p, const unsigned char **end,
                     unsigned want)
{
	const unsigned char *v;
	unsigned tag;
	size_t n;

	if (der_next(p, *end, &tag, &v, &n) != 0 || tag != want)
		return -1;
	*p = v;
	*end = v + n;
	return 0;
}

/* Scan a GeneralNames SEQUENCE for iPAddress [7] equal to ip. */
static int names_have_ip(const unsigned char *p, const unsigned char *end,
                         const unsigned char *ip, size_t len)
{
	const unsigned char *v;
	unsigned tag;
	size_t n;

	if (der_enter(&p, &end, 0x30) != 0)
		return 0;
	while (p < end) {
		if (der_next(&p, end, &tag, &v, &n) != 0)
			return 0;
		if (tag == 0x87 && n == len && memcmp(v, ip, len) == 0)
			return 1;
	}
	return 0;
}

int trust_cert_has_ip(const unsigned char *der, size_t der_len,
                      const unsigned char *ip, size_t len)
{
	static const unsigned char san_oid[] = { 0x55, 0x1d, 0x11 };
	const unsigned char *p = der, *end = der + der_len, *v, *x, *xend;
	unsigned tag;
	size_t n;

	/* Certificate, tbsCertificate, then its fields up to extensions [3]. */
	if (der_enter(&p, &end, 0x30) != 0 || der_enter(&p, &end, 0x30) != 0)
		return 0;
	do {
		if (der_next(&p, end, &tag, &v, &n) != 0)
			return 0;
	} while (tag != 0xa3);
	p = v;
	end = v + n;
	if (der_enter(&p, &end, 0x30) != 0)
		return 0;
	while (p < end) {
		if (der_next(&p, end, &tag, &v, &n) != 0 || tag != 0x30)
			return 0;
		x = v;
		xend = v + n;
		if (der_next(&x, xend, &tag, &v, &n) != 0 || tag != 0x06)
			return 0;
		if (n != sizeof(san_oid) || memcmp(v, san_oid, n) != 0)
			continue;
		do { /* skip the optional critical BOOLEAN */
			if (der_next(&x, xend, &tag, &v, &n) != 0)
				return 0;
		} while (tag != 0x04);
		return names_have_ip(v, v + n, ip, len);
	}
	return 0;
}

static struct trust_x509 *tx_of(const br_x509_class **ctx)
{
	return (struct trust_x509 *)(void *)ctx;
}

static void tx_start_chain(const br_x509_class **ctx, const char *name)
{
	struct trust_x509 *tx = tx_of(ctx);

	tx->ncert = 0;
	tx->ee_len = 0;
	tx->ee_over = 0;
	tx->inner->vtable->start_chain(&tx->inner->vtable,
	                               tx->ip_len ? NULL : name);
}

static void tx_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct trust_x509 *tx = tx_of(ctx);

	if (tx->ncert == 0 && length > sizeof(tx->ee))
		tx->ee_over = 1;
	tx->inner->vtable->start_cert(&tx->inner->vtable, length);
}

static void tx_append(const br_x509_class **ctx, const unsigned char *buf,
                      size_t len)
{
	struct trust_x509 *tx = tx_of(ctx);

	if (tx->ip_len && tx->ncert == 0 && !tx->ee_over) {
		if (len > sizeof(tx->ee) - tx->ee_len) {
			tx->ee_over = 1;
		} else {
			memcpy(tx->ee + tx->ee_len, buf, len);
			tx->ee_len += len;
		}
	}
	tx->inner->vtable->append(&tx->inner->vtable, buf, len);
}

static void tx_end_cert(const br_x509_class **ctx)
{
	struct trust_x509 *tx = tx_of(ctx);

	tx->inner->vtable->end_cert(&tx->inner->vtable);
	tx->ncert++;
}

static unsigned tx_end_chain(const br_x509_class **ctx)
{
	struct trust_x509 *tx = tx_of(ctx);
	unsigned err = tx->inner->vtable->end_chain(&tx->inner->vtable);

	/* A chain that is not trusted says so first: it is the real cause. */
	if (err != 0 || tx->ip_len == 0)
		return err;
	if (tx->ee_over ||
	    !trust_cert_has_ip(tx->ee, tx->ee_len, tx->ip, tx->ip_len))
		return BR_ERR_X509_BAD_SERVER_NAME;
	return 0;
}

static const br_x509_pkey *tx_get_pkey(const br_x509_class *const *ctx,
                                       unsigned *usages)
{
	const struct trust_x509 *tx = (const struct trust_x509 *)(const void *)ctx;

	return tx->inner->vtable->get_pkey(&tx->inner->vtable, usages);
}

static const br_x509_class trust_x509_vtable = {
	sizeof(struct trust_x509),
	tx_start_chain,
	tx_start_cert,
	tx_append,
	tx_end_cert,
	tx_end_chain,
	tx_get_pkey,
};

void trust_x509_init(struct trust_x509 *tx, br_x509_minimal_context *inner)
{
	tx->vtable = &trust_x509_vtable;
	tx->inner = inner;
	tx->ip_len = 0;
	tx->ncert = 0;
	tx->ee_len = 0;
	tx->ee_over = 0;
}

void trust_x509_expect_ip(struct trust_x509 *tx, const unsigned char *ip,
                          size_t len)
{
	tx->ip_len = (len == 4 || len == 16) ? len : 0;
	if (tx->ip_len)
		memcpy(tx->ip, ip, len);
}

void trust_explain(int err, const char *host, unsigned port, char *buf,
                   size_t cap)
{
	if (err == BR_ERR_X509_NOT_TRUSTED)
		snprintf(buf, cap, "TLS: server certificate for %s is not "
		         "trusted; pass --ca-file with the CA that signed it", host);
	else if (err == BR_ERR_X509_BAD_SERVER_NAME)
		snprintf(buf, cap, "TLS: server certificate is not valid for %s "
		         "(name mismatch)", host);
	else if (err == BR_ERR_X509_EXPIRED)
		snprintf(buf, cap, "TLS: server certificate for %s has expired "
		         "or is not yet valid (check the system clock)", host);
	else if (err == BR_ERR_X509_NOT_CA ||
	         err == BR_ERR_X509_FORBIDDEN_KEY_USAGE)
		snprintf(buf, cap, "TLS: server certificate chain for %s is not "
		         "usable for TLS (BearSSL error %d)", host, err);
	else if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, cap, "TLS: %s:%u refused the handshake (alert %d)",
		         host, port, err - BR_ERR_RECV_FATAL_ALERT);
	else if (err == BR_ERR_UNSUPPORTED_VERSION || err == BR_ERR_BAD_VERSION)
		snprintf(buf, cap, "TLS: %s:%u does not offer TLS 1.2", host,
		         port);
	else
		snprintf(buf, cap, "TLS: connection with %s:%u failed (BearSSL "
		         "error %d)", host, port, err);
}
