/* virt-mdev-sim's kernel, core: kernel profiles, tree helpers, uevents, the host, sysfs access by path. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"

/*
 * The subsystems are in model-css.c (css, vfio_ccw), model-ap.c (AP bus,
 * vfio_ap) and model-mdev.c (mdev core); what they share is here. Every
 * fact is from shared/docs/kernel-sysfs.md (sections named in comments).
 */

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
#define AT_LEAST(a, b) (major * 100 + minor >= 100 * (a) + (b))
	*out = (struct kprofile){
		.major = major,
		.minor = minor,
		.ap_config = AT_LEAST(6, 10),
		.guest_matrix = AT_LEAST(6, 0),
		.queue_status = AT_LEAST(6, 7),
		.matrix_features = AT_LEAST(6, 12),
		.mdev_driver_names = AT_LEAST(6, 0),
		.queue_functions = AT_LEAST(6, 2),
	};
#undef AT_LEAST
	return 0;
}

/* ---- the tree ------------------------------------------------------------- */

struct vfs_node *model_dir(struct model *m, const char *path)
{
	return vfs_lookup(&m->vfs, path);
}

int model_add_attrs(struct model *m, struct vfs_node *dir,
		    const struct vfs_attr *attrs, size_t n, void *obj)
{
	for (size_t i = 0; i < n; i++)
		CHECK(vfs_add_file(&m->vfs, dir, &attrs[i], obj));
	return 0;
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

void model_emit(struct model *m, const char *action, struct vfs_node *dev,
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

void model_emit_bind(struct model *m, struct vfs_node *dev,
		     const char *subsystem, const char *driver)
{
	char extra[48];

	snprintf(extra, sizeof(extra), "DRIVER=%s", driver);
	model_emit(m, "bind", dev, subsystem, extra);
}

int model_uevent_store(struct model *m, struct vfs_node *dev,
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
			model_emit(m, actions[i], dev, subsystem, extra);
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- small show and store helpers ------------------------------------------ */

int model_show_str(struct strbuf *out, const char *s)
{
	return strbuf_addf(out, "%s\n", s);
}

int model_show_zero(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "0");
}

int model_show_one(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "1");
}

int model_store_nothing(void *model, void *obj, const char *buf, size_t len)
{
	(void)model;
	(void)obj;
	(void)buf;
	(void)len;
	return 0;
}

static int plain_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_add(out, "", 0);
}

static const struct vfs_attr plain_uevent_attr = { "uevent", 0644,
						   plain_show_uevent,
						   model_store_nothing };

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
		"class/zcrypt",
		"devices/virtual/zcrypt",
		"kernel/iommu_groups",
		"fs/cgroup",
		"module",
		/*
		 * the vfio drivers' modules, loaded as their drivers are
		 * registered (module_add_driver): driverctl's set_override
		 * runs modprobe for a driver without /sys/module/DRIVER
		 */
		"module/vfio_ccw",
		"module/vfio_ap",
	};
	static const char *const devices[] = {
		"devices/css0",
		"devices/ap",
		"devices/vfio_ap",
	};
	int r;

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
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		CHECK(vfs_add_file(&m->vfs, model_dir(m, devices[i]),
				   &plain_uevent_attr, NULL));
	r = model_css_init(m);
	if (r < 0)
		return r;
	return model_ap_init(m);
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
	model_ccwgroup_destroy(m);
	for (size_t i = 0; i < ARRAY_SIZE(m->chps); i++)
		free(m->chps[i]);
	free(m->sysinfo);
	for (size_t i = 0; i < m->ncards; i++) {
		free(m->cards[i]->queues);
		free(m->cards[i]);
	}
	for (size_t i = 0; i < ZCDN_MAX; i++)
		free(m->zcdns[i]);
	free(m->cards);
	vfs_destroy(&m->vfs);
	memset(m, 0, sizeof(*m));
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
