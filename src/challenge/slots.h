/* The connection table of a challenge server (the http-01 responder, the
 * tls-alpn-01 server): a bounded array of connections, each beginning
 * with a struct slot. It finds a free slot or the connection that gives
 * way to a new one, closes connections at their deadline, and lays out the
 * poll() entries of the server's listeners and connections. What a
 * connection does with its socket stays the server's. */
#ifndef ACMELET_SLOTS_H
#define ACMELET_SLOTS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct logger;

#define SLOTS_ACCEPT_PAUSE_MS 100 /* listeners rest after accept() ran out */

/* The first member of every connection of a table. */
struct slot {
	int fd;              /* -1 when the slot is free */
	int64_t deadline_ms; /* closed then */
	int64_t last_ms;     /* accepted or last I/O: how long it was silent */
};

/* What differs between the servers, constant for each. */
struct slots_class {
	const char *who;     /* names the server in log lines */
	size_t size;         /* bytes of one connection */
	int n;               /* connections in the table */
	int timeout_ms;      /* a connection's life */
	int evict_ms;        /* silent this long, may give way (0: at once) */
	/* 1 when c may give way to a new connection; NULL: every one may. */
	int (*may_evict)(const struct slot *c);
	/* 1 when c waits to send (polled for POLLOUT), 0 to receive. */
	int (*sending)(const struct slot *c);
	/* Close c's socket, free what it holds, and set its fd to -1. */
	void (*close)(struct slot *c);
};

struct slots {
	const struct slots_class *cls;
	void *conns;          /* the server's own array, cls->n connections
	                       * of cls->size bytes: the server never moves */
	const struct logger *log;
	unsigned evicted;     /* connections dropped for a new one */
	int polled_listeners; /* listeners in the last slots_want() */
	int64_t accept_after; /* listeners not polled before (EMFILE) */
};

/* Make t the table of conns (cls->n connections, every one free: fd -1,
 * deadline and last I/O 0; the rest of each connection is the caller's). */
void slots_init(struct slots *t, const struct slots_class *cls, void *conns,
                const struct logger *log);

/* The slot of connection i (0 <= i < cls->n). */
struct slot *slots_at(const struct slots *t, int i);

/* A slot for a new connection: a free one, else the connection silent
 * longest among those that may give way, once silent cls->evict_ms
 * (closed, counted and logged); else NULL. */
struct slot *slots_for_new(struct slots *t, int64_t now);

/* 1 when a new connection could have a slot now: one is free, or the
 * connection silent longest may give way. Nothing is closed: a server
 * asks this before accept() and calls slots_for_new() only once accept()
 * gave it a connection, so no one is dropped for a connection that is not
 * there. */
int slots_room(const struct slots *t, int64_t now);

/* Take fd into c (from slots_for_new) as accepted at now. */
void slots_take(const struct slots *t, struct slot *c, int fd, int64_t now);

/* accept() on lfd, again after EINTR: the new descriptor, or -1. When
 * descriptors or memory ran out (a warning), the listeners rest for
 * SLOTS_ACCEPT_PAUSE_MS: they stay readable, and polling them would spin. */
int slots_accept(struct slots *t, int lfd, int64_t now);

/* The loop service's want() (loop.h) for the listeners lfd[0..nlfd) and
 * the table: closes the connections past their deadline, then fills pfd
 * with the listeners first (while a slot is free or can be freed, and the
 * accept pause is over), then the open connections in slot order; lowers
 * *wake to the next deadline, eviction or end of the pause. Returns the
 * number of entries (at most max). */
int slots_want(struct slots *t, const int *lfd, int nlfd, struct pollfd *pfd,
               int max, int64_t *wake, int64_t now);

/* Whether entry k of the last slots_want() is a listener. */
int slots_is_listener(const struct slots *t, int k);

/* The open connection on fd, its silence ended at now; NULL when none
 * (closed meanwhile, by an accept's eviction). */
struct slot *slots_ready(struct slots *t, int fd, int64_t now);

#endif
