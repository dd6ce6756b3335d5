/*
 * virt-mdev-sim's kernel, the ccw device drivers' own files: the DASD
 * driver (drivers/s390/block/dasd_devmap.c's dasd_dev_groups, the block
 * device of an online DASD), the tape driver (drivers/s390/char/tape_core.c,
 * tape_class.c) and qeth's ccwgroup devices (drivers/s390/cio/ccwgroup.c,
 * drivers/s390/net/qeth_core_sys.c). Values the kernel reads from the
 * storage server or the OSA card are the host description's, or the
 * defaults virt-mdev-sim(8) names.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmask.h"
#include "lib/cleanup.h"
#include "model-internal.h"

/* lib/kstrtox.c: optional '+', "0x" for base 16 (and 0), the digits, one trailing newline */
int model_kstrtoul(const char *buf, unsigned base, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = buf;
	int digits = 0;

	if (base == 0)
		return sim_kstrtoul(buf, out);
	if (*s == '+')
		s++;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (~0UL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!digits)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool driver_is(const struct ccw_device *cdev, const char *name)
{
	return strcmp(cdev->driver, name) == 0;
}

static bool is_dasd(const struct ccw_device *cdev)
{
	return driver_is(cdev, "dasd-eckd") || driver_is(cdev, "dasd-fba");
}

static bool is_tape(const struct ccw_device *cdev)
{
	return driver_is(cdev, "tape_34xx") || driver_is(cdev, "tape_3590");
}

static char *cdev_path(struct ccw_device *cdev)
{
	return vfs_path(cdev->dir);
}

/* ---- DASD: dasd_attrs, capacity, extent_pool (dasd_devmap.c) ----------------------- */

/* DASD_FEATURE_* (include/uapi/asm/dasd.h); DASD_FEATURE_DEFAULT is PATH_AUTODISABLE */
#define DASD_FEATURE_READONLY 0x001
#define DASD_FEATURE_USEDIAG 0x002
#define DASD_FEATURE_ERPLOG 0x008
#define DASD_FEATURE_FAILFAST 0x010
#define DASD_FEATURE_FAILONSLCK 0x020
#define DASD_FEATURE_USERAW 0x040
#define DASD_FEATURE_PATH_AUTODISABLE 0x100
#define DASD_FEATURE_REQUEUEQUIESCE 0x200
#define DASD_FEATURE_DEFAULT DASD_FEATURE_PATH_AUTODISABLE

/* a dasd_device exists while the DASD is online (dasd_generic_set_offline deletes it) */
#define CDEV(obj) ((struct ccw_device *)(obj))
#define ONLINE_OR_ENODEV(obj)           \
	do {                            \
		if (!CDEV(obj)->online) \
			return -ENODEV; \
	} while (0)

/* A devmap feature as "1"/"0"; its store kstrtouint base 0, 0 or 1 (dasd_set_feature). */
static int dasd_feature_store(struct ccw_device *cdev, unsigned bit,
			      const char *buf, bool only_offline)
{
	unsigned long v;

	if (model_kstrtoul(buf, 0, &v) < 0 || v > 1)
		return -EINVAL;
	/* use_diag, raw_track_access: "only allowed in offline state", EPERM */
	if (only_offline && cdev->online)
		return -EPERM;
	if (v)
		cdev->dasd_features |= bit;
	else
		cdev->dasd_features &= ~bit;
	return 0;
}

#define DASD_FEATURE_ATTR(fn, bit, only_offline)                              \
	static int dasd_show_##fn(void *model, void *obj, struct strbuf *out) \
	{                                                                     \
		(void)model;                                                  \
		return strbuf_addf(out, "%d\n",                               \
				   (CDEV(obj)->dasd_features & (bit)) != 0);  \
	}                                                                     \
	static int dasd_store_##fn(void *model, void *obj, const char *buf,   \
				   size_t len)                                \
	{                                                                     \
		(void)model;                                                  \
		(void)len;                                                    \
		return dasd_feature_store(CDEV(obj), bit, buf, only_offline); \
	}

DASD_FEATURE_ATTR(readonly, DASD_FEATURE_READONLY, false)
DASD_FEATURE_ATTR(use_diag, DASD_FEATURE_USEDIAG, true)
DASD_FEATURE_ATTR(raw_track_access, DASD_FEATURE_USERAW, true)
DASD_FEATURE_ATTR(erplog, DASD_FEATURE_ERPLOG, false)
DASD_FEATURE_ATTR(failfast, DASD_FEATURE_FAILFAST, false)
DASD_FEATURE_ATTR(path_autodisable, DASD_FEATURE_PATH_AUTODISABLE, false)
DASD_FEATURE_ATTR(aq_requeue, DASD_FEATURE_REQUEUEQUIESCE, false)

/*
 * A value of the dasd_device: -ENODEV while offline (no dasd_device), the
 * simulator's value while online; its store a decimal number (kstrtoul base
 * 10), ENODEV while offline.
 */
#define DASD_DEVICE_ATTR(fn, value)                                           \
	static int dasd_show_##fn(void *model, void *obj, struct strbuf *out) \
	{                                                                     \
		(void)model;                                                  \
		ONLINE_OR_ENODEV(obj);                                        \
		return model_show_str(out, value);                            \
	}
#define DASD_DEVICE_NUM_ATTR(fn, value)                                     \
	DASD_DEVICE_ATTR(fn, value)                                         \
	static int dasd_store_##fn(void *model, void *obj, const char *buf, \
				   size_t len)                              \
	{                                                                   \
		unsigned long v;                                            \
		(void)model;                                                \
		(void)len;                                                  \
		ONLINE_OR_ENODEV(obj);                                      \
		return model_kstrtoul(buf, 10, &v) < 0 ? -EINVAL : 0;       \
	}

DASD_DEVICE_NUM_ATTR(expires, "30")
DASD_DEVICE_NUM_ATTR(retries, "256")
DASD_DEVICE_NUM_ATTR(timeout, "0")
DASD_DEVICE_NUM_ATTR(path_threshold, "256")
DASD_DEVICE_NUM_ATTR(path_interval, "300")
DASD_DEVICE_NUM_ATTR(aq_timeouts, "0")
DASD_DEVICE_ATTR(host_access_count, "1")
DASD_DEVICE_ATTR(hpf, "1")
DASD_DEVICE_ATTR(fc_security, "Unsupported")
DASD_DEVICE_ATTR(copy_role, "none")
/* DASD_DEFINE_ATTR: the discipline's value, 0 for a volume that is not ESE */
DASD_DEVICE_ATTR(ese, "0")
DASD_DEVICE_ATTR(extent_size, "0")
DASD_DEVICE_ATTR(pool_id, "0")
DASD_DEVICE_ATTR(space_configured, "0")
DASD_DEVICE_ATTR(space_allocated, "0")
DASD_DEVICE_ATTR(logical_capacity, "0")
DASD_DEVICE_ATTR(warn_threshold, "0")
DASD_DEVICE_ATTR(cap_at_warnlevel, "0")
DASD_DEVICE_ATTR(pool_oos, "0")

