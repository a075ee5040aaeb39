/* One DNS exchange: UDP with TCP fallback, non-blocking, through the loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/msg.h"
#include "dns/query.h"
#include "err.h"
#include "loop.h"
#include "port.h"

void dns_server_from(const uint8_t *addr, size_t len, int port,
                     struct dns_server *s)
{
	char ip[INET6_ADDRSTRLEN];

	memset(s, 0, sizeof(*s));
	if (len == 16) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->sa;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		memcpy(&a->sin6_addr, addr, 16);
		s->salen = sizeof(*a);
		inet_ntop(AF_INET6, addr, ip, sizeof(ip));
		snprintf(s->text, sizeof(s->text), "[%s]:%d", ip, port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&s->sa;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		memcpy(&a->sin_addr, addr, 4);
		s->salen = sizeof(*a);
		inet_ntop(AF_INET, addr, ip, sizeof(ip));
		snprintf(s->text, sizeof(s->text), "%s:%d", ip, port);
	}
}

int dns_server_parse(const char *text, int default_port, struct dns_server *s)
{
	char host[64];
	const char *port = NULL, *end;
	uint8_t a[16];
	long n = default_port;
	char *e;

	if (text[0] == '[') {
		if (!(end = strchr(text, ']')) || (end[1] && end[1] != ':'))
			return AL_EINVAL;
		if (end[1] == ':')
			port = end + 2;
		text++;
	} else {
		end = strchr(text, ':');
		if (end && strchr(end + 1, ':'))
			end = text + strlen(text);  /* a bare IPv6 literal */
		else if (end)
			port = end + 1;
		else
			end = text + strlen(text);
	}
	if ((size_t)(end - text) >= sizeof(host))
		return AL_EINVAL;
	memcpy(host, text, (size_t)(end - text));
	host[end - text] = 0;
	if (port) {
		n = strtol(port, &e, 10);
		if (!*port || *e || n < 1 || n > 65535)
			return AL_EINVAL;
	}
	if (inet_pton(AF_INET, host, a) == 1)
		dns_server_from(a, 4, (int)n, s);
	else if (inet_pton(AF_INET6, host, a) == 1)
		dns_server_from(a, 16, (int)n, s);
	else
		return AL_EINVAL;
	return 0;
}

/* 1 when ans answers q: same ID, QR set, the same question. */
static int matches(const uint8_t *q, size_t qlen, const uint8_t *ans,
                   size_t alen)
{
	struct dns_msg mq, ma;
	char nq[DNS_NAME_TEXT_MAX], na[DNS_NAME_TEXT_MAX];
	uint16_t tq, cq, ta, ca;

	if (dns_parse(&mq, q, qlen) || alen < DNS_HDR_LEN ||
	    ans[0] != q[0] || ans[1] != q[1] || !(ans[2] & 0x80))
		return 0;
	if (dns_parse(&ma, ans, alen))
		return -1;      /* ours, but garbled */
	if (mq.count[DNS_S_QD] != ma.count[DNS_S_QD])
		return 0;
	if (!mq.count[DNS_S_QD])
		return 1;
	if (dns_question(&mq, 0, nq, &tq, &cq) ||
	    dns_question(&ma, 0, na, &ta, &ca))
		return 0;
	return dns_name_eq(nq, na) && tq == ta && cq == ca;
}

