/*
 * draw.c - every panel of the dashboard, drawn with screen.h.
 *
 *   [PRODUCTION banner]        when the context matches the pattern
 *   header                     context, namespace, mode, freshness
 *   summary                    counts and health
 *   [API server banner]        while the connection is lost
 *   column titles + tree       (or the events view, or a pager)
 *   [detail pane]              the selection: conditions, events
 *   message / prompt line
 *   key hints
 *
 * Only the regions marked dirty are drawn, each line written whole
 * (padded, never erased first), and curses sends only the cells that
 * differ: nothing flickers and an idle frame costs a few bytes.
 */
#include "compat.h"

#include "app.h"
#include "screen.h"
#include "viewtree.h"
#include "xalloc.h"

struct layout {
	int rows, cols;
	int prod_row;    /* -1 when absent */
	int header_row;
	int summary_row;
	int offline_row; /* -1 when absent */
	int body_top, body_rows; /* column titles included for the tree */
	int detail_top, detail_rows; /* 0 rows: no pane */
	int msg_row, hint_row;
};

static struct layout last_layout;

void
tui_age(char out[16], long long s)
{
	if (s > 99999LL * 86400)
		s = 99999LL * 86400;
	if (s < 0)
		snprintf(out, 16, "-");
	else if (s < 120)
		snprintf(out, 16, "%llds", s);
	else if (s < 600)
		snprintf(out, 16, "%lldm%llds", s / 60, s % 60);
	else if (s < 3 * 3600)
		snprintf(out, 16, "%lldm", s / 60);
	else if (s < 8 * 3600)
		snprintf(out, 16, "%lldh%lldm", s / 3600, s / 60 % 60);
	else if (s < 48 * 3600)
		snprintf(out, 16, "%lldh", s / 3600);
	else if (s < 8 * 86400)
		snprintf(out, 16, "%lldd%lldh", s / 86400, s / 3600 % 24);
	else
		snprintf(out, 16, "%lldd", s / 86400);
}

static void
compute_layout(const struct tui *t, const struct tui_health *h,
	       struct layout *l)
{
	int r = 0;

	l->rows = screen_rows();
	l->cols = screen_cols();
	l->prod_row = t->prod ? r++ : -1;
	l->header_row = r++;
	l->summary_row = r++;
	l->offline_row = h->synced && !h->online ? r++ : -1;
	l->hint_row = l->rows - 1;
	l->msg_row = l->rows - 2;
	l->body_top = r;
	l->body_rows = l->msg_row - r;
	l->detail_rows = 0;
	l->detail_top = l->msg_row;
	if (t->view == VIEW_TREE && t->detail && l->body_rows >= 10) {
		l->detail_rows = l->rows >= 30 ? 12 : 7;
		if (l->body_rows - l->detail_rows < 4)
			l->detail_rows = l->body_rows - 4;
		l->body_rows -= l->detail_rows;
		l->detail_top = l->body_top + l->body_rows;
	}
	if (l->body_rows < 1)
		l->body_rows = 1;
}

/* Writes a whole line: text, then padding to the end. */
static void
line(int row, int col, int width, enum screen_style style, const char *s)
{
	int n = screen_put(row, col, style, s, width);

	screen_fill(row, col + n, width - n, style);
}

/* s shortened to fit width columns by cutting its middle ("ab…yz"). */
static void
fit_middle(char *out, size_t outlen, const char *s, int width)
{
	size_t len = strlen(s);

	if (width <= 0) {
		out[0] = '\0';
		return;
	}
	if ((int)len <= width || width < 5) {
		snprintf(out, outlen, "%.*s", width, s);
		return;
	}
	/* "…" is 3 bytes, 1 column; ASCII names assumed for the cut */
	snprintf(out, outlen, "%.*s%s%s", (width - 1) / 2, s,
		 screen_utf8() ? "\xe2\x80\xa6" : "~",
		 s + len - (size_t)(width - 1 - (width - 1) / 2));
}

/* --- header ---------------------------------------------------------- */

