/* Running a library request's outcome from a command: dry run, progress, JSON, notes, the one error message. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/output.h"

/* What a take of the s390-tools lock says (waiting for its holder, a stale lock removed), on stderr. */
static void lock_say(void *opaque, const char *msg)
{
	(void)opaque;
	/* it names the lock's path under --root, and its holder's /proc/PID/comm: escaped */
	fprintf(stderr, "%s: ", PROGRAM_NAME);
	output_escaped(stderr, msg);
	fputc('\n', stderr);
}

static void on_stop_signal(int signo)
{
	plan_request_stop(signo);
}

/*
 * SIGINT, SIGTERM, SIGHUP: the step in flight finishes, the done ones are
 * undone as for a failure (plan_execute checks between steps), exit 1. A
 * second signal only sets what is set already: the rollback runs to its
 * end. SA_RESTART: a write or libvirt call in flight is not cut short.
 */
static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cmd_begin(struct ctx *ctx, const struct cmd *cmd, const struct cmd_args *a,
	      struct request_env *env, struct outcome *o)
{
	(void)cmd; /* the requests open libvirt when they need it, after the checks of usage */
	memset(env, 0, sizeof(*env));
	env->sysfs = ctx->sysfs;
	env->uri = ctx->uri;
	env->backend = ctx->backend;
	env->dry_run = ctx->dry_run;
	env->lock_timeout_s = AP_LOCK_DEFAULT_TIMEOUT_S;
	/* -q: only errors; the wait is said otherwise, also with --json (on stderr) */
	env->lock_say = ctx->verbosity >= 0 ? lock_say : NULL;
	if (a) {
		env->template_dir = a->template_dir;
		env->timeout_s = a->timeout;
		env->jobs = a->jobs ? a->jobs : REQUEST_DEFAULT_JOBS;
		if (a->lock_timeout_given)
			env->lock_timeout_s = a->lock_timeout;
	}
	if (!o)
		return 0;
	outcome_init(o, env);
	/* a request with an outcome changes the host: lock, then read, then plan */
	if (ctx->dry_run)
		return 0;
	catch_stop_signals();
	if (request_lock_host(env, o, &ctx->err) < 0)
		return cmd_failed(ctx, cmd);
	return 0;
}

int cmd_finish(struct ctx *ctx, const struct cmd *cmd, int r, struct outcome *o)
{
	if (r >= 0)
		return cmd_run(ctx, o);
	if (o->verbose[0])
		cmd_note(ctx, "%s", o->verbose);
	return cmd_failed(ctx, cmd);
}

int cmd_failed(struct ctx *ctx, const struct cmd *cmd)
{
	if (!vm_error_is_set(&ctx->err))
		vm_error_set(&ctx->err, VM_EXIT_FAILED, 0,
			     "%s failed for an unknown reason", cmd->name);
	return (int)ctx->err.exit;
}

void cmd_note(const struct ctx *ctx, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int n;

	if (ctx->verbosity < 1)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL;
	/* a note may quote the host's names: one line, escaped */
	fprintf(stderr, "%s: ", PROGRAM_NAME);
	output_escaped(stderr, msg ? msg : "(out of memory)");
	fputc('\n', stderr);
}

/* a line on stdout: what, then text escaped (it names domains and host data) */
static void print_line(const char *what, const char *text)
{
	fputs(what, stdout);
	output_escaped(stdout, text);
	putchar('\n');
}

static int dry_run(struct ctx *ctx, struct outcome *o)
{
	_cleanup_json_ struct json_object *doc = NULL;

	if (ctx->json) {
		int e;

		doc = plan_to_json(&o->plan, true, steal_ptr(o->result));
		e = doc ? output_json(stdout, doc) : -ENOMEM;
		return e < 0 ? (output_json_error(&ctx->err, e),
				VM_EXIT_FAILED) :
			       VM_EXIT_OK;
	}
	if (plan_is_empty(&o->plan))
		print_line("# nothing to do: ", o->nothing);
	else
		plan_print(&o->plan, stdout);
	return output_check_stdout(&ctx->err) < 0 ? VM_EXIT_FAILED : VM_EXIT_OK;
}

