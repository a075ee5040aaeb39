/* Zone, CNAME, NS, update and propagation on top of dns_exchange. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/resolve.h"
#include "err.h"
#include "log.h"
#include "loop.h"
#include "port.h"

static uint16_t new_id(struct dns_ctx *d)
{
	uint8_t b[2] = { 0, 0 };

	/* A random ID makes a blind spoofed answer unlikely; without
	 * entropy the clock's low bits still differ between queries. */
	if (port_entropy(d->port, b, 2))
		return (uint16_t)port_mono_ms(d->port);
	return (uint16_t)(b[0] << 8 | b[1]);
}

int dns_words(char *line, char **w, int max)
{
	int n = 0;

	/* no sscanf: it would pull a scanner into the static binary */
	while (*line && n < max) {
		line += strspn(line, " \t\r");
		if (!*line)
			break;
		w[n++] = line;
		line += strcspn(line, " \t\r");
		if (*line)
			*line++ = 0;
	}
	return n;
}

/* The nameserver lines of /etc/resolv.conf. */
static int resolv_conf(struct dns_ctx *d)
{
	char buf[4096], *line, *save = NULL;
	size_t len;

	if (port_read_file(d->port, "/etc/resolv.conf", buf, sizeof(buf) - 1,
	                   &len))
		len = 0;
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line && d->nres < DNS_MAX_SERVERS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *w[2];

		if (dns_words(line, w, 2) == 2 && !strcmp(w[0], "nameserver") &&
		    dns_server_parse(w[1], 53, &d->res[d->nres]) == 0)
			d->nres++;
	}
	if (!d->nres) {
		log_err(d->log, "dns: /etc/resolv.conf names no nameserver; "
		        "give --dns-resolver IP[:PORT]");
		return AL_EINVAL;
	}
	return 0;
}

int dns_ctx_init(struct dns_ctx *d, struct loop *l, struct port *p,
                 const struct logger *lg, const char *resolvers)
{
	char one[80];
	const char *s = resolvers, *e;

	d->loop = l;
	d->port = p;
	d->log = lg;
	d->nres = 0;
	d->res_given = resolvers != NULL;
	if (!resolvers)
		return resolv_conf(d);
	while (*s) {
		e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		if ((size_t)(e - s) >= sizeof(one) || d->nres >= DNS_MAX_SERVERS)
			goto bad;
		memcpy(one, s, (size_t)(e - s));
		one[e - s] = 0;
		if (dns_server_parse(one, 53, &d->res[d->nres++]))
			goto bad;
		s = *e ? e + 1 : e;
	}
	if (d->nres)
		return 0;
bad:
	log_err(d->log, "dns: --dns-resolver '%s': give IP[:PORT][,IP[:PORT]...] "
	        "(at most %d, addresses not names)", resolvers, DNS_MAX_SERVERS);
	return AL_EINVAL;
}

int dns_ask_one(struct dns_ctx *d, const struct dns_server *s,
                const char *name, uint16_t type, int recurse,
                const char **why)
{
	size_t alen;
	int n = dns_query_build(d->q, sizeof(d->q), new_id(d), name, type,
	                        recurse), r, rc;

	if (n < 0) {
		*why = "a name that cannot be asked";
		return AL_EINVAL;
	}
	r = dns_exchange(d->loop, d->port, s, d->q, (size_t)n, d->a,
	                 sizeof(d->a), &alen,
	                 port_mono_ms(d->port) + DNS_LOOKUP_MS);
	if (r) {
		*why = dns_exchange_why(r);
		return r;
	}
	if (dns_parse(&d->m, d->a, alen)) {
		*why = "garbled or truncated answers";
		return AL_EPROTO;
	}
	rc = DNS_F_RCODE(d->m.flags);
	if (rc != DNS_R_NOERROR && rc != DNS_R_NXDOMAIN) {
		*why = dns_rcode_name(rc);
		return AL_EPROTO;
	}
	return 0;
}

