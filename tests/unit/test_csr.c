/* CSR: openssl verifies the self-signature, shows every name, the CN and
 * our public key, for 1, 3 and 100 names and both curves. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "der.h"
#include "err.h"
#include "port.h"
#include "tap.h"
#include "testlib.h"

/* 1 when the SAN list printed by openssl (text) holds name. */
static int san_has(const char *text, const char *name)
{
	unsigned char a[16], b[16];
	char item[300];
	const char *p = strstr(text, "X509v3 Subject Alternative Name:");
	int fam = strchr(name, ':') ? AF_INET6 : AF_INET;
	int isip = inet_pton(fam, name, a) == 1;

	if (!p || !(p = strchr(p, '\n')))
		return 0;
	for (p++; *p == ' '; p++)
		;
	while (*p && *p != '\n') {
		size_t n = strcspn(p, ",\n");

		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		if (isip && strncmp(item, "IP Address:", 11) == 0 &&
		    inet_pton(fam, item + 11, b) == 1 &&
		    memcmp(a, b, fam == AF_INET ? 4 : 16) == 0)
			return 1;
		if (!isip && strncmp(item, "DNS:", 4) == 0 &&
		    strcmp(item + 4, name) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Number of entries of the SAN list printed by openssl. */
static int san_count(const char *text)
{
	const char *p = strstr(text, "X509v3 Subject Alternative Name:");
	int n = 1;

	if (!p || !(p = strchr(p, '\n')))
		return 0;
	for (p++; *p && *p != '\n'; p++)
		n += *p == ',';
	return n;
}

static unsigned char der[65536];
static char text[200000];

/* 1 when spki is the SubjectPublicKeyInfo openssl derives from the PEM
 * of k (for RSA keys). */
static int same_spki_as_key(const struct key *k, const unsigned char *spki,
                            long sl)
{
	static char pem[8192];
	unsigned char ref[1024];
	size_t plen = 0;
	long rl;

	if (key_to_pem(k, pem, sizeof(pem), &plen) != AL_OK)
		return 0;
	spit("k.pem", pem, plen);
	sh("openssl pkey -in k.pem -pubout -outform DER -out kp.der");
	rl = slurp("kp.der", ref, sizeof(ref));
	return rl > 0 && rl == sl && memcmp(ref, spki, (size_t)rl) == 0;
}

/* Build a CSR and check it with openssl. */
static void check(const struct key *k, const char *const *names, int n,
                  const char *what)
{
	unsigned char spki[1024];
	size_t len = 0;
	long sl;
	int i, missing = 0;
	char subj[400];

	is_int(csr_build(k, names, n, der, sizeof(der), &len), AL_OK,
	       "%s: csr_build", what);
	spit("r.der", der, len);
	is_int(sh("openssl req -inform DER -in r.der -verify -noout"), 0,
	       "%s: openssl verifies the CSR", what);
	sh("openssl req -inform DER -in r.der -noout -text > r.txt");
	slurp("r.txt", text, sizeof(text));
	for (i = 0; i < n; i++)
		if (!san_has(text, names[i])) {
			missing++;
			printf("# missing %s\n", names[i]);
		}
	is_int(missing, 0, "%s: openssl shows every name in the SAN", what);
	is_int(san_count(text), n, "%s: and no other", what);
	sh("openssl req -inform DER -in r.der -noout -subject -nameopt RFC2253 > s.txt");
	slurp("s.txt", subj, sizeof(subj));
	subj[strcspn(subj, "\n")] = '\0';
	if (strlen(names[0]) <= 64) {
		char want[300];

		snprintf(want, sizeof(want), "subject=CN=%s", names[0]);
		is_str(subj, want, "%s: subject CN is the first name", what);
	} else {
		is_str(subj, "subject=", "%s: no CN for a name over 64", what);
	}
	sh("openssl req -inform DER -in r.der -pubkey -noout | "
	   "openssl pkey -pubin -outform DER -out p.der");
	sl = slurp("p.der", spki, sizeof(spki));
	if (k->type != KEY_EC256 && k->type != KEY_EC384) {
		ok(same_spki_as_key(k, spki, sl), "%s: the CSR carries our public key",
		   what);
		return;
	}
	ok(sl > (long)k->ecpub.qlen &&
	   memcmp(spki + sl - (long)k->ecpub.qlen, k->ec_q, k->ecpub.qlen) == 0,
	   "%s: the CSR carries our public key", what);
}

/* Every too-small buffer gives AL_E2BIG; the exact size gives the CSR. */
static void caps(const struct key *k, const char *const *names, int n)
{
	unsigned char ref[1024], *buf;
	size_t len = 0, l2 = 0, cap;
	int bad = 0;

	csr_build(k, names, n, ref, sizeof(ref), &len);
	for (cap = 0; cap <= len; cap++) {
		buf = malloc(cap ? cap : 1);
		if (csr_build(k, names, n, buf, cap, &l2) !=
		    (cap < len ? AL_E2BIG : AL_OK))
			bad++;
		if (cap == len && (l2 != len || memcmp(buf, ref, len) != 0))
			bad++;
		free(buf);
	}
	is_int(bad, 0, "AL_E2BIG for every cap under the length");
}

static void bad_names(const struct key *k)
{
	static const char *const bad[] = {
		"", "a..example", ".example", "example.", "a b.example",
		"*.*.example", "a.*.example", "*example.com", "*.", "ex_ample.com",
		"xn--\xc3\xa9.example", "1.2.3.4.5:6",
	};
	char long_label[80], long_name[300];
	const char *one[1];
	size_t i, len;
	int wrong = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		one[0] = bad[i];
		if (csr_build(k, one, 1, der, sizeof(der), &len) != AL_EINVAL) {
			wrong++;
			printf("# accepted '%s'\n", bad[i]);
		}
	}
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".example");
	one[0] = long_label;
	if (csr_build(k, one, 1, der, sizeof(der), &len) != AL_EINVAL)
		wrong++;
	/* Four labels of 63, 63, 63 and 62: 254 characters, one too many. */
	memset(long_name, 'a', 254);
	long_name[63] = long_name[127] = long_name[191] = '.';
	long_name[254] = '\0';
	one[0] = long_name;
	if (csr_build(k, one, 1, der, sizeof(der), &len) != AL_EINVAL)
		wrong++;
	long_name[253] = '\0';
	is_int(csr_build(k, one, 1, der, sizeof(der), &len), AL_OK,
	       "a 253-character name is fine");
	is_int(wrong, 0, "bad names give AL_EINVAL");
	one[0] = "a.example";
	is_int(csr_build(k, one, 0, der, sizeof(der), &len), AL_EINVAL,
	       "no names: AL_EINVAL");
	is_int(csr_build(k, one, CERT_NAMES_MAX + 1, der, sizeof(der), &len),
	       AL_EINVAL, "more than CERT_NAMES_MAX names: AL_EINVAL");
}

int main(void)
{
	static char hundred[100][64];
	static const char *h[100];
	struct port p = { &tp_ops };
	const char *one[] = { "www.example.com" };
	const char *three[] = { "example.com", "*.example.org", "192.0.2.7" };
	const char *mixed[] = { "2001:db8::1", "Mixed-Case.Example.NET",
	                        "::ffff:192.0.2.1" };
	const char *longcn[] = { "a-rather-long-host-name-that-is-over-sixty"
	                         "-four-characters.example.com", "b.example" };
	static struct key k, k384, krsa;
	struct rng r;
	int i;

	if (test_dir_make("test_csr") != 0)
		return 1;
	ok(rng_init(&r, &p) == AL_OK && key_generate(&k, KEY_EC256, &r) == AL_OK &&
	   key_generate(&k384, KEY_EC384, &r) == AL_OK, "keys");
	check(&k, one, 1, "1 name");
	check(&k, three, 3, "3 names");
	for (i = 0; i < 100; i++) {
		if (i % 10 == 3)
			snprintf(hundred[i], 64, "198.51.100.%d", i);
		else if (i % 10 == 7)
			snprintf(hundred[i], 64, "2001:db8:%x::%x", i, i * 7);
		else
			snprintf(hundred[i], 64, "host-%03d.sub%d.example.com", i,
			         i % 4);
		h[i] = hundred[i];
	}
	check(&k, h, 100, "100 names");
	check(&k, mixed, 3, "IPv6 first, mixed case");
	check(&k, longcn, 2, "first name over 64");
	check(&k384, three, 3, "P-384");
	/* Only a build without KEY_RSA may skip; in one with it, a failed
	 * key generation is a failure. */
	if (key_type_built(KEY_RSA2048)) {
		ok(key_generate(&krsa, KEY_RSA2048, &r) == AL_OK,
		   "RSA-2048 key generated");
		check(&krsa, three, 3, "RSA-2048");
		check(&krsa, h, 100, "RSA-2048, 100 names");
	} else {
		for (i = 0; i < 13; i++)
			printf("ok %d # skip this build has no RSA keys (Kconfig "
			       "KEY_RSA is off)\n", ++tap_n);
	}
	caps(&k, three, 3);
	bad_names(&k);
	test_dir_remove();
	return tap_done();
}
