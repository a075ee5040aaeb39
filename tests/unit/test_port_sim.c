/* Tests of the simulated port: the same semantics as the POSIX port
 * (tests/unit/test_port_posix.c), the step counts of each operation as
 * port_posix.c makes it of system calls, power cuts at every step of an
 * atomic replacement, clocks and deterministic entropy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "sim/port_sim.h"
#include "tap.h"
#include "testlib.h"

/* Every visible path as "path:f|d|l" joined by ",". */
struct tree {
	char s[1024];
	int stop_at, n;
};

static int tree_cb(void *arg, const char *path, enum sim_type type)
{
	struct tree *t = arg;
	size_t used = strlen(t->s);

	snprintf(t->s + used, sizeof(t->s) - used, "%s%s:%c", used ? "," : "",
	         path, type == SIM_FILE ? 'f' : type == SIM_DIR ? 'd' : 'l');
	return ++t->n == t->stop_at ? 9 : 0;
}

static const char *tree(struct port_sim *s, struct tree *t)
{
	memset(t, 0, sizeof(*t));
	if (port_sim_list_all(s, tree_cb, t) != 0)
		return "(error)";
	return t->s;
}

static int temps_cb(void *arg, const char *path, enum sim_type type)
{
	(void)type;
	if (strstr(path, ".tmp-"))
		++*(int *)arg;
	return 0;
}

/* Number of temporary files anywhere on the flash. */
static int temps(struct port_sim *s)
{
	int n = 0;

	port_sim_list_all(s, temps_cb, &n);
	return n;
}

/* 1 when the file at path holds exactly want (wlen bytes). */
static int holds(struct port *p, const char *path, const void *want,
                 size_t wlen)
{
	unsigned char buf[256];
	size_t len;

	return port_read_file(p, path, buf, sizeof(buf), &len) == 0 &&
	       len == wlen && memcmp(buf, want, len) == 0;
}

static void test_files(struct port_sim *s)
{
	struct port *p = &s->base;
	char buf[64], names[512];
	size_t len = 99;

	is_int(port_make_dir(p, "/d", 0), 0, "make_dir /d");
	is_int(port_read_file(p, "/d/a.txt", buf, sizeof(buf), &len), AL_ENOENT,
	       "read_file of a missing file is AL_ENOENT");
	is_int(len, 0, "length 0 on failure");
	is_int(port_replace_file(p, "/d/a.txt", "hello", 5, 0), 0,
	       "replace_file new");
	ok(holds(p, "/d/a.txt", "hello", 5), "content round trip");
	is_int(port_sim_mode(s, "/d/a.txt"), 0644, "public file is 0644");
	is_int(port_replace_file(p, "/d/a.txt", "bye", 3, 0), 0,
	       "replace existing");
	ok(holds(p, "/d/a.txt", "bye", 3), "old content replaced");
	is_int(port_read_file(p, "/d/a.txt", buf, 2, &len), AL_E2BIG,
	       "file longer than the buffer is AL_E2BIG");
	is_int(port_read_file(p, "/d/a.txt", buf, 3, &len), 0,
	       "file exactly the size of the buffer fits");
	ok(len == 3 && memcmp(buf, "bye", 3) == 0, "exact fit content");
	is_int(port_replace_file(p, "/d/a.txt", "", 0, 0), 0,
	       "replace with empty");
	ok(holds(p, "/d/a.txt", "", 0), "empty file has length 0");
	is_int(port_replace_file(p, "/d/key.pem", "secret", 6, PORT_PRIVATE), 0,
	       "replace_file private");
	is_int(port_sim_mode(s, "/d/key.pem"), 0600, "private file is 0600");
	is_int(port_replace_file(p, "/d/a.txt", "now private", 11,
	                         PORT_PRIVATE), 0,
	       "private replace over a public file");
	is_int(port_sim_mode(s, "/d/a.txt"), 0600,
	       "replaced file takes the private mode");
	is_str(listing(p, "/d", names, sizeof(names)), "a.txt,key.pem",
	       "no temporary file left after success");
	is_int(port_read_file(p, "/d", buf, sizeof(buf), &len), AL_ENOTREG,
	       "read_file of a directory is AL_ENOTREG");
	is_int(port_read_file(p, "/d/a.txt/x", buf, sizeof(buf), &len),
	       AL_EFAIL, "a file used as a directory fails (ENOTDIR)");
	ok(holds(p, "d//./a.txt", "now private", 11),
	   "relative path from /, repeated slashes and '.'");
}

