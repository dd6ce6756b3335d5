/* virt-mdev validate [UUID...]: every problem of the host's mdevs, definitions and the domains' references. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/boot.h"
#include "lib/cleanup.h"
#include "lib/jsonw.h"
#include "lib/output.h"
#include "lib/validate.h"

/* the uuids named, each one on this host */
static int named(struct ctx *ctx, const struct cmd_args *a,
		 const struct mdev_list *l, struct strv *uuids)
{
	for (int i = 0; i < a->argc; i++) {
		char u[IDS_UUID_STRLEN];

		if (cmd_uuid_arg(ctx, a->argv[i], u))
			return VM_EXIT_USAGE;
		/* a malformed definition of it is one of its problems */
		if (!mdev_find(l, u) && !mdev_fault_of(l, u, NULL))
			return vm_error_set(
				       &ctx->err, VM_EXIT_NOT_FOUND, ENODEV,
				       "no mdev '%s' on this host (searched the active mdevs in sysfs and mdevctl's definitions; 'virt-mdev list mdev' shows them)",
				       u),
			       VM_EXIT_NOT_FOUND;
		if (strv_push(uuids, u) < 0)
			return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
					    "out of memory"),
			       VM_EXIT_FAILED;
	}
	return 0;
}

/* what a finding is about: the mdev's uuid, the file, or the host's object */
static const char *what_of(const struct problem *e)
{
	return e->uuid[0] ? e->uuid : e->file ? e->file : e->object;
}

/* the problems, or the notes, as a JSON array */
static void entries(struct jw *w, const struct problems *p, bool notes)
{
	jw_begin_array(w);
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].note != notes)
			continue;
		jw_begin_object(w);
		jw_key(w, "uuid");
		jw_string_or_null(w, p->v[i].uuid);
		if (p->v[i].file) {
			jw_key(w, "file");
			jw_string(w, p->v[i].file);
		}
		if (p->v[i].object) {
			jw_key(w, "object");
			jw_string(w, p->v[i].object);
		}
		jw_key(w, notes ? "note" : "problem");
		jw_string(w, p->v[i].msg);
		/* validate --boot: the difference */
		if (p->v[i].now) {
			jw_key(w, "now");
			jw_string(w, p->v[i].now);
		}
		if (p->v[i].after_boot) {
			jw_key(w, "after_boot");
			jw_string(w, p->v[i].after_boot);
		}
		jw_end_object(w);
	}
	jw_end_array(w);
}

/* the problems on stdout: 0, or -errno of a failed write (in ctx->err); noun: what was checked */
static int report(struct ctx *ctx, const struct problems *p, const char *noun)
{
	_cleanup_jw_ struct jw w = JW_INIT;
	int r;

	if (!ctx->json) {
		/* a file's name and a message may quote the host's bytes: escaped, one line each */
		for (size_t i = 0; i < p->n; i++) {
			if (p->v[i].note)
				fputs("note: ", stdout);
			output_escaped(stdout, what_of(&p->v[i]));
			fputs(": ", stdout);
			output_escaped(stdout, p->v[i].msg);
			putchar('\n');
		}
		if (p->n == p->nnotes && ctx->verbosity >= 0)
			printf("%zu %s%s checked, no problem found\n",
			       p->checked, noun, p->checked == 1 ? "" : "s");
		/* before the summary on stderr */
		return output_check_stdout(&ctx->err);
	}
	jw_begin_object(&w);
	jw_key(&w, "checked");
	jw_int(&w, (int64_t)p->checked);
	jw_key(&w, "problems");
	entries(&w, p, false);
	if (p->nnotes) {
		jw_key(&w, "notes");
		entries(&w, p, true);
	}
	if (p->n > p->nnotes) {
		jw_key(&w, "error");
		jw_string(&w, ctx->err.msg);
	}
	jw_end_object(&w);
	r = jw_flush(&w, stdout);
	return r < 0 ? output_json_error(&ctx->err, r) : 0;
}

/* the problems found: the summary error, the report, the exit code */
static int finish(struct ctx *ctx, const struct problems *p, const char *noun,
		  const char *what)
{
	size_t nproblems;

	if (p->oom)
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				    "cannot validate: out of memory"),
		       VM_EXIT_FAILED;
	nproblems = p->n - p->nnotes;
	if (nproblems)
		vm_error_set(&ctx->err, VM_EXIT_REFUSED, EINVAL,
			     "%zu problem%s %sin %zu %s%s checked", nproblems,
			     nproblems > 1 ? "s" : "", what, p->checked, noun,
			     p->checked == 1 ? "" : "s");
	if (report(ctx, p, noun) < 0)
		return VM_EXIT_FAILED;
	if (!nproblems)
		return VM_EXIT_OK;
	if (ctx->json) {
		fprintf(stderr, "%s: %s\n", PROGRAM_NAME, ctx->err.msg);
		ctx->err_reported = true;
	}
	return VM_EXIT_REFUSED;
}

