/* The POSIX port: files with atomic replacement, clocks and getrandom(2).
 *
 * The port has no logger: it returns an AL_E* code and leaves errno as the
 * failing system call set it, so that the caller can log the path together
 * with strerror(errno). */
#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "port_posix.h"

/* The Makefile passes the build date; a build without it trusts any clock
 * (so that a hand-made build still works) rather than none. */
#ifndef ACMELET_BUILD_TIME
#define ACMELET_BUILD_TIME 0
#endif

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* Map errno to an AL_E* code; errno itself is left untouched. */
static int map_errno(int e)
{
	switch (e) {
	case ENOENT:
		return AL_ENOENT;
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
		return AL_ENOSPC;
	case ENAMETOOLONG:
		return AL_E2BIG;
	default:
		return AL_EFAIL;
	}
}

/* "<path>.tmp-<pid>" in buf. Only this process can own that name, so a file
 * there was left by a crashed process that had the same pid (likely after a
 * reboot on a small device) and may be removed. */
static int temp_name(const char *path, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%s.tmp-%ld", path, (long)getpid());

	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return AL_E2BIG;
	}
	if (unlink(buf) != 0 && errno != ENOENT)
		return map_errno(errno);
	return 0;
}

/* fsync the directory holding path, so that a rename or a new entry in it
 * survives a power cut. */
static int sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc = 0;

	if (!slash) {
		strcpy(dir, ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return AL_E2BIG;
		}
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return map_errno(errno);
	/* Some file systems cannot sync a directory; that is not a failure of
	 * ours and nothing better can be done there. */
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = map_errno(errno);
	close(fd);
	return rc;
}

/* Read the whole file at path into buf (at most cap bytes); AL_ENOENT when
 * it is missing, AL_E2BIG when it is longer than cap. */
static int posix_read_file(struct port *p, const char *path, void *buf,
                           size_t cap, size_t *len)
{
	unsigned char *b = buf;
	unsigned char extra;
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0, e;

	(void)p;
	*len = 0;
	/* O_NONBLOCK and a regular file only: a FIFO or a device put in the
	 * place of a state or configuration file must not hang the run. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return map_errno(errno);
	if (fstat(fd, &st) != 0) {
		rc = map_errno(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = AL_ENOTREG;
		goto out;
	}
	for (;;) {
		/* Once buf is full, one more byte tells "exactly cap" from
		 * "too long" without reading the rest. */
		if (got < cap)
			n = read(fd, b + got, cap - got);
		else
			n = read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = map_errno(errno);
			goto out;
		}
		if (n == 0)
			break;
		if (got == cap) {
			rc = AL_E2BIG;
			goto out;
		}
		got += (size_t)n;
	}
	*len = got;
out:
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* Write all of data to fd, retrying short writes and EINTR. */
static int write_all(int fd, const void *data, size_t len)
{
	const unsigned char *d = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, d, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return map_errno(errno);
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replace path with data: temporary file created with its final mode (0600
 * for PORT_PRIVATE, so a key is never readable by others even for an
 * instant), synced, renamed over path, then the directory synced. On
 * failure the temporary file is removed and path is untouched. */
static int posix_replace_file(struct port *p, const char *path,
                              const void *data, size_t len, int flags)
{
	char tmp[PATH_MAX];
	mode_t mode = (flags & PORT_PRIVATE) ? 0600 : 0644;
	int fd = -1, rc, e;

	(void)p;
	rc = temp_name(path, tmp, sizeof(tmp));
	if (rc != 0)
		return rc;
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
	if (fd < 0)
		return map_errno(errno);
	rc = (flags & PORT_PUBLIC) && fchmod(fd, 0644) != 0 ? map_errno(errno) : 0;
	if (rc == 0)
		rc = write_all(fd, data, len);
	if (rc != 0)
		goto fail;
	if (fsync(fd) != 0) {
		rc = map_errno(errno);
		goto fail;
	}
	/* close() can report a delayed write error (NFS, quotas). */
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		rc = map_errno(errno);
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		rc = map_errno(errno);
		goto fail;
	}
	return sync_parent(path);
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return rc;
}

/* Create directory path (0700 with PORT_PRIVATE, else 0755); an existing
 * directory is success, an existing non-directory is AL_EFAIL. */
static int posix_make_dir(struct port *p, const char *path, int flags)
{
	struct stat st;
	mode_t mode = (flags & PORT_PRIVATE) ? 0700 : 0755;

	(void)p;
	if (mkdir(path, mode) == 0)
		return sync_parent(path);
	if (errno != EEXIST)
		return map_errno(errno);
	if (stat(path, &st) != 0)
		return map_errno(errno);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return AL_EFAIL;
	}
	return 0;
}

