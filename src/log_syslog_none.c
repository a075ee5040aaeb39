/* CONFIG_SYSLOG off (tinyconfig): no syslog(3) in this build, which saves
 * musl's syslog client. Every line goes to stderr, --log syslog and auto
 * included; from cron, pipe it to logger(1) to reach the system log. */
#include "err.h"
#include "log_syslog.h"

/* AL_ENOENT: there is no system log here; log.c writes to stderr. */
int log_syslog_open(void)
{
	return AL_ENOENT;
}

/* Never called: log.c only calls it after log_syslog_open succeeded. */
void log_syslog_line(int level, const char *line)
{
	(void)level;
	(void)line;
}
