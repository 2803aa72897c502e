/*
 * health.c - the rules of health.h over a snapshot.
 */
#include "health.h"

#include <stdarg.h>

#include "buf.h"
#include "json.h"
#include "labels.h"
#include "xalloc.h"

struct ctx {
	const struct mg_snap *s;
	time_t now;
	long window;
	struct mg_health_report *r;
	size_t alloc;
};

/* --- small helpers ---------------------------------------------------------- */

const char *
mg_health_sev_name(enum mg_health_sev sev)
{
	switch (sev) {
	case MG_HEALTH_NONE:
		return "ok";
	case MG_HEALTH_INFO:
		return "info";
	case MG_HEALTH_WARN:
		return "warn";
	case MG_HEALTH_ERROR:
		return "error";
	case MG_HEALTH_FATAL:
		return "fatal";
	}
	return "?";
}

const char *
mg_health_verdict(enum mg_health_sev worst)
{
	switch (worst) {
	case MG_HEALTH_WARN:
		return "Warning";
	case MG_HEALTH_ERROR:
		return "Degraded";
	case MG_HEALTH_FATAL:
		return "Failed";
	default:
		return "Healthy";
	}
}

int
mg_health_exit_code(enum mg_health_sev worst)
{
	return worst >= MG_HEALTH_ERROR ? 1 : 0;
}

void
mg_health_duration(char out[24], long long secs)
{
	long long m, h, d, y;

	if (secs < 0)
		secs = 0;
	m = secs / 60;
	h = m / 60;
	d = h / 24;
	y = d / 365;
	if (secs < 120)
		snprintf(out, 24, "%llds", secs);
	else if (m < 10 && secs % 60)
		snprintf(out, 24, "%lldm%llds", m, secs % 60);
	else if (m < 180)
		snprintf(out, 24, "%lldm", m);
	else if (h < 8 && m % 60)
		snprintf(out, 24, "%lldh%lldm", h, m % 60);
	else if (h < 48)
		snprintf(out, 24, "%lldh", h);
	else if (h < 24 * 8 && h % 24)
		snprintf(out, 24, "%lldd%lldh", d, h % 24);
	else if (h < 24 * 365 * 2)
		snprintf(out, 24, "%lldd", d);
	else if (h < 24 * 365 * 8 && d % 365)
		snprintf(out, 24, "%lldy%lldd", y, d % 365);
	else
		snprintf(out, 24, "%lldy", y);
}

/* "5m" for the time since t (which must be known). */
static const char *
ago(char buf[24], time_t now, time_t t)
{
	mg_health_duration(buf, (long long)(now - t));
	return buf;
}

