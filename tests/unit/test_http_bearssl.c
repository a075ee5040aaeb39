/* http_bearssl.c and trust.c over real sockets and real TLS: a local HTTPS
 * server (https_bearssl_server.py) presenting P-256 certificates made here
 * by openssl (https_bearssl_certs.sh), and Pebble when it is installed. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "http/http.h"
#include "log.h"
#include "port.h"
#include "tap.h"
#include "http/trust.h"

enum { L_GOOD, L_OTHER, L_UNKNOWN, L_DNSIP, L_EXPIRED, L_GOOD6, L_N };

struct env {
	char dir[64];
	char here[256];          /* directory of this file */
	int port[L_N];           /* 0: listener not started */
	pid_t server;
	int server_in;           /* closing it stops the server */
	struct logger log;
};

/* A port with a real clock that tests can move or mistrust. */
struct tport {
	struct port base;
	int trusted;
	int64_t wall;            /* 0: the real wall clock */
};

static int64_t tp_wall(struct port *p)
{
	struct tport *t = (struct tport *)p;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return t->wall ? t->wall : (int64_t)ts.tv_sec;
}

static int64_t tp_mono(struct port *p)
{
	struct timespec ts;

	(void)p;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int tp_trusted(struct port *p)
{
	return ((struct tport *)p)->trusted;
}

static int tp_entropy(struct port *p, void *buf, size_t len)
{
	(void)p;
	return getentropy(buf, len) == 0 ? 0 : AL_EUNSEEDED;
}

static const struct port_ops tp_ops = {
	.wall_time = tp_wall, .mono_ms = tp_mono, .wall_trusted = tp_trusted,
	.entropy = tp_entropy,
};

static struct tport tp_real(void)
{
	struct tport t = { { &tp_ops }, 1, 0 };
	return t;
}

static void path(const struct env *e, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", e->dir, name);
}

static struct http *mk(struct env *e, const char *ca_name, int timeout,
                       struct tport *tp)
{
	char ca[128];
	struct http_opts o = { NULL, timeout, "acmelet-test/1", &e->log,
	                       &tp->base, NULL };
	struct http *h = NULL;

	if (ca_name) {
		path(e, ca_name, ca, sizeof(ca));
		o.ca_file = ca;
	}
	if (http_open(&h, &o) != 0)
		return NULL;
	return h;
}

static int get(struct http *h, const char *method, const char *url,
               struct http_response *r, unsigned char *buf, size_t cap)
{
	memset(r, 0x55, sizeof(*r));
	r->body = buf;
	r->body_cap = cap;
	return http_request(h, method, url, NULL, NULL, 0, r);
}

static void url(char *out, size_t cap, const char *host, int port,
                const char *p)
{
	snprintf(out, cap, "https://%s:%d%s", host, port, p);
}

static int64_t now_ms(void)
{
	return tp_mono(NULL);
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static size_t read_all(const char *file, unsigned char *buf, size_t cap)
{
	FILE *f = fopen(file, "rb");
	size_t n = f ? fread(buf, 1, cap, f) : 0;

	if (f)
		fclose(f);
	return n;
}

/* ---- set-up ---- */

static int ipv6_ok(void)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), rc;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc == 0;
}

