/* dns-01 in a build without CHALLENGE_DNS: the hook can still answer it. */
#include "agent.h"
#include "challenge.h"
#include "err.h"
#include "log.h"

int dns01_open(struct ctx *c, const struct challenge_class ***out)
{
	*out = NULL;
	log_err(&c->log, "this build lacks dns-01 built in (Kconfig "
	        "CHALLENGE_DNS); answer it with --challenge-hook");
	return AL_EINVAL;
}

void dns01_leftovers(struct ctx *c)
{
	(void)c;
}
