/*
 * virt-mdev-sim's kernel: the state of a simulated s390 host (channel
 * subsystem, AP bus, vfio_ccw, vfio_ap, mdev core) as a pure state machine
 * with the kernel's sysfs as its interface. No FUSE in here: the glue calls
 * model_* and vfs_*; the unit tests call them directly.
 * Semantics: shared/docs/kernel-sysfs.md (section 5 is the checklist).
 */
#ifndef VIRT_MDEV_SIM_MODEL_H
#define VIRT_MDEV_SIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/ids.h"
#include "vfs.h"

/* ---- kernel profiles ---------------------------------------------------- */

struct kprofile {
	unsigned major, minor;
	bool ap_config; /* matrix mdev ap_config (6.10) */
	bool guest_matrix; /* guest_matrix, hot plug, mask-only EADDRNOTAVAIL (6.0) */
	bool queue_status; /* vfio_ap queue "status" (6.7) */
	bool matrix_features; /* /sys/devices/vfio_ap/matrix/features (6.12) */
	bool mdev_driver_names; /* mdev driver vfio_ap_mdev/vfio_ccw_mdev, not vfio_mdev (6.0) */
	bool queue_functions; /* AP queue ap_functions (6.2, with SE AP pass-through) */
};

/* Parse "6.10", "5.15", "newest"; -EINVAL for what is not supported (older than 5.15). */
int kprofile_parse(const char *str, struct kprofile *out);
#define KPROFILE_NEWEST "6.12"
#define KPROFILE_OLDEST_MAJOR 5
#define KPROFILE_OLDEST_MINOR 15

/* ---- objects ---------------------------------------------------------------- */

enum css_driver {
	CSS_DRIVER_NONE,
	CSS_DRIVER_IO, /* io_subchannel */
	CSS_DRIVER_VFIO, /* vfio_ccw */
	CSS_DRIVER__LAST,
};

const char *css_driver_name(enum css_driver d);

struct model;
struct subchannel;
struct mdev;

struct ccw_group;

struct ccw_device {
	struct ccw_id busid;
	char cutype[16]; /* "3990/e9" */
	char devtype[16]; /* "3390/0c" */
	char availability[16]; /* "good" */
	char driver[32]; /* ccw driver, "dasd-eckd"; "" for none */
	bool online;
	bool cmb_enabled; /* cmb_enable */
	/* DASD (dasd-eckd, dasd-fba): model-ccwdrv.c */
	unsigned cylinders; /* of the formatted volume (3390: 15 tracks, 12 blocks of 4 KiB each) */
	char uid[48]; /* the uid attribute while online, "IBM.75000000010671.2b00.09" */
	unsigned dasd_features; /* devmap features (DASD_FEATURE_*) */
	unsigned dasd_aq_mask;
	int dasd_index; /* devindex (dasda = 0), -1 until it first went online */
	/* tape (tape_34xx, tape_3590): its index, -1 until it first went online */
	int tape_index;
	struct ccw_group *group; /* qeth: the ccwgroup device it is a member of */
	struct subchannel *sch;
	struct vfs_node *
		dir; /* NULL while the subchannel is not bound to io_subchannel */
};

struct subchannel {
	struct ccw_id schid;
	unsigned type; /* 0 I/O, 1 CHSC, 2 MSG, 3 EADM */
	bool qdio;
	uint8_t chpids[8];
	uint8_t pim, pam, pom;
	char *driver_override; /* NULL: "(null)" */
	enum css_driver driver;
	bool has_device; /* a ccw device is attached (dev_busid) */
	struct ccw_device cdev;
	struct mdev *mdev; /* vfio_ccw allows one per subchannel */
	struct vfs_node *dir;
	struct model *model;
};

enum ap_queue_driver {
	AP_QDRV_NONE,
	AP_QDRV_ZCRYPT, /* cex4queue: the host's default driver */
	AP_QDRV_VFIO, /* vfio_ap */
	AP_QDRV__LAST,
};

struct ap_card;

