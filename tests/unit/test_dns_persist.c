/* dns-persist-01 record values (src/dns/persist.c): what is written,
 * what is read from records as operators and other clients write them,
 * and the verdict that decides the one line before an order. */
#include <string.h>

#include "dns/persist.h"
#include "err.h"
#include "tap.h"

#define ACCT "https://ca.example/acct/42"

static void test_format(void)
{
	char out[256];

	is_int(persist_format(out, sizeof(out), "ca.example", ACCT, 0, 0),
	       (int)strlen("ca.example; accounturi=" ACCT), "plain: its length");
	is_str(out, "ca.example; accounturi=" ACCT, "plain record");
	persist_format(out, sizeof(out), "ca.example", ACCT, 1, 4070908800LL);
	is_str(out, "ca.example; accounturi=" ACCT "; policy=wildcard; "
	       "persistUntil=4070908800", "wildcard and persistUntil");
	is_int(persist_format(out, 20, "ca.example", ACCT, 0, 0), AL_E2BIG,
	       "too small a buffer: AL_E2BIG");
	is_int(persist_format(out, sizeof(out), "ca.example", "a;b", 0, 0),
	       AL_EINVAL, "a ';' in the account: AL_EINVAL");
	is_int(persist_format(out, sizeof(out), "ca.example", "", 0, 0),
	       AL_EINVAL, "no account: AL_EINVAL");
	is_int(persist_format(out, sizeof(out), "ca example", ACCT, 0, 0),
	       AL_EINVAL, "a blank in the issuer: AL_EINVAL");
}

static void test_parse(void)
{
	struct persist_rec r;

	is_int(persist_parse(" CA.Example. ;AccountURI = " ACCT " ; Policy="
	                     "WILDCARD;persistuntil=123; other=x;", &r), 0,
	       "blanks, case, a final dot, an unknown tag, a trailing ';'");
	is_str(r.issuer, "ca.example", "issuer in lower case, no final dot");
	is_str(r.account, ACCT, "accounturi");
	is_int(r.wildcard, 1, "policy=wildcard");
	ok(r.until == 123, "persistUntil");
	is_int(persist_parse("ca.example", &r), 0, "an issuer alone parses");
	is_str(r.account, "", "with no account");
	is_int(persist_parse("; accounturi=" ACCT, &r), AL_EPROTO, "no issuer");
	is_int(persist_parse("ca.example; accounturi", &r), AL_EPROTO,
	       "a tag without '='");
	is_int(persist_parse("ca.example; persistUntil=-1", &r), AL_EPROTO,
	       "a negative persistUntil");
	is_int(persist_parse("ca.example; persistUntil=1234567890123", &r),
	       AL_EPROTO, "a persistUntil of 13 digits");
	is_int(persist_parse("ca..", &r), AL_EPROTO, "an issuer ending in '..'");
	is_int(persist_parse("v=spf1 -all", &r), AL_EPROTO, "an SPF record");
}

static void test_judge(void)
{
	const char *iss[2] = { "other.example", "ca.example." };
	struct persist_rec r;

	is_int(persist_judge("ca.example; accounturi=" ACCT, iss, 2, ACCT, 0,
	                     1000, &r), PERSIST_OK, "ours: ok");
	is_int(persist_judge("CA.EXAMPLE; accounturi=" ACCT, iss, 2, ACCT, 0,
	                     1000, &r), PERSIST_OK, "the issuer in any case");
	is_int(persist_judge("ca.example; accounturi=" ACCT, iss, 2, ACCT, 1,
	                     1000, &r), PERSIST_NO_WILDCARD,
	       "ours for a wildcard without policy=wildcard");
	is_int(persist_judge("ca.example; accounturi=" ACCT "; policy=wildcard",
	                     iss, 2, ACCT, 1, 1000, &r), PERSIST_OK,
	       "ours with policy=wildcard: ok for a wildcard");
	is_int(persist_judge("ca.example; accounturi=" ACCT "; persistUntil=999",
	                     iss, 2, ACCT, 0, 1000, &r), PERSIST_EXPIRED,
	       "persistUntil passed");
	is_int(persist_judge("ca.example; accounturi=" ACCT "; persistUntil=1000",
	                     iss, 2, ACCT, 0, 1000, &r), PERSIST_OK,
	       "persistUntil now: still counts");
	is_int(persist_judge("ca.example; accounturi=" ACCT "/1", iss, 2, ACCT,
	                     0, 1000, &r), PERSIST_OTHER_ACCOUNT,
	       "another account (the URL compared exactly)");
	is_str(r.account, ACCT "/1", "r says which");
	is_int(persist_judge("ca.example", iss, 2, ACCT, 0, 1000, &r),
	       PERSIST_OTHER_ACCOUNT, "no accounturi: not ours");
	is_int(persist_judge("third.example; accounturi=" ACCT, iss, 2, ACCT, 0,
	                     1000, &r), PERSIST_NONE, "another CA: none");
	is_int(persist_judge("garbage;;=", iss, 2, ACCT, 0, 1000, &r),
	       PERSIST_NONE, "garbage: none");
}

int main(void)
{
	test_format();
	test_parse();
	test_judge();
	return tap_done();
}
