/*
 * source.c - the dashboard's data (app.h): kubeconfig, client, one
 * snapshot kept current by LIST+WATCH (snapload.h) on a mg_kube_loop,
 * health findings (health.h), the connection's state, and what the views
 * read from them (tree, detail, YAML, events).
 *
 * After the first LIST of each kind only WATCH events reach the snapshot:
 * nothing is listed again on a timer (kube_watch resumes cut streams and
 * relists only after 410 Gone).
 *
 * Connection state: mg_snapload_healthy() says every watch streams. When
 * it does not and watches report errors, the server is probed (GET
 * /version with short timeouts, at most every 2 s): unreachable, or
 * reachable again. A watch resumed after a cut reports nothing until an
 * event comes, so the probe is what notices a recovery at once.
 */
#include "compat.h"

#include "app.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "log.h"
#include "health.h"
#include "snapload.h"
#include "poolpod.h"
#include "snapshot.h"
#include "timeutil.h"
#include "viewtree.h"
#include "xalloc.h"
#include "yaml_json.h"

struct sev_entry {
	const struct mg_snap_obj *obj;
	enum mg_vt_sev sev;
};

struct tui_source {
	struct mg_kubeconfig *kc;
	struct mg_kube *kube;
	struct mg_kube *probe; /* short timeouts, for the reachability probe */
	struct mg_kube_loop *loop;
	struct mg_snap *snap;
	struct mg_snapload *load;
	struct mg_snapload_opts lo;
	const char *ns; /* "" = all namespaces */
	bool all_ns;

	/* the connection */
	uint64_t conn_version; /* bumped when the state below changes */
	bool online;
	bool reachable;        /* the last probe got an answer */
	unsigned long errors;  /* mg_snapload_errors() last seen */
	unsigned long errors_at_probe; /* ... when a probe last succeeded */
	time_t offline_since;
	int64_t next_probe_ms;
	char error[256];
	unsigned long applied; /* mg_snapload_applied() last seen */
	int64_t changed_ms;    /* first change not yet built */
	time_t last_event;
	bool synced;

	/* findings, computed with each rebuild */
	struct mg_health_report report;
	struct sev_entry *sevs; /* by object pointer */
	size_t nsevs;
	time_t ticked; /* last mg_snap_tick */
};

/* Kinds and their API paths, for the YAML view's apiVersion. */
static const struct {
	enum mg_snap_kind kind;
	const char *group, *version;
} kinds[] = {
	{ MG_SNAP_CLUSTER, "multigres.com", "v1alpha1" },
	{ MG_SNAP_CELL, "multigres.com", "v1alpha1" },
	{ MG_SNAP_TABLEGROUP, "multigres.com", "v1alpha1" },
	{ MG_SNAP_SHARD, "multigres.com", "v1alpha1" },
	{ MG_SNAP_TOPOSERVER, "multigres.com", "v1alpha1" },
	{ MG_SNAP_POD, "", "v1" },
	{ MG_SNAP_PVC, "", "v1" },
	{ MG_SNAP_DEPLOYMENT, "apps", "v1" },
	{ MG_SNAP_EVENT, "", "v1" },
};

int
tui_source_new(struct tui_source **out, const struct mg_tui_opts *opts,
	       struct mg_err *err)
{
	struct tui_source *s = mg_xcalloc(1, sizeof(*s));
	struct mg_kubeconfig_opts ko = { opts->kubeconfig, opts->context,
					 opts->kube_cluster, opts->user,
					 opts->ns, NULL };
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
	so.cluster = opts->mgcluster;
	so.desired_hash = mg_poolpod_snap_hash; /* drift, as `status` sees it */
	s->snap = mg_snap_new(&so);
	s->all_ns = opts->all_ns;
	s->ns = opts->all_ns ? "" : mg_kube_namespace(s->kube);
	s->lo.ns = s->ns;
	s->lo.cluster = opts->mgcluster;
	s->online = true;
	s->reachable = true;
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
	mg_snapload_stop(s->load);
	mg_kube_loop_free(s->loop);
	mg_health_report_release(&s->report);
	free(s->sevs);
	mg_kube_free(s->probe);
	mg_kube_free(s->kube);
	mg_snap_free(s->snap);
	mg_kubeconfig_free(s->kc);
	free(s);
}

