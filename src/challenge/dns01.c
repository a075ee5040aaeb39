/* dns-01 built in (C2): the TXT value goes to _acme-challenge.NAME (or
 * where its CNAME leads) by an RFC 2136 update signed with TSIG, and the
 * method returns only once every authoritative server answers it, so the
 * challenge is POSTed when the CA can see the record. Each value is
 * recorded in the journal before it is added and removed after the CA is
 * done, after a failure, or at the next start after a kill. Only our own
 * value is ever deleted: other TXT values at the name stay.
 * dns-account-01 is the same at an account's own name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "agent.h"
#include "challenge.h"
#include "crypto.h"
#include "dns/keyfile.h"
#include "dns/resolve.h"
#include "err.h"
#include "journal.h"
#include "log.h"

#define DNS01_MAX 32    /* values in flight (journal room) */

struct txt {
	char zone[256], owner[256];
	char value[CHALLENGE_DIGEST_LEN + 1];
	struct dns_server srv;
};

struct dns01 {
	const struct challenge_class *vtable;
	struct tsig_key key;
	struct dns_ctx d;
	int n;
	struct txt t[DNS01_MAX];
};

static int d_handles(const struct challenge_class **self, const char *type,
                     const char *id_type)
{
	(void)self;
	return (!strcmp(type, "dns-01") || !strcmp(type, "dns-account-01")) &&
	       !strcmp(id_type, "dns");
}

/* dns-account-01 (draft-ietf-acme-scoped-dns-challenges): the label
 * "_" base32(SHA-256(account URL)[0..10)) in lower case, 16 characters,
 * so that each account has its own name and several can validate one. */
static void account_label(const char *url, char out[18])
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char h[32];
	int i, bit;

	sha256(url, strlen(url), h);
	out[0] = '_';
	for (i = 0; i < 16; i++) {   /* 80 bits: 16 groups of 5 */
		int v = 0;

		for (bit = 0; bit < 5; bit++) {
			int k = i * 5 + bit;

			v = v << 1 | ((h[k / 8] >> (7 - k % 8)) & 1);
		}
		out[1 + i] = b32[v];
	}
	out[17] = 0;
}

/* Key and resolvers, before any CA contact. */
static int d_prepare(const struct challenge_class **self, struct ctx *c)
{
	struct dns01 *m = (struct dns01 *)self;

	if (!c->cfg->tsig_key) {
		log_err(&c->log, "%s: dns-01 needs --tsig-key FILE for its RFC "
		        "2136 updates (or answer it with --challenge-hook)",
		        c->cfg->cert_name);
		return AL_EINPUT;
	}
	if (tsig_key_load(c->port, &c->log, c->cfg->tsig_key, &m->key))
		return AL_EINPUT;
	return dns_ctx_init(&m->d, &c->loop, c->port, &c->log,
	                    c->cfg->dns_resolver);
}

/* The journal's lines without the one for t (or with it, add = 1). */
static int journal_txt(struct ctx *c, const struct txt *t, int add)
{
	struct journal *j = &c->work->journal;
	char line[600], *at;
	size_t have = strlen(j->dns_txt), n;

	n = (size_t)snprintf(line, sizeof(line), "%s %s %s\n", t->zone,
	                     t->owner, t->value);
	if (add) {
		if (have + n >= sizeof(j->dns_txt))
			return AL_E2BIG;
		memcpy(j->dns_txt + have, line, n + 1);
	} else if ((at = strstr(j->dns_txt, line)) != NULL) {
		memmove(at, at + n, strlen(at + n) + 1);
	}
	return journal_save(&c->store, c->cfg->cert_name, j);
}

/* Where the value goes: owner (after CNAMEs), zone, update server. */
static int locate(struct dns01 *m, struct ctx *c,
                  const struct challenge_auth *a, struct txt *t)
{
	char name[DNS_NAME_TEXT_MAX], target[DNS_NAME_TEXT_MAX];
	char zone[DNS_NAME_TEXT_MAX], label[18];
	int rc;

	if (!strcmp(a->type, "dns-account-01")) {
		account_label(c->acme->kid, label);
		snprintf(name, sizeof(name), "%s._acme-challenge.%s", label,
		         a->id_value);
	} else {
		snprintf(name, sizeof(name), "_acme-challenge.%s", a->id_value);
	}
	if ((rc = dns_locate(&m->d, c->cfg->dns_server, name, target, zone,
	                     &t->srv)) != 0)
		return rc;
	if (strlen(target) >= sizeof(t->owner) || strlen(zone) >= sizeof(t->zone)) {
		log_err(&c->log, "dns: %s: name too long", target);
		return AL_E2BIG;
	}
	strcpy(t->owner, target);
	strcpy(t->zone, zone);
	return 0;
}

