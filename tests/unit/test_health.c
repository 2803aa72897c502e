/*
 * Unit tests for shared/health.c.
 *
 * The three fixtures give their exact findings (no false positives on a
 * healthy cluster). Then one row per rule and threshold: a change to the
 * minimal fixture (gen.py), the time of the check, and the finding that
 * must appear (or must not: the other side of a threshold). Without the
 * rule the row fails.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "../fixtures/snapshot/fixture.h"
#include "health.h"
#include "json.h"
#include "timeutil.h"

#define MIN_SHARD "minimal-postgres-default-0-inf-1e3c045c"
#define MIN_POD   "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-"
#define MIN_CELL  "minimal-zone-a-96c88ae0"
#define MIN_TG    "minimal-postgres-default-f7d4ad4a"
#define MIN_GW    "minimal-zone-a-multigateway-0ccc2e8b"
#define MIN_ORCH  "minimal-postgres-default-0-inf-multiorch-zone-a-bbe2a333"

static void
dump(const struct mg_health_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		fprintf(stderr, "  %s %s %s: %s\n", mg_health_sev_name(r->v[i].sev),
			r->v[i].code, r->v[i].subject, r->v[i].message);
}

static const struct mg_health_finding *
find(const struct mg_health_report *r, const char *code, const char *subject)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->v[i].code, code) &&
		    (!subject || strstr(r->v[i].subject, subject)))
			return &r->v[i];
	}
	return NULL;
}

/* --- the fixtures as they are ---------------------------------------------------- */

struct want {
	enum mg_health_sev sev;
	const char *code;
	const char *subject;
	const char *message;
};

static void
check_exact(const char *fixture, const struct want *w, size_t n,
	    enum mg_health_sev worst, const char *headline)
{
	struct mg_snap *s = fixture_load(fixture);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_buf b = MG_BUF_INIT;
	size_t i, nc;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &nc);

	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	if (r.n != n)
		dump(&r);
	assert_int_equal(r.n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(r.v[i].sev, w[i].sev);
		assert_string_equal(r.v[i].code, w[i].code);
		assert_string_equal(r.v[i].subject, w[i].subject);
		assert_string_equal(r.v[i].message, w[i].message);
		assert_string_equal(r.v[i].cluster, cl[0]->name);
		assert_non_null(r.v[i].obj);
	}
	assert_int_equal(r.worst, worst);
	mg_health_headline(&b, &r, cl[0]->ns, cl[0]->name);
	assert_string_equal(b.data, headline);
	mg_buf_release(&b);
	mg_health_report_release(&r);
	mg_snap_free(s);
}

static void
test_minimal(void **state)
{
	static const struct want w[] = {
		{ MG_HEALTH_WARN, "BackupStale", "shard postgres/default/0-inf",
		  "last backup 30h ago (threshold 25h)" },
		{ MG_HEALTH_INFO, "RollingUpdate",
		  "shard postgres/default/0-inf",
		  "rolling update: 2 of 3 pods to update" },
		{ MG_HEALTH_INFO, "DrainInProgress", "pod " MIN_POD "2",
		  "drain draining for 90s" },
	};

	(void)state;
	check_exact("minimal", w, ARRAY_SIZE(w), MG_HEALTH_WARN,
		    "Warning: shard postgres/default/0-inf: last backup 30h "
		    "ago (threshold 25h)");
}

static void
test_three_cell_is_healthy(void **state)
{
	(void)state;
	check_exact("three-cell", NULL, 0, MG_HEALTH_NONE, "Healthy");
}

static void
test_degraded(void **state)
{
#define BROKEN_POD "pod broken-postgres-default-0-inf-pool-default-zone-a-eab5644b-"
	static const struct want w[] = {
		{ MG_HEALTH_ERROR, "PhaseDegraded", "cluster broken",
		  "phase Degraded for 60m: Cluster is degraded" },
		{ MG_HEALTH_ERROR, "GatewayMissing", "cell zone-a",
		  "no multigateway Deployment" },
		{ MG_HEALTH_ERROR, "PhaseDegraded", "tablegroup postgres/default",
		  "phase Degraded for 60m" },
		{ MG_HEALTH_ERROR, "PhaseDegraded",
		  "shard postgres/default/0-inf",
		  "phase Degraded for 10m: Pool pods are crash-looping" },
		{ MG_HEALTH_ERROR, "PrimaryCount",
		  "shard postgres/default/0-inf",
		  "no PRIMARY pod in podRoles for 10m" },
		{ MG_HEALTH_ERROR, "Event", BROKEN_POD "0",
		  "Warning BackOff (x12, last 30s ago): Back-off restarting "
		  "failed container multipooler in pod "
		  "broken-postgres-default-0-inf-pool-default-zone-a-eab5644b-0" },
		{ MG_HEALTH_ERROR, "PodCrashLooping", BROKEN_POD "0",
		  "container multipooler is in CrashLoopBackOff (5 restarts)" },
		{ MG_HEALTH_ERROR, "PodOOMKilled", BROKEN_POD "0",
		  "container multipooler was OOMKilled 10m ago" },
		{ MG_HEALTH_ERROR, "DrainStuck", BROKEN_POD "2",
		  "drain stuck in requested for 2m" },
		{ MG_HEALTH_WARN, "PhaseProgressing", "cell zone-a",
		  "phase Progressing, no progress for 120m" },
		{ MG_HEALTH_INFO, "PodRestarts", BROKEN_POD "0",
		  "5 restarts, the last 10m ago" },
	};

	(void)state;
	check_exact("degraded", w, ARRAY_SIZE(w), MG_HEALTH_ERROR,
		    "Degraded: shard postgres/default/0-inf: no PRIMARY pod in "
		    "podRoles for 10m (and 9 more problems)");
}

