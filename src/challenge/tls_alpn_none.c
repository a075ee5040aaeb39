/* tls-alpn-01 is not in this build (Kconfig CHALLENGE_TLSALPN off). */
#include "agent.h"
#include "err.h"
#include "log.h"

int tls_alpn_open(struct ctx *c, const struct challenge_class ***out)
{
	*out = NULL;
	log_err(&c->log, "tls-alpn-01: this build lacks it (Kconfig "
	        "CHALLENGE_TLSALPN); use http-01 or a build with it");
	return AL_EINVAL;
}
