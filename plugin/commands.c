/*
 * commands.c - the command table and the global flags.
 *
 * One row per command, sorted by name; each row points at the struct
 * cli_cmd its cmd_<name>.c defines. Help, completion, the man pages'
 * test (tests/integration/plugin-docs.sh) and the hidden __table command
 * all read this table. To add a command, see plugin/README.md.
 */
#include "compat.h"

#include "cli.h"

const struct cli_cmd *const cli_commands[] = {
	&cli_cmd_complete,   /* __complete, hidden */
	&cli_cmd_confirm,    /* __confirm, hidden */
	&cli_cmd_table,      /* __table, hidden */
	&cli_cmd_completion,
	&cli_cmd_describe,
	&cli_cmd_drain,
	&cli_cmd_get,
	&cli_cmd_help,
	&cli_cmd_render,
	&cli_cmd_status,
	&cli_cmd_switchover,
	&cli_cmd_tui,
	&cli_cmd_version,
	NULL,
};

/*
 * kubectl's own global flags (cli-runtime's ConfigFlags, the ones an
 * on-call engineer types), plus --color and -v. Names, shorthands and
 * meanings are kubectl's; see kubectl-multigres(1).
 */
const struct cli_flag cli_global_flags[] = {
	{ "all-namespaces", 'A', NULL,
	  "list across all namespaces", NULL, 0 },
	{ "cluster", 0, "NAME", "the kubeconfig cluster to use", "@cluster", 0 },
	{ "color", 0, "WHEN",
	  "colour the output: auto (a terminal, unless NO_COLOR is set), always, never",
	  "auto always never", 0 },
	{ "context", 0, "NAME", "the kubeconfig context to use", "@context", 0 },
	{ "help", 'h', NULL, "show help for the command", NULL, 0 },
	{ "kubeconfig", 0, "FILE",
	  "the kubeconfig file to use (else KUBECONFIG, else ~/.kube/config)",
	  "@file", 0 },
	{ "namespace", 'n', "NAME", "the namespace to use", "@namespace", 0 },
	{ "request-timeout", 0, "DURATION",
	  "give up on a request after this long (e.g. 10s, 1m; 0: never; default 30s)",
	  NULL, 0 },
	{ "user", 0, "NAME", "the kubeconfig user to use", "@user", 0 },
	{ "v", 'v', NULL,
	  "log more to stderr (-v: progress, -vv or -v=2: every request)", NULL,
	  CLI_FLAG_COUNT },
	CLI_FLAG_END,
};