/* dasd_discipline_show: the discipline's name while online, else "none" */
static int dasd_show_discipline(void *model, void *obj, struct strbuf *out)
{
	struct ccw_device *cdev = obj;

	(void)model;
	if (!cdev->online)
		return model_show_str(out, "none");
	return model_show_str(out,
			      driver_is(cdev, "dasd-fba") ? "FBA" : "ECKD");
}

/* dasd_device_status_show: "unknown" without a dasd_device, "online" when it is */
static int dasd_show_status(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, CDEV(obj)->online ? "online" : "unknown");
}

/* dasd_alias_show: 1 only for a PAV alias (the simulated DASDs are base devices) */
static int dasd_show_alias(void *model, void *obj, struct strbuf *out)
{
	return model_show_zero(model, obj, out);
}

/* dasd_vendor_show / dasd_uid_show: from the discipline's uid, empty while offline */
static int dasd_show_vendor(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, CDEV(obj)->online ? "IBM" : "");
}

static int dasd_show_uid(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, CDEV(obj)->online ? CDEV(obj)->uid : "");
}

/* dasd_eer_show: 0 unless extended error reporting was enabled (not simulated) */
static int dasd_show_eer_enabled(void *model, void *obj, struct strbuf *out)
{
	return model_show_zero(model, obj, out);
}

static int dasd_store_eer_enabled(void *model, void *obj, const char *buf,
				  size_t len)
{
	unsigned long v;

	(void)model;
	(void)len;
	ONLINE_OR_ENODEV(obj);
	if (model_kstrtoul(buf, 0, &v) < 0 || v > 1)
		return -EINVAL;
	return v ? -EOPNOTSUPP : 0;
}

/* dasd_reservation_policy_show: "fail" with FAILONSLCK, else "ignore"; store sysfs_streq of the two */
static int dasd_show_reservation_policy(void *model, void *obj,
					struct strbuf *out)
{
	(void)model;
	return model_show_str(out, CDEV(obj)->dasd_features &
						   DASD_FEATURE_FAILONSLCK ?
					   "fail" :
					   "ignore");
}

static bool sysfs_streq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 &&
	       (a[n] == '\0' || (a[n] == '\n' && a[n + 1] == '\0'));
}

static int dasd_store_reservation_policy(void *model, void *obj,
					 const char *buf, size_t len)
{
	(void)model;
	(void)len;
	if (sysfs_streq(buf, "ignore"))
		CDEV(obj)->dasd_features &= ~DASD_FEATURE_FAILONSLCK;
	else if (sysfs_streq(buf, "fail"))
		CDEV(obj)->dasd_features |= DASD_FEATURE_FAILONSLCK;
	else
		return -EINVAL;
	return 0;
}

/* dasd_reservation_state_show: "none" (no reserve held or lost) */
static int dasd_show_last_known_reservation_state(void *model, void *obj,
						  struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "none");
}

static int dasd_store_last_known_reservation_state(void *model, void *obj,
						   const char *buf, size_t len)
{
	(void)model;
	(void)len;
	ONLINE_OR_ENODEV(obj);
	return sysfs_streq(buf, "reset") ? 0 : -EINVAL;
}

/* dasd_pm_show: "0" without a dasd_device, else opm nppm cablepm cuirpm hpfpm ifccpm */
static int dasd_show_path_masks(void *model, void *obj, struct strbuf *out)
{
	struct ccw_device *cdev = obj;
	struct subchannel *sch = cdev->sch;

	if (!cdev->online)
		return model_show_str(out, "0");
	return strbuf_addf(out, "%02x 00 00 00 00 00\n",
			   sch->pim & sch->pam & sch->pom &
				   model_chp_opm(model, sch));
}

/* path_reset: clears the error-disabled paths (ifccpm); write-only */
static int dasd_store_path_reset(void *model, void *obj, const char *buf,
				 size_t len)
{
	unsigned long v;

	(void)model;
	(void)len;
	ONLINE_OR_ENODEV(obj);
	return model_kstrtoul(buf, 16, &v) < 0 || v > 0xff ? -EINVAL : 0;
}

/* dasd_copy_pair_show: ENODEV without a copy relation (none is simulated) */
static int dasd_show_copy_pair(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	(void)out;
	return -ENODEV;
}

static int dasd_store_copy_pair(void *model, void *obj, const char *buf,
				size_t len)
{
	(void)model;
	(void)obj;
	(void)len;
	return strncmp(buf, "clear", 5) == 0 ? -EINVAL : -EOPNOTSUPP;
}

/* ping (DASD ECKD NOP): ENODEV offline, done online */
static int dasd_store_ping(void *model, void *obj, const char *buf, size_t len)
{
	(void)model;
	(void)buf;
	(void)len;
	ONLINE_OR_ENODEV(obj);
	return 0;
}

static int dasd_show_aq_mask(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", CDEV(obj)->dasd_aq_mask);
}

static int dasd_store_aq_mask(void *model, void *obj, const char *buf,
			      size_t len)
{
	unsigned long v;

	(void)model;
	(void)len;
	/* kstrtouint base 0, at most DASD_EER_VALID (the trigger bits 1-7 and autoquiesce, bit 31) */
	if (model_kstrtoul(buf, 0, &v) < 0 || v > 0x800000feUL)
		return -EINVAL;
	CDEV(obj)->dasd_aq_mask = (unsigned)v;
	return 0;
}

static int dasd_set_online(struct model *m, struct ccw_device *cdev,
			   bool online);

/* safe_offline: the DASD goes offline after its outstanding I/O; ENODEV while offline */
static int dasd_store_safe_offline(void *model, void *obj, const char *buf,
				   size_t len)
{
	struct ccw_device *cdev = obj;
	int r;

	(void)buf;
	(void)len;
	ONLINE_OR_ENODEV(obj);
	r = dasd_set_online(model, cdev, false);
	if (r < 0)
		return r;
	cdev->online = false;
	model_emit(model, "offline", cdev->dir, "ccw", NULL);
	return 0;
}

