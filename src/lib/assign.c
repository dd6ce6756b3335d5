/* The requests on a domain: attach, detach, and assign/unassign as one plan (prepare, make the mdev, attach; and the reverse). */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "request-internal.h"
#include "users.h"

static void target_of(const struct request_env *env, const struct domain_req *d,
		      const struct outcome *o, struct attach_target *t)
{
	memset(t, 0, sizeof(*t));
	t->conn = env->conn ? env->conn : o->conn;
	t->dom = o->domain;
	t->name = virt_domain_name(o->domain);
	t->uri = env->uri;
	t->template_dir = env->template_dir;
	t->live = d->live;
	t->config = d->config;
}

static void req_of(const struct domain_req *d, const struct mdev_kind *kind,
		   const char *uuid, struct attach_req *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->uuid, sizeof(r->uuid), "%s", uuid);
	r->kind = kind;
	r->devno_given = d->devno_given;
	r->devno = d->devno;
	r->boot_order = d->boot_order;
	r->alias = d->alias;
	r->shared = d->shared;
}

static int ccw_address_only(const struct mdev_kind *kind,
			    const struct domain_req *d, struct vm_error *err)
{
	if (kind->guest_ccw_address || (!d->devno_given && !d->boot_order))
		return 0;
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"--devno and --boot-order are for %s devices; a %s device has no ccw address and does not boot",
		mdev_kind_ccw_models(), kind->model);
}

static struct json_object *domain_result(const struct outcome *o,
					 const char *uuid)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(
		r, "domain",
		json_object_new_string(virt_domain_name(o->domain)));
	json_object_object_add(r, "uuid", json_object_new_string(uuid));
	return r;
}

static void add_devno(struct json_object *r, const struct mdev_kind *kind,
		      const struct guest_devno *d)
{
	char dn[GUEST_DEVNO_STRLEN];

	if (!kind->guest_ccw_address)
		return;
	guest_devno_format(d, dn);
	json_object_object_add(r, "devno", json_object_new_string(dn));
}

static struct json_object *names_json(const struct strv *names)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < names->n; i++)
		json_object_array_add(a, json_object_new_string(names->v[i]));
	return a;
}

/* --shared let the mdev into this definition too: the result names the others, and the warning says what it means */
static void shared_report(struct outcome *o, const char *uuid,
			  const char *domain, const struct users_others *others)
{
	if (others->n == 0)
		return;
	json_object_object_add(o->result, "shared_with",
			       names_json(&others->domains));
	snprintf(
		o->warning, sizeof(o->warning),
		"--shared: mdev %s is in the definition of libvirt domain%s %.150s too; only one of %.100s and %.150s may run at a time",
		uuid, others->n > 1 ? "s" : "", others->names, domain,
		others->names);
}

int request_attach(const struct request_env *env, const struct domain_req *d,
		   const char *uuid, const char *parent, struct outcome *o,
		   struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	const struct mdev_info *m;
	struct attach_req req;
	struct attach_target t;
	_cleanup_attach_result_ struct attach_result res = { 0 };

	if (request_domain(env, d->domain, o, err) < 0 ||
	    mdev_list_read(env->sysfs, &l, err) < 0 ||
	    mdev_lookup(&l, uuid, parent, "attach", &m, err) < 0)
		return vm_error_errno(err);
	if (m && request_kind_of(env->sysfs, m, "attach", true, err) < 0)
		return vm_error_errno(err);
	/* an mdev that is not here is refused by attach_plan before its kind matters */
	req_of(d, m ? m->kind : NULL, uuid, &req);
	req.mdev_exists = m != NULL;
	req.mdev_active = m && m->active;
	if (m)
		req.host_devno_known = m->kind->host_devno(
			env->sysfs, m->parent, &req.host_devno);
	if (m && ccw_address_only(m->kind, d, err) < 0)
		return vm_error_errno(err);
	target_of(env, d, o, &t);
	if (attach_plan(&t, &req, &o->plan, &res, err) < 0)
		return vm_error_errno(err);
	snprintf(o->uuid, sizeof(o->uuid), "%s", uuid);
	o->result = domain_result(o, uuid);
	json_object_object_add(o->result, "model",
			       json_object_new_string(req.kind->model));
	add_devno(o->result, req.kind, &res.devno);
	shared_report(o, uuid, t.name, &res.others);
	snprintf(o->nothing, sizeof(o->nothing),
		 "mdev %s is attached to domain %s already", uuid, t.name);
	return 0;
}

