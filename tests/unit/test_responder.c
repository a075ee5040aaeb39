/* Tests of the http-01 responder over real loopback sockets. The server is
 * single-threaded, so each client runs in a forked child (our own socket
 * code, or curl(1) as an independent HTTP client) while the parent calls
 * responder_serve(). The clock is injected so that deadlines can be crossed
 * without waiting for them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "challenge/responder.h"
#include "tap.h"
#include "testlib.h"

#define TOKEN "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define KEYAUTH TOKEN ".nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ"
#define PATH "/.well-known/acme-challenge/" TOKEN

struct tclock {
	int64_t offset; /* added to the real monotonic clock */
};

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t tnow(void *arg)
{
	return real_ms() + ((struct tclock *)arg)->offset;
}

/* Blocking connection to the loopback address of family. */
static int dial(int family, int port)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	struct timeval tv = { 10, 0 };
	int fd = socket(family, SOCK_STREAM, 0), rc;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (family == AF_INET6) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_addr = in6addr_loopback;
		s6.sin6_port = htons((uint16_t)port);
		rc = connect(fd, (struct sockaddr *)&s6, sizeof(s6));
	} else {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4.sin_port = htons((uint16_t)port);
		rc = connect(fd, (struct sockaddr *)&s4, sizeof(s4));
	}
	if (rc != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What a client child does. */
struct creq {
	int family, port;
	const char *req;
	size_t len;
	int drip;    /* send one byte per millisecond */
	int nidle;   /* connections opened and left idle first */
};

struct child {
	pid_t pid;
	int out, ready;     /* read ends: response bytes, "ready" byte */
	char buf[8192];
	size_t len;
	int done, status, got_ready;
};

static void send_all(int fd, const char *p, size_t len, int drip)
{
	size_t step = drip ? 1 : len;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len < step ? len : step, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
		if (drip)
			msleep(1);
	}
}

/* Child: open nidle idle connections, send req on one more, say ready,
 * copy the response to out until EOF. */
static void client_main(const struct creq *q, int out, int ready)
{
	int idle[RESP_MAX_CONNS + 8], i, fd;
	char buf[1024];
	ssize_t n;

	for (i = 0; i < q->nidle; i++)
		idle[i] = dial(q->family, q->port);
	fd = dial(q->family, q->port);
	if (fd < 0)
		_exit(2);
	send_all(fd, q->req, q->len, q->drip);
	if (write(ready, "R", 1) != 1)
		_exit(3);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (write(out, buf, (size_t)n) != n)
			_exit(4);
	if (n < 0)
		_exit(errno == EAGAIN ? 5 : 6);
	for (i = 0; i < q->nidle; i++)
		if (idle[i] >= 0)
			close(idle[i]);
	_exit(0);
}

/* Child: curl(1) as an independent client; body then "\n<status>". */
static void curl_main(const char *url, const char *method, int out)
{
	int null = open("/dev/null", O_WRONLY);

	dup2(out, 1);
	if (null >= 0)
		dup2(null, 2);
	execlp("curl", "curl", "-s", "--max-time", "10",
	       strcmp(method, "HEAD") == 0 ? "-I" : "-i", "-w", "\n%{http_code}",
	       url, (char *)NULL);
	_exit(127);
}