#define RW(fn) dasd_show_##fn, dasd_store_##fn
#define RO(fn) dasd_show_##fn, NULL

/* dasd_attrs[] (dasd_devmap.c), in the kernel's order */
static const struct vfs_attr dasd_attrs[] = {
	{ "readonly", 0644, RW(readonly) },
	{ "discipline", 0444, RO(discipline) },
	{ "status", 0444, RO(status) },
	{ "alias", 0444, RO(alias) },
	{ "vendor", 0444, RO(vendor) },
	{ "uid", 0444, RO(uid) },
	{ "use_diag", 0644, RW(use_diag) },
	{ "raw_track_access", 0644, RW(raw_track_access) },
	{ "eer_enabled", 0644, RW(eer_enabled) },
	{ "erplog", 0644, RW(erplog) },
	{ "failfast", 0644, RW(failfast) },
	{ "expires", 0644, RW(expires) },
	{ "retries", 0644, RW(retries) },
	{ "timeout", 0644, RW(timeout) },
	{ "reservation_policy", 0644, RW(reservation_policy) },
	{ "last_known_reservation_state", 0644,
	  RW(last_known_reservation_state) },
	{ "safe_offline", 0200, NULL, dasd_store_safe_offline },
	{ "host_access_count", 0444, RO(host_access_count) },
	{ "path_masks", 0444, RO(path_masks) },
	{ "path_threshold", 0644, RW(path_threshold) },
	{ "path_autodisable", 0644, RW(path_autodisable) },
	{ "path_interval", 0644, RW(path_interval) },
	{ "path_reset", 0200, NULL, dasd_store_path_reset },
	{ "hpf", 0444, RO(hpf) },
	{ "ese", 0444, RO(ese) },
	{ "fc_security", 0444, RO(fc_security) },
	{ "copy_pair", 0644, RW(copy_pair) },
	{ "copy_role", 0444, RO(copy_role) },
	{ "ping", 0200, NULL, dasd_store_ping },
	{ "aq_mask", 0644, RW(aq_mask) },
	{ "aq_requeue", 0644, RW(aq_requeue) },
	{ "aq_timeouts", 0644, RW(aq_timeouts) },
};

static const struct vfs_attr dasd_capacity_attrs[] = {
	{ "space_configured", 0444, RO(space_configured) },
	{ "space_allocated", 0444, RO(space_allocated) },
	{ "logical_capacity", 0444, RO(logical_capacity) },
};

static const struct vfs_attr dasd_ext_pool_attrs[] = {
	{ "pool_id", 0444, RO(pool_id) },
	{ "extent_size", 0444, RO(extent_size) },
	{ "warn_threshold", 0444, RO(warn_threshold) },
	{ "cap_at_warnlevel", 0444, RO(cap_at_warnlevel) },
	{ "pool_oos", 0444, RO(pool_oos) },
};

#undef RW
#undef RO

/* ---- DASD block devices: dasda, its partition dasda1 (block/genhd.c, dasd_genhd.c) ---- */

#define DASD_MAJOR 94
#define DASD_PARTN_BITS 2

/* 3390 geometry: 15 tracks per cylinder, 12 blocks of 4 KiB per track; CDL keeps tracks 0-1 */
static unsigned long dasd_blocks(const struct ccw_device *cdev)
{
	return (unsigned long)cdev->cylinders * 15 * 12;
}

static void dasd_name(const struct ccw_device *cdev, char *buf, size_t size)
{
	int i = cdev->dasd_index;

	/* dasd_device_name: a-z, then aa-zz, then aaa-zzz */
	if (i < 26)
		snprintf(buf, size, "dasd%c", 'a' + i);
	else if (i < 26 + 26 * 26)
		snprintf(buf, size, "dasd%c%c", 'a' + (i - 26) / 26,
			 'a' + (i - 26) % 26);
	else
		snprintf(buf, size, "dasd%c%c%c",
			 'a' + (i - 26 - 676) / 676 % 26,
			 'a' + (i - 26 - 676) / 26 % 26,
			 'a' + (i - 26 - 676) % 26);
}

/* the disk's attributes show the ccw device (obj), the partition's have their own shows */
static int blk_minor(const struct ccw_device *cdev)
{
	return cdev->dasd_index << DASD_PARTN_BITS;
}

static int blk_show_dev(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d:%d\n", DASD_MAJOR, blk_minor(obj));
}

static int part_show_dev(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d:%d\n", DASD_MAJOR, blk_minor(obj) + 1);
}

/* size in 512-byte sectors: the disk's, or the partition's from track 2 on */
static int blk_show_size(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%lu\n", dasd_blocks(obj) * 8);
}

static int part_show_size(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%lu\n", dasd_blocks(obj) * 8 - 2 * 12 * 8);
}

static int part_show_start(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "192");
}

static int blk_show_ro(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n",
			   (CDEV(obj)->dasd_features & DASD_FEATURE_READONLY) !=
				   0);
}

/* the disk's partition range: 1 << DASD_PARTN_BITS minors */
static int blk_show_range(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_addf(out, "%d\n", 1 << DASD_PARTN_BITS);
}

static int blk_show_4096(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "4096");
}

static int blk_show_uevent(void *model, void *obj, struct strbuf *out)
{
	char name[16];

	(void)model;
	dasd_name(obj, name, sizeof(name));
	return strbuf_addf(out,
			   "MAJOR=%d\nMINOR=%d\nDEVNAME=%s\nDEVTYPE=disk\n",
			   DASD_MAJOR, blk_minor(obj), name);
}

static int part_show_uevent(void *model, void *obj, struct strbuf *out)
{
	char name[16];

	(void)model;
	dasd_name(obj, name, sizeof(name));
	return strbuf_addf(
		out,
		"MAJOR=%d\nMINOR=%d\nDEVNAME=%s1\nDEVTYPE=partition\nPARTN=1\n",
		DASD_MAJOR, blk_minor(obj) + 1, name);
}

static const struct vfs_attr blk_disk_attrs[] = {
	{ "dev", 0444, blk_show_dev, NULL },
	{ "size", 0444, blk_show_size, NULL },
	{ "ro", 0444, blk_show_ro, NULL },
	{ "removable", 0444, model_show_zero, NULL },
	{ "range", 0444, blk_show_range, NULL },
	/* disk_attrs: hidden (5.7) is 1 only for a hidden multipath member */
	{ "hidden", 0444, model_show_zero, NULL },
	{ "uevent", 0644, blk_show_uevent, model_store_nothing },
};