int request_detach(const struct request_env *env, const struct domain_req *d,
		   const char *uuid, struct outcome *o, struct vm_error *err)
{
	struct attach_target t;

	if (request_domain(env, d->domain, o, err) < 0)
		return vm_error_errno(err);
	target_of(env, d, o, &t);
	if (detach_plan(&t, uuid, &o->plan, err) < 0)
		return vm_error_errno(err);
	snprintf(o->uuid, sizeof(o->uuid), "%s", uuid);
	o->result = domain_result(o, uuid);
	snprintf(o->nothing, sizeof(o->nothing),
		 "mdev %s is not attached to domain %s", uuid, t.name);
	return 0;
}

/* ---- assign ---- */

/*
 * An active mdev of m's parent and type that an interrupted assign left
 * half configured (the kind's config_part of m's configuration): the one
 * m names, or without --uuid one whose definition, if it has one, is m's.
 */
static const struct mdev_info *
half_made(const struct mdev_list *l, const struct mdev_spec *m, bool uuid_given)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct mdev_info *o = &l->v[i];
		struct mdev_info d = { .kind = o->kind };
		struct mdev_spec have, def;

		if (o->kind != m->kind || !o->active ||
		    strcmp(o->parent, m->parent) != 0 ||
		    strcmp(o->type, m->type) != 0 ||
		    (uuid_given && strcmp(o->uuid, m->uuid) != 0) ||
		    mdev_fault_of(l, o->uuid, NULL))
			continue;
		mdev_spec_from_info(o, &have);
		if (!m->kind->config_part(&have, m))
			continue;
		if (!o->def)
			return o;
		/* the matrix its definition gives it */
		for (size_t n = 0; n < o->def->nattrs; n++)
			(void)o->kind->read_attr(&d, o->def->attrs[n].name,
						 o->def->attrs[n].value);
		mdev_spec_from_info(&d, &def);
		def.kind = m->kind;
		if (m->kind->same_config(&def, m))
			return o;
	}
	return NULL;
}

/* prepare the device, and make the mdev on the host as the preparation leaves it */
static int assign_mdev(const struct request_env *env,
		       const struct assign_req *r, struct mdev_spec *m,
		       struct kind_host *h, struct outcome *o,
		       struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	const struct mdev_info *have = NULL;
	struct kind_args prep = r->target;
	struct mdev_state st;
	enum want persist = r->persistent ? WANT_YES : WANT_KEEP;

	prep.persistent = r->persistent;
	if (m->kind->plan_prepare(env->sysfs, h, m, &prep, &o->plan, err) < 0 ||
	    mdev_list_read(env->sysfs, &l, err) < 0)
		return vm_error_errno(err);
	/* an interrupted assign's mdev: created, not (fully) configured */
	have = half_made(&l, m, r->uuid_given);
	if (have) {
		struct mdev_spec part;

		snprintf(m->uuid, sizeof(m->uuid), "%s", have->uuid);
		mdev_spec_from_info(have, &part);
		if (m->kind->check_create(h, m, &l, err) < 0 ||
		    m->kind->plan_complete(env->sysfs, &o->plan, &part, m,
					   err) < 0)
			return vm_error_errno(err);
	} else if (mdev_resolve(m, r->uuid_given, "assign", &l, &have, err) < 0)
		return vm_error_errno(err);
	mdev_state_of(have, &st);
	/* the checks of create, on the host as the preparation leaves it */
	if (!st.active && m->kind->check_create(h, m, &l, err) < 0)
		return vm_error_errno(err);
	if (r->persistent && !(st.defined && st.autostart) &&
	    m->kind->check_boot(h, m, err) < 0)
		return vm_error_errno(err);
	if (request_backend(env, m, o, err) < 0)
		return vm_error_errno(err);
	return lifecycle_plan(&o->backend, &o->plan, m, &st, WANT_YES, persist,
			      persist, err);
}

int request_assign(const struct request_env *env, const struct assign_req *r,
		   struct outcome *o, struct vm_error *err)
{
	_cleanup_kind_host_ struct kind_host_ref h = { r->kind, NULL };
	struct mdev_spec m = { .kind = r->kind };
	struct domain_req d = r->dom;
	struct attach_req req;
	struct attach_target t;
	_cleanup_attach_result_ struct attach_result res = { 0 };

