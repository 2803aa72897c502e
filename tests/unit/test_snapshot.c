/*
 * Unit tests for shared/snapshot.c: the fixtures of tests/fixtures/snapshot
 * (gen.py) joined into trees, in any order; events; deletions and
 * placeholders; change counters; the since-memory of mg_snap_tick.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "../fixtures/snapshot/fixture.h"
#include "json.h"
#include "labels.h"
#include "timeutil.h"

#define MIN_SHARD "minimal-postgres-default-0-inf-1e3c045c"
#define MIN_POD   "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-"

static const struct mg_snap_shard *
only_shard(const struct mg_snap *s)
{
	size_t n;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);

	assert_int_equal(n, 1);
	assert_int_equal(cl[0]->ntgs, 1);
	assert_int_equal(cl[0]->tgs[0]->nshards, 1);
	return cl[0]->tgs[0]->shards[0];
}

/* The whole minimal tree, as gen.py describes it. */
static void
check_minimal(const struct mg_snap *s, bool with_hash)
{
	size_t n, i;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);
	const struct mg_snap_cluster *c;
	const struct mg_snap_shard *sh;
	const struct mg_snap_poolcell *pc;

	assert_int_equal(n, 1);
	c = cl[0];
	assert_string_equal(c->ns, "demo");
	assert_string_equal(c->name, "minimal");
	assert_non_null(c->obj.json);
	assert_string_equal(c->obj.phase, "Progressing");
	assert_int_equal(c->obj.generation, 2);
	assert_int_equal(c->obj.observed_generation, 2);
	assert_int_equal(c->ncells, 1);
	assert_string_equal(c->cells[0]->name, "zone-a");
	assert_string_equal(c->cells[0]->obj.name, "minimal-zone-a-96c88ae0");
	assert_string_equal(c->cells[0]->zone, "us-central1-a");
	assert_int_equal(c->cells[0]->gateway_replicas, 1);
	assert_int_equal(c->cells[0]->gateway_ready, 1);
	assert_non_null(c->cells[0]->gateway);
	assert_string_equal(c->cells[0]->gateway->obj.name,
			    "minimal-zone-a-multigateway-0ccc2e8b");
	assert_int_equal(c->cells[0]->gateway->ready, 1);
	assert_null(c->cells[0]->topo);
	assert_int_equal(c->ntopos, 1);
	assert_string_equal(c->topos[0]->name, "minimal-global-topo");
	assert_int_equal(c->ndeploys, 2);
	assert_string_equal(c->deploys[0]->obj.name, "minimal-multiadmin");
	assert_string_equal(c->deploys[1]->obj.name, "minimal-multiadmin-web");
	assert_int_equal(c->ntgs, 1);
	assert_string_equal(c->tgs[0]->database, "postgres");
	assert_string_equal(c->tgs[0]->name, "default");
	assert_int_equal(c->tgs[0]->total_shards, 1);
	assert_int_equal(c->tgs[0]->ready_shards, 0);

	sh = only_shard(s);
	assert_string_equal(sh->obj.name, MIN_SHARD);
	assert_string_equal(sh->name, "0-inf");
	assert_int_equal(sh->replicas, 3);
	assert_int_equal(sh->ready_replicas, 2);
	assert_true(sh->orch_ready);
	assert_false(sh->pools_ready);
	assert_int_equal(sh->last_backup, FIXTURE_NOW - 30 * 3600);
	assert_string_equal(sh->last_backup_type, "full");
	assert_non_null(sh->backup);
	assert_string_equal(sh->backup->reason, "BackupStale");
	assert_non_null(sh->rolling);
	assert_string_equal(sh->rolling->status, "True");
	assert_non_null(sh->available);
	assert_null(sh->ready_for_deletion);
	assert_int_equal(sh->norch, 1);
	assert_string_equal(sh->orch[0]->cell, "zone-a");
	assert_non_null(sh->backup_pvc);
	assert_string_equal(sh->backup_pvc->obj.name,
			    "backup-data-minimal-postgres-default-0-inf-811a09a5");
	assert_int_equal(sh->nroles, 3);
	for (i = 0; i < 3; i++)
		assert_non_null(sh->roles[i].found);
	assert_int_equal(sh->npods, 3);
	assert_int_equal(sh->nprimary, 1);
	assert_int_equal(sh->ndraining, 1);
	assert_int_equal(sh->ndrifted, with_hash ? 2 : 0);
	assert_int_equal(sh->npools, 1);
	assert_string_equal(sh->pools[0]->name, "default");
	assert_non_null(sh->pools[0]->spec);
	assert_int_equal(sh->pools[0]->replicas_per_cell, 3);
	assert_int_equal(sh->pools[0]->ncells, 1);
	pc = sh->pools[0]->cells[0];
	assert_string_equal(pc->cell, "zone-a");
	assert_true(pc->in_spec);
	assert_int_equal(pc->desired, 3);
	assert_int_equal(pc->npods, 3);
	assert_int_equal(pc->npvcs, 3);
	assert_int_equal(pc->nready, 3);
	assert_int_equal(pc->nprimary, 1);
	for (i = 0; i < 3; i++) {
		const struct mg_snap_pod *p = pc->pods[i];

		assert_int_equal(p->index, (long)i);
		assert_ptr_equal(p->pc, pc);
		assert_string_equal(p->component, MG_COMPONENT_SHARD_POOL);
		assert_string_equal(p->pool, "default");
		assert_true(p->ready);
		assert_true(p->scheduled);
		assert_int_equal(p->restarts, 0);
		assert_false(p->crashloop);
		assert_string_equal(p->role_name, i ? "REPLICA" : "PRIMARY");
		assert_int_equal(p->role, i ? MG_DRAIN_ROLE_REPLICA
					    : MG_DRAIN_ROLE_PRIMARY);
		assert_string_equal(pc->pvcs[i]->obj.name + 5, p->obj.name);
		if (with_hash) {
			assert_string_equal(p->desired_hash, FIXTURE_HASH);
			assert_int_equal(p->drift, i ? MG_SNAP_DRIFT_YES
						     : MG_SNAP_DRIFT_NONE);
		} else {
			assert_string_equal(p->desired_hash, "");
			assert_int_equal(p->drift, MG_SNAP_DRIFT_UNKNOWN);
		}
	}
	assert_int_equal(pc->pods[0]->drain, MG_DRAIN_NONE);
	assert_int_equal(pc->pods[2]->drain, MG_DRAIN_DRAINING);
	assert_int_equal(pc->pods[2]->drain_since, FIXTURE_NOW - 90);
	/* events: two on the shard (newest first), one on pod 0 */
	assert_int_equal(sh->obj.nevents, 2);
	assert_string_equal(sh->obj.events[0]->reason, "PodUpdated");
	assert_string_equal(sh->obj.events[1]->reason, "BackupStale");
	assert_int_equal(sh->obj.events[1]->count, 6);
	assert_ptr_equal(sh->obj.events[1]->about, &sh->obj);
	assert_int_equal(pc->pods[0]->obj.nevents, 1);
	assert_int_equal(pc->pods[1]->obj.nevents, 0);
	assert_int_equal(mg_snap_count(s, MG_SNAP_EVENT), 3);
	assert_int_equal(mg_snap_count(s, MG_SNAP_POD), 3);
	assert_int_equal(mg_snap_count(s, MG_SNAP_PVC), 4);
	assert_int_equal(mg_snap_count(s, MG_SNAP_DEPLOYMENT), 4);
	assert_int_equal(mg_snap_count(s, MG_SNAP_SHARD), 1);
}

