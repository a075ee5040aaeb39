/* HTTP/1.1 messages for the built-in transport (see http1.h): the request
 * head, and a bounded reader of responses. The response head goes through
 * one 8 KiB buffer, line by line; the body goes straight to the caller's
 * buffer, never through a growing one. Header names are matched without
 * regard to case; obsolete line folding is refused (RFC 9112). */
#include "http1.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"

/* How the body of a response is delimited. */
struct framing {
	long long length;     /* Content-Length, -1 when absent */
	int chunked;
	int close;            /* the connection must not be reused */
};

static void h1_err(struct h1 *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void h1_err(struct h1 *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->err_cap, fmt, ap);
	va_end(ap);
}

/* Set up the reader (see http1.h). */
void h1_init(struct h1 *c, h1_read_fn read, void *ctx, char *err,
             size_t err_cap)
{
	memset(c, 0, sizeof(*c));
	c->read = read;
	c->ctx = ctx;
	c->err = err;
	c->err_cap = err_cap;
	c->host = "";
}

/* A new connection (see http1.h). */
void h1_reset(struct h1 *c, const char *host, unsigned port)
{
	c->host = host;
	c->port = port;
	c->roff = c->rlen = 0;
}

/* Unread bytes (see http1.h). */
size_t h1_buffered(const struct h1 *c)
{
	return c->rlen - c->roff;
}

/* Format the request head into c->buf (see http1.h). */
int h1_request_head(struct h1 *c, const struct h1_req *q, size_t *len)
{
	char port[8] = "", clen[48] = "";
	const char *ct = q->content_type;
	int n;

	c->roff = c->rlen = 0;
	if (q->port != 443)
		snprintf(port, sizeof(port), ":%u", q->port);
	if (q->has_body || strcmp(q->method, "POST") == 0)
		snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n",
		         q->body_len);
	else
		ct = NULL;
	n = q->path_len >= sizeof(c->buf) ? -1 :
	    snprintf((char *)c->buf, sizeof(c->buf),
	             "%s %s%.*s HTTP/1.1\r\nHost: %s%s%s%s\r\n"
	             "User-Agent: %s\r\nAccept: */*\r\n%s%s%s%s\r\n",
	             q->method, q->path_len && q->path[0] == '/' ? "" : "/",
	             (int)q->path_len, q->path, q->ipv6 ? "[" : "", q->host,
	             q->ipv6 ? "]" : "", port, q->user_agent,
	             ct ? "Content-Type: " : "", ct ? ct : "", ct ? "\r\n" : "",
	             clen);
	if (n < 0 || (size_t)n >= sizeof(c->buf)) {
		h1_err(c, "%s:%u: request head longer than %d bytes", q->host,
		       q->port, H1_HEAD_MAX);
		return AL_EINVAL;
	}
	*len = (size_t)n;
	return 0;
}

/* ---- reading ---- */

/* The peer closed: before any byte of the response, the request may be
 * resent; after, the response is cut short. */
static int closed_rc(struct h1 *c)
{
	if (c->got == 0)
		return H1_CLOSED_EARLY;
	h1_err(c, "%s:%u: connection closed before the response was "
	       "complete", c->host, c->port);
	return AL_ECONNECT;
}

/* Read from the stream: >0 bytes, 0 when the peer closed, or a negative
 * code. */
static int rd(struct h1 *c, void *dst, size_t cap)
{
	int n = c->read(c->ctx, dst, cap);

	if (n > 0)
		c->got += (size_t)n;
	return n;
}

/* Append more bytes to buf: >0, 0 on close, or a negative code. */
static int rd_more(struct h1 *c)
{
	int n;

	if (c->roff > 0) {
		memmove(c->buf, c->buf + c->roff, c->rlen - c->roff);
		c->rlen -= c->roff;
		c->roff = 0;
	}
	if (c->rlen == sizeof(c->buf)) {
		h1_err(c, "%s:%u: response line longer than %d bytes", c->host,
		       c->port, H1_HEAD_MAX);
		return AL_EPROTO;
	}
	n = rd(c, c->buf + c->rlen, sizeof(c->buf) - c->rlen);
	if (n > 0)
		c->rlen += (size_t)n;
	return n;
}

/* The next line, without its CRLF and NUL-terminated inside buf; valid
 * until the next read. Header lines (head set) count against the
 * H1_HEAD_MAX budget of the whole response; chunk-size lines are bounded
 * by the buffer and the body's room. */
