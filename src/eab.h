/* External account binding settings (RFC 8555 §7.3.4, M4). */
#ifndef ACMELET_EAB_H
#define ACMELET_EAB_H

struct port;
struct logger;
struct config;
struct acme_eab;

/* Read cfg's --eab-kid and --eab-hmac-key (base64url, or @FILE) into e.
 * AL_ENOENT when neither is set; AL_EINVAL after one log line when only
 * one is, or the key is unreadable or not base64url. */
int eab_load(struct port *p, const struct logger *log,
             const struct config *cfg, struct acme_eab *e);

#endif
