/*
 * virt-mdev-sim's kernel: css/vfio_ccw, AP bus/vfio_ap and mdev core state,
 * kept as sysfs nodes the way the kernel's drivers keep them. Every fact
 * here is from shared/docs/kernel-sysfs.md (sections named in comments).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmask.h"
#include "model.h"

/* ---- kernel profiles ---------------------------------------------------- */

int kprofile_parse(const char *str, struct kprofile *out)
{
	unsigned major, minor;
	char tail;

	if (strcmp(str, "newest") == 0)
		str = KPROFILE_NEWEST;
	if (sscanf(str, "%u.%u%c", &major, &minor, &tail) != 2)
		return -EINVAL;
	if (major < KPROFILE_OLDEST_MAJOR ||
	    (major == KPROFILE_OLDEST_MAJOR && minor < KPROFILE_OLDEST_MINOR) ||
	    major > 99 || minor > 99)
		return -EINVAL;
#define AT_LEAST(a, b) (major * 100 + minor >= (a)*100 + (b))
	*out = (struct kprofile){
		.major = major,
		.minor = minor,
		.ap_config = AT_LEAST(6, 10),
		.guest_matrix = AT_LEAST(6, 0),
		.queue_status = AT_LEAST(6, 7),
		.matrix_features = AT_LEAST(6, 12),
		.mdev_driver_names = AT_LEAST(6, 0),
	};
#undef AT_LEAST
	return 0;
}

static const char *const css_driver_names[CSS_DRIVER__LAST] = {
	[CSS_DRIVER_NONE] = NULL,
	[CSS_DRIVER_IO] = "io_subchannel",
	[CSS_DRIVER_VFIO] = "vfio_ccw",
};

const char *css_driver_name(enum css_driver d)
{
	return (unsigned)d < CSS_DRIVER__LAST ? css_driver_names[d] : NULL;
}

static const char *const ap_qdrv_names[AP_QDRV__LAST] = {
	[AP_QDRV_NONE] = NULL,
	[AP_QDRV_ZCRYPT] = "cex4queue",
	[AP_QDRV_VFIO] = "vfio_ap",
};

#define CCW_TYPE "vfio_ccw-io"
#define AP_TYPE "vfio_ap-passthrough"
#define AP_MAX_INSTANCES 65536
#define CHECK(expr)                          \
	do {                                 \
		if (!(expr)) {               \
			m->broken = -ENOMEM; \
			return -ENOMEM;      \
		}                            \
	} while (0)

static const char *mdev_driver(const struct model *m, enum mdev_kind kind)
{
	if (!m->kernel.mdev_driver_names)
		return "vfio_mdev";
	return kind == MDEV_CCW ? "vfio_ccw_mdev" : "vfio_ap_mdev";
}

/* ---- uevents ------------------------------------------------------------- */

/*
 * An event's properties, KEY=VALUE each ending with a NUL: ACTION, DEVPATH,
 * SUBSYSTEM, the lines of extra ("K=V\nK=V"), SEQNUM.
 */
static int uevent_props(struct strbuf *props, const char *action,
			const char *path, const char *subsystem,
			const char *extra, unsigned long seqnum)
{
	if (strbuf_addf(props, "ACTION=%s", action) < 0 ||
	    strbuf_add(props, "", 1) < 0 ||
	    strbuf_addf(props, "DEVPATH=/%s", path) < 0 ||
	    strbuf_add(props, "", 1) < 0 ||
	    strbuf_addf(props, "SUBSYSTEM=%s", subsystem) < 0 ||
	    strbuf_add(props, "", 1) < 0)
		return -ENOMEM;
	for (const char *p = extra; p && *p;) {
		size_t len = strcspn(p, "\n");

		if (strbuf_add(props, p, len) < 0 ||
		    strbuf_add(props, "", 1) < 0)
			return -ENOMEM;
		p += len;
		if (*p)
			p++;
	}
	if (strbuf_addf(props, "SEQNUM=%lu", seqnum) < 0 ||
	    strbuf_add(props, "", 1) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * Send ACTION for the device at dev: every event of every object goes
 * through here to the model's hook (the udev sender, uevent.c).
 */
static void emit(struct model *m, const char *action, struct vfs_node *dev,
		 const char *subsystem, const char *extra)
{
	struct strbuf props = STRBUF_INIT;
	_cleanup_free_ char *path = NULL;

	m->seqnum++;
	if (!m->uevent)
		return;
	path = vfs_path(dev);
	if (!path)
		return;
	if (uevent_props(&props, action, path, subsystem, extra, m->seqnum) ==
	    0)
		m->uevent(m->uevent_opaque, action, path, subsystem, props.buf,
			  props.len);
	strbuf_release(&props);
}

/* A driver bound to dev: "bind" with DRIVER=. */
static void emit_bind(struct model *m, struct vfs_node *dev,
		      const char *subsystem, const char *driver)
{
	char extra[48];

	snprintf(extra, sizeof(extra), "DRIVER=%s", driver);
	emit(m, "bind", dev, subsystem, extra);
}

/*
 * A write to a device's uevent file: the first word must be one of the
 * actions the kernel accepts there, else EINVAL; dev then sends that event.
 * Every object's uevent store is this with its own device.
 */
static int uevent_store(struct model *m, struct vfs_node *dev,
			const char *subsystem, const char *extra,
			const char *buf)
{
	static const char *const actions[] = { "add",  "remove", "change",
					       "move", "online", "offline",
					       "bind", "unbind" };
	size_t len = strcspn(buf, " \n");

	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		if (strlen(actions[i]) == len &&
		    strncmp(buf, actions[i], len) == 0) {
			emit(m, actions[i], dev, subsystem, extra);
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- small show helpers ---------------------------------------------------- */

static int show_str(struct strbuf *out, const char *s)
{
	return strbuf_addf(out, "%s\n", s);
}

static int show_mask(struct strbuf *out, const struct ap_mask *mask)
{
	char buf[AP_MASK_STRLEN];

	ap_mask_format(mask, buf);
	return strbuf_addf(out, "%s\n", buf);
}

/* ---- channel subsystem ------------------------------------------------------- */

static int sch_show_type(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%01x\n", ((struct subchannel *)obj)->type);
}

static int sch_show_modalias(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "css:t%01X\n",
			   ((struct subchannel *)obj)->type);
}

static int sch_show_driver_override(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;

	(void)model;
	return show_str(out,
			sch->driver_override ? sch->driver_override : "(null)");
}

/* driver_set_override (kernel-sysfs.md 2.4): cut at the first newline; empty clears. */
static int sch_store_driver_override(void *model, void *obj, const char *buf,
				     size_t len)
{
	struct subchannel *sch = obj;
	size_t n;
	char *val;

	(void)model;
	if (len >= 4096 - 1)
		return -EINVAL;
	n = strcspn(buf, "\n");
	free(sch->driver_override);
	sch->driver_override = NULL;
	if (n == 0)
		return 0;
	val = strndup(buf, n);
	if (!val)
		return -ENOMEM;
	sch->driver_override = val;
	return 0;
}

static int sch_show_chpids(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;

	(void)model;
	for (int i = 0; i < 8; i++)
		if (strbuf_addf(out, "%02x ", sch->chpids[i]) < 0)
			return -ENOMEM;
	return strbuf_add(out, "\n", 1);
}

static int sch_show_pimpampom(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;

	(void)model;
	return strbuf_addf(out, "%02x %02x %02x\n", sch->pim, sch->pam,
			   sch->pom);
}

static int sch_show_dev_busid(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;
	char id[CCW_ID_STRLEN];

	(void)model;
	if (!sch->has_device)
		return show_str(out, "none");
	ccw_id_format(&sch->cdev.busid, id);
	return show_str(out, id);
}

static int sch_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;
	const char *drv = css_driver_name(sch->driver);

	(void)model;
	if (drv && strbuf_addf(out, "DRIVER=%s\n", drv) < 0)
		return -ENOMEM;
	return strbuf_addf(out, "ST=%01X\nMODALIAS=css:t%01X\n", sch->type,
			   sch->type);
}

static int sch_store_uevent(void *model, void *obj, const char *buf, size_t len)
{
	(void)len;
	return uevent_store(model, ((struct subchannel *)obj)->dir, "css", NULL,
			    buf);
}

static const struct vfs_attr sch_attrs[] = {
	{ "type", 0444, sch_show_type, NULL },
	{ "modalias", 0444, sch_show_modalias, NULL },
	{ "driver_override", 0644, sch_show_driver_override,
	  sch_store_driver_override },
	{ "uevent", 0644, sch_show_uevent, sch_store_uevent },
};

static const struct vfs_attr sch_io_attrs[] = {
	{ "chpids", 0444, sch_show_chpids, NULL },
	{ "pimpampom", 0444, sch_show_pimpampom, NULL },
	{ "dev_busid", 0444, sch_show_dev_busid, NULL },
};

/* ---- ccw devices --------------------------------------------------------- */

static int cdev_show_online(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", ((struct ccw_device *)obj)->online);
}

/* ccw online_store: "force" or a hex 0/1; going online needs a ccw driver. */
static int cdev_store_online(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ccw_device *cdev = obj;
	unsigned long v;
	char *end;
	bool online;

	(void)len;
	if (strcmp(buf, "force\n") == 0 || strcmp(buf, "force") == 0) {
		online = true;
	} else {
		errno = 0;
		v = strtoul(buf, &end, 16);
		if (end == buf || (*end && strcmp(end, "\n") != 0) || errno ||
		    v > 1)
			return -EINVAL;
		online = v == 1;
	}
	if (online == cdev->online)
		return 0;
	if (online && !cdev->driver[0])
		return -EINVAL;
	cdev->online = online;
	emit(model, online ? "online" : "offline", cdev->dir, "ccw", NULL);
	return 0;
}

static int cdev_show_cutype(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return show_str(out, ((struct ccw_device *)obj)->cutype);
}

static int cdev_show_devtype(void *model, void *obj, struct strbuf *out)
{
	const char *t = ((struct ccw_device *)obj)->devtype;

	(void)model;
	return show_str(out, *t ? t : "n/a");
}

static int cdev_show_availability(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return show_str(out, ((struct ccw_device *)obj)->availability);
}

static int cdev_modalias(const struct ccw_device *cdev, struct strbuf *out)
{
	unsigned cu = 0, cum = 0, dt = 0, dm = 0;

	sscanf(cdev->cutype, "%x/%x", &cu, &cum);
	if (sscanf(cdev->devtype, "%x/%x", &dt, &dm) == 2)
		return strbuf_addf(out, "ccw:t%04Xm%02Xdt%04Xdm%02X", cu, cum,
				   dt, dm);
	return strbuf_addf(out, "ccw:t%04Xm%02Xdtdm", cu, cum);
}

static int cdev_show_modalias(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	if (cdev_modalias(obj, out) < 0)
		return -ENOMEM;
	return strbuf_add(out, "\n", 1);
}

static int cdev_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ccw_device *cdev = obj;

	(void)model;
	if (cdev->driver[0] &&
	    strbuf_addf(out, "DRIVER=%s\n", cdev->driver) < 0)
		return -ENOMEM;
	if (strbuf_addf(out, "CU_TYPE=%.4s\nMODALIAS=", cdev->cutype) < 0 ||
	    cdev_modalias(cdev, out) < 0)
		return -ENOMEM;
	return strbuf_add(out, "\n", 1);
}

static int cdev_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	(void)len;
	return uevent_store(model, ((struct ccw_device *)obj)->dir, "ccw", NULL,
			    buf);
}