/* --- one row per rule ----------------------------------------------------------- */

/*
 * A change to one object of the minimal fixture. kind "+" adds `value` as
 * a new object; path NULL with value NULL removes the object; value NULL
 * deletes what path names. A '|' in the path separates the last key when
 * it has dots (labels, annotations). A value "@-120" is the JSON string of
 * the time FIXTURE_NOW - 120.
 */
struct mut {
	const char *kind, *name, *path, *value;
};

struct row {
	const char *what;
	struct mut m[4];
	long later;          /* seconds after FIXTURE_NOW for the check */
	const char *code;
	enum mg_health_sev sev; /* MG_HEALTH_NONE: must not be reported */
	const char *subject;
	const char *message; /* a part of it */
};

static cJSON *
value_of(const char *v)
{
	cJSON *j;

	if (v[0] == '@') {
		char t[MG_TIME_LEN + 1];

		mg_time_format(t, FIXTURE_NOW + strtol(v + 1, NULL, 10), NULL);
		return cJSON_CreateString(t);
	}
	j = cJSON_Parse(v);
	assert_non_null(j);
	return j;
}

/* Sets (creating objects on the way) or deletes at a dotted path. */
static void
jset(cJSON *root, const char *path, const char *value)
{
	char buf[256], *key, *walk, *p, *cut;
	cJSON *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	if ((cut = strchr(buf, '|')) || (cut = strrchr(buf, '.'))) {
		*cut = '\0';
		key = cut + 1;
		walk = buf;
	} else {
		key = buf;
		walk = buf + strlen(buf);
	}
	for (p = walk; *p;) {
		char *n = strchr(p, '.');

		if (n)
			*n = '\0';
		if (cJSON_IsArray(cur)) {
			cur = cJSON_GetArrayItem(cur, (int)strtol(p, NULL, 10));
		} else {
			cJSON *c = cJSON_GetObjectItemCaseSensitive(cur, p);

			cur = c ? c : cJSON_AddObjectToObject(cur, p);
		}
		assert_non_null(cur);
		p = n ? n + 1 : p + strlen(p);
	}
	if (cJSON_IsArray(cur)) {
		int i = (int)strtol(key, NULL, 10);

		if (!value)
			cJSON_DeleteItemFromArray(cur, i);
		else if (i >= cJSON_GetArraySize(cur))
			cJSON_AddItemToArray(cur, value_of(value));
		else
			cJSON_ReplaceItemInArray(cur, i, value_of(value));
	} else if (!value) {
		cJSON_DeleteItemFromObjectCaseSensitive(cur, key);
	} else if (cJSON_GetObjectItemCaseSensitive(cur, key)) {
		cJSON_ReplaceItemInObjectCaseSensitive(cur, key,
						       value_of(value));
	} else {
		cJSON_AddItemToObject(cur, key, value_of(value));
	}
}

static void
mutate(cJSON *objs, const struct mut *m)
{
	cJSON *o;
	int i = 0;

	if (!strcmp(m->kind, "+")) {
		cJSON_AddItemToArray(objs, value_of(m->value));
		return;
	}
	o = fixture_find(objs, m->kind, m->name);
	assert_non_null(o);
	if (m->path) {
		jset(o, m->path, m->value);
		return;
	}
	cJSON_ArrayForEach(o, objs) {
		if (o == fixture_find(objs, m->kind, m->name))
			break;
		i++;
	}
	cJSON_DeleteItemFromArray(objs, i);
}

