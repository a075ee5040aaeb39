/* crash_run: the exhaustive power-cut proof of issue 3, run by
 * tests/integration/40-crash-sim.t against a private Pebble.
 *
 * The agent runs unchanged with real HTTP to Pebble and a real http-01
 * responder; only storage, clocks and entropy are the simulated port. A
 * whole issuance and a whole renewal are measured (S1, S2 storage steps);
 * then for every k in 0..S the power is cut after k steps, the flash is
 * rebooted as the cut left it (unsynced changes lost, or entries kept with
 * torn data), the state is checked, the agent runs again as a new process,
 * and the outcome is checked: a complete live pair whose key is the
 * certificate's, every file parses, no temporary file left, the
 * certificate verifies and covers the names, at most one extra order.
 *
 * With --dual first, the certificate has two key types (S10: ec-256 in
 * live/, ec-384 in live-ec-384/ -> ec-384/live; ec-384 rather than RSA
 * because hundreds of RSA key generations would make the proof take ten
 * minutes, and the set mechanics do not depend on the type; 97-dual-certs.t
 * issues EC + RSA against Pebble) and every check is
 * made per set: neither set is lost at a cut, each set's key is of its
 * type (never mixed), each is complete, renewed and left idle.
 *
 * Input: ACME_URL, CA_FILE, HTTP_PORT, ROOT_FILE (Pebble's root, to verify
 * chains) in the environment; the names as arguments. Output: TAP. */
#include <bearssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "err.h"
#include "http/http.h"
#include "json.h"
#include "pem.h"
#include "port.h"
#include "challenge/responder.h"
#include "sim/port_sim.h"

#define STATE "/state"
#define LIST_MAX 128      /* paths on the flash; a few dozen in practice */
#define SIM_PATH 256
#define WHY_MAX 1024
#define LOG_LINES 60      /* agent log lines shown for a failed case */
#define DER_MAX 8192
#define SETS_MAX 2        /* key types of the certificate (--dual: 2) */

enum phase { ISSUANCE, RENEWAL };

/* Every path on the flash and its kind, collected before it is read. */
struct flash_list {
	int n, overflow;
	char path[LIST_MAX][SIM_PATH];
	enum sim_type type[LIST_MAX];
};

/* A copy of the visible flash, to start every renewal case from the same
 * issued state without issuing again. */
struct snap {
	int n;
	struct {
		char path[SIM_PATH];
		enum sim_type type;
		int mode;
		size_t len;
		char data[CHAIN_MAX];
	} e[LIST_MAX / 2];
};

/* Pebble's root as a BearSSL trust anchor; the key points into dc. */
struct anchor {
	br_x509_decoder_context dc;
	unsigned char dn[1024];
	size_t dn_len;
	int overflow, ok;
	br_x509_trust_anchor ta;
};

/* What one agent run did, from its return, the flash and its log. */
struct run {
	int rc;
	int orders;   /* newOrder answered 201 */
	int accounts; /* newAccount answered 201 (created) */
	long steps;   /* storage steps of this run */
	struct port_sim_counters before, after; /* the port's wear figures */
};

/* Why a case failed: reasons joined with "; ". */
struct verdict {
	int bad;
	char why[WHY_MAX];
};

struct harness {
	struct config cfg;
	struct port_sim sim;
	struct anchor root;
	FILE *cap;              /* stderr of the agent runs */
	long next_pid;          /* each run after a reboot is a new process */
	int tests, failed;
	long points;            /* crash points tried */
	struct snap *snap;      /* the flash after a complete issuance */
	int nsets;              /* 1, or 2 with --dual */
	char set_dir[SETS_MAX][SIM_PATH]; /* each set's cert_name */
	char old_cert[SETS_MAX][CHAIN_MAX]; /* the snapshot's live cert.pem */
	int64_t renew_wall;     /* the snapshot's certificate is due then */
	struct flash_list list;
	char a[CHAIN_MAX], b[CHAIN_MAX], c[CHAIN_MAX], d[CHAIN_MAX];
};

static void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One TAP line. */
static void __attribute__((format(printf, 3, 4)))
tap(struct harness *h, int good, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", good ? "" : "not ", ++h->tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!good)
		h->failed++;
}

