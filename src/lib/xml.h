/* XML the tool emits, built with libxml2 from the templates in xml-templates/. */
#ifndef VIRT_MDEV_XML_H
#define VIRT_MDEV_XML_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "mdev.h"

/* Environment variable naming a directory of templates to use instead of the installed ones. */
#define XML_TEMPLATE_DIR_ENV "VIRT_MDEV_TEMPLATE_DIR"

/*
 * The directory templates come from: dir when not NULL, else
 * $VIRT_MDEV_TEMPLATE_DIR, else the installed templates, else the source
 * tree's (a build that is run uninstalled).
 */
const char *xml_template_dir(const char *dir);

/*
 * The node-device XML of an mdev (template nodedev-mdev.xml). with_name adds
 * a <name> first, which libvirt's schema wants and its parser does not
 * (for validation only). Caller frees *out.
 */
int xml_nodedev_mdev(const struct mdev_spec *m, const char *template_dir,
		     bool with_name, char **out, struct vm_error *err);

/* ---- domain devices ---- */

struct hostdev_opts {
	const char *uuid;
	const struct mdev_kind *kind; /* its model and template */
	bool has_devno; /* the guest's ccw address (kinds with guest_ccw_address) */
	struct guest_devno devno;
	unsigned boot_order; /* 0: none */
	const char *alias; /* NULL: none; libvirt wants "ua-" first */
};

/* The <hostdev> of an mdev (templates hostdev-vfio-ccw.xml, hostdev-vfio-ap.xml). Caller frees *out. */
int xml_hostdev(const struct hostdev_opts *o, const char *template_dir,
		char **out, struct vm_error *err);

/* What a domain's XML holds that attach must know. */
struct domain_hostdev {
	char uuid[IDS_UUID_STRLEN];
	const struct mdev_kind *kind; /* by its model; NULL: another model */
	bool has_devno;
	struct guest_devno devno;
	unsigned boot_order; /* <boot order=N/>, 0: none */
	char *alias; /* a user alias (ua-...), or NULL */
	char *xml; /* the element as the domain has it (detach hands it back) */
};

struct domain_scan {
	struct guest_devno *ccw; /* every ccw address of every device */
	size_t nccw;
	struct domain_hostdev *hostdevs; /* the mdev hostdevs */
	size_t nhostdevs;
};

int xml_domain_scan(const char *domain_xml, struct domain_scan *out,
		    struct vm_error *err);
void domain_scan_clear(struct domain_scan *d);
#define _cleanup_domain_scan_ _cleanup_(domain_scan_clear)
bool domain_scan_devno_used(const struct domain_scan *d,
			    const struct guest_devno *devno);

/* The domain XML with hostdev added to <devices> (the define fallback). Caller frees *out. */
int xml_domain_add_device(const char *domain_xml, const char *device_xml,
			  char **out, struct vm_error *err);
/* The domain XML without the mdev hostdev of uuid; -ENOENT when it has none. */
int xml_domain_remove_hostdev(const char *domain_xml, const char *uuid,
			      char **out, struct vm_error *err);

#endif
