/* virt-mdev xml|attach|detach|assign|unassign: mdevs as devices of libvirt domains, and the one-command pipeline. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/attach.h"
#include "lib/cleanup.h"
#include "lib/css.h"
#include "lib/lifecycle.h"
#include "lib/mdev.h"
#include "lib/output.h"
#include "lib/plan.h"
#include "lib/xml.h"

#define DEFAULT_TIMEOUT_S 30

enum {
	OPT_DEVNO = 0x100,
	OPT_BOOT_ORDER,
	OPT_FORMAT,
	OPT_MODEL,
	OPT_ALIAS,
	OPT_LIVE,
	OPT_CONFIG,
	OPT_PERSISTENT,
	OPT_FORCE,
	OPT_UUID,
	OPT_ADAPTERS,
	OPT_DOMAINS,
	OPT_CONTROL_DOMAINS,
	OPT_KEEP_MDEV,
	OPT_TEMPLATE_DIR,
};

/* what the domain commands parse */
struct dopts {
	bool devno_given, devno_auto;
	struct guest_devno devno;
	unsigned boot_order;
	const char *format, *alias, *template_dir;
	int model; /* -1: from the device */
	bool live, config, persistent, force, keep_mdev, uuid_given;
	char uuid[IDS_UUID_STRLEN];
	struct ap_mask apm, aqm, adm;
	bool have_a, have_d;
};

static const struct option all_options[] = {
	{ "devno", required_argument, NULL, OPT_DEVNO },
	{ "boot-order", required_argument, NULL, OPT_BOOT_ORDER },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "alias", required_argument, NULL, OPT_ALIAS },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "config", no_argument, NULL, OPT_CONFIG },
	{ "persistent", no_argument, NULL, OPT_PERSISTENT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "uuid", required_argument, NULL, OPT_UUID },
	{ "adapters", required_argument, NULL, OPT_ADAPTERS },
	{ "domains", required_argument, NULL, OPT_DOMAINS },
	{ "control-domains", required_argument, NULL, OPT_CONTROL_DOMAINS },
	{ "keep-mdev", no_argument, NULL, OPT_KEEP_MDEV },
	{ "template-dir", required_argument, NULL, OPT_TEMPLATE_DIR },
	{ NULL, 0, NULL, 0 },
};

/* the options each command takes, by the letters of their names */
static bool takes(const struct cmd *cmd, int opt)
{
	static const struct {
		const struct cmd *cmd;
		int opts[16];
	} table[] = {
		{ &cmd_xml,
		  { OPT_DEVNO, OPT_BOOT_ORDER, OPT_FORMAT, OPT_MODEL, OPT_ALIAS,
		    OPT_TEMPLATE_DIR } },
		{ &cmd_attach,
		  { OPT_DEVNO, OPT_BOOT_ORDER, OPT_ALIAS, OPT_LIVE, OPT_CONFIG,
		    OPT_TEMPLATE_DIR } },
		{ &cmd_detach, { OPT_LIVE, OPT_CONFIG } },
		{ &cmd_assign,
		  { OPT_DEVNO, OPT_BOOT_ORDER, OPT_ALIAS, OPT_LIVE, OPT_CONFIG,
		    OPT_PERSISTENT, OPT_FORCE, OPT_UUID, OPT_ADAPTERS,
		    OPT_DOMAINS, OPT_CONTROL_DOMAINS, OPT_TEMPLATE_DIR } },
		{ &cmd_unassign, { OPT_LIVE, OPT_CONFIG, OPT_KEEP_MDEV } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].cmd == cmd)
			for (size_t k = 0; k < ARRAY_SIZE(table[i].opts); k++)
				if (table[i].opts[k] == opt)
					return true;
	return false;
}

