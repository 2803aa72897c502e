/*
 * act.c - drain a pod, switch a shard over: the plugin's plan and apply
 * calls (action.h), behind a confirmation dialog.
 *
 *   D / S / :drain / :switchover
 *     -> worker: load the objects, ask multiadmin (switchover), plan
 *     -> dialog: what will happen and whether it is safe; y / n / f
 *     -> worker: apply; the result (or the server's message) on the
 *        message line
 *
 * Loading and applying do network I/O that can take seconds (a
 * switchover waits for the new primary), so they run on a worker thread
 * with a client of its own; the screen stays live and shows the roles
 * change as the watches see them. The worker never touches the snapshot,
 * the view or the screen: it fills this struct under the lock and wakes
 * the loop. A failed action changes nothing else: its error is shown and
 * the state goes back to idle.
 */
#include "compat.h"

#include <pthread.h>

#include "action.h"
#include "app.h"
#include "kube.h"
#include "multiadmin.h"
#include "screen.h"
#include "viewtree.h"
#include "xalloc.h"

enum act_state {
	ACT_IDLE,
	ACT_PLANNING,
	ACT_DIALOG,
	ACT_APPLYING,
	ACT_FAILED, /* a dialog with the error, closed by any key */
};

struct tui_act {
	pthread_mutex_t lock;
	pthread_t th;
	bool joinable;
	enum act_state state;
	bool worker_done;   /* the worker finished its phase */

	/* what, on what (copied for the worker) */
	enum tui_action what;
	bool force;
	char *ns, *name;    /* pod (drain) or Shard CR (switchover) */
	char *target;       /* for messages: "pod demo/x", "shard demo/y" */
	const struct mg_kubeconfig *kc;
	const char *admin_url;
	struct tui_source *src;

	/* the worker's clients, made on first use, kept */
	struct mg_kube *kube;
	struct mg_multiadmin *admin;

	/* results of a phase */
	int rc;
	struct mg_err err;
	struct mg_action_drain_plan dplan;
	struct mg_action_switchover_plan splan;
	bool have_dplan, have_splan;
	bool allowed, forceable;
	struct mg_buf text;      /* the plan, for the dialog */
	char result[512];
	char status[256];        /* progress while applying */

	/* the dialog */
	char title[256];
	char buttons[128];
	bool danger;
};

struct tui_act *
tui_act_new(void)
{
	struct tui_act *a = mg_xcalloc(1, sizeof(*a));

	pthread_mutex_init(&a->lock, NULL);
	mg_buf_init(&a->text, 0);
	return a;
}

static void
release_plans(struct tui_act *a)
{
	if (a->have_dplan)
		mg_action_drain_plan_release(&a->dplan);
	if (a->have_splan)
		mg_action_switchover_plan_release(&a->splan);
	a->have_dplan = a->have_splan = false;
}

static void
join(struct tui_act *a)
{
	if (a->joinable) {
		pthread_join(a->th, NULL);
		a->joinable = false;
	}
}

