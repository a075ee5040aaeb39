/* State on flash: paths, account files, generations and the live switch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "err.h"
#include "json.h"
#include "log.h"
#include "port.h"
#include "store.h"

#define PEM_MAX 8192
#define GEN_PREFIX "gen-"

int store_init(struct store *s, struct port *p, const struct logger *log,
               const char *dir)
{
	s->port = p;
	s->log = log;
	if (snprintf(s->dir, sizeof(s->dir), "%s", dir) >= (int)sizeof(s->dir)) {
		log_err(log, "%s: state directory path too long", dir);
		return AL_EINVAL;
	}
	return 0;
}

const char *store_why(int rc)
{
	if (rc == AL_ENOSPC)
		return ": no space left";
	if (rc == AL_EFAIL && errno == EROFS) /* the port leaves errno set */
		return ": the file system is read-only";
	if (rc == AL_EFAIL && errno == EACCES)
		return ": permission denied";
	return "";
}

void store_ca_id(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://");
	size_t n = 0;

	for (p = p ? p + 3 : url; *p && n + 1 < cap; p++) {
		char c = *p;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (!keep && n > 0 && out[n - 1] == '_')
			continue;
		out[n++] = keep ? c : '_';
	}
	while (n > 0 && out[n - 1] == '_')
		n--;
	out[n] = '\0';
}

int store_path(const struct store *s, char *out, const char *a,
                 const char *b, const char *c, const char *d)
{
	int n = snprintf(out, STORE_PATH_MAX, "%s/%s%s%s%s%s%s%s", s->dir, a,
	                 b ? "/" : "", b ? b : "", b && c ? "/" : "",
	                 b && c ? c : "", b && c && d ? "/" : "",
	                 b && c && d ? d : "");

	return n > 0 && n < STORE_PATH_MAX ? 0 : AL_E2BIG;
}

static int path_of(const struct store *s, char *out, const char *a,
                   const char *b, const char *c)
{
	return store_path(s, out, a, b, c, NULL);
}

/* mkdir -p for the parts below the state dir. */
static int make_dirs(struct store *s, const char *a, const char *b,
                     int flags)
{
	char path[STORE_PATH_MAX];
	int rc;

	if ((rc = port_make_dir(s->port, s->dir, PORT_PRIVATE)) != 0 ||
	    (rc = path_of(s, path, a, NULL, NULL)) != 0 ||
	    (rc = port_make_dir(s->port, path, flags)) != 0)
		goto out;
	if (b && ((rc = path_of(s, path, a, b, NULL)) != 0 ||
	          (rc = port_make_dir(s->port, path, flags)) != 0))
		goto out;
	return 0;
out:
	log_err(s->log, "%s: cannot create directories under %s", s->dir, a);
	return rc;
}

int store_make_cert_dir(struct store *s, const char *name)
{
	return make_dirs(s, "certs", name, 0);
}

/* Lock the directory STATE/a/b, creating it when missing. */
static int lock_dir(struct store *s, const char *a, const char *b,
                    int flags, int wait_s, int *handle, long *holder)
{
	char path[STORE_PATH_MAX];
	int rc;

	if ((rc = path_of(s, path, a, b, NULL)) != 0)
		return rc;
	rc = port_lock(s->port, path, (int64_t)wait_s * 1000, handle, holder);
	if (rc == AL_ENOENT) {
		if ((rc = make_dirs(s, a, b, flags)) != 0)
			return rc; /* logged */
		rc = port_lock(s->port, path, (int64_t)wait_s * 1000, handle,
		               holder);
	}
	if (rc != 0 && rc != AL_ELOCKED)
		log_err(s->log, "%s: cannot lock this directory: %s", path,
		        strerror(errno));
	return rc;
}

int store_lock_cert(struct store *s, const char *name, int wait_s,
                    int *handle, long *holder)
{
	return lock_dir(s, "certs", name, 0, wait_s, handle, holder);
}

int store_lock_account(struct store *s, const char *ca_id, int wait_s,
                       int *handle, long *holder)
{
	return lock_dir(s, "accounts", ca_id, PORT_PRIVATE, wait_s, handle,
	                holder);
}

