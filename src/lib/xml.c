/* XML builders over libxml2: a template is parsed, its values set, the result serialised. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "xml.h"

const char *xml_template_dir(const char *dir)
{
	static const char *const installed = TEMPLATEDIR, *const source = SRCDIR
							  "/xml-templates";
	const char *env = secure_getenv(XML_TEMPLATE_DIR_ENV);
	char probe[4096];

	if (dir)
		return dir;
	if (env && *env)
		return env;
	snprintf(probe, sizeof(probe), "%s/nodedev-mdev.xml", installed);
	return access(probe, R_OK) == 0 ? installed : source;
}

/* libxml2 prints some errors itself (encodings, I/O) despite XML_PARSE_NOERROR: the one message is ours */
static void quiet_handler(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet(void)
{
	xmlSetGenericErrorFunc(NULL, quiet_handler);
}

static int load(const char *dir, const char *name, xmlDocPtr *out,
		struct vm_error *err)
{
	char path[4096];
	xmlDocPtr doc;

	snprintf(path, sizeof(path), "%s/%s", xml_template_dir(dir), name);
	if (access(path, R_OK) < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, errno,
			"cannot read the template %s: %s (--template-dir or %s names the directory of templates)",
			path, strerror(errno), XML_TEMPLATE_DIR_ENV);
	quiet();
	doc = xmlReadFile(path, NULL,
			  XML_PARSE_NONET | XML_PARSE_NOBLANKS |
				  XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"cannot use the template %s: not well-formed XML",
			path);
	}
	*out = doc;
	return 0;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(c->name, (const xmlChar *)name) == 0)
			return c;
	return NULL;
}

