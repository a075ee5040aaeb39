/* The built-in http-01 responder: a poll()-driven HTTP/1.x server that
 * answers GET/HEAD /.well-known/acme-challenge/<token> and nothing else.
 *
 * It is a service of the one poll loop (loop.h): responder_want() says what
 * to poll, responder_io() does the non-blocking work. Every connection gets
 * one request and one response, then is closed. A new connection is read at
 * once (a validator's request is usually there with it), so validators
 * rarely hold a slot. When all RESP_MAX_CONNS slots are taken, the
 * connection silent longest is dropped for the new one, and the backlog is
 * drained whole each time the listener is ready, so that idle or slow
 * clients that keep reconnecting can neither fill the slots nor the
 * kernel's accept queue (RESP_BACKLOG, sized for a CA's burst of several
 * connections per name from several vantage points), where the
 * validator's connection would wait or be dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "challenge.h"
#include "listen.h"
#include "responder.h"

#define ACME_PREFIX "/.well-known/acme-challenge/"
#define LOG_FIELD_MAX 160 /* bytes of peer text quoted in a log line */

_Static_assert(sizeof(((struct resp_conn *)0)->out) >= RESP_KEYAUTH_MAX + 128,
               "the response buffer must hold headers and a key authorization");

/* What one request asked for, as slices of the connection's input. */
struct req {
	int status;        /* 200, 400, 404, 405 or 431 */
	int head;          /* 1 for HEAD: headers only */
	int tok;           /* index in r->tokens when status is 200 */
	const char *method, *target;
	size_t method_len, target_len;
};

static void conn_reset(struct resp_conn *c)
{
	c->slot.fd = -1;
	c->slot.deadline_ms = 0;
	c->slot.last_ms = 0;
	c->in_len = 0;
	c->out_len = 0;
	c->out_off = 0;
}

static void conn_close(struct resp_conn *c)
{
	if (c->slot.fd >= 0)
		close(c->slot.fd);
	conn_reset(c);
}

/* Close after a complete response: FIN first, then read what the client may
 * still have sent, because closing with unread input sends a RST that can
 * destroy the response in the client's receive buffer. */
static void conn_finish(struct resp_conn *c)
{
	char sink[512];
	int i;

	shutdown(c->slot.fd, SHUT_WR);
	for (i = 0; i < 16; i++)
		if (recv(c->slot.fd, sink, sizeof(sink), 0) <= 0)
			break;
	conn_close(c);
}

/* The table's view of a connection: one that is sending its answer is
 * busy, not silent, and never gives way. */
static int conn_sending(const struct slot *s)
{
	return ((const struct resp_conn *)(const void *)s)->out_len != 0;
}

static int conn_reading(const struct slot *s)
{
	return !conn_sending(s);
}

static void slot_close(struct slot *s)
{
	conn_close((struct resp_conn *)(void *)s);
}

/* The silent longest of the reading connections gives way at once. */
static const struct slots_class resp_slots = {
	"responder", sizeof(struct resp_conn), RESP_MAX_CONNS,
	RESP_CONN_TIMEOUT_MS, 0, conn_reading, conn_sending, slot_close
};

void responder_init(struct responder *r, const struct logger *log)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->log = log;
	for (i = 0; i < RESP_MAX_LISTEN; i++)
		r->lfd[i] = -1;
	slots_init(&r->slots, &resp_slots, r->conns, log);
}

/* Listen on addr:port; see responder.h. Also initialises r: tokens added
 * before responder_open() are forgotten. The sockets come from listen.c,
 * shared with the tls-alpn-01 server. */
int responder_open(struct responder *r, const char *addr, int port,
                   const struct logger *log)
{
	int rc;

	responder_init(r, log);
	rc = listen_open(addr, port, RESP_BACKLOG, r->lfd, &r->nlfd, log,
	                 "responder", "(another web server?) stop it, or use "
	                 "--http-port and forward port 80 to it");
	if (rc != 0)
		responder_close(r);
	return rc;
}