static void test_temp_cases(struct port_sim *s)
{
	struct port *p = &s->base;
	char names[512];
	long before;

	/* A stale temporary of a crashed process with our pid. */
	port_replace_file(p, "/d/b.txt.tmp-4242", "stale", 5, 0);
	before = port_sim_steps(s);
	is_int(port_replace_file(p, "/d/b.txt", "fresh", 5, 0), 0,
	       "replace_file with a stale temporary from the same pid");
	is_int(port_sim_steps(s) - before, 6,
	       "unlink of the stale temporary is one more step");
	ok(holds(p, "/d/b.txt", "fresh", 5), "content is the new one");
	is_int(port_read_file(p, "/d/b.txt.tmp-4242", names, 8, &(size_t){0}),
	       AL_ENOENT, "stale temporary gone");

	before = port_sim_steps(s);
	is_int(port_replace_file(p, "/d/nodir/c.txt", "x", 1, 0), AL_ENOENT,
	       "replace_file in a missing directory is AL_ENOENT");
	is_int(port_sim_steps(s) - before, 0, "a failed lookup is no step");
	is_int(port_remove(p, "/d/b.txt"), 0, "remove a file");
	is_int(port_remove(p, "/d/b.txt"), AL_ENOENT,
	       "remove it again is AL_ENOENT");
	is_str(listing(p, "/d", names, sizeof(names)), "a.txt,key.pem",
	       "listing after remove");
	is_int(port_replace_file(p, "/d/x.tmp-4242", "x", 1, 0), 0, "make x.tmp");
	is_int(port_make_dir(p, "/d/x.tmp-4242.tmp-4242", 0), 0,
	       "a directory where the temporary goes");
	is_int(port_replace_file(p, "/d/x.tmp-4242", "y", 1, 0), AL_EFAIL,
	       "a directory in the way of the temporary fails");
	ok(holds(p, "/d/x.tmp-4242", "x", 1), "target untouched");
	port_remove(p, "/d/x.tmp-4242.tmp-4242");
	port_remove(p, "/d/x.tmp-4242");
	is_int(port_make_dir(p, "/d/sub", 0), 0, "make /d/sub");
	is_int(port_replace_file(p, "/d/sub", "x", 1, 0), AL_EFAIL,
	       "replace_file over a directory fails (EISDIR)");
	is_str(listing(p, "/d/sub", names, sizeof(names)), "",
	       "directory kept");
	is_str(listing(p, "/d", names, sizeof(names)), "a.txt,key.pem,sub",
	       "temporary removed after the failed rename");
	port_remove(p, "/d/sub");
}

static void test_dirs(struct port_sim *s)
{
	struct port *p = &s->base;
	char names[512];
	struct names nm;

	is_int(port_make_dir(p, "/d/priv", PORT_PRIVATE), 0, "make_dir private");
	is_int(port_sim_mode(s, "/d/priv"), 0700, "private directory is 0700");
	is_int(port_make_dir(p, "/d/priv", PORT_PRIVATE), 0,
	       "make_dir of an existing directory succeeds");
	is_int(port_make_dir(p, "/", 0), 0, "make_dir of / succeeds");
	is_int(port_make_dir(p, "/d/pub", 0), 0, "make_dir public");
	is_int(port_sim_mode(s, "/d/pub"), 0755, "public directory is 0755");
	ok(port_make_dir(p, "/d/a.txt", 0) < 0, "make_dir over a file fails");
	is_int(port_make_dir(p, "/d/nodir/sub", 0), AL_ENOENT,
	       "make_dir with a missing parent is AL_ENOENT");
	is_str(listing(p, "/d", names, sizeof(names)), "a.txt,key.pem,priv,pub",
	       "list_dir shows files and directories, no . or ..");
	memset(&nm, 0, sizeof(nm));
	nm.stop_at = 2;
	is_int(port_list_dir(p, "/d", collect, &nm), 7,
	       "a nonzero callback return stops the walk and is returned");
	is_int(nm.n, 2, "walk stopped after the second entry");
	memset(&nm, 0, sizeof(nm));
	is_int(port_list_dir(p, "/d/nodir", collect, &nm), AL_ENOENT,
	       "list_dir of a missing directory is AL_ENOENT");
	is_int(port_list_dir(p, "/d/a.txt", collect, &nm), AL_EFAIL,
	       "list_dir of a file fails");
	is_str(listing(p, "/d/priv", names, sizeof(names)), "",
	       "empty directory");
	port_replace_file(p, "/d/priv/f", "x", 1, 0);
	ok(port_remove(p, "/d/priv") < 0,
	   "remove of a non-empty directory fails");
	port_remove(p, "/d/priv/f");
	is_int(port_remove(p, "/d/priv"), 0, "remove an empty directory");
	is_int(port_sim_mode(s, "/d/priv"), AL_ENOENT, "directory gone");
	is_int(port_remove(p, "/"), AL_EFAIL, "remove of / fails");
}

