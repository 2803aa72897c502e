/*
 * Unit tests for shared/poolpod.c.
 *
 * Where the expected values come from:
 *  - vectors A-D: the Shards of spec-hash.md 6.2 (shard-{a,b,c,d}.json,
 *    written from its description) must give the streams of
 *    stream-{a,b,c,d}.txt and the hashes and names of spec-hash.md 6.2,
 *    all computed by the reference's author with Go (see
 *    tests/fixtures/spechash/README.md);
 *  - the minimal sample: the names of the worked example of
 *    multigres-operator-facts.md 3.2 (the pod name is confirmed there by
 *    an upstream test);
 *  - everything else: the builder description of spec-hash.md 2 (which
 *    args, env, mounts and volumes appear when, in which order) and
 *    multigres-operator-facts.md 3.3-3.4 and 6.4, read by hand. No hash
 *    value below is ours alone: where a case has no Go vector, the test
 *    asserts pieces, not a hash.
 * Tests run from the top of the tree (make does that).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "build_shard.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "poolpod.h"
#include "spechash.h"
#include "testlib.h"
#include "xalloc.h"

#define FIXTURES "tests/fixtures/spechash/"

#define MINIMAL_POD "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0"

static cJSON *
load_json(const char *name)
{
	char *path = mg_xasprintf(FIXTURES "%s", name);
	char *text = mg_test_read(path);
	cJSON *j = cJSON_Parse(text);

	assert_non_null(j);
	free(text);
	free(path);
	return j;
}

static cJSON *
build(const cJSON *shard, const char *pool, const char *cell, long index,
      const struct mg_poolpod_opts *opts)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *pod = NULL;
	int rc = mg_poolpod_build(&pod, shard, pool, cell, index, opts, &err);

	if (rc)
		print_error("build: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(pod);
	return pod;
}

/* The pieces of the pod's hash, "\n" after each, with a leading "\n". */
static char *
pieces(const cJSON *pod)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_buf_addch(&b, '\n');
	assert_int_equal(mg_spechash_stream(&b, pod, "\n", NULL), 0);
	return mg_buf_detach(&b, NULL);
}

static bool
has_piece(const char *all, const char *piece)
{
	char *needle = mg_xasprintf("\n%s\n", piece);
	bool found = strstr(all, needle) != NULL;

	free(needle);
	return found;
}

/* Is a before b, both present? */
static bool
piece_before(const char *all, const char *a, const char *b)
{
	char *na = mg_xasprintf("\n%s\n", a), *nb = mg_xasprintf("\n%s\n", b);
	const char *pa = strstr(all, na), *pb = strstr(all, nb);

	free(na);
	free(nb);
	return pa && pb && pa < pb;
}

static const char *
annotation(const cJSON *obj, const char *key)
{
	const cJSON *a = mg_json_get(obj, "metadata.annotations");

	a = cJSON_GetObjectItemCaseSensitive(a, key);
	return cJSON_IsString(a) ? a->valuestring : NULL;
}

struct vector {
	const char *name;
	const char *hash;
};

/* spec-hash.md 6.2 (Go). */
static const struct vector vectors[] = {
	{ "a", "060fbd2e" },
	{ "b", "285998d3" },
	{ "c", "3defc839" },
	{ "d", "6370bfd7" },
};

static void
test_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		char *sname = mg_xasprintf("shard-%s.json", vectors[i].name);
		char *tname = mg_xasprintf(FIXTURES "stream-%s.txt",
					   vectors[i].name);
		cJSON *shard = load_json(sname);
		char *want = mg_test_read(tname);
		cJSON *pod = build(shard, "main", "z1", 0, NULL);
		struct mg_buf got = MG_BUF_INIT;
		char h[MG_SPECHASH_LEN + 1];

		assert_int_equal(mg_spechash_stream(&got, pod, "\n", NULL), 0);
		if (strcmp(got.data, want))
			print_error("vector %s:\n%s\n", vectors[i].name,
				    got.data);
		assert_string_equal(got.data, want);
		assert_string_equal(annotation(pod, MG_ANNOT_SPEC_HASH),
				    vectors[i].hash);
		assert_int_equal(mg_poolpod_desired_hash(shard, "main", "z1", 0,
							 NULL, h, NULL),
				 0);
		assert_string_equal(h, vectors[i].hash);
		/* spec-hash.md 6.2, derived names */
		assert_string_equal(
			mg_json_str(pod, "metadata.name"),
			"test-cluster-postgres-default-0-inf-pool-main-z1-67edfaca-0");
		assert_string_equal(
			mg_json_str(pod, "spec.volumes.0.persistentVolumeClaim.claimName"),
			"data-test-cluster-postgres-default-0-inf-pool-main-z1-67edfaca-0");
		mg_buf_release(&got);
		cJSON_Delete(pod);
		free(want);
		cJSON_Delete(shard);
		free(tname);
		free(sname);
	}
}

