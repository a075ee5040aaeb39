/* libFuzzer harness: the DNS message parser of dns-01 (src/dns/msg.c) and
 * the TSIG check of answers (src/dns/tsig.c), as a DNS server's answer
 * over UDP or TCP reaches them. Checked: every name, record and TXT value
 * read stays in its bounds; a question's name, written back by the
 * writer, parses to the same name (what is read can be asked again). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/msg.h"
#include "dns/tsig.h"
#include "err.h"

#define NOW 1796150000

static void ask_again(const char *name, uint16_t type)
{
	uint8_t buf[DNS_UDP_MAX];
	struct dns_msg m;
	char back[DNS_NAME_TEXT_MAX];
	uint16_t t, c;
	int n = dns_query_build(buf, sizeof(buf), 1, name, type, 1);

	if (n < 0)
		return; /* a name our writer refuses (empty label, too long) */
	if (dns_parse(&m, buf, (size_t)n) != 0 ||
	    dns_question(&m, 0, back, &t, &c) != 0 || !dns_name_eq(name, back) ||
	    t != type)
		abort();
}

static void records(const struct dns_msg *m)
{
	struct dns_rr rr;
	char txt[DNS_TXT_MAX], target[DNS_NAME_TEXT_MAX];
	size_t pos = 0, len;
	int rc, n = 0;

	while ((rc = dns_rr_next(m, &pos, &rr)) == 1 && n++ < 1000) {
		if (rr.rdoff + rr.rdlen > m->len ||
		    strnlen(rr.name, sizeof(rr.name)) >= sizeof(rr.name))
			abort();
		if (rr.type == DNS_T_TXT &&
		    dns_rr_txt(m, &rr, txt, sizeof(txt), &len) == 0 &&
		    (len >= sizeof(txt) || txt[len] != '\0'))
			abort();
		if ((rr.type == DNS_T_CNAME || rr.type == DNS_T_NS ||
		     rr.type == DNS_T_SOA) && dns_rr_target(m, &rr, target) == 0)
			ask_again(target, DNS_T_TXT);
	}
	if (rc < 0)
		abort(); /* dns_parse accepted it: iterating cannot fail */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tsig_key key = { "acmelet-key.example.test",
		"0123456789abcdef0123456789abcdef", 32 };
	static const uint8_t reqmac[TSIG_MAC_LEN] = { 1, 2, 3 };
	uint8_t *buf = malloc(size ? size : 1); /* exact: reads past it show */
	char name[DNS_NAME_TEXT_MAX];
	struct dns_msg m;
	uint16_t type, cls;
	int err;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (dns_parse(&m, buf, size) == 0) {
		for (int i = 0; i < m.count[DNS_S_QD]; i++)
			if (dns_question(&m, i, name, &type, &cls) == 0)
				ask_again(name, type);
		records(&m);
		tsig_check(&key, &m, reqmac, NOW, &err);
		dns_rcode_name(DNS_F_RCODE(m.flags));
	}
	free(buf);
	return 0;
}