static const char *
label(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		mg_json_get(o, "metadata.labels"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The cluster an object belongs to. */
static const char *
cluster_of(const struct mg_snap_obj *o)
{
	const char *c;

	switch (o->kind) {
	case MG_SNAP_CLUSTER:
		return mg_snap_as_cluster(o)->name;
	case MG_SNAP_CELL:
		return mg_snap_as_cell(o)->cluster->name;
	case MG_SNAP_TABLEGROUP:
		return mg_snap_as_tablegroup(o)->cluster->name;
	case MG_SNAP_SHARD:
		return mg_snap_as_shard(o)->tg->cluster->name;
	default:
		break;
	}
	c = label(o->json, MG_LABEL_CLUSTER);
	if (!c)
		c = label(o->json, MG_LABEL_APP_INSTANCE);
	return c ? c : "";
}

static char *
subject_of(const struct mg_snap_obj *o)
{
	switch (o->kind) {
	case MG_SNAP_CLUSTER:
		return mg_xasprintf("cluster %s", mg_snap_as_cluster(o)->name);
	case MG_SNAP_CELL:
		return mg_xasprintf("cell %s", mg_snap_as_cell(o)->name);
	case MG_SNAP_TABLEGROUP: {
		const struct mg_snap_tablegroup *t = mg_snap_as_tablegroup(o);

		return mg_xasprintf("tablegroup %s/%s", t->database, t->name);
	}
	case MG_SNAP_SHARD: {
		const struct mg_snap_shard *sh = mg_snap_as_shard(o);

		return mg_xasprintf("shard %s/%s/%s", sh->database,
				    sh->tablegroup, sh->name);
	}
	case MG_SNAP_TOPOSERVER:
		return mg_xasprintf("toposerver %s", o->name);
	case MG_SNAP_POD:
		return mg_xasprintf("pod %s", o->name);
	case MG_SNAP_PVC:
		return mg_xasprintf("pvc %s", o->name);
	case MG_SNAP_DEPLOYMENT:
		return mg_xasprintf("deployment %s", o->name);
	case MG_SNAP_EVENT:
		return mg_xasprintf("event %s", o->name);
	}
	return mg_xstrdup(o->name);
}

static void add(struct ctx *c, enum mg_health_sev sev, const char *code,
		const struct mg_snap_obj *o, time_t since, const char *fmt,
		...) MG_PRINTF(6, 7);

static void
add(struct ctx *c, enum mg_health_sev sev, const char *code,
    const struct mg_snap_obj *o, time_t since, const char *fmt, ...)
{
	struct mg_health_report *r = c->r;
	struct mg_health_finding *f;
	va_list ap;

	r->v = mg_xgrow(r->v, sizeof(*r->v), r->n + 1, &c->alloc);
	f = &r->v[r->n++];
	f->sev = sev;
	f->code = code;
	f->kind = o->kind;
	f->ns = mg_xstrdup(o->ns);
	f->name = mg_xstrdup(o->name);
	f->cluster = mg_xstrdup(cluster_of(o));
	f->subject = subject_of(o);
	f->obj = o;
	va_start(ap, fmt);
	f->message = mg_xvasprintf(fmt, ap);
	va_end(ap);
	f->since = since;
	if (sev > r->worst)
		r->worst = sev;
}

/* Has the elapsed time since `since` passed `limit`? Unknown: yes. */
static bool
past(const struct ctx *c, time_t since, long limit)
{
	return !since || c->now - since > limit;
}

static bool
has_owner_uid(const struct mg_snap_obj *o, const char *uid)
{
	const cJSON *it;

	mg_json_array_foreach(it, mg_json_get(o->json,
					      "metadata.ownerReferences")) {
		const char *u = mg_json_str(it, "uid");

		if (u && uid && !strcmp(u, uid))
			return true;
	}
	return false;
}

/* The newest lastTransitionTime among an object's conditions, or 0. */
static time_t
newest_transition(const struct mg_snap_obj *o)
{
	time_t t = 0;
	size_t i;

	for (i = 0; i < o->nconds; i++) {
		if (o->conds[i].since > t)
			t = o->conds[i].since;
	}
	return t;
}

static time_t
tmax(time_t a, time_t b)
{
	return a > b ? a : b;
}

static time_t
pod_newest(const struct mg_snap_pod *p)
{
	time_t t = tmax(p->obj.created, p->ready_since);

	t = tmax(t, p->obj.deleting);
	t = tmax(t, p->last_term_at);
	return tmax(t, p->drain_since);
}

static time_t
shard_newest(const struct mg_snap_shard *sh)
{
	time_t t = newest_transition(&sh->obj);
	size_t i, j, k;

	for (i = 0; i < sh->npools; i++) {
		for (j = 0; j < sh->pools[i]->ncells; j++) {
			const struct mg_snap_poolcell *pc =
				sh->pools[i]->cells[j];

			for (k = 0; k < pc->npods; k++)
				t = tmax(t, pod_newest(pc->pods[k]));
		}
	}
	for (i = 0; i < sh->norch; i++)
		t = tmax(t, newest_transition(&sh->orch[i]->obj));
	return t;
}

/*
 * The last sign of progress below an object: the newest condition
 * transition of it and of everything it is made of, pod starts,
 * readiness flips, deletions and drains. A Progressing phase with no
 * such sign for 10 minutes is stuck.
 */
static time_t
newest_below(const struct mg_snap_obj *o)
{
	time_t t = newest_transition(o);
	size_t i;

	switch (o->kind) {
	case MG_SNAP_SHARD:
		return shard_newest(mg_snap_as_shard(o));
	case MG_SNAP_TABLEGROUP: {
		const struct mg_snap_tablegroup *tg = mg_snap_as_tablegroup(o);

		for (i = 0; i < tg->nshards; i++)
			t = tmax(t, shard_newest(tg->shards[i]));
		return t;
	}
	case MG_SNAP_CELL: {
		const struct mg_snap_cell *c = mg_snap_as_cell(o);

		if (c->gateway)
			t = tmax(t, newest_transition(&c->gateway->obj));
		if (c->topo)
			t = tmax(t, newest_transition(c->topo));
		return t;
	}
	case MG_SNAP_CLUSTER: {
		const struct mg_snap_cluster *c = mg_snap_as_cluster(o);

		for (i = 0; i < c->ncells; i++)
			t = tmax(t, newest_below(&c->cells[i]->obj));
		for (i = 0; i < c->ntopos; i++)
			t = tmax(t, newest_transition(c->topos[i]));
		for (i = 0; i < c->ntgs; i++) {
			size_t j;

			t = tmax(t, newest_transition(&c->tgs[i]->obj));
			for (j = 0; j < c->tgs[i]->nshards; j++)
				t = tmax(t, shard_newest(c->tgs[i]->shards[j]));
		}
		return t;
	}
	default:
		return t;
	}
}

/* --- rules for every Multigres CR ------------------------------------------------ */

static void
check_cr(struct ctx *c, const struct mg_snap_obj *o)
{
	char b[24];

	if (!o->json)
		return;
	if (o->deleting) {
		if (c->now - o->deleting > MG_HEALTH_CR_TERMINATING_SEC)
			add(c, MG_HEALTH_ERROR, "StuckTerminating", o,
			    o->deleting, "being deleted for %s",
			    ago(b, c->now, o->deleting));
		return;
	}
	if (o->phase && (!strcmp(o->phase, "Degraded") ||
			 !strcmp(o->phase, "Unknown"))) {
		time_t since = newest_transition(o);
		bool long_ = past(c, since, MG_HEALTH_DEGRADED_SEC);

		if (since)
			add(c, long_ ? MG_HEALTH_ERROR : MG_HEALTH_INFO,
			    "PhaseDegraded", o, since, "phase %s for %s%s%s",
			    o->phase, ago(b, c->now, since),
			    o->message && *o->message ? ": " : "",
			    o->message ? o->message : "");
		else
			add(c, MG_HEALTH_ERROR, "PhaseDegraded", o, 0,
			    "phase %s%s%s", o->phase,
			    o->message && *o->message ? ": " : "",
			    o->message ? o->message : "");
	} else if (o->phase && !strcmp(o->phase, "Progressing")) {
		time_t since = newest_below(o);

		if (since && c->now - since > MG_HEALTH_PROGRESSING_SEC)
			add(c, MG_HEALTH_WARN, "PhaseProgressing", o, since,
			    "phase Progressing, no progress for %s",
			    ago(b, c->now, since));
	}
	if (o->generation > 0 && o->observed_generation < o->generation &&
	    past(c, o->spec_changed, MG_HEALTH_GENERATION_SEC)) {
		if (o->observed_generation < 0)
			add(c, MG_HEALTH_ERROR, "GenerationLag", o,
			    o->spec_changed,
			    "generation %lld not yet observed (no "
			    "status.observedGeneration)",
			    o->generation);
		else if (o->spec_changed)
			add(c, MG_HEALTH_ERROR, "GenerationLag", o,
			    o->spec_changed,
			    "status.observedGeneration %lld behind "
			    "metadata.generation %lld for %s",
			    o->observed_generation, o->generation,
			    ago(b, c->now, o->spec_changed));
		else
			add(c, MG_HEALTH_ERROR, "GenerationLag", o, 0,
			    "status.observedGeneration %lld behind "
			    "metadata.generation %lld",
			    o->observed_generation, o->generation);
	}
}

static void
check_owner(struct ctx *c, const struct mg_snap_obj *o,
	    const struct mg_snap_obj *parent, const char *what)
{
	if (!o->json || !parent || !parent->json || !parent->uid)
		return;
	if (!has_owner_uid(o, parent->uid))
		add(c, MG_HEALTH_ERROR, "OwnerMissing", o, 0,
		    "no owner reference to its %s %s", what, parent->name);
}

/* --- pods ------------------------------------------------------------------------ */

/* The first container status (init containers first) matching a
 * predicate on its JSON. */
static const cJSON *
container_where(const struct mg_snap_pod *p, const char *path,
		const char *value)
{
	const char *lists[] = { "status.initContainerStatuses",
				"status.containerStatuses" };
	const cJSON *it;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		mg_json_array_foreach(it, mg_json_get(p->obj.json, lists[i])) {
			const char *v = mg_json_str(it, path);

			if (v && (!value || !strcmp(v, value)))
				return it;
		}
	}
	return NULL;
}

static void
check_pod(struct ctx *c, const struct mg_snap_pod *p)
{
	const struct mg_snap_obj *o = &p->obj;
	char b[24];
	bool crashing = false;
	const cJSON *ct;
	static const char *const bad_waits[] = {
		"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
	};
	size_t i;

	if (o->deleting) {
		if (c->now - o->deleting > MG_HEALTH_TERMINATING_SEC)
			add(c, MG_HEALTH_ERROR, "PodStuckTerminating", o,
			    o->deleting, "terminating for %s",
			    ago(b, c->now, o->deleting));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(bad_waits); i++) {
		ct = container_where(p, "state.waiting.reason", bad_waits[i]);
		if (ct) {
			add(c, MG_HEALTH_ERROR, "PodCrashLooping", o,
			    p->last_term_at,
			    "container %s is in %s (%lld restarts)",
			    mg_json_str(ct, "name"), bad_waits[i],
			    mg_json_int(ct, "restartCount", 0));
			crashing = true;
			break;
		}
	}
	if (o->phase && !strcmp(o->phase, "Pending")) {
		if (past(c, o->created, MG_HEALTH_PENDING_SEC)) {
			const struct mg_snap_cond *sc =
				mg_snap_cond(o, "PodScheduled");

			if (sc && sc->status && strcmp(sc->status, "True") &&
			    sc->reason)
				add(c, MG_HEALTH_ERROR, "PodPending", o,
				    o->created, "pending for %s (%s%s%s)",
				    ago(b, c->now, o->created), sc->reason,
				    sc->message ? ": " : "",
				    sc->message ? sc->message : "");
			else
				add(c, MG_HEALTH_ERROR, "PodPending", o,
				    o->created, "pending for %s",
				    ago(b, c->now, o->created));
		}
	} else if (o->phase && !strcmp(o->phase, "Running") && !p->ready &&
		   !crashing &&
		   past(c, p->ready_since, MG_HEALTH_NOT_READY_SEC)) {
		if (p->ready_since)
			add(c, MG_HEALTH_ERROR, "PodNotReady", o,
			    p->ready_since, "not ready for %s",
			    ago(b, c->now, p->ready_since));
		else
			add(c, MG_HEALTH_ERROR, "PodNotReady", o, 0,
			    "not ready");
	}
	if (p->restarts > 0) {
		bool recent = p->last_term_at &&
			      c->now - p->last_term_at <=
				      MG_HEALTH_RESTART_WINDOW_SEC;

		if (recent)
			add(c, p->restarts >= MG_HEALTH_RESTART_ERROR_COUNT
				       ? MG_HEALTH_ERROR : MG_HEALTH_WARN,
			    "PodRestarts", o, p->last_term_at,
			    "%d restart%s, the last %s ago", p->restarts,
			    p->restarts == 1 ? "" : "s",
			    ago(b, c->now, p->last_term_at));
		else if (p->last_term_at)
			add(c, MG_HEALTH_INFO, "PodRestarts", o,
			    p->last_term_at, "%d restart%s, the last %s ago",
			    p->restarts, p->restarts == 1 ? "" : "s",
			    ago(b, c->now, p->last_term_at));
		else
			add(c, MG_HEALTH_INFO, "PodRestarts", o, 0,
			    "%d restart%s", p->restarts,
			    p->restarts == 1 ? "" : "s");
	}
	ct = container_where(p, "lastState.terminated.reason", "OOMKilled");
	if (ct)
		add(c, MG_HEALTH_ERROR, "PodOOMKilled", o, p->last_term_at,
		    "container %s was OOMKilled%s%s%s",
		    mg_json_str(ct, "name"), p->last_term_at ? " " : "",
		    p->last_term_at ? ago(b, c->now, p->last_term_at) : "",
		    p->last_term_at ? " ago" : "");
}

static void
check_drain(struct ctx *c, const struct mg_snap_pod *p)
{
	const struct mg_snap_obj *o = &p->obj;
	long limit;
	char b[24];

	if (p->drain_backwards)
		add(c, MG_HEALTH_FATAL, "DrainBackwards", o, 0,
		    "drain state moved back to %s", p->drain_value);
	switch (p->drain) {
	case MG_DRAIN_REQUESTED:
		limit = MG_HEALTH_DRAIN_REQUESTED_SEC;
		break;
	case MG_DRAIN_DRAINING:
		limit = MG_HEALTH_DRAIN_DRAINING_SEC;
		break;
	case MG_DRAIN_ACKNOWLEDGED:
		limit = MG_HEALTH_DRAIN_ACK_SEC;
		break;
	case MG_DRAIN_READY_FOR_DELETION:
		limit = -1;
		break;
	case MG_DRAIN_UNKNOWN:
		add(c, MG_HEALTH_WARN, "DrainStuck", o, 0,
		    "unknown drain state '%s'", p->drain_value);
		return;
	default:
		return;
	}
	if (!p->drain_since)
		add(c, MG_HEALTH_INFO, "DrainInProgress", o, 0,
		    "drain %s (no requested-at time)", p->drain_value);
	else if (limit >= 0 && c->now - p->drain_since > limit)
		add(c, MG_HEALTH_ERROR, "DrainStuck", o, p->drain_since,
		    "drain stuck in %s for %s", p->drain_value,
		    ago(b, c->now, p->drain_since));
	else
		add(c, MG_HEALTH_INFO, "DrainInProgress", o, p->drain_since,
		    "drain %s for %s", p->drain_value,
		    ago(b, c->now, p->drain_since));
}

static void
check_orphan(struct ctx *c, const struct mg_snap_obj *o)
{
	const char *mb = label(o->json, MG_LABEL_APP_MANAGED_BY);

	if (mb && !strcmp(mb, MG_MANAGED_BY) && !o->nowners && !o->deleting &&
	    !label(o->json, MG_LABEL_ORPHAN_SINCE))
		add(c, MG_HEALTH_WARN, "Orphaned", o, 0,
		    "managed by the operator but owned by nothing");
}

/* --- shards ------------------------------------------------------------------ */

static bool
shard_being_deleted(const struct mg_snap_shard *sh)
{
	return sh->obj.deleting || sh->pending_deletion;
}

static void
check_backup(struct ctx *c, const struct mg_snap_shard *sh)
{
	const struct mg_snap_obj *o = &sh->obj;
	const struct mg_snap_cond *bc = sh->backup;
	bool cond_false = bc && bc->status && !strcmp(bc->status, "False");

	if (cond_false && bc->reason && !strcmp(bc->reason, "BackupFailed")) {
		add(c, MG_HEALTH_ERROR, "BackupFailed", o, bc->since,
		    "backup failed: %s", bc->message ? bc->message : "");
		return;
	}
	if (sh->last_backup) {
		long long age = c->now - sh->last_backup;
		char b[24];

		if (age > MG_HEALTH_BACKUP_ERROR_SEC)
			add(c, MG_HEALTH_ERROR, "BackupStale", o,
			    sh->last_backup,
			    "last backup %s ago (error past 49h)",
			    ago(b, c->now, sh->last_backup));
		else if (age > MG_HEALTH_BACKUP_WARN_SEC)
			add(c, MG_HEALTH_WARN, "BackupStale", o,
			    sh->last_backup,
			    "last backup %s ago (threshold 25h)",
			    ago(b, c->now, sh->last_backup));
		else if (cond_false)
			add(c, MG_HEALTH_WARN, "BackupUnhealthy", o, bc->since,
			    "backup unhealthy (%s): %s",
			    bc->reason ? bc->reason : "",
			    bc->message ? bc->message : "");
	} else if (bc) {
		add(c, MG_HEALTH_WARN, "NoBackup", o, 0,
		    "backup configured but none has completed");
	}
}

static void
check_roles(struct ctx *c, const struct mg_snap_shard *sh)
{
	const struct mg_snap_obj *o = &sh->obj;
	struct mg_buf names = MG_BUF_INIT;
	char b[24];
	size_t i;

	for (i = 0; i < sh->nroles; i++) {
		const struct mg_snap_role *r = &sh->roles[i];

		if (!r->found && past(c, sh->missing_role_since,
				      MG_HEALTH_STALE_ROLE_SEC))
			add(c, MG_HEALTH_WARN, "StaleRole", o,
			    sh->missing_role_since,
			    "podRoles names %s (%s), which does not exist",
			    r->pod, r->value);
	}
	if (sh->nprimary == 1)
		return;
	for (i = 0; i < sh->nroles; i++) {
		if (sh->roles[i].found &&
		    sh->roles[i].found->role == MG_DRAIN_ROLE_PRIMARY)
			mg_buf_addf(&names, "%s%s", names.len ? ", " : "",
				    sh->roles[i].pod);
	}
	if (!past(c, sh->primary_issue_since, MG_HEALTH_PRIMARY_GRACE_SEC))
		add(c, MG_HEALTH_INFO, "PrimaryCount", o,
		    sh->primary_issue_since,
		    "%zu PRIMARY pods for %s (within the 30s grace of a "
		    "failover)",
		    sh->nprimary, ago(b, c->now, sh->primary_issue_since));
	else if (!sh->nprimary)
		add(c, MG_HEALTH_ERROR, "PrimaryCount", o,
		    sh->primary_issue_since, "no PRIMARY pod in podRoles%s%s",
		    sh->primary_issue_since ? " for " : "",
		    sh->primary_issue_since
			    ? ago(b, c->now, sh->primary_issue_since)
			    : "");
	else
		add(c, MG_HEALTH_ERROR, "PrimaryCount", o,
		    sh->primary_issue_since, "%zu PRIMARY pods in podRoles: %s",
		    sh->nprimary, names.data);
	mg_buf_release(&names);
}

static void
check_shard_status(struct ctx *c, const struct mg_snap_shard *sh)
{
	const struct mg_snap_obj *o = &sh->obj;
	size_t i, j, k, total = 0, ready = 0;
	bool orch_ok = true;

	for (i = 0; i < sh->npools; i++) {
		for (j = 0; j < sh->pools[i]->ncells; j++) {
			const struct mg_snap_poolcell *pc =
				sh->pools[i]->cells[j];

			for (k = 0; k < pc->npods; k++) {
				const struct mg_snap_pod *p = pc->pods[k];

				if (p->obj.deleting)
					continue;
				total++;
				ready += p->ready && p->drain == MG_DRAIN_NONE;
			}
		}
	}
	if (sh->ready_replicas >= 0 && (size_t)sh->ready_replicas != ready)
		add(c, MG_HEALTH_WARN, "ReadyReplicasMismatch", o, 0,
		    "status.readyReplicas is %ld, %zu pods are ready",
		    sh->ready_replicas, ready);
	if (mg_json_get(o->json, "status.poolsReady") &&
	    sh->pools_ready != (total > 0 && ready == total))
		add(c, MG_HEALTH_WARN, "PoolsReadyMismatch", o, 0,
		    "status.poolsReady is %s, %zu of %zu pods are ready",
		    sh->pools_ready ? "true" : "false", ready, total);
	for (i = 0; i < sh->norch; i++)
		orch_ok &= sh->orch[i]->ready >= sh->orch[i]->replicas;
	if (mg_json_get(o->json, "status.orchReady") && sh->norch &&
	    sh->orch_ready != orch_ok)
		add(c, MG_HEALTH_WARN, "OrchReadyMismatch", o, 0,
		    "status.orchReady is %s, the multiorch Deployments %s",
		    sh->orch_ready ? "true" : "false",
		    orch_ok ? "are ready" : "are not all ready");
	if (sh->ready_for_deletion && sh->ready_for_deletion->status &&
	    !strcmp(sh->ready_for_deletion->status, "True") &&
	    !shard_being_deleted(sh))
		add(c, MG_HEALTH_WARN, "ReadyForDeletion", o,
		    sh->ready_for_deletion->since,
		    "ReadyForDeletion is True but nothing is deleting it");
}

static void
check_deploy(struct ctx *c, const struct mg_snap_deploy *d,
	     const char *code)
{
	const struct mg_snap_cond *av = mg_snap_cond(&d->obj, "Available");
	time_t since = av ? av->since : 0;

	if (d->obj.deleting || d->ready >= d->replicas)
		return;
	add(c, d->ready ? MG_HEALTH_WARN : MG_HEALTH_ERROR, code, &d->obj,
	    since, "%ld of %ld replicas ready", d->ready, d->replicas);
}

/* The cells a shard runs multiorch in: spec.multiorch.cells, else every
 * cell with a pool. */
static void
check_multiorch(struct ctx *c, const struct mg_snap_shard *sh)
{
	const cJSON *cells = mg_json_get(sh->obj.json, "spec.multiorch.cells");
	const char *want[64];
	size_t n = 0, i, k;

	if (cJSON_GetArraySize(cells) > 0) {
		const cJSON *it;

		mg_json_array_foreach(it, cells) {
			if (cJSON_IsString(it) && n < ARRAY_SIZE(want))
				want[n++] = it->valuestring;
		}
	} else {
		for (i = 0; i < sh->npools; i++) {
			size_t j;

			for (j = 0; j < sh->pools[i]->ncells; j++) {
				const char *cell = sh->pools[i]->cells[j]->cell;

				if (!sh->pools[i]->cells[j]->in_spec)
					continue;
				for (k = 0; k < n && strcmp(want[k], cell); k++)
					;
				if (k == n && n < ARRAY_SIZE(want))
					want[n++] = cell;
			}
		}
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < sh->norch; k++) {
			if (sh->orch[k]->cell && !strcmp(sh->orch[k]->cell, want[i]))
				break;
		}
		if (k == sh->norch)
			add(c, MG_HEALTH_ERROR, "MultiorchMissing", &sh->obj, 0,
			    "no multiorch Deployment for cell %s", want[i]);
	}
	for (k = 0; k < sh->norch; k++)
		check_deploy(c, sh->orch[k], "MultiorchNotReady");
}

