/* Host descriptions: parse the XML into the model (libxml2). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apmask.h"
#include "host.h"
#include "lib/cleanup.h"

#define HOST_FAIL(err, node, fmt, ...)                                \
	vm_error_set(err, VM_EXIT_USAGE, EINVAL, "%s:%d: " fmt, file, \
		     (node) ? (int)xmlGetLineNo(node) : 0, ##__VA_ARGS__)

static char *prop(xmlNodePtr node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static bool is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* yes/no attributes, default def */
static int prop_bool(const char *file, xmlNodePtr node, const char *name,
		     bool def, bool *out, struct vm_error *err)
{
	_cleanup_free_ char *v = prop(node, name);

	if (!v) {
		*out = def;
		return 0;
	}
	if (strcmp(v, "yes") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(v, "no") == 0) {
		*out = false;
		return 0;
	}
	return HOST_FAIL(err, node, "<%s %s='%s'>: must be yes or no",
			 node->name, name, v);
}

/* A mask attribute: "all", "none", an id list ("4,0xab"), or the kernel's 0x+64 hex form. */
static int prop_mask(const char *file, xmlNodePtr node, const char *name,
		     const struct ap_mask *def, struct ap_mask *out,
		     struct vm_error *err)
{
	_cleanup_free_ char *v = prop(node, name);
	struct vm_error sub = { 0 };

	if (!v) {
		*out = *def;
		return 0;
	}
	if (strcmp(v, "all") == 0) {
		ap_mask_fill(out);
		return 0;
	}
	if (strcmp(v, "none") == 0) {
		ap_mask_zero(out);
		return 0;
	}
	if (strncmp(v, "0x", 2) == 0 && strlen(v) == AP_MASK_STRLEN - 1)
		return ap_mask_parse(v, out, &sub) < 0 ?
			       HOST_FAIL(err, node, "<%s %s>: %s", node->name,
					 name, sub.msg) :
			       0;
	if (ap_id_list_parse(v, name, out, &sub) < 0)
		return HOST_FAIL(
			err, node,
			"<%s %s>: %s (or write all, none, or the kernel's 0x+64 hex form)",
			node->name, name, sub.msg);
	return 0;
}

/* A number attribute, in base (16: hex without 0x, as ids are written; 0: decimal or 0x-hex), 0-max. */
static int prop_number(const char *file, xmlNodePtr node, const char *name,
		       int base, unsigned def, unsigned max, unsigned *out,
		       struct vm_error *err)
{
	_cleanup_free_ char *v = prop(node, name);
	unsigned long x;
	char *end;

	if (!v) {
		*out = def;
		return 0;
	}
	x = strtoul(v, &end, base);
	if (!*v || *end || x > max)
		return base == 16 ?
			       HOST_FAIL(
				       err, node,
				       "<%s %s='%s'>: must be hex, 0-%x (e.g. 05)",
				       node->name, name, v, max) :
			       HOST_FAIL(err, node,
					 "<%s %s='%s'>: must be a number 0-%u",
					 node->name, name, v, max);
	*out = (unsigned)x;
	return 0;
}

static int prop_hex_byte(const char *file, xmlNodePtr node, const char *name,
			 unsigned def, unsigned *out, struct vm_error *err)
{
	return prop_number(file, node, name, 16, def, 0xff, out, err);
}

static int prop_uint(const char *file, xmlNodePtr node, const char *name,
		     unsigned def, unsigned max, unsigned *out,
		     struct vm_error *err)
{
	return prop_number(file, node, name, 0, def, max, out, err);
}

/*
 * A DASD's volume: cylinders (default by model: 3390-3 (0a) 3339, else the
 * 3390-9's 10017) and the uid the storage server gives it (default
 * IBM.75000000010671.SSID.UA, from the device number).
 */
static int load_device_dasd(const char *file, xmlNodePtr node,
			    struct ccw_device *cdev, struct vm_error *err)
{
	_cleanup_free_ char *uid = prop(node, "uid");
	unsigned def = strcmp(cdev->devtype, "3390/0a") == 0 ? 3339 : 10017;
	int r;

