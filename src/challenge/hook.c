/* Challenges answered by a program, compatible with uacme's hooks (N1):
 * PROG begin|done|failed TYPE IDENT TOKEN AUTH, exactly five arguments;
 * AUTH is the key authorization for http-01 and base64url(SHA-256(key
 * authorization)) for the other types. A non-zero exit of begin declines
 * the type for that identifier (the next preferred one is tried); done and
 * failed follow only accepted ones. The environment is uacme's
 * (UACME_METHOD, _TYPE, _IDENT, _TOKEN, _AUTH, _VERBOSE, _CONFDIR) plus
 * ACMELET_* twins and ACMELET_NAME; with --challenge-dir,
 * UACME_CHALLENGE_PATH too (what uacme.sh writes to), unless set. The run
 * is bounded (--hook-timeout) and waited for through the loop (proc.c);
 * its output goes to the log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "agent.h"
#include "challenge.h"
#include "err.h"
#include "proc.h"

struct chook {
	const struct challenge_class *vtable;
};

/* What the child needs before exec. */
struct chook_env {
	const struct config *cfg;
	const char *method;
	const struct challenge_auth *a;
	const char *auth;
};

static int k_handles(const struct challenge_class **self, const char *type,
                     const char *id_type)
{
	(void)self;
	(void)id_type;
	return challenge_type_known(type);
}

static int k_prepare(const struct challenge_class **self, struct ctx *c)
{
	(void)self;
	(void)c;
	return 0;
}

static void both(const char *key, const char *value)
{
	char name[64];

	snprintf(name, sizeof(name), "UACME_%s", key);
	setenv(name, value, 1);
	snprintf(name, sizeof(name), "ACMELET_%s", key);
	setenv(name, value, 1);
}

/* In the child, before exec. */
static void k_setenv(void *arg)
{
	const struct chook_env *e = arg;

	both("METHOD", e->method);
	both("TYPE", e->a->type);
	both("IDENT", e->a->id_value);
	both("TOKEN", e->a->token);
	both("AUTH", e->auth);
	both("VERBOSE", e->cfg->verbose ? "1" : "0");
	both("CONFDIR", e->cfg->state_dir);
	setenv("ACMELET_STATE_DIR", e->cfg->state_dir, 1);
	setenv("ACMELET_NAME", e->cfg->cert_name, 1);
	if (e->cfg->challenge_dir)
		setenv("UACME_CHALLENGE_PATH", e->cfg->challenge_dir, 0);
}

/* Run the hook for method; its exit status (0-255), -1 when killed by a
 * signal, or AL_ETIMEOUT / AL_EFAIL (logged). */
static int run(struct ctx *c, const char *method,
               const struct challenge_auth *a)
{
	const char *auth = strcmp(a->type, "http-01") ? a->digest : a->keyauth;
	struct chook_env e = { c->cfg, method, a, auth };
	char *argv[] = { (char *)c->cfg->challenge_hook, (char *)method,
	                 (char *)a->type, (char *)a->id_value, (char *)a->token,
	                 (char *)auth, NULL };
	char what[400];
	int secs = c->cfg->hook_timeout_s > 0 ? c->cfg->hook_timeout_s : 120;
	struct proc_spec p = { argv, k_setenv, &e, secs * 1000, what };
	int status = 0, rc;

	snprintf(what, sizeof(what), "%s: challenge hook %s %s %s %s",
	         a->id_value, c->cfg->challenge_hook, method, a->type,
	         a->id_value);
	rc = proc_run(&c->loop, &c->log, &p, &status);
	if (rc == AL_ETIMEOUT) {
		log_err(&c->log, "%s took more than %d s and was killed; make it "
		        "finish sooner, or raise --hook-timeout", what, secs);
		return rc;
	}
	if (rc != 0)
		return rc;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int k_present(const struct challenge_class **self, struct ctx *c,
                     const struct challenge_auth *a)
{
	int rc;

	(void)self;
	rc = run(c, "begin", a);
	if (rc == 0)
		return 0;
	if (rc < -1)
		return rc;
	log_info(&c->log, "%s: challenge hook %s declined %s (%s %d)",
	         a->id_value, c->cfg->challenge_hook, a->type,
	         rc < 0 ? "signal" : "exit status", rc);
	return AL_EDECLINED;
}

static void k_cleanup(const struct challenge_class **self, struct ctx *c,
                      const struct challenge_auth *a, int ok)
{
	int rc;

	(void)self;
	rc = run(c, ok ? "done" : "failed", a);
	if (rc != 0 && rc >= -1)
		log_warn(&c->log, "%s: challenge hook %s %s %s failed (%s %d)",
		         a->id_value, c->cfg->challenge_hook, ok ? "done" : "failed",
		         a->type, rc < 0 ? "signal" : "exit status", rc);
}

static long k_answered(const struct challenge_class **self)
{
	(void)self;
	return -1;
}

static void k_close(const struct challenge_class **self, struct ctx *c)
{
	(void)c;
	free((struct chook *)self);
}

static const struct challenge_class chook_class = {
	"challenge hook", k_handles, k_prepare, k_present, k_cleanup,
	k_answered, k_close,
};

int chook_open(struct ctx *c, const struct challenge_class ***out)
{
	return challenge_new(c, sizeof(struct chook), &chook_class, out) ?
	       0 : AL_EFAIL;
}