static void
check_shard(struct ctx *c, const struct mg_snap_shard *sh)
{
	const struct mg_snap_obj *o = &sh->obj;
	struct mg_buf draining = MG_BUF_INIT;
	size_t i, j, k, ndraining = 0, ndrifted = 0, npods = 0;

	for (i = 0; i < sh->npools; i++) {
		for (j = 0; j < sh->pools[i]->ncells; j++) {
			const struct mg_snap_poolcell *pc =
				sh->pools[i]->cells[j];

			for (k = 0; k < pc->npods; k++) {
				const struct mg_snap_pod *p = pc->pods[k];

				check_pod(c, p);
				check_drain(c, p);
				if (p->drain != MG_DRAIN_NONE &&
				    !p->obj.deleting) {
					ndraining++;
					mg_buf_addf(&draining, "%s%s",
						    draining.len ? ", " : "",
						    p->obj.name);
				}
				if (!p->obj.deleting) {
					npods++;
					ndrifted += p->drift ==
						    MG_SNAP_DRIFT_YES;
				}
			}
			if (o->json && pc->in_spec && pc->desired >= 0 &&
			    !o->deleting &&
			    pc->npods - pc->nterminating != (size_t)pc->desired)
				add(c, MG_HEALTH_ERROR, "PodCountMismatch", o, 0,
				    "pool %s cell %s has %zu pods, the spec "
				    "wants %ld",
				    sh->pools[i]->name, pc->cell,
				    pc->npods - pc->nterminating, pc->desired);
		}
	}
	if (!o->json) {
		mg_buf_release(&draining);
		return;
	}
	check_cr(c, o);
	check_owner(c, o, &sh->tg->obj, "tablegroup");
	if (!o->deleting) {
		check_backup(c, sh);
		check_shard_status(c, sh);
		check_multiorch(c, sh);
		if (!sh->pending_deletion && (npods || sh->nroles))
			check_roles(c, sh);
	}
	if (ndraining > 1 && !shard_being_deleted(sh))
		add(c, MG_HEALTH_ERROR, "MultipleDraining", o, 0,
		    "%zu pods draining at once: %s", ndraining, draining.data);
	if (ndrifted)
		add(c, MG_HEALTH_INFO, "RollingUpdate", o,
		    sh->rolling ? sh->rolling->since : 0,
		    "rolling update: %zu of %zu pods to update", ndrifted,
		    npods);
	else if (sh->rolling && sh->rolling->status &&
		 !strcmp(sh->rolling->status, "True"))
		add(c, MG_HEALTH_INFO, "RollingUpdate", o, sh->rolling->since,
		    "rolling update: %s",
		    sh->rolling->message ? sh->rolling->message : "");
	mg_buf_release(&draining);
}

