/* The libcurl transport (see http.h). One easy handle lives for the whole
 * run, so its connection cache keeps the TLS connection to the CA alive
 * between requests. Redirects are never followed: ACME gives meaning to
 * Location and to 3xx answers itself.
 *
 * The easy handle is driven by a multi handle in libcurl's socket mode
 * (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION): libcurl says which sockets and
 * which timeout it wants, and the waiting is done by loop_wait(), so the
 * challenge responders are served during every request (D4). The multi
 * handle keeps the connection cache between requests.
 *
 * libcurl validates certificates against the system clock; opts->port is
 * the loop's monotonic clock only. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "err.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "port.h"

#define HTTP_DEFAULT_TIMEOUT_S 30
#define HTTP_CA_NAME_MAX 256
#define HTTP_MAX_SOCKS 8 /* sockets libcurl watches at once (happy eyeballs) */

struct http {
	CURL *curl;
	CURLM *multi;
	struct loop *loop;          /* NULL: plain poll() (tests) */
	struct port *port;          /* its clock, for the timer */
	struct pollfd socks[HTTP_MAX_SOCKS]; /* what libcurl wants watched */
	int nsocks;
	int64_t timer_at;           /* monotonic ms libcurl's timeout is due, -1: none */
	struct logger *log;
	unsigned requests, connections;
	struct http_response *resp; /* the request in flight */
	int overflow;               /* the body did not fit */
	int head_over;              /* too many header bytes or 1xx answers */
	int in_head;                /* between a status line and its end */
	size_t head_bytes;          /* header bytes of this answer, trailers too */
	int answers;                /* status lines seen */
	char ca_file[HTTP_CA_NAME_MAX]; /* for messages only */
	char errbuf[CURL_ERROR_SIZE];
	char err[HTTP_ERR_MAX];
};

/* Copy v[0..n) into dst (cap bytes), truncating, NUL-terminated. */
static void copy_field(char *dst, size_t cap, const char *v, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void append_link(char *dst, size_t cap, const char *v, size_t n)
{
	size_t have = strlen(dst);

	if (have > 0) {
		if (cap - have <= 3)
			return;
		memcpy(dst + have, ", ", 2);
		have += 2;
	}
	copy_field(dst + have, cap - have, v, n);
}

static int name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static void clear_headers(struct http_response *r)
{
	r->location[0] = r->replay_nonce[0] = r->retry_after[0] = '\0';
	r->content_type[0] = r->links[0] = '\0';
}

/* libcurl calls this once per header line, CRLF included, not
 * NUL-terminated, trailers too: it keeps every one of them, so the bound
 * is held here (HTTP_HEAD_MAX bytes, HTTP_INTERIM_MAX interim answers);
 * returning less than len aborts the transfer. A status line starts a
 * new response (after a 1xx): only the final response's headers count,
 * and trailers are not taken for headers. */
static size_t on_header(char *data, size_t size, size_t nitems, void *arg)
{
	struct http *h = arg;
	struct http_response *r = h->resp;
	size_t len = size * nitems, nlen, vlen;
	const char *colon, *v;

	h->head_bytes += len;
	if (h->head_bytes > HTTP_HEAD_MAX) {
		h->head_over = 1;
		return 0;
	}
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		if (++h->answers > HTTP_INTERIM_MAX + 1) {
			h->head_over = 1;
			return 0;
		}
		clear_headers(r);
		h->in_head = 1;
		return len;
	}
	if (len <= 2 && (data[0] == '\r' || data[0] == '\n'))
		h->in_head = 0;
	colon = memchr(data, ':', len);
	if (!colon || !h->in_head)
		return len;
	nlen = (size_t)(colon - data);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
		vlen--;
	if (name_is(data, nlen, "Location"))
		copy_field(r->location, sizeof(r->location), v, vlen);
	else if (name_is(data, nlen, "Replay-Nonce"))
		copy_field(r->replay_nonce, sizeof(r->replay_nonce), v, vlen);
	else if (name_is(data, nlen, "Retry-After"))
		copy_field(r->retry_after, sizeof(r->retry_after), v, vlen);
	else if (name_is(data, nlen, "Content-Type"))
		copy_field(r->content_type, sizeof(r->content_type), v, vlen);
	else if (name_is(data, nlen, "Link") && vlen > 0)
		append_link(r->links, sizeof(r->links), v, vlen);
	return len;
}