static const struct vfs_attr blk_queue_attrs[] = {
	{ "hw_sector_size", 0444, blk_show_4096, NULL },
	{ "logical_block_size", 0444, blk_show_4096, NULL },
	{ "physical_block_size", 0444, blk_show_4096, NULL },
	{ "rotational", 0444, model_show_zero, NULL },
};

static const struct vfs_attr blk_part_attrs[] = {
	{ "dev", 0444, part_show_dev, NULL },
	{ "size", 0444, part_show_size, NULL },
	{ "start", 0444, part_show_start, NULL },
	{ "partition", 0444, model_show_one, NULL },
	{ "ro", 0444, blk_show_ro, NULL },
	{ "uevent", 0644, part_show_uevent, model_store_nothing },
};

static int dasd_block_add(struct model *m, struct ccw_device *cdev)
{
	_cleanup_free_ char *devpath = cdev_path(cdev);
	struct vfs_node *blk, *disk, *q, *part;
	char name[16], pname[20];
	int minor = cdev->dasd_index << DASD_PARTN_BITS;

	if (!devpath)
		return -ENOMEM;
	dasd_name(cdev, name, sizeof(name));
	snprintf(pname, sizeof(pname), "%s1", name);
	CHECK(blk = vfs_add_dir(&m->vfs, cdev->dir, "block"));
	CHECK(disk = vfs_add_dir(&m->vfs, blk, name));
	if (model_add_attrs(m, disk, blk_disk_attrs, ARRAY_SIZE(blk_disk_attrs),
			    cdev) < 0)
		return -ENOMEM;
	CHECK(q = vfs_add_dir(&m->vfs, disk, "queue"));
	if (model_add_attrs(m, q, blk_queue_attrs, ARRAY_SIZE(blk_queue_attrs),
			    cdev) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, disk, "device", "%s", devpath));
	CHECK(vfs_add_link(&m->vfs, disk, "subsystem", "class/block"));
	CHECK(part = vfs_add_dir(&m->vfs, disk, pname));
	if (model_add_attrs(m, part, blk_part_attrs, ARRAY_SIZE(blk_part_attrs),
			    cdev) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, part, "subsystem", "class/block"));
	CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "block"), name,
			   "%s/block/%s", devpath, name));
	CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "class/block"), name,
			   "%s/block/%s", devpath, name));
	CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "class/block"), pname,
			   "%s/block/%s/%s", devpath, name, pname));
	{
		char mm[16];

		snprintf(mm, sizeof(mm), "%d:%d", DASD_MAJOR, minor);
		CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "dev/block"),
				   mm, "%s/block/%s", devpath, name));
		snprintf(mm, sizeof(mm), "%d:%d", DASD_MAJOR, minor + 1);
		CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "dev/block"),
				   mm, "%s/block/%s/%s", devpath, name, pname));
	}
	model_emit(m, "add", disk, "block", NULL);
	model_emit(m, "add", part, "block", NULL);
	return 0;
}

static void dasd_block_remove(struct model *m, struct ccw_device *cdev)
{
	struct vfs_node *blk = vfs_child(cdev->dir, "block");
	char name[16], pname[20], mm[16];
	int minor = cdev->dasd_index << DASD_PARTN_BITS;

	if (!blk)
		return;
	dasd_name(cdev, name, sizeof(name));
	snprintf(pname, sizeof(pname), "%s1", name);
	{
		struct vfs_node *disk = vfs_child(blk, name);

		if (disk) {
			struct vfs_node *part = vfs_child(disk, pname);

			if (part)
				model_emit(m, "remove", part, "block", NULL);
			model_emit(m, "remove", disk, "block", NULL);
		}
	}
	vfs_remove(&m->vfs, model_dir(m, "block"), name);
	vfs_remove(&m->vfs, model_dir(m, "class/block"), name);
	vfs_remove(&m->vfs, model_dir(m, "class/block"), pname);
	snprintf(mm, sizeof(mm), "%d:%d", DASD_MAJOR, minor);
	vfs_remove(&m->vfs, model_dir(m, "dev/block"), mm);
	snprintf(mm, sizeof(mm), "%d:%d", DASD_MAJOR, minor + 1);
	vfs_remove(&m->vfs, model_dir(m, "dev/block"), mm);
	vfs_remove_node(&m->vfs, blk);
}

/* dasd_generic_set_online: the devmap's devindex is the first free one when it first goes online */
static int dasd_set_online(struct model *m, struct ccw_device *cdev,
			   bool online)
{
	if (!online) {
		dasd_block_remove(m, cdev);
		return 0;
	}
	if (cdev->dasd_index < 0)
		cdev->dasd_index = (int)m->dasd_next_index++;
	return dasd_block_add(m, cdev);
}

/* ---- tape (tape_core.c, tape_class.c) -------------------------------------------- */

#define TAPE_MINORS_PER_DEV 2

static int tape_show_first_minor(void *model, void *obj, struct strbuf *out)
{
	struct ccw_device *cdev = obj;

	(void)model;
	return strbuf_addf(
		out, "%d\n",
		cdev->online ? cdev->tape_index * TAPE_MINORS_PER_DEV : -1);
}

/* tape_state_show: "OFFLINE" while first_minor < 0, else the state (TS_UNUSED when not opened) */
static int tape_show_state(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, CDEV(obj)->online ? "UNUSED" : "OFFLINE");
}

/* tape_operation_show: "N/A" while offline, "---" without a request */
static int tape_show_operation(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, CDEV(obj)->online ? "---" : "N/A");
}

/* medium_state (MS_UNKNOWN until a medium sense) and blocksize (0: variable) */
static const struct vfs_attr tape_attrs[] = {
	{ "medium_state", 0444, model_show_zero, NULL },
	{ "first_minor", 0444, tape_show_first_minor, NULL },
	{ "state", 0444, tape_show_state, NULL },
	{ "operation", 0444, tape_show_operation, NULL },
	{ "blocksize", 0444, model_show_zero, NULL },
};

/* the character devices' major: tapechar_init allocates one (the simulator's is 252) */
#define TAPE_MAJOR 252

static int tape_node_dev(const struct ccw_device *cdev, int rewinding,
			 struct strbuf *out)
{
	return strbuf_addf(out, "%d:%d\n", TAPE_MAJOR,
			   cdev->tape_index * TAPE_MINORS_PER_DEV + rewinding);
}

static int tape_nt_show_dev(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return tape_node_dev(obj, 0, out);
}

static int tape_rt_show_dev(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return tape_node_dev(obj, 1, out);
}

