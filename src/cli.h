/* The command line: options into struct config, and the usage text. */
#ifndef ACMELET_CLI_H
#define ACMELET_CLI_H

#include <stdio.h>
#include "crypto.h"

#define CFG_NAMES_MAX 100 /* S5: up to 100 names per certificate */

#define ACME_LE_PRODUCTION "https://acme-v02.api.letsencrypt.org/directory"
#define ACME_LE_STAGING "https://acme-staging-v02.api.letsencrypt.org/directory"

struct config {
	const char *command;   /* "issue" */
	const char *server;    /* directory URL */
	const char *ca_file;   /* trust for the ACME server; NULL: system */
	const char *state_dir;
	const char *email;
	int agree_tos;
	int http_port;
	const char *http_addr; /* NULL: every address */
	enum key_type key_type;
	const char *cert_name; /* NULL: the first name */
	int force;
	int verbose;           /* 0 info, 1 debug */
	int log_dest;          /* enum log_dest */
	int timeout_s;
	int nnames;
	const char *names[CFG_NAMES_MAX];
};

/* Fill cfg with defaults, then parse argv. Returns 0, 1 when the caller
 * should exit 0 (help, version shown), or 2 for a usage error (message
 * already printed to stderr). */
int cli_parse(struct config *cfg, int argc, char **argv);

/* Print the usage text. */
void cli_usage(FILE *out);

#endif
