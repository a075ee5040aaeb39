/* One order from creation (or resumption) to a live certificate, with
 * every step that must survive a power cut recorded in the journal. */
#ifndef ACMELET_ORDER_H
#define ACMELET_ORDER_H

struct ctx;
struct key;

/* Get a certificate for c->cfg's names with account key acct: resume the
 * journal's order when it is still usable, else create one; answer its
 * authorizations, finalize with the pending key (made once, kept across
 * restarts), download, and make the new generation live. */
int order_run(struct ctx *c, const struct key *acct);

#endif
