/*
 * virt-mdev's own lock and its journal. The lock (flock(2) on
 * ROOT/run/lock/virt-mdev.lock, apart from the s390-tools lock and taken
 * before it) is held by a run that changes the host from before it reads
 * the host until its plan ran. The journal (ROOT/run/virt-mdev/journal.json,
 * written whole and atomically before the first step, naming its progress
 * file journal.progress.XXXXXX beside it, to which every later record
 * appends one JSON line per step whose journalled state changed, with one
 * write(2) and fdatasync(2) before the next step) holds the plan and its
 * progress, enough to undo or finish every step without the process that
 * made it: 'virt-mdev recover [--complete]'.
 */
#ifndef VIRT_MDEV_JOURNAL_H
#define VIRT_MDEV_JOURNAL_H

#include <stdbool.h>
#include <json-c/json.h>

#include "error.h"
#include "mdev.h"
#include "plan.h"
#include "strv.h"
#include "sysfs.h"
#include "virt.h"

#define RUN_LOCK_FILE "virt-mdev.lock"
#define JOURNAL_FILE "journal.json"
#define JOURNAL_PROGRESS_PREFIX "journal.progress."
#define JOURNAL_VERSION 1

/* ---- the lock ---- */

struct run_lock {
	int fd; /* -1: not held */
};

/* clang-format off */
#define RUN_LOCK_INIT { -1 }
/* clang-format on */

/*
 * Take the lock of s's root, waiting up to timeout_s (0: not at all);
 * say, when not NULL, is told once that the wait began. A signal that asks
 * plans to stop (plan_request_stop) ends the wait. VM_EXIT_REFUSED when it
 * stays held.
 */
int run_lock_take(struct run_lock *l, const struct sysfs *s, unsigned timeout_s,
		  void (*say)(void *opaque, const char *msg), void *opaque,
		  struct vm_error *err);
void run_lock_release(struct run_lock *l);

/* ---- calls in a journal ---- */

/* What a loaded call runs with: a fresh libvirt connection, opened when one asks. */
struct call_env {
	const struct sysfs *sysfs;
	const char *uri; /* NULL: libvirt's default */
	virConnectPtr
		conn; /* opened by call_env_conn, closed by call_env_clear */
	/* no connection is opened: a call that needs one does not load (a look at a journal) */
	bool offline;
};

/* env's connection (opened at the first call); NULL with *why set */
virConnectPtr call_env_conn(struct call_env *env, char **why);
void call_env_clear(struct call_env *env);

/*
 * A kind of call that a journal can hold: name is the "call" member of
 * what step_call.save gives; load makes the step_call again from it.
 */
struct call_kind {
	const char *name;
	int (*load)(struct json_object *j, struct call_env *env,
		    struct step_call *out, char **why);
};

extern const struct call_kind call_kind_nodedev; /* backend-libvirt.c */
extern const struct call_kind call_kind_domain; /* attach.c */
extern const struct call_kind
	call_kind_domain_define; /* attach.c: apply's one define per guest */
extern const struct call_kind call_kind_mdev_remove; /* backend-sysfs.c */

/* Every kind, NULL-terminated. */
extern const struct call_kind *const call_kinds[];

/* An mdev's spec as {"uuid", "parent", "type", "kind", "apm", "aqm", "adm"} and back (its definition is not kept). */
struct json_object *mdev_spec_to_json(const struct mdev_spec *m);
int mdev_spec_from_json(struct json_object *j, struct mdev_spec *out);

/* ---- steps ---- */

/*
 * A step as JSON: every member of struct step that the undo or a rerun
 * needs (for a file step the prior state its run recorded, for a call what
 * its save says), its status, and running for the one in flight.
 */
struct json_object *journal_step_to_json(const struct plan *p,
					 const struct step *s, bool running);

/* ---- the journal ---- */

/* What a step's journal line last said (a record writes the steps whose snapshot differs). */
struct journal_snap {
	int status;
	bool running, partial;
	const void *file; /* the file step's prior state, once read */
	unsigned long error, undo_error; /* hashes of the texts, 0: none */
};