/* A free loopback port (bound then released). */
static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &sl) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int start_server(struct env *e)
{
	static const char *const names[L_N] = { "good", "other", "unknown",
	                                        "dnsip", "expired", "good" };
	char script[300], files[L_N][2][128], line[256];
	char *argv[3 + 3 * L_N + 1];
	int in[2], out[2], n = 0, i, k;
	struct pollfd pfd;
	ssize_t got = 0, r;

	snprintf(script, sizeof(script), "%s/https_bearssl_server.py", e->here);
	argv[n++] = "python3";
	argv[n++] = script;
	for (i = 0; i < L_N; i++) {
		if (i == L_GOOD6 && !ipv6_ok())
			break;
		snprintf(files[i][0], sizeof(files[i][0]), "%s/%s.pem", e->dir,
		         names[i]);
		snprintf(files[i][1], sizeof(files[i][1]), "%s/%s.key", e->dir,
		         names[i]);
		argv[n++] = i == L_GOOD6 ? "::1" : "127.0.0.1";
		argv[n++] = files[i][0];
		argv[n++] = files[i][1];
	}
	argv[n] = NULL;
	if (pipe(in) != 0 || pipe(out) != 0)
		return -1;
	e->server = fork();
	if (e->server == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	e->server_in = in[1];
	pfd.fd = out[0];
	pfd.events = POLLIN;
	while (got < (ssize_t)sizeof(line) - 1 && !memchr(line, '\n', (size_t)got) &&
	       poll(&pfd, 1, 20000) > 0 &&
	       (r = read(out[0], line + got, sizeof(line) - 1 - (size_t)got)) > 0)
		got += r;
	close(out[0]);
	line[got] = '\0';
	if (strncmp(line, "PORTS ", 6) != 0)
		return -1;
	for (i = 0, k = 6; i < L_N; i++) {
		int used = 0;

		if (sscanf(line + k, "%d%n", &e->port[i], &used) != 1)
			break;
		k += used;
	}
	return e->port[L_EXPIRED] > 0 ? 0 : -1;
}

static void stop_server(struct env *e)
{
	if (e->server <= 0)
		return;
	close(e->server_in);
	kill(e->server, SIGTERM);
	waitpid(e->server, NULL, 0);
}

/* ---- trust.c ---- */


/* A certificate followed by bytes inside its own PEM block (this crashed
 * BearSSL's decoder, pushed past its end): skipped, never a crash; the
 * certificates around it still load. */
static void trailing_bytes(const struct env *e)
{
	/* printf(1) octal escapes: one zero, six zeros, a SEQUENCE header
	 * promising more, a whole INTEGER. */
	static const char *const extra[] = { "\\000", "\\000\\000\\000\\000\\000\\000",
	                                     "\\060\\003\\002", "\\002\\001\\005" };
	char file[128], good[128], cmd[1024], err[256];
	struct trust_store ts;
	size_t i;

	path(e, "good.der", good, sizeof(good));
	path(e, "trailing.pem", file, sizeof(file));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		snprintf(cmd, sizeof(cmd), "{ echo '-----BEGIN CERTIFICATE-----';"
		         " { cat %s; printf '%s'; } | openssl base64;"
		         " echo '-----END CERTIFICATE-----'; } > %s", good,
		         extra[i], file);
		if (system(cmd) != 0) {
			ok(0, "openssl base64 and xxd make %s", file);
			return;
		}
		is_int(trust_load(&ts, file, err, sizeof(err)), AL_ENOENT,
		       "a certificate with bytes (%s) after it is not used", extra[i]);
		trust_free(&ts);
	}
	snprintf(cmd, sizeof(cmd), "cp %s %s.1 && cat %s/good.pem %s.1 "
	         "%s/good.pem > %s", file, file, e->dir, file, e->dir, file);
	if (system(cmd) != 0) {
		ok(0, "%s", cmd);
		return;
	}
	is_int(trust_load(&ts, file, err, sizeof(err)), 0,
	       "between two good ones: the file loads");
	ok(ts.count == 2 && ts.skipped == 1, "two anchors, one skipped");
	trust_free(&ts);
	snprintf(cmd, sizeof(cmd), "%s.1", file);
	unlink(cmd);
	unlink(file);
}
static void test_trust(struct env *e)
{
	/* The CA's subject, DER by hand (X.690): SEQ { SET { SEQ { OID cn,
	 * UTF8String "acmelet test CA" } } }. */
	static const unsigned char dn[] = {
		0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03,
		0x0c, 0x0f, 'a', 'c', 'm', 'e', 'l', 'e', 't', ' ', 't', 'e', 's',
		't', ' ', 'C', 'A' };
	static const unsigned char lo4[4] = { 127, 0, 0, 1 };
	static const unsigned char lo6[16] = { [15] = 1 };
	static const unsigned char other4[4] = { 127, 0, 0, 2 };
	unsigned char buf[300000], der[4096], spki[200];
	char file[128], err[256];
	struct trust_store ts;
	size_t n, i, begins = 0, used, nspki;
	const br_x509_trust_anchor *a;

	/* The system bundle: one anchor per BEGIN CERTIFICATE line. */
	n = read_all(TRUST_DEFAULT_CA_FILE, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	for (char *p = (char *)buf; (p = strstr(p, "-----BEGIN CERTIFICATE-----")); p++)
		begins++;
	is_int(trust_load(&ts, NULL, err, sizeof(err)), 0, "system bundle loads");
	is_int(ts.count + ts.skipped, begins, "every certificate of it is seen");
	used = ts.count * sizeof(br_x509_trust_anchor);
	for (i = 0; i < ts.count; i++) {
		a = &ts.anchors[i];
		used += a->dn.len + (a->pkey.key_type == BR_KEYTYPE_RSA ?
		        a->pkey.key.rsa.nlen + a->pkey.key.rsa.elen :
		        a->pkey.key.ec.qlen);
	}
	is_int(ts.arena_len, used, "its arena is exactly what the anchors use");
	trust_free(&ts);

	path(e, "bundle.pem", file, sizeof(file));
	is_int(trust_load(&ts, file, err, sizeof(err)), 0, "bundle.pem loads");
	is_int(ts.count, 2, "two anchors around the text between them");
	a = ts.count == 2 ? &ts.anchors[1] : NULL;
	ok(a && a->dn.len == sizeof(dn) && memcmp(a->dn.data, dn, sizeof(dn)) == 0,
	   "second anchor's DN is the CA's subject DER");
	path(e, "ca.pub.der", file, sizeof(file));
	nspki = read_all(file, spki, sizeof(spki));
	ok(a && a->pkey.key_type == BR_KEYTYPE_EC &&
	   a->pkey.key.ec.curve == BR_EC_secp256r1 && nspki > 65 &&
	   a->pkey.key.ec.qlen == 65 &&
	   memcmp(a->pkey.key.ec.q, spki + nspki - 65, 65) == 0,
	   "its key is the CA's P-256 point (as openssl prints it)");
	ok(a && (a->flags & BR_X509_TA_CA), "a CA certificate gets the CA flag");
	trust_free(&ts);
	ok(ts.arena == NULL && ts.count == 0, "trust_free empties the store");

	path(e, "good.pem", file, sizeof(file));
	is_int(trust_load(&ts, file, err, sizeof(err)), 0, "a leaf loads");
	ok(ts.count == 1 && ts.anchors[0].flags == 0, "without the CA flag");
	trust_free(&ts);
	is_int(trust_load(&ts, "/nonexistent/ca.pem", err, sizeof(err)),
	       AL_ENOENT, "missing file: AL_ENOENT");
	ok(strstr(err, "/nonexistent/ca.pem") != NULL, "reason names it: %s", err);
	path(e, "good.ext", file, sizeof(file));
	is_int(trust_load(&ts, file, err, sizeof(err)), AL_ENOENT,
	       "no certificate in the file: AL_ENOENT");
	path(e, "broken.pem", file, sizeof(file));
	{
		FILE *f = fopen(file, "w");

		fputs("-----BEGIN CERTIFICATE-----\nMIIB!!!!\n"
		      "-----END CERTIFICATE-----\n", f);
		fclose(f);
	}
	is_int(trust_load(&ts, file, err, sizeof(err)), AL_EPROTO,
	       "bad base64: AL_EPROTO");
	ok(ts.arena == NULL, "nothing kept after a failure");
	trailing_bytes(e);

	path(e, "good.der", file, sizeof(file));
	n = read_all(file, der, sizeof(der));
	ok(trust_cert_has_ip(der, n, lo4, 4), "good.der has IP 127.0.0.1");
	ok(trust_cert_has_ip(der, n, lo6, 16), "good.der has IP ::1");
	ok(!trust_cert_has_ip(der, n, other4, 4), "but not 127.0.0.2");
	ok(!trust_cert_has_ip(der, n / 2, lo4, 4), "a truncated one has none");
	path(e, "dnsip.der", file, sizeof(file));
	n = read_all(file, der, sizeof(der));
	ok(!trust_cert_has_ip(der, n, lo4, 4),
	   "a dNSName \"127.0.0.1\" is not an IP SAN");
}

/* ---- arguments ---- */

static void test_args(struct env *e)
{
	static const char *const bad[] = {
		"http://127.0.0.1/", "https://user@127.0.0.1/",
		"https://[::1/", "https://127.0.0.1:99999/", "https://a b/",
		"https://127.0.0.1/a b", "https://:443/", "ftp://x/",
		"https://127.0.0.1:/", "https://[::1]x/",
	};
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 5, &tp);
	struct http_response r;
	unsigned char buf[64];
	unsigned reqs = 9, conns = 9;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(get(h, "GET", bad[i], &r, buf, sizeof(buf)), AL_EINVAL,
		       "refused: %s", bad[i]);
	ok(http_error(h)[0] != '\0', "with a reason: %s", http_error(h));
	is_int(get(h, "PUT", "https://127.0.0.1/", &r, buf, sizeof(buf)),
	       AL_EINVAL, "method PUT refused");
	is_int(http_request(h, "GET", NULL, NULL, NULL, 0, &r), AL_EINVAL,
	       "NULL URL refused");
	http_stats(h, &reqs, &conns);
	ok(reqs == 0 && conns == 0, "nothing counted");
	http_close(h);
	http_close(NULL);
}

