/*
 * Unit tests for the object builders (shared/build_*.[ch]): the objects
 * built from the custom resources of config/samples/minimal.yaml
 * (tests/fixtures/build/) carry the names of multigres-operator-facts.md
 * 3.2's worked example, upstream's labels, selectors, owner references,
 * ports and flags; fallbacks apply only to empty resources blocks; buffer
 * flags appear only when set; the output does not depend on input order.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "build_cell.h"
#include "build_cluster.h"
#include "build_common.h"
#include "build_shard.h"
#include "build_topo.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "objmeta.h"
#include "xalloc.h"
#include "yaml_json.h"

/* tests/fixtures/build/<name>, found from this file's own path. */
static cJSON *
fixture(const char *name)
{
	const char *unit = strstr(__FILE__, "unit/test_build.c");
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	char *path;
	cJSON *j = NULL;

	assert_non_null(unit);
	path = mg_xasprintf("%.*sfixtures/build/%s", (int)(unit - __FILE__),
			    __FILE__, name);
	if (mg_buf_read_file(&b, path, &err) ||
	    mg_yaml_parse(&j, b.data, b.len, path, &err))
		fail_msg("%s", err.msg);
	free(path);
	mg_buf_release(&b);
	return j;
}

static char *
compact(const cJSON *j)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_json_print(&b, j, false);
	return b.data;
}

static void
assert_json(const cJSON *j, const char *want)
{
	char *got = compact(j);

	assert_string_equal(got, want);
	free(got);
}

/* Sets (replacing) path's last member, creating objects on the way. */
static void
set_json(cJSON *root, const char *path, const char *json)
{
	char *p = mg_xstrdup(path), *dot, *key = p;
	cJSON *obj = root, *v = cJSON_Parse(json);

	assert_non_null(v);
	while ((dot = strchr(key, '.'))) {
		cJSON *next;

		*dot = '\0';
		next = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (!next)
			next = cJSON_AddObjectToObject(obj, key);
		obj = next;
		key = dot + 1;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
	else
		cJSON_AddItemToObject(obj, key, v);
	free(p);
}

static void
del_json(cJSON *root, const char *path, const char *key)
{
	cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(root, path), key);
}

typedef int (*build_fn)(const cJSON *, const struct mg_build_opts *, cJSON *,
			struct mg_err *);

static cJSON *
build(build_fn fn, const cJSON *cr, const struct mg_build_opts *opts)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = cJSON_CreateArray();

	if (fn(cr, opts, out, &err))
		fail_msg("build: %s", err.msg);
	return out;
}

static int
build_err(build_fn fn, const cJSON *cr, struct mg_err *err)
{
	cJSON *out = cJSON_CreateArray();
	int rc;

	cJSON_AddItemToArray(out, cJSON_CreateString("sentinel"));
	rc = fn(cr, NULL, out, err);
	/* On error the output is untouched. */
	assert_int_equal(cJSON_GetArraySize(out), 1);
	cJSON_Delete(out);
	return rc;
}

/* The n-th (from 0) object of that kind. */
static const cJSON *
find(const cJSON *objs, const char *kind, int n)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, objs)
		if (strcmp(mg_json_str(o, "kind"), kind) == 0 && n-- == 0)
			return o;
	fail_msg("no %s", kind);
	return NULL;
}

static const char *
name_of(const cJSON *o)
{
	return mg_json_str(o, "metadata.name");
}

/* "Kind Kind ...": the sequence of kinds. */
static char *
kinds(const cJSON *objs)
{
	struct mg_buf b = MG_BUF_INIT;
	const cJSON *o;

	cJSON_ArrayForEach(o, objs)
		mg_buf_addf(&b, "%s%s", b.len ? " " : "",
			    mg_json_str(o, "kind"));
	return b.data;
}

/* The strings of an array, joined with single spaces. */
static char *
joined(const cJSON *array)
{
	struct mg_buf b = MG_BUF_INIT;
	const cJSON *s;

	cJSON_ArrayForEach(s, array)
		mg_buf_addf(&b, "%s%s", b.len ? " " : "", s->valuestring);
	return b.data;
}

static const cJSON *
container(const cJSON *obj)
{
	return mg_json_get(obj, "spec.template.spec.containers.0");
}

static void
assert_args(const cJSON *obj, const char *want)
{
	char *got = joined(mg_json_get(container(obj), "args"));

	assert_string_equal(got, want);
	free(got);
}

static bool
has_arg(const cJSON *obj, const char *arg)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, mg_json_get(container(obj), "args"))
		if (strcmp(s->valuestring, arg) == 0)
			return true;
	return false;
}

static void
assert_owner(const cJSON *obj, const char *kind, const char *name,
	     const char *uid)
{
	const cJSON *refs = mg_json_get(obj, "metadata.ownerReferences");
	const cJSON *r = cJSON_GetArrayItem(refs, 0);

	assert_int_equal(cJSON_GetArraySize(refs), 1);
	assert_string_equal(mg_json_str(r, "apiVersion"),
			    "multigres.com/v1alpha1");
	assert_string_equal(mg_json_str(r, "kind"), kind);
	assert_string_equal(mg_json_str(r, "name"), name);
	assert_string_equal(mg_json_str(r, "uid"), uid);
	assert_true(mg_json_bool(r, "controller", false));
	assert_true(mg_json_bool(r, "blockOwnerDeletion", false));
}

#define SHARD_CR  "minimal-postgres-default-0-inf-1e3c045c"
#define SHARD_UID "5b1f1a34-7c0e-4d8e-9a55-000000000001"
#define CELL_CR   "minimal-zone-a-96c88ae0"
#define CELL_UID  "5b1f1a34-7c0e-4d8e-9a55-000000000002"
#define MULTIORCH "minimal-postgres-default-0-inf-multiorch-zone-a-bbe2a333"