	r = prop_uint(file, node, "cylinders", def, 0x7fffffff / 180,
		      &cdev->cylinders, err);
	if (r < 0)
		return r;
	if (uid && (strlen(uid) >= sizeof(cdev->uid) || !*uid))
		return HOST_FAIL(
			err, node,
			"<device uid='%s'>: 1-%zu characters (e.g. IBM.75000000010671.2b00.09)",
			uid, sizeof(cdev->uid) - 1);
	if (uid)
		snprintf(cdev->uid, sizeof(cdev->uid), "%s", uid);
	else
		snprintf(cdev->uid, sizeof(cdev->uid),
			 "IBM.75000000010671.%04x.%02x",
			 cdev->busid.devno & 0xff00, cdev->busid.devno & 0xff);
	cdev->dasd_features =
		0x100; /* DASD_FEATURE_DEFAULT: path_autodisable */
	return 0;
}

static int load_device(const char *file, xmlNodePtr node,
		       struct subchannel *sch, struct vm_error *err)
{
	_cleanup_free_ char *busid = prop(node, "busid");
	_cleanup_free_ char *cutype = prop(node, "cutype");
	_cleanup_free_ char *devtype = prop(node, "devtype");
	_cleanup_free_ char *driver = prop(node, "driver");
	_cleanup_free_ char *avail = prop(node, "availability");
	struct vm_error sub = { 0 };
	int r;

	if (!busid ||
	    ccw_id_parse(busid, CCW_ID_BUSID, &sch->cdev.busid, &sub) < 0)
		return HOST_FAIL(
			err, node, "<device busid>: %s",
			busid ? sub.msg :
				"missing (write e.g. busid='0.0.2b09')");
	snprintf(sch->cdev.cutype, sizeof(sch->cdev.cutype), "%s",
		 cutype ? cutype : "3990/e9");
	snprintf(sch->cdev.devtype, sizeof(sch->cdev.devtype), "%s",
		 devtype ? devtype : "3390/0c");
	snprintf(sch->cdev.driver, sizeof(sch->cdev.driver), "%s",
		 driver ? driver : "dasd-eckd");
	snprintf(sch->cdev.availability, sizeof(sch->cdev.availability), "%s",
		 avail ? avail : "good");
	if (strcmp(sch->cdev.driver, "none") == 0)
		sch->cdev.driver[0] = '\0';
	r = prop_bool(file, node, "online", false, &sch->cdev.online, err);
	if (r < 0)
		return r;
	r = load_device_dasd(file, node, &sch->cdev, err);
	if (r < 0)
		return r;
	if (sch->cdev.online && !sch->cdev.driver[0])
		return HOST_FAIL(err, node,
				 "<device busid='%s'>: online needs a driver",
				 busid);
	sch->has_device = true;
	return 0;
}

static int parse_chpids(const char *file, xmlNodePtr node,
			struct subchannel *sch, struct vm_error *err)
{
	_cleanup_free_ char *v = prop(node, "chpids");
	const char *p;
	int i = 0;

	if (!v) {
		sch->chpids[0] = 0x2a;
		sch->chpids[1] = 0x3a;
		return 0;
	}
	for (p = v; *p;) {
		unsigned long x;
		char *end;

		x = strtoul(p, &end, 16);
		if (end == p || x > 0xff || i == 8)
			return HOST_FAIL(
				err, node,
				"<subchannel chpids='%s'>: up to 8 hex bytes separated by commas (e.g. 2a,3a)",
				v);
		sch->chpids[i++] = (uint8_t)x;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return HOST_FAIL(
				err, node,
				"<subchannel chpids='%s'>: up to 8 hex bytes separated by commas (e.g. 2a,3a)",
				v);
	}
	return 0;
}

static int load_subchannel(struct model *m, const char *file, xmlNodePtr node,
			   struct vm_error *err)
{
	_cleanup_free_ char *id = prop(node, "id");
	_cleanup_free_ char *driver = prop(node, "driver");
	_cleanup_free_ char *override = prop(node, "driver_override");
	struct subchannel sch = { 0 };
	struct vm_error sub = { 0 };
	unsigned v;
	int r;