static void
draw_header(struct tui *t, const struct layout *l, const struct tui_health *h)
{
	char left[512], right[128], buf[700], age[16];
	time_t now = time(NULL);
	const char *ns = tui_source_namespace(t->src);
	int rw;

	if (l->prod_row >= 0) {
		snprintf(buf, sizeof(buf),
			 " PRODUCTION  context '%s' matches /%s/%s",
			 tui_source_context(t->src), t->opts.prod_pattern,
			 t->opts.write ? "  --write: actions are live" :
					 "  (read-only)");
		line(l->prod_row, 0, l->cols, SCR_PROD, buf);
	}
	snprintf(left, sizeof(left), " multigres  ctx %s  ns %s  %s",
		 tui_source_context(t->src), *ns ? ns : "(all)",
		 t->opts.write ? "WRITE" : "read-only");
	if (t->paused)
		snprintf(right, sizeof(right), "PAUSED ");
	else if (!h->synced)
		snprintf(right, sizeof(right), "loading... ");
	else if (!h->online) {
		tui_age(age, (long long)(now - h->offline_since));
		snprintf(right, sizeof(right), "OFFLINE %s ", age);
	} else if (h->last_event) {
		tui_age(age, (long long)(now - h->last_event));
		snprintf(right, sizeof(right), "live, event %s ago ", age);
	} else {
		snprintf(right, sizeof(right), "live ");
	}
	rw = (int)strlen(right);
	if (rw > l->cols / 2)
		rw = l->cols / 2;
	screen_fill(l->header_row, 0, l->cols, SCR_HEADER);
	screen_put(l->header_row, 0, SCR_HEADER, left, l->cols - rw - 1);
	screen_put(l->header_row, l->cols - rw,
		!h->synced || h->online ? SCR_HEADER : SCR_OFFLINE, right, rw);

	/* summary: counts and health */
	{
		char counts[256], health[384];
		enum screen_style hs = SCR_OK;
		int n;

		snprintf(counts, sizeof(counts),
			 " %zu cluster%s %zu cell%s %zu tg %zu shard%s %zu/%zu pods ready",
			 h->clusters, h->clusters == 1 ? "" : "s", h->cells,
			 h->cells == 1 ? "" : "s", h->tablegroups, h->shards,
			 h->shards == 1 ? "" : "s", h->pods_ready, h->pods);
		if (h->findings[3] || h->findings[2]) {
			hs = h->findings[3] ? SCR_FATAL : SCR_ERROR;
			snprintf(health, sizeof(health), "  %zu error%s%s%s: %s",
				 h->findings[2] + h->findings[3],
				 h->findings[2] + h->findings[3] == 1 ? "" : "s",
				 h->findings[1] ? ", warnings " : "",
				 h->findings[1] ? "too" : "", h->headline);
		} else if (h->findings[1]) {
			hs = SCR_WARN;
			snprintf(health, sizeof(health), "  %zu warning%s: %s",
				 h->findings[1], h->findings[1] == 1 ? "" : "s",
				 h->headline);
		} else if (h->synced) {
			snprintf(health, sizeof(health), "  healthy");
		} else {
			snprintf(health, sizeof(health), "  ...");
			hs = SCR_DIM;
		}
		n = screen_put(l->summary_row, 0, SCR_BOLD, counts, l->cols);
		line(l->summary_row, n, l->cols - n, hs, health);
	}
	if (l->offline_row >= 0) {
		struct tm tm;
		char at[16] = "";

		if (gmtime_r(&h->offline_since, &tm))
			strftime(at, sizeof(at), "%H:%M:%S", &tm);
		tui_age(age, (long long)(now - h->offline_since));
		if (h->reachable)
			snprintf(buf, sizeof(buf),
				 " watches failing since %s UTC (%s): last known state shown, retrying - %s",
				 at, age, h->error);
		else
			snprintf(buf, sizeof(buf),
				 " API server unreachable since %s UTC (%s): last known state shown, retrying%s%s",
				 at, age, h->error[0] ? " - " : "", h->error);
		line(l->offline_row, 0, l->cols, SCR_OFFLINE, buf);
	}
}

/* --- tree ------------------------------------------------------------ */

struct cols {
	int name, role, ready, drift, drain, backup, rst, status, age;
	bool wide;
};

