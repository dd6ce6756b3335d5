/*
 * Declarative state (virt-mdev-state(5)): the difference between the host
 * (and libvirt) and a state file as one plan (plan, apply), and the host's
 * passthrough state as a state file (export). apply is the library's
 * pipeline run for many devices: the kinds' prepare and checks, the
 * backends' lifecycle, the domains' hostdevs (one define per guest).
 */
#ifndef VIRT_MDEV_APPLY_H
#define VIRT_MDEV_APPLY_H

#include <stdbool.h>

#include "request.h"
#include "state.h"

/* apply's record of what it made, within the root: ROOT/var/lib/virt-mdev/last-applied.json */
#define APPLY_RECORD_FILE "last-applied.json"
/* the largest record read */
#define APPLY_RECORD_MAX (64 * 1024 * 1024)

/*
 * The plan that makes the host hold st: for each device, its preparation
 * (binding, masks), its mdev (made, configured, defined, started), its
 * hostdev in its guest's persistent definition (one define per guest) and
 * live XML; moves of a device from a guest to another; with prune, the
 * removal of what an earlier apply made (the record) that st no longer
 * lists; exact: refused when a shared host part would give more than the
 * file needs (vfio-ap: a queue no device or reservation names would leave
 * the host). Things apply did not make and st does not list are left alone.
 * One libvirt connection, one backend, one plan; the record is written by
 * the plan's last step. An empty plan: st holds (o->nothing says so).
 */
int request_apply(const struct request_env *env, const struct state *st,
		  bool prune, bool exact, struct outcome *o,
		  struct vm_error *err);

/*
 * The host's passthrough state: every mdev of a known kind, with the
 * guests whose XML references it (persistent: in the persistent
 * definition with a definition that starts at boot; live: in the running
 * guest's XML), the mdevs no guest references, and the APQNs freed from
 * the host that no mdev holds.
 */
int request_export(const struct request_env *env, struct state *out,
		   struct vm_error *err);

#endif
