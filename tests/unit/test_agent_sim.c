/* The agent's schedule on the simulated port (issue 4): the real agent_run
 * and daemon_run, with storage, clocks and entropy simulated and a CA URL
 * that refuses connections (https://127.0.0.1:1/dir), so no Pebble.
 *
 * - Due dates, from certificates made here by openssl (notBefore = now):
 *   90 days is due at day 60 (a third left), 6 and 9 days at half their
 *   lifetime, 10 days at a third; before that agent_run does nothing and
 *   makes no storage step, after it, it tries to issue.
 * - Backoff after the n-th failure: 1 min, 10 min, 100 min, 1 day, 1 day,
 *   read back from the journal file; no try and no write inside the wait;
 *   the count survives a power cut and a new process; retry resets it.
 * - An untrusted wall clock: agent_run returns AL_ECLOCK with zero storage
 *   steps, and the daemon says so once and does nothing date-dependent. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "commands.h"
#include "conffile.h"
#include "err.h"
#include "http/http.h"
#include "port.h"
#include "challenge/responder.h"
#include "sim/port_sim.h"
#include "tap.h"
#include "testlib.h"

#define DAY 86400
#define STATE "/state"
#define DEAD_CA "https://127.0.0.1:1/dir"
#define PEM_MAX 8192

/* One "process": the context main() would build, on the simulated port. */
struct proc {
	struct config cfg;
	struct ctx c;
};

/* A certificate made by openssl for x.test, and its dates. */
struct made_cert {
	char cert[PEM_MAX], key[PEM_MAX];
	size_t cert_len, key_len;
	int64_t not_before, not_after;
};

static FILE *log_cap; /* the agent's stderr, read back by checks */

static void proc_init(struct proc *p, struct port_sim *s, int http_port)
{
	memset(p, 0, sizeof(*p));
	cli_defaults(&p->cfg);
	p->cfg.server = DEAD_CA;
	p->cfg.state_dir = STATE;
	p->cfg.http_addr = "127.0.0.1";
	p->cfg.http_port = http_port;
	p->cfg.timeout_s = 5;
	p->cfg.agree_tos = 1;
	p->cfg.cert_name = "x";
	p->cfg.names[0] = "x.test";
	p->cfg.nnames = 1;
	p->c.cfg = &p->cfg;
	p->c.port = &s->base;
	log_init(&p->c.log, LOG_LVL_INFO, LOG_TO_STDERR);
	p->c.log.last_err = p->c.last_error;
	p->c.log.last_err_cap = sizeof(p->c.last_error);
	store_init(&p->c.store, p->c.port, &p->c.log, STATE);
	p->c.acme = calloc(1, sizeof(*p->c.acme));
	p->c.resp = calloc(1, sizeof(*p->c.resp));
	if (!p->c.acme || !p->c.resp) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	responder_init(p->c.resp, &p->c.log);
	loop_init(&p->c.loop, p->c.port);
}

static void proc_end(struct proc *p)
{
	http_close(p->c.http);
	free(p->c.acme);
	free(p->c.resp);
	p->c.http = NULL;
}

/* Under ASan/UBSan, reports go to a copy of the real stderr, so that one
 * raised while the agent's log is captured still reaches the test output
 * (the weak symbol is absent, and NULL, in a build without sanitizers). */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static void sanitizer_reports_to_stderr(void)
{
	int fd = dup(STDERR_FILENO);

	if (fd >= 0 && __sanitizer_set_report_fd)
		__sanitizer_set_report_fd((void *)(intptr_t)fd);
}

/* Send stderr (the agent's log) into log_cap, emptied first; returns
 * what capture_end() needs to put it back. */
static int capture_begin(void)
{
	int saved;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (ftruncate(fileno(log_cap), 0) == 0)
		rewind(log_cap);
	dup2(fileno(log_cap), STDERR_FILENO);
	return saved;
}

static void capture_end(int saved)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static int run_agent(struct proc *p, int flags)
{
	int saved = capture_begin(), rc = agent_run(&p->c, flags);

	capture_end(saved);
	return rc;
}

static int run_retry(struct proc *p)
{
	int saved = capture_begin(), rc = agent_retry(&p->c);

	capture_end(saved);
	return rc;
}

