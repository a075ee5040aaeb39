/* DNS messages: the bounded writer and parser of msg.h. */
#include <string.h>

#include "dns/msg.h"
#include "err.h"

/* ---- writing ----------------------------------------------------------- */

static void put(struct dns_wr *w, size_t at, uint16_t v)
{
	w->buf[at] = (uint8_t)(v >> 8);
	w->buf[at + 1] = (uint8_t)v;
}

void dns_wr_init(struct dns_wr *w, uint8_t *buf, size_t cap, uint16_t id,
                 uint16_t flags)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->err = 0;
	if (cap < DNS_HDR_LEN) {
		w->err = AL_E2BIG;
		return;
	}
	memset(buf, 0, DNS_HDR_LEN);
	put(w, 0, id);
	put(w, 2, flags);
	w->len = DNS_HDR_LEN;
}

void dns_wr_count(struct dns_wr *w, int sec, uint16_t n)
{
	if (w->cap >= DNS_HDR_LEN && sec >= 0 && sec < 4)
		put(w, 4 + 2 * (size_t)sec, n);
}

void dns_wr_bytes(struct dns_wr *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (n > w->cap - w->len) {
		w->err = AL_E2BIG;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void dns_wr_u16(struct dns_wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	dns_wr_bytes(w, b, 2);
}

void dns_wr_u32(struct dns_wr *w, uint32_t v)
{
	dns_wr_u16(w, (uint16_t)(v >> 16));
	dns_wr_u16(w, (uint16_t)v);
}

/* One byte of a text label at *s, \DDD and \c escapes undone; *s moves
 * past it. -1 for a bad escape. */
static int text_byte(const char **s)
{
	const char *p = *s;
	int v;

	if (*p != '\\') {
		*s = p + 1;
		return (unsigned char)*p;
	}
	if (p[1] >= '0' && p[1] <= '9') {
		if (!(p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9'))
			return -1;
		v = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		*s = p + 4;
		return v > 255 ? -1 : v;
	}
	if (!p[1])
		return -1;
	*s = p + 2;
	return (unsigned char)p[1];
}

void dns_wr_name(struct dns_wr *w, const char *name)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t n = 0, lab;
	const char *s = name;
	int b;

	while (*s) {
		lab = n++;
		while (*s && *s != '.') {
			if ((b = text_byte(&s)) < 0 || n >= DNS_NAME_WIRE_MAX - 1)
				goto bad;
			wire[n++] = (uint8_t)b;
		}
		if (n - lab - 1 == 0 || n - lab - 1 > 63)
			goto bad;
		wire[lab] = (uint8_t)(n - lab - 1);
		if (*s == '.' && !*++s)
			break;          /* a final dot: the same name */
	}
	wire[n++] = 0;
	dns_wr_bytes(w, wire, n);
	return;
bad:
	if (!w->err)
		w->err = AL_EINVAL;
}

void dns_wr_question(struct dns_wr *w, const char *name, uint16_t type,
                     uint16_t cls)
{
	dns_wr_name(w, name);
	dns_wr_u16(w, type);
	dns_wr_u16(w, cls);
}

size_t dns_wr_rr_begin(struct dns_wr *w, const char *name, uint16_t type,
                       uint16_t cls, uint32_t ttl)
{
	size_t off;

	dns_wr_question(w, name, type, cls);
	dns_wr_u32(w, ttl);
	off = w->len;
	dns_wr_u16(w, 0);
	return off;
}

void dns_wr_rr_end(struct dns_wr *w, size_t rdlen_off)
{
	if (w->err || rdlen_off + 2 > w->len)
		return;
	if (w->len - rdlen_off - 2 > 0xffff) {
		w->err = AL_E2BIG;
		return;
	}
	put(w, rdlen_off, (uint16_t)(w->len - rdlen_off - 2));
}

void dns_wr_txt(struct dns_wr *w, const char *value, size_t len)
{
	size_t i = 0, k;
	uint8_t n;

	do {    /* an empty value is one empty string */
		k = len - i > 255 ? 255 : len - i;
		n = (uint8_t)k;
		dns_wr_bytes(w, &n, 1);
		dns_wr_bytes(w, value + i, k);
		i += k;
	} while (i < len);
}

/* ---- parsing ----------------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Append label bytes to out in text form; *o is its length so far. */
static int text_label(const uint8_t *p, size_t n, char *out, size_t *o)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (*o + 5 > DNS_NAME_TEXT_MAX)
			return AL_EPROTO;
		if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
			out[(*o)++] = (char)c;
		} else {
			out[(*o)++] = '\\';
			out[(*o)++] = (char)('0' + c / 100);
			out[(*o)++] = (char)('0' + c / 10 % 10);
			out[(*o)++] = (char)('0' + c % 10);
		}
	}
	return 0;
}

