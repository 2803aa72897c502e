/*
 * cli.h - the plugin's own toolkit, shared by every cmd_<name>.c: the
 * command table's types, the parsed command line (global options and the
 * command's flags), the API client built from it, and the ways to print:
 * errors as kubectl words them, tables, objects as JSON or YAML, and the
 * confirmation prompt of commands that change things.
 *
 * Anything a unit test can reach without a terminal or a cluster lives in
 * shared/ (cliutil.h, table.h); this layer parses, calls, presents.
 *
 * Adding a command: plugin/README.md.
 */
#ifndef PLUGIN_CLI_H
#define PLUGIN_CLI_H

#include <cJSON.h>

#include "compat.h"

#include "cliutil.h"
#include "table.h"

struct mg_buf;
struct mg_err;
struct mg_kube;
struct mg_kubeconfig;

/* Exit statuses (man page EXIT STATUS): documented, kept stable. */
enum {
	CLI_OK = 0,     /* done */
	CLI_FAILED = 1, /* the operation failed (API error, not found...) */
	CLI_USAGE = 2,  /* the command line was wrong */
};

/* --- the command table ------------------------------------------------- */

enum cli_flag_attrs {
	CLI_FLAG_COUNT = 1u << 0, /* a level: -v, -vv, -v=N, --v=N */
	CLI_FLAG_LIST = 1u << 1,  /* may be repeated: cli_flag_values() */
};

/*
 * One flag. `arg` is the placeholder of its value ("FORMAT"); NULL makes
 * it a switch (which also takes --name=true/false). `complete` says how
 * to complete its value: a space-separated list of words, or one of
 * "@file", "@namespace", "@context", "@cluster", "@user"; NULL: nothing.
 * Tables end with an entry whose name is NULL.
 */
struct cli_flag {
	const char *name;
	char shorthand;
	const char *arg;
	const char *help;
	const char *complete;
	unsigned attrs;
};

/* The two flags every command that changes something carries. */
#define CLI_FLAG_YES \
	{ "yes", 'y', NULL, "do not ask for confirmation", NULL, 0 }
#define CLI_FLAG_DRY_RUN \
	{ "dry-run", 0, NULL, "print what would change, and change nothing", \
	  NULL, 0 }
#define CLI_FLAG_END { NULL, 0, NULL, NULL, NULL, 0 }

enum cli_cmd_attrs {
	CLI_CMD_HIDDEN = 1u << 0, /* not in help, completion or man pages */
	CLI_CMD_RAW = 1u << 1,    /* gets every word after its name, unparsed */
};

struct cli_ctx;

/*
 * One command (tmux's cmd_entry): every field but exec is read by help,
 * completion and the man-page test, so they cannot drift.
 *   usage     its arguments after the name: "KIND [NAME...]"
 *   summary   one line for the command list
 *   help      what it does, for --help (paragraphs, '\n'-separated)
 *   examples  "  kubectl multigres ..." lines for --help, or NULL
 *   complete  how to complete positional arguments, one word each:
 *             kind, object (of the kind given first), cluster, shard,
 *             pod, command, shell; a last word ending in "..." repeats
 *   exec      returns CLI_OK, CLI_FAILED or CLI_USAGE, having printed
 *             what went wrong
 */
struct cli_cmd {
	const char *name;
	const char *aliases[3]; /* NULL-terminated */
	const char *usage;
	const char *summary;
	const char *help;
	const char *examples;
	const struct cli_flag *flags; /* NULL: none */
	const char *complete;
	unsigned attrs;
	int (*exec)(struct cli_ctx *ctx);
};

/* commands.c: every command, sorted by name, NULL-terminated. */
extern const struct cli_cmd *const cli_commands[];
/* The flags every command takes (kubectl's, plus --color and -v). */
extern const struct cli_flag cli_global_flags[];

/* By name or alias; NULL when unknown. */
const struct cli_cmd *cli_cmd_find(const char *name);

/* The commands, one file each. */
extern const struct cli_cmd cli_cmd_completion;
extern const struct cli_cmd cli_cmd_complete;
extern const struct cli_cmd cli_cmd_confirm;
extern const struct cli_cmd cli_cmd_describe;
extern const struct cli_cmd cli_cmd_drain;
extern const struct cli_cmd cli_cmd_get;
extern const struct cli_cmd cli_cmd_help;
extern const struct cli_cmd cli_cmd_render;
extern const struct cli_cmd cli_cmd_status;
extern const struct cli_cmd cli_cmd_switchover;
extern const struct cli_cmd cli_cmd_table;
extern const struct cli_cmd cli_cmd_tui;
extern const struct cli_cmd cli_cmd_version;

/* --- the parsed command line ------------------------------------------- */

struct cli_globals {
	const char *kubeconfig, *context, *cluster, *user, *ns;
	bool all_namespaces;
	const char *request_timeout; /* as given */
	long timeout_ms;             /* parsed; -1: not given */
	int verbose;
	enum mg_cli_color color_mode;
	bool help;
};