static int tape_node_uevent(const struct ccw_device *cdev, int rewinding,
			    struct strbuf *out)
{
	return strbuf_addf(out, "MAJOR=%d\nMINOR=%d\nDEVNAME=%ctibm%d\n",
			   TAPE_MAJOR,
			   cdev->tape_index * TAPE_MINORS_PER_DEV + rewinding,
			   rewinding ? 'r' : 'n', cdev->tape_index);
}

static int tape_nt_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return tape_node_uevent(obj, 0, out);
}

static int tape_rt_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return tape_node_uevent(obj, 1, out);
}

static const struct vfs_attr tape_node_attrs[2][2] = {
	{ { "dev", 0444, tape_nt_show_dev, NULL },
	  { "uevent", 0644, tape_nt_show_uevent, model_store_nothing } },
	{ { "dev", 0444, tape_rt_show_dev, NULL },
	  { "uevent", 0644, tape_rt_show_uevent, model_store_nothing } },
};

/* register_tape_dev: devices/virtual/tape390/ntibmN and rtibmN, linked from the ccw device */
static int tape_set_online(struct model *m, struct ccw_device *cdev,
			   bool online)
{
	static const char *const modes[2] = { "non-rewinding", "rewinding" };
	_cleanup_free_ char *devpath = cdev_path(cdev);
	struct vfs_node *cls;

	if (!devpath)
		return -ENOMEM;
	CHECK(cls = vfs_mkdir_p(&m->vfs, "devices/virtual/tape390"));
	if (!online) {
		for (int i = 0; i < 2; i++) {
			char name[24];
			struct vfs_node *n;

			snprintf(name, sizeof(name), "%ctibm%d", i ? 'r' : 'n',
				 cdev->tape_index);
			n = vfs_child(cls, name);
			if (n)
				model_emit(m, "remove", n, "tape390", NULL);
			vfs_remove(&m->vfs, cls, name);
			vfs_remove(&m->vfs, model_dir(m, "class/tape390"),
				   name);
			vfs_remove(&m->vfs, cdev->dir, modes[i]);
			snprintf(name, sizeof(name), "%d:%d", TAPE_MAJOR,
				 cdev->tape_index * TAPE_MINORS_PER_DEV + i);
			vfs_remove(&m->vfs, model_dir(m, "dev/char"), name);
		}
		return 0;
	}
	/* tape_assign_minor: the lowest free index */
	for (int idx = 0;; idx++) {
		char name[24];

		snprintf(name, sizeof(name), "ntibm%d", idx);
		if (!vfs_child(cls, name)) {
			cdev->tape_index = idx;
			break;
		}
	}
	for (int i = 0; i < 2; i++) {
		struct vfs_node *n;
		char name[24];

		snprintf(name, sizeof(name), "%ctibm%d", i ? 'r' : 'n',
			 cdev->tape_index);
		CHECK(n = vfs_add_dir(&m->vfs, cls, name));
		if (model_add_attrs(m, n, tape_node_attrs[i],
				    ARRAY_SIZE(tape_node_attrs[i]), cdev) < 0)
			return -ENOMEM;
		CHECK(vfs_add_link(&m->vfs, n, "device", "%s", devpath));
		CHECK(vfs_add_link(&m->vfs, n, "subsystem", "class/tape390"));
		CHECK(vfs_add_link(&m->vfs,
				   vfs_mkdir_p(&m->vfs, "class/tape390"), name,
				   "devices/virtual/tape390/%s", name));
		CHECK(vfs_add_link(&m->vfs, cdev->dir, modes[i],
				   "devices/virtual/tape390/%s", name));
		{
			char mm[16];

			snprintf(mm, sizeof(mm), "%d:%d", TAPE_MAJOR,
				 cdev->tape_index * TAPE_MINORS_PER_DEV + i);
			CHECK(vfs_add_link(&m->vfs,
					   vfs_mkdir_p(&m->vfs, "dev/char"), mm,
					   "devices/virtual/tape390/%s", name));
		}
		model_emit(m, "add", n, "tape390", NULL);
	}
	return 0;
}

/* ---- qeth ccwgroup devices (ccwgroup.c, qeth_core_sys.c) ------------------------------ */

#define GROUP(obj) ((struct ccw_group *)(obj))

static void group_name(const struct ccw_group *g, char *buf)
{
	ccw_id_format(&g->busid, buf);
}

/* ccwgroup_set_online/offline: qeth's set_online brings the read, write and data devices along */
static void group_set_online(struct model *m, struct ccw_group *g, bool online)
{
	for (int i = 0; i < 3; i++) {
		struct ccw_device *cdev = &g->schs[i]->cdev;

		if (cdev->online == online || !cdev->dir)
			continue;
		cdev->online = online;
		model_emit(m, online ? "online" : "offline", cdev->dir, "ccw",
			   NULL);
	}
	g->online = online;
	model_emit(m, "change", g->dir, "ccwgroup", NULL);
}

static int group_show_online(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", GROUP(obj)->online);
}

/* ccwgroup_online_store: kstrtoul base 0, 1 online, 0 offline, else EINVAL */
static int group_store_online(void *model, void *obj, const char *buf,
			      size_t len)
{
	unsigned long v;

	(void)len;
	if (model_kstrtoul(buf, 0, &v) < 0 || v > 1)
		return -EINVAL;
	if ((v == 1) != GROUP(obj)->online)
		group_set_online(model, obj, v == 1);
	return 0;
}

static void group_remove(struct model *m, struct ccw_group *g);

/* ccwgroup_ungroup_store: only an offline group (EINVAL while online) */
static int group_store_ungroup(void *model, void *obj, const char *buf,
			       size_t len)
{
	(void)buf;
	(void)len;
	if (GROUP(obj)->online)
		return -EINVAL;
	group_remove(model, obj);
	return 0;
}

static int group_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "DRIVER=qeth");
}

/* qeth_dev_state_show: DOWN offline; UP (LAN ONLINE) online with the LAN up */
static int qeth_show_state(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out,
			      GROUP(obj)->online ? "UP (LAN ONLINE)" : "DOWN");
}

/* qeth_dev_chpid_show: "%02X" of the read device's first CHPID */
static int qeth_show_chpid(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%02X\n", GROUP(obj)->schs[0]->chpids[0]);
}

/* the interface's name as udev's predictable names make it: enc + the device number */
static int qeth_show_if_name(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "enc%x\n", GROUP(obj)->busid.devno);
}

static int qeth_show_card_type(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, GROUP(obj)->card_type);
}

