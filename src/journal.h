/* The per-certificate journal, STATE/certs/<name>/state: where an
 * issuance stands, so a run cut by a power loss resumes instead of
 * starting over (D8), and how it has been failing (S15). Written with the
 * port's atomic replace, so it is always the old or the new version. */
#ifndef ACMELET_JOURNAL_H
#define ACMELET_JOURNAL_H

#include <stdint.h>
#include "acme.h"
#include "log.h"

struct store;

struct journal {
	char order[ACME_URL_MAX]; /* order in progress, "" when none */
	char names_id[65];        /* hex SHA-256 of the names it is for */
	int gen;                  /* generation holding the pending key, 0 none */
	int failures;             /* consecutive failed attempts */
	int64_t next_try;         /* not before this wall time (backoff), 0 */
	char last_error[LOG_LINE_MAX]; /* one line, whole, for status */
	/* Challenge files written (webroot.c), removed at the next start
	 * when a run was killed: the directory and the tokens, blank-separated. */
	char chall_dir[512];
	char chall_tokens[ACME_MAX_AUTHZ * 48];
	/* TXT values dns-01 added (src/challenge/dns01.c), recorded before
	 * each update and removed at the next start after a kill: one
	 * "ZONE OWNER VALUE" line each. */
	char dns_txt[3072];
	int revoked_gen;          /* live generation revoked (acmelet revoke):
	                             due at once; 0 none */
	int input_error;          /* last_error is the user's to fix (AL_EINPUT,
	                             a name or contact the CA refuses): not
	                             counted in failures/next_try. Not stored:
	                             a last error with no failure counted */
};

/* Load the journal of name. A missing journal is an empty one (0). A
 * corrupt one is reported, treated as empty (a new order follows; the live
 * certificate is untouched) and returns 0. */
int journal_load(struct store *s, const char *name, struct journal *j);

/* Save the journal of name atomically. */
int journal_save(struct store *s, const char *name, const struct journal *j);

/* journal_save with its own failure logged at level (enum log_level). */
int journal_save_at(struct store *s, const char *name,
                    const struct journal *j, int level);

/* journal_save for recording a failure that was already logged: its own
 * failure (the same full disk, the same read-only directory) is logged at
 * debug level only, so one error stays one line. */
int journal_save_failure(struct store *s, const char *name,
                         const struct journal *j);

#endif
