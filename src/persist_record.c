/* acmelet persist-record NAME... [--wildcard] [--until DATE] [--publish]:
 * the dns-persist-01 record an operator publishes once per name, for this
 * CA (its first meta.caaIdentities name) and this account (made when
 * there is none yet), printed in zone-file syntax on stdout. With
 * --publish the records are also added once by RFC 2136 (the dns-01 update
 * code, --tsig-key and --dns-server) and the command returns when every
 * authoritative server answers them. Records are never removed here: they
 * are meant to stay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "commands.h"
#include "dns/keyfile.h"
#include "dns/persist.h"
#include "dns/resolve.h"
#include "err.h"
#include "port.h"
#include "schedule.h"

#define RECORD_MAX 1024

/* The bounded objects of one command. */
struct persist_work {
	struct key key;
	struct tsig_key tsig;
	struct dns_ctx d;
	int n;
	const char *base[CFG_NAMES_MAX];  /* names without "*." */
	int wild[CFG_NAMES_MAX];
};

/* The names, "*.x" and x merged into one record with policy=wildcard. */
static void collect(struct persist_work *w, const struct cli *cl)
{
	int i, k;

	for (i = 0; i < cl->nargs; i++) {
		const char *a = cl->args[i];
		int wild = cl->wildcard || !strncmp(a, "*.", 2);

		a += strncmp(a, "*.", 2) ? 0 : 2;
		for (k = 0; k < w->n && strcmp(w->base[k], a); k++)
			;
		if (k == w->n) {
			w->base[w->n] = a;
			w->wild[w->n++] = 0;
		}
		w->wild[k] |= wild;
	}
}

/* --until: Unix seconds, YYYY-MM-DD (00:00 UTC) or RFC 3339; 0 or -1. */
static int parse_until(const char *s, int64_t *t)
{
	if (s[0] && !s[strspn(s, "0123456789")]) {
		*t = strlen(s) <= 12 ? strtoll(s, NULL, 10) : 0;
		return *t > 0 ? 0 : -1;
	}
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-')
		return sched_civil_time(sched_digits(s, 4),
		                        sched_digits(s + 5, 2),
		                        sched_digits(s + 8, 2), 0, 0, 0, t) ?
		       -1 : 0;
	return sched_parse_rfc3339(s, t) ? -1 : 0;
}

/* Before any CA contact: what can be refused locally. *until gets
 * --until as Unix time (0: none). */
static int check_local(struct ctx *c, const struct cli *cl, int64_t *until)
{
	char when[32];

	*until = 0;
	if (cl->until && parse_until(cl->until, until) != 0) {
		log_err(&c->log, "--until %s: give YYYY-MM-DD, "
		        "YYYY-MM-DDTHH:MM:SSZ or Unix seconds", cl->until);
		return AL_EINVAL;
	}
	if (cl->until && !port_wall_trusted(c->port)) {
		log_err(&c->log, "the system clock is not set yet (NTP?); cannot "
		        "tell whether --until is in the future");
		return AL_ECLOCK;
	}
	if (cl->until && *until <= port_wall_time(c->port)) {
		log_err(&c->log, "--until %s is in the past: such a record "
		        "counts for nothing; give a later date",
		        sched_format_utc(*until, SCHED_FMT_LOG, when,
		                         sizeof(when)));
		return AL_EINVAL;
	}
	if (cl->publish && !c->cfg->tsig_key) {
		log_err(&c->log, "persist-record --publish needs --tsig-key FILE "
		        "(and --dns-server, else the zone's primary)");
		return AL_EINVAL;
	}
	return 0;
}

/* The record line in zone-file syntax: TXT strings of at most 255
 * bytes, with '"' and '\' escaped. */
static void print_record(const char *name, const char *value)
{
	size_t i, len = strlen(value);

	printf(PERSIST_LABEL ".%s. IN TXT \"", name);
	for (i = 0; i < len; i++) {
		if (i && i % 255 == 0)
			fputs("\" \"", stdout);
		if (value[i] == '"' || value[i] == '\\')
			putchar('\\');
		putchar(value[i]);
	}
	fputs("\"\n", stdout);
}

