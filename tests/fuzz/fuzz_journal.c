/* libFuzzer harness: the per-certificate journal (src/journal.c), read
 * through the simulated port from STATE/certs/<name>/state as a power cut
 * or a hand edit may have left it. Checked: any file loads (a corrupt one
 * as empty), and what was loaded, saved again, loads back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "journal.h"
#include "log.h"
#include "sim/port_sim.h"
#include "store.h"

#define NAME "example.com"

static int same(const struct journal *a, const struct journal *b)
{
	return !strcmp(a->order, b->order) && !strcmp(a->names_id, b->names_id) &&
	       a->gen == b->gen && a->failures == b->failures &&
	       a->next_try == b->next_try &&
	       !strcmp(a->last_error, b->last_error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logger quiet = { .level = -1 };
	struct port_sim *sim = malloc(sizeof(*sim));
	struct journal *j1 = malloc(sizeof(*j1)), *j2 = malloc(sizeof(*j2));
	struct store st;

	if (!sim || !j1 || !j2)
		abort();
	port_sim_init(sim);
	if (store_init(&st, &sim->base, &quiet, "/state") != 0 ||
	    store_make_cert_dir(&st, NAME) != 0 ||
	    port_replace_file(&sim->base, "/state/certs/" NAME "/state", data,
	                      size, 0) != 0)
		abort();
	if (journal_load(&st, NAME, j1) != 0)
		abort();
	if (strnlen(j1->order, sizeof(j1->order)) >= sizeof(j1->order) ||
	    strnlen(j1->names_id, sizeof(j1->names_id)) >= sizeof(j1->names_id) ||
	    strnlen(j1->last_error, sizeof(j1->last_error)) >=
	    sizeof(j1->last_error) || j1->gen < 0 || j1->failures < 0 ||
	    j1->next_try < 0)
		abort();
	if (journal_save(&st, NAME, j1) != 0 || journal_load(&st, NAME, j2) != 0 ||
	    !same(j1, j2))
		abort();
	port_sim_free(sim);
	free(j2);
	free(j1);
	free(sim);
	return 0;
}