static void
tree_columns(int width, struct cols *c)
{
	c->wide = width >= 110;
	c->role = 7;
	c->ready = 5;
	c->drift = 5;
	c->drain = 9;
	c->backup = 6;
	c->rst = 4;
	c->status = c->wide ? 12 : 0;
	c->age = c->wide ? 6 : 0;
	c->name = width - (c->role + c->ready + c->drift + c->drain +
			   c->backup + c->rst + 6) -
		  (c->wide ? c->status + c->age + 2 : 0);
	if (c->name < 10)
		c->name = 10;
}

static const char *
short_drain(const char *d)
{
	if (!d || !*d)
		return "";
	if (!strcmp(d, "acknowledged"))
		return "acked";
	if (!strcmp(d, "ready-for-deletion"))
		return "ready-del";
	return d;
}

static const char *
short_role(const char *r)
{
	if (!r)
		return "";
	if (!strcmp(r, "QUARANTINED"))
		return "QUARANT";
	return r;
}

static enum screen_style
sev_style(enum mg_vt_sev s)
{
	switch (s) {
	case MG_VT_SEV_OK:
		break;
	case MG_VT_SEV_WARN:
		return SCR_WARN;
	case MG_VT_SEV_ERROR:
		return SCR_ERROR;
	case MG_VT_SEV_FATAL:
		return SCR_FATAL;
	}
	return SCR_NORMAL;
}

/* One cell of a column: right-aligned numbers, left-aligned words. */
static int
cell(int row, int col, int width, enum screen_style st, const char *s,
     bool right)
{
	char buf[64];

	snprintf(buf, sizeof(buf), right ? "%*.*s" : "%-*.*s", width, width,
		 s);
	screen_put(row, col, st, buf, width);
	return col + width + 1;
}

