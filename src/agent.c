/* Issuance of one certificate, step by step (RFC 8555 §7.1 flow):
 * account, order, http-01 answers served from this same thread, finalize,
 * download, then a complete new generation made live in one switch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acme.h"
#include "agent.h"
#include "der.h"
#include "err.h"
#include "http.h"
#include "pem.h"
#include "port.h"
#include "responder.h"

#define CHAIN_MAX 32768
#define KEY_PEM_MAX 8192
#define CSR_MAX 8192
#define POLL_FIRST_MS 50     /* validation is usually done by then */
#define POLL_MAX_MS 5000
#define QUIET_MS 20          /* no validator fetch for this long: go poll */
#define ORDER_DEADLINE_MS (5 * 60 * 1000)

/* The large per-issuance objects, allocated once per run (bounded). */
struct work {
	struct key account_key, cert_key;
	struct acme_order order;
	struct cert_facts facts;
	char chain[CHAIN_MAX];
};

static int64_t mono(void *port)
{
	return port_mono_ms(port);
}

/* Format a Unix time as an ISO date for log lines. */
static const char *iso_time(int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, cap, "%lld", (long long)t);
	return buf;
}

/* When a certificate is due: one third of its lifetime left, one half for
 * lifetimes under 10 days (S12, M1 without ARI). */
static int64_t renew_at(const struct cert_facts *f)
{
	int64_t life = f->not_after - f->not_before;

	return f->not_after - (life < 10 * 86400 ? life / 2 : life / 3);
}

/* 1 when the live certificate covers every name and is not due yet. */
static int live_is_good(struct ctx *c, struct cert_facts *f)
{
	char pem[CHAIN_MAX], when[40];
	size_t len;
	int64_t due;

	if (store_read_live(&c->store, c->cfg->cert_name, "cert.pem", pem,
	                    sizeof(pem), &len) != 0)
		return 0;
	if (cert_facts_pem(pem, len, f) != 0) {
		log_warn(&c->log, "%s: the live certificate is unreadable; "
		         "issuing a new one", c->cfg->cert_name);
		return 0;
	}
	if (!cert_covers(f, c->cfg->names, c->cfg->nnames)) {
		log_info(&c->log, "%s: the live certificate does not cover every "
		         "name asked for; issuing a new one", c->cfg->cert_name);
		return 0;
	}
	due = renew_at(f);
	if (port_wall_time(c->port) >= due)
		return 0;
	log_info(&c->log, "%s: certificate good until %s, renewal due %s; "
	         "nothing to do", c->cfg->cert_name,
	         iso_time(f->not_after, when, sizeof(when)),
	         iso_time(due, when + 20, sizeof(when) - 20));
	return 1;
}

/* Load or make the account key; find or create the account (S2, S3). */
static int account_setup(struct ctx *c, const char *ca_id, struct key *k)
{
	struct acme *a = c->acme;
	int rc, created, had_key;

	rc = store_load_account(&c->store, ca_id, k, a->kid, sizeof(a->kid));
	if (rc != 0 && rc != AL_ENOENT)
		return rc;
	had_key = rc == 0;
	a->key = k;
	if (had_key && a->kid[0])
		return 0;
	if (had_key) {
		rc = acme_account(a, NULL, 0, 1, &created);
		if (rc == 0) {
			log_info(&c->log, "found the existing account %s", a->kid);
			return store_save_account_url(&c->store, ca_id, a->kid);
		}
		if (rc != AL_ENOENT)
			return rc;
	}
	if (a->dir.terms_of_service[0] && !c->cfg->agree_tos) {
		log_err(&c->log, "the CA's terms of service are at %s; read them, "
		        "then run again with --agree-tos",
		        a->dir.terms_of_service);
		return AL_EINVAL;
	}
	if (!had_key) {
		if ((rc = key_generate(k, KEY_EC256, &c->rng)) != 0 ||
		    (rc = store_save_account_key(&c->store, ca_id, k)) != 0)
			return rc;
	}
	if (a->dir.terms_of_service[0])
		log_info(&c->log, "agreeing to the terms of service at %s",
		         a->dir.terms_of_service);
	if ((rc = acme_account(a, c->cfg->email, c->cfg->agree_tos, 0,
	                       &created)) != 0)
		return rc;
	log_info(&c->log, "%s account %s", created ? "created" : "found the "
	         "existing", a->kid);
	return store_save_account_url(&c->store, ca_id, a->kid);
}

/* Fetch every authorization; hand the http-01 tokens of pending ones to
 * the responder and tell the CA they are ready. *posted counts them. */
