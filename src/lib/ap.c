/* The AP bus as sysfs shows it (kernel-sysfs.md section 3), and mdevctl's vfio-ap definitions. */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "ap.h"
#include "apchoice.h"
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

/* the queues of buf ("05.0004 05.00ab") not in asked, as buf holds them */
static void not_asked(const char *buf, const struct apqn_set *asked, char *out,
		      size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (const char *w = buf; *w;) {
		size_t n = strcspn(w, " ");
		struct apqn q;
		char name[APQN_STRLEN];

		snprintf(name, sizeof(name), "%.*s", (int)n, w);
		if (apqn_parse(name, &q, NULL) == 0 &&
		    !apqn_set_has(asked, &q)) {
			snprintf(out + len, size - len, "%s%s", len ? " " : "",
				 name);
			len = strlen(out);
		}
		w += n;
		while (*w == ' ')
			w++;
	}
}

static int add_mask_step(struct vm_error *err, struct plan *p,
			 const struct ap_host *h, bool adapters, bool reserve,
			 const struct ap_mask *from, const struct ap_mask *to,
			 const struct ap_mask *other, const struct ap_mask *ids,
			 const struct apqn_set *asked)
{
	_cleanup_free_ char *fwd = ap_mask_relative(from, to);
	_cleanup_free_ char *back = ap_mask_relative(to, from);
	_cleanup_free_ char *list = ap_mask_format_list(ids);
	const char *file = adapters ? "bus/ap/apmask" : "bus/ap/aqmask";
	char queues[2048] = "", others[2048] = "", desc[4700];

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
	if (reserve && asked)
		not_asked(queues, asked, others, sizeof(others));
	snprintf(desc, sizeof(desc), "%s %s %s in %s; %s %s%s%s%s",
		 reserve ? "free" : "give back",
		 adapters ? "adapters" : "domains", list,
		 adapters ? "apmask" : "aqmask",
		 reserve ? "queues leaving the host:" :
			   "queues returning to the host:",
		 queues[0] ? queues : "none on this host",
		 others[0] ? " (not asked for: " : "", others,
		 others[0] ? ")" : "");
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

/* the adapters and the domains the APQNs of a set use */
static void set_span(const struct apqn_set *s, struct ap_mask *adapters,
		     struct ap_mask *domains)
{
	ap_mask_zero(adapters);
	ap_mask_zero(domains);
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		if (ap_mask_is_empty(&s->dom[a]))
			continue;
		ap_mask_set(adapters, a);
		ap_mask_or(domains, domains, &s->dom[a]);
	}
}

/* ids above the host's maxima are refused */
static int check_range(const struct ap_host *h, const struct apqn_set *set,
		       bool reserve, struct vm_error *err)
{
	struct ap_mask adapters, domains;
	int a = -1, d = -1, bit;

	set_span(set, &adapters, &domains);
	ap_mask_for_each(bit, &adapters)
		if ((unsigned)bit > h->max_adapter_id)
			a = bit;
	ap_mask_for_each(bit, &domains)
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

/* "adapters 5 in apmask and domains 0x47 in aqmask" */
static void bits_text(const struct ap_mask *adapters,
		      const struct ap_mask *domains, char *buf, size_t size)
{
	_cleanup_free_ char *al = ap_mask_format_list(adapters);
	_cleanup_free_ char *dl = ap_mask_format_list(domains);
	bool a = al && *al, d = dl && *dl;

	snprintf(buf, size, "%s%s%s%s%s%s%s", a ? "adapters " : "", a ? al : "",
		 a ? " in apmask" : "", a && d ? " and " : "",
		 d ? "domains " : "", d ? dl : "", d ? " in aqmask" : "");
}

static void list_text(const struct apqn_list *l, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		char name[APQN_STRLEN];

		apqn_format(&l->v[i], name);
		snprintf(buf + len, size - len, "%s%s", i ? " " : "", name);
		len = strlen(buf);
	}
}

