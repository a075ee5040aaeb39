/* libFuzzer harness: the JSON reader (src/json.c), as every ACME answer,
 * account.json and the journal reach it. Besides not crashing, two
 * properties are checked: every string that unescapes is written back by
 * the escaping writer and reads back equal, and the accessors never leave
 * the token array. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json.h"

#define MAXTOK 256

/* The writer must escape s so that the reader gives s back. */
static void round_trip(const char *s)
{
	char doc[2048], back[512];
	jsmntok_t tok[4];
	struct json j;
	struct jw w;
	size_t len;

	jw_init(&w, doc, sizeof(doc));
	jw_obj_begin(&w);
	jw_key(&w, "k");
	jw_str(&w, s);
	jw_obj_end(&w);
	if (jw_finish(&w, &len) != 0)
		return; /* only when it did not fit */
	if (json_parse(&j, doc, len, tok, 4) != 0 ||
	    json_get_string(&j, 0, "k", back, sizeof(back)) != 0 ||
	    strcmp(back, s) != 0)
		abort();
}

static void visit(const struct json *j, int t)
{
	char s[512];
	int64_t v;
	int n, e;

	if (json_is_string(j, t) && json_string(j, t, s, sizeof(s)) == 0) {
		if (strlen(s) >= sizeof(s))
			abort();
		round_trip(s);
	}
	json_int(j, t, &v);
	json_bool(j, t);
	if ((n = json_array_len(j, t)) > 0) {
		if ((e = json_array_elem(j, t, n - 1)) < 0 || e >= j->ntok)
			abort();
		if (json_array_elem(j, t, n) != -1)
			abort();
	}
	if ((e = json_skip(j, t)) <= t || e > j->ntok)
		abort();
	if ((e = json_find(j, t, "status")) >= j->ntok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = { "meta.termsOfService", "status",
		"identifier.value", "error.detail", "challenges", "meta.profiles" };
	jsmntok_t *tok = malloc(MAXTOK * sizeof(*tok));
	char s[256];
	struct json j;

	if (!tok)
		return 0;
	if (json_parse(&j, (const char *)data, size, tok, MAXTOK) == 0) {
		if (j.ntok < 1 || j.ntok > MAXTOK)
			abort();
		for (int t = 0; t < j.ntok; t++)
			visit(&j, t);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			if (json_path(&j, paths[i]) >= j.ntok)
				abort();
		json_get_string(&j, 0, "detail", s, sizeof(s));
	}
	free(tok);
	return 0;
}
