/* TSIG HMAC-SHA256 signing and checking (RFC 8945 §4.3, §5). */
#include <string.h>

#include <bearssl.h>

#include "dns/tsig.h"
#include "err.h"

static const char ALG[] = "hmac-sha256";

/* The canonical wire form of a text name (lower case, uncompressed) into
 * out (DNS_NAME_WIRE_MAX bytes); its length, or AL_EINVAL. Length bytes
 * are at most 63, below 'A', so lowering every byte is safe. */
static int canon(const char *name, uint8_t *out)
{
	struct dns_wr w;
	uint8_t buf[DNS_HDR_LEN + DNS_NAME_WIRE_MAX];
	size_t i;

	dns_wr_init(&w, buf, sizeof(buf), 0, 0);
	dns_wr_name(&w, name);
	if (dns_wr_error(&w))
		return AL_EINVAL;
	for (i = DNS_HDR_LEN; i < w.len; i++) {
		uint8_t c = buf[i];

		out[i - DNS_HDR_LEN] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
	}
	return (int)(w.len - DNS_HDR_LEN);
}

/* The TSIG variables after the message: key name, class ANY, TTL 0,
 * algorithm, time, fudge, error, other data (RFC 8945 §4.3.3). */
static void mac_vars(br_hmac_context *h, const uint8_t *kn, int knl,
                     const uint8_t *an, int anl, uint64_t t, uint16_t fudge,
                     uint16_t err, const uint8_t *other, uint16_t olen)
{
	uint8_t v[16];

	br_hmac_update(h, kn, (size_t)knl);
	v[0] = 0; v[1] = DNS_C_ANY;
	memset(v + 2, 0, 4);
	br_hmac_update(h, v, 6);
	br_hmac_update(h, an, (size_t)anl);
	for (int i = 0; i < 6; i++)
		v[i] = (uint8_t)(t >> (40 - 8 * i));
	v[6] = (uint8_t)(fudge >> 8); v[7] = (uint8_t)fudge;
	v[8] = (uint8_t)(err >> 8); v[9] = (uint8_t)err;
	v[10] = (uint8_t)(olen >> 8); v[11] = (uint8_t)olen;
	br_hmac_update(h, v, 12);
	br_hmac_update(h, other, olen);
}

int tsig_sign(const struct tsig_key *k, uint8_t *buf, size_t *len,
              size_t cap, int64_t now, uint8_t mac[TSIG_MAC_LEN])
{
	uint8_t kn[DNS_NAME_WIRE_MAX], an[DNS_NAME_WIRE_MAX];
	int knl = canon(k->name, kn), anl = canon(ALG, an);
	uint64_t t = (uint64_t)now & 0xffffffffffffull;
	br_hmac_key_context kc;
	br_hmac_context h;
	struct dns_wr w;
	size_t rd;

	if (knl < 0 || anl < 0 || *len < DNS_HDR_LEN || *len > cap)
		return AL_EINVAL;
	br_hmac_key_init(&kc, &br_sha256_vtable, k->secret, k->secret_len);
	br_hmac_init(&h, &kc, 0);
	br_hmac_update(&h, buf, *len);
	mac_vars(&h, kn, knl, an, anl, t, TSIG_FUDGE, 0, NULL, 0);
	br_hmac_out(&h, mac);

	/* Append the record after what is there (a writer over the tail). */
	w.buf = buf;
	w.cap = cap;
	w.len = *len;
	w.err = 0;
	dns_wr_bytes(&w, kn, (size_t)knl);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	rd = w.len;
	dns_wr_u16(&w, 0);
	dns_wr_bytes(&w, an, (size_t)anl);
	dns_wr_u16(&w, (uint16_t)(t >> 32));
	dns_wr_u32(&w, (uint32_t)t);
	dns_wr_u16(&w, TSIG_FUDGE);
	dns_wr_u16(&w, TSIG_MAC_LEN);
	dns_wr_bytes(&w, mac, TSIG_MAC_LEN);
	dns_wr_bytes(&w, buf, 2);               /* original ID */
	dns_wr_u16(&w, 0);                      /* error */
	dns_wr_u16(&w, 0);                      /* other length */
	dns_wr_rr_end(&w, rd);
	if (dns_wr_error(&w))
		return dns_wr_error(&w);
	dns_wr_count(&w, DNS_S_AR, (uint16_t)(((buf[10] << 8) | buf[11]) + 1));
	*len = w.len;
	return 0;
}

