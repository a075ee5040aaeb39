/* PEM over BearSSL's streaming decoder and its encoder. */
#include <string.h>
#include <strings.h>

#include <bearssl.h>

#include "err.h"
#include "pem.h"

/* Where the decoded bytes of the object we want go; buf NULL discards. */
struct pem_sink {
	unsigned char *buf;
	size_t cap, len;
	int overflow;
};

static void pem_sink_push(void *ctx, const void *src, size_t n)
{
	struct pem_sink *s = ctx;

	if (s->overflow || n > s->cap - s->len) {
		s->overflow = 1;
		return;
	}
	memcpy(s->buf + s->len, src, n);
	s->len += n;
}

/* Copy an object name without the trailing dashes BearSSL keeps when the
 * BEGIN line ends in CR LF. */
static void pem_name(char name[128], const char *src)
{
	size_t n = strnlen(src, 127);

	while (n > 0 && (src[n - 1] == '-' || (unsigned char)src[n - 1] <= ' '))
		n--;
	memcpy(name, src, n);
	name[n] = '\0';
}

/* Feed text[0..len) to dec until one object matching label ends. Returns 0
 * (object in sink, *end set), AL_ENOENT, AL_EPROTO or AL_E2BIG. */
static int pem_scan(br_pem_decoder_context *dec, const char *text,
                    size_t len, const char *label, struct pem_sink *sink,
                    size_t *end, char name[128])
{
	size_t off = 0;
	int inside = 0, want = 0, tail = 0;

	for (;;) {
		int ev;

		if (off < len) {
			off += br_pem_decoder_push(dec, text + off, len - off);
		} else if (inside && !tail) {
			/* The END line may lack its newline at the end of a
			 * file; the decoder only closes an object on one. */
			tail = 1;
			br_pem_decoder_push(dec, "\n", 1);
		}
		ev = br_pem_decoder_event(dec);
		if (ev == BR_PEM_BEGIN_OBJ) {
			inside = 1;
			pem_name(name, br_pem_decoder_name(dec));
			want = !label || strcasecmp(name, label) == 0;
			sink->len = 0;
			sink->overflow = 0;
			if (want && sink->buf)
				br_pem_decoder_setdest(dec, pem_sink_push, sink);
			else
				br_pem_decoder_setdest(dec, NULL, NULL);
		} else if (ev == BR_PEM_END_OBJ) {
			inside = 0;
			if (want) {
				*end = off;
				return sink->overflow ? AL_E2BIG : AL_OK;
			}
		} else if (ev == BR_PEM_ERROR) {
			return AL_EPROTO;
		} else if (off >= len && (!inside || tail)) {
			return inside ? AL_EPROTO : AL_ENOENT;
		}
	}
}

/* Decode the next PEM object of text whose label is label (NULL: any). */
int pem_decode_next(const char *text, size_t len, const char *label,
                    unsigned char *der, size_t cap, size_t *der_len,
                    size_t *end, char *label_out, size_t label_cap)
{
	br_pem_decoder_context dec;
	struct pem_sink sink = { der, der ? cap : 0, 0, 0 };
	char name[128];
	size_t stop = 0;
	int rc;

	br_pem_decoder_init(&dec);
	rc = pem_scan(&dec, text, len, label, &sink, &stop, name);
	if (rc == AL_OK && label_out) {
		if (strlen(name) >= label_cap)
			rc = AL_E2BIG;
		else
			memcpy(label_out, name, strlen(name) + 1);
	}
	if (rc == AL_OK || rc == AL_E2BIG) {
		if (end)
			*end = stop;
		if (der_len)
			*der_len = sink.len;
	}
	return rc;
}

/* Encode der as PEM with 64-character lines, as openssl writes it. */
int pem_encode(const unsigned char *der, size_t n, const char *label,
               char *out, size_t cap, size_t *len)
{
	size_t need = br_pem_encode(NULL, der, n, label, BR_PEM_LINE64);

	if (!out || need >= cap)
		return AL_E2BIG;
	br_pem_encode(out, der, n, label, BR_PEM_LINE64);
	if (len)
		*len = need;
	return AL_OK;
}

/* Count the CERTIFICATE objects of text; -1 when one is malformed. */
int pem_count_certs(const char *text, size_t len)
{
	br_pem_decoder_context dec;
	struct pem_sink sink = { NULL, 0, 0, 0 };
	char name[128];
	size_t off = 0;
	int n = 0;

	if (!text)
		return len ? -1 : 0;
	for (;;) {
		size_t end = 0;
		int rc;

		br_pem_decoder_init(&dec);
		rc = pem_scan(&dec, text + off, len - off, "CERTIFICATE", &sink,
		              &end, name);
		if (rc == AL_ENOENT)
			return n;
		if (rc != AL_OK || n == 0x7fff)
			return -1;
		n++;
		off += end > len - off ? len - off : end;
	}
}