/* Call cb(arg, name) for each entry of dir but "." and ".."; a nonzero
 * return of cb stops the walk and is returned. */
static int posix_list_dir(struct port *p, const char *dir,
                          int (*cb)(void *arg, const char *name), void *arg)
{
	DIR *d;
	struct dirent *de;
	int rc = 0, e;

	(void)p;
	d = opendir(dir);
	if (!d)
		return map_errno(errno);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno != 0)
				rc = map_errno(errno);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = cb(arg, de->d_name);
		if (rc != 0)
			break;
	}
	e = errno;
	closedir(d);
	errno = e;
	return rc;
}

/* Remove a file, a symlink (not its target) or an empty directory;
 * AL_ENOENT when nothing is there. */
static int posix_remove(struct port *p, const char *path)
{
	struct stat st;
	int r;

	(void)p;
	if (lstat(path, &st) != 0)
		return map_errno(errno);
	r = S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path);
	return r == 0 ? 0 : map_errno(errno);
}

/* Point the symlink path at target: a symlink made beside it is renamed
 * over it, so that readers see the old or the new target, never nothing. */
static int posix_replace_link(struct port *p, const char *path,
                              const char *target)
{
	char tmp[PATH_MAX];
	int rc, e;

	(void)p;
	rc = temp_name(path, tmp, sizeof(tmp));
	if (rc != 0)
		return rc;
	if (symlink(target, tmp) != 0)
		return map_errno(errno);
	if (rename(tmp, path) != 0) {
		rc = map_errno(errno);
		e = errno;
		unlink(tmp);
		errno = e;
		return rc;
	}
	return sync_parent(path);
}

/* Read the target of the symlink path into buf, NUL-terminated; AL_E2BIG
 * when it does not fit, AL_ENOENT when path is missing. */
static int posix_read_link(struct port *p, const char *path, char *buf,
                           size_t cap)
{
	ssize_t n;

	(void)p;
	if (cap == 0)
		return AL_E2BIG;
	n = readlink(path, buf, cap);
	if (n < 0) {
		buf[0] = '\0';
		return map_errno(errno);
	}
	/* readlink truncates silently; a full buffer may be a cut target. */
	if ((size_t)n >= cap) {
		buf[0] = '\0';
		return AL_E2BIG;
	}
	buf[n] = '\0';
	return 0;
}

/* Seconds since the epoch (UTC). */
static int64_t posix_wall_time(struct port *p)
{
	struct timespec ts;

	(void)p;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec;
}

