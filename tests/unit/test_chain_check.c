/* chain_check.c against chains made by openssl (chain_certs.sh): a good
 * chain passes; each way a CA's answer can be wrong is refused with one
 * line saying why. Dates are checked by moving "now", not by waiting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_check.h"
#include "crypto.h"
#include "der.h"
#include "err.h"
#include "log.h"
#include "tap.h"
#include "testlib.h"

#define DAY 86400

static struct logger lg;
static char last[1024];
static struct key k;
static struct cert_facts facts;
static const char *const names[] = { "a.example", "b.example" };

/* Check test_dir/file with the leaf key k for names at now. */
static int check(const char *file, int64_t now, const char *const *nm, int n)
{
	static char pem[65536];
	struct chain_want w = { &k, nm, n, now, "a.example", &lg };
	size_t end = 0;
	long len = slurp(file, pem, sizeof(pem));

	last[0] = '\0';
	if (len < 0)
		return -100;
	return chain_check(pem, (size_t)len, &w, &facts, &end);
}

static void refused(const char *file, int64_t now, const char *words,
                    const char *what)
{
	is_int(check(file, now, names, 2), AL_EPROTO, "%s: refused", what);
	ok(strstr(last, words) && strstr(last, "keeping the current"),
	   "one line says why: %s", last);
}

int main(void)
{
	const char *slash = strrchr(__FILE__, '/');
	char pem[8192];
	int64_t now, nb;
	long n;

	log_init(&lg, LOG_LVL_ERR, LOG_TO_STDERR);
	lg.last_err = last;
	lg.last_err_cap = sizeof(last);
	if (test_dir_make("test_chain_check") != 0 ||
	    sh("sh %s/%.*s/chain_certs.sh .", getenv("PWD") ? getenv("PWD") : ".",
	       slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".") != 0 ||
	    (n = slurp("leaf.key", pem, sizeof(pem))) < 0 ||
	    key_from_pem(&k, pem, (size_t)n) != 0) {
		ok(0, "set-up: openssl makes the chains (chain_certs.sh)");
		return tap_done();
	}
	sh("cat leaf.pem int.pem > good.pem && cat leaf.pem int.pem root.pem > "
	   "full.pem && cat rsaleaf.pem rsaint.pem root.pem > rsa.pem");
	is_int(check("good.pem", 0, names, 2), AL_EPROTO,
	       "in 1970 the leaf is not valid yet (and its dates are read)");
	now = facts.not_before + DAY;
	nb = facts.not_before;
	is_int(check("good.pem", now, names, 2), 0, "leaf + intermediate pass");
	is_int(check("full.pem", now, names, 2), 0, "leaf + intermediate + root");
	is_int(check("rsa.pem", now, names, 2), 0, "an RSA intermediate");
	is_int(check("leaf.pem", now, names, 2), 0, "a lone leaf");
	is_int(check("good.pem", nb - CHAIN_SKEW_S + 1, names, 2), 0,
	       "notBefore a little ahead: clock skew allowed");

	refused("good.pem", nb - CHAIN_SKEW_S - 60, "not valid before",
	        "a leaf not yet valid");
	refused("good.pem", facts.not_after + 1, "expired", "an expired leaf");
	sh("cat other.pem int.pem > other-chain.pem");
	refused("other-chain.pem", now, "another key", "a leaf for another key");
	{
		static const char *const more[] = { "a.example", "c.example" };

		is_int(check("good.pem", now, more, 2), AL_EPROTO,
		       "a leaf without every name: refused");
	}
	sh("cat leaf.pem int2.pem > badsig.pem");
	refused("badsig.pem", now, "certificate 1 is not signed by certificate 2",
	        "an intermediate with the issuer's name but another key");
	sh("cat leaf.pem int.pem int2.pem > badsig2.pem");
	refused("badsig2.pem", now, "certificate 2 is not signed by certificate 3",
	        "a top that did not sign the intermediate");
	sh("cat int.pem leaf.pem > reversed.pem");
	refused("reversed.pem", now, "another key", "the chain reversed");
	sh("{ cat leaf.pem; printf -- '-----BEGIN CERTIFICATE-----\\nMIIB!!"
	   "\\n-----END CERTIFICATE-----\\n'; } > badpem.pem");
	refused("badpem.pem", now, "PEM block 2 is not a readable certificate",
	        "a malformed PEM block after the leaf");
	sh("{ cat leaf.pem; printf -- '-----BEGIN CERTIFICATE-----\\nMIIB\\n'; }"
	   " > cut.pem");
	refused("cut.pem", now, "PEM block 2", "a PEM block without its END");
	sh("{ cat leaf.pem; printf -- '-----BEGIN CERTIFICATE-----\\nAAAA"
	   "\\n-----END CERTIFICATE-----\\n'; } > junk.pem");
	refused("junk.pem", now, "PEM block 2 is not a readable certificate",
	        "a PEM block of junk bytes after the leaf");
	sh("{ cat leaf.pem; cat int.key; } > key.pem");
	refused("key.pem", now, "PEM block 2 is not a certificate",
	        "a private key after the leaf");
	sh("{ echo '-----BEGIN CERTIFICATE-----'; { openssl x509 -in leaf.pem "
	   "-outform DER; printf '\\000\\000'; } | openssl base64; echo "
	   "'-----END CERTIFICATE-----'; cat int.pem; } > trailing.pem");
	refused("trailing.pem", now, "PEM block 1 is not a readable certificate",
	        "bytes after the leaf's DER inside its block");
	spit("empty.pem", "no PEM here\n", 12);
	refused("empty.pem", now, "no certificate", "no certificate at all");
	test_dir_remove();
	return tap_done();
}