/* Removing entries from inside the walk, as the store prunes. */
static int prune_cb(void *arg, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/w/%s", name);
	return port_remove(arg, path) == 0 ? 0 : 5;
}

static void test_links(struct port_sim *s)
{
	struct port *p = &s->base;
	char buf[64], names[512];

	port_make_dir(p, "/d/gen-1", 0);
	port_make_dir(p, "/d/gen-2", 0);
	is_int(port_read_link(p, "/d/live", buf, sizeof(buf)), AL_ENOENT,
	       "read_link of a missing link is AL_ENOENT");
	is_int(port_replace_link(p, "/d/live", "gen-1"), 0, "replace_link new");
	is_int(port_read_link(p, "/d/live", buf, sizeof(buf)), 0, "read_link");
	is_str(buf, "gen-1", "link target");
	port_replace_file(p, "/d/gen-2/cert.pem", "two", 3, 0);
	is_int(port_replace_link(p, "/d/live", "gen-2"), 0,
	       "replace_link over a link to a directory");
	ok(port_read_link(p, "/d/live", buf, sizeof(buf)) == 0 &&
	   strcmp(buf, "gen-2") == 0, "link now points to gen-2");
	ok(holds(p, "/d/live/cert.pem", "two", 3),
	   "read_file through a relative link");
	is_str(listing(p, "/d/live", names, sizeof(names)), "cert.pem",
	       "list_dir follows a link");
	is_str(listing(p, "/d/gen-1", names, sizeof(names)), "",
	       "old target untouched, nothing moved into it");
	is_int(port_read_link(p, "/d/live", buf, 5), AL_E2BIG,
	       "read_link into a too small buffer is AL_E2BIG");
	is_int(port_read_link(p, "/d/live", buf, 6), 0,
	       "exact fit with the NUL");
	is_str(buf, "gen-2", "exact fit target");
	ok(port_read_link(p, "/d/a.txt", buf, sizeof(buf)) < 0,
	   "read_link of a regular file fails");
	is_str(listing(p, "/d", names, sizeof(names)),
	       "a.txt,gen-1,gen-2,key.pem,live,pub", "no temporary link left");

	is_int(port_replace_link(p, "/d/abs", "/d/gen-2/"), 0, "absolute link");
	ok(holds(p, "/d/abs/cert.pem", "two", 3), "read through it");
	ok(holds(p, "/d/live/../live/./cert.pem", "two", 3),
	   "'..' after a link goes back to the link's directory");
	is_int(port_make_dir(p, "/d/abs", 0), 0,
	       "make_dir on a link to a directory succeeds");
	port_replace_link(p, "/d/loop", "loop");
	is_int(port_read_file(p, "/d/loop", buf, sizeof(buf), &(size_t){0}),
	       AL_EFAIL, "a link loop fails (ELOOP)");
	port_replace_link(p, "/d/dangling", "nothing");
	is_int(port_read_file(p, "/d/dangling", buf, sizeof(buf), &(size_t){0}),
	       AL_ENOENT, "a dangling link is AL_ENOENT");
	is_int(port_remove(p, "/d/loop"), 0, "remove a link");
	port_remove(p, "/d/dangling");
	is_int(port_remove(p, "/d/abs"), 0, "remove a link to a directory");
	ok(holds(p, "/d/gen-2/cert.pem", "two", 3), "its target kept");
	is_int(port_replace_link(p, "/d/gen-1", "gen-2"), AL_EFAIL,
	       "replace_link over a directory fails");
	is_str(listing(p, "/d", names, sizeof(names)),
	       "a.txt,gen-1,gen-2,key.pem,live,pub",
	       "and leaves no temporary link");

	port_make_dir(p, "/w", 0);
	port_replace_file(p, "/w/1", "a", 1, 0);
	port_replace_file(p, "/w/2", "b", 1, 0);
	port_replace_file(p, "/w/3", "c", 1, 0);
	is_int(port_list_dir(p, "/w", prune_cb, p), 0,
	       "remove every entry from inside list_dir");
	is_str(listing(p, "/w", names, sizeof(names)), "", "all removed");
	port_remove(p, "/w");
}

