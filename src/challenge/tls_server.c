/* The tls-alpn-01 server; see tls_server.h.
 *
 * Each connection gets its own BearSSL server engine with a policy of
 * ours: choose() runs once the ClientHello is read, when the SNI name and
 * the ALPN protocol BearSSL selected are known; it refuses unless the
 * protocol is "acme-tls/1" and the name has a certificate, which it then
 * sends. BR_OPT_FAIL_ON_ALPN_MISMATCH already refuses a client offering
 * only other protocols; choose() also refuses one that offers none. Once
 * the handshake completed the validator has seen the certificate: the
 * server sends close_notify and the connection ends (RFC 8737 §3: no
 * application data is exchanged). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bearssl.h>

#include "crypto.h"
#include "ec.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "tls_server.h"

#define ACME_TLS_PROTO "acme-tls/1"

struct tlss_tls {
	const br_ssl_server_policy_class *vtable; /* first: BearSSL's self */
	struct tls_server *srv;
	int cert;                  /* index in srv->certs, -1 before choose() */
	int closing;               /* close_notify queued */
	br_x509_certificate chain;
	br_ssl_server_context sc;
	unsigned char buf[BR_SSL_BUFSIZE_MONO]; /* half-duplex is enough */
};

/* Peer text for a log line: bounded, control bytes shown as '?'. */
static void safe_text(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < cap; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = '\0';
}

/* The certificate for sni; a trailing dot (a fully-qualified name, as
 * some reverse-DNS code writes it) names the same host. */
static int cert_find(const struct tls_server *s, const char *sni)
{
	size_t n = sni ? strlen(sni) : 0;
	int i;

	if (n > 1 && sni[n - 1] == '.')
		n--;
	if (n == 0)
		return -1;
	for (i = 0; i < TLSS_MAX_CERTS; i++)
		if (strlen(s->certs[i].sni) == n &&
		    strncasecmp(s->certs[i].sni, sni, n) == 0)
			return i;
	return -1;
}

/* The policy's choose(): see the top of this file. Only ECDHE_ECDSA suites
 * are configured, so the client's first common suite is taken; the
 * ServerKeyExchange is signed with SHA-256. */
static int pol_choose(const br_ssl_server_policy_class **pctx,
                      const br_ssl_server_context *cc,
                      br_ssl_server_choices *ch)
{
	struct tlss_tls *t = (struct tlss_tls *)(void *)pctx;
	br_ssl_engine_context *eng = (br_ssl_engine_context *)&cc->eng;
	const char *sni = br_ssl_engine_get_server_name(eng);
	const char *proto = br_ssl_engine_get_selected_protocol(eng);
	const br_suite_translated *st;
	size_t nst;
	char shown[80];

	t->cert = cert_find(t->srv, sni);
	st = br_ssl_server_get_client_suites(cc, &nst);
	safe_text(shown, sizeof(shown), sni);
	if (!proto || strcmp(proto, ACME_TLS_PROTO) != 0 || t->cert < 0 ||
	    nst == 0 ||
	    !((br_ssl_server_get_client_hashes(cc) >> 8) & (1u << br_sha256_ID))) {
		log_debug(t->srv->log, "tls-alpn-01: refused a handshake for "
		          "'%s' (%s)", shown, !proto ? "no ALPN acme-tls/1" :
		          t->cert < 0 ? "no certificate for that name" :
		          "no common ECDSA suite");
		t->srv->refused++;
		return 0;
	}
	t->chain.data = t->srv->certs[t->cert].der;
	t->chain.data_len = t->srv->certs[t->cert].len;
	ch->cipher_suite = st[0][0];
	ch->algo_id = 0xFF00 + br_sha256_ID; /* the engine hashes first */
	ch->chain = &t->chain;
	ch->chain_len = 1;
	return 1;
}

static uint32_t pol_keyx(const br_ssl_server_policy_class **pctx,
                         unsigned char *data, size_t *len)
{
	(void)pctx, (void)data, (void)len;
	return 0; /* only ECDHE suites: never called */
}

/* Sign the SHA-256 hash in data[0..hv_len) in place (ASN.1 ECDSA). */
static size_t pol_sign(const br_ssl_server_policy_class **pctx,
                       unsigned algo_id, unsigned char *data, size_t hv_len,
                       size_t len)
{
	struct tlss_tls *t = (struct tlss_tls *)(void *)pctx;
	unsigned char hv[32];
	size_t n;

	if ((algo_id & 0xFF) != br_sha256_ID || hv_len != sizeof(hv) ||
	    len < 72)
		return 0;
	memcpy(hv, data, sizeof(hv));
	n = br_ecdsa_i31_sign_raw(ec_impl(), &br_sha256_vtable, hv,
	                          &t->srv->key->ec, data);
	return n ? br_ecdsa_raw_to_asn1(data, n) : 0;
}