/* --- clusters and cells --------------------------------------------------------- */

static void
check_cells_status(struct ctx *c, const struct mg_snap_cluster *cl)
{
	const cJSON *st = mg_json_get(cl->obj.json, "status.cells");
	const cJSON *spec = mg_json_get(cl->obj.json, "spec.cells");
	const cJSON *it;
	struct mg_buf missing = MG_BUF_INIT, extra = MG_BUF_INIT;

	if (!cJSON_IsObject(st))
		return;
	mg_json_array_foreach(it, spec) {
		const char *n = mg_json_str(it, "name");

		if (n && !cJSON_GetObjectItemCaseSensitive(st, n))
			mg_buf_addf(&missing, "%s%s", missing.len ? ", " : "",
				    n);
	}
	cJSON_ArrayForEach(it, st) {
		const cJSON *s2;
		bool found = false;

		mg_json_array_foreach(s2, spec) {
			const char *n = mg_json_str(s2, "name");

			found |= n && !strcmp(n, it->string);
		}
		if (!found)
			mg_buf_addf(&extra, "%s%s", extra.len ? ", " : "",
				    it->string);
	}
	if (missing.len || extra.len)
		add(c, MG_HEALTH_ERROR, "CellsMismatch", &cl->obj, 0,
		    "status.cells %s%s%s%s%s", missing.len ? "lacks " : "",
		    missing.data, missing.len && extra.len ? "; " : "",
		    extra.len ? "has extra " : "", extra.data);
	mg_buf_release(&missing);
	mg_buf_release(&extra);
}

