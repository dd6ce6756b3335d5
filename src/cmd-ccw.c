/* virt-mdev ccw bind|unbind DEVICE: move a subchannel between io_subchannel and vfio_ccw. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/css.h"

static const struct cmd_opt bind_opts[] = {
	{ OPT_PERSISTENT,
	  "also write driverctl's override (/etc/driverctl.d/css-SUBCHANNEL), so that the binding is made again at boot" },
	{ OPT_FORCE, "set an online device offline first" },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt unbind_opts[] = {
	{ OPT_PERSISTENT, "also remove driverctl's override" },
	{ OPT_NONE, NULL },
};

static const struct cmd_action ccw_actions[] = {
	{ "bind", bind_opts },
	{ "unbind", unbind_opts },
	{ NULL, NULL },
};

static int ccw_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		   char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	struct request_env env;
	struct cmd_args a;
	bool bind;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	bind = a.action == &ccw_actions[0];
	if (a.argc != 1)
		return cmd_usage_error(
			ctx, cmd,
			"ccw %s takes one DEVICE (a busid such as 0.0.2b09 or a subchannel such as 0.0.0313)",
			a.action->name);
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	r = cmd_finish(ctx, cmd,
		       request_ccw(&env, a.argv[0], bind, a.target.persistent,
				   a.target.force, &o, &ctx->err),
		       &o);
	if (r == VM_EXIT_OK && !ctx->dry_run && !ctx->json &&
	    ctx->verbosity > 0) {
		struct css_subchannel now;

		if (css_find(ctx->sysfs, a.argv[0], &now, NULL) == 0)
			printf("subchannel %s: driver %s\n", now.name,
			       now.driver[0] ? now.driver : "none");
	}
	return r;
}

const struct cmd cmd_ccw = {
	.name = "ccw",
	.args = "bind|unbind DEVICE",
	.help = "bind a subchannel to vfio_ccw for passthrough, or give it back to the host",
	.flags = CMD_NEEDS_ROOT,
	.run = ccw_run,
	.actions = ccw_actions,
	.usage =
		"DEVICE is a ccw device bus id (0.0.2b09, or 2b09) or a subchannel (0.0.0313).\n"
		"\n"
		"ccw bind DEVICE [--persistent] [--force]\n"
		"  unbind the subchannel from io_subchannel, set its driver_override to vfio_ccw,\n"
		"  bind it to vfio_ccw and read the binding back. Refuses a non-I/O or QDIO\n"
		"  subchannel, and an online device unless --force (which sets it offline first).\n"
		"ccw unbind DEVICE [--persistent]\n"
		"  the reverse: back to io_subchannel, override cleared; refused while an mdev\n"
		"  exists on the subchannel.\n",
};