static void __attribute__((format(printf, 2, 3)))
why(struct verdict *v, const char *fmt, ...)
{
	size_t n = strlen(v->why);
	va_list ap;

	v->bad++;
	if (n + 3 >= sizeof(v->why))
		return;
	if (n) {
		memcpy(v->why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->why + n, sizeof(v->why) - n, fmt, ap);
	va_end(ap);
}

/* ---- the agent, run as a fresh process would run it ---------------- */

/* Send stderr (the agent's log) to the capture file, or back. */
static int capture(struct harness *h, int saved)
{
	fflush(stderr);
	if (saved < 0) {
		saved = dup(STDERR_FILENO);
		if (ftruncate(fileno(h->cap), 0) != 0)
			return saved;
		rewind(h->cap);
		dup2(fileno(h->cap), STDERR_FILENO);
		return saved;
	}
	dup2(saved, STDERR_FILENO);
	close(saved);
	return -1;
}

/* Count what the captured log says the run did. */
static void scan_log(struct harness *h, struct run *r)
{
	char line[2048];

	rewind(h->cap);
	while (fgets(line, sizeof(line), h->cap)) {
		if (strstr(line, "http: POST ") &&
		    strstr(line, "/order-plz -> 201"))
			r->orders++;
		if (strstr(line, "http: POST ") &&
		    strstr(line, "/sign-me-up -> 201"))
			r->accounts++;
	}
}

/* The captured log of the last run (its first lines), as diagnostics. */
static void show_log(struct harness *h)
{
	char line[2048];
	int n = 0;

	rewind(h->cap);
	diag("  log of the last run:");
	while (n++ < LOG_LINES && fgets(line, sizeof(line), h->cap))
		fprintf(stderr, "#    %s", line);
}

/* One run of agent_issue with a new context, as src/main.c builds it. */
static void agent_once(struct harness *h, struct run *r)
{
	struct ctx c;
	int saved;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.cfg = &h->cfg;
	c.port = &h->sim.base;
	loop_init(&c.loop, c.port);
	c.acme = calloc(1, sizeof(*c.acme));
	c.resp = calloc(1, sizeof(*c.resp));
	if (!c.acme || !c.resp) {
		fprintf(stderr, "crash_run: out of memory\n");
		exit(2);
	}
	port_sim_counters(&h->sim, &r->before);
	saved = capture(h, -1);
	log_init(&c.log, LOG_LVL_DEBUG, LOG_TO_STDERR);
	r->rc = store_init(&c.store, c.port, &c.log, h->cfg.state_dir);
	if (r->rc == 0)
		r->rc = agent_issue(&c);
	http_close(c.http);
	capture(h, saved);
	port_sim_counters(&h->sim, &r->after);
	r->steps = r->after.steps - r->before.steps;
	scan_log(h, r);
	free(c.acme);
	free(c.resp);
}

/* ---- the flash: listing, snapshot ------------------------------------ */

static int list_cb(void *arg, const char *path, enum sim_type type)
{
	struct flash_list *l = arg;

	if (l->n >= LIST_MAX || strlen(path) >= SIM_PATH) {
		l->overflow = 1;
		return 0;
	}
	snprintf(l->path[l->n], SIM_PATH, "%s", path);
	l->type[l->n++] = type;
	return 0;
}

static void flash_list(struct harness *h)
{
	h->list.n = h->list.overflow = 0;
	port_sim_list_all(&h->sim, list_cb, &h->list);
}

/* A whole file of the flash into buf (CHAIN_MAX), NUL-terminated. */
static int read_sim(struct harness *h, const char *path, char *buf,
                    size_t *len)
{
	int rc = port_read_file(&h->sim.base, path, buf, CHAIN_MAX - 1, len);

	buf[rc == 0 ? *len : 0] = '\0';
	return rc;
}

/* Copy every visible entry of the flash into h->snap. */
static int snap_take(struct harness *h)
{
	struct snap *s = h->snap;
	int i;

	flash_list(h);
	if (h->list.n > LIST_MAX / 2)
		return -1;
	for (i = s->n = 0; i < h->list.n; i++) {
		snprintf(s->e[s->n].path, SIM_PATH, "%s", h->list.path[i]);
		s->e[s->n].type = h->list.type[i];
		s->e[s->n].mode = port_sim_mode(&h->sim, h->list.path[i]);
		s->e[s->n].len = 0;
		if (h->list.type[i] == SIM_FILE)
			read_sim(h, h->list.path[i], s->e[s->n].data, &s->e[s->n].len);
		else if (h->list.type[i] == SIM_LINK)
			port_read_link(&h->sim.base, h->list.path[i], s->e[s->n].data,
			               CHAIN_MAX);
		s->n++;
	}
	return 0;
}

/* Write the snapshot into the (fresh) flash, everything synced. */
static int snap_restore(struct harness *h)
{
	struct port *p = &h->sim.base;
	int i, rc = 0;

	for (i = 0; i < h->snap->n && rc == 0; i++) {
		const char *path = h->snap->e[i].path, *data = h->snap->e[i].data;
		int mode = h->snap->e[i].mode;

		if (h->snap->e[i].type == SIM_DIR)
			rc = port_make_dir(p, path, mode == 0700 ? PORT_PRIVATE : 0);
		else if (h->snap->e[i].type == SIM_FILE)
			rc = port_replace_file(p, path, data, h->snap->e[i].len,
			                       mode == 0600 ? PORT_PRIVATE : 0);
		else
			rc = port_replace_link(p, path, data);
	}
	return rc;
}

/* A dummy file torn at a reboot, so that the next torn file comes back
 * empty instead of half (the port alternates). */
static void torn_warmup(struct harness *h)
{
	port_sim_set_pid(&h->sim, 4242);
	port_sim_cut_after(&h->sim, 2); /* create, write: before the fsync */
	port_replace_file(&h->sim.base, "/warmup", "warmup", 6, 0);
	port_sim_reboot(&h->sim, SIM_KEEP_ENTRIES_TORN_DATA);
	port_remove(&h->sim.base, "/warmup.tmp-4242");
}

/* A new flash for a case: empty (issuance) or the issued snapshot
 * (renewal, with the clock at the snapshot's renewal time). */
static int sim_fresh(struct harness *h, enum phase ph, uint64_t seed,
                     int torn_empty)
{
	port_sim_free(&h->sim);
	port_sim_init(&h->sim);
	port_sim_set_wall(&h->sim, (int64_t)time(NULL));
	port_sim_set_trusted(&h->sim, 1);
	port_sim_seed(&h->sim, seed);
	if (torn_empty)
		torn_warmup(h);
	if (ph == RENEWAL) {
		if (snap_restore(h) != 0)
			return -1;
		port_sim_set_wall(&h->sim, h->renew_wall);
	}
	return 0;
}

/* ---- checks of what is on the flash ---------------------------------- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct anchor *a = ctx;

	if (a->dn_len + len > sizeof(a->dn)) {
		a->overflow = 1;
		return;
	}
	memcpy(a->dn + a->dn_len, buf, len);
	a->dn_len += len;
}

/* Pebble's root certificate (PEM file) as the one trust anchor. */
static int anchor_load(struct anchor *a, const char *file, char *buf)
{
	unsigned char der[DER_MAX];
	const br_x509_pkey *pk;
	size_t len, dlen, end;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	len = fread(buf, 1, CHAIN_MAX - 1, f);
	fclose(f);
	if (pem_decode_next(buf, len, "CERTIFICATE", der, sizeof(der), &dlen,
	                    &end, NULL, 0) != 0)
		return -1;
	br_x509_decoder_init(&a->dc, dn_append, a);
	br_x509_decoder_push(&a->dc, der, dlen);
	if (!(pk = br_x509_decoder_get_pkey(&a->dc)) || a->overflow)
		return -1;
	a->ta.dn.data = a->dn;
	a->ta.dn.len = a->dn_len;
	a->ta.flags = BR_X509_TA_CA;
	a->ta.pkey = *pk;
	a->ok = 1;
	return 0;
}

/* Feed every certificate of a PEM text to an X.509 engine. */
static int push_certs(const br_x509_class **xc, const char *pem, size_t len)
{
	unsigned char der[DER_MAX];
	size_t off = 0, dlen, end;
	int n = 0;

	while (off < len && pem_decode_next(pem + off, len - off, "CERTIFICATE",
	                                    der, sizeof(der), &dlen, &end, NULL,
	                                    0) == 0) {
		(*xc)->start_cert(xc, (uint32_t)dlen);
		(*xc)->append(xc, der, dlen);
		(*xc)->end_cert(xc);
		off += end;
		n++;
	}
	return n;
}

/* 0 when cert + chain verify up to Pebble's root, now. */
static int verify_chain(struct anchor *a, const char *cert, size_t clen,
                        const char *chain, size_t chlen)
{
	br_x509_minimal_context xc;
	time_t now = time(NULL);

	br_x509_minimal_init_full(&xc, &a->ta, 1);
	br_x509_minimal_set_time(&xc, (uint32_t)(now / 86400 + 719528),
	                         (uint32_t)(now % 86400));
	xc.vtable->start_chain(&xc.vtable, NULL);
	if (push_certs(&xc.vtable, cert, clen) != 1 ||
	    push_certs(&xc.vtable, chain, chlen) < 1)
		return -1;
	return (int)xc.vtable->end_chain(&xc.vtable);
}

/* 1 when the private key (PEM) is the certificate's (first of PEM). */
static int pair_matches(const char *key, size_t klen, const char *cert,
                        size_t clen)
{
	unsigned char der[DER_MAX];
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	struct key k;
	size_t dlen, end;

	if (key_from_pem(&k, key, klen) != 0 ||
	    pem_decode_next(cert, clen, "CERTIFICATE", der, sizeof(der), &dlen,
	                    &end, NULL, 0) != 0)
		return 0;
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, dlen);
	pk = br_x509_decoder_get_pkey(&dc);
	return pk && key_matches_pub(&k, pk);
}

