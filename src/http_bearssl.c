/* The HTTP transport on BearSSL: HTTP/1.1 over its TLS client, for the
 * static build (libcurl dropped BearSSL in 8.15).
 *
 * Everything lives in one allocation made by http_open() (~65 KiB): the
 * TLS engine with its bidirectional record buffer, an 8 KiB plaintext
 * buffer that holds the request head and then the response head, and the
 * X.509 wrapper. A request allocates nothing; the trust anchors are loaded
 * once, at the first connection, into their own arena (trust.c), so a bad
 * --ca-file shows as AL_ETLS on the first request, as with libcurl.
 *
 * Certificates are checked against the port's wall clock, and not at all
 * while the port says that clock is unset (AL_ECLOCK). For an IP literal
 * no SNI is sent and trust.c's wrapper demands a matching iPAddress SAN:
 * BearSSL itself compares names with dNSName entries only.
 *
 * The socket is non-blocking and every wait is a poll() bounded by the
 * request's deadline, connect included (getaddrinfo itself cannot be
 * bounded). */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bearssl.h>

#include "err.h"
#include "log.h"
#include "port.h"
#include "trust.h"

#define HEAD_MAX 8192 /* status line and headers of one response */
#define HOST_MAX 256
#define UA_MAX 128
#define CA_PATH_MAX 1024
#define DEFAULT_TIMEOUT_S 30
#define UNIX_EPOCH_DAYS 719528 /* 1970-01-01 in days since 0000-01-01 */

/* Returned inside this file when the server closed the connection before
 * a byte of the response: the one case where a request may be resent. */
#define CLOSED_EARLY 1

/* How the socket callbacks last failed. */
enum io_state { IO_OK = 0, IO_TIMEOUT, IO_CLOSED, IO_ERROR };

struct url {
	char host[HOST_MAX];  /* IPv6 literals without brackets */
	unsigned port;
	const char *path;     /* path and query, inside the caller's URL */
	size_t path_len;
	unsigned char ip[16];
	size_t ip_len;        /* 4 or 16 for an IP literal, else 0 */
};

/* How the body of a response is delimited. */
struct framing {
	long long length;     /* Content-Length, -1 when absent */
	int chunked;
	int close;            /* the connection must not be reused */
};

struct http {
	struct logger *log;
	struct port *port;
	int timeout_s;
	char ua[UA_MAX];
	char ca_file[CA_PATH_MAX];   /* "" for the default bundle */
	struct trust_store ts;
	int tls_ready;               /* anchors loaded, engine initialised */
	int fd;                      /* -1: not connected */
	int io;                      /* enum io_state */
	int io_errno;
	char conn_host[HOST_MAX];
	unsigned conn_port;
	int64_t deadline;            /* monotonic ms, for the current request */
	size_t got;                  /* plaintext bytes of the current attempt */
	size_t head_used;
	unsigned requests, connections;
	char err[HTTP_ERR_MAX];
	size_t roff, rlen;           /* unread plaintext: rbuf[roff..rlen) */
	unsigned char rbuf[HEAD_MAX];
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	br_sslio_context sio;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	struct trust_x509 tx;
};

static void set_err(struct http *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct http *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
}

/* ---- URL ---- */

