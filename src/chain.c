/* Which certificate chain to keep (S1): the CA's default, or with
 * --preferred-chain the one whose topmost certificate was issued by the
 * name asked for, among the default and the chains the CA links with
 * Link: rel="alternate" (RFC 8555 §7.4.2). The chosen chain is kept
 * byte for byte as served. Only one chain is held at a time (bounded
 * memory): when none matches, the default is fetched again. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acme.h"
#include "agent.h"
#include "chain.h"
#include "der.h"
#include "err.h"
#include "pem.h"

#define ALT_MAX 8

/* Copy the URLs of rel="alternate" members of a Link header value into
 * alt; returns how many. URLs cannot hold '<' or '>', so the value splits
 * on them; a link's parameters run to the next '<'. */
static int alternates(const char *links, char alt[][ACME_URL_MAX])
{
	const char *p = links, *end, *params, *next;
	int n = 0;

	while (n < ALT_MAX && (p = strchr(p, '<')) && (end = strchr(p, '>'))) {
		params = end + 1;
		next = strchr(params, '<');
		if (!next)
			next = params + strlen(params);
		for (const char *q = params; q < next; q++)
			if (!strncasecmp(q, "rel=\"alternate\"", 15) ||
			    (!strncasecmp(q, "rel=alternate", 13) &&
			     strchr(";, ", q[13] ? q[13] : ' '))) {
				if ((size_t)(end - p - 1) < ACME_URL_MAX) {
					memcpy(alt[n], p + 1, (size_t)(end - p - 1));
					alt[n++][end - p - 1] = '\0';
				}
				break;
			}
		p = next;
	}
	return n;
}

/* 1 when the last certificate of the chain pem was issued by cn. f is
 * scratch space. */
static int top_issued_by(const char *pem, size_t len, const char *cn,
                         struct cert_facts *f)
{
	unsigned char der[CHAIN_MAX / 2];
	size_t off = 0, end, n, top_n = 0;

	f->issuer_cn[0] = '\0';
	while (off < len && pem_decode_next(pem + off, len - off, "CERTIFICATE",
	                                    der, sizeof(der), &n, &end, NULL,
	                                    0) == 0) {
		top_n = n;
		off += end;
		if (cert_facts_der(der, n, f) != 0)
			return 0;
	}
	return top_n > 0 && strcmp(f->issuer_cn, cn) == 0;
}

int chain_fetch(struct ctx *c, const char *url, char *pem, size_t cap,
                size_t *len)
{
	const char *want = c->cfg->preferred_chain;
	char alt[ALT_MAX][ACME_URL_MAX], top[CERT_NAME_LEN];
	struct cert_facts *f = &c->work->facts; /* scratch until check_chain */
	int rc, n, i;

	if ((rc = acme_download(c->acme, url, pem, cap, len)) != 0 || !want)
		return rc;
	if (top_issued_by(pem, *len, want, f))
		return 0;
	snprintf(top, sizeof(top), "%s", f->issuer_cn);
	n = alternates(c->acme->resp.links, alt);
	for (i = 0; i < n; i++) {
		if ((rc = acme_download(c->acme, alt[i], pem, cap, len)) != 0)
			return rc;
		if (top_issued_by(pem, *len, want, f)) {
			log_info(&c->log, "%s: using the alternate chain %s (its top "
			         "is issued by %s)", c->cfg->cert_name, alt[i], want);
			return 0;
		}
	}
	log_info(&c->log, "%s: no chain of the CA's %d has its top issued by "
	         "'%s'; keeping the default chain (issued by '%s')",
	         c->cfg->cert_name, n + 1, want, top);
	return n ? acme_download(c->acme, url, pem, cap, len) : 0;
}
