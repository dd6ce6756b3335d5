/* virt-mdev-sim's kernel, mdev core (kernel-sysfs.md 1): parents, their types, creating and removing mdevs. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmask.h"
#include "model-internal.h"

#define CCW_TYPE "vfio_ccw-io"
#define AP_TYPE "vfio_ap-passthrough"
#define AP_MAX_INSTANCES 65536 /* vfio_ap's max_instances (1.2) */

static const char *mdev_driver(const struct model *m, enum mdev_kind kind)
{
	if (!m->kernel.mdev_driver_names)
		return "vfio_mdev";
	return kind == MDEV_CCW ? "vfio_ccw_mdev" : "vfio_ap_mdev";
}

/* ---- instances and uuids --------------------------------------------------- */

/* available_instances (1.2): vfio_ccw one per subchannel, vfio_ap AP_MAX_INSTANCES in all. */
static unsigned type_available(const struct model *m,
			       const struct subchannel *sch)
{
	unsigned n = 0;

	if (sch)
		return sch->mdev ? 0 : 1;
	for (const struct mdev *d = m->mdevs; d; d = d->next)
		n += d->kind == MDEV_AP;
	return AP_MAX_INSTANCES - n;
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

/* ---- mdevs ------------------------------------------------------------------ */

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
	model_emit(m, action, mdev->dir, "mdev", env);
}

/* Remove the mdev, its links and its iommu group (1.5). */
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
		vfs_remove(&m->vfs, model_dir(m, path), mdev->uuid);
	}
	snprintf(path, sizeof(path), "bus/mdev/drivers/%s",
		 mdev_driver(m, mdev->kind));
	vfs_remove(&m->vfs, model_dir(m, path), mdev->uuid);
	vfs_remove(&m->vfs, model_dir(m, "bus/mdev/devices"), mdev->uuid);
	snprintf(path, sizeof(path), "%u", mdev->iommu_group);
	vfs_remove(&m->vfs, model_dir(m, "kernel/iommu_groups"), path);
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
	return model_uevent_store(model, ((struct mdev *)obj)->dir, "mdev", env,
				  buf);
}

static const struct vfs_attr mdev_attrs[] = {
	{ "remove", 0200, NULL, mdev_store_remove },
	{ "uevent", 0644, mdev_show_uevent, mdev_store_uevent },
};

/*
 * The lowest iommu group id no group has: the kernel takes group ids from
 * an IDA (drivers/iommu/iommu.c, iommu_group_alloc: ida_alloc of
 * iommu_group_ida, freed again in iommu_group_release), so an mdev made
 * again after its removal gets the id it had.
 */
static unsigned free_iommu_group(struct model *m)
{
	char path[64];
	unsigned g = 0;

	for (;; g++) {
		snprintf(path, sizeof(path), "kernel/iommu_groups/%u", g);
		if (!vfs_lookup(&m->vfs, path))
			break;
	}
	if (g >= m->next_iommu_group)
		m->next_iommu_group = g + 1;
	return g;
}

/* A new mdev below its parent with its links and iommu group, synchronously (1.3, 1.4). */
static int mdev_add(struct model *m, struct subchannel *sch, const char *uuid,
		    struct mdev **out)
{
	struct vfs_node *parent = sch ? sch->dir :
					model_dir(m, "devices/vfio_ap/matrix");
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
	mdev->iommu_group = free_iommu_group(m);
	mdev->next = m->mdevs;
	m->mdevs = mdev;
	if (sch)
		sch->mdev = mdev;

	CHECK(dir = vfs_add_dir(&m->vfs, parent, uuid));
	mdev->dir = dir;
	if (model_add_attrs(m, dir, mdev_attrs, ARRAY_SIZE(mdev_attrs), mdev) <
	    0)
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
	CHECK(vfs_add_link(&m->vfs, model_dir(m, path), uuid, "%s/%s", ppath,
			   uuid));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/mdev/devices"), uuid,
			   "%s/%s", ppath, uuid));
	if (mdev->kind == MDEV_AP && model_ap_mdev_attrs_add(m, mdev) < 0)
		return -ENOMEM;
	mdev_emit(m, mdev, "add");
	if (out)
		*out = mdev;
	return 0;
}

/* ---- types and parents ------------------------------------------------------- */

static int type_show_available(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;

	return strbuf_addf(out, "%u\n", type_available(model, sch));
}

static int type_show_name(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, obj ? "I/O subchannel (Non-QDIO)" :
					 "VFIO AP Passthrough Device");
}

static int type_show_device_api(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, obj ? "vfio-ccw" : "vfio-ap");
}

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
int model_parent_register(struct model *m, struct vfs_node *dev,
			  struct subchannel *sch)
{
	_cleanup_free_ char *path = vfs_path(dev);
	struct vfs_node *types, *type;

	CHECK(path);
	CHECK(types = vfs_add_dir(&m->vfs, dev, "mdev_supported_types"));
	CHECK(type = vfs_add_dir(&m->vfs, types, sch ? CCW_TYPE : AP_TYPE));
	if (model_add_attrs(m, type, type_attrs, ARRAY_SIZE(type_attrs), sch) <
	    0)
		return -ENOMEM;
	CHECK(vfs_add_dir(&m->vfs, type, "devices"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "class/mdev_bus"), dev->name,
			   "%s", path));
	model_emit(m, "change", dev, sch ? "css" : "matrix",
		   "MDEV_STATE=registered");
	return 0;
}

void model_parent_unregister(struct model *m, struct vfs_node *dev,
			     struct subchannel *sch)
{
	for (struct mdev *d = m->mdevs, *next; d; d = next) {
		next = d->next;
		if (d->kind == MDEV_CCW && d->sch == sch)
			mdev_remove(m, d);
	}
	vfs_remove(&m->vfs, dev, "mdev_supported_types");
	vfs_remove(&m->vfs, model_dir(m, "class/mdev_bus"), dev->name);
	model_emit(m, "change", dev, sch ? "css" : "matrix",
		   "MDEV_STATE=unregistered");
}

/* ---- finding and creating mdevs (model.h) ------------------------------------- */

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