/* Add or update a token; see responder.h. AL_EINVAL for a token that is
 * empty or not base64url. */
int responder_add(struct responder *r, const char *token, const char *keyauth)
{
	size_t tl = strlen(token), kl = strlen(keyauth);
	int i;

	if (tl >= RESP_TOKEN_MAX || kl >= RESP_KEYAUTH_MAX)
		return AL_E2BIG;
	/* Not base64url: never matched against a URL, never logged. */
	if (!challenge_token_ok(token))
		return AL_EINVAL;
	for (i = 0; i < r->ntokens; i++)
		if (strcmp(r->tokens[i].token, token) == 0)
			break;
	if (i == r->ntokens) {
		if (r->ntokens >= RESP_MAX_TOKENS)
			return AL_E2BIG;
		r->ntokens++;
		memcpy(r->tokens[i].token, token, tl + 1);
		r->tokens[i].served = 0;
	}
	memset(r->tokens[i].keyauth, 0, sizeof(r->tokens[i].keyauth));
	memcpy(r->tokens[i].keyauth, keyauth, kl + 1);
	return 0;
}

/* Forget every token and key authorization. */
void responder_clear(struct responder *r)
{
	memset(r->tokens, 0, sizeof(r->tokens));
	r->ntokens = 0;
}

/* Total key authorizations sent (GET answered 200, fully written). */
int responder_unserved(const struct responder *r)
{
	int i, n = 0;

	for (i = 0; i < r->ntokens; i++)
		n += r->tokens[i].served == 0;
	return n;
}

unsigned responder_served_total(const struct responder *r)
{
	unsigned n = 0;
	int i;

	for (i = 0; i < r->ntokens; i++)
		n += r->tokens[i].served;
	return n;
}

/* Close every listening socket and connection; tokens are kept. */
void responder_close(struct responder *r)
{
	int i;

	for (i = 0; i < r->nlfd; i++) {
		if (r->lfd[i] >= 0)
			close(r->lfd[i]);
		r->lfd[i] = -1;
	}
	r->nlfd = 0;
	for (i = 0; i < RESP_MAX_CONNS; i++)
		conn_close(&r->conns[i]);
}

/* Offset just past the blank line ending the request head, or 0 while it
 * is incomplete. Bare LF line ends are accepted (RFC 9112 2.2). */
static size_t head_end(const struct resp_conn *c)
{
	size_t i;

	for (i = 1; i < c->in_len; i++) {
		if (c->in[i] != '\n')
			continue;
		if (c->in[i - 1] == '\n')
			return i + 1;
		if (i >= 2 && c->in[i - 1] == '\r' && c->in[i - 2] == '\n')
			return i + 1;
	}
	return 0;
}

static int token_find(const struct responder *r, const char *s, size_t len)
{
	int i;

	for (i = 0; i < r->ntokens; i++)
		if (strlen(r->tokens[i].token) == len &&
		    memcmp(r->tokens[i].token, s, len) == 0)
			return i;
	return -1;
}

/* Parse the request line of a complete head: "METHOD SP target SP
 * HTTP/1.x". Only origin-form targets are ours. */
static void parse_request(const struct responder *r, const struct resp_conn *c,
                          struct req *q)
{
	const char *p = c->in, *end = memchr(c->in, '\n', c->in_len);
	const char *sp1, *sp2;
	size_t plen = strlen(ACME_PREFIX);

	memset(q, 0, sizeof(*q));
	q->status = 400;
	q->tok = -1;
	if (!end)
		return;
	if (end > p && end[-1] == '\r')
		end--;
	sp1 = memchr(p, ' ', (size_t)(end - p));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1 ||
	    end - sp2 - 1 != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
		return;
	q->method = p;
	q->method_len = (size_t)(sp1 - p);
	q->target = sp1 + 1;
	q->target_len = (size_t)(sp2 - sp1 - 1);
	q->head = q->method_len == 4 && memcmp(p, "HEAD", 4) == 0;
	if (!q->head && !(q->method_len == 3 && memcmp(p, "GET", 3) == 0)) {
		q->status = 405;
		return;
	}
	q->status = 404;
	if (q->target_len > plen && memcmp(q->target, ACME_PREFIX, plen) == 0)
		q->tok = token_find(r, q->target + plen, q->target_len - plen);
	if (q->tok >= 0)
		q->status = 200;
}

