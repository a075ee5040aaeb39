/* RFC 8555 account management and revocation: read and update the
 * account (§7.3.2), deactivate it (§7.3.6), roll its key over (§7.3.5),
 * revoke a certificate (§7.6). Kept apart from acme.c, which does what an
 * issuance needs; both send through acme_post(). */
#include <stdio.h>
#include <string.h>

#include "acme.h"
#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "jws.h"
#include "log.h"

#define INNER_MAX 8192 /* a keyChange's inner JWS: two RSA-4096 JWKs fit */

/* The answer as JSON into a->json; one line naming url when it is not. */
static int parse_answer(struct acme *a, const char *url)
{
	if (json_parse(&a->json, (const char *)a->body, a->resp.body_len,
	               a->tok, ACME_TOKENS) != 0) {
		log_err(a->log, "%s: answer not JSON", url);
		return AL_EPROTO;
	}
	return 0;
}

/* 1 when the last problem says the account is deactivated. */
static int says_deactivated(const struct acme *a)
{
	return !strcmp(a->problem_type, "unauthorized") &&
	       strstr(a->problem, "deactivated") != NULL;
}

int acme_account_get(struct acme *a, struct acme_account_info *info)
{
	int arr, rc;

	memset(info, 0, sizeof(*info));
	if ((rc = acme_post(a, a->kid, NULL)) != 0) {
		if (rc == AL_EPROTO && says_deactivated(a))
			snprintf(info->status, sizeof(info->status), "deactivated");
		else if (rc == AL_EPROTO)
			log_err(a->log, "%s: %s", a->kid, a->problem);
		return says_deactivated(a) ? 0 : rc;
	}
	if ((rc = parse_answer(a, a->kid)) != 0)
		return rc;
	json_get_string(&a->json, 0, "status", info->status,
	                sizeof(info->status));
	arr = json_find(&a->json, 0, "contact");
	info->ncontacts = json_array_len(&a->json, arr);
	if (info->ncontacts < 0)
		info->ncontacts = 0;
	if (info->ncontacts > 0 &&
	    json_string(&a->json, json_array_elem(&a->json, arr, 0),
	                info->contact, sizeof(info->contact)) != 0)
		info->contact[0] = '\0';
	return 0;
}

int acme_account_update(struct acme *a, const char *email)
{
	char payload[512], mailto[320];
	struct jw w;
	int rc;

	snprintf(mailto, sizeof(mailto), "mailto:%s", email);
	jw_init(&w, payload, sizeof(payload));
	jw_obj_begin(&w);
	jw_key(&w, "contact");
	jw_arr_begin(&w);
	jw_str(&w, mailto);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (jw_finish(&w, NULL) != 0) {
		log_err(a->log, "--email: too long");
		return AL_E2BIG;
	}
	rc = acme_post(a, a->kid, payload);
	if (rc == AL_EPROTO)
		log_err(a->log, "%s: contact refused: %s", a->kid, a->problem);
	return rc;
}

int acme_account_deactivate(struct acme *a)
{
	int rc = acme_post(a, a->kid, "{\"status\":\"deactivated\"}");

	if (rc == AL_EPROTO && says_deactivated(a))
		return AL_ENOENT;
	if (rc == AL_EPROTO)
		log_err(a->log, "%s: %s", a->kid, a->problem);
	return rc;
}

/* The inner JWS of a keyChange: {"account", "oldKey"} signed by newk. */
static int key_change_inner(struct acme *a, const struct key *newk,
                            char *out, size_t cap)
{
	char payload[2048];
	struct jw w;

	jw_init(&w, payload, sizeof(payload));
	jw_obj_begin(&w);
	jw_key(&w, "account");
	jw_str(&w, a->kid);
	jw_key(&w, "oldKey");
	jw_obj_begin(&w);
	key_jwk_members(a->key, &w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	if (jw_finish(&w, NULL) != 0)
		return AL_E2BIG;
	return jws_build(newk, NULL, NULL, a->dir.key_change, payload,
	                 strlen(payload), out, cap, NULL);
}

int acme_key_change(struct acme *a, const struct key *newk)
{
	char inner[INNER_MAX];
	int rc;

	if (!a->dir.key_change[0]) {
		log_err(a->log, "the CA has no keyChange");
		return AL_EPROTO;
	}
	if ((rc = key_change_inner(a, newk, inner, sizeof(inner))) != 0) {
		log_err(a->log, "keyChange: too large");
		return rc;
	}
	a->problem[0] = '\0';
	rc = acme_post(a, a->dir.key_change, inner);
	explicit_bzero(inner, sizeof(inner));
	if (rc == 0) {
		a->key = newk;
		return 0;
	}
	if (rc != AL_EPROTO || !a->problem[0])
		return rc; /* no answer: whether the CA took it is unknown */
	/* 409: another account has that key */
	log_err(a->log, "%s: the CA refused the new key (%s); the account "
	        "keeps its key", a->dir.key_change, a->resp.status == 409 ?
	        "another account uses it" : a->problem);
	return AL_EINVAL;
}

int acme_revoke(struct acme *a, const unsigned char *der, size_t len,
                int reason)
{
	char payload[6144], b64[B64URL_LEN(4096) + 1];
	struct jw w;
	int rc;

	if (b64url_encode(der, len, b64, sizeof(b64), NULL) != 0) {
		log_err(a->log, "certificate too large");
		return AL_E2BIG;
	}
	jw_init(&w, payload, sizeof(payload));
	jw_obj_begin(&w);
	jw_key(&w, "certificate");
	jw_str(&w, b64);
	if (reason >= 0) {
		jw_key(&w, "reason");
		jw_int(&w, reason);
	}
	jw_obj_end(&w);
	if (jw_finish(&w, NULL) != 0)
		return AL_E2BIG; /* cannot be: the payload has room */
	a->problem[0] = '\0';
	rc = acme_post(a, a->dir.revoke_cert, payload);
	if (rc == AL_EPROTO && !strcmp(a->problem_type, "alreadyRevoked"))
		return AL_ENOENT;
	if (rc == AL_EPROTO && !strcmp(a->problem_type, "unauthorized"))
		log_err(a->log, "%s: refused: %s (%s)", a->dir.revoke_cert,
		        a->kid[0] ? "this account did not issue it" :
		        "not the certificate's key", a->problem);
	else if (rc == AL_EPROTO)
		log_err(a->log, "%s: refused: %s", a->dir.revoke_cert, a->problem);
	return rc;
}