static int parse_opts(struct ctx *ctx, const struct cmd *cmd, int argc,
		      char **argv, struct dopts *o)
{
	struct ap_mask list;
	int c;

	memset(o, 0, sizeof(*o));
	o->model = -1;
	optind = 0;
	while ((c = cmd_getopt(ctx, cmd, argc, argv, all_options)) != -1) {
		if (c == '?')
			return -1;
		if (!takes(cmd, c)) {
			cmd_usage_error(ctx, cmd,
					"%s does not take option '%s'",
					cmd->name, argv[optind - 1]);
			return -1;
		}
		switch (c) {
		case OPT_DEVNO:
			if (strcmp(optarg, "auto") == 0) {
				o->devno_auto = true;
				break;
			}
			if (guest_devno_parse(optarg, &o->devno, &ctx->err) <
			    0) {
				ctx->err.exit = VM_EXIT_USAGE;
				return -1;
			}
			o->devno_given = true;
			break;
		case OPT_BOOT_ORDER: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || v < 1 || v > 65535) {
				cmd_usage_error(
					ctx, cmd,
					"invalid --boot-order '%s': a number from 1 to 65535",
					optarg);
				return -1;
			}
			o->boot_order = (unsigned)v;
			break;
		}
		case OPT_FORMAT:
			if (strcmp(optarg, "hostdev") != 0 &&
			    strcmp(optarg, "qemu") != 0 &&
			    strcmp(optarg, "nodedev") != 0 &&
			    strcmp(optarg, "mdevctl") != 0) {
				cmd_usage_error(
					ctx, cmd,
					"invalid --format '%s': hostdev, qemu, nodedev or mdevctl",
					optarg);
				return -1;
			}
			o->format = optarg;
			break;
		case OPT_MODEL:
			o->model = mdev_model_from_name(optarg);
			if (o->model < 0) {
				cmd_usage_error(
					ctx, cmd,
					"invalid --model '%s': vfio-ccw or vfio-ap",
					optarg);
				return -1;
			}
			break;
		case OPT_ALIAS:
			/* libvirt takes user aliases that start with "ua-" */
			if (strncmp(optarg, "ua-", 3) != 0 || !optarg[3] ||
			    strspn(optarg + 3,
				   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
				    strlen(optarg + 3)) {
				cmd_usage_error(
					ctx, cmd,
					"invalid --alias '%s': libvirt takes user aliases 'ua-' followed by letters, digits, '_' and '-' (e.g. ua-dasd1)",
					optarg);
				return -1;
			}
			o->alias = optarg;
			break;
		case OPT_LIVE:
			o->live = true;
			break;
		case OPT_CONFIG:
			o->config = true;
			break;
		case OPT_PERSISTENT:
			o->persistent = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_KEEP_MDEV:
			o->keep_mdev = true;
			break;
		case OPT_TEMPLATE_DIR:
			o->template_dir = optarg;
			break;
		case OPT_UUID: {
			uuid_t u;

			if (ids_uuid_parse(optarg, u, &ctx->err) < 0) {
				ctx->err.exit = VM_EXIT_USAGE;
				return -1;
			}
			ids_uuid_format(u, o->uuid);
			o->uuid_given = true;
			break;
		}
		case OPT_ADAPTERS:
		case OPT_DOMAINS:
		case OPT_CONTROL_DOMAINS:
			if (ap_id_list_parse(optarg,
					     c == OPT_ADAPTERS ? "adapter" :
					     c == OPT_DOMAINS  ? "domain" :
								 "control domain",
					     &list, &ctx->err) < 0) {
				ctx->err.exit = VM_EXIT_USAGE;
				return -1;
			}
			if (c == OPT_ADAPTERS) {
				ap_mask_or(&o->apm, &o->apm, &list);
				o->have_a = true;
			} else if (c == OPT_DOMAINS) {
				ap_mask_or(&o->aqm, &o->aqm, &list);
				o->have_d = true;
			} else {
				ap_mask_or(&o->adm, &o->adm, &list);
			}
			break;
		default:
			return -1;
		}
	}
	if (o->persistent && o->live && !o->config) {
		cmd_usage_error(
			ctx, cmd,
			"--persistent makes the whole assignment last, which --live alone does not (add --config, or leave out --live)");
		return -1;
	}
	if (o->persistent)
		o->config = true;
	return 0;
}

/* ---- shared lookups ---- */

/* the guest devno that mirrors the host's: 0.0.2b09 -> fe.0.2b09 */
static bool host_devno(const struct sysfs *s, const char *subchannel,
		       struct guest_devno *out)
{
	struct css_subchannel sch;

	if (css_read_subchannel(s, subchannel, &sch) < 0 || !sch.has_device)
		return false;
	*out = (struct guest_devno){ 0xfe, sch.busid.ssid, sch.busid.devno };
	return true;
}

static int open_domain(struct ctx *ctx, const char *name, virDomainPtr *out)
{
	*out = virt_domain_lookup(ctx->conn, name);
	if (*out)
		return 0;
	vm_error_set(
		&ctx->err, VM_EXIT_NOT_FOUND, ENOENT,
		"no domain '%s' at %s (searched names and uuids; 'virsh list --all' shows them)",
		name,
		ctx->uri ? ctx->uri :
			   (getenv("LIBVIRT_DEFAULT_URI") ?
				    getenv("LIBVIRT_DEFAULT_URI") :
				    "libvirt's default URI"));
	return -1;
}

static void target_init(struct attach_target *t, struct ctx *ctx,
			virDomainPtr dom, const struct dopts *o)
{
	memset(t, 0, sizeof(*t));
	t->conn = ctx->conn;
	t->dom = dom;
	t->name = virt_domain_name(dom);
	t->uri = ctx->uri;
	t->template_dir = o->template_dir;
	t->live = o->live;
	t->config = o->config;
}

/* ---- xml ---- */

