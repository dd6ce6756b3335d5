/*
 * What the parts of virt-mdev-sim's kernel model share: the core (model.c:
 * the tree helpers, uevents, show helpers), css + vfio_ccw (model-css.c),
 * the AP bus + vfio_ap (model-ap.c) and the mdev core (model-mdev.c).
 * Private to those files; the glue and the tests use model.h. Section
 * numbers in their comments, "(2.5)", are shared/docs/kernel-sysfs.md's.
 */
#ifndef VIRT_MDEV_SIM_MODEL_INTERNAL_H
#define VIRT_MDEV_SIM_MODEL_INTERNAL_H

#include "model.h"

/*
 * Building the tree ran out of memory: the model is unusable (model_write
 * then fails with m->broken). Needs a struct model *m in scope.
 */
#define CHECK(expr)                          \
	do {                                 \
		if (!(expr)) {               \
			m->broken = -ENOMEM; \
			return -ENOMEM;      \
		}                            \
	} while (0)

/* ---- core (model.c) ------------------------------------------------------ */

/* The directory (or any node) at path below the root; NULL when missing. */
struct vfs_node *model_dir(struct model *m, const char *path);
/* Add n attribute files to dir, each showing and storing obj. */
int model_add_attrs(struct model *m, struct vfs_node *dir,
		    const struct vfs_attr *attrs, size_t n, void *obj);

/*
 * Send ACTION for the device at dev: every event of every object goes
 * through here to the model's hook (the udev sender, uevent.c). extra:
 * "K=V\nK=V" after SUBSYSTEM, or NULL.
 */
void model_emit(struct model *m, const char *action, struct vfs_node *dev,
		const char *subsystem, const char *extra);
/* A driver bound to dev: "bind" with DRIVER=. */
void model_emit_bind(struct model *m, struct vfs_node *dev,
		     const char *subsystem, const char *driver);
/*
 * A write to a device's uevent file: the first word must be one of the
 * actions the kernel accepts there, else EINVAL; dev then sends that event.
 * Every object's uevent store is this with its own device.
 */
int model_uevent_store(struct model *m, struct vfs_node *dev,
		       const char *subsystem, const char *extra,
		       const char *buf);

/* s and a newline. */
int model_show_str(struct strbuf *out, const char *s);
/* Attributes that always read "0" or "1". */
int model_show_zero(void *model, void *obj, struct strbuf *out);
int model_show_one(void *model, void *obj, struct strbuf *out);
/* A store that accepts any write and does nothing (drivers' uevent, scans). */
int model_store_nothing(void *model, void *obj, const char *buf, size_t len);

/* ---- css + vfio_ccw (model-css.c) ----------------------------------------- */

/* The css drivers' bind/unbind files and bus/css/drivers_probe. */
int model_css_init(struct model *m);

/* The operational path mask of sch: its paths whose channel path is varied online and configured (chp_get_sch_opm). */
uint8_t model_chp_opm(const struct model *m, const struct subchannel *sch);

/* ---- channel paths, css0, defunct, /proc files (model-chp.c) ---------------- */

/* css0's own attributes, the defunct pseudo subchannel, the /proc files' tree (.proc). */
int model_chp_init(struct model *m);
/* Register the channel paths sch's installed paths name that are not there yet (chp_new). */
int model_chp_register_for(struct model *m, const struct subchannel *sch);

/* ---- ccw device drivers: DASD, tape, qeth (model-ccwdrv.c) ------------------ */

/* kstrtoul(buf, base, &v) with one optional trailing newline (lib/kstrtox.c): 0, -EINVAL, -ERANGE. */
int model_kstrtoul(const char *buf, unsigned base, unsigned long *out);

/* The driver's files of a ccw device just registered under its driver. */
int model_ccwdrv_register(struct model *m, struct ccw_device *cdev);
/* Before the ccw device goes: what the driver made (block devices, group links). */
void model_ccwdrv_unregister(struct model *m, struct ccw_device *cdev);
/* The driver's set_online/set_offline: 0, or -errno to refuse. */
int model_ccwdrv_set_online(struct model *m, struct ccw_device *cdev,
			    bool online);
/* qeth's ccwgroup: bus/ccwgroup, devices/qeth; the links of a member that (re)appears or goes. */
int model_ccwgroup_init(struct model *m);
/* bus/ccw/drivers/DRIVER made for a device: its module link. */
int model_ccwdrv_driver_dir(struct model *m, struct vfs_node *drv,
			    const char *driver);
void model_ccwgroup_destroy(struct model *m);
int model_ccwgroup_link(struct model *m, struct ccw_device *cdev);
void model_ccwgroup_unlink(struct model *m, struct ccw_device *cdev);
/* The ccw uevent's variables (CU_TYPE ... MODALIAS), "K=V\n" each. */
int model_ccw_uevent_vars(const struct ccw_device *cdev, struct strbuf *out);

/* ---- AP bus + vfio_ap (model-ap.c) ------------------------------------------ */

/* The AP bus attributes and the vfio_ap matrix device, registered as an mdev parent. */
int model_ap_init(struct model *m);
/* The matrix attributes of a new vfio_ap mdev (assign_*, matrix, ...). */
int model_ap_mdev_attrs_add(struct model *m, struct mdev *mdev);

/* ---- mdev core (model-mdev.c) ---------------------------------------------- */

/* Register dev as an mdev parent: sch for vfio_ccw, NULL for the vfio_ap matrix (1.1). */
int model_parent_register(struct model *m, struct vfs_node *dev,
			  struct subchannel *sch);
/* Unregister it, removing its mdevs first (2.7). */
void model_parent_unregister(struct model *m, struct vfs_node *dev,
			     struct subchannel *sch);

#endif
