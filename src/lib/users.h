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
	unsigned where; /* VIRT_REF_*: in its live XML (it runs with it), its definition */
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

/*
 * The domains other than self (NULL: every domain) that reference an mdev:
 * how many and their names ("a, b"), and of those the ones that run with it
 * (in their live XML).
 */
struct users_others {
	size_t n;
	char names[512];
	struct strv domains; /* the same names, each (owned) */
	size_t nlive;
	char live[512];
};

/* -ENOMEM when a name could not be kept (o is complete but for domains). */
int users_others(const struct users *u, const char *uuid, const char *self,
		 struct users_others *o);
void users_others_clear(struct users_others *o);
#define _cleanup_users_others_ _cleanup_(users_others_clear)

/*
 * users_scan for a check that must know every domain: 0, or VM_EXIT_FAILED
 * "cannot DOING: ..." when the scan is not complete (out of memory; libvirt
 * unreachable too when need_all, else that counts as no domain).
 */
int users_scan_for(const char *uri, virConnectPtr conn, bool need_all,
		   const char *doing, struct users *u, struct vm_error *err);

/*
 * The one rule of stop, remove, attach and assign: an mdev serves one guest.
 * VM_EXIT_REFUSED when o names a domain: "cannot DOING: libvirt domain A uses
 * it[REASON] (detach it first: 'virt-mdev detach A UUID'[; MORE_FIX])"; REASON
 * and MORE_FIX may be NULL.
 */
int users_refuse_used(const struct users_others *o, const char *uuid,
		      const char *doing, const char *reason,
		      const char *more_fix, struct vm_error *err);

/* Fill each listed mdev's domains. */
int users_fill(const struct users *u, struct mdev_list *l);

#endif