/*
 * AP function bits (a card's ap_functions, TAPQ's facility word; kernel
 * ap_bus.h AP_FUNC_*, numbered from the most significant bit; lszcrypt.c's
 * fac_bits S M C D A X N): exactly one of the three mode bits is set.
 */
#define AP_FN_APSC 0x80000000u /* S */
#define AP_FN_MEX4K 0x40000000u /* M */
#define AP_FN_CRT4K 0x20000000u /* C */
#define AP_FN_COPRO 0x10000000u /* D: CCA coprocessor mode */
#define AP_FN_ACCEL 0x08000000u /* A: accelerator mode */
#define AP_FN_EP11 0x04000000u /* X: EP11 coprocessor mode */
#define AP_FN_APXA 0x02000000u /* N */
#define AP_FN_MODES (AP_FN_COPRO | AP_FN_ACCEL | AP_FN_EP11)

/* The hwtypes the zcrypt cex4 drivers (and vfio_ap) take: CEX4 (10) ... CEX8 (14). */
#define AP_HWTYPE_CEX4 10
#define AP_HWTYPE_CEX8 14

/*
 * The functions a card of this type shows on an LPAR ("CEX7A": accelerator,
 * "CEX6C": CCA, "CEX8P": EP11); -EINVAL for a name that is not CEX4..CEX8
 * with A, C or P.
 */
int ap_card_type_functions(const char *type, unsigned *hwtype,
			   uint32_t *functions);
/* The type name zcrypt gives a card (zcrypt_cex4.c): "CEX" hwtype-6 and the mode's letter. */
void ap_card_type_name(unsigned hwtype, uint32_t functions, char out[16]);

struct ap_queue {
	struct apqn apqn;
	enum ap_queue_driver driver;
	bool online;
	unsigned long request_count;
	struct ap_card *card;
	struct vfs_node *dir;
};

struct ap_card {
	uint8_t apid;
	unsigned hwtype; /* 10 = CEX4 ... */
	unsigned raw_hwtype;
	char type[16]; /* "CEX6C", from hwtype and functions as zcrypt names it */
	char serialnr[17]; /* CCA: 8 characters, EP11: 16 */
	uint32_t functions;
	bool online;
	bool config; /* configured (SCLP), card config */
	bool bound; /* bound to cex4card */
	unsigned long request_count;
	struct ap_queue *queues;
	size_t nqueues;
	struct vfs_node *dir;
	struct model *model;
};

/* A zcrypt device node of /sys/class/zcrypt (zcrypt_api.c zcdn_create). */
struct zcdn {
	char name[32];
	unsigned minor;
	struct ap_mask apm, aqm, adm, ioctlm;
	struct vfs_node *dir;
};
#define ZCDN_MAX 256 /* ZCRYPT_MAX_MINOR_NODES */

enum mdev_kind {
	MDEV_CCW,
	MDEV_AP,
	MDEV__LAST,
};

struct mdev {
	char uuid[IDS_UUID_STRLEN];
	enum mdev_kind kind;
	struct subchannel *sch; /* MDEV_CCW: the parent */
	struct ap_mask apm, aqm, adm; /* MDEV_AP: the matrix */
	unsigned iommu_group;
	struct vfs_node *dir;
	struct model *model;
	struct mdev *next;
};

/* Device events, for the udev sender. props: NUL-separated KEY=VALUE, ending with "\0\0". */
typedef void (*model_uevent_fn)(void *opaque, const char *action,
				const char *devpath, const char *subsystem,
				const char *props, size_t props_len);

/* A channel path (chp.c): /sys/devices/css0/chp0.XX */
struct chp {
	uint8_t id;
	uint8_t type; /* the type attribute, desc.desc: 1a FICON, 11 OSD */
	int cmg, shared; /* -1: "unknown" */
	int chid; /* -1: the chid and chid_external files are empty */
	bool chid_external;
	bool online; /* status: varied online */
	unsigned configure; /* 0 standby, 1 configured, 2 reserved, 3 not recognized */
	struct vfs_node *dir;
};

