/* Issuance of one certificate, step by step (RFC 8555 §7.1 flow):
 * account, order, http-01 answers served from this same thread, finalize,
 * download, then a complete new generation made live in one switch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "acme.h"
#include "agent.h"
#include "der.h"
#include "err.h"
#include "http/http.h"
#include "pem.h"
#include "port.h"
#include "order.h"
#include "challenge/responder.h"
#include "schedule.h"
#include "ari.h"
#include "hook.h"
#include "eab.h"


/* A Unix time as a date for log lines. */
static const char *iso_time(int64_t t, char *buf, size_t cap)
{
	return sched_format_utc(t, SCHED_FMT_LOG, buf, cap);
}

int agent_nsets(const struct config *cfg)
{
	return cfg->nkey_types > 0 ? cfg->nkey_types : 1;
}

void agent_set_config(const struct config *cfg, int i, struct config *out,
                      char *dir, size_t cap)
{
	*out = *cfg;
	if (cfg->nkey_types > 0)
		out->key_type = cfg->key_types[i];
	if (i == 0) /* the first type keeps live/ and the journal as ever */
		return;
	snprintf(dir, cap, "%s/%s", cfg->cert_name,
	         key_type_name(out->key_type));
	out->cert_name = dir;
	out->set_of = cfg->cert_name;
}

void agent_live_dir(struct ctx *c, char *out)
{
	char link[48];
	const struct config *cfg = c->cfg;

	if (!cfg->set_of) {
		store_path(&c->store, out, "certs", cfg->cert_name, "live", NULL);
		return;
	}
	snprintf(link, sizeof(link), "live-%s", key_type_name(cfg->key_type));
	store_path(&c->store, out, "certs", cfg->set_of, link, NULL);
}

/* The set's live-<type> link (a set after the first), when missing. */
static void set_link(struct ctx *c)
{
	if (c->cfg->set_of)
		store_link_set(&c->store, c->cfg->set_of,
		               key_type_name(c->cfg->key_type));
}

/* 1 when live/privkey.pem is the key of the certificate der: a torn or
 * foreign key must not be kept as if all were well (invariant 1). */
static int live_key_matches(struct ctx *c, const unsigned char *der,
                            size_t len)
{
	struct key *k = &c->work->cert_key;
	char *pem = c->work->chain;
	size_t plen;
	int ok;

	ok = store_read_live(&c->store, c->cfg->cert_name, "privkey.pem", pem,
	                     CHAIN_MAX, &plen) == 0 &&
	     key_from_pem(k, pem, plen) == 0 && key_matches_cert(k, der, len);
	explicit_bzero(pem, CHAIN_MAX);
	explicit_bzero(k, sizeof(*k));
	return ok;
}

/* Read the live certificate's facts into f: 1 when it covers every name
 * and its key is there and matches. */
static int live_facts(struct ctx *c, struct cert_facts *f)
{
	unsigned char der[CHAIN_MAX / 2];
	char pem[CHAIN_MAX];
	size_t len, der_len, end;

	if (store_read_live(&c->store, c->cfg->cert_name, "cert.pem", pem,
	                    sizeof(pem), &len) != 0)
		return 0;
	if (pem_decode_next(pem, len, "CERTIFICATE", der, sizeof(der), &der_len,
	                    &end, NULL, 0) != 0 ||
	    cert_facts_der(der, der_len, f) != 0) {
		log_warn(&c->log, "%s: the live certificate is unreadable; "
		         "issuing a new one", c->cfg->cert_name);
		return 0;
	}
	if (!live_key_matches(c, der, der_len)) {
		log_warn(&c->log, "%s: live/privkey.pem is missing, unreadable or "
		         "not the certificate's key; issuing a new pair",
		         c->cfg->cert_name);
		return 0;
	}
	if (!cert_covers(f, c->cfg->names, c->cfg->nnames)) {
		log_info(&c->log, "%s: the live certificate does not cover every "
		         "name asked for; issuing a new one", c->cfg->cert_name);
		return 0;
	}
	return 1;
}

