/* The node-device XML virt-mdev hands to libvirt: golden files, and libvirt's own RELAX NG schema (virt-xml-validate). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xml.h"
#include "tap.h"

static char *slurp(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;

	if (!f || getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static const char *srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s ? s : SRCDIR;
}

/*
 * virt-xml-validate on xml with libvirt's schema (nodedev, domain): its exit
 * status, or -1 when the file could not be written. explain: show libvirt's
 * complaint on a failure.
 */
static int schema_valid(const char *xml, const char *schema, bool explain)
{
	char path[] = "/tmp/virt-mdev-xml.XXXXXX", cmd[256];
	int fd = mkstemp(path), r;

	if (fd < 0)
		return -1;
	r = write(fd, xml, strlen(xml)) == (ssize_t)strlen(xml) ? 0 : -1;
	close(fd);
	if (r == 0) {
		snprintf(cmd, sizeof(cmd),
			 "virt-xml-validate %s %s >/dev/null 2>&1", path,
			 schema);
		r = system(cmd);
		if (r != 0 && explain) {
			snprintf(cmd, sizeof(cmd),
				 "virt-xml-validate %s %s 1>&2", path, schema);
			(void)system(cmd);
		}
	}
	unlink(path);
	return r;
}

/* the node-device XML with the <name> the schema wants */
static int validate(const struct mdev_spec *m, const char *what)
{
	_cleanup_free_ char *xml = NULL;
	struct vm_error err = { 0 };
	int r;

	if (xml_nodedev_mdev(m, NULL, true, &xml, &err) < 0) {
		tap_diag(err.msg);
		return -1;
	}
	r = schema_valid(xml, "nodedev", true);
	if (r != 0)
		tap_diag(what);
	return r;
}

static void check(const struct mdev_spec *m, const char *golden,
		  const char *what)
{
	_cleanup_free_ char *xml = NULL, *want = NULL;
	struct vm_error err = { 0 };
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/golden/%s", srcdir(), golden);
	want = slurp(path);
	ok(xml_nodedev_mdev(m, NULL, false, &xml, &err) == 0,
	   "%s: the XML is built", what);
	is_str(xml ? xml : "", want ? want : "(no golden file)",
	       "%s: equals %s", what, golden);
	ok(validate(m, what) == 0,
	   "%s: valid against libvirt's nodedev schema (with <name>)", what);
}

/* a <hostdev> inside the demo s390x domain, validated with virt-xml-validate FILE domain */
static int validate_in_domain(const char *hostdev)
{
	_cleanup_free_ char *domain = NULL, *xml = NULL;
	struct vm_error err = { 0 };
	char path[4096];

	snprintf(path, sizeof(path), "%s/xml-templates/domain-s390x-demo.xml",
		 srcdir());
	domain = slurp(path);
	if (!domain || xml_domain_add_device(domain, hostdev, &xml, &err) < 0)
		return -1;
	return schema_valid(xml, "domain", false);
}

static void check_hostdev(const struct hostdev_opts *o, const char *golden,
			  const char *what)
{
	_cleanup_free_ char *xml = NULL, *want = NULL;
	struct vm_error err = { 0 };
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/golden/%s", srcdir(), golden);
	want = slurp(path);
	ok(xml_hostdev(o, NULL, &xml, &err) == 0, "%s: the XML is built", what);
	is_str(xml ? xml : "", want ? want : "(no golden file)",
	       "%s: equals %s", what, golden);
	ok(xml && validate_in_domain(xml) == 0,
	   "%s: valid against libvirt's domain schema, inside an s390x domain",
	   what);
}

static void test_hostdevs(void)
{
	struct hostdev_opts ccw = {
		.uuid = "c0c0c0c0-0d3f-4b1a-9a39-3a6c1d7f0001",
		.kind = NULL, /* not constant: set below */
		.has_devno = true,
		.devno = { 0xfe, 0, 0x1234 }
	};
	struct hostdev_opts ccw_boot = ccw, ap = {
		.uuid = "a0a0a0a0-0d3f-4b1a-9a39-3a6c1d7f0002", .kind = NULL
	};
	struct hostdev_opts bare;

	ccw.kind = ccw_boot.kind = mdev_kind_by_model("vfio-ccw");
	ap.kind = mdev_kind_by_model("vfio-ap");
	bare = ccw;
	check_hostdev(&ccw, "hostdev-ccw.xml", "vfio-ccw as fe.0.1234");
	ccw_boot.boot_order = 1;
	ccw_boot.alias = "ua-dasd1";
	ccw_boot.devno = (struct guest_devno){ 0xfe, 1, 0x2b09 };
	check_hostdev(&ccw_boot, "hostdev-ccw-boot.xml",
		      "vfio-ccw as fe.1.2b09, boot order 1, alias ua-dasd1");
	check_hostdev(&ap, "hostdev-ap.xml", "vfio-ap");
	bare.has_devno = false;
	check_hostdev(&bare, "hostdev-ccw-noaddress.xml",
		      "vfio-ccw without an address (libvirt picks one)");
	ok(validate_in_domain(
		   "<hostdev mode='subsystem' type='mdev' model='vfio-ccw'><source><address uuid='nope'/></source></hostdev>") !=
		   0,
	   "the domain schema refuses a hostdev with a bad uuid (the check above can fail)");
}

