/*
 * Unit tests for shared/render.c.
 *
 * Golden files: every sample of deploy/samples rendered without and with
 * children to YAML, compared byte for byte with tests/golden/render/
 * <name>.yaml and <name>.children.yaml. MG_UPDATE_GOLDEN=1 rewrites them
 * instead (then read the diff: a golden is only as right as its review).
 * What the goldens were checked against: multigres-operator-facts.md 3.2
 * (the names of the worked example, cluster `minimal`, cell `zone-a`),
 * 1.12-1.13 (images, resources, replicas, storage) and 2 (the chain);
 * the CRD's own defaults (postgresSuperuser, pvcDeletionPolicy sides) are
 * in them as the API server would store them.
 * Also: the input (files of objects), the options (operator environment,
 * namespace, owner uid), the output, and the pool pods against the
 * spec-hash fixture of the minimal sample.
 * Tests run from the top of the tree (make does that).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "poolpod.h"
#include "render.h"
#include "resolve.h"
#include "testlib.h"
#include "validate.h"
#include "xalloc.h"
#include "yaml_json.h"

#define SAMPLES "deploy/samples/"
#define GOLDEN  "tests/golden/render"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

struct sample {
	const char *name;         /* golden file stem */
	const char *files[3];     /* inputs, NULL-terminated */
	const char *cluster;      /* the cluster to render */
};

static const struct sample samples[] = {
	{ "minimal", { SAMPLES "minimal.yaml", NULL }, "minimal" },
	{ "templated-cluster",
	  { SAMPLES "templates.yaml", SAMPLES "templated-cluster.yaml", NULL },
	  "standard-ha-cluster" },
	{ "overrides",
	  { SAMPLES "templates.yaml", SAMPLES "overrides.yaml", NULL },
	  "overrides-cluster" },
	{ "multi-cell", { SAMPLES "multi-cell.yaml", NULL }, "prod-eu" },
	{ "external-etcd", { SAMPLES "external-etcd.yaml", NULL }, "ext-etcd" },
	{ "inline", { SAMPLES "inline.yaml", NULL }, "inline" },
	/* the namespace's `default` templates under the minimal cluster */
	{ "default-templates",
	  { SAMPLES "default-templates.yaml", SAMPLES "minimal.yaml", NULL },
	  "minimal" },
};

static void
input_add_file(struct mg_render_input *in, const char *path)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;

	if (mg_buf_read_file(&b, path, &err) ||
	    mg_render_input_add(in, b.data, b.len, path, &err))
		fail_msg("%s: %s", path, err.msg);
	mg_buf_release(&b);
}

static void
input_add_text(struct mg_render_input *in, const char *text)
{
	struct mg_err err = MG_ERR_INIT;

	if (mg_render_input_add(in, text, strlen(text), "test", &err))
		fail_msg("input: %s", err.msg);
}

/* Renders a cluster of the input, failing the test on error. */
static cJSON *
render_input(const struct mg_render_input *in, const char *name,
	     const struct mg_render_opts *opts)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_templates *t = NULL;
	const cJSON *cluster = NULL;
	cJSON *out = NULL;

	if (mg_render_input_cluster(in, name, &cluster, &err) ||
	    mg_render_input_templates(in, "default", &t, &err) ||
	    mg_render(&out, cluster, t, opts, &f, &err))
		fail_msg("render %s: %s", name ? name : "", err.msg);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 0);
	mg_findings_release(&f);
	mg_templates_free(t);
	return out;
}

static cJSON *
render_sample(const struct sample *s, bool children)
{
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	struct mg_render_opts o = MG_RENDER_OPTS_INIT;
	cJSON *out;
	size_t i;

	for (i = 0; s->files[i]; i++)
		input_add_file(&in, s->files[i]);
	o.children = children;
	out = render_input(&in, s->cluster, &o);
	mg_render_input_release(&in);
	return out;
}

static char *
emit(const cJSON *list, enum mg_render_format fmt)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;

	if (mg_render_emit(&b, list, fmt, &err))
		fail_msg("emit: %s", err.msg);
	return mg_buf_detach(&b, NULL);
}

static void
load_sample(struct mg_render_input *in, const struct sample *s)
{
	size_t i;

	for (i = 0; s->files[i]; i++)
		input_add_file(in, s->files[i]);
}