/* Open the transport for this certificate's trust, or reuse it. */
static int open_http(struct ctx *c)
{
	const struct config *cfg = c->cfg;
	struct http_opts ho = { cfg->ca_file, cfg->timeout_s, "acmelet/"
	                        ACMELET_VERSION, &c->log, c->port, &c->loop };
	int rc;

	if (c->http && c->http_ca != cfg->ca_file) { /* other trust: reopen */
		http_close(c->http);
		c->http = NULL;
	}
	if (!c->http && (rc = http_open(&c->http, &ho)) != 0) {
		log_err(&c->log, "cannot start the HTTPS client");
		return rc;
	}
	c->http_ca = cfg->ca_file;
	acme_init(c->acme, c->http, &c->log);
	/* badNonce retries share the request's --timeout (issue 12). */
	acme_set_budget(c->acme, c->port, (cfg->timeout_s > 0 ?
	                cfg->timeout_s : 30) * 1000);
	return 0;
}

/* Ask the CA's renewalInfo (M1) now: st gets its window, a pick in it and
 * when to ask again. A pick is kept while the window stays the same, so
 * runs agree on one time. Returns 0, or nonzero when nothing was learnt. */
static int ari_ask(struct ctx *c, const struct cert_facts *f,
                   const struct ari_state *old, struct ari_state *st)
{
	char ca_id[STORE_CA_ID_MAX], url[ACME_URL_MAX], ari[ACME_URL_MAX];
	struct ari_window w;
	uint64_t rnd = 0;
	int64_t latest = f->not_after - (f->not_after - f->not_before) / 10;

	store_ca_id(c->cfg->server, ca_id, sizeof(ca_id));
	if (store_account_info(&c->store, ca_id, url, sizeof(url), ari,
	                       sizeof(ari)) != 0 || !ari[0] || open_http(c) != 0)
		return AL_ENOENT;
	memcpy(c->acme->dir.renewal_info, ari, sizeof(ari));
	if (ari_fetch(c->acme, f, port_wall_time(c->port), &w) != 0 ||
	    port_entropy(c->port, &rnd, sizeof(rnd)) != 0)
		return AL_EPROTO;
	st->start = w.start;
	st->end = w.end;
	st->next_ask = port_wall_time(c->port) + w.retry_after;
	if (old && old->start == w.start && old->end == w.end)
		st->pick = old->pick;
	else
		st->pick = sched_pick(w.start, w.end, rnd);
	/* a window past expiry would let the certificate lapse */
	if (st->pick > latest)
		st->pick = latest;
	return 0;
}

/* When the CA has renewalInfo, *due becomes the pick in its window: from
 * the run state in RAM while the CA's Retry-After lasts (no request),
 * else asked again and kept there. Any trouble leaves *due as it was (one
 * third of the lifetime), or the last pick when there was one. */
static void ari_due(struct ctx *c, const struct cert_facts *f, int64_t *due)
{
	const char *name = c->cfg->cert_name, *dir = c->cfg->state_dir;
	struct ari_state old, st;
	char a[32], b[32], d[32];
	int have = ari_state_load(c->port, dir, name, f, &old) == 0;

	if (have && port_wall_time(c->port) < old.next_ask) {
		*due = old.pick;
		log_debug(&c->log, "%s: renewal info asked before; not asking "
		          "again before %s", name,
		          iso_time(old.next_ask, a, sizeof(a)));
		return;
	}
	if (ari_ask(c, f, have ? &old : NULL, &st) != 0) {
		if (have)
			*due = old.pick;
		return;
	}
	*due = st.pick;
	ari_state_save(c->port, dir, name, f, &st);
	log_debug(&c->log, "%s: the CA suggests renewing between %s and %s; "
	          "picked %s", name, iso_time(st.start, a, sizeof(a)),
	          iso_time(st.end, b, sizeof(b)), iso_time(st.pick, d, sizeof(d)));
}

