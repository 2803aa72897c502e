/*
 * The builders' objects against the real API server: for the custom
 * resources of tests/fixtures/build (plain, and with most options on), the
 * owner CRs are created for real, then every built object is sent as the
 * operator would send it - a server-side apply with field manager
 * multigres-operator and force, under the operator's restricted identity -
 * with dryRun=All. The server must accept each one (schema, validation,
 * admission, RBAC) and answer with the object under the same name.
 *
 * Installs deploy/crds when the Multigres CRDs are absent (and removes
 * them again at the end); uses its own namespace. Needs MG_TEST_KUBECONFIG
 * and MG_TEST_OPERATOR_KUBECONFIG (tests/run sets them); skips without.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <unistd.h>

#include "buf.h"
#include "build_cell.h"
#include "build_cluster.h"
#include "build_common.h"
#include "build_shard.h"
#include "build_topo.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "resolve.h"
#include "xalloc.h"
#include "yaml_json.h"

static struct mg_kubeconfig *kc, *opkc;
static struct mg_kube *k, *op;
static char ns[64];
static bool installed_crds;
static const char *const crd_files[] = {
	"multigres.com_cells.yaml",	  "multigres.com_celltemplates.yaml",
	"multigres.com_coretemplates.yaml",
	"multigres.com_multigresclusters.yaml",
	"multigres.com_shards.yaml",	  "multigres.com_shardtemplates.yaml",
	"multigres.com_tablegroups.yaml", "multigres.com_toposervers.yaml",
};
static const struct mg_kube_res crd_res = { "apiextensions.k8s.io", "v1",
					    "customresourcedefinitions", NULL };

static void
check(int rc, const struct mg_err *err)
{
	if (rc)
		fail_msg("%s (%d)", err->msg, rc);
}

/* The repository root, from this file's path (tests run from the root). */
static char *
repo_path(const char *rel)
{
	const char *t = strstr(__FILE__, "tests/integration/itest_build.c");

	assert_non_null(t);
	return mg_xasprintf("%.*s%s", (int)(t - __FILE__), __FILE__, rel);
}

static cJSON *
load_yaml(const char *rel)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	char *path = repo_path(rel);
	cJSON *j = NULL;

	check(mg_buf_read_file(&b, path, &err), &err);
	check(mg_yaml_parse(&j, b.data, b.len, path, &err), &err);
	free(path);
	mg_buf_release(&b);
	return j;
}

static struct mg_kube *
connect_as(const char *env, struct mg_kubeconfig **out)
{
	struct mg_kubeconfig_opts o = { .kubeconfig = getenv(env) };
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube *c = NULL;

	check(mg_kubeconfig_load(out, &o, &err), &err);
	check(mg_kube_new(&c, *out, NULL, &err), &err);
	return c;
}

/* Waits (up to 30 s) until the shards of our namespace can be listed. */
static void
wait_for_crds(void)
{
	struct mg_kube_res res[] = {
		{ "multigres.com", "v1alpha1", "shards", ns },
		{ "multigres.com", "v1alpha1", "cells", ns },
		{ "multigres.com", "v1alpha1", "toposervers", ns },
		{ "multigres.com", "v1alpha1", "multigresclusters", ns },
	};
	struct mg_list_opts lo = { NULL, NULL, 1 };
	int tries;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(res); i++) {
		for (tries = 0; tries < 300; tries++) {
			struct mg_err err = MG_ERR_INIT;
			cJSON *l = NULL;

			if (mg_kube_list(k, &res[i], &lo, &l, &err) == 0) {
				cJSON_Delete(l);
				break;
			}
			{
				struct timespec ts = { 0, 100 * 1000 * 1000 };

				nanosleep(&ts, NULL);
			}
		}
		if (tries == 300)
			fail_msg("%s never became available", res[i].resource);
	}
}

static void
install_crds(void)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *got = NULL;
	size_t i;
	int rc;

	rc = mg_kube_get(k, &crd_res, "shards.multigres.com", NULL, &got, &err);
	cJSON_Delete(got);
	if (rc == 0)
		return;
	if (rc != MG_ENOTFOUND)
		check(rc, &err);
	for (i = 0; i < ARRAY_SIZE(crd_files); i++) {
		char *rel = mg_xasprintf("deploy/crds/%s", crd_files[i]);
		cJSON *crd = load_yaml(rel);

		rc = mg_kube_create(k, &crd_res, crd, NULL, &err);
		if (rc && rc != MG_ECONFLICT)
			check(rc, &err);
		cJSON_Delete(crd);
		free(rel);
	}
	installed_crds = true;
}

