/* ACME Renewal Information (RFC 9773): ask the CA when to renew. */
#ifndef ACMELET_ARI_H
#define ACMELET_ARI_H

#include <stddef.h>
#include <stdint.h>

struct acme;
struct cert_facts;

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

#endif