static void
test_shard_names_order_and_owner(void **state)
{
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs = build(mg_build_shard_objects, cr, NULL);
	const cJSON *o;
	char *k = kinds(objs);

	(void)state;
	assert_string_equal(k, "Deployment Service PersistentVolumeClaim "
			       "PodDisruptionBudget Service");
	free(k);
	/* The worked example of multigres-operator-facts.md 3.2. */
	assert_string_equal(name_of(find(objs, "Deployment", 0)), MULTIORCH);
	assert_string_equal(name_of(find(objs, "Service", 0)), MULTIORCH);
	assert_string_equal(name_of(find(objs, "PersistentVolumeClaim", 0)),
			    "backup-data-minimal-postgres-default-0-inf-"
			    "811a09a5");
	assert_string_equal(name_of(find(objs, "PodDisruptionBudget", 0)),
			    "minimal-postgres-default-0-inf-pool-default-"
			    "zone-a-pdb-6a4f8455");
	assert_string_equal(name_of(find(objs, "Service", 1)),
			    "minimal-postgres-default-0-inf-pool-default-"
			    "zone-a-h---22cdf02c");
	cJSON_ArrayForEach(o, objs) {
		assert_string_equal(mg_json_str(o, "metadata.namespace"),
				    "default");
		assert_owner(o, "Shard", SHARD_CR, SHARD_UID);
	}
	assert_string_equal(mg_json_str(find(objs, "PodDisruptionBudget", 0),
					"apiVersion"),
			    "policy/v1");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_shard_labels_and_selectors(void **state)
{
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs;
	const cJSON *pdb, *dep, *svc;

	(void)state;
	/* A label of the Shard is carried over, never over ours. */
	set_json(cr, "metadata.labels.team", "\"db\"");
	objs = build(mg_build_shard_objects, cr, NULL);
	pdb = find(objs, "PodDisruptionBudget", 0);
	assert_int_equal(mg_json_int(pdb, "spec.maxUnavailable", 0), 1);
	assert_json(mg_json_get(pdb, "spec.selector.matchLabels"),
		    "{\"app.kubernetes.io/component\":\"shard-pool\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"multigres.com/cell\":\"zone-a\","
		    "\"multigres.com/cluster\":\"minimal\","
		    "\"multigres.com/database\":\"postgres\","
		    "\"multigres.com/pool\":\"default\","
		    "\"multigres.com/shard\":\"0-inf\","
		    "\"multigres.com/tablegroup\":\"default\"}");
	/* The PDB does not take the Shard's labels; the pool Service does. */
	assert_null(mg_objmeta_get(mg_json_get(pdb, "metadata.labels"), "team"));
	svc = find(objs, "Service", 1);
	assert_string_equal(mg_objmeta_get(mg_json_get(svc, "metadata.labels"),
					   "team"),
			    "db");
	assert_json(mg_json_get(svc, "spec.selector"),
		    "{\"app.kubernetes.io/component\":\"shard-pool\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"multigres.com/cell\":\"zone-a\","
		    "\"multigres.com/cluster\":\"minimal\","
		    "\"multigres.com/database\":\"postgres\","
		    "\"multigres.com/pool\":\"default\","
		    "\"multigres.com/shard\":\"0-inf\","
		    "\"multigres.com/tablegroup\":\"default\"}");
	assert_string_equal(mg_json_str(svc, "spec.clusterIP"), "None");
	assert_true(mg_json_bool(svc, "spec.publishNotReadyAddresses", false));

	dep = find(objs, "Deployment", 0);
	/* component multiorch, not the Shard's own "shard" */
	assert_string_equal(mg_objmeta_get(mg_json_get(dep, "metadata.labels"),
					   MG_LABEL_APP_COMPONENT),
			    "multiorch");
	assert_json(mg_json_get(dep, "spec.selector.matchLabels"),
		    "{\"app.kubernetes.io/component\":\"multiorch\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"multigres.com/cell\":\"zone-a\","
		    "\"multigres.com/cluster\":\"minimal\","
		    "\"multigres.com/database\":\"postgres\","
		    "\"multigres.com/shard\":\"0-inf\","
		    "\"multigres.com/tablegroup\":\"default\"}");
	assert_json(mg_json_get(dep, "spec.template.metadata.annotations"),
		    "{\"multigres.com/project-ref\":\"minimal\"}");
	assert_json(mg_json_get(dep, "spec.template.spec.nodeSelector"),
		    "{\"topology.k8s.aws/zone-id\":\"us-central1-a\"}");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_multiorch_flags_ports_defaults(void **state)
{
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs = build(mg_build_shard_objects, cr, NULL);
	const cJSON *dep = find(objs, "Deployment", 0);
	const cJSON *c = container(dep);

	(void)state;
	assert_args(dep, "multiorch --http-port=15300 --grpc-port=15370 "
			 "--topo-global-server-addresses=minimal-global-topo."
			 "default.svc:2379 --topo-global-root=/multigres/global "
			 "--cell=zone-a --watch-targets=postgres/default/0-inf "
			 "--log-level=info");
	assert_string_equal(mg_json_str(c, "image"),
			    "ghcr.io/multigres/multigres:sha-66d2310");
	assert_json(mg_json_get(c, "ports"),
		    "[{\"name\":\"http\",\"containerPort\":15300,"
		    "\"protocol\":\"TCP\"},{\"name\":\"grpc\","
		    "\"containerPort\":15370,\"protocol\":\"TCP\"}]");
	/* An empty resources block gets the multiorch fallback. */
	assert_json(mg_json_get(c, "resources"),
		    "{\"limits\":{\"memory\":\"128Mi\"},\"requests\":"
		    "{\"cpu\":\"50m\",\"memory\":\"64Mi\"}}");
	assert_int_equal(mg_json_int(dep, "spec.replicas", -1), 1);
	assert_string_equal(mg_json_str(c, "readinessProbe.httpGet.path"),
			    "/ready");
	assert_int_equal(mg_json_int(c, "livenessProbe.httpGet.port", 0),
			 15300);
	assert_int_equal(mg_json_int(c, "startupProbe.failureThreshold", 0),
			 30);
	assert_null(mg_json_get(c, "env")); /* no OTEL anywhere */
	assert_json(mg_json_get(find(objs, "Service", 0), "spec.ports"),
		    "[{\"name\":\"http\",\"port\":15300,\"targetPort\":\"http\","
		    "\"protocol\":\"TCP\"},{\"name\":\"grpc\",\"port\":15370,"
		    "\"targetPort\":\"grpc\",\"protocol\":\"TCP\"}]");
	assert_json(mg_json_get(find(objs, "Service", 1), "spec.ports"),
		    "[{\"name\":\"http\",\"port\":15200,\"targetPort\":\"http\","
		    "\"protocol\":\"TCP\"},{\"name\":\"grpc\",\"port\":15270,"
		    "\"targetPort\":\"grpc\",\"protocol\":\"TCP\"},"
		    "{\"name\":\"postgres\",\"port\":5432,\"targetPort\":"
		    "\"postgres\",\"protocol\":\"TCP\"},{\"name\":\"metrics\","
		    "\"port\":9187,\"targetPort\":\"metrics\",\"protocol\":"
		    "\"TCP\"}]");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_partial_resources_replace_the_default(void **state)
{
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs;

	(void)state;
	set_json(cr, "spec.multiorch.resources",
		 "{\"limits\":{\"cpu\":\"1\"}}");
	set_json(cr, "spec.multiorch.replicas", "3");
	objs = build(mg_build_shard_objects, cr, NULL);
	assert_json(mg_json_get(container(find(objs, "Deployment", 0)),
				"resources"),
		    "{\"limits\":{\"cpu\":\"1\"}}");
	assert_int_equal(mg_json_int(find(objs, "Deployment", 0),
				     "spec.replicas", -1),
			 3);
	cJSON_Delete(objs);

	/* Empty requests and limits maps count as empty. */
	set_json(cr, "spec.multiorch.resources",
		 "{\"limits\":{},\"requests\":{}}");
	objs = build(mg_build_shard_objects, cr, NULL);
	assert_string_equal(mg_json_str(container(find(objs, "Deployment", 0)),
					"resources.requests.cpu"),
			    "50m");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_multiorch_cells(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs;

	(void)state;
	/* The union of the pools' cells, sorted. */
	set_json(cr, "spec.pools.analytics",
		 "{\"type\":\"readWrite\",\"cells\":[\"zone-c\",\"zone-b\"]}");
	objs = build(mg_build_shard_objects, cr, NULL);
	assert_true(has_arg(find(objs, "Deployment", 0), "--cell=zone-a"));
	assert_true(has_arg(find(objs, "Deployment", 1), "--cell=zone-b"));
	assert_true(has_arg(find(objs, "Deployment", 2), "--cell=zone-c"));
	/* Pools by name (analytics first), each of its cells as listed. */
	assert_string_equal(mg_objmeta_get(mg_json_get(find(objs,
							    "PodDisruptionBudget",
							    0),
						       "metadata.labels"),
					   MG_LABEL_CELL),
			    "zone-c");
	assert_string_equal(mg_objmeta_get(mg_json_get(find(objs,
							    "PodDisruptionBudget",
							    2),
						       "metadata.labels"),
					   MG_LABEL_POOL),
			    "default");
	assert_int_equal(cJSON_GetArraySize(objs), 3 * 2 + 1 + 3 * 2);
	cJSON_Delete(objs);

	/* An explicit list wins, in its own order. */
	set_json(cr, "spec.multiorch.cells", "[\"zone-b\",\"zone-a\"]");
	objs = build(mg_build_shard_objects, cr, NULL);
	assert_true(has_arg(find(objs, "Deployment", 0), "--cell=zone-b"));
	assert_true(has_arg(find(objs, "Deployment", 1), "--cell=zone-a"));
	assert_int_equal(cJSON_GetArraySize(objs), 2 * 2 + 1 + 3 * 2);
	cJSON_Delete(objs);

	set_json(cr, "spec.multiorch.cells", "[]");
	set_json(cr, "spec.pools", "{}");
	assert_int_equal(build_err(mg_build_shard_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "no multiorch cell"));
	set_json(cr, "spec.multiorch.cells", "[\"zone-a\"]");
	set_json(cr, "spec.pools", "{\"p\":{\"cells\":[]}}");
	assert_int_equal(build_err(mg_build_shard_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.pools.p.cells"));
	cJSON_Delete(cr);
}

static void
test_backup_pvc_policy(void **state)
{
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs;
	const cJSON *pvc;

	(void)state;
	set_json(cr, "spec.backup.filesystem.storage",
		 "{\"size\":\"20Gi\",\"class\":\"fast\",\"accessModes\":"
		 "[\"ReadWriteMany\"]}");
	set_json(cr, "spec.pvcDeletionPolicy.whenDeleted", "\"Retain\"");
	objs = build(mg_build_shard_objects, cr, NULL);
	pvc = find(objs, "PersistentVolumeClaim", 0);
	assert_json(mg_json_get(pvc, "spec"),
		    "{\"accessModes\":[\"ReadWriteMany\"],\"resources\":"
		    "{\"requests\":{\"storage\":\"20Gi\"}},"
		    "\"storageClassName\":\"fast\"}");
	/* Retained: no owner, so the Shard's deletion does not take it. */
	assert_null(mg_json_get(pvc, "metadata.ownerReferences"));
	assert_json(mg_json_get(pvc, "metadata.labels"),
		    "{\"app.kubernetes.io/component\":\"shard-pool\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"app.kubernetes.io/managed-by\":\"multigres-operator\","
		    "\"app.kubernetes.io/name\":\"multigres\","
		    "\"app.kubernetes.io/part-of\":\"multigres\","
		    "\"multigres.com/cluster\":\"minimal\","
		    "\"multigres.com/database\":\"postgres\","
		    "\"multigres.com/shard\":\"0-inf\","
		    "\"multigres.com/tablegroup\":\"default\"}");
	cJSON_Delete(objs);

	set_json(cr, "spec.backup",
		 "{\"type\":\"s3\",\"s3\":{\"bucket\":\"b\",\"region\":\"r\"}}");
	objs = build(mg_build_shard_objects, cr, NULL);
	cJSON_ArrayForEach(pvc, objs)
		assert_string_not_equal(mg_json_str(pvc, "kind"),
					"PersistentVolumeClaim");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_shard_internal_tls_and_otel(void **state)
{
	const char *env[] = { "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:4318",
			      "OTEL_TRACES_EXPORTER=otlp",
			      "OTEL_RESOURCE_ATTRIBUTES=team=db,"
			      " multigres.cluster=stale ,a\\,b=c,,",
			      "PATH=/bin", NULL };
	struct mg_build_opts opts = MG_BUILD_OPTS_INIT;
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs;
	const cJSON *dep;
	char *got;

	(void)state;
	opts.env = env;
	set_json(cr, "spec.internalTLS.enabled", "true");
	set_json(cr, "spec.observability",
		 "{\"tracesExporter\":\"console\",\"samplingConfigRef\":"
		 "{\"name\":\"sampling\"}}");
	set_json(cr, "metadata.annotations",
		 "{\"multigres.com/project-ref\":\"proj\"}");
	objs = build(mg_build_shard_objects, cr, &opts);
	dep = find(objs, "Deployment", 0);
	assert_true(has_arg(dep, "--multipooler-grpc-require-tls"));
	assert_true(has_arg(dep, "/etc/multigres/tls/tls.crt"));
	assert_true(has_arg(dep, "multipooler.minimal.default."
				 "multigres.internal"));
	assert_json(mg_json_get(dep, "spec.template.spec.volumes"),
		    "[{\"name\":\"otel-sampling-config\",\"configMap\":"
		    "{\"name\":\"sampling\"}},{\"name\":\"tls-certs\",\"secret\":"
		    "{\"secretName\":\"multiorch.minimal.default.multigres."
		    "internal\",\"defaultMode\":292}}]");
	got = compact(mg_json_get(container(dep), "env"));
	assert_string_equal(
		got, "[{\"name\":\"OTEL_EXPORTER_OTLP_ENDPOINT\",\"value\":"
		     "\"http://otel:4318\"},{\"name\":\"OTEL_TRACES_EXPORTER\","
		     "\"value\":\"console\"},{\"name\":"
		     "\"OTEL_RESOURCE_ATTRIBUTES\",\"value\":\"team=db,"
		     "a\\\\,b=c,multigres.project=proj,multigres.cluster="
		     "minimal,multigres.component=multiorch\"},{\"name\":"
		     "\"OTEL_TRACES_SAMPLER_CONFIG\",\"value\":"
		     "\"/etc/otel/sampling-config.yaml\"}]");
	free(got);
	assert_json(mg_json_get(dep, "spec.template.metadata.annotations"),
		    "{\"multigres.com/project-ref\":\"proj\"}");
	cJSON_Delete(objs);

	/* "disabled" turns telemetry off whatever the operator has. */
	set_json(cr, "spec.observability", "{\"otlpEndpoint\":\"disabled\"}");
	objs = build(mg_build_shard_objects, cr, &opts);
	assert_null(mg_json_get(container(find(objs, "Deployment", 0)), "env"));
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_shard_errors(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_build_opts opts = MG_BUILD_OPTS_INIT;
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs;

	(void)state;
	del_json(cr, "metadata", "uid");
	assert_int_equal(build_err(mg_build_shard_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "uid"));
	/* The caller may give the uid (and the namespace). */
	opts.owner_uid = "u-9";
	opts.namespace = "other";
	objs = build(mg_build_shard_objects, cr, &opts);
	assert_owner(find(objs, "Service", 0), "Shard", SHARD_CR, "u-9");
	assert_string_equal(mg_json_str(find(objs, "Service", 0),
					 "metadata.namespace"),
			    "other");
	cJSON_Delete(objs);
	/* A preview (render) accepts no uid: references without one. */
	opts.owner_uid = NULL;
	opts.preview = true;
	objs = build(mg_build_shard_objects, cr, &opts);
	assert_string_equal(mg_json_str(find(objs, "Service", 0),
					 "metadata.ownerReferences.0.name"),
			    SHARD_CR);
	assert_null(mg_json_get(find(objs, "Service", 0),
				"metadata.ownerReferences.0.uid"));
	cJSON_Delete(objs);
	cJSON_Delete(cr);

	cr = fixture("shard.yaml");
	del_json(cr, "metadata.labels", MG_LABEL_CLUSTER);
	assert_int_equal(build_err(mg_build_shard_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "multigres.com/cluster"));
	cJSON_Delete(cr);

	cr = fixture("shard.yaml");
	del_json(cr, "spec", "shardName");
	assert_int_equal(build_err(mg_build_shard_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.shardName"));
	cJSON_Delete(cr);
	cr = fixture("cell.yaml");
	assert_int_equal(build_err(mg_build_shard_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "kind is 'Cell'"));
	cJSON_Delete(cr);
}

static void
test_deterministic_output(void **state)
{
	cJSON *a = fixture("shard.yaml"), *b = fixture("shard.yaml");
	cJSON *oa, *ob;
	char *ja, *jb;

	(void)state;
	/* Same pools and labels, written in another order. */
	set_json(a, "spec.pools.zeta", "{\"cells\":[\"zone-a\"]}");
	set_json(a, "spec.pools.alpha", "{\"cells\":[\"zone-b\"]}");
	set_json(b, "spec.pools.alpha", "{\"cells\":[\"zone-b\"]}");
	set_json(b, "spec.pools.zeta", "{\"cells\":[\"zone-a\"]}");
	set_json(a, "metadata.labels.zz", "\"1\"");
	set_json(a, "metadata.labels.aa", "\"2\"");
	set_json(b, "metadata.labels.aa", "\"2\"");
	set_json(b, "metadata.labels.zz", "\"1\"");
	oa = build(mg_build_shard_objects, a, NULL);
	ob = build(mg_build_shard_objects, b, NULL);
	ja = compact(oa);
	jb = compact(ob);
	assert_string_equal(ja, jb);
	free(jb);
	cJSON_Delete(ob);
	ob = build(mg_build_shard_objects, a, NULL);
	jb = compact(ob);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
	cJSON_Delete(oa);
	cJSON_Delete(ob);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_cell_gateway(void **state)
{
	cJSON *cr = fixture("cell.yaml");
	cJSON *objs;
	const cJSON *dep, *svc, *o;
	char *k;

	(void)state;
	del_json(cr, "spec.multigateway", "buffer");
	objs = build(mg_build_cell_objects, cr, NULL);
	k = kinds(objs);
	assert_string_equal(k, "Deployment Service");
	free(k);
	dep = find(objs, "Deployment", 0);
	svc = find(objs, "Service", 0);
	assert_string_equal(name_of(dep), "minimal-zone-a-multigateway-0ccc2e8b");
	assert_string_equal(name_of(svc), "minimal-zone-a-multigateway-0ccc2e8b");
	cJSON_ArrayForEach(o, objs)
		assert_owner(o, "Cell", CELL_CR, CELL_UID);
	/* No buffer block: no --buffer flag at all. */
	assert_args(dep, "multigateway --http-port 15100 --grpc-port 15170 "
			 "--pg-port 5432 --pg-replica-port 5433 "
			 "--topo-global-server-addresses minimal-global-topo."
			 "default.svc:2379 --topo-global-root /multigres/global "
			 "--cell zone-a --log-level info");
	assert_json(mg_json_get(dep, "metadata.labels"),
		    "{\"app.kubernetes.io/component\":\"multigateway\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"app.kubernetes.io/managed-by\":\"multigres-operator\","
		    "\"app.kubernetes.io/name\":\"multigres\","
		    "\"app.kubernetes.io/part-of\":\"multigres\","
		    "\"multigres.com/cell\":\"zone-a\","
		    "\"multigres.com/zone-id\":\"us-central1-a\"}");
	assert_json(mg_json_get(svc, "spec.selector"),
		    "{\"app.kubernetes.io/component\":\"multigateway\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"multigres.com/cell\":\"zone-a\"}");
	assert_json(mg_json_get(dep, "spec.template.spec.nodeSelector"),
		    "{\"topology.k8s.aws/zone-id\":\"us-central1-a\"}");
	assert_int_equal(mg_json_int(dep, "spec.replicas", -1), 1);
	assert_string_equal(mg_json_str(container(dep),
					"resources.limits.memory"),
			    "256Mi");
	assert_int_equal(cJSON_GetArraySize(mg_json_get(container(dep),
							"ports")),
			 4);
	assert_string_equal(mg_json_str(container(dep), "ports.3.name"),
			    "pg-replica");
	assert_int_equal(cJSON_GetArraySize(mg_json_get(svc, "spec.ports")), 3);
	cJSON_Delete(objs);

	/* region instead of zoneId */
	del_json(cr, "spec", "zoneId");
	set_json(cr, "spec.region", "\"us-central1\"");
	objs = build(mg_build_cell_objects, cr, NULL);
	dep = find(objs, "Deployment", 0);
	assert_json(mg_json_get(dep, "spec.template.spec.nodeSelector"),
		    "{\"topology.kubernetes.io/region\":\"us-central1\"}");
	assert_string_equal(mg_objmeta_get(mg_json_get(dep, "metadata.labels"),
					   MG_LABEL_REGION),
			    "us-central1");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_cell_buffer_flags_only_when_set(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *cr = fixture("cell.yaml");
	cJSON *objs;
	const cJSON *dep;
	char *args;

	(void)state;
	set_json(cr, "spec.multigateway.buffer",
		 "{\"window\":\"1m\",\"size\":5}");
	objs = build(mg_build_cell_objects, cr, NULL);
	dep = find(objs, "Deployment", 0);
	args = joined(mg_json_get(container(dep), "args"));
	assert_non_null(strstr(args, "--log-level info --buffer-window 1m0s "
				     "--buffer-size 5"));
	assert_null(strstr(args, "--buffer-enabled"));
	assert_null(strstr(args, "--buffer-max-failover-duration"));
	free(args);
	cJSON_Delete(objs);

	set_json(cr, "spec.multigateway.buffer",
		 "{\"enabled\":false,\"maxFailoverDuration\":\"20s\","
		 "\"minTimeBetweenFailovers\":\"90s\",\"drainConcurrency\":2}");
	objs = build(mg_build_cell_objects, cr, NULL);
	dep = find(objs, "Deployment", 0);
	args = joined(mg_json_get(container(dep), "args"));
	assert_non_null(strstr(args, "--log-level info --buffer-enabled=false "
				     "--buffer-max-failover-duration 20s "
				     "--buffer-min-time-between-failovers 1m30s "
				     "--buffer-drain-concurrency 2"));
	assert_null(strstr(args, "--buffer-window"));
	free(args);
	cJSON_Delete(objs);

	set_json(cr, "spec.multigateway.buffer", "{\"window\":\"10\"}");
	assert_int_equal(build_err(mg_build_cell_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.multigateway.buffer.window"));
	cJSON_Delete(cr);
}

static void
test_cell_local_topo_and_tls(void **state)
{
	cJSON *cr = fixture("cell.yaml");
	cJSON *objs;
	const cJSON *ts, *dep;
	char *want = NULL, *args;

	(void)state;
	set_json(cr, "spec.topoServer",
		 "{\"etcd\":{\"replicas\":1,\"storage\":{\"size\":\"1Gi\"},"
		 "\"pvcDeletionPolicy\":{\"whenDeleted\":\"Delete\"}}}");
	set_json(cr, "spec.internalTLS.enabled", "true");
	set_json(cr, "spec.certCommonName", "\"db.example.com\"");
	objs = build(mg_build_cell_objects, cr, NULL);
	args = kinds(objs);
	assert_string_equal(args, "TopoServer Deployment Service");
	free(args);
	ts = find(objs, "TopoServer", 0);
	assert_int_equal(mg_name_local_topo(&want, CELL_CR, NULL), 0);
	assert_string_equal(name_of(ts), want);
	free(want);
	assert_string_equal(mg_json_str(ts, "apiVersion"),
			    "multigres.com/v1alpha1");
	assert_owner(ts, "Cell", CELL_CR, CELL_UID);
	assert_string_equal(mg_objmeta_get(mg_json_get(ts, "metadata.labels"),
					   MG_LABEL_APP_COMPONENT),
			    "local-topo");
	assert_string_equal(mg_objmeta_get(mg_json_get(ts, "metadata.labels"),
					   MG_LABEL_CELL),
			    "zone-a");
	assert_json(mg_json_get(ts, "spec"),
		    "{\"etcd\":{\"replicas\":1,\"storage\":{\"size\":\"1Gi\"},"
		    "\"pvcDeletionPolicy\":{\"whenDeleted\":\"Delete\"}},"
		    "\"pvcDeletionPolicy\":{\"whenDeleted\":\"Delete\"}}");

	dep = find(objs, "Deployment", 0);
	args = joined(mg_json_get(container(dep), "args"));
	assert_non_null(strstr(args,
			       "--grpc-cert /etc/multigateway/tls-internal/"
			       "tls.crt"));
	assert_non_null(strstr(args, "--pg-tls-cert-file /etc/multigateway/"
				     "tls/tls.crt --pg-tls-key-file "
				     "/etc/multigateway/tls/tls.key"));
	free(args);
	assert_string_equal(mg_json_str(dep, "spec.template.spec.volumes.0."
					     "secret.secretName"),
			    "multigateway.minimal.default.multigres.internal");
	assert_string_equal(mg_json_str(dep, "spec.template.spec.volumes.1."
					     "secret.secretName"),
			    "generated-certs");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

/* A cell's local TopoServer feeds the TopoServer builder in turn. */
static void
test_cell_local_topo_round_trip(void **state)
{
	struct mg_build_opts opts = MG_BUILD_OPTS_INIT;
	cJSON *cr = fixture("cell.yaml");
	cJSON *cell_objs, *objs;
	const cJSON *sts;
	cJSON *ts;

	(void)state;
	set_json(cr, "spec.topoServer", "{\"etcd\":{\"replicas\":1}}");
	cell_objs = build(mg_build_cell_objects, cr, NULL);
	ts = cJSON_GetArrayItem(cell_objs, 0);
	opts.owner_uid = "ts-uid";
	objs = build(mg_build_topo_objects, ts, &opts);
	sts = find(objs, "StatefulSet", 0);
	assert_string_equal(name_of(sts), name_of(ts));
	assert_int_equal(mg_json_int(sts, "spec.replicas", 0), 1);
	/* component toposerver wins over local-topo; the cell comes along */
	assert_json(mg_json_get(sts, "spec.selector.matchLabels"),
		    "{\"app.kubernetes.io/component\":\"toposerver\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"multigres.com/cell\":\"zone-a\","
		    "\"multigres.com/cluster\":\"minimal\"}");
	assert_owner(sts, "TopoServer", name_of(ts), "ts-uid");
	cJSON_Delete(objs);
	cJSON_Delete(cell_objs);
	cJSON_Delete(cr);
}

/* Pool pods (poolpod.h) get the labels the Service and PDB select. */
static void
test_pool_labels_match_selectors(void **state)
{
	struct mg_name_shard_key key = { "minimal", "postgres", "default",
					 "0-inf" };
	cJSON *cr = fixture("shard.yaml");
	cJSON *objs = build(mg_build_shard_objects, cr, NULL);
	cJSON *pod = mg_build_pool_labels_new(
		&key, mg_json_get(cr, "metadata.labels"), "default", "zone-a");
	const cJSON *sels[2], *kv;
	size_t i;

	(void)state;
	sels[0] = mg_json_get(find(objs, "PodDisruptionBudget", 0),
			      "spec.selector.matchLabels");
	sels[1] = mg_json_get(find(objs, "Service", 1), "spec.selector");
	for (i = 0; i < ARRAY_SIZE(sels); i++) {
		assert_true(cJSON_GetArraySize(sels[i]) == 8);
		cJSON_ArrayForEach(kv, sels[i])
			assert_string_equal(mg_objmeta_get(pod, kv->string),
					    kv->valuestring);
	}
	cJSON_Delete(pod);
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_topo_statefulset_and_services(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *cr = fixture("toposerver.yaml");
	cJSON *objs;
	const cJSON *sts, *e, *peer, *client;
	const char *initial = NULL;
	char *k;

	(void)state;
	objs = build(mg_build_topo_objects, cr, NULL);
	k = kinds(objs);
	assert_string_equal(k, "StatefulSet Service Service");
	free(k);
	sts = find(objs, "StatefulSet", 0);
	peer = find(objs, "Service", 0);
	client = find(objs, "Service", 1);
	assert_string_equal(name_of(sts), "minimal-global-topo");
	assert_string_equal(name_of(peer), "minimal-global-topo-headless");
	assert_string_equal(name_of(client), "minimal-global-topo");
	assert_string_equal(mg_json_str(sts, "spec.serviceName"),
			    "minimal-global-topo-headless");
	assert_string_equal(mg_json_str(sts, "spec.podManagementPolicy"),
			    "Parallel");
	assert_json(mg_json_get(sts, "spec.persistentVolumeClaimRetentionPolicy"),
		    "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Delete\"}");
	assert_json(mg_json_get(sts, "spec.selector.matchLabels"),
		    "{\"app.kubernetes.io/component\":\"toposerver\","
		    "\"app.kubernetes.io/instance\":\"minimal\","
		    "\"multigres.com/cluster\":\"minimal\"}");
	cJSON_ArrayForEach(e, mg_json_get(container(sts), "env"))
		if (strcmp(mg_json_str(e, "name"), "ETCD_INITIAL_CLUSTER") == 0)
			initial = mg_json_str(e, "value");
	assert_non_null(initial);
	assert_string_equal(initial,
			    "minimal-global-topo-0=http://minimal-global-topo-0."
			    "minimal-global-topo-headless.default.svc.cluster."
			    "local:2380,minimal-global-topo-1=http://minimal-"
			    "global-topo-1.minimal-global-topo-headless.default."
			    "svc.cluster.local:2380,minimal-global-topo-2=http:"
			    "//minimal-global-topo-2.minimal-global-topo-"
			    "headless.default.svc.cluster.local:2380");
	assert_string_equal(mg_json_str(sts, "spec.volumeClaimTemplates.0."
					     "spec.resources.requests.storage"),
			    "1Gi");
	assert_string_equal(mg_json_str(peer, "spec.clusterIP"), "None");
	assert_int_equal(cJSON_GetArraySize(mg_json_get(peer, "spec.ports")),
			 2);
	assert_int_equal(cJSON_GetArraySize(mg_json_get(client, "spec.ports")),
			 1);
	assert_string_equal(mg_json_str(client, "spec.ipFamilyPolicy"),
			    "PreferDualStack");
	cJSON_Delete(objs);

	/* Nothing set: 3 replicas, 10Gi, the etcd fallback, Retain both. */
	set_json(cr, "spec", "{\"etcd\":{}}");
	objs = build(mg_build_topo_objects, cr, NULL);
	sts = find(objs, "StatefulSet", 0);
	assert_int_equal(mg_json_int(sts, "spec.replicas", 0), 3);
	assert_string_equal(mg_json_str(sts, "spec.volumeClaimTemplates.0."
					     "spec.resources.requests.storage"),
			    "10Gi");
	assert_string_equal(mg_json_str(container(sts), "image"),
			    "gcr.io/etcd-development/etcd:v3.6.7");
	assert_string_equal(mg_json_str(container(sts),
					"resources.limits.memory"),
			    "512Mi");
	assert_json(mg_json_get(sts, "spec.persistentVolumeClaimRetentionPolicy"),
		    "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}");
	cJSON_Delete(objs);

	set_json(cr, "spec.etcd.replicas", "0");
	assert_int_equal(build_err(mg_build_topo_objects, cr, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.etcd.replicas"));
	cJSON_Delete(cr);
}

static void
test_cluster_objects(void **state)
{
	cJSON *cr = fixture("cluster.yaml");
	cJSON *objs;
	const cJSON *o, *gw, *replica, *web;
	char *k;

	(void)state;
	objs = build(mg_build_cluster_objects, cr, NULL);
	k = kinds(objs);
	/* The global TopoServer CR is resolve.h's (mg_resolved). */
	assert_string_equal(k, "Deployment Service Deployment Service "
			       "Service Service");
	free(k);
	assert_string_equal(name_of(find(objs, "Deployment", 0)),
			    "minimal-multiadmin");
	assert_string_equal(name_of(find(objs, "Deployment", 1)),
			    "minimal-multiadmin-web");
	gw = find(objs, "Service", 2);
	replica = find(objs, "Service", 3);
	assert_string_equal(name_of(gw), "minimal-multigateway");
	assert_string_equal(name_of(replica), "minimal-multigateway-replica");
	cJSON_ArrayForEach(o, objs)
		assert_owner(o, "MultigresCluster", "minimal",
			     "5b1f1a34-7c0e-4d8e-9a55-000000000004");
	/* Every cell's gateways: no cell in the selector. */
	assert_json(mg_json_get(gw, "spec.selector"),
		    "{\"app.kubernetes.io/component\":\"multigateway\","
		    "\"app.kubernetes.io/instance\":\"minimal\"}");
	assert_json(mg_json_get(gw, "spec.ports"),
		    "[{\"name\":\"postgres\",\"port\":5432,\"targetPort\":"
		    "\"postgres\",\"protocol\":\"TCP\"}]");
	assert_json(mg_json_get(replica, "spec.ports"),
		    "[{\"name\":\"pg-replica\",\"port\":5433,\"targetPort\":"
		    "\"pg-replica\",\"protocol\":\"TCP\"}]");
	assert_args(find(objs, "Deployment", 0),
		    "--http-port=18000 --grpc-port=18070 "
		    "--topo-global-server-addresses=minimal-global-topo.default."
		    "svc:2379 --topo-global-root=/multigres/global "
		    "--service-map=grpc-multiadmin --pprof-http=true "
		    "--log-level=info");
	web = container(find(objs, "Deployment", 1));
	assert_string_equal(mg_json_str(web, "env.1.value"),
			    "http://minimal-multiadmin:18000");
	assert_string_equal(mg_json_str(web, "env.2.value"),
			    "minimal-multigateway");
	assert_string_equal(mg_json_str(web, "resources.requests.cpu"), "50m");
	cJSON_Delete(objs);
	cJSON_Delete(cr);
}

static void
test_cluster_external_and_errors(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *cr = fixture("cluster.yaml");
	cJSON *objs;
	const cJSON *gw;
	char *k;

	(void)state;
	set_json(cr, "spec.globalTopoServer",
		 "{\"external\":{\"endpoints\":[\"http://etcd.ext:2379\"],"
		 "\"rootPath\":\"/mg/global\"}}");
	set_json(cr, "spec.externalGateway",
		 "{\"enabled\":true,\"externalIPs\":[\"10.0.0.5\"],"
		 "\"annotations\":{\"lb\":\"yes\"}}");
	set_json(cr, "spec.multiadmin.placement",
		 "{\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}");
	objs = build(mg_build_cluster_objects, cr, NULL);
	k = kinds(objs);
	assert_string_equal(k, "Deployment Service Deployment Service Service "
			       "Service");
	free(k);
	assert_true(has_arg(find(objs, "Deployment", 0),
			    "--topo-global-server-addresses=http://etcd.ext:2379"));
	assert_true(has_arg(find(objs, "Deployment", 0),
			    "--topo-global-root=/mg/global"));
	assert_string_equal(mg_json_str(find(objs, "Deployment", 0),
					"spec.template.spec.tolerations.0.key"),
			    "k");
	gw = find(objs, "Service", 2);
	assert_json(mg_json_get(gw, "metadata.annotations"),
		    "{\"lb\":\"yes\"}");
	assert_json(mg_json_get(gw, "spec.externalIPs"), "[\"10.0.0.5\"]");
	/* Not the replica Service, nor admin-web (not enabled). */
	assert_null(mg_json_get(find(objs, "Service", 3), "spec.externalIPs"));
	assert_null(mg_json_get(find(objs, "Service", 1), "spec.externalIPs"));
	cJSON_Delete(objs);

	set_json(cr, "spec.multiadmin", "{\"templateRef\":\"standard-core\"}");
	assert_int_equal(build_err(mg_build_cluster_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.multiadmin.templateRef"));
	set_json(cr, "spec.multiadmin", "{}");
	set_json(cr, "spec.globalTopoServer", "{\"templateRef\":\"t\"}");
	assert_int_equal(build_err(mg_build_cluster_objects, cr, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "not resolved"));
	cJSON_Delete(cr);
}

static void
test_go_durations(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "10s", "10s" },	  { "1m", "1m0s" },
		{ "1.5s", "1.5s" },	  { "500ms", "500ms" },
		{ "1h2m", "1h2m0s" },	  { "90s", "1m30s" },
		{ "1us", "1\xc2\xb5s" },	  { "1\xce\xbcs", "1\xc2\xb5s" },
		{ "0", "0s" },		  { "0s", "0s" },
		{ "2h45m30.5s", "2h45m30.5s" }, { "1.000001s", "1.000001s" },
		{ ".5m", "30s" },	  { "100ns", "100ns" },
		{ "1500us", "1.5ms" },	  { "-1m", "-1m0s" },
		{ "25h", "25h0m0s" },
	};
	static const char *const bad[] = { "", "10", "1x", ".s", "s", "1m-",
					   "9999999999h", "+" };
	struct mg_err err = MG_ERR_INIT;
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(mg_build_go_duration(&out, ok[i].in, "d",
						      &err),
				 0);
		assert_string_equal(out, ok[i].out);
		free(out);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(mg_build_go_duration(&out, bad[i], "x.y",
						      &err),
				 MG_EINVAL);
		assert_null(out);
		assert_non_null(strstr(err.msg, "x.y"));
	}
}

static void
test_fallback_table(void **state)
{
	(void)state;
	/* multigres-operator-facts.md 1.13, through the builder */
	{
		cJSON *r = mg_build_resources_new(NULL, MG_COMP_MULTIORCH);
		cJSON *given = cJSON_Parse("{\"limits\":{\"cpu\":\"1\"}}");
		cJSON *copy = mg_build_resources_new(given, MG_COMP_ETCD);

		assert_string_equal(mg_json_str(r, "requests.cpu"), "50m");
		assert_string_equal(mg_json_str(r, "requests.memory"), "64Mi");
		assert_string_equal(mg_json_str(r, "limits.memory"), "128Mi");
		assert_null(mg_json_get(r, "limits.cpu"));
		cJSON_Delete(r);
		r = mg_build_resources_new(NULL, MG_COMP_ETCD);
		assert_string_equal(mg_json_str(r, "requests.memory"), "256Mi");
		cJSON_Delete(r);
		r = mg_build_resources_new(NULL, MG_COMP_MULTIADMIN_WEB);
		assert_string_equal(mg_json_str(r, "limits.memory"), "128Mi");
		assert_int_equal(mg_defaults_component(MG_COMP_ETCD)->replicas,
				 3);
		/* a partial block replaces the defaults entirely */
		assert_true(cJSON_Compare(given, copy, true));
		cJSON_Delete(r);
		cJSON_Delete(given);
		cJSON_Delete(copy);
	}
	assert_true(mg_build_resources_empty(NULL));
	{
		cJSON *claims = cJSON_Parse("{\"claims\":[{\"name\":\"gpu\"}]}");
		cJSON *empty = cJSON_Parse("{\"claims\":[],\"limits\":{}}");

		assert_false(mg_build_resources_empty(claims));
		assert_true(mg_build_resources_empty(empty));
		cJSON_Delete(claims);
		cJSON_Delete(empty);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_names_order_and_owner),
		cmocka_unit_test(test_shard_labels_and_selectors),
		cmocka_unit_test(test_multiorch_flags_ports_defaults),
		cmocka_unit_test(test_partial_resources_replace_the_default),
		cmocka_unit_test(test_multiorch_cells),
		cmocka_unit_test(test_backup_pvc_policy),
		cmocka_unit_test(test_shard_internal_tls_and_otel),
		cmocka_unit_test(test_shard_errors),
		cmocka_unit_test(test_deterministic_output),
		cmocka_unit_test(test_cell_gateway),
		cmocka_unit_test(test_cell_buffer_flags_only_when_set),
		cmocka_unit_test(test_cell_local_topo_and_tls),
		cmocka_unit_test(test_cell_local_topo_round_trip),
		cmocka_unit_test(test_pool_labels_match_selectors),
		cmocka_unit_test(test_topo_statefulset_and_services),
		cmocka_unit_test(test_cluster_objects),
		cmocka_unit_test(test_cluster_external_and_errors),
		cmocka_unit_test(test_go_durations),
		cmocka_unit_test(test_fallback_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