static int
setup(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };
	cJSON *obj;

	(void)state;
	if (!getenv("MG_TEST_KUBECONFIG") ||
	    !getenv("MG_TEST_OPERATOR_KUBECONFIG"))
		return 0;
	k = connect_as("MG_TEST_KUBECONFIG", &kc);
	op = connect_as("MG_TEST_OPERATOR_KUBECONFIG", &opkc);
	snprintf(ns, sizeof(ns), "itest-build-%d", (int)getpid());
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "Namespace");
	mg_json_set_str(cJSON_AddObjectToObject(obj, "metadata"), "name", ns);
	check(mg_kube_create(k, &nsres, obj, NULL, &err), &err);
	cJSON_Delete(obj);
	install_crds();
	wait_for_crds();
	return 0;
}

static int
teardown(void **state)
{
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };

	(void)state;
	if (!k)
		return 0;
	mg_kube_delete(k, &nsres, ns, NULL, NULL, NULL);
	if (installed_crds && !getenv("MG_CRDS_KEEP")) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(crd_files); i++) {
			char *name = mg_xstrndup(crd_files[i] + strlen("multigres.com_"),
						 strlen(crd_files[i]) -
							 strlen("multigres.com_") -
							 strlen(".yaml"));
			char *full = mg_xasprintf("%s.multigres.com", name);

			mg_kube_delete(k, &crd_res, full, NULL, NULL, NULL);
			free(full);
			free(name);
		}
	}
	mg_kube_free(k);
	mg_kube_free(op);
	mg_kubeconfig_free(kc);
	mg_kubeconfig_free(opkc);
	return 0;
}

static void
skip_without_cluster(void)
{
	if (!k)
		skip();
}

/* The REST resource of a built object's kind. */
static struct mg_kube_res
res_of(const cJSON *obj)
{
	static const struct {
		const char *kind;
		struct mg_kube_res res;
	} map[] = {
		{ "Deployment", { "apps", "v1", "deployments", NULL } },
		{ "StatefulSet", { "apps", "v1", "statefulsets", NULL } },
		{ "Service", { "", "v1", "services", NULL } },
		{ "PersistentVolumeClaim",
		  { "", "v1", "persistentvolumeclaims", NULL } },
		{ "PodDisruptionBudget",
		  { "policy", "v1", "poddisruptionbudgets", NULL } },
		{ "TopoServer",
		  { "multigres.com", "v1alpha1", "toposervers", NULL } },
		{ "Cell", { "multigres.com", "v1alpha1", "cells", NULL } },
		{ "TableGroup",
		  { "multigres.com", "v1alpha1", "tablegroups", NULL } },
		{ "Shard", { "multigres.com", "v1alpha1", "shards", NULL } },
	};
	const char *kind = mg_json_str(obj, "kind");
	struct mg_kube_res r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (strcmp(map[i].kind, kind) == 0) {
			r = map[i].res;
			r.ns = ns;
			return r;
		}
	}
	fail_msg("no resource for kind %s", kind);
	return map[0].res;
}

/*
 * Creates the owner CR for real (admin), returning its uid (malloc'd):
 * the owner references of the built objects then point at a real owner.
 */
static char *
create_owner(cJSON *cr, const char *resource)
{
	struct mg_kube_res res = { "multigres.com", "v1alpha1", resource, ns };
	struct mg_err err = MG_ERR_INIT;
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(cr, "metadata");
	cJSON *created = NULL;
	char *uid;

	cJSON_DeleteItemFromObjectCaseSensitive(meta, "uid");
	mg_json_set_str(meta, "namespace", ns);
	check(mg_kube_create(k, &res, cr, &created, &err), &err);
	uid = mg_xstrdup(mg_json_str(created, "metadata.uid"));
	cJSON_Delete(created);
	return uid;
}

/*
 * Server-side applies every object with dryRun=All as the operator, and
 * checks the answer names the same object of the same kind. Returns how
 * many were sent.
 */
