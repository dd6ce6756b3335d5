/* virt-mdev create|start|stop|remove|validate: an mdev's lifecycle, through libvirt or sysfs, with the checks first. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/cleanup.h"
#include "lib/css.h"
#include "lib/lifecycle.h"
#include "lib/mdev.h"
#include "lib/output.h"
#include "lib/plan.h"

#define DEFAULT_TIMEOUT_S 30

enum {
	OPT_UUID = 0x100,
	OPT_DEFINE,
	OPT_AUTOSTART,
	OPT_ADAPTERS,
	OPT_DOMAINS,
	OPT_CONTROL_DOMAINS,
	OPT_UNDEFINE,
	OPT_TIMEOUT,
};

/* ---- shared parsing and lookups ---- */

static int parse_uuid(struct ctx *ctx, const char *str,
		      char out[IDS_UUID_STRLEN])
{
	uuid_t u;

	if (ids_uuid_parse(str, u, &ctx->err) < 0)
		return -1;
	ids_uuid_format(u, out);
	return 0;
}

static const char *state_words(const struct mdev_state *s, char *buf,
			       size_t size)
{
	snprintf(buf, size, "%s%s%s", s->active ? "active" : "inactive",
		 s->defined ? ", defined" : ", not defined",
		 s->defined ?
			 (s->autostart ? ", autostart" : ", manual start") :
			 "");
	return buf;
}

static struct json_object *result_json(const struct mdev_spec *m,
				       const char *backend)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uuid", json_object_new_string(m->uuid));
	json_object_object_add(o, "parent", json_object_new_string(m->parent));
	json_object_object_add(o, "type", json_object_new_string(m->type));
	json_object_object_add(o, "backend", json_object_new_string(backend));
	if (m->is_ap) {
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
	return o;
}

/* After a change: the mdev's state as the host now shows it. */
static void add_state(struct ctx *ctx, struct json_object *result,
		      const char *uuid)
{
	struct mdev_info *mdevs = NULL;
	struct vm_error ignore = { 0 };
	struct mdev_state st;
	size_t n = 0;

	if (mdev_list(ctx->sysfs, &mdevs, &n, &ignore) < 0)
		return;
	mdev_state_of(mdev_find(mdevs, n, uuid), &st);
	json_object_object_add(result, "active",
			       json_object_new_boolean(st.active));
	json_object_object_add(result, "defined",
			       json_object_new_boolean(st.defined));
	json_object_object_add(result, "autostart",
			       json_object_new_boolean(st.autostart));
	if (!ctx->json && !ctx->dry_run && ctx->verbosity >= 0) {
		char words[96];

		if (st.exists)
			printf("mdev %s: %s\n", uuid,
			       state_words(&st, words, sizeof(words)));
		else
			printf("mdev %s: gone\n", uuid);
	}
	mdev_list_free(mdevs, n);
}

static int run(struct ctx *ctx, struct plan *p, const char *nothing,
	       struct json_object *result, const char *uuid)
{
	int r = cmd_run_plan(ctx, p, nothing, json_object_get(result));

	if (r == VM_EXIT_OK && !ctx->dry_run && !ctx->json && !plan_is_empty(p))
		add_state(ctx, result, uuid);
	json_object_put(result);
	return r;
}

/* ---- create ---- */

