/* Unit tests for shared/json.c and shared/yaml_json.c. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "yaml_json.h"

static cJSON *
yaml(const char *s)
{
	cJSON *out = NULL;
	struct mg_err err = MG_ERR_INIT;

	if (mg_yaml_parse(&out, s, strlen(s), "test", &err))
		fail_msg("parse failed: %s", err.msg);
	return out;
}

static char *
compact(const cJSON *j)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_json_print(&b, j, false);
	return mg_buf_detach(&b, NULL);
}

static void
test_scalars_are_typed_like_kubectl(void **state)
{
	cJSON *j = yaml("a: true\nb: 'true'\nc: on\nd: 42\ne: -1.5\nf: 0x1F\n"
			"g: ~\nh:\ni: 1.2.3\nj: \"7\"\nk: 1e3\nl: .5\nm: v1\n"
			"n: NO\no: .inf\np: y\nq: N\n");
	char *s = compact(j);

	(void)state;
	assert_string_equal(s, "{\"a\":true,\"b\":\"true\",\"c\":true,\"d\":42,"
			       "\"e\":-1.5,\"f\":31,\"g\":null,\"h\":null,"
			       "\"i\":\"1.2.3\",\"j\":\"7\",\"k\":1000,"
			       "\"l\":0.5,\"m\":\"v1\",\"n\":false,"
			       "\"o\":\".inf\",\"p\":true,\"q\":false}");
	free(s);
	cJSON_Delete(j);
}

static void
test_anchors_and_block_scalars(void **state)
{
	cJSON *j = yaml("base: &b {x: 1, y: [a, b]}\ncopy: *b\n"
			"text: |\n  line one\n  line two\n");

	(void)state;
	assert_int_equal(mg_json_int(j, "copy.x", 0), 1);
	assert_string_equal(mg_json_str(j, "copy.y.1"), "b");
	assert_string_equal(mg_json_str(j, "text"), "line one\nline two\n");
	assert_null(mg_json_get(j, "copy.y.2"));
	assert_null(mg_json_str(j, "copy.x"));
	cJSON_Delete(j);
}

static void
test_round_trip_keeps_types(void **state)
{
	const char *src = "{\"kind\":\"Config\",\"s\":[\"true\",\"\",\"12\","
			  "\"null\",\"y\",\"N\",\"a: b\",\"- x\",\"multi\\nline\\n\","
			  "\"#c\",\"on\",\"0x10\"],\"n\":[1,-2.25,1e20,0.1],"
			  "\"b\":[true,false,null],\"e\":{},\"ea\":[],"
			  "\"nested\":{\"k\":[{\"a\":1},{\"b\":[2]}]}}";
	struct mg_buf y = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *in = NULL, *back = NULL;
	char *s;

	(void)state;
	assert_int_equal(mg_json_parse(&in, src, strlen(src), "src", &err), 0);
	assert_int_equal(mg_yaml_emit(&y, in, &err), 0);
	assert_int_equal(mg_yaml_parse(&back, y.data, y.len, "emitted", &err), 0);
	s = compact(back);
	assert_non_null(strstr(s, "\"s\":[\"true\",\"\",\"12\",\"null\""));
	assert_true(cJSON_Compare(in, back, true));
	free(s);
	mg_buf_release(&y);
	cJSON_Delete(in);
	cJSON_Delete(back);
}

/* Strings a YAML 1.1 reader would take for timestamps are quoted. */
static void
test_timestamps_stay_strings(void **state)
{
	const char *src = "{\"t\":\"2026-08-22T12:00:00Z\",\"d\":\"2026-08-22\","
			  "\"s\":\"2026-8-2 1:2:3\",\"not\":\"2026-08-22x\","
			  "\"num\":\"20260822\"}";
	struct mg_buf y = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *in = NULL, *back = NULL;

	(void)state;
	assert_int_equal(mg_json_parse(&in, src, strlen(src), "src", &err), 0);
	assert_int_equal(mg_yaml_emit(&y, in, &err), 0);
	assert_non_null(strstr(y.data, "t: \"2026-08-22T12:00:00Z\"\n"));
	assert_non_null(strstr(y.data, "d: \"2026-08-22\"\n"));
	assert_non_null(strstr(y.data, "s: \"2026-8-2 1:2:3\"\n"));
	assert_non_null(strstr(y.data, "not: 2026-08-22x\n"));
	assert_non_null(strstr(y.data, "num: \"20260822\"\n"));
	assert_int_equal(mg_yaml_parse(&back, y.data, y.len, "emitted", &err), 0);
	assert_true(cJSON_Compare(in, back, true));
	mg_buf_release(&y);
	cJSON_Delete(in);
	cJSON_Delete(back);
}

static void
test_multi_document_stream(void **state)
{
	const char *src = "---\na: 1\n---\n---\nb: 2\n...\n";
	struct mg_err err = MG_ERR_INIT;
	cJSON *docs = NULL;

	(void)state;
	assert_int_equal(mg_yaml_parse_all(&docs, src, strlen(src), "s", &err), 0);
	assert_int_equal(cJSON_GetArraySize(docs), 2);
	assert_int_equal(mg_json_int(docs, "1.b", 0), 2);
	cJSON_Delete(docs);
}

static void
test_malformed_yaml_names_place(void **state)
{
	const char *src = "a: 1\nb: [1, 2\nc: 3\n";
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = NULL;

	(void)state;
	assert_int_equal(mg_yaml_parse(&out, src, strlen(src), "cfg.yaml", &err),
			 MG_EPARSE);
	assert_null(out);
	assert_non_null(strstr(err.msg, "cfg.yaml: line "));
	assert_non_null(strstr(err.msg, "column"));

	src = "a: 1\na: 2\n";
	assert_int_equal(mg_yaml_parse(&out, src, strlen(src), "dup.yaml", &err),
			 MG_EPARSE);
	assert_string_equal(err.msg, "dup.yaml: line 2: key 'a' appears twice");
}

static void
test_malformed_json_names_line(void **state)
{
	const char *src = "{\n  \"a\": 1,\n  \"b\": }\n";
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = NULL;

	(void)state;
	assert_int_equal(mg_json_parse(&out, src, strlen(src), "body", &err),
			 MG_EPARSE);
	assert_non_null(strstr(err.msg, "body: invalid JSON at line 3"));
}

static void
test_sorted_copy_is_deterministic(void **state)
{
	cJSON *j = yaml("z: 1\na: {y: [ {d: 1, c: 2} ], b: 2}\n");
	cJSON *s = mg_json_sorted(j);
	char *out = compact(s);

	(void)state;
	assert_string_equal(out, "{\"a\":{\"b\":2,\"y\":[{\"c\":2,\"d\":1}]},\"z\":1}");
	free(out);
	cJSON_Delete(s);
	cJSON_Delete(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_are_typed_like_kubectl),
		cmocka_unit_test(test_anchors_and_block_scalars),
		cmocka_unit_test(test_round_trip_keeps_types),
		cmocka_unit_test(test_timestamps_stay_strings),
		cmocka_unit_test(test_multi_document_stream),
		cmocka_unit_test(test_malformed_yaml_names_place),
		cmocka_unit_test(test_malformed_json_names_line),
		cmocka_unit_test(test_sorted_copy_is_deterministic),
	};

	return cmocka_run_group_tests_name("yaml_json", tests, NULL, NULL);
}
