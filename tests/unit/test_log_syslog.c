/* log_syslog.c (SYSLOG): a line reaches the system log's socket as one
 * datagram "<PRI>acmelet[PID]: LINE\n", facility daemon, the priority of
 * its level; a line longer than a datagram holds is cut and still ends
 * with a newline; no socket is one error, not a crash. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "log_syslog.h"
#include "tap.h"
#include "testlib.h"

/* Read one datagram from fd into buf (NUL-terminated); its length, or -1. */
static long take(int fd, char *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return (long)n;
}

int main(void)
{
	struct sockaddr_un sa;
	char path[200], want[128], got[LOG_LINE_MAX + 256];
	static char big[LOG_LINE_MAX + 100];
	int fd;
	long n;

	if (test_dir_make("test_log_syslog") != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/log", test_dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return 1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
	   "a datagram socket stands in for /dev/log");

	is_int(log_syslog_send(path, LOG_LVL_ERR, "cert a.test: boom"), 0,
	       "an error line is sent");
	n = take(fd, got, sizeof(got));
	snprintf(want, sizeof(want), "<%d>acmelet[%ld]: cert a.test: boom\n",
	         LOG_DAEMON | LOG_ERR, (long)getpid());
	is_str(got, want, "as one datagram: priority daemon.err, name, pid, line");
	is_int(n, (long)strlen(want), "nothing more in it");

	log_syslog_send(path, LOG_LVL_WARN, "w");
	take(fd, got, sizeof(got));
	snprintf(want, sizeof(want), "<%d>acmelet[%ld]: w\n",
	         LOG_DAEMON | LOG_WARNING, (long)getpid());
	is_str(got, want, "a warning is daemon.warning");
	log_syslog_send(path, LOG_LVL_INFO, "i");
	take(fd, got, sizeof(got));
	ok(strncmp(got, "<30>", 4) == 0, "info is daemon.info (<30>)");
	log_syslog_send(path, LOG_LVL_DEBUG, "d");
	take(fd, got, sizeof(got));
	ok(strncmp(got, "<31>", 4) == 0, "debug is daemon.debug (<31>)");

	memset(big, 'x', sizeof(big) - 1);
	is_int(log_syslog_send(path, LOG_LVL_INFO, big), 0, "an over-long line is sent");
	n = take(fd, got, sizeof(got));
	ok(n > LOG_LINE_MAX && n < LOG_LINE_MAX + 64 && got[n - 1] == '\n' &&
	   strchr(got, '\n') == got + n - 1,
	   "cut to one datagram of one line (%ld bytes)", n);

	close(fd);
	unlink(path);
	ok(log_syslog_send(path, LOG_LVL_ERR, "x") < 0,
	   "no socket at the path: an error code");
	memset(big, 'p', 200);
	big[200] = '\0';
	is_int(log_syslog_send(big, LOG_LVL_ERR, "x"), AL_EINVAL,
	       "a path too long for a socket address: AL_EINVAL");
	test_dir_remove();
	return tap_done();
}