/* Body bytes go to the caller's buffer; returning less than offered makes
 * libcurl abort the transfer with CURLE_WRITE_ERROR. */
static size_t on_body(char *data, size_t size, size_t nitems, void *arg)
{
	struct http *h = arg;
	struct http_response *r = h->resp;
	size_t len = size * nitems;

	if (len == 0)
		return 0;
	if (!r->body || r->body_cap == 0 ||
	    len > r->body_cap - 1 - r->body_len) {
		h->overflow = 1;
		return 0;
	}
	memcpy(r->body + r->body_len, data, len);
	r->body_len += len;
	return len;
}

/* libcurl says what to watch on socket fd (CURLMOPT_SOCKETFUNCTION). */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *arg, void *sp)
{
	struct http *h = arg;
	int i;

	(void)e;
	(void)sp;
	for (i = 0; i < h->nsocks && h->socks[i].fd != fd; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < h->nsocks)
			h->socks[i] = h->socks[--h->nsocks];
		return 0;
	}
	if (i == h->nsocks) {
		if (h->nsocks == HTTP_MAX_SOCKS)
			return -1;
		h->nsocks++;
	}
	h->socks[i].fd = fd;
	h->socks[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
	                             ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return 0;
}

static int64_t now_ms(const struct http *h)
{
	return h->port ? port_mono_ms(h->port) : 0;
}

/* libcurl's one timer (CURLMOPT_TIMERFUNCTION): -1 removes it. */
static int on_timer(CURLM *m, long timeout_ms, void *arg)
{
	struct http *h = arg;

	(void)m;
	h->timer_at = timeout_ms < 0 ? -1 : now_ms(h) + timeout_ms;
	return 0;
}

static int multi_setup(struct http *h)
{
	if (!(h->multi = curl_multi_init()))
		return AL_EFAIL;
	if (curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket) ||
	    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) ||
	    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer) ||
	    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h) ||
	    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 1L))
		return AL_EFAIL;
	h->timer_at = -1;
	return 0;
}

/* Wait for libcurl's sockets or its timer, through the loop. Returns the
 * number of sockets with events, 0 when the timer is due, or AL_E*. */
static int wait_curl(struct http *h, struct pollfd *pfd, int n)
{
	int64_t now = now_ms(h);
	int64_t until = h->timer_at < 0 ? now + 1000 : h->timer_at;
	int rc;

	memcpy(pfd, h->socks, (size_t)n * sizeof(*pfd));
	if (h->loop) {
		rc = loop_wait(h->loop, pfd, n, until);
		return rc == AL_EINTR ? 0 : rc;
	}
	rc = poll(pfd, (nfds_t)n, until > now ? (int)(until - now) : 0);
	return rc < 0 && errno != EINTR ? AL_EFAIL : (rc < 0 ? 0 : rc);
}

