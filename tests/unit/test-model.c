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
		":1: unknown element <gpu> (a host has <css>, <ap>, <mdev>, <cio_ignore> and <sysinfo>)",
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

/* The channel subsystem's own files as IBM's tools write them (chp.c, blacklist.c, cmf.c, dasd_devmap.c, ccwgroup.c). */
static void test_css_writes(void)
{
	struct vm_error err = { 0 };
	struct model m;
	const char *p = ".proc/cio_ignore";
	struct event_log log = { 0 };

	is_int(host_load(&m, SRCDIR "/xml-templates/hosts/demo.xml", NULL,
			 &err),
	       0, "the demo host loads");
	/* ccw_uevent (device.c): CU_TYPE, CU_MODEL, DEV_TYPE, DEV_MODEL, MODALIAS */
	is_str(rd(&m, "bus/ccw/devices/0.0.2b09/uevent"),
	       "DRIVER=dasd-eckd\nCU_TYPE=3990\nCU_MODEL=E9\nDEV_TYPE=3390\nDEV_MODEL=0C\nMODALIAS=ccw:t3990mE9dt3390dm0C\n",
	       "a ccw device's uevent has the kernel's variables");
	m.uevent = record;
	m.uevent_opaque = &log;
	is_int(wr(&m, "bus/ccw/devices/0.1.0580/online", "1"), 0,
	       "the tape goes online");
	ok(strncmp(log.last_props,
		   "ACTION=online|DEVPATH=/devices/css0/0.1.0020/0.1.0580|SUBSYSTEM=ccw|CU_TYPE=3590|CU_MODEL=50|DEV_TYPE=3590|DEV_MODEL=11|MODALIAS=ccw:t3590m50dt3590dm11|SEQNUM=",
		   159) == 0,
	   "its online event carries them too (%s)", log.last_props);
	m.uevent = NULL;
	is_str(rd(&m, "bus/ccw/devices/0.1.0580/first_minor"), "0\n",
	       "the online tape has the first minor, 0");
	is_str(rd(&m, "bus/ccw/devices/0.1.0580/non-rewinding/dev"), "252:0\n",
	       "and its non-rewinding device ntibm0");
	is_int(wr(&m, "bus/ccw/devices/0.1.0580/online", "0"), 0,
	       "and offline again");
	is_str(rd(&m, "bus/ccw/devices/0.1.0580/first_minor"), "-1\n",
	       "an offline tape's first_minor is -1");
	is_str(rd(&m, "devices/css0/0.0.0313/vpm"), "00\n",
	       "io_subchannel's vpm: no verified path while the device is offline");
	is_int(wr(&m, "devices/css0/0.0.0313/logging", "1"), 0,
	       "io_subchannel's logging takes a write");
	/* chp status: strncasecmp "on"/"off" or 1/0 of the first word */
	is_str(rd(&m, "devices/css0/chp0.2a/status"), "online\n",
	       "a channel path starts varied online");
	is_int(wr(&m, "devices/css0/chp0.2a/status", "OFFline\n"), 0,
	       "status: 'OFFline' varies off");
	is_str(rd(&m, "devices/css0/chp0.2a/status"), "offline\n",
	       "and status reads offline");
	is_str(rd(&m, "devices/css0/0.0.0314/vpm"), "40\n",
	       "the online DASD's vpm loses path 2a (its first)");
	is_int(wr(&m, "devices/css0/chp0.2a/status", "1"), 0,
	       "status: '1' varies on");
	is_int(wr(&m, "devices/css0/chp0.2a/status", "standby"), -EINVAL,
	       "status: another word is EINVAL");
	is_int(wr(&m, "devices/css0/chp0.2a/status", "  \n"), 0,
	       "status: only blanks do nothing");
	is_str(rd(&m, "devices/css0/chp0.2a/status"), "online\n",
	       "and the path stays online");
	/* configure: "%d %c" must find the number alone, 0 or 1 */
	is_int(wr(&m, "devices/css0/chp0.2a/configure", "0\n"), 0,
	       "configure: 0 puts the path in standby");
	is_str(rd(&m, "devices/css0/chp0.2a/configure"), "0\n",
	       "configure reads 0");
	is_int(wr(&m, "devices/css0/chp0.2a/configure", "2"), -EINVAL,
	       "configure: 2 is EINVAL");
	is_int(wr(&m, "devices/css0/chp0.2a/configure", "1x"), -EINVAL,
	       "configure: a number with more after it is EINVAL");
	is_int(wr(&m, "devices/css0/chp0.2a/configure", " 1 \n"), 0,
	       "configure: blanks around the number are fine");
	is_int(wr(&m, "devices/css0/chp0.2a/type", "1a"), -EACCES,
	       "type is read-only");
	/* cmb_enable 0644: kstrtoul base 16, 0 or 1 */
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/cmb_enable", "1\n"), 0,
	       "cmb_enable: 1 enables channel measurement");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b0b/cmb_enable"), "1\n",
	       "cmb_enable reads 1");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/cmb_enable", "2"), -EINVAL,
	       "cmb_enable: 2 is EINVAL");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/cmb_enable", "yes"), -EINVAL,
	       "cmb_enable: a word is EINVAL");
	/* the DASD driver's files of an offline and an online DASD */
	is_str(rd(&m, "bus/ccw/devices/0.0.2b0b/discipline"), "none\n",
	       "an offline DASD's discipline is none");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b0b/expires"), "(error)",
	       "an offline DASD has no dasd_device: expires fails (ENODEV)");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/use_diag", "1"), 0,
	       "use_diag can be set while offline");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/use_diag", "0"), 0,
	       "and cleared");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/online", "1"), 0,
	       "the DASD goes online");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b0b/discipline"), "ECKD\n",
	       "an online DASD's discipline is ECKD");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b0b/status"), "online\n",
	       "its status is online");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/use_diag", "1"), -EPERM,
	       "use_diag of an online DASD is EPERM");
	is_str(rd(&m, "bus/ccw/devices/0.0.2b0b/block/dasdb/dev"), "94:4\n",
	       "its block device is dasdb, 94:4");
	is_str(rd(&m, "block/dasdb/size"), "4808160\n",
	       "/sys/block/dasdb: 3339 cylinders of 180 4-KiB blocks in 512-byte sectors");
	is_int(wr(&m, "bus/ccw/devices/0.0.2b0b/online", "0"), 0,
	       "the DASD goes offline");
	is_str(rd(&m, "block/dasdb/dev"), "(error)",
	       "and its block device is gone");
	/* cio_ignore: free/add/purge, the kernel's ranges */
	is_int(wr(&m, p, "free 0.0.0000-0.0.00ff,0x100\n"), 0,
	       "cio_ignore: free a range and an old-style devno");
	ok(strncmp(rd(&m, p), "0.0.0101-0.0.2b08\n", 18) == 0,
	   "cio_ignore lists the rest as a range");
	is_int(wr(&m, p, "add 0.0.0005"), 0, "cio_ignore: add one device");
	ok(strncmp(rd(&m, p), "0.0.0005\n0.0.0101-", 18) == 0,
	   "a single device is listed alone");
	is_int(wr(&m, p, "add 0.0.0007,0.0.zz,0.0.0009"), -EINVAL,
	       "cio_ignore: a bad item is EINVAL");
	ok(strncmp(rd(&m, p), "0.0.0005\n0.0.0007\n0.0.0009\n", 27) == 0,
	   "and the good items still apply");
	is_int(wr(&m, p, "add 0.0.0010-0.0.0008"), -EINVAL,
	       "cio_ignore: a backwards range is EINVAL");
	is_int(wr(&m, p, "add +12"), -EINVAL,
	       "cio_ignore: a sign before a devno is EINVAL (simple_strtoul)");
	is_int(wr(&m, p, "add 0.0.012"), -EINVAL,
	       "cio_ignore: a bus id's devno has four digits (pure_hex)");
	is_int(wr(&m, p, "bogus"), -EINVAL, "cio_ignore: no command is EINVAL");
	is_int(wr(&m, p, "purge\n"), 0, "cio_ignore: purge is accepted");
	/* qeth's ccwgroup */
	is_str(rd(&m, "bus/ccwgroup/devices/0.0.f500/online"), "1\n",
	       "the qeth group is online");
	is_int(wr(&m, "devices/qeth/0.0.f500/ungroup", "1"), -EINVAL,
	       "an online group cannot be ungrouped");
	is_int(wr(&m, "devices/qeth/0.0.f500/online", "0"), 0,
	       "the group goes offline");
	is_str(rd(&m, "bus/ccw/devices/0.0.f502/online"), "0\n",
	       "and its data device with it");
	is_int(wr(&m, "devices/qeth/0.0.f500/ungroup", "1"), 0,
	       "an offline group is ungrouped");
	is_str(rd(&m, "bus/ccw/devices/0.0.f501/group_device/online"),
	       "(error)", "its devices have no group_device any more");
	is_int(wr(&m, "bus/ccwgroup/drivers/qeth/group",
		  "0.0.f500,0.0.f501,0.0.f502\n"),
	       0, "the group driver's group makes it again");
	is_str(rd(&m, "bus/ccw/devices/0.0.f501/group_device/online"), "0\n",
	       "offline");
	is_int(wr(&m, "bus/ccwgroup/drivers/qeth/group", "0.0.f500,0.0.2b09"),
	       -EINVAL, "a group of other than three qeth devices is EINVAL");
	is_int(wr(&m, "bus/css/drivers/io_subchannel/unbind", "0.0.0a01"), 0,
	       "the write device's subchannel leaves io_subchannel");
	is_str(rd(&m, "bus/ccwgroup/devices/0.0.f500/online"), "(error)",
	       "and the group is gone with it (ccwgroup_remove_ccwdev)");
	is_str(rd(&m, "bus/ccw/devices/0.0.f500/group_device/online"),
	       "(error)", "its other devices have no group_device");
	model_destroy(&m);
}

