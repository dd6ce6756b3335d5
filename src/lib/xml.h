/* XML the tool emits, built with libxml2 from the templates in xml-templates/. */
#ifndef VIRT_MDEV_XML_H
#define VIRT_MDEV_XML_H

#include <stdbool.h>

#include "error.h"
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

#endif
