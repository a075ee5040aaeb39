/* The order state machine (RFC 8555 §7.1): pending -> ready -> processing
 * -> valid. What a restart needs is in the journal: the order URL (so no
 * needless new order) and the generation holding the pending key (so no
 * needless new key). The live certificate is touched only by the final
 * switch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "chain.h"
#include "chain_check.h"
#include "err.h"
#include "order.h"
#include "pem.h"
#include "port.h"
#include "challenge/challenge.h"
#include "schedule.h"

#define CSR_MAX 8192
#define POLL_FIRST_MS 50     /* validation is usually done by then */
#define POLL_MAX_MS 5000
#define QUIET_MS 20          /* no validator fetch for this long: go poll */
#define TICK_MS 2            /* how often the fetch counts are looked at */
#define ORDER_DEADLINE_MS (5 * 60 * 1000)

/* One authorization being answered: what the CA sent, the challenge
 * chosen and the method answering it. */
struct answer {
	struct acme_authz az;
	int chosen;                          /* index in az.chall, -1 none */
	const struct challenge_class **m;
	char keyauth[ACME_TOKEN_MAX + 64];
	char digest[CHALLENGE_DIGEST_LEN + 1];
	struct challenge_auth auth;
};

/* The challenges of an answer: a list of their types for a log line. */
static void offered(const struct acme_authz *az, char *out, size_t cap)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < az->nchall && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "",
		                      az->chall[i].type);
	if (az->nchall == 0)
		snprintf(out, cap, "nothing");
}

static const char *id_type(const struct acme_authz *az)
{
	return az->id_type[0] ? az->id_type : "dns";
}

/* Index of the offered challenge of type t that can answer az with an
 * opened method, or -1. */
static int usable(struct ctx *c, const struct acme_authz *az, const char *t)
{
	int i;

	if (!challenge_type_fits(t, id_type(az), az->wildcard) ||
	    !challenge_method(c, t, id_type(az)))
		return -1;
	for (i = 0; i < az->nchall; i++)
		if (!strcmp(az->chall[i].type, t))
			return i;
	return -1;
}

/* Fetch every authorization; a pending one must offer a configured type
 * that fits its identifier (one line naming offered and configured, before
 * any challenge is answered). */
static int fetch_authzs(struct ctx *c, const struct acme_order *o,
                        struct answer *ans, char types[][CHALLENGE_TYPE_MAX],
                        int ntypes)
{
	char what[128];
	int i, k, rc;

	for (i = 0; i < o->nauthz; i++) {
		struct acme_authz *az = &ans[i].az;

		ans[i].chosen = -1;
		if ((rc = acme_get_authz(c->acme, o->authz[i], az)) != 0)
			return rc;
		if (!strcmp(az->status, "valid"))
			continue; /* reused authorization: nothing to answer */
		if (strcmp(az->status, "pending") != 0) {
			log_err(&c->log, "%s: authorization is %s", az->identifier,
			        az->status);
			return AL_EPROTO;
		}
		for (k = 0; k < ntypes && usable(c, az, types[k]) < 0; k++)
			;
		if (k == ntypes) {
			offered(az, what, sizeof(what));
			log_err(&c->log, "%s%s: the CA offers %s; configured: %s "
			        "(wildcards take only dns types, IP addresses only "
			        "http-01 and tls-alpn-01); change --challenge",
			        az->wildcard ? "*." : "", az->identifier, what,
			        c->cfg->challenge ? c->cfg->challenge : "http-01");
			return AL_EINVAL;
		}
	}
	return 0;
}

/* Present one authorization with the first preferred type whose method
 * accepts it, then tell the CA (unless it is already validating). */
