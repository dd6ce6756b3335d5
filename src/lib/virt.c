/*
 * libvirt: backend names, connection, error capture. libvirt is loaded with
 * dlopen when a connection is first opened: linking it costs every start
 * (57 shared libraries, about 30 ms), also for the commands that never talk
 * to libvirt, and the listings must not pay for it (make bench).
 */
#include "config.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "virt.h"

static const char *const backend_names[BACKEND__LAST] = {
	[BACKEND_AUTO] = "auto",
	[BACKEND_LIBVIRT] = "libvirt",
	[BACKEND_SYSFS] = "sysfs",
};

const char *backend_to_string(enum backend_choice b)
{
	if ((unsigned)b >= BACKEND__LAST)
		return NULL;
	return backend_names[b];
}

int backend_from_string(const char *str, enum backend_choice *out,
			struct vm_error *err)
{
	for (unsigned i = 0; i < BACKEND__LAST; i++) {
		if (strcmp(str, backend_names[i]) == 0) {
			*out = (enum backend_choice)i;
			return 0;
		}
	}
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"invalid backend '%s': must be auto, libvirt or sysfs", str);
}

/* The libvirt functions virt-mdev uses, from the loaded library. */
static struct {
	void *handle;
	__typeof__(virSetErrorFunc) *SetErrorFunc;
	__typeof__(virGetLastErrorMessage) *GetLastErrorMessage;
	__typeof__(virConnectOpen) *ConnectOpen;
	__typeof__(virConnectOpenReadOnly) *ConnectOpenReadOnly;
	__typeof__(virConnectClose) *ConnectClose;
	__typeof__(virConnectIsAlive) *ConnectIsAlive;
	__typeof__(virConnectListAllDomains) *ConnectListAllDomains;
	__typeof__(virDomainGetName) *DomainGetName;
	__typeof__(virDomainGetXMLDesc) *DomainGetXMLDesc;
	__typeof__(virDomainIsActive) *DomainIsActive;
	__typeof__(virDomainGetID) *DomainGetID;
	__typeof__(virDomainFree) *DomainFree;
	__typeof__(virNodeDeviceFree) *NodeDeviceFree;
	__typeof__(virGetLastError) *GetLastError;
	__typeof__(virNodeDeviceLookupByName) *NodeDeviceLookupByName;
	__typeof__(virNodeDeviceCreateXML) *NodeDeviceCreateXML;
	__typeof__(virNodeDeviceDefineXML) *NodeDeviceDefineXML;
	__typeof__(virNodeDeviceCreate) *NodeDeviceCreate;
	__typeof__(virNodeDeviceDestroy) *NodeDeviceDestroy;
	__typeof__(virNodeDeviceUndefine) *NodeDeviceUndefine;
	__typeof__(virNodeDeviceSetAutostart) *NodeDeviceSetAutostart;
	__typeof__(virNodeDeviceIsActive) *NodeDeviceIsActive;
	__typeof__(virNodeDeviceGetXMLDesc) *NodeDeviceGetXMLDesc;
	__typeof__(virDomainLookupByName) *DomainLookupByName;
	__typeof__(virDomainLookupByUUIDString) *DomainLookupByUUIDString;
	__typeof__(virDomainAttachDeviceFlags) *DomainAttachDeviceFlags;
	__typeof__(virDomainDetachDeviceFlags) *DomainDetachDeviceFlags;
	__typeof__(virDomainDefineXML) *DomainDefineXML;
	__typeof__(virDomainIsPersistent) *DomainIsPersistent;
} lv;

#define LIBVIRT_SONAME "libvirt.so.0"

