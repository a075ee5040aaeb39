/* libFuzzer harness: the DER certificate walker (src/der.c) and the
 * iPAddress check of the built-in transport (src/http/trust.c) on raw DER,
 * as they see a certificate after PEM decoding or from the TLS peer.
 * Checked: the facts stay within their arrays, names are terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "err.h"
#include "http/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char v4[4] = { 127, 0, 0, 1 };
	static const unsigned char v6[16] = { [15] = 1 };
	unsigned char *der = malloc(size ? size : 1); /* exact: reads past it show */
	struct cert_facts *f = malloc(sizeof(*f));
	const char *names[CERT_NAMES_MAX];

	if (!der || !f)
		abort();
	memcpy(der, data, size);
	if (cert_facts_der(der, size, f) == 0) {
		if (f->nnames < 0 || f->nnames > CERT_NAMES_MAX ||
		    f->serial_len > CERT_SERIAL_MAX || f->aki_len > CERT_KEYID_MAX ||
		    strnlen(f->issuer_cn, CERT_NAME_LEN) >= CERT_NAME_LEN)
			abort();
		for (int i = 0; i < f->nnames; i++) {
			if (strnlen(f->names[i], CERT_NAME_LEN) >= CERT_NAME_LEN)
				abort();
			names[i] = f->names[i];
		}
		if (f->nnames > 0 && cert_covers(f, names, f->nnames) != 1)
			abort();
	}
	trust_cert_has_ip(der, size, v4, sizeof(v4));
	trust_cert_has_ip(der, size, v6, sizeof(v6));
	free(f);
	free(der);
	return 0;
}
