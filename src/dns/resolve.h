/* What dns-01 asks of DNS, built on one exchange (query.c): the zone of a
 * name (SOA), CNAME following at _acme-challenge (bounded, loop-safe),
 * the authoritative servers (NS, then their addresses), a TSIG-signed
 * RFC 2136 update of one TXT value, and the propagation check that asks
 * every authoritative server until each answers our value.
 *
 * Which servers: --dns-resolver IP[:PORT][,...] names the servers that
 * are asked everything, and they are also the authoritative servers that
 * the propagation check asks (a split-horizon or test setup); without it
 * the system resolver (/etc/resolv.conf) looks things up and the zone's
 * NS records give the authoritative servers, on port 53.
 *
 * Every function that fails logs one line naming the server and the name
 * and saying what to do; callers do not log again. */
#ifndef ACMELET_DNS_RESOLVE_H
#define ACMELET_DNS_RESOLVE_H

#include <stdint.h>

#include "dns/msg.h"
#include "dns/query.h"
#include "dns/tsig.h"

struct loop;
struct port;
struct logger;

#define DNS_MAX_SERVERS 8
#define DNS_CNAME_MAX 8         /* hops followed at _acme-challenge */
#define DNS_LOOKUP_MS 10000     /* one lookup, every server and retry */
#define DNS_TXT_TTL 60

struct dns_ctx {
	struct loop *loop;
	struct port *port;
	const struct logger *log;
	struct dns_server res[DNS_MAX_SERVERS];
	int nres;
	int res_given;          /* from --dns-resolver: also authoritative */
	uint8_t q[4096];
	uint8_t a[DNS_MSG_MAX];
	struct dns_msg m;       /* the last answer, over a[] */
	char seen[DNS_CNAME_MAX + 1][DNS_NAME_TEXT_MAX]; /* CNAME walk */
};

/* Set d up: the servers of resolvers ("IP[:PORT],..." from
 * --dns-resolver), else the nameservers of /etc/resolv.conf. 0, or
 * AL_EINVAL after one line. */
int dns_ctx_init(struct dns_ctx *d, struct loop *l, struct port *p,
                 const struct logger *lg, const char *resolvers);

/* Follow CNAMEs from name (at most DNS_CNAME_MAX, a loop refused) into
 * out (DNS_NAME_TEXT_MAX bytes): where a TXT value for name must go. */
int dns_follow_cname(struct dns_ctx *d, const char *name, char *out);

/* The zone that holds name, and its primary (SOA MNAME). */
int dns_find_zone(struct dns_ctx *d, const char *name, char *zone,
                  char *mname);

/* The authoritative servers of zone into s (DNS_MAX_SERVERS); *n set. */
int dns_auth_servers(struct dns_ctx *d, const char *zone,
                     struct dns_server *s, int *n);

/* The server to send updates to: server_opt (--dns-server HOST[:PORT],
 * a literal or a name) or else mname, on port 53. */
int dns_update_server(struct dns_ctx *d, const char *server_opt,
                      const char *mname, struct dns_server *s);

/* Where a TXT value for name is written: the owner after CNAMEs into
 * owner, its zone into zone (each DNS_NAME_TEXT_MAX bytes), and the
 * server that takes the zone's updates (server_opt, else the SOA MNAME)
 * into s. Logs one line when name is a CNAME (where the value goes). */
int dns_locate(struct dns_ctx *d, const char *server_opt, const char *name,
               char *owner, char *zone, struct dns_server *s);

/* Add (add = 1) or delete exactly the TXT value at name in zone through
 * s, signed with k. 0, or an AL_E* code after one line (BADSIG, BADKEY,
 * REFUSED, NOTAUTH, unreachable, ...). */
int dns_update(struct dns_ctx *d, const struct dns_server *s,
               const struct tsig_key *k, const char *zone, const char *name,
               const char *value, int add);

/* Ask each of the n servers (no recursion) for TXT at name until every
 * one answers with value, for at most wait_s seconds. 0, or AL_ETIMEOUT
 * after one line naming a server that still lacks it. */
int dns_wait_txt(struct dns_ctx *d, const struct dns_server *s, int n,
                 const char *name, const char *value, int wait_s);

/* Ask server s (recurse: with RD) for name and type: 0 with d->m holding
 * an answer whose RCODE is NOERROR or NXDOMAIN; else an AL_E* code, and
 * *why a few words (no line logged). */
int dns_ask_one(struct dns_ctx *d, const struct dns_server *s,
                const char *name, uint16_t type, int recurse,
                const char **why);

/* Split line in place at blanks into at most max words; how many. */
int dns_words(char *line, char **w, int max);

#endif
