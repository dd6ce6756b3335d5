/* virt-mdev-sim's kernel, channel subsystem (kernel-sysfs.md 2): subchannels, ccw devices, io_subchannel, vfio_ccw. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model-internal.h"

static const char *const css_driver_names[CSS_DRIVER__LAST] = {
	[CSS_DRIVER_NONE] = NULL,
	[CSS_DRIVER_IO] = "io_subchannel",
	[CSS_DRIVER_VFIO] = "vfio_ccw",
};

const char *css_driver_name(enum css_driver d)
{
	return (unsigned)d < CSS_DRIVER__LAST ? css_driver_names[d] : NULL;
}

/* ---- subchannels ------------------------------------------------------------- */

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
	return model_show_str(out, sch->driver_override ? sch->driver_override :
							  "(null)");
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
		return model_show_str(out, "none");
	ccw_id_format(&sch->cdev.busid, id);
	return model_show_str(out, id);
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
	return model_uevent_store(model, ((struct subchannel *)obj)->dir, "css",
				  NULL, buf);
}

static const struct vfs_attr sch_attrs[] = {
	{ "type", 0444, sch_show_type, NULL },
	{ "modalias", 0444, sch_show_modalias, NULL },
	{ "driver_override", 0644, sch_show_driver_override,
	  sch_store_driver_override },
	{ "uevent", 0644, sch_show_uevent, sch_store_uevent },
};

/* vpm_show (device.c): the paths verified when the device went online (verify_start resets it). */
static int sch_show_vpm(void *model, void *obj, struct strbuf *out)
{
	struct subchannel *sch = obj;
	uint8_t vpm = 0;

	if (sch->has_device && sch->cdev.online)
		vpm = sch->pim & sch->pam & sch->pom &
		      model_chp_opm(model, sch);
	return strbuf_addf(out, "%02x\n", vpm);
}

/* initiate_logging (device.c): CHSC store-I/O-operation-status-and-initiate-logging; accepted. */
static const struct vfs_attr sch_io_drv_attrs[] = {
	{ "logging", 0200, NULL, model_store_nothing },
	{ "vpm", 0444, sch_show_vpm, NULL },
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

static void cdev_emit(struct model *m, const char *action,
		      struct ccw_device *cdev);

/* ccw online_store: "force" or a hex 0/1; going online needs a ccw driver. */
static int cdev_store_online(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ccw_device *cdev = obj;
	unsigned long v;
	char *end;
	bool online;
	int r;

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
	r = model_ccwdrv_set_online(model, cdev, online);
	if (r < 0)
		return r;
	cdev->online = online;
	cdev_emit(model, online ? "online" : "offline", cdev);
	return 0;
}

static int cdev_show_cmb_enable(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n",
			   ((struct ccw_device *)obj)->cmb_enabled);
}

/* cmb_enable_store (cmf.c): kstrtoul base 16, 0 disables, 1 enables, else EINVAL. */
static int cdev_store_cmb_enable(void *model, void *obj, const char *buf,
				 size_t len)
{
	unsigned long v;
	int r;

	(void)model;
	(void)len;
	r = model_kstrtoul(buf, 16, &v);
	if (r < 0)
		return r;
	if (v > 1)
		return -EINVAL;
	((struct ccw_device *)obj)->cmb_enabled = v == 1;
	return 0;
}

static int cdev_show_cutype(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, ((struct ccw_device *)obj)->cutype);
}

static int cdev_show_devtype(void *model, void *obj, struct strbuf *out)
{
	const char *t = ((struct ccw_device *)obj)->devtype;

	(void)model;
	return model_show_str(out, *t ? t : "n/a");
}

static int cdev_show_availability(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, ((struct ccw_device *)obj)->availability);
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

/* ccw_uevent (device.c): CU_TYPE, CU_MODEL, DEV_TYPE, DEV_MODEL (zero without a device type), MODALIAS. */
int model_ccw_uevent_vars(const struct ccw_device *cdev, struct strbuf *out)
{
	unsigned cu = 0, cum = 0, dt = 0, dm = 0;

	sscanf(cdev->cutype, "%x/%x", &cu, &cum);
	sscanf(cdev->devtype, "%x/%x", &dt, &dm);
	if (strbuf_addf(
		    out,
		    "CU_TYPE=%04X\nCU_MODEL=%02X\nDEV_TYPE=%04X\nDEV_MODEL=%02X\nMODALIAS=",
		    cu, cum, dt, dm) < 0 ||
	    cdev_modalias(cdev, out) < 0)
		return -ENOMEM;
	return strbuf_add(out, "\n", 1);
}

/* An event of the ccw device with the variables its uevent file shows. */
static void cdev_emit(struct model *m, const char *action,
		      struct ccw_device *cdev)
{
	struct strbuf vars = STRBUF_INIT;

	if (model_ccw_uevent_vars(cdev, &vars) == 0) {
		vars.buf[vars.len - 1] = '\0';
		model_emit(m, action, cdev->dir, "ccw", vars.buf);
	}
	strbuf_release(&vars);
}

