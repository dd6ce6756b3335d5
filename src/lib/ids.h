/*
 * Identifiers as admins write them and as the kernel prints them: ccw bus
 * ids and subchannels, guest device numbers, APQNs, adapter/domain lists,
 * 256-bit AP masks and uuids.
 */
#ifndef VIRT_MDEV_IDS_H
#define VIRT_MDEV_IDS_H

#include <stdbool.h>
#include <stdint.h>
#include <uuid/uuid.h>

#include "error.h"

/* ---- ccw bus ids and subchannel ids (host side) ---------------------- */

enum ccw_id_kind {
	CCW_ID_BUSID, /* a ccw device: 0.0.2b09 */
	CCW_ID_SUBCHANNEL, /* a subchannel: 0.0.0313 */
	CCW_ID__LAST,
};

struct ccw_id {
	uint8_t cssid; /* always 0 on a Linux host */
	uint8_t ssid; /* 0-3 */
	uint16_t devno; /* device or subchannel number */
};

/* "0.0.2b09" plus NUL */
#define CCW_ID_STRLEN 9

/*
 * Parse "0.S.DDDD" (cssid 0, ssid 0-3, exactly 4 hex digits, either case)
 * or the shorthand "DDDD" (1-4 hex digits) meaning 0.0.DDDD.
 */
int ccw_id_parse(const char *str, enum ccw_id_kind kind, struct ccw_id *out,
		 struct vm_error *err);
/* The kernel's spelling, "0.%x.%04x". */
void ccw_id_format(const struct ccw_id *id, char buf[CCW_ID_STRLEN]);
bool ccw_id_equal(const struct ccw_id *a, const struct ccw_id *b);

/* ---- guest device numbers ----------------------------------------- */

struct guest_devno {
	uint8_t cssid; /* 0-0xfe */
	uint8_t ssid; /* 0-3 */
	uint16_t devno; /* 0-0xffff */
};

#define GUEST_DEVNO_MAX_CSSID 0xfe
#define GUEST_DEVNO_MAX_SSID 3
/* "fe.0.1234" plus NUL */
#define GUEST_DEVNO_STRLEN 10
/* "cssid='0xfe' ssid='0x0' devno='0x1234'" plus NUL */
#define GUEST_DEVNO_ATTR_STRLEN 40

/*
 * Parse QEMU's "fe.0.1234" (hex, each part may carry 0x: "0xfe.0x0.0x1234")
 * or libvirt's attribute form "cssid='0xfe' ssid='0x0' devno='0x1234'"
 * (0x-hex or decimal values, any order).
 */
int guest_devno_parse(const char *str, struct guest_devno *out,
		      struct vm_error *err);
void guest_devno_format(const struct guest_devno *d,
			char buf[GUEST_DEVNO_STRLEN]);
void guest_devno_format_attrs(const struct guest_devno *d,
			      char buf[GUEST_DEVNO_ATTR_STRLEN]);

/* ---- a guest device's alias and boot order --------------------------- */

/*
 * libvirt's user aliases start with "ua-" (virDomainDeviceAliasIsUserAlias,
 * src/conf/domain_conf.h; other aliases are libvirt's own); the characters
 * after it are the rule --alias has always had (moved here from
 * src/cmd-args.c, unchanged).
 */
#define GUEST_ALIAS_RULE \
	"libvirt takes user aliases 'ua-' followed by letters, digits, '_' and '-' (e.g. ua-dasd1)"
bool guest_alias_valid(const char *alias);

/* <boot order='N'/>: libvirt's bootIndex, 1-65535 as --boot-order takes it */
#define GUEST_BOOT_ORDER_MAX 65535

/*
 * A decimal number from min to max as the options take it (strtoul's
 * form, base 10; no sign). 0, or -EINVAL (-ERANGE out of min..max); no
 * message: the caller names the option or key and the rule.
 */
int ids_number_parse(const char *str, unsigned long min, unsigned long max,
		     unsigned *out);

/* ---- AP: APQNs, id lists, 256-bit masks ----------------------------- */

#define AP_ID_MAX 255
#define AP_MASK_BITS 256

