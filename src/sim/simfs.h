/* virt-mdev-sim's filesystems: the FUSE glue over the model, fault injection, and the static render. */
#ifndef VIRT_MDEV_SIM_SIMFS_H
#define VIRT_MDEV_SIM_SIMFS_H

#include <stdbool.h>
#include <time.h>

#include "lib/error.h"
#include "model.h"

/* "make the Nth write to PATH fail with ERRNO", or "delay PATH N MS": make it take MS ms */
struct fault_rule {
	char pattern[512]; /* fnmatch pattern over the path below /sys */
	unsigned nth;
	int errnum; /* 0: a delay */
	unsigned delay_ms;
	unsigned seen;
};

struct fault_rules {
	char *file; /* the control file, re-read when it changes; NULL: none */
	struct timespec mtime;
	off_t size;
	struct fault_rule *rules;
	size_t n;
};

/*
 * Parse the control file's text: one rule per line, "PATH N ERRNO" (PATH
 * relative to /sys or starting with /sys/, shell wildcards allowed; N counted
 * from 1 over the writes to matching paths since the rule was loaded; ERRNO a
 * name such as EBUSY or a number); or "delay PATH N MS": the Nth write
 * takes MS milliseconds (at most 600000) before the kernel model does it, so
 * that a test can kill the writer while that write is in flight. '#' starts
 * a comment.
 */
int fault_rules_parse(struct fault_rules *fr, const char *text,
		      struct vm_error *err);
/* Re-read the file if it changed. */
void fault_rules_refresh(struct fault_rules *fr);
/*
 * Count a write to path in every rule that matches it: the errno of the first
 * errno rule it is the Nth write of, or 0; *delay_ms: how long the write takes
 * first, the sum of the delay rules it is the Nth write of. The caller sleeps.
 */
int fault_rules_check(struct fault_rules *fr, const char *path,
		      unsigned long *delay_ms);
void fault_rules_clear(struct fault_rules *fr);

struct simfs {
	struct model *model;
	struct fault_rules faults;
	struct fuse *fuse;
	char *mountpoint;
	/* run: the real procfs's directory whose entries .proc shows as links; NULL: none */
	const char *proc_through;
};

/* Mount the model at dir (FUSE); serve with simfs_loop. */
int simfs_mount(struct simfs *fs, const char *dir, struct vm_error *err);
/* the FUSE loop's threads: requests in userspace at once (held writes among them) */
#define SIMFS_MAX_THREADS 64

/*
 * Serve requests until unmounted or simfs_stop, on up to SIMFS_MAX_THREADS
 * threads (one request at a time touches the model; a delayed write waits
 * without holding the others up).
 */
int simfs_loop(struct simfs *fs, bool handle_signals);
/* End simfs_loop from another thread: unmount; simfs_unmount after the loop has returned. */
void simfs_stop(struct simfs *fs);
/* Unmount if still mounted, and free the FUSE state (no loop may still run). */
void simfs_unmount(struct simfs *fs);

/* Write the model as a static tree under dir (which must not exist or be empty). */
int simfs_render(struct model *m, const char *dir, struct vm_error *err);

#endif