/* The generation dir (e.g. "/state/certs/n/gen-2") holds a complete,
 * matching pair for the names; facts of its certificate into f. */
static void check_pair(struct harness *h, struct verdict *v, const char *dir,
                       struct cert_facts *f)
{
	static const char *const file[4] = { "privkey.pem", "cert.pem",
	                                     "chain.pem", "fullchain.pem" };
	char *buf[4] = { h->a, h->b, h->c, h->d }, p[4 * SIM_PATH];
	size_t len[4];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, file[i]);
		if (read_sim(h, p, buf[i], &len[i]) != 0) {
			why(v, "%s is incomplete (%s missing)", dir, file[i]);
			return;
		}
	}
	if (!pair_matches(h->a, len[0], h->b, len[1]))
		why(v, "%s: privkey.pem is not the key of cert.pem", dir);
	if (cert_facts_pem(h->b, len[1], f) != 0)
		why(v, "%s/cert.pem does not parse", dir);
	else if (!cert_covers(f, h->cfg.names, h->cfg.nnames))
		why(v, "%s/cert.pem does not cover the names", dir);
	if (len[3] != len[1] + len[2] || memcmp(h->d, h->b, len[1]) != 0 ||
	    memcmp(h->d + len[1], h->c, len[2]) != 0)
		why(v, "%s/fullchain.pem is not cert.pem + chain.pem", dir);
	if (h->root.ok &&
	    verify_chain(&h->root, h->b, len[1], h->c, len[2]) != 0)
		why(v, "%s: the chain does not verify to Pebble's root", dir);
}