static int qeth_show_portno(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", GROUP(obj)->portno);
}

static int qeth_show_layer2(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", GROUP(obj)->layer2);
}

#define QETH_CONST(fn, text)                                                  \
	static int qeth_show_##fn(void *model, void *obj, struct strbuf *out) \
	{                                                                     \
		(void)model;                                                  \
		(void)obj;                                                    \
		return model_show_str(out, text);                             \
	}
QETH_CONST(inbuf_size, "64k")
QETH_CONST(portname, "no portname required")
QETH_CONST(priority_queueing, "always queue 2")
QETH_CONST(buffer_count, "64")
QETH_CONST(isolation, "none")
QETH_CONST(hw_trap, "disarm")

/* the network interface qeth registers below the group device (net/IFNAME, class/net) */
static int net_show_ifindex(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;

	for (size_t i = 0; i < m->ngroups; i++)
		if (m->groups[i] == obj)
			return strbuf_addf(out, "%zu\n", i + 2);
	return model_show_str(out, "0");
}

static int net_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct strbuf idx = STRBUF_INIT;
	int r;

	if (net_show_ifindex(model, obj, &idx) < 0)
		return -ENOMEM;
	r = strbuf_addf(out, "INTERFACE=enc%x\nIFINDEX=%s",
			GROUP(obj)->busid.devno, idx.buf);
	strbuf_release(&idx);
	return r;
}

static int net_show_address(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "02:00:00:00:%02x:%02x\n",
			   GROUP(obj)->busid.devno >> 8,
			   GROUP(obj)->busid.devno & 0xff);
}

static int net_show_operstate(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, GROUP(obj)->online ? "up" : "down");
}

static int net_show_mtu(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "1500");
}

/* ARPHRD_ETHER (1): a layer 2 OSD */
static const struct vfs_attr net_attrs[] = {
	{ "ifindex", 0444, net_show_ifindex, NULL },
	{ "address", 0444, net_show_address, NULL },
	{ "operstate", 0444, net_show_operstate, NULL },
	{ "mtu", 0644, net_show_mtu, NULL },
	{ "type", 0444, model_show_one, NULL },
	{ "uevent", 0644, net_show_uevent, model_store_nothing },
};

/*
 * qeth_l2_sys.c, a layer-2 OSD in an LPAR: no BridgePort role (bridge_role
 * "none", bridge_state "inactive"), host notification off, no VNIC
 * characteristics (qeth_l2_vnicc_get_state: EOPNOTSUPP, shown "n/a").
 */
QETH_CONST(bridge_role, "none")
QETH_CONST(bridge_state, "inactive")
QETH_CONST(bridge_hostnotify, "0")
QETH_CONST(bridge_reflect_promisc, "none")
QETH_CONST(vnicc_na, "n/a")

static int sysfs_streq_any(const char *buf, const char *const *words)
{
	for (; *words; words++)
		if (sysfs_streq(buf, *words))
			return 1;
	return 0;
}

/* role and reflect_promisc: none, primary or secondary; the card supports no BridgePort */
static int qeth_store_bridge_word(void *model, void *obj, const char *buf,
				  size_t len)
{
	static const char *const words[] = { "none", "primary", "secondary",
					     NULL };

	(void)model;
	(void)obj;
	(void)len;
	if (!sysfs_streq_any(buf, words))
		return -EINVAL;
	return sysfs_streq(buf, "none") ? 0 : -EOPNOTSUPP;
}

/* kstrtobool: 1/y/Y/t/T/on, 0/n/N/f/F/off */
static int kstrtobool_sim(const char *buf, bool *out)
{
	static const char *const yes[] = { "1", "y", "Y", "t", "T", "on", NULL };
	static const char *const no[] = { "0", "n", "N", "f", "F", "off", NULL };

	if (!buf[0])
		return -EINVAL;
	for (int i = 0; yes[i]; i++)
		if (strncmp(buf, yes[i], strlen(yes[i])) == 0) {
			*out = true;
			return 0;
		}
	for (int i = 0; no[i]; i++)
		if (strncmp(buf, no[i], strlen(no[i])) == 0) {
			*out = false;
			return 0;
		}
	return -EINVAL;
}

/* hostnotify and the VNIC characteristics: a bool; turning one on is not supported */
static int qeth_store_bool_unsupported(void *model, void *obj, const char *buf,
				       size_t len)
{
	bool v;

	(void)model;
	(void)obj;
	(void)len;
	if (kstrtobool_sim(buf, &v) < 0)
		return -EINVAL;
	return v ? -EOPNOTSUPP : 0;
}

static int qeth_store_learning_timeout(void *model, void *obj, const char *buf,
				       size_t len)
{
	unsigned long v;

	(void)model;
	(void)obj;
	(void)len;
	if (model_kstrtoul(buf, 10, &v) < 0 || v > 0xffffffffUL)
		return -EINVAL;
	return -EOPNOTSUPP;
}

static const struct vfs_attr qeth_vnicc_attrs[] = {
	{ "flooding", 0644, qeth_show_vnicc_na, qeth_store_bool_unsupported },
	{ "mcast_flooding", 0644, qeth_show_vnicc_na,
	  qeth_store_bool_unsupported },
	{ "learning", 0644, qeth_show_vnicc_na, qeth_store_bool_unsupported },
	{ "learning_timeout", 0644, qeth_show_vnicc_na,
	  qeth_store_learning_timeout },
	{ "takeover_setvmac", 0644, qeth_show_vnicc_na,
	  qeth_store_bool_unsupported },
	{ "takeover_learning", 0644, qeth_show_vnicc_na,
	  qeth_store_bool_unsupported },
	{ "bridge_invisible", 0644, qeth_show_vnicc_na,
	  qeth_store_bool_unsupported },
	{ "rx_bcast", 0644, qeth_show_vnicc_na, qeth_store_bool_unsupported },
};

