/*
 * apply and plan of a state file: the host and libvirt read once, every
 * device of the file resolved against them, and one plan in four phases:
 *  1. live detaches (a device moved to another guest, or pruned);
 *  2. with prune, what an earlier apply made and the file no longer lists
 *     (the mdev stopped and undefined, its device given back);
 *  3. each device's preparation (binding, masks), its mdev (made,
 *     reconfigured, defined, started), by the kinds and the backend as
 *     assign does it;
 *  4. each guest's persistent definition defined once with its hostdevs
 *     added, replaced or removed, then the live attaches;
 * and the record of what apply made (ROOT/var/lib/virt-mdev/
 * last-applied.json) written by the last step, so that a rollback puts it
 * back too and prune never touches what apply did not make.
 */
#include "config.h"

#include <string.h>

#include "ap.h"
#include "apply.h"
#include "cleanup.h"
#include "request-internal.h"
#include "users.h"

/* ---- what apply keeps for its steps: the guests ---- */

struct aguest {
	char *name;
	const struct state_guest *sg; /* NULL: a domain the file does not list */
	virDomainPtr dom;
	bool active, persistent;
	char *cxml; /* the persistent XML to define from (with its secrets) */
	struct domain_scan cs, ls; /* persistent and live XML */
	bool have_cs, have_ls;
	struct strv
		rm_config; /* uuids to remove from the persistent definition */
	struct strv rm_live; /* ... from the running guest */
	struct attach_target t;
};

struct adev {
	const struct state_device *sd;
	struct aguest *g; /* NULL: an mdev without a guest */
	struct mdev_spec m;
	const struct mdev_info *have;
	bool prepared; /* its preparation had steps */
};

struct actx {
	const struct request_env *env;
	const struct state *st;
	virConnectPtr conn;
	struct aguest **g;
	size_t ng, galloc;
	struct adev *d;
	size_t nd;
	struct mdev_list list;
	struct users users;
	struct json_object *rec; /* the earlier record, or NULL */
	char *rec_text;
	/*
	 * the record's entries by key, for lookups per device of the file:
	 * "UUID" its first mdev; "config\nDOMAIN\nUUID" and
	 * "live\nDOMAIN\nUUID" a hostdev there (rec_index)
	 */
	struct json_object *rec_idx;
	/*
	 * the file's devices by their mdev's uuid (the index in d), filled
	 * as they are resolved; complete once it holds all nd of them
	 */
	struct json_object *d_idx;
	struct kind_host *
		shared[8]; /* per kind (mdev_kinds[] index), host_shared kinds */
	/*
	 * with a backend whose calls may run side by side, the mdevs' steps
	 * of phase 3 come after every preparation: p3a those of the kinds
	 * whose mdevs are made one at a time (vfio-ap) as one lane, then p3m
	 * the other mdevs', a lane each, all side by side; then p3s what
	 * cannot be a lane, one step at a time
	 */
	struct plan p1, p2, p3, p3a, p3m, p3s, p4;
	size_t removed;
	bool exact; /* --exact */
	/* per kind: what apply has freed of a shared host part ("05.0004"), for the record */
	struct strv freed[8];
	char note[512];
};

static void aguest_free(struct aguest *g)
{
	if (!g)
		return;
	free(g->name);
	virt_domain_free(g->dom);
	free(g->cxml);
	domain_scan_clear(&g->cs);
	domain_scan_clear(&g->ls);
	strv_clear(&g->rm_config);
	strv_clear(&g->rm_live);
	free(g);
}

static void guests_free(void *data)
{
	struct actx *c = data;

	for (size_t i = 0; i < c->ng; i++)
		aguest_free(c->g[i]);
	free(c->g);
	free(c);
}

static int oom(struct vm_error *err)
{
	return vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
}

/* the message of a failure about an item of the file: "FILE:LINE:COLUMN: ..." */
static int at(const struct actx *c, const struct state_pos *pos,
	      struct vm_error *err)
{
	if (pos && pos->line)
		vm_error_prefix(err, "%s:%u:%u", c->st->file, pos->line,
				pos->column);
	else
		vm_error_prefix(err, "%s", c->st->file);
	return vm_error_errno(err);
}

static size_t kind_index(const struct mdev_kind *k)
{
	size_t i = 0;

	while (mdev_kinds[i] && mdev_kinds[i] != k)
		i++;
	return i;
}

/* ---- the record of what apply made ---- */

static struct json_object *rec_array(struct json_object *rec, const char *key)
{
	struct json_object *a;

