/* EC_FAST: BearSSL's default, per-curve code (P-256 in 31-bit limbs,
 * Curve25519 for the TLS key exchange) with the generic code for P-384 and
 * P-521. About 12 KiB more than EC_SMALL, and several times faster. */
#include "ec.h"

const br_ec_impl *ec_impl(void)
{
	return br_ec_get_default();
}
