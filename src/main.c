/* acmelet: command line entry. Builds the one context struct, runs the
 * command, maps the result to the documented exit status. */
#include <stdio.h>
#include <stdlib.h>

#include "acme.h"
#include "agent.h"
#include "http.h"
#include "port_posix.h"
#include "responder.h"

enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

int main(int argc, char **argv)
{
	struct config cfg;
	struct port_posix pp;
	struct ctx c = { 0 };
	unsigned reqs = 0, conns = 0;
	int rc;

	rc = cli_parse(&cfg, argc, argv);
	if (rc == 1)
		return EXIT_DONE;
	if (rc != 0)
		return EXIT_USAGE;
	c.cfg = &cfg;
	log_init(&c.log, cfg.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO, cfg.log_dest);
	port_posix_init(&pp);
	c.port = &pp.base;
	c.acme = malloc(sizeof(*c.acme));
	c.resp = malloc(sizeof(*c.resp));
	if (!c.acme || !c.resp) {
		log_err(&c.log, "out of memory");
		rc = -1;
		goto out;
	}
	if ((rc = store_init(&c.store, c.port, &c.log, cfg.state_dir)) == 0)
		rc = agent_issue(&c);
	if (c.http) {
		http_stats(c.http, &reqs, &conns);
		log_debug(&c.log, "acme: %u requests, %u connections, %u badNonce "
		          "retries", reqs, conns, c.acme->bad_nonces);
	}
out:
	http_close(c.http);
	free(c.acme);
	free(c.resp);
	return rc == 0 ? EXIT_DONE : EXIT_FAILED;
}
