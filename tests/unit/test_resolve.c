/*
 * Unit tests for shared/resolve.c.
 *
 * Expected values come from multigres-operator-facts.md: section 2 for
 * the merge rules and the chain, 1.13 for defaults, 3.2 for the names of
 * the minimal sample's children (cell minimal-zone-a-96c88ae0, table
 * group minimal-postgres-default-f7d4ad4a, shard
 * minimal-postgres-default-0-inf-1e3c045c), 3.3 for labels, 1.8 for the
 * topology reference. Fixtures are in tests/fixtures/resolve/; the
 * minimal sample is deploy/samples/minimal.yaml itself.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "build_common.h"
#include "build_topo.h"
#include "defaults.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "resolve.h"
#include "xalloc.h"
#include "yaml_json.h"

#include "testlib.h"

#define FIXTURES "tests/fixtures/resolve/"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* The first document of that kind in an array of documents. */
static cJSON *
find_kind(cJSON *docs, const char *kind)
{
	cJSON *d;

	cJSON_ArrayForEach(d, docs) {
		const char *k = mg_json_str(d, "kind");

		if (k && strcmp(k, kind) == 0)
			return d;
	}
	fail_msg("no %s", kind);
	return NULL;
}

static struct mg_templates *
templates_from(const cJSON *docs)
{
	struct mg_templates *t = mg_templates_new();
	struct mg_err err = MG_ERR_INIT;

	assert_true(mg_templates_add_list(t, docs, NULL, &err) >= 0);
	return t;
}

static const char *
str(const cJSON *root, const char *path)
{
	const char *s = mg_json_str(root, path);

	if (!s)
		fail_msg("no string at %s", path);
	return s;
}

static long long
num(const cJSON *root, const char *path)
{
	const cJSON *it = mg_json_get(root, path);

	if (!cJSON_IsNumber(it))
		fail_msg("no number at %s", path);
	return (long long)it->valuedouble;
}

/* The label/annotation value of a key with dots in it. */
static const char *
key_of(const cJSON *root, const char *path, const char *key)
{
	const cJSON *it =
		cJSON_GetObjectItemCaseSensitive(mg_json_get(root, path), key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static char *
compact(const cJSON *x)
{
	struct mg_buf b = MG_BUF_INIT;
	size_t len;

	mg_json_print(&b, x, false);
	return mg_buf_detach(&b, &len);
}

static void
assert_json(const cJSON *x, const char *want)
{
	char *got = compact(x);

	assert_string_equal(got, want);
	free(got);
}

/* Resolves, failing the test on error. */
static void
resolve_ok(struct mg_resolved *r, const cJSON *cluster,
	   const struct mg_templates *t)
{
	struct mg_resolve_opts o = MG_RESOLVE_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;

	o.templates = t;
	if (mg_resolve_cluster(r, cluster, &o, &err) != 0)
		fail_msg("resolve: %s", err.msg);
}

#define CLUSTER_HEAD                                                     \
	"apiVersion: multigres.com/v1alpha1\n"                           \
	"kind: MultigresCluster\n"                                       \
	"metadata: {name: c, namespace: ns}\n"                           \
	"spec:\n"                                                        \
	"  postgresPasswordSecretRef: {name: pw, key: password}\n"

/* ------------------------------------------------------------------ */
/* The minimal sample                                                  */
/* ------------------------------------------------------------------ */

static void
test_minimal_sample(void **state)
{
	cJSON *docs = mg_test_yaml_file("deploy/samples/minimal.yaml");
	cJSON *cluster = find_kind(docs, "MultigresCluster");
	struct mg_resolved r;
	const cJSON *cell, *tg, *shard, *ts;

	(void)state;
	resolve_ok(&r, cluster, NULL);

	ts = r.toposerver;
	assert_non_null(ts);
	assert_string_equal(str(ts, "metadata.name"), "minimal-global-topo");
	assert_string_equal(str(ts, "metadata.namespace"), "default");
	assert_string_equal(key_of(ts, "metadata.labels",
				   MG_LABEL_APP_COMPONENT), "global-topo");
	assert_string_equal(str(ts, "spec.etcd.image"),
			    "gcr.io/etcd-development/etcd:v3.6.7");
	assert_int_equal(num(ts, "spec.etcd.replicas"), 3);
	assert_string_equal(str(ts, "spec.etcd.storage.size"), "1Gi");
	assert_json(mg_json_get(ts, "spec"),
		    "{\"etcd\":{\"image\":\"gcr.io/etcd-development/etcd:v3.6.7\","
		    "\"replicas\":3,\"storage\":{\"size\":\"1Gi\"},"
		    "\"resources\":{\"limits\":{\"memory\":\"512Mi\"},"
		    "\"requests\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"}},"
		    "\"rootPath\":\"/multigres/global\"},\"pvcDeletionPolicy\":"
		    "{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Delete\"}}");
	assert_json(mg_json_get(ts, "metadata.labels"),
		    "{\"app.kubernetes.io/component\":\"global-topo\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"app.kubernetes.io/managed-by\":\"multigres-operator\","
		    "\"app.kubernetes.io/name\":\"multigres\","
		    "\"app.kubernetes.io/part-of\":\"multigres\","
		    "\"multigres.com/cluster\":\"minimal\"}");
	/* The only TopoServer CR there is: it feeds the etcd builder. */
	{
		struct mg_build_opts bo = MG_BUILD_OPTS_INIT;
		struct mg_err err = MG_ERR_INIT;
		cJSON *objs = cJSON_CreateArray();

		bo.preview = true;
		assert_int_equal(mg_build_topo_objects(ts, &bo, objs, &err), 0);
		assert_string_equal(str(objs, "0.kind"), "StatefulSet");
		assert_string_equal(str(objs, "0.metadata.name"),
				    "minimal-global-topo");
		assert_int_equal(num(objs, "0.spec.replicas"), 3);
		cJSON_Delete(objs);
	}

	assert_int_equal(cJSON_GetArraySize(r.cells), 1);
	cell = cJSON_GetArrayItem(r.cells, 0);
	assert_string_equal(str(cell, "metadata.name"),
			    "minimal-zone-a-96c88ae0");
	assert_string_equal(str(cell, "kind"), "Cell");
	assert_string_equal(str(cell, "spec.zoneId"), "us-central1-a");
	assert_string_equal(str(cell, "spec.globalTopoServer.address"),
			    "minimal-global-topo.default.svc:2379");
	assert_string_equal(str(cell, "spec.globalTopoServer.rootPath"),
			    "/multigres/global");
	assert_string_equal(str(cell, "spec.globalTopoServer.implementation"),
			    "etcd");
	assert_string_equal(str(cell, "spec.images.multigateway"),
			    "ghcr.io/multigres/multigres:sha-66d2310");
	assert_true(cJSON_IsTrue(
		mg_json_get(cell, "spec.topologyReconciliation.registerCell")));
	assert_true(cJSON_IsTrue(
		mg_json_get(cell, "spec.topologyReconciliation.prunePoolers")));
	assert_string_equal(key_of(cell, "metadata.labels", MG_LABEL_CELL),
			    "zone-a");
	assert_string_equal(key_of(cell, "metadata.labels", MG_LABEL_CLUSTER),
			    "minimal");
	assert_string_equal(str(cell, "metadata.ownerReferences.0.kind"),
			    "MultigresCluster");
	assert_null(mg_json_get(cell, "metadata.ownerReferences.0.uid"));

	assert_int_equal(cJSON_GetArraySize(r.tablegroups), 1);
	tg = cJSON_GetArrayItem(r.tablegroups, 0);
	assert_string_equal(str(tg, "metadata.name"),
			    "minimal-postgres-default-f7d4ad4a");
	assert_true(cJSON_IsTrue(mg_json_get(tg, "spec.default")));
	assert_string_equal(str(tg, "spec.images.postgres"),
			    "ghcr.io/multigres/pgctld:sha-66d2310");
	assert_string_equal(str(tg, "spec.durabilityPolicy"), "AT_LEAST_2");
	assert_string_equal(str(tg, "spec.backup.filesystem.path"),
			    "/backups");
	assert_string_equal(
		key_of(tg, "spec.cellTopologyLabels.zone-a",
		       MG_NODE_LABEL_ZONE_ID), "us-central1-a");

	assert_int_equal(cJSON_GetArraySize(r.shards), 1);
	shard = cJSON_GetArrayItem(r.shards, 0);
	assert_string_equal(str(shard, "metadata.name"),
			    "minimal-postgres-default-0-inf-1e3c045c");
	assert_string_equal(str(shard, "metadata.ownerReferences.0.kind"),
			    "TableGroup");
	assert_string_equal(str(shard, "metadata.ownerReferences.0.name"),
			    "minimal-postgres-default-f7d4ad4a");
	assert_string_equal(key_of(shard, "metadata.labels", MG_LABEL_SHARD),
			    "0-inf");
	assert_string_equal(key_of(shard, "metadata.labels",
				   MG_LABEL_APP_COMPONENT), "shard");
	/* One cell: the default pool runs two replicas there. */
	assert_string_equal(str(shard, "spec.pools.default.type"), "readWrite");
	assert_string_equal(str(shard, "spec.pools.default.cells.0"),
			    "zone-a");
	assert_int_equal(num(shard, "spec.pools.default.replicasPerCell"), 2);
	assert_int_equal(num(shard, "spec.replicas"), 2);
	assert_string_equal(str(shard, "spec.multiorch.cells.0"), "zone-a");
	assert_string_equal(str(shard, "spec.backup.filesystem.storage.size"),
			    "10Gi");

	assert_json(r.resolved_templates, "{}");
	mg_resolved_release(&r);
	cJSON_Delete(docs);
}

