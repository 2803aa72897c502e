/*
 * status.c - the status report (see status.h and docs/status-schema.md).
 */
#include "status.h"

#include <stdarg.h>

#include "buf.h"
#include "cliutil.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "timeutil.h"
#include "xalloc.h"
#include "yaml_json.h"

/* --- which clusters ------------------------------------------------------------ */

static bool
chosen(const struct mg_snap_cluster *c, const struct mg_status_opts *o)
{
	if (!o->cluster)
		return true;
	return !strcmp(c->name, o->cluster) &&
	       (!o->ns || !strcmp(c->ns, o->ns));
}

static int
check_chosen(const struct mg_snap *s, const struct mg_status_opts *o,
	     struct mg_err *err)
{
	size_t n, i;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);

	if (!o->cluster)
		return 0;
	for (i = 0; i < n; i++) {
		if (chosen(cl[i], o))
			return 0;
	}
	if (o->ns)
		return mg_err_set(err, MG_ENOTFOUND,
				  "multigrescluster '%s' not found in "
				  "namespace '%s'",
				  o->cluster, o->ns);
	return mg_err_set(err, MG_ENOTFOUND, "multigrescluster '%s' not found",
			  o->cluster);
}

int
mg_status_exit_code(const struct mg_snap *s, const struct mg_health_report *r,
		    const struct mg_status_opts *opts)
{
	enum mg_health_sev worst = MG_HEALTH_NONE;
	size_t n, i;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);

	for (i = 0; i < n; i++) {
		enum mg_health_sev w;

		if (!chosen(cl[i], opts))
			continue;
		w = mg_health_worst(r, cl[i]->ns, cl[i]->name);
		if (w > worst)
			worst = w;
	}
	return mg_health_exit_code(worst);
}

/* --- shared helpers ---------------------------------------------------------------- */

static const char *
role_word(const struct mg_snap_pod *p)
{
	return p->role_name ? p->role_name : "unknown";
}

static const char *
drift_word(enum mg_snap_drift d)
{
	switch (d) {
	case MG_SNAP_DRIFT_NONE:
		return "none";
	case MG_SNAP_DRIFT_YES:
		return "drifted";
	default:
		return "unknown";
	}
}

static bool
backup_stale(const struct mg_snap_shard *sh, time_t now)
{
	return sh->last_backup &&
	       now - sh->last_backup > MG_HEALTH_BACKUP_WARN_SEC;
}

/* containers ready / total, init containers that keep running included */
static void
pod_containers(const struct mg_snap_pod *p, long *ready, long *total)
{
	const char *lists[] = { "status.initContainerStatuses",
				"status.containerStatuses" };
	const cJSON *it;
	size_t i;

	*ready = *total = 0;
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		mg_json_array_foreach(it, mg_json_get(p->obj.json, lists[i])) {
			/* a finished init container is not counted */
			if (i == 0 && mg_json_get(it, "state.terminated"))
				continue;
			(*total)++;
			*ready += mg_json_bool(it, "ready", false);
		}
	}
}

static const struct mg_snap_pod *
shard_primary(const struct mg_snap_shard *sh)
{
	size_t i;

	if (sh->nprimary != 1)
		return NULL;
	for (i = 0; i < sh->nroles; i++) {
		if (sh->roles[i].found &&
		    sh->roles[i].found->role == MG_DRAIN_ROLE_PRIMARY)
			return sh->roles[i].found;
	}
	return NULL;
}

/* --- JSON ---------------------------------------------------------------------------- */

static void
j_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static void
j_num(cJSON *o, const char *key, long long v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

/* A count that is -1 when absent. */
static void
j_opt(cJSON *o, const char *key, long long v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, key);
	else
		j_num(o, key, v);
}

static void
j_time(cJSON *o, const char *key, time_t t)
{
	char buf[MG_TIME_LEN + 1];

	if (!t || mg_time_format(buf, t, NULL))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, buf);
}

static cJSON *
j_conds(const struct mg_snap_obj *o)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < o->nconds; i++) {
		cJSON *c = cJSON_CreateObject();

		j_str(c, "type", o->conds[i].type);
		j_str(c, "status", o->conds[i].status);
		j_str(c, "reason", o->conds[i].reason);
		j_str(c, "message", o->conds[i].message);
		j_time(c, "lastTransitionTime", o->conds[i].since);
		cJSON_AddItemToArray(a, c);
	}
	return a;
}

/* The fields every CR has. */
static void
j_cr(cJSON *j, const struct mg_snap_obj *o)
{
	cJSON_AddBoolToObject(j, "present", o->json != NULL);
	j_str(j, "phase", o->json ? o->phase : NULL);
	j_str(j, "message", o->json ? o->message : NULL);
	if (o->json) {
		j_num(j, "generation", o->generation);
		j_opt(j, "observedGeneration", o->observed_generation);
	} else {
		cJSON_AddNullToObject(j, "generation");
		cJSON_AddNullToObject(j, "observedGeneration");
	}
	j_time(j, "created", o->created);
	j_time(j, "deleting", o->deleting);
	cJSON_AddItemToObject(j, "conditions", j_conds(o));
}

static cJSON *
j_deploy(const struct mg_snap_deploy *d)
{
	cJSON *j = cJSON_CreateObject();

	j_str(j, "name", d->obj.name);
	j_str(j, "component", d->component);
	j_str(j, "cell", d->cell);
	j_num(j, "replicas", d->replicas);
	j_num(j, "ready", d->ready);
	j_num(j, "updated", d->updated);
	j_num(j, "available", d->available);
	return j;
}

static cJSON *
j_pvc(const struct mg_snap_pvc *v)
{
	cJSON *j = cJSON_CreateObject();

	j_str(j, "name", v->obj.name);
	j_str(j, "phase", v->obj.phase);
	j_str(j, "capacity", v->capacity);
	j_str(j, "storageClass", v->storage_class);
	j_str(j, "orphanSince", v->orphan_since);
	j_time(j, "deleting", v->obj.deleting);
	return j;
}

