/* virt-mdev __complete WHAT: the dynamic values bash completion asks the binary for. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/ap.h"
#include "lib/cleanup.h"
#include "lib/css.h"
#include "lib/mdev.h"

static int complete_commands(void)
{
	for (size_t i = 0; cmd_table[i]; i++)
		if (!(cmd_table[i]->flags & CMD_HIDDEN))
			printf("%s\n", cmd_table[i]->name);
	return VM_EXIT_OK;
}

static int complete_backends(void)
{
	for (unsigned i = 0; i < BACKEND__LAST; i++)
		printf("%s\n", backend_to_string((enum backend_choice)i));
	return VM_EXIT_OK;
}

/* ccw devices and subchannels, as ccw bind/unbind accept them */
static int complete_ccw(const struct sysfs *s)
{
	struct css_subchannel *schs = NULL;
	size_t n = 0;

	if (!s || css_list(s, &schs, &n, NULL) < 0)
		return VM_EXIT_OK; /* nothing to offer is not an error for completion */
	for (size_t i = 0; i < n; i++) {
		if (schs[i].type != CSS_TYPE_IO)
			continue;
		if (schs[i].has_device)
			printf("%s\n", schs[i].busid_name);
		printf("%s\n", schs[i].name);
	}
	free(schs);
	return VM_EXIT_OK;
}

/* the host's APQNs, as ap reserve/release accept them */
static int complete_apqns(const struct sysfs *s)
{
	struct ap_host h;

	if (!s || ap_read_host(s, &h, NULL) < 0)
		return VM_EXIT_OK;
	for (size_t i = 0; i < h.nqueues; i++)
		printf("%s\n", h.queues[i].name);
	ap_host_clear(&h);
	return VM_EXIT_OK;
}

/* mdev uuids, active and defined */
static int complete_mdevs(const struct sysfs *s)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };

	if (!s || mdev_list_read(s, &l, NULL) < 0)
		return VM_EXIT_OK;
	for (size_t i = 0; i < l.n; i++)
		printf("%s\n", l.v[i].uuid);
	return VM_EXIT_OK;
}

/* the parents of the mdevs, active and defined (--parent), once each */
static int complete_parents(const struct sysfs *s)
{
	_cleanup_mdev_list_ struct mdev_list l = { 0 };

	if (!s || mdev_list_read(s, &l, NULL) < 0)
		return VM_EXIT_OK;
	/* the list is sorted by parent */
	for (size_t i = 0; i < l.n; i++)
		if (i == 0 || strcmp(l.v[i].parent, l.v[i - 1].parent) != 0)
			printf("%s\n", l.v[i].parent);
	return VM_EXIT_OK;
}

/* everything show accepts */
static int complete_ids(const struct sysfs *s)
{
	complete_ccw(s);
	complete_apqns(s);
	return complete_mdevs(s);
}

static int complete_kinds(void)
{
	for (size_t i = 0; mdev_kinds[i]; i++)
		printf("%s\n", mdev_kinds[i]->name);
	return VM_EXIT_OK;
}

static int complete_models(void)
{
	for (size_t i = 0; mdev_kinds[i]; i++)
		printf("%s\n", mdev_kinds[i]->model);
	return VM_EXIT_OK;
}

static int complete_formats(void)
{
	for (int i = 0; i < XML_FORMAT__LAST; i++)
		printf("%s\n", xml_format_to_string((enum xml_format)i));
	return VM_EXIT_OK;
}

/* the options that take a value, so that completion knows a value comes next */
static int complete_valued(void)
{
	for (int id = OPT_NONE + 1; id < OPT__LAST; id++)
		if (cmd_opt_arg((enum opt_id)id))
			printf("--%s\n", cmd_opt_name((enum opt_id)id));
	return VM_EXIT_OK;
}