/* ------------------------------------------------------------------ */
/* Static and webhook defaulting                                       */
/* ------------------------------------------------------------------ */

static void
test_static_defaults(void **state)
{
	cJSON *c = mg_test_yaml(CLUSTER_HEAD "  cells: [{name: a, zoneId: z}]\n");
	cJSON *tpl;
	struct mg_templates *t = mg_templates_new();
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_true(mg_resolve_static_defaults(c, NULL));
	assert_string_equal(str(c, "spec.images.imagePullPolicy"),
			    "IfNotPresent");
	assert_null(mg_json_get(c, "spec.images.postgres"));
	assert_true(cJSON_IsTrue(mg_json_get(c, "spec.topologyPruning.enabled")));
	assert_string_equal(str(c, "spec.durabilityPolicy"), "AT_LEAST_2");
	assert_string_equal(str(c, "spec.logLevels.pgctld"), "info");
	assert_string_equal(str(c, "spec.logLevels.multipooler"), "info");
	assert_string_equal(str(c, "spec.logLevels.multiorch"), "info");
	assert_string_equal(str(c, "spec.logLevels.multiadmin"), "info");
	assert_string_equal(str(c, "spec.logLevels.multigateway"), "info");
	assert_json(mg_json_get(c, "spec.pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Delete\"}");
	assert_json(mg_json_get(c, "spec.backup"),
		    "{\"type\":\"filesystem\",\"filesystem\":{\"path\":"
		    "\"/backups\",\"storage\":{\"size\":\"10Gi\"}}}");
	assert_json(mg_json_get(c, "spec.databases"),
		    "[{\"name\":\"postgres\",\"default\":true,\"tablegroups\":"
		    "[{\"name\":\"default\",\"default\":true,\"shards\":"
		    "[{\"name\":\"0-inf\",\"spec\":{\"multiorch\":{},\"pools\":"
		    "{\"default\":{\"type\":\"readWrite\"}}}}]}]}]");
	cJSON_Delete(c);

	/* Values already there stay; no cells: no inline shard spec. */
	c = mg_test_yaml(CLUSTER_HEAD "  durabilityPolicy: MULTI_CELL_AT_LEAST_2\n"
			      "  logLevels: {multiorch: debug}\n"
			      "  images: {imagePullPolicy: Always}\n"
			      "  topologyPruning: {enabled: false}\n"
			      "  pvcDeletionPolicy: {whenDeleted: Retain}\n"
			      "  backup: {type: s3, s3: {bucket: b, region: r}}\n");
	mg_resolve_static_defaults(c, NULL);
	assert_string_equal(str(c, "spec.durabilityPolicy"),
			    "MULTI_CELL_AT_LEAST_2");
	assert_string_equal(str(c, "spec.logLevels.multiorch"), "debug");
	assert_string_equal(str(c, "spec.logLevels.pgctld"), "info");
	assert_string_equal(str(c, "spec.images.imagePullPolicy"), "Always");
	assert_true(cJSON_IsFalse(mg_json_get(c, "spec.topologyPruning.enabled")));
	assert_json(mg_json_get(c, "spec.pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Retain\"}");
	assert_string_equal(str(c, "spec.backup.type"), "s3");
	assert_json(mg_json_get(c, "spec.databases.0.tablegroups.0.shards"),
		    "[{\"name\":\"0-inf\"}]");
	cJSON_Delete(c);

	/* A `default` ShardTemplate, or a shard template default: no pool. */
	tpl = mg_test_yaml("kind: ShardTemplate\nmetadata: {name: default}\n");
	assert_int_equal(mg_templates_add(t, tpl, &err), 0);
	c = mg_test_yaml(CLUSTER_HEAD "  cells: [{name: a, zoneId: z}]\n");
	assert_false(mg_resolve_static_defaults(c, t));
	assert_json(mg_json_get(c, "spec.databases.0.tablegroups.0.shards"),
		    "[{\"name\":\"0-inf\",\"spec\":{\"multiorch\":{}}}]");
	cJSON_Delete(c);
	c = mg_test_yaml(CLUSTER_HEAD "  cells: [{name: a, zoneId: z}]\n"
			      "  templateDefaults: {shardTemplate: x}\n");
	assert_false(mg_resolve_static_defaults(c, NULL));
	assert_null(mg_json_get(c, "spec.databases.0.tablegroups.0.shards.0."
				   "spec.pools"));
	cJSON_Delete(c);

	/* Existing databases, table groups and shards are left alone. */
	c = mg_test_yaml(CLUSTER_HEAD
		 "  databases:\n"
		 "  - name: postgres\n"
		 "    default: true\n"
		 "    tablegroups:\n"
		 "    - {name: default, default: true, shards: [{name: 0-inf, "
		 "shardTemplate: s}]}\n");
	mg_resolve_static_defaults(c, NULL);
	assert_json(mg_json_get(c, "spec.databases.0.tablegroups.0.shards"),
		    "[{\"name\":\"0-inf\",\"shardTemplate\":\"s\"}]");
	cJSON_Delete(c);
	cJSON_Delete(tpl);
	mg_templates_free(t);
}

static void
test_webhook_default_no_templates(void **state)
{
	cJSON *c = mg_test_yaml(CLUSTER_HEAD
			"  cells: [{name: zone-a, zoneId: z}]\n"
			"  multiadmin: {placement: {tolerations: [{key: k}]}}\n");
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_resolve_webhook_default(c, NULL, &err), 0);
	assert_null(mg_json_get(c, "spec.templateDefaults"));
	assert_int_equal(num(c, "spec.globalTopoServer.etcd.replicas"), 3);
	assert_string_equal(str(c, "spec.globalTopoServer.etcd.rootPath"),
			    "/multigres/global");
	assert_int_equal(num(c, "spec.multiadmin.spec.replicas"), 1);
	assert_string_equal(str(c, "spec.multiadmin.placement.tolerations.0.key"),
			    "k");
	assert_string_equal(str(c, "spec.multiadminWeb.spec.resources.requests.cpu"),
			    "50m");
	assert_int_equal(num(c, "spec.cells.0.spec.multigateway.replicas"), 1);
	assert_true(cJSON_IsTrue(
		mg_json_get(c, "spec.cells.0.spec.multigateway.buffer.enabled")));
	/* Shards get an inline spec and backup; cell lists stay unset. */
	assert_null(mg_json_get(c, "spec.databases.0.tablegroups.0.shards.0."
				   "spec.multiorch.cells"));
	assert_null(mg_json_get(c, "spec.databases.0.tablegroups.0.shards.0."
				   "spec.pools.default.cells"));
	assert_int_equal(num(c, "spec.databases.0.tablegroups.0.shards.0."
				"spec.pools.default.replicasPerCell"), 2);
	assert_int_equal(num(c, "spec.databases.0.tablegroups.0.shards.0."
				"spec.multiorch.replicas"), 1);
	assert_string_equal(str(c, "spec.databases.0.tablegroups.0.shards.0."
				   "backup.filesystem.path"), "/backups");
	cJSON_Delete(c);
}

/* Defaulting what the webhook already defaulted changes nothing (an
 * UPDATE re-runs it on the stored object). */
static void
test_webhook_default_idempotent(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "backup-cluster.yaml");
	cJSON *c = cJSON_Duplicate(find_kind(docs, "MultigresCluster"), true);
	struct mg_err err = MG_ERR_INIT;
	char *once, *twice;

	(void)state;
	assert_int_equal(mg_resolve_webhook_default(c, NULL, &err), 0);
	once = compact(c);
	assert_int_equal(mg_resolve_webhook_default(c, NULL, &err), 0);
	twice = compact(c);
	assert_string_equal(once, twice);
	free(once);
	free(twice);
	cJSON_Delete(c);
	cJSON_Delete(docs);
}