/* How many captured log lines contain what. */
static int log_count(const char *what)
{
	char line[2048];
	int n = 0;

	fflush(log_cap);
	rewind(log_cap);
	while (fgets(line, sizeof(line), log_cap))
		n += strstr(line, what) != NULL;
	return n;
}

static void show_log(void)
{
	char line[2048];

	fflush(log_cap);
	rewind(log_cap);
	while (fgets(line, sizeof(line), log_cap))
		printf("#   log: %s", line);
}

/* "notBefore=2026-11-23 07:13:22Z" (openssl -dateopt iso_8601) */
static int64_t iso_line_time(const char *line)
{
	struct tm tm;
	const char *eq = strchr(line, '=');

	memset(&tm, 0, sizeof(tm));
	if (!eq || sscanf(eq + 1, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
	                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

static int slurp_path(const char *path, char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	*len = fread(buf, 1, cap - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return *len > 0 && *len < cap - 1 ? 0 : -1;
}

/* A P-256 certificate for x.test valid for days from now, made by openssl;
 * its dates read back by openssl too. */
static int make_cert(int days, struct made_cert *m)
{
	char dir[] = "/tmp/test_agent_sim.XXXXXX", cmd[1024], line[256];
	FILE *f;
	int rc = -1;

	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	         "-nodes -keyout %s/key.pem -out %s/cert.pem -days %d "
	         "-subj /CN=x.test -addext subjectAltName=DNS:x.test "
	         ">/dev/null 2>&1 && openssl x509 -in %s/cert.pem -noout "
	         "-startdate -enddate -dateopt iso_8601", dir, dir, days, dir);
	m->not_before = m->not_after = -1;
	if ((f = popen(cmd, "r")) != NULL) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "notBefore=", 10))
				m->not_before = iso_line_time(line);
			if (!strncmp(line, "notAfter=", 9))
				m->not_after = iso_line_time(line);
		}
		if (pclose(f) == 0 && m->not_before > 0 && m->not_after > 0)
			rc = 0;
	}
	snprintf(cmd, sizeof(cmd), "%s/cert.pem", dir);
	if (rc == 0)
		rc = slurp_path(cmd, m->cert, sizeof(m->cert), &m->cert_len);
	snprintf(cmd, sizeof(cmd), "%s/key.pem", dir);
	if (rc == 0)
		rc = slurp_path(cmd, m->key, sizeof(m->key), &m->key_len);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = -1;
	return rc;
}

/* Put m on the flash as the live generation 1 of certificate x, the way
 * the store lays it out (store.h), with the port's own operations. */
static int seed_live(struct port_sim *s, const struct made_cert *m)
{
	static const char *const dirs[] = { STATE, STATE "/certs",
	                                    STATE "/certs/x",
	                                    STATE "/certs/x/gen-1" };
	struct port *p = &s->base;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && rc == 0; i++)
		rc = port_make_dir(p, dirs[i], i == 0 ? PORT_PRIVATE : 0);
	if (rc == 0)
		rc = port_replace_file(p, STATE "/certs/x/gen-1/privkey.pem",
		                       m->key, m->key_len, PORT_PRIVATE);
	if (rc == 0)
		rc = port_replace_file(p, STATE "/certs/x/gen-1/cert.pem", m->cert,
		                       m->cert_len, 0);
	if (rc == 0) /* self-signed: no chain; fullchain is the certificate */
		rc = port_replace_file(p, STATE "/certs/x/gen-1/chain.pem", "", 0, 0);
	if (rc == 0)
		rc = port_replace_file(p, STATE "/certs/x/gen-1/fullchain.pem",
		                       m->cert, m->cert_len, 0);
	if (rc == 0)
		rc = port_replace_link(p, STATE "/certs/x/live", "gen-1");
	return rc;
}

