/* libFuzzer harness: PEM chains (src/pem.c) as the CA's certificate
 * answer and the stored fullchain.pem reach them, then the certificate
 * walker (src/der.c) on every decoded certificate. Checked: the walk over
 * the objects always advances and stays inside the text, counts agree,
 * and decoded lengths fit their buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "err.h"
#include "pem.h"

#define DER_CAP 16384

static void walk(const char *text, size_t len, const char *label,
                 unsigned char *der, struct cert_facts *f)
{
	size_t off = 0, der_len, end;
	char got[64];
	int rc, n = 0;

	while (off < len && n < 64) {
		rc = pem_decode_next(text + off, len - off, label, der, DER_CAP,
		                     &der_len, &end, got, sizeof(got));
		if (rc != 0)
			break;
		if (der_len > DER_CAP || end == 0 || end > len - off ||
		    strnlen(got, sizeof(got)) >= sizeof(got))
			abort();
		if (label && strcmp(got, label) != 0)
			abort();
		if (cert_facts_der(der, der_len, f) == 0) {
			const char *names[CERT_NAMES_MAX];

			if (f->nnames < 0 || f->nnames > CERT_NAMES_MAX ||
			    f->serial_len > CERT_SERIAL_MAX ||
			    f->aki_len > CERT_KEYID_MAX)
				abort();
			for (int i = 0; i < f->nnames; i++)
				names[i] = f->names[i];
			cert_covers(f, names, f->nnames);
		}
		off += end;
		n++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	unsigned char *der = malloc(DER_CAP);
	struct cert_facts *f = malloc(sizeof(*f));

	if (!text || !der || !f)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	walk(text, size, "CERTIFICATE", der, f);
	walk(text, size, NULL, der, f);
	pem_count_certs(text, size);
	cert_facts_pem(text, size, f);
	free(f);
	free(der);
	free(text);
	return 0;
}