void
tui_act_free(struct tui_act *a)
{
	if (!a)
		return;
	join(a);
	release_plans(a);
	mg_multiadmin_free(a->admin);
	mg_kube_free(a->kube);
	mg_buf_release(&a->text);
	free(a->ns);
	free(a->name);
	free(a->target);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

bool
tui_act_dialog(const struct tui *t)
{
	return t->act->state == ACT_DIALOG || t->act->state == ACT_FAILED;
}

bool
tui_act_busy(const struct tui *t)
{
	return t->act->state == ACT_PLANNING || t->act->state == ACT_APPLYING;
}

const char *
tui_act_status(const struct tui *t)
{
	struct tui_act *a = t->act;
	static char line[300];

	if (a->state == ACT_PLANNING) {
		snprintf(line, sizeof(line), "planning: %s ...", a->target);
		return line;
	}
	if (a->state != ACT_APPLYING)
		return "";
	pthread_mutex_lock(&a->lock);
	snprintf(line, sizeof(line), "%s %s: %s",
		 a->what == TUI_ACT_DRAIN ? "draining" : "switching over",
		 a->target, a->status[0] ? a->status : "request sent");
	pthread_mutex_unlock(&a->lock);
	return line;
}

void
tui_act_dialog_text(const struct tui *t, const char **title,
		    const char **body, const char **buttons, bool *danger)
{
	*title = t->act->title;
	*body = t->act->text.data;
	*buttons = t->act->buttons;
	*danger = t->act->danger;
}

/* --- the worker ------------------------------------------------------ */

static int
ensure_kube(struct tui_act *a)
{
	struct mg_kube_opts ko = MG_KUBE_OPTS_INIT;

	if (a->kube)
		return 0;
	ko.retries = 1;
	ko.timeout_ms = 20000;
	return mg_kube_new(&a->kube, a->kc, &ko, &a->err);
}

static int
ensure_admin(struct tui_act *a, const char *cluster)
{
	if (a->admin)
		return 0;
	if (a->admin_url)
		return mg_multiadmin_new_url(&a->admin, a->admin_url, NULL,
					     &a->err);
	if (!cluster)
		return mg_err_set(&a->err, MG_EINVAL,
				  "the Shard has no multigres.com/cluster label: cannot find multiadmin (use --admin-url)");
	return mg_multiadmin_new_proxy(&a->admin, a->kube, a->ns, cluster,
				       &a->err);
}

static int
plan_drain(struct tui_act *a)
{
	struct mg_action_objects o = { NULL, NULL, NULL };
	struct mg_action_drain_input in;
	int rc;

	rc = mg_action_load_pod(a->kube, a->ns, a->name, &o, &a->err);
	if (rc)
		return rc;
	memset(&in, 0, sizeof(in));
	in.pod = o.pod;
	in.shard = o.shard;
	in.pods = o.pods;
	in.now = time(NULL);
	in.force = a->force;
	rc = mg_action_drain_plan(&a->dplan, &in, &a->err);
	a->have_dplan = true;
	if (!rc) {
		mg_action_drain_plan_text(&a->dplan, &a->text);
		a->allowed = a->dplan.verdict.allowed;
		a->forceable = !a->allowed && a->dplan.verdict.nreasons;
		for (size_t i = 0; i < a->dplan.verdict.nreasons; i++)
			a->forceable = a->forceable &&
				       a->dplan.verdict.reasons[i].forceable;
		a->danger = a->dplan.role == MG_DRAIN_ROLE_PRIMARY;
	}
	mg_action_objects_release(&o);
	return rc;
}

static int
plan_switchover(struct tui_act *a)
{
	struct mg_action_objects o = { NULL, NULL, NULL };
	struct mg_action_switchover_input in;
	struct mg_multiadmin_poolers poolers = { NULL, 0 };
	struct mg_multiadmin_shard key;
	const char *cluster = NULL;
	int rc;

	rc = mg_action_load_shard(a->kube, a->ns, a->name, &o, &a->err);
	if (rc)
		goto out;
	rc = mg_action_shard_key(&key, &cluster, o.shard, &a->err);
	if (rc)
		goto out;
	rc = ensure_admin(a, cluster);
	if (rc)
		goto out;
	rc = mg_multiadmin_poolers(a->admin, &key, &poolers, &a->err);
	if (rc)
		goto out;
	memset(&in, 0, sizeof(in));
	in.shard = o.shard;
	in.pods = o.pods;
	in.poolers = &poolers;
	in.force = a->force;
	rc = mg_action_switchover_plan(&a->splan, &in, &a->err);
	a->have_splan = true;
	if (!rc) {
		mg_action_switchover_plan_text(&a->splan, &a->text);
		a->allowed = a->splan.verdict.allowed;
		a->forceable = !a->allowed && a->splan.verdict.nreasons;
		for (size_t i = 0; i < a->splan.verdict.nreasons; i++)
			a->forceable = a->forceable &&
				       a->splan.verdict.reasons[i].forceable;
		a->danger = true; /* a primary moves: clients reconnect */
	}
out:
	mg_multiadmin_poolers_release(&poolers);
	mg_action_objects_release(&o);
	return rc;
}

static void
switch_progress(void *data, const char *status, int64_t elapsed_ms)
{
	struct tui_act *a = data;

	pthread_mutex_lock(&a->lock);
	snprintf(a->status, sizeof(a->status), "%s (%.1f s)", status,
		 (double)elapsed_ms / 1000.0);
	pthread_mutex_unlock(&a->lock);
	tui_source_wakeup(a->src);
}

static int
apply(struct tui_act *a)
{
	struct mg_buf out = MG_BUF_INIT;
	int rc;

	if (a->what == TUI_ACT_DRAIN) {
		rc = mg_action_drain_apply(a->kube, &a->dplan, false, NULL,
					   &a->err);
		if (!rc)
			snprintf(a->result, sizeof(a->result),
				 "drain requested for %s: the operator moves it on (see its DRAIN column)",
				 a->name);
	} else {
		struct mg_action_switchover_opts so = { NULL, 0, 0, NULL,
							NULL };
		struct mg_action_switchover_result res;

		memset(&res, 0, sizeof(res));
		so.reason = "kubectl multigres tui";
		so.progress = switch_progress;
		so.data = a;
		rc = mg_action_switchover_apply(a->admin, &a->splan, &so, &res,
						&a->err);
		if (!rc) {
			mg_action_switchover_result_text(&res, &out);
			mg_buf_rtrim(&out);
			snprintf(a->result, sizeof(a->result),
				 "switchover done: %s", out.data);
		}
	}
	mg_buf_release(&out);
	return rc;
}

static void *
worker(void *arg)
{
	struct tui_act *a = arg;
	enum act_state phase;
	int rc;

	pthread_mutex_lock(&a->lock);
	phase = a->state;
	pthread_mutex_unlock(&a->lock);
	rc = ensure_kube(a);
	if (!rc && phase == ACT_PLANNING)
		rc = a->what == TUI_ACT_DRAIN ? plan_drain(a) :
						plan_switchover(a);
	else if (!rc)
		rc = apply(a);
	pthread_mutex_lock(&a->lock);
	a->rc = rc;
	a->worker_done = true;
	pthread_mutex_unlock(&a->lock);
	tui_source_wakeup(a->src);
	return NULL;
}

static void
start(struct tui *t, enum act_state phase)
{
	struct tui_act *a = t->act;

	join(a);
	mg_err_clear(&a->err);
	a->worker_done = false;
	a->status[0] = '\0';
	a->result[0] = '\0';
	a->state = phase;
	if (phase == ACT_PLANNING) {
		release_plans(a);
		mg_buf_reset(&a->text);
	}
	if (pthread_create(&a->th, NULL, worker, a)) {
		a->state = ACT_IDLE;
		tui_msg(t, true, "cannot start a thread for the action");
		return;
	}
	a->joinable = true;
	t->dirty |= DIRTY_FOOTER;
}

/* --- the main thread --------------------------------------------------- */

/* The shard node above (or at) a node. */
static const struct mg_vt_node *
shard_of(const struct mg_viewtree *vt, const struct mg_vt_node *n)
{
	while (n && n->kind != MG_VT_SHARD)
		n = mg_viewtree_parent(vt, n);
	return n;
}

/* "Kind/ns/name" -> ns and name; false for another kind. */
static bool
split_ref(const char *ref, const char *kind, char **ns, char **name)
{
	size_t kl = strlen(kind);
	const char *slash;

	if (!ref || strncmp(ref, kind, kl) || ref[kl] != '/')
		return false;
	slash = strchr(ref + kl + 1, '/');
	if (!slash)
		return false;
	*ns = mg_xstrndup(ref + kl + 1, (size_t)(slash - (ref + kl + 1)));
	*name = mg_xstrdup(slash + 1);
	return true;
}

void
tui_act_begin(struct tui *t, enum tui_action what, bool force)
{
	struct tui_act *a = t->act;
	const struct mg_vt_node *n = mg_viewtree_sel_node(t->vt);
	char *ns = NULL, *name = NULL;

	if (!t->opts.write) {
		tui_msg(t, true, "read-only: start with --write to %s",
			what == TUI_ACT_DRAIN ? "drain pods" :
						"switch shards over");
		return;
	}
	if (a->state != ACT_IDLE) {
		tui_msg(t, true, "an action is under way: %s", a->target);
		return;
	}
	if (what == TUI_ACT_DRAIN) {
		if (!n || n->kind != MG_VT_POD ||
		    !split_ref(n->ref, "Pod", &ns, &name)) {
			tui_msg(t, true, "drain: select a pod first");
			return;
		}
	} else {
		const struct mg_vt_node *s = shard_of(t->vt, n);

		if (!s || !split_ref(s->ref, "Shard", &ns, &name)) {
			tui_msg(t, true,
				s ? "switchover: the Shard object of %s is not known" :
				    "switchover: select a shard (or one of its pods)%s",
				s ? s->name : "");
			return;
		}
	}
	free(a->ns);
	free(a->name);
	free(a->target);
	a->ns = ns;
	a->name = name;
	a->target = mg_xasprintf("%s %s/%s",
				 what == TUI_ACT_DRAIN ? "pod" : "shard", ns,
				 name);
	a->what = what;
	a->force = force;
	a->kc = tui_source_kubeconfig(t->src);
	a->admin_url = t->opts.admin_url;
	a->src = t->src;
	start(t, ACT_PLANNING);
}

static void
wrap_text(struct mg_buf *text, int width)
{
	struct mg_buf out = MG_BUF_INIT;
	const char *p = text->data;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t indent = 0;

		while (indent < len && p[indent] == ' ')
			indent++;
		while ((int)len > width) {
			size_t cut = (size_t)width;

			while (cut > indent + 1 && p[cut] != ' ')
				cut--;
			if (cut <= indent + 1)
				cut = (size_t)width;
			mg_buf_add(&out, p, cut);
			mg_buf_addch(&out, '\n');
			while (cut < len && p[cut] == ' ')
				cut++;
			p += cut;
			len -= cut;
			mg_buf_addf(&out, "%*s", (int)indent + 2, "");
		}
		mg_buf_add(&out, p, len);
		mg_buf_addch(&out, '\n');
		p += len + (nl ? 1 : 0);
	}
	mg_buf_release(text);
	*text = out;
}

