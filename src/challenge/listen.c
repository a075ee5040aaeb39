/* Listening sockets; see listen.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "listen.h"
#include "log.h"

int listen_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? -1 : 0;
}

/* The socket address of literal text (family given) and port. */
static int sock_addr(int family, const char *text, int port,
                     struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return inet_pton(AF_INET6, text, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return inet_pton(AF_INET, text, &s4->sin_addr) == 1 ? 0 : -1;
}

struct lreq {
	int port, backlog;
	const struct logger *log;
	const char *who, *hint;
};

/* One socket on text (of family). With optional set, a family the host
 * lacks is skipped: returns 0 and *fd stays -1. */
static int listen_one(const struct lreq *q, int family, const char *text,
                      int optional, int *out)
{
	struct sockaddr_storage ss;
	socklen_t salen;
	int fd, one = 1;

	*out = -1;
	if (sock_addr(family, text, q->port, &ss, &salen) != 0)
		return AL_EFAIL;
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0 && optional && errno == EAFNOSUPPORT)
		return 0;
	if (fd < 0 || listen_nonblock(fd) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	/* Without V6ONLY "::" takes the IPv4 port too, and the "0.0.0.0"
	 * socket beside it would fail as if the port were busy. */
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, salen) < 0) {
		if (errno == EADDRINUSE) {
			log_err(q->log, "%s: port %d on %s is in use; %s", q->who,
			        q->port, text, q->hint);
			close(fd);
			return AL_EADDRINUSE;
		}
		if (optional && errno == EADDRNOTAVAIL) { /* IPv6 disabled */
			close(fd);
			return 0;
		}
		goto fail;
	}
	if (listen(fd, q->backlog) < 0)
		goto fail;
	*out = fd;
	log_debug(q->log, "%s: listening on %s port %d", q->who, text, q->port);
	return 0;
fail:
	log_err(q->log, "%s: cannot listen on %s port %d: %s", q->who, text,
	        q->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return AL_EFAIL;
}

int listen_open(const char *addr, int port, int backlog, int *fds, int *n,
                const struct logger *log, const char *who,
                const char *busy_hint)
{
	struct lreq q = { port, backlog, log, who, busy_hint };
	unsigned char probe[sizeof(struct in6_addr)];
	int rc, i;

	*n = 0;
	fds[0] = fds[1] = -1;
	if (port < 1 || port > 65535) {
		log_err(log, "%s: port %d is not valid; use 1 to 65535", who, port);
		return AL_EFAIL;
	}
	if (!addr || !*addr) {
		rc = listen_one(&q, AF_INET6, "::", 1, &fds[0]);
		if (rc == 0)
			rc = listen_one(&q, AF_INET, "0.0.0.0", 1, &fds[1]);
	} else if (inet_pton(AF_INET, addr, probe) == 1) {
		rc = listen_one(&q, AF_INET, addr, 0, &fds[0]);
	} else if (inet_pton(AF_INET6, addr, probe) == 1) {
		rc = listen_one(&q, AF_INET6, addr, 0, &fds[0]);
	} else {
		log_err(log, "%s: '%s' is not an IP address; give a literal "
		        "such as 192.0.2.1 or ::1, or none for all", who, addr);
		rc = AL_EFAIL;
	}
	if (fds[0] < 0 && fds[1] >= 0) {
		fds[0] = fds[1];
		fds[1] = -1;
	}
	*n = (fds[0] >= 0) + (fds[1] >= 0);
	if (rc == 0 && *n == 0) {
		log_err(log, "%s: no IPv4 or IPv6 address to listen on port %d",
		        who, port);
		rc = AL_EFAIL;
	}
	if (rc != 0) {
		for (i = 0; i < LISTEN_MAX; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		fds[0] = fds[1] = -1;
		*n = 0;
	}
	return rc;
}
