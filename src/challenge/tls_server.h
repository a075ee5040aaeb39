/* The tls-alpn-01 server (RFC 8737 §3, C4): a non-blocking BearSSL TLS
 * server driven by the one poll loop (loop.h). It completes a handshake
 * only for ALPN "acme-tls/1" and an SNI name it holds a validation
 * certificate for, then closes; every other handshake (no ALPN, another
 * protocol, no or an unknown SNI) is refused with an alert. Certificates
 * and the key stay in RAM (E2). Bounded: connections (the silent longest
 * gives way when all are taken), time per connection, certificates. */
#ifndef ACMELET_TLS_SERVER_H
#define ACMELET_TLS_SERVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "alpn_cert.h"
#include "listen.h"
#include "slots.h"

struct key;
struct logger;
struct loop;
struct rng;
struct tlss_tls;

#define TLSS_MAX_CERTS 100      /* one per identifier, S5 */
#define TLSS_MAX_CONNS 8        /* each holds a 16 KiB record buffer */
#define TLSS_BACKLOG 511        /* a CA's burst, as for the responder */
#define TLSS_EVICT_MS 200       /* silent this long: may give way */
#define TLSS_CONN_TIMEOUT_MS 5000

struct tlss_cert {
	char sni[ALPN_SNI_MAX > 254 ? ALPN_SNI_MAX : 254]; /* "" when free */
	size_t len;
	unsigned char der[ALPN_CERT_MAX];
	unsigned served;         /* handshakes completed with it */
};

struct tlss_conn {
	struct slot slot;        /* first: socket, deadline, last I/O */
	struct tlss_tls *tls;    /* engine and buffer, allocated on accept */
};

struct tls_server {
	int lfd[LISTEN_MAX];
	int nlfd;
	const struct logger *log;
	const struct key *key;   /* the P-256 key of every certificate */
	struct rng *rng;         /* entropy for each connection's engine */
	struct tlss_cert certs[TLSS_MAX_CERTS];
	struct tlss_conn conns[TLSS_MAX_CONNS];
	struct slots slots;      /* the table of conns */
	unsigned served;         /* handshakes completed, all certificates */
	unsigned refused;        /* handshakes refused */
	int64_t (*now_ms)(void *);
	void *clock_arg;
};

/* Put s in the closed state (no socket, no certificate). */
void tlss_init(struct tls_server *s, const struct logger *log,
               const struct key *k, struct rng *rng);

/* Listen on addr:port (NULL or "": every address). AL_EADDRINUSE when the
 * port is taken (one line saying what to do), AL_EFAIL otherwise. */
int tlss_open(struct tls_server *s, const char *addr, int port);

/* Serve der (a certificate of key k) to handshakes naming sni; replaces
 * the certificate of an sni already held. AL_E2BIG when full or too long. */
int tlss_add(struct tls_server *s, const char *sni, const unsigned char *der,
             size_t len);

/* Stop serving sni (a no-op when absent). */
void tlss_remove(struct tls_server *s, const char *sni);

/* Register s in the loop l; AL_E2BIG when the loop is full. Remove it
 * with loop_del(l, s) before tlss_close(). */
int tlss_attach(struct tls_server *s, struct loop *l);

/* The loop_service operations (loop.h), for tests. */
int tlss_want(void *self, struct pollfd *pfd, int max, int64_t *wake);
void tlss_io(void *self, struct pollfd *pfd, int n, int64_t now);

/* Close every socket, free every connection, forget every certificate. */
void tlss_close(struct tls_server *s);

#endif