/*
 * --exact: nothing but the wanted queues may leave. The fix: ask for what
 * leaves too, as APQNs, and as a matrix when that matrix leaves no more.
 */
static int refuse_inexact(const struct ap_host *h, const struct apqn_set *want,
			  const struct ap_choice *c, bool boot,
			  struct vm_error *err)
{
	_cleanup_free_ struct apqn_set *more = malloc(sizeof(*more));
	_cleanup_free_ struct apqn_set *box = malloc(sizeof(*box));
	_cleanup_free_ char *wl = NULL, *ml = NULL, *al = NULL, *dl = NULL;
	_cleanup_ap_choice_ struct ap_choice bc = { 0 };
	struct ap_mask ba, bd;
	char taken[512], bits[256], matrix[700] = "";
	struct vm_error e = { 0 };

	if (!more || !box)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	*more = *want;
	for (size_t i = 0; i < c->others.n; i++)
		apqn_set_add(more, &c->others.v[i]);
	set_span(more, &ba, &bd);
	apqn_set_zero(box);
	apqn_set_add_matrix(box, &ba, &bd);
	wl = apqn_set_format(want);
	ml = apqn_set_format(more);
	al = ap_mask_format_list(&ba);
	dl = ap_mask_format_list(&bd);
	if (!wl || !ml || !al || !dl)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (ap_choose_masks(h, box, &bc, &e) == 0 && bc.others.n == 0)
		snprintf(matrix, sizeof(matrix),
			 ", or --adapters %s --domains %s", al, dl);
	list_text(&c->others, taken, sizeof(taken));
	bits_text(&c->adapters, &c->domains, bits, sizeof(bits));
	return vm_error_set(
		err, VM_EXIT_REFUSED, EBUSY,
		"cannot free APQN%s %s exactly%s: every choice of apmask and aqmask bits takes other queues from the host too, at the fewest %s (clearing %s); ask for them too ('virt-mdev ap reserve %s'%s), or leave out --exact",
		strchr(wl, ' ') ? "s" : "", wl, boot ? " at boot" : "", taken,
		bits, ml, matrix);
}

static int add_reserve_steps(const struct ap_host *h,
			     const struct apqn_set *want,
			     const struct ap_choice *c, struct plan *p,
			     struct vm_error *err)
{
	if (add_mask_step(err, p, h, true, true, &h->apmask, &c->apmask,
			  &h->aqmask, &c->adapters, want) < 0 ||
	    add_mask_step(err, p, h, false, true, &h->aqmask, &c->aqmask,
			  &c->apmask, &c->domains, want) < 0)
		return -ENOMEM;
	return 0;
}

int ap_plan_reserve_set(const struct ap_host *h, const struct apqn_set *want,
			bool exact, struct plan *p, struct ap_mask *new_apm,
			struct ap_mask *new_aqm, struct vm_error *err)
{
	_cleanup_ap_choice_ struct ap_choice c = { 0 };
	int r = check_range(h, want, true, err);

	if (r < 0 || (r = ap_choose_masks(h, want, &c, err)) < 0)
		return r;
	if (exact && c.others.n)
		return refuse_inexact(h, want, &c, false, err);
	*new_apm = c.apmask;
	*new_aqm = c.aqmask;
	return add_reserve_steps(h, want, &c, p, err);
}

/* who keeps c's first kept APQN: "active mdev U holds it" */
static void holder_text(const struct ap_host *h, bool boot,
			const struct apqn *q, char *buf, size_t size)
{
	const struct ap_mdev_info *o = NULL;

	for (size_t i = 0; i < h->nmdevs && !o; i++) {
		const struct ap_mdev_info *m = &h->mdevs[i];

		if ((!boot || (m->defined && m->autostart)) &&
		    ap_mask_test(&m->apm, q->apid) &&
		    ap_mask_test(&m->aqm, q->apqi))
			o = m;
	}
	if (!o)
		snprintf(buf, size, "another device needs it free");
	else if (boot)
		snprintf(buf, size,
			 "the autostart definition of mdev %s holds it",
			 o->uuid);
	else
		snprintf(buf, size, "%s mdev %s holds it",
			 o->active ? "active" : "defined", o->uuid);
}