/* 1 when acmelet revoke revoked the live certificate (journal j). */
static int live_revoked(struct ctx *c, const struct journal *j)
{
	return j->revoked_gen > 0 &&
	       j->revoked_gen == store_live_gen(&c->store, c->cfg->cert_name);
}

/* 1 when the live certificate covers every name and is not due yet. */
static int live_is_good(struct ctx *c, int flags)
{
	struct cert_facts *f = &c->work->facts;
	char until[32], when[32];
	int64_t due;

	if (!(c->work->have_live = live_facts(c, f)) || c->cfg->force)
		return 0;
	if (live_revoked(c, &c->work->journal)) {
		log_info(&c->log, "%s: the live certificate was revoked; issuing "
		         "a new one", c->cfg->cert_name);
		return 0;
	}
	due = sched_renew_at(f->not_before, f->not_after);
	if (flags & AGENT_ARI)
		ari_due(c, f, &due);
	if (port_wall_time(c->port) >= due)
		return 0;
	log_info(&c->log, "%s: certificate good until %s, renewal due %s; "
	         "nothing to do", c->cfg->cert_name,
	         iso_time(f->not_after, until, sizeof(until)),
	         iso_time(due, when, sizeof(when)));
	return 1;
}

/* Read the journal and remove leftovers of interrupted runs; called with
 * the certificate's lock held, so nothing removed can be another run's
 * work in progress. A journal whose pending generation is already live
 * belongs to an issuance that finished before it could clear the journal:
 * nothing is pending. */
static void load_journal(struct ctx *c)
{
	struct journal *j = &c->work->journal;
	const char *name = c->cfg->cert_name;

	char ca_id[STORE_CA_ID_MAX];

	journal_load(&c->store, name, j);
	if (j->gen > 0 && j->gen == store_live_gen(&c->store, name)) {
		j->order[0] = '\0';
		j->gen = 0;
	}
	store_cleanup(&c->store, name, j->gen);
	webroot_leftovers(c);
	dns01_leftovers(c);
	store_ca_id(c->cfg->server, ca_id, sizeof(ca_id));
	store_tidy_account(&c->store, ca_id);
}

/* Say that another process holds a lock (one line, the last error). */
static void say_locked(struct ctx *c, const char *what, long holder)
{
	char pid[32] = "";

	if (holder > 0)
		snprintf(pid, sizeof(pid), " (pid %ld)", holder);
	log_err(&c->log, "another acmelet%s is working on %s; it went on for "
	        "more than %d s, try again once it has finished", pid, what,
	        c->cfg->lock_wait_s);
}

int agent_lock_cert(struct ctx *c, const char *name, int *handle)
{
	long holder = 0;
	int rc = store_lock_cert(&c->store, name, c->cfg->lock_wait_s, handle,
	                         &holder);

	if (rc == AL_ELOCKED)
		say_locked(c, name, holder);
	return rc;
}

int agent_lock_account(struct ctx *c, const char *ca_id, int *handle)
{
	char what[STORE_CA_ID_MAX + 32];
	long holder = 0;
	int rc = store_lock_account(&c->store, ca_id, c->cfg->lock_wait_s,
	                            handle, &holder);

	if (rc == AL_ELOCKED) {
		snprintf(what, sizeof(what), "the account at %s", ca_id);
		say_locked(c, what, holder);
	}
	return rc;
}

/* Create the account of key k (new or found again), after checking the
 * operator agreed to the terms the directory shows (S2). */
