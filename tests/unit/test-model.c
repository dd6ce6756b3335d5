/* virt-mdev-sim's kernel model without FUSE: profiles, links, uevents, host descriptions, fault rules. */
#include "config.h"

#include "sim/host.h"
#include "sim/simfs.h"
#include "tap.h"

#define U1 "11111111-2222-4333-8444-555555555555"

struct event_log {
	char last_action[16];
	char last_props[1024]; /* NULs turned into '|' */
	unsigned count;
};

static void record(void *opaque, const char *action, const char *devpath,
		   const char *subsystem, const char *props, size_t len)
{
	struct event_log *log = opaque;

	(void)devpath;
	(void)subsystem;
	log->count++;
	snprintf(log->last_action, sizeof(log->last_action), "%s", action);
	if (len >= sizeof(log->last_props))
		len = sizeof(log->last_props) - 1;
	for (size_t i = 0; i < len; i++)
		log->last_props[i] = props[i] ? props[i] : '|';
	log->last_props[len] = '\0';
}

static int wr(struct model *m, const char *path, const char *val)
{
	return model_write(m, path, val, strlen(val));
}

static char *rd(struct model *m, const char *path)
{
	static char buf[4096];
	struct strbuf sb = STRBUF_INIT;

	if (model_read(m, path, &sb) < 0)
		snprintf(buf, sizeof(buf), "(error)");
	else
		snprintf(buf, sizeof(buf), "%s", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return buf;
}

static void test_profiles(void)
{
	struct kprofile k;

	is_int(kprofile_parse("newest", &k), 0, "newest is a profile");
	ok(k.ap_config && k.guest_matrix && k.queue_status && k.matrix_features,
	   "the newest kernel has ap_config, guest_matrix, queue status and matrix features");
	is_int(kprofile_parse("6.10", &k), 0, "6.10 is a profile");
	ok(k.ap_config && !k.matrix_features,
	   "6.10 has ap_config but no matrix features");
	is_int(kprofile_parse("5.15", &k), 0, "5.15 is a profile");
	ok(!k.ap_config && !k.guest_matrix && !k.queue_status &&
		   !k.mdev_driver_names,
	   "5.15 has no ap_config, guest_matrix, queue status, and the mdev driver is vfio_mdev");
	is_int(kprofile_parse("4.19", &k), -EINVAL,
	       "kernels before 5.15 are refused");
	is_int(kprofile_parse("6", &k), -EINVAL, "a version needs MAJOR.MINOR");
	is_int(kprofile_parse("6.10.1", &k), -EINVAL,
	       "a version is MAJOR.MINOR only");
}

static void test_tree(void)
{
	struct vm_error err = { 0 };
	struct event_log log = { 0 };
	struct vfs_node *n;
	struct model m;
	_cleanup_free_ char *rel = NULL;

	memset(&m, 0, sizeof(m));
	is_int(host_load(&m, SRCDIR "/xml-templates/hosts/demo.xml", NULL,
			 &err),
	       0, "the demo host loads");
	m.uevent = record;
	m.uevent_opaque = &log;
	n = vfs_lookup(&m.vfs, "bus/css/devices/0.0.0313");
	ok(n && n->kind == VFS_LINK, "bus/css/devices/0.0.0313 is a link");
	rel = n ? vfs_link_relative(n) : NULL;
	is_str(rel, "../../../devices/css0/0.0.0313",
	       "its target is relative, as sysfs writes it");
	n = vfs_resolve(&m.vfs, "bus/ccw/devices/0.0.2b09/online");
	ok(n && n->kind == VFS_FILE, "paths resolve through links");
	is_str(rd(&m, "bus/css/devices/0.0.0313/dev_busid"), "0.0.2b09\n",
	       "dev_busid");
	is_str(rd(&m, "bus/css/devices/0.0.0313/pimpampom"), "c0 c0 ff\n",
	       "pimpampom");
	is_str(rd(&m, "bus/css/devices/0.0.0313/modalias"), "css:t0\n",
	       "modalias");
	is_str(rd(&m, "bus/css/devices/0.0.ff40/type"), "1\n",
	       "a CHSC subchannel is type 1");
	ok(!vfs_lookup(&m.vfs, "bus/css/devices/0.0.ff40/chpids"),
	   "a CHSC subchannel has no chpids");
	is_str(rd(&m, "bus/css/devices/0.0.0a00/dev_busid"), "0.0.f500\n",
	       "the OSA device");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b09/cutype"), "3990/e9\n",
	       "cutype");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b09/devtype"), "3390/0c\n",
	       "devtype");
	is_str(rd(&m, "bus/ap/ap_usage_domain_mask"),
	       "0x0800000000000000010000000000000000000000001000000000000000000000\n",
	       "the usage domain mask of the LPAR (4, 0x47, 0xab)");
	is_int(model_read(&m, "bus/css", &(struct strbuf)STRBUF_INIT), -EISDIR,
	       "reading a directory is EISDIR");
	is_int(wr(&m, "bus/ap/bindings", "1"), -EACCES,
	       "writing a read-only attribute is EACCES");
	is_int(wr(&m, "bus/ap/nosuch", "1"), -ENOENT,
	       "writing a missing attribute is ENOENT");

	log.count = 0;
	is_int(wr(&m, "bus/css/devices/0.0.0313/driver/unbind", "0.0.0313"), 0,
	       "unbind");
	is_str(log.last_action, "unbind", "unbinding sends unbind last");
	is_int(wr(&m, "bus/css/drivers/vfio_ccw/bind", "0.0.0313\n"), 0,
	       "bind to vfio_ccw");
	is_str(log.last_action, "change",
	       "registering the mdev parent sends change");
	ok(strstr(log.last_props, "MDEV_STATE=registered|") != NULL,
	   "with MDEV_STATE=registered (%s)", log.last_props);
	is_int(wr(&m,
		  "bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create",
		  U1),
	       0, "create");
	is_str(log.last_action, "add", "creating an mdev sends add");
	ok(strncmp(log.last_props,
		   "ACTION=add|DEVPATH=/devices/css0/0.0.0313/" U1
		   "|SUBSYSTEM=mdev|DRIVER=vfio_ccw_mdev|MDEV_TYPE=io|SEQNUM=",
		   strlen("ACTION=add|DEVPATH=/devices/css0/0.0.0313/" U1
			  "|SUBSYSTEM=mdev|DRIVER=vfio_ccw_mdev|MDEV_TYPE=io|SEQNUM=")) ==
		   0,
	   "the add event carries what libvirt reads (%s)", log.last_props);
	ok(model_find_mdev(&m, U1) != NULL, "the model knows the mdev");
	is_int(wr(&m, "bus/css/drivers/vfio_ccw/unbind", "0.0.0313"), 0,
	       "unbinding vfio_ccw with an mdev");
	ok(model_find_mdev(&m, U1) == NULL &&
		   !vfs_lookup(&m.vfs, "bus/mdev/devices/" U1),
	   "removes the mdev, as mdev_unregister_parent does");
	ok(!vfs_lookup(&m.vfs, "class/mdev_bus/0.0.0313"),
	   "and the mdev_bus link");
	is_int(wr(&m, "devices/css0/0.0.0313/uevent", "add\n"), 0,
	       "a uevent write is accepted");
	is_str(log.last_action, "add", "and sends the event");
	is_int(wr(&m, "devices/css0/0.0.0313/uevent", "explode"), -EINVAL,
	       "an unknown uevent action is EINVAL");
	model_destroy(&m);
}

