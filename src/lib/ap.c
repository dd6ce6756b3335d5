/* The AP bus as sysfs shows it (kernel-sysfs.md section 3), and mdevctl's vfio-ap definitions. */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "ap.h"
#include "cleanup.h"
#include "mdev.h"
#include "plan.h"

bool ap_reserved(const struct ap_mask *apmask, const struct ap_mask *aqmask,
		 const struct apqn *q)
{
	return ap_mask_test(apmask, q->apid) && ap_mask_test(aqmask, q->apqi);
}

const struct ap_mdev_info *ap_owner(const struct ap_host *h,
				    const struct apqn *q)
{
	for (size_t i = 0; i < h->nmdevs; i++)
		if (ap_mask_test(&h->mdevs[i].apm, q->apid) &&
		    ap_mask_test(&h->mdevs[i].aqm, q->apqi))
			return &h->mdevs[i];
	return NULL;
}

int ap_parse_matrix(const char *text, struct ap_mask *apm, struct ap_mask *aqm)
{
	ap_mask_zero(apm);
	ap_mask_zero(aqm);
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		unsigned a, d;
		char buf[32];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (sscanf(buf, "%2x.%4x", &a, &d) == 2) {
			ap_mask_set(apm, a);
			ap_mask_set(aqm, d);
		} else if (buf[0] == '.' && sscanf(buf + 1, "%4x", &d) == 1) {
			ap_mask_set(aqm, d);
		} else if (sscanf(buf, "%2x.", &a) == 1) {
			ap_mask_set(apm, a);
		} else if (len) {
			return -EINVAL;
		}
		line += len;
		if (*line)
			line++;
	}
	return 0;
}

/* Every vfio_ap mdev, active (its matrix from sysfs) or defined (its attrs in mdevctl's definition). */
static int read_ap_mdevs(const struct sysfs *s, struct ap_host *h,
			 struct vm_error *err)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	struct mdev_info *mdevs;

	if (mdev_list_read(s, &l, err) < 0)
		return -EIO;
	mdevs = l.v;
	h->mdevs = calloc(l.n + 1, sizeof(*h->mdevs));
	if (!h->mdevs)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	for (size_t i = 0; i < l.n; i++) {
		struct ap_mdev_info *m;

		/* the mdevs that hold APQNs: only vfio-ap ones have a matrix */
		if (ap_mask_is_empty(&mdevs[i].apm) &&
		    ap_mask_is_empty(&mdevs[i].aqm) &&
		    ap_mask_is_empty(&mdevs[i].adm))
			continue;
		m = &h->mdevs[h->nmdevs++];
		snprintf(m->uuid, sizeof(m->uuid), "%s", mdevs[i].uuid);
		m->active = mdevs[i].active;
		m->defined = mdevs[i].defined;
		m->autostart = mdevs[i].autostart;
		m->apm = mdevs[i].apm;
		m->aqm = mdevs[i].aqm;
		m->adm = mdevs[i].adm;
	}
	return 0;
}

/*
 * The queues in bus/ap/devices (its names sorted: a card's queues together,
 * before the cards), each driver a readlink relative to the open directory;
 * with card_types, the type of each queue's card, read once per card.
 */
static int read_queues(const struct sysfs *s, struct ap_host *h,
		       bool card_types, struct vm_error *err)
{
	_cleanup_strv_ struct strv devs = STRV_INIT;
	_cleanup_close_ int dfd = -1;
	char type[sizeof(h->queues->card_type)] = "";
	int card = -1;

	if (sysfs_list_dir(s, &devs, "bus/ap/devices") < 0)
		return 0;
	h->queues = calloc(devs.n + 1, sizeof(*h->queues));
	if (!h->queues)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	dfd = sysfs_open_dir(s, "bus/ap/devices");
	for (size_t i = 0; i < devs.n; i++) {
		struct ap_queue_info *q = &h->queues[h->nqueues];
		char rel[NAME_MAX + 16], target[PATH_MAX];

		if (!strchr(devs.v[i], '.') ||
		    apqn_parse(devs.v[i], &q->apqn, NULL) < 0)
			continue; /* a card */
		apqn_format(&q->apqn, q->name);
		snprintf(rel, sizeof(rel), "%s/driver", devs.v[i]);
		if (dfd >= 0 &&
		    sysfs_readlinkat(dfd, rel, target, sizeof(target)) > 0) {
			const char *base = strrchr(target, '/');

			base = base ? base + 1 : target;
			snprintf(q->driver, sizeof(q->driver), "%.*s",
				 (int)sizeof(q->driver) - 1, base);
		}
		if (card_types && card != q->apqn.apid) {
			card = q->apqn.apid;
			snprintf(rel, sizeof(rel), "card%02x/type", card);
			if (dfd < 0 ||
			    sysfs_read_at(dfd, rel, type, sizeof(type)) < 0)
				type[0] = '\0';
		}
		memcpy(q->card_type, type, sizeof(type));
		h->nqueues++;
	}
	return 0;
}

