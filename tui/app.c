/*
 * app.c - options, start-up, the event loop and every way out.
 *
 * The loop (one thread): mg_kube_loop_run waits on the watches' sockets,
 * on stdin and on a self-pipe that the signal handlers write to; watch
 * events feed the snapshot from inside it. After each wake-up the keys
 * are handled and, at most once per frame (--frame ms), whatever changed
 * is drawn. Idle, it wakes once a second for the freshness clock.
 *
 * Ways out, all through one path that gives the terminal back: q and
 * :quit, SIGTERM, SIGINT, SIGHUP and SIGQUIT (the handlers only write the
 * signal's number to the pipe), stdin hung up, and fatal signals (SIGSEGV
 * and friends), whose handler restores the terminal with
 * async-signal-safe calls before the default action runs.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

#include "app.h"
#include "kubeconfig.h"
#include "screen.h"
#include "timeutil.h"
#include "tui.h"
#include "viewtree.h"
#include "xalloc.h"

static int sig_pipe[2] = { -1, -1 };

static const char usage_text[] =
	"usage: %s [options] [CLUSTER]\n"
	"\n"
	"The Multigres incident dashboard: the clusters of a namespace as a live\n"
	"tree (cluster, cells, table groups, shards, pools, pods), fed by WATCH.\n"
	"CLUSTER: show only that MultigresCluster.\n"
	"\n"
	"options:\n"
	"  --kubeconfig FILE          kubeconfig to use\n"
	"  --context NAME             kubeconfig context\n"
	"  -n, --namespace NS         namespace (default: the context's)\n"
	"  -A, --all-namespaces       every namespace\n"
	"  --cluster NAME             kubeconfig cluster\n"
	"  --user NAME                kubeconfig user\n"
	"  --write                    allow actions (drain, switchover); read-only otherwise\n"
	"  --production-pattern RE    contexts matching RE (case ignored) get a red\n"
	"                             banner (default: prod)\n"
	"  --admin-url URL            multiadmin's address for switchover (default:\n"
	"                             the API server's service proxy)\n"
	"  --frame MS                 at most one frame per MS ms (default 50; alias\n"
	"                             --refresh)\n"
	"  --sort ORDER               name, status, role, restarts, age, backup\n"
	"  --filter TERMS             start with this filter\n"
	"  --color WHEN               auto (unless NO_COLOR is set), always, never\n"
	"  --no-color                 the same as --color never\n"
	"  --mouse                    mouse: click selects, wheel scrolls\n"
	"  --log-file FILE            append the log there (it is never printed)\n"
	"  -v                         log more (-vv: debug)\n"
	"  -h, --help                 this help\n"
	"\n"
	"Keys: ? in the dashboard lists them all; q quits.\n";

void
tui_msg(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_error = error;
	/* errors stay until a key; the rest for five seconds */
	t->msg_until_ms = error ? 0 : mg_time_mono_ms() + 5000;
	t->dirty |= DIRTY_FOOTER;
	if (error)
		logring_add(MG_LOG_WARN, "%s", t->msg);
}

/* --- options --------------------------------------------------------- */

/* "--name=value", "--name value", "-n value", "-nvalue". */
static bool
opt_arg(int argc, char **argv, int *i, const char *shrt, const char *lng,
	const char **val, bool *missing)
{
	const char *a = argv[*i];
	size_t ll = lng ? strlen(lng) : 0;

	if (lng && !strncmp(a, lng, ll) && (a[ll] == '=' || !a[ll])) {
		if (a[ll] == '=') {
			*val = a + ll + 1;
			return true;
		}
	} else if (shrt && !strncmp(a, shrt, strlen(shrt))) {
		if (a[strlen(shrt)]) {
			*val = a + strlen(shrt);
			return true;
		}
	} else {
		return false;
	}
	if (*i + 1 >= argc) {
		*missing = true;
		return true;
	}
	*val = argv[++*i];
	return true;
}

