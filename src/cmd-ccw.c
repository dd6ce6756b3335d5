/* virt-mdev ccw bind|unbind DEVICE: move a subchannel between io_subchannel and vfio_ccw. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/css.h"
#include "lib/output.h"
#include "lib/plan.h"

enum { OPT_PERSISTENT = 0x100, OPT_FORCE };

static const struct option ccw_options[] = {
	{ "persistent", no_argument, NULL, OPT_PERSISTENT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

static int ccw_run(struct ctx *ctx, int argc, char **argv)
{
	bool persistent = false, force = false, bind;
	_cleanup_free_ char *kept = NULL;
	struct css_subchannel sch;
	struct plan p;
	char nothing[256];
	int c, r;

	if (argc < 2)
		return cmd_usage_error(ctx, &cmd_ccw,
				       "expected bind or unbind");
	if (strcmp(argv[1], "bind") == 0)
		bind = true;
	else if (strcmp(argv[1], "unbind") == 0)
		bind = false;
	else
		return cmd_usage_error(
			ctx, &cmd_ccw,
			"unknown action '%s' (expected bind or unbind)",
			argv[1]);
	argc--;
	argv++;
	optind = 0;
	while ((c = cmd_getopt(ctx, &cmd_ccw, argc, argv, ccw_options)) != -1) {
		switch (c) {
		case OPT_PERSISTENT:
			persistent = true;
			break;
		case OPT_FORCE:
			if (!bind)
				return cmd_usage_error(
					ctx, &cmd_ccw,
					"--force is for ccw bind");
			force = true;
			break;
		default:
			return VM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(
			ctx, &cmd_ccw,
			"ccw %s takes one DEVICE (a busid such as 0.0.2b09 or a subchannel such as 0.0.0313)",
			bind ? "bind" : "unbind");
	r = css_find(ctx->sysfs, argv[optind], &sch, &ctx->err);
	if (r < 0)
		return (int)ctx->err.exit;
	plan_init(&p, ctx->sysfs);
	r = bind ? css_plan_bind(ctx->sysfs, &sch, persistent, force, &p,
				 &ctx->err) :
		   css_plan_unbind(ctx->sysfs, &sch, persistent, &p, &kept,
				   &ctx->err);
	if (kept && ctx->verbosity >= 0)
		fprintf(stderr,
			"%s: note: a persistent driverctl override still binds subchannel %s to %s at boot (add --persistent to remove it)\n",
			PROGRAM_NAME, sch.name, kept);
	if (r < 0) {
		plan_clear(&p);
		return (int)ctx->err.exit;
	}
	snprintf(nothing, sizeof(nothing),
		 "subchannel %s%s%s is already bound to %s%s", sch.name,
		 sch.has_device ? " of device " : "",
		 sch.has_device ? sch.busid_name : "",
		 bind ? CSS_VFIO_CCW : CSS_IO_SUBCHANNEL,
		 persistent ? (bind ? ", persistently" :
				      ", with no persistent override") :
			      "");
	r = cmd_run_plan(ctx, &p, nothing, NULL);
	plan_clear(&p);
	if (r == VM_EXIT_OK && !ctx->dry_run && ctx->json == false &&
	    ctx->verbosity > 0) {
		struct css_subchannel now;

		if (css_read_subchannel(ctx->sysfs, sch.name, &now) == 0)
			printf("subchannel %s: driver %s\n", now.name,
			       now.driver[0] ? now.driver : "none");
	}
	return r;
}

const struct cmd cmd_ccw = {
	.name = "ccw",
	.args = "bind|unbind DEVICE",
	.help = "bind a subchannel to vfio_ccw for passthrough, or give it back to the host",
	.flags = CMD_NEEDS_ROOT | CMD_MUTATES,
	.run = ccw_run,
	.usage =
		"DEVICE is a ccw device bus id (0.0.2b09, or 2b09) or a subchannel (0.0.0313).\n"
		"\n"
		"ccw bind DEVICE [--persistent] [--force]\n"
		"  unbind the subchannel from io_subchannel, set its driver_override to vfio_ccw,\n"
		"  bind it to vfio_ccw and read the binding back. Refuses a non-I/O or QDIO\n"
		"  subchannel, and an online device unless --force (which sets it offline first).\n"
		"  --persistent also writes driverctl's override (/etc/driverctl.d/css-SUBCHANNEL)\n"
		"  so that the binding is made again at boot.\n"
		"ccw unbind DEVICE [--persistent]\n"
		"  the reverse: back to io_subchannel, override cleared; refused while an mdev\n"
		"  exists on the subchannel. --persistent also removes driverctl's override.\n",
};