static void
draw_tree_row(const struct tui *t, int row, const struct mg_vt_row *r,
	      bool selected, const struct cols *c, int width)
{
	const struct mg_vt_node *n = r->node;
	enum screen_style base = selected ? SCR_SELECTED : SCR_NORMAL;
	enum screen_style name_st = selected ? SCR_SELECTED : sev_style(n->sev);
	char name[256], buf[32];
	int col = 0;
	unsigned d;
	bool pod = n->kind == MG_VT_POD;
	bool filtering = *mg_viewtree_filter(t->vt);

	screen_fill(row, 0, width, base);
	/* guides and connector */
	for (d = 1; r->depth && d < r->depth; d++, col += 2)
		if (d - 1 < 64 && (r->guides >> (d - 1)) & 1)
			screen_glyph(row, col, base, SCR_G_VLINE);
	if (r->depth) {
		screen_glyph(row, col, base,
			  r->last ? SCR_G_LLCORNER : SCR_G_LTEE);
		screen_glyph(row, col + 1, base, SCR_G_HLINE);
		col += 2;
	}
	screen_put(row, col, base,
		r->has_children ? (r->expanded ? "-" : "+") : " ", 1);
	col += 2;
	if (!selected && filtering && n->match)
		name_st = SCR_MATCH;
	else if (!selected && n->sev == MG_VT_SEV_OK && n->worst > MG_VT_SEV_OK &&
		 !r->expanded)
		name_st = sev_style(n->worst); /* trouble hidden inside */
	if (n->kind != MG_VT_POD && n->kind != MG_VT_OTHER) {
		static const char *const kw[] = { "cluster ", "cell ", "tg ",
						  "shard ", "pool " };

		col += screen_put(row, col, selected ? base : SCR_DIM,
				  kw[n->kind], c->name - col);
	}
	fit_middle(name, sizeof(name), n->name, c->name - col);
	screen_put(row, col, name_st, name, c->name - col);
	col = c->name + 1;

	/* ROLE */
	cell(row, col, c->role,
	     selected ? base :
	     n->role && !strcmp(n->role, "PRIMARY") ? SCR_PRIMARY :
						      base,
	     pod ? short_role(n->role) : "", false);
	col += c->role + 1;
	/* READY */
	if (pod)
		snprintf(buf, sizeof(buf), "%s", n->ready == 1 ? "yes" : "no");
	else if (n->pods)
		snprintf(buf, sizeof(buf), "%u/%u", n->pods_ready, n->pods);
	else
		buf[0] = '\0';
	cell(row, col, c->ready,
	     !selected && ((pod && n->ready != 1) ||
			   (!pod && n->pods_ready < n->pods)) ?
		     SCR_WARN :
		     base,
	     buf, !pod);
	col += c->ready + 1;
	/* DRIFT */
	if (pod)
		snprintf(buf, sizeof(buf), "%s",
			 n->drift == 1 ? "yes" : n->drift == 0 ? "-" : "");
	else if (n->pods_drifted)
		snprintf(buf, sizeof(buf), "%u", n->pods_drifted);
	else
		buf[0] = '\0';
	cell(row, col, c->drift,
	     !selected && (n->drift == 1 || (!pod && n->pods_drifted)) ?
		     SCR_WARN :
		     base,
	     buf, !pod);
	col += c->drift + 1;
	/* DRAIN */
	if (pod)
		snprintf(buf, sizeof(buf), "%s", short_drain(n->drain));
	else if (n->pods_draining)
		snprintf(buf, sizeof(buf), "%u", n->pods_draining);
	else
		buf[0] = '\0';
	cell(row, col, c->drain,
	     !selected && buf[0] ? SCR_WARN : base, buf, !pod);
	col += c->drain + 1;
	/* BACKUP */
	if (n->backup_age != MG_VT_NA &&
	    (pod || n->kind == MG_VT_SHARD))
		tui_age(buf, n->backup_age);
	else
		buf[0] = '\0';
	cell(row, col, c->backup,
	     !selected && n->backup_age > 25 * 3600 ? SCR_WARN : base, buf,
	     true);
	col += c->backup + 1;
	/* RESTARTS */
	if (n->restarts_sum > 0 || (pod && n->restarts_sum == 0))
		snprintf(buf, sizeof(buf), "%ld", n->restarts_sum);
	else
		buf[0] = '\0';
	cell(row, col, c->rst,
	     !selected && n->restarts_sum > 0 ? SCR_WARN : base, buf, true);
	col += c->rst + 1;
	if (c->wide) {
		cell(row, col, c->status, selected ? base : sev_style(n->sev),
		     n->status ? n->status : "", false);
		col += c->status + 1;
		tui_age(buf, n->age);
		cell(row, col, c->age, base, n->age >= 0 ? buf : "", true);
	}
}

static void
draw_tree(struct tui *t, const struct layout *l)
{
	struct cols c;
	size_t i, top, nrows = mg_viewtree_nrows(t->vt);
	size_t height = l->body_rows > 1 ? (size_t)l->body_rows - 1 : 1;
	char head[512];
	int row = l->body_top;

	tree_columns(l->cols, &c);
	snprintf(head, sizeof(head), "%-*s %-*s %*s %*s %-*s %*s %*s",
		 c.name, "  NAME", c.role, "ROLE", c.ready, "READY", c.drift,
		 "DRIFT", c.drain, "DRAIN", c.backup, "BACKUP", c.rst, "RST");
	if (c.wide)
		snprintf(head + strlen(head), sizeof(head) - strlen(head),
			 " %-*s %*s", c.status, "STATUS", c.age, "AGE");
	line(row++, 0, l->cols, SCR_COLHEAD, head);
	top = mg_viewtree_top(t->vt, height);
	for (i = 0; i < height; i++, row++) {
		const struct mg_vt_row *r = mg_viewtree_row(t->vt, top + i);

		if (!r) {
			if (i == 0 && !nrows)
				line(row, 0, l->cols, SCR_DIM,
				     *mg_viewtree_filter(t->vt) ?
					     "  nothing matches the filter (Esc clears it)" :
					     "  no Multigres clusters here (yet)");
			else
				screen_fill(row, 0, l->cols, SCR_NORMAL);
			continue;
		}
		draw_tree_row(t, row, r, top + i == mg_viewtree_sel(t->vt), &c,
			      l->cols);
	}
}

/* --- detail pane ----------------------------------------------------- */