static cJSON *
input_cluster(const struct mg_render_input *in)
{
	cJSON *o;

	cJSON_ArrayForEach(o, in->objects)
		if (!strcmp(mg_json_str(o, "kind"), "MultigresCluster"))
			return o;
	fail_msg("no cluster");
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

#define CLUSTER_A                                                        \
	"apiVersion: multigres.com/v1alpha1\n"                           \
	"kind: MultigresCluster\n"                                       \
	"metadata: {name: a}\n"                                          \
	"spec:\n"                                                        \
	"  postgresPasswordSecretRef: {name: pw, key: password}\n"       \
	"  cells: [{name: z1, zoneId: zone-1}]\n"

#define SECRET                                                           \
	"apiVersion: v1\nkind: Secret\nmetadata: {name: pw}\n"

static int
add_err(struct mg_render_input *in, const char *text, struct mg_err *err)
{
	return mg_render_input_add(in, text, strlen(text), "in.yaml", err);
}

static void
test_input(void **state)
{
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_templates *t = NULL;
	const cJSON *c = NULL;

	(void)state;
	/* No cluster at all. */
	input_add_text(&in, SECRET);
	assert_int_equal(mg_render_input_cluster(&in, NULL, &c, &err),
			 MG_ENOTFOUND);
	assert_null(c);
	assert_string_equal(err.msg, "no MultigresCluster in the input "
				     "(0 templates, 1 other object)");

	/* Two clusters: one must be named. */
	input_add_text(&in, CLUSTER_A "---\n" SECRET "---\n"
			    "apiVersion: multigres.com/v1alpha1\n"
			    "kind: MultigresCluster\n"
			    "metadata: {name: b}\n");
	assert_int_equal(in.clusters, 2);
	assert_int_equal(in.others, 2);
	assert_int_equal(mg_render_input_cluster(&in, NULL, &c, &err),
			 MG_EINVAL);
	assert_string_equal(err.msg, "the input has 2 MultigresClusters ('a' "
				     "and 'b'): name the one to render");
	assert_int_equal(mg_render_input_cluster(&in, "b", &c, &err), 0);
	assert_string_equal(mg_json_str(c, "metadata.name"), "b");
	assert_int_equal(mg_render_input_cluster(&in, "c", &c, &err),
			 MG_ENOTFOUND);
	assert_string_equal(err.msg, "no MultigresCluster 'c' in the input "
				     "(there are 'a' and 'b')");

	/* Bad objects: nothing of that input is added. */
	assert_int_equal(add_err(&in,
				 SECRET "---\n"
				 "apiVersion: multigres.com/v1alpha1\n"
				 "kind: MultigresClustr\n"
				 "metadata: {name: x}\n",
				 &err),
			 MG_EINVAL);
	assert_string_equal(err.msg,
			    "in.yaml: object 2: unknown kind 'MultigresClustr' "
			    "in multigres.com/v1alpha1 (it has "
			    "MultigresCluster, CoreTemplate, CellTemplate, "
			    "ShardTemplate, Cell, TableGroup, Shard and "
			    "TopoServer)");
	assert_int_equal(cJSON_GetArraySize(in.objects), 4);
	assert_int_equal(add_err(&in,
				 "apiVersion: multigres.com/v1beta1\n"
				 "kind: MultigresCluster\n"
				 "metadata: {name: x}\n",
				 &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "apiVersion 'multigres.com/v1beta1' "
					"is not served"));
	assert_int_equal(add_err(&in, "metadata: {name: x}\n", &err),
			 MG_EINVAL);
	assert_string_equal(err.msg, "in.yaml: object 1 'x': no kind");
	assert_int_equal(add_err(&in, "kind: Secret\n", &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "no apiVersion"));
	assert_int_equal(add_err(&in, "just text\n", &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "not a Kubernetes object"));
	assert_int_equal(add_err(&in, "a: [\n", &err), MG_EPARSE);
	assert_non_null(strstr(err.msg, "in.yaml"));
	assert_int_equal(cJSON_GetArraySize(in.objects), 4);
	mg_render_input_release(&in);

	/* Lists are flattened; templates of another namespace skipped. */
	input_add_text(&in,
		       "apiVersion: multigres.com/v1alpha1\n"
		       "kind: CellTemplateList\n"
		       "items:\n"
		       "- metadata: {name: c1}\n"
		       "  spec: {multigateway: {replicas: 4}}\n"
		       "- metadata: {name: c2, namespace: elsewhere}\n"
		       "  spec: {}\n"
		       "---\n"
		       "{\"apiVersion\": \"v1\", \"kind\": \"List\","
		       " \"items\": ["
		       "{\"apiVersion\": \"multigres.com/v1alpha1\","
		       " \"kind\": \"ShardTemplate\","
		       " \"metadata\": {\"name\": \"s1\","
		       " \"namespace\": \"ns\"}}]}\n");
	assert_int_equal(in.templates, 3);
	assert_string_equal(mg_json_str(in.objects, "0.kind"), "CellTemplate");
	assert_int_equal(mg_render_input_templates(&in, "ns", &t, &err), 0);
	assert_int_equal(mg_templates_count(t), 2);
	assert_non_null(mg_templates_get(t, MG_TEMPLATE_CELL, "c1"));
	assert_null(mg_templates_get(t, MG_TEMPLATE_CELL, "c2"));
	assert_non_null(mg_templates_get(t, MG_TEMPLATE_SHARD, "s1"));
	mg_templates_free(t);

	/* Into a set that has some already: the input's replace them. */
	{
		cJSON *stored = cJSON_Parse(
			"[{\"kind\":\"CellTemplate\",\"metadata\":"
			"{\"name\":\"c1\"},\"spec\":{}},"
			"{\"kind\":\"CellTemplate\",\"metadata\":"
			"{\"name\":\"c3\"},\"spec\":{}}]");

		t = mg_templates_new();
		assert_int_equal(mg_templates_add_list(t, stored, NULL, &err),
				 2);
		assert_int_equal(
			mg_render_input_add_templates(&in, "ns", t, &err), 2);
		assert_int_equal(mg_templates_count(t), 3);
		assert_int_equal(mg_json_int(mg_templates_get(t,
							      MG_TEMPLATE_CELL,
							      "c1"),
					     "spec.multigateway.replicas", 0),
				 4);
		assert_non_null(mg_templates_get(t, MG_TEMPLATE_CELL, "c3"));
		mg_templates_free(t);
		cJSON_Delete(stored);
	}
	mg_render_input_release(&in);
}

/* The CRD's defaults, where the API server would put them. */
static void
test_schema_defaults(void **state)
{
	cJSON *c = cJSON_Parse(
		"{\"apiVersion\":\"multigres.com/v1alpha1\","
		"\"kind\":\"MultigresCluster\",\"metadata\":{\"name\":\"a\"},"
		"\"spec\":{\"cells\":[{\"name\":\"z\",\"spec\":"
		"{\"localTopoServer\":{\"etcd\":{\"pvcDeletionPolicy\":{}}}}}],"
		"\"databases\":[{\"name\":\"postgres\",\"tablegroups\":"
		"[{\"name\":\"default\",\"pvcDeletionPolicy\":"
		"{\"whenScaled\":\"Retain\"}}]}]}}");
	cJSON *tpl = cJSON_Parse(
		"{\"apiVersion\":\"multigres.com/v1alpha1\","
		"\"kind\":\"ShardTemplate\",\"metadata\":{\"name\":\"s\"},"
		"\"spec\":{\"pools\":{\"main\":{\"pvcDeletionPolicy\":{}}}}}");
	cJSON *other = cJSON_Parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"MultigresCluster\","
		"\"spec\":{}}");
	cJSON *copy = cJSON_Duplicate(other, true);

	(void)state;
	mg_render_schema_defaults(c);
	assert_string_equal(mg_json_str(c, "spec.postgresSuperuser"),
			    "postgres");
	/* an absent policy gets the whole default, a present one per side */
	assert_string_equal(mg_json_str(c, "spec.pvcDeletionPolicy.whenDeleted"),
			    "Delete");
	assert_string_equal(mg_json_str(c, "spec.pvcDeletionPolicy.whenScaled"),
			    "Delete");
	assert_string_equal(
		mg_json_str(c, "spec.databases.0.tablegroups.0."
			       "pvcDeletionPolicy.whenDeleted"),
		"Retain");
	assert_string_equal(
		mg_json_str(c, "spec.databases.0.tablegroups.0."
			       "pvcDeletionPolicy.whenScaled"),
		"Retain");
	/* list items */
	assert_string_equal(
		mg_json_str(c, "spec.cells.0.spec.localTopoServer.etcd."
			       "pvcDeletionPolicy.whenDeleted"),
		"Retain");
	/* nothing where no object was */
	assert_null(mg_json_get(c, "spec.globalTopoServer"));
	assert_null(mg_json_get(c, "spec.observability"));
	/* map values */
	mg_render_schema_defaults(tpl);
	assert_string_equal(
		mg_json_str(tpl, "spec.pools.main.pvcDeletionPolicy.whenScaled"),
		"Delete");
	/* set values stay; other groups are not ours */
	mg_json_set_str(mg_json_get(c, "spec"), "postgresSuperuser", "admin");
	mg_render_schema_defaults(c);
	assert_string_equal(mg_json_str(c, "spec.postgresSuperuser"), "admin");
	mg_render_schema_defaults(other);
	assert_true(cJSON_Compare(other, copy, true));
	mg_render_schema_defaults(NULL);
	cJSON_Delete(c);
	cJSON_Delete(tpl);
	cJSON_Delete(other);
	cJSON_Delete(copy);
}

