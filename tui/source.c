/*
 * source.c - the dashboard's data (app.h): kubeconfig, client, one
 * snapshot kept current by LIST+WATCH on a mg_kube_loop, the connection's
 * health, and what the views read from it (tree, detail, YAML, events).
 *
 * Watches: the five Multigres kinds, and the pods, PVCs and Deployments
 * that carry a multigres.com/cluster label, and the namespace's events.
 * No LIST is ever repeated on a timer: after the first LIST, only WATCH
 * events reach the snapshot (kube_watch resumes cut streams and relists
 * only after 410 Gone).
 *
 * Connection health: a watch is "up" after it listed or delivered
 * anything, "down" after it reported an error. While any is down, the
 * server is probed (GET /version, short timeouts, at most every 2 s) so
 * that a recovered server is seen at once even when no event comes: a
 * resumed stream says nothing until something changes.
 */
#include "compat.h"

#include "app.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "log.h"
#include "snapshot.h"
#include "timeutil.h"
#include "viewtree.h"
#include "xalloc.h"
#include "yaml_json.h"

struct src_watch {
	struct tui_source *src;
	enum mg_snap_kind kind;
	struct mg_watch *w;
	bool synced;
	bool up;
};

struct tui_source {
	struct mg_kubeconfig *kc;
	struct mg_kube *kube;
	struct mg_kube *probe; /* short timeouts, for the reachability probe */
	struct mg_kube_loop *loop;
	struct mg_snap *snap;
	struct src_watch watches[9];
	size_t nwatches;
	const char *ns; /* "" = all namespaces */
	bool all_ns;

	uint64_t conn_version; /* bumped when the connection state changes */
	bool online;
	time_t offline_since;
	time_t last_event;
	int64_t next_probe_ms;
	char error[256];
	time_t ticked; /* last mg_snap_tick */
};

static const struct {
	enum mg_snap_kind kind;
	const char *group, *version, *resource;
	bool labelled; /* select by the multigres.com/cluster label */
} kinds[] = {
	{ MG_SNAP_CLUSTER, "multigres.com", "v1alpha1", "multigresclusters",
	  false },
	{ MG_SNAP_CELL, "multigres.com", "v1alpha1", "cells", false },
	{ MG_SNAP_TABLEGROUP, "multigres.com", "v1alpha1", "tablegroups",
	  false },
	{ MG_SNAP_SHARD, "multigres.com", "v1alpha1", "shards", false },
	{ MG_SNAP_TOPOSERVER, "multigres.com", "v1alpha1", "toposervers",
	  false },
	{ MG_SNAP_POD, "", "v1", "pods", true },
	{ MG_SNAP_PVC, "", "v1", "persistentvolumeclaims", true },
	{ MG_SNAP_DEPLOYMENT, "apps", "v1", "deployments", true },
	{ MG_SNAP_EVENT, "", "v1", "events", false },
};

int
tui_source_new(struct tui_source **out, const struct tui_opts *opts,
	       struct mg_err *err)
{
	struct tui_source *s = mg_xcalloc(1, sizeof(*s));
	struct mg_kubeconfig_opts ko = { opts->kubeconfig, opts->context, NULL,
					 NULL, opts->ns, NULL };
	struct mg_kube_opts kube_opts = MG_KUBE_OPTS_INIT;
	struct mg_kube_opts probe_opts = MG_KUBE_OPTS_INIT;
	struct mg_snap_opts so = MG_SNAP_OPTS_INIT;
	int rc;