static const br_ssl_server_policy_class policy_vtable = {
	sizeof(struct tlss_tls), pol_choose, pol_keyx, pol_sign
};

/* Set up t's engine: TLS 1.2, ECDHE_ECDSA with AES-GCM (the primitives the
 * client transport links anyway), ALPN acme-tls/1 only. */
static void tls_setup(struct tls_server *s, struct tlss_tls *t)
{
	static const uint16_t suites[] = {
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	};
	static const char *protos[] = { ACME_TLS_PROTO };
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned char seed[32];

	t->vtable = &policy_vtable;
	t->srv = s;
	t->cert = -1;
	t->closing = 0;
	br_ssl_server_zero(&t->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_ec(eng, ec_impl());
	br_ssl_engine_set_prf_sha256(eng, br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, br_tls12_sha384_prf);
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable,
	                      &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, &br_aes_ct_ctr_vtable);
	br_ssl_engine_set_ghash(eng, br_ghash_ctmul);
	br_ssl_engine_set_protocol_names(eng, protos, 1);
	br_ssl_engine_add_flags(eng, BR_OPT_FAIL_ON_ALPN_MISMATCH |
	                        BR_OPT_NO_RENEGOTIATION);
	br_ssl_server_set_policy(&t->sc, &t->vtable);
	br_ssl_engine_set_buffer(eng, t->buf, sizeof(t->buf), 0);
	/* The engine's randomness comes from the run's seeded DRBG (E3). */
	br_hmac_drbg_generate(&s->rng->drbg, seed, sizeof(seed));
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	br_ssl_server_reset(&t->sc);
}

static void conn_close(struct tlss_conn *c)
{
	if (c->slot.fd >= 0)
		close(c->slot.fd);
	free(c->tls);
	c->tls = NULL;
	c->slot.fd = -1;
	c->slot.deadline_ms = c->slot.last_ms = 0;
}

/* The table's view of a connection: polled for POLLOUT while its engine
 * has records to send. */
static int conn_sending(const struct slot *sl)
{
	const struct tlss_conn *c = (const struct tlss_conn *)(const void *)sl;

	return (br_ssl_engine_current_state(&c->tls->sc.eng) &
	        BR_SSL_SENDREC) != 0;
}

static void slot_close(struct slot *sl)
{
	conn_close((struct tlss_conn *)(void *)sl);
}

/* Any connection, sending or not, may give way, but only once silent
 * TLSS_EVICT_MS; its engine is allocated on accept (accept_new). */
static const struct slots_class tlss_slots = {
	"tls-alpn-01", sizeof(struct tlss_conn), TLSS_MAX_CONNS,
	TLSS_CONN_TIMEOUT_MS, TLSS_EVICT_MS, NULL, conn_sending, slot_close
};

/* The handshake is done: count it and queue close_notify. */
static void handshake_done(struct tls_server *s, struct tlss_tls *t)
{
	struct tlss_cert *ct = t->cert >= 0 ? &s->certs[t->cert] : NULL;

	t->closing = 1;
	if (ct && ct->sni[0]) {
		ct->served++;
		s->served++;
		log_debug(s->log, "tls-alpn-01: sent the validation "
		          "certificate for %s", ct->sni);
	}
	br_ssl_engine_close(&t->sc.eng);
}

/* One send or receive step; 1 to go on, 0 when it would block, -1 when
 * the peer is gone. */
static int conn_step(struct tlss_conn *c, unsigned st)
{
	br_ssl_engine_context *eng = &c->tls->sc.eng;
	unsigned char *b;
	size_t len;
	ssize_t n;

	if (st & BR_SSL_SENDREC) {
		b = br_ssl_engine_sendrec_buf(eng, &len);
		n = send(c->slot.fd, b, len, MSG_NOSIGNAL);
		if (n > 0)
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
	} else if (st & BR_SSL_RECVAPP) {
		/* A validator sends nothing after the handshake: drop it. */
		br_ssl_engine_recvapp_buf(eng, &len);
		br_ssl_engine_recvapp_ack(eng, len);
		return 1;
	} else if (st & BR_SSL_RECVREC) {
		b = br_ssl_engine_recvrec_buf(eng, &len);
		n = recv(c->slot.fd, b, len, 0);
		if (n > 0)
			br_ssl_engine_recvrec_ack(eng, (size_t)n);
		if (n == 0)
			return -1;
	} else {
		return 0;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return n > 0 ? 1 : -1;
}

/* Drive c's engine as far as its socket allows. */
static void conn_run(struct tls_server *s, struct tlss_conn *c)
{
	struct tlss_tls *t = c->tls;
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned st;
	int r;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_CLOSED) {
			int e = br_ssl_engine_last_error(eng);

			if (e != BR_ERR_OK && t->cert >= 0 && !t->closing)
				log_debug(s->log, "tls-alpn-01: handshake failed "
				          "(BearSSL error %d)", e);
			conn_close(c);
			return;
		}
		if ((st & BR_SSL_SENDAPP) && !t->closing) {
			handshake_done(s, t);
			continue;
		}
		r = conn_step(c, st);
		if (r < 0)
			conn_close(c);
		if (r <= 0)
			return;
	}
}

