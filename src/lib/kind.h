/*
 * Device kinds: everything that differs between vfio-ccw and vfio-ap (and,
 * later, generic PCI mdevs) behind one ops table, as s390-tools' zdev has
 * struct devtype/subtype. Code outside src/lib/kind-*.c asks the kind and
 * never tests which kind it has (tests/check-kinds.sh fails if it does).
 */
#ifndef VIRT_MDEV_KIND_H
#define VIRT_MDEV_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "error.h"
#include "ids.h"
#include "strv.h"
#include "sysfs.h"

struct column;
struct plan;
struct mdev_info;
struct mdev_list;
struct mdev_spec;

/* What a command names for a device, parsed by the command, checked by the kind. */
struct kind_args {
	const char *
		device; /* a positional DEVICE (busid or subchannel), or NULL */
	struct ap_mask apm, aqm,
		adm; /* --adapters, --domains, --control-domains */
	bool have_adapters, have_domains, have_control_domains;
	bool force; /* ccw bind --force: set an online device offline first */
	bool persistent; /* the preparation persists (driverctl's override) */
	bool exact; /* vfio-ap: the masks' choice may take no queue not asked for (--exact) */
};

/* The kind's view of its part of the host (a subchannel; the AP bus), opaque to the rest. */
struct kind_host;

/* Report one problem of validate: the mdev's uuid and the message. */
typedef void (*kind_problem_fn)(void *opaque, const char *uuid,
				const char *msg);
/*
 * Report one finding of validate about the kind's part of the host (object:
 * "subchannel 0.0.0313", "APQNs 05.0004,05.00ab"): a problem, or with note a
 * finding that does not make validate fail.
 */
typedef void (*kind_finding_fn)(void *opaque, const char *object, bool note,
				const char *msg);
/*
 * Report one difference of validate --boot between the kind's part of the
 * host now and after a boot (object as for kind_finding_fn; now, after:
 * what it is in each, "vfio_ccw", "0xfb..."), a note.
 */
typedef void (*kind_boot_fn)(void *opaque, const char *object, const char *now,
			     const char *after, const char *msg);

struct mdev_kind {
	/* the CLI word: "ccw" (create ccw, assign DOMAIN ccw) */
	const char *name;
	/* libvirt's hostdev model and QEMU's device: "vfio-ccw" */
	const char *model;
	/* the one mdev type: "vfio_ccw-io" */
	const char *mdev_type;
	/* where its mdevs live, for messages: "an I/O subchannel" */
	const char *parents;
	/* what libvirt's node-device driver needs of the host */
	const char *prepared_hint;
	/* what --persistent cannot keep across a reboot, or NULL */
	const char *persist_note;
	/* the guest device has a ccw address (--devno) and can boot */
	bool guest_ccw_address;
	/* a guest takes one device of this kind */
	bool one_per_domain;
	bool needs_ap_lock; /* changes under the s390-tools lock */
	/*
	 * one host part (host_read) serves every mdev of the kind (the AP
	 * bus), and plan_prepare leaves it as its steps leave the host: a
	 * request for many devices reads it once and passes it to each
	 */
	bool host_shared;
	/*
	 * What names a device (a DEVICE argument, a state file's device and
	 * adapters/domains keys, virt-mdev-state(5)): device_parse gives a
	 * DEVICE's canonical spelling in buf (vfio-ccw: the busid or
	 * subchannel as the kernel spells it), NULL for a kind that takes
	 * none; takes_ap_ids: adapters and domains name it (control domains
	 * optional).
	 */
	int (*device_parse)(const char *device, char *buf, size_t size,
			    struct vm_error *err);
	bool takes_ap_ids;
	/*
	 * The DEVICE an admin names for an mdev's parent (export; vfio-ccw:
	 * the busid its subchannel's dev_busid gives, else the subchannel);
	 * false for a kind that takes none.
	 */
	bool (*device_name)(const struct sysfs *s, const char *parent,
			    char *buf, size_t size);

	/* Is a parent's sysfs name ("0.0.0313", "matrix") one of this kind's? */
	bool (*owns_parent)(const char *parent);
	/* Where an mdev sits, for messages: "subchannel 0.0.0313", "the vfio_ap matrix". */
	void (*where)(const struct mdev_spec *m, char *buf, size_t size);
	/* libvirt's node-device name of the parent: "css_0_0_0313", "ap_matrix". */
	void (*nodedev_parent)(const struct mdev_spec *m, char *buf,
			       size_t size);
	/* The type's create file, inside /sys, as the kernel's documentation spells it. */
	void (*create_path)(const struct mdev_spec *m, char *buf, size_t size);
	/* The device's directory inside /sys, as QEMU's sysfsdev= takes it. */
	void (*device_path)(const struct mdev_spec *m, char *buf, size_t size);

