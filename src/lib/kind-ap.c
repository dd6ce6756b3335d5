/* The vfio-ap kind: an mdev on the vfio_ap matrix holding adapters x domains (and control domains) freed from the host. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "ap.h"
#include "apchoice.h"
#include "cleanup.h"
#include "columns.h"
#include "kind.h"
#include "mdev.h"
#include "plan.h"

#define AP_PARENT "matrix"

/* the kind's view of the host: the AP bus */
struct ap_kind_host {
	struct ap_host ap;
	/* the masks before a preparation (plan_prepare), for the result */
	bool prepared;
	struct ap_mask apm_before, aqm_before;
};

static bool ap_owns_parent(const char *parent)
{
	return strcmp(parent, AP_PARENT) == 0;
}

static void ap_where(const struct mdev_spec *m, char *buf, size_t size)
{
	(void)m;
	snprintf(buf, size, "the vfio_ap matrix");
}

static void ap_nodedev_parent(const struct mdev_spec *m, char *buf, size_t size)
{
	(void)m;
	snprintf(buf, size, "ap_matrix");
}

static void ap_create_path(const struct mdev_spec *m, char *buf, size_t size)
{
	snprintf(buf, size,
		 "devices/vfio_ap/matrix/mdev_supported_types/%s/create",
		 m->type);
}

static void ap_device_path(const struct mdev_spec *m, char *buf, size_t size)
{
	snprintf(buf, size, "devices/vfio_ap/matrix/%s", m->uuid);
}

/* ---- configuration: the matrix ---- */

static void ap_read_active(const struct sysfs *s, struct mdev_info *i)
{
	_cleanup_free_ char *matrix = NULL, *cdoms = NULL;

	if (sysfs_read_string(s, &matrix, "bus/mdev/devices/%s/matrix",
			      i->uuid) == 0)
		(void)ap_parse_matrix(matrix, &i->apm, &i->aqm);
	/* control domains: "%04lx" lines */
	if (sysfs_read_string(s, &cdoms, "bus/mdev/devices/%s/control_domains",
			      i->uuid) < 0)
		return;
	for (char *p = cdoms; *p;) {
		char *end;
		unsigned long d = strtoul(p, &end, 16);

		if (end == p || d > AP_ID_MAX)
			break;
		ap_mask_set(&i->adm, (unsigned)d);
		p = end + strspn(end, "\n");
	}
}

static const char *const ap_attr_names[] = { "assign_adapter", "assign_domain",
					     "assign_control_domain" };

static struct ap_mask *attr_mask(struct mdev_spec *m, size_t k)
{
	struct ap_mask *masks[] = { &m->apm, &m->aqm, &m->adm };

	return masks[k];
}

/*
 * A value as the kernel's assign_* and unassign_* stores read it,
 * kstrtoul(buf, 0) (kernel-sysfs.md 3.7, lib/kstrtox.c): one optional '+',
 * then 0x or 0X and hex digits, or a leading 0 and octal digits ("010" is 8,
 * "08" no number), or decimal; one newline may follow. -EINVAL for anything
 * else, -ERANGE beyond an unsigned long.
 */
