/* The requests on one mdev: create (with the checks first), start, stop and remove, as one plan each. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "request-internal.h"
#include "users.h"

static const char *const change_names[CHANGE__LAST] = {
	[CHANGE_START] = "start",
	[CHANGE_STOP] = "stop",
	[CHANGE_REMOVE] = "remove",
};

const char *mdev_change_to_string(enum mdev_change c)
{
	return (unsigned)c < CHANGE__LAST ? change_names[c] : "change";
}

int request_create(const struct request_env *env, const struct create_req *r,
		   struct outcome *o, struct vm_error *err)
{
	struct mdev_spec m = { .kind = r->kind };
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	_cleanup_kind_host_ struct kind_host_ref h = { r->kind, NULL };
	const struct mdev_info *have = NULL;
	struct mdev_state st;
	char words[96];

	if (r->uuid_given)
		snprintf(m.uuid, sizeof(m.uuid), "%s", r->uuid);
	if (r->kind->target(env->sysfs, "create", &r->target, &m, err) < 0 ||
	    r->kind->host_read(env->sysfs, &m, &h.host, err) < 0 ||
	    mdev_list_read(env->sysfs, &l, err) < 0 ||
	    mdev_resolve(&m, r->uuid_given, "create", &l, &have, err) < 0)
		return vm_error_errno(err);
	mdev_state_of(have, &st);
	/* the checks: only what is to be made must pass them */
	if (!st.active && r->kind->check_create(h.host, &m, &l, err) < 0)
		return vm_error_errno(err);
	if (r->autostart && !(st.defined && st.autostart) &&
	    r->kind->check_boot(h.host, &m, err) < 0)
		return vm_error_errno(err);
	if (request_backend(env, &m, o, err) < 0 ||
	    lifecycle_plan(&o->backend, &o->plan, &m, &st, WANT_YES,
			   r->define ? WANT_YES : WANT_KEEP,
			   r->autostart ? WANT_YES : WANT_KEEP, err) < 0)
		return vm_error_errno(err);
	snprintf(o->uuid, sizeof(o->uuid), "%s", m.uuid);
	snprintf(o->nothing, sizeof(o->nothing), "mdev %s exists as asked (%s)",
		 m.uuid, mdev_state_words(&st, words, sizeof(words)));
	o->result = request_result(o, &m);
	return 0;
}

/* what the kernel would refuse, said first; overlaps only with active ones */
static int check_start(const struct request_env *env, const struct mdev_spec *m,
		       const struct mdev_list *l, struct vm_error *err)
{
	_cleanup_kind_host_ struct kind_host_ref h = { m->kind, NULL };
	/* the active entries, borrowed from l (only the array is ours) */
	_cleanup_free_ struct mdev_info *v = calloc(l->n + 1, sizeof(*l->v));
	struct mdev_list active = { v, 0 };
	int r;

	if (!v)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].active)
			active.v[active.n++] = l->v[i];
	r = m->kind->host_read(env->sysfs, m, &h.host, err);
	if (r < 0)
		vm_error_prefix(err, "cannot start mdev %s", m->uuid);
	else
		r = m->kind->check_create(h.host, m, &active, err);
	return r < 0 ? vm_error_errno(err) : 0;
}

/* a guest that uses it: detach first (asked with either backend: the guests are libvirt's) */
static int check_unused(const struct request_env *env, const struct outcome *o,
			enum mdev_change c, const char *uuid,
			struct vm_error *err)
{
	_cleanup_users_ struct users u = { 0 };
	_cleanup_users_others_ struct users_others others = { 0 };
	char doing[96];

	snprintf(doing, sizeof(doing), "%s mdev %s", mdev_change_to_string(c),
		 uuid);
	if (users_scan_for(env->uri,
			   o->backend.conn ? o->backend.conn :
			   env->conn	   ? env->conn :
					     o->conn,
			   false, doing, &u, err) < 0)
		return vm_error_errno(err);
	users_others(&u, uuid, NULL,
		     &others); /* the names are in others.names */
	return users_refuse_used(&others, uuid, doing, NULL, NULL, err);
}

int request_change(const struct request_env *env, enum mdev_change c,
		   const char *uuid, const char *parent, bool undefine,
		   struct outcome *o, struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	const struct mdev_info *have;
	struct mdev_spec m;
	struct mdev_state st;
	char words[96];

	snprintf(o->uuid, sizeof(o->uuid), "%s", uuid);
	if (mdev_list_read(env->sysfs, &l, err) < 0 ||
	    mdev_lookup(&l, uuid, parent, mdev_change_to_string(c), &have,
			err) < 0)
		return vm_error_errno(err);
	if (!have && c == CHANGE_REMOVE) {
		/* the state asked for holds: nothing to remove */
		o->result = json_object_new_object();
		json_object_object_add(o->result, "uuid",
				       json_object_new_string(uuid));
		snprintf(
			o->nothing, sizeof(o->nothing),
			"no mdev %s%s%s on this host (neither active in sysfs nor defined)",
			uuid, parent ? " on parent " : "",
			parent ? parent : "");
		return 0;
	}
	if (!have)
		return vm_error_set(
			err, VM_EXIT_NOT_FOUND, ENODEV,
			"no mdev '%s'%s%s on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)",
			uuid, parent ? " on parent " : "",
			parent ? parent : "");
	if (request_kind_of(env->sysfs, have, mdev_change_to_string(c),
			    c == CHANGE_START, err) < 0)
		return vm_error_errno(err);
	mdev_spec_from_info(have, &m);
	mdev_state_of(have, &st);
	if (c == CHANGE_START && !st.active &&
	    check_start(env, &m, &l, err) < 0)
		return vm_error_errno(err);
	if (request_backend(env, &m, o, err) < 0)
		return vm_error_errno(err);
	if ((c == CHANGE_REMOVE || (c == CHANGE_STOP && st.active)) &&
	    (st.active || undefine) && check_unused(env, o, c, uuid, err) < 0)
		return vm_error_errno(err);
	if (lifecycle_plan(&o->backend, &o->plan, &m, &st,
			   c == CHANGE_START ? WANT_YES : WANT_NO,
			   undefine ? WANT_NO : WANT_KEEP, WANT_KEEP, err) < 0)
		return vm_error_errno(err);
	snprintf(
		o->nothing, sizeof(o->nothing), "mdev %s is %s%s", uuid,
		mdev_state_words(&st, words, sizeof(words)),
		c == CHANGE_REMOVE && st.defined && !undefine ?
			"; its definition stays (add --undefine to delete it)" :
			"");
	o->result = request_result(o, &m);
	return 0;
}

int request_state(const struct request_env *env, const char *uuid,
		  const char *parent, struct mdev_state *out,
		  struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	const struct mdev_info *m = NULL;

	if (mdev_list_read(env->sysfs, &l, err) < 0)
		return vm_error_errno(err);
	for (size_t i = 0; i < l.n && !m; i++)
		if (strcmp(l.v[i].uuid, uuid) == 0 &&
		    (!parent || strcmp(l.v[i].parent, parent) == 0))
			m = &l.v[i];
	mdev_state_of(m, out);
	return 0;
}
