/* virt-mdev-sim's kernel, AP bus and vfio_ap (kernel-sysfs.md 3): cards, queues, masks, bindings, matrix mdevs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmask.h"
#include "model-internal.h"

static const char *const ap_qdrv_names[AP_QDRV__LAST] = {
	[AP_QDRV_NONE] = NULL,
	[AP_QDRV_ZCRYPT] = "cex4queue",
	[AP_QDRV_VFIO] = "vfio_ap",
};

static int show_mask(struct strbuf *out, const struct ap_mask *mask)
{
	char buf[AP_MASK_STRLEN];

	ap_mask_format(mask, buf);
	return strbuf_addf(out, "%s\n", buf);
}

/* ---- AP bus: cards, queues, masks (3.2-3.5) ----------------------------------- */

struct ap_queue *model_find_queue(const struct model *m, const struct apqn *q)
{
	for (size_t i = 0; i < m->ncards; i++) {
		struct ap_card *c = m->cards[i];

		if (c->apid != q->apid)
			continue;
		for (size_t j = 0; j < c->nqueues; j++)
			if (c->queues[j].apqn.apqi == q->apqi)
				return &c->queues[j];
	}
	return NULL;
}

/* Is the APQN assigned to an mdev (in its apm x aqm)? */
static struct mdev *apqn_owner(const struct model *m, unsigned apid,
			       unsigned apqi, const struct mdev *except)
{
	for (struct mdev *d = m->mdevs; d; d = d->next)
		if (d != except && d->kind == MDEV_AP &&
		    ap_mask_test(&d->apm, apid) && ap_mask_test(&d->aqm, apqi))
			return d;
	return NULL;
}

static int queue_show_status(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;

	/* "in use" needs a running guest, which the simulator never has */
	return model_show_str(out, apqn_owner(model, q->apqn.apid, q->apqn.apqi,
					      NULL) ?
					   "assigned" :
					   "unassigned");
}

static int queue_show_online(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;

	(void)model;
	return strbuf_addf(out, "%d\n", q->online && q->card->online);
}

/* zcrypt queue online (3.5): 0 or 1; 1 while the card is offline is EINVAL. */
static int queue_store_online(void *model, void *obj, const char *buf,
			      size_t len)
{
	struct ap_queue *q = obj;
	unsigned long v;

	(void)model;
	(void)len;
	if (sim_kstrtoul(buf, &v) < 0 || v > 1)
		return -EINVAL;
	if (v && !q->card->online)
		return -EINVAL;
	q->online = v;
	return 0;
}

static int queue_show_interrupt(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "Interrupts enabled.");
}

static int queue_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;
	const char *drv = ap_qdrv_names[q->driver];

	(void)model;
	if (drv && strbuf_addf(out, "DRIVER=%s\n", drv) < 0)
		return -ENOMEM;
	return strbuf_addf(out,
			   "DEV_TYPE=%02X\nMODALIAS=ap:t%02X\nMODE=accel\n",
			   q->card->hwtype, q->card->hwtype);
}

static int queue_store_uevent(void *model, void *obj, const char *buf,
			      size_t len)
{
	(void)len;
	return model_uevent_store(model, ((struct ap_queue *)obj)->dir, "ap",
				  NULL, buf);
}

static const struct vfs_attr queue_attrs[] = {
	{ "request_count", 0644, model_show_zero, NULL },
	{ "requestq_count", 0444, model_show_zero, NULL },
	{ "pendingq_count", 0444, model_show_zero, NULL },
	{ "interrupt", 0444, queue_show_interrupt, NULL },
	{ "config", 0644, model_show_one, NULL },
	{ "chkstop", 0444, model_show_zero, NULL },
	{ "uevent", 0644, queue_show_uevent, queue_store_uevent },
};
static const struct vfs_attr queue_zcrypt_attr = { "online", 0644,
						   queue_show_online,
						   queue_store_online };
static const struct vfs_attr queue_vfio_attr = { "status", 0444,
						 queue_show_status, NULL };