	if (!id || ccw_id_parse(id, CCW_ID_SUBCHANNEL, &sch.schid, &sub) < 0)
		return HOST_FAIL(err, node, "<subchannel id>: %s",
				 id ? sub.msg :
				      "missing (write e.g. id='0.0.0313')");
	if ((r = prop_uint(file, node, "type", 0, 3, &sch.type, err)) < 0 ||
	    (r = prop_bool(file, node, "qdio", false, &sch.qdio, err)) < 0 ||
	    (r = parse_chpids(file, node, &sch, err)) < 0 ||
	    (r = prop_hex_byte(file, node, "pim", 0xc0, &v, err)) < 0)
		return r;
	sch.pim = (uint8_t)v;
	if ((r = prop_hex_byte(file, node, "pam", sch.pim, &v, err)) < 0)
		return r;
	sch.pam = (uint8_t)v;
	if ((r = prop_hex_byte(file, node, "pom", 0xff, &v, err)) < 0)
		return r;
	sch.pom = (uint8_t)v;
	sch.driver_override = override;
	if (!driver)
		sch.driver = sch.type == 0 ? CSS_DRIVER_IO : CSS_DRIVER_NONE;
	else if (strcmp(driver, "io_subchannel") == 0)
		sch.driver = CSS_DRIVER_IO;
	else if (strcmp(driver, "vfio_ccw") == 0)
		sch.driver = CSS_DRIVER_VFIO;
	else if (strcmp(driver, "none") == 0)
		sch.driver = CSS_DRIVER_NONE;
	else
		return HOST_FAIL(
			err, node,
			"<subchannel driver='%s'>: must be io_subchannel, vfio_ccw or none",
			driver);
	for (xmlNodePtr c = node->children; c; c = c->next) {
		if (!is_elem(c, "device"))
			continue;
		if (sch.has_device)
			return HOST_FAIL(
				err, c,
				"<subchannel id='%s'>: a subchannel has at most one device",
				id);
		r = load_device(file, c, &sch, err);
		if (r < 0)
			return r;
	}
	if (sch.driver != CSS_DRIVER_NONE && sch.type != 0)
		return HOST_FAIL(
			err, node,
			"<subchannel id='%s'>: only I/O subchannels (type 0) bind to %s",
			id, css_driver_name(sch.driver));
	if (sch.driver == CSS_DRIVER_VFIO && sch.qdio)
		return HOST_FAIL(
			err, node,
			"<subchannel id='%s'>: vfio_ccw refuses QDIO subchannels",
			id);
	if (sch.type != 0 && sch.has_device)
		return HOST_FAIL(
			err, node,
			"<subchannel id='%s'>: only I/O subchannels have ccw devices",
			id);
	r = model_add_subchannel(m, &sch, NULL);
	if (r == -EEXIST)
		return HOST_FAIL(
			err, node,
			"<subchannel id='%s'>: the subchannel or its device is described twice",
			id);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "%s: cannot add subchannel %s: %s", file,
				    id, strerror(-r));
	return 0;
}

/*
 * A card's hwtype, type and functions, which must agree as on a real host:
 * zcrypt names a card by its hwtype and its function bits' mode
 * (zcrypt_cex4.c: CEX7 with the accelerator bit is CEX7A). Either may be
 * left out: type alone gives the functions an LPAR's card of that type
 * shows, functions alone name the type.
 */
static int card_kind(const char *file, xmlNodePtr c, unsigned *hwtype,
		     uint32_t *functions, struct vm_error *err)
{
	_cleanup_free_ char *type = prop(c, "type");
	_cleanup_free_ char *hw = prop(c, "hwtype");
	_cleanup_free_ char *fn = prop(c, "functions");
	unsigned thw = 0, mode;
	uint32_t tfn = 0;
	char named[16];
	int r;

	if (type && ap_card_type_functions(type, &thw, &tfn) < 0)
		return HOST_FAIL(
			err, c,
			"<card type='%s'>: not a card type the zcrypt driver names: write CEX4 to CEX8 with A (accelerator), C (CCA coprocessor) or P (EP11 coprocessor), e.g. CEX7A",
			type);
	if ((r = prop_uint(file, c, "hwtype", thw ? thw : 12, 255, hwtype,
			   err)) < 0)
		return r;
	if (*hwtype < AP_HWTYPE_CEX4 || *hwtype > AP_HWTYPE_CEX8)
		return HOST_FAIL(
			err, c,
			"<card hwtype='%u'>: the simulator has the cards vfio_ap and the zcrypt cex4 drivers take: hwtype 10 (CEX4) to 14 (CEX8)",
			*hwtype);
	if (type && hw && thw != *hwtype)
		return HOST_FAIL(
			err, c,
			"<card type='%s' hwtype='%u'>: a %.4s card has hwtype %u; write hwtype='%u' or leave it out",
			type, *hwtype, type, thw, thw);
	*functions = type ? tfn : AP_FN_APSC | AP_FN_COPRO | AP_FN_APXA;
	if (fn) {
		char *end;
		unsigned long v = strtoul(fn, &end, 16);

		if (strncmp(fn, "0x", 2) != 0 || !fn[2] || *end ||
		    v > 0xffffffffUL)
			return HOST_FAIL(
				err, c,
				"<card functions='%s'>: write the card's ap_functions as the kernel shows them, 0x and up to 8 hex digits (e.g. 0x92000000)",
				fn);
		*functions = (uint32_t)v;
	}
	mode = *functions & AP_FN_MODES;
	if (!mode || (mode & (mode - 1)))
		return HOST_FAIL(
			err, c,
			"<card functions='%s'>: a card runs in one mode: exactly one of the bits 0x10000000 (CCA coprocessor), 0x08000000 (accelerator), 0x04000000 (EP11 coprocessor)",
			fn);
	ap_card_type_name(*hwtype, *functions, named);
	if (type && strcmp(type, named) != 0)
		return HOST_FAIL(
			err, c,
			"<card type='%s' functions='%s'>: impossible combination: the zcrypt driver names a card with these function bits %s, not %s; write functions for a %s (or leave them out), or type='%s'",
			type, fn, named, type, type, named);
	return 0;
}