void tlss_init(struct tls_server *s, const struct logger *log,
               const struct key *k, struct rng *rng)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->log = log;
	s->key = k;
	s->rng = rng;
	for (i = 0; i < LISTEN_MAX; i++)
		s->lfd[i] = -1;
	slots_init(&s->slots, &tlss_slots, s->conns, log);
}

int tlss_open(struct tls_server *s, const char *addr, int port)
{
	return listen_open(addr, port, TLSS_BACKLOG, s->lfd, &s->nlfd, s->log,
	                   "tls-alpn-01",
	                   "stop the server holding it while certificates are "
	                   "issued, or use --tls-port and forward port 443 to it");
}

int tlss_add(struct tls_server *s, const char *sni, const unsigned char *der,
             size_t len)
{
	int i = cert_find(s, sni);
	size_t sl = strlen(sni);

	if (sl >= sizeof(s->certs[0].sni) || len > sizeof(s->certs[0].der))
		return AL_E2BIG;
	for (int j = 0; i < 0 && j < TLSS_MAX_CERTS; j++)
		if (!s->certs[j].sni[0])
			i = j;
	if (i < 0)
		return AL_E2BIG;
	memcpy(s->certs[i].sni, sni, sl + 1);
	memcpy(s->certs[i].der, der, len);
	s->certs[i].len = len;
	return 0;
}

void tlss_remove(struct tls_server *s, const char *sni)
{
	int i = cert_find(s, sni);

	if (i >= 0)
		memset(&s->certs[i], 0, sizeof(s->certs[i]));
}

void tlss_close(struct tls_server *s)
{
	int i;

	for (i = 0; i < s->nlfd; i++)
		if (s->lfd[i] >= 0)
			close(s->lfd[i]);
	s->nlfd = 0;
	for (i = 0; i < TLSS_MAX_CONNS; i++)
		conn_close(&s->conns[i]);
	memset(s->certs, 0, sizeof(s->certs));
}

/* Accept while a slot is free or can be freed; start each handshake at
 * once (the ClientHello usually comes with the connection). accept()
 * comes first: the connection silent longest is dropped only for one that
 * is really there. */
static void accept_new(struct tls_server *s, int lfd, int64_t now)
{
	struct tlss_conn *c;
	int fd;

	while (slots_room(&s->slots, now)) {
		if ((fd = slots_accept(&s->slots, lfd, now)) < 0)
			return;
		c = (struct tlss_conn *)(void *)slots_for_new(&s->slots, now);
		if (c)
			c->tls = malloc(sizeof(*c->tls));
		if (!c || !c->tls || listen_nonblock(fd) < 0) {
			if (c && !c->tls) /* out of memory: let it pass first */
				s->slots.accept_after = now +
				                        SLOTS_ACCEPT_PAUSE_MS;
			if (c) {
				free(c->tls);
				c->tls = NULL;
			}
			close(fd);
			return;
		}
		slots_take(&s->slots, &c->slot, fd, now);
		tls_setup(s, c->tls);
		conn_run(s, c);
	}
}

/* The loop service's want(): see slots_want(); tlss_io() expects its
 * layout. */
int tlss_want(void *self, struct pollfd *pfd, int max, int64_t *wake)
{
	struct tls_server *s = self;

	return slots_want(&s->slots, s->lfd, s->nlfd, pfd, max, wake,
	                  s->now_ms(s->clock_arg));
}

/* The loop service's serve(): the pfd of the last tlss_want(). */
void tlss_io(void *self, struct pollfd *pfd, int n, int64_t now)
{
	struct tls_server *s = self;
	struct tlss_conn *c;
	int k;

	for (k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (slots_is_listener(&s->slots, k))
			accept_new(s, pfd[k].fd, now);
		else if ((c = (struct tlss_conn *)(void *)
		          slots_ready(&s->slots, pfd[k].fd, now)) != NULL)
			conn_run(s, c);
	}
}

static int64_t mono_of_port(void *port)
{
	return port_mono_ms(port);
}

int tlss_attach(struct tls_server *s, struct loop *l)
{
	struct loop_service svc = { tlss_want, tlss_io, s };

	s->now_ms = mono_of_port;
	s->clock_arg = l->port;
	return loop_add(l, &svc);
}
