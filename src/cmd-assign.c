/* virt-mdev assign|unassign: prepare the device, make the mdev and attach it in one plan; and the reverse. */
#include "config.h"

#include <string.h>

#include "cmd.h"

static const struct cmd_opt assign_opts[] = {
	{ OPT_DEVNO, "ccw: the guest ccw address (as attach)" },
	{ OPT_BOOT_ORDER, "ccw: boot from it, in this order" },
	{ OPT_ALIAS, "libvirt's user alias" },
	{ OPT_UUID,
	  "the mdev's uuid (default: the one there, else a new one)" },
	{ OPT_PERSISTENT,
	  "the binding persists (driverctl), the mdev is defined and starts at boot, the domain's persistent definition gets the device" },
	{ OPT_FORCE, "ccw: set an online device offline first" },
	{ OPT_ADAPTERS, "ap: the adapters" },
	{ OPT_DOMAINS, "ap: the usage domains" },
	{ OPT_CONTROL_DOMAINS, "ap: the control domains" },
	{ OPT_EXACT,
	  "ap: refuse (exit 4) when freeing the matrix takes any other queue from the host" },
	{ OPT_LIVE, "the running domain (as virsh)" },
	{ OPT_CONFIG, "the persistent definition (as virsh)" },
	{ OPT_TEMPLATE_DIR, "copies of the templates to build from" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and (vfio-ap) the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_SHARED,
	  "a stand-by guest: the persistent definition gets the mdev although another domain's definition has it (never while that domain runs with it; only one of them may run)" },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt unassign_opts[] = {
	{ OPT_KEEP_MDEV, "only detach" },
	{ OPT_LIVE, "the running domain (as virsh)" },
	{ OPT_CONFIG, "the persistent definition (as virsh)" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and (vfio-ap) the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_PARENT,
	  "for a uuid defined on several parents: the one on this parent" },
	{ OPT_NONE, NULL },
};

static int assign_args(struct ctx *ctx, const struct cmd *cmd,
		       const struct cmd_args *a, struct assign_req *r)
{
	int e;

	if (a->argc < 1)
		return cmd_usage_error(
			ctx, cmd, "expected DOMAIN KIND [DEVICE] [OPTIONS]");
	if ((e = cmd_kind_arg(ctx, cmd, a->argc > 1 ? a->argv[1] : NULL,
			      &r->kind)))
		return e;
	if (a->argc > 3)
		return cmd_usage_error(
			ctx, cmd, "assign DOMAIN %s takes at most one DEVICE",
			r->kind->name);
	if ((e = cmd_shared_arg(ctx, cmd, a)))
		return e;
	if (a->target.persistent && a->dom.live && !a->dom.config)
		return cmd_usage_error(
			ctx, cmd,
			"--persistent makes the whole assignment last, which --live alone does not (add --config, or leave out --live)");
	r->dom = a->dom;
	r->dom.domain = a->argv[0];
	r->target = a->target;
	r->target.device = a->argc == 3 ? a->argv[2] : NULL;
	r->persistent = a->target.persistent;
	r->uuid_given = a->uuid_given;
	memcpy(r->uuid, a->uuid, sizeof(r->uuid));
	return 0;
}

static int assign_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		      char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	struct assign_req req = { 0 };
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)) ||
	    (r = assign_args(ctx, cmd, &a, &req)))
		return r;
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	return cmd_finish(ctx, cmd, request_assign(&env, &req, &o, &ctx->err),
			  &o);
}

static int unassign_run(struct ctx *ctx, const struct cmd *cmd, int argc,
			char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc != 2)
		return cmd_usage_error(
			ctx, cmd,
			"unassign takes a DOMAIN and an mdev UUID or a DEVICE (busid or subchannel)");
	a.dom.domain = a.argv[0];
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	return cmd_finish(ctx, cmd,
			  request_unassign(&env, &a.dom, a.argv[1], a.parent,
					   a.keep_mdev, &o, &ctx->err),
			  &o);
}

const struct cmd cmd_assign = {
	.name = "assign",
	.args = "DOMAIN ccw|ap ...",
	.help = "bind or reserve, create the mdev and attach it to a domain, in one plan",
	.flags = CMD_NEEDS_ROOT,
	.run = assign_run,
	.opts = assign_opts,
	.usage =
		"assign DOMAIN ccw DEVICE [--devno fe.S.DDDD|auto] [--boot-order N] [--uuid U]\n"
		"                         [--persistent] [--force] [--live] [--config] [--shared]\n"
		"assign DOMAIN ap --adapters L --domains L [--control-domains L] [--uuid U]\n"
		"                 [--persistent] [--live] [--config] [--shared]\n"
		"  One plan: bind the subchannel to vfio_ccw (or free the APQNs from the host),\n"
		"  create the mdev, attach it. Every check of each step runs before the first\n"
		"  step; a failing step undoes all earlier ones; a second identical run changes\n"
		"  nothing. AP masks cannot persist this way: the command says so. An mdev\n"
		"  another domain references is refused (one mdev serves one guest), but with\n"
		"  --shared for a stand-by guest's persistent definition.\n",
};

const struct cmd cmd_unassign = {
	.name = "unassign",
	.args = "DOMAIN UUID|DEVICE",
	.help = "detach an mdev from a domain, remove it and give its device back to the host",
	.flags = CMD_NEEDS_ROOT,
	.run = unassign_run,
	.opts = unassign_opts,
	.usage =
		"unassign DOMAIN UUID|DEVICE [--keep-mdev] [--live] [--config]\n"
		"  The reverse of assign, in one plan: detach the mdev (by uuid, or the mdev of\n"
		"  a busid or subchannel), stop and undefine it, and give the subchannel back to\n"
		"  io_subchannel (driverctl's override removed) or the APQNs back to the host\n"
		"  (unless another mdev holds some of them: then they stay free, and the\n"
		"  command says so). While another domain references the mdev, only the\n"
		"  detach is done: the mdev and its device stay, and the command says so.\n",
};
