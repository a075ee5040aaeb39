/* The simulated port: in-memory flash that loses power, a clock moved by
 * the test, deterministic entropy. Test programs only, never the product.
 *
 * Model of the flash
 * ------------------
 * Inodes are files (data), directories (entries: name -> inode) and
 * symlinks (target). Each file and directory has two states:
 *   current  what the running process sees (every read uses it);
 *   durable  what survives a power cut: a file's data as of its last
 *            fsync, a directory's entries as of its last fsync.
 * A symlink's target is written with the link and never changes, so it
 * survives exactly when an entry naming the link survives. A directory's
 * own entry lives in its parent: a new directory (or file) survives only
 * once its parent has been fsynced after its creation.
 *
 * Storage steps, each counted by port_sim_steps() and each a point where
 * the power may be cut (port_sim_cut_after):
 *   create      new empty file entry in a directory (current entries)
 *   write       a file's current data
 *   fsync file  durable data := current data
 *   rename      current entries of the directory change
 *   fsync dir   durable entries := current entries
 *   mkdir, symlink, unlink/rmdir   current entries of the directory change
 * Reads (read_file, list_dir, read_link) are not steps, and neither are
 * locks: flock(2) on a directory writes nothing. A lock is kept in RAM per
 * directory inode and held by a pid, like flock's open file description:
 * a second lock() of a locked directory conflicts even in this process.
 * A power cut ends every process, so a reboot releases every lock.
 *
 * Port operations are made of these steps exactly as port_posix.c makes
 * them of system calls (a stale "<name>.tmp-<pid>" adds one unlink first):
 *   replace_file  create tmp, write, fsync, rename, fsync dir     5 steps
 *   replace_link  symlink tmp, rename, fsync dir                  3 steps
 *   make_dir      mkdir, fsync parent (nothing when it exists)    2 steps
 *   remove        unlink or rmdir (no sync, like POSIX)           1 step
 * A failed write, fsync or rename is followed by the unlink of the
 * temporary, as in the POSIX port (that unlink is a step too).
 *
 * Power cut: after the planned number of steps every storage operation
 * fails with AL_EFAIL and changes nothing. port_sim_reboot() then builds
 * what the flash holds from the durable states (SIM_LOSE_UNSYNCED), or
 * keeps every current entry but tears unsynced file data
 * (SIM_KEEP_ENTRIES_TORN_DATA). Inodes that no current or durable entry
 * names are freed after every operation (they can never be seen again).
 *
 * Allocation failure aborts the test program: this port is for tests,
 * and a half-applied step would make its answers meaningless. */
#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "port_sim.h"

#define SIM_PATH_MAX 4096 /* with the NUL, as Linux PATH_MAX */
#define SIM_NAME_MAX 255  /* as Linux NAME_MAX */
#define SIM_LINKS_MAX 40  /* links followed in one lookup (ELOOP) */
#define SIM_DEPTH_MAX 128 /* directories deep */

struct sim_ent {
	char *name;
	struct sim_inode *ino;
};

/* Entries of a directory, sorted by name so that walks are repeatable. */
struct sim_ents {
	struct sim_ent *v;
	size_t n, cap;
};

struct sim_inode {
	struct sim_inode *next; /* in s->all */
	enum sim_type type;
	unsigned mode;
	unsigned mark;
	unsigned char *data, *ddata; /* file: current and durable data */
	size_t len, dlen;
	int synced;                  /* file: current data is durable */
	struct sim_ents cur, dur;    /* directory: current and durable */
	char *target;                /* symlink */
};

/* Where a path leads: the directory holding its last name and what that
 * name points to (NULL: missing). dir is NULL when the path names a
 * directory without a last name ("/", "a/."). */
struct sim_path {
	struct sim_inode *dir, *ino;
	char name[SIM_NAME_MAX + 1];
};

static void *xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "port_sim: out of memory\n");
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xalloc(n), s, n);
}

/* Replace *dst (of length *dlen) with a copy of src. */
static void bytes_set(unsigned char **dst, size_t *dlen,
                      const unsigned char *src, size_t len)
{
	unsigned char *d = xalloc(len);

	if (len)
		memcpy(d, src, len);
	free(*dst);
	*dst = d;
	*dlen = len;
}

static long ents_find(const struct sim_ents *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->v[i].name, name) == 0)
			return (long)i;
	return -1;
}