static int show_zero(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "0");
}

static int show_one(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "1");
}

static const struct vfs_attr cdev_attrs[] = {
	{ "online", 0644, cdev_show_online, cdev_store_online },
	{ "cutype", 0444, cdev_show_cutype, NULL },
	{ "devtype", 0444, cdev_show_devtype, NULL },
	{ "availability", 0444, cdev_show_availability, NULL },
	{ "modalias", 0444, cdev_show_modalias, NULL },
	{ "cmb_enable", 0444, show_zero, NULL },
	{ "uevent", 0644, cdev_show_uevent, cdev_store_uevent },
};

static int add_attrs(struct model *m, struct vfs_node *dir,
		     const struct vfs_attr *attrs, size_t n, void *obj)
{
	for (size_t i = 0; i < n; i++)
		CHECK(vfs_add_file(&m->vfs, dir, &attrs[i], obj));
	return 0;
}

static struct vfs_node *dir_at(struct model *m, const char *path)
{
	return vfs_lookup(&m->vfs, path);
}

/* The ccw device exists in sysfs only while its subchannel is bound to io_subchannel (2.2). */
static int cdev_register(struct model *m, struct subchannel *sch)
{
	struct ccw_device *cdev = &sch->cdev;
	char id[CCW_ID_STRLEN], schid[CCW_ID_STRLEN];
	struct vfs_node *dir;

	if (!sch->has_device || cdev->dir)
		return 0;
	ccw_id_format(&cdev->busid, id);
	ccw_id_format(&sch->schid, schid);
	CHECK(dir = vfs_add_dir(&m->vfs, sch->dir, id));
	cdev->dir = dir;
	if (add_attrs(m, dir, cdev_attrs, ARRAY_SIZE(cdev_attrs), cdev) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, dir, "subsystem", "bus/ccw"));
	if (cdev->driver[0]) {
		struct vfs_node *drv;
		char path[64];

		snprintf(path, sizeof(path), "bus/ccw/drivers/%s",
			 cdev->driver);
		CHECK(drv = vfs_mkdir_p(&m->vfs, path));
		CHECK(vfs_add_link(&m->vfs, dir, "driver", "%s", path));
		CHECK(vfs_add_link(&m->vfs, drv, id, "devices/css0/%s/%s",
				   schid, id));
	}
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/ccw/devices"), id,
			   "devices/css0/%s/%s", schid, id));
	emit(m, "add", dir, "ccw", NULL);
	return 0;
}

/* Unbinding io_subchannel takes an online device offline and removes it (2.6). */
static void cdev_unregister(struct model *m, struct subchannel *sch)
{
	struct ccw_device *cdev = &sch->cdev;
	char id[CCW_ID_STRLEN];

	if (!cdev->dir)
		return;
	ccw_id_format(&cdev->busid, id);
	if (cdev->online) {
		cdev->online = false;
		emit(m, "offline", cdev->dir, "ccw", NULL);
	}
	emit(m, "remove", cdev->dir, "ccw", NULL);
	if (cdev->driver[0]) {
		char path[64];

		snprintf(path, sizeof(path), "bus/ccw/drivers/%s",
			 cdev->driver);
		vfs_remove(&m->vfs, dir_at(m, path), id);
	}
	vfs_remove(&m->vfs, dir_at(m, "bus/ccw/devices"), id);
	vfs_remove_node(&m->vfs, cdev->dir);
	cdev->dir = NULL;
}

/* ---- mdev core ------------------------------------------------------------ */

static void mdev_remove(struct model *m, struct mdev *mdev);

static unsigned mdev_count(const struct model *m, const struct subchannel *sch,
			   enum mdev_kind kind)
{
	unsigned n = 0;

	for (const struct mdev *d = m->mdevs; d; d = d->next)
		if (d->kind == kind && (kind == MDEV_AP || d->sch == sch))
			n++;
	return n;
}

static unsigned type_available(const struct model *m,
			       const struct subchannel *sch)
{
	if (sch)
		return sch->mdev ? 0 : 1;
	return AP_MAX_INSTANCES - mdev_count(m, NULL, MDEV_AP);
}

static int type_show_available(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;

	return strbuf_addf(out, "%u\n", type_available(model, sch));
}

static int type_show_name(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return show_str(out, obj ? "I/O subchannel (Non-QDIO)" :
				   "VFIO AP Passthrough Device");
}

static int type_show_device_api(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return show_str(out, obj ? "vfio-ccw" : "vfio-ap");
}

static bool uuid_text_valid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static int mdev_add(struct model *m, struct subchannel *sch, const char *uuid,
		    struct mdev **out);

/* mdev_type create (1.3): 36 or 37 bytes, a uuid, unique over all parents, an instance left. */
static int type_store_create(void *model, void *obj, const char *buf,
			     size_t len)
{
	char uuid[IDS_UUID_STRLEN];

	if (len != 36 && len != 37)
		return -EINVAL;
	if (!uuid_text_valid(buf))
		return -EINVAL;
	for (int i = 0; i < 36; i++)
		uuid[i] = (char)tolower((unsigned char)buf[i]);
	uuid[36] = '\0';
	return mdev_add(model, obj, uuid, NULL);
}