void store_unlock(struct store *s, int handle)
{
	port_unlock(s->port, handle);
}

int store_account_info(struct store *s, const char *ca_id, char *url,
                       size_t cap, char *ari, size_t ari_cap)
{
	char path[STORE_PATH_MAX], buf[PEM_MAX];
	jsmntok_t tok[16];
	struct json j;
	size_t len;
	int rc;

	url[0] = ari[0] = '\0';
	if ((rc = path_of(s, path, "accounts", ca_id, "account.json")) != 0)
		return rc;
	rc = port_read_file(s->port, path, buf, sizeof(buf), &len);
	if (rc != 0 && rc != AL_ENOENT)
		log_warn(s->log, "%s: unreadable%s; looking the account up again",
		         path, port_read_why(rc));
	if (rc != 0)
		return rc;
	if (json_parse(&j, buf, len, tok, 16) != 0 ||
	    json_get_string(&j, 0, "url", url, cap) != 0) {
		log_warn(s->log, "%s: unreadable, looking the account up again",
		         path);
		url[0] = '\0';
		return AL_EPROTO;
	}
	json_get_string(&j, 0, "renewalInfo", ari, ari_cap);
	return 0;
}

int store_load_account(struct store *s, const char *ca_id, struct key *k,
                       char *url, size_t cap, char *ari, size_t ari_cap)
{
	char path[STORE_PATH_MAX], buf[PEM_MAX];
	size_t len;
	int rc;

	url[0] = ari[0] = '\0';
	if ((rc = path_of(s, path, "accounts", ca_id, "key.pem")) != 0)
		return rc;
	rc = port_read_file(s->port, path, buf, sizeof(buf) - 1, &len);
	if (rc != 0 && rc != AL_ENOENT)
		log_err(s->log, "%s: cannot read the account key%s", path,
		        port_read_why(rc));
	if (rc != 0)
		return rc;
	buf[len] = '\0';
	rc = key_from_pem(k, buf, len);
	explicit_bzero(buf, sizeof(buf));
	if (rc != 0) {
		log_err(s->log, "%s: not a usable private key; move it away to "
		        "make a new account", path);
		return AL_EPROTO;
	}
	/* A key without URL is fine: the CA finds the account again. */
	store_account_info(s, ca_id, url, cap, ari, ari_cap);
	return 0;
}

int store_save_account_key(struct store *s, const char *ca_id,
                           const struct key *k)
{
	int rc = make_dirs(s, "accounts", ca_id, PORT_PRIVATE);

	return rc != 0 ? rc : store_save_account_file(s, ca_id, "key.pem", k);
}

int store_save_account_url(struct store *s, const char *ca_id,
                           const char *url, const char *ari)
{
	char path[STORE_PATH_MAX], buf[1024];
	struct jw w;
	size_t len;
	int rc;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_key(&w, "url");
	jw_str(&w, url);
	if (ari && ari[0]) { /* the CA's ARI endpoint, for renew without the
	                        directory (M1) */
		jw_key(&w, "renewalInfo");
		jw_str(&w, ari);
	}
	jw_obj_end(&w);
	if ((rc = jw_finish(&w, &len)) != 0 ||
	    (rc = path_of(s, path, "accounts", ca_id, "account.json")) != 0)
		return rc;
	rc = port_replace_file(s->port, path, buf, len, 0);
	if (rc != 0)
		log_err(s->log, "%s: cannot record the account URL%s", path,
		        store_why(rc));
	return rc;
}

int store_read_live(struct store *s, const char *name, const char *file,
                    char *buf, size_t cap, size_t *len)
{
	char path[STORE_PATH_MAX];
	int rc;

	if ((rc = store_path(s, path, "certs", name, "live", file)) != 0)
		return rc;
	if ((rc = port_read_file(s->port, path, buf, cap - 1, len)) != 0)
		return rc;
	buf[*len] = '\0';
	return 0;
}

