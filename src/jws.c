/* JWS (RFC 7515) flattened JSON serialization for ACME requests.
 *
 * The protected header is built with the JSON writer. The envelope around
 * it is not: its three values are base64url, which never needs escaping,
 * and assembling it by hand lets the payload be encoded once, straight into
 * the output buffer, and signed there, with no second copy of a payload
 * that can be tens of KiB (a finalize with 100 names). */
#include <string.h>

#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "json.h"
#include "jws.h"

#define JWS_HDR_MAX 2048
#define JWS_SIG_MAX 512 /* RS256 with an RSA-4096 account key */

static const char jws_pre[] = "{\"protected\":\"";
static const char jws_mid[] = "\",\"payload\":\"";
static const char jws_sig[] = "\",\"signature\":\"";
static const char jws_end[] = "\"}";

#define LIT(s) (sizeof(s) - 1)

/* The protected header, base64url-encoded into out: alg, then kid (when
 * not NULL) or k's public jwk, nonce (when not NULL) and url. */
static int jws_header(const struct key *k, const char *alg, const char *kid,
                      const char *nonce, const char *url, char *out,
                      size_t cap, size_t *olen)
{
	char js[JWS_HDR_MAX];
	struct jw w;
	size_t n = 0;
	int rc;

	jw_init(&w, js, sizeof(js));
	jw_obj_begin(&w);
	jw_key(&w, "alg");
	jw_str(&w, alg);
	if (kid) {
		jw_key(&w, "kid");
		jw_str(&w, kid);
	} else {
		jw_key(&w, "jwk");
		jw_obj_begin(&w);
		key_jwk_members(k, &w);
		jw_obj_end(&w);
	}
	if (nonce) { /* a keyChange's inner JWS has none (RFC 8555 §7.3.5) */
		jw_key(&w, "nonce");
		jw_str(&w, nonce);
	}
	jw_key(&w, "url");
	jw_str(&w, url);
	jw_obj_end(&w);
	rc = jw_finish(&w, &n);
	if (rc != AL_OK)
		return rc;
	return b64url_encode(js, n, out, cap, olen);
}

/* Sign one ACME request into out. The signing input "P.Q" is laid down
 * just before where Q ends up, then the JSON is written around Q. */
int jws_build(const struct key *k, const char *kid, const char *nonce,
              const char *url, const char *payload, size_t payload_len,
              char *out, size_t cap, size_t *len)
{
	char ph[B64URL_LEN(JWS_HDR_MAX) + 1], sb[B64URL_LEN(JWS_SIG_MAX) + 1];
	unsigned char sig[JWS_SIG_MAX];
	size_t plen = 0, qoff, qlen = 0, sl = 0, slen = 0, pos;
	int rc;

	if (!url || !out)
		return AL_EINVAL;
	if (!payload)
		payload_len = 0;
	if (payload_len > cap)
		return AL_E2BIG;
	rc = jws_header(k, key_jws_alg(k), kid, nonce, url, ph, sizeof(ph),
	                &plen);
	if (rc != AL_OK)
		return rc;
	qoff = LIT(jws_pre) + plen + LIT(jws_mid);
	if (qoff >= cap)
		return AL_E2BIG;
	rc = b64url_encode(payload ? payload : "", payload_len, out + qoff,
	                   cap - qoff, &qlen);
	if (rc != AL_OK)
		return rc;
	memcpy(out + qoff - plen - 1, ph, plen);
	out[qoff - 1] = '.';
	rc = key_sign(k, out + qoff - plen - 1, plen + 1 + qlen, sig,
	              sizeof(sig), &sl);
	if (rc != AL_OK)
		return rc;
	rc = b64url_encode(sig, sl, sb, sizeof(sb), &slen);
	if (rc != AL_OK)
		return rc;
	pos = qoff + qlen;
	if (cap - pos < LIT(jws_sig) + slen + LIT(jws_end) + 1)
		return AL_E2BIG;
	memcpy(out, jws_pre, LIT(jws_pre));
	memcpy(out + LIT(jws_pre), ph, plen);
	memcpy(out + LIT(jws_pre) + plen, jws_mid, LIT(jws_mid));
	memcpy(out + pos, jws_sig, LIT(jws_sig));
	pos += LIT(jws_sig);
	memcpy(out + pos, sb, slen);
	pos += slen;
	memcpy(out + pos, jws_end, LIT(jws_end) + 1);
	pos += LIT(jws_end);
	if (len)
		*len = pos;
	return AL_OK;
}

/* HMAC-SHA256 of "p.q" with key, base64url into out. */
static int eab_mac(const void *key, size_t key_len, const char *p,
                   const char *q, char *out, size_t cap)
{
	br_hmac_key_context kc;
	br_hmac_context hc;
	unsigned char mac[32];

	br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, p, strlen(p));
	br_hmac_update(&hc, ".", 1);
	br_hmac_update(&hc, q, strlen(q));
	br_hmac_out(&hc, mac);
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&hc, sizeof(hc));
	return b64url_encode(mac, sizeof(mac), out, cap, NULL);
}

int jws_eab(const struct key *acct, const char *kid, const void *mac_key,
            size_t mac_len, const char *url, struct jws_eab *out)
{
	char js[JWS_HDR_MAX];
	struct jw w;
	size_t n = 0;
	int rc;

	if ((rc = jws_header(acct, "HS256", kid, NULL, url, out->protected_hdr,
	                     sizeof(out->protected_hdr), NULL)) != 0)
		return rc;
	/* The payload is the account's public JWK (RFC 8555 §7.3.4). */
	jw_init(&w, js, sizeof(js));
	jw_obj_begin(&w);
	key_jwk_members(acct, &w);
	jw_obj_end(&w);
	if ((rc = jw_finish(&w, &n)) != 0 ||
	    (rc = b64url_encode(js, n, out->payload, sizeof(out->payload),
	                        NULL)) != 0)
		return rc;
	return eab_mac(mac_key, mac_len, out->protected_hdr, out->payload,
	               out->signature, sizeof(out->signature));
}
