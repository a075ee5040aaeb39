/* Running the hook: fork, exec without a shell, bounded wait. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "hook.h"
#include "log.h"

#define NAMES_ENV_MAX 4096

/* In the child: environment, then exec; never returns. */
static void hook_exec(const struct config *cfg, const char *event,
                      const char *dir, const char *error)
{
	char names[NAMES_ENV_MAX] = "";
	sigset_t none;
	size_t n = 0;
	long fd, maxfd = sysconf(_SC_OPEN_MAX);
	int i;

	/* The hook gets neither our sockets (the CA connection) nor the
	 * daemon's blocked signals. */
	for (fd = 3; fd < (maxfd > 0 && maxfd < 65536 ? maxfd : 1024); fd++)
		close((int)fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	for (i = 0; i < cfg->nnames && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
		                      i ? " " : "", cfg->names[i]);
	setenv("ACMELET_EVENT", event, 1);
	setenv("ACMELET_NAME", cfg->cert_name, 1);
	setenv("ACMELET_NAMES", names, 1);
	setenv("ACMELET_LIVE_DIR", dir, 1);
	if (error)
		setenv("ACMELET_ERROR", error, 1);
	execl(cfg->hook, cfg->hook, event, cfg->cert_name, dir, (char *)NULL);
	_exit(127);
}

/* Wait for pid at most HOOK_TIMEOUT_MS; kill it after that. */
static int hook_wait(pid_t pid, int *status)
{
	int waited;

	for (waited = 0; waited < HOOK_TIMEOUT_MS; waited += 50) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return AL_EFAIL;
		poll(NULL, 0, 50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return AL_ETIMEOUT;
}

int hook_run(const struct config *cfg, const struct logger *log,
             const char *event, const char *live_dir, const char *error)
{
	pid_t pid;
	int status = 0, rc;

	if (!cfg->hook || !cfg->hook[0])
		return 0;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		log_err(log, "%s: hook %s: cannot start: %s", cfg->cert_name,
		        cfg->hook, strerror(errno));
		return AL_EFAIL;
	}
	if (pid == 0)
		hook_exec(cfg, event, live_dir, error);
	rc = hook_wait(pid, &status);
	if (rc == AL_ETIMEOUT) {
		log_err(log, "%s: hook %s %s took more than %d s and was killed",
		        cfg->cert_name, cfg->hook, event, HOOK_TIMEOUT_MS / 1000);
		return AL_EFAIL;
	}
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_err(log, "%s: hook %s %s failed (%s %d); the certificate is "
		        "in place, check the hook", cfg->cert_name, cfg->hook, event,
		        WIFEXITED(status) ? "exit status" : "signal",
		        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return AL_EFAIL;
	}
	log_debug(log, "%s: hook %s %s done", cfg->cert_name, cfg->hook, event);
	return 0;
}