/* The number of a "gen-<n>" entry, or -1 for other names. */
static int gen_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, GEN_PREFIX, strlen(GEN_PREFIX)) != 0)
		return -1;
	n = strtol(name + strlen(GEN_PREFIX), &end, 10);
	return *end == '\0' && n >= 0 && n < 1000000000 ? (int)n : -1;
}

static int max_gen_cb(void *arg, const char *name)
{
	int *max = arg, n = gen_number(name);

	if (n > *max)
		*max = n;
	return 0;
}

int store_new_gen(struct store *s, const char *name, int *gen)
{
	char path[STORE_PATH_MAX], g[32];
	int rc, max = 0;

	if ((rc = store_make_cert_dir(s, name)) != 0 ||
	    (rc = path_of(s, path, "certs", name, NULL)) != 0)
		return rc;
	if ((rc = port_list_dir(s->port, path, max_gen_cb, &max)) != 0)
		return rc;
	*gen = max + 1;
	snprintf(g, sizeof(g), GEN_PREFIX "%d", *gen);
	if ((rc = path_of(s, path, "certs", name, g)) != 0 ||
	    (rc = port_make_dir(s->port, path, 0)) != 0)
		log_err(s->log, "%s: cannot create%s", path,
		        store_why(rc));
	return rc;
}

int store_write_gen(struct store *s, const char *name, int gen,
                    const char *file, const void *data, size_t len, int flags)
{
	char path[STORE_PATH_MAX], g[32];
	int rc;

	snprintf(g, sizeof(g), GEN_PREFIX "%d", gen);
	if ((rc = store_path(s, path, "certs", name, g, file)) != 0)
		return rc;
	rc = port_replace_file(s->port, path, data, len, flags);
	if (rc != 0)
		log_err(s->log, "%s: cannot write%s; the live certificate is "
		        "unchanged", path, store_why(rc));
	return rc;
}

/* Remove every entry of one directory (files only), then the directory:
 * a generation directory or a leftover one. */
struct sweep {
	struct store *s;
	const char *dir;
	int only_tmp; /* remove only leftovers of interrupted writes */
};

static int is_tmp(const char *entry)
{
	return strstr(entry, ".tmp-") != NULL;
}

static int sweep_cb(void *arg, const char *entry)
{
	struct sweep *sw = arg;
	char path[STORE_PATH_MAX];

	if ((!sw->only_tmp || is_tmp(entry)) &&
	    snprintf(path, sizeof(path), "%s/%s", sw->dir, entry) <
	    (int)sizeof(path))
		port_remove(sw->s->port, path);
	return 0;
}

static void sweep_dir(struct store *s, const char *dir, int only_tmp)
{
	struct sweep sw = { s, dir, only_tmp };

	port_list_dir(s->port, dir, sweep_cb, &sw);
	if (!only_tmp)
		port_remove(s->port, dir);
}

struct prune {
	struct store *s;
	const char *name;
	int keep[3];
	int below, max_below; /* to find the generation before the live one */
	int keep_all; /* live proves nothing: only temporary files go */
};

static int kept(const struct prune *pr, int n)
{
	return n == pr->keep[0] || n == pr->keep[1] || n == pr->keep[2];
}

/* Remove generations not kept and leftovers of interrupted writes. */
static int prune_cb(void *arg, const char *entry)
{
	struct prune *pr = arg;
	char path[STORE_PATH_MAX];
	int n = gen_number(entry);

	if (store_path(pr->s, path, "certs", pr->name, entry, NULL) != 0)
		return 0;
	if (is_tmp(entry))
		port_remove(pr->s->port, path);
	else if (n > 0)
		sweep_dir(pr->s, path, pr->keep_all || kept(pr, n));
	return 0;
}

static int below_cb(void *arg, const char *entry)
{
	struct prune *pr = arg;
	int n = gen_number(entry);

	if (n < pr->below && n > pr->max_below)
		pr->max_below = n;
	return 0;
}

void store_cleanup_account(struct store *s, const char *ca_id)
{
	char path[STORE_PATH_MAX];

	if (store_path(s, path, "accounts", ca_id, NULL, NULL) == 0)
		sweep_dir(s, path, 1);
}

