/* libFuzzer harness: the check of a served chain before it goes live
 * (src/chain_check.c: PEM blocks, the leaf's key, names and dates, each
 * certificate signed by the next through BearSSL's X.509 engine), as the
 * CA's certificate answer reaches it. The leaf key, the names and the
 * clock are fixed below; the seeds (make-seeds.sh) hold chains openssl
 * made for exactly them, so mutations reach the signature checks.
 * Checked: an accepted chain's leaf covers the names and is not expired,
 * its PEM block ends inside the text; a refusal is AL_EPROTO/AL_EFAIL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain_check.h"
#include "crypto.h"
#include "der.h"
#include "err.h"
#include "log.h"

#define NOW 1796150000 /* 2026-12-01 19:13 UTC: inside the seeds' validity */

/* The leaf key of the seed chains: a test key, never used elsewhere. */
static const char leaf_key[] =
"-----BEGIN PRIVATE KEY-----\n"
"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKCCH5YSVjt80Vbgm\n"
"qi5ij7sVKzarPa1ViF+wp6tDoTKhRANCAARHFX1MCYon1134mv2que2FsktsOEa3\n"
"Y6EZkWV3DwNJdQcG4/QX8QyRaF2ZwlgS4uGCgXDFXlmw3WItNIgErNnG\n"
"-----END PRIVATE KEY-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a.example", "b.example" };
	static struct key *k;
	struct logger lg = { .level = -1 }; /* quiet */
	struct chain_want w = { NULL, names, 2, NOW, "a.example", &lg };
	struct cert_facts *leaf = malloc(sizeof(*leaf));
	char *pem = malloc(size ? size : 1); /* exact: reads past it show */
	size_t end = 0;
	int rc;

	if (!k && (!(k = malloc(sizeof(*k))) ||
	           key_from_pem(k, leaf_key, sizeof(leaf_key) - 1) != 0))
		abort();
	if (!leaf || !pem)
		abort();
	w.key = k;
	memcpy(pem, data, size);
	rc = chain_check(pem, size, &w, leaf, &end);
	if (rc == 0) {
		if (end == 0 || end > size || !cert_covers(leaf, names, 2) ||
		    leaf->not_after <= NOW)
			abort();
	} else if (rc != AL_EPROTO && rc != AL_EFAIL) {
		abort();
	}
	free(pem);
	free(leaf);
	return 0;
}
