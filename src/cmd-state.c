/* virt-mdev plan|apply FILE, export: a state file (virt-mdev-state(5)) against the host, and the host as one. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/apply.h"
#include "lib/cleanup.h"
#include "lib/output.h"

/* plan --exit-code: something would change (as git diff --exit-code's 1, out of the range of the other codes) */
#define PLAN_EXIT_CHANGES 10

static const struct cmd_opt plan_opts[] = {
	{ OPT_EXACT,
	  "refuse when a queue no device or reservation names would leave the host" },
	{ OPT_PRUNE,
	  "also what an earlier apply made and the file no longer lists" },
	{ OPT_EXIT_CODE,
	  "exit 10 when something would change, 0 when nothing would (a drift check)" },
	{ OPT_BOOT,
	  "instead: whether the host's persistent configuration keeps each persistent device across a reboot (exit 4 if not)" },
	{ OPT_TEMPLATE_DIR, "copies of the templates to build from" },
	{ OPT_TIMEOUT,
	  "how long the libvirt backend waits for libvirt to see a started mdev (30)" },
	{ OPT_JOBS,
	  "how many mdevs' node-device calls the libvirt backend runs at once (4; 1: one after another)" },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt apply_opts[] = {
	{ OPT_EXACT,
	  "refuse when a queue no device or reservation names would leave the host" },
	{ OPT_PRUNE,
	  "also remove what an earlier apply made and the file no longer lists" },
	{ OPT_TEMPLATE_DIR, "copies of the templates to build from" },
	{ OPT_TIMEOUT,
	  "how long the libvirt backend waits for libvirt to see a started mdev (30)" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_JOBS,
	  "how many mdevs' node-device calls the libvirt backend runs at once (4; 1: one after another)" },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt export_opts[] = {
	{ OPT_OUTPUT,
	  "write the state file there (atomically), not to stdout" },
	{ OPT_NONE, NULL },
};

static int state_arg(struct ctx *ctx, const struct cmd *cmd,
		     const struct cmd_args *a, struct state *st)
{
	if (a->argc != 1)
		return cmd_usage_error(
			ctx, cmd,
			"%s takes one state FILE (virt-mdev-state(5); '-' for standard input)",
			cmd->name);
	if (state_read(a->argv[0], st, &ctx->err) < 0)
		return cmd_failed(ctx, cmd);
	return 0;
}

static int run_state(struct ctx *ctx, const struct cmd *cmd, int argc,
		     char **argv, bool plan_only)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	_cleanup_state_ struct state st = { 0 };
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)) ||
	    (r = state_arg(ctx, cmd, &a, &st)))
		return r;
	if (plan_only && a.boot)
		return cmd_plan_boot(ctx, &st);
	if (plan_only)
		ctx->dry_run = true;
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	r = cmd_finish(ctx, cmd,
		       request_apply(&env, &st, a.prune, a.target.exact, &o,
				     &ctx->err),
		       &o);
	if (r == VM_EXIT_OK && plan_only && a.exit_code &&
	    !plan_is_empty(&o.plan)) {
		ctx->err_reported = true; /* not a failure: nothing to say */
		return PLAN_EXIT_CHANGES;
	}
	return r;
}

static int plan_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		    char **argv)
{
	return run_state(ctx, cmd, argc, argv, true);
}

static int apply_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		     char **argv)
{
	return run_state(ctx, cmd, argc, argv, false);
}