/* ---- requests against the local server ---- */

static void test_basic(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 10, &tp);
	struct http_response r;
	unsigned char buf[2048];
	char u[128], want[512];
	const char *json = "{\"a\":\"json\"}";
	unsigned reqs, conns;
	int p = e->port[L_GOOD];

	url(u, sizeof(u), "127.0.0.1", p, "/hello");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET /hello");
	is_int(r.status, 200, "status 200");
	is_str((char *)r.body, "hello world", "body");
	is_int(r.body_len, 11, "body_len");
	is_str(r.content_type, "text/plain", "Content-Type");
	is_str(r.replay_nonce, "nonce-abc_123", "Replay-Nonce");
	is_str(r.location, "https://example.test/acct/1", "Location (any case)");
	is_str(r.retry_after, "7", "Retry-After, spaces trimmed");
	is_str(r.links, "<https://x.test/a>;rel=\"up\", "
	       "<https://x.test/b>;rel=\"alternate\"", "both Link headers joined");
	is_str(http_error(h), "", "no error yet");

	url(u, sizeof(u), "127.0.0.1", p, "/echo");
	memset(&r, 0, sizeof(r));
	r.body = buf;
	r.body_cap = sizeof(buf);
	is_int(http_request(h, "POST", u, "application/jose+json", json,
	                    strlen(json), &r), 0, "POST /echo");
	snprintf(want, sizeof(want), "method=POST\nhost=127.0.0.1:%d\n"
	         "ua=acmelet-test/1\nctype=application/jose+json\nclen=12\n"
	         "accept=*/*\nbody=%s", p, json);
	is_int(r.status, 201, "status 201");
	is_str((char *)r.body, want, "the server saw our request as sent");
	ok(r.replay_nonce[0] == '\0' && r.links[0] == '\0',
	   "headers of the previous response are gone");

	url(u, sizeof(u), "127.0.0.1", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET /conn");
	ok(strstr((char *)buf, " req=3") != NULL, "third request on the "
	   "same connection: %s", buf);
	url(u, sizeof(u), "127.0.0.1", p, "/hello");
	is_int(get(h, "HEAD", u, &r, buf, sizeof(buf)), 0, "HEAD /hello");
	ok(r.status == 200 && r.body_len == 0 && buf[0] == '\0',
	   "HEAD: no body read despite Content-Length");
	is_str(r.content_type, "text/plain", "HEAD: headers kept");
	url(u, sizeof(u), "127.0.0.1", p, "/chunked");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET /chunked");
	is_str((char *)buf, "Hello, chunked world", "chunked body joined");
	url(u, sizeof(u), "127.0.0.1", p, "/info");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET after a 103");
	ok(r.status == 200 && strcmp((char *)buf, "final") == 0,
	   "the final response");
	is_str(r.links, "<https://x.test/final>", "the 103's headers dropped");
	url(u, sizeof(u), "127.0.0.1", p, "/status/204");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET 204");
	ok(r.status == 204 && r.body_len == 0, "204 has no body");
	url(u, sizeof(u), "127.0.0.1", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET /conn again");
	ok(strstr((char *)buf, " req=8") != NULL, "still the first "
	   "connection after HEAD, chunked, 1xx, 204: %s", buf);
	http_stats(h, &reqs, &conns);
	ok(reqs == 8 && conns == 1, "8 requests, 1 connection (%u, %u)",
	   reqs, conns);

	url(u, sizeof(u), "localhost", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "by name: localhost");
	http_stats(h, &reqs, &conns);
	is_int(conns, 2, "another host: a new connection");
	http_close(h);
}

static void test_ipv6(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h;
	struct http_response r;
	unsigned char buf[512];
	char u[128], want[64];

	if (e->port[L_GOOD6] == 0) {
		ok(0, "IPv6: this machine needs an IPv6 loopback (::1)");
		return;
	}
	h = mk(e, "ca.pem", 10, &tp);
	snprintf(u, sizeof(u), "https://[::1]:%d/echo", e->port[L_GOOD6]);
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET [::1] (IP SAN ::1)");
	snprintf(want, sizeof(want), "host=[::1]:%d\n", e->port[L_GOOD6]);
	ok(strstr((char *)buf, want) != NULL, "Host header in brackets");
	http_close(h);
}

static void test_limits(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 10, &tp);
	struct http_response r;
	unsigned char buf[1000];
	char u[128];
	unsigned reqs, conns;
	int p = e->port[L_GOOD];

	url(u, sizeof(u), "127.0.0.1", p, "/big/49");
	is_int(get(h, "GET", u, &r, buf, 50), 0, "49 bytes fit in 50");
	ok(r.body_len == 49 && buf[49] == '\0', "NUL-terminated");
	url(u, sizeof(u), "127.0.0.1", p, "/big/50");
	is_int(get(h, "GET", u, &r, buf, 50), AL_E2BIG, "50 bytes do not");
	ok(strstr(http_error(h), "larger than 49") != NULL, "reason: %s",
	   http_error(h));
	url(u, sizeof(u), "127.0.0.1", p, "/bigchunked/5000");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_E2BIG,
	       "chunked body too big");
	url(u, sizeof(u), "127.0.0.1", p, "/bighead");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_EPROTO,
	       "a 9 KiB head is refused");
	ok(strstr(http_error(h), "head larger") != NULL, "reason: %s",
	   http_error(h));
	url(u, sizeof(u), "127.0.0.1", p, "/garbage");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_EPROTO,
	       "not HTTP: AL_EPROTO");
	url(u, sizeof(u), "127.0.0.1", p, "/noclen");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "body up to close");
	is_str((char *)buf, "until close", "its body");
	url(u, sizeof(u), "127.0.0.1", p, "/close");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "Connection: close");
	url(u, sizeof(u), "127.0.0.1", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "then /conn");
	ok(strstr((char *)buf, " req=1") != NULL, "on a new connection");
	http_stats(h, &reqs, &conns);
	ok(reqs == 8 && conns == 7, "every failure and close dropped the "
	   "connection (%u requests, %u connections)", reqs, conns);
	http_close(h);
}