/* the attributes of a ccwgroup device (online, ungroup) and qeth's qeth_device_attrs */
static const struct vfs_attr group_attrs[] = {
	{ "online", 0644, group_show_online, group_store_online },
	{ "ungroup", 0200, NULL, group_store_ungroup },
	{ "uevent", 0644, group_show_uevent, model_store_nothing },
	{ "state", 0444, qeth_show_state, NULL },
	{ "chpid", 0444, qeth_show_chpid, NULL },
	{ "if_name", 0444, qeth_show_if_name, NULL },
	{ "card_type", 0444, qeth_show_card_type, NULL },
	{ "inbuf_size", 0444, qeth_show_inbuf_size, NULL },
	{ "portno", 0644, qeth_show_portno, NULL },
	{ "portname", 0644, qeth_show_portname, NULL },
	{ "priority_queueing", 0644, qeth_show_priority_queueing, NULL },
	{ "buffer_count", 0644, qeth_show_buffer_count, NULL },
	{ "recover", 0200, NULL, model_store_nothing },
	/* qeth_dev_performance_stats_show: always 1 (statistics are always kept) */
	{ "performance_stats", 0644, model_show_one, NULL },
	{ "layer2", 0644, qeth_show_layer2, NULL },
	{ "isolation", 0644, qeth_show_isolation, NULL },
	{ "hw_trap", 0644, qeth_show_hw_trap, NULL },
	/* qeth_l2_bridgeport_attrs */
	{ "bridge_role", 0644, qeth_show_bridge_role, qeth_store_bridge_word },
	{ "bridge_state", 0444, qeth_show_bridge_state, NULL },
	{ "bridge_hostnotify", 0644, qeth_show_bridge_hostnotify,
	  qeth_store_bool_unsupported },
	{ "bridge_reflect_promisc", 0644, qeth_show_bridge_reflect_promisc,
	  qeth_store_bridge_word },
};

/* __ccwgroup_create_symlinks: group_device in each ccw device, cdevN in the group */
int model_ccwgroup_link(struct model *m, struct ccw_device *cdev)
{
	struct ccw_group *g = cdev->group;
	char name[CCW_ID_STRLEN];

	if (!g->dir)
		return 0;
	group_name(g, name);
	CHECK(vfs_add_link(&m->vfs, cdev->dir, "group_device",
			   "devices/qeth/%s", name));
	for (int i = 0; i < 3; i++) {
		_cleanup_free_ char *path = NULL;
		char link[8];

		/* the members are linked as they are found: the later ones are not set yet */
		if (!g->schs[i] || &g->schs[i]->cdev != cdev)
			continue;
		CHECK(path = cdev_path(cdev));
		snprintf(link, sizeof(link), "cdev%d", i);
		CHECK(vfs_add_link(&m->vfs, g->dir, link, "%s", path));
	}
	return 0;
}

/*
 * ccwgroup_remove_ccwdev: a member that goes (its subchannel unbound from
 * io_subchannel) is set offline, and "if one of its devices is gone, the
 * whole group is done for": the group is ungrouped.
 */
void model_ccwgroup_unlink(struct model *m, struct ccw_device *cdev)
{
	struct ccw_group *g = cdev->group;

	if (g->online)
		group_set_online(m, g, false);
	group_remove(m, g);
}

static void group_remove(struct model *m, struct ccw_group *g)
{
	char name[CCW_ID_STRLEN];

	group_name(g, name);
	model_emit(m, "remove", g->dir, "ccwgroup", NULL);
	for (int i = 0; i < 3; i++) {
		struct ccw_device *cdev = &g->schs[i]->cdev;

		if (cdev->dir)
			vfs_remove(&m->vfs, cdev->dir, "group_device");
		cdev->group = NULL;
	}
	vfs_remove(&m->vfs, model_dir(m, "bus/ccwgroup/devices"), name);
	vfs_remove(&m->vfs, model_dir(m, "bus/ccwgroup/drivers/qeth"), name);
	{
		char ifname[16];

		snprintf(ifname, sizeof(ifname), "enc%x", g->busid.devno);
		vfs_remove(&m->vfs, model_dir(m, "class/net"), ifname);
	}
	vfs_remove_node(&m->vfs, g->dir);
	for (size_t i = 0; i < m->ngroups; i++) {
		if (m->groups[i] == g) {
			memmove(m->groups + i, m->groups + i + 1,
				(m->ngroups - i - 1) * sizeof(*m->groups));
			m->ngroups--;
			break;
		}
	}
	free(g);
}

static struct subchannel *sch_by_busid(struct model *m, const struct ccw_id *id)
{
	for (size_t i = 0; i < m->nschs; i++)
		if (m->schs[i]->has_device &&
		    ccw_id_equal(&m->schs[i]->cdev.busid, id))
			return m->schs[i];
	return NULL;
}

int model_add_ccwgroup(struct model *m, const struct ccw_id ids[3],
		       const char *card_type, bool online)
{
	struct ccw_group *g, **a;
	struct vfs_node *root;
	char name[CCW_ID_STRLEN];

	/* ccwgroup_create_dev: each a ccw device of the group driver's (qeth), none grouped yet */
	for (int i = 0; i < 3; i++) {
		struct subchannel *sch = sch_by_busid(m, &ids[i]);

		if (!sch || !sch->cdev.dir || !driver_is(&sch->cdev, "qeth"))
			return -ENODEV;
		if (sch->cdev.group)
			return -EINVAL;
		for (int j = 0; j < i; j++)
			if (ccw_id_equal(&ids[i], &ids[j]))
				return -EINVAL;
	}
	CHECK(g = calloc(1, sizeof(*g)));
	a = realloc(m->groups, (m->ngroups + 1) * sizeof(*a));
	if (!a) {
		free(g);
		CHECK(NULL);
	}
	m->groups = a;
	m->groups[m->ngroups++] = g;
	g->busid = ids[0];
	snprintf(g->card_type, sizeof(g->card_type), "%s", card_type);
	g->layer2 = true;
	group_name(g, name);
	CHECK(root = model_dir(m, "devices/qeth"));
	CHECK(g->dir = vfs_add_dir(&m->vfs, root, name));
	if (model_add_attrs(m, g->dir, group_attrs, ARRAY_SIZE(group_attrs),
			    g) < 0)
		return -ENOMEM;
	{
		struct vfs_node *v;

		CHECK(v = vfs_add_dir(&m->vfs, g->dir, "vnicc"));
		if (model_add_attrs(m, v, qeth_vnicc_attrs,
				    ARRAY_SIZE(qeth_vnicc_attrs), g) < 0)
			return -ENOMEM;
	}
	CHECK(vfs_add_link(&m->vfs, g->dir, "subsystem", "bus/ccwgroup"));
	CHECK(vfs_add_link(&m->vfs, g->dir, "driver",
			   "bus/ccwgroup/drivers/qeth"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ccwgroup/devices"), name,
			   "devices/qeth/%s", name));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ccwgroup/drivers/qeth"),
			   name, "devices/qeth/%s", name));
	for (int i = 0; i < 3; i++) {
		g->schs[i] = sch_by_busid(m, &ids[i]);
		g->schs[i]->cdev.group = g;
		if (model_ccwgroup_link(m, &g->schs[i]->cdev) < 0)
			return -ENOMEM;
	}
	model_emit(m, "add", g->dir, "ccwgroup", NULL);
	model_emit_bind(m, g->dir, "ccwgroup", "qeth");
	{
		struct vfs_node *net, *dev;
		char ifname[16];

		snprintf(ifname, sizeof(ifname), "enc%x", g->busid.devno);
		CHECK(net = vfs_add_dir(&m->vfs, g->dir, "net"));
		CHECK(dev = vfs_add_dir(&m->vfs, net, ifname));
		if (model_add_attrs(m, dev, net_attrs, ARRAY_SIZE(net_attrs),
				    g) < 0)
			return -ENOMEM;
		CHECK(vfs_add_link(&m->vfs, dev, "subsystem", "class/net"));
		CHECK(vfs_add_link(&m->vfs, dev, "device", "devices/qeth/%s",
				   name));
		CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "class/net"),
				   ifname, "devices/qeth/%s/net/%s", name,
				   ifname));
	}
	/* the group is online as its devices are said to be */
	g->online = false;
	if (online)
		group_set_online(m, g, true);
	return 0;
}

