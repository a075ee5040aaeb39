/* The agent: what to do for one certificate, from "is the stored one still
 * good?" to a new live generation. Holds the one context struct that every
 * layer below receives its parts from (no globals). */
#ifndef ACMELET_AGENT_H
#define ACMELET_AGENT_H

#include "acme.h"
#include "cli.h"
#include "crypto.h"
#include "der.h"
#include "journal.h"
#include "log.h"
#include "store.h"

#define CHAIN_MAX 32768 /* a served chain, PEM */

/* The large per-issuance objects, allocated once per run (bounded). */
struct work {
	struct key account_key, cert_key;
	struct acme_order order;
	struct cert_facts facts;
	struct journal journal;
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
	struct acme *acme;          /* bounded buffers, allocated once */
	struct responder *resp;     /* allocated once */
	struct work *work;          /* per-issuance objects */
};

/* Make sure cfg's names have a good live certificate: nothing when the
 * stored one covers them and is not due (S6), else a new issuance. Returns
 * 0 (issued or nothing to do) or a negative AL_E* code after logging one
 * line that says what went wrong and what to do. */
int agent_issue(struct ctx *c);

#endif
