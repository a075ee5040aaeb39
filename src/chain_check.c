/* The served chain, checked before it goes live (see chain_check.h).
 *
 * "Signed by the next" is BearSSL's own X.509 code: br_x509_minimal runs
 * over the one certificate with the next one as its only trust anchor, so
 * the issuer name and the signature must both match. Its clock is set
 * inside the child's validity: dates are checked for the leaf only, here,
 * because CAs still serve cross-signed tops that have expired. */
#include "chain_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "crypto.h"
#include "der.h"
#include "ec.h"
#include "err.h"
#include "log.h"
#include "pem.h"
#include "schedule.h"

#define UNIX_EPOCH_DAYS 719528 /* 1970-01-01 in days since 0000-01-01 */
#define DN_MAX 1024

/* Scratch for one check, allocated once (~24 KiB, off small stacks). */
struct chk {
	unsigned char der[2][CHAIN_CERT_DER_MAX];
	size_t len[2];
	br_x509_decoder_context dc;
	br_x509_minimal_context xc;
	br_x509_trust_anchor ta;
	unsigned char dn[DN_MAX];
	size_t dn_len;
	int dn_over;
	struct cert_facts facts;
	char why[160];
};

static void dn_add(void *ctx, const void *buf, size_t len)
{
	struct chk *k = ctx;

	if (k->dn_over || len > sizeof(k->dn) - k->dn_len) {
		k->dn_over = 1;
		return;
	}
	memcpy(k->dn + k->dn_len, buf, len);
	k->dn_len += len;
}

/* 1 when der[0..len) is exactly one DER element (a certificate with
 * bytes after it is not one). */
static int one_element(const unsigned char *d, size_t len)
{
	size_t n, k, i;

	if (len < 2 || d[0] != 0x30)
		return 0;
	if (d[1] < 0x80)
		return 2 + (size_t)d[1] == len;
	k = d[1] & 0x7f;
	if (k == 0 || k > 3 || len < 2 + k)
		return 0;
	for (n = 0, i = 0; i < k; i++)
		n = (n << 8) | d[2 + i];
	return 2 + k + n == len;
}

/* Decode der (the parent) into k->ta: its subject DN and key. */
static int anchor_from(struct chk *k, const unsigned char *der, size_t len)
{
	const br_x509_pkey *pk;

	k->dn_len = 0;
	k->dn_over = 0;
	br_x509_decoder_init(&k->dc, dn_add, k);
	br_x509_decoder_push(&k->dc, der, len);
	pk = br_x509_decoder_get_pkey(&k->dc);
	if (pk == NULL || k->dn_over)
		return -1;
	k->ta.dn.data = k->dn;
	k->ta.dn.len = k->dn_len;
	k->ta.flags = BR_X509_TA_CA;
	k->ta.pkey = *pk; /* points into k->dc, which lives as long */
	return 0;
}

/* BearSSL's minimal engine over child alone, parent as the anchor. */
static int signed_by(struct chk *k, const unsigned char *child, size_t clen,
                     const unsigned char *parent, size_t plen)
{
	static const struct {
		int id;
		const br_hash_class *impl;
	} hashes[] = {
		{ br_sha256_ID, &br_sha256_vtable },
		{ br_sha384_ID, &br_sha384_vtable },
		{ br_sha512_ID, &br_sha512_vtable },
	};
	const br_x509_class **vt = &k->xc.vtable;
	int64_t mid, days;
	size_t i;

	if (anchor_from(k, parent, plen) != 0 ||
	    cert_facts_der(child, clen, &k->facts) != 0)
		return 0;
	br_x509_minimal_init(&k->xc, &br_sha256_vtable, &k->ta, 1);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		br_x509_minimal_set_hash(&k->xc, hashes[i].id, hashes[i].impl);
	br_x509_minimal_set_rsa(&k->xc, br_rsa_i31_pkcs1_vrfy);
	br_x509_minimal_set_ecdsa(&k->xc, ec_impl(), br_ecdsa_i31_vrfy_asn1);
	mid = k->facts.not_before / 2 + k->facts.not_after / 2;
	days = mid / 86400;
	br_x509_minimal_set_time(&k->xc, (uint32_t)(days + UNIX_EPOCH_DAYS),
	                         (uint32_t)(mid - days * 86400));
	(*vt)->start_chain(vt, NULL);
	(*vt)->start_cert(vt, (uint32_t)clen);
	(*vt)->append(vt, child, clen);
	(*vt)->end_cert(vt);
	return (*vt)->end_chain(vt) == 0;
}

