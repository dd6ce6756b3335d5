/*
 * A plan: the ordered steps of a change to the host, each with its undo.
 * Printed as the commands an admin could type (--dry-run), executed with
 * rollback in reverse order on the first failure, reported as JSON.
 */
#ifndef VIRT_MDEV_PLAN_H
#define VIRT_MDEV_PLAN_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "error.h"
#include "sysfs.h"

struct file_record; /* filestep.h */

enum step_status {
	STEP_PENDING,
	STEP_DONE,
	STEP_FAILED,
	STEP_UNDONE,
	STEP_UNDO_FAILED,
	STEP_NOT_RUN,
	STEP_RUNNING, /* a journal's: it was in flight when its run ended */
	STEP__LAST,
};

const char *step_status_to_string(enum step_status s);

enum step_kind {
	STEP_SYSFS_WRITE, /* one write(2) to a sysfs attribute */
	STEP_FILE_PUT, /* write a configuration file (driverctl, mdevctl), atomically */
	STEP_FILE_DELETE, /* remove a configuration file */
	STEP_CALL, /* a call (libvirt's API): functions for the change and its undo */
	STEP__KIND_LAST,
};

/*
 * What a STEP_CALL does. run and undo return 0 or -errno and may set *why
 * (malloc'ed) to say what went wrong; undo may be NULL (no undo). The plan
 * owns data and frees it with free_data.
 */
struct step_call {
	int (*run)(void *data, char **why);
	int (*undo)(void *data, char **why);
	void (*free_data)(void *data);
	void *data;
	/* after a successful run: something the user must know (a fallback taken), or NULL */
	const char *(*note)(void *data);
	/*
	 * For the journal: the call as {"call": NAME, ...}, which a kind of
	 * call_kinds[] (journal.h) loads again into run and undo without the
	 * process that planned it (recover). NULL: it cannot be journalled.
	 */
	struct json_object *(*save)(void *data);
	/*
	 * Compare before undo: 0 while what run made is still there as it
	 * made it, -ESTALE (and *why) when another changed it since; NULL: no
	 * such check.
	 */
	int (*still)(void *data, char **why);
};

struct step {
	enum step_kind kind;
	char *description; /* "unbind subchannel 0.0.0313 from io_subchannel" */
	enum sysfs_area area; /* where path is */
	char *path; /* relative to the area */
	char *value; /* what is written (SYSFS_WRITE, FILE_PUT) */
	/* undo: a sysfs write, or restoring a file's old content (NULL: it did not exist) */
	bool has_undo;
	char *undo_path;
	char *undo_value;
	/* read back after the write: the step fails if this attribute does not hold expect */
	char *verify_path;
	char *verify_expect; /* for links: the basename of the target */
	bool verify_is_link;
	/* STEP_CALL: the functions; path is the command that does the same, undo_value its undo's */
	struct step_call call;
	/* FILE_PUT: the first directory it had to make, removed again by the undo */
	char *made_dir;
	/* FILE_PUT, FILE_DELETE: what the path was at plan time and at run time (filestep.h) */
	struct file_record *file;
	/* what the step says after it ran (step_call.note) */
	char *note;
	/*
	 * It runs (and is undone) under the plan's lock: an AP mask or a
	 * vfio-ap mdev's configuration changes (step_needs_ap_lock).
	 */
	bool ap_lock;
	enum step_status status;
	char *error;
	/* a write the kernel took whose read-back failed: its undo runs in the rollback too */
	bool partial;
	/* why its undo failed, or why it was left as found (compare before undo) */
	char *undo_error;
	int undo_errno; /* the errno of its failed undo (ENOTCONN: libvirt's connection closed) */
	int run_errno; /* the errno of its failed run */
	/*
	 * Nonzero: a call of a lane (plan_set_lane). Consecutive steps of
	 * one lane run one after another in their order; the steps of the
	 * different lanes of a run of consecutive lane steps may run at the
	 * same time, plan.jobs of them at most.
	 */
	unsigned lane;
};

/*
 * How a plan takes and gives back the lock its ap_lock steps run under (the
 * s390-tools AP configuration lock, src/lib/aplock.h): taken before the
 * first of a run of such steps, given back before any other step (a libvirt
 * call must never run under it: libvirt's mdevctl runs ap-check, which
 * takes it for mdevctl, ap_tools/ap-check.c with libap's
 * ap_get_lock_callout, and would wait ~95 s for it), and at the end, also
 * after a rollback.
 */