static const struct vfs_attr type_attrs[] = {
	{ "create", 0200, NULL, type_store_create },
	{ "name", 0444, type_show_name, NULL },
	{ "device_api", 0444, type_show_device_api, NULL },
	{ "available_instances", 0444, type_show_available, NULL },
};

/* Register an mdev parent: mdev_supported_types and the mdev_bus class link (1.1). */
static int parent_register(struct model *m, struct vfs_node *dev,
			   struct subchannel *sch)
{
	_cleanup_free_ char *path = vfs_path(dev);
	struct vfs_node *types, *type;

	CHECK(path);
	CHECK(types = vfs_add_dir(&m->vfs, dev, "mdev_supported_types"));
	CHECK(type = vfs_add_dir(&m->vfs, types, sch ? CCW_TYPE : AP_TYPE));
	if (add_attrs(m, type, type_attrs, ARRAY_SIZE(type_attrs), sch) < 0)
		return -ENOMEM;
	CHECK(vfs_add_dir(&m->vfs, type, "devices"));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "class/mdev_bus"), dev->name,
			   "%s", path));
	emit(m, "change", dev, sch ? "css" : "matrix", "MDEV_STATE=registered");
	return 0;
}

static void parent_unregister(struct model *m, struct vfs_node *dev,
			      struct subchannel *sch)
{
	for (struct mdev *d = m->mdevs, *next; d; d = next) {
		next = d->next;
		if (d->kind == MDEV_CCW && d->sch == sch)
			mdev_remove(m, d);
	}
	vfs_remove(&m->vfs, dev, "mdev_supported_types");
	vfs_remove(&m->vfs, dir_at(m, "class/mdev_bus"), dev->name);
	emit(m, "change", dev, sch ? "css" : "matrix",
	     "MDEV_STATE=unregistered");
}

static int mdev_store_remove(void *model, void *obj, const char *buf,
			     size_t len)
{
	unsigned long v;

	(void)len;
	if (sim_kstrtoul(buf, &v) < 0)
		return -EINVAL;
	if (v)
		mdev_remove(model, obj);
	return 0;
}

/* An mdev's own event properties, which its uevent file shows too ("K=V\nK=V"). */
static void mdev_uevent_env(const struct model *m, const struct mdev *mdev,
			    char *buf, size_t size)
{
	snprintf(buf, size, "DRIVER=%s\nMDEV_TYPE=%s",
		 mdev_driver(m, mdev->kind),
		 mdev->kind == MDEV_CCW ? "io" : "passthrough");
}

static void mdev_emit(struct model *m, struct mdev *mdev, const char *action)
{
	char env[96];

	mdev_uevent_env(m, mdev, env, sizeof(env));
	emit(m, action, mdev->dir, "mdev", env);
}

static int mdev_show_uevent(void *model, void *obj, struct strbuf *out)
{
	char env[96];

	mdev_uevent_env(model, obj, env, sizeof(env));
	return strbuf_addf(out, "%s\n", env);
}

static int mdev_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	char env[96];

	(void)len;
	mdev_uevent_env(model, obj, env, sizeof(env));
	return uevent_store(model, ((struct mdev *)obj)->dir, "mdev", env, buf);
}

static const struct vfs_attr mdev_attrs[] = {
	{ "remove", 0200, NULL, mdev_store_remove },
	{ "uevent", 0644, mdev_show_uevent, mdev_store_uevent },
};

static int ap_mdev_attrs_add(struct model *m, struct mdev *mdev);

static int mdev_add(struct model *m, struct subchannel *sch, const char *uuid,
		    struct mdev **out)
{
	struct vfs_node *parent = sch ? sch->dir :
					dir_at(m, "devices/vfio_ap/matrix");
	_cleanup_free_ char *ppath = NULL;
	const char *type = sch ? CCW_TYPE : AP_TYPE;
	struct vfs_node *dir, *group, *gdevs, *drv;
	char path[128];
	struct mdev *mdev;

	if (model_find_mdev(m, uuid))
		return -EEXIST;
	if (type_available(m, sch) == 0)
		return -EUSERS;
	CHECK(ppath = vfs_path(parent));
	CHECK(mdev = calloc(1, sizeof(*mdev)));
	snprintf(mdev->uuid, sizeof(mdev->uuid), "%s", uuid);
	mdev->kind = sch ? MDEV_CCW : MDEV_AP;
	mdev->sch = sch;
	mdev->model = m;
	mdev->iommu_group = m->next_iommu_group++;
	mdev->next = m->mdevs;
	m->mdevs = mdev;
	if (sch)
		sch->mdev = mdev;

	CHECK(dir = vfs_add_dir(&m->vfs, parent, uuid));
	mdev->dir = dir;
	if (add_attrs(m, dir, mdev_attrs, ARRAY_SIZE(mdev_attrs), mdev) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, dir, "mdev_type",
			   "%s/mdev_supported_types/%s", ppath, type));
	CHECK(vfs_add_link(&m->vfs, dir, "subsystem", "bus/mdev"));
	snprintf(path, sizeof(path), "bus/mdev/drivers/%s",
		 mdev_driver(m, mdev->kind));
	CHECK(drv = vfs_mkdir_p(&m->vfs, path));
	CHECK(vfs_add_link(&m->vfs, dir, "driver", "%s", path));
	CHECK(vfs_add_link(&m->vfs, drv, uuid, "%s/%s", ppath, uuid));
	snprintf(path, sizeof(path), "kernel/iommu_groups/%u",
		 mdev->iommu_group);
	CHECK(group = vfs_mkdir_p(&m->vfs, path));
	CHECK(gdevs = vfs_add_dir(&m->vfs, group, "devices"));
	CHECK(vfs_add_link(&m->vfs, gdevs, uuid, "%s/%s", ppath, uuid));
	CHECK(vfs_add_link(&m->vfs, dir, "iommu_group", "%s", path));
	snprintf(path, sizeof(path), "%s/mdev_supported_types/%s/devices",
		 ppath, type);
	CHECK(vfs_add_link(&m->vfs, dir_at(m, path), uuid, "%s/%s", ppath,
			   uuid));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/mdev/devices"), uuid,
			   "%s/%s", ppath, uuid));
	if (mdev->kind == MDEV_AP && ap_mdev_attrs_add(m, mdev) < 0)
		return -ENOMEM;
	mdev_emit(m, mdev, "add");
	if (out)
		*out = mdev;
	return 0;
}

static void mdev_remove(struct model *m, struct mdev *mdev)
{
	_cleanup_free_ char *ppath = NULL;
	struct vfs_node *parent = mdev->dir->parent;
	char path[256];

	mdev_emit(m, mdev, "remove");
	ppath = vfs_path(parent);
	if (ppath) {
		snprintf(path, sizeof(path),
			 "%s/mdev_supported_types/%s/devices", ppath,
			 mdev->kind == MDEV_CCW ? CCW_TYPE : AP_TYPE);
		vfs_remove(&m->vfs, dir_at(m, path), mdev->uuid);
	}
	snprintf(path, sizeof(path), "bus/mdev/drivers/%s",
		 mdev_driver(m, mdev->kind));
	vfs_remove(&m->vfs, dir_at(m, path), mdev->uuid);
	vfs_remove(&m->vfs, dir_at(m, "bus/mdev/devices"), mdev->uuid);
	snprintf(path, sizeof(path), "%u", mdev->iommu_group);
	vfs_remove(&m->vfs, dir_at(m, "kernel/iommu_groups"), path);
	vfs_remove_node(&m->vfs, mdev->dir);
	for (struct mdev **pp = &m->mdevs; *pp; pp = &(*pp)->next) {
		if (*pp == mdev) {
			*pp = mdev->next;
			break;
		}
	}
	if (mdev->sch)
		mdev->sch->mdev = NULL;
	free(mdev);
}

/* ---- css drivers: bind and unbind (2.5) ------------------------------------ */

struct css_driver_ref {
	enum css_driver driver;
};

static const struct css_driver_ref css_driver_refs[CSS_DRIVER__LAST] = {
	[CSS_DRIVER_NONE] = { CSS_DRIVER_NONE },
	[CSS_DRIVER_IO] = { CSS_DRIVER_IO },
	[CSS_DRIVER_VFIO] = { CSS_DRIVER_VFIO },
};

