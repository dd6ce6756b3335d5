/* virt-mdev ap reserve|release: free APQNs from the host's drivers for vfio_ap, or give them back. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/apchoice.h"

static const struct cmd_opt reserve_opts[] = {
	{ OPT_ADAPTERS, "adapters (5,6 or 0x10-0x1f), with --domains" },
	{ OPT_DOMAINS, "domains (4,0xab), with --adapters" },
	{ OPT_PERSISTENT,
	  "also at boot: in chzdev's udev rule /etc/udev/rules.d/41-ap.rules" },
	{ OPT_EXACT,
	  "refuse (exit 4) when freeing them takes any other queue from the host" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_NONE, NULL },
};

static const struct cmd_opt ap_opts[] = {
	{ OPT_ADAPTERS, "adapters (5,6 or 0x10-0x1f), with --domains" },
	{ OPT_DOMAINS, "domains (4,0xab), with --adapters" },
	{ OPT_PERSISTENT,
	  "also at boot: in chzdev's udev rule /etc/udev/rules.d/41-ap.rules" },
	{ OPT_LOCK_TIMEOUT,
	  "how long to wait for virt-mdev's lock and the s390-tools lock while another process holds one (60; 0: not at all)" },
	{ OPT_NONE, NULL },
};

static const struct cmd_action ap_actions[] = {
	{ "reserve", reserve_opts },
	{ "release", ap_opts },
	{ NULL, NULL },
};

/* the APQNs named as arguments, and the matrix --adapters x --domains */
static int apqn_args(struct ctx *ctx, const struct cmd *cmd,
		     const struct cmd_args *a, struct apqn_set *set)
{
	apqn_set_zero(set);
	if (a->target.have_adapters != a->target.have_domains ||
	    (a->argc == 0 && !a->target.have_adapters))
		return cmd_usage_error(
			ctx, cmd,
			"name APQNs (05.0004 05.00ab) or both --adapters and --domains (a vfio-ap matrix is adapters x domains)");
	for (int i = 0; i < a->argc; i++) {
		struct apqn q;

		if (apqn_parse(a->argv[i], &q, &ctx->err) < 0)
			return VM_EXIT_USAGE;
		apqn_set_add(set, &q);
	}
	apqn_set_add_matrix(set, &a->target.apm, &a->target.aqm);
	return 0;
}

static int ap_run(struct ctx *ctx, const struct cmd *cmd, int argc, char **argv)
{
	_cleanup_outcome_ struct outcome o = OUTCOME_INIT;
	_cleanup_ap_host_ struct ap_host before = { 0 };
	_cleanup_strv_ struct strv lines = STRV_INIT;
	_cleanup_free_ struct apqn_set *set = malloc(sizeof(*set));
	_cleanup_free_ char *al = NULL, *dl = NULL;
	char what[600];
	struct request_env env;
	struct cmd_args a;
	bool reserve;
	int r;

	if (!set)
		return vm_error_set(&ctx->err, VM_EXIT_FAILED, ENOMEM,
				    "out of memory"),
		       VM_EXIT_FAILED;
	if ((r = cmd_parse(ctx, cmd, argc, argv, &a)) ||
	    (r = apqn_args(ctx, cmd, &a, set)))
		return r;
	reserve = a.action == &ap_actions[0];
	/* "nothing to do" names a matrix as it was asked */
	al = ap_mask_format_list(&a.target.apm);
	dl = ap_mask_format_list(&a.target.aqm);
	snprintf(what, sizeof(what), "adapters %.280s and domains %.280s",
		 al ? al : "", dl ? dl : "");
	if ((r = cmd_begin(ctx, cmd, &a, &env, &o)))
		return r;
	r = cmd_finish(ctx, cmd,
		       request_ap_set(&env, reserve, a.target.persistent,
				      a.target.exact, set, a.argc ? NULL : what,
				      &before, &o, &ctx->err),
		       &o);
	if (r != VM_EXIT_OK || ctx->dry_run || plan_is_empty(&o.plan) ||
	    ctx->json || ctx->verbosity < 0)
		return r;
	if (request_ap_report(&env, &before, a.target.persistent, &lines,
			      &ctx->err) == 0)
		for (size_t i = 0; i < lines.n; i++)
			printf("%s\n", lines.v[i]);
	return VM_EXIT_OK;
}

const struct cmd cmd_ap = {
	.name = "ap",
	.args = "reserve|release APQN...",
	.help = "free crypto APQNs from the host's drivers for vfio_ap (apmask/aqmask), or give them back",
	.flags = CMD_NEEDS_ROOT,
	.run = ap_run,
	.actions = ap_actions,
	.usage =
		"ap reserve APQN... | --adapters L --domains L [--exact]\n"
		"  free the APQNs for vfio_ap: an APQN is free when its adapter is clear in\n"
		"  apmask OR its domain in aqmask, and a clear bit frees a whole card or domain.\n"
		"  Of every choice of bits (those clear already used as they are), the one that\n"
		"  takes the fewest other existing queues from the host (then fewer bits, then\n"
		"  adapters); the plan lists every queue that leaves the host before it happens,\n"
		"  and those not asked for. --exact refuses (exit 4) when any would leave.\n"
		"ap release APQN... | --adapters L --domains L\n"
		"  the reverse, setting only the bits they need; refused while an active or\n"
		"  defined mdev holds an APQN those bits would give back.\n"
		"Masks are written in the kernel's shortest relative form (-5, -4,-0xab), under\n"
		"the s390-tools lock /run/lock/s390apconfig.lock. They last until the next boot;\n"
		"--persistent also writes them, as chzdev does, to its udev rule\n"
		"/etc/udev/rules.d/41-ap.rules, which udev applies at boot (every other bit as\n"
		"the file, else the active masks, has it).\n"
		"APQNs: 05.0004, 5.ab, 0x05.0x00ab. Lists: 5,6  4,0xab  0x10-0x1f.\n",
};
