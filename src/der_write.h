/* Internal: the DER writer shared by der.c (which implements it) and csr.c.
 * Constructed values are written with a one-byte length placeholder that
 * derw_end() widens in place, so callers write in natural order. Errors are
 * sticky: after an overflow every call is a no-op and derw_finish() says
 * AL_E2BIG. */
#ifndef ACMELET_DER_WRITE_H
#define ACMELET_DER_WRITE_H

#include <stddef.h>

#define DERW_MAX_DEPTH 12

/* DER tags used by the writer's callers. */
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_UTF8STRING 0x0c
#define DER_SEQUENCE 0x30
#define DER_SET 0x31

struct derw {
	unsigned char *buf;
	size_t cap, len;
	int err;
	int depth;
	size_t open[DERW_MAX_DEPTH]; /* offsets of the length placeholders */
};

/* Start writing into buf (cap bytes). */
void derw_init(struct derw *w, unsigned char *buf, size_t cap);

/* Open a constructed value with tag; close it with derw_end(). */
void derw_begin(struct derw *w, unsigned char tag);
void derw_end(struct derw *w);

/* A complete primitive value: tag, length, v[0..n). */
void derw_prim(struct derw *w, unsigned char tag, const void *v, size_t n);

/* A BIT STRING holding the whole bytes v[0..n) (no unused bits). */
void derw_bits(struct derw *w, const void *v, size_t n);

/* Bytes already DER-encoded, copied as they are. */
void derw_raw(struct derw *w, const void *v, size_t n);

/* 0 with *len set when every value was written and closed, AL_E2BIG after
 * an overflow, AL_EINVAL when values are still open or nesting was too
 * deep. */
int derw_finish(struct derw *w, size_t *len);

#endif