static int answer_authzs(struct ctx *c, const struct acme_order *o,
                         const char *thumb, int *posted)
{
	struct acme_authz az;
	char keyauth[RESP_KEYAUTH_MAX];
	int i, rc;

	*posted = 0;
	for (i = 0; i < o->nauthz; i++) {
		if ((rc = acme_get_authz(c->acme, o->authz[i], &az)) != 0)
			return rc;
		if (strcmp(az.status, "valid") == 0)
			continue; /* reused authorization: nothing to answer */
		if (strcmp(az.status, "pending") != 0 || !az.chall_url[0]) {
			log_err(&c->log, "%s: authorization is %s%s", az.identifier,
			        az.status, az.chall_url[0] ? "" :
			        " and offers no http-01 challenge (wildcards need dns-01)");
			return AL_EPROTO;
		}
		if (snprintf(keyauth, sizeof(keyauth), "%s.%s", az.token, thumb) >=
		    (int)sizeof(keyauth) ||
		    responder_add(c->resp, az.token, keyauth) != 0) {
			log_err(&c->log, "%s: challenge token too long", az.identifier);
			return AL_EPROTO;
		}
		if (strcmp(az.chall_status, "pending") == 0 &&
		    (rc = acme_answer_challenge(c->acme, az.chall_url)) != 0)
			return rc;
		(*posted)++;
	}
	return 0;
}

/* Explain why an order became invalid: the first failed challenge. */
static void report_invalid(struct ctx *c, const struct acme_order *o)
{
	struct acme_authz az;
	int i;

	for (i = 0; i < o->nauthz; i++) {
		if (acme_get_authz(c->acme, o->authz[i], &az) != 0 ||
		    strcmp(az.status, "invalid") != 0)
			continue;
		acme_authz_problem(c->acme, o->authz[i]);
		log_err(&c->log, "%s: validation failed: %s; check that port 80 "
		        "of this name reaches acmelet (--http-port) from the "
		        "internet", az.identifier, c->acme->problem);
		return;
	}
	log_err(&c->log, "%s: the CA marked the order invalid", o->url);
}

/* Poll the order until its status leaves `from`, serving http-01 answers
 * meanwhile. The first poll waits until the validator fetched every token
 * and went quiet (or POLL_MAX_MS passed), so it usually finds the order
 * decided. */
static int wait_order(struct ctx *c, struct acme_order *o, const char *from)
{
	int64_t start = port_mono_ms(c->port), delay = POLL_FIRST_MS;
	int rc;

	/* CAs validate from several vantage points: once every token was
	 * fetched, let the other fetches finish (QUIET_MS without one). */
	while (port_mono_ms(c->port) - start < POLL_MAX_MS) {
		int quiet = responder_unserved(c->resp) == 0;

		rc = responder_serve(c->resp, quiet ? QUIET_MS : POLL_MAX_MS, mono,
		                     c->port);
		if (rc < 0)
			return AL_EFAIL;
		if (quiet && rc == 0)
			break;
	}
	for (;;) {
		if ((rc = acme_get_order(c->acme, o)) != 0)
			return rc;
		if (strcmp(o->status, from) != 0)
			return 0;
		if (port_mono_ms(c->port) - start > ORDER_DEADLINE_MS) {
			log_err(&c->log, "%s: still %s after %d minutes; try again "
			        "later", o->url, from, ORDER_DEADLINE_MS / 60000);
			return AL_ETIMEOUT;
		}
		if (o->retry_after > 0) /* the server's wish wins (RFC 8555 §8.2) */
			delay = (int64_t)(o->retry_after > 60 ? 60 : o->retry_after) *
			        1000;
		if (responder_serve(c->resp, (int)delay, mono, c->port) < 0)
			return AL_EFAIL;
		delay = delay * 2 > POLL_MAX_MS ? POLL_MAX_MS : delay * 2;
	}
}

/* The served chain must start with a certificate for our key and names. */
static int check_chain(struct ctx *c, const struct key *k, const char *pem,
                       size_t len, size_t *cert_end)
{
	unsigned char der[CHAIN_MAX / 2];
	br_x509_decoder_context dc;
	struct cert_facts *f = &c->work->facts;
	size_t der_len;

	if (pem_decode_next(pem, len, "CERTIFICATE", der, sizeof(der), &der_len,
	                    cert_end, NULL, 0) != 0 ||
	    cert_facts_der(der, der_len, f) != 0) {
		log_err(&c->log, "%s: the CA sent no readable certificate",
		        c->cfg->cert_name);
		return AL_EPROTO;
	}
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, der_len);
	if (!br_x509_decoder_get_pkey(&dc) ||
	    !key_matches_pub(k, br_x509_decoder_get_pkey(&dc)) ||
	    !cert_covers(f, c->cfg->names, c->cfg->nnames)) {
		log_err(&c->log, "%s: the CA sent a certificate for another key or "
		        "other names; keeping the current one", c->cfg->cert_name);
		return AL_EPROTO;
	}
	return 0;
}

/* Write the new generation completely, then make it live (invariant 1). */
static int install(struct ctx *c, int gen, const char *pem, size_t len,
                   size_t cert_end)
{
	const char *name = c->cfg->cert_name;
	int rc;

	if ((rc = store_write_gen(&c->store, name, gen, "cert.pem", pem,
	                          cert_end, 0)) != 0 ||
	    (rc = store_write_gen(&c->store, name, gen, "chain.pem",
	                          pem + cert_end, len - cert_end, 0)) != 0 ||
	    (rc = store_write_gen(&c->store, name, gen, "fullchain.pem", pem,
	                          len, 0)) != 0)
		return rc;
	return store_switch_live(&c->store, name, gen);
}

