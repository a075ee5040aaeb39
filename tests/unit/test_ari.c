/* ari.c: the RFC 9773 certificate identifier, checked against the RFC's own
 * example and against identifiers built from openssl's view of certificates
 * made here; and ari_fetch against a scripted HTTPS endpoint
 * (ari_server.py beside this file). Pebble 2.4 has no renewalInfo in its
 * directory, so the integration tests cannot exercise ARI: this endpoint
 * stands in for a CA that has it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acme.h"
#include "ari.h"
#include "der.h"
#include "err.h"
#include "http/http.h"
#include "log.h"
#include "port_posix.h"
#include "tap.h"
#include "testlib.h"

/* RFC 9773 Appendix A; §4.1 gives its identifier. */
static const char rfc_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt\n"
	"cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS\n"
	"BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu\n"
	"7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf\n"
	"qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B\n"
	"yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb\n"
	"+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK\n"
	"-----END CERTIFICATE-----\n";
static const char rfc_id[] = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

/* CA, then leaves signed by it: "top" has a serial with the top bit set
 * (DER adds a 00 byte) and serves HTTPS for 127.0.0.1; "low" has a small
 * serial; "noaki" has no authorityKeyIdentifier. */
static const char make_certs[] =
	"set -e; cd \"$1\"\n"
	"key() { openssl genpkey -algorithm EC "
	"-pkeyopt ec_paramgen_curve:P-256 -out \"$1\" 2>/dev/null; }\n"
	"key ca.key\n"
	"openssl req -x509 -new -key ca.key -subj '/CN=acmelet ARI test CA' "
	"-days 2 -addext basicConstraints=critical,CA:TRUE "
	"-addext keyUsage=critical,keyCertSign -out ca.pem 2>/dev/null\n"
	"leaf() {\n"
	" key $1.key\n"
	" openssl req -new -key $1.key -subj /CN=$1 -out $1.csr 2>/dev/null\n"
	" printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n"
	"basicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n%b' \"$3\" "
	"> $1.ext\n"
	" openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key "
	"-set_serial $2 -days 2 -extfile $1.ext -out $1.pem 2>/dev/null\n"
	"}\n"
	"leaf top 0x87654321aabbccddeeff ''\n"
	"leaf low 0x0a0b0c ''\n"
	"leaf noaki 0x1234 'authorityKeyIdentifier=none\\n"
	"subjectKeyIdentifier=none\\n'\n";

/* The identifier from openssl's printout of cert $1: AKI key id bytes, and
 * the serial as DER INTEGER content (even length, 00 before a top bit). */
static const char openssl_id[] =
	"c=$1\n"
	"aki=$(openssl x509 -in $c -noout -ext authorityKeyIdentifier | "
	"sed -n 2p | sed 's/keyid://; s/[^0-9A-Fa-f]//g')\n"
	"ser=$(openssl x509 -in $c -noout -serial | sed 's/^serial=//')\n"
	"[ $((${#ser} % 2)) = 1 ] && ser=0$ser\n"
	"case $ser in [89A-Fa-f]*) ser=00$ser;; esac\n"
	"b64() { xxd -r -p | basenc --base64url | tr -d '=\\n'; }\n"
	"[ -n \"$aki\" ] || exit 1\n"
	"printf '%s.%s' \"$(echo $aki | b64)\" \"$(echo $ser | b64)\"\n";

struct env {
	char dir[64];
	char path[160];
	char base[64];          /* https://127.0.0.1:PORT */
	int port;
	pid_t server;
	struct logger log;
	struct port_posix pp;
	struct http *http;
	struct acme acme;
};

static const char *in_dir(struct env *e, const char *name)
{
	snprintf(e->path, sizeof(e->path), "%s/%s", e->dir, name);
	return e->path;
}

/* Run script (written to a file in the test directory) with $1 = arg;
 * the first line of its output into out. 0 when it exited with 0. */
static int run_sh(struct env *e, const char *script, const char *arg,
                  char *out, size_t cap)
{
	char cmd[512], file[160];
	FILE *p;

	snprintf(file, sizeof(file), "%s/script.sh", e->dir);
	p = fopen(file, "w");
	if (p == NULL)
		return -1;
	fputs(script, p);
	if (fclose(p) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s'", file, arg);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	if (out) {
		out[0] = '\0';
		if (fgets(out, (int)cap, p))
			out[strcspn(out, "\n")] = '\0';
	}
	return pclose(p) == 0 ? 0 : -1;
}

static int facts_of_file(const char *path, struct cert_facts *f)
{
	static char pem[8192];
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
	n = fread(pem, 1, sizeof(pem), fp);
	fclose(fp);
	return cert_facts_pem(pem, n, f);
}