static cJSON *
j_pod(const struct mg_snap_pod *p, time_t now)
{
	cJSON *j = cJSON_CreateObject(), *x;
	long ready, total;

	pod_containers(p, &ready, &total);
	j_str(j, "name", p->obj.name);
	j_opt(j, "index", p->index);
	j_str(j, "role", role_word(p));
	j_str(j, "phase", p->obj.phase);
	cJSON_AddBoolToObject(j, "ready", p->ready);
	x = cJSON_AddObjectToObject(j, "containers");
	j_num(x, "ready", ready);
	j_num(x, "total", total);
	j_num(j, "restarts", p->restarts);
	j_str(j, "waitingReason", p->waiting_reason);
	if (p->last_term_reason) {
		x = cJSON_AddObjectToObject(j, "lastTermination");
		j_str(x, "reason", p->last_term_reason);
		j_time(x, "finishedAt", p->last_term_at);
	} else {
		cJSON_AddNullToObject(j, "lastTermination");
	}
	j_str(j, "node", p->node);
	j_time(j, "created", p->obj.created);
	if (p->obj.created)
		j_num(j, "ageSeconds", now - p->obj.created);
	else
		cJSON_AddNullToObject(j, "ageSeconds");
	j_time(j, "deleting", p->obj.deleting);
	j_str(j, "drift", drift_word(p->drift));
	j_str(j, "specHash", p->spec_hash);
	j_str(j, "desiredHash", p->desired_hash[0] ? p->desired_hash : NULL);
	if (p->drain != MG_DRAIN_NONE) {
		x = cJSON_AddObjectToObject(j, "drain");
		j_str(x, "state", p->drain_value);
		j_time(x, "since", p->drain_since);
		if (p->drain_since)
			j_num(x, "seconds", now - p->drain_since);
		else
			cJSON_AddNullToObject(x, "seconds");
	} else {
		cJSON_AddNullToObject(j, "drain");
	}
	return j;
}

static cJSON *
j_shard(const struct mg_snap_shard *sh, time_t now)
{
	cJSON *j = cJSON_CreateObject(), *x, *a;
	const struct mg_snap_pod *prim = shard_primary(sh);
	size_t i, k, m;

	j_str(j, "name", sh->name);
	j_str(j, "resource", sh->obj.name);
	j_cr(j, &sh->obj);
	j_opt(j, "replicas", sh->replicas);
	j_opt(j, "readyReplicas", sh->ready_replicas);
	if (sh->obj.json) {
		cJSON_AddBoolToObject(j, "orchReady", sh->orch_ready);
		cJSON_AddBoolToObject(j, "poolsReady", sh->pools_ready);
	} else {
		cJSON_AddNullToObject(j, "orchReady");
		cJSON_AddNullToObject(j, "poolsReady");
	}
	j_str(j, "primary", prim ? prim->obj.name : NULL);
	j_num(j, "primaries", (long long)sh->nprimary);
	x = cJSON_AddObjectToObject(j, "pods");
	j_num(x, "total", (long long)sh->npods);
	j_num(x, "ready", (long long)sh->nready);
	j_num(x, "drifted", (long long)sh->ndrifted);
	j_num(x, "draining", (long long)sh->ndraining);
	x = cJSON_AddObjectToObject(j, "backup");
	j_time(x, "lastBackupTime", sh->last_backup);
	j_str(x, "lastBackupType", sh->last_backup_type);
	if (sh->last_backup)
		j_num(x, "ageSeconds", now - sh->last_backup);
	else
		cJSON_AddNullToObject(x, "ageSeconds");
	cJSON_AddBoolToObject(x, "stale", backup_stale(sh, now));
	if (sh->backup) {
		cJSON *c = cJSON_AddObjectToObject(x, "condition");

		j_str(c, "status", sh->backup->status);
		j_str(c, "reason", sh->backup->reason);
		j_str(c, "message", sh->backup->message);
	} else {
		cJSON_AddNullToObject(x, "condition");
	}
	x = cJSON_AddObjectToObject(j, "rollingUpdate");
	cJSON_AddBoolToObject(
		x, "inProgress",
		sh->ndrifted > 0 ||
			(sh->rolling && sh->rolling->status &&
			 !strcmp(sh->rolling->status, "True")));
	j_num(x, "drifted", (long long)sh->ndrifted);
	j_num(x, "total", (long long)sh->npods);
	j_str(x, "message", sh->rolling ? sh->rolling->message : NULL);
	j_time(j, "pendingDeletion", sh->pending_deletion);
	x = cJSON_AddObjectToObject(j, "podRoles");
	for (i = 0; i < sh->nroles; i++)
		j_str(x, sh->roles[i].key, sh->roles[i].value);
	a = cJSON_AddArrayToObject(j, "multiorch");
	for (i = 0; i < sh->norch; i++)
		cJSON_AddItemToArray(a, j_deploy(sh->orch[i]));
	if (sh->backup_pvc)
		cJSON_AddItemToObject(j, "backupPVC", j_pvc(sh->backup_pvc));
	else
		cJSON_AddNullToObject(j, "backupPVC");
	a = cJSON_AddArrayToObject(j, "pools");
	for (i = 0; i < sh->npools; i++) {
		const struct mg_snap_pool *p = sh->pools[i];
		cJSON *pj = cJSON_CreateObject(), *ca;

		j_str(pj, "name", p->name);
		cJSON_AddBoolToObject(pj, "inSpec", p->spec != NULL);
		j_str(pj, "type", mg_json_str(p->spec, "type"));
		j_opt(pj, "replicasPerCell", p->replicas_per_cell);
		ca = cJSON_AddArrayToObject(pj, "cells");
		for (k = 0; k < p->ncells; k++) {
			const struct mg_snap_poolcell *pc = p->cells[k];
			cJSON *cj = cJSON_CreateObject(), *pa, *va;

			j_str(cj, "cell", pc->cell);
			cJSON_AddBoolToObject(cj, "inSpec", pc->in_spec);
			j_opt(cj, "desired", pc->desired);
			j_num(cj, "ready", (long long)pc->nready);
			j_num(cj, "primaries", (long long)pc->nprimary);
			pa = cJSON_AddArrayToObject(cj, "pods");
			for (m = 0; m < pc->npods; m++)
				cJSON_AddItemToArray(pa, j_pod(pc->pods[m], now));
			va = cJSON_AddArrayToObject(cj, "pvcs");
			for (m = 0; m < pc->npvcs; m++)
				cJSON_AddItemToArray(va, j_pvc(pc->pvcs[m]));
			cJSON_AddItemToArray(ca, cj);
		}
		cJSON_AddItemToArray(a, pj);
	}
	return j;
}

