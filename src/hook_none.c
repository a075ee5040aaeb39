/* CONFIG_HOOK off (tinyconfig): no hook is ever run. A configured hook is
 * not an error (the certificate is still issued and stored), but each
 * event it misses is logged, so the missing reload is not a mystery. */
#include "cli.h"
#include "err.h"
#include "hook.h"
#include "log.h"

/* 0 when no hook is configured; else one warning and AL_EFAIL (the hook
 * did not run), as hook.c returns for a hook that cannot start. */
int hook_run(const struct config *cfg, const struct logger *log,
             struct loop *l, const char *event, const char *live_dir,
             const char *error)
{
	(void)l;
	(void)live_dir;
	(void)error;
	if (!cfg->hook || !cfg->hook[0])
		return 0;
	log_warn(log, "%s: hook %s %s not run: this acmelet was built without "
	         "hooks (CONFIG_HOOK)", cfg->cert_name, cfg->hook, event);
	return AL_EFAIL;
}
