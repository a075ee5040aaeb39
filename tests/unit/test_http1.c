/* http1.c from memory: request heads compared with the bytes RFC 9112
 * prescribes, and responses fed through a stream that hands out a few
 * bytes per read (1, 3, 7 and all at once), so every line and body split
 * is crossed. No network: this test also runs under qemu-user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http/http1.h"
#include "tap.h"

/* A byte stream: at most chunk bytes per read; then 0 (closed), or fail
 * (a negative code) when set. */
struct mem {
	const char *data;
	size_t len, pos, chunk;
	int fail;
};

static int mem_read(void *ctx, void *dst, size_t cap)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos;

	if (n == 0)
		return m->fail;
	if (n > m->chunk)
		n = m->chunk;
	if (n > cap)
		n = cap;
	memcpy(dst, m->data + m->pos, n);
	m->pos += n;
	return (int)n;
}

struct rig {
	struct mem m;
	struct h1 c;
	char err[HTTP_ERR_MAX];
	struct http_response r;
	unsigned char body[64];
	int keep;
};

/* Parse one response from data, read chunk bytes at a time. */
static int parse(struct rig *g, const char *data, size_t chunk, int is_head)
{
	memset(g, 0, sizeof(*g));
	g->m.data = data;
	g->m.len = strlen(data);
	g->m.chunk = chunk;
	h1_init(&g->c, mem_read, &g->m, g->err, sizeof(g->err));
	h1_reset(&g->c, "example.test", 443);
	memset(&g->r, 0x55, sizeof(g->r));
	g->r.body = g->body;
	g->r.body_cap = sizeof(g->body);
	h1_resp_clear(&g->r);
	return h1_response(&g->c, &g->r, is_head, &g->keep);
}

static const size_t chunks[] = { 1, 3, 7, 100000 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

static void test_request_head(void)
{
	struct h1 c;
	char err[HTTP_ERR_MAX], path[H1_HEAD_MAX];
	size_t n = 0;
	struct h1_req q = { "GET", "example.com", 443, 0, "/dir", 4, "ua/1",
	                    "text/plain", 0, 0 };

	h1_init(&c, mem_read, NULL, err, sizeof(err));
	is_int(h1_request_head(&c, &q, &n), 0, "GET head");
	ok(n == strlen((char *)c.buf) && memcmp(c.buf, "GET /dir HTTP/1.1\r\n"
	   "Host: example.com\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n",
	   n + 1) == 0, "GET: request line, Host without :443, no "
	   "Content-Type without a body");

	q = (struct h1_req){ "POST", "example.com", 14000, 0, "/acme/new?x=1",
	                     13, "ua/1", "application/jose+json", 1, 5 };
	is_int(h1_request_head(&c, &q, &n), 0, "POST head");
	is_str((char *)c.buf, "POST /acme/new?x=1 HTTP/1.1\r\n"
	       "Host: example.com:14000\r\nUser-Agent: ua/1\r\nAccept: */*\r\n"
	       "Content-Type: application/jose+json\r\nContent-Length: 5\r\n\r\n",
	       "POST: port in Host, Content-Type and Content-Length");

	q = (struct h1_req){ "POST", "::1", 8443, 1, "", 0, "u", NULL, 0, 0 };
	is_int(h1_request_head(&c, &q, &n), 0, "POST without a body");
	is_str((char *)c.buf, "POST / HTTP/1.1\r\nHost: [::1]:8443\r\n"
	       "User-Agent: u\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n",
	       "IPv6 Host in brackets, empty path is /, Content-Length: 0");

	q = (struct h1_req){ "HEAD", "h", 443, 0, "?q#frag", 2, "u", NULL, 0, 0 };
	is_int(h1_request_head(&c, &q, &n), 0, "HEAD head");
	is_str((char *)c.buf, "HEAD /?q HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\n"
	       "Accept: */*\r\n\r\n", "a query alone gets a /; path_len is "
	       "respected");

	memset(path, 'a', sizeof(path) - 100);
	path[0] = '/';
	q = (struct h1_req){ "GET", "h", 443, 0, path, sizeof(path) - 100, "u",
	                     NULL, 0, 0 };
	is_int(h1_request_head(&c, &q, &n), 0, "a head of %zu bytes fits",
	       n);
	q.path_len = sizeof(path) - 40;
	memset(path, 'a', sizeof(path));
	is_int(h1_request_head(&c, &q, &n), AL_EINVAL, "one over 8 KiB does not");
	ok(strstr(err, "longer than 8192") != NULL, "reason: %s", err);
}

static const char acme_resp[] =
	"HTTP/1.1 201 Created\r\n"
	"Server: nginx\r\n"
	"Content-Type: application/json\r\n"
	"replay-nonce: abc_DEF-1\r\n"
	"LOCATION:https://x.test/acct/1\r\n"
	"Link: <https://x.test/dir>;rel=\"index\"\r\n"
	"Retry-After:   7  \r\n"
	"link: <https://x.test/tos>;rel=\"terms-of-service\"\r\n"
	"Content-Length: 11\r\n"
	"\r\n"
	"hello world";

static void test_acme_response(void)
{
	struct rig g;
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		is_int(parse(&g, acme_resp, chunks[i], 0), 0,
		       "201 read %zu bytes at a time", chunks[i]);
		ok(g.r.status == 201 && strcmp(g.r.content_type,
		   "application/json") == 0 && strcmp(g.r.replay_nonce,
		   "abc_DEF-1") == 0 && strcmp(g.r.location,
		   "https://x.test/acct/1") == 0 && strcmp(g.r.retry_after,
		   "7") == 0, "status and headers, any case, trimmed");
		is_str(g.r.links, "<https://x.test/dir>;rel=\"index\", "
		       "<https://x.test/tos>;rel=\"terms-of-service\"",
		       "Link values joined");
		ok(g.r.body_len == 11 && strcmp((char *)g.body, "hello world") == 0,
		   "body by Content-Length, NUL-terminated");
		ok(g.keep == 1 && h1_buffered(&g.c) == 0, "connection reusable");
	}
	/* The same bytes with a HEAD request: no body is read. */
	is_int(parse(&g, acme_resp, 100000, 1), 0, "as the answer to HEAD");
	ok(g.r.body_len == 0 && g.body[0] == '\0', "no body for HEAD");
	ok(g.keep == 0 && h1_buffered(&g.c) == 11, "the 11 bytes are left: not "
	   "reusable");
}

