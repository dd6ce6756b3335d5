/* The AP bus as sysfs shows it: masks, maxima, queues and their drivers, vfio_ap mdevs and their matrices. */
#ifndef VIRT_MDEV_AP_H
#define VIRT_MDEV_AP_H

#include <stdbool.h>

#include "aprules.h"
#include "error.h"
#include "ids.h"
#include "sysfs.h"

struct ap_queue_info {
	struct apqn apqn;
	char name[APQN_STRLEN];
	char driver[32]; /* "cex4queue", "vfio_ap", "" */
	/* its card's type, "CEX7A": ap_read_listing only, "" when unreadable */
	char card_type[32];
};

struct ap_mdev_info {
	char uuid[IDS_UUID_STRLEN];
	bool active; /* in sysfs */
	bool defined; /* an mdevctl definition */
	bool autostart;
	struct ap_mask apm, aqm, adm;
};

struct ap_host {
	struct ap_mask apmask, aqmask;
	/* the masks after a boot (chzdev's 41-ap.rules over the active ones) */
	struct ap_boot_masks boot;
	bool boot_unreadable; /* the rules file is there but cannot be read: boot_why says why */
	char boot_why[VM_ERROR_MSG_MAX];
	unsigned max_adapter_id, max_domain_id;
	struct ap_queue_info *queues;
	size_t nqueues;
	struct ap_mdev_info *mdevs;
	size_t nmdevs;
};

/* Read masks, maxima, queues and the vfio_ap mdevs (active from sysfs, defined from mdevctl). */
int ap_read_host(const struct sysfs *s, struct ap_host *h,
		 struct vm_error *err);
/* ap_read_host and what the listings print beyond it: each queue's card type, one read per card. */
int ap_read_listing(const struct sysfs *s, struct ap_host *h,
		    struct vm_error *err);
void ap_host_clear(struct ap_host *h);
#define _cleanup_ap_host_ _cleanup_(ap_host_clear)

/* Is the APQN reserved for the host's drivers by these masks? */
bool ap_reserved(const struct ap_mask *apmask, const struct ap_mask *aqmask,
		 const struct apqn *q);

/* The mdev (active or defined) whose matrix holds the APQN, or NULL. */
const struct ap_mdev_info *ap_owner(const struct ap_host *h,
				    const struct apqn *q);

/* Parse a vfio_ap "matrix" file ("05.0004", "05.", ".0004" lines) into masks. */
int ap_parse_matrix(const char *text, struct ap_mask *apm, struct ap_mask *aqm);

struct plan;
struct json_object;
/*
 * Append the APQNs that change hands between two mask states to buf
 * ("05.0004 05.00ab"), when not NULL, and to the JSON array list, when not NULL.
 */
void ap_moved_queues(const struct ap_host *h, const struct ap_mask *apm_from,
		     const struct ap_mask *aqm_from,
		     const struct ap_mask *apm_to, const struct ap_mask *aqm_to,
		     char *buf, size_t size, struct json_object *list);
/*
 * The steps of ap reserve of the matrix adapters x domains (the bits of
 * ap_plan_reserve_set's choice: apmask, then aqmask) or ap release (the
 * bits only it needs, given every mdev's APQNs: aqmask, then apmask),
 * each the shortest relative write, each naming the queues that change
 * hands and run under the s390-tools lock (step_needs_ap_lock); the masks
 * after them in new_apm and new_aqm.
 * Refused: ids above the host's maxima (-ERANGE), a release of an APQN an
 * active or defined mdev holds (-EBUSY), both VM_EXIT_REFUSED.
 */
int ap_plan_masks(const struct ap_host *h, const struct ap_mask *adapters,
		  const struct ap_mask *domains, bool reserve, struct plan *p,
		  struct ap_mask *new_apm, struct ap_mask *new_aqm,
		  struct vm_error *err);

struct apqn_set;
/*
 * The steps of a reserve of any set of APQNs: the fewest-queues choice of
 * apchoice.h (ap_choose_masks), apmask first, then aqmask, each step naming
 * the existing queues that leave the host and which of them were not asked
 * for; the masks after them in new_apm and new_aqm. exact: refused
 * (-EBUSY, VM_EXIT_REFUSED) before any step when any other existing queue
 * would leave, naming them and what to ask for instead. Ids above the
 * host's maxima are refused (-ERANGE).
 */
int ap_plan_reserve_set(const struct ap_host *h, const struct apqn_set *want,
			bool exact, struct plan *p, struct ap_mask *new_apm,
			struct ap_mask *new_aqm, struct vm_error *err);

/*
 * The steps of a release of any set of APQNs: only the bits that return
 * them while every APQN of still_needed that is free stays free
 * (ap_choose_release), aqmask first, then apmask. kept_note NULL: refused
 * (-EBUSY, VM_EXIT_REFUSED) when any of give_back would stay free, naming
 * it and what holds it; else what can return returns and *kept_note
 * (caller frees; NULL when nothing stays) says what stays free and why.
 */
int ap_plan_release_set(const struct ap_host *h,
			const struct apqn_set *give_back,
			const struct apqn_set *still_needed, struct plan *p,
			struct ap_mask *new_apm, struct ap_mask *new_aqm,
			char **kept_note, struct vm_error *err);

/*
 * The persistent side of a set: chzdev's 41-ap.rules with the boot masks
 * chosen as the active ones are (the same rule against the boot masks;
 * exact as above, "at boot"); a release keeps free what the autostart
 * definitions other than skip_uuid hold (kept_note as above).
 */
int ap_plan_boot_set(struct ap_host *h, const struct apqn_set *set,
		     bool reserve, bool exact, const char *skip_uuid,
		     struct plan *p, char **kept_note, struct vm_error *err);

/*
 * The persistent side of ap reserve/release (--persistent): chzdev's
 * 41-ap.rules rewritten with the matrix freed from (or given back to) the
 * boot masks by ap_plan_boot_set's choice, every other bit
 * as the file (else the active masks, as chzdev starts) has it; one file
 * step under the s390-tools lock, none when the file holds both masks as
 * asked already. A release is refused (-EBUSY, VM_EXIT_REFUSED) when an
 * autostart definition other than skip_uuid ("" none) holds an APQN it
 * would give back, as chzdev refuses it; a file that cannot be read is
 * refused (-EINVAL). The boot masks after the step in h->boot.
 */
int ap_plan_boot_masks(struct ap_host *h, const struct ap_mask *adapters,
		       const struct ap_mask *domains, bool reserve,
		       const char *skip_uuid, struct plan *p,
		       struct vm_error *err);

#endif
