/* The requests that prepare devices on their own: ccw bind/unbind and ap reserve/release, as one plan each. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "apchoice.h"
#include "cleanup.h"
#include "css.h"
#include "request-internal.h"

int request_ccw(const struct request_env *env, const char *device, bool bind,
		bool persistent, bool force, struct outcome *o,
		struct vm_error *err)
{
	_cleanup_free_ char *kept = NULL;
	struct css_subchannel sch;
	int r;

	if (css_find(env->sysfs, device, &sch, err) < 0)
		return vm_error_errno(err);
	r = bind ? css_plan_bind(env->sysfs, &sch, persistent, force, &o->plan,
				 err) :
		   css_plan_unbind(env->sysfs, &sch, persistent, &o->plan,
				   &kept, err);
	if (kept)
		snprintf(
			o->warning, sizeof(o->warning),
			"a persistent driverctl override still binds subchannel %s to %s at boot (add --persistent to remove it)",
			sch.name, kept);
	if (r < 0)
		return vm_error_errno(err);
	snprintf(o->nothing, sizeof(o->nothing),
		 "subchannel %s%s%s is already bound to %s%s", sch.name,
		 sch.has_device ? " of device " : "",
		 sch.has_device ? sch.busid_name : "",
		 bind ? CSS_VFIO_CCW : CSS_IO_SUBCHANNEL,
		 persistent ? (bind ? ", persistently" :
				      ", with no persistent override") :
			      "");
	return 0;
}

static struct json_object *masks_result(const struct ap_host *h, bool reserve,
					bool persistent,
					const struct apqn_set *asked,
					const struct ap_mask *apm,
					const struct ap_mask *aqm)
{
	struct json_object *r = json_object_new_object();
	struct json_object *moving = json_object_new_array();
	char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

	ap_mask_format(apm, am);
	ap_mask_format(aqm, qm);
	ap_moved_queues(h, &h->apmask, &h->aqmask, apm, aqm, NULL, 0, moving);
	json_object_object_add(r, "apmask", json_object_new_string(am));
	json_object_object_add(r, "aqmask", json_object_new_string(qm));
	json_object_object_add(
		r, reserve ? "leaving_host" : "returning_to_host", moving);
	if (reserve) {
		/* the fewest-queues choice may take queues not asked for: which */
		struct json_object *others = json_object_new_array();

		for (size_t i = 0; i < h->nqueues; i++) {
			const struct apqn *q = &h->queues[i].apqn;

			if (ap_reserved(&h->apmask, &h->aqmask, q) &&
			    !ap_reserved(apm, aqm, q) &&
			    !apqn_set_has(asked, q))
				json_object_array_add(
					others, json_object_new_string(
							h->queues[i].name));
		}
		json_object_object_add(r, "leaving_host_not_asked", others);
	}
	json_object_object_add(r, "persistent",
			       json_object_new_boolean(persistent));
	if (persistent) {
		ap_mask_format(&h->boot.apmask, am);
		ap_mask_format(&h->boot.aqmask, qm);
		json_object_object_add(r, "persistent_apmask",
				       json_object_new_string(am));
		json_object_object_add(r, "persistent_aqmask",
				       json_object_new_string(qm));
	}
	return r;
}

int request_ap_set(const struct request_env *env, bool reserve, bool persistent,
		   bool exact, const struct apqn_set *set, const char *what,
		   struct ap_host *before, struct outcome *o,
		   struct vm_error *err)
{
	_cleanup_free_ char *list = NULL;
	_cleanup_free_ struct apqn_set *need = NULL;
	struct ap_mask apm, aqm;

