/* RFC 8555 client. Every signed request goes through acme_post(), which
 * holds the whole nonce and badNonce policy; every answer is parsed once into
 * a->json. Problem documents (RFC 7807) become one line in a->problem. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acme.h"
#include "b64.h"
#include "crypto.h"
#include "err.h"
#include "jws.h"
#include "log.h"
#include "port.h"

#define ERR_PREFIX "urn:ietf:params:acme:error:"

void acme_init(struct acme *a, struct http *h, const struct logger *log)
{
	memset(a, 0, sizeof(*a));
	a->http = h;
	a->log = log;
	a->resp.body = a->body;
	a->resp.body_cap = sizeof(a->body);
}

/* 0 when url is "" (absent) or https:// without control characters or
 * spaces; else one line naming where the
 * CA gave it (from) and what it is for, and AL_EPROTO: signed requests,
 * account URLs and keys' authorizations never go out in clear. */
static int https_only(const struct acme *a, const char *from,
                      const char *what, const char *url)
{
	const char *p = url;

	while (*p && (unsigned char)*p > 0x20 && *p != 0x7f)
		p++;
	if (url[0] == '\0' || (*p == '\0' && strncasecmp(url, "https://", 8) == 0))
		return 0;
	log_err(a->log, "%s: the CA gave a %s URL that is not plain https "
	        "(%.200s); refusing to use it", from, what, url);
	return AL_EPROTO;
}

/* One HTTP exchange; keeps the Replay-Nonce of every answer (§7.2). Every
 * URL, whoever gave it (a Link header too), is checked here last. */
static int acme_http(struct acme *a, const char *method, const char *url,
                     const char *body, size_t len)
{
	int rc;

	/* AL_EINVAL, not AL_EPROTO: callers log a->problem for the latter. */
	if (https_only(a, url, "request", url) != 0)
		return AL_EINVAL;
	rc = http_request(a->http, method, url,
	                  body ? "application/jose+json" : NULL, body, len,
	                  &a->resp);
	if (rc != 0) {
		log_err(a->log, "%s: %s", url, http_error(a->http));
		/* Callers log a->problem for AL_EPROTO; a malformed answer
		 * (too many headers, say) is logged here, once. */
		return rc == AL_EPROTO ? AL_EFAIL : rc;
	}
	if (a->resp.replay_nonce[0])
		snprintf(a->nonce, sizeof(a->nonce), "%s", a->resp.replay_nonce);
	return 0;
}

/* Copy a URL we must keep whole: a truncated one would be wrong. */
static int copy_url(struct acme *a, char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= cap) {
		log_err(a->log, "%s: %s URL in Location", a->resp.location,
		        n ? "too long a" : "no");
		return AL_EPROTO;
	}
	if (https_only(a, "Location", "new object's", src) != 0)
		return AL_EPROTO;
	memcpy(dst, src, n + 1);
	return 0;
}

static int is_json(const struct acme *a)
{
	return strstr(a->resp.content_type, "json") != NULL;
}

/* Parse the answer body as JSON into a->json; AL_EPROTO with a log line
 * naming url when it is not JSON. */
static int acme_parse(struct acme *a, const char *url)
{
	int rc = json_parse(&a->json, (const char *)a->body, a->resp.body_len,
	                    a->tok, ACME_TOKENS);
	if (rc != 0)
		log_err(a->log, "%s: the server's answer is not valid JSON (%s); "
		        "is --server an ACME directory URL?", url,
		        rc == AL_E2BIG ? "too large" : "malformed");
	return rc;
}

/* The problem type without the ACME namespace ("badNonce"). */
static const char *short_type(const char *type)
{
	size_t n = strlen(ERR_PREFIX);

	return strncmp(type, ERR_PREFIX, n) == 0 ? type + n : type;
}

/* Append text to the problem line, bounded. */
static void problem_add(struct acme *a, const char *s)
{
	size_t n = strlen(a->problem);

	snprintf(a->problem + n, sizeof(a->problem) - n, "%s", s);
}

