/*
 * cmd_status.c - `status [CLUSTER]`: one look at a Multigres cluster.
 *
 * One LIST per kind (snapload.h) into a snapshot (snapshot.h), the health
 * rules over it (health.h), rendered as a tree, JSON or YAML (status.h);
 * the exit status is the health's: 0 healthy or warnings, 1 degraded or
 * failed (or the cluster cannot be read), 2 a wrong command line.
 *
 * Drift: every pool pod's multigres.com/spec-hash is compared with what
 * the operator would build from its Shard now (mg_poolpod_desired_hash).
 * Two inputs of that build are not in the Shard: the postgres-config hash
 * the operator renders on each reconcile and keeps in memory, taken here
 * from the live pod's own multigres.com/postgres-config-hash annotation
 * (so a config change not yet rolled out does not show as drift), and the
 * operator's OTEL_* environment, taken as empty.
 *
 * --watch: the same snapshot fed by WATCH streams on a mg_kube_loop,
 * redrawn at most every 250 ms when the objects changed (and, on a
 * terminal, once a second for the ages), until SIGINT or SIGTERM; the
 * exit status is that of the last state drawn. A lost API server is said
 * (on stderr, and atop the screen on a terminal) and the watch goes on.
 *
 * MG_NOW (an RFC 3339 time), for tests only, fixes "now".
 */
#include "compat.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "health.h"
#include "json.h"
#include "kube.h"
#include "labels.h"
#include "log.h"
#include "poolpod.h"
#include "snapload.h"
#include "snapshot.h"
#include "status.h"
#include "timeutil.h"

#define CLEAR_SCREEN "\033[H\033[2J"
#define REDRAW_MIN_MS 250   /* at most this often */
#define REFRESH_TTY_MS 1000 /* ages on a terminal */

static const struct cli_flag status_flags[] = {
	{ "output", 'o', "FORMAT",
	  "json or yaml, in the documented schema (default: a tree)",
	  "json yaml", 0 },
	{ "watch", 'w', NULL,
	  "redraw when something changes (WATCH, not polling), until interrupted",
	  NULL, 0 },
	CLI_FLAG_END,
};

/* --- one state --------------------------------------------------------------- */

struct status_run {
	struct cli_ctx *ctx;
	enum mg_cli_output out;
	const char *cluster; /* the CLUSTER argument, or NULL */
	const char *ns;      /* NULL: every namespace (-A) */
	time_t fixed_now;    /* MG_NOW, else 0 */
	bool ascii;
};

static time_t
run_now(const struct status_run *r)
{
	return r->fixed_now ? r->fixed_now : time(NULL);
}

static struct mg_snap *
new_snap(const struct status_run *r)
{
	struct mg_snap_opts so = MG_SNAP_OPTS_INIT;

	so.desired_hash = mg_poolpod_snap_hash;
	so.cluster = r->cluster;
	return mg_snap_new(&so);
}

static void
load_opts(const struct status_run *r, struct mg_snapload_opts *lo)
{
	lo->ns = r->ns;
	lo->cluster = r->cluster;
	lo->kinds = 0;
}

/*
 * Renders snapshot s at `now` into b; *exit_code gets the status's exit
 * code. MG_ENOTFOUND (err filled) when the cluster asked for, or any
 * cluster at all, is not there.
 */
static int
render(const struct status_run *r, struct mg_snap *s, time_t now,
       struct mg_buf *b, int *exit_code, struct mg_err *err)
{
	struct mg_health_report rep = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts so = MG_STATUS_OPTS_INIT;
	size_t n;
	int rc;

	mg_snap_clusters(s, &n);
	if (!n) {
		if (r->cluster)
			return mg_err_set(err, MG_ENOTFOUND,
					  "multigrescluster '%s' not found in "
					  "namespace '%s'",
					  r->cluster, r->ns);
		if (r->ns)
			return mg_err_set(err, MG_ENOTFOUND,
					  "no Multigres cluster in namespace "
					  "'%s'",
					  r->ns);
		return mg_err_set(err, MG_ENOTFOUND,
				  "no Multigres cluster in any namespace");
	}
	so.format = r->out == MG_CLI_OUT_JSON	? MG_STATUS_JSON
		    : r->out == MG_CLI_OUT_YAML ? MG_STATUS_YAML
						: MG_STATUS_TEXT;
	so.verbose = r->ctx->g.verbose > 2 ? 2 : r->ctx->g.verbose;
	so.color = r->ctx->color;
	so.ascii = r->ascii;
	so.ns = r->cluster ? r->ns : NULL;
	so.cluster = r->cluster;
	so.now = now;
	mg_snap_tick(s, now);
	mg_health_check(s, now, NULL, &rep);
	rc = mg_status_render(b, s, &rep, &so, err);
	if (!rc)
		*exit_code = mg_status_exit_code(s, &rep, &so);
	mg_health_report_release(&rep);
	return rc;
}

