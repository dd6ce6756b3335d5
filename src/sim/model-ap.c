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

/*
 * Card types and function bits. The zcrypt cex4 card driver names a card by
 * its hwtype and mode bit (zcrypt_cex4.c zcrypt_cex4_card_probe: accel ->
 * "CEX7A", cca -> "CEX7C", ep11 -> "CEX7P"); the mode bits are ap_bus.h's
 * AP_FUNC_COPRO/ACCEL/EP11. What an LPAR's card shows besides its mode
 * (lszcrypt(8), FUNCTIONS): S (APSC) and N (APXA) on every card, M and C
 * (RSA ME/CRT 4k) on accelerators.
 */
static const struct {
	char letter;
	uint32_t functions;
} ap_modes[] = {
	{ 'A',
	  AP_FN_APSC | AP_FN_MEX4K | AP_FN_CRT4K | AP_FN_ACCEL | AP_FN_APXA },
	{ 'C', AP_FN_APSC | AP_FN_COPRO | AP_FN_APXA },
	{ 'P', AP_FN_APSC | AP_FN_EP11 | AP_FN_APXA },
};

int ap_card_type_functions(const char *type, unsigned *hwtype,
			   uint32_t *functions)
{
	if (strlen(type) != 5 || strncmp(type, "CEX", 3) != 0 ||
	    type[3] < '4' || type[3] > '8')
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(ap_modes); i++) {
		if (type[4] == ap_modes[i].letter) {
			*hwtype = (unsigned)(type[3] - '0') + 6;
			*functions = ap_modes[i].functions;
			return 0;
		}
	}
	return -EINVAL;
}

/* The mode's letter; lszcrypt's MODE test order (COPRO, ACCEL, EP11) for several bits. */
static char ap_mode_letter(uint32_t functions)
{
	return functions & AP_FN_COPRO ? 'C' :
	       functions & AP_FN_ACCEL ? 'A' :
	       functions & AP_FN_EP11  ? 'P' :
					 '?';
}

void ap_card_type_name(unsigned hwtype, uint32_t functions, char out[16])
{
	snprintf(out, 16, "CEX%u%c", hwtype - 6, ap_mode_letter(functions));
}

/* ap_uevent's MODE= (ap_bus.c): accel, else cca, else ep11. */
static const char *ap_mode_word(uint32_t functions)
{
	return functions & AP_FN_ACCEL ? "accel" :
	       functions & AP_FN_COPRO ? "cca" :
	       functions & AP_FN_EP11  ? "ep11" :
					 NULL;
}

/*
 * ap_uevent's variables (ap_bus.c): a card has DEV_TYPE=%04X,
 * MODALIAS=ap:t%02X and MODE=; a queue only MODE=. The driver core puts
 * DRIVER= first while the device is bound (dev_uevent).
 */
static int ap_env(struct strbuf *out, const struct ap_card *c, bool card,
		  const char *driver, const char *sep)
{
	const char *mode = ap_mode_word(c->functions);

	if (driver && strbuf_addf(out, "DRIVER=%s%s", driver, sep) < 0)
		return -ENOMEM;
	if (card && strbuf_addf(out, "DEV_TYPE=%04X%sMODALIAS=ap:t%02X%s",
				c->hwtype, sep, c->hwtype, sep) < 0)
		return -ENOMEM;
	if (mode && strbuf_addf(out, "MODE=%s%s", mode, sep) < 0)
		return -ENOMEM;
	return strbuf_add(out, "", 0);
}

/* An event of an AP device with its bus variables (and DRIVER= for bind). */
static void ap_emit(struct model *m, const char *action, struct vfs_node *dir,
		    const struct ap_card *c, bool card, const char *driver)
{
	struct strbuf env = STRBUF_INIT;

	if (ap_env(&env, c, card, driver, "\n") == 0) {
		if (env.len && env.buf[env.len - 1] == '\n')
			env.buf[--env.len] = '\0';
		model_emit(m, action, dir, "ap", env.buf);
	}
	strbuf_release(&env);
}

/* sscanf(buf, "%d\n", &v) as the AP attributes parse: blanks, a sign, digits; the rest ignored. */
static int scan_int(const char *buf, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(buf, &end, 10);
	return end == buf || errno ? -EINVAL : 0;
}