int
tui_source_start(struct tui_source *s, struct mg_err *err)
{
	return mg_snapload_watch(&s->load, s->loop, s->snap, &s->lo, err);
}

/* The connection's state, after each run of the loop. */
static void
update_connection(struct tui_source *s)
{
	unsigned long errors = mg_snapload_errors(s->load);
	unsigned long applied = mg_snapload_applied(s->load);
	bool synced = mg_snapload_synced(s->load), online;
	const char *last = mg_snapload_last_error(s->load, NULL);

	if (applied != s->applied) {
		s->applied = applied;
		s->last_event = time(NULL);
		if (!s->changed_ms)
			s->changed_ms = mg_time_mono_ms();
	}
	if (errors != s->errors) {
		/* something failed: unreachable until a probe says otherwise */
		s->errors = errors;
		s->reachable = false;
		snprintf(s->error, sizeof(s->error), "%s", last ? last : "");
		mg_log(MG_LOG_INFO, "watch error: %s", s->error);
	}
	if (!mg_snapload_healthy(s->load) && !s->reachable &&
	    mg_time_mono_ms() >= s->next_probe_ms) {
		cJSON *v = NULL;

		s->next_probe_ms = mg_time_mono_ms() + 2000;
		if (!mg_kube_version(s->probe, &v, NULL)) {
			s->reachable = true;
			s->errors_at_probe = s->errors;
		}
		cJSON_Delete(v);
	}
	online = mg_snapload_healthy(s->load) ||
		 (s->reachable && s->errors == s->errors_at_probe) ||
		 (!synced && !s->errors);
	if (mg_snapload_healthy(s->load))
		s->reachable = true;
	if (synced != s->synced) {
		s->synced = synced;
		s->conn_version++;
	}
	if (online == s->online)
		return;
	s->online = online;
	s->conn_version++;
	if (online) {
		s->offline_since = 0;
		mg_log(MG_LOG_INFO, "API server reachable again");
	} else {
		s->offline_since = time(NULL);
		mg_log(MG_LOG_WARN, "API server unreachable: %s", s->error);
	}
}

int
tui_source_run(struct tui_source *s, int timeout_ms, const int *fds,
	       short *revents,
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
	update_connection(s);
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

/* --- findings ------------------------------------------------------- */

static enum mg_vt_sev
vt_sev(enum mg_health_sev sev)
{
	switch (sev) {
	case MG_HEALTH_NONE:
	case MG_HEALTH_INFO:
		break;
	case MG_HEALTH_WARN:
		return MG_VT_SEV_WARN;
	case MG_HEALTH_ERROR:
		return MG_VT_SEV_ERROR;
	case MG_HEALTH_FATAL:
		return MG_VT_SEV_FATAL;
	}
	return MG_VT_SEV_OK;
}

static int
cmp_sev_entry(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct sev_entry *)a)->obj;
	uintptr_t y = (uintptr_t)((const struct sev_entry *)b)->obj;

	return x < y ? -1 : x > y;
}

/* The worst finding about obj (the report is from the same snapshot). */
static enum mg_vt_sev
obj_sev(void *data, const struct mg_snap_obj *obj)
{
	const struct tui_source *s = data;
	struct sev_entry key = { obj, MG_VT_SEV_OK };
	const struct sev_entry *e;

	if (!s->nsevs)
		return MG_VT_SEV_OK;
	e = bsearch(&key, s->sevs, s->nsevs, sizeof(*s->sevs), cmp_sev_entry);
	return e ? e->sev : MG_VT_SEV_OK;
}

