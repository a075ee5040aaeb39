/* Tests of tls-alpn-01 (RFC 8737, RFC 8738): the validation certificate
 * checked by openssl(1), and the TLS server over real loopback sockets
 * with `openssl s_client` as the validator, each client a child process
 * while this single-threaded program drives the server's loop service. */
#include <errno.h>
#include <fcntl.h>
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

#include "crypto.h"
#include "err.h"
#include "log.h"
#include "challenge/alpn_cert.h"
#include "challenge/tls_server.h"
#include "tap.h"
#include "testlib.h"

#define KEYAUTH "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA" \
                ".nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ"
#define NOW 1790000000 /* 2026-09-21 */

static int64_t clock_offset;

static int64_t tnow(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset;
}

static void hex(const unsigned char *v, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", v[i]);
}

static void test_sni(void)
{
	char s[ALPN_SNI_MAX];

	ok(alpn_sni_name("dns", "WWW.Example.test", s, sizeof(s)) == 0 &&
	   strcmp(s, "www.example.test") == 0, "SNI of a name: the name");
	ok(alpn_sni_name("ip", "192.0.2.7", s, sizeof(s)) == 0 &&
	   strcmp(s, "7.2.0.192.in-addr.arpa") == 0, "SNI of an IPv4 address");
	ok(alpn_sni_name("ip", "2001:db8::1", s, sizeof(s)) == 0 &&
	   strcmp(s, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0."
	          "1.0.0.2.ip6.arpa") == 0, "SNI of an IPv6 address (RFC 8738)");
	is_int(alpn_sni_name("ip", "example.test", s, sizeof(s)), AL_EINVAL,
	       "an ip identifier that is no address");
	is_int(alpn_sni_name("dns", "a b.test", s, sizeof(s)), AL_EINVAL,
	       "a name with a blank");
	is_int(alpn_sni_name("dns", "*.example.test", s, sizeof(s)), AL_EINVAL,
	       "a wildcard (never validated by tls-alpn-01)");
	is_int(alpn_sni_name("email", "a@b", s, sizeof(s)), AL_EINVAL,
	       "another identifier type");
}

/* Build the certificate of one identifier into test_dir/file (DER) and
 * have openssl show and check it. */
static void check_cert(const struct key *k, const char *type,
                       const char *value, const char *san, const char *file)
{
	unsigned char der[ALPN_CERT_MAX], serial[ALPN_SERIAL_LEN], h[32];
	char want[128], text[8192], ext[80];
	size_t len = 0;
	int rc;

	memset(serial, 0xa5, sizeof(serial));
	rc = alpn_cert_build(k, type, value, KEYAUTH, NOW, serial, der,
	                     sizeof(der), &len);
	is_int(rc, 0, "%s: certificate built (%zu bytes)", value, len);
	spit(file, der, len);
	is_int(sh("openssl x509 -inform DER -in %s -out %s.pem && "
	          "openssl x509 -in %s.pem -noout -text > %s.txt", file, file,
	          file, file), 0, "%s: openssl reads it", value);
	snprintf(want, sizeof(want), "%s.txt", file);
	slurp(want, text, sizeof(text));
	ok(strstr(text, "1.3.6.1.5.5.7.1.31: critical") != NULL,
	   "%s: acmeIdentifier is there and critical", value);
	ok(strstr(text, san) != NULL, "%s: subjectAltName is %s", value, san);
	ok(strstr(text, "Not Before: Sep 20 ") != NULL &&
	   strstr(text, "Not After : Sep 28 ") != NULL,
	   "%s: valid from a day before to a week after", value);
	/* The extension's value: the DER OCTET STRING of SHA-256(keyauth). */
	sha256(KEYAUTH, strlen(KEYAUTH), h);
	memcpy(ext, "0420", 4);
	hex(h, sizeof(h), ext + 4);
	is_int(sh("openssl asn1parse -inform DER -in %s | "
	          "grep -A2 ':id-pe-acmeIdentifier\\|:1.3.6.1.5.5.7.1.31' | "
	          "grep -q 'BOOLEAN.*:255' && "
	          "openssl asn1parse -inform DER -in %s | "
	          "grep -A2 ':id-pe-acmeIdentifier\\|:1.3.6.1.5.5.7.1.31' | "
	          "grep -q '\\[HEX DUMP\\]:%s$'", file, file, ext), 0,
	       "%s: its value is OCTET STRING(SHA-256 of the key authorization)",
	       value);
	is_int(sh("openssl verify -attime %d -CAfile %s.pem -ignore_critical "
	          "%s.pem", NOW, file, file), 0,
	       "%s: the self-signature verifies", value);
	ok(sh("openssl verify -attime %d -CAfile %s.pem %s.pem 2>&1 | "
	      "grep -q 'unhandled critical extension'", NOW, file, file) == 0,
	   "%s: a verifier that does not know it stops at the critical bit",
	   value);
}

