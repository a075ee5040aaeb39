/* CONFIG_SYSLOG: log lines to syslog(3), for devices without a terminal
 * (E5): OpenWrt's logd, BusyBox syslogd, journald. */
#include <syslog.h>

#include "log_syslog.h"

int log_syslog_open(void)
{
	openlog("acmelet", LOG_PID, LOG_DAEMON);
	return 0;
}

void log_syslog_line(int level, const char *line)
{
	/* indexed by enum log_level (log.h) */
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	syslog(prio[level], "%s", line);
}