static int
parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
parse_args(struct mg_tui_opts *o, int argc, char **argv)
{
	int i;
	bool dashdash = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		bool missing = false;
		long n;

		if (dashdash || a[0] != '-' || !a[1]) {
			/* the one positional argument: a MultigresCluster */
			if (o->mgcluster) {
				fprintf(stderr, "%s: one cluster at most ('%s', then '%s')\n",
					o->prog, o->mgcluster, a);
				return 2;
			}
			o->mgcluster = a;
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf(usage_text, o->prog);
			return 1;
		} else if (!strcmp(a, "-A") || !strcmp(a, "--all-namespaces")) {
			o->all_ns = true;
		} else if (!strcmp(a, "--write")) {
			o->write = true;
		} else if (!strcmp(a, "--no-color")) {
			o->color = 0;
		} else if (!strcmp(a, "--mouse")) {
			o->mouse = true;
		} else if (!strcmp(a, "-v")) {
			o->verbosity = 1;
		} else if (!strcmp(a, "-vv")) {
			o->verbosity = 2;
		} else if (opt_arg(argc, argv, &i, NULL, "--kubeconfig", &v,
				   &missing)) {
			o->kubeconfig = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--context", &v,
				   &missing)) {
			o->context = v;
		} else if (opt_arg(argc, argv, &i, "-n", "--namespace", &v,
				   &missing)) {
			o->ns = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--cluster", &v,
				   &missing)) {
			o->kube_cluster = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--user", &v,
				   &missing)) {
			o->user = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--color", &v,
				   &missing)) {
			if (missing)
				;
			else if (!strcmp(v, "always"))
				o->color = 1;
			else if (!strcmp(v, "never"))
				o->color = 0;
			else if (!strcmp(v, "auto"))
				o->color = -1;
			else {
				fprintf(stderr,
					"%s: --color '%s': auto, always or never\n",
					o->prog, v);
				return 2;
			}
		} else if (opt_arg(argc, argv, &i, NULL, "--production-pattern",
				   &v, &missing)) {
			o->prod_pattern = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--admin-url", &v,
				   &missing)) {
			o->admin_url = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--log-file", &v,
				   &missing)) {
			o->log_file = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--sort", &v,
				   &missing)) {
			o->sort = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--filter", &v,
				   &missing)) {
			o->filter = v;
		} else if (opt_arg(argc, argv, &i, NULL, "--frame", &v,
				   &missing) ||
			   opt_arg(argc, argv, &i, NULL, "--refresh", &v,
				   &missing)) {
			if (!missing && parse_int(v, 1, 10000, &n)) {
				fprintf(stderr,
					"%s: --frame '%s': a number of milliseconds from 1 to 10000\n",
					o->prog, v);
				return 2;
			}
			if (!missing)
				o->frame_ms = (int)n;
		} else {
			fprintf(stderr, "%s: unknown option '%s'\n", o->prog,
				a);
			fprintf(stderr, usage_text, o->prog);
			return 2;
		}
		if (missing) {
			fprintf(stderr, "%s: option '%s' needs a value\n",
				o->prog, a);
			return 2;
		}
	}
	return 0;
}

/* --- signals --------------------------------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	ssize_t MG_UNUSED w;

	w = write(sig_pipe[1], &c, 1);
	errno = saved;
}

static void
on_fatal(int sig)
{
	screen_emergency();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
setup_signals(void)
{
	static const int soft[] = { SIGWINCH, SIGTERM, SIGINT, SIGHUP,
				    SIGQUIT, SIGCONT };
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				     SIGABRT };
	struct sigaction sa;
	size_t i;
	int k;

	if (pipe(sig_pipe))
		return -1;
	for (k = 0; k < 2; k++) {
		fcntl(sig_pipe[k], F_SETFL,
		      fcntl(sig_pipe[k], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[k], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < ARRAY_SIZE(soft); i++)
		sigaction(soft[i], &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

static void
restore_signals(void)
{
	static const int all[] = { SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGQUIT,
				   SIGCONT, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				   SIGABRT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		signal(all[i], SIG_DFL);
	if (sig_pipe[0] >= 0) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
	}
}

/* Returns the signal that asks to quit, 0 if none. */
static int
drain_signals(struct tui *t)
{
	unsigned char buf[64];
	ssize_t n, i;
	int quit = 0;

	while ((n = read(sig_pipe[0], buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			switch (buf[i]) {
			case SIGWINCH:
			case SIGCONT:
				screen_resize();
				t->dirty |= DIRTY_ALL;
				if (buf[i] == SIGCONT)
					screen_redraw_all();
				break;
			default:
				quit = buf[i];
				break;
			}
		}
	}
	return quit;
}

/* --- production pattern -------------------------------------------- */

static int
looks_like_prod(const char *pattern, const char *context,
		const char *cluster, bool *out, char *why, size_t whylen)
{
	regex_t re;
	int rc;

	*out = false;
	if (!pattern || !*pattern)
		return 0;
	rc = regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc) {
		regerror(rc, &re, why, whylen);
		return -1;
	}
	*out = (context && !regexec(&re, context, 0, NULL, 0)) ||
	       (cluster && !regexec(&re, cluster, 0, NULL, 0));
	regfree(&re);
	return 0;
}