static void
check_health(struct tui_source *s, time_t now)
{
	size_t i, n = 0;

	mg_snap_tick(s->snap, now);
	s->ticked = now;
	mg_health_check(s->snap, now, NULL, &s->report);
	s->sevs = mg_xrealloc(s->sevs,
			      (s->report.n + 1) * sizeof(*s->sevs));
	for (i = 0; i < s->report.n; i++) {
		const struct mg_health_finding *f = &s->report.v[i];
		enum mg_vt_sev sev = vt_sev(f->sev);

		if (!f->obj || sev == MG_VT_SEV_OK)
			continue;
		s->sevs[n].obj = f->obj;
		s->sevs[n].sev = sev;
		n++;
	}
	qsort(s->sevs, n, sizeof(*s->sevs), cmp_sev_entry);
	/* one entry per object, its worst */
	s->nsevs = 0;
	for (i = 0; i < n; i++) {
		if (s->nsevs && s->sevs[s->nsevs - 1].obj == s->sevs[i].obj) {
			if (s->sevs[i].sev > s->sevs[s->nsevs - 1].sev)
				s->sevs[s->nsevs - 1].sev = s->sevs[i].sev;
			continue;
		}
		s->sevs[s->nsevs++] = s->sevs[i];
	}
}

void
tui_source_build(struct tui_source *s, struct mg_viewtree *vt, time_t now)
{
	struct mg_vt_build_opts bo = { now, obj_sev, s, s->all_ns };

	check_health(s, now);
	mg_viewtree_build(vt, s->snap, &bo);
	s->changed_ms = 0;
}

int64_t
tui_source_changed_ms(const struct tui_source *s)
{
	return s->changed_ms;
}

void
tui_source_health(const struct tui_source *s, time_t now,
		  struct tui_health *h)
{
	size_t i, n;
	struct mg_snap_cluster *const *cl;
	const struct mg_health_finding *worst = NULL;

	(void)now;
	memset(h, 0, sizeof(*h));
	h->synced = s->synced;
	h->online = s->online;
	h->reachable = s->reachable;
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
	for (i = 0; i < s->report.n; i++) {
		const struct mg_health_finding *f = &s->report.v[i];
		enum mg_vt_sev sev = vt_sev(f->sev);

		if (sev == MG_VT_SEV_OK)
			continue;
		h->findings[sev]++;
		if (!worst || f->sev > worst->sev)
			worst = f;
	}
	if (worst)
		snprintf(h->headline, sizeof(h->headline), "%s: %s",
			 worst->subject, worst->message);
}

void
tui_source_findings(const struct tui_source *s, time_t now,
		    struct mg_buf *out)
{
	enum mg_health_sev sev;
	size_t i, n = 0;

	for (sev = MG_HEALTH_FATAL; sev >= MG_HEALTH_WARN; sev--) {
		for (i = 0; i < s->report.n; i++) {
			const struct mg_health_finding *f = &s->report.v[i];
			char age[16] = "";

			if (f->sev != sev)
				continue;
			if (f->since)
				tui_age(age, (long long)(now - f->since));
			mg_buf_addf(out, "%-5s %-20s %s%s%s: %s%s%s%s\n",
				    mg_health_sev_name(f->sev), f->code,
				    s->all_ns ? f->ns : "", s->all_ns ? " " : "",
				    f->subject, f->message, *age ? " (for " : "",
				    age, *age ? ")" : "");
			n++;
		}
	}
	if (!n)
		mg_buf_adds(out, "No findings: healthy.\n");
}

/* The findings about one object, for its detail pane. */
static void
add_findings(struct mg_buf *out, const struct tui_source *s,
	     const struct mg_snap_obj *o, time_t now)
{
	size_t i;

	for (i = 0; i < s->report.n; i++) {
		const struct mg_health_finding *f = &s->report.v[i];

		if (f->obj != o || f->sev < MG_HEALTH_WARN)
			continue;
		mg_buf_addf(out, "%c %s: %s", f->sev >= MG_HEALTH_ERROR ? 'E' : '!',
			    f->code, f->message);
		if (f->since) {
			char age[16];

			tui_age(age, (long long)(now - f->since));
			mg_buf_addf(out, " (%s)", age);
		}
		mg_buf_addch(out, '\n');
	}
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
		mg_buf_addf(out, "! drain %s",
			    p->drain == MG_DRAIN_UNKNOWN ?
				    (p->drain_value ? p->drain_value : "?") :
				    mg_drain_state_name(p->drain));
		if (p->drain_since) {
			tui_age(age, (long long)(now - p->drain_since));
			mg_buf_addf(out, " for %s", age);
		}
		mg_buf_addch(out, '\n');
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
		char age[16];

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
	add_findings(out, s, o, now);
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