	*out = NULL;
	rc = mg_kubeconfig_load(&s->kc, &ko, err);
	if (rc)
		goto fail;
	kube_opts.connect_timeout_ms = 5000;
	rc = mg_kube_new(&s->kube, s->kc, &kube_opts, err);
	if (rc)
		goto fail;
	probe_opts.connect_timeout_ms = 500;
	probe_opts.timeout_ms = 1000;
	probe_opts.retries = 0;
	rc = mg_kube_new(&s->probe, s->kc, &probe_opts, err);
	if (rc)
		goto fail;
	rc = mg_kube_loop_new(&s->loop, s->kube, err);
	if (rc)
		goto fail;
	so.cluster = opts->cluster;
	s->snap = mg_snap_new(&so);
	s->all_ns = opts->all_ns;
	s->ns = opts->all_ns ? "" : mg_kube_namespace(s->kube);
	s->online = true;
	*out = s;
	return 0;
fail:
	tui_source_free(s);
	return rc;
}

void
tui_source_free(struct tui_source *s)
{
	if (!s)
		return;
	mg_kube_loop_free(s->loop);
	mg_kube_free(s->probe);
	mg_kube_free(s->kube);
	mg_snap_free(s->snap);
	mg_kubeconfig_free(s->kc);
	free(s);
}

static void
set_online(struct tui_source *s, bool online, const char *why)
{
	if (online == s->online)
		return;
	s->online = online;
	s->conn_version++;
	if (online) {
		s->offline_since = 0;
		s->error[0] = '\0';
		mg_log(MG_LOG_INFO, "API server reachable again");
	} else {
		s->offline_since = time(NULL);
		s->next_probe_ms = mg_time_mono_ms() + 1000;
		mg_log(MG_LOG_WARN, "API server unreachable: %s",
		       why ? why : "?");
	}
}

static void
recompute_online(struct tui_source *s, const char *why)
{
	size_t i;
	bool all = true;

	for (i = 0; i < s->nwatches; i++)
		all = all && s->watches[i].up;
	set_online(s, all, why);
}

static void
on_watch(void *data, enum mg_watch_event ev, const cJSON *obj)
{
	struct src_watch *w = data;
	struct tui_source *s = w->src;
	struct mg_err err = MG_ERR_INIT;

	switch (ev) {
	case MG_WATCH_ADDED:
	case MG_WATCH_MODIFIED:
	case MG_WATCH_DELETED:
		if (mg_snap_apply(s->snap, w->kind,
				  ev == MG_WATCH_ADDED	  ? MG_SNAP_ADDED :
				  ev == MG_WATCH_MODIFIED ? MG_SNAP_MODIFIED :
							    MG_SNAP_DELETED,
				  obj, &err))
			mg_log(MG_LOG_WARN, "%s: %s",
			       mg_snap_kind_name(w->kind), err.msg);
		s->last_event = time(NULL);
		break;
	case MG_WATCH_BOOKMARK:
		s->last_event = time(NULL);
		break;
	case MG_WATCH_SYNCED:
		if (!w->synced)
			s->conn_version++;
		w->synced = true;
		s->last_event = time(NULL);
		break;
	case MG_WATCH_ERROR: {
		const char *msg = mg_json_str(obj, "message");

		snprintf(s->error, sizeof(s->error), "%s", msg ? msg : "");
		w->up = false;
		recompute_online(s, msg);
		return;
	}
	}
	if (!w->up) {
		w->up = true;
		recompute_online(s, NULL);
	}
}

int
tui_source_start(struct tui_source *s, struct mg_err *err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct src_watch *w = &s->watches[s->nwatches];
		struct mg_kube_res res = { kinds[i].group, kinds[i].version,
					   kinds[i].resource, s->ns };
		struct mg_watch_opts wo = { NULL, NULL, 0 };
		int rc;

		w->src = s;
		w->kind = kinds[i].kind;
		w->up = true;
		if (kinds[i].labelled)
			wo.label_selector = "multigres.com/cluster";
		rc = mg_kube_watch(s->loop, &res, &wo, on_watch, w, &w->w, err);
		if (rc)
			return rc;
		s->nwatches++;
	}
	return 0;
}

/* While offline: is the server back? (A resumed watch says nothing until
 * an event comes, so ask.) */
