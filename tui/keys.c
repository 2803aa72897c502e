/*
 * keys.c - key bindings: one table drives both dispatch and the help
 * screen (htop's Action_setBindings, as data), so `?` lists every key
 * there is.
 */
#include "compat.h"

#include "app.h"
#include "screen.h"
#include "viewtree.h"
#include "xalloc.h"

enum {
	V_TREE = 1u << VIEW_TREE,
	V_EVENTS = 1u << VIEW_EVENTS,
	V_PAGER = 1u << VIEW_PAGER,
	V_ALL = V_TREE | V_EVENTS | V_PAGER,
};

struct binding {
	int keys[3];        /* 0 ends the list early */
	const char *label;  /* as the help shows the keys */
	const char *help;
	unsigned views;
	bool write;         /* needs --write */
	void (*fn)(struct tui *t, int key);
};

/* Rows of the list (tree, events) or pager on screen: a page. */
static size_t
body_height(const struct tui *t)
{
	return t->page_rows > 1 ? (size_t)t->page_rows : 1;
}

static void
mark(struct tui *t)
{
	t->dirty |= DIRTY_BODY | DIRTY_DETAIL | DIRTY_FOOTER;
}

/* --- tree view ------------------------------------------------------- */

static void
k_up(struct tui *t, int key)
{
	(void)key;
	if (t->view == VIEW_EVENTS) {
		if (t->ev_sel)
			t->ev_sel--;
	} else {
		mg_viewtree_move(t->vt, -1);
	}
	mark(t);
}

static void
k_down(struct tui *t, int key)
{
	(void)key;
	if (t->view == VIEW_EVENTS) {
		if (t->ev_sel + 1 < t->ev_count)
			t->ev_sel++;
	} else {
		mg_viewtree_move(t->vt, 1);
	}
	mark(t);
}

static void
k_page(struct tui *t, int key)
{
	long page = (long)body_height(t) - 1;
	bool up = key == TK_PGUP || key == TK_CTRL_B;

	if (page < 1)
		page = 1;
	if (t->view == VIEW_EVENTS) {
		if (up)
			t->ev_sel = t->ev_sel > (size_t)page ?
					    t->ev_sel - (size_t)page :
					    0;
		else if (t->ev_count)
			t->ev_sel = t->ev_sel + (size_t)page < t->ev_count ?
					    t->ev_sel + (size_t)page :
					    t->ev_count - 1;
	} else {
		mg_viewtree_move(t->vt, up ? -page : page);
	}
	mark(t);
}

static void
k_home(struct tui *t, int key)
{
	bool end = key == TK_END || key == 'G';

	if (t->view == VIEW_EVENTS)
		t->ev_sel = end && t->ev_count ? t->ev_count - 1 : 0;
	else
		mg_viewtree_move_to(t->vt, end ? MG_VT_NONE - 1 : 0);
	mark(t);
}

static void
k_toggle(struct tui *t, int key)
{
	(void)key;
	mg_viewtree_toggle(t->vt);
	mark(t);
}

static void
k_right(struct tui *t, int key)
{
	(void)key;
	mg_viewtree_right(t->vt);
	mark(t);
}

static void
k_left(struct tui *t, int key)
{
	(void)key;
	mg_viewtree_left(t->vt);
	mark(t);
}

static void
k_expand_all(struct tui *t, int key)
{
	mg_viewtree_expand_all(t->vt, key == '+');
	mark(t);
}

static void
k_filter(struct tui *t, int key)
{
	(void)key;
	t->input = INPUT_FILTER;
	prompt_start(&t->filter_prompt, mg_viewtree_filter(t->vt));
	t->dirty |= DIRTY_FOOTER;
}

static void
k_next_match(struct tui *t, int key)
{
	if (!*mg_viewtree_filter(t->vt)) {
		tui_msg(t, false, "no filter: / to set one");
		return;
	}
	if (!mg_viewtree_next_match(t->vt, key == 'N' ? -1 : 1))
		tui_msg(t, false, "no match for '%s'",
			mg_viewtree_filter(t->vt));
	mark(t);
}

