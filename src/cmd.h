/*
 * The command layer: the context every command runs in, the command
 * descriptor, and declarative options (virsh's vshCmdOptDef): one table per
 * command gives getopt, the usage text, the man-page check and completion.
 * Commands parse, call one library function, print.
 */
#ifndef VIRT_MDEV_CMD_H
#define VIRT_MDEV_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <json-c/json.h>

#include "lib/error.h"
#include "lib/kind.h"
#include "lib/request.h"
#include "lib/sysfs.h"
#include "lib/virt.h"

/* What a command needs opened before it runs (virsh's VSH_CMD_FLAG_*). */
enum cmd_flags {
	CMD_NEEDS_ROOT = 1 << 0, /* the host under --root */
	CMD_HIDDEN = 1 << 1, /* for completion scripts; not listed */
};

struct ctx {
	const char *uri; /* -c; NULL: libvirt's default (LIBVIRT_DEFAULT_URI) */
	const char *root_arg; /* --root; NULL: $VIRT_MDEV_ROOT, else "/" */
	enum backend_choice backend;
	bool dry_run;
	bool json;
	int verbosity; /* -1 with -q, 0 normal, 1 and more with -v */
	struct sysfs *sysfs; /* open when the command has CMD_NEEDS_ROOT */
	/* filled by a failing command, printed once by main */
	struct vm_error err;
	/* the command printed it already (JSON documents with an error) */
	bool err_reported;
	/* the command line as given, for the journal of a run */
	const struct strv *args;
};

/* Every option a command can take; each command's table says which, and what for. */
enum opt_id {
	OPT_NONE,
	OPT_DEVNO,
	OPT_BOOT_ORDER,
	OPT_FORMAT,
	OPT_MODEL,
	OPT_ALIAS,
	OPT_LIVE,
	OPT_CONFIG,
	OPT_PERSISTENT,
	OPT_FORCE,
	OPT_UUID,
	OPT_ADAPTERS,
	OPT_DOMAINS,
	OPT_CONTROL_DOMAINS,
	OPT_KEEP_MDEV,
	OPT_TEMPLATE_DIR,
	OPT_DEFINE,
	OPT_AUTOSTART,
	OPT_UNDEFINE,
	OPT_TIMEOUT,
	OPT_LOCK_TIMEOUT,
	OPT_PARENT,
	OPT_SHARED,
	OPT_COMPLETE,
	OPT_PRUNE,
	OPT_EXIT_CODE,
	OPT_OUTPUT,
	OPT_EXACT,
	OPT_BOOT,
	OPT_JOBS,
	OPT__LAST,
};

/* One option of a command: which, and its help there. */
struct cmd_opt {
	enum opt_id id;
	const char *help; /* lower case, no full stop */
};

/* A sub-action ("ccw bind", "ap release", "create ccw"): its word and options. */
struct cmd_action {
	const char *name;
	const struct cmd_opt *opts; /* terminated by OPT_NONE */
};

/* What the options and arguments of one command line said. */
struct cmd_args {
	const struct cmd_action *action; /* NULL for a command without actions */
	int argc; /* the positional arguments after the command (and action) */
	char **argv;
	struct kind_args
		target; /* --adapters, --domains, --control-domains, --force, --persistent */
	struct domain_req
		dom; /* --devno, --boot-order, --alias, --live, --config, --shared */
	bool devno_auto;
	enum xml_format format; /* --format, default hostdev */
	const char *template_dir;
	const struct mdev_kind *model; /* --model; NULL: from the device */
	bool keep_mdev, define, autostart, undefine, uuid_given;
	char uuid[IDS_UUID_STRLEN];
	unsigned timeout;
	unsigned jobs; /* --jobs; 0: REQUEST_DEFAULT_JOBS */
	bool lock_timeout_given; /* --lock-timeout; else AP_LOCK_DEFAULT_TIMEOUT_S */
	unsigned lock_timeout;
	const char *parent; /* --parent: which of a uuid's parents; NULL: any */
	bool complete; /* recover --complete */
	bool prune, exit_code; /* plan, apply --prune; plan --exit-code */
	const char *output; /* export --output FILE */
	bool boot; /* validate, plan --boot: the host after a reboot */
};