static void
test_webhook_default_with_templates(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "chain-templates.yaml");
	struct mg_templates *t = templates_from(docs);
	struct mg_err err = MG_ERR_INIT;
	cJSON *c;

	(void)state;
	c = mg_test_yaml(CLUSTER_HEAD "  cells: [{name: zone-a, zoneId: z}]\n");
	assert_int_equal(mg_resolve_webhook_default(c, t, &err), 0);
	/* Step 2: every kind has a `default`: promoted, nothing inlined. */
	assert_json(mg_json_get(c, "spec.templateDefaults"),
		    "{\"coreTemplate\":\"default\",\"cellTemplate\":\"default\","
		    "\"shardTemplate\":\"default\"}");
	assert_null(mg_json_get(c, "spec.globalTopoServer"));
	assert_null(mg_json_get(c, "spec.multiadmin"));
	assert_null(mg_json_get(c, "spec.cells.0.spec"));
	assert_json(mg_json_get(c, "spec.databases.0.tablegroups.0.shards.0"),
		    "{\"name\":\"0-inf\",\"spec\":{\"multiorch\":{}}}");
	cJSON_Delete(c);

	/* An explicit ref keeps its component dynamic, others inline. */
	mg_templates_free(t);
	t = mg_templates_new();
	assert_int_equal(mg_templates_add(t, cJSON_GetArrayItem(docs, 0), &err),
			 0); /* CoreTemplate explicit */
	c = mg_test_yaml(CLUSTER_HEAD
		 "  globalTopoServer: {templateRef: explicit}\n"
		 "  cells: [{name: zone-a, zoneId: z}]\n");
	assert_int_equal(mg_resolve_webhook_default(c, t, &err), 0);
	assert_json(mg_json_get(c, "spec.globalTopoServer"),
		    "{\"templateRef\":\"explicit\"}");
	/* multiadmin uses no template: inlined from the built-in. */
	assert_int_equal(num(c, "spec.multiadmin.spec.replicas"), 1);

	/* A missing explicit template fails with its path. */
	cJSON_Delete(c);
	c = mg_test_yaml(CLUSTER_HEAD
		 "  cells: [{name: zone-a, zoneId: z}]\n"
		 "  databases:\n"
		 "  - name: postgres\n"
		 "    default: true\n"
		 "    tablegroups:\n"
		 "    - {name: default, default: true, shards: [{name: 0-inf, "
		 "spec: {}, overrides: {initdbArgs: x}}]}\n");
	assert_int_equal(mg_resolve_webhook_default(c, t, &err), 0);
	/* Upstream's quirk: spec written next to overrides. */
	assert_non_null(mg_json_get(c, "spec.databases.0.tablegroups.0.shards.0."
				       "overrides"));
	assert_string_equal(str(c, "spec.databases.0.tablegroups.0.shards.0."
				   "spec.initdbArgs"), "x");
	cJSON_Delete(c);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

/* ------------------------------------------------------------------ */
/* The chain: each level wins over the next                            */
/* ------------------------------------------------------------------ */

/*
 * Resolves the cluster built from `spec` (YAML lines under spec:) with
 * the chain templates, and returns the number at `path` of the result
 * picked by `what`: "cell" (Cell 0 gateway replicas), "shard" (shard 0
 * multiorch replicas), "admin" (multiadmin replicas), "web", "etcd".
 */
static long long
chain_value(const struct mg_templates *t, const char *spec, const char *what)
{
	char *text = mg_xasprintf(CLUSTER_HEAD "%s", spec);
	cJSON *c = mg_test_yaml(text);
	struct mg_resolved r;
	long long v;

	resolve_ok(&r, c, t);
	if (strcmp(what, "cell") == 0)
		v = num(r.cells, "0.spec.multigateway.replicas");
	else if (strcmp(what, "shard") == 0)
		v = num(r.shards, "0.spec.multiorch.replicas");
	else if (strcmp(what, "admin") == 0)
		v = num(r.multiadmin, "replicas");
	else if (strcmp(what, "web") == 0)
		v = num(r.multiadmin_web, "replicas");
	else
		v = num(r.toposerver, "spec.etcd.replicas");
	mg_resolved_release(&r);
	cJSON_Delete(c);
	free(text);
	return v;
}

static void
test_chain_cells(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "chain-templates.yaml");
	struct mg_templates *t = templates_from(docs), *t2;
	struct mg_err err = MG_ERR_INIT;
	cJSON *d;

	(void)state;
	assert_int_equal(
		chain_value(t,
			    "  templateDefaults: {cellTemplate: td}\n"
			    "  cells: [{name: a, zoneId: z, cellTemplate: explicit,"
			    " overrides: {multigateway: {replicas: 5}},"
			    " spec: {multigateway: {replicas: 6}}}]\n",
			    "cell"),
		6);
	assert_int_equal(
		chain_value(t,
			    "  templateDefaults: {cellTemplate: td}\n"
			    "  cells: [{name: a, zoneId: z, cellTemplate: explicit,"
			    " overrides: {multigateway: {replicas: 5}}}]\n",
			    "cell"),
		5);
	assert_int_equal(
		chain_value(t,
			    "  templateDefaults: {cellTemplate: td}\n"
			    "  cells: [{name: a, zoneId: z, cellTemplate: explicit}]\n",
			    "cell"),
		4);
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {cellTemplate: td}\n"
				     "  cells: [{name: a, zoneId: z}]\n",
				     "cell"),
			 3);
	assert_int_equal(chain_value(t, "  cells: [{name: a, zoneId: z}]\n",
				     "cell"),
			 2);
	/* Without the namespace's default: the built-in. */
	t2 = mg_templates_new();
	cJSON_ArrayForEach(d, docs)
		if (strcmp(str(d, "metadata.name"), "default") != 0)
			assert_int_equal(mg_templates_add(t2, d, &err), 0);
	assert_int_equal(chain_value(t2, "  cells: [{name: a, zoneId: z}]\n",
				     "cell"),
			 1);
	/* An explicit `default` ref that does not exist is empty too. */
	assert_int_equal(chain_value(t2,
				     "  cells: [{name: a, zoneId: z,"
				     " cellTemplate: default}]\n",
				     "cell"),
			 1);
	mg_templates_free(t2);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

static void
test_chain_shards(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "chain-templates.yaml");
	struct mg_templates *t = templates_from(docs), *t2;
	struct mg_err err = MG_ERR_INIT;
	cJSON *d;
	static const char cells[] = "  cells: [{name: a, zoneId: z}]\n";
	static const char db_head[] = "  databases:\n"
				      "  - name: postgres\n"
				      "    default: true\n"
				      "    tablegroups:\n"
				      "    - name: default\n"
				      "      default: true\n"
				      "      shards:\n";
	char *s;

	(void)state;
	s = mg_xasprintf("%s  templateDefaults: {shardTemplate: td}\n%s"
			 "      - {name: 0-inf, shardTemplate: explicit,"
			 " overrides: {multiorch: {replicas: 5}},"
			 " spec: {multiorch: {replicas: 6}}}\n",
			 cells, db_head);
	assert_int_equal(chain_value(t, s, "shard"), 6);
	free(s);
	s = mg_xasprintf("%s  templateDefaults: {shardTemplate: td}\n%s"
			 "      - {name: 0-inf, shardTemplate: explicit,"
			 " overrides: {multiorch: {replicas: 5}}}\n",
			 cells, db_head);
	assert_int_equal(chain_value(t, s, "shard"), 5);
	free(s);
	s = mg_xasprintf("%s  templateDefaults: {shardTemplate: td}\n%s"
			 "      - {name: 0-inf, shardTemplate: explicit}\n",
			 cells, db_head);
	assert_int_equal(chain_value(t, s, "shard"), 4);
	free(s);
	s = mg_xasprintf("%s  templateDefaults: {shardTemplate: td}\n", cells);
	assert_int_equal(chain_value(t, s, "shard"), 3);
	free(s);
	assert_int_equal(chain_value(t, cells, "shard"), 2);
	t2 = mg_templates_new();
	cJSON_ArrayForEach(d, docs)
		if (strcmp(str(d, "metadata.name"), "default") != 0)
			assert_int_equal(mg_templates_add(t2, d, &err), 0);
	assert_int_equal(chain_value(t2, cells, "shard"), 1);
	mg_templates_free(t2);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