static int xml_run(struct ctx *ctx, int argc, char **argv)
{
	struct dopts o;
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *m = NULL;
	struct hostdev_opts h = { 0 };
	_cleanup_free_ char *out = NULL;
	char uuid[IDS_UUID_STRLEN];
	const char *format;
	size_t n = 0;
	int model, r = VM_EXIT_OK;
	uuid_t u;

	if (parse_opts(ctx, &cmd_xml, argc, argv, &o) < 0)
		return (int)ctx->err.exit;
	if (argc - optind != 1)
		return cmd_usage_error(ctx, &cmd_xml,
				       "xml takes one mdev UUID");
	if (ids_uuid_parse(argv[optind], u, &ctx->err) < 0) {
		ctx->err.exit = VM_EXIT_USAGE;
		return VM_EXIT_USAGE;
	}
	ids_uuid_format(u, uuid);
	format = o.format ? o.format : "hostdev";
	model = o.model;
	if (model < 0) {
		/* the device tells: read the host */
		if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
			return (int)ctx->err.exit;
		m = mdev_find(mdevs, n, uuid);
		if (!m) {
			vm_error_set(
				&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
				"no mdev '%s' on this host (searched sysfs and mdevctl's definitions); for a device elsewhere, say what it is with --model vfio-ccw or --model vfio-ap",
				uuid);
			r = (int)ctx->err.exit;
			goto out;
		}
		model = mdev_model_of_type(m->type);
		if (model < 0) {
			vm_error_set(
				&ctx->err, VM_EXIT_REFUSED, EINVAL,
				"mdev %s has type '%s', which is neither vfio-ccw (%s) nor vfio-ap (%s)",
				uuid, m->type, MDEV_TYPE_CCW, MDEV_TYPE_AP);
			r = (int)ctx->err.exit;
			goto out;
		}
	}
	if (model == MODEL_VFIO_AP && (o.devno_given || o.boot_order)) {
		r = cmd_usage_error(
			ctx, &cmd_xml,
			"--devno and --boot-order are for vfio-ccw devices; a vfio-ap device has no ccw address and does not boot");
		goto out;
	}
	if ((strcmp(format, "nodedev") == 0 ||
	     strcmp(format, "mdevctl") == 0) &&
	    !m) {
		vm_error_set(
			&ctx->err, VM_EXIT_USAGE, EINVAL,
			"--format %s describes the mdev itself (its parent and configuration), so it needs the mdev on this host: leave out --model",
			format);
		r = (int)ctx->err.exit;
		goto out;
	}
	h.uuid = uuid;
	h.model = (enum mdev_model)model;
	h.boot_order = o.boot_order;
	h.alias = o.alias;
	if (model == MODEL_VFIO_CCW) {
		if (o.devno_given) {
			h.has_devno = true;
			h.devno = o.devno;
		} else if (m) {
			h.has_devno =
				host_devno(ctx->sysfs, m->parent, &h.devno);
		}
		if (h.has_devno && h.devno.cssid != 0xfe) {
			char dn[GUEST_DEVNO_STRLEN];

			guest_devno_format(&h.devno, dn);
			vm_error_set(
				&ctx->err, VM_EXIT_REFUSED, EINVAL,
				"invalid guest devno %s for vfio-ccw: guests see only channel subsystem 0xfe (write fe.%x.%04x)",
				dn, h.devno.ssid, h.devno.devno);
			r = (int)ctx->err.exit;
			goto out;
		}
	}
	if (strcmp(format, "hostdev") == 0) {
		if (xml_hostdev(&h, o.template_dir, &out, &ctx->err) < 0) {
			r = (int)ctx->err.exit;
			goto out;
		}
	} else if (strcmp(format, "qemu") == 0) {
		_cleanup_free_ char *path = NULL;
		char dn[GUEST_DEVNO_STRLEN], devno[40] = "", boot[32] = "",
					     id[96] = "";

		path = model == MODEL_VFIO_CCW ?
			       sysfs_path(ctx->sysfs, "bus/mdev/devices/%s",
					  uuid) :
			       sysfs_path(ctx->sysfs,
					  "devices/vfio_ap/matrix/%s", uuid);
		if (h.has_devno) {
			guest_devno_format(&h.devno, dn);
			snprintf(devno, sizeof(devno), "devno=%s,", dn);
		}
		if (h.boot_order)
			snprintf(boot, sizeof(boot), ",bootindex=%u",
				 h.boot_order);
		/* QEMU's device id is libvirt's alias */
		if (o.alias)
			snprintf(id, sizeof(id), ",id=%s", o.alias);
		if (!path || asprintf(&out, "-device %s,%ssysfsdev=%s%s%s\n",
				      mdev_model_name(h.model), devno, path,
				      boot, id) < 0) {
			out = NULL;
			vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				     "out of memory");
			r = VM_EXIT_FAILED;
			goto out;
		}
	} else {
		struct mdev_spec spec;

		mdev_spec_from_info(m, &spec);
		if (strcmp(format, "nodedev") == 0) {
			if (xml_nodedev_mdev(&spec, o.template_dir, false, &out,
					     &ctx->err) < 0) {
				r = (int)ctx->err.exit;
				goto out;
			}
		} else {
			out = mdev_definition_json(&spec, m->autostart);
		}
	}
	if (ctx->json) {
		struct json_object *doc = json_object_new_object();

		json_object_object_add(doc, "uuid",
				       json_object_new_string(uuid));
		json_object_object_add(
			doc, "model",
			json_object_new_string(mdev_model_name(h.model)));
		json_object_object_add(doc, "format",
				       json_object_new_string(format));
		json_object_object_add(doc, "text",
				       json_object_new_string(out ? out : ""));
		output_json(stdout, doc);
		json_object_put(doc);
	} else {
		fputs(out ? out : "", stdout);
	}
