/* virt-mdev ap reserve|release: free APQNs from the host's drivers for vfio_ap, or give them back. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/cleanup.h"
#include "lib/output.h"
#include "lib/plan.h"

enum { OPT_ADAPTERS = 0x100, OPT_DOMAINS };

static const struct option ap_options[] = {
	{ "adapters", required_argument, NULL, OPT_ADAPTERS },
	{ "domains", required_argument, NULL, OPT_DOMAINS },
	{ NULL, 0, NULL, 0 },
};

static int ap_run(struct ctx *ctx, int argc, char **argv)
{
	struct ap_mask adapters, domains, new_apm, new_aqm, list;
	bool reserve, have_a = false, have_d = false;
	_cleanup_close_ int lock = -1;
	struct ap_host h = { 0 }, after = { 0 };
	struct json_object *result = NULL;
	char nothing[512], moved[2048] = "";
	struct plan p;
	int c, r;

	if (argc < 2)
		return cmd_usage_error(ctx, &cmd_ap,
				       "expected reserve or release");
	if (strcmp(argv[1], "reserve") == 0)
		reserve = true;
	else if (strcmp(argv[1], "release") == 0)
		reserve = false;
	else
		return cmd_usage_error(
			ctx, &cmd_ap,
			"unknown action '%s' (expected reserve or release)",
			argv[1]);
	argc--;
	argv++;
	optind = 0;
	ap_mask_zero(&adapters);
	ap_mask_zero(&domains);
	while ((c = cmd_getopt(ctx, &cmd_ap, argc, argv, ap_options)) != -1) {
		switch (c) {
		case OPT_ADAPTERS:
			if (ap_id_list_parse(optarg, "adapter", &list,
					     &ctx->err) < 0)
				return VM_EXIT_USAGE;
			ap_mask_or(&adapters, &adapters, &list);
			have_a = true;
			break;
		case OPT_DOMAINS:
			if (ap_id_list_parse(optarg, "domain", &list,
					     &ctx->err) < 0)
				return VM_EXIT_USAGE;
			ap_mask_or(&domains, &domains, &list);
			have_d = true;
			break;
		default:
			return VM_EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		struct apqn q;

		if (apqn_parse(argv[i], &q, &ctx->err) < 0)
			return VM_EXIT_USAGE;
		ap_mask_set(&adapters, q.apid);
		ap_mask_set(&domains, q.apqi);
		have_a = have_d = true;
	}
	if (!have_a || !have_d)
		return cmd_usage_error(
			ctx, &cmd_ap,
			"name APQNs (05.0004 05.00ab) or both --adapters and --domains (a vfio-ap matrix is adapters x domains)");
	if (!ctx->dry_run) {
		lock = ap_lock(ctx->sysfs, &ctx->err);
		if (lock < 0)
			return (int)ctx->err.exit;
	}
	if (ap_read_host(ctx->sysfs, &h, &ctx->err) < 0)
		return (int)ctx->err.exit;
	plan_init(&p, ctx->sysfs);
	if (ap_plan_masks(&h, &adapters, &domains, reserve, &p, &new_apm,
			  &new_aqm, &ctx->err) < 0) {
		plan_clear(&p);
		ap_host_clear(&h);
		return (int)ctx->err.exit;
	}
	{
		_cleanup_free_ char *al = ap_mask_format_list(&adapters);
		_cleanup_free_ char *dl = ap_mask_format_list(&domains);

		snprintf(
			nothing, sizeof(nothing),
			"adapters %s and domains %s are already %s the host's drivers",
			al ? al : "", dl ? dl : "",
			reserve ? "free of" : "reserved for");
	}
	result = json_object_new_object();
	{
		char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];
		struct json_object *moving = json_object_new_array();

		ap_mask_format(&new_apm, am);
		ap_mask_format(&new_aqm, qm);
		ap_moved_queues(&h, &h.apmask, &h.aqmask, &new_apm, &new_aqm,
				moved, sizeof(moved), moving);
		json_object_object_add(result, "apmask",
				       json_object_new_string(am));
		json_object_object_add(result, "aqmask",
				       json_object_new_string(qm));
		json_object_object_add(
			result, reserve ? "leaving_host" : "returning_to_host",
			moving);
		json_object_object_add(result, "persistent",
				       json_object_new_boolean(false));
		{
			char params[200];

			snprintf(params, sizeof(params),
				 "ap.apmask=%s ap.aqmask=%s", am, qm);
			json_object_object_add(result, "kernel_parameters",
					       json_object_new_string(params));
		}
	}
	r = cmd_run_plan(ctx, &p, nothing, json_object_get(result));
	if (r == VM_EXIT_OK && !ctx->dry_run && !plan_is_empty(&p)) {
		/* what the kernel did: which queues are now where */
		if (ap_read_host(ctx->sysfs, &after, &ctx->err) == 0 &&
		    !ctx->json && ctx->verbosity >= 0) {
			char am[AP_MASK_STRLEN], qm[AP_MASK_STRLEN];

			for (size_t i = 0; i < after.nqueues; i++) {
				for (size_t j = 0; j < h.nqueues; j++) {
					if (strcmp(after.queues[i].name,
						   h.queues[j].name) == 0 &&
					    strcmp(after.queues[i].driver,
						   h.queues[j].driver) != 0)
						printf("queue %s: %s -> %s\n",
						       after.queues[i].name,
						       h.queues[j].driver[0] ?
							       h.queues[j]
								       .driver :
							       "none",
						       after.queues[i].driver[0] ?
							       after.queues[i]
								       .driver :
							       "none");
				}
			}
			ap_mask_format(&after.apmask, am);
			ap_mask_format(&after.aqmask, qm);
			printf("note: apmask and aqmask last until the next boot; to keep them, add 'ap.apmask=%s ap.aqmask=%s' to the kernel parameters, or use chzdev's persistent AP configuration\n",
			       am, qm);
		}
		ap_host_clear(&after);
	}
	json_object_put(result);
	plan_clear(&p);
	ap_host_clear(&h);
	return r;
}

const struct cmd cmd_ap = {
	.name = "ap",
	.args = "reserve|release APQN...",
	.help = "free crypto APQNs from the host's drivers for vfio_ap (apmask/aqmask), or give them back",
	.flags = CMD_NEEDS_ROOT | CMD_MUTATES,
	.run = ap_run,
	.usage =
		"ap reserve APQN... | --adapters L --domains L\n"
		"  free the adapters in apmask and the domains in aqmask (a vfio-ap matrix is\n"
		"  adapters x domains): freeing a domain frees it on every adapter that is free,\n"
		"  and the plan lists every queue that leaves the host before it happens.\n"
		"ap release APQN... | --adapters L --domains L\n"
		"  the reverse; refused while an active or defined mdev holds an APQN it would\n"
		"  give back.\n"
		"Masks are written in the kernel's shortest relative form (-5, -4,-0xab), under\n"
		"the s390-tools lock /run/lock/s390apconfig.lock. They last until the next boot:\n"
		"the command prints the kernel parameters that would keep them.\n"
		"APQNs: 05.0004, 5.ab, 0x05.0x00ab. Lists: 5,6  4,0xab  0x10-0x1f.\n",
};