static void
test_minimal(void **state)
{
	cJSON *shard = load_json("shard-minimal.json");
	cJSON *pod = build(shard, "default", "zone-a", 0, NULL);
	cJSON *pod1 = build(shard, "default", "zone-a", 1, NULL);
	const cJSON *labels = mg_json_get(pod, "metadata.labels");
	char *all = pieces(pod);
	char h[MG_SPECHASH_LEN + 1];

	(void)state;
	/* facts 3.2, worked example */
	assert_string_equal(mg_json_str(pod, "metadata.name"), MINIMAL_POD);
	assert_true(has_piece(all, "arg=--service-id=p-45f814aa"));
	assert_string_equal(mg_json_str(pod, "spec.volumes.0.persistentVolumeClaim.claimName"),
			    "data-" MINIMAL_POD);
	/* filesystem backup: the shard's shared backup PVC */
	assert_string_equal(mg_json_str(pod, "spec.volumes.1.name"),
			    "backup-data");
	assert_string_equal(mg_json_str(pod, "spec.volumes.1.persistentVolumeClaim.claimName"),
			    "backup-data-minimal-postgres-default-0-inf-811a09a5");
	assert_string_equal(mg_json_str(pod, "spec.subdomain"),
			    "minimal-postgres-default-0-inf-pool-default-zone-a-h---22cdf02c");
	assert_string_equal(mg_json_str(pod, "spec.hostname"), MINIMAL_POD);
	assert_string_equal(mg_json_str(pod, "metadata.namespace"), "default");

	/* labels (facts 3.3) */
	assert_int_equal(cJSON_GetArraySize(labels), 11);
	assert_string_equal(cJSON_GetObjectItem(labels, MG_LABEL_APP_COMPONENT)
				    ->valuestring,
			    MG_COMPONENT_SHARD_POOL);
	assert_string_equal(cJSON_GetObjectItem(labels, MG_LABEL_APP_INSTANCE)
				    ->valuestring,
			    "minimal");
	assert_string_equal(cJSON_GetObjectItem(labels, MG_LABEL_POOL)
				    ->valuestring,
			    "default");
	assert_string_equal(cJSON_GetObjectItem(labels, MG_LABEL_CELL)
				    ->valuestring,
			    "zone-a");
	assert_string_equal(cJSON_GetObjectItem(labels, MG_LABEL_SHARD)
				    ->valuestring,
			    "0-inf");
	/* the Shard's own labels come along, under ours */
	assert_string_equal(cJSON_GetObjectItem(labels, MG_LABEL_CLUSTER)
				    ->valuestring,
			    "minimal");
	{
		cJSON *sl = mg_json_get(shard, "metadata.labels");
		cJSON *p2;

		cJSON_AddStringToObject(sl, "team", "db");
		p2 = build(shard, "default", "zone-a", 0, NULL);
		labels = mg_json_get(p2, "metadata.labels");
		assert_int_equal(cJSON_GetArraySize(labels), 12);
		assert_string_equal(cJSON_GetObjectItem(labels, "team")->valuestring,
				    "db");
		assert_string_equal(cJSON_GetObjectItem(labels,
							MG_LABEL_APP_COMPONENT)
					    ->valuestring,
				    MG_COMPONENT_SHARD_POOL);
		/* labels are not hashed */
		assert_string_equal(annotation(p2, MG_ANNOT_SPEC_HASH),
				    annotation(pod, MG_ANNOT_SPEC_HASH));
		cJSON_Delete(p2);
		cJSON_DeleteItemFromObject(sl, "team");
		labels = mg_json_get(pod, "metadata.labels");
	}
	/* annotations (facts 3.4) and the hash of the pod itself */
	assert_string_equal(annotation(pod, MG_ANNOT_PROMETHEUS_PORT), "9187");
	assert_null(annotation(pod, MG_ANNOT_POSTGRES_CONFIG_HASH));
	assert_int_equal(mg_spechash_pod(pod, h, NULL), 0);
	assert_string_equal(annotation(pod, MG_ANNOT_SPEC_HASH), h);
	/* every replica index has its own hash (service-id, claimName) */
	assert_string_not_equal(annotation(pod1, MG_ANNOT_SPEC_HASH), h);
	assert_string_equal(mg_json_str(pod1, "metadata.name"),
			    "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-1");
	/* owner */
	assert_string_equal(mg_json_str(pod, "metadata.ownerReferences.0.kind"),
			    "Shard");
	assert_string_equal(mg_json_str(pod, "metadata.ownerReferences.0.name"),
			    "minimal-postgres-default-0-inf-1e3c045c");
	assert_true(mg_json_bool(pod, "metadata.ownerReferences.0.controller",
				 false));

	/* the hashed pieces the resolved Shard brings */
	assert_true(has_piece(all, "arg=--log-level=info"));
	assert_true(has_piece(all, "arg=--topo-global-server-addresses=minimal-global-topo.default.svc:2379"));
	assert_true(has_piece(all, "arg=--topo-global-root=/multigres/global"));
	assert_true(has_piece(all, "arg=--cell=zone-a"));
	assert_true(has_piece(all, "arg=--pgbackrest-cert-dir=/certs/pgbackrest"));
	assert_true(has_piece(all, "res={\"limits\":{\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"}}"));
	assert_true(has_piece(all, "topology.k8s.aws/zone-id=us-central1-a"));
	assert_true(has_piece(all, "sc={\"runAsUser\":999,\"runAsGroup\":999,\"runAsNonRoot\":true}"));
	assert_false(has_piece(all, "sa="));
	/* the sidecar: restartPolicy Always, not hashed */
	assert_string_equal(mg_json_str(pod, "spec.initContainers.0.restartPolicy"),
			    "Always");
	/* no pull policy, ports by the names the headless Service uses,
	 * /live probes on pgctld and multipooler (not hashed) */
	assert_null(mg_json_get(pod, "spec.initContainers.0.imagePullPolicy"));
	assert_null(mg_json_get(pod, "spec.initContainers.0.ports"));
	assert_string_equal(mg_json_str(pod, "spec.containers.0.ports.2.name"),
			    "postgres");
	assert_int_equal(mg_json_int(pod, "spec.containers.0.ports.2.containerPort", 0),
			 5432);
	assert_string_equal(mg_json_str(pod, "spec.containers.1.ports.0.name"),
			    "metrics");
	assert_int_equal(mg_json_int(pod, "spec.initContainers.0.startupProbe.httpGet.port", 0),
			 15400);
	assert_int_equal(mg_json_int(pod, "spec.containers.0.readinessProbe.httpGet.port", 0),
			 15200);
	assert_string_equal(mg_json_str(pod, "spec.containers.0.livenessProbe.httpGet.path"),
			    "/live");
	/* project-ref: the cluster name when the Shard has none */
	assert_string_equal(annotation(pod, MG_ANNOT_PROJECT_REF), "minimal");

	free(all);
	cJSON_Delete(pod1);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

static void
test_pvc(void **state)
{
	cJSON *shard = load_json("shard-minimal.json");
	cJSON *pvc = NULL, *pool;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_poolpod_build_pvc(&pvc, shard, "default", "zone-a",
					      0, NULL, &err),
			 0);
	assert_string_equal(mg_json_str(pvc, "kind"), "PersistentVolumeClaim");
	assert_string_equal(mg_json_str(pvc, "metadata.name"),
			    "data-" MINIMAL_POD);
	assert_string_equal(mg_json_str(pvc, "metadata.namespace"), "default");
	assert_string_equal(
		cJSON_GetObjectItem(mg_json_get(pvc, "metadata.labels"),
				    MG_LABEL_APP_COMPONENT)->valuestring,
		MG_COMPONENT_SHARD_POOL);
	assert_string_equal(mg_json_str(pvc, "spec.accessModes.0"),
			    "ReadWriteOnce");
	assert_int_equal(cJSON_GetArraySize(mg_json_get(pvc, "spec.accessModes")),
			 1);
	assert_string_equal(mg_json_str(pvc, "spec.resources.requests.storage"),
			    "1Gi");
	assert_null(mg_json_get(pvc, "spec.storageClassName"));
	/* shard policy whenDeleted=Delete: owned by the Shard */
	assert_string_equal(mg_json_str(pvc, "metadata.ownerReferences.0.uid"),
			    "0f6e2a4c-1d2b-4c5e-9a7b-3c8d9e0f1a2b");
	cJSON_Delete(pvc);

	/* pool storage settings; the pool's Retain wins over the shard's */
	pool = mg_json_get(shard, "spec.pools.default");
	cJSON_ReplaceItemInObject(
		pool, "storage",
		cJSON_Parse("{\"size\":\"1024Mi\",\"class\":\"fast\","
			    "\"accessModes\":[\"ReadWriteOncePod\"]}"));
	cJSON_AddItemToObject(pool, "pvcDeletionPolicy",
			      cJSON_Parse("{\"whenDeleted\":\"Retain\"}"));
	assert_int_equal(mg_poolpod_build_pvc(&pvc, shard, "default", "zone-a",
					      3, NULL, &err),
			 0);
	assert_string_equal(mg_json_str(pvc, "metadata.name"),
			    "data-minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-3");
	assert_string_equal(mg_json_str(pvc, "spec.resources.requests.storage"),
			    "1Gi");
	assert_string_equal(mg_json_str(pvc, "spec.storageClassName"), "fast");
	assert_string_equal(mg_json_str(pvc, "spec.accessModes.0"),
			    "ReadWriteOncePod");
	assert_null(mg_json_get(pvc, "metadata.ownerReferences"));
	cJSON_Delete(pvc);

	/* no policy anywhere: Retain, no owner; a bad size is an error */
	cJSON_DeleteItemFromObject(pool, "pvcDeletionPolicy");
	cJSON_DeleteItemFromObject(mg_json_get(shard, "spec"),
				   "pvcDeletionPolicy");
	assert_int_equal(mg_poolpod_build_pvc(&pvc, shard, "default", "zone-a",
					      0, NULL, &err),
			 0);
	assert_null(mg_json_get(pvc, "metadata.ownerReferences"));
	cJSON_Delete(pvc);
	cJSON_ReplaceItemInObject(mg_json_get(pool, "storage"), "size",
				  cJSON_CreateString("lots"));
	assert_int_equal(mg_poolpod_build_pvc(&pvc, shard, "default", "zone-a",
					      0, NULL, &err),
			 MG_EINVAL);
	assert_null(pvc);
	assert_non_null(strstr(err.msg, "spec.pools[default].storage.size"));
	cJSON_Delete(shard);
}

