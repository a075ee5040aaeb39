/* Tests of the POSIX port on a temporary directory: files, links, modes,
 * clocks, entropy, and ENOSPC on a tiny tmpfs when mounting is allowed. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "port_posix.h"
#include "tap.h"
#include "testlib.h"

#ifndef ACMELET_BUILD_TIME
#define ACMELET_BUILD_TIME 0
#endif

static void join(char *out, size_t cap, const char *dir, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void test_files(struct port *p, const char *dir)
{
	char path[512], buf[64], names[512];
	size_t len = 99;
	struct stat st;

	join(path, sizeof(path), dir, "a.txt");
	is_int(port_read_file(p, path, buf, sizeof(buf), &len), AL_ENOENT,
	       "read_file of a missing file is AL_ENOENT");
	is_int(port_replace_file(p, path, "hello", 5, 0), 0, "replace_file new");
	is_int(port_read_file(p, path, buf, sizeof(buf), &len), 0, "read back");
	ok(len == 5 && memcmp(buf, "hello", 5) == 0, "content round trip");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644,
	   "public file is 0644 (got %o)", (unsigned)(st.st_mode & 07777));

	is_int(port_replace_file(p, path, "bye", 3, 0), 0, "replace existing");
	is_int(port_read_file(p, path, buf, sizeof(buf), &len), 0, "read again");
	ok(len == 3 && memcmp(buf, "bye", 3) == 0, "old content replaced");
	is_int(port_read_file(p, path, buf, 2, &len), AL_E2BIG,
	       "file longer than the buffer is AL_E2BIG");
	is_int(port_read_file(p, path, buf, 3, &len), 0,
	       "file exactly the size of the buffer fits");
	ok(len == 3 && memcmp(buf, "bye", 3) == 0, "exact fit content");
	is_int(port_replace_file(p, path, "", 0, 0), 0, "replace with empty");
	is_int(port_read_file(p, path, buf, sizeof(buf), &len), 0, "read empty");
	is_int(len, 0, "empty file has length 0");

	join(path, sizeof(path), dir, "key.pem");
	is_int(port_replace_file(p, path, "secret", 6, PORT_PRIVATE), 0,
	       "replace_file private");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "private file is 0600 even with umask 0 (got %o)",
	   (unsigned)(st.st_mode & 07777));
	join(path, sizeof(path), dir, "a.txt");
	is_int(port_replace_file(p, path, "now private", 11, PORT_PRIVATE), 0,
	       "private replace over a public file");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	   "replaced file takes the private mode");
	is_str(listing(p, dir, names, sizeof(names)), "a.txt,key.pem",
	       "no temporary file left after success");
}

static void test_temp_cases(struct port *p, const char *dir)
{
	char path[512], tmp[600], buf[64], names[512];
	size_t len;
	FILE *f;

	/* A stale temporary of a crashed process with our pid is replaced. */
	join(path, sizeof(path), dir, "b.txt");
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (f) {
		fputs("stale", f);
		fclose(f);
	}
	is_int(port_replace_file(p, path, "fresh", 5, 0), 0,
	       "replace_file with a stale temporary from the same pid");
	ok(port_read_file(p, path, buf, sizeof(buf), &len) == 0 && len == 5 &&
	   memcmp(buf, "fresh", 5) == 0, "content is the new one");
	ok(access(tmp, F_OK) != 0, "stale temporary gone");

	join(path, sizeof(path), dir, "nodir/c.txt");
	is_int(port_replace_file(p, path, "x", 1, 0), AL_ENOENT,
	       "replace_file in a missing directory is AL_ENOENT");
	join(path, sizeof(path), dir, "b.txt");
	is_int(port_remove(p, path), 0, "remove a file");
	is_int(port_remove(p, path), AL_ENOENT, "remove it again is AL_ENOENT");
	is_str(listing(p, dir, names, sizeof(names)), "a.txt,key.pem",
	       "listing after remove");
}

