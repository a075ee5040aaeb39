/* The command line and the configuration it shares its vocabulary with:
 * every key of the configuration file is a long option's name. */
#ifndef ACMELET_CLI_H
#define ACMELET_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "crypto.h"

#define CFG_NAMES_MAX 100 /* S5: up to 100 names per certificate */
#define CLI_OPTS_MAX 64
#define CFG_KEY_TYPES_MAX 4 /* S10: one live set per key type */
#define CFG_DEFAULT_FILE "/etc/acmelet.conf"
#define CFG_DEFAULT_STATE "/etc/acmelet"

#define ACME_LE_PRODUCTION "https://acme-v02.api.letsencrypt.org/directory"
#define ACME_LE_STAGING "https://acme-staging-v02.api.letsencrypt.org/directory"

/* Effective settings for one certificate: defaults, then the file's global
 * keys, then its [cert NAME] section, then the command line. */
struct config {
	const char *server;    /* directory URL */
	const char *ca_file;   /* trust for the ACME server; NULL: system */
	const char *state_dir;
	const char *email;
	int agree_tos;
	int http_port;
	const char *http_addr; /* NULL: every address */
	int tls_port;          /* tls-alpn-01 server (443) */
	const char *tls_addr;  /* NULL: every address */
	int timeout_s;
	int lock_wait_s;       /* how long to wait for another run's lock */
	int verbose;           /* 0 info, 1 debug */
	int log_dest;          /* enum log_dest */
	int force;
	enum key_type key_type; /* the first (or only) key type: live/ */
	/* -k ec-256,rsa-2048: one live set per type (S10); every type after
	 * the first has live-<type>/. 0 types: key_type alone. */
	int nkey_types;
	enum key_type key_types[CFG_KEY_TYPES_MAX];
	/* In the settings of one set of a certificate with several key types
	 * (agent_set_config): the certificate's name; cert_name is then the
	 * set's directory, NAME/<type>. NULL otherwise. */
	const char *set_of;
	enum key_type account_key_type; /* for a new account (S10) */
	const char *eab_kid;      /* external account binding (M4), or NULL */
	const char *eab_hmac_key; /* its key: base64url, or @FILE */
	const char *profile;      /* certificate profile (M3), or NULL */
	const char *preferred_chain; /* issuer CN of the chain's top, or NULL */
	const char *cert_name; /* NULL: the first name */
	const char *hook;      /* run after issuance and on failure, or NULL */
	const char *challenge; /* preferred challenge types, NULL: http-01 */
	const char *challenge_dir;  /* http-01 files: DIR/TOKEN, or NULL */
	const char *webroot;        /* DIR/.well-known/acme-challenge/TOKEN */
	const char *challenge_hook; /* uacme-compatible hook, or NULL */
	int hook_timeout_s;    /* bound on each run of either hook */
	const char *dns_server;   /* RFC 2136 updates: HOST[:PORT], NULL: SOA MNAME */
	const char *tsig_key;     /* BIND key file of the updates */
	const char *dns_resolver; /* IP[:PORT],...; NULL: /etc/resolv.conf */
	int dns_wait_s;           /* propagation check bound (120) */
	int nnames;
	const char *names[CFG_NAMES_MAX];
	uint64_t file_set;     /* bit per option set in its [cert] section */
};

/* The parsed command line: options are kept in order so that they can be
 * applied over the configuration file's values (command line wins). */
struct cli {
	const char *command;   /* issue renew run status retry cron-line
	                          account revoke persist-record */
	const char *conf_path; /* -c FILE, or NULL for the default */
	int json;              /* status --json */
	int yes;               /* account deactivate --yes */
	int reason;            /* revoke --reason N, -1 when not given */
	const char *new_key;   /* account rollover --new-key FILE, or NULL */
	int wildcard;          /* persist-record --wildcard */
	int publish;           /* persist-record --publish */
	const char *until;     /* persist-record --until DATE, or NULL */
	int nopts;
	struct { int code; const char *arg; } opts[CLI_OPTS_MAX];
	int nargs;
	char **args;           /* what follows the command */
};

/* Fill cfg with the built-in defaults. */
void cli_defaults(struct config *cfg);

/* Parse argv into cl, checking every option's value. Returns 0, 1 when the
 * caller should exit 0 (help or version shown), or 2 for a usage error (a
 * message and a usage line already printed to stderr). */
int cli_parse(struct cli *cl, int argc, char **argv);

/* Apply the command line's options to cfg. Returns 0 or 2. */
int cli_apply(const struct cli *cl, struct config *cfg);

/* Set one key (a long option's name) from text, as the configuration file
 * does: flags take yes/no. "names" splits value in place on blanks and
 * commas. Returns 0, or AL_EINVAL with a reason in err. */
int cli_set(struct config *cfg, const char *key, char *value, char *err,
            size_t cap);

/* file_set bit of the names key (the others: the option's table index). */
#define CLI_SET_NAMES ((uint64_t)1 << 63)

/* For issue with a [cert NAME] section sec (read from the file, before the
 * command line was applied): AL_EINVAL, with a line for the user in err,
 * when an option of cl sets something the section set to another value. */
int cli_conflict(const struct cli *cl, const struct config *sec, char *err,
                 size_t cap);

/* Check a name (DNS name, wildcard, or IP literal); 1 when acceptable. */
int cli_valid_name(const char *s);

/* Print the usage text. */
void cli_usage(FILE *out);

#endif