/* --- the loop -------------------------------------------------------- */

static void
frame(struct tui *t, int64_t now_ms)
{
	time_t now = time(NULL);
	uint64_t v = tui_source_version(t->src);
	int64_t changed = tui_source_changed_ms(t->src), t0 = 0, t1 = 0;

	/* rebuilt on every change, and every 2 s for the findings whose
	 * grace periods run out while nothing changes */
	if ((v != t->data_version || now - t->built_at >= 2) && !t->paused) {
		t->data_version = v;
		t->built_at = now;
		t0 = mg_time_mono_ms();
		tui_source_build(t->src, t->vt, now);
		t1 = mg_time_mono_ms();
		t->dirty |= DIRTY_BODY | DIRTY_DETAIL | DIRTY_HEADER;
		if (t->view == VIEW_PAGER && (t->pager_what == PAGER_YAML ||
					      t->pager_what == PAGER_FINDINGS))
			tui_refresh_pager(t);
	}
	if (t->view == VIEW_PAGER && t->pager_what == PAGER_LOG &&
	    t->pager.follow)
		tui_refresh_pager(t);
	if (now != t->drawn_sec)
		t->dirty |= DIRTY_HEADER;
	if (t->msg[0] && t->msg_until_ms && now_ms >= t->msg_until_ms) {
		t->msg[0] = '\0';
		t->dirty |= DIRTY_FOOTER;
	}
	if (mg_viewtree_generation(t->vt) != t->vt_gen)
		t->dirty |= DIRTY_BODY | DIRTY_DETAIL;
	if (!t->dirty)
		return;
	tui_draw(t, now_ms);
	if (t0 && changed && mg_log_enabled(MG_LOG_DEBUG))
		mg_log(MG_LOG_DEBUG,
		       "frame %lu: %zu nodes built in %lld ms, drawn in %lld ms, on screen %lld ms after the watch event",
		       t->frames, mg_viewtree_nnodes(t->vt),
		       (long long)(t1 - t0),
		       (long long)(mg_time_mono_ms() - t1),
		       (long long)(mg_time_mono_ms() - changed));
	t->drawn_sec = now;
	t->vt_gen = mg_viewtree_generation(t->vt);
	t->last_frame_ms = now_ms;
	t->dirty = 0;
	t->frames++;
}

static bool
stdin_gone(void)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static int
run(struct tui *t, struct mg_err *err)
{
	int quit_sig = 0;

	t->dirty = DIRTY_ALL;
	frame(t, mg_time_mono_ms());
	while (!t->quit) {
		int fds[2] = { STDIN_FILENO, sig_pipe[0] };
		short rev[2] = { 0, 0 };
		int64_t now_ms = mg_time_mono_ms(), due;
		int timeout, rc;
		bool pending;

		/* something to show: at the next frame; else at the next
		 * second (the header's clock), at the latest */
		pending = t->dirty || (tui_source_version(t->src) != t->data_version &&
				       !t->paused);
		if (pending) {
			due = t->last_frame_ms + t->opts.frame_ms;
		} else {
			struct timespec wall;

			clock_gettime(CLOCK_REALTIME, &wall);
			due = now_ms + 1000 - wall.tv_nsec / 1000000;
		}
		timeout = due > now_ms ? (int)(due - now_ms) : 0;
		if (timeout > 1000)
			timeout = 1000;
		rc = tui_source_run(t->src, timeout, fds, rev, 2, err);
		if (rc)
			return rc;
		if (rev[1]) {
			quit_sig = drain_signals(t);
			if (quit_sig)
				break;
		}
		if (rev[0]) {
			int key, nkeys = 0;

			while (!t->quit && (key = screen_getkey()) != TK_NONE) {
				tui_key(t, key);
				nkeys++;
			}
			if (!nkeys && stdin_gone())
				break;
		}
		tui_act_poll(t);
		now_ms = mg_time_mono_ms();
		if (now_ms - t->last_frame_ms >= t->opts.frame_ms)
			frame(t, now_ms);
	}
	if (quit_sig)
		logring_add(MG_LOG_INFO, "signal %d: leaving", quit_sig);
	return 0;
}

