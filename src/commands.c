/* One function per command; the agent does the work. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "agent.h"
#include "commands.h"
#include "conffile.h"
#include "json.h"
#include "names.h"
#include "port.h"

/* Point the context at one certificate's settings. */
static int use_cert(struct ctx *c, const struct config *cfg)
{
	c->cfg = cfg;
	return store_init(&c->store, c->port, &c->log, cfg->state_dir);
}

int command_select(const struct cli *cl, const struct conf *cf, int *sel,
                   const struct logger *log)
{
	int i, k, n = 0;

	if (cl->nargs == 0) {
		for (i = 0; i < cf->ncerts; i++)
			sel[n++] = i;
		return n;
	}
	for (k = 0; k < cl->nargs; k++) {
		if ((i = conf_find(cf, cl->args[k])) < 0) {
			log_err(log, "%s: no [cert %s] in the configuration", cl->args[k],
			        cl->args[k]);
			return -1;
		}
		sel[n++] = i;
	}
	return n;
}

/* The [cert NAME] section issue uses: NAME is --name or the first name. */
static int issue_section(const struct cli *cl, const struct conf *cf)
{
	struct config scratch;

	cli_defaults(&scratch);
	cli_apply(cl, &scratch); /* checked by cli_parse already */
	return conf_find(cf, scratch.cert_name ? scratch.cert_name :
	                 cl->args[0]);
}

int command_issue_check(const struct cli *cl, const struct conf *cf,
                        const char *path, const struct logger *log)
{
	const struct config *sec;
	char err[256];
	int i = issue_section(cl, cf);

	if (i < 0)
		return 0;
	sec = &cf->certs[i];
	if (!names_same_set(sec->names, sec->nnames,
	                    (const char *const *)cl->args, cl->nargs)) {
		log_err(log, "%s: [cert %s] lists other names (%s%s); issue what "
		        "it lists with 'acmelet renew %s', or change names = there",
		        path, sec->cert_name, sec->names[0],
		        sec->nnames > 1 ? " ..." : "", sec->cert_name);
		return EXIT_USAGE;
	}
	if (cli_conflict(cl, sec, err, sizeof(err)) != 0) {
		log_err(log, "%s: %s; change one of them", path, err);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_issue(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	int sec = issue_section(cl, cf);
	struct config *cfg = sec >= 0 ? &cf->certs[sec] : &cf->global;
	int i, rc;

	/* the section's settings (key type, hook, profile) apply too */
	cfg->nnames = cl->nargs;
	for (i = 0; i < cl->nargs; i++)
		cfg->names[i] = cl->args[i];
	if (!cfg->cert_name)
		cfg->cert_name = cfg->names[0];
	if (use_cert(c, cfg) != 0)
		return EXIT_USAGE;
	rc = agent_run(c, 0);
	return rc < 0 ? EXIT_FAILED : EXIT_DONE;
}

/* renew: every selected certificate; a failure of one does not stop the
 * others (S15). */
static int cmd_renew(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	int sel[CONF_MAX_CERTS], n, i, rc, failed = 0, issued = 0;

	if ((n = command_select(cl, cf, sel, &c->log)) < 0)
		return EXIT_USAGE;
	if (cf->ncerts == 0) {
		log_err(&c->log, "no [cert NAME] sections configured; see "
		        "acmelet --help and the README");
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		if (use_cert(c, &cf->certs[sel[i]]) != 0)
			return EXIT_USAGE;
		rc = agent_run(c, AGENT_BACKOFF | AGENT_ARI);
		failed += rc < 0 || rc == AGENT_WAITING; /* still failing */
		issued += rc == AGENT_ISSUED;
	}
	if (failed)
		return EXIT_FAILED;
	return issued ? EXIT_DONE : EXIT_NOTHING_DUE;
}

static int cmd_retry(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	int sel[CONF_MAX_CERTS], n, i, failed = 0;

	if ((n = command_select(cl, cf, sel, &c->log)) < 0)
		return EXIT_USAGE;
	for (i = 0; i < n; i++) {
		if (use_cert(c, &cf->certs[sel[i]]) != 0)
			return EXIT_USAGE;
		failed += agent_retry(c) != 0;
	}
	return failed ? EXIT_FAILED : EXIT_DONE;
}

/* S14: a cron line at a random minute and hour, never on the hour. */
static int cmd_cron_line(struct ctx *c)
{
	unsigned char r[2];

	if (port_entropy(c->port, r, sizeof(r)) != 0) {
		log_err(&c->log, "the entropy pool is not seeded yet; try again");
		return EXIT_FAILED;
	}
	printf("%u %u * * * acmelet renew\n", 1 + r[0] % 59, r[1] % 24);
	return EXIT_DONE;
}

/* account and revoke: the global settings, or for revoke NAME the
 * settings of its [cert NAME] section (its CA). */
static int cmd_account(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	int i = strcmp(cl->command, "revoke") ? -1 : conf_find(cf, cl->args[0]);

	if (use_cert(c, i >= 0 ? &cf->certs[i] : &cf->global) != 0)
		return EXIT_USAGE;
	if (!strcmp(cl->command, "revoke"))
		return revoke_command(c, cl);
	return account_command(c, cl);
}

/* persist-record: the settings of the [cert] section named by the first
 * name or listing it (its CA, DNS server and key), else the global ones. */
static int cmd_persist(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	int i = conf_find(cf, cl->args[0]), k, n;

	for (k = 0; i < 0 && k < cf->ncerts; k++)
		for (n = 0; n < cf->certs[k].nnames; n++)
			if (!strcmp(cf->certs[k].names[n], cl->args[0]))
				i = k;

	if (use_cert(c, i >= 0 ? &cf->certs[i] : &cf->global) != 0)
		return EXIT_USAGE;
	return persist_command(c, cl);
}

int command_run(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	if (!strcmp(cl->command, "persist-record"))
		return cmd_persist(c, cl, cf);
	if (!strcmp(cl->command, "account") || !strcmp(cl->command, "revoke"))
		return cmd_account(c, cl, cf);
	if (!strcmp(cl->command, "issue"))
		return cmd_issue(c, cl, cf);
	if (!strcmp(cl->command, "renew"))
		return cmd_renew(c, cl, cf);
	if (!strcmp(cl->command, "retry"))
		return cmd_retry(c, cl, cf);
	if (!strcmp(cl->command, "status"))
		return status_print(c, cl, cf);
	if (!strcmp(cl->command, "run"))
		return daemon_run(c, cl, cf);
	return cmd_cron_line(c);
}
