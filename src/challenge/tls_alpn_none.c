/* tls-alpn-01 is not in this build (Kconfig CHALLENGE_TLSALPN off). */
#include "agent.h"
#include "err.h"
#include "log.h"

int tls_alpn_open(struct ctx *c, const struct challenge_class ***out)
{
	*out = NULL;
	log_err(&c->log, "tls-alpn-01: built without it "
	        "(CONFIG_CHALLENGE_TLSALPN); use --challenge http-01");
	return AL_EINVAL;
}