	if (!rec || !json_object_object_get_ex(rec, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_get_boolean(v);
}

static struct json_object *rec_mdev(const struct actx *c, const char *uuid)
{
	struct json_object *e;

	return c->rec_idx && json_object_object_get_ex(c->rec_idx, uuid, &e) ?
		       e :
		       NULL;
}

/* a hostdev's key in rec_idx: where ("config", "live"), its domain, its uuid */
static char *hostdev_key(const char *where, const char *domain,
			 const char *uuid)
{
	char *key;

	return asprintf(&key, "%s\n%s\n%s", where, domain, uuid) < 0 ? NULL :
								       key;
}

/* where: "config" or "live" */
static bool rec_hostdev(const struct actx *c, const char *domain,
			const char *uuid, const char *where)
{
	_cleanup_free_ char *key = NULL;

	if (!c->rec_idx || !(key = hostdev_key(where, domain, uuid)))
		return false;
	return json_object_object_get_ex(c->rec_idx, key, NULL);
}

/*
 * The record's mdevs and hostdevs by key, once: apply looks each device of
 * the file up in it, and a scan of a thousand entries per lookup was a
 * tenth of a plan's time. An mdev's key is its uuid (the first entry of a
 * uuid, as a scan from the front finds it); a hostdev's is where (config,
 * live), its domain and uuid, for each of the two it is in.
 */
static int rec_index(struct actx *c)
{
	struct json_object *m = rec_array(c->rec, "mdevs"),
			   *h = rec_array(c->rec, "hostdevs");

	c->rec_idx = json_object_new_object();
	if (!c->rec_idx)
		return -ENOMEM;
	for (size_t i = 0; m && i < json_object_array_length(m); i++) {
		struct json_object *e = json_object_array_get_idx(m, i);
		const char *uuid = jstr(e, "uuid");

		if (json_object_object_get_ex(c->rec_idx, uuid, NULL))
			continue;
		if (json_object_object_add(c->rec_idx, uuid,
					   json_object_get(e)) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; h && i < json_object_array_length(h); i++) {
		struct json_object *e = json_object_array_get_idx(h, i);
		static const char *const where[] = { "config", "live" };

		for (size_t k = 0; k < ARRAY_SIZE(where); k++) {
			_cleanup_free_ char *key = NULL;

			if (!jbool(e, where[k]))
				continue;
			key = hostdev_key(where[k], jstr(e, "domain"),
					  jstr(e, "uuid"));
			if (!key || json_object_object_add(
					    c->rec_idx, key,
					    json_object_new_boolean(1)) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int rec_read(struct actx *c, struct vm_error *err)
{
	_cleanup_free_ char *path = sysfs_area_path(
		c->env->sysfs, SYSFS_AREA_STATE, "%s", APPLY_RECORD_FILE);
	int r = sysfs_read_config(c->env->sysfs, SYSFS_AREA_STATE,
				  APPLY_RECORD_FILE, APPLY_RECORD_MAX,
				  &c->rec_text);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return vm_error_set(
			err, VM_EXIT_FAILED, -r,
			"cannot read apply's record %s: %s (it says what earlier applies made; move it away to start afresh, and --prune then removes nothing)",
			path ? path : APPLY_RECORD_FILE, strerror(-r));
	c->rec = json_tokener_parse(c->rec_text);
	if (!c->rec || !json_object_is_type(c->rec, json_type_object))
		return vm_error_set(
			err, VM_EXIT_FAILED, EINVAL,
			"apply's record %s is no JSON object (move it away to start afresh, and --prune then removes nothing)",
			path ? path : APPLY_RECORD_FILE);
	if (rec_index(c) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

/* ---- the guests ---- */

static int guest_scan(struct aguest *g, bool inactive, struct vm_error *err)
{
	_cleanup_free_ char *xml = virt_domain_xml(g->dom, inactive);

	if (!xml)
		return vm_error_set(err, VM_EXIT_FAILED, EIO,
				    "cannot read the XML of domain '%s': %s",
				    g->name, virt_last_error());
	return xml_domain_scan(xml, inactive ? &g->cs : &g->ls, err);
}

/* the guest of that name, looked up and read once; NULL with err (VM_EXIT_NOT_FOUND when it is not there) */
static struct aguest *guest_get(struct actx *c, const char *name,
				const struct state_guest *sg,
				struct vm_error *err)
{
	struct aguest *g;

	for (size_t i = 0; i < c->ng; i++)
		if (strcmp(c->g[i]->name, name) == 0) {
			if (sg)
				c->g[i]->sg = sg;
			return c->g[i];
		}
	if (c->ng == c->galloc) {
		size_t n = c->galloc ? c->galloc * 2 : 16;
		struct aguest **v = realloc(c->g, n * sizeof(*v));

		if (!v)
			return oom(err), NULL;
		c->g = v;
		c->galloc = n;
	}
	g = calloc(1, sizeof(*g));
	if (!g || !(g->name = strdup(name))) {
		free(g);
		return oom(err), NULL;
	}
	c->g[c->ng++] = g;
	g->sg = sg;
	g->dom = virt_domain_lookup(c->conn, name);
	if (!g->dom) {
		vm_error_set(
			err, VM_EXIT_NOT_FOUND, ENOENT,
			"no domain '%s' at %s (define it first, or take it out of the state file; 'virsh list --all' shows the domains)",
			name, backend_uri_name(c->env->uri));
		return NULL;
	}
	g->active = virt_domain_was_active(g->dom); /* the lookup's answer */
	g->persistent = virt_domain_is_persistent(g->dom) == 1;
	if ((g->persistent && guest_scan(g, true, err) < 0) ||
	    (g->active && guest_scan(g, false, err) < 0))
		return NULL;
	g->have_cs = g->persistent;
	g->have_ls = g->active;
	g->t.conn = c->conn;
	g->t.dom = g->dom;
	g->t.name = g->name;
	g->t.uri = c->env->uri;
	g->t.template_dir = c->env->template_dir;
	return g;
}

static const struct domain_hostdev *scan_find(const struct domain_scan *d,
					      const char *uuid)
{
	for (size_t i = 0; i < d->nhostdevs; i++)
		if (strcmp(d->hostdevs[i].uuid, uuid) == 0)
			return &d->hostdevs[i];
	return NULL;
}

/* the device of the file that wants uuid, or NULL */
static const struct adev *wanted(const struct actx *c, const char *uuid)
{
	struct json_object *v;

	if (c->d_idx && (size_t)json_object_object_length(c->d_idx) == c->nd) {
		if (!json_object_object_get_ex(c->d_idx, uuid, &v))
			return NULL;
		return &c->d[json_object_get_int64(v)];
	}
	for (size_t i = 0; i < c->nd; i++)
		if (strcmp(c->d[i].m.uuid, uuid) == 0)
			return &c->d[i];
	return NULL;
}

/* ---- phase 3: a device's preparation and its mdev ---- */

/*
 * The existing mdev a device of the file means: the one of its uuid; else
 * the one on its parent with its configuration (mdev_resolve, as assign
 * finds it); else, for a kind a guest takes one of, the one its guest
 * already has, when an earlier apply made it (reconfigured in place: an
 * APQN dropped, a control domain added).
 */
static int find_have(struct actx *c, struct adev *a, struct vm_error *err)
{
	const struct state_device *sd = a->sd;
	const struct mdev_info *i = NULL;

	if (sd->uuid_given) {
		i = mdev_find(&c->list, sd->uuid);
		if (i && !mdev_fault_of(&c->list, sd->uuid, NULL) &&
		    i->kind == a->m.kind &&
		    strcmp(i->parent, a->m.parent) == 0 &&
		    rec_mdev(c, sd->uuid)) {
			a->have = i;
			return 0;
		}
		return mdev_resolve(&a->m, true, "apply", &c->list, &a->have,
				    err);
	}
	if (mdev_resolve(&a->m, false, "apply", &c->list, &a->have, err) < 0)
		return vm_error_errno(err);
	if (a->have || !a->g || !a->m.kind->one_per_domain)
		return 0;
	for (int k = 0; k < 2; k++) {
		const struct domain_scan *d = k ? &a->g->ls : &a->g->cs;

		for (size_t n = 0; n < d->nhostdevs; n++) {
			const struct domain_hostdev *h = &d->hostdevs[n];

			if (h->kind != a->m.kind || !rec_mdev(c, h->uuid))
				continue;
			i = mdev_find(&c->list, h->uuid);
			if (!i || i->kind != a->m.kind ||
			    strcmp(i->parent, a->m.parent) != 0)
				continue;
			snprintf(a->m.uuid, sizeof(a->m.uuid), "%s", i->uuid);
			a->have = i;
			return 0;
		}
	}
	return 0;
}

static int kind_host_of(struct actx *c, struct adev *a, struct kind_host **own,
			struct kind_host **h, struct vm_error *err)
{
	const struct mdev_kind *k = a->m.kind;
	size_t ki = kind_index(k);

	*own = NULL;
	if (k->host_shared && ki < ARRAY_SIZE(c->shared)) {
		if (!c->shared[ki] &&
		    k->host_read(c->env->sysfs, &a->m, &c->shared[ki], err) < 0)
			return vm_error_errno(err);
		*h = c->shared[ki];
		return 0;
	}
	if (k->host_read(c->env->sysfs, &a->m, own, err) < 0)
		return vm_error_errno(err);
	*h = *own;
	return 0;
}

/* pass 1: the device the file names, and the mdev that is it */
static int resolve_device(struct actx *c, struct adev *a, struct vm_error *err)
{
	const struct state_device *sd = a->sd;
	const struct mdev_kind *k = sd->kind;
	struct json_object *dup;

	a->m.kind = k;
	if (sd->uuid_given)
		snprintf(a->m.uuid, sizeof(a->m.uuid), "%s", sd->uuid);
	if (k->target(c->env->sysfs, "apply", &sd->target, &a->m, err) < 0 ||
	    find_have(c, a, err) < 0)
		return at(c, &sd->pos, err);
	if (!c->d_idx && !(c->d_idx = json_object_new_object()))
		return oom(err);
	if (json_object_object_get_ex(c->d_idx, a->m.uuid, &dup)) {
		vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"%s means mdev %s, as the device at line %u does (name each device once)",
			sd->device ? sd->device : k->model, a->m.uuid,
			c->d[json_object_get_int64(dup)].sd->pos.line);
		return at(c, &sd->pos, err);
	}
	if (json_object_object_add(c->d_idx, a->m.uuid,
				   json_object_new_int64(a - c->d)) < 0)
		return oom(err);
	return 0;
}

/* an ap-reserve entry as the kind's spec of adapters x domains (no mdev), as its target reads them */
static int reserve_spec(const struct actx *c, const struct mdev_kind *k,
			const struct state_reserve *rs, struct mdev_spec *m,
			struct vm_error *err)
{
	struct kind_args args = { .apm = rs->adapters,
				  .aqm = rs->domains,
				  .have_adapters = true,
				  .have_domains = true };

	memset(m, 0, sizeof(*m));
	m->kind = k;
	return k->target(c->env->sysfs, "apply", &args, m, err) < 0 ?
		       at(c, &rs->pos, err) :
		       0;
}

/*
 * pass 2: the preparation of every device of a kind whose host part is
 * shared, in one choice (vfio-ap: the fewest host queues freed for all the
 * APQNs the file wants), the reservations of the file with them; what it
 * frees goes into the record. The file's first item of the kind names a
 * failure.
 */
static int prepare_shared(struct actx *c, const struct mdev_kind *k,
			  struct vm_error *err)
{
	const struct state *st = c->st;
	size_t n = 0, cap = c->nd + st->nreserve;
	_cleanup_free_ struct mdev_spec *m = calloc(cap ? cap : 1, sizeof(*m));
	_cleanup_free_ bool *persist = calloc(cap ? cap : 1, sizeof(*persist));
	const struct state_pos *first = NULL;
	struct kind_host *own = NULL, *h = NULL;
	struct adev probe = { 0 };
	size_t before = c->p3.n;
	int r;

	if (!m || !persist)
		return oom(err);
	for (size_t i = 0; i < c->nd; i++) {
		if (c->d[i].m.kind != k)
			continue;
		first = first ? first : &c->d[i].sd->pos;
		persist[n] = c->d[i].sd->persistent;
		m[n++] = c->d[i].m;
	}
	for (size_t i = 0; k->reservable && i < st->nreserve; i++) {
		const struct state_reserve *rs = &st->reserve[i];
		if (reserve_spec(c, k, rs, &m[n], err) < 0)
			return vm_error_errno(err);
		first = first ? first : &rs->pos;
		persist[n++] = rs->persistent;
	}
	if (n == 0)
		return 0;
	probe.m = m[0];
	if (kind_host_of(c, &probe, &own, &h, err) < 0)
		return at(c, first, err);
	r = k->plan_prepare_all(c->env->sysfs, h, m, persist, n, c->exact,
				&c->p3, &c->freed[kind_index(k)], err);
	if (own)
		k->host_free(own);
	if (r < 0)
		return at(c, first, err);
	for (size_t i = 0; i < c->nd; i++)
		if (c->d[i].m.kind == k)
			c->d[i].prepared = c->p3.n > before;
	return 0;
}

/* pass 3: a device's own preparation (a kind prepared one by one), its checks and its mdev */
static int plan_device(struct actx *c, struct outcome *o, struct adev *a,
		       struct vm_error *err)
{
	const struct state_device *sd = a->sd;
	const struct mdev_kind *k = sd->kind;
	struct kind_host *own = NULL, *h = NULL;
	struct kind_args args = sd->target;
	struct mdev_state st;
	enum want persist = sd->persistent ? WANT_YES : WANT_KEEP;
	struct plan *mp;
	size_t before, mfrom;
	int r = -1;

	if (kind_host_of(c, a, &own, &h, err) < 0)
		return at(c, &sd->pos, err);
	args.persistent = sd->persistent;
	before = c->p3.n;
	if (!k->plan_prepare_all) {
		if (k->plan_prepare(c->env->sysfs, h, &a->m, &args, &c->p3,
				    err) < 0)
			goto out;
		a->prepared = c->p3.n > before;
	}
	mdev_state_of(a->have, &st);
	if (!st.active && k->check_create(h, &a->m, &c->list, err) < 0)
		goto out;
	if (sd->persistent && !(st.defined && st.autostart) &&
	    k->check_boot(h, &a->m, err) < 0)
		goto out;
	if (!o->backend.ops && request_backend(c->env, &a->m, o, err) < 0)
		goto out;
	mp = o->backend.ops->concurrent_calls ? &c->p3m : &c->p3;
	mfrom = mp->n;
	if (a->have) {
		struct mdev_spec hs;

		mdev_spec_from_info(a->have, &hs);
		if (!k->same_config(&hs, &a->m)) {
			/* an earlier apply's mdev, reconfigured in place */
			a->m.def = NULL;
			if (st.active &&
			    k->plan_reconfigure(c->env->sysfs, mp, &hs, &a->m,
						err) < 0)
				goto out;
			/* a definition that cannot be replaced goes first (libvirt: mdevctl define refuses a defined uuid) */
			if (st.defined && !o->backend.ops->define_replaces) {
				if (o->backend.ops->undefine(&o->backend, mp,
							     &hs, err) < 0)
					goto out;
			}
			if (st.defined) {
				/* defined again as asked: with its autostart */
				st.defined = st.autostart = false;
				persist = WANT_YES;
			}
		} else
			a->m.def = a->have->def;
	}
	r = lifecycle_plan(&o->backend, mp, &a->m, &st, WANT_YES, persist,
			   persist, err);
	/*
	 * an AP mdev's calls run one at a time (ap-check checks each against
	 * the others under the s390-tools lock): they go into the one lane
	 * of such mdevs; an mdev whose steps can be no lane comes after the
	 * lanes, where it does not cut their run
	 */
	if (r == 0 && mp == &c->p3m && k->needs_ap_lock)
		r = plan_take_from(&c->p3a, mp, mfrom) < 0 ? oom(err) : 0;
	else if (r == 0 && mp == &c->p3m &&
		 !plan_set_lane(mp, mfrom, (unsigned)(a - c->d) + 1))
		r = plan_take_from(&c->p3s, mp, mfrom) < 0 ? oom(err) : 0;
out:
	if (own)
		k->host_free(own);
	return r < 0 ? at(c, &sd->pos, err) : 0;
}

/*
 * pass 4: what an earlier apply freed of a shared host part (the record)
 * that nothing needs any more goes back to the host: not the file's
 * devices and reservations, not an mdev that stays.
 */
static int give_back(struct actx *c, const struct mdev_kind *k,
		     const struct strv *pruned, struct vm_error *err)
{
	const struct state *st = c->st;
	size_t n = 0, cap = c->nd + st->nreserve + c->list.n;
	_cleanup_free_ struct mdev_spec *keep =
		calloc(cap ? cap : 1, sizeof(*keep));
	_cleanup_strv_ struct strv before = STRV_INIT;
	_cleanup_free_ char *note = NULL;
	struct json_object *a = NULL, *f;
	struct kind_host *own = NULL, *h = NULL;
	struct adev probe = { 0 };
	int r;

	if (!keep)
		return oom(err);
	if (c->rec && json_object_object_get_ex(c->rec, "freed", &f) &&
	    json_object_object_get_ex(f, k->model, &a) &&
	    json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a); i++)
			if (strv_push(&before,
				      json_object_get_string(
					      json_object_array_get_idx(
						      a, i))) < 0)
				return oom(err);
	for (size_t i = 0; i < c->nd; i++)
		if (c->d[i].m.kind == k)
			keep[n++] = c->d[i].m;
	for (size_t i = 0; k->reservable && i < st->nreserve; i++) {
		if (reserve_spec(c, k, &st->reserve[i], &keep[n++], err) < 0)
			return vm_error_errno(err);
	}
	/* every other mdev of the kind that stays, with what it holds now */
	for (size_t i = 0; i < c->list.n; i++) {
		const struct mdev_info *mi = &c->list.v[i];

		if (mi->kind != k || wanted(c, mi->uuid) ||
		    strv_contains(pruned, mi->uuid))
			continue;
		mdev_spec_from_info(mi, &keep[n++]);
	}
	if (before.n == 0 && c->freed[kind_index(k)].n == 0)
		return 0;
	probe.m.kind = k;
	if (k->plan_prepare_all && !c->shared[kind_index(k)] &&
	    kind_host_of(c, &probe, &own, &h, err) < 0)
		return vm_error_errno(err);
	h = h ? h : c->shared[kind_index(k)];
	r = k->plan_give_back(c->env->sysfs, h, &before, keep, n, &c->p3,
			      &c->freed[kind_index(k)], &note, err);
	if (own)
		k->host_free(own);
	if (note && !c->note[0])
		snprintf(c->note, sizeof(c->note), "%s", note);
	return r;
}

/* ---- phase 1: what leaves a guest ---- */

/*
 * Another domain references a device of the file: it leaves that domain
 * when an earlier apply put it there (the file moved it), else apply is
 * refused (one mdev serves one guest).
 */
static int claim(struct actx *c, const struct adev *a, struct vm_error *err)
{
	for (size_t i = 0; i < c->users.n; i++) {
		const struct mdev_user *u = &c->users.v[i];
		struct aguest *g;
		bool cfg = u->where & VIRT_REF_CONFIG,
		     live = u->where & VIRT_REF_LIVE;

		if (strcmp(u->uuid, a->m.uuid) != 0 ||
		    (a->g && strcmp(u->domain, a->g->name) == 0))
			continue;
		if ((cfg && !rec_hostdev(c, u->domain, a->m.uuid, "config")) ||
		    (live && !rec_hostdev(c, u->domain, a->m.uuid, "live"))) {
			if (!a->g)
				continue; /* wanted without a guest: left where the admin put it */
			vm_error_set(
				err, VM_EXIT_REFUSED, EBUSY,
				"cannot give mdev %s to domain %s: libvirt domain %s uses it, and one mdev serves one guest; virt-mdev did not put it there (take it out of %s first: 'virt-mdev unassign %s %s --keep-mdev')",
				a->m.uuid, a->g->name, u->domain, u->domain,
				u->domain, a->m.uuid);
			return at(c, &a->sd->pos, err);
		}
		g = guest_get(c, u->domain, NULL, err);
		if (!g)
			return at(c, &a->sd->pos, err);
		if ((cfg && strv_push(&g->rm_config, a->m.uuid) < 0) ||
		    (live && strv_push(&g->rm_live, a->m.uuid) < 0))
			return oom(err);
	}
	return 0;
}

/* what an earlier apply put into a guest and the file no longer gives it (prune) */
static int prune_hostdevs(struct actx *c, struct vm_error *err)
{
	struct json_object *a = rec_array(c->rec, "hostdevs");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *dom = jstr(e, "domain"), *uuid = jstr(e, "uuid");
		const struct adev *w = wanted(c, uuid);
		struct aguest *g;

		if (w && w->g && strcmp(w->g->name, dom) == 0)
			continue;
		g = guest_get(c, dom, NULL, err);
		if (!g) {
			if (err->exit == VM_EXIT_NOT_FOUND) {
				vm_error_clear(err);
				continue; /* the domain is gone, and its devices with it */
			}
			return vm_error_errno(err);
		}
		if (jbool(e, "config") && g->have_cs &&
		    scan_find(&g->cs, uuid) &&
		    !strv_contains(&g->rm_config, uuid) &&
		    strv_push(&g->rm_config, uuid) < 0)
			return oom(err);
		if (jbool(e, "live") && g->have_ls && scan_find(&g->ls, uuid) &&
		    !strv_contains(&g->rm_live, uuid) &&
		    strv_push(&g->rm_live, uuid) < 0)
			return oom(err);
	}
	return 0;
}

static int plan_live_detaches(struct actx *c, struct vm_error *err)
{
	char desc[512];

	for (size_t i = 0; i < c->ng; i++) {
		struct aguest *g = c->g[i];

		for (size_t n = 0; n < g->rm_live.n; n++) {
			const struct domain_hostdev *h =
				scan_find(&g->ls, g->rm_live.v[n]);

			if (!h)
				continue;
			snprintf(desc, sizeof(desc),
				 "detach mdev %s from domain %s (live)",
				 h->uuid, g->name);
			if (attach_step_plan(&g->t, &c->p1, desc, h->uuid,
					     h->xml, true, false, false,
					     err) < 0)
				return vm_error_errno(err);
			c->removed++;
		}
	}
	return 0;
}

/* ---- phase 2: prune's mdevs ---- */

/* still referenced by a domain once phase 1 and 4 ran */
static bool still_used(const struct actx *c, const char *uuid)
{
	for (size_t i = 0; i < c->users.n; i++) {
		const struct mdev_user *u = &c->users.v[i];
		const struct aguest *g = NULL;

		if (strcmp(u->uuid, uuid) != 0)
			continue;
		for (size_t n = 0; n < c->ng; n++)
			if (strcmp(c->g[n]->name, u->domain) == 0)
				g = c->g[n];
		if (!g ||
		    ((u->where & VIRT_REF_CONFIG) &&
		     !strv_contains(&g->rm_config, uuid)) ||
		    ((u->where & VIRT_REF_LIVE) &&
		     !strv_contains(&g->rm_live, uuid)))
			return true;
	}
	return false;
}

static int prune_mdevs(struct actx *c, struct outcome *o, struct strv *kept,
		       struct strv *pruned, struct vm_error *err)
{
	struct json_object *a = rec_array(c->rec, "mdevs");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		struct json_object *e = json_object_array_get_idx(a, i);
		const char *uuid = jstr(e, "uuid");
		const struct mdev_info *mi = mdev_find(&c->list, uuid);
		_cleanup_free_ char *note = NULL;
		struct mdev_spec m;
		struct mdev_state st, gone;

		if (wanted(c, uuid) || !mi || !mi->kind ||
		    mdev_fault_of(&c->list, uuid, NULL))
			continue;
		if (still_used(c, uuid)) {
			if (strv_push(kept, uuid) < 0)
				return oom(err);
			continue;
		}
		mdev_spec_from_info(mi, &m);
		mdev_state_of(mi, &st);
		gone = st;
		gone.active = false;
		if (!o->backend.ops && request_backend(c->env, &m, o, err) < 0)
			return vm_error_errno(err);
		/* a shared host part goes back once, for all (give_back) */
		if (strv_push(pruned, uuid) < 0)
			return oom(err);
		if (lifecycle_plan(&o->backend, &c->p2, &m, &st, WANT_NO,
				   WANT_KEEP, WANT_KEEP, err) < 0 ||
		    (jbool(e, "prepared") && !m.kind->plan_give_back &&
		     m.kind->plan_release(c->env->sysfs, &m, &c->p2, &note,
					  err) < 0) ||
		    lifecycle_plan(&o->backend, &c->p2, &m, &gone, WANT_NO,
				   WANT_NO, WANT_KEEP, err) < 0)
			return vm_error_errno(err);
		c->removed++;
	}
	return 0;
}

/* ---- phase 4: each guest's definition once, then the live attaches ---- */

/* the guest devno: as the file gives it (css fe, free), else the host's mirrored when free, else the first free */
static int pick_devno(const struct actx *c, const struct adev *a,
		      const struct domain_scan *x, const struct domain_scan *y,
		      struct guest_devno *out, struct vm_error *err)
{
	const struct state_device *sd = a->sd;
	struct guest_devno host;
	char dn[GUEST_DEVNO_STRLEN];
	int usable;

	if (sd->devno_given) {
		*out = sd->devno;
		guest_devno_format(out, dn);
		usable = attach_devno_usable(x, y, out);
		if (usable == -EINVAL)
			return vm_error_set(
				err, VM_EXIT_REFUSED, EINVAL,
				"devno %s: guests see only channel subsystem 0xfe (write fe.%x.%04x)",
				dn, out->ssid, out->devno);
		if (usable < 0)
			return vm_error_set(
				err, VM_EXIT_REFUSED, EADDRINUSE,
				"devno %s: a device of domain %s has that ccw address already (pick another devno, or leave it out)",
				dn, a->g->name);
		return 0;
	}
	if (attach_devno_auto(x, y,
			      a->m.kind->host_devno(c->env->sysfs, a->m.parent,
						    &host) ?
				      &host :
				      NULL,
			      out) == 0)
		return 0;
	return vm_error_set(err, VM_EXIT_REFUSED, ENOSPC,
			    "domain '%s' has no free ccw devno in fe.0",
			    a->g->name);
}

/* the hostdev as the file describes it; is the one the domain has the same? */
static bool hostdev_holds(const struct adev *a, const struct domain_hostdev *h)
{
	const struct state_device *sd = a->sd;

	if (sd->devno_given &&
	    (!h->has_devno || h->devno.cssid != sd->devno.cssid ||
	     h->devno.ssid != sd->devno.ssid ||
	     h->devno.devno != sd->devno.devno))
		return false;
	if (sd->boot_order != h->boot_order)
		return false;
	if ((sd->alias == NULL) != (h->alias == NULL) ||
	    (sd->alias && strcmp(sd->alias, h->alias) != 0))
		return false;
	return true;
}

static int hostdev_xml(const struct actx *c, const struct adev *a,
		       const struct domain_scan *x, const struct domain_scan *y,
		       char **xml, char *dn, struct vm_error *err)
{
	struct hostdev_opts ho = { .uuid = a->m.uuid,
				   .kind = a->m.kind,
				   .boot_order = a->sd->boot_order,
				   .alias = a->sd->alias };

	dn[0] = '\0';
	if (a->m.kind->guest_ccw_address) {
		if (pick_devno(c, a, x, y, &ho.devno, err) < 0)
			return vm_error_errno(err);
		ho.has_devno = true;
		guest_devno_format(&ho.devno, dn);
	}
	return xml_hostdev(&ho, c->env->template_dir, xml, err);
}

struct edit {
	char *xml; /* the definition as edited so far */
	struct domain_scan scan;
	struct strv cmds, undos; /* the virsh commands of the dry run */
	struct strv what;
};

static void edit_clear(struct edit *e)
{
	free(e->xml);
	domain_scan_clear(&e->scan);
	strv_clear(&e->cmds);
	strv_clear(&e->undos);
	strv_clear(&e->what);
}

static int edit_rescan(struct edit *e, struct vm_error *err)
{
	domain_scan_clear(&e->scan);
	return xml_domain_scan(e->xml, &e->scan, err);
}

static int edit_remove(struct aguest *g, struct edit *e,
		       const struct domain_hostdev *h, struct vm_error *err)
{
	char *next = NULL;
	_cleanup_free_ char *cmd =
		attach_virsh_command(&g->t, false, false, true, h->xml);
	_cleanup_free_ char *undo =
		attach_virsh_command(&g->t, true, false, true, h->xml);
	char w[128];

	if (xml_domain_remove_hostdev(e->xml, h->uuid, &next, err) < 0)
		return vm_error_errno(err);
	free(e->xml);
	e->xml = next;
	snprintf(w, sizeof(w), "remove mdev %s", h->uuid);
	if (!cmd || !undo || strv_push(&e->cmds, cmd) < 0 ||
	    strv_push(&e->undos, undo) < 0 || strv_push(&e->what, w) < 0)
		return oom(err);
	return edit_rescan(e, err);
}

static int edit_add(const struct actx *c, struct aguest *g, struct edit *e,
		    const struct adev *a, struct vm_error *err)
{
	_cleanup_free_ char *xml = NULL, *cmd = NULL, *undo = NULL;
	char *next = NULL;
	char dn[GUEST_DEVNO_STRLEN], w[160];

	if (hostdev_xml(c, a, &e->scan, g->have_ls ? &g->ls : NULL, &xml, dn,
			err) < 0 ||
	    xml_domain_add_device(e->xml, xml, &next, err) < 0)
		return at(c, &a->sd->pos, err);
	free(e->xml);
	e->xml = next;
	cmd = attach_virsh_command(&g->t, true, false, true, xml);
	undo = attach_virsh_command(&g->t, false, false, true, xml);
	snprintf(w, sizeof(w), "add %s mdev %s%s%s", a->m.kind->model,
		 a->m.uuid, dn[0] ? " as devno " : "", dn);
	if (!cmd || !undo || strv_push(&e->cmds, cmd) < 0 ||
	    strv_push(&e->undos, undo) < 0 || strv_push(&e->what, w) < 0)
		return oom(err);
	return edit_rescan(e, err);
}

static char *joined(const struct strv *v, bool reverse)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < v->n; i++)
		len += strlen(v->v[i]) + 1;
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (size_t k = 0; k < v->n; k++) {
		const char *x = v->v[reverse ? v->n - 1 - k : k];

		p = stpcpy(p, x);
		if (k + 1 < v->n)
			*p++ = '\n';
	}
	*p = '\0';
	return s;
}

/* a device of the file whose guest is g */
static bool is_guest_dev(const struct adev *a, const struct aguest *g)
{
	return a->g == g;
}

/* one vfio-ap device per guest: another of the kind the definition keeps */
static int one_per_domain(const struct actx *c, const struct aguest *g,
			  const struct domain_scan *d, const struct adev *a,
			  struct vm_error *err)
{
	for (size_t i = 0; i < d->nhostdevs; i++) {
		const struct domain_hostdev *h = &d->hostdevs[i];

		if (h->kind != a->m.kind || strcmp(h->uuid, a->m.uuid) == 0)
			continue;
		vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"domain %s has %s mdev %s already, which virt-mdev did not put there, and a guest takes one %s device (take it out: 'virt-mdev unassign %s %s --keep-mdev')",
			g->name, a->m.kind->model, h->uuid, a->m.kind->model,
			g->name, h->uuid);
		return at(c, &a->sd->pos, err);
	}
	return 0;
}

static int plan_guest_config(struct actx *c, struct aguest *g,
			     struct vm_error *err)
{
	struct edit e = { 0 };
	_cleanup_free_ char *cmd = NULL, *undo = NULL, *list = NULL;
	char desc[1024];
	int r = -1;

	if (!g->have_cs) {
		for (size_t i = 0; i < c->nd; i++)
			if (is_guest_dev(&c->d[i], g) &&
			    c->d[i].sd->persistent) {
				vm_error_set(
					err, VM_EXIT_REFUSED, EINVAL,
					"domain %s is transient: it has no persistent definition to hold the device (define it, or write persistent: false and live: true)",
					g->name);
				return at(c, &c->d[i].sd->pos, err);
			}
		return 0;
	}
	e.xml = virt_domain_xml_to_define(g->dom);
	if (!e.xml) {
		vm_error_set(err, VM_EXIT_FAILED, EIO,
			     "cannot read the XML of domain '%s': %s", g->name,
			     virt_last_error());
		goto out;
	}
	g->cxml = strdup(e.xml);
	if (!g->cxml || edit_rescan(&e, err) < 0)
		goto out;
	/* what leaves: moved or pruned, and what the file describes otherwise now */
	for (size_t i = 0; i < g->cs.nhostdevs; i++) {
		const struct domain_hostdev *h = &g->cs.hostdevs[i];
		const struct adev *a = wanted(c, h->uuid);
		bool mine = a && is_guest_dev(a, g) && a->sd->persistent;

		if ((mine && !hostdev_holds(a, h)) ||
		    (!mine && strv_contains(&g->rm_config, h->uuid))) {
			if (edit_remove(g, &e, h, err) < 0)
				goto out;
			c->removed += !mine;
		}
	}
	for (size_t i = 0; i < c->nd; i++) {
		const struct adev *a = &c->d[i];

		if (!is_guest_dev(a, g) || !a->sd->persistent ||
		    scan_find(&e.scan, a->m.uuid))
			continue;
		if ((a->m.kind->one_per_domain &&
		     one_per_domain(c, g, &e.scan, a, err) < 0) ||
		    edit_add(c, g, &e, a, err) < 0)
			goto out;
	}
	r = 0;
	if (e.cmds.n == 0)
		goto out;
	cmd = joined(&e.cmds, false);
	undo = joined(&e.undos, true);
	list = joined(&e.what, false);
	if (!cmd || !undo || !list) {
		r = oom(err);
		goto out;
	}
	for (char *p = list; *p; p++)
		if (*p == '\n')
			*p = ',';
	snprintf(desc, sizeof(desc),
		 "define domain %s again with its hostdevs changed: %.900s",
		 g->name, list);
	r = attach_define_plan(&g->t, &c->p4, desc, g->cxml, e.xml, cmd, undo,
			       err);
out:
	edit_clear(&e);
	return r < 0 ? vm_error_errno(err) : 0;
}

static int plan_guest_live(struct actx *c, struct aguest *g,
			   struct vm_error *err)
{
	for (size_t i = 0; i < c->nd; i++) {
		const struct adev *a = &c->d[i];
		_cleanup_free_ char *xml = NULL;
		char dn[GUEST_DEVNO_STRLEN], desc[512];

		if (!is_guest_dev(a, g) || !a->sd->live)
			continue;
		if (!g->have_ls) {
			vm_error_set(
				err, VM_EXIT_REFUSED, EINVAL,
				"live: true, but domain %s is not running (start it first, or leave live out)",
				g->name);
			return at(c, &a->sd->pos, err);
		}
		if (scan_find(&g->ls, a->m.uuid))
			continue;
		if (a->m.kind->one_per_domain &&
		    one_per_domain(c, g, &g->ls, a, err) < 0)
			return vm_error_errno(err);
		if (hostdev_xml(c, a, &g->ls, g->have_cs ? &g->cs : NULL, &xml,
				dn, err) < 0)
			return at(c, &a->sd->pos, err);
		snprintf(desc, sizeof(desc),
			 "attach %s mdev %s to domain %s%s%s (live)",
			 a->m.kind->model, a->m.uuid, g->name,
			 dn[0] ? " as devno " : "", dn);
		if (attach_step_plan(&g->t, &c->p4, desc, a->m.uuid, xml, true,
				     false, true, err) < 0)
			return vm_error_errno(err);
	}
	return 0;
}

/* ---- the record ---- */

static struct json_object *rec_entry_mdev(const struct adev *a, bool prepared)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "uuid", json_object_new_string(a->m.uuid));
	json_object_object_add(e, "parent",
			       json_object_new_string(a->m.parent));
	json_object_object_add(e, "model",
			       json_object_new_string(a->m.kind->model));
	json_object_object_add(e, "prepared",
			       json_object_new_boolean(prepared));
	return e;
}

