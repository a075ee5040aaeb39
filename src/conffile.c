/* Configuration file parser: lines of "key = value", comments, and
 * [cert NAME] sections. The text is kept and cut in place, so settings
 * point into it; nothing is allocated. */
#include <string.h>

#include "conffile.h"
#include "err.h"
#include "log.h"
#include "port.h"

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int conf_find(const struct conf *cf, const char *name)
{
	int i;

	for (i = 0; i < cf->ncerts; i++)
		if (!strcmp(cf->certs[i].cert_name, name))
			return i;
	return -1;
}

/* "[cert NAME]": start a new certificate from the global settings. */
static int section(struct conf *cf, char *line, int lineno, char *err,
                   size_t cap)
{
	char *end = strchr(line, ']'), *name;
	struct config *c;

	if (!end || trim(end + 1)[0] || strncmp(line, "[cert ", 6) != 0) {
		snprintf(err, cap, "expected a section like [cert NAME]");
		return AL_EINVAL;
	}
	*end = '\0';
	name = trim(line + 6);
	if (!cli_valid_name(name) || strpbrk(name, ":*")) {
		snprintf(err, cap, "bad certificate name '%s'", name);
		return AL_EINVAL;
	}
	if (conf_find(cf, name) >= 0) {
		snprintf(err, cap, "[cert %s] appears twice", name);
		return AL_EINVAL;
	}
	if (cf->ncerts == CONF_MAX_CERTS) {
		snprintf(err, cap, "too many certificates (at most %d)",
		         CONF_MAX_CERTS);
		return AL_EINVAL;
	}
	cf->cert_line[cf->ncerts] = lineno;
	c = &cf->certs[cf->ncerts++];
	*c = cf->global;
	c->cert_name = name;
	c->nnames = 0;
	c->file_set = 0;
	return 0;
}

/* One line: blank, comment, section or key = value. */
static int conf_line(struct conf *cf, char *line, int lineno, char *err,
                     size_t cap)
{
	struct config *c = cf->ncerts ? &cf->certs[cf->ncerts - 1] : &cf->global;
	char *eq, *key;

	line = trim(line);
	if (!line[0] || line[0] == '#' || line[0] == ';')
		return 0;
	if (line[0] == '[')
		return section(cf, line, lineno, err, cap);
	if (!(eq = strchr(line, '='))) {
		snprintf(err, cap, "expected key = value");
		return AL_EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	if (!strcmp(key, "names") && !cf->ncerts) {
		snprintf(err, cap, "names belongs in a [cert NAME] section");
		return AL_EINVAL;
	}
	return cli_set(c, key, trim(eq + 1), err, cap);
}

/* Every section needs names. */
static int conf_check(const struct conf *cf, const char *path,
                      const struct logger *log)
{
	int i;

	for (i = 0; i < cf->ncerts; i++)
		if (cf->certs[i].nnames == 0) {
			log_err(log, "%s:%d: [cert %s] has no names = line", path,
			        cf->cert_line[i], cf->certs[i].cert_name);
			return AL_EINVAL;
		}
	return 0;
}

int conf_load(struct conf *cf, struct port *p, const char *path,
              const struct config *base, const struct logger *log)
{
	char err[256], *line, *next;
	size_t len;
	int rc, lineno = 0;

	cf->global = *base;
	cf->ncerts = 0;
	/* "-c /dev/null": no configuration at all (as ssh -F /dev/null; the
	 * OpenWrt backend runs so). The one device accepted, never read. */
	if (strcmp(path, "/dev/null") == 0)
		return 0;
	rc = port_read_file(p, path, cf->text, sizeof(cf->text) - 1, &len);
	if (rc == AL_ENOENT)
		return rc;
	if (rc != 0) {
		log_err(log, "%s: cannot read the configuration%s", path,
		        rc == AL_E2BIG ? " (larger than 64 KiB)" :
		        port_read_why(rc));
		return AL_EINVAL;
	}
	cf->text[len] = '\0';
	if (memchr(cf->text, '\0', len)) {
		log_err(log, "%s: not a text file", path);
		return AL_EINVAL;
	}
	for (line = cf->text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (conf_line(cf, line, lineno, err, sizeof(err)) != 0) {
			log_err(log, "%s:%d: %s", path, lineno, err);
			return AL_EINVAL;
		}
	}
	return conf_check(cf, path, log);
}