static cJSON *
j_finding(const struct mg_health_finding *f)
{
	cJSON *j = cJSON_CreateObject();

	j_str(j, "severity", mg_health_sev_name(f->sev));
	j_str(j, "code", f->code);
	j_str(j, "kind", mg_snap_kind_name(f->kind));
	j_str(j, "namespace", f->ns);
	j_str(j, "name", f->name);
	j_str(j, "subject", f->subject);
	j_str(j, "message", f->message);
	j_time(j, "since", f->since);
	return j;
}

/* --- the events of a cluster ------------------------------------------------------ */

struct evlist {
	const struct mg_snap_event **v;
	size_t n, alloc;
};

static void
ev_add(struct evlist *l, const struct mg_snap_obj *o)
{
	size_t i;

	for (i = 0; i < o->nevents; i++) {
		l->v = mg_xgrow(l->v, sizeof(*l->v), l->n + 1, &l->alloc);
		l->v[l->n++] = o->events[i];
	}
}

static int
cmp_ev(const void *pa, const void *pb)
{
	const struct mg_snap_event *a = *(const struct mg_snap_event *const *)pa;
	const struct mg_snap_event *b = *(const struct mg_snap_event *const *)pb;

	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	return strcmp(a->obj.name, b->obj.name);
}

/* Every event about the cluster's objects, newest first. */
static void
cluster_events(const struct mg_snap_cluster *c, struct evlist *l)
{
	size_t i, j, k, m, q;

	ev_add(l, &c->obj);
	for (i = 0; i < c->ncells; i++) {
		ev_add(l, &c->cells[i]->obj);
		if (c->cells[i]->gateway)
			ev_add(l, &c->cells[i]->gateway->obj);
	}
	for (i = 0; i < c->ntopos; i++)
		ev_add(l, c->topos[i]);
	for (i = 0; i < c->ndeploys; i++)
		ev_add(l, &c->deploys[i]->obj);
	for (i = 0; i < c->ntgs; i++) {
		const struct mg_snap_tablegroup *tg = c->tgs[i];

		ev_add(l, &tg->obj);
		for (j = 0; j < tg->nshards; j++) {
			const struct mg_snap_shard *sh = tg->shards[j];

			ev_add(l, &sh->obj);
			for (k = 0; k < sh->norch; k++)
				ev_add(l, &sh->orch[k]->obj);
			if (sh->backup_pvc)
				ev_add(l, &sh->backup_pvc->obj);
			for (k = 0; k < sh->npools; k++) {
				for (m = 0; m < sh->pools[k]->ncells; m++) {
					const struct mg_snap_poolcell *pc =
						sh->pools[k]->cells[m];

					for (q = 0; q < pc->npods; q++)
						ev_add(l, &pc->pods[q]->obj);
					for (q = 0; q < pc->npvcs; q++)
						ev_add(l, &pc->pvcs[q]->obj);
				}
			}
		}
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_ev);
}

static cJSON *
j_event(const struct mg_snap_event *e)
{
	cJSON *j = cJSON_CreateObject(), *o;

	j_str(j, "type", e->type);
	j_str(j, "reason", e->reason);
	j_str(j, "message", e->note);
	j_num(j, "count", e->count);
	j_time(j, "firstTime", e->first);
	j_time(j, "lastTime", e->last);
	o = cJSON_AddObjectToObject(j, "object");
	j_str(o, "kind", e->involved_kind);
	j_str(o, "name", e->involved_name);
	return j;
}

