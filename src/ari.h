/* ACME Renewal Information (RFC 9773): ask the CA when to renew. */
#ifndef ACMELET_ARI_H
#define ACMELET_ARI_H

#include <stddef.h>
#include <stdint.h>

struct acme;
struct cert_facts;
struct port;

/* The ARI certificate identifier: base64url(AKI keyIdentifier) "."
 * base64url(serial DER content bytes, leading 0x00 kept). AL_EINVAL when
 * the certificate has no AKI. */
int ari_cert_id(const struct cert_facts *f, char *out, size_t cap);

struct ari_window {
	int64_t start, end;   /* suggestedWindow, Unix seconds */
	int64_t retry_after;  /* seconds until asking again, clamped (M1) */
	char explanation[512];/* explanationURL, "" when none */
};

/* GET <renewalInfo>/<cert id> (unauthenticated, RFC 9773 §4.1) through the
 * ACME client's transport and buffers, at wall time now. AL_ENOENT when the
 * directory has no renewalInfo. A missing or bad Retry-After gives 6 hours
 * (twice a day, M1); the window must have start < end. */
int ari_fetch(struct acme *a, const struct cert_facts *f, int64_t now,
              struct ari_window *w);

/* What a run learnt from renewalInfo, kept in the port's RAM directory
 * between runs (M1, E2: never on flash) so that cron runs do not ask
 * again before the CA's Retry-After, and the pick in a window stays put. */
struct ari_state {
	int64_t start, end;  /* the CA's suggestedWindow */
	int64_t pick;        /* the renewal time chosen in it */
	int64_t next_ask;    /* not before: the CA's Retry-After */
};

/* Load the run state of certificate name of state directory state_dir,
 * when it is for the certificate f. AL_ENOENT when there is none, it is
 * for another certificate, or unreadable. */
int ari_state_load(struct port *p, const char *state_dir, const char *name,
                   const struct cert_facts *f, struct ari_state *st);

/* Save it (RAM only; the directory is made when missing). A failure is
 * not an error for the caller: the next run asks again. */
int ari_state_save(struct port *p, const char *state_dir, const char *name,
                   const struct cert_facts *f, const struct ari_state *st);

#endif
