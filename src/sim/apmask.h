/* The kernel's apmask/aqmask write parser (ap_parse_bitmap_str), for the simulator. */
#ifndef VIRT_MDEV_SIM_APMASK_H
#define VIRT_MDEV_SIM_APMASK_H

#include "lib/ids.h"

/*
 * Apply a write to /sys/bus/ap/apmask or aqmask as the kernel parses it:
 * "+"/"-" first means relative terms on the current mask, anything else an
 * absolute hex mask from all-zero. buf is NUL-terminated (sysfs passes a
 * terminated page). On -EINVAL *mask is unchanged.
 */
int sim_ap_mask_store(struct ap_mask *mask, const char *buf);

/*
 * ap_hex2bitmap: an absolute hex mask ("0x" or "x" optional, at most 64
 * digits, zero-padded on the right, one optional newline) from all-zero.
 */
int sim_ap_hex2bitmap(const char *buf, struct ap_mask *out);

/* kstrtoul(buf, 0, &v) with sysfs's one optional trailing newline: 0, -EINVAL or -ERANGE. */
int sim_kstrtoul(const char *buf, unsigned long *out);

#endif