static void
test_chain_core(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "chain-templates.yaml");
	struct mg_templates *t = templates_from(docs), *t2;
	struct mg_err err = MG_ERR_INIT;
	cJSON *d;

	(void)state;
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {coreTemplate: td}\n"
				     "  multiadmin: {templateRef: explicit,"
				     " spec: {replicas: 6}}\n",
				     "admin"),
			 6);
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {coreTemplate: td}\n"
				     "  multiadmin: {templateRef: explicit}\n",
				     "admin"),
			 4);
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {coreTemplate: td}\n",
				     "admin"),
			 3);
	assert_int_equal(chain_value(t, "", "admin"), 2);
	assert_int_equal(chain_value(t,
				     "  multiadminWeb: {templateRef: explicit}\n",
				     "web"),
			 4);
	assert_int_equal(chain_value(t, "", "web"), 2);
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {coreTemplate: td}\n"
				     "  globalTopoServer: {templateRef: explicit}\n",
				     "etcd"),
			 5);
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {coreTemplate: td}\n"
				     "  globalTopoServer: {templateRef: explicit,"
				     " etcd: {replicas: 7}}\n",
				     "etcd"),
			 7);
	assert_int_equal(chain_value(t,
				     "  templateDefaults: {coreTemplate: td}\n",
				     "etcd"),
			 3);
	assert_int_equal(chain_value(t, "", "etcd"), 1);
	t2 = mg_templates_new();
	cJSON_ArrayForEach(d, docs)
		if (strcmp(str(d, "metadata.name"), "default") != 0)
			assert_int_equal(mg_templates_add(t2, d, &err), 0);
	assert_int_equal(chain_value(t2, "", "admin"), 1);
	assert_int_equal(chain_value(t2, "", "web"), 1);
	assert_int_equal(chain_value(t2, "", "etcd"), 3);
	mg_templates_free(t2);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

static void
test_missing_templates(void **state)
{
	static const struct {
		const char *spec;
		const char *msg;
	} cases[] = {
		{ "  cells: [{name: a, zoneId: z, cellTemplate: nope}]\n",
		  "spec.cells[0].cellTemplate: referenced CellTemplate 'nope' "
		  "not found" },
		{ "  templateDefaults: {cellTemplate: gone}\n"
		  "  cells: [{name: a, zoneId: z}]\n",
		  "spec.templateDefaults.cellTemplate: referenced CellTemplate "
		  "'gone' not found" },
		{ "  templateDefaults: {shardTemplate: gone}\n",
		  "spec.templateDefaults.shardTemplate: referenced "
		  "ShardTemplate 'gone' not found" },
		{ "  databases: [{name: postgres, default: true, tablegroups:"
		  " [{name: default, default: true, shards: [{name: 0-inf,"
		  " shardTemplate: x}]}]}]\n",
		  "spec.databases[0].tablegroups[0].shards[0].shardTemplate: "
		  "referenced ShardTemplate 'x' not found" },
		{ "  globalTopoServer: {templateRef: core1}\n",
		  "spec.globalTopoServer.templateRef: referenced CoreTemplate "
		  "'core1' not found" },
		{ "  multiadmin: {templateRef: core2}\n",
		  "spec.multiadmin.templateRef: referenced CoreTemplate 'core2' "
		  "not found" },
		{ "  multiadminWeb: {templateRef: core3}\n",
		  "spec.multiadminWeb.templateRef: referenced CoreTemplate "
		  "'core3' not found" },
		{ "  templateDefaults: {coreTemplate: core4}\n",
		  "spec.templateDefaults.coreTemplate: referenced CoreTemplate "
		  "'core4' not found" },
	};
	struct mg_resolve_opts o = MG_RESOLVE_OPTS_INIT;
	struct mg_resolved r;
	struct mg_err err = MG_ERR_INIT;
	size_t i;
	char *text;
	cJSON *c;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		text = mg_xasprintf(CLUSTER_HEAD "%s", cases[i].spec);
		c = mg_test_yaml(text);
		assert_int_equal(mg_resolve_cluster(&r, c, &o, &err),
				 MG_ENOTFOUND);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(r.cells);
		cJSON_Delete(c);
		free(text);
	}
}

/* ------------------------------------------------------------------ */
/* Merge rules                                                         */
/* ------------------------------------------------------------------ */