static void
probe(struct tui_source *s)
{
	cJSON *v = NULL;
	size_t i;

	if (s->online || mg_time_mono_ms() < s->next_probe_ms)
		return;
	s->next_probe_ms = mg_time_mono_ms() + 2000;
	if (mg_kube_version(s->probe, &v, NULL))
		return;
	cJSON_Delete(v);
	for (i = 0; i < s->nwatches; i++)
		s->watches[i].up = true;
	recompute_online(s, NULL);
}

int
tui_source_run(struct tui_source *s, int timeout_ms, int *fds, short *revents,
	       unsigned nfds, struct mg_err *err)
{
	struct curl_waitfd w[4];
	unsigned i;
	int rc;

	if (nfds > ARRAY_SIZE(w))
		nfds = ARRAY_SIZE(w);
	for (i = 0; i < nfds; i++) {
		w[i].fd = fds[i];
		w[i].events = CURL_WAIT_POLLIN;
		w[i].revents = 0;
	}
	if (!s->online && timeout_ms > 500)
		timeout_ms = 500;
	rc = mg_kube_loop_run(s->loop, timeout_ms, w, nfds, err);
	for (i = 0; i < nfds; i++)
		revents[i] = (short)w[i].revents;
	probe(s);
	return rc;
}

void
tui_source_wakeup(struct tui_source *s)
{
	mg_kube_loop_wakeup(s->loop);
}

uint64_t
tui_source_version(const struct tui_source *s)
{
	return mg_snap_version(s->snap) + s->conn_version;
}

const char *
tui_source_context(const struct tui_source *s)
{
	return s->kc->context && *s->kc->context ? s->kc->context : "(none)";
}

const char *
tui_source_namespace(const struct tui_source *s)
{
	return s->ns;
}

const char *
tui_source_server(const struct tui_source *s)
{
	return s->kc->server;
}

const struct mg_kubeconfig *
tui_source_kubeconfig(const struct tui_source *s)
{
	return s->kc;
}

/* --- severity -------------------------------------------------------- */

/*
 * Until the shared health rules are wired in: a severity per object from
 * what the snapshot says directly.
 */
static enum mg_vt_sev
obj_sev(void *data, const struct mg_snap_obj *o)
{
	const struct mg_snap_pod *p;
	const struct mg_snap_shard *sh;
	size_t i, j;

	(void)data;
	if (!o)
		return MG_VT_SEV_OK;
	p = mg_snap_as_pod(o);
	if (p) {
		if (p->crashloop || (p->last_term_reason &&
				     !strcmp(p->last_term_reason, "OOMKilled")))
			return MG_VT_SEV_ERROR;
		if (!p->ready || p->obj.deleting || p->drain != MG_DRAIN_NONE)
			return MG_VT_SEV_WARN;
		return MG_VT_SEV_OK;
	}
	sh = mg_snap_as_shard(o);
	if (sh) {
		for (i = 0; i < sh->npools; i++)
			for (j = 0; j < sh->pools[i]->ncells; j++)
				if (sh->pools[i]->cells[j]->npods &&
				    sh->pools[i]->cells[j]->nprimary > 1)
					return MG_VT_SEV_ERROR;
	}
	if (o->phase && !strcmp(o->phase, "Degraded"))
		return MG_VT_SEV_ERROR;
	if (o->phase && (!strcmp(o->phase, "Progressing") ||
			 !strcmp(o->phase, "Unknown")))
		return MG_VT_SEV_WARN;
	return MG_VT_SEV_OK;
}

void
tui_source_build(struct tui_source *s, struct mg_viewtree *vt, time_t now)
{
	struct mg_vt_build_opts bo = { now, obj_sev, s, s->all_ns };

	if (now != s->ticked) {
		mg_snap_tick(s->snap, now);
		s->ticked = now;
	}
	mg_viewtree_build(vt, s->snap, &bo);
}

