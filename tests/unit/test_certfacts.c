/* Certificate facts and PEM walking, against what openssl prints for
 * certificates it made here; and the DER walker fed every prefix of a real
 * certificate and thousands of corrupted copies (run it under ASan). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "err.h"
#include "pem.h"
#include "tap.h"
#include "testlib.h"

/* Hex digits of s (colons and spaces skipped) into out; byte count. */
static size_t unhex(const char *s, unsigned char *out, size_t cap)
{
	char hex[600];
	size_t n = 0, i;

	for (; *s && *s != '\n' && n + 1 < sizeof(hex); s++)
		if ((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F') ||
		    (*s >= 'a' && *s <= 'f'))
			hex[n++] = *s;
	hex[n] = '\0';
	if (n % 2) { /* openssl drops a leading zero nibble */
		memmove(hex + 1, hex, n + 1);
		hex[0] = '0';
		n++;
	}
	for (i = 0; i < n / 2 && i < cap; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
	return i;
}

/* Unix time of a date openssl printed, by GNU date. */
static long long unix_of(const char *printed)
{
	char line[128], out[64];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(printed, "\n"), printed);
	sh("date -u -d '%s' +%%s > d.txt", line);
	slurp("d.txt", out, sizeof(out));
	return strtoll(out, NULL, 10);
}

/* 1 when f has the SAN openssl printed as item ("DNS:x", "IP Address:y"). */
static int facts_have(const struct cert_facts *f, const char *item)
{
	unsigned char a[16], b[16];
	int i;

	for (i = 0; i < f->nnames; i++) {
		if (strncmp(item, "DNS:", 4) == 0 &&
		    strcmp(item + 4, f->names[i]) == 0)
			return 1;
		if (strncmp(item, "IP Address:", 11) != 0)
			continue;
		if (inet_pton(AF_INET, item + 11, a) == 1 &&
		    inet_pton(AF_INET, f->names[i], b) == 1 && !memcmp(a, b, 4))
			return 1;
		if (inet_pton(AF_INET6, item + 11, a) == 1 &&
		    inet_pton(AF_INET6, f->names[i], b) == 1 && !memcmp(a, b, 16))
			return 1;
	}
	return 0;
}

/* Check every SAN openssl printed is in f and the counts agree. */
static int sans_agree(const struct cert_facts *f, const char *txt)
{
	const char *p = strstr(txt, "X509v3 Subject Alternative Name:");
	char item[300];
	int n = 0, bad = 0;

	if (!p)
		return f->nnames == 0;
	p = strchr(p, '\n');
	for (p = p ? p + 1 : ""; *p == ' '; p++)
		;
	while (*p && *p != '\n') {
		size_t l = strcspn(p, ",\n");

		snprintf(item, sizeof(item), "%.*s", (int)l, p);
		if (strncmp(item, "DNS:", 4) == 0 ||
		    strncmp(item, "IP Address:", 11) == 0)
			n++;
		else
			item[0] = '\0'; /* email, URI: not ours */
		if (item[0] && !facts_have(f, item)) {
			printf("# not found: %s\n", item);
			bad++;
		}
		p += l;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return !bad && n == f->nnames;
}

static char txt[100000];

/* Compare cert_facts_pem of file name with openssl's view of it. */
static void agree(const char *name, const char *what, struct cert_facts *f)
{
	static char pem[200000];
	unsigned char want[64];
	const char *p;
	long n = slurp(name, pem, sizeof(pem));
	size_t wl;

	is_int(cert_facts_pem(pem, n > 0 ? (size_t)n : 0, f), AL_OK,
	       "%s: cert_facts_pem", what);
	sh("openssl x509 -in %s -noout -serial -dates "
	   "-ext subjectAltName,authorityKeyIdentifier > o.txt", name);
	slurp("o.txt", txt, sizeof(txt));
	p = strstr(txt, "serial=");
	wl = p ? unhex(p + 7, want + 1, sizeof(want) - 1) : 0;
	want[0] = 0;
	/* DER adds a zero byte when the top bit of the value is set. */
	ok(wl && ((want[1] & 0x80) ? f->serial_len == wl + 1 &&
	          !memcmp(f->serial, want, wl + 1) :
	          f->serial_len == wl && !memcmp(f->serial, want + 1, wl)),
	   "%s: serial content bytes", what);
	p = strstr(txt, "notBefore=");
	is_int(f->not_before, p ? unix_of(p + 10) : -1, "%s: notBefore", what);
	p = strstr(txt, "notAfter=");
	is_int(f->not_after, p ? unix_of(p + 9) : -1, "%s: notAfter", what);
	ok(sans_agree(f, txt), "%s: SANs", what);
	p = strstr(txt, "X509v3 Authority Key Identifier:");
	if (p) {
		p = strchr(p, '\n');
		if (p && strstr(p, "keyid:") == p + 5)
			p += 6;
		wl = p ? unhex(p + 1, want, sizeof(want)) : 0;
		ok(wl && f->aki_len == wl && !memcmp(f->aki, want, wl),
		   "%s: AKI keyid", what);
	} else {
		is_int(f->aki_len, 0, "%s: no AKI", what);
	}
}

/* The certificates this test reads. */
static void make_certs(void)
{
	int i, rc = 0;
	FILE *f;
	char path[256];

	rc |= sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
	         " -nodes -keyout ca.key -out ca.pem -subj /CN=ca -days 30");
	rc |= sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
	         " -nodes -keyout int.key -out int.csr -subj /CN=int");
	rc |= sh("printf 'basicConstraints=critical,CA:TRUE\\n"
	         "subjectKeyIdentifier=hash\\nauthorityKeyIdentifier=keyid\\n' > int.ext"
	         " && openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key"
	         " -set_serial 2 -days 30 -extfile int.ext -out int.pem");
	rc |= sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
	         " -nodes -keyout leaf.key -out leaf.csr -subj /CN=leaf");
	rc |= sh("printf 'subjectAltName=DNS:a.example,DNS:B.example,"
	         "DNS:*.wild.example,IP:192.0.2.1,IP:2001:db8::1,"
	         "email:x@example.com,URI:https://u.example/\\n"
	         "authorityKeyIdentifier=keyid\\n' > leaf.ext"
	         " && openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key"
	         " -set_serial 0x80112233445566778899 -days 40000"
	         " -extfile leaf.ext -out leaf.pem");
	rc |= sh("printf 'subjectAltName=DNS:z.example\\n' > z.ext"
	         " && openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key"
	         " -set_serial 0x00ff12 -days 90 -extfile z.ext -out ff.pem");
	rc |= sh("openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key"
	         " -set_serial 0x7f01 -days 1 -out small.pem");
	/* 100 and 101 names. */
	for (i = 100; i <= 101; i++) {
		int j;

		snprintf(path, sizeof(path), "%s/san%d.ext", test_dir, i);
		f = fopen(path, "w");
		if (!f)
			break;
		fprintf(f, "subjectAltName=");
		for (j = 0; j < i; j++)
			fprintf(f, "%sDNS:n%d.example.com", j ? "," : "", j);
		fprintf(f, "\n");
		fclose(f);
		rc |= sh("openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key"
		         " -set_serial %d -days 9 -extfile san%d.ext -out san%d.pem",
		         i, i, i);
	}
	/* Dates picked through openssl ca: the UTCTime/GeneralizedTime edges. */
	rc |= sh("printf '[ca]\\ndefault_ca=c\\n[c]\\ndatabase=./index.txt\\n"
	         "new_certs_dir=.\\nserial=./serial\\ndefault_md=sha256\\n"
	         "policy=p\\nunique_subject=no\\n[p]\\ncommonName=supplied\\n'"
	         " > ca.cnf && : > index.txt && echo 0100 > serial");
	rc |= sh("openssl ca -config ca.cnf -batch -notext -cert ca.pem -keyfile"
	         " ca.key -in leaf.csr -out d1.pem -startdate 500101000000Z"
	         " -enddate 20500101000000Z");
	rc |= sh("openssl ca -config ca.cnf -batch -notext -cert ca.pem -keyfile"
	         " ca.key -in leaf.csr -out d2.pem -startdate 20000229235959Z"
	         " -enddate 491231235959Z");
	rc |= sh("openssl ca -config ca.cnf -batch -notext -cert ca.pem -keyfile"
	         " ca.key -in leaf.csr -out d3.pem -startdate 19991231235959Z"
	         " -enddate 99991231235959Z");
	rc |= sh("cat leaf.pem leaf.key int.pem ca.pem > chain.pem");
	rc |= sh("openssl x509 -in leaf.pem -outform DER -out leaf.der"
	         " && openssl x509 -in int.pem -outform DER -out int.der"
	         " && openssl x509 -in ca.pem -outform DER -out ca.der");
	is_int(rc, 0, "openssl made the test certificates");
}

