/*
 * The fewest queues taken from the host: which apmask and aqmask bits to
 * clear so that a set of APQNs is free for vfio_ap, and which to set again
 * when some are given back. Pure: no sysfs, no plan.
 *
 * The kernel keeps APQN (a, d) for the host's default drivers exactly when
 * bit a is set in apmask AND bit d in aqmask (drivers/s390/crypto/ap_bus.c:
 * ap_owned_by_def_drv, and devres in ap_device_probe and
 * __ap_revise_reserved; vfio_ap_ops.c validates a matrix with
 * ap_apqn_in_matrix_owned_by_def_drv, the same test, whether or not the
 * queue exists). So an APQN is freed by clearing its adapter OR its domain,
 * and every clear bit frees a whole row or column of the matrix.
 */
#ifndef VIRT_MDEV_APCHOICE_H
#define VIRT_MDEV_APCHOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "ap.h"
#include "error.h"
#include "ids.h"

/* Any set of APQNs (not only a matrix): 256 adapters x 256 domains, 8 KiB. */
struct apqn_set {
	struct ap_mask dom[AP_MASK_BITS]; /* dom[a]: the domains of adapter a */
};

void apqn_set_zero(struct apqn_set *s);
void apqn_set_add(struct apqn_set *s, const struct apqn *q);
bool apqn_set_has(const struct apqn_set *s, const struct apqn *q);
/* every APQN of the matrix adapters x domains */
void apqn_set_add_matrix(struct apqn_set *s, const struct ap_mask *adapters,
			 const struct ap_mask *domains);
/* every APQN of b into a */
void apqn_set_add_set(struct apqn_set *a, const struct apqn_set *b);
bool apqn_set_is_empty(const struct apqn_set *s);
size_t apqn_set_count(const struct apqn_set *s);
/* "05.0004 05.00ab" (adapter order), "" when empty; NULL on ENOMEM; caller frees */
char *apqn_set_format(const struct apqn_set *s);

/* The exact search enumerates at most 2^AP_CHOICE_EXACT_BITS choices; beyond it a greedy one. */
#define AP_CHOICE_EXACT_BITS 16

/* existing queues, in the order of struct ap_host's queues */
struct apqn_list {
	struct apqn *v;
	size_t n;
};

struct ap_choice {
	/* the masks after the change */
	struct ap_mask apmask, aqmask;
	/* the bits the change clears (ap_choose_masks) or sets (ap_choose_release) */
	struct ap_mask adapters, domains;
	/* existing queues that change hands: those asked for, and the others */
	struct apqn_list wanted, others;
	/* false: the wanted set was beyond the exact search, the greedy chose */
	bool exact_search;
	/*
	 * ap_choose_release only: the APQNs to give back that stay free
	 * (NULL: none), the first of them and the APQN still needed that
	 * keeps it free (kept_by equals kept_first when it is itself needed)
	 */
	struct apqn_set *kept;
	struct apqn kept_first, kept_by;
};

void ap_choice_clear(struct ap_choice *c);
#define _cleanup_ap_choice_ _cleanup_(ap_choice_clear)

/*
 * The bits to clear so that every APQN of want is free for vfio_ap (bit a
 * clear in apmask or bit d clear in aqmask; bits clear already are used as
 * they are), while the fewest OTHER existing queues of h leave the host's
 * drivers. Ties: fewer newly cleared bits, then more of them adapters
 * (apmask), then the lower adapter ids, then the lower domain ids. Exact
 * (every choice over the smaller side's relevant bits: the adapters or the
 * domains of the wanted APQNs still reserved, the other side then forced)
 * while that side has at most AP_CHOICE_EXACT_BITS bits; beyond it greedy:
 * one bit at a time, the one taking the fewest other queues per wanted APQN
 * it frees, then every bit no longer needed dropped, never worse than
 * clearing all the wanted adapters or all the wanted domains.
 * want may be empty (nothing changes). 0, or -ENOMEM (err set). out is
 * filled either way; ap_choice_clear frees it.
 */
int ap_choose_masks(const struct ap_host *h, const struct apqn_set *want,
		    struct ap_choice *out, struct vm_error *err);

/*
 * The reverse: the bits to set again so that the APQNs of give_back return
 * to the host's drivers, while every APQN of still_needed (held by an mdev,
 * active or defined, or wanted by someone else) that is free stays free: as
 * many of give_back as can return (an APQN of both stays free), with the
 * fewest bits, then the same ties. Exact over the bits where both sides
 * meet while there are at most AP_CHOICE_EXACT_BITS of them, else greedy.
 * out->kept lists what stays free. 0, or -ENOMEM (err set).
 */
int ap_choose_release(const struct ap_host *h, const struct apqn_set *give_back,
		      const struct apqn_set *still_needed,
		      struct ap_choice *out, struct vm_error *err);

/* Every APQN of every vfio_ap mdev of h, active or defined, but skip_uuid's ("" none). */
void ap_mdevs_apqns(const struct ap_host *h, const char *skip_uuid,
		    bool autostart_only, struct apqn_set *out);

#endif