/* the boot masks; a rules file that cannot be read is kept as a fact, for the checks that need it */
static void read_boot(const struct sysfs *s, struct ap_host *h)
{
	struct vm_error e = { 0 };

	if (ap_read_boot_masks(s, &h->apmask, &h->aqmask, &h->boot, &e) == 0)
		return;
	h->boot_unreadable = true;
	snprintf(h->boot_why, sizeof(h->boot_why), "%s", e.msg);
	h->boot.apmask = h->apmask;
	h->boot.aqmask = h->aqmask;
}

static int read_host(const struct sysfs *s, struct ap_host *h, bool card_types,
		     struct vm_error *err)
{
	_cleanup_free_ char *apmask = NULL, *aqmask = NULL;
	unsigned long max;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = sysfs_read_string(s, &apmask, "bus/ap/apmask")) < 0 ||
	    (r = sysfs_read_string(s, &aqmask, "bus/ap/aqmask")) < 0)
		return vm_error_set(
			err, r == -ENOENT ? VM_EXIT_NOT_FOUND : VM_EXIT_FAILED,
			r,
			"cannot read the AP bus masks (%s/sys/bus/ap/apmask, aqmask): %s (is this an s390 host with the ap bus, and vfio_ap loaded?)",
			strcmp(sysfs_root(s), "/") ? sysfs_root(s) : "",
			strerror(-r));
	if (ap_mask_parse(apmask, &h->apmask, err) < 0 ||
	    ap_mask_parse(aqmask, &h->aqmask, err) < 0)
		return -EINVAL;
	h->max_adapter_id =
		sysfs_read_unsigned(s, &max, "bus/ap/ap_max_adapter_id") == 0 ?
			(unsigned)max :
			63;
	h->max_domain_id =
		sysfs_read_unsigned(s, &max, "bus/ap/ap_max_domain_id") == 0 ?
			(unsigned)max :
			15;
	if (read_queues(s, h, card_types, err) < 0)
		return -ENOMEM;
	read_boot(s, h);
	return read_ap_mdevs(s, h, err);
}

int ap_read_host(const struct sysfs *s, struct ap_host *h, struct vm_error *err)
{
	return read_host(s, h, false, err);
}

int ap_read_listing(const struct sysfs *s, struct ap_host *h,
		    struct vm_error *err)
{
	return read_host(s, h, true, err);
}

void ap_host_clear(struct ap_host *h)
{
	free(h->queues);
	free(h->mdevs);
	memset(h, 0, sizeof(*h));
}

/* ---- mask plans (ap reserve/release, assign/unassign) ---- */

/* Append the APQNs that change hands between two mask states: "05.0004 05.00ab". */
void ap_moved_queues(const struct ap_host *h, const struct ap_mask *apm_from,
		     const struct ap_mask *aqm_from,
		     const struct ap_mask *apm_to, const struct ap_mask *aqm_to,
		     char *buf, size_t size, struct json_object *list)
{
	size_t len = buf ? strlen(buf) : 0;

	for (size_t i = 0; i < h->nqueues; i++) {
		const struct apqn *q = &h->queues[i].apqn;

		if (ap_reserved(apm_from, aqm_from, q) ==
		    ap_reserved(apm_to, aqm_to, q))
			continue;
		if (buf) {
			snprintf(buf + len, size - len, "%s%s", len ? " " : "",
				 h->queues[i].name);
			len = strlen(buf);
		}
		if (list)
			json_object_array_add(list, json_object_new_string(
							    h->queues[i].name));
	}
}