static void test_steps(void)
{
	struct port_sim s;
	struct port *p = &s.base;
	struct port_sim_counters c;
	char buf[64];
	size_t len;

	port_sim_init(&s);
	is_int(port_make_dir(p, "/a", 0), 0, "make_dir");
	port_sim_counters(&s, &c);
	ok(c.steps == 2 && c.mkdirs == 1 && c.fsyncs == 1 && c.renames == 0,
	   "make_dir: mkdir + fsync parent = 2 steps (%ld)", c.steps);
	port_make_dir(p, "/a", 0);
	is_int(port_sim_steps(&s), 2, "make_dir of an existing one: 0 steps");
	port_replace_file(p, "/a/f", "0123456789", 10, 0);
	port_sim_counters(&s, &c);
	ok(c.steps == 7 && c.fsyncs == 3 && c.renames == 1 &&
	   c.files_written == 1 && c.bytes_written == 10,
	   "replace_file: create, write, fsync, rename, fsync dir = 5 steps");
	port_replace_file(p, "/a/f", "abc", 3, 0);
	port_sim_counters(&s, &c);
	ok(c.steps == 12 && c.fsyncs == 5 && c.renames == 2 &&
	   c.files_written == 2 && c.bytes_written == 13,
	   "replace_file over a file: 5 steps too");
	port_read_file(p, "/a/f", buf, sizeof(buf), &len);
	port_list_dir(p, "/a", collect, &(struct names){ .n = 0 });
	port_read_link(p, "/a/f", buf, sizeof(buf));
	is_int(port_sim_steps(&s), 12, "reads are no steps");
	port_replace_link(p, "/a/l", "f");
	port_sim_counters(&s, &c);
	ok(c.steps == 15 && c.symlinks == 1 && c.renames == 3 && c.fsyncs == 6,
	   "replace_link: symlink, rename, fsync dir = 3 steps");
	port_replace_link(p, "/a/l", "g");
	is_int(port_sim_steps(&s), 18, "replace_link over a link: 3 steps");
	port_remove(p, "/a/l");
	port_sim_counters(&s, &c);
	ok(c.steps == 19 && c.unlinks == 1, "remove: 1 step, no sync");
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	port_sim_counters(&s, &c);
	ok(c.steps == 19 && c.bytes_written == 13,
	   "counters kept across a reboot");
	port_sim_free(&s);
}

