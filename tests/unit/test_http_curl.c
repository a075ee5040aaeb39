/* http_curl.c over real sockets: a local HTTPS server (https_echo.py,
 * beside this file) with a certificate made here by openssl. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "http/http.h"
#include "log.h"
#include "tap.h"
#include "testlib.h"

struct env {
	char dir[64];
	char cert[96], key[96], other[96], other_key[96], portfile[96];
	char base[64]; /* https://127.0.0.1:PORT */
	int port;
	pid_t server;
	struct logger log;
};

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int make_cert(const char *cert, const char *key)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
	         "ec_paramgen_curve:P-256 -nodes -keyout %s -out %s -days 2 "
	         "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
	         ">/dev/null 2>&1", key, cert);
	return system(cmd);
}

static int start_server(struct env *e)
{
	e->port = start_py_server("https_echo.py", e->cert, e->key,
	                          e->portfile, &e->server);
	snprintf(e->base, sizeof(e->base), "https://127.0.0.1:%d", e->port);
	return e->port > 0 ? 0 : -1;
}

static int setup(struct env *e)
{
	snprintf(e->dir, sizeof(e->dir), "/tmp/acmelet-http-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->cert, sizeof(e->cert), "%s/cert.pem", e->dir);
	snprintf(e->key, sizeof(e->key), "%s/key.pem", e->dir);
	snprintf(e->other, sizeof(e->other), "%s/other.pem", e->dir);
	snprintf(e->other_key, sizeof(e->other_key), "%s/other-key.pem",
	         e->dir);
	snprintf(e->portfile, sizeof(e->portfile), "%s/port", e->dir);
	e->log.level = LOG_LVL_DEBUG;
	e->log.use_syslog = 0;
	if (make_cert(e->cert, e->key) || make_cert(e->other, e->other_key))
		return -1;
	return start_server(e);
}

static void teardown(struct env *e)
{
	stop_server(e->server);
	unlink(e->cert);
	unlink(e->key);
	unlink(e->other);
	unlink(e->other_key);
	unlink(e->portfile);
	rmdir(e->dir);
}

static int get(struct http *h, const struct env *e, const char *path,
               struct http_response *r, unsigned char *buf, size_t cap)
{
	char url[256];

	snprintf(url, sizeof(url), "%s%s", e->base, path);
	r->body = buf;
	r->body_cap = cap;
	return http_request(h, "GET", url, NULL, NULL, 0, r);
}

static struct http *open_with(struct env *e, const char *ca, int timeout)
{
	struct http_opts o = { ca, timeout, "acmelet-test/1", &e->log, NULL, NULL };
	struct http *h = NULL;

	if (http_open(&h, &o) != 0)
		return NULL;
	return h;
}

static void test_get_headers(struct env *e, struct http *h)
{
	static struct http_response r;
	unsigned char buf[256];
	char want[128];
	unsigned req, conns;

	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), 0, "GET /hello");
	is_int(r.status, 200, "status 200");
	is_str((char *)buf, "{\"hello\":\"world\"}", "body");
	is_int(r.body_len, 17, "body length");
	is_str(r.replay_nonce, "nonce-abc_123", "Replay-Nonce, any case, trimmed");
	snprintf(want, sizeof(want), "%s/acme/order/1", e->base);
	is_str(r.location, want, "Location");
	is_str(r.links, "<https://127.0.0.1/dir>;rel=\"index\", "
	       "<https://127.0.0.1/cert/1/alt>;rel=\"alternate\"",
	       "both Link headers joined");
	is_str(r.retry_after, "7", "Retry-After");
	is_str(r.content_type, "application/json", "Content-Type");

	is_int(get(h, e, "/conns", &r, buf, sizeof(buf)), 0,
	       "GET /conns");
	long before = strtol((char *)buf, NULL, 10);
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), 0, "GET again");
	get(h, e, "/conns", &r, buf, sizeof(buf));
	is_int(strtol((char *)buf, NULL, 10), before,
	       "server saw no new connection");
	is_str(r.replay_nonce, "", "headers of the previous response cleared");
	http_stats(h, &req, &conns);
	is_int(req, 4, "4 requests counted");
	is_int(conns, 1, "1 connection counted");

	r.body = buf;
	r.body_cap = sizeof(buf);
	snprintf(want, sizeof(want), "%s/hello", e->base);
	is_int(http_request(h, "HEAD", want, NULL, NULL, 0, &r), 0, "HEAD");
	ok(r.status == 200 && r.body_len == 0 && buf[0] == '\0',
	   "HEAD: 200, no body");
	is_str(r.replay_nonce, "nonce-abc_123", "HEAD: Replay-Nonce");
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), 0, "GET after HEAD");
	is_int(r.body_len, 17, "GET after HEAD has its body");
	http_stats(h, &req, &conns);
	is_int(conns, 1, "still 1 connection after HEAD");
}