static void test_cert_id(struct env *e)
{
	static const char *const leaves[] = { "top.pem", "low.pem" };
	static struct cert_facts f;
	char id[160], want[160], path[160];
	size_t i;

	is_int(cert_facts_pem(rfc_cert, sizeof(rfc_cert) - 1, &f), 0,
	       "RFC 9773 example certificate parses");
	is_int(ari_cert_id(&f, id, sizeof(id)), 0, "its identifier");
	is_str(id, rfc_id, "is the one RFC 9773 §4.1 gives");
	is_int(ari_cert_id(&f, id, strlen(rfc_id) + 1), 0, "exact fit");
	is_int(ari_cert_id(&f, id, strlen(rfc_id)), AL_E2BIG, "one byte short");

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		snprintf(path, sizeof(path), "%s", in_dir(e, leaves[i]));
		is_int(facts_of_file(path, &f), 0, "%s parses", leaves[i]);
		is_int(run_sh(e, openssl_id, path, want, sizeof(want)), 0,
		       "openssl view of %s", leaves[i]);
		is_int(ari_cert_id(&f, id, sizeof(id)), 0, "%s identifier",
		       leaves[i]);
		is_str(id, want, "%s matches openssl's AKI and serial", leaves[i]);
	}
	ok(strstr(want, ".CgsM") != NULL, "low serial has no 00 byte (%s)",
	   want);
	facts_of_file(in_dir(e, "top.pem"), &f);
	ari_cert_id(&f, id, sizeof(id));
	ok(strstr(id, ".AIdlQyGqu8zd7v8") != NULL,
	   "top-bit serial keeps its 00 byte (%s)", id);

	is_int(facts_of_file(in_dir(e, "noaki.pem"), &f), 0, "noaki.pem parses");
	is_int(f.aki_len, 0, "noaki.pem has no AKI");
	is_int(ari_cert_id(&f, id, sizeof(id)), AL_EINVAL, "no AKI: AL_EINVAL");
	is_int(ari_cert_id(NULL, id, sizeof(id)), AL_EINVAL, "NULL facts");
}

static int start_server(struct env *e)
{
	char cert[160], key[160], portfile[160];

	snprintf(cert, sizeof(cert), "%s/top.pem", e->dir);
	snprintf(key, sizeof(key), "%s/top.key", e->dir);
	snprintf(portfile, sizeof(portfile), "%s/port", e->dir);
	e->port = start_py_server("ari_server.py", cert, key, portfile,
	                          &e->server);
	snprintf(e->base, sizeof(e->base), "https://127.0.0.1:%d", e->port);
	return e->port > 0 ? 0 : -1;
}

/* The server's count of renewal-info requests and the last one's
 * "METHOD path", fetched through a buffer of our own. */
static int server_stats(struct env *e, char *last, size_t cap)
{
	static struct http_response r;
	static unsigned char buf[1024];
	char url[128], method[16], path[512];
	int count = -1;

	snprintf(url, sizeof(url), "%s/stats", e->base);
	r.body = buf;
	r.body_cap = sizeof(buf);
	if (http_request(e->http, "GET", url, NULL, NULL, 0, &r) != 0 ||
	    sscanf((char *)buf, "%d %15s %511s", &count, method, path) != 3)
		return -1;
	snprintf(last, cap, "%s %s", method, path);
	return count;
}

/* One ari_fetch against case c of the scripted endpoint. */
static int fetch(struct env *e, const char *c, const struct cert_facts *f,
                 int64_t now, struct ari_window *w)
{
	snprintf(e->acme.dir.renewal_info, sizeof(e->acme.dir.renewal_info),
	         "%s/ri-%s", e->base, c);
	return ari_fetch(&e->acme, f, now, w);
}

/* Run fetch with stderr in a file; the number of error lines naming the
 * request's URL, or -1 when another line was logged. */
static int fetch_logged(struct env *e, const char *c,
                        const struct cert_facts *f, struct ari_window *w,
                        int *rc)
{
	char url[256], line[1024];
	int saved, lines = 0, others = 0;
	FILE *tmp = tmpfile();

	if (tmp == NULL)
		return -2;
	snprintf(url, sizeof(url), "%s/ri-%s/%s", e->base, c, rfc_id);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(tmp), 2);
	*rc = fetch(e, c, f, time(NULL), w);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		fputs("# ", stdout);
		fputs(line, stdout);
		if (strncmp(line, "acmelet: error: ", 16) == 0 &&
		    strstr(line, url) != NULL)
			lines++;
		else
			others++;
	}
	fclose(tmp);
	return others ? -1 : lines;
}