static int open_sock(const struct dns_server *s, int type)
{
	int fd = socket(s->sa.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return AL_ECONNECT;
	if (connect(fd, (const struct sockaddr *)&s->sa, s->salen) != 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return AL_ECONNECT;
	}
	return fd;
}

/* Wait for events on fd until deadline: 1 ready, 0 deadline, <0 error. */
static int wait_fd(struct loop *l, int fd, short ev, int64_t deadline)
{
	struct pollfd p = { fd, ev, 0 };
	int r = loop_wait(l, &p, 1, deadline);

	return r < 0 ? r : r > 0;
}

static int tcp_exchange(struct loop *l, const struct dns_server *s,
                        const uint8_t *q, size_t qlen, uint8_t *ans,
                        size_t cap, size_t *alen, int64_t deadline)
{
	uint8_t out[2 + DNS_MSG_MAX], hdr[2];
	size_t sent = 0, got = 0, need = 0;
	int fd = open_sock(s, SOCK_STREAM), r = AL_ETIMEOUT, err = 0;
	socklen_t el = sizeof(err);
	ssize_t n;

	if (fd < 0)
		return fd;
	if (qlen > DNS_MSG_MAX) {
		close(fd);
		return AL_E2BIG;
	}
	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, q, qlen);
	while (sent < qlen + 2) {
		if ((r = wait_fd(l, fd, POLLOUT, deadline)) <= 0)
			goto out;
		if (!sent && (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err)) {
			r = AL_ECONNECT;
			goto out;
		}
		n = send(fd, out + sent, qlen + 2 - sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			r = AL_ECONNECT;
			goto out;
		}
		sent += n > 0 ? (size_t)n : 0;
	}
	for (;;) {
		if ((r = wait_fd(l, fd, POLLIN, deadline)) <= 0)
			goto out;
		if (got < 2)
			n = recv(fd, hdr + got, 2 - got, 0);
		else
			n = recv(fd, ans + got - 2, need - (got - 2), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			r = AL_EPROTO;  /* closed before the whole answer */
			goto out;
		}
		got += n > 0 ? (size_t)n : 0;
		if (got == 2 && !need) {
			need = (size_t)hdr[0] << 8 | hdr[1];
			if (need > cap || need < DNS_HDR_LEN) {
				r = need > cap ? AL_E2BIG : AL_EPROTO;
				goto out;
			}
		}
		if (need && got == need + 2)
			break;
	}
	r = matches(q, qlen, ans, need) == 1 ? 0 : AL_EPROTO;
	*alen = need;
out:
	close(fd);
	return r == 0 ? 0 : r < 0 ? r : AL_ETIMEOUT;
}

int dns_exchange(struct loop *l, struct port *p, const struct dns_server *s,
                 const uint8_t *q, size_t qlen, uint8_t *ans, size_t cap,
                 size_t *alen, int64_t deadline_ms)
{
	int fd = open_sock(s, SOCK_DGRAM), try, r = AL_ETIMEOUT, garbled = 0;
	int64_t until;
	ssize_t n;

	if (fd < 0)
		return fd;
	for (try = 0; try < DNS_TRIES; try++) {
		until = port_mono_ms(p) + ((int64_t)DNS_TRY_MS << try);
		if (until > deadline_ms || try == DNS_TRIES - 1)
			until = deadline_ms;
		if (send(fd, q, qlen, 0) < 0 && errno != EAGAIN) {
			r = AL_ECONNECT;
			break;
		}
		while ((r = wait_fd(l, fd, POLLIN, until)) == 1) {
			n = recv(fd, ans, cap, 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				r = AL_ECONNECT;   /* ICMP port unreachable */
				goto out;
			}
			r = matches(q, qlen, ans, (size_t)n);
			if (r < 0)
				garbled = 1;
			if (r != 1)
				continue;
			if (ans[2] & (DNS_F_TC >> 8)) {
				close(fd);
				return tcp_exchange(l, s, q, qlen, ans, cap, alen,
				                    deadline_ms);
			}
			*alen = (size_t)n;
			r = 0;
			goto out;
		}
		if (r < 0 || port_mono_ms(p) >= deadline_ms)
			break;
	}
	if (r == 0 || r == 1)
		r = garbled ? AL_EPROTO : AL_ETIMEOUT;
out:
	close(fd);
	return r;
}

const char *dns_exchange_why(int rc)
{
	switch (rc) {
	case AL_ETIMEOUT: return "no answer";
	case AL_ECONNECT: return "unreachable (refused)";
	case AL_EPROTO: return "garbled or truncated answers";
	case AL_E2BIG: return "an answer too large";
	case AL_EINTR: return "interrupted";
	default: return "failed";
	}
}