	/* ---- the configuration beyond parent and type ---- */
	/* An active mdev's configuration, read from sysfs (dfd: bus/mdev/devices). */
	void (*read_active)(const struct sysfs *s, struct mdev_info *i);
	/*
	 * One attribute of a definition, applied to i's configuration as the
	 * kernel would take the write (the definition's attributes in order:
	 * an unassign after an assign takes it back): 1 when applied, 0 when
	 * the kind does not model it, -1 when the kernel would refuse it.
	 */
	int (*read_attr)(struct mdev_info *i, const char *key,
			 const char *value);
	/* The configuration as ordered (name, value) attributes, as mdevctl and libvirt keep it. */
	int (*attrs)(const struct mdev_spec *m, struct strv *names,
		     struct strv *values);
	bool (*same_config)(const struct mdev_spec *a,
			    const struct mdev_spec *b);
	/* Append "; what here, what asked" for each difference. */
	void (*config_diff)(const struct mdev_spec *have,
			    const struct mdev_spec *want, char *buf,
			    size_t size);
	/* The steps that configure a created mdev through sysfs (after create). */
	int (*plan_configure)(const struct sysfs *s, struct plan *p,
			      const struct mdev_spec *m, struct vm_error *err);

	/* ---- the device an admin names ---- */
	/*
	 * Fill m's parent, type and configuration from what a command named
	 * (verb: "create", "assign DOMAIN"); usage errors name the fix; the
	 * host is read only to find the device.
	 */
	int (*target)(const struct sysfs *s, const char *verb,
		      const struct kind_args *a, struct mdev_spec *m,
		      struct vm_error *err);
	/*
	 * Between read_once(s, true) and read_once(s, false), the kind's part
	 * of the host is read from sysfs once and then remembered (apply's
	 * planning: several passes look at each subchannel, all under the
	 * lock). NULL: the kind reads it once anyway.
	 */
	void (*read_once)(const struct sysfs *s, bool on);
	/* Read the kind's part of the host for m (the subchannel; the AP bus). */
	int (*host_read)(const struct sysfs *s, const struct mdev_spec *m,
			 struct kind_host **out, struct vm_error *err);
	void (*host_free)(struct kind_host *h);
	/*
	 * The steps that give the device to vfio (bind to vfio_ccw; free the
	 * APQNs), and h as they leave it. No step for what holds already.
	 */
	int (*plan_prepare)(const struct sysfs *s, struct kind_host *h,
			    const struct mdev_spec *m,
			    const struct kind_args *a, struct plan *p,
			    struct vm_error *err);
	/*
	 * The reverse, once the mdev m is gone (m->uuid "" when there was
	 * none): the subchannel back to io_subchannel, the APQNs back to the
	 * host, read afresh. *note: what stays and why (caller frees), when
	 * the kind leaves something on purpose.
	 */
	int (*plan_release)(const struct sysfs *s, const struct mdev_spec *m,
			    struct plan *p, char **note, struct vm_error *err);
	/*
	 * What a DEVICE argument names (unassign DOMAIN DEVICE): m gets its
	 * parent and type, *out the mdev on it or NULL. -ENOENT (no error
	 * set) when the kind takes no DEVICE.
	 */
	int (*device_mdev)(const struct sysfs *s, const char *device,
			   const struct mdev_list *l, struct mdev_spec *m,
			   const struct mdev_info **out, struct vm_error *err);
	/*
	 * The checks before creating m (DESIGN.md "Checks"), against h and
	 * every other mdev of the host; VM_EXIT_REFUSED naming the fix.
	 */
	int (*check_create)(const struct kind_host *h,
			    const struct mdev_spec *m,
			    const struct mdev_list *mdevs,
			    struct vm_error *err);
	/*
	 * The checks a definition that starts at boot must pass against the
	 * host as it will be after a boot (vfio-ap: chzdev's persistent masks,
	 * as ap-check checks a define of an autostart device).
	 */
	int (*check_boot)(const struct kind_host *h, const struct mdev_spec *m,
			  struct vm_error *err);
	/*
	 * validate --boot: can m (a definition mdevctl starts at boot) start
	 * after a boot, by the host's persistent configuration alone (vfio-ccw:
	 * driverctl's override binds its subchannel to vfio_ccw; vfio-ap:
	 * chzdev's boot masks, or the kernel's default ones, leave its APQNs
	 * to vfio_ap)? 0, or VM_EXIT_REFUSED: err says why and the command
	 * that fixes it, "what is wrong (fix)", for a message about m.
	 */
	int (*boot_ready)(const struct sysfs *s, const struct mdev_spec *m,
			  struct vm_error *err);
	/*
	 * validate --boot: each difference of the kind's part of the host
	 * after a boot from now (vfio-ccw: a subchannel's binding, driverctl's
	 * override or not; vfio-ap: the masks and the queues they move),
	 * through fn.
	 */
	void (*boot_host)(const struct sysfs *s, kind_boot_fn fn, void *opaque);
	/* Every problem of an existing mdev, reported through fn. */
	/*
	 * *shared: what the kind read of the host for an earlier mdev of this
	 * validate (NULL at first; the caller frees it with host_free), so that
	 * a host part common to its mdevs is read once.
	 */
	void (*validate)(const struct sysfs *s, const struct mdev_info *i,
			 const struct mdev_list *all, struct kind_host **shared,
			 kind_problem_fn fn, void *opaque);
	/*
	 * The half-made states of the kind's part of the host that no mdev
	 * shows (a subchannel bound to no driver, APQNs freed for no mdev), as
	 * an interrupted assign or unassign leaves them, each with the command
	 * that fixes it; *shared as for validate.
	 */
	void (*validate_host)(const struct sysfs *s,
			      const struct mdev_list *all,
			      struct kind_host **shared, kind_finding_fn fn,
			      void *opaque);
	/*
	 * Is the active configuration have a part of want's, as an interrupted
	 * configuration leaves it (vfio-ap: some of the assign_* writes, or
	 * none, done)? Never for an equal one, nor for a kind with nothing to
	 * configure.
	 */
	bool (*config_part)(const struct mdev_spec *have,
			    const struct mdev_spec *want);
	/* The configure steps that take an active mdev from have (config_part) to want. */
	int (*plan_complete)(const struct sysfs *s, struct plan *p,
			     const struct mdev_spec *have,
			     const struct mdev_spec *want,
			     struct vm_error *err);
	/*
	 * The configure steps that take an active mdev of this kind from
	 * have's configuration to want's, in either direction (apply: an
	 * APQN dropped, a control domain added); none for a kind with
	 * nothing to configure.
	 */
	int (*plan_reconfigure)(const struct sysfs *s, struct plan *p,
				const struct mdev_spec *have,
				const struct mdev_spec *want,
				struct vm_error *err);
	/* ---- many devices at once (apply), for a host_shared kind; NULL for one prepared device by device ---- */
	/* ap-reserve: the state file reserves host parts of this kind without an mdev */
	bool reservable;
	/*
	 * The preparation of n devices (and reservations) in one choice
	 * (vfio-ap: the fewest host queues freed for the union of their
	 * APQNs; persistent[i]: m[i]'s in chzdev's boot masks too), h as the
	 * steps leave it; the names of what it frees ("05.0004") appended to
	 * freed. exact: refused (VM_EXIT_REFUSED) when more would leave the
	 * host than the devices need (vfio-ap: queues not asked for).
	 */
	int (*plan_prepare_all)(const struct sysfs *s, struct kind_host *h,
				const struct mdev_spec *m,
				const bool *persistent, size_t n, bool exact,
				struct plan *p, struct strv *freed,
				struct vm_error *err);
	/*
	 * Give back what an earlier run freed (freed_before: its names) and
	 * none of keep[0..n) needs (the file's devices and reservations,
	 * the mdevs that stay), at boot too where it was freed there; *freed:
	 * in, what this run froze; out, everything still freed (names) for
	 * the record. *note: what stays free and why (caller frees).
	 */
	int (*plan_give_back)(const struct sysfs *s, struct kind_host *h,
			      const struct strv *freed_before,
			      const struct mdev_spec *keep, size_t n,
			      struct plan *p, struct strv *freed, char **note,
			      struct vm_error *err);
	/* The guest devno that mirrors the host's (0.0.2b09 -> fe.0.2b09); false if none. */
	bool (*host_devno)(const struct sysfs *s, const char *parent,
			   struct guest_devno *out);

