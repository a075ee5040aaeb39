/* PEM helpers over BearSSL's PEM decoder/encoder. */
#ifndef ACMELET_PEM_H
#define ACMELET_PEM_H

#include <stddef.h>

/* Decode the first PEM object of text whose label is label (e.g.
 * "CERTIFICATE"; NULL accepts any label) into der. *end gets the offset just
 * after its END line, so a chain can be walked. AL_ENOENT when there is no
 * further object, AL_EPROTO when malformed, AL_E2BIG when der is too small. */
int pem_decode_next(const char *text, size_t len, const char *label,
                    unsigned char *der, size_t cap, size_t *der_len,
                    size_t *end, char *label_out, size_t label_cap);

/* Encode der as PEM with label into out (NUL-terminated). */
int pem_encode(const unsigned char *der, size_t n, const char *label,
               char *out, size_t cap, size_t *len);

/* Count the CERTIFICATE objects in text; -1 when malformed. */
int pem_count_certs(const char *text, size_t len);

#endif