static int ap_parse_id(const char *s, unsigned long *out)
{
	unsigned long v = 0;
	unsigned base = 10;
	int digits = 0;

	if (*s == '+')
		s++;
	if (s[0] == '0') {
		base = 8;
		if ((s[1] == 'x' || s[1] == 'X') &&
		    isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		}
	}
	for (;; s++, digits++) {
		unsigned d =
			*s >= '0' && *s <= '9' ? (unsigned)(*s - '0') :
			*s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) :
			*s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10) :
						 99u;

		if (d >= base)
			break;
		if (v > (ULONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!digits)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

/* which of the six stores a definition's attribute names: k of ap_attr_names, assign or not; -1 for none */
static int ap_attr_store(const char *key, bool *assign)
{
	*assign = strncmp(key, "un", 2) != 0;
	if (!*assign)
		key += 2;
	for (size_t k = 0; k < ARRAY_SIZE(ap_attr_names); k++)
		if (strcmp(key, ap_attr_names[k]) == 0)
			return (int)k;
	return -1;
}

/* a definition's attribute applied as the kernel takes mdevctl's write of it */
static int ap_read_attr(struct mdev_info *i, const char *key, const char *value)
{
	struct ap_mask *masks[] = { &i->apm, &i->aqm, &i->adm };
	unsigned long id;
	bool assign;
	int k = ap_attr_store(key, &assign);

	if (k < 0)
		return 0;
	/* EINVAL, ERANGE; ENODEV above the highest id the masks hold */
	if (ap_parse_id(value, &id) < 0 || id > AP_ID_MAX)
		return -1;
	if (assign)
		ap_mask_set(masks[k], (unsigned)id);
	else
		ap_mask_clear(masks[k], (unsigned)id);
	return 1;
}

/*
 * assign_adapter, then assign_domain, then assign_control_domain, values
 * 0x-hex (the kernel reads a leading 0 as octal and a bare "ab" as an error)
 */
static int ap_attrs(const struct mdev_spec *m, struct strv *names,
		    struct strv *values)
{
	struct mdev_spec c = *m;

	for (size_t k = 0; k < ARRAY_SIZE(ap_attr_names); k++) {
		int bit;

		ap_mask_for_each(bit, attr_mask(&c, k)) {
			char v[16];

			snprintf(v, sizeof(v), "0x%x", (unsigned)bit);
			if (strv_push(names, ap_attr_names[k]) < 0 ||
			    strv_push(values, v) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static bool ap_same_config(const struct mdev_spec *a, const struct mdev_spec *b)
{
	return ap_mask_equal(&a->apm, &b->apm) &&
	       ap_mask_equal(&a->aqm, &b->aqm) &&
	       ap_mask_equal(&a->adm, &b->adm);
}

static void diff_mask_as(char *buf, size_t size, const char *what,
			 const struct ap_mask *have, const struct ap_mask *want,
			 const char *there)
{
	_cleanup_free_ char *h = NULL, *w = NULL;
	size_t len = strlen(buf);

	if (ap_mask_equal(have, want))
		return;
	h = ap_mask_format_list(have);
	w = ap_mask_format_list(want);
	snprintf(buf + len, size - len, "%s%s %s here, %s %s", len ? "; " : "",
		 what, h && *h ? h : "none", w && *w ? w : "none", there);
}

static void diff_mask(char *buf, size_t size, const char *what,
		      const struct ap_mask *have, const struct ap_mask *want)
{
	diff_mask_as(buf, size, what, have, want, "asked");
}

static void ap_config_diff(const struct mdev_spec *have,
			   const struct mdev_spec *want, char *buf, size_t size)
{
	diff_mask(buf, size, "adapters", &have->apm, &want->apm);
	diff_mask(buf, size, "domains", &have->aqm, &want->aqm);
	diff_mask(buf, size, "control domains", &have->adm, &want->adm);
}

/* Whether this kernel's vfio_ap mdevs have ap_config (6.10): the matrix's features, or an existing mdev. */
static bool kernel_has_ap_config(const struct sysfs *s)
{
	_cleanup_free_ char *features = NULL;
	_cleanup_strv_ struct strv uuids = STRV_INIT;

	if (sysfs_read_string(s, &features,
			      "devices/vfio_ap/matrix/features") == 0 &&
	    strstr(features, "ap_config"))
		return true;
	if (sysfs_list_dir(s, &uuids, "devices/vfio_ap/matrix") < 0)
		return false;
	for (size_t i = 0; i < uuids.n; i++) {
		uuid_t u;

		if (ids_uuid_parse(uuids.v[i], u, NULL) == 0 &&
		    sysfs_exists(s, "devices/vfio_ap/matrix/%s/ap_config",
				 uuids.v[i]))
			return true;
	}
	return false;
}

/* The ap_config value: "0x<apm>,0x<aqm>,0x<adm>" (kernel-sysfs.md 3.9). */
static void ap_config_value(const struct ap_mask *apm,
			    const struct ap_mask *aqm,
			    const struct ap_mask *adm, char *buf, size_t size)
{
	char a[AP_MASK_STRLEN], q[AP_MASK_STRLEN], d[AP_MASK_STRLEN];

	ap_mask_format(apm, a);
	ap_mask_format(aqm, q);
	ap_mask_format(adm, d);
	snprintf(buf, size, "%s,%s,%s", a, q, d);
}

static int oom(struct vm_error *err)
{
	return vm_error_set(err, VM_EXIT_FAILED, ENOMEM, "out of memory");
}

/* ap_config in one write, undone by writing the matrix was (from; NULL: empty) */
static int ap_config_step_from(struct plan *p, const struct mdev_spec *m,
			       const struct mdev_spec *from,
			       struct vm_error *err)
{
	char path[256], desc[512], value[256], zero[256];
	struct ap_mask none;
	_cleanup_free_ char *al = ap_mask_format_list(&m->apm);
	_cleanup_free_ char *dl = ap_mask_format_list(&m->aqm);
	_cleanup_free_ char *cl = ap_mask_format_list(&m->adm);
	struct step *st;

	ap_config_value(&m->apm, &m->aqm, &m->adm, value, sizeof(value));
	ap_mask_zero(&none);
	if (from)
		ap_config_value(&from->apm, &from->aqm, &from->adm, zero,
				sizeof(zero));
	else
		ap_config_value(&none, &none, &none, zero, sizeof(zero));
	snprintf(path, sizeof(path), "devices/vfio_ap/matrix/%s/ap_config",
		 m->uuid);
	snprintf(
		desc, sizeof(desc),
		"configure mdev %s in one write (ap_config): adapters %s, domains %s, control domains %s",
		m->uuid, al ? al : "", dl ? dl : "", cl && *cl ? cl : "none");
	st = step_needs_ap_lock(
		plan_add_write(p, desc, path, value, path, zero));
	if (!st || step_verify_value(st, path, value) < 0)
		return oom(err);
	return 0;
}

static int ap_config_step(struct plan *p, const struct mdev_spec *m,
			  struct vm_error *err)
{
	return ap_config_step_from(p, m, NULL, err);
}

/*
 * The configuration writes run under the s390-tools lock, as mdevctl's do
 * (ap_tools/ap-check.c: ap_check_handle_start takes it in the "pre start"
 * callout for mdevctl, ap_check_handle_post gives it back): chzdev checks a
 * mask change against the mdevs' matrices under it.
 */
static int ap_plan_configure(const struct sysfs *s, struct plan *p,
			     const struct mdev_spec *m, struct vm_error *err)
{
	static const char *const what[] = { "assign adapter", "assign domain",
					    "assign control domain" };
	_cleanup_strv_ struct strv names = STRV_INIT, values = STRV_INIT;
	char path[256], undo[256], desc[512];

	if (kernel_has_ap_config(s))
		return ap_config_step(p, m, err);
	if (ap_attrs(m, &names, &values) < 0)
		return oom(err);
	for (size_t i = 0; i < names.n; i++) {
		size_t k = 0;

		while (strcmp(names.v[i], ap_attr_names[k]) != 0)
			k++;
		snprintf(path, sizeof(path), "devices/vfio_ap/matrix/%s/%s",
			 m->uuid, names.v[i]);
		snprintf(undo, sizeof(undo), "devices/vfio_ap/matrix/%s/un%s",
			 m->uuid, names.v[i]);
		snprintf(desc, sizeof(desc), "%s %s to mdev %s", what[k],
			 values.v[i], m->uuid);
		if (!step_needs_ap_lock(plan_add_write(
			    p, desc, path, values.v[i], undo, values.v[i])))
			return oom(err);
	}
	return 0;
}

/* a ⊆ b */
static bool mask_within(const struct ap_mask *a, const struct ap_mask *b)
{
	struct ap_mask r;

	ap_mask_andnot(&r, a, b);
	return ap_mask_is_empty(&r);
}

/*
 * What an interrupted configuration leaves: ap_config's one write not done
 * (an empty matrix), or a prefix of the assign_* writes (each a part of the
 * matrix asked for).
 */
static bool ap_config_part(const struct mdev_spec *have,
			   const struct mdev_spec *want)
{
	return !ap_same_config(have, want) &&
	       mask_within(&have->apm, &want->apm) &&
	       mask_within(&have->aqm, &want->aqm) &&
	       mask_within(&have->adm, &want->adm);
}

/* the remaining configure steps: ap_config whole (undone to have's matrix), or the assign_* writes not done */
static int ap_plan_complete(const struct sysfs *s, struct plan *p,
			    const struct mdev_spec *have,
			    const struct mdev_spec *want, struct vm_error *err)
{
	struct mdev_spec rest = *want;

	/* the undo leaves the matrix as this run found it */
	if (kernel_has_ap_config(s))
		return ap_config_step_from(p, want, have, err);
	ap_mask_andnot(&rest.apm, &want->apm, &have->apm);
	ap_mask_andnot(&rest.aqm, &want->aqm, &have->aqm);
	ap_mask_andnot(&rest.adm, &want->adm, &have->adm);
	return ap_plan_configure(s, p, &rest, err);
}

/*
 * From have's matrix to want's, either way: ap_config in one write (undone
 * to have's), else the unassign_* writes of what goes, then the assign_*
 * writes of what comes, each undone by its opposite.
 */
static int ap_plan_reconfigure(const struct sysfs *s, struct plan *p,
			       const struct mdev_spec *have,
			       const struct mdev_spec *want,
			       struct vm_error *err)
{
	static const char *const what[] = { "adapter", "domain",
					    "control_domain" };
	const struct ap_mask *h[] = { &have->apm, &have->aqm, &have->adm };
	const struct ap_mask *w[] = { &want->apm, &want->aqm, &want->adm };
	char path[256], undo[256], desc[512], v[16];
	int bit;

	if (ap_same_config(have, want))
		return 0;
	if (kernel_has_ap_config(s))
		return ap_config_step_from(p, want, have, err);
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < 3; k++) {
			struct ap_mask d;

			/* pass 0: what goes; pass 1: what comes */
			ap_mask_andnot(&d, pass ? w[k] : h[k],
				       pass ? h[k] : w[k]);
			ap_mask_for_each(bit, &d) {
				snprintf(v, sizeof(v), "0x%x", bit);
				snprintf(
					path, sizeof(path),
					"devices/vfio_ap/matrix/%s/%sassign_%s",
					want->uuid, pass ? "" : "un", what[k]);
				snprintf(
					undo, sizeof(undo),
					"devices/vfio_ap/matrix/%s/%sassign_%s",
					want->uuid, pass ? "un" : "", what[k]);
				snprintf(desc, sizeof(desc),
					 "%s %s %s %s mdev %s",
					 pass ? "assign" : "unassign", what[k],
					 v, pass ? "to" : "from", want->uuid);
				if (!step_needs_ap_lock(plan_add_write(
					    p, desc, path, v, undo, v)))
					return oom(err);
			}
		}
	return 0;
}

/* ---- the device an admin names ---- */

static int ap_target(const struct sysfs *s, const char *verb,
		     const struct kind_args *a, struct mdev_spec *m,
		     struct vm_error *err)
{
	if (a->device)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"%s ap takes no DEVICE, only --adapters and --domains (got '%s')",
			verb, a->device);
	if (a->force)
		return vm_error_set(err, VM_EXIT_USAGE, EINVAL,
				    "--force is for %s ccw", verb);
	if (!a->have_adapters || !a->have_domains)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"%s ap needs --adapters and --domains (a vfio-ap device is adapters x domains, e.g. --adapters 5 --domains 4,0xab)",
			verb);
	snprintf(m->parent, sizeof(m->parent), AP_PARENT);
	snprintf(m->type, sizeof(m->type), "%s", m->kind->mdev_type);
	m->apm = a->apm;
	m->aqm = a->aqm;
	m->adm = a->adm;
	if (!sysfs_exists(s, "devices/vfio_ap/matrix/mdev_supported_types/%s",
			  m->type))
		return vm_error_set(
			err, VM_EXIT_REFUSED, ENODEV,
			"cannot create a vfio-ap mdev: this host has no vfio_ap matrix device with type %s (load the vfio_ap module: modprobe vfio_ap)",
			m->type);
	return 0;
}

static void ap_host_free(struct kind_host *kh)
{
	struct ap_kind_host *h = (struct ap_kind_host *)kh;

	ap_host_clear(&h->ap);
	free(h);
}

static bool ap_device_name(const struct sysfs *s, const char *parent, char *buf,
			   size_t size)
{
	(void)s;
	(void)parent;
	(void)buf;
	(void)size;
	return false;
}

static int ap_host_read(const struct sysfs *s, const struct mdev_spec *m,
			struct kind_host **out, struct vm_error *err)
{
	struct ap_kind_host *h = calloc(1, sizeof(*h));

	(void)m;
	if (!h)
		return oom(err);
	if (ap_read_host(s, &h->ap, err) < 0) {
		ap_host_free((struct kind_host *)h);
		return vm_error_errno(err);
	}
	*out = (struct kind_host *)h;
	return 0;
}

static int ap_plan_prepare(const struct sysfs *s, struct kind_host *kh,
			   const struct mdev_spec *m, const struct kind_args *a,
			   struct plan *p, struct vm_error *err)
{
	struct ap_kind_host *h = (struct ap_kind_host *)kh;
	_cleanup_free_ struct apqn_set *want = calloc(1, sizeof(*want));
	struct ap_mask apm, aqm;

	(void)s;
	if (!want)
		return oom(err);
	/*
	 * free what the host still holds: the steps of ap reserve of the
	 * matrix (with --persistent, of ap reserve --persistent: the boot
	 * masks in chzdev's rule first), the fewest queues taken
	 */
	apqn_set_add_matrix(want, &m->apm, &m->aqm);
	if ((a->persistent && ap_plan_boot_set(&h->ap, want, true, a->exact,
					       m->uuid, p, NULL, err) < 0) ||
	    ap_plan_reserve_set(&h->ap, want, a->exact, p, &apm, &aqm, err) < 0)
		return vm_error_errno(err);
	/* the checks that follow see the masks as the steps leave them */
	h->prepared = true;
	h->apm_before = h->ap.apmask;
	h->aqm_before = h->ap.aqmask;
	h->ap.apmask = apm;
	h->ap.aqmask = aqm;
	return 0;
}

/* ---- many devices at once (apply) ---- */

static int push_apqn(struct strv *v, unsigned a, unsigned d)
{
	char name[APQN_STRLEN];
	struct apqn q = { (uint8_t)a, (uint8_t)d };

	apqn_format(&q, name);
	return strv_contains(v, name) ? 0 : strv_push(v, name);
}

/*
 * One choice for every vfio-ap device and reservation of a state file:
 * the union of their APQNs freed taking the fewest other host queues
 * (apchoice.h), at boot for the persistent ones; freed gets the wanted
 * APQNs the host held, which apply's record keeps.
 */
static int ap_plan_prepare_all(const struct sysfs *s, struct kind_host *kh,
			       const struct mdev_spec *m,
			       const bool *persistent, size_t n, bool exact,
			       struct plan *p, struct strv *freed,
			       struct vm_error *err)
{
	struct ap_kind_host *h = (struct ap_kind_host *)kh;
	_cleanup_free_ struct apqn_set *want = calloc(1, sizeof(*want));
	_cleanup_free_ struct apqn_set *boot = calloc(1, sizeof(*boot));
	struct ap_mask apm, aqm;
	int d;

	(void)s;
	if (!want || !boot)
		return oom(err);
	for (size_t i = 0; i < n; i++) {
		apqn_set_add_matrix(want, &m[i].apm, &m[i].aqm);
		if (persistent[i])
			apqn_set_add_matrix(boot, &m[i].apm, &m[i].aqm);
	}
	if (!apqn_set_is_empty(boot) &&
	    ap_plan_boot_set(&h->ap, boot, true, exact, "", p, NULL, err) < 0)
		return vm_error_errno(err);
	for (unsigned a = 0; a < AP_MASK_BITS; a++)
		ap_mask_for_each(d, &want->dom[a]) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };

			if (ap_reserved(&h->ap.apmask, &h->ap.aqmask, &q) &&
			    push_apqn(freed, a, (unsigned)d) < 0)
				return oom(err);
		}
	if (ap_plan_reserve_set(&h->ap, want, exact, p, &apm, &aqm, err) < 0)
		return vm_error_errno(err);
	h->ap.apmask = apm;
	h->ap.aqmask = aqm;
	return 0;
}

