/* TSIG (RFC 8945) with HMAC-SHA256 (BearSSL's HMAC): sign a request,
 * check the answer. Only hmac-sha256: it is what tsig-keygen writes by
 * default, and what every DNS server has. */
#ifndef ACMELET_DNS_TSIG_H
#define ACMELET_DNS_TSIG_H

#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"

#define TSIG_MAC_LEN 32
#define TSIG_SECRET_MAX 128
#define TSIG_FUDGE 300          /* seconds of clock skew allowed */
#define TSIG_RR_MAX (DNS_NAME_WIRE_MAX + 10 + 14 + 10 + TSIG_MAC_LEN + 6 + 6)

struct tsig_key {
	char name[DNS_NAME_TEXT_MAX]; /* the key's name, as in the key file */
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secret_len;
};

/* Append a TSIG record to the message in buf (*len bytes, cap in all),
 * signed at time now (Unix seconds), and count it in ARCOUNT. mac gets
 * the request MAC that tsig_check needs for the answer. 0, AL_E2BIG,
 * AL_EINVAL (a bad key name). */
int tsig_sign(const struct tsig_key *k, uint8_t *buf, size_t *len,
              size_t cap, int64_t now, uint8_t mac[TSIG_MAC_LEN]);

/* The TSIG outcome of an answer to a request signed with reqmac. */
enum tsig_result {
	TSIG_OK = 0,        /* signed with k, MAC and time good */
	TSIG_UNSIGNED,      /* no TSIG record at all */
	TSIG_ERROR,         /* the server reports *err (BADSIG, BADKEY, ...) */
	TSIG_BAD            /* a TSIG record that does not verify, or garbled */
};

/* Check the TSIG record of the answer m against k and reqmac at time
 * now. *err gets the record's error field (0 when none). */
int tsig_check(const struct tsig_key *k, const struct dns_msg *m,
               const uint8_t reqmac[TSIG_MAC_LEN], int64_t now, int *err);

#endif
