/* virt-mdev __complete WHAT: the dynamic values bash completion asks the binary for. */
#include "config.h"

#include <string.h>

#include "cmd.h"

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
		printf("%s\n", backend_to_string((enum backend)i));
	return VM_EXIT_OK;
}

static const struct {
	const char *what;
	int (*list)(void);
} completers[] = {
	{ "commands", complete_commands },
	{ "backends", complete_backends },
};

static int complete_run(struct ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		return cmd_usage_error(ctx, &cmd_complete,
				       "expected one of: commands, backends");
	for (size_t i = 0; i < ARRAY_SIZE(completers); i++)
		if (strcmp(argv[1], completers[i].what) == 0)
			return completers[i].list();
	return cmd_usage_error(
		ctx, &cmd_complete,
		"cannot complete '%s': expected one of: commands, backends",
		argv[1]);
}

const struct cmd cmd_complete = {
	.name = "__complete",
	.args = "commands|backends",
	.help = "print the values bash completion offers, one per line",
	.flags = CMD_HIDDEN,
	.run = complete_run,
	.usage = NULL,
};