/* The default StorageClass, by either annotation. */
static void
test_default_storage_class(void **state)
{
	static const char *const lists[] = {
		"{\"kind\":\"StorageClassList\",\"items\":[{\"metadata\":"
		"{\"name\":\"a\"}},{\"metadata\":{\"name\":\"b\","
		"\"annotations\":{\"storageclass.kubernetes.io/"
		"is-default-class\":\"true\"}}}]}",
		"[{\"metadata\":{\"annotations\":{\"storageclass.beta."
		"kubernetes.io/is-default-class\":\"true\"}}}]",
		/* not defaults */
		"{\"items\":[{\"metadata\":{\"annotations\":"
		"{\"storageclass.kubernetes.io/is-default-class\":"
		"\"false\"}}},{\"metadata\":{\"name\":\"c\"}}]}",
		"{\"items\":[]}",
		"[]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		cJSON *l = cJSON_Parse(lists[i]);

		assert_non_null(l);
		assert_int_equal(mg_render_default_storage_class(l), i < 2);
		cJSON_Delete(l);
	}
	assert_false(mg_render_default_storage_class(NULL));
}

/* ------------------------------------------------------------------ */
/* Options and output                                                  */
/* ------------------------------------------------------------------ */

/* Warnings are handed back; they do not stop the render. */
static void
test_warnings(void **state)
{
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	const cJSON *c = NULL;
	cJSON *out = NULL;

	(void)state;
	input_add_text(&in, CLUSTER_A
		       "  globalTopoServer: {etcd: {replicas: 1}}\n");
	assert_int_equal(mg_render_input_cluster(&in, NULL, &c, &err), 0);
	assert_int_equal(mg_render(&out, c, NULL, NULL, &f, &err), 0);
	assert_non_null(out);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 0);
	assert_non_null(mg_findings_first(&f, MG_SEV_WARNING));
	assert_string_equal(mg_findings_first(&f, MG_SEV_WARNING)->path,
			    "spec.globalTopoServer.etcd.replicas");
	/* Without a default StorageClass (looked for online): an error. */
	{
		struct mg_render_opts o = MG_RENDER_OPTS_INIT;
		cJSON *out2 = NULL;

		o.no_default_storage_class = true;
		assert_int_equal(mg_render(&out2, c, NULL, &o, NULL, &err),
				 MG_EINVAL);
		assert_non_null(strstr(err.msg, "no default StorageClass"));
		assert_null(out2);
	}
	cJSON_Delete(out);
	mg_findings_release(&f);
	mg_render_input_release(&in);
}