static struct sim_inode *ents_get(const struct sim_ents *e, const char *name)
{
	long i = ents_find(e, name);

	return i < 0 ? NULL : e->v[i].ino;
}

/* Point name at ino, inserting the name in its sorted place when new. */
static void ents_set(struct sim_ents *e, const char *name,
                     struct sim_inode *ino)
{
	long i = ents_find(e, name);
	size_t at = 0;
	struct sim_ent *v;

	if (i >= 0) {
		e->v[i].ino = ino;
		return;
	}
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		v = xalloc(e->cap * sizeof(*v));
		if (e->n)
			memcpy(v, e->v, e->n * sizeof(*v));
		free(e->v);
		e->v = v;
	}
	while (at < e->n && strcmp(e->v[at].name, name) < 0)
		at++;
	memmove(&e->v[at + 1], &e->v[at], (e->n - at) * sizeof(*e->v));
	e->v[at].name = xstrdup(name);
	e->v[at].ino = ino;
	e->n++;
}

static void ents_del(struct sim_ents *e, const char *name)
{
	long i = ents_find(e, name);

	if (i < 0)
		return;
	free(e->v[i].name);
	memmove(&e->v[i], &e->v[i + 1],
	        (e->n - (size_t)i - 1) * sizeof(*e->v));
	e->n--;
}

static void ents_free(struct sim_ents *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].name);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

/* dst becomes a copy of src (names copied, inodes shared). */
static void ents_copy(struct sim_ents *dst, const struct sim_ents *src)
{
	struct sim_ents t = { NULL, 0, 0 };
	size_t i;

	t.cap = src->n;
	t.v = xalloc(src->n * sizeof(*t.v));
	for (i = 0; i < src->n; i++) {
		t.v[i].name = xstrdup(src->v[i].name);
		t.v[i].ino = src->v[i].ino;
	}
	t.n = src->n;
	ents_free(dst);
	*dst = t;
}

static struct sim_inode *inode_new(struct port_sim *s, enum sim_type type,
                                   unsigned mode)
{
	struct sim_inode *n = xalloc(sizeof(*n));

	n->type = type;
	n->mode = mode;
	n->synced = 1;
	n->next = s->all;
	s->all = n;
	return n;
}

static void inode_free(struct sim_inode *n)
{
	free(n->data);
	free(n->ddata);
	ents_free(&n->cur);
	ents_free(&n->dur);
	free(n->target);
	free(n);
}

/* Mark n and all that its current or durable entries lead to. */
static void mark_from(struct sim_inode *n, unsigned mark)
{
	size_t i;

	if (n->mark == mark)
		return;
	n->mark = mark;
	for (i = 0; i < n->cur.n; i++)
		mark_from(n->cur.v[i].ino, mark);
	for (i = 0; i < n->dur.n; i++)
		mark_from(n->dur.v[i].ino, mark);
}

/* Free the inodes no entry names any more, current or durable. */
static void sweep(struct port_sim *s)
{
	struct sim_inode **pp = &s->all, *n;

	int i;

	mark_from(s->root, ++s->mark);
	for (i = 0; i < SIM_LOCKS_MAX; i++) /* a lock dies with its directory */
		if (s->locks[i].ino && s->locks[i].ino->mark != s->mark)
			s->locks[i].ino = NULL;
	while ((n = *pp) != NULL) {
		if (n->mark != s->mark) {
			*pp = n->next;
			inode_free(n);
		} else {
			pp = &n->next;
		}
	}
}

/* Expand the link ino met at *p (its name ends at end) into rest, so
 * that the walk goes on through its target. */
