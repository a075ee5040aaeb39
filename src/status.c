/* acmelet status: what each certificate is doing, for people and scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "commands.h"
#include "conffile.h"
#include "json.h"
#include "port.h"
#include "schedule.h"

/* names, and each set (the first twice) with a last error escaped whole */
#define STATUS_JSON_MAX (32768 + (CFG_KEY_TYPES_MAX + 1) * \
                         (6 * LOG_LINE_MAX + 2048))

static const char *iso(int64_t t, char *buf, size_t cap)
{
	if (t <= 0) {
		snprintf(buf, cap, "now");
		return buf;
	}
	return sched_format_utc(t, SCHED_FMT_RFC3339, buf, cap);
}

/* The CA's ARI window and the pick in it (M1). */
static void status_window(const struct cert_status *st)
{
	char a[32], b[32], p[32], n[32];

	printf("  renewal window: %s .. %s (the CA's), picked %s, asked again "
	       "after %s\n", iso(st->ari_state.start, a, sizeof(a)),
	       iso(st->ari_state.end, b, sizeof(b)),
	       iso(st->ari_state.pick, p, sizeof(p)),
	       iso(st->ari_state.next_ask, n, sizeof(n)));
}

/* The profile line: the live certificate's (recorded when it was
 * issued), and the configured one when they differ (M3). */
static void status_profile(const struct config *cfg,
                           const struct cert_status *st)
{
	const char *dflt = "(the CA's default)", *want = cfg->profile ?
	                   cfg->profile : "";
	const char *got = st->has_cert ? st->profile : want;
	int same = !strcmp(got, want);

	printf("  profile: %s%s%s\n", got[0] ? got : dflt,
	       same ? "" : " (issued with); configured: ",
	       same ? "" : want[0] ? want : dflt);
}

/* One set (c->cfg): its key type and live directory, then what it is
 * doing; arg is room for its struct cert_status. */
static void status_text(struct ctx *c, void *arg)
{
	const struct config *cfg = c->cfg;
	struct cert_status *st = arg;
	char a[32], b[32];

	agent_status(c, st);

	printf("  key type: %s, live: %s\n", key_type_name(cfg->key_type),
	       st->live_dir);
	if (st->has_cert)
		printf("  expires: %s\n", iso(st->facts.not_after, a, sizeof(a)));
	else
		printf("  expires: no certificate yet\n");
	status_profile(cfg, st);
	if (st->has_window)
		status_window(st);
	else if (st->has_cert && st->ari)
		printf("  renewal window: not asked yet (one third of the lifetime "
		       "until then)\n");
	printf("  next: %s %s\n  failures: %d\n", st->action,
	       iso(st->next_at, b, sizeof(b)), st->failures);
	if (st->last_error[0])
		printf("  last error: %s\n%s", st->last_error, st->input_error ?
		       "  (a setting to fix: not counted in the backoff)\n" : "");
}

/* One set's fields into the open JSON object w. */
static void set_json(struct jw *w, const struct config *cfg,
                     const struct cert_status *st)
{
	char a[32];

	jw_key(w, "key_type");
	jw_str(w, key_type_name(cfg->key_type));
	jw_key(w, "live_dir");
	jw_str(w, st->live_dir);
	jw_key(w, "profile"); /* what the live certificate was issued with */
	jw_str(w, st->has_cert ? st->profile : cfg->profile ? cfg->profile : "");
	jw_key(w, "profile_configured");
	jw_str(w, cfg->profile ? cfg->profile : "");
	jw_key(w, "has_certificate");
	jw_bool(w, st->has_cert);
	if (st->has_cert) {
		jw_key(w, "not_after");
		jw_str(w, iso(st->facts.not_after, a, sizeof(a)));
		jw_key(w, "renew_at");
		jw_str(w, iso(st->due, a, sizeof(a)));
	}
	if (st->has_window) {
		jw_key(w, "ari_window_start");
		jw_str(w, iso(st->ari_state.start, a, sizeof(a)));
		jw_key(w, "ari_window_end");
		jw_str(w, iso(st->ari_state.end, a, sizeof(a)));
		jw_key(w, "ari_pick");
		jw_str(w, iso(st->ari_state.pick, a, sizeof(a)));
		jw_key(w, "ari_next_check");
		jw_str(w, iso(st->ari_state.next_ask, a, sizeof(a)));
	}
	jw_key(w, "next_action");
	jw_str(w, st->action);
	jw_key(w, "next_at");
	jw_str(w, iso(st->next_at, a, sizeof(a)));
	jw_key(w, "failures");
	jw_int(w, st->failures);
	jw_key(w, "last_error");
	jw_str(w, st->last_error);
	jw_key(w, "input_error");
	jw_bool(w, st->input_error);
}

struct json_arg {
	struct jw *w;
	struct cert_status *st;
};

/* One set (c->cfg) as an object of "sets". */
static void set_json_cb(struct ctx *c, void *arg)
{
	struct json_arg *j = arg;

	agent_status(c, j->st);
	jw_obj_begin(j->w);
	set_json(j->w, c->cfg, j->st);
	jw_obj_end(j->w);
}

/* One certificate as a JSON object into buf: the first set's fields at
 * the top (as with one key type), every set in "sets". */
static int status_json(struct ctx *c, const struct config *cfg,
                       struct cert_status *st, char *buf, size_t cap)
{
	struct config set;
	char dir[STORE_PATH_MAX];
	struct jw w;
	struct json_arg j = { &w, st };
	int i;

	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	jw_key(&w, "name");
	jw_str(&w, cfg->cert_name);
	jw_key(&w, "names");
	jw_arr_begin(&w);
	for (i = 0; i < cfg->nnames; i++)
		jw_str(&w, cfg->names[i]);
	jw_arr_end(&w);
	agent_set_config(cfg, 0, &set, dir, sizeof(dir));
	c->cfg = &set;
	agent_status(c, st);
	set_json(&w, &set, st);
	c->cfg = cfg;
	jw_key(&w, "sets");
	jw_arr_begin(&w);
	agent_each_set(c, set_json_cb, &j);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return jw_finish(&w, NULL);
}

/* One certificate as text: name, names, then each set. */
static void cert_text(struct ctx *c, const struct config *cfg,
                      struct cert_status *st)
{
	int i;

	printf("%s\n  names:", cfg->cert_name);
	for (i = 0; i < cfg->nnames; i++)
		printf(" %s", cfg->names[i]);
	printf("\n");
	agent_each_set(c, status_text, st);
}

int status_print(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	struct cert_status st;
	char *buf;
	int sel[CONF_MAX_CERTS], n, i, shown = 0;

	if ((n = command_select(cl, cf, sel, &c->log)) < 0)
		return EXIT_USAGE;
	if (!(buf = malloc(STATUS_JSON_MAX))) {
		log_err(&c->log, "out of memory");
		return EXIT_FAILED;
	}
	memset(&st, 0, sizeof(st));
	if (cl->json)
		printf("[");
	for (i = 0; i < n; i++) {
		const struct config *cfg = &cf->certs[sel[i]];

		c->cfg = cfg;
		if (store_init(&c->store, c->port, &c->log, cfg->state_dir) != 0) {
			free(buf);
			return EXIT_USAGE;
		}
		if (!cl->json)
			cert_text(c, cfg, &st);
		else if (status_json(c, cfg, &st, buf, STATUS_JSON_MAX) == 0)
			printf("%s%s", shown++ ? "," : "", buf);
	}
	if (cl->json)
		printf("]\n");
	free(buf);
	return EXIT_DONE;
}