/* Turn an error answer into one line: "type: detail [name: type: detail]...". */
static void acme_problem(struct acme *a)
{
	char type[128] = "", detail[512] = "", ident[256];
	int sub, i, n;

	a->problem[0] = a->problem_type[0] = '\0';
	if (!is_json(a) || json_parse(&a->json, (const char *)a->body,
	                              a->resp.body_len, a->tok, ACME_TOKENS) != 0) {
		snprintf(a->problem, sizeof(a->problem), "HTTP status %d",
		         a->resp.status);
		return;
	}
	json_get_string(&a->json, 0, "type", type, sizeof(type));
	json_get_string(&a->json, 0, "detail", detail, sizeof(detail));
	snprintf(a->problem_type, sizeof(a->problem_type), "%s",
	         short_type(type));
	snprintf(a->problem, sizeof(a->problem), "%s: %s",
	         a->problem_type[0] ? a->problem_type : "error", detail);
	sub = json_find(&a->json, 0, "subproblems");
	n = json_array_len(&a->json, sub);
	for (i = 0; i < n; i++) {
		int s = json_array_elem(&a->json, sub, i);
		int id = json_find(&a->json, s, "identifier");

		ident[0] = type[0] = detail[0] = '\0';
		if (id >= 0)
			json_get_string(&a->json, id, "value", ident, sizeof(ident));
		json_get_string(&a->json, s, "type", type, sizeof(type));
		json_get_string(&a->json, s, "detail", detail, sizeof(detail));
		problem_add(a, "; ");
		problem_add(a, ident);
		problem_add(a, ": ");
		problem_add(a, short_type(type));
		problem_add(a, ": ");
		problem_add(a, detail);
	}
}

static int acme_new_nonce(struct acme *a)
{
	int rc = acme_http(a, "HEAD", a->dir.new_nonce, NULL, 0);

	if (rc != 0)
		return rc;
	if (!a->nonce[0]) {
		log_err(a->log, "%s: no Replay-Nonce in the answer", a->dir.new_nonce);
		/* AL_EFAIL, not AL_EPROTO: callers take AL_EPROTO for a CA's
		 * refusal and would log a second line */
		return AL_EFAIL;
	}
	return 0;
}

void acme_set_budget(struct acme *a, struct port *port, int budget_ms)
{
	a->port = port;
	a->budget_ms = budget_ms;
}

/* After a badNonce answer to url (the tries-th): 0 to try again, with the
 * fresh nonce the answer brought (or a new one from newNonce); else one
 * line and AL_EFAIL when the nonce is not fresh or the budget is spent. */
static int bad_nonce_again(struct acme *a, const char *url, const char *used,
                           int tries, int64_t start)
{
	int64_t spent = a->port ? port_mono_ms(a->port) - start : 0;

	a->bad_nonces++;
	if (a->nonce[0] && strcmp(a->nonce, used) == 0) {
		log_err(a->log, "%s: the CA refused its own fresh nonce and sent "
		        "it again (badNonce); try again later", url);
		return AL_EFAIL;
	}
	if (tries >= ACME_BAD_NONCE_MAX || (a->port && spent >= a->budget_ms)) {
		log_err(a->log, "%s: badNonce %d times in a row in %lld ms, each "
		        "time with a fresh nonce; try again later", url, tries,
		        (long long)spent);
		return AL_EFAIL;
	}
	log_debug(a->log, "acme: %s: badNonce, retrying with the fresh nonce",
	          url);
	return 0;
}

int acme_post(struct acme *a, const char *url, const char *payload)
{
	size_t len, plen = payload ? strlen(payload) : 0;
	int64_t start = a->port ? port_mono_ms(a->port) : 0;
	char used[HTTP_NONCE_MAX];
	int rc, tries;

	for (tries = 1;; tries++) {
		if (!a->nonce[0] && (rc = acme_new_nonce(a)) != 0)
			return rc;
		memcpy(used, a->nonce, sizeof(used));
		rc = jws_build(a->key, a->kid[0] ? a->kid : NULL, a->nonce, url,
		               payload, plen, a->req, sizeof(a->req), &len);
		a->nonce[0] = '\0'; /* a nonce is good for one request only */
		if (rc != 0) {
			log_err(a->log, "%s: request too large to sign", url);
			return rc;
		}
		if ((rc = acme_http(a, "POST", url, a->req, len)) != 0)
			return rc;
		if (a->resp.status >= 200 && a->resp.status < 300) {
			a->problem[0] = a->problem_type[0] = '\0';
			return 0;
		}
		acme_problem(a);
		if (strcmp(a->problem_type, "badNonce") != 0)
			return AL_EPROTO;
		if ((rc = bad_nonce_again(a, url, used, tries, start)) != 0)
			return rc;
	}
}