static void
k_clear_filter(struct tui *t, int key)
{
	(void)key;
	if (*mg_viewtree_filter(t->vt)) {
		mg_viewtree_set_filter(t->vt, "", NULL);
		tui_msg(t, false, "filter cleared");
	}
	mark(t);
}

static void
k_sort(struct tui *t, int key)
{
	bool rev;
	int s = (int)mg_viewtree_sort(t->vt, &rev);

	if (key == 'I')
		rev = !rev;
	else if (key == '<')
		s = (s + MG_VT_NSORTS - 1) % MG_VT_NSORTS;
	else
		s = (s + 1) % MG_VT_NSORTS;
	mg_viewtree_set_sort(t->vt, (enum mg_vt_sort)s, rev);
	tui_msg(t, false, "sorted by %s%s", mg_vt_sort_name((enum mg_vt_sort)s),
		rev ? " (reversed)" : "");
	t->dirty |= DIRTY_ALL;
}

static void
k_detail(struct tui *t, int key)
{
	(void)key;
	t->detail = !t->detail;
	t->dirty |= DIRTY_ALL;
}

static void
k_yaml(struct tui *t, int key)
{
	const struct mg_vt_node *n;

	(void)key;
	n = mg_viewtree_sel_node(t->vt);
	if (!n || !n->ref) {
		tui_msg(t, true, "%s has no object to show",
			n ? n->name : "nothing selected:");
		return;
	}
	tui_open_pager(t, PAGER_YAML, n->ref);
}

static void
k_events(struct tui *t, int key)
{
	(void)key;
	t->view = t->view == VIEW_EVENTS ? VIEW_TREE : VIEW_EVENTS;
	t->dirty |= DIRTY_ALL;
}

static void
k_log(struct tui *t, int key)
{
	(void)key;
	tui_open_pager(t, PAGER_LOG, NULL);
}

static void
k_findings(struct tui *t, int key)
{
	(void)key;
	tui_open_pager(t, PAGER_FINDINGS, NULL);
}

static void
k_help(struct tui *t, int key)
{
	(void)key;
	tui_open_pager(t, PAGER_HELP, NULL);
}

static void
k_command(struct tui *t, int key)
{
	(void)key;
	t->input = INPUT_COMMAND;
	prompt_start(&t->cmd_prompt, NULL);
	t->dirty |= DIRTY_FOOTER;
}

static void
k_pause(struct tui *t, int key)
{
	(void)key;
	t->paused = !t->paused;
	tui_msg(t, false, "%s", t->paused ? "paused: the view no longer follows the cluster (Z resumes)" :
				      "resumed");
	t->dirty |= DIRTY_ALL;
}

static void
k_redraw(struct tui *t, int key)
{
	(void)key;
	screen_redraw_all();
	t->dirty |= DIRTY_ALL;
}

static void
k_quit(struct tui *t, int key)
{
	(void)key;
	if (t->view != VIEW_TREE) {
		t->view = t->view == VIEW_PAGER ? t->back : VIEW_TREE;
		if (t->view == VIEW_PAGER)
			t->view = VIEW_TREE;
		t->dirty |= DIRTY_ALL;
		return;
	}
	t->quit = true;
}

static void
k_escape(struct tui *t, int key)
{
	if (t->view == VIEW_TREE)
		k_clear_filter(t, key);
	else
		k_quit(t, key);
}

static void
k_drain(struct tui *t, int key)
{
	(void)key;
	tui_act_begin(t, TUI_ACT_DRAIN, false);
}

static void
k_switchover(struct tui *t, int key)
{
	(void)key;
	tui_act_begin(t, TUI_ACT_SWITCHOVER, false);
}