static cJSON *
j_cluster(const struct mg_snap_cluster *c, const struct mg_health_report *r,
	  time_t now)
{
	cJSON *j = cJSON_CreateObject(), *h, *a;
	struct mg_buf hl = MG_BUF_INIT;
	enum mg_health_sev w = mg_health_worst(r, c->ns, c->name);
	struct evlist ev = { NULL, 0, 0 };
	size_t i, k;

	j_str(j, "namespace", c->ns);
	j_str(j, "name", c->name);
	h = cJSON_AddObjectToObject(j, "health");
	mg_health_headline(&hl, r, c->ns, c->name);
	j_str(h, "verdict", mg_health_verdict(w));
	j_str(h, "severity", mg_health_sev_name(w));
	j_num(h, "exitCode", mg_health_exit_code(w));
	j_str(h, "headline", hl.data);
	mg_buf_release(&hl);
	j_cr(j, &c->obj);
	a = cJSON_AddArrayToObject(j, "cells");
	for (i = 0; i < c->ncells; i++) {
		const struct mg_snap_cell *cell = c->cells[i];
		cJSON *cj = cJSON_CreateObject(), *g;

		j_str(cj, "name", cell->name);
		j_str(cj, "resource", cell->obj.name);
		j_cr(cj, &cell->obj);
		j_str(cj, "zoneId", cell->zone);
		j_str(cj, "region", cell->region);
		g = cJSON_AddObjectToObject(cj, "gateway");
		j_str(g, "deployment",
		      cell->gateway ? cell->gateway->obj.name : NULL);
		if (cell->gateway) {
			j_num(g, "replicas", cell->gateway->replicas);
			j_num(g, "ready", cell->gateway->ready);
		} else {
			j_opt(g, "replicas", cell->gateway_replicas);
			j_opt(g, "ready", cell->gateway_ready);
		}
		j_str(cj, "topoServer", cell->topo ? cell->topo->name : NULL);
		cJSON_AddItemToArray(a, cj);
	}
	a = cJSON_AddArrayToObject(j, "topoServers");
	for (i = 0; i < c->ntopos; i++) {
		const struct mg_snap_obj *t = c->topos[i];
		const struct mg_snap_cond *rc = mg_snap_cond(t, "Ready");
		cJSON *tj = cJSON_CreateObject();
		const char *cell = NULL;

		for (k = 0; k < c->ncells; k++) {
			if (c->cells[k]->topo == t)
				cell = c->cells[k]->name;
		}
		j_str(tj, "name", t->name);
		j_str(tj, "cell", cell);
		j_str(tj, "phase", t->phase);
		j_str(tj, "ready", rc ? rc->status : NULL);
		cJSON_AddItemToArray(a, tj);
	}
	a = cJSON_AddArrayToObject(j, "deployments");
	for (i = 0; i < c->ndeploys; i++)
		cJSON_AddItemToArray(a, j_deploy(c->deploys[i]));
	a = cJSON_AddArrayToObject(j, "tableGroups");
	for (i = 0; i < c->ntgs; i++) {
		const struct mg_snap_tablegroup *tg = c->tgs[i];
		cJSON *tj = cJSON_CreateObject(), *sa;

		j_str(tj, "database", tg->database);
		j_str(tj, "name", tg->name);
		j_str(tj, "resource", tg->obj.name);
		j_cr(tj, &tg->obj);
		j_opt(tj, "readyShards", tg->ready_shards);
		j_opt(tj, "totalShards", tg->total_shards);
		sa = cJSON_AddArrayToObject(tj, "shards");
		for (k = 0; k < tg->nshards; k++)
			cJSON_AddItemToArray(sa, j_shard(tg->shards[k], now));
		cJSON_AddItemToArray(a, tj);
	}
	a = cJSON_AddArrayToObject(j, "findings");
	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->v[i].ns, c->ns) &&
		    !strcmp(r->v[i].cluster, c->name))
			cJSON_AddItemToArray(a, j_finding(&r->v[i]));
	}
	a = cJSON_AddArrayToObject(j, "events");
	cluster_events(c, &ev);
	for (i = 0; i < ev.n && i < MG_STATUS_MAX_EVENTS; i++)
		cJSON_AddItemToArray(a, j_event(ev.v[i]));
	free(ev.v);
	return j;
}

int
mg_status_json(cJSON **out, const struct mg_snap *s,
	       const struct mg_health_report *r,
	       const struct mg_status_opts *opts, struct mg_err *err)
{
	char now[MG_TIME_LEN + 1];
	cJSON *doc, *a;
	size_t n, i;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);
	int rc;

	*out = NULL;
	if ((rc = check_chosen(s, opts, err)))
		return rc;
	if ((rc = mg_time_format(now, opts->now, err)))
		return rc;
	doc = cJSON_CreateObject();
	j_num(doc, "schemaVersion", MG_STATUS_SCHEMA_VERSION);
	j_str(doc, "time", now);
	j_num(doc, "exitCode", mg_status_exit_code(s, r, opts));
	a = cJSON_AddArrayToObject(doc, "clusters");
	for (i = 0; i < n; i++) {
		if (chosen(cl[i], opts))
			cJSON_AddItemToArray(a, j_cluster(cl[i], r, opts->now));
	}
	*out = doc;
	return 0;
}

/* --- text ---------------------------------------------------------------------------- */

#define C_RED    "\033[31m"
#define C_YELLOW "\033[33m"
#define C_GREEN  "\033[32m"
#define C_BOLD   "\033[1m"
#define C_DIM    "\033[2m"
#define C_RESET  "\033[0m"

enum { COL_NAME, COL_STATUS, COL_READY, COL_ROLE, COL_AGE, COL_DETAILS, NCOL };

struct trow {
	char *cell[NCOL];
	const char *color[NCOL];
};

struct table {
	struct trow *rows;
	size_t n, alloc;
	const struct mg_status_opts *o;
};

static struct trow *
trow_new(struct table *t)
{
	struct trow *r;

	t->rows = mg_xgrow(t->rows, sizeof(*t->rows), t->n + 1, &t->alloc);
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static void tset(struct trow *r, int col, const char *fmt, ...)
	MG_PRINTF(3, 4);

static void
tset(struct trow *r, int col, const char *fmt, ...)
{
	va_list ap;
	char *old = r->cell[col]; /* may be an argument */

	va_start(ap, fmt);
	r->cell[col] = mg_xvasprintf(fmt, ap);
	va_end(ap);
	free(old);
}

static void
table_release(struct table *t)
{
	size_t i;
	int c;

	for (i = 0; i < t->n; i++) {
		for (c = 0; c < NCOL; c++)
			free(t->rows[i].cell[c]);
	}
	free(t->rows);
}

/* Display width: UTF-8 code points (the tree's box characters are one
 * column each). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void
pad(struct mg_buf *out, size_t n)
{
	while (n--)
		mg_buf_addch(out, ' ');
}

static void
table_print(struct mg_buf *out, const struct table *t, const char *indent,
	    const char *const *head, int ncol)
{
	size_t w[NCOL] = { 0 };
	size_t i;
	int c;

	for (c = 0; c < ncol; c++)
		w[c] = width(head[c]);
	for (i = 0; i < t->n; i++) {
		for (c = 0; c < ncol; c++) {
			size_t x = width(t->rows[i].cell[c]);

			if (x > w[c])
				w[c] = x;
		}
	}
	for (i = 0; i <= t->n; i++) {
		const struct trow *r = i ? &t->rows[i - 1] : NULL;
		int last = ncol - 1;

		/* the last non-empty column ends the line: no trailing blanks */
		while (r && last > 0 && !(r->cell[last] && *r->cell[last]))
			last--;
		mg_buf_adds(out, indent);
		for (c = 0; c <= last; c++) {
			const char *s = r ? (r->cell[c] ? r->cell[c] : "")
					  : head[c];
			const char *col = r && t->o->color ? r->color[c] : NULL;

			if (col && *s)
				mg_buf_addf(out, "%s%s%s", col, s, C_RESET);
			else
				mg_buf_adds(out, s);
			if (c < last)
				pad(out, w[c] - width(s) + 3);
		}
		mg_buf_addch(out, '\n');
	}
}

