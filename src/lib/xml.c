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
	mdev_nodedev_parent(m, parent, sizeof(parent));
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