/* Copy string member key of object obj of a->json into out; "" when absent. */
static void get_str(struct acme *a, int obj, const char *key, char *out,
                    size_t cap)
{
	if (json_get_string(&a->json, obj, key, out, cap) != 0)
		out[0] = '\0';
}

/* meta.caaIdentities: ["ca.example", ...], the names a dns-persist-01
 * record gives for this CA. */
static void read_caa(struct acme *a, int meta)
{
	struct acme_directory *d = &a->dir;
	int arr = json_find(&a->json, meta, "caaIdentities");
	int i, n = json_array_len(&a->json, arr);

	for (i = 0; i < n && d->ncaa < ACME_CAA_MAX; i++)
		if (json_string(&a->json, json_array_elem(&a->json, arr, i),
		                d->caa[d->ncaa], sizeof(d->caa[0])) == 0 &&
		    d->caa[d->ncaa][0])
			d->ncaa++;
}

/* meta.profiles: {"name": "description", ...} into the directory. */
static void read_profiles(struct acme *a, int meta)
{
	struct acme_directory *d = &a->dir;
	int obj = json_find(&a->json, meta, "profiles"), k, i, n;

	if (obj < 0 || a->json.tok[obj].type != JSMN_OBJECT)
		return;
	n = a->json.tok[obj].size;
	for (i = 0, k = obj + 1; i < n && d->nprofiles < ACME_PROFILES_MAX;
	     i++, k = json_skip(&a->json, k + 1)) {
		if (json_string(&a->json, k, d->profile[d->nprofiles],
		                ACME_PROFILE_LEN) != 0)
			continue;
		if (json_string(&a->json, k + 1, d->profile_desc[d->nprofiles],
		                ACME_PROFILE_DESC) != 0)
			d->profile_desc[d->nprofiles][0] = '\0';
		d->nprofiles++;
	}
}

int acme_check_profile(struct acme *a, const char *url, const char *name)
{
	const struct acme_directory *d = &a->dir;
	char list[ACME_PROBLEM_MAX] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < d->nprofiles; i++)
		if (!strcmp(d->profile[i], name))
			return 0;
	for (i = 0; i < d->nprofiles && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s (%s)",
		                      i ? ", " : "", d->profile[i],
		                      d->profile_desc[i]);
	if (d->nprofiles == 0)
		log_err(a->log, "%s: the CA offers no certificate profiles; remove "
		        "--profile %s (profile =)", url, name);
	else
		log_err(a->log, "%s: the CA offers no profile '%s'; it offers: %s",
		        url, name, list);
	return AL_EINPUT;
}

int acme_get_directory(struct acme *a, const char *url)
{
	struct acme_directory *d = &a->dir;
	int rc, meta, eab;

	if ((rc = acme_http(a, "GET", url, NULL, 0)) != 0)
		return rc;
	if (a->resp.status != 200) {
		log_err(a->log, "%s: HTTP status %d; is --server the ACME directory "
		        "URL?", url, a->resp.status);
		return AL_EPROTO;
	}
	if ((rc = acme_parse(a, url)) != 0)
		return rc;
	memset(d, 0, sizeof(*d));
	get_str(a, 0, "newNonce", d->new_nonce, sizeof(d->new_nonce));
	get_str(a, 0, "newAccount", d->new_account, sizeof(d->new_account));
	get_str(a, 0, "newOrder", d->new_order, sizeof(d->new_order));
	get_str(a, 0, "revokeCert", d->revoke_cert, sizeof(d->revoke_cert));
	get_str(a, 0, "keyChange", d->key_change, sizeof(d->key_change));
	get_str(a, 0, "renewalInfo", d->renewal_info, sizeof(d->renewal_info));
	meta = json_find(&a->json, 0, "meta");
	if (meta >= 0) {
		get_str(a, meta, "termsOfService", d->terms_of_service,
		        sizeof(d->terms_of_service));
		eab = json_find(&a->json, meta, "externalAccountRequired");
		d->eab_required = eab >= 0 && json_bool(&a->json, eab) == 1;
		read_profiles(a, meta);
		read_caa(a, meta);
	}
	if (!d->new_nonce[0] || !d->new_account[0] || !d->new_order[0]) {
		log_err(a->log, "%s: not an ACME directory (newNonce, newAccount or "
		        "newOrder missing)", url);
		return AL_EPROTO;
	}
	if (https_only(a, url, "newNonce", d->new_nonce) != 0 ||
	    https_only(a, url, "newAccount", d->new_account) != 0 ||
	    https_only(a, url, "newOrder", d->new_order) != 0 ||
	    https_only(a, url, "revokeCert", d->revoke_cert) != 0 ||
	    https_only(a, url, "keyChange", d->key_change) != 0 ||
	    https_only(a, url, "renewalInfo", d->renewal_info) != 0)
		return AL_EPROTO;
	return 0;
}

