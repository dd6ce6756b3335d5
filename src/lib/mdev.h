/* Mediated devices as the host knows them: active ones from sysfs, defined ones from mdevctl's configuration; and the mdev types of every parent. */
#ifndef VIRT_MDEV_MDEV_H
#define VIRT_MDEV_MDEV_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "kind.h"
#include "strv.h"
#include "sysfs.h"

struct mdev_info {
	char uuid[IDS_UUID_STRLEN];
	char parent[64]; /* "0.0.0313", "matrix" */
	char type[64]; /* "vfio_ccw-io" */
	bool active; /* exists in sysfs */
	bool defined; /* has an mdevctl definition */
	bool autostart; /* the definition says start: auto */
	const struct mdev_kind
		*kind; /* by its parent; NULL: not one virt-mdev models */
	/* the kind's configuration (kind-ap.c: the matrix, from sysfs or the definition's attrs) */
	struct ap_mask apm, aqm, adm;
	struct strv domains; /* libvirt domains whose XML references it */
};

/* Every mdev of the host, active and defined, sorted by parent then uuid. */
struct mdev_list {
	struct mdev_info *v;
	size_t n;
};

struct mdev_type_info {
	char parent[64];
	char type[64];
	char name[128];
	char device_api[32];
	unsigned long available;
};

/* Read every mdev: active ones from sysfs, defined ones from mdevctl's files. */
int mdev_list_read(const struct sysfs *s, struct mdev_list *out,
		   struct vm_error *err);
void mdev_list_clear(struct mdev_list *l);
#define _cleanup_mdev_list_ _cleanup_(mdev_list_clear)
/* The entry of uuid (canonical, lower case) in a list, or NULL. */
const struct mdev_info *mdev_find(const struct mdev_list *l, const char *uuid);

/* ---- one mdev's configuration: what create/start make ---- */

struct mdev_spec {
	char uuid[IDS_UUID_STRLEN];
	char parent[64]; /* the parent's sysfs name: "0.0.0313", "matrix" */
	char type[64]; /* the kind's mdev_type */
	const struct mdev_kind *kind;
	struct ap_mask apm, aqm, adm; /* the kind's configuration (kind-ap.c) */
};

/* The spec of an existing mdev (its matrix from sysfs, or from its definition). */
void mdev_spec_from_info(const struct mdev_info *i, struct mdev_spec *out);

/*
 * What differs between two configurations, for a message: "parent 0.0.0313
 * vs 0.0.0314; domains 4 vs 4,0xab". "" when they are the same.
 */
void mdev_spec_diff(const struct mdev_spec *have, const struct mdev_spec *want,
		    char *buf, size_t size);

/* The configuration as its kind's ordered attributes (nothing without a kind); appends. */
int mdev_spec_attrs(const struct mdev_spec *m, struct strv *names,
		    struct strv *values);

/* mdevctl's definition (/etc/mdevctl.d/PARENT/UUID): JSON as mdevctl writes it. Caller frees. */
char *mdev_definition_json(const struct mdev_spec *m, bool autostart);
/* The existing definition with only "start" changed (attributes kept as written); a new one when there is none. Caller frees. */
char *mdev_definition_with_start(const struct sysfs *s,
				 const struct mdev_spec *m, bool autostart);
/* Its path inside the mdevctl area: "PARENT/UUID". */
void mdev_definition_path(const struct mdev_spec *m, char *buf, size_t size);

/* libvirt's udevGenerateDeviceName: every character that is not alphanumeric becomes '_'. */
void mdev_nodedev_underscored(char *s);
/* libvirt's node-device names of the mdev in both schemes. */
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
		 const struct mdev_list *list, const struct mdev_info **out,
		 struct vm_error *err);

/* Every parent's types, sorted by parent. Caller frees *out. */
int mdev_types_list(const struct sysfs *s, struct mdev_type_info **out,
		    size_t *n, struct vm_error *err);

#endif