static void
test_minimal_tree(void **state)
{
	struct mg_snap *s = fixture_load("minimal");

	(void)state;
	check_minimal(s, true);
	mg_snap_free(s);
}

static void
test_no_hash_function_means_drift_unknown(void **state)
{
	struct mg_snap *s = mg_snap_new(NULL);
	cJSON *objs = fixture_objs("minimal");

	(void)state;
	fixture_apply(s, objs);
	check_minimal(s, false);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

/* Children before their parents (the order of a TUI's watches). */
static void
test_order_does_not_matter(void **state)
{
	struct mg_snap_opts opts = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON *objs = fixture_objs("minimal");
	int i;

	(void)state;
	opts.desired_hash = fixture_hash;
	s = mg_snap_new(&opts);
	for (i = cJSON_GetArraySize(objs) - 1; i >= 0; i--) {
		const cJSON *o = cJSON_GetArrayItem(objs, i);
		enum mg_snap_kind kind;

		assert_true(mg_snap_kind_parse(mg_json_str(o, "kind"), &kind));
		assert_int_equal(mg_snap_apply(s, kind, MG_SNAP_ADDED, o, NULL),
				 0);
	}
	check_minimal(s, true);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_three_cells(void **state)
{
	struct mg_snap *s = fixture_load("three-cell");
	const struct mg_snap_shard *sh = only_shard(s);
	size_t n, i;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);
	static const char *const cells[] = { "z1", "z2", "z3" };

	(void)state;
	assert_int_equal(cl[0]->ncells, 3);
	assert_int_equal(sh->npools, 1);
	assert_int_equal(sh->pools[0]->ncells, 3);
	assert_int_equal(sh->norch, 3);
	assert_int_equal(sh->npods, 6);
	assert_int_equal(sh->nprimary, 1);
	for (i = 0; i < 3; i++) {
		assert_string_equal(cl[0]->cells[i]->name, cells[i]);
		assert_int_equal(cl[0]->cells[i]->gateway->ready, 2);
		assert_string_equal(sh->pools[0]->cells[i]->cell, cells[i]);
		assert_int_equal(sh->pools[0]->cells[i]->npods, 2);
		assert_string_equal(sh->orch[i]->cell, cells[i]);
		assert_int_equal(sh->pools[0]->cells[i]->nprimary, i == 0);
	}
	mg_snap_free(s);
}

static void
test_cluster_filter(void **state)
{
	struct mg_snap_opts opts = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON *a = fixture_objs("minimal"), *b = fixture_objs("three-cell");
	size_t n;
	struct mg_snap_cluster *const *cl;

	(void)state;
	opts.cluster = "prod";
	s = mg_snap_new(&opts);
	fixture_apply(s, a);
	fixture_apply(s, b);
	cl = mg_snap_clusters(s, &n);
	assert_int_equal(n, 1);
	assert_string_equal(cl[0]->name, "prod");
	assert_int_equal(mg_snap_count(s, MG_SNAP_POD), 6);
	/* the minimal cluster's events are kept, about nothing */
	assert_int_equal(mg_snap_count(s, MG_SNAP_EVENT), 3);
	assert_null(mg_snap_as_event(mg_snap_find(
		s, MG_SNAP_EVENT, "demo",
		"minimal-postgres-default-0-inf-1e3c045c.8b79601d132d4882"))
			    ->about);
	assert_null(mg_snap_find(s, MG_SNAP_SHARD, "demo", MIN_SHARD));
	mg_snap_free(s);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_lookups(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	const struct mg_snap_obj *o, *u;

	(void)state;
	o = mg_snap_find(s, MG_SNAP_POD, "demo", MIN_POD "1");
	assert_non_null(o);
	assert_non_null(mg_snap_as_pod(o));
	assert_null(mg_snap_as_shard(o));
	u = mg_snap_find_uid(s, o->uid);
	assert_ptr_equal(o, u);
	o = mg_snap_find(s, MG_SNAP_SHARD, "demo", MIN_SHARD);
	assert_non_null(mg_snap_as_shard(o));
	assert_ptr_equal(mg_snap_as_shard(o), only_shard(s));
	assert_non_null(mg_snap_cluster(s, "demo", "minimal"));
	assert_null(mg_snap_cluster(s, "other", "minimal"));
	assert_null(mg_snap_find(s, MG_SNAP_POD, "other", MIN_POD "1"));
	assert_string_equal(mg_snap_kind_name(MG_SNAP_PVC),
			    "PersistentVolumeClaim");
	mg_snap_free(s);
}

static void
count_fn(const struct mg_snap_obj *obj, void *data)
{
	assert_int_equal(obj->kind, MG_SNAP_PVC);
	(*(int *)data)++;
}

static void
test_foreach(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	int n = 0;

	(void)state;
	mg_snap_foreach(s, MG_SNAP_PVC, count_fn, &n);
	assert_int_equal(n, 4);
	mg_snap_free(s);
}

static void
test_bad_input(void **state)
{
	struct mg_snap *s = mg_snap_new(NULL);
	struct mg_err err = MG_ERR_INIT;
	cJSON *o = cJSON_CreateArray();

	(void)state;
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_ADDED, o, &err),
			 MG_EINVAL);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"metadata\":{\"namespace\":\"x\"}}");
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_ADDED, o, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "metadata.name"));
	assert_int_equal(mg_snap_version(s), 0);
	/* deleting what is not there is no change */
	cJSON_Delete(o);
	o = cJSON_Parse("{\"metadata\":{\"name\":\"p\"}}");
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_DELETED, o,
				       &err), 0);
	assert_int_equal(mg_snap_version(s), 0);
	cJSON_Delete(o);
	mg_snap_free(s);
}

