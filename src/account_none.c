/* A build without ACCOUNT_CMDS: no account or revoke command, so no key
 * rollover can start here. One left by a build that had them (key-next.pem)
 * is not guessed at: the account is used only once a build with
 * ACCOUNT_CMDS has asked the CA which key it holds. */
#include <stdlib.h>

#include "account.h"
#include "agent.h"
#include "commands.h"
#include "cli.h"
#include "err.h"

int account_recover(struct ctx *c, const char *ca_id)
{
	struct key *k = calloc(1, sizeof(*k));
	int rc = k ? store_load_account_file(&c->store, ca_id, "key-next.pem", k)
	           : AL_EFAIL;

	free(k);
	if (rc == AL_ENOENT)
		return 0;
	log_err(&c->log, "%s: a key rollover is pending (key-next.pem); built "
	        "without the account commands (CONFIG_ACCOUNT_CMDS) to settle "
	        "it", ca_id);
	return AL_EINVAL;
}

static int lacks(struct ctx *c, const struct cli *cl)
{
	log_err(&c->log, "acmelet %s: built without the account and revoke "
	        "commands (CONFIG_ACCOUNT_CMDS)", cl->command);
	return EXIT_USAGE;
}

int account_command(struct ctx *c, const struct cli *cl)
{
	return lacks(c, cl);
}

int revoke_command(struct ctx *c, const struct cli *cl)
{
	return lacks(c, cl);
}
