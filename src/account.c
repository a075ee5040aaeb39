/* acmelet account show|update|rollover|deactivate (M6): the account of the
 * configured CA, as stored in STATE/accounts/<ca-id>/.
 *
 * A rollover journals the new key as key-next.pem before asking the CA,
 * and replaces key.pem only once the CA took it. After a cut anywhere,
 * account_recover() asks the CA which of the two keys it holds
 * (onlyReturnExisting with each) and keeps that one: the account is never
 * lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "agent.h"
#include "commands.h"
#include "err.h"
#include "port.h"

#define NEXT_KEY "key-next.pem"

/* The keys of one account command, allocated once (bounded). */
struct acct_work {
	struct key key, next;
	char ca_id[STORE_CA_ID_MAX];
	char ari[ACME_URL_MAX];
	int lock;                   /* the account's lock, -1 when not held */
};

/* 1 when two keys are the same key (equal RFC 7638 thumbprints). */
static int same_key(const struct key *a, const struct key *b)
{
	char ta[44], tb[44];

	return key_thumbprint(a, ta) == 0 && key_thumbprint(b, tb) == 0 &&
	       !strcmp(ta, tb);
}

/* 0 when the CA has an account for key k (a->kid set), AL_ENOENT when it
 * has none, another code when it could not be asked. */
static int held_by_ca(struct acme *a, const struct key *k)
{
	int created;

	a->key = k;
	return acme_account(a, NULL, 0, 1, &created);
}

/* The CA holds next: it becomes key.pem; then the journal goes. */
static int adopt_next(struct ctx *c, const char *ca_id, struct key *next)
{
	int rc;

	if ((rc = store_save_account_key(&c->store, ca_id, next)) != 0 ||
	    (rc = store_save_account_url(&c->store, ca_id, c->acme->kid,
	                                 c->acme->dir.renewal_info)) != 0)
		return rc;
	return store_remove_account_file(&c->store, ca_id, NEXT_KEY);
}

/* Settle a rollover cut short with the keys in w. */
static int settle(struct ctx *c, const char *ca_id, struct acct_work *w)
{
	struct acme *a = c->acme;
	int rc;

	if (same_key(&w->key, &w->next)) /* cut after key.pem was replaced */
		return store_remove_account_file(&c->store, ca_id, NEXT_KEY);
	if ((rc = held_by_ca(a, &w->next)) == 0) {
		log_info(&c->log, "%s: a cut rollover had reached the CA: new "
		         "key kept", a->kid);
		return adopt_next(c, ca_id, &w->next);
	}
	if (rc != AL_ENOENT)
		return rc;
	if ((rc = held_by_ca(a, &w->key)) == 0) {
		log_info(&c->log, "%s: a cut rollover had not reached the CA: "
		         "old key kept", a->kid);
		return store_remove_account_file(&c->store, ca_id, NEXT_KEY);
	}
	if (rc == AL_ENOENT)
		log_err(&c->log, "%s: the CA knows neither key.pem nor "
		        NEXT_KEY, ca_id);
	return rc;
}

int account_recover(struct ctx *c, const char *ca_id)
{
	struct acme *a = c->acme;
	const struct key *saved_key = a->key;
	char saved_kid[ACME_URL_MAX], url[ACME_URL_MAX];
	struct acct_work *w;
	int rc;

	if (!(w = calloc(1, sizeof(*w))))
		return AL_EFAIL;
	rc = store_load_account_file(&c->store, ca_id, NEXT_KEY, &w->next);
	if (rc == AL_EPROTO) { /* torn: never sent, a key is sent once synced */
		rc = store_remove_account_file(&c->store, ca_id, NEXT_KEY);
		goto out;
	}
	if (rc != 0) {
		rc = rc == AL_ENOENT ? 0 : rc;
		goto out;
	}
	memcpy(saved_kid, a->kid, sizeof(saved_kid));
	if ((rc = store_load_account(&c->store, ca_id, &w->key, url, sizeof(url),
	                             w->ari, sizeof(w->ari))) == 0)
		rc = settle(c, ca_id, w);
	a->key = saved_key;
	memcpy(a->kid, saved_kid, sizeof(saved_kid));
out:
	explicit_bzero(w, sizeof(*w));
	free(w);
	return rc;
}

/* Under the account's lock (held until the command ends): directory, an
 * interrupted rollover settled, the account key in w->key and its URL in
 * a->kid. Refuses a deactivated account with one line. */
static int account_open(struct ctx *c, struct acct_work *w, int quiet_gone)
{
	struct acme *a = c->acme;
	int rc, created;

	store_ca_id(c->cfg->server, w->ca_id, sizeof(w->ca_id));
	if ((rc = agent_lock_account(c, w->ca_id, &w->lock)) != 0)
		return rc;
	store_cleanup_account(&c->store, w->ca_id); /* a cut write's leftovers */
	if ((rc = agent_http_open(c)) != 0 ||
	    (rc = acme_get_directory(a, c->cfg->server)) != 0 ||
	    (rc = account_recover(c, w->ca_id)) != 0)
		return rc;
	rc = store_load_account(&c->store, w->ca_id, &w->key, a->kid,
	                        sizeof(a->kid), w->ari, sizeof(w->ari));
	if (rc == AL_ENOENT && !quiet_gone)
		log_err(&c->log, "%s: no account in %s", w->ca_id, c->store.dir);
	if (rc != 0)
		return rc;
	a->key = &w->key;
	if (store_account_deactivated(&c->store, w->ca_id)) {
		if (!quiet_gone)
			log_err(&c->log, "%s: deactivated", a->kid);
		return AL_ENOENT;
	}
	if (a->kid[0])
		return 0;
	if ((rc = acme_account(a, NULL, 0, 1, &created)) == AL_ENOENT)
		log_err(&c->log, "%s: the CA has no account for key.pem",
		        w->ca_id);
	if (rc != 0)
		return rc;
	return store_save_account_url(&c->store, w->ca_id, a->kid,
	                              a->dir.renewal_info);
}