static void
bump_rv(cJSON *o)
{
	const char *rv = mg_json_str(o, "metadata.resourceVersion");
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", strtol(rv, NULL, 10) + 1000);
	mg_json_set_str(mg_json_get(o, "metadata"), "resourceVersion", buf);
}

static void
test_modified_and_counters(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	cJSON *pod = fixture_find(objs, "Pod", MIN_POD "1");
	const struct mg_snap_shard *sh = only_shard(s);
	const struct mg_snap_cell *cell = mg_snap_clusters(s, &(size_t){ 0 })[0]
						  ->cells[0];
	uint64_t v0 = mg_snap_version(s);
	const struct mg_snap_pod *p;

	(void)state;
	/* the same resourceVersion again: nothing changes */
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				       NULL), 0);
	assert_int_equal(mg_snap_version(s), v0);
	/* not ready now */
	cJSON_ReplaceItemInObject(
		cJSON_GetArrayItem(mg_json_get(pod, "status.conditions"), 2),
		"status", cJSON_CreateString("False"));
	bump_rv(pod);
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				       NULL), 0);
	assert_true(mg_snap_version(s) > v0);
	p = mg_snap_as_pod(mg_snap_find(s, MG_SNAP_POD, "demo", MIN_POD "1"));
	assert_false(p->ready);
	assert_int_equal(p->obj.changed, mg_snap_version(s));
	assert_int_equal(sh->changed, mg_snap_version(s));
	assert_int_equal(sh->pools[0]->cells[0]->changed, mg_snap_version(s));
	assert_int_equal(sh->tg->cluster->changed, mg_snap_version(s));
	assert_true(cell->changed <= v0);
	assert_int_equal(sh->nready, 2);
	/* an older resourceVersion is ignored */
	v0 = mg_snap_version(s);
	cJSON_ReplaceItemInObject(mg_json_get(pod, "metadata"),
				  "resourceVersion", cJSON_CreateString("5"));
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				       NULL), 0);
	assert_int_equal(mg_snap_version(s), v0);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

