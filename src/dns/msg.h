/* DNS messages (RFC 1035), our own small writer and parser: what dns-01
 * needs (queries, RFC 2136 updates, TSIG) and nothing more. Bounded: the
 * caller owns every buffer; names are at most 255 bytes on the wire;
 * compression pointers may only point backwards, so a name can never
 * loop; every length is checked against the message before it is read.
 *
 * Names in text are "a.b.c" without the final dot (the root is ""); a
 * byte that is not a visible ASCII character, a '.' or a '\' inside a
 * label is written \DDD, so that a hostile name cannot pass for another. */
#ifndef ACMELET_DNS_MSG_H
#define ACMELET_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_WIRE_MAX 255
#define DNS_NAME_TEXT_MAX (DNS_NAME_WIRE_MAX * 4 + 1) /* \DDD for each byte */
#define DNS_TXT_MAX 1024      /* the longest TXT value we read or write */
#define DNS_UDP_MAX 512       /* no EDNS: longer answers come by TCP */
#define DNS_MSG_MAX 16384     /* the largest answer we accept (TCP) */
#define DNS_HDR_LEN 12

enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_TSIG = 250, DNS_T_ANY = 255
};
enum dns_class { DNS_C_IN = 1, DNS_C_NONE = 254, DNS_C_ANY = 255 };
enum dns_opcode { DNS_OP_QUERY = 0, DNS_OP_UPDATE = 5 };
enum dns_rcode {
	DNS_R_NOERROR = 0, DNS_R_FORMERR = 1, DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3, DNS_R_NOTIMP = 4, DNS_R_REFUSED = 5,
	DNS_R_YXDOMAIN = 6, DNS_R_YXRRSET = 7, DNS_R_NXRRSET = 8,
	DNS_R_NOTAUTH = 9, DNS_R_NOTZONE = 10,
	/* TSIG errors (RFC 8945), in the TSIG record's error field */
	DNS_R_BADSIG = 16, DNS_R_BADKEY = 17, DNS_R_BADTIME = 18
};

/* Header flag bits (the second 16-bit word). */
#define DNS_F_QR 0x8000
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_F_RCODE(f) ((f) & 0xf)

/* Sections, as indexes into the header counts. In an UPDATE they are
 * zone, prerequisite, update and additional. */
enum { DNS_S_QD = 0, DNS_S_AN, DNS_S_NS, DNS_S_AR };

/* ---- writing ----------------------------------------------------------- */

struct dns_wr {
	uint8_t *buf;
	size_t cap, len;
	int err;        /* sticky: the first failure (AL_E2BIG, AL_EINVAL) */
};

/* Start a message in buf (cap bytes) with a header of id and flags and
 * zero counts. */
void dns_wr_init(struct dns_wr *w, uint8_t *buf, size_t cap, uint16_t id,
                 uint16_t flags);

/* Set the count of section sec (DNS_S_*) in the header. */
void dns_wr_count(struct dns_wr *w, int sec, uint16_t n);

void dns_wr_u16(struct dns_wr *w, uint16_t v);
void dns_wr_u32(struct dns_wr *w, uint32_t v);
void dns_wr_bytes(struct dns_wr *w, const void *p, size_t n);

/* A text name, uncompressed. AL_EINVAL (sticky) for an empty label, a
 * label over 63 bytes or a name over 255 bytes on the wire. \DDD and
 * \c escapes are read as written by the parser. */
void dns_wr_name(struct dns_wr *w, const char *name);

/* A question: name, type, class. */
void dns_wr_question(struct dns_wr *w, const char *name, uint16_t type,
                     uint16_t cls);

/* The fixed part of a record; returns the offset of its RDLENGTH for
 * dns_wr_rr_end, which fills it with what was written since. */
size_t dns_wr_rr_begin(struct dns_wr *w, const char *name, uint16_t type,
                       uint16_t cls, uint32_t ttl);
void dns_wr_rr_end(struct dns_wr *w, size_t rdlen_off);

/* TXT RDATA: value (len bytes) as character strings of at most 255. */
void dns_wr_txt(struct dns_wr *w, const char *value, size_t len);

/* A query for name and type (class IN), with RD when recurse: the whole
 * message into buf; its length, or AL_E2BIG / AL_EINVAL. */
int dns_query_build(uint8_t *buf, size_t cap, uint16_t id, const char *name,
                    uint16_t type, int recurse);

/* An RFC 2136 UPDATE of zone that adds (add = 1, with ttl) or deletes
 * (add = 0) exactly the one TXT value at name, and touches nothing else:
 * a delete names the value (class NONE, RFC 2136 §2.5.4), so other TXT
 * values at name stay. Unsigned; its length, or AL_E2BIG / AL_EINVAL. */
int dns_update_txt(uint8_t *buf, size_t cap, uint16_t id, const char *zone,
                   const char *name, const char *value, int add,
                   uint32_t ttl);

/* 0, or the first error of the writer (AL_E2BIG, AL_EINVAL). */
static inline int dns_wr_error(const struct dns_wr *w) { return w->err; }

/* ---- parsing ----------------------------------------------------------- */

struct dns_msg {
	const uint8_t *buf;
	size_t len;
	uint16_t id, flags;
	uint16_t count[4];
	size_t sec_off[4];  /* where each section starts */
	size_t end;         /* just past the last record */
};

struct dns_rr {
	char name[DNS_NAME_TEXT_MAX];
	uint16_t type, cls;
	uint32_t ttl;
	int section;        /* DNS_S_* */
	size_t off;         /* where the record starts */
	size_t rdoff;       /* where its RDATA starts */
	uint16_t rdlen;
};

/* Check a whole message: header, every name (pointers backwards only),
 * every record within the message. 0, or AL_EPROTO for anything
 * truncated, garbled or over the bounds; m is then unusable. */
int dns_parse(struct dns_msg *m, const uint8_t *buf, size_t len);

/* Read the name at *off into out (DNS_NAME_TEXT_MAX bytes); *off moves
 * past it. 0 or AL_EPROTO. */
int dns_name_read(const struct dns_msg *m, size_t *off, char *out);

/* The i-th question's name, type and class. 0 or AL_EPROTO. */
int dns_question(const struct dns_msg *m, int i, char *name, uint16_t *type,
                 uint16_t *cls);

/* Iterate over the records after the questions: *pos starts at 0; each
 * call fills rr with the next record and returns 1, or 0 at the end, or
 * AL_EPROTO (only if m was not checked by dns_parse). */
int dns_rr_next(const struct dns_msg *m, size_t *pos, struct dns_rr *rr);

/* The TXT value of rr, its character strings joined, NUL-terminated in
 * out (cap bytes). 0, AL_EPROTO (garbled), AL_E2BIG. */
int dns_rr_txt(const struct dns_msg *m, const struct dns_rr *rr, char *out,
               size_t cap, size_t *len);

/* The target of a CNAME or NS record, or the MNAME of an SOA, into out
 * (DNS_NAME_TEXT_MAX bytes). 0 or AL_EPROTO. */
int dns_rr_target(const struct dns_msg *m, const struct dns_rr *rr,
                  char *out);

/* 1 when two text names are equal, ignoring ASCII case (RFC 4343). */
int dns_name_eq(const char *a, const char *b);

/* A short name for an RCODE ("REFUSED", "BADSIG", ...). */
const char *dns_rcode_name(int rcode);

#endif