static void test_cert(const struct key *k)
{
	unsigned char der[ALPN_CERT_MAX], serial[ALPN_SERIAL_LEN] = { 0 };
	size_t len;

	check_cert(k, "dns", "www.example.test", "DNS:www.example.test", "dns");
	check_cert(k, "ip", "192.0.2.7", "IP Address:192.0.2.7", "ip4");
	check_cert(k, "ip", "2001:db8::1", "IP Address:2001:DB8:0:0:0:0:0:1",
	           "ip6");
	is_int(alpn_cert_build(k, "dns", "www.example.test", KEYAUTH, NOW,
	                       serial, der, 100, &len), AL_E2BIG,
	       "a buffer too small is AL_E2BIG");
	is_int(alpn_cert_build(k, "ip", "www.example.test", KEYAUTH, NOW,
	                       serial, der, sizeof(der), &len), AL_EINVAL,
	       "a name given as an IP identifier is refused");
}

/* Drive s until child pid exited, at most 30 s; its exit status. */
static int serve_child(struct tls_server *s, pid_t pid)
{
	struct pollfd pfd[16];
	int64_t wake, end = tnow(NULL) + 30000;
	int n, st, left;

	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (tnow(NULL) > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -2;
		}
		wake = tnow(NULL) + 20;
		n = tlss_want(s, pfd, 16, &wake);
		left = (int)(wake - tnow(NULL));
		poll(pfd, (nfds_t)n, left < 0 ? 0 : left);
		tlss_io(s, pfd, n, tnow(NULL));
	}
}

/* openssl s_client against the server; args are the extra options. Its
 * output goes to test_dir/out. Returns its exit status. */
static int s_client(struct tls_server *s, int port, const char *args)
{
	char cmd[1024];
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "cd %s && openssl s_client -connect "
	         "127.0.0.1:%d %s -showcerts </dev/null >out 2>&1", test_dir,
	         port, args);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return serve_child(s, pid);
}

static int out_has(const char *what)
{
	static char buf[65536];

	return slurp("out", buf, sizeof(buf)) > 0 && strstr(buf, what) != NULL;
}

