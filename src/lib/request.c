/* What every request shares: its outcome (plan, result, lock, backend), the lock, the backend and the domain lookup. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ap.h"
#include "request-internal.h"

void outcome_init(struct outcome *o, const struct sysfs *s)
{
	memset(o, 0, sizeof(*o));
	plan_init(&o->plan, s);
	o->lock = -1;
}

void outcome_clear(struct outcome *o)
{
	plan_clear(&o->plan);
	json_object_put(o->result);
	o->result = NULL;
	backend_close(&o->backend);
	virt_domain_free(o->domain);
	o->domain = NULL;
	virt_conn_close(o->conn);
	o->conn = NULL;
	if (o->lock >= 0)
		close(o->lock);
	o->lock = -1;
}

int request_lock(const struct request_env *env, bool needed, struct outcome *o,
		 struct vm_error *err)
{
	if (!needed || env->dry_run || o->lock >= 0)
		return 0;
	o->lock = ap_lock(env->sysfs, err);
	return o->lock < 0 ? vm_error_errno(err) : 0;
}

int request_backend(const struct request_env *env, const struct mdev_spec *m,
		    struct outcome *o, struct vm_error *err)
{
	const struct backend_req r = {
		.choice = env->backend,
		.sysfs = env->sysfs,
		.uri = env->uri,
		.conn = env->conn ? env->conn : o->conn,
		.template_dir = env->template_dir,
		.timeout_s = env->timeout_s ? env->timeout_s :
					      REQUEST_DEFAULT_TIMEOUT_S,
	};

	backend_close(&o->backend);
	if (backend_open(&o->backend, &r, m, err) < 0)
		return vm_error_errno(err);
	snprintf(o->verbose, sizeof(o->verbose), "%s", o->backend.note);
	return 0;
}

struct json_object *request_result(const struct outcome *o,
				   const struct mdev_spec *m)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "uuid", json_object_new_string(m->uuid));
	json_object_object_add(r, "parent", json_object_new_string(m->parent));
	json_object_object_add(r, "type", json_object_new_string(m->type));
	json_object_object_add(
		r, "backend",
		json_object_new_string(o->backend.ops ? o->backend.ops->name :
							"sysfs"));
	m->kind->result_json(r, m, NULL);
	return r;
}

int request_kind_of(const struct sysfs *s, const struct mdev_info *i,
		    const char *verb, bool strict, struct vm_error *err)
{
	_cleanup_free_ char *def = NULL;
	char where[160] = "";

	if (i->kind && (!strict || strcmp(i->type, i->kind->mdev_type) == 0))
		return 0;
	if (i->defined)
		def = sysfs_area_path(s, SYSFS_AREA_MDEVCTL, "%s/%s", i->parent,
				      i->uuid);
	if (!i->kind) {
		for (size_t k = 0; mdev_kinds[k]; k++)
			snprintf(where + strlen(where),
				 sizeof(where) - strlen(where), "%s%s",
				 k ? " nor " : "", mdev_kinds[k]->parents);
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot %s mdev %s: its parent '%s' is neither %s, where %s mdevs live; %s%s",
			verb, i->uuid, i->parent, where, mdev_kind_models(),
			def ? "if its definition is stale, remove it: rm " :
			      "it is not virt-mdev's to manage",
			def ? def : "");
	}
	return vm_error_set(
		err, VM_EXIT_REFUSED, EINVAL,
		"cannot %s mdev %s: its type is '%s', but a %s mdev on %s has type %s (fix its definition, or remove it with 'virt-mdev remove %s --undefine')",
		verb, i->uuid, i->type[0] ? i->type : "(none)", i->kind->model,
		i->parent, i->kind->mdev_type, i->uuid);
}

virConnectPtr request_conn(const struct request_env *env, struct outcome *o,
			   struct vm_error *err)
{
	if (env->conn)
		return env->conn;
	if (!o->conn && virt_open(env->uri, &o->conn, err) < 0)
		return NULL;
	return o->conn;
}

int request_domain(const struct request_env *env, const char *name,
		   struct outcome *o, struct vm_error *err)
{
	virConnectPtr conn = request_conn(env, o, err);

	if (!conn)
		return -EIO;
	o->domain = virt_domain_lookup(conn, name);
	if (o->domain)
		return 0;
	return vm_error_set(
		err, VM_EXIT_NOT_FOUND, ENOENT,
		"no domain '%s' at %s (searched names and uuids; 'virsh list --all' shows them)",
		name,
		env->uri ? env->uri :
			   (getenv("LIBVIRT_DEFAULT_URI") ?
				    getenv("LIBVIRT_DEFAULT_URI") :
				    "libvirt's default URI"));
}
