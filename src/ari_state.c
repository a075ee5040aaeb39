/* ARI run state (M1) in the port's RAM directory: one small text file per
 * certificate, "<ari-id> <start> <end> <pick> <next_ask>\n", named after a
 * hash of the state directory and the certificate name so that several
 * state directories (and tests) never share one. Lost at a reboot, which
 * costs one renewalInfo request. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ari.h"
#include "b64.h"
#include "crypto.h"
#include "der.h"
#include "err.h"
#include "port.h"

#define STATE_LINE_MAX 512
#define ID_MAX (B64URL_LEN(CERT_KEYID_MAX) + 1 + B64URL_LEN(CERT_SERIAL_MAX) + 1)

/* RUNDIR/ari-<first 16 hex of SHA-256(state_dir "\n" name)> */
static int state_path(struct port *p, const char *state_dir, const char *name,
                      char *out, size_t cap, char *dir, size_t dcap)
{
	const char *rd = port_runtime_dir(p);
	unsigned char h[32];
	char in[1024];
	int n;

	if (!rd)
		return AL_ENOENT;
	n = snprintf(in, sizeof(in), "%s\n%s", state_dir, name);
	if (n < 0 || (size_t)n >= sizeof(in))
		return AL_E2BIG;
	sha256(in, (size_t)n, h);
	snprintf(dir, dcap, "%s", rd);
	n = snprintf(out, cap, "%s/ari-%02x%02x%02x%02x%02x%02x%02x%02x", rd,
	             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
	return n > 0 && (size_t)n < cap ? 0 : AL_E2BIG;
}

int ari_state_load(struct port *p, const char *state_dir, const char *name,
                   const struct cert_facts *f, struct ari_state *st)
{
	char path[600], dir[300], line[STATE_LINE_MAX], id[ID_MAX], got[192];
	long long v[4];
	size_t len;
	char *q, *end;
	int i;

	memset(st, 0, sizeof(*st));
	if (state_path(p, state_dir, name, path, sizeof(path), dir,
	               sizeof(dir)) != 0 ||
	    ari_cert_id(f, id, sizeof(id)) != 0 ||
	    port_read_file(p, path, line, sizeof(line) - 1, &len) != 0)
		return AL_ENOENT;
	line[len] = '\0';
	/* no sscanf: it would pull a scanner into the static binary */
	if (!(q = strchr(line, ' ')) || (size_t)(q - line) >= sizeof(got))
		return AL_ENOENT;
	memcpy(got, line, (size_t)(q - line));
	got[q - line] = '\0';
	for (i = 0; i < 4; i++, q = end) {
		v[i] = strtoll(q, &end, 10);
		if (end == q || (*end != ' ' && *end != '\n'))
			return AL_ENOENT;
	}
	if (strcmp(got, id) != 0 || v[1] <= v[0])
		return AL_ENOENT;
	/* RAM that someone else could write, or a clock set back: a pick
	 * past nine tenths of the lifetime, or a next ask more than a day
	 * (the longest Retry-After honoured) away, is not believed */
	if (v[2] > f->not_after - (f->not_after - f->not_before) / 10 ||
	    v[3] > port_wall_time(p) + 86400)
		return AL_ENOENT;
	st->start = v[0];
	st->end = v[1];
	st->pick = v[2];
	st->next_ask = v[3];
	return 0;
}

int ari_state_save(struct port *p, const char *state_dir, const char *name,
                   const struct cert_facts *f, const struct ari_state *st)
{
	char path[600], dir[300], line[STATE_LINE_MAX], id[ID_MAX];
	int n, rc;

	if ((rc = state_path(p, state_dir, name, path, sizeof(path), dir,
	                     sizeof(dir))) != 0 ||
	    (rc = ari_cert_id(f, id, sizeof(id))) != 0)
		return rc;
	n = snprintf(line, sizeof(line), "%s %" PRId64 " %" PRId64 " %" PRId64
	             " %" PRId64 "\n", id, st->start, st->end, st->pick,
	             st->next_ask);
	if (n < 0 || (size_t)n >= sizeof(line))
		return AL_E2BIG;
	if ((rc = port_make_dir(p, dir, PORT_PRIVATE)) != 0)
		return rc;
	return port_replace_file(p, path, line, (size_t)n, 0);
}