/* The externalAccountBinding member of a newAccount payload. */
static int eab_member(struct acme *a, struct jw *w)
{
	struct jws_eab b;

	if (jws_eab(a->key, a->eab->kid, a->eab->key, a->eab->key_len,
	            a->dir.new_account, &b) != 0) {
		log_err(a->log, "--eab-kid: key id too long");
		return AL_E2BIG;
	}
	jw_key(w, "externalAccountBinding");
	jw_obj_begin(w);
	jw_key(w, "protected");
	jw_str(w, b.protected_hdr);
	jw_key(w, "payload");
	jw_str(w, b.payload);
	jw_key(w, "signature");
	jw_str(w, b.signature);
	jw_obj_end(w);
	return 0;
}

int acme_account(struct acme *a, const char *email, int agree_tos,
                 int only_existing, int *created)
{
	char payload[4096], mailto[320];
	struct jw w;
	int rc;

	*created = 0;
	jw_init(&w, payload, sizeof(payload));
	jw_obj_begin(&w);
	if (only_existing) {
		jw_key(&w, "onlyReturnExisting");
		jw_bool(&w, 1);
	} else {
		if (email && email[0]) {
			snprintf(mailto, sizeof(mailto), "mailto:%s", email);
			jw_key(&w, "contact");
			jw_arr_begin(&w);
			jw_str(&w, mailto);
			jw_arr_end(&w);
		}
		if (agree_tos) {
			jw_key(&w, "termsOfServiceAgreed");
			jw_bool(&w, 1);
		}
		if (a->eab && (rc = eab_member(a, &w)) != 0)
			return rc;
	}
	jw_obj_end(&w);
	if (jw_finish(&w, NULL) != 0)
		return AL_E2BIG;
	a->kid[0] = '\0'; /* newAccount is signed with the jwk (§7.3) */
	rc = acme_post(a, a->dir.new_account, payload);
	if (rc == AL_EPROTO && only_existing &&
	    strcmp(a->problem_type, "accountDoesNotExist") == 0)
		return AL_ENOENT;
	if (rc == AL_EPROTO && !only_existing && a->eab)
		log_err(a->log, "%s: account refused with the external account "
		        "binding of key id %s (check --eab-kid and --eab-hmac-key): "
		        "%s", a->dir.new_account, a->eab->kid, a->problem);
	else if (rc == AL_EPROTO)
		log_err(a->log, "%s: account refused: %s", a->dir.new_account,
		        a->problem);
	if (rc != 0)
		return rc;
	if (copy_url(a, a->kid, sizeof(a->kid), a->resp.location) != 0)
		return AL_EPROTO;
	*created = a->resp.status == 201;
	return 0;
}