struct cmd {
	const char *name;
	const char *args; /* synopsis after the name, "" if none */
	const char *help; /* one line, lower case, no full stop */
	unsigned flags; /* enum cmd_flags */
	/* argv[0] is the command name. Returns an exit code (enum vm_exit); on failure ctx->err says why. */
	int (*run)(struct ctx *ctx, const struct cmd *cmd, int argc,
		   char **argv);
	/* the options, terminated by OPT_NONE; NULL: none */
	const struct cmd_opt *opts;
	/* sub-actions, terminated by a NULL name; NULL: none */
	const struct cmd_action *actions;
	const char *
		action_word; /* what an action is called in messages: "action", "kind" */
	/* more lines for "virt-mdev help NAME": what it does, examples; may be NULL */
	const char *usage;
};

/* Every command, NULL-terminated: the one table main, help and completion read. */
extern const struct cmd *const cmd_table[];

const struct cmd *cmd_find(const char *name);

/* Print the general help: synopsis, commands, global options, exit codes. */
void cmd_print_help(FILE *f);

/* Print a command's usage ("virt-mdev help NAME" and "NAME --help"): synopsis, prose, options. */
void cmd_print_usage(const struct cmd *cmd, FILE *f);

/* An option's long name ("devno") and its argument ("fe.S.DDDD|auto", NULL for a flag). */
const char *cmd_opt_name(enum opt_id id);
const char *cmd_opt_arg(enum opt_id id);

/*
 * Parse a command line with the command's option table (and, with
 * actions, the action word first). Returns 0, or the exit code after
 * recording a usage error. Options may follow the arguments.
 */
int cmd_parse(struct ctx *ctx, const struct cmd *cmd, int argc, char **argv,
	      struct cmd_args *a);

/*
 * A usage error inside a command: records the message so that main prints it
 * with "Try 'virt-mdev help NAME'", and returns VM_EXIT_USAGE.
 */
int cmd_usage_error(struct ctx *ctx, const struct cmd *cmd, const char *fmt,
		    ...) _printf_(3, 4);

/* A uuid argument in its canonical spelling; a usage error otherwise. */
int cmd_uuid_arg(struct ctx *ctx, const char *arg, char out[IDS_UUID_STRLEN]);

/* A KIND argument ("ccw", "ap"): the kind, or a usage error naming the kinds. */
int cmd_kind_arg(struct ctx *ctx, const struct cmd *cmd, const char *word,
		 const struct mdev_kind **out);

/* --shared is for persistent definitions: with --live a usage error. */
int cmd_shared_arg(struct ctx *ctx, const struct cmd *cmd,
		   const struct cmd_args *a);
/*
 * The environment a library request runs in (from the context and the
 * command line), and an empty outcome (o may be NULL); 0 or the exit code.
 * With o (a request that changes the host) and no dry run: SIGINT, SIGTERM
 * and SIGHUP stop the plan between steps, and virt-mdev's lock is taken
 * before the request reads the host (request_lock_host).
 */
int cmd_begin(struct ctx *ctx, const struct cmd *cmd, const struct cmd_args *a,
	      struct request_env *env, struct outcome *o);

/* A library request's failure: its exit code (main prints the message, and for bad usage where to look). */
int cmd_failed(struct ctx *ctx, const struct cmd *cmd);
/* plan --boot FILE (cmd-validate.c): the file's persistent devices against the host's persistent configuration, reported as validate --boot reports */
struct state;
int cmd_plan_boot(struct ctx *ctx, const struct state *st);

/* After a request returned r: its failure, or its outcome run (cmd_run). */
int cmd_finish(struct ctx *ctx, const struct cmd *cmd, int r,
	       struct outcome *o);

/*
 * Run (or with --dry-run print) an outcome's plan, with progress lines,
 * JSON, the notes and the one error message.
 */
int cmd_run(struct ctx *ctx, struct outcome *o);

/* A note on stderr, shown with -v. */
void cmd_note(const struct ctx *ctx, const char *fmt, ...) _printf_(2, 3);

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
extern const struct cmd cmd_recover;
extern const struct cmd cmd_plan;
extern const struct cmd cmd_apply;
extern const struct cmd cmd_export;

#endif
