/* Running a plan from a command: dry run, progress, JSON, the one error message. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/output.h"
#include "lib/plan.h"
#include "lib/mdev.h"

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

/* ---- the backend ---- */

void backend_close(struct backend_ctx *b)
{
	virt_conn_close(b->own);
	b->own = NULL;
}

void cmd_note(const struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->verbosity < 1)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", PROGRAM_NAME);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * libvirt when asked, or (auto) when the connection's node-device driver
 * knows the mdev's parent; else sysfs on a local host, and a clear failure
 * for a remote one (the sysfs backend can only reach this host).
 */
int backend_open(struct ctx *ctx, const struct mdev_spec *m, unsigned timeout_s,
		 struct backend_ctx *b)
{
	const char *uri = ctx->uri ? ctx->uri :
				     (getenv("LIBVIRT_DEFAULT_URI") ?
					      getenv("LIBVIRT_DEFAULT_URI") :
					      "the default URI");
	struct vm_error e = { 0 };
	virConnectPtr conn = ctx->conn;
	_cleanup_nodedev_ virNodeDevicePtr parent = NULL;
	char pname[128];

	memset(b, 0, sizeof(*b));
	b->lc.sysfs = ctx->sysfs;
	b->lc.uri = ctx->uri;
	b->lc.wait_ms = timeout_s * 1000;
	b->name = "sysfs";
	if (ctx->backend == BACKEND_SYSFS)
		return 0;
	if (!conn) {
		if (virt_open(ctx->uri, &b->own, &e) < 0) {
			if (ctx->backend == BACKEND_LIBVIRT)
				return vm_error_set(&ctx->err, e.exit, e.errnum,
						    "%s (--backend libvirt)",
						    e.msg);
			if (virt_uri_is_remote(ctx->uri))
				return vm_error_set(
					&ctx->err, VM_EXIT_FAILED, e.errnum,
					"%s; the sysfs backend reaches only this host, so a remote host needs its libvirtd running",
					e.msg);
			cmd_note(ctx, "%s; using the sysfs backend", e.msg);
			return 0;
		}
		conn = b->own;
	}
	mdev_nodedev_parent(m, pname, sizeof(pname));
	parent = virt_nodedev_lookup(conn, pname);
	if (parent) {
		b->lc.conn = conn;
		b->name = "libvirt";
		cmd_note(
			ctx,
			"using the libvirt backend: libvirt at '%s' has node device %s",
			uri, pname);
		return 0;
	}
	if (ctx->backend == BACKEND_LIBVIRT || virt_uri_is_remote(ctx->uri)) {
		vm_error_set(
			&ctx->err, VM_EXIT_FAILED, EOPNOTSUPP,
			"libvirt at '%s' cannot create mdevs on %s: its node-device driver has no device %s (%s); the host needs libvirt 7.3 or later with its node-device driver and mdevctl, and %s",
			uri, m->is_ap ? "the vfio_ap matrix" : m->parent, pname,
			virt_last_error(),
			m->is_ap ? "the vfio_ap module loaded" :
				   "the subchannel bound to vfio_ccw");
		backend_close(b);
		return -1;
	}
	cmd_note(
		ctx,
		"libvirt at '%s' has no node device %s (%s); using the sysfs backend",
		uri, pname, virt_last_error());
	backend_close(b);
	return 0;
}