static int present_one(struct ctx *c, struct answer *an, const char *thumb,
                       char types[][CHALLENGE_TYPE_MAX], int ntypes)
{
	struct acme_authz *az = &an->az;
	int k, i, rc;

	for (k = 0; k < ntypes; k++) {
		struct acme_chall *ch;

		if ((i = usable(c, az, types[k])) < 0)
			continue;
		ch = &az->chall[i];
		/* dns-persist-01 has no token: its record names the account */
		if (strcmp(ch->type, "dns-persist-01") &&
		    !challenge_token_ok(ch->token)) {
			log_err(&c->log, "%s: the CA sent a %s token that is not "
			        "base64url; refusing it (is --server an ACME CA?)",
			        az->identifier, ch->type);
			return AL_EPROTO;
		}
		an->keyauth[0] = an->digest[0] = '\0'; /* dns-persist-01: none */
		if (ch->token[0]) {
			snprintf(an->keyauth, sizeof(an->keyauth), "%s.%s",
			         ch->token, thumb);
			challenge_digest(an->keyauth, an->digest);
		}
		an->auth = (struct challenge_auth){ ch->type, id_type(az),
			az->identifier, az->wildcard, ch->token, an->keyauth,
			an->digest, ch->url };
		an->m = challenge_method(c, ch->type, id_type(az));
		rc = (*an->m)->present(an->m, c, &an->auth);
		if (rc == AL_EDECLINED)
			continue;
		if (rc != 0)
			return rc;
		an->chosen = i;
		log_debug(&c->log, "%s: answering %s by the %s",
		          az->identifier, ch->type, (*an->m)->name);
		if (!strcmp(ch->status, "pending"))
			return acme_answer_challenge(c->acme, ch->url);
		return 0;
	}
	log_err(&c->log, "%s: every configured challenge type was declined; "
	        "check the challenge hook or --challenge", az->identifier);
	return AL_EDECLINED;
}

/* Fetch, choose, present: every pending authorization gets a challenge
 * answered. *known counts those whose method can tell when the validator
 * fetched them. */
static int answer_authzs(struct ctx *c, const struct acme_order *o,
                         struct answer *ans, const char *thumb, int *known)
{
	char types[CHALLENGE_MAX_TYPES][CHALLENGE_TYPE_MAX];
	int ntypes = challenge_prefs(c->cfg->challenge, types,
	                             CHALLENGE_MAX_TYPES);
	int i, rc;

	*known = 0;
	if ((rc = fetch_authzs(c, o, ans, types, ntypes)) != 0)
		return rc;
	for (i = 0; i < o->nauthz; i++) {
		if (!strcmp(ans[i].az.status, "valid"))
			continue;
		if ((rc = present_one(c, &ans[i], thumb, types, ntypes)) != 0)
			return rc;
		*known += (*ans[i].m)->answered(ans[i].m) >= 0;
	}
	return 0;
}

/* The CA is done with the answers (ok: the order left pending without
 * becoming invalid): every method removes what it made. */
static void cleanup_answers(struct ctx *c, struct answer *ans, int n, int ok)
{
	int i;

	for (i = 0; i < n; i++)
		if (ans[i].chosen >= 0)
			(*ans[i].m)->cleanup(ans[i].m, c, &ans[i].auth, ok);
}

/* Explain why an order became invalid: the first failed challenge. */
static void report_invalid(struct ctx *c, const struct acme_order *o,
                           const struct answer *ans)
{
	const char *hint;
	int i;

	for (i = 0; ans && i < o->nauthz; i++) {
		const struct answer *an = &ans[i];
		struct acme_authz az;

		if (an->chosen < 0 || acme_get_authz(c->acme, o->authz[i], &az) != 0 ||
		    strcmp(az.status, "invalid") != 0)
			continue;
		acme_authz_problem(c->acme, o->authz[i]);
		hint = strcmp((*an->m)->name, "http-01 responder") ? "check what "
		       "answers it" : "check that port 80 of this name reaches "
		       "acmelet (--http-port) from the internet";
		log_err(&c->log, "%s: validation failed (%s by the %s): %s; %s",
		        az.identifier, an->auth.type, (*an->m)->name,
		        c->acme->problem, hint);
		return;
	}
	log_err(&c->log, "%s: the CA marked the order invalid", o->url);
}

/* Total validation requests the methods answered, -1 when none can tell. */
static long answered(struct ctx *c)
{
	long n, sum = -1;
	int i;

	for (i = 0; i < c->nmethods; i++)
		if ((n = (*c->methods[i])->answered(c->methods[i])) >= 0)
			sum = (sum < 0 ? 0 : sum) + n;
	return sum;
}

/* Serve until the validator fetched at least `expect` answers and went
 * quiet, at most POLL_MAX_MS: CAs validate from several vantage points,
 * so the other fetches get QUIET_MS to finish. With nothing to expect
 * (finalizing, or methods that cannot tell) the CA still gets QUIET_MS.
 * The counts are looked at every TICK_MS (the loop serves the fetches
 * meanwhile): the poll follows the last fetch by QUIET_MS to QUIET_MS +
 * TICK_MS. A count is not per name (Pebble fetches 3 times per name), so
 * quiet is measured from the last change, not from reaching `expect`. */
