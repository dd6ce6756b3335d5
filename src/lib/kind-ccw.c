/* The vfio-ccw kind: an mdev on an I/O subchannel bound to vfio_ccw, seen by the guest as a ccw device. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "css.h"
#include "kind.h"
#include "mdev.h"
#include "plan.h"

/* the kind's view of the host: the subchannel */
struct ccw_host {
	struct css_subchannel sch;
};

static bool ccw_owns_parent(const char *parent)
{
	struct ccw_id id;

	return ccw_id_parse(parent, CCW_ID_SUBCHANNEL, &id, NULL) == 0;
}

static void ccw_where(const struct mdev_spec *m, char *buf, size_t size)
{
	snprintf(buf, size, "subchannel %s", m->parent);
}

static void ccw_nodedev_parent(const struct mdev_spec *m, char *buf,
			       size_t size)
{
	snprintf(buf, size, "css_%s", m->parent);
	mdev_nodedev_underscored(buf + 4);
}

static void ccw_create_path(const struct mdev_spec *m, char *buf, size_t size)
{
	snprintf(buf, size, "bus/css/devices/%s/mdev_supported_types/%s/create",
		 m->parent, m->type);
}

static void ccw_device_path(const struct mdev_spec *m, char *buf, size_t size)
{
	snprintf(buf, size, "bus/mdev/devices/%s", m->uuid);
}

/* ---- configuration: a vfio-ccw mdev has none beyond its subchannel ---- */

static void ccw_read_active(const struct sysfs *s, struct mdev_info *i)
{
	(void)s;
	(void)i;
}

static int ccw_read_attr(struct mdev_info *i, const char *key,
			 const char *value)
{
	(void)i;
	(void)key;
	(void)value;
	return 0;
}

static int ccw_attrs(const struct mdev_spec *m, struct strv *names,
		     struct strv *values)
{
	(void)m;
	(void)names;
	(void)values;
	return 0;
}

static bool ccw_same_config(const struct mdev_spec *a,
			    const struct mdev_spec *b)
{
	(void)a;
	(void)b;
	return true;
}

static void ccw_config_diff(const struct mdev_spec *have,
			    const struct mdev_spec *want, char *buf,
			    size_t size)
{
	(void)have;
	(void)want;
	(void)buf;
	(void)size;
}

static int ccw_plan_configure(const struct sysfs *s, struct plan *p,
			      const struct mdev_spec *m, struct vm_error *err)
{
	(void)s;
	(void)p;
	(void)m;
	(void)err;
	return 0;
}

/* ---- the device an admin names ---- */

static int ccw_target(const struct sysfs *s, const char *verb,
		      const struct kind_args *a, struct mdev_spec *m,
		      struct vm_error *err)
{
	struct css_subchannel sch;

	if (a->have_adapters || a->have_domains || a->have_control_domains)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"--adapters, --domains and --control-domains are for %s ap",
			verb);
	if (a->exact)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"--exact is for %s ap (which AP queues leave the host); a ccw device is one subchannel",
			verb);
	if (!a->device)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"%s ccw takes one DEVICE (a busid such as 0.0.2b09 or a subchannel such as 0.0.0313)",
			verb);
	if (css_find(s, a->device, &sch, err) < 0)
		return vm_error_errno(err);
	snprintf(m->parent, sizeof(m->parent), "%s", sch.name);
	snprintf(m->type, sizeof(m->type), "%s", m->kind->mdev_type);
	return 0;
}

static bool ccw_device_name(const struct sysfs *s, const char *parent,
			    char *buf, size_t size)
{
	struct css_subchannel sch;

	if (css_read_subchannel(s, parent, &sch) < 0 || !sch.has_device)
		snprintf(buf, size, "%s", parent);
	else
		snprintf(buf, size, "%s", sch.busid_name);
	return true;
}

static int ccw_device_parse(const char *device, char *buf, size_t size,
			    struct vm_error *err)
{
	char name[CCW_ID_STRLEN];
	int r = css_device_parse(device, name, err);

	if (r < 0)
		return r;
	snprintf(buf, size, "%s", name);
	return 0;
}

