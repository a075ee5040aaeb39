/* The "not in this build" files of tinyconfig (src/..._none.c): what each
 * returns and the one line each logs. They are compiled into this program
 * directly, so it tests them whatever the configuration: the real files in
 * libacmelet.a define the same functions and are then never linked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/account_none.c"
#include "../../src/ari_none.c"
#include "../../src/daemon_none.c"
#include "../../src/hook_none.c"
#include "../../src/log_syslog_none.c"
#include "../../src/status_none.c"
#include "../../src/challenge/tls_alpn_none.c"
#include "../../src/challenge/dns01_none.c"
#include "../../src/challenge/dns_persist_none.c"

#include "agent.h"
#include "commands.h"
#include "tap.h"
#include "sim/port_sim.h"

/* stderr goes to a temporary file between capture_begin and capture_end,
 * which returns what was written (NUL-terminated, truncated to cap). */
struct capture {
	FILE *f;
	int saved;
};

static void capture_begin(struct capture *cp)
{
	fflush(stderr);
	cp->f = tmpfile();
	cp->saved = dup(STDERR_FILENO);
	if (cp->f)
		dup2(fileno(cp->f), STDERR_FILENO);
}

static const char *capture_end(struct capture *cp, char *buf, size_t cap)
{
	size_t n = 0;

	fflush(stderr);
	dup2(cp->saved, STDERR_FILENO);
	close(cp->saved);
	buf[0] = '\0';
	if (cp->f) {
		rewind(cp->f);
		n = fread(buf, 1, cap - 1, cp->f);
		buf[n] = '\0';
		fclose(cp->f);
	}
	return buf;
}

/* Lines in s; the last newline is removed, for a one-line TAP description. */
static int count_lines(char *s)
{
	size_t len = strlen(s);
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	if (len && s[-1] == '\n')
		s[-1] = '\0';
	return n;
}

static void test_hook(void)
{
	struct logger lg;
	struct config cfg;
	struct capture cp;
	char out[1024];

	log_init(&lg, LOG_LVL_DEBUG, LOG_TO_STDERR);
	memset(&cfg, 0, sizeof(cfg));
	cfg.cert_name = "a.example";

	capture_begin(&cp);
	is_int(hook_run(&cfg, &lg, NULL, "issued", "/s/live", NULL), 0,
	       "hook_run without a hook: 0");
	cfg.hook = "";
	is_int(hook_run(&cfg, &lg, NULL, "failed", "/s/live", "boom"), 0,
	       "hook_run with an empty hook: 0");
	is_str(capture_end(&cp, out, sizeof(out)), "", "and nothing logged");

	cfg.hook = "/usr/bin/reload";
	capture_begin(&cp);
	is_int(hook_run(&cfg, &lg, NULL, "renewed", "/s/live", NULL), AL_EFAIL,
	       "hook_run with a hook: AL_EFAIL (it did not run)");
	capture_end(&cp, out, sizeof(out));
	is_int(count_lines(out), 1, "one line");
	ok(strncmp(out, "acmelet: warning: ", 18) == 0, "a warning: %s", out);
	ok(strstr(out, "a.example: hook /usr/bin/reload renewed not run") != NULL,
	   "names the certificate, the hook and the event");
	ok(strstr(out, "(CONFIG_HOOK)") != NULL, "names the option");
}

static void test_ari(void)
{
	struct cert_facts f;
	struct ari_window w;
	struct capture cp;
	char id[64] = "stale", out[256];

	memset(&f, 0, sizeof(f));
	memset(&w, 0xa5, sizeof(w));
	capture_begin(&cp);
	is_int(ari_cert_id(&f, id, sizeof(id)), AL_EINVAL,
	       "ari_cert_id: AL_EINVAL (no identifier)");
	is_str(id, "", "and an empty identifier");
	is_int(ari_fetch(NULL, &f, 1700000000, &w), AL_ENOENT,
	       "ari_fetch: AL_ENOENT (as a CA without renewalInfo)");
	is_str(capture_end(&cp, out, sizeof(out)), "", "and nothing logged");
	ok(w.start == 0 && w.end == 0 && w.retry_after == 0 &&
	   w.explanation[0] == '\0', "the window is cleared");
}

/* run and status: EXIT_USAGE, one error line, which is also the last
 * error (what a wrapper or the journal would see). */
static void test_command(const char *what,
                         int (*fn)(struct ctx *, const struct cli *,
                                   struct conf *),
                         const char *want)
{
	struct ctx c;
	struct capture cp;
	char out[1024], last[256] = "";

	memset(&c, 0, sizeof(c));
	log_init(&c.log, LOG_LVL_INFO, LOG_TO_STDERR);
	c.log.last_err = last;
	c.log.last_err_cap = sizeof(last);
	capture_begin(&cp);
	is_int(fn(&c, NULL, NULL), EXIT_USAGE, "%s: exit status 2", what);
	capture_end(&cp, out, sizeof(out));
	is_int(count_lines(out), 1, "%s: one line", what);
	ok(strncmp(out, "acmelet: error: ", 16) == 0, "%s: an error: %s", what,
	   out);
	ok(strstr(out, want) != NULL, "%s: says '%s'", what, want);
	ok(strstr(last, want) != NULL, "%s: it is the last error", what);
}

