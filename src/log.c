/* Logging to stderr or syslog (E5). */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

void log_init(struct logger *lg, int level, int mode)
{
	lg->level = level;
	if (mode == LOG_TO_AUTO)
		mode = isatty(STDERR_FILENO) ? LOG_TO_STDERR : LOG_TO_SYSLOG;
	lg->use_syslog = mode == LOG_TO_SYSLOG;
	if (lg->use_syslog)
		openlog("acmelet", LOG_PID, LOG_DAEMON);
}

void log_msg(const struct logger *lg, int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "" };
	va_list ap;

	if (!lg || level > lg->level)
		return;
	va_start(ap, fmt);
	if (lg->use_syslog) {
		vsyslog(prio[level], fmt, ap);
	} else {
		fprintf(stderr, "acmelet: %s", tag[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