/* The journal of x as the file says it: failures and next_try. */
static int read_journal(struct port_sim *s, long *failures, long long *next)
{
	char buf[4096];
	const char *f, *n;
	size_t len;

	*failures = -1;
	*next = -1;
	if (port_read_file(&s->base, STATE "/certs/x/state", buf,
	                   sizeof(buf) - 1, &len) != 0)
		return -1;
	buf[len] = '\0';
	if (!(f = strstr(buf, "\"failures\":")) ||
	    !(n = strstr(buf, "\"next_try\":")))
		return -1;
	*failures = strtol(f + strlen("\"failures\":"), NULL, 10);
	*next = strtoll(n + strlen("\"next_try\":"), NULL, 10);
	return 0;
}

/* The live cert.pem is still the seeded one. */
static int live_is(struct port_sim *s, const struct made_cert *m)
{
	char buf[PEM_MAX], target[64];
	size_t len;

	if (port_read_link(&s->base, STATE "/certs/x/live", target,
	                   sizeof(target)) != 0 || strcmp(target, "gen-1") != 0)
		return 0;
	if (port_read_file(&s->base, STATE "/certs/x/live/cert.pem", buf,
	                   sizeof(buf), &len) != 0)
		return 0;
	return len == m->cert_len && memcmp(buf, m->cert, len) == 0;
}

/* ---- due dates ------------------------------------------------------- */

/* A days-long certificate is due at due_frac of its lifetime: at
 * (due_frac - 0.01 lifetime) nothing happens and nothing is written, at
 * (due_frac + 0.01) the agent tries (and fails against the dead CA,
 * recording failure 1 with next try a minute later, live untouched). */
static void due_case(int days, double due_frac, int http_port)
{
	struct made_cert *m = calloc(1, sizeof(*m));
	struct port_sim s;
	struct proc p;
	int64_t life, before, after;
	long steps, fails;
	long long next;
	int rc;

	if (!m || make_cert(days, m) != 0) {
		ok(0, "%d days: openssl made a certificate", days);
		free(m);
		return;
	}
	life = m->not_after - m->not_before;
	is_int(life, (int64_t)days * DAY, "%d days: openssl's lifetime", days);
	before = m->not_before + (int64_t)((due_frac - 0.01) * (double)life);
	after = m->not_before + (int64_t)((due_frac + 0.01) * (double)life);

	port_sim_init(&s);
	port_sim_set_trusted(&s, 1);
	ok(seed_live(&s, m) == 0, "%d days: seeded as the live certificate", days);
	proc_init(&p, &s, http_port);

	port_sim_set_wall(&s, before);
	steps = port_sim_steps(&s);
	rc = run_agent(&p, AGENT_BACKOFF);
	is_int(rc, AGENT_NOTHING, "%d days: at %.2f of the lifetime, nothing to do",
	       days, due_frac - 0.01);
	is_int(port_sim_steps(&s) - steps, 0, "%d days: ... and no storage step",
	       days);
	is_int(log_count("nothing to do"), 1, "%d days: ... and the log says so",
	       days);

	port_sim_set_wall(&s, after);
	rc = run_agent(&p, AGENT_BACKOFF);
	ok(rc < 0, "%d days: at %.2f of the lifetime it tries (and fails: %d)",
	   days, due_frac + 0.01, rc);
	ok(log_count("127.0.0.1:1") >= 1, "%d days: ... at the CA", days);
	read_journal(&s, &fails, &next);
	is_int(fails, 1, "%d days: the journal records failure 1", days);
	is_int(next, after + 60, "%d days: next try = wall + 60", days);
	ok(live_is(&s, m), "%d days: the live certificate is untouched", days);
	if (rc >= 0 || fails != 1)
		show_log();
	proc_end(&p);
	port_sim_free(&s);
	free(m);
}

/* ---- backoff ----------------------------------------------------------- */