/*
 * What an earlier apply freed and nothing keeps goes back: the bits only
 * those APQNs need (ap_choose_release against every APQN still needed),
 * at boot too where chzdev's rule frees them; what stays free is said.
 */
static int ap_plan_give_back(const struct sysfs *s, struct kind_host *kh,
			     const struct strv *freed_before,
			     const struct mdev_spec *keep, size_t n,
			     struct plan *p, struct strv *freed, char **note,
			     struct vm_error *err)
{
	struct ap_kind_host *h = (struct ap_kind_host *)kh;
	_cleanup_free_ struct apqn_set *back = calloc(1, sizeof(*back));
	_cleanup_free_ struct apqn_set *need = calloc(1, sizeof(*need));
	_cleanup_free_ char *kept = NULL, *kept_boot = NULL;
	_cleanup_strv_ struct strv all = STRV_INIT;
	struct ap_mask apm, aqm;

	(void)s;
	*note = NULL;
	if (!back || !need)
		return oom(err);
	for (size_t i = 0; i < n; i++)
		apqn_set_add_matrix(need, &keep[i].apm, &keep[i].aqm);
	for (size_t i = 0; i < freed->n; i++)
		if (strv_push(&all, freed->v[i]) < 0)
			return oom(err);
	for (size_t i = 0; i < freed_before->n; i++) {
		struct apqn q;
		struct vm_error bad = { 0 };

		/* a record's name that is no APQN names nothing to give back */
		if (apqn_parse(freed_before->v[i], &q, &bad) < 0)
			continue;
		if (!ap_reserved(&h->ap.apmask, &h->ap.aqmask, &q) &&
		    !apqn_set_has(need, &q))
			apqn_set_add(back, &q);
		else if (!ap_reserved(&h->ap.apmask, &h->ap.aqmask, &q) &&
			 push_apqn(&all, q.apid, q.apqi) < 0)
			return oom(err);
	}
	strv_clear(freed);
	if (!apqn_set_is_empty(back)) {
		/*
		 * at boot, what the autostart definitions that stay hold
		 * stays free (chzdev's rule): the host as the plan leaves
		 * it, without the mdevs it removes
		 */
		struct ap_host after = h->ap;
		_cleanup_free_ struct ap_mdev_info *stay =
			calloc(h->ap.nmdevs ? h->ap.nmdevs : 1, sizeof(*stay));

		if (!stay)
			return oom(err);
		after.nmdevs = 0;
		for (size_t i = 0; i < h->ap.nmdevs; i++)
			for (size_t k = 0; k < n; k++)
				if (strcmp(h->ap.mdevs[i].uuid, keep[k].uuid) ==
				    0) {
					stay[after.nmdevs++] = h->ap.mdevs[i];
					break;
				}
		after.mdevs = stay;
		if (ap_plan_release_set(&h->ap, back, need, p, &apm, &aqm,
					&kept, err) < 0 ||
		    (h->ap.boot.file &&
		     ap_plan_boot_set(&after, back, false, false, "", p,
				      &kept_boot, err) < 0))
			return vm_error_errno(err);
		h->ap.boot = after.boot;
		h->ap.apmask = apm;
		h->ap.aqmask = aqm;
		if (kept && !(*note = strdup(kept)))
			return oom(err);
	}
	/* the record: what stays free of what apply freed */
	for (unsigned a = 0; a < AP_MASK_BITS; a++) {
		int d;

		ap_mask_for_each(d, &back->dom[a]) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };

