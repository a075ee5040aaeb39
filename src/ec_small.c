/* EC_SMALL: BearSSL's generic constant-time code for P-256, P-384 and
 * P-521, and nothing else. It links neither the dedicated P-256 code nor
 * Curve25519: the TLS key exchange offers the NIST curves only, which
 * every ACME CA accepts. Slower per operation than EC_FAST (milliseconds
 * still), about 12 KiB smaller. */
#include "ec.h"

const br_ec_impl *ec_impl(void)
{
	return &br_ec_prime_i31;
}
