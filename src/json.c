/* JSON reading on jsmn's tokens and an escaping writer (see json.h).
 *
 * jsmn, even in strict mode, accepts some text that is not JSON (missing
 * or doubled commas, "tru", raw control characters inside strings, a
 * second top-level value). After jsmn has tokenized, json_parse walks the
 * tokens once and checks the punctuation between them, the primitives and
 * the member names, so that the rest of acmelet only ever sees well-formed
 * documents whose objects have no duplicate names (a duplicate would let two
 * readers of the same document see different values). */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "json.h"

/* Deepest nesting json_parse accepts; bounds the checker's recursion. ACME
 * documents nest three or four levels. */
#define JSON_MAX_NEST 32

/* Walks the unescaped bytes of a string token, one byte at a time. */
struct json_iter {
	const char *js;
	size_t pos, end;
	unsigned char buf[4];
	int n, i;
};

static void iter_init(struct json_iter *it, const struct json *j, int tok)
{
	it->js = j->js;
	it->pos = (size_t)j->tok[tok].start;
	it->end = (size_t)j->tok[tok].end;
	it->n = it->i = 0;
}

static int hex4(const char *s, size_t pos, size_t end, unsigned *out)
{
	unsigned v = 0;

	if (end - pos < 4)
		return AL_EPROTO;
	for (int k = 0; k < 4; k++) {
		char c = s[pos + (size_t)k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return AL_EPROTO;
	}
	*out = v;
	return 0;
}

static int utf8_put(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the \uXXXX escape at it->pos (just after the backslash and 'u'),
 * joining a surrogate pair. A lone surrogate or U+0000 is refused: the
 * first cannot be written as UTF-8, the second would cut C strings. */
static int unescape_u(struct json_iter *it)
{
	unsigned cp, lo;

	if (hex4(it->js, it->pos, it->end, &cp) < 0)
		return AL_EPROTO;
	it->pos += 4;
	if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return AL_EPROTO;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (it->end - it->pos < 6 || it->js[it->pos] != '\\' ||
		    it->js[it->pos + 1] != 'u' ||
		    hex4(it->js, it->pos + 2, it->end, &lo) < 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return AL_EPROTO;
		it->pos += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	return utf8_put(it->buf, cp);
}

/* Decode the next character into it->buf. Returns its length, 0 at the
 * end, AL_EPROTO on a bad escape or a raw control character. */
static int iter_fill(struct json_iter *it)
{
	unsigned char c;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *p;

	if (it->pos >= it->end)
		return 0;
	c = (unsigned char)it->js[it->pos++];
	if (c < 0x20)
		return AL_EPROTO;
	if (c != '\\') {
		it->buf[0] = c;
		return 1;
	}
	if (it->pos >= it->end)
		return AL_EPROTO;
	c = (unsigned char)it->js[it->pos++];
	if (c == 'u')
		return unescape_u(it);
	p = c ? strchr(from, c) : NULL;
	if (!p)
		return AL_EPROTO;
	it->buf[0] = (unsigned char)to[p - from];
	return 1;
}

/* Next unescaped byte (0..255), -1 at the end, AL_EPROTO on bad input. */
static int iter_next(struct json_iter *it)
{
	if (it->i == it->n) {
		int r = iter_fill(it);
		if (r <= 0)
			return r == 0 ? -1 : r;
		it->n = r;
		it->i = 0;
	}
	return it->buf[it->i++];
}

/* 1 when the unescaped string tok equals key[0..klen), 0 when not,
 * AL_EPROTO when tok has a bad escape. */
static int key_equals(const struct json *j, int tok, const char *key,
                      size_t klen)
{
	struct json_iter it;
	size_t k = 0;
	int c;

	iter_init(&it, j, tok);
	while ((c = iter_next(&it)) >= 0) {
		if (k == klen || (unsigned char)key[k] != c)
			return 0;
		k++;
	}
	if (c != -1)
		return c;
	return k == klen;
}

/* 1 when string tokens a and b unescape to the same bytes, else 0 or
 * AL_EPROTO. */
static int keys_equal(const struct json *j, int a, int b)
{
	struct json_iter ia, ib;
	int ca, cb;

	iter_init(&ia, j, a);
	iter_init(&ib, j, b);
	do {
		ca = iter_next(&ia);
		cb = iter_next(&ib);
		if (ca < -1 || cb < -1)
			return AL_EPROTO;
	} while (ca == cb && ca != -1);
	return ca == cb;
}

static size_t skip_ws(const struct json *j, size_t pos)
{
	while (pos < j->len && (j->js[pos] == ' ' || j->js[pos] == '\t' ||
	                        j->js[pos] == '\n' || j->js[pos] == '\r'))
		pos++;
	return pos;
}

/* Expect punctuation c after optional whitespace; advance past it. */
static int expect(const struct json *j, size_t *pos, char c)
{
	size_t p = skip_ws(j, *pos);

	if (p >= j->len || j->js[p] != c)
		return AL_EPROTO;
	*pos = p + 1;
	return 0;
}

static size_t digits(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* 1 when s[0..n) is true, false, null or a number in RFC 8259 grammar. */
static int primitive_ok(const char *s, size_t n)
{
	size_t i = 0, d;

	if ((n == 4 && !memcmp(s, "true", 4)) ||
	    (n == 5 && !memcmp(s, "false", 5)) ||
	    (n == 4 && !memcmp(s, "null", 4)))
		return 1;
	if (i < n && s[i] == '-')
		i++;
	d = digits(s, i, n);
	if (d == i || (s[i] == '0' && d > i + 1))
		return 0;
	i = d;
	if (i < n && s[i] == '.') {
		d = digits(s, i + 1, n);
		if (d == i + 1)
			return 0;
		i = d;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = digits(s, i, n);
		if (d == i)
			return 0;
		i = d;
	}
	return i == n;
}

/* A string token whose opening quote is the next non-blank at *pos. */
static int check_string(const struct json *j, int t, size_t *pos)
{
	const jsmntok_t *tk = &j->tok[t];
	struct json_iter it;
	int c;

	*pos = skip_ws(j, *pos);
	if (tk->type != JSMN_STRING || (size_t)tk->start != *pos + 1)
		return AL_EPROTO;
	/* Escapes in values are checked when the value is read, so one odd
	 * field does not make a document unusable; raw controls are not JSON
	 * at all. Member names are decoded fully: they are compared. */
	if (tk->size == 0) {
		for (int k = tk->start; k < tk->end; k++)
			if ((unsigned char)j->js[k] < 0x20)
				return AL_EPROTO;
	} else {
		iter_init(&it, j, t);
		while ((c = iter_next(&it)) >= 0)
			;
		if (c != -1)
			return c;
	}
	*pos = (size_t)tk->end + 1;
	return 0;
}

static int check_value(const struct json *j, int *t, size_t *pos, int depth);

/* Members of object token o, whose '{' has been consumed. */
static int check_members(const struct json *j, int o, int *t, size_t *pos,
                         int depth)
{
	int key, r;

	for (int k = 0; k < j->tok[o].size; k++) {
		if (k > 0 && expect(j, pos, ',') < 0)
			return AL_EPROTO;
		if (*t >= j->ntok || j->tok[*t].size != 1)
			return AL_EPROTO;
		key = (*t)++;
		if ((r = check_string(j, key, pos)) < 0)
			return r;
		/* Earlier names of this object, compared after unescaping. */
		for (int p = o + 1; p < key; p = json_skip(j, p + 1))
			if (keys_equal(j, key, p) != 0)
				return AL_EPROTO;
		if (expect(j, pos, ':') < 0)
			return AL_EPROTO;
		if ((r = check_value(j, t, pos, depth)) < 0)
			return r;
	}
	return expect(j, pos, '}');
}

/* Check token *t and its subtree against the text at *pos; advance both. */
static int check_value(const struct json *j, int *t, size_t *pos, int depth)
{
	const jsmntok_t *tk;
	int me, r;

	if (*t >= j->ntok)
		return AL_EPROTO;
	me = (*t)++;
	tk = &j->tok[me];
	if (tk->type == JSMN_STRING)
		return tk->size == 0 ? check_string(j, me, pos) : AL_EPROTO;
	*pos = skip_ws(j, *pos);
	if ((size_t)tk->start != *pos)
		return AL_EPROTO;
	if (tk->type == JSMN_PRIMITIVE) {
		*pos = (size_t)tk->end;
		if (tk->size != 0 || !primitive_ok(j->js + tk->start,
		                                   (size_t)(tk->end - tk->start)))
			return AL_EPROTO;
		return 0;
	}
	if (depth >= JSON_MAX_NEST)
		return AL_E2BIG;
	(*pos)++;
	if (tk->type == JSMN_OBJECT)
		return check_members(j, me, t, pos, depth + 1);
	for (int k = 0; k < tk->size; k++) {
		if (k > 0 && expect(j, pos, ',') < 0)
			return AL_EPROTO;
		if ((r = check_value(j, t, pos, depth + 1)) < 0)
			return r;
	}
	return expect(j, pos, ']');
}

/* Parse and check a whole document (see json.h). Documents nested deeper
 * than JSON_MAX_NEST fail with AL_E2BIG. */
int json_parse(struct json *j, const char *js, size_t len, jsmntok_t *toks,
               int maxtok)
{
	jsmn_parser p;
	size_t pos = 0;
	int r, t = 0;

	if (!j || !js || !toks || maxtok <= 0)
		return AL_EINVAL;
	j->js = js;
	j->len = len;
	j->tok = toks;
	j->ntok = 0;
	if (len >= INT_MAX)
		return AL_E2BIG;
	jsmn_init(&p);
	r = jsmn_parse(&p, js, len, toks, (unsigned)maxtok);
	if (r == JSMN_ERROR_NOMEM)
		return AL_E2BIG;
	if (r <= 0)
		return AL_EPROTO;
	j->ntok = r;
	if (toks[0].type != JSMN_OBJECT && toks[0].type != JSMN_ARRAY)
		r = AL_EPROTO;
	else
		r = check_value(j, &t, &pos, 0);
	if (r == 0 && (t != j->ntok || skip_ws(j, pos) != len))
		r = AL_EPROTO;
	if (r < 0)
		j->ntok = 0;
	return r;
}

/* Index just after tok's subtree: jsmn gives each token the count of its
 * direct children (a member name has one, its value). */
int json_skip(const struct json *j, int tok)
{
	int pending = 1;

	if (tok < 0)
		return j->ntok;
	while (pending > 0 && tok < j->ntok) {
		pending += j->tok[tok].size - 1;
		tok++;
	}
	return tok;
}

static int valid_tok(const struct json *j, int tok)
{
	return j && tok >= 0 && tok < j->ntok;
}

static int find_n(const struct json *j, int obj, const char *key, size_t klen)
{
	int t;

	if (!valid_tok(j, obj) || j->tok[obj].type != JSMN_OBJECT || !key)
		return -1;
	t = obj + 1;
	for (int k = 0; k < j->tok[obj].size && t + 1 < j->ntok; k++) {
		if (key_equals(j, t, key, klen) == 1)
			return t + 1;
		t = json_skip(j, t + 1);
	}
	return -1;
}

/* Value of member key in obj, or -1 (see json.h). */
int json_find(const struct json *j, int obj, const char *key)
{
	return key ? find_n(j, obj, key, strlen(key)) : -1;
}

/* Follow dotted member names from the root object; -1 when any is missing
 * or the path is empty or has an empty segment. */
int json_path(const struct json *j, const char *path)
{
	int t = 0;
	const char *seg = path, *dot;

	if (!path || !valid_tok(j, 0))
		return -1;
	for (;;) {
		dot = strchr(seg, '.');
		size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
		if (n == 0)
			return -1;
		t = find_n(j, t, seg, n);
		if (t < 0 || !dot)
			return t;
		seg = dot + 1;
	}
}

/* Element count of an array token, or -1. */
int json_array_len(const struct json *j, int tok)
{
	if (!valid_tok(j, tok) || j->tok[tok].type != JSMN_ARRAY)
		return -1;
	return j->tok[tok].size;
}

/* Token of element idx of an array, or -1. */
int json_array_elem(const struct json *j, int tok, int idx)
{
	int t;

	if (json_array_len(j, tok) <= idx || idx < 0)
		return -1;
	t = tok + 1;
	for (int k = 0; k < idx; k++)
		t = json_skip(j, t);
	return t < j->ntok ? t : -1;
}

/* 1 for a string token, 0 otherwise (including invalid indexes). */
int json_is_string(const struct json *j, int tok)
{
	return valid_tok(j, tok) && j->tok[tok].type == JSMN_STRING;
}

/* Unescape a string token into out (see json.h). out is "" on failure. */
int json_string(const struct json *j, int tok, char *out, size_t cap)
{
	struct json_iter it;
	size_t n = 0;
	int c;

	if (!out || cap == 0)
		return AL_E2BIG;
	out[0] = '\0';
	if (!json_is_string(j, tok))
		return AL_EPROTO;
	iter_init(&it, j, tok);
	while ((c = iter_next(&it)) >= 0) {
		if (n + 1 >= cap) {
			out[0] = '\0';
			return AL_E2BIG;
		}
		out[n++] = (char)c;
	}
	if (c != -1) {
		out[0] = '\0';
		return c;
	}
	out[n] = '\0';
	return 0;
}

/* String member key of obj (see json.h). */
int json_get_string(const struct json *j, int obj, const char *key,
                    char *out, size_t cap)
{
	int t = json_find(j, obj, key);

	if (t < 0) {
		if (out && cap)
			out[0] = '\0';
		return AL_ENOENT;
	}
	return json_string(j, t, out, cap);
}

/* An integer primitive in int64 range; no fraction, no exponent. */
int json_int(const struct json *j, int tok, int64_t *out)
{
	const char *s;
	size_t n, i = 0;
	int neg = 0;
	int64_t v = 0;

	if (!valid_tok(j, tok) || j->tok[tok].type != JSMN_PRIMITIVE || !out)
		return AL_EPROTO;
	s = j->js + j->tok[tok].start;
	n = (size_t)(j->tok[tok].end - j->tok[tok].start);
	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return AL_EPROTO;
	/* Accumulate negatively so INT64_MIN fits. */
	for (; i < n; i++) {
		int d = s[i] - '0';
		if (d < 0 || d > 9 || v < (INT64_MIN + d) / 10)
			return AL_EPROTO;
		v = v * 10 - d;
	}
	if (!neg && v == INT64_MIN)
		return AL_EPROTO;
	*out = neg ? v : -v;
	return 0;
}

/* 1 for true, 0 for false, AL_EPROTO otherwise. */
int json_bool(const struct json *j, int tok)
{
	const jsmntok_t *t;

	if (!valid_tok(j, tok) || j->tok[tok].type != JSMN_PRIMITIVE)
		return AL_EPROTO;
	t = &j->tok[tok];
	if (t->end - t->start == 4 && !memcmp(j->js + t->start, "true", 4))
		return 1;
	if (t->end - t->start == 5 && !memcmp(j->js + t->start, "false", 5))
		return 0;
	return AL_EPROTO;
}

/* Writer. first[d] holds flags for nesting level d (0 is the top level,
 * outside any container): still empty, a member name waiting for its
 * value, and whether the container is an object. */
enum { JW_EMPTY = 1, JW_AFTER_KEY = 2, JW_OBJ = 4 };

/* Prepare a writer on buf (cap bytes, NUL included). */
void jw_init(struct jw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->first[0] = JW_EMPTY;
}

static void jw_fail(struct jw *w, int err)
{
	if (!w->err)
		w->err = err;
}

/* Append n bytes, keeping one byte for the final NUL. */
static void jw_put(struct jw *w, const char *s, size_t n)
{
	if (w->err)
		return;
	if (w->cap == 0 || n > w->cap - 1 - w->len) {
		jw_fail(w, AL_E2BIG);
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* Bookkeeping before a value: a comma in arrays, a name first in objects,
 * a single value at the top level. */
static void jw_pre_value(struct jw *w)
{
	unsigned char *f = &w->first[w->depth];

	if (w->err)
		return;
	if (w->depth == 0) {
		if (!(*f & JW_EMPTY))
			jw_fail(w, AL_EINVAL);
	} else if (*f & JW_OBJ) {
		if (!(*f & JW_AFTER_KEY))
			jw_fail(w, AL_EINVAL);
	} else if (!(*f & JW_EMPTY)) {
		jw_put(w, ",", 1);
	}
	*f &= (unsigned char)~(JW_EMPTY | JW_AFTER_KEY);
}

static void jw_quoted(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t run = 0;

	jw_put(w, "\"", 1);
	for (size_t i = 0; i < n && !w->err; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *short_esc = NULL;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		jw_put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': short_esc = "\\\""; break;
		case '\\': short_esc = "\\\\"; break;
		case '\b': short_esc = "\\b"; break;
		case '\f': short_esc = "\\f"; break;
		case '\n': short_esc = "\\n"; break;
		case '\r': short_esc = "\\r"; break;
		case '\t': short_esc = "\\t"; break;
		}
		if (short_esc) {
			jw_put(w, short_esc, 2);
		} else {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			jw_put(w, esc, 6);
		}
	}
	jw_put(w, s + run, n - run);
	jw_put(w, "\"", 1);
}

static void jw_open(struct jw *w, char c, unsigned char obj)
{
	jw_pre_value(w);
	if (w->err)
		return;
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		jw_fail(w, AL_E2BIG);
		return;
	}
	jw_put(w, &c, 1);
	w->first[++w->depth] = (unsigned char)(JW_EMPTY | obj);
}

static void jw_close(struct jw *w, char c, unsigned char obj)
{
	unsigned char f;

	if (w->err)
		return;
	f = w->first[w->depth];
	if (w->depth == 0 || (f & JW_OBJ) != obj || (f & JW_AFTER_KEY)) {
		jw_fail(w, AL_EINVAL);
		return;
	}
	jw_put(w, &c, 1);
	w->depth--;
}

/* Open an object as the next value. */
void jw_obj_begin(struct jw *w) { jw_open(w, '{', JW_OBJ); }
/* Close the innermost object. */
void jw_obj_end(struct jw *w) { jw_close(w, '}', JW_OBJ); }
/* Open an array as the next value. */
void jw_arr_begin(struct jw *w) { jw_open(w, '[', 0); }
/* Close the innermost array. */
void jw_arr_end(struct jw *w) { jw_close(w, ']', 0); }

/* Member name (escaped); valid only in an object where a name is due. */
void jw_key(struct jw *w, const char *key)
{
	unsigned char *f = &w->first[w->depth];

	if (w->err)
		return;
	if (!key || w->depth == 0 || !(*f & JW_OBJ) || (*f & JW_AFTER_KEY)) {
		jw_fail(w, AL_EINVAL);
		return;
	}
	if (!(*f & JW_EMPTY))
		jw_put(w, ",", 1);
	jw_quoted(w, key, strlen(key));
	jw_put(w, ":", 1);
	*f = (unsigned char)((*f & ~JW_EMPTY) | JW_AFTER_KEY);
}

/* A NUL-terminated string value, escaped; UTF-8 passes through. */
void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_fail(w, AL_EINVAL);
	else
		jw_strn(w, s, strlen(s));
}

/* n bytes as a string value; NUL bytes become \u0000. */
void jw_strn(struct jw *w, const char *s, size_t n)
{
	if (!s && n) {
		jw_fail(w, AL_EINVAL);
		return;
	}
	jw_pre_value(w);
	jw_quoted(w, n ? s : "", n);
}

/* An integer value. */
void jw_int(struct jw *w, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	jw_pre_value(w);
	jw_put(w, num, (size_t)n);
}

/* true or false. */
void jw_bool(struct jw *w, int v)
{
	jw_pre_value(w);
	if (v)
		jw_put(w, "true", 4);
	else
		jw_put(w, "false", 5);
}

/* Finish (see json.h). On failure the buffer holds "" when it has room. */
int jw_finish(struct jw *w, size_t *len)
{
	if (!w->err && (w->depth != 0 || (w->first[0] & JW_EMPTY)))
		w->err = AL_EINVAL;
	if (len)
		*len = w->err ? 0 : w->len;
	if (w->cap == 0)
		return w->err ? w->err : AL_E2BIG;
	w->buf[w->err ? 0 : w->len] = '\0';
	return w->err;
}