static int rd_line(struct h1 *c, char **line, size_t *len, int head)
{
	unsigned char *s, *nl;
	size_t n;
	int rc;

	for (;;) {
		s = c->buf + c->roff;
		nl = memchr(s, '\n', c->rlen - c->roff);
		if (nl != NULL)
			break;
		rc = rd_more(c);
		if (rc <= 0)
			return rc == 0 ? closed_rc(c) : rc;
	}
	n = (size_t)(nl - s);
	c->roff += n + 1;
	c->head_used += head ? n + 1 : 0;
	if (c->head_used > H1_HEAD_MAX) {
		h1_err(c, "%s:%u: response head larger than %d bytes", c->host,
		       c->port, H1_HEAD_MAX);
		return AL_EPROTO;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	*line = (char *)s;
	*len = n;
	return 0;
}

/* Copy exactly n bytes of the stream into dst. */
static int rd_copy(struct h1 *c, unsigned char *dst, size_t n)
{
	size_t take;
	int r;

	while (n > 0) {
		take = c->rlen - c->roff;
		if (take == 0) {
			/* Straight from the stream: no second copy. */
			r = rd(c, dst, n);
			if (r <= 0)
				return r == 0 ? closed_rc(c) : r;
			take = (size_t)r;
		} else {
			take = take < n ? take : n;
			memcpy(dst, c->buf + c->roff, take);
			c->roff += take;
		}
		dst += take;
		n -= take;
	}
	return 0;
}

/* ---- the head ---- */

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Join Link values with ", "; a value that does not fit whole is left out
 * rather than cut into a wrong URL. */
static void add_link(char *dst, size_t cap, const char *v, size_t n)
{
	size_t used = strlen(dst), sep = used ? 2 : 0;

	if (n == 0 || used + sep + n >= cap)
		return;
	memcpy(dst + used, ", ", sep);
	memcpy(dst + used + sep, v, n);
	dst[used + sep + n] = '\0';
}

/* 1 when the comma-separated list v contains token tok. */
static int has_token(const char *v, const char *tok)
{
	size_t n = strlen(tok), k;

	while (*v) {
		v += strspn(v, " \t,");
		k = strcspn(v, " \t,");
		if (k == n && strncasecmp(v, tok, n) == 0)
			return 1;
		v += k;
	}
	return 0;
}

static int name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static int frame_header(struct framing *fr, const char *name, size_t nlen,
                        const char *v, size_t vlen)
{
	long long cl = 0;
	size_t i;

	if (name_is(name, nlen, "Content-Length")) {
		if (vlen == 0 || vlen > 18)
			return AL_EPROTO;
		for (i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return AL_EPROTO;
			cl = cl * 10 + (v[i] - '0');
		}
		if (fr->length >= 0 && fr->length != cl)
			return AL_EPROTO;
		fr->length = cl;
	} else if (name_is(name, nlen, "Transfer-Encoding")) {
		if (strcasecmp(v, "chunked") != 0)
			return AL_EPROTO;
		fr->chunked = 1;
	} else if (name_is(name, nlen, "Connection")) {
		fr->close |= has_token(v, "close");
	}
	return 0;
}

/* One header line: keep what ACME needs and what frames the body. */
static int header_line(struct h1 *c, struct http_response *r,
                       struct framing *fr, char *line, size_t n)
{
	char *colon = memchr(line, ':', n), *v, *end = line + n;
	size_t nlen;

	nlen = colon ? (size_t)(colon - line) : 0;
	/* No name, folded lines and "Name :" are all refused (RFC 9112). */
	if (nlen == 0 || strcspn(line, " \t") < nlen) {
		h1_err(c, "%s:%u: malformed response header", c->host, c->port);
		return AL_EPROTO;
	}
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	if (name_is(line, nlen, "Location"))
		copy_value(r->location, sizeof(r->location), v, (size_t)(end - v));
	else if (name_is(line, nlen, "Replay-Nonce"))
		copy_value(r->replay_nonce, sizeof(r->replay_nonce), v,
		           (size_t)(end - v));
	else if (name_is(line, nlen, "Retry-After"))
		copy_value(r->retry_after, sizeof(r->retry_after), v,
		           (size_t)(end - v));
	else if (name_is(line, nlen, "Content-Type"))
		copy_value(r->content_type, sizeof(r->content_type), v,
		           (size_t)(end - v));
	else if (name_is(line, nlen, "Link"))
		add_link(r->links, sizeof(r->links), v, (size_t)(end - v));
	else if (frame_header(fr, line, nlen, v, (size_t)(end - v)) != 0) {
		h1_err(c, "%s:%u: bad %.*s header", c->host, c->port, (int)nlen,
		       line);
		return AL_EPROTO;
	}
	return 0;
}

static int parse_status(const char *s, size_t n, int *status, int *minor)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' ||
	    s[7] > '9' || s[8] != ' ' || (n > 12 && s[12] != ' '))
		return AL_EPROTO;
	if (s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' ||
	    s[11] < '0' || s[11] > '9')
		return AL_EPROTO;
	*minor = s[7] - '0';
	*status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	return 0;
}

/* Empty a response (see http1.h). */
void h1_resp_clear(struct http_response *r)
{
	r->status = 0;
	r->location[0] = r->replay_nonce[0] = r->retry_after[0] = '\0';
	r->content_type[0] = r->links[0] = '\0';
	r->body_len = 0;
	if (r->body != NULL && r->body_cap > 0)
		r->body[0] = '\0';
}

/* Status line and headers; 1xx interim responses are skipped. */
static int read_head(struct h1 *c, struct http_response *r,
                     struct framing *fr)
{
	char *line;
	size_t n;
	int rc, minor = 1, interim = 0;