static const struct {
	const char *what;
	int (*list)(void);
	int (*list_host)(const struct sysfs *s);
} completers[] = {
	{ "commands", complete_commands, NULL },
	{ "backends", complete_backends, NULL },
	{ "kinds", complete_kinds, NULL },
	{ "models", complete_models, NULL },
	{ "formats", complete_formats, NULL },
	{ "valued", complete_valued, NULL },
	{ "ccw", NULL, complete_ccw },
	{ "apqns", NULL, complete_apqns },
	{ "mdevs", NULL, complete_mdevs },
	{ "parents", NULL, complete_parents },
	{ "ids", NULL, complete_ids },
};

/* the domains of the connection (-c or LIBVIRT_DEFAULT_URI), quietly nothing when it cannot be reached */
static int complete_domains(struct ctx *ctx)
{
	_cleanup_conn_ virConnectPtr conn = NULL;
	_cleanup_strv_ struct strv names = STRV_INIT;

	if (virt_open_readonly(ctx->uri, &conn, NULL) < 0 ||
	    virt_domain_names(conn, &names) < 0)
		return VM_EXIT_OK;
	for (size_t i = 0; i < names.n; i++)
		printf("%s\n", names.v[i]);
	return VM_EXIT_OK;
}

/* the options of a command (and its action), as its table has them */
static int complete_options(const char *name, const char *action)
{
	const struct cmd *cmd = cmd_find(name);
	const struct cmd_opt *opts;

	if (!cmd)
		return VM_EXIT_OK;
	opts = cmd->opts;
	for (size_t i = 0; action && cmd->actions && cmd->actions[i].name; i++)
		if (strcmp(cmd->actions[i].name, action) == 0)
			opts = cmd->actions[i].opts;
	for (size_t i = 0; opts && opts[i].id != OPT_NONE; i++)
		printf("--%s\n", cmd_opt_name(opts[i].id));
	printf("--help\n");
	return VM_EXIT_OK;
}

/* the words after a command: its actions, or the device kinds */
static int complete_actions(const char *name)
{
	const struct cmd *cmd = cmd_find(name);

	for (size_t i = 0; cmd && cmd->actions && cmd->actions[i].name; i++)
		printf("%s\n", cmd->actions[i].name);
	return VM_EXIT_OK;
}

static int complete_run(struct ctx *ctx, const struct cmd *cmd, int argc,
			char **argv)
{
	_cleanup_sysfs_ struct sysfs *own = NULL;

	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "options") == 0)
		return complete_options(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 3 && strcmp(argv[1], "actions") == 0)
		return complete_actions(argv[2]);
	if (argc != 2)
		return cmd_usage_error(
			ctx, cmd,
			"expected one of: commands, backends, kinds, models, formats, valued, ccw, apqns, mdevs, parents, ids, domains; or options COMMAND [ACTION], actions COMMAND");
	if (strcmp(argv[1], "domains") == 0)
		return complete_domains(ctx);
	for (size_t i = 0; i < ARRAY_SIZE(completers); i++) {
		if (strcmp(argv[1], completers[i].what) != 0)
			continue;
		if (completers[i].list)
			return completers[i].list();
		/* the host of --root, or of VIRT_MDEV_ROOT */
		if (!ctx->sysfs && sysfs_new(&own, NULL, NULL) == 0)
			return completers[i].list_host(own);
		return completers[i].list_host(ctx->sysfs);
	}
	return cmd_usage_error(
		ctx, cmd,
		"cannot complete '%s': expected one of: commands, backends, kinds, models, formats, valued, ccw, apqns, mdevs, parents, ids, domains",
		argv[1]);
}

const struct cmd cmd_complete = {
	.name = "__complete",
	.args = "WHAT (commands, backends, kinds, models, formats, valued, ccw, apqns, mdevs, parents, ids, domains, options CMD [ACTION], actions CMD)",
	.help = "print the values bash completion offers, one per line",
	.flags = CMD_HIDDEN,
	.run = complete_run,
	.usage = NULL,
};