static int child_start(struct child *ch, const struct creq *q,
                       const char *url, const char *method)
{
	int po[2], pr[2];

	memset(ch, 0, sizeof(*ch));
	if (pipe(po) != 0 || pipe(pr) != 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	ch->pid = fork();
	if (ch->pid < 0)
		return -1;
	if (ch->pid == 0) {
		close(po[0]);
		close(pr[0]);
		if (url)
			curl_main(url, method, po[1]);
		client_main(q, po[1], pr[1]);
	}
	close(po[1]);
	close(pr[1]);
	ch->out = po[0];
	ch->ready = pr[0];
	fcntl(ch->out, F_SETFL, O_NONBLOCK);
	fcntl(ch->ready, F_SETFL, O_NONBLOCK);
	return 0;
}

static void child_pump(struct child *ch)
{
	char c;
	ssize_t n;

	while (ch->len < sizeof(ch->buf) - 1 &&
	       (n = read(ch->out, ch->buf + ch->len,
	                 sizeof(ch->buf) - 1 - ch->len)) > 0)
		ch->len += (size_t)n;
	ch->buf[ch->len] = '\0';
	if (read(ch->ready, &c, 1) == 1)
		ch->got_ready = 1;
}

static void child_poll(struct child *ch)
{
	child_pump(ch);
	if (!ch->done && waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid) {
		ch->done = 1;
		child_pump(ch);
	}
}

/* Serve in short slices for up to max_ms or until the child is done (or,
 * with until_ready, has said ready). Returns key authorizations sent. */
static int serve_child(struct responder *r, struct tclock *clk,
                       struct child *ch, int max_ms, int until_ready)
{
	int64_t end = real_ms() + max_ms;
	int sent = 0, rc;

	while (!ch->done && real_ms() < end) {
		rc = responder_serve(r, 20, tnow, clk);
		if (rc < 0)
			return rc;
		sent += rc;
		child_poll(ch);
		if (until_ready && ch->got_ready)
			break;
	}
	return sent;
}

static void child_end(struct child *ch)
{
	if (!ch->done) {
		kill(ch->pid, SIGKILL);
		waitpid(ch->pid, &ch->status, 0);
		ch->done = 1;
	}
	close(ch->out);
	close(ch->ready);
}

/* One request from a child over a fresh connection; the response is left
 * in ch->buf. Returns what responder_serve() counted. */
static int fetch(struct responder *r, struct tclock *clk, struct child *ch,
                 int family, int port, const char *req, size_t len, int drip)
{
	struct creq q = { family, port, req, len, drip, 0 };
	int sent;

	if (child_start(ch, &q, NULL, NULL) != 0)
		return -100;
	sent = serve_child(r, clk, ch, 10000, 0);
	child_end(ch);
	return sent;
}

static int status_of(const char *resp)
{
	int st = -1;

	if (sscanf(resp, "HTTP/1.1 %d ", &st) != 1)
		return -1;
	return st;
}

static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	return p ? p + 4 : NULL;
}

/* Redirect stderr (where the logger writes) into a file and back. */
static int capture_start(const char *path)
{
	int saved = dup(2), fd;

	fflush(stderr);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	return saved;
}

