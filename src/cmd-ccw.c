/* virt-mdev ccw bind|unbind DEVICE: move a subchannel between io_subchannel and vfio_ccw. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/css.h"
#include "lib/output.h"
#include "lib/plan.h"

#define VFIO_CCW "vfio_ccw"
#define IO_SUBCHANNEL "io_subchannel"

enum { OPT_PERSISTENT = 0x100, OPT_FORCE };

static const struct option ccw_options[] = {
	{ "persistent", no_argument, NULL, OPT_PERSISTENT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

/* driverctl keeps a persistent override as /etc/driverctl.d/<bus>-<device>, content the driver name */
static void driverctl_file(const struct css_subchannel *sch, char *buf,
			   size_t size)
{
	snprintf(buf, size, "css-%s", sch->name);
}

static int read_driverctl(const struct ctx *ctx,
			  const struct css_subchannel *sch, char **out)
{
	char name[64];
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	char line[128];

	driverctl_file(sch, name, sizeof(name));
	path = sysfs_area_path(ctx->sysfs, SYSFS_AREA_DRIVERCTL, "%s", name);
	if (!path)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return negative_errno();
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	*out = strdup(line);
	return *out ? 0 : -ENOMEM;
}

static int plan_bind(struct ctx *ctx, const struct css_subchannel *sch,
		     bool persistent, bool force, struct plan *p)
{
	char path[128], undo[128], desc[256], file[64];
	struct step *st;

	if (sch->type != CSS_TYPE_IO)
		return vm_error_set(
			&ctx->err, VM_EXIT_REFUSED, EINVAL,
			"cannot bind subchannel '%s' to vfio_ccw: it is a %s subchannel (type %u); vfio_ccw drives I/O subchannels only (pick a DASD or tape device, see 'virt-mdev list ccw')",
			sch->name, css_type_name(sch->type), sch->type);
	if (strcmp(sch->driver, VFIO_CCW) != 0 && css_is_qdio(sch))
		return vm_error_set(
			&ctx->err, VM_EXIT_REFUSED, EINVAL,
			"cannot bind subchannel '%s' to vfio_ccw: device %s is a QDIO device (control unit %s, driver %s), which vfio_ccw refuses; pass QDIO network or FCP devices to guests another way",
			sch->name, sch->busid_name,
			sch->cutype[0] ? sch->cutype : "?",
			sch->device_driver[0] ? sch->device_driver : "none");
	if (sch->device_present && sch->online) {
		if (!force)
			return vm_error_set(
				&ctx->err, VM_EXIT_REFUSED, EBUSY,
				"cannot bind subchannel '%s' to vfio_ccw: device %s is online, in use by the host (use 'chccwdev -d %s' or --force)",
				sch->name, sch->busid_name, sch->busid_name);
		snprintf(path, sizeof(path), "bus/ccw/devices/%s/online",
			 sch->busid_name);
		snprintf(desc, sizeof(desc),
			 "set ccw device %s offline (--force)",
			 sch->busid_name);
		if (!plan_add_write(p, desc, path, "0", path, "1"))
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver, VFIO_CCW) != 0 && sch->driver[0]) {
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver/unbind",
			 sch->name);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/bind",
			 sch->driver);
		snprintf(desc, sizeof(desc), "unbind subchannel %s from %s",
			 sch->name, sch->driver);
		if (!plan_add_write(p, desc, path, sch->name, undo, sch->name))
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver_override, VFIO_CCW) != 0) {
		/* after the unbind, so that undoing the unbind finds the old override in place */
		snprintf(path, sizeof(path),
			 "bus/css/devices/%s/driver_override", sch->name);
		snprintf(desc, sizeof(desc),
			 "set the driver override of subchannel %s to vfio_ccw",
			 sch->name);
		st = plan_add_write(
			p, desc, path, VFIO_CCW, path,
			sch->driver_override[0] ? sch->driver_override : "\n");
		if (!st || step_verify_value(st, path, VFIO_CCW) < 0)
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver, VFIO_CCW) != 0) {
		snprintf(path, sizeof(path), "bus/css/drivers/%s/bind",
			 VFIO_CCW);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/unbind",
			 VFIO_CCW);
		snprintf(desc, sizeof(desc), "bind subchannel %s to vfio_ccw",
			 sch->name);
		st = plan_add_write(p, desc, path, sch->name, undo, sch->name);
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver",
			 sch->name);
		if (!st || step_verify_link(st, path, VFIO_CCW) < 0)
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (persistent) {
		_cleanup_free_ char *saved = NULL;

		driverctl_file(sch, file, sizeof(file));
		if (read_driverctl(ctx, sch, &saved) < 0 ||
		    strcmp(saved, VFIO_CCW) != 0) {
			snprintf(
				desc, sizeof(desc),
				"make the binding of subchannel %s persistent (driverctl override)",
				sch->name);
			if (!plan_add_file_put(p, desc, SYSFS_AREA_DRIVERCTL,
					       file, VFIO_CCW "\n"))
				return vm_error_set(&ctx->err, VM_EXIT_FAILED,
						    ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int plan_unbind(struct ctx *ctx, const struct css_subchannel *sch,
		       bool persistent, struct plan *p)
{
	char path[128], undo[128], desc[256], file[64];
	_cleanup_free_ char *saved = NULL;
	struct step *st;

	if (sch->mdev[0])
		return vm_error_set(
			&ctx->err, VM_EXIT_REFUSED, EBUSY,
			"cannot unbind subchannel '%s' from vfio_ccw: mdev %s exists on it; remove it first ('virt-mdev remove %s')",
			sch->name, sch->mdev, sch->mdev);
	if (strcmp(sch->driver, VFIO_CCW) == 0) {
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver/unbind",
			 sch->name);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/bind",
			 VFIO_CCW);
		snprintf(desc, sizeof(desc),
			 "unbind subchannel %s from vfio_ccw", sch->name);
		if (!plan_add_write(p, desc, path, sch->name, undo, sch->name))
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (sch->driver_override[0]) {
		snprintf(path, sizeof(path),
			 "bus/css/devices/%s/driver_override", sch->name);
		snprintf(desc, sizeof(desc),
			 "clear the driver override of subchannel %s",
			 sch->name);
		st = plan_add_write(p, desc, path, "\n", path,
				    sch->driver_override);
		if (!st || step_verify_value(st, path, "(null)") < 0)
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	if (strcmp(sch->driver, IO_SUBCHANNEL) != 0) {
		snprintf(path, sizeof(path), "bus/css/drivers/%s/bind",
			 IO_SUBCHANNEL);
		snprintf(undo, sizeof(undo), "bus/css/drivers/%s/unbind",
			 IO_SUBCHANNEL);
		snprintf(desc, sizeof(desc),
			 "bind subchannel %s to io_subchannel", sch->name);
		st = plan_add_write(p, desc, path, sch->name, undo, sch->name);
		snprintf(path, sizeof(path), "bus/css/devices/%s/driver",
			 sch->name);
		if (!st || step_verify_link(st, path, IO_SUBCHANNEL) < 0)
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory");
	}
	driverctl_file(sch, file, sizeof(file));
	if (read_driverctl(ctx, sch, &saved) == 0) {
		if (persistent) {
			snprintf(
				desc, sizeof(desc),
				"remove the persistent binding of subchannel %s (driverctl override)",
				sch->name);
			if (!plan_add_file_delete(p, desc, SYSFS_AREA_DRIVERCTL,
						  file))
				return vm_error_set(&ctx->err, VM_EXIT_FAILED,
						    ENOMEM, "out of memory");
		} else if (ctx->verbosity >= 0) {
			fprintf(stderr,
				"%s: note: a persistent driverctl override still binds subchannel %s to %s at boot (add --persistent to remove it)\n",
				PROGRAM_NAME, sch->name, saved);
		}
	}
	return 0;
}

static int ccw_run(struct ctx *ctx, int argc, char **argv)
{
	bool persistent = false, force = false, bind;
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
	r = bind ? plan_bind(ctx, &sch, persistent, force, &p) :
		   plan_unbind(ctx, &sch, persistent, &p);
	if (r < 0) {
		plan_clear(&p);
		return (int)ctx->err.exit;
	}
	snprintf(nothing, sizeof(nothing),
		 "subchannel %s%s%s is already bound to %s%s", sch.name,
		 sch.has_device ? " of device " : "",
		 sch.has_device ? sch.busid_name : "",
		 bind ? VFIO_CCW : IO_SUBCHANNEL,
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