static void facts(void)
{
	static struct cert_facts f;
	static const char *const files[] = {
		"leaf.pem", "ff.pem", "small.pem", "int.pem", "ca.pem",
		"san100.pem", "d1.pem", "d2.pem", "d3.pem",
	};
	static const unsigned char ff[] = { 0x00, 0xff, 0x12 };
	char pem[200000];
	size_t i;
	long n;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		agree(files[i], files[i], &f);
	agree("d1.pem", "1950/2050 by value", &f);
	ok(f.not_before == -631152000LL && f.not_after == 2524608000LL,
	   "UTCTime 1950-01-01 and GeneralizedTime 2050-01-01 (known values)");
	agree("ff.pem", "leading 0x00 kept", &f);
	ok(f.serial_len == 3 && memcmp(f.serial, ff, 3) == 0,
	   "serial 0x00ff12 is 00 ff 12");
	agree("san100.pem", "100 names", &f);
	is_int(f.nnames, 100, "100 SANs");
	n = slurp("san101.pem", pem, sizeof(pem));
	is_int(cert_facts_pem(pem, (size_t)n, &f), AL_E2BIG,
	       "101 SANs: AL_E2BIG (CERT_NAMES_MAX)");
	agree("leaf.pem", "leaf", &f);
	is_int(f.nnames, 5, "email and URI SANs ignored");
	n = slurp("chain.pem", pem, sizeof(pem));
	{
		struct cert_facts g;

		cert_facts_pem(pem, (size_t)n, &g);
		ok(g.serial_len == f.serial_len && g.not_after == f.not_after &&
		   !memcmp(g.serial, f.serial, f.serial_len),
		   "cert_facts_pem of a chain reads its first certificate");
	}
	is_int(cert_facts_pem("no pem here", 11, &f), AL_EPROTO,
	       "no certificate: AL_EPROTO");
}