static struct mg_snap *
load_mutated(const struct mut *m, size_t n, bool hash)
{
	struct mg_snap_opts opts = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON *objs = fixture_objs("minimal");
	size_t i;

	for (i = 0; i < n && m[i].kind; i++)
		mutate(objs, &m[i]);
	if (hash)
		opts.desired_hash = fixture_hash;
	s = mg_snap_new(&opts);
	fixture_apply(s, objs);
	cJSON_Delete(objs);
	mg_snap_tick(s, FIXTURE_NOW);
	return s;
}

#define P1 MIN_POD "1"
#define P2 MIN_POD "2"
#define CS "status.containerStatuses.0"
#define ANN "metadata.annotations|"
#define NO MG_HEALTH_NONE

static const char ev_failed_mount[] =
	"{\"kind\":\"Event\",\"metadata\":{\"name\":\"e1\",\"namespace\":"
	"\"demo\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"demo\","
	"\"name\":\"" P1 "\"},\"type\":\"Warning\",\"reason\":\"FailedMount\","
	"\"message\":\"MountVolume.SetUp failed\",\"count\":4,"
	"\"lastTimestamp\":\"2026-08-22T11:59:00Z\"}";
static const char ev_oom[] =
	"{\"kind\":\"Event\",\"metadata\":{\"name\":\"e2\",\"namespace\":"
	"\"demo\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"demo\","
	"\"name\":\"" P1 "\"},\"type\":\"Warning\",\"reason\":\"OOMKilling\","
	"\"message\":\"Memory cgroup out of memory\","
	"\"lastTimestamp\":\"2026-08-22T11:59:00Z\"}";
static const char ev_unhealthy_old[] =
	"{\"kind\":\"Event\",\"metadata\":{\"name\":\"e3\",\"namespace\":"
	"\"demo\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"demo\","
	"\"name\":\"" P1 "\"},\"type\":\"Warning\",\"reason\":\"Unhealthy\","
	"\"message\":\"Readiness probe failed\","
	"\"lastTimestamp\":\"2026-08-22T11:00:00Z\"}";
static const char ev_unhealthy[] =
	"{\"kind\":\"Event\",\"metadata\":{\"name\":\"e4\",\"namespace\":"
	"\"demo\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"demo\","
	"\"name\":\"" P1 "\"},\"type\":\"Warning\",\"reason\":\"Unhealthy\","
	"\"message\":\"Readiness probe failed\","
	"\"lastTimestamp\":\"2026-08-22T11:58:00Z\"}";
static const char ev_normal[] =
	"{\"kind\":\"Event\",\"metadata\":{\"name\":\"e5\",\"namespace\":"
	"\"demo\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"demo\","
	"\"name\":\"" P1 "\"},\"type\":\"Normal\",\"reason\":\"BackOff\","
	"\"message\":\"not a warning\","
	"\"lastTimestamp\":\"2026-08-22T11:59:00Z\"}";