	c->head_used = 0;
	do {
		if (interim++ > HTTP_INTERIM_MAX) {
			h1_err(c, "%s:%u: more than %d interim (1xx) answers",
			       c->host, c->port, HTTP_INTERIM_MAX);
			return AL_EPROTO;
		}
		h1_resp_clear(r);
		memset(fr, 0, sizeof(*fr));
		fr->length = -1;
		rc = rd_line(c, &line, &n, 1);
		if (rc != 0)
			return rc;
		if (parse_status(line, n, &r->status, &minor) != 0 ||
		    r->status == 101) {
			h1_err(c, "%s:%u: not an HTTP/1.x status line", c->host,
			       c->port);
			return AL_EPROTO;
		}
		while ((rc = rd_line(c, &line, &n, 1)) == 0 && n > 0) {
			rc = header_line(c, r, fr, line, n);
			if (rc != 0)
				return rc;
		}
		if (rc != 0)
			return rc;
	} while (r->status < 200);
	/* HTTP/1.0 keep-alive is not worth its rules: close. */
	if (minor == 0)
		fr->close = 1;
	return 0;
}

/* ---- the body ---- */

static int too_big(struct h1 *c, const struct http_response *r)
{
	h1_err(c, "%s:%u: response body larger than %zu bytes", c->host,
	       c->port, r->body_cap ? r->body_cap - 1 : 0);
	return AL_E2BIG;
}

/* The size of a chunk-size line; more than room counts as room + 1. */
static int chunk_size(const char *line, size_t room, size_t *size)
{
	const char *p = line;
	size_t v = 0;
	int d;

	for (; *p != '\0'; p++) {
		d = *p >= '0' && *p <= '9' ? *p - '0' :
		    *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
		    *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
		if (d < 0)
			break;
		v = v > room / 16 ? room + 1 : v * 16 + (size_t)d;
	}
	*size = v > room ? room + 1 : v;
	/* Chunk extensions (";name=value") are allowed and ignored. */
	return p > line && (*p == '\0' || *p == ';' || *p == ' ' || *p == '\t');
}

/* A chunked body, trailers read and ignored. */
static int read_chunked(struct h1 *c, struct http_response *r, size_t room)
{
	char *line;
	size_t n, size;
	int rc;

	for (;;) {
		rc = rd_line(c, &line, &n, 0);
		if (rc != 0)
			return rc;
		if (!chunk_size(line, room, &size))
			break;
		if (size == 0) { /* trailers share the head's budget */
			while ((rc = rd_line(c, &line, &n, 1)) == 0 && n > 0)
				;
			return rc;
		}
		if (size > room - r->body_len)
			return too_big(c, r);
		rc = rd_copy(c, r->body + r->body_len, size);
		if (rc != 0)
			return rc;
		r->body_len += size;
		rc = rd_line(c, &line, &n, 0);
		if (rc != 0)
			return rc;
		if (n != 0)
			break;
	}
	h1_err(c, "%s:%u: malformed chunked body", c->host, c->port);
	return AL_EPROTO;
}

/* A body delimited by the end of the connection (no length given). */
static int read_to_close(struct h1 *c, struct http_response *r, size_t room)
{
	size_t take;
	int n;

	take = c->rlen - c->roff;
	if (take > room)
		return too_big(c, r);
	if (take > 0)
		memcpy(r->body, c->buf + c->roff, take);
	r->body_len = take;
	c->roff = c->rlen = 0;
	for (;;) {
		/* A full buffer still reads one byte, to tell the end of the
		 * stream from a body that is too large. */
		if (r->body_len == room)
			n = rd(c, c->buf, 1);
		else
			n = rd(c, r->body + r->body_len, room - r->body_len);
		if (n <= 0)
			return n;
		if (r->body_len == room)
			return too_big(c, r);
		r->body_len += (size_t)n;
	}
}

static int read_body(struct h1 *c, struct http_response *r,
                     struct framing *fr, int is_head)
{
	size_t room = r->body && r->body_cap ? r->body_cap - 1 : 0;
	int rc = 0;

	if (is_head || r->status == 204 || r->status == 304)
		rc = 0;
	else if (fr->chunked)
		rc = read_chunked(c, r, room);
	else if (fr->length > (long long)room)
		rc = too_big(c, r);
	else if (fr->length >= 0) {
		rc = rd_copy(c, r->body, (size_t)fr->length);
		r->body_len = (size_t)fr->length;
	} else {
		fr->close = 1;
		rc = read_to_close(c, r, room);
	}
	if (rc == H1_CLOSED_EARLY) /* impossible after a head; keep it an error */
		rc = closed_rc(c);
	if (rc != 0)
		r->body_len = 0;
	if (r->body != NULL && r->body_cap > 0)
		r->body[r->body_len] = '\0';
	return rc;
}

/* Read one response (see http1.h). */
int h1_response(struct h1 *c, struct http_response *r, int is_head,
                int *keep)
{
	struct framing fr;
	int rc;

	*keep = 0;
	c->got = 0;
	rc = read_head(c, r, &fr);
	if (rc == 0)
		rc = read_body(c, r, &fr, is_head);
	if (rc == 0)
		*keep = !fr.close && c->roff == c->rlen;
	return rc;
}