/* The first item of that kind whose name starts with prefix. */
static const cJSON *
item_of(const cJSON *list, const char *kind, const char *prefix)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, mg_json_get(list, "items"))
		if (!strcmp(mg_json_str(o, "kind"), kind) &&
		    !strncmp(mg_json_str(o, "metadata.name"), prefix,
			     strlen(prefix)))
			return o;
	fail_msg("no %s %s*", kind, prefix);
	return NULL;
}

static bool
has_env(const cJSON *container, const char *name, const char *value)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, mg_json_get(container, "env"))
		if (!strcmp(mg_json_str(e, "name"), name))
			return !strcmp(mg_json_str(e, "value"), value);
	return false;
}

static void
test_operator_env(void **state)
{
	static const char *const env[] = {
		"MULTIGRES_IMAGE_MULTIGATEWAY= example.com/gw:7 ",
		"OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:4318",
		"HOME=/root",
		NULL,
	};
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	struct mg_render_opts o = MG_RENDER_OPTS_INIT;
	cJSON *plain, *out;
	const cJSON *pod, *plain_pod;

	(void)state;
	load_sample(&in, &samples[0]);
	o.children = true;
	plain = render_input(&in, "minimal", &o);
	o.operator_env = env;
	o.namespace = "demo";
	out = render_input(&in, "minimal", &o);
	assert_string_equal(mg_json_str(out,
					"items.0.spec.images.multigateway"),
			    "example.com/gw:7");
	assert_string_equal(mg_json_str(out, "items.0.metadata.namespace"),
			    "demo");
	assert_string_equal(
		mg_json_str(item_of(out, "Deployment", "minimal-zone-a-"),
			    "spec.template.spec.containers.0.image"),
		"example.com/gw:7");
	assert_string_equal(mg_json_str(item_of(out, "Cell", "minimal"),
					"spec.globalTopoServer.address"),
			    "minimal-global-topo.demo.svc:2379");
	pod = item_of(out, "Pod", "minimal-postgres-default-0-inf-pool-");
	plain_pod = item_of(plain, "Pod",
			    "minimal-postgres-default-0-inf-pool-");
	assert_true(has_env(mg_json_get(pod, "spec.containers.0"),
			    "OTEL_EXPORTER_OTLP_ENDPOINT",
			    "http://otel:4318"));
	assert_false(has_env(mg_json_get(plain_pod, "spec.containers.0"),
			     "OTEL_EXPORTER_OTLP_ENDPOINT",
			     "http://otel:4318"));
	/* the telemetry is hashed: the operator would roll the pods */
	assert_string_not_equal(
		cJSON_GetObjectItem(mg_json_get(pod, "metadata.annotations"),
				    MG_ANNOT_SPEC_HASH)->valuestring,
		cJSON_GetObjectItem(mg_json_get(plain_pod,
						"metadata.annotations"),
				    MG_ANNOT_SPEC_HASH)->valuestring);
	cJSON_Delete(out);
	cJSON_Delete(plain);
	mg_render_input_release(&in);
}

/*
 * The pool pod's spec-hash is the one mg_poolpod_desired_hash gives for
 * tests/fixtures/spechash/shard-minimal.json, the Shard the Go operator
 * writes for the minimal sample: render builds the same Shard.
 */