static int cdev_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ccw_device *cdev = obj;

	(void)model;
	if (cdev->driver[0] &&
	    strbuf_addf(out, "DRIVER=%s\n", cdev->driver) < 0)
		return -ENOMEM;
	return model_ccw_uevent_vars(cdev, out);
}

static int cdev_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	(void)len;
	return model_uevent_store(model, ((struct ccw_device *)obj)->dir, "ccw",
				  NULL, buf);
}

static const struct vfs_attr cdev_attrs[] = {
	{ "online", 0644, cdev_show_online, cdev_store_online },
	{ "cutype", 0444, cdev_show_cutype, NULL },
	{ "devtype", 0444, cdev_show_devtype, NULL },
	{ "availability", 0444, cdev_show_availability, NULL },
	{ "modalias", 0444, cdev_show_modalias, NULL },
	{ "cmb_enable", 0644, cdev_show_cmb_enable, cdev_store_cmb_enable },
	{ "uevent", 0644, cdev_show_uevent, cdev_store_uevent },
};

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
	if (model_add_attrs(m, dir, cdev_attrs, ARRAY_SIZE(cdev_attrs), cdev) <
	    0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, dir, "subsystem", "bus/ccw"));
	if (cdev->driver[0]) {
		struct vfs_node *drv;
		char path[64];

		snprintf(path, sizeof(path), "bus/ccw/drivers/%s",
			 cdev->driver);
		CHECK(drv = vfs_mkdir_p(&m->vfs, path));
		if (model_ccwdrv_driver_dir(m, drv, cdev->driver) < 0)
			return -ENOMEM;
		CHECK(vfs_add_link(&m->vfs, dir, "driver", "%s", path));
		CHECK(vfs_add_link(&m->vfs, drv, id, "devices/css0/%s/%s",
				   schid, id));
	}
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ccw/devices"), id,
			   "devices/css0/%s/%s", schid, id));
	if (model_ccwdrv_register(m, cdev) < 0)
		return -ENOMEM;
	cdev_emit(m, "add", cdev);
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
		model_ccwdrv_set_online(m, cdev, false);
		cdev->online = false;
		cdev_emit(m, "offline", cdev);
	}
	model_ccwdrv_unregister(m, cdev);
	cdev_emit(m, "remove", cdev);
	if (cdev->driver[0]) {
		char path[64];

		snprintf(path, sizeof(path), "bus/ccw/drivers/%s",
			 cdev->driver);
		vfs_remove(&m->vfs, model_dir(m, path), id);
	}
	vfs_remove(&m->vfs, model_dir(m, "bus/ccw/devices"), id);
	vfs_remove_node(&m->vfs, cdev->dir);
	cdev->dir = NULL;
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
		if (sch->driver == CSS_DRIVER_IO) {
			cdev_unregister(m, sch);
			for (size_t i = 0; i < ARRAY_SIZE(sch_io_drv_attrs);
			     i++)
				vfs_remove(&m->vfs, sch->dir,
					   sch_io_drv_attrs[i].name);
		} else
			model_parent_unregister(m, sch->dir, sch);
		snprintf(path, sizeof(path), "bus/css/drivers/%s",
			 css_driver_name(sch->driver));
		vfs_remove(&m->vfs, model_dir(m, path), id);
		vfs_remove(&m->vfs, sch->dir, "driver");
		sch->driver = CSS_DRIVER_NONE;
		model_emit(m, "unbind", sch->dir, "css", NULL);
	}
	if (drv == CSS_DRIVER_NONE)
		return 0;
	sch->driver = drv;
	snprintf(path, sizeof(path), "bus/css/drivers/%s",
		 css_driver_name(drv));
	CHECK(ddir = model_dir(m, path));
	CHECK(vfs_add_link(&m->vfs, ddir, id, "devices/css0/%s", id));
	CHECK(vfs_add_link(&m->vfs, sch->dir, "driver", "%s", path));
	/* io_subchannel's attribute group (device.c io_subchannel_attrs) */
	if (drv == CSS_DRIVER_IO &&
	    model_add_attrs(m, sch->dir, sch_io_drv_attrs,
			    ARRAY_SIZE(sch_io_drv_attrs), sch) < 0)
		return -ENOMEM;
	model_emit_bind(m, sch->dir, "css", css_driver_name(drv));
	if (drv == CSS_DRIVER_IO)
		return cdev_register(m, sch);
	return model_parent_register(m, sch->dir, sch);
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

static const struct vfs_attr css_bus_probe_attr = { "drivers_probe", 0200, NULL,
						    css_store_drivers_probe };

static const struct vfs_attr css_drv_attrs[] = {
	{ "bind", 0200, NULL, css_drv_store_bind },
	{ "unbind", 0200, NULL, css_drv_store_unbind },
	{ "uevent", 0200, NULL, model_store_nothing },
};