/* the element, made (appended) when the template lacks it */
static xmlNodePtr child_or_new(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c = child(parent, name);

	return c ? c : xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static xmlNodePtr capability(xmlNodePtr root, const char *type)
{
	for (xmlNodePtr c = root->children; c; c = c->next) {
		_cleanup_xmlchar_ xmlChar *t = NULL;

		if (c->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(c->name, (const xmlChar *)"capability") != 0)
			continue;
		t = xmlGetProp(c, (const xmlChar *)"type");
		if (t && xmlStrcmp(t, (const xmlChar *)type) == 0)
			return c;
	}
	return NULL;
}

static int serialise(xmlDocPtr doc, char **out, struct vm_error *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	int n;

	if (!buf)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	n = xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
	if (n < 0 ||
	    asprintf(out, "%s\n", (const char *)xmlBufferContent(buf)) < 0) {
		xmlBufferFree(buf);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	xmlBufferFree(buf);
	return 0;
}

int xml_nodedev_mdev(const struct mdev_spec *m, const char *template_dir,
		     bool with_name, char **out, struct vm_error *err)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_strv_ struct strv names = STRV_INIT, values = STRV_INIT;
	xmlNodePtr root, cap, type, next;
	char parent[128];

	if (load(template_dir, "nodedev-mdev.xml", &doc, err) < 0)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	cap = capability(root, "mdev");
	if (xmlStrcmp(root->name, (const xmlChar *)"device") != 0 || !cap)
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"cannot use the template nodedev-mdev.xml: it must be a <device> with a <capability type='mdev'>");
	if (with_name) {
		char with_parent[160], without[160];
		xmlNodePtr name = child(root, "name");

		mdev_nodedev_names(m, with_parent, without, sizeof(without));
		if (!name) {
			name = xmlNewNode(NULL, (const xmlChar *)"name");
			if (root->children)
				xmlAddPrevSibling(root->children, name);
			else
				xmlAddChild(root, name);
		}
		xmlNodeSetContent(name, (const xmlChar *)with_parent);
	}
	m->kind->nodedev_parent(m, parent, sizeof(parent));
	xmlNodeSetContent(child_or_new(root, "parent"),
			  (const xmlChar *)parent);
	type = child_or_new(cap, "type");
	xmlSetProp(type, (const xmlChar *)"id", (const xmlChar *)m->type);
	xmlNodeSetContent(child_or_new(cap, "uuid"), (const xmlChar *)m->uuid);
	/* the template's own attrs do not belong to this device */
	for (xmlNodePtr c = cap->children; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(c->name, (const xmlChar *)"attr") == 0) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	if (mdev_spec_attrs(m, &names, &values) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	for (size_t i = 0; i < names.n; i++) {
		xmlNodePtr a =
			xmlNewChild(cap, NULL, (const xmlChar *)"attr", NULL);

		if (!a)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		xmlSetProp(a, (const xmlChar *)"name",
			   (const xmlChar *)names.v[i]);
		xmlSetProp(a, (const xmlChar *)"value",
			   (const xmlChar *)values.v[i]);
	}
	return serialise(doc, out, err);
}

/* ---- domain devices ---- */

/* a new child element placed before the first child named before (or appended) */
static xmlNodePtr new_child_before(xmlNodePtr parent, const char *name,
				   const char *const *before)
{
	xmlNodePtr n = xmlNewNode(NULL, (const xmlChar *)name);

	if (!n)
		return NULL;
	for (const char *const *b = before; b && *b; b++) {
		xmlNodePtr at = child(parent, *b);

		if (at)
			return xmlAddPrevSibling(at, n);
	}
	return xmlAddChild(parent, n);
}

int xml_hostdev(const struct hostdev_opts *o, const char *template_dir,
		char **out, struct vm_error *err)
{
	static const char *const before_boot[] = { "alias", "address", NULL };
	static const char *const before_alias[] = { "address", NULL };
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	char name[64];
	xmlNodePtr root, src, addr, n;

	snprintf(name, sizeof(name), "hostdev-%s.xml", o->kind->model);
	if (load(template_dir, name, &doc, err) < 0)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	if (xmlStrcmp(root->name, (const xmlChar *)"hostdev") != 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"cannot use the template %s: it must be a <hostdev>",
			name);
	xmlSetProp(root, (const xmlChar *)"mode", (const xmlChar *)"subsystem");
	xmlSetProp(root, (const xmlChar *)"type", (const xmlChar *)"mdev");
	xmlSetProp(root, (const xmlChar *)"model",
		   (const xmlChar *)o->kind->model);
	src = child_or_new(root, "source");
	addr = child_or_new(src, "address");
	xmlSetProp(addr, (const xmlChar *)"uuid", (const xmlChar *)o->uuid);
	if (o->boot_order) {
		char v[16];

		snprintf(v, sizeof(v), "%u", o->boot_order);
		n = child(root, "boot");
		if (!n)
			n = new_child_before(root, "boot", before_boot);
		xmlSetProp(n, (const xmlChar *)"order", (const xmlChar *)v);
	}
	if (o->alias) {
		n = child(root, "alias");
		if (!n)
			n = new_child_before(root, "alias", before_alias);
		xmlSetProp(n, (const xmlChar *)"name",
			   (const xmlChar *)o->alias);
	}
	if (o->has_devno) {
		char cssid[8], ssid[8], devno[8];

		snprintf(cssid, sizeof(cssid), "0x%x", o->devno.cssid);
		snprintf(ssid, sizeof(ssid), "0x%x", o->devno.ssid);
		snprintf(devno, sizeof(devno), "0x%04x", o->devno.devno);
		n = child(root, "address");
		if (!n)
			n = xmlNewChild(root, NULL, (const xmlChar *)"address",
					NULL);
		xmlSetProp(n, (const xmlChar *)"type", (const xmlChar *)"ccw");
		xmlSetProp(n, (const xmlChar *)"cssid", (const xmlChar *)cssid);
		xmlSetProp(n, (const xmlChar *)"ssid", (const xmlChar *)ssid);
		xmlSetProp(n, (const xmlChar *)"devno", (const xmlChar *)devno);
	}
	return serialise(doc, out, err);
}

static int parse_domain(const char *xml, xmlDocPtr *out, struct vm_error *err)
{
	xmlDocPtr doc;

	quiet();
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (!doc || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return vm_error_set(err, VM_EXIT_FAILED, EINVAL,
				    "cannot read the domain's XML");
	}
	*out = doc;
	return 0;
}

/* an attribute as libvirt writes numbers: 0x-hex or decimal */
static bool num_prop(xmlNodePtr n, const char *name, unsigned long max,
		     unsigned long *out)
{
	_cleanup_xmlchar_ xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *end;

	if (!v)
		return false;
	errno = 0;
	*out = strtoul((const char *)v, &end, 0);
	return !errno && *end == '\0' && end != (char *)v && *out <= max;
}

static bool ccw_address(xmlNodePtr n, struct guest_devno *d)
{
	unsigned long c, s, v;

	if (!num_prop(n, "cssid", 0xff, &c) || !num_prop(n, "ssid", 3, &s) ||
	    !num_prop(n, "devno", 0xffff, &v))
		return false;
	*d = (struct guest_devno){ (uint8_t)c, (uint8_t)s, (uint16_t)v };
	return true;
}

static char *node_xml(xmlDocPtr doc, xmlNodePtr n)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *s = NULL;

	if (buf && xmlNodeDump(buf, doc, n, 0, 1) >= 0)
		s = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return s;
}

