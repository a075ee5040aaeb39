/* json.c: reading (escapes, lookups, malformed input) and the writer
 * (escaping, automatic commas, overflow at every buffer size). Expected
 * values come from RFC 8259/8555 and from hand-computed UTF-8. */
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "tap.h"

#define NTOK 128

static int parse(struct json *j, jsmntok_t *t, const char *s)
{
	return json_parse(j, s, strlen(s), t, NTOK);
}

static void test_read_escapes(void)
{
	jsmntok_t t[NTOK];
	struct json j;
	char out[128];
	/* é U+00E9 = C3 A9, € U+20AC = E2 82 AC, U+1F600 = F0 9F 98 80
	 * (surrogates D83D DE00). */
	const char *doc = "{\"s\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti"
	                  "\\u00e9\\u20AC\\ud83d\\ude00\\u0041\"}";
	const char *want = "a\"b\\c/d\be\ff\ng\rh\ti\xc3\xa9\xe2\x82\xac"
	                   "\xf0\x9f\x98\x80" "A";

	is_int(parse(&j, t, doc), 0, "escaped string parses");
	is_int(json_get_string(&j, 0, "s", out, sizeof(out)), 0, "unescapes");
	is_str(out, want, "every short escape, \\u and a surrogate pair");
	is_int(json_get_string(&j, 0, "s", out, strlen(want)), AL_E2BIG,
	       "no room for the NUL -> AL_E2BIG");
	is_str(out, "", "output emptied on failure");
	is_int(json_get_string(&j, 0, "s", out, strlen(want) + 1), 0,
	       "exact fit");

	static const char *bad[] = {
		"[\"\\ud83d\"]", "[\"\\ude00\"]", "[\"\\ud83dx\"]",
		"[\"\\ud83d\\u0041\"]", "[\"\\ud83d\\ud83d\"]", "[\"a\\u0000b\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(&j, t, bad[i]), 0, "%s tokenizes", bad[i]);
		is_int(json_string(&j, 1, out, sizeof(out)), AL_EPROTO,
		       "%s -> AL_EPROTO when read", bad[i]);
	}
	is_int(parse(&j, t, "{\"\\ud83d\":1}"), AL_EPROTO,
	       "lone surrogate in a member name rejects the document");
	is_int(parse(&j, t, "[1]"), 0, "number array");
	is_int(json_string(&j, 1, out, sizeof(out)), AL_EPROTO,
	       "json_string on a number -> AL_EPROTO");
	is_int(json_is_string(&j, 1), 0, "a number is not a string");
	is_int(json_is_string(&j, 7), 0, "out of range token is not a string");
}