out:
	mdev_list_free(mdevs, n);
	return r;
}

const struct cmd cmd_xml = {
	.name = "xml",
	.args = "UUID",
	.help = "print an mdev as libvirt <hostdev> XML, QEMU arguments, node-device XML or an mdevctl definition",
	.flags = CMD_NEEDS_ROOT,
	.run = xml_run,
	.usage =
		"xml UUID [--format hostdev|qemu|nodedev|mdevctl] [--devno fe.S.DDDD|auto]\n"
		"         [--boot-order N] [--alias ua-NAME] [--model vfio-ccw|vfio-ap]\n"
		"         [--template-dir DIR]\n"
		"  hostdev (default): <hostdev mode='subsystem' type='mdev' model=...>, for a\n"
		"  vfio-ccw device with the guest ccw address (default: the host's device number\n"
		"  in css fe: 0.0.2b09 -> fe.0.2b09). qemu: the -device argument. nodedev and\n"
		"  mdevctl: the mdev itself, as libvirt's node-device XML or mdevctl's JSON.\n"
		"  The model comes from the device's type; for a device that is not on this host\n"
		"  (XML made ahead of time), --model says what it is and the host is not read.\n"
		"  --template-dir: copies of the templates to build from (VIRT_MDEV_TEMPLATE_DIR).\n",
};

/* ---- attach, detach ---- */

static int attach_run(struct ctx *ctx, int argc, char **argv)
{
	struct dopts o;
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *m;
	struct attach_req req = { 0 };
	struct attach_target t;
	_cleanup_domain_ virDomainPtr dom = NULL;
	struct guest_devno used = { 0 };
	struct json_object *result;
	struct plan p;
	char nothing[512];
	size_t n = 0;
	int model, r;
	uuid_t u;

	if (parse_opts(ctx, &cmd_attach, argc, argv, &o) < 0)
		return (int)ctx->err.exit;
	if (argc - optind != 2)
		return cmd_usage_error(
			ctx, &cmd_attach,
			"attach takes a DOMAIN and an mdev UUID");
	if (ids_uuid_parse(argv[optind + 1], u, &ctx->err) < 0) {
		ctx->err.exit = VM_EXIT_USAGE;
		return VM_EXIT_USAGE;
	}
	ids_uuid_format(u, req.uuid);
	if (open_domain(ctx, argv[optind], &dom) < 0)
		return (int)ctx->err.exit;
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
		return (int)ctx->err.exit;
	m = mdev_find(mdevs, n, req.uuid);
	req.mdev_exists = m != NULL;
	req.mdev_active = m && m->active;
	model = m ? mdev_model_of_type(m->type) : MODEL_VFIO_CCW;
	if (m && model < 0) {
		mdev_list_free(mdevs, n);
		vm_error_set(
			&ctx->err, VM_EXIT_REFUSED, EINVAL,
			"mdev %s has type '%s', which is neither vfio-ccw nor vfio-ap",
			req.uuid, m->type);
		return (int)ctx->err.exit;
	}
	req.model = (enum mdev_model)model;
	req.devno_given = o.devno_given;
	req.devno = o.devno;
	req.boot_order = o.boot_order;
	req.alias = o.alias;
	if (m && req.model == MODEL_VFIO_CCW)
		req.host_devno_known =
			host_devno(ctx->sysfs, m->parent, &req.host_devno);
	mdev_list_free(mdevs, n);
	if (req.model == MODEL_VFIO_AP && (o.devno_given || o.boot_order))
		return cmd_usage_error(
			ctx, &cmd_attach,
			"--devno and --boot-order are for vfio-ccw devices; a vfio-ap device has no ccw address and does not boot");
	target_init(&t, ctx, dom, &o);
	plan_init(&p, ctx->sysfs);
	if (attach_plan(&t, &req, &p, &used, &ctx->err) < 0) {
		plan_clear(&p);
		return (int)ctx->err.exit;
	}
	result = json_object_new_object();
	json_object_object_add(result, "domain",
			       json_object_new_string(t.name));
	json_object_object_add(result, "uuid",
			       json_object_new_string(req.uuid));
	json_object_object_add(
		result, "model",
		json_object_new_string(mdev_model_name(req.model)));
	if (req.model == MODEL_VFIO_CCW) {
		char dn[GUEST_DEVNO_STRLEN];

		guest_devno_format(&used, dn);
		json_object_object_add(result, "devno",
				       json_object_new_string(dn));
	}
	snprintf(nothing, sizeof(nothing),
		 "mdev %s is attached to domain %s already", req.uuid, t.name);
	r = cmd_run_plan(ctx, &p, nothing, result);
	plan_clear(&p);
	return r;
}