static void
draw_detail(struct tui *t, const struct layout *l)
{
	const struct mg_vt_node *n = mg_viewtree_sel_node(t->vt);
	struct mg_buf text = MG_BUF_INIT;
	const char *p;
	char title[300];
	int row = l->detail_top, i, tw;

	if (!l->detail_rows)
		return;
	snprintf(title, sizeof(title), " %s ",
		 n ? (n->ref ? n->ref : n->name) : "nothing selected");
	for (i = 0; i < l->cols; i++)
		screen_glyph(row, i, SCR_DIM, SCR_G_HLINE);
	tw = screen_put(row, 2, SCR_BOLD, title, l->cols - 4);
	(void)tw;
	row++;
	if (n)
		tui_source_detail(t->src, n->ref, n->key, time(NULL), &text);
	p = text.data;
	for (i = 1; i < l->detail_rows; i++, row++) {
		const char *nl = p ? strchr(p, '\n') : NULL;
		char buf[512];
		enum screen_style st = SCR_NORMAL;

		if (!p || !*p) {
			screen_fill(row, 0, l->cols, SCR_NORMAL);
			continue;
		}
		snprintf(buf, sizeof(buf), "%.*s",
			 nl ? (int)(nl - p) : (int)strlen(p), p);
		/* the source marks lines: "!" warning, "E" error, "#" title */
		if (buf[0] == '!' || buf[0] == 'E' || buf[0] == '#') {
			st = buf[0] == '!' ? SCR_WARN :
			     buf[0] == 'E' ? SCR_ERROR :
					     SCR_BOLD;
			buf[0] = ' ';
		}
		line(row, 0, l->cols, st, buf);
		p = nl ? nl + 1 : NULL;
	}
	mg_buf_release(&text);
}

/* --- events view ----------------------------------------------------- */

static void
draw_events(struct tui *t, const struct layout *l)
{
	struct tui_event *evs = NULL;
	size_t n = tui_source_events(t->src, &evs), i;
	size_t height = l->body_rows > 1 ? (size_t)l->body_rows - 1 : 1;
	int row = l->body_top;
	time_t now = time(NULL);
	char head[256];
	int objw = l->cols >= 120 ? 48 : l->cols >= 100 ? 36 : 26;

	t->ev_count = n;
	if (t->ev_sel >= n)
		t->ev_sel = n ? n - 1 : 0;
	if (t->ev_sel < t->ev_top)
		t->ev_top = t->ev_sel;
	if (t->ev_sel >= t->ev_top + height)
		t->ev_top = t->ev_sel - height + 1;
	snprintf(head, sizeof(head), " %-6s %-7s %-16s %-*s %s", "LAST",
		 "TYPE", "REASON", objw, "OBJECT", "MESSAGE");
	line(row++, 0, l->cols, SCR_COLHEAD, head);
	for (i = 0; i < height; i++, row++) {
		const struct tui_event *e;
		char age[16], obj[128], buf[1024];
		bool sel;

		if (t->ev_top + i >= n) {
			if (!n && !i)
				line(row, 0, l->cols, SCR_DIM,
				     "  no events");
			else
				screen_fill(row, 0, l->cols, SCR_NORMAL);
			continue;
		}
		e = &evs[t->ev_top + i];
		sel = t->ev_top + i == t->ev_sel;
		tui_age(age, e->last ? (long long)(now - e->last) : -1);
		fit_middle(obj, sizeof(obj), e->object, objw);
		snprintf(buf, sizeof(buf), " %-6s %-7s %-16.16s %-*s %s", age,
			 e->warning ? "Warning" : "Normal",
			 e->reason ? e->reason : "", objw, obj,
			 e->note ? e->note : "");
		if (e->count > 1) {
			size_t len = strlen(buf);

			snprintf(buf + len, sizeof(buf) - len, " (x%ld)",
				 e->count);
		}
		line(row, 0, l->cols,
		     sel	  ? SCR_SELECTED :
		     e->warning ? SCR_WARN :
				  SCR_NORMAL,
		     buf);
	}
	free(evs);
}

/* --- pager ----------------------------------------------------------- */

