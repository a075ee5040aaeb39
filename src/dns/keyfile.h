/* TSIG key files in BIND's format, as tsig-keygen (and dnssec-keygen's
 * .key/.private successors, ddns-confgen) write them:
 *
 *     key "name" {
 *             algorithm hmac-sha256;
 *             secret "base64...";
 *     };
 */
#ifndef ACMELET_DNS_KEYFILE_H
#define ACMELET_DNS_KEYFILE_H

#include <stddef.h>

#include "dns/tsig.h"

struct port;
struct logger;

#define TSIG_KEYFILE_MAX 4096

/* Parse the first key statement of text (len bytes). 0, or AL_EPROTO with
 * *why saying what is wrong (a static string). */
int tsig_key_parse(const char *text, size_t len, struct tsig_key *k,
                   const char **why);

/* Read the key file at path: refused (AL_EINVAL) when every user may read
 * it, or it cannot be read or parsed; each after one log line. */
int tsig_key_load(struct port *p, const struct logger *lg, const char *path,
                  struct tsig_key *k);

#endif