static int host_char_ok(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* Split "host", "host:port", "[v6]" or "[v6]:port" (s, n bytes). */
static int parse_authority(struct url *u, const char *s, size_t n)
{
	const char *end = s + n, *hend = end, *colon;
	int bracket = n > 0 && s[0] == '[';
	unsigned long port = 443;
	size_t i, hlen;

	if (bracket) {
		hend = memchr(s, ']', n);
		if (hend == NULL)
			return AL_EINVAL;
		colon = hend + 1 < end ? hend + 1 : NULL;
		if (colon && *colon != ':')
			return AL_EINVAL;
		s++;
	} else {
		colon = memchr(s, ':', n);
		if (colon)
			hend = colon;
	}
	if (colon) {
		char *e;

		if (colon + 1 == end || colon[1] < '0' || colon[1] > '9')
			return AL_EINVAL;
		port = strtoul(colon + 1, &e, 10);
		if (e != end || port == 0 || port > 65535)
			return AL_EINVAL;
	}
	hlen = (size_t)(hend - s);
	if (hlen == 0 || hlen >= sizeof(u->host))
		return AL_EINVAL;
	memcpy(u->host, s, hlen);
	u->host[hlen] = '\0';
	u->port = (unsigned)port;
	if (bracket) {
		u->ip_len = 16;
		return inet_pton(AF_INET6, u->host, u->ip) == 1 ? 0 : AL_EINVAL;
	}
	for (i = 0; i < hlen; i++)
		if (!host_char_ok((unsigned char)u->host[i]))
			return AL_EINVAL;
	if (inet_pton(AF_INET, u->host, u->ip) == 1)
		u->ip_len = 4;
	return 0;
}

/* Parse an https URL; the fragment is dropped, user info is refused. */
static int url_parse(struct http *h, const char *url, struct url *u)
{
	const char *a, *p, *q;
	int rc;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "https://", 8) != 0) {
		set_err(h, "%.160s: only https:// URLs are supported", url);
		return AL_EINVAL;
	}
	a = url + 8;
	p = a + strcspn(a, "/?#");
	for (q = a; q < p && *q != '@'; q++)
		;
	rc = q < p ? AL_EINVAL : parse_authority(u, a, (size_t)(p - a));
	u->path = p;
	u->path_len = strcspn(p, "#");
	for (q = p; rc == 0 && q < p + u->path_len; q++)
		if ((unsigned char)*q <= 0x20 || *q == 0x7f)
			rc = AL_EINVAL;
	if (rc != 0)
		set_err(h, "%.160s: malformed URL", url);
	return rc;
}

/* ---- sockets ---- */

/* Wait until fd is ready for events, within the request's deadline. */
static int wait_fd(struct http *h, int fd, short events)
{
	struct pollfd pfd;
	int64_t left;
	int n;

	for (;;) {
		left = h->deadline - port_mono_ms(h->port);
		if (left <= 0) {
			h->io = IO_TIMEOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			h->io = IO_ERROR;
			h->io_errno = errno;
			return -1;
		}
	}
}

static void io_failed(struct http *h, int e)
{
	h->io_errno = e;
	h->io = (e == ECONNRESET || e == EPIPE) ? IO_CLOSED : IO_ERROR;
}

/* BearSSL's read callback: at least one byte, or -1 (never 0). */
static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct http *h = ctx;
	ssize_t n;

	for (;;) {
		n = recv(h->fd, buf, len, 0);
		if (n > 0)
			return (int)n;
		if (n == 0) {
			h->io = IO_CLOSED;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			io_failed(h, errno);
			return -1;
		}
		if (wait_fd(h, h->fd, POLLIN) != 0)
			return -1;
	}
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct http *h = ctx;
	ssize_t n;

	for (;;) {
		n = send(h->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			io_failed(h, errno);
			return -1;
		}
		if (wait_fd(h, h->fd, POLLOUT) != 0)
			return -1;
	}
}

/* Connect to one address; 0 with h->fd set, or AL_ECONNECT (*err set) or
 * AL_ETIMEOUT. */