static int detach_run(struct ctx *ctx, int argc, char **argv)
{
	struct dopts o;
	struct attach_target t;
	_cleanup_domain_ virDomainPtr dom = NULL;
	char uuid[IDS_UUID_STRLEN], nothing[512];
	struct json_object *result;
	struct plan p;
	int r;
	uuid_t u;

	if (parse_opts(ctx, &cmd_detach, argc, argv, &o) < 0)
		return (int)ctx->err.exit;
	if (argc - optind != 2)
		return cmd_usage_error(
			ctx, &cmd_detach,
			"detach takes a DOMAIN and an mdev UUID");
	if (ids_uuid_parse(argv[optind + 1], u, &ctx->err) < 0) {
		ctx->err.exit = VM_EXIT_USAGE;
		return VM_EXIT_USAGE;
	}
	ids_uuid_format(u, uuid);
	if (open_domain(ctx, argv[optind], &dom) < 0)
		return (int)ctx->err.exit;
	target_init(&t, ctx, dom, &o);
	plan_init(&p, ctx->sysfs);
	if (detach_plan(&t, uuid, &p, &ctx->err) < 0) {
		plan_clear(&p);
		return (int)ctx->err.exit;
	}
	result = json_object_new_object();
	json_object_object_add(result, "domain",
			       json_object_new_string(t.name));
	json_object_object_add(result, "uuid", json_object_new_string(uuid));
	snprintf(nothing, sizeof(nothing),
		 "mdev %s is not attached to domain %s", uuid, t.name);
	r = cmd_run_plan(ctx, &p, nothing, result);
	plan_clear(&p);
	return r;
}

const struct cmd cmd_attach = {
	.name = "attach",
	.args = "DOMAIN UUID",
	.help = "attach an mdev to a libvirt domain as a <hostdev>",
	.flags = CMD_NEEDS_ROOT | CMD_NEEDS_CONN | CMD_MUTATES,
	.run = attach_run,
	.usage =
		"attach DOMAIN UUID [--devno fe.S.DDDD|auto] [--boot-order N] [--alias ua-NAME]\n"
		"                   [--live] [--config] [--template-dir DIR]\n"
		"  virDomainAttachDeviceFlags; --live and --config as virsh's (neither: the\n"
		"  domain's current state). Where the driver cannot attach devices, the\n"
		"  persistent definition is edited and defined again, and the command says so.\n"
		"  Checks first: the mdev exists (active, for a running guest); a vfio-ap mdev\n"
		"  is the domain's only one; a vfio-ccw devno is free among all ccw addresses\n"
		"  of the domain. --devno default: the host's device number in css fe\n"
		"  (0.0.2b09 -> fe.0.2b09) when free, else the first free one.\n",
};

const struct cmd cmd_detach = {
	.name = "detach",
	.args = "DOMAIN UUID",
	.help = "detach an mdev from a libvirt domain",
	.flags = CMD_NEEDS_ROOT | CMD_NEEDS_CONN | CMD_MUTATES,
	.run = detach_run,
	.usage =
		"detach DOMAIN UUID [--live] [--config]\n"
		"  virDomainDetachDeviceFlags with the <hostdev> as the domain has it (or the\n"
		"  define fallback). An mdev that is not attached is nothing to do.\n",
};

/* ---- assign, unassign ---- */

static void add_devno(struct json_object *result, const struct guest_devno *d)
{
	char dn[GUEST_DEVNO_STRLEN];

	guest_devno_format(d, dn);
	json_object_object_add(result, "devno", json_object_new_string(dn));
}

static int assign_ccw(struct ctx *ctx, const struct dopts *o,
		      const struct attach_target *t, const char *device,
		      struct plan *p, struct json_object *result,
		      struct backend_ctx *b)
{
	struct css_subchannel sch, after;
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *have = NULL;
	struct mdev_spec m = { 0 };
	struct mdev_state st;
	struct attach_req req = { 0 };
	struct guest_devno used = { 0 };
	size_t n = 0;
	int r = -1;

	if (css_find(ctx->sysfs, device, &sch, &ctx->err) < 0)
		return -1;
	if (css_plan_bind(ctx->sysfs, &sch, o->persistent, o->force, p,
			  &ctx->err) < 0)
		return -1;
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
		return -1;
	snprintf(m.parent, sizeof(m.parent), "%s", sch.name);
	snprintf(m.type, sizeof(m.type), MDEV_TYPE_CCW);
	/* the mdev on the subchannel is the one: the same command twice changes nothing */
	if (o->uuid_given)
		snprintf(m.uuid, sizeof(m.uuid), "%s", o->uuid);
	if (mdev_resolve(&m, o->uuid_given, "assign", mdevs, n, &have,
			 &ctx->err) < 0)
		goto out;
	mdev_state_of(have, &st);
	/* the checks of create, on the subchannel as the bind steps leave it */
	after = sch;
	snprintf(after.driver, sizeof(after.driver), CSS_VFIO_CCW);
	if (!st.active &&
	    lifecycle_check_ccw(&after, &m, mdevs, n, &ctx->err) < 0)
		goto out;
	if (backend_open(ctx, &m, DEFAULT_TIMEOUT_S, b) < 0)
		goto out;
	if (lifecycle_plan(&b->lc, p, &m, &st, WANT_YES,
			   o->persistent ? WANT_YES : WANT_KEEP,
			   o->persistent ? WANT_YES : WANT_KEEP, &ctx->err) < 0)
		goto out;
	snprintf(req.uuid, sizeof(req.uuid), "%s", m.uuid);
	req.model = MODEL_VFIO_CCW;
	req.devno_given = o->devno_given;
	req.devno = o->devno;
	req.boot_order = o->boot_order;
	req.alias = o->alias;
	req.mdev_exists = req.mdev_active = true; /* the plan makes it so */
	if (sch.has_device) {
		req.host_devno_known = true;
		req.host_devno = (struct guest_devno){ 0xfe, sch.busid.ssid,
						       sch.busid.devno };
	}
	if (attach_plan(t, &req, p, &used, &ctx->err) < 0)
		goto out;
	json_object_object_add(result, "uuid", json_object_new_string(m.uuid));
	json_object_object_add(result, "subchannel",
			       json_object_new_string(sch.name));
	json_object_object_add(result, "model",
			       json_object_new_string("vfio-ccw"));
	json_object_object_add(result, "backend",
			       json_object_new_string(b->name));
	add_devno(result, &used);
	r = 0;
out:
	mdev_list_free(mdevs, n);
	return r;
}

