/* Which libvirt domains use which mdev, from one scan of every domain's live and persistent XML. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "users.h"

static void add_user(const char *uuid, const char *domain, unsigned where,
		     void *opaque)
{
	struct users *u = opaque;
	struct mdev_user *e;
	char canon[IDS_UUID_STRLEN];
	uuid_t parsed;

	if (ids_uuid_parse(uuid, parsed, NULL) < 0)
		return;
	ids_uuid_format(parsed, canon);
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->v[i].uuid, canon) == 0 &&
		    strcmp(u->v[i].domain, domain) == 0) {
			/* live and persistent name it both */
			u->v[i].where |= where;
			return;
		}
	if (u->n == u->alloc) {
		size_t a = u->alloc ? u->alloc * 2 : 16;
		struct mdev_user *v = realloc(u->v, a * sizeof(*v));

		if (!v) {
			u->oom = true;
			return;
		}
		u->v = v;
		u->alloc = a;
	}
	e = &u->v[u->n];
	snprintf(e->uuid, sizeof(e->uuid), "%s", canon);
	e->where = where;
	e->domain = strdup(domain);
	if (e->domain)
		u->n++;
	else
		u->oom = true;
}

/* by domain name, then uuid: libvirt lists domains in no fixed order, the listings and messages name them sorted */
static int cmp_user(const void *a, const void *b)
{
	const struct mdev_user *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	return c ? c : strcmp(x->uuid, y->uuid);
}

void users_scan(const char *uri, virConnectPtr conn, struct users *u)
{
	_cleanup_conn_ virConnectPtr own = NULL;

	memset(u, 0, sizeof(*u));
	if (!conn && virt_open_readonly(uri, &own, &u->unreachable) == 0)
		conn = own;
	if (conn &&
	    virt_domain_mdev_refs(conn, add_user, u, &u->unreachable) == 0 &&
	    !u->oom) {
		u->reachable = true;
		vm_error_clear(&u->unreachable);
		if (u->n > 1)
			qsort(u->v, u->n, sizeof(*u->v), cmp_user);
		return;
	}
	if (u->oom)
		vm_error_set(&u->unreachable, VM_EXIT_FAILED, ENOMEM,
			     "out of memory while reading the domains");
	else if (!u->unreachable.msg[0])
		vm_error_set(&u->unreachable, VM_EXIT_FAILED, 0,
			     "libvirt did not answer");
}

void users_clear(struct users *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->v[i].domain);
	free(u->v);
	memset(u, 0, sizeof(*u));
}

size_t users_of(const struct users *u, const char *uuid, char *buf, size_t size)
{
	size_t count = 0, len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->n; i++) {
		if (strcmp(u->v[i].uuid, uuid) != 0)
			continue;
		snprintf(buf + len, size - len, "%s%s", count ? ", " : "",
			 u->v[i].domain);
		len = strlen(buf);
		count++;
	}
	return count;
}

static void append(char *buf, size_t size, size_t count, const char *name)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", count ? ", " : "", name);
}

int users_others(const struct users *u, const char *uuid, const char *self,
		 struct users_others *o)
{
	int r = 0;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < u->n; i++) {
		const struct mdev_user *e = &u->v[i];

		if (strcmp(e->uuid, uuid) != 0 ||
		    (self && strcmp(e->domain, self) == 0))
			continue;
		append(o->names, sizeof(o->names), o->n++, e->domain);
		if (strv_push(&o->domains, e->domain) < 0)
			r = -ENOMEM;
		if (e->where & VIRT_REF_LIVE)
			append(o->live, sizeof(o->live), o->nlive++, e->domain);
	}
	return r;
}

void users_others_clear(struct users_others *o)
{
	strv_clear(&o->domains);
}

int users_scan_for(const char *uri, virConnectPtr conn, bool need_all,
		   const char *doing, struct users *u, struct vm_error *err)
{
	users_scan(uri, conn, u);
	if (u->oom)
		return vm_error_set(
			err, VM_EXIT_FAILED, ENOMEM,
			"cannot %s: out of memory while finding the domains that use it",
			doing);
	if (need_all && !u->reachable)
		return vm_error_set(
			err, VM_EXIT_FAILED, EIO,
			"cannot %s: the domains that use it are not known: %s",
			doing, u->unreachable.msg);
	return 0;
}

int users_refuse_used(const struct users_others *o, const char *uuid,
		      const char *doing, const char *reason,
		      const char *more_fix, struct vm_error *err)
{
	if (o->n == 0)
		return 0;
	return vm_error_set(
		err, VM_EXIT_REFUSED, EBUSY,
		"cannot %s: libvirt domain%s %s use%s it%s (detach it first: 'virt-mdev detach %s %s'%s%s)",
		doing, o->n > 1 ? "s" : "", o->names, o->n > 1 ? "" : "s",
		reason ? reason : "", o->n > 1 ? "DOMAIN" : o->names, uuid,
		more_fix ? "; " : "", more_fix ? more_fix : "");
}

int users_fill(const struct users *u, struct mdev_list *l)
{
	for (size_t i = 0; i < u->n; i++) {
		for (size_t k = 0; k < l->n; k++) {
			struct mdev_info *m = &l->v[k];

			if (strcmp(m->uuid, u->v[i].uuid) != 0 ||
			    strv_contains(&m->domains, u->v[i].domain))
				continue;
			if (strv_push(&m->domains, u->v[i].domain) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}
