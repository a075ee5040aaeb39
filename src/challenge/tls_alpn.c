/* The tls-alpn-01 method (C4, RFC 8737; RFC 8738 for IP identifiers): the
 * challenge class (challenge.h) over the TLS server of tls_server.c. One
 * P-256 key is made per run in prepare(); present() makes the validation
 * certificate of one identifier and serves it under its SNI name. */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "alpn_cert.h"
#include "crypto.h"
#include "err.h"
#include "log.h"
#include "port.h"
#include "tls_server.h"

struct tls_alpn {
	const struct challenge_class *vtable; /* first: the class's self */
	int attached;                         /* registered in c->loop */
	struct key key;
	struct tls_server srv;
};

static int ta_handles(const struct challenge_class **self, const char *type,
                      const char *id_type)
{
	(void)self;
	return strcmp(type, "tls-alpn-01") == 0 &&
	       (strcmp(id_type, "dns") == 0 || strcmp(id_type, "ip") == 0);
}

/* Make the run's key and take the port, before any CA contact. The
 * server was set up by tls_alpn_open() and is closed by ta_close(), which
 * challenge_close_all() calls after a failed prepare too. */
static int ta_prepare(const struct challenge_class **self, struct ctx *c)
{
	struct tls_alpn *t = (struct tls_alpn *)(void *)self;
	int rc;

	if (key_generate(&t->key, KEY_EC256, &c->rng) != 0) {
		log_err(&c->log, "tls-alpn-01: cannot make a P-256 key");
		return AL_EFAIL;
	}
	rc = tlss_open(&t->srv, c->cfg->tls_addr, c->cfg->tls_port);
	if (rc != 0)
		return rc;
	if ((rc = tlss_attach(&t->srv, &c->loop)) != 0) {
		log_err(&c->log, "tls-alpn-01: the poll loop is full");
		return rc;
	}
	t->attached = 1;
	return 0;
}

static int ta_present(const struct challenge_class **self, struct ctx *c,
                      const struct challenge_auth *a)
{
	struct tls_alpn *t = (struct tls_alpn *)(void *)self;
	unsigned char der[ALPN_CERT_MAX], serial[ALPN_SERIAL_LEN];
	char sni[ALPN_SNI_MAX + 256];
	size_t len;
	int rc;

	if (alpn_sni_name(a->id_type, a->id_value, sni, sizeof(sni)) != 0) {
		log_err(&c->log, "tls-alpn-01: %s is not a name or IP address "
		        "a validator can ask for", a->id_value);
		return AL_EINVAL;
	}
	br_hmac_drbg_generate(&c->rng.drbg, serial, sizeof(serial));
	rc = alpn_cert_build(&t->key, a->id_type, a->id_value, a->keyauth,
	                     port_wall_time(c->port), serial, der, sizeof(der),
	                     &len);
	if (rc == 0)
		rc = tlss_add(&t->srv, sni, der, len);
	if (rc != 0) {
		log_err(&c->log, "tls-alpn-01: cannot make the validation "
		        "certificate for %s (more than %d names?)", a->id_value,
		        TLSS_MAX_CERTS);
		return rc;
	}
	log_debug(&c->log, "tls-alpn-01: serving the validation certificate "
	          "for %s as %s", a->id_value, sni);
	return 0;
}

static void ta_cleanup(const struct challenge_class **self, struct ctx *c,
                       const struct challenge_auth *a, int ok)
{
	struct tls_alpn *t = (struct tls_alpn *)(void *)self;
	char sni[ALPN_SNI_MAX + 256];

	(void)c, (void)ok;
	if (alpn_sni_name(a->id_type, a->id_value, sni, sizeof(sni)) == 0)
		tlss_remove(&t->srv, sni);
}

static long ta_answered(const struct challenge_class **self)
{
	return (long)((struct tls_alpn *)(void *)self)->srv.served;
}

static void ta_close(const struct challenge_class **self, struct ctx *c)
{
	struct tls_alpn *t = (struct tls_alpn *)(void *)self;

	if (t->attached)
		loop_del(&c->loop, &t->srv);
	tlss_close(&t->srv);
	memset(&t->key, 0, sizeof(t->key)); /* made for this run only */
	free(t);
}

static const struct challenge_class tls_alpn_class = {
	"tls-alpn-01 server", ta_handles, ta_prepare, ta_present, ta_cleanup,
	ta_answered, ta_close
};

int tls_alpn_open(struct ctx *c, const struct challenge_class ***out)
{
	struct tls_alpn *t = challenge_new(c, sizeof(*t), &tls_alpn_class, out);

	if (!t)
		return AL_EFAIL;
	tlss_init(&t->srv, &c->log, &t->key, &c->rng);
	return 0;
}
