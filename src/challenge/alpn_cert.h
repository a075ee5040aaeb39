/* The tls-alpn-01 validation certificate (RFC 8737 §3, RFC 8738 §6): a
 * self-signed certificate for one identifier, made for one validation,
 * with the identifier in subjectAltName and the critical acmeIdentifier
 * extension holding SHA-256 of the key authorization. Written with the
 * project's DER writer, signed with a P-256 key; it never touches flash. */
#ifndef ACMELET_ALPN_CERT_H
#define ACMELET_ALPN_CERT_H

#include <stddef.h>
#include <stdint.h>

struct key;

#define ALPN_CERT_MAX 800   /* a 253-character name fits with room to spare */
#define ALPN_SNI_MAX 80     /* ip6.arpa: 32 nibbles, 32 dots, "ip6.arpa" */
#define ALPN_SERIAL_LEN 16

/* The SNI name a validator sends for an identifier: the name itself for
 * id_type "dns" (lower-cased), the reverse-DNS name (in-addr.arpa or
 * ip6.arpa) for "ip" (RFC 8738 §6). 0, or AL_EINVAL for a value that is
 * neither, AL_E2BIG when out is too small. */
int alpn_sni_name(const char *id_type, const char *id_value, char *out,
                  size_t cap);

/* Build the certificate for id_value (a DNS name, or an IP literal when
 * id_type is "ip") carrying SHA-256(keyauth), valid from a day before now
 * (Unix time) for a week, with serial (ALPN_SERIAL_LEN random bytes) and
 * signed by the P-256 key k, into der (cap bytes); *len gets its length.
 * 0, AL_EINVAL for a bad identifier or key, AL_E2BIG when der is small. */
int alpn_cert_build(const struct key *k, const char *id_type,
                    const char *id_value, const char *keyauth, int64_t now,
                    const unsigned char *serial, unsigned char *der,
                    size_t cap, size_t *len);

#endif