static int ccw_host_read(const struct sysfs *s, const struct mdev_spec *m,
			 struct kind_host **out, struct vm_error *err)
{
	struct ccw_host *h = calloc(1, sizeof(*h));

	if (!h)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (css_read_subchannel(s, m->parent, &h->sch) < 0) {
		free(h);
		return vm_error_set(
			err, VM_EXIT_REFUSED, ENODEV,
			"its parent subchannel %s does not exist on this host (a stale definition goes with 'virt-mdev remove %s --undefine')",
			m->parent, m->uuid[0] ? m->uuid : "UUID");
	}
	*out = (struct kind_host *)h;
	return 0;
}

static void ccw_read_once(const struct sysfs *s, bool on)
{
	if (on)
		css_memo_begin(s);
	else
		css_memo_end();
}

static void ccw_host_free(struct kind_host *h)
{
	free(h);
}

static int ccw_plan_prepare(const struct sysfs *s, struct kind_host *kh,
			    const struct mdev_spec *m,
			    const struct kind_args *a, struct plan *p,
			    struct vm_error *err)
{
	struct ccw_host *h = (struct ccw_host *)kh;

	(void)m;
	if (css_plan_bind(s, &h->sch, a->persistent, a->force, p, err) < 0)
		return vm_error_errno(err);
	/* the checks that follow see the subchannel as the steps leave it */
	snprintf(h->sch.driver, sizeof(h->sch.driver), CSS_VFIO_CCW);
	return 0;
}

/*
 * driverctl's override of the subchannel names vfio_ccw: driverctl 0.111's
 * save_override writes the driver's name to /etc/driverctl.d/BUS-DEVICE,
 * and its udev rule sets driver_override and reprobes from it at boot
 */
static bool ccw_persisted(const struct sysfs *s,
			  const struct css_subchannel *sch)
{
	_cleanup_free_ char *drv = NULL;

	return css_driverctl_override(s, sch, &drv) == 0 &&
	       strcmp(drv, CSS_VFIO_CCW) == 0;
}

/* anything of a preparation for vfio_ccw left on an I/O subchannel */
static bool ccw_prepared(const struct sysfs *s,
			 const struct css_subchannel *sch)
{
	return sch->type == CSS_TYPE_IO &&
	       (strcmp(sch->driver, CSS_IO_SUBCHANNEL) != 0 ||
		sch->driver_override[0] || ccw_persisted(s, sch));
}

static int ccw_plan_release(const struct sysfs *s, const struct mdev_spec *m,
			    struct plan *p, char **note, struct vm_error *err)
{
	struct css_subchannel sch;

	*note = NULL;
	if (css_read_subchannel(s, m->parent, &sch) < 0)
		return 0; /* the subchannel is gone: nothing to give back */
	/*
	 * without an mdev, what is left to undo is the preparation, also
	 * half done (an interrupted assign or unassign): a binding to
	 * vfio_ccw or to no driver, a driver_override, driverctl's override
	 */
	if (!m->uuid[0] && !ccw_prepared(s, &sch))
		return 0;
	sch.mdev[0] = '\0'; /* removed by then */
	return css_plan_unbind(s, &sch, true, p, NULL, err);
}

static int ccw_device_mdev(const struct sysfs *s, const char *device,
			   const struct mdev_list *l, struct mdev_spec *m,
			   const struct mdev_info **out, struct vm_error *err)
{
	struct css_subchannel sch;

	*out = NULL;
	if (css_find(s, device, &sch, err) < 0)
		return vm_error_errno(err);
	snprintf(m->parent, sizeof(m->parent), "%s", sch.name);
	snprintf(m->type, sizeof(m->type), "%s", m->kind->mdev_type);
	for (size_t i = 0; i < l->n && !*out; i++)
		if (strcmp(l->v[i].parent, sch.name) == 0)
			*out = &l->v[i];
	return 0;
}