static void test_post(struct env *e, struct http *h)
{
	static struct http_response r;
	static unsigned char buf[4096];
	static char big[2001], want[2100];
	char url[128];

	snprintf(url, sizeof(url), "%s/echo", e->base);
	r.body = buf;
	r.body_cap = sizeof(buf);
	is_int(http_request(h, "POST", url, "application/jose+json",
	                    "{\"a\":1}", 7, &r), 0, "POST");
	is_str((char *)buf, "POST application/jose+json acmelet-test/1 -\n"
	       "{\"a\":1}", "server got method, type, agent, body");
	memset(big, 'b', 2000);
	is_int(http_request(h, "POST", url, NULL, big, 2000, &r), 0,
	       "POST 2000 bytes, no content type");
	snprintf(want, sizeof(want), "POST - acmelet-test/1 -\n%s", big);
	is_str((char *)buf, want, "no Content-Type, no Expect sent");
	is_int(http_request(h, "POST", url, NULL, NULL, 0, &r), 0,
	       "POST-as-GET with an empty body");
	is_str((char *)buf, "POST - acmelet-test/1 -\n", "empty body sent");
	is_int(http_request(h, "PUT", url, NULL, NULL, 0, &r), AL_EINVAL,
	       "PUT refused");
	is_int(http_request(h, "POST", url, "a\r\nX-Evil: 1", "", 0, &r),
	       AL_EINVAL, "CRLF in the content type refused");
}

static void test_status(struct env *e, struct http *h)
{
	static struct http_response r;
	unsigned char buf[512];

	is_int(get(h, e, "/redirect", &r, buf, sizeof(buf)), 0, "302");
	ok(r.status == 302 && strcmp(r.location, "/hello") == 0 &&
	   strcmp((char *)buf, "moved") == 0, "redirect not followed");
	is_int(get(h, e, "/early", &r, buf, sizeof(buf)), 0, "103 then 200");
	ok(r.status == 200 && strcmp(r.replay_nonce, "final") == 0 &&
	   r.links[0] == '\0' && strcmp((char *)buf, "final") == 0,
	   "only the final response's headers are kept");
	is_int(get(h, e, "/status/404", &r, buf, sizeof(buf)), 0, "404 is 0");
	is_int(r.status, 404, "status 404");

	is_int(get(h, e, "/longheaders", &r, buf, sizeof(buf)), 0,
	       "long headers");
	ok(strlen(r.location) == HTTP_LOCATION_MAX - 1 &&
	   strncmp(r.location, "https://x/LLL", 13) == 0, "Location truncated");
	is_int(strlen(r.replay_nonce), HTTP_NONCE_MAX - 1, "nonce truncated");
	is_int(strlen(r.retry_after), HTTP_RETRY_AFTER_MAX - 1,
	       "Retry-After truncated");
	is_int(strlen(r.content_type), HTTP_CTYPE_MAX - 1,
	       "Content-Type truncated");
	ok(strlen(r.links) < HTTP_LINKS_MAX && strlen(r.links) > 1900 &&
	   strncmp(r.links, "<https://x/00kk", 15) == 0 &&
	   strstr(r.links, ">, <https://x/01kk"), "links joined and bounded");
}

static void test_body_cap(struct env *e, struct http *h)
{
	static struct http_response r;
	static unsigned char buf[8192];
	int same = 1;

	buf[100] = 'Z';
	is_int(get(h, e, "/big/100", &r, buf, 100), AL_E2BIG,
	       "100 bytes in a 100-byte buffer -> AL_E2BIG");
	ok(buf[100] == 'Z', "nothing written past body_cap");
	ok(strstr(http_error(h), "larger than 99 bytes") != NULL,
	   "reason: %s", http_error(h));
	is_int(get(h, e, "/big/100", &r, buf, 101), 0, "exact fit");
	for (int i = 0; i < 100; i++)
		same &= buf[i] == 'a' + i % 26;
	ok(same && buf[100] == '\0' && r.body_len == 100, "body and NUL");
	is_int(get(h, e, "/big/100000", &r, buf, sizeof(buf)), AL_E2BIG,
	       "100000 bytes in 8192 -> AL_E2BIG");
	is_int(r.body_len, 0, "no partial body reported");
	is_int(get(h, e, "/big/8000", &r, buf, sizeof(buf)), 0,
	       "next request works");
	is_int(r.body_len, 8000, "8000 bytes received");
}

