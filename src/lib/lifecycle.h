/*
 * An mdev's lifecycle as plan steps: define, start (create), autostart,
 * stop, undefine, through libvirt's node-device API or through sysfs and
 * mdevctl's definition files; and the checks that come before.
 */
#ifndef VIRT_MDEV_LIFECYCLE_H
#define VIRT_MDEV_LIFECYCLE_H

#include <stdbool.h>

#include "ap.h"
#include "css.h"
#include "error.h"
#include "mdev.h"
#include "plan.h"
#include "virt.h"

struct lifecycle {
	const struct sysfs *sysfs;
	virConnectPtr conn; /* NULL: the sysfs backend */
	const char *
		uri; /* shown as "virsh -c URI" in commands; NULL: the default */
	const char *template_dir; /* NULL: xml_template_dir's choice */
	unsigned wait_ms; /* how long to wait for libvirt to see a started mdev */
};

/* A wanted state: leave as it is, or make it so. */
enum want {
	WANT_KEEP,
	WANT_YES,
	WANT_NO,
};

struct mdev_state {
	bool exists, active, defined, autostart;
};

/* The state of an existing mdev (NULL: none). */
void mdev_state_of(const struct mdev_info *i, struct mdev_state *out);

/*
 * Add the steps that take the mdev m from state have to the wanted one, in
 * the order define, start, autostart, stop, undefine. Nothing when the
 * state holds. The caller has checked that the change is allowed.
 */
int lifecycle_plan(const struct lifecycle *lc, struct plan *p,
		   const struct mdev_spec *m, const struct mdev_state *have,
		   enum want active, enum want defined, enum want autostart,
		   struct vm_error *err);

/*
 * The checks before creating m (DESIGN.md "Checks"), each refusal
 * VM_EXIT_REFUSED naming the object, the rule and the command that fixes
 * it. mdevs is every mdev of the host (active and defined); the one with
 * m's uuid is not a conflict.
 */
int lifecycle_check_ccw(const struct css_subchannel *sch,
			const struct mdev_spec *m,
			const struct mdev_info *mdevs, size_t n,
			struct vm_error *err);
int lifecycle_check_ap(const struct ap_host *h, const struct mdev_spec *m,
		       const struct mdev_info *mdevs, size_t n,
		       struct vm_error *err);

#endif