static int
dry_run_apply(const cJSON *objs)
{
	struct mg_patch_opts po = { MG_PATCH_APPLY, MG_BUILD_FIELD_MANAGER,
				    true, NULL, true };
	const cJSON *o;
	int n = 0;

	cJSON_ArrayForEach(o, objs) {
		struct mg_kube_res r = res_of(o);
		struct mg_err err = MG_ERR_INIT;
		struct mg_buf body = MG_BUF_INIT;
		cJSON *answer = NULL;
		int rc;

		mg_json_print(&body, o, false);
		rc = mg_kube_patch(op, &r, mg_json_str(o, "metadata.name"), &po,
				   body.data, &answer, &err);
		if (rc)
			fail_msg("%s %s refused: %s", mg_json_str(o, "kind"),
				 mg_json_str(o, "metadata.name"), err.msg);
		assert_string_equal(mg_json_str(answer, "metadata.name"),
				    mg_json_str(o, "metadata.name"));
		assert_string_equal(mg_json_str(answer, "kind"),
				    mg_json_str(o, "kind"));
		assert_string_equal(mg_json_str(answer,
						"metadata.ownerReferences.0.uid"),
				    mg_json_str(o,
						"metadata.ownerReferences.0.uid"));
		cJSON_Delete(answer);
		mg_buf_release(&body);
		n++;
	}
	return n;
}

static void
set_json(cJSON *root, const char *path, const char *key, const char *json)
{
	cJSON *obj = path[0] ? mg_json_get(root, path) : root;
	cJSON *v = cJSON_Parse(json);

	assert_non_null(obj);
	assert_non_null(v);
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, v);
}

typedef int (*build_fn)(const cJSON *, const struct mg_build_opts *, cJSON *,
			struct mg_err *);

/* Creates cr as its owner, builds, dry-run applies; returns the count. */
static int
check_accepted(cJSON *cr, const char *resource, build_fn fn)
{
	struct mg_build_opts opts = MG_BUILD_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	const char *env[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:4318",
			      "OTEL_RESOURCE_ATTRIBUTES=team=db", NULL };
	cJSON *objs = cJSON_CreateArray();
	char *uid = create_owner(cr, resource);
	int n;

	opts.namespace = ns;
	opts.owner_uid = uid;
	opts.env = env;
	check(fn(cr, &opts, objs, &err), &err);
	assert_true(cJSON_GetArraySize(objs) > 0);
	n = dry_run_apply(objs);
	cJSON_Delete(objs);
	free(uid);
	return n;
}

static void
test_shard_objects_accepted(void **state)
{
	cJSON *cr;

	(void)state;
	skip_without_cluster();
	cr = load_yaml("tests/fixtures/build/shard.yaml");
	assert_int_equal(check_accepted(cr, "shards", mg_build_shard_objects),
			 5);
	cJSON_Delete(cr);

	/* Everything on: two pools, three cells, TLS, OTEL, resources. */
	cr = load_yaml("tests/fixtures/build/shard.yaml");
	mg_json_set_str(cJSON_GetObjectItemCaseSensitive(cr, "metadata"),
			"name", "full-shard");
	set_json(cr, "spec.pools", "analytics",
		 "{\"type\":\"readWrite\",\"cells\":[\"zone-b\",\"zone-c\"],"
		 "\"replicasPerCell\":3}");
	set_json(cr, "spec", "internalTLS", "{\"enabled\":true}");
	set_json(cr, "spec", "observability",
		 "{\"metricsExporter\":\"otlp\",\"samplingConfigRef\":"
		 "{\"name\":\"sampling\",\"key\":\"s.yaml\"}}");
	set_json(cr, "spec", "multiorch",
		 "{\"replicas\":2,\"resources\":{\"requests\":{\"cpu\":\"1\"}},"
		 "\"podLabels\":{\"team\":\"db\"},\"podAnnotations\":"
		 "{\"prometheus.io/scrape\":\"true\",\"a\":\"b\"},"
		 "\"placement\":{\"tolerations\":[{\"key\":\"k\","
		 "\"operator\":\"Exists\"}]},\"affinity\":{\"podAntiAffinity\":"
		 "{\"preferredDuringSchedulingIgnoredDuringExecution\":[{"
		 "\"weight\":1,\"podAffinityTerm\":{\"topologyKey\":"
		 "\"kubernetes.io/hostname\"}}]}}}");
	set_json(cr, "spec.backup.filesystem", "storage",
		 "{\"size\":\"5Gi\",\"class\":\"standard\",\"accessModes\":"
		 "[\"ReadWriteMany\"]}");
	assert_int_equal(check_accepted(cr, "shards", mg_build_shard_objects),
			 3 * 2 + 1 + 3 * 2);
	cJSON_Delete(cr);
}