static int load_card(struct model *m, const char *file, xmlNodePtr c,
		     struct vm_error *err)
{
	_cleanup_free_ char *serialnr = prop(c, "serialnr");
	struct ap_mask domains, none;
	unsigned apid, hwtype = 0;
	uint32_t functions = 0;
	int r;

	ap_mask_zero(&none);
	if ((r = prop_hex_byte(file, c, "id", 0x100, &apid, err)) < 0 ||
	    (r = card_kind(file, c, &hwtype, &functions, err)) < 0 ||
	    (r = prop_mask(file, c, "domains", &none, &domains, err)) < 0)
		return r;
	if (apid > 0xff)
		return HOST_FAIL(err, c,
				 "<card id>: missing (write e.g. id='05')");
	if (serialnr &&
	    (!serialnr[0] || strlen(serialnr) > 16 ||
	     strspn(serialnr, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
		     strlen(serialnr)))
		return HOST_FAIL(
			err, c,
			"<card serialnr='%s'>: 1 to 16 upper-case letters and digits (e.g. 93AABF61)",
			serialnr);
	r = model_add_card(m, (uint8_t)apid, hwtype, functions, serialnr,
			   &domains);
	if (r == -EEXIST)
		return HOST_FAIL(
			err, c, "<card id='%02x'>: the card is described twice",
			apid);
	if (r == -ERANGE)
		return HOST_FAIL(
			err, c,
			"<card id='%02x'>: an id is above max-adapter-id %u or max-domain-id %u",
			apid, m->max_adapter_id, m->max_domain_id);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "%s: cannot add card %02x: %s", file, apid,
				    strerror(-r));
	return 0;
}

/* <chp id='2a' type='1a' cmg='2' shared='1' chid='0140' chid-external='yes' status='online' configure='1'/> */
static int load_chp(struct model *m, const char *file, xmlNodePtr node,
		    struct vm_error *err)
{
	_cleanup_free_ char *status = prop(node, "status");
	_cleanup_free_ char *cmg = prop(node, "cmg");
	_cleanup_free_ char *shared = prop(node, "shared");
	struct chp chp = { .online = true, .configure = 1 };
	unsigned id, type, chid, v;
	int r;

	if ((r = prop_hex_byte(file, node, "id", 0x100, &id, err)) < 0 ||
	    (r = prop_hex_byte(file, node, "type", 0x1a, &type, err)) < 0 ||
	    (r = prop_number(file, node, "chid", 16, 0x10000, 0xffff, &chid,
			     err)) < 0 ||
	    (r = prop_bool(file, node, "chid-external", true,
			   &chp.chid_external, err)) < 0 ||
	    (r = prop_uint(file, node, "configure", 1, 3, &chp.configure,
			   err)) < 0)
		return r;
	if (id > 0xff)
		return HOST_FAIL(err, node,
				 "<chp id>: missing (write e.g. id='2a')");
	chp.id = (uint8_t)id;
	chp.type = (uint8_t)type;
	chp.chid = chid > 0xffff ? -1 : (int)chid;
	if (status && strcmp(status, "online") != 0 &&
	    strcmp(status, "offline") != 0)
		return HOST_FAIL(err, node,
				 "<chp status='%s'>: must be online or offline",
				 status);
	chp.online = !status || strcmp(status, "online") == 0;
	chp.cmg = 2;
	chp.shared = 1;
	if (cmg && strcmp(cmg, "unknown") == 0)
		chp.cmg = -1;
	else if ((r = prop_uint(file, node, "cmg", 2, 255, &v, err)) < 0)
		return r;
	else
		chp.cmg = (int)v;
	if (shared && strcmp(shared, "unknown") == 0)
		chp.shared = -1;
	else if ((r = prop_uint(file, node, "shared", 1, 1, &v, err)) < 0)
		return r;
	else
		chp.shared = (int)v;
	r = model_add_chp(m, &chp);
	if (r == -EEXIST)
		return HOST_FAIL(
			err, node,
			"<chp id='%02x'>: the channel path is described twice, or after a subchannel that names it",
			id);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "%s: cannot add chp %02x: %s", file, id,
				    strerror(-r));
	return 0;
}

