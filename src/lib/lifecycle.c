/* An mdev's lifecycle as plan steps, through libvirt or sysfs, and the checks before creating one. */
#include "config.h"

#include <string.h>
#include <time.h>
#include <libvirt/virterror.h>

#include "cleanup.h"
#include "lifecycle.h"
#include "xml.h"

void mdev_state_of(const struct mdev_info *i, struct mdev_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!i)
		return;
	out->exists = true;
	out->active = i->active;
	out->defined = i->defined;
	out->autostart = i->autostart;
}

static int oom(struct vm_error *err)
{
	return vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
}

static const char *where(const struct mdev_spec *m, char *buf, size_t size)
{
	if (m->is_ap)
		snprintf(buf, size, "the vfio_ap matrix");
	else
		snprintf(buf, size, "subchannel %s", m->parent);
	return buf;
}

/* ---- sysfs backend ---- */

static int sysfs_start_steps(const struct lifecycle *lc, struct plan *p,
			     const struct mdev_spec *m, struct vm_error *err)
{
	_cleanup_strv_ struct strv names = STRV_INIT, values = STRV_INIT;
	char path[256], undo[256], desc[512], w[96];
	struct step *st;

	mdev_create_path(m, path, sizeof(path));
	snprintf(undo, sizeof(undo), "bus/mdev/devices/%s/remove", m->uuid);
	snprintf(desc, sizeof(desc), "create mdev %s (%s) on %s", m->uuid,
		 m->type, where(m, w, sizeof(w)));
	st = plan_add_write(p, desc, path, m->uuid, undo, "1");
	snprintf(path, sizeof(path), "bus/mdev/devices/%s/mdev_type", m->uuid);
	if (!st || step_verify_link(st, path, m->type) < 0)
		return oom(err);
	if (!m->is_ap)
		return 0;
	if (mdev_kernel_has_ap_config(lc->sysfs)) {
		char value[256], zero[256];
		struct mdev_spec none = *m;
		_cleanup_free_ char *al = ap_mask_format_list(&m->apm);
		_cleanup_free_ char *dl = ap_mask_format_list(&m->aqm);
		_cleanup_free_ char *cl = ap_mask_format_list(&m->adm);

		mdev_ap_config_value(m, value, sizeof(value));
		ap_mask_zero(&none.apm);
		ap_mask_zero(&none.aqm);
		ap_mask_zero(&none.adm);
		mdev_ap_config_value(&none, zero, sizeof(zero));
		snprintf(path, sizeof(path),
			 "devices/vfio_ap/matrix/%s/ap_config", m->uuid);
		snprintf(
			desc, sizeof(desc),
			"configure mdev %s in one write (ap_config): adapters %s, domains %s, control domains %s",
			m->uuid, al ? al : "", dl ? dl : "",
			cl && *cl ? cl : "none");
		st = plan_add_write(p, desc, path, value, path, zero);
		if (!st || step_verify_value(st, path, value) < 0)
			return oom(err);
		return 0;
	}
	if (mdev_spec_attrs(m, &names, &values) < 0)
		return oom(err);
	for (size_t i = 0; i < names.n; i++) {
		snprintf(path, sizeof(path), "devices/vfio_ap/matrix/%s/%s",
			 m->uuid, names.v[i]);
		snprintf(undo, sizeof(undo), "devices/vfio_ap/matrix/%s/un%s",
			 m->uuid, names.v[i]);
		snprintf(desc, sizeof(desc), "%s %s to mdev %s",
			 strcmp(names.v[i], "assign_adapter") == 0 ?
				 "assign adapter" :
			 strcmp(names.v[i], "assign_domain") == 0 ?
				 "assign domain" :
				 "assign control domain",
			 values.v[i], m->uuid);
		if (!plan_add_write(p, desc, path, values.v[i], undo,
				    values.v[i]))
			return oom(err);
	}
	return 0;
}

/* stop through sysfs: its undo runs the start steps again (create and the configuration) */
struct sysfs_stop {
	const struct lifecycle *lc;
	struct mdev_spec spec;
};

