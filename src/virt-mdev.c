/* virt-mdev: global options, the command table and dispatch; no logic of its own. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/output.h"

/* one command a line, in the order --help lists them */
/* clang-format off */
const struct cmd *const cmd_table[] = {
	&cmd_list,
	&cmd_show,
	&cmd_ccw,
	&cmd_ap,
	&cmd_create,
	&cmd_start,
	&cmd_stop,
	&cmd_remove,
	&cmd_validate,
	&cmd_xml,
	&cmd_attach,
	&cmd_detach,
	&cmd_assign,
	&cmd_unassign,
	&cmd_recover,
	&cmd_plan,
	&cmd_apply,
	&cmd_export,
	&cmd_help,
	&cmd_complete,
	NULL,
};
/* clang-format on */

const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; cmd_table[i]; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

void cmd_print_help(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Make s390 channel devices (DASD, tape...) and crypto APQNs vfio mediated\n"
		"devices of libvirt guests, with checks before acting, a dry run and rollback.\n"
		"\n"
		"Commands:\n",
		PROGRAM_NAME);
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd *cmd = cmd_table[i];
		char head[64];

		if (cmd->flags & CMD_HIDDEN)
			continue;
		snprintf(head, sizeof(head), "%s %s", cmd->name, cmd->args);
		fprintf(f, "  %-28s %s\n", head, cmd->help);
	}
	fprintf(f,
		"\n"
		"Options:\n"
		"  -c, --connect URI      libvirt connection URI (default: $LIBVIRT_DEFAULT_URI,\n"
		"                         else libvirt's default)\n"
		"      --root DIR         the host's root: sysfs at DIR/sys, mdevctl definitions at\n"
		"                         DIR/etc/mdevctl.d (default: $" SYSFS_ROOT_ENV
		", else /)\n"
		"      --backend B        how to create mdevs: auto, libvirt or sysfs (default: auto)\n"
		"  -n, --dry-run          print the steps as commands an admin could type; change nothing\n"
		"  -j, --json             print one JSON document on stdout\n"
		"  -q, --quiet            print only errors\n"
		"  -v, --verbose          say more about each step (repeat for more)\n"
		"  -h, --help             print this help and exit\n"
		"  -V, --version          print the version and exit\n"
		"\n"
		"Exit codes: 0 ok, 1 failed (rolled back), 2 usage or bad input, 3 not found,\n"
		"4 refused by a check, 5 failed and rollback incomplete.\n"
		"\n"
		"'%s help COMMAND' shows the usage of one command; see %s(8).\n",
		PROGRAM_NAME, PROGRAM_NAME);
}

/* A usage error: one line, then where to look, exit 2. */
static int usage_error(const struct ctx *ctx, const char *hint)
{
	output_error(&ctx->err, ctx->json);
	fprintf(stderr, "Try '%s %s'.\n", PROGRAM_NAME, hint);
	return VM_EXIT_USAGE;
}

enum {
	OPT_ROOT = 0x100,
	OPT_BACKEND,
};

