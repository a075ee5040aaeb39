/* CONFIG_ARI off (tinyconfig): no ACME Renewal Information. The agent then
 * renews at one third of the lifetime left, as it does with a CA that has
 * no renewalInfo, and a renewal order names no certificate it replaces. */
#include <string.h>

#include "ari.h"
#include "err.h"

/* Always AL_EINVAL, as for a certificate without AKI: no identifier. */
int ari_cert_id(const struct cert_facts *f, char *out, size_t cap)
{
	(void)f;
	if (out && cap)
		out[0] = '\0';
	return AL_EINVAL;
}

/* Always AL_ENOENT, as for a CA without renewalInfo; nothing logged, w
 * cleared. */
int ari_fetch(struct acme *a, const struct cert_facts *f, int64_t now,
              struct ari_window *w)
{
	(void)a;
	(void)f;
	(void)now;
	memset(w, 0, sizeof(*w));
	return AL_ENOENT;
}

/* No run state without ARI. */
int ari_state_load(struct port *p, const char *state_dir, const char *name,
                   const struct cert_facts *f, struct ari_state *st)
{
	(void)p;
	(void)state_dir;
	(void)name;
	(void)f;
	memset(st, 0, sizeof(*st));
	return AL_ENOENT;
}

int ari_state_save(struct port *p, const char *state_dir, const char *name,
                   const struct cert_facts *f, const struct ari_state *st)
{
	(void)p;
	(void)state_dir;
	(void)name;
	(void)f;
	(void)st;
	return AL_ENOENT;
}
