/*
 * chzdev's persistent AP masks: /etc/udev/rules.d/41-ap.rules, read as
 * s390-tools reads it (libap's ap_read_udev_masks over libutil's
 * util_udev parser), so that virt-mdev judges a boot the way ap-check does.
 */
#ifndef VIRT_MDEV_APRULES_H
#define VIRT_MDEV_APRULES_H

#include <stdbool.h>

#include "error.h"
#include "ids.h"
#include "sysfs.h"

#define AP_RULES_FILE "41-ap.rules"

/* The masks the host will have after a boot. */
struct ap_boot_masks {
	bool file; /* 41-ap.rules exists */
	bool from_file_apmask,
		from_file_aqmask; /* else the active one stands */
	struct ap_mask apmask, aqmask;
	unsigned skipped_lines; /* lines s390-tools calls "Unrecognized udev rule" and skips */
};

/*
 * Read the persistent masks; a mask the file does not set is the active
 * one (as libap falls back to sysfs). No file is not an error. A mask
 * value that is not 0x and 64 hex digits (libap asserts on it) is
 * VM_EXIT_FAILED naming the file and line.
 */
int ap_read_boot_masks(const struct sysfs *s, const struct ap_mask *apmask,
		       const struct ap_mask *aqmask, struct ap_boot_masks *out,
		       struct vm_error *err);

/* Parse the text of a rules file (for the reader and the fuzzer); path is for messages. */
int ap_parse_boot_masks(const char *text, const char *path,
			struct ap_boot_masks *out, struct vm_error *err);

/*
 * The text chzdev writes for these masks (zdev/src/ap.c ap_write_type_udev,
 * s390-tools v2.43): its header, the two triggers, both masks as the
 * kernel prints them ("0x" and 64 lower-case hex digits: chzdev starts
 * from the kernel's or the file's string and sets each nibble with libap's
 * ap_set_bit, lower case), the vfio_ap module load. Caller frees; NULL: ENOMEM.
 */
char *ap_rules_format(const struct ap_mask *apmask,
		      const struct ap_mask *aqmask);

#endif
