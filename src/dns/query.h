/* One DNS exchange with one server, waited for through the loop (D4):
 * UDP first, TCP when the answer is truncated (TC), bounded retries with
 * growing per-try timeouts, one overall deadline. Answers that do not
 * match the request (ID, question, QR) are ignored, as a spoofed or late
 * datagram would be. */
#ifndef ACMELET_DNS_QUERY_H
#define ACMELET_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct port;

#define DNS_TRIES 3             /* UDP sends per exchange */
#define DNS_TRY_MS 1000         /* first per-try timeout, doubled each try */

struct dns_server {
	struct sockaddr_storage sa;
	socklen_t salen;
	char text[64];          /* "192.0.2.1:53" or "[2001:db8::1]:53" */
};

/* Parse IP[:PORT] or [IPv6]:PORT (port default_port when absent) into s.
 * 0 or AL_EINVAL (only literals: names are looked up by resolve.c). */
int dns_server_parse(const char *text, int default_port, struct dns_server *s);

/* s from an address of len bytes (4: IPv4, 16: IPv6) and a port. */
void dns_server_from(const uint8_t *addr, size_t len, int port,
                     struct dns_server *s);

/* Send the request q (qlen bytes) to s and receive its answer into ans
 * (cap bytes) before deadline_ms (monotonic). 0 with *alen; AL_ETIMEOUT
 * (no answer), AL_ECONNECT (refused or unreachable), AL_EPROTO (only
 * garbled answers, or a TCP answer cut short), AL_E2BIG (an answer over
 * cap), AL_EINTR. Logs nothing: the caller names what it asked. */
int dns_exchange(struct loop *l, struct port *p, const struct dns_server *s,
                 const uint8_t *q, size_t qlen, uint8_t *ans, size_t cap,
                 size_t *alen, int64_t deadline_ms);

/* A few words for an dns_exchange error ("no answer", ...). */
const char *dns_exchange_why(int rc);

#endif