/* What a look at the flash found, beyond the failures it reports: per
 * set, and the temporary files and generations of all. */
struct set_survey {
	int live;        /* live generation, 0 when none */
	int pending_gen; /* the journal's generation (not live) with a key */
	int order;       /* the journal holds an unfinished order */
	struct cert_facts f;
	char cert[CHAIN_MAX]; /* the live cert.pem */
};

struct survey {
	struct set_survey set[SETS_MAX];
	int tmps, gens;
	char tmp[SIM_PATH];
};

/* Set i's live link; its pair is checked, its key must be of the set's
 * type, and its cert.pem is kept in sv. The second set must also be
 * reachable at live-<type>. */
static void check_live(struct harness *h, struct verdict *v, int i,
                       struct set_survey *sv)
{
	char link[SIM_PATH], target[64], dir[2 * SIM_PATH], key[3 * SIM_PATH];
	enum key_type want = i ? KEY_EC384 : KEY_EC256;
	struct key k;
	size_t len;

	snprintf(link, sizeof(link), STATE "/certs/%s/live", h->set_dir[i]);
	if (port_read_link(&h->sim.base, link, target, sizeof(target)) != 0)
		return;
	if (sscanf(target, "gen-%d", &sv->live) != 1 || sv->live <= 0 ||
	    strchr(target, '/'))
		why(v, "%s points at %s", link, target);
	snprintf(dir, sizeof(dir), STATE "/certs/%s/%s", h->set_dir[i],
	         target);
	check_pair(h, v, dir, &sv->f);
	memcpy(sv->cert, h->b, CHAIN_MAX);
	snprintf(key, sizeof(key), "%s/privkey.pem", dir);
	if (read_sim(h, key, h->a, &len) == 0 &&
	    key_from_pem(&k, h->a, len) == 0 && k.type != want)
		why(v, "%s holds a %s key, not %s: the sets are mixed", dir,
		    key_type_name(k.type), key_type_name(want));
	if (sv->live <= 0)
		sv->live = -1;
}