/* kstrtobool (lib/kstrtox.c): by the first character, "on"/"off" by the second. */
static int sim_kstrtobool(const char *s, bool *out)
{
	switch (s[0]) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = false;
		return 0;
	case 'o':
	case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*out = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*out = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* ---- queues (ap_queue.c, zcrypt_queue.c, zcrypt_cex4.c) ------------------------ */

static int queue_show_status(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;

	/* "in use" needs a running guest, which the simulator never has */
	return model_show_str(out, apqn_owner(model, q->apqn.apid, q->apqn.apqi,
					      NULL) ?
					   "assigned" :
					   "unassigned");
}

/* zcrypt_queue.c online_show: configured, and both the queue and its card online. */
static bool queue_online(const struct ap_queue *q)
{
	return q->card->config && q->online && q->card->online;
}

static int queue_show_online(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", queue_online(obj));
}

/* zcrypt queue online (3.5): 0 or 1; 1 unconfigured is ENODEV, 1 while the card is offline EINVAL. */
static int queue_store_online(void *model, void *obj, const char *buf,
			      size_t len)
{
	struct ap_queue *q = obj;
	unsigned long v;
	char env[16];

	(void)len;
	if (sim_kstrtoul(buf, &v) < 0 || v > 1)
		return -EINVAL;
	if (v && !q->card->config)
		return -ENODEV;
	if (v && !q->card->online)
		return -EINVAL;
	q->online = v;
	snprintf(env, sizeof(env), "ONLINE=%lu", v);
	model_emit(model, "change", q->dir, "ap", env);
	return 0;
}

static int queue_show_interrupt(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return model_show_str(out, ((struct model *)model)->ap_interrupts ?
					   "Interrupts enabled." :
					   "Interrupts disabled.");
}

/* reset_show: an idle queue has no reset timer; reset_store resets it whatever was written. */
static int queue_show_reset(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "No Reset Timer set.");
}

static int queue_show_config(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", ((struct ap_queue *)obj)->card->config);
}

static int queue_show_functions(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "0x%08X\n",
			   ((struct ap_queue *)obj)->card->functions);
}

static int queue_show_request_count(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%lu\n",
			   ((struct ap_queue *)obj)->request_count);
}

/* request_count_store: any write clears the counter. */
static int queue_store_request_count(void *model, void *obj, const char *buf,
				     size_t len)
{
	(void)model;
	(void)buf;
	(void)len;
	((struct ap_queue *)obj)->request_count = 0;
	return 0;
}

static int queue_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ap_queue *q = obj;

	(void)model;
	return ap_env(out, q->card, false, ap_qdrv_names[q->driver], "\n");
}

static int queue_store_uevent(void *model, void *obj, const char *buf,
			      size_t len)
{
	struct ap_queue *q = obj;
	struct strbuf env = STRBUF_INIT;
	int r;

	(void)len;
	if (ap_env(&env, q->card, false, ap_qdrv_names[q->driver], "\n") < 0)
		return -ENOMEM;
	if (env.len)
		env.buf[--env.len] = '\0';
	r = model_uevent_store(model, q->dir, "ap", env.buf, buf);
	strbuf_release(&env);
	return r;
}

/* cca_mkvps_show with no master keys loaded: every register "- -". */
static int queue_show_cca_mkvps(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_addf(out,
			   "AES NEW: - -\nAES CUR: - -\nAES OLD: - -\n"
			   "APKA NEW: - -\nAPKA CUR: - -\nAPKA OLD: - -\n"
			   "ASYM NEW: - -\nASYM CUR: - -\nASYM OLD: - -\n");
}

/* ep11_mkvps_show with no wrapping key set. */
static int queue_show_ep11_mkvps(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return strbuf_addf(out, "WK CUR: - -\nWK NEW: - -\n");
}

/* An empty line: ep11 op_modes with no mode bit, zcrypt's load with no requests running is "0". */
static int show_empty_line(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "");
}

static const struct vfs_attr queue_attrs[] = {
	{ "request_count", 0644, queue_show_request_count,
	  queue_store_request_count },
	{ "requestq_count", 0444, model_show_zero, NULL },
	{ "pendingq_count", 0444, model_show_zero, NULL },
	{ "reset", 0644, queue_show_reset, model_store_nothing },
	{ "interrupt", 0444, queue_show_interrupt, NULL },
	{ "config", 0444, queue_show_config, NULL },
	{ "chkstop", 0444, model_show_zero, NULL },
	{ "uevent", 0644, queue_show_uevent, queue_store_uevent },
};
static const struct vfs_attr queue_functions_attr = { "ap_functions", 0444,
						      queue_show_functions,
						      NULL };
/* what cex4queue adds (zcrypt_queue.c: online, load; zcrypt_cex4.c: the mode's group) */
static const struct vfs_attr queue_zcrypt_attrs[] = {
	{ "online", 0644, queue_show_online, queue_store_online },
	{ "load", 0444, model_show_zero, NULL },
};
static const struct vfs_attr queue_cca_attr = { "mkvps", 0444,
						queue_show_cca_mkvps, NULL };