/* Enter in the events view: to the object in the tree. */
static void
k_event_goto(struct tui *t, int key)
{
	struct tui_event *evs = NULL;
	size_t n = tui_source_events(t->src, &evs);

	(void)key;
	if (t->ev_sel < n) {
		const char *obj = evs[t->ev_sel].ref;
		size_t i;

		/* object is "Kind/ns/name"; tree nodes carry it as ref */
		for (i = 0; i < mg_viewtree_nnodes(t->vt); i++) {
			const struct mg_vt_node *nd = mg_viewtree_node(t->vt, i);

			if (nd->ref && !strcmp(nd->ref, obj)) {
				if (!mg_viewtree_select_key(t->vt, nd->key))
					tui_msg(t, false,
						"%s is hidden by the filter",
						obj);
				t->view = VIEW_TREE;
				t->dirty |= DIRTY_ALL;
				free(evs);
				return;
			}
		}
		tui_msg(t, false, "%s is not in the tree", obj);
	}
	free(evs);
}

static const struct binding bindings[] = {
	{ { TK_UP, 'k' }, "Up k", "move up", V_TREE | V_EVENTS, false, k_up },
	{ { TK_DOWN, 'j' }, "Down j", "move down", V_TREE | V_EVENTS, false,
	  k_down },
	{ { TK_PGUP, TK_CTRL_B }, "PgUp ^B", "page up", V_TREE | V_EVENTS,
	  false, k_page },
	{ { TK_PGDN, TK_CTRL_F }, "PgDn ^F", "page down", V_TREE | V_EVENTS,
	  false, k_page },
	{ { TK_HOME, 'g' }, "Home g", "first row", V_TREE | V_EVENTS, false,
	  k_home },
	{ { TK_END, 'G' }, "End G", "last row", V_TREE | V_EVENTS, false,
	  k_home },
	{ { TK_ENTER, 'o' }, "Enter o", "expand or collapse", V_TREE, false,
	  k_toggle },
	{ { TK_RIGHT, 'l' }, "Right l", "expand, then to the first child",
	  V_TREE, false, k_right },
	{ { TK_LEFT, 'h' }, "Left h", "collapse, then to the parent", V_TREE,
	  false, k_left },
	{ { '+' }, "+", "expand everything", V_TREE, false, k_expand_all },
	{ { '-' }, "-", "collapse everything", V_TREE, false, k_expand_all },
	{ { '/' }, "/", "filter (regex terms; field:re, !negate)", V_TREE,
	  false, k_filter },
	{ { 'n' }, "n", "next match", V_TREE, false, k_next_match },
	{ { 'N' }, "N", "previous match", V_TREE, false, k_next_match },
	{ { TK_ESC }, "Esc", "clear the filter; back from a view", V_ALL,
	  false, k_escape },
	{ { 's', '>' }, "s >", "next sort order", V_TREE, false, k_sort },
	{ { '<' }, "<", "previous sort order", V_TREE, false, k_sort },
	{ { 'I' }, "I", "invert the sort order", V_TREE, false, k_sort },
	{ { 'd' }, "d", "detail pane on/off", V_TREE, false, k_detail },
	{ { 'y' }, "y", "YAML of the selection", V_TREE, false, k_yaml },
	{ { 'e', TK_TAB }, "e Tab", "events view / back to the tree",
	  V_TREE | V_EVENTS, false, k_events },
	{ { TK_ENTER }, "Enter", "events view: go to the event's object",
	  V_EVENTS, false, k_event_goto },
	{ { 'F' }, "F", "every health finding, worst first",
	  V_TREE | V_EVENTS, false, k_findings },
	{ { 'L' }, "L", "the dashboard's log", V_TREE | V_EVENTS, false,
	  k_log },
	{ { 'Z' }, "Z", "pause / resume following the cluster",
	  V_TREE | V_EVENTS, false, k_pause },
	{ { 'D' }, "D", "drain the selected pod (asks first)", V_TREE, true,
	  k_drain },
	{ { 'S' }, "S", "switch over the selected shard (asks first)", V_TREE,
	  true, k_switchover },
	{ { '?', TK_F1 }, "? F1", "this help", V_TREE | V_EVENTS, false,
	  k_help },
	{ { ':' }, ":", "command line (Up/Down history, Tab completes)",
	  V_TREE | V_EVENTS, false, k_command },
	{ { TK_CTRL_L }, "^L", "repaint the screen", V_ALL, false, k_redraw },
	{ { 'q', TK_F10 }, "q F10", "quit; back from a view", V_ALL, false,
	  k_quit },
};

