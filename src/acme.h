/* The RFC 8555 client: directory, nonces, signed requests, account, order,
 * authorizations, challenges, finalize, download. One struct acme per run;
 * it owns the bounded request and response buffers. The retry policy for
 * badNonce lives in one place (acme_post). No file or key storage here. */
#ifndef ACMELET_ACME_H
#define ACMELET_ACME_H

#include <stddef.h>
#include "http/http.h"
#include "json.h"

struct key;
struct logger;
struct port;

#define ACME_URL_MAX 512
#define ACME_BODY_MAX 65536   /* largest answer we accept (a long chain) */
#define ACME_REQ_MAX 16384    /* largest signed request (100-name CSR) */
#define ACME_TOKENS 1024      /* JSON tokens per answer */
#define ACME_MAX_AUTHZ 100    /* S5 */
#define ACME_BAD_NONCE_MAX 64 /* tries of one request, whatever the budget */
#define ACME_PROBLEM_MAX 1024
#define ACME_STATUS_MAX 16
#define ACME_PROFILES_MAX 8   /* meta.profiles kept from the directory */
#define ACME_PROFILE_LEN 64
#define ACME_PROFILE_DESC 160
#define ACME_CAA_MAX 4        /* meta.caaIdentities kept */

struct acme_directory {
	char new_nonce[ACME_URL_MAX];
	char new_account[ACME_URL_MAX];
	char new_order[ACME_URL_MAX];
	char revoke_cert[ACME_URL_MAX];
	char key_change[ACME_URL_MAX];
	char renewal_info[ACME_URL_MAX];
	char terms_of_service[ACME_URL_MAX];
	int eab_required;
	int ncaa;                     /* meta.caaIdentities: the CA's issuer */
	char caa[ACME_CAA_MAX][256];  /* domain names (dns-persist-01) */
	int nprofiles;                /* meta.profiles (M3) */
	char profile[ACME_PROFILES_MAX][ACME_PROFILE_LEN];
	char profile_desc[ACME_PROFILES_MAX][ACME_PROFILE_DESC];
};

struct acme_order {
	char url[ACME_URL_MAX];
	char status[ACME_STATUS_MAX];
	char finalize[ACME_URL_MAX];
	char certificate[ACME_URL_MAX];
	int nauthz;
	char authz[ACME_MAX_AUTHZ][ACME_URL_MAX];
	char retry_after[HTTP_RETRY_AFTER_MAX]; /* as the server sent it */
};

#define ACME_MAX_CHALL 6       /* challenges kept per authorization */
#define ACME_TOKEN_MAX 128

/* One challenge of an authorization (RFC 8555 §8). */
struct acme_chall {
	char type[24];         /* "http-01", "dns-01", ...; longer ones are dropped */
	char url[ACME_URL_MAX];
	char status[ACME_STATUS_MAX];
	char token[ACME_TOKEN_MAX];
};

struct acme_authz {
	char identifier[256];  /* the value: a name (without "*.") or an IP */
	char id_type[8];       /* "dns" or "ip" */
	char status[ACME_STATUS_MAX];
	int wildcard;
	int nchall;            /* every challenge offered, up to ACME_MAX_CHALL */
	struct acme_chall chall[ACME_MAX_CHALL];
};

/* An external account binding's key id and HMAC key (M4). */
#define ACME_EAB_KEY_MAX 256
struct acme_eab {
	const char *kid;
	unsigned char key[ACME_EAB_KEY_MAX];
	size_t key_len;
};

struct acme {
	struct http *http;
	const struct logger *log;
	const struct key *key;       /* account key */
	const struct acme_eab *eab;  /* binding for a new account, or NULL */
	char kid[ACME_URL_MAX];       /* account URL once known */
	char nonce[HTTP_NONCE_MAX];   /* next nonce to use, "" when none */
	struct acme_directory dir;
	unsigned bad_nonces;          /* badNonce retries, for the log */
	struct port *port;            /* clock of the badNonce budget, or NULL */
	int budget_ms;                /* one request with its badNonce retries */
	/* Last answer: problem text (type: detail; subproblems) when it was an
	 * error, "" otherwise. */
	char problem[ACME_PROBLEM_MAX];
	char problem_type[128];
	struct http_response resp;
	struct json json;
	jsmntok_t tok[ACME_TOKENS];
	unsigned char body[ACME_BODY_MAX];
	char req[ACME_REQ_MAX];
};