int
mg_tui_main(int argc, char **argv)
{
	struct mg_tui_opts o = MG_TUI_OPTS_INIT;
	int rc;

	if (argc > 0 && argv[0])
		o.prog = argv[0];
	rc = parse_args(&o, argc, argv);
	if (rc)
		return rc == 1 ? 0 : rc;
	return mg_tui_run(&o);
}

int
mg_tui_run(const struct mg_tui_opts *opts)
{
	static const enum mg_log_level levels[] = { MG_LOG_WARN, MG_LOG_INFO,
						    MG_LOG_DEBUG };
	struct tui t;
	struct mg_err err = MG_ERR_INIT;
	struct screen_opts so;
	const char *no_color = getenv("NO_COLOR");
	char why[256];
	int rc = 1;
	bool screen = false;

	memset(&t, 0, sizeof(t));
	t.opts = *opts;
	if (!t.opts.prog)
		t.opts.prog = "multigres-tui";
	if (!t.opts.prod_pattern)
		t.opts.prod_pattern = "prod";
	if (t.opts.frame_ms <= 0)
		t.opts.frame_ms = 50;
	if (t.opts.color < 0)
		t.opts.color = !(no_color && *no_color);
	if (t.opts.verbosity < 0)
		t.opts.verbosity = 0;
	if (t.opts.verbosity > 2)
		t.opts.verbosity = 2;
	if (t.opts.sort && mg_vt_sort_parse(t.opts.sort) < 0) {
		fprintf(stderr,
			"%s: --sort '%s': one of name, status, role, restarts, age, backup\n",
			t.opts.prog, t.opts.sort);
		return 2;
	}
	prompt_init(&t.filter_prompt);
	prompt_init(&t.cmd_prompt);
	t.cmd_prompt.words = tui_command_names;
	pager_init(&t.pager);
	t.vt = mg_viewtree_new();
	t.act = tui_act_new();
	t.detail = true;

	if (logring_start(t.opts.log_file, levels[t.opts.verbosity])) {
		fprintf(stderr, "%s: --log-file '%s': %s\n", t.opts.prog,
			t.opts.log_file, strerror(errno));
		goto out;
	}
	if (tui_source_new(&t.src, &t.opts, &err)) {
		fprintf(stderr, "%s: %s\n", t.opts.prog, err.msg);
		goto out;
	}
	if (looks_like_prod(t.opts.prod_pattern, tui_source_context(t.src),
			    tui_source_kubeconfig(t.src)->cluster_name,
			    &t.prod, why, sizeof(why))) {
		fprintf(stderr, "%s: --production-pattern '%s': %s\n",
			t.opts.prog, t.opts.prod_pattern, why);
		rc = 2;
		goto out;
	}
	if (t.opts.sort)
		mg_viewtree_set_sort(t.vt,
				     (enum mg_vt_sort)mg_vt_sort_parse(t.opts.sort),
				     false);
	if (t.opts.filter &&
	    mg_viewtree_set_filter(t.vt, t.opts.filter, &err)) {
		fprintf(stderr, "%s: --filter: %s\n", t.opts.prog, err.msg);
		rc = 2;
		goto out;
	}
	if (setup_signals()) {
		fprintf(stderr, "%s: pipe: %s\n", t.opts.prog, strerror(errno));
		goto out;
	}
	so.color = t.opts.color != 0;
	so.mouse = t.opts.mouse;
	if (screen_init(&so)) {
		fprintf(stderr, "%s: stdin and stdout must be a terminal\n",
			t.opts.prog);
		goto out;
	}
	screen = true;
	t.rows = screen_rows();
	t.cols = screen_cols();
	if (tui_source_start(t.src, &err))
		goto out;
	logring_add(MG_LOG_INFO, "started: context '%s', namespace '%s'%s",
		    tui_source_context(t.src),
		    *tui_source_namespace(t.src) ? tui_source_namespace(t.src) :
						   "(all)",
		    t.opts.write ? ", --write" : ", read-only");
	rc = run(&t, &err) ? 1 : 0;
out:
	/* the terminal first, so that messages after it are seen */
	if (screen)
		screen_end();
	restore_signals();
	if (err.code && screen)
		fprintf(stderr, "%s: %s\n", t.opts.prog, err.msg);
	tui_act_free(t.act);
	tui_source_free(t.src);
	mg_viewtree_free(t.vt);
	pager_release(&t.pager);
	free(t.pager_ref);
	prompt_release(&t.filter_prompt);
	prompt_release(&t.cmd_prompt);
	logring_stop();
	return rc;
}
