/*
 * tui.h - the incident dashboard, as a function.
 *
 * `multigres-tui ARGS` and `kubectl multigres tui ARGS` run the same code,
 * so a krew install (one binary) has the dashboard too:
 *
 *   mg_tui_main  parses the dashboard's own command line (the standalone
 *                binary's main() is just this), then runs it;
 *   mg_tui_run   runs it with options a caller already parsed (the
 *                plugin's `tui` command maps its global flags, kubectl's
 *                --kubeconfig/--context/--cluster/--user/-n/-A, --color
 *                and -v, and its own flags onto struct mg_tui_opts).
 *
 * Both return the exit status: 0, 1 when the dashboard could not start
 * or ended on an error (the reason on stderr, after the terminal was
 * given back), 2 for a usage error. The terminal is always restored as it
 * was found; nothing else is printed while the dashboard runs (the
 * library's log goes to opts.log_file, when given, and to the log view).
 */
#ifndef MG_TUI_H
#define MG_TUI_H

#include <stdbool.h>

struct mg_tui_opts {
	const char *prog;         /* for messages: "multigres-tui" */
	/* where: as kubectl's flags */
	const char *kubeconfig;
	const char *context;
	const char *kube_cluster; /* --cluster: the kubeconfig cluster */
	const char *user;
	const char *ns;
	bool all_ns;
	const char *mgcluster;    /* only this MultigresCluster (or NULL) */
	/* the dashboard */
	bool write;               /* actions allowed; read-only otherwise */
	const char *prod_pattern; /* regex on the context and kubeconfig
				     cluster names; NULL: "prod"; "": none */
	const char *admin_url;    /* multiadmin; NULL: the service proxy */
	int color;                /* 1 always, 0 never, -1 auto: unless
				     NO_COLOR is set and not empty */
	bool mouse;
	int frame_ms;             /* at most one frame per this; 0: 50 */
	const char *sort;         /* initial order (mg_vt_sort_parse), or NULL */
	const char *filter;       /* initial filter, or NULL */
	const char *log_file;     /* append the log there, or NULL */
	int verbosity;            /* 0 warnings, 1 info, 2 debug */
};

#define MG_TUI_OPTS_INIT                                                    \
	{ "multigres-tui", NULL, NULL, NULL, NULL, NULL, false, NULL, false, \
	  NULL, NULL, -1, false, 0, NULL, NULL, NULL, 0 }

int mg_tui_main(int argc, char **argv);
int mg_tui_run(const struct mg_tui_opts *opts);

#endif /* MG_TUI_H */