static void test_lookup(void)
{
	jsmntok_t t[NTOK];
	struct json j;
	char out[64];
	int64_t v;
	int a, e;
	const char *doc = " {\"a\":{\"b\":{\"c\":[1,[2,3],{\"d\":\"e\"}]}},"
	                  "\"\\u0066\\/g\":true,\"h\":\"x\",\"n\":null,"
	                  "\"e\":[]} \n";

	is_int(parse(&j, t, doc), 0, "nested document parses");
	a = json_path(&j, "a.b.c");
	is_int(json_array_len(&j, a), 3, "a.b.c has 3 elements");
	e = json_array_elem(&j, a, 0);
	ok(json_int(&j, e, &v) == 0 && v == 1, "a.b.c[0] == 1");
	e = json_array_elem(&j, a, 1);
	is_int(json_array_len(&j, e), 2, "a.b.c[1] has 2 elements");
	ok(json_int(&j, json_array_elem(&j, e, 1), &v) == 0 && v == 3,
	   "a.b.c[1][1] == 3");
	e = json_array_elem(&j, a, 2);
	is_int(json_get_string(&j, e, "d", out, sizeof(out)), 0, "c[2].d");
	is_str(out, "e", "c[2].d == e");
	is_int(json_array_elem(&j, a, 3), -1, "index past the end");
	is_int(json_array_elem(&j, a, -1), -1, "negative index");
	is_int(json_skip(&j, a), e + 3, "skip jumps over the array");
	is_int(json_skip(&j, 0), j.ntok, "skip of root reaches the end");
	is_int(json_bool(&j, json_find(&j, 0, "f/g")), 1,
	       "key found after unescaping \\u0066 and \\/");
	is_int(json_bool(&j, json_find(&j, 0, "h")), AL_EPROTO,
	       "bool of a string");
	is_int(json_bool(&j, json_find(&j, 0, "n")), AL_EPROTO, "bool of null");
	is_int(json_array_len(&j, json_find(&j, 0, "e")), 0, "empty array");
	is_int(json_array_elem(&j, json_find(&j, 0, "e"), 0), -1,
	       "no element in empty array");
	is_int(json_array_len(&j, 0), -1, "object is not an array");

	is_int(json_find(&j, 0, "zz"), -1, "missing key");
	is_int(json_find(&j, 0, "b"), -1, "nested key is not a root member");
	is_int(json_find(&j, 0, "f\\/g"), -1, "escaped form does not match");
	is_int(json_find(&j, a, "d"), -1, "find in an array");
	is_int(json_path(&j, "a.x"), -1, "missing path segment");
	is_int(json_path(&j, "a..b"), -1, "empty path segment");
	is_int(json_path(&j, ""), -1, "empty path");
	is_int(json_path(&j, "h.x"), -1, "path through a string");
	is_int(json_get_string(&j, 0, "zz", out, sizeof(out)), AL_ENOENT,
	       "get_string of a missing key");
	is_int(json_get_string(&j, 0, "n", out, sizeof(out)), AL_EPROTO,
	       "get_string of null");
	/* "e" appears as a member name and as a value: only names match. */
	is_int(json_path(&j, "a.b.c.d"), -1, "path into an array");
}

static void test_duplicates(void)
{
	jsmntok_t t[NTOK];
	struct json j;

	is_int(parse(&j, t, "{\"a\":1,\"a\":2}"), AL_EPROTO,
	       "duplicate member name rejected");
	is_int(parse(&j, t, "{\"a\":1,\"b\":[],\"\\u0061\":2}"), AL_EPROTO,
	       "duplicate after unescaping rejected");
	is_int(parse(&j, t, "{\"a\":{\"a\":1},\"b\":{\"a\":2}}"), 0,
	       "same name in different objects is fine");
	is_int(parse(&j, t, "[{\"a\":1},{\"a\":2}]"), 0,
	       "same name in array elements is fine");
	is_int(parse(&j, t, "{\"ab\":1,\"a\":2,\"abc\":3}"), 0,
	       "prefixes are different names");
	is_int(json_find(&j, 0, "a"), 4, "exact name found, not a prefix");
}

static void test_bad_input(void)
{
	jsmntok_t t[NTOK];
	struct json j;
	static const char *bad[] = {
		"", " ", "\"s\"", "1", "true", "null",
		"{} x", "{}{}", "{}]", "{\"a\":1}}", "[1] 2", "[1],",
		"{\"a\":[1}", "[1,2", "]", "}", "[", "{",
		"[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"a\\\"]",
		"[1 2]", "[1,,2]", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}",
		"{\"a\":}", "{,}", "{\"a\"}", "{\"a\":1 \"b\":2}", "{\"a\"::1}",
		"[tru]", "[01]", "[1.]", "[.5]", "[-]", "[1e]", "[+1]", "[nul]",
		"[True]", "[1x]", "[--1]", "[1.2.3]", "[\"a\nb\"]", "[\"\t\"]",
		"{1:2}", "{[]:1}", "[1:2]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(parse(&j, t, bad[i]), AL_EPROTO, "bad input #%zu", i);
	is_int(json_parse(&j, "{}\0", 3, t, NTOK), AL_EPROTO, "embedded NUL");

	const char *good = "{\"a\":[1,-2.5e+3,true,false,null,\"x\\n\"],"
	                   "\"b\":{\"c\":0}}";
	size_t n = strlen(good);
	int fails = 0;
	for (size_t k = 0; k < n; k++)
		fails += json_parse(&j, good, k, t, NTOK) == AL_EPROTO;
	is_int(fails, (long long)n, "every truncation -> AL_EPROTO");
	is_int(json_parse(&j, good, n, t, NTOK), 0, "whole document parses");

	is_int(json_parse(&j, "[1,2,3,4]", 9, t, 4), AL_E2BIG,
	       "5 tokens in 4 -> AL_E2BIG");
	is_int(json_parse(&j, "[1,2,3,4]", 9, t, 5), 0, "5 tokens in 5");
	is_int(j.ntok, 5, "token count");

	char deep[80];
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	is_int(json_parse(&j, deep, 80, t, NTOK), AL_E2BIG,
	       "40 levels of nesting -> AL_E2BIG");
	is_int(json_parse(&j, deep + 10, 60, t, NTOK), 0, "30 levels parse");
}

