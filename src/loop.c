/* The one poll loop (see loop.h). Each round asks every service what to
 * poll and when it next needs a call, polls those descriptors together
 * with the waiter's, then hands every service its slice of the results.
 * Services are called every round, with or without events, so that their
 * idle deadlines are kept without a timer list. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "err.h"
#include "loop.h"
#include "port.h"

#define LOOP_MAX_WAIT_MS 60000 /* a round never sleeps longer (clock jumps) */

void loop_init(struct loop *l, struct port *port)
{
	memset(l, 0, sizeof(*l));
	l->port = port;
}

int loop_add(struct loop *l, const struct loop_service *s)
{
	if (l->nsvc >= LOOP_MAX_SERVICES)
		return AL_E2BIG;
	l->svc[l->nsvc++] = *s;
	return 0;
}

void loop_del(struct loop *l, void *self)
{
	int i;

	for (i = 0; i < l->nsvc; i++) {
		if (l->svc[i].self != self)
			continue;
		memmove(&l->svc[i], &l->svc[i + 1],
		        (size_t)(l->nsvc - i - 1) * sizeof(l->svc[0]));
		l->nsvc--;
		return;
	}
}

/* Fill l->pfd after the caller's nfds entries with every service's
 * descriptors; cnt[i] is service i's count. Returns the total, and lowers
 * *wake to the earliest time a service wants to be called. */
static int gather(struct loop *l, int nfds, int *cnt, int64_t *wake)
{
	int i, n = nfds;

	for (i = 0; i < l->nsvc; i++) {
		int64_t w = INT64_MAX;
		int k = l->svc[i].want(l->svc[i].self, l->pfd + n,
		                       LOOP_MAX_FDS - n, &w);

		cnt[i] = k < 0 ? 0 : k;
		n += cnt[i];
		if (w < *wake)
			*wake = w;
	}
	return n;
}

/* Wait for the caller's fds or the deadline, serving services; see
 * loop.h. */
int loop_wait(struct loop *l, struct pollfd *fds, int nfds, int64_t deadline_ms)
{
	int cnt[LOOP_MAX_SERVICES];
	int i, n, rc, off, mine;
	int64_t now, wake, wait;

	if (nfds < 0 || nfds > LOOP_MAX_FDS / 2)
		return AL_EINVAL;
	for (;;) {
		if (nfds > 0)
			memcpy(l->pfd, fds, (size_t)nfds * sizeof(*fds));
		for (i = 0; i < nfds; i++)
			l->pfd[i].revents = 0;
		wake = deadline_ms;
		n = gather(l, nfds, cnt, &wake);
		now = port_mono_ms(l->port);
		wait = wake - now;
		if (wait < 0)
			wait = 0;
		if (wait > LOOP_MAX_WAIT_MS)
			wait = LOOP_MAX_WAIT_MS;
		rc = poll(l->pfd, (nfds_t)n, (int)wait);
		if (rc < 0 && errno == EINTR)
			return AL_EINTR;
		if (rc < 0)
			return AL_EFAIL;
		now = port_mono_ms(l->port);
		for (i = 0, off = nfds; i < l->nsvc; off += cnt[i], i++)
			l->svc[i].serve(l->svc[i].self, l->pfd + off, cnt[i], now);
		for (i = 0, mine = 0; i < nfds; i++) {
			fds[i].revents = l->pfd[i].revents;
			mine += fds[i].revents != 0;
		}
		if (mine > 0)
			return mine;
		if (now >= deadline_ms)
			return 0;
	}
}

int loop_sleep(struct loop *l, int64_t deadline_ms)
{
	return loop_wait(l, NULL, 0, deadline_ms);
}