static int d_present(const struct challenge_class **self, struct ctx *c,
                     const struct challenge_auth *a)
{
	struct dns01 *m = (struct dns01 *)self;
	struct dns_server auth[DNS_MAX_SERVERS];
	struct txt *t = &m->t[m->n];
	int rc, nauth;

	if (m->n >= DNS01_MAX) {
		log_err(&c->log, "%s: more than %d dns-01 values at once; split "
		        "the certificate", a->id_value, DNS01_MAX);
		return AL_E2BIG;
	}
	snprintf(t->value, sizeof(t->value), "%s", a->digest);
	if ((rc = locate(m, c, a, t)) != 0)
		return rc;
	if ((rc = journal_txt(c, t, 1)) != 0) {
		if (rc == AL_E2BIG)
			log_err(&c->log, "%s: no journal room for more dns-01 "
			        "values; split the certificate", a->id_value);
		return rc;
	}
	if ((rc = dns_update(&m->d, &t->srv, &m->key, t->zone, t->owner,
	                     t->value, 1)) != 0) {
		/* Refused: nothing was added. Otherwise the update may have
		 * been applied unseen: the journal keeps it for the next
		 * start, whose removal says its own line. */
		if (rc == AL_EPROTO)
			journal_txt(c, t, 0);
		return rc;
	}
	m->n++;
	log_info(&c->log, "dns: added TXT %s \"%s\" at %s", t->owner, t->value,
	         t->srv.text);
	if ((rc = dns_auth_servers(&m->d, t->zone, auth, &nauth)) != 0)
		return rc;
	return dns_wait_txt(&m->d, auth, nauth, t->owner, t->value,
	                    c->cfg->dns_wait_s);
}

/* Delete t's value and forget it (journal and list). */
static void remove_txt(struct dns01 *m, struct ctx *c, int i)
{
	struct txt *t = &m->t[i];

	if (dns_update(&m->d, &t->srv, &m->key, t->zone, t->owner, t->value,
	               0) == 0)
		log_info(&c->log, "dns: removed TXT %s \"%s\"", t->owner,
		         t->value);
	journal_txt(c, t, 0);
	memmove(t, t + 1, (size_t)(m->n - i - 1) * sizeof(*t));
	m->n--;
}

static void d_cleanup(const struct challenge_class **self, struct ctx *c,
                      const struct challenge_auth *a, int ok)
{
	struct dns01 *m = (struct dns01 *)self;
	int i;

	(void)ok;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->t[i].value, a->digest)) {
			remove_txt(m, c, i);
			return;
		}
}

static long d_answered(const struct challenge_class **self)
{
	(void)self;
	return -1;
}

static void d_close(const struct challenge_class **self, struct ctx *c)
{
	struct dns01 *m = (struct dns01 *)self;

	while (m->n > 0)
		remove_txt(m, c, m->n - 1);
	memset(&m->key, 0, sizeof(m->key));
	free(m);
}

static const struct challenge_class dns01_class = {
	"dns-01 RFC 2136", d_handles, d_prepare, d_present, d_cleanup,
	d_answered, d_close,
};

int dns01_open(struct ctx *c, const struct challenge_class ***out)
{
	return challenge_new(c, sizeof(struct dns01), &dns01_class, out) ?
	       0 : AL_EFAIL;
}

/* At start: delete the values a killed run left (journalled before they
 * were added), with this certificate's key and servers, then forget
 * them. A value that cannot be deleted now stays in the journal. */
void dns01_leftovers(struct ctx *c)
{
	struct journal *j = &c->work->journal;
	char mname[DNS_NAME_TEXT_MAX], zone[DNS_NAME_TEXT_MAX];
	struct dns01 *m;
	struct txt *t;
	char *line, *save = NULL, *copy, *w[3];

	if (!j->dns_txt[0] || !c->cfg->tsig_key)
		return;
	if (!(m = calloc(1, sizeof(*m))) || !(copy = strdup(j->dns_txt))) {
		free(m);
		return;
	}
	if (d_prepare((const struct challenge_class **)&m->vtable, c) == 0) {
		for (line = strtok_r(copy, "\n", &save); line && m->n < DNS01_MAX;
		     line = strtok_r(NULL, "\n", &save)) {
			t = &m->t[m->n];
			if (dns_words(line, w, 3) != 3 ||
			    strlen(w[0]) >= sizeof(t->zone) ||
			    strlen(w[1]) >= sizeof(t->owner) ||
			    strlen(w[2]) >= sizeof(t->value))
				continue;
			strcpy(t->zone, w[0]);
			strcpy(t->owner, w[1]);
			strcpy(t->value, w[2]);
			if (dns_find_zone(&m->d, t->owner, zone, mname) ||
			    dns_update_server(&m->d, c->cfg->dns_server, mname,
			                      &t->srv))
				continue;
			m->n++;
			log_info(&c->log, "dns: removing TXT %s \"%s\" of an "
			         "interrupted run", t->owner, t->value);
			remove_txt(m, c, m->n - 1);
		}
	}
	free(copy);
	memset(&m->key, 0, sizeof(m->key));
	free(m);
}