/* After a cut, nothing works and nothing changes; reboot revives. */
static void test_cut(void)
{
	struct port_sim s;
	struct port *p = &s.base;
	struct tree t1, t2;
	char buf[64];
	size_t len;
	long n;

	port_sim_init(&s);
	port_make_dir(p, "/a", 0);
	port_replace_file(p, "/a/f", "old", 3, 0);
	tree(&s, &t1);
	port_sim_cut_after(&s, 0);
	n = port_sim_steps(&s);
	is_int(port_sim_dead(&s), 1, "cut_after(0) cuts now");
	is_int(port_read_file(p, "/a/f", buf, sizeof(buf), &len), AL_EFAIL,
	       "read_file fails after the cut");
	is_int(port_list_dir(p, "/a", collect, &(struct names){ .n = 0 }),
	       AL_EFAIL, "list_dir fails");
	is_int(port_read_link(p, "/a/f", buf, sizeof(buf)), AL_EFAIL,
	       "read_link fails");
	is_int(port_replace_file(p, "/a/f", "new", 3, 0), AL_EFAIL,
	       "replace_file fails");
	is_int(port_make_dir(p, "/b", 0), AL_EFAIL, "make_dir fails");
	is_int(port_remove(p, "/a/f"), AL_EFAIL, "remove fails");
	is_int(port_replace_link(p, "/a/l", "f"), AL_EFAIL,
	       "replace_link fails");
	is_int(port_sim_steps(&s), n, "no step counted");
	is_str(tree(&s, &t2), t1.s, "nothing changed");
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	is_int(port_sim_dead(&s), 0, "alive after reboot");
	ok(holds(p, "/a/f", "old", 3), "synced content survives a reboot");

	port_sim_cut_after(&s, 2);
	is_int(port_replace_file(p, "/a/f", "new", 3, 0), AL_EFAIL,
	       "cut after 2 steps fails replace_file");
	is_int(port_sim_steps(&s), n + 2, "exactly 2 steps were done");
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	port_sim_cut_after(&s, 3);
	port_sim_cut_after(&s, -1);
	is_int(port_replace_file(p, "/a/f", "new", 3, 0), 0,
	       "cut_after(-1) cancels a planned cut");
	port_sim_free(&s);
}

/* Cut after each step of a replace_file over an existing file: after a
 * reboot the file holds the complete old or the complete new content. */
static void crash_replace(enum sim_loss mode, const char *mname)
{
	unsigned char oldc[100], newc[100];
	struct port_sim s;
	struct port *p = &s.base;
	int k, rc, is_new, all_whole = 1, order_ok = 1, temps_ok = 1;

	memset(oldc, 'o', sizeof(oldc));
	memset(newc, 'n', sizeof(newc));
	port_sim_init(&s);
	port_make_dir(p, "/s", 0);
	for (k = 0; k <= 6; k++) {
		/* Also cleans the temporary the last crash left (same pid). */
		port_replace_file(p, "/s/f", oldc, sizeof(oldc), 0);
		port_sim_cut_after(&s, k);
		rc = port_replace_file(p, "/s/f", newc, sizeof(newc), 0);
		if ((rc == 0) != (k >= 5))
			order_ok = 0;
		port_sim_reboot(&s, mode);
		is_new = holds(p, "/s/f", newc, sizeof(newc));
		if (!is_new && !holds(p, "/s/f", oldc, sizeof(oldc)))
			all_whole = 0;
		/* The rename is durable once the directory is synced; with
		 * entries kept, as soon as it is done. */
		if (is_new != (k >= (mode == SIM_LOSE_UNSYNCED ? 5 : 4)))
			order_ok = 0;
		/* A temporary survives only where entries are kept, between
		 * its creation and its rename. */
		if (temps(&s) != (mode != SIM_LOSE_UNSYNCED && k >= 1 && k <= 3))
			temps_ok = 0;
	}
	ok(all_whole, "%s: old or new content after a cut at each step", mname);
	ok(order_ok, "%s: new content exactly from the durable rename", mname);
	ok(temps_ok, "%s: temporaries only where the model keeps them", mname);
	port_replace_file(p, "/s/f", oldc, sizeof(oldc), 0);
	is_int(temps(&s), 0, "%s: the next replace removes the leftover", mname);
	port_sim_free(&s);
}

/* Torn data: a temporary cut between write and fsync comes back with the
 * first half of its data, then (next tear) empty. */