static int try_connect(struct http *h, const struct addrinfo *ai, int *err)
{
	int fd, one = 1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return AL_ECONNECT;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
		soerr = errno;
	else if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			soerr = errno;
		else if (wait_fd(h, fd, POLLOUT) != 0)
			soerr = h->io == IO_TIMEOUT ? ETIMEDOUT : h->io_errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
	}
	if (soerr != 0) {
		close(fd);
		*err = soerr;
		return h->io == IO_TIMEOUT ? AL_ETIMEOUT : AL_ECONNECT;
	}
	/* Small TLS records must not wait for delayed ACKs. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	h->fd = fd;
	return 0;
}

/* Resolve the host and connect to the first address that answers. */
static int tcp_connect(struct http *h, const struct url *u)
{
	struct addrinfo hints, *res = NULL, *ai;
	char svc[8];
	int rc, last = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (u->ip_len ? AI_NUMERICHOST : 0);
	snprintf(svc, sizeof(svc), "%u", u->port);
	rc = getaddrinfo(u->host, svc, &hints, &res);
	if (rc != 0) {
		set_err(h, "cannot resolve %s: %s", u->host, gai_strerror(rc));
		return AL_ECONNECT;
	}
	rc = AL_ECONNECT;
	h->io = IO_OK;
	for (ai = res; ai != NULL && rc == AL_ECONNECT; ai = ai->ai_next)
		rc = try_connect(h, ai, &last);
	freeaddrinfo(res);
	if (rc == AL_ETIMEOUT)
		set_err(h, "%s:%u: no connection within %d s", u->host, u->port,
		        h->timeout_s);
	else if (rc != 0)
		set_err(h, "cannot connect to %s:%u: %s", u->host, u->port,
		        strerror(last));
	return rc;
}

/* ---- TLS ---- */

/* Classify a failed br_sslio call: 0 when the peer closed the connection
 * (cleanly or not), else a negative code with h->err set. */
static int sio_fail(struct http *h)
{
	int e = br_ssl_engine_last_error(&h->cc.eng);

	if (h->io == IO_TIMEOUT) {
		set_err(h, "%s:%u: no answer within %d s", h->conn_host,
		        h->conn_port, h->timeout_s);
		return AL_ETIMEOUT;
	}
	if (e == BR_ERR_IO && h->io == IO_ERROR) {
		set_err(h, "%s:%u: %s", h->conn_host, h->conn_port,
		        strerror(h->io_errno));
		return AL_ECONNECT;
	}
	if ((e == BR_ERR_IO && h->io == IO_CLOSED) ||
	    (e == BR_ERR_OK && (br_ssl_engine_current_state(&h->cc.eng) &
	                        BR_SSL_CLOSED)))
		return 0;
	if (e == BR_ERR_OK) {
		set_err(h, "%s:%u: server sent data out of turn", h->conn_host,
		        h->conn_port);
		return AL_EPROTO;
	}
	trust_explain(e, h->conn_host, h->conn_port, h->err, sizeof(h->err));
	return AL_ETLS;
}

/* Load the anchors and set up the engine, once per transport. */
static int tls_prepare(struct http *h)
{
	unsigned char seed[32];
	char why[HTTP_ERR_MAX - 8];
	int rc;

	if (h->tls_ready)
		return 0;
	rc = trust_load(&h->ts, h->ca_file[0] ? h->ca_file : NULL, why,
	                sizeof(why));
	if (rc != 0) {
		set_err(h, "TLS: %s", why);
		return AL_ETLS;
	}
	br_ssl_client_init_full(&h->cc, &h->xc, h->ts.anchors, h->ts.count);
	br_ssl_engine_set_buffer(&h->cc.eng, h->iobuf, sizeof(h->iobuf), 1);
	trust_x509_init(&h->tx, &h->xc);
	br_ssl_engine_set_x509(&h->cc.eng, &h->tx.vtable);
	/* BearSSL seeds itself from the OS as well; the port's source is
	 * added so that a hardware or simulated pool counts too. */
	if (port_entropy(h->port, seed, sizeof(seed)) == 0)
		br_ssl_engine_inject_entropy(&h->cc.eng, seed, sizeof(seed));
	h->tls_ready = 1;
	return 0;
}

/* Run the handshake on the fresh socket. No session resumption: every
 * connection validates the certificate against today's date. */