struct plan_lock {
	int (*take)(void *opaque, struct vm_error *err);
	void (*release)(void *opaque);
	void *opaque;
	const char *
		name; /* for the dry run: "the s390-tools lock /run/lock/..." */
};

/*
 * How a run records its progress (the journal, src/lib/journal.h): record
 * is called before each step runs (running: its index) and after each
 * change of a status (running: -1); a failure to record stops the plan
 * before the step, as a failed step would. Steps of lanes are recorded
 * with status STEP_RUNNING before they begin (running: -1); while such a
 * step runs on its thread, its call data may change (an undefine saves the
 * definition it removes), so a record must not read it then: the
 * journal writes a step only when its status, error or file state
 * changed, which a running step's do not until it ended.
 */
struct plan;

struct plan_recorder {
	int (*record)(void *opaque, const struct plan *p, long running,
		      struct vm_error *err);
	void *opaque;
};

struct plan {
	const struct sysfs *sysfs;
	struct step *steps;
	size_t n, alloc;
	bool executed;
	/* NULL: ap_lock steps run as they are (a plan run inside a step that holds it) */
	const struct plan_lock *lock;
	bool locked; /* taken now */
	/* NULL: nothing is journalled */
	const struct plan_recorder *recorder;
	/* a signal stopped it between two steps: its number, else 0 */
	int interrupted;
	/*
	 * the steps changed since the recorder's last record, for it to look
	 * at those only: [changed_lo, changed_hi) when changed_known, else
	 * any of them (plan.c keeps it, for every change of a step's status,
	 * error, undo error, partial or file state)
	 */
	bool changed_known;
	size_t changed_lo, changed_hi;
	/* how many steps of different lanes run at once: 0 and 1, one at a time */
	unsigned jobs;
};

/*
 * Ask every plan that runs to stop before its next step and roll back, as
 * for a failed step (the step in flight finishes first). Async-signal-safe:
 * a signal handler calls it; a second call while a rollback runs changes
 * nothing (the rollback is not interrupted).
 */
void plan_request_stop(int signo);
/* The signal plan_request_stop was given, or 0. */
int plan_stop_requested(void);

void plan_init(struct plan *p, const struct sysfs *sysfs);
void plan_clear(struct plan *p);
#define _cleanup_plan_ _cleanup_(plan_clear)

/* A sysfs write; with undo_path, its undo writes undo_value there. Returns the step or NULL (ENOMEM). */
struct step *plan_add_write(struct plan *p, const char *description,
			    const char *path, const char *value,
			    const char *undo_path, const char *undo_value);
/* Mark s (NULL is passed through) as a step that runs under the plan's lock. */
struct step *step_needs_ap_lock(struct step *s);
/* Check after the write that the link at path points at a target named expect ("": that there is no link). */
int step_verify_link(struct step *s, const char *path, const char *expect);
/* Check after the write that the attribute at path reads expect. */
int step_verify_value(struct step *s, const char *path, const char *expect);
/* Put a file (content) in area; the undo restores what was there before (or removes it). */
struct step *plan_add_file_put(struct plan *p, const char *description,
			       enum sysfs_area area, const char *path,
			       const char *content);
struct step *plan_add_file_delete(struct plan *p, const char *description,
				  enum sysfs_area area, const char *path);
/*
 * A call, shown as command (the virsh command that does the same) and
 * undo_command (NULL when call->undo is NULL). The plan takes call->data,
 * also when this fails (NULL, ENOMEM).
 */
struct step *plan_add_call(struct plan *p, const char *description,
			   const char *command, const char *undo_command,
			   const struct step_call *call);

/*
 * The steps from 'from' on as one lane, lane (nonzero; another than the
 * lane of the step before from): only when each of them is a call that
 * runs outside the plan's lock (a thread of plan_execute runs it while
 * other threads run other lanes' calls, so the call must be safe beside
 * them); else nothing changes. Returns whether they are.
 */
bool plan_set_lane(struct plan *p, size_t from, unsigned lane);

/* Move src's steps to the end of dst (src is empty after); 0 or -ENOMEM (nothing moved). */
int plan_take(struct plan *dst, struct plan *src);
/* Move src's steps from 'from' on to the end of dst; 0 or -ENOMEM (nothing moved). */
int plan_take_from(struct plan *dst, struct plan *src, size_t from);

