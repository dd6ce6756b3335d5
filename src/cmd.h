/* The command layer: the context every command runs in, and the command descriptor. */
#ifndef VIRT_MDEV_CMD_H
#define VIRT_MDEV_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <json-c/json.h>

#include "lib/error.h"
#include "lib/sysfs.h"
#include "lib/virt.h"

/* What a command needs opened before it runs (virsh's VSH_CMD_FLAG_*). */
enum cmd_flags {
	CMD_NEEDS_CONN = 1 << 0, /* a libvirt connection (-c) */
	CMD_NEEDS_ROOT = 1 << 1, /* the host under --root */
	CMD_MUTATES = 1
		      << 2, /* changes the host or libvirt: --dry-run applies */
	CMD_HIDDEN = 1 << 3, /* for completion scripts; not listed */
};

struct ctx {
	const char *uri; /* -c; NULL: libvirt's default (LIBVIRT_DEFAULT_URI) */
	const char *root_arg; /* --root; NULL: $VIRT_MDEV_ROOT, else "/" */
	enum backend backend;
	bool dry_run;
	bool json;
	int verbosity; /* -1 with -q, 0 normal, 1 and more with -v */
	struct sysfs *sysfs; /* open when the command has CMD_NEEDS_ROOT */
	virConnectPtr conn; /* open when the command has CMD_NEEDS_CONN */
	/* filled by a failing command, printed once by main */
	struct vm_error err;
	/* the command printed it already (JSON documents with an error) */
	bool err_reported;
};

struct cmd {
	const char *name;
	const char *args; /* synopsis after the name, "" if none */
	const char *help; /* one line, lower case, no full stop */
	unsigned flags; /* enum cmd_flags */
	/* argv[0] is the command name. Returns an exit code (enum vm_exit); on failure ctx->err says why. */
	int (*run)(struct ctx *ctx, int argc, char **argv);
	/* more lines for "virt-mdev help NAME": options and examples; may be NULL */
	const char *usage;
};

/* Every command, NULL-terminated: the one table main, help and completion read. */
extern const struct cmd *const cmd_table[];

const struct cmd *cmd_find(const char *name);

/* Print the general help: synopsis, commands, global options, exit codes. */
void cmd_print_help(FILE *f);

/* Print a command's usage ("virt-mdev help NAME" and "NAME --help"). */
void cmd_print_usage(const struct cmd *cmd, FILE *f);

/*
 * A usage error inside a command: records the message so that main prints it
 * with "Try 'virt-mdev help NAME'", and returns VM_EXIT_USAGE.
 */
int cmd_usage_error(struct ctx *ctx, const struct cmd *cmd, const char *fmt,
		    ...) _printf_(3, 4);

/*
 * Run (or with --dry-run print) a plan, with progress lines, JSON and the one
 * error message; nothing_to_do says why an empty plan is fine. result (may
 * be NULL) goes into the JSON document; the reference is taken.
 */
struct plan;
int cmd_run_plan(struct ctx *ctx, struct plan *p, const char *nothing_to_do,
		 struct json_object *result);

/* Parse a command's options with getopt_long; returns the option, -1 at the end, or '?' after recording a usage error. */
int cmd_getopt(struct ctx *ctx, const struct cmd *cmd, int argc, char **argv,
	       const struct option *longopts);

/* A note on stderr, shown with -v. */
void cmd_note(const struct ctx *ctx, const char *fmt, ...) _printf_(2, 3);

/*
 * The backend that makes mdevs: libvirt when asked, or (auto) when the
 * connection's node-device driver knows the mdev's parent; else sysfs on a
 * local host, and a clear failure for a remote one.
 */
#include "lib/lifecycle.h"
struct backend_ctx {
	struct lifecycle lc;
	virConnectPtr own; /* a connection opened here */
	const char *name; /* "libvirt" or "sysfs" */
};
int backend_open(struct ctx *ctx, const struct mdev_spec *m, unsigned timeout_s,
		 struct backend_ctx *b);
void backend_close(struct backend_ctx *b);

extern const struct cmd cmd_help;
extern const struct cmd cmd_ccw;
extern const struct cmd cmd_ap;
extern const struct cmd cmd_list;
extern const struct cmd cmd_show;
extern const struct cmd cmd_create;
extern const struct cmd cmd_start;
extern const struct cmd cmd_stop;
extern const struct cmd cmd_remove;
extern const struct cmd cmd_validate;
extern const struct cmd cmd_xml;
extern const struct cmd cmd_attach;
extern const struct cmd cmd_detach;
extern const struct cmd cmd_assign;
extern const struct cmd cmd_unassign;
extern const struct cmd cmd_complete;

#endif