static int sysfs_stop_run(void *data, char **why)
{
	struct sysfs_stop *d = data;
	int r = sysfs_write(d->lc->sysfs, "1", "bus/mdev/devices/%s/remove",
			    d->spec.uuid);

	if (r < 0 && asprintf(why, "%s", strerror(-r)) < 0)
		*why = NULL;
	return r;
}

static int sysfs_stop_undo(void *data, char **why)
{
	struct sysfs_stop *d = data;
	struct vm_error err = { 0 };
	struct plan start;
	int r;

	plan_init(&start, d->lc->sysfs);
	r = sysfs_start_steps(d->lc, &start, &d->spec, &err);
	if (r == 0)
		r = plan_execute(&start, NULL, &err);
	plan_clear(&start);
	if (r < 0 && asprintf(why, "%s", err.msg) < 0)
		*why = NULL;
	return r;
}

static int sysfs_stop_step(const struct lifecycle *lc, struct plan *p,
			   const struct mdev_spec *m, struct vm_error *err)
{
	struct sysfs_stop *d = calloc(1, sizeof(*d));
	_cleanup_free_ char *cmd = NULL, *root = NULL;
	char *undo = NULL;
	char desc[256], w[96];
	struct step_call call = { sysfs_stop_run, sysfs_stop_undo, free, d };
	struct plan start;
	int r;

	if (!d)
		return oom(err);
	d->lc = lc;
	d->spec = *m;
	/* the undo's command: the start steps' commands, in order */
	plan_init(&start, lc->sysfs);
	r = sysfs_start_steps(lc, &start, m, err);
	for (size_t i = 0; r == 0 && i < start.n; i++) {
		_cleanup_free_ char *c = step_command(&start, &start.steps[i]);
		char *joined = NULL;

		if (!c || asprintf(&joined, "%s%s%s", undo ? undo : "",
				   undo ? "; " : "", c) < 0)
			r = oom(err);
		free(undo);
		undo = r == 0 ? joined : NULL;
	}
	plan_clear(&start);
	root = sysfs_path(lc->sysfs, "%s", "");
	if (r == 0 &&
	    (!root || asprintf(&cmd, "echo 1 > %s/bus/mdev/devices/%s/remove",
			       root, m->uuid) < 0)) {
		cmd = NULL;
		r = oom(err);
	}
	if (r < 0) {
		free(undo);
		free(d);
		return r;
	}
	snprintf(desc, sizeof(desc), "remove mdev %s from %s", m->uuid,
		 where(m, w, sizeof(w)));
	r = plan_add_call(p, desc, cmd, undo, &call) ? 0 : oom(err);
	free(undo);
	return r;
}

/* ---- libvirt backend ---- */

struct nd_call {
	const struct lifecycle *lc;
	struct mdev_spec spec;
	char *xml; /* for create and define */
	char *saved; /* undefine: the definition, for the undo */
	bool on; /* autostart */
};

static void nd_free(void *data)
{
	struct nd_call *c = data;

	free(c->xml);
	free(c->saved);
	free(c);
}

static virNodeDevicePtr nd_lookup(const struct nd_call *c)
{
	char a[160], b[160];
	virNodeDevicePtr dev;

	mdev_nodedev_names(&c->spec, a, b, sizeof(a));
	dev = virt_nodedev_lookup(c->lc->conn, a);
	return dev ? dev : virt_nodedev_lookup(c->lc->conn, b);
}

static int nd_fail(char **why, const char *what)
{
	const char *msg = virt_last_error();

	if (asprintf(
		    why, "%s: %s%s", what, msg,
		    strstr(msg, "cause is unknown") ?
			    " (libvirt's node-device driver did not see the device appear: it learns of new mdevs from udev events; is systemd-udevd running?)" :
			    "") < 0)
		*why = NULL;
	return -EIO;
}

static bool in_sysfs(const struct nd_call *c)
{
	return sysfs_exists(c->lc->sysfs, "bus/mdev/devices/%s", c->spec.uuid);
}

