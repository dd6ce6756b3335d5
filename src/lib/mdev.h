/* Mediated devices as the host knows them: active ones from sysfs, defined ones from mdevctl's configuration; and the mdev types of every parent. */
#ifndef VIRT_MDEV_MDEV_H
#define VIRT_MDEV_MDEV_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "kind.h"
#include "strv.h"
#include "sysfs.h"

/* ---- mdevctl's definitions (/etc/mdevctl.d/PARENT/UUID), read as mdevctl reads them ---- */

/* One attribute of a definition, as written: name and value point into the definition's JSON. */
struct mdev_attr {
	const char *name;
	const char *value;
};

/* A definition as written: every member kept, the attributes in their order. */
struct mdev_definition {
	struct json_object *json; /* the whole document (owned) */
	const char *mdev_type;
	const char *
		start; /* as written; NULL when not a string (mdevctl: manual) */
	bool autostart; /* start is "auto" */
	struct mdev_attr *attrs;
	size_t nattrs;
};

/* What mdevctl's definitions are kept within: serde_json's nesting limit, and a size no definition needs. */
#define MDEV_DEFINITION_MAX_DEPTH 127
#define MDEV_DEFINITION_MAX_SIZE (1024 * 1024)

/*
 * Parse a definition as mdevctl 1.2 does (strict JSON, UTF-8, at most 127
 * levels; an object with "mdev_type" a string and "start" not null; "attrs"
 * absent, null or an array of objects of one member each, whose value is a
 * string), and no \u0000 or lone surrogate, which mdevctl refuses or virt-mdev
 * cannot keep as written. 0, or -EINVAL with the fault in fault[size]
 * ("\"start\" is null").
 */
int mdev_definition_parse(const char *text, size_t len,
			  struct mdev_definition *out, char *fault,
			  size_t size);
/*
 * Read the definition named name in the directory dfd: a regular file only
 * (opened with O_NOFOLLOW and O_NONBLOCK: a link, a FIFO or a device is a
 * fault, never followed nor waited for), at most MDEV_DEFINITION_MAX_SIZE.
 * 0, or -errno with the fault in fault[size].
 */
int mdev_definition_read_at(int dfd, const char *name,
			    struct mdev_definition *out, char *fault,
			    size_t size);
void mdev_definition_clear(struct mdev_definition *d);
/* The definition as written, in mdevctl's layout (serde_json's pretty form), and a newline. Caller frees. */
char *mdev_definition_text(const struct mdev_definition *d);

/* A file in mdevctl's directory that is no definition mdevctl would read. */
struct mdev_fault {
	char uuid[IDS_UUID_STRLEN]; /* the uuid its name spells, "" if none */
	char parent[64];
	char *file; /* its path */
	char *what; /* the fault: "\"attrs\" is a string, not an array" */
	bool in_sysfs; /* an entry of bus/mdev/devices that is no mdev, not a file of mdevctl's */
};

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
	/* its definition as written (owned by the list), or NULL */
	struct mdev_definition *def;
	struct strv domains; /* libvirt domains whose XML references it */
};

/*
 * Every mdev of the host, active and defined, sorted by parent then uuid
 * (a uuid defined under several parents is an entry for each); and every
 * file of mdevctl's that is no definition it would read, sorted by path.
 */
struct mdev_list {
	struct mdev_info *v;
	size_t n;
	struct mdev_fault *faults;
	size_t nfaults;
};

struct mdev_type_info {
	char parent[64];
	char type[64];
	char name[128];
	char device_api[32];
	unsigned long available;
	/* why available is not known: "cannot read PATH: ERROR", "PATH reads 'VALUE', not a number"; "" when it is */
	char available_error[256];
};

/*
 * Read every mdev: active ones from sysfs, defined ones from mdevctl's
 * files. A malformed definition is a fault of the list, not an error: the
 * others are read. So is an entry of bus/mdev/devices whose name is no
 * uuid as the kernel spells it, or that is no link to a device (in_sysfs):
 * the kernel names every mdev by its uuid, in lower case with hyphens.
 */
int mdev_list_read(const struct sysfs *s, struct mdev_list *out,
		   struct vm_error *err);
void mdev_list_clear(struct mdev_list *l);
/*
 * mdev_list_memo(s, true): until mdev_list_memo(s, false), mdev_list_read
 * of s reads the host once and gives each later caller a copy of that
 * reading (apply's planning, under the lock: the AP kind's host and the
 * engine read the same list).
 */
void mdev_list_memo(const struct sysfs *s, bool on);
#define _cleanup_mdev_list_ _cleanup_(mdev_list_clear)
/* The (first) entry of uuid (canonical, lower case) in a list, or NULL. */
const struct mdev_info *mdev_find(const struct mdev_list *l, const char *uuid);
/* The first fault of a file named by uuid (on parent, when not NULL), or NULL. */
const struct mdev_fault *mdev_fault_of(const struct mdev_list *l,
				       const char *uuid, const char *parent);
/*
 * The mdev uuid, for a command that needs that very one (verb: "start"),
 * on parent when not NULL: 0 with *out the entry, or NULL when there is
 * none. Refused with VM_EXIT_USAGE, as mdevctl refuses it: a definition of
 * it that is malformed (naming the file and the fault), or a uuid on
 * several parents when parent is NULL (naming them: --parent chooses).
 */
int mdev_lookup(const struct mdev_list *l, const char *uuid, const char *parent,
		const char *verb, const struct mdev_info **out,
		struct vm_error *err);

/* ---- one mdev's configuration: what create/start make ---- */

struct mdev_spec {
	char uuid[IDS_UUID_STRLEN];
	char parent[64]; /* the parent's sysfs name: "0.0.0313", "matrix" */
	char type[64]; /* the kind's mdev_type */
	const struct mdev_kind *kind;
	struct ap_mask apm, aqm, adm; /* the kind's configuration (kind-ap.c) */
	/*
	 * the definition it was read from, whose attributes are kept as
	 * written (borrowed from the list: steps that run later must not
	 * read it), or NULL
	 */
	const struct mdev_definition *def;
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
 * The configuration as ordered attributes: a definition's as written, else
 * its kind's (nothing without a kind); appends.
 */
int mdev_spec_attrs(const struct mdev_spec *m, struct strv *names,
		    struct strv *values);

/* mdevctl's definition (/etc/mdevctl.d/PARENT/UUID): JSON as mdevctl writes it (a read definition's attributes as written). Caller frees. */
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
 * without a uuid given m gets a new one. A given uuid whose definition is
 * malformed is refused as mdev_lookup refuses it; one on several parents
 * means the one on m's parent.
 */
int mdev_resolve(struct mdev_spec *m, bool uuid_given, const char *verb,
		 const struct mdev_list *list, const struct mdev_info **out,
		 struct vm_error *err);

/*
 * Every parent's types, sorted by parent. Caller frees *out. A type whose
 * available_instances cannot be read, or is no number, is listed with
 * available_error saying so.
 */
int mdev_types_list(const struct sysfs *s, struct mdev_type_info **out,
		    size_t *n, struct vm_error *err);

#endif