static void
test_pod_hash_as_from_the_shard(void **state)
{
	char *text = mg_test_read("tests/fixtures/spechash/shard-minimal.json");
	cJSON *shard = cJSON_Parse(text), *out;
	struct mg_err err = MG_ERR_INIT;
	char want[9];
	const cJSON *pod, *rshard;

	(void)state;
	out = render_sample(&samples[0], true);
	rshard = item_of(out, "Shard", "minimal");
	assert_true(cJSON_Compare(mg_json_get(rshard, "spec.pools"),
				  mg_json_get(shard, "spec.pools"), true));
	assert_int_equal(mg_poolpod_desired_hash(shard, "default", "zone-a", 1,
						 NULL, want, &err),
			 0);
	pod = item_of(out, "Pod",
		      "minimal-postgres-default-0-inf-pool-default-zone-a-"
		      "a3a0d77b-1");
	assert_string_equal(cJSON_GetObjectItem(mg_json_get(pod,
							    "metadata."
							    "annotations"),
						MG_ANNOT_SPEC_HASH)
				    ->valuestring,
			    want);
	cJSON_Delete(out);
	cJSON_Delete(shard);
	free(text);
}

/* A cluster that exists (it has a uid): its children point at it. */
static void
test_owner_uid(void **state)
{
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	struct mg_render_opts o = MG_RENDER_OPTS_INIT;
	cJSON *out;

	(void)state;
	load_sample(&in, &samples[0]);
	mg_json_set_str(mg_json_get(input_cluster(&in), "metadata"), "uid",
			"u-1");
	o.children = true;
	out = render_input(&in, "minimal", &o);
	assert_null(mg_json_get(out, "items.0.metadata.uid"));
	assert_string_equal(mg_json_str(item_of(out, "Cell", "minimal"),
					"metadata.ownerReferences.0.uid"),
			    "u-1");
	assert_string_equal(mg_json_str(item_of(out, "Deployment",
						"minimal-multiadmin"),
					"metadata.ownerReferences.0.uid"),
			    "u-1");
	/* The Shard's owner, a TableGroup, does not exist yet. */
	assert_string_equal(mg_json_str(item_of(out, "Shard", "minimal"),
					"metadata.ownerReferences.0.kind"),
			    "TableGroup");
	assert_null(mg_json_get(item_of(out, "Shard", "minimal"),
				"metadata.ownerReferences.0.uid"));
	cJSON_Delete(out);
	mg_render_input_release(&in);
}

static void
test_emit(void **state)
{
	cJSON *one = render_sample(&samples[0], false);
	cJSON *all = render_sample(&samples[0], true), *back = NULL;
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	char *text;

	(void)state;
	/* JSON: the bare cluster alone, else the List. */
	text = emit(one, MG_RENDER_JSON);
	assert_int_equal(mg_json_parse(&back, text, strlen(text), "json",
				       &err),
			 0);
	assert_true(cJSON_Compare(back, mg_json_get(one, "items.0"), true));
	assert_int_equal(text[strlen(text) - 1], '\n');
	cJSON_Delete(back);
	free(text);
	text = emit(all, MG_RENDER_JSON);
	assert_int_equal(mg_json_parse(&back, text, strlen(text), "json",
				       &err),
			 0);
	assert_true(cJSON_Compare(back, all, true));
	cJSON_Delete(back);
	free(text);
	/* YAML: documents, as many as items. */
	text = emit(all, MG_RENDER_YAML);
	assert_int_equal(mg_yaml_parse_all(&back, text, strlen(text), "yaml",
					   &err),
			 0);
	assert_int_equal(cJSON_GetArraySize(back),
			 cJSON_GetArraySize(mg_json_get(all, "items")));
	assert_int_equal(strncmp(text, "apiVersion:", 11), 0);
	cJSON_Delete(back);
	free(text);
	/* Not a List: an error, nothing written. */
	assert_int_equal(mg_render_emit(&b, mg_json_get(all, "items.0"),
					MG_RENDER_YAML, &err),
			 MG_EINVAL);
	assert_int_equal(b.len, 0);
	cJSON_Delete(one);
	cJSON_Delete(all);
}

/* ------------------------------------------------------------------ */
/* Goldens                                                             */
/* ------------------------------------------------------------------ */

static bool
update_golden(void)
{
	const char *v = getenv("MG_UPDATE_GOLDEN");

	return v && strcmp(v, "1") == 0;
}

static void
check_golden(const char *file, const char *got)
{
	char *path = mg_xasprintf(GOLDEN "/%s", file);
	struct mg_buf want = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;

	if (update_golden()) {
		free(mg_test_write(GOLDEN, file, got));
	} else {
		if (mg_buf_read_file(&want, path, &err))
			fail_msg("%s (MG_UPDATE_GOLDEN=1 writes it)", err.msg);
		if (strcmp(want.data, got) != 0) {
			/* The first differing line, for the log. */
			const char *a = want.data, *b = got;
			size_t line = 1;

			while (*a && *a == *b) {
				if (*a == '\n')
					line++;
				a++;
				b++;
			}
			fail_msg("%s differs from the render at line %zu "
				 "(MG_UPDATE_GOLDEN=1 rewrites it)",
				 path, line);
		}
	}
	mg_buf_release(&want);
	free(path);
}