void
tui_help_text(struct mg_buf *out, bool write)
{
	static const char *const view_names[] = { "tree", "events", "pager" };
	size_t i;

	mg_buf_adds(out, "KEYS\n\n");
	for (i = 0; i < ARRAY_SIZE(bindings); i++) {
		const struct binding *b = &bindings[i];

		mg_buf_addf(out, "  %-9s %s", b->label, b->help);
		if (b->views != V_ALL) {
			unsigned v;
			bool first = true;

			mg_buf_adds(out, " [");
			for (v = 0; v < ARRAY_SIZE(view_names); v++)
				if (b->views & (1u << v)) {
					mg_buf_addf(out, "%s%s",
						    first ? "" : ", ",
						    view_names[v]);
					first = false;
				}
			mg_buf_adds(out, "]");
		}
		if (b->write && !write)
			mg_buf_adds(out, " (needs --write)");
		mg_buf_adds(out, "\n");
	}
	mg_buf_adds(out,
		    "  mouse     click selects, wheel scrolls (with --mouse)\n"
		    "\nIN THE PAGER (help, YAML, log)\n\n"
		    "  Up Down j k, PgUp PgDn Space b, Home End g G, Left Right h l\n"
		    "  q Esc     back\n"
		    "\nON THE FILTER AND COMMAND LINES\n\n"
		    "  Enter     apply           Esc       cancel\n"
		    "  Up Down   history         Tab       complete a command\n"
		    "  ^A ^E     start, end      ^U ^K ^W  delete to start, end, word\n"
		    "\nIN A CONFIRMATION DIALOG\n\n"
		    "  y         do it           n Esc     cancel\n"
		    "  f         plan again, overriding what may be forced\n"
		    "\nFILTER\n\n"
		    "  Terms separated by spaces must all match (case ignored).\n"
		    "  A term is an extended regular expression matched against kind,\n"
		    "  name, role, status, drain state and cell; field:re matches one\n"
		    "  field (kind name role status drain cell ns); !term negates.\n"
		    "  Example: /kind:pod !role:primary   /status:degraded\n"
		    "\n");
	tui_command_help(out);
}

void
tui_open_pager(struct tui *t, enum tui_pager_what what, const char *ref)
{
	if (t->view != VIEW_PAGER)
		t->back = t->view;
	t->view = VIEW_PAGER;
	t->pager_what = what;
	free(t->pager_ref);
	t->pager_ref = ref ? mg_xstrdup(ref) : NULL;
	t->pager.top = 0;
	t->pager.left = 0;
	t->pager.follow = what == PAGER_LOG;
	tui_refresh_pager(t);
	t->dirty |= DIRTY_ALL;
}

/* Fills the pager again from its source (live views). */
void
tui_refresh_pager(struct tui *t)
{
	struct mg_buf text = MG_BUF_INIT;
	char title[300];
	bool keep = true;

	switch (t->pager_what) {
	case PAGER_YAML:
		snprintf(title, sizeof(title), "YAML %s", t->pager_ref);
		if (!tui_source_yaml(t->src, t->pager_ref, &text)) {
			mg_buf_reset(&text);
			mg_buf_addf(&text, "%s is gone (deleted, or no longer watched)\n",
				    t->pager_ref);
		}
		break;
	case PAGER_HELP:
		snprintf(title, sizeof(title), "Help");
		tui_help_text(&text, t->opts.write);
		break;
	case PAGER_LOG: {
		struct logline *lines = mg_xcalloc(LOGRING_LINES,
						   sizeof(*lines));
		size_t i, n = logring_copy(lines, LOGRING_LINES);

		snprintf(title, sizeof(title), "Log (%zu lines)", n);
		for (i = 0; i < n; i++) {
			struct tm tm;
			char ts[16] = "";

			if (gmtime_r(&lines[i].when, &tm))
				strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
			mg_buf_addf(&text, "%s %-5s %s\n", ts,
				    mg_log_level_name(lines[i].level),
				    lines[i].msg);
		}
		if (!n)
			mg_buf_adds(&text, "(nothing logged)\n");
		free(lines);
		break;
	}
	case PAGER_FINDINGS:
		snprintf(title, sizeof(title), "Findings");
		tui_source_findings(t->src, time(NULL), &text);
		break;
	case PAGER_TEXT:
		mg_buf_release(&text);
		return;
	}
	pager_set(&t->pager, title, text.data, text.len, keep);
	if (t->pager.follow) {
		size_t h = body_height(t);

		t->pager.top = t->pager.nlines > h ? t->pager.nlines - h : 0;
	}
	mg_buf_release(&text);
	t->dirty |= DIRTY_BODY | DIRTY_HEADER;
}