static int account_create(struct ctx *c, const char *ca_id, struct key *k,
                          int had_key)
{
	struct acme *a = c->acme;
	struct acme_eab eab;
	int rc, created;

	if (a->dir.terms_of_service[0] && !c->cfg->agree_tos) {
		log_err(&c->log, "the CA's terms of service are at %s; read them, "
		        "then run again with --agree-tos",
		        a->dir.terms_of_service);
		return AL_EINPUT;
	}
	rc = eab_load(c->port, &c->log, c->cfg, &eab);
	if (rc == AL_ENOENT && a->dir.eab_required) {
		log_err(&c->log, "%s: the CA requires an external account binding: "
		        "set --eab-kid and --eab-hmac-key (eab-kid = and "
		        "eab-hmac-key =) to the values your CA account shows",
		        c->cfg->server);
		return AL_EINPUT;
	}
	if (rc != 0 && rc != AL_ENOENT)
		return rc;
	if (!had_key &&
	    ((rc = key_generate(k, c->cfg->account_key_type, &c->rng)) != 0 ||
	     (rc = store_save_account_key(&c->store, ca_id, k)) != 0))
		goto out;
	if (a->dir.terms_of_service[0])
		log_info(&c->log, "agreeing to the terms of service at %s",
		         a->dir.terms_of_service);
	a->eab = eab.kid ? &eab : NULL;
	rc = acme_account(a, c->cfg->email, c->cfg->agree_tos, 0, &created);
	a->eab = NULL;
	if (rc == 0)
		log_info(&c->log, "%s account %s (%s key)", created ? "created" :
		         "found the existing", a->kid, key_type_name(k->type));
out:
	explicit_bzero(&eab, sizeof(eab));
	return rc;
}

/* Load or make the account key; find or create the account (S2, S3).
 * account.json is written only when something in it changed (E2). Runs
 * under the account's lock: two first runs would otherwise each make a
 * key and store one's key with the other's URL. */
static int account_setup_locked(struct ctx *c, const char *ca_id,
                                struct key *k)
{
	struct acme *a = c->acme;
	char ari[ACME_URL_MAX];
	int rc, created, had_key;

	if ((rc = account_recover(c, ca_id)) != 0) /* a rollover cut short */
		return rc;
	rc = store_load_account(&c->store, ca_id, k, a->kid, sizeof(a->kid),
	                        ari, sizeof(ari));
	if (rc != 0 && rc != AL_ENOENT)
		return rc;
	had_key = rc == 0;
	if (had_key && store_account_deactivated(&c->store, ca_id)) {
		log_info(&c->log, "%s: that account was deactivated; making a new "
		         "one", a->kid);
		had_key = 0;
		a->kid[0] = '\0';
	}
	a->key = k;
	if (had_key && a->kid[0]) {
		if (!strcmp(ari, a->dir.renewal_info))
			return 0;
	} else if (had_key && (rc = acme_account(a, NULL, 0, 1, &created)) == 0) {
		log_info(&c->log, "found the existing account %s", a->kid);
	} else if (had_key && rc != AL_ENOENT) {
		return rc;
	} else if ((rc = account_create(c, ca_id, k, had_key)) != 0) {
		return rc;
	}
	return store_save_account_url(&c->store, ca_id, a->kid,
	                              a->dir.renewal_info);
}

/* account_setup_locked under the account's lock, which is let go right
 * after: other certificates of the same account need not wait for this
 * one's whole issuance. */
static int account_setup(struct ctx *c, const char *ca_id, struct key *k)
{
	int rc, h = -1;

	if ((rc = agent_lock_account(c, ca_id, &h)) != 0)
		return rc;
	store_cleanup_account(&c->store, ca_id);
	rc = account_setup_locked(c, ca_id, k);
	store_unlock(&c->store, h);
	return rc;
}