/* Walk the name at *off; out may be NULL (only checked). A pointer must
 * point before the label that holds it, so every jump goes strictly
 * backwards and the walk ends. */
static int name_walk(const uint8_t *buf, size_t len, size_t *off, char *out)
{
	size_t p = *off, o = 0, wire = 1, after = 0;
	int jumped = 0;
	uint8_t l;

	for (;;) {
		if (p >= len)
			return AL_EPROTO;
		l = buf[p];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (p + 1 >= len)
				return AL_EPROTO;
			to = (size_t)(get16(buf + p) & 0x3fff);
			if (to >= p)
				return AL_EPROTO;
			if (!jumped)
				after = p + 2;
			jumped = 1;
			p = to;
			continue;
		}
		if (l & 0xc0)
			return AL_EPROTO;       /* 0x40/0x80: no such label types */
		if (l == 0)
			break;
		wire += (size_t)l + 1;
		if (wire > DNS_NAME_WIRE_MAX || p + 1 + l > len)
			return AL_EPROTO;
		if (out) {
			if (o)
				out[o++] = '.';
			if (text_label(buf + p + 1, l, out, &o))
				return AL_EPROTO;
		}
		p += (size_t)l + 1;
	}
	if (out)
		out[o] = 0;
	*off = jumped ? after : p + 1;
	return 0;
}

int dns_name_read(const struct dns_msg *m, size_t *off, char *out)
{
	return name_walk(m->buf, m->len, off, out);
}

/* Skip one record (q: a question) at *off, checking it. */
static int skip_rr(const uint8_t *buf, size_t len, size_t *off, int q)
{
	size_t p = *off;

	if (name_walk(buf, len, &p, NULL))
		return AL_EPROTO;
	if (q) {
		if (len - p < 4)
			return AL_EPROTO;
		*off = p + 4;
		return 0;
	}
	if (len - p < 10 || len - p - 10 < get16(buf + p + 8))
		return AL_EPROTO;
	*off = p + 10 + get16(buf + p + 8);
	return 0;
}

int dns_parse(struct dns_msg *m, const uint8_t *buf, size_t len)
{
	size_t off = DNS_HDR_LEN;
	int s, i;

	memset(m, 0, sizeof(*m));
	if (!buf || len < DNS_HDR_LEN || len > DNS_MSG_MAX)
		return AL_EPROTO;
	m->buf = buf;
	m->len = len;
	m->id = get16(buf);
	m->flags = get16(buf + 2);
	for (s = 0; s < 4; s++)
		m->count[s] = get16(buf + 4 + 2 * s);
	for (s = 0; s < 4; s++) {
		m->sec_off[s] = off;
		for (i = 0; i < m->count[s]; i++)
			if (skip_rr(buf, len, &off, s == DNS_S_QD))
				return AL_EPROTO;
	}
	m->end = off;
	return 0;
}

int dns_question(const struct dns_msg *m, int i, char *name, uint16_t *type,
                 uint16_t *cls)
{
	size_t off = m->sec_off[DNS_S_QD];
	int k;

	if (i < 0 || i >= m->count[DNS_S_QD])
		return AL_EPROTO;
	for (k = 0; k < i; k++)
		if (skip_rr(m->buf, m->len, &off, 1))
			return AL_EPROTO;
	if (name_walk(m->buf, m->len, &off, name) || m->len - off < 4)
		return AL_EPROTO;
	*type = get16(m->buf + off);
	*cls = get16(m->buf + off + 2);
	return 0;
}

