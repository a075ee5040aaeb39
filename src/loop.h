/* The one poll loop (D4). Whatever the process waits for (a transport's
 * socket, the delay between order polls, a hook's child process, a DNS
 * answer) it waits for in loop_wait(), which polls the waiter's own file
 * descriptors together with those of every registered service (the http-01
 * responder, the tls-alpn-01 server, ...) and serves those meanwhile. So no
 * wait of any kind leaves a validator knocking unanswered.
 *
 * A service is a small "class" in BearSSL's manner: it says which
 * descriptors it wants polled and when it next needs a call without I/O
 * (a connection's idle deadline), and is called back with the results.
 * Services never block; the loop owns no memory beyond its fixed arrays.
 *
 * API agreed before its implementation (src/loop.c) so that the methods
 * in src/challenge/ and the transports in src/http/ can be written
 * against it at the same time. */
#ifndef ACMELET_LOOP_H
#define ACMELET_LOOP_H

#include <poll.h>
#include <stdint.h>

struct port;

#define LOOP_MAX_SERVICES 8
#define LOOP_MAX_FDS 512    /* every service's descriptors plus the waiter's */

struct loop_service {
	/* Fill at most max entries of pfd with the descriptors to poll and
	 * their events; return how many. *wake_ms (monotonic ms) may be
	 * lowered to the time the service needs serve() called even without
	 * I/O (an idle timeout); it starts at INT64_MAX. */
	int (*want)(void *self, struct pollfd *pfd, int max, int64_t *wake_ms);
	/* After poll: pfd holds the same n entries with revents filled;
	 * now_ms is the monotonic time. Must not block. */
	void (*serve)(void *self, struct pollfd *pfd, int n, int64_t now_ms);
	void *self;
};

struct loop {
	struct port *port;                 /* the monotonic clock */
	struct loop_service svc[LOOP_MAX_SERVICES];
	int nsvc;
	struct pollfd pfd[LOOP_MAX_FDS];
};

/* An empty loop reading its clock from port. */
void loop_init(struct loop *l, struct port *port);

/* Register a service; AL_E2BIG when LOOP_MAX_SERVICES are taken. */
int loop_add(struct loop *l, const struct loop_service *s);

/* Forget the service whose self is self (a no-op when absent). */
void loop_del(struct loop *l, void *self);

/* Wait until one of the caller's fds (nfds may be 0) has an event, or
 * the monotonic deadline_ms passes, serving every service meanwhile. On
 * return fds[].revents are set. Returns the number of the caller's fds
 * with events (0: deadline reached), or a negative AL_E* code when poll()
 * itself failed. EINTR is returned as AL_EINTR so that the daemon's
 * signals are seen. */
int loop_wait(struct loop *l, struct pollfd *fds, int nfds, int64_t deadline_ms);

/* loop_wait with no descriptor of the caller's: a delay that serves. */
int loop_sleep(struct loop *l, int64_t deadline_ms);

#endif