static void covers(void)
{
	static struct cert_facts f;
	char pem[8192];
	long n = slurp("leaf.pem", pem, sizeof(pem));
	const char *yes1[] = { "a.example" };
	const char *yes2[] = { "A.EXAMPLE", "b.example", "x.wild.example",
	                       "*.wild.example", "192.0.2.1", "2001:DB8:0::1" };
	const char *no[] = { "wild.example", "x.y.wild.example", "c.example",
	                     "192.0.2.2", "2001:db8::2", "example", "*.example",
	                     ".wild.example" };
	const char *mix[] = { "a.example", "c.example" };
	size_t i;

	cert_facts_pem(pem, (size_t)n, &f);
	is_int(cert_covers(&f, yes1, 1), 1, "covers a name");
	is_int(cert_covers(&f, yes2, 6), 1,
	       "covers case-insensitively, by wildcard, and IPs by value");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		is_int(cert_covers(&f, &no[i], 1), 0, "does not cover %s", no[i]);
	is_int(cert_covers(&f, mix, 2), 0, "one uncovered name is enough");
}

/* The walker on every prefix, on corrupted copies, on crafted lengths. */
static void garbage(void)
{
	static struct cert_facts f;
	static const unsigned char crafted[][8] = {
		{ 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 },
		{ 0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00 },
		{ 0x3f, 0x81, 0x01, 0x06, 0x30, 0x04, 0x02, 0x00 },
		{ 0x30, 0x06, 0x30, 0x04, 0x30, 0x82, 0xff, 0xff },
		{ 0x30, 0x06, 0x30, 0x04, 0xa0, 0x02, 0x02, 0x01 },
	};
	unsigned char der[4096], copy[4097];
	long n = slurp("leaf.der", der, sizeof(der));
	unsigned seed = 1;
	size_t i, len = n > 0 ? (size_t)n : 0;
	int bad = 0, okays = 0, k;

	is_int(cert_facts_der(der, len, &f), AL_OK, "leaf DER parses");
	for (i = 0; i < len; i++)
		if (cert_facts_der(der, i, &f) != AL_EPROTO)
			bad++;
	is_int(bad, 0, "every one of the %zu prefixes: AL_EPROTO", len);
	memcpy(copy, der, len);
	copy[len] = 0;
	is_int(cert_facts_der(copy, len + 1, &f), AL_EPROTO,
	       "trailing byte: AL_EPROTO");
	bad = 0;
	for (k = 0; k < 20000; k++) {
		int flips = 1 + k % 3, j, rc;

		memcpy(copy, der, len);
		for (j = 0; j < flips; j++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] ^= (unsigned char)(1 + (seed >> 24) % 255);
		}
		rc = cert_facts_der(copy, len, &f);
		if (rc == AL_OK) {
			okays++;
			for (j = 0; j < f.nnames; j++)
				if (strlen(f.names[j]) >= CERT_NAME_LEN)
					bad++;
		} else if (rc != AL_EPROTO && rc != AL_E2BIG) {
			bad++;
		}
	}
	is_int(bad, 0, "20000 corrupted copies: no crash, only OK or "
	       "AL_EPROTO (%d still parsed)", okays);
	bad = 0;
	for (i = 0; i < sizeof(crafted) / sizeof(crafted[0]); i++)
		if (cert_facts_der(crafted[i], sizeof(crafted[i]), &f) != AL_EPROTO)
			bad++;
	is_int(bad, 0, "crafted lengths and tags: AL_EPROTO");
	is_int(cert_facts_der(NULL, 0, &f), AL_EPROTO, "empty: AL_EPROTO");
}