static void
check_cluster(struct ctx *c, const struct mg_snap_cluster *cl)
{
	size_t i, j;

	check_cr(c, &cl->obj);
	if (cl->obj.json && !cl->obj.deleting)
		check_cells_status(c, cl);
	for (i = 0; i < cl->ncells; i++) {
		const struct mg_snap_cell *cell = cl->cells[i];

		if (!cell->obj.json)
			continue;
		check_cr(c, &cell->obj);
		check_owner(c, &cell->obj, &cl->obj, "cluster");
		if (cell->obj.deleting)
			continue;
		if (!cell->gateway)
			add(c, MG_HEALTH_ERROR, "GatewayMissing", &cell->obj, 0,
			    "no multigateway Deployment");
		else
			check_deploy(c, cell->gateway, "GatewayNotReady");
	}
	for (i = 0; i < cl->ntopos; i++) {
		const struct mg_snap_obj *t = cl->topos[i];
		const struct mg_snap_cell *owner_cell = NULL;

		check_cr(c, t);
		for (j = 0; j < cl->ncells; j++) {
			if (cl->cells[j]->topo == t)
				owner_cell = cl->cells[j];
		}
		if (owner_cell && owner_cell->obj.uid &&
		    has_owner_uid(t, owner_cell->obj.uid))
			continue;
		check_owner(c, t, &cl->obj, "cluster");
	}
	for (i = 0; i < cl->ntgs; i++) {
		const struct mg_snap_tablegroup *tg = cl->tgs[i];

		check_cr(c, &tg->obj);
		check_owner(c, &tg->obj, &cl->obj, "cluster");
		for (j = 0; j < tg->nshards; j++)
			check_shard(c, tg->shards[j]);
	}
}