int xml_domain_scan(const char *domain_xml, struct domain_scan *out,
		    struct vm_error *err)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_xpathctx_ xmlXPathContextPtr ctx = NULL;
	_cleanup_xpathobj_ xmlXPathObjectPtr addrs = NULL, hds = NULL;

	memset(out, 0, sizeof(*out));
	if (parse_domain(domain_xml, &doc, err) < 0)
		return -EINVAL;
	ctx = xmlXPathNewContext(doc);
	if (ctx)
		addrs = xmlXPathEvalExpression(
			(const xmlChar *)"/domain/devices//address[@type='ccw']",
			ctx);
	if (ctx)
		hds = xmlXPathEvalExpression(
			(const xmlChar *)"/domain/devices/hostdev[@type='mdev']",
			ctx);
	if (!addrs || !hds)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (addrs->nodesetval && addrs->nodesetval->nodeNr > 0) {
		out->ccw = calloc((size_t)addrs->nodesetval->nodeNr,
				  sizeof(*out->ccw));
		if (!out->ccw)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		for (int i = 0; i < addrs->nodesetval->nodeNr; i++)
			if (ccw_address(addrs->nodesetval->nodeTab[i],
					&out->ccw[out->nccw]))
				out->nccw++;
	}
	if (hds->nodesetval && hds->nodesetval->nodeNr > 0) {
		out->hostdevs = calloc((size_t)hds->nodesetval->nodeNr,
				       sizeof(*out->hostdevs));
		if (!out->hostdevs) {
			domain_scan_clear(out);
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		}
		for (int i = 0; i < hds->nodesetval->nodeNr; i++) {
			xmlNodePtr h = hds->nodesetval->nodeTab[i];
			xmlNodePtr a = child(child(h, "source"), "address");
			xmlNodePtr g = child(h, "address");
			struct domain_hostdev *d =
				&out->hostdevs[out->nhostdevs];
			_cleanup_xmlchar_ xmlChar *u =
				a ? xmlGetProp(a, (const xmlChar *)"uuid") :
				    NULL;
			_cleanup_xmlchar_ xmlChar *m =
				xmlGetProp(h, (const xmlChar *)"model");

			/* longer than a uuid: none libvirt would take (cut, it would pass for another) */
			if (!u || strlen((const char *)u) >= sizeof(d->uuid))
				continue;
			snprintf(d->uuid, sizeof(d->uuid), "%s",
				 (const char *)u);
			for (char *c = d->uuid; *c; c++)
				if (*c >= 'A' && *c <= 'F')
					*c = (char)(*c - 'A' + 'a');
			d->kind = mdev_kind_by_model((const char *)m);
			d->has_devno = g && ccw_address(g, &d->devno);
			{
				xmlNodePtr b = child(h, "boot"),
					   al = child(h, "alias");
				unsigned long o;
				_cleanup_xmlchar_ xmlChar *an =
					al ? xmlGetProp(
						     al,
						     (const xmlChar *)"name") :
					     NULL;

				if (b && num_prop(b, "order", 65535, &o))
					d->boot_order = (unsigned)o;
				/* libvirt's own aliases (hostdev0) are not the admin's */
				if (an &&
				    strncmp((const char *)an, "ua-", 3) == 0)
					d->alias = strdup((const char *)an);
			}
			d->xml = node_xml(doc, h);
			out->nhostdevs++;
		}
	}
	return 0;
}