struct count_ctx {
	struct tui_health *h;
	const char *worst_msg;
	enum mg_vt_sev worst;
	char buf[256];
};

static void
count_obj(const struct mg_snap_obj *o, void *data)
{
	struct count_ctx *c = data;
	enum mg_vt_sev sv = obj_sev(NULL, o);

	if (sv == MG_VT_SEV_OK)
		return;
	c->h->findings[sv]++;
	if (sv > c->worst) {
		const struct mg_snap_pod *p = mg_snap_as_pod(o);

		c->worst = sv;
		snprintf(c->buf, sizeof(c->buf), "%s %s: %s",
			 mg_snap_kind_name(o->kind), o->name,
			 p ? (p->crashloop ? (p->waiting_reason ? p->waiting_reason : "crash-looping") :
			      !p->ready   ? "not ready" :
			      p->obj.deleting ? "terminating" :
						"draining") :
			     o->phase ? o->phase :
					"?");
	}
}

void
tui_source_health(const struct tui_source *s, time_t now,
		  struct tui_health *h)
{
	struct count_ctx c;
	size_t i, n;
	struct mg_snap_cluster *const *cl;
	static const enum mg_snap_kind graded[] = {
		MG_SNAP_CLUSTER, MG_SNAP_CELL, MG_SNAP_TABLEGROUP,
		MG_SNAP_SHARD, MG_SNAP_POD,
	};

	(void)now;
	memset(h, 0, sizeof(*h));
	h->synced = true;
	for (i = 0; i < s->nwatches; i++)
		h->synced = h->synced && s->watches[i].synced;
	h->online = s->online;
	h->offline_since = s->offline_since;
	h->last_event = s->last_event;
	snprintf(h->error, sizeof(h->error), "%s", s->error);
	cl = mg_snap_clusters(s->snap, &n);
	h->clusters = n;
	for (i = 0; i < n; i++) {
		size_t j, k;

		h->cells += cl[i]->ncells;
		h->tablegroups += cl[i]->ntgs;
		for (j = 0; j < cl[i]->ntgs; j++) {
			h->shards += cl[i]->tgs[j]->nshards;
			for (k = 0; k < cl[i]->tgs[j]->nshards; k++) {
				h->pods += cl[i]->tgs[j]->shards[k]->npods;
				h->pods_ready +=
					cl[i]->tgs[j]->shards[k]->nready;
			}
		}
	}
	memset(&c, 0, sizeof(c));
	c.h = h;
	for (i = 0; i < ARRAY_SIZE(graded); i++)
		mg_snap_foreach(s->snap, graded[i], count_obj, &c);
	snprintf(h->headline, sizeof(h->headline), "%s", c.buf);
}

/* --- detail, YAML, events -------------------------------------------- */

static const struct mg_snap_obj *
find_ref(const struct tui_source *s, const char *ref)
{
	char kind[64], ns[256];
	const char *p, *q;
	enum mg_snap_kind k;

	if (!ref)
		return NULL;
	p = strchr(ref, '/');
	q = p ? strchr(p + 1, '/') : NULL;
	if (!p || !q || (size_t)(p - ref) >= sizeof(kind) ||
	    (size_t)(q - p - 1) >= sizeof(ns))
		return NULL;
	snprintf(kind, sizeof(kind), "%.*s", (int)(p - ref), ref);
	snprintf(ns, sizeof(ns), "%.*s", (int)(q - p - 1), p + 1);
	if (!mg_snap_kind_parse(kind, &k))
		return NULL;
	return mg_snap_find(s->snap, k, ns, q + 1);
}

bool
tui_source_yaml(const struct tui_source *s, const char *ref,
		struct mg_buf *out)
{
	const struct mg_snap_obj *o = find_ref(s, ref);
	cJSON *copy;
	int rc;