struct journal {
	char *path; /* ROOT/run/virt-mdev/journal.json */
	char *dir;
	struct json_object *head; /* version, pid, start time, argv, uri */
	bool written;
	struct plan_recorder recorder; /* plan.recorder: writes it */
	/* the progress file (JOURNAL_PROGRESS_PREFIX + 6 random characters), opened for appending */
	char *progress;
	int progress_fd;
	off_t progress_size; /* what the records wrote whole */
	bool broken; /* a failed append could not be taken back: no record more */
	struct journal_snap *snap; /* per step, as the last record left it */
	size_t snap_n;
	long snap_running; /* the step running at the last record, or -1 */
	/* journal_resume: the progress file of the document this one replaces, removed once this one's is in place */
	char *stale_progress;
};

/* A journal for this process's run of argv; nothing is written until the first step. */
int journal_init(struct journal *j, const struct sysfs *s, int argc,
		 char *const *argv, const char *uri, struct vm_error *err);
/* Remove the file (the run ended as it says) and free j. */
void journal_finish(struct journal *j);
void journal_clear(struct journal *j);

/* What a journal file says, parsed and checked (outside input: tests/fuzz/fuzz-journal). */
struct journal_doc {
	long version;
	long pid;
	unsigned long long starttime; /* /proc/PID/stat's 22nd field */
	struct strv argv;
	char *uri; /* NULL: the default */
	struct json_object
		*steps; /* checked: each has kind, description, status */
	struct json_object *root; /* owns steps */
	char *progress; /* the progress file's name (in the journal's directory), NULL: none */
};

int journal_parse(const char *text, size_t len, struct journal_doc *out,
		  struct vm_error *err);
void journal_doc_clear(struct journal_doc *d);

/*
 * Apply a progress file's lines onto d's steps, in order: each complete line
 * {"i": N, "step": {...}} replaces step N (checked as a journal's step); a
 * last line with no newline was never a record (torn) and is ignored.
 * Outside input (tests/fuzz/fuzz-journal).
 */
int journal_parse_progress(struct journal_doc *d, const char *text, size_t len,
			   struct vm_error *err);

/* d's command line, "virt-mdev ccw bind 0.0.2b09" (argv[0] as the name), cut to size. */
void journal_doc_argv_line(const struct journal_doc *d, char *buf, size_t size);
/* Whether d's run had begun its rollback: a step is undone, or its undo failed (recover --complete refuses it). */
bool journal_doc_rolling_back(const struct journal_doc *d);

/* The journal of s's root (its progress applied): 0 with *out, -ENOENT when there is none, else -errno with err. path: its path (caller frees), may be NULL. */
int journal_read(const struct sysfs *s, struct journal_doc *out, char **path,
		 struct vm_error *err);

/* Whether the process that wrote d still runs (the same PID and start time, under the real /proc). */
bool journal_owner_alive(const struct journal_doc *d);

/*
 * Refuse a change while s's root has an unfinished journal: VM_EXIT_REFUSED
 * naming it and 'virt-mdev recover'. 0 when there is none.
 */
int journal_refuse_unfinished(const struct sysfs *s, struct vm_error *err);

/* The plan a journal holds, with each step's status (running: STEP_RUNNING), its calls loaded with env. */
int journal_plan(const struct journal_doc *d, struct call_env *env,
		 struct plan *p, struct vm_error *err);

/*
 * A journal that carries on the one at path, read into d, for recover's
 * own progress: the same head, and records as a run makes them (the first
 * writes the document whole with a new progress file, then d's progress
 * file is removed; each later record appends the steps that changed).
 * journal_clear frees it; journal_end removes what it wrote.
 */
int journal_resume(struct journal *j, const char *path,
		   const struct journal_doc *d, struct vm_error *err);
/*
 * Remove a journal's document, then its progress file (once it wrote one):
 * 0, or -errno of the document's unlink (ENOENT is 0).
 */
int journal_end(struct journal *j);

/* Remove the journal at path, then d's progress file: 0, or -errno of the journal's unlink (ENOENT is 0). */
int journal_remove(const char *path, const struct journal_doc *d);

#endif
