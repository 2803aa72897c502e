/*
 * Unit tests for shared/defaults.c.
 *
 * Expected values: images, resources and replicas from
 * multigres-operator-facts.md 1.12 and 1.13 (upstream main). The revision
 * of the compiled default set, 51818592d94d, is the value facts 1.12
 * computed; it was recomputed independently with Python's hashlib over
 * the sorted lines. The other revisions below were computed the same way
 * (the one-liner is in the comment of each).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "defaults.h"
#include "err.h"
#include "json.h"
#include "xalloc.h"

static void
test_table_images(void **state)
{
	static const struct {
		enum mg_component c;
		const char *name, *env, *image;
	} want[] = {
		{ MG_COMP_POSTGRES, "postgres", "MULTIGRES_IMAGE_POSTGRES",
		  "ghcr.io/multigres/pgctld:sha-66d2310" },
		{ MG_COMP_ETCD, "etcd", NULL,
		  "gcr.io/etcd-development/etcd:v3.6.7" },
		{ MG_COMP_MULTIADMIN, "multiadmin", "MULTIGRES_IMAGE_MULTIADMIN",
		  "ghcr.io/multigres/multigres:sha-66d2310" },
		{ MG_COMP_MULTIADMIN_WEB, "multiadmin-web",
		  "MULTIGRES_IMAGE_MULTIADMIN_WEB",
		  "ghcr.io/multigres/multiadmin-web:sha-64da1ab" },
		{ MG_COMP_MULTIORCH, "multiorch", "MULTIGRES_IMAGE_MULTIORCH",
		  "ghcr.io/multigres/multigres:sha-66d2310" },
		{ MG_COMP_MULTIPOOLER, "multipooler",
		  "MULTIGRES_IMAGE_MULTIPOOLER",
		  "ghcr.io/multigres/multigres:sha-66d2310" },
		{ MG_COMP_MULTIGATEWAY, "multigateway",
		  "MULTIGRES_IMAGE_MULTIGATEWAY",
		  "ghcr.io/multigres/multigres:sha-66d2310" },
		{ MG_COMP_POSTGRES_EXPORTER, "postgres-exporter", NULL,
		  "quay.io/prometheuscommunity/postgres-exporter:v0.20.1" },
	};
	const struct mg_default_component *row;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		row = mg_defaults_component(want[i].c);
		assert_int_equal(row->id, want[i].c);
		assert_string_equal(row->name, want[i].name);
		assert_string_equal(row->image, want[i].image);
		if (want[i].env)
			assert_string_equal(row->env, want[i].env);
		else
			assert_null(row->env);
		assert_ptr_equal(mg_defaults_component_by_name(want[i].name),
				 row);
	}
	assert_ptr_equal(mg_defaults_component_by_name("multiadminWeb"),
			 mg_defaults_component(MG_COMP_MULTIADMIN_WEB));
	assert_null(mg_defaults_component_by_name("nope"));
	/* Every row sits at its own index. */
	for (i = 0; i < MG_COMP_COUNT; i++)
		assert_int_equal(mg_defaults_component(i)->id, i);
}

static void
check_resources(enum mg_component c, const char *cpu, const char *mem,
		const char *limit, int replicas)
{
	cJSON *res = mg_defaults_resources(c);
	char *text;

	assert_non_null(res);
	assert_string_equal(mg_json_str(res, "requests.cpu"), cpu);
	assert_string_equal(mg_json_str(res, "requests.memory"), mem);
	assert_string_equal(mg_json_str(res, "limits.memory"), limit);
	assert_null(mg_json_get(res, "limits.cpu"));
	/* Go's field order: limits, then requests. */
	assert_string_equal(res->child->string, "limits");
	text = cJSON_PrintUnformatted(res);
	assert_non_null(text);
	cJSON_free(text);
	assert_int_equal(mg_defaults_component(c)->replicas, replicas);
	cJSON_Delete(res);
}