	if (ap_read_host(env->sysfs, before, err) < 0)
		return vm_error_errno(err);
	/*
	 * the boot masks first, as a file step whose undo restores the file
	 * exactly: a failed mask write after it takes it back
	 */
	if (persistent && ap_plan_boot_set(before, set, reserve, exact, "",
					   &o->plan, NULL, err) < 0)
		return vm_error_errno(err);
	if (reserve) {
		if (ap_plan_reserve_set(before, set, exact, &o->plan, &apm,
					&aqm, err) < 0)
			return vm_error_errno(err);
	} else {
		/* every mdev's APQNs, active or defined, stay free */
		need = calloc(1, sizeof(*need));
		if (!need)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		ap_mdevs_apqns(before, "", false, need);
		if (ap_plan_release_set(before, set, need, &o->plan, &apm, &aqm,
					NULL, err) < 0)
			return vm_error_errno(err);
	}
	if (!what) {
		list = apqn_set_format(set);
		if (!list)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	snprintf(o->nothing, sizeof(o->nothing),
		 "%s%.400s %s already %s the host's drivers%s",
		 what ? "" : (strchr(list, ' ') ? "APQNs " : "APQN "),
		 what ? what : list, what || strchr(list, ' ') ? "are" : "is",
		 reserve ? "free of" : "reserved for",
		 persistent ? ", now and at boot (" AP_RULES_FILE ")" : "");
	o->result = masks_result(before, reserve, persistent, set, &apm, &aqm);
	return 0;
}

int request_ap_masks(const struct request_env *env, bool reserve,
		     bool persistent, const struct ap_mask *adapters,
		     const struct ap_mask *domains, struct ap_host *before,
		     struct outcome *o, struct vm_error *err)
{
	_cleanup_free_ char *al = ap_mask_format_list(adapters);
	_cleanup_free_ char *dl = ap_mask_format_list(domains);
	_cleanup_free_ struct apqn_set *set = calloc(1, sizeof(*set));
	char what[600];

	if (!set || !al || !dl)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	apqn_set_add_matrix(set, adapters, domains);
	snprintf(what, sizeof(what), "adapters %.280s and domains %.280s", al,
		 dl);
	return request_ap_set(env, reserve, persistent, false, set, what,
			      before, o, err);
}

static int add_line(struct strv *lines, const char *fmt, ...) _printf_(2, 3);

static int add_line(struct strv *lines, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? -ENOMEM : strv_push_take(lines, s);
}

int request_ap_report(const struct request_env *env,
		      const struct ap_host *before, bool persistent,
		      struct strv *lines, struct vm_error *err)
{
	_cleanup_ap_host_ struct ap_host after = { 0 };
	char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];
	int r;

	/* what the kernel did: which queues are now where */
	if (ap_read_host(env->sysfs, &after, err) < 0)
		return vm_error_errno(err);
	for (size_t i = 0; i < after.nqueues; i++) {
		const struct ap_queue_info *a = &after.queues[i];

		for (size_t j = 0; j < before->nqueues; j++) {
			const struct ap_queue_info *b = &before->queues[j];

			if (strcmp(a->name, b->name) != 0 ||
			    strcmp(a->driver, b->driver) == 0)
				continue;
			if (add_line(lines, "queue %s: %s -> %s", a->name,
				     b->driver[0] ? b->driver : "none",
				     a->driver[0] ? a->driver : "none") < 0)
				return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
						    "out of memory");
		}
	}
	if (persistent) {
		_cleanup_free_ char *path = sysfs_area_path(
			env->sysfs, SYSFS_AREA_UDEV_RULES, AP_RULES_FILE);

		ap_mask_format(&after.boot.apmask, am);
		ap_mask_format(&after.boot.aqmask, qm);
		r = add_line(
			lines,
			"note: at boot, udev sets apmask=%s aqmask=%s by chzdev's rule %s ('lszdev --type ap --persistent' shows it)",
			am, qm, path ? path : AP_RULES_FILE);
	} else
		r = add_line(
			lines,
			"note: apmask and aqmask last until the next boot; add --persistent to keep them in chzdev's udev rule %s",
			AP_RULES_FILE);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}