	/* ---- output ---- */
	/* Members of the JSON result of a change to m (adapters, domains...). */
	void (*result_json)(struct json_object *o, const struct mdev_spec *m,
			    const struct kind_host *h);
	/*
	 * The kind's columns of the mdev listing (list mdev, show UUID), rows
	 * struct mdev_info: the listing has every kind's, and a getter leaves
	 * the cell absent for an mdev of another kind (columns.h).
	 */
	const struct column *list_columns;
	size_t nlist_columns;
};

/* Every kind, NULL-terminated, in the order help and completion list them. */
extern const struct mdev_kind *const mdev_kinds[];

/* The kind by its CLI word ("ccw"), its model ("vfio-ccw"), or an mdev's parent; NULL if none. */
const struct mdev_kind *mdev_kind_by_name(const char *name);
const struct mdev_kind *mdev_kind_by_model(const char *model);
const struct mdev_kind *mdev_kind_by_parent(const char *parent);

/* "ccw or ap", "vfio-ccw or vfio-ap": the accepted words, for messages. */
const char *mdev_kind_names(void);
const char *mdev_kind_models(void);
/* The models whose guest devices have a ccw address: "vfio-ccw". */
const char *mdev_kind_ccw_models(void);

/* The host part of a kind, freed with its kind's host_free. */
struct kind_host_ref {
	const struct mdev_kind *kind;
	struct kind_host *host;
};

static inline void kind_host_refp(struct kind_host_ref *r)
{
	if (r->kind && r->host)
		r->kind->host_free(r->host);
}

#define _cleanup_kind_host_ _cleanup_(kind_host_refp)

#endif