struct apqn {
	uint8_t apid; /* adapter */
	uint8_t apqi; /* domain */
};

/* "05.0004" plus NUL */
#define APQN_STRLEN 8

/* Parse "AA.DDDD" in hex as the kernel and lszcrypt print it: 05.0004, 5.ab, 0x05.0x00ab. */
int apqn_parse(const char *str, struct apqn *out, struct vm_error *err);
void apqn_format(const struct apqn *q, char buf[APQN_STRLEN]);

/* Bit n is bit (63 - n % 64) of w[n / 64]: bit 0 is the leftmost, as the kernel prints it. */
struct ap_mask {
	uint64_t w[AP_MASK_BITS / 64];
};

/* "0x" + 64 hex digits plus NUL */
#define AP_MASK_STRLEN 67

void ap_mask_zero(struct ap_mask *m);
void ap_mask_fill(struct ap_mask *m);
void ap_mask_set(struct ap_mask *m, unsigned bit);
void ap_mask_clear(struct ap_mask *m, unsigned bit);
bool ap_mask_test(const struct ap_mask *m, unsigned bit);
void ap_mask_or(struct ap_mask *r, const struct ap_mask *a,
		const struct ap_mask *b);
void ap_mask_and(struct ap_mask *r, const struct ap_mask *a,
		 const struct ap_mask *b);
/* r = a & ~b */
void ap_mask_andnot(struct ap_mask *r, const struct ap_mask *a,
		    const struct ap_mask *b);
bool ap_mask_equal(const struct ap_mask *a, const struct ap_mask *b);
bool ap_mask_is_empty(const struct ap_mask *m);
unsigned ap_mask_count(const struct ap_mask *m);
/* The first set bit after 'after' (-1 to start), or -1 when there is none. */
int ap_mask_next(const struct ap_mask *m, int after);

#define ap_mask_for_each(bit, m)                        \
	for ((bit) = ap_mask_next((m), -1); (bit) >= 0; \
	     (bit) = ap_mask_next((m), (bit)))

/* Parse the kernel's read format: "0x" + 64 hex digits, optional newline. */
int ap_mask_parse(const char *str, struct ap_mask *out, struct vm_error *err);
/* The absolute form the kernel prints (and accepts): "0x" + 64 lower-case hex digits. */
void ap_mask_format(const struct ap_mask *m, char buf[AP_MASK_STRLEN]);

/*
 * The shortest relative write ("-5", "-4,-0xab", "+0x10-0x1f") that turns
 * mask 'from' into mask 'to', among writes of non-overlapping terms; numbers
 * below 10 in decimal, others in 0x-hex (never a leading 0, which the kernel
 * reads as octal). "" when the masks are equal. The caller frees; NULL on ENOMEM.
 */
char *ap_mask_relative(const struct ap_mask *from, const struct ap_mask *to);

/*
 * An id list for messages and options: "5,0x10-0x1f" (ascending, ranges
 * joined, same number spelling as above). "" for an empty mask. Caller frees.
 */
char *ap_mask_format_list(const struct ap_mask *m);

/*
 * Parse an adapter/domain list: "5,6", "0x10-0x1f", "4,0xab". Numbers are
 * decimal unless 0x-prefixed; a leading 0 ("010") is refused as ambiguous;
 * each value 0-255. what names the list in messages ("adapter", "domain").
 */
int ap_id_list_parse(const char *str, const char *what, struct ap_mask *out,
		     struct vm_error *err);

/* ---- uuids ------------------------------------------------------- */

/* 36 characters plus NUL */
#define IDS_UUID_STRLEN 37

/* Parse 8-4-4-4-12 hex digits, either case. */
int ids_uuid_parse(const char *str, uuid_t out, struct vm_error *err);
/* Canonical lower case, as the kernel names mdevs. */
void ids_uuid_format(const uuid_t u, char buf[IDS_UUID_STRLEN]);
/* A new random uuid, from the generator in force (libuuid by default). */
void ids_uuid_generate(uuid_t out);
/* Replace the generator (tests use a fixed sequence); NULL restores libuuid. */
void ids_uuid_set_generator(void (*gen)(uuid_t out));

#endif