/* --- everything else: pods outside the tree, orphans, events ------------------------ */

static void
each_pod(const struct mg_snap_obj *o, void *data)
{
	struct ctx *c = data;
	const struct mg_snap_pod *p = mg_snap_as_pod(o);

	if (!p->pc)
		check_pod(c, p);
	check_orphan(c, o);
}

static void
each_orphan(const struct mg_snap_obj *o, void *data)
{
	check_orphan(data, o);
}

static enum mg_health_sev
event_sev(const char *reason)
{
	static const char *const errors[] = {
		"BackOff", "FailedScheduling", "FailedMount",
	};
	static const char *const warns[] = {
		"Unhealthy", "EvictionThresholdMet", "BackupStale",
		"ConfigError", "ExpandPVCFailed", "PodReplaced", "StatusError",
		"StuckTerminating", "TopologyError",
	};
	size_t i;

	if (!reason)
		return MG_HEALTH_INFO;
	if (!strcmp(reason, "OOMKilling"))
		return MG_HEALTH_FATAL;
	for (i = 0; i < ARRAY_SIZE(errors); i++) {
		if (!strcmp(reason, errors[i]))
			return MG_HEALTH_ERROR;
	}
	for (i = 0; i < ARRAY_SIZE(warns); i++) {
		if (!strcmp(reason, warns[i]))
			return MG_HEALTH_WARN;
	}
	return MG_HEALTH_INFO;
}