static void
test_merge_core(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "merge-templates.yaml");
	struct mg_templates *t = templates_from(docs);
	struct mg_resolved r;
	cJSON *c;

	(void)state;
	c = mg_test_yaml(CLUSTER_HEAD
		 "  templateDefaults: {coreTemplate: core}\n"
		 "  pvcDeletionPolicy: {whenDeleted: Delete, whenScaled: Delete}\n"
		 "  globalTopoServer:\n"
		 "    etcd: {replicas: 5, storage: {size: 20Gi}}\n"
		 "  multiadmin:\n"
		 "    spec:\n"
		 "      resources: {requests: {cpu: 2}}\n"
		 "      affinity: {podAffinity: {}}\n"
		 "      podAnnotations: {b: '3', c: '4'}\n"
		 "    placement: {tolerations: [{key: mine}]}\n");
	resolve_ok(&r, c, t);
	/* etcd per field: class and resources from the template. */
	assert_string_equal(str(r.global_topo, "etcd.image"), "etcd:tpl");
	assert_int_equal(num(r.global_topo, "etcd.replicas"), 5);
	assert_json(mg_json_get(r.global_topo, "etcd.storage"),
		    "{\"size\":\"20Gi\",\"class\":\"standard\"}");
	assert_string_equal(str(r.global_topo, "etcd.resources.limits.memory"),
			    "1Gi");
	assert_string_equal(str(r.global_topo, "etcd.rootPath"),
			    "/multigres/global");
	assert_string_equal(str(r.global_topo, "placement.tolerations.0.key"),
			    "tpl");
	/* TopoServer policy: etcd > global topo > cluster, per field. */
	assert_json(mg_json_get(r.toposerver, "spec.pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}");
	assert_null(mg_json_get(r.toposerver, "spec.etcd.pvcDeletionPolicy"));
	/* resources replace as a block: no memory request any more. */
	assert_json(mg_json_get(r.multiadmin, "resources"),
		    "{\"requests\":{\"cpu\":\"2\"}}");
	assert_json(mg_json_get(r.multiadmin, "affinity"),
		    "{\"podAffinity\":{}}");
	assert_json(mg_json_get(r.multiadmin, "podAnnotations"),
		    "{\"a\":\"1\",\"b\":\"3\",\"c\":\"4\"}");
	assert_json(mg_json_get(r.multiadmin, "podLabels"),
		    "{\"team\":\"tpl\"}");
	assert_int_equal(num(r.multiadmin, "replicas"), 2);
	assert_string_equal(str(r.multiadmin_placement, "tolerations.0.key"),
			    "mine");
	mg_resolved_release(&r);
	cJSON_Delete(c);

	/* An empty resources block is no override; placement inherited. */
	c = mg_test_yaml(CLUSTER_HEAD
		 "  templateDefaults: {coreTemplate: core}\n"
		 "  multiadmin: {spec: {resources: {}}}\n");
	resolve_ok(&r, c, t);
	assert_string_equal(str(r.multiadmin, "resources.limits.memory"),
			    "2Gi");
	assert_string_equal(str(r.multiadmin_placement, "tolerations.0.key"),
			    "tpl");
	mg_resolved_release(&r);
	cJSON_Delete(c);

	/* An inline external topology replaces the template's etcd. */
	c = mg_test_yaml(CLUSTER_HEAD
		 "  templateDefaults: {coreTemplate: core}\n"
		 "  globalTopoServer:\n"
		 "    external: {endpoints: ['http://e1:2379', 'http://e2:2379']}\n"
		 "  cells: [{name: a, zoneId: z}]\n");
	resolve_ok(&r, c, t);
	assert_null(mg_json_get(r.global_topo, "etcd"));
	assert_string_equal(str(r.global_topo, "external.implementation"),
			    "etcd");
	assert_string_equal(str(r.global_topo, "external.rootPath"),
			    "/multigres/global");
	assert_null(r.toposerver);
	assert_json(r.global_topo_ref,
		    "{\"address\":\"http://e1:2379\",\"rootPath\":"
		    "\"/multigres/global\",\"implementation\":\"etcd\"}");
	assert_json(mg_json_get(r.cells, "0.spec.globalTopoServer"),
		    "{\"address\":\"http://e1:2379\",\"rootPath\":"
		    "\"/multigres/global\",\"implementation\":\"etcd\"}");
	mg_resolved_release(&r);
	cJSON_Delete(c);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

/* Quantities as a Go-built object shows them (quantity.h). */
static void
test_quantities_canonical(void **state)
{
	struct mg_resolved r;
	cJSON *c;

	(void)state;
	c = mg_test_yaml(CLUSTER_HEAD
		 "  multiadmin:\n"
		 "    spec:\n"
		 "      resources:\n"
		 "        requests: {cpu: 0.5, memory: 1024Mi}\n"
		 "        limits: {memory: '1.5Gi', cpu: lots}\n"
		 "  cells: [{name: a, zoneId: z}]\n"
		 "  databases:\n"
		 "  - name: postgres\n"
		 "    default: true\n"
		 "    tablegroups:\n"
		 "    - name: default\n"
		 "      default: true\n"
		 "      shards:\n"
		 "      - name: 0-inf\n"
		 "        spec:\n"
		 "          pools:\n"
		 "            p:\n"
		 "              cells: [a]\n"
		 "              postgres: {resources: {requests: {memory: 1000}}}\n");
	resolve_ok(&r, c, NULL);
	/* A number becomes its string, in canonical form; text Go keeps
	 * stays; a value Go refuses is left for validation. */
	assert_json(mg_json_get(r.multiadmin, "resources"),
		    "{\"limits\":{\"cpu\":\"lots\",\"memory\":\"1536Mi\"},"
		    "\"requests\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}");
	assert_string_equal(str(r.shards, "0.spec.pools.p.postgres.resources."
				     "requests.memory"),
			    "1k");
	mg_resolved_release(&r);
	cJSON_Delete(c);
}

static void
test_merge_cell(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "merge-templates.yaml");
	struct mg_templates *t = templates_from(docs);
	cJSON *c, *gw, *pl, *lt;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	c = mg_test_yaml(CLUSTER_HEAD
		 "  cells:\n"
		 "  - name: zone-a\n"
		 "    zoneId: z\n"
		 "    cellTemplate: cell\n"
		 "    overrides:\n"
		 "      multigateway:\n"
		 "        podAnnotations: {b: '2'}\n"
		 "        buffer: {window: 5s}\n"
		 "  - name: zone-b\n"
		 "    zoneId: z\n"
		 "    cellTemplate: cell\n"
		 "    spec:\n"
		 "      multigateway: {buffer: {enabled: false}}\n"
		 "      multigatewayPlacement: {tolerations: [{key: mine}]}\n"
		 "      localTopoServer: {external: {endpoints: ['http://x']}}\n");
	mg_resolve_static_defaults(c, t);
	assert_int_equal(mg_resolve_cell(&gw, &pl, &lt, c, 0, t, &err), 0);
	/* Buffer per field; enabled defaulted on. */
	assert_json(mg_json_get(gw, "buffer"),
		    "{\"enabled\":true,\"window\":\"5s\",\"maxFailoverDuration\":"
		    "\"30s\",\"size\":500}");
	assert_json(mg_json_get(gw, "podAnnotations"),
		    "{\"a\":\"1\",\"b\":\"2\"}");
	assert_int_equal(num(gw, "replicas"), 2);
	assert_string_equal(str(gw, "resources.requests.cpu"), "100m");
	assert_string_equal(str(pl, "tolerations.0.key"), "tpl");
	/* The template's local etcd, defaulted with the cell's root. */
	assert_int_equal(num(lt, "etcd.replicas"), 5);
	assert_string_equal(str(lt, "etcd.rootPath"), "/multigres/zone-a");
	assert_json(mg_json_get(lt, "etcd.storage"),
		    "{\"size\":\"1Gi\",\"class\":\"fast\"}");
	cJSON_Delete(gw);
	cJSON_Delete(pl);
	cJSON_Delete(lt);

	assert_int_equal(mg_resolve_cell(&gw, &pl, &lt, c, 1, t, &err), 0);
	assert_true(cJSON_IsFalse(mg_json_get(gw, "buffer.enabled")));
	assert_string_equal(str(gw, "buffer.window"), "20s");
	assert_string_equal(str(pl, "tolerations.0.key"), "mine");
	/* An inline local topology replaces the template's wholesale. */
	assert_json(lt, "{\"external\":{\"endpoints\":[\"http://x\"],"
			"\"implementation\":\"etcd\",\"rootPath\":"
			"\"/multigres/zone-b\"}}");
	cJSON_Delete(gw);
	cJSON_Delete(pl);
	cJSON_Delete(lt);

	/* Out pointers are optional; a bad index is an error. */
	assert_int_equal(mg_resolve_cell(NULL, NULL, NULL, c, 1, t, &err), 0);
	assert_int_equal(mg_resolve_cell(&gw, NULL, NULL, c, 9, t, &err),
			 MG_EINVAL);
	assert_null(gw);
	cJSON_Delete(c);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

static void
test_merge_shard(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "merge-templates.yaml");
	struct mg_templates *t = templates_from(docs);
	struct mg_err err = MG_ERR_INIT;
	cJSON *c, *s;

	(void)state;
	c = mg_test_yaml(CLUSTER_HEAD
		 "  cells: [{name: zone-b, zoneId: z2}, {name: zone-a, zoneId: z1}]\n"
		 "  databases:\n"
		 "  - name: postgres\n"
		 "    default: true\n"
		 "    tablegroups:\n"
		 "    - name: default\n"
		 "      default: true\n"
		 "      shards:\n"
		 "      - name: 0-inf\n"
		 "        shardTemplate: shard\n"
		 "        overrides:\n"
		 "          multiorch: {cells: []}\n"
		 "          initdbArgs: --ovr\n"
		 "          postgresConfig: {work_mem: 16MB, max_connections: '300'}\n"
		 "          pools:\n"
		 "            main-app:\n"
		 "              cells: [zone-a, zone-b]\n"
		 "              storage: {size: 200Gi}\n"
		 "              postgres: {runAsGroup: 1000}\n"
		 "              tolerations: []\n"
		 "            analytics: {type: readWrite, cells: [zone-b]}\n"
		 "      - name: 0-inf\n"
		 "        shardTemplate: shard\n"
		 "        overrides: {initdbArgs: --ovr, postgresConfigRef: {name: o, key: k}}\n"
		 "        spec:\n"
		 "          initdbArgs: --inline\n"
		 "          postgresConfig: {max_connections: '400'}\n"
		 "          pvcDeletionPolicy: {whenScaled: Retain}\n"
		 "          multiorch: {cells: [zone-b]}\n"
		 "          pools:\n"
		 "            main-app: {tolerations: [{key: mine}], replicasPerCell: 1}\n");
	mg_resolve_static_defaults(c, t);
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 0, true, t, &err), 0);
	/* An empty cells list does not override; multiorch cells kept. */
	assert_json(mg_json_get(s, "multiorch.cells"), "[\"zone-a\"]");
	assert_int_equal(num(s, "multiorch.replicas"), 2);
	assert_string_equal(str(s, "initdbArgs"), "--ovr");
	assert_json(mg_json_get(s, "postgresConfigRef"),
		    "{\"name\":\"tpl-cm\",\"key\":\"pg.conf\"}");
	assert_json(mg_json_get(s, "postgresConfig"),
		    "{\"max_connections\":\"300\",\"shared_buffers\":\"256MB\","
		    "\"work_mem\":\"16MB\"}");
	/* Pools by name: main-app merged field-wise, analytics added. */
	assert_json(mg_json_get(s, "pools.main-app.storage"),
		    "{\"size\":\"200Gi\",\"class\":\"standard\"}");
	assert_int_equal(num(s, "pools.main-app.replicasPerCell"), 3);
	assert_json(mg_json_get(s, "pools.main-app.cells"),
		    "[\"zone-a\",\"zone-b\"]");
	assert_int_equal(num(s, "pools.main-app.postgres.runAsUser"), 1000);
	assert_int_equal(num(s, "pools.main-app.postgres.runAsGroup"), 1000);
	assert_string_equal(str(s, "pools.main-app.postgres.resources.limits.memory"),
			    "4Gi");
	assert_string_equal(str(s, "pools.main-app.multipooler.resources.requests.memory"),
			    "128Mi");
	assert_string_equal(str(s, "pools.main-app.tolerations.0.key"), "tpl");
	assert_int_equal(num(s, "pools.main-app.fsGroup"), 2000);
	/* analytics: one cell -> 2 replicas; the default storage size and
	 * container resources. */
	assert_int_equal(num(s, "pools.analytics.replicasPerCell"), 2);
	assert_string_equal(str(s, "pools.analytics.storage.size"), "1Gi");
	assert_json(mg_json_get(s, "pools.analytics.postgres.resources"),
		    "{\"limits\":{\"memory\":\"512Mi\"},\"requests\":"
		    "{\"cpu\":\"100m\",\"memory\":\"256Mi\"}}");
	assert_json(mg_json_get(s, "pools.analytics.multipooler.resources"),
		    "{\"limits\":{\"memory\":\"256Mi\"},\"requests\":"
		    "{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}");
	assert_json(mg_json_get(s, "pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Retain\"}");
	/* Pools print sorted by name. */
	assert_string_equal(mg_json_get(s, "pools")->child->string,
			    "analytics");
	cJSON_Delete(s);

	/* Inline over overrides over the template. */
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 1, true, t, &err), 0);
	assert_string_equal(str(s, "initdbArgs"), "--inline");
	assert_json(mg_json_get(s, "postgresConfigRef"),
		    "{\"name\":\"o\",\"key\":\"k\"}");
	assert_string_equal(str(s, "postgresConfig.max_connections"), "400");
	assert_json(mg_json_get(s, "pvcDeletionPolicy"),
		    "{\"whenScaled\":\"Retain\"}");
	assert_json(mg_json_get(s, "multiorch.cells"), "[\"zone-b\"]");
	assert_string_equal(str(s, "pools.main-app.tolerations.0.key"),
			    "mine");
	assert_int_equal(num(s, "pools.main-app.replicasPerCell"), 1);
	/* Template pool with no cells: all cluster cells, sorted. */
	assert_json(mg_json_get(s, "pools.main-app.cells"),
		    "[\"zone-a\",\"zone-b\"]");
	cJSON_Delete(s);

	/* Not materialised: cells stay unset. */
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 1, false, t, &err), 0);
	assert_null(mg_json_get(s, "pools.main-app.cells"));
	cJSON_Delete(s);
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 7, false, t, &err),
			 MG_EINVAL);
	cJSON_Delete(c);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