static void test_dirs(struct port *p, const char *dir)
{
	char path[512], names[512];
	struct stat st;
	struct names nm;

	join(path, sizeof(path), dir, "priv");
	is_int(port_make_dir(p, path, PORT_PRIVATE), 0, "make_dir private");
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	   (st.st_mode & 07777) == 0700, "private directory is 0700");
	is_int(port_make_dir(p, path, PORT_PRIVATE), 0,
	       "make_dir of an existing directory succeeds");
	join(path, sizeof(path), dir, "pub");
	is_int(port_make_dir(p, path, 0), 0, "make_dir public");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0755,
	   "public directory is 0755");
	join(path, sizeof(path), dir, "a.txt");
	ok(port_make_dir(p, path, 0) < 0, "make_dir over a file fails");
	join(path, sizeof(path), dir, "nodir/sub");
	is_int(port_make_dir(p, path, 0), AL_ENOENT,
	       "make_dir with a missing parent is AL_ENOENT");

	is_str(listing(p, dir, names, sizeof(names)), "a.txt,key.pem,priv,pub",
	       "list_dir shows files and directories, no . or ..");
	memset(&nm, 0, sizeof(nm));
	nm.stop_at = 2;
	is_int(port_list_dir(p, dir, collect, &nm), 7,
	       "a nonzero callback return stops the walk and is returned");
	is_int(nm.n, 2, "walk stopped after the second entry");
	join(path, sizeof(path), dir, "nodir");
	memset(&nm, 0, sizeof(nm));
	is_int(port_list_dir(p, path, collect, &nm), AL_ENOENT,
	       "list_dir of a missing directory is AL_ENOENT");
	join(path, sizeof(path), dir, "priv");
	is_str(listing(p, path, names, sizeof(names)), "", "empty directory");

	join(path, sizeof(path), dir, "priv/f");
	port_replace_file(p, path, "x", 1, 0);
	join(path, sizeof(path), dir, "priv");
	ok(port_remove(p, path) < 0, "remove of a non-empty directory fails");
	join(path, sizeof(path), dir, "priv/f");
	port_remove(p, path);
	join(path, sizeof(path), dir, "priv");
	is_int(port_remove(p, path), 0, "remove an empty directory");
	ok(access(path, F_OK) != 0, "directory gone");
}

static void test_links(struct port *p, const char *dir)
{
	char path[512], gen[512], buf[64], names[512];
	struct stat st;

	join(gen, sizeof(gen), dir, "gen-1");
	port_make_dir(p, gen, 0);
	join(gen, sizeof(gen), dir, "gen-2");
	port_make_dir(p, gen, 0);
	join(path, sizeof(path), dir, "live");
	is_int(port_read_link(p, path, buf, sizeof(buf)), AL_ENOENT,
	       "read_link of a missing link is AL_ENOENT");
	is_int(port_replace_link(p, path, "gen-1"), 0, "replace_link new");
	is_int(port_read_link(p, path, buf, sizeof(buf)), 0, "read_link");
	is_str(buf, "gen-1", "link target");
	is_int(port_replace_link(p, path, "gen-2"), 0,
	       "replace_link over a link to a directory");
	ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), "still a symlink");
	ok(port_read_link(p, path, buf, sizeof(buf)) == 0 &&
	   strcmp(buf, "gen-2") == 0, "link now points to gen-2");
	join(gen, sizeof(gen), dir, "gen-1");
	ok(lstat(gen, &st) == 0 && S_ISDIR(st.st_mode) &&
	   lstat("gen-1/gen-2", &st) != 0, "old target untouched, nothing moved");
	is_int(port_read_link(p, path, buf, 5), AL_E2BIG,
	       "read_link into a too small buffer is AL_E2BIG");
	is_int(port_read_link(p, path, buf, 6), 0, "exact fit with the NUL");
	is_str(buf, "gen-2", "exact fit target");
	join(gen, sizeof(gen), dir, "a.txt");
	ok(port_read_link(p, gen, buf, sizeof(buf)) < 0,
	   "read_link of a regular file fails");
	is_str(listing(p, dir, names, sizeof(names)),
	       "a.txt,gen-1,gen-2,key.pem,live,pub",
	       "no temporary link left");
	is_int(port_remove(p, path), 0, "remove a symlink");
	join(gen, sizeof(gen), dir, "gen-2");
	ok(lstat(path, &st) != 0 && stat(gen, &st) == 0,
	   "link removed, its target kept");
}

/* ENOSPC on a 64 KiB tmpfs; a failure when this process may not mount. */
static void test_enospc(struct port *p, const char *dir)
{
	static unsigned char big[256 * 1024];
	char mnt[512], path[600], buf[16], names[512];
	size_t len;

	join(mnt, sizeof(mnt), dir, "tiny");
	port_make_dir(p, mnt, 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
		/* A machine that cannot test this fails and says why. */
		ok(0, "ENOSPC mapping: mount a 64 KiB tmpfs (%s; run as root)",
		   strerror(errno));
		port_remove(p, mnt);
		return;
	}
	snprintf(path, sizeof(path), "%s/cert.pem", mnt);
	is_int(port_replace_file(p, path, "old", 3, 0), 0, "small file fits");
	memset(big, 'x', sizeof(big));
	is_int(port_replace_file(p, path, big, sizeof(big), 0), AL_ENOSPC,
	       "a file larger than the tmpfs is AL_ENOSPC");
	ok(port_read_file(p, path, buf, sizeof(buf), &len) == 0 && len == 3 &&
	   memcmp(buf, "old", 3) == 0, "old content intact after ENOSPC");
	is_str(listing(p, mnt, names, sizeof(names)), "cert.pem",
	       "temporary file removed after ENOSPC");
	ok(umount(mnt) == 0, "unmount tmpfs");
	port_remove(p, mnt);
}

