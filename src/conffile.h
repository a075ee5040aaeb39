/* The configuration file (default /etc/acmelet.conf):
 *
 *   # global settings: keys are the long options' names
 *   server = https://acme-v02.api.letsencrypt.org/directory
 *   email = admin@example.com
 *   agree-tos = yes
 *
 *   [cert example.com]
 *   names = example.com www.example.com
 *   key-type = ec-256
 *   hook = /usr/libexec/acmelet-reload
 *
 * Global keys come before the first section; a section starts from them.
 * Unknown keys and bad values are errors with file and line. */
#ifndef ACMELET_CONFFILE_H
#define ACMELET_CONFFILE_H

#include "cli.h"

struct port;
struct logger;

#define CONF_TEXT_MAX 65536
#define CONF_MAX_CERTS 64

struct conf {
	char text[CONF_TEXT_MAX]; /* the file; settings point into it */
	struct config global;
	int ncerts;
	struct config certs[CONF_MAX_CERTS];
	int cert_line[CONF_MAX_CERTS]; /* where each section starts */
};

/* Read path through the port: global keys over *base into cf->global, each
 * [cert NAME] section over the global values into cf->certs. Returns 0,
 * AL_ENOENT when the file does not exist (nothing logged), or AL_EINVAL
 * after logging "path:line: what is wrong". */
int conf_load(struct conf *cf, struct port *p, const char *path,
              const struct config *base, const struct logger *log);

/* Index of the [cert name] section of cf, or -1 when there is none. */
int conf_find(const struct conf *cf, const char *name);

#endif