/* The last record of m, when it is a TSIG record in the additional
 * section (RFC 8945 §5.1: it must be last). 1 found, 0 none, <0 bad. */
static int find_tsig(const struct dns_msg *m, struct dns_rr *rr)
{
	size_t pos = 0;
	int r, found = 0;

	while ((r = dns_rr_next(m, &pos, rr)) == 1)
		found = 1;
	if (r < 0)
		return r;
	return found && rr->section == DNS_S_AR && rr->type == DNS_T_TSIG;
}

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

int tsig_check(const struct tsig_key *k, const struct dns_msg *m,
               const uint8_t reqmac[TSIG_MAC_LEN], int64_t now, int *err)
{
	uint8_t kn[DNS_NAME_WIRE_MAX], an[DNS_NAME_WIRE_MAX], want[32], v[2];
	char alg[DNS_NAME_TEXT_MAX];
	struct dns_rr rr;
	br_hmac_key_context kc;
	br_hmac_context h;
	const uint8_t *p, *end, *mac;
	size_t off;
	uint64_t t;
	uint16_t fudge, maclen, orig, olen;
	int knl, anl, r, i, diff = 0;

	*err = 0;
	if ((r = find_tsig(m, &rr)) <= 0)
		return r < 0 ? TSIG_BAD : TSIG_UNSIGNED;
	off = rr.rdoff;
	end = m->buf + rr.rdoff + rr.rdlen;
	if (dns_name_read(m, &off, alg) || off > rr.rdoff + rr.rdlen)
		return TSIG_BAD;
	p = m->buf + off;
	if (end - p < 10)
		return TSIG_BAD;
	t = (uint64_t)g16(p) << 32 | (uint64_t)g16(p + 2) << 16 | g16(p + 4);
	fudge = g16(p + 6);
	maclen = g16(p + 8);
	p += 10;
	if ((size_t)(end - p) < (size_t)maclen + 6)
		return TSIG_BAD;
	mac = p;
	p += maclen;
	orig = g16(p);
	*err = g16(p + 2);
	olen = g16(p + 4);
	p += 6;
	if ((size_t)(end - p) != olen)
		return TSIG_BAD;
	if (*err)
		return TSIG_ERROR;      /* BADSIG/BADKEY answers carry no MAC */
	if (!dns_name_eq(rr.name, k->name) || !dns_name_eq(alg, ALG) ||
	    maclen != TSIG_MAC_LEN)
		return TSIG_BAD;
	knl = canon(k->name, kn);
	anl = canon(ALG, an);
	if (knl < 0 || anl < 0)
		return TSIG_BAD;
	br_hmac_key_init(&kc, &br_sha256_vtable, k->secret, k->secret_len);
	br_hmac_init(&h, &kc, 0);
	v[0] = 0; v[1] = TSIG_MAC_LEN;
	br_hmac_update(&h, v, 2);
	br_hmac_update(&h, reqmac, TSIG_MAC_LEN);
	v[0] = (uint8_t)(orig >> 8); v[1] = (uint8_t)orig;
	br_hmac_update(&h, v, 2);
	br_hmac_update(&h, m->buf + 2, 8);
	v[0] = (uint8_t)((m->count[DNS_S_AR] - 1) >> 8);
	v[1] = (uint8_t)(m->count[DNS_S_AR] - 1);
	br_hmac_update(&h, v, 2);
	br_hmac_update(&h, m->buf + DNS_HDR_LEN, rr.off - DNS_HDR_LEN);
	mac_vars(&h, kn, knl, an, anl, t, fudge, 0, p, olen);
	br_hmac_out(&h, want);
	for (i = 0; i < TSIG_MAC_LEN; i++)
		diff |= want[i] ^ mac[i];
	if (diff)
		return TSIG_BAD;
	if ((int64_t)t > now + fudge || (int64_t)t < now - fudge)
		return TSIG_BAD;
	return TSIG_OK;
}
