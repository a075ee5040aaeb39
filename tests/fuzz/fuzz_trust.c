/* libFuzzer harness: the trust-anchor loader of the built-in transport
 * (src/http/trust.c, --ca-file), which reads a PEM bundle twice from a
 * file. The input is that file, held in a memfd so no disk is touched.
 * Checked: a loaded store's anchors lie inside its arena; a failed load
 * leaves the store empty; nothing leaks (LeakSanitizer). */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "http/trust.h"

static int inside(const struct trust_store *ts, const void *p, size_t n)
{
	const unsigned char *a = ts->arena, *q = p;

	return q >= a && n <= ts->arena_len && q - a <= (long)(ts->arena_len - n);
}

static void check(const struct trust_store *ts)
{
	for (size_t i = 0; i < ts->count; i++) {
		const br_x509_trust_anchor *ta = &ts->anchors[i];

		if (!inside(ts, ta, sizeof(*ta)) ||
		    !inside(ts, ta->dn.data, ta->dn.len))
			abort();
		if (ta->pkey.key_type == BR_KEYTYPE_RSA &&
		    (!inside(ts, ta->pkey.key.rsa.n, ta->pkey.key.rsa.nlen) ||
		     !inside(ts, ta->pkey.key.rsa.e, ta->pkey.key.rsa.elen)))
			abort();
		if (ta->pkey.key_type == BR_KEYTYPE_EC &&
		    !inside(ts, ta->pkey.key.ec.q, ta->pkey.key.ec.qlen))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct trust_store ts;
	char path[64], err[256];
	int rc;

	if (fd < 0 && (fd = memfd_create("ca-file", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&ts, 0xa5, sizeof(ts)); /* the loader must set every field */
	rc = trust_load(&ts, path, err, sizeof(err));
	if (rc == 0) {
		if (ts.count == 0 || !ts.arena)
			abort();
		check(&ts);
	} else if (ts.count != 0 || ts.arena || ts.anchors ||
	           strnlen(err, sizeof(err)) >= sizeof(err)) {
		abort();
	}
	trust_free(&ts);
	return 0;
}