/* Everything that needs the network, in order. */
static int issue_online(struct ctx *c)
{
	const struct config *cfg = c->cfg;
	char ca_id[STORE_CA_ID_MAX];
	int rc;

	if ((rc = challenge_setup(c)) != 0 ||
	    (rc = open_http(c)) != 0 ||
	    (rc = acme_get_directory(c->acme, cfg->server)) != 0)
		return rc;
	/* an unknown profile is refused before any account or order (M3) */
	if (cfg->profile &&
	    (rc = acme_check_profile(c->acme, cfg->server, cfg->profile)) != 0)
		return rc;
	/* A renewal names the certificate it replaces when the CA has ARI. */
	if (c->work->have_live && c->acme->dir.renewal_info[0] &&
	    ari_cert_id(&c->work->facts, c->work->replaces,
	                sizeof(c->work->replaces)) != 0)
		c->work->replaces[0] = '\0';
	store_ca_id(cfg->server, ca_id, sizeof(ca_id));
	if ((rc = account_setup(c, ca_id, &c->work->account_key)) != 0 ||
	    (rc = dns_persist_check(c)) != 0) /* before any order */
		return rc;
	return order_run(c, &c->work->account_key);
}

int agent_account(struct ctx *c, struct key *k)
{
	char ca_id[STORE_CA_ID_MAX];

	store_ca_id(c->cfg->server, ca_id, sizeof(ca_id));
	return account_setup(c, ca_id, k);
}

/* 1 when failure rc is the user's to fix, not the CA's or the network's:
 * settings refused before any order (AL_EINPUT: unknown profile, terms
 * not agreed, no or bad EAB, a challenge type without method), or the
 * CA's answer that the names, the contact or the account key are not
 * acceptable. Waiting would not help; the next run after the fix must go
 * at once, so these are not counted in the backoff (docs/design.md). */
static int input_error(const struct ctx *c, int rc)
{
	static const char yours[] = " rejectedIdentifier unsupportedIdentifier "
		"caa invalidContact unsupportedContact userActionRequired "
		"invalidProfile badSignatureAlgorithm ";
	char t[sizeof(c->acme->problem_type) + 2];

	snprintf(t, sizeof(t), " %s ", c->acme->problem_type);
	return rc == AL_EINPUT ||
	       (rc == AL_EPROTO && t[2] && strstr(yours, t) != NULL);
}

/* Remember a failure in the journal: count, backoff (S15, or the CA's
 * Retry-After when it asked for more), last error for status. A failure
 * of the user's input is kept as the last error only. */
static void record_failure(struct ctx *c, int rc)
{
	struct journal *j = &c->work->journal;
	int64_t now = port_wall_time(c->port), wait, asked = 0;

	snprintf(j->last_error, sizeof(j->last_error), "%s", c->last_error);
	if (input_error(c, rc)) { /* failures stay as they were */
		journal_save_failure(&c->store, c->cfg->cert_name, j);
		return;
	}
	if (j->failures < 1000000)
		j->failures++;
	wait = sched_backoff(j->failures);
	if (c->acme->problem_type[0] &&
	    sched_parse_retry_after(c->acme->resp.retry_after, now, &asked) == 0 &&
	    asked > wait)
		wait = asked > 7 * 86400 ? 7 * 86400 : asked;
	j->next_try = now + wait;
	journal_save_failure(&c->store, c->cfg->cert_name, j);
}

/* 1 when the certificate is in its failure backoff (and says so once). */
static int in_backoff(struct ctx *c)
{
	const struct journal *j = &c->work->journal;
	char when[32];

	if (j->failures == 0 || port_wall_time(c->port) >= j->next_try)
		return 0;
	log_info(&c->log, "%s: failed %d time%s, next try %s (acmelet retry %s "
	         "tries now)", c->cfg->cert_name, j->failures,
	         j->failures == 1 ? "" : "s",
	         iso_time(j->next_try, when, sizeof(when)), c->cfg->cert_name);
	return 1;
}