static int tls_handshake(struct http *h, const struct url *u)
{
	int64_t now = port_wall_time(h->port);
	int64_t days = now / 86400, secs = now % 86400;
	int rc;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	br_x509_minimal_set_time(&h->xc, (uint32_t)(days + UNIX_EPOCH_DAYS),
	                         (uint32_t)secs);
	trust_x509_expect_ip(&h->tx, u->ip, u->ip_len);
	/* No SNI for an IP literal (RFC 6066); the wrapper checks the IP. */
	if (!br_ssl_client_reset(&h->cc, u->ip_len ? NULL : u->host, 0)) {
		trust_explain(br_ssl_engine_last_error(&h->cc.eng), u->host,
		              u->port, h->err, sizeof(h->err));
		return AL_ETLS;
	}
	br_sslio_init(&h->sio, &h->cc.eng, low_read, h, low_write, h);
	if (br_sslio_flush(&h->sio) == 0)
		return 0;
	rc = sio_fail(h);
	if (rc == 0) {
		set_err(h, "TLS: %s:%u closed the connection during the "
		        "handshake", u->host, u->port);
		rc = AL_ETLS;
	}
	return rc;
}

static void conn_drop(struct http *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	h->roff = h->rlen = 0;
}

/* An idle kept-alive connection is reusable when nothing arrived on it:
 * anything there (close_notify, FIN, junk) means the server is done. */
static int conn_idle_ok(struct http *h)
{
	struct pollfd pfd;

	if (h->roff != h->rlen ||
	    (br_ssl_engine_current_state(&h->cc.eng) &
	     (BR_SSL_CLOSED | BR_SSL_RECVAPP)))
		return 0;
	pfd.fd = h->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 0;
}

/* Make sure a connection to u's host:port is up; *reused says whether it
 * is a kept-alive one. */
static int conn_ensure(struct http *h, const struct url *u, int *reused)
{
	int rc;

	*reused = 0;
	if (h->fd >= 0 && (u->port != h->conn_port ||
	                   strcasecmp(u->host, h->conn_host) != 0 ||
	                   !conn_idle_ok(h)))
		conn_drop(h);
	if (h->fd >= 0) {
		*reused = 1;
		return 0;
	}
	if (!port_wall_trusted(h->port)) {
		set_err(h, "TLS: the system clock is not set (NTP?); cannot "
		        "check the server certificate");
		return AL_ECLOCK;
	}
	rc = tls_prepare(h);
	if (rc == 0)
		rc = tcp_connect(h, u);
	if (rc != 0)
		return rc;
	h->connections++;
	snprintf(h->conn_host, sizeof(h->conn_host), "%s", u->host);
	h->conn_port = u->port;
	rc = tls_handshake(h, u);
	if (rc != 0)
		conn_drop(h);
	return rc;
}

/* ---- request ---- */

/* Send the request head (built in rbuf, which is empty between requests)
 * and the body, and flush them. */
static int send_request(struct http *h, const struct url *u,
                        const char *method, const char *ctype,
                        const void *body, size_t body_len)
{
	char port[8] = "", clen[48] = "";
	int n, rc, six = u->ip_len == 16;

	if (u->port != 443)
		snprintf(port, sizeof(port), ":%u", u->port);
	if (body != NULL || strcmp(method, "POST") == 0)
		snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n", body_len);
	else
		ctype = NULL;
	n = u->path_len >= sizeof(h->rbuf) ? -1 :
	    snprintf((char *)h->rbuf, sizeof(h->rbuf),
	             "%s %s%.*s HTTP/1.1\r\nHost: %s%s%s%s\r\n"
	             "User-Agent: %s\r\nAccept: */*\r\n%s%s%s%s\r\n",
	             method, u->path_len && u->path[0] == '/' ? "" : "/",
	             (int)u->path_len, u->path, six ? "[" : "", u->host,
	             six ? "]" : "", port, h->ua, ctype ? "Content-Type: " : "",
	             ctype ? ctype : "", ctype ? "\r\n" : "", clen);
	if (n < 0 || (size_t)n >= sizeof(h->rbuf)) {
		set_err(h, "%s:%u: request head longer than %d bytes", u->host,
		        u->port, HEAD_MAX);
		return AL_EINVAL;
	}
	if (br_sslio_write_all(&h->sio, h->rbuf, (size_t)n) == 0 &&
	    (body == NULL ||
	     br_sslio_write_all(&h->sio, body, body_len) == 0) &&
	    br_sslio_flush(&h->sio) == 0)
		return 0;
	rc = sio_fail(h);
	return rc == 0 ? CLOSED_EARLY : rc;
}

