/* The built-in http-01 responder (D6): a minimal, non-blocking HTTP/1.x
 * server driven by poll() from the agent's single thread. It serves only
 * GET/HEAD /.well-known/acme-challenge/<token> for tokens it was given,
 * with the key authorization as text/plain; everything else is 404.
 * Bounded: request size, number of connections, time per connection. */
#ifndef ACMELET_RESPONDER_H
#define ACMELET_RESPONDER_H

#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "slots.h"

struct logger;
struct loop;

#define RESP_MAX_TOKENS 100      /* one per name, at most S5's 100 */
#define RESP_TOKEN_MAX 128
#define RESP_KEYAUTH_MAX 256
#define RESP_MAX_CONNS 32
#define RESP_BACKLOG 511         /* a CA's burst: names x vantage points */
#define RESP_ACCEPT_BURST 1024   /* accepts per call: the backlog drains whole */
#define RESP_REQ_MAX 2048        /* bytes of request head we accept */
#define RESP_CONN_TIMEOUT_MS 5000
#define RESP_MAX_LISTEN 2        /* IPv4 and IPv6 */

struct resp_token {
	char token[RESP_TOKEN_MAX];
	char keyauth[RESP_KEYAUTH_MAX];
	unsigned served; /* times the key authorization was sent */
};

struct resp_conn {
	struct slot slot; /* first: the socket, its deadline and last I/O */
	size_t in_len;
	char in[RESP_REQ_MAX];
	size_t out_len, out_off;
	char out[RESP_KEYAUTH_MAX + 256];
};

struct responder {
	int lfd[RESP_MAX_LISTEN];
	int nlfd;
	int ntokens;
	struct resp_token tokens[RESP_MAX_TOKENS];
	struct resp_conn conns[RESP_MAX_CONNS];
	struct slots slots;     /* the table of conns */
	const struct logger *log;
	unsigned sent;          /* key authorizations sent, all tokens */
	int64_t (*now_ms)(void *);
	void *clock_arg;
};

/* Put r in the closed state (no socket, no token); responder_close() on it
 * is then harmless. */
void responder_init(struct responder *r, const struct logger *log);

/* Listen on addr:port (addr NULL or "" means every address, IPv4 and IPv6
 * where available). AL_EADDRINUSE when the port is taken (the message says
 * which and what to do), AL_EFAIL otherwise. */
int responder_open(struct responder *r, const char *addr, int port,
                   const struct logger *log);

/* Add a token and its key authorization. AL_E2BIG when full or too long. */
int responder_add(struct responder *r, const char *token, const char *keyauth);

/* Forget every token (they never touch flash: E2). */
void responder_clear(struct responder *r);

/* Register r as a service of the loop l (serving whenever anything waits
 * in loop_wait); its clock becomes the loop's. AL_E2BIG when the loop is
 * full. Remove it with loop_del(l, r) before responder_close(). */
int responder_attach(struct responder *r, struct loop *l);

/* The loop_service operations (see loop.h), for tests and responder_serve. */
int responder_want(void *self, struct pollfd *pfd, int max, int64_t *wake);
void responder_io(void *self, struct pollfd *pfd, int n, int64_t now);

/* Serve without a loop for at most timeout_ms (monotonic now_ms given by the caller's
 * clock at entry), returning early once a key authorization was sent and
 * its connection finished. Returns the number of key authorizations sent
 * during the call, or a negative AL_E* code. */
int responder_serve(struct responder *r, int timeout_ms, int64_t (*now_ms)(void *),
                    void *clock_arg);

/* Number of tokens whose key authorization was never sent yet. */
int responder_unserved(const struct responder *r);

/* Total key authorizations sent for all tokens. */
unsigned responder_served_total(const struct responder *r);

/* The request parser without a socket, for tests/fuzz: takes in[0..len)
 * (at most RESP_REQ_MAX bytes) as what one connection c received, c's
 * socket left alone. Returns 0 while the head is incomplete, 1 with the
 * response that would be sent in c->out[0..c->out_len), or AL_EFAIL.
 * Counts nothing as served. */
int responder_answer(struct responder *r, struct resp_conn *c,
                     const void *in, size_t len);

/* Close every socket. */
void responder_close(struct responder *r);

#endif
