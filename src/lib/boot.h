/*
 * validate --boot and plan --boot: the host as it will be after a reboot,
 * from its persistent configuration alone (virt-mdev(8), PERSISTENCE):
 * driverctl's overrides, mdevctl's definitions with start auto (libvirt's
 * persistent node devices are the same files), chzdev's boot masks, the
 * domains' persistent XML and autostart; every difference from now and
 * every problem, each with the command that fixes it.
 */
#ifndef VIRT_MDEV_BOOT_H
#define VIRT_MDEV_BOOT_H

#include "error.h"
#include "mdev.h"
#include "state.h"
#include "strv.h"
#include "users.h"
#include "validate.h"

/* The guests' side of a boot: every domain's references, and which start with libvirtd. */
struct boot_guests {
	struct users users;
	struct strv autostart; /* the autostart domains' names */
};

/* Read it through one read-only connection to uri; unreachable is users.reachable false, not an error. */
void boot_guests_scan(const char *uri, struct boot_guests *g);
void boot_guests_clear(struct boot_guests *g);
#define _cleanup_boot_guests_ _cleanup_(boot_guests_clear)

/*
 * validate --boot: each mdev of l as mdevctl will leave it at boot (an
 * autostart definition started if its kind's boot_ready holds), each
 * kind's part of the host (boot_host), and with g reachable each
 * persistent hostdev and autostart domain; differences are notes with now
 * and after_boot, what will fail is a problem. out->checked: the mdevs.
 */
void boot_validate(const struct sysfs *s, const struct mdev_list *l,
		   const struct boot_guests *g, struct problems *out);

/*
 * plan --boot FILE: for each persistent device and reservation of st,
 * whether the persistent configuration keeps it across a reboot (an
 * autostart mdev of it, its kind's boot_ready, the guest's persistent
 * hostdev); each gap a problem as boot_validate reports it, with the
 * file's place. -errno (err set) when a device cannot be resolved.
 */
int boot_check_state(const struct sysfs *s, const struct mdev_list *l,
		     const struct boot_guests *g, const struct state *st,
		     struct problems *out, struct vm_error *err);

#endif