/* bus_find_device_by_name with sysfs_streq: one trailing newline is fine. */
static struct subchannel *sch_by_name(struct model *m, const char *buf)
{
	char name[32];
	size_t len = strlen(buf);
	struct ccw_id id;
	char canon[CCW_ID_STRLEN];

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0 || len >= sizeof(name))
		return NULL;
	memcpy(name, buf, len);
	name[len] = '\0';
	if (ccw_id_parse(name, CCW_ID_SUBCHANNEL, &id, NULL) < 0 ||
	    !strchr(name, '.'))
		return NULL;
	ccw_id_format(&id, canon);
	if (strcmp(canon, name) != 0) /* device names match exactly */
		return NULL;
	return model_find_subchannel(m, &id);
}

static int sch_set_driver(struct model *m, struct subchannel *sch,
			  enum css_driver drv)
{
	char id[CCW_ID_STRLEN];
	struct vfs_node *ddir;
	char path[64];

	ccw_id_format(&sch->schid, id);
	if (sch->driver != CSS_DRIVER_NONE) {
		/* release the old driver */
		if (sch->driver == CSS_DRIVER_IO)
			cdev_unregister(m, sch);
		else
			parent_unregister(m, sch->dir, sch);
		snprintf(path, sizeof(path), "bus/css/drivers/%s",
			 css_driver_name(sch->driver));
		vfs_remove(&m->vfs, dir_at(m, path), id);
		vfs_remove(&m->vfs, sch->dir, "driver");
		sch->driver = CSS_DRIVER_NONE;
		emit(m, "unbind", sch->dir, "css", NULL);
	}
	if (drv == CSS_DRIVER_NONE)
		return 0;
	sch->driver = drv;
	snprintf(path, sizeof(path), "bus/css/drivers/%s",
		 css_driver_name(drv));
	CHECK(ddir = dir_at(m, path));
	CHECK(vfs_add_link(&m->vfs, ddir, id, "devices/css0/%s", id));
	CHECK(vfs_add_link(&m->vfs, sch->dir, "driver", "%s", path));
	emit_bind(m, sch->dir, "css", css_driver_name(drv));
	if (drv == CSS_DRIVER_IO)
		return cdev_register(m, sch);
	return parent_register(m, sch->dir, sch);
}

/* driver_match_device: the override, then the subchannel type (both drivers take I/O only). */
static bool css_match(const struct subchannel *sch, enum css_driver drv)
{
	if (sch->driver_override &&
	    strcmp(sch->driver_override, css_driver_name(drv)) != 0)
		return false;
	return sch->type == 0;
}

static int css_drv_store_bind(void *model, void *obj, const char *buf,
			      size_t len)
{
	const struct css_driver_ref *ref = obj;
	struct subchannel *sch = sch_by_name(model, buf);

	(void)len;
	if (!sch || !css_match(sch, ref->driver))
		return -ENODEV;
	if (sch->driver != CSS_DRIVER_NONE)
		return -EBUSY;
	/* vfio_ccw's probe refuses QDIO subchannels (2.7) */
	if (ref->driver == CSS_DRIVER_VFIO && sch->qdio)
		return -ENODEV;
	return sch_set_driver(model, sch, ref->driver);
}

static int css_drv_store_unbind(void *model, void *obj, const char *buf,
				size_t len)
{
	const struct css_driver_ref *ref = obj;
	struct subchannel *sch = sch_by_name(model, buf);

	(void)len;
	if (!sch || sch->driver != ref->driver)
		return -ENODEV;
	return sch_set_driver(model, sch, CSS_DRIVER_NONE);
}

/* bus_rescan/drivers_probe: bind an unbound subchannel to the first driver that matches. */
static int css_store_drivers_probe(void *model, void *obj, const char *buf,
				   size_t len)
{
	struct subchannel *sch = sch_by_name(model, buf);

	(void)obj;
	(void)len;
	if (!sch)
		return -ENODEV;
	if (sch->driver != CSS_DRIVER_NONE)
		return 0;
	for (enum css_driver d = CSS_DRIVER_IO; d < CSS_DRIVER__LAST; d++)
		if (css_match(sch, d) && !(d == CSS_DRIVER_VFIO && sch->qdio))
			return sch_set_driver(model, sch, d);
	return 0;
}

static int drv_store_uevent(void *model, void *obj, const char *buf, size_t len)
{
	(void)model;
	(void)obj;
	(void)buf;
	(void)len;
	return 0;
}

static const struct vfs_attr css_bus_probe_attr = { "drivers_probe", 0200, NULL,
						    css_store_drivers_probe };

static const struct vfs_attr css_drv_attrs[] = {
	{ "bind", 0200, NULL, css_drv_store_bind },
	{ "unbind", 0200, NULL, css_drv_store_unbind },
	{ "uevent", 0200, NULL, drv_store_uevent },
};

static int sch_cmp(const struct ccw_id *a, const struct ccw_id *b)
{
	if (a->ssid != b->ssid)
		return a->ssid < b->ssid ? -1 : 1;
	if (a->devno != b->devno)
		return a->devno < b->devno ? -1 : 1;
	return 0;
}

struct subchannel *model_find_subchannel(const struct model *m,
					 const struct ccw_id *id)
{
	size_t lo = 0, hi = m->nschs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = sch_cmp(&m->schs[mid]->schid, id);

		if (c == 0)
			return m->schs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int model_add_subchannel(struct model *m, const struct subchannel *tmpl,
			 struct subchannel **out)
{
	char id[CCW_ID_STRLEN];
	struct subchannel *sch;
	enum css_driver drv = tmpl->driver;
	size_t at = m->nschs;

	if (model_find_subchannel(m, &tmpl->schid))
		return -EEXIST;
	for (size_t i = 0; i < m->nschs; i++) {
		if (m->schs[i]->has_device && tmpl->has_device &&
		    ccw_id_equal(&m->schs[i]->cdev.busid, &tmpl->cdev.busid))
			return -EEXIST;
	}
	CHECK(sch = calloc(1, sizeof(*sch)));
	*sch = *tmpl;
	sch->model = m;
	sch->driver = CSS_DRIVER_NONE;
	sch->cdev.dir = NULL;
	sch->cdev.sch = sch;
	sch->mdev = NULL;
	sch->cdev.online = false;
	sch->driver_override = NULL;
	if (tmpl->driver_override)
		CHECK(sch->driver_override = strdup(tmpl->driver_override));
	/* keep the array sorted; host descriptions come mostly in order */
	while (at > 0 && sch_cmp(&m->schs[at - 1]->schid, &sch->schid) > 0)
		at--;
	{
		struct subchannel **a =
			realloc(m->schs, (m->nschs + 1) * sizeof(*a));

		if (!a) {
			free(sch->driver_override);
			free(sch);
			m->broken = -ENOMEM;
			return -ENOMEM;
		}
		m->schs = a;
	}
	memmove(m->schs + at + 1, m->schs + at,
		(m->nschs - at) * sizeof(*m->schs));
	m->schs[at] = sch;
	m->nschs++;

	ccw_id_format(&sch->schid, id);
	CHECK(sch->dir = vfs_add_dir(&m->vfs, dir_at(m, "devices/css0"), id));
	if (add_attrs(m, sch->dir, sch_attrs, ARRAY_SIZE(sch_attrs), sch) < 0)
		return -ENOMEM;
	if (sch->type == 0 && add_attrs(m, sch->dir, sch_io_attrs,
					ARRAY_SIZE(sch_io_attrs), sch) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, sch->dir, "subsystem", "bus/css"));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/css/devices"), id,
			   "devices/css0/%s", id));
	emit(m, "add", sch->dir, "css", NULL);
	if (drv != CSS_DRIVER_NONE) {
		int r;

		if (!css_match(sch, drv) ||
		    (drv == CSS_DRIVER_VFIO && sch->qdio))
			return -EINVAL;
		r = sch_set_driver(m, sch, drv);
		if (r < 0)
			return r;
		/* online as described: a device is online only under its driver */
		if (drv == CSS_DRIVER_IO)
			sch->cdev.online = tmpl->cdev.online;
	}
	if (out)
		*out = sch;
	return 0;
}

