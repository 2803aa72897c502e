/*
 * app.h - the dashboard's state and the pieces of tui/ that share it.
 *
 *   app.c      options, start-up, the event loop, signals, shutdown
 *   source.c   the data: kubeconfig, client, snapshot fed by LIST+WATCH,
 *              connection health, findings; the view tree built from it
 *   draw.c     every view and panel, drawn with screen.h only
 *   keys.c     key bindings (one table: dispatch and the help screen)
 *   cmd.c      the ':' command line (one table: dispatch, help, Tab)
 *   act.c      drain and switchover: plan, confirmation dialog, apply, in
 *              a worker thread so the screen stays live
 *   pager.c    a scrollable text (YAML, help, log)
 *   logring.c  the library's log sink: a ring of recent lines, and a file
 *   screen.c   curses (the only file that includes it)
 *
 * Everything runs on the main thread except the action worker (act.c),
 * which touches only its own client and hands results back under a lock.
 */
#ifndef MG_TUI_APP_H
#define MG_TUI_APP_H

#include "compat.h"

#include "buf.h"
#include "err.h"
#include "log.h"
#include "prompt.h"
#include "tui.h"

struct mg_viewtree;
struct tui_source;
struct tui_act;

/* --- pager ----------------------------------------------------------- */

struct pager {
	char title[256];
	struct mg_buf text;
	size_t *lines; /* offsets of line starts */
	size_t nlines;
	size_t top;
	size_t left;   /* horizontal scroll, in columns */
	bool follow;   /* stick to the end (log view) */
};

void pager_init(struct pager *p);
void pager_release(struct pager *p);
/* Replaces the text (copied); keeps the scroll position when keep. */
void pager_set(struct pager *p, const char *title, const char *text,
	       size_t len, bool keep);
/* One line, without its newline: start and length. */
const char *pager_line(const struct pager *p, size_t i, size_t *len);
/* Keys: arrows, j/k, PgUp/PgDn, Space, g/G, Home/End, h/l. True when
 * the key was one of them. */
bool pager_key(struct pager *p, int key, size_t height);

/* --- log ring ------------------------------------------------------------ */

#define LOGRING_LINES 500

struct logline {
	time_t when;
	enum mg_log_level level;
	char msg[240];
};

/* Installs the library's log sink (mg_log_set_sink): lines go to a ring
 * (and to file when not NULL, opened for appending). -1 with errno when
 * the file cannot be opened. */
int logring_start(const char *file, enum mg_log_level max);
void logring_stop(void);
/* A copy of the ring, oldest first (returns how many). */
size_t logring_copy(struct logline *out, size_t max);
/* Lines added since start (to know whether the log view is stale). */
unsigned long logring_count(void);
/* From the front-end itself (not the library): also into the ring. */
void logring_add(enum mg_log_level level, const char *fmt, ...)
	MG_PRINTF(2, 3);

/* --- the application ------------------------------------------------------ */

enum tui_view {
	VIEW_TREE,
	VIEW_EVENTS,
	VIEW_PAGER, /* YAML, help, log: the pager */
};

enum tui_input {
	INPUT_NONE,
	INPUT_FILTER,
	INPUT_COMMAND,
};

/* What the pager shows, so that it can be refreshed live. */
enum tui_pager_what {
	PAGER_YAML,
	PAGER_HELP,
	PAGER_LOG,
	PAGER_FINDINGS,
	PAGER_TEXT,
};

/* Regions to redraw. */
enum {
	DIRTY_HEADER = 1u << 0,
	DIRTY_BODY = 1u << 1,
	DIRTY_DETAIL = 1u << 2,
	DIRTY_FOOTER = 1u << 3,
	DIRTY_OVERLAY = 1u << 4,
	DIRTY_ALL = 0xffu,
};

struct tui_event_row; /* draw.c: the events view's rows */

struct tui {
	struct mg_tui_opts opts; /* defaults filled in */
	struct tui_source *src;
	struct mg_viewtree *vt;
	struct tui_act *act;

	bool quit;
	bool paused;          /* Z: the view stops following the data */
	bool prod;            /* the context looks like production */
	bool detail;          /* the detail pane is shown */
	enum tui_view view;
	enum tui_view back;   /* where q/Esc in the pager goes */
	enum tui_input input;
	struct prompt filter_prompt, cmd_prompt;

	struct pager pager;
	enum tui_pager_what pager_what;
	char *pager_ref;      /* the object of a YAML pager */

	/* the events view */
	size_t ev_sel, ev_top, ev_count;

	/* what was drawn, to redraw only on change */
	unsigned dirty;
	uint64_t data_version; /* source version the tree was built from */
	time_t built_at;       /* when, for findings with grace periods */
	unsigned long vt_gen;  /* viewtree generation drawn */
	time_t drawn_sec;      /* wall second the header was drawn at */
	int64_t last_frame_ms;
	int rows, cols;
	int page_rows;         /* rows of the list or pager, as last drawn */
	int list_top;          /* screen row of the list's first row */