static const struct vfs_attr queue_ep11_attrs[] = {
	{ "mkvps", 0444, queue_show_ep11_mkvps, NULL },
	{ "op_modes", 0444, show_empty_line, NULL },
};
static const struct vfs_attr queue_vfio_attr = { "status", 0444,
						 queue_show_status, NULL };

/* Unbind a queue from its driver: its links, the driver's files, the unbind event. */
static void queue_unbind(struct model *m, struct ap_queue *q)
{
	static const char *const drv_files[] = {
		"driver", "online", "load", "mkvps", "op_modes", "status"
	};
	char name[APQN_STRLEN], path[64];

	if (q->driver == AP_QDRV_NONE)
		return;
	apqn_format(&q->apqn, name);
	snprintf(path, sizeof(path), "bus/ap/drivers/%s",
		 ap_qdrv_names[q->driver]);
	vfs_remove(&m->vfs, model_dir(m, path), name);
	for (size_t i = 0; i < ARRAY_SIZE(drv_files); i++)
		vfs_remove(&m->vfs, q->dir, drv_files[i]);
	q->driver = AP_QDRV_NONE;
	ap_emit(m, "unbind", q->dir, q->card, false, NULL);
}

/* Bind a queue to drv (probe passed): links, the driver's files, the bind event. */
static int queue_attach(struct model *m, struct ap_queue *q,
			enum ap_queue_driver drv)
{
	char name[APQN_STRLEN], path[64];

	q->driver = drv;
	apqn_format(&q->apqn, name);
	snprintf(path, sizeof(path), "bus/ap/drivers/%s", ap_qdrv_names[drv]);
	CHECK(vfs_add_link(&m->vfs, model_dir(m, path), name,
			   "devices/ap/card%02x/%s", q->apqn.apid, name));
	CHECK(vfs_add_link(&m->vfs, q->dir, "driver", "%s", path));
	if (drv == AP_QDRV_ZCRYPT) {
		if (model_add_attrs(m, q->dir, queue_zcrypt_attrs,
				    ARRAY_SIZE(queue_zcrypt_attrs), q) < 0)
			return -ENOMEM;
		if (q->card->functions & AP_FN_COPRO)
			CHECK(vfs_add_file(&m->vfs, q->dir, &queue_cca_attr,
					   q));
		else if (q->card->functions & AP_FN_EP11 &&
			 model_add_attrs(m, q->dir, queue_ep11_attrs,
					 ARRAY_SIZE(queue_ep11_attrs), q) < 0)
			return -ENOMEM;
	} else if (m->kernel.queue_status) {
		CHECK(vfs_add_file(&m->vfs, q->dir, &queue_vfio_attr, q));
	}
	ap_emit(m, "bind", q->dir, q->card, false, ap_qdrv_names[drv]);
	return 0;
}

/* Is the APQN reserved for the host's drivers by apmask and aqmask (3.4)? */
static bool queue_reserved(const struct model *m, const struct ap_queue *q)
{
	return ap_mask_test(&m->apmask, q->apqn.apid) &&
	       ap_mask_test(&m->aqmask, q->apqn.apqi);
}

/* Probe a queue (device_add, device_reprobe): the driver the masks say (ap_device_probe). */
static int queue_bind(struct model *m, struct ap_queue *q)
{
	enum ap_queue_driver want = queue_reserved(m, q) ? AP_QDRV_ZCRYPT :
							   AP_QDRV_VFIO;

	if (want == q->driver)
		return 0;
	queue_unbind(m, q);
	return queue_attach(m, q, want);
}

/*
 * ap_bus_revise_bindings (__ap_revise_reserved): reprobe every queue whose
 * reservation differs from its driver's default flag; a queue without a
 * driver counts as held by no default driver, so one unbound by hand is
 * bound again only when the masks give it to the host.
 */
