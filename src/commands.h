/* The commands: issue, renew, run, status, retry, cron-line. Each returns
 * the process exit status. */
#ifndef ACMELET_COMMANDS_H
#define ACMELET_COMMANDS_H

struct ctx;
struct cli;
struct conf;
struct logger;

enum { EXIT_DONE = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_NOTHING_DUE = 3 };

/* Run cl->command with the settings in cf. */
int command_run(struct ctx *c, const struct cli *cl, struct conf *cf);

/* The certificates of cf that cl's arguments select (all when none).
 * Returns how many were put in sel (indexes into cf->certs), or -1 after
 * logging a name that is not configured. */
int command_select(const struct cli *cl, const struct conf *cf, int *sel,
                   const struct logger *log);

/* For issue: when a [cert NAME] section of the file at path is for the
 * certificate (NAME is --name or the first name), its names must be the
 * command line's and no option of cl may contradict it. Call before the
 * command line is applied to the sections. Returns 0 or EXIT_USAGE after
 * one log line. */
int command_issue_check(const struct cli *cl, const struct conf *cf,
                        const char *path, const struct logger *log);

/* status (status.c): per certificate, names, expiry, next action and when,
 * failures and last error; JSON with --json. Writes nothing. */
int status_print(struct ctx *c, const struct cli *cl, struct conf *cf);

/* The daemon (daemon.c): renew as due until SIGTERM; SIGHUP reloads the
 * configuration, SIGUSR1 retries now. */
int daemon_run(struct ctx *c, const struct cli *cl, struct conf *cf);

/* persist-record (persist_record.c; Kconfig CHALLENGE_DNS_PERSIST, else
 * dns_persist_none.c): print the dns-persist-01 TXT record of each name
 * for this CA and account (made when there is none yet); with --publish
 * also add them by RFC 2136 and wait until every authoritative server
 * answers them. Returns the exit status. */
int persist_command(struct ctx *c, const struct cli *cl);

#endif