/* The next PEM block of the chain into k->der[slot]: 1 read, 0 none left,
 * -1 malformed (reason in k->why). */
static int next_cert(struct chk *k, const char *pem, size_t len, size_t *off,
                     int slot, int idx)
{
	char label[32];
	size_t end = 0;
	int rc;

	rc = pem_decode_next(pem + *off, len - *off, NULL, k->der[slot],
	                     sizeof(k->der[slot]), &k->len[slot], &end, label,
	                     sizeof(label));
	if (rc == AL_ENOENT)
		return 0;
	if (rc == 0 && strcmp(label, "CERTIFICATE") != 0)
		rc = AL_EINVAL;
	if (rc == 0 && !one_element(k->der[slot], k->len[slot]))
		rc = AL_EPROTO;
	if (rc == 0) {
		br_x509_decoder_init(&k->dc, NULL, NULL);
		br_x509_decoder_push(&k->dc, k->der[slot], k->len[slot]);
		if (br_x509_decoder_last_error(&k->dc) != 0)
			rc = AL_EPROTO;
	}
	if (rc != 0) {
		snprintf(k->why, sizeof(k->why), "PEM block %d is %s", idx + 1,
		         rc == AL_EINVAL ? "not a certificate" :
		         rc == AL_E2BIG ? "too large a certificate" :
		         "not a readable certificate");
		return -1;
	}
	*off += end;
	return 1;
}

/* The leaf: our key, every name, dates around now. */
static int leaf_ok(struct chk *k, const struct chain_want *w,
                   struct cert_facts *f)
{
	char when[32];

	if (cert_facts_der(k->der[0], k->len[0], f) != 0) {
		snprintf(k->why, sizeof(k->why), "its first certificate is "
		         "not readable");
		return 0;
	}
	if (!key_matches_cert(w->key, k->der[0], k->len[0]) ||
	    !cert_covers(f, w->names, w->nnames)) {
		snprintf(k->why, sizeof(k->why), "it is for another key or "
		         "other names");
		return 0;
	}
	if (f->not_before > w->now + CHAIN_SKEW_S)
		snprintf(k->why, sizeof(k->why), "not valid before %s (check "
		         "the clock)", sched_format_utc(f->not_before,
		         SCHED_FMT_LOG, when, sizeof(when)));
	else if (f->not_after <= w->now)
		snprintf(k->why, sizeof(k->why), "it expired %s",
		         sched_format_utc(f->not_after, SCHED_FMT_LOG, when,
		                          sizeof(when)));
	else
		return 1;
	return 0;
}

/* Walk the chain; 1 when every check passed, else 0 with k->why set. */
static int walk(struct chk *k, const char *pem, size_t len,
                const struct chain_want *w, struct cert_facts *leaf,
                size_t *cert_end)
{
	size_t off = 0;
	int n, cur = 0, got;

	got = next_cert(k, pem, len, &off, 0, 0);
	if (got == 0)
		snprintf(k->why, sizeof(k->why), "no certificate in it");
	if (got <= 0)
		return 0;
	*cert_end = off;
	if (!leaf_ok(k, w, leaf))
		return 0;
	for (n = 1;; n++) {
		got = next_cert(k, pem, len, &off, !cur, n);
		if (got < 0)
			return 0;
		if (got == 0)
			return 1;
		if (n >= CHAIN_CERTS_MAX) {
			snprintf(k->why, sizeof(k->why), "more than %d "
			         "certificates", CHAIN_CERTS_MAX);
			return 0;
		}
		if (!signed_by(k, k->der[cur], k->len[cur], k->der[!cur],
		               k->len[!cur])) {
			snprintf(k->why, sizeof(k->why), "certificate %d is not "
			         "signed by certificate %d", n, n + 1);
			return 0;
		}
		cur = !cur;
	}
}

int chain_check(const char *pem, size_t len, const struct chain_want *w,
                struct cert_facts *leaf, size_t *cert_end)
{
	struct chk *k = calloc(1, sizeof(*k));
	int good;

	if (k == NULL) {
		log_err(w->log, "%s: out of memory checking the new chain",
		        w->cert_name);
		return AL_EFAIL;
	}
	good = walk(k, pem, len, w, leaf, cert_end);
	if (!good)
		log_err(w->log, "%s: refusing the certificate chain the CA sent "
		        "(%s); keeping the current certificate", w->cert_name,
		        k->why);
	free(k);
	return good ? 0 : AL_EPROTO;
}
