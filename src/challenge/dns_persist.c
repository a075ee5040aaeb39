/* dns-persist-01 (draft-ietf-acme-dns-persist-01): the operator published
 * once, at _validation-persist.NAME, a TXT record naming the CA and our
 * account (acmelet persist-record prints it). Nothing is written per
 * order: before the order is made, every authoritative server of the
 * record's zone is asked for it (dns_persist_check), and a record that is
 * missing or wrong is one line saying which of the four things is wrong;
 * then the method only tells the CA to look. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "challenge.h"
#include "dns/persist.h"
#include "dns/resolve.h"
#include "err.h"
#include "log.h"
#include "port.h"
#include "schedule.h"

enum { UNCHECKED = 0, GOOD, BAD };

/* What one name's record must say. */
struct persist_ask {
	const char *name;             /* without "*." */
	int wildcard;
	const char *const *issuers;   /* the CA's (meta.caaIdentities) */
	int nissuers;
	const char *account;          /* our account URL */
	int64_t now;
};

struct persist {
	const struct challenge_class *vtable;
	struct dns_ctx d;
	unsigned char state[CFG_NAMES_MAX]; /* per c->cfg->names[i] */
};

static const struct challenge_class persist_class;

static int p_handles(const struct challenge_class **self, const char *type,
                     const char *id_type)
{
	(void)self;
	return !strcmp(type, "dns-persist-01") && !strcmp(id_type, "dns");
}

static int p_prepare(const struct challenge_class **self, struct ctx *c)
{
	struct persist *m = (struct persist *)self;

	return dns_ctx_init(&m->d, &c->loop, c->port, &c->log,
	                    c->cfg->dns_resolver);
}

/* The best verdict of the TXT records at owner in the last answer. */
static enum persist_verdict best_in_answer(struct dns_ctx *d,
                                           const char *owner,
                                           const struct persist_ask *q,
                                           struct persist_rec *best)
{
	enum persist_verdict v, got = PERSIST_NONE;
	char txt[DNS_TXT_MAX + 1];
	struct persist_rec r;
	struct dns_rr rr;
	size_t pos = 0;

	memset(best, 0, sizeof(*best));
	while (dns_rr_next(&d->m, &pos, &rr) == 1) {
		if (rr.section != DNS_S_AN || rr.type != DNS_T_TXT ||
		    !dns_name_eq(rr.name, owner) ||
		    dns_rr_txt(&d->m, &rr, txt, sizeof(txt), NULL) != 0)
			continue;
		v = persist_judge(txt, q->issuers, q->nissuers, q->account,
		                  q->wildcard, q->now, &r);
		if (v < got) {
			got = v;
			*best = r;
		}
	}
	return got;
}

/* One line for what is wrong with the record of q at server s. */
static void say_wrong(const struct logger *lg, int level,
                      const struct persist_ask *q, const char *owner,
                      const char *server, enum persist_verdict v,
                      const struct persist_rec *r)
{
	char when[32], fix[300];

	snprintf(fix, sizeof(fix), "publish what 'acmelet persist-record%s %s' "
	         "prints", q->wildcard ? " --wildcard" : "", q->name);
	if (v == PERSIST_NONE)
		log_msg(lg, level, "dns-persist-01: %s%s: no TXT record for %s at "
		        "%s (asked %s); %s", q->wildcard ? "*." : "", q->name,
		        q->issuers[0], owner, server, fix);
	else if (v == PERSIST_OTHER_ACCOUNT)
		log_msg(lg, level, "dns-persist-01: %s%s: the TXT record at %s (%s) "
		        "names another account, accounturi=%s, not %s; %s",
		        q->wildcard ? "*." : "", q->name, owner, server,
		        r->account[0] ? r->account : "(none)", q->account, fix);
	else if (v == PERSIST_NO_WILDCARD)
		log_msg(lg, level, "dns-persist-01: *.%s: the TXT record at %s (%s) "
		        "lacks policy=wildcard, which a wildcard needs; %s",
		        q->name, owner, server, fix);
	else
		log_msg(lg, level, "dns-persist-01: %s%s: the TXT record at %s (%s) "
		        "expired: persistUntil=%lld passed (%s); %s",
		        q->wildcard ? "*." : "", q->name, owner, server,
		        (long long)r->until, sched_format_utc(r->until,
		        SCHED_FMT_LOG, when, sizeof(when)), fix);
}

/* 0 when every authoritative server of the record's zone answers a
 * record right for q; else AL_EINPUT (the operator's to fix: not counted
 * in the backoff) after one line at level saying what is wrong, or
 * another code after one line (a server not answering). */