/* Run the transfer of h->curl to its end; its CURLcode. */
static CURLcode perform(struct http *h)
{
	struct pollfd pfd[HTTP_MAX_SOCKS];
	CURLcode res = CURLE_OK;
	CURLMsg *msg;
	int running = 1, n, i, left;

	if (curl_multi_add_handle(h->multi, h->curl) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (running) {
		n = h->nsocks;
		if ((i = wait_curl(h, pfd, n)) < 0) {
			res = CURLE_RECV_ERROR;
			break;
		}
		for (i = 0; i < n; i++) {
			int ev = 0;

			if (pfd[i].revents & (POLLIN | POLLHUP))
				ev |= CURL_CSELECT_IN;
			if (pfd[i].revents & POLLOUT)
				ev |= CURL_CSELECT_OUT;
			if (pfd[i].revents & (POLLERR | POLLNVAL))
				ev |= CURL_CSELECT_ERR;
			if (ev)
				curl_multi_socket_action(h->multi, pfd[i].fd, ev,
				                         &running);
		}
		if (running && ((h->timer_at >= 0 && now_ms(h) >= h->timer_at) ||
		    !h->loop))
			curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0,
			                         &running);
	}
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->curl)
			res = msg->data.result;
	curl_multi_remove_handle(h->multi, h->curl);
	return res;
}

/* Options that stay for the whole run. */
static int setup(struct http *h, const struct http_opts *opts)
{
	static const struct { CURLoption opt; long val; } longs[] = {
		{ CURLOPT_NOSIGNAL, 1L },
		{ CURLOPT_FOLLOWLOCATION, 0L },
		{ CURLOPT_SSL_VERIFYPEER, 1L },
		{ CURLOPT_SSL_VERIFYHOST, 2L },
	};
	long t = opts->timeout_s > 0 ? opts->timeout_s : HTTP_DEFAULT_TIMEOUT_S;
	CURL *c = h->curl;
	CURLcode rc = CURLE_OK;

	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]) && !rc; i++)
		rc = curl_easy_setopt(c, longs[i].opt, longs[i].val);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_TIMEOUT, t);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, t);
	/* https only: an ACME request in clear would give away the account's
	 * signed requests (issue 12); redirects are not followed anyway. */
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	if (!rc && opts->user_agent)
		rc = curl_easy_setopt(c, CURLOPT_USERAGENT, opts->user_agent);
	if (!rc && opts->ca_file)
		rc = curl_easy_setopt(c, CURLOPT_CAINFO, opts->ca_file);
	return rc ? AL_EFAIL : 0;
}

/* Create the transport (see http.h). AL_EINVAL without opts, AL_EFAIL
 * when libcurl cannot be set up. */
int http_open(struct http **out, const struct http_opts *opts)
{
	struct http *h;
	int r;

	if (!out)
		return AL_EINVAL;
	*out = NULL;
	if (!opts)
		return AL_EINVAL;
	/* Reference-counted inside libcurl; balanced in http_close(). */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return AL_EFAIL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		return AL_EFAIL;
	}
	h->log = opts->log;
	h->loop = opts->loop;
	h->port = opts->port;
	if (opts->ca_file)
		copy_field(h->ca_file, sizeof(h->ca_file), opts->ca_file,
		           strlen(opts->ca_file));
	h->curl = curl_easy_init();
	r = h->curl ? setup(h, opts) : AL_EFAIL;
	if (r == 0)
		r = multi_setup(h);
	if (r < 0) {
		http_close(h);
		return r;
	}
	*out = h;
	return 0;
}

/* "host:port" of url for messages, the scheme's port when none is given. */
static void url_authority(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://"), *end, *at, *close;
	int https = strncasecmp(url, "https:", 6) == 0;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	close = memchr(p, ']', (size_t)(end - p));
	if (memchr(close ? close : p, ':', (size_t)(end - (close ? close : p))))
		snprintf(out, cap, "%.*s", (int)(end - p), p);
	else
		snprintf(out, cap, "%.*s:%s", (int)(end - p), p,
		         https ? "443" : "80");
}

/* Error code for a libcurl failure. */
static int map_error(const struct http *h, CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT: case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING:
		return AL_ECONNECT;
	case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER: case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED: case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED: case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR: case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS: case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CLIENTCERT:
		return AL_ETLS;
	case CURLE_OPERATION_TIMEDOUT:
		return AL_ETIMEOUT;
	case CURLE_WRITE_ERROR:
		return h->overflow ? AL_E2BIG : h->head_over ? AL_EPROTO : AL_EFAIL;
	case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_URL_MALFORMAT:
		return AL_EINVAL;
	case CURLE_OUT_OF_MEMORY:
		return AL_EFAIL;
	default:
		return AL_EPROTO;
	}
}

