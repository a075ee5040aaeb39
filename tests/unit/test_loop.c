/* The poll loop (src/loop.c) and child processes waited for through it
 * (src/proc.c): a waiter's descriptor, a deadline, a service's descriptor
 * and its wake time, the service limit; a child's exit status, its output
 * in the log, and a hanging child killed with what it started. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "port_posix.h"
#include "proc.h"
#include "tap.h"

/* A service polling the read end of a pipe and asking to be called at
 * wake_at; counts its calls and the bytes it read. */
struct svc {
	int fd;
	int64_t wake_at;
	int calls, woke, bytes;
	struct port *port;
};

static int svc_want(void *self, struct pollfd *pfd, int max, int64_t *wake)
{
	struct svc *s = self;

	if (s->wake_at && s->wake_at < *wake)
		*wake = s->wake_at;
	if (max < 1)
		return 0;
	pfd[0].fd = s->fd;
	pfd[0].events = POLLIN;
	return 1;
}

static void svc_serve(void *self, struct pollfd *pfd, int n, int64_t now)
{
	struct svc *s = self;
	char buf[64];
	ssize_t r;

	s->calls++;
	if (s->wake_at && now >= s->wake_at) {
		s->woke++;
		s->wake_at = 0;
	}
	if (n == 1 && (pfd[0].revents & POLLIN) &&
	    (r = read(s->fd, buf, sizeof(buf))) > 0)
		s->bytes += (int)r;
}

static void test_loop(struct port *p)
{
	struct loop l;
	struct svc s = { -1, 0, 0, 0, 0, p };
	struct loop_service ls = { svc_want, svc_serve, &s };
	int sp[2], mine[2], i, rc;
	struct pollfd pfd;
	int64_t t0;

	loop_init(&l, p);
	if (pipe(sp) != 0 || pipe(mine) != 0) {
		ok(0, "pipes");
		return;
	}
	s.fd = sp[0];
	is_int(loop_add(&l, &ls), 0, "a service is added");

	t0 = port_mono_ms(p);
	is_int(loop_sleep(&l, t0 + 30), 0, "a sleep returns 0 at its deadline");
	ok(port_mono_ms(p) >= t0 + 30, "not before it");

	if (write(sp[1], "abc", 3) != 3)
		ok(0, "write");
	loop_sleep(&l, port_mono_ms(p) + 20);
	is_int(s.bytes, 3, "the service read its bytes during a sleep");

	pfd.fd = mine[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (write(mine[1], "x", 1) != 1 || write(sp[1], "yz", 2) != 2)
		ok(0, "write");
	rc = loop_wait(&l, &pfd, 1, port_mono_ms(p) + 5000);
	is_int(rc, 1, "the waiter's descriptor is reported");
	ok(pfd.revents & POLLIN, "with its event");
	is_int(s.bytes, 5, "the service was served in the same round");

	s.wake_at = port_mono_ms(p) + 20;
	loop_sleep(&l, port_mono_ms(p) + 200);
	is_int(s.woke, 1, "the service was called at its wake time without I/O");

	for (i = 1; i < LOOP_MAX_SERVICES; i++)
		loop_add(&l, &(struct loop_service){ svc_want, svc_serve, &i });
	is_int(loop_add(&l, &ls), AL_E2BIG, "a full loop refuses one more");
	loop_del(&l, &s);
	is_int(l.nsvc, LOOP_MAX_SERVICES - 1, "loop_del removes the service");
	close(sp[0]);
	close(sp[1]);
	close(mine[0]);
	close(mine[1]);
}

/* Run argv through proc_run with stderr (the log) in a file; the log's
 * text goes to out. */
static int run(struct loop *l, char *const *argv, int timeout_ms, int *status,
               char *out, size_t cap)
{
	struct logger lg;
	struct proc_spec sp = { argv, NULL, NULL, timeout_ms, "child" };
	char path[] = "/tmp/test_loop_XXXXXX";
	int fd = mkstemp(path), saved = dup(2), rc;
	ssize_t n;

	log_init(&lg, LOG_LVL_INFO, LOG_TO_STDERR);
	fflush(stderr);
	dup2(fd, 2);
	rc = proc_run(l, &lg, &sp, status);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, cap - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

static void test_proc(struct port *p)
{
	struct loop l;
	char out[2048];
	int status = -1, rc;
	char *exit3[] = { "/bin/sh", "-c", "echo hello; echo world >&2; exit 3",
	                  NULL };
	char *hang[] = { "/bin/sh", "-c", "sleep 2919; echo never", NULL };
	char *none[] = { "/nonexistent/hook", NULL };

	loop_init(&l, p);
	rc = run(&l, exit3, 5000, &status, out, sizeof(out));
	is_int(rc, 0, "a child that exits: 0");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 3, "its exit status 3");
	ok(strstr(out, "child: hello") != NULL, "its stdout is in the log");
	ok(strstr(out, "child: world") != NULL, "its stderr is in the log");

	rc = run(&l, hang, 300, &status, out, sizeof(out));
	is_int(rc, AL_ETIMEOUT, "a hanging child: AL_ETIMEOUT");
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed");
	ok(system("pgrep -f 'slee[p] 2919' >/dev/null") != 0,
	   "what it started was killed too");
	ok(strstr(out, "never") == NULL, "nothing after the kill");

	rc = run(&l, none, 5000, &status, out, sizeof(out));
	is_int(rc, 0, "a program that cannot run: 0 ...");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 127, "... exit status 127");
	ok(strstr(out, "cannot run /nonexistent/hook") != NULL,
	   "and the log says why");
}

int main(void)
{
	struct port_posix pp;

	port_posix_init(&pp);
	test_loop(&pp.base);
	test_proc(&pp.base);
	return tap_done();
}