static void test_chunked(void)
{
	/* The classic example of chunked coding (Wikipedia), with a chunk
	 * extension and a trailer. */
	static const char resp[] =
		"HTTP/1.1 200 OK\r\n"
		"Transfer-Encoding: chunked\r\n"
		"\r\n"
		"4\r\nWiki\r\n"
		"5;name=value\r\npedia\r\n"
		"E\r\n in\r\n\r\nchunks.\r\n"
		"0\r\n"
		"Expires: never\r\n"
		"\r\n";
	struct rig g;
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		is_int(parse(&g, resp, chunks[i], 0), 0, "chunked, %zu at a time",
		       chunks[i]);
		is_str((char *)g.body, "Wikipedia in\r\n\r\nchunks.",
		       "chunks joined");
		ok(g.r.body_len == 23 && g.keep == 1, "23 bytes, reusable");
	}
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "zz\r\n", 100000, 0), AL_EPROTO, "a bad chunk size");
	ok(strstr(g.err, "example.test:443: malformed chunked body") != NULL,
	   "reason names the peer: %s", g.err);
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "4\r\nWikiX\r\n0\r\n\r\n", 100000, 0), AL_EPROTO,
	       "a chunk longer than announced");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "ffffffffffffffffffffffff\r\n", 100000, 0), AL_E2BIG,
	       "a huge chunk size does not wrap around");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	       "20\r\n0123456789abcdef0123456789abcdef\r\n"
	       "20\r\n0123456789abcdef0123456789abcdef\r\n0\r\n\r\n", 7, 0),
	       AL_E2BIG, "64 bytes of chunks do not fit in 64");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	       100000, 0), AL_EPROTO, "another transfer coding");
	ok(strstr(g.err, "bad Transfer-Encoding header") != NULL, "reason: %s",
	   g.err);
}

static void test_framing(void)
{
	struct rig g;

	is_int(parse(&g, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early "
	       "Hints\r\nLink: <https://x.test/early>\r\n\r\nHTTP/1.1 200 OK\r\n"
	       "Content-Length: 5\r\n\r\nfinal", 3, 0), 0, "after 100 and 103");
	ok(g.r.status == 200 && g.r.links[0] == '\0' &&
	   strcmp((char *)g.body, "final") == 0, "the final answer only");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\n\r\nuntil close", 3, 0), 0,
	       "no length: body until the peer closes");
	ok(strcmp((char *)g.body, "until close") == 0 && g.keep == 0,
	   "all of it, and the connection is done");
	is_int(parse(&g, "HTTP/1.1 204 No Content\r\nReplay-Nonce: n\r\n\r\n",
	       100000, 0), 0, "204 without a length");
	ok(g.r.status == 204 && g.r.body_len == 0 && g.keep == 1,
	   "no body, reusable");
	is_int(parse(&g, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 100000,
	       0), 0, "HTTP/1.0");
	ok(g.keep == 0, "HTTP/1.0: not reused");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n"
	       "Content-Length: 2\r\n\r\nok", 100000, 0), 0, "Connection: close");
	ok(g.keep == 0, "Connection: close: not reused");
	is_int(parse(&g, "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 1, 0), 0,
	       "bare LF line ends");
	is_str((char *)g.body, "ok", "their body");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	       "Content-Length: 2\r\n\r\nok", 100000, 0), 0,
	       "the same Content-Length twice");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	       "Content-Length: 3\r\n\r\nok!", 100000, 0), AL_EPROTO,
	       "two different Content-Lengths");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 100000,
	       0), AL_EPROTO, "a negative Content-Length");
}