/* ---- response ---- */

/* The peer closed: before any byte of the response, the request may be
 * resent; after, the response is cut short. */
static int closed_rc(struct http *h)
{
	if (h->got == 0)
		return CLOSED_EARLY;
	set_err(h, "%s:%u: connection closed before the response was "
	        "complete", h->conn_host, h->conn_port);
	return AL_ECONNECT;
}

/* Read plaintext: >0 bytes, 0 when the peer closed, or a negative code. */
static int sio_read(struct http *h, void *dst, size_t cap)
{
	int n = br_sslio_read(&h->sio, dst, cap);

	if (n > 0) {
		h->got += (size_t)n;
		return n;
	}
	return sio_fail(h);
}

/* Append more plaintext to rbuf: >0, 0 on close, or a negative code. */
static int rd_more(struct http *h)
{
	int n;

	if (h->roff > 0) {
		memmove(h->rbuf, h->rbuf + h->roff, h->rlen - h->roff);
		h->rlen -= h->roff;
		h->roff = 0;
	}
	if (h->rlen == sizeof(h->rbuf)) {
		set_err(h, "%s:%u: response line longer than %d bytes",
		        h->conn_host, h->conn_port, HEAD_MAX);
		return AL_EPROTO;
	}
	n = sio_read(h, h->rbuf + h->rlen, sizeof(h->rbuf) - h->rlen);
	if (n > 0)
		h->rlen += (size_t)n;
	return n;
}

/* The next line, without its CRLF and NUL-terminated inside rbuf; valid
 * until the next read. Lines count against the HEAD_MAX budget. */