static void
draw_pager(struct tui *t, const struct layout *l)
{
	size_t i, height = l->body_rows > 1 ? (size_t)l->body_rows - 1 : 1;
	int row = l->body_top;
	char head[400];

	snprintf(head, sizeof(head), " %s   [%zu-%zu of %zu]  q back",
		 t->pager.title, t->pager.nlines ? t->pager.top + 1 : 0,
		 t->pager.top + height < t->pager.nlines ?
			 t->pager.top + height :
			 t->pager.nlines,
		 t->pager.nlines);
	line(row++, 0, l->cols, SCR_COLHEAD, head);
	for (i = 0; i < height; i++, row++) {
		size_t len;
		const char *s = pager_line(&t->pager, t->pager.top + i, &len);
		char buf[1024];

		if (t->pager.left < len) {
			s += t->pager.left;
			len -= t->pager.left;
		} else {
			len = 0;
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
		line(row, 0, l->cols, SCR_NORMAL, buf);
	}
}

/* --- footer ---------------------------------------------------------- */

struct hint {
	const char *key, *label;
	unsigned views; /* 1 << VIEW_* */
	bool write;
};

static const struct hint hints[] = {
	{ "?", "Help", 7, false },
	{ "/", "Filter", 1, false },
	{ ":", "Cmd", 3, false },
	{ "d", "Detail", 1, false },
	{ "y", "YAML", 1, false },
	{ "e", "Events", 1, false },
	{ "e", "Tree", 2, false },
	{ "s", "Sort", 1, false },
	{ "D", "Drain", 1, true },
	{ "S", "Switch", 1, true },
	{ "q", "Back", 6, false },
	{ "q", "Quit", 1, false },
};

static void
draw_footer(struct tui *t, const struct layout *l)
{
	size_t i;
	int col = 0;

	/* the message, prompt or filter line */
	if (t->input != INPUT_NONE) {
		const struct prompt *p = t->input == INPUT_FILTER ?
						 &t->filter_prompt :
						 &t->cmd_prompt;
		const char *lead = t->input == INPUT_FILTER ? "/" : ":";
		size_t cur = prompt_cursor_col(p);
		int avail = l->cols - 2;
		const char *s = p->line.data;

		/* scroll long lines so the cursor stays visible */
		while (cur >= (size_t)avail && *s) {
			s++;
			while ((*s & 0xc0) == 0x80)
				s++;
			cur--;
		}
		screen_put(l->msg_row, 0, SCR_BOLD, lead, 1);
		line(l->msg_row, 1, l->cols - 1, SCR_NORMAL, s);
		screen_cursor(l->msg_row, 1 + (int)cur);
	} else {
		char buf[600];
		const char *a = tui_act_status(t);

		screen_cursor(-1, 0);
		if (t->msg[0])
			line(l->msg_row, 0, l->cols,
			     t->msg_error ? SCR_ERROR : SCR_NORMAL, t->msg);
		else if (*a)
			line(l->msg_row, 0, l->cols, SCR_WARN, a);
		else if (*mg_viewtree_filter(t->vt) && t->view == VIEW_TREE) {
			snprintf(buf, sizeof(buf),
				 "filter /%s  %zu match%s  n/N next/prev, Esc clears",
				 mg_viewtree_filter(t->vt),
				 mg_viewtree_nmatches(t->vt),
				 mg_viewtree_nmatches(t->vt) == 1 ? "" : "es");
			line(l->msg_row, 0, l->cols, SCR_MATCH, buf);
		} else {
			bool rev;
			enum mg_vt_sort s = mg_viewtree_sort(t->vt, &rev);

			snprintf(buf, sizeof(buf), "sort: %s%s",
				 mg_vt_sort_name(s), rev ? " (reversed)" : "");
			line(l->msg_row, 0, l->cols, SCR_DIM,
			     t->view == VIEW_TREE ? buf : "");
		}
	}
	/* the key hints */
	for (i = 0; i < ARRAY_SIZE(hints) && col < l->cols; i++) {
		const struct hint *h = &hints[i];
		char label[32];

		if (!(h->views & (1u << t->view)))
			continue;
		if (h->write && !t->opts.write)
			continue;
		col += screen_put(l->hint_row, col, SCR_KEY, h->key,
			       l->cols - col);
		snprintf(label, sizeof(label), "%s ", h->label);
		col += screen_put(l->hint_row, col, SCR_HINT, label,
			       l->cols - col);
	}
	if (col < l->cols)
		screen_fill(l->hint_row, col, l->cols - col, SCR_HINT);
}

/* --- dialog ---------------------------------------------------------- */

static void
draw_dialog(struct tui *t, const struct layout *l)
{
	const char *title, *body, *buttons, *p;
	bool danger;
	int w, h, top, left, nlines = 0, i, maxw = 0;
	enum screen_style st;

	tui_act_dialog_text(t, &title, &body, &buttons, &danger);
	for (p = body; p && *p; nlines++) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		if (len > maxw)
			maxw = len;
		p = nl ? nl + 1 : p + len;
	}
	w = maxw + 4;
	if ((int)strlen(title) + 6 > w)
		w = (int)strlen(title) + 6;
	if ((int)strlen(buttons) + 4 > w)
		w = (int)strlen(buttons) + 4;
	if (w > l->cols - 2)
		w = l->cols - 2;
	h = nlines + 4;
	if (h > l->rows - 2)
		h = l->rows - 2;
	top = (l->rows - h) / 2;
	left = (l->cols - w) / 2;
	st = SCR_DIALOG;
	/* frame */
	for (i = 0; i < h; i++)
		screen_fill(top + i, left, w, st);
	{
		char t2[300];

		snprintf(t2, sizeof(t2), " %s ", title);
		line(top, left, w, danger ? SCR_PROD : SCR_DIALOG_TITLE, t2);
	}
	for (i = 0, p = body; i < h - 4 && p && *p; i++) {
		const char *nl = strchr(p, '\n');
		char buf[600];

		snprintf(buf, sizeof(buf), "%.*s",
			 nl ? (int)(nl - p) : (int)strlen(p), p);
		screen_put(top + 2 + i, left + 2, st, buf, w - 4);
		p = nl ? nl + 1 : NULL;
	}
	screen_put(top + h - 1, left + 2, SCR_DIALOG_TITLE, buttons, w - 4);
}