/* Add value at _validation-persist.name once, then wait until every
 * authoritative server of its zone answers it. */
static int publish(struct ctx *c, struct persist_work *w, const char *name,
                   const char *value)
{
	char owner[DNS_NAME_TEXT_MAX], target[DNS_NAME_TEXT_MAX];
	char zone[DNS_NAME_TEXT_MAX];
	struct dns_server srv, auth[DNS_MAX_SERVERS];
	int rc, nauth;

	snprintf(owner, sizeof(owner), PERSIST_LABEL ".%s", name);
	if ((rc = dns_locate(&w->d, c->cfg->dns_server, owner, target, zone,
	                     &srv)) != 0 ||
	    (rc = dns_update(&w->d, &srv, &w->tsig, zone, target, value,
	                     1)) != 0)
		return rc;
	log_info(&c->log, "dns: added TXT %s \"%s\" at %s", target, value,
	         srv.text);
	if ((rc = dns_auth_servers(&w->d, zone, auth, &nauth)) != 0)
		return rc;
	return dns_wait_txt(&w->d, auth, nauth, target, value,
	                    c->cfg->dns_wait_s);
}

/* Print (and publish) each record. */
static int records(struct ctx *c, const struct cli *cl,
                   struct persist_work *w, int64_t until)
{
	char value[RECORD_MAX];
	int i, n, rc;

	if (cl->publish &&
	    ((rc = tsig_key_load(c->port, &c->log, c->cfg->tsig_key,
	                         &w->tsig)) != 0 ||
	     (rc = dns_ctx_init(&w->d, &c->loop, c->port, &c->log,
	                        c->cfg->dns_resolver)) != 0))
		return rc;
	for (i = 0; i < w->n; i++) {
		n = persist_format(value, sizeof(value), c->acme->dir.caa[0],
		                   c->acme->kid, w->wild[i], until);
		if (n < 0) {
			log_err(&c->log, "%s: the CA's issuer name or account URL "
			        "cannot go in a record (%s)", w->base[i],
			        c->acme->kid);
			return n;
		}
		print_record(w->base[i], value);
		fflush(stdout);
		if (cl->publish && (rc = publish(c, w, w->base[i], value)) != 0)
			return rc;
	}
	return 0;
}

static int run(struct ctx *c, const struct cli *cl, struct persist_work *w,
               int64_t until)
{
	int rc;

	if ((rc = rng_init(&c->rng, c->port)) != 0) {
		log_err(&c->log, "the system's entropy pool is not seeded yet; "
		        "try again in a minute");
		return rc;
	}
	if ((rc = agent_http_open(c)) != 0 ||
	    (rc = acme_get_directory(c->acme, c->cfg->server)) != 0)
		return rc;
	if (c->acme->dir.ncaa == 0) {
		log_err(&c->log, "%s: the CA's directory names no issuer domain "
		        "(meta.caaIdentities): it does not offer dns-persist-01",
		        c->cfg->server);
		return AL_EPROTO;
	}
	if ((rc = agent_account(c, &w->key)) != 0)
		return rc;
	collect(w, cl);
	return records(c, cl, w, until);
}

int persist_command(struct ctx *c, const struct cli *cl)
{
	struct persist_work *w;
	int64_t until;
	int rc = check_local(c, cl, &until);

	if (rc != 0)
		return rc == AL_ECLOCK ? EXIT_FAILED : EXIT_USAGE;
	if (!(w = calloc(1, sizeof(*w)))) {
		log_err(&c->log, "out of memory");
		return EXIT_FAILED;
	}
	rc = run(c, cl, w, until);
	explicit_bzero(w, sizeof(*w));
	free(w);
	return rc == 0 ? EXIT_DONE : EXIT_FAILED;
}