static const struct row rows[] = {
	/* pods */
	{ "pending past 60 s",
	  { { "Pod", P1, "status.phase", "\"Pending\"" },
	    { "Pod", P1, "metadata.creationTimestamp", "@-120" },
	    { "Pod", P1, "status.conditions.4.status", "\"False\"" },
	    { "Pod", P1, "status.conditions.4.reason", "\"Unschedulable\"" } },
	  0, "PodPending", MG_HEALTH_ERROR, "pod " P1,
	  "pending for 2m (Unschedulable)" },
	{ "pending for 30 s only",
	  { { "Pod", P1, "status.phase", "\"Pending\"" },
	    { "Pod", P1, "metadata.creationTimestamp", "@-30" } },
	  0, "PodPending", NO, NULL, NULL },
	{ "crash loop",
	  { { "Pod", P1, CS ".state",
	      "{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}" },
	    { "Pod", P1, CS ".restartCount", "4" } },
	  0, "PodCrashLooping", MG_HEALTH_ERROR, "pod " P1,
	  "container multipooler is in CrashLoopBackOff (4 restarts)" },
	{ "image pull back-off",
	  { { "Pod", P1, CS ".state",
	      "{\"waiting\":{\"reason\":\"ImagePullBackOff\"}}" } },
	  0, "PodCrashLooping", MG_HEALTH_ERROR, "pod " P1,
	  "ImagePullBackOff" },
	{ "not ready past 30 s",
	  { { "Pod", P1, "status.conditions.2.status", "\"False\"" },
	    { "Pod", P1, "status.conditions.2.lastTransitionTime", "@-45" } },
	  0, "PodNotReady", MG_HEALTH_ERROR, "pod " P1, "not ready for 45s" },
	{ "not ready for 20 s only",
	  { { "Pod", P1, "status.conditions.2.status", "\"False\"" },
	    { "Pod", P1, "status.conditions.2.lastTransitionTime", "@-20" } },
	  0, "PodNotReady", NO, NULL, NULL },
	{ "one recent restart",
	  { { "Pod", P1, CS ".restartCount", "1" },
	    { "Pod", P1, CS ".lastState",
	      "{\"terminated\":{\"reason\":\"Error\",\"exitCode\":1}}" },
	    { "Pod", P1, CS ".lastState.terminated.finishedAt", "@-60" } },
	  0, "PodRestarts", MG_HEALTH_WARN, "pod " P1,
	  "1 restart, the last 60s ago" },
	{ "three restarts, recent",
	  { { "Pod", P1, CS ".restartCount", "3" },
	    { "Pod", P1, CS ".lastState",
	      "{\"terminated\":{\"reason\":\"Error\",\"exitCode\":1}}" },
	    { "Pod", P1, CS ".lastState.terminated.finishedAt", "@-200" } },
	  0, "PodRestarts", MG_HEALTH_ERROR, "pod " P1, "3 restarts" },
	{ "three restarts, long ago",
	  { { "Pod", P1, CS ".restartCount", "3" },
	    { "Pod", P1, CS ".lastState",
	      "{\"terminated\":{\"reason\":\"Error\",\"exitCode\":1}}" },
	    { "Pod", P1, CS ".lastState.terminated.finishedAt", "@-3600" } },
	  0, "PodRestarts", MG_HEALTH_INFO, "pod " P1,
	  "3 restarts, the last 60m ago" },
	{ "OOMKilled",
	  { { "Pod", P1, CS ".lastState",
	      "{\"terminated\":{\"reason\":\"OOMKilled\",\"exitCode\":137}}" },
	    { "Pod", P1, CS ".lastState.terminated.finishedAt", "@-7200" } },
	  0, "PodOOMKilled", MG_HEALTH_ERROR, "pod " P1,
	  "container multipooler was OOMKilled 120m ago" },
	{ "terminating past 90 s",
	  { { "Pod", P1, "metadata.deletionTimestamp", "@-100" } },
	  0, "PodStuckTerminating", MG_HEALTH_ERROR, "pod " P1,
	  "terminating for 100s" },
	{ "terminating for 60 s only",
	  { { "Pod", P1, "metadata.deletionTimestamp", "@-60" } },
	  0, "PodStuckTerminating", NO, NULL, NULL },
	{ "a pod missing",
	  { { "Pod", P1, NULL, NULL } },
	  0, "PodCountMismatch", MG_HEALTH_ERROR, "shard",
	  "pool default cell zone-a has 2 pods, the spec wants 3" },
	/* objects */
	{ "cell without owner",
	  { { "Cell", MIN_CELL, "metadata.ownerReferences", NULL } },
	  0, "OwnerMissing", MG_HEALTH_ERROR, "cell zone-a",
	  "no owner reference to its cluster minimal" },
	{ "table group without owner",
	  { { "TableGroup", MIN_TG, "metadata.ownerReferences", "[]" } },
	  0, "OwnerMissing", MG_HEALTH_ERROR, "tablegroup postgres/default",
	  "cluster minimal" },
	{ "toposerver owned by someone else",
	  { { "TopoServer", "minimal-global-topo",
	      "metadata.ownerReferences.0.uid", "\"1234\"" } },
	  0, "OwnerMissing", MG_HEALTH_ERROR, "toposerver minimal-global-topo",
	  "cluster minimal" },
	{ "shard without owner",
	  { { "Shard", MIN_SHARD, "metadata.ownerReferences", NULL } },
	  0, "OwnerMissing", MG_HEALTH_ERROR, "shard",
	  "no owner reference to its tablegroup " MIN_TG },
	{ "orphaned deployment",
	  { { "Deployment", "minimal-multiadmin-web",
	      "metadata.ownerReferences", NULL } },
	  0, "Orphaned", MG_HEALTH_WARN, "deployment minimal-multiadmin-web",
	  "owned by nothing" },
	{ "an orphaned PVC the operator meant",
	  { { "PersistentVolumeClaim", "data-" P1, "metadata.ownerReferences",
	      NULL },
	    { "PersistentVolumeClaim", "data-" P1,
	      "metadata.labels|multigres.com/orphan-since",
	      "\"2026-08-22T10-00-00Z\"" } },
	  0, "Orphaned", NO, NULL, NULL },
	{ "shard stuck deleting",
	  { { "Shard", MIN_SHARD, "metadata.deletionTimestamp", "@-400" } },
	  0, "StuckTerminating", MG_HEALTH_ERROR, "shard",
	  "being deleted for 6m40s" },
	{ "shard deleting for 4 min",
	  { { "Shard", MIN_SHARD, "metadata.deletionTimestamp", "@-240" } },
	  0, "StuckTerminating", NO, NULL, NULL },
	{ "gateway missing",
	  { { "Deployment", MIN_GW, NULL, NULL } },
	  0, "GatewayMissing", MG_HEALTH_ERROR, "cell zone-a",
	  "no multigateway Deployment" },
	{ "gateway not ready",
	  { { "Deployment", MIN_GW, "status.readyReplicas", "0" } },
	  0, "GatewayNotReady", MG_HEALTH_ERROR, "deployment " MIN_GW,
	  "0 of 1 replicas ready" },
	{ "gateway half ready",
	  { { "Deployment", MIN_GW, "spec.replicas", "2" } },
	  0, "GatewayNotReady", MG_HEALTH_WARN, "deployment " MIN_GW,
	  "1 of 2 replicas ready" },
	{ "multiorch missing",
	  { { "Deployment", MIN_ORCH, NULL, NULL } },
	  0, "MultiorchMissing", MG_HEALTH_ERROR, "shard",
	  "no multiorch Deployment for cell zone-a" },
	{ "multiorch not ready",
	  { { "Deployment", MIN_ORCH, "status.readyReplicas", "0" } },
	  0, "MultiorchNotReady", MG_HEALTH_ERROR, "deployment " MIN_ORCH,
	  "0 of 1" },
	/* status */
	{ "shard Degraded, recent",
	  { { "Shard", MIN_SHARD, "status.phase", "\"Degraded\"" } },
	  0, "PhaseDegraded", MG_HEALTH_INFO, "shard", "phase Degraded for 95s" },
	{ "shard Degraded past 5 min",
	  { { "Shard", MIN_SHARD, "status.phase", "\"Degraded\"" } },
	  300, "PhaseDegraded", MG_HEALTH_ERROR, "shard",
	  "phase Degraded for 6m35s" },
	{ "cluster Unknown, no conditions",
	  { { "MultigresCluster", "minimal", "status.phase", "\"Unknown\"" },
	    { "MultigresCluster", "minimal", "status.conditions", NULL } },
	  0, "PhaseDegraded", MG_HEALTH_ERROR, "cluster minimal",
	  "phase Unknown" },
	{ "Progressing without progress for 10 min",
	  { { "Pod", P2, ANN "drain.multigres.com/state", NULL } },
	  600, "PhaseProgressing", MG_HEALTH_WARN, "cluster minimal",
	  "phase Progressing, no progress for 11m" },
	{ "Progressing with recent progress",
	  { { "Pod", P2, ANN "drain.multigres.com/state", NULL } },
	  400, "PhaseProgressing", NO, NULL, NULL },
	{ "generation lag past 60 s",
	  { { "Shard", MIN_SHARD, "metadata.generation", "4" },
	    { "Shard", MIN_SHARD, "metadata.managedFields",
	      "[{\"manager\":\"multigres-operator\",\"operation\":\"Apply\","
	      "\"time\":\"2026-08-22T11:58:00Z\"},{\"manager\":\"x\","
	      "\"operation\":\"Update\",\"subresource\":\"status\","
	      "\"time\":\"2026-08-22T11:59:59Z\"}]" } },
	  0, "GenerationLag", MG_HEALTH_ERROR, "shard",
	  "status.observedGeneration 3 behind metadata.generation 4 for 2m" },
	{ "generation lag for 30 s only",
	  { { "Shard", MIN_SHARD, "metadata.generation", "4" },
	    { "Shard", MIN_SHARD, "metadata.managedFields",
	      "[{\"manager\":\"multigres-operator\",\"operation\":\"Apply\","
	      "\"time\":\"2026-08-22T11:59:30Z\"}]" } },
	  0, "GenerationLag", NO, NULL, NULL },
	{ "generation never observed",
	  { { "Cell", MIN_CELL, "status.observedGeneration", NULL } },
	  0, "GenerationLag", MG_HEALTH_ERROR, "cell zone-a",
	  "generation 1 not yet observed" },
	{ "no primary",
	  { { "Shard", MIN_SHARD, "status.podRoles|" MIN_POD "0",
	      "\"REPLICA\"" } },
	  0, "PrimaryCount", MG_HEALTH_ERROR, "shard",
	  "no PRIMARY pod in podRoles for" },
	{ "two primaries",
	  { { "Shard", MIN_SHARD, "status.podRoles|" P1, "\"PRIMARY\"" } },
	  0, "PrimaryCount", MG_HEALTH_ERROR, "shard",
	  "2 PRIMARY pods in podRoles: " MIN_POD "0, " P1 },
	{ "a role for a pod that is gone",
	  { { "Shard", MIN_SHARD, "status.podRoles|ghost-0", "\"REPLICA\"" } },
	  0, "StaleRole", MG_HEALTH_WARN, "shard",
	  "podRoles names ghost-0 (REPLICA), which does not exist" },
	{ "readyReplicas off",
	  { { "Shard", MIN_SHARD, "status.readyReplicas", "3" } },
	  0, "ReadyReplicasMismatch", MG_HEALTH_WARN, "shard",
	  "status.readyReplicas is 3, 2 pods are ready" },
	{ "poolsReady off",
	  { { "Shard", MIN_SHARD, "status.poolsReady", "true" } },
	  0, "PoolsReadyMismatch", MG_HEALTH_WARN, "shard",
	  "status.poolsReady is true, 2 of 3 pods are ready" },
	{ "orchReady off",
	  { { "Shard", MIN_SHARD, "status.orchReady", "false" } },
	  0, "OrchReadyMismatch", MG_HEALTH_WARN, "shard",
	  "status.orchReady is false" },
	{ "status.cells has an extra cell",
	  { { "MultigresCluster", "minimal", "status.cells.zone-x",
	      "{\"ready\":true}" } },
	  0, "CellsMismatch", MG_HEALTH_ERROR, "cluster minimal",
	  "status.cells has extra zone-x" },
	{ "status.cells lacks a cell",
	  { { "MultigresCluster", "minimal", "status.cells.zone-a", NULL } },
	  0, "CellsMismatch", MG_HEALTH_ERROR, "cluster minimal",
	  "status.cells lacks zone-a" },
	{ "ReadyForDeletion while not deleted",
	  { { "Shard", MIN_SHARD, "status.conditions.3",
	      "{\"type\":\"ReadyForDeletion\",\"status\":\"True\","
	      "\"reason\":\"DrainComplete\"}" } },
	  0, "ReadyForDeletion", MG_HEALTH_WARN, "shard",
	  "nothing is deleting it" },
	{ "ReadyForDeletion while pending deletion",
	  { { "Shard", MIN_SHARD, "status.conditions.3",
	      "{\"type\":\"ReadyForDeletion\",\"status\":\"True\","
	      "\"reason\":\"DrainComplete\"}" },
	    { "Shard", MIN_SHARD, ANN "multigres.com/pending-deletion",
	      "@-60" } },
	  0, "ReadyForDeletion", NO, NULL, NULL },
	{ "backup past 49 h",
	  { { "Shard", MIN_SHARD, "status.lastBackupTime", "@-180000" } },
	  0, "BackupStale", MG_HEALTH_ERROR, "shard",
	  "last backup 2d2h ago (error past 49h)" },
	{ "backup 3 h old",
	  { { "Shard", MIN_SHARD, "status.lastBackupTime", "@-10800" },
	    { "Shard", MIN_SHARD, "status.conditions.2.status", "\"True\"" } },
	  0, "BackupStale", NO, NULL, NULL },
	{ "backup failed",
	  { { "Shard", MIN_SHARD, "status.conditions.2.reason",
	      "\"BackupFailed\"" } },
	  0, "BackupFailed", MG_HEALTH_ERROR, "shard", "backup failed: Last" },
	{ "backup check failing, backup recent",
	  { { "Shard", MIN_SHARD, "status.lastBackupTime", "@-3600" },
	    { "Shard", MIN_SHARD, "status.conditions.2.reason",
	      "\"BackupCheckFailed\"" } },
	  0, "BackupUnhealthy", MG_HEALTH_WARN, "shard",
	  "backup unhealthy (BackupCheckFailed)" },
	{ "no backup ever",
	  { { "Shard", MIN_SHARD, "status.lastBackupTime", NULL } },
	  0, "NoBackup", MG_HEALTH_WARN, "shard",
	  "backup configured but none has completed" },
	/* drain */
	{ "drain requested past 30 s",
	  { { "Pod", P2, ANN "drain.multigres.com/state", "\"requested\"" },
	    { "Pod", P2, ANN "drain.multigres.com/requested-at", "@-31" } },
	  0, "DrainStuck", MG_HEALTH_ERROR, "pod " P2,
	  "drain stuck in requested for 31s" },
	{ "drain requested 20 s ago",
	  { { "Pod", P2, ANN "drain.multigres.com/state", "\"requested\"" },
	    { "Pod", P2, ANN "drain.multigres.com/requested-at", "@-20" } },
	  0, "DrainStuck", NO, NULL, NULL },
	{ "draining past 5 min",
	  { { "Pod", P2, ANN "drain.multigres.com/requested-at", "@-301" } },
	  0, "DrainStuck", MG_HEALTH_ERROR, "pod " P2,
	  "drain stuck in draining for 5m1s" },
	{ "acknowledged past 30 s",
	  { { "Pod", P2, ANN "drain.multigres.com/state",
	      "\"acknowledged\"" } },
	  0, "DrainStuck", MG_HEALTH_ERROR, "pod " P2,
	  "drain stuck in acknowledged for 90s" },
	{ "two pods draining",
	  { { "Pod", P1, ANN "drain.multigres.com/state", "\"requested\"" },
	    { "Pod", P1, ANN "drain.multigres.com/requested-at", "@-5" } },
	  0, "MultipleDraining", MG_HEALTH_ERROR, "shard",
	  "2 pods draining at once: " P1 ", " P2 },
	{ "two pods draining while the shard goes",
	  { { "Pod", P1, ANN "drain.multigres.com/state", "\"requested\"" },
	    { "Pod", P1, ANN "drain.multigres.com/requested-at", "@-5" },
	    { "Shard", MIN_SHARD, ANN "multigres.com/pending-deletion",
	      "@-10" } },
	  0, "MultipleDraining", NO, NULL, NULL },
	/* events */
	{ "FailedMount",
	  { { "+", NULL, NULL, ev_failed_mount } },
	  0, "Event", MG_HEALTH_ERROR, "pod " P1,
	  "Warning FailedMount (x4, last 60s ago): MountVolume.SetUp failed" },
	{ "OOMKilling",
	  { { "+", NULL, NULL, ev_oom } },
	  0, "Event", MG_HEALTH_FATAL, "pod " P1, "OOMKilling" },
	{ "Unhealthy",
	  { { "+", NULL, NULL, ev_unhealthy } },
	  0, "Event", MG_HEALTH_WARN, "pod " P1, "x1" },
	{ "Unhealthy an hour ago",
	  { { "+", NULL, NULL, ev_unhealthy_old } },
	  0, "Event", NO, NULL, NULL },
	{ "a Normal event",
	  { { "+", NULL, NULL, ev_normal } },
	  0, "Event", NO, NULL, NULL },
};