/* A raw TCP connection to 127.0.0.1:port that sends nothing. */
static int idle_client(int port)
{
	struct sockaddr_in s4;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s4.sin_port = htons((uint16_t)port);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&s4, sizeof(s4)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Add the certificates the server tests use. */
static void add_certs(struct tls_server *s, const struct key *k)
{
	unsigned char der[ALPN_CERT_MAX], serial[ALPN_SERIAL_LEN] = { 1 };
	size_t len;

	alpn_cert_build(k, "dns", "www.example.test", KEYAUTH, NOW, serial, der,
	                sizeof(der), &len);
	is_int(tlss_add(s, "www.example.test", der, len), 0, "add a name");
	spit("want_dns.der", der, len);
	alpn_cert_build(k, "ip", "127.0.0.1", KEYAUTH, NOW, serial, der,
	                sizeof(der), &len);
	is_int(tlss_add(s, "1.0.0.127.in-addr.arpa", der, len), 0,
	       "add an IP under its reverse name");
}

/* The certificate s_client printed equals the one in want (DER). */
static int got_cert(const char *want)
{
	return sh("sed -n '/BEGIN CERT/,/END CERT/p' out | "
	          "openssl x509 -outform DER -out got.der && cmp -s got.der %s",
	          want) == 0;
}

static void test_handshakes(struct tls_server *s, int port)
{
	unsigned served = s->served, refused = s->refused;

	is_int(s_client(s, port, "-alpn acme-tls/1 -servername "
	                "www.example.test"), 0, "acme-tls/1 with the name");
	ok(out_has("ALPN protocol: acme-tls/1"), "acme-tls/1 was selected");
	ok(got_cert("want_dns.der"), "the validator got the name's certificate");
	is_int(s->served - served, 1, "counted as one answered validation");
	is_int(s->certs[0].served, 1, "for that name");

	is_int(s_client(s, port, "-alpn acme-tls/1 -servername "
	                "1.0.0.127.in-addr.arpa"), 0,
	       "acme-tls/1 with an IP's reverse name (RFC 8738)");
	ok(sh("sed -n '/BEGIN CERT/,/END CERT/p' out | openssl x509 -noout "
	      "-text | grep -q 'IP Address:127.0.0.1'") == 0,
	   "whose certificate names the IP");
	is_int(s_client(s, port, "-alpn acme-tls/1 -servername "
	                "1.0.0.127.IN-ADDR.ARPA."), 0,
	       "the same name upper-case and with a trailing dot");

	ok(s_client(s, port, "-servername www.example.test") != 0 &&
	   !out_has("BEGIN CERT"), "no ALPN: refused, no certificate sent");
	ok(s_client(s, port, "-alpn h2,http/1.1 -servername "
	            "www.example.test") != 0 && !out_has("BEGIN CERT"),
	   "another ALPN: refused");
	ok(s_client(s, port, "-alpn acme-tls/1 -servername other.test") != 0 &&
	   !out_has("BEGIN CERT"), "an unknown SNI: refused");
	ok(s_client(s, port, "-alpn acme-tls/1 -noservername") != 0 &&
	   !out_has("BEGIN CERT"), "no SNI: refused");
	is_int(s->served - served, 3, "only the three good handshakes counted");
	is_int(s->refused - refused, 3,
	       "three refused by the policy (the other ALPN by BearSSL)");
	tlss_remove(s, "www.example.test");
	ok(s_client(s, port, "-alpn acme-tls/1 -servername "
	            "www.example.test") != 0, "a removed name: refused");
}

/* Silent clients take every slot; a validator still gets through (the
 * one silent longest gives way), and a silent client is closed at its
 * deadline. */
static void test_idle(struct tls_server *s, const struct key *k, int port)
{
	struct pollfd pfd[16];
	int fds[TLSS_MAX_CONNS + 4], i, n, open_now = 0;
	int64_t wake;
	char b;

	add_certs(s, k);
	for (i = 0; i < TLSS_MAX_CONNS + 4; i++)
		fds[i] = idle_client(port);
	msleep(TLSS_EVICT_MS + 50);
	is_int(s_client(s, port, "-alpn acme-tls/1 -servername "
	                "www.example.test"), 0,
	       "%d silent clients do not starve the validator",
	       TLSS_MAX_CONNS + 4);
	ok(s->slots.evicted > 0, "silent ones gave way (%u)", s->slots.evicted);
	for (i = 0; i < TLSS_MAX_CONNS; i++)
		open_now += s->conns[i].slot.fd >= 0;
	ok(open_now <= TLSS_MAX_CONNS, "connections stay bounded");
	clock_offset += TLSS_CONN_TIMEOUT_MS + 1;
	wake = INT64_MAX;
	n = tlss_want(s, pfd, 16, &wake);
	open_now = 0;
	for (i = 0; i < TLSS_MAX_CONNS; i++)
		open_now += s->conns[i].slot.fd >= 0;
	ok(open_now == 0 && n >= 1, "past the deadline every silent one is "
	   "closed");
	(void)!read(fds[TLSS_MAX_CONNS + 3], &b, 1);
	for (i = 0; i < TLSS_MAX_CONNS + 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	clock_offset = 0;
}

/* One round of the loop: want, poll (at most ms), serve. */
static void serve_round(struct tls_server *s, int ms)
{
	struct pollfd pfd[16];
	int64_t wake = INT64_MAX;
	int n = tlss_want(s, pfd, 16, &wake);

	poll(pfd, (nfds_t)n, ms);
	tlss_io(s, pfd, n, tnow(NULL));
}

static int slots_open(const struct tls_server *s)
{
	int i, n = 0;

	for (i = 0; i < TLSS_MAX_CONNS; i++)
		n += s->conns[i].slot.fd >= 0;
	return n;
}

/* Every slot held by a client silent past TLSS_EVICT_MS, then one new
 * connection: accept() comes first and exactly one silent client gives
 * way for it. (Evicting before accept() dropped a second one each time
 * the loop found another silent slot, for a connection not there.) */
static void test_accept_first(struct tls_server *s, int port)
{
	int fds[TLSS_MAX_CONNS], late, i, round, closed = 0;
	unsigned evicted;
	struct pollfd p;

	for (i = 0; i < TLSS_MAX_CONNS; i++)
		fds[i] = idle_client(port);
	for (round = 0; round < 100 && slots_open(s) < TLSS_MAX_CONNS; round++)
		serve_round(s, 50);
	is_int(slots_open(s), TLSS_MAX_CONNS, "%d silent clients hold every "
	       "slot", TLSS_MAX_CONNS);
	clock_offset += TLSS_EVICT_MS + 1; /* every one silent long enough */
	evicted = s->slots.evicted;
	late = idle_client(port);
	for (round = 0; round < 100 && s->slots.evicted == evicted; round++)
		serve_round(s, 50);
	serve_round(s, 0); /* a second wake-up finds nothing to accept */
	is_int(s->slots.evicted - evicted, 1, "one newcomer: exactly one "
	       "silent client gave way");
	is_int(slots_open(s), TLSS_MAX_CONNS, "and the newcomer has its slot");
	for (i = 0; i < TLSS_MAX_CONNS; i++) {
		p.fd = fds[i];
		p.events = POLLIN;
		closed += poll(&p, 1, 0) == 1;
	}
	is_int(closed, 1, "one of the silent clients sees its connection end");
	for (i = 0; i < TLSS_MAX_CONNS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (late >= 0)
		close(late);
	clock_offset += TLSS_CONN_TIMEOUT_MS + 1;
	serve_round(s, 0); /* past their deadline: the server closes them */
	clock_offset = 0;
}

static void test_busy(const struct logger *lg, const struct key *k,
                      struct rng *r, int port)
{
	struct tls_server *s2 = calloc(1, sizeof(*s2));
	char log[2048], want[128], path[256];
	int saved, rc, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/busy.log", test_dir);
	tlss_init(s2, lg, k, r);
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	dup2(fd, 2);
	close(fd);
	rc = tlss_open(s2, "127.0.0.1", port);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, log, sizeof(log) - 1) : -1;
	log[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	is_int(rc, AL_EADDRINUSE, "a second server on the port: AL_EADDRINUSE");
	snprintf(want, sizeof(want), "tls-alpn-01: port %d on 127.0.0.1 is in "
	         "use", port);
	ok(strstr(log, want) != NULL, "one line names the port");
	ok(strstr(log, "--tls-port") != NULL && !strchr(strchr(log, '\n') ?
	   strchr(log, '\n') + 1 : "", '\n'), "and says what to do");
	is_int(s2->nlfd, 0, "nothing left listening");
	tlss_close(s2);
	free(s2);
}

int main(void)
{
	struct port p = { &tp_ops };
	struct logger lg;
	struct rng r;
	struct key k;
	struct tls_server *s = calloc(1, sizeof(*s));
	int port = free_port(0);

	signal(SIGPIPE, SIG_IGN);
	log_init(&lg, LOG_LVL_ERR, 1);
	if (!s || port < 0 || test_dir_make("acmelet_alpn") != 0 ||
	    rng_init(&r, &p) != 0 || key_generate(&k, KEY_EC256, &r) != 0) {
		printf("Bail out! no memory, port, directory or key\n");
		return 1;
	}
	test_sni();
	test_cert(&k);
	tlss_init(s, &lg, &k, &r);
	s->now_ms = tnow;
	is_int(tlss_open(s, "127.0.0.1", port), 0, "listen on 127.0.0.1");
	add_certs(s, &k);
	test_handshakes(s, port);
	test_busy(&lg, &k, &r, port);
	test_idle(s, &k, port);
	test_accept_first(s, port);
	tlss_close(s);
	free(s);
	test_dir_remove();
	return tap_done();
}
