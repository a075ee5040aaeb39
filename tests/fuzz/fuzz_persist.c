/* libFuzzer harness: dns-persist-01 record values as a DNS server may
 * return them (src/dns/persist.c: persist_parse, persist_judge).
 * Checked: the fields read are terminated; a record read is written
 * again by persist_format (when its fields can be written) and reads
 * back equal; the verdict for the record's own issuer and account is
 * never "none" or "another account". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/persist.h"
#include "err.h"

static void check_round_trip(const struct persist_rec *r)
{
	const char *iss[1] = { r->issuer };
	struct persist_rec back, seen;
	char out[2048];
	int n;

	n = persist_format(out, sizeof(out), r->issuer, r->account,
	                   r->wildcard, r->until);
	if (n == AL_EINVAL || n == AL_E2BIG)
		return; /* an empty or blank accounturi cannot be written */
	if (n < 0 || (size_t)n != strlen(out) || persist_parse(out, &back) != 0 ||
	    strcmp(back.issuer, r->issuer) || strcmp(back.account, r->account) ||
	    back.wildcard != r->wildcard || back.until != r->until)
		abort();
	if (persist_judge(out, iss, 1, r->account, 0, 0, &seen) > PERSIST_EXPIRED)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *txt = malloc(size + 1);
	struct persist_rec r;
	int rc;

	if (!txt)
		abort();
	memcpy(txt, data, size);
	txt[size] = 0; /* a TXT value as dns_rr_txt hands it over */
	rc = persist_parse(txt, &r);
	if (rc == 0) {
		if (strnlen(r.issuer, sizeof(r.issuer)) >= sizeof(r.issuer) ||
		    strnlen(r.account, sizeof(r.account)) >= sizeof(r.account) ||
		    !r.issuer[0] || r.until < 0)
			abort();
		check_round_trip(&r);
	} else if (rc != AL_EPROTO) {
		abort();
	}
	free(txt);
	return 0;
}