static void check_host_error(const char *xml, const char *expected,
			     const char *what)
{
	char path[] = "/tmp/virt-mdev-test-host.XXXXXX";
	struct vm_error err = { 0 };
	struct model m;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	memset(&m, 0, sizeof(m));
	if (!f)
		abort();
	fputs(xml, f);
	fclose(f);
	ok(host_load(&m, path, NULL, &err) < 0, "%s: refused", what);
	if (!ok(strstr(err.msg, expected) != NULL, "%s: the message says so",
		what))
		printf("# message: %s\n", err.msg);
	model_destroy(&m);
	unlink(path);
}

static void test_host_errors(void)
{
	check_host_error("<host><css>", "cannot read host description",
			 "bad XML");
	check_host_error("<sys/>", "the root element must be <host>",
			 "wrong root");
	check_host_error(
		"<host><gpu/></host>",
		":1: unknown element <gpu> (a host has <css>, <ap> and <mdev>)",
		"an unknown element, with its line");
	check_host_error("<host kernel='3.10'/>",
			 "invalid kernel version '3.10'", "an old kernel");
	check_host_error(
		"<host><css><subchannel id='0.4.0313'/></css></host>",
		"<subchannel id>: invalid subchannel id '0.4.0313': the subchannel set id must be 0-3",
		"a bad subchannel id");
	check_host_error(
		"<host><css><subchannel id='0.0.0313'/><subchannel id='0.0.0313'/></css></host>",
		"the subchannel or its device is described twice",
		"a duplicate subchannel");
	check_host_error(
		"<host><css><subchannel id='0.0.0313' qdio='yes' driver='vfio_ccw'/></css></host>",
		"vfio_ccw refuses QDIO subchannels", "vfio_ccw on QDIO");
	check_host_error(
		"<host><css><subchannel id='0.0.0313' qdio='maybe'/></css></host>",
		"<subchannel qdio='maybe'>: must be yes or no",
		"a bad boolean");
	check_host_error(
		"<host><css><subchannel id='0.0.0313'/></css><mdev uuid='" U1
		"' parent='0.0.0313'/></host>",
		"the kernel refuses to create it: No such device",
		"an mdev on a subchannel not bound to vfio_ccw");
	check_host_error(
		"<host><ap><card id='05' domains='4'/></ap><mdev uuid='" U1
		"' parent='matrix' adapters='5' domains='4'/></host>",
		"writing 0x4 to assign_domain fails: Cannot assign requested address",
		"an mdev on APQNs reserved for the host");
	check_host_error(
		"<host><ap max-domain-id='15'><card id='05' domains='0x20'/></ap></host>",
		"an id is above max-adapter-id 255 or max-domain-id 15",
		"a queue above the maximum");
	check_host_error("<host><ap apmask='5,300'/></host>",
			 "'300' is out of range", "a bad mask");
}

