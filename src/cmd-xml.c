/* virt-mdev xml UUID: an mdev as libvirt <hostdev> XML, QEMU arguments, node-device XML or an mdevctl definition. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/cleanup.h"
#include "lib/output.h"

static const struct cmd_opt xml_opts[] = {
	{ OPT_FORMAT,
	  "hostdev (default): <hostdev mode='subsystem' type='mdev' model=...>; qemu: the -device argument; nodedev and mdevctl: the mdev itself" },
	{ OPT_DEVNO,
	  "the guest ccw address (default: the host's device number in css fe)" },
	{ OPT_BOOT_ORDER, "boot from it, in this order" },
	{ OPT_ALIAS, "libvirt's user alias (QEMU's device id)" },
	{ OPT_MODEL,
	  "what the device is, for one that is not on this host (the host is not read)" },
	{ OPT_TEMPLATE_DIR,
	  "copies of the templates to build from (VIRT_MDEV_TEMPLATE_DIR)" },
	{ OPT_PARENT,
	  "for a uuid defined on several parents: the one on this parent" },
	{ OPT_NONE, NULL },
};

static int print_text(struct ctx *ctx, const struct xml_req *r,
		      const struct mdev_kind *kind, const char *text)
{
	_cleanup_json_ struct json_object *doc = NULL;
	int e;

	if (!ctx->json) {
		fputs(text, stdout);
		return output_check_stdout(&ctx->err) < 0 ? VM_EXIT_FAILED :
							    VM_EXIT_OK;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "uuid", json_object_new_string(r->uuid));
	json_object_object_add(doc, "model",
			       json_object_new_string(kind->model));
	json_object_object_add(
		doc, "format",
		json_object_new_string(xml_format_to_string(r->format)));
	json_object_object_add(doc, "text", json_object_new_string(text));
	e = output_json(stdout, doc);
	return e < 0 ? (output_json_error(&ctx->err, e), VM_EXIT_FAILED) :
		       VM_EXIT_OK;
}

static int xml_run(struct ctx *ctx, const struct cmd *cmd, int argc,
		   char **argv)
{
	_cleanup_free_ char *text = NULL;
	const struct mdev_kind *kind = NULL;
	struct xml_req req = { 0 };
	struct request_env env;
	struct cmd_args a;
	int r;

	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)))
		return r;
	if (a.argc != 1)
		return cmd_usage_error(ctx, cmd, "xml takes one mdev UUID");
	if ((r = cmd_uuid_arg(ctx, a.argv[0], req.uuid)))
		return r;
	req.format = a.format;
	req.model = a.model;
	req.devno_given = a.dom.devno_given;
	req.devno = a.dom.devno;
	req.boot_order = a.dom.boot_order;
	req.alias = a.dom.alias;
	req.parent = a.parent;
	if ((r = cmd_begin(ctx, cmd, &a, &env, NULL)))
		return r;
	if (request_xml(&env, &req, &text, &kind, &ctx->err) < 0)
		return cmd_failed(ctx, cmd);
	return print_text(ctx, &req, kind, text ? text : "");
}

const struct cmd cmd_xml = {
	.name = "xml",
	.args = "UUID",
	.help = "print an mdev as libvirt <hostdev> XML, QEMU arguments, node-device XML or an mdevctl definition",
	.flags = CMD_NEEDS_ROOT,
	.run = xml_run,
	.opts = xml_opts,
	.usage =
		"xml UUID [--format hostdev|qemu|nodedev|mdevctl] [--devno fe.S.DDDD|auto]\n"
		"         [--boot-order N] [--alias ua-NAME] [--model vfio-ccw|vfio-ap]\n"
		"         [--template-dir DIR]\n"
		"  For a vfio-ccw device the <hostdev> has the guest ccw address (default: the\n"
		"  host's device number in css fe: 0.0.2b09 -> fe.0.2b09). The model comes from\n"
		"  the device's type; for a device that is not on this host (XML made ahead of\n"
		"  time), --model says what it is and the host is not read. nodedev and mdevctl\n"
		"  show a defined mdev's attributes as its mdevctl definition has them: every one\n"
		"  (also those virt-mdev does not model), values as written, in order.\n",
};