/* OTEL (spec-hash.md 2.3): CRD first, then the operator's variables. */
static void
test_otel(void **state)
{
	static const char *const env[] = {
		"PATH=/bin",
		"OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317",
		"OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
		"OTEL_TRACES_SAMPLER=parentbased_always_on",
		"OTEL_RESOURCE_ATTRIBUTES= env=prod , a=x\\,y,,"
		"multigres.cluster=old,multigres.component =old,"
		"multigres.project",
		NULL,
	};
	struct mg_poolpod_opts opts = MG_POOLPOD_OPTS_INIT;
	cJSON *shard = load_json("shard-a.json");
	cJSON *pod, *spec = mg_json_get(shard, "spec");
	char *all;

	(void)state;
	opts.environ = env;
	pod = build(shard, "main", "z1", 0, &opts);
	all = pieces(pod);
	assert_true(piece_before(all,
				 "env=POSTGRES_INITDB_EXTRA_CONF=/etc/pgctld/postgres-config/postgresql.conf",
				 "env=OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317"));
	assert_true(piece_before(all,
				 "env=OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317",
				 "env=OTEL_EXPORTER_OTLP_PROTOCOL=grpc"));
	assert_true(piece_before(all, "env=OTEL_EXPORTER_OTLP_PROTOCOL=grpc",
				 "env=OTEL_TRACES_SAMPLER=parentbased_always_on"));
	assert_true(has_piece(all,
			      "env=OTEL_RESOURCE_ATTRIBUTES=env=prod,a=x\\,y,"
			      "multigres.project,"
			      "multigres.project=test-cluster,"
			      "multigres.cluster=test-cluster,"
			      "multigres.component=pgctld"));
	assert_true(has_piece(all,
			      "env=OTEL_RESOURCE_ATTRIBUTES=env=prod,a=x\\,y,"
			      "multigres.project,"
			      "multigres.project=test-cluster,"
			      "multigres.cluster=test-cluster,"
			      "multigres.component=multipooler"));
	assert_false(has_piece(all, "env=PATH=/bin"));
	free(all);
	cJSON_Delete(pod);

	/* the CRD wins; a project-ref; sampling with a key to clean */
	cJSON_AddItemToObject(
		spec, "observability",
		cJSON_Parse("{\"otlpProtocol\":\"http/protobuf\","
			    "\"metricsExporter\":\"none\","
			    "\"samplingConfigRef\":{\"name\":\"samp\",\"key\":\"a/../b//c.yaml\"}}"));
	cJSON_AddItemToObject(mg_json_get(shard, "metadata"), "annotations",
			      cJSON_Parse("{\"multigres.com/project-ref\":\"proj\"}"));
	pod = build(shard, "main", "z1", 0, &opts);
	all = pieces(pod);
	assert_true(has_piece(all, "env=OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"));
	assert_false(has_piece(all, "env=OTEL_EXPORTER_OTLP_PROTOCOL=grpc"));
	assert_true(has_piece(all, "env=OTEL_METRICS_EXPORTER=none"));
	assert_true(has_piece(all, "env=OTEL_TRACES_SAMPLER_CONFIG=/etc/otel/b/c.yaml"));
	assert_true(has_piece(all,
			      "env=OTEL_RESOURCE_ATTRIBUTES=env=prod,a=x\\,y,"
			      "multigres.project,"
			      "multigres.project=proj,"
			      "multigres.cluster=test-cluster,"
			      "multigres.component=multipooler"));
	assert_true(has_piece(all, "vm={\"name\":\"otel-sampling-config\",\"readOnly\":true,\"mountPath\":\"/etc/otel\"}"));
	assert_true(has_piece(all, "{\"name\":\"otel-sampling-config\",\"configMap\":{\"name\":\"samp\"}}"));
	assert_string_equal(annotation(pod, MG_ANNOT_PROJECT_REF), "proj");
	free(all);
	cJSON_Delete(pod);

	/* disabled: no OTEL variable at all (the sampling mount stays) */
	cJSON_ReplaceItemInObject(
		spec, "observability",
		cJSON_Parse("{\"otlpEndpoint\":\"disabled\","
			    "\"otlpProtocol\":\"grpc\","
			    "\"samplingConfigRef\":{\"name\":\"samp\"}}"));
	pod = build(shard, "main", "z1", 0, &opts);
	all = pieces(pod);
	assert_null(strstr(all, "env=OTEL_"));
	assert_true(has_piece(all, "vm={\"name\":\"otel-sampling-config\",\"readOnly\":true,\"mountPath\":\"/etc/otel\"}"));
	free(all);
	cJSON_Delete(pod);

	/* no endpoint anywhere, only a metrics endpoint: variables on */
	cJSON_ReplaceItemInObject(
		spec, "observability",
		cJSON_Parse("{\"otlpMetricsEndpoint\":\"http://m:4318\","
			    "\"samplingConfigRef\":{\"name\":\"samp\"}}"));
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_false(has_piece(all, "env=OTEL_EXPORTER_OTLP_ENDPOINT="));
	assert_true(has_piece(all, "env=OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://m:4318"));
	assert_true(has_piece(all, "env=OTEL_TRACES_SAMPLER_CONFIG=/etc/otel/sampling-config.yaml"));
	assert_true(has_piece(all, "env=OTEL_RESOURCE_ATTRIBUTES=multigres.project=proj,"
				   "multigres.cluster=test-cluster,"
				   "multigres.component=pgctld"));
	free(all);
	cJSON_Delete(pod);

	/* nothing at all: no variables (vector A) */
	cJSON_DeleteItemFromObject(spec, "observability");
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_null(strstr(all, "env=OTEL_"));
	free(all);
	cJSON_Delete(pod);

	/* no cluster label: the operator's own multigres.cluster stays */
	cJSON_DeleteItemFromObject(mg_json_get(shard, "metadata.labels"),
				   "multigres.com/cluster");
	pod = build(shard, "main", "z1", 0, &opts);
	all = pieces(pod);
	assert_true(has_piece(all,
			      "env=OTEL_RESOURCE_ATTRIBUTES=env=prod,a=x\\,y,"
			      "multigres.cluster=old,multigres.project,"
			      "multigres.project=proj,"
			      "multigres.component=pgctld"));
	free(all);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

/* TLS, encryption, user pgBackRest certs, filesystem backup (2.3, 2.4). */
static void
test_backup_and_tls(void **state)
{
	cJSON *shard = load_json("shard-minimal.json");
	cJSON *spec = mg_json_get(shard, "spec"), *pod;
	char *all;

	(void)state;
	cJSON_AddItemToObject(spec, "internalTLS",
			      cJSON_Parse("{\"enabled\":true}"));
	cJSON_AddItemToObject(mg_json_get(spec, "backup"), "encryption",
			      cJSON_Parse("{\"secretName\":\"cipher\"}"));
	cJSON_AddItemToObject(mg_json_get(spec, "backup"), "pgbackrestTLS",
			      cJSON_Parse("{\"secretName\":\"my-tls\"}"));
	pod = build(shard, "default", "zone-a", 0, NULL);
	all = pieces(pod);
	/* order: backup args, the eight TLS args, then the cipher */
	assert_true(piece_before(all,
				 "arg=--pgbackrest-ca-file=/certs/pgbackrest/ca.crt",
				 "arg=--grpc-cert"));
	assert_true(piece_before(all, "arg=--grpc-cert",
				 "arg=/etc/multigres/tls/tls.crt"));
	assert_true(piece_before(all, "arg=--grpc-server-ca",
				 "arg=--pgbackrest-cipher-key-file=/secrets/pgbackrest-cipher/keys.json"));
	assert_true(piece_before(all,
				 "vm={\"name\":\"pgbackrest-cipher\",\"readOnly\":true,\"mountPath\":\"/secrets/pgbackrest-cipher\"}",
				 "vm={\"name\":\"tls-certs\",\"readOnly\":true,\"mountPath\":\"/etc/multigres/tls\"}"));
	assert_true(has_piece(all,
			      "{\"name\":\"pgbackrest-certs\",\"projected\":{\"sources\":[{\"secret\":{\"name\":\"my-tls\",\"items\":["
			      "{\"key\":\"ca.crt\",\"path\":\"ca.crt\"},"
			      "{\"key\":\"tls.crt\",\"path\":\"pgbackrest.crt\"},"
			      "{\"key\":\"tls.key\",\"path\":\"pgbackrest.key\"}]}}],\"defaultMode\":288}}"));
	assert_true(piece_before(all,
				 "{\"name\":\"pgbackrest-cipher\",\"secret\":{\"secretName\":\"cipher\",\"defaultMode\":292}}",
				 "{\"name\":\"tls-certs\",\"secret\":{\"secretName\":\"multipooler.minimal.default.multigres.internal\",\"defaultMode\":292}}"));
	/* no S3: no AWS variables, no service account */
	assert_null(strstr(all, "env=AWS_"));
	assert_null(strstr(all, "\nsa="));
	free(all);
	cJSON_Delete(pod);

	/* an s3 block under a filesystem backup: its service account is
	 * used (2.2 does not ask for type s3), its variables are not */
	cJSON_AddItemToObject(mg_json_get(spec, "backup"), "s3",
			      cJSON_Parse("{\"region\":\"r\",\"credentialsSecret\":\"c\","
					  "\"serviceAccountName\":\"irsa\"}"));
	pod = build(shard, "default", "zone-a", 0, NULL);
	all = pieces(pod);
	assert_true(has_piece(all, "sa=irsa"));
	assert_null(strstr(all, "env=AWS_"));
	assert_string_equal(mg_json_str(pod, "spec.serviceAccountName"), "irsa");
	free(all);
	cJSON_Delete(pod);

	/* no namespace: the TLS secret name is "" and so omitted */
	cJSON_DeleteItemFromObject(mg_json_get(shard, "metadata"), "namespace");
	pod = build(shard, "default", "zone-a", 0, NULL);
	all = pieces(pod);
	assert_true(has_piece(all, "{\"name\":\"tls-certs\",\"secret\":{\"defaultMode\":292}}"));
	assert_null(mg_json_get(pod, "metadata.namespace"));
	free(all);
	cJSON_Delete(pod);

	/* no backup at all: emptyDir, no pgBackRest pieces */
	cJSON_DeleteItemFromObject(spec, "backup");
	pod = build(shard, "default", "zone-a", 0, NULL);
	all = pieces(pod);
	assert_true(has_piece(all, "{\"name\":\"backup-data\",\"emptyDir\":{}}"));
	assert_null(strstr(all, "pgbackrest"));
	free(all);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

/* Identities, images, superuser, initdb args, hidden input 1. */
static void
test_identity_and_more(void **state)
{
	cJSON *shard = load_json("shard-a.json");
	cJSON *spec = mg_json_get(shard, "spec");
	cJSON *pool = mg_json_get(shard, "spec.pools.main");
	struct mg_poolpod_opts opts = MG_POOLPOD_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *pod = NULL;
	char *all;

	(void)state;
	/* custom images: no 999 defaults */
	cJSON_AddItemToObject(spec, "images",
			      cJSON_Parse("{\"postgres\":\"my/pg:1\",\"multipooler\":\"my/mp:1\"}"));
	cJSON_AddStringToObject(spec, "postgresSuperuser", "admin");
	cJSON_AddStringToObject(spec, "initdbArgs", "--data-checksums");
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_true(has_piece(all, "image=my/pg:1"));
	assert_true(has_piece(all, "sc={\"runAsNonRoot\":true}"));
	assert_true(has_piece(all, "env=POSTGRES_USER=admin"));
	assert_true(has_piece(all, "env=DATA_SOURCE_USER=admin"));
	assert_true(piece_before(all, "env=POSTGRES_PASSWORD_FILE=/etc/postgres-password/password",
				 "env=POSTGRES_INITDB_ARGS=--data-checksums"));
	assert_true(piece_before(all, "env=POSTGRES_INITDB_ARGS=--data-checksums",
				 "env=POSTGRES_INITDB_EXTRA_CONF=/etc/pgctld/postgres-config/postgresql.conf"));
	/* the exporter keeps its fixed image and identity */
	assert_true(has_piece(all, "image=quay.io/prometheuscommunity/postgres-exporter:v0.20.1"));
	free(all);
	cJSON_Delete(pod);

	/* multipooler inherits postgres's user but not its group */
	cJSON_AddItemToObject(pool, "postgres",
			      cJSON_Parse("{\"runAsUser\":1000,\"runAsGroup\":0}"));
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_true(piece_before(all,
				 "sc={\"runAsUser\":1000,\"runAsGroup\":0,\"runAsNonRoot\":true}",
				 "name=multipooler"));
	assert_true(piece_before(all, "name=multipooler",
				 "sc={\"runAsUser\":1000,\"runAsNonRoot\":true}"));
	free(all);
	cJSON_Delete(pod);

	/* default images again: unset values become 999, set ones stay */
	cJSON_DeleteItemFromObject(spec, "images");
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_true(has_piece(all, "sc={\"runAsUser\":1000,\"runAsGroup\":0,\"runAsNonRoot\":true}"));
	assert_true(has_piece(all, "sc={\"runAsUser\":1000,\"runAsGroup\":999,\"runAsNonRoot\":true}"));
	free(all);
	cJSON_Delete(pod);

	/* multipooler.runAsUser without (or unlike) postgres's: refused */
	cJSON_AddItemToObject(pool, "multipooler",
			      cJSON_Parse("{\"runAsUser\":1001}"));
	assert_int_equal(mg_poolpod_build(&pod, shard, "main", "z1", 0, NULL,
					  &err),
			 MG_EINVAL);
	assert_null(pod);
	assert_non_null(strstr(err.msg, "spec.pools[main].multipooler.runAsUser"));
	{
		char h[MG_SPECHASH_LEN + 1] = "x";

		assert_int_equal(mg_poolpod_desired_hash(shard, "main", "z1", 0,
							 NULL, h, NULL),
				 MG_EINVAL);
		assert_string_equal(h, "");
	}
	cJSON_DeleteItemFromObject(pool, "multipooler");
	cJSON_DeleteItemFromObject(pool, "postgres");

	/* hidden input 1 from the options, else the shard annotation */
	opts.postgres_config_hash = "0123abcd";
	pod = build(shard, "main", "z1", 0, &opts);
	all = pieces(pod);
	assert_true(has_piece(all, "pgcfg=0123abcd"));
	assert_string_equal(annotation(pod, MG_ANNOT_POSTGRES_CONFIG_HASH),
			    "0123abcd");
	free(all);
	cJSON_Delete(pod);
	cJSON_AddItemToObject(mg_json_get(shard, "metadata"), "annotations",
			      cJSON_Parse("{\"multigres.com/postgres-config-hash\":\"feed\"}"));
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_true(has_piece(all, "pgcfg=feed"));
	free(all);
	cJSON_Delete(pod);
	opts.postgres_config_hash = "";
	pod = build(shard, "main", "z1", 0, &opts);
	all = pieces(pod);
	assert_null(strstr(all, "pgcfg="));
	free(all);
	cJSON_Delete(pod);

	/* an empty affinity is still an affinity: "{}" */
	cJSON_AddItemToObject(pool, "affinity", cJSON_CreateObject());
	cJSON_AddItemToObject(pool, "tolerations", cJSON_CreateArray());
	pod = build(shard, "main", "z1", 0, NULL);
	all = pieces(pod);
	assert_true(piece_before(all,
				 "{\"name\":\"postgres-exporter-queries\",\"configMap\":{\"name\":\"test-shard-exporter-queries\"}}",
				 "{}"));
	assert_null(mg_json_get(pod, "spec.tolerations"));
	free(all);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *path; /* where in spec.pools.main to put it */
		const char *key;
		const char *json;
		int code;
		const char *msg;
	} v[] = {
		{ "spec.pools.main", "fsGroup", "\"1\"", MG_EINVAL,
		  "shard 'test-shard': spec.pools[main].fsGroup: expected an integer" },
		{ "spec.pools.main", "affinity", "[]", MG_EINVAL,
		  "shard 'test-shard': spec.pools[main].affinity: expected an object" },
		{ "spec.pools.main", "tolerations",
		  "[{\"tolerationSeconds\":\"x\"}]", MG_EINVAL,
		  "shard 'test-shard': spec.pools[main].tolerations[0].tolerationSeconds: expected an integer" },
		{ "spec.pools.main", "postgres",
		  "{\"resources\":{\"limits\":{\"cpu\":\"abc\"}}}", MG_EINVAL,
		  "shard 'test-shard': spec.pools[main].postgres.resources.limits[cpu]: quantity 'abc'" },
		{ "spec", "logLevels", "{\"pgctld\":1}", MG_EINVAL,
		  "shard 'test-shard': spec.logLevels.pgctld: expected a string" },
		{ "spec", "cellTopologyLabels", "{\"z1\":{\"k\":1}}",
		  MG_EINVAL,
		  "shard 'test-shard': spec.cellTopologyLabels[z1][k]: expected a string" },
		{ "spec", "pools", "{\"other\":{}}", MG_ENOTFOUND,
		  "shard 'test-shard': pool 'main' is not in spec.pools" },
		{ "metadata", "name", "\"\"", MG_EINVAL,
		  "shard '': metadata.name is empty" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		cJSON *shard = load_json("shard-a.json");
		cJSON *at = mg_json_get(shard, v[i].path);
		struct mg_err err = MG_ERR_INIT;
		cJSON *pod = NULL;

		assert_non_null(at);
		cJSON_DeleteItemFromObject(at, v[i].key);
		cJSON_AddItemToObject(at, v[i].key, cJSON_Parse(v[i].json));
		assert_int_equal(mg_poolpod_build(&pod, shard, "main", "z1", 0,
						  NULL, &err),
				 v[i].code);
		assert_null(pod);
		if (strncmp(err.msg, v[i].msg, strlen(v[i].msg)))
			print_error("got '%s'\n", err.msg);
		assert_int_equal(strncmp(err.msg, v[i].msg, strlen(v[i].msg)),
				 0);
		cJSON_Delete(shard);
	}
	{
		cJSON *arr = cJSON_CreateArray();
		cJSON *pod = NULL;
		struct mg_err err = MG_ERR_INIT;

		assert_int_equal(mg_poolpod_build(&pod, arr, "main", "z1", 0,
						  NULL, &err),
				 MG_EINVAL);
		assert_int_equal(mg_poolpod_build_pvc(&pod, arr, "main", "z1",
						      0, NULL, &err),
				 MG_EINVAL);
		assert_null(pod);
		cJSON_Delete(arr);
	}
}

/* Unknown keys in user-controlled parts are dropped, as Go drops them. */
static void
test_normalized_copies(void **state)
{
	cJSON *shard = load_json("shard-c.json");
	cJSON *pool = mg_json_get(shard, "spec.pools.main");
	cJSON *pod;
	char h[MG_SPECHASH_LEN + 1];
	char *s;

	(void)state;
	cJSON_AddStringToObject(mg_json_get(pool, "affinity.nodeAffinity"),
				"futureField", "x");
	cJSON_AddStringToObject(mg_json_get(pool, "tolerations.0"), "junk",
				"x");
	cJSON_ReplaceItemInObject(mg_json_get(pool, "postgres.resources.requests"),
				  "memory", cJSON_CreateString("262144Ki"));
	pod = build(shard, "main", "z1", 0, NULL);
	/* still vector C: 262144Ki is 256Mi, and the junk is gone */
	assert_string_equal(annotation(pod, MG_ANNOT_SPEC_HASH), "3defc839");
	assert_int_equal(mg_spechash_pod(pod, h, NULL), 0);
	assert_string_equal(h, "3defc839");
	s = cJSON_PrintUnformatted(mg_json_get(pod, "spec.tolerations"));
	assert_string_equal(s, "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"database\",\"effect\":\"NoSchedule\"}]");
	cJSON_free(s);
	assert_string_equal(mg_json_str(pod, "spec.initContainers.0.resources.requests.memory"),
			    "256Mi");
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

/* Does every member of sel appear, equal, in labels? */
static bool
selects(const cJSON *sel, const cJSON *labels)
{
	const cJSON *it;

	if (!cJSON_IsObject(sel) || !sel->child)
		return false;
	cJSON_ArrayForEach(it, sel) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(labels,
								  it->string);

		if (!cJSON_IsString(l) || strcmp(l->valuestring, it->valuestring))
			return false;
	}
	return true;
}

/*
 * The pods carry exactly the labels of mg_build_pool_labels_new, so the
 * pool's headless Service and PodDisruptionBudget (build_shard.h) select
 * them, and only the pods of their own pool x cell.
 */
static void
test_labels_match_selectors(void **state)
{
	cJSON *shard = load_json("shard-minimal.json");
	struct mg_name_shard_key key = { "minimal", "postgres", "default",
					 "0-inf" };
	cJSON *pod = build(shard, "default", "zone-a", 0, NULL);
	cJSON *other, *want, *objs = cJSON_CreateArray(), *o, *pvc = NULL;
	struct mg_err err = MG_ERR_INIT;
	int services = 0, pdbs = 0;

	(void)state;
	want = mg_build_pool_labels_new(&key, mg_json_get(shard,
							  "metadata.labels"),
					"default", "zone-a");
	assert_true(cJSON_Compare(want, mg_json_get(pod, "metadata.labels"),
				  true));
	assert_int_equal(mg_poolpod_build_pvc(&pvc, shard, "default", "zone-a",
					      0, NULL, &err),
			 0);
	assert_true(cJSON_Compare(want, mg_json_get(pvc, "metadata.labels"),
				  true));
	/* a pod of the same pool in another cell */
	cJSON_AddItemToArray(mg_json_get(shard, "spec.pools.default.cells"),
			     cJSON_CreateString("zone-b"));
	other = build(shard, "default", "zone-b", 0, NULL);

	assert_int_equal(mg_build_shard_objects(shard, NULL, objs, &err), 0);
	cJSON_ArrayForEach(o, objs) {
		const char *kind = mg_json_str(o, "kind");
		const cJSON *sel = NULL;

		if (!strcmp(kind, "Service") &&
		    mg_json_str(o, "spec.clusterIP") &&
		    !strcmp(mg_json_str(o, "spec.clusterIP"), "None")) {
			sel = mg_json_get(o, "spec.selector");
			services++;
		} else if (!strcmp(kind, "PodDisruptionBudget")) {
			sel = mg_json_get(o, "spec.selector.matchLabels");
			pdbs++;
		} else {
			continue;
		}
		if (strstr(mg_json_str(o, "metadata.name"), "zone-a")) {
			assert_true(selects(sel, mg_json_get(pod, "metadata.labels")));
			assert_false(selects(sel, mg_json_get(other, "metadata.labels")));
		} else {
			assert_true(selects(sel, mg_json_get(other, "metadata.labels")));
			assert_false(selects(sel, mg_json_get(pod, "metadata.labels")));
		}
	}
	assert_int_equal(services, 2);
	assert_int_equal(pdbs, 2);

	/* A Shard without a uid (render): references without one. */
	cJSON_DeleteItemFromObject(mg_json_get(shard, "metadata"), "uid");
	cJSON_Delete(other);
	other = build(shard, "default", "zone-a", 0, NULL);
	assert_string_equal(mg_json_str(other, "metadata.ownerReferences.0.name"),
			    "minimal-postgres-default-0-inf-1e3c045c");
	assert_null(mg_json_get(other, "metadata.ownerReferences.0.uid"));
	assert_string_equal(annotation(other, MG_ANNOT_SPEC_HASH),
			    annotation(pod, MG_ANNOT_SPEC_HASH));

	cJSON_Delete(want);
	cJSON_Delete(pvc);
	cJSON_Delete(objs);
	cJSON_Delete(other);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

/* mg_poolpod_snap_hash: a live pod's drift input. The desired hash of the
 * live pod equals the built pod's, and the pod's own postgres-config hash
 * is taken in (the operator keeps that one in memory). */
static void
test_snap_hash_takes_the_live_config_hash(void **state)
{
	cJSON *shard = load_json("shard-minimal.json");
	cJSON *built = build(shard, "default", "zone-a", 0, NULL);
	struct mg_poolpod_opts opts = MG_POOLPOD_OPTS_INIT;
	cJSON *with_cfg;
	char h[MG_SPECHASH_LEN + 1], want[MG_SPECHASH_LEN + 1];

	(void)state;
	assert_int_equal(mg_poolpod_snap_hash(NULL, shard, built, "default",
					      "zone-a", 0, h), 0);
	assert_string_equal(h, annotation(built, MG_ANNOT_SPEC_HASH));

	opts.postgres_config_hash = "c0ffee";
	with_cfg = build(shard, "default", "zone-a", 0, &opts);
	assert_int_equal(mg_poolpod_snap_hash(NULL, shard, with_cfg, "default",
					      "zone-a", 0, want), 0);
	assert_string_equal(want, annotation(with_cfg, MG_ANNOT_SPEC_HASH));
	assert_string_not_equal(want, h);

	/* a pool the Shard does not have: no desired hash */
	assert_int_equal(mg_poolpod_snap_hash(NULL, shard, built, "nope",
					      "zone-a", 0, h), -1);
	cJSON_Delete(with_cfg);
	cJSON_Delete(built);
	cJSON_Delete(shard);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_snap_hash_takes_the_live_config_hash),
		cmocka_unit_test(test_pvc),
		cmocka_unit_test(test_otel),
		cmocka_unit_test(test_backup_and_tls),
		cmocka_unit_test(test_identity_and_more),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_normalized_copies),
		cmocka_unit_test(test_labels_match_selectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