/* Issue now: the network part, then the hook with what happened. */
static int issue_now(struct ctx *c, int flags)
{
	char when[32], dir[STORE_PATH_MAX];
	unsigned reqs, conns, reqs0 = 0, conns0 = 0;
	int rc, renewal = store_live_gen(&c->store, c->cfg->cert_name) > 0;

	if ((rc = rng_init(&c->rng, c->port)) != 0) {
		log_err(&c->log, "the system's entropy pool is not seeded yet; "
		        "refusing to make keys, try again in a minute");
		return rc;
	}
	c->last_error[0] = '\0';
	if (c->http)
		http_stats(c->http, &reqs0, &conns0);
	rc = issue_online(c);
	challenge_close_all(c);
	if (c->http) { /* this certificate's share of the run's counters */
		http_stats(c->http, &reqs, &conns);
		log_debug(&c->log, "acme: %u requests, %u connections, %u badNonce "
		          "retries", reqs - reqs0, conns - conns0,
		          c->acme->bad_nonces);
	}
	agent_live_dir(c, dir);
	if (rc != 0) {
		record_failure(c, rc);
		hook_run(c->cfg, &c->log, &c->loop, "failed", dir, c->last_error);
		return rc;
	}
	log_info(&c->log, "%s: new certificate is live, valid until %s",
	         c->cfg->cert_name, iso_time(c->work->facts.not_after, when,
	                                      sizeof(when)));
	set_link(c); /* a failure is one line; the set itself is live */
	hook_run(c->cfg, &c->log, &c->loop, renewal ? "renewed" : "issued", dir, NULL);
	if (flags & AGENT_ARI) { /* ask right after issuance (M1) */
		int64_t due = 0;

		ari_due(c, &c->work->facts, &due);
	}
	return AGENT_ISSUED;
}

/* One set of the certificate (c->cfg is the set's settings), under the
 * certificate's lock: nothing to do, waiting, or a new issuance. */
static int run_set(struct ctx *c, int flags)
{
	explicit_bzero(c->work, sizeof(*c->work));
	load_journal(c);
	if (store_live_gen(&c->store, c->cfg->cert_name) > 0)
		set_link(c); /* a cut after the set's first switch */
	if (live_is_good(c, flags))
		return AGENT_NOTHING;
	if ((flags & AGENT_BACKOFF) && in_backoff(c))
		return AGENT_WAITING;
	return issue_now(c, flags);
}

/* What a run of several sets did: the first failure, else waiting, else
 * issued, else nothing. */
static int combine(int rc, int one)
{
	if (rc < 0 || one < 0)
		return rc < 0 ? rc : one;
	if (rc == AGENT_WAITING || one == AGENT_WAITING)
		return AGENT_WAITING;
	return rc == AGENT_ISSUED || one == AGENT_ISSUED ? AGENT_ISSUED :
	       AGENT_NOTHING;
}

void agent_each_set(struct ctx *c, void (*fn)(struct ctx *, void *),
                    void *arg)
{
	const struct config *cfg = c->cfg;
	struct config set;
	char dir[STORE_PATH_MAX];
	int i;

	for (i = 0; i < agent_nsets(cfg); i++) {
		agent_set_config(cfg, i, &set, dir, sizeof(dir));
		c->cfg = &set;
		fn(c, arg);
		c->cfg = cfg;
	}
}

struct run_arg {
	int flags, rc;
};

static void run_set_cb(struct ctx *c, void *arg)
{
	struct run_arg *r = arg;

	r->rc = combine(r->rc, run_set(c, r->flags));
}

int agent_run(struct ctx *c, int flags)
{
	struct run_arg r = { flags, AGENT_NOTHING };
	int rc, lock = -1;

	if (!(c->work = calloc(1, sizeof(*c->work))))
		return AL_EFAIL;
	if (!port_wall_trusted(c->port)) {
		log_err(&c->log, "the system clock is not set yet (NTP?); not "
		        "taking date decisions or issuing now");
		rc = AL_ECLOCK;
		goto out;
	}
	/* before any clean-up, any read that decides, any write */
	if ((rc = agent_lock_cert(c, c->cfg->cert_name, &lock)) != 0)
		goto out;
	/* each key type's set on its own: due, failing, switched (S10) */
	agent_each_set(c, run_set_cb, &r);
	rc = r.rc;
out:
	store_unlock(&c->store, lock);
	explicit_bzero(c->work, sizeof(*c->work)); /* no key lingers */
	free(c->work);
	c->work = NULL;
	return rc;
}

