/* The certificate chain to keep: the default or a preferred one (S1). */
#ifndef ACMELET_CHAIN_H
#define ACMELET_CHAIN_H

#include <stddef.h>

struct ctx;

/* Download the chain of a valid order from url into pem (cap bytes, NUL
 * terminated, *len without NUL). With --preferred-chain CN: the default
 * chain or the first Link rel="alternate" chain whose topmost certificate
 * was issued by CN; when none is, the default, with a note. Each chain is
 * kept exactly as served. c->work->facts is used as scratch. */
int chain_fetch(struct ctx *c, const char *url, char *pem, size_t cap,
                size_t *len);

#endif
