/* Child processes waited for through the loop (see proc.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "loop.h"
#include "port.h"
#include "proc.h"

#define PROC_LINE_MAX 256   /* bytes of one output line kept for the log */
#define PROC_LINES_MAX 64   /* output lines logged; the rest is drained */
#define PROC_REAP_MS 10     /* reap poll after end of file */

/* Output being collected into log lines. */
struct out {
	char line[PROC_LINE_MAX];
	size_t len;
	int lines;
};

/* In the child: output to the pipe, no inherited descriptors or signal
 * mask, then exec; never returns. */
static void child(const struct proc_spec *p, int wfd)
{
	struct rlimit rl;
	long fd, maxfd = 1024;
	sigset_t none;

	/* Its own process group, so that a timeout kills what it started
	 * too (a shell script's sleep). */
	setpgid(0, 0);
	if (dup2(wfd, 1) < 0 || dup2(wfd, 2) < 0)
		_exit(127);
	/* getrlimit, not sysconf(_SC_OPEN_MAX) (the same number): musl's
	 * sysconf brings a 1 KiB table into the static binary. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0 &&
	    rl.rlim_cur < 65536)
		maxfd = (long)rl.rlim_cur;
	for (fd = 3; fd < maxfd; fd++)
		close((int)fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (p->child_setup)
		p->child_setup(p->arg);
	execv(p->argv[0], p->argv);
	fprintf(stderr, "cannot run %s: %s\n", p->argv[0], strerror(errno));
	_exit(127);
}

static void flush_line(const struct logger *log, const struct proc_spec *p,
                       struct out *o)
{
	size_t i;

	if (o->len == 0)
		return;
	for (i = 0; i < o->len; i++) /* the hook's text, not ours */
		if ((unsigned char)o->line[i] < 0x20 || o->line[i] == 0x7f)
			o->line[i] = '?';
	o->line[o->len] = '\0';
	if (++o->lines <= PROC_LINES_MAX)
		log_info(log, "%s: %s", p->what, o->line);
	o->len = 0;
}

/* Take what the pipe holds; 1 at end of file, 0 otherwise. */
static int drain(int fd, const struct logger *log, const struct proc_spec *p,
                 struct out *o)
{
	char buf[512];
	ssize_t n, i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
		if (n == 0) {
			flush_line(log, p, o);
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' || o->len == PROC_LINE_MAX - 1)
				flush_line(log, p, o);
			if (buf[i] != '\n')
				o->line[o->len++] = buf[i];
		}
	}
}

/* Wait for the output's end and the child's exit until the deadline. */
static int wait_child(struct loop *l, pid_t pid, int rfd, int64_t end,
                      const struct logger *log, const struct proc_spec *p,
                      int *status)
{
	struct pollfd pfd = { rfd, POLLIN, 0 };
	struct out o = { "", 0, 0 };
	int eof = 0, rc;

	for (;;) {
		if (!eof) {
			rc = loop_wait(l, &pfd, 1, end);
			if (rc > 0)
				eof = drain(rfd, log, p, &o);
		} else {
			/* A grandchild may keep the pipe; the child is what
			 * counts. */
			rc = loop_sleep(l, port_mono_ms(l->port) + PROC_REAP_MS);
		}
		if (rc < 0 && rc != AL_EINTR)
			return rc;
		if (waitpid(pid, status, WNOHANG) == pid) {
			if (!eof)
				drain(rfd, log, p, &o);
			return 0;
		}
		if (port_mono_ms(l->port) >= end)
			return AL_ETIMEOUT;
	}
}

int proc_run(struct loop *l, const struct logger *log,
             const struct proc_spec *p, int *status)
{
	int fds[2], rc;
	pid_t pid;

	if (pipe(fds) != 0) {
		log_err(log, "%s: cannot start: %s", p->what, strerror(errno));
		return AL_EFAIL;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		log_err(log, "%s: cannot start: %s", p->what, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return AL_EFAIL;
	}
	if (pid == 0) {
		close(fds[0]);
		child(p, fds[1]);
	}
	setpgid(pid, pid); /* also here: no race with the kill below */
	close(fds[1]);
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	rc = wait_child(l, pid, fds[0], port_mono_ms(l->port) + p->timeout_ms,
	                log, p, status);
	if (rc != 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, status, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	return rc;
}