static void
each_event(const struct mg_snap_obj *o, void *data)
{
	struct ctx *c = data;
	const struct mg_snap_event *e = mg_snap_as_event(o);
	char b[24];

	size_t i;

	if (!e->about || !e->type || strcmp(e->type, "Warning") || !e->last ||
	    c->now - e->last > c->window)
		return;
	/* a rule already said it (BackupStale) */
	for (i = 0; e->reason && i < c->r->n; i++) {
		if (c->r->v[i].obj == e->about &&
		    !strcmp(c->r->v[i].code, e->reason))
			return;
	}
	add(c, event_sev(e->reason), "Event", e->about, e->first,
	    "Warning %s (x%ld, last %s ago): %s", e->reason ? e->reason : "",
	    e->count, ago(b, c->now, e->last), e->note ? e->note : "");
}

/* --- the report -------------------------------------------------------------------- */

static int
cmp_finding(const void *pa, const void *pb)
{
	const struct mg_health_finding *a = pa, *b = pb;
	int d;

	if ((d = strcmp(a->ns, b->ns)))
		return d;
	if ((d = strcmp(a->cluster, b->cluster)))
		return d;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((d = strcmp(a->name, b->name)))
		return d;
	if ((d = strcmp(a->code, b->code)))
		return d;
	return strcmp(a->message, b->message);
}