	if (!o || !o->json)
		return false;
	/* LIST items have no apiVersion and kind: put them back on top;
	 * managedFields are noise here, as kubectl hides them */
	copy = cJSON_Duplicate(o->json, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(copy, "metadata"),
		"managedFields");
	if (!cJSON_GetObjectItemCaseSensitive(copy, "kind")) {
		cJSON *top = cJSON_CreateObject(), *it;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(kinds); i++) {
			char gv[64];

			if (kinds[i].kind != o->kind)
				continue;
			snprintf(gv, sizeof(gv), "%s%s%s", kinds[i].group,
				 *kinds[i].group ? "/" : "", kinds[i].version);
			cJSON_AddStringToObject(top, "apiVersion", gv);
			cJSON_AddStringToObject(top, "kind",
						mg_snap_kind_name(o->kind));
		}
		while ((it = copy->child)) {
			cJSON_DetachItemViaPointer(copy, it);
			cJSON_AddItemToObject(top, it->string, it);
		}
		cJSON_Delete(copy);
		copy = top;
	}
	rc = mg_yaml_emit(out, copy, NULL);
	cJSON_Delete(copy);
	return rc == 0;
}

static void
add_conditions(struct mg_buf *out, const struct mg_snap_obj *o, time_t now)
{
	size_t i;

	for (i = 0; i < o->nconds; i++) {
		const struct mg_snap_cond *c = &o->conds[i];
		char age[16];
		bool bad = c->status && strcmp(c->status, "True") &&
			   strcmp(c->type, "RollingUpdate") &&
			   strcmp(c->type, "ReadyForDeletion");

		tui_age(age, c->since ? (long long)(now - c->since) : -1);
		mg_buf_addf(out, "%c %-16s %-7s %-6s %s%s%s\n", bad ? '!' : ' ',
			    c->type, c->status ? c->status : "?", age,
			    c->reason ? c->reason : "",
			    c->message && *c->message ? ": " : "",
			    c->message ? c->message : "");
	}
}

static void
add_events(struct mg_buf *out, const struct mg_snap_obj *o, time_t now,
	   size_t max)
{
	size_t i;

	for (i = 0; i < o->nevents && i < max; i++) {
		const struct mg_snap_event *e = o->events[i];
		char age[16];
		bool warn = e->type && !strcmp(e->type, "Warning");

		tui_age(age, e->last ? (long long)(now - e->last) : -1);
		mg_buf_addf(out, "%c %-6s %-18s %s", warn ? '!' : ' ', age,
			    e->reason ? e->reason : "",
			    e->note ? e->note : "");
		if (e->count > 1)
			mg_buf_addf(out, " (x%ld)", e->count);
		mg_buf_addch(out, '\n');
	}
	if (!o->nevents)
		mg_buf_adds(out, "  no recent events\n");
}

static void
pod_detail(struct mg_buf *out, const struct mg_snap_pod *p, time_t now)
{
	char age[16];

	tui_age(age, p->obj.created ? (long long)(now - p->obj.created) : -1);
	mg_buf_addf(out, "#Pod %s  %s  age %s  node %s\n", p->obj.name,
		    p->obj.deleting ? "Terminating" :
		    p->obj.phase    ? p->obj.phase :
				      "?",
		    age, p->node ? p->node : "-");
	mg_buf_addf(out, "  role %s  ready %s  restarts %d  cell %s  pool %s  drift %s\n",
		    p->role_name ? p->role_name : "-", p->ready ? "yes" : "no",
		    p->restarts, p->cell ? p->cell : "-",
		    p->pool ? p->pool : "-",
		    p->drift == MG_SNAP_DRIFT_YES ? "yes" :
		    p->drift == MG_SNAP_DRIFT_NONE ? "no" :
						     "unknown");
	if (p->drain != MG_DRAIN_NONE) {
		tui_age(age, p->drain_since ? (long long)(now - p->drain_since) :
					      -1);
		mg_buf_addf(out, "! drain %s for %s\n",
			    p->drain == MG_DRAIN_UNKNOWN ?
				    (p->drain_value ? p->drain_value : "?") :
				    mg_drain_state_name(p->drain),
			    age);
	}
	if (p->waiting_reason)
		mg_buf_addf(out, "E waiting: %s\n", p->waiting_reason);
	if (p->last_term_reason) {
		tui_age(age, p->last_term_at ? (long long)(now - p->last_term_at) :
					       -1);
		mg_buf_addf(out, "%c last terminated: %s, %s ago\n",
			    strcmp(p->last_term_reason, "OOMKilled") ? '!' : 'E',
			    p->last_term_reason, age);
	}
}

