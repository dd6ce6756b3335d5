/* What every request shares: its outcome (plan, result, the lock its plan takes, backend), the backend and the domain lookup. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "request-internal.h"

static int outcome_lock_take(void *opaque, struct vm_error *err)
{
	return ap_lock_take(opaque, err);
}

static void outcome_lock_release(void *opaque)
{
	ap_lock_release(opaque);
}

void outcome_init(struct outcome *o, const struct request_env *env)
{
	_cleanup_free_ char *path = NULL;

	memset(o, 0, sizeof(*o));
	plan_init(&o->plan, env->sysfs);
	o->plan.jobs = env->jobs;
	ap_lock_init(&o->lock, env->sysfs, env->lock_timeout_s, env->lock_say,
		     env->lock_say_opaque);
	if (!env->sysfs)
		return; /* no host, no step that needs the lock */
	path = sysfs_area_path(env->sysfs, SYSFS_AREA_LOCK, "%s", AP_LOCK_FILE);
	snprintf(o->lock_name, sizeof(o->lock_name), "the s390-tools lock %s",
		 path ? path : AP_LOCK_FILE);
	o->plan_lock.take = outcome_lock_take;
	o->plan_lock.release = outcome_lock_release;
	o->plan_lock.opaque = &o->lock;
	o->plan_lock.name = o->lock_name;
	o->plan.lock = &o->plan_lock;
}

void outcome_clear(struct outcome *o)
{
	plan_clear(&o->plan);
	json_object_put(o->result);
	o->result = NULL;
	backend_close(&o->backend);
	virt_domain_free(o->domain);
	o->domain = NULL;
	if (o->data_free)
		o->data_free(o->data);
	o->data = NULL;
	o->data_free = NULL;
	virt_conn_close(o->conn);
	o->conn = NULL;
	ap_lock_clear(&o->lock);
	o->plan.lock = NULL;
	/* last: what held it is done */
	if (o->run_locked)
		run_lock_release(&o->run_lock);
	o->run_locked = false;
}

int request_lock_host(const struct request_env *env, struct outcome *o,
		      struct vm_error *err)
{
	if (env->dry_run || !env->sysfs || o->run_locked)
		return 0;
	o->run_lock.fd = -1;
	if (run_lock_take(&o->run_lock, env->sysfs, env->lock_timeout_s,
			  env->lock_say, env->lock_say_opaque, err) < 0)
		return vm_error_errno(err);
	o->run_locked = true;
	return journal_refuse_unfinished(env->sysfs, err);
}

int request_recover(const struct request_env *env, bool complete,
		    FILE *progress, struct outcome *o,
		    struct recover_result *res, struct vm_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct journal_doc d = { 0 };
	struct call_env cenv = { .sysfs = env->sysfs };
	/* recover's own progress, in the journal it recovers (journal_resume) */
	struct journal j = { .progress_fd = -1 };
	enum step_status *was = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	o->run_lock.fd = -1;
	if (run_lock_take(&o->run_lock, env->sysfs, env->lock_timeout_s,
			  env->lock_say, env->lock_say_opaque, err) < 0)
		return vm_error_errno(err);
	o->run_locked = true;
	r = journal_read(env->sysfs, &d, &path, err);
	if (r == -ENOENT) {
		_cleanup_free_ char *p = sysfs_area_path(
			env->sysfs, SYSFS_AREA_JOURNAL, "%s", JOURNAL_FILE);

		res->nothing = true;
		snprintf(res->path, sizeof(res->path), "%s", p ? p : "");
		return 0;
	}
	if (r < 0)
		return vm_error_errno(err);
	snprintf(res->path, sizeof(res->path), "%s", path);
	journal_doc_argv_line(&d, res->line, sizeof(res->line));
	res->pid = d.pid;
	if (journal_owner_alive(&d)) {
		r = vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot recover the journal %s: its run of '%s' (PID %ld) is still running; wait for it to end",
			path, res->line, d.pid);
		journal_doc_clear(&d);
		return r;
	}
	/* nothing to finish forward: the plan failed, and what is left is to undo */
	if (complete && journal_doc_rolling_back(&d)) {
		r = vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"cannot complete the run of '%s' (PID %ld): it began a rollback it did not end, and the journal %s holds what is still to undo; 'virt-mdev recover' (without --complete) finishes the rollback",
			res->line, d.pid, path);
		journal_doc_clear(&d);
		return r;
	}
	/* the calls reconnect: -c, else the URI the run had */
	cenv.uri = env->uri ? env->uri : d.uri;
	r = journal_resume(&j, path, &d, err);
	if (r == 0)
		r = journal_plan(&d, &cenv, &o->plan, err);
	was = calloc(o->plan.n + 1, sizeof(*was));
	if (r == 0 && !was)
		r = vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
	for (size_t i = 0; was && i < o->plan.n; i++)
		was[i] = o->plan.steps[i].status;
	if (r == 0) {
		o->plan.recorder = &j.recorder;
		r = complete ? plan_complete_recorded(&o->plan, progress, err) :
			       plan_rollback_recorded(&o->plan, progress, err);
		o->plan.recorder = NULL;
	}
	/* its own journal once it wrote one (the old one's progress file is gone then), else the old one */
	if (r == 0 &&
	    (r = j.written ? journal_end(&j) : journal_remove(path, &d)) < 0)
		r = vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"recovered, but cannot remove the journal %s: %s", path,
			strerror(-r));
	for (size_t i = 0; i < o->plan.n; i++)
		if (o->plan.steps[i].status != was[i] &&
		    (o->plan.steps[i].status == STEP_UNDONE ||
		     o->plan.steps[i].status == STEP_DONE))
			res->changed = true;
	free(was);
	/* the loaded calls hold the connection: outcome_clear closes it after the plan */
	if (!o->conn)
		o->conn = steal_ptr(cenv.conn);
	call_env_clear(&cenv);
	journal_clear(&j);
	journal_doc_clear(&d);
	return r < 0 ? vm_error_errno(err) : 0;
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
	if (o->backend.waited_ms >= 1000 && !o->warning[0])
		snprintf(
			o->warning, sizeof(o->warning),
			"waited %u.%u s for libvirt's node-device driver, which enumerates the host's devices after libvirtd starts and answers only then (--timeout bounds the wait)",
			o->backend.waited_ms / 1000,
			o->backend.waited_ms % 1000 / 100);
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
