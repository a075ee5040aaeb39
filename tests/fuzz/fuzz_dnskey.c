/* libFuzzer harness: the BIND key file parser of --tsig-key
 * (src/dns/keyfile.c, tsig_key_parse). Checked: a parsed key's name is
 * terminated and its secret fits; a refusal says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/keyfile.h"
#include "dns/tsig.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* exact, not terminated */
	struct tsig_key k;
	const char *why = NULL;
	int rc;

	if (!text)
		abort();
	memcpy(text, data, size);
	rc = tsig_key_parse(text, size, &k, &why);
	if (rc == 0) {
		if (strnlen(k.name, sizeof(k.name)) >= sizeof(k.name) ||
		    k.secret_len > sizeof(k.secret))
			abort();
	} else if (rc != AL_EPROTO || !why || !why[0]) {
		abort();
	}
	free(text);
	return 0;
}
