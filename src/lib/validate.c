/* validate: each mdev checked by its kind's rules, and the domains' references to mdevs the host lacks. */
#include "config.h"

#include <string.h>

#include "validate.h"

static void add_entry(struct problems *p, const char *uuid, const char *file,
		      const char *object, bool note, const char *msg)
{
	struct problem *e;

	if (p->n == p->alloc) {
		size_t a = p->alloc ? p->alloc * 2 : 8;
		struct problem *v = realloc(p->v, a * sizeof(*v));

		if (!v) {
			p->oom = true;
			return;
		}
		p->v = v;
		p->alloc = a;
	}
	e = &p->v[p->n];
	snprintf(e->uuid, sizeof(e->uuid), "%s", uuid);
	e->file = file ? strdup(file) : NULL;
	e->object = object ? strdup(object) : NULL;
	e->note = note;
	e->now = e->after_boot = NULL;
	e->msg = strdup(msg);
	if (e->msg && (e->file || !file) && (e->object || !object)) {
		p->n++;
		p->nnotes += note;
	} else {
		free(e->file);
		free(e->object);
		free(e->msg);
		p->oom = true;
	}
}

static void add_file_problem(struct problems *p, const char *uuid,
			     const char *file, const char *msg)
{
	add_entry(p, uuid, file, NULL, false, msg);
}

/* a kind's finding about its part of the host */
static void add_finding(void *opaque, const char *object, bool note,
			const char *msg)
{
	add_entry(opaque, "", NULL, object, note, msg);
}

static void add_problem(void *opaque, const char *uuid, const char *msg)
{
	add_file_problem(opaque, uuid, NULL, msg);
}

/* a file of mdevctl's that is no definition it reads: mdevctl refuses it, or warns */
static void fault(const struct mdev_fault *f, struct problems *p)
{
	char msg[1024];

	if (f->uuid[0])
		snprintf(
			msg, sizeof(msg),
			"its mdevctl definition %s is malformed: %s (correct the file or remove it)",
			f->file, f->what);
	else
		snprintf(msg, sizeof(msg), "%s (rename or remove it)", f->what);
	add_file_problem(p, f->uuid, f->file, msg);
}

/* what mdevctl reads of a definition that it would refuse or read otherwise: once per uuid */
static void definition(const struct mdev_list *l, size_t at, struct problems *p)
{
	const struct mdev_info *mi = &l->v[at];
	char parents[512] = "", msg[1024];
	size_t len = 0, n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct mdev_info *o = &l->v[i];

		if (strcmp(o->uuid, mi->uuid) != 0)
			continue;
		if (n++ == 0 && i != at)
			break; /* reported with its first entry */
		snprintf(parents + len, sizeof(parents) - len, "%s%s (%s)",
			 len ? ", " : "", o->parent,
			 o->active && o->defined ? "active, defined" :
			 o->active		 ? "active" :
						   "defined");
		len = strlen(parents);
	}
	if (n > 1 && len) {
		snprintf(
			msg, sizeof(msg),
			"it is on several parents, %s: mdevctl refuses to start or modify it without --parent, and so does virt-mdev (remove all but one)",
			parents);
		add_problem(p, mi->uuid, msg);
	}
	if (mi->def &&
	    (!mi->def->start || (strcmp(mi->def->start, "auto") &&
				 strcmp(mi->def->start, "manual")))) {
		snprintf(
			msg, sizeof(msg),
			"its definition's start is %s%s%s, which mdevctl reads as manual (write \"manual\" or \"auto\")",
			mi->def->start ? "'" : "",
			mi->def->start ? mi->def->start : "not a string",
			mi->def->start ? "'" : "");
		add_problem(p, mi->uuid, msg);
	}
}

static void unknown_kind(const struct mdev_info *i, struct problems *p)
{
	char msg[256];

	snprintf(
		msg, sizeof(msg),
		"parent %s is not one virt-mdev knows (%s): it was not checked (if the definition is stale, remove it from /etc/mdevctl.d/%s/)",
		i->parent, mdev_kind_models(), i->parent);
	add_problem(p, i->uuid, msg);
}

/* a domain that names an mdev this host does not have cannot start */
static void dangling(const struct mdev_list *l, const struct users *u,
		     struct problems *p)
{
	for (size_t i = 0; i < u->n; i++) {
		const char *uuid = u->v[i].uuid, *dom = u->v[i].domain;
		char msg[512];

		/* a malformed definition of it is reported as such */
		if (mdev_find(l, uuid) || mdev_fault_of(l, uuid, NULL))
			continue;
		snprintf(
			msg, sizeof(msg),
			"libvirt domain %s uses this mdev, which is not on this host (neither active nor defined): the domain cannot start with it (create it with 'virt-mdev create', or 'virt-mdev detach %s %s')",
			dom, dom, uuid);
		add_problem(p, uuid, msg);
	}
}

/* a kind's slot for what it reads once per validate */
static struct kind_host **shared_of(const struct mdev_kind *kind,
				    struct kind_host **shared)
{
	size_t k = 0;

	while (mdev_kinds[k] != kind)
		k++;
	return &shared[k];
}

void validate_mdevs(const struct sysfs *s, const struct mdev_list *l,
		    const struct strv *uuids, const struct users *u,
		    struct problems *out)
{
	struct kind_host *shared[16] = { NULL };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->nfaults; i++) {
		if (uuids->n && !strv_contains(uuids, l->faults[i].uuid))
			continue;
		out->checked++;
		fault(&l->faults[i], out);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct mdev_info *mi = &l->v[i];

		if (uuids->n && !strv_contains(uuids, mi->uuid))
			continue;
		out->checked++;
		definition(l, i, out);
		if (!mi->kind) {
			unknown_kind(mi, out);
			continue;
		}
		mi->kind->validate(s, mi, l, shared_of(mi->kind, shared),
				   add_problem, out);
	}
	/* what an interrupted assign or unassign leaves outside any mdev */
	for (size_t k = 0; !uuids->n && mdev_kinds[k] && k < ARRAY_SIZE(shared);
	     k++)
		mdev_kinds[k]->validate_host(s, l, &shared[k], add_finding,
					     out);
	for (size_t k = 0; mdev_kinds[k] && k < ARRAY_SIZE(shared); k++)
		if (shared[k])
			mdev_kinds[k]->host_free(shared[k]);
	if (!uuids->n && u && u->reachable)
		dangling(l, u, out);
}

void problems_add(struct problems *p, const char *uuid, const char *object,
		  bool note, const char *now, const char *after_boot,
		  const char *msg)
{
	struct problem *e;
	size_t n = p->n;

	add_entry(p, uuid, NULL, object, note, msg);
	if (p->n == n)
		return;
	e = &p->v[n];
	e->now = now ? strdup(now) : NULL;
	e->after_boot = after_boot ? strdup(after_boot) : NULL;
	if ((now && !e->now) || (after_boot && !e->after_boot))
		p->oom = true;
}

void problems_clear(struct problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].now);
		free(p->v[i].after_boot);
		free(p->v[i].file);
		free(p->v[i].object);
		free(p->v[i].msg);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}
