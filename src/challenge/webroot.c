/* http-01 answered through files another web server serves (O1, O2):
 * --challenge-dir DIR writes DIR/TOKEN (acme-common's CHALLENGE_DIR,
 * uacme's UACME_CHALLENGE_PATH), --webroot DIR writes
 * DIR/.well-known/acme-challenge/TOKEN, making the two directories when
 * missing. Files are 0644 and written atomically (the port's replace).
 * Each token is recorded in the journal before its file is written, so a
 * run that was killed removes it at the next start; nothing else in DIR is
 * touched, and a token is only ever a base64url string (no path). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "challenge.h"
#include "err.h"
#include "port.h"

#define PROBE ".acmelet-probe" /* '.' is no base64url: never a token */

struct webroot {
	const struct challenge_class *vtable;
	char dir[STORE_PATH_MAX];
	int ntok;                                 /* files written, not removed */
	char tok[ACME_MAX_AUTHZ][ACME_TOKEN_MAX];
};

static int w_handles(const struct challenge_class **self, const char *type,
                     const char *id_type)
{
	(void)self;
	(void)id_type;
	return !strcmp(type, "http-01");
}

static int join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, STORE_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= STORE_PATH_MAX ? AL_E2BIG : 0;
}

static int stop_at_first(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return 1;
}

/* 0 when dir exists and a file can be written into it (a probe file of
 * ours, removed at once); else one line. */
static int check_dir(struct ctx *c, const char *dir, const char *opt)
{
	char probe[STORE_PATH_MAX];
	int rc = port_list_dir(c->port, dir, stop_at_first, NULL);

	if (rc < 0) {
		log_err(&c->log, "%s: %s directory is missing or unreadable; "
		        "create it, or fix %s", dir, opt, opt);
		return AL_ENOENT;
	}
	if (join(probe, dir, PROBE) != 0 ||
	    (rc = port_replace_file(c->port, probe, "", 0, PORT_PUBLIC)) != 0) {
		log_err(&c->log, "%s: cannot write there%s; make it writable "
		        "for acmelet, or fix %s", dir, store_why(rc), opt);
		return AL_EFAIL;
	}
	port_remove(c->port, probe);
	return 0;
}

/* Before any CA contact: the directory is there (made for --webroot) and
 * writable. */
static int w_prepare(const struct challenge_class **self, struct ctx *c)
{
	struct webroot *m = (struct webroot *)self;
	const struct config *cfg = c->cfg;
	char wk[STORE_PATH_MAX];

	if (cfg->challenge_dir && cfg->webroot) {
		log_err(&c->log, "%s: give --challenge-dir or --webroot, not "
		        "both", cfg->cert_name);
		return AL_EINPUT;
	}
	if (cfg->challenge_dir) {
		snprintf(m->dir, sizeof(m->dir), "%s", cfg->challenge_dir);
		return check_dir(c, m->dir, "--challenge-dir");
	}
	if (check_dir(c, cfg->webroot, "--webroot") != 0)
		return AL_ENOENT;
	if (join(wk, cfg->webroot, ".well-known") != 0 ||
	    join(m->dir, wk, "acme-challenge") != 0 ||
	    port_make_dir(c->port, wk, 0) != 0 ||
	    port_make_dir(c->port, m->dir, 0) != 0) {
		log_err(&c->log, "%s: cannot make .well-known/acme-challenge in "
		        "it; make it writable for acmelet, or fix --webroot",
		        cfg->webroot);
		return AL_EFAIL;
	}
	return check_dir(c, m->dir, "--webroot");
}

/* Record the token in the journal (so a killed run's file is removed at
 * the next start), then write the file. */