void store_tidy_account(struct store *s, const char *ca_id)
{
	char path[STORE_PATH_MAX];
	long holder;
	int h;

	if (store_path(s, path, "accounts", ca_id, NULL, NULL) != 0 ||
	    port_lock(s->port, path, 0, &h, &holder) != 0)
		return; /* no account directory, or it is busy: next time */
	sweep_dir(s, path, 1);
	port_unlock(s->port, h);
}

int store_live_gen(struct store *s, const char *name)
{
	char path[STORE_PATH_MAX], target[64];

	if (store_path(s, path, "certs", name, "live", NULL) != 0 ||
	    port_read_link(s->port, path, target, sizeof(target)) != 0)
		return 0;
	return gen_number(target) > 0 ? gen_number(target) : 0;
}

static int nothing_cb(void *arg, const char *entry)
{
	(void)arg;
	(void)entry;
	return 0;
}

/* 1 when generation gen of name is a directory that exists. */
static int gen_exists(struct store *s, const char *name, int gen)
{
	char path[STORE_PATH_MAX], g[32];

	snprintf(g, sizeof(g), GEN_PREFIX "%d", gen);
	return store_path(s, path, "certs", name, g, NULL) == 0 &&
	       port_list_dir(s->port, path, nothing_cb, NULL) == 0;
}

void store_cleanup(struct store *s, const char *name, int pending)
{
	char path[STORE_PATH_MAX];
	struct prune pr = { s, name, { -1, -1, pending }, 0, -1, 0 };

	if (store_path(s, path, "certs", name, NULL, NULL) != 0)
		return;
	pr.keep[0] = pr.below = store_live_gen(s, name);
	/* live elsewhere (set by hand), dangling or absent: which generation
	 * is in use is not proven, so none is removed (issue 12, item 8) */
	pr.keep_all = pr.below <= 0 || !gen_exists(s, name, pr.below);
	if (pr.below > 0)
		port_list_dir(s->port, path, below_cb, &pr);
	pr.keep[1] = pr.max_below;
	port_list_dir(s->port, path, prune_cb, &pr);
}

int store_read_gen(struct store *s, const char *name, int gen,
                   const char *file, char *buf, size_t cap, size_t *len)
{
	char path[STORE_PATH_MAX], g[32];
	int rc;

	snprintf(g, sizeof(g), GEN_PREFIX "%d", gen);
	if ((rc = store_path(s, path, "certs", name, g, file)) != 0 ||
	    (rc = port_read_file(s->port, path, buf, cap - 1, len)) != 0)
		return rc;
	buf[*len] = '\0';
	return 0;
}

int store_switch_live(struct store *s, const char *name, int gen)
{
	char path[STORE_PATH_MAX], target[64];
	struct prune pr = { s, name, { gen, store_live_gen(s, name), -1 }, 0, -1,
	                    0 };
	int rc;

	snprintf(target, sizeof(target), GEN_PREFIX "%d", gen);
	if ((rc = path_of(s, path, "certs", name, "live")) != 0)
		return rc;
	if ((rc = port_replace_link(s->port, path, target)) != 0) {
		log_err(s->log, "%s: cannot switch to %s%s", path, target,
		        store_why(rc));
		return rc;
	}
	if (path_of(s, path, "certs", name, NULL) == 0)
		port_list_dir(s->port, path, prune_cb, &pr);
	return 0;
}

int store_link_set(struct store *s, const char *name, const char *type)
{
	char path[STORE_PATH_MAX], link[48], target[48], now[48];
	int rc;

	snprintf(link, sizeof(link), "live-%s", type);
	snprintf(target, sizeof(target), "%s/live", type);
	if ((rc = path_of(s, path, "certs", name, link)) != 0)
		return rc;
	if (port_read_link(s->port, path, now, sizeof(now)) == 0 &&
	    strcmp(now, target) == 0)
		return 0;
	if ((rc = port_replace_link(s->port, path, target)) != 0)
		log_err(s->log, "%s: cannot link it to %s%s", path, target,
		        store_why(rc));
	return rc;
}
