/* CONFIG_DAEMON off (tinyconfig): "acmelet run" is not in this build. The
 * same work is done by "acmelet renew" from cron (acmelet cron-line). */
#include "agent.h"
#include "commands.h"

/* Says that run is not built in; EXIT_USAGE, as for an unknown command. */
int daemon_run(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	(void)cl;
	(void)cf;
	log_err(&c->log, "this acmelet was built without the daemon "
	        "(CONFIG_DAEMON); use renew from cron");
	return EXIT_USAGE;
}
