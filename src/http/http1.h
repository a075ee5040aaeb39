/* HTTP/1.1 message syntax for the built-in transport (http_bearssl.c), and
 * internal to it: the request head, and the response read from a byte
 * stream (status line, the headers ACME needs, a body framed by
 * Content-Length, chunked coding or the end of the connection).
 *
 * The stream is a callback, so this file knows nothing of sockets or TLS
 * and a unit test can feed it from memory. One fixed buffer holds the
 * request head and then the response head; nothing is allocated. */
#ifndef ACMELET_HTTP1_H
#define ACMELET_HTTP1_H

#include <stddef.h>

#include "http.h"

#define H1_HEAD_MAX HTTP_HEAD_MAX /* request head; all header lines of a response */

/* Returned when the peer closed before the first byte of a response: the
 * one case where a request on a kept-alive connection may be sent again. */
#define H1_CLOSED_EARLY 1

/* Read up to cap bytes of the stream into dst: >0 bytes read, 0 when the
 * peer closed, or a negative AL_E* code after writing the reason into the
 * error buffer given to h1_init(). */
typedef int (*h1_read_fn)(void *ctx, void *dst, size_t cap);

struct h1 {
	h1_read_fn read;
	void *ctx;
	char *err;               /* reasons for failures go here */
	size_t err_cap;
	const char *host;        /* the peer, named in reasons */
	unsigned port;
	size_t got;              /* bytes read for the current response */
	size_t head_used;        /* header bytes of the current response, interim
	                            answers and trailers included */
	size_t roff, rlen;       /* unread bytes: buf[roff..rlen) */
	unsigned char buf[H1_HEAD_MAX];
};

/* One request head. */
struct h1_req {
	const char *method;      /* "GET", "HEAD" or "POST" */
	const char *host;        /* without brackets */
	unsigned port;           /* 443 is left out of Host */
	int ipv6;                /* host is an IPv6 literal: Host gets [] */
	const char *path;        /* path and query; "" means "/" */
	size_t path_len;
	const char *user_agent;
	const char *content_type; /* NULL: none */
	int has_body;            /* send Content-Length (always for POST) */
	size_t body_len;
};

/* Set up c to read through read(ctx, ...); reasons go to err (err_cap
 * bytes, kept by the caller). No peer yet: see h1_reset(). */
void h1_init(struct h1 *c, h1_read_fn read, void *ctx, char *err,
             size_t err_cap);

/* A new connection to host:port (host kept by the caller): bytes buffered
 * from the previous one are dropped. */
void h1_reset(struct h1 *c, const char *host, unsigned port);

/* Bytes received but not consumed by a response: a connection with any is
 * not reusable (the server sent more than it announced). */
size_t h1_buffered(const struct h1 *c);

/* Write the head of req into c->buf, and its length into *len. Needs no
 * unread bytes (h1_buffered() == 0). Returns 0, or AL_EINVAL when the head
 * would not fit in H1_HEAD_MAX bytes (reason set). */
int h1_request_head(struct h1 *c, const struct h1_req *req, size_t *len);

/* Empty r: status 0, every header "", no body (r->body NUL-terminated when
 * it has room). body and body_cap are kept. */
void h1_resp_clear(struct http_response *r);

/* Read one whole response into r (at most HTTP_INTERIM_MAX 1xx interim
 * answers skipped; no body for HEAD, 204 and 304; HTTP_HEAD_MAX header
 * bytes in all, trailers included). *keep says whether the connection may carry
 * another request. Returns 0; H1_CLOSED_EARLY when the peer closed before
 * the first byte; AL_EPROTO for a malformed response, AL_E2BIG for a body
 * over r->body_cap - 1 bytes, AL_ECONNECT when the peer closed in the
 * middle, or what the read callback returned; with the reason set. */
int h1_response(struct h1 *c, struct http_response *r, int is_head,
                int *keep);

#endif