struct cli_ctx {
	const char *prog;           /* "kubectl multigres", for messages */
	const struct cli_cmd *cmd;  /* NULL until the command word */
	struct cli_globals g;
	const char **values;        /* per flag of cmd: last value given */
	int *counts;                /* per flag of cmd: times given */
	const char ***lists;        /* per CLI_FLAG_LIST flag: every value */
	char **args;                /* positional arguments */
	int nargs;
	bool color;                 /* colour stdout */
	time_t now;
	bool quiet;                 /* completion: print no errors */

	/* built on first use by cli_client() */
	struct mg_kubeconfig *kc;
	struct mg_kube *kube;
	unsigned retries;           /* for the client; completion lowers it */
};

void cli_ctx_init(struct cli_ctx *ctx, const char *argv0);
void cli_ctx_release(struct cli_ctx *ctx);

/*
 * Parses words (argv after the program name): global flags anywhere, the
 * command word, its flags and arguments; "--" ends flags. On a usage
 * error: CLI_USAGE with err filled (nothing printed).
 */
int cli_parse(struct cli_ctx *ctx, int argc, char **argv, struct mg_err *err);

/* The command's flag by long name (a programmer error if it has none). */
const char *cli_flag_value(const struct cli_ctx *ctx, const char *name);
bool cli_flag_set(const struct cli_ctx *ctx, const char *name);
int cli_flag_count(const struct cli_ctx *ctx, const char *name);
/* Every value of a CLI_FLAG_LIST flag, in order, NULL-terminated (never
 * NULL). */
const char *const *cli_flag_values(const struct cli_ctx *ctx,
				   const char *name);

/* The same lookups in a table, for completion and help. */
const struct cli_flag *cli_flag_find(const struct cli_flag *table,
				     const char *name);
const struct cli_flag *cli_flag_find_short(const struct cli_flag *table,
					   char c);

/* --- the cluster -------------------------------------------------------- */

/*
 * The API client for the global options, built on first call (kubeconfig
 * loaded, -n/--context/... applied). On failure: the error is in err and
 * nothing is printed.
 */
int cli_client(struct cli_ctx *ctx, struct mg_kube **out, struct mg_err *err);

/* -n, else the kubeconfig's; call after cli_client(). */
const char *cli_namespace(const struct cli_ctx *ctx);

/* --- printing ----------------------------------------------------------- */

/*
 * Prints an error from the library the way kubectl does and returns
 * CLI_FAILED: "Error from server (NotFound): ..." for API answers, "cannot
 * reach the API server ..." for transport failures, else
 * "kubectl-multigres: <message>". Silent when ctx->quiet.
 */
int cli_fail(const struct cli_ctx *ctx, const struct mg_err *err);

/* "kubectl-multigres: <message>" on stderr; returns CLI_FAILED. */
int cli_errorf(const struct cli_ctx *ctx, const char *fmt, ...)
	MG_PRINTF(2, 3);

/* The message, then "See 'kubectl multigres CMD --help' for usage.";
 * returns CLI_USAGE. */
int cli_usagef(const struct cli_ctx *ctx, const char *fmt, ...)
	MG_PRINTF(2, 3);

/* Writes b to stdout. */
void cli_out(const struct mg_buf *b);

/* Renders t to stdout with kubectl get's layout (colour per ctx). */
void cli_print_table(const struct cli_ctx *ctx, const struct mg_table *t,
		     const struct mg_table_opts *opts);

/*
 * Prints doc as `kubectl get -o json|yaml` would (sorted keys; for YAML,
 * libyaml's block style). Returns CLI_OK or CLI_FAILED.
 */
int cli_print_doc(const struct cli_ctx *ctx, const cJSON *doc,
		  enum mg_cli_output o);

/* SGR parameters for a status word ("Healthy", "True", "Warning"...), or
 * NULL: green for good, yellow for in-between, red for bad. */
const char *cli_status_sgr(const char *word);

/*
 * The confirmation before a change, for commands with CLI_FLAG_YES and
 * CLI_FLAG_DRY_RUN. Returns CLI_OK to go ahead: --yes was given, or the
 * user answered (y/yes; or exactly `typed` when not NULL, for changes
 * that cannot be undone). Otherwise prints why and returns CLI_FAILED
 * (answered no) or CLI_USAGE (stdin is not a terminal and --yes is
 * missing: scripts must say --yes). The prompt goes to stderr, through
 * GNU readline. With --dry-run the caller prints the plan and never asks.
 */
int cli_confirm(const struct cli_ctx *ctx, const char *question,
		const char *typed);

/* --dry-run was given. */
bool cli_dry_run(const struct cli_ctx *ctx);

/* --- help ------------------------------------------------------------------ */

/* The usage of cmd (NULL: the program) with its flags, into out. */
void cli_help(const struct cli_ctx *ctx, const struct cli_cmd *cmd,
	      struct mg_buf *out);

/* --- completion (cmd_complete.c) -------------------------------------- */

/*
 * Answers a completion request: words are the arguments typed so far,
 * the last one the word being completed (empty for a new word). Prints
 * candidates ("word\tdescription") and a last ":<directive>" line, as
 * cobra's __complete does. Always returns CLI_OK.
 */
int cli_complete(int nwords, char **words);

#endif /* PLUGIN_CLI_H */