/* fault_rules_check, its delay kept in last_delay */
static unsigned long last_delay;

static int check(struct fault_rules *fr, const char *path)
{
	return fault_rules_check(fr, path, &last_delay);
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
	is_int(check(&fr, "bus/css/drivers/vfio_ccw/bind"), 0,
	       "the first write passes");
	is_int(check(&fr, "bus/css/drivers/io_subchannel/bind"), 0,
	       "another path does not count");
	is_int(check(&fr, "/sys/bus/css/drivers/vfio_ccw/bind"), EBUSY,
	       "the second write fails with EBUSY");
	is_int(check(&fr, "bus/css/drivers/vfio_ccw/bind"), 0, "once");
	is_int(check(&fr, "devices/vfio_ap/matrix/" U1 "/assign_domain"),
	       ENOSPC, "wildcards match, errno numbers work");
	is_int(check(&fr, "devices/vfio_ap/matrix/" U1 "/x/assign_domain"), 0,
	       "a wildcard does not cross a /");
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

	/* a delay is the caller's to sleep (simfs_write, without the model's lock) */
	is_int(fault_rules_parse(&fr,
				 "delay bus/ap/apmask 1 500\n"
				 "delay bus/ap/* 2 250\n"
				 "bus/ap/apmask 2 EBUSY\n"
				 "delay bus/ap/apmask 2 100\n",
				 &err),
	       0, "delay rules parse");
	is_int(check(&fr, "bus/ap/apmask"), 0, "a delayed write does not fail");
	is_int((int)last_delay, 500, "the first write takes 500 ms");
	is_int(check(&fr, "bus/ap/apmask"), EBUSY,
	       "the second write fails with EBUSY");
	is_int((int)last_delay, 350,
	       "after the delays of both rules it is the second write of");
	is_int(check(&fr, "bus/ap/apmask"), 0, "the third passes");
	is_int((int)last_delay, 0, "at once");
	fault_rules_clear(&fr);
}

int main(void)
{
	test_profiles();
	test_tree();
	test_host_errors();
	test_css_writes();
	test_fault_rules();
	return tap_done();
}
