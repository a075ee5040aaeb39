/* crash_rollover: a power cut at every storage step of `acmelet account
 * rollover` never loses the account (M6). Run by
 * tests/integration/96-crash-rollover.t against a private Pebble.
 *
 * The account code runs unchanged with real HTTP to Pebble; storage,
 * clocks and entropy are the simulated port. An uncut rollover is measured
 * (S storage steps); then for every k in 0..S and both ways a reboot can
 * leave the flash: a new account is made (uncut), the power is cut after k
 * steps of its rollover (the network keeps going, so keyChange may reach
 * the CA after the flash died), the flash is rebooted, and a new process
 * settles the account as every command does (account_recover). Then the
 * key in key.pem must find the same account at the CA (onlyReturnExisting),
 * the CA must answer a request signed with it (status valid), and no
 * key-next.pem nor temporary file may be left.
 *
 * Input: ACME_URL, CA_FILE in the environment. Output: TAP. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "agent.h"
#include "err.h"
#include "http/http.h"
#include "port.h"
#include "sim/port_sim.h"

#define STATE "/state"
#define LOG_LINES 40

struct harness {
	struct config cfg;
	struct port_sim sim;
	FILE *cap;
	long next_pid;
	int tests, failed;
	char ca_id[STORE_CA_ID_MAX];
	char url[ACME_URL_MAX];   /* the account of the current case */
	char why[1024];
	struct key key;
};