static int revise_bindings(struct model *m)
{
	for (size_t i = 0; i < m->ncards; i++) {
		for (size_t j = 0; j < m->cards[i]->nqueues; j++) {
			struct ap_queue *q = &m->cards[i]->queues[j];

			if ((q->driver == AP_QDRV_ZCRYPT) !=
				    queue_reserved(m, q) &&
			    queue_bind(m, q) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- cards (ap_card.c, zcrypt_card.c, zcrypt_cex4.c) --------------------------- */

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

/* zcrypt_card.c online_show: configured and online. */
static int card_show_online(void *model, void *obj, struct strbuf *out)
{
	struct ap_card *c = obj;

	(void)model;
	return strbuf_addf(out, "%d\n", c->config && c->online);
}

/* zcrypt_card.c online_store: "%d" 0 or 1, else EINVAL; 1 on an unconfigured card ENODEV. */
static int card_store_online(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ap_card *c = obj;
	char env[16];
	long v;

	(void)len;
	if (scan_int(buf, &v) < 0 || v < 0 || v > 1)
		return -EINVAL;
	if (v && !c->config)
		return -ENODEV;
	c->online = v;
	snprintf(env, sizeof(env), "ONLINE=%ld", v);
	model_emit(model, "change", c->dir, "ap", env);
	return 0;
}

static int card_show_config(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d\n", ((struct ap_card *)obj)->config);
}

/*
 * ap_card.c config_store: "%d" 0 or 1, else EINVAL; SCLP (de)configures
 * the card and a CONFIG= change event follows; the next bus scan finds its
 * queues (de)configured too (ap_scan_domains), which here is at once.
 */
static int card_store_config(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ap_card *c = obj;
	char env[16];
	long v;

	(void)len;
	if (scan_int(buf, &v) < 0 || v < 0 || v > 1)
		return -EINVAL;
	if (c->config == (v == 1))
		return 0;
	c->config = v;
	snprintf(env, sizeof(env), "CONFIG=%ld", v);
	model_emit(model, "change", c->dir, "ap", env);
	for (size_t i = 0; i < c->nqueues; i++)
		model_emit(model, "change", c->queues[i].dir, "ap", env);
	return 0;
}

static int card_show_request_count(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%lu\n",
			   ((struct ap_card *)obj)->request_count);
}

/* ap_card.c request_count_store: any write clears the card's and its queues' counters. */
static int card_store_request_count(void *model, void *obj, const char *buf,
				    size_t len)
{
	struct ap_card *c = obj;

	(void)model;
	(void)buf;
	(void)len;
	c->request_count = 0;
	for (size_t i = 0; i < c->nqueues; i++)
		c->queues[i].request_count = 0;
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

/* cca_serialnr_show "%s", ep11_serialnr_show "%16.16s" */
static int card_show_serialnr(void *model, void *obj, struct strbuf *out)
{
	struct ap_card *c = obj;

	(void)model;
	return c->functions & AP_FN_EP11 ?
		       strbuf_addf(out, "%16.16s\n", c->serialnr) :
		       model_show_str(out, c->serialnr);
}

static int card_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct ap_card *c = obj;

	(void)model;
	return ap_env(out, c, true, c->bound ? "cex4card" : NULL, "\n");
}

static int card_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct ap_card *c = obj;
	struct strbuf env = STRBUF_INIT;
	int r;

	(void)len;
	if (ap_env(&env, c, true, c->bound ? "cex4card" : NULL, "\n") < 0)
		return -ENOMEM;
	if (env.len)
		env.buf[--env.len] = '\0';
	r = model_uevent_store(model, c->dir, "ap", env.buf, buf);
	strbuf_release(&env);
	return r;
}

static const struct vfs_attr card_attrs[] = {
	{ "hwtype", 0444, card_show_hwtype, NULL },
	{ "raw_hwtype", 0444, card_show_raw_hwtype, NULL },
	{ "depth", 0444, card_show_depth, NULL },
	{ "ap_functions", 0444, card_show_functions, NULL },
	{ "request_count", 0644, card_show_request_count,
	  card_store_request_count },
	{ "requestq_count", 0444, model_show_zero, NULL },
	{ "pendingq_count", 0444, model_show_zero, NULL },
	{ "modalias", 0444, card_show_modalias, NULL },
	{ "config", 0644, card_show_config, card_store_config },
	{ "chkstop", 0444, model_show_zero, NULL },
	{ "max_msg_size", 0444, card_show_max_msg_size, NULL },
	{ "uevent", 0644, card_show_uevent, card_store_uevent },
};
/* what cex4card adds: zcrypt_card.c's type, online, load; zcrypt_cex4.c's CCA or EP11 group */
static const struct vfs_attr card_zcrypt_attrs[] = {
	{ "type", 0444, card_show_type, NULL },
	{ "online", 0644, card_show_online, card_store_online },
	{ "load", 0444, model_show_zero, NULL },
};
static const struct vfs_attr card_cca_attr = { "serialnr", 0444,
					       card_show_serialnr, NULL };
static const struct vfs_attr card_ep11_attrs[] = {
	{ "API_ordinalnr", 0444, show_empty_line, NULL },
	{ "FW_version", 0444, show_empty_line, NULL },
	{ "serialnr", 0444, card_show_serialnr, NULL },
	{ "op_modes", 0444, show_empty_line, NULL },
};

static void card_unbind(struct model *m, struct ap_card *c)
{
	static const char *const drv_files[] = {
		"driver",   "type",	     "online",	   "load",
		"serialnr", "API_ordinalnr", "FW_version", "op_modes",
	};

	if (!c->bound)
		return;
	vfs_remove(&m->vfs, model_dir(m, "bus/ap/drivers/cex4card"),
		   c->dir->name);
	for (size_t i = 0; i < ARRAY_SIZE(drv_files); i++)
		vfs_remove(&m->vfs, c->dir, drv_files[i]);
	c->bound = false;
	ap_emit(m, "unbind", c->dir, c, true, NULL);
}

static int card_attach(struct model *m, struct ap_card *c)
{
	CHECK(vfs_add_link(&m->vfs, c->dir, "driver",
			   "bus/ap/drivers/cex4card"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ap/drivers/cex4card"),
			   c->dir->name, "devices/ap/%s", c->dir->name));
	if (model_add_attrs(m, c->dir, card_zcrypt_attrs,
			    ARRAY_SIZE(card_zcrypt_attrs), c) < 0)
		return -ENOMEM;
	if (c->functions & AP_FN_COPRO)
		CHECK(vfs_add_file(&m->vfs, c->dir, &card_cca_attr, c));
	else if (c->functions & AP_FN_EP11 &&
		 model_add_attrs(m, c->dir, card_ep11_attrs,
				 ARRAY_SIZE(card_ep11_attrs), c) < 0)
		return -ENOMEM;
	c->bound = true;
	ap_emit(m, "bind", c->dir, c, true, "cex4card");
	return 0;
}

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

/* The card's directory below devices/ap, its add event, bound to cex4card. */
static int card_register(struct model *m, struct ap_card *c)
{
	char name[16];

	snprintf(name, sizeof(name), "card%02x", c->apid);
	CHECK(c->dir = vfs_add_dir(&m->vfs, model_dir(m, "devices/ap"), name));
	if (model_add_attrs(m, c->dir, card_attrs, ARRAY_SIZE(card_attrs), c) <
	    0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, c->dir, "subsystem", "bus/ap"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ap/devices"), name,
			   "devices/ap/%s", name));
	ap_emit(m, "add", c->dir, c, true, NULL);
	return card_attach(m, c);
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
	if (m->kernel.queue_functions)
		CHECK(vfs_add_file(&m->vfs, q->dir, &queue_functions_attr, q));
	CHECK(vfs_add_link(&m->vfs, q->dir, "subsystem", "bus/ap"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "bus/ap/devices"), qname,
			   "devices/ap/%s/%s", c->dir->name, qname));
	ap_emit(m, "add", q->dir, c, false, NULL);
	return queue_bind(m, q);
}