/* ccwgroup driver's group attribute: three bus ids separated by commas (qeth's num_devices) */
static int qeth_store_group(void *model, void *obj, const char *buf, size_t len)
{
	_cleanup_free_ char *copy = strndup(buf, len);
	struct ccw_id ids[3];
	char *p, *tok;
	int n = 0, r;

	(void)obj;
	if (!copy)
		return -ENOMEM;
	p = copy;
	while ((tok = strsep(&p, ",")) && n <= 3) {
		size_t l = strlen(tok);

		if (l && tok[l - 1] == '\n')
			tok[l - 1] = '\0';
		if (n == 3 ||
		    ccw_id_parse(tok, CCW_ID_BUSID, &ids[n], NULL) < 0)
			return -EINVAL;
		n++;
	}
	if (n != 3)
		return -EINVAL;
	r = model_add_ccwgroup(model, ids, "OSD_10GIG", false);
	return r == -ENODEV ? -EINVAL : r;
}

static const struct vfs_attr qeth_group_attr = { "group", 0200, NULL,
						 qeth_store_group };

static const struct vfs_attr qeth_root_uevent = { "uevent", 0644,
						  group_show_uevent,
						  model_store_nothing };

/* the modules of the ccw drivers (drivers/DRIVER/module -> module/NAME) */
static const char *const ccw_modules[][2] = {
	{ "dasd-eckd", "dasd_eckd_mod" },
	{ "dasd-fba", "dasd_fba_mod" },
	{ "qeth", "qeth" },
	{ "tape_34xx", "tape_34xx" },
	{ "tape_3590", "tape_3590" },
};

/* A ccw driver's directory appears with its first device: its module link with it. */
int model_ccwdrv_driver_dir(struct model *m, struct vfs_node *drv,
			    const char *driver)
{
	for (size_t i = 0; i < ARRAY_SIZE(ccw_modules); i++) {
		char path[64];

		if (strcmp(driver, ccw_modules[i][0]) != 0 ||
		    vfs_child(drv, "module"))
			continue;
		snprintf(path, sizeof(path), "module/%s", ccw_modules[i][1]);
		CHECK(vfs_mkdir_p(&m->vfs, path));
		CHECK(vfs_add_link(&m->vfs, drv, "module", "%s", path));
	}
	return 0;
}

int model_ccwgroup_init(struct model *m)
{
	struct vfs_node *n;

	/* /sys/dev/block and /sys/dev/char (drivers/base/core.c devices_init) */
	CHECK(vfs_mkdir_p(&m->vfs, "dev/block"));
	CHECK(vfs_mkdir_p(&m->vfs, "dev/char"));
	/* the loopback interface every kernel has */
	CHECK(n = vfs_mkdir_p(&m->vfs, "devices/virtual/net/lo"));
	CHECK(vfs_add_link(&m->vfs, vfs_mkdir_p(&m->vfs, "class/net"), "lo",
			   "devices/virtual/net/lo"));

	CHECK(vfs_mkdir_p(&m->vfs, "bus/ccwgroup/devices"));
	CHECK(n = vfs_mkdir_p(&m->vfs, "bus/ccwgroup/drivers/qeth"));
	CHECK(vfs_add_file(&m->vfs, n, &qeth_group_attr, NULL));
	/* qeth_core_init: root_device_register("qeth") */
	CHECK(n = vfs_mkdir_p(&m->vfs, "devices/qeth"));
	CHECK(vfs_add_file(&m->vfs, n, &qeth_root_uevent, NULL));
	return 0;
}

void model_ccwgroup_destroy(struct model *m)
{
	for (size_t i = 0; i < m->ngroups; i++)
		free(m->groups[i]);
	free(m->groups);
	m->groups = NULL;
	m->ngroups = 0;
}

/* ---- the driver's hooks ---------------------------------------------------------- */

int model_ccwdrv_register(struct model *m, struct ccw_device *cdev)
{
	if (is_dasd(cdev)) {
		struct vfs_node *d;

		if (model_add_attrs(m, cdev->dir, dasd_attrs,
				    ARRAY_SIZE(dasd_attrs), cdev) < 0)
			return -ENOMEM;
		CHECK(d = vfs_add_dir(&m->vfs, cdev->dir, "capacity"));
		if (model_add_attrs(m, d, dasd_capacity_attrs,
				    ARRAY_SIZE(dasd_capacity_attrs), cdev) < 0)
			return -ENOMEM;
		CHECK(d = vfs_add_dir(&m->vfs, cdev->dir, "extent_pool"));
		return model_add_attrs(m, d, dasd_ext_pool_attrs,
				       ARRAY_SIZE(dasd_ext_pool_attrs), cdev);
	}
	if (is_tape(cdev))
		return model_add_attrs(m, cdev->dir, tape_attrs,
				       ARRAY_SIZE(tape_attrs), cdev);
	if (cdev->group)
		return model_ccwgroup_link(m, cdev);
	return 0;
}

void model_ccwdrv_unregister(struct model *m, struct ccw_device *cdev)
{
	if (cdev->group)
		model_ccwgroup_unlink(m, cdev);
}

int model_ccwdrv_set_online(struct model *m, struct ccw_device *cdev,
			    bool online)
{
	if (is_dasd(cdev))
		return dasd_set_online(m, cdev, online);
	if (is_tape(cdev))
		return tape_set_online(m, cdev, online);
	return 0;
}