			if (!ap_reserved(&h->ap.apmask, &h->ap.aqmask, &q) &&
			    push_apqn(&all, a, (unsigned)d) < 0)
				return oom(err);
		}
	}
	for (size_t i = 0; i < all.n; i++) {
		struct apqn q;
		struct vm_error bad = { 0 };

		if (apqn_parse(all.v[i], &q, &bad) == 0 &&
		    !ap_reserved(&h->ap.apmask, &h->ap.aqmask, &q) &&
		    strv_push(freed, all.v[i]) < 0)
			return oom(err);
	}
	return 0;
}

static int ap_plan_release(const struct sysfs *s, const struct mdev_spec *m,
			   struct plan *p, char **note, struct vm_error *err)
{
	_cleanup_ap_host_ struct ap_host h = { 0 };
	_cleanup_free_ struct apqn_set *back = calloc(1, sizeof(*back));
	_cleanup_free_ struct apqn_set *need = calloc(1, sizeof(*need));
	_cleanup_free_ char *kept = NULL, *kept_boot = NULL;
	struct ap_mask na, nq;
	struct vm_error busy = { 0 };
	const struct ap_mdev_info *self = NULL;

	*note = NULL;
	if (!back || !need)
		return oom(err);
	if (ap_read_host(s, &h, err) < 0)
		return vm_error_errno(err);
	for (size_t i = 0; i < h.nmdevs; i++)
		if (strcmp(h.mdevs[i].uuid, m->uuid) == 0)
			self = &h.mdevs[i];
	/*
	 * this mdev is going: only the others may keep APQNs from the host;
	 * what they hold stays free, the rest of the matrix returns
	 */
	apqn_set_add_matrix(back, &m->apm, &m->aqm);
	ap_mdevs_apqns(&h, m->uuid, false, need);
	if (ap_plan_release_set(&h, back, need, p, &na, &nq, &kept, err) < 0)
		return vm_error_errno(err);
	/*
	 * a persistent mdev (autostart definition, as assign --persistent
	 * leaves it) gives its APQNs back at boot too, in chzdev's rule
	 * when there is one
	 */
	if (self && self->defined && self->autostart && h.boot.file &&
	    ap_plan_boot_set(&h, back, false, false, m->uuid, p, &kept_boot,
			     &busy) < 0 &&
	    asprintf(&kept_boot,
		     "the APQNs stay free of the host's drivers at boot: %s",
		     busy.msg) < 0)
		kept_boot = NULL;
	if ((kept || kept_boot) && asprintf(note, "%s%s%s", kept ? kept : "",
					    kept && kept_boot ? "; " : "",
					    kept_boot ? kept_boot : "") < 0)
		*note = NULL;
	return 0;
}

static int ap_device_mdev(const struct sysfs *s, const char *device,
			  const struct mdev_list *l, struct mdev_spec *m,
			  const struct mdev_info **out, struct vm_error *err)
{
	(void)s;
	(void)device;
	(void)l;
	(void)m;
	(void)err;
	*out = NULL;
	return -ENOENT; /* a vfio-ap mdev is named by its uuid */
}

static void append_apqn(char *buf, size_t size, int a, int d, unsigned *count)
{
	size_t len = strlen(buf);

	if (++*count > 8) {
		if (*count == 9 && len + 5 < size)
			strcat(buf, ",...");
		return;
	}
	snprintf(buf + len, size - len, "%s%02x.%04x", len ? "," : "", a, d);
}

static int check_ids(const struct ap_host *h, const struct mdev_spec *m,
		     struct vm_error *err)
{
	const struct {
		const struct ap_mask *mask;
		unsigned max;
		const char *what, *file;
	} ids[] = {
		{ &m->apm, h->max_adapter_id, "adapter", "ap_max_adapter_id" },
		{ &m->aqm, h->max_domain_id, "domain", "ap_max_domain_id" },
		{ &m->adm, h->max_domain_id, "control domain",
		  "ap_max_domain_id" },
	};

	for (size_t k = 0; k < ARRAY_SIZE(ids); k++) {
		int bit;

		ap_mask_for_each(bit, ids[k].mask)
			if ((unsigned)bit > ids[k].max)
				return vm_error_set(
					err, VM_EXIT_REFUSED, ERANGE,
					"cannot use %s %d (0x%x) in mdev %s: this host's %s ids are 0-%u (%s)",
					ids[k].what, bit, bit, m->uuid,
					ids[k].what, ids[k].max, ids[k].file);
	}
	if (!ap_mask_is_empty(&m->adm) && ap_mask_is_empty(&m->aqm))
		return vm_error_set(
			err, VM_EXIT_REFUSED, EINVAL,
			"mdev %s has control domains but no usage domain: a vfio-ap device needs at least one usage domain (add --domains)",
			m->uuid);
	return 0;
}

