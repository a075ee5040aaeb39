/* Helpers shared by the unit tests: a scratch directory with shell
 * commands and file I/O in it, a port that only gives entropy, a sorted
 * directory listing through the port, DER ECDSA signatures for openssl, and
 * a local Python server started beside the test. Static functions in a
 * header, as tap.h: each test is one program, and a test that does not use
 * a helper must still build with -Werror. */
#ifndef ACMELET_TESTLIB_H
#define ACMELET_TESTLIB_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "port.h"

#define TL_UNUSED __attribute__((unused))

/* ---- the scratch directory -------------------------------------------- */

/* /tmp/NAME_XXXXXX once test_dir_make(NAME) has made it. */
static char test_dir[128] TL_UNUSED;

/* Make a fresh scratch directory for this test; 0, or -1 (with perror). */
static TL_UNUSED int test_dir_make(const char *name)
{
	snprintf(test_dir, sizeof(test_dir), "/tmp/%s_XXXXXX", name);
	if (mkdtemp(test_dir))
		return 0;
	perror("mkdtemp");
	return -1;
}

/* Run the shell command built from fmt inside test_dir, its output
 * discarded; returns its exit status, -1 when it did not exit. */
static TL_UNUSED int sh(const char *fmt, ...)
{
	char cmd[2048];
	int n = snprintf(cmd, sizeof(cmd), "cd %s && (", test_dir), st;
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, ") >/dev/null 2>&1");
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Remove test_dir, unless KEEP_TMP is set (to look at what openssl got). */
static TL_UNUSED void test_dir_remove(void)
{
	if (!getenv("KEEP_TMP"))
		sh("rm -rf %s", test_dir);
}

/* Read test_dir/name into buf, NUL-terminated (so at most cap - 1 bytes);
 * returns the length, or -1 when it cannot be opened. */
static TL_UNUSED long slurp(const char *name, void *buf, size_t cap)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	((char *)buf)[n] = '\0';
	return (long)n;
}

/* Write len bytes of buf to test_dir/name; 0, or -1/EOF on failure. */
static TL_UNUSED int spit(const char *name, const void *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", test_dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(buf, 1, len, f);
	return fclose(f);
}

/* ---- a port whose only operation is entropy --------------------------- */

/* base.ops is one of tp_ops (/dev/urandom), tp_fixed_ops (every byte is
 * fill) or tp_unseeded_ops (AL_EUNSEEDED, as a port before its seed). A
 * plain struct port with tp_ops works too: only the fixed one reads fill. */
struct test_port {
	struct port base;
	unsigned char fill;
};

static TL_UNUSED int tp_urandom(struct port *p, void *buf, size_t len)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(buf, 1, len, f) : 0;

	(void)p;
	if (f)
		fclose(f);
	return got == len ? AL_OK : AL_EFAIL;
}

static TL_UNUSED int tp_fixed(struct port *p, void *buf, size_t len)
{
	memset(buf, ((struct test_port *)p)->fill, len);
	return AL_OK;
}

static TL_UNUSED int tp_unseeded(struct port *p, void *buf, size_t len)
{
	(void)p;
	(void)buf;
	(void)len;
	return AL_EUNSEEDED;
}

static const struct port_ops tp_ops TL_UNUSED = { .entropy = tp_urandom };
static const struct port_ops tp_fixed_ops TL_UNUSED = { .entropy = tp_fixed };
static const struct port_ops tp_unseeded_ops TL_UNUSED = {
	.entropy = tp_unseeded
};

/* ---- directory listings through a port -------------------------------- */

struct names {
	char list[16][64];
	int n;
	int stop_at; /* return 7 from the callback on this entry; 0: never */
};

/* port_list_dir callback collecting into a struct names. */
static TL_UNUSED int collect(void *arg, const char *name)
{
	struct names *nm = arg;

	if (nm->n < 16)
		snprintf(nm->list[nm->n], sizeof(nm->list[0]), "%s", name);
	nm->n++;
	return nm->n == nm->stop_at ? 7 : 0;
}

static TL_UNUSED int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The sorted entries of dir joined by ",", for comparison with a literal;
 * "(error)" when listing fails or there are more than 16. */
static TL_UNUSED const char *listing(struct port *p, const char *dir,
                                     char *out, size_t cap)
{
	struct names nm;
	int i;

	memset(&nm, 0, sizeof(nm));
	out[0] = '\0';
	if (port_list_dir(p, dir, collect, &nm) != 0 || nm.n > 16)
		return "(error)";
	qsort(nm.list, (size_t)nm.n, sizeof(nm.list[0]), cmp_name);
	for (i = 0; i < nm.n; i++) {
		if (i)
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, nm.list[i], cap - strlen(out) - 1);
	}
	return out;
}

/* ---- signatures for openssl ------------------------------------------- */

/* DER ECDSA-Sig-Value (what openssl verifies) from a raw r||s of n bytes,
 * written here independently of the code under test; returns its length.
 * out needs n + 8 bytes. */
static TL_UNUSED size_t raw_to_der(const unsigned char *raw, size_t n,
                                   unsigned char *out)
{
	size_t half = n / 2, o = 2, i;

	for (i = 0; i < 2; i++) {
		const unsigned char *v = raw + i * half;
		size_t l = half;

		while (l > 1 && v[0] == 0) {
			v++;
			l--;
		}
		out[o++] = 0x02;
		out[o++] = (unsigned char)(l + (v[0] >= 0x80));
		if (v[0] >= 0x80)
			out[o++] = 0;
		memcpy(out + o, v, l);
		o += l;
	}
	out[0] = 0x30;
	out[1] = (unsigned char)(o - 2); /* under 128 for P-256 and P-384 */
	return o;
}

/* ---- local servers ---------------------------------------------------- */

static TL_UNUSED void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* A TCP port that is free on 127.0.0.1 right now (and on ::1 when v6 is
 * set); -1 when none could be found. */
static TL_UNUSED int free_port(int v6)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	socklen_t len = sizeof(s4);
	int fd, port = -1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&s4, sizeof(s4)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&s4, &len) == 0)
		port = ntohs(s4.sin_port);
	if (fd >= 0)
		close(fd);
	if (!v6 || port < 0)
		return port;
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_loopback;
	s6.sin6_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&s6, sizeof(s6)) != 0)
		port = -1;
	if (fd >= 0)
		close(fd);
	return port;
}

/* Start `python3 SCRIPT a1 a2 portfile`, SCRIPT being a file beside this
 * header, and wait up to 10 s for the port it writes to portfile. Returns
 * that port, or -1; *pid is the child (-1 when fork failed), for
 * stop_server. */
static TL_UNUSED int start_py_server(const char *script, const char *a1,
                                     const char *a2, const char *portfile,
                                     pid_t *pid)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	int port = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%.*s%s",
	         slash ? (int)(slash - __FILE__ + 1) : 0, __FILE__, script);
	*pid = fork();
	if (*pid == 0) {
		execlp("python3", "python3", path, a1, a2, portfile,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && *pid > 0; i++) {
		f = fopen(portfile, "r");
		if (f) {
			int n = fscanf(f, "%d", &port);
			fclose(f);
			if (n == 1)
				break;
		}
		msleep(50);
	}
	return port > 0 ? port : -1;
}

/* End a server from start_py_server (no-op for pid <= 0). */
static TL_UNUSED void stop_server(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

#endif