int dns_rr_next(const struct dns_msg *m, size_t *pos, struct dns_rr *rr)
{
	size_t off;
	int idx = (int)*pos, s, first = m->count[DNS_S_QD], total = first;

	for (s = 1; s < 4; s++)
		total += m->count[s];
	if (first + idx >= total)
		return 0;
	/* the section of record idx */
	for (s = 1, first = idx; s < 4 && first >= m->count[s]; s++)
		first -= m->count[s];
	off = m->sec_off[s];
	while (first-- > 0)
		if (skip_rr(m->buf, m->len, &off, 0))
			return AL_EPROTO;
	rr->off = off;
	if (name_walk(m->buf, m->len, &off, rr->name) || m->len - off < 10)
		return AL_EPROTO;
	rr->type = get16(m->buf + off);
	rr->cls = get16(m->buf + off + 2);
	rr->ttl = (uint32_t)get16(m->buf + off + 4) << 16 | get16(m->buf + off + 6);
	rr->rdlen = get16(m->buf + off + 8);
	rr->rdoff = off + 10;
	rr->section = s;
	if (m->len - rr->rdoff < rr->rdlen)
		return AL_EPROTO;
	(*pos)++;
	return 1;
}

int dns_rr_txt(const struct dns_msg *m, const struct dns_rr *rr, char *out,
               size_t cap, size_t *len)
{
	const uint8_t *p = m->buf + rr->rdoff, *end = p + rr->rdlen;
	size_t o = 0;

	if (rr->type != DNS_T_TXT || rr->rdlen == 0)
		return AL_EPROTO;
	while (p < end) {
		size_t n = *p++;

		if (n > (size_t)(end - p))
			return AL_EPROTO;
		if (n >= cap - o)
			return AL_E2BIG;
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = 0;
	if (len)
		*len = o;
	return 0;
}

int dns_rr_target(const struct dns_msg *m, const struct dns_rr *rr,
                  char *out)
{
	size_t off = rr->rdoff;

	if (rr->type != DNS_T_CNAME && rr->type != DNS_T_NS &&
	    rr->type != DNS_T_SOA)
		return AL_EPROTO;
	/* the name must lie inside the RDATA (pointers may leave it) */
	if (name_walk(m->buf, rr->rdoff + rr->rdlen, &off, out))
		return AL_EPROTO;
	return 0;
}

int dns_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

const char *dns_rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE"
	};

	if (rcode >= 0 && rcode <= 10)
		return names[rcode];
	if (rcode == DNS_R_BADSIG)
		return "BADSIG";
	if (rcode == DNS_R_BADKEY)
		return "BADKEY";
	if (rcode == DNS_R_BADTIME)
		return "BADTIME";
	return "unknown rcode";
}

/* ---- whole messages ---------------------------------------------------- */

int dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *name,
                    uint16_t type, int recurse)
{
	struct dns_wr w;

	dns_wr_init(&w, buf, cap, id, recurse ? DNS_F_RD : 0);
	dns_wr_count(&w, DNS_S_QD, 1);
	dns_wr_question(&w, name, type, DNS_C_IN);
	return w.err ? w.err : (int)w.len;
}

int dns_update_txt(uint8_t *buf, size_t cap, uint16_t id, const char *zone,
                   const char *name, const char *value, int add,
                   uint32_t ttl)
{
	struct dns_wr w;
	size_t rd, n = strlen(value);

	if (n > DNS_TXT_MAX)
		return AL_EINVAL;
	dns_wr_init(&w, buf, cap, id, DNS_OP_UPDATE << 11);
	dns_wr_count(&w, DNS_S_QD, 1);          /* zone */
	dns_wr_count(&w, DNS_S_NS, 1);          /* update */
	dns_wr_question(&w, zone, DNS_T_SOA, DNS_C_IN);
	rd = dns_wr_rr_begin(&w, name, DNS_T_TXT, add ? DNS_C_IN : DNS_C_NONE,
	                     add ? ttl : 0);
	dns_wr_txt(&w, value, n);
	dns_wr_rr_end(&w, rd);
	return w.err ? w.err : (int)w.len;
}