/* Answers that never end (hostile_http.py): every bound holds, and the
 * transport still works afterwards. The server gives up after 30 s, so a
 * missing bound shows as a wrong code, not a hang. */
static void test_hostile(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 2, &tp);
	static unsigned char buf[200000];
	struct http_response r;
	char u[128];
	int p = e->port[L_GOOD];

	url(u, sizeof(u), "127.0.0.1", p, "/hostile/trailers");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_EPROTO,
	       "endless trailers: refused at the head budget");
	ok(strstr(http_error(h), "larger than 8192") != NULL, "reason: %s",
	   http_error(h));
	url(u, sizeof(u), "127.0.0.1", p, "/hostile/continue");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_EPROTO,
	       "endless 100 Continue: refused after 8 interim answers");
	ok(strstr(http_error(h), "interim") != NULL, "reason: %s",
	   http_error(h));
	url(u, sizeof(u), "127.0.0.1", p, "/hostile/drip");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_ETIMEOUT,
	       "a body dripping for 1000 s: the 2 s deadline holds");
	url(u, sizeof(u), "127.0.0.1", p, "/hello");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "then a good answer");
	url(u, sizeof(u), "127.0.0.1", p, "/hello");
	u[4] = ':';
	memmove(u + 4, u + 5, strlen(u + 5) + 1); /* https: -> http: */
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_EINVAL,
	       "http:// refused: %s", u);
	http_close(h);
}