static int wait_fetched(struct ctx *c, int64_t start, int expect)
{
	long seen = -1, now_n; /* counts start at 0 when methods are prepared,
	                          and fetches during the POSTs count too */
	int64_t now = start, quiet_since = -1;
	int rc;

	if (expect <= 0)
		return loop_sleep(&c->loop, start + QUIET_MS) < 0 ? AL_EINTR : 0;
	while (now - start < POLL_MAX_MS) {
		if ((rc = loop_sleep(&c->loop, now + TICK_MS)) < 0)
			return rc;
		now = port_mono_ms(c->port);
		now_n = answered(c);
		if (now_n < expect)
			continue;
		if (now_n != seen || quiet_since < 0) {
			seen = now_n;
			quiet_since = now;
		} else if (now - quiet_since >= QUIET_MS) {
			break;
		}
	}
	return 0;
}

/* The order's Retry-After in ms (RFC 8555 §8.2), at most a minute; 0 when
 * it has none. */
static int64_t asked_ms(struct ctx *c, const struct acme_order *o)
{
	int64_t asked;

	if (sched_parse_retry_after(o->retry_after, port_wall_time(c->port),
	                            &asked) != 0 || asked <= 0)
		return 0;
	return (asked > 60 ? 60 : asked) * 1000;
}

/* Poll the order until its status leaves `from`, serving every service of
 * the loop meanwhile. The first poll waits until the validator fetched
 * the `expect` answers that can tell and went quiet (or POLL_MAX_MS
 * passed), so it usually finds the order decided; a processing order
 * (finalize answered) waits QUIET_MS, or its Retry-After when the CA gave
 * one: nothing else says when the certificate is there, and a poll before
 * it is a request for nothing. */
static int wait_order(struct ctx *c, struct acme_order *o, const char *from,
                      int expect)
{
	int64_t start = port_mono_ms(c->port), delay = POLL_FIRST_MS, asked;
	int rc;

	if ((rc = wait_fetched(c, start, expect)) != 0)
		return rc;
	if (!strcmp(from, "processing") && (asked = asked_ms(c, o)) > 0 &&
	    (rc = loop_sleep(&c->loop, start + asked)) < 0)
		return rc;
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
		/* The server's wish wins, up to a minute. */
		if ((asked = asked_ms(c, o)) > 0)
			delay = asked;
		if ((rc = loop_sleep(&c->loop, port_mono_ms(c->port) + delay)) < 0)
			return rc;
		delay = delay * 2 > POLL_MAX_MS ? POLL_MAX_MS : delay * 2;
	}
}

/* The served chain must be whole, for our key and names, in date, and
 * signed link by link (chain_check.c); otherwise it never goes live. */
static int check_chain(struct ctx *c, const struct key *k, const char *pem,
                       size_t len, size_t *cert_end)
{
	const struct chain_want w = {
		.key = k, .names = c->cfg->names, .nnames = c->cfg->nnames,
		.now = port_wall_time(c->port), .cert_name = c->cfg->cert_name,
		.log = &c->log,
	};

	return chain_check(pem, len, &w, &c->work->facts, cert_end);
}

/* The generation's file "profile": the profile it was ordered with (M3),
 * for status. Written only when there is one, so an issuance without a
 * profile writes what it always wrote (E2). */
static int write_profile(struct ctx *c, int gen)
{
	const char *p = c->cfg->profile;

	return p ? store_write_gen(&c->store, c->cfg->cert_name, gen, "profile",
	                           p, strlen(p), 0) : 0;
}

/* Write the new generation completely, then make it live (invariant 1). */
static int install(struct ctx *c, int gen, const char *pem, size_t len,
                   size_t cert_end)
{
	const char *name = c->cfg->cert_name;
	int rc;

	if ((rc = write_profile(c, gen)) != 0 ||
	    (rc = store_write_gen(&c->store, name, gen, "cert.pem", pem,
	                          cert_end, 0)) != 0 ||
	    (rc = store_write_gen(&c->store, name, gen, "chain.pem",
	                          pem + cert_end, len - cert_end, 0)) != 0 ||
	    (rc = store_write_gen(&c->store, name, gen, "fullchain.pem", pem,
	                          len, 0)) != 0)
		return rc;
	return store_switch_live(&c->store, name, gen);
}