/* New certificate key into a new generation, CSR, finalize, download. */
static int finalize_and_install(struct ctx *c, struct acme_order *o)
{
	struct key *k = &c->work->cert_key;
	unsigned char csr[CSR_MAX];
	char *pem = c->work->chain;
	size_t len, cert_end;
	int rc, gen;

	if ((rc = key_generate(k, c->cfg->key_type, &c->rng)) != 0 ||
	    (rc = key_to_pem(k, pem, CHAIN_MAX, &len)) != 0)
		return rc;
	if ((rc = store_new_gen(&c->store, c->cfg->cert_name, &gen)) != 0 ||
	    (rc = store_write_gen(&c->store, c->cfg->cert_name, gen,
	                          "privkey.pem", pem, len, PORT_PRIVATE)) != 0)
		return rc;
	memset(pem, 0, len);
	if ((rc = csr_build(k, c->cfg->names, c->cfg->nnames, csr, sizeof(csr),
	                    &len)) != 0 ||
	    (rc = acme_finalize(c->acme, o, csr, len)) != 0)
		return rc;
	if (strcmp(o->status, "processing") == 0 &&
	    (rc = wait_order(c, o, "processing")) != 0)
		return rc;
	if (strcmp(o->status, "valid") != 0 || !o->certificate[0]) {
		log_err(&c->log, "%s: order is %s after finalize; try again later",
		        o->url, o->status);
		return AL_EPROTO;
	}
	if ((rc = acme_download(c->acme, o->certificate, pem, CHAIN_MAX,
	                        &len)) != 0 ||
	    (rc = check_chain(c, k, pem, len, &cert_end)) != 0)
		return rc;
	return install(c, gen, pem, len, cert_end);
}

/* Order, answer, finalize: the network part of one issuance. */
static int order_and_install(struct ctx *c, const struct key *acct)
{
	struct acme_order *o = &c->work->order;
	char thumb[44];
	int rc, posted;

	if ((rc = key_thumbprint(acct, thumb)) != 0 ||
	    (rc = acme_new_order(c->acme, c->cfg->names, c->cfg->nnames, o)) != 0)
		return rc;
	if (strcmp(o->status, "pending") == 0) {
		if ((rc = answer_authzs(c, o, thumb, &posted)) != 0 ||
		    (rc = wait_order(c, o, "pending")) != 0)
			return rc;
		responder_clear(c->resp);
	}
	if (strcmp(o->status, "invalid") == 0) {
		report_invalid(c, o);
		return AL_EPROTO;
	}
	if (strcmp(o->status, "ready") != 0) {
		log_err(&c->log, "%s: order is %s, expected ready", o->url,
		        o->status);
		return AL_EPROTO;
	}
	return finalize_and_install(c, o);
}

/* Everything that needs the network, in order. */
static int issue_online(struct ctx *c)
{
	const struct config *cfg = c->cfg;
	struct http_opts ho = { cfg->ca_file, cfg->timeout_s, "acmelet/"
	                        ACMELET_VERSION, &c->log, c->port };
	char ca_id[STORE_CA_ID_MAX];
	int rc;

	if ((rc = responder_open(c->resp, cfg->http_addr, cfg->http_port,
	                         &c->log)) != 0)
		return rc;
	if (!c->http && (rc = http_open(&c->http, &ho)) != 0) {
		log_err(&c->log, "cannot start the HTTPS client");
		return rc;
	}
	acme_init(c->acme, c->http, &c->log);
	if ((rc = acme_get_directory(c->acme, cfg->server)) != 0)
		return rc;
	store_ca_id(cfg->server, ca_id, sizeof(ca_id));
	if ((rc = account_setup(c, ca_id, &c->work->account_key)) != 0)
		return rc;
	return order_and_install(c, &c->work->account_key);
}

int agent_issue(struct ctx *c)
{
	char when[40];
	int rc;

	if (!(c->work = calloc(1, sizeof(*c->work))))
		return AL_EFAIL;
	if (!port_wall_trusted(c->port)) {
		log_err(&c->log, "the system clock is not set yet (NTP?); not "
		        "taking date decisions or issuing now");
		rc = AL_ECLOCK;
		goto out;
	}
	if (!c->cfg->force && live_is_good(c, &c->work->facts)) {
		rc = 0;
		goto out;
	}
	if ((rc = rng_init(&c->rng, c->port)) != 0) {
		log_err(&c->log, "the system's entropy pool is not seeded yet; "
		        "refusing to make keys, try again in a minute");
		goto out;
	}
	rc = issue_online(c);
	responder_close(c->resp);
	if (rc == 0)
		log_info(&c->log, "%s: new certificate is live, valid until %s",
		         c->cfg->cert_name, iso_time(c->work->facts.not_after, when,
		                                      sizeof(when)));
out:
	memset(c->work, 0, sizeof(*c->work)); /* keys do not linger in memory */
	free(c->work);
	c->work = NULL;
	return rc;
}