static void
test_rules(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *w = &rows[i];
		struct mg_snap *s = load_mutated(w->m, ARRAY_SIZE(w->m), true);
		struct mg_health_report r = MG_HEALTH_REPORT_INIT;
		const struct mg_health_finding *f;
		bool ok;

		mg_health_check(s, FIXTURE_NOW + w->later, NULL, &r);
		f = find(&r, w->code, w->subject);
		if (w->sev == NO)
			ok = !f;
		else
			ok = f && f->sev == w->sev &&
			     strstr(f->message, w->message);
		if (!ok) {
			fprintf(stderr, "row '%s': want %s %s '%s', got:\n",
				w->what, mg_health_sev_name(w->sev), w->code,
				w->message ? w->message : "");
			dump(&r);
			failed++;
		}
		mg_health_report_release(&r);
		mg_snap_free(s);
	}
	assert_int_equal(failed, 0);
}

/* The rolling update read from the condition when drift is unknown. */
static void
test_rolling_update_without_hash(void **state)
{
	struct mut none[1] = { { NULL, NULL, NULL, NULL } };
	struct mg_snap *s = load_mutated(none, 0, false);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	const struct mg_health_finding *f;

	(void)state;
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	f = find(&r, "RollingUpdate", "shard");
	assert_non_null(f);
	assert_int_equal(f->sev, MG_HEALTH_INFO);
	assert_string_equal(f->message,
			    "rolling update: 2 pods need update in pool default");
	mg_health_report_release(&r);
	mg_snap_free(s);
}