static void backoff_case(int http_port)
{
	static const long long want[] = { 60, 600, 6000, DAY, DAY };
	const int64_t t0 = 1790000000; /* 2026-09 */
	struct port_sim s;
	struct proc p;
	long fails, steps;
	long long next, prev_next;
	size_t i;
	int rc;

	port_sim_init(&s);
	port_sim_set_trusted(&s, 1);
	port_sim_set_wall(&s, t0);
	proc_init(&p, &s, http_port);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t now = port_wall_time(&s.base);

		rc = run_agent(&p, AGENT_BACKOFF);
		ok(rc < 0, "backoff: attempt %zu fails against the dead CA", i + 1);
		read_journal(&s, &fails, &next);
		is_int(fails, (long)i + 1, "backoff: the journal counts %zu", i + 1);
		is_int(next - now, want[i], "backoff: after failure %zu, next try in "
		       "%lld s", i + 1, want[i]);

		/* A power cut and a new process: the journal is what remains. */
		proc_end(&p);
		port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
		port_sim_set_pid(&s, 5000 + (long)i);
		proc_init(&p, &s, http_port);
		read_journal(&s, &fails, &prev_next);
		is_int(fails, (long)i + 1, "backoff: failure %zu survives a power cut",
		       i + 1);

		port_sim_set_wall(&s, next - 1);
		steps = port_sim_steps(&s);
		rc = run_agent(&p, AGENT_BACKOFF);
		is_int(rc, AGENT_WAITING, "backoff: 1 s before the next try, waiting");
		is_int(port_sim_steps(&s) - steps, 0, "backoff: ... no storage step");
		is_int(log_count("127.0.0.1:1"), 0, "backoff: ... and no try");
		ok(log_count("next try") == 1, "backoff: ... the log says when");
		port_sim_set_wall(&s, next);
	}

	/* retry: the count starts over, and the next run tries at once. */
	rc = run_retry(&p);
	is_int(rc, 0, "retry: returns 0");
	is_int(log_count("failure backoff cleared"), 1, "retry: says so");
	read_journal(&s, &fails, &next);
	is_int(fails, 0, "retry: the journal has 0 failures");
	steps = port_sim_steps(&s);
	is_int(run_retry(&p), 0, "retry again: returns 0");
	is_int(port_sim_steps(&s) - steps, 0, "retry again: no backoff, no write");
	port_sim_set_wall(&s, port_wall_time(&s.base) + 5);
	rc = run_agent(&p, AGENT_BACKOFF);
	ok(rc < 0, "after retry: it tries at once");
	read_journal(&s, &fails, &next);
	is_int(fails, 1, "after retry: failure 1 again");
	is_int(next - port_wall_time(&s.base), 60, "after retry: a 1-minute wait again");

	/* An untrusted clock: nothing, even long after the next try. */
	port_sim_set_trusted(&s, 0);
	port_sim_set_wall(&s, next + 10 * DAY);
	steps = port_sim_steps(&s);
	rc = run_agent(&p, AGENT_BACKOFF);
	is_int(rc, AL_ECLOCK, "untrusted clock, backoff over: AL_ECLOCK");
	is_int(port_sim_steps(&s) - steps, 0, "untrusted clock: no storage step");
	is_int(log_count("127.0.0.1:1"), 0, "untrusted clock: no try");
	read_journal(&s, &fails, &next);
	is_int(fails, 1, "untrusted clock: the journal is as it was");
	proc_end(&p);
	port_sim_free(&s);
}

/* ---- the untrusted clock ------------------------------------------------ */

/* A due certificate, an empty state, a forced run: all AL_ECLOCK, zero
 * storage steps. */
static void untrusted_agent_case(int http_port)
{
	struct made_cert *m = calloc(1, sizeof(*m));
	struct port_sim s;
	struct proc p;
	long steps;
	int rc;

	port_sim_init(&s);
	proc_init(&p, &s, http_port);
	port_sim_set_trusted(&s, 0);
	port_sim_set_wall(&s, 1790000000);
	steps = port_sim_steps(&s);
	rc = run_agent(&p, AGENT_BACKOFF);
	is_int(rc, AL_ECLOCK, "untrusted clock, nothing stored: AL_ECLOCK");
	is_int(port_sim_steps(&s) - steps, 0, "untrusted clock, nothing stored: "
	       "zero storage steps");
	is_int(log_count("clock"), 1, "untrusted clock: one line about the clock");
	p.cfg.force = 1;
	rc = run_agent(&p, 0);
	is_int(rc, AL_ECLOCK, "untrusted clock, --force: AL_ECLOCK");
	is_int(port_sim_steps(&s) - steps, 0, "untrusted clock, --force: zero steps");

	if (m && make_cert(90, m) == 0 && seed_live(&s, m) == 0) {
		p.cfg.force = 0;
		port_sim_set_wall(&s, m->not_before + 61 * DAY); /* due */
		steps = port_sim_steps(&s);
		rc = run_agent(&p, AGENT_BACKOFF);
		is_int(rc, AL_ECLOCK, "untrusted clock, due certificate: AL_ECLOCK");
		is_int(port_sim_steps(&s) - steps, 0,
		       "untrusted clock, due certificate: zero storage steps");
		ok(live_is(&s, m), "untrusted clock: the live certificate stays");
	} else {
		ok(0, "a 90-day certificate seeded");
	}
	proc_end(&p);
	port_sim_free(&s);
	free(m);
}