/* A hash function that answers from the live pod: its "h" annotation. */
static int
pod_hash(void *data, const cJSON *shard, const cJSON *pod, const char *pool,
	 const char *cell, long index, char out[9])
{
	const char *h = mg_json_str(pod, "metadata.annotations.h");

	(*(int *)data)++;
	assert_non_null(shard);
	assert_string_equal(pool, "default");
	assert_string_equal(cell, "zone-a");
	assert_true(index >= 0 && index < 3);
	if (!h || strlen(h) != 8)
		return -1;
	memcpy(out, h, 9);
	return 0;
}

/* The hash function sees the live pod, and is asked again when the pod
 * changes (not when something else does). */
static void
test_hash_sees_the_pod(void **state)
{
	struct mg_snap_opts opts = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON *objs = fixture_objs("minimal");
	cJSON *pod = fixture_find(objs, "Pod", MIN_POD "1");
	cJSON *ann = mg_json_get(pod, "metadata.annotations");
	const struct mg_snap_pod *p;
	int calls = 0, before;

	(void)state;
	opts.desired_hash = pod_hash;
	opts.hash_data = &calls;
	cJSON_AddStringToObject(ann, "h", FIXTURE_HASH);
	s = mg_snap_new(&opts);
	fixture_apply(s, objs);
	p = mg_snap_as_pod(mg_snap_find(s, MG_SNAP_POD, "demo", MIN_POD "1"));
	/* pod 1 carries an old spec-hash: drifted against its "h" */
	assert_string_equal(p->desired_hash, FIXTURE_HASH);
	assert_int_equal(p->drift, MG_SNAP_DRIFT_YES);
	/* pods 0 and 2 have no "h": unknown */
	p = mg_snap_as_pod(mg_snap_find(s, MG_SNAP_POD, "demo", MIN_POD "0"));
	assert_int_equal(p->drift, MG_SNAP_DRIFT_UNKNOWN);
	assert_true(calls >= 3);
	/* "h" now equals the pod's spec-hash: no drift */
	before = calls;
	cJSON_ReplaceItemInObject(ann, "h", cJSON_CreateString(
		cJSON_GetObjectItemCaseSensitive(ann, "multigres.com/spec-hash")
			->valuestring));
	bump_rv(pod);
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				       NULL), 0);
	assert_int_equal(calls, before + 1);
	p = mg_snap_as_pod(mg_snap_find(s, MG_SNAP_POD, "demo", MIN_POD "1"));
	assert_int_equal(p->drift, MG_SNAP_DRIFT_NONE);
	assert_string_equal(p->desired_hash, p->spec_hash);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_shard_refill_keeps_node(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	cJSON *shard = fixture_find(objs, "Shard", MIN_SHARD);
	const struct mg_snap_shard *before = only_shard(s);

	(void)state;
	bump_rv(shard);
	cJSON_ReplaceItemInObject(mg_json_get(shard, "status"), "readyReplicas",
				  cJSON_CreateNumber(3));
	assert_int_equal(mg_snap_apply(s, MG_SNAP_SHARD, MG_SNAP_MODIFIED,
				       shard, NULL), 0);
	assert_ptr_equal(only_shard(s), before);
	assert_int_equal(before->ready_replicas, 3);
	assert_int_equal(before->npods, 3);
	assert_int_equal(before->nroles, 3);
	assert_non_null(before->roles[2].found);
	assert_int_equal(before->pools[0]->cells[0]->desired, 3);
	assert_int_equal(before->obj.nevents, 2);
	assert_ptr_equal(mg_snap_find(s, MG_SNAP_SHARD, "demo", MIN_SHARD),
			 &before->obj);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_delete_pod_and_shard(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	const struct mg_snap_shard *sh = only_shard(s);
	const cJSON *it;

	(void)state;
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_DELETED,
				       fixture_find(objs, "Pod", MIN_POD "0"),
				       NULL), 0);
	assert_int_equal(sh->npods, 2);
	assert_int_equal(sh->nprimary, 0);
	assert_null(sh->roles[0].found);
	assert_string_equal(sh->roles[0].pod, MIN_POD "0");
	assert_null(mg_snap_find(s, MG_SNAP_POD, "demo", MIN_POD "0"));
	/* the Shard CR goes; its pods keep a placeholder node */
	assert_int_equal(mg_snap_apply(s, MG_SNAP_SHARD, MG_SNAP_DELETED,
				       fixture_find(objs, "Shard", MIN_SHARD),
				       NULL), 0);
	sh = only_shard(s);
	assert_null(sh->obj.json);
	assert_string_equal(sh->obj.name, MIN_SHARD);
	assert_int_equal(sh->nroles, 0);
	assert_int_equal(sh->npods, 2);
	assert_null(sh->pools[0]->spec);
	assert_int_equal(sh->pools[0]->cells[0]->pods[0]->drift,
			 MG_SNAP_DRIFT_UNKNOWN);
	assert_null(sh->pools[0]->cells[0]->pods[0]->role_name);
	assert_int_equal(sh->obj.nevents, 0);
	assert_int_equal(mg_snap_count(s, MG_SNAP_SHARD), 0);
	/* everything below the shard goes: the shard node goes too, the
	 * table group CR stays */
	cJSON_ArrayForEach(it, objs) {
		const char *kind = mg_json_str(it, "kind");
		const char *comp = NULL;
		const cJSON *l = mg_json_get(it, "metadata.labels");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(
			l, MG_LABEL_APP_COMPONENT);

		if (cJSON_IsString(c))
			comp = c->valuestring;
		if (!strcmp(kind, "Pod") || !strcmp(kind, "PersistentVolumeClaim"))
			mg_snap_apply(s, !strcmp(kind, "Pod") ? MG_SNAP_POD
							      : MG_SNAP_PVC,
				      MG_SNAP_DELETED, it, NULL);
		else if (!strcmp(kind, "Deployment") && comp &&
			 !strcmp(comp, "multiorch"))
			mg_snap_apply(s, MG_SNAP_DEPLOYMENT, MG_SNAP_DELETED, it,
				      NULL);
	}
	{
		size_t n;
		struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);

		assert_int_equal(n, 1);
		assert_int_equal(cl[0]->ntgs, 1);
		assert_non_null(cl[0]->tgs[0]->obj.json);
		assert_int_equal(cl[0]->tgs[0]->nshards, 0);
	}
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_delete_everything_leaves_nothing(void **state)
{
	struct mg_snap *s = fixture_load("three-cell");
	cJSON *objs = fixture_objs("three-cell");
	const cJSON *it;
	size_t n;
	enum mg_snap_kind k;

	(void)state;
	cJSON_ArrayForEach(it, objs) {
		assert_true(mg_snap_kind_parse(mg_json_str(it, "kind"), &k));
		assert_int_equal(mg_snap_apply(s, k, MG_SNAP_DELETED, it, NULL),
				 0);
	}
	mg_snap_clusters(s, &n);
	assert_int_equal(n, 0);
	for (k = MG_SNAP_CLUSTER; k <= MG_SNAP_EVENT; k++)
		assert_int_equal(mg_snap_count(s, k), 0);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

/* A CR's labels change: it moves to another node. */
static void
test_pod_moves_between_shards(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	cJSON *pod = fixture_find(objs, "Pod", MIN_POD "1");
	const struct mg_snap_shard *sh = only_shard(s);
	size_t n;

	(void)state;
	bump_rv(pod);
	cJSON_ReplaceItemInObject(mg_json_get(pod, "metadata.labels"),
				  MG_LABEL_SHARD, cJSON_CreateString("other"));
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				       NULL), 0);
	assert_int_equal(sh->npods, 2);
	assert_null(sh->roles[1].found);
	assert_int_equal(mg_snap_clusters(s, &n)[0]->tgs[0]->nshards, 2);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_pod_roles_dotted_key(void **state)
{
	struct mg_snap *s = mg_snap_new(NULL);
	cJSON *objs = fixture_objs("minimal");
	cJSON *shard = fixture_find(objs, "Shard", MIN_SHARD);
	cJSON *roles = cJSON_CreateObject();
	const struct mg_snap_shard *sh;

	(void)state;
	cJSON_AddStringToObject(roles, MIN_POD "0.pool.demo.svc", "PRIMARY");
	cJSON_AddStringToObject(roles, MIN_POD "1", "QUARANTINED");
	cJSON_ReplaceItemInObject(mg_json_get(shard, "status"), "podRoles",
				  roles);
	fixture_apply(s, objs);
	sh = only_shard(s);
	assert_int_equal(sh->nroles, 2);
	assert_string_equal(sh->roles[0].pod, MIN_POD "0");
	assert_non_null(sh->roles[0].found);
	assert_int_equal(sh->pools[0]->cells[0]->pods[0]->role,
			 MG_DRAIN_ROLE_PRIMARY);
	assert_int_equal(sh->pools[0]->cells[0]->pods[1]->role,
			 MG_DRAIN_ROLE_QUARANTINED);
	assert_null(sh->pools[0]->cells[0]->pods[2]->role_name);
	assert_int_equal(sh->pools[0]->cells[0]->pods[2]->role,
			 MG_DRAIN_ROLE_UNKNOWN);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static cJSON *
make_event(const char *name, const char *uid, const char *reason,
	   time_t last)
{
	char t[MG_TIME_LEN + 1];
	cJSON *e = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(e, "metadata");
	cJSON *io = cJSON_AddObjectToObject(e, "involvedObject");

	mg_time_format(t, last, NULL);
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "namespace", "demo");
	cJSON_AddStringToObject(io, "kind", "Shard");
	cJSON_AddStringToObject(io, "namespace", "demo");
	cJSON_AddStringToObject(io, "name", MIN_SHARD);
	if (uid)
		cJSON_AddStringToObject(io, "uid", uid);
	cJSON_AddStringToObject(e, "type", "Warning");
	cJSON_AddStringToObject(e, "reason", reason);
	cJSON_AddStringToObject(e, "lastTimestamp", t);
	return e;
}

