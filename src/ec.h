/* The elliptic-curve code of this build, chosen by Kconfig (EC_FAST:
 * src/ec_fast.c, EC_SMALL: src/ec_small.c). Keys, signatures, the TLS key
 * exchange and the CA chain check all take it from here, so one build
 * links one set of curve code. */
#ifndef ACMELET_EC_H
#define ACMELET_EC_H

#include <bearssl.h>

/* The EC implementation to use for P-256 and P-384 (and, with EC_FAST,
 * Curve25519 for the TLS key exchange). Never NULL. */
const br_ec_impl *ec_impl(void);

#endif
