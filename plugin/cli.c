/*
 * cli.c - the plugin's toolkit: parsing, the client, printing, prompting
 * (see cli.h).
 */
#include "compat.h"

#include "cli.h"

#include <stdarg.h>
#include <unistd.h>

#include <readline/readline.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "log.h"
#include "xalloc.h"
#include "yaml_json.h"

#define PROG "kubectl-multigres"

void
cli_ctx_init(struct cli_ctx *ctx, const char *argv0)
{
	(void)argv0;
	memset(ctx, 0, sizeof(*ctx));
	/* Both ways of running us (kubectl multigres, kubectl-multigres)
	 * are spelled the way kubectl users type them. */
	ctx->prog = "kubectl multigres";
	ctx->g.timeout_ms = -1;
	ctx->g.color_mode = MG_CLI_COLOR_AUTO;
	ctx->now = time(NULL);
	ctx->retries = 4;
}

void
cli_ctx_release(struct cli_ctx *ctx)
{
	mg_kube_free(ctx->kube);
	mg_kubeconfig_free(ctx->kc);
	if (ctx->lists) {
		size_t i;

		for (i = 0; ctx->cmd && ctx->cmd->flags &&
			    ctx->cmd->flags[i].name; i++)
			free(ctx->lists[i]);
		free(ctx->lists);
	}
	free(ctx->values);
	free(ctx->counts);
	free(ctx->args);
	memset(ctx, 0, sizeof(*ctx));
}

/* --- the command table --------------------------------------------------- */

const struct cli_cmd *
cli_cmd_find(const char *name)
{
	size_t i, j;

	for (i = 0; cli_commands[i]; i++) {
		const struct cli_cmd *c = cli_commands[i];

		if (!strcmp(c->name, name))
			return c;
		for (j = 0; j < ARRAY_SIZE(c->aliases) && c->aliases[j]; j++)
			if (!strcmp(c->aliases[j], name))
				return c;
	}
	return NULL;
}