/* <ccwgroup driver='qeth' devices='0.0.f500,0.0.f501,0.0.f502' card-type='OSD_10GIG'/> */
static int load_ccwgroup(struct model *m, const char *file, xmlNodePtr node,
			 struct vm_error *err)
{
	_cleanup_free_ char *driver = prop(node, "driver");
	_cleanup_free_ char *devices = prop(node, "devices");
	_cleanup_free_ char *card = prop(node, "card-type");
	struct ccw_id ids[3];
	struct subchannel *first = NULL;
	char *p, *tok;
	int n = 0, r;
	bool online = true;

	if (driver && strcmp(driver, "qeth") != 0)
		return HOST_FAIL(err, node,
				 "<ccwgroup driver='%s'>: only qeth groups",
				 driver);
	for (p = devices; p && (tok = strsep(&p, ","));) {
		if (n == 3 ||
		    ccw_id_parse(tok, CCW_ID_BUSID, &ids[n], NULL) < 0)
			break;
		n++;
	}
	if (!devices || n != 3 || p)
		return HOST_FAIL(
			err, node,
			"<ccwgroup devices>: three bus ids, read, write and data device (e.g. devices='0.0.f500,0.0.f501,0.0.f502')");
	for (size_t i = 0; i < m->nschs; i++)
		for (int j = 0; j < 3; j++)
			if (m->schs[i]->has_device &&
			    ccw_id_equal(&m->schs[i]->cdev.busid, &ids[j])) {
				online = online && m->schs[i]->cdev.online;
				first = m->schs[i];
			}
	(void)first;
	r = model_add_ccwgroup(m, ids, card ? card : "OSD_10GIG", online);
	if (r < 0)
		return HOST_FAIL(
			err, node,
			"<ccwgroup devices>: each must be a ccw device of the host with driver='qeth' on an I/O subchannel, in no other group: %s",
			strerror(-r));
	return 0;
}

static int load_css(struct model *m, const char *file, xmlNodePtr css,
		    struct vm_error *err)
{
	int r;

	/* channel paths first (a subchannel registers the ones not described), groups last */
	for (xmlNodePtr s = css->children; s; s = s->next)
		if (is_elem(s, "chp") && (r = load_chp(m, file, s, err)) < 0)
			return r;
	for (xmlNodePtr s = css->children; s; s = s->next)
		if (is_elem(s, "subchannel") &&
		    (r = load_subchannel(m, file, s, err)) < 0)
			return r;
	for (xmlNodePtr s = css->children; s; s = s->next)
		if (is_elem(s, "ccwgroup") &&
		    (r = load_ccwgroup(m, file, s, err)) < 0)
			return r;
	return 0;
}

/* <cio_ignore>0.0.0000-0.0.02ff,...</cio_ignore>: the cio_ignore= boot parameter, parsed as the kernel does */
static int load_cio_ignore(struct model *m, const char *file, xmlNodePtr node,
			   struct vm_error *err)
{
	_cleanup_free_ char *cmd = NULL;
	xmlChar *text = xmlNodeGetContent(node);
	int r;

	if (asprintf(&cmd, "add %s", text ? (const char *)text : "") < 0) {
		xmlFree(text);
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	}
	xmlFree(text);
	/* blanks inside the list are not the kernel's: take them out */
	for (char *p = cmd + 4, *q = cmd + 4;; p++) {
		if (*p != ' ' && *p != '\n' && *p != '\t')
			*q++ = *p;
		if (!*p)
			break;
	}
	r = model_write(m, MODEL_PROC_PATH "/cio_ignore", cmd, strlen(cmd));
	if (r < 0)
		return HOST_FAIL(
			err, node,
			"<cio_ignore>'%s': a comma-separated list of bus ids or ranges (e.g. 0.0.0000-0.0.02ff,0.1.0000-0.1.ffff, or all,!0.0.2b09)",
			cmd + 4);
	return 0;
}