/* Copy peer text for a log line: bounded, control bytes shown as '?'. */
static void log_text(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i;

	if (len > cap - 1)
		len = cap - 1;
	for (i = 0; i < len; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[len] = '\0';
}

/* Fill c->out with the response to q. The key authorization goes only into
 * the body, never into a log line. */
static int build_response(struct responder *r, struct resp_conn *c,
                          const struct req *q)
{
	const char *reason, *extra = "";
	const char *body = "";
	size_t blen = 0;
	int n;

	switch (q->status) {
	case 200: reason = "OK"; break;
	case 404: reason = "Not Found"; break;
	case 405: reason = "Method Not Allowed"; extra = "Allow: GET, HEAD\r\n";
		break;
	case 431: reason = "Request Header Fields Too Large"; break;
	default: reason = "Bad Request"; break;
	}
	if (q->status == 200) {
		body = r->tokens[q->tok].keyauth;
		blen = strlen(body);
		extra = "Content-Type: text/plain\r\n";
	}
	n = snprintf(c->out, sizeof(c->out), "HTTP/1.1 %d %s\r\n%s"
	             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	             q->status, reason, extra, blen, q->head ? "" : body);
	if (n < 0 || (size_t)n >= sizeof(c->out))
		return AL_EFAIL;
	c->out_len = (size_t)n;
	c->out_off = 0;
	return 0;
}

/* Log the request at debug level and prepare its response. */
static int respond(struct responder *r, struct resp_conn *c, int too_big)
{
	char m[16], t[LOG_FIELD_MAX];
	struct req q;

	if (too_big) {
		memset(&q, 0, sizeof(q));
		q.status = 431;
		log_debug(r->log, "responder: request head over %d bytes -> 431",
		          RESP_REQ_MAX);
	} else {
		parse_request(r, c, &q);
		log_text(m, sizeof(m), q.method, q.method_len);
		log_text(t, sizeof(t), q.target, q.target_len);
		if (q.status == 400)
			log_debug(r->log, "responder: malformed request -> 400");
		else
			log_debug(r->log, "responder: %s %s -> %d", m, t, q.status);
	}
	return build_response(r, c, &q);
}

/* Write what is pending. Returns 1 when the connection finished sending a
 * key authorization (a GET answered 200), else 0. */
static int conn_write(struct responder *r, struct resp_conn *c)
{
	struct req q;
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->slot.fd, c->out + c->out_off, c->out_len - c->out_off,
		         MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			conn_close(c);
			return 0;
		}
		c->out_off += (size_t)n;
	}
	/* The input is kept until the end, so the request tells (again) which
	 * token this was; 431 responses have no complete head to parse. */
	q.status = 0;
	if (head_end(c))
		parse_request(r, c, &q);
	conn_finish(c);
	if (q.status != 200 || q.head)
		return 0;
	r->tokens[q.tok].served++;
	return 1;
}

/* With c->in as received so far: 0 while the head is incomplete and there
 * is room for more, else 1 with the response prepared (431 when the head
 * does not fit), or AL_EFAIL. */
static int take_input(struct responder *r, struct resp_conn *c)
{
	int rc;

	if (!head_end(c) && c->in_len < sizeof(c->in))
		return 0;
	rc = respond(r, c, !head_end(c));
	return rc != 0 ? rc : 1;
}

/* Read more of the request; answer once the head is complete or too big.
 * Returns what conn_write() returns. */
