/* Declarative options: every option's name, argument and parser once; each command's table picks them (getopt, usage, completion). */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "cmd.h"
#include "lib/output.h"

typedef int (*opt_parse_fn)(struct ctx *ctx, const struct cmd *cmd,
			    const char *v, struct cmd_args *a);

struct opt_def {
	const char *name;
	const char *arg; /* NULL: a flag */
	opt_parse_fn parse;
};

/* ---- value parsers: one message naming the value, the rule and the fix ---- */

static int bad_value(struct ctx *ctx)
{
	ctx->err.exit = VM_EXIT_USAGE;
	return VM_EXIT_USAGE;
}

static int p_devno(struct ctx *ctx, const struct cmd *cmd, const char *v,
		   struct cmd_args *a)
{
	(void)cmd;
	if (strcmp(v, "auto") == 0) {
		a->devno_auto = true;
		a->dom.devno_given = false;
		return 0;
	}
	if (guest_devno_parse(v, &a->dom.devno, &ctx->err) < 0)
		return bad_value(ctx);
	a->dom.devno_given = true;
	return 0;
}

static int p_number(struct ctx *ctx, const struct cmd *cmd, const char *v,
		    const char *opt, unsigned long max, const char *rule,
		    unsigned *out)
{
	if (ids_number_parse(v, 1, max, out) < 0)
		return cmd_usage_error(ctx, cmd, "invalid --%s '%s': %s", opt,
				       v, rule);
	return 0;
}

static int p_boot_order(struct ctx *ctx, const struct cmd *cmd, const char *v,
			struct cmd_args *a)
{
	return p_number(ctx, cmd, v, "boot-order", GUEST_BOOT_ORDER_MAX,
			"a number from 1 to 65535", &a->dom.boot_order);
}

static int p_timeout(struct ctx *ctx, const struct cmd *cmd, const char *v,
		     struct cmd_args *a)
{
	char rule[64];

	snprintf(rule, sizeof(rule), "seconds from 1 to 3600 (default %d)",
		 REQUEST_DEFAULT_TIMEOUT_S);
	return p_number(ctx, cmd, v, "timeout", 3600, rule, &a->timeout);
}

static int p_jobs(struct ctx *ctx, const struct cmd *cmd, const char *v,
		  struct cmd_args *a)
{
	char rule[80];

	snprintf(rule, sizeof(rule), "a number from 1 to %d (default %d)",
		 REQUEST_MAX_JOBS, REQUEST_DEFAULT_JOBS);
	return p_number(ctx, cmd, v, "jobs", REQUEST_MAX_JOBS, rule, &a->jobs);
}

/* 0 is allowed: fail at once when another process holds the lock */
static int p_lock_timeout(struct ctx *ctx, const struct cmd *cmd, const char *v,
			  struct cmd_args *a)
{
	char rule[80];

	if (strcmp(v, "0") == 0) {
		a->lock_timeout = 0;
		a->lock_timeout_given = true;
		return 0;
	}
	snprintf(rule, sizeof(rule), "seconds from 0 to 3600 (default %d)",
		 AP_LOCK_DEFAULT_TIMEOUT_S);
	if (p_number(ctx, cmd, v, "lock-timeout", 3600, rule, &a->lock_timeout))
		return VM_EXIT_USAGE;
	a->lock_timeout_given = true;
	return 0;
}

static int p_format(struct ctx *ctx, const struct cmd *cmd, const char *v,
		    struct cmd_args *a)
{
	int f = xml_format_from_string(v);

	if (f < 0)
		return cmd_usage_error(
			ctx, cmd,
			"invalid --format '%s': hostdev, qemu, nodedev or mdevctl",
			v);
	a->format = (enum xml_format)f;
	return 0;
}

static int p_model(struct ctx *ctx, const struct cmd *cmd, const char *v,
		   struct cmd_args *a)
{
	a->model = mdev_kind_by_model(v);
	if (!a->model)
		return cmd_usage_error(ctx, cmd, "invalid --model '%s': %s", v,
				       mdev_kind_models());
	return 0;
}

static int p_alias(struct ctx *ctx, const struct cmd *cmd, const char *v,
		   struct cmd_args *a)
{
	if (!guest_alias_valid(v))
		return cmd_usage_error(
			ctx, cmd, "invalid --alias '%s': " GUEST_ALIAS_RULE, v);
	a->dom.alias = v;
	return 0;
}

int cmd_uuid_arg(struct ctx *ctx, const char *arg, char out[IDS_UUID_STRLEN])
{
	uuid_t u;

	if (ids_uuid_parse(arg, u, &ctx->err) < 0)
		return bad_value(ctx);
	ids_uuid_format(u, out);
	return 0;
}