/* The error of a LIST, as the user should read it. */
static int
load_fail(const struct cli_ctx *ctx, const struct mg_err *err)
{
	if (err->code == MG_ENOTFOUND && strstr(err->msg, "CRDs"))
		return cli_errorf(ctx, "%s", err->msg);
	return cli_fail(ctx, err);
}

static int
status_once(struct status_run *r, struct mg_kube *kube)
{
	struct mg_snapload_opts lo = MG_SNAPLOAD_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT;
	struct mg_snap *s = new_snap(r);
	unsigned long requests = 0;
	int64_t t0 = mg_time_mono_ms();
	int rc, code = CLI_FAILED;

	load_opts(r, &lo);
	rc = mg_snapload_list(kube, s, &lo, &requests, &err);
	mg_log(MG_LOG_INFO, "status: %lu requests in %lld ms", requests,
	       (long long)(mg_time_mono_ms() - t0));
	if (rc) {
		code = load_fail(r->ctx, &err);
		goto out;
	}
	rc = render(r, s, run_now(r), &b, &code, &err);
	if (rc) {
		code = cli_errorf(r->ctx, "%s", err.msg);
		goto out;
	}
	cli_out(&b);
out:
	mg_buf_release(&b);
	mg_snap_free(s);
	return code;
}

/* --- --watch -------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct watch_state {
	struct status_run *r;
	bool tty;
	struct mg_buf last;   /* the frame last printed */
	unsigned long frames;
	int exit_code;
	bool lost;            /* the API server is said to be lost */
	char lost_at[MG_TIME_LEN + 1];
};

/* Prints frame b unless it is the one on screen already. */
static void
show(struct watch_state *ws, const struct mg_buf *b)
{
	if (ws->frames && ws->last.len == b->len &&
	    !memcmp(ws->last.data, b->data, b->len))
		return;
	if (ws->tty && ws->r->out == MG_CLI_OUT_TABLE) {
		fputs(CLEAR_SCREEN, stdout);
	} else if (ws->frames) {
		if (ws->r->out == MG_CLI_OUT_YAML) {
			fputs("---\n", stdout);
		} else if (ws->r->out == MG_CLI_OUT_TABLE) {
			char t[MG_TIME_LEN + 1] = "";

			mg_time_format(t, run_now(ws->r), NULL);
			printf("\n--- %s\n\n", t);
		}
	}
	cli_out(b);
	fflush(stdout);
	mg_buf_reset(&ws->last);
	mg_buf_add(&ws->last, b->data, b->len);
	ws->frames++;
}

/* Draws snapshot s (with the lost-API banner on a terminal). */
static void
draw(struct watch_state *ws, struct mg_snap *s, const char *last_error)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	int code = CLI_FAILED;

	if (ws->lost && ws->tty && ws->r->out == MG_CLI_OUT_TABLE)
		mg_buf_addf(&b, "API server unreachable since %s (%s); showing "
				"what was last seen\n\n",
			    ws->lost_at, last_error);
	if (render(ws->r, s, run_now(ws->r), &b, &code, &err)) {
		/* no cluster (yet): say so in the frame and keep watching */
		if (ws->r->out == MG_CLI_OUT_TABLE)
			mg_buf_addf(&b, "%s; watching\n", err.msg);
		else
			fprintf(stderr, "kubectl-multigres: %s; watching\n",
				err.msg);
	}
	ws->exit_code = code;
	if (b.len)
		show(ws, &b);
	mg_buf_release(&b);
}

