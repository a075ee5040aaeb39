/* Logging to stderr or syslog (E5). The syslog side is its own file
 * (log_syslog.c, or log_syslog_none.c when CONFIG_SYSLOG is off). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "log_syslog.h"

void log_init(struct logger *lg, int level, int mode)
{
	lg->level = level;
	lg->last_err = NULL;
	lg->last_err_cap = 0;
	if (mode == LOG_TO_AUTO)
		mode = isatty(STDERR_FILENO) ? LOG_TO_STDERR : LOG_TO_SYSLOG;
	lg->use_syslog = mode == LOG_TO_SYSLOG && log_syslog_open() == 0;
}

/* Lines carry text from the CA (problem details, URLs): every byte that
 * is not printable ASCII becomes \xNN here, the one place all logged,
 * stored (journal, status) and hook-bound (ACMELET_ERROR) error text
 * passes. So no newline forges a second line and no terminal escape
 * reaches a terminal. Cut at cap - 1, never inside an escape. */
static void log_escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char b;

	for (; (b = (unsigned char)*src) != '\0'; src++) {
		if (b >= 0x20 && b < 0x7f) {
			if (o + 1 >= cap)
				break;
			dst[o++] = (char)b;
			continue;
		}
		if (o + 4 >= cap)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[b >> 4];
		dst[o++] = hex[b & 15];
	}
	dst[o] = '\0';
}

void log_msg(const struct logger *lg, int level, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "" };
	char raw[LOG_LINE_MAX], line[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (!lg || level > lg->level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_escape(line, sizeof(line), raw);
	if (level == LOG_LVL_ERR && lg->last_err)
		snprintf(lg->last_err, lg->last_err_cap, "%s", line);
	if (lg->use_syslog)
		log_syslog_line(level, line);
	else /* one write per line, so lines of concurrent runs do not mix */
		fprintf(stderr, "acmelet: %s%s\n", tag[level], line);
}
