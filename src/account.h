/* The account commands (account.c) and revoke (revoke.c), M6. */
#ifndef ACMELET_ACCOUNT_H
#define ACMELET_ACCOUNT_H

struct ctx;
struct cli;

/* Settle a key rollover a cut interrupted: when STATE/accounts/<ca_id>/
 * key-next.pem exists, ask the CA (its directory already fetched into
 * c->acme) which key it holds, keep that one as key.pem and remove
 * key-next.pem. Reads one file and writes nothing when no rollover is
 * pending (E2). c->acme's key and kid are left as they were. Returns 0,
 * or a code after one line (the CA could not be asked: try again). */
int account_recover(struct ctx *c, const char *ca_id);

/* acmelet account show|update|rollover|deactivate with c->cfg the global
 * settings and c->store initialised. Returns the exit status. */
int account_command(struct ctx *c, const struct cli *cl);

/* acmelet revoke CERT [--reason N]. Returns the exit status. */
int revoke_command(struct ctx *c, const struct cli *cl);

#endif