/* the APQNs of m these masks keep for the host ("05.0004,05.00ab" in apqns), and which of m's adapters and domains are in them */
struct reserved {
	char apqns[256];
	unsigned n;
	struct ap_mask adapters, domains;
};

static void reserved_by(const struct ap_mask *apmask,
			const struct ap_mask *aqmask, const struct mdev_spec *m,
			struct reserved *r)
{
	int a, d;

	memset(r, 0, sizeof(*r));
	ap_mask_for_each(a, &m->apm)
		ap_mask_for_each(d, &m->aqm) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };

			if (!ap_reserved(apmask, aqmask, &q))
				continue;
			append_apqn(r->apqns, sizeof(r->apqns), a, d, &r->n);
			if (ap_mask_test(apmask, (unsigned)a))
				ap_mask_set(&r->adapters, (unsigned)a);
			if (ap_mask_test(aqmask, (unsigned)d))
				ap_mask_set(&r->domains, (unsigned)d);
		}
}

static int check_reserved(const struct ap_host *h, const struct mdev_spec *m,
			  struct vm_error *err)
{
	_cleanup_free_ char *al = NULL, *dl = NULL;
	struct reserved r;

	reserved_by(&h->apmask, &h->aqmask, m, &r);
	if (!r.n)
		return 0;
	/* name what reserve must free: the adapters and domains still in the masks */
	al = ap_mask_format_list(ap_mask_is_empty(&r.adapters) ? &m->apm :
								 &r.adapters);
	dl = ap_mask_format_list(ap_mask_is_empty(&r.domains) ? &m->aqm :
								&r.domains);
	return vm_error_set(
		err, VM_EXIT_REFUSED, EADDRNOTAVAIL,
		"cannot give APQN%s %s to mdev %s: reserved for the host's drivers by apmask/aqmask (run 'virt-mdev ap reserve --adapters %s --domains %s' first)",
		r.n > 1 ? "s" : "", r.apqns, m->uuid, al ? al : "",
		dl ? dl : "");
}

/* no APQN of m in another mdev of this kind, active or defined */
static int check_overlap(const struct mdev_spec *m, const struct mdev_info *o,
			 struct vm_error *err)
{
	struct ap_mask sa, sd;
	char shared[256] = "";
	unsigned nshared = 0;
	int a, d;

	if (o->kind != m->kind || strcmp(o->uuid, m->uuid) == 0)
		return 0;
	ap_mask_and(&sa, &o->apm, &m->apm);
	ap_mask_and(&sd, &o->aqm, &m->aqm);
	if (ap_mask_is_empty(&sa) || ap_mask_is_empty(&sd))
		return 0;
	ap_mask_for_each(a, &sa)
		ap_mask_for_each(d, &sd)
			append_apqn(shared, sizeof(shared), a, d, &nshared);
	return vm_error_set(
		err, VM_EXIT_REFUSED, EADDRINUSE,
		"cannot give APQN%s %s to mdev %s: %s mdev %s holds %s (an APQN belongs to one mdev; remove it with 'virt-mdev remove %s%s', or pick other adapters or domains)",
		nshared > 1 ? "s" : "", shared, m->uuid,
		o->active && o->defined ? "active, defined" :
		o->active		? "active" :
					  "defined",
		o->uuid, nshared > 1 ? "them" : "it", o->uuid,
		o->defined ? " --undefine" : "");
}