int model_add_card(struct model *m, uint8_t apid, unsigned hwtype,
		   uint32_t functions, const char *serialnr,
		   const struct ap_mask *domains)
{
	uint32_t mode = functions & AP_FN_MODES;
	struct ap_card *c;
	int bit, r;

	for (size_t i = 0; i < m->ncards; i++)
		if (m->cards[i]->apid == apid)
			return -EEXIST;
	if (apid > m->max_adapter_id)
		return -ERANGE;
	if (hwtype < AP_HWTYPE_CEX4 || hwtype > AP_HWTYPE_CEX8 || !mode ||
	    (mode & (mode - 1)))
		return -EINVAL;
	CHECK(c = calloc(1, sizeof(*c)));
	c->apid = apid;
	c->hwtype = hwtype;
	c->raw_hwtype = hwtype;
	c->functions = functions;
	c->online = true;
	c->config = true;
	c->model = m;
	ap_card_type_name(hwtype, functions, c->type);
	if (serialnr)
		snprintf(c->serialnr, sizeof(c->serialnr), "%s", serialnr);
	else if (functions & AP_FN_EP11)
		snprintf(c->serialnr, sizeof(c->serialnr), "93AAB%011X", apid);
	else
		snprintf(c->serialnr, sizeof(c->serialnr), "93AAB0%02X", apid);
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

/* ---- the AP drivers' bind and unbind (2.5's driver core, ap_bus.c ap_bus_match/probe) ---- */

/* The AP device named buf (sysfs_streq: one trailing newline): a card or a queue. */
static int ap_find_device(struct model *m, const char *buf,
			  struct ap_card **card, struct ap_queue **queue)
{
	size_t len = strcspn(buf, "\n");
	char name[16];

	*card = NULL;
	*queue = NULL;
	if (len >= sizeof(name) || (buf[len] && buf[len + 1]))
		return -ENODEV;
	memcpy(name, buf, len);
	name[len] = '\0';
	for (size_t i = 0; i < m->ncards; i++) {
		struct ap_card *c = m->cards[i];

		if (strcmp(c->dir->name, name) == 0) {
			*card = c;
			return 0;
		}
		for (size_t j = 0; j < c->nqueues; j++) {
			if (strcmp(c->queues[j].dir->name, name) == 0) {
				*queue = &c->queues[j];
				return 0;
			}
		}
	}
	return -ENODEV;
}

/* Which driver a drivers/NAME directory is: its files' obj. */
enum ap_drv {
	AP_DRV_CARD, /* cex4card */
	AP_DRV_QUEUE, /* cex4queue */
	AP_DRV_VFIO, /* vfio_ap */
};
static const enum ap_drv ap_drv_ids[] = { AP_DRV_CARD, AP_DRV_QUEUE,
					  AP_DRV_VFIO };

static int ap_drv_store_bind(void *model, void *obj, const char *buf,
			     size_t len)
{
	enum ap_drv drv = *(const enum ap_drv *)obj;
	struct model *m = model;
	struct ap_card *c;
	struct ap_queue *q;

	(void)len;
	/* not found, or the driver's id table does not match (cards vs queues) */
	if (ap_find_device(m, buf, &c, &q) < 0 ||
	    (drv == AP_DRV_CARD) != (c != NULL))
		return -ENODEV;
	if (c)
		return c->bound ? -EBUSY : card_attach(m, c);
	if (q->driver != AP_QDRV_NONE)
		return -EBUSY;
	/* ap_device_probe: only a default driver for a reserved APQN, only another for a free one */
	if ((drv == AP_DRV_QUEUE) != queue_reserved(m, q))
		return -ENODEV;
	return queue_attach(
		m, q, drv == AP_DRV_QUEUE ? AP_QDRV_ZCRYPT : AP_QDRV_VFIO);
}

static int ap_drv_store_unbind(void *model, void *obj, const char *buf,
			       size_t len)
{
	enum ap_drv drv = *(const enum ap_drv *)obj;
	struct model *m = model;
	struct ap_card *c;
	struct ap_queue *q;

	(void)len;
	if (ap_find_device(m, buf, &c, &q) < 0)
		return -ENODEV;
	if (c) {
		if (drv != AP_DRV_CARD || !c->bound)
			return -ENODEV;
		card_unbind(m, c);
		return 0;
	}
	if (q->driver == AP_QDRV_NONE ||
	    (q->driver == AP_QDRV_ZCRYPT) != (drv == AP_DRV_QUEUE) ||
	    drv == AP_DRV_CARD)
		return -ENODEV;
	queue_unbind(m, q);
	return 0;
}

/* A driver's uevent (drivers' kobjects: SUBSYSTEM=drivers); the action word is checked. */
static int ap_drv_store_uevent(void *model, void *obj, const char *buf,
			       size_t len)
{
	static const char *const paths[] = { "bus/ap/drivers/cex4card",
					     "bus/ap/drivers/cex4queue",
					     "bus/ap/drivers/vfio_ap" };

	(void)len;
	return model_uevent_store(
		model, model_dir(model, paths[*(const enum ap_drv *)obj]),
		"drivers", NULL, buf);
}

static const struct vfs_attr ap_drv_attrs[] = {
	{ "bind", 0200, NULL, ap_drv_store_bind },
	{ "unbind", 0200, NULL, ap_drv_store_unbind },
	{ "uevent", 0200, NULL, ap_drv_store_uevent },
};

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

/*
 * features_show: the QCI facilities. An LPAR has APSC, APXA, QACT and RC8A;
 * APSB (AP secure binding) is a Secure Execution guest's, never an LPAR's
 * (ap_sb_available; the se_bind/se_associate queue files come with it).
 */
static int bus_show_features(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	(void)obj;
	return model_show_str(out, "APSC APXA QACT RC8A");
}

static int bus_show_interrupts(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%d\n", ((struct model *)model)->ap_interrupts);
}

static int bus_show_config_time(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%d\n", ((struct model *)model)->config_time);
}

/* config_time_store: "%d", 5 to 120 seconds, else EINVAL. */
static int bus_store_config_time(void *model, void *obj, const char *buf,
				 size_t len)
{
	long v;

	(void)obj;
	(void)len;
	if (scan_int(buf, &v) < 0 || v < 5 || v > 120)
		return -EINVAL;
	((struct model *)model)->config_time = (int)v;
	return 0;
}

static int bus_show_poll_thread(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%d\n", ((struct model *)model)->poll_thread);
}

/*
 * poll_thread_store: kstrtobool; ap_poll_thread_start starts no thread
 * while adapter interrupts are in use (and succeeds), so 1 then reads 0.
 */
static int bus_store_poll_thread(void *model, void *obj, const char *buf,
				 size_t len)
{
	struct model *m = model;
	bool v;

	(void)obj;
	(void)len;
	if (sim_kstrtobool(buf, &v) < 0)
		return -EINVAL;
	m->poll_thread = v && !m->ap_interrupts;
	return 0;
}

static int bus_show_poll_timeout(void *model, void *obj, struct strbuf *out)
{
	(void)obj;
	return strbuf_addf(out, "%lu\n", ((struct model *)model)->poll_timeout);
}

/* poll_timeout_store: kstrtoul base 0, at most 120 s in nanoseconds, else EINVAL. */
static int bus_store_poll_timeout(void *model, void *obj, const char *buf,
				  size_t len)
{
	unsigned long v;
	int r;

	(void)obj;
	(void)len;
	r = sim_kstrtoul(buf, &v);
	if (r < 0)
		return r;
	if (v > 120000000000UL)
		return -EINVAL;
	((struct model *)model)->poll_timeout = v;
	return 0;
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
	{ "ap_interrupts", 0444, bus_show_interrupts, NULL },
	{ "config_time", 0644, bus_show_config_time, bus_store_config_time },
	{ "poll_thread", 0644, bus_show_poll_thread, bus_store_poll_thread },
	{ "poll_timeout", 0644, bus_show_poll_timeout, bus_store_poll_timeout },
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

/* ---- /sys/class/zcrypt: zcrypt's extra device nodes (zcrypt_api.c, multi device nodes) ---- */

/* zcrypt_devt: a dynamic major (alloc_chrdev_region), the minors from 0. */
#define ZCRYPT_MAJOR 241

static int zcdn_show_dev(void *model, void *obj, struct strbuf *out)
{
	(void)model;
	return strbuf_addf(out, "%d:%u\n", ZCRYPT_MAJOR,
			   ((struct zcdn *)obj)->minor);
}

static int zcdn_show_uevent(void *model, void *obj, struct strbuf *out)
{
	struct zcdn *z = obj;

	(void)model;
	return strbuf_addf(out, "MAJOR=%d\nMINOR=%u\nDEVNAME=%s\n",
			   ZCRYPT_MAJOR, z->minor, z->name);
}

static int zcdn_store_uevent(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct zcdn *z = obj;
	char env[80];

	(void)len;
	snprintf(env, sizeof(env), "MAJOR=%d\nMINOR=%u\nDEVNAME=%s",
		 ZCRYPT_MAJOR, z->minor, z->name);
	return model_uevent_store(model, z->dir, "zcrypt", env, buf);
}

/* apmask, aqmask, admask, ioctlmask: "0x" and 64 hex digits; written as the bus masks are (ap_parse_mask_str) */
#define ZCDN_MASK_ATTR(field)                                                  \
	static int zcdn_show_##field(void *model, void *obj,                   \
				     struct strbuf *out)                       \
	{                                                                      \
		(void)model;                                                   \
		return show_mask(out, &((struct zcdn *)obj)->field);           \
	}                                                                      \
	static int zcdn_store_##field(void *model, void *obj, const char *buf, \
				      size_t len)                              \
	{                                                                      \
		(void)model;                                                   \
		(void)len;                                                     \
		return sim_ap_mask_store(&((struct zcdn *)obj)->field, buf);   \
	}