static int follow_link(const struct sim_inode *ino, const char *end,
                       char *rest, const char **p)
{
	char tmp[SIM_PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s%s", ino->target, end);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return AL_E2BIG;
	memcpy(rest, tmp, (size_t)n + 1);
	*p = rest;
	return 0;
}

/* Resolve path in the current state, following links in the middle and,
 * when follow is set, a link at the end too (open/stat versus lstat). A
 * missing last name is not an error: out->ino is NULL. */
static int lookup(struct port_sim *s, const char *path, int follow,
                  struct sim_path *out)
{
	char rest[SIM_PATH_MAX];
	struct sim_inode *stack[SIM_DEPTH_MAX], *ino;
	const char *p = rest, *end;
	size_t depth = 0, n;
	int links = 0, last, rc;

	if (path[0] == '\0')
		return AL_ENOENT;
	if (strlen(path) >= sizeof(rest))
		return AL_E2BIG;
	strcpy(rest, path);
	stack[0] = s->root;
	for (;;) {
		p += strspn(p, "/");
		if (*p == '\0') {
			out->dir = NULL;
			out->name[0] = '\0';
			out->ino = stack[depth];
			return 0;
		}
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if (n > SIM_NAME_MAX)
			return AL_E2BIG;
		last = end[strspn(end, "/")] == '\0';
		if (n <= 2 && strncmp(p, "..", n) == 0) {
			if (n == 2 && depth > 0)
				depth--;
			p = end;
			continue;
		}
		memcpy(out->name, p, n);
		out->name[n] = '\0';
		ino = ents_get(&stack[depth]->cur, out->name);
		if (ino && ino->type == SIM_LINK && (!last || follow)) {
			if (++links > SIM_LINKS_MAX)
				return AL_EFAIL;
			if (ino->target[0] == '/')
				depth = 0;
			if ((rc = follow_link(ino, end, rest, &p)) != 0)
				return rc;
			continue;
		}
		if (last) {
			out->dir = stack[depth];
			out->ino = ino;
			return 0;
		}
		if (!ino)
			return AL_ENOENT;
		if (ino->type != SIM_DIR)
			return AL_EFAIL; /* ENOTDIR */
		if (depth + 1 >= SIM_DEPTH_MAX)
			return AL_E2BIG;
		stack[++depth] = ino;
		p = end;
	}
}

/* Count one finished step; the power goes when the planned count is hit. */
static void step_done(struct port_sim *s)
{
	s->cnt.steps++;
	if (s->cut_left > 0 && --s->cut_left == 0)
		s->dead = 1;
}

/* Step create, mkdir or symlink: a new inode named name in dir. */
static int st_new(struct port_sim *s, struct sim_inode *dir,
                  const char *name, enum sim_type type, unsigned mode,
                  const char *target, struct sim_inode **out)
{
	struct sim_inode *n;

	if (s->dead)
		return AL_EFAIL;
	if (ents_get(&dir->cur, name))
		return AL_EFAIL; /* EEXIST */
	n = inode_new(s, type, mode);
	if (target)
		n->target = xstrdup(target);
	ents_set(&dir->cur, name, n);
	if (type == SIM_DIR)
		s->cnt.mkdirs++;
	if (type == SIM_LINK)
		s->cnt.symlinks++;
	step_done(s);
	if (out)
		*out = n;
	return 0;
}

/* Bytes of file data held now, old versions not yet released included. */
static uint64_t used_bytes(const struct port_sim *s)
{
	const struct sim_inode *n;
	uint64_t sum = 0;

	for (n = s->all; n; n = n->next)
		sum += n->len > n->dlen ? n->len : n->dlen;
	return sum;
}

/* Step write: the whole current data of the new file f. */
static int st_write(struct port_sim *s, struct sim_inode *f,
                    const void *data, size_t len)
{
	if (s->dead)
		return AL_EFAIL;
	if (s->capacity && used_bytes(s) + len > s->capacity)
		return AL_ENOSPC;
	bytes_set(&f->data, &f->len, data, len);
	f->synced = 0;
	s->cnt.bytes_written += (long)len;
	s->cnt.files_written++;
	step_done(s);
	return 0;
}

/* Step fsync: a file's data, or a directory's entries, become durable. */
static int st_fsync(struct port_sim *s, struct sim_inode *n)
{
	if (s->dead)
		return AL_EFAIL;
	if (n->type == SIM_DIR)
		ents_copy(&n->dur, &n->cur);
	else
		bytes_set(&n->ddata, &n->dlen, n->data, n->len);
	n->synced = 1;
	s->cnt.fsyncs++;
	step_done(s);
	return 0;
}

/* Step rename within dir; like rename(2), a directory is never replaced
 * by a file or link. */
static int st_rename(struct port_sim *s, struct sim_inode *dir,
                     const char *from, const char *to)
{
	struct sim_inode *src = ents_get(&dir->cur, from);
	struct sim_inode *dst = ents_get(&dir->cur, to);

	if (s->dead)
		return AL_EFAIL;
	if (!src)
		return AL_ENOENT;
	if (dst && dst->type == SIM_DIR)
		return AL_EFAIL; /* EISDIR */
	ents_set(&dir->cur, to, src);
	ents_del(&dir->cur, from);
	s->cnt.renames++;
	step_done(s);
	return 0;
}

/* Step unlink (or rmdir when dirs_too): drop name from dir. */
static int st_unlink(struct port_sim *s, struct sim_inode *dir,
                     const char *name, int dirs_too)
{
	struct sim_inode *n = ents_get(&dir->cur, name);

	if (s->dead)
		return AL_EFAIL;
	if (!n)
		return AL_ENOENT;
	if (n->type == SIM_DIR && (!dirs_too || n->cur.n > 0))
		return AL_EFAIL; /* EISDIR, ENOTEMPTY */
	ents_del(&dir->cur, name);
	s->cnt.unlinks++;
	step_done(s);
	return 0;
}

/* Resolve path for an atomic replacement: tmp gets "<name>.tmp-<pid>" in
 * the same directory, and a stale one is unlinked (temp_name()). */
static int begin_replace(struct port_sim *s, const char *path,
                         struct sim_path *r, char tmp[SIM_NAME_MAX + 1])
{
	int n, rc;

	if (s->dead)
		return AL_EFAIL;
	if ((rc = lookup(s, path, 0, r)) != 0)
		return rc;
	if (!r->dir)
		return AL_EFAIL; /* "/" or "dir/." cannot be replaced */
	n = snprintf(tmp, SIM_NAME_MAX + 1, "%s.tmp-%ld", r->name, s->pid);
	if (n < 0 || n > SIM_NAME_MAX ||
	    strlen(path) + (size_t)n - strlen(r->name) >= SIM_PATH_MAX)
		return AL_E2BIG;
	if (ents_get(&r->dir->cur, tmp))
		return st_unlink(s, r->dir, tmp, 0);
	return 0;
}

static int sim_read_file(struct port *p, const char *path, void *buf,
                         size_t cap, size_t *len)
{
	struct port_sim *s = (struct port_sim *)p;
	struct sim_path r;
	int rc;

	*len = 0;
	if (s->dead)
		return AL_EFAIL;
	if ((rc = lookup(s, path, 1, &r)) != 0)
		return rc;
	if (!r.ino)
		return AL_ENOENT;
	if (r.ino->type != SIM_FILE)
		return AL_ENOTREG; /* a directory, as the POSIX port says */
	if (r.ino->len > cap)
		return AL_E2BIG;
	if (r.ino->len)
		memcpy(buf, r.ino->data, r.ino->len);
	*len = r.ino->len;
	return 0;
}

static int sim_replace_file(struct port *p, const char *path,
                            const void *data, size_t len, int flags)
{
	struct port_sim *s = (struct port_sim *)p;
	char tmp[SIM_NAME_MAX + 1];
	struct sim_path r;
	struct sim_inode *f;
	int rc;

	if ((rc = begin_replace(s, path, &r, tmp)) != 0 ||
	    (rc = st_new(s, r.dir, tmp, SIM_FILE,
	                 (flags & PORT_PRIVATE) ? 0600 : 0644, NULL, &f)) != 0)
		goto out;
	if ((rc = st_write(s, f, data, len)) != 0 ||
	    (rc = st_fsync(s, f)) != 0 ||
	    (rc = st_rename(s, r.dir, tmp, r.name)) != 0) {
		st_unlink(s, r.dir, tmp, 0);
		goto out;
	}
	rc = st_fsync(s, r.dir);
out:
	sweep(s);
	return rc;
}

static int sim_make_dir(struct port *p, const char *path, int flags)
{
	struct port_sim *s = (struct port_sim *)p;
	struct sim_path r;
	int rc;

	if (s->dead)
		return AL_EFAIL;
	if ((rc = lookup(s, path, 0, &r)) != 0)
		return rc;
	if (r.dir && !r.ino) {
		rc = st_new(s, r.dir, r.name, SIM_DIR,
		            (flags & PORT_PRIVATE) ? 0700 : 0755, NULL, NULL);
		return rc != 0 ? rc : st_fsync(s, r.dir);
	}
	/* It exists: success only when it is (or links to) a directory. */
	if ((rc = lookup(s, path, 1, &r)) != 0)
		return rc;
	if (!r.ino)
		return AL_ENOENT;
	return r.ino->type == SIM_DIR ? 0 : AL_EFAIL;
}

static int sim_list_dir(struct port *p, const char *dir,
                        int (*cb)(void *arg, const char *name), void *arg)
{
	struct port_sim *s = (struct port_sim *)p;
	struct sim_path r;
	char **names;
	size_t i, n;
	int rc;

	if (s->dead)
		return AL_EFAIL;
	if ((rc = lookup(s, dir, 1, &r)) != 0)
		return rc;
	if (!r.ino)
		return AL_ENOENT;
	if (r.ino->type != SIM_DIR)
		return AL_EFAIL; /* ENOTDIR */
	/* A copy of the names, because cb may change the directory (store
	 * prunes generations from inside its walk). */
	n = r.ino->cur.n;
	names = xalloc(n * sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = xstrdup(r.ino->cur.v[i].name);
	for (i = 0; i < n && rc == 0; i++)
		rc = cb(arg, names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int sim_remove(struct port *p, const char *path)
{
	struct port_sim *s = (struct port_sim *)p;
	struct sim_path r;
	int rc;

	if (s->dead)
		return AL_EFAIL;
	if ((rc = lookup(s, path, 0, &r)) != 0)
		return rc;
	if (!r.ino)
		return AL_ENOENT;
	if (!r.dir)
		return AL_EFAIL; /* EBUSY: "/" */
	rc = st_unlink(s, r.dir, r.name, 1);
	sweep(s);
	return rc;
}

static int sim_replace_link(struct port *p, const char *path,
                            const char *target)
{
	struct port_sim *s = (struct port_sim *)p;
	char tmp[SIM_NAME_MAX + 1];
	struct sim_path r;
	int rc;

	if (target[0] == '\0')
		return AL_ENOENT; /* symlink(2) refuses an empty target */
	if (strlen(target) >= SIM_PATH_MAX)
		return AL_E2BIG;
	if ((rc = begin_replace(s, path, &r, tmp)) != 0 ||
	    (rc = st_new(s, r.dir, tmp, SIM_LINK, 0777, target, NULL)) != 0)
		goto out;
	if ((rc = st_rename(s, r.dir, tmp, r.name)) != 0) {
		st_unlink(s, r.dir, tmp, 0);
		goto out;
	}
	rc = st_fsync(s, r.dir);
out:
	sweep(s);
	return rc;
}

static int sim_read_link(struct port *p, const char *path, char *buf,
                         size_t cap)
{
	struct port_sim *s = (struct port_sim *)p;
	struct sim_path r;
	int rc;

	if (cap == 0)
		return AL_E2BIG;
	buf[0] = '\0';
	if (s->dead)
		return AL_EFAIL;
	if ((rc = lookup(s, path, 0, &r)) != 0)
		return rc;
	if (!r.ino)
		return AL_ENOENT;
	if (r.ino->type != SIM_LINK)
		return AL_EFAIL; /* EINVAL */
	if (strlen(r.ino->target) >= cap)
		return AL_E2BIG;
	strcpy(buf, r.ino->target);
	return 0;
}

static int64_t sim_wall_time(struct port *p)
{
	return ((struct port_sim *)p)->wall;
}

/* Real monotonic time, so that network timeouts work, plus what the test
 * added with port_sim_advance(). */
static int64_t sim_mono_ms(struct port *p)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return ((struct port_sim *)p)->mono_offset_ms;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
	       ((struct port_sim *)p)->mono_offset_ms;
}

static int sim_wall_trusted(struct port *p)
{
	return ((struct port_sim *)p)->trusted;
}

/* The stream is SHA-256(seed LE64 || block LE64) for block = 0, 1, ... */
static int sim_entropy(struct port *p, void *buf, size_t len)
{
	struct port_sim *s = (struct port_sim *)p;
	unsigned char *b = buf, in[16];
	br_sha256_context c;
	size_t take, i;

	if (s->unseeded)
		return AL_EUNSEEDED;
	while (len > 0) {
		if (s->pool_used == sizeof(s->pool)) {
			for (i = 0; i < 8; i++) {
				in[i] = (unsigned char)(s->seed >> (8 * i));
				in[8 + i] = (unsigned char)(s->block >> (8 * i));
			}
			s->block++;
			br_sha256_init(&c);
			br_sha256_update(&c, in, sizeof(in));
			br_sha256_out(&c, s->pool);
			s->pool_used = 0;
		}
		take = sizeof(s->pool) - s->pool_used;
		if (take > len)
			take = len;
		memcpy(b, s->pool + s->pool_used, take);
		s->pool_used += (unsigned)take;
		b += take;
		len -= take;
	}
	return 0;
}

/* Slot of the lock on ino, or -1. */
static int lock_slot(const struct port_sim *s, const struct sim_inode *ino)
{
	int i;

	for (i = 0; i < SIM_LOCKS_MAX; i++)
		if (s->locks[i].ino == ino)
			return i;
	return -1;
}

/* The directory at path for a lock: AL_ENOENT, AL_EFAIL (not a dir). */
static int lock_target(struct port_sim *s, const char *path,
                       struct sim_inode **ino)
{
	struct sim_path r;
	int rc;

	if ((rc = lookup(s, path, 1, &r)) != 0)
		return rc;
	if (!r.ino)
		return AL_ENOENT;
	*ino = r.ino;
	return r.ino->type == SIM_DIR ? 0 : AL_EFAIL;
}

/* Busy: the wait passes at once on the monotonic clock (nobody else runs
 * in the simulation to let go), then AL_ELOCKED with the holder's pid. */
static int sim_lock(struct port *p, const char *path, int64_t wait_ms,
                    int *handle, long *holder)
{
	struct port_sim *s = (struct port_sim *)p;
	struct sim_inode *ino;
	int rc, i;

	*handle = -1;
	*holder = 0;
	if (s->dead)
		return AL_EFAIL;
	if ((rc = lock_target(s, path, &ino)) != 0)
		return rc;
	if ((i = lock_slot(s, ino)) >= 0) {
		s->mono_offset_ms += wait_ms > 0 ? wait_ms : 0;
		*holder = s->locks[i].pid;
		return AL_ELOCKED;
	}
	if ((i = lock_slot(s, NULL)) < 0)
		return AL_E2BIG;
	s->locks[i].ino = ino;
	s->locks[i].pid = s->pid;
	*handle = i;
	return 0;
}

static void sim_unlock(struct port *p, int handle)
{
	struct port_sim *s = (struct port_sim *)p;

	if (handle >= 0 && handle < SIM_LOCKS_MAX)
		s->locks[handle].ino = NULL;
}

static const struct port_ops sim_ops = {
	.read_file = sim_read_file,
	.replace_file = sim_replace_file,
	.make_dir = sim_make_dir,
	.list_dir = sim_list_dir,
	.remove = sim_remove,
	.replace_link = sim_replace_link,
	.read_link = sim_read_link,
	.wall_time = sim_wall_time,
	.mono_ms = sim_mono_ms,
	.wall_trusted = sim_wall_trusted,
	.entropy = sim_entropy,
	.lock = sim_lock,
	.unlock = sim_unlock,
};

void port_sim_init(struct port_sim *s)
{
	memset(s, 0, sizeof(*s));
	s->base.ops = &sim_ops;
	s->root = inode_new(s, SIM_DIR, 0755);
	s->pid = 4242;
	port_sim_seed(s, 0);
}

void port_sim_free(struct port_sim *s)
{
	struct sim_inode *n;

	while ((n = s->all) != NULL) {
		s->all = n->next;
		inode_free(n);
	}
	s->root = NULL;
}

void port_sim_cut_after(struct port_sim *s, long k)
{
	s->cut_left = k > 0 ? k : 0;
	if (k == 0)
		s->dead = 1;
}

int port_sim_dead(const struct port_sim *s)
{
	return s->dead;
}

long port_sim_steps(const struct port_sim *s)
{
	return s->cnt.steps;
}

void port_sim_counters(const struct port_sim *s,
                       struct port_sim_counters *out)
{
	*out = s->cnt;
}

/* Everything reachable by durable entries takes back its durable state. */
static void restore_durable(struct port_sim *s, struct sim_inode *n)
{
	size_t i;

	if (n->mark == s->mark)
		return;
	n->mark = s->mark;
	if (n->type == SIM_FILE) {
		bytes_set(&n->data, &n->len, n->ddata, n->dlen);
		n->synced = 1;
	}
	if (n->type != SIM_DIR)
		return;
	ents_copy(&n->cur, &n->dur);
	for (i = 0; i < n->dur.n; i++)
		restore_durable(s, n->dur.v[i].ino);
}

/* Every current entry becomes durable; unsynced data is torn to its first
 * half or to nothing, alternately. */
static void keep_entries(struct port_sim *s, struct sim_inode *n)
{
	size_t i;

	if (n->mark == s->mark)
		return;
	n->mark = s->mark;
	if (n->type == SIM_FILE && !n->synced) {
		n->len = s->torn++ % 2 == 0 ? n->len / 2 : 0;
		bytes_set(&n->ddata, &n->dlen, n->data, n->len);
		n->synced = 1;
	}
	if (n->type != SIM_DIR)
		return;
	ents_copy(&n->dur, &n->cur);
	for (i = 0; i < n->cur.n; i++)
		keep_entries(s, n->cur.v[i].ino);
}

void port_sim_reboot(struct port_sim *s, enum sim_loss mode)
{
	++s->mark;
	if (mode == SIM_LOSE_UNSYNCED)
		restore_durable(s, s->root);
	else
		keep_entries(s, s->root);
	s->dead = 0;
	s->cut_left = 0;
	memset(s->locks, 0, sizeof(s->locks)); /* every process ended */
	sweep(s);
}

void port_sim_set_pid(struct port_sim *s, long pid)
{
	s->pid = pid;
}

void port_sim_set_capacity(struct port_sim *s, uint64_t bytes)
{
	s->capacity = bytes;
}

void port_sim_set_wall(struct port_sim *s, int64_t t)
{
	s->wall = t;
}

void port_sim_advance(struct port_sim *s, int64_t seconds)
{
	s->wall += seconds;
	s->mono_offset_ms += seconds * 1000;
}

void port_sim_set_trusted(struct port_sim *s, int trusted)
{
	s->trusted = trusted ? 1 : 0;
}

void port_sim_seed(struct port_sim *s, uint64_t seed)
{
	s->seed = seed;
	s->block = 0;
	s->pool_used = sizeof(s->pool);
}

void port_sim_set_unseeded(struct port_sim *s, int unseeded)
{
	s->unseeded = unseeded ? 1 : 0;
}

int port_sim_hold_lock(struct port_sim *s, const char *path, long pid)
{
	struct sim_inode *ino;
	int rc, i;

	if ((rc = lock_target(s, path, &ino)) != 0)
		return rc;
	if (lock_slot(s, ino) >= 0 || (i = lock_slot(s, NULL)) < 0)
		return AL_E2BIG;
	s->locks[i].ino = ino;
	s->locks[i].pid = pid;
	return 0;
}

void port_sim_drop_locks(struct port_sim *s, long pid)
{
	int i;

	for (i = 0; i < SIM_LOCKS_MAX; i++)
		if (s->locks[i].ino && s->locks[i].pid == pid)
			s->locks[i].ino = NULL;
}

int port_sim_locks_held(const struct port_sim *s)
{
	int i, n = 0;

	for (i = 0; i < SIM_LOCKS_MAX; i++)
		n += s->locks[i].ino && s->locks[i].pid == s->pid;
	return n;
}

int port_sim_mode(struct port_sim *s, const char *path)
{
	struct sim_path r;
	int rc = lookup(s, path, 1, &r);

	if (rc != 0)
		return rc;
	return r.ino ? (int)r.ino->mode : AL_ENOENT;
}

/* Depth-first walk below dir; path holds plen bytes of its path. */
static int walk(const struct sim_inode *dir, char *path, size_t plen,
                int (*cb)(void *, const char *, enum sim_type), void *arg)
{
	size_t i;
	int n, rc;

	for (i = 0; i < dir->cur.n; i++) {
		const struct sim_ent *e = &dir->cur.v[i];

		n = snprintf(path + plen, SIM_PATH_MAX - plen, "/%s", e->name);
		if (n < 0 || (size_t)n >= SIM_PATH_MAX - plen)
			return AL_E2BIG;
		if ((rc = cb(arg, path, e->ino->type)) != 0)
			return rc;
		if (e->ino->type == SIM_DIR &&
		    (rc = walk(e->ino, path, plen + (size_t)n, cb, arg)) != 0)
			return rc;
		path[plen] = '\0';
	}
	return 0;
}

int port_sim_list_all(struct port_sim *s,
                      int (*cb)(void *arg, const char *path,
                                enum sim_type type),
                      void *arg)
{
	char path[SIM_PATH_MAX] = "";

	return walk(s->root, path, 0, cb, arg);
}