int cmd_kind_arg(struct ctx *ctx, const struct cmd *cmd, const char *word,
		 const struct mdev_kind **out)
{
	if (!word)
		return cmd_usage_error(ctx, cmd, "expected %s",
				       mdev_kind_names());
	*out = mdev_kind_by_name(word);
	if (!*out)
		return cmd_usage_error(ctx, cmd,
				       "unknown kind '%s' (expected %s)", word,
				       mdev_kind_names());
	return 0;
}

int cmd_shared_arg(struct ctx *ctx, const struct cmd *cmd,
		   const struct cmd_args *a)
{
	if (!a->dom.shared || !a->dom.live)
		return 0;
	return cmd_usage_error(
		ctx, cmd,
		"--shared lets only a persistent definition have an mdev another domain references, never a running guest: use it with --config, not --live");
}

static int p_uuid(struct ctx *ctx, const struct cmd *cmd, const char *v,
		  struct cmd_args *a)
{
	(void)cmd;
	if (cmd_uuid_arg(ctx, v, a->uuid))
		return VM_EXIT_USAGE;
	a->uuid_given = true;
	return 0;
}

static int p_ids(struct ctx *ctx, const char *v, const char *what,
		 struct ap_mask *mask, bool *have)
{
	struct ap_mask list;

	if (ap_id_list_parse(v, what, &list, &ctx->err) < 0)
		return bad_value(ctx);
	ap_mask_or(mask, mask, &list);
	*have = true;
	return 0;
}

static int p_adapters(struct ctx *ctx, const struct cmd *cmd, const char *v,
		      struct cmd_args *a)
{
	(void)cmd;
	return p_ids(ctx, v, "adapter", &a->target.apm,
		     &a->target.have_adapters);
}

static int p_domains(struct ctx *ctx, const struct cmd *cmd, const char *v,
		     struct cmd_args *a)
{
	(void)cmd;
	return p_ids(ctx, v, "domain", &a->target.aqm, &a->target.have_domains);
}

static int p_control_domains(struct ctx *ctx, const struct cmd *cmd,
			     const char *v, struct cmd_args *a)
{
	(void)cmd;
	return p_ids(ctx, v, "control domain", &a->target.adm,
		     &a->target.have_control_domains);
}

static int p_template_dir(struct ctx *ctx, const struct cmd *cmd, const char *v,
			  struct cmd_args *a)
{
	(void)ctx;
	(void)cmd;
	a->template_dir = v;
	return 0;
}

/* a parent's sysfs name, as mdevctl's directories are named */
static int p_parent(struct ctx *ctx, const struct cmd *cmd, const char *v,
		    struct cmd_args *a)
{
	if (!*v || strchr(v, '/') || strcmp(v, ".") == 0 ||
	    strcmp(v, "..") == 0 || strlen(v) >= 64)
		return cmd_usage_error(
			ctx, cmd,
			"invalid --parent '%s': the sysfs name of an mdev's parent, as 'virt-mdev list mdev' shows it (such as 0.0.0313, or matrix for vfio-ap)",
			v);
	a->parent = v;
	return 0;
}

/* flags: the parser sets the field it names */
#define FLAG_PARSER(fn, field)                                               \
	static int fn(struct ctx *ctx, const struct cmd *cmd, const char *v, \
		      struct cmd_args *a)                                    \
	{                                                                    \
		(void)ctx;                                                   \
		(void)cmd;                                                   \
		(void)v;                                                     \
		a->field = true;                                             \
		return 0;                                                    \
	}

FLAG_PARSER(p_live, dom.live)
FLAG_PARSER(p_config, dom.config)
FLAG_PARSER(p_persistent, target.persistent)
FLAG_PARSER(p_force, target.force)
FLAG_PARSER(p_keep_mdev, keep_mdev)
FLAG_PARSER(p_define, define)
FLAG_PARSER(p_undefine, undefine)
FLAG_PARSER(p_shared, dom.shared)
FLAG_PARSER(p_complete, complete)
FLAG_PARSER(p_prune, prune)
FLAG_PARSER(p_exit_code, exit_code)

static int p_output(struct ctx *ctx, const struct cmd *cmd, const char *v,
		    struct cmd_args *a)
{
	if (!*v)
		return cmd_usage_error(
			ctx, cmd,
			"--output needs a FILE (leave it out for stdout)");
	a->output = v;
	return 0;
}
FLAG_PARSER(p_exact, target.exact)
FLAG_PARSER(p_boot, boot)