/* the guests' side of a boot, with a note when libvirt cannot be asked */
static void boot_guests(struct ctx *ctx, struct boot_guests *g)
{
	boot_guests_scan(ctx->uri, g);
	if (!g->users.reachable)
		cmd_note(
			ctx,
			"note: %s; the domains' persistent definitions and autostart were not checked",
			g->users.unreachable.msg);
}

/* validate --boot: the host after a reboot */
static int validate_boot(struct ctx *ctx, const struct cmd *cmd,
			 const struct cmd_args *a)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	_cleanup_boot_guests_ struct boot_guests g = { 0 };
	_cleanup_problems_ struct problems p = { 0 };

	if (a->argc)
		return cmd_usage_error(
			ctx, cmd,
			"validate --boot takes no UUID: it checks the whole host as a boot brings it up");
	if (mdev_list_read(ctx->sysfs, &l, &ctx->err) < 0)
		return (int)ctx->err.exit;
	boot_guests(ctx, &g);
	boot_validate(ctx->sysfs, &l, &g, &p);
	return finish(ctx, &p, "mdev", "after a boot ");
}

int cmd_plan_boot(struct ctx *ctx, const struct state *st)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	_cleanup_boot_guests_ struct boot_guests g = { 0 };
	_cleanup_problems_ struct problems p = { 0 };

	if (mdev_list_read(ctx->sysfs, &l, &ctx->err) < 0)
		return (int)ctx->err.exit;
	boot_guests(ctx, &g);
	if (boot_check_state(ctx->sysfs, &l, &g, st, &p, &ctx->err) < 0)
		return (int)ctx->err.exit;
	return finish(ctx, &p, "persistent device", "after a boot ");
}

static int validate_run(struct ctx *ctx, const struct cmd *cmd, int argc,
			char **argv)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };
	_cleanup_strv_ struct strv uuids = STRV_INIT;
	_cleanup_users_ struct users u = { 0 };
	_cleanup_problems_ struct problems p = { 0 };
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.boot)
		return validate_boot(ctx, cmd, &a);
	if (mdev_list_read(ctx->sysfs, &l, &ctx->err) < 0)
		return (int)ctx->err.exit;
	if ((r = named(ctx, &a, &l, &uuids)))
		return r;
	/* the guests' side, when libvirt can be asked */
	if (!uuids.n) {
		users_scan(ctx->uri, NULL, &u);
		if (!u.reachable)
			cmd_note(
				ctx,
				"note: %s; the domains' references to mdevs were not checked",
				u.unreachable.msg);
	}
	validate_mdevs(ctx->sysfs, &l, &uuids, &u, &p);
	return finish(ctx, &p, "mdev", "");
}

static const struct cmd_opt validate_opts[] = {
	{ OPT_BOOT,
	  "instead: the host as a reboot brings it up from its persistent configuration, against now" },
	{ OPT_NONE, NULL },
};

const struct cmd cmd_validate = {
	.name = "validate",
	.args = "[UUID...]",
	.help = "check existing mdevs and definitions against the rules create checks",
	.flags = CMD_NEEDS_ROOT,
	.run = validate_run,
	.opts = validate_opts,
	.usage =
		"Checks every mdev (or the ones named), active and defined: vfio-ccw ones on an\n"
		"existing I/O subchannel bound to vfio_ccw, one per subchannel; vfio-ap ones\n"
		"with ids within the host's maxima, APQNs not reserved for the host by\n"
		"apmask/aqmask, no APQN shared with another mdev, control domains only with a\n"
		"usage domain; and, without UUIDs and when libvirt can be asked, that no domain\n"
		"uses an mdev this host does not have. mdevctl's definitions are checked as\n"
		"mdevctl reads them: a malformed file, a uuid on several parents, a start\n"
		"neither auto nor manual, and vfio-ap attributes the kernel would refuse or\n"
		"read otherwise than they look (a leading 0 is octal). Without UUIDs, also\n"
		"what an interrupted assign or unassign leaves half made: a subchannel bound\n"
		"to no driver or with an override for vfio_ccw it is not bound to, a vfio-ap\n"
		"mdev active without the matrix it is meant to have, each with the command\n"
		"that fixes it; and, as a note that does not fail, APQNs freed from the host\n"
		"for no mdev. Prints every problem found; exit 4 when there is one.\n"
		"--boot: instead, the host as a reboot brings it up from its persistent\n"
		"configuration alone (driverctl's overrides, mdevctl's autostart definitions,\n"
		"chzdev's boot masks, the domains' persistent XML and autostart): every\n"
		"difference from now as a note with what it is now and after the boot, and as\n"
		"a problem what will fail then (an autostart mdev whose subchannel or APQNs the\n"
		"boot leaves to the host, a guest's persistent hostdev whose mdev is not\n"
		"started at boot, an autostart guest that will fail to start), each with the\n"
		"command that fixes it.\n",
};
