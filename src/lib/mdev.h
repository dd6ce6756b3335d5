/* Mediated devices as the host knows them: active ones from sysfs, defined ones from mdevctl's configuration; and the mdev types of every parent. */
#ifndef VIRT_MDEV_MDEV_H
#define VIRT_MDEV_MDEV_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "strv.h"
#include "sysfs.h"

struct mdev_info {
	char uuid[IDS_UUID_STRLEN];
	char parent[64]; /* "0.0.0313", "matrix" */
	char type[64]; /* "vfio_ccw-io" */
	bool active; /* exists in sysfs */
	bool defined; /* has an mdevctl definition */
	bool autostart; /* the definition says start: auto */
	bool is_ap;
	struct ap_mask apm, aqm,
		adm; /* vfio-ap: from the matrix (active) or the definition's attrs */
	struct strv domains; /* libvirt domains whose XML references it */
};

struct mdev_type_info {
	char parent[64];
	char type[64];
	char name[128];
	char device_api[32];
	unsigned long available;
};

/* Every mdev, active and defined, sorted by parent then uuid. */
int mdev_list(const struct sysfs *s, struct mdev_info **out, size_t *n,
	      struct vm_error *err);
void mdev_list_free(struct mdev_info *list, size_t n);

/* Every parent's types, sorted by parent. */
int mdev_types_list(const struct sysfs *s, struct mdev_type_info **out,
		    size_t *n, struct vm_error *err);

#endif