/* Fill o from the order object in a->json. */
static int order_from_json(struct acme *a, struct acme_order *o)
{
	int arr, i, n;

	if (acme_parse(a, o->url) != 0)
		return AL_EPROTO;
	get_str(a, 0, "status", o->status, sizeof(o->status));
	get_str(a, 0, "finalize", o->finalize, sizeof(o->finalize));
	get_str(a, 0, "certificate", o->certificate, sizeof(o->certificate));
	arr = json_find(&a->json, 0, "authorizations");
	n = json_array_len(&a->json, arr);
	if (n > ACME_MAX_AUTHZ) {
		log_err(a->log, "%s: the order has %d authorizations, more than "
		        "the %d acmelet handles; ask for fewer names per "
		        "certificate", o->url, n, ACME_MAX_AUTHZ);
		return AL_EPROTO;
	}
	if (!o->status[0] || !o->finalize[0] || n < 0) {
		log_err(a->log, "%s: malformed order (status, finalize or "
		        "authorizations missing)", o->url);
		return AL_EPROTO;
	}
	if (https_only(a, o->url, "finalize", o->finalize) != 0 ||
	    https_only(a, o->url, "certificate", o->certificate) != 0)
		return AL_EPROTO;
	for (i = 0; i < n; i++) {
		if (json_string(&a->json, json_array_elem(&a->json, arr, i),
		                o->authz[i], sizeof(o->authz[i])) != 0) {
			log_err(a->log, "%s: bad authorization URL", o->url);
			return AL_EPROTO;
		}
		if (https_only(a, o->url, "authorization", o->authz[i]) != 0)
			return AL_EPROTO;
	}
	o->nauthz = n;
	snprintf(o->retry_after, sizeof(o->retry_after), "%s",
	         a->resp.retry_after);
	return 0;
}

/* 1 when s is an IPv4 or IPv6 literal (RFC 8738 identifiers). */
static int is_ip_literal(const char *s)
{
	return strchr(s, ':') != NULL || strspn(s, "0123456789.") == strlen(s);
}