/* Bind a queue to what the masks say (3.4): the host's driver when reserved, else vfio_ap. */
static int queue_bind(struct model *m, struct ap_queue *q)
{
	bool reserved = ap_mask_test(&m->apmask, q->apqn.apid) &&
			ap_mask_test(&m->aqmask, q->apqn.apqi);
	enum ap_queue_driver want = reserved		  ? AP_QDRV_ZCRYPT :
				    q->card->hwtype >= 10 ? AP_QDRV_VFIO :
							    AP_QDRV_NONE;
	char name[APQN_STRLEN], path[64];

	if (want == q->driver)
		return 0;
	apqn_format(&q->apqn, name);
	if (q->driver != AP_QDRV_NONE) {
		snprintf(path, sizeof(path), "bus/ap/drivers/%s",
			 ap_qdrv_names[q->driver]);
		vfs_remove(&m->vfs, model_dir(m, path), name);
		vfs_remove(&m->vfs, q->dir, "driver");
		vfs_remove(&m->vfs, q->dir, "online");
		vfs_remove(&m->vfs, q->dir, "status");
		q->driver = AP_QDRV_NONE;
		model_emit(m, "unbind", q->dir, "ap", NULL);
	}
	if (want == AP_QDRV_NONE)
		return 0;
	q->driver = want;
	snprintf(path, sizeof(path), "bus/ap/drivers/%s", ap_qdrv_names[want]);
	CHECK(vfs_add_link(&m->vfs, model_dir(m, path), name,
			   "devices/ap/card%02x/%s", q->apqn.apid, name));
	CHECK(vfs_add_link(&m->vfs, q->dir, "driver", "%s", path));
	if (want == AP_QDRV_ZCRYPT)
		CHECK(vfs_add_file(&m->vfs, q->dir, &queue_zcrypt_attr, q));
	else if (m->kernel.queue_status)
		CHECK(vfs_add_file(&m->vfs, q->dir, &queue_vfio_attr, q));
	model_emit_bind(m, q->dir, "ap", ap_qdrv_names[want]);
	return 0;
}

/* ap_bus_revise_bindings: reprobe every queue whose ownership flipped. */
static int revise_bindings(struct model *m)
{
	for (size_t i = 0; i < m->ncards; i++)
		for (size_t j = 0; j < m->cards[i]->nqueues; j++)
			if (queue_bind(m, &m->cards[i]->queues[j]) < 0)
				return -ENOMEM;
	return 0;
}

static int card_show_hwtype(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", ((struct ap_card *)obj)->hwtype);
}

static int card_show_raw_hwtype(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%u\n", ((struct ap_card *)obj)->raw_hwtype);
}

static int card_show_functions(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "0x%08X\n", ((struct ap_card *)obj)->functions);
}

static int card_show_modalias(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "ap:t%02X\n", ((struct ap_card *)obj)->hwtype);
}

static int card_show_type(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return model_show_str(out, ((struct ap_card *)obj)->type);
}

static int card_show_online(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", ((struct ap_card *)obj)->online);
}

static int card_store_online(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ap_card *c = obj;
	unsigned long v;

	(void)model;
	(void)len;
	if (sim_kstrtoul(buf, &v) < 0 || v > 1)
		return -EINVAL;
	c->online = v;
	return 0;
}

static int card_show_depth(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "8");
}

static int card_show_max_msg_size(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "12288");
}

static int card_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ap_card *c = obj;

	(void)model;
	return strbuf_addf(
		out,
		"DRIVER=cex4card\nDEV_TYPE=%02X\nMODALIAS=ap:t%02X\nMODE=accel\n",
		c->hwtype, c->hwtype);
}

static int card_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	(void)len;
	return model_uevent_store(model, ((struct ap_card *)obj)->dir, "ap",
				  NULL, buf);
}

static const struct vfs_attr card_attrs[] = {
	{ "hwtype", 0444, card_show_hwtype, NULL },
	{ "raw_hwtype", 0444, card_show_raw_hwtype, NULL },
	{ "depth", 0444, card_show_depth, NULL },
	{ "ap_functions", 0444, card_show_functions, NULL },
	{ "request_count", 0644, model_show_zero, NULL },
	{ "requestq_count", 0444, model_show_zero, NULL },
	{ "pendingq_count", 0444, model_show_zero, NULL },
	{ "modalias", 0444, card_show_modalias, NULL },
	{ "config", 0644, model_show_one, NULL },
	{ "chkstop", 0444, model_show_zero, NULL },
	{ "max_msg_size", 0444, card_show_max_msg_size, NULL },
	{ "type", 0444, card_show_type, NULL },
	{ "online", 0644, card_show_online, card_store_online },
	{ "uevent", 0644, card_show_uevent, card_store_uevent },
};