/* libvirt reports a started mdev active only once udev told it: wait, bounded */
static int nd_wait_active(const struct nd_call *c, virNodeDevicePtr dev,
			  char **why)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };

	for (unsigned waited = 0;; waited += 20) {
		if (virt_nodedev_is_active(dev) == 1)
			return 0;
		if (waited >= c->lc->wait_ms)
			break;
		nanosleep(&step, NULL);
	}
	{
		/* what the timed-out start made must not stay: libvirt first, then this host's sysfs */
		bool was_there = in_sysfs(c), removed = false;

		if (was_there) {
			removed = virt_nodedev_destroy(dev) == 0 &&
				  !in_sysfs(c);
			if (!removed && !virt_uri_is_remote(c->lc->uri))
				removed = sysfs_write(
						  c->lc->sysfs, "1",
						  "bus/mdev/devices/%s/remove",
						  c->spec.uuid) == 0;
		}
		if (asprintf(
			    why,
			    "libvirt did not report mdev %s active within %u s (%s; libvirt's node-device driver learns of new mdevs from udev events: is systemd-udevd running? --timeout sets the wait)",
			    c->spec.uuid, c->lc->wait_ms / 1000,
			    !was_there ?
				    "it is not in sysfs either" :
			    removed ?
				    "it was in sysfs and has been removed again" :
				    "it is in sysfs and could not be removed: remove it by hand") <
		    0)
			*why = NULL;
	}
	return -ETIMEDOUT;
}

static int nd_destroy(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = nd_lookup(c);

	if (!dev)
		return nd_fail(why, "cannot find the node device");
	return virt_nodedev_destroy(dev) < 0 ? nd_fail(why, "nodedev-destroy") :
					       0;
}

static int nd_create_transient(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = NULL;

	if (virt_nodedev_create_xml(c->lc->conn, c->xml, &dev) < 0) {
		int r = nd_fail(why, "nodedev-create");

		/* libvirt gave up waiting; what mdevctl made must not stay */
		if (in_sysfs(c) && !virt_uri_is_remote(c->lc->uri) &&
		    sysfs_write(c->lc->sysfs, "1", "bus/mdev/devices/%s/remove",
				c->spec.uuid) == 0 &&
		    *why) {
			char *more = NULL;

			if (asprintf(
				    &more,
				    "%s; the device it left in sysfs has been removed",
				    *why) >= 0) {
				free(*why);
				*why = more;
			}
		}
		return r;
	}
	return nd_wait_active(c, dev, why);
}

static int nd_undefine(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = nd_lookup(c);

	if (!dev)
		return nd_fail(why, "cannot find the node device");
	free(c->saved);
	c->saved = virt_nodedev_xml(dev);
	return virt_nodedev_undefine(dev) < 0 ?
		       nd_fail(why, "nodedev-undefine") :
		       0;
}

static int nd_define(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = NULL;
	const char *xml = c->saved ? c->saved : c->xml;

	return virt_nodedev_define_xml(c->lc->conn, xml, &dev) < 0 ?
		       nd_fail(why, "nodedev-define") :
		       0;
}

/* the undo of an undefine: define what was saved */
static int nd_redefine(void *data, char **why)
{
	struct nd_call *c = data;

	if (!c->saved) {
		if (asprintf(why, "the definition was not saved") < 0)
			*why = NULL;
		return -EIO;
	}
	return nd_define(data, why);
}

static int nd_start(void *data, char **why)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = nd_lookup(c);

	if (!dev)
		return nd_fail(why, "cannot find the node device");
	if (virt_nodedev_start(dev) < 0)
		return nd_fail(why, "nodedev-start");
	return nd_wait_active(c, dev, why);
}

static int nd_autostart(void *data, char **why, bool on)
{
	struct nd_call *c = data;
	_cleanup_nodedev_ virNodeDevicePtr dev = nd_lookup(c);

	if (!dev)
		return nd_fail(why, "cannot find the node device");
	return virt_nodedev_set_autostart(dev, on) < 0 ?
		       nd_fail(why, "nodedev-autostart") :
		       0;
}

static int nd_autostart_run(void *data, char **why)
{
	return nd_autostart(data, why, ((struct nd_call *)data)->on);
}

static int nd_autostart_undo(void *data, char **why)
{
	return nd_autostart(data, why, !((struct nd_call *)data)->on);
}