static void
apply_json(struct mg_snap *s, enum mg_snap_kind k, cJSON *o)
{
	assert_int_equal(mg_snap_apply(s, k, MG_SNAP_MODIFIED, o, NULL), 0);
}

static void
bump_rv(cJSON *o)
{
	const char *rv = mg_json_str(o, "metadata.resourceVersion");
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", strtol(rv, NULL, 10) + 1);
	mg_json_set_str(mg_json_get(o, "metadata"), "resourceVersion", buf);
}

/* Backwards: only seen across two versions of the same pod. */
static void
test_drain_backwards(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	cJSON *pod = fixture_find(objs, "Pod", P2);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	const struct mg_health_finding *f;

	(void)state;
	/* draining -> acknowledged: forward, fine */
	jset(pod, ANN "drain.multigres.com/state", "\"acknowledged\"");
	bump_rv(pod);
	apply_json(s, MG_SNAP_POD, pod);
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	assert_null(find(&r, "DrainBackwards", NULL));
	/* acknowledged -> requested: back */
	jset(pod, ANN "drain.multigres.com/state", "\"requested\"");
	bump_rv(pod);
	apply_json(s, MG_SNAP_POD, pod);
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	f = find(&r, "DrainBackwards", "pod " P2);
	assert_non_null(f);
	assert_int_equal(f->sev, MG_HEALTH_FATAL);
	assert_int_equal(r.worst, MG_HEALTH_FATAL);
	assert_int_equal(mg_health_exit_code(r.worst), 1);
	/* a new pod of the same name starts afresh */
	jset(pod, "metadata.uid", "\"another-uid\"");
	bump_rv(pod);
	apply_json(s, MG_SNAP_POD, pod);
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	assert_null(find(&r, "DrainBackwards", NULL));
	/* cancelling (back to none) is not backwards */
	jset(pod, ANN "drain.multigres.com/state", NULL);
	bump_rv(pod);
	apply_json(s, MG_SNAP_POD, pod);
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	assert_null(find(&r, "DrainBackwards", NULL));
	mg_health_report_release(&r);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

/* A primary lost while watching: info within the grace, then error. */
static void
test_primary_grace(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	cJSON *shard = fixture_find(objs, "Shard", MIN_SHARD);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	const struct mg_health_finding *f;

	(void)state;
	jset(shard, "status.podRoles|" MIN_POD "0", "\"REPLICA\"");
	bump_rv(shard);
	apply_json(s, MG_SNAP_SHARD, shard);
	mg_snap_tick(s, FIXTURE_NOW + 100);
	mg_health_check(s, FIXTURE_NOW + 120, NULL, &r);
	f = find(&r, "PrimaryCount", NULL);
	assert_non_null(f);
	assert_int_equal(f->sev, MG_HEALTH_INFO);
	assert_non_null(strstr(f->message, "0 PRIMARY pods for 20s"));
	assert_int_equal(f->since, FIXTURE_NOW + 100);
	mg_health_check(s, FIXTURE_NOW + 131, NULL, &r);
	f = find(&r, "PrimaryCount", NULL);
	assert_int_equal(f->sev, MG_HEALTH_ERROR);
	assert_string_equal(f->message, "no PRIMARY pod in podRoles for 31s");
	mg_health_report_release(&r);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_event_window_option(void **state)
{
	struct mut m[1] = { { "+", NULL, NULL, ev_unhealthy_old } };
	struct mg_snap *s = load_mutated(m, 1, true);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_health_opts opts = MG_HEALTH_OPTS_INIT;

	(void)state;
	opts.event_window = 7200;
	mg_health_check(s, FIXTURE_NOW, &opts, &r);
	assert_non_null(find(&r, "Event", "pod " P1));
	mg_health_report_release(&r);
	mg_snap_free(s);
}

static void
test_verdicts_and_exit_codes(void **state)
{
	(void)state;
	assert_string_equal(mg_health_verdict(MG_HEALTH_NONE), "Healthy");
	assert_string_equal(mg_health_verdict(MG_HEALTH_INFO), "Healthy");
	assert_string_equal(mg_health_verdict(MG_HEALTH_WARN), "Warning");
	assert_string_equal(mg_health_verdict(MG_HEALTH_ERROR), "Degraded");
	assert_string_equal(mg_health_verdict(MG_HEALTH_FATAL), "Failed");
	assert_int_equal(mg_health_exit_code(MG_HEALTH_NONE), 0);
	assert_int_equal(mg_health_exit_code(MG_HEALTH_WARN), 0);
	assert_int_equal(mg_health_exit_code(MG_HEALTH_ERROR), 1);
	assert_int_equal(mg_health_exit_code(MG_HEALTH_FATAL), 1);
	assert_string_equal(mg_health_sev_name(MG_HEALTH_FATAL), "fatal");
}

static void
test_duration(void **state)
{
	static const struct {
		long long secs;
		const char *want;
	} v[] = {
		{ -5, "0s" },      { 0, "0s" },        { 119, "119s" },
		{ 120, "2m" },     { 200, "3m20s" },   { 600, "10m" },
		{ 10799, "179m" }, { 10800, "3h" },    { 18720, "5h12m" },
		{ 108000, "30h" }, { 172800, "2d" },   { 183600, "2d3h" },
		{ 691200, "8d" },  { 63072000, "2y" }, { 71712000, "2y100d" },
		{ 252288000, "8y" },
	};
	char out[24];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		mg_health_duration(out, v[i].secs);
		assert_string_equal(out, v[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_three_cell_is_healthy),
		cmocka_unit_test(test_degraded),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_rolling_update_without_hash),
		cmocka_unit_test(test_drain_backwards),
		cmocka_unit_test(test_primary_grace),
		cmocka_unit_test(test_event_window_option),
		cmocka_unit_test(test_verdicts_and_exit_codes),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests_name("health", tests, NULL, NULL);
}