/* Put c into m->cards, kept sorted by apid; frees c when out of memory. */
static int card_insert(struct model *m, struct ap_card *c)
{
	struct ap_card **a = realloc(m->cards, (m->ncards + 1) * sizeof(*a));
	size_t at = m->ncards;

	if (!a) {
		free(c);
		m->broken = -ENOMEM;
		return -ENOMEM;
	}
	m->cards = a;
	while (at > 0 && m->cards[at - 1]->apid > c->apid)
		at--;
	memmove(m->cards + at + 1, m->cards + at,
		(m->ncards - at) * sizeof(*m->cards));
	m->cards[at] = c;
	m->ncards++;
	return 0;
}

/* The card's directory below devices/ap, bound to cex4card, and its add event. */
static int card_register(struct model *m, struct ap_card *c)
{
	char name[16];

	snprintf(name, sizeof(name), "card%02x", c->apid);
	CHECK(c->dir = vfs_add_dir(&m->vfs, model_dir(m, "devices/ap"), name));
	if (model_add_attrs(m, c->dir, card_attrs, ARRAY_SIZE(card_attrs), c) <
	    0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, c->dir, "subsystem", "bus/ap"));
	CHECK(vfs_add_link(&m->vfs, c->dir, "driver",
			   "bus/ap/drivers/cex4card"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ap/drivers/cex4card"),
			   name, "devices/ap/%s", name));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ap/devices"), name,
			   "devices/ap/%s", name));
	model_emit(m, "add", c->dir, "ap", NULL);
	return 0;
}

/* The card's queue in domain apqi: its directory, its add event, its driver by the masks. */
static int queue_add(struct model *m, struct ap_card *c, int apqi)
{
	struct ap_queue *q = &c->queues[c->nqueues++];
	char qname[APQN_STRLEN];

	if ((unsigned)apqi > m->max_domain_id)
		return -ERANGE;
	q->apqn = (struct apqn){ c->apid, (uint8_t)apqi };
	q->card = c;
	q->online = true;
	apqn_format(&q->apqn, qname);
	CHECK(q->dir = vfs_add_dir(&m->vfs, c->dir, qname));
	if (model_add_attrs(m, q->dir, queue_attrs, ARRAY_SIZE(queue_attrs),
			    q) < 0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, q->dir, "subsystem", "bus/ap"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ap/devices"), qname,
			   "devices/ap/%s/%s", c->dir->name, qname));
	model_emit(m, "add", q->dir, "ap", NULL);
	if (queue_bind(m, q) < 0)
		return -ENOMEM;
	return 0;
}

int model_add_card(struct model *m, uint8_t apid, unsigned hwtype,
		   const char *type, const struct ap_mask *domains)
{
	struct ap_card *c;
	int bit, r;

	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->apid == apid)
			return -EEXIST;
	if (apid > m->max_adapter_id)
		return -ERANGE;
	CHECK(c = calloc(1, sizeof(*c)));
	c->apid = apid;
	c->hwtype = hwtype;
	c->raw_hwtype = hwtype;
	c->functions =
		0x92000000; /* accelerator, as a CEX card in accel mode shows */
	c->online = true;
	c->model = m;
	snprintf(c->type, sizeof(c->type), "%s", type);
	r = card_insert(m, c);
	if (r < 0)
		return r;
	r = card_register(m, c);
	if (r < 0)
		return r;
	CHECK(c->queues =
		      calloc(ap_mask_count(domains) + 1, sizeof(*c->queues)));
	ap_mask_for_each(bit, domains) {
		r = queue_add(m, c, bit);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The commit check of a mask write (3.3): bits newly set may not take APQNs from an mdev. */
static bool mask_change_in_use(const struct model *m, const struct ap_mask *apm,
			       const struct ap_mask *aqm)
{
	int a, d;

	ap_mask_for_each(a, apm)
		ap_mask_for_each(d, aqm)
			if (apqn_owner(m, (unsigned)a, (unsigned)d, NULL))
				return true;
	return false;
}

static int bus_store_mask(struct model *m, bool adapters, const char *buf)
{
	struct ap_mask *mask = adapters ? &m->apmask : &m->aqmask;
	struct ap_mask newmask = *mask, added;
	char value[AP_MASK_STRLEN + 16];
	int r;

	r = sim_ap_mask_store(&newmask, buf);
	if (r < 0)
		return r;
	if (ap_mask_equal(&newmask, mask))
		return 0;
	ap_mask_andnot(&added, &newmask, mask);
	if (adapters ? mask_change_in_use(m, &added, &m->aqmask) :
		       mask_change_in_use(m, &m->apmask, &added))
		return -EBUSY;
	*mask = newmask;
	r = revise_bindings(m);
	ap_mask_format(mask, value + 7);
	memcpy(value, adapters ? "APMASK=" : "AQMASK=", 7);
	model_emit(m, "change", model_dir(m, "devices/ap"), "ap", value);
	return r;
}

static int bus_show_apmask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->apmask);
}