static char *virsh(const struct lifecycle *lc)
{
	char *v = NULL;

	if (lc->uri) {
		if (asprintf(&v, "virsh -c '%s'", lc->uri) < 0)
			return NULL;
		return v;
	}
	return strdup("virsh");
}

static int nd_step(const struct lifecycle *lc, struct plan *p,
		   const struct mdev_spec *m, const char *desc,
		   const char *verb, const char *undo_verb, bool with_xml,
		   int (*run)(void *, char **), int (*undo)(void *, char **),
		   bool on, struct vm_error *err)
{
	struct nd_call *c = calloc(1, sizeof(*c));
	_cleanup_free_ char *v = virsh(lc), *cmd = NULL, *ucmd = NULL;
	char name[160], other[160];
	struct step_call call = { run, undo, nd_free, c };

	if (!c || !v) {
		free(c);
		return oom(err);
	}
	c->lc = lc;
	c->spec = *m;
	c->on = on;
	mdev_nodedev_names(m, name, other, sizeof(name));
	if (with_xml) {
		if (xml_nodedev_mdev(m, lc->template_dir, false, &c->xml, err) <
		    0) {
			free(c);
			return -EINVAL;
		}
		if (asprintf(&cmd, "%s %s /dev/stdin <<'EOF'\n%sEOF", v, verb,
			     c->xml) < 0)
			cmd = NULL;
	} else if (asprintf(&cmd, "%s %s %s", v, verb, name) < 0) {
		cmd = NULL;
	}
	if (undo_verb && asprintf(&ucmd, "%s %s %s", v, undo_verb, name) < 0)
		ucmd = NULL;
	if (!cmd || (undo_verb && !ucmd)) {
		nd_free(c);
		return oom(err);
	}
	return plan_add_call(p, desc, cmd, ucmd, &call) ? 0 : oom(err);
}

/* ---- the plan ---- */

int lifecycle_plan(const struct lifecycle *lc, struct plan *p,
		   const struct mdev_spec *m, const struct mdev_state *have,
		   enum want active, enum want defined, enum want autostart,
		   struct vm_error *err)
{
	bool to_define = defined == WANT_YES && !have->defined;
	bool to_start = active == WANT_YES && !have->active;
	bool to_stop = active == WANT_NO && have->active;
	bool to_undefine = defined == WANT_NO && have->defined;
	/* autostart only means something for a definition */
	bool will_be_defined = (have->defined || to_define) && !to_undefine;
	bool auto_on = autostart == WANT_YES ? true :
		       autostart == WANT_NO  ? false :
					       have->autostart;
	bool to_autostart = will_be_defined && auto_on != have->autostart &&
			    !(to_define && lc->conn == NULL);
	char desc[512], w[96];
	int r = 0;

