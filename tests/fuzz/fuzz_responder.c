#define _GNU_SOURCE /* memmem */
/* libFuzzer harness: the http-01 responder's request parser
 * (src/challenge/responder.c), through responder_answer(), the same code a
 * connection's received bytes go through, without a socket. Checked: an
 * answer is always a complete HTTP/1.1 response, and a key authorization
 * is only ever sent for exactly a known token's path with GET. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "challenge/responder.h"

#define TOKEN "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEYAUTH TOKEN ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ok_get[] = "GET /.well-known/acme-challenge/" TOKEN
	                             " HTTP/1.";
	struct responder *r = malloc(sizeof(*r));
	struct resp_conn *c = malloc(sizeof(*c));
	struct logger quiet = { .level = -1 };
	int rc;

	if (!r || !c)
		abort();
	responder_init(r, &quiet);
	if (responder_add(r, TOKEN, KEYAUTH) != 0 ||
	    responder_add(r, "a", "a.b") != 0)
		abort();
	rc = responder_answer(r, c, data, size);
	if (rc < 0 || rc > 1)
		abort();
	if (rc == 1) {
		if (c->out_len == 0 || c->out_len >= sizeof(c->out) ||
		    memcmp(c->out, "HTTP/1.1 ", 9) != 0 ||
		    !strstr(c->out, "\r\n\r\n"))
			abort();
		/* The key authorization only for the exact request line. */
		if (memmem(c->out, c->out_len, KEYAUTH, strlen(KEYAUTH)) &&
		    (size < sizeof(ok_get) - 1 + 3 ||
		     memcmp(data, ok_get, sizeof(ok_get) - 1) != 0))
			abort();
	}
	if (r->tokens[0].served != 0 || responder_served_total(r) != 0)
		abort();
	responder_close(r);
	free(c);
	free(r);
	return 0;
}