static int p_autostart(struct ctx *ctx, const struct cmd *cmd, const char *v,
		       struct cmd_args *a)
{
	(void)ctx;
	(void)cmd;
	(void)v;
	a->autostart = a->define = true; /* --autostart implies --define */
	return 0;
}

static const struct opt_def opt_defs[OPT__LAST] = {
	[OPT_NONE] = { NULL, NULL, NULL },
	[OPT_DEVNO] = { "devno", "fe.S.DDDD|auto", p_devno },
	[OPT_BOOT_ORDER] = { "boot-order", "N", p_boot_order },
	[OPT_FORMAT] = { "format", "hostdev|qemu|nodedev|mdevctl", p_format },
	[OPT_MODEL] = { "model", "vfio-ccw|vfio-ap", p_model },
	[OPT_ALIAS] = { "alias", "ua-NAME", p_alias },
	[OPT_LIVE] = { "live", NULL, p_live },
	[OPT_CONFIG] = { "config", NULL, p_config },
	[OPT_PERSISTENT] = { "persistent", NULL, p_persistent },
	[OPT_FORCE] = { "force", NULL, p_force },
	[OPT_UUID] = { "uuid", "U", p_uuid },
	[OPT_ADAPTERS] = { "adapters", "L", p_adapters },
	[OPT_DOMAINS] = { "domains", "L", p_domains },
	[OPT_CONTROL_DOMAINS] = { "control-domains", "L", p_control_domains },
	[OPT_KEEP_MDEV] = { "keep-mdev", NULL, p_keep_mdev },
	[OPT_TEMPLATE_DIR] = { "template-dir", "DIR", p_template_dir },
	[OPT_DEFINE] = { "define", NULL, p_define },
	[OPT_AUTOSTART] = { "autostart", NULL, p_autostart },
	[OPT_UNDEFINE] = { "undefine", NULL, p_undefine },
	[OPT_TIMEOUT] = { "timeout", "S", p_timeout },
	[OPT_LOCK_TIMEOUT] = { "lock-timeout", "S", p_lock_timeout },
	[OPT_PARENT] = { "parent", "PARENT", p_parent },
	[OPT_SHARED] = { "shared", NULL, p_shared },
	[OPT_COMPLETE] = { "complete", NULL, p_complete },
	[OPT_PRUNE] = { "prune", NULL, p_prune },
	[OPT_EXIT_CODE] = { "exit-code", NULL, p_exit_code },
	[OPT_OUTPUT] = { "output", "FILE", p_output },
	[OPT_EXACT] = { "exact", NULL, p_exact },
	[OPT_BOOT] = { "boot", NULL, p_boot },
	[OPT_JOBS] = { "jobs", "N", p_jobs },
};

const char *cmd_opt_name(enum opt_id id)
{
	return (unsigned)id < OPT__LAST ? opt_defs[id].name : NULL;
}

const char *cmd_opt_arg(enum opt_id id)
{
	return (unsigned)id < OPT__LAST ? opt_defs[id].arg : NULL;
}

/* ---- the parser ---- */

static const struct cmd_opt *opts_of(const struct cmd *cmd,
				     const struct cmd_args *a)
{
	return a->action ? a->action->opts : cmd->opts;
}

static int parse_action(struct ctx *ctx, const struct cmd *cmd, int argc,
			char **argv, struct cmd_args *a)
{
	char names[128] = "";
	size_t n = 0, len;

	for (; cmd->actions[n].name; n++) {
		len = strlen(names);
		snprintf(names + len, sizeof(names) - len, "%s%s",
			 n == 0			  ? "" :
			 cmd->actions[n + 1].name ? ", " :
						    " or ",
			 cmd->actions[n].name);
	}
	if (argc < 2)
		return cmd_usage_error(ctx, cmd, "expected %s", names);
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], cmd->actions[i].name) == 0) {
			a->action = &cmd->actions[i];
			return 0;
		}
	return cmd_usage_error(ctx, cmd, "unknown %s '%s' (expected %s)",
			       cmd->action_word ? cmd->action_word : "action",
			       argv[1], names);
}

static bool has_opt(const struct cmd_opt *opts, enum opt_id id)
{
	for (size_t i = 0; opts && opts[i].id != OPT_NONE; i++)
		if (opts[i].id == id)
			return true;
	return false;
}

/* "ccw bind, assign": the commands (and actions) that take the option */
static void takers(enum opt_id id, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd *c = cmd_table[i];

		if (has_opt(c->opts, id)) {
			snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
				 c->name);
			len = strlen(buf);
		}
		for (size_t k = 0; c->actions && c->actions[k].name; k++) {
			if (!has_opt(c->actions[k].opts, id))
				continue;
			snprintf(buf + len, size - len, "%s%s %s",
				 len ? ", " : "", c->name, c->actions[k].name);
			len = strlen(buf);
		}
	}
}

