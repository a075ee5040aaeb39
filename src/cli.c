/* Command line parsing with getopt_long, and the one table of settings the
 * configuration file shares: a key in the file is a long option's name.
 * Values are checked when parsed, so a wrong option is a usage error
 * (exit 2) before anything else happens. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "log.h"
#include "names.h"
#include "challenge/challenge.h"

enum { OPT_CA_FILE = 256, OPT_AGREE_TOS, OPT_HTTP_PORT, OPT_HTTP_ADDR,
       OPT_NAME, OPT_FORCE, OPT_STAGING, OPT_LOG, OPT_VERSION, OPT_TIMEOUT,
       OPT_HOOK, OPT_JSON, OPT_NAMES, OPT_EAB_KID, OPT_EAB_HMAC,
       OPT_PROFILE, OPT_PREF_CHAIN, OPT_ACCT_KEY, OPT_TLS_PORT,
       OPT_TLS_ADDR, OPT_CHALLENGE, OPT_CHALL_DIR, OPT_WEBROOT,
       OPT_CHALL_HOOK, OPT_HOOK_TIMEOUT, OPT_DNS_SERVER, OPT_TSIG_KEY,
       OPT_DNS_WAIT, OPT_DNS_RESOLVER, OPT_LOCK_WAIT, OPT_YES,
       OPT_REASON, OPT_NEW_KEY, OPT_WILDCARD, OPT_UNTIL, OPT_PUBLISH };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "server", required_argument, NULL, 's' },
	{ "staging", no_argument, NULL, OPT_STAGING },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "email", required_argument, NULL, 'e' },
	{ "agree-tos", no_argument, NULL, OPT_AGREE_TOS },
	{ "http-port", required_argument, NULL, OPT_HTTP_PORT },
	{ "http-addr", required_argument, NULL, OPT_HTTP_ADDR },
	{ "tls-port", required_argument, NULL, OPT_TLS_PORT },
	{ "tls-addr", required_argument, NULL, OPT_TLS_ADDR },
	{ "key-type", required_argument, NULL, 'k' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "hook", required_argument, NULL, OPT_HOOK },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "lock-wait", required_argument, NULL, OPT_LOCK_WAIT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "eab-kid", required_argument, NULL, OPT_EAB_KID },
	{ "eab-hmac-key", required_argument, NULL, OPT_EAB_HMAC },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "preferred-chain", required_argument, NULL, OPT_PREF_CHAIN },
	{ "account-key-type", required_argument, NULL, OPT_ACCT_KEY },
	{ "challenge", required_argument, NULL, OPT_CHALLENGE },
	{ "challenge-dir", required_argument, NULL, OPT_CHALL_DIR },
	{ "webroot", required_argument, NULL, OPT_WEBROOT },
	{ "challenge-hook", required_argument, NULL, OPT_CHALL_HOOK },
	{ "hook-timeout", required_argument, NULL, OPT_HOOK_TIMEOUT },
	{ "dns-server", required_argument, NULL, OPT_DNS_SERVER },
	{ "tsig-key", required_argument, NULL, OPT_TSIG_KEY },
	{ "dns-wait", required_argument, NULL, OPT_DNS_WAIT },
	{ "dns-resolver", required_argument, NULL, OPT_DNS_RESOLVER },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "new-key", required_argument, NULL, OPT_NEW_KEY },
	{ "wildcard", no_argument, NULL, OPT_WILDCARD },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "publish", no_argument, NULL, OPT_PUBLISH },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char *const commands[] = { "issue", "renew", "run", "status",
                                        "retry", "cron-line", "account",
                                        "revoke", "persist-record" };

void cli_usage(FILE *out)
{
	fputs(
"usage: acmelet [options] issue NAME...     get a certificate for NAME...\n"
"       acmelet [options] renew [CERT...]   issue or renew what is due\n"
"       acmelet [options] run               the same, as a daemon\n"
"       acmelet [options] status [--json]   what each certificate is doing\n"
"       acmelet [options] retry [CERT]      end the failure backoff now\n"
"       acmelet cron-line                   a cron entry at a random time\n"
"       acmelet [options] account show|update|rollover|deactivate\n"
"       acmelet [options] revoke CERT [--reason N]\n"
"       acmelet [options] persist-record NAME... [--wildcard] [--until DATE]\n"
"                       [--publish]   the dns-persist-01 TXT record(s)\n"
"\n"
"Certificates from an ACME CA (Let's Encrypt by default), answering\n"
"http-01 with the built-in responder, files for another web server, or a\n"
"uacme-compatible hook.\n"
"\n"
"  -c, --config FILE    configuration file (" CFG_DEFAULT_FILE ")\n"
"  -s, --server URL     ACME directory URL (default: Let's Encrypt production)\n"
"      --staging        use Let's Encrypt's staging directory\n"
"      --ca-file PEM    CA certificates trusted for the ACME server\n"
"  -d, --state-dir DIR  where accounts and certificates live (" CFG_DEFAULT_STATE ")\n"
"  -e, --email ADDR     contact address for the account\n"
"      --agree-tos      agree to the CA's terms of service (shown in the log)\n"
"      --http-port N    port of the built-in http-01 responder (80)\n"
"      --http-addr ADDR address it listens on (default: all)\n"
"      --tls-port N     port of the built-in tls-alpn-01 server (443)\n"
"      --tls-addr ADDR  address it listens on (default: all)\n"
"  -k, --key-type T[,T] certificate key: ec-256 (default), ec-384,\n"
"                       rsa-2048|rsa-3072|rsa-4096; several: live-T/ each\n"
"      --name NAME      directory name of the certificate (default: first NAME)\n"
"      --hook PROG      run PROG EVENT NAME DIR after issuance or a failure\n"
"      --challenge T[,T] preferred challenge types (http-01, tls-alpn-01,\n"
"                       dns-01, dns-persist-01, dns-account-01; http-01)\n"
"      --challenge-dir DIR  http-01: write DIR/TOKEN (DIR is served at\n"
"                       /.well-known/acme-challenge/ by your web server)\n"
"      --webroot DIR    http-01: write DIR/.well-known/acme-challenge/TOKEN\n"
"      --challenge-hook PROG  run PROG begin|done|failed TYPE IDENT TOKEN AUTH\n"
"                       (uacme's hook interface) to answer challenges\n"
"      --hook-timeout SEC  kill a hook running longer (120)\n"
"      --dns-server HOST[:PORT]  dns-01: send RFC 2136 updates there\n"
"                       (default: the zone's primary, its SOA MNAME)\n"
"      --tsig-key FILE  dns-01: the TSIG key (BIND format, tsig-keygen)\n"
"      --dns-wait SEC   wait at most SEC for every authoritative server\n"
"                       to answer the TXT record (120)\n"
"      --dns-resolver IP[:PORT][,...]  ask these servers, and check them\n"
"                       as the authoritative ones (default: resolv.conf, NS)\n"
"      --profile NAME   certificate profile the CA offers (meta.profiles)\n"
"      --preferred-chain CN  keep the chain whose top certificate CN issued\n"
"      --account-key-type T  key of a new account (ec-256 default, ec-384,\n"
"                       rsa-2048|rsa-3072|rsa-4096)\n"
"      --eab-kid KID    external account binding key id (CAs that ask)\n"
"      --eab-hmac-key K its HMAC key, base64url, or @FILE to read it\n"
"      --force          issue even when the stored certificate is still good\n"
"      --timeout SEC    per HTTP request (30)\n"
"      --lock-wait SEC  wait for another acmelet on the same certificate (120)\n"
"  -v, --verbose        log every request\n"
"      --log WHERE      stderr, syslog or auto (stderr on a terminal)\n"
"      --json           status as JSON\n"
"      --reason N       revocation reason (RFC 5280)\n"
"      --new-key FILE   account rollover: the new key (default: a new one)\n"
"      --yes            account deactivate: confirm; it cannot be undone\n"
"      --wildcard       persist-record: policy=wildcard (also for *.NAME)\n"
"      --until DATE     persist-record: persistUntil, YYYY-MM-DD (UTC),\n"
"                       RFC 3339 or Unix seconds\n"
"      --publish        persist-record: add the record(s) by RFC 2136\n"
"                       (--tsig-key, --dns-server) and wait until seen\n"
"  -h, --help           this text\n"
"      --version        print the version\n"
"\n"
"Results: STATE/certs/NAME/live/{privkey,cert,chain,fullchain}.pem\n"
"Exit status: 0 done (issued, renewed or nothing to do), 1 failure (for\n"
"renew: some certificate failed or waits after a failure), 2 usage or\n"
"configuration error; renew: 3 when nothing was due.\n",
	      out);
}

void cli_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->server = ACME_LE_PRODUCTION;
	cfg->state_dir = CFG_DEFAULT_STATE;
	cfg->http_port = 80;
	cfg->tls_port = 443;
	cfg->key_type = KEY_EC256;
	cfg->account_key_type = KEY_EC256;
	cfg->timeout_s = 30;
	cfg->hook_timeout_s = 120;
	cfg->dns_wait_s = 120;
	cfg->lock_wait_s = 120;
	cfg->log_dest = LOG_TO_AUTO;
}

/* A decimal number in [lo, hi]; -1 when it is not one. */
static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