/* After a complete run: live-ec-384 leads to the second set. */
static void check_set_link(struct harness *h, struct verdict *v)
{
	char link[SIM_PATH], target[64];

	if (h->nsets < 2)
		return;
	snprintf(link, sizeof(link), STATE "/certs/%s/live-ec-384",
	         h->cfg.cert_name);
	if (port_read_link(&h->sim.base, link, target, sizeof(target)) != 0 ||
	    strcmp(target, "ec-384/live") != 0)
		why(v, "%s is missing or does not point at ec-384/live", link);
}

/* One file: PEM objects and JSON documents must parse whole. */
static void check_file(struct harness *h, struct verdict *v, const char *path)
{
	const char *name = base_name(path);
	jsmntok_t tok[64];
	struct cert_facts f;
	struct json js;
	struct key k;
	size_t len;

	if (read_sim(h, path, h->a, &len) != 0) {
		why(v, "%s cannot be read", path);
		return;
	}
	if (strcmp(name, "privkey.pem") == 0 || strcmp(name, "key.pem") == 0) {
		if (key_from_pem(&k, h->a, len) != 0)
			why(v, "%s is not a key (%zu bytes)", path, len);
		if (port_sim_mode(&h->sim, path) != 0600)
			why(v, "%s has mode %o", path, port_sim_mode(&h->sim, path));
	} else if (strstr(name, ".pem")) {
		if (pem_count_certs(h->a, len) < 1 ||
		    cert_facts_pem(h->a, len, &f) != 0)
			why(v, "%s is not a certificate (%zu bytes)", path, len);
	} else if (strstr(name, ".json") || strcmp(name, "state") == 0) {
		if (json_parse(&js, h->a, len, tok, 64) != 0)
			why(v, "%s is not JSON (%zu bytes)", path, len);
	}
}

/* Every file parses; count temporary leftovers and generations. */
static void check_files(struct harness *h, struct verdict *v,
                        struct survey *sv)
{
	int i;

	flash_list(h);
	if (h->list.overflow)
		why(v, "more than %d paths on the flash", LIST_MAX);
	for (i = 0; i < h->list.n; i++) {
		const char *path = h->list.path[i], *name = base_name(path);

		if (strstr(name, ".tmp-")) {
			if (sv->tmps++ == 0)
				snprintf(sv->tmp, sizeof(sv->tmp), "%s", path);
			continue;
		}
		sv->gens += h->list.type[i] == SIM_DIR &&
		            strncmp(name, "gen-", 4) == 0;
		if (h->list.type[i] == SIM_FILE)
			check_file(h, v, path);
	}
}

/* The journal. A generation it names that is not live is pending and
 * must hold a usable key; one that is live is a finished issuance that
 * could not clear the journal, which the agent treats as idle. */
