/* The system log behind log.c, chosen by Kconfig (SYSLOG): src/log_syslog.c,
 * or src/log_syslog_none.c in a build without syslog, where every line goes
 * to stderr. For log.c only. */
#ifndef ACMELET_LOG_SYSLOG_H
#define ACMELET_LOG_SYSLOG_H

/* Open the system log as "acmelet". 0, or AL_ENOENT when this build has
 * no syslog or no syslog daemon listens on /dev/log (the caller then
 * writes to stderr). */
int log_syslog_open(void);

/* Send one line at level (enum log_level). */
void log_syslog_line(int level, const char *line);

/* Send one line at level to the datagram socket at path (log_syslog_line
 * sends to /dev/log; tests give their own socket). 0, AL_EINVAL for a
 * path too long for a socket address, AL_EFAIL when the socket refused
 * the line. Only in builds with SYSLOG. */
int log_syslog_send(const char *path, int level, const char *line);

#endif