static void test_window(struct env *e, const struct cert_facts *f)
{
	static const struct { const char *c; int64_t want; } ra[] = {
		{ "ra5", 60 }, { "ra864000", 86400 }, { "ra3600", 3600 },
		{ "ra0", 60 }, { "ok", 21600 }, { "junk", 21600 },
		{ "ra99999999999999999999", 86400 },
	};
	struct ari_window w;
	char last[600], want[600];
	int64_t now = time(NULL);
	int before, after;
	size_t i;

	before = server_stats(e, last, sizeof(last));
	is_int(fetch(e, "ok", f, now, &w), 0, "fetch a window");
	after = server_stats(e, last, sizeof(last));
	is_int(after - before, 1, "exactly one request");
	snprintf(want, sizeof(want), "GET /ri-ok/%s", rfc_id);
	is_str(last, want, "GET renewalInfo/<exact cert id>");
	/* 2025-01-02T04:00:00Z and 2025-01-03T06:00:00.123+02:00. */
	is_int(w.start, 1735790400, "window start");
	is_int(w.end, 1735790400 + 86400, "window end, offset applied");
	is_str(w.explanation, "https://acme.example/docs/ari", "explanationURL");

	for (i = 0; i < sizeof(ra) / sizeof(ra[0]); i++) {
		is_int(fetch(e, ra[i].c, f, now, &w), 0, "%s: fetched", ra[i].c);
		is_int(w.retry_after, ra[i].want, "%s: Retry-After -> %lld s",
		       ra[i].c, (long long)ra[i].want);
	}
	is_int(fetch(e, "date7200", f, time(NULL), &w), 0, "HTTP-date fetched");
	ok(w.retry_after >= 7200 - 5 && w.retry_after <= 7200 + 5,
	   "HTTP-date two hours ahead -> about 7200 s (%lld)",
	   (long long)w.retry_after);
	is_int(fetch(e, "date-600", f, time(NULL), &w), 0, "past date fetched");
	is_int(w.retry_after, 60, "past HTTP-date -> 1 min");

	snprintf(e->acme.dir.renewal_info, sizeof(e->acme.dir.renewal_info),
	         "%s/ri-ok/", e->base);
	is_int(ari_fetch(&e->acme, f, now, &w), 0, "renewalInfo ending in /");
	server_stats(e, last, sizeof(last));
	is_str(last, want, "no doubled slash");
}

static void test_failures(struct env *e, const struct cert_facts *f)
{
	static const char *const cases[] = {
		"nf", "nfwindow", "bad", "inverted", "empty", "nowindow", "badtime",
	};
	static struct cert_facts noaki;
	struct ari_window w;
	char last[600];
	int before, after, rc = 0, lines;
	size_t i;

	e->log.level = LOG_LVL_ERR;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&w, 0x55, sizeof(w));
		lines = fetch_logged(e, cases[i], f, &w, &rc);
		is_int(rc, AL_EPROTO, "%s: AL_EPROTO", cases[i]);
		is_int(lines, 1, "%s: one error line naming the URL", cases[i]);
		ok(w.start == 0 && w.end == 0 && w.retry_after == 0 &&
		   w.explanation[0] == '\0', "%s: window left empty", cases[i]);
	}
	e->log.level = LOG_LVL_DEBUG;

	before = server_stats(e, last, sizeof(last));
	e->acme.dir.renewal_info[0] = '\0';
	is_int(ari_fetch(&e->acme, f, time(NULL), &w), AL_ENOENT,
	       "no renewalInfo in the directory: AL_ENOENT");
	memcpy(&noaki, f, sizeof(noaki));
	noaki.aki_len = 0;
	is_int(fetch(e, "ok", &noaki, time(NULL), &w), AL_EINVAL,
	       "certificate without AKI: AL_EINVAL");
	after = server_stats(e, last, sizeof(last));
	is_int(after - before, 0, "neither sent a request");
}

static int setup(struct env *e)
{
	struct http_opts o = { NULL, 10, "acmelet-test/1", &e->log,
	                       &e->pp.base, NULL };

	snprintf(e->dir, sizeof(e->dir), "/tmp/acmelet-ari-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	e->log.level = LOG_LVL_DEBUG;
	e->log.use_syslog = 0;
	port_posix_init(&e->pp);
	if (run_sh(e, make_certs, e->dir, NULL, 0) != 0 || start_server(e) != 0)
		return -1;
	o.ca_file = in_dir(e, "ca.pem");
	if (http_open(&e->http, &o) != 0)
		return -1;
	acme_init(&e->acme, e->http, &e->log);
	return 0;
}

static void teardown(struct env *e)
{
	char cmd[128];

	http_close(e->http);
	stop_server(e->server);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (strncmp(e->dir, "/tmp/acmelet-ari-", 17) == 0 && system(cmd) != 0)
		printf("# could not remove %s\n", e->dir);
}

int main(void)
{
	static struct env e;
	static struct cert_facts rfc;

	if (setup(&e) != 0) {
		ok(0, "set up certificates and the ARI endpoint");
		teardown(&e);
		return tap_done();
	}
	test_cert_id(&e);
	cert_facts_pem(rfc_cert, sizeof(rfc_cert) - 1, &rfc);
	test_window(&e, &rfc);
	test_failures(&e, &rfc);
	teardown(&e);
	return tap_done();
}