static void
test_goldens(void **state)
{
	size_t i;
	int children;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(samples); i++) {
		for (children = 0; children < 2; children++) {
			cJSON *list = render_sample(&samples[i], children);
			char *yaml = emit(list, MG_RENDER_YAML);
			char *file = mg_xasprintf("%s%s.yaml", samples[i].name,
						  children ? ".children" : "");

			check_golden(file, yaml);
			free(file);
			free(yaml);
			cJSON_Delete(list);
		}
	}
}

/* Every golden reads back as the same objects and emits the same bytes. */
static void
test_goldens_round_trip(void **state)
{
	size_t i;
	int children;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(samples); i++) {
		for (children = 0; children < 2; children++) {
			char *path = mg_xasprintf(GOLDEN "/%s%s.yaml",
						  samples[i].name,
						  children ? ".children" : "");
			char *text = mg_test_read(path), *again;
			struct mg_err err = MG_ERR_INIT;
			cJSON *docs = NULL, *docs2 = NULL, *list;

			assert_int_equal(mg_yaml_parse_all(&docs, text,
							   strlen(text), path,
							   &err),
					 0);
			list = cJSON_CreateObject();
			cJSON_AddItemToObject(list, "items", docs);
			again = emit(list, MG_RENDER_YAML);
			assert_string_equal(again, text);
			assert_int_equal(mg_yaml_parse_all(&docs2, again,
							   strlen(again), path,
							   &err),
					 0);
			assert_true(cJSON_Compare(docs, docs2, true));
			/* and they are what render gives */
			cJSON_Delete(list);
			list = render_sample(&samples[i], children);
			assert_true(cJSON_Compare(mg_json_get(list, "items"),
						  docs2, true));
			cJSON_Delete(list);
			cJSON_Delete(docs2);
			free(again);
			free(text);
			free(path);
		}
	}
}

static void
assert_same_render(const cJSON *a, const cJSON *b, const char *what)
{
	char *ta = emit(a, MG_RENDER_YAML), *tb = emit(b, MG_RENDER_YAML);

	if (strcmp(ta, tb)) {
		if (getenv("MG_RENDER_DEBUG")) {
			free(mg_test_write("/tmp", "render-a.yaml", ta));
			free(mg_test_write("/tmp", "render-b.yaml", tb));
		}
		fail_msg("%s", what);
	}
	free(ta);
	free(tb);
}

/* Rendering the rendered cluster changes nothing, children included. */
static void
test_idempotent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(samples); i++) {
		struct mg_render_input in = MG_RENDER_INPUT_INIT;
		struct mg_render_opts o = MG_RENDER_OPTS_INIT;
		cJSON *first = render_sample(&samples[i], true), *second;

		/* The sample's input with its cluster replaced. */
		load_sample(&in, &samples[i]);
		assert_true(cJSON_ReplaceItemViaPointer(
			in.objects, input_cluster(&in),
			cJSON_Duplicate(mg_json_get(first, "items.0"), true)));
		o.children = true;
		second = render_input(&in, samples[i].cluster, &o);
		assert_same_render(first, second, samples[i].name);
		cJSON_Delete(first);
		cJSON_Delete(second);
		mg_render_input_release(&in);
	}
}

/* Reverses the members of every object, recursively. */
static void
reverse_keys(cJSON *x)
{
	cJSON *c, *next, *rev = NULL;

	for (c = x ? x->child : NULL; c; c = c->next)
		reverse_keys(c);
	if (!cJSON_IsObject(x))
		return;
	for (c = x->child; c; c = next) {
		next = c->next;
		c->next = rev;
		c->prev = NULL;
		if (rev)
			rev->prev = c;
		rev = c;
	}
	x->child = rev;
	/* cJSON keeps the last item in child->prev */
	if (rev) {
		for (c = rev; c->next; c = c->next)
			;
		rev->prev = c;
	}
}

/* Key order in the input does not matter. */
static void
test_key_order(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(samples); i++) {
		struct mg_render_input in = MG_RENDER_INPUT_INIT;
		struct mg_render_opts o = MG_RENDER_OPTS_INIT;
		cJSON *want = render_sample(&samples[i], true), *got, *obj;

		load_sample(&in, &samples[i]);
		cJSON_ArrayForEach(obj, in.objects)
			reverse_keys(obj);
		/* reversed indeed: spec first, apiVersion last */
		assert_string_equal(input_cluster(&in)->child->string, "spec");
		o.children = true;
		got = render_input(&in, samples[i].cluster, &o);
		assert_same_render(want, got, samples[i].name);
		cJSON_Delete(want);
		cJSON_Delete(got);
		mg_render_input_release(&in);
	}
}

/* ------------------------------------------------------------------ */
/* Bad input through render                                            */
/* ------------------------------------------------------------------ */

/* Renders the text of a single cluster with options, expecting an error. */
static int
render_error(const char *text, const struct mg_render_opts *opts,
	     struct mg_findings *f, struct mg_err *err)
{
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	struct mg_templates *t = NULL;
	const cJSON *cluster = NULL;
	cJSON *out = NULL;
	int rc;

