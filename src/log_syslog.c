/* CONFIG_SYSLOG: log lines to syslog(3), for devices without a terminal
 * (E5): OpenWrt's logd, BusyBox syslogd, journald. */
#include <sys/stat.h>
#include <syslog.h>

#include "err.h"
#include "log_syslog.h"

/* syslog(3) drops lines silently when no daemon listens, so without its
 * socket the lines go to stderr instead of nowhere (issue 12). */
int log_syslog_open(void)
{
	struct stat st;

	if (stat("/dev/log", &st) != 0 || !S_ISSOCK(st.st_mode))
		return AL_ENOENT;
	openlog("acmelet", LOG_PID, LOG_DAEMON);
	return 0;
}

void log_syslog_line(int level, const char *line)
{
	/* indexed by enum log_level (log.h) */
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	syslog(prio[level], "%s", line);
}