/* Hex SHA-256 of the names, one per line: which names an order is for. */
static void names_id(const struct config *cfg, char out[65])
{
	br_sha256_context h;
	unsigned char d[32];
	int i;

	br_sha256_init(&h);
	for (i = 0; i < cfg->nnames; i++) {
		br_sha256_update(&h, cfg->names[i], strlen(cfg->names[i]));
		br_sha256_update(&h, "\n", 1);
	}
	br_sha256_out(&h, d);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int save_journal(struct ctx *c)
{
	return journal_save(&c->store, c->cfg->cert_name, &c->work->journal);
}

/* Load the key of the journal's pending generation into k; AL_ENOENT when
 * there is none of the configured type. */
static int load_pending_key(struct ctx *c, struct key *k)
{
	const struct journal *j = &c->work->journal;
	char *pem = c->work->chain;
	size_t len;
	int rc;

	if (j->gen <= 0)
		return AL_ENOENT;
	rc = store_read_gen(&c->store, c->cfg->cert_name, j->gen, "privkey.pem",
	                    pem, CHAIN_MAX, &len);
	if (rc == 0 && (rc = key_from_pem(k, pem, len)) == 0 &&
	    k->type != c->cfg->key_type)
		rc = AL_EINVAL; /* the key type was changed: a new key */
	explicit_bzero(pem, CHAIN_MAX);
	if (rc != 0 && rc != AL_EINVAL)
		log_warn(&c->log, "%s: the pending key gen-%d/privkey.pem is "
		         "missing or unreadable; making a new key",
		         c->cfg->cert_name, j->gen);
	return rc == 0 ? 0 : AL_ENOENT;
}

/* The pending key: the journal's, or a new one in a new generation,
 * recorded before it is used so a restart uses the same key. */
static int pending_key(struct ctx *c, struct key *k)
{
	struct journal *j = &c->work->journal;
	char *pem = c->work->chain;
	size_t len;
	int rc, gen;

	if (load_pending_key(c, k) == 0)
		return 0;
	if ((rc = key_generate(k, c->cfg->key_type, &c->rng)) != 0 ||
	    (rc = key_to_pem(k, pem, CHAIN_MAX, &len)) != 0)
		return rc;
	if ((rc = store_new_gen(&c->store, c->cfg->cert_name, &gen)) == 0)
		rc = store_write_gen(&c->store, c->cfg->cert_name, gen,
		                     "privkey.pem", pem, len, PORT_PRIVATE);
	memset(pem, 0, CHAIN_MAX);
	if (rc != 0)
		return rc;
	j->gen = gen;
	return save_journal(c);
}

/* 1 when the CA's error answer says "not now" rather than "no such
 * order": the journal's order (and the challenges answered for it) must
 * then be kept for the next run, not thrown away (issue 12). */
static int transient(const struct ctx *c)
{
	static const char *const later[] = { "badNonce", "rateLimited",
	                                     "serverInternal" };
	const struct acme *a = c->acme;
	size_t i;

	if (a->resp.status >= 500 || a->resp.status == 429)
		return 1;
	for (i = 0; i < sizeof(later) / sizeof(later[0]); i++)
		if (strcmp(a->problem_type, later[i]) == 0)
			return 1;
	return 0;
}

/* Resume the journal's order when it is for these names and still usable,
 * else create a new one and record it. */
static int order_start(struct ctx *c, struct acme_order *o)
{
	struct journal *j = &c->work->journal;
	char id[65];
	int rc;

	names_id(c->cfg, id);
	if (j->order[0] && strcmp(j->names_id, id) == 0) {
		memset(o, 0, sizeof(*o));
		snprintf(o->url, sizeof(o->url), "%s", j->order);
		rc = acme_get_order(c->acme, o);
		if ((rc != 0 && rc != AL_EPROTO) || (rc != 0 && transient(c)))
			return rc; /* trouble for now: keep the journal as it is */
		if (rc == 0 && strcmp(o->status, "invalid") != 0) {
			log_info(&c->log, "%s: resuming order %s (%s)",
			         c->cfg->cert_name, o->url, o->status);
			return 0;
		}
		log_info(&c->log, "%s: order %s is no longer usable; making a new "
		         "one", c->cfg->cert_name, o->url);
	}
	if ((rc = acme_new_order(c->acme, c->cfg->names, c->cfg->nnames,
	                         c->work->replaces, c->cfg->profile, o)) != 0)
		return rc;
	snprintf(j->order, sizeof(j->order), "%s", o->url);
	memcpy(j->names_id, id, sizeof(j->names_id));
	return save_journal(c);
}

/* From a ready order to a valid one: CSR with the pending key, finalize,
 * wait while processing. */
static int finalize(struct ctx *c, struct acme_order *o, struct key *k)
{
	unsigned char csr[CSR_MAX];
	size_t len;
	int rc;

	if ((rc = pending_key(c, k)) != 0 ||
	    (rc = csr_build(k, c->cfg->names, c->cfg->nnames, csr, sizeof(csr),
	                    &len)) != 0 ||
	    (rc = acme_finalize(c->acme, o, csr, len)) != 0)
		return rc;
	if (strcmp(o->status, "processing") == 0)
		return wait_order(c, o, "processing", 0);
	return 0;
}

/* Download the chain of a valid order and make it live. */
static int download_and_install(struct ctx *c, struct acme_order *o,
                                struct key *k)
{
	struct journal *j = &c->work->journal;
	char *pem = c->work->chain;
	size_t len, cert_end;
	int rc;

	if (!o->certificate[0]) {
		log_err(&c->log, "%s: valid order without certificate URL", o->url);
		return AL_EPROTO;
	}
	if ((rc = chain_fetch(c, o->certificate, pem, CHAIN_MAX, &len)) != 0 ||
	    (rc = check_chain(c, k, pem, len, &cert_end)) != 0 ||
	    (rc = install(c, j->gen, pem, len, cert_end)) != 0)
		return rc;
	memset(j, 0, sizeof(*j)); /* done: nothing pending, no failure */
	/* The certificate is live: a journal that cannot be cleared (a full
	 * disk) names the live generation, which the next run takes for
	 * finished (invariant 3). A warning, not a failure. */
	journal_save_at(&c->store, c->cfg->cert_name, j, LOG_LVL_WARN);
	return 0;
}

/* Answer the authorizations of a pending order and wait for the CA's
 * verdict; every answer is cleaned up whatever happened. */
static int validate(struct ctx *c, struct acme_order *o, const char *thumb,
                    struct answer **ans)
{
	int rc, known = 0;

	if (!(*ans = calloc((size_t)(o->nauthz > 0 ? o->nauthz : 1),
	                    sizeof(**ans)))) {
		log_err(&c->log, "out of memory");
		return AL_EFAIL;
	}
	rc = answer_authzs(c, o, *ans, thumb, &known);
	if (rc == 0)
		rc = wait_order(c, o, "pending", known);
	cleanup_answers(c, *ans, o->nauthz, rc == 0 &&
	                strcmp(o->status, "invalid") != 0);
	return rc;
}

/* Drive the order through its states; *restart is set when it must be
 * replaced by a new order (it failed, or its key is lost). */
static int order_step(struct ctx *c, struct acme_order *o, const char *thumb,
                      struct answer **ans, int *restart)
{
	struct key *k = &c->work->cert_key;
	int rc;

	*restart = 0;
	if (strcmp(o->status, "pending") == 0 &&
	    (rc = validate(c, o, thumb, ans)) != 0)
		return rc;
	if (strcmp(o->status, "ready") == 0 && (rc = finalize(c, o, k)) != 0)
		return rc;
	if (strcmp(o->status, "processing") == 0 &&
	    (rc = wait_order(c, o, "processing", 0)) != 0)
		return rc;
	if (strcmp(o->status, "valid") == 0) {
		if (load_pending_key(c, k) == 0)
			return download_and_install(c, o, k);
		log_warn(&c->log, "%s: the key of order %s is lost; making a new "
		         "order", c->cfg->cert_name, o->url);
		*restart = 1;
		return AL_ENOENT;
	}
	if (strcmp(o->status, "invalid") == 0)
		report_invalid(c, o, *ans);
	else
		log_err(&c->log, "%s: order is %s; try again later", o->url,
		        o->status);
	*restart = 1;
	return AL_EPROTO;
}

int order_run(struct ctx *c, const struct key *acct)
{
	struct journal *j = &c->work->journal;
	struct acme_order *o = &c->work->order;
	char thumb[44];
	int rc, restart, tries;

	if ((rc = key_thumbprint(acct, thumb)) != 0)
		return rc;
	for (tries = 0; tries < 2; tries++) {
		struct answer *ans = NULL;

		if ((rc = order_start(c, o)) != 0)
			return rc;
		rc = order_step(c, o, thumb, &ans, &restart);
		free(ans);
		if (!restart)
			return rc;
		j->order[0] = '\0'; /* never resume a failed order */
		if (rc != AL_ENOENT) {
			save_journal(c);
			return rc;
		}
	}
	return rc;
}