/*
 * After a failed run's rollback: some step's undo, or the failed run of a
 * call (whose outcome is then unknown), failed with errnum (ENOTCONN: the
 * connection to libvirt closed); no step is one a recover would leave too
 * (left as found, ESTALE, or without an undo, ENOTSUP); and any other undo
 * that failed came before the last such step (a binding under an mdev
 * libvirt could not remove). A recover can finish it once the cause is gone.
 */
bool plan_rollback_awaits(const struct plan *p, int errnum);

static inline bool plan_is_empty(const struct plan *p)
{
	return p->n == 0;
}

/*
 * A value as POSIX sh reads it back: bare when it holds only characters sh
 * never interprets, else in single quotes (each ' written '\''). Caller
 * frees; NULL: ENOMEM.
 */
char *plan_shell_quote(const char *v);
/*
 * command with doc as its standard input, a here-document:
 * "COMMAND <<'EOF'\nDOC\nEOF". The delimiter is quoted (the body is read
 * as it is, nothing expanded) and is no line of doc (EOF, else EOF_1,
 * EOF_2, ...); doc gets the newline the delimiter needs before it.
 * Caller frees.
 */
char *plan_shell_heredoc(const char *command, const char *doc);
/*
 * "echo VALUE > PATH" (printf '%s\n' where echo would read VALUE as an
 * option or a backslash as an escape, as dash's echo does): what it writes
 * is VALUE and a newline. path is quoted already. Caller frees.
 */
char *plan_shell_echo(const char *value, const char *qpath);

/* The shell command a step does: "echo 0.0.0313 > /sys/bus/css/drivers/vfio_ccw/bind". Caller frees. */
char *step_command(const struct plan *p, const struct step *s);
char *step_undo_command(const struct plan *p, const struct step *s);

/*
 * --dry-run: one "# description" line and the command, per step; where the
 * plan's lock is taken and given back, a "# take NAME" and a
 * "# release NAME" line; before a run of steps of several lanes that will
 * run side by side (jobs > 1), a line that says so.
 */
void plan_print(const struct plan *p, FILE *f);

/*
 * Run the steps in order; at the first failure undo the done ones in
 * reverse. Returns 0, or -errno with err saying what failed, what was
 * undone and what could not be (exit 1, or 5 when an undo failed).
 * progress, when not NULL, is told each step as it is done. With p->lock,
 * each ap_lock step runs (and is undone) under it, every other step
 * without it; a lock that cannot be taken fails the step that needs it
 * before it runs. The lock is given back before this returns.
 *
 * A run of consecutive lane steps runs on up to p->jobs threads, each lane's
 * steps in their order: each step is recorded as running before it starts
 * and as done or failed when it ends, all on the calling thread, which
 * alone reads and changes the plan and prints progress (in the order the
 * steps end). The first failure (or signal) starts no further step; the
 * steps in flight end first, then every done step is undone in reverse
 * order, as after any failure.
 */
int plan_execute(struct plan *p, FILE *progress, struct vm_error *err);

/*
 * Recover: undo the done steps (and the one that was running, when its
 * change is there) in reverse, each only while its change is still what the
 * run made (compare before undo). Returns 0 or -errno with err (exit 5:
 * what could not be undone).
 */
int plan_rollback_recorded(struct plan *p, FILE *progress,
			   struct vm_error *err);

/*
 * Recover --complete: run the steps that are not done, in order, one that
 * was running only when its change is not there yet; at a failure, stop
 * (exit 1; the journal keeps what is done).
 */
int plan_complete_recorded(struct plan *p, FILE *progress,
			   struct vm_error *err);

/* A file step's prior state read into the step (for the journal, before it runs); 0 or -errno. */
int step_read_prior(const struct plan *p, struct step *s);

/* 0 when the change of a step is there now (its read-back holds); -ESTALE (why) when not; -ENODATA when it cannot tell. */
int step_change_present(const struct plan *p, const struct step *s, char **why);

/*
 * {"changed": bool, "dry_run": bool, "steps": [...]}, a step with
 * "ap_lock": true when it runs under the lock; result is added as "result"
 * when not NULL (reference taken).
 */
struct json_object *plan_to_json(const struct plan *p, bool dry_run,
				 struct json_object *result);

#endif