static void capture_end(int saved, const char *path, char *buf, size_t cap)
{
	FILE *f;
	size_t n = 0;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static void test_get(struct responder *r, struct tclock *clk, int port)
{
	struct child ch;
	char log[4096], want[256];
	const char *req = "GET " PATH " HTTP/1.1\r\nHost: example.com\r\n"
	                  "User-Agent: test\r\nAccept: */*\r\n\r\n";
	const struct logger *quiet = r->log;
	struct logger dbg;
	int sent, saved;

	log_init(&dbg, LOG_LVL_DEBUG, 1);
	r->log = &dbg;
	saved = capture_start("/tmp/acmelet-resp-log.txt");
	sent = fetch(r, clk, &ch, AF_INET, port, req, strlen(req), 0);
	capture_end(saved, "/tmp/acmelet-resp-log.txt", log, sizeof(log));
	r->log = quiet;
	unlink("/tmp/acmelet-resp-log.txt");
	is_int(sent, 1, "GET of a known token counts one key authorization");
	is_int(status_of(ch.buf), 200, "GET of a known token is 200");
	ok(strstr(ch.buf, "\r\nContent-Type: text/plain\r\n") != NULL,
	   "Content-Type text/plain");
	snprintf(want, sizeof(want), "\r\nContent-Length: %zu\r\n",
	         strlen(KEYAUTH));
	ok(strstr(ch.buf, want) != NULL, "Content-Length of the key auth");
	ok(strstr(ch.buf, "\r\nConnection: close\r\n") != NULL,
	   "Connection: close");
	is_str(body_of(ch.buf), KEYAUTH, "body is exactly the key authorization");
	ok(WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 0,
	   "client saw the connection closed (status %d)", ch.status);
	is_int(responder_served_total(r), 1, "served total 1");
	ok(strstr(log, "responder: GET " PATH " -> 200") != NULL,
	   "debug log names the request and status");
	ok(strstr(log, KEYAUTH) == NULL, "key authorization never logged");
}

static void test_not_found(struct responder *r, struct tclock *clk, int port)
{
	static const char *const reqs[] = {
		"GET /.well-known/acme-challenge/unknownTOKEN HTTP/1.1\r\n\r\n",
		"GET /.well-known/acme-challenge/ HTTP/1.1\r\n\r\n",
		"GET " PATH "x HTTP/1.1\r\n\r\n",
		"GET /.well-known/acme-challenge/evaGxfADs6pSRb2 HTTP/1.1\r\n\r\n",
		"GET " PATH "?a=b HTTP/1.1\r\n\r\n",
		"GET /index.html HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"GET http://example.com" PATH " HTTP/1.1\r\n\r\n",
		"HEAD /nothing HTTP/1.1\r\n\r\n",
	};
	struct child ch;
	size_t i;
	int sent;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		sent = fetch(r, clk, &ch, AF_INET, port, reqs[i],
		             strlen(reqs[i]), 0);
		ok(sent == 0 && status_of(ch.buf) == 404 &&
		   strstr(ch.buf, "Content-Length: 0\r\n") &&
		   strstr(ch.buf, KEYAUTH) == NULL,
		   "404 for request %zu: %.*s", i, (int)strcspn(reqs[i], "\r\n"),
		   reqs[i]);
	}
	is_int(responder_served_total(r), 1, "404s are not counted");
}

static void test_methods(struct responder *r, struct tclock *clk, int port)
{
	struct child ch;
	char want[64];
	const char *head = "HEAD " PATH " HTTP/1.1\r\nHost: x\r\n\r\n";
	const char *post = "POST " PATH " HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
	const char *lf = "GET " PATH " HTTP/1.0\n\n";
	const char *drip = "GET " PATH " HTTP/1.1\r\nHost: x\r\n\r\n";
	int sent;

	sent = fetch(r, clk, &ch, AF_INET, port, head, strlen(head), 0);
	is_int(status_of(ch.buf), 200, "HEAD of a known token is 200");
	snprintf(want, sizeof(want), "Content-Length: %zu\r\n", strlen(KEYAUTH));
	ok(strstr(ch.buf, want) != NULL, "HEAD has the Content-Length of GET");
	is_str(body_of(ch.buf), "", "HEAD has no body");
	is_int(sent, 0, "HEAD does not count as sent");

	sent = fetch(r, clk, &ch, AF_INET, port, post, strlen(post), 0);
	ok(sent == 0 && (status_of(ch.buf) == 405 || status_of(ch.buf) == 404),
	   "POST is refused (%d)", status_of(ch.buf));
	ok(strstr(ch.buf, KEYAUTH) == NULL, "POST gets no key authorization");

	sent = fetch(r, clk, &ch, AF_INET, port, lf, strlen(lf), 0);
	ok(sent == 1 && status_of(ch.buf) == 200 &&
	   strcmp(body_of(ch.buf), KEYAUTH) == 0,
	   "HTTP/1.0 with bare LF line ends is served");
	sent = fetch(r, clk, &ch, AF_INET, port, drip, strlen(drip), 1);
	ok(sent == 1 && status_of(ch.buf) == 200 &&
	   strcmp(body_of(ch.buf), KEYAUTH) == 0,
	   "request sent one byte at a time is served");
	sent = fetch(r, clk, &ch, AF_INET, port, "GET " PATH "\r\n\r\n",
	             strlen("GET " PATH "\r\n\r\n"), 0);
	ok(sent == 0 && status_of(ch.buf) == 400,
	   "request line without version is 400");
	is_int(responder_served_total(r), 3, "served total 3");
}

