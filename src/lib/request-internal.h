/* Helpers the request files share (src/lib/request.c); not for the command layer. */
#ifndef VIRT_MDEV_REQUEST_INTERNAL_H
#define VIRT_MDEV_REQUEST_INTERNAL_H

#include "request.h"

/* env's libvirt connection, or one opened into o->conn; NULL with err set. */
virConnectPtr request_conn(const struct request_env *env, struct outcome *o,
			   struct vm_error *err);
/* Choose the backend for m into o->backend. */
int request_backend(const struct request_env *env, const struct mdev_spec *m,
		    struct outcome *o, struct vm_error *err);
/* {"uuid", "parent", "type", "backend", and the kind's members}. */
struct json_object *request_result(const struct outcome *o,
				   const struct mdev_spec *m);
/*
 * Refuse (to verb) an mdev on a parent no kind has, naming the fix; strict:
 * also one whose type is not its kind's (what starts or attaches it).
 */
int request_kind_of(const struct sysfs *s, const struct mdev_info *i,
		    const char *verb, bool strict, struct vm_error *err);

#endif