static void
open_dialog(struct tui *t)
{
	struct tui_act *a = t->act;
	struct mg_buf body = MG_BUF_INIT;
	int width = t->cols - 8;

	if (width > 90)
		width = 90;
	if (width < 30)
		width = 30;
	if (a->what == TUI_ACT_DRAIN)
		snprintf(a->title, sizeof(a->title), "Drain pod %s/%s%s?",
			 a->ns, a->name, a->force ? " (forced)" : "");
	else
		snprintf(a->title, sizeof(a->title), "Switch over shard %s/%s%s?",
			 a->ns, a->name, a->force ? " (forced)" : "");
	mg_buf_addf(&body, "Context: %s   Namespace: %s\n\n",
		    tui_source_context(t->src), a->ns);
	mg_buf_add(&body, a->text.data, a->text.len);
	mg_buf_release(&a->text);
	a->text = body;
	wrap_text(&a->text, width);
	if (a->allowed)
		snprintf(a->buttons, sizeof(a->buttons), "[y] %s   [n] cancel",
			 a->what == TUI_ACT_DRAIN ? "drain it" :
						    "switch over");
	else if (a->forceable)
		snprintf(a->buttons, sizeof(a->buttons),
			 "refused   [f] plan again, forced   [n] close");
	else
		snprintf(a->buttons, sizeof(a->buttons), "refused   [n] close");
	a->danger = a->danger || t->prod;
	a->state = ACT_DIALOG;
	t->dirty |= DIRTY_ALL;
}

