/* The sysfs backend: create and configure through sysfs, remove through sysfs, define as mdevctl's definition files. */
#include "config.h"

#include <string.h>

#include "backend.h"
#include "cleanup.h"
#include "journal.h"

static int oom(struct vm_error *err)
{
	return vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
}

/* A step of m's under the s390-tools lock when its kind needs it (vfio-ap), as mdevctl takes it through ap-check. */
static struct step *kind_lock(const struct mdev_spec *m, struct step *st)
{
	return m->kind->needs_ap_lock ? step_needs_ap_lock(st) : st;
}

static int sysfs_start_steps(const struct sysfs *s, struct plan *p,
			     const struct mdev_spec *m, struct vm_error *err)
{
	char path[256], undo[256], desc[512], w[96];
	struct step *st;

	m->kind->create_path(m, path, sizeof(path));
	snprintf(undo, sizeof(undo), "bus/mdev/devices/%s/remove", m->uuid);
	snprintf(desc, sizeof(desc), "create mdev %s (%s) on %s", m->uuid,
		 m->type, (m->kind->where(m, w, sizeof(w)), w));
	st = kind_lock(m, plan_add_write(p, desc, path, m->uuid, undo, "1"));
	snprintf(path, sizeof(path), "bus/mdev/devices/%s/mdev_type", m->uuid);
	if (!st || step_verify_link(st, path, m->type) < 0)
		return oom(err);
	return m->kind->plan_configure(s, p, m, err);
}

/* stop through sysfs: its undo runs the start steps again (create and the configuration) */
struct sysfs_stop {
	const struct sysfs *sysfs;
	struct mdev_spec spec;
};

static int sysfs_stop_run(void *data, char **why)
{
	struct sysfs_stop *d = data;
	int r = sysfs_write(d->sysfs, "1", "bus/mdev/devices/%s/remove",
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

	plan_init(&start, d->sysfs);
	r = sysfs_start_steps(d->sysfs, &start, &d->spec, &err);
	if (r == 0)
		r = plan_execute(&start, NULL, &err);
	plan_clear(&start);
	if (r < 0 && asprintf(why, "%s", err.msg) < 0)
		*why = NULL;
	return r;
}

/* ---- in a journal: {"call": "mdev-remove", "spec": ...}; the undo makes the spec again ---- */

static struct json_object *sysfs_stop_save(void *data)
{
	struct sysfs_stop *d = data;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "call",
			       json_object_new_string("mdev-remove"));
	json_object_object_add(o, "spec", mdev_spec_to_json(&d->spec));
	return o;
}

/* compare before undo: the removed mdev is still gone */
static int sysfs_stop_still(void *data, char **why)
{
	struct sysfs_stop *d = data;

	if (!sysfs_exists(d->sysfs, "bus/mdev/devices/%s", d->spec.uuid))
		return 0;
	if (asprintf(why, "mdev %s is in sysfs again", d->spec.uuid) < 0)
		*why = NULL;
	return -ESTALE;
}

static int sysfs_stop_load(struct json_object *j, struct call_env *env,
			   struct step_call *out, char **why)
{
	struct sysfs_stop *d = calloc(1, sizeof(*d));
	struct json_object *spec;

	(void)why;
	if (!d)
		return -ENOMEM;
	if (!json_object_object_get_ex(j, "spec", &spec) ||
	    mdev_spec_from_json(spec, &d->spec) < 0) {
		free(d);
		return -EINVAL;
	}
	d->sysfs = env->sysfs;
	memset(out, 0, sizeof(*out));
	out->run = sysfs_stop_run;
	out->undo = sysfs_stop_undo;
	out->free_data = free;
	out->data = d;
	out->save = sysfs_stop_save;
	out->still = sysfs_stop_still;
	return 0;
}

const struct call_kind call_kind_mdev_remove = { "mdev-remove",
						 sysfs_stop_load };

