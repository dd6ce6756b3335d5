/* virt-mdev attach|detach DOMAIN UUID: an mdev as a <hostdev> of a libvirt domain. */
#include "config.h"

#include <string.h>

#include "cmd.h"

static const struct cmd_opt attach_opts[] = {
	{ OPT_DEVNO,
	  "the guest ccw address (default: the host's device number in css fe when free, else the first free one)" },
	{ OPT_BOOT_ORDER, "boot from it, in this order" },
	{ OPT_ALIAS, "libvirt's user alias" },
	{ OPT_LIVE, "the running domain (as virsh)" },
	{ OPT_CONFIG, "the persistent definition (as virsh)" },
	{ OPT_TEMPLATE_DIR, "copies of the templates to build from" },
	{ OPT_PARENT,
	  "for a uuid defined on several parents: the one on this parent" },
	{ OPT_SHARED,
	  "a stand-by guest: the persistent definition gets the mdev although another domain's definition has it (never while that domain runs with it; only one of them may run)" },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt detach_opts[] = {
	{ OPT_LIVE, "the running domain (as virsh)" },
	{ OPT_CONFIG, "the persistent definition (as virsh)" },
	{ OPT_NONE, NULL },
};

static int attach_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		      char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	bool attach = cmd == &cmd_attach;
	char uuid[IDS_UUID_STRLEN];
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc != 2)
		return cmd_usage_error(ctx, cmd,
				       "%s takes a DOMAIN and an mdev UUID",
				       cmd->name);
	if ((r = cmd_uuid_arg(ctx, a.argv[1], uuid)) ||
	    (r = cmd_shared_arg(ctx, cmd, &a)))
		return r;
	a.dom.domain = a.argv[0];
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	return cmd_finish(ctx, cmd,
			  attach ? request_attach(&env, &a.dom, uuid, a.parent,
						  &o, &ctx->err) :
				   request_detach(&env, &a.dom, uuid, &o,
						  &ctx->err),
			  &o);
}

const struct cmd cmd_attach = {
	.name = "attach",
	.args = "DOMAIN UUID",
	.help = "attach an mdev to a libvirt domain as a <hostdev>",
	.flags = CMD_NEEDS_ROOT,
	.run = attach_run,
	.opts = attach_opts,
	.usage =
		"  virDomainAttachDeviceFlags; --live and --config as virsh's (neither: the\n"
		"  domain's current state). Where the driver cannot attach devices, the\n"
		"  persistent definition is edited and defined again, and the command says so.\n"
		"  Checks first: the mdev exists (active, for a running guest); no other domain\n"
		"  references it (one mdev serves one guest; --shared --config lets a stand-by\n"
		"  guest's definition have it too, while no other domain runs with it); a\n"
		"  vfio-ap mdev is the domain's only one; a vfio-ccw devno is free among all\n"
		"  ccw addresses of the domain.\n",
};

const struct cmd cmd_detach = {
	.name = "detach",
	.args = "DOMAIN UUID",
	.help = "detach an mdev from a libvirt domain",
	.flags = CMD_NEEDS_ROOT,
	.run = attach_run,
	.opts = detach_opts,
	.usage =
		"  virDomainDetachDeviceFlags with the <hostdev> as the domain has it (or the\n"
		"  define fallback). An mdev that is not attached is nothing to do.\n",
};