	/* the message line: errors, results, hints */
	char msg[512];
	bool msg_error;
	int64_t msg_until_ms; /* 0: until the next key */
	unsigned long frames; /* frames drawn (for tests and benchmarks) */
};

/* The message line (printf-like); error messages stay until a key. */
void tui_msg(struct tui *t, bool error, const char *fmt, ...) MG_PRINTF(3, 4);

/* source.c */
int tui_source_new(struct tui_source **out, const struct mg_tui_opts *opts,
		   struct mg_err *err);
void tui_source_free(struct tui_source *s);
/* Starts the watches on the source's loop. */
int tui_source_start(struct tui_source *s, struct mg_err *err);
/* Runs the loop up to timeout_ms, also waiting on extra fds (their
 * revents are set). */
int tui_source_run(struct tui_source *s, int timeout_ms, const int *fds,
		   short *revents, unsigned nfds, struct mg_err *err);
void tui_source_wakeup(struct tui_source *s);
/* Grows with every change of the data, and of the connection state. */
uint64_t tui_source_version(const struct tui_source *s);
/* mg_time_mono_ms() when the loop first saw data not yet built into
 * the tree (0: none pending): for the frame-latency log line. */
int64_t tui_source_changed_ms(const struct tui_source *s);
/* Rebuilds the tree from the snapshot (and findings, at `now`). */
void tui_source_build(struct tui_source *s, struct mg_viewtree *vt,
		      time_t now);
/* For the header. */
const char *tui_source_context(const struct tui_source *s);
const char *tui_source_namespace(const struct tui_source *s); /* "" = all */
const char *tui_source_server(const struct tui_source *s);
const char *tui_source_kubeconfig_path(const struct tui_source *s);

struct tui_health {
	bool synced;       /* every watch has listed once */
	bool online;       /* every watch is streaming */
	bool reachable;    /* offline, but the server answers: watches fail */
	time_t offline_since; /* 0 while online */
	time_t last_event; /* the last watch event or bookmark */
	char error[256];   /* the last watch error, "" if none */
	size_t clusters, cells, tablegroups, shards, pods, pods_ready;
	size_t findings[4]; /* by severity: ok (unused), warn, error, fatal */
	char headline[256]; /* the worst finding, "" if none */
};
void tui_source_health(const struct tui_source *s, time_t now,
		       struct tui_health *out);

/* Text for the detail pane of a node (by its ref "Kind/ns/name" or, for
 * a node without an object, its key), lines ending in '\n'. */
void tui_source_detail(const struct tui_source *s, const char *ref,
		       const char *key, time_t now, struct mg_buf *out);
/* Every finding, worst first, one per line. */
void tui_source_findings(const struct tui_source *s, time_t now,
			 struct mg_buf *out);
/* The object's YAML; false when the object is not (or no longer) kept. */
bool tui_source_yaml(const struct tui_source *s, const char *ref,
		     struct mg_buf *out);

/* The events view: every kept event, newest first. */
struct tui_event {
	time_t last;
	long count;
	bool warning;
	const char *reason, *note; /* borrowed until the next run */
	char object[320];          /* shown: "Kind/name" ("Kind/ns/name" with -A) */
	char ref[320];             /* "Kind/ns/name", as tree nodes carry it */
};
size_t tui_source_events(const struct tui_source *s, struct tui_event **out);

/* For actions: the loaded kubeconfig (lives as long as the source). */
const struct mg_kubeconfig *tui_source_kubeconfig(const struct tui_source *s);

/* draw.c */
void tui_draw(struct tui *t, int64_t now_ms);
/* An age as kubectl prints them ("45s", "3m20s", "5h", "3d4h"); "-" for
 * a negative (unknown) one. */
void tui_age(char out[16], long long seconds);
void tui_help_text(struct mg_buf *out, bool write);

/* keys.c */
void tui_key(struct tui *t, int key);
void tui_open_pager(struct tui *t, enum tui_pager_what what,
		    const char *ref);
void tui_refresh_pager(struct tui *t);

/* cmd.c */
void tui_command(struct tui *t, const char *line);
/* Names of the commands, NULL-terminated (completion). */
extern const char *const tui_command_names[];
void tui_command_help(struct mg_buf *out);

/* act.c */
enum tui_action {
	TUI_ACT_DRAIN,
	TUI_ACT_SWITCHOVER,
};
struct tui_act *tui_act_new(void);
void tui_act_free(struct tui_act *a);
/* Starts planning an action on the selected node. */
void tui_act_begin(struct tui *t, enum tui_action what, bool force);
/* A key while the dialog is up; false when no dialog is up. */
bool tui_act_key(struct tui *t, int key);
/* After each loop run: picks up what the worker finished. */
void tui_act_poll(struct tui *t);
bool tui_act_dialog(const struct tui *t);
bool tui_act_busy(const struct tui *t);
/* The dialog's text: title and body (lines), buttons. */
void tui_act_dialog_text(const struct tui *t, const char **title,
			 const char **body, const char **buttons,
			 bool *danger);
/* One line about the action under way, "" if none. */
const char *tui_act_status(const struct tui *t);

#endif /* MG_TUI_APP_H */