/* yes/no for flags in the file; NULL (command line) means yes. */
static int parse_bool(const char *s)
{
	if (!s || !strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		return 0;
	return -1;
}

int cli_valid_name(const char *s)
{
	char err[160];

	return name_check(s, err, sizeof(err)) == 0;
}

/* Split value in place into names. */
static int set_names(struct config *cfg, char *value, char *err, size_t cap)
{
	char *save = NULL, *tok;

	cfg->nnames = 0;
	for (tok = strtok_r(value, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (name_normalize(tok, err, cap) != 0)
			return AL_EINVAL;
		if (cfg->nnames == CFG_NAMES_MAX) {
			snprintf(err, cap, "too many names (at most %d per "
			         "certificate)", CFG_NAMES_MAX);
			return AL_EINVAL;
		}
		cfg->names[cfg->nnames++] = tok;
	}
	if (cfg->nnames == 0) {
		snprintf(err, cap, "names is empty");
		return AL_EINVAL;
	}
	cfg->nnames = names_dedupe(cfg->names, cfg->nnames);
	return 0;
}

/* A key type setting (--account-key-type) into *out: one this build
 * can make. */
static int key_type_option(enum key_type *out, const char *arg, char *err,
                           size_t cap)
{
	enum key_type t;

	if (key_type_parse(arg, &t) != 0) {
		snprintf(err, cap, "unknown key type '%.40s' (ec-256, ec-384, "
		         "rsa-2048, rsa-3072, rsa-4096)", arg);
		return AL_EINVAL;
	}
	if (!key_type_built(t)) {
		snprintf(err, cap, "key type '%s': this build has no RSA keys "
		         "(Kconfig KEY_RSA)", arg);
		return AL_EINVAL;
	}
	*out = t;
	return 0;
}

/* -k / key-type =: one type, or several separated by commas or blanks
 * (S10: one live set per type), each once. */
static int key_types_option(struct config *cfg, const char *arg, char *err,
                            size_t cap)
{
	enum key_type t[CFG_KEY_TYPES_MAX] = { KEY_EC256 };
	char one[16];
	size_t len;
	int n = 0, i, rc;

	while (*arg) {
		if ((len = strcspn(arg, ", \t")) == 0) {
			arg++;
			continue;
		}
		snprintf(one, sizeof(one), "%.*s", len < sizeof(one) ?
		         (int)len : (int)sizeof(one) - 1, arg);
		arg += len;
		if (n == CFG_KEY_TYPES_MAX) {
			n = 0; /* too many */
			break;
		}
		if ((rc = key_type_option(&t[n], one, err, cap)) != 0)
			return rc;
		for (i = 0; i < n && t[i] != t[n]; i++)
			;
		if (i < n) {
			n = 0; /* twice */
			break;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, cap, "give 1 to %d different key types",
		         CFG_KEY_TYPES_MAX);
		return AL_EINVAL;
	}
	memcpy(cfg->key_types, t, sizeof(t));
	cfg->nkey_types = n;
	cfg->key_type = t[0];
	return 0;
}

/* A number setting in [lo, hi] into *out; what says what it counts. */
static int num_option(int *out, const char *arg, long lo, long hi,
                      const char *what, char *err, size_t cap)
{
	long n = parse_num(arg, lo, hi);

	if (n < 0) {
		snprintf(err, cap, "'%s' is not %s %ld-%ld", arg, what, lo, hi);
		return AL_EINVAL;
	}
	*out = (int)n;
	return 0;
}

/* --challenge: known types, no repeats. */
static int challenge_option(struct config *cfg, const char *arg, char *err,
                            size_t cap)
{
	char t[CHALLENGE_MAX_TYPES + 1][CHALLENGE_TYPE_MAX];
	int n = challenge_prefs(arg, t, CHALLENGE_MAX_TYPES + 1), i, k;

	if (n == 0 || n > CHALLENGE_MAX_TYPES || strlen(arg) >= 128) {
		snprintf(err, cap, "give one to %d challenge types",
		         CHALLENGE_MAX_TYPES);
		return AL_EINVAL;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < i && strcmp(t[k], t[i]); k++)
			;
		if (!challenge_type_known(t[i]) || k < i) {
			snprintf(err, cap, "%s challenge type '%.23s' (see --help)",
			         k < i ? "repeated" : "unknown", t[i]);
			return AL_EINVAL;
		}
	}
	cfg->challenge = arg;
	return 0;
}

/* Set the option with getopt code c from arg (NULL for a flag given on the
 * command line). */
static int cli_option(struct config *cfg, int c, const char *arg, char *err,
                      size_t cap)
{
	int b;

	switch (c) {
	case 's': cfg->server = arg; return 0;
	case OPT_CA_FILE: cfg->ca_file = arg; return 0;
	case 'd': cfg->state_dir = arg; return 0;
	case 'e': cfg->email = arg; return 0;
	case OPT_HTTP_ADDR: cfg->http_addr = arg; return 0;
	case OPT_TLS_ADDR: cfg->tls_addr = arg; return 0;
	case OPT_HOOK: cfg->hook = arg; return 0;
	case OPT_NAME:
		if (!cli_valid_name(arg) || strpbrk(arg, ":*")) {
			snprintf(err, cap, "--name must be a plain name: %s", arg);
			return AL_EINVAL;
		}
		cfg->cert_name = arg;
		return 0;
	case OPT_HTTP_PORT:
		return num_option(&cfg->http_port, arg, 1, 65535, "a port number",
		                  err, cap);
	case OPT_TLS_PORT:
		return num_option(&cfg->tls_port, arg, 1, 65535, "a port number",
		                  err, cap);
	case OPT_TIMEOUT:
		return num_option(&cfg->timeout_s, arg, 1, 3600,
		                  "a number of seconds", err, cap);
	case OPT_LOCK_WAIT:
		return num_option(&cfg->lock_wait_s, arg, 0, 86400,
		                  "a number of seconds", err, cap);
	case OPT_EAB_KID: cfg->eab_kid = arg; return 0;
	case OPT_EAB_HMAC: cfg->eab_hmac_key = arg; return 0;
	case OPT_PROFILE: cfg->profile = arg; return 0;
	case OPT_PREF_CHAIN: cfg->preferred_chain = arg; return 0;
	case OPT_ACCT_KEY: /* the key of a new account (S10) */
		return key_type_option(&cfg->account_key_type, arg, err, cap);
	case OPT_CHALLENGE:
		return challenge_option(cfg, arg, err, cap);
	case OPT_CHALL_DIR: cfg->challenge_dir = arg; return 0;
	case OPT_WEBROOT: cfg->webroot = arg; return 0;
	case OPT_CHALL_HOOK: cfg->challenge_hook = arg; return 0;
	case OPT_HOOK_TIMEOUT:
		return num_option(&cfg->hook_timeout_s, arg, 1, 3600,
		                  "a number of seconds", err, cap);
	case OPT_DNS_WAIT:
		return num_option(&cfg->dns_wait_s, arg, 1, 3600,
		                  "a number of seconds", err, cap);
	case OPT_DNS_SERVER: cfg->dns_server = arg; return 0;
	case OPT_TSIG_KEY: cfg->tsig_key = arg; return 0;
	case OPT_DNS_RESOLVER: cfg->dns_resolver = arg; return 0;
	case 'k':
		return key_types_option(cfg, arg, err, cap);
	case OPT_LOG:
		if (!strcmp(arg, "stderr")) cfg->log_dest = LOG_TO_STDERR;
		else if (!strcmp(arg, "syslog")) cfg->log_dest = LOG_TO_SYSLOG;
		else if (!strcmp(arg, "auto")) cfg->log_dest = LOG_TO_AUTO;
		else break;
		return 0;
	case OPT_STAGING: case OPT_AGREE_TOS: case OPT_FORCE: case 'v':
		if ((b = parse_bool(arg)) < 0)
			break;
		if (c == OPT_STAGING && b) cfg->server = ACME_LE_STAGING;
		if (c == OPT_AGREE_TOS) cfg->agree_tos = b;
		if (c == OPT_FORCE) cfg->force = b;
		if (c == 'v') cfg->verbose = b;
		return 0;
	default:
		snprintf(err, cap, "unknown setting");
		return AL_EINVAL;
	}
	snprintf(err, cap, "bad value '%s'", arg ? arg : "");
	return AL_EINVAL;
}

int cli_set(struct config *cfg, const char *key, char *value, char *err,
            size_t cap)
{
	const struct option *o;

	char why[128];

	if (!strcmp(key, "names")) {
		cfg->file_set |= CLI_SET_NAMES;
		return set_names(cfg, value, err, cap);
	}
	for (o = long_opts; o->name; o++) {
		if (strcmp(o->name, key) || !strcmp(key, "config") ||
		    !strcmp(key, "json") || !strcmp(key, "help") ||
		    !strcmp(key, "version") || !strcmp(key, "name") ||
		    !strcmp(key, "yes") || !strcmp(key, "reason") ||
		    !strcmp(key, "new-key") || !strcmp(key, "wildcard") ||
		    !strcmp(key, "until") || !strcmp(key, "publish"))
			continue;
		if (!value[0]) {
			snprintf(err, cap, "%s: empty value", key);
			return AL_EINVAL;
		}
		if (cli_option(cfg, o->val, value, why, sizeof(why)) == 0) {
			cfg->file_set |= (uint64_t)1 << (o - long_opts);
			return 0;
		}
		snprintf(err, cap, "%s: %s", key, why);
		return AL_EINVAL;
	}
	snprintf(err, cap, "unknown key '%s'", key);
	return AL_EINVAL;
}

/* 1 when a string setting differs (NULL is unset). */
static int str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

/* 1 when two settings of one certificate differ in anything but names.
 * Byte for byte, so a setting added later is compared too; string
 * settings known here compare by text (the file and the command line
 * hold the same text at different addresses). */
static int config_differs(const struct config *a, const struct config *b)
{
	struct config x = *a; /* a is b with one option applied: same padding */

#define SAME_TEXT(f) if (!str_differs(x.f, b->f)) x.f = b->f
	SAME_TEXT(server);
	SAME_TEXT(ca_file);
	SAME_TEXT(state_dir);
	SAME_TEXT(email);
	SAME_TEXT(http_addr);
	SAME_TEXT(tls_addr);
	SAME_TEXT(hook);
	SAME_TEXT(eab_kid);
	SAME_TEXT(eab_hmac_key);
	SAME_TEXT(profile);
	SAME_TEXT(preferred_chain);
	SAME_TEXT(challenge);
	SAME_TEXT(challenge_dir);
	SAME_TEXT(webroot);
	SAME_TEXT(challenge_hook);
	SAME_TEXT(dns_server);
	SAME_TEXT(tsig_key);
	SAME_TEXT(dns_resolver);
#undef SAME_TEXT
	x.cert_name = b->cert_name;
	x.file_set = b->file_set;
	return memcmp(&x, b, sizeof(x)) != 0;
}

int cli_conflict(const struct cli *cl, const struct config *sec, char *err,
                 size_t cap)
{
	const struct option *o;
	struct config a;
	char why[160];
	int i;

	for (i = 0; i < cl->nopts; i++) {
		for (o = long_opts; o->name && o->val != cl->opts[i].code; o++)
			;
		if (!o->name || !(sec->file_set & (uint64_t)1 << (o - long_opts)))
			continue;
		a = *sec;
		if (cli_option(&a, o->val, cl->opts[i].arg, why, sizeof(why)) == 0 &&
		    config_differs(&a, sec)) {
			snprintf(err, cap, "--%s%s%s contradicts %s = in [cert %s]",
			         o->name, cl->opts[i].arg ? " " : "",
			         cl->opts[i].arg ? cl->opts[i].arg : "", o->name,
			         sec->cert_name);
			return AL_EINVAL;
		}
	}
	return 0;
}

static int usage_error(const char *what, const char *arg)
{
	if (what)
		fprintf(stderr, "acmelet: %s%s%s\n", what, arg ? ": " : "",
		        arg ? arg : "");
	fprintf(stderr, "usage: acmelet [options] issue NAME... | renew | run | "
	        "status | retry | cron-line | account SUB | revoke CERT | "
	        "persist-record NAME... "
	        "(acmelet --help says more)\n");
	return 2;
}

int cli_apply(const struct cli *cl, struct config *cfg)
{
	const struct option *o;
	char err[160];
	int i;

	for (i = 0; i < cl->nopts; i++) {
		if (cli_option(cfg, cl->opts[i].code, cl->opts[i].arg, err,
		               sizeof(err)) == 0)
			continue;
		for (o = long_opts; o->name && o->val != cl->opts[i].code; o++)
			;
		fprintf(stderr, "acmelet: --%s: %s\n", o->name ? o->name : "?",
		        err);
		return usage_error(NULL, NULL);
	}
	return 0;
}

/* issue's names, normalised in place and without duplicates; a name no CA
 * would accept is one line and exit 2, before any CA contact. */
static int issue_names(struct cli *cl)
{
	char err[200];
	int i, j, n = 0;

	for (i = 0; i < cl->nargs; i++) {
		if (name_normalize(cl->args[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "acmelet: not a name a CA would accept: %s\n",
			        err);
			return 2;
		}
		for (j = 0; j < n && strcmp(cl->args[j], cl->args[i]); j++)
			;
		if (j == n)
			cl->args[n++] = cl->args[i];
	}
	cl->nargs = n;
	return 0;
}

/* The command and its arguments. */
static int cli_command(struct cli *cl, int argc, char **argv)
{
	size_t i;

	if (optind >= argc)
		return usage_error("no command given", NULL);
	cl->command = argv[optind++];
	cl->args = argv + optind;
	cl->nargs = argc - optind;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cl->command, commands[i]))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		return usage_error("unknown command", cl->command);
	if (!strcmp(cl->command, "issue") && cl->nargs == 0)
		return usage_error("issue needs at least one name", NULL);
	if (!strcmp(cl->command, "issue") && cl->nargs > CFG_NAMES_MAX)
		return usage_error("too many names (at most 100 per certificate)",
		                   NULL);
	if ((!strcmp(cl->command, "run") || !strcmp(cl->command, "cron-line")) &&
	    cl->nargs > 0)
		return usage_error("unexpected argument", cl->args[0]);
	/* account SUB, revoke CERT: SUB is checked by account_command */
	if ((!strcmp(cl->command, "account") || !strcmp(cl->command, "revoke")) &&
	    cl->nargs != 1)
		return usage_error("one argument, please", NULL);
	if (!strcmp(cl->command, "persist-record") &&
	    (cl->nargs == 0 || cl->nargs > CFG_NAMES_MAX))
		return usage_error("persist-record needs 1 to 100 names", NULL);
	if (!strcmp(cl->command, "issue") ||
	    !strcmp(cl->command, "persist-record"))
		return issue_names(cl);
	return 0;
}