static int add_mask_step(struct vm_error *err, struct plan *p,
			 const struct ap_host *h, bool adapters, bool reserve,
			 const struct ap_mask *from, const struct ap_mask *to,
			 const struct ap_mask *other, const struct ap_mask *ids)
{
	_cleanup_free_ char *fwd = ap_mask_relative(from, to);
	_cleanup_free_ char *back = ap_mask_relative(to, from);
	_cleanup_free_ char *list = ap_mask_format_list(ids);
	const char *file = adapters ? "bus/ap/apmask" : "bus/ap/aqmask";
	char queues[2048] = "", desc[2600];

	if (!fwd || !back || !list)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (!*fwd)
		return 0;
	/* other: the other mask as it stands when this step runs */
	if (adapters)
		ap_moved_queues(h, from, other, to, other, queues,
				sizeof(queues), NULL);
	else
		ap_moved_queues(h, other, from, other, to, queues,
				sizeof(queues), NULL);
	snprintf(desc, sizeof(desc), "%s %s %s in %s; %s %s",
		 reserve ? "free" : "give back",
		 adapters ? "adapters" : "domains", list,
		 adapters ? "apmask" : "aqmask",
		 reserve ? "queues leaving the host:" :
			   "queues returning to the host:",
		 queues[0] ? queues : "none on this host");
	/*
	 * chzdev and lszdev read and write the masks under the same lock
	 * (zdev/src/ap.c: ap_get_lock() in ap_devtype_read_settings and
	 * ap_devtype_write_settings)
	 */
	/*
	 * no read-back of the whole mask: another tool may change other bits
	 * between the plan and the write, and the relative write keeps them
	 * (sim-s390tools-lock.sh, chzdev); its undo is relative too, and
	 * harmless when the write was not made (recover)
	 */
	if (!step_needs_ap_lock(plan_add_write(p, desc, file, fwd, file, back)))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

/* ids above the host's maxima are refused */
static int check_range(const struct ap_host *h, const struct ap_mask *adapters,
		       const struct ap_mask *domains, bool reserve,
		       struct vm_error *err)
{
	int a = -1, d = -1, bit;

	ap_mask_for_each(bit, adapters)
		if ((unsigned)bit > h->max_adapter_id)
			a = bit;
	ap_mask_for_each(bit, domains)
		if ((unsigned)bit > h->max_domain_id)
			d = bit;
	if (a < 0 && d < 0)
		return 0;
	vm_error_set(
		err, VM_EXIT_REFUSED, ERANGE,
		"cannot %s %s %d (0x%x): this host's %s ids are 0-%u (ap_max_%s_id); name ids within it",
		reserve ? "reserve" : "release", a >= 0 ? "adapter" : "domain",
		a >= 0 ? a : d, a >= 0 ? a : d, a >= 0 ? "adapter" : "domain",
		a >= 0 ? h->max_adapter_id : h->max_domain_id,
		a >= 0 ? "adapter" : "domain");
	return -ERANGE;
}

/* the kernel refuses (EBUSY) to reserve what an mdev holds; a defined one would fail to start */
static int check_release(const struct ap_host *h, const struct ap_mask *new_apm,
			 const struct ap_mask *new_aqm, struct vm_error *err)
{
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		for (unsigned d = 0; d < AP_MASK_BITS; d++) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };
			const struct ap_mdev_info *owner;
			char name[APQN_STRLEN];

			if (!ap_reserved(new_apm, new_aqm, &q) ||
			    ap_reserved(&h->apmask, &h->aqmask, &q))
				continue;
			owner = ap_owner(h, &q);
			if (!owner)
				continue;
			apqn_format(&q, name);
			vm_error_set(
				err, VM_EXIT_REFUSED, EBUSY,
				"cannot release APQN %s to the host: %s mdev %s holds it (%s the mdev, or unassign the APQN from it, first)",
				name, owner->active ? "active" : "defined",
				owner->uuid,
				owner->defined ? "remove and undefine" :
						 "remove");
			return -EBUSY;
		}
	}
	return 0;
}

int ap_plan_masks(const struct ap_host *h, const struct ap_mask *adapters,
		  const struct ap_mask *domains, bool reserve, struct plan *p,
		  struct ap_mask *new_apm, struct ap_mask *new_aqm,
		  struct vm_error *err)
{
	int r = check_range(h, adapters, domains, reserve, err);