static void test_fault_rules(void)
{
	struct fault_rules fr = { 0 };
	struct vm_error err = { 0 };

	is_int(fault_rules_parse(
		       &fr,
		       "# comment\n\nbus/css/drivers/vfio_ccw/bind 2 EBUSY\n"
		       "/sys/devices/vfio_ap/matrix/*/assign_domain 1 28\n",
		       &err),
	       0, "two rules parse");
	is_int(fr.n, 2, "comments and blank lines are skipped");
	is_int(fault_rules_check(&fr, "bus/css/drivers/vfio_ccw/bind"), 0,
	       "the first write passes");
	is_int(fault_rules_check(&fr, "bus/css/drivers/io_subchannel/bind"), 0,
	       "another path does not count");
	is_int(fault_rules_check(&fr, "/sys/bus/css/drivers/vfio_ccw/bind"),
	       EBUSY, "the second write fails with EBUSY");
	is_int(fault_rules_check(&fr, "bus/css/drivers/vfio_ccw/bind"), 0,
	       "once");
	is_int(fault_rules_check(&fr,
				 "devices/vfio_ap/matrix/" U1 "/assign_domain"),
	       ENOSPC, "wildcards match, errno numbers work");
	is_int(fault_rules_check(&fr, "devices/vfio_ap/matrix/" U1
				      "/x/assign_domain"),
	       0, "a wildcard does not cross a /");
	ok(fault_rules_parse(&fr, "bus/ap/apmask 0 EBUSY\n", &err) < 0,
	   "N must be 1 or more");
	is_str(err.msg,
	       "fault rule 1 'bus/ap/apmask 0 EBUSY': expected PATH N ERRNO, e.g. 'bus/css/drivers/vfio_ccw/bind 1 EBUSY' (N from 1), or delay PATH N MS",
	       "the message names the rule and the forms");
	ok(fault_rules_parse(&fr, "delay bus/ap/apmask 1 0\n", &err) < 0,
	   "a delay of 0 ms is refused");
	is_str(err.msg,
	       "fault rule 1 'delay bus/ap/apmask 1 0': expected delay PATH N MS, e.g. 'delay bus/css/drivers/vfio_ccw/bind 1 500' (N from 1, MS from 1 to 600000)",
	       "the message names the rule and the delay's form");
	ok(fault_rules_parse(&fr, "bus/ap/apmask 1 EWHATEVER\n", &err) < 0,
	   "an unknown errno is refused");
	is_int(fr.n, 2, "a refused file keeps the old rules");
	fault_rules_clear(&fr);
}

int main(void)
{
	test_profiles();
	test_tree();
	test_host_errors();
	test_fault_rules();
	return tap_done();
}