/* Set the one-line reason; truncation is fine, control characters from
 * the server or libcurl become spaces. */
__attribute__((format(printf, 2, 3)))
static void set_err(struct http *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
	for (char *p = h->err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

/* 1 when an X.509 verification result says no trust anchor was found.
 * The values are OpenSSL's X509_V_ERR_* (Debian's libcurl4-openssl), kept
 * here to avoid a build dependency on OpenSSL's headers:
 * UNABLE_TO_GET_ISSUER_CERT 2, DEPTH_ZERO_SELF_SIGNED_CERT 18,
 * SELF_SIGNED_CERT_IN_CHAIN 19, UNABLE_TO_GET_ISSUER_CERT_LOCALLY 20,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE 21. */
static int untrusted_issuer(long verify)
{
	return verify == 2 || (verify >= 18 && verify <= 21);
}

/* The TLS part of the one-line reason: say what the user can do. */
static void describe_tls(struct http *h, CURLcode rc, const char *where,
                         const char *why)
{
	long verify = 0;

	if (rc == CURLE_SSL_CACERT_BADFILE) {
		set_err(h, "TLS: cannot load CA file %s (%s); check --ca-file",
		        h->ca_file, why);
		return;
	}
	if (rc != CURLE_PEER_FAILED_VERIFICATION) {
		set_err(h, "TLS handshake with %s failed (%s)", where, why);
		return;
	}
	/* Only a missing issuer is fixed with --ca-file; a wrong name or an
	 * expired certificate is not. */
	curl_easy_getinfo(h->curl, CURLINFO_SSL_VERIFYRESULT, &verify);
	if (untrusted_issuer(verify))
		set_err(h, "TLS: server certificate not trusted (%s); pass "
		        "--ca-file with the CA that signed it", why);
	else
		set_err(h, "TLS: server certificate of %s rejected (%s)",
		        where, why);
}

/* Build the one-line reason for a failed request into h->err. */
static void describe(struct http *h, CURLcode rc, int code, const char *url,
                     size_t cap)
{
	char where[128];
	const char *why = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
	long os_errno = 0;

	url_authority(url, where, sizeof(where));
	if (rc == CURLE_COULDNT_CONNECT) {
		curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno);
		set_err(h, "cannot connect to %s: %s", where,
		        os_errno ? strerror((int)os_errno) : why);
	} else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
		set_err(h, "cannot resolve the host of %s (%s)", where, why);
	} else if (code == AL_ECONNECT) {
		set_err(h, "connection to %s lost (%s)", where, why);
	} else if (code == AL_ETLS) {
		describe_tls(h, rc, where, why);
	} else if (code == AL_ETIMEOUT) {
		set_err(h, "%s did not answer in time (%s)", where, why);
	} else if (h->head_over) {
		set_err(h, "%s: more than %d bytes of headers or %d interim "
		        "answers", where, HTTP_HEAD_MAX, HTTP_INTERIM_MAX);
	} else if (code == AL_E2BIG) {
		set_err(h, "%s: response body larger than %zu bytes", url,
		        cap ? cap - 1 : 0);
	} else {
		set_err(h, "%s: %s", url, why);
	}
}

/* Request headers, built on the stack: libcurl only reads the list during
 * the transfer, so no allocation is needed. */
struct req_headers {
	struct curl_slist list[2];
	char expect[8];
	char ct[HTTP_CTYPE_MAX + 16];
};

/* Method, headers and body of one request; hs must stay alive until the
 * transfer ends. */
static int set_request(struct http *h, const char *method, const char *ctype,
                       const void *body, size_t body_len,
                       struct req_headers *hs)
{
	CURL *c = h->curl;
	CURLcode rc;
	int post = strcmp(method, "POST") == 0;