static void test_clocks(struct port_posix *pp)
{
	struct port *p = &pp->base;
	struct timespec pause = { 0, 30 * 1000000 };
	int64_t t0, t1, now = (int64_t)time(NULL);

	is_int(pp->trusted_after, (int64_t)ACMELET_BUILD_TIME,
	       "trusted_after is the build time");
	t0 = port_wall_time(p);
	ok(t0 >= now - 1 && t0 <= now + 2, "wall_time agrees with time(2)");
	pp->trusted_after = now - 3600;
	is_int(port_wall_trusted(p), 1, "clock after the build date is trusted");
	pp->trusted_after = now + 3600;
	is_int(port_wall_trusted(p), 0, "clock before the build date is not");
	pp->trusted_after = (int64_t)ACMELET_BUILD_TIME;

	t0 = port_mono_ms(p);
	nanosleep(&pause, NULL);
	t1 = port_mono_ms(p);
	ok(t1 - t0 >= 30 && t1 - t0 < 2000,
	   "mono_ms advances with a 30 ms sleep (%lld)", (long long)(t1 - t0));
}

static void test_entropy(struct port *p)
{
	static unsigned char big[100000];
	unsigned char a[32], b[32], zero[32];
	size_t i, ones = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(zero, 0, sizeof(zero));
	is_int(port_entropy(p, a, sizeof(a)), 0, "entropy 32 bytes");
	is_int(port_entropy(p, b, sizeof(b)), 0, "entropy again");
	ok(memcmp(a, b, sizeof(a)) != 0, "two calls give different bytes");
	ok(memcmp(a, zero, sizeof(a)) != 0, "bytes are not all zero");
	is_int(port_entropy(p, big, sizeof(big)), 0, "entropy 100000 bytes");
	for (i = 0; i < sizeof(big); i++)
		ones += (size_t)__builtin_popcount(big[i]);
	/* 800000 fair bits: the mean is 400000, sigma about 450. */
	ok(ones > 395000 && ones < 405000, "about half of the bits set (%zu)",
	   ones);
	is_int(port_entropy(p, a, 0), 0, "entropy of 0 bytes");
}

/* A FIFO or a device where a file belongs is refused at once, not read
 * (a reader of a FIFO without writer would wait forever). */
static void test_not_regular(struct port *p, const char *dir)
{
	char path[512], buf[16];
	size_t len = 9;

	join(path, sizeof(path), dir, "fifo");
	ok(mkfifo(path, 0600) == 0, "mkfifo");
	is_int(port_read_file(p, path, buf, sizeof(buf), &len), AL_ENOTREG,
	       "a FIFO is AL_ENOTREG, without blocking");
	is_int(len, 0, "nothing read from it");
	is_int(port_read_file(p, "/dev/zero", buf, sizeof(buf), &len),
	       AL_ENOTREG, "a character device is AL_ENOTREG");
	is_int(port_read_file(p, dir, buf, sizeof(buf), &len), AL_ENOTREG,
	       "a directory is AL_ENOTREG");
	unlink(path);
}

/* flock on a directory: a second open file description conflicts even in
 * this process, the holder's pid comes from /proc/locks, the wait is
 * bounded, closing releases. */
static void test_locks(struct port *p, const char *dir)
{
	char path[512];
	int h = -1, h2 = -1;
	long holder = -1;
	int64_t t0;

	join(path, sizeof(path), dir, "lockme");
	is_int(port_lock(p, path, 0, &h, &holder), AL_ENOENT,
	       "lock of a missing directory is AL_ENOENT");
	port_make_dir(p, path, 0);
	is_int(port_lock(p, path, 0, &h, &holder), 0, "lock taken");
	t0 = port_mono_ms(p);
	is_int(port_lock(p, path, 300, &h2, &holder), AL_ELOCKED,
	       "a second lock conflicts after its wait");
	ok(port_mono_ms(p) - t0 >= 300, "it waited the time asked");
	is_int(holder, (long)getpid(), "holder pid from /proc/locks");
	is_int(h2, -1, "no handle for a lock not taken");
	port_unlock(p, h);
	is_int(port_lock(p, path, 0, &h2, &holder), 0, "free after unlock");
	port_unlock(p, h2);
	port_remove(p, path);
}

int main(void)
{
	struct port_posix pp;
	char dir[] = "/tmp/acmelet-port-XXXXXX";

	port_posix_init(&pp);
	umask(0); /* the port must not rely on the umask for private modes */
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_files(&pp.base, dir);
	test_temp_cases(&pp.base, dir);
	test_dirs(&pp.base, dir);
	if (chdir(dir) != 0)
		printf("# chdir failed\n");
	test_links(&pp.base, dir);
	test_enospc(&pp.base, dir);
	test_not_regular(&pp.base, dir);
	test_locks(&pp.base, dir);
	test_clocks(&pp);
	test_entropy(&pp.base);
	if (chdir("/") != 0)
		printf("# chdir failed\n");
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