static int ccw_check_create(const struct kind_host *kh,
			    const struct mdev_spec *m,
			    const struct mdev_list *mdevs, struct vm_error *err)
{
	const struct css_subchannel *sch = &((const struct ccw_host *)kh)->sch;
	const char *dev = sch->has_device ? sch->busid_name : sch->name;

	if (sch->type != CSS_TYPE_IO)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot create a vfio-ccw mdev on subchannel %s: it is a %s subchannel; vfio_ccw drives I/O subchannels only (see 'virt-mdev list ccw')",
			sch->name, css_type_name(sch->type));
	if (strcmp(sch->driver, CSS_VFIO_CCW) != 0)
		return vm_error_set(
			err, VM_EXIT_REFUSED, ENODEV,
			"cannot create a vfio-ccw mdev on subchannel %s%s%s: it is bound to %s, not vfio_ccw (run 'virt-mdev ccw bind %s' first)",
			sch->name, sch->has_device ? " of device " : "",
			sch->has_device ? sch->busid_name : "",
			sch->driver[0] ? sch->driver : "no driver", dev);
	for (size_t i = 0; mdevs && i < mdevs->n; i++) {
		const struct mdev_info *o = &mdevs->v[i];

		if (strcmp(o->parent, sch->name) != 0 ||
		    strcmp(o->uuid, m->uuid) == 0)
			continue;
		return vm_error_set(
			err, VM_EXIT_REFUSED, EEXIST,
			"cannot create mdev %s on subchannel %s: mdev %s (%s) is already there, and vfio_ccw allows one per subchannel (use it, or 'virt-mdev remove %s --undefine' first)",
			m->uuid, sch->name, o->uuid,
			o->active && o->defined ? "active, defined" :
			o->active		? "active" :
						  "defined",
			o->uuid);
	}
	return 0;
}

/*
 * At boot a subchannel comes up on io_subchannel, but for driverctl's
 * override: its udev rule (05-driverctl.rules) starts driverctl@css-SCH,
 * whose 'driverctl load-override css/SCH' sets driver_override from
 * /etc/driverctl.d/css-SCH and reprobes (driverctl 0.111 set_override).
 */
static int ccw_boot_ready(const struct sysfs *s, const struct mdev_spec *m,
			  struct vm_error *err)
{
	struct css_subchannel sch;
	const char *dev;

	if (css_read_subchannel(s, m->parent, &sch) < 0)
		return vm_error_set(
			err, VM_EXIT_REFUSED, ENODEV,
			"its subchannel %s is not on this host, so mdevctl has no parent to start it on (remove the definition: 'virt-mdev remove %s --undefine')",
			m->parent, m->uuid);
	if (ccw_persisted(s, &sch))
		return 0;
	dev = sch.has_device ? sch.busid_name : sch.name;
	return vm_error_set(
		err, VM_EXIT_REFUSED, ENODEV,
		"no driverctl override binds subchannel %s%s%s to vfio_ccw at boot (/etc/driverctl.d/css-%s)%s, so it comes up on io_subchannel and mdevctl cannot start the mdev there (make the binding persistent: 'virt-mdev ccw bind %s --persistent')",
		sch.name, sch.has_device ? " of device " : "",
		sch.has_device ? sch.busid_name : "", sch.name,
		strcmp(sch.driver, CSS_VFIO_CCW) == 0 ?
			": its binding to vfio_ccw now is transient" :
			"",
		dev);
}