/* an option this command does not take: say which ones take it */
static int unknown_option(struct ctx *ctx, const struct cmd *cmd,
			  const struct cmd_args *a, const char *arg)
{
	char name[64], who[256];
	size_t len;

	if (strncmp(arg, "--", 2) == 0) {
		len = strcspn(arg + 2, "=");
		snprintf(name, sizeof(name), "%.*s", (int)len, arg + 2);
		for (int id = OPT_NONE + 1; id < OPT__LAST; id++) {
			if (strcmp(opt_defs[id].name, name) != 0)
				continue;
			takers((enum opt_id)id, who, sizeof(who));
			return cmd_usage_error(
				ctx, cmd,
				"--%s is for %s; %s%s%s does not take it", name,
				who, cmd->name, a->action ? " " : "",
				a->action ? a->action->name : "");
		}
	}
	return cmd_usage_error(ctx, cmd, "unknown option '%s'", arg);
}

int cmd_parse(struct ctx *ctx, const struct cmd *cmd, int argc, char **argv,
	      struct cmd_args *a)
{
	struct option longopts[OPT__LAST + 1];
	const struct cmd_opt *opts;
	size_t n = 0;
	int c, r;

	memset(a, 0, sizeof(*a));
	if (cmd->actions) {
		r = parse_action(ctx, cmd, argc, argv, a);
		if (r)
			return r;
		argc--;
		argv++;
	}
	opts = opts_of(cmd, a);
	for (; opts && opts[n].id != OPT_NONE && n < OPT__LAST; n++)
		longopts[n] = (struct option){ opt_defs[opts[n].id].name,
					       opt_defs[opts[n].id].arg ?
						       required_argument :
						       no_argument,
					       NULL, (int)opts[n].id };
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	optind = 0;
	/* options may follow the arguments, as admins write them */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == ':')
			return cmd_usage_error(ctx, cmd,
					       "option '%s' needs a value",
					       argv[optind - 1]);
		if (c == '?' || c <= OPT_NONE || c >= OPT__LAST)
			return unknown_option(ctx, cmd, a, argv[optind - 1]);
		r = opt_defs[c].parse(ctx, cmd, optarg, a);
		if (r)
			return r;
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	return 0;
}

int cmd_usage_error(struct ctx *ctx, const struct cmd *cmd, const char *fmt,
		    ...)
{
	va_list ap;

	ctx->err.exit = VM_EXIT_USAGE;
	ctx->err.errnum = EINVAL;
	va_start(ap, fmt);
	vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap);
	va_end(ap);
	vm_error_prefix(&ctx->err, "%s", cmd->name);
	return VM_EXIT_USAGE;
}

/* ---- usage ---- */

/* text from column 'indent' on (the cursor is there), words wrapped before 'width' */
static void print_wrapped(const char *text, int indent, int width, FILE *f)
{
	int col = indent;

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col > indent && col + 1 + len > width) {
			fprintf(f, "\n%*s", indent - 1, "");
			col = indent;
		}
		fprintf(f, " %.*s", len, text);
		col += len + 1;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void print_opts(const struct cmd_opt *opts, FILE *f)
{
	for (size_t i = 0; opts && opts[i].id != OPT_NONE; i++) {
		const struct opt_def *d = &opt_defs[opts[i].id];
		char head[64];

		snprintf(head, sizeof(head), "--%s%s%s", d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-22s", head);
		if (strlen(head) > 22)
			fprintf(f, "\n%24s", "");
		print_wrapped(opts[i].help, 25, 80, f);
	}
}

void cmd_print_usage(const struct cmd *cmd, FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS] %s%s%s\n\n%s.\n", PROGRAM_NAME,
		cmd->name, *cmd->args ? " " : "", cmd->args, cmd->help);
	if (cmd->usage)
		fprintf(f, "\n%s", cmd->usage);
	if (cmd->opts) {
		fprintf(f, "\nOptions:\n");
		print_opts(cmd->opts, f);
	}
	for (size_t i = 0; cmd->actions && cmd->actions[i].name; i++) {
		if (!cmd->actions[i].opts ||
		    cmd->actions[i].opts[0].id == OPT_NONE)
			continue;
		fprintf(f, "\nOptions of %s %s:\n", cmd->name,
			cmd->actions[i].name);
		print_opts(cmd->actions[i].opts, f);
	}
	fprintf(f, "\nGlobal options are listed by '%s --help'; see %s(8).\n",
		PROGRAM_NAME, PROGRAM_NAME);
}