static const char *
phase_color(const char *phase)
{
	if (!phase)
		return NULL;
	if (!strcmp(phase, "Healthy") || !strcmp(phase, "Running") ||
	    !strcmp(phase, "Bound") || !strcmp(phase, "Available") ||
	    !strcmp(phase, "True"))
		return C_GREEN;
	if (!strcmp(phase, "Progressing") || !strcmp(phase, "Pending") ||
	    !strcmp(phase, "Initializing") || !strcmp(phase, "Terminating"))
		return C_YELLOW;
	return C_RED;
}

static const char *
sev_color(enum mg_health_sev s)
{
	switch (s) {
	case MG_HEALTH_INFO:
		return C_DIM;
	case MG_HEALTH_WARN:
		return C_YELLOW;
	case MG_HEALTH_ERROR:
		return C_RED;
	case MG_HEALTH_FATAL:
		return C_BOLD C_RED;
	default:
		return C_GREEN;
	}
}

static void
t_age(struct trow *r, time_t now, time_t t)
{
	char b[24];

	if (!t) {
		tset(r, COL_AGE, "-");
		return;
	}
	mg_health_duration(b, (long long)(now - t));
	tset(r, COL_AGE, "%s", b);
}

/* STATUS of a CR row: its phase, "Terminating", or "<missing>". */
static void
t_phase(struct trow *r, const struct mg_snap_obj *o)
{
	if (!o->json) {
		tset(r, COL_STATUS, "<missing>");
		r->color[COL_STATUS] = C_RED;
	} else if (o->deleting) {
		tset(r, COL_STATUS, "Terminating");
		r->color[COL_STATUS] = C_YELLOW;
	} else {
		tset(r, COL_STATUS, "%s", o->phase ? o->phase : "-");
		r->color[COL_STATUS] = phase_color(o->phase);
	}
}

static void
details_add(struct mg_buf *d, const char *fmt, ...) MG_PRINTF(2, 3);

static void
details_add(struct mg_buf *d, const char *fmt, ...)
{
	va_list ap;

	if (d->len)
		mg_buf_adds(d, "; ");
	va_start(ap, fmt);
	mg_buf_vaddf(d, fmt, ap);
	va_end(ap);
}

/* -vv: every condition, "Type=Status(Reason)". */
static void
details_conds(struct mg_buf *d, const struct mg_snap_obj *o, int verbose)
{
	size_t i;

	if (verbose < 2)
		return;
	for (i = 0; i < o->nconds; i++)
		details_add(d, "%s=%s%s%s%s", o->conds[i].type,
			    o->conds[i].status ? o->conds[i].status : "?",
			    o->conds[i].reason ? "(" : "",
			    o->conds[i].reason ? o->conds[i].reason : "",
			    o->conds[i].reason ? ")" : "");
}

struct tree {
	struct table t;
	struct mg_buf prefix; /* the current indentation of children */
	const char *branch, *last_branch, *stem, *space;
};

/* A row named `name` at the current depth; last: the last sibling. */
static struct trow *
tree_row(struct tree *tr, bool root, bool last, const char *name)
{
	struct trow *r = trow_new(&tr->t);

	if (root)
		tset(r, COL_NAME, "%s", name);
	else
		tset(r, COL_NAME, "%s%s%s", tr->prefix.data,
		     last ? tr->last_branch : tr->branch, name);
	return r;
}

/* Descends under the row just added; returns the length to restore. */
static size_t
tree_push(struct tree *tr, bool root, bool last)
{
	size_t len = tr->prefix.len;

	if (!root)
		mg_buf_adds(&tr->prefix, last ? tr->space : tr->stem);
	return len;
}

static void
tree_pop(struct tree *tr, size_t len)
{
	if (tr->prefix.len > len) {
		tr->prefix.len = len;
		tr->prefix.data[len] = '\0';
	}
}

static void
t_pod(struct tree *tr, const struct mg_snap_pod *p, bool last)
{
	const struct mg_status_opts *o = tr->t.o;
	struct trow *r = tree_row(tr, false, last, "");
	struct mg_buf d = MG_BUF_INIT;
	long ready, total;
	char b[24];

	tset(r, COL_NAME, "%spod %s", r->cell[COL_NAME], p->obj.name);
	pod_containers(p, &ready, &total);
	if (p->obj.deleting) {
		tset(r, COL_STATUS, "Terminating");
		r->color[COL_STATUS] = C_YELLOW;
	} else if (p->waiting_reason) {
		tset(r, COL_STATUS, "%s", p->waiting_reason);
		r->color[COL_STATUS] = C_RED;
	} else {
		tset(r, COL_STATUS, "%s", p->obj.phase ? p->obj.phase : "-");
		r->color[COL_STATUS] = phase_color(p->obj.phase);
	}
	tset(r, COL_READY, "%ld/%ld", ready, total);
	r->color[COL_READY] = p->ready ? NULL : C_RED;
	/* not in podRoles: "unknown", as the JSON says */
	tset(r, COL_ROLE, "%s", role_word(p));
	if (p->role == MG_DRAIN_ROLE_PRIMARY)
		r->color[COL_ROLE] = C_BOLD;
	else if (!p->role_name || p->role == MG_DRAIN_ROLE_QUARANTINED ||
		 p->role == MG_DRAIN_ROLE_DRAINED)
		r->color[COL_ROLE] = C_YELLOW;
	t_age(r, o->now, p->obj.created);
	if (p->drift == MG_SNAP_DRIFT_YES)
		details_add(&d, "drifted");
	if (p->drain != MG_DRAIN_NONE) {
		if (p->drain_since) {
			mg_health_duration(b, (long long)(o->now -
							  p->drain_since));
			details_add(&d, "drain %s for %s", p->drain_value, b);
		} else {
			details_add(&d, "drain %s", p->drain_value);
		}
	}
	if (p->restarts) {
		if (p->last_term_at) {
			mg_health_duration(b, (long long)(o->now -
							  p->last_term_at));
			details_add(&d, "%d restart%s (%s %s ago)", p->restarts,
				    p->restarts == 1 ? "" : "s",
				    p->last_term_reason ? p->last_term_reason
							: "last",
				    b);
		} else {
			details_add(&d, "%d restart%s", p->restarts,
				    p->restarts == 1 ? "" : "s");
		}
	}
	if (o->verbose >= 1 && p->node)
		details_add(&d, "node %s", p->node);
	if (o->verbose >= 1 && p->drift == MG_SNAP_DRIFT_YES)
		details_add(&d, "spec-hash %s, want %s",
			    p->spec_hash ? p->spec_hash : "(none)",
			    p->desired_hash);
	details_conds(&d, &p->obj, o->verbose);
	tset(r, COL_DETAILS, "%s", d.data);
	mg_buf_release(&d);
}