/*
 * /proc/sysinfo of a host without <sysinfo>: an LPAR of an IBM z16 (machine
 * type 3931), in sysinfo.c's layout (stsi_1_1_1, stsi_2_2_2; the labels are
 * padded to 16 columns, "LPAR Number:" and the others of 2.2.2 to 21).
 */
static const char host_default_sysinfo[] =
	"Manufacturer:         IBM\n"
	"Type:                 3931\n"
	"Model:                701              A01\n"
	"Sequence Code:        00000000000A1B2C\n"
	"Plant:                02\n"
	"Model Capacity:       701              00000000\n"
	"\n"
	"CPUs Total:           16\n"
	"CPUs Configured:      8\n"
	"CPUs Standby:         0\n"
	"CPUs Reserved:        8\n"
	"\n"
	"LPAR Number:          12\n"
	"LPAR Characteristics: Shared\n"
	"LPAR Name:            LPAR12\n"
	"LPAR Adjustment:      0\n"
	"LPAR CPUs Total:      8\n"
	"LPAR CPUs Configured: 8\n"
	"LPAR CPUs Standby:    0\n"
	"LPAR CPUs Reserved:   0\n"
	"LPAR CPUs Dedicated:  0\n"
	"LPAR CPUs Shared:     8\n";

/* <sysinfo>: /proc/sysinfo's lines, each one's leading blanks left out */
static int load_sysinfo(struct model *m, const char *file, xmlNodePtr node,
			struct vm_error *err)
{
	xmlChar *text = xmlNodeGetContent(node);
	struct strbuf sb = STRBUF_INIT;
	const char *p = text ? (const char *)text : "";

	(void)file;
	while (*p) {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\n");
		/* no empty line before the first one */
		if ((n || sb.len) &&
		    (strbuf_add(&sb, p, n) < 0 || strbuf_add(&sb, "\n", 1) < 0))
			break;
		p += n;
		if (*p)
			p++;
	}
	/* nor after the last */
	while (sb.len >= 2 && sb.buf[sb.len - 1] == '\n' &&
	       sb.buf[sb.len - 2] == '\n')
		sb.buf[--sb.len] = '\0';
	xmlFree(text);
	free(m->sysinfo);
	m->sysinfo = sb.buf ? sb.buf : strdup("");
	if (!m->sysinfo)
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

static int load_ap(struct model *m, const char *file, xmlNodePtr node,
		   struct vm_error *err)
{
	struct ap_mask all, apmask, aqmask;
	int r;

	ap_mask_fill(&all);
	if ((r = prop_uint(file, node, "max-adapter-id", 255, 255,
			   &m->max_adapter_id, err)) < 0 ||
	    (r = prop_uint(file, node, "max-domain-id", 255, 255,
			   &m->max_domain_id, err)) < 0 ||
	    (r = prop_mask(file, node, "adapters", &all, &m->adapter_mask,
			   err)) < 0 ||
	    (r = prop_mask(file, node, "usage-domains", &all,
			   &m->usage_domain_mask, err)) < 0 ||
	    (r = prop_mask(file, node, "control-domains", &m->usage_domain_mask,
			   &m->control_domain_mask, err)) < 0 ||
	    (r = prop_mask(file, node, "apmask", &all, &apmask, err)) < 0 ||
	    (r = prop_mask(file, node, "aqmask", &all, &aqmask, err)) < 0)
		return r;
	m->apmask = apmask;
	m->aqmask = aqmask;
	m->ap_domain = ap_mask_next(&m->usage_domain_mask, -1);
	for (xmlNodePtr c = node->children; c; c = c->next)
		if (is_elem(c, "card") && (r = load_card(m, file, c, err)) < 0)
			return r;
	return 0;
}

/* An mdev as mdevctl would start it: write create, then each attribute (the kernel checks them). */
static int load_mdev(struct model *m, const char *file, xmlNodePtr node,
		     struct vm_error *err)
{
	_cleanup_free_ char *uuid = prop(node, "uuid");
	_cleanup_free_ char *parent = prop(node, "parent");
	_cleanup_free_ char *type = prop(node, "type");
	static const char *const attrs[][2] = {
		{ "adapters", "assign_adapter" },
		{ "domains", "assign_domain" },
		{ "control-domains", "assign_control_domain" },
	};
	struct mdev *mdev;
	int r;

