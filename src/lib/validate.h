/* validate: every problem of the host's mdevs and definitions, and of the domains' references to them. */
#ifndef VIRT_MDEV_VALIDATE_H
#define VIRT_MDEV_VALIDATE_H

#include "error.h"
#include "mdev.h"
#include "strv.h"
#include "users.h"

struct problem {
	char uuid[IDS_UUID_STRLEN]; /* "" for a file whose name is no uuid */
	char *file; /* the file of mdevctl's at fault, or NULL */
	/* what it is about when no mdev: "subchannel 0.0.0313", or NULL */
	char *object;
	bool note; /* a finding that does not make validate fail */
	char *msg;
	/* validate --boot: what it is now and after a boot, or NULL */
	char *now, *after_boot;
};

struct problems {
	struct problem *v;
	size_t n, alloc;
	size_t nnotes; /* of the n, the notes */
	size_t checked; /* mdevs checked */
	bool oom; /* a problem could not be kept: the list is not complete */
};

/*
 * Check the mdevs of l (only those in uuids, when it has any) with their
 * kinds' rules, and what mdevctl would refuse of their definitions (a
 * malformed file, a uuid on several parents, a start neither auto nor
 * manual); with no uuids named, also each kind's half-made states of the
 * host that no mdev shows (validate_host), and with u (libvirt reachable)
 * every domain's reference to an mdev the host does not have.
 */
void validate_mdevs(const struct sysfs *s, const struct mdev_list *l,
		    const struct strv *uuids, const struct users *u,
		    struct problems *out);
/* Keep one finding (uuid "" when it is about object); strings are copied, now and after_boot may be NULL. */
void problems_add(struct problems *p, const char *uuid, const char *object,
		  bool note, const char *now, const char *after_boot,
		  const char *msg);
void problems_clear(struct problems *p);
#define _cleanup_problems_ _cleanup_(problems_clear)

#endif