	if (ctype && (strpbrk(ctype, "\r\n") ||
	    (size_t)snprintf(hs->ct, sizeof(hs->ct), "Content-Type: %s",
	                     ctype) >= sizeof(hs->ct)))
		return AL_EINVAL;
	if (!ctype) /* an empty value drops libcurl's form default */
		snprintf(hs->ct, sizeof(hs->ct), "Content-Type:");
	/* No "Expect: 100-continue" round trip before large POSTs. */
	memcpy(hs->expect, "Expect:", 8);
	hs->list[0].data = hs->expect;
	hs->list[0].next = (post || ctype) ? &hs->list[1] : NULL;
	hs->list[1].data = hs->ct;
	hs->list[1].next = NULL;
	/* HTTPGET resets what an earlier POST or HEAD left behind. */
	rc = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (!rc && strcmp(method, "HEAD") == 0)
		rc = curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (!rc && post)
		rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		                      (curl_off_t)body_len);
	if (!rc && post)
		rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		                      body ? (const char *)body : "");
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs->list);
	return rc ? AL_EFAIL : 0;
}

static void reset_response(struct http_response *r)
{
	r->status = 0;
	r->body_len = 0;
	clear_headers(r);
	if (r->body && r->body_cap)
		r->body[0] = '\0';
}

/* Perform one request (see http.h). */
int http_request(struct http *h, const char *method, const char *url,
                 const char *content_type, const void *body, size_t body_len,
                 struct http_response *resp)
{
	struct req_headers hs;
	long status = 0, conns = 0;
	CURLcode rc;
	int r;

	if (!h || !method || !url || !resp)
		return AL_EINVAL;
	reset_response(resp);
	if (strcmp(method, "GET") && strcmp(method, "HEAD") &&
	    strcmp(method, "POST"))
		return AL_EINVAL;
	if (strncasecmp(url, "https://", 8) != 0) {
		set_err(h, "%.160s: only https:// URLs are supported", url);
		return AL_EINVAL;
	}
	r = set_request(h, method, content_type, body, body_len, &hs);
	if (r < 0)
		return r;
	if (curl_easy_setopt(h->curl, CURLOPT_URL, url) != CURLE_OK)
		return AL_EFAIL;
	h->resp = resp;
	h->overflow = h->head_over = h->in_head = h->answers = 0;
	h->head_bytes = 0;
	h->errbuf[0] = '\0';
	rc = perform(h);
	h->requests++;
	if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &conns) == 0 &&
	    conns > 0)
		h->connections += (unsigned)conns;
	/* Nothing may point into this stack frame after we return. */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	h->resp = NULL;
	if (rc != CURLE_OK) {
		r = map_error(h, rc);
		describe(h, rc, r, url, resp->body_cap);
		reset_response(resp);
		if (h->log)
			log_debug(h->log, "http: %s %s -> %s", method, url,
			          h->err);
		return r;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	resp->status = (int)status;
	if (resp->body && resp->body_cap)
		resp->body[resp->body_len] = '\0';
	if (h->log)
		log_debug(h->log, "http: %s %s -> %d (%zu bytes)", method, url,
		          resp->status, resp->body_len);
	return 0;
}

/* Reason for the last failed request, "" when none failed yet. */
const char *http_error(const struct http *h)
{
	return h ? h->err : "";
}

/* Requests sent and connections opened since http_open(). */
void http_stats(const struct http *h, unsigned *requests, unsigned *connections)
{
	if (requests)
		*requests = h ? h->requests : 0;
	if (connections)
		*connections = h ? h->connections : 0;
}

/* Close the connection and free the transport; NULL is ignored. */
void http_close(struct http *h)
{
	if (!h)
		return;
	if (h->multi)
		curl_multi_cleanup(h->multi);
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h);
	curl_global_cleanup();
}