void
tui_source_detail(const struct tui_source *s, const char *ref,
		  const char *key, time_t now, struct mg_buf *out)
{
	const struct mg_snap_obj *o = find_ref(s, ref);
	const struct mg_snap_pod *p;
	const struct mg_snap_shard *sh;
	char age[16];

	if (!o) {
		mg_buf_addf(out, "#%s\n  no object of its own (a grouping)\n",
			    key);
		return;
	}
	p = mg_snap_as_pod(o);
	sh = mg_snap_as_shard(o);
	if (p) {
		pod_detail(out, p, now);
	} else {
		tui_age(age, o->created ? (long long)(now - o->created) : -1);
		mg_buf_addf(out, "#%s %s  %s  age %s  generation %lld/%lld\n",
			    mg_snap_kind_name(o->kind), o->name,
			    o->deleting ? "Terminating" :
			    o->phase    ? o->phase :
					  "",
			    age, o->observed_generation, o->generation);
		if (o->message && *o->message)
			mg_buf_addf(out, "  %s\n", o->message);
		if (sh) {
			tui_age(age, sh->last_backup ?
					     (long long)(now - sh->last_backup) :
					     -1);
			mg_buf_addf(out, "  pods %zu ready %zu drifted %zu draining %zu  last backup %s%s%s\n",
				    sh->npods, sh->nready, sh->ndrifted,
				    sh->ndraining, age,
				    sh->last_backup_type ? " " : "",
				    sh->last_backup_type ? sh->last_backup_type : "");
		}
	}
	add_conditions(out, o, now);
	add_events(out, o, now, 8);
}

struct ev_ctx {
	struct tui_event *evs;
	size_t n, alloc;
	bool all_ns;
};

static void
collect_event(const struct mg_snap_obj *o, void *data)
{
	struct ev_ctx *c = data;
	const struct mg_snap_event *e = mg_snap_as_event(o);
	struct tui_event *t;

	if (!e)
		return;
	c->evs = mg_xgrow(c->evs, sizeof(*c->evs), c->n + 1, &c->alloc);
	t = &c->evs[c->n++];
	t->last = e->last;
	t->count = e->count;
	t->warning = e->type && !strcmp(e->type, "Warning");
	t->reason = e->reason;
	t->note = e->note;
	snprintf(t->ref, sizeof(t->ref), "%s/%s/%s",
		 e->involved_kind ? e->involved_kind : "?",
		 e->involved_ns ? e->involved_ns : "",
		 e->involved_name ? e->involved_name : "?");
	if (c->all_ns)
		snprintf(t->object, sizeof(t->object), "%s", t->ref);
	else
		snprintf(t->object, sizeof(t->object), "%s/%s",
			 e->involved_kind ? e->involved_kind : "?",
			 e->involved_name ? e->involved_name : "?");
}

static int
cmp_event(const void *a, const void *b)
{
	const struct tui_event *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->ref, y->ref);
}

size_t
tui_source_events(const struct tui_source *s, struct tui_event **out)
{
	struct ev_ctx c = { NULL, 0, 0, s->all_ns };

	mg_snap_foreach(s->snap, MG_SNAP_EVENT, collect_event, &c);
	if (c.n)
		qsort(c.evs, c.n, sizeof(*c.evs), cmp_event);
	*out = c.evs;
	return c.n;
}
