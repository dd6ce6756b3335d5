/* validate: each mdev checked by its kind's rules, and the domains' references to mdevs the host lacks. */
#include "config.h"

#include <string.h>

#include "validate.h"

static void add_problem(void *opaque, const char *uuid, const char *msg)
{
	struct problems *p = opaque;
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
	e->msg = strdup(msg);
	if (e->msg)
		p->n++;
	else
		p->oom = true;
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

		if (mdev_find(l, uuid))
			continue;
		snprintf(
			msg, sizeof(msg),
			"libvirt domain %s uses this mdev, which is not on this host (neither active nor defined): the domain cannot start with it (create it with 'virt-mdev create', or 'virt-mdev detach %s %s')",
			dom, dom, uuid);
		add_problem(p, uuid, msg);
	}
}

void validate_mdevs(const struct sysfs *s, const struct mdev_list *l,
		    const struct strv *uuids, const struct users *u,
		    struct problems *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->n; i++) {
		const struct mdev_info *mi = &l->v[i];

		if (uuids->n && !strv_contains(uuids, mi->uuid))
			continue;
		out->checked++;
		if (!mi->kind) {
			unknown_kind(mi, out);
			continue;
		}
		mi->kind->validate(s, mi, l, add_problem, out);
	}
	if (!uuids->n && u && u->reachable)
		dangling(l, u, out);
}

void problems_clear(struct problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].msg);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