static void test_torn(void)
{
	unsigned char newc[100];
	struct port_sim s;
	struct port *p = &s.base;
	char names[256];

	memset(newc, 'n', 50);
	memset(newc + 50, 'N', 50);
	port_sim_init(&s);
	port_make_dir(p, "/s", 0);
	port_sim_cut_after(&s, 2);
	port_replace_file(p, "/s/f", newc, sizeof(newc), 0);
	port_sim_reboot(&s, SIM_KEEP_ENTRIES_TORN_DATA);
	ok(holds(p, "/s/f.tmp-4242", newc, 50), "first tear: the first half");
	is_int(port_read_file(p, "/s/f", names, 8, &(size_t){0}), AL_ENOENT,
	       "the target was never created");
	port_sim_cut_after(&s, 3);
	port_replace_file(p, "/s/f", newc, sizeof(newc), 0);
	port_sim_reboot(&s, SIM_KEEP_ENTRIES_TORN_DATA);
	ok(holds(p, "/s/f.tmp-4242", newc, 0), "second tear: empty");
	port_sim_set_pid(&s, 777);
	port_replace_file(p, "/s/f", newc, sizeof(newc), 0);
	is_str(listing(p, "/s", names, sizeof(names)), "f,f.tmp-4242",
	       "another pid does not remove the old leftover");
	port_sim_cut_after(&s, 1);
	port_replace_file(p, "/s/g", newc, sizeof(newc), 0);
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	is_str(listing(p, "/s", names, sizeof(names)), "f,f.tmp-4242",
	       "an unsynced new entry is lost");
	port_sim_cut_after(&s, 1);
	port_replace_file(p, "/s/g", newc, sizeof(newc), 0);
	port_sim_reboot(&s, SIM_KEEP_ENTRIES_TORN_DATA);
	ok(holds(p, "/s/g.tmp-777", "", 0), "created, never written: empty");
	port_sim_free(&s);
}

/* make_dir then replace_file in it, cut after each of the 7 steps. */
static void crash_new_dir(enum sim_loss mode, const char *mname)
{
	unsigned char data[64];
	char buf[64];
	struct port_sim s;
	struct port *p = &s.base;
	int k, dir_ok = 1, file_ok = 1, whole = 1, dir_at, file_at;
	size_t len;

	memset(data, 'd', sizeof(data));
	dir_at = mode == SIM_LOSE_UNSYNCED ? 2 : 1;
	file_at = mode == SIM_LOSE_UNSYNCED ? 7 : 6;
	for (k = 0; k <= 8; k++) {
		port_sim_init(&s);
		port_make_dir(p, "/s", 0);
		port_sim_cut_after(&s, k);
		if (port_make_dir(p, "/s/new", 0) == 0)
			port_replace_file(p, "/s/new/f", data, sizeof(data), 0);
		port_sim_reboot(&s, mode);
		if ((port_sim_mode(&s, "/s/new") == 0755) != (k >= dir_at))
			dir_ok = 0;
		if ((port_read_file(p, "/s/new/f", buf, sizeof(buf), &len) ==
		     0) != (k >= file_at))
			file_ok = 0;
		if (k >= file_at && !holds(p, "/s/new/f", data, sizeof(data)))
			whole = 0;
		port_sim_free(&s);
	}
	ok(dir_ok, "%s: the new directory survives from step %d on", mname,
	   dir_at);
	ok(file_ok, "%s: the file in it survives from step %d on", mname,
	   file_at);
	ok(whole, "%s: and is then complete", mname);
}

/* remove() does not sync: in the worst case the entry comes back until
 * the directory is synced by a later operation. */
static void test_unsynced_remove(void)
{
	struct port_sim s;
	struct port *p = &s.base;

	port_sim_init(&s);
	port_make_dir(p, "/s", 0);
	port_replace_file(p, "/s/a", "a", 1, 0);
	port_remove(p, "/s/a");
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	ok(holds(p, "/s/a", "a", 1), "an unsynced removal is undone");
	port_remove(p, "/s/a");
	port_sim_reboot(&s, SIM_KEEP_ENTRIES_TORN_DATA);
	is_int(port_sim_mode(&s, "/s/a"), AL_ENOENT,
	       "kept when entries survive");
	port_replace_file(p, "/s/a", "a", 1, 0);
	port_remove(p, "/s/a");
	port_replace_file(p, "/s/b", "b", 1, 0);
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	ok(port_sim_mode(&s, "/s/a") == AL_ENOENT && holds(p, "/s/b", "b", 1),
	   "a later sync of the directory makes the removal durable");
	port_sim_free(&s);
}

