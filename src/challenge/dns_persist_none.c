/* dns-persist-01 in a build without CHALLENGE_DNS_PERSIST: the hook can
 * still answer it; persist-record says the build lacks it. */
#include "agent.h"
#include "challenge.h"
#include "commands.h"
#include "err.h"
#include "log.h"

int dns_persist_open(struct ctx *c, const struct challenge_class ***out)
{
	*out = NULL;
	log_err(&c->log, "this build lacks dns-persist-01 built in (Kconfig "
	        "CHALLENGE_DNS_PERSIST); answer it with --challenge-hook");
	return AL_EINVAL;
}

int dns_persist_check(struct ctx *c)
{
	(void)c; /* dns_persist_open failed already if it was asked for */
	return 0;
}

int persist_command(struct ctx *c, const struct cli *cl)
{
	(void)cl;
	log_err(&c->log, "acmelet persist-record: this build lacks "
	        "dns-persist-01 (Kconfig CHALLENGE_DNS_PERSIST)");
	return EXIT_USAGE;
}