int cli_parse(struct cli *cl, int argc, char **argv)
{
	struct config scratch;
	int c;

	memset(cl, 0, sizeof(*cl));
	cl->reason = -1;
	cli_defaults(&scratch);
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:s:d:e:k:vh", long_opts,
	                        NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("acmelet %s\nbuilt with: %s\n", ACMELET_VERSION,
			       ACMELET_FEATURES);
			return 1;
		}
		if (c == '?')
			return usage_error("bad option", NULL);
		if (c == 'c') {
			cl->conf_path = optarg;
			continue;
		}
		if (c == OPT_JSON) {
			cl->json = 1;
			continue;
		}
		if (c == OPT_YES || c == OPT_NEW_KEY) {
			cl->yes |= c == OPT_YES;
			cl->new_key = c == OPT_NEW_KEY ? optarg : cl->new_key;
			continue;
		}
		if (c == OPT_WILDCARD || c == OPT_PUBLISH) {
			cl->wildcard |= c == OPT_WILDCARD;
			cl->publish |= c == OPT_PUBLISH;
			continue;
		}
		if (c == OPT_UNTIL) { /* read by persist-record */
			cl->until = optarg;
			continue;
		}
		if (c == OPT_REASON) {
			/* RFC 5280 reasonCode; 7 is unused */
			if ((cl->reason = (int)parse_num(optarg, 0, 10)) < 0 ||
			    cl->reason == 7)
				return usage_error("bad --reason", optarg);
			continue;
		}
		if (cl->nopts == CLI_OPTS_MAX)
			return usage_error("too many options", NULL);
		cl->opts[cl->nopts].code = c;
		cl->opts[cl->nopts++].arg = optarg;
	}
	if (cli_apply(cl, &scratch) != 0) /* check every value now */
		return 2;
	return cli_command(cl, argc, argv);
}
