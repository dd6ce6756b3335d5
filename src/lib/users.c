/* Which libvirt domains use which mdev, from one scan of every domain's live and persistent XML. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "users.h"

static void add_user(const char *uuid, const char *domain, void *opaque)
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
		    strcmp(u->v[i].domain, domain) == 0)
			return; /* live and persistent name it both */
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
	e->domain = strdup(domain);
	if (e->domain)
		u->n++;
	else
		u->oom = true;
}

void users_scan(const char *uri, virConnectPtr conn, struct users *u)
{
	_cleanup_conn_ virConnectPtr own = NULL;

	memset(u, 0, sizeof(*u));
	if (!conn && virt_open_readonly(uri, &own, &u->unreachable) == 0)
		conn = own;
	if (conn &&
	    virt_domain_mdevs(conn, add_user, u, &u->unreachable) == 0 &&
	    !u->oom) {
		u->reachable = true;
		vm_error_clear(&u->unreachable);
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