static void __attribute__((format(printf, 2, 3)))
why(struct harness *h, const char *fmt, ...)
{
	size_t n = strlen(h->why);
	va_list ap;

	if (n + 3 >= sizeof(h->why))
		return;
	if (n) {
		memcpy(h->why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(h->why + n, sizeof(h->why) - n, fmt, ap);
	va_end(ap);
}

static void tap(struct harness *h, const char *what)
{
	int good = !h->why[0];

	printf("%sok %d - %s\n", good ? "" : "not ", ++h->tests, what);
	fflush(stdout);
	if (good)
		return;
	h->failed++;
	fprintf(stderr, "#   %s\n#   log of the last run:\n", h->why);
	{
		char line[2048];
		int n = 0;

		rewind(h->cap);
		while (n++ < LOG_LINES && fgets(line, sizeof(line), h->cap))
			fprintf(stderr, "#    %s", line);
	}
}

/* A context as src/main.c builds it, logging into the capture file. */
static int ctx_open(struct harness *h, struct ctx *c, int *saved)
{
	memset(c, 0, sizeof(*c));
	c->cfg = &h->cfg;
	c->port = &h->sim.base;
	loop_init(&c->loop, c->port);
	if (!(c->acme = calloc(1, sizeof(*c->acme))))
		return AL_EFAIL;
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	if (ftruncate(fileno(h->cap), 0) == 0)
		rewind(h->cap);
	dup2(fileno(h->cap), STDERR_FILENO);
	log_init(&c->log, LOG_LVL_DEBUG, LOG_TO_STDERR);
	return store_init(&c->store, c->port, &c->log, h->cfg.state_dir);
}

static void ctx_close(struct ctx *c, int saved)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	http_close(c->http);
	free(c->acme);
}

/* A fresh flash holding a new account (not cut): its URL in h->url. */
static int new_account(struct harness *h, uint64_t seed)
{
	struct ctx c;
	int saved, rc, created;

	port_sim_free(&h->sim);
	port_sim_init(&h->sim);
	port_sim_set_wall(&h->sim, (int64_t)time(NULL));
	port_sim_set_trusted(&h->sim, 1);
	port_sim_seed(&h->sim, seed);
	port_sim_set_pid(&h->sim, h->next_pid++);
	rc = ctx_open(h, &c, &saved);
	if (rc == 0 && (rc = rng_init(&c.rng, c.port)) == 0 &&
	    (rc = key_generate(&h->key, KEY_EC256, &c.rng)) == 0 &&
	    (rc = agent_http_open(&c)) == 0 &&
	    (rc = acme_get_directory(c.acme, h->cfg.server)) == 0 &&
	    (rc = store_save_account_key(&c.store, h->ca_id, &h->key)) == 0) {
		c.acme->key = &h->key;
		rc = acme_account(c.acme, h->cfg.email, 1, 0, &created);
		if (rc == 0)
			rc = store_save_account_url(&c.store, h->ca_id, c.acme->kid,
			                            NULL);
		snprintf(h->url, sizeof(h->url), "%s", c.acme->kid);
	}
	ctx_close(&c, saved);
	return rc;
}

/* `acmelet account rollover` in a process of its own; its storage steps. */
static long rollover(struct harness *h, int *rc)
{
	static char *args[] = { "rollover" };
	struct cli cl = { .command = "account", .nargs = 1, .args = args,
	                  .reason = -1 };
	struct ctx c;
	long before = port_sim_steps(&h->sim);
	int saved;

	*rc = ctx_open(h, &c, &saved);
	if (*rc == 0)
		*rc = account_command(&c, &cl);
	ctx_close(&c, saved);
	return port_sim_steps(&h->sim) - before;
}

#define SIM_LEFT_MAX 256

static int tmp_cb(void *arg, const char *path, enum sim_type type)
{
	(void)type;
	if (strstr(path, ".tmp-") || strstr(path, "key-next.pem"))
		snprintf(arg, SIM_LEFT_MAX, "%s", path);
	return 0;
}

/* A new process settles the account as every command does first, then
 * the stored key must be the account's at the CA. */
static void check_account(struct harness *h)
{
	struct acme_account_info info;
	char url[ACME_URL_MAX], ari[ACME_URL_MAX], left[SIM_LEFT_MAX] = "";
	struct ctx c;
	int saved, rc, created;

	port_sim_set_pid(&h->sim, h->next_pid++);
	rc = ctx_open(h, &c, &saved);
	if (rc == 0) /* as every run does first (load_journal, account_open) */
		store_cleanup_account(&c.store, h->ca_id);
	if (rc == 0 && (rc = agent_http_open(&c)) == 0 &&
	    (rc = acme_get_directory(c.acme, h->cfg.server)) == 0)
		rc = account_recover(&c, h->ca_id);
	if (rc != 0)
		why(h, "settling the account failed (%d)", rc);
	else if (store_load_account(&c.store, h->ca_id, &h->key, url,
	                            sizeof(url), ari, sizeof(ari)) != 0)
		why(h, "key.pem is gone or unusable");
	else {
		c.acme->key = &h->key;
		if (acme_account(c.acme, NULL, 0, 1, &created) != 0)
			why(h, "the CA knows no account for key.pem");
		else if (strcmp(c.acme->kid, h->url) != 0)
			why(h, "key.pem finds %s, not the account %s", c.acme->kid,
			    h->url);
		else if (acme_account_get(c.acme, &info) != 0 ||
		         strcmp(info.status, "valid") != 0)
			why(h, "the account is not valid (%s)", info.status);
		if (url[0] && strcmp(url, h->url) != 0)
			why(h, "account.json names %s", url);
	}
	ctx_close(&c, saved);
	port_sim_list_all(&h->sim, tmp_cb, left);
	if (left[0])
		why(h, "left on the flash: %s", left);
}

static const char *const mode_name[] = { "lose-unsynced", "torn-data" };

static void cut_case(struct harness *h, enum sim_loss mode, long k)
{
	char what[128];
	int rc;

	h->why[0] = '\0';
	if (new_account(h, 100u * (unsigned)mode + (uint64_t)k) != 0)
		why(h, "the account could not be made");
	port_sim_set_pid(&h->sim, h->next_pid++);
	port_sim_cut_after(&h->sim, k);
	rollover(h, &rc);
	if (!port_sim_dead(&h->sim))
		why(h, "the rollover made fewer than %ld steps", k);
	port_sim_reboot(&h->sim, mode);
	check_account(h);
	snprintf(what, sizeof(what), "cut after %ld steps of a rollover (%s): "
	         "the account is kept", k, mode_name[mode]);
	tap(h, what);
}

int main(void)
{
	struct harness *h = calloc(1, sizeof(*h));
	long steps, k;
	int m, rc;

	if (!h)
		return 2;
	h->cfg = (struct config){ .server = getenv("ACME_URL"),
		.ca_file = getenv("CA_FILE"), .state_dir = STATE,
		.email = "admin@acmelet.test", .agree_tos = 1,
		.key_type = KEY_EC256, .account_key_type = KEY_EC256,
		.timeout_s = 30, .verbose = 1, .log_dest = LOG_TO_STDERR };
	if (!h->cfg.server || !h->cfg.ca_file || !(h->cap = tmpfile())) {
		fprintf(stderr, "usage: ACME_URL=.. CA_FILE=.. crash_rollover\n");
		return 2;
	}
	store_ca_id(h->cfg.server, h->ca_id, sizeof(h->ca_id));
	port_sim_init(&h->sim);
	h->next_pid = 7000;
	if (new_account(h, 1) != 0)
		why(h, "the account could not be made");
	steps = rollover(h, &rc);
	if (rc != 0)
		why(h, "the uncut rollover failed (%d)", rc);
	check_account(h);
	tap(h, "an uncut rollover keeps the account");
	fprintf(stderr, "# an uncut rollover: %ld storage steps\n", steps);
	for (m = 0; m < 2 && !h->failed; m++)
		for (k = 0; k <= steps; k++)
			cut_case(h, (enum sim_loss)m, k);
	printf("1..%d\n", h->tests);
	fprintf(stderr, "# cut after each of the %ld steps of a rollover, "
	        "rebooted two ways: %s\n", steps, h->failed ? "SOME FAILED" :
	        "the account was always kept");
	port_sim_free(&h->sim);
	fclose(h->cap);
	m = h->failed ? 1 : 0;
	free(h);
	return m;
}