/* getaddrinfo() calls of this process: counted, then passed to the C
 * library's own (the transport's resolution is real, only watched). */
static int resolves;

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
	int (*real)(const char *, const char *, const struct addrinfo *,
	            struct addrinfo **);

	*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	resolves++;
	return real ? real(node, service, hints, res) : EAI_FAIL;
}

/* A host is resolved once, at its first connection; a reconnect within
 * the run uses the kept addresses (getaddrinfo blocks, and a reconnect may
 * come while a validator knocks on the responder). */
static void test_resolve_once(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 10, &tp);
	struct http_response r;
	unsigned char buf[256];
	char u[128];
	unsigned conns;
	int p = e->port[L_GOOD], before = resolves;

	url(u, sizeof(u), "localhost", p, "/idle-close");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0,
	       "GET https://localhost/idle-close");
	is_int(resolves - before, 1, "localhost resolved at the first connection");
	msleep(500);
	url(u, sizeof(u), "localhost", p, "/close");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0,
	       "after the server closed it: GET /close");
	url(u, sizeof(u), "localhost", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0,
	       "after Connection: close");
	http_stats(h, NULL, &conns);
	is_int(conns, 3, "three connections");
	is_int(resolves - before, 1, "and still one resolution: the kept "
	       "addresses were used");
	http_close(h);
}