ZCDN_MASK_ATTR(apm)
ZCDN_MASK_ATTR(aqm)
ZCDN_MASK_ATTR(adm)
ZCDN_MASK_ATTR(ioctlm)

static const struct vfs_attr zcdn_attrs[] = {
	{ "dev", 0444, zcdn_show_dev, NULL },
	{ "uevent", 0644, zcdn_show_uevent, zcdn_store_uevent },
	{ "ioctlmask", 0644, zcdn_show_ioctlm, zcdn_store_ioctlm },
	{ "apmask", 0644, zcdn_show_apm, zcdn_store_apm },
	{ "aqmask", 0644, zcdn_show_aqm, zcdn_store_aqm },
	{ "admask", 0644, zcdn_show_adm, zcdn_store_adm },
};

/* The name written to create/destroy: skip_spaces, at most 31 characters (strscpy), strim. */
static void zcdn_name(const char *buf, char name[32])
{
	size_t n;

	while (*buf == ' ' || (*buf >= '\t' && *buf <= '\r'))
		buf++;
	snprintf(name, 32, "%s", buf);
	n = strlen(name);
	while (n > 0 && (name[n - 1] == ' ' ||
			 (name[n - 1] >= '\t' && name[n - 1] <= '\r')))
		name[--n] = '\0';
	/* kobject_set_name_vargs: a '/' in a device name becomes '!' */
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '!';
}