/* why c's first kept APQN stays free: "APQN 05.0004: ..." */
static void kept_text(const struct ap_host *h, const struct ap_choice *c,
		      bool boot, char *buf, size_t size)
{
	char first[APQN_STRLEN], by[APQN_STRLEN], holder[200];

	apqn_format(&c->kept_first, first);
	apqn_format(&c->kept_by, by);
	holder_text(h, boot, &c->kept_by, holder, sizeof(holder));
	if (c->kept_by.apid == c->kept_first.apid &&
	    c->kept_by.apqi == c->kept_first.apqi)
		snprintf(buf, size, "APQN %s to the host%s: %s", first,
			 boot ? " at boot" : "", holder);
	else
		snprintf(
			buf, size,
			"APQN %s to the host%s: that would give back APQN %s too, and %.150s",
			first, boot ? " at boot" : "", by, holder);
}

/* the refusal or the note of a release that keeps APQNs free */
static int release_kept(const struct ap_host *h, const struct ap_choice *c,
			bool boot, char **kept_note, struct vm_error *err)
{
	_cleanup_free_ char *kl = NULL;
	const struct ap_mdev_info *o = NULL;
	char why[600];

	if (!c->kept)
		return 0;
	kept_text(h, c, boot, why, sizeof(why));
	if (!kept_note) {
		for (size_t i = 0; i < h->nmdevs && !o; i++)
			if (ap_mask_test(&h->mdevs[i].apm, c->kept_by.apid) &&
			    ap_mask_test(&h->mdevs[i].aqm, c->kept_by.apqi) &&
			    (!boot ||
			     (h->mdevs[i].defined && h->mdevs[i].autostart)))
				o = &h->mdevs[i];
		if (boot)
			return vm_error_set(
				err, VM_EXIT_REFUSED, EBUSY,
				"cannot release %s (undefine the mdev, or leave out --persistent)",
				why);
		return vm_error_set(
			err, VM_EXIT_REFUSED, EBUSY,
			"cannot release %s (%s the mdev, or unassign the APQN from it, first)",
			why,
			o && o->defined ? "remove and undefine" : "remove");
	}
	kl = apqn_set_format(c->kept);
	if (!kl ||
	    asprintf(
		    kept_note,
		    "APQN%s %s stay%s free of the host's drivers%s: releasing %s",
		    strchr(kl, ' ') ? "s" : "", kl, strchr(kl, ' ') ? "" : "s",
		    boot ? " at boot" : "", why) < 0) {
		*kept_note = NULL;
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	return 0;
}

int ap_plan_release_set(const struct ap_host *h,
			const struct apqn_set *give_back,
			const struct apqn_set *still_needed, struct plan *p,
			struct ap_mask *new_apm, struct ap_mask *new_aqm,
			char **kept_note, struct vm_error *err)
{
	_cleanup_ap_choice_ struct ap_choice c = { 0 };
	int r;

	if (kept_note)
		*kept_note = NULL;
	if ((r = check_range(h, give_back, false, err)) < 0 ||
	    (r = ap_choose_release(h, give_back, still_needed, &c, err)) < 0 ||
	    (r = release_kept(h, &c, false, kept_note, err)) < 0)
		return r;
	*new_apm = c.apmask;
	*new_aqm = c.aqmask;
	/* the reverse order of a reserve: aqmask first */
	if (add_mask_step(err, p, h, false, false, &h->aqmask, &c.aqmask,
			  &h->apmask, &c.domains, NULL) < 0 ||
	    add_mask_step(err, p, h, true, false, &h->apmask, &c.apmask,
			  &c.aqmask, &c.adapters, NULL) < 0)
		return -ENOMEM;
	return 0;
}

int ap_plan_masks(const struct ap_host *h, const struct ap_mask *adapters,
		  const struct ap_mask *domains, bool reserve, struct plan *p,
		  struct ap_mask *new_apm, struct ap_mask *new_aqm,
		  struct vm_error *err)
{
	_cleanup_free_ struct apqn_set *set = calloc(1, sizeof(*set));
	_cleanup_free_ struct apqn_set *need = calloc(1, sizeof(*need));

	if (!set || !need)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	apqn_set_add_matrix(set, adapters, domains);
	if (reserve)
		return ap_plan_reserve_set(h, set, false, p, new_apm, new_aqm,
					   err);
	ap_mdevs_apqns(h, "", false, need);
	return ap_plan_release_set(h, set, need, p, new_apm, new_aqm, NULL,
				   err);
}

int ap_plan_boot_set(struct ap_host *h, const struct apqn_set *set,
		     bool reserve, bool exact, const char *skip_uuid,
		     struct plan *p, char **kept_note, struct vm_error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ struct apqn_set *need = NULL;
	_cleanup_ap_choice_ struct ap_choice c = { 0 };
	struct ap_host at_boot = *h;
	char desc[1024], bits[512];
	int r;

	if (kept_note)
		*kept_note = NULL;
	if (h->boot_unreadable)
		return vm_error_set(err, VM_EXIT_REFUSED, EINVAL,
				    "cannot keep the AP masks at boot: %s",
				    h->boot_why);
	/*
	 * chzdev starts from the file's masks, else the kernel's (libap
	 * ap_read_udev_masks): the same choice against the masks of the next
	 * boot, with the same queues
	 */
	at_boot.apmask = h->boot.apmask;
	at_boot.aqmask = h->boot.aqmask;
	if (reserve) {
		if ((r = ap_choose_masks(&at_boot, set, &c, err)) < 0)
			return r;
		if (exact && c.others.n)
			return refuse_inexact(&at_boot, set, &c, true, err);
	} else {
		/* chzdev refuses what an autostart definition holds (zdev/src/ap.c check_mask_cfg_cb) */
		need = calloc(1, sizeof(*need));
		if (!need)
			return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
		ap_mdevs_apqns(h, skip_uuid, true, need);
		if ((r = ap_choose_release(&at_boot, set, need, &c, err)) < 0 ||
		    (r = release_kept(&at_boot, &c, true, kept_note, err)) < 0)
			return r;
	}
	if (h->boot.from_file_apmask && h->boot.from_file_aqmask &&
	    ap_mask_equal(&c.apmask, &h->boot.apmask) &&
	    ap_mask_equal(&c.aqmask, &h->boot.aqmask))
		return 0;
	text = ap_rules_format(&c.apmask, &c.aqmask);
	if (!text)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	bits_text(&c.adapters, &c.domains, bits, sizeof(bits));
	snprintf(
		desc, sizeof(desc),
		"%s%s%s at boot in chzdev's udev rule %s (udev writes its apmask and aqmask at coldplug)",
		!bits[0] ? "keep apmask and aqmask as they are" :
		reserve	 ? "free " :
			   "give back ",
		bits, "", AP_RULES_FILE);
	/* chzdev rewrites the file under the same lock (zdev/src/ap.c ap_devtype_write_settings: ap_get_lock) */
	if (!step_needs_ap_lock(plan_add_file_put(
		    p, desc, SYSFS_AREA_UDEV_RULES, AP_RULES_FILE, text)))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	h->boot.file = h->boot.from_file_apmask = h->boot.from_file_aqmask =
		true;
	h->boot.apmask = c.apmask;
	h->boot.aqmask = c.aqmask;
	return 0;
}

int ap_plan_boot_masks(struct ap_host *h, const struct ap_mask *adapters,
		       const struct ap_mask *domains, bool reserve,
		       const char *skip_uuid, struct plan *p,
		       struct vm_error *err)
{
	_cleanup_free_ struct apqn_set *set = calloc(1, sizeof(*set));

	if (!set)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	apqn_set_add_matrix(set, adapters, domains);
	return ap_plan_boot_set(h, set, reserve, false, skip_uuid, p, NULL,
				err);
}
