/* The account files beyond key.pem and account.json's URL: the key a
 * rollover is moving to (key-next.pem, the rollover's journal) and the
 * mark of a deactivated account. Written with the port's atomic replace,
 * like every state file. */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "err.h"
#include "json.h"
#include "log.h"
#include "port.h"
#include "store.h"

#define KEY_PEM_MAX 8192

int store_load_account_file(struct store *s, const char *ca_id,
                            const char *file, struct key *k)
{
	char path[STORE_PATH_MAX], buf[KEY_PEM_MAX];
	size_t len;
	int rc;

	if ((rc = store_path(s, path, "accounts", ca_id, file, NULL)) != 0 ||
	    (rc = port_read_file(s->port, path, buf, sizeof(buf) - 1,
	                         &len)) != 0)
		return rc;
	buf[len] = '\0';
	rc = key_from_pem(k, buf, len);
	explicit_bzero(buf, sizeof(buf));
	return rc == 0 ? 0 : AL_EPROTO;
}

int store_save_account_file(struct store *s, const char *ca_id,
                            const char *file, const struct key *k)
{
	char path[STORE_PATH_MAX], pem[KEY_PEM_MAX];
	size_t len;
	int rc;

	if ((rc = store_path(s, path, "accounts", ca_id, file, NULL)) != 0 ||
	    (rc = key_to_pem(k, pem, sizeof(pem), &len)) != 0)
		return rc;
	rc = port_replace_file(s->port, path, pem, len, PORT_PRIVATE);
	explicit_bzero(pem, sizeof(pem));
	if (rc != 0)
		log_err(s->log, "%s: cannot write the account key%s", path,
		        store_why(rc));
	return rc;
}

int store_remove_account_file(struct store *s, const char *ca_id,
                              const char *file)
{
	char path[STORE_PATH_MAX];
	int rc;

	if ((rc = store_path(s, path, "accounts", ca_id, file, NULL)) != 0)
		return rc;
	rc = port_remove(s->port, path);
	if (rc != 0 && rc != AL_ENOENT) {
		log_err(s->log, "%s: cannot remove%s", path, store_why(rc));
		return rc;
	}
	return 0;
}

int store_account_deactivated(struct store *s, const char *ca_id)
{
	char path[STORE_PATH_MAX], buf[1024];
	jsmntok_t tok[16];
	struct json j;
	size_t len;
	int t;

	if (store_path(s, path, "accounts", ca_id, "account.json", NULL) != 0 ||
	    port_read_file(s->port, path, buf, sizeof(buf), &len) != 0 ||
	    json_parse(&j, buf, len, tok, 16) != 0)
		return 0;
	t = json_find(&j, 0, "deactivated");
	return t >= 0 && json_bool(&j, t) == 1;
}

int store_mark_account_deactivated(struct store *s, const char *ca_id,
                                   const char *url)
{
	char path[STORE_PATH_MAX], buf[1024];
	struct jw w;
	size_t len;
	int rc;

	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_key(&w, "url");
	jw_str(&w, url);
	jw_key(&w, "deactivated");
	jw_bool(&w, 1);
	jw_obj_end(&w);
	if ((rc = jw_finish(&w, &len)) != 0 ||
	    (rc = store_path(s, path, "accounts", ca_id, "account.json",
	                     NULL)) != 0)
		return rc;
	rc = port_replace_file(s->port, path, buf, len, 0);
	if (rc != 0)
		log_err(s->log, "%s: cannot write%s", path, store_why(rc));
	return rc;
}