/* "-0x5,-0x6": the ids as chzdev's relative removals (each entry signed, strtoul base 0) */
static char *chzdev_removals(const struct ap_mask *m)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *sep = "";
	int bit;

	if (!f)
		return NULL;
	ap_mask_for_each(bit, m) {
		fprintf(f, "%s-0x%x", sep, (unsigned)bit);
		sep = ",";
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * ap-check, for a define or modify of an autostart device
 * (check_cfg_mask_conflicts): no APQN of it may be kept for the host by the
 * masks of the next boot, chzdev's persistent ones over the active ones.
 */
static int boot_conflicts(const struct ap_host *h, const struct mdev_spec *m,
			  struct vm_error *err)
{
	_cleanup_free_ char *al = NULL, *dl = NULL, *va = NULL, *vd = NULL;
	struct reserved r;

	if (!h->boot.file)
		return 0;
	if (h->boot_unreadable)
		return vm_error_set(err, VM_EXIT_REFUSED, EINVAL,
				    "cannot check mdev %s for boot: %s",
				    m->uuid, h->boot_why);
	reserved_by(&h->boot.apmask, &h->boot.aqmask, m, &r);
	if (!r.n)
		return 0;
	al = chzdev_removals(&r.adapters);
	dl = chzdev_removals(&r.domains);
	/* ap reserve --persistent frees them now and at boot: the one fix for both */
	va = ap_mask_format_list(ap_mask_is_empty(&r.adapters) ? &m->apm :
								 &r.adapters);
	vd = ap_mask_format_list(ap_mask_is_empty(&r.domains) ? &m->aqm :
								&r.domains);
	return vm_error_set(
		err, VM_EXIT_REFUSED, EADDRNOTAVAIL,
		"cannot start mdev %s at boot: APQN%s %s stay%s with the host's drivers after a boot, by the persistent masks of /etc/udev/rules.d/%s (chzdev's); free %s persistently first ('virt-mdev ap reserve --persistent --adapters %s --domains %s', or 'chzdev --type ap%s%s%s%s --persistent'), or leave out --autostart",
		m->uuid, r.n > 1 ? "s" : "", r.apqns, r.n > 1 ? "" : "s",
		AP_RULES_FILE, r.n > 1 ? "them" : "it", va ? va : "",
		vd ? vd : "", al && *al ? " apmask=" : "", al && *al ? al : "",
		dl && *dl ? " aqmask=" : "", dl && *dl ? dl : "");
}

/*
 * The masks after a boot: chzdev's udev rule writes the ones its file
 * names (tests/sim/sim-reboot.sh, virt-mdev-sim run --boot, applies its
 * ATTR lines as udev does); a mask it does not name stays the kernel's
 * default, every bit set (drivers/s390/crypto/ap_bus.c ap_perms_init:
 * memset 0xff, then the ap.apmask=/ap.aqmask= kernel parameters, which
 * virt-mdev does not read). by: which of the two, for messages.
 */
static int reboot_masks(const struct ap_host *h, struct ap_mask *apm,
			struct ap_mask *aqm, const char **by,
			struct vm_error *err)
{
	if (h->boot_unreadable)
		return vm_error_set(err, VM_EXIT_REFUSED, EINVAL, "%s",
				    h->boot_why);
	ap_mask_fill(apm);
	ap_mask_fill(aqm);
	if (h->boot.file && h->boot.from_file_apmask)
		*apm = h->boot.apmask;
	if (h->boot.file && h->boot.from_file_aqmask)
		*aqm = h->boot.aqmask;
	*by = h->boot.file ?
		      "by the persistent masks of /etc/udev/rules.d/" AP_RULES_FILE
		      " (chzdev's)" :
		      "by the kernel's default masks (there is no /etc/udev/rules.d/" AP_RULES_FILE
		      ", chzdev's persistent masks)";
	return 0;
}

static int ap_boot_ready(const struct sysfs *s, const struct mdev_spec *m,
			 struct vm_error *err)
{
	_cleanup_ap_host_ struct ap_host h = { 0 };
	_cleanup_free_ char *al = NULL, *dl = NULL;
	struct ap_mask apm, aqm;
	struct reserved r;
	const char *by = ""; /* reboot_masks sets it; gcc 14 cannot see that */

	if (ap_read_host(s, &h, err) < 0 ||
	    reboot_masks(&h, &apm, &aqm, &by, err) < 0)
		return vm_error_errno(err);
	reserved_by(&apm, &aqm, m, &r);
	if (!r.n)
		return 0;
	al = ap_mask_format_list(ap_mask_is_empty(&r.adapters) ? &m->apm :
								 &r.adapters);
	dl = ap_mask_format_list(ap_mask_is_empty(&r.domains) ? &m->aqm :
								&r.domains);
	return vm_error_set(
		err, VM_EXIT_REFUSED, EADDRNOTAVAIL,
		"APQN%s %s stay%s with the host's drivers after a boot, %s, so mdevctl cannot start the mdev on %s (free %s persistently: 'virt-mdev ap reserve --persistent --adapters %s --domains %s')",
		r.n > 1 ? "s" : "", r.apqns, r.n > 1 ? "" : "s", by,
		r.n > 1 ? "them" : "it", r.n > 1 ? "them" : "it", al ? al : "",
		dl ? dl : "");
}

/* the masks now and after a boot, and the queues that change hands at boot */
static void ap_boot_host(const struct sysfs *s, kind_boot_fn fn, void *opaque)
{
	_cleanup_ap_host_ struct ap_host h = { 0 };
	_cleanup_free_ char *back = NULL, *away = NULL;
	struct vm_error err = { 0 };
	struct ap_mask apm, aqm;
	char now[2 * AP_MASK_STRLEN + 16], after[2 * AP_MASK_STRLEN + 16];
	char na[AP_MASK_STRLEN], nq[AP_MASK_STRLEN], ba[AP_MASK_STRLEN],
		bq[AP_MASK_STRLEN];
	size_t nback = 0, naway = 0, lback = 0, laway = 0;
	FILE *fb, *fa;
	_cleanup_free_ char *msg = NULL;
	const char *by = ""; /* reboot_masks sets it; gcc 14 cannot see that */

	if (ap_read_host(s, &h, &err) < 0 ||
	    reboot_masks(&h, &apm, &aqm, &by, &err) < 0)
		return;
	if (ap_mask_equal(&apm, &h.apmask) && ap_mask_equal(&aqm, &h.aqmask))
		return;
	fb = open_memstream(&back, &lback);
	fa = open_memstream(&away, &laway);
	for (size_t i = 0; fb && fa && i < h.nqueues; i++) {
		const struct apqn *q = &h.queues[i].apqn;
		bool was = ap_reserved(&h.apmask, &h.aqmask, q),
		     will = ap_reserved(&apm, &aqm, q);

		if (was == will)
			continue;
		fprintf(will ? fb : fa, "%s%s",
			(will ? nback : naway) ? " " : "", h.queues[i].name);
		*(will ? &nback : &naway) += 1;
	}
	if (fb)
		fclose(fb);
	if (fa)
		fclose(fa);
	if (!back || !away)
		return;
	ap_mask_format(&h.apmask, na);
	ap_mask_format(&h.aqmask, nq);
	ap_mask_format(&apm, ba);
	ap_mask_format(&aqm, bq);
	snprintf(now, sizeof(now), "apmask=%s aqmask=%s", na, nq);
	snprintf(after, sizeof(after), "apmask=%s aqmask=%s", ba, bq);
	if (asprintf(
		    &msg,
		    "the AP masks after a boot are not the ones now (now %s; after a boot %s), %s%s%s%s%s%s%s%s%s%s",
		    now, after, by,
		    nback ? ": queues back to the host's drivers then: " : "",
		    back, nback ? " ('virt-mdev ap reserve --persistent " : "",
		    back, nback ? "' keeps them free)" : "",
		    naway ? (nback ? "; queues" : ": queues") : "",
		    naway ? " taken from the host's drivers then: " : "", away,
		    naway ? " ('virt-mdev ap release --persistent' of them keeps them with the host)" :
			    "") < 0)
		return;
	fn(opaque, "AP masks", now, after, msg);
}

static int ap_check_boot(const struct kind_host *kh, const struct mdev_spec *m,
			 struct vm_error *err)
{
	return boot_conflicts(&((const struct ap_kind_host *)kh)->ap, m, err);
}

static int ap_check_create(const struct kind_host *kh,
			   const struct mdev_spec *m,
			   const struct mdev_list *mdevs, struct vm_error *err)
{
	const struct ap_host *h = &((const struct ap_kind_host *)kh)->ap;

	if (check_ids(h, m, err) < 0 || check_reserved(h, m, err) < 0)
		return vm_error_errno(err);
	for (size_t i = 0; mdevs && i < mdevs->n; i++)
		if (check_overlap(m, &mdevs->v[i], err) < 0)
			return vm_error_errno(err);
	return 0;
}

/* one attribute of a definition as the kernel will take it when mdevctl starts the mdev: "" when fine */
static void attr_problem(const struct mdev_attr *a, size_t n, char *msg,
			 size_t size)
{
	const char *what[] = { "adapter", "domain", "control domain" };
	const char *digits = a->value + (a->value[0] == '+');
	unsigned long id, dec;
	bool assign;
	int k = ap_attr_store(a->name, &assign), r;

	msg[0] = '\0';
	if (k < 0) {
		snprintf(
			msg, size,
			"its definition's attrs[%zu] '%s' is none of vfio_ap's assign_* and unassign_* files: mdevctl start writes it and fails where the kernel has no such file (virt-mdev keeps it as written, outside the matrix it shows)",
			n, a->name);
		return;
	}
	r = ap_parse_id(a->value, &id);
	if (r < 0) {
		snprintf(
			msg, size,
			"its definition's attrs[%zu] %s '%s' is no number the kernel reads (%s: kstrtoul takes decimal, 0x and hex, or a leading 0 and octal digits): mdevctl start fails at it",
			n, a->name, a->value,
			r == -ERANGE ? "ERANGE" : "EINVAL");
		return;
	}
	if (id > AP_ID_MAX) {
		snprintf(
			msg, size,
			"its definition's attrs[%zu] %s '%s' is %s %lu (0x%lx), beyond the highest AP id 255: the kernel refuses it (ENODEV), and mdevctl start fails at it",
			n, a->name, a->value, what[k], id, id);
		return;
	}
	/* a leading 0: octal to the kernel; a problem where it reads other than it looks */
	errno = 0;
	dec = strtoul(digits, NULL, 10);
	if (digits[0] == '0' && digits[1] >= '0' && digits[1] <= '7' &&
	    (errno || dec != id))
		snprintf(
			msg, size,
			"its definition's attrs[%zu] %s '%s' is octal to the kernel (a leading 0): %s %lu (0x%lx), not %lu (write '0x%lx' for %lu, or '%lu' for %lu)",
			n, a->name, a->value, what[k], id, id, dec, id, id, dec,
			dec);
}

extern const struct mdev_kind kind_ap;
static void half_configured(const struct mdev_info *i, kind_problem_fn fn,
			    void *opaque);

static void ap_validate(const struct sysfs *s, const struct mdev_info *i,
			const struct mdev_list *all, struct kind_host **shared,
			kind_problem_fn fn, void *opaque)
{
	const struct ap_host *ap;
	struct vm_error e = { 0 };
	struct mdev_spec m;

	for (size_t n = 0; i->def && n < i->def->nattrs; n++) {
		char msg[512];

		attr_problem(&i->def->attrs[n], n, msg, sizeof(msg));
		if (msg[0])
			fn(opaque, i->uuid, msg);
	}

	if (strcmp(i->type, i->kind->mdev_type) != 0) {
		char msg[256];

		snprintf(
			msg, sizeof(msg),
			"type '%s' does not exist on the vfio_ap matrix (its type is %s)",
			i->type, i->kind->mdev_type);
		fn(opaque, i->uuid, msg);
	}
	/* the AP bus is the same for every vfio-ap mdev: read once */
	mdev_spec_from_info(i, &m);
	if (!*shared && ap_host_read(s, &m, shared, &e) < 0) {
		char msg[256];

		snprintf(
			msg, sizeof(msg),
			"this host has no AP bus or vfio_ap matrix: the mdev cannot start (load vfio_ap: 'modprobe vfio_ap'; or remove the stale definition: 'virt-mdev remove %s --undefine')",
			i->uuid);
		fn(opaque, i->uuid, msg);
		return;
	}
	ap = &((const struct ap_kind_host *)*shared)->ap;
	/*
	 * a definition that starts at boot, against the masks of the next
	 * boot, first: its fix (ap reserve --persistent) frees the APQNs now too
	 */
	if (i->defined && i->autostart && boot_conflicts(ap, &m, &e) < 0)
		fn(opaque, i->uuid, e.msg);
	/* ids, control domains, reservation: against no other mdev */
	vm_error_clear(&e);
	if (check_ids(ap, &m, &e) < 0 || check_reserved(ap, &m, &e) < 0)
		fn(opaque, i->uuid, e.msg);
	/* every overlap with another mdev (each side reports it) */
	for (size_t j = 0; j < all->n; j++) {
		vm_error_clear(&e);
		if (check_overlap(&m, &all->v[j], &e) < 0)
			fn(opaque, i->uuid, e.msg);
	}
	half_configured(i, fn, opaque);
}

/* the matrix a definition gives an mdev when mdevctl starts it: its attributes applied in order */
static void defined_matrix(const struct mdev_info *i, struct mdev_spec *out)
{
	struct mdev_info d = { .kind = i->kind };

	for (size_t n = 0; n < i->def->nattrs; n++)
		(void)ap_read_attr(&d, i->def->attrs[n].name,
				   i->def->attrs[n].value);
	memset(out, 0, sizeof(*out));
	out->apm = d.apm;
	out->aqm = d.aqm;
	out->adm = d.adm;
}

/*
 * An active mdev whose matrix is not the one it is meant to have, as an
 * assign or start interrupted between create and the configure writes
 * leaves it: not its definition's, or, without one, no APQN at all.
 */
static void half_configured(const struct mdev_info *i, kind_problem_fn fn,
			    void *opaque)
{
	struct mdev_spec have, def;
	char diff[512] = "", msg[1024];

	if (!i->active)
		return;
	mdev_spec_from_info(i, &have);
	if (i->def) {
		defined_matrix(i, &def);
		if (ap_same_config(&have, &def))
			return;
		diff_mask_as(diff, sizeof(diff), "adapters", &have.apm,
			     &def.apm, "defined");
		diff_mask_as(diff, sizeof(diff), "domains", &have.aqm, &def.aqm,
			     "defined");
		diff_mask_as(diff, sizeof(diff), "control domains", &have.adm,
			     &def.adm, "defined");
		snprintf(
			msg, sizeof(msg),
			"it is active with another matrix than its definition's (%s): half-made, as an interrupted assign or start leaves it (start it afresh from its definition: 'virt-mdev stop %s && virt-mdev start %s')",
			diff, i->uuid, i->uuid);
		fn(opaque, i->uuid, msg);
		return;
	}
	if (!ap_mask_is_empty(&have.apm) && !ap_mask_is_empty(&have.aqm))
		return;
	{
		_cleanup_free_ char *al = ap_mask_format_list(&have.apm);
		_cleanup_free_ char *dl = ap_mask_format_list(&have.aqm);

		snprintf(
			msg, sizeof(msg),
			"it is active with no APQN (adapters %s, domains %s), so a guest gets no crypto from it: half-made, as an interrupted assign leaves it (remove it: 'virt-mdev remove %s'; or give it its APQNs by running the assign again with --uuid %s)",
			al && *al ? al : "none", dl && *dl ? dl : "none",
			i->uuid, i->uuid);
	}
	fn(opaque, i->uuid, msg);
}

/*
 * Is the queue free because of an mdev of the list, active or defined (its
 * definition's matrix too)? Freeing an mdev's adapters and domains frees
 * every queue of those adapters and of those domains (a queue stays with
 * the host only while both its bits are set: kernel-sysfs.md 3.4, and
 * drivers/s390/crypto/ap_bus.c's ap_owned_by_def_drv), so a
 * queue is explained by an mdev that has its adapter or its domain.
 */
static bool explained(const struct mdev_list *all, const struct apqn *q)
{
	for (size_t i = 0; i < all->n; i++) {
		const struct mdev_info *o = &all->v[i];
		struct mdev_spec def;

		if (o->kind != &kind_ap)
			continue;
		if (ap_mask_test(&o->apm, q->apid) ||
		    ap_mask_test(&o->aqm, q->apqi))
			return true;
		if (!o->def)
			continue;
		defined_matrix(o, &def);
		if (ap_mask_test(&def.apm, q->apid) ||
		    ap_mask_test(&def.aqm, q->apqi))
			return true;
	}
	return false;
}

/*
 * The host's queues that apmask/aqmask free from its drivers but that no
 * mdev or definition holds: what an assign interrupted before it made the
 * mdev, or an unassign after it removed it, leaves; and what 'ap reserve'
 * leaves on purpose. The two cannot be told apart: a note, not a problem.
 */
static void ap_validate_host(const struct sysfs *s, const struct mdev_list *all,
			     struct kind_host **shared, kind_finding_fn fn,
			     void *opaque)
{
	struct mdev_spec none = { .kind = &kind_ap };
	struct vm_error e = { 0 };
	struct ap_mask adapters, domains, freed_a, freed_d;
	char apqns[256] = "", object[300], msg[1024];
	unsigned n = 0;
	const struct ap_host *h;

	if (!*shared && ap_host_read(s, &none, shared, &e) < 0)
		return; /* no AP bus: nothing freed */
	h = &((const struct ap_kind_host *)*shared)->ap;
	ap_mask_zero(&adapters);
	ap_mask_zero(&domains);
	for (size_t i = 0; i < h->nqueues; i++) {
		const struct apqn *q = &h->queues[i].apqn;

		if (ap_reserved(&h->apmask, &h->aqmask, q) || explained(all, q))
			continue;
		append_apqn(apqns, sizeof(apqns), q->apid, q->apqi, &n);
		ap_mask_set(&adapters, q->apid);
		ap_mask_set(&domains, q->apqi);
	}
	if (!n)
		return;
	/* the release names the ids the masks lack; where none, the queues' own (no step) */
	ap_mask_andnot(&freed_a, &adapters, &h->apmask);
	ap_mask_andnot(&freed_d, &domains, &h->aqmask);
	if (!ap_mask_is_empty(&freed_a))
		adapters = freed_a;
	if (!ap_mask_is_empty(&freed_d))
		domains = freed_d;
	{
		_cleanup_free_ char *al = ap_mask_format_list(&adapters);
		_cleanup_free_ char *dl = ap_mask_format_list(&domains);

		snprintf(object, sizeof(object), "APQN%s %s", n > 1 ? "s" : "",
			 apqns);
		snprintf(
			msg, sizeof(msg),
			"free of the host's drivers (apmask/aqmask), but no mdev or definition holds %s: an interrupted assign or unassign leaves %s so, and so does 'ap reserve' on purpose (if no one keeps %s for a guest, give %s back to the host: 'virt-mdev ap release --adapters %s --domains %s')",
			n > 1 ? "them" : "it", n > 1 ? "them" : "it",
			n > 1 ? "them" : "it", n > 1 ? "them" : "it",
			al ? al : "", dl ? dl : "");
	}
	fn(opaque, object, true, msg);
}

static bool ap_host_devno(const struct sysfs *s, const char *parent,
			  struct guest_devno *out)
{
	(void)s;
	(void)parent;
	(void)out;
	return false; /* a vfio-ap device has no ccw address */
}

/* ---- output ---- */

/* the existing queues the preparation takes from the host, and those of them not in m's matrix */
static void ap_leaving_json(struct json_object *o, const struct ap_host *h,
			    const struct ap_mask *apm,
			    const struct ap_mask *aqm,
			    const struct mdev_spec *m)
{
	struct json_object *all = json_object_new_array();
	struct json_object *others = json_object_new_array();

	for (size_t i = 0; i < h->nqueues; i++) {
		const struct apqn *q = &h->queues[i].apqn;

		if (!ap_reserved(apm, aqm, q) ||
		    ap_reserved(&h->apmask, &h->aqmask, q))
			continue;
		json_object_array_add(
			all, json_object_new_string(h->queues[i].name));
		if (!ap_mask_test(&m->apm, q->apid) ||
		    !ap_mask_test(&m->aqm, q->apqi))
			json_object_array_add(
				others,
				json_object_new_string(h->queues[i].name));
	}
	json_object_object_add(o, "leaving_host", all);
	json_object_object_add(o, "leaving_host_not_asked", others);
}

static void ap_result_json(struct json_object *o, const struct mdev_spec *m,
			   const struct kind_host *kh)
{
	if (kh) {
		/* after a preparation (assign): the masks the steps leave */
		const struct ap_host *h =
			&((const struct ap_kind_host *)kh)->ap;
		char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

		const struct ap_kind_host *k = (const struct ap_kind_host *)kh;

		ap_mask_format(&h->apmask, am);
		ap_mask_format(&h->aqmask, qm);
		json_object_object_add(o, "apmask", json_object_new_string(am));
		json_object_object_add(o, "aqmask", json_object_new_string(qm));
		if (k->prepared)
			ap_leaving_json(o, h, &k->apm_before, &k->aqm_before,
					m);
		return;
	}
	{
		_cleanup_free_ char *al = ap_mask_format_list(&m->apm);
		_cleanup_free_ char *dl = ap_mask_format_list(&m->aqm);
		_cleanup_free_ char *cl = ap_mask_format_list(&m->adm);

		json_object_object_add(o, "adapters",
				       json_object_new_string(al ? al : ""));
		json_object_object_add(o, "domains",
				       json_object_new_string(dl ? dl : ""));
		json_object_object_add(o, "control_domains",
				       json_object_new_string(cl ? cl : ""));
	}
}

extern const struct mdev_kind kind_ap;

/* every APQN of the matrix, adapters x domains */
static void ap_col_apqns(const void *ctx, const void *row, struct cell *c)
{
	const struct mdev_info *i = row;
	int x, y;

	(void)ctx;
	if (i->kind != &kind_ap)
		return; /* another kind's mdev has no APQNs */
	cell_array(c);
	ap_mask_for_each(x, &i->apm)
		ap_mask_for_each(y, &i->aqm) {
			char name[APQN_STRLEN];
			struct apqn q = { (uint8_t)x, (uint8_t)y };

			apqn_format(&q, name);
			cell_add(c, name);
		}
}

static void ap_col_control_domains(const void *ctx, const void *row,
				   struct cell *c)
{
	const struct mdev_info *i = row;

	(void)ctx;
	if (i->kind != &kind_ap)
		return;
	if (ap_mask_is_empty(&i->adm))
		cell_null(c);
	else
		cell_take(c, ap_mask_format_list(&i->adm));
}

static const struct column ap_list_columns[] = {
	{ "APQNS", "apqns", "apqns", COLUMN_ARRAY, 16, .sep = ",",
	  .long_sep = ",", .get = ap_col_apqns },
	{ NULL, "control domains", "control_domains", COLUMN_STRING, 0,
	  .get = ap_col_control_domains },
};

const struct mdev_kind kind_ap = {
	.name = "ap",
	.model = "vfio-ap",
	.mdev_type = "vfio_ap-passthrough",
	.parents = "the vfio_ap matrix",
	.prepared_hint = "the vfio_ap module loaded",
	.persist_note =
		"the APQNs stay free of the host's drivers at boot by chzdev's udev rule /etc/udev/rules.d/41-ap.rules ('lszdev --type ap --persistent' shows its masks)",
	.guest_ccw_address = false,
	.one_per_domain = true,
	.needs_ap_lock = true,
	.host_shared = true,
	.device_parse = NULL,
	.takes_ap_ids = true,
	.reservable = true,
	.plan_prepare_all = ap_plan_prepare_all,
	.plan_give_back = ap_plan_give_back,
	.device_name = ap_device_name,
	.owns_parent = ap_owns_parent,
	.where = ap_where,
	.nodedev_parent = ap_nodedev_parent,
	.create_path = ap_create_path,
	.device_path = ap_device_path,
	.read_active = ap_read_active,
	.read_attr = ap_read_attr,
	.attrs = ap_attrs,
	.same_config = ap_same_config,
	.config_diff = ap_config_diff,
	.plan_configure = ap_plan_configure,
	.target = ap_target,
	.host_read = ap_host_read,
	.host_free = ap_host_free,
	.plan_prepare = ap_plan_prepare,
	.plan_release = ap_plan_release,
	.device_mdev = ap_device_mdev,
	.check_create = ap_check_create,
	.check_boot = ap_check_boot,
	.boot_ready = ap_boot_ready,
	.boot_host = ap_boot_host,
	.validate = ap_validate,
	.validate_host = ap_validate_host,
	.config_part = ap_config_part,
	.plan_complete = ap_plan_complete,
	.plan_reconfigure = ap_plan_reconfigure,
	.host_devno = ap_host_devno,
	.result_json = ap_result_json,
	.list_columns = ap_list_columns,
	.nlist_columns = ARRAY_SIZE(ap_list_columns),
};