static int assign_ap(struct ctx *ctx, const struct dopts *o,
		     const struct attach_target *t, struct plan *p,
		     struct json_object *result, struct backend_ctx *b)
{
	struct ap_host h = { 0 }, after;
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *have = NULL;
	struct mdev_spec m = { 0 };
	struct mdev_state st;
	struct attach_req req = { 0 };
	struct guest_devno unused;
	size_t n = 0;
	int r = -1;

	if (!o->have_a || !o->have_d) {
		cmd_usage_error(
			ctx, &cmd_assign,
			"assign DOMAIN ap needs --adapters and --domains (e.g. --adapters 5 --domains 4,0xab)");
		return -1;
	}
	if (ap_read_host(ctx->sysfs, &h, &ctx->err) < 0)
		return -1;
	after = h;
	/* free what the host still holds: the steps of ap reserve */
	if (ap_plan_masks(&h, &o->apm, &o->aqm, true, p, &after.apmask,
			  &after.aqmask, &ctx->err) < 0)
		goto out;
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
		goto out;
	m.is_ap = true;
	snprintf(m.parent, sizeof(m.parent), MDEV_PARENT_AP);
	snprintf(m.type, sizeof(m.type), MDEV_TYPE_AP);
	m.apm = o->apm;
	m.aqm = o->aqm;
	m.adm = o->adm;
	if (o->uuid_given)
		snprintf(m.uuid, sizeof(m.uuid), "%s", o->uuid);
	if (mdev_resolve(&m, o->uuid_given, "assign", mdevs, n, &have,
			 &ctx->err) < 0)
		goto out;
	mdev_state_of(have, &st);
	if (!st.active &&
	    lifecycle_check_ap(&after, &m, mdevs, n, &ctx->err) < 0)
		goto out;
	if (backend_open(ctx, &m, DEFAULT_TIMEOUT_S, b) < 0)
		goto out;
	if (lifecycle_plan(&b->lc, p, &m, &st, WANT_YES,
			   o->persistent ? WANT_YES : WANT_KEEP,
			   o->persistent ? WANT_YES : WANT_KEEP, &ctx->err) < 0)
		goto out;
	snprintf(req.uuid, sizeof(req.uuid), "%s", m.uuid);
	req.model = MODEL_VFIO_AP;
	req.alias = o->alias;
	req.mdev_exists = req.mdev_active = true;
	if (attach_plan(t, &req, p, &unused, &ctx->err) < 0)
		goto out;
	json_object_object_add(result, "uuid", json_object_new_string(m.uuid));
	json_object_object_add(result, "model",
			       json_object_new_string("vfio-ap"));
	json_object_object_add(result, "backend",
			       json_object_new_string(b->name));
	{
		char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

		ap_mask_format(&after.apmask, am);
		ap_mask_format(&after.aqmask, qm);
		json_object_object_add(result, "apmask",
				       json_object_new_string(am));
		json_object_object_add(result, "aqmask",
				       json_object_new_string(qm));
	}
	r = 0;
out:
	mdev_list_free(mdevs, n);
	ap_host_clear(&h);
	return r;
}

