/* DNS messages, TSIG and BIND key files (src/dns/): round trips, the
 * exact bytes of an UPDATE, compression pointers (loops refused), and
 * every truncation and thousands of garblings of real answers, which
 * must fail cleanly (run under ASan/valgrind by the suite). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bearssl.h>

#include "dns/keyfile.h"
#include "dns/msg.h"
#include "dns/tsig.h"
#include "log.h"
#include "port_posix.h"
#include "tap.h"
#include "testlib.h"

/* An answer to "_acme-challenge.a.example.test TXT": a CNAME to
 * x.dele.test (compressed against the question), two TXT values there,
 * one split over two strings. */
static size_t make_answer(uint8_t *buf, size_t cap)
{
	struct dns_wr w;
	size_t rd;

	dns_wr_init(&w, buf, cap, 0x1234, DNS_F_QR | DNS_F_AA);
	dns_wr_count(&w, DNS_S_QD, 1);
	dns_wr_count(&w, DNS_S_AN, 3);
	dns_wr_question(&w, "_acme-challenge.a.example.test", DNS_T_TXT,
	                DNS_C_IN);
	/* owner: pointer to the question name (offset 12) */
	dns_wr_u16(&w, 0xc00c);
	dns_wr_u16(&w, DNS_T_CNAME);
	dns_wr_u16(&w, DNS_C_IN);
	dns_wr_u32(&w, 60);
	rd = w.len;
	dns_wr_u16(&w, 0);
	/* x, then a pointer to "test" inside the question: 12 + 1 + 15 + 1
	 * + 1 + 1 + 7 = 38 */
	dns_wr_bytes(&w, "\001x\004dele\300\046", 9);
	dns_wr_rr_end(&w, rd);
	rd = dns_wr_rr_begin(&w, "x.dele.test", DNS_T_TXT, DNS_C_IN, 60);
	dns_wr_txt(&w, "value-one", 9);
	dns_wr_rr_end(&w, rd);
	rd = dns_wr_rr_begin(&w, "X.Dele.Test", DNS_T_TXT, DNS_C_IN, 60);
	dns_wr_bytes(&w, "\003abc\003def", 8);
	dns_wr_rr_end(&w, rd);
	return w.err ? 0 : w.len;
}

static void test_roundtrip(void)
{
	uint8_t buf[512];
	size_t len = make_answer(buf, sizeof(buf)), pos = 0;
	struct dns_msg m;
	struct dns_rr rr;
	char name[DNS_NAME_TEXT_MAX], txt[64];
	uint16_t t, c;

	ok(len > 0, "an answer is written");
	is_int(dns_parse(&m, buf, len), 0, "it parses");
	is_int(m.id, 0x1234, "id");
	is_int(m.count[DNS_S_AN], 3, "three answers");
	is_int(dns_question(&m, 0, name, &t, &c), 0, "the question reads");
	is_str(name, "_acme-challenge.a.example.test", "question name");
	is_int(t, DNS_T_TXT, "question type");
	is_int(dns_rr_next(&m, &pos, &rr), 1, "first record");
	is_str(rr.name, "_acme-challenge.a.example.test", "compressed owner");
	is_int(rr.type, DNS_T_CNAME, "CNAME");
	is_int(dns_rr_target(&m, &rr, name), 0, "its target reads");
	is_str(name, "x.dele.test", "target through a pointer");
	is_int(dns_rr_next(&m, &pos, &rr), 1, "second record");
	is_int(dns_rr_txt(&m, &rr, txt, sizeof(txt), NULL), 0, "TXT reads");
	is_str(txt, "value-one", "TXT value");
	is_int(dns_rr_next(&m, &pos, &rr), 1, "third record");
	ok(dns_name_eq(rr.name, "x.dele.test"), "names compare without case");
	is_int(dns_rr_txt(&m, &rr, txt, sizeof(txt), NULL), 0, "split TXT");
	is_str(txt, "abcdef", "strings joined");
	is_int(dns_rr_txt(&m, &rr, txt, 4, NULL), AL_E2BIG, "small buffer");
	is_int(dns_rr_next(&m, &pos, &rr), 0, "no fourth record");
}