static void
test_cell_objects_accepted(void **state)
{
	cJSON *cr;

	(void)state;
	skip_without_cluster();
	cr = load_yaml("tests/fixtures/build/cell.yaml");
	assert_int_equal(check_accepted(cr, "cells", mg_build_cell_objects), 2);
	cJSON_Delete(cr);

	cr = load_yaml("tests/fixtures/build/cell.yaml");
	mg_json_set_str(cJSON_GetObjectItemCaseSensitive(cr, "metadata"),
			"name", "full-cell");
	set_json(cr, "spec", "topoServer",
		 "{\"etcd\":{\"replicas\":1,\"storage\":{\"size\":\"1Gi\"},"
		 "\"pvcDeletionPolicy\":{\"whenDeleted\":\"Delete\"}}}");
	set_json(cr, "spec", "internalTLS", "{\"enabled\":true}");
	set_json(cr, "spec", "certCommonName", "\"db.example.com\"");
	set_json(cr, "spec.multigateway", "buffer",
		 "{\"enabled\":true,\"window\":\"1m\",\"maxFailoverDuration\":"
		 "\"90s\",\"minTimeBetweenFailovers\":\"2m\",\"size\":10,"
		 "\"drainConcurrency\":2}");
	set_json(cr, "spec", "multigatewayPlacement",
		 "{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}");
	assert_int_equal(check_accepted(cr, "cells", mg_build_cell_objects), 3);
	cJSON_Delete(cr);
}

static void
test_topo_objects_accepted(void **state)
{
	cJSON *cr;

	(void)state;
	skip_without_cluster();
	cr = load_yaml("tests/fixtures/build/toposerver.yaml");
	assert_int_equal(check_accepted(cr, "toposervers",
					mg_build_topo_objects),
			 3);
	cJSON_Delete(cr);

	cr = load_yaml("tests/fixtures/build/toposerver.yaml");
	mg_json_set_str(cJSON_GetObjectItemCaseSensitive(cr, "metadata"),
			"name", "bare-topo");
	set_json(cr, "", "spec",
		 "{\"etcd\":{\"storage\":{\"class\":\"standard\"},"
		 "\"resources\":{\"limits\":{\"memory\":\"1Gi\"}}},"
		 "\"placement\":{\"tolerations\":[{\"key\":\"k\","
		 "\"operator\":\"Exists\"}]}}");
	assert_int_equal(check_accepted(cr, "toposervers",
					mg_build_topo_objects),
			 3);
	cJSON_Delete(cr);
}

static void
test_cluster_objects_accepted(void **state)
{
	cJSON *cr;

	(void)state;
	skip_without_cluster();
	cr = load_yaml("tests/fixtures/build/cluster.yaml");
	assert_int_equal(check_accepted(cr, "multigresclusters",
					mg_build_cluster_objects),
			 6);
	cJSON_Delete(cr);

	cr = load_yaml("tests/fixtures/build/cluster.yaml");
	mg_json_set_str(cJSON_GetObjectItemCaseSensitive(cr, "metadata"),
			"name", "full");
	set_json(cr, "spec", "internalTLS", "{\"enabled\":true}");
	set_json(cr, "spec", "externalGateway",
		 "{\"enabled\":true,\"externalIPs\":[\"10.0.0.5\"],"
		 "\"annotations\":{\"lb\":\"yes\"}}");
	set_json(cr, "spec", "externalAdminWeb",
		 "{\"enabled\":true,\"externalIPs\":[\"10.0.0.6\"]}");
	set_json(cr, "spec.images", "imagePullSecrets", "[{\"name\":\"reg\"}]");
	set_json(cr, "spec", "observability",
		 "{\"samplingConfigRef\":{\"name\":\"sampling\"}}");
	assert_int_equal(check_accepted(cr, "multigresclusters",
					mg_build_cluster_objects),
			 6);
	cJSON_Delete(cr);
}

/*
 * The custom resources resolve.h builds for a cluster (the global
 * TopoServer, the Cells, the TableGroups, then a Shard under a real
 * TableGroup) pass the CRDs' schemas and rules, for the samples that
 * need no templates.
 */
