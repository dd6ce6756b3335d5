/* Helpers the request files share (src/lib/request.c); not for the command layer. */
#ifndef VIRT_MDEV_REQUEST_INTERNAL_H
#define VIRT_MDEV_REQUEST_INTERNAL_H

#include "request.h"

/* Choose the backend for m into o->backend. */
int request_backend(const struct request_env *env, const struct mdev_spec *m,
		    struct outcome *o, struct vm_error *err);
/* {"uuid", "parent", "type", "backend", and the kind's members}. */
struct json_object *request_result(const struct outcome *o,
				   const struct mdev_spec *m);
/* Refuse an mdev of a type no kind models. */
int request_kind_of(const struct mdev_info *i, struct vm_error *err);

#endif