static void test_pointers(void)
{
	uint8_t buf[64] = { 0x12, 0x34, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	struct dns_msg m;

	/* a pointer to itself */
	memcpy(buf + 12, "\300\014\000\020\000\001", 6);
	is_int(dns_parse(&m, buf, 18), AL_EPROTO, "self pointer refused");
	/* a forward pointer */
	memcpy(buf + 12, "\300\016\000\000\020\000\001", 7);
	is_int(dns_parse(&m, buf, 19), AL_EPROTO, "forward pointer refused");
	/* a pointer out of the message */
	memcpy(buf + 12, "\300\377\000\020\000\001", 6);
	is_int(dns_parse(&m, buf, 18), AL_EPROTO, "wild pointer refused");
	/* label type 01 (0x40) */
	memcpy(buf + 12, "\101a\000\000\020\000\001", 7);
	is_int(dns_parse(&m, buf, 19), AL_EPROTO, "extended label refused");
	/* a byte that is not visible ASCII is escaped, so that "a.b" with a
	 * dot inside one label is not the name a.b */
	memcpy(buf + 12, "\003a.b\000\000\020\000\001", 9);
	{
		char n[DNS_NAME_TEXT_MAX];
		uint16_t t, c;

		is_int(dns_parse(&m, buf, 21), 0, "a dot inside a label parses");
		dns_question(&m, 0, n, &t, &c);
		is_str(n, "a\\046b", "and is written \\046");
	}
}

static void test_long_names(void)
{
	char name[400];
	uint8_t buf[600];
	struct dns_wr w;
	int i;

	/* 4 labels of 63: 4 * 64 + 1 = 257 bytes on the wire: too long */
	name[0] = 0;
	for (i = 0; i < 4; i++)
		strcat(name, i ? ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		               : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	dns_wr_init(&w, buf, sizeof(buf), 1, 0);
	dns_wr_name(&w, name);
	is_int(dns_wr_error(&w), AL_EINVAL, "a name over 255 bytes is refused");
	name[62 * 4 + 3] = 0;   /* 4 labels, the last 62: 254 + 1 */
	dns_wr_init(&w, buf, sizeof(buf), 1, 0);
	dns_wr_name(&w, name);
	is_int(dns_wr_error(&w), 0, "255 bytes on the wire is fine");
	dns_wr_init(&w, buf, sizeof(buf), 1, 0);
	dns_wr_name(&w, "a..b");
	is_int(dns_wr_error(&w), AL_EINVAL, "an empty label is refused");
	dns_wr_init(&w, buf, 20, 1, 0);
	dns_wr_name(&w, "abcdefghij.klm");
	is_int(dns_wr_error(&w), AL_E2BIG, "a full buffer is AL_E2BIG");
	is_int(dns_query_build(buf, sizeof(buf), 7, "example.test.", DNS_T_SOA, 1),
	       12 + 14 + 4, "a final dot is the same name");
}

static void test_txt_long(void)
{
	char v[600], out[700];
	uint8_t buf[1024];
	struct dns_wr w;
	struct dns_msg m;
	struct dns_rr rr;
	size_t rd, pos = 0, n;

	memset(v, 'v', sizeof(v));
	dns_wr_init(&w, buf, sizeof(buf), 1, DNS_F_QR);
	dns_wr_count(&w, DNS_S_AN, 1);
	rd = dns_wr_rr_begin(&w, "t.test", DNS_T_TXT, DNS_C_IN, 1);
	dns_wr_txt(&w, v, sizeof(v));
	dns_wr_rr_end(&w, rd);
	is_int(dns_parse(&m, buf, w.len), 0, "a 600-byte TXT value parses");
	dns_rr_next(&m, &pos, &rr);
	is_int(rr.rdlen, 603, "as three character strings");
	is_int(dns_rr_txt(&m, &rr, out, sizeof(out), &n), 0, "reads back");
	is_int(n, 600, "whole");
}

/* The exact bytes of an UPDATE that deletes one TXT value: class NONE,
 * TTL 0, the value named; the zone section asks SOA. */
static void test_update_bytes(void)
{
	static const uint8_t want[] = {
		0, 9, 0x28, 0, 0, 1, 0, 0, 0, 1, 0, 0,
		4, 'z', 'o', 'n', 'e', 0, 0, 6, 0, 1,
		1, 'n', 4, 'z', 'o', 'n', 'e', 0, 0, 16, 0, 254, 0, 0, 0, 0,
		0, 4, 3, 'a', 'b', 'c'
	};
	uint8_t buf[128];
	int n = dns_update_txt(buf, sizeof(buf), 9, "zone", "n.zone", "abc",
	                       0, 300);

	is_int(n, (int)sizeof(want), "delete UPDATE length");
	ok(n == (int)sizeof(want) && !memcmp(buf, want, sizeof(want)),
	   "delete UPDATE bytes: class NONE, TTL 0, exactly our value");
	n = dns_update_txt(buf, sizeof(buf), 9, "zone", "n.zone", "abc", 1, 300);
	ok(n == (int)sizeof(want) && buf[33] == 1 && buf[37] == 0x2c,
	   "add UPDATE: class IN, TTL 300");
}

/* Every prefix of a good answer, and random garblings of it, fail
 * cleanly or parse into records whose reads stay in bounds. */
static void test_garbled(void)
{
	uint8_t good[512], bad[512];
	size_t len = make_answer(good, sizeof(good)), i, pos;
	struct dns_msg m;
	struct dns_rr rr;
	char out[DNS_TXT_MAX + 1];
	int fails = 0, parsed = 0, k;
	unsigned seed = 12345;

	for (i = 0; i < len; i++)
		if (dns_parse(&m, good, i) != AL_EPROTO)
			fails++;
	is_int(fails, 0, "every truncation of an answer is AL_EPROTO");
	for (k = 0; k < 20000; k++) {
		memcpy(bad, good, len);
		for (i = 0; i < 1 + (size_t)(k % 4); i++) {
			seed = seed * 1103515245 + 12345;
			bad[(seed >> 8) % len] = (uint8_t)(seed >> 20);
		}
		if (dns_parse(&m, bad, len))
			continue;
		parsed++;
		pos = 0;
		while (dns_rr_next(&m, &pos, &rr) == 1) {
			dns_rr_txt(&m, &rr, out, sizeof(out), NULL);
			dns_rr_target(&m, &rr, out);
		}
	}
	ok(parsed > 0 && parsed < 20000, "garbled answers: %d of 20000 still "
	   "parse, every read in bounds", parsed);
}

/* The answer side of TSIG written here from RFC 8945 §4.3.1 on its own,
 * to check tsig_check: MAC over the request MAC, the answer without its
 * TSIG record, and the variables. */
static size_t sign_answer(const struct tsig_key *k, uint8_t *buf, size_t len,
                          const uint8_t *reqmac, uint64_t t, uint16_t err)
{
	static const uint8_t kn[] = "\003key\004test";         /* 10 bytes */
	static const uint8_t an[] = "\013hmac-sha256";         /* 13 bytes */
	br_hmac_key_context kc;
	br_hmac_context h;
	uint8_t mac[32], v[12] = { 0, 32 }, id[2] = { buf[0], buf[1] };
	struct dns_wr w = { buf, 512, len, 0 };
	size_t rd;

	br_hmac_key_init(&kc, &br_sha256_vtable, k->secret, k->secret_len);
	br_hmac_init(&h, &kc, 0);
	br_hmac_update(&h, v, 2);
	br_hmac_update(&h, reqmac, 32);
	br_hmac_update(&h, buf, len);
	br_hmac_update(&h, kn, 10);
	br_hmac_update(&h, "\000\377\000\000\000\000", 6);
	br_hmac_update(&h, an, 13);
	v[0] = 0; v[1] = 0; v[2] = (uint8_t)(t >> 24); v[3] = (uint8_t)(t >> 16);
	v[4] = (uint8_t)(t >> 8); v[5] = (uint8_t)t; v[6] = 1; v[7] = 44;
	v[8] = (uint8_t)(err >> 8); v[9] = (uint8_t)err; v[10] = 0; v[11] = 0;
	br_hmac_update(&h, v, 12);
	br_hmac_out(&h, mac);
	dns_wr_bytes(&w, kn, 10);
	dns_wr_u16(&w, DNS_T_TSIG);
	dns_wr_u16(&w, DNS_C_ANY);
	dns_wr_u32(&w, 0);
	rd = w.len;
	dns_wr_u16(&w, 0);
	dns_wr_bytes(&w, an, 13);
	dns_wr_bytes(&w, v, 8);
	dns_wr_u16(&w, err ? 0 : 32);
	if (!err)
		dns_wr_bytes(&w, mac, 32);
	dns_wr_bytes(&w, id, 2);
	dns_wr_bytes(&w, v + 8, 4);
	dns_wr_rr_end(&w, rd);
	buf[11]++;
	return w.len;
}

static void test_tsig(void)
{
	struct tsig_key k;
	uint8_t buf[512], ans[512], mac[32];
	size_t len, alen;
	struct dns_msg m;
	int r, err;
	int64_t now = 1790000000;

	memset(&k, 0, sizeof(k));
	strcpy(k.name, "Key.test");
	memset(k.secret, 0x5a, 32);
	k.secret_len = 32;
	r = dns_update_txt(buf, sizeof(buf), 77, "zone", "n.zone", "v", 1, 60);
	len = (size_t)r;
	is_int(tsig_sign(&k, buf, &len, sizeof(buf), now, mac), 0, "signs");
	is_int(dns_parse(&m, buf, len), 0, "the signed request parses");
	is_int(m.count[DNS_S_AR], 1, "one TSIG record");

	/* the answer: the request's header with QR, sections as they were */
	r = dns_update_txt(ans, sizeof(ans), 77, "zone", "n.zone", "v", 1, 60);
	ans[2] |= 0x80;
	alen = sign_answer(&k, ans, (size_t)r, mac, (uint64_t)now, 0);
	dns_parse(&m, ans, alen);
	is_int(tsig_check(&k, &m, mac, now + 10, &err), TSIG_OK,
	       "a signed answer verifies");
	is_int(tsig_check(&k, &m, mac, now + 400, &err), TSIG_BAD,
	       "outside the fudge it does not");
	mac[0] ^= 1;
	is_int(tsig_check(&k, &m, mac, now, &err), TSIG_BAD,
	       "against another request MAC it does not");
	mac[0] ^= 1;
	ans[20] ^= 1;
	dns_parse(&m, ans, alen);
	is_int(tsig_check(&k, &m, mac, now, &err), TSIG_BAD,
	       "a changed byte does not");
	r = dns_update_txt(ans, sizeof(ans), 77, "zone", "n.zone", "v", 1, 60);
	ans[3] = DNS_R_NOTAUTH;
	alen = sign_answer(&k, ans, (size_t)r, mac, (uint64_t)now, DNS_R_BADSIG);
	dns_parse(&m, ans, alen);
	is_int(tsig_check(&k, &m, mac, now, &err), TSIG_ERROR, "BADSIG seen");
	is_int(err, DNS_R_BADSIG, "error field BADSIG");
	is_str(dns_rcode_name(err), "BADSIG", "named");
	ans[11] = 0;
	is_int(dns_parse(&m, ans, (size_t)r), 0, "the answer without TSIG parses");
	is_int(tsig_check(&k, &m, mac, now, &err), TSIG_UNSIGNED,
	       "an unsigned answer is seen as such");
}

static void test_keyfile(void)
{
	static const char good[] =
		"# made by tsig-keygen\n"
		"key \"acme-key.\" {\n"
		"\talgorithm hmac-sha256;\n"
		"\tsecret \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\";\n"
		"};\n";
	struct tsig_key k;
	const char *why;
	struct port_posix pp;
	struct logger lg;
	char path[256];
	int i, same = 1;

	is_int(tsig_key_parse(good, strlen(good), &k, &why), 0, "key parses");
	is_str(k.name, "acme-key", "key name, without its final dot");
	is_int(k.secret_len, 32, "32-byte secret");
	for (i = 0; i < 32; i++)
		same &= k.secret[i] == i;
	ok(same, "secret bytes");
	is_int(tsig_key_parse("key k { algorithm hmac-md5; secret \"AA==\"; };",
	       44, &k, &why), AL_EPROTO, "hmac-md5 refused");
	is_str(why, "only algorithm hmac-sha256 is supported", "and said why");
	is_int(tsig_key_parse("key k { algorithm hmac-sha256; secret \"*\"; };",
	       45, &k, &why), AL_EPROTO, "bad base64 refused");
	is_int(tsig_key_parse("key k { algorithm hmac-sha256; secret \"AAAA\";",
	       44, &k, &why), AL_EPROTO, "unclosed refused");
	is_int(tsig_key_parse("/* x */ key k { secret \"AAAA\"; };", 33, &k,
	       &why), AL_EPROTO, "no algorithm refused");
	is_int(tsig_key_parse("/* x", 4, &k, &why), AL_EPROTO,
	       "unterminated comment refused");

	port_posix_init(&pp);
	log_init(&lg, LOG_LVL_ERR, LOG_TO_STDERR);
	if (test_dir_make("dnskey"))
		return;
	snprintf(path, sizeof(path), "%s/k.key", test_dir);
	sh("printf '%%s' '%s' > k.key && chmod 600 k.key", good);
	is_int(tsig_key_load(&pp.base, &lg, path, &k), 0, "a 0600 file loads");
	chmod(path, 0644);
	is_int(tsig_key_load(&pp.base, &lg, path, &k), AL_EINVAL,
	       "a world-readable key file is refused");
	chmod(path, 0640);
	is_int(tsig_key_load(&pp.base, &lg, path, &k), 0, "0640 is fine");
	snprintf(path, sizeof(path), "%s/none.key", test_dir);
	is_int(tsig_key_load(&pp.base, &lg, path, &k), AL_EINVAL,
	       "a missing file is refused");
	test_dir_remove();
}

int main(void)
{
	test_roundtrip();
	test_pointers();
	test_long_names();
	test_txt_long();
	test_update_bytes();
	test_garbled();
	test_tsig();
	test_keyfile();
	return tap_done();
}
