/* acmelet revoke CERT [--reason N] (RFC 8555 §7.6). CERT is a certificate
 * name (its live cert.pem) or a path to a PEM file (its key, when needed,
 * is privkey.pem beside it). The request is signed by the account key;
 * when there is no usable account, by the certificate's own key (jwk).
 *
 * Revoking a live certificate is recorded in its journal BEFORE the CA is
 * asked: after a cut the next renew replaces a certificate that may still
 * be good, which is harmless; the other order could keep a revoked one
 * live. A refusal takes the mark back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "agent.h"
#include "commands.h"
#include "err.h"
#include "journal.h"
#include "pem.h"
#include "port.h"

#define CERT_PEM_MAX 16384
#define CERT_DER_MAX 8192

struct revoke_work {
	char pem[CERT_PEM_MAX];
	unsigned char der[CERT_DER_MAX];
	size_t der_len;
	struct key key;              /* account key, or the certificate's */
	struct journal j;
	char ca_id[STORE_CA_ID_MAX];
	char ari[ACME_URL_MAX];
	int acct_lock, cert_lock;    /* -1 when not held */
};

/* Read file of CERT: a name's live file, or beside the PEM path. */
static int cert_file(struct ctx *c, const char *cert, const char *file,
                     char *buf, size_t cap, size_t *len)
{
	char path[STORE_PATH_MAX];
	const char *slash = strrchr(cert, '/');
	int rc;

	if (!slash)
		return store_read_live(&c->store, cert, file, buf, cap, len);
	if (!strcmp(file, "cert.pem"))
		snprintf(path, sizeof(path), "%s", cert);
	else if (snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - cert),
	                  cert, file) >= (int)sizeof(path))
		return AL_E2BIG;
	if ((rc = port_read_file(c->port, path, buf, cap - 1, len)) == 0)
		buf[*len] = '\0';
	return rc;
}

/* The certificate (first of CERT's PEM) as DER into w. */
static int load_cert(struct ctx *c, const char *cert, struct revoke_work *w)
{
	size_t len, end;

	if (cert_file(c, cert, "cert.pem", w->pem, sizeof(w->pem), &len) != 0) {
		log_err(&c->log, "%s: no such certificate name or file", cert);
		return AL_ENOENT;
	}
	if (pem_decode_next(w->pem, len, "CERTIFICATE", w->der, sizeof(w->der),
	                    &w->der_len, &end, NULL, 0) != 0) {
		log_err(&c->log, "%s: no certificate in it", cert);
		return AL_EPROTO;
	}
	return 0;
}

/* Sign with the account key (kid), else with the certificate's key. */
static int pick_signer(struct ctx *c, const char *cert, struct revoke_work *w)
{
	struct acme *a = c->acme;
	size_t len;
	int rc, created;

	/* an account is settled and used under its lock; none is not made */
	if (store_load_account_file(&c->store, w->ca_id, "key.pem",
	                            &w->key) != AL_ENOENT &&
	    ((rc = agent_lock_account(c, w->ca_id, &w->acct_lock)) != 0 ||
	     (rc = account_recover(c, w->ca_id)) != 0))
		return rc;
	if (!store_account_deactivated(&c->store, w->ca_id) &&
	    store_load_account(&c->store, w->ca_id, &w->key, a->kid,
	                       sizeof(a->kid), w->ari, sizeof(w->ari)) == 0) {
		a->key = &w->key;
		if (a->kid[0])
			return 0;
		if ((rc = acme_account(a, NULL, 0, 1, &created)) != AL_ENOENT)
			return rc;
	}
	a->kid[0] = '\0';
	rc = cert_file(c, cert, "privkey.pem", w->pem, sizeof(w->pem), &len);
	if (rc == 0)
		rc = key_from_pem(&w->key, w->pem, len);
	explicit_bzero(w->pem, sizeof(w->pem));
	if (rc != 0 || !key_matches_cert(&w->key, w->der, w->der_len)) {
		log_err(&c->log, "%s: no account and no privkey.pem beside it to "
		        "sign with", cert);
		return AL_ENOENT;
	}
	log_info(&c->log, "%s: no account; signing with the certificate's own "
	         "key", cert);
	a->key = &w->key;
	return 0;
}

/* Mark (gen) or unmark (0) the live generation of name as revoked. */
static int mark_revoked(struct ctx *c, const char *name,
                        struct revoke_work *w, int gen)
{
	journal_load(&c->store, name, &w->j);
	if (w->j.revoked_gen == gen)
		return 0;
	w->j.revoked_gen = gen;
	return journal_save(&c->store, name, &w->j);
}

/* 1 when CERT names the live certificate of a certificate name. */
static int is_live(struct ctx *c, const char *cert)
{
	return !strchr(cert, '/') && store_live_gen(&c->store, cert) > 0;
}

static int revoke_run(struct ctx *c, const char *cert, int reason,
                      struct revoke_work *w)
{
	int rc, live = is_live(c, cert);

	store_ca_id(c->cfg->server, w->ca_id, sizeof(w->ca_id));
	if ((rc = load_cert(c, cert, w)) != 0 ||
	    (rc = agent_http_open(c)) != 0 ||
	    (rc = acme_get_directory(c->acme, c->cfg->server)) != 0)
		return rc;
	if (!c->acme->dir.revoke_cert[0]) {
		log_err(&c->log, "%s: no revokeCert", c->cfg->server);
		return AL_EPROTO;
	}
	/* the certificate's lock, for its journal (issue 12) */
	if (live && (rc = agent_lock_cert(c, cert, &w->cert_lock)) != 0)
		return rc;
	if ((rc = pick_signer(c, cert, w)) != 0 ||
	    (live && (rc = mark_revoked(c, cert, w,
	                               store_live_gen(&c->store, cert))) != 0))
		return rc;
	rc = acme_revoke(c->acme, w->der, w->der_len, reason);
	if (rc == AL_ENOENT) {
		log_info(&c->log, "%s: the CA says it is revoked already", cert);
		rc = 0;
	} else if (rc != 0) {
		if (live && c->acme->problem[0])
			mark_revoked(c, cert, w, 0); /* refused: still good */
		return rc;
	}
	log_info(&c->log, "%s: revoked%s", cert, live ? "; the next renew "
	         "replaces it" : "");
	return 0;
}

int revoke_command(struct ctx *c, const struct cli *cl)
{
	struct revoke_work *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		log_err(&c->log, "out of memory");
		return EXIT_FAILED;
	}
	w->acct_lock = w->cert_lock = -1;
	rc = revoke_run(c, cl->args[0], cl->reason, w);
	store_unlock(&c->store, w->cert_lock);
	store_unlock(&c->store, w->acct_lock);
	explicit_bzero(w, sizeof(*w));
	free(w);
	return rc == 0 ? EXIT_DONE : EXIT_FAILED;
}