	if (!uuid || !parent)
		return HOST_FAIL(err, node,
				 "<mdev>: uuid and parent are required");
	if (!type)
		type = strdup(strcmp(parent, "matrix") == 0 ?
				      "vfio_ap-passthrough" :
				      "vfio_ccw-io");
	r = model_create_mdev(m, parent, type, uuid, &mdev);
	if (r < 0)
		return HOST_FAIL(
			err, node,
			"<mdev uuid='%s' parent='%s' type='%s'>: the kernel refuses to create it: %s",
			uuid, parent, type ? type : "", strerror(-r));
	for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
		struct ap_mask ids, none;
		int bit;

		ap_mask_zero(&none);
		r = prop_mask(file, node, attrs[i][0], &none, &ids, err);
		if (r < 0)
			return r;
		if (!ap_mask_is_empty(&ids) && strcmp(parent, "matrix") != 0)
			return HOST_FAIL(
				err, node,
				"<mdev %s>: only vfio_ap mdevs (parent='matrix') have them",
				attrs[i][0]);
		ap_mask_for_each(bit, &ids) {
			char path[128], val[16];

			snprintf(path, sizeof(path),
				 "devices/vfio_ap/matrix/%s/%s", mdev->uuid,
				 attrs[i][1]);
			snprintf(val, sizeof(val), "0x%x", bit);
			r = model_write(m, path, val, strlen(val));
			if (r < 0)
				return HOST_FAIL(
					err, node,
					"<mdev uuid='%s'>: writing %s to %s fails: %s",
					uuid, val, attrs[i][1], strerror(-r));
		}
	}
	return 0;
}

int host_load(struct model *m, const char *file, const char *kernel,
	      struct vm_error *err)
{
	_cleanup_xmldoc_ xmlDocPtr doc = NULL;
	_cleanup_free_ char *kattr = NULL;
	struct kprofile kp;
	xmlNodePtr root;
	int r;

	doc = xmlReadFile(file, NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR |
				  XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *x = xmlGetLastError();

		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"cannot read host description '%s': %s", file,
			x && x->message ? x->message : "not well-formed XML");
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !is_elem(root, "host"))
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"host description '%s': the root element must be <host>",
			file);
	kattr = prop(root, "kernel");
	if (!kernel)
		kernel = kattr ? kattr : KPROFILE_NEWEST;
	if (kprofile_parse(kernel, &kp) < 0)
		return vm_error_set(
			err, VM_EXIT_USAGE, EINVAL,
			"invalid kernel version '%s': write MAJOR.MINOR from 5.15 on, or newest (e.g. 6.10 or 5.15)",
			kernel);
	r = model_init(m, &kp);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot build the host: %s", strerror(-r));
	/* AP first (masks decide the bindings), then css, then mdevs */
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (is_elem(c, "ap") && (r = load_ap(m, file, c, err)) < 0)
			return r;
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (is_elem(c, "css") && (r = load_css(m, file, c, err)) < 0)
			return r;
	for (xmlNodePtr c = root->children; c; c = c->next)
		if ((is_elem(c, "cio_ignore") &&
		     (r = load_cio_ignore(m, file, c, err)) < 0) ||
		    (is_elem(c, "sysinfo") &&
		     (r = load_sysinfo(m, file, c, err)) < 0))
			return r;
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (is_elem(c, "mdev") && (r = load_mdev(m, file, c, err)) < 0)
			return r;
	if (!m->sysinfo && !(m->sysinfo = strdup(host_default_sysinfo)))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !is_elem(c, "ap") &&
		    !is_elem(c, "css") && !is_elem(c, "mdev") &&
		    !is_elem(c, "cio_ignore") && !is_elem(c, "sysinfo"))
			return HOST_FAIL(
				err, c,
				"unknown element <%s> (a host has <css>, <ap>, <mdev>, <cio_ignore> and <sysinfo>)",
				c->name);
	return 0;
}

