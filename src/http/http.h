/* The HTTP transport interface. Two implementations are chosen by the build
 * (Kconfig), never by #ifdef inside functions: http_curl.c (libcurl) and
 * http_bearssl.c (HTTP/1.1 over BearSSL TLS, for the static binary).
 *
 * One struct http lives for a whole run and keeps one connection alive.
 * TLS verification is always on. A request returns when its answer is
 * there, but its waits go through the loop of http_opts, which serves the
 * challenge responders meanwhile; every buffer is bounded. */
#ifndef ACMELET_HTTP_H
#define ACMELET_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct logger;
struct port;
struct loop;
struct http;

#define HTTP_LOCATION_MAX 1024
#define HTTP_NONCE_MAX 256
#define HTTP_RETRY_AFTER_MAX 64
#define HTTP_CTYPE_MAX 128
#define HTTP_LINKS_MAX 2048
#define HTTP_ERR_MAX 256
/* Bounds every transport holds whatever the peer sends (issue 12): the
 * header bytes of one answer (status lines, headers, interim 1xx answers
 * and chunked trailers together), and the interim answers before the
 * final one. The deadline is opts->timeout_s for the whole request, data
 * arriving or not. */
#define HTTP_HEAD_MAX 8192
#define HTTP_INTERIM_MAX 8

struct http_opts {
	const char *ca_file;  /* PEM bundle of trust anchors; NULL: system default */
	int timeout_s;        /* per request, connect included */
	const char *user_agent;
	struct logger *log;
	struct port *port;    /* clock for certificate validation */
	struct loop *loop;    /* every wait goes through it (D4); NULL: plain poll */
};

/* One response. The body goes to a caller-provided buffer (body, body_cap);
 * a larger body fails the request with AL_E2BIG. Headers that ACME needs are
 * kept, each truncated-safe and NUL-terminated; absent ones are "". */
struct http_response {
	int status;
	char location[HTTP_LOCATION_MAX];
	char replay_nonce[HTTP_NONCE_MAX];
	char retry_after[HTTP_RETRY_AFTER_MAX];
	char content_type[HTTP_CTYPE_MAX];
	/* Every Link header value, joined by ", " (RFC 8288 allows that). */
	char links[HTTP_LINKS_MAX];
	unsigned char *body;  /* set by the caller */
	size_t body_cap;      /* set by the caller; body is NUL-terminated, so
	                         at most body_cap-1 bytes of content fit */
	size_t body_len;
};

/* Create a transport. Returns 0, or a negative AL_E* code. */
int http_open(struct http **out, const struct http_opts *opts);

/* Perform one request. method is "GET", "HEAD" or "POST"; url must be
 * https:// (AL_EINVAL otherwise); body may be NULL for no body. Returns 0 when an HTTP response arrived (whatever its status)
 * and fills resp; otherwise a negative AL_E* code (AL_ECONNECT, AL_ETLS,
 * AL_ETIMEOUT, AL_E2BIG, AL_EPROTO) with a one-line reason available from
 * http_error(). */
int http_request(struct http *h, const char *method, const char *url,
                 const char *content_type, const void *body, size_t body_len,
                 struct http_response *resp);

/* The reason for the last failed request, "" when none. */
const char *http_error(const struct http *h);

/* Counters for budgets and tests: requests sent, connections opened. */
void http_stats(const struct http *h, unsigned *requests, unsigned *connections);

/* Close the connection and free the transport. NULL is ignored. */
void http_close(struct http *h);

#endif