static int bus_store_apmask(void *model, void *obj, const char *buf, size_t len)
{
	(void)obj;
	(void)len;
	return bus_store_mask(model, true, buf);
}

static int bus_show_aqmask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->aqmask);
}

static int bus_store_aqmask(void *model, void *obj, const char *buf, size_t len)
{
	(void)obj;
	(void)len;
	return bus_store_mask(model, false, buf);
}

static int bus_show_max_adapter(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%u\n",
			   ((struct model *)model)->max_adapter_id);
}

static int bus_show_max_domain(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%u\n", ((struct model *)model)->max_domain_id);
}

static int bus_show_adapter_mask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->adapter_mask);
}

static int bus_show_usage_mask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->usage_domain_mask);
}

static int bus_show_control_mask(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return show_mask(out, &((struct model *)model)->control_domain_mask);
}

static int bus_show_bindings(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;
	unsigned total = 0, bound = 0;

	(void)obj;
	for (size_t i = 0; i < m->ncards; i++) {
		for (size_t j = 0; j < m->cards[i]->nqueues; j++) {
			total++;
			bound += m->cards[i]->queues[j].driver != AP_QDRV_NONE;
		}
	}
	return strbuf_addf(out, "%u/%u%s\n", bound, total,
			   bound == total ? " (complete)" : "");
}

static int bus_show_features(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "APSC APXA QACT RC8A APSB");
}

static int bus_show_ap_domain(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%d\n", ((struct model *)model)->ap_domain);
}

/* ap_domain_store (3.2): "%i", within the maximum and in aqmask, else EINVAL. */
static int bus_store_ap_domain(void *model, void *obj, const char *buf,
			       size_t len)
{
	struct model *m = model;
	long v;
	char *end;

	(void)obj;
	(void)len;
	errno = 0;
	v = strtol(buf, &end, 0);
	if (end == buf || errno || v < 0 ||
	    (unsigned long)v > m->max_domain_id ||
	    !ap_mask_test(&m->aqmask, (unsigned)v))
		return -EINVAL;
	m->ap_domain = (int)v;
	return 0;
}

static const struct vfs_attr ap_bus_attrs[] = {
	{ "apmask", 0644, bus_show_apmask, bus_store_apmask },
	{ "aqmask", 0644, bus_show_aqmask, bus_store_aqmask },
	{ "ap_max_adapter_id", 0444, bus_show_max_adapter, NULL },
	{ "ap_max_domain_id", 0444, bus_show_max_domain, NULL },
	{ "ap_adapter_mask", 0444, bus_show_adapter_mask, NULL },
	{ "ap_usage_domain_mask", 0444, bus_show_usage_mask, NULL },
	{ "ap_control_domain_mask", 0444, bus_show_control_mask, NULL },
	{ "ap_domain", 0644, bus_show_ap_domain, bus_store_ap_domain },
	{ "ap_interrupts", 0444, model_show_one, NULL },
	{ "bindings", 0444, bus_show_bindings, NULL },
	{ "features", 0444, bus_show_features, NULL },
	{ "scans", 0644, model_show_one, model_store_nothing },
};