static int virt_load(struct vm_error *err)
{
	void *h;

	if (lv.handle)
		return 0;
	h = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return vm_error_set(
			err, VM_EXIT_FAILED, ELIBACC,
			"cannot load libvirt (%s): %s (install libvirt0)",
			LIBVIRT_SONAME, dlerror());
#define LOAD(f)                                                             \
	do {                                                                \
		lv.f = (__typeof__(lv.f))dlsym(h, "vir" #f);                \
		if (!lv.f) {                                                \
			dlclose(h);                                         \
			return vm_error_set(                                \
				err, VM_EXIT_FAILED, ELIBBAD,               \
				"cannot use libvirt (%s): it has no vir%s", \
				LIBVIRT_SONAME, #f);                        \
		}                                                           \
	} while (0)
	LOAD(SetErrorFunc);
	LOAD(GetLastErrorMessage);
	LOAD(ConnectOpen);
	LOAD(ConnectOpenReadOnly);
	LOAD(ConnectClose);
	LOAD(ConnectIsAlive);
	LOAD(ConnectListAllDomains);
	LOAD(DomainGetName);
	LOAD(DomainGetXMLDesc);
	LOAD(DomainIsActive);
	LOAD(DomainGetID);
	LOAD(DomainFree);
	LOAD(NodeDeviceFree);
	LOAD(GetLastError);
	LOAD(NodeDeviceLookupByName);
	LOAD(NodeDeviceCreateXML);
	LOAD(NodeDeviceDefineXML);
	LOAD(NodeDeviceCreate);
	LOAD(NodeDeviceDestroy);
	LOAD(NodeDeviceUndefine);
	LOAD(NodeDeviceSetAutostart);
	LOAD(NodeDeviceIsActive);
	LOAD(NodeDeviceGetXMLDesc);
	LOAD(DomainLookupByName);
	LOAD(DomainLookupByUUIDString);
	LOAD(DomainAttachDeviceFlags);
	LOAD(DomainDetachDeviceFlags);
	LOAD(DomainDefineXML);
	LOAD(DomainIsPersistent);
#undef LOAD
	lv.handle = h;
	return 0;
}

void virt_conn_close(virConnectPtr conn)
{
	if (conn && lv.handle)
		lv.ConnectClose(conn);
}

void virt_domain_free(virDomainPtr dom)
{
	if (dom && lv.handle)
		lv.DomainFree(dom);
}

void virt_nodedev_free(virNodeDevicePtr dev)
{
	if (dev && lv.handle)
		lv.NodeDeviceFree(dev);
}

/*
 * A local URI whose daemon socket is not there cannot connect: say so
 * without loading libvirt. Only the forms whose socket is known are checked:
 * qemu:///system (libvirtd's or virtqemud's socket in /run/libvirt) and any
 * URI with ?socket=PATH.
 */
static bool socket_missing(const char *uri, char *why, size_t size)
{
	static const char *const system_sockets[] = {
		"/run/libvirt/libvirt-sock", "/run/libvirt/virtqemud-sock"
	};
	const char *q, *sock;
	struct stat st;
	char path[4096];

	if (!uri)
		uri = secure_getenv("LIBVIRT_DEFAULT_URI");
	if (!uri)
		return false;
	q = strstr(uri, "?socket=");
	if (!q)
		q = strstr(uri, "&socket=");
	if (q && (strncmp(uri, "qemu:", 5) == 0 ||
		  strncmp(uri, "qemu+unix:", 10) == 0)) {
		sock = q + 8;
		snprintf(path, sizeof(path), "%.*s", (int)strcspn(sock, "&"),
			 sock);
		if (stat(path, &st) == 0)
			return false;
		snprintf(why, size, "no daemon socket at %.4000s", path);
		return true;
	}
	if (strcmp(uri, "qemu:///system") != 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(system_sockets); i++)
		if (stat(system_sockets[i], &st) == 0)
			return false;
	snprintf(why, size, "no libvirtd or virtqemud socket in /run/libvirt");
	return true;
}

/* libvirt calls this for every error; the error object carries it instead. */
static void virt_quiet_error(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

/* libvirt's default error printer silenced: every failure is reported once, from the error object */
static void virt_init(void)
{
	if (lv.handle)
		lv.SetErrorFunc(NULL, virt_quiet_error);
}

const char *virt_last_error(void)
{
	const char *msg = lv.handle ? lv.GetLastErrorMessage() : NULL;

	return msg && *msg ? msg : "unknown libvirt error";
}

static int open_conn(const char *uri, bool readonly, virConnectPtr *out,
		     struct vm_error *err)
{
	const char *shown = uri ? uri :
				  (getenv("LIBVIRT_DEFAULT_URI") ?
					   getenv("LIBVIRT_DEFAULT_URI") :
					   "the default URI");
	virConnectPtr conn;
	char why[4200];

	if (socket_missing(uri, why, sizeof(why)))
		return vm_error_set(
			err, VM_EXIT_FAILED, ECONNREFUSED,
			"cannot connect to libvirt at '%s': %s (check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs)",
			shown, why);
	if (virt_load(err) < 0)
		return -ELIBACC;
	virt_init();
	conn = readonly ? lv.ConnectOpenReadOnly(uri) : lv.ConnectOpen(uri);
	if (!conn)
		return vm_error_set(
			err, VM_EXIT_FAILED, ECONNREFUSED,
			"cannot connect to libvirt at '%s': %s (check -c/--connect or LIBVIRT_DEFAULT_URI, and that the daemon runs)",
			shown, virt_last_error());
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

/* a reference found in one XML of a domain: where it was, for the callback */
struct ref_scan {
	void (*fn)(const char *uuid, const char *domain, unsigned where,
		   void *opaque);
	void *opaque;
};

static void scan_xml(const char *xml, const char *domain, unsigned where,
		     const struct ref_scan *rs)
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
			rs->fn((const char *)v, domain, where, rs->opaque);
	}
}

static void xml_memo_keep(const char *name, bool inactive, const char *xml);

int virt_domain_mdev_refs(virConnectPtr conn,
			  void (*fn)(const char *uuid, const char *domain,
				     unsigned where, void *opaque),
			  void *opaque, struct vm_error *err)
{
	struct ref_scan rs = { fn, opaque };
	virDomainPtr *doms = NULL;
	int n = lv.handle ? lv.ConnectListAllDomains(conn, &doms, 0) : -1;

	if (n < 0)
		return vm_error_set(err, VM_EXIT_FAILED, EIO,
				    "cannot list libvirt's domains: %s",
				    virt_last_error());
	for (int i = 0; i < n; i++) {
		const char *name = lv.DomainGetName(doms[i]);
		bool active = virt_domain_was_active(doms[i]);
		char *xml;

		/* flags 0: the live XML of a running domain, else its definition */
		xml = lv.DomainGetXMLDesc(doms[i], 0);
		if (xml) {
			scan_xml(xml, name,
				 active ? VIRT_REF_LIVE : VIRT_REF_CONFIG, &rs);
			/* a domain that is not running: flags 0 give its definition */
			xml_memo_keep(name, !active, xml);
			free(xml);
		}
		/*
		 * A running domain's definition; a transient one has none
		 * (virDomainIsPersistent 0): what it references is live only.
		 */
		if (active && lv.DomainIsPersistent(doms[i]) == 1) {
			xml = lv.DomainGetXMLDesc(doms[i],
						  VIR_DOMAIN_XML_INACTIVE);
			if (xml) {
				scan_xml(xml, name, VIRT_REF_CONFIG, &rs);
				xml_memo_keep(name, true, xml);
				free(xml);
			}
		}
	}
	for (int i = 0; i < n; i++)
		lv.DomainFree(doms[i]);
	free(doms);
	return 0;
}

struct plain_refs {
	void (*fn)(const char *uuid, const char *domain, void *opaque);
	void *opaque;
};

static void plain_ref(const char *uuid, const char *domain, unsigned where,
		      void *opaque)
{
	struct plain_refs *p = opaque;

	(void)where;
	p->fn(uuid, domain, p->opaque);
}

int virt_domain_mdevs(virConnectPtr conn,
		      void (*fn)(const char *uuid, const char *domain,
				 void *opaque),
		      void *opaque, struct vm_error *err)
{
	struct plain_refs p = { fn, opaque };

	return virt_domain_mdev_refs(conn, plain_ref, &p, err);
}

/* ---- node devices ---- */

int virt_last_error_code(void)
{
	virErrorPtr e = lv.handle ? lv.GetLastError() : NULL;

	return e ? e->code : VIR_ERR_OK;
}

/*
 * The driver has no such call (VIR_ERR_NO_SUPPORT: libvirt 9's test driver for
 * attach and detach, 11's for detach), or does not do it here
 * (VIR_ERR_OPERATION_UNSUPPORTED). Not a missing object or connection: those
 * are failures.
 */
bool virt_error_is_unsupported(int code)
{
	return code == VIR_ERR_NO_SUPPORT ||
	       code == VIR_ERR_OPERATION_UNSUPPORTED;
}

bool virt_uri_is_remote(const char *uri)
{
	const char *p;

	if (!uri)
		uri = secure_getenv("LIBVIRT_DEFAULT_URI");
	if (!uri)
		return false;
	p = strstr(uri, "://");
	if (!p)
		return false;
	p += 3;
	/* a host part other than localhost: "qemu+ssh://host/system" */
	if (*p == '/' || *p == '\0')
		return false;
	return strncmp(p, "localhost", 9) != 0 ||
	       (p[9] != '/' && p[9] != ':' && p[9] != '\0');
}

bool virt_conn_lost(virConnectPtr conn)
{
	return lv.handle && conn && lv.ConnectIsAlive(conn) == 0;
}

int virt_failed(virConnectPtr conn, const char *what, char **why)
{
	/* libvirt's message, before virConnectIsAlive resets it */
	_cleanup_free_ char *msg = strdup(virt_last_error());
	bool lost = virt_conn_lost(conn);

	if (asprintf(why, "%s: %s%s", what, msg ? msg : "out of memory",
		     lost ? " (the connection to libvirt is closed)" : "") < 0)
		*why = NULL;
	return lost ? -ENOTCONN : -EIO;
}

virNodeDevicePtr virt_nodedev_lookup(virConnectPtr conn, const char *name)
{
	return lv.handle ? lv.NodeDeviceLookupByName(conn, name) : NULL;
}

char *virt_nodedev_xml(virNodeDevicePtr dev)
{
	return lv.NodeDeviceGetXMLDesc(dev, 0);
}

int virt_nodedev_is_active(virNodeDevicePtr dev)
{
	return lv.NodeDeviceIsActive(dev);
}

int virt_nodedev_create_xml(virConnectPtr conn, const char *xml,
			    virNodeDevicePtr *out)
{
	*out = lv.handle ? lv.NodeDeviceCreateXML(conn, xml, 0) : NULL;
	return *out ? 0 : -EIO;
}

int virt_nodedev_define_xml(virConnectPtr conn, const char *xml,
			    virNodeDevicePtr *out)
{
	*out = lv.handle ? lv.NodeDeviceDefineXML(conn, xml, 0) : NULL;
	return *out ? 0 : -EIO;
}

int virt_nodedev_start(virNodeDevicePtr dev)
{
	return lv.NodeDeviceCreate(dev, 0) < 0 ? -EIO : 0;
}

int virt_nodedev_destroy(virNodeDevicePtr dev)
{
	return lv.NodeDeviceDestroy(dev) < 0 ? -EIO : 0;
}

int virt_nodedev_undefine(virNodeDevicePtr dev)
{
	return lv.NodeDeviceUndefine(dev, 0) < 0 ? -EIO : 0;
}

int virt_nodedev_set_autostart(virNodeDevicePtr dev, bool on)
{
	return lv.NodeDeviceSetAutostart(dev, on ? 1 : 0) < 0 ? -EIO : 0;
}

/* ---- domains ---- */

virDomainPtr virt_domain_lookup(virConnectPtr conn, const char *name)
{
	virDomainPtr d;

	if (!lv.handle)
		return NULL;
	d = lv.DomainLookupByName(conn, name);
	if (!d && strlen(name) == 36)
		d = lv.DomainLookupByUUIDString(conn, name);
	return d;
}

const char *virt_domain_name(virDomainPtr dom)
{
	return lv.DomainGetName(dom);
}

/*
 * virt_xml_memo: the XML virt_domain_mdev_refs read of each domain (the
 * definition, and a running domain's live XML), kept for virt_domain_xml
 * of the same domain while the memo is on (apply's planning reads every
 * domain for the users scan and its guests again: 100 calls fewer).
 */
struct xml_memo {
	char *name;
	bool inactive;
	char *xml;
};

static struct {
	bool on;
	struct xml_memo *v;
	size_t n, alloc;
} xmemo;

void virt_xml_memo(bool on)
{
	for (size_t i = 0; i < xmemo.n; i++) {
		free(xmemo.v[i].name);
		free(xmemo.v[i].xml);
	}
	free(xmemo.v);
	memset(&xmemo, 0, sizeof(xmemo));
	xmemo.on = on;
}

static void xml_memo_keep(const char *name, bool inactive, const char *xml)
{
	struct xml_memo *e;

	if (!xmemo.on || !name)
		return;
	if (xmemo.n == xmemo.alloc) {
		size_t n = xmemo.alloc ? xmemo.alloc * 2 : 64;
		struct xml_memo *v = realloc(xmemo.v, n * sizeof(*v));

		if (!v)
			return; /* not kept: read again */
		xmemo.v = v;
		xmemo.alloc = n;
	}
	e = &xmemo.v[xmemo.n];
	e->name = strdup(name);
	e->xml = strdup(xml);
	e->inactive = inactive;
	if (!e->name || !e->xml) {
		free(e->name);
		free(e->xml);
		return;
	}
	xmemo.n++;
}

char *virt_domain_xml(virDomainPtr dom, bool inactive)
{
	const char *name = xmemo.on ? lv.DomainGetName(dom) : NULL;

	for (size_t i = 0; name && i < xmemo.n; i++)
		if (xmemo.v[i].inactive == inactive &&
		    strcmp(xmemo.v[i].name, name) == 0)
			return strdup(xmemo.v[i].xml);
	return lv.DomainGetXMLDesc(dom, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
}

char *virt_domain_xml_to_define(virDomainPtr dom)
{
	return lv.DomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
						VIR_DOMAIN_XML_SECURE);
}

int virt_domain_is_active(virDomainPtr dom)
{
	return lv.DomainIsActive(dom);
}

/*
 * The handle's id: libvirt gives a running domain's with the handle (a
 * lookup, a listing) and -1 for one that is not running, and
 * virDomainGetID answers from the handle without a call to the daemon
 * (src/libvirt-domain.c). 100 domains of a state file: 100 calls fewer.
 */
bool virt_domain_was_active(virDomainPtr dom)
{
	return lv.DomainGetID(dom) != (unsigned int)-1;
}

int virt_domain_is_persistent(virDomainPtr dom)
{
	return lv.DomainIsPersistent(dom);
}

int virt_domain_attach(virDomainPtr dom, const char *xml, unsigned flags)
{
	return lv.DomainAttachDeviceFlags(dom, xml, flags) < 0 ? -EIO : 0;
}

int virt_domain_detach(virDomainPtr dom, const char *xml, unsigned flags)
{
	return lv.DomainDetachDeviceFlags(dom, xml, flags) < 0 ? -EIO : 0;
}

int virt_domain_define(virConnectPtr conn, const char *xml)
{
	virDomainPtr d = lv.handle ? lv.DomainDefineXML(conn, xml) : NULL;

	if (!d)
		return -EIO;
	lv.DomainFree(d);
	return 0;
}

int virt_domain_names(virConnectPtr conn, struct strv *out)
{
	virDomainPtr *doms = NULL;
	int n = lv.handle ? lv.ConnectListAllDomains(conn, &doms, 0) : -1;

	if (n < 0)
		return -EIO;
	for (int i = 0; i < n; i++) {
		strv_push(out, lv.DomainGetName(doms[i]));
		lv.DomainFree(doms[i]);
	}
	free(doms);
	strv_sort_from(out, 0);
	return 0;
}

/*
 * virConnectListAllDomains with VIR_CONNECT_LIST_DOMAINS_AUTOSTART: the
 * domains libvirtd starts when it starts (libvirt's autostart, the
 * /etc/libvirt/qemu/autostart links of the QEMU driver)
 */
int virt_domain_autostart_names(virConnectPtr conn, struct strv *out)
{
	virDomainPtr *doms = NULL;
	int n = lv.handle ? lv.ConnectListAllDomains(
				    conn, &doms,
				    VIR_CONNECT_LIST_DOMAINS_AUTOSTART) :
			    -1;
	int r = 0;

	if (n < 0)
		return -EIO;
	for (int i = 0; i < n; i++) {
		if (strv_push(out, lv.DomainGetName(doms[i])) < 0)
			r = -ENOMEM;
		lv.DomainFree(doms[i]);
	}
	free(doms);
	strv_sort_from(out, 0);
	return r;
}
