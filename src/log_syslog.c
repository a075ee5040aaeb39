/* CONFIG_SYSLOG: log lines to the system log, for devices without a
 * terminal (E5): OpenWrt's logd, BusyBox syslogd, journald.
 *
 * Our own sender, not syslog(3): musl's syslog() formats a timestamp with
 * strftime(), which links strftime, the time-zone code and nl_langinfo:
 * 10.7 KiB of the 256 KiB static binary for one line of output. A line
 * is one datagram to /dev/log in the form syslog(3) sends, minus the
 * timestamp, which RFC 3164 lets the receiver add (logd, BusyBox syslogd,
 * rsyslog and journald all stamp a line that has none with its arrival
 * time): "<PRI>acmelet[PID]: LINE\n", facility daemon. Nothing is kept
 * open between lines (no global state; a restarted daemon is reached by
 * the next line, as syslog(3)'s reconnect does). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "log_syslog.h"

#define SYSLOG_PATH "/dev/log"

/* A line that no daemon listens for is dropped silently, as syslog(3)
 * does; that is why log_syslog_open() checks for the socket first. */
int log_syslog_open(void)
{
	struct stat st;

	if (stat(SYSLOG_PATH, &st) != 0 || !S_ISSOCK(st.st_mode))
		return AL_ENOENT;
	return 0;
}

int log_syslog_send(const char *path, int level, const char *line)
{
	/* indexed by enum log_level (log.h) */
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[LOG_LINE_MAX + 64];
	struct sockaddr_un sa;
	int fd, n, rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return AL_EINVAL;
	n = snprintf(msg, sizeof(msg), "<%d>acmelet[%ld]: %s\n",
	             prio[level] | LOG_DAEMON, (long)getpid(), line);
	if (n < 0)
		return AL_EINVAL;
	if ((size_t)n >= sizeof(msg)) { /* cut, but still one line */
		n = (int)sizeof(msg) - 1;
		msg[n - 1] = '\n';
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return AL_EFAIL;
	if (sendto(fd, msg, (size_t)n, 0, (const struct sockaddr *)&sa,
	           sizeof(sa)) != n)
		rc = AL_EFAIL;
	close(fd);
	return rc;
}

void log_syslog_line(int level, const char *line)
{
	(void)log_syslog_send(SYSLOG_PATH, level, line);
}