static const struct option create_options[] = {
	{ "uuid", required_argument, NULL, OPT_UUID },
	{ "define", no_argument, NULL, OPT_DEFINE },
	{ "autostart", no_argument, NULL, OPT_AUTOSTART },
	{ "adapters", required_argument, NULL, OPT_ADAPTERS },
	{ "domains", required_argument, NULL, OPT_DOMAINS },
	{ "control-domains", required_argument, NULL, OPT_CONTROL_DOMAINS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

static int parse_timeout(struct ctx *ctx, const struct cmd *cmd,
			 const char *arg, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || errno || v < 1 || v > 3600)
		return cmd_usage_error(
			ctx, cmd,
			"invalid --timeout '%s': seconds from 1 to 3600 (default %d)",
			arg, DEFAULT_TIMEOUT_S);
	*out = (unsigned)v;
	return 0;
}

static int create_run(struct ctx *ctx, int argc, char **argv)
{
	bool define = false, autostart = false, uuid_given = false, ap;
	bool have_a = false, have_d = false;
	unsigned timeout = DEFAULT_TIMEOUT_S;
	struct mdev_spec m = { 0 };
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *have = NULL;
	struct mdev_state st;
	struct css_subchannel sch;
	struct ap_host h = { 0 };
	struct backend_ctx b = { 0 };
	_cleanup_close_ int lock = -1;
	struct ap_mask list;
	struct plan p;
	char nothing[512], words[96];
	size_t n = 0;
	int c, r = VM_EXIT_OK;

	if (argc < 2 ||
	    (strcmp(argv[1], "ccw") != 0 && strcmp(argv[1], "ap") != 0))
		return cmd_usage_error(
			ctx, &cmd_create,
			argc < 2 ?
				"expected ccw DEVICE or ap --adapters L --domains L" :
				"unknown kind '%s' (expected ccw or ap)",
			argc < 2 ? "" : argv[1]);
	ap = strcmp(argv[1], "ap") == 0;
	argc--;
	argv++;
	optind = 0;
	while ((c = cmd_getopt(ctx, &cmd_create, argc, argv, create_options)) !=
	       -1) {
		switch (c) {
		case OPT_UUID:
			if (parse_uuid(ctx, optarg, m.uuid) < 0)
				return VM_EXIT_USAGE;
			uuid_given = true;
			break;
		case OPT_DEFINE:
			define = true;
			break;
		case OPT_AUTOSTART:
			autostart = define = true;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(ctx, &cmd_create, optarg, &timeout) !=
			    0)
				return VM_EXIT_USAGE;
			break;
		case OPT_ADAPTERS:
		case OPT_DOMAINS:
		case OPT_CONTROL_DOMAINS:
			if (!ap)
				return cmd_usage_error(
					ctx, &cmd_create,
					"--adapters, --domains and --control-domains are for create ap");
			if (ap_id_list_parse(optarg,
					     c == OPT_ADAPTERS ? "adapter" :
					     c == OPT_DOMAINS  ? "domain" :
								 "control domain",
					     &list, &ctx->err) < 0)
				return VM_EXIT_USAGE;
			ap_mask_or(c == OPT_ADAPTERS ? &m.apm :
				   c == OPT_DOMAINS  ? &m.aqm :
						       &m.adm,
				   c == OPT_ADAPTERS ? &m.apm :
				   c == OPT_DOMAINS  ? &m.aqm :
						       &m.adm,
				   &list);
			have_a |= c == OPT_ADAPTERS;
			have_d |= c == OPT_DOMAINS;
			break;
		default:
			return VM_EXIT_USAGE;
		}
	}
	if (ap) {
		if (argc != optind)
			return cmd_usage_error(
				ctx, &cmd_create,
				"create ap takes no DEVICE, only --adapters and --domains (got '%s')",
				argv[optind]);
		if (!have_a || !have_d)
			return cmd_usage_error(
				ctx, &cmd_create,
				"create ap needs --adapters and --domains (a vfio-ap device is adapters x domains, e.g. --adapters 5 --domains 4,0xab)");
		m.is_ap = true;
		snprintf(m.parent, sizeof(m.parent), MDEV_PARENT_AP);
		snprintf(m.type, sizeof(m.type), MDEV_TYPE_AP);
		if (!sysfs_exists(
			    ctx->sysfs,
			    "devices/vfio_ap/matrix/mdev_supported_types/%s",
			    MDEV_TYPE_AP)) {
			vm_error_set(
				&ctx->err, VM_EXIT_REFUSED, ENODEV,
				"cannot create a vfio-ap mdev: this host has no vfio_ap matrix device with type %s (load the vfio_ap module: modprobe vfio_ap)",
				MDEV_TYPE_AP);
			return (int)ctx->err.exit;
		}
		if (!ctx->dry_run) {
			lock = ap_lock(ctx->sysfs, &ctx->err);
			if (lock < 0)
				return (int)ctx->err.exit;
		}
		if (ap_read_host(ctx->sysfs, &h, &ctx->err) < 0)
			return (int)ctx->err.exit;
	} else {
		if (argc - optind != 1)
			return cmd_usage_error(
				ctx, &cmd_create,
				"create ccw takes one DEVICE (a busid such as 0.0.2b09 or a subchannel such as 0.0.0313)");
		if (css_find(ctx->sysfs, argv[optind], &sch, &ctx->err) < 0)
			return (int)ctx->err.exit;
		snprintf(m.parent, sizeof(m.parent), "%s", sch.name);
		snprintf(m.type, sizeof(m.type), MDEV_TYPE_CCW);
	}
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0) {
		ap_host_clear(&h);
		return (int)ctx->err.exit;
	}
	if (mdev_resolve(&m, uuid_given, "create", mdevs, n, &have, &ctx->err) <
	    0) {
		r = (int)ctx->err.exit;
		goto out;
	}
	mdev_state_of(have, &st);
	/* the checks: only what is to be made must pass them */
	if (!st.active) {
		if (ap)
			r = lifecycle_check_ap(&h, &m, mdevs, n, &ctx->err);
		else
			r = lifecycle_check_ccw(&sch, &m, mdevs, n, &ctx->err);
		if (r < 0) {
			r = (int)ctx->err.exit;
			goto out;
		}
	}
	if (backend_open(ctx, &m, timeout, &b) < 0) {
		r = (int)ctx->err.exit;
		goto out;
	}
	plan_init(&p, ctx->sysfs);
	if (lifecycle_plan(&b.lc, &p, &m, &st, WANT_YES,
			   define ? WANT_YES : WANT_KEEP,
			   autostart ? WANT_YES : WANT_KEEP, &ctx->err) < 0) {
		r = (int)ctx->err.exit;
	} else {
		snprintf(nothing, sizeof(nothing),
			 "mdev %s exists as asked (%s)", m.uuid,
			 state_words(&st, words, sizeof(words)));
		r = run(ctx, &p, nothing, result_json(&m, b.name), m.uuid);
	}
	plan_clear(&p);
	backend_close(&b);