/* the JSON document of a run, with the error when it failed */
static int json_report(struct ctx *ctx, struct outcome *o, int r)
{
	_cleanup_json_ struct json_object *doc =
		plan_to_json(&o->plan, false, steal_ptr(o->result));

	if (r < 0 && doc) {
		_cleanup_json_ struct json_object *e =
			output_error_json(&ctx->err);

		json_object_object_add(
			doc, "error",
			e ? json_object_get(
				    json_object_object_get(e, "error")) :
			    NULL);
	}
	if (doc) {
		int e = output_json(stdout, doc);

		/* the plan ran: a lost report is a failure of its own */
		if (e < 0 && r == 0)
			return output_json_error(&ctx->err, e), VM_EXIT_FAILED;
	}
	if (r == 0)
		return VM_EXIT_OK;
	/* the JSON document is printed; the line goes to stderr only */
	output_error(&ctx->err, false); /* the line, escaped */
	ctx->err_reported = true;
	return (int)ctx->err.exit;
}

/* The plan run with its journal (ROOT/run/virt-mdev/journal.json) written before each step, removed at the end. */
static int run_journalled(struct ctx *ctx, struct outcome *o, FILE *progress)
{
	struct journal j;
	int r;

	if (!ctx->sysfs)
		return plan_execute(&o->plan, progress, &ctx->err);
	if (journal_init(&j, ctx->sysfs, ctx->args ? (int)ctx->args->n : 0,
			 ctx->args ? ctx->args->v : NULL, ctx->uri,
			 &ctx->err) < 0)
		return -ENOMEM;
	o->plan.recorder = &j.recorder;
	r = plan_execute(&o->plan, progress, &ctx->err);
	o->plan.recorder = NULL;
	/*
	 * What the rollback could not undo because the connection to libvirt
	 * closed (libvirtd died or restarted), what could not be undone before
	 * it (a binding under an mdev libvirt could not remove), and a call cut
	 * off (whose mdevctl may still run), recover can undo once libvirt
	 * answers: the journal stays for it, and the run says so.
	 */
	if (r < 0 && plan_rollback_awaits(&o->plan, ENOTCONN)) {
		fprintf(stderr,
			"%s: note: the connection to libvirt closed: what the rollback could not undo, and what libvirt may still have done, stays in the journal ",
			PROGRAM_NAME);
		output_escaped(stderr, j.path);
		fprintf(stderr,
			"; once libvirt answers again, 'virt-mdev recover' undoes it (until then, commands that change the host refuse)\n");
		journal_clear(&j);
		return r;
	}
	/* the run ends as its message says: nothing is left to recover */
	journal_finish(&j);
	return r;
}

int cmd_run(struct ctx *ctx, struct outcome *o)
{
	bool text = !ctx->json && ctx->verbosity >= 0;
	int r = 0;

	if (o->verbose[0])
		cmd_note(ctx, "%s", o->verbose);
	/* what stays as it is: said before anything runs, and in a dry run too */
	if (ctx->verbosity >= 0 && o->warning[0]) {
		fprintf(stderr, "%s: note: ", PROGRAM_NAME);
		output_escaped(stderr, o->warning);
		fputc('\n', stderr);
	}
	if (ctx->dry_run)
		return dry_run(ctx, o);
	/* a progress line out as its step is done, not when the buffer is full */
	if (text && fflush(stdout) == 0)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (!plan_is_empty(&o->plan))
		r = run_journalled(ctx, o, text ? stdout : NULL);
	else if (text)
		print_line("nothing to do: ", o->nothing);
	fflush(stdout);
	if (r == 0 && text && o->note[0])
		print_line("note: ", o->note);
	if (ctx->json)
		return json_report(ctx, o, r);
	if (r < 0)
		return (int)ctx->err.exit;
	/* done, but the user was not told so: exit 1 (what ran stays done) */
	return output_check_stdout(&ctx->err) < 0 ? VM_EXIT_FAILED : VM_EXIT_OK;
}
