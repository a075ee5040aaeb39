/* Child processes (hooks) waited for through the one poll loop: the
 * child's stdout and stderr are a pipe whose end of file, together with a
 * WNOHANG reap, says it is done, so no SIGCHLD handler and no blocking
 * waitpid() is needed, and validators are served while a hook runs. */
#ifndef ACMELET_PROC_H
#define ACMELET_PROC_H

struct logger;
struct loop;

struct proc_spec {
	char *const *argv;            /* argv[0] is the program, run without a shell */
	void (*child_setup)(void *);  /* in the child before exec (environment), or NULL */
	void *arg;
	int timeout_ms;               /* then SIGKILL */
	const char *what;             /* prefix of the output lines in the log */
};

/* Run p->argv, its output going line by line to the log (info level,
 * bounded), waiting through l. The child gets no descriptor of ours
 * beyond 0-2 and an empty signal mask, in a process group of its own that
 * is killed whole at the deadline. Returns 0 with *status as from
 * waitpid(); AL_ETIMEOUT when it was killed after p->timeout_ms (not
 * logged: the caller says what it was); AL_EFAIL when it could not be
 * started (logged). */
int proc_run(struct loop *l, const struct logger *log,
             const struct proc_spec *p, int *status);

#endif