static void
test_table_resources(void **state)
{
	(void)state;
	check_resources(MG_COMP_MULTIADMIN, "100m", "128Mi", "256Mi", 1);
	check_resources(MG_COMP_MULTIADMIN_WEB, "50m", "64Mi", "128Mi", 1);
	check_resources(MG_COMP_MULTIGATEWAY, "100m", "128Mi", "256Mi", 1);
	check_resources(MG_COMP_MULTIORCH, "50m", "64Mi", "128Mi", 1);
	check_resources(MG_COMP_ETCD, "100m", "256Mi", "512Mi", 3);
	check_resources(MG_COMP_POSTGRES, "100m", "256Mi", "512Mi", 0);
	check_resources(MG_COMP_MULTIPOOLER, "100m", "128Mi", "256Mi", 0);
	assert_null(mg_defaults_resources(MG_COMP_POSTGRES_EXPORTER));
}

static void
test_scalars(void **state)
{
	(void)state;
	assert_string_equal(MG_DEFAULT_IMAGE_PULL_POLICY, "IfNotPresent");
	assert_string_equal(MG_DEFAULT_DURABILITY_POLICY, "AT_LEAST_2");
	assert_string_equal(MG_DEFAULT_PVC_WHEN_DELETED, "Delete");
	assert_string_equal(MG_DEFAULT_PVC_WHEN_SCALED, "Delete");
	assert_string_equal(MG_DEFAULT_PVC_WHEN_DELETED_V0111, "Retain");
	assert_string_equal(MG_DEFAULT_BACKUP_PATH, "/backups");
	assert_string_equal(MG_DEFAULT_BACKUP_STORAGE_SIZE, "10Gi");
	assert_string_equal(MG_DEFAULT_POOL_STORAGE_SIZE, "1Gi");
	assert_string_equal(MG_DEFAULT_ETCD_STORAGE_SIZE, "1Gi");
	assert_string_equal(MG_DEFAULT_GLOBAL_TOPO_ROOT, "/multigres/global");
	assert_string_equal(MG_DEFAULT_DATABASE, "postgres");
	assert_string_equal(MG_DEFAULT_TABLEGROUP, "default");
	assert_string_equal(MG_DEFAULT_SHARD, "0-inf");
	assert_string_equal(MG_DEFAULT_POSTGRES_SUPERUSER, "postgres");
}

/* A fake environment: NAME=value pairs. */
struct fake_env {
	const char *const *pairs;
	size_t n;
	int calls;
};

static const char *
fake_lookup(const char *name, void *ctx)
{
	struct fake_env *env = ctx;
	size_t i;

	env->calls++;
	for (i = 0; i + 1 < env->n; i += 2)
		if (strcmp(env->pairs[i], name) == 0)
			return env->pairs[i + 1];
	return NULL;
}

static void
test_image_set_env(void **state)
{
	static const char *const pairs[] = {
		"MULTIGRES_IMAGE_POSTGRES", "  my/pg:1 \t",
		"MULTIGRES_IMAGE_MULTIORCH", "   ", /* blank: ignored */
		"MULTIGRES_IMAGE_MULTIGATEWAY", "", /* empty: ignored */
		"MULTIGRES_IMAGE_MULTIADMIN_WEB", "web:2",
	};
	struct fake_env env = { pairs, ARRAY_SIZE(pairs), 0 };
	struct mg_image_set set = MG_IMAGE_SET_INIT;

	(void)state;
	mg_defaults_image_set(&set, fake_lookup, &env);
	assert_int_equal(env.calls, MG_IMAGE_SET_N);
	assert_string_equal(set.image[MG_COMP_POSTGRES], "my/pg:1");
	assert_string_equal(set.image[MG_COMP_MULTIADMIN_WEB], "web:2");
	assert_string_equal(set.image[MG_COMP_MULTIORCH],
			    "ghcr.io/multigres/multigres:sha-66d2310");
	assert_string_equal(set.image[MG_COMP_MULTIGATEWAY],
			    "ghcr.io/multigres/multigres:sha-66d2310");
	assert_true(mg_image_set_is_complete(&set));

	/* No environment at all: the compiled defaults. */
	mg_defaults_image_set(&set, NULL, NULL);
	assert_string_equal(set.image[MG_COMP_POSTGRES],
			    "ghcr.io/multigres/pgctld:sha-66d2310");
	mg_image_set_release(&set);
}