static void
test_event_caps(void **state)
{
	struct mg_snap_opts opts = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON *objs = fixture_objs("minimal");
	const struct mg_snap_shard *sh;
	cJSON *e;
	int i;

	(void)state;
	opts.events_per_object = 3;
	opts.events_max = 5;
	s = mg_snap_new(&opts);
	fixture_apply(s, objs);
	sh = only_shard(s);
	assert_int_equal(sh->obj.nevents, 2);
	/* each newer than what is kept: the oldest goes past 3 */
	for (i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ev-%d", i);
		e = make_event(name, sh->obj.uid, "ConfigError",
			       FIXTURE_NOW - 10 + i);
		assert_int_equal(mg_snap_apply(s, MG_SNAP_EVENT, MG_SNAP_ADDED,
					       e, NULL), 0);
		cJSON_Delete(e);
	}
	assert_int_equal(sh->obj.nevents, 3);
	assert_string_equal(sh->obj.events[0]->obj.name, "ev-3");
	assert_string_equal(sh->obj.events[2]->obj.name, "ev-1");
	assert_null(mg_snap_find(s, MG_SNAP_EVENT, "demo", "ev-0"));
	/* without uid: found by kind/namespace/name */
	e = make_event("ev-nouid", NULL, "StatusError", FIXTURE_NOW);
	assert_int_equal(mg_snap_apply(s, MG_SNAP_EVENT, MG_SNAP_ADDED, e,
				       NULL), 0);
	cJSON_Delete(e);
	assert_string_equal(sh->obj.events[0]->obj.name, "ev-nouid");
	assert_int_equal(sh->obj.nevents, 3);
	assert_int_equal(mg_snap_count(s, MG_SNAP_EVENT), 4);
	/* past events_max the oldest arrival goes (the pod's event) */
	for (i = 4; i < 6; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ev-%d", i);
		e = make_event(name, "someone-else", "ConfigError",
			       FIXTURE_NOW - 1);
		cJSON_ReplaceItemInObject(mg_json_get(e, "involvedObject"),
					  "name", cJSON_CreateString("gone"));
		assert_int_equal(mg_snap_apply(s, MG_SNAP_EVENT, MG_SNAP_ADDED,
					       e, NULL), 0);
		cJSON_Delete(e);
	}
	assert_int_equal(mg_snap_count(s, MG_SNAP_EVENT), 5);
	assert_non_null(mg_snap_find(s, MG_SNAP_EVENT, "demo", "ev-5"));
	assert_null(mg_snap_as_event(mg_snap_find(s, MG_SNAP_EVENT, "demo",
						  "ev-5"))->about);
	assert_int_equal(only_shard(s)->pools[0]->cells[0]->pods[0]->obj.nevents,
			 0);
	mg_snap_free(s);
	cJSON_Delete(objs);
}