int model_set_masks(struct model *m, const struct ap_mask *apmask,
		    const struct ap_mask *aqmask)
{
	m->ap_domain = ap_mask_next(&m->usage_domain_mask, -1);
	m->apmask = *apmask;
	m->aqmask = *aqmask;
	return revise_bindings(m);
}

/* ---- vfio_ap matrix mdevs (3.6-3.9) -------------------------------------------- */

/* Validate a matrix as vfio_ap_mdev_validate_masks does: reservation by masks, then sharing. */
static int ap_matrix_validate(const struct model *m, const struct mdev *mdev,
			      const struct ap_mask *apm,
			      const struct ap_mask *aqm)
{
	int a, d;

	ap_mask_for_each(a, apm) {
		ap_mask_for_each(d, aqm) {
			if (m->kernel.guest_matrix) {
				if (ap_mask_test(&m->apmask, (unsigned)a) &&
				    ap_mask_test(&m->aqmask, (unsigned)d))
					return -EADDRNOTAVAIL;
			} else {
				/* older kernels: the queue must exist and be bound to vfio_ap */
				struct apqn q = { (uint8_t)a, (uint8_t)d };
				struct ap_queue *queue =
					model_find_queue(m, &q);

				if (!queue || queue->driver != AP_QDRV_VFIO)
					return -EADDRNOTAVAIL;
			}
		}
	}
	for (const struct mdev *o = m->mdevs; o; o = o->next) {
		struct ap_mask ia, iq;

		if (o == mdev || o->kind != MDEV_AP)
			continue;
		ap_mask_and(&ia, &o->apm, apm);
		ap_mask_and(&iq, &o->aqm, aqm);
		if (!ap_mask_is_empty(&ia) && !ap_mask_is_empty(&iq))
			return -EADDRINUSE;
	}
	return 0;
}

enum ap_field {
	AP_FIELD_ADAPTER,
	AP_FIELD_DOMAIN,
	AP_FIELD_CONTROL,
};

static int ap_assign(struct model *m, struct mdev *mdev, enum ap_field field,
		     bool assign, const char *buf)
{
	unsigned long id, max = field == AP_FIELD_ADAPTER ? m->max_adapter_id :
							    m->max_domain_id;
	struct ap_mask apm = mdev->apm, aqm = mdev->aqm;
	struct ap_mask *target = field == AP_FIELD_ADAPTER ? &mdev->apm :
				 field == AP_FIELD_DOMAIN  ? &mdev->aqm :
							     &mdev->adm;
	int r;

	r = sim_kstrtoul(buf, &id);
	if (r < 0)
		return r;
	if (id > max)
		return -ENODEV;
	if (ap_mask_test(target, (unsigned)id) == assign)
		return 0; /* idempotent */
	if (!assign || field == AP_FIELD_CONTROL) {
		/* unassign and control domains: no mask or sharing checks */
		if (assign)
			ap_mask_set(target, (unsigned)id);
		else
			ap_mask_clear(target, (unsigned)id);
		return 0;
	}
	if (field == AP_FIELD_ADAPTER)
		ap_mask_set(&apm, (unsigned)id);
	else
		ap_mask_set(&aqm, (unsigned)id);
	r = ap_matrix_validate(m, mdev, &apm, &aqm);
	if (r < 0)
		return r;
	mdev->apm = apm;
	mdev->aqm = aqm;
	return 0;
}

#define AP_ATTR_STORE(fn, field, assign)                                   \
	static int fn(void *model, void *obj, const char *buf, size_t len) \
	{                                                                  \
		(void)len;                                                 \
		return ap_assign(model, obj, field, assign, buf);          \
	}
AP_ATTR_STORE(ap_store_assign_adapter, AP_FIELD_ADAPTER, true)
AP_ATTR_STORE(ap_store_unassign_adapter, AP_FIELD_ADAPTER, false)
AP_ATTR_STORE(ap_store_assign_domain, AP_FIELD_DOMAIN, true)
AP_ATTR_STORE(ap_store_unassign_domain, AP_FIELD_DOMAIN, false)
AP_ATTR_STORE(ap_store_assign_control, AP_FIELD_CONTROL, true)
AP_ATTR_STORE(ap_store_unassign_control, AP_FIELD_CONTROL, false)