static void test_tls_failures(struct env *e)
{
	static struct http_response r;
	unsigned char buf[256];
	struct http *h;
	char url[128];

	h = open_with(e, NULL, 5);
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), AL_ETLS,
	       "system CAs only -> AL_ETLS");
	ok(starts(http_error(h), "TLS: server certificate not trusted (") &&
	   strstr(http_error(h), "pass --ca-file with the CA"),
	   "reason: %s", http_error(h));
	http_close(h);

	h = open_with(e, e->other, 5);
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), AL_ETLS,
	       "wrong CA -> AL_ETLS");
	ok(strstr(http_error(h), "not trusted") != NULL, "reason: %s",
	   http_error(h));
	http_close(h);

	h = open_with(e, "/nonexistent/ca.pem", 5);
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), AL_ETLS,
	       "missing CA file -> AL_ETLS");
	ok(strstr(http_error(h), "cannot load CA file /nonexistent/ca.pem"),
	   "reason: %s", http_error(h));
	http_close(h);

	h = open_with(e, e->cert, 5);
	snprintf(url, sizeof(url), "https://localhost:%d/hello", e->port);
	r.body = buf;
	r.body_cap = sizeof(buf);
	is_int(http_request(h, "GET", url, NULL, NULL, 0, &r), AL_ETLS,
	       "certificate for 127.0.0.1 used as localhost -> AL_ETLS");
	ok(starts(http_error(h), "TLS: server certificate of localhost:") &&
	   !strstr(http_error(h), "--ca-file"),
	   "reason without the --ca-file hint: %s", http_error(h));
	http_close(h);
}

static void test_net_failures(struct env *e)
{
	static struct http_response r;
	unsigned char buf[256];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	char url[128], want[128];
	struct http *h = open_with(e, e->cert, 1);
	/* Bound but not listening: connecting is refused, and the port
	 * cannot be taken by anyone else meanwhile. */
	int s = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(s, (struct sockaddr *)&sa, &sl);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", ntohs(sa.sin_port));
	r.body = buf;
	r.body_cap = sizeof(buf);
	is_int(http_request(h, "GET", url, NULL, NULL, 0, &r), AL_ECONNECT,
	       "closed port -> AL_ECONNECT");
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%d: %s",
	         ntohs(sa.sin_port), strerror(ECONNREFUSED));
	is_str(http_error(h), want, "connect reason");
	close(s);

	is_int(get(h, e, "/slow", &r, buf, sizeof(buf)), AL_ETIMEOUT,
	       "slow server, 1 s timeout -> AL_ETIMEOUT");
	ok(strstr(http_error(h), "did not answer in time") != NULL,
	   "reason: %s", http_error(h));
	is_int(http_request(h, "GET", "ftp://127.0.0.1/x", NULL, NULL, 0, &r),
	       AL_EINVAL, "ftp:// refused");
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), 0,
	       "works again after failures");
	http_close(h);
	http_close(NULL);
}

/* Answers that never end (hostile_http.py): libcurl keeps every trailer,
 * so the header callback holds the bound; the deadline holds under a
 * drip. The server gives up after 30 s, so a missing bound shows as a
 * wrong code, not a hang. */
static void test_hostile(struct env *e)
{
	static unsigned char buf[200000];
	static struct http_response r;
	struct http *h = open_with(e, e->cert, 2);
	char url[256];

	if (!h) {
		ok(0, "http_open");
		return;
	}
	is_int(get(h, e, "/hostile/trailers", &r, buf, sizeof(buf)), AL_EPROTO,
	       "endless trailers: refused at the head budget");
	ok(strstr(http_error(h), "more than 8192 bytes of headers") != NULL,
	   "reason: %s", http_error(h));
	is_int(get(h, e, "/hostile/continue", &r, buf, sizeof(buf)), AL_EPROTO,
	       "endless 100 Continue: refused");
	is_int(get(h, e, "/hostile/drip", &r, buf, sizeof(buf)), AL_ETIMEOUT,
	       "a body dripping for 1000 s: the 2 s deadline holds");
	is_int(get(h, e, "/hello", &r, buf, sizeof(buf)), 0, "then a good answer");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hello", e->port);
	r.body = buf;
	r.body_cap = sizeof(buf);
	is_int(http_request(h, "GET", url, NULL, NULL, 0, &r), AL_EINVAL,
	       "http:// refused");
	ok(strstr(http_error(h), "only https://") != NULL, "reason: %s",
	   http_error(h));
	http_close(h);
}

int main(void)
{
	static struct env e;
	struct http *h;

	if (setup(&e) != 0) {
		ok(0, "set-up: openssl certificate and python3 https_echo.py");
		teardown(&e);
		return tap_done();
	}
	h = open_with(&e, e.cert, 5);
	ok(h != NULL, "http_open");
	if (h) {
		test_get_headers(&e, h);
		test_post(&e, h);
		test_status(&e, h);
		test_body_cap(&e, h);
		http_close(h);
	}
	test_tls_failures(&e);
	test_net_failures(&e);
	test_hostile(&e);
	teardown(&e);
	return tap_done();
}