static int sysfs_stop(const struct backend *b, struct plan *p,
		      const struct mdev_spec *m, bool defined,
		      struct vm_error *err)
{
	struct sysfs_stop *d = calloc(1, sizeof(*d));
	_cleanup_free_ char *cmd = NULL, *root = NULL, *qroot = NULL;
	char *undo = NULL;
	char desc[256], w[96];
	struct step_call call = {
		sysfs_stop_run,	 sysfs_stop_undo, free, d, NULL,
		sysfs_stop_save, sysfs_stop_still
	};
	struct plan start;
	int r;

	(void)defined; /* the undo creates it again either way */
	if (!d)
		return oom(err);
	d->sysfs = b->sysfs;
	d->spec = *m;
	/* the undo's command: the start steps' commands, in order */
	plan_init(&start, b->sysfs);
	r = sysfs_start_steps(b->sysfs, &start, m, err);
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
	/* the path quoted for sh, as every printed value (plan_shell_quote) */
	root = sysfs_path(b->sysfs, "bus/mdev/devices/%s/remove", m->uuid);
	qroot = root ? plan_shell_quote(root) : NULL;
	if (r == 0 && (!qroot || !(cmd = plan_shell_echo("1", qroot))))
		r = oom(err);
	if (r < 0) {
		free(undo);
		free(d);
		return r;
	}
	snprintf(desc, sizeof(desc), "remove mdev %s from %s", m->uuid,
		 (m->kind->where(m, w, sizeof(w)), w));
	/* a call, but a sysfs write: under the lock like the start it undoes */
	r = kind_lock(m, plan_add_call(p, desc, cmd, undo, &call)) ? 0 :
								     oom(err);
	free(undo);
	return r;
}

static int sysfs_start(const struct backend *b, struct plan *p,
		       const struct mdev_spec *m, bool transient,
		       struct vm_error *err)
{
	(void)transient; /* the same writes either way */
	return sysfs_start_steps(b->sysfs, p, m, err);
}

/* a new definition from the spec, or (exists) the existing one with only its start changed */
static int put_definition(const struct backend *b, struct plan *p,
			  const struct mdev_spec *m, bool autostart,
			  bool exists, struct vm_error *err)
{
	_cleanup_free_ char *json =
		exists ? mdev_definition_with_start(b->sysfs, m, autostart) :
			 mdev_definition_json(m, autostart);
	char path[160], desc[512], w[96];

	m->kind->where(m, w, sizeof(w));
	mdev_definition_path(m, path, sizeof(path));
	snprintf(
		desc, sizeof(desc),
		exists ?
			"set mdev %s on %s to start %s at boot (mdevctl definition)" :
			"define mdev %s on %s (mdevctl definition, start %s)",
		m->uuid, w, autostart ? "auto" : "manual");
	/*
	 * ap-check's "pre define" takes the lock around mdevctl's write of it
	 * (ap_tools/ap-check.c: ap_check_changes)
	 */
	if (!json ||
	    !kind_lock(m, plan_add_file_put(p, desc, SYSFS_AREA_MDEVCTL, path,
					    json)))
		return oom(err);
	return 0;
}

static int sysfs_define(const struct backend *b, struct plan *p,
			const struct mdev_spec *m, bool autostart,
			struct vm_error *err)
{
	return put_definition(b, p, m, autostart, false, err);
}

static int sysfs_set_autostart(const struct backend *b, struct plan *p,
			       const struct mdev_spec *m, bool on,
			       struct vm_error *err)
{
	return put_definition(b, p, m, on, true, err);
}

static int sysfs_undefine(const struct backend *b, struct plan *p,
			  const struct mdev_spec *m, struct vm_error *err)
{
	char path[160], desc[256];

	(void)b;
	mdev_definition_path(m, path, sizeof(path));
	snprintf(desc, sizeof(desc),
		 "undefine mdev %s (remove its mdevctl definition)", m->uuid);
	return kind_lock(m, plan_add_file_delete(p, desc, SYSFS_AREA_MDEVCTL,
						 path)) ?
		       0 :
		       oom(err);
}

const struct backend_ops backend_sysfs_ops = {
	.name = "sysfs",
	.autostart_in_definition = true,
	.define_replaces = true,
	.define = sysfs_define,
	.set_autostart = sysfs_set_autostart,
	.start = sysfs_start,
	.stop = sysfs_stop,
	.undefine = sysfs_undefine,
};