/* matrix read format (3.8) over the given masks, only bits within the maxima. */
static int show_matrix(const struct model *m, const struct ap_mask *apm,
		       const struct ap_mask *aqm, struct strbuf *out)
{
	bool adapters = false, domains = false;
	int a, d;

	ap_mask_for_each(a, apm)
		adapters |= (unsigned)a <= m->max_adapter_id;
	ap_mask_for_each(d, aqm)
		domains |= (unsigned)d <= m->max_domain_id;
	if (adapters && domains) {
		ap_mask_for_each(a, apm) {
			if ((unsigned)a > m->max_adapter_id)
				continue;
			ap_mask_for_each(d, aqm)
				if ((unsigned)d <= m->max_domain_id &&
				    strbuf_addf(out, "%02x.%04x\n", a, d) < 0)
					return -ENOMEM;
		}
	} else if (adapters) {
		ap_mask_for_each(a, apm)
			if ((unsigned)a <= m->max_adapter_id &&
			    strbuf_addf(out, "%02x.\n", a) < 0)
				return -ENOMEM;
	} else if (domains) {
		ap_mask_for_each(d, aqm)
			if ((unsigned)d <= m->max_domain_id &&
			    strbuf_addf(out, ".%04x\n", d) < 0)
				return -ENOMEM;
	}
	return strbuf_add(out, "", 0);
}

static int ap_show_matrix(void *model, void *obj, struct strbuf *out)
{
	struct mdev *mdev = obj;

	return show_matrix(model, &mdev->apm, &mdev->aqm, out);
}

/*
 * guest_matrix: what the guest gets. Adapters and domains in the host's
 * configuration (QCI); an adapter is dropped when any of its APQNs with the
 * assigned domains is not a queue bound to vfio_ap.
 */
static int ap_show_guest_matrix(void *model, void *obj, struct strbuf *out)
{
	struct model *m = model;
	struct mdev *mdev = obj;
	struct ap_mask apm, aqm;
	int a, d;

	ap_mask_and(&apm, &mdev->apm, &m->adapter_mask);
	ap_mask_and(&aqm, &mdev->aqm, &m->usage_domain_mask);
	ap_mask_for_each(a, &apm) {
		ap_mask_for_each(d, &aqm) {
			struct apqn q = { (uint8_t)a, (uint8_t)d };
			struct ap_queue *queue = model_find_queue(m, &q);

			if (!queue || queue->driver != AP_QDRV_VFIO) {
				ap_mask_clear(&apm, (unsigned)a);
				break;
			}
		}
	}
	return show_matrix(m, &apm, &aqm, out);
}

static int ap_show_control_domains(void *model, void *obj, struct strbuf *out)
{
	struct mdev *mdev = obj;
	int d;

	(void)model;
	ap_mask_for_each(d, &mdev->adm)
		if (strbuf_addf(out, "%04x\n", d) < 0)
			return -ENOMEM;
	return strbuf_add(out, "", 0);
}

static int ap_show_config(void *model, void *obj, struct strbuf *out)
{
	struct mdev *mdev = obj;
	char a[AP_MASK_STRLEN], q[AP_MASK_STRLEN], c[AP_MASK_STRLEN];

	(void)model;
	ap_mask_format(&mdev->apm, a);
	ap_mask_format(&mdev->aqm, q);
	ap_mask_format(&mdev->adm, c);
	return strbuf_addf(out, "%s,%s,%s\n", a, q, c);
}