static void
test_revision(void **state)
{
	struct mg_image_set set = MG_IMAGE_SET_INIT;
	char rev[MG_IMAGE_REVISION_LEN + 1];

	(void)state;
	mg_defaults_image_set(&set, NULL, NULL);
	mg_image_set_revision(&set, rev);
	assert_string_equal(rev, "51818592d94d");

	/* python3: lines sorted, postgres=my/pg:1 instead */
	free(set.image[MG_COMP_POSTGRES]);
	set.image[MG_COMP_POSTGRES] = mg_xstrdup("my/pg:1");
	mg_image_set_revision(&set, rev);
	assert_string_equal(rev, "0ecbedc312f1");
	mg_image_set_release(&set);
}

static cJSON *
parse(const char *json)
{
	cJSON *root = cJSON_Parse(json);

	assert_non_null(root);
	return root;
}

static void
test_from_spec_and_json(void **state)
{
	struct mg_image_set set = MG_IMAGE_SET_INIT;
	cJSON *spec, *out;
	char *text;

	(void)state;
	spec = parse("{\"imagePullPolicy\":\"Always\",\"postgres\":\"p:1\","
		     "\"multiadminWeb\":\"w:1\",\"multiorch\":\"\"}");
	mg_image_set_from_spec(&set, spec);
	assert_string_equal(set.image[MG_COMP_POSTGRES], "p:1");
	assert_string_equal(set.image[MG_COMP_MULTIADMIN_WEB], "w:1");
	assert_null(set.image[MG_COMP_MULTIORCH]);
	assert_false(mg_image_set_is_complete(&set));
	assert_false(mg_image_set_is_empty(&set));
	/* A partial record is refused. */
	assert_false(mg_image_set_from_json(&set, spec));
	assert_true(mg_image_set_is_empty(&set));
	cJSON_Delete(spec);

	mg_defaults_image_set(&set, NULL, NULL);
	out = mg_image_set_to_json(&set);
	text = cJSON_PrintUnformatted(out);
	/* Go's ComponentImages field order. */
	assert_string_equal(
		text,
		"{\"multigateway\":\"ghcr.io/multigres/multigres:sha-66d2310\","
		"\"multiorch\":\"ghcr.io/multigres/multigres:sha-66d2310\","
		"\"multipooler\":\"ghcr.io/multigres/multigres:sha-66d2310\","
		"\"multiadmin\":\"ghcr.io/multigres/multigres:sha-66d2310\","
		"\"multiadminWeb\":\"ghcr.io/multigres/multiadmin-web:sha-64da1ab\","
		"\"postgres\":\"ghcr.io/multigres/pgctld:sha-66d2310\"}");
	mg_image_set_release(&set);
	assert_true(mg_image_set_from_json(&set, out));
	assert_string_equal(set.image[MG_COMP_MULTIADMIN_WEB],
			    "ghcr.io/multigres/multiadmin-web:sha-64da1ab");
	cJSON_free(text);
	cJSON_Delete(out);
	mg_image_set_release(&set);
}