static void crash_link(enum sim_loss mode, const char *mname)
{
	struct port_sim s;
	struct port *p = &s.base;
	char buf[32];
	int k, fine = 1, at = mode == SIM_LOSE_UNSYNCED ? 3 : 2;

	port_sim_init(&s);
	port_make_dir(p, "/c", 0);
	for (k = 0; k <= 4; k++) {
		port_replace_link(p, "/c/live", "gen-1");
		port_sim_cut_after(&s, k);
		port_replace_link(p, "/c/live", "gen-2");
		port_sim_reboot(&s, mode);
		if (port_read_link(p, "/c/live", buf, sizeof(buf)) != 0 ||
		    strcmp(buf, k >= at ? "gen-2" : "gen-1") != 0)
			fine = 0;
	}
	ok(fine, "%s: the link holds the old target, or the new one from "
	   "step %d on", mname, at);
	port_sim_free(&s);
}

static void test_capacity(void)
{
	unsigned char big[100];
	struct port_sim s;
	struct port *p = &s.base;
	char names[64];
	long n;

	memset(big, 'x', sizeof(big));
	port_sim_init(&s);
	port_sim_set_capacity(&s, 64);
	port_make_dir(p, "/m", 0);
	is_int(port_replace_file(p, "/m/cert.pem", "old", 3, 0), 0,
	       "small file fits");
	n = port_sim_steps(&s);
	is_int(port_replace_file(p, "/m/cert.pem", big, sizeof(big), 0),
	       AL_ENOSPC, "a file larger than the flash is AL_ENOSPC");
	is_int(port_sim_steps(&s) - n, 2,
	       "create and the unlink of the temporary: 2 steps");
	ok(holds(p, "/m/cert.pem", "old", 3), "old content intact");
	is_str(listing(p, "/m", names, sizeof(names)), "cert.pem",
	       "temporary file removed after ENOSPC");
	is_int(port_replace_file(p, "/m/cert.pem", big, 62, 0), AL_ENOSPC,
	       "old and new data must fit together (3 + 62 > 64)");
	is_int(port_replace_file(p, "/m/cert.pem", big, 61, 0), 0,
	       "and then they do");
	port_sim_free(&s);
}

static void test_tree(void)
{
	struct port_sim s;
	struct port *p = &s.base;
	struct tree t;

	port_sim_init(&s);
	is_str(tree(&s, &t), "", "empty flash");
	port_make_dir(p, "/b", 0);
	port_make_dir(p, "/a", 0);
	port_replace_file(p, "/a/z", "z", 1, 0);
	port_replace_link(p, "/a/l", "z");
	port_make_dir(p, "/a/d", 0);
	is_str(tree(&s, &t), "/a:d,/a/d:d,/a/l:l,/a/z:f,/b:d",
	       "list_all: every path, depth first, sorted, with its type");
	memset(&t, 0, sizeof(t));
	t.stop_at = 2;
	is_int(port_sim_list_all(&s, tree_cb, &t), 9,
	       "a nonzero callback return stops the walk");
	is_str(t.s, "/a:d,/a/d:d", "after two paths");
	port_sim_free(&s);
}

static void test_clocks(void)
{
	struct port_sim s;
	struct port *p = &s.base;
	struct timespec pause = { 0, 30 * 1000000 };
	int64_t t0, t1;

	port_sim_init(&s);
	ok(port_wall_time(p) == 0 && port_wall_trusted(p) == 0,
	   "boots in 1970 with an untrusted clock");
	port_sim_set_wall(&s, 1700000000);
	port_sim_set_trusted(&s, 1);
	ok(port_wall_time(p) == 1700000000 && port_wall_trusted(p) == 1,
	   "wall clock and trust set by the test");
	t0 = port_mono_ms(p);
	nanosleep(&pause, NULL);
	t1 = port_mono_ms(p);
	ok(t1 - t0 >= 30 && t1 - t0 < 2000,
	   "mono_ms follows real time (%lld)", (long long)(t1 - t0));
	is_int(port_wall_time(p), 1700000000, "wall clock does not run alone");
	t0 = port_mono_ms(p);
	port_sim_advance(&s, 86400);
	t1 = port_mono_ms(p);
	is_int(port_wall_time(p), 1700086400, "advance moves the wall clock");
	ok(t1 - t0 >= 86400000 && t1 - t0 < 86402000,
	   "and the monotonic clock by as much");
	port_sim_set_trusted(&s, 0);
	is_int(port_wall_trusted(p), 0, "trust withdrawn");
	port_sim_free(&s);
}

static const char *hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return out;
}

/* Known answers computed with Python's hashlib:
 * sha256(struct.pack('<QQ', seed, block)). */