/* A ccwgroup device (ccwgroup.c) of the qeth driver: read, write and data devices */
struct ccw_group {
	struct ccw_id busid; /* the read device's */
	struct subchannel *schs[3];
	bool online;
	char card_type[32]; /* "OSD_10GIG" */
	bool layer2;
	unsigned portno;
	struct vfs_node *dir;
};

struct model {
	struct kprofile kernel;
	struct chp *chps[256]; /* css 0 */
	struct ccw_group **groups;
	size_t ngroups;
	unsigned dasd_next_index, tape_next_index;
	/* /proc/cio_ignore (blacklist.c): a bit per ssid and devno */
	uint8_t cio_ignore[4][0x10000 / 8];
	char *sysinfo; /* /proc/sysinfo's text, NULL: none */
	struct vfs vfs;
	struct subchannel **schs; /* sorted by (ssid, devno) */
	size_t nschs;
	struct ap_card **cards; /* sorted by apid */
	size_t ncards;
	struct ap_mask apmask, aqmask;
	struct ap_mask adapter_mask, usage_domain_mask,
		control_domain_mask; /* the machine's (QCI) */
	unsigned max_adapter_id, max_domain_id;
	int ap_domain; /* the default domain (ap_domain): the first usage domain */
	int config_time; /* bus config_time, seconds (AP_CONFIG_TIME 30) */
	unsigned long poll_timeout; /* bus poll_timeout, ns (250000) */
	bool ap_interrupts; /* adapter interrupts: the poll thread never starts */
	bool poll_thread;
	struct zcdn *zcdns[ZCDN_MAX]; /* by minor */
	struct mdev *mdevs; /* all, both kinds */
	unsigned next_iommu_group;
	unsigned long seqnum;
	model_uevent_fn uevent;
	void *uevent_opaque;
	/* a failure building the tree (ENOMEM): the model is unusable */
	int broken;
};

/*
 * The hidden directory of the simulated tree that holds the /proc files
 * (cio_ignore, cio_settle, sysinfo) virt-mdev-sim run binds into its /proc;
 * a FUSE listing of /sys and a render leave it out.
 */
#define MODEL_PROC_PATH ".proc"

/* A new host with nothing on it: css0, the AP bus, the vfio_ap matrix. */
int model_init(struct model *m, const struct kprofile *kernel);
void model_destroy(struct model *m);

/* Building a host (from a host description). Return 0 or -errno. */
int model_add_subchannel(struct model *m, const struct subchannel *tmpl,
			 struct subchannel **out);
/*
 * A card of hwtype (10-14) with functions (exactly one mode bit, else
 * -EINVAL) and its queues in domains; serialnr NULL for the default.
 */
int model_add_card(struct model *m, uint8_t apid, unsigned hwtype,
		   uint32_t functions, const char *serialnr,
		   const struct ap_mask *domains);
/* Set both masks (the boot parameters ap.apmask/ap.aqmask) and bind the queues. */
int model_set_masks(struct model *m, const struct ap_mask *apmask,
		    const struct ap_mask *aqmask);
/* Create an mdev as a write to create and then to its attributes would. */
int model_create_mdev(struct model *m, const char *parent, const char *type,
		      const char *uuid, struct mdev **out);

/* A channel path as the host description says; -EEXIST when it is there. */
int model_add_chp(struct model *m, const struct chp *tmpl);
/* Group three ccw devices (read, write, data) under the qeth ccwgroup driver. */
int model_add_ccwgroup(struct model *m, const struct ccw_id ids[3],
		       const char *card_type, bool online);
/* Add (true) or free (false) devices from cio_ignore, as /proc/cio_ignore's parser would. */
void model_cio_ignore_range(struct model *m, unsigned ssid, unsigned from,
			    unsigned to, bool add);

struct subchannel *model_find_subchannel(const struct model *m,
					 const struct ccw_id *id);
struct mdev *model_find_mdev(const struct model *m, const char *uuid);
struct ap_queue *model_find_queue(const struct model *m, const struct apqn *q);

/* sysfs access by path relative to /sys (the FUSE glue and the tests use these). */
int model_read(struct model *m, const char *path, struct strbuf *out);
int model_write(struct model *m, const char *path, const char *buf, size_t len);

#endif