static void test_limits(void)
{
	static char big[H1_HEAD_MAX + 200];
	char loc[HTTP_LOCATION_MAX + 100], link[HTTP_LINKS_MAX + 10];
	struct rig g;
	char want[HTTP_LOCATION_MAX];

	is_int(parse(&g, "HTTP/1.1 200 OK\r\nContent-Length: 63\r\n\r\n"
	       "012345678901234567890123456789012345678901234567890123456789012",
	       7, 0), 0, "63 bytes fit in 64");
	is_int(parse(&g, "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n", 7, 0),
	       AL_E2BIG, "64 do not, known from the length alone");
	ok(strstr(g.err, "larger than 63 bytes") != NULL, "reason: %s", g.err);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "HTTP/1.1 200 OK\r\n\r\n", 19);
	is_int(parse(&g, big, 100000, 0), AL_E2BIG,
	       "to close: more than fits");

	memset(loc, 'a', sizeof(loc));
	memcpy(loc, "Location: ", 10);
	loc[sizeof(loc) - 1] = '\0';
	memset(link, 'b', sizeof(link));
	link[sizeof(link) - 1] = '\0';
	snprintf(big, sizeof(big), "HTTP/1.1 302 Found\r\n%s\r\nLink: <%s>\r\n"
	         "Link: <https://x.test/ok>\r\nContent-Length: 0\r\n\r\n",
	         loc, link);
	is_int(parse(&g, big, 100000, 0), 0, "an over-long Location");
	memset(want, 'a', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	is_str(g.r.location, want, "cut to its field, NUL-terminated");
	is_str(g.r.links, "<https://x.test/ok>", "an over-long Link is left "
	       "out, not cut; the next one is kept");

	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	is_int(parse(&g, big, 100000, 0), AL_EPROTO, "an endless header line");
	ok(strstr(g.err, "longer than 8192") != NULL, "reason: %s", g.err);
}

static void test_malformed(void)
{
	static const struct {
		const char *data;
		int rc;
		const char *what;
	} cases[] = {
		{ "HTTP/2 200\r\n\r\n", AL_EPROTO, "HTTP/2 status line" },
		{ "ICY 200 OK\r\n\r\n", AL_EPROTO, "not HTTP" },
		{ "HTTP/1.1 20 OK\r\n\r\n", AL_EPROTO, "two-digit status" },
		{ "HTTP/1.1 600 X\r\n\r\n", AL_EPROTO, "status 600" },
		{ "HTTP/1.1 200OK\r\n\r\n", AL_EPROTO, "no space after status" },
		{ "HTTP/1.1 101 Switching\r\n\r\n", AL_EPROTO, "101" },
		{ "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", AL_EPROTO,
		  "obsolete line folding" },
		{ "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n", AL_EPROTO,
		  "header without a colon" },
		{ "HTTP/1.1 200 OK\r\nName : v\r\n\r\n", AL_EPROTO,
		  "space before the colon" },
		{ "", H1_CLOSED_EARLY, "closed before a byte: may resend" },
		{ "HTTP/1.1 200 OK\r\nContent-Le", AL_ECONNECT,
		  "closed in the head" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello",
		  AL_ECONNECT, "closed in the body" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWi",
		  AL_ECONNECT, "closed in a chunk" },
	};
	struct rig g;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(parse(&g, cases[i].data, 3, 0), cases[i].rc, "%s",
		       cases[i].what);
		ok(g.body[0] == '\0' && g.r.body_len == 0 &&
		   (cases[i].rc > 0 || g.err[0] != '\0'), "no body, a reason: %s",
		   g.err);
	}
}

/* A transport error in the middle passes through unchanged. */
static void test_stream_error(void)
{
	struct rig g;

	memset(&g, 0, sizeof(g));
	g.m.data = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhel";
	g.m.len = strlen(g.m.data);
	g.m.chunk = 5;
	g.m.fail = AL_ETIMEOUT;
	h1_init(&g.c, mem_read, &g.m, g.err, sizeof(g.err));
	h1_reset(&g.c, "example.test", 443);
	g.r.body = g.body;
	g.r.body_cap = sizeof(g.body);
	is_int(h1_response(&g.c, &g.r, 0, &g.keep), AL_ETIMEOUT,
	       "the stream's own error code");
	ok(g.keep == 0 && g.body[0] == '\0', "not reusable, no body");
}

int main(void)
{
	test_request_head();
	test_acme_response();
	test_chunked();
	test_framing();
	test_limits();
	test_malformed();
	test_stream_error();
	return tap_done();
}