	input_add_text(&in, text);
	assert_int_equal(mg_render_input_cluster(&in, NULL, &cluster, err), 0);
	assert_int_equal(mg_render_input_templates(&in, NULL, &t, err), 0);
	rc = mg_render(&out, cluster, t, opts, f, err);
	assert_null(out);
	mg_templates_free(t);
	mg_render_input_release(&in);
	return rc;
}

#define SHARD_WITH(spec)                                                 \
	"  databases:\n"                                                 \
	"  - name: postgres\n"                                           \
	"    default: true\n"                                            \
	"    tablegroups:\n"                                             \
	"    - name: default\n"                                          \
	"      default: true\n"                                          \
	"      shards:\n"                                                \
	"      - name: 0-inf\n" spec

static void
expect_error(const char *text, int code, const char *msg)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;

	assert_int_equal(render_error(text, NULL, &f, &err), code);
	if (!strstr(err.msg, msg))
		fail_msg("error '%s' does not say '%s'", err.msg, msg);
	assert_true(mg_findings_count(&f, MG_SEV_ERROR) > 0);
	mg_findings_release(&f);
}

static void
test_bad_input(void **state)
{
	(void)state;
	/* A template that does not exist. */
	expect_error(CLUSTER_A "  templateDefaults: {shardTemplate: gone}\n",
		     MG_EINVAL,
		     "spec.templateDefaults.shardTemplate: referenced "
		     "ShardTemplate 'gone' not found");
	expect_error("apiVersion: multigres.com/v1alpha1\n"
		     "kind: MultigresCluster\n"
		     "metadata: {name: a}\n"
		     "spec:\n"
		     "  postgresPasswordSecretRef: {name: pw, key: password}\n"
		     "  cells: [{name: z1, zoneId: zone-1,"
		     " cellTemplate: nope}]\n",
		     MG_EINVAL,
		     "spec.cells[0].cellTemplate: referenced CellTemplate "
		     "'nope' not found");
	/* Names v1alpha1 does not allow. */
	expect_error(CLUSTER_A
		     "  databases:\n"
		     "  - name: orders\n"
		     "    default: true\n",
		     MG_EINVAL,
		     "spec.databases: Invalid value: in v1alpha1, only the "
		     "single system database named 'postgres' (marked "
		     "default: true) is supported");
	expect_error(CLUSTER_A
		     "  databases:\n"
		     "  - name: postgres\n"
		     "    default: true\n"
		     "    tablegroups:\n"
		     "    - name: default\n"
		     "      default: true\n"
		     "      shards: [{name: 0-7f}]\n",
		     MG_EINVAL,
		     "spec.databases[0].tablegroups[0].shards[0].name: Invalid "
		     "value: \"0-7f\": shardName must be strictly equal to "
		     "'0-inf' in this version");
	expect_error(CLUSTER_A
		     "  databases:\n"
		     "  - name: postgres\n"
		     "    default: true\n"
		     "    tablegroups:\n"
		     "    - name: main\n"
		     "      default: true\n",
		     MG_EINVAL,
		     "spec.databases[0].tablegroups[0]: Invalid value: the "
		     "default tablegroup must be named 'default'");
	/* A cell a pool names that the cluster does not have. */
	expect_error(CLUSTER_A SHARD_WITH(
			     "        spec:\n"
			     "          pools:\n"
			     "            main: {type: readWrite,"
			     " cells: [z9]}\n"),
		     MG_EINVAL,
		     "spec.databases[0].tablegroups[0].shards[0]: pool 'main' "
		     "of shard '0-inf' names cell 'z9', which the cluster does "
		     "not have");
	/* Not a MultigresCluster; namespaces that disagree. */
	{
		struct mg_err err = MG_ERR_INIT;
		struct mg_render_opts o = MG_RENDER_OPTS_INIT;
		cJSON *secret = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":"
					    "\"Secret\",\"metadata\":{\"name\":"
					    "\"pw\"}}");
		cJSON *out = NULL;

		assert_int_equal(mg_render(&out, secret, NULL, NULL, NULL,
					   &err),
				 MG_EINVAL);
		assert_string_equal(err.msg,
				    "Secret 'pw' is not a MultigresCluster");
		cJSON_Delete(secret);
		o.namespace = "other";
		assert_int_equal(
			render_error("apiVersion: multigres.com/v1alpha1\n"
				     "kind: MultigresCluster\n"
				     "metadata: {name: a, namespace: mine}\n",
				     &o, NULL, &err),
			MG_EINVAL);
		assert_string_equal(err.msg,
				    "MultigresCluster 'a': metadata.namespace "
				    "is 'mine' but namespace 'other' was asked "
				    "for");
	}
}

/* Renders text with opts; NULL when it fails (err, findings filled). */
static cJSON *
try_render(const char *text, const struct mg_render_opts *opts,
	   struct mg_findings *f, struct mg_err *err)
{
	struct mg_render_input in = MG_RENDER_INPUT_INIT;
	const cJSON *cluster = NULL;
	cJSON *out = NULL;

