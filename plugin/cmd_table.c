/*
 * cmd_table.c - `__table`, hidden: the command table as tab-separated
 * lines, for tests that check the man pages against it:
 *   cmd     NAME    USAGE
 *   flag    NAME    LONG    SHORT      (SHORT "-" when none)
 *   global  -       LONG    SHORT
 * Hidden commands are left out.
 */
#include "compat.h"

#include "cli.h"

static void
flags(const char *what, const char *cmd, const struct cli_flag *f)
{
	for (; f && f->name; f++) {
		if (f->shorthand)
			printf("%s\t%s\t%s\t%c\n", what, cmd, f->name, f->shorthand);
		else
			printf("%s\t%s\t%s\t-\n", what, cmd, f->name);
	}
}

static int
exec_table(struct cli_ctx *ctx)
{
	size_t i;

	(void)ctx;
	for (i = 0; cli_commands[i]; i++) {
		const struct cli_cmd *c = cli_commands[i];

		if (c->attrs & CLI_CMD_HIDDEN)
			continue;
		printf("cmd\t%s\t%s\n", c->name, c->usage);
		flags("flag", c->name, c->flags);
	}
	flags("global", "-", cli_global_flags);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_table = {
	.name = "__table",
	.usage = "",
	.summary = "print the command table (for tests)",
	.help = "Print the command table as tab-separated lines.",
	.attrs = CLI_CMD_HIDDEN,
	.exec = exec_table,
};
