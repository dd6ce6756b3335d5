/* Mediated devices as the host knows them: active ones from sysfs, defined ones from mdevctl's configuration; and the mdev types of every parent. */
#ifndef VIRT_MDEV_MDEV_H
#define VIRT_MDEV_MDEV_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "strv.h"
#include "sysfs.h"

struct mdev_info {
	char uuid[IDS_UUID_STRLEN];
	char parent[64]; /* "0.0.0313", "matrix" */
	char type[64]; /* "vfio_ccw-io" */
	bool active; /* exists in sysfs */
	bool defined; /* has an mdevctl definition */
	bool autostart; /* the definition says start: auto */
	bool is_ap;
	struct ap_mask apm, aqm,
		adm; /* vfio-ap: from the matrix (active) or the definition's attrs */
	struct strv domains; /* libvirt domains whose XML references it */
};

struct mdev_type_info {
	char parent[64];
	char type[64];
	char name[128];
	char device_api[32];
	unsigned long available;
};

/* Every mdev, active and defined, sorted by parent then uuid. */
int mdev_list(const struct sysfs *s, struct mdev_info **out, size_t *n,
	      struct vm_error *err);
void mdev_list_free(struct mdev_info *list, size_t n);
/* The entry of uuid (canonical, lower case) in a list, or NULL. */
const struct mdev_info *mdev_find(const struct mdev_info *list, size_t n,
				  const char *uuid);

/* ---- one mdev's configuration: what create/start make ---- */

#define MDEV_TYPE_CCW "vfio_ccw-io"
#define MDEV_TYPE_AP "vfio_ap-passthrough"
#define MDEV_PARENT_AP "matrix"

struct mdev_spec {
	char uuid[IDS_UUID_STRLEN];
	char parent[64]; /* the parent's sysfs name: "0.0.0313", "matrix" */
	char type[64]; /* MDEV_TYPE_CCW, MDEV_TYPE_AP */
	bool is_ap;
	struct ap_mask apm, aqm,
		adm; /* vfio-ap: adapters, domains, control domains */
};

/* The spec of an existing mdev (its matrix from sysfs, or from its definition). */
void mdev_spec_from_info(const struct mdev_info *i, struct mdev_spec *out);

/*
 * What differs between two configurations, for a message: "parent 0.0.0313
 * vs 0.0.0314; domains 4 vs 4,0xab". "" when they are the same.
 */
void mdev_spec_diff(const struct mdev_spec *have, const struct mdev_spec *want,
		    char *buf, size_t size);

/*
 * The vfio-ap configuration as ordered attributes: assign_adapter, then
 * assign_domain, then assign_control_domain, values 0x-hex (the kernel
 * reads a leading 0 as octal and a bare "ab" as an error). Appends to
 * names/values; nothing for vfio-ccw.
 */
int mdev_spec_attrs(const struct mdev_spec *m, struct strv *names,
		    struct strv *values);

/* The sysfs path (inside /sys) of the type's create file, in the spelling of the kernel's documentation. */
void mdev_create_path(const struct mdev_spec *m, char *buf, size_t size);

/* The ap_config value: "0x<apm>,0x<aqm>,0x<adm>" (kernel-sysfs.md 3.9). */
void mdev_ap_config_value(const struct mdev_spec *m, char *buf, size_t size);

/* Whether this kernel's vfio_ap mdevs have ap_config (6.10): the matrix's features, or an existing mdev. */
bool mdev_kernel_has_ap_config(const struct sysfs *s);

/* mdevctl's definition (/etc/mdevctl.d/PARENT/UUID): JSON as mdevctl writes it. Caller frees. */
char *mdev_definition_json(const struct mdev_spec *m, bool autostart);
/* The existing definition with only "start" changed (attributes kept as written); a new one when there is none. Caller frees. */
char *mdev_definition_with_start(const struct sysfs *s,
				 const struct mdev_spec *m, bool autostart);
/* Its path inside the mdevctl area: "PARENT/UUID". */
void mdev_definition_path(const struct mdev_spec *m, char *buf, size_t size);

/* libvirt's node-device names: the parent ("css_0_0_0313", "ap_matrix"), the mdev in both schemes. */
void mdev_nodedev_parent(const struct mdev_spec *m, char *buf, size_t size);
void mdev_nodedev_names(const struct mdev_spec *m, char *with_parent,
			char *without_parent, size_t size);

/*
 * The existing mdev that m means: the one with m->uuid when uuid_given, else
 * the one on m's parent with m's type (vfio-ccw: one per subchannel) or with
 * exactly m's adapters, domains and control domains (vfio-ap), so that the
 * same command twice changes nothing. Found: *out points at it and m gets
 * its uuid; another configuration is refused (VM_EXIT_REFUSED, showing the
 * difference, "cannot VERB mdev ..."). None found: *out is NULL, and
 * without a uuid given m gets a new one.
 */
int mdev_resolve(struct mdev_spec *m, bool uuid_given, const char *verb,
		 const struct mdev_info *list, size_t n,
		 const struct mdev_info **out, struct vm_error *err);

/* Every parent's types, sorted by parent. */
int mdev_types_list(const struct sysfs *s, struct mdev_type_info **out,
		    size_t *n, struct vm_error *err);

#endif