static struct zcdn *zcdn_find(struct model *m, const char *name)
{
	for (size_t i = 0; i < ZCDN_MAX; i++)
		if (m->zcdns[i] && strcmp(m->zcdns[i]->name, name) == 0)
			return m->zcdns[i];
	return NULL;
}

/* zcdn_create: EEXIST for a name in use, ENOSPC without a free minor; no name: zcrypt_MINOR. */
static int zcdn_store_create(void *model, void *obj, const char *buf,
			     size_t len)
{
	struct model *m = model;
	struct zcdn *z;
	char name[32];
	size_t minor;

	(void)obj;
	(void)len;
	zcdn_name(buf, name);
	if (name[0] && zcdn_find(m, name))
		return -EEXIST;
	for (minor = 0; minor < ZCDN_MAX && m->zcdns[minor]; minor++)
		;
	if (minor == ZCDN_MAX)
		return -ENOSPC;
	CHECK(z = calloc(1, sizeof(*z)));
	m->zcdns[minor] = z;
	z->minor = (unsigned)minor;
	if (name[0])
		snprintf(z->name, sizeof(z->name), "%s", name);
	else
		snprintf(z->name, sizeof(z->name), "zcrypt_%u", z->minor);
	CHECK(z->dir = vfs_add_dir(&m->vfs,
				   model_dir(m, "devices/virtual/zcrypt"),
				   z->name));
	if (model_add_attrs(m, z->dir, zcdn_attrs, ARRAY_SIZE(zcdn_attrs), z) <
	    0)
		return -ENOMEM;
	CHECK(vfs_add_link(&m->vfs, z->dir, "subsystem", "class/zcrypt"));
	CHECK(vfs_add_link(&m->vfs, model_dir(m, "class/zcrypt"), z->name,
			   "devices/virtual/zcrypt/%s", z->name));
	model_emit(m, "add", z->dir, "zcrypt", NULL);
	return 0;
}