static void test_syslog(void)
{
	struct logger lg;
	struct capture cp;
	char out[256];

	is_int(log_syslog_open(), AL_ENOENT, "log_syslog_open: AL_ENOENT");
	capture_begin(&cp);
	log_init(&lg, LOG_LVL_INFO, LOG_TO_SYSLOG);
	is_int(lg.use_syslog, 0, "--log syslog without syslog: stderr");
	log_info(&lg, "hello %d", 42);
	capture_end(&cp, out, sizeof(out));
	is_int(count_lines(out), 1, "one line");
	is_str(out, "acmelet: hello 42", "it goes to stderr");
}

/* A challenge method the build lacks: its constructor gives no method
 * and AL_EINVAL, with one line naming the option; its clean-up of
 * leftovers (when it has one) says nothing more. */
static void test_method(const char *what, challenge_open_fn open,
                        void (*leftovers)(struct ctx *), const char *want)
{
	const struct challenge_class **m = (void *)&m;
	struct ctx c;
	struct capture cp;
	char out[256];

	memset(&c, 0, sizeof(c));
	log_init(&c.log, LOG_LVL_INFO, LOG_TO_STDERR);
	capture_begin(&cp);
	is_int(open(&c, &m), AL_EINVAL, "%s: AL_EINVAL", what);
	if (leftovers)
		leftovers(&c);
	capture_end(&cp, out, sizeof(out));
	ok(m == NULL, "and no method");
	is_int(count_lines(out), 1, "one line");
	ok(strstr(out, want) != NULL, "names the option: %s", out);
}

/* dns-persist-01: the method and persist-record say the build lacks it
 * (one line each); the check before an order has nothing to do. */
static void test_dns_persist(void)
{
	static char *args[] = { "example.com" };
	struct cli cl = { .command = "persist-record", .nargs = 1,
	                  .args = args };
	const struct challenge_class **m = (void *)&m;
	struct ctx c;
	struct capture cp;
	char out[512];

	memset(&c, 0, sizeof(c));
	log_init(&c.log, LOG_LVL_INFO, LOG_TO_STDERR);
	capture_begin(&cp);
	is_int(dns_persist_check(&c), 0, "dns_persist_check: 0");
	capture_end(&cp, out, sizeof(out));
	is_str(out, "", "and says nothing");
	capture_begin(&cp);
	is_int(dns_persist_open(&c, &m), AL_EINVAL, "dns_persist_open: AL_EINVAL");
	is_int(persist_command(&c, &cl), EXIT_USAGE, "persist-record: exit 2");
	capture_end(&cp, out, sizeof(out));
	ok(m == NULL, "and no method");
	is_int(count_lines(out), 2, "one line each");
	ok(strstr(out, "lacks dns-persist-01 built in (Kconfig "
	          "CHALLENGE_DNS_PERSIST); answer it with --challenge-hook") &&
	   strstr(out, "acmelet persist-record: this build lacks dns-persist-01 "
	          "(Kconfig CHALLENGE_DNS_PERSIST)"), "both name the option");
}

/* account and revoke: exit 2 and one line; a rollover another build left
 * pending is refused, none pending is nothing. */
static void test_account(void)
{
	static char *args[] = { "show" };
	struct cli cl = { .command = "account", .nargs = 1, .args = args };
	struct port_sim sim;
	struct capture cp;
	struct ctx c;
	char out[1024];

	memset(&c, 0, sizeof(c));
	log_init(&c.log, LOG_LVL_INFO, LOG_TO_STDERR);
	port_sim_init(&sim);
	c.port = &sim.base;
	store_init(&c.store, c.port, &c.log, "/s");
	capture_begin(&cp);
	is_int(account_command(&c, &cl), EXIT_USAGE, "account: exit 2");
	cl.command = "revoke";
	is_int(revoke_command(&c, &cl), EXIT_USAGE, "revoke: exit 2");
	capture_end(&cp, out, sizeof(out));
	is_int(count_lines(out), 2, "one line each");
	ok(strstr(out, "acmelet revoke: built without the account and revoke "
	          "commands (CONFIG_ACCOUNT_CMDS)") != NULL, "names the option");
	is_int(account_recover(&c, "ca"), 0, "no rollover pending: 0");
	port_make_dir(c.port, "/s", 0);
	port_make_dir(c.port, "/s/accounts", 0);
	port_make_dir(c.port, "/s/accounts/ca", 0);
	port_replace_file(c.port, "/s/accounts/ca/key-next.pem", "x", 1, 0);
	capture_begin(&cp);
	is_int(account_recover(&c, "ca"), AL_EINVAL, "a pending rollover: "
	       "refused, not guessed at");
	capture_end(&cp, out, sizeof(out));
	is_int(count_lines(out), 1, "in one line");
	ok(strstr(out, "CONFIG_ACCOUNT_CMDS") != NULL, "naming the option: %s",
	   out);
	port_sim_free(&sim);
}

int main(void)
{
	test_account();
	test_hook();
	test_ari();
	test_command("run", daemon_run, "built without the daemon "
	             "(CONFIG_DAEMON); use renew from cron");
	test_command("status", status_print, "built without status "
	             "(CONFIG_STATUS)");
	test_syslog();
	test_method("tls_alpn_open", tls_alpn_open, NULL, "tls-alpn-01: built "
	            "without it (CONFIG_CHALLENGE_TLSALPN)");
	test_method("dns01_open", dns01_open, dns01_leftovers, "lacks dns-01 "
	            "built in (Kconfig CHALLENGE_DNS); answer it with "
	            "--challenge-hook");
	test_dns_persist();
	return tap_done();
}
