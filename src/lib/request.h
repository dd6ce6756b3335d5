/*
 * The library's pipeline: one request (create, start, stop, remove, attach,
 * detach, assign, unassign) in, one plan and its result out. Nothing here
 * prints, parses argv or exits: the commands do that, and a declarative
 * apply calls the same functions for many devices.
 */
#ifndef VIRT_MDEV_REQUEST_H
#define VIRT_MDEV_REQUEST_H

#include <stdbool.h>
#include <json-c/json.h>

#include "ap.h"
#include "aplock.h"
#include "attach.h"
#include "backend.h"
#include "error.h"
#include "journal.h"
#include "kind.h"
#include "lifecycle.h"
#include "mdev.h"
#include "plan.h"
#include "virt.h"

#define REQUEST_DEFAULT_TIMEOUT_S 30
/* --jobs: how many mdevs' node-device calls run at once (the libvirt backend) */
#define REQUEST_DEFAULT_JOBS 4
#define REQUEST_MAX_JOBS 64

/* Where a request runs: the host, libvirt, how mdevs are made. */
struct request_env {
	const struct sysfs *sysfs;
	const char *uri; /* -c; NULL: libvirt's default */
	virConnectPtr conn; /* an open connection, or NULL (opened when needed) */
	enum backend_choice backend;
	const char *template_dir;
	unsigned timeout_s; /* the wait for libvirt to see a started mdev */
	/* how many steps of different mdevs' lanes run at once (plan.jobs; 0, 1: one at a time) */
	unsigned jobs;
	bool dry_run; /* nothing runs: no lock is taken */
	/* the s390-tools AP lock: how long a take waits (--lock-timeout), and who is told about the wait */
	unsigned lock_timeout_s;
	ap_lock_say_fn lock_say;
	void *lock_say_opaque;
};

/*
 * What a request gives back: the plan to run, what to report, and what it
 * holds until then. The plan takes the s390-tools AP lock (lock) around its
 * ap_lock steps only, when it runs: a request never holds it.
 */
struct outcome {
	struct plan plan;
	struct json_object *result; /* "result" of the JSON document (owned) */
	char nothing[512]; /* why an empty plan is fine */
	char uuid[IDS_UUID_STRLEN]; /* the mdev concerned, "" if none */
	/* the one that made the steps (closed by outcome_clear) */
	struct backend backend;
	/* the domain the steps change (freed by outcome_clear) */
	virDomainPtr domain;
	/* a connection opened for this request when env has none (closed last) */
	virConnectPtr conn;
	/* the s390-tools lock, held only while an ap_lock step runs */
	struct ap_lock lock;
	/* plan.lock: lock's take and release, named "the s390-tools lock ROOT/run/lock/..." */
	struct plan_lock plan_lock;
	char lock_name[600];
	char note[512]; /* for the admin after the plan ran, on stdout ("" if none) */
	char warning[512]; /* what stays as it is and why, on stderr ("" if none) */
	char verbose[512]; /* for -v: the backend's choice ("" if none) */
	/* what a request keeps for its plan's steps (apply: the domains), freed by outcome_clear before the connection */
	void *data;
	void (*data_free)(void *data);
	/* virt-mdev's own lock, held from before the request read the host until outcome_clear */
	bool run_locked;
	struct run_lock run_lock;
};

/* An outcome that outcome_clear may see before outcome_init. */
/* clang-format off */
#define OUTCOME_INIT { 0 }
/* clang-format on */

/* An empty outcome for env's host, its plan wired to the s390-tools lock with env's timeout. */
void outcome_init(struct outcome *o, const struct request_env *env);
void outcome_clear(struct outcome *o);
#define _cleanup_outcome_ _cleanup_(outcome_clear)

/*
 * Before a request that changes the host reads it: take virt-mdev's lock
 * (ROOT/run/lock/virt-mdev.lock, waiting up to env's lock timeout, told
 * through env's lock_say), held by o until outcome_clear, so that the
 * checks, the plan and its run see one state that no other virt-mdev run
 * changes; then refuse while an unfinished journal exists (VM_EXIT_REFUSED,
 * naming it and 'virt-mdev recover'). A dry run takes nothing.
 */
int request_lock_host(const struct request_env *env, struct outcome *o,
		      struct vm_error *err);

/* ---- recover (src/lib/request.c) ---- */

struct recover_result {
	bool nothing; /* no journal: nothing to recover */
	bool changed; /* a step was undone (or done) */
	char path[600]; /* the journal */
	char line[512]; /* the run it is of: "virt-mdev assign ..." */
	long pid;
};

/*
 * Roll back (complete: finish) the plan an unfinished journal holds, under
 * virt-mdev's lock, each step only while its change is still what the run
 * made; the journal goes when that succeeded, and stays, with the progress
 * made, when not. o->plan is the plan recovered (for JSON). progress, when
 * not NULL, is told each step. No journal: res->nothing.
 */
int request_recover(const struct request_env *env, bool complete,
		    FILE *progress, struct outcome *o,
		    struct recover_result *res, struct vm_error *err);

/* ---- create, start, stop, remove (src/lib/mdev-ops.c) ---- */

struct create_req {
	const struct mdev_kind *kind;
	struct kind_args target; /* the device, or the matrix */
	bool uuid_given;
	char uuid[IDS_UUID_STRLEN];
	bool define, autostart;
};

int request_create(const struct request_env *env, const struct create_req *r,
		   struct outcome *o, struct vm_error *err);

