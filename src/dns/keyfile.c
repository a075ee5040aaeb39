/* BIND key files: a tiny tokenizer for the key statement (named.conf
 * syntax: words, quoted strings, braces, semicolons, three comment
 * styles), enough for what tsig-keygen writes and hand edits of it. */
#include <string.h>

#include "b64.h"
#include "dns/keyfile.h"
#include "err.h"
#include "log.h"
#include "port.h"

struct tok {
	const char *p, *end;
	const char *s;  /* the token */
	size_t n;
	int quoted;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skip blanks and comments; 0, or -1 for an unterminated comment. */
static int skip(struct tok *t)
{
	for (;;) {
		while (t->p < t->end && is_space(*t->p))
			t->p++;
		if (t->p < t->end && (*t->p == '#' || (*t->p == '/' &&
		    t->end - t->p > 1 && t->p[1] == '/'))) {
			while (t->p < t->end && *t->p != '\n')
				t->p++;
		} else if (t->end - t->p > 1 && t->p[0] == '/' && t->p[1] == '*') {
			const char *q;

			for (q = t->p + 2; q + 1 < t->end; q++)
				if (q[0] == '*' && q[1] == '/')
					break;
			if (q + 1 >= t->end)
				return -1;
			t->p = q + 2;
		} else {
			return 0;
		}
	}
}

/* The next token: 1, 0 at the end, -1 when garbled. */
static int next(struct tok *t)
{
	if (skip(t))
		return -1;
	if (t->p >= t->end)
		return 0;
	t->quoted = 0;
	t->s = t->p;
	if (*t->p == '{' || *t->p == '}' || *t->p == ';') {
		t->n = 1;
		t->p++;
		return 1;
	}
	if (*t->p == '"') {
		const char *q = memchr(t->p + 1, '"', (size_t)(t->end - t->p - 1));

		if (!q)
			return -1;
		t->quoted = 1;
		t->s = t->p + 1;
		t->n = (size_t)(q - t->s);
		t->p = q + 1;
		return 1;
	}
	while (t->p < t->end && !is_space(*t->p) && !strchr("{};\"", *t->p))
		t->p++;
	t->n = (size_t)(t->p - t->s);
	/* Nothing taken: a NUL byte (strchr finds the terminator), which no
	 * key file has. Returning an empty word would never move on. */
	return t->n ? 1 : -1;
}

static int tok_is(const struct tok *t, const char *w)
{
	size_t i;

	if (t->quoted || t->n != strlen(w))
		return 0;
	for (i = 0; i < t->n; i++)
		if ((t->s[i] | 0x20) != w[i])
			return 0;
	return 1;
}

/* Standard base64 with padding, as BIND writes it: decoded through the
 * base64url decoder after mapping the alphabet. */
static int secret_decode(const char *s, size_t n, struct tsig_key *k)
{
	char u[TSIG_SECRET_MAX * 2];
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (is_space(c))
			continue;
		if (c == '=')
			break;
		if (o >= sizeof(u))
			return AL_E2BIG;
		u[o++] = c == '+' ? '-' : c == '/' ? '_' :
		         (c == '-' || c == '_') ? '!' : c;
	}
	if (b64url_decode(u, o, k->secret, sizeof(k->secret),
	                  &k->secret_len) || k->secret_len == 0)
		return AL_EPROTO;
	return 0;
}

/* The statements inside the braces of the key statement. */
static int key_body(struct tok *t, struct tsig_key *k, const char **why)
{
	int alg = 0, sec = 0, r;

	while ((r = next(t)) == 1 && !tok_is(t, "}")) {
		if (tok_is(t, "algorithm")) {
			if (next(t) != 1 || !tok_is(t, "hmac-sha256")) {
				*why = "only algorithm hmac-sha256 is supported";
				return AL_EPROTO;
			}
			alg = 1;
		} else if (tok_is(t, "secret")) {
			if (next(t) != 1 || !t->quoted ||
			    secret_decode(t->s, t->n, k)) {
				*why = "the secret is not base64";
				return AL_EPROTO;
			}
			sec = 1;
		}
		while ((r = next(t)) == 1 && !tok_is(t, ";"))
			;
		if (r != 1)
			break;
	}
	if (r != 1) {
		*why = "the key statement is not closed";
		return AL_EPROTO;
	}
	if (!alg || !sec) {
		*why = alg ? "no secret" : "no algorithm";
		return AL_EPROTO;
	}
	return 0;
}

int tsig_key_parse(const char *text, size_t len, struct tsig_key *k,
                   const char **why)
{
	struct tok t = { text, text + len, NULL, 0, 0 };
	int r;

	memset(k, 0, sizeof(*k));
	*why = "no key statement";
	while ((r = next(&t)) == 1 && !tok_is(&t, "key"))
		;
	if (r != 1)
		return AL_EPROTO;
	if (next(&t) != 1 || t.n == 0 || t.n >= 256) {
		*why = "the key has no name";
		return AL_EPROTO;
	}
	memcpy(k->name, t.s, t.n);
	/* "acme-key." and "acme-key" are one name; keep the parser's form */
	k->name[t.n - (t.n > 1 && t.s[t.n - 1] == '.')] = 0;
	if (strpbrk(k->name, " \t\r\n\\")) {
		*why = "the key name is not a DNS name";
		return AL_EPROTO;
	}
	if (next(&t) != 1 || !tok_is(&t, "{")) {
		*why = "no { after the key name";
		return AL_EPROTO;
	}
	return key_body(&t, k, why);
}

int tsig_key_load(struct port *p, const struct logger *lg, const char *path,
                  struct tsig_key *k)
{
	char buf[TSIG_KEYFILE_MAX];
	const char *why;
	size_t len;
	int r;

	r = port_world_readable(p, path);
	if (r == 1) {
		log_err(lg, "TSIG key %s: readable by every user; "
		        "chmod o-r %s (it is a secret)", path, path);
		return AL_EINVAL;
	}
	if (r < 0 || (r = port_read_file(p, path, buf, sizeof(buf), &len))) {
		log_err(lg, "TSIG key %s: cannot read it%s; give --tsig-key "
		        "a key file written by tsig-keygen", path,
		        r == AL_ENOENT ? " (no such file)" :
		        r == AL_E2BIG ? " (too large)" : "");
		return AL_EINVAL;
	}
	r = tsig_key_parse(buf, len, k, &why);
	memset(buf, 0, sizeof(buf));
	if (r) {
		log_err(lg, "TSIG key %s: %s; write it with "
		        "tsig-keygen -a hmac-sha256 NAME", path, why);
		return AL_EINVAL;
	}
	return 0;
}