void domain_scan_clear(struct domain_scan *d)
{
	for (size_t i = 0; i < d->nhostdevs; i++) {
		free(d->hostdevs[i].xml);
		free(d->hostdevs[i].alias);
	}
	free(d->hostdevs);
	free(d->ccw);
	memset(d, 0, sizeof(*d));
}

bool domain_scan_devno_used(const struct domain_scan *d,
			    const struct guest_devno *devno)
{
	for (size_t i = 0; i < d->nccw; i++)
		if (d->ccw[i].cssid == devno->cssid &&
		    d->ccw[i].ssid == devno->ssid &&
		    d->ccw[i].devno == devno->devno)
			return true;
	return false;
}

static int serialise_doc(xmlDocPtr doc, char **out, struct vm_error *err)
{
	xmlChar *mem = NULL;
	int len = 0;

	xmlDocDumpFormatMemory(doc, &mem, &len, 1);
	if (!mem)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	*out = strdup((const char *)mem);
	xmlFree(mem);
	return *out ? 0 :
		      vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				   "out of memory");
}

int xml_domain_add_device(const char *domain_xml, const char *device_xml,
			  char **out, struct vm_error *err)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL, dev = NULL;
	xmlNodePtr devices, copy;

	if (parse_domain(domain_xml, &doc, err) < 0)
		return -EINVAL;
	dev = xmlReadMemory(device_xml, (int)strlen(device_xml), "device.xml",
			    NULL,
			    XML_PARSE_NONET | XML_PARSE_NOBLANKS |
				    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!dev || !xmlDocGetRootElement(dev))
		return vm_error_set(err, VM_EXIT_FAILED, EINVAL,
				    "cannot read the device's XML");
	devices = child_or_new(xmlDocGetRootElement(doc), "devices");
	copy = xmlDocCopyNode(xmlDocGetRootElement(dev), doc, 1);
	if (!devices || !copy || !xmlAddChild(devices, copy))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return serialise_doc(doc, out, err);
}

/* the mdev hostdevs of uuid in one <devices>, removed: how many */
static int remove_hostdevs(xmlNodePtr devices, const char *uuid)
{
	xmlNodePtr next;
	int n = 0;

	for (xmlNodePtr h = devices->children; h; h = next) {
		xmlNodePtr a;
		_cleanup_xmlchar_ xmlChar *u = NULL;

		next = h->next;
		if (h->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(h->name, (const xmlChar *)"hostdev") != 0)
			continue;
		a = child(child(h, "source"), "address");
		u = a ? xmlGetProp(a, (const xmlChar *)"uuid") : NULL;
		if (!u || strcasecmp((const char *)u, uuid) != 0)
			continue;
		xmlUnlinkNode(h);
		xmlFreeNode(h);
		n++;
	}
	return n;
}

int xml_domain_remove_hostdev(const char *domain_xml, const char *uuid,
			      char **out, struct vm_error *err)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	int found = 0;

	if (parse_domain(domain_xml, &doc, err) < 0)
		return -EINVAL;
	/* every <devices>, as the scan reads them all */
	for (xmlNodePtr d = xmlDocGetRootElement(doc)->children; d; d = d->next)
		if (d->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(d->name, (const xmlChar *)"devices") == 0)
			found += remove_hostdevs(d, uuid);
	if (!found)
		return -ENOENT;
	return serialise_doc(doc, out, err);
}