/* The server's message, whole, in a dialog: it is what the person needs
 * to read, and the message line would cut it. */
static void
open_failure(struct tui *t, bool planning)
{
	struct tui_act *a = t->act;
	int width = t->cols - 8;
	const char *what = a->what == TUI_ACT_DRAIN ? "drain" : "switchover";

	snprintf(a->title, sizeof(a->title), "%s %s %s", what,
		 planning ? "cannot be planned for" : "failed for", a->target);
	a->title[0] = (char)(a->title[0] - 'a' + 'A');
	mg_buf_reset(&a->text);
	mg_buf_addf(&a->text, "%s %s:\n\n%s\n\n%s\n",
		    planning ? "Could not plan the" : "The server refused the",
		    what, a->err.msg,
		    planning ? "Nothing was sent." :
			       "Nothing else was changed.");
	if (width > 90)
		width = 90;
	if (width < 30)
		width = 30;
	wrap_text(&a->text, width);
	snprintf(a->buttons, sizeof(a->buttons), "[Enter] close");
	a->danger = true;
	a->state = ACT_FAILED;
	if (!planning)
		logring_add(MG_LOG_WARN, "%s failed: %s", a->target, a->err.msg);
	else
		logring_add(MG_LOG_WARN, "planning %s: %s", a->target,
			    a->err.msg);
	t->dirty |= DIRTY_ALL;
}