out:
	mdev_list_free(mdevs, n);
	ap_host_clear(&h);
	return r;
}

const struct cmd cmd_create = {
	.name = "create",
	.args = "ccw|ap ...",
	.help = "create an mdev on a vfio_ccw subchannel or the vfio_ap matrix, transient or defined",
	.flags = CMD_NEEDS_ROOT | CMD_MUTATES,
	.run = create_run,
	.usage =
		"create ccw DEVICE [--uuid U] [--define] [--autostart] [--timeout S]\n"
		"  a vfio-ccw mdev on the subchannel of DEVICE (busid 0.0.2b09 or subchannel\n"
		"  0.0.0313), which must be bound to vfio_ccw ('virt-mdev ccw bind DEVICE').\n"
		"create ap --adapters L --domains L [--control-domains L] [--uuid U] [--define]\n"
		"          [--autostart] [--timeout S]\n"
		"  a vfio-ap mdev holding adapters x domains (lists such as 5,6 or 0x10-0x1f),\n"
		"  which must be freed from the host first ('virt-mdev ap reserve') and held by\n"
		"  no other mdev, active or defined.\n"
		"\n"
		"--uuid U     the mdev's uuid (default: a new one; without it, an mdev already on\n"
		"             the subchannel, or with exactly these APQNs, is the one meant)\n"
		"--define     make it persistent (libvirt's node device / mdevctl's definition)\n"
		"--autostart  start it at boot (implies --define)\n"
		"--timeout S  how long to wait for libvirt to report the device active (30)\n"
		"Backend libvirt: virNodeDeviceCreateXML (transient), or DefineXML + Create.\n"
		"Backend sysfs: writes create and the vfio-ap configuration itself (ap_config\n"
		"in one write where the kernel has it, else assign_* in order), and for --define\n"
		"mdevctl's definition. Creating what exists as asked changes nothing; a\n"
		"different configuration under the same uuid is refused, showing the difference.\n",
};

