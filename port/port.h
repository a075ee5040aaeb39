/* The porting layer: the only door to the OS for storage, clocks and
 * entropy (D5). The rest of acmelet calls these wrappers and never open(2),
 * time(2) or getrandom(2) directly, so that a simulated port (in-memory
 * flash that loses power, a clock moved by the test) can run the same code.
 *
 * Shaped like a BearSSL class: a struct whose first field is a pointer to a
 * table of operations. Every operation returns 0 on success or a negative
 * AL_E* code from src/err.h. */
#ifndef ACMELET_PORT_H
#define ACMELET_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct port;

/* Flags for port_replace_file(). */
#define PORT_PRIVATE 1 /* create 0600 from the first byte (private keys) */
#define PORT_PUBLIC 2  /* 0644 whatever the umask (files a web server serves) */

struct port_ops {
	/* Read a whole file into buf (at most cap bytes). AL_ENOENT when it
	 * does not exist, AL_E2BIG when it does not fit, AL_ENOTREG when it
	 * is not a regular file (a FIFO or a device is refused, never waited
	 * on). */
	int (*read_file)(struct port *p, const char *path, void *buf,
	                 size_t cap, size_t *len);
	/* Replace a whole file atomically: write a temporary file beside it,
	 * fsync it, rename it over path, fsync the directory. Readers see
	 * either the old or the new content, never a mix. */
	int (*replace_file)(struct port *p, const char *path, const void *data,
	                    size_t len, int flags);
	/* Create a directory (mode 0700 with PORT_PRIVATE, else 0755). An
	 * existing directory is success. */
	int (*make_dir)(struct port *p, const char *path, int flags);
	/* Call cb for each entry of dir except "." and ".."; a nonzero return
	 * of cb stops the walk and is returned. */
	int (*list_dir)(struct port *p, const char *dir,
	                int (*cb)(void *arg, const char *name), void *arg);
	/* Remove a file, an empty directory or a symlink. A missing entry is
	 * AL_ENOENT. */
	int (*remove)(struct port *p, const char *path);
	/* Point the symlink at path to target, atomically (symlink beside,
	 * rename over, fsync the directory). */
	int (*replace_link)(struct port *p, const char *path, const char *target);
	/* Read a symlink's target into buf (NUL-terminated). */
	int (*read_link)(struct port *p, const char *path, char *buf, size_t cap);

	/* Wall clock, seconds since the Unix epoch (UTC). */
	int64_t (*wall_time)(struct port *p);
	/* Monotonic clock in milliseconds, for timeouts and polling. */
	int64_t (*mono_ms)(struct port *p);
	/* 1 when the wall clock can be trusted for date decisions (E1). */
	int (*wall_trusted)(struct port *p);

	/* Fill buf with len bytes from a seeded source; AL_EUNSEEDED when the
	 * pool is not initialised yet (E3). Never blocks forever. */
	int (*entropy)(struct port *p, void *buf, size_t len);
	/* A directory in RAM (tmpfs) for run state that may be lost at a
	 * reboot, never on flash (E2), such as /var/run/acmelet; it may not
	 * exist yet. NULL when the port has none. */
	const char *(*runtime_dir)(struct port *p);

	/* 1 when every user may read the file at path (the world read
	 * bit), 0 when not, AL_ENOENT when it does not
	 * exist: secrets (TSIG keys) must be private. NULL: a port without
	 * permissions (the simulated flash), always 0. */
	int (*world_readable)(struct port *p, const char *path);

	/* Take the exclusive lock of the existing directory at path for this
	 * process (flock(2) on the directory itself, so that taking it writes
	 * nothing, E2), waiting at most wait_ms while another process holds
	 * it. *handle gets what unlock needs. AL_ELOCKED when it stayed held:
	 * *holder is then the holder's pid, or 0 when it cannot be known.
	 * AL_ENOENT when path does not exist. The lock goes with the process:
	 * a crash or a power cut releases it. */
	int (*lock)(struct port *p, const char *path, int64_t wait_ms,
	            int *handle, long *holder);
	/* Release a lock taken with lock() (a negative handle: nothing). */
	void (*unlock)(struct port *p, int handle);
};

struct port {
	const struct port_ops *ops;
};

static inline int port_read_file(struct port *p, const char *path, void *buf,
                                 size_t cap, size_t *len)
{ return p->ops->read_file(p, path, buf, cap, len); }
static inline int port_replace_file(struct port *p, const char *path,
                                    const void *data, size_t len, int flags)
{ return p->ops->replace_file(p, path, data, len, flags); }
static inline int port_make_dir(struct port *p, const char *path, int flags)
{ return p->ops->make_dir(p, path, flags); }
static inline int port_list_dir(struct port *p, const char *dir,
                                int (*cb)(void *, const char *), void *arg)
{ return p->ops->list_dir(p, dir, cb, arg); }
static inline int port_remove(struct port *p, const char *path)
{ return p->ops->remove(p, path); }
static inline int port_replace_link(struct port *p, const char *path,
                                    const char *target)
{ return p->ops->replace_link(p, path, target); }
static inline int port_read_link(struct port *p, const char *path, char *buf,
                                 size_t cap)
{ return p->ops->read_link(p, path, buf, cap); }
static inline int64_t port_wall_time(struct port *p)
{ return p->ops->wall_time(p); }
static inline int64_t port_mono_ms(struct port *p)
{ return p->ops->mono_ms(p); }
static inline int port_wall_trusted(struct port *p)
{ return p->ops->wall_trusted(p); }
static inline int port_world_readable(struct port *p, const char *path)
{ return p->ops->world_readable ? p->ops->world_readable(p, path) : 0; }
static inline int port_entropy(struct port *p, void *buf, size_t len)
{ return p->ops->entropy(p, buf, len); }
static inline const char *port_runtime_dir(struct port *p)
{ return p->ops->runtime_dir ? p->ops->runtime_dir(p) : NULL; }
/* The tail of a "cannot read" line for a read_file error. */
static inline const char *port_read_why(int rc)
{
	return rc == AL_ENOTREG ? ": not a regular file (a FIFO or a "
	       "device?); put a file there" : rc == AL_E2BIG ? ": too large" : "";
}
static inline int port_lock(struct port *p, const char *path, int64_t wait_ms,
                            int *handle, long *holder)
{ return p->ops->lock(p, path, wait_ms, handle, holder); }
static inline void port_unlock(struct port *p, int handle)
{ p->ops->unlock(p, handle); }

#endif