static void
test_event_before_its_object(void **state)
{
	struct mg_snap *s = mg_snap_new(NULL);
	cJSON *objs = fixture_objs("minimal");
	const cJSON *it;
	const struct mg_snap_shard *sh;

	(void)state;
	/* events first, then the rest */
	cJSON_ArrayForEach(it, objs) {
		if (!strcmp(mg_json_str(it, "kind"), "Event"))
			assert_int_equal(mg_snap_apply(s, MG_SNAP_EVENT,
						       MG_SNAP_ADDED, it,
						       NULL), 0);
	}
	assert_int_equal(mg_snap_count(s, MG_SNAP_EVENT), 3);
	fixture_apply(s, objs);
	sh = only_shard(s);
	assert_int_equal(sh->obj.nevents, 2);
	assert_ptr_equal(sh->obj.events[0]->about, &sh->obj);
	mg_snap_free(s);
	cJSON_Delete(objs);
}

/* Primary anomaly: evidence on the first tick, `now` on later ones. */
static void
test_tick_primary_since(void **state)
{
	struct mg_snap *s = fixture_load("degraded");
	const struct mg_snap_shard *sh = only_shard(s);
	struct mg_snap *m = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	cJSON *shard = fixture_find(objs, "Shard", MIN_SHARD);

	(void)state;
	assert_int_equal(sh->nprimary, 0);
	/* the last sign of change in degraded: pod 0 not ready since 600 s */
	assert_int_equal(sh->primary_issue_since, FIXTURE_NOW - 600);
	/* later ticks keep it */
	mg_snap_tick(s, FIXTURE_NOW + 100);
	assert_int_equal(sh->primary_issue_since, FIXTURE_NOW - 600);

	sh = only_shard(m);
	assert_int_equal(sh->primary_issue_since, 0);
	bump_rv(shard);
	cJSON_ReplaceItemInObject(mg_json_get(shard, "status.podRoles"),
				  MIN_POD "0", cJSON_CreateString("REPLICA"));
	assert_int_equal(mg_snap_apply(m, MG_SNAP_SHARD, MG_SNAP_MODIFIED,
				       shard, NULL), 0);
	mg_snap_tick(m, FIXTURE_NOW + 5);
	assert_int_equal(sh->primary_issue_since, FIXTURE_NOW + 5);
	mg_snap_tick(m, FIXTURE_NOW + 50);
	assert_int_equal(sh->primary_issue_since, FIXTURE_NOW + 5);
	/* two primaries are as wrong as none */
	bump_rv(shard);
	cJSON_ReplaceItemInObject(mg_json_get(shard, "status.podRoles"),
				  MIN_POD "0", cJSON_CreateString("PRIMARY"));
	cJSON_ReplaceItemInObject(mg_json_get(shard, "status.podRoles"),
				  MIN_POD "1", cJSON_CreateString("PRIMARY"));
	assert_int_equal(mg_snap_apply(m, MG_SNAP_SHARD, MG_SNAP_MODIFIED,
				       shard, NULL), 0);
	mg_snap_tick(m, FIXTURE_NOW + 60);
	assert_int_equal(sh->nprimary, 2);
	assert_int_equal(sh->primary_issue_since, FIXTURE_NOW + 5);
	/* fixed: cleared */
	bump_rv(shard);
	cJSON_ReplaceItemInObject(mg_json_get(shard, "status.podRoles"),
				  MIN_POD "1", cJSON_CreateString("REPLICA"));
	assert_int_equal(mg_snap_apply(m, MG_SNAP_SHARD, MG_SNAP_MODIFIED,
				       shard, NULL), 0);
	mg_snap_tick(m, FIXTURE_NOW + 70);
	assert_int_equal(sh->primary_issue_since, 0);
	cJSON_Delete(objs);
	mg_snap_free(s);
	mg_snap_free(m);
}