static int cmd_show(struct ctx *c, struct acct_work *w)
{
	struct acme_account_info info;
	int rc;

	if ((rc = account_open(c, w, 0)) != 0 ||
	    (rc = acme_account_get(c->acme, &info)) != 0)
		return rc;
	printf("account: %s\nserver: %s\nstatus: %s\ncontact: %s\nkey: %s\n",
	       c->acme->kid, c->cfg->server, info.status,
	       info.ncontacts ? info.contact : "(none)",
	       key_type_name(w->key.type));
	return 0;
}

static int cmd_update(struct ctx *c, struct acct_work *w)
{
	int rc;

	if ((rc = account_open(c, w, 0)) != 0 ||
	    (rc = acme_account_update(c->acme, c->cfg->email)) != 0)
		return rc;
	log_info(&c->log, "%s: contact is now mailto:%s", c->acme->kid,
	         c->cfg->email);
	return 0;
}

/* The key to roll over to: --new-key FILE, or a new one. */
static int next_key(struct ctx *c, const char *file, struct key *k)
{
	char pem[8192];
	size_t len;
	int rc;

	if (!file)
		return key_generate(k, c->cfg->account_key_type, &c->rng);
	rc = port_read_file(c->port, file, pem, sizeof(pem) - 1, &len);
	if (rc == 0) {
		pem[len] = '\0';
		rc = key_from_pem(k, pem, len);
	}
	explicit_bzero(pem, sizeof(pem));
	if (rc != 0)
		log_err(&c->log, "%s: not a private key", file);
	return rc;
}

static int cmd_rollover(struct ctx *c, struct acct_work *w, const char *file)
{
	struct acme *a = c->acme;
	int rc;

	if ((rc = rng_init(&c->rng, c->port)) != 0) {
		log_err(&c->log, "entropy pool not seeded yet; try again");
		return rc;
	}
	if ((rc = account_open(c, w, 0)) != 0 ||
	    (rc = next_key(c, file, &w->next)) != 0)
		return rc;
	if (same_key(&w->key, &w->next)) {
		log_err(&c->log, "%s: that is the account's key", file);
		return AL_EINVAL;
	}
	/* the journal: after a cut from here on, the CA is asked */
	if ((rc = store_save_account_file(&c->store, w->ca_id, NEXT_KEY,
	                                  &w->next)) != 0)
		return rc;
	rc = acme_key_change(a, &w->next);
	if (rc == AL_EINVAL) /* refused: the old key stays, so does the account */
		return store_remove_account_file(&c->store, w->ca_id, NEXT_KEY) ?
		       AL_EFAIL : rc;
	if (rc != 0) /* the answer was lost: the next run asks the CA */
		return rc;
	if ((rc = adopt_next(c, w->ca_id, &w->next)) != 0)
		return rc;
	log_info(&c->log, "%s: the account now uses a new %s key", a->kid,
	         key_type_name(w->next.type));
	return 0;
}

static int cmd_deactivate(struct ctx *c, struct acct_work *w, int yes)
{
	struct acme *a = c->acme;
	int rc;

	(void)yes; /* account_command checked it */
	rc = account_open(c, w, 1);
	if (rc == AL_ENOENT && store_account_deactivated(&c->store, w->ca_id))
		log_err(&c->log, "%s: already deactivated",
		        a->kid[0] ? a->kid : w->ca_id);
	else if (rc == AL_ENOENT)
		log_err(&c->log, "%s: no account in %s", w->ca_id, c->store.dir);
	if (rc != 0)
		return rc;
	rc = acme_account_deactivate(a);
	if (rc == AL_ENOENT)
		log_err(&c->log, "%s: already deactivated", a->kid);
	if ((rc == 0 || rc == AL_ENOENT) &&
	    store_mark_account_deactivated(&c->store, w->ca_id, a->kid) != 0)
		return AL_EFAIL;
	if (rc == 0)
		log_info(&c->log, "%s: deactivated", a->kid);
	return rc;
}

int account_command(struct ctx *c, const struct cli *cl)
{
	const char *sub = cl->nargs > 0 ? cl->args[0] : "";
	struct acct_work *w;
	int rc;

	if (strcmp(sub, "show") && strcmp(sub, "update") &&
	    strcmp(sub, "rollover") && strcmp(sub, "deactivate")) {
		log_err(&c->log, "account %s: not show, update, rollover or "
		        "deactivate", sub);
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "deactivate") && !cl->yes) {
		log_err(&c->log, "account deactivate is for good: add --yes");
		return EXIT_USAGE;
	}
	if (!strcmp(sub, "update") && (!c->cfg->email || !c->cfg->email[0])) {
		log_err(&c->log, "account update needs --email ADDR");
		return EXIT_USAGE;
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		log_err(&c->log, "out of memory");
		return EXIT_FAILED;
	}
	w->lock = -1;
	if (!strcmp(sub, "show"))
		rc = cmd_show(c, w);
	else if (!strcmp(sub, "update"))
		rc = cmd_update(c, w);
	else if (!strcmp(sub, "rollover"))
		rc = cmd_rollover(c, w, cl->new_key);
	else
		rc = cmd_deactivate(c, w, cl->yes);
	store_unlock(&c->store, w->lock);
	explicit_bzero(w, sizeof(*w));
	free(w);
	return rc == 0 ? EXIT_DONE : EXIT_FAILED;
}