/* Milliseconds of a clock that never goes back (NTP steps do not move it). */
static int64_t posix_mono_ms(struct port *p)
{
	struct timespec ts;

	(void)p;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 once the wall clock is not earlier than the build date: a router
 * without a real-time clock boots in 1970 and stays there until NTP. */
static int posix_wall_trusted(struct port *p)
{
	const struct port_posix *pp = (const struct port_posix *)p;

	return posix_wall_time(p) >= pp->trusted_after;
}

/* Fill buf from the kernel pool; AL_EUNSEEDED instead of blocking while
 * the pool is not initialised yet (early boot). */
static int posix_entropy(struct port *p, void *buf, size_t len)
{
	unsigned char *b = buf;
	ssize_t n;

	(void)p;
	while (len > 0) {
		n = getrandom(b, len, GRND_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return AL_EUNSEEDED;
		if (n < 0)
			return AL_EFAIL;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* RAM for run state: $ACMELET_RUNTIME_DIR (tests, unusual systems), else
 * /var/run/acmelet (tmpfs on OpenWrt and systemd machines) when /var/run
 * is ours to write, else $XDG_RUNTIME_DIR/acmelet, else /tmp. */
static const char *posix_runtime_dir(struct port *p)
{
	struct port_posix *pp = (struct port_posix *)p;
	const char *env = getenv("ACMELET_RUNTIME_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && env[0] == '/')
		n = snprintf(pp->run_dir, sizeof(pp->run_dir), "%s", env);
	else if (access("/var/run", W_OK) == 0)
		n = snprintf(pp->run_dir, sizeof(pp->run_dir), "/var/run/acmelet");
	else if (xdg && xdg[0] == '/')
		n = snprintf(pp->run_dir, sizeof(pp->run_dir), "%s/acmelet", xdg);
	else
		n = snprintf(pp->run_dir, sizeof(pp->run_dir), "/tmp/acmelet-%u",
		             (unsigned)getuid());
	return n > 0 && (size_t)n < sizeof(pp->run_dir) ? pp->run_dir : NULL;
}

static int posix_world_readable(struct port *p, const char *path)
{
	struct stat st;

	(void)p;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? AL_ENOENT : AL_EFAIL;
	return (st.st_mode & S_IROTH) ? 1 : 0;
}

/* Skip n blank-separated words of s. */
static const char *skip_words(const char *s, int n)
{
	while (n-- > 0) {
		s += strspn(s, " \t");
		s += strcspn(s, " \t\n");
	}
	return s + strspn(s, " \t");
}

/* The pid in one /proc/locks line when it is a granted FLOCK on dev/ino
 * ("1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"), else 0. Waiters
 * ("1: -> FLOCK ...") do not match. No sscanf: it would pull a scanner
 * into the static binary. */
static long lock_line_pid(const char *line, const struct stat *st)
{
	const char *p = skip_words(line, 1);
	unsigned long maj, min, ino;
	char *end;
	long pid;

	if (strncmp(p, "FLOCK", 5) != 0)
		return 0;
	p = skip_words(p, 3);
	pid = strtol(p, &end, 10);
	maj = strtoul(end, &end, 16);
	if (*end++ != ':')
		return 0;
	min = strtoul(end, &end, 16);
	if (*end++ != ':')
		return 0;
	ino = strtoul(end, &end, 10);
	return maj == major(st->st_dev) && min == minor(st->st_dev) &&
	       ino == (unsigned long)st->st_ino && pid > 0 ? pid : 0;
}

/* The pid holding a flock(2) on the file open as fd, from /proc/locks
 * (Linux); 0 when it cannot be told. Read in pieces, line by line. */
static long lock_holder(int fd)
{
	char buf[4096], *nl, *line;
	size_t have = 0;
	ssize_t n;
	long found = 0;
	struct stat st;
	int lf;

	if (fstat(fd, &st) != 0 ||
	    (lf = open("/proc/locks", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (!found && (n = read(lf, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		for (line = buf; !found && (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			found = lock_line_pid(line, &st);
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1) /* a line longer than buf: drop */
			have = 0;
	}
	close(lf);
	return found;
}

/* Sleep ms milliseconds (EINTR ends it early: the caller loops). */
static void nap_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* flock(2) the directory at path, trying again every 100 ms until wait_ms
 * passed. The lock is on the directory itself: opening it read-only and
 * locking it writes nothing to flash (E2) and needs no lock file that an
 * older state directory would lack. The descriptor is close-on-exec so a
 * hook never inherits it. The wait serves nothing: it happens before the
 * responder or any other service is open. */
static int posix_lock(struct port *p, const char *path, int64_t wait_ms,
                      int *handle, long *holder)
{
	int64_t deadline = posix_mono_ms(p) + (wait_ms > 0 ? wait_ms : 0), left;
	int fd, e;

	*handle = -1;
	*holder = 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return map_errno(errno);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*handle = fd;
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if ((left = deadline - posix_mono_ms(p)) <= 0) {
			*holder = lock_holder(fd);
			close(fd);
			errno = EWOULDBLOCK;
			return AL_ELOCKED;
		}
		nap_ms(left < 100 ? left : 100);
	}
	e = errno;
	close(fd);
	errno = e;
	return AL_EFAIL;
}

/* Closing the descriptor releases the flock. */
static void posix_unlock(struct port *p, int handle)
{
	(void)p;
	if (handle >= 0)
		close(handle);
}

static const struct port_ops posix_ops = {
	.read_file = posix_read_file,
	.replace_file = posix_replace_file,
	.make_dir = posix_make_dir,
	.list_dir = posix_list_dir,
	.remove = posix_remove,
	.replace_link = posix_replace_link,
	.read_link = posix_read_link,
	.wall_time = posix_wall_time,
	.mono_ms = posix_mono_ms,
	.wall_trusted = posix_wall_trusted,
	.entropy = posix_entropy,
	.runtime_dir = posix_runtime_dir,
	.world_readable = posix_world_readable,
	.lock = posix_lock,
	.unlock = posix_unlock,
};

/* Initialise pp; the wall clock is trusted from the build date on. */
void port_posix_init(struct port_posix *pp)
{
	pp->base.ops = &posix_ops;
	pp->trusted_after = (int64_t)ACMELET_BUILD_TIME;
}
