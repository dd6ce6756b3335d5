/*
 * Backends: the two ways an mdev is defined, started, stopped and
 * undefined, behind one ops interface (backend-libvirt.c: libvirt's
 * node-device API; backend-sysfs.c: sysfs and mdevctl's definition files),
 * and the choice between them.
 */
#ifndef VIRT_MDEV_BACKEND_H
#define VIRT_MDEV_BACKEND_H

#include <stdbool.h>

#include "error.h"
#include "mdev.h"
#include "plan.h"
#include "virt.h"

struct backend;

struct backend_ops {
	const char *name; /* "libvirt", "sysfs" */
	/* the definition carries autostart, and its steps come before the start */
	bool autostart_in_definition;
	/* a define of a defined mdev replaces its definition (else it is undefined first) */
	bool define_replaces;
	/*
	 * its steps are calls that may run beside those of another mdev, on
	 * another thread (plan lanes: libvirt's connection and daemon take
	 * calls at once; libvirtd runs mdevctl for each in a worker thread)
	 */
	bool concurrent_calls;
	int (*define)(const struct backend *b, struct plan *p,
		      const struct mdev_spec *m, bool autostart,
		      struct vm_error *err);
	int (*set_autostart)(const struct backend *b, struct plan *p,
			     const struct mdev_spec *m, bool on,
			     struct vm_error *err);
	/* transient: there is no definition to start from */
	int (*start)(const struct backend *b, struct plan *p,
		     const struct mdev_spec *m, bool transient,
		     struct vm_error *err);
	/* defined: the undo can start it again from its definition */
	int (*stop)(const struct backend *b, struct plan *p,
		    const struct mdev_spec *m, bool defined,
		    struct vm_error *err);
	int (*undefine)(const struct backend *b, struct plan *p,
			const struct mdev_spec *m, struct vm_error *err);
};

extern const struct backend_ops backend_libvirt_ops;
extern const struct backend_ops backend_sysfs_ops;

struct backend {
	const struct backend_ops *ops;
	const struct sysfs *sysfs;
	virConnectPtr conn; /* the libvirt backend's connection */
	virConnectPtr
		own; /* a connection opened for it (closed by backend_close) */
	const char *uri; /* shown as "virsh -c URI"; NULL: the default */
	const char *template_dir; /* NULL: xml_template_dir's choice */
	unsigned wait_ms; /* how long to wait for libvirt to see a started mdev */
	/* how long libvirt's first node-device answer took (its enumeration after libvirtd started) */
	unsigned waited_ms;
	char note[512]; /* why this backend (for -v), "" if nothing to say */
};

/* What the choice starts from. */
struct backend_req {
	enum backend_choice choice; /* --backend */
	const struct sysfs *sysfs;
	const char *uri; /* -c; NULL: libvirt's default */
	virConnectPtr conn; /* the command's connection, or NULL */
	const char *template_dir;
	unsigned timeout_s;
};

/*
 * libvirt when asked, or (auto) when the connection's node-device driver
 * knows m's parent; else sysfs on a local host, and a clear failure for a
 * remote one (the sysfs backend can only reach this host).
 */
int backend_open(struct backend *b, const struct backend_req *r,
		 const struct mdev_spec *m, struct vm_error *err);
void backend_close(struct backend *b);
#define _cleanup_backend_ _cleanup_(backend_close)

/* The URI for messages: -c, else $LIBVIRT_DEFAULT_URI, else "the default URI". */
const char *backend_uri_name(const char *uri);

#endif