static void
t_pvc(struct tree *tr, const struct mg_snap_pvc *v, bool last)
{
	struct trow *r = tree_row(tr, false, last, "");
	struct mg_buf d = MG_BUF_INIT;

	tset(r, COL_NAME, "%spvc %s", r->cell[COL_NAME], v->obj.name);
	tset(r, COL_STATUS, "%s", v->obj.deleting ? "Terminating"
			    : v->obj.phase ? v->obj.phase : "-");
	r->color[COL_STATUS] = phase_color(v->obj.phase);
	t_age(r, tr->t.o->now, v->obj.created);
	if (v->capacity)
		details_add(&d, "%s", v->capacity);
	if (v->storage_class)
		details_add(&d, "class %s", v->storage_class);
	if (v->orphan_since)
		details_add(&d, "orphaned since %s", v->orphan_since);
	tset(r, COL_DETAILS, "%s", d.data);
	mg_buf_release(&d);
}

static void
t_deploy(struct tree *tr, const struct mg_snap_deploy *d, bool last,
	 const char *label_)
{
	struct trow *r = tree_row(tr, false, last, "");
	const struct mg_snap_cond *av = mg_snap_cond(&d->obj, "Available");
	const char *st = d->obj.deleting ? "Terminating"
			 : d->ready >= d->replicas ? "Available"
			 : "Unavailable";

	tset(r, COL_NAME, "%s%s", r->cell[COL_NAME], label_);
	tset(r, COL_STATUS, "%s", st);
	r->color[COL_STATUS] = phase_color(st);
	tset(r, COL_READY, "%ld/%ld", d->ready, d->replicas);
	t_age(r, tr->t.o->now, d->obj.created);
	if (tr->t.o->verbose >= 1)
		tset(r, COL_DETAILS, "%s%s%s", d->obj.name,
		     av && av->reason ? ", " : "", av && av->reason ? av->reason : "");
}

static void
t_shard(struct tree *tr, const struct mg_snap_shard *sh, bool last)
{
	const struct mg_status_opts *o = tr->t.o;
	struct trow *r = tree_row(tr, false, last, "");
	struct mg_buf d = MG_BUF_INIT;
	size_t i, k, m, nchild = 0, child = 0, save;

	tset(r, COL_NAME, "%sshard %s", r->cell[COL_NAME], sh->name);
	t_phase(r, &sh->obj);
	if (sh->ready_replicas >= 0 || sh->replicas >= 0) {
		char ready[24], want[24];

		snprintf(ready, sizeof(ready), "%ld", sh->ready_replicas);
		snprintf(want, sizeof(want), "%ld", sh->replicas);
		tset(r, COL_READY, "%s/%s",
		     sh->ready_replicas >= 0 ? ready : "-",
		     sh->replicas >= 0 ? want : "-");
		r->color[COL_READY] = sh->ready_replicas < sh->replicas
					      ? C_YELLOW : NULL;
	}
	t_age(r, o->now, sh->obj.created);
	if (sh->last_backup) {
		char b[24];

		mg_health_duration(b, (long long)(o->now - sh->last_backup));
		details_add(&d, "backup %s ago%s%s%s%s", b,
			    sh->last_backup_type ? " (" : "",
			    sh->last_backup_type ? sh->last_backup_type : "",
			    sh->last_backup_type ? ")" : "",
			    backup_stale(sh, o->now) ? ", STALE" : "");
		if (backup_stale(sh, o->now))
			r->color[COL_DETAILS] = C_YELLOW;
	} else if (sh->obj.json) {
		details_add(&d, "no backup yet");
	}
	if (sh->ndrifted)
		details_add(&d, "rolling update: %zu of %zu pods to update",
			    sh->ndrifted, sh->npods);
	else if (sh->rolling && sh->rolling->status &&
		 !strcmp(sh->rolling->status, "True"))
		details_add(&d, "rolling update: %s",
			    sh->rolling->message ? sh->rolling->message : "");
	if (sh->pending_deletion)
		details_add(&d, "pending deletion");
	if (sh->nprimary != 1)
		details_add(&d, "%zu primaries", sh->nprimary);
	details_conds(&d, &sh->obj, o->verbose);
	tset(r, COL_DETAILS, "%s", d.data);
	mg_buf_release(&d);

	nchild = sh->norch;
	for (i = 0; i < sh->npools; i++)
		nchild += sh->pools[i]->ncells;
	if (o->verbose >= 1 && sh->backup_pvc)
		nchild++;
	save = tree_push(tr, false, last);
	for (i = 0; i < sh->norch; i++) {
		char *lbl = mg_xasprintf("multiorch %s",
					 sh->orch[i]->cell ? sh->orch[i]->cell
							   : sh->orch[i]->obj.name);

		t_deploy(tr, sh->orch[i], ++child == nchild, lbl);
		free(lbl);
	}
	if (o->verbose >= 1 && sh->backup_pvc)
		t_pvc(tr, sh->backup_pvc, ++child == nchild);
	for (i = 0; i < sh->npools; i++) {
		const struct mg_snap_pool *p = sh->pools[i];

		for (k = 0; k < p->ncells; k++) {
			const struct mg_snap_poolcell *pc = p->cells[k];
			bool lastpc = ++child == nchild;
			struct trow *pr = tree_row(tr, false, lastpc, "");
			struct mg_buf pd = MG_BUF_INIT;
			size_t n = pc->npods + (o->verbose >= 1 ? pc->npvcs : 0);
			size_t save2, c2 = 0;

			tset(pr, COL_NAME, "%spool %s/%s", pr->cell[COL_NAME],
			     p->name, pc->cell);
			if (pc->desired >= 0)
				tset(pr, COL_READY, "%zu/%ld", pc->nready,
				     pc->desired);
			else
				tset(pr, COL_READY, "%zu/-", pc->nready);
			if (pc->desired >= 0 &&
			    pc->nready < (size_t)pc->desired)
				pr->color[COL_READY] = C_YELLOW;
			if (!pc->in_spec)
				details_add(&pd, "not in the spec");
			else if (p->spec && mg_json_str(p->spec, "type"))
				details_add(&pd, "%s",
					    mg_json_str(p->spec, "type"));
			if (pc->ndrifted)
				details_add(&pd, "%zu drifted", pc->ndrifted);
			if (pc->ndraining)
				details_add(&pd, "%zu draining", pc->ndraining);
			tset(pr, COL_DETAILS, "%s", pd.data);
			mg_buf_release(&pd);
			save2 = tree_push(tr, false, lastpc);
			for (m = 0; m < pc->npods; m++)
				t_pod(tr, pc->pods[m], ++c2 == n);
			for (m = 0; o->verbose >= 1 && m < pc->npvcs; m++)
				t_pvc(tr, pc->pvcs[m], ++c2 == n);
			tree_pop(tr, save2);
		}
	}
	tree_pop(tr, save);
}

