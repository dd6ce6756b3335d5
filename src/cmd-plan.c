/* Running a plan from a command: dry run, progress, JSON, the one error message. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/output.h"
#include "lib/plan.h"

int cmd_run_plan(struct ctx *ctx, struct plan *p, const char *nothing_to_do,
		 struct json_object *result)
{
	_cleanup_json_ struct json_object *doc = NULL;
	int r = 0;

	if (ctx->dry_run) {
		if (ctx->json) {
			doc = plan_to_json(p, true, result);
			return doc && output_json(stdout, doc) == 0 ?
				       VM_EXIT_OK :
				       VM_EXIT_FAILED;
		}
		json_object_put(result);
		if (plan_is_empty(p))
			printf("# nothing to do: %s\n", nothing_to_do);
		else
			plan_print(p, stdout);
		return VM_EXIT_OK;
	}
	if (!plan_is_empty(p))
		r = plan_execute(
			p, !ctx->json && ctx->verbosity >= 0 ? stdout : NULL,
			&ctx->err);
	else if (!ctx->json && ctx->verbosity >= 0)
		printf("nothing to do: %s\n", nothing_to_do);
	if (ctx->json) {
		doc = plan_to_json(p, false, result);
		if (r < 0 && doc) {
			struct json_object *e = output_error_json(&ctx->err);

			json_object_object_add(
				doc, "error",
				e ? json_object_get(json_object_object_get(
					    e, "error")) :
				    NULL);
			json_object_put(e);
		}
		if (doc)
			output_json(stdout, doc);
		if (r < 0) {
			/* the JSON document is printed; the line goes to stderr only */
			fprintf(stderr, "%s: %s\n", PROGRAM_NAME, ctx->err.msg);
			ctx->err_reported = true;
			return (int)ctx->err.exit;
		}
		return VM_EXIT_OK;
	}
	json_object_put(result);
	return r < 0 ? (int)ctx->err.exit : VM_EXIT_OK;
}
