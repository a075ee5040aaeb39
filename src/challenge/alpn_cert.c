/* The tls-alpn-01 validation certificate; see alpn_cert.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "alpn_cert.h"
#include "crypto.h"
#include "der_write.h"
#include "err.h"
#include "schedule.h"

#define DER_UTCTIME 0x17
#define DAY 86400

static const unsigned char oid_san[] = { 0x55, 0x1d, 0x11 };
/* id-pe-acmeIdentifier, 1.3.6.1.5.5.7.1.31 (RFC 8737 §6.1) */
static const unsigned char oid_acme_id[] = { 0x2b, 0x06, 0x01, 0x05, 0x05,
                                             0x07, 0x01, 0x1f };
static const unsigned char der_true[] = { 0x01, 0x01, 0xff };

/* The reverse-DNS name of an IP literal (RFC 8738 §6). */
static int reverse_name(const char *ip, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	size_t o = 0;
	int i, n;

	if (inet_pton(AF_INET, ip, a) == 1) {
		n = snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		             a[1], a[0]);
		return n < 0 || (size_t)n >= cap ? AL_E2BIG : 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return AL_EINVAL;
	if (cap < 16 * 4 + sizeof("ip6.arpa"))
		return AL_E2BIG;
	for (i = 15; i >= 0; i--) {
		out[o++] = hex[a[i] & 15];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

int alpn_sni_name(const char *id_type, const char *id_value, char *out,
                  size_t cap)
{
	size_t i, n = strlen(id_value);

	if (strcmp(id_type, "ip") == 0)
		return reverse_name(id_value, out, cap);
	/* a validator sends a host name in SNI, never a wildcard */
	if (strcmp(id_type, "dns") != 0 || !x509_host_ok(id_value, 0))
		return AL_EINVAL;
	if (n >= cap)
		return AL_E2BIG;
	for (i = 0; i <= n; i++) {
		char ch = id_value[i];

		out[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
	}
	return 0;
}

/* A UTCTime "YYMMDDHHMMSSZ" (RFC 5280 §4.1.2.5.1: dates before 2050). */
static void put_time(struct derw *w, int64_t t)
{
	char iso[32], ut[13];
	static const int from[12] = { 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18 };
	int i;

	sched_format_utc(t, SCHED_FMT_RFC3339, iso, sizeof(iso));
	for (i = 0; i < 12; i++)
		ut[i] = iso[from[i]];
	ut[12] = 'Z';
	derw_prim(w, DER_UTCTIME, ut, sizeof(ut));
}

/* extensions [3]: subjectAltName with the one identifier, and the
 * critical acmeIdentifier whose extnValue is the DER of
 * "Authorization ::= OCTET STRING (SIZE (32))" (RFC 8737 §3). */
static int put_extensions(struct derw *w, const char *id_type,
                          const char *id_value, const unsigned char hash[32])
{
	unsigned char ip[16];

	derw_begin(w, 0xa3);
	derw_begin(w, DER_SEQUENCE);
	derw_begin(w, DER_SEQUENCE);
	derw_prim(w, DER_OID, oid_san, sizeof(oid_san));
	derw_begin(w, DER_OCTET_STRING);
	derw_begin(w, DER_SEQUENCE);
	if (strcmp(id_type, "ip") != 0)
		derw_prim(w, 0x82, id_value, strlen(id_value));
	else if (inet_pton(AF_INET, id_value, ip) == 1)
		derw_prim(w, 0x87, ip, 4);
	else if (inet_pton(AF_INET6, id_value, ip) == 1)
		derw_prim(w, 0x87, ip, 16);
	else
		return AL_EINVAL;
	derw_end(w);
	derw_end(w);
	derw_end(w);
	derw_begin(w, DER_SEQUENCE);
	derw_prim(w, DER_OID, oid_acme_id, sizeof(oid_acme_id));
	derw_raw(w, der_true, sizeof(der_true));
	derw_begin(w, DER_OCTET_STRING);
	derw_prim(w, DER_OCTET_STRING, hash, 32);
	derw_end(w);
	derw_end(w);
	derw_end(w);
	derw_end(w);
	return 0;
}

/* TBSCertificate (RFC 5280 §4.1), v3, issuer = subject = CN of a short
 * fixed text (the names are in subjectAltName). */
static int put_tbs(struct derw *w, const struct key *k, const char *id_type,
                   const char *id_value, const unsigned char hash[32],
                   int64_t now, const unsigned char *serial)
{
	static const unsigned char v3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	unsigned char sn[ALPN_SERIAL_LEN];

	memcpy(sn, serial, sizeof(sn));
	sn[0] &= 0x7f; /* positive, and no leading zero byte needed */
	sn[0] |= 0x40; /* nor a shorter encoding */
	derw_begin(w, DER_SEQUENCE);
	derw_raw(w, v3, sizeof(v3));
	derw_prim(w, DER_INTEGER, sn, sizeof(sn));
	x509_sig_alg(w, k);
	x509_name(w, "acmelet tls-alpn-01");
	derw_begin(w, DER_SEQUENCE);
	put_time(w, now - DAY);
	put_time(w, now + 7 * DAY);
	derw_end(w);
	x509_name(w, "acmelet tls-alpn-01");
	x509_spki(w, k);
	if (put_extensions(w, id_type, id_value, hash) != 0)
		return AL_EINVAL;
	derw_end(w);
	return 0;
}

int alpn_cert_build(const struct key *k, const char *id_type,
                    const char *id_value, const char *keyauth, int64_t now,
                    const unsigned char *serial, unsigned char *der,
                    size_t cap, size_t *len)
{
	unsigned char hash[32];
	char sni[ALPN_SNI_MAX];
	struct derw w;
	size_t tbs;
	int rc;

	if (k->type != KEY_EC256 ||
	    alpn_sni_name(id_type, id_value, sni, sizeof(sni)) != 0)
		return AL_EINVAL;
	sha256(keyauth, strlen(keyauth), hash);
	derw_init(&w, der, cap);
	derw_begin(&w, DER_SEQUENCE);
	tbs = w.len;
	if (put_tbs(&w, k, id_type, id_value, hash, now, serial) != 0)
		return AL_EINVAL;
	if ((rc = x509_sign(&w, k, tbs)) != 0)
		return rc;
	derw_end(&w);
	return derw_finish(&w, len);
}