static int w_present(const struct challenge_class **self, struct ctx *c,
                     const struct challenge_auth *a)
{
	struct webroot *m = (struct webroot *)self;
	struct journal *j = &c->work->journal;
	char path[STORE_PATH_MAX];
	size_t have = strlen(j->chall_tokens), tl = strlen(a->token);
	int rc;

	if (m->ntok >= ACME_MAX_AUTHZ || tl >= ACME_TOKEN_MAX ||
	    have + tl + 2 > sizeof(j->chall_tokens) ||
	    join(path, m->dir, a->token) != 0) {
		log_err(&c->log, "%s: too many or too long challenge tokens",
		        a->id_value);
		return AL_E2BIG;
	}
	snprintf(j->chall_dir, sizeof(j->chall_dir), "%s", m->dir);
	snprintf(j->chall_tokens + have, sizeof(j->chall_tokens) - have, "%s%s",
	         have ? " " : "", a->token);
	if ((rc = journal_save(&c->store, c->cfg->cert_name, j)) != 0)
		return rc;
	rc = port_replace_file(c->port, path, a->keyauth, strlen(a->keyauth),
	                       PORT_PUBLIC);
	if (rc != 0) {
		log_err(&c->log, "%s: cannot write the challenge file%s; check "
		        "the directory", path, store_why(rc));
		return rc;
	}
	memcpy(m->tok[m->ntok++], a->token, tl + 1);
	return 0;
}

static void remove_token(struct ctx *c, const char *dir, const char *token)
{
	char path[STORE_PATH_MAX];
	int rc;

	if (!challenge_token_ok(token) || join(path, dir, token) != 0)
		return;
	rc = port_remove(c->port, path);
	if (rc != 0 && rc != AL_ENOENT)
		log_warn(&c->log, "%s: cannot remove the challenge file", path);
}

static void w_cleanup(const struct challenge_class **self, struct ctx *c,
                      const struct challenge_auth *a, int ok)
{
	struct webroot *m = (struct webroot *)self;
	int i;

	(void)ok;
	for (i = 0; i < m->ntok; i++) {
		if (strcmp(m->tok[i], a->token) != 0)
			continue;
		remove_token(c, m->dir, a->token);
		memmove(m->tok[i], m->tok[i + 1],
		        (size_t)(m->ntok - i - 1) * sizeof(m->tok[0]));
		m->ntok--;
		return;
	}
}

static long w_answered(const struct challenge_class **self)
{
	(void)self;
	return -1;
}

/* Remove what is left; the journal forgets the tokens (its next save,
 * at the end of the issuance, records that). */
static void w_close(const struct challenge_class **self, struct ctx *c)
{
	struct webroot *m = (struct webroot *)self;
	struct journal *j = &c->work->journal;

	while (m->ntok > 0)
		remove_token(c, m->dir, m->tok[--m->ntok]);
	j->chall_dir[0] = j->chall_tokens[0] = '\0';
	free(m);
}

static const struct challenge_class webroot_class = {
	"http-01 files", w_handles, w_prepare, w_present, w_cleanup,
	w_answered, w_close,
};

int webroot_open(struct ctx *c, const struct challenge_class ***out)
{
	return challenge_new(c, sizeof(struct webroot), &webroot_class, out) ?
	       0 : AL_EFAIL;
}

/* At start: remove the challenge files a killed run left (recorded in
 * the journal before they were written), then forget them. */
void webroot_leftovers(struct ctx *c)
{
	struct journal *j = &c->work->journal;
	char tok[ACME_TOKEN_MAX];
	const char *p = j->chall_tokens;

	if (!j->chall_tokens[0])
		return;
	while (*p) {
		size_t len = strcspn(p, " ");

		if (len > 0 && len < sizeof(tok)) {
			memcpy(tok, p, len);
			tok[len] = '\0';
			remove_token(c, j->chall_dir, tok);
		}
		p += len;
		p += strspn(p, " ");
	}
	log_info(&c->log, "%s: removed the challenge files of an interrupted "
	         "run from %s", c->cfg->cert_name, j->chall_dir);
	j->chall_dir[0] = j->chall_tokens[0] = '\0';
	journal_save(&c->store, c->cfg->cert_name, j);
}