static int assign_run(struct ctx *ctx, int argc, char **argv)
{
	struct dopts o;
	struct attach_target t;
	struct backend_ctx b = { 0 };
	_cleanup_domain_ virDomainPtr dom = NULL;
	_cleanup_close_ int lock = -1;
	struct json_object *result;
	struct plan p;
	char nothing[512];
	bool ap;
	int r;

	if (parse_opts(ctx, &cmd_assign, argc, argv, &o) < 0)
		return (int)ctx->err.exit;
	if (argc - optind < 2 || (strcmp(argv[optind + 1], "ccw") != 0 &&
				  strcmp(argv[optind + 1], "ap") != 0))
		return cmd_usage_error(
			ctx, &cmd_assign,
			"expected DOMAIN ccw DEVICE, or DOMAIN ap --adapters L --domains L");
	ap = strcmp(argv[optind + 1], "ap") == 0;
	if (ap ? argc - optind != 2 : argc - optind != 3)
		return cmd_usage_error(
			ctx, &cmd_assign,
			ap ? "assign DOMAIN ap takes --adapters and --domains, no DEVICE" :
			     "assign DOMAIN ccw takes one DEVICE (a busid such as 0.0.2b09 or a subchannel)");
	if (!ap && (o.have_a || o.have_d || !ap_mask_is_empty(&o.adm)))
		return cmd_usage_error(
			ctx, &cmd_assign,
			"--adapters, --domains and --control-domains are for assign DOMAIN ap");
	if (ap && (o.devno_given || o.boot_order || o.force))
		return cmd_usage_error(
			ctx, &cmd_assign,
			"--devno, --boot-order and --force are for assign DOMAIN ccw");
	if (open_domain(ctx, argv[optind], &dom) < 0)
		return (int)ctx->err.exit;
	target_init(&t, ctx, dom, &o);
	if (ap && !ctx->dry_run) {
		lock = ap_lock(ctx->sysfs, &ctx->err);
		if (lock < 0)
			return (int)ctx->err.exit;
	}
	result = json_object_new_object();
	json_object_object_add(result, "domain",
			       json_object_new_string(t.name));
	plan_init(&p, ctx->sysfs);
	if ((ap ? assign_ap(ctx, &o, &t, &p, result, &b) :
		  assign_ccw(ctx, &o, &t, argv[optind + 2], &p, result, &b)) <
	    0) {
		json_object_put(result);
		plan_clear(&p);
		backend_close(&b);
		return (int)ctx->err.exit;
	}
	json_object_object_add(result, "persistent",
			       json_object_new_boolean(o.persistent));
	snprintf(nothing, sizeof(nothing),
		 "%s is assigned to domain %s already, as asked",
		 ap ? "the vfio-ap mdev" : argv[optind + 2], t.name);
	r = cmd_run_plan(ctx, &p, nothing, result);
	if (r == VM_EXIT_OK && ap && o.persistent && !ctx->json &&
	    ctx->verbosity >= 0)
		printf("note: apmask and aqmask last until the next boot (see 'virt-mdev help ap' for the kernel parameters that keep them)\n");
	plan_clear(&p);
	backend_close(&b);
	return r;
}

const struct cmd cmd_assign = {
	.name = "assign",
	.args = "DOMAIN ccw|ap ...",
	.help = "bind or reserve, create the mdev and attach it to a domain, in one plan",
	.flags = CMD_NEEDS_ROOT | CMD_NEEDS_CONN | CMD_MUTATES,
	.run = assign_run,
	.usage =
		"assign DOMAIN ccw DEVICE [--devno fe.S.DDDD|auto] [--boot-order N] [--uuid U]\n"
		"                         [--persistent] [--force] [--live] [--config]\n"
		"assign DOMAIN ap --adapters L --domains L [--control-domains L] [--uuid U]\n"
		"                 [--persistent] [--live] [--config]\n"
		"  One plan: bind the subchannel to vfio_ccw (or free the APQNs from the host),\n"
		"  create the mdev, attach it. Every check of each step runs before the first\n"
		"  step; a failing step undoes all earlier ones; a second identical run changes\n"
		"  nothing. --persistent: the binding persists (driverctl), the mdev is defined\n"
		"  and starts at boot, and the domain's persistent definition gets the device\n"
		"  (--config). AP masks cannot persist this way: the command says so.\n"
		"  --alias ua-NAME and --template-dir as for attach.\n",
};

