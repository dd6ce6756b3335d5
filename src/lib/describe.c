/* xml: an mdev as libvirt <hostdev> XML, QEMU's -device argument, node-device XML or mdevctl's definition. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "request-internal.h"
#include "xml.h"

static const char *const format_names[XML_FORMAT__LAST] = {
	[XML_FORMAT_HOSTDEV] = "hostdev",
	[XML_FORMAT_QEMU] = "qemu",
	[XML_FORMAT_NODEDEV] = "nodedev",
	[XML_FORMAT_MDEVCTL] = "mdevctl",
};

const char *xml_format_to_string(enum xml_format f)
{
	return (unsigned)f < XML_FORMAT__LAST ? format_names[f] : NULL;
}

int xml_format_from_string(const char *s)
{
	for (int i = 0; i < XML_FORMAT__LAST; i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}

/* QEMU's device id is libvirt's alias */
static int qemu_args(const struct request_env *env,
		     const struct hostdev_opts *h, char **out,
		     struct vm_error *err)
{
	struct mdev_spec m = { .kind = h->kind };
	_cleanup_free_ char *path = NULL;
	char rel[128], dn[GUEST_DEVNO_STRLEN], devno[40] = "", boot[32] = "",
					       id[96] = "";

	snprintf(m.uuid, sizeof(m.uuid), "%s", h->uuid);
	h->kind->device_path(&m, rel, sizeof(rel));
	path = sysfs_path(env->sysfs, "%s", rel);
	if (h->has_devno) {
		guest_devno_format(&h->devno, dn);
		snprintf(devno, sizeof(devno), "devno=%s,", dn);
	}
	if (h->boot_order)
		snprintf(boot, sizeof(boot), ",bootindex=%u", h->boot_order);
	if (h->alias)
		snprintf(id, sizeof(id), ",id=%s", h->alias);
	if (!path || asprintf(out, "-device %s,%ssysfsdev=%s%s%s\n",
			      h->kind->model, devno, path, boot, id) < 0) {
		*out = NULL;
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	return 0;
}

/* the guest devno: as asked, else the host's mirrored; only css fe */
static int guest_devno(const struct request_env *env, const struct xml_req *r,
		       const struct mdev_info *m, struct hostdev_opts *h,
		       struct vm_error *err)
{
	char dn[GUEST_DEVNO_STRLEN];

	if (r->devno_given) {
		h->has_devno = true;
		h->devno = r->devno;
	} else if (m) {
		h->has_devno =
			h->kind->host_devno(env->sysfs, m->parent, &h->devno);
	}
	if (!h->has_devno || h->devno.cssid == 0xfe)
		return 0;
	guest_devno_format(&h->devno, dn);
	return vm_error_set(
		err, VM_EXIT_REFUSED, EINVAL,
		"invalid guest devno %s for %s: guests see only channel subsystem 0xfe (write fe.%x.%04x)",
		dn, h->kind->model, h->devno.ssid, h->devno.devno);
}

/* what the host says of the mdev (NULL with --model: a device elsewhere) */
static int host_mdev(const struct request_env *env, const struct xml_req *r,
		     struct mdev_list *l, const struct mdev_info **m,
		     struct vm_error *err)
{
	*m = NULL;
	if (r->model)
		return 0;
	if (mdev_list_read(env->sysfs, l, err) < 0 ||
	    mdev_lookup(l, r->uuid, r->parent, "describe", m, err) < 0)
		return vm_error_errno(err);
	if (!*m) {
		char models[256] = "";

		for (size_t i = 0; mdev_kinds[i]; i++)
			snprintf(models + strlen(models),
				 sizeof(models) - strlen(models),
				 "%s--model %s", i ? " or " : "",
				 mdev_kinds[i]->model);
		return vm_error_set(
			err, VM_EXIT_NOT_FOUND, ENODEV,
			"no mdev '%s' on this host (searched sysfs and mdevctl's definitions); for a device elsewhere, say what it is with %s",
			r->uuid, models);
	}
	return request_kind_of(env->sysfs, *m, "describe", true, err);
}

int request_xml(const struct request_env *env, const struct xml_req *r,
		char **out, const struct mdev_kind **kind, struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	const struct mdev_info *m;
	struct hostdev_opts h = { .uuid = r->uuid,
				  .boot_order = r->boot_order,
				  .alias = r->alias };
	struct mdev_spec spec;

	if (host_mdev(env, r, &l, &m, err) < 0)
		return vm_error_errno(err);
	h.kind = *kind = m ? m->kind : r->model;
	if (!h.kind->guest_ccw_address && (r->devno_given || r->boot_order))
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"--devno and --boot-order are for %s devices; a %s device has no ccw address and does not boot",
			mdev_kind_ccw_models(), h.kind->model);
	if (!m && (r->format == XML_FORMAT_NODEDEV ||
		   r->format == XML_FORMAT_MDEVCTL))
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"--format %s describes the mdev itself (its parent and configuration), so it needs the mdev on this host: leave out --model",
			xml_format_to_string(r->format));
	if (h.kind->guest_ccw_address && guest_devno(env, r, m, &h, err) < 0)
		return vm_error_errno(err);
	switch (r->format) {
	case XML_FORMAT_HOSTDEV:
		return xml_hostdev(&h, env->template_dir, out, err);
	case XML_FORMAT_QEMU:
		return qemu_args(env, &h, out, err);
	case XML_FORMAT_NODEDEV:
		mdev_spec_from_info(m, &spec);
		return xml_nodedev_mdev(&spec, env->template_dir, false, out,
					err);
	case XML_FORMAT_MDEVCTL:
		/* a definition as written; an mdev without one as mdevctl would define it */
		mdev_spec_from_info(m, &spec);
		*out = m->def ? mdev_definition_text(m->def) :
				mdev_definition_json(&spec, m->autostart);
		return *out ? 0 :
			      vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					   "out of memory");
	case XML_FORMAT__LAST:
		break;
	}
	return vm_error_set(err, VM_EXIT_USAGE, EINVAL, "unknown format");
}