static void check_journal(struct harness *h, struct verdict *v, int i,
                          struct set_survey *sv)
{
	char path[SIM_PATH], order[ACME_URL_MAX], gen[2 * SIM_PATH];
	jsmntok_t tok[64];
	struct json js;
	struct key k;
	int64_t g = 0;
	size_t len;
	int t;

	snprintf(path, sizeof(path), STATE "/certs/%s/state", h->set_dir[i]);
	if (read_sim(h, path, h->a, &len) != 0 ||
	    json_parse(&js, h->a, len, tok, 64) != 0)
		return; /* absent, or reported by check_files */
	order[0] = '\0';
	json_get_string(&js, 0, "order", order, sizeof(order));
	if ((t = json_find(&js, 0, "gen")) >= 0)
		json_int(&js, t, &g);
	if (g > 0 && g == sv->live)
		return;
	sv->order = order[0] != '\0';
	if (g <= 0)
		return;
	snprintf(gen, sizeof(gen), STATE "/certs/%s/gen-%lld/privkey.pem",
	         h->set_dir[i], (long long)g);
	if (read_sim(h, gen, h->a, &len) != 0 || key_from_pem(&k, h->a, len))
		why(v, "journal names gen-%lld but its privkey.pem is unusable",
		    (long long)g);
	else
		sv->pending_gen = (int)g;
}

static void survey(struct harness *h, struct verdict *v, struct survey *sv)
{
	int i;

	memset(sv, 0, sizeof(*sv));
	check_files(h, v, sv);
	for (i = 0; i < h->nsets; i++) {
		check_live(h, v, i, &sv->set[i]);
		check_journal(h, v, i, &sv->set[i]);
	}
}

/* ---- the cases -------------------------------------------------------- */

/* The state after the agent ran again to completion: at is what the
 * reboot left (NULL for an uncut run). */
static void check_after(struct harness *h, struct verdict *v, enum phase ph,
                        const struct run *r, const struct survey *at)
{
	struct survey *sv = malloc(sizeof(*sv));
	int i;

	if (!sv) {
		why(v, "out of memory");
		return;
	}
	if (r->rc != 0)
		why(v, "the run after the reboot failed (%d)", r->rc);
	survey(h, v, sv);
	check_set_link(h, v);
	if (sv->tmps)
		why(v, "%d temporary file(s) left, e.g. %s", sv->tmps, sv->tmp);
	if (sv->gens > 2 * h->nsets)
		why(v, "%d generations kept (at most live and previous per set)",
		    sv->gens);
	for (i = 0; i < h->nsets; i++) {
		const struct set_survey *s = &sv->set[i];

		if (s->order || s->pending_gen)
			why(v, "set %d: the journal still has an order or a key "
			    "pending", i);
		if (s->live <= 0)
			why(v, "set %d: no live certificate after the run", i);
		else if (ph == RENEWAL && strcmp(s->cert, h->old_cert[i]) == 0)
			why(v, "set %d: the certificate was not renewed", i);
		if (at && at->set[i].pending_gen &&
		    s->live != at->set[i].pending_gen)
			why(v, "set %d: a new key in gen-%d although gen-%d held the "
			    "pending one", i, s->live, at->set[i].pending_gen);
	}
	free(sv);
}

/* Orders the journals promised to resume (at the reboot). */
static int pending_orders(const struct harness *h, const struct survey *at)
{
	int i, n = 0;

	for (i = 0; i < h->nsets; i++)
		n += at->set[i].order;
	return n;
}

static const char *const phase_name[] = { "issuance", "renewal" };
static const char *const mode_name[] = { "lose-unsynced", "torn-data" };

