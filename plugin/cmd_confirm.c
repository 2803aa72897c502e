/*
 * cmd_confirm.c - `__confirm QUESTION`, hidden: asks cli_confirm()'s
 * question, for the tests of the prompt every changing command shares
 * (tests/integration/plugin.sh). Prints "confirmed" when it may go ahead,
 * "dry run: QUESTION" under --dry-run.
 */
#include "compat.h"

#include "cli.h"

static const struct cli_flag confirm_flags[] = {
	CLI_FLAG_DRY_RUN,
	{ "typed", 0, "WORD", "the word to type to confirm", NULL, 0 },
	CLI_FLAG_YES,
	CLI_FLAG_END,
};

static int
exec_confirm(struct cli_ctx *ctx)
{
	int rc;

	if (ctx->nargs != 1)
		return cli_usagef(ctx, "give the question");
	if (cli_dry_run(ctx)) {
		printf("dry run: %s\n", ctx->args[0]);
		return CLI_OK;
	}
	rc = cli_confirm(ctx, ctx->args[0], cli_flag_value(ctx, "typed"));
	if (rc == CLI_OK)
		puts("confirmed");
	return rc;
}

const struct cli_cmd cli_cmd_confirm = {
	.name = "__confirm",
	.usage = "QUESTION",
	.summary = "ask a confirmation (for tests)",
	.help = "Ask QUESTION as changing commands do.",
	.flags = confirm_flags,
	.attrs = CLI_CMD_HIDDEN,
	.exec = exec_confirm,
};