/* When no kept address answers any more (the host moved, or is down),
 * the host is resolved again, once per connection attempt. */
static void test_resolve_again(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 1, &tp);
	struct http_response r;
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	unsigned char buf[64];
	char u[128];
	int lfd = socket(AF_INET, SOCK_STREAM, 0), p = 0, rc, before;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    listen(lfd, 4) == 0 &&
	    getsockname(lfd, (struct sockaddr *)&a, &sl) == 0)
		p = ntohs(a.sin_port);
	ok(p > 0, "a listener that never speaks TLS, on port %d", p);
	before = resolves;
	url(u, sizeof(u), "localhost", p, "/x");
	rc = get(h, "GET", u, &r, buf, sizeof(buf));
	ok(rc != 0, "a request to it fails (%d: %s)", rc, http_error(h));
	is_int(resolves - before, 1, "localhost resolved once");
	close(lfd);
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_ECONNECT,
	       "the listener gone: AL_ECONNECT");
	is_int(resolves - before, 2, "the kept addresses refused: resolved "
	       "again, once");
	http_close(h);
}

static void test_reconnect(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 10, &tp);
	struct http_response r;
	unsigned char buf[256];
	char u[128];
	unsigned reqs, conns;
	int64_t t0;
	int p = e->port[L_GOOD];

	url(u, sizeof(u), "127.0.0.1", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET /conn");
	url(u, sizeof(u), "127.0.0.1", p, "/vanish-once");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0,
	       "server closed the kept-alive connection: sent again");
	is_str((char *)buf, "back", "the answer of the second try");
	http_stats(h, &reqs, &conns);
	ok(reqs == 2 && conns == 2, "counted once, on 2 connections (%u, %u)",
	   reqs, conns);
	url(u, sizeof(u), "127.0.0.1", p, "/idle-close");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "GET /idle-close");
	msleep(500);
	url(u, sizeof(u), "127.0.0.1", p, "/conn");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0,
	       "after the server closed the idle connection");
	ok(strstr((char *)buf, " req=1") != NULL, "on a new connection");
	url(u, sizeof(u), "127.0.0.1", p, "/vanish");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_ECONNECT,
	       "no answer twice: AL_ECONNECT");
	ok(strstr(http_error(h), "without a response") != NULL, "reason: %s",
	   http_error(h));
	http_close(h);

	h = mk(e, "ca.pem", 1, &tp);
	url(u, sizeof(u), "127.0.0.1", p, "/slow");
	t0 = now_ms();
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_ETIMEOUT,
	       "a 3 s answer with a 1 s timeout");
	t0 = now_ms() - t0;
	ok(t0 >= 900 && t0 < 2500, "after about 1 s (%lld ms)", (long long)t0);
	ok(strstr(http_error(h), "no answer within 1 s") != NULL, "reason: %s",
	   http_error(h));
	http_close(h);
}

