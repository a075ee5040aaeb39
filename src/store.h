/* The state on flash, all through the port (D5, D8):
 *
 *   STATE/accounts/<ca-id>/key.pem       account key (0600)
 *   STATE/accounts/<ca-id>/account.json  {"url": account URL}
 *   STATE/certs/<name>/gen-<n>/          privkey.pem cert.pem chain.pem
 *                                        fullchain.pem of one issuance
 *   STATE/certs/<name>/live -> gen-<n>   switched with one rename(2)
 *
 * A generation is complete before live points at it, so the live key and
 * the live certificate always belong together. */
#ifndef ACMELET_STORE_H
#define ACMELET_STORE_H

#include <stddef.h>

struct port;
struct logger;
struct key;

#define STORE_PATH_MAX 512
#define STORE_CA_ID_MAX 128

struct store {
	struct port *port;
	const struct logger *log;
	char dir[STORE_PATH_MAX - 128];
};

/* Remember the state directory; nothing is written. */
int store_init(struct store *s, struct port *p, const struct logger *log,
               const char *dir);

/* Join the state directory and up to four parts into out (STORE_PATH_MAX
 * bytes); a NULL part ends the list. AL_E2BIG when it does not fit. */
int store_path(const struct store *s, char *out, const char *a,
               const char *b, const char *c, const char *d);

/* The tail of a "cannot write" line for a storage error: ": no space
 * left" for AL_ENOSPC, the reason for a read-only file system or a
 * permission refused (from errno, which the port leaves set), else "".
 * Call it right after the failing port call. */
const char *store_why(int rc);

/* A directory-safe id for a CA from its directory URL
 * ("acme-v02.api.letsencrypt.org_directory"). */
void store_ca_id(const char *url, char *out, size_t cap);

/* Create STATE/certs/<name> (and its parents) when missing. */
int store_make_cert_dir(struct store *s, const char *name);

/* Load the account key of a CA; AL_ENOENT when there is none. url gets the
 * account URL, or "" when it was never recorded; ari the CA's renewalInfo
 * URL, or "". */
int store_load_account(struct store *s, const char *ca_id, struct key *k,
                       char *url, size_t cap, char *ari, size_t ari_cap);

/* Read account.json of a CA without the key: account URL and renewalInfo
 * URL ("" when absent). AL_ENOENT when there is no such file. */
int store_account_info(struct store *s, const char *ca_id, char *url,
                       size_t cap, char *ari, size_t ari_cap);

/* Save a new account key (0600 from the first byte). */
int store_save_account_key(struct store *s, const char *ca_id,
                           const struct key *k);

/* Record the account URL and the CA's renewalInfo URL (NULL or "": none). */
int store_save_account_url(struct store *s, const char *ca_id,
                           const char *url, const char *ari);

/* src/store_account.c: other files of STATE/accounts/<ca-id>/. */

/* Read the private key in file ("key-next.pem") of a CA's account
 * directory. AL_ENOENT when absent, AL_EPROTO when not a key (nothing
 * logged: the caller knows what the file means). */
int store_load_account_file(struct store *s, const char *ca_id,
                            const char *file, struct key *k);

/* Write a private key as file of the account directory (0600). */
int store_save_account_file(struct store *s, const char *ca_id,
                            const char *file, const struct key *k);

/* Remove file of the account directory; a missing one is success. */
int store_remove_account_file(struct store *s, const char *ca_id,
                              const char *file);

/* 1 when account.json records that the account was deactivated. */
int store_account_deactivated(struct store *s, const char *ca_id);

/* Record in account.json that the account at url is deactivated: the next
 * issuance makes a new account. */
int store_mark_account_deactivated(struct store *s, const char *ca_id,
                                   const char *url);

/* Read file ("cert.pem", ...) of the live generation of name into buf
 * (NUL-terminated). AL_ENOENT when there is no live certificate. */
int store_read_live(struct store *s, const char *name, const char *file,
                    char *buf, size_t cap, size_t *len);

/* Read file of generation gen of name into buf (NUL-terminated). */
int store_read_gen(struct store *s, const char *name, int gen,
                   const char *file, char *buf, size_t cap, size_t *len);

/* The number of the live generation of name, 0 when none. */
int store_live_gen(struct store *s, const char *name);

/* Remove what an interrupted run left behind: temporary files, and
 * generations other than the live one, the one before it and pending.
 * Only with the certificate's lock held. Generations are removed only
 * when live is a link to an existing generation of this directory: when
 * it points elsewhere or at nothing, nothing proves which one is unused.
 * Writes nothing when there is nothing to remove (E2). */
void store_cleanup(struct store *s, const char *name, int pending);

/* Remove temporary files an interrupted write left in the account
 * directory of a CA; only with the account's lock held (another run's
 * temporary file is in use until then). Writes nothing when there are
 * none. */
void store_cleanup_account(struct store *s, const char *ca_id);

/* Take the lock of certificate name (its directory, created when
 * missing: a first run issues anyway) or of the account directory of a
 * CA, waiting at most wait_s for another process. 0 with *handle set,
 * AL_ELOCKED with *holder the other process's pid (0: unknown), or
 * another code after a logged line. Taking a lock writes nothing. */
int store_lock_cert(struct store *s, const char *name, int wait_s,
                    int *handle, long *holder);
int store_lock_account(struct store *s, const char *ca_id, int wait_s,
                       int *handle, long *holder);

/* Release a lock of store_lock_*(); a negative handle is ignored. */
void store_unlock(struct store *s, int handle);

/* store_cleanup_account when the account's lock is free right now (no
 * wait) and its directory exists (nothing is created): for runs that do
 * not set the account up. */
void store_tidy_account(struct store *s, const char *ca_id);

/* Create a new, empty generation directory for name; *gen gets its number. */
int store_new_gen(struct store *s, const char *name, int *gen);

/* Write one file of generation gen (flags: PORT_PRIVATE for keys). */
int store_write_gen(struct store *s, const char *name, int gen,
                    const char *file, const void *data, size_t len, int flags);

/* The link STATE/certs/<name>/live-<type> -> <type>/live of a second
 * (third...) key type's set, whose own generations, live link and journal
 * are in STATE/certs/<name>/<type>/. Written only when missing or wrong
 * (E2); the set's switches happen inside, so this link never changes. */
int store_link_set(struct store *s, const char *name, const char *type);

/* Make generation gen live, atomically, then remove generations other than
 * the new live one and the one it replaced, and leftover temporary files. */
int store_switch_live(struct store *s, const char *name, int gen);

#endif
