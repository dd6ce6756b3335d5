/* virt-mdev create|start|stop|remove: an mdev's lifecycle, through libvirt or sysfs, with the checks first. */
#include "config.h"

#include <string.h>

#include "cmd.h"

/* run it; then the mdev's state as the host now shows it (on parent, when not NULL) */
static int run_and_show(struct ctx *ctx, const struct cmd *cmd, int rr,
			struct outcome *o, const struct request_env *env,
			const char *parent)
{
	struct mdev_state st;
	char words[96];
	int r = cmd_finish(ctx, cmd, rr, o);

	if (r != VM_EXIT_OK || ctx->dry_run || ctx->json ||
	    ctx->verbosity < 0 || plan_is_empty(&o->plan) ||
	    request_state(env, o->uuid, parent, &st, NULL) < 0)
		return r;
	if (st.exists)
		printf("mdev %s: %s\n", o->uuid,
		       mdev_state_words(&st, words, sizeof(words)));
	else
		printf("mdev %s: gone\n", o->uuid);
	return r;
}

/* ---- create ---- */

static const struct cmd_opt create_opts[] = {
	{ OPT_UUID,
	  "the mdev's uuid (default: a new one; without it, an mdev already on the subchannel, or with exactly these APQNs, is the one meant)" },
	{ OPT_DEFINE,
	  "make it persistent (libvirt's node device / mdevctl's definition)" },
	{ OPT_AUTOSTART, "start it at boot (implies --define)" },
	{ OPT_ADAPTERS, "ap: the adapters (5,6 or 0x10-0x1f)" },
	{ OPT_DOMAINS, "ap: the usage domains (4,0xab)" },
	{ OPT_CONTROL_DOMAINS, "ap: the control domains" },
	{ OPT_TIMEOUT,
	  "how long to wait for libvirt to report the device active (30)" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and (vfio-ap) the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_NONE, NULL },
};

static int create_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		      char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	struct create_req req = { 0 };
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)) ||
	    (r = cmd_kind_arg(ctx, cmd, a.argc ? a.argv[0] : NULL, &req.kind)))
		return r;
	if (a.argc > 2)
		return cmd_usage_error(ctx, cmd,
				       "too many arguments for create %s: '%s'",
				       req.kind->name, a.argv[2]);
	req.target = a.target;
	req.target.device = a.argc == 2 ? a.argv[1] : NULL;
	req.uuid_given = a.uuid_given;
	memcpy(req.uuid, a.uuid, sizeof(req.uuid));
	req.define = a.define;
	req.autostart = a.autostart;
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	return run_and_show(ctx, cmd, request_create(&env, &req, &o, &ctx->err),
			    &o, &env, NULL);
}

const struct cmd cmd_create = {
	.name = "create",
	.args = "ccw|ap ...",
	.help = "create an mdev on a vfio_ccw subchannel or the vfio_ap matrix, transient or defined",
	.flags = CMD_NEEDS_ROOT,
	.run = create_run,
	.opts = create_opts,
	.usage =
		"create ccw DEVICE [--uuid U] [--define] [--autostart] [--timeout S]\n"
		"  a vfio-ccw mdev on the subchannel of DEVICE (busid 0.0.2b09 or subchannel\n"
		"  0.0.0313), which must be bound to vfio_ccw ('virt-mdev ccw bind DEVICE').\n"
		"create ap --adapters L --domains L [--control-domains L] [--uuid U] [--define]\n"
		"          [--autostart] [--timeout S]\n"
		"  a vfio-ap mdev holding adapters x domains (lists such as 5,6 or 0x10-0x1f),\n"
		"  which must be freed from the host first ('virt-mdev ap reserve') and held by\n"
		"  no other mdev, active or defined.\n"
		"Backend libvirt: virNodeDeviceCreateXML (transient), or DefineXML + Create.\n"
		"Backend sysfs: writes create and the vfio-ap configuration itself (ap_config\n"
		"in one write where the kernel has it, else assign_* in order), and for --define\n"
		"mdevctl's definition. Creating what exists as asked changes nothing; a\n"
		"different configuration under the same uuid is refused, showing the difference.\n",
};

/* ---- start, stop, remove ---- */

#define PARENT_HELP \
	"for a uuid defined on several parents: the one on this parent (mdevctl's --parent)"

static const struct cmd_opt start_opts[] = {
	{ OPT_TIMEOUT,
	  "how long to wait for libvirt to report it active (30)" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and (vfio-ap) the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_PARENT, PARENT_HELP },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt remove_opts[] = {
	{ OPT_UNDEFINE,
	  "also delete its definition (libvirt: nodedev-undefine; sysfs: mdevctl's file)" },
	{ OPT_TIMEOUT, "how long to wait for libvirt (30)" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and (vfio-ap) the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_PARENT, PARENT_HELP },
	{ OPT_NONE, NULL },
};

static int change_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		      char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	enum mdev_change c = cmd == &cmd_start ? CHANGE_START :
			     cmd == &cmd_stop  ? CHANGE_STOP :
						 CHANGE_REMOVE;
	char uuid[IDS_UUID_STRLEN];
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc != 1)
		return cmd_usage_error(ctx, cmd, "%s takes one mdev UUID",
				       cmd->name);
	if ((r = cmd_uuid_arg(ctx, a.argv[0], uuid)))
		return r;
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	return run_and_show(ctx, cmd,
			    request_change(&env, c, uuid, a.parent, a.undefine,
					   &o, &ctx->err),
			    &o, &env, a.parent);
}

const struct cmd cmd_start = {
	.name = "start",
	.args = "UUID",
	.help = "start a defined mdev",
	.flags = CMD_NEEDS_ROOT,
	.run = change_run,
	.opts = start_opts,
	.usage =
		"Starts a defined, inactive mdev (libvirt: nodedev-start; sysfs: create and the\n"
		"definition's attributes, as mdevctl start). The checks of create run first.\n"
		"A uuid whose definition is malformed, or that is defined on several parents\n"
		"without --parent, is refused (exit 2), as mdevctl refuses it.\n",
};

const struct cmd cmd_stop = {
	.name = "stop",
	.args = "UUID",
	.help = "stop an active mdev (its definition stays)",
	.flags = CMD_NEEDS_ROOT,
	.run = change_run,
	.opts = start_opts,
	.usage =
		"Removes the active device (libvirt: nodedev-destroy; sysfs: echo 1 > remove);\n"
		"a definition stays. Refused while a libvirt domain uses it.\n",
};

const struct cmd cmd_remove = {
	.name = "remove",
	.args = "UUID [--undefine]",
	.help = "remove an mdev, and with --undefine its definition",
	.flags = CMD_NEEDS_ROOT,
	.run = change_run,
	.opts = remove_opts,
	.usage =
		"Stops the mdev if active; --undefine also deletes its definition. An mdev\n"
		"that is not there is nothing to do. Refused while a libvirt domain uses it.\n",
};
