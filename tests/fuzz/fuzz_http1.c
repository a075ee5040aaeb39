/* libFuzzer harness: the HTTP/1.1 response reader of the built-in
 * transport (src/http/http1.c), fed from memory as a TLS stream would feed
 * it. The first byte picks HEAD or not and how the stream is cut into
 * reads (the reader must not depend on where reads end); the second the
 * body buffer size. Responses are read while the connection stays
 * reusable, as on a kept-alive connection. Checked: the reader stays in
 * its buffers, every header is NUL-terminated, the body fits and is
 * terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http/http1.h"

struct stream {
	const uint8_t *p;
	size_t len, off, step;
};

static int mem_read(void *ctx, void *dst, size_t cap)
{
	struct stream *s = ctx;
	size_t n = s->len - s->off;

	if (n > cap)
		n = cap;
	if (n > s->step)
		n = s->step;
	memcpy(dst, s->p + s->off, n);
	s->off += n;
	return (int)n;
}

static void check_field(const char *f, size_t cap)
{
	if (strnlen(f, cap) >= cap)
		abort();
}

static void check(const struct http_response *r, const struct h1 *c)
{
	check_field(r->location, sizeof(r->location));
	check_field(r->replay_nonce, sizeof(r->replay_nonce));
	check_field(r->retry_after, sizeof(r->retry_after));
	check_field(r->content_type, sizeof(r->content_type));
	check_field(r->links, sizeof(r->links));
	if (r->body_len >= r->body_cap || r->body[r->body_len] != '\0')
		abort();
	if (r->status < 200 || r->status > 599 || c->roff > c->rlen ||
	    c->rlen > sizeof(c->buf))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t steps[8] = { 1, 2, 7, 64, 512, 1500, 4096, 65536 };
	static const size_t caps[4] = { 1, 16, 1024, 16384 };
	struct stream s;
	struct http_response *r;
	struct h1 *c;
	char err[256];
	int rc, keep = 1, is_head;

	if (size < 2)
		return 0;
	is_head = data[0] & 1;
	s = (struct stream){ data + 2, size - 2, 0, steps[(data[0] >> 1) & 7] };
	c = malloc(sizeof(*c));
	r = malloc(sizeof(*r));
	if (!c || !r)
		abort();
	r->body_cap = caps[data[1] & 3];
	r->body = malloc(r->body_cap); /* exact: ASan sees one byte over */
	if (!r->body)
		abort();
	h1_init(c, mem_read, &s, err, sizeof(err));
	h1_reset(c, "acme.test", 14000);
	for (int i = 0; i < 4 && keep; i++) {
		h1_resp_clear(r);
		keep = 0;
		rc = h1_response(c, r, is_head, &keep);
		if (rc != 0) {
			if (rc > 0 && rc != H1_CLOSED_EARLY)
				abort();
			check_field(err, sizeof(err));
			break;
		}
		check(r, c);
		if (keep && h1_buffered(c) == 0 && s.off == s.len)
			break;
	}
	free(r->body);
	free(r);
	free(c);
	return 0;
}