/* ---- AP bus: cards, queues, masks (3.2-3.5) ----------------------------------- */

struct ap_queue *model_find_queue(const struct model *m, const struct apqn *q)
{
	for (size_t i = 0; i < m->ncards; i++) {
		struct ap_card *c = m->cards[i];

		if (c->apid != q->apid)
			continue;
		for (size_t j = 0; j < c->nqueues; j++)
			if (c->queues[j].apqn.apqi == q->apqi)
				return &c->queues[j];
	}
	return NULL;
}

/* Is the APQN assigned to an mdev (in its apm x aqm)? */
static struct mdev *apqn_owner(const struct model *m, unsigned apid,
			       unsigned apqi, const struct mdev *except)
{
	for (struct mdev *d = m->mdevs; d; d = d->next)
		if (d != except && d->kind == MDEV_AP &&
		    ap_mask_test(&d->apm, apid) && ap_mask_test(&d->aqm, apqi))
			return d;
	return NULL;
}

static int queue_show_status(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;

	/* "in use" needs a running guest, which the simulator never has */
	return show_str(out,
			apqn_owner(model, q->apqn.apid, q->apqn.apqi, NULL) ?
				"assigned" :
				"unassigned");
}

static int queue_show_online(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;

	(void)model;
	return strbuf_addf(out, "%d\n", q->online && q->card->online);
}

/* zcrypt queue online (3.5): 0 or 1; 1 while the card is offline is EINVAL. */
static int queue_store_online(void *model, void *obj, const char *buf,
			      size_t len)
{
	struct ap_queue *q = obj;
	unsigned long v;

	(void)model;
	(void)len;
	if (sim_kstrtoul(buf, &v) < 0 || v > 1)
		return -EINVAL;
	if (v && !q->card->online)
		return -EINVAL;
	q->online = v;
	return 0;
}

static int queue_show_interrupt(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "Interrupts enabled.");
}

static int queue_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;
	const char *drv = ap_qdrv_names[q->driver];

	(void)model;
	if (drv && strbuf_addf(out, "DRIVER=%s\n", drv) < 0)
		return -ENOMEM;
	return strbuf_addf(out,
			   "DEV_TYPE=%02X\nMODALIAS=ap:t%02X\nMODE=accel\n",
			   q->card->hwtype, q->card->hwtype);
}

static int queue_store_uevent(void *model, void *obj, const char *buf,
			      size_t len)
{
	(void)len;
	return uevent_store(model, ((struct ap_queue *)obj)->dir, "ap", NULL,
			    buf);
}

static const struct vfs_attr queue_attrs[] = {
	{ "request_count", 0644, show_zero, NULL },
	{ "requestq_count", 0444, show_zero, NULL },
	{ "pendingq_count", 0444, show_zero, NULL },
	{ "interrupt", 0444, queue_show_interrupt, NULL },
	{ "config", 0644, show_one, NULL },
	{ "chkstop", 0444, show_zero, NULL },
	{ "uevent", 0644, queue_show_uevent, queue_store_uevent },
};
static const struct vfs_attr queue_zcrypt_attr = { "online", 0644,
						   queue_show_online,
						   queue_store_online };
static const struct vfs_attr queue_vfio_attr = { "status", 0444,
						 queue_show_status, NULL };

/* Bind a queue to what the masks say (3.4): the host's driver when reserved, else vfio_ap. */
static int queue_bind(struct model *m, struct ap_queue *q)
{
	bool reserved = ap_mask_test(&m->apmask, q->apqn.apid) &&
			ap_mask_test(&m->aqmask, q->apqn.apqi);
	enum ap_queue_driver want = reserved		  ? AP_QDRV_ZCRYPT :
				    q->card->hwtype >= 10 ? AP_QDRV_VFIO :
							    AP_QDRV_NONE;
	char name[APQN_STRLEN], path[64];

	if (want == q->driver)
		return 0;
	apqn_format(&q->apqn, name);
	if (q->driver != AP_QDRV_NONE) {
		snprintf(path, sizeof(path), "bus/ap/drivers/%s",
			 ap_qdrv_names[q->driver]);
		vfs_remove(&m->vfs, dir_at(m, path), name);
		vfs_remove(&m->vfs, q->dir, "driver");
		vfs_remove(&m->vfs, q->dir, "online");
		vfs_remove(&m->vfs, q->dir, "status");
		q->driver = AP_QDRV_NONE;
		emit(m, "unbind", q->dir, "ap", NULL);
	}
	if (want == AP_QDRV_NONE)
		return 0;
	q->driver = want;
	snprintf(path, sizeof(path), "bus/ap/drivers/%s", ap_qdrv_names[want]);
	CHECK(vfs_add_link(&m->vfs, dir_at(m, path), name,
			   "devices/ap/card%02x/%s", q->apqn.apid, name));
	CHECK(vfs_add_link(&m->vfs, q->dir, "driver", "%s", path));
	if (want == AP_QDRV_ZCRYPT)
		CHECK(vfs_add_file(&m->vfs, q->dir, &queue_zcrypt_attr, q));
	else if (m->kernel.queue_status)
		CHECK(vfs_add_file(&m->vfs, q->dir, &queue_vfio_attr, q));
	emit_bind(m, q->dir, "ap", ap_qdrv_names[want]);
	return 0;
}

/* ap_bus_revise_bindings: reprobe every queue whose ownership flipped. */
static int revise_bindings(struct model *m)
{
	for (size_t i = 0; i < m->ncards; i++)
		for (size_t j = 0; j < m->cards[i]->nqueues; j++)
			if (queue_bind(m, &m->cards[i]->queues[j]) < 0)
				return -ENOMEM;
	return 0;
}

static int card_show_hwtype(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", ((struct ap_card *)obj)->hwtype);
}

static int card_show_raw_hwtype(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", ((struct ap_card *)obj)->raw_hwtype);
}

static int card_show_functions(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "0x%08X\n", ((struct ap_card *)obj)->functions);
}

static int card_show_modalias(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "ap:t%02X\n", ((struct ap_card *)obj)->hwtype);
}

static int card_show_type(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return show_str(out, ((struct ap_card *)obj)->type);
}

static int card_show_online(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", ((struct ap_card *)obj)->online);
}

static int card_store_online(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ap_card *c = obj;
	unsigned long v;

	(void)model;
	(void)len;
	if (sim_kstrtoul(buf, &v) < 0 || v > 1)
		return -EINVAL;
	c->online = v;
	return 0;
}

static int card_show_depth(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "8");
}

static int card_show_max_msg_size(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "12288");
}

static int card_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ap_card *c = obj;

	(void)model;
	return strbuf_addf(
		out,
		"DRIVER=cex4card\nDEV_TYPE=%02X\nMODALIAS=ap:t%02X\nMODE=accel\n",
		c->hwtype, c->hwtype);
}

static int card_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	(void)len;
	return uevent_store(model, ((struct ap_card *)obj)->dir, "ap", NULL,
			    buf);
}

static const struct vfs_attr card_attrs[] = {
	{ "hwtype", 0444, card_show_hwtype, NULL },
	{ "raw_hwtype", 0444, card_show_raw_hwtype, NULL },
	{ "depth", 0444, card_show_depth, NULL },
	{ "ap_functions", 0444, card_show_functions, NULL },
	{ "request_count", 0644, show_zero, NULL },
	{ "requestq_count", 0444, show_zero, NULL },
	{ "pendingq_count", 0444, show_zero, NULL },
	{ "modalias", 0444, card_show_modalias, NULL },
	{ "config", 0644, show_one, NULL },
	{ "chkstop", 0444, show_zero, NULL },
	{ "max_msg_size", 0444, card_show_max_msg_size, NULL },
	{ "type", 0444, card_show_type, NULL },
	{ "online", 0644, card_show_online, card_store_online },
	{ "uevent", 0644, card_show_uevent, card_store_uevent },
};