static int
status_watch(struct status_run *r, struct mg_kube *kube)
{
	struct watch_state ws;
	struct mg_snapload_opts lo = MG_SNAPLOAD_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_snap *first = new_snap(r), *s = NULL;
	struct mg_kube_loop *loop = NULL;
	struct mg_snapload *w = NULL;
	struct sigaction sa, old_int, old_term;
	uint64_t drawn_version = 0;
	unsigned long errors_seen = 0;
	int64_t last_draw = 0;
	bool drawn_lost = false;
	int rc;

	memset(&ws, 0, sizeof(ws));
	ws.r = r;
	ws.tty = isatty(STDOUT_FILENO);
	mg_buf_init(&ws.last, 0);
	load_opts(r, &lo);

	/* A first LIST: what is there now, and the errors that end the
	 * command (no CRDs, no access, no server) before anything runs. */
	rc = mg_snapload_list(kube, first, &lo, NULL, &err);
	if (rc) {
		rc = load_fail(r->ctx, &err);
		goto out;
	}
	draw(&ws, first, "");
	last_draw = mg_time_mono_ms();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	/* The watches fill a snapshot of their own; it replaces the first
	 * once every kind has been listed. */
	s = new_snap(r);
	if (mg_kube_loop_new(&loop, kube, &err) ||
	    mg_snapload_watch(&w, loop, s, &lo, &err)) {
		rc = cli_fail(r->ctx, &err);
		goto restore;
	}
	while (!interrupted) {
		int64_t now_ms, wait;
		const char *last_error;
		bool changed;

		now_ms = mg_time_mono_ms();
		wait = REDRAW_MIN_MS - (now_ms - last_draw);
		if (wait < 50)
			wait = 50;
		if (mg_kube_loop_run(loop, (int)wait, NULL, 0, &err)) {
			rc = cli_fail(r->ctx, &err);
			goto restore;
		}
		last_error = mg_snapload_last_error(w, NULL);
		if (mg_snapload_errors(w) > errors_seen &&
		    !mg_snapload_healthy(w)) {
			errors_seen = mg_snapload_errors(w);
			if (!ws.lost) {
				ws.lost = true;
				mg_time_format(ws.lost_at, time(NULL), NULL);
				fprintf(stderr, "kubectl-multigres: lost the API "
						"server (%s); still trying\n",
					last_error);
			}
		} else if (ws.lost && mg_snapload_healthy(w)) {
			ws.lost = false;
			errors_seen = mg_snapload_errors(w);
			fputs("kubectl-multigres: the API server is back\n",
			      stderr);
		}
		if (!mg_snapload_synced(w))
			continue;
		if (first) {
			mg_snap_free(first);
			first = NULL;
			drawn_version = 0; /* draw the watched snapshot */
		}
		now_ms = mg_time_mono_ms();
		if (now_ms - last_draw < REDRAW_MIN_MS)
			continue;
		changed = mg_snap_version(s) != drawn_version ||
			  ws.lost != drawn_lost;
		if (!changed && !(ws.tty && r->out == MG_CLI_OUT_TABLE &&
				  now_ms - last_draw >= REFRESH_TTY_MS))
			continue;
		drawn_version = mg_snap_version(s);
		drawn_lost = ws.lost;
		draw(&ws, s, last_error);
		last_draw = now_ms;
	}
	rc = ws.exit_code;
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	mg_snapload_stop(w);
	mg_kube_loop_free(loop);
	mg_snap_free(first);
	mg_snap_free(s);
	mg_buf_release(&ws.last);
	return rc;
}

/* --- the command ------------------------------------------------------------ */

/* Whether the locale's characters are UTF-8 (else the tree is ASCII). */
static bool
utf8_locale(void)
{
	const char *cs;
	bool utf8;

	if (!setlocale(LC_CTYPE, ""))
		return false;
	cs = nl_langinfo(CODESET);
	utf8 = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
	setlocale(LC_CTYPE, "C");
	return utf8;
}

static int
exec_status(struct cli_ctx *ctx)
{
	const unsigned formats = MG_CLI_OUT_BIT(MG_CLI_OUT_JSON) |
				 MG_CLI_OUT_BIT(MG_CLI_OUT_YAML);
	struct status_run r;
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube *kube;
	const char *fixed = getenv("MG_NOW");

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	if (mg_cli_output_parse(cli_flag_value(ctx, "output"), formats, &r.out,
				&err))
		return cli_usagef(ctx, "%s", err.msg);
	if (ctx->nargs > 1)
		return cli_usagef(ctx, "one cluster at most, got %d names",
				  ctx->nargs);
	r.cluster = ctx->nargs ? ctx->args[0] : NULL;
	if (r.cluster && ctx->g.all_namespaces)
		return cli_usagef(ctx, "a cluster cannot be named across all "
				       "namespaces; drop -A or give -n");
	if (fixed && *fixed && mg_time_parse(fixed, &r.fixed_now))
		return cli_usagef(ctx, "MG_NOW is not an RFC 3339 time: '%s'",
				  fixed);
	r.ascii = !utf8_locale();
	if (cli_client(ctx, &kube, &err))
		return cli_fail(ctx, &err);
	r.ns = ctx->g.all_namespaces ? NULL : cli_namespace(ctx);
	if (cli_flag_set(ctx, "watch"))
		return status_watch(&r, kube);
	return status_once(&r, kube);
}

const struct cli_cmd cli_cmd_status = {
	.name = "status",
	.usage = "[CLUSTER]",
	.summary = "the health of Multigres clusters, as a tree",
	.help = "Show Multigres clusters as a tree: the cluster's phase and\n"
		"conditions; its cells with their gateways; table groups; shards\n"
		"with their pools and pods (role, readiness, spec drift, drain\n"
		"state), backup age and rolling-update progress. A headline says\n"
		"whether each cluster is healthy and, if not, why; the problems\n"
		"follow. -v adds PVCs, Deployments, minor findings and warning\n"
		"events; -vv every event and condition. -o json|yaml prints one\n"
		"document in the stable schema of kubectl-multigres-status(1),\n"
		"whatever -v says.\n"
		"\n"
		"Without CLUSTER: every cluster of the namespace (-A: of every\n"
		"namespace). --watch redraws when something changes, until\n"
		"interrupted.\n"
		"\n"
		"Exit status: 0 healthy (or warnings only), 1 degraded or failed,\n"
		"or the cluster could not be read, 2 a wrong command line.",
	.examples = "  kubectl multigres status -n prod\n"
		    "  kubectl multigres status prod -n prod -v\n"
		    "  kubectl multigres status -A -o json\n"
		    "  kubectl multigres status -n prod --watch\n",
	.flags = status_flags,
	.complete = "cluster",
	.exec = exec_status,
};
