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

/* Append the APQNs that change hands between two mask states: "05.0004 05.00ab". */
static void moved_queues(const struct ap_host *h,
			 const struct ap_mask *apm_from,
			 const struct ap_mask *aqm_from,
			 const struct ap_mask *apm_to,
			 const struct ap_mask *aqm_to, char *buf, size_t size,
			 struct json_object *list)
{
	size_t len = strlen(buf);

	for (size_t i = 0; i < h->nqueues; i++) {
		const struct apqn *q = &h->queues[i].apqn;

		if (ap_reserved(apm_from, aqm_from, q) ==
		    ap_reserved(apm_to, aqm_to, q))
			continue;
		snprintf(buf + len, size - len, "%s%s", len ? " " : "",
			 h->queues[i].name);
		len = strlen(buf);
		if (list)
			json_object_array_add(list, json_object_new_string(
							    h->queues[i].name));
	}
}

static int add_mask_step(struct ctx *ctx, struct plan *p,
			 const struct ap_host *h, bool adapters, bool reserve,
			 const struct ap_mask *from, const struct ap_mask *to,
			 const struct ap_mask *other, const struct ap_mask *ids)
{
	_cleanup_free_ char *fwd = ap_mask_relative(from, to);
	_cleanup_free_ char *back = ap_mask_relative(to, from);
	_cleanup_free_ char *list = ap_mask_format_list(ids);
	const char *file = adapters ? "bus/ap/apmask" : "bus/ap/aqmask";
	char queues[2048] = "", desc[2600];

	if (!fwd || !back || !list)
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	if (!*fwd)
		return 0;
	/* other: the other mask as it stands when this step runs */
	if (adapters)
		moved_queues(h, from, other, to, other, queues, sizeof(queues),
			     NULL);
	else
		moved_queues(h, other, from, other, to, queues, sizeof(queues),
			     NULL);
	snprintf(desc, sizeof(desc), "%s %s %s in %s; %s %s",
		 reserve ? "free" : "give back",
		 adapters ? "adapters" : "domains", list,
		 adapters ? "apmask" : "aqmask",
		 reserve ? "queues leaving the host:" :
			   "queues returning to the host:",
		 queues[0] ? queues : "none on this host");
	if (!plan_add_write(p, desc, file, fwd, file, back))
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory");
	return 0;
}

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
	{
		int a = -1, d = -1, bit;

		ap_mask_for_each(bit, &adapters)
			if ((unsigned)bit > h.max_adapter_id)
				a = bit;
		ap_mask_for_each(bit, &domains)
			if ((unsigned)bit > h.max_domain_id)
				d = bit;
		if (a >= 0 || d >= 0) {
			vm_error_set(
				&ctx->err, VM_EXIT_REFUSED, ERANGE,
				"cannot %s %s %d (0x%x): this host's %s ids are 0-%u (ap_max_%s_id); name ids within it",
				reserve ? "reserve" : "release",
				a >= 0 ? "adapter" : "domain", a >= 0 ? a : d,
				a >= 0 ? a : d, a >= 0 ? "adapter" : "domain",
				a >= 0 ? h.max_adapter_id : h.max_domain_id,
				a >= 0 ? "adapter" : "domain");
			ap_host_clear(&h);
			return VM_EXIT_REFUSED;
		}
	}
	if (reserve) {
		ap_mask_andnot(&new_apm, &h.apmask, &adapters);
		ap_mask_andnot(&new_aqm, &h.aqmask, &domains);
	} else {
		ap_mask_or(&new_apm, &h.apmask, &adapters);
		ap_mask_or(&new_aqm, &h.aqmask, &domains);
		/* the kernel refuses (EBUSY) to reserve what an mdev holds; a defined one would fail to start */
		for (unsigned a = 0; a < AP_MASK_BITS; a++) {
			for (unsigned d = 0; d < AP_MASK_BITS; d++) {
				struct apqn q = { (uint8_t)a, (uint8_t)d };
				const struct ap_mdev_info *owner;
				char name[APQN_STRLEN];

				if (!ap_reserved(&new_apm, &new_aqm, &q) ||
				    ap_reserved(&h.apmask, &h.aqmask, &q))
					continue;
				owner = ap_owner(&h, &q);
				if (!owner)
					continue;
				apqn_format(&q, name);
				vm_error_set(
					&ctx->err, VM_EXIT_REFUSED, EBUSY,
					"cannot release APQN %s to the host: %s mdev %s holds it (%s the mdev, or unassign the APQN from it, first)",
					name,
					owner->active ? "active" : "defined",
					owner->uuid,
					owner->defined ? "remove and undefine" :
							 "remove");
				ap_host_clear(&h);
				return VM_EXIT_REFUSED;
			}
		}
	}
	plan_init(&p, ctx->sysfs);
	/* reserve: apmask first; release: aqmask first (the reverse order) */
	if (reserve)
		r = add_mask_step(ctx, &p, &h, true, true, &h.apmask, &new_apm,
				  &h.aqmask, &adapters);
	else
		r = add_mask_step(ctx, &p, &h, false, false, &h.aqmask,
				  &new_aqm, &h.apmask, &domains);
	if (r == 0) {
		if (reserve)
			r = add_mask_step(ctx, &p, &h, false, true, &h.aqmask,
					  &new_aqm, &new_apm, &domains);
		else
			r = add_mask_step(ctx, &p, &h, true, false, &h.apmask,
					  &new_apm, &new_aqm, &adapters);
	}
	if (r < 0) {
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
		moved_queues(&h, &h.apmask, &h.aqmask, &new_apm, &new_aqm,
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