static int conn_read(struct responder *r, struct resp_conn *c)
{
	size_t room = sizeof(c->in) - c->in_len;
	ssize_t n;
	int rc;

	n = recv(c->slot.fd, c->in + c->in_len, room, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0) {
		conn_close(c);
		return 0;
	}
	c->in_len += (size_t)n;
	rc = take_input(r, c);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		conn_close(c);
		return 0;
	}
	return conn_write(r, c);
}

int responder_answer(struct responder *r, struct resp_conn *c,
                     const void *in, size_t len)
{
	conn_reset(c);
	c->in_len = len < sizeof(c->in) ? len : sizeof(c->in);
	memcpy(c->in, in, c->in_len);
	return take_input(r, c);
}

/* Accept what is pending (at most RESP_ACCEPT_BURST), each into a free
 * slot or the slot of the connection silent longest, and read it at once.
 * Returns the key authorizations sent. */
static int accept_new(struct responder *r, int lfd, int64_t now)
{
	struct resp_conn *c;
	int fd, sent = 0, n;

	for (n = 0; n < RESP_ACCEPT_BURST; n++) {
		if ((fd = slots_accept(&r->slots, lfd, now)) < 0)
			return sent;
		if (listen_nonblock(fd) < 0 || !(c = (struct resp_conn *)
		    (void *)slots_for_new(&r->slots, now))) {
			close(fd); /* every slot is busy sending an answer */
			continue;
		}
		conn_reset(c);
		slots_take(&r->slots, &c->slot, fd, now);
		sent += conn_read(r, c);
	}
	return sent;
}

/* The loop service's want(): see slots_want(); responder_io() expects its
 * layout. */
int responder_want(void *self, struct pollfd *pfd, int max, int64_t *wake)
{
	struct responder *r = self;

	return slots_want(&r->slots, r->lfd, r->nlfd, pfd, max, wake,
	                  r->now_ms(r->clock_arg));
}

/* The loop service's serve(): the pfd of the last responder_want(). */
void responder_io(void *self, struct pollfd *pfd, int n, int64_t now)
{
	struct responder *r = self;
	struct resp_conn *c;
	int k;

	for (k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (slots_is_listener(&r->slots, k))
			r->sent += (unsigned)accept_new(r, pfd[k].fd, now);
		else if ((c = (struct resp_conn *)(void *)
		          slots_ready(&r->slots, pfd[k].fd, now)) != NULL)
			r->sent += (unsigned)(c->out_len ? conn_write(r, c) :
			                      conn_read(r, c));
	}
}

static int64_t mono_of_port(void *port)
{
	return port_mono_ms(port);
}

/* Register r in the loop, its clock being the loop's. */
int responder_attach(struct responder *r, struct loop *l)
{
	struct loop_service s = { responder_want, responder_io, r };

	r->now_ms = mono_of_port;
	r->clock_arg = l->port;
	return loop_add(l, &s);
}

/* Serve alone (no loop) until timeout_ms passed or a key authorization
 * was sent; see responder.h. */
int responder_serve(struct responder *r, int timeout_ms,
                    int64_t (*now_ms)(void *), void *clock_arg)
{
	struct pollfd pfd[RESP_MAX_LISTEN + RESP_MAX_CONNS];
	unsigned before = r->sent;
	int64_t now, end, wake;
	int n;

	if (r->nlfd == 0)
		return AL_EINVAL;
	r->now_ms = now_ms;
	r->clock_arg = clock_arg;
	now = now_ms(clock_arg);
	end = now + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		wake = end;
		n = responder_want(r, pfd, RESP_MAX_LISTEN + RESP_MAX_CONNS, &wake);
		if (poll(pfd, (nfds_t)n, wake - now < 0 ? 0 : (int)(wake - now)) < 0 &&
		    errno != EINTR) {
			log_err(r->log, "responder: poll: %s", strerror(errno));
			return AL_EFAIL;
		}
		now = now_ms(clock_arg);
		responder_io(r, pfd, n, now);
		if (r->sent != before || now >= end)
			return (int)(r->sent - before);
	}
}