static void test_int(void)
{
	jsmntok_t t[NTOK];
	struct json j;
	int64_t v = 42;
	static const struct { const char *s; int64_t v; } good[] = {
		{ "[0]", 0 }, { "[-0]", 0 }, { "[123]", 123 }, { "[-7]", -7 },
		{ "[9223372036854775807]", INT64_MAX },
		{ "[-9223372036854775808]", INT64_MIN },
	};
	static const char *bad[] = {
		"[9223372036854775808]", "[-9223372036854775809]",
		"[99999999999999999999]", "[1.5]", "[1e3]", "[true]", "[\"5\"]",
		"[null]", "[[]]",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		parse(&j, t, good[i].s);
		ok(json_int(&j, 1, &v) == 0 && v == good[i].v, "int %s",
		   good[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(&j, t, bad[i]), 0, "%s parses", bad[i]);
		is_int(json_int(&j, 1, &v), AL_EPROTO, "%s is not an int64",
		       bad[i]);
	}
}

/* RFC 8555 7.1.1 directory and 7.1.3 order. */
static void test_acme_docs(void)
{
	jsmntok_t t[NTOK];
	struct json j;
	char out[128];
	int a;
	const char *dir =
		"{\n"
		"  \"newNonce\": \"https://example.com/acme/new-nonce\",\n"
		"  \"newAccount\": \"https://example.com/acme/new-account\",\n"
		"  \"newOrder\": \"https://example.com/acme/new-order\",\n"
		"  \"newAuthz\": \"https://example.com/acme/new-authz\",\n"
		"  \"revokeCert\": \"https://example.com/acme/revoke-cert\",\n"
		"  \"keyChange\": \"https://example.com/acme/key-change\",\n"
		"  \"meta\": {\n"
		"    \"termsOfService\": \"https://example.com/acme/terms/2017-5-30\",\n"
		"    \"website\": \"https://www.example.com/\",\n"
		"    \"caaIdentities\": [\"example.com\"],\n"
		"    \"externalAccountRequired\": false\n"
		"  }\n"
		"}\n";
	const char *order =
		"{\n"
		"  \"status\": \"valid\",\n"
		"  \"expires\": \"2016-01-20T14:09:07.99Z\",\n"
		"  \"identifiers\": [\n"
		"    { \"type\": \"dns\", \"value\": \"www.example.org\" },\n"
		"    { \"type\": \"dns\", \"value\": \"example.org\" }\n"
		"  ],\n"
		"  \"notBefore\": \"2016-01-01T00:00:00Z\",\n"
		"  \"notAfter\": \"2016-01-08T00:00:00Z\",\n"
		"  \"authorizations\": [\n"
		"    \"https://example.com/acme/authz/PAniVnsZcis\",\n"
		"    \"https://example.com/acme/authz/r4HqLzrSrpI\"\n"
		"  ],\n"
		"  \"finalize\": \"https://example.com/acme/order/TOlocE8rfgo/finalize\",\n"
		"  \"certificate\": \"https://example.com/acme/cert/mAt3xBGaobw\"\n"
		"}\n";

	is_int(parse(&j, t, dir), 0, "RFC 8555 directory parses");
	is_int(json_string(&j, json_path(&j, "meta.termsOfService"), out,
	                   sizeof(out)), 0, "meta.termsOfService");
	is_str(out, "https://example.com/acme/terms/2017-5-30", "ToS URL");
	is_int(json_get_string(&j, 0, "newNonce", out, sizeof(out)), 0,
	       "newNonce");
	is_str(out, "https://example.com/acme/new-nonce", "newNonce URL");
	is_int(json_bool(&j, json_path(&j, "meta.externalAccountRequired")),
	       0, "externalAccountRequired false");
	is_int(json_path(&j, "meta.profiles"), -1, "no profiles");
	is_int(json_find(&j, 0, "renewalInfo"), -1, "no renewalInfo");

	is_int(parse(&j, t, order), 0, "RFC 8555 order parses");
	is_int(json_get_string(&j, 0, "status", out, sizeof(out)), 0, "status");
	is_str(out, "valid", "status valid");
	a = json_find(&j, 0, "authorizations");
	is_int(json_array_len(&j, a), 2, "two authorizations");
	is_int(json_string(&j, json_array_elem(&j, a, 1), out, sizeof(out)), 0,
	       "second authorization");
	is_str(out, "https://example.com/acme/authz/r4HqLzrSrpI", "authz URL");
	a = json_find(&j, 0, "identifiers");
	is_int(json_get_string(&j, json_array_elem(&j, a, 1), "value", out,
	                       sizeof(out)), 0, "identifiers[1].value");
	is_str(out, "example.org", "second identifier");
	is_int(json_get_string(&j, 0, "finalize", out, sizeof(out)), 0,
	       "finalize");
	is_str(out, "https://example.com/acme/order/TOlocE8rfgo/finalize",
	       "finalize URL");
}

/* Writes the same document whatever the buffer. */
static int write_doc(char *buf, size_t cap, size_t *len)
{
	struct jw w;

	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	jw_key(&w, "alg");
	jw_str(&w, "ES256");
	jw_key(&w, "k\"ey");
	jw_arr_begin(&w);
	jw_int(&w, -9223372036854775807LL - 1);
	jw_int(&w, 0);
	jw_bool(&w, 1);
	jw_bool(&w, 0);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_strn(&w, "a\0b", 3);
	jw_arr_end(&w);
	jw_key(&w, "url");
	jw_str(&w, "https://example.com/acme/new-order");
	jw_obj_end(&w);
	return jw_finish(&w, len);
}

static void test_writer(void)
{
	const char *want = "{\"alg\":\"ES256\",\"k\\\"ey\":[-9223372036854775808,"
	                   "0,true,false,{},[],\"a\\u0000b\"],"
	                   "\"url\":\"https://example.com/acme/new-order\"}";
	size_t full = strlen(want), len = 99;
	char buf[256];
	int overflow_ok = 0, guard_ok = 0;

	is_int(write_doc(buf, sizeof(buf), &len), 0, "writer succeeds");
	is_str(buf, want, "writer output, commas and escapes");
	is_int(len, full, "writer length");

	for (size_t cap = 0; cap <= full; cap++) {
		char big[300];
		int bad = 0;
		memset(big, 0x5a, sizeof(big));
		overflow_ok += write_doc(cap ? big : NULL, cap, &len) ==
		               AL_E2BIG && len == 0;
		for (size_t k = cap; k < sizeof(big); k++)
			bad |= big[k] != 0x5a;
		guard_ok += !bad && (cap == 0 || big[0] == '\0');
	}
	is_int(overflow_ok, (long long)full + 1,
	       "every cap 0..%zu -> AL_E2BIG", full);
	is_int(guard_ok, (long long)full + 1,
	       "nothing written past cap, output emptied");
	is_int(write_doc(buf, full + 1, &len), 0, "exact fit succeeds");
	is_str(buf, want, "exact fit output");
}

static void test_writer_escapes(void)
{
	static const char *shortesc = "btn?fr"; /* 8 9 10 11 12 13 */
	char in[64], want[512], out[256], buf[512];
	size_t n = 0, wl = 0;
	jsmntok_t t[8];
	struct json j;
	struct jw w;

	/* Every control character 1..31, quote, backslash, slash, DEL,
	 * é, and U+1F600 as raw UTF-8. */
	want[wl++] = '"';
	for (int c = 1; c < 32; c++) {
		in[n++] = (char)c;
		if (c >= 8 && c <= 13 && c != 11)
			wl += (size_t)sprintf(want + wl, "\\%c", shortesc[c - 8]);
		else
			wl += (size_t)sprintf(want + wl, "\\u%04x", c);
	}
	memcpy(in + n, "\"\\/\x7f\xc3\xa9\xf0\x9f\x98\x80", 10);
	n += 10;
	in[n] = '\0';
	wl += (size_t)sprintf(want + wl, "\\\"\\\\/\x7f\xc3\xa9\xf0\x9f\x98\x80\"]");

	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_str(&w, in);
	jw_arr_end(&w);
	is_int(jw_finish(&w, NULL), 0, "control characters written");
	ok(buf[0] == '[' && strcmp(buf + 1, want) == 0,
	   "escapes: short forms for \\b\\t\\n\\f\\r, \\u00XX otherwise");
	is_int(json_parse(&j, buf, strlen(buf), t, 8), 0, "reads back");
	is_int(json_string(&j, 1, out, sizeof(out)), 0, "unescapes back");
	is_str(out, in, "round trip is exact");

	/* A surrogate pair read, written as raw UTF-8, read again. */
	const char *sp = "[\"\\uD83D\\uDE00\"]";
	is_int(json_parse(&j, sp, strlen(sp), t, 8), 0, "surrogate pair doc");
	json_string(&j, 1, out, sizeof(out));
	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_str(&w, out);
	jw_arr_end(&w);
	jw_finish(&w, NULL);
	is_str(buf, "[\"\xf0\x9f\x98\x80\"]", "pair written as UTF-8");
}

static void test_writer_misuse(void)
{
	char buf[256];
	struct jw w;
	size_t len;

	jw_init(&w, buf, sizeof(buf));
	is_int(jw_finish(&w, &len), AL_EINVAL, "empty document");
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	is_int(jw_finish(&w, &len), AL_EINVAL, "unclosed object");
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_str(&w, "x");
	is_int(jw_finish(&w, &len), AL_EINVAL, "value without a name");
	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_key(&w, "x");
	is_int(jw_finish(&w, &len), AL_EINVAL, "name inside an array");
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_key(&w, "x");
	jw_obj_end(&w);
	is_int(jw_finish(&w, &len), AL_EINVAL, "name without a value");
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	jw_arr_end(&w);
	is_int(jw_finish(&w, &len), AL_EINVAL, "mismatched close");
	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	is_int(jw_finish(&w, &len), AL_EINVAL, "two top-level values");
	jw_init(&w, buf, sizeof(buf));
	jw_arr_end(&w);
	is_int(jw_finish(&w, &len), AL_EINVAL, "close at top level");

	jw_init(&w, buf, sizeof(buf));
	for (int d = 0; d < JW_MAX_DEPTH - 1; d++)
		jw_arr_begin(&w);
	for (int d = 0; d < JW_MAX_DEPTH - 1; d++)
		jw_arr_end(&w);
	is_int(jw_finish(&w, &len), 0, "%d levels fit", JW_MAX_DEPTH - 1);
	is_int(len, 2 * (JW_MAX_DEPTH - 1), "nested arrays length");
	jw_init(&w, buf, sizeof(buf));
	for (int d = 0; d < JW_MAX_DEPTH; d++)
		jw_arr_begin(&w);
	size_t at = w.len;
	for (int d = 0; d < JW_MAX_DEPTH; d++)
		jw_arr_end(&w);
	jw_int(&w, 1);
	is_int(w.len, at, "sticky: nothing written after the error");
	is_int(jw_finish(&w, &len), AL_E2BIG, "%d levels -> AL_E2BIG",
	       JW_MAX_DEPTH);
}

int main(void)
{
	test_read_escapes();
	test_lookup();
	test_duplicates();
	test_bad_input();
	test_int();
	test_acme_docs();
	test_writer();
	test_writer_escapes();
	test_writer_misuse();
	return tap_done();
}