	if (r->persistent)
		d.config = true;
	if (r->uuid_given)
		snprintf(m.uuid, sizeof(m.uuid), "%s", r->uuid);
	/* what the command line names first; then libvirt, the lock and the host */
	if (ccw_address_only(r->kind, &d, err) < 0 ||
	    r->kind->target(env->sysfs, "assign DOMAIN", &r->target, &m, err) <
		    0 ||
	    request_domain(env, d.domain, o, err) < 0 ||
	    r->kind->host_read(env->sysfs, &m, &h.host, err) < 0 ||
	    assign_mdev(env, r, &m, h.host, o, err) < 0)
		return vm_error_errno(err);
	req_of(&d, r->kind, m.uuid, &req);
	req.mdev_exists = req.mdev_active = true; /* the plan makes it so */
	req.host_devno_known =
		r->kind->host_devno(env->sysfs, m.parent, &req.host_devno);
	target_of(env, &d, o, &t);
	if (attach_plan(&t, &req, &o->plan, &res, err) < 0)
		return vm_error_errno(err);
	snprintf(o->uuid, sizeof(o->uuid), "%s", m.uuid);
	o->result = domain_result(o, m.uuid);
	json_object_object_add(o->result, "model",
			       json_object_new_string(r->kind->model));
	json_object_object_add(o->result, "backend",
			       json_object_new_string(o->backend.ops->name));
	r->kind->result_json(o->result, &m, h.host);
	add_devno(o->result, r->kind, &res.devno);
	json_object_object_add(o->result, "persistent",
			       json_object_new_boolean(r->persistent));
	shared_report(o, m.uuid, t.name, &res.others);
	snprintf(o->nothing, sizeof(o->nothing),
		 "%s%s%s is assigned to domain %s already, as asked",
		 r->target.device ? r->target.device : "the ",
		 r->target.device ? "" : r->kind->model,
		 r->target.device ? "" : " mdev", t.name);
	if (r->persistent && r->kind->persist_note)
		snprintf(o->note, sizeof(o->note), "%s", r->kind->persist_note);
	return 0;
}

/* ---- unassign ---- */

/* the mdev a DEVICE names, from the first kind that takes a DEVICE */
static int device_mdev(const struct request_env *env, const char *device,
		       const struct mdev_list *l, struct mdev_spec *bare,
		       const struct mdev_info **out, struct vm_error *err)
{
	for (size_t i = 0; mdev_kinds[i]; i++) {
		int r;

		memset(bare, 0, sizeof(*bare));
		bare->kind = mdev_kinds[i];
		r = mdev_kinds[i]->device_mdev(env->sysfs, device, l, bare, out,
					       err);
		if (r != -ENOENT || vm_error_is_set(err))
			return r < 0 ? vm_error_errno(err) : 0;
	}
	return vm_error_set(
		err, VM_EXIT_USAGE, EINVAL,
		"'%s' is neither an mdev uuid nor a DEVICE (name the mdev by its uuid: 'virt-mdev list mdev' shows them)",
		device);
}

/* no mdev on the device: what is left is its preparation */
static int release_only(const struct request_env *env,
			const struct mdev_spec *bare, struct outcome *o,
			struct vm_error *err)
{
	_cleanup_kind_host_ struct kind_host_ref h = { bare->kind, NULL };
	_cleanup_free_ char *note = NULL;
	char where[96];

	if (bare->kind->plan_release(env->sysfs, bare, &o->plan, &note, err) <
	    0)
		return vm_error_errno(err);
	o->result = json_object_new_object();
	if (bare->kind->host_read(env->sysfs, bare, &h.host, err) == 0)
		bare->kind->result_json(o->result, bare, h.host);
	vm_error_clear(err);
	bare->kind->where(bare, where, sizeof(where));
	snprintf(o->nothing, sizeof(o->nothing),
		 "%s has no mdev and is back with the host", where);
	if (note)
		snprintf(o->warning, sizeof(o->warning), "%s", note);
	return 0;
}

/*
 * Another domain references the mdev (live or persistent XML): it stays, and
 * so does its device's preparation; the result and the warning say so. 1
 * when kept, 0 when no other domain has it.
 */
static int kept_for_others(const struct attach_target *t,
			   const struct mdev_spec *m, struct outcome *o,
			   struct vm_error *err)
{
	_cleanup_users_ struct users u = { 0 };
	_cleanup_users_others_ struct users_others others = { 0 };
	struct json_object *kept;
	char doing[256], where[96], why[200];