static int sch_cmp(const struct ccw_id *a, const struct ccw_id *b)
{
	if (a->ssid != b->ssid)
		return a->ssid < b->ssid ? -1 : 1;
	if (a->devno != b->devno)
		return a->devno < b->devno ? -1 : 1;
	return 0;
}

uint8_t model_chp_opm(const struct model *m, const struct subchannel *sch)
{
	uint8_t opm = 0;

	for (int i = 0; i < 8; i++) {
		const struct chp *chp = m->chps[sch->chpids[i]];

		opm <<= 1;
		if (chp && chp->online && chp->configure == 1)
			opm |= 1;
	}
	return opm;
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

/* Put sch into m->schs, kept sorted; frees sch when out of memory. */
static int sch_insert(struct model *m, struct subchannel *sch)
{
	size_t at = m->nschs;
	struct subchannel **a;

	/* host descriptions come mostly in order */
	while (at > 0 && sch_cmp(&m->schs[at - 1]->schid, &sch->schid) > 0)
		at--;
	a = realloc(m->schs, (m->nschs + 1) * sizeof(*a));
	if (!a) {
		free(sch->driver_override);
		free(sch);
		m->broken = -ENOMEM;
		return -ENOMEM;
	}
	m->schs = a;
	memmove(m->schs + at + 1, m->schs + at,
		(m->nschs - at) * sizeof(*m->schs));
	m->schs[at] = sch;
	m->nschs++;
	return 0;
}

/* The subchannel's directory below css0, its attributes and links, its add event. */
static int sch_register(struct model *m, struct subchannel *sch)
{
	char id[CCW_ID_STRLEN];

	ccw_id_format(&sch->schid, id);
	CHECK(sch->dir =
		      vfs_add_dir(&m->vfs, model_dir(m, "devices/css0"), id));
	if (model_add_attrs(m, sch->dir, sch_attrs, ARRAY_SIZE(sch_attrs),
			    sch) < 0)
		return -ENOMEM;
	if (sch->type == 0 &&
	    model_add_attrs(m, sch->dir, sch_io_attrs, ARRAY_SIZE(sch_io_attrs),
			    sch) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, sch->dir, "subsystem", "bus/css"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/css/devices"), id,
			   "devices/css0/%s", id));
	model_emit(m, "add", sch->dir, "css", NULL);
	return 0;
}

int model_add_subchannel(struct model *m, const struct subchannel *tmpl,
			 struct subchannel **out)
{
	struct subchannel *sch;
	enum css_driver drv = tmpl->driver;
	int r;

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
	sch->cdev.group = NULL;
	sch->cdev.dasd_index = -1;
	sch->cdev.tape_index = -1;
	sch->driver_override = NULL;
	if (tmpl->driver_override)
		CHECK(sch->driver_override = strdup(tmpl->driver_override));
	r = sch_insert(m, sch);
	if (r < 0)
		return r;
	r = sch_register(m, sch);
	if (r < 0)
		return r;
	if (sch->type == 0 && (r = model_chp_register_for(m, sch)) < 0)
		return r;
	if (drv != CSS_DRIVER_NONE) {
		if (!css_match(sch, drv) ||
		    (drv == CSS_DRIVER_VFIO && sch->qdio))
			return -EINVAL;
		r = sch_set_driver(m, sch, drv);
		if (r < 0)
			return r;
		/* online as described: a device is online only under its driver */
		if (drv == CSS_DRIVER_IO && tmpl->cdev.online &&
		    sch->cdev.driver[0]) {
			r = model_ccwdrv_set_online(m, &sch->cdev, true);
			if (r < 0)
				return r;
			sch->cdev.online = true;
		}
	}
	if (out)
		*out = sch;
	return 0;
}

int model_css_init(struct model *m)
{
	struct vfs_node *n;

	for (enum css_driver d = CSS_DRIVER_IO; d < CSS_DRIVER__LAST; d++) {
		char path[64];

		snprintf(path, sizeof(path), "bus/css/drivers/%s",
			 css_driver_name(d));
		CHECK(n = vfs_mkdir_p(&m->vfs, path));
		if (model_add_attrs(m, n, css_drv_attrs,
				    ARRAY_SIZE(css_drv_attrs),
				    (void *)&css_driver_refs[d]) < 0)
			return -ENOMEM;
	}
	/*
	 * vfio_ccw is a module (CONFIG_VFIO_CCW=m), loaded: /sys/module/vfio_ccw, and the
	 * driver's link to it (drivers/base/module.c module_add_driver). driverctl's
	 * set-override runs modprobe unless /sys/module/DRIVER is there.
	 */
	CHECK(vfs_mkdir_p(&m->vfs, "module/vfio_ccw"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/css/drivers/vfio_ccw"),
			   "module", "%s", "module/vfio_ccw"));
	CHECK(vfs_add_file(&m->vfs, model_dir(m, "bus/css"),
			   &css_bus_probe_attr, NULL));
	if (model_chp_init(m) < 0)
		return -ENOMEM;
	return model_ccwgroup_init(m);
}