static void test_oversize(struct responder *r, struct tclock *clk, int port)
{
	static char req[RESP_REQ_MAX * 2];
	struct child ch;
	size_t n;
	int sent, st;

	/* One request line longer than the whole head may be. */
	memset(req, 'a', sizeof(req));
	memcpy(req, "GET /", 5);
	sent = fetch(r, clk, &ch, AF_INET, port, req, RESP_REQ_MAX + 500, 0);
	st = status_of(ch.buf);
	ok(sent == 0 && (st == 431 || st == 400),
	   "request line over RESP_REQ_MAX is refused (%d)", st);
	ok(ch.done && WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 0,
	   "and the connection is closed");

	/* A well-formed head for a known token, made too long by headers. */
	n = (size_t)snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n", PATH);
	while (n + 40 < RESP_REQ_MAX + 200)
		n += (size_t)snprintf(req + n, sizeof(req) - n,
		                      "X-Pad: %030d\r\n", 0);
	n += (size_t)snprintf(req + n, sizeof(req) - n, "\r\n");
	sent = fetch(r, clk, &ch, AF_INET, port, req, n, 0);
	st = status_of(ch.buf);
	ok(sent == 0 && (st == 431 || st == 400) && !strstr(ch.buf, KEYAUTH),
	   "head over RESP_REQ_MAX with a known token is refused (%d)", st);
}

/* An idle client is closed at its deadline, measured on the given clock. */
static void test_slowloris(struct responder *r, struct tclock *clk, int port)
{
	struct creq q = { AF_INET, port, "GET / HT", 8, 0, 0 };
	struct child ch;

	if (child_start(&ch, &q, NULL, NULL) != 0)
		return;
	serve_child(r, clk, &ch, 3000, 1);
	serve_child(r, clk, &ch, 300, 0);
	ok(ch.got_ready && !ch.done, "half a request keeps its connection a while");
	clk->offset += RESP_CONN_TIMEOUT_MS;
	serve_child(r, clk, &ch, 2000, 0);
	ok(ch.done && WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 0 &&
	   ch.len == 0, "closed without a response once past the deadline");
	child_end(&ch);
}

/* More clients than slots: the idle ones that have been silent longest
 * give way, so the request after them is served without waiting for their
 * deadline; once it left, only the idle ones that got a slot remain. */
static void test_flood(struct responder *r, struct tclock *clk, int port)
{
	const char *req = "GET " PATH " HTTP/1.1\r\n\r\n";
	struct creq q = { AF_INET, port, req, strlen(req), 0, RESP_MAX_CONNS + 4 };
	struct child ch;
	unsigned before = responder_served_total(r), evicted = r->slots.evicted;
	int i, open_conns = 0, sent;

	if (child_start(&ch, &q, NULL, NULL) != 0)
		return;
	sent = serve_child(r, clk, &ch, 10000, 0);
	child_end(&ch);
	is_int(sent, 1, "the request beyond the slots is served");
	ok(status_of(ch.buf) == 200 && strcmp(body_of(ch.buf), KEYAUTH) == 0,
	   "with the key authorization");
	ok(r->slots.evicted >= evicted + 5, "idle connections gave way (%u dropped)",
	   r->slots.evicted - evicted);
	is_int(responder_served_total(r), before + 1, "served total grew by 1");
	clk->offset += RESP_CONN_TIMEOUT_MS;
	responder_serve(r, 50, tnow, clk);
	for (i = 0; i < RESP_MAX_CONNS; i++)
		open_conns += r->conns[i].slot.fd >= 0;
	is_int(open_conns, 0, "every slot free after the client left");
}