	snprintf(doing, sizeof(doing), "unassign mdev %s from domain %s",
		 m->uuid, t->name);
	if (users_scan_for(t->uri, t->conn, true, doing, &u, err) < 0)
		return vm_error_errno(err);
	if (users_others(&u, m->uuid, t->name, &others) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (others.n == 0)
		return 0;
	m->kind->where(m, where, sizeof(where));
	snprintf(why, sizeof(why), "libvirt domain%s %.150s use%s it too",
		 others.n > 1 ? "s" : "", others.names,
		 others.n > 1 ? "" : "s");
	kept = json_object_new_object();
	json_object_object_add(kept, "mdev", json_object_new_boolean(true));
	json_object_object_add(kept, "device", json_object_new_boolean(true));
	json_object_object_add(kept, "domains", names_json(&others.domains));
	json_object_object_add(kept, "reason", json_object_new_string(why));
	json_object_object_add(o->result, "kept", kept);
	snprintf(
		o->warning, sizeof(o->warning),
		"kept mdev %s on %s, and its device with vfio instead of giving it back to the host: %s (the unassign from the last domain that uses it removes both)",
		m->uuid, where, why);
	snprintf(
		o->nothing, sizeof(o->nothing),
		"mdev %s is not in domain %.150s, and stays on the host for %.200s",
		m->uuid, t->name, others.names);
	return 1;
}

/* detach, remove (and undefine), give back: the reverse of assign */
static int unassign_mdev(const struct request_env *env,
			 const struct attach_target *t,
			 const struct mdev_info *mi, bool keep_mdev,
			 struct outcome *o, struct vm_error *err)
{
	_cleanup_free_ char *note = NULL;
	struct mdev_spec m;
	struct mdev_state st, gone;
	int kept;

	if (request_kind_of(env->sysfs, mi, "unassign", false, err) < 0)
		return vm_error_errno(err);
	mdev_spec_from_info(mi, &m);
	mdev_state_of(mi, &st);
	snprintf(o->uuid, sizeof(o->uuid), "%s", m.uuid);
	o->result = domain_result(o, m.uuid);
	snprintf(o->nothing, sizeof(o->nothing),
		 "mdev %s is not in domain %s%s", m.uuid, t->name,
		 keep_mdev ? "" : ", and nothing of it is left on the host");
	if (detach_plan(t, m.uuid, &o->plan, err) < 0)
		return vm_error_errno(err);
	if (keep_mdev)
		return 0;
	kept = kept_for_others(t, &m, o, err);
	if (kept != 0)
		return kept < 0 ? kept : 0;
	/*
	 * the definition goes last: a rerun after an interruption finds the
	 * mdev by it, and with it the device to give back
	 */
	gone = st;
	gone.active = false;
	if (request_backend(env, &m, o, err) < 0 ||
	    lifecycle_plan(&o->backend, &o->plan, &m, &st, WANT_NO, WANT_KEEP,
			   WANT_KEEP, err) < 0 ||
	    m.kind->plan_release(env->sysfs, &m, &o->plan, &note, err) < 0 ||
	    lifecycle_plan(&o->backend, &o->plan, &m, &gone, WANT_NO, WANT_NO,
			   WANT_KEEP, err) < 0)
		return vm_error_errno(err);
	if (note)
		snprintf(o->warning, sizeof(o->warning), "%s", note);
	return 0;
}

int request_unassign(const struct request_env *env, const struct domain_req *d,
		     const char *what, const char *parent, bool keep_mdev,
		     struct outcome *o, struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	const struct mdev_info *mi = NULL;
	struct attach_target t;
	struct mdev_spec bare;
	uuid_t u;

	if (request_domain(env, d->domain, o, err) < 0 ||
	    mdev_list_read(env->sysfs, &l, err) < 0)
		return vm_error_errno(err);
	target_of(env, d, o, &t);
	if (ids_uuid_parse(what, u, NULL) == 0) {
		ids_uuid_format(u, bare.uuid);
		if (mdev_lookup(&l, bare.uuid, parent, "unassign", &mi, err) <
		    0)
			return -1;
		if (mi)
			return unassign_mdev(env, &t, mi, keep_mdev, o, err);
		/* not on the host; maybe still in the domain */
		snprintf(o->uuid, sizeof(o->uuid), "%s", bare.uuid);
		o->result = json_object_new_object();
		json_object_object_add(o->result, "uuid",
				       json_object_new_string(bare.uuid));
		snprintf(
			o->nothing, sizeof(o->nothing),
			"no mdev %s on this host, and none in domain %s ('virt-mdev validate' names what an interrupted unassign may have left of its device, and how to give it back)",
			bare.uuid, t.name);
		return detach_plan(&t, bare.uuid, &o->plan, err);
	}
	if (parent)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"--parent is for an mdev uuid; the DEVICE '%s' names its parent itself",
			what);
	if (device_mdev(env, what, &l, &bare, &mi, err) < 0)
		return vm_error_errno(err);
	return mi ? unassign_mdev(env, &t, mi, keep_mdev, o, err) :
		    release_only(env, &bare, o, err);
}