int model_add_card(struct model *m, uint8_t apid, unsigned hwtype,
		   const char *type, const struct ap_mask *domains)
{
	char name[16];
	struct ap_card *c;
	size_t at = m->ncards;
	int bit;

	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->apid == apid)
			return -EEXIST;
	if (apid > m->max_adapter_id)
		return -ERANGE;
	CHECK(c = calloc(1, sizeof(*c)));
	c->apid = apid;
	c->hwtype = hwtype;
	c->raw_hwtype = hwtype;
	c->functions =
		0x92000000; /* accelerator, as a CEX card in accel mode shows */
	c->online = true;
	c->model = m;
	snprintf(c->type, sizeof(c->type), "%s", type);
	{
		struct ap_card **a =
			realloc(m->cards, (m->ncards + 1) * sizeof(*a));

		if (!a) {
			free(c);
			m->broken = -ENOMEM;
			return -ENOMEM;
		}
		m->cards = a;
	}
	while (at > 0 && m->cards[at - 1]->apid > apid)
		at--;
	memmove(m->cards + at + 1, m->cards + at,
		(m->ncards - at) * sizeof(*m->cards));
	m->cards[at] = c;
	m->ncards++;

	snprintf(name, sizeof(name), "card%02x", apid);
	CHECK(c->dir = vfs_add_dir(&m->vfs, dir_at(m, "devices/ap"), name));
	if (add_attrs(m, c->dir, card_attrs, ARRAY_SIZE(card_attrs), c) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, c->dir, "subsystem", "bus/ap"));
	CHECK(vfs_add_link(&m->vfs, c->dir, "driver",
			   "bus/ap/drivers/cex4card"));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/ap/drivers/cex4card"), name,
			   "devices/ap/%s", name));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/ap/devices"), name,
			   "devices/ap/%s", name));
	emit(m, "add", c->dir, "ap", NULL);

	CHECK(c->queues =
		      calloc(ap_mask_count(domains) + 1, sizeof(*c->queues)));
	ap_mask_for_each(bit, domains) {
		struct ap_queue *q = &c->queues[c->nqueues++];
		char qname[APQN_STRLEN];

		if ((unsigned)bit > m->max_domain_id)
			return -ERANGE;
		q->apqn = (struct apqn){ apid, (uint8_t)bit };
		q->card = c;
		q->online = true;
		apqn_format(&q->apqn, qname);
		CHECK(q->dir = vfs_add_dir(&m->vfs, c->dir, qname));
		if (add_attrs(m, q->dir, queue_attrs, ARRAY_SIZE(queue_attrs),
			      q) < 0)
			return -ENOMEM;
		CHECK(vfs_add_link(&m->vfs, q->dir, "subsystem", "bus/ap"));
		CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/ap/devices"), qname,
				   "devices/ap/%s/%s", name, qname));
		emit(m, "add", q->dir, "ap", NULL);
		if (queue_bind(m, q) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The commit check of a mask write (3.3): bits newly set may not take APQNs from an mdev. */
static bool mask_change_in_use(const struct model *m, const struct ap_mask *apm,
			       const struct ap_mask *aqm)
{
	int a, d;

	ap_mask_for_each(a, apm)
		ap_mask_for_each(d, aqm)
			if (apqn_owner(m, (unsigned)a, (unsigned)d, NULL))
				return true;
	return false;
}

static int bus_store_mask(struct model *m, bool adapters, const char *buf)
{
	struct ap_mask *mask = adapters ? &m->apmask : &m->aqmask;
	struct ap_mask newmask = *mask, added;
	char value[AP_MASK_STRLEN + 16];
	int r;

	r = sim_ap_mask_store(&newmask, buf);
	if (r < 0)
		return r;
	if (ap_mask_equal(&newmask, mask))
		return 0;
	ap_mask_andnot(&added, &newmask, mask);
	if (adapters ? mask_change_in_use(m, &added, &m->aqmask) :
		       mask_change_in_use(m, &m->apmask, &added))
		return -EBUSY;
	*mask = newmask;
	r = revise_bindings(m);
	ap_mask_format(mask, value + 7);
	memcpy(value, adapters ? "APMASK=" : "AQMASK=", 7);
	emit(m, "change", dir_at(m, "devices/ap"), "ap", value);
	return r;
}

static int bus_show_apmask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->apmask);
}

static int bus_store_apmask(void *model, void *obj, const char *buf, size_t len)
{
	(void)obj;
	(void)len;
	return bus_store_mask(model, true, buf);
}

static int bus_show_aqmask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->aqmask);
}

static int bus_store_aqmask(void *model, void *obj, const char *buf, size_t len)
{
	(void)obj;
	(void)len;
	return bus_store_mask(model, false, buf);
}

static int bus_show_max_adapter(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%u\n",
			   ((struct model *)model)->max_adapter_id);
}

static int bus_show_max_domain(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%u\n", ((struct model *)model)->max_domain_id);
}

static int bus_show_adapter_mask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->adapter_mask);
}

static int bus_show_usage_mask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->usage_domain_mask);
}

static int bus_show_control_mask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->control_domain_mask);
}

static int bus_show_bindings(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;
	unsigned total = 0, bound = 0;

	(void)obj;
	for (size_t i = 0; i < m->ncards; i++) {
		for (size_t j = 0; j < m->cards[i]->nqueues; j++) {
			total++;
			bound += m->cards[i]->queues[j].driver != AP_QDRV_NONE;
		}
	}
	return strbuf_addf(out, "%u/%u%s\n", bound, total,
			   bound == total ? " (complete)" : "");
}

static int bus_show_features(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "APSC APXA QACT RC8A APSB");
}

static int bus_show_ap_domain(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%d\n", ((struct model *)model)->ap_domain);
}

/* ap_domain_store (3.2): "%i", within the maximum and in aqmask, else EINVAL. */
static int bus_store_ap_domain(void *model, void *obj, const char *buf,
			       size_t len)
{
	struct model *m = model;
	long v;
	char *end;

	(void)obj;
	(void)len;
	errno = 0;
	v = strtol(buf, &end, 0);
	if (end == buf || errno || v < 0 ||
	    (unsigned long)v > m->max_domain_id ||
	    !ap_mask_test(&m->aqmask, (unsigned)v))
		return -EINVAL;
	m->ap_domain = (int)v;
	return 0;
}

static const struct vfs_attr ap_bus_attrs[] = {
	{ "apmask", 0644, bus_show_apmask, bus_store_apmask },
	{ "aqmask", 0644, bus_show_aqmask, bus_store_aqmask },
	{ "ap_max_adapter_id", 0444, bus_show_max_adapter, NULL },
	{ "ap_max_domain_id", 0444, bus_show_max_domain, NULL },
	{ "ap_adapter_mask", 0444, bus_show_adapter_mask, NULL },
	{ "ap_usage_domain_mask", 0444, bus_show_usage_mask, NULL },
	{ "ap_control_domain_mask", 0444, bus_show_control_mask, NULL },
	{ "ap_domain", 0644, bus_show_ap_domain, bus_store_ap_domain },
	{ "ap_interrupts", 0444, show_one, NULL },
	{ "bindings", 0444, bus_show_bindings, NULL },
	{ "features", 0444, bus_show_features, NULL },
	{ "scans", 0644, show_one, drv_store_uevent },
};

int model_set_masks(struct model *m, const struct ap_mask *apmask,
		    const struct ap_mask *aqmask)
{
	m->ap_domain = ap_mask_next(&m->usage_domain_mask, -1);
	m->apmask = *apmask;
	m->aqmask = *aqmask;
	return revise_bindings(m);
}

/* ---- vfio_ap matrix mdevs (3.6-3.9) -------------------------------------------- */

/* Validate a matrix as vfio_ap_mdev_validate_masks does: reservation by masks, then sharing. */
static int ap_matrix_validate(const struct model *m, const struct mdev *mdev,
			      const struct ap_mask *apm,
			      const struct ap_mask *aqm)
{
	int a, d;

	ap_mask_for_each(a, apm) {
		ap_mask_for_each(d, aqm) {
			if (m->kernel.guest_matrix) {
				if (ap_mask_test(&m->apmask, (unsigned)a) &&
				    ap_mask_test(&m->aqmask, (unsigned)d))
					return -EADDRNOTAVAIL;
			} else {
				/* older kernels: the queue must exist and be bound to vfio_ap */
				struct apqn q = { (uint8_t)a, (uint8_t)d };
				struct ap_queue *queue =
					model_find_queue(m, &q);

				if (!queue || queue->driver != AP_QDRV_VFIO)
					return -EADDRNOTAVAIL;
			}
		}
	}
	for (const struct mdev *o = m->mdevs; o; o = o->next) {
		struct ap_mask ia, iq;

		if (o == mdev || o->kind != MDEV_AP)
			continue;
		ap_mask_and(&ia, &o->apm, apm);
		ap_mask_and(&iq, &o->aqm, aqm);
		if (!ap_mask_is_empty(&ia) && !ap_mask_is_empty(&iq))
			return -EADDRINUSE;
	}
	return 0;
}

