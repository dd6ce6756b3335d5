/* The channel subsystem as sysfs shows it: subchannels, their ccw devices, drivers and mdevs. */
#ifndef VIRT_MDEV_CSS_H
#define VIRT_MDEV_CSS_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "sysfs.h"

#define CSS_TYPE_IO 0

struct css_subchannel {
	struct ccw_id schid;
	char name[CCW_ID_STRLEN]; /* "0.0.0313" */
	unsigned type; /* 0 I/O, 1 CHSC, 2 MSG, 3 EADM */
	char driver[32]; /* "io_subchannel", "vfio_ccw", "" when unbound */
	char driver_override[64]; /* "" when unset ("(null)") */
	bool has_device; /* dev_busid names a device */
	struct ccw_id busid;
	char busid_name[CCW_ID_STRLEN];
	bool device_present; /* the ccw device exists (only under io_subchannel) */
	bool online;
	char cutype[16], devtype[16];
	char device_driver[32]; /* the ccw driver: "dasd-eckd", "qeth" */
	char mdev[IDS_UUID_STRLEN]; /* the mdev on it, "" if none */
	/*
	 * A value the host has that cannot be read or makes no sense, why (the
	 * file and what it reads, or the error); "" when it is good. The
	 * subchannel is listed all the same, its type then CSS_TYPE_INVALID.
	 */
	char type_error[256], online_error[256];
};

/* the type of a subchannel whose type file cannot be read or names no type */
#define CSS_TYPE_INVALID 0xffffffffu

/* Fill sch from sysfs for the subchannel named name. -ENOENT when it does not exist. */
int css_read_subchannel(const struct sysfs *s, const char *name,
			struct css_subchannel *sch);

/*
 * From css_memo_begin(s) to css_memo_end, css_read_subchannel reads each
 * subchannel of s once and answers later reads from that reading, and
 * css_find believes the dev_busid it read (one reading of the host, for a
 * plan made under the lock). css_memo_end forgets it.
 */
void css_memo_begin(const struct sysfs *s);
void css_memo_end(void);

/*
 * What the admin named (a ccw bus id or a subchannel id, every spelling
 * ccw_id_parse takes) in the kernel's spelling; the usage error says
 * "device or subchannel".
 */
int css_device_parse(const char *what, char name[CCW_ID_STRLEN],
		     struct vm_error *err);

/*
 * Find the subchannel of what the admin named: a ccw bus id (also after its
 * device is gone, through dev_busid) or a subchannel id. Usage error for what
 * does not parse, VM_EXIT_NOT_FOUND (naming what was searched) for what is
 * not there.
 */
int css_find(const struct sysfs *s, const char *what,
	     struct css_subchannel *sch, struct vm_error *err);

/* QDIO devices (OSA, HiperSockets, FCP): control unit 1731 or a QDIO ccw driver. vfio_ccw refuses them. */
bool css_is_qdio(const struct css_subchannel *sch);

/* All subchannels, sorted by id. Caller frees *out. */
int css_list(const struct sysfs *s, struct css_subchannel **out, size_t *n,
	     struct vm_error *err);

const char *css_type_name(unsigned type);

/*
 * The driver driverctl's persistent override binds the subchannel to at
 * boot (/etc/driverctl.d/css-SUBCHANNEL): 0 with *driver (caller frees),
 * -ENOENT when there is none.
 */
int css_driverctl_override(const struct sysfs *s,
			   const struct css_subchannel *sch, char **driver);

#define CSS_VFIO_CCW "vfio_ccw"
#define CSS_IO_SUBCHANNEL "io_subchannel"

struct plan;
/*
 * The steps that give the subchannel to vfio_ccw (ccw bind): --force's
 * offline step, unbind, driver_override, bind with read-back, and with
 * persistent driverctl's override file. Refuses (VM_EXIT_REFUSED) a non-I/O
 * or QDIO subchannel and an online device without force. No step for what
 * holds already.
 */
int css_plan_bind(const struct sysfs *s, const struct css_subchannel *sch,
		  bool persistent, bool force, struct plan *p,
		  struct vm_error *err);
/*
 * The reverse (ccw unbind); refused while an mdev is on the subchannel.
 * Without persistent, a driverctl override that stays is returned in
 * *kept_override (the driver it names; caller frees) when not NULL.
 */
int css_plan_unbind(const struct sysfs *s, const struct css_subchannel *sch,
		    bool persistent, struct plan *p, char **kept_override,
		    struct vm_error *err);

#endif
