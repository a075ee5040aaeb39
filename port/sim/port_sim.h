/* The simulated port, for tests only: in-memory flash that can lose power
 * after a chosen number of storage steps, a clock the test moves, and
 * deterministic entropy. The agent runs on it unchanged (struct port).
 *
 * Paths are absolute ("/state/certs/a/live"); "/" exists after init. A
 * relative path is taken from "/" (the simulation has no working
 * directory). The crash model is described at the top of port_sim.c. */
#ifndef ACMELET_PORT_SIM_H
#define ACMELET_PORT_SIM_H

#include <stdint.h>

#include "port.h"

/* What survives a power cut, chosen at reboot. */
enum sim_loss {
	/* Every directory change not followed by an fsync of that directory
	 * is undone, and file data not fsynced is lost (ext4 without
	 * journalled data, the worst honest case). */
	SIM_LOSE_UNSYNCED,
	/* Every directory change survives, but file data not fsynced comes
	 * back torn: the first half of it, or nothing (alternately, in walk
	 * order, so that a series of tests meets both). */
	SIM_KEEP_ENTRIES_TORN_DATA,
};

/* Kind of an entry, for port_sim_list_all(). */
enum sim_type { SIM_FILE, SIM_DIR, SIM_LINK };

/* Wear figures, counted since init and kept across reboots. */
struct port_sim_counters {
	long steps;         /* every storage step, as port_sim_steps() */
	long bytes_written; /* file data bytes written */
	long files_written; /* file data writes (one per replace_file) */
	long fsyncs;        /* fsyncs of files and of directories */
	long renames;
	long mkdirs;
	long unlinks;       /* files, links and directories removed */
	long symlinks;
};

struct sim_inode; /* private to port_sim.c */

#define SIM_LOCKS_MAX 8

/* A directory lock (port lock()): held by this process (pid = s->pid) or
 * by another one a test made up (port_sim_hold_lock). */
struct sim_lock {
	struct sim_inode *ino; /* NULL: free slot */
	long pid;
};

/* Caller-owned; fields are private, use the functions below. */
struct port_sim {
	struct port base; /* must be first */
	struct sim_inode *root;
	struct sim_inode *all; /* every inode, for the sweep */
	int dead;              /* power cut: storage fails until reboot */
	long cut_left;         /* steps before the cut; 0: no cut planned */
	unsigned mark;         /* generation of the last walk */
	unsigned torn;         /* files torn so far, picks half or empty */
	long pid;              /* number in temporary names */
	uint64_t capacity;     /* bytes of file data; 0: unlimited */
	struct port_sim_counters cnt;
	int64_t wall, mono_offset_ms;
	int trusted, unseeded;
	uint64_t seed, block;  /* entropy: SHA-256(seed || block) */
	unsigned char pool[32];
	unsigned pool_used;
	struct sim_lock locks[SIM_LOCKS_MAX]; /* a reboot releases them all */
};

/* Empty flash holding "/" (0755), no cut planned, wall clock 0 and not
 * trusted, entropy seeded with 0, temporary names use pid 4242. */
void port_sim_init(struct port_sim *s);

/* Free every inode; s may be initialised again afterwards. */
void port_sim_free(struct port_sim *s);

/* Cut the power after k more storage steps (k = 0: now; k < 0: never, and
 * an already planned cut is cancelled). Once cut, every storage operation
 * (reads too) fails with AL_EFAIL and changes nothing, until reboot. */
void port_sim_cut_after(struct port_sim *s, long k);

/* 1 once the power is cut. */
int port_sim_dead(const struct port_sim *s);

/* Storage steps done so far: create, write, fsync (file or directory),
 * rename, mkdir, unlink/rmdir, symlink. Reads are not steps. */
long port_sim_steps(const struct port_sim *s);

/* Copy the wear counters into out. */
void port_sim_counters(const struct port_sim *s,
                       struct port_sim_counters *out);

/* Power back on: the flash becomes what the cut left, as mode says, and
 * the cut is cleared. Allowed without a cut too (a clean reboot loses what
 * was not synced, like a real one). Clocks and entropy keep running. */
void port_sim_reboot(struct port_sim *s, enum sim_loss mode);

/* The number used in temporary names ("<path>.tmp-<pid>"), as getpid()
 * in the POSIX port; a test sets another after a reboot to model a new
 * process that cannot recognise its own leftovers. */
void port_sim_set_pid(struct port_sim *s, long pid);

/* Limit file data (current and not yet released old data) to bytes;
 * a write over it fails with AL_ENOSPC. 0: unlimited. */
void port_sim_set_capacity(struct port_sim *s, uint64_t bytes);

/* Wall clock (seconds since the epoch) returned by wall_time(). */
void port_sim_set_wall(struct port_sim *s, int64_t t);

/* Let time pass: the wall clock moves by seconds and the monotonic clock
 * by the same amount on top of the real time that passes. */
void port_sim_advance(struct port_sim *s, int64_t seconds);

/* What wall_trusted() answers (1 or 0). */
void port_sim_set_trusted(struct port_sim *s, int trusted);

/* Restart the entropy stream from seed: the same seed always gives the
 * same bytes, however the reads are split. */
void port_sim_seed(struct port_sim *s, uint64_t seed);

/* While unseeded is 1, entropy() answers AL_EUNSEEDED (early boot). */
void port_sim_set_unseeded(struct port_sim *s, int unseeded);

/* Make another process (pid) hold the lock of the directory at path, as
 * a concurrent acmelet would: this process's lock() of it then waits its
 * wait_ms (the monotonic clock moves on) and fails with AL_ELOCKED.
 * 0, AL_ENOENT, or AL_E2BIG when every slot is taken. */
int port_sim_hold_lock(struct port_sim *s, const char *path, long pid);

/* The other process pid ends: its locks are released. */
void port_sim_drop_locks(struct port_sim *s, long pid);

/* How many locks this process (its current pid) holds now. */
int port_sim_locks_held(const struct port_sim *s);

/* Mode of the file, directory or link target at path (links followed):
 * 0600/0644 for files, 0700/0755 for directories; a negative AL_E* code
 * when path does not resolve. Works with the power cut too. */
int port_sim_mode(struct port_sim *s, const char *path);

/* Call cb for every path currently visible below "/" (not "/" itself),
 * depth first, names sorted, links not followed; a nonzero return of cb
 * stops the walk and is returned. Works with the power cut too. */
int port_sim_list_all(struct port_sim *s,
                      int (*cb)(void *arg, const char *path,
                                enum sim_type type),
                      void *arg);

#endif
