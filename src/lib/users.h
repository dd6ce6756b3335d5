/* Which libvirt domains use which mdev: one pass over every domain's XML (live and persistent), one connection. */
#ifndef VIRT_MDEV_USERS_H
#define VIRT_MDEV_USERS_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "mdev.h"
#include "virt.h"

struct mdev_user {
	char uuid[IDS_UUID_STRLEN]; /* canonical, lower case */
	char *domain;
};

struct users {
	struct mdev_user *v;
	size_t n, alloc;
	bool reachable; /* libvirt answered (and every reference was kept) */
	struct vm_error unreachable; /* why not */
	bool oom; /* a reference could not be kept: the scan is not complete */
};

/*
 * Read every domain's references to mdevs, through conn, else a read-only
 * connection to uri opened here. When libvirt cannot be reached that is
 * not an error: u->reachable is false and u->unreachable says why.
 */
void users_scan(const char *uri, virConnectPtr conn, struct users *u);
void users_clear(struct users *u);
#define _cleanup_users_ _cleanup_(users_clear)

/* The domains that use uuid, as "a, b" (buf "" when none); returns how many. */
size_t users_of(const struct users *u, const char *uuid, char *buf,
		size_t size);

/* Fill each listed mdev's domains. */
int users_fill(const struct users *u, struct mdev_list *l);

#endif