int host_generate(struct model *m, unsigned nschs, bool with_mdevs,
		  unsigned ap_mdevs, struct vm_error *err)
{
	struct kprofile kp;
	struct ap_mask domains, apmask, aqmask;
	int r;

	kprofile_parse(KPROFILE_NEWEST, &kp);
	r = model_init(m, &kp);
	if (r < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot build the host: %s", strerror(-r));
	if (nschs > 4 * 0x10000)
		return vm_error_set(
			err, VM_EXIT_USAGE, ERANGE,
			"cannot generate %u subchannels: at most 262144 (4 subchannel sets)",
			nschs);
	for (unsigned i = 0; i < nschs; i++) {
		struct subchannel sch = { 0 };

		sch.schid = (struct ccw_id){ 0, (uint8_t)(i / 0x10000),
					     (uint16_t)(i % 0x10000) };
		sch.cdev.busid =
			(struct ccw_id){ 0, (uint8_t)(i / 0x10000),
					 (uint16_t)((i + 0x1000) % 0x10000) };
		sch.has_device = true;
		sch.chpids[0] = 0x2a;
		sch.pim = sch.pam = 0x80;
		sch.pom = 0xff;
		snprintf(sch.cdev.cutype, sizeof(sch.cdev.cutype), "3990/e9");
		snprintf(sch.cdev.devtype, sizeof(sch.cdev.devtype), "3390/0c");
		snprintf(sch.cdev.driver, sizeof(sch.cdev.driver), "dasd-eckd");
		sch.cdev.cylinders = 10017;
		snprintf(sch.cdev.uid, sizeof(sch.cdev.uid),
			 "IBM.75000000010671.%04x.%02x",
			 sch.cdev.busid.devno & 0xff00,
			 sch.cdev.busid.devno & 0xff);
		sch.cdev.dasd_features = 0x100;
		snprintf(sch.cdev.availability, sizeof(sch.cdev.availability),
			 "good");
		sch.driver = with_mdevs && i % 2 ? CSS_DRIVER_VFIO :
						   CSS_DRIVER_IO;
		r = model_add_subchannel(m, &sch, NULL);
		if (r < 0)
			return vm_error_set(err, VM_EXIT_FAILED, r,
					    "cannot add subchannel %u: %s", i,
					    strerror(-r));
		if (sch.driver == CSS_DRIVER_VFIO) {
			char parent[CCW_ID_STRLEN], uuid[IDS_UUID_STRLEN];

			ccw_id_format(&sch.schid, parent);
			snprintf(uuid, sizeof(uuid),
				 "%08x-0000-4000-8000-%012x", i, i);
			r = model_create_mdev(m, parent, "vfio_ccw-io", uuid,
					      NULL);
			if (r < 0)
				return vm_error_set(err, VM_EXIT_FAILED, r,
						    "cannot create mdev %s: %s",
						    uuid, strerror(-r));
		}
	}
	if (!(m->sysinfo = strdup(host_default_sysinfo)))
		return vm_error_set(err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	/* a matrix: 16 cards x 16 domains, all given to vfio_ap, ap_mdevs mdevs of one domain each */
	ap_mask_zero(&domains);
	for (unsigned d = 0; d < 16; d++)
		ap_mask_set(&domains, d);
	for (unsigned a = 0; a < 16; a++)
		if ((r = model_add_card(m, (uint8_t)a, 13,
					AP_FN_APSC | AP_FN_MEX4K | AP_FN_CRT4K |
						AP_FN_ACCEL | AP_FN_APXA,
					NULL, &domains)) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, r,
					    "cannot add card %u", a);
	ap_mask_zero(&apmask);
	ap_mask_zero(&aqmask);
	if ((r = model_set_masks(m, &apmask, &aqmask)) < 0)
		return vm_error_set(err, VM_EXIT_FAILED, r,
				    "cannot set the masks");
	for (unsigned i = 0; i < ap_mdevs && i < 256; i++) {
		char uuid[IDS_UUID_STRLEN], path[128], val[16];
		struct mdev *mdev;

		snprintf(uuid, sizeof(uuid), "%08x-0000-4000-8000-a00000000000",
			 i);
		if ((r = model_create_mdev(m, "matrix", "vfio_ap-passthrough",
					   uuid, &mdev)) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, r,
					    "cannot create mdev %s", uuid);
		snprintf(path, sizeof(path),
			 "devices/vfio_ap/matrix/%s/assign_adapter", uuid);
		snprintf(val, sizeof(val), "%u", i / 16);
		if ((r = model_write(m, path, val, strlen(val))) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, r,
					    "cannot assign adapter to %s",
					    uuid);
		snprintf(path, sizeof(path),
			 "devices/vfio_ap/matrix/%s/assign_domain", uuid);
		snprintf(val, sizeof(val), "%u", i % 16);
		if ((r = model_write(m, path, val, strlen(val))) < 0)
			return vm_error_set(err, VM_EXIT_FAILED, r,
					    "cannot assign domain to %s", uuid);
	}
	return 0;
}
