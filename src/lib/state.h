/*
 * A state file (virt-mdev-state(5)): which devices this host passes to which
 * libvirt guests, which mdevs it keeps without a guest, and which APQNs it
 * frees from the host beyond what the devices need. Read from YAML with
 * libyaml (JSON, a subset in practice, reads the same); written by export.
 * Pure: nothing here reads the host; apply (apply.h) compares it with the
 * host.
 */
#ifndef VIRT_MDEV_STATE_H
#define VIRT_MDEV_STATE_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "ids.h"
#include "kind.h"

#define STATE_VERSION 1

/* Where an item starts in the file, 1-based as an editor counts (0: not from a file). */
struct state_pos {
	unsigned line, column;
};

/* One device: of a guest, or an mdev without a guest. */
struct state_device {
	const struct mdev_kind *kind; /* "kind: ccw" (or vfio-ccw, ...) */
	/*
	 * What the command line would name: target.device points at device
	 * (vfio-ccw: the busid or subchannel, in the kernel's spelling: the
	 * kind's device_parse); the AP masks
	 * (adapters, domains, control-domains) with their have_* flags.
	 */
	struct kind_args target;
	char *device;
	bool uuid_given;
	char uuid[IDS_UUID_STRLEN]; /* canonical, lower case */
	/*
	 * guest devices only; devno and boot order only for kinds with
	 * guest_ccw_address; alias for any kind (the CLI's --alias is taken
	 * by assign and attach of every kind)
	 */
	bool devno_given;
	struct guest_devno devno;
	unsigned boot_order; /* 0: none */
	char *alias; /* NULL: none */
	/*
	 * persistent (default true): the binding persists (driverctl), the
	 * mdev is defined with autostart, the guest's persistent definition
	 * holds it; live (default false): the running guest holds it, and for
	 * an mdev without persistent, it is active (transient).
	 * An mdev without a guest (state.mdevs) has no live key: it is always
	 * active, so the parser sets live true; persistent true adds its
	 * definition with autostart.
	 */
	bool persistent, live;
	struct state_pos pos;
};

struct state_guest {
	char *name; /* the libvirt domain's name */
	struct state_device *devices;
	size_t ndevices;
	struct state_pos pos;
};

/* APQNs to free from the host beyond what the devices need: adapters x domains. */
struct state_reserve {
	struct ap_mask adapters, domains;
	bool persistent; /* in chzdev's 41-ap.rules too (default true) */
	struct state_pos pos;
};

struct state {
	char *file; /* as named, for messages ("-": standard input) */
	struct state_guest *guests;
	size_t nguests;
	struct state_device *mdevs; /* wanted without a guest */
	size_t nmdevs;
	struct state_reserve *reserve;
	size_t nreserve;
};

/*
 * Parse text (len bytes) of the file named file. Every error is one
 * message "FILE:LINE:COLUMN: KEY: what is wrong (the fix)", VM_EXIT_USAGE:
 * YAML syntax, an unknown key, a missing or duplicate one, a value the CLI
 * would refuse (the CLI's own parsers, so every spelling it accepts is
 * accepted), the same device, uuid or guest twice.
 */
int state_parse(const char *file, const char *text, size_t len,
		struct state *out, struct vm_error *err);
/* Read and parse FILE ("-": standard input); at most STATE_MAX_SIZE bytes. */
#define STATE_MAX_SIZE (16 * 1024 * 1024)
int state_read(const char *file, struct state *out, struct vm_error *err);
void state_clear(struct state *s);
/*
 * How deep a state file's collections nest at most (the top mapping,
 * guests, a guest, devices, a device, an id list: 6); deeper is refused.
 */
#define STATE_MAX_DEPTH 8
/* Whether a and b say the same (every member but file and the positions). */
bool state_equal(const struct state *a, const struct state *b);
#define _cleanup_state_ _cleanup_(state_clear)

/*
 * The state as a state file (YAML in the man page's layout: a comment
 * header, then version, guests, mdevs, ap-reserve; values in the kernel's
 * canonical spelling, each quoted where YAML would read it as another
 * type). header: a comment line (without "# "; a newline starts another
 * one) or NULL for the default. 0 or -errno: -EILSEQ for a string that
 * is not valid UTF-8 (no YAML string holds it), -EINVAL for a state the
 * format cannot hold (a guest without a name, a device without a kind, a
 * device of a kind that is named by a device without one, an AP device
 * without adapters or domains); nothing reaches f then. control-domains
 * is written when the mask is not empty.
 */
int state_write(FILE *f, const struct state *s, const char *header);

#endif
