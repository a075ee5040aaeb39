/* Listening sockets for the servers of the challenge methods: every
 * address (IPv6 and IPv4 where the host has them) or one literal,
 * non-blocking, close-on-exec, with a deep backlog. */
#ifndef ACMELET_LISTEN_H
#define ACMELET_LISTEN_H

struct logger;

#define LISTEN_MAX 2      /* IPv6 and IPv4 */

/* Listen on addr:port (addr NULL or "": every address) into fds (up to
 * LISTEN_MAX); *n gets how many. who names the server in log lines and
 * busy_hint says what to do when the port is taken. 0; AL_EADDRINUSE
 * when the port is taken (one line naming port, address and busy_hint);
 * AL_EFAIL otherwise (one line). On failure nothing stays open. */
int listen_open(const char *addr, int port, int backlog, int *fds, int *n,
                const struct logger *log, const char *who,
                const char *busy_hint);

/* Make fd non-blocking and close-on-exec; 0 or -1. */
int listen_nonblock(int fd);

#endif