/* ap_config write (3.9): three masks at once, all or nothing. */
static int ap_store_config(void *model, void *obj, const char *buf, size_t len)
{
	struct model *m = model;
	struct mdev *mdev = obj;
	char copy[AP_MASK_STRLEN * 3 + 1];
	struct ap_mask masks[3];
	char *rest = copy, *tok;
	int r, bit;

	(void)len;
	snprintf(copy, sizeof(copy), "%.*s", AP_MASK_STRLEN * 3, buf);
	for (int i = 0; i < 3; i++) {
		tok = strsep(&rest, ",\n");
		if (!tok)
			return -EINVAL;
		r = sim_ap_hex2bitmap(tok, &masks[i]);
		if (r < 0)
			return r;
	}
	r = ap_matrix_validate(m, mdev, &masks[0], &masks[1]);
	if (r < 0)
		return r;
	ap_mask_for_each(bit, &masks[0])
		if ((unsigned)bit > m->max_adapter_id)
			return -ENODEV;
	ap_mask_for_each(bit, &masks[1])
		if ((unsigned)bit > m->max_domain_id)
			return -ENODEV;
	ap_mask_for_each(bit, &masks[2])
		if ((unsigned)bit > m->max_domain_id)
			return -ENODEV;
	mdev->apm = masks[0];
	mdev->aqm = masks[1];
	mdev->adm = masks[2];
	return 0;
}

static const struct vfs_attr ap_mdev_attrs[] = {
	{ "assign_adapter", 0200, NULL, ap_store_assign_adapter },
	{ "unassign_adapter", 0200, NULL, ap_store_unassign_adapter },
	{ "assign_domain", 0200, NULL, ap_store_assign_domain },
	{ "unassign_domain", 0200, NULL, ap_store_unassign_domain },
	{ "assign_control_domain", 0200, NULL, ap_store_assign_control },
	{ "unassign_control_domain", 0200, NULL, ap_store_unassign_control },
	{ "matrix", 0444, ap_show_matrix, NULL },
	{ "control_domains", 0444, ap_show_control_domains, NULL },
};
static const struct vfs_attr ap_guest_matrix_attr = { "guest_matrix", 0444,
						      ap_show_guest_matrix,
						      NULL };
static const struct vfs_attr ap_config_attr = { "ap_config", 0644,
						ap_show_config,
						ap_store_config };

int model_ap_mdev_attrs_add(struct model *m, struct mdev *mdev)
{
	if (model_add_attrs(m, mdev->dir, ap_mdev_attrs,
			    ARRAY_SIZE(ap_mdev_attrs), mdev) < 0)
		return -ENOMEM;
	if (m->kernel.guest_matrix)
		CHECK(vfs_add_file(&m->vfs, mdev->dir, &ap_guest_matrix_attr,
				   mdev));
	if (m->kernel.ap_config)
		CHECK(vfs_add_file(&m->vfs, mdev->dir, &ap_config_attr, mdev));
	return 0;
}

static int matrix_show_features(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "guest_matrix hotplug ap_config");
}

static int matrix_show_uevent(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "DRIVER=vfio_ap");
}

static int matrix_store_uevent(void *model, void *obj, const char *buf,
			       size_t len)
{
	(void)obj;
	(void)len;
	return model_uevent_store(model,
				  model_dir(model, "devices/vfio_ap/matrix"),
				  "matrix", NULL, buf);
}

static const struct vfs_attr matrix_uevent_attr = { "uevent", 0644,
						    matrix_show_uevent,
						    matrix_store_uevent };
static const struct vfs_attr matrix_features_attr = { "features", 0444,
						      matrix_show_features,
						      NULL };

int model_ap_init(struct model *m)
{
	struct vfs_node *matrix;

	if (model_add_attrs(m, model_dir(m, "bus/ap"), ap_bus_attrs,
			    ARRAY_SIZE(ap_bus_attrs), NULL) < 0)
		return -ENOMEM;
	/* the matrix device, on bus matrix, bound to vfio_ap (3.6) */
	CHECK(matrix = model_dir(m, "devices/vfio_ap/matrix"));
	CHECK(vfs_add_file(&m->vfs, matrix, &matrix_uevent_attr, NULL));
	if (m->kernel.matrix_features)
		CHECK(vfs_add_file(&m->vfs, matrix, &matrix_features_attr,
				   NULL));
	CHECK(vfs_add_link(&m->vfs, matrix, "subsystem", "bus/matrix"));
	CHECK(vfs_add_link(&m->vfs, matrix, "driver",
			   "bus/matrix/drivers/vfio_ap"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/matrix/devices"),
			   "matrix", "devices/vfio_ap/matrix"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/matrix/drivers/vfio_ap"),
			   "matrix", "devices/vfio_ap/matrix"));
	return model_parent_register(m, matrix, NULL);
}
