/*
 * libFuzzer target: the template loader (--template-dir, VIRT_MDEV_TEMPLATE_DIR).
 * The first byte chooses the template (the node device, or a kind's hostdev;
 * its high bit: with a name or an alias), the rest is its text. Any template gives XML that parses back
 * and holds the device's uuid, or a refusal naming the template.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "lib/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define UUID "0c0c0c0c-0000-4000-8000-00000000f033"

static char dir[] = "/tmp/virt-mdev-fuzz-template.XXXXXX";
static bool made;

/* the template of choice 0 (the node device) and of each kind's hostdev (1, 2...) */
static void template_name(unsigned which, char *buf, size_t size)
{
	if (which == 0)
		snprintf(buf, size, "nodedev-mdev.xml");
	else
		snprintf(buf, size, "hostdev-%s.xml",
			 mdev_kinds[which - 1]->model);
}

static unsigned choices(void)
{
	unsigned n = 1;

	while (mdev_kinds[n - 1])
		n++;
	return n;
}

static void remove_dir(void)
{
	char p[sizeof(dir) + 64], name[64];

	for (unsigned i = 0; i < choices(); i++) {
		template_name(i, name, sizeof(name));
		snprintf(p, sizeof(p), "%s/%s", dir, name);
		unlink(p);
	}
	rmdir(dir);
}

static void put(const char *name, const uint8_t *data, size_t size)
{
	char p[sizeof(dir) + 64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		__builtin_trap();
}

static void check(int r, char *out, const struct vm_error *err)
{
	xmlDocPtr doc;

	if (r < 0) {
		if (!err->msg[0] || out)
			__builtin_trap();
		return;
	}
	doc = out ? xmlReadMemory(out, (int)strlen(out), "out.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR |
					  XML_PARSE_NOWARNING) :
		    NULL;
	if (!doc || !strstr(out, UUID))
		__builtin_trap();
	xmlFreeDoc(doc);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_error err = { 0 };
	char *out = NULL, name[64];
	unsigned which;
	int r;

	if (!made) {
		if (!mkdtemp(dir))
			__builtin_trap();
		made = true;
		atexit(remove_dir);
	}
	if (size < 1)
		return 0;
	which = (data[0] & 0x7f) % choices();
	template_name(which, name, sizeof(name));
	put(name, data + 1, size - 1);
	if (which == 0) {
		struct mdev_spec m = { .uuid = UUID, .parent = "matrix" };

		m.kind = mdev_kind_by_parent(m.parent);
		snprintf(m.type, sizeof(m.type), "%s", m.kind->mdev_type);
		ap_mask_set(&m.apm, 5);
		ap_mask_set(&m.aqm, 0xab);
		r = xml_nodedev_mdev(&m, dir, data[0] & 0x80, &out, &err);
	} else {
		struct hostdev_opts o = { .uuid = UUID };

		o.kind = mdev_kinds[which - 1];
		o.has_devno = o.kind->guest_ccw_address;
		o.devno = (struct guest_devno){ 0xfe, 0, 0x1234 };
		o.boot_order = o.kind->guest_ccw_address ? 2 : 0;
		o.alias = data[0] & 0x80 ? "ua-fuzz" : NULL;
		r = xml_hostdev(&o, dir, &out, &err);
	}
	check(r, out, &err);
	return 0;
}