static void test_curl(struct responder *r, struct tclock *clk, int port)
{
	char url[256], want[512];
	struct child ch;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, PATH);
	if (child_start(&ch, NULL, url, "GET") != 0)
		return;
	serve_child(r, clk, &ch, 10000, 0);
	child_end(&ch);
	if (WIFEXITED(ch.status) && WEXITSTATUS(ch.status) == 127) {
		ok(0, "curl GET: curl(1) is installed (tests/lib/deps.sh installs it)");
		return;
	}
	snprintf(want, sizeof(want), "\r\n\r\n%s\n200", KEYAUTH);
	ok(strstr(ch.buf, want) != NULL && status_of(ch.buf) == 200,
	   "curl gets 200 and exactly the key authorization");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/.well-known/"
	         "acme-challenge/nope", port);
	if (child_start(&ch, NULL, url, "GET") != 0)
		return;
	serve_child(r, clk, &ch, 10000, 0);
	child_end(&ch);
	ok(strstr(ch.buf, "\n404") != NULL, "curl gets 404 for another token");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, PATH);
	if (child_start(&ch, NULL, url, "HEAD") != 0)
		return;
	serve_child(r, clk, &ch, 10000, 0);
	child_end(&ch);
	snprintf(want, sizeof(want), "Content-Length: %zu\r\n", strlen(KEYAUTH));
	ok(strstr(ch.buf, want) != NULL && strstr(ch.buf, "\n200") != NULL,
	   "curl HEAD gets 200 with the length");
}