/* Prepare a client over an open transport. key may be set later. */
void acme_init(struct acme *a, struct http *h, const struct logger *log);

/* Let every signed request retry badNonce, each time with the fresh nonce
 * the CA sent, for up to budget_ms on port's monotonic clock (issue 12;
 * without a budget, ACME_BAD_NONCE_MAX tries). */
void acme_set_budget(struct acme *a, struct port *port, int budget_ms);

/* Sign payload (NULL: POST-as-GET) with a->key (kid a->kid, or the jwk
 * when a->kid is "") for url and send it. On a 2xx answer returns 0; an
 * error answer fills a->problem and returns AL_EPROTO. badNonce is retried
 * while each answer brings a fresh nonce, within the budget
 * (acme_set_budget; AL_EFAIL after one line once spent). Logs only those
 * and transport failures: the caller names what was refused. */
int acme_post(struct acme *a, const char *url, const char *payload);

/* Fetch and parse the directory at url. */
int acme_get_directory(struct acme *a, const char *url);

/* 0 when the directory offers the certificate profile name (M3); else
 * AL_EINVAL after one line listing the profiles offered, with their
 * descriptions. */
int acme_check_profile(struct acme *a, const char *url, const char *name);

/* Find or create the account of a->key (RFC 8555 §7.3). With
 * only_existing set, AL_ENOENT means the CA has no account for this key.
 * Otherwise a new account is created; agree_tos says the operator agreed to
 * dir.terms_of_service; a->eab, when set, goes along as the external
 * account binding. *created is 1 when the CA made a new account. On
 * success a->kid holds the account URL. */
int acme_account(struct acme *a, const char *email, int agree_tos,
                 int only_existing, int *created);

/* Create an order for names (DNS names, or IP literals per RFC 8738).
 * replaces is the ARI id of the certificate this one renews (RFC 9773
 * §5), or NULL; when the CA says it was already replaced, a plain order is
 * made instead, with a note. profile is the certificate profile (M3), or
 * NULL for the CA's default. */
int acme_new_order(struct acme *a, const char *const *names, int n,
                   const char *replaces, const char *profile,
                   struct acme_order *o);

/* Refresh o from o->url (POST-as-GET). */
int acme_get_order(struct acme *a, struct acme_order *o);

/* Fetch an authorization with every challenge it offers. */
int acme_get_authz(struct acme *a, const char *url, struct acme_authz *az);

/* Tell the CA a challenge is ready to be validated (POST {}). */
int acme_answer_challenge(struct acme *a, const char *url);

/* Send the CSR (DER) to o->finalize; o is updated from the answer. */
int acme_finalize(struct acme *a, struct acme_order *o,
                  const unsigned char *csr, size_t csr_len);

/* Download the certificate chain as served (PEM, S1) into out. */
int acme_download(struct acme *a, const char *url, char *out, size_t cap,
                  size_t *len);

/* The problem detail of the authorization's failed challenge, fetched
 * from url, copied into a->problem. */
int acme_authz_problem(struct acme *a, const char *url);

/* What the CA says of an account (RFC 8555 §7.1.2). */
struct acme_account_info {
	char status[ACME_STATUS_MAX];  /* valid, deactivated, revoked */
	char contact[320];             /* the first contact, or "" */
	int ncontacts;
};

/* POST-as-GET of the account a->kid into info. */
int acme_account_get(struct acme *a, struct acme_account_info *info);

/* Replace the account's contacts with mailto:email. */
int acme_account_update(struct acme *a, const char *email);

/* Deactivate the account (§7.3.6). AL_ENOENT when the CA answers that it
 * is deactivated already (one line logged by the caller). */
int acme_account_deactivate(struct acme *a);

/* Roll the account a->kid over to newk (§7.3.5): the inner JWS is signed
 * by newk with its jwk, the outer by a->key with the kid. 0 when the CA
 * took the new key (a->key is then newk); AL_EINVAL after one line when
 * it answered no; other codes when there was no answer to trust (the
 * outcome is unknown: ask the CA which key it holds). */
int acme_key_change(struct acme *a, const struct key *newk);

/* Revoke the certificate der (§7.6) with reason (-1: none), signed by
 * a->key: with the kid when a->kid is set, else with the jwk (the
 * certificate's own key). AL_ENOENT when the CA says it was revoked
 * already. Logs one line on failure. */
int acme_revoke(struct acme *a, const unsigned char *der, size_t len,
                int reason);

#endif
