/*
 * kubectl multigres tui [CLUSTER]: the incident dashboard (tui/), linked
 * into this binary so that a krew install, which puts one binary on PATH,
 * has it too. This file only maps the command line onto mg_tui_opts.
 */
#include "compat.h"

#include <stdlib.h>

#include "cli.h"
#include "tui.h"
#include "viewtree.h"

static const struct cli_flag tui_flags[] = {
	{ "write", 0, NULL,
	  "allow actions (drain, switchover); read-only without it", NULL, 0 },
	{ "production-pattern", 0, "REGEX",
	  "a red banner when the context or cluster name matches (default "
	  "prod; empty: never)", NULL, 0 },
	{ "admin-url", 0, "URL",
	  "multiadmin's base URL (default: through the API server's service "
	  "proxy)", NULL, 0 },
	{ "frame", 0, "MS", "draw at most one frame per MS milliseconds "
	  "(default 50)", NULL, 0 },
	{ "sort", 0, "ORDER", "initial sort order (name, status, role, "
	  "restarts, age, backup)", "name status role restarts age backup", 0 },
	{ "filter", 0, "REGEX", "initial filter, as typed after /", NULL, 0 },
	{ "mouse", 0, NULL, "enable the mouse", NULL, 0 },
	{ "log-file", 0, "FILE", "append the library's log to FILE", "@file",
	  0 },
	CLI_FLAG_END,
};

static int
exec_tui(struct cli_ctx *ctx)
{
	struct mg_tui_opts o = MG_TUI_OPTS_INIT;
	const char *frame = cli_flag_value(ctx, "frame");

	if (ctx->nargs > 1)
		return cli_usagef(ctx, "tui takes at most one CLUSTER");
	o.prog = "kubectl multigres tui";
	o.kubeconfig = ctx->g.kubeconfig;
	o.context = ctx->g.context;
	o.kube_cluster = ctx->g.cluster;
	o.user = ctx->g.user;
	o.ns = ctx->g.ns;
	o.all_ns = ctx->g.all_namespaces;
	o.mgcluster = ctx->nargs ? ctx->args[0] : NULL;
	o.write = cli_flag_set(ctx, "write");
	o.prod_pattern = cli_flag_value(ctx, "production-pattern");
	o.admin_url = cli_flag_value(ctx, "admin-url");
	o.color = ctx->g.color_mode == MG_CLI_COLOR_ALWAYS ? 1 :
		  ctx->g.color_mode == MG_CLI_COLOR_NEVER ? 0 : -1;
	o.mouse = cli_flag_set(ctx, "mouse");
	if (frame) {
		char *end;
		long ms = strtol(frame, &end, 10);

		if (*end || ms < 10 || ms > 5000)
			return cli_usagef(ctx, "--frame: %s is not a number of "
					  "milliseconds between 10 and 5000", frame);
		o.frame_ms = (int)ms;
	}
	o.sort = cli_flag_value(ctx, "sort");
	if (o.sort && mg_vt_sort_parse(o.sort) < 0)
		return cli_usagef(ctx, "--sort: %s is not one of name, status, "
				  "role, restarts, age, backup", o.sort);
	o.filter = cli_flag_value(ctx, "filter");
	o.log_file = cli_flag_value(ctx, "log-file");
	o.verbosity = ctx->g.verbose;
	return mg_tui_run(&o);
}

const struct cli_cmd cli_cmd_tui = {
	.name = "tui",
	.usage = "[CLUSTER]",
	.summary = "the live incident dashboard",
	.help = "A full-screen dashboard of the namespace's Multigres clusters\n"
		"(or only CLUSTER), kept current by WATCH: the tree of cells,\n"
		"table groups, shards, pools and pods with role, readiness,\n"
		"drift, drain state, backup age and restarts; details, YAML,\n"
		"events and findings; drain and switchover behind a\n"
		"confirmation dialog with --write. Press ? for every key.",
	.examples = "  kubectl multigres tui -n demo\n"
		    "  kubectl multigres tui -A --production-pattern 'prod|live'\n"
		    "  kubectl multigres tui minimal -n demo --write\n",
	.flags = tui_flags,
	.complete = "cluster",
	.exec = exec_tui,
};
