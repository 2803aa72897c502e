/*
 * cmd.c - the ':' command line. One table (tmux's cmd_entry idea, in
 * miniature) gives dispatch, the help screen and Tab completion. Exact
 * names or aliases, or a unique prefix; an ambiguous prefix says which
 * commands it could be.
 */
#include "compat.h"

#include <ctype.h>

#include "app.h"
#include "screen.h"
#include "viewtree.h"
#include "xalloc.h"

struct tui_cmd {
	const char *name;
	const char *alias;
	const char *args;
	const char *help;
	void (*fn)(struct tui *t, const char *arg);
};

static void
c_quit(struct tui *t, const char *arg)
{
	(void)arg;
	t->quit = true;
}

static void
c_help(struct tui *t, const char *arg)
{
	(void)arg;
	tui_open_pager(t, PAGER_HELP, NULL);
}

static void
c_tree(struct tui *t, const char *arg)
{
	(void)arg;
	t->view = VIEW_TREE;
	t->dirty |= DIRTY_ALL;
}

static void
c_events(struct tui *t, const char *arg)
{
	(void)arg;
	t->view = VIEW_EVENTS;
	t->dirty |= DIRTY_ALL;
}

static void
c_findings(struct tui *t, const char *arg)
{
	(void)arg;
	tui_open_pager(t, PAGER_FINDINGS, NULL);
}

static void
c_log(struct tui *t, const char *arg)
{
	(void)arg;
	tui_open_pager(t, PAGER_LOG, NULL);
}

static void
c_yaml(struct tui *t, const char *arg)
{
	const struct mg_vt_node *n = mg_viewtree_sel_node(t->vt);

	(void)arg;
	if (!n || !n->ref) {
		tui_msg(t, true, "the selection has no object to show");
		return;
	}
	tui_open_pager(t, PAGER_YAML, n->ref);
}

static void
c_filter(struct tui *t, const char *arg)
{
	struct mg_err err = MG_ERR_INIT;

	if (mg_viewtree_set_filter(t->vt, arg, &err))
		tui_msg(t, true, "%s", err.msg);
	else if (*arg)
		tui_msg(t, false, "%zu matches", mg_viewtree_nmatches(t->vt));
	prompt_remember(&t->filter_prompt, arg);
	t->view = VIEW_TREE;
}

static void
c_sort(struct tui *t, const char *arg)
{
	char word[32] = "";
	bool rev = false;
	const char *sp = strchr(arg, ' ');
	int s;

	snprintf(word, sizeof(word), "%.*s", sp ? (int)(sp - arg) : (int)strlen(arg),
		 arg);
	if (sp) {
		while (*sp == ' ')
			sp++;
		if (!strcmp(sp, "reverse") || !strcmp(sp, "rev") ||
		    !strcmp(sp, "-r"))
			rev = true;
		else if (*sp) {
			tui_msg(t, true, "sort: '%s': say 'reverse' or nothing",
				sp);
			return;
		}
	}
	s = mg_vt_sort_parse(word);
	if (s < 0) {
		tui_msg(t, true,
			"sort: '%s' is not one of name, status, role, restarts, age, backup",
			word);
		return;
	}
	mg_viewtree_set_sort(t->vt, (enum mg_vt_sort)s, rev);
	tui_msg(t, false, "sorted by %s%s", mg_vt_sort_name((enum mg_vt_sort)s),
		rev ? " (reversed)" : "");
}

static void
c_expand(struct tui *t, const char *arg)
{
	(void)arg;
	mg_viewtree_expand_all(t->vt, true);
}

static void
c_collapse(struct tui *t, const char *arg)
{
	(void)arg;
	mg_viewtree_expand_all(t->vt, false);
}

/* Selects the first node whose name is NAME, else one containing it;
 * false (and a message) when there is none. */
static bool
select_named(struct tui *t, const char *arg)
{
	size_t i, n = mg_viewtree_nnodes(t->vt);
	const struct mg_vt_node *best = NULL;

	if (!*arg) {
		tui_msg(t, true, "goto: which name?");
		return false;
	}
	for (i = 0; i < n && (!best || strcmp(best->name, arg)); i++) {
		const struct mg_vt_node *nd = mg_viewtree_node(t->vt, i);

		if (!strcmp(nd->name, arg) || (!best && strstr(nd->name, arg)))
			best = nd;
	}
	if (!best) {
		tui_msg(t, true, "goto: nothing is called '%s'", arg);
		return false;
	}
	t->view = VIEW_TREE;
	if (!mg_viewtree_select_key(t->vt, best->key)) {
		tui_msg(t, true, "goto: '%s' is hidden by the filter",
			best->name);
		return false;
	}
	return true;
}

/* :goto NAME */
static void
c_goto(struct tui *t, const char *arg)
{
	select_named(t, arg);
}

/* "NAME --force", "--force NAME", "NAME", "--force" or "": the name
 * (copied into name) and whether --force was given. */
static bool
action_args(const char *arg, char *name, size_t len)
{
	bool force = false;
	const char *p = arg;

	name[0] = '\0';
	while (*p) {
		const char *end = p;

		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == 7 && !strncmp(p, "--force", 7))
			force = true;
		else
			snprintf(name, len, "%.*s", (int)(end - p), p);
		p = end;
		while (*p == ' ')
			p++;
	}
	return force;
}

