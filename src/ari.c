/* ACME Renewal Information (RFC 9773): the certificate identifier and one
 * unauthenticated GET of the CA's suggested renewal window. What to do with
 * the window (pick a time in it, store it) is the caller's business. */
#include <stdio.h>
#include <string.h>

#include "acme.h"
#include "ari.h"
#include "b64.h"
#include "der.h"
#include "err.h"
#include "log.h"
#include "schedule.h"

/* Without a usable Retry-After, ask again in 6 hours: about twice a day,
 * as Let's Encrypt asks of clients (M1). */
#define ARI_DEFAULT_RETRY (6 * 3600)
#define ARI_ID_MAX \
	(B64URL_LEN(CERT_KEYID_MAX) + 1 + B64URL_LEN(CERT_SERIAL_MAX) + 1)

int ari_cert_id(const struct cert_facts *f, char *out, size_t cap)
{
	size_t n;
	int rc;

	if (f == NULL || out == NULL || f->aki_len == 0 ||
	    f->aki_len > sizeof(f->aki) || f->serial_len == 0 ||
	    f->serial_len > sizeof(f->serial))
		return AL_EINVAL;
	if (cap < B64URL_LEN(f->aki_len) + 1 + B64URL_LEN(f->serial_len) + 1)
		return AL_E2BIG;
	/* The serial goes in as its DER content bytes, sign byte included:
	 * the CA looks the certificate up by exactly these bytes. */
	rc = b64url_encode(f->aki, f->aki_len, out, cap, &n);
	if (rc == 0) {
		out[n++] = '.';
		rc = b64url_encode(f->serial, f->serial_len, out + n, cap - n,
		                   NULL);
	}
	return rc;
}

/* Read the answer in a->json into w (window and explanation only). */
static int ari_parse(struct acme *a, const char *url, struct ari_window *w)
{
	char start[64], end[64];
	int sw;

	sw = json_find(&a->json, 0, "suggestedWindow");
	if (sw < 0 || a->json.tok[sw].type != JSMN_OBJECT ||
	    json_get_string(&a->json, sw, "start", start, sizeof(start)) != 0 ||
	    json_get_string(&a->json, sw, "end", end, sizeof(end)) != 0) {
		log_err(a->log, "%s: renewal info without a suggestedWindow "
		        "start and end", url);
		return AL_EPROTO;
	}
	if (sched_parse_rfc3339(start, &w->start) != 0 ||
	    sched_parse_rfc3339(end, &w->end) != 0) {
		log_err(a->log, "%s: renewal window '%s' .. '%s' is not RFC 3339",
		        url, start, end);
		return AL_EPROTO;
	}
	if (w->end <= w->start) {
		log_err(a->log, "%s: renewal window end %s is not after its "
		        "start %s", url, end, start);
		return AL_EPROTO;
	}
	/* The explanation is for humans; a missing or odd one costs nothing. */
	if (json_get_string(&a->json, 0, "explanationURL", w->explanation,
	                    sizeof(w->explanation)) != 0)
		w->explanation[0] = '\0';
	return 0;
}

int ari_fetch(struct acme *a, const struct cert_facts *f, int64_t now,
              struct ari_window *w)
{
	char id[ARI_ID_MAX], url[ACME_URL_MAX + ARI_ID_MAX + 1];
	const char *base = a->dir.renewal_info;
	size_t blen = strlen(base);
	struct ari_window got;
	int rc;

	/* Filled only on success: a half-read window must not be used. */
	memset(w, 0, sizeof(*w));
	memset(&got, 0, sizeof(got));
	if (blen == 0)
		return AL_ENOENT;
	if ((rc = ari_cert_id(f, id, sizeof(id))) != 0) {
		log_debug(a->log, "%s: certificate has no authority key "
		          "identifier, no renewal info to ask for", base);
		return rc;
	}
	/* RFC 9773 §4.1: the id is one more path segment of renewalInfo. */
	snprintf(url, sizeof(url), "%s%s%s", base,
	         base[blen - 1] == '/' ? "" : "/", id);
	/* Another request may have pointed the response at its own buffer. */
	a->resp.body = a->body;
	a->resp.body_cap = sizeof(a->body);
	rc = http_request(a->http, "GET", url, NULL, NULL, 0, &a->resp);
	if (rc != 0) {
		log_err(a->log, "%s: %s", url, http_error(a->http));
		return rc;
	}
	if (a->resp.status != 200) {
		log_err(a->log, "%s: HTTP status %d for renewal info", url,
		        a->resp.status);
		return AL_EPROTO;
	}
	if (json_parse(&a->json, (const char *)a->body, a->resp.body_len,
	               a->tok, ACME_TOKENS) != 0) {
		log_err(a->log, "%s: renewal info is not valid JSON", url);
		return AL_EPROTO;
	}
	if ((rc = ari_parse(a, url, &got)) != 0)
		return rc;
	if (a->resp.retry_after[0] &&
	    sched_parse_retry_after(a->resp.retry_after, now,
	                            &got.retry_after) == 0)
		got.retry_after = sched_clamp_retry(got.retry_after);
	else
		got.retry_after = ARI_DEFAULT_RETRY;
	log_debug(a->log, "%s: renew between %lld and %lld, ask again in %lld s",
	          url, (long long)got.start, (long long)got.end,
	          (long long)got.retry_after);
	*w = got;
	return 0;
}