static const struct option global_options[] = {
	{ "connect", required_argument, NULL, 'c' },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Parse the global options; returns -1 to go on, else the exit code. */
static int parse_global_options(struct ctx *ctx, int argc, char **argv)
{
	bool quiet = false;
	int c;

	opterr = 0; /* our own one-line messages */
	while ((c = getopt_long(argc, argv, "+:c:njqvhV", global_options,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx->uri = optarg;
			break;
		case OPT_ROOT:
			ctx->root_arg = optarg;
			break;
		case OPT_BACKEND:
			if (backend_from_string(optarg, &ctx->backend,
						&ctx->err) < 0)
				return usage_error(ctx, "--help");
			break;
		case 'n':
			ctx->dry_run = true;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			ctx->verbosity++;
			break;
		case 'h':
			cmd_print_help(stdout);
			return VM_EXIT_OK;
		case 'V':
			printf("%s %s\n", PROGRAM_NAME, PACKAGE_VERSION);
			return VM_EXIT_OK;
		case ':':
			vm_error_set(&ctx->err, VM_EXIT_USAGE, EINVAL,
				     "option '%s' needs a value",
				     argv[optind - 1]);
			return usage_error(ctx, "--help");
		case '?':
		default:
			if (optopt && optopt < 0x100)
				vm_error_set(&ctx->err, VM_EXIT_USAGE, EINVAL,
					     "unknown option '-%c'", optopt);
			else
				vm_error_set(&ctx->err, VM_EXIT_USAGE, EINVAL,
					     "unknown option '%s'",
					     argv[optind - 1]);
			return usage_error(ctx, "--help");
		}
	}
	if (quiet && ctx->verbosity > 0) {
		vm_error_set(
			&ctx->err, VM_EXIT_USAGE, EINVAL,
			"options -q/--quiet and -v/--verbose exclude each other");
		return usage_error(ctx, "--help");
	}
	if (quiet)
		ctx->verbosity = -1;
	return -1;
}

/*
 * The global flags without a value may also follow the command, as in
 * "virt-mdev list mdev --json": take them out of the command's arguments.
 */
static int take_trailing_globals(struct ctx *ctx, int argc, char **argv,
				 bool *quiet)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0)
			ctx->json = true;
		else if (strcmp(a, "-n") == 0 || strcmp(a, "--dry-run") == 0)
			ctx->dry_run = true;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			*quiet = true;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			ctx->verbosity++;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

/* The trailing global flags taken out of argv: the new argc, or -1 for -q with -v. */
static int trailing_globals(struct ctx *ctx, int argc, char **argv)
{
	bool quiet = ctx->verbosity < 0;

	if (quiet)
		ctx->verbosity = 0;
	argc = take_trailing_globals(ctx, argc, argv, &quiet);
	if (quiet && ctx->verbosity > 0) {
		vm_error_set(
			&ctx->err, VM_EXIT_USAGE, EINVAL,
			"options -q/--quiet and -v/--verbose exclude each other");
		return -1;
	}
	if (quiet)
		ctx->verbosity = -1;
	return argc;
}

/* "virt-mdev NAME ... --help" anywhere before "--" shows NAME's usage. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

/*
 * A root that was given (--root, $VIRT_MDEV_ROOT) holds an s390 host: a
 * channel subsystem or an AP bus (kernel-sysfs.md sections 2 and 3), or
 * there is nothing to list or change, which is no "0 found" but exit 3.
 */
static int root_has_host(struct ctx *ctx, const struct sysfs *sysfs)
{
	const char *root = sysfs_root(sysfs);

	if (strcmp(root, "/") == 0 || sysfs_exists(sysfs, "bus/css") ||
	    sysfs_exists(sysfs, "bus/ap"))
		return 0;
	return vm_error_set(
		&ctx->err, VM_EXIT_NOT_FOUND, ENOENT,
		"no s390 host under root '%s' (%s): neither %s/sys/bus/css (channel subsystem) nor %s/sys/bus/ap (AP bus) exists (give the root of a tree whose sys/ is an s390 host's sysfs, such as one 'virt-mdev-sim render DIR/sys' wrote)",
		root, ctx->root_arg ? "--root" : SYSFS_ROOT_ENV, root, root);
}

static int run(int argc, char **argv)
{
	_cleanup_sysfs_ struct sysfs *sysfs = NULL;
	struct ctx ctx = { .backend = BACKEND_AUTO };
	const struct cmd *cmd;
	_cleanup_strv_ struct strv args = STRV_INIT;
	char hint[64];
	int r;

	/* the command line for a run's journal, before getopt reorders it */
	for (int i = 0; i < argc; i++)
		if (strv_push(&args, argv[i]) < 0)
			return VM_EXIT_FAILED;
	ctx.args = &args;
	r = parse_global_options(&ctx, argc, argv);
	if (r >= 0)
		return r;
	if (optind >= argc) {
		vm_error_set(&ctx.err, VM_EXIT_USAGE, EINVAL,
			     "no command given");
		return usage_error(&ctx, "--help");
	}
	cmd = cmd_find(argv[optind]);
	if (!cmd) {
		vm_error_set(&ctx.err, VM_EXIT_USAGE, EINVAL,
			     "unknown command '%s'", argv[optind]);
		return usage_error(&ctx, "--help");
	}
	argc -= optind;
	argv += optind;
	optind = 0; /* commands parse their own options from a fresh start */
	argc = trailing_globals(&ctx, argc, argv);
	if (argc < 0)
		return usage_error(&ctx, "--help");
	if (wants_help(argc, argv)) {
		cmd_print_usage(cmd, stdout);
		return VM_EXIT_OK;
	}
	if ((cmd->flags & CMD_NEEDS_ROOT) || ctx.root_arg) {
		if (sysfs_new(&sysfs, ctx.root_arg, &ctx.err) < 0)
			return output_error(&ctx.err, ctx.json);
		if ((cmd->flags & CMD_NEEDS_ROOT) &&
		    root_has_host(&ctx, sysfs) < 0)
			return output_error(&ctx.err, ctx.json);
		ctx.sysfs = sysfs;
	}
	r = cmd->run(&ctx, cmd, argc, argv);
	if (r == VM_EXIT_OK)
		return r;
	if (ctx.err_reported)
		return r;
	if (!vm_error_is_set(&ctx.err))
		vm_error_set(&ctx.err, (enum vm_exit)r, 0,
			     "%s failed for an unknown reason", cmd->name);
	if (ctx.err.exit == VM_EXIT_USAGE) {
		snprintf(hint, sizeof(hint), "help %s", cmd->name);
		return usage_error(&ctx, hint);
	}
	output_error(&ctx.err, ctx.json);
	return r;
}

int main(int argc, char **argv)
{
	/* before anything opens a file: no file of ours may become stdout */
	if (output_std_fds_open() < 0 || output_stdout_checked() < 0)
		return VM_EXIT_FAILED; /* with no stderr to say why */
	return output_exit(run(argc, argv));
}