/* ---- start, stop, remove ---- */

static const struct option one_options[] = {
	{ "undefine", no_argument, NULL, OPT_UNDEFINE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* the domains whose XML uses the mdev, when libvirt can be asked */
struct users {
	const char *uuid;
	char names[512];
};

static void add_user(const char *uuid, const char *domain, void *opaque)
{
	struct users *u = opaque;
	size_t len = strlen(u->names);

	if (strcasecmp(uuid, u->uuid) != 0 || strstr(u->names, domain))
		return;
	snprintf(u->names + len, sizeof(u->names) - len, "%s%s",
		 len ? ", " : "", domain);
}

static int one_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		   char **argv)
{
	bool start = cmd == &cmd_start, remove = cmd == &cmd_remove;
	bool undefine = false;
	unsigned timeout = DEFAULT_TIMEOUT_S;
	char uuid[IDS_UUID_STRLEN], nothing[512], words[96];
	struct mdev_info *mdevs = NULL;
	const struct mdev_info *have;
	struct backend_ctx b = { 0 };
	_cleanup_close_ int lock = -1;
	struct mdev_spec m;
	struct mdev_state st;
	struct plan p;
	size_t n = 0;
	int c, r = VM_EXIT_OK;

	optind = 0;
	while ((c = cmd_getopt(ctx, cmd, argc, argv, one_options)) != -1) {
		switch (c) {
		case OPT_UNDEFINE:
			if (!remove)
				return cmd_usage_error(
					ctx, cmd, "--undefine is for remove");
			undefine = true;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(ctx, cmd, optarg, &timeout) != 0)
				return VM_EXIT_USAGE;
			break;
		default:
			return VM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(ctx, cmd, "%s takes one mdev UUID",
				       cmd->name);
	if (parse_uuid(ctx, argv[optind], uuid) < 0)
		return VM_EXIT_USAGE;
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
		return (int)ctx->err.exit;
	have = mdev_find(mdevs, n, uuid);
	if (have && have->is_ap && !ctx->dry_run) {
		/* a vfio-ap change: under the lock, and the host read again under it */
		lock = ap_lock(ctx->sysfs, &ctx->err);
		mdev_list_free(mdevs, n);
		mdevs = NULL;
		n = 0;
		if (lock < 0 ||
		    mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
			return (int)ctx->err.exit;
		have = mdev_find(mdevs, n, uuid);
	}
	if (!have) {
		if (remove) {
			/* the state asked for holds: nothing to remove */
			struct json_object *res = json_object_new_object();

			json_object_object_add(res, "uuid",
					       json_object_new_string(uuid));
			plan_init(&p, ctx->sysfs);
			snprintf(
				nothing, sizeof(nothing),
				"no mdev %s on this host (neither active in sysfs nor defined)",
				uuid);
			r = cmd_run_plan(ctx, &p, nothing, res);
			plan_clear(&p);
			goto out;
		}
		vm_error_set(
			&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
			"no mdev '%s' on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)",
			uuid);
		r = (int)ctx->err.exit;
		goto out;
	}
	mdev_spec_from_info(have, &m);
	mdev_state_of(have, &st);
	if (start && !st.active) {
		/* what the kernel would refuse, said first; overlaps only with active ones */
		struct mdev_info *active = calloc(n ? n : 1, sizeof(*active));
		size_t na = 0;

		if (!active) {
			vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				     "out of memory");
			r = (int)ctx->err.exit;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (mdevs[i].active)
				active[na++] = mdevs[i];
		if (m.is_ap) {
			struct ap_host h;

			r = ap_read_host(ctx->sysfs, &h, &ctx->err);
			if (r == 0) {
				r = lifecycle_check_ap(&h, &m, active, na,
						       &ctx->err);
				ap_host_clear(&h);
			}
		} else {
			struct css_subchannel sch;

			r = css_read_subchannel(ctx->sysfs, m.parent, &sch);
			if (r < 0)
				r = vm_error_set(
					&ctx->err, VM_EXIT_REFUSED, ENODEV,
					"cannot start mdev %s: its parent subchannel %s does not exist on this host",
					uuid, m.parent);
			else
				r = lifecycle_check_ccw(&sch, &m, active, na,
							&ctx->err);
		}
		free(active);
		if (r < 0) {
			r = (int)ctx->err.exit;
			goto out;
		}
	}
	if (backend_open(ctx, &m, timeout, &b) < 0) {
		r = (int)ctx->err.exit;
		goto out;
	}
	if (remove || (!start && st.active)) {
		/* a guest that uses it: detach first */
		struct users u = { .uuid = uuid };
		virConnectPtr conn = b.lc.conn ? b.lc.conn : ctx->conn;
		_cleanup_conn_ virConnectPtr own = NULL;
		struct vm_error ignore = { 0 };

		/* asked also with the sysfs backend: the guests are libvirt's either way */
		if (!conn && virt_open_readonly(ctx->uri, &own, &ignore) == 0)
			conn = own;
		if (conn && (st.active || undefine) &&
		    virt_domain_mdevs(conn, add_user, &u, &ignore) == 0 &&
		    u.names[0]) {
			vm_error_set(
				&ctx->err, VM_EXIT_REFUSED, EBUSY,
				"cannot %s mdev %s: libvirt domain%s %s use%s it (detach it first: 'virt-mdev detach %s %s')",
				cmd->name, uuid,
				strchr(u.names, ',') ? "s" : "", u.names,
				strchr(u.names, ',') ? "" : "s",
				strchr(u.names, ',') ? "DOMAIN" : u.names,
				uuid);
			r = (int)ctx->err.exit;
			backend_close(&b);
			goto out;
		}
	}
	plan_init(&p, ctx->sysfs);
	r = lifecycle_plan(&b.lc, &p, &m, &st, start ? WANT_YES : WANT_NO,
			   undefine ? WANT_NO : WANT_KEEP, WANT_KEEP,
			   &ctx->err);
	if (r < 0) {
		r = (int)ctx->err.exit;
	} else {
		snprintf(
			nothing, sizeof(nothing), "mdev %s is %s%s", uuid,
			state_words(&st, words, sizeof(words)),
			remove && st.defined && !undefine ?
				"; its definition stays (add --undefine to delete it)" :
				"");
		r = run(ctx, &p, nothing, result_json(&m, b.name), uuid);
	}
	plan_clear(&p);
	backend_close(&b);
out:
	mdev_list_free(mdevs, n);
	return r;
}

static int start_run(struct ctx *ctx, int argc, char **argv)
{
	return one_run(ctx, &cmd_start, argc, argv);
}

static int stop_run(struct ctx *ctx, int argc, char **argv)
{
	return one_run(ctx, &cmd_stop, argc, argv);
}

static int remove_run(struct ctx *ctx, int argc, char **argv)
{
	return one_run(ctx, &cmd_remove, argc, argv);
}

const struct cmd cmd_start = {
	.name = "start",
	.args = "UUID",
	.help = "start a defined mdev",
	.flags = CMD_NEEDS_ROOT | CMD_MUTATES,
	.run = start_run,
	.usage =
		"Starts a defined, inactive mdev (libvirt: nodedev-start; sysfs: create and the\n"
		"definition's attributes, as mdevctl start). The checks of create run first.\n"
		"--timeout S  how long to wait for libvirt to report it active (30)\n",
};

const struct cmd cmd_stop = {
	.name = "stop",
	.args = "UUID",
	.help = "stop an active mdev (its definition stays)",
	.flags = CMD_NEEDS_ROOT | CMD_MUTATES,
	.run = stop_run,
	.usage =
		"Removes the active device (libvirt: nodedev-destroy; sysfs: echo 1 > remove);\n"
		"a definition stays. Refused while a libvirt domain uses it.\n",
};

const struct cmd cmd_remove = {
	.name = "remove",
	.args = "UUID [--undefine]",
	.help = "remove an mdev, and with --undefine its definition",
	.flags = CMD_NEEDS_ROOT | CMD_MUTATES,
	.run = remove_run,
	.usage =
		"Stops the mdev if active; --undefine also deletes its definition (libvirt:\n"
		"nodedev-undefine; sysfs: mdevctl's file). An mdev that is not there is nothing\n"
		"to do. Refused while a libvirt domain uses it.\n",
};

/* ---- validate ---- */

static void problem(struct json_object *arr, const char *uuid, const char *msg,
		    bool text)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uuid", json_object_new_string(uuid));
	json_object_object_add(o, "problem", json_object_new_string(msg));
	json_object_array_add(arr, o);
	if (text)
		printf("%s: %s\n", uuid, msg);
}

struct dangling {
	const struct mdev_info *mdevs;
	size_t n;
	struct json_object *problems;
	bool text;
};

static void dangling_ref(const char *uuid, const char *domain, void *opaque)
{
	struct dangling *d = opaque;
	char u[IDS_UUID_STRLEN], msg[512];

	snprintf(u, sizeof(u), "%s", uuid);
	for (char *c = u; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	if (mdev_find(d->mdevs, d->n, u))
		return;
	snprintf(
		msg, sizeof(msg),
		"libvirt domain %s uses this mdev, which is not on this host (neither active nor defined): the domain cannot start with it (create it with 'virt-mdev create', or 'virt-mdev detach %s %s')",
		domain, domain, u);
	problem(d->problems, u, msg, d->text);
}

static int validate_run(struct ctx *ctx, int argc, char **argv)
{
	struct mdev_info *mdevs = NULL;
	struct json_object *doc = NULL, *problems;
	struct ap_host h = { 0 };
	bool have_ap;
	size_t n = 0, checked = 0;
	int c, r = VM_EXIT_OK;

	optind = 0;
	while ((c = cmd_getopt(
			ctx, &cmd_validate, argc, argv,
			(const struct option[]){ { NULL, 0, NULL, 0 } })) != -1)
		return VM_EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		char u[IDS_UUID_STRLEN];

		if (parse_uuid(ctx, argv[i], u) < 0)
			return VM_EXIT_USAGE;
	}
	if (mdev_list(ctx->sysfs, &mdevs, &n, &ctx->err) < 0)
		return (int)ctx->err.exit;
	for (int i = optind; i < argc; i++) {
		char u[IDS_UUID_STRLEN];

		parse_uuid(ctx, argv[i], u);
		if (!mdev_find(mdevs, n, u)) {
			mdev_list_free(mdevs, n);
			vm_error_set(
				&ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
				"no mdev '%s' on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)",
				u);
			return (int)ctx->err.exit;
		}
	}
	have_ap = ap_read_host(ctx->sysfs, &h, &(struct vm_error){ 0 }) == 0;
	doc = json_object_new_object();
	problems = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct mdev_info *mi = &mdevs[i];
		struct mdev_spec m;
		struct vm_error e = { 0 };
		bool wanted = argc == optind;

		for (int k = optind; k < argc && !wanted; k++) {
			char u[IDS_UUID_STRLEN];

			parse_uuid(ctx, argv[k], u);
			wanted = strcmp(u, mi->uuid) == 0;
		}
		if (!wanted)
			continue;
		checked++;
		mdev_spec_from_info(mi, &m);
		if (mi->is_ap) {
			if (strcmp(mi->type, MDEV_TYPE_AP) != 0) {
				char msg[256];

				snprintf(
					msg, sizeof(msg),
					"type '%s' does not exist on the vfio_ap matrix (its type is %s)",
					mi->type, MDEV_TYPE_AP);
				problem(problems, mi->uuid, msg, !ctx->json);
			}
			if (!have_ap) {
				problem(problems, mi->uuid,
					"this host has no AP bus or vfio_ap matrix: the mdev cannot start",
					!ctx->json);
				continue;
			}
			/* ids, control domains, reservation: against no other mdev */
			if (lifecycle_check_ap(&h, &m, NULL, 0, &e) < 0)
				problem(problems, mi->uuid, e.msg, !ctx->json);
			/* every overlap with another mdev (each side reports it) */
			for (size_t j = 0; j < n; j++) {
				if (j == i || !mdevs[j].is_ap)
					continue;
				vm_error_clear(&e);
				if (lifecycle_check_ap(&h, &m, &mdevs[j], 1,
						       &e) < 0 &&
				    e.errnum == EADDRINUSE)
					problem(problems, mi->uuid, e.msg,
						!ctx->json);
			}
		} else {
			struct css_subchannel sch;

			if (css_read_subchannel(ctx->sysfs, mi->parent, &sch) <
			    0) {
				char msg[256];

				snprintf(
					msg, sizeof(msg),
					"its parent %s does not exist on this host: it cannot start",
					mi->parent);
				problem(problems, mi->uuid, msg, !ctx->json);
				continue;
			}
			if (strcmp(mi->type, MDEV_TYPE_CCW) != 0) {
				char msg[256];

				snprintf(
					msg, sizeof(msg),
					"type '%s' does not exist on subchannel %s (its type is %s)",
					mi->type, mi->parent, MDEV_TYPE_CCW);
				problem(problems, mi->uuid, msg, !ctx->json);
			}
			if (lifecycle_check_ccw(&sch, &m, mdevs, n, &e) < 0)
				problem(problems, mi->uuid, e.msg, !ctx->json);
		}
	}
	/* the guests' side: a domain that names an mdev this host does not have cannot start */
	if (argc == optind) {
		struct dangling d = { mdevs, n, problems, !ctx->json };
		_cleanup_conn_ virConnectPtr own = NULL;
		virConnectPtr conn = ctx->conn;
		struct vm_error unreachable = { 0 };

		if (!conn &&
		    virt_open_readonly(ctx->uri, &own, &unreachable) == 0)
			conn = own;
		if (conn)
			virt_domain_mdevs(conn, dangling_ref, &d, &unreachable);
		if (vm_error_is_set(&unreachable) && ctx->verbosity > 0)
			fprintf(stderr,
				"%s: note: %s; the domains' references to mdevs were not checked\n",
				PROGRAM_NAME, unreachable.msg);
	}
	json_object_object_add(doc, "checked",
			       json_object_new_int((int)checked));
	json_object_object_add(doc, "problems", problems);
	if (json_object_array_length(problems) > 0) {
		vm_error_set(&ctx->err, VM_EXIT_REFUSED, EINVAL,
			     "%zu problem%s in %zu mdev%s checked",
			     json_object_array_length(problems),
			     json_object_array_length(problems) > 1 ? "s" : "",
			     checked, checked == 1 ? "" : "s");
		r = (int)ctx->err.exit;
		json_object_object_add(doc, "error",
				       json_object_new_string(ctx->err.msg));
	} else if (!ctx->json && ctx->verbosity >= 0) {
		printf("%zu mdev%s checked, no problem found\n", checked,
		       checked == 1 ? "" : "s");
	}
	if (ctx->json) {
		output_json(stdout, doc);
		if (r != VM_EXIT_OK) {
			fprintf(stderr, "%s: %s\n", PROGRAM_NAME, ctx->err.msg);
			ctx->err_reported = true;
		}
	}
	json_object_put(doc);
	ap_host_clear(&h);
	mdev_list_free(mdevs, n);
	return r;
}

const struct cmd cmd_validate = {
	.name = "validate",
	.args = "[UUID...]",
	.help = "check existing mdevs and definitions against the rules create checks",
	.flags = CMD_NEEDS_ROOT,
	.run = validate_run,
	.usage =
		"Checks every mdev (or the ones named), active and defined: vfio-ccw ones on an\n"
		"existing I/O subchannel bound to vfio_ccw, one per subchannel; vfio-ap ones\n"
		"with ids within the host's maxima, APQNs not reserved for the host by\n"
		"apmask/aqmask, no APQN shared with another mdev, control domains only with a\n"
		"usage domain; and, without UUIDs and when libvirt can be asked, that no domain\n"
		"uses an mdev this host does not have. Prints every problem found; exit 4 when\n"
		"there is one.\n",
};