/* The newOrder payload: identifiers, and replaces when given (RFC 9773). */
static int order_payload(const char *const *names, int n, const char *replaces,
                         const char *profile, char *out, size_t cap)
{
	struct jw w;
	int i;

	jw_init(&w, out, cap);
	jw_obj_begin(&w);
	jw_key(&w, "identifiers");
	jw_arr_begin(&w);
	for (i = 0; i < n; i++) {
		jw_obj_begin(&w);
		jw_key(&w, "type");
		jw_str(&w, is_ip_literal(names[i]) ? "ip" : "dns");
		jw_key(&w, "value");
		jw_str(&w, names[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	if (replaces && replaces[0]) {
		jw_key(&w, "replaces");
		jw_str(&w, replaces);
	}
	if (profile && profile[0]) {
		jw_key(&w, "profile");
		jw_str(&w, profile);
	}
	jw_obj_end(&w);
	return jw_finish(&w, NULL);
}

int acme_new_order(struct acme *a, const char *const *names, int n,
                   const char *replaces, const char *profile,
                   struct acme_order *o)
{
	char payload[ACME_REQ_MAX / 2];
	int rc;

	if (order_payload(names, n, replaces, profile, payload,
	                  sizeof(payload)) != 0)
		return AL_E2BIG;
	rc = acme_post(a, a->dir.new_order, payload);
	if (rc == AL_EPROTO && replaces && replaces[0] &&
	    !strcmp(a->problem_type, "alreadyReplaced")) {
		/* another order already replaces it: a plain order then */
		log_info(a->log, "%s: %s; ordering without replaces", names[0],
		         a->problem);
		order_payload(names, n, NULL, profile, payload, sizeof(payload));
		rc = acme_post(a, a->dir.new_order, payload);
	}
	if (rc != 0) {
		if (rc == AL_EPROTO)
			log_err(a->log, "%s: order refused: %s", names[0], a->problem);
		return rc;
	}
	memset(o, 0, sizeof(*o));
	if (copy_url(a, o->url, sizeof(o->url), a->resp.location) != 0)
		return AL_EPROTO;
	return order_from_json(a, o);
}

int acme_get_order(struct acme *a, struct acme_order *o)
{
	int rc = acme_post(a, o->url, NULL);

	if (rc != 0) {
		if (rc == AL_EPROTO)
			log_err(a->log, "%s: %s", o->url, a->problem);
		return rc;
	}
	return order_from_json(a, o);
}

/* Every challenge of the authorization in a->json (type, url, status,
 * token); one with a type or URL that does not fit is left out. */
static void authz_challenges(struct acme *a, struct acme_authz *az)
{
	int arr = json_find(&a->json, 0, "challenges");
	int i, n = json_array_len(&a->json, arr);

	for (i = 0; i < n && az->nchall < ACME_MAX_CHALL; i++) {
		struct acme_chall *ch = &az->chall[az->nchall];
		int c = json_array_elem(&a->json, arr, i);

		memset(ch, 0, sizeof(*ch));
		if (json_get_string(&a->json, c, "type", ch->type,
		                    sizeof(ch->type)) != 0 ||
		    json_get_string(&a->json, c, "url", ch->url,
		                    sizeof(ch->url)) != 0)
			continue;
		get_str(a, c, "status", ch->status, sizeof(ch->status));
		get_str(a, c, "token", ch->token, sizeof(ch->token));
		az->nchall++;
	}
}

int acme_get_authz(struct acme *a, const char *url, struct acme_authz *az)
{
	int rc, id, wc;

	memset(az, 0, sizeof(*az));
	if ((rc = acme_post(a, url, NULL)) != 0) {
		if (rc == AL_EPROTO)
			log_err(a->log, "%s: %s", url, a->problem);
		return rc;
	}
	if ((rc = acme_parse(a, url)) != 0)
		return rc;
	get_str(a, 0, "status", az->status, sizeof(az->status));
	id = json_find(&a->json, 0, "identifier");
	if (id >= 0) {
		get_str(a, id, "value", az->identifier, sizeof(az->identifier));
		get_str(a, id, "type", az->id_type, sizeof(az->id_type));
	}
	wc = json_find(&a->json, 0, "wildcard");
	az->wildcard = wc >= 0 && json_bool(&a->json, wc) == 1;
	authz_challenges(a, az);
	if (!az->status[0] || !az->identifier[0]) {
		log_err(a->log, "%s: malformed authorization", url);
		return AL_EPROTO;
	}
	return 0;
}

int acme_answer_challenge(struct acme *a, const char *url)
{
	int rc = acme_post(a, url, "{}");

	if (rc == AL_EPROTO)
		log_err(a->log, "%s: challenge refused: %s", url, a->problem);
	return rc;
}

int acme_finalize(struct acme *a, struct acme_order *o,
                  const unsigned char *csr, size_t csr_len)
{
	char payload[ACME_REQ_MAX / 2], b64[ACME_REQ_MAX / 2];
	size_t b64_len;
	struct jw w;
	int rc;

	if (b64url_encode(csr, csr_len, b64, sizeof(b64), &b64_len) != 0)
		return AL_E2BIG;
	jw_init(&w, payload, sizeof(payload));
	jw_obj_begin(&w);
	jw_key(&w, "csr");
	jw_str(&w, b64);
	jw_obj_end(&w);
	if (jw_finish(&w, NULL) != 0)
		return AL_E2BIG;
	if ((rc = acme_post(a, o->finalize, payload)) != 0) {
		if (rc == AL_EPROTO)
			log_err(a->log, "%s: finalize refused: %s", o->finalize,
			        a->problem);
		return rc;
	}
	return order_from_json(a, o);
}

int acme_download(struct acme *a, const char *url, char *out, size_t cap,
                  size_t *len)
{
	int rc = acme_post(a, url, NULL);

	if (rc != 0) {
		if (rc == AL_EPROTO)
			log_err(a->log, "%s: %s", url, a->problem);
		return rc;
	}
	if (a->resp.body_len >= cap) {
		log_err(a->log, "%s: certificate chain too large", url);
		return AL_E2BIG;
	}
	memcpy(out, a->body, a->resp.body_len);
	out[a->resp.body_len] = '\0';
	*len = a->resp.body_len;
	return 0;
}

int acme_authz_problem(struct acme *a, const char *url)
{
	int arr, i, n, err;
	char type[128] = "", detail[512] = "";

	a->problem[0] = '\0';
	if (acme_post(a, url, NULL) != 0 || acme_parse(a, url) != 0)
		return AL_EPROTO;
	arr = json_find(&a->json, 0, "challenges");
	n = json_array_len(&a->json, arr);
	for (i = 0; i < n; i++) {
		err = json_find(&a->json, json_array_elem(&a->json, arr, i), "error");
		if (err < 0)
			continue;
		get_str(a, err, "type", type, sizeof(type));
		get_str(a, err, "detail", detail, sizeof(detail));
		snprintf(a->problem, sizeof(a->problem), "%s: %s",
		         short_type(type), detail);
		return 0;
	}
	snprintf(a->problem, sizeof(a->problem), "no error detail given");
	return 0;
}