	where(m, w, sizeof(w));
	if (!lc->conn) {
		char path[160];

		mdev_definition_path(m, path, sizeof(path));
		if (to_define || to_autostart) {
			/* a new definition from the spec; an existing one keeps all but its start */
			_cleanup_free_ char *json =
				to_define ?
					mdev_definition_json(m, auto_on) :
					mdev_definition_with_start(lc->sysfs, m,
								   auto_on);

			snprintf(
				desc, sizeof(desc),
				to_define ?
					"define mdev %s on %s (mdevctl definition, start %s)" :
					"set mdev %s on %s to start %s at boot (mdevctl definition)",
				m->uuid, w, auto_on ? "auto" : "manual");
			if (!json ||
			    !plan_add_file_put(p, desc, SYSFS_AREA_MDEVCTL,
					       path, json))
				return oom(err);
		}
		if (to_start)
			r = sysfs_start_steps(lc, p, m, err);
		if (r == 0 && to_stop)
			r = sysfs_stop_step(lc, p, m, err);
		if (r == 0 && to_undefine) {
			snprintf(
				desc, sizeof(desc),
				"undefine mdev %s (remove its mdevctl definition)",
				m->uuid);
			if (!plan_add_file_delete(p, desc, SYSFS_AREA_MDEVCTL,
						  path))
				return oom(err);
		}
		return r;
	}
	if (to_start && !will_be_defined) {
		snprintf(desc, sizeof(desc),
			 "create transient mdev %s (%s) on %s through libvirt",
			 m->uuid, m->type, w);
		r = nd_step(lc, p, m, desc, "nodedev-create", "nodedev-destroy",
			    true, nd_create_transient, nd_destroy, false, err);
		to_start = false;
	}
	if (r == 0 && to_define) {
		snprintf(desc, sizeof(desc),
			 "define mdev %s (%s) on %s through libvirt", m->uuid,
			 m->type, w);
		r = nd_step(lc, p, m, desc, "nodedev-define",
			    "nodedev-undefine", true, nd_define, nd_undefine,
			    false, err);
	}
	if (r == 0 && to_start) {
		snprintf(desc, sizeof(desc), "start mdev %s through libvirt",
			 m->uuid);
		r = nd_step(lc, p, m, desc, "nodedev-start", "nodedev-destroy",
			    false, nd_start, nd_destroy, false, err);
	}
	if (r == 0 && to_autostart) {
		snprintf(desc, sizeof(desc),
			 "%s mdev %s at boot through libvirt",
			 auto_on ? "start" : "do not start", m->uuid);
		r = nd_step(lc, p, m, desc,
			    auto_on ? "nodedev-autostart" :
				      "nodedev-autostart --disable",
			    auto_on ? "nodedev-autostart --disable" :
				      "nodedev-autostart",
			    false, nd_autostart_run, nd_autostart_undo, auto_on,
			    err);
	}
	if (r == 0 && to_stop) {
		snprintf(desc, sizeof(desc), "stop mdev %s through libvirt",
			 m->uuid);
		r = nd_step(lc, p, m, desc, "nodedev-destroy",
			    have->defined ? "nodedev-start" : NULL, false,
			    nd_destroy, have->defined ? nd_start : NULL, false,
			    err);
	}
	if (r == 0 && to_undefine) {
		snprintf(desc, sizeof(desc), "undefine mdev %s through libvirt",
			 m->uuid);
		r = nd_step(lc, p, m, desc, "nodedev-undefine",
			    "nodedev-define", false, nd_undefine, nd_redefine,
			    false, err);
	}
	return r;
}

/* ---- checks ---- */

int lifecycle_check_ccw(const struct css_subchannel *sch,
			const struct mdev_spec *m,
			const struct mdev_info *mdevs, size_t n,
			struct vm_error *err)
{
	const char *dev = sch->has_device ? sch->busid_name : sch->name;

	if (sch->type != CSS_TYPE_IO)
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot create a vfio-ccw mdev on subchannel %s: it is a %s subchannel; vfio_ccw drives I/O subchannels only (see 'virt-mdev list ccw')",
			sch->name, css_type_name(sch->type));
	if (strcmp(sch->driver, "vfio_ccw") != 0)
		return vm_error_set(
			err, VM_EXIT_REFUSED, ENODEV,
			"cannot create a vfio-ccw mdev on subchannel %s%s%s: it is bound to %s, not vfio_ccw (run 'virt-mdev ccw bind %s' first)",
			sch->name, sch->has_device ? " of device " : "",
			sch->has_device ? sch->busid_name : "",
			sch->driver[0] ? sch->driver : "no driver", dev);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(mdevs[i].parent, sch->name) != 0 ||
		    strcmp(mdevs[i].uuid, m->uuid) == 0)
			continue;
		return vm_error_set(
			err, VM_EXIT_REFUSED, EEXIST,
			"cannot create mdev %s on subchannel %s: mdev %s (%s) is already there, and vfio_ccw allows one per subchannel (use it, or 'virt-mdev remove %s --undefine' first)",
			m->uuid, sch->name, mdevs[i].uuid,
			mdevs[i].active && mdevs[i].defined ?
				"active, defined" :
			mdevs[i].active ? "active" :
					  "defined",
			mdevs[i].uuid);
	}
	return 0;
}

static void append_apqn(char *buf, size_t size, int a, int d, unsigned *count)
{
	size_t len = strlen(buf);

	if (++*count > 8) {
		if (*count == 9 && len + 5 < size)
			strcat(buf, ",...");
		return;
	}
	snprintf(buf + len, size - len, "%s%02x.%04x", len ? "," : "", a, d);
}