/* each I/O subchannel whose driver after a boot (driverctl's override, else io_subchannel) is not its driver now */
static void ccw_boot_host(const struct sysfs *s, kind_boot_fn fn, void *opaque)
{
	_cleanup_free_ struct css_subchannel *schs = NULL;
	size_t n = 0;

	if (css_list(s, &schs, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct css_subchannel *sch = &schs[i];
		const char *dev = sch->has_device ? sch->busid_name : sch->name;
		const char *now = sch->driver[0] ? sch->driver : "no driver";
		bool persisted = ccw_persisted(s, sch);
		const char *after = persisted ? CSS_VFIO_CCW :
						CSS_IO_SUBCHANNEL;
		char object[64], msg[512];

		if (sch->type != CSS_TYPE_IO || strcmp(now, after) == 0)
			continue;
		snprintf(object, sizeof(object), "subchannel %s", sch->name);
		if (persisted)
			snprintf(
				msg, sizeof(msg),
				"bound to %s now, to vfio_ccw after a boot: driverctl's override /etc/driverctl.d/css-%s binds it then ('virt-mdev ccw unbind %s --persistent' gives it back to the host for good)",
				now, sch->name, dev);
		else
			snprintf(
				msg, sizeof(msg),
				"bound to %s now, to io_subchannel after a boot: no driverctl override keeps the binding ('virt-mdev ccw bind %s --persistent' keeps it)",
				now, dev);
		fn(opaque, object, now, after, msg);
	}
}

/* a subchannel's binding at boot is driverctl's: validate --boot checks it (boot_ready), create --autostart does not refuse it */
static int ccw_check_boot(const struct kind_host *kh, const struct mdev_spec *m,
			  struct vm_error *err)
{
	(void)kh;
	(void)m;
	(void)err;
	return 0;
}

static void ccw_validate(const struct sysfs *s, const struct mdev_info *i,
			 const struct mdev_list *all, struct kind_host **shared,
			 kind_problem_fn fn, void *opaque)
{
	(void)shared; /* each mdev has a subchannel of its own */
	struct ccw_host h;
	struct vm_error e = { 0 };
	struct mdev_spec m;
	char msg[256];

	if (css_read_subchannel(s, i->parent, &h.sch) < 0) {
		snprintf(
			msg, sizeof(msg),
			"its parent %s does not exist on this host: it cannot start (remove the stale definition: 'virt-mdev remove %s --undefine')",
			i->parent, i->uuid);
		fn(opaque, i->uuid, msg);
		return;
	}
	if (strcmp(i->type, i->kind->mdev_type) != 0) {
		snprintf(
			msg, sizeof(msg),
			"type '%s' does not exist on subchannel %s (its type is %s)",
			i->type, i->parent, i->kind->mdev_type);
		fn(opaque, i->uuid, msg);
	}
	mdev_spec_from_info(i, &m);
	if (ccw_check_create((struct kind_host *)&h, &m, all, &e) < 0)
		fn(opaque, i->uuid, e.msg);
}

/* an mdev or a definition on the subchannel: its own checks report it (the list is sorted by parent) */
static bool ccw_has_mdev(const struct mdev_list *all, const char *sch)
{
	size_t lo = 0, hi = all->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(all->v[mid].parent, sch);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * An I/O subchannel without mdev half way between io_subchannel and
 * vfio_ccw, as an interrupted assign, unassign or ccw bind/unbind leaves it
 * (css_plan_bind: unbind, driver_override, bind, driverctl's file;
 * css_plan_unbind: unbind, clear the override, bind, remove the file).
 * Bound to vfio_ccw with its override (ccw bind) is a whole state; so is
 * io_subchannel without any override. A driver_override written while
 * bound changes no binding (kernel-sysfs.md 2.4), so it can stand beside
 * another driver until the next reprobe. The fix gives it back to the host,
 * which is where an uninterrupted unassign leaves it; 'virt-mdev ccw bind'
 * finishes an assign's half instead.
 */
static void ccw_subchannel_finding(const struct sysfs *s,
				   const struct css_subchannel *sch,
				   kind_finding_fn fn, void *opaque)
{
	const char *dev = sch->has_device ? sch->busid_name : sch->name;
	bool on_io = strcmp(sch->driver, CSS_IO_SUBCHANNEL) == 0;
	bool persisted;
	char object[64], state[256], msg[1024];

	if (strcmp(sch->driver, CSS_VFIO_CCW) == 0)
		return; /* ccw bind's state, persistent or not */
	persisted = ccw_persisted(s, sch);
	if (on_io && !sch->driver_override[0] && !persisted)
		return; /* the host's */
	if (!sch->driver[0])
		snprintf(
			state, sizeof(state),
			"it is bound to no driver%s%s%s, so neither the host nor a guest can use %s%s",
			sch->driver_override[0] ? " (driver_override " : "",
			sch->driver_override,
			sch->driver_override[0] ? ")" : "",
			sch->has_device ? "device " : "it",
			sch->has_device ? sch->busid_name : "");
	else if (sch->driver_override[0])
		snprintf(state, sizeof(state),
			 "it is bound to %s, but its driver_override is '%s'",
			 sch->driver, sch->driver_override);
	else
		state[0] = '\0';
	if (persisted)
		snprintf(
			state + strlen(state), sizeof(state) - strlen(state),
			"%sdriverctl's override binds it to vfio_ccw at boot%s",
			state[0] ? "; " : "",
			on_io ? ", so the host loses it at the next boot" : "");
	snprintf(object, sizeof(object), "subchannel %s", sch->name);
	snprintf(
		msg, sizeof(msg),
		"%s: half-made, as an interrupted assign, unassign or ccw bind/unbind leaves it (give it back to the host: 'virt-mdev ccw unbind %s%s', or finish the binding: 'virt-mdev ccw bind %s%s')",
		state, dev, persisted ? " --persistent" : "", dev,
		persisted ? " --persistent" : "");
	fn(opaque, object, false, msg);
}

static void ccw_validate_host(const struct sysfs *s,
			      const struct mdev_list *all,
			      struct kind_host **shared, kind_finding_fn fn,
			      void *opaque)
{
	_cleanup_free_ struct css_subchannel *schs = NULL;
	size_t n = 0;

	(void)shared;
	if (css_list(s, &schs, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (schs[i].type == CSS_TYPE_IO &&
		    !ccw_has_mdev(all, schs[i].name))
			ccw_subchannel_finding(s, &schs[i], fn, opaque);
}

/* a vfio-ccw mdev has nothing to configure: never half configured */
static bool ccw_config_part(const struct mdev_spec *have,
			    const struct mdev_spec *want)
{
	(void)have;
	(void)want;
	return false;
}

static int ccw_plan_complete(const struct sysfs *s, struct plan *p,
			     const struct mdev_spec *have,
			     const struct mdev_spec *want, struct vm_error *err)
{
	(void)s;
	(void)p;
	(void)have;
	(void)want;
	(void)err;
	return 0;
}

static bool ccw_host_devno(const struct sysfs *s, const char *parent,
			   struct guest_devno *out)
{
	struct css_subchannel sch;

	if (css_read_subchannel(s, parent, &sch) < 0 || !sch.has_device)
		return false;
	*out = (struct guest_devno){ 0xfe, sch.busid.ssid, sch.busid.devno };
	return true;
}

/* ---- output ---- */

static void ccw_result_json(struct json_object *o, const struct mdev_spec *m,
			    const struct kind_host *h)
{
	/* after a preparation (assign): the subchannel it concerned */
	if (h)
		json_object_object_add(o, "subchannel",
				       json_object_new_string(m->parent));
}

const struct mdev_kind kind_ccw = {
	.name = "ccw",
	.model = "vfio-ccw",
	.mdev_type = "vfio_ccw-io",
	.parents = "an I/O subchannel",
	.prepared_hint = "the subchannel bound to vfio_ccw",
	.persist_note = NULL,
	.guest_ccw_address = true,
	.one_per_domain = false,
	.needs_ap_lock = false,
	.device_parse = ccw_device_parse,
	.device_name = ccw_device_name,
	.takes_ap_ids = false,
	.owns_parent = ccw_owns_parent,
	.where = ccw_where,
	.nodedev_parent = ccw_nodedev_parent,
	.create_path = ccw_create_path,
	.device_path = ccw_device_path,
	.read_active = ccw_read_active,
	.read_attr = ccw_read_attr,
	.attrs = ccw_attrs,
	.same_config = ccw_same_config,
	.config_diff = ccw_config_diff,
	.plan_configure = ccw_plan_configure,
	.target = ccw_target,
	.read_once = ccw_read_once,
	.host_read = ccw_host_read,
	.host_free = ccw_host_free,
	.plan_prepare = ccw_plan_prepare,
	.plan_release = ccw_plan_release,
	.device_mdev = ccw_device_mdev,
	.check_create = ccw_check_create,
	.check_boot = ccw_check_boot,
	.boot_ready = ccw_boot_ready,
	.boot_host = ccw_boot_host,
	.validate = ccw_validate,
	.validate_host = ccw_validate_host,
	.config_part = ccw_config_part,
	.plan_complete = ccw_plan_complete,
	.plan_reconfigure = ccw_plan_complete,
	.host_devno = ccw_host_devno,
	.result_json = ccw_result_json,
	/* a vfio-ccw mdev has nothing to list beyond its subchannel (PARENT) */
	.list_columns = NULL,
	.nlist_columns = 0,
};
