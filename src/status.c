/* acmelet status: what each certificate is doing, for people and scripts. */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "commands.h"
#include "conffile.h"
#include "json.h"
#include "port.h"
#include "schedule.h"

#define STATUS_JSON_MAX 32768

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

static void status_text(const struct config *cfg, const struct cert_status *st)
{
	char a[32], b[32];
	int i;

	printf("%s\n  names:", cfg->cert_name);
	for (i = 0; i < cfg->nnames; i++)
		printf(" %s", cfg->names[i]);
	if (st->has_cert)
		printf("\n  expires: %s\n", iso(st->facts.not_after, a, sizeof(a)));
	else
		printf("\n  expires: no certificate yet\n");
	printf("  profile: %s\n", cfg->profile ? cfg->profile : "(the CA's default)");
	if (st->has_window)
		status_window(st);
	else if (st->has_cert && st->ari)
		printf("  renewal window: not asked yet (one third of the lifetime "
		       "until then)\n");
	printf("  next: %s %s\n  failures: %d\n", st->action,
	       iso(st->next_at, b, sizeof(b)), st->failures);
	if (st->last_error[0])
		printf("  last error: %s\n", st->last_error);
}

/* One certificate as a JSON object into buf. */
static int status_json(const struct config *cfg, const struct cert_status *st,
                       char *buf, size_t cap)
{
	char a[32];
	struct jw w;
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
	jw_key(&w, "profile");
	jw_str(&w, cfg->profile ? cfg->profile : "");
	jw_key(&w, "has_certificate");
	jw_bool(&w, st->has_cert);
	if (st->has_cert) {
		jw_key(&w, "not_after");
		jw_str(&w, iso(st->facts.not_after, a, sizeof(a)));
		jw_key(&w, "renew_at");
		jw_str(&w, iso(st->due, a, sizeof(a)));
	}
	if (st->has_window) {
		jw_key(&w, "ari_window_start");
		jw_str(&w, iso(st->ari_state.start, a, sizeof(a)));
		jw_key(&w, "ari_window_end");
		jw_str(&w, iso(st->ari_state.end, a, sizeof(a)));
		jw_key(&w, "ari_pick");
		jw_str(&w, iso(st->ari_state.pick, a, sizeof(a)));
		jw_key(&w, "ari_next_check");
		jw_str(&w, iso(st->ari_state.next_ask, a, sizeof(a)));
	}
	jw_key(&w, "next_action");
	jw_str(&w, st->action);
	jw_key(&w, "next_at");
	jw_str(&w, iso(st->next_at, a, sizeof(a)));
	jw_key(&w, "failures");
	jw_int(&w, st->failures);
	jw_key(&w, "last_error");
	jw_str(&w, st->last_error);
	jw_obj_end(&w);
	return jw_finish(&w, NULL);
}

int status_print(struct ctx *c, const struct cli *cl, struct conf *cf)
{
	struct cert_status st;
	char buf[STATUS_JSON_MAX];
	int sel[CONF_MAX_CERTS], n, i;

	if ((n = command_select(cl, cf, sel, &c->log)) < 0)
		return EXIT_USAGE;
	memset(&st, 0, sizeof(st));
	if (cl->json)
		printf("[");
	for (i = 0; i < n; i++) {
		const struct config *cfg = &cf->certs[sel[i]];

		c->cfg = cfg;
		if (store_init(&c->store, c->port, &c->log, cfg->state_dir) != 0)
			return EXIT_USAGE;
		agent_status(c, &st);
		if (!cl->json)
			status_text(cfg, &st);
		else if (status_json(cfg, &st, buf, sizeof(buf)) == 0)
			printf("%s%s", i ? "," : "", buf);
	}
	if (cl->json)
		printf("]\n");
	return EXIT_DONE;
}