static void
t_cluster(struct tree *tr, const struct mg_snap_cluster *c)
{
	const struct mg_status_opts *o = tr->t.o;
	struct trow *r = tree_row(tr, true, true, "");
	struct mg_buf d = MG_BUF_INIT;
	const cJSON *cells = mg_json_get(c->obj.json, "status.cells");
	const cJSON *it;
	size_t i, k, nchild, child = 0, save;

	tset(r, COL_NAME, "cluster %s", c->name);
	t_phase(r, &c->obj);
	if (cJSON_IsObject(cells)) {
		size_t ready = 0, total = 0;

		cJSON_ArrayForEach(it, cells) {
			total++;
			ready += mg_json_bool(it, "ready", false);
		}
		tset(r, COL_READY, "%zu/%zu", ready, total);
		r->color[COL_READY] = ready < total ? C_YELLOW : NULL;
	}
	t_age(r, o->now, c->obj.created);
	if (c->obj.message && *c->obj.message && c->obj.phase &&
	    strcmp(c->obj.phase, "Healthy"))
		details_add(&d, "%s", c->obj.message);
	details_conds(&d, &c->obj, o->verbose);
	tset(r, COL_DETAILS, "%s", d.data);
	mg_buf_release(&d);

	nchild = c->ncells + c->ntopos + c->ntgs +
		 (o->verbose >= 1 ? c->ndeploys : 0);
	save = tree_push(tr, true, true);
	for (i = 0; i < c->ncells; i++) {
		const struct mg_snap_cell *cell = c->cells[i];
		bool last = ++child == nchild;
		struct trow *cr = tree_row(tr, false, last, "");
		long gr = cell->gateway ? cell->gateway->ready
					: cell->gateway_ready;
		long gw = cell->gateway ? cell->gateway->replicas
					: cell->gateway_replicas;

		tset(cr, COL_NAME, "%scell %s", cr->cell[COL_NAME], cell->name);
		t_phase(cr, &cell->obj);
		if (gw >= 0 && gr >= 0) {
			tset(cr, COL_READY, "%ld/%ld", gr, gw);
			cr->color[COL_READY] = gr < gw ? (gr ? C_YELLOW : C_RED)
						       : NULL;
		}
		t_age(cr, o->now, cell->obj.created);
		d = (struct mg_buf)MG_BUF_INIT;
		if (!cell->gateway && cell->obj.json)
			details_add(&d, "no gateway Deployment");
		if (cell->zone)
			details_add(&d, "zone %s", cell->zone);
		if (cell->region)
			details_add(&d, "region %s", cell->region);
		if (cell->topo)
			details_add(&d, "local topo %s", cell->topo->name);
		details_conds(&d, &cell->obj, o->verbose);
		tset(cr, COL_DETAILS, "%s", d.data);
		if (!cell->gateway && cell->obj.json)
			cr->color[COL_DETAILS] = C_RED;
		mg_buf_release(&d);
	}
	for (i = 0; i < c->ntopos; i++) {
		const struct mg_snap_obj *t = c->topos[i];
		const struct mg_snap_cond *rc = mg_snap_cond(t, "Ready");
		bool last = ++child == nchild;
		struct trow *tr2 = tree_row(tr, false, last, "");

		tset(tr2, COL_NAME, "%stoposerver %s", tr2->cell[COL_NAME],
		     t->name);
		t_phase(tr2, t);
		if (rc && rc->status) {
			tset(tr2, COL_READY, "%s", rc->status);
			tr2->color[COL_READY] = phase_color(rc->status);
		}
		t_age(tr2, o->now, t->created);
		d = (struct mg_buf)MG_BUF_INIT;
		if (rc && rc->message)
			details_add(&d, "%s", rc->message);
		details_conds(&d, t, o->verbose);
		tset(tr2, COL_DETAILS, "%s", d.data);
		mg_buf_release(&d);
	}
	for (i = 0; o->verbose >= 1 && i < c->ndeploys; i++) {
		char *lbl = mg_xasprintf("%s", c->deploys[i]->component
					? c->deploys[i]->component
					: c->deploys[i]->obj.name);

		t_deploy(tr, c->deploys[i], ++child == nchild, lbl);
		free(lbl);
	}
	for (i = 0; i < c->ntgs; i++) {
		const struct mg_snap_tablegroup *tg = c->tgs[i];
		bool last = ++child == nchild;
		struct trow *gr = tree_row(tr, false, last, "");
		size_t save2;

		tset(gr, COL_NAME, "%stablegroup %s/%s", gr->cell[COL_NAME],
		     tg->database, tg->name);
		t_phase(gr, &tg->obj);
		if (tg->ready_shards >= 0 && tg->total_shards >= 0) {
			tset(gr, COL_READY, "%ld/%ld", tg->ready_shards,
			     tg->total_shards);
			gr->color[COL_READY] =
				tg->ready_shards < tg->total_shards ? C_YELLOW
								    : NULL;
		}
		t_age(gr, o->now, tg->obj.created);
		d = (struct mg_buf)MG_BUF_INIT;
		details_conds(&d, &tg->obj, o->verbose);
		tset(gr, COL_DETAILS, "%s", d.data);
		mg_buf_release(&d);
		save2 = tree_push(tr, false, last);
		for (k = 0; k < tg->nshards; k++)
			t_shard(tr, tg->shards[k], k + 1 == tg->nshards);
		tree_pop(tr, save2);
	}
	tree_pop(tr, save);
}