static int persist_visible(struct dns_ctx *d, const struct persist_ask *q,
                           int level)
{
	char owner[DNS_NAME_TEXT_MAX], target[DNS_NAME_TEXT_MAX];
	char zone[DNS_NAME_TEXT_MAX], mname[DNS_NAME_TEXT_MAX];
	struct dns_server auth[DNS_MAX_SERVERS];
	struct persist_rec r;
	enum persist_verdict v;
	const char *why;
	int i, n, rc;

	snprintf(owner, sizeof(owner), PERSIST_LABEL ".%s", q->name);
	if ((rc = dns_follow_cname(d, owner, target)) != 0 ||
	    (rc = dns_find_zone(d, target, zone, mname)) != 0 ||
	    (rc = dns_auth_servers(d, zone, auth, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = dns_ask_one(d, &auth[i], target, DNS_T_TXT, 0, &why))) {
			log_err(d->log, "dns-persist-01: %s: TXT %s at %s: %s; "
			        "check that the server runs", q->name, target,
			        auth[i].text, why);
			return rc;
		}
		if ((v = best_in_answer(d, target, q, &r)) != PERSIST_OK) {
			say_wrong(d->log, level, q, target, auth[i].text, v, &r);
			return AL_EINPUT;
		}
	}
	return 0;
}

/* Our method among the opened ones, or NULL. */
static struct persist *ours(struct ctx *c)
{
	const struct challenge_class **m =
		challenge_method(c, "dns-persist-01", "dns");

	return m && *m == &persist_class ? (struct persist *)m : NULL;
}

/* 1 when name is an IP literal (no dns-persist-01 for those). */
static int is_ip(const char *name)
{
	return strchr(name, ':') || !name[strspn(name, "0123456789.")];
}

/* Check name i of the configuration; its state is set. */
static int check_name(struct ctx *c, struct persist *m, int i, int level)
{
	const struct acme_directory *dir = &c->acme->dir;
	const char *issuers[ACME_CAA_MAX], *name = c->cfg->names[i];
	struct persist_ask q;
	int k, rc;

	for (k = 0; k < dir->ncaa; k++)
		issuers[k] = dir->caa[k];
	q = (struct persist_ask){ name + (name[0] == '*' ? 2 : 0),
		name[0] == '*', issuers, dir->ncaa, c->acme->kid,
		port_wall_time(c->port) };
	rc = persist_visible(&m->d, &q, level);
	m->state[i] = rc == 0 ? GOOD : BAD;
	return rc;
}

int dns_persist_check(struct ctx *c)
{
	struct persist *m = ours(c);
	int i, rc, level;

	if (!m)
		return 0;
	if (c->acme->dir.ncaa == 0) {
		log_err(&c->log, "%s: the CA's directory names no issuer domain "
		        "(meta.caaIdentities), which dns-persist-01 needs; use "
		        "another --challenge", c->cfg->server);
		return AL_EINPUT;
	}
	/* with another type to fall back on, a bad record only says so */
	level = c->nmethods > 1 ? LOG_LVL_INFO : LOG_LVL_ERR;
	for (i = 0; i < c->cfg->nnames; i++) {
		if (is_ip(c->cfg->names[i]))
			continue;
		rc = check_name(c, m, i, level);
		if (rc != 0 && (rc != AL_EINPUT || level == LOG_LVL_ERR))
			return rc;
	}
	return 0;
}

/* Nothing to write: the record is there (checked before the order) or the
 * next type answers. */
static int p_present(const struct challenge_class **self, struct ctx *c,
                     const struct challenge_auth *a)
{
	struct persist *m = (struct persist *)self;
	int i, rc;

	for (i = 0; i < c->cfg->nnames; i++) {
		const char *n = c->cfg->names[i];

		if (!!a->wildcard != (n[0] == '*') ||
		    strcmp(n + (a->wildcard ? 2 : 0), a->id_value))
			continue;
		if (m->state[i] == UNCHECKED &&
		    (rc = check_name(c, m, i, c->nmethods > 1 ? LOG_LVL_INFO :
		                     LOG_LVL_ERR)) != 0 && c->nmethods == 1)
			return rc;
		if (m->state[i] == BAD)
			return AL_EDECLINED;
		log_info(&c->log, "dns-persist-01: %s%s: the record at "
		         PERSIST_LABEL ".%s is visible; asking the CA to look",
		         a->wildcard ? "*." : "", a->id_value, a->id_value);
		return 0;
	}
	log_info(&c->log, "dns-persist-01: %s is not among the names; "
	         "declined", a->id_value);
	return AL_EDECLINED;
}

static void p_cleanup(const struct challenge_class **self, struct ctx *c,
                      const struct challenge_auth *a, int ok)
{
	(void)self, (void)c, (void)a, (void)ok; /* the record stays */
}

static long p_answered(const struct challenge_class **self)
{
	(void)self;
	return -1;
}

static void p_close(const struct challenge_class **self, struct ctx *c)
{
	(void)c;
	free((struct persist *)self);
}

static const struct challenge_class persist_class = {
	"dns-persist-01 record", p_handles, p_prepare, p_present, p_cleanup,
	p_answered, p_close,
};

int dns_persist_open(struct ctx *c, const struct challenge_class ***out)
{
	return challenge_new(c, sizeof(struct persist), &persist_class, out) ?
	       0 : AL_EFAIL;
}
