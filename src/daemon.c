/* acmelet run: the long-running agent for procd, systemd or BusyBox init.
 * One thread: it sleeps in sigtimedwait() until the next certificate is
 * due (or a signal comes), renews in small batches with random spread
 * (S13), and re-checks at least hourly so a clock that jumps is noticed.
 * SIGTERM during an issuance ends the process at once: the journal makes
 * that safe, and the next start resumes. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "commands.h"
#include "conffile.h"
#include "err.h"
#include "port.h"

#define BATCH_MAX 5            /* issuance attempts per wake-up */
#define MAX_SLEEP_S 3600       /* look at the clock at least hourly */
#define CLOCK_POLL_S 60        /* while waiting for NTP */
#define ARI_RECHECK_S 43200    /* ask renewalInfo about twice a day (M1) */
#define INPUT_RECHECK_S 86400  /* a setting to fix: daily, or at SIGHUP */

struct daemon {
	struct ctx *c;
	const struct cli *cl;
	struct conf *cf, *spare;   /* current settings, and room for a reload */
	int64_t next[CONF_MAX_CERTS]; /* when to look at each certificate */
	int clock_warned;
};

static uint32_t rnd32(struct ctx *c)
{
	uint32_t r = 0;

	port_entropy(c->port, &r, sizeof(r));
	return r;
}

struct look {
	struct cert_status st;
	int64_t now, at;
	int n;
};

/* When set c->cfg needs a look (the earliest of the sets goes into
 * l->at): its next action, at least twice a day with ARI, at most daily
 * after a setting to fix (the user's next edit comes with a SIGHUP, which
 * looks at once). */
static void set_next(struct ctx *c, void *arg)
{
	struct look *l = arg;
	struct cert_status *st = &l->st;
	int64_t at, now = l->now;

	agent_status(c, st);
	at = st->next_at > now ? st->next_at : now;
	if (st->has_cert && st->ari && st->failures == 0 &&
	    at > now + ARI_RECHECK_S)
		at = now + ARI_RECHECK_S;
	if (st->input_error && at < now + INPUT_RECHECK_S)
		at = now + INPUT_RECHECK_S;
	if (l->n++ == 0 || at < l->at)
		l->at = at;
}

/* When to look at the certificate again: the earliest of its sets (one
 * per key type), plus jitter of up to a twentieth of the wait, between
 * 1 minute and 1 hour (S13, S14). */
static int64_t next_look(struct daemon *d, int64_t now)
{
	struct look *l = calloc(1, sizeof(*l));
	int64_t at, span;

	if (!l)
		return now + CLOCK_POLL_S;
	l->now = now;
	agent_each_set(d->c, set_next, l);
	at = l->at;
	free(l);
	span = (at - now) / 20;
	span = span < 60 ? 60 : span > 3600 ? 3600 : span;
	return at + (int64_t)(rnd32(d->c) % (uint32_t)span);
}

/* One pass: attempt what is due, at most BATCH_MAX issuances. Returns
 * when to wake up next. */
static int64_t daemon_pass(struct daemon *d)
{
	int64_t now = port_wall_time(d->c->port), wake = now + MAX_SLEEP_S;
	sigset_t term;
	int i, batch = 0, rc;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	for (i = 0; i < d->cf->ncerts; i++) {
		struct config *cfg = &d->cf->certs[i];

		d->c->cfg = cfg;
		if (store_init(&d->c->store, d->c->port, &d->c->log,
		               cfg->state_dir) != 0)
			continue;
		if (d->next[i] <= now && batch < BATCH_MAX) {
			sigprocmask(SIG_UNBLOCK, &term, NULL); /* die mid-flow: safe */
			rc = agent_run(d->c, AGENT_BACKOFF | AGENT_ARI);
			sigprocmask(SIG_BLOCK, &term, NULL);
			batch += rc != AGENT_NOTHING && rc != AGENT_WAITING;
			d->next[i] = next_look(d, port_wall_time(d->c->port));
		} else if (d->next[i] <= now) { /* spread the rest (S13) */
			d->next[i] = now + 60 + rnd32(d->c) % 240;
		}
		if (d->next[i] < wake)
			wake = d->next[i];
	}
	return wake;
}

/* SIGHUP: read the configuration again; keep the old one on error. */
static void daemon_reload(struct daemon *d)
{
	const char *path = d->cl->conf_path ? d->cl->conf_path : CFG_DEFAULT_FILE;
	struct config base;
	struct conf *tmp;
	int i;

	cli_defaults(&base);
	if (conf_load(d->spare, d->c->port, path, &base, &d->c->log) != 0 ||
	    cli_apply(d->cl, &d->spare->global) != 0) {
		log_err(&d->c->log, "%s: reload failed; keeping the running "
		        "configuration", path);
		return;
	}
	for (i = 0; i < d->spare->ncerts; i++)
		cli_apply(d->cl, &d->spare->certs[i]);
	tmp = d->cf;
	d->cf = d->spare;
	d->spare = tmp;
	memset(d->next, 0, sizeof(d->next));
	log_info(&d->c->log, "configuration reloaded: %d certificates",
	         d->cf->ncerts);
}

/* SIGUSR1: end every backoff and look at everything now. */
static void daemon_retry(struct daemon *d)
{
	int i;

	for (i = 0; i < d->cf->ncerts; i++) {
		d->c->cfg = &d->cf->certs[i];
		if (store_init(&d->c->store, d->c->port, &d->c->log,
		               d->c->cfg->state_dir) == 0)
			agent_retry(d->c);
	}
	memset(d->next, 0, sizeof(d->next));
}

/* Sleep until wake (wall time) or a signal; returns the signal or 0. */
static int daemon_sleep(struct daemon *d, const sigset_t *set, int64_t wake)
{
	int64_t secs = wake - port_wall_time(d->c->port);
	struct timespec ts;
	int sig;

	if (secs <= 0)
		return 0;
	ts.tv_sec = (time_t)(secs > MAX_SLEEP_S ? MAX_SLEEP_S : secs);
	ts.tv_nsec = 0;
	sig = sigtimedwait(set, NULL, &ts);
	return sig < 0 ? 0 : sig;
}

/* Handle a signal; 1 when the daemon should stop. */
static int daemon_signal(struct daemon *d, int sig)
{
	if (sig == SIGHUP)
		daemon_reload(d);
	else if (sig == SIGUSR1)
		daemon_retry(d);
	else if (sig == SIGTERM || sig == SIGINT) {
		log_info(&d->c->log, "stopping");
		return 1;
	}
	return 0;
}

int daemon_run(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	struct daemon d = { c, cl, cf, malloc(sizeof(*cf)), { 0 }, 0 };
	sigset_t set;
	int64_t wake;
	int sig = 0;

	if (!d.spare)
		return EXIT_FAILED;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	log_info(&c->log, "running: %d certificates", cf->ncerts);
	for (;;) {
		if (!port_wall_trusted(c->port)) {
			if (!d.clock_warned++)
				log_warn(&c->log, "the system clock is not set yet (NTP?); "
				         "waiting for it before any date decision");
			wake = port_wall_time(c->port) + CLOCK_POLL_S;
		} else {
			d.clock_warned = 0;
			wake = daemon_pass(&d);
		}
		/* Said with -v: tests and administrators see a pass end. */
		log_debug(&c->log, "pass done; sleeping %lld s",
		          (long long)(wake - port_wall_time(c->port)));
		sig = daemon_sleep(&d, &set, wake);
		if (sig && daemon_signal(&d, sig))
			break;
	}
	free(d.cf == cf ? d.spare : d.cf);
	return EXIT_DONE;
}
