/* The external account binding's settings (M4): the key id, and the HMAC
 * key as the CA handed it out (base64url), given inline or read from a
 * file with @FILE so it need not appear in a process listing. */
#include <stdio.h>
#include <string.h>

#include "acme.h"
#include "b64.h"
#include "cli.h"
#include "eab.h"
#include "err.h"
#include "log.h"
#include "port.h"

/* Trim blanks and line ends, and base64 padding, which some CAs show. */
static size_t key_text(char *s, size_t n)
{
	while (n > 0 && strchr(" \t\r\n=", s[n - 1]))
		n--;
	s[n] = '\0';
	return n;
}

int eab_load(struct port *p, const struct logger *log,
             const struct config *cfg, struct acme_eab *e)
{
	char text[ACME_EAB_KEY_MAX * 2], *t = text;
	const char *src = cfg->eab_hmac_key;
	size_t n;
	int rc;

	memset(e, 0, sizeof(*e));
	if (!cfg->eab_kid && !src)
		return AL_ENOENT;
	if (!cfg->eab_kid || !src) {
		log_err(log, "external account binding needs both --eab-kid and "
		        "--eab-hmac-key (eab-kid = and eab-hmac-key = in the file)");
		return AL_EINPUT;
	}
	if (src[0] == '@') {
		rc = port_read_file(p, src + 1, text, sizeof(text) - 1, &n);
		if (rc != 0) {
			log_err(log, "%s: cannot read the EAB HMAC key%s", src + 1,
			        rc == AL_E2BIG ? " (too long)" : port_read_why(rc));
			return AL_EINPUT;
		}
		text[n] = '\0';
		while (*t == ' ' || *t == '\t')
			t++;
	} else if ((n = strlen(src)) < sizeof(text)) {
		memcpy(text, src, n + 1);
	} else {
		n = sizeof(text); /* too long: refused below */
		text[0] = '\0';
	}
	n = key_text(t, strlen(t));
	rc = n ? b64url_decode(t, n, e->key, sizeof(e->key), &e->key_len) : 1;
	explicit_bzero(text, sizeof(text));
	if (rc != 0 || e->key_len == 0) {
		log_err(log, "--eab-hmac-key: not a base64url key (as the CA shows "
		        "it: letters, digits, '-' and '_')");
		return AL_EINPUT;
	}
	e->kid = cfg->eab_kid;
	return 0;
}