/* Ask the resolvers in turn until one answers; one line when none does. */
static int ask(struct dns_ctx *d, const char *name, uint16_t type)
{
	const char *why = "no server";
	int i, r = AL_ECONNECT;

	for (i = 0; i < d->nres; i++)
		if ((r = dns_ask_one(d, &d->res[i], name, type, 1, &why)) == 0)
			return 0;
	log_err(d->log, "dns: %s %s: %s from %s%s; check the DNS server or "
	        "give --dns-resolver", name, type == DNS_T_SOA ? "SOA" :
	        type == DNS_T_NS ? "NS" : type == DNS_T_TXT ? "TXT" :
	        type == DNS_T_CNAME ? "CNAME" : "A",
	        why, d->res[d->nres ? d->nres - 1 : 0].text,
	        d->nres > 1 ? " (and the others)" : "");
	return r;
}

/* The CNAME at owner in the last answer into out: 1 found, 0 not. */
static int cname_in_answer(struct dns_ctx *d, const char *owner, char *out)
{
	struct dns_rr rr;
	size_t pos = 0;

	while (dns_rr_next(&d->m, &pos, &rr) == 1)
		if (rr.section == DNS_S_AN && rr.type == DNS_T_CNAME &&
		    dns_name_eq(rr.name, owner) && dns_rr_target(&d->m, &rr, out) == 0)
			return 1;
	return 0;
}

int dns_follow_cname(struct dns_ctx *d, const char *name, char *out)
{
	char (*seen)[DNS_NAME_TEXT_MAX] = d->seen;
	char next[DNS_NAME_TEXT_MAX];
	int n = 0, i, r;

	/* One CNAME query per hop: a server answers it with the record
	 * alone, never chasing the chain (BIND answers a loop it would
	 * chase with SERVFAIL), so a loop is seen here, bounded. */
	snprintf(out, DNS_NAME_TEXT_MAX, "%s", name);
	snprintf(seen[n++], DNS_NAME_TEXT_MAX, "%s", name);
	for (;;) {
		if ((r = ask(d, out, DNS_T_CNAME)))
			return r;
		if (!cname_in_answer(d, out, next))
			return 0;
		for (i = 0; i < n; i++)
			if (dns_name_eq(seen[i], next)) {
				log_err(d->log, "dns: %s: CNAME loop at %s; "
				        "fix the CNAME records", name, next);
				return AL_EPROTO;
			}
		if (n > DNS_CNAME_MAX) {
			log_err(d->log, "dns: %s: more than %d CNAMEs; point "
			        "it at its target directly", name, DNS_CNAME_MAX);
			return AL_EPROTO;
		}
		snprintf(seen[n++], DNS_NAME_TEXT_MAX, "%s", next);
		snprintf(out, DNS_NAME_TEXT_MAX, "%s", next);
	}
}

int dns_find_zone(struct dns_ctx *d, const char *name, char *zone,
                  char *mname)
{
	struct dns_rr rr;
	size_t pos = 0;
	int r;

	if ((r = ask(d, name, DNS_T_SOA)))
		return r;
	while (dns_rr_next(&d->m, &pos, &rr) == 1)
		if (rr.type == DNS_T_SOA && (rr.section == DNS_S_AN ||
		    rr.section == DNS_S_NS) && dns_rr_target(&d->m, &rr, mname) == 0) {
			snprintf(zone, DNS_NAME_TEXT_MAX, "%s", rr.name);
			return 0;
		}
	log_err(d->log, "dns: %s: no zone found (no SOA in the answer of %s); "
	        "is the name in a DNS zone? check --dns-resolver", name,
	        d->res[0].text);
	return AL_ENOENT;
}

/* Addresses of host from the A and AAAA records of the last answer
 * (answer or glue), appended to s up to DNS_MAX_SERVERS. */
static void addrs_in_answer(struct dns_ctx *d, const char *host, int port,
                            struct dns_server *s, int *n, int max)
{
	struct dns_rr rr;
	size_t pos = 0;

	while (dns_rr_next(&d->m, &pos, &rr) == 1 && *n < max)
		if (((rr.type == DNS_T_A && rr.rdlen == 4) ||
		     (rr.type == DNS_T_AAAA && rr.rdlen == 16)) &&
		    rr.cls == DNS_C_IN && dns_name_eq(rr.name, host))
			dns_server_from(d->m.buf + rr.rdoff, rr.rdlen, port,
			                &s[(*n)++]);
}