void
mg_health_report_release(struct mg_health_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].ns);
		free(r->v[i].name);
		free(r->v[i].cluster);
		free(r->v[i].subject);
		free(r->v[i].message);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->worst = MG_HEALTH_NONE;
}

void
mg_health_check(const struct mg_snap *s, time_t now,
		const struct mg_health_opts *opts, struct mg_health_report *out)
{
	struct ctx c;
	size_t n, i;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);

	mg_health_report_release(out);
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.now = now;
	c.window = opts && opts->event_window > 0 ? opts->event_window
						  : MG_HEALTH_EVENT_WINDOW_SEC;
	c.r = out;
	for (i = 0; i < n; i++)
		check_cluster(&c, cl[i]);
	mg_snap_foreach(s, MG_SNAP_POD, each_pod, &c);
	mg_snap_foreach(s, MG_SNAP_PVC, each_orphan, &c);
	mg_snap_foreach(s, MG_SNAP_DEPLOYMENT, each_orphan, &c);
	mg_snap_foreach(s, MG_SNAP_EVENT, each_event, &c);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_finding);
}

enum mg_health_sev
mg_health_worst(const struct mg_health_report *r, const char *ns,
		const char *cluster)
{
	enum mg_health_sev w = MG_HEALTH_NONE;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->v[i].ns, ns ? ns : "") &&
		    !strcmp(r->v[i].cluster, cluster) && r->v[i].sev > w)
			w = r->v[i].sev;
	}
	return w;
}

/*
 * Which finding speaks for a cluster in its headline, among the worst: the
 * nearest to a cause. Summaries (phases, status fields, events) last.
 */
static int
headline_rank(const char *code)
{
	static const char *const order[] = {
		"DrainBackwards", "PrimaryCount", "PodCrashLooping",
		"PodOOMKilled", "GatewayMissing", "GatewayNotReady",
		"MultiorchMissing", "MultiorchNotReady", "PodPending",
		"PodNotReady", "PodStuckTerminating", "DrainStuck",
		"MultipleDraining", "BackupFailed", "BackupStale",
		"PodCountMismatch", "PodRestarts", "StuckTerminating",
		"OwnerMissing", "GenerationLag", "NoBackup", "BackupUnhealthy",
		"StaleRole", "Orphaned", "CellsMismatch",
		"ReadyReplicasMismatch", "PoolsReadyMismatch",
		"OrchReadyMismatch", "ReadyForDeletion", "Event",
		"PhaseDegraded", "PhaseProgressing",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!strcmp(code, order[i]))
			return (int)i;
	}
	return (int)ARRAY_SIZE(order);
}

void
mg_health_headline(struct mg_buf *out, const struct mg_health_report *r,
		   const char *ns, const char *cluster)
{
	enum mg_health_sev w = mg_health_worst(r, ns, cluster);
	const struct mg_health_finding *first = NULL;
	size_t i, problems = 0;

	mg_buf_adds(out, mg_health_verdict(w));
	if (w < MG_HEALTH_WARN)
		return;
	for (i = 0; i < r->n; i++) {
		const struct mg_health_finding *f = &r->v[i];

		if (strcmp(f->ns, ns ? ns : "") || strcmp(f->cluster, cluster) ||
		    f->sev < MG_HEALTH_WARN)
			continue;
		problems++;
		if (f->sev == w && (!first || headline_rank(f->code) <
						      headline_rank(first->code)))
			first = f;
	}
	if (!first)
		return;
	mg_buf_addf(out, ": %s: %s", first->subject, first->message);
	if (problems > 1)
		mg_buf_addf(out, " (and %zu more problem%s)", problems - 1,
			    problems == 2 ? "" : "s");
}
