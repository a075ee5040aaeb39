/* Running the hook: fork, exec without a shell, a bounded wait through
 * the loop (proc.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "err.h"
#include "hook.h"
#include "log.h"
#include "proc.h"

#define NAMES_ENV_MAX 4096

struct hook_env {
	const struct config *cfg;
	const char *event, *dir, *error;
};

/* The certificate's name, also for a set after the first. */
static const char *hook_name(const struct config *cfg)
{
	return cfg->set_of ? cfg->set_of : cfg->cert_name;
}

/* In the child, before exec: the environment. */
static void hook_setenv(void *arg)
{
	const struct hook_env *e = arg;
	const struct config *cfg = e->cfg;
	char names[NAMES_ENV_MAX] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < cfg->nnames && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		                      i ? " " : "", cfg->names[i]);
	setenv("ACMELET_EVENT", e->event, 1);
	setenv("ACMELET_NAME", hook_name(cfg), 1);
	/* which set (S10): the key type; its live dir is ACMELET_LIVE_DIR */
	setenv("ACMELET_KEY_TYPE", key_type_name(cfg->key_type), 1);
	setenv("ACMELET_NAMES", names, 1);
	setenv("ACMELET_LIVE_DIR", e->dir, 1);
	if (e->error)
		setenv("ACMELET_ERROR", e->error, 1);
}

int hook_run(const struct config *cfg, const struct logger *log,
             struct loop *l, const char *event, const char *live_dir,
             const char *error)
{
	struct hook_env e = { cfg, event, live_dir, error };
	char *argv[] = { (char *)cfg->hook, (char *)event,
	                 (char *)hook_name(cfg), (char *)live_dir, NULL };
	char what[300];
	int secs = cfg->hook_timeout_s > 0 ? cfg->hook_timeout_s : 120;
	struct proc_spec p = { argv, hook_setenv, &e, secs * 1000, what };
	int status = 0, rc;

	if (!cfg->hook || !cfg->hook[0])
		return 0;
	snprintf(what, sizeof(what), "%s: hook %s %s", cfg->cert_name,
	         cfg->hook, event);
	rc = proc_run(l, log, &p, &status);
	if (rc == AL_ETIMEOUT) {
		log_err(log, "%s took more than %d s and was killed; make it "
		        "finish sooner, or raise --hook-timeout", what, secs);
		return AL_EFAIL;
	}
	if (rc != 0)
		return AL_EFAIL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* after "failed" there may be no certificate at all */
		log_err(log, "%s failed (%s %d); %scheck the hook", what,
		        WIFEXITED(status) ? "exit status" : "signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		        strcmp(event, "failed") ? "the certificate is in place, " :
		        "");
		return AL_EFAIL;
	}
	log_debug(log, "%s done", what);
	return 0;
}