static void
text_cluster(struct mg_buf *out, const struct mg_snap_cluster *c,
	     const struct mg_health_report *r, const struct mg_status_opts *o)
{
	static const char *const head[NCOL] = {
		"NAME", "STATUS", "READY", "ROLE", "AGE", "DETAILS",
	};
	static const char *const phead[] = { "SEVERITY", "OBJECT", "PROBLEM" };
	static const char *const ehead[] = {
		"LAST", "TYPE", "REASON", "OBJECT", "MESSAGE",
	};
	enum mg_health_sev w = mg_health_worst(r, c->ns, c->name);
	struct tree tr;
	struct table pt = { NULL, 0, 0, o };
	struct evlist ev = { NULL, 0, 0 };
	struct mg_buf hl = MG_BUF_INIT;
	size_t i, shown = 0;

	memset(&tr, 0, sizeof(tr));
	tr.t.o = o;
	mg_buf_init(&tr.prefix, 0);
	tr.branch = o->ascii ? "|- " : "├─ ";
	tr.last_branch = o->ascii ? "`- " : "└─ ";
	tr.stem = o->ascii ? "|  " : "│  ";
	tr.space = "   ";

	mg_health_headline(&hl, r, c->ns, c->name);
	mg_buf_addf(out, "%s%s/%s%s: ", o->color ? C_BOLD : "", c->ns, c->name,
		    o->color ? C_RESET : "");
	if (o->color)
		mg_buf_addf(out, "%s%s%s\n", sev_color(w), hl.data, C_RESET);
	else
		mg_buf_addf(out, "%s\n", hl.data);
	mg_buf_release(&hl);
	mg_buf_addch(out, '\n');

	t_cluster(&tr, c);
	table_print(out, &tr.t, "", head, NCOL);
	table_release(&tr.t);
	mg_buf_release(&tr.prefix);

	for (i = 0; i < r->n; i++) {
		const struct mg_health_finding *f = &r->v[i];
		struct trow *row;

		if (strcmp(f->ns, c->ns) || strcmp(f->cluster, c->name) ||
		    (f->sev < MG_HEALTH_WARN && o->verbose < 1))
			continue;
		row = trow_new(&pt);
		tset(row, 0, "%s", mg_health_sev_name(f->sev));
		row->color[0] = sev_color(f->sev);
		tset(row, 1, "%s", f->subject);
		tset(row, 2, "%s", f->message);
	}
	if (pt.n) {
		mg_buf_adds(out, "\nPROBLEMS\n");
		table_print(out, &pt, "  ", phead, 3);
	}
	table_release(&pt);

	if (o->verbose < 1)
		return;
	pt = (struct table){ NULL, 0, 0, o };
	cluster_events(c, &ev);
	for (i = 0; i < ev.n && shown < MG_STATUS_MAX_EVENTS; i++) {
		const struct mg_snap_event *e = ev.v[i];
		struct trow *row;

		if (o->verbose < 2 && (!e->type || strcmp(e->type, "Warning")))
			continue;
		shown++;
		row = trow_new(&pt);
		if (e->last) {
			char b[24];

			mg_health_duration(b, (long long)(o->now - e->last));
			tset(row, 0, "%s", b);
		} else {
			tset(row, 0, "-");
		}
		tset(row, 1, "%s", e->type ? e->type : "-");
		row->color[1] = e->type && !strcmp(e->type, "Warning")
					? C_YELLOW : NULL;
		if (e->count > 1)
			tset(row, 2, "%s (x%ld)", e->reason ? e->reason : "-",
			     e->count);
		else
			tset(row, 2, "%s", e->reason ? e->reason : "-");
		tset(row, 3, "%s/%s",
		     e->involved_kind ? e->involved_kind : "?",
		     e->involved_name ? e->involved_name : "?");
		tset(row, 4, "%s", e->note ? e->note : "");
	}
	free(ev.v);
	if (pt.n) {
		mg_buf_adds(out, "\nEVENTS\n");
		table_print(out, &pt, "  ", ehead, 5);
	}
	table_release(&pt);
}

int
mg_status_render(struct mg_buf *out, const struct mg_snap *s,
		 const struct mg_health_report *r,
		 const struct mg_status_opts *opts, struct mg_err *err)
{
	size_t n, i, done = 0;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);
	int rc;

	if ((rc = check_chosen(s, opts, err)))
		return rc;
	if (opts->format != MG_STATUS_TEXT) {
		cJSON *doc;

		if ((rc = mg_status_json(&doc, s, r, opts, err)))
			return rc;
		if (opts->format == MG_STATUS_JSON) {
			mg_cli_json_ordered(out, doc);
		} else {
			rc = mg_yaml_emit(out, doc, err);
		}
		cJSON_Delete(doc);
		return rc;
	}
	for (i = 0; i < n; i++) {
		if (!chosen(cl[i], opts))
			continue;
		if (done++)
			mg_buf_addch(out, '\n');
		text_cluster(out, cl[i], r, opts);
	}
	if (!done)
		mg_buf_adds(out, "No MultigresClusters found.\n");
	return 0;
}