static void
test_resolve_defaults_and_mixed(void **state)
{
	struct mg_image_set avail = MG_IMAGE_SET_INIT;
	struct mg_images_result r;
	struct mg_err err = MG_ERR_INIT;
	cJSON *cluster;

	(void)state;
	mg_defaults_image_set(&avail, NULL, NULL);

	cluster = parse("{\"metadata\":{\"name\":\"c\"},\"spec\":{}}");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, &err),
			 0);
	assert_string_equal(mg_json_str(r.status, "source"), "defaults");
	assert_string_equal(mg_json_str(r.status, "updateStrategy"),
			    "immediate");
	assert_string_equal(mg_json_str(r.status, "appliedRevision"),
			    "51818592d94d");
	assert_string_equal(mg_json_str(r.status, "availableRevision"),
			    "51818592d94d");
	assert_string_equal(mg_json_str(r.status, "effective.postgres"),
			    "ghcr.io/multigres/pgctld:sha-66d2310");
	assert_string_equal(r.reason, "UpToDate");
	assert_false(r.pending);
	assert_false(r.switched);
	assert_non_null(strstr(r.annotation, "\"multigateway\":"));
	mg_images_result_release(&r);
	cJSON_Delete(cluster);

	/* One pin: mixed; the pin wins in effective, not in applied. */
	cluster = parse("{\"spec\":{\"images\":{\"multiorch\":\"o:9\"}}}");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, "immediate",
					   &err), 0);
	assert_string_equal(mg_json_str(r.status, "source"), "mixed");
	assert_string_equal(r.effective.image[MG_COMP_MULTIORCH], "o:9");
	assert_string_equal(mg_json_str(r.status, "applied.multiorch"),
			    "ghcr.io/multigres/multigres:sha-66d2310");
	mg_images_result_release(&r);
	cJSON_Delete(cluster);
	mg_image_set_release(&avail);
}

static void
test_resolve_fully_pinned(void **state)
{
	struct mg_image_set avail = MG_IMAGE_SET_INIT;
	struct mg_images_result r;
	cJSON *cluster;

	(void)state;
	mg_defaults_image_set(&avail, NULL, NULL);
	cluster = parse("{\"spec\":{\"images\":{\"postgres\":\"a\","
			"\"multiadmin\":\"b\",\"multiadminWeb\":\"c\","
			"\"multiorch\":\"d\",\"multipooler\":\"e\","
			"\"multigateway\":\"f\"}}}");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, "lazy", NULL),
			 0);
	assert_string_equal(mg_json_str(r.status, "source"), "explicit");
	assert_null(mg_json_get(r.status, "applied"));
	assert_string_equal(r.reason, "FullyPinned");
	assert_string_equal(r.annotation, "\"fully-pinned\"");
	assert_string_equal(r.effective.image[MG_COMP_MULTIGATEWAY], "f");
	mg_images_result_release(&r);
	cJSON_Delete(cluster);
	mg_image_set_release(&avail);
}

/* A cluster whose annotation records the set `old` (postgres old:1). */
static cJSON *
lazy_cluster(const char *ack, const char *strategy)
{
	char *json = mg_xasprintf(
		"{\"metadata\":{\"annotations\":{\"multigres.com/applied-images\":"
		"\"{\\\"multigateway\\\":\\\"ghcr.io/multigres/multigres:sha-66d2310\\\","
		"\\\"multiorch\\\":\\\"ghcr.io/multigres/multigres:sha-66d2310\\\","
		"\\\"multipooler\\\":\\\"ghcr.io/multigres/multigres:sha-66d2310\\\","
		"\\\"multiadmin\\\":\\\"ghcr.io/multigres/multigres:sha-66d2310\\\","
		"\\\"multiadminWeb\\\":\\\"ghcr.io/multigres/multiadmin-web:sha-64da1ab\\\","
		"\\\"postgres\\\":\\\"old:1\\\"}\"}},"
		"\"spec\":{\"imageUpdatePolicy\":{\"strategy\":\"%s\","
		"\"acknowledgedRevision\":\"%s\"}}}",
		strategy, ack);
	cJSON *c = parse(json);

	free(json);
	return c;
}