static void rec_add_hostdev(struct json_object *arr, const char *domain,
			    const char *uuid, bool config, bool live)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "domain", json_object_new_string(domain));
	json_object_object_add(e, "uuid", json_object_new_string(uuid));
	json_object_object_add(e, "config", json_object_new_boolean(config));
	json_object_object_add(e, "live", json_object_new_boolean(live));
	json_object_array_add(arr, e);
}

/*
 * The new record: every device of the file whose mdev apply made (now or
 * earlier), every hostdev it put into a guest; and the earlier entries
 * the file no longer lists that stay (without prune, or kept for a guest).
 */
static struct json_object *rec_new(const struct actx *c, bool prune,
				   const struct strv *kept)
{
	struct json_object *r = json_object_new_object(),
			   *m = json_object_new_array(),
			   *h = json_object_new_array(),
			   *om = rec_array(c->rec, "mdevs"),
			   *oh = rec_array(c->rec, "hostdevs");

	json_object_object_add(r, "version", json_object_new_int(1));
	json_object_object_add(r, "file", json_object_new_string(c->st->file));
	for (size_t i = 0; i < c->nd; i++) {
		const struct adev *a = &c->d[i];
		struct json_object *old = rec_mdev(c, a->m.uuid);
		bool made = !a->have || old;

		if (made)
			json_object_array_add(
				m,
				rec_entry_mdev(
					a, a->prepared ||
						   (old &&
						    jbool(old, "prepared"))));
		if (!a->g)
			continue;
		{
			const struct domain_hostdev *hc =
				a->g->have_cs ?
					scan_find(&a->g->cs, a->m.uuid) :
					NULL;
			const struct domain_hostdev *hl =
				a->g->have_ls ?
					scan_find(&a->g->ls, a->m.uuid) :
					NULL;
			bool cfg = a->sd->persistent &&
				   (!hc || rec_hostdev(c, a->g->name, a->m.uuid,
						       "config"));
			bool live = a->sd->live &&
				    (!hl || rec_hostdev(c, a->g->name,
							a->m.uuid, "live"));

			if (cfg || live)
				rec_add_hostdev(h, a->g->name, a->m.uuid, cfg,
						live);
		}
	}
	for (size_t i = 0; om && i < json_object_array_length(om); i++) {
		struct json_object *e = json_object_array_get_idx(om, i);
		const char *uuid = jstr(e, "uuid");

		if (wanted(c, uuid) || !mdev_find(&c->list, uuid))
			continue;
		if (!prune || strv_contains(kept, uuid))
			json_object_array_add(m, json_object_get(e));
	}
	for (size_t i = 0; !prune && oh && i < json_object_array_length(oh);
	     i++) {
		struct json_object *e = json_object_array_get_idx(oh, i);
		const struct adev *w = wanted(c, jstr(e, "uuid"));

		if (w && w->g && strcmp(w->g->name, jstr(e, "domain")) == 0)
			continue; /* written above */
		if (w)
			continue; /* moved: it left that guest */
		json_object_array_add(h, json_object_get(e));
	}
	json_object_object_add(r, "mdevs", m);
	json_object_object_add(r, "hostdevs", h);
	{
		struct json_object *f = json_object_new_object();

		for (size_t k = 0; mdev_kinds[k] && k < ARRAY_SIZE(c->freed);
		     k++) {
			struct json_object *l;

			if (c->freed[k].n == 0)
				continue;
			l = json_object_new_array();
			for (size_t i = 0; i < c->freed[k].n; i++)
				json_object_array_add(
					l, json_object_new_string(
						   c->freed[k].v[i]));
			json_object_object_add(f, mdev_kinds[k]->model, l);
		}
		json_object_object_add(r, "freed", f);
	}
	return r;
}