enum ap_field {
	AP_FIELD_ADAPTER,
	AP_FIELD_DOMAIN,
	AP_FIELD_CONTROL,
};

static int ap_assign(struct model *m, struct mdev *mdev, enum ap_field field,
		     bool assign, const char *buf)
{
	unsigned long id, max = field == AP_FIELD_ADAPTER ? m->max_adapter_id :
							    m->max_domain_id;
	struct ap_mask apm = mdev->apm, aqm = mdev->aqm;
	struct ap_mask *target = field == AP_FIELD_ADAPTER ? &mdev->apm :
				 field == AP_FIELD_DOMAIN  ? &mdev->aqm :
							     &mdev->adm;
	int r;

	r = sim_kstrtoul(buf, &id);
	if (r < 0)
		return r;
	if (id > max)
		return -ENODEV;
	if (ap_mask_test(target, (unsigned)id) == assign)
		return 0; /* idempotent */
	if (!assign || field == AP_FIELD_CONTROL) {
		/* unassign and control domains: no mask or sharing checks */
		if (assign)
			ap_mask_set(target, (unsigned)id);
		else
			ap_mask_clear(target, (unsigned)id);
		return 0;
	}
	if (field == AP_FIELD_ADAPTER)
		ap_mask_set(&apm, (unsigned)id);
	else
		ap_mask_set(&aqm, (unsigned)id);
	r = ap_matrix_validate(m, mdev, &apm, &aqm);
	if (r < 0)
		return r;
	mdev->apm = apm;
	mdev->aqm = aqm;
	return 0;
}

#define AP_ATTR_STORE(fn, field, assign)                                   \
	static int fn(void *model, void *obj, const char *buf, size_t len) \
	{                                                                  \
		(void)len;                                                 \
		return ap_assign(model, obj, field, assign, buf);          \
	}
AP_ATTR_STORE(ap_store_assign_adapter, AP_FIELD_ADAPTER, true)
AP_ATTR_STORE(ap_store_unassign_adapter, AP_FIELD_ADAPTER, false)
AP_ATTR_STORE(ap_store_assign_domain, AP_FIELD_DOMAIN, true)
AP_ATTR_STORE(ap_store_unassign_domain, AP_FIELD_DOMAIN, false)
AP_ATTR_STORE(ap_store_assign_control, AP_FIELD_CONTROL, true)
AP_ATTR_STORE(ap_store_unassign_control, AP_FIELD_CONTROL, false)

/* matrix read format (3.8) over the given masks, only bits within the maxima. */
static int show_matrix(const struct model *m, const struct ap_mask *apm,
		       const struct ap_mask *aqm, struct strbuf *out)
{
	bool adapters = false, domains = false;
	int a, d;

	ap_mask_for_each(a, apm)
		adapters |= (unsigned)a <= m->max_adapter_id;
	ap_mask_for_each(d, aqm)
		domains |= (unsigned)d <= m->max_domain_id;
	if (adapters && domains) {
		ap_mask_for_each(a, apm) {
			if ((unsigned)a > m->max_adapter_id)
				continue;
			ap_mask_for_each(d, aqm)
				if ((unsigned)d <= m->max_domain_id &&
				    strbuf_addf(out, "%02x.%04x\n", a, d) < 0)
					return -ENOMEM;
		}
	} else if (adapters) {
		ap_mask_for_each(a, apm)
			if ((unsigned)a <= m->max_adapter_id &&
			    strbuf_addf(out, "%02x.\n", a) < 0)
				return -ENOMEM;
	} else if (domains) {
		ap_mask_for_each(d, aqm)
			if ((unsigned)d <= m->max_domain_id &&
			    strbuf_addf(out, ".%04x\n", d) < 0)
				return -ENOMEM;
	}
	return strbuf_add(out, "", 0);
}

static int ap_show_matrix(void *model, void *obj, struct strbuf *out)
{
	struct mdev *mdev = obj;

	return show_matrix(model, &mdev->apm, &mdev->aqm, out);
}

/*
 * guest_matrix: what the guest gets. Adapters and domains in the host's
 * configuration (QCI); an adapter is dropped when any of its APQNs with the
 * assigned domains is not a queue bound to vfio_ap.
 */
static int ap_show_guest_matrix(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;
	struct mdev *mdev = obj;
	struct ap_mask apm, aqm;
	int a, d;

	ap_mask_and(&apm, &mdev->apm, &m->adapter_mask);
	ap_mask_and(&aqm, &mdev->aqm, &m->usage_domain_mask);
	ap_mask_for_each(a, &apm) {
		ap_mask_for_each(d, &aqm) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };
			struct ap_queue *queue = model_find_queue(m, &q);

			if (!queue || queue->driver != AP_QDRV_VFIO) {
				ap_mask_clear(&apm, (unsigned)a);
				break;
			}
		}
	}
	return show_matrix(m, &apm, &aqm, out);
}

static int ap_show_control_domains(void *model, void *obj, struct strbuf *out)
{
	struct mdev *mdev = obj;
	int d;

	(void)model;
	ap_mask_for_each(d, &mdev->adm)
		if (strbuf_addf(out, "%04x\n", d) < 0)
			return -ENOMEM;
	return strbuf_add(out, "", 0);
}

static int ap_show_config(void *model, void *obj, struct strbuf *out)
{
	struct mdev *mdev = obj;
	char a[AP_MASK_STRLEN], q[AP_MASK_STRLEN], c[AP_MASK_STRLEN];

	(void)model;
	ap_mask_format(&mdev->apm, a);
	ap_mask_format(&mdev->aqm, q);
	ap_mask_format(&mdev->adm, c);
	return strbuf_addf(out, "%s,%s,%s\n", a, q, c);
}

/* ap_config write (3.9): three masks at once, all or nothing. */
static int ap_store_config(void *model, void *obj, const char *buf, size_t len)
{
	struct model *m = model;
	struct mdev *mdev = obj;
	char copy[AP_MASK_STRLEN * 3 + 1];
	struct ap_mask masks[3];
	char *rest = copy, *tok;
	int r, bit;

	(void)len;
	snprintf(copy, sizeof(copy), "%.*s", AP_MASK_STRLEN * 3, buf);
	for (int i = 0; i < 3; i++) {
		tok = strsep(&rest, ",\n");
		if (!tok)
			return -EINVAL;
		r = sim_ap_hex2bitmap(tok, &masks[i]);
		if (r < 0)
			return r;
	}
	r = ap_matrix_validate(m, mdev, &masks[0], &masks[1]);
	if (r < 0)
		return r;
	ap_mask_for_each(bit, &masks[0])
		if ((unsigned)bit > m->max_adapter_id)
			return -ENODEV;
	ap_mask_for_each(bit, &masks[1])
		if ((unsigned)bit > m->max_domain_id)
			return -ENODEV;
	ap_mask_for_each(bit, &masks[2])
		if ((unsigned)bit > m->max_domain_id)
			return -ENODEV;
	mdev->apm = masks[0];
	mdev->aqm = masks[1];
	mdev->adm = masks[2];
	return 0;
}

static const struct vfs_attr ap_mdev_attrs[] = {
	{ "assign_adapter", 0200, NULL, ap_store_assign_adapter },
	{ "unassign_adapter", 0200, NULL, ap_store_unassign_adapter },
	{ "assign_domain", 0200, NULL, ap_store_assign_domain },
	{ "unassign_domain", 0200, NULL, ap_store_unassign_domain },
	{ "assign_control_domain", 0200, NULL, ap_store_assign_control },
	{ "unassign_control_domain", 0200, NULL, ap_store_unassign_control },
	{ "matrix", 0444, ap_show_matrix, NULL },
	{ "control_domains", 0444, ap_show_control_domains, NULL },
};
static const struct vfs_attr ap_guest_matrix_attr = { "guest_matrix", 0444,
						      ap_show_guest_matrix,
						      NULL };
