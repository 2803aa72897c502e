/*
 * cmd_help.c - `help [COMMAND]`: the usage of the plugin or of a command,
 * the same text as --help.
 */
#include "compat.h"

#include "buf.h"
#include "cli.h"

static int
exec_help(struct cli_ctx *ctx)
{
	struct mg_buf b = MG_BUF_INIT;
	const struct cli_cmd *cmd = NULL;

	if (ctx->nargs > 1)
		return cli_usagef(ctx, "help takes at most one command");
	if (ctx->nargs == 1) {
		cmd = cli_cmd_find(ctx->args[0]);
		if (!cmd || (cmd->attrs & CLI_CMD_HIDDEN))
			return cli_usagef(ctx, "unknown command '%s'", ctx->args[0]);
	}
	cli_help(ctx, cmd, &b);
	cli_out(&b);
	mg_buf_release(&b);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_help = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = "show the usage of the plugin or of a command",
	.help = "Show the usage of the plugin, or of COMMAND (the same text as\n"
		"'kubectl multigres COMMAND --help').",
	.examples = "  kubectl multigres help get\n",
	.complete = "command",
	.exec = exec_help,
};
