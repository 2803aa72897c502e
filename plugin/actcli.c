/*
 * actcli.c - shared by cmd_drain.c and cmd_switchover.c (see actcli.h).
 */
#include "compat.h"

#include "actcli.h"

#include <ctype.h>

#include "cli.h"
#include "err.h"
#include "xalloc.h"

int
actcli_timeout(const struct cli_ctx *ctx, long *ms)
{
	const char *v = cli_flag_value(ctx, "timeout");
	struct mg_err err = MG_ERR_INIT;

	*ms = 0;
	if (!cli_flag_set(ctx, "timeout"))
		return CLI_OK;
	if (!cli_flag_set(ctx, "wait"))
		return cli_usagef(ctx, "--timeout is how long --wait waits: give --wait too");
	if (mg_cli_parse_timeout(v, ms, &err))
		return cli_usagef(ctx, "--timeout: %s", err.msg);
	if (*ms == 0)
		return cli_usagef(ctx, "--timeout: give a duration longer than 0 (e.g. 90s, 5m)");
	return CLI_OK;
}

char *
actcli_question(const char *confirm)
{
	char *q = mg_xstrdup(confirm ? confirm : "");
	size_t n = strlen(q);

	if (n && q[n - 1] == '?')
		q[--n] = '\0';
	if (n && isupper((unsigned char)q[0]))
		q[0] = (char)tolower((unsigned char)q[0]);
	return q;
}

void
actcli_progress(int64_t elapsed_ms, const char *text)
{
	printf("  %6.1fs  %s\n", (double)elapsed_ms / 1000, text);
	fflush(stdout);
}
