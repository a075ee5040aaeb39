/* The HTTP transport on BearSSL: HTTP/1.1 (http1.c) over its TLS client,
 * for the static build (libcurl dropped BearSSL in 8.15). This file owns
 * the socket, the TLS engine and the connection policy: one kept-alive
 * connection, and one more try when the server closed it while idle.
 *
 * Everything lives in one allocation made by http_open() (~65 KiB): the
 * TLS engine with its bidirectional record buffer, the 8 KiB buffer of
 * http1.c that holds the request head and then the response head, and the
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
 * request's deadline, connect included. getaddrinfo() blocks and cannot
 * be bounded, so a host is resolved once, at its first connection (for
 * the CA, the directory fetch, before any challenge is presented), and its
 * addresses are kept in struct http for every later reconnect of the run:
 * nothing blocks while a validator may knock on a responder. Only when no
 * kept address answers any more is the host resolved again.
 *
 * The TLS profile is TLS 1.2 with ECDHE and AES-GCM suites only (what
 * RFC 7525 recommends and the public ACME CAs offer), on BearSSL's
 * portable constant-time code: only what the profile names is linked,
 * which keeps the static binary small (36 KiB less than with
 * br_ssl_client_init_full()). */
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

#include "ec.h"
#include "err.h"
#include "http1.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "trust.h"

#define HOST_MAX 256
#define UA_MAX 128
#define CA_PATH_MAX 1024
#define DEFAULT_TIMEOUT_S 30
#define UNIX_EPOCH_DAYS 719528 /* 1970-01-01 in days since 0000-01-01 */
#define ADDR_MAX 8             /* addresses kept of the resolved host */

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

/* The addresses of the last host resolved, in getaddrinfo()'s order. */
struct addr_cache {
	char host[HOST_MAX];         /* "" when empty */
	unsigned port;
	int n;
	struct sockaddr_storage sa[ADDR_MAX];
	socklen_t len[ADDR_MAX];
};

struct http {
	struct logger *log;
	struct port *port;
	struct loop *loop;           /* NULL: plain poll() (tests) */
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
	struct addr_cache addrs;     /* resolved once per host, see above */
	unsigned requests, connections;
	char err[HTTP_ERR_MAX];
	struct h1 h1;                /* reads the plaintext through sio_read */
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

/* Wait until fd is ready for events, within the request's deadline,
 * through the loop when there is one (the responders are served). */
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
		if (h->loop) {
			n = loop_wait(h->loop, &pfd, 1, h->deadline);
			if (n == AL_EINTR)
				continue;
			if (n < 0)
				errno = EIO;
		} else {
			n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		}
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			h->io = IO_ERROR;
			h->io_errno = errno;
			return -1;
		}
	}
}

/* After recv() or send() failed (errno says why): 0 to try again, once
 * the socket is ready for events; -1 (h->io set) when the request's I/O
 * is over. */
static int io_retry(struct http *h, short events)
{
	int e = errno;

	if (e == EINTR)
		return 0;
	if (e == EAGAIN || e == EWOULDBLOCK)
		return wait_fd(h, h->fd, events);
	h->io_errno = e;
	h->io = (e == ECONNRESET || e == EPIPE) ? IO_CLOSED : IO_ERROR;
	return -1;
}

/* 1 (and h->io set) once the request's deadline has passed: checked
 * before every read and write, not only before a wait, so that a peer
 * that never stops sending (endless interim answers, a slow drip) is cut
 * off at the deadline too. */
static int past_deadline(struct http *h)
{
	if (port_mono_ms(h->port) < h->deadline)
		return 0;
	h->io = IO_TIMEOUT;
	return 1;
}