static void
check_resolved_accepted(const char *sample, int want)
{
	struct mg_resolve_opts ro = MG_RESOLVE_OPTS_INIT;
	struct mg_kube_res tgres = { "multigres.com", "v1alpha1",
				     "tablegroups", ns };
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT;
	struct mg_resolved r;
	cJSON *docs = NULL, *d, *cluster = NULL, *crs, *tg = NULL, *shards, *s;
	char *path = repo_path(sample), *uid;
	int n;

	check(mg_buf_read_file(&b, path, &err), &err);
	check(mg_yaml_parse_all(&docs, b.data, b.len, path, &err), &err);
	cJSON_ArrayForEach(d, docs)
		if (!strcmp(mg_json_str(d, "kind"), "MultigresCluster"))
			cluster = d;
	assert_non_null(cluster);
	/* Not to clash with the builder tests' cluster "minimal". */
	{
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(cluster,
							       "metadata");
		char *name = mg_xasprintf("r-%s", mg_json_str(meta, "name"));

		mg_json_set_str(meta, "name", name);
		free(name);
	}
	uid = create_owner(cluster, "multigresclusters");
	mg_json_set_str(cJSON_GetObjectItemCaseSensitive(cluster, "metadata"),
			"uid", uid);
	ro.namespace = ns;
	check(mg_resolve_cluster(&r, cluster, &ro, &err), &err);
	crs = cJSON_CreateArray();
	if (r.toposerver)
		cJSON_AddItemReferenceToArray(crs, r.toposerver);
	cJSON_ArrayForEach(d, r.cells)
		cJSON_AddItemReferenceToArray(crs, d);
	cJSON_ArrayForEach(d, r.tablegroups)
		cJSON_AddItemReferenceToArray(crs, d);
	n = dry_run_apply(crs);
	cJSON_Delete(crs);

	/* A Shard's owner is its TableGroup: create the first for real. */
	check(mg_kube_create(k, &tgres, cJSON_GetArrayItem(r.tablegroups, 0),
			     &tg, &err),
	      &err);
	shards = cJSON_CreateArray();
	cJSON_ArrayForEach(s, mg_json_get(tg, "spec.shards"))
		cJSON_AddItemToArray(shards, mg_resolve_shard_cr(tg, s));
	n += dry_run_apply(shards);
	assert_int_equal(n, want);

	cJSON_Delete(shards);
	cJSON_Delete(tg);
	mg_resolved_release(&r);
	free(uid);
	free(path);
	mg_buf_release(&b);
	cJSON_Delete(docs);
}

static void
test_resolved_crs_accepted(void **state)
{
	(void)state;
	skip_without_cluster();
	/* TopoServer, Cell, TableGroup, Shard */
	check_resolved_accepted("deploy/samples/minimal.yaml", 4);
	/* 4 Cells, 3 TableGroups, one Shard of the first */
	check_resolved_accepted("deploy/samples/multi-cell.yaml", 1 + 4 + 3 + 1);
	/* external global topology: no TopoServer */
	check_resolved_accepted("deploy/samples/external-etcd.yaml", 2 + 1 + 1);
	check_resolved_accepted("deploy/samples/inline.yaml", 1 + 1 + 1 + 1);
}

/* The check can fail: a built object made invalid is refused. */
static void
test_invalid_object_refused(void **state)
{
	struct mg_patch_opts po = { MG_PATCH_APPLY, MG_BUILD_FIELD_MANAGER,
				    true, NULL, true };
	struct mg_build_opts opts = MG_BUILD_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf body = MG_BUF_INIT;
	cJSON *cr, *objs = cJSON_CreateArray(), *svc;
	struct mg_kube_res r;

	(void)state;
	skip_without_cluster();
	cr = load_yaml("tests/fixtures/build/cell.yaml");
	opts.namespace = ns;
	check(mg_build_cell_objects(cr, &opts, objs, &err), &err);
	svc = cJSON_GetArrayItem(objs, 1);
	cJSON_SetNumberValue(mg_json_get(svc, "spec.ports.0.port"), 70000);
	r = res_of(svc);
	mg_json_print(&body, svc, false);
	assert_int_equal(mg_kube_patch(op, &r, mg_json_str(svc, "metadata.name"),
				       &po, body.data, NULL, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "port"));
	mg_buf_release(&body);
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_objects_accepted),
		cmocka_unit_test(test_cell_objects_accepted),
		cmocka_unit_test(test_topo_objects_accepted),
		cmocka_unit_test(test_cluster_objects_accepted),
		cmocka_unit_test(test_resolved_crs_accepted),
		cmocka_unit_test(test_invalid_object_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
