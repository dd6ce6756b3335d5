/* Cleanup helpers for the libraries' own types: libvirt, libxml2, json-c. */
#ifndef VIRT_MDEV_CLEANUP_H
#define VIRT_MDEV_CLEANUP_H

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "macro.h"
#include "virt.h"

DEFINE_CLEANUP(virConnectPtr, virt_conn_close);
DEFINE_CLEANUP(virDomainPtr, virt_domain_free);
DEFINE_CLEANUP(virNodeDevicePtr, virt_nodedev_free);
DEFINE_CLEANUP(xmlDocPtr, xmlFreeDoc);
DEFINE_CLEANUP(xmlXPathContextPtr, xmlXPathFreeContext);
DEFINE_CLEANUP(xmlXPathObjectPtr, xmlXPathFreeObject);
DEFINE_CLEANUP(struct json_object *, json_object_put);

/* xmlFree is a function pointer variable, so it needs a wrapper of its own. */
static inline void xml_freep(xmlChar **p)
{
	if (*p)
		xmlFree(*p);
}

#define _cleanup_conn_ _cleanup_(virt_conn_closep)
#define _cleanup_domain_ _cleanup_(virt_domain_freep)
#define _cleanup_nodedev_ _cleanup_(virt_nodedev_freep)
#define _cleanup_xmldoc_ _cleanup_(xmlFreeDocp)
#define _cleanup_xpathctx_ _cleanup_(xmlXPathFreeContextp)
#define _cleanup_xpathobj_ _cleanup_(xmlXPathFreeObjectp)
#define _cleanup_xmlchar_ _cleanup_(xml_freep)
#define _cleanup_json_ _cleanup_(json_object_putp)

#endif
