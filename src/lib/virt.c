/* libvirt: backend names, connection, error capture. */
#include "config.h"

#include <string.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "virt.h"

static const char *const backend_names[BACKEND__LAST] = {
	[BACKEND_AUTO] = "auto",
	[BACKEND_LIBVIRT] = "libvirt",
	[BACKEND_SYSFS] = "sysfs",
};

const char *backend_to_string(enum backend b)
{
	if ((unsigned)b >= BACKEND__LAST)
		return NULL;
	return backend_names[b];
}

int backend_from_string(const char *str, enum backend *out,
			struct vm_error *err)
{
	for (unsigned i = 0; i < BACKEND__LAST; i++) {
		if (strcmp(str, backend_names[i]) == 0) {
			*out = (enum backend)i;
			return 0;
		}
	}
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"invalid backend '%s': must be auto, libvirt or sysfs", str);
}

/* libvirt calls this for every error; the error object carries it instead. */
static void virt_quiet_error(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

void virt_init(void)
{
	virSetErrorFunc(NULL, virt_quiet_error);
}

const char *virt_last_error(void)
{
	const char *msg = virGetLastErrorMessage();

	return msg && *msg ? msg : "unknown libvirt error";
}

static int open_conn(const char *uri, bool readonly, virConnectPtr *out,
		     struct vm_error *err)
{
	virConnectPtr conn;

	virt_init();
	conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
	if (!conn)
		return vm_error_set(
			err, VM_EXIT_FAILED, ECONNREFUSED,
			"cannot connect to libvirt at '%s': %s (check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs)",
			uri ? uri :
			      (getenv("LIBVIRT_DEFAULT_URI") ?
				       getenv("LIBVIRT_DEFAULT_URI") :
				       "the default URI"),
			virt_last_error());
	*out = conn;
	return 0;
}

int virt_open(const char *uri, virConnectPtr *out, struct vm_error *err)
{
	return open_conn(uri, false, out, err);
}

int virt_open_readonly(const char *uri, virConnectPtr *out,
		       struct vm_error *err)
{
	return open_conn(uri, true, out, err);
}

static void scan_xml(const char *xml, const char *domain,
		     void (*fn)(const char *uuid, const char *domain,
				void *opaque),
		     void *opaque)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_xpathctx_ xmlXPathContextPtr ctx = NULL;
	_cleanup_xpathobj_ xmlXPathObjectPtr obj = NULL;

	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (!doc)
		return;
	ctx = xmlXPathNewContext(doc);
	if (!ctx)
		return;
	obj = xmlXPathEvalExpression(
		(const xmlChar
			 *)"/domain/devices/hostdev[@type='mdev']/source/address/@uuid",
		ctx);
	if (!obj || !obj->nodesetval)
		return;
	for (int i = 0; i < obj->nodesetval->nodeNr; i++) {
		_cleanup_xmlchar_ xmlChar *v =
			xmlNodeGetContent(obj->nodesetval->nodeTab[i]);

		if (v)
			fn((const char *)v, domain, opaque);
	}
}

int virt_domain_mdevs(virConnectPtr conn,
		      void (*fn)(const char *uuid, const char *domain,
				 void *opaque),
		      void *opaque, struct vm_error *err)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, 0);

	if (n < 0)
		return vm_error_set(err, VM_EXIT_FAILED, EIO,
				    "cannot list libvirt's domains: %s",
				    virt_last_error());
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);
		char *xml;

		xml = virDomainGetXMLDesc(doms[i], 0);
		if (xml) {
			scan_xml(xml, name, fn, opaque);
			free(xml);
		}
		if (virDomainIsActive(doms[i]) == 1) {
			xml = virDomainGetXMLDesc(doms[i],
						  VIR_DOMAIN_XML_INACTIVE);
			if (xml) {
				scan_xml(xml, name, fn, opaque);
				free(xml);
			}
		}
	}
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	return 0;
}
