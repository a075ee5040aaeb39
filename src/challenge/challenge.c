/* The challenge methods of one issuance: which to open for the
 * configuration, the identifier rules, and helpers every method shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "b64.h"
#include "challenge.h"
#include "crypto.h"
#include "err.h"

/* The built-in method of each type; a type a build lacks has a *_none.c
 * constructor that says so. */
static const struct {
	const char *type;
	challenge_open_fn open;
} builtin[] = {
	{ "http-01", http01_open },
	{ "tls-alpn-01", tls_alpn_open },
	{ "dns-01", dns01_open },
	{ "dns-account-01", dns01_open },
	{ "dns-persist-01", dns_persist_open },
};

int challenge_type_known(const char *t)
{
	static const char *const known[] = { "http-01", "tls-alpn-01", "dns-01",
	                                     "dns-persist-01", "dns-account-01" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(t, known[i]))
			return 1;
	return 0;
}

int challenge_prefs(const char *list, char types[][CHALLENGE_TYPE_MAX],
                    int max)
{
	const char *p = list && *list ? list : "http-01";
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, " \t,");

		if (len > 0 && len < CHALLENGE_TYPE_MAX && n < max) {
			memcpy(types[n], p, len);
			types[n][len] = '\0';
			n++;
		}
		p += len;
		p += strspn(p, " \t,");
	}
	return n;
}

void *challenge_new(struct ctx *c, size_t size,
                    const struct challenge_class *cls,
                    const struct challenge_class ***out)
{
	const struct challenge_class **self = calloc(1, size);

	if (!self) {
		log_err(&c->log, "%s: out of memory", cls->name);
		return NULL;
	}
	*self = cls;
	*out = self;
	return self;
}

static int add_method(struct ctx *c, challenge_open_fn open)
{
	int rc;

	if (c->nmethods >= CHALLENGE_MAX_METHODS)
		return AL_E2BIG;
	if ((rc = open(c, &c->methods[c->nmethods])) != 0)
		return rc;
	c->nmethods++;
	return (*c->methods[c->nmethods - 1])->prepare(c->methods[c->nmethods - 1],
	                                              c);
}

/* Open and prepare the methods: the hook alone, or each preferred type's
 * built-in one. */
int challenge_setup(struct ctx *c)
{
	char types[CHALLENGE_MAX_TYPES][CHALLENGE_TYPE_MAX];
	int n, i, rc = 0;
	size_t k;

	if (c->cfg->challenge_hook && c->cfg->challenge_hook[0])
		return add_method(c, chook_open);
	n = challenge_prefs(c->cfg->challenge, types, CHALLENGE_MAX_TYPES);
	for (i = 0; i < n && rc == 0; i++) {
		for (k = 0; k < sizeof(builtin) / sizeof(builtin[0]); k++)
			if (!strcmp(builtin[k].type, types[i]))
				break;
		if (k == sizeof(builtin) / sizeof(builtin[0])) {
			log_err(&c->log, "%s: challenge type %s has no built-in "
			        "method in this acmelet; use --challenge-hook or "
			        "another --challenge", c->cfg->cert_name, types[i]);
			return AL_EINPUT;
		}
		rc = add_method(c, builtin[k].open);
	}
	return rc;
}

void challenge_close_all(struct ctx *c)
{
	while (c->nmethods > 0) {
		const struct challenge_class **m = c->methods[--c->nmethods];

		(*m)->close(m, c);
		c->methods[c->nmethods] = NULL;
	}
}

const struct challenge_class **challenge_method(struct ctx *c,
                                                const char *type,
                                                const char *id_type)
{
	int i;

	for (i = 0; i < c->nmethods; i++)
		if ((*c->methods[i])->handles(c->methods[i], type, id_type))
			return c->methods[i];
	return NULL;
}

int challenge_type_fits(const char *type, const char *id_type, int wildcard)
{
	int dns_type = strncmp(type, "dns-", 4) == 0;

	if (wildcard)
		return dns_type;
	if (!strcmp(id_type, "ip"))
		return !strcmp(type, "http-01") || !strcmp(type, "tls-alpn-01");
	return !strcmp(id_type, "dns");
}

void challenge_digest(const char *keyauth, char *out)
{
	unsigned char d[32];
	size_t len;

	sha256(keyauth, strlen(keyauth), d);
	if (b64url_encode(d, sizeof(d), out, CHALLENGE_DIGEST_LEN + 1, &len) != 0)
		out[0] = '\0';
}

int challenge_token_ok(const char *t)
{
	if (!*t)
		return 0;
	for (; *t; t++)
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		      (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
			return 0;
	return 1;
}