void
tui_act_poll(struct tui *t)
{
	struct tui_act *a = t->act;
	bool done;

	if (a->state == ACT_APPLYING)
		t->dirty |= DIRTY_FOOTER; /* progress */
	if (a->state != ACT_PLANNING && a->state != ACT_APPLYING)
		return;
	pthread_mutex_lock(&a->lock);
	done = a->worker_done;
	pthread_mutex_unlock(&a->lock);
	if (!done)
		return;
	join(a);
	if (a->state == ACT_PLANNING && !a->rc) {
		open_dialog(t);
		return;
	}
	release_plans(a);
	if (a->rc) {
		open_failure(t, a->state == ACT_PLANNING);
	} else {
		a->state = ACT_IDLE;
		tui_msg(t, false, "%s", a->result);
	}
	if (!a->rc)
		logring_add(MG_LOG_INFO, "%s: %s", a->target, a->result);
	t->dirty |= DIRTY_ALL;
}

bool
tui_act_key(struct tui *t, int key)
{
	struct tui_act *a = t->act;

	if (a->state == ACT_FAILED) {
		if (key == TK_ENTER || key == TK_ESC || key == 'q' ||
		    key == 'n' || key == ' ') {
			a->state = ACT_IDLE;
			t->dirty |= DIRTY_ALL;
		}
		return true;
	}
	if (a->state != ACT_DIALOG)
		return false;
	switch (key) {
	case 'y':
	case 'Y':
		if (!a->allowed)
			break;
		logring_add(MG_LOG_INFO, "confirmed: %s %s",
			    a->what == TUI_ACT_DRAIN ? "drain" : "switchover",
			    a->target);
		start(t, ACT_APPLYING);
		t->dirty |= DIRTY_ALL;
		break;
	case 'f':
	case 'F':
		if (!a->forceable)
			break;
		a->force = true;
		start(t, ACT_PLANNING);
		t->dirty |= DIRTY_ALL;
		break;
	case 'n':
	case 'N':
	case 'q':
	case TK_ESC:
		a->state = ACT_IDLE;
		release_plans(a);
		tui_msg(t, false, "cancelled: nothing was changed");
		t->dirty |= DIRTY_ALL;
		break;
	default:
		break;
	}
	return true; /* the dialog takes every key */
}