const struct cli_flag *
cli_flag_find(const struct cli_flag *table, const char *name)
{
	for (; table && table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

const struct cli_flag *
cli_flag_find_short(const struct cli_flag *table, char c)
{
	for (; table && table->name; table++)
		if (table->shorthand && table->shorthand == c)
			return table;
	return NULL;
}

static size_t
flag_index(const struct cli_ctx *ctx, const char *name)
{
	const struct cli_flag *f = ctx->cmd ? cli_flag_find(ctx->cmd->flags, name)
					    : NULL;

	if (!f)
		MG_BUG("a command asked for a flag it does not declare");
	return (size_t)(f - ctx->cmd->flags);
}

const char *
cli_flag_value(const struct cli_ctx *ctx, const char *name)
{
	return ctx->values[flag_index(ctx, name)];
}

int
cli_flag_count(const struct cli_ctx *ctx, const char *name)
{
	return ctx->counts[flag_index(ctx, name)];
}

const char *const *
cli_flag_values(const struct cli_ctx *ctx, const char *name)
{
	static const char *const none[] = { NULL };
	size_t i = flag_index(ctx, name);

	if (!(ctx->cmd->flags[i].attrs & CLI_FLAG_LIST))
		MG_BUG("cli_flag_values() of a flag that is not a list");
	return ctx->lists[i] ? ctx->lists[i] : none;
}

bool
cli_flag_set(const struct cli_ctx *ctx, const char *name)
{
	size_t i = flag_index(ctx, name);
	const char *v = ctx->values[i];

	/* switches store "true" or "false" */
	if (!ctx->cmd->flags[i].arg)
		return v && !strcmp(v, "true");
	return ctx->counts[i] > 0;
}

bool
cli_dry_run(const struct cli_ctx *ctx)
{
	return cli_flag_set(ctx, "dry-run");
}

/* --- parsing --------------------------------------------------------------- */

static int
set_global(struct cli_ctx *ctx, const struct cli_flag *f, const char *v,
	   struct mg_err *err)
{
	struct cli_globals *g = &ctx->g;
	const char *n = f->name;

	if (!strcmp(n, "kubeconfig"))
		g->kubeconfig = v;
	else if (!strcmp(n, "context"))
		g->context = v;
	else if (!strcmp(n, "cluster"))
		g->cluster = v;
	else if (!strcmp(n, "user"))
		g->user = v;
	else if (!strcmp(n, "namespace"))
		g->ns = v;
	else if (!strcmp(n, "all-namespaces"))
		g->all_namespaces = !strcmp(v, "true");
	else if (!strcmp(n, "help"))
		g->help = !strcmp(v, "true");
	else if (!strcmp(n, "request-timeout")) {
		g->request_timeout = v;
		if (mg_cli_parse_timeout(v, &g->timeout_ms, err))
			return CLI_USAGE;
	} else if (!strcmp(n, "color")) {
		if (mg_cli_color_parse(v, &g->color_mode, err))
			return CLI_USAGE;
	} else {
		MG_BUG("a global flag without a place to go");
	}
	return 0;
}

static int
set_flag(struct cli_ctx *ctx, const struct cli_flag *f, bool global,
	 const char *v, struct mg_err *err)
{
	size_t i;

	if (global)
		return set_global(ctx, f, v, err);
	i = (size_t)(f - ctx->cmd->flags);
	ctx->values[i] = v;
	if (f->attrs & CLI_FLAG_LIST) {
		ctx->lists[i] = mg_xrealloc(ctx->lists[i],
					    (size_t)(ctx->counts[i] + 2) *
						    sizeof(*ctx->lists[i]));
		ctx->lists[i][ctx->counts[i]] = v;
		ctx->lists[i][ctx->counts[i] + 1] = NULL;
	}
	ctx->counts[i]++;
	return 0;
}

/* A switch's value: none is true, else true/false. */
static int
switch_value(const char *spelled, const char *v, const char **out,
	     struct mg_err *err)
{
	if (!v || !strcmp(v, "true")) {
		*out = "true";
	} else if (!strcmp(v, "false")) {
		*out = "false";
	} else {
		mg_err_set(err, MG_EINVAL,
			   "invalid argument '%s' for '%s': true or false", v,
			   spelled);
		return CLI_USAGE;
	}
	return 0;
}

/* A level flag's value: none adds one, else a number from 0 to 10. */
static int
count_value(struct cli_ctx *ctx, const char *spelled, const char *v,
	    struct mg_err *err)
{
	char *end;
	long n;

	if (!v) {
		ctx->g.verbose++;
		return 0;
	}
	n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 10) {
		mg_err_set(err, MG_EINVAL,
			   "invalid argument '%s' for '%s': a level from 0 to 10",
			   v, spelled);
		return CLI_USAGE;
	}
	ctx->g.verbose = (int)n;
	return 0;
}

/* The flag named `name` of the command (if known) or a global one. */
static const struct cli_flag *
lookup(const struct cli_ctx *ctx, const char *name, char shorthand,
       bool *global)
{
	const struct cli_flag *f = NULL;

	if (ctx->cmd)
		f = name ? cli_flag_find(ctx->cmd->flags, name)
			 : cli_flag_find_short(ctx->cmd->flags, shorthand);
	*global = !f;
	if (!f)
		f = name ? cli_flag_find(cli_global_flags, name)
			 : cli_flag_find_short(cli_global_flags, shorthand);
	return f;
}

static void
set_command(struct cli_ctx *ctx, const struct cli_cmd *cmd)
{
	size_t n = 0;

	ctx->cmd = cmd;
	while (cmd->flags && cmd->flags[n].name)
		n++;
	ctx->values = mg_xcalloc(n + 1, sizeof(*ctx->values));
	ctx->counts = mg_xcalloc(n + 1, sizeof(*ctx->counts));
	ctx->lists = mg_xcalloc(n + 1, sizeof(*ctx->lists));
}

static void
add_arg(struct cli_ctx *ctx, char *arg)
{
	ctx->args = mg_xrealloc(ctx->args,
				(size_t)(ctx->nargs + 2) * sizeof(*ctx->args));
	ctx->args[ctx->nargs++] = arg;
	ctx->args[ctx->nargs] = NULL;
}

/* "--name[=value]" at argv[*i]. */
static int
parse_long(struct cli_ctx *ctx, int argc, char **argv, int *i,
	   struct mg_err *err)
{
	const char *word = argv[*i] + 2;
	const char *eq = strchr(word, '=');
	char name[64];
	const struct cli_flag *f;
	const char *v = eq ? eq + 1 : NULL;
	bool global;
	size_t n = eq ? (size_t)(eq - word) : strlen(word);

	if (n >= sizeof(name)) {
		mg_err_set(err, MG_EINVAL, "unknown flag: --%.*s", 40, word);
		return CLI_USAGE;
	}
	memcpy(name, word, n);
	name[n] = '\0';
	f = lookup(ctx, name, 0, &global);
	if (!f) {
		mg_err_set(err, MG_EINVAL, "unknown flag: --%s", name);
		return CLI_USAGE;
	}
	if (f->attrs & CLI_FLAG_COUNT)
		return count_value(ctx, argv[*i], v, err);
	if (!f->arg) {
		int rc = switch_value(argv[*i], v, &v, err);

		return rc ? rc : set_flag(ctx, f, global, v, err);
	}
	if (!v) {
		if (*i + 1 >= argc) {
			mg_err_set(err, MG_EINVAL, "flag needs an argument: --%s",
				   name);
			return CLI_USAGE;
		}
		v = argv[++*i];
	}
	return set_flag(ctx, f, global, v, err);
}

/* "-abc", "-ovalue", "-o value", "-o=value", "-vv", "-v=3" at argv[*i]. */
static int
parse_short(struct cli_ctx *ctx, int argc, char **argv, int *i,
	    struct mg_err *err)
{
	const char *p = argv[*i] + 1;

	for (; *p; p++) {
		const struct cli_flag *f;
		const char *v;
		bool global;
		int rc;

		f = lookup(ctx, NULL, *p, &global);
		if (!f) {
			mg_err_set(err, MG_EINVAL,
				   "unknown shorthand flag: '%c' in %s", *p,
				   argv[*i]);
			return CLI_USAGE;
		}
		if (f->attrs & CLI_FLAG_COUNT) {
			if (p[1] == '=')
				return count_value(ctx, argv[*i], p + 2, err);
			if (p[1] >= '0' && p[1] <= '9')
				return count_value(ctx, argv[*i], p + 1, err);
			rc = count_value(ctx, argv[*i], NULL, err);
		} else if (!f->arg) {
			if (p[1] == '=') {
				rc = switch_value(argv[*i], p + 2, &v, err);
				return rc ? rc : set_flag(ctx, f, global, v, err);
			}
			rc = set_flag(ctx, f, global, "true", err);
		} else {
			v = p + 1;
			if (*v == '=')
				v++;
			if (!*v) {
				if (*i + 1 >= argc) {
					mg_err_set(err, MG_EINVAL,
						   "flag needs an argument: '%c' in %s",
						   *p, argv[*i]);
					return CLI_USAGE;
				}
				v = argv[++*i];
			}
			return set_flag(ctx, f, global, v, err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int
cli_parse(struct cli_ctx *ctx, int argc, char **argv, struct mg_err *err)
{
	bool flags_done = false;
	int i, rc;

	for (i = 0; i < argc; i++) {
		char *w = argv[i];

		if (ctx->cmd && (ctx->cmd->attrs & CLI_CMD_RAW)) {
			add_arg(ctx, w);
			continue;
		}
		if (!flags_done && !strcmp(w, "--")) {
			flags_done = true;
			continue;
		}
		if (!flags_done && w[0] == '-' && w[1] == '-') {
			rc = parse_long(ctx, argc, argv, &i, err);
		} else if (!flags_done && w[0] == '-' && w[1]) {
			rc = parse_short(ctx, argc, argv, &i, err);
		} else if (!ctx->cmd) {
			const struct cli_cmd *c = cli_cmd_find(w);

			if (!c) {
				mg_err_set(err, MG_EINVAL,
					   "unknown command '%s' for '%s'", w,
					   ctx->prog);
				return CLI_USAGE;
			}
			set_command(ctx, c);
			rc = 0;
		} else {
			add_arg(ctx, w);
			rc = 0;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* --- the cluster ------------------------------------------------------------ */

int
cli_client(struct cli_ctx *ctx, struct mg_kube **out, struct mg_err *err)
{
	struct mg_kubeconfig_opts ko = { 0 };
	struct mg_kube_opts opts = MG_KUBE_OPTS_INIT;
	int rc;

	if (ctx->kube) {
		*out = ctx->kube;
		return 0;
	}
	ko.kubeconfig = ctx->g.kubeconfig;
	ko.context = ctx->g.context;
	ko.cluster = ctx->g.cluster;
	ko.user = ctx->g.user;
	ko.ns = ctx->g.ns;
	if (!ctx->kc) {
		rc = mg_kubeconfig_load(&ctx->kc, &ko, err);
		if (rc)
			return rc;
	}
	/* Unlike kubectl, a request gives up after 30 s unless told
	 * otherwise (an on-call shell must not hang); 0 means never. */
	if (ctx->g.timeout_ms >= 0)
		opts.timeout_ms = ctx->g.timeout_ms;
	if (ctx->g.timeout_ms > 0 && ctx->g.timeout_ms < opts.connect_timeout_ms)
		opts.connect_timeout_ms = ctx->g.timeout_ms;
	opts.retries = ctx->retries;
	rc = mg_kube_new(&ctx->kube, ctx->kc, &opts, err);
	if (rc)
		return rc;
	mg_log(MG_LOG_INFO, "%s: context '%s', server %s, namespace '%s'",
	       ctx->kc->source, ctx->kc->context, ctx->kc->server,
	       cli_namespace(ctx));
	*out = ctx->kube;
	return 0;
}

const char *
cli_namespace(const struct cli_ctx *ctx)
{
	if (ctx->g.ns && *ctx->g.ns)
		return ctx->g.ns;
	return ctx->kube ? mg_kube_namespace(ctx->kube) : "default";
}

/* --- printing ----------------------------------------------------------- */

int
cli_fail(const struct cli_ctx *ctx, const struct mg_err *err)
{
	if (ctx->quiet)
		return CLI_FAILED;
	if (err->http_status == 401)
		/* kubectl's words for a credential the server refused */
		fprintf(stderr, PROG ": you must be logged in to the server (%s)\n",
			err->msg);
	else if (err->http_status && err->reason[0])
		fprintf(stderr, "Error from server (%s): %s\n", err->reason,
			err->msg);
	else if (err->http_status)
		fprintf(stderr, "Error from server: %s\n", err->msg);
	else if (err->code == MG_ETRANSPORT)
		fprintf(stderr, PROG ": cannot reach the API server: %s\n",
			err->msg);
	else if (err->code == MG_ETIMEOUT)
		fprintf(stderr, PROG ": the API server did not answer in time: %s\n",
			err->msg);
	else
		fprintf(stderr, PROG ": %s\n", err->msg);
	return CLI_FAILED;
}

int
cli_errorf(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return CLI_FAILED;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAILED;
}

int
cli_usagef(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return CLI_USAGE;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx->cmd)
		fprintf(stderr, "See '%s %s --help' for usage.\n", ctx->prog,
			ctx->cmd->name);
	else
		fprintf(stderr, "See '%s --help' for usage.\n", ctx->prog);
	return CLI_USAGE;
}

void
cli_out(const struct mg_buf *b)
{
	fwrite(b->data, 1, b->len, stdout);
}

void
cli_print_table(const struct cli_ctx *ctx, const struct mg_table *t,
		const struct mg_table_opts *opts)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_table_render(t, &b, opts, ctx->color);
	cli_out(&b);
	mg_buf_release(&b);
}

int
cli_print_doc(const struct cli_ctx *ctx, const cJSON *doc,
	      enum mg_cli_output o)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *sorted = NULL;
	int rc = CLI_OK;

	if (o == MG_CLI_OUT_JSON) {
		mg_cli_json(&b, doc);
	} else {
		sorted = mg_json_sorted(doc);
		if (mg_yaml_emit(&b, sorted, &err)) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
	}
	cli_out(&b);
out:
	cJSON_Delete(sorted);
	mg_buf_release(&b);
	return rc;
}

const char *
cli_status_sgr(const char *w)
{
	static const struct {
		const char *word, *sgr;
	} words[] = {
		{ "Healthy", "32" }, { "True", "32" }, { "Normal", NULL },
		{ "Progressing", "33" }, { "Initializing", "33" },
		{ "Unknown", "33" }, { "Warning", "33" },
		{ "Degraded", "31" }, { "False", "31" }, { "Failed", "31" },
	};
	size_t i;

	for (i = 0; w && i < ARRAY_SIZE(words); i++)
		if (!strcmp(w, words[i].word))
			return words[i].sgr;
	return NULL;
}

int
cli_confirm(const struct cli_ctx *ctx, const char *question, const char *typed)
{
	char *prompt, *line;
	bool ok;

	if (cli_flag_set(ctx, "yes"))
		return CLI_OK;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr,
			PROG ": refusing to %s without a terminal to confirm on; "
			"pass --yes to go ahead (or --dry-run to see the change)\n",
			question);
		return CLI_USAGE;
	}
	if (typed)
		prompt = mg_xasprintf("%s? Type '%s' to confirm: ", question,
				      typed);
	else
		prompt = mg_xasprintf("%s? [y/N] ", question);
	rl_instream = stdin;
	rl_outstream = stderr;
	line = readline(prompt);
	if (typed) {
		size_t n = line ? strlen(line) : 0;

		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		ok = line && !strcmp(line, typed);
	} else {
		ok = mg_cli_answer_yes(line);
	}
	free(line);
	free(prompt);
	if (!ok) {
		fputs(PROG ": not confirmed; nothing was changed\n", stderr);
		return CLI_FAILED;
	}
	return CLI_OK;
}

/* --- help ------------------------------------------------------------------ */

static void
flag_rows(struct mg_table *t, const struct cli_flag *f)
{
	for (; f && f->name; f++) {
		struct mg_buf b = MG_BUF_INIT;

		if (f->shorthand)
			mg_buf_addf(&b, "-%c, ", f->shorthand);
		else
			mg_buf_adds(&b, "    ");
		mg_buf_addf(&b, "--%s", f->name);
		if (f->arg)
			mg_buf_addf(&b, " %s", f->arg);
		mg_table_add(t, b.data);
		mg_table_add(t, f->help);
		mg_buf_release(&b);
	}
}

static void
flag_section(struct mg_buf *out, const char *title, const struct cli_flag *f)
{
	const struct mg_table_opts o = { 0, 3, 2 };
	struct mg_table t;

	if (!f || !f->name)
		return;
	mg_table_init(&t, 2);
	flag_rows(&t, f);
	mg_buf_addf(out, "\n%s:\n", title);
	mg_table_render(&t, out, &o, false);
	mg_table_release(&t);
}

void
cli_help(const struct cli_ctx *ctx, const struct cli_cmd *cmd,
	 struct mg_buf *out)
{
	const struct mg_table_opts o = { 0, 3, 2 };
	struct mg_table t;
	size_t i;

	if (!cmd) {
		mg_buf_addf(out,
			    "Run Multigres (sharded PostgreSQL) on Kubernetes.\n\n"
			    "Usage:\n  %s [flags] COMMAND [ARGS]\n\nCommands:\n",
			    ctx->prog);
		mg_table_init(&t, 2);
		for (i = 0; cli_commands[i]; i++) {
			if (cli_commands[i]->attrs & CLI_CMD_HIDDEN)
				continue;
			mg_table_add(&t, cli_commands[i]->name);
			mg_table_add(&t, cli_commands[i]->summary);
		}
		mg_table_render(&t, out, &o, false);
		mg_table_release(&t);
		flag_section(out, "Global flags", cli_global_flags);
		mg_buf_addf(out,
			    "\nRun '%s COMMAND --help' for more about a command,\n"
			    "'man kubectl-multigres' for the manual.\n",
			    ctx->prog);
		return;
	}
	mg_buf_addf(out, "%s\n\nUsage:\n  %s %s%s%s [flags]\n", cmd->help,
		    ctx->prog, cmd->name, *cmd->usage ? " " : "", cmd->usage);
	if (cmd->aliases[0]) {
		mg_buf_addf(out, "\nAliases:\n  %s", cmd->name);
		for (i = 0; i < ARRAY_SIZE(cmd->aliases) && cmd->aliases[i]; i++)
			mg_buf_addf(out, ", %s", cmd->aliases[i]);
		mg_buf_addch(out, '\n');
	}
	flag_section(out, "Flags", cmd->flags);
	flag_section(out, "Global flags", cli_global_flags);
	if (cmd->examples)
		mg_buf_addf(out, "\nExamples:\n%s", cmd->examples);
}