/* Walk chain.pem object by object, compare with openssl's DER. */
static void pem_walk(void)
{
	static char pem[200000];
	static const char *const ders[] = { "leaf.der", "int.der", "ca.der" };
	unsigned char der[4096], want[4096];
	char label[32];
	size_t off = 0, dl = 0, end = 0, len;
	long n = slurp("chain.pem", pem, sizeof(pem));
	int i, rc;

	len = n > 0 ? (size_t)n : 0;
	is_int(pem_count_certs(pem, len), 3, "chain: 3 certificates");
	for (i = 0; i < 3; i++) {
		long wl = slurp(ders[i], want, sizeof(want));

		rc = pem_decode_next(pem + off, len - off, "CERTIFICATE", der,
		                     sizeof(der), &dl, &end, label, sizeof(label));
		ok(rc == AL_OK && (long)dl == wl && !memcmp(der, want, dl) &&
		   strcmp(label, "CERTIFICATE") == 0,
		   "chain object %d equals openssl's DER", i);
		off += end;
	}
	is_int(pem_decode_next(pem + off, len - off, "CERTIFICATE", der,
	                       sizeof(der), &dl, &end, NULL, 0), AL_ENOENT,
	       "then AL_ENOENT");
	off = 0;
	pem_decode_next(pem, len, NULL, der, sizeof(der), &dl, &end, label,
	                sizeof(label));
	off = end;
	rc = pem_decode_next(pem + off, len - off, NULL, der, sizeof(der), &dl,
	                     &end, label, sizeof(label));
	ok(rc == AL_OK && strcmp(label, "PRIVATE KEY") == 0,
	   "label NULL finds the key block and names it");
	is_int(pem_decode_next(pem + off, len - off, NULL, der, sizeof(der), &dl,
	                       &end, label, 5), AL_E2BIG, "label_out too small");
	is_int(pem_decode_next(pem, len, "CERTIFICATE", der, 100, &dl, &end,
	                       NULL, 0), AL_E2BIG, "der too small: AL_E2BIG");
	len--; /* no newline after the last END line */
	is_int(pem_count_certs(pem, len), 3, "no final newline: still 3");
	is_int(pem_count_certs(pem, len - 100), -1, "truncated chain: -1");
	is_int(pem_count_certs("", 0), 0, "empty text: 0");
	is_int(pem_count_certs("hello\n", 6), 0, "no PEM: 0");
	is_int(pem_count_certs("-----BEGIN CERTIFICATE-----\nMII!\n"
	                       "-----END CERTIFICATE-----\n", 60), -1,
	       "bad base64: -1");
	sh("sed 's/$/\\r/' chain.pem > crlf.pem");
	n = slurp("crlf.pem", pem, sizeof(pem));
	is_int(pem_count_certs(pem, (size_t)n), 3, "CRLF lines: 3");
}

static void pem_enc(void)
{
	unsigned char der[4096], back[4096];
	char pem[8192];
	long n = slurp("leaf.der", der, sizeof(der)), bl;
	size_t pl = 0;
	FILE *f;
	char path[256];

	is_int(pem_encode(der, (size_t)n, "CERTIFICATE", pem, sizeof(pem), &pl),
	       AL_OK, "pem_encode");
	ok(pl == strlen(pem), "pem_encode length");
	snprintf(path, sizeof(path), "%s/enc.pem", test_dir);
	f = fopen(path, "w");
	if (f) {
		fputs(pem, f);
		fclose(f);
	}
	sh("openssl x509 -in enc.pem -outform DER -out enc.der");
	bl = slurp("enc.der", back, sizeof(back));
	ok(bl == n && memcmp(back, der, (size_t)n) == 0,
	   "openssl reads our PEM back to the same DER");
	is_int(pem_encode(der, (size_t)n, "CERTIFICATE", pem, pl, &pl), AL_E2BIG,
	       "pem_encode: no room for NUL");
}

int main(void)
{
	if (test_dir_make("test_certfacts") != 0)
		return 1;
	make_certs();
	facts();
	covers();
	garbage();
	pem_walk();
	pem_enc();
	test_dir_remove();
	return tap_done();
}
