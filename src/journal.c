/* The journal file: a small JSON object, read and written whole. */
#include <string.h>

#include "err.h"
#include "journal.h"
#include "json.h"
#include "log.h"
#include "port.h"
#include "store.h"

/* challenge tokens and dns_txt both full (12288), and a last error of
 * LOG_LINE_MAX bytes, JSON-escaped (\u00XX: six bytes for one at worst) */
#define JOURNAL_MAX (12288 + 6 * LOG_LINE_MAX)

int journal_load(struct store *s, const char *name, struct journal *j)
{
	char path[STORE_PATH_MAX], buf[JOURNAL_MAX];
	jsmntok_t tok[32];
	struct json js;
	int64_t v;
	size_t len;
	int rc, t;

	memset(j, 0, sizeof(*j));
	if ((rc = store_path(s, path, "certs", name, "state", NULL)) != 0)
		return rc;
	rc = port_read_file(s->port, path, buf, sizeof(buf), &len);
	if (rc == AL_ENOENT)
		return 0;
	if (rc == 0)
		rc = json_parse(&js, buf, len, tok, 32);
	if (rc != 0) {
		log_warn(s->log, "%s: journal unreadable%s; starting this "
		         "certificate's issuance over", path, port_read_why(rc));
		return 0;
	}
	json_get_string(&js, 0, "order", j->order, sizeof(j->order));
	json_get_string(&js, 0, "names", j->names_id, sizeof(j->names_id));
	json_get_string(&js, 0, "last_error", j->last_error,
	                sizeof(j->last_error));
	json_get_string(&js, 0, "chall_dir", j->chall_dir, sizeof(j->chall_dir));
	json_get_string(&js, 0, "chall_tokens", j->chall_tokens,
	                sizeof(j->chall_tokens));
	json_get_string(&js, 0, "dns_txt", j->dns_txt, sizeof(j->dns_txt));
	if ((t = json_find(&js, 0, "gen")) >= 0 && json_int(&js, t, &v) == 0 &&
	    v > 0 && v < 1000000000)
		j->gen = (int)v;
	if ((t = json_find(&js, 0, "failures")) >= 0 &&
	    json_int(&js, t, &v) == 0 && v >= 0 && v < 1000000)
		j->failures = (int)v;
	if ((t = json_find(&js, 0, "revoked")) >= 0 &&
	    json_int(&js, t, &v) == 0 && v > 0 && v < 1000000000)
		j->revoked_gen = (int)v;
	if ((t = json_find(&js, 0, "next_try")) >= 0 &&
	    json_int(&js, t, &v) == 0 && v >= 0)
		j->next_try = v;
	/* only a failure of the user's input leaves an error uncounted */
	j->input_error = j->failures == 0 && j->last_error[0];
	return 0;
}

int journal_save_at(struct store *s, const char *name,
                    const struct journal *j, int level)
{
	char path[STORE_PATH_MAX], buf[JOURNAL_MAX];
	struct jw w;
	size_t len;
	int rc;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_key(&w, "order");
	jw_str(&w, j->order);
	jw_key(&w, "names");
	jw_str(&w, j->names_id);
	jw_key(&w, "gen");
	jw_int(&w, j->gen);
	jw_key(&w, "failures");
	jw_int(&w, j->failures);
	jw_key(&w, "next_try");
	jw_int(&w, j->next_try);
	jw_key(&w, "last_error");
	jw_str(&w, j->last_error);
	if (j->chall_tokens[0]) { /* only while challenge files exist */
		jw_key(&w, "chall_dir");
		jw_str(&w, j->chall_dir);
		jw_key(&w, "chall_tokens");
		jw_str(&w, j->chall_tokens);
	}
	if (j->dns_txt[0]) { /* only while our TXT values may exist */
		jw_key(&w, "dns_txt");
		jw_str(&w, j->dns_txt);
	}
	if (j->revoked_gen > 0) { /* only then: journals stay as small */
		jw_key(&w, "revoked");
		jw_int(&w, j->revoked_gen);
	}
	jw_obj_end(&w);
	if ((rc = jw_finish(&w, &len)) != 0) {
		log_msg(s->log, level, "%s: journal too large", name);
		return rc;
	}
	if ((rc = store_make_cert_dir(s, name)) != 0 ||
	    (rc = store_path(s, path, "certs", name, "state", NULL)) != 0)
		return rc;
	rc = port_replace_file(s->port, path, buf, len, 0);
	if (rc != 0)
		log_msg(s->log, level, "%s: cannot write the journal%s", path,
		        store_why(rc));
	return rc;
}

int journal_save(struct store *s, const char *name, const struct journal *j)
{
	return journal_save_at(s, name, j, LOG_LVL_ERR);
}

int journal_save_failure(struct store *s, const char *name,
                         const struct journal *j)
{
	return journal_save_at(s, name, j, LOG_LVL_DEBUG);
}