static void test_entropy(void)
{
	struct port_sim s;
	struct port *p = &s.base;
	unsigned char a[40], b[40];
	char h[81];

	port_sim_init(&s);
	is_int(port_entropy(p, a, 32), 0, "entropy with the default seed");
	is_str(hex(a, 32, h), "374708fff7719dd5979ec875d56cd228"
	       "6f6d3cf7ec317a3b25632aab28ec37bb", "seed 0, block 0");
	port_sim_seed(&s, 1);
	port_entropy(p, a, 16);
	port_entropy(p, a + 16, 24);
	is_str(hex(a, 40, h), "4cbbd8ca5215b8d161aec181a74b694f"
	       "4e24b001d5b081dc0030ed797a8973e0814dd7b9784d57c1",
	       "seed 1: reads split 16 + 24 give one stream across blocks");
	port_sim_seed(&s, 1);
	port_entropy(p, b, 40);
	ok(memcmp(a, b, 40) == 0, "the same seed gives the same bytes");
	port_sim_set_unseeded(&s, 1);
	is_int(port_entropy(p, a, 8), AL_EUNSEEDED, "unseeded pool reported");
	port_sim_set_unseeded(&s, 0);
	is_int(port_entropy(p, a, 0), 0, "entropy of 0 bytes");
	port_sim_free(&s);
}

/* Directory locks: one holder at a time, the waiter's clock moves on,
 * nothing written, a reboot releases them. */
static void test_locks(void)
{
	struct port_sim s;
	struct port *p = &s.base;
	int h = -1, h2 = -1;
	long holder = -1, steps;
	int64_t t0;

	port_sim_init(&s);
	port_make_dir(p, "/st", 0);
	is_int(port_lock(p, "/st/none", 0, &h, &holder), AL_ENOENT,
	       "lock of a missing directory is AL_ENOENT");
	steps = port_sim_steps(&s);
	is_int(port_lock(p, "/st", 0, &h, &holder), 0, "lock taken");
	is_int(port_sim_steps(&s), steps, "taking a lock is no storage step");
	is_int(port_sim_locks_held(&s), 1, "this process holds one lock");
	is_int(port_lock(p, "/st/", 0, &h2, &holder), AL_ELOCKED,
	       "a second lock of the same directory conflicts");
	is_int(holder, 4242, "the holder is this process's pid");
	port_unlock(p, h);
	is_int(port_sim_locks_held(&s), 0, "unlock releases it");
	is_int(port_sim_hold_lock(&s, "/st", 777), 0, "another process locks");
	t0 = port_mono_ms(p);
	is_int(port_lock(p, "/st", 5000, &h, &holder), AL_ELOCKED,
	       "busy after the wait");
	ok(port_mono_ms(p) - t0 >= 5000, "the wait passed on the clock");
	is_int(holder, 777, "holder pid reported");
	port_sim_drop_locks(&s, 777);
	is_int(port_lock(p, "/st", 0, &h, &holder), 0,
	       "free once the other process ended");
	port_sim_cut_after(&s, 0);
	port_sim_reboot(&s, SIM_LOSE_UNSYNCED);
	is_int(port_sim_locks_held(&s), 0, "a reboot releases every lock");
	port_sim_free(&s);
}

int main(void)
{
	struct port_sim s;

	port_sim_init(&s);
	test_files(&s);
	test_temp_cases(&s);
	test_dirs(&s);
	test_links(&s);
	port_sim_free(&s);
	test_steps();
	test_cut();
	crash_replace(SIM_LOSE_UNSYNCED, "lose unsynced");
	crash_replace(SIM_KEEP_ENTRIES_TORN_DATA, "torn data");
	test_torn();
	crash_new_dir(SIM_LOSE_UNSYNCED, "lose unsynced");
	crash_new_dir(SIM_KEEP_ENTRIES_TORN_DATA, "torn data");
	test_unsynced_remove();
	crash_link(SIM_LOSE_UNSYNCED, "lose unsynced");
	crash_link(SIM_KEEP_ENTRIES_TORN_DATA, "torn data");
	test_capacity();
	test_tree();
	test_clocks();
	test_entropy();
	test_locks();
	return tap_done();
}