static void
c_drain(struct tui *t, const char *arg)
{
	char name[256];
	bool force = action_args(arg, name, sizeof(name));

	if (*name && !select_named(t, name))
		return;
	tui_act_begin(t, TUI_ACT_DRAIN, force);
}

static void
c_switchover(struct tui *t, const char *arg)
{
	char name[256];
	bool force = action_args(arg, name, sizeof(name));

	if (*name && !select_named(t, name))
		return;
	tui_act_begin(t, TUI_ACT_SWITCHOVER, force);
}

static void
c_pause(struct tui *t, const char *arg)
{
	(void)arg;
	t->paused = true;
	tui_msg(t, false, "paused (:resume or Z)");
}

static void
c_resume(struct tui *t, const char *arg)
{
	(void)arg;
	t->paused = false;
	tui_msg(t, false, "resumed");
}

static void
c_detail(struct tui *t, const char *arg)
{
	if (!strcmp(arg, "on"))
		t->detail = true;
	else if (!strcmp(arg, "off"))
		t->detail = false;
	else
		t->detail = !t->detail;
}

static void
c_redraw(struct tui *t, const char *arg)
{
	(void)arg;
	(void)t;
	screen_redraw_all();
}

static const struct tui_cmd commands[] = {
	{ "collapse", NULL, "", "collapse every node", c_collapse },
	{ "detail", NULL, "[on|off]", "the detail pane", c_detail },
	{ "drain", NULL, "[POD] [--force]",
	  "drain the selected (or named) pod; asks first; needs --write",
	  c_drain },
	{ "events", "ev", "", "the events view", c_events },
	{ "expand", NULL, "", "expand every node", c_expand },
	{ "filter", "f", "[TERMS]", "filter the tree (empty: clear)",
	  c_filter },
	{ "findings", NULL, "", "every health finding, worst first",
	  c_findings },
	{ "goto", "g", "NAME", "select the node called NAME (or containing it)",
	  c_goto },
	{ "help", "h", "", "keys and commands", c_help },
	{ "log", NULL, "", "the dashboard's log", c_log },
	{ "pause", NULL, "", "stop following the cluster", c_pause },
	{ "quit", "q", "", "leave", c_quit },
	{ "redraw", NULL, "", "repaint the screen", c_redraw },
	{ "resume", NULL, "", "follow the cluster again", c_resume },
	{ "sort", NULL, "ORDER [reverse]",
	  "name, status, role, restarts, age or backup", c_sort },
	{ "switchover", "sw", "[SHARD] [--force]",
	  "switch the selected (or named) shard's primary over; asks first; needs --write",
	  c_switchover },
	{ "tree", NULL, "", "the cluster tree", c_tree },
	{ "yaml", NULL, "", "the selection's YAML", c_yaml },
};

const char *const tui_command_names[] = {
	"collapse", "detail", "drain", "events", "expand", "filter", "findings", "goto",
	"help", "log", "pause", "quit", "redraw", "resume", "sort",
	"switchover", "tree", "yaml", NULL,
};

_Static_assert(ARRAY_SIZE(tui_command_names) == ARRAY_SIZE(commands) + 1,
	       "every command has its name in tui_command_names");

void
tui_command_help(struct mg_buf *out)
{
	size_t i;

	mg_buf_adds(out, "COMMANDS (after ':')\n\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct tui_cmd *c = &commands[i];
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s %s", c->name,
			 c->alias ? "|" : "", c->alias ? c->alias : "",
			 c->args);
		mg_buf_addf(out, "  %-30s %s\n", head, c->help);
	}
}

void
tui_command(struct tui *t, const char *line)
{
	char name[64];
	const char *p = line, *arg;
	const struct tui_cmd *found = NULL;
	size_t i, len, nfound = 0;
	struct mg_buf could = MG_BUF_INIT;

	while (isspace((unsigned char)*p))
		p++;
	for (len = 0; p[len] && !isspace((unsigned char)p[len]); len++)
		;
	if (!len)
		return;
	snprintf(name, sizeof(name), "%.*s", (int)len, p);
	arg = p + len;
	while (isspace((unsigned char)*arg))
		arg++;
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct tui_cmd *c = &commands[i];

		if (!strcmp(c->name, name) ||
		    (c->alias && !strcmp(c->alias, name))) {
			found = c;
			nfound = 1;
			break;
		}
		if (!strncmp(c->name, name, strlen(name))) {
			mg_buf_addf(&could, "%s%s", nfound ? ", " : "",
				    c->name);
			found = c;
			nfound++;
		}
	}
	if (nfound == 1) {
		char *a = mg_xstrdup(arg);
		size_t n = strlen(a);

		while (n && isspace((unsigned char)a[n - 1]))
			a[--n] = '\0';
		found->fn(t, a);
		free(a);
	} else if (!nfound) {
		tui_msg(t, true, "unknown command '%s' (:help lists them)",
			name);
	} else {
		tui_msg(t, true, "ambiguous command '%s', could be: %s", name,
			could.data);
	}
	mg_buf_release(&could);
	t->dirty |= DIRTY_ALL;
}
