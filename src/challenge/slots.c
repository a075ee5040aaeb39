/* The connection table of a challenge server; see slots.h.
 *
 * When every slot is taken, the connection silent longest gives way to the
 * new one, so that idle clients cannot hold every slot while a
 * validator's connection waits. Each server says which connections may
 * give way and after how long (its struct slots_class). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "slots.h"

void slots_init(struct slots *t, const struct slots_class *cls, void *conns,
                const struct logger *log)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->cls = cls;
	t->conns = conns;
	t->log = log;
	for (i = 0; i < cls->n; i++) {
		struct slot *c = slots_at(t, i);

		c->fd = -1;
		c->deadline_ms = c->last_ms = 0;
	}
}

struct slot *slots_at(const struct slots *t, int i)
{
	char *p = (char *)t->conns + (size_t)i * t->cls->size;

	return (struct slot *)(void *)p;
}

static struct slot *slot_free(const struct slots *t)
{
	int i;

	for (i = 0; i < t->cls->n; i++)
		if (slots_at(t, i)->fd < 0)
			return slots_at(t, i);
	return NULL;
}

/* The open connection silent longest that may give way, or NULL. */
static struct slot *most_silent(const struct slots *t)
{
	const struct slots_class *cls = t->cls;
	struct slot *best = NULL;
	int i;

	for (i = 0; i < cls->n; i++) {
		struct slot *c = slots_at(t, i);

		if (c->fd >= 0 && (!cls->may_evict || cls->may_evict(c)) &&
		    (!best || c->last_ms < best->last_ms))
			best = c;
	}
	return best;
}

struct slot *slots_for_new(struct slots *t, int64_t now)
{
	struct slot *c = slot_free(t);

	if (c)
		return c;
	c = most_silent(t);
	if (!c || now - c->last_ms < t->cls->evict_ms)
		return NULL;
	log_debug(t->log, "%s: every slot taken; dropped the connection "
	          "silent for %lld ms", t->cls->who,
	          (long long)(now - c->last_ms));
	t->evicted++;
	t->cls->close(c);
	return c;
}

void slots_take(const struct slots *t, struct slot *c, int fd, int64_t now)
{
	c->fd = fd;
	c->deadline_ms = now + t->cls->timeout_ms;
	c->last_ms = now;
}

int slots_accept(struct slots *t, int lfd, int64_t now)
{
	int fd;

	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
	               errno == ENOBUFS || errno == ENOMEM)) {
		log_warn(t->log, "%s: accept: %s", t->cls->who,
		         strerror(errno));
		t->accept_after = now + SLOTS_ACCEPT_PAUSE_MS;
	}
	return fd;
}

/* Close connections past their deadline; lower *wake to the next one. */
static void expire(const struct slots *t, int64_t now, int64_t *wake)
{
	int i;

	for (i = 0; i < t->cls->n; i++) {
		struct slot *c = slots_at(t, i);

		if (c->fd < 0)
			continue;
		if (c->deadline_ms <= now) {
			log_debug(t->log, "%s: connection still open after "
			          "%d ms, closed", t->cls->who,
			          t->cls->timeout_ms);
			t->cls->close(c);
		} else if (c->deadline_ms < *wake) {
			*wake = c->deadline_ms;
		}
	}
}

/* Whether a new connection could have a slot now; else *wake is lowered
 * to when the silent longest may give way. */
static int can_take(const struct slots *t, int64_t now, int64_t *wake)
{
	const struct slot *old;
	int64_t at;

	if (slot_free(t))
		return 1;
	if (!(old = most_silent(t)))
		return 0;
	at = old->last_ms + t->cls->evict_ms;
	if (now - old->last_ms >= t->cls->evict_ms)
		return 1;
	if (at < *wake)
		*wake = at;
	return 0;
}

int slots_room(const struct slots *t, int64_t now)
{
	int64_t wake = INT64_MAX;

	return can_take(t, now, &wake);
}

int slots_want(struct slots *t, const int *lfd, int nlfd, struct pollfd *pfd,
               int max, int64_t *wake, int64_t now)
{
	int i, n = 0, listen_ok;

	expire(t, now, wake);
	listen_ok = can_take(t, now, wake);
	if (t->accept_after > now) {
		listen_ok = 0;
		if (t->accept_after < *wake)
			*wake = t->accept_after;
	}
	t->polled_listeners = 0;
	for (i = 0; listen_ok && i < nlfd && n < max; i++) {
		pfd[n].fd = lfd[i];
		pfd[n++].events = POLLIN;
		t->polled_listeners++;
	}
	for (i = 0; i < t->cls->n && n < max; i++) {
		const struct slot *c = slots_at(t, i);

		if (c->fd < 0)
			continue;
		pfd[n].fd = c->fd;
		pfd[n++].events = t->cls->sending(c) ? POLLOUT : POLLIN;
	}
	return n;
}

int slots_is_listener(const struct slots *t, int k)
{
	return k < t->polled_listeners;
}

struct slot *slots_ready(struct slots *t, int fd, int64_t now)
{
	int i;

	for (i = 0; i < t->cls->n; i++) {
		struct slot *c = slots_at(t, i);

		if (c->fd == fd) {
			c->last_ms = now;
			return c;
		}
	}
	return NULL;
}