/* The addresses of host on port, looked up at the resolvers, appended
 * to s (*n so far, max in all). */
static int host_addrs(struct dns_ctx *d, const char *host, int port,
                      struct dns_server *s, int *n, int max)
{
	int before = *n, r;

	if ((r = ask(d, host, DNS_T_A)))
		return r;
	addrs_in_answer(d, host, port, s, n, max);
	if (*n == before && ask(d, host, DNS_T_AAAA) == 0)
		addrs_in_answer(d, host, port, s, n, max);
	if (*n == before) {
		log_err(d->log, "dns: %s has no address (A or AAAA) at %s; "
		        "fix its records", host, d->res[0].text);
		return AL_ENOENT;
	}
	return 0;
}

int dns_auth_servers(struct dns_ctx *d, const char *zone,
                     struct dns_server *s, int *n)
{
	char ns[DNS_MAX_SERVERS][DNS_NAME_TEXT_MAX];
	struct dns_rr rr;
	size_t pos = 0;
	int k = 0, i, r;

	*n = 0;
	if (d->res_given) {
		memcpy(s, d->res, sizeof(d->res[0]) * (size_t)d->nres);
		*n = d->nres;
		return 0;
	}
	if ((r = ask(d, zone, DNS_T_NS)))
		return r;
	while (dns_rr_next(&d->m, &pos, &rr) == 1 && k < DNS_MAX_SERVERS)
		if (rr.section == DNS_S_AN && rr.type == DNS_T_NS &&
		    dns_name_eq(rr.name, zone) && dns_rr_target(&d->m, &rr, ns[k]) == 0)
			k++;
	for (i = 0; i < k && *n < DNS_MAX_SERVERS; i++)
		if ((r = host_addrs(d, ns[i], 53, s, n, DNS_MAX_SERVERS)))
			return r;
	if (!*n) {
		log_err(d->log, "dns: zone %s has no NS records at %s; give "
		        "--dns-resolver with its authoritative servers", zone,
		        d->res[0].text);
		return AL_ENOENT;
	}
	return 0;
}

int dns_update_server(struct dns_ctx *d, const char *server_opt,
                      const char *mname, struct dns_server *s)
{
	char host[DNS_NAME_TEXT_MAX];
	const char *colon;
	int port = 53, n = 0;

	if (server_opt && dns_server_parse(server_opt, 53, s) == 0)
		return 0;
	if (server_opt) {
		colon = strrchr(server_opt, ':');
		if (colon && (port = atoi(colon + 1)) < 1) {
			log_err(d->log, "dns: --dns-server '%s': give HOST[:PORT]",
			        server_opt);
			return AL_EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", colon ?
		         (int)(colon - server_opt) : (int)strlen(server_opt),
		         server_opt);
		if (!colon)
			port = 53;
	} else {
		snprintf(host, sizeof(host), "%s", mname);
	}
	return host_addrs(d, host, port, s, &n, 1);
}

int dns_locate(struct dns_ctx *d, const char *server_opt, const char *name,
               char *owner, char *zone, struct dns_server *s)
{
	char mname[DNS_NAME_TEXT_MAX];
	int rc;

	if ((rc = dns_follow_cname(d, name, owner)) != 0 ||
	    (rc = dns_find_zone(d, owner, zone, mname)) != 0 ||
	    (rc = dns_update_server(d, server_opt, mname, s)) != 0)
		return rc;
	if (strcmp(name, owner))
		log_info(d->log, "dns: %s is a CNAME; the TXT value goes to %s",
		         name, owner);
	return 0;
}

/* One line for an update the server did not take, and what to do. */
static int update_refused(struct dns_ctx *d, const struct dns_server *s,
                          const struct tsig_key *k, const char *name,
                          int rcode, int terr)
{
	if (terr)
		log_err(d->log, "dns: update of %s at %s: the server refused "
		        "TSIG key %s (%s); check that --tsig-key is the key "
		        "the server has", name, s->text, k->name,
		        dns_rcode_name(terr));
	else if (rcode == DNS_R_REFUSED)
		log_err(d->log, "dns: update of %s at %s: REFUSED; allow key %s "
		        "to update TXT there (BIND: update-policy)", name,
		        s->text, k->name);
	else if (rcode == DNS_R_NOTAUTH || rcode == DNS_R_NOTZONE)
		log_err(d->log, "dns: update of %s at %s: %s (not the primary "
		        "of the zone); give --dns-server the zone's primary",
		        name, s->text, dns_rcode_name(rcode));
	else
		log_err(d->log, "dns: update of %s at %s: %s; check the "
		        "server's log", name, s->text, dns_rcode_name(rcode));
	return AL_EPROTO;
}

