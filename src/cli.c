/* Command line parsing with getopt_long; values are checked here so that a
 * wrong option is a usage error (exit 2) before anything else happens. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

#define DEFAULT_STATE_DIR "/etc/acmelet"

enum { OPT_CA_FILE = 256, OPT_AGREE_TOS, OPT_HTTP_PORT, OPT_HTTP_ADDR,
       OPT_NAME, OPT_FORCE, OPT_STAGING, OPT_LOG, OPT_VERSION, OPT_TIMEOUT };

static const struct option long_opts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "staging", no_argument, NULL, OPT_STAGING },
	{ "ca-file", required_argument, NULL, OPT_CA_FILE },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "email", required_argument, NULL, 'e' },
	{ "agree-tos", no_argument, NULL, OPT_AGREE_TOS },
	{ "http-port", required_argument, NULL, OPT_HTTP_PORT },
	{ "http-addr", required_argument, NULL, OPT_HTTP_ADDR },
	{ "key-type", required_argument, NULL, 'k' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *out)
{
	fputs(
"usage: acmelet [options] issue NAME...\n"
"\n"
"Get a certificate for NAME... from an ACME CA (Let's Encrypt by default),\n"
"answering http-01 with the built-in responder.\n"
"\n"
"  -s, --server URL     ACME directory URL (default: Let's Encrypt production)\n"
"      --staging        use Let's Encrypt's staging directory\n"
"      --ca-file PEM    CA certificates trusted for the ACME server\n"
"  -d, --state-dir DIR  where accounts and certificates live (" DEFAULT_STATE_DIR ")\n"
"  -e, --email ADDR     contact address for the account\n"
"      --agree-tos      agree to the CA's terms of service (shown in the log)\n"
"      --http-port N    port of the built-in http-01 responder (80)\n"
"      --http-addr ADDR address it listens on (default: all)\n"
"  -k, --key-type T     certificate key: ec-256 (default), ec-384\n"
"      --name NAME      directory name of the certificate (default: first NAME)\n"
"      --force          issue even when the stored certificate is still good\n"
"      --timeout SEC    per HTTP request (30)\n"
"  -v, --verbose        log every request\n"
"      --log WHERE      stderr, syslog or auto (stderr on a terminal)\n"
"  -h, --help           this text\n"
"      --version        print the version\n"
"\n"
"Results: STATE/certs/NAME/live/{privkey,cert,chain,fullchain}.pem\n"
"Exit status: 0 issued or nothing to do, 1 failure, 2 usage error.\n",
	      out);
}

static void cli_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->server = ACME_LE_PRODUCTION;
	cfg->state_dir = DEFAULT_STATE_DIR;
	cfg->http_port = 80;
	cfg->key_type = KEY_EC256;
	cfg->timeout_s = 30;
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

/* Names become directory names and CSR entries: letters, digits, '-', '.',
 * '*' for wildcards and ':' for IPv6 literals; no empty or dot-led name. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		            "0123456789-.*:", *s))
			return 0;
	return 1;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "acmelet: %s%s%s; see acmelet --help\n", what,
	        arg ? ": " : "", arg ? arg : "");
	return 2;
}

static int cli_option(struct config *cfg, int c, const char *arg)
{
	long n;

	switch (c) {
	case 's': cfg->server = arg; break;
	case OPT_STAGING: cfg->server = ACME_LE_STAGING; break;
	case OPT_CA_FILE: cfg->ca_file = arg; break;
	case 'd': cfg->state_dir = arg; break;
	case 'e': cfg->email = arg; break;
	case OPT_AGREE_TOS: cfg->agree_tos = 1; break;
	case OPT_HTTP_PORT:
		if ((n = parse_num(arg, 1, 65535)) < 0)
			return usage_error("--http-port wants a port number 1-65535", arg);
		cfg->http_port = (int)n;
		break;
	case OPT_HTTP_ADDR: cfg->http_addr = arg; break;
	case 'k':
		if (key_type_parse(arg, &cfg->key_type) != 0)
			return usage_error("unknown --key-type (try ec-256 or ec-384)", arg);
		break;
	case OPT_NAME: cfg->cert_name = arg; break;
	case OPT_FORCE: cfg->force = 1; break;
	case OPT_TIMEOUT:
		if ((n = parse_num(arg, 1, 3600)) < 0)
			return usage_error("--timeout wants seconds 1-3600", arg);
		cfg->timeout_s = (int)n;
		break;
	case 'v': cfg->verbose++; break;
	case OPT_LOG:
		if (strcmp(arg, "stderr") == 0) cfg->log_dest = LOG_TO_STDERR;
		else if (strcmp(arg, "syslog") == 0) cfg->log_dest = LOG_TO_SYSLOG;
		else if (strcmp(arg, "auto") == 0) cfg->log_dest = LOG_TO_AUTO;
		else return usage_error("--log wants stderr, syslog or auto", arg);
		break;
	default:
		return 2;
	}
	return 0;
}

int cli_parse(struct config *cfg, int argc, char **argv)
{
	int c, i, rc;

	cli_defaults(cfg);
	opterr = 1;
	while ((c = getopt_long(argc, argv, "s:d:e:k:vh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("acmelet %s\n", ACMELET_VERSION);
			return 1;
		}
		if (c == '?')
			return usage_error("bad option", NULL);
		if ((rc = cli_option(cfg, c, optarg)) != 0)
			return rc;
	}
	if (optind >= argc)
		return usage_error("no command given (try: acmelet issue NAME)", NULL);
	cfg->command = argv[optind++];
	if (strcmp(cfg->command, "issue") != 0)
		return usage_error("unknown command", cfg->command);
	if (optind >= argc)
		return usage_error("issue needs at least one name", NULL);
	if (argc - optind > CFG_NAMES_MAX)
		return usage_error("too many names (at most 100 per certificate)", NULL);
	for (i = optind; i < argc; i++) {
		if (!valid_name(argv[i]))
			return usage_error("not a valid name", argv[i]);
		cfg->names[cfg->nnames++] = argv[i];
	}
	if (!cfg->cert_name)
		cfg->cert_name = cfg->names[0];
	if (!valid_name(cfg->cert_name) || strchr(cfg->cert_name, ':'))
		return usage_error("--name must be a plain name (no '/' or ':')",
		                   cfg->cert_name);
	return 0;
}