static void test_busy(const struct logger *lg, int port)
{
	struct responder r2;
	struct sockaddr_in s4;
	char log[2048], want[128];
	int saved, rc, fd, other;

	saved = capture_start("/tmp/acmelet-resp-log2.txt");
	rc = responder_open(&r2, "127.0.0.1", port, lg);
	capture_end(saved, "/tmp/acmelet-resp-log2.txt", log, sizeof(log));
	is_int(rc, AL_EADDRINUSE, "second responder on the same port");
	snprintf(want, sizeof(want), "responder: port %d on 127.0.0.1 is in use",
	         port);
	ok(strstr(log, want) != NULL, "the error names port and address");
	ok(strstr(log, "--http-port") != NULL, "and says what to do");
	responder_close(&r2);

	/* Another program's server on the port. */
	other = free_port(0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons((uint16_t)other);
	ok(fd >= 0 && bind(fd, (struct sockaddr *)&s4, sizeof(s4)) == 0 &&
	   listen(fd, 1) == 0, "a foreign server listens on 0.0.0.0");
	saved = capture_start("/tmp/acmelet-resp-log2.txt");
	rc = responder_open(&r2, NULL, other, lg);
	capture_end(saved, "/tmp/acmelet-resp-log2.txt", log, sizeof(log));
	unlink("/tmp/acmelet-resp-log2.txt");
	is_int(rc, AL_EADDRINUSE, "all-address responder on its port");
	snprintf(want, sizeof(want), "port %d on 0.0.0.0 is in use", other);
	ok(strstr(log, want) != NULL, "the error names 0.0.0.0");
	is_int(r2.nlfd, 0, "nothing left listening after the failure");
	close(fd);
}

static void test_dual_stack(const struct logger *lg, struct tclock *clk)
{
	struct responder r;
	struct child ch;
	const char *req = "GET " PATH " HTTP/1.1\r\n\r\n";
	int port = free_port(1), sent;

	if (port < 0) {
		ok(0, "dual stack: this machine needs an IPv6 loopback (::1)");
		return;
	}
	is_int(responder_open(&r, NULL, port, lg), 0, "open on all addresses");
	is_int(r.nlfd, 2, "two listening sockets, IPv6 and IPv4");
	responder_add(&r, TOKEN, KEYAUTH);
	sent = fetch(&r, clk, &ch, AF_INET6, port, req, strlen(req), 0);
	ok(sent == 1 && strcmp(body_of(ch.buf), KEYAUTH) == 0,
	   "served over IPv6 (::1)");
	sent = fetch(&r, clk, &ch, AF_INET, port, req, strlen(req), 0);
	ok(sent == 1 && strcmp(body_of(ch.buf), KEYAUTH) == 0,
	   "served over IPv4 (127.0.0.1)");
	responder_close(&r);
	port = free_port(1);
	is_int(responder_open(&r, "::1", port, lg), 0, "open on ::1 only");
	is_int(r.nlfd, 1, "one listening socket");
	responder_close(&r);
}

static void test_add(const struct logger *lg)
{
	static struct responder r;
	char tok[RESP_TOKEN_MAX + 1], ka[RESP_KEYAUTH_MAX + 1];
	int i, rc = 0, port = free_port(0);

	is_int(responder_open(&r, "192.0.2.1.5", port, lg), AL_EFAIL,
	       "a host name or bad literal is refused");
	is_int(responder_open(&r, "127.0.0.1", 0, lg), AL_EFAIL,
	       "port 0 is refused");
	is_int(responder_serve(&r, 10, tnow, &(struct tclock){ 0 }), AL_EINVAL,
	       "serve without a listening socket");
	memset(tok, 'A', sizeof(tok));
	tok[RESP_TOKEN_MAX] = '\0';
	is_int(responder_add(&r, tok, "x"), AL_E2BIG, "token too long");
	tok[RESP_TOKEN_MAX - 1] = '\0';
	is_int(responder_add(&r, tok, "x"), 0, "longest token fits");
	memset(ka, 'k', sizeof(ka));
	ka[RESP_KEYAUTH_MAX] = '\0';
	is_int(responder_add(&r, "t", ka), AL_E2BIG, "key auth too long");
	ka[RESP_KEYAUTH_MAX - 1] = '\0';
	is_int(responder_add(&r, "t", ka), 0, "longest key auth fits");
	is_int(responder_add(&r, "a/b", "x"), AL_EINVAL, "token with a slash");
	is_int(responder_add(&r, "", "x"), AL_EINVAL, "empty token");
	is_int(responder_add(&r, "t", "y"), 0, "re-adding a token updates it");
	is_int(r.ntokens, 2, "without a second entry");
	is_str(r.tokens[1].keyauth, "y", "new key auth kept");
	for (i = 2; i < RESP_MAX_TOKENS && rc == 0; i++) {
		snprintf(tok, sizeof(tok), "tok%d", i);
		rc = responder_add(&r, tok, "x");
	}
	is_int(rc, 0, "RESP_MAX_TOKENS tokens fit");
	is_int(responder_add(&r, "onemore", "x"), AL_E2BIG, "one more is refused");
	responder_clear(&r);
	is_int(r.ntokens, 0, "clear forgets every token");
}

int main(void)
{
	struct logger lg;
	struct responder *r;
	struct tclock clk = { 0 };
	struct child ch;
	const char *req = "GET " PATH " HTTP/1.1\r\n\r\n";
	int64_t t0;
	int port = free_port(0), rc;

	signal(SIGPIPE, SIG_IGN);
	/* Errors only on the terminal; test_get and test_busy capture what
	 * they check. */
	log_init(&lg, LOG_LVL_ERR, 1);
	r = calloc(1, sizeof(*r));
	if (!r || port < 0) {
		printf("Bail out! no memory or no free port\n");
		return 1;
	}
	is_int(responder_open(r, "127.0.0.1", port, &lg), 0, "open 127.0.0.1");
	is_int(responder_add(r, TOKEN, KEYAUTH), 0, "add a token");
	t0 = real_ms();
	rc = responder_serve(r, 150, tnow, &clk);
	ok(rc == 0 && real_ms() - t0 >= 140 && real_ms() - t0 < 1000,
	   "serve without clients returns 0 after its timeout");
	test_get(r, &clk, port);
	test_not_found(r, &clk, port);
	test_methods(r, &clk, port);
	test_oversize(r, &clk, port);
	test_slowloris(r, &clk, port);
	test_flood(r, &clk, port);
	test_curl(r, &clk, port);
	test_busy(&lg, port);
	responder_clear(r);
	rc = fetch(r, &clk, &ch, AF_INET, port, req, strlen(req), 0);
	ok(rc == 0 && status_of(ch.buf) == 404, "cleared token is 404");
	responder_close(r);
	free(r);
	test_dual_stack(&lg, &clk);
	test_add(&lg);
	return tap_done();
}
