/* The agent: what to do for one certificate, from "is the stored one still
 * good?" to a new live generation. Holds the one context struct that every
 * layer below receives its parts from (no globals). */
#ifndef ACMELET_AGENT_H
#define ACMELET_AGENT_H

#include "acme.h"
#include "ari.h"
#include "challenge/challenge.h"
#include "cli.h"
#include "crypto.h"
#include "der.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "store.h"

#define CHAIN_MAX 32768 /* a served chain, PEM */

/* The large per-issuance objects, allocated once per run (bounded). */
struct work {
	struct key account_key, cert_key;
	struct acme_order order;
	struct cert_facts facts;
	struct journal journal;
	int have_live;       /* a live certificate covers the names */
	char replaces[256];  /* ARI id of the live certificate, or "" */
	char chain[CHAIN_MAX];
};

struct port;
struct http;
struct responder;

struct ctx {
	const struct config *cfg;
	struct logger log;
	struct port *port;
	struct store store;
	struct rng rng;
	struct http *http;          /* opened on first need */
	const char *http_ca;        /* the ca_file it was opened with */
	struct acme *acme;          /* bounded buffers, allocated once */
	struct responder *resp;     /* allocated once */
	struct loop loop;           /* every wait of the process (D4) */
	/* The challenge methods of this issuance (challenge_setup). */
	const struct challenge_class **methods[CHALLENGE_MAX_METHODS];
	int nmethods;
	struct work *work;          /* per-issuance objects */
	char last_error[LOG_LINE_MAX]; /* last error line, for journal and hook */
};

/* What agent_run did. */
enum { AGENT_NOTHING = 0, AGENT_ISSUED = 1, AGENT_WAITING = 2 };
#define AGENT_BACKOFF 1 /* flag: skip a certificate in its failure backoff */
#define AGENT_ARI 2     /* flag: ask the CA's renewalInfo when it is due */

/* Make sure cfg's names have a good live certificate: nothing when the
 * stored one covers them and is not due (S6), else a new issuance. With
 * AGENT_BACKOFF a certificate that failed recently waits its turn (S15).
 * A failure is recorded in the journal and reported to the hook; the live
 * certificate is never touched by a failure. Returns AGENT_* or a negative
 * AL_E* code after logging one line that says what to do. */
int agent_run(struct ctx *c, int flags);

/* How many live sets cfg keeps: one per key type (S10). */
int agent_nsets(const struct config *cfg);

/* The settings of set i of cfg into out: its key type and, for a set
 * after the first, cert_name NAME/<type> (its directory, in dir of cap
 * bytes: generations, live link, journal) and set_of NAME. Set 0 is cfg
 * with its first key type: live/ and the journal as with one type. */
void agent_set_config(const struct config *cfg, int i, struct config *out,
                      char *dir, size_t cap);

/* Call fn(c, arg) for each set of c->cfg, with c->cfg the set's settings
 * meanwhile (agent_set_config); c->cfg is as it was afterwards. */
void agent_each_set(struct ctx *c, void (*fn)(struct ctx *, void *),
                    void *arg);

/* The live directory users see of the set c->cfg, in out
 * (STORE_PATH_MAX): STATE/certs/NAME/live or .../NAME/live-<type>. */
void agent_live_dir(struct ctx *c, char *out);

/* agent_run without backoff, 0 for issued or nothing to do. */
int agent_issue(struct ctx *c);

/* Clear the failure backoff of the certificate (acmelet retry, SIGUSR1).
 * Writes only when there was a backoff. */
int agent_retry(struct ctx *c);

/* Take the lock of certificate name (held by a run for its whole work,
 * issue 12) or of the account directory of CA ca_id, waiting up to
 * --lock-wait: 0 with *handle set (store_unlock lets go), or a code after
 * one line (another acmelet holds it: its pid and what it works on). */
int agent_lock_cert(struct ctx *c, const char *name, int *handle);
int agent_lock_account(struct ctx *c, const char *ca_id, int *handle);

/* The account of c->cfg's CA with key k: loaded, found again or created
 * (needs c->rng seeded and the directory fetched into c->acme); its URL
 * in c->acme->kid. 0 or a code after one line. */
int agent_account(struct ctx *c, struct key *k);

/* Open the transport for c->cfg's trust (or keep the open one) and set
 * up c->acme over it. */
int agent_http_open(struct ctx *c);

/* What status shows of one certificate; read only, writes nothing. */
struct cert_status {
	int has_cert, covers, pending_order;
	int ari;               /* the CA has renewalInfo (recorded with the account) */
	int has_window;        /* ari_state holds this certificate's ARI window */
	struct ari_state ari_state; /* window, pick, next ask (RAM run state) */
	struct cert_facts facts;
	int64_t due;           /* renewal time of the live certificate */
	int failures;
	int64_t next_try;
	char last_error[LOG_LINE_MAX];
	int input_error;       /* last_error is a setting to fix (not counted) */
	char profile[64];      /* the live certificate's profile (its file "profile"), or "" */
	char live_dir[STORE_PATH_MAX]; /* where users find the set */
	const char *action;    /* "issue", "renew" or "retry" */
	int64_t next_at;       /* when that happens (0: now) */
};

/* The status of the set c->cfg (agent_set_config for the others). */
int agent_status(struct ctx *c, struct cert_status *st);

#endif
