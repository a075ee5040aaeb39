/* JSON: reading with jsmn (tokens in a caller-provided array, strings
 * unescaped here, once) and an escaping writer into a bounded buffer.
 * Nothing in acmelet builds JSON with printf. */
#ifndef ACMELET_JSON_H
#define ACMELET_JSON_H

#include <stddef.h>
#include <stdint.h>
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

struct json {
	const char *js;
	size_t len;
	jsmntok_t *tok;
	int ntok;
};

/* Parse js[0..len) into toks (at most maxtok). Returns 0, AL_E2BIG when
 * more tokens are needed, AL_EPROTO for malformed JSON or when the top level
 * is not a single object or array. */
int json_parse(struct json *j, const char *js, size_t len, jsmntok_t *toks,
               int maxtok);

/* Index of the token just after tok's whole subtree. */
int json_skip(const struct json *j, int tok);

/* Value token of member key in object token obj, or -1. Keys are compared
 * after unescaping. */
int json_find(const struct json *j, int obj, const char *key);

/* Like json_find, with a dotted path from the root ("meta.termsOfService"). */
int json_path(const struct json *j, const char *path);

/* Number of elements of array tok, or -1 when tok is not an array. */
int json_array_len(const struct json *j, int tok);

/* Token of element idx of array tok, or -1. */
int json_array_elem(const struct json *j, int tok, int idx);

/* 1 when tok is a string token. */
int json_is_string(const struct json *j, int tok);

/* Copy the unescaped string of tok into out (NUL-terminated). AL_EPROTO when
 * tok is not a string or has bad escapes (a \u0000 included), AL_E2BIG when
 * it does not fit. */
int json_string(const struct json *j, int tok, char *out, size_t cap);

/* Shorthand: unescaped string member key of obj. AL_ENOENT when missing. */
int json_get_string(const struct json *j, int obj, const char *key,
                    char *out, size_t cap);

/* Integer value of a primitive token; AL_EPROTO when not an integer. */
int json_int(const struct json *j, int tok, int64_t *out);

/* 1 for true, 0 for false, AL_EPROTO otherwise. */
int json_bool(const struct json *j, int tok);

/* Writer. Errors are sticky: once the buffer overflows every call is a no-op
 * and jw_finish() reports AL_E2BIG. Commas are inserted automatically. */
#define JW_MAX_DEPTH 16
struct jw {
	char *buf;
	size_t cap, len;
	int err;
	int depth;
	unsigned char first[JW_MAX_DEPTH]; /* no member written yet at depth */
};

void jw_init(struct jw *w, char *buf, size_t cap);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/* A member name inside an object; the next call writes its value. */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, int v);
/* Returns 0 and NUL-terminates, or AL_E2BIG / AL_EINVAL (unbalanced). */
int jw_finish(struct jw *w, size_t *len);

#endif
