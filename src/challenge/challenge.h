/* Ways to prove control of an identifier (C1-C4, D6, N1), one file each in
 * src/challenge/, behind one small "class" in BearSSL's manner: an object
 * starts with a pointer to its vtable, and every operation takes the
 * address of that pointer as self. lego's Provider (Present/CleanUp) is the
 * shape; prepare() is done before any CA contact so that a busy port or a
 * missing directory fails before an order exists.
 *
 * Which method answers what: with --challenge-hook the hook answers every
 * type; otherwise each configured type has its own built-in method
 * (http-01: the responder, --challenge-dir or --webroot; tls-alpn-01: its
 * TLS server; dns-*: RFC 2136 updates). For each authorization the first
 * type of the preference (--challenge) that the CA offers and that fits the
 * identifier is presented; a method that declines (AL_EDECLINED) makes the
 * next type be tried. */
#ifndef ACMELET_CHALLENGE_H
#define ACMELET_CHALLENGE_H

#include <stddef.h>

struct ctx;
struct acme_authz;

#define CHALLENGE_MAX_METHODS 6
#define CHALLENGE_MAX_TYPES 5   /* http-01 tls-alpn-01 dns-01 dns-persist-01 dns-account-01 */
#define CHALLENGE_TYPE_MAX 24
#define CHALLENGE_DIGEST_LEN 43 /* base64url of 32 bytes, no padding */

/* One authorization to answer, as a method sees it. Every string is
 * NUL-terminated and lives until cleanup() returned. */
struct challenge_auth {
	const char *type;      /* "http-01", "tls-alpn-01", "dns-01", ... */
	const char *id_type;   /* ACME identifier type: "dns" or "ip" */
	const char *id_value;  /* the name without "*.", or the IP literal */
	int wildcard;          /* the identifier was "*.<id_value>" */
	const char *token;     /* base64url (checked before any method sees it) */
	const char *keyauth;   /* token "." account thumbprint */
	const char *digest;    /* base64url(SHA-256(keyauth)) (dns-01, tls-alpn-01) */
	const char *url;       /* the challenge's URL */
};

struct challenge_class {
	const char *name;      /* for log lines: "http-01 responder", "webroot" */
	/* 1 when this method can answer challenges of type for identifiers of
	 * id_type ("dns" or "ip"). Pure, no I/O. */
	int (*handles)(const struct challenge_class **self, const char *type,
	               const char *id_type);
	/* Before any CA contact: open ports, check directories. 0, or an AL_E*
	 * code after one log line that says what to do. */
	int (*prepare)(const struct challenge_class **self, struct ctx *c);
	/* Make a answerable (serve it, write it, run the hook, ...). 0; or
	 * AL_EDECLINED (logged at info) to have the next preferred type tried;
	 * or another AL_E* code after one log line. Waits go through c->loop. */
	int (*present)(const struct challenge_class **self, struct ctx *c,
	               const struct challenge_auth *a);
	/* The CA is done with a (ok: it became valid) or the order was given
	 * up: remove what present() made. Logs its own trouble, never fails. */
	void (*cleanup)(const struct challenge_class **self, struct ctx *c,
	                const struct challenge_auth *a, int ok);
	/* Validation requests answered so far, for the wait before the first
	 * order poll; -1 when the method cannot know (a file, a hook). */
	long (*answered)(const struct challenge_class **self);
	/* Close sockets and free the object; self is invalid afterwards. */
	void (*close)(const struct challenge_class **self, struct ctx *c);
};

/* A method's constructor: allocate and set *out (not prepared yet). 0 or
 * an AL_E* code after one log line (e.g. "this build lacks tls-alpn-01"). */
typedef int (*challenge_open_fn)(struct ctx *c,
                                 const struct challenge_class ***out);

/* For constructors: a zeroed method object of size bytes whose first
 * member is the class pointer, set to cls, and *out its self; NULL after
 * one line when memory is short. */
void *challenge_new(struct ctx *c, size_t size,
                    const struct challenge_class *cls,
                    const struct challenge_class ***out);

/* The methods of src/challenge/: http01.c (the built-in responder, or
 * webroot.c with --challenge-dir / --webroot), hook.c (--challenge-hook),
 * tls_alpn.c, dns01.c. challenge.c's table maps a type to its built-in
 * constructor. */
int http01_open(struct ctx *c, const struct challenge_class ***out);
int webroot_open(struct ctx *c, const struct challenge_class ***out);
int chook_open(struct ctx *c, const struct challenge_class ***out);
/* tls-alpn-01 (src/challenge/tls_alpn.c, Kconfig CHALLENGE_TLSALPN; else
 * tls_alpn_none.c, whose open fails with one line). */
int tls_alpn_open(struct ctx *c, const struct challenge_class ***out);

/* At start: remove challenge files a killed run left behind (their
 * tokens are in the journal), then forget them. */
void webroot_leftovers(struct ctx *c);

/* dns-01 by RFC 2136 (dns01.c; dns01_none.c without CHALLENGE_DNS), and
 * at start the removal of the TXT values a killed run left. */
int dns01_open(struct ctx *c, const struct challenge_class ***out);
void dns01_leftovers(struct ctx *c);

/* dns-persist-01 (dns_persist.c, Kconfig CHALLENGE_DNS_PERSIST; else
 * dns_persist_none.c, whose open fails with one line). The method writes
 * nothing; dns_persist_check, called once the account is known and
 * before the order is made, asks the authoritative servers for each
 * name's _validation-persist record: 0 when each is right (or when the
 * method is not in use), else a code after one line saying what is
 * missing or wrong (with another type to fall back on, that name is only
 * declined, and the line is at info level). */
int dns_persist_open(struct ctx *c, const struct challenge_class ***out);
int dns_persist_check(struct ctx *c);

/* 1 when t is a challenge type acmelet knows (--challenge's vocabulary). */
int challenge_type_known(const char *t);

/* Split a --challenge list ("http-01,tls-alpn-01", blanks or commas; NULL
 * or "" is "http-01") into types; returns how many (at most max). */
int challenge_prefs(const char *list, char types[][CHALLENGE_TYPE_MAX],
                    int max);

/* The opened method that answers type for id_type, or NULL. */
const struct challenge_class **challenge_method(struct ctx *c,
                                                const char *type,
                                                const char *id_type);

/* Open and prepare the methods the configuration asks for, into c's
 * method list. Before any CA contact. 0 or an AL_E* code (logged). */
int challenge_setup(struct ctx *c);

/* Close every method (after cleanup of every authorization). */
void challenge_close_all(struct ctx *c);

/* 1 when a challenge of type may answer an identifier of id_type
 * (wildcard or not): wildcards only DNS types, IPs only http-01 and
 * tls-alpn-01 (RFC 8738 §7). */
int challenge_type_fits(const char *type, const char *id_type, int wildcard);

/* base64url(SHA-256(keyauth)) into out (CHALLENGE_DIGEST_LEN + 1 bytes). */
void challenge_digest(const char *keyauth, char *out);

/* 1 when s is a non-empty base64url string (a token fit for a path). */
int challenge_token_ok(const char *s);

#endif