int agent_issue(struct ctx *c)
{
	int rc = agent_run(c, 0);

	return rc < 0 ? rc : 0;
}

/* Clear the backoff of one set (c->cfg); writes only when there is one.
 * *arg (int) keeps the first error. */
static void retry_set(struct ctx *c, void *arg)
{
	int *rc = arg, one;
	struct journal j;

	if (journal_load(&c->store, c->cfg->cert_name, &j) != 0 ||
	    (j.failures == 0 && !j.input_error))
		return;
	j.failures = 0;
	j.next_try = 0;
	j.last_error[0] = '\0';
	log_info(&c->log, "%s: failure backoff cleared", c->cfg->cert_name);
	if ((one = journal_save(&c->store, c->cfg->cert_name, &j)) != 0 && !*rc)
		*rc = one;
}

int agent_retry(struct ctx *c)
{
	int rc, lock = -1;

	/* the journal is written under the lock, as by an issuance */
	if ((rc = agent_lock_cert(c, c->cfg->cert_name, &lock)) != 0)
		return rc;
	agent_each_set(c, retry_set, &rc);
	store_unlock(&c->store, lock);
	return rc;
}

/* The profile the live certificate was issued with (its file "profile"),
 * or "" when none was asked for. */
static void live_profile(struct ctx *c, char *out, size_t cap)
{
	size_t len;

	if (store_read_live(&c->store, c->cfg->cert_name, "profile", out, cap,
	                    &len) != 0)
		out[0] = '\0';
}

int agent_status(struct ctx *c, struct cert_status *st)
{
	char pem[CHAIN_MAX], ca_id[STORE_CA_ID_MAX], url[ACME_URL_MAX];
	char ari[ACME_URL_MAX];
	struct journal j;
	size_t len;

	memset(st, 0, sizeof(*st));
	store_ca_id(c->cfg->server, ca_id, sizeof(ca_id));
	st->ari = store_account_info(&c->store, ca_id, url, sizeof(url), ari,
	                             sizeof(ari)) == 0 && ari[0];
	journal_load(&c->store, c->cfg->cert_name, &j);
	st->failures = j.failures;
	st->next_try = j.next_try;
	snprintf(st->last_error, sizeof(st->last_error), "%s", j.last_error);
	st->input_error = j.input_error;
	agent_live_dir(c, st->live_dir);
	/* a journal whose generation is live is finished (see load_journal) */
	st->pending_order = j.order[0] != '\0' &&
	                    j.gen != store_live_gen(&c->store, c->cfg->cert_name);
	if (store_read_live(&c->store, c->cfg->cert_name, "cert.pem", pem,
	                    sizeof(pem), &len) == 0 &&
	    cert_facts_pem(pem, len, &st->facts) == 0) {
		st->has_cert = 1;
		live_profile(c, st->profile, sizeof(st->profile));
		st->due = sched_renew_at(st->facts.not_before, st->facts.not_after);
		if (live_revoked(c, &j))
			st->due = 0; /* revoked: replaced by the next renew */
		st->covers = cert_covers(&st->facts, c->cfg->names, c->cfg->nnames);
		/* the pick in the CA's window, as the last run kept it in RAM */
		st->has_window = ari_state_load(c->port, c->cfg->state_dir,
		                                c->cfg->cert_name, &st->facts,
		                                &st->ari_state) == 0;
		if (st->has_window)
			st->due = st->ari_state.pick;
	}
	if (!st->has_cert || !st->covers)
		st->next_at = 0, st->action = "issue";
	else
		st->next_at = st->due, st->action = "renew";
	if (st->failures > 0 && st->next_try > st->next_at)
		st->next_at = st->next_try, st->action = "retry";
	return 0;
}

int agent_http_open(struct ctx *c)
{
	return open_http(c);
}