static bool rec_empty(struct json_object *r)
{
	struct json_object *m = rec_array(r, "mdevs"),
			   *h = rec_array(r, "hostdevs"), *f;

	return (!m || json_object_array_length(m) == 0) &&
	       (!h || json_object_array_length(h) == 0) &&
	       (!json_object_object_get_ex(r, "freed", &f) ||
		json_object_object_length(f) == 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* an array's members as sorted text: the record is written by apply alone, its members always in one key order */
static char **sorted_members(struct json_object *a, size_t *n)
{
	char **v;

	*n = json_object_array_length(a);
	v = calloc(*n ? *n : 1, sizeof(*v));
	for (size_t i = 0; v && i < *n; i++)
		if (!(v[i] = strdup(json_object_to_json_string_ext(
			      json_object_array_get_idx(a, i),
			      JSON_C_TO_STRING_PLAIN)))) {
			while (i)
				free(v[--i]);
			free(v);
			return NULL;
		}
	if (v)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

/* the same members, in any order (a record is a set: the file's order is no fact of the host) */
static bool same_set(struct json_object *x, struct json_object *y)
{
	char **a, **b;
	size_t n, m;
	bool same;

	if (!x || !y)
		return !x && !y;
	if (json_object_is_type(x, json_type_object) &&
	    json_object_is_type(y, json_type_object)) {
		if (json_object_object_length(x) !=
		    json_object_object_length(y))
			return false;
		json_object_object_foreach(x, key, v)
		{
			struct json_object *w;

			if (!json_object_object_get_ex(y, key, &w) ||
			    !same_set(v, w))
				return false;
		}
		return true;
	}
	if (!json_object_is_type(x, json_type_array) ||
	    !json_object_is_type(y, json_type_array))
		return json_object_equal(x, y);
	a = sorted_members(x, &n);
	b = sorted_members(y, &m);
	same = a && b && n == m;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(a[i], b[i]) == 0;
	for (size_t i = 0; a && i < n; i++)
		free(a[i]);
	for (size_t i = 0; b && i < m; i++)
		free(b[i]);
	free(a);
	free(b);
	return same;
}

/*
 * The same entries, in any order (the file's name aside): a file that
 * lists the devices in another order, or fewer of them without prune,
 * leaves the record as it is.
 */
static bool rec_same(struct json_object *a, struct json_object *b)
{
	const char *k[] = { "mdevs", "hostdevs", "freed" };

	if (!a || !b)
		return (!a || rec_empty(a)) && (!b || rec_empty(b));
	for (size_t i = 0; i < ARRAY_SIZE(k); i++) {
		struct json_object *x = NULL, *y = NULL;

		json_object_object_get_ex(a, k[i], &x);
		json_object_object_get_ex(b, k[i], &y);
		if (!same_set(x, y))
			return false;
	}
	return true;
}

static int plan_record(struct actx *c, struct plan *p, bool prune,
		       const struct strv *kept, struct vm_error *err)
{
	_cleanup_(json_object_putp) struct json_object *r =
		rec_new(c, prune, kept);
	_cleanup_free_ char *text = NULL;
	const char *j;

	if (!r)
		return oom(err);
	if (plan_is_empty(p) && rec_same(c->rec, r))
		return 0;
	j = json_object_to_json_string_ext(
		r, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!j || asprintf(&text, "%s\n", j) < 0)
		return oom(err);
	if (c->rec_text && strcmp(c->rec_text, text) == 0)
		return 0;
	return plan_add_file_put(
		       p, "record what apply made (--prune removes only that)",
		       SYSFS_AREA_STATE, APPLY_RECORD_FILE, text) ?
		       0 :
		       oom(err);
}

/* ---- the request ---- */

static struct json_object *result_of(const struct actx *c, bool prune,
				     const struct strv *kept)
{
	struct json_object *r = json_object_new_object(),
			   *a = json_object_new_array();

	json_object_object_add(r, "file", json_object_new_string(c->st->file));
	for (size_t i = 0; i < c->nd; i++) {
		const struct adev *d = &c->d[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "uuid",
				       json_object_new_string(d->m.uuid));
		json_object_object_add(e, "parent",
				       json_object_new_string(d->m.parent));
		json_object_object_add(
			e, "model", json_object_new_string(d->m.kind->model));
		json_object_object_add(
			e, "guest",
			d->g ? json_object_new_string(d->g->name) : NULL);
		json_object_object_add(
			e, "line", json_object_new_int((int)d->sd->pos.line));
		json_object_array_add(a, e);
	}
	json_object_object_add(r, "devices", a);
	json_object_object_add(r, "prune", json_object_new_boolean(prune));
	json_object_object_add(r, "removed",
			       json_object_new_int((int)c->removed));
	if (kept->n) {
		struct json_object *k = json_object_new_array();

		for (size_t i = 0; i < kept->n; i++)
			json_object_array_add(
				k, json_object_new_string(kept->v[i]));
		json_object_object_add(r, "kept", k);
	}
	return r;
}

static void actx_clear(struct actx *c)
{
	mdev_list_clear(&c->list);
	users_clear(&c->users);
	json_object_put(c->rec);
	json_object_put(c->rec_idx);
	json_object_put(c->d_idx);
	c->rec_idx = c->d_idx = NULL;
	free(c->rec_text);
	for (size_t i = 0; i < ARRAY_SIZE(c->shared) && mdev_kinds[i]; i++)
		if (c->shared[i])
			mdev_kinds[i]->host_free(c->shared[i]);
	free(c->d);
	plan_clear(&c->p1);
	plan_clear(&c->p2);
	plan_clear(&c->p3);
	plan_clear(&c->p3a);
	plan_clear(&c->p3m);
	plan_clear(&c->p3s);
	plan_clear(&c->p4);
	for (size_t i = 0; i < ARRAY_SIZE(c->freed); i++)
		strv_clear(&c->freed[i]);
}

static int collect(struct actx *c, struct vm_error *err)
{
	const struct state *st = c->st;
	size_t n = st->nmdevs;

	for (size_t i = 0; i < st->nguests; i++)
		n += st->guests[i].ndevices;
	c->d = calloc(n ? n : 1, sizeof(*c->d));
	if (!c->d)
		return oom(err);
	for (size_t i = 0; i < st->nguests; i++) {
		const struct state_guest *sg = &st->guests[i];
		struct aguest *g = guest_get(c, sg->name, sg, err);

		if (!g)
			return at(c, &sg->pos, err);
		for (size_t k = 0; k < sg->ndevices; k++) {
			c->d[c->nd].sd = &sg->devices[k];
			c->d[c->nd++].g = g;
		}
	}
	for (size_t i = 0; i < st->nmdevs; i++)
		c->d[c->nd++].sd = &st->mdevs[i];
	return 0;
}

int request_apply(const struct request_env *env, const struct state *st,
		  bool prune, bool exact, struct outcome *o,
		  struct vm_error *err)
{
	struct actx *c = calloc(1, sizeof(*c));
	_cleanup_strv_ struct strv kept = STRV_INIT, pruned = STRV_INIT;
	char doing[600];
	int r = -1;

	if (!c)
		return oom(err);
	/* the guests live as long as the plan's steps: the outcome keeps them */
	o->data = c;
	o->data_free = guests_free;
	c->env = env;
	c->st = st;
	c->exact = exact;
	plan_init(&c->p1, env->sysfs);
	plan_init(&c->p2, env->sysfs);
	plan_init(&c->p3, env->sysfs);
	plan_init(&c->p3a, env->sysfs);
	plan_init(&c->p3m, env->sysfs);
	plan_init(&c->p3s, env->sysfs);
	plan_init(&c->p4, env->sysfs);
	snprintf(doing, sizeof(doing), "apply %.500s", st->file);
	/* the plan is made from one reading of the host (the steps compare before they act) */
	mdev_list_memo(env->sysfs, true);
	virt_xml_memo(true);
	for (size_t k = 0; mdev_kinds[k]; k++)
		if (mdev_kinds[k]->read_once)
			mdev_kinds[k]->read_once(env->sysfs, true);
	c->conn = request_conn(env, o, err);
	if (!c->conn ||
	    users_scan_for(env->uri, c->conn, true, doing, &c->users, err) <
		    0 ||
	    mdev_list_read(env->sysfs, &c->list, err) < 0 ||
	    rec_read(c, err) < 0 || collect(c, err) < 0)
		goto out;
	for (size_t i = 0; i < c->nd; i++)
		if (resolve_device(c, &c->d[i], err) < 0)
			goto out;
	for (size_t i = 0; i < c->nd; i++)
		if (claim(c, &c->d[i], err) < 0)
			goto out;
	if ((prune && prune_hostdevs(c, err) < 0) ||
	    plan_live_detaches(c, err) < 0 ||
	    (prune && prune_mdevs(c, o, &kept, &pruned, err) < 0))
		goto out;
	for (size_t k = 0; mdev_kinds[k]; k++)
		if (mdev_kinds[k]->plan_prepare_all &&
		    prepare_shared(c, mdev_kinds[k], err) < 0)
			goto out;
	for (size_t i = 0; i < c->nd; i++)
		if (plan_device(c, o, &c->d[i], err) < 0)
			goto out;
	/*
	 * the mdevs after the preparations, before what goes back to the
	 * host (a queue leaves an mdev first): the one-at-a-time lane first,
	 * so that it runs beside the others from the start (last, it would
	 * run alone at the end), or after them when it can be no lane
	 */
	if ((c->p3a.n && !plan_set_lane(&c->p3a, 0, (unsigned)c->nd + 1) &&
	     plan_take(&c->p3s, &c->p3a) < 0) ||
	    plan_take(&c->p3, &c->p3a) < 0 || plan_take(&c->p3, &c->p3m) < 0 ||
	    plan_take(&c->p3, &c->p3s) < 0) {
		oom(err);
		goto out;
	}
	for (size_t k = 0; mdev_kinds[k]; k++)
		if (mdev_kinds[k]->plan_give_back &&
		    give_back(c, mdev_kinds[k], &pruned, err) < 0)
			goto out;
	for (size_t i = 0; i < c->ng; i++)
		if (plan_guest_config(c, c->g[i], err) < 0 ||
		    plan_guest_live(c, c->g[i], err) < 0)
			goto out;
	if (plan_take(&o->plan, &c->p1) < 0 ||
	    plan_take(&o->plan, &c->p2) < 0 ||
	    plan_take(&o->plan, &c->p3) < 0 ||
	    plan_take(&o->plan, &c->p4) < 0) {
		oom(err);
		goto out;
	}
	if (plan_record(c, &o->plan, prune, &kept, err) < 0)
		goto out;
	o->result = result_of(c, prune, &kept);
	if (kept.n)
		snprintf(
			o->warning, sizeof(o->warning),
			"--prune kept %zu mdev%s an earlier apply made: a domain the state file does not list uses %s ('virt-mdev list mdev' names it)",
			kept.n, kept.n > 1 ? "s" : "",
			kept.n > 1 ? "them" : "it");
	if (c->note[0])
		snprintf(o->note, sizeof(o->note), "%s", c->note);
	snprintf(o->nothing, sizeof(o->nothing),
		 "the host holds %.400s already: %zu device%s", st->file, c->nd,
		 c->nd == 1 ? "" : "s");
	r = 0;
out:
	mdev_list_memo(env->sysfs, false);
	virt_xml_memo(false);
	for (size_t k = 0; mdev_kinds[k]; k++)
		if (mdev_kinds[k]->read_once)
			mdev_kinds[k]->read_once(env->sysfs, false);
	actx_clear(c);
	return r;
}

/* ---- export ---- */

static int export_device(const struct sysfs *s, const struct mdev_info *i,
			 const struct domain_hostdev *h, unsigned where,
			 struct state_device *d)
{
	char name[64];

	memset(d, 0, sizeof(*d));
	d->kind = i->kind;
	d->uuid_given = true;
	snprintf(d->uuid, sizeof(d->uuid), "%s", i->uuid);
	if (i->kind->device_name(s, i->parent, name, sizeof(name))) {
		d->device = strdup(name);
		if (!d->device)
			return -ENOMEM;
		d->target.device = d->device;
	} else {
		d->target.apm = i->apm;
		d->target.aqm = i->aqm;
		d->target.adm = i->adm;
		d->target.have_adapters = d->target.have_domains = true;
		d->target.have_control_domains = !ap_mask_is_empty(&i->adm);
	}
	if (h) {
		d->devno_given = h->has_devno && i->kind->guest_ccw_address;
		d->devno = h->devno;
		d->boot_order = h->boot_order;
		if (h->alias && !(d->alias = strdup(h->alias)))
			return -ENOMEM;
	}
	if (where) {
		d->persistent = where & VIRT_REF_CONFIG;
		d->live = where & VIRT_REF_LIVE;
	} else {
		/* an mdev without a guest is active (state.h) */
		d->persistent = i->defined && i->autostart;
		d->live = true;
	}
	return 0;
}

static struct state_guest *export_guest(struct state *out, const char *name)
{
	struct state_guest *v;

	for (size_t i = 0; i < out->nguests; i++)
		if (strcmp(out->guests[i].name, name) == 0)
			return &out->guests[i];
	v = realloc(out->guests, (out->nguests + 1) * sizeof(*v));
	if (!v)
		return NULL;
	out->guests = v;
	v = &out->guests[out->nguests];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	if (!v->name)
		return NULL;
	out->nguests++;
	return v;
}

static int export_refs(const struct request_env *env, virConnectPtr conn,
		       const struct users *u, const struct mdev_list *l,
		       struct state *out, struct vm_error *err)
{
	for (size_t n = 0; n < u->n; n++) {
		const struct mdev_user *r = &u->v[n];
		const struct mdev_info *i = mdev_find(l, r->uuid);
		_cleanup_(virt_domain_freep) virDomainPtr dom = NULL;
		_cleanup_free_ char *xml = NULL;
		struct domain_scan ds = { 0 };
		const struct domain_hostdev *h = NULL;
		struct state_guest *g;
		struct state_device *v;
		int e;

		if (!i || !i->kind)
			continue; /* a reference to an mdev this host lacks: validate names it */
		dom = virt_domain_lookup(conn, r->domain);
		xml = dom ? virt_domain_xml(dom, !(r->where & VIRT_REF_LIVE)) :
			    NULL;
		if (xml && xml_domain_scan(xml, &ds, err) == 0)
			h = scan_find(&ds, r->uuid);
		vm_error_clear(err);
		g = export_guest(out, r->domain);
		v = g ? realloc(g->devices, (g->ndevices + 1) * sizeof(*v)) :
			NULL;
		if (!v) {
			domain_scan_clear(&ds);
			return oom(err);
		}
		g->devices = v;
		e = export_device(env->sysfs, i, h, r->where,
				  &g->devices[g->ndevices]);
		g->ndevices++;
		domain_scan_clear(&ds);
		if (e < 0)
			return oom(err);
	}
	return 0;
}

static bool referenced(const struct users *u, const char *uuid)
{
	for (size_t n = 0; n < u->n; n++)
		if (strcmp(u->v[n].uuid, uuid) == 0)
			return true;
	return false;
}

/*
 * The APQNs the host's drivers do not hold (apmask bit or aqmask bit
 * clear) that no mdev holds: ap-reserve entries, one per set of
 * adapters with the same domains; persistent when chzdev's boot masks free
 * them too.
 */
static int export_reserve(const struct request_env *env, struct state *out,
			  struct vm_error *err)
{
	_cleanup_ap_host_ struct ap_host h = { 0 };
	struct ap_mask dom[AP_MASK_BITS], boot[AP_MASK_BITS];
	bool done[AP_MASK_BITS] = { false };

	if (!sysfs_exists(env->sysfs, "bus/ap"))
		return 0;
	if (ap_read_host(env->sysfs, &h, err) < 0)
		return vm_error_errno(err);
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		ap_mask_zero(&dom[a]);
		ap_mask_zero(&boot[a]);
	}
	for (size_t i = 0; i < h.nqueues; i++) {
		const struct apqn *q = &h.queues[i].apqn;

		if (ap_reserved(&h.apmask, &h.aqmask, q) || ap_owner(&h, q))
			continue;
		ap_mask_set(&dom[q->apid], q->apqi);
		if (!ap_reserved(&h.boot.apmask, &h.boot.aqmask, q))
			ap_mask_set(&boot[q->apid], q->apqi);
	}
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		struct state_reserve *v, r = { 0 };

		if (done[a] || ap_mask_is_empty(&dom[a]))
			continue;
		ap_mask_zero(&r.adapters);
		r.domains = dom[a];
		r.persistent = ap_mask_equal(&boot[a], &dom[a]);
		for (unsigned b = a; b < AP_MASK_BITS; b++)
			if (!done[b] && ap_mask_equal(&dom[b], &dom[a]) &&
			    ap_mask_equal(&boot[b], &boot[a])) {
				ap_mask_set(&r.adapters, b);
				done[b] = true;
			}
		v = realloc(out->reserve, (out->nreserve + 1) * sizeof(*v));
		if (!v)
			return oom(err);
		out->reserve = v;
		out->reserve[out->nreserve++] = r;
	}
	return 0;
}

int request_export(const struct request_env *env, struct state *out,
		   struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	_cleanup_users_ struct users u = { 0 };
	_cleanup_(virt_conn_closep) virConnectPtr conn = NULL;

	memset(out, 0, sizeof(*out));
	if (virt_open_readonly(env->uri, &conn, err) < 0 ||
	    users_scan_for(env->uri, conn, true, "export the host's state", &u,
			   err) < 0 ||
	    mdev_list_read(env->sysfs, &l, err) < 0 ||
	    export_refs(env, conn, &u, &l, out, err) < 0)
		return vm_error_errno(err);
	for (size_t i = 0; i < l.n; i++) {
		const struct mdev_info *m = &l.v[i];
		struct state_device *v;

		/* a definition that does not start at boot and is not active: not a state apply keeps */
		if (!m->kind || referenced(&u, m->uuid) ||
		    (!m->active && !(m->defined && m->autostart)) ||
		    (i > 0 && strcmp(l.v[i - 1].uuid, m->uuid) == 0))
			continue;
		v = realloc(out->mdevs, (out->nmdevs + 1) * sizeof(*v));
		if (!v)
			return oom(err);
		out->mdevs = v;
		if (export_device(env->sysfs, m, NULL, 0,
				  &out->mdevs[out->nmdevs++]) < 0)
			return oom(err);
	}
	return export_reserve(env, out, err);
}
