/* The per-certificate hook (N1, S16): a program run after a new
 * certificate is live ("issued", "renewed") and after a failure ("failed"),
 * e.g. to reload the web server or to tell the administrator. */
#ifndef ACMELET_HOOK_H
#define ACMELET_HOOK_H

struct config;
struct logger;
struct loop;

/* Run cfg->hook (nothing when NULL) as: HOOK EVENT NAME LIVE_DIR, with
 * ACMELET_EVENT, ACMELET_NAME, ACMELET_NAMES, ACMELET_LIVE_DIR,
 * ACMELET_KEY_TYPE (the set: live/ or live-<type>/, once per set) and, for
 * failures, ACMELET_ERROR in the environment. Waits at most
 * cfg->hook_timeout_s through the loop l (serving meanwhile), then kills it;
 * its output goes to the log. A failing hook is logged, never retried.
 * Returns 0 or AL_EFAIL. */
int hook_run(const struct config *cfg, const struct logger *log,
             struct loop *l, const char *event, const char *live_dir,
             const char *error);

#endif
