/* Logging: stderr on a terminal, syslog on devices (E5). One logger lives in
 * the context struct; nothing here is global. */
#ifndef ACMELET_LOG_H
#define ACMELET_LOG_H

/* The longest line logged, and so the longest last error kept in the
 * journal, status, --json and ACMELET_ERROR: room for a URL, the CA's
 * problem text and our advice, so nothing is cut in the middle. */
#define LOG_LINE_MAX 2048

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Where lines go: LOG_TO_AUTO picks stderr on a terminal, syslog otherwise. */
enum log_dest { LOG_TO_AUTO = 0, LOG_TO_STDERR, LOG_TO_SYSLOG };

struct logger {
	int level;      /* messages above this level are dropped */
	int use_syslog; /* 1: syslog(3), 0: stderr */
	char *last_err; /* if set, receives the last error line (status, hooks) */
	size_t last_err_cap;
};

/* Set up a logger for level and destination (enum log_dest). */
void log_init(struct logger *lg, int level, int mode);

/* Log one line. The line should name the object it is about and, for
 * errors, what the user can do. */
void log_msg(const struct logger *lg, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(lg, ...) log_msg((lg), LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(lg, ...) log_msg((lg), LOG_LVL_WARN, __VA_ARGS__)
#define log_info(lg, ...) log_msg((lg), LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(lg, ...) log_msg((lg), LOG_LVL_DEBUG, __VA_ARGS__)

#endif