/* Cut after k steps, reboot, check, run again, check. */
static void cut_case(struct harness *h, enum phase ph, enum sim_loss mode,
                     long k)
{
	struct verdict v = { 0, "" };
	struct survey *at = malloc(sizeof(*at));
	struct run r1, r2;
	int i;

	if (!at) {
		fprintf(stderr, "crash_run: out of memory\n");
		exit(2);
	}

	if (sim_fresh(h, ph, 1000u * (unsigned)ph + 100u * (unsigned)mode +
	              (uint64_t)k, mode == SIM_KEEP_ENTRIES_TORN_DATA &&
	              (k & 1)) != 0)
		why(&v, "the snapshot could not be restored");
	port_sim_set_pid(&h->sim, h->next_pid++);
	port_sim_cut_after(&h->sim, k);
	agent_once(h, &r1);
	if (!port_sim_dead(&h->sim))
		why(&v, "the run made fewer than %ld steps (%ld)", k, r1.steps);
	port_sim_reboot(&h->sim, mode);
	port_sim_set_pid(&h->sim, h->next_pid++);
	survey(h, &v, at);
	for (i = 0; i < h->nsets; i++)
		if (ph == RENEWAL && at->set[i].live <= 0)
			why(&v, "set %d: the live certificate was lost at the cut", i);
	agent_once(h, &r2);
	check_after(h, &v, ph, &r2, at);
	/* an order the journal recorded is resumed, not made again */
	if (pending_orders(h, at) && r2.orders > h->nsets - pending_orders(h, at))
		why(&v, "%d new orders although the journals had %d", r2.orders,
		    pending_orders(h, at));
	if (r1.orders + r2.orders > h->nsets + 1)
		why(&v, "%d orders for %d set(s) (at most 1 extra)",
		    r1.orders + r2.orders, h->nsets);
	if (r1.accounts + r2.accounts > (ph == ISSUANCE))
		why(&v, "%d accounts created (the stored key finds its account)",
		    r1.accounts + r2.accounts);
	h->points++;
	tap(h, !v.bad, "cut after %ld steps (%s, %s)", k, phase_name[ph],
	    mode_name[mode]);
	if (v.bad) {
		diag("  %s", v.why);
		show_log(h);
	}
	free(at);
}

/* An uncut run: an issuance on an empty flash, or a renewal from the
 * snapshot once it is due. Its storage steps, or -1 when it failed. */
static long measure(struct harness *h, enum phase ph)
{
	struct verdict v = { 0, "" };
	struct run r;

	if (sim_fresh(h, ph, 1 + (uint64_t)ph, 0) != 0)
		why(&v, "the snapshot could not be restored");
	agent_once(h, &r);
	check_after(h, &v, ph, &r, NULL);
	if (r.orders != h->nsets)
		why(&v, "%d orders (want %d)", r.orders, h->nsets);
	tap(h, !v.bad, "uncut %s: %ld storage steps, %d order(s)",
	    phase_name[ph], r.steps, r.orders);
	if (v.bad) {
		diag("  %s", v.why);
		show_log(h);
		return -1;
	}
#define D(f) (r.after.f - r.before.f)
	diag("sim %s: %ld storage steps, %ld files written (%ld bytes), "
	     "%ld fsyncs, %ld renames, %ld mkdirs, %ld unlinks, %ld symlinks",
	     phase_name[ph], r.steps, D(files_written), D(bytes_written),
	     D(fsyncs), D(renames), D(mkdirs), D(unlinks), D(symlinks));
#undef D
	return r.steps;
}

/* Keep the issued flash for the renewal cases, and the time at which its
 * certificate is due. */
static int keep_issued(struct harness *h)
{
	struct verdict v = { 0, "" };
	struct survey *sv = malloc(sizeof(*sv));
	int64_t life, due, start = 0;
	int i;

	if (!sv)
		return -1;
	survey(h, &v, sv);
	for (i = 0; i < h->nsets; i++)
		memcpy(h->old_cert[i], sv->set[i].cert, CHAIN_MAX);
	if (!v.bad && snap_take(h) != 0)
		why(&v, "the issued flash could not be kept");
	/* Without it no renewal case runs: that must be a failing line. */
	tap(h, !v.bad, "the issued flash is kept for the renewal cases");
	if (v.bad) {
		diag("  %s", v.why);
		free(sv);
		return -1;
	}
	/* every set due then: the latest of their renewal times */
	for (i = 0, h->renew_wall = 0; i < h->nsets; i++) {
		life = sv->set[i].f.not_after - sv->set[i].f.not_before;
		due = sv->set[i].f.not_after - (life < 10 * 86400 ? life / 2 :
		                                life / 3);
		h->renew_wall = due > h->renew_wall ? due : h->renew_wall;
		start = sv->set[i].f.not_before > start ? sv->set[i].f.not_before :
		        start;
	}
	free(sv);
	/* Renewed certificates must start at least a second later, so that
	 * they are not due yet at renew_wall. */
	while ((int64_t)time(NULL) <= start + 1)
		usleep(100 * 1000);
	return 0;
}