/* The daemon with an untrusted clock: SIGHUP, SIGUSR1 and SIGTERM are
 * pending before it starts, so it goes round its loop three times without
 * sleeping (Linux hands out the lowest pending signal first; the checks
 * hold in any order). It says once that it waits for the clock, and does
 * nothing date-dependent: no try, no storage step. */
static void untrusted_daemon_case(int http_port)
{
	static const char conf_text[] =
		"state-dir = " STATE "\nserver = " DEAD_CA "\n"
		"http-addr = 127.0.0.1\nhttp-port = %d\nagree-tos = yes\n"
		"[cert x]\nnames = x.test\n";
	struct made_cert *m = calloc(1, sizeof(*m));
	struct conf *cf = calloc(1, sizeof(*cf));
	char text[512], *argv[] = { "acmelet", "run", NULL };
	struct port_sim s;
	struct proc p;
	struct config base;
	struct cli cl;
	sigset_t set;
	long steps;
	int rc, saved, len;

	port_sim_init(&s);
	proc_init(&p, &s, http_port);
	len = snprintf(text, sizeof(text), conf_text, http_port);
	if (!m || !cf || make_cert(90, m) != 0 || seed_live(&s, m) != 0 ||
	    port_make_dir(&s.base, "/etc", 0) != 0 ||
	    port_replace_file(&s.base, "/etc/acmelet.conf", text, (size_t)len,
	                      0) != 0) {
		ok(0, "daemon: set up");
		goto out;
	}
	is_int(cli_parse(&cl, 2, argv), 0, "daemon: cli_parse of 'run'");
	cl.conf_path = "/etc/acmelet.conf";
	cli_defaults(&base);
	is_int(conf_load(cf, &s.base, cl.conf_path, &base, &p.c.log), 0,
	       "daemon: the configuration loads from the flash");
	port_sim_set_trusted(&s, 0);
	port_sim_set_wall(&s, m->not_before + 61 * DAY); /* due */

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGHUP);
	raise(SIGUSR1);
	raise(SIGTERM);

	steps = port_sim_steps(&s);
	saved = capture_begin();
	rc = daemon_run(&p.c, &cl, cf);
	capture_end(saved);
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	is_int(rc, EXIT_DONE, "daemon: SIGTERM ends it with exit status 0");
	is_int(log_count("clock is not set"), 1,
	       "daemon: it says once that it waits for the clock");
	is_int(log_count("configuration reloaded"), 1,
	       "daemon: SIGHUP reloaded (it went round its loop again)");
	is_int(log_count("stopping"), 1, "daemon: it says it stops");
	is_int(log_count("127.0.0.1:1"), 0, "daemon: it never tried the CA");
	is_int(log_count("nothing to do"), 0, "daemon: it took no date decision");
	is_int(port_sim_steps(&s) - steps, 0, "daemon: zero storage steps");
	ok(live_is(&s, m), "daemon: the live certificate stays");
	if (port_sim_steps(&s) != steps)
		show_log();
out:
	proc_end(&p);
	port_sim_free(&s);
	free(cf);
	free(m);
}

/* ---- the certificate lock (issue 12) --------------------------------- */

static int has_gen(struct port_sim *s, const char *g)
{
	char path[128], buf[8];
	size_t len;

	snprintf(path, sizeof(path), STATE "/certs/x/%s/cert.pem", g);
	return port_read_file(&s->base, path, buf, sizeof(buf), &len) !=
	       AL_ENOENT;
}

