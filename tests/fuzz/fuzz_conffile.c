/* libFuzzer harness: the configuration file parser (src/conffile.c, with
 * every key through cli_set() of src/cli.c), reading the file through the
 * simulated port as the agent reads /etc/acmelet.conf. Checked: a file
 * that loads has at most CONF_MAX_CERTS sections, each with names, and
 * every name is a terminated string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conffile.h"
#include "err.h"
#include "log.h"
#include "sim/port_sim.h"

#define PATH "/acmelet.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logger quiet = { .level = -1 };
	struct port_sim *sim = malloc(sizeof(*sim));
	struct conf *cf = malloc(sizeof(*cf));
	struct config base;
	int rc;

	if (!sim || !cf)
		abort();
	port_sim_init(sim);
	if (port_replace_file(&sim->base, PATH, data, size, 0) != 0)
		abort();
	cli_defaults(&base);
	rc = conf_load(cf, &sim->base, PATH, &base, &quiet);
	if (rc == 0) {
		if (cf->ncerts < 0 || cf->ncerts > CONF_MAX_CERTS)
			abort();
		for (int i = 0; i < cf->ncerts; i++) {
			const struct config *c = &cf->certs[i];

			if (c->nnames < 1 || c->nnames > CFG_NAMES_MAX ||
			    !c->cert_name || !c->cert_name[0])
				abort();
			for (int k = 0; k < c->nnames; k++)
				if (!c->names[k] || !c->names[k][0])
					abort();
		}
	} else if (rc != AL_EINVAL) {
		abort();
	}
	port_sim_free(sim);
	free(cf);
	free(sim);
	return 0;
}
