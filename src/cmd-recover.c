/* virt-mdev recover [--complete]: roll back (or finish) the plan of a run that ended before it did, from its journal. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/output.h"

static const struct cmd_opt recover_opts[] = {
	{ OPT_COMPLETE,
	  "finish the plan instead: run the steps the run did not get to" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and the s390-tools lock while another process holds them (60; 0: not at all)" },
	{ OPT_NONE, NULL },
};

/* -n: what the journal holds, changing nothing */
static int recover_dry_run(struct ctx *ctx, const struct cmd *cmd)
{
	_cleanup_free_ char *path = NULL;
	struct journal_doc d;
	int r = journal_read(ctx->sysfs, &d, &path, &ctx->err);

	if (r == -ENOENT) {
		printf("# nothing to recover: no journal\n");
		return VM_EXIT_OK;
	}
	if (r < 0)
		return cmd_failed(ctx, cmd);
	/* the journal's text (paths under --root, descriptions naming domains) escaped */
	fputs("# the journal ", stdout);
	output_escaped(stdout, path);
	printf(" of PID %ld%s\n", d.pid,
	       journal_owner_alive(&d) ? ", which still runs" : "");
	for (size_t i = 0; i < json_object_array_length(d.steps); i++) {
		struct json_object *s = json_object_array_get_idx(d.steps, i);
		struct json_object *desc, *status;

		json_object_object_get_ex(s, "description", &desc);
		json_object_object_get_ex(s, "status", &status);
		printf("# ");
		output_escaped(stdout, json_object_get_string(status) ?: "");
		fputs(": ", stdout);
		output_escaped(stdout, json_object_get_string(desc) ?: "");
		putchar('\n');
	}
	journal_doc_clear(&d);
	return VM_EXIT_OK;
}

static int recover_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		       char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	_cleanup_json_ struct json_object *doc = NULL;
	struct recover_result res;
	struct request_env env;
	struct cmd_args a;
	bool text;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc)
		return cmd_usage_error(ctx, cmd,
				       "recover takes no arguments (got '%s')",
				       a.argv[0]);
	if (ctx->dry_run)
		return recover_dry_run(ctx, cmd);
	/* no outcome to cmd_begin: recover takes the lock itself, and does not refuse its own journal */
	if ((r = cmd_begin(ctx, cmd, &a, &env, NULL)))
		return r;
	outcome_init(&o, &env);
	text = !ctx->json && ctx->verbosity >= 0;
	r = request_recover(&env, a.complete, text ? stdout : NULL, &o, &res,
			    &ctx->err);
	if (ctx->json) {
		struct json_object *result = json_object_new_object();

		json_object_object_add(result, "journal",
				       json_object_new_string(res.path));
		json_object_object_add(
			result, "mode",
			json_object_new_string(a.complete ? "complete" :
							    "rollback"));
		if (res.pid)
			json_object_object_add(result, "pid",
					       json_object_new_int64(res.pid));
		doc = plan_to_json(&o.plan, false, result);
		if (doc)
			json_object_object_add(
				doc, "changed",
				json_object_new_boolean(res.changed));
		if (doc && r < 0) {
			_cleanup_json_ struct json_object *e =
				output_error_json(&ctx->err);

			json_object_object_add(
				doc, "error",
				e ? json_object_get(json_object_object_get(
					    e, "error")) :
				    NULL);
		}
		if (doc)
			output_json(stdout, doc);
		if (r < 0) {
			output_error(&ctx->err, false); /* the line, escaped */
			ctx->err_reported = true;
		}
	}
	if (r < 0)
		return cmd_failed(ctx, cmd);
	if (!text)
		return VM_EXIT_OK;
	if (res.nothing) {
		fputs("nothing to recover: no journal at ", stdout);
		output_escaped(stdout, res.path);
	} else {
		fputs("recovered: the plan of '", stdout);
		output_escaped(stdout, res.line);
		printf("' (PID %ld) is %s; the journal ", res.pid,
		       a.complete ? "finished" : "rolled back");
		output_escaped(stdout, res.path);
		fputs(" is removed", stdout);
	}
	putchar('\n');
	return VM_EXIT_OK;
}

const struct cmd cmd_recover = {
	.name = "recover",
	.args = "[--complete]",
	.help = "roll back (or finish) the plan of a run that was killed, from its journal",
	.flags = CMD_NEEDS_ROOT,
	.run = recover_run,
	.opts = recover_opts,
	.usage =
		"recover [--complete] [--lock-timeout S]\n"
		"  A run that changes the host journals its plan and progress in\n"
		"  /run/virt-mdev/journal.json (under --root) before each step. A run that was\n"
		"  killed leaves it, and every command that changes the host refuses until it\n"
		"  is gone. recover undoes the steps that run made, newest first, each only\n"
		"  while it is still as that run left it; --complete runs the steps it did not\n"
		"  get to instead. Either removes the journal when it succeeded; a second\n"
		"  recover finds nothing to do.\n",
};