/* A leftover generation gen-2 beside the live gen-1. */
static int seed_leftover(struct port_sim *s, const struct made_cert *m)
{
	struct port *p = &s->base;

	return port_make_dir(p, STATE "/certs/x/gen-2", 0) ||
	       port_replace_file(p, STATE "/certs/x/gen-2/cert.pem", m->cert,
	                         m->cert_len, 0);
}

/* Another process holds x's lock: the agent waits its lock-wait, says who
 * holds it in one line, and neither cleans up nor writes anything. Once
 * the other one ended, a run removes the leftover. With live pointing
 * outside the state directory or at nothing, no generation is removed. */
static void lock_case(int http_port)
{
	struct made_cert *m = calloc(1, sizeof(*m));
	struct port_sim s;
	struct proc p;
	long steps;
	int rc;

	port_sim_init(&s);
	proc_init(&p, &s, http_port);
	port_sim_set_trusted(&s, 1);
	if (!m || make_cert(90, m) != 0 || seed_live(&s, m) != 0 ||
	    seed_leftover(&s, m) != 0) {
		ok(0, "lock: a certificate and a leftover generation seeded");
		goto out;
	}
	port_sim_set_wall(&s, m->not_before + DAY); /* not due */
	p.cfg.lock_wait_s = 7;
	port_sim_hold_lock(&s, STATE "/certs/x", 777);
	steps = port_sim_steps(&s);
	p.cfg.force = 1;
	rc = run_agent(&p, 0);
	is_int(rc, AL_ELOCKED, "lock held elsewhere, --force: AL_ELOCKED");
	is_int(port_sim_steps(&s) - steps, 0, "lock held elsewhere: no storage "
	       "step (no clean-up, no journal)");
	is_int(log_count("another acmelet (pid 777) is working on x;"), 1,
	       "lock held elsewhere: one line naming the holder");
	is_int(log_count("error"), 1, "lock held elsewhere: one line in all");
	ok(has_gen(&s, "gen-2"), "lock held elsewhere: the leftover stays");
	ok(live_is(&s, m), "lock held elsewhere: the live certificate stays");
	is_int(port_sim_locks_held(&s), 0, "lock held elsewhere: we hold none");
	port_sim_drop_locks(&s, 777);
	p.cfg.force = 0;
	rc = run_agent(&p, 0);
	is_int(rc, AGENT_NOTHING, "lock free: nothing to do");
	ok(!has_gen(&s, "gen-2"), "lock free: the leftover gen-2 is removed");
	ok(has_gen(&s, "gen-1"), "lock free: the live gen-1 stays");
	is_int(port_sim_locks_held(&s), 0, "lock free: released at the end");

	seed_leftover(&s, m);
	port_replace_link(&s.base, STATE "/certs/x/live", "/elsewhere");
	run_agent(&p, 0);
	ok(has_gen(&s, "gen-1") && has_gen(&s, "gen-2"), "live pointing "
	   "outside the state directory: no generation removed");
	port_replace_link(&s.base, STATE "/certs/x/live", "gen-9");
	run_agent(&p, 0);
	ok(has_gen(&s, "gen-1") && has_gen(&s, "gen-2"), "live dangling: no "
	   "generation removed");
	is_int(port_sim_locks_held(&s), 0, "after failed runs: no lock held");
	port_sim_hold_lock(&s, STATE "/certs/x", 778);
	rc = run_retry(&p);
	is_int(rc, AL_ELOCKED, "retry waits for the lock too");
out:
	proc_end(&p);
	port_sim_free(&s);
	free(m);
}

int main(void)
{
	int http_port = free_port(0);

	if (http_port <= 0)
		http_port = 28471;

	sanitizer_reports_to_stderr();
	log_cap = tmpfile();
	if (!log_cap) {
		printf("Bail out! no temporary file\n");
		return 1;
	}
	due_case(90, 2.0 / 3.0, http_port);  /* day 60 */
	due_case(6, 0.5, http_port);         /* day 3 */
	due_case(9, 0.5, http_port);         /* just under 10 days: half */
	due_case(10, 2.0 / 3.0, http_port);  /* 10 days: a third left */
	backoff_case(http_port);
	untrusted_agent_case(http_port);
	untrusted_daemon_case(http_port);
	lock_case(http_port);
	fclose(log_cap);
	return tap_done();
}
