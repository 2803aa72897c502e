/*
 * kubectl-multigres: entry point.
 *
 * Run as kubectl_complete-multigres (a link to this binary; kubectl >=
 * 1.26 runs it to complete `kubectl multigres ...`), it answers the
 * completion request. Otherwise: parse the command line against the
 * command table (commands.c), handle --help, set up logging and colour,
 * run the command, and fail if stdout could not be written.
 *
 * Exit status: 0 ok, 1 the operation failed, 2 the command line was wrong.
 */
#include "compat.h"

#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "log.h"

#define COMPLETER "kubectl_complete-"

static void
log_sink(enum mg_log_level level, const char *msg, void *data)
{
	(void)data;
	fprintf(stderr, "kubectl-multigres: %s: %s\n", mg_log_level_name(level),
		msg);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
main(int argc, char **argv)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT;
	struct cli_ctx ctx;
	int rc;

	if (argc < 1)
		return CLI_USAGE;
	if (!strncmp(base_name(argv[0]), COMPLETER, strlen(COMPLETER)))
		return cli_complete(argc - 1, argv + 1);

	cli_ctx_init(&ctx, argv[0]);
	rc = cli_parse(&ctx, argc - 1, argv + 1, &err);
	if (rc) {
		rc = cli_usagef(&ctx, "%s", err.msg);
		goto out;
	}
	if (!ctx.cmd) {
		cli_help(&ctx, NULL, &b);
		if (ctx.g.help) {
			cli_out(&b);
			rc = CLI_OK;
		} else {
			fputs(b.data, stderr);
			rc = CLI_USAGE;
		}
		goto out;
	}
	if (ctx.g.help) {
		cli_help(&ctx, ctx.cmd, &b);
		cli_out(&b);
		rc = CLI_OK;
		goto out;
	}
	if (ctx.g.verbose > 0)
		mg_log_set_sink(log_sink, NULL,
				ctx.g.verbose >= 2 ? MG_LOG_DEBUG : MG_LOG_INFO);
	ctx.color = mg_cli_color_use(ctx.g.color_mode, isatty(STDOUT_FILENO),
				     getenv("NO_COLOR"), getenv("TERM"));
	rc = ctx.cmd->exec(&ctx);
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("kubectl-multigres: cannot write the output\n", stderr);
		if (rc == CLI_OK)
			rc = CLI_FAILED;
	}
	mg_buf_release(&b);
	cli_ctx_release(&ctx);
	return rc;
}