/* Right after a renewal, a run has nothing to do: no storage step (E2). */
static void idle_run(struct harness *h)
{
	struct run r;

	agent_once(h, &r);
	tap(h, r.rc == 0 && r.steps == 0 && r.orders == 0,
	    "a run with nothing to do makes no storage step (%ld)", r.steps);
}

/* ---- setup -------------------------------------------------------------- */

static int setup(struct harness *h, int argc, char **argv)
{
	const char *port = getenv("HTTP_PORT"), *root = getenv("ROOT_FILE");
	int i, dual = argc > 1 && strcmp(argv[1], "--dual") == 0;

	argc -= dual;
	argv += dual;

	h->cfg = (struct config){ .server = getenv("ACME_URL"),
		.ca_file = getenv("CA_FILE"), .state_dir = STATE,
		.email = "admin@acmelet.test", .agree_tos = 1,
		.http_port = port ? atoi(port) : 0, .http_addr = "127.0.0.1",
		.key_type = KEY_EC256, .timeout_s = 30, .verbose = 1,
		.log_dest = LOG_TO_STDERR, .cert_name = argv[1] };
	if (!h->cfg.server || !h->cfg.ca_file || !port || argc < 2 ||
	    argc - 1 > CFG_NAMES_MAX) {
		fprintf(stderr, "usage: ACME_URL=.. CA_FILE=.. HTTP_PORT=.. "
		        "[ROOT_FILE=..] crash_run [--dual] NAME...\n");
		return -1;
	}
	for (i = 1; i < argc; i++)
		h->cfg.names[h->cfg.nnames++] = argv[i];
	h->nsets = dual ? 2 : 1;
	snprintf(h->set_dir[0], SIM_PATH, "%s", argv[1]);
	if (dual) { /* as agent_set_config names the second set */
		h->cfg.nkey_types = 2;
		h->cfg.key_types[0] = KEY_EC256;
		h->cfg.key_types[1] = KEY_EC384;
		snprintf(h->set_dir[1], SIM_PATH, "%s/ec-384", argv[1]);
	}
	if (!(h->cap = tmpfile()))
		return -1;
	if (!root)
		diag("ROOT_FILE not set: chains are not verified");
	else if (anchor_load(&h->root, root, h->a) != 0) {
		fprintf(stderr, "crash_run: %s: not a certificate\n", root);
		return -1;
	}
	port_sim_init(&h->sim);
	h->next_pid = 5000;
	return 0;
}

int main(int argc, char **argv)
{
	struct harness *h = calloc(1, sizeof(*h));
	long s1, s2, k;
	int m;

	if (!h || !(h->snap = calloc(1, sizeof(*h->snap))) ||
	    setup(h, argc, argv) != 0)
		return 2;
	s1 = measure(h, ISSUANCE);
	s2 = s1 < 0 || keep_issued(h) != 0 ? -1 : measure(h, RENEWAL);
	if (s2 >= 0)
		idle_run(h);
	for (m = 0; m < 2 && s1 >= 0; m++)
		for (k = 0; k <= s1; k++)
			cut_case(h, ISSUANCE, (enum sim_loss)m, k);
	for (m = 0; m < 2 && s2 >= 0; m++)
		for (k = 0; k <= s2; k++)
			cut_case(h, RENEWAL, (enum sim_loss)m, k);
	printf("1..%d\n", h->tests);
	diag("cut after every step of an issuance (%ld steps) and of a renewal "
	     "(%ld steps), each rebooted two ways", s1, s2);
	diag("crash points tried: %ld, %s", h->points, h->failed ?
	     "SOME FAILED" : "all passed");
	port_sim_free(&h->sim);
	fclose(h->cap);
	m = h->failed ? 1 : 0;
	free(h->snap);
	free(h);
	return m;
}