static void
finish_prompt(struct tui *t, enum tui_input which)
{
	struct prompt *p = which == INPUT_FILTER ? &t->filter_prompt :
						   &t->cmd_prompt;
	char *line = mg_xstrdup(p->line.data);

	t->input = INPUT_NONE;
	prompt_remember(p, line);
	if (which == INPUT_FILTER) {
		struct mg_err err = MG_ERR_INIT;

		if (mg_viewtree_set_filter(t->vt, line, &err))
			tui_msg(t, true, "%s", err.msg);
		else if (*line)
			tui_msg(t, false, "%zu match%s: n/N to move, Esc clears",
				mg_viewtree_nmatches(t->vt),
				mg_viewtree_nmatches(t->vt) == 1 ? "" : "es");
	} else {
		tui_command(t, line);
	}
	free(line);
	t->dirty |= DIRTY_ALL;
}

static void
mouse(struct tui *t)
{
	int row, col, wheel;

	screen_mouse(&row, &col, &wheel);
	if (t->view == VIEW_PAGER) {
		if (wheel)
			pager_key(&t->pager, wheel < 0 ? TK_UP : TK_DOWN,
				  body_height(t));
		t->dirty |= DIRTY_BODY;
		return;
	}
	if (wheel) {
		if (wheel < 0)
			k_up(t, TK_UP);
		else
			k_down(t, TK_DOWN);
		return;
	}
	if (t->view == VIEW_TREE && row >= t->list_top &&
	    (size_t)(row - t->list_top) < body_height(t)) {
		size_t top = mg_viewtree_top(t->vt, body_height(t));

		mg_viewtree_move_to(t->vt, top + (size_t)(row - t->list_top));
		mark(t);
	}
	(void)col;
}

void
tui_key(struct tui *t, int key)
{
	size_t i, j;

	if (key == TK_RESIZE) {
		t->dirty |= DIRTY_ALL;
		return;
	}
	/* a message that waits for a key goes with any key */
	if (t->msg[0] && !t->msg_until_ms) {
		t->msg[0] = '\0';
		t->dirty |= DIRTY_FOOTER;
	}
	if (tui_act_key(t, key))
		return;
	if (t->input != INPUT_NONE) {
		enum tui_input which = t->input;
		struct prompt *p = which == INPUT_FILTER ? &t->filter_prompt :
							   &t->cmd_prompt;

		switch (prompt_key(p, key)) {
		case PROMPT_DONE:
			finish_prompt(t, which);
			break;
		case PROMPT_CANCELLED:
			t->input = INPUT_NONE;
			break;
		case PROMPT_EDITING:
			break;
		}
		t->dirty |= DIRTY_FOOTER;
		return;
	}
	if (key == TK_MOUSE) {
		mouse(t);
		return;
	}
	if (t->view == VIEW_PAGER && pager_key(&t->pager, key, body_height(t))) {
		t->dirty |= DIRTY_BODY;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(bindings); i++) {
		const struct binding *b = &bindings[i];

		if (!(b->views & (1u << t->view)))
			continue;
		for (j = 0; j < ARRAY_SIZE(b->keys) && b->keys[j]; j++) {
			if (b->keys[j] != key)
				continue;
			if (b->write && !t->opts.write) {
				tui_msg(t, true,
					"read-only: '%s' (%s) needs --write",
					b->label, b->help);
				return;
			}
			b->fn(t, key);
			return;
		}
	}
}