int lifecycle_check_ap(const struct ap_host *h, const struct mdev_spec *m,
		       const struct mdev_info *mdevs, size_t n,
		       struct vm_error *err)
{
	const struct {
		const struct ap_mask *mask;
		unsigned max;
		const char *what, *file;
	} ids[] = {
		{ &m->apm, h->max_adapter_id, "adapter", "ap_max_adapter_id" },
		{ &m->aqm, h->max_domain_id, "domain", "ap_max_domain_id" },
		{ &m->adm, h->max_domain_id, "control domain",
		  "ap_max_domain_id" },
	};
	char reserved[256] = "";
	unsigned nreserved = 0;
	struct ap_mask ra, rd;
	int a, d;

	for (size_t k = 0; k < ARRAY_SIZE(ids); k++) {
		int bit;

		ap_mask_for_each(bit, ids[k].mask)
			if ((unsigned)bit > ids[k].max)
				return vm_error_set(
					err, VM_EXIT_REFUSED, ERANGE,
					"cannot use %s %d (0x%x) in mdev %s: this host's %s ids are 0-%u (%s)",
					ids[k].what, bit, bit, m->uuid,
					ids[k].what, ids[k].max, ids[k].file);
	}
	if (!ap_mask_is_empty(&m->adm) && ap_mask_is_empty(&m->aqm))
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"mdev %s has control domains but no usage domain: a vfio-ap device needs at least one usage domain (add --domains)",
			m->uuid);
	ap_mask_zero(&ra);
	ap_mask_zero(&rd);
	ap_mask_for_each(a, &m->apm)
		ap_mask_for_each(d, &m->aqm) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };

			if (!ap_reserved(&h->apmask, &h->aqmask, &q))
				continue;
			append_apqn(reserved, sizeof(reserved), a, d,
				    &nreserved);
			if (ap_mask_test(&h->apmask, (unsigned)a))
				ap_mask_set(&ra, (unsigned)a);
			if (ap_mask_test(&h->aqmask, (unsigned)d))
				ap_mask_set(&rd, (unsigned)d);
		}
	if (nreserved) {
		_cleanup_free_ char *al = NULL, *dl = NULL;

		/* name what reserve must free: the adapters and domains still in the masks */
		al = ap_mask_format_list(ap_mask_is_empty(&ra) ? &m->apm : &ra);
		dl = ap_mask_format_list(ap_mask_is_empty(&rd) ? &m->aqm : &rd);
		return vm_error_set(
			err, VM_EXIT_REFUSED, EADDRNOTAVAIL,
			"cannot give APQN%s %s to mdev %s: reserved for the host's drivers by apmask/aqmask (run 'virt-mdev ap reserve --adapters %s --domains %s' first)",
			nreserved > 1 ? "s" : "", reserved, m->uuid,
			al ? al : "", dl ? dl : "");
	}
	for (size_t i = 0; i < n; i++) {
		struct ap_mask sa, sd;
		char shared[256] = "";
		unsigned nshared = 0;

		if (!mdevs[i].is_ap || strcmp(mdevs[i].uuid, m->uuid) == 0)
			continue;
		ap_mask_and(&sa, &mdevs[i].apm, &m->apm);
		ap_mask_and(&sd, &mdevs[i].aqm, &m->aqm);
		if (ap_mask_is_empty(&sa) || ap_mask_is_empty(&sd))
			continue;
		ap_mask_for_each(a, &sa)
			ap_mask_for_each(d, &sd)
				append_apqn(shared, sizeof(shared), a, d,
					    &nshared);
		return vm_error_set(
			err, VM_EXIT_REFUSED, EADDRINUSE,
			"cannot give APQN%s %s to mdev %s: %s mdev %s holds %s (an APQN belongs to one mdev; remove it with 'virt-mdev remove %s%s', or pick other adapters or domains)",
			nshared > 1 ? "s" : "", shared, m->uuid,
			mdevs[i].active && mdevs[i].defined ?
				"active, defined" :
			mdevs[i].active ? "active" :
					  "defined",
			mdevs[i].uuid, nshared > 1 ? "them" : "it",
			mdevs[i].uuid, mdevs[i].defined ? " --undefine" : "");
	}
	return 0;
}