enum mdev_change {
	CHANGE_START,
	CHANGE_STOP,
	CHANGE_REMOVE,
	CHANGE__LAST,
};

const char *mdev_change_to_string(enum mdev_change c);

/*
 * start, stop, remove [--undefine] of the mdev uuid (on parent, when not
 * NULL: a uuid on several parents needs it); stop and remove are refused
 * while a domain uses it. A malformed definition of the uuid is refused
 * (VM_EXIT_USAGE, naming the file), as mdevctl refuses it.
 */
int request_change(const struct request_env *env, enum mdev_change c,
		   const char *uuid, const char *parent, bool undefine,
		   struct outcome *o, struct vm_error *err);

/* The mdev's state as the host shows it now (after the plan ran); parent as for request_change. */
int request_state(const struct request_env *env, const char *uuid,
		  const char *parent, struct mdev_state *out,
		  struct vm_error *err);

/* ---- ccw bind/unbind, ap reserve/release (src/lib/prepare.c) ---- */

/* bind: the subchannel of device to vfio_ccw (force: set an online device offline first); else back to io_subchannel. */
int request_ccw(const struct request_env *env, const char *device, bool bind,
		bool persistent, bool force, struct outcome *o,
		struct vm_error *err);

struct apqn_set;
/*
 * reserve: free a set of APQNs (ap reserve APQN...) from the host's
 * drivers; else give them back; persistent: also in chzdev's 41-ap.rules
 * (the boot masks). before: the AP bus as it was. The fewest-queues
 * choice of apchoice.h, exact: refused (VM_EXIT_REFUSED) when it takes a
 * queue not asked for; a release keeps every mdev's APQNs free (refused
 * when one of set cannot return). what names the set in "nothing to do"
 * ("adapters 5 and domains 4"; NULL: the APQNs).
 */
int request_ap_set(const struct request_env *env, bool reserve, bool persistent,
		   bool exact, const struct apqn_set *set, const char *what,
		   struct ap_host *before, struct outcome *o,
		   struct vm_error *err);

/* The same for the matrix adapters x domains (ap reserve --adapters --domains). */
int request_ap_masks(const struct request_env *env, bool reserve,
		     bool persistent, const struct ap_mask *adapters,
		     const struct ap_mask *domains, struct ap_host *before,
		     struct outcome *o, struct vm_error *err);

/* After an ap request ran: "queue 05.0004: cex4queue -> vfio_ap" lines, and the note on persistence. */
int request_ap_report(const struct request_env *env,
		      const struct ap_host *before, bool persistent,
		      struct strv *lines, struct vm_error *err);

/* ---- xml (src/lib/describe.c) ---- */

enum xml_format {
	XML_FORMAT_HOSTDEV, /* libvirt's <hostdev> */
	XML_FORMAT_QEMU, /* QEMU's -device argument */
	XML_FORMAT_NODEDEV, /* libvirt's node-device XML of the mdev */
	XML_FORMAT_MDEVCTL, /* mdevctl's definition */
	XML_FORMAT__LAST,
};

const char *xml_format_to_string(enum xml_format f);
/* -1 for a name that is none of them */
int xml_format_from_string(const char *s);

struct xml_req {
	char uuid[IDS_UUID_STRLEN];
	enum xml_format format;
	const struct mdev_kind
		*model; /* --model: a device elsewhere, the host not read */
	bool devno_given;
	struct guest_devno devno;
	unsigned boot_order;
	const char *alias;
	const char *parent; /* --parent: of a uuid on several parents */
};

/*
 * The text of an mdev in a format; *kind: the kind it is. nodedev and
 * mdevctl show a definition's attributes as written (every one, in order).
 * Caller frees *out.
 */
int request_xml(const struct request_env *env, const struct xml_req *r,
		char **out, const struct mdev_kind **kind,
		struct vm_error *err);

/* ---- attach, detach, assign, unassign (src/lib/assign.c) ---- */

/* What a domain change touches. */
struct domain_req {
	const char *domain; /* name or uuid */
	bool live,
		config; /* as virsh's --live/--config; neither: the current state */
	bool devno_given;
	struct guest_devno devno;
	unsigned boot_order;
	const char *alias;
	/* --shared: a stand-by guest's definition may hold an mdev another domain references */
	bool shared;
};

/*
 * The domain of a request into o->domain, looked up at env's connection (or
 * one opened into o->conn): VM_EXIT_NOT_FOUND naming what was searched.
 */
int request_domain(const struct request_env *env, const char *name,
		   struct outcome *o, struct vm_error *err);

/* parent: of a uuid on several parents, or NULL */
int request_attach(const struct request_env *env, const struct domain_req *d,
		   const char *uuid, const char *parent, struct outcome *o,
		   struct vm_error *err);
int request_detach(const struct request_env *env, const struct domain_req *d,
		   const char *uuid, struct outcome *o, struct vm_error *err);

struct assign_req {
	struct domain_req dom;
	const struct mdev_kind *kind;
	struct kind_args target;
	bool uuid_given;
	char uuid[IDS_UUID_STRLEN];
	bool persistent; /* binding, definition with autostart, --config */
};

int request_assign(const struct request_env *env, const struct assign_req *r,
		   struct outcome *o, struct vm_error *err);

/* what: an mdev uuid (on parent, when not NULL), or a DEVICE of a kind that takes one (a busid or subchannel) */
int request_unassign(const struct request_env *env, const struct domain_req *d,
		     const char *what, const char *parent, bool keep_mdev,
		     struct outcome *o, struct vm_error *err);

#endif