/* the state file written beside FILE and renamed over it: a reader never sees half of one */
static int export_to(struct ctx *ctx, const char *file, const struct state *st,
		     const char *header)
{
	_cleanup_free_ char *tmp = NULL;
	FILE *f;
	int fd, e;

	if (asprintf(&tmp, "%s.virt-mdev.XXXXXX", file) < 0)
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	fd = mkstemp(tmp);
	if (fd < 0)
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, errno,
				    "cannot write %s: %s", file,
				    strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		unlink(tmp);
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, e,
				    "cannot write %s: %s", file, strerror(e));
	}
	e = state_write(f, st, header);
	if (fflush(f) != 0 && e == 0)
		e = -errno;
	if (e == 0 && fsync(fileno(f)) != 0)
		e = -errno;
	if (fclose(f) != 0 && e == 0)
		e = -errno;
	if (e == 0 && rename(tmp, file) != 0)
		e = -errno;
	if (e < 0) {
		unlink(tmp);
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, -e,
				    "cannot write %s: %s", file, strerror(-e));
	}
	return 0;
}

static int export_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		      char **argv)
{
	_cleanup_state_ struct state st = { 0 };
	struct request_env env;
	struct cmd_args a;
	char header[256];
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc != 0)
		return cmd_usage_error(
			ctx, cmd,
			"export takes no arguments (--output FILE writes to a file)");
	if ((r = cmd_begin(ctx, cmd, &a, &env, NULL)))
		return r;
	if (request_export(&env, &st, &ctx->err) < 0)
		return cmd_failed(ctx, cmd);
	st.file = strdup(a.output ? a.output : "-");
	snprintf(header, sizeof(header),
		 "virt-mdev state file (virt-mdev-state(5)), exported by %s %s",
		 PROGRAM_NAME, PACKAGE_VERSION);
	if (a.output) {
		if (export_to(ctx, a.output, &st, header) < 0)
			return cmd_failed(ctx, cmd);
		return VM_EXIT_OK;
	}
	r = state_write(stdout, &st, header);
	if (r == -EILSEQ)
		return vm_error_set(
			       &ctx->err, VM_EXIT_FAILED, EILSEQ,
			       "cannot export the host's state: a name is not valid UTF-8, which YAML cannot carry (rename the domain)"),
		       cmd_failed(ctx, cmd);
	return output_check_stdout(&ctx->err) < 0 ? VM_EXIT_FAILED : VM_EXIT_OK;
}

const struct cmd cmd_plan = {
	.name = "plan",
	.args = "FILE",
	.help = "show what apply would change to make the host hold a state file",
	.flags = CMD_NEEDS_ROOT,
	.run = plan_run,
	.opts = plan_opts,
	.usage =
		"plan FILE [--prune] [--exit-code]\n"
		"  The steps apply FILE would run, as a dry run prints them (-j: the plan\n"
		"  record). --exit-code: exit 10 when something would change, 0 when nothing\n"
		"  would, for a drift check in a pipeline. --boot: instead, whether the host's\n"
		"  persistent configuration keeps each persistent device of the file across a\n"
		"  reboot, each gap as 'validate --boot' reports it (exit 4 if any).\n",
};

const struct cmd cmd_apply = {
	.name = "apply",
	.args = "FILE",
	.help = "make the host and libvirt hold a state file, in one plan",
	.flags = CMD_NEEDS_ROOT,
	.run = apply_run,
	.opts = apply_opts,
	.usage =
		"apply FILE [--prune]\n"
		"  One lock, one libvirt connection, one plan and one rollback for the whole\n"
		"  file (virt-mdev-state(5)): each device prepared, its mdev made, each guest's\n"
		"  persistent definition defined once with its devices. Nothing runs when the\n"
		"  host holds the file. What the file does not list is left alone; --prune\n"
		"  removes what an earlier apply made (its record) and the file no longer lists.\n",
};

const struct cmd cmd_export = {
	.name = "export",
	.args = "",
	.help = "print the host's passthrough state as a state file",
	.flags = CMD_NEEDS_ROOT,
	.run = export_run,
	.opts = export_opts,
	.usage =
		"export [--output FILE]\n"
		"  Every mdev with the guests that reference it, and the mdevs no guest\n"
		"  references, as a state file (virt-mdev-state(5)): 'export | apply -'\n"
		"  changes nothing.\n",
};
