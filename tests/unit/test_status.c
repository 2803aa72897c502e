/*
 * Unit tests for shared/status.c: golden outputs of the fixtures, byte for
 * byte, in tests/golden/status/<name>.{txt,json,yaml}.
 *
 * After a deliberate change of the output, rewrite them and review the
 * diff:
 *
 *     MG_UPDATE_GOLDEN=1 build/obj/tests/test_status
 */
#include "compat.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "../fixtures/snapshot/fixture.h"
#include "health.h"
#include "json.h"
#include "status.h"
#include "yaml_json.h"

static const char *const ext[] = { "txt", "json", "yaml" };

static void
golden(const char *name, enum mg_status_format fmt, const char *got)
{
	struct mg_buf path = MG_BUF_INIT, want = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	const char *upd = getenv("MG_UPDATE_GOLDEN");

	mg_buf_addf(&path, "%s/tests/golden/status/%s.%s", fixture_srcdir(),
		    name, ext[fmt]);
	if (upd && !strcmp(upd, "1")) {
		FILE *f = fopen(path.data, "w");

		assert_non_null(f);
		assert_int_equal(fputs(got, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
		fprintf(stderr, "updated %s\n", path.data);
	} else {
		if (mg_buf_read_file(&want, path.data, &err))
			fail_msg("%s (MG_UPDATE_GOLDEN=1 writes it)", err.msg);
		if (strcmp(want.data, got)) {
			fprintf(stderr, "--- %s differs; got:\n%s", path.data,
				got);
			fail_msg("%s differs (MG_UPDATE_GOLDEN=1 rewrites it)",
				 path.data);
		}
	}
	mg_buf_release(&path);
	mg_buf_release(&want);
}

/* Renders a fixture and compares with its golden file. */
static void
check(const char *fixture, const char *name, enum mg_status_format fmt,
      int verbose, bool color, bool ascii)
{
	struct mg_snap *s = fixture_load(fixture);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts o = MG_STATUS_OPTS_INIT;
	struct mg_buf out = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;

	o.format = fmt;
	o.verbose = verbose;
	o.color = color;
	o.ascii = ascii;
	o.now = FIXTURE_NOW;
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	assert_int_equal(mg_status_render(&out, s, &r, &o, &err), 0);
	golden(name, fmt, out.data);
	mg_buf_release(&out);
	mg_health_report_release(&r);
	mg_snap_free(s);
}

static void
test_minimal(void **state)
{
	(void)state;
	check("minimal", "minimal", MG_STATUS_TEXT, 0, false, false);
	check("minimal", "minimal", MG_STATUS_JSON, 0, false, false);
	check("minimal", "minimal", MG_STATUS_YAML, 0, false, false);
	check("minimal", "minimal-v", MG_STATUS_TEXT, 1, false, false);
	check("minimal", "minimal-color", MG_STATUS_TEXT, 0, true, false);
}

static void
test_three_cell(void **state)
{
	(void)state;
	check("three-cell", "three-cell", MG_STATUS_TEXT, 0, false, false);
	check("three-cell", "three-cell", MG_STATUS_JSON, 0, false, false);
	check("three-cell", "three-cell", MG_STATUS_YAML, 0, false, false);
	check("three-cell", "three-cell-ascii-v", MG_STATUS_TEXT, 1, false,
	      true);
}

static void
test_degraded(void **state)
{
	(void)state;
	check("degraded", "degraded", MG_STATUS_TEXT, 0, false, false);
	check("degraded", "degraded", MG_STATUS_JSON, 0, false, false);
	check("degraded", "degraded", MG_STATUS_YAML, 0, false, false);
	check("degraded", "degraded-vv", MG_STATUS_TEXT, 2, false, false);
}

/* JSON does not depend on -v; YAML says the same as JSON. */
static void
test_formats_agree(void **state)
{
	struct mg_snap *s = fixture_load("minimal");
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts o = MG_STATUS_OPTS_INIT;
	struct mg_buf a = MG_BUF_INIT, b = MG_BUF_INIT, y = MG_BUF_INIT;
	cJSON *ja = NULL, *jy = NULL;

	(void)state;
	o.now = FIXTURE_NOW;
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	o.format = MG_STATUS_JSON;
	assert_int_equal(mg_status_render(&a, s, &r, &o, NULL), 0);
	o.verbose = 2;
	assert_int_equal(mg_status_render(&b, s, &r, &o, NULL), 0);
	assert_string_equal(a.data, b.data);
	o.format = MG_STATUS_YAML;
	assert_int_equal(mg_status_render(&y, s, &r, &o, NULL), 0);
	assert_int_equal(mg_json_parse(&ja, a.data, a.len, "json", NULL), 0);
	assert_int_equal(mg_yaml_parse(&jy, y.data, y.len, "yaml", NULL), 0);
	assert_true(cJSON_Compare(ja, jy, 1));
	assert_int_equal(mg_json_int(ja, "schemaVersion", 0),
			 MG_STATUS_SCHEMA_VERSION);
	cJSON_Delete(ja);
	cJSON_Delete(jy);
	mg_buf_release(&a);
	mg_buf_release(&b);
	mg_buf_release(&y);
	mg_health_report_release(&r);
	mg_snap_free(s);
}

/* Two clusters in one snapshot: one chosen, both, or a missing one. */
static void
test_choose_cluster(void **state)
{
	struct mg_snap_opts so = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON *a = fixture_objs("minimal"), *b = fixture_objs("degraded");
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts o = MG_STATUS_OPTS_INIT;
	struct mg_buf out = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *doc;

	(void)state;
	so.desired_hash = fixture_hash;
	s = mg_snap_new(&so);
	fixture_apply(s, a);
	fixture_apply(s, b);
	mg_snap_tick(s, FIXTURE_NOW);
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	o.now = FIXTURE_NOW;

	assert_int_equal(mg_status_exit_code(s, &r, &o), 1);
	assert_int_equal(mg_status_json(&doc, s, &r, &o, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(mg_json_get(doc, "clusters")), 2);
	assert_string_equal(mg_json_str(doc, "clusters.0.name"), "broken");
	assert_int_equal(mg_json_int(doc, "exitCode", -1), 1);
	cJSON_Delete(doc);

	o.ns = "demo";
	o.cluster = "minimal";
	assert_int_equal(mg_status_exit_code(s, &r, &o), 0);
	assert_int_equal(mg_status_render(&out, s, &r, &o, NULL), 0);
	assert_non_null(strstr(out.data, "demo/minimal: Warning"));
	assert_null(strstr(out.data, "broken"));
	assert_int_equal(mg_status_json(&doc, s, &r, &o, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(mg_json_get(doc, "clusters")), 1);
	assert_int_equal(mg_json_int(doc, "exitCode", -1), 0);
	cJSON_Delete(doc);

	o.cluster = "nope";
	mg_buf_reset(&out);
	assert_int_equal(mg_status_render(&out, s, &r, &o, &err),
			 MG_ENOTFOUND);
	assert_string_equal(err.msg, "multigrescluster 'nope' not found in "
				     "namespace 'demo'");
	assert_int_equal(out.len, 0);

	mg_buf_release(&out);
	mg_health_report_release(&r);
	mg_snap_free(s);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_empty(void **state)
{
	struct mg_snap *s = mg_snap_new(NULL);
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts o = MG_STATUS_OPTS_INIT;
	struct mg_buf out = MG_BUF_INIT;

	(void)state;
	o.now = FIXTURE_NOW;
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	assert_int_equal(mg_status_render(&out, s, &r, &o, NULL), 0);
	assert_string_equal(out.data, "No MultigresClusters found.\n");
	assert_int_equal(mg_status_exit_code(s, &r, &o), 0);
	mg_buf_reset(&out);
	o.format = MG_STATUS_JSON;
	assert_int_equal(mg_status_render(&out, s, &r, &o, NULL), 0);
	assert_non_null(strstr(out.data, "\"clusters\": []"));
	mg_buf_release(&out);
	mg_health_report_release(&r);
	mg_snap_free(s);
}

/* A Shard CR that is gone while its pods remain. */
static void
test_missing_cr(void **state)
{
	struct mg_snap *s = mg_snap_new(NULL);
	cJSON *objs = fixture_objs("minimal");
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts o = MG_STATUS_OPTS_INIT;
	struct mg_buf out = MG_BUF_INIT;
	cJSON *doc;

	(void)state;
	fixture_apply(s, objs);
	assert_int_equal(mg_snap_apply(s, MG_SNAP_SHARD, MG_SNAP_DELETED,
				       fixture_find(objs, "Shard", "minimal-"
							  "postgres-default-0-inf"),
				       NULL), 0);
	mg_snap_tick(s, FIXTURE_NOW);
	mg_health_check(s, FIXTURE_NOW, NULL, &r);
	o.now = FIXTURE_NOW;
	assert_int_equal(mg_status_render(&out, s, &r, &o, NULL), 0);
	assert_non_null(strstr(out.data, "shard 0-inf "));
	assert_non_null(strstr(out.data, "<missing>"));
	assert_int_equal(mg_status_json(&doc, s, &r, &o, NULL), 0);
	assert_false(cJSON_IsTrue(mg_json_get(
		doc, "clusters.0.tableGroups.0.shards.0.present")));
	assert_true(cJSON_IsNull(mg_json_get(
		doc, "clusters.0.tableGroups.0.shards.0.phase")));
	assert_int_equal(cJSON_GetArraySize(mg_json_get(
		doc, "clusters.0.tableGroups.0.shards.0.pools.0.cells.0.pods")),
		3);
	cJSON_Delete(doc);
	mg_buf_release(&out);
	mg_health_report_release(&r);
	cJSON_Delete(objs);
	mg_snap_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_three_cell),
		cmocka_unit_test(test_degraded),
		cmocka_unit_test(test_formats_agree),
		cmocka_unit_test(test_choose_cluster),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_missing_cr),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