static const struct vfs_attr ap_config_attr = { "ap_config", 0644,
						ap_show_config,
						ap_store_config };

static int ap_mdev_attrs_add(struct model *m, struct mdev *mdev)
{
	if (add_attrs(m, mdev->dir, ap_mdev_attrs, ARRAY_SIZE(ap_mdev_attrs),
		      mdev) < 0)
		return -ENOMEM;
	if (m->kernel.guest_matrix)
		CHECK(vfs_add_file(&m->vfs, mdev->dir, &ap_guest_matrix_attr,
				   mdev));
	if (m->kernel.ap_config)
		CHECK(vfs_add_file(&m->vfs, mdev->dir, &ap_config_attr, mdev));
	return 0;
}

static int matrix_show_features(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "guest_matrix hotplug ap_config");
}

static int matrix_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return show_str(out, "DRIVER=vfio_ap");
}

static int matrix_store_uevent(void *model, void *obj, const char *buf,
			       size_t len)
{
	(void)obj;
	(void)len;
	return uevent_store(model, dir_at(model, "devices/vfio_ap/matrix"),
			    "matrix", NULL, buf);
}

static const struct vfs_attr matrix_uevent_attr = { "uevent", 0644,
						    matrix_show_uevent,
						    matrix_store_uevent };
static const struct vfs_attr matrix_features_attr = { "features", 0444,
						      matrix_show_features,
						      NULL };

static int plain_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_add(out, "", 0);
}

static const struct vfs_attr plain_uevent_attr = { "uevent", 0644,
						   plain_show_uevent,
						   drv_store_uevent };

/* ---- the host ------------------------------------------------------------------- */

int model_init(struct model *m, const struct kprofile *kernel)
{
	static const char *const dirs[] = {
		"devices/css0",
		"devices/ap",
		"devices/vfio_ap/matrix",
		"devices/system",
		"bus/css/devices",
		"bus/ccw/devices",
		"bus/ccw/drivers",
		"bus/ap/devices",
		"bus/ap/drivers/cex4card",
		"bus/ap/drivers/cex4queue",
		"bus/ap/drivers/vfio_ap",
		"bus/matrix/devices",
		"bus/matrix/drivers/vfio_ap",
		"bus/mdev/devices",
		"bus/mdev/drivers",
		"class/mdev_bus",
		"kernel/iommu_groups",
		"fs/cgroup",
		"module",
	};
	struct vfs_node *n, *matrix;

	memset(m, 0, sizeof(*m));
	m->kernel = *kernel;
	m->max_adapter_id = 255;
	m->max_domain_id = 255;
	ap_mask_fill(&m->apmask);
	ap_mask_fill(&m->aqmask);
	ap_mask_fill(&m->adapter_mask);
	ap_mask_fill(&m->usage_domain_mask);
	ap_mask_fill(&m->control_domain_mask);
	if (vfs_init(&m->vfs, m) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		CHECK(vfs_mkdir_p(&m->vfs, dirs[i]));
	/* every device directory has a uevent file (libudev needs it) */
	CHECK(vfs_add_file(&m->vfs, dir_at(m, "devices/css0"),
			   &plain_uevent_attr, NULL));
	CHECK(vfs_add_file(&m->vfs, dir_at(m, "devices/ap"), &plain_uevent_attr,
			   NULL));
	CHECK(vfs_add_file(&m->vfs, dir_at(m, "devices/vfio_ap"),
			   &plain_uevent_attr, NULL));
	for (enum css_driver d = CSS_DRIVER_IO; d < CSS_DRIVER__LAST; d++) {
		char path[64];

		snprintf(path, sizeof(path), "bus/css/drivers/%s",
			 css_driver_name(d));
		CHECK(n = vfs_mkdir_p(&m->vfs, path));
		if (add_attrs(m, n, css_drv_attrs, ARRAY_SIZE(css_drv_attrs),
			      (void *)&css_driver_refs[d]) < 0)
			return -ENOMEM;
	}
	CHECK(vfs_add_file(&m->vfs, dir_at(m, "bus/css"), &css_bus_probe_attr,
			   NULL));
	if (add_attrs(m, dir_at(m, "bus/ap"), ap_bus_attrs,
		      ARRAY_SIZE(ap_bus_attrs), NULL) < 0)
		return -ENOMEM;
	/* the matrix device, on bus matrix, bound to vfio_ap (3.6) */
	CHECK(matrix = dir_at(m, "devices/vfio_ap/matrix"));
	CHECK(vfs_add_file(&m->vfs, matrix, &matrix_uevent_attr, NULL));
	if (m->kernel.matrix_features)
		CHECK(vfs_add_file(&m->vfs, matrix, &matrix_features_attr,
				   NULL));
	CHECK(vfs_add_link(&m->vfs, matrix, "subsystem", "bus/matrix"));
	CHECK(vfs_add_link(&m->vfs, matrix, "driver",
			   "bus/matrix/drivers/vfio_ap"));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/matrix/devices"), "matrix",
			   "devices/vfio_ap/matrix"));
	CHECK(vfs_add_link(&m->vfs, dir_at(m, "bus/matrix/drivers/vfio_ap"),
			   "matrix", "devices/vfio_ap/matrix"));
	return parent_register(m, matrix, NULL);
}

void model_destroy(struct model *m)
{
	while (m->mdevs) {
		struct mdev *next = m->mdevs->next;

		free(m->mdevs);
		m->mdevs = next;
	}
	for (size_t i = 0; i < m->nschs; i++) {
		free(m->schs[i]->driver_override);
		free(m->schs[i]);
	}
	free(m->schs);
	for (size_t i = 0; i < m->ncards; i++) {
		free(m->cards[i]->queues);
		free(m->cards[i]);
	}
	free(m->cards);
	vfs_destroy(&m->vfs);
	memset(m, 0, sizeof(*m));
}

struct mdev *model_find_mdev(const struct model *m, const char *uuid)
{
	for (struct mdev *d = m->mdevs; d; d = d->next)
		if (strcmp(d->uuid, uuid) == 0)
			return d;
	return NULL;
}

int model_create_mdev(struct model *m, const char *parent, const char *type,
		      const char *uuid, struct mdev **out)
{
	struct subchannel *sch = NULL;
	char lower[IDS_UUID_STRLEN];

	if (strlen(uuid) != 36 || !uuid_text_valid(uuid))
		return -EINVAL;
	for (int i = 0; i < 37; i++)
		lower[i] = (char)tolower((unsigned char)uuid[i]);
	if (strcmp(parent, "matrix") == 0) {
		if (strcmp(type, AP_TYPE) != 0)
			return -EINVAL;
	} else {
		struct ccw_id id;

		if (strcmp(type, CCW_TYPE) != 0 ||
		    ccw_id_parse(parent, CCW_ID_SUBCHANNEL, &id, NULL) < 0)
			return -EINVAL;
		sch = model_find_subchannel(m, &id);
		if (!sch)
			return -ENODEV;
		if (sch->driver != CSS_DRIVER_VFIO)
			return -ENODEV;
	}
	return mdev_add(m, sch, lower, out);
}

/* ---- sysfs access by path ------------------------------------------------------ */

int model_read(struct model *m, const char *path, struct strbuf *out)
{
	struct vfs_node *n = vfs_resolve(&m->vfs, path);

	if (!n)
		return -errno;
	if (n->kind == VFS_DIR)
		return -EISDIR;
	if (n->kind != VFS_FILE || !n->attr->show || !(n->attr->mode & 0444))
		return -EACCES;
	return n->attr->show(m, n->obj, out);
}

int model_write(struct model *m, const char *path, const char *buf, size_t len)
{
	struct vfs_node *n = vfs_resolve(&m->vfs, path);
	_cleanup_free_ char *copy = NULL;
	int r;

	if (!n)
		return -errno;
	if (n->kind == VFS_DIR)
		return -EISDIR;
	if (n->kind != VFS_FILE || !n->attr->store || !(n->attr->mode & 0222))
		return -EACCES;
	if (len >= 4096)
		len = 4095; /* one sysfs page, as the kernel cuts it */
	copy = strndup(buf, len);
	if (!copy)
		return -ENOMEM;
	r = n->attr->store(m, n->obj, copy, len);
	if (r == 0 && m->broken)
		r = m->broken;
	return r;
}