static void
test_tick_missing_role_since(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	cJSON *objs = fixture_objs("minimal");
	const struct mg_snap_shard *sh = only_shard(s);

	(void)state;
	assert_int_equal(sh->missing_role_since, 0);
	assert_int_equal(mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_DELETED,
				       fixture_find(objs, "Pod", MIN_POD "2"),
				       NULL), 0);
	mg_snap_tick(s, FIXTURE_NOW + 7);
	assert_int_equal(sh->missing_role_since, FIXTURE_NOW + 7);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

static void
test_crashloop_and_termination(void **state)
{
	struct mg_snap *s = fixture_load("degraded");
	const struct mg_snap_pod *p =
		only_shard(s)->pools[0]->cells[0]->pods[0];

	(void)state;
	assert_true(p->crashloop);
	assert_string_equal(p->waiting_reason, "CrashLoopBackOff");
	assert_string_equal(p->last_term_reason, "OOMKilled");
	assert_int_equal(p->last_term_at, FIXTURE_NOW - 600);
	assert_int_equal(p->restarts, 5);
	assert_false(p->ready);
	assert_int_equal(p->ready_since, FIXTURE_NOW - 600);
	/* the gateway Deployment is missing from this fixture */
	assert_null(mg_snap_clusters(s, &(size_t){ 0 })[0]->cells[0]->gateway);
	mg_snap_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_tree),
		cmocka_unit_test(test_no_hash_function_means_drift_unknown),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_three_cells),
		cmocka_unit_test(test_cluster_filter),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_modified_and_counters),
		cmocka_unit_test(test_hash_sees_the_pod),
		cmocka_unit_test(test_shard_refill_keeps_node),
		cmocka_unit_test(test_delete_pod_and_shard),
		cmocka_unit_test(test_delete_everything_leaves_nothing),
		cmocka_unit_test(test_pod_moves_between_shards),
		cmocka_unit_test(test_pod_roles_dotted_key),
		cmocka_unit_test(test_event_caps),
		cmocka_unit_test(test_event_before_its_object),
		cmocka_unit_test(test_tick_primary_since),
		cmocka_unit_test(test_tick_missing_role_since),
		cmocka_unit_test(test_crashloop_and_termination),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