static void
test_replicas_and_default_pool(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *c, *s;

	(void)state;
	/* Two cells; a shard with no pools gets `default` on the multiorch
	 * cells; an explicit one-cell pool gets 2, a two-cell one 1. */
	c = mg_test_yaml(CLUSTER_HEAD
		 "  cells: [{name: b, zoneId: z}, {name: a, zoneId: z}]\n"
		 "  databases:\n"
		 "  - name: postgres\n"
		 "    default: true\n"
		 "    tablegroups:\n"
		 "    - name: default\n"
		 "      default: true\n"
		 "      shards:\n"
		 "      - {name: 0-inf, spec: {multiorch: {cells: [b]}}}\n"
		 "      - name: 0-inf\n"
		 "        spec:\n"
		 "          pools:\n"
		 "            one: {cells: [a]}\n"
		 "            two: {}\n"
		 "            set: {cells: [a], replicasPerCell: 4}\n");
	mg_resolve_static_defaults(c, NULL);
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 0, true, NULL, &err), 0);
	assert_json(mg_json_get(s, "pools.default.cells"), "[\"b\"]");
	assert_string_equal(str(s, "pools.default.type"), "readWrite");
	assert_int_equal(num(s, "pools.default.replicasPerCell"), 2);
	cJSON_Delete(s);
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 1, true, NULL, &err), 0);
	assert_int_equal(num(s, "pools.one.replicasPerCell"), 2);
	assert_int_equal(num(s, "pools.two.replicasPerCell"), 1);
	assert_json(mg_json_get(s, "pools.two.cells"), "[\"a\",\"b\"]");
	assert_int_equal(num(s, "pools.set.replicasPerCell"), 4);
	assert_json(mg_json_get(s, "multiorch.cells"), "[\"a\",\"b\"]");
	cJSON_Delete(s);
	/* Unmaterialised: "two" counts the cluster's two cells. */
	assert_int_equal(mg_resolve_shard(&s, c, 0, 0, 1, false, NULL, &err),
			 0);
	assert_int_equal(num(s, "pools.two.replicasPerCell"), 1);
	cJSON_Delete(s);
	cJSON_Delete(c);
}

/* ------------------------------------------------------------------ */
/* Backups, durability, PVC policies, labels, owners                   */
/* ------------------------------------------------------------------ */