/* BearSSL's read callback: at least one byte, or -1 (never 0). */
static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct http *h = ctx;
	ssize_t n;

	for (;;) {
		if (past_deadline(h))
			return -1;
		n = recv(h->fd, buf, len, 0);
		if (n > 0)
			return (int)n;
		if (n == 0) {
			h->io = IO_CLOSED;
			return -1;
		}
		if (io_retry(h, POLLIN) != 0)
			return -1;
	}
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct http *h = ctx;
	ssize_t n;

	for (;;) {
		if (past_deadline(h))
			return -1;
		n = send(h->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (io_retry(h, POLLOUT) != 0)
			return -1;
	}
}

/* Connect to one address; 0 with h->fd set, or AL_ECONNECT (*err set) or
 * AL_ETIMEOUT. */
static int try_connect(struct http *h, const struct sockaddr *sa,
                       socklen_t len, int *err)
{
	int fd, one = 1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (fd < 0) {
		*err = errno;
		return AL_ECONNECT;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
		soerr = errno;
	else if (connect(fd, sa, len) != 0) {
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

/* Resolve u's host into h->addrs (blocking: see the top of this file). */
static int resolve(struct http *h, const struct url *u)
{
	struct addr_cache *a = &h->addrs;
	struct addrinfo hints, *res = NULL, *ai;
	char svc[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (u->ip_len ? AI_NUMERICHOST : 0);
	snprintf(svc, sizeof(svc), "%u", u->port);
	a->host[0] = '\0';
	a->n = 0;
	rc = getaddrinfo(u->host, svc, &hints, &res);
	if (rc != 0) {
		set_err(h, "cannot resolve %s: %s", u->host, gai_strerror(rc));
		return AL_ECONNECT;
	}
	for (ai = res; ai != NULL && a->n < ADDR_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(a->sa[0]))
			continue;
		memcpy(&a->sa[a->n], ai->ai_addr, ai->ai_addrlen);
		a->len[a->n++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	snprintf(a->host, sizeof(a->host), "%s", u->host);
	a->port = u->port;
	return 0;
}

/* Connect to the first address of u's host that answers: the kept ones,
 * else (none kept for this host, or none answered) freshly resolved. */
static int tcp_connect(struct http *h, const struct url *u)
{
	struct addr_cache *a = &h->addrs;
	int rc = AL_ECONNECT, last = ECONNREFUSED, i, fresh = 0;

	h->io = IO_OK;
	for (;;) {
		if (a->port != u->port || strcasecmp(a->host, u->host) != 0) {
			if ((rc = resolve(h, u)) != 0)
				return rc;
			fresh = 1;
		}
		rc = AL_ECONNECT;
		for (i = 0; i < a->n && rc == AL_ECONNECT; i++)
			rc = try_connect(h, (const struct sockaddr *)&a->sa[i],
			                 a->len[i], &last);
		if (rc != AL_ECONNECT || fresh)
			break;
		a->host[0] = '\0'; /* kept addresses refused: resolve again */
	}
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

/* The client profile (see the top of this file), in place of
 * br_ssl_client_init_full(), which links every suite BearSSL has. SHA-256
 * to SHA-512 cover the chains of today's CAs; no SHA-1, no MD5. */
static void tls_profile(br_ssl_client_context *cc, br_x509_minimal_context *xc,
                        const br_x509_trust_anchor *ta, size_t n)
{
	static const uint16_t suites[] = {
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	};
	static const struct {
		int id;
		const br_hash_class *impl;
	} hashes[] = {
		{ br_sha256_ID, &br_sha256_vtable },
		{ br_sha384_ID, &br_sha384_vtable },
		{ br_sha512_ID, &br_sha512_vtable },
	};
	br_ssl_engine_context *eng = &cc->eng;
	const br_ec_impl *ec = ec_impl();
	size_t i;

	br_ssl_client_zero(cc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_x509_minimal_init(xc, &br_sha256_vtable, ta, n);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		br_ssl_engine_set_hash(eng, hashes[i].id, hashes[i].impl);
		br_x509_minimal_set_hash(xc, hashes[i].id, hashes[i].impl);
	}
	/* RSA only verifies signatures: chains and ECDHE_RSA key exchange. */
	br_x509_minimal_set_rsa(xc, br_rsa_i31_pkcs1_vrfy);
	br_x509_minimal_set_ecdsa(xc, ec, br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_rsavrfy(eng, br_rsa_i31_pkcs1_vrfy);
	br_ssl_engine_set_ecdsa(eng, br_ecdsa_i31_vrfy_asn1);
	br_ssl_engine_set_ec(eng, ec);
	br_ssl_engine_set_prf_sha256(eng, br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, br_tls12_sha384_prf);
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable,
	                      &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, &br_aes_ct_ctr_vtable);
	br_ssl_engine_set_ghash(eng, br_ghash_ctmul);
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
	tls_profile(&h->cc, &h->xc, h->ts.anchors, h->ts.count);
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
	h1_reset(&h->h1, h->conn_host, h->conn_port);
}

/* An idle kept-alive connection is reusable when nothing arrived on it:
 * anything there (close_notify, FIN, junk) means the server is done. */
static int conn_idle_ok(struct http *h)
{
	struct pollfd pfd;

	if (h1_buffered(&h->h1) != 0 ||
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
	h1_reset(&h->h1, h->conn_host, h->conn_port);
	rc = tls_handshake(h, u);
	if (rc != 0)
		conn_drop(h);
	return rc;
}
/* ---- request ---- */

/* http1.c's read callback: plaintext, >0 bytes, 0 when the peer closed,
 * or a negative code with h->err set. */
static int sio_read(void *ctx, void *dst, size_t cap)
{
	struct http *h = ctx;
	int n = br_sslio_read(&h->sio, dst, cap);

	return n > 0 ? n : sio_fail(h);
}

/* Send the request head (built in http1.c's buffer, empty between
 * requests) and the body, and flush them. */
static int send_request(struct http *h, const struct url *u,
                        const char *method, const char *ctype,
                        const void *body, size_t body_len)
{
	struct h1_req q = {
		.method = method, .host = u->host, .port = u->port,
		.ipv6 = u->ip_len == 16, .path = u->path,
		.path_len = u->path_len, .user_agent = h->ua,
		.content_type = ctype, .has_body = body != NULL,
		.body_len = body_len,
	};
	size_t n;
	int rc;

	rc = h1_request_head(&h->h1, &q, &n);
	if (rc != 0)
		return rc;
	if (br_sslio_write_all(&h->sio, h->h1.buf, n) == 0 &&
	    (body == NULL ||
	     br_sslio_write_all(&h->sio, body, body_len) == 0) &&
	    br_sslio_flush(&h->sio) == 0)
		return 0;
	rc = sio_fail(h);
	return rc == 0 ? H1_CLOSED_EARLY : rc;
}

/* One request on the current connection and its whole response. */
static int exchange(struct http *h, const struct url *u, const char *method,
                    const char *ctype, const void *body, size_t body_len,
                    struct http_response *r)
{
	int rc, keep = 0;

	h->io = IO_OK;
	h1_resp_clear(r);
	rc = send_request(h, u, method, ctype, body, body_len);
	if (rc == 0)
		rc = h1_response(&h->h1, r, strcmp(method, "HEAD") == 0, &keep);
	if (rc == 0 && !keep)
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
		if (rc != H1_CLOSED_EARLY || !reused || attempt > 0)
			break;
		conn_drop(h);
	}
	if (rc == H1_CLOSED_EARLY) {
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
	h1_resp_clear(resp);
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
		h1_resp_clear(resp);
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
	h->loop = opts->loop;
	h->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : DEFAULT_TIMEOUT_S;
	snprintf(h->ua, sizeof(h->ua), "%s", ua);
	if (opts->ca_file)
		snprintf(h->ca_file, sizeof(h->ca_file), "%s", opts->ca_file);
	h->fd = -1;
	h1_init(&h->h1, sio_read, h, h->err, sizeof(h->err));
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
