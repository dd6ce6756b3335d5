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
	return o->lock < 0 ? -1 : 0;
}

int request_backend(const struct request_env *env, const struct mdev_spec *m,
		    struct outcome *o, struct vm_error *err)
{
	const struct backend_req r = {
		.choice = env->backend,
		.sysfs = env->sysfs,
		.uri = env->uri,
		.conn = env->conn,
		.template_dir = env->template_dir,
		.timeout_s = env->timeout_s ? env->timeout_s :
					      REQUEST_DEFAULT_TIMEOUT_S,
	};

	backend_close(&o->backend);
	if (backend_open(&o->backend, &r, m, err) < 0)
		return -1;
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

int request_kind_of(const struct mdev_info *i, struct vm_error *err)
{
	if (i->kind)
		return 0;
	return vm_error_set(err, VM_EXIT_REFUSED, EINVAL,
			    "mdev %s has type '%s', which is neither %s",
			    i->uuid, i->type[0] ? i->type : "(none)",
			    mdev_kind_models());
}

int request_domain(const struct request_env *env, const char *name,
		   virDomainPtr *out, struct vm_error *err)
{
	*out = env->conn ? virt_domain_lookup(env->conn, name) : NULL;
	if (*out)
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