static void
test_backup_chain_and_children(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "backup-cluster.yaml");
	cJSON *cluster = find_kind(docs, "MultigresCluster");
	struct mg_resolved r;
	const cJSON *tg, *sh, *cell;

	(void)state;
	resolve_ok(&r, cluster, NULL);
	tg = cJSON_GetArrayItem(r.tablegroups, 0);
	sh = cJSON_GetArrayItem(r.shards, 0);
	/* TableGroup: tg > db > cluster; useEnvCredentials from the child. */
	assert_json(mg_json_get(tg, "spec.backup"),
		    "{\"type\":\"s3\",\"s3\":{\"bucket\":\"b-tg\",\"region\":"
		    "\"r-tg\",\"keyPrefix\":\"db/\"},\"encryption\":"
		    "{\"secretName\":\"enc-cluster\"}}");
	/* Shard: its own block over that. */
	assert_json(mg_json_get(sh, "spec.backup"),
		    "{\"type\":\"s3\",\"s3\":{\"bucket\":\"b-shard\",\"region\":"
		    "\"r-shard\",\"endpoint\":\"https://s3.example\","
		    "\"keyPrefix\":\"db/\"},\"encryption\":"
		    "{\"secretName\":\"enc-cluster\"}}");
	/* Durability: database over cluster. */
	assert_string_equal(str(tg, "spec.durabilityPolicy"),
			    "MULTI_CELL_AT_LEAST_2");
	assert_string_equal(str(sh, "spec.durabilityPolicy"),
			    "MULTI_CELL_AT_LEAST_2");
	/* PVC policy: tg over cluster, then the shard's over that. */
	assert_json(mg_json_get(tg, "spec.pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Retain\"}");
	assert_json(mg_json_get(sh, "spec.pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}");
	/* Replicas: main 2 x 1 cell + wide 3 x 2 cells. */
	assert_int_equal(num(sh, "spec.replicas"), 8);
	assert_json(mg_json_get(sh, "spec.multiorch.cells"),
		    "[\"zone-a\",\"zone-b\"]");
	/* allCells keeps the spec's order; topology labels sorted. */
	cell = cJSON_GetArrayItem(r.cells, 0);
	assert_json(mg_json_get(cell, "spec.allCells"),
		    "[\"zone-b\",\"zone-a\"]");
	assert_string_equal(str(cell, "spec.region"), "us-east-1");
	assert_json(mg_json_get(tg, "spec.cellTopologyLabels"),
		    "{\"zone-a\":{\"topology.k8s.aws/zone-id\":\"use1-az1\"},"
		    "\"zone-b\":{\"topology.kubernetes.io/region\":\"us-east-1\"}}");
	assert_json(mg_json_get(sh, "spec.cellTopologyLabels"),
		    "{\"zone-a\":{\"topology.k8s.aws/zone-id\":\"use1-az1\"},"
		    "\"zone-b\":{\"topology.kubernetes.io/region\":\"us-east-1\"}}");
	/* Owners and project-ref. */
	assert_string_equal(str(cell, "metadata.ownerReferences.0.uid"),
			    "11111111-2222-3333-4444-555555555555");
	assert_string_equal(str(cell, "metadata.namespace"), "ns1");
	assert_string_equal(key_of(cell, "metadata.annotations",
				   MG_ANNOT_PROJECT_REF), "proj-7");
	assert_string_equal(key_of(tg, "metadata.annotations",
				   MG_ANNOT_PROJECT_REF), "proj-7");
	assert_string_equal(key_of(sh, "metadata.annotations",
				   MG_ANNOT_PROJECT_REF), "proj-7");
	assert_null(mg_json_get(sh, "metadata.ownerReferences.0.uid"));
	assert_string_equal(str(sh, "spec.postgresPasswordSecretRef.name"),
			    "pw");
	assert_string_equal(str(sh, "spec.globalTopoServer.address"),
			    "bk-global-topo.ns1.svc:2379");
	mg_resolved_release(&r);
	cJSON_Delete(docs);
}

static void
test_merge_backup_rules(void **state)
{
	cJSON *fs = mg_test_yaml("{type: filesystem, filesystem: {path: /p, storage:"
			 " {size: 5Gi, class: c}}, pgbackrestTLS: {secretName: t1}}");
	cJSON *fs2 = mg_test_yaml("{type: filesystem, filesystem: {storage:"
			  " {size: 9Gi, accessModes: [ReadWriteMany]}},"
			  " encryption: {secretName: e}}");
	cJSON *s3 = mg_test_yaml("{type: s3, s3: {bucket: b, region: r}}");
	cJSON *notype = mg_test_yaml("{pgbackrestTLS: {secretName: t2}}");
	cJSON *m;

	(void)state;
	assert_null(mg_resolve_merge_backup(NULL, NULL));
	m = mg_resolve_merge_backup(NULL, fs);
	assert_json(m, "{\"type\":\"filesystem\",\"filesystem\":{\"path\":"
		       "\"/p\",\"storage\":{\"size\":\"5Gi\",\"class\":\"c\"}},"
		       "\"pgbackrestTLS\":{\"secretName\":\"t1\"}}");
	cJSON_Delete(m);
	m = mg_resolve_merge_backup(fs2, fs);
	assert_json(m, "{\"type\":\"filesystem\",\"filesystem\":{\"path\":"
		       "\"/p\",\"storage\":{\"size\":\"9Gi\",\"class\":\"c\","
		       "\"accessModes\":[\"ReadWriteMany\"]}},\"pgbackrestTLS\":"
		       "{\"secretName\":\"t1\"},\"encryption\":{\"secretName\":"
		       "\"e\"}}");
	cJSON_Delete(m);
	/* Another type replaces entirely. */
	m = mg_resolve_merge_backup(s3, fs);
	assert_json(m, "{\"type\":\"s3\",\"s3\":{\"bucket\":\"b\",\"region\":"
		       "\"r\"}}");
	cJSON_Delete(m);
	/* No type: adopts the parent's, replaces TLS. */
	m = mg_resolve_merge_backup(notype, fs);
	assert_string_equal(str(m, "type"), "filesystem");
	assert_string_equal(str(m, "pgbackrestTLS.secretName"), "t2");
	assert_string_equal(str(m, "filesystem.path"), "/p");
	cJSON_Delete(m);
	cJSON_Delete(fs);
	cJSON_Delete(fs2);
	cJSON_Delete(s3);
	cJSON_Delete(notype);
}

static void
test_merge_pvc_rules(void **state)
{
	cJSON *p = mg_test_yaml("{whenDeleted: Retain, whenScaled: Delete}");
	cJSON *cd = mg_test_yaml("{whenDeleted: Delete}");
	cJSON *empty = mg_test_yaml("{}");
	cJSON *m;

	(void)state;
	assert_null(mg_resolve_merge_pvc_policy(NULL, NULL));
	m = mg_resolve_merge_pvc_policy(NULL, p);
	assert_json(m, "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Delete\"}");
	cJSON_Delete(m);
	m = mg_resolve_merge_pvc_policy(cd, p);
	assert_json(m, "{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Delete\"}");
	cJSON_Delete(m);
	m = mg_resolve_merge_pvc_policy(cd, NULL);
	assert_json(m, "{\"whenDeleted\":\"Delete\"}");
	cJSON_Delete(m);
	assert_null(mg_resolve_merge_pvc_policy(empty, NULL));
	assert_null(mg_resolve_merge_pvc_policy(empty, empty));
	cJSON_Delete(p);
	cJSON_Delete(cd);
	cJSON_Delete(empty);
}

static void
test_shard_cr_from_tablegroup(void **state)
{
	cJSON *tg = mg_test_yaml("metadata:\n"
			 "  name: tgname\n"
			 "  namespace: n\n"
			 "  uid: u-1\n"
			 "  labels: {multigres.com/cluster: minimal}\n"
			 "spec:\n"
			 "  databaseName: postgres\n"
			 "  tableGroupName: default\n"
			 "  images: {multiorch: o, multipooler: p, postgres: g}\n"
			 "  pvcDeletionPolicy: {whenDeleted: Delete, whenScaled: Delete}\n"
			 "  durabilityPolicy: AT_LEAST_2\n"
			 "  postgresSuperuser: su\n");
	cJSON *shard = mg_test_yaml("name: 0-inf\n"
			    "multiorch: {cells: [a]}\n"
			    "pvcDeletionPolicy: {whenScaled: Retain}\n"
			    "pools:\n"
			    "  x: {cells: [a, b], replicasPerCell: 3}\n"
			    "  y: {cells: [a]}\n");
	cJSON *cr = mg_resolve_shard_cr(tg, shard);

	(void)state;
	assert_string_equal(str(cr, "metadata.name"),
			    "minimal-postgres-default-0-inf-1e3c045c");
	assert_string_equal(str(cr, "metadata.ownerReferences.0.uid"), "u-1");
	assert_string_equal(str(cr, "metadata.ownerReferences.0.name"),
			    "tgname");
	assert_true(cJSON_IsTrue(
		mg_json_get(cr, "metadata.ownerReferences.0.controller")));
	assert_string_equal(str(cr, "spec.shardName"), "0-inf");
	assert_string_equal(str(cr, "spec.images.postgres"), "g");
	assert_json(mg_json_get(cr, "spec.pvcDeletionPolicy"),
		    "{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Retain\"}");
	/* 3 x 2 + (default 1) x 1 */
	assert_int_equal(num(cr, "spec.replicas"), 7);
	assert_string_equal(str(cr, "spec.postgresSuperuser"), "su");
	assert_null(mg_json_get(cr, "metadata.annotations"));
	cJSON_Delete(cr);
	cJSON_Delete(tg);
	cJSON_Delete(shard);
}

static void
test_images_in_children(void **state)
{
	cJSON *c = mg_test_yaml(CLUSTER_HEAD
			"  images: {multigateway: gw:pinned, imagePullSecrets: [{name: s}]}\n"
			"  cells: [{name: a, zoneId: z}]\n");
	struct mg_image_set set = MG_IMAGE_SET_INIT;
	struct mg_resolve_opts o = MG_RESOLVE_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_resolved r;

	(void)state;
	/* The effective set the operator computed (here: all "eff:N"). */
	set.image[MG_COMP_POSTGRES] = mg_xstrdup("eff:pg");
	set.image[MG_COMP_MULTIADMIN] = mg_xstrdup("eff:admin");
	set.image[MG_COMP_MULTIADMIN_WEB] = mg_xstrdup("eff:web");
	set.image[MG_COMP_MULTIORCH] = mg_xstrdup("eff:orch");
	set.image[MG_COMP_MULTIPOOLER] = mg_xstrdup("eff:pooler");
	set.image[MG_COMP_MULTIGATEWAY] = mg_xstrdup("eff:gw");
	o.images = &set;
	assert_int_equal(mg_resolve_cluster(&r, c, &o, &err), 0);
	/* An explicit pin is kept; unset ones come from the set. */
	assert_string_equal(str(r.cells, "0.spec.images.multigateway"),
			    "gw:pinned");
	assert_string_equal(str(r.cells, "0.spec.images.imagePullSecrets.0.name"),
			    "s");
	assert_string_equal(str(r.tablegroups, "0.spec.images.multiorch"),
			    "eff:orch");
	assert_string_equal(str(r.shards, "0.spec.images.multipooler"),
			    "eff:pooler");
	assert_string_equal(str(r.cluster, "spec.images.multiadminWeb"),
			    "eff:web");
	mg_resolved_release(&r);
	mg_image_set_release(&set);
	cJSON_Delete(c);
}

/* ------------------------------------------------------------------ */
/* Template sets, templates in use                                     */
/* ------------------------------------------------------------------ */

static void
test_template_sets(void **state)
{
	cJSON *list = mg_test_yaml("kind: CellTemplateList\n"
			   "items:\n"
			   "- metadata: {name: a, namespace: n1}\n"
			   "- metadata: {name: b, namespace: n2}\n"
			   "- metadata: {name: c}\n");
	cJSON *docs = mg_test_yaml("- {kind: Secret, metadata: {name: s}}\n"
			   "- {kind: ShardTemplate, metadata: {name: a}, spec: {x: 1}}\n"
			   "- {kind: ShardTemplate, metadata: {name: a}, spec: {x: 2}}\n");
	cJSON *bad = mg_test_yaml("- {kind: CoreTemplate, metadata: {}}\n");
	struct mg_templates *t = mg_templates_new(), *d;
	struct mg_err err = MG_ERR_INIT;
	enum mg_template_kind k;

	(void)state;
	assert_int_equal(mg_templates_add_list(t, list, "n1", &err), 2);
	assert_non_null(mg_templates_get(t, MG_TEMPLATE_CELL, "a"));
	assert_null(mg_templates_get(t, MG_TEMPLATE_CELL, "b"));
	assert_non_null(mg_templates_get(t, MG_TEMPLATE_CELL, "c"));
	assert_null(mg_templates_get(t, MG_TEMPLATE_SHARD, "a"));
	assert_int_equal(mg_templates_add_list(t, docs, NULL, &err), 2);
	/* The later one with the same name wins. */
	assert_int_equal(mg_json_int(mg_templates_get(t, MG_TEMPLATE_SHARD, "a"),
				     "spec.x", 0), 2);
	assert_int_equal(mg_templates_count(t), 3);
	assert_int_equal(mg_templates_add_list(t, bad, NULL, &err), MG_EINVAL);
	assert_int_equal(mg_templates_add(t, cJSON_GetArrayItem(docs, 0), &err),
			 MG_EINVAL);
	d = mg_templates_dup(t);
	assert_int_equal(mg_templates_count(d), 3);
	mg_templates_free(d);
	assert_true(mg_template_kind_parse("CoreTemplate", &k));
	assert_int_equal(k, MG_TEMPLATE_CORE);
	assert_false(mg_template_kind_parse("Cell", &k));
	assert_string_equal(mg_template_kind_name(MG_TEMPLATE_SHARD),
			    "ShardTemplate");
	assert_null(mg_templates_get(NULL, MG_TEMPLATE_CORE, "a"));
	mg_templates_free(t);
	cJSON_Delete(list);
	cJSON_Delete(docs);
	cJSON_Delete(bad);
}

static void
test_templates_in_use(void **state)
{
	cJSON *c = mg_test_yaml(CLUSTER_HEAD
			"  templateDefaults: {coreTemplate: z, cellTemplate: c1}\n"
			"  multiadmin: {templateRef: a}\n"
			"  multiadminWeb: {templateRef: z}\n"
			"  cells: [{name: x, cellTemplate: c2}, {name: w, cellTemplate: c1}]\n");
	cJSON *used = mg_resolve_templates_in_use(c);
	cJSON *labels = mg_resolve_tracking_labels(c);

	(void)state;
	assert_json(used, "{\"coreTemplates\":[\"a\",\"z\"],\"cellTemplates\":"
			  "[\"c1\",\"c2\"]}");
	assert_json(labels, "{\"multigres.com/uses-core-template\":\"true\","
			    "\"multigres.com/uses-cell-template\":\"true\"}");
	cJSON_Delete(used);
	cJSON_Delete(labels);
	cJSON_Delete(c);
}

struct visit {
	char seen[256];
	size_t stop_at, calls;
};

static int
visit_shard(const struct mg_shard_ref *ref, void *ctx)
{
	struct visit *v = ctx;
	size_t len = strlen(v->seen);

	snprintf(v->seen + len, sizeof(v->seen) - len, "%s%zu.%zu.%zu=%s",
		 len ? " " : "", ref->db_index, ref->tg_index, ref->shard_index,
		 mg_json_str(ref->shard, "name"));
	return ++v->calls == v->stop_at ? 42 : 0;
}

static void
test_each_shard(void **state)
{
	cJSON *c = mg_test_yaml(CLUSTER_HEAD
			"  databases:\n"
			"  - name: d0\n"
			"    tablegroups:\n"
			"    - {name: t0, shards: [{name: s0}, {name: s1}]}\n"
			"    - {name: t1}\n"
			"    - {name: t2, shards: [{name: s2}]}\n"
			"  - name: d1\n"
			"    tablegroups: [{name: t3, shards: [{name: s3}]}]\n");
	struct visit v = { "", 0, 0 };

	(void)state;
	assert_int_equal(mg_resolve_each_shard(c, visit_shard, &v), 0);
	assert_string_equal(v.seen, "0.0.0=s0 0.0.1=s1 0.2.0=s2 1.0.0=s3");
	memset(&v, 0, sizeof(v));
	v.stop_at = 2;
	assert_int_equal(mg_resolve_each_shard(c, visit_shard, &v), 42);
	assert_string_equal(v.seen, "0.0.0=s0 0.0.1=s1");
	cJSON_Delete(c);
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */
/* ------------------------------------------------------------------ */

static char *
render_text(const cJSON *cluster, const struct mg_templates *t)
{
	struct mg_resolved r;
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *out;
	size_t len;

	resolve_ok(&r, cluster, t);
	out = mg_resolve_render(&r);
	assert_int_equal(mg_yaml_emit(&b, out, &err), 0);
	cJSON_Delete(out);
	mg_resolved_release(&r);
	return mg_buf_detach(&b, &len);
}

static void
test_render(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "merge-templates.yaml");
	struct mg_templates *t = templates_from(docs);
	cJSON *a = mg_test_yaml(CLUSTER_HEAD
			"  templateDefaults: {cellTemplate: cell, shardTemplate: shard}\n"
			"  cells: [{name: zone-a, zoneId: z}]\n"
			"  logLevels: {multiorch: debug}\n");
	/* The same cluster with its keys in another order. */
	cJSON *b = mg_test_yaml("spec:\n"
			"  logLevels: {multiorch: debug}\n"
			"  cells: [{zoneId: z, name: zone-a}]\n"
			"  templateDefaults: {shardTemplate: shard, cellTemplate: cell}\n"
			"  postgresPasswordSecretRef: {key: password, name: pw}\n"
			"metadata: {namespace: ns, name: c}\n"
			"kind: MultigresCluster\n"
			"apiVersion: multigres.com/v1alpha1\n");
	char *ta = render_text(a, t), *ta2 = render_text(a, t);
	char *tb = render_text(b, t);
	struct mg_resolved r;
	cJSON *out;

	(void)state;
	assert_string_equal(ta, ta2);
	/* Keys the user orders differently print the same, pass-through
	 * objects included (postgresPasswordSecretRef in Go's order). */
	assert_non_null(strstr(ta, "postgresPasswordSecretRef:\n    name: pw\n"));
	assert_string_equal(ta, tb);

	resolve_ok(&r, a, t);
	out = mg_resolve_render(&r);
	assert_null(mg_json_get(out, "spec.templateDefaults"));
	assert_null(mg_json_get(out, "spec.cells.0.cellTemplate"));
	assert_int_equal(num(out, "spec.cells.0.spec.multigateway.replicas"), 2);
	assert_null(mg_json_get(out, "spec.databases.0.tablegroups.0.shards.0."
				     "shardTemplate"));
	assert_int_equal(num(out, "spec.databases.0.tablegroups.0.shards.0."
				  "spec.pools.main-app.replicasPerCell"), 3);
	assert_string_equal(str(out, "spec.databases.0.tablegroups.0.shards.0."
				     "spec.multiorch.cells.0"), "zone-a");
	assert_string_equal(str(out, "spec.databases.0.tablegroups.0.shards.0."
				     "backup.type"), "filesystem");
	assert_string_equal(str(out, "spec.images.postgres"),
			    "ghcr.io/multigres/pgctld:sha-66d2310");
	assert_string_equal(str(out, "spec.logLevels.multiorch"), "debug");
	assert_null(mg_json_get(out, "status"));
	cJSON_Delete(out);
	mg_resolved_release(&r);
	free(ta);
	free(ta2);
	free(tb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	mg_templates_free(t);
	cJSON_Delete(docs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_sample),
		cmocka_unit_test(test_static_defaults),
		cmocka_unit_test(test_webhook_default_no_templates),
		cmocka_unit_test(test_webhook_default_idempotent),
		cmocka_unit_test(test_webhook_default_with_templates),
		cmocka_unit_test(test_chain_cells),
		cmocka_unit_test(test_chain_shards),
		cmocka_unit_test(test_chain_core),
		cmocka_unit_test(test_missing_templates),
		cmocka_unit_test(test_merge_core),
		cmocka_unit_test(test_quantities_canonical),
		cmocka_unit_test(test_merge_cell),
		cmocka_unit_test(test_merge_shard),
		cmocka_unit_test(test_replicas_and_default_pool),
		cmocka_unit_test(test_backup_chain_and_children),
		cmocka_unit_test(test_merge_backup_rules),
		cmocka_unit_test(test_merge_pvc_rules),
		cmocka_unit_test(test_shard_cr_from_tablegroup),
		cmocka_unit_test(test_images_in_children),
		cmocka_unit_test(test_template_sets),
		cmocka_unit_test(test_templates_in_use),
		cmocka_unit_test(test_each_shard),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