int dns_update(struct dns_ctx *d, const struct dns_server *s,
               const struct tsig_key *k, const char *zone, const char *name,
               const char *value, int add)
{
	uint8_t mac[TSIG_MAC_LEN];
	size_t len, alen;
	int n, r, t, terr = 0;

	n = dns_update_txt(d->q, sizeof(d->q), new_id(d), zone, name, value,
	                   add, DNS_TXT_TTL);
	len = n > 0 ? (size_t)n : 0;
	if (n < 0 || tsig_sign(k, d->q, &len, sizeof(d->q),
	                       port_wall_time(d->port), mac)) {
		log_err(d->log, "dns: update of %s: cannot build it (name or "
		        "key name not valid in DNS)", name);
		return AL_EINVAL;
	}
	r = dns_exchange(d->loop, d->port, s, d->q, len, d->a, sizeof(d->a),
	                 &alen, port_mono_ms(d->port) + DNS_LOOKUP_MS);
	if (r == 0 && dns_parse(&d->m, d->a, alen))
		r = AL_EPROTO;
	if (r) {
		log_err(d->log, "dns: update of %s at %s: %s; check --dns-server "
		        "and that the server runs", name, s->text,
		        dns_exchange_why(r));
		return r;
	}
	t = tsig_check(k, &d->m, mac, port_wall_time(d->port), &terr);
	if (t == TSIG_ERROR || DNS_F_RCODE(d->m.flags) != DNS_R_NOERROR)
		return update_refused(d, s, k, name, DNS_F_RCODE(d->m.flags),
		                      t == TSIG_ERROR ? terr : 0);
	if (t != TSIG_OK) {
		log_err(d->log, "dns: update of %s at %s: the answer is %s; "
		        "something between us and the server changes it", name,
		        s->text, t == TSIG_UNSIGNED ? "not signed" :
		        "signed wrongly");
		return AL_EPROTO;
	}
	return 0;
}

/* 1 when the last answer has value among the TXT records at name. */
static int has_txt(struct dns_ctx *d, const char *name, const char *value)
{
	char txt[DNS_TXT_MAX + 1];
	struct dns_rr rr;
	size_t pos = 0;

	while (dns_rr_next(&d->m, &pos, &rr) == 1)
		if (rr.section == DNS_S_AN && rr.type == DNS_T_TXT &&
		    dns_name_eq(rr.name, name) &&
		    dns_rr_txt(&d->m, &rr, txt, sizeof(txt), NULL) == 0 &&
		    !strcmp(txt, value))
			return 1;
	return 0;
}

int dns_wait_txt(struct dns_ctx *d, const struct dns_server *s, int n,
                 const char *name, const char *value, int wait_s)
{
	int64_t end = port_mono_ms(d->port) + (int64_t)wait_s * 1000, next;
	unsigned done = 0, all = (1u << n) - 1;
	const char *why = "lacks it", *w;
	int i, r, last = 0;

	for (;;) {
		for (i = 0; i < n; i++) {
			if (done & (1u << i))
				continue;
			r = dns_ask_one(d, &s[i], name, DNS_T_TXT, 0, &w);
			if (r == 0 && has_txt(d, name, value))
				done |= 1u << i;
			else {
				last = i;
				why = r ? w : "lacks it";
			}
		}
		if (done == all)
			return 0;
		next = port_mono_ms(d->port) + 1000;
		if (next > end)
			break;
		if ((r = loop_sleep(d->loop, next)) < 0)
			return r;
	}
	log_err(d->log, "dns: TXT %s: authoritative server %s still %s after "
	        "%d s (--dns-wait); check that it gets the zone's updates",
	        name, s[last].text, why, wait_s);
	return AL_ETIMEOUT;
}