static int unassign_run(struct ctx *ctx, int argc, char **argv)
{
	struct dopts o;
	struct attach_target t;
	struct backend_ctx b = { 0 };
	_cleanup_domain_ virDomainPtr dom = NULL;
	_cleanup_close_ int lock = -1;
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *mi = NULL;
	struct json_object *result;
	struct mdev_spec m;
	struct mdev_state st;
	struct plan p;
	char nothing[512];
	const char *what;
	size_t n = 0;
	int r = VM_EXIT_OK;
	uuid_t u;

	if (parse_opts(ctx, &cmd_unassign, argc, argv, &o) < 0)
		return (int)ctx->err.exit;
	if (argc - optind != 2)
		return cmd_usage_error(
			ctx, &cmd_unassign,
			"unassign takes a DOMAIN and an mdev UUID or a DEVICE (busid or subchannel)");
	what = argv[optind + 1];
	if (open_domain(ctx, argv[optind], &dom) < 0)
		return (int)ctx->err.exit;
	target_init(&t, ctx, dom, &o);
	if (!ctx->dry_run) {
		lock = ap_lock(ctx->sysfs, &ctx->err);
		if (lock < 0)
			return (int)ctx->err.exit;
	}
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
		return (int)ctx->err.exit;
	if (ids_uuid_parse(what, u, NULL) == 0) {
		char uuid[IDS_UUID_STRLEN];

		ids_uuid_format(u, uuid);
		mi = mdev_find(mdevs, n, uuid);
		if (!mi) {
			/* not on the host; maybe still in the domain */
			struct json_object *res = json_object_new_object();

			plan_init(&p, ctx->sysfs);
			if (detach_plan(&t, uuid, &p, &ctx->err) < 0) {
				json_object_put(res);
				plan_clear(&p);
				r = (int)ctx->err.exit;
				goto out;
			}
			json_object_object_add(res, "uuid",
					       json_object_new_string(uuid));
			snprintf(
				nothing, sizeof(nothing),
				"no mdev %s on this host, and none in domain %s",
				uuid, t.name);
			r = cmd_run_plan(ctx, &p, nothing, res);
			plan_clear(&p);
			goto out;
		}
	} else {
		struct css_subchannel sch;

		if (css_find(ctx->sysfs, what, &sch, &ctx->err) < 0) {
			r = (int)ctx->err.exit;
			goto out;
		}
		for (size_t i = 0; i < n && !mi; i++)
			if (strcmp(mdevs[i].parent, sch.name) == 0)
				mi = &mdevs[i];
		if (!mi) {
			struct json_object *res = json_object_new_object();

			/* no mdev: what is left is the binding */
			plan_init(&p, ctx->sysfs);
			if (strcmp(sch.driver, CSS_VFIO_CCW) == 0 &&
			    css_plan_unbind(ctx->sysfs, &sch, true, &p, NULL,
					    &ctx->err) < 0) {
				json_object_put(res);
				plan_clear(&p);
				r = (int)ctx->err.exit;
				goto out;
			}
			json_object_object_add(
				res, "subchannel",
				json_object_new_string(sch.name));
			snprintf(
				nothing, sizeof(nothing),
				"subchannel %s has no mdev and is back with the host",
				sch.name);
			r = cmd_run_plan(ctx, &p, nothing, res);
			plan_clear(&p);
			goto out;
		}
	}
	mdev_spec_from_info(mi, &m);
	mdev_state_of(mi, &st);
	plan_init(&p, ctx->sysfs);
	result = json_object_new_object();
	json_object_object_add(result, "domain",
			       json_object_new_string(t.name));
	json_object_object_add(result, "uuid", json_object_new_string(m.uuid));
	/* detach, remove (and undefine), give back: the reverse of assign */
	if (detach_plan(&t, m.uuid, &p, &ctx->err) < 0)
		goto fail;
	if (!o.keep_mdev) {
		if (backend_open(ctx, &m, DEFAULT_TIMEOUT_S, &b) < 0 ||
		    lifecycle_plan(&b.lc, &p, &m, &st, WANT_NO, WANT_NO,
				   WANT_KEEP, &ctx->err) < 0)
			goto fail;
		if (m.is_ap) {
			struct ap_host h;
			struct ap_mask na, nq;
			size_t k = 0;

			if (ap_read_host(ctx->sysfs, &h, &ctx->err) < 0)
				goto fail;
			/* this mdev is going: only the others may keep APQNs from the host */
			for (size_t i = 0; i < h.nmdevs; i++)
				if (strcmp(h.mdevs[i].uuid, m.uuid) != 0)
					h.mdevs[k++] = h.mdevs[i];
			h.nmdevs = k;
			if (ap_plan_masks(&h, &m.apm, &m.aqm, false, &p, &na,
					  &nq, &ctx->err) < 0) {
				/* another mdev holds some: the APQNs stay free */
				if (ctx->verbosity >= 0 && !ctx->json)
					fprintf(stderr,
						"%s: note: the APQNs stay free of the host's drivers: %s\n",
						PROGRAM_NAME, ctx->err.msg);
				vm_error_clear(&ctx->err);
			}
			ap_host_clear(&h);
		} else {
			struct css_subchannel sch, after;

			if (css_read_subchannel(ctx->sysfs, m.parent, &sch) ==
			    0) {
				after = sch;
				after.mdev[0] = '\0'; /* removed by then */
				if (css_plan_unbind(ctx->sysfs, &after, true,
						    &p, NULL, &ctx->err) < 0)
					goto fail;
			}
		}
	}
	snprintf(nothing, sizeof(nothing), "mdev %s is not in domain %s%s",
		 m.uuid, t.name,
		 o.keep_mdev ? "" : ", and nothing of it is left on the host");
	r = cmd_run_plan(ctx, &p, nothing, result);
	plan_clear(&p);
	backend_close(&b);
	goto out;
fail:
	json_object_put(result);
	plan_clear(&p);
	backend_close(&b);
	r = (int)ctx->err.exit;
out:
	mdev_list_free(mdevs, n);
	return r;
}

const struct cmd cmd_unassign = {
	.name = "unassign",
	.args = "DOMAIN UUID|DEVICE",
	.help = "detach an mdev from a domain, remove it and give its device back to the host",
	.flags = CMD_NEEDS_ROOT | CMD_NEEDS_CONN | CMD_MUTATES,
	.run = unassign_run,
	.usage =
		"unassign DOMAIN UUID|DEVICE [--keep-mdev] [--live] [--config]\n"
		"  The reverse of assign, in one plan: detach the mdev (by uuid, or the mdev of\n"
		"  a busid or subchannel), stop and undefine it, and give the subchannel back to\n"
		"  io_subchannel (driverctl's override removed) or the APQNs back to the host\n"
		"  (unless another mdev holds some of them: then they stay free, and the\n"
		"  command says so). --keep-mdev only detaches.\n",
};
