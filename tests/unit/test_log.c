/* log.c: text from the CA is escaped in every line, and so in the last
 * error that the journal, status and the hook's ACMELET_ERROR take. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

int main(void)
{
	struct logger lg;
	char last[LOG_LINE_MAX], big[3000]; /* the last error holds a whole line */
	FILE *f;
	char out[4096];
	size_t n;
	int saved;

	log_init(&lg, LOG_LVL_INFO, LOG_TO_STDERR);
	lg.last_err = last;
	lg.last_err_cap = sizeof(last);
	f = tmpfile();
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	log_err(&lg, "%s: %s", "https://ca.test/x",
	        "boom\nacmelet: new certificate is live until 2099\x1b[2J\x07\r\x7f\xc2\x9b");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	is_str(last, "https://ca.test/x: boom\\x0aacmelet: new certificate is "
	       "live until 2099\\x1b[2J\\x07\\x0d\\x7f\\xc2\\x9b",
	       "control bytes, ESC, DEL and C1 become \\xNN in the last error");
	ok(strchr(out, '\n') == out + n - 1, "stderr gets one line");
	ok(strchr(out, 0x1b) == NULL && strchr(out, '\r') == NULL,
	   "and no escape or carriage return");

	memset(big, '\x1b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_err(&lg, "%s", big);
	ok(strlen(last) <= sizeof(last) - 1 && strlen(last) % 4 == 0 &&
	   strncmp(last + strlen(last) - 4, "\\x1b", 4) == 0,
	   "a long line is cut between escapes, never inside one");
	log_err(&lg, "plain ASCII: names a.example, b.example");
	is_str(last, "plain ASCII: names a.example, b.example",
	       "plain text unchanged");
	return tap_done();
}
