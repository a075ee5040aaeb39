/* CONFIG_STATUS off (tinyconfig): "acmelet status" is not in this build.
 * The certificates are files (STATE/certs/NAME/live/); failures are in
 * the log. */
#include "agent.h"
#include "commands.h"

/* Says that status is not built in; EXIT_USAGE, as for an unknown
 * command. */
int status_print(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	(void)cl;
	(void)cf;
	log_err(&c->log, "this acmelet was built without status "
	        "(CONFIG_STATUS); the certificates are in STATE/certs/NAME/live");
	return EXIT_USAGE;
}