/* a hostdev whose uuid is longer than a uuid is none libvirt would take: cut, it would pass for another */
static void test_scan_long_uuid(void)
{
	static const char dom[] =
		"<domain><devices>"
		"<hostdev mode='subsystem' type='mdev' model='vfio-ap'><source><address uuid='11111111-2222-4333-8444-000000000001'/></source></hostdev>"
		"<hostdev mode='subsystem' type='mdev' model='vfio-ap'><source><address uuid='11111111-2222-4333-8444-000000000001-and-more'/></source></hostdev>"
		"</devices></domain>";
	struct domain_scan d;
	struct vm_error err = { 0 };

	static const char two[] =
		"<domain><devices/><devices>"
		"<hostdev mode='subsystem' type='mdev' model='vfio-ap'><source><address uuid='11111111-2222-4333-8444-000000000001'/></source></hostdev>"
		"</devices></domain>";
	char *out = NULL;

	int r = xml_domain_scan(dom, &d, &err);

	ok(r == 0 && d.nhostdevs == 1,
	   "the scan leaves out a hostdev whose uuid is longer than a uuid (%zu found)",
	   r == 0 ? d.nhostdevs : 0);
	domain_scan_clear(&d);
	/* what the scan finds, the removal finds: in any <devices> */
	ok(xml_domain_scan(two, &d, &err) == 0 && d.nhostdevs == 1 &&
		   xml_domain_remove_hostdev(two, d.hostdevs[0].uuid, &out,
					     &err) == 0 &&
		   out && !strstr(out, "<hostdev"),
	   "a hostdev the scan finds in a second <devices> is removed");
	free(out);
	domain_scan_clear(&d);
}

int main(void)
{
	struct mdev_spec ccw = { .uuid = "c0c0c0c0-0d3f-4b1a-9a39-3a6c1d7f0001",
				 .parent = "0.0.0313",
				 .type = "vfio_ccw-io" };
	struct mdev_spec ap = { .uuid = "a0a0a0a0-0d3f-4b1a-9a39-3a6c1d7f0002",
				.parent = "matrix",
				.type = "vfio_ap-passthrough" };
	struct mdev_spec ccw1 = ccw;
	_cleanup_free_ char *xml = NULL;
	struct vm_error err = { 0 };
	char dir[] = "/tmp/virt-mdev-templates.XXXXXX", path[4096];
	FILE *f;

	/* the validation can fail: libvirt's schema refuses a device without <name> */
	{
		int r = schema_valid(
			"<device><parent>ap_matrix</parent><capability type='mdev'><type id='vfio_ap-passthrough'/></capability></device>\n",
			"nodedev", false);

		ok(r != -1, "a nodedev XML without <name> is written");
		ok(r != -1 && r != 0,
		   "virt-xml-validate refuses it (the check below can fail)");
	}
	ccw.kind = mdev_kind_by_parent(ccw.parent);
	ap.kind = mdev_kind_by_parent(ap.parent);
	ccw1.kind = ccw.kind;
	ok(ccw.kind && ap.kind && ccw.kind != ap.kind,
	   "the parents name the two kinds (subchannel 0.0.0313, the matrix)");
	ap_mask_set(&ap.apm, 5);
	ap_mask_set(&ap.aqm, 4);
	ap_mask_set(&ap.aqm, 0xab);
	ap_mask_set(&ap.adm, 4);
	test_hostdevs();
	check(&ccw, "nodedev-ccw.xml", "vfio-ccw");
	check(&ap, "nodedev-ap.xml",
	      "vfio-ap with adapters, domains and a control domain");
	snprintf(ccw1.parent, sizeof(ccw1.parent), "0.1.0580");
	check(&ccw1, "nodedev-ccw-ssid1.xml", "vfio-ccw on subchannel set 1");

	/* a user's copy of the template: what it adds is kept, its stale attrs are not */
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/nodedev-mdev.xml", dir);
	f = fopen(path, "we");
	fputs("<device><parent>x</parent><driver><name>vfio_mdev</name></driver>"
	      "<capability type='mdev'><type id='x'/><uuid>x</uuid>"
	      "<attr name='assign_adapter' value='0x9'/></capability></device>\n",
	      f);
	fclose(f);
	ok(xml_nodedev_mdev(&ap, dir, false, &xml, &err) == 0,
	   "a template directory is used");
	ok(xml && strstr(xml, "<driver>") && !strstr(xml, "0x9") &&
		   strstr(xml, "<attr name=\"assign_adapter\" value=\"0x5\"/>"),
	   "its extra elements stay, its own attrs are replaced: %s",
	   xml ? xml : "");
	unlink(path);
	f = fopen(path, "we");
	fputs("<device><parent>", f);
	fclose(f);
	free(xml);
	xml = NULL;
	ok(xml_nodedev_mdev(&ap, dir, false, &xml, &err) < 0 &&
		   strstr(err.msg, "not well-formed XML") &&
		   strstr(err.msg, path),
	   "a broken template is named: %s", err.msg);
	unlink(path);
	vm_error_clear(&err);
	ok(xml_nodedev_mdev(&ap, dir, false, &xml, &err) < 0 &&
		   strstr(err.msg, "cannot read the template") &&
		   strstr(err.msg, "--template-dir or VIRT_MDEV_TEMPLATE_DIR"),
	   "a missing template says where templates come from: %s", err.msg);
	rmdir(dir);
	test_scan_long_uuid();
	return tap_done();
}
