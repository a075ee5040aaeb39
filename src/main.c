/* acmelet: command line entry. Reads the configuration, builds the one
 * context struct, runs the command, maps the result to the documented exit
 * status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "agent.h"
#include "commands.h"
#include "conffile.h"
#include "err.h"
#include "http/http.h"
#include "port_posix.h"
#include "challenge/responder.h"

/* Settings: defaults, the file, then the command line over each. */
static int load_settings(struct conf *cf, const struct cli *cl,
                         struct port *p, struct logger *log)
{
	const char *path = cl->conf_path ? cl->conf_path : CFG_DEFAULT_FILE;
	struct config base;
	int rc, i;

	cli_defaults(&base);
	rc = conf_load(cf, p, path, &base, log);
	if (rc == AL_ENOENT && cl->conf_path) {
		log_err(log, "%s: no such configuration file", path);
		return EXIT_USAGE;
	}
	if (rc != 0 && rc != AL_ENOENT)
		return EXIT_USAGE;
	if (cli_apply(cl, &cf->global) != 0)
		return EXIT_USAGE;
	if (!strcmp(cl->command, "issue") &&
	    command_issue_check(cl, cf, path, log) != 0)
		return EXIT_USAGE;
	for (i = 0; i < cf->ncerts; i++)
		if (cli_apply(cl, &cf->certs[i]) != 0)
			return EXIT_USAGE;
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cl;
	struct config early;
	struct port_posix pp;
	struct ctx c = { 0 };
	struct conf *cf = NULL;
	int rc;

	if ((rc = cli_parse(&cl, argc, argv)) != 0)
		return rc == 1 ? EXIT_DONE : EXIT_USAGE;
	cli_defaults(&early);
	cli_apply(&cl, &early);
	/* Until the configuration is read, errors (the configuration's own)
	 * go to stderr unless --log syslog asked otherwise: cron mails them,
	 * and "auto" without a terminal must not mean "nowhere". */
	log_init(&c.log, early.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	         early.log_dest == LOG_TO_SYSLOG ? LOG_TO_SYSLOG :
	         LOG_TO_STDERR);
	port_posix_init(&pp);
	c.port = &pp.base;
	loop_init(&c.loop, c.port);
	cf = malloc(sizeof(*cf));
	c.acme = calloc(1, sizeof(*c.acme));
	c.resp = malloc(sizeof(*c.resp));
	if (!cf || !c.acme || !c.resp) {
		log_err(&c.log, "out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	responder_init(c.resp, &c.log);
	if ((rc = load_settings(cf, &cl, c.port, &c.log)) != 0)
		goto out;
	log_init(&c.log, cf->global.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	         cf->global.log_dest);
	c.log.last_err = c.last_error;
	c.log.last_err_cap = sizeof(c.last_error);
	rc = command_run(&c, &cl, cf);
out:
	http_close(c.http);
	free(c.acme);
	free(c.resp);
	free(cf);
	return rc;
}
