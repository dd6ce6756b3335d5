/* virt-mdev help [COMMAND]: the command list, or one command's usage. */
#include "config.h"

#include <string.h>

#include "cmd.h"
#include "lib/output.h"

static int help_run(struct ctx *ctx, const struct cmd *self, int argc,
		    char **argv)
{
	const struct cmd *cmd;

	if (argc > 2)
		return cmd_usage_error(
			ctx, self,
			"too many arguments: help takes at most one command name");
	if (argc == 2 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		cmd_print_usage(self, stdout);
		return VM_EXIT_OK;
	}
	if (argc == 2 && argv[1][0] == '-')
		return cmd_usage_error(ctx, self,
				       "unknown option '%s' for help", argv[1]);
	if (argc < 2) {
		cmd_print_help(stdout);
		return VM_EXIT_OK;
	}
	cmd = cmd_find(argv[1]);
	if (!cmd)
		return cmd_usage_error(
			ctx, self,
			"unknown command '%s' (the commands are listed by '%s --help')",
			argv[1], PROGRAM_NAME);
	cmd_print_usage(cmd, stdout);
	return VM_EXIT_OK;
}

const struct cmd cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.help = "show the list of commands, or the usage of one command",
	.flags = 0,
	.run = help_run,
	.usage =
		"Without COMMAND, the same as 'virt-mdev --help'.\n"
		"'virt-mdev COMMAND --help' shows the same as 'virt-mdev help COMMAND'.\n",
};