static void
test_resolve_lazy(void **state)
{
	struct mg_image_set avail = MG_IMAGE_SET_INIT;
	struct mg_images_result r;
	cJSON *cluster;

	(void)state;
	mg_defaults_image_set(&avail, NULL, NULL);

	/* Lazy, nothing acknowledged: hold the recorded set. */
	cluster = lazy_cluster("", "lazy");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, NULL),
			 0);
	assert_true(r.pending);
	assert_string_equal(r.reason, "AwaitingAcknowledgement");
	assert_string_equal(r.effective.image[MG_COMP_POSTGRES], "old:1");
	assert_string_not_equal(r.applied_revision, r.available_revision);
	assert_false(r.switched);
	mg_images_result_release(&r);
	cJSON_Delete(cluster);

	/* Acknowledging the available revision adopts it. */
	cluster = lazy_cluster("51818592d94d", "lazy");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, NULL),
			 0);
	assert_false(r.pending);
	assert_string_equal(r.reason, "UpToDate");
	assert_string_equal(r.effective.image[MG_COMP_POSTGRES],
			    "ghcr.io/multigres/pgctld:sha-66d2310");
	assert_true(r.switched);
	mg_images_result_release(&r);
	cJSON_Delete(cluster);

	/* An acknowledgement naming neither revision. */
	cluster = lazy_cluster("abcdef012345", "lazy");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, NULL),
			 0);
	assert_true(r.pending);
	assert_string_equal(r.reason, "RevisionMismatch");
	mg_images_result_release(&r);
	cJSON_Delete(cluster);

	/* Immediate: the record is replaced, a stray ack is flagged. */
	cluster = lazy_cluster("abcdef012345", "immediate");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, "lazy", NULL),
			 0);
	assert_false(r.pending);
	assert_true(r.ack_ignored);
	assert_true(r.switched);
	mg_images_result_release(&r);
	cJSON_Delete(cluster);
	mg_image_set_release(&avail);
}

static void
test_resolve_invalid_record(void **state)
{
	struct mg_image_set avail = MG_IMAGE_SET_INIT;
	struct mg_images_result r;
	struct mg_err err = MG_ERR_INIT;
	cJSON *cluster;

	(void)state;
	mg_defaults_image_set(&avail, NULL, NULL);
	cluster = parse("{\"metadata\":{\"annotations\":{"
			"\"multigres.com/applied-images\":\"{bad\"}},"
			"\"spec\":{\"imageUpdatePolicy\":{\"strategy\":\"lazy\"}}}");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "multigres.com/applied-images"));
	assert_null(r.status);
	cJSON_Delete(cluster);

	/* Immediate recovers, flagging the bad record. */
	cluster = parse("{\"metadata\":{\"annotations\":{"
			"\"multigres.com/applied-images\":\"{bad\"}},"
			"\"spec\":{}}");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, &err),
			 0);
	assert_true(r.record_invalid);
	assert_string_equal(r.reason, "UpToDate");
	mg_images_result_release(&r);
	cJSON_Delete(cluster);

	/* A fully-pinned tombstone is no record at all. */
	cluster = parse("{\"metadata\":{\"annotations\":{"
			"\"multigres.com/applied-images\":\"\\\"fully-pinned\\\"\"}},"
			"\"spec\":{\"imageUpdatePolicy\":{\"strategy\":\"lazy\"}}}");
	assert_int_equal(mg_images_resolve(&r, cluster, &avail, NULL, &err),
			 0);
	assert_false(r.record_invalid);
	assert_false(r.pending);
	mg_images_result_release(&r);
	cJSON_Delete(cluster);
	mg_image_set_release(&avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_images),
		cmocka_unit_test(test_table_resources),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_image_set_env),
		cmocka_unit_test(test_revision),
		cmocka_unit_test(test_from_spec_and_json),
		cmocka_unit_test(test_resolve_defaults_and_mixed),
		cmocka_unit_test(test_resolve_fully_pinned),
		cmocka_unit_test(test_resolve_lazy),
		cmocka_unit_test(test_resolve_invalid_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