static int rd_line(struct http *h, char **line, size_t *len)
{
	unsigned char *s, *nl;
	size_t n;
	int rc;

	for (;;) {
		s = h->rbuf + h->roff;
		nl = memchr(s, '\n', h->rlen - h->roff);
		if (nl != NULL)
			break;
		rc = rd_more(h);
		if (rc <= 0)
			return rc == 0 ? closed_rc(h) : rc;
	}
	n = (size_t)(nl - s);
	h->roff += n + 1;
	h->head_used += n + 1;
	if (h->head_used > HEAD_MAX) {
		set_err(h, "%s:%u: response head larger than %d bytes",
		        h->conn_host, h->conn_port, HEAD_MAX);
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
static int rd_copy(struct http *h, unsigned char *dst, size_t n)
{
	size_t take;
	int r;

	while (n > 0) {
		take = h->rlen - h->roff;
		if (take == 0) {
			/* Straight from the engine: no second copy. */
			r = sio_read(h, dst, n);
			if (r <= 0)
				return r == 0 ? closed_rc(h) : r;
			take = (size_t)r;
		} else {
			take = take < n ? take : n;
			memcpy(dst, h->rbuf + h->roff, take);
			h->roff += take;
		}
		dst += take;
		n -= take;
	}
	return 0;
}

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
static int header_line(struct http *h, struct http_response *r,
                       struct framing *fr, char *line, size_t n)
{
	char *colon = memchr(line, ':', n), *v, *end = line + n;
	size_t nlen;

	nlen = colon ? (size_t)(colon - line) : 0;
	/* No name, folded lines and "Name :" are all refused (RFC 9112). */
	if (nlen == 0 || strcspn(line, " \t") < nlen) {
		set_err(h, "%s:%u: malformed response header", h->conn_host,
		        h->conn_port);
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
		set_err(h, "%s:%u: bad %.*s header", h->conn_host, h->conn_port,
		        (int)nlen, line);
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

static void resp_clear(struct http_response *r)
{
	r->status = 0;
	r->location[0] = r->replay_nonce[0] = r->retry_after[0] = '\0';
	r->content_type[0] = r->links[0] = '\0';
	r->body_len = 0;
	if (r->body != NULL && r->body_cap > 0)
		r->body[0] = '\0';
}

/* Status line and headers; 1xx interim responses are skipped. */
static int read_head(struct http *h, struct http_response *r,
                     struct framing *fr)
{
	char *line;
	size_t n;
	int rc, minor = 1;

	do {
		resp_clear(r);
		memset(fr, 0, sizeof(*fr));
		fr->length = -1;
		h->head_used = 0;
		rc = rd_line(h, &line, &n);
		if (rc != 0)
			return rc;
		if (parse_status(line, n, &r->status, &minor) != 0 ||
		    r->status == 101) {
			set_err(h, "%s:%u: not an HTTP/1.x status line",
			        h->conn_host, h->conn_port);
			return AL_EPROTO;
		}
		while ((rc = rd_line(h, &line, &n)) == 0 && n > 0) {
			rc = header_line(h, r, fr, line, n);
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

static int too_big(struct http *h, const struct http_response *r)
{
	set_err(h, "%s:%u: response body larger than %zu bytes", h->conn_host,
	        h->conn_port, r->body_cap ? r->body_cap - 1 : 0);
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
static int read_chunked(struct http *h, struct http_response *r,
                        size_t room)
{
	char *line;
	size_t n, size;
	int rc;

	for (;;) {
		h->head_used = 0;
		rc = rd_line(h, &line, &n);
		if (rc != 0)
			return rc;
		if (!chunk_size(line, room, &size))
			break;
		if (size == 0) {
			while ((rc = rd_line(h, &line, &n)) == 0 && n > 0)
				;
			return rc;
		}
		if (size > room - r->body_len)
			return too_big(h, r);
		rc = rd_copy(h, r->body + r->body_len, size);
		if (rc != 0)
			return rc;
		r->body_len += size;
		rc = rd_line(h, &line, &n);
		if (rc != 0)
			return rc;
		if (n != 0)
			break;
	}
	set_err(h, "%s:%u: malformed chunked body", h->conn_host, h->conn_port);
	return AL_EPROTO;
}

/* A body delimited by the end of the connection (no length given). */
static int read_to_close(struct http *h, struct http_response *r,
                         size_t room)
{
	size_t take;
	int n;

	take = h->rlen - h->roff;
	if (take > room)
		return too_big(h, r);
	if (take > 0)
		memcpy(r->body, h->rbuf + h->roff, take);
	r->body_len = take;
	h->roff = h->rlen = 0;
	for (;;) {
		if (r->body_len == room)
			n = sio_read(h, h->rbuf, 1);
		else
			n = sio_read(h, r->body + r->body_len, room - r->body_len);
		if (n <= 0)
			return n;
		if (r->body_len == room)
			return too_big(h, r);
		r->body_len += (size_t)n;
	}
}

static int read_body(struct http *h, struct http_response *r,
                     struct framing *fr, int is_head)
{
	size_t room = r->body && r->body_cap ? r->body_cap - 1 : 0;
	int rc = 0;

	if (is_head || r->status == 204 || r->status == 304)
		rc = 0;
	else if (fr->chunked)
		rc = read_chunked(h, r, room);
	else if (fr->length > (long long)room)
		rc = too_big(h, r);
	else if (fr->length >= 0) {
		rc = rd_copy(h, r->body, (size_t)fr->length);
		r->body_len = (size_t)fr->length;
	} else {
		fr->close = 1;
		rc = read_to_close(h, r, room);
	}
	if (rc == CLOSED_EARLY) /* impossible after a head; keep it an error */
		rc = closed_rc(h);
	if (r->body != NULL && r->body_cap > 0)
		r->body[rc == 0 ? r->body_len : 0] = '\0';
	return rc;
}

/* One request on the current connection and its whole response. */
static int exchange(struct http *h, const struct url *u, const char *method,
                    const char *ctype, const void *body, size_t body_len,
                    struct http_response *r)
{
	struct framing fr;
	int rc;

	h->got = 0;
	h->io = IO_OK;
	resp_clear(r);
	rc = send_request(h, u, method, ctype, body, body_len);
	if (rc == 0)
		rc = read_head(h, r, &fr);
	if (rc == 0)
		rc = read_body(h, r, &fr, strcmp(method, "HEAD") == 0);
	if (rc == 0 && (fr.close || h->roff != h->rlen))
		conn_drop(h);
	return rc;
}

static int arg_ok(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* Send one request, and once more on a fresh connection when a kept-alive
 * one turns out to have been closed by the server. */
static int request_once(struct http *h, const struct url *u,
                        const char *method, const char *ctype,
                        const void *body, size_t body_len,
                        struct http_response *resp)
{
	int rc, reused, attempt;

	for (attempt = 0;; attempt++) {
		rc = conn_ensure(h, u, &reused);
		if (rc == 0)
			rc = exchange(h, u, method, ctype, body, body_len, resp);
		if (rc != CLOSED_EARLY || !reused || attempt > 0)
			break;
		conn_drop(h);
	}
	if (rc == CLOSED_EARLY) {
		set_err(h, "%s:%u: connection closed without a response",
		        u->host, u->port);
		rc = AL_ECONNECT;
	}
	if (rc != 0)
		conn_drop(h);
	return rc;
}

/* Perform one request (see http.h); reuses the kept-alive connection. */
int http_request(struct http *h, const char *method, const char *url,
                 const char *content_type, const void *body, size_t body_len,
                 struct http_response *resp)
{
	struct url u;
	int rc;

	if (h == NULL || method == NULL || url == NULL || resp == NULL)
		return AL_EINVAL;
	resp_clear(resp);
	if ((strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	     strcmp(method, "POST") != 0) ||
	    (content_type != NULL && !arg_ok(content_type, 256))) {
		set_err(h, "%s: bad method or content type", url);
		return AL_EINVAL;
	}
	rc = url_parse(h, url, &u);
	if (rc != 0)
		return rc;
	if (body == NULL)
		body_len = 0;
	h->requests++;
	h->deadline = port_mono_ms(h->port) + (int64_t)h->timeout_s * 1000;
	rc = request_once(h, &u, method, content_type, body, body_len, resp);
	if (rc != 0) {
		resp_clear(resp);
		if (h->log != NULL)
			log_debug(h->log, "http: %s %s -> %s", method, url, h->err);
		return rc;
	}
	if (h->log != NULL)
		log_debug(h->log, "http: %s %s -> %d (%zu bytes)", method, url,
		          resp->status, resp->body_len);
	return 0;
}

/* Create the transport (see http.h). AL_EINVAL without opts or
 * opts->port (its clocks are needed), or for a user agent with control
 * characters; AL_EFAIL without memory. Nothing is loaded or connected yet. */
int http_open(struct http **out, const struct http_opts *opts)
{
	struct http *h;
	const char *ua = opts && opts->user_agent ? opts->user_agent : "acmelet";

	if (out == NULL)
		return AL_EINVAL;
	*out = NULL;
	if (opts == NULL || opts->port == NULL || !arg_ok(ua, UA_MAX - 1) ||
	    (opts->ca_file && strlen(opts->ca_file) >= CA_PATH_MAX))
		return AL_EINVAL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return AL_EFAIL;
	h->log = opts->log;
	h->port = opts->port;
	h->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S;
	snprintf(h->ua, sizeof(h->ua), "%s", ua);
	if (opts->ca_file)
		snprintf(h->ca_file, sizeof(h->ca_file), "%s", opts->ca_file);
	h->fd = -1;
	*out = h;
	return 0;
}

/* Reason for the last failed request, "" when none failed yet. */
const char *http_error(const struct http *h)
{
	return h ? h->err : "";
}

/* Requests asked for and TCP connections opened since http_open(). */
void http_stats(const struct http *h, unsigned *requests,
                unsigned *connections)
{
	if (requests)
		*requests = h ? h->requests : 0;
	if (connections)
		*connections = h ? h->connections : 0;
}

/* Drop the connection (no close_notify: HTTP framing already says where
 * the data ends) and free everything; NULL is ignored. */
void http_close(struct http *h)
{
	if (h == NULL)
		return;
	conn_drop(h);
	trust_free(&h->ts);
	free(h);
}