/* zcdn_destroy: ENOENT for a name no node has. */
static int zcdn_store_destroy(void *model, void *obj, const char *buf,
			      size_t len)
{
	struct model *m = model;
	struct zcdn *z;
	char name[32];

	(void)obj;
	(void)len;
	zcdn_name(buf, name);
	z = zcdn_find(m, name);
	if (!z)
		return -ENOENT;
	model_emit(m, "remove", z->dir, "zcrypt", NULL);
	vfs_remove(&m->vfs, model_dir(m, "class/zcrypt"), z->name);
	vfs_remove_node(&m->vfs, z->dir);
	m->zcdns[z->minor] = NULL;
	free(z);
	return 0;
}

static const struct vfs_attr zcrypt_class_attrs[] = {
	{ "create", 0600, NULL, zcdn_store_create },
	{ "destroy", 0600, NULL, zcdn_store_destroy },
};

int model_ap_init(struct model *m)
{
	static const char *const drivers[] = { "bus/ap/drivers/cex4card",
					       "bus/ap/drivers/cex4queue",
					       "bus/ap/drivers/vfio_ap" };
	struct vfs_node *matrix;

	/* the bus's defaults: AP_CONFIG_TIME, poll_high_timeout, interrupts as on an LPAR */
	m->config_time = 30;
	m->poll_timeout = 250000;
	m->ap_interrupts = true;
	if (model_add_attrs(m, model_dir(m, "bus/ap"), ap_bus_attrs,
			    ARRAY_SIZE(ap_bus_attrs), NULL) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		for (size_t j = 0; j < ARRAY_SIZE(ap_drv_attrs); j++)
			CHECK(vfs_add_file(&m->vfs, model_dir(m, drivers[i]),
					   &ap_drv_attrs[j],
					   (void *)&ap_drv_ids[i]));
	if (model_add_attrs(m, model_dir(m, "class/zcrypt"), zcrypt_class_attrs,
			    ARRAY_SIZE(zcrypt_class_attrs), NULL) < 0)
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