/* --- the frame ------------------------------------------------------- */

void
tui_draw(struct tui *t, int64_t now_ms)
{
	struct tui_health h;
	struct layout l;
	unsigned dirty = t->dirty;

	(void)now_ms;
	tui_source_health(t->src, time(NULL), &h);
	compute_layout(t, &h, &l);
	if (memcmp(&l, &last_layout, sizeof(l)))
		dirty = DIRTY_ALL;
	last_layout = l;
	t->rows = l.rows;
	t->cols = l.cols;
	t->page_rows = l.body_rows > 1 ? l.body_rows - 1 : 1;
	t->list_top = l.body_top + 1;
	if (l.rows < 8 || l.cols < 40) {
		screen_fill(0, 0, l.cols, SCR_NORMAL);
		screen_put(0, 0, SCR_BOLD, "terminal too small", l.cols);
		for (int r = 1; r < l.rows; r++)
			screen_fill(r, 0, l.cols, SCR_NORMAL);
		screen_flush();
		return;
	}
	/* the dialog lies over every region: whatever was redrawn under it
	 * (the header's clock each second, too) is covered again */
	if (tui_act_dialog(t) && dirty)
		dirty |= DIRTY_OVERLAY;
	if (dirty & DIRTY_HEADER)
		draw_header(t, &l, &h);
	if (dirty & DIRTY_BODY) {
		switch (t->view) {
		case VIEW_TREE:
			draw_tree(t, &l);
			break;
		case VIEW_EVENTS:
			draw_events(t, &l);
			break;
		case VIEW_PAGER:
			draw_pager(t, &l);
			break;
		}
	}
	if ((dirty & (DIRTY_DETAIL | DIRTY_BODY)) && t->view == VIEW_TREE)
		draw_detail(t, &l);
	if (dirty & DIRTY_FOOTER)
		draw_footer(t, &l);
	if (tui_act_dialog(t) && (dirty & DIRTY_OVERLAY))
		draw_dialog(t, &l);
	screen_flush();
}