/* ---- certificate checks ---- */

/* One request that must fail with code and a reason containing words. */
static void must_fail(struct env *e, const char *ca, struct tport *tp,
                      const char *host, int listener, int code,
                      const char *words, const char *what)
{
	struct http *h = mk(e, ca, 10, tp);
	struct http_response r;
	unsigned char buf[256];
	char u[128];

	if (listener == L_GOOD6 && e->port[L_GOOD6] == 0) {
		ok(0, "%s: this machine needs an IPv6 loopback (::1)", what);
		ok(0, "%s: (not run)", what);
		http_close(h);
		return;
	}
	url(u, sizeof(u), host, e->port[listener], "/hello");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), code, "%s", what);
	ok(strstr(http_error(h), words) != NULL, "reason: %s", http_error(h));
	http_close(h);
}

static void test_tls(struct env *e)
{
	struct tport tp = tp_real(), future = tp_real(), past = tp_real();
	struct tport unset = tp_real();
	char want[160];

	future.wall = 7258118400; /* 2200-01-01 */
	past.wall = 978307200;    /* 2001-01-01 */
	unset.trusted = 0;
	snprintf(want, sizeof(want), "TLS: server certificate for 127.0.0.1 is "
	         "not trusted; pass --ca-file with the CA that signed it");
	must_fail(e, "ca.pem", &tp, "127.0.0.1", L_UNKNOWN, AL_ETLS, want,
	          "unknown CA: AL_ETLS");
	must_fail(e, NULL, &tp, "127.0.0.1", L_GOOD, AL_ETLS, "not trusted",
	          "default bundle does not know the test CA");
	must_fail(e, "ca2.pem", &tp, "localhost", L_GOOD, AL_ETLS,
	          "not trusted", "another CA only: AL_ETLS");
	must_fail(e, "nosuch.pem", &tp, "127.0.0.1", L_GOOD, AL_ETLS,
	          "CA file", "missing CA file: AL_ETLS");
	must_fail(e, "ca.pem", &tp, "localhost", L_OTHER, AL_ETLS,
	          "name mismatch", "cert for other.example at localhost");
	must_fail(e, "ca.pem", &tp, "127.0.0.1", L_OTHER, AL_ETLS,
	          "name mismatch", "cert without IP SAN at 127.0.0.1");
	must_fail(e, "ca.pem", &tp, "127.0.0.1", L_DNSIP, AL_ETLS,
	          "name mismatch", "dNSName \"127.0.0.1\" does not vouch for "
	          "the IP");
	must_fail(e, "ca.pem", &tp, "localhost", L_EXPIRED, AL_ETLS, "expired",
	          "certificate expired in 2021: AL_ETLS");
	must_fail(e, "ca.pem", &future, "127.0.0.1", L_GOOD, AL_ETLS,
	          "expired", "clock in 2200: AL_ETLS");
	must_fail(e, "ca.pem", &past, "127.0.0.1", L_GOOD, AL_ETLS,
	          "not yet valid", "clock in 2001: AL_ETLS");
	must_fail(e, "ca.pem", &unset, "127.0.0.1", L_GOOD, AL_ECLOCK,
	          "TLS: the system clock is not set (NTP?); cannot check the "
	          "server certificate", "untrusted clock: AL_ECLOCK");
}

static void test_closed_port(struct env *e)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	struct tport tp = tp_real();
	struct http *h = mk(e, "ca.pem", 5, &tp);
	struct http_response r;
	unsigned char buf[64];
	char u[128];
	unsigned reqs, conns;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* Bound, never listening: connections are refused. */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &sl);
	url(u, sizeof(u), "127.0.0.1", ntohs(a.sin_port), "/");
	is_int(get(h, "GET", u, &r, buf, sizeof(buf)), AL_ECONNECT,
	       "closed port: AL_ECONNECT");
	ok(strstr(http_error(h), "cannot connect to 127.0.0.1") != NULL,
	   "reason: %s", http_error(h));
	http_stats(h, &reqs, &conns);
	ok(reqs == 1 && conns == 0, "a request, no connection");
	http_close(h);
	close(fd);
}