	input_add_text(&in, text);
	assert_int_equal(mg_render_input_cluster(&in, NULL, &cluster, err), 0);
	mg_render(&out, cluster, NULL, opts, f, err);
	mg_render_input_release(&in);
	return out;
}

/* The error of rendering text with opts, which must fail. */
static void
expect_opts_error(const char *text, const struct mg_render_opts *opts,
		  const char *msg)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = try_render(text, opts, &f, &err);

	assert_null(out);
	if (!strstr(err.msg, msg))
		fail_msg("error '%s' does not say '%s'", err.msg, msg);
	assert_true(mg_findings_count(&f, MG_SEV_ERROR) > 0);
	mg_findings_release(&f);
}

/* The CRD schema: types and lengths always, unknown fields when strict. */
static void
test_schema(void **state)
{
	struct mg_render_opts strict = MG_RENDER_OPTS_INIT;
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *out;

	(void)state;
	strict.strict = true;
	/* An unknown field: refused when strict, not otherwise. */
	out = try_render(CLUSTER_A "  bogus: 1\n", NULL, &f, &err);
	assert_non_null(out);
	cJSON_Delete(out);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 0);
	expect_opts_error(CLUSTER_A "  bogus: 1\n", &strict,
			  "spec.bogus: unknown field \"spec.bogus\"");
	/* Every problem is a finding, not only the first. */
	assert_null(try_render(CLUSTER_A "  bogus: 1\n"
				"  images: {imagePullPolicy: Sometimes}\n",
			       &strict, &f, &err));
	assert_non_null(mg_findings_find(&f, MG_PROBLEM_UNKNOWN_FIELD,
					 "spec.bogus"));
	assert_non_null(mg_findings_find(&f, MG_PROBLEM_ENUM,
					 "spec.images.imagePullPolicy"));
	mg_findings_release(&f);
	/* A wrong type. */
	expect_opts_error(CLUSTER_A "  databases: [{name: postgres,"
				    " default: \"yes\"}]\n",
			  NULL,
			  "spec.databases[0].default: Invalid value: "
			  "\"string\": spec.databases[0].default in body must "
			  "be of type boolean");
	/* A name too long for the CRD's rule. */
	expect_opts_error("apiVersion: multigres.com/v1alpha1\n"
			  "kind: MultigresCluster\n"
			  "metadata: {name: a-name-of-twenty-six-chars}\n"
			  "spec:\n"
			  "  postgresPasswordSecretRef: {name: pw, key: k}\n",
			  NULL,
			  "MultigresCluster name must be at most 25 "
			  "characters");
}

#define CLUSTER_HEAD                                                     \
	"apiVersion: multigres.com/v1alpha1\n"                           \
	"kind: MultigresCluster\n"                                       \
	"metadata: {name: a}\n"                                          \
	"spec:\n"                                                        \
	"  postgresPasswordSecretRef: {name: pw, key: password}\n"
#define POOL(name)                                                       \
	SHARD_WITH("        spec:\n"                                      \
		   "          pools:\n"                                   \
		   "            " name ": {type: readWrite, cells: [z1]}\n")

/* With the stored object, admission runs as an update. */
static void
test_update(void **state)
{
	static const char stored[] =
		CLUSTER_HEAD "  cells: [{name: z1, zoneId: zone-1},"
			     " {name: z2, zoneId: zone-2}]\n" POOL("main");
	static const char one_cell[] =
		CLUSTER_HEAD "  cells: [{name: z1, zoneId: zone-1}]\n"
			POOL("main");
	static const char renamed_pool[] =
		CLUSTER_HEAD "  cells: [{name: z1, zoneId: zone-1},"
			     " {name: z2, zoneId: zone-2}]\n" POOL("other");
	struct mg_render_opts o = MG_RENDER_OPTS_INIT;
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *old = NULL, *out;

	(void)state;
	assert_int_equal(mg_yaml_parse(&old, stored, strlen(stored), "stored",
				       &err),
			 0);
	o.old = old;
	/* Unchanged: fine. */
	out = try_render(stored, &o, &f, &err);
	assert_non_null(out);
	cJSON_Delete(out);
	/* A cell removed. */
	expect_opts_error(one_cell, &o,
			  "spec.cells: Invalid value: Cells cannot be removed "
			  "or renamed (Append-Only)");
	/* A pool renamed. */
	expect_opts_error(renamed_pool, &o,
			  "Pools cannot be removed or renamed in this version "
			  "(Append-Only)");
	/* Both are fine on a create. */
	o.old = NULL;
	out = try_render(one_cell, &o, &f, &err);
	assert_non_null(out);
	cJSON_Delete(out);
	out = try_render(renamed_pool, &o, &f, &err);
	assert_non_null(out);
	cJSON_Delete(out);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 0);
	mg_findings_release(&f);
	cJSON_Delete(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_default_storage_class),
		cmocka_unit_test(test_schema_defaults),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_operator_env),
		cmocka_unit_test(test_pod_hash_as_from_the_shard),
		cmocka_unit_test(test_owner_uid),
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_goldens),
		cmocka_unit_test(test_goldens_round_trip),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_update),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