	if (r < 0)
		return r;
	if (reserve) {
		ap_mask_andnot(new_apm, &h->apmask, adapters);
		ap_mask_andnot(new_aqm, &h->aqmask, domains);
	} else {
		ap_mask_or(new_apm, &h->apmask, adapters);
		ap_mask_or(new_aqm, &h->aqmask, domains);
		r = check_release(h, new_apm, new_aqm, err);
		if (r < 0)
			return r;
	}
	/* reserve: apmask first; release: aqmask first (the reverse order) */
	if (reserve)
		r = add_mask_step(err, p, h, true, true, &h->apmask, new_apm,
				  &h->aqmask, adapters);
	else
		r = add_mask_step(err, p, h, false, false, &h->aqmask, new_aqm,
				  &h->apmask, domains);
	if (r == 0) {
		if (reserve)
			r = add_mask_step(err, p, h, false, true, &h->aqmask,
					  new_aqm, new_apm, domains);
		else
			r = add_mask_step(err, p, h, true, false, &h->apmask,
					  new_apm, new_aqm, adapters);
	}
	return r;
}

/* chzdev's check of a persistent mask change against the autostart definitions (zdev/src/ap.c check_mask_cfg_cb) */
static int check_boot_release(const struct ap_host *h,
			      const struct ap_mask *new_apm,
			      const struct ap_mask *new_aqm,
			      const char *skip_uuid, struct vm_error *err)
{
	for (size_t i = 0; i < h->nmdevs; i++) {
		const struct ap_mdev_info *m = &h->mdevs[i];
		int a, d;

		if (!m->defined || !m->autostart ||
		    strcmp(m->uuid, skip_uuid) == 0)
			continue;
		ap_mask_for_each(a, &m->apm)
			ap_mask_for_each(d, &m->aqm) {
				struct apqn q = { (uint8_t)a, (uint8_t)d };
				char name[APQN_STRLEN];

				if (!ap_reserved(new_apm, new_aqm, &q) ||
				    ap_reserved(&h->boot.apmask,
						&h->boot.aqmask, &q))
					continue;
				apqn_format(&q, name);
				return vm_error_set(
					err, VM_EXIT_REFUSED, EBUSY,
					"cannot release APQN %s to the host at boot: the autostart definition of mdev %s holds it (undefine the mdev, or leave out --persistent)",
					name, m->uuid);
			}
	}
	return 0;
}

int ap_plan_boot_masks(struct ap_host *h, const struct ap_mask *adapters,
		       const struct ap_mask *domains, bool reserve,
		       const char *skip_uuid, struct plan *p,
		       struct vm_error *err)
{
	_cleanup_free_ char *text = NULL, *al = NULL, *dl = NULL;
	struct ap_mask apm, aqm;
	char desc[512];

	if (h->boot_unreadable)
		return vm_error_set(err, VM_EXIT_REFUSED, EINVAL,
				    "cannot keep the AP masks at boot: %s",
				    h->boot_why);
	/* chzdev starts from the file's masks, else the kernel's (libap ap_read_udev_masks) */
	if (reserve) {
		ap_mask_andnot(&apm, &h->boot.apmask, adapters);
		ap_mask_andnot(&aqm, &h->boot.aqmask, domains);
	} else {
		ap_mask_or(&apm, &h->boot.apmask, adapters);
		ap_mask_or(&aqm, &h->boot.aqmask, domains);
		if (check_boot_release(h, &apm, &aqm, skip_uuid, err) < 0)
			return -EBUSY;
	}
	if (h->boot.from_file_apmask && h->boot.from_file_aqmask &&
	    ap_mask_equal(&apm, &h->boot.apmask) &&
	    ap_mask_equal(&aqm, &h->boot.aqmask))
		return 0;
	text = ap_rules_format(&apm, &aqm);
	al = ap_mask_format_list(adapters);
	dl = ap_mask_format_list(domains);
	if (!text || !al || !dl)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	snprintf(
		desc, sizeof(desc),
		"%s adapters %s and domains %s at boot in chzdev's udev rule %s (udev writes its apmask and aqmask at coldplug)",
		reserve ? "free" : "give back", al, dl, AP_RULES_FILE);
	/* chzdev rewrites the file under the same lock (zdev/src/ap.c ap_devtype_write_settings: ap_get_lock) */
	if (!step_needs_ap_lock(plan_add_file_put(
		    p, desc, SYSFS_AREA_UDEV_RULES, AP_RULES_FILE, text)))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	h->boot.file = h->boot.from_file_apmask = h->boot.from_file_aqmask =
		true;
	h->boot.apmask = apm;
	h->boot.aqmask = aqm;
	return 0;
}
