/*
 * The s390-tools AP configuration lock, /run/lock/s390apconfig.lock, taken
 * the way s390-tools takes it (libutil/util_lockfile.c, through libap's
 * ap_get_lock() in libap/ap.c): our PID is written to a temporary file that
 * is link(2)ed to the lock's path; EEXIST means another process holds it.
 * It is NOT flock(2): lszdev, chzdev and ap-check never look at flock, and
 * take an existing file, even an empty one, as held.
 */
#ifndef VIRT_MDEV_APLOCK_H
#define VIRT_MDEV_APLOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "sysfs.h"

/* The lock's name in SYSFS_AREA_LOCK (libap: AP_LOCKFILE, include/lib/ap.h). */
#define AP_LOCK_FILE "s390apconfig.lock"
/* How long a take waits for another holder unless told otherwise (--lock-timeout). */
#define AP_LOCK_DEFAULT_TIMEOUT_S 60
/* An empty lock file younger than this is being written (util_lockfile.c: WAITPID). */
#define AP_LOCK_WAITPID_S 120

/* Who holds the lock, as its file says. */
struct ap_lock_holder {
	pid_t pid; /* 0: no PID in the file yet (empty, or not a PID) */
	char comm[32]; /* the holder's command name (/proc/PID/comm), "" if unknown */
};

/* Told what a take has to say on its way (waiting for a holder, a stale lock removed): one sentence. */
typedef void (*ap_lock_say_fn)(void *opaque, const char *msg);

struct ap_lock {
	const struct sysfs *sysfs;
	unsigned timeout_s; /* the longest a take waits for another holder; 0: not at all */
	ap_lock_say_fn say; /* NULL: nothing is said */
	void *opaque;
	bool held; /* the file at path is ours */
	pid_t pid; /* the PID written into it: ours */
	char *path; /* ROOT/run/lock/s390apconfig.lock, once taken (freed by ap_lock_clear) */
};

/* A lock not yet taken; nothing is allocated. */
void ap_lock_init(struct ap_lock *l, const struct sysfs *s, unsigned timeout_s,
		  ap_lock_say_fn say, void *opaque);
/*
 * Take it: 0, or -errno with err set (VM_EXIT_FAILED): -ETIMEDOUT when
 * another process held it for all of timeout_s (the message names its PID
 * and command), another errno when the lock file cannot be made. A lock
 * whose PID no longer runs, or an empty one older than AP_LOCK_WAITPID_S,
 * is stale: it is removed (and said) and the take goes on.
 */
int ap_lock_take(struct ap_lock *l, struct vm_error *err);
/* Give it back: the lock file is removed only while it holds our PID. */
void ap_lock_release(struct ap_lock *l);
/* Release it if held and free what the lock owns; l can be taken again after ap_lock_init. */
void ap_lock_clear(struct ap_lock *l);
#define _cleanup_ap_lock_ _cleanup_(ap_lock_clear)

/* Who holds the lock of s now: 1 and *h, 0 when nobody does, -errno when the file cannot be read. */
int ap_lock_peek(const struct sysfs *s, struct ap_lock_holder *h);

#endif