/* ---- Pebble ---- */

static int wait_port(int port)
{
	struct sockaddr_in a;
	int i, fd, rc = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	for (i = 0; i < 100 && rc != 0; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
		close(fd);
		if (rc != 0)
			msleep(100);
	}
	return rc;
}

static void test_pebble(struct env *e)
{
	struct tport tp = tp_real();
	struct http *h;
	struct http_response r;
	unsigned char buf[16384];
	char cfg[128], logf[128], u[128];
	int port = free_port();
	pid_t pid;
	FILE *f;

	if (system("command -v pebble >/dev/null 2>&1") != 0) {
		ok(0, "pebble is installed (tests/lib/deps.sh installs it)");
		return;
	}
	path(e, "pebble.json", cfg, sizeof(cfg));
	path(e, "pebble.log", logf, sizeof(logf));
	f = fopen(cfg, "w");
	fprintf(f, "{\"pebble\": {\"listenAddress\": \"127.0.0.1:%d\", "
	        "\"managementListenAddress\": \"127.0.0.1:%d\", "
	        "\"certificate\": \"%s/good.pem\", \"privateKey\": "
	        "\"%s/good.key\", \"httpPort\": %d, \"tlsPort\": %d, "
	        "\"ocspResponderURL\": \"\", "
	        "\"externalAccountBindingRequired\": false}}\n", port,
	        free_port(), e->dir, e->dir, free_port(), free_port());
	fclose(f);
	pid = fork();
	if (pid == 0) {
		int fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execlp("pebble", "pebble", "-config", cfg, (char *)NULL);
		_exit(127);
	}
	if (wait_port(port) != 0) {
		ok(0, "pebble listens on %d (see %s)", port, logf);
	} else {
		h = mk(e, "ca.pem", 10, &tp);
		url(u, sizeof(u), "127.0.0.1", port, "/dir");
		is_int(get(h, "GET", u, &r, buf, sizeof(buf)), 0, "Pebble GET /dir");
		ok(r.status == 200 && strstr((char *)buf, "\"newNonce\"") != NULL,
		   "its directory (status %d)", r.status);
		ok(strncmp(r.content_type, "application/json", 16) == 0,
		   "JSON: %s", r.content_type);
		url(u, sizeof(u), "localhost", port, "/nonce-plz");
		is_int(get(h, "HEAD", u, &r, buf, sizeof(buf)), 0, "HEAD newNonce");
		ok(r.status == 200 && strlen(r.replay_nonce) > 10,
		   "a Replay-Nonce: %s", r.replay_nonce);
		http_close(h);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	struct env e;
	const char *slash = strrchr(__FILE__, '/');
	char cmd[512];

	memset(&e, 0, sizeof(e));
	signal(SIGPIPE, SIG_IGN);
	log_init(&e.log, LOG_LVL_DEBUG, LOG_TO_STDERR);
	snprintf(e.here, sizeof(e.here), "%.*s",
	         slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	snprintf(e.dir, sizeof(e.dir), "/tmp/test_http_bearssl.XXXXXX");
	if (mkdtemp(e.dir) == NULL)
		return 1;
	snprintf(cmd, sizeof(cmd), "sh %s/https_bearssl_certs.sh %s "
	         ">/dev/null 2>&1", e.here, e.dir);
	if (system(cmd) != 0 || start_server(&e) != 0) {
		ok(0, "set-up: openssl certificates and python3 "
		   "https_bearssl_server.py");
	} else {
		test_trust(&e);
		test_args(&e);
		test_basic(&e);
		test_ipv6(&e);
		test_limits(&e);
		test_hostile(&e);
		test_reconnect(&e);
		test_resolve_once(&e);
		test_resolve_again(&e);
		test_tls(&e);
		test_closed_port(&e);
		test_pebble(&e);
	}
	stop_server(&e);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", e.dir);
	return tap_done();
}
