/*
 * Unit tests for shared/cliutil.[ch]: ages at every boundary of kubectl's
 * HumanDuration, --request-timeout values, the colour decision table,
 * output formats, answers, kubectl's JSON layout and the describe tree.
 * (The integration suite plugin.sh checks ages against a real kubectl.)
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "cliutil.h"
#include "err.h"
#include "json.h"

static void
check_age(int64_t s, const char *want)
{
	char out[MG_CLI_AGE_LEN];

	mg_cli_age(out, s);
	if (strcmp(out, want))
		fail_msg("age of %llds: got '%s', want '%s'", (long long)s, out,
			 want);
}

#define MIN 60LL
#define HOUR 3600LL
#define DAY 86400LL

static void
test_age_boundaries(void **state)
{
	(void)state;
	check_age(-5, "<invalid>");
	check_age(-2, "<invalid>");
	check_age(-1, "0s");
	check_age(0, "0s");
	check_age(59, "59s");
	check_age(119, "119s");
	check_age(2 * MIN, "2m");
	check_age(2 * MIN + 1, "2m1s");
	check_age(10 * MIN - 1, "9m59s");
	check_age(10 * MIN, "10m");
	check_age(3 * HOUR - 1, "179m");
	check_age(3 * HOUR, "3h");
	check_age(3 * HOUR + MIN + 59, "3h1m");
	check_age(8 * HOUR - 1, "7h59m");
	check_age(8 * HOUR, "8h");
	check_age(48 * HOUR - 1, "47h");
	check_age(2 * DAY, "2d");
	check_age(2 * DAY + HOUR, "2d1h");
	check_age(8 * DAY - 1, "7d23h");
	check_age(8 * DAY, "8d");
	check_age(730 * DAY - 1, "729d");
	check_age(730 * DAY, "2y");
	check_age(731 * DAY, "2y1d");
	check_age(8 * 365 * DAY - 1, "7y364d");
	check_age(8 * 365 * DAY, "8y");
	check_age(8 * 365 * DAY + 200 * DAY, "8y");
	check_age(100000 * 365 * DAY, "100000y");
}

static void
test_age_since(void **state)
{
	char out[MG_CLI_AGE_LEN];
	time_t t0 = 1700000000; /* 2023-11-14T22:13:20Z */

	(void)state;
	mg_cli_age_since(out, "2023-11-14T22:13:20Z", t0 + 3 * DAY + HOUR);
	assert_string_equal(out, "3d1h");
	mg_cli_age_since(out, "2023-11-14T22:13:20Z", t0 - 60);
	assert_string_equal(out, "<invalid>");
	mg_cli_age_since(out, NULL, t0);
	assert_string_equal(out, "<unknown>");
	mg_cli_age_since(out, "", t0);
	assert_string_equal(out, "<unknown>");
	mg_cli_age_since(out, "yesterday", t0);
	assert_string_equal(out, "<unknown>");
}

static void
check_timeout(const char *s, long want)
{
	struct mg_err err = MG_ERR_INIT;
	long ms = -42;

	if (mg_cli_parse_timeout(s, &ms, &err))
		fail_msg("timeout '%s' refused: %s", s, err.msg);
	if (ms != want)
		fail_msg("timeout '%s': got %ld ms, want %ld", s, ms, want);
}

static void
check_bad_timeout(const char *s)
{
	struct mg_err err = MG_ERR_INIT;
	long ms = -42;

	if (mg_cli_parse_timeout(s, &ms, &err) != MG_EINVAL)
		fail_msg("timeout '%s' accepted as %ld ms", s, ms);
	assert_int_equal(ms, -42);
	assert_non_null(strstr(err.msg, "invalid timeout"));
}

static void
test_request_timeout(void **state)
{
	(void)state;
	check_timeout("0", 0);
	check_timeout("-0", 0);
	check_timeout("5", 5000);
	check_timeout("007", 7000);
	check_timeout("5s", 5000);
	check_timeout("+3s", 3000);
	check_timeout("1m30s", 90000);
	check_timeout("1.5h", 5400000);
	check_timeout(".5s", 500);
	check_timeout("2.s", 2000);
	check_timeout("500ms", 500);
	check_timeout("1us", 1);        /* rounded up, never 0 */
	check_timeout("1\xc2\xb5s", 1); /* the micro sign */
	check_timeout("1500000ns", 2);
	check_timeout("1h1m1s1ms", 3661001);
	check_bad_timeout("");
	check_bad_timeout(NULL);
	check_bad_timeout("5x");
	check_bad_timeout("s");
	check_bad_timeout("1h2");
	check_bad_timeout("-1s");
	check_bad_timeout("-5");
	check_bad_timeout(".s");
	check_bad_timeout("1d");
	check_bad_timeout("99999999999999999999");
	check_bad_timeout("3000000h");
}

static void
test_color_decision(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	enum mg_cli_color m = MG_CLI_COLOR_NEVER;

	(void)state;
	/* always and never ignore the terminal and the environment */
	assert_true(mg_cli_color_use(MG_CLI_COLOR_ALWAYS, false, "1", "dumb"));
	assert_false(mg_cli_color_use(MG_CLI_COLOR_NEVER, true, NULL, "xterm"));
	/* auto: a terminal, NO_COLOR unset or empty, TERM not dumb */
	assert_true(mg_cli_color_use(MG_CLI_COLOR_AUTO, true, NULL, "xterm"));
	assert_true(mg_cli_color_use(MG_CLI_COLOR_AUTO, true, "", NULL));
	assert_false(mg_cli_color_use(MG_CLI_COLOR_AUTO, false, NULL, "xterm"));
	assert_false(mg_cli_color_use(MG_CLI_COLOR_AUTO, true, "1", "xterm"));
	assert_false(mg_cli_color_use(MG_CLI_COLOR_AUTO, true, "0", "xterm"));
	assert_false(mg_cli_color_use(MG_CLI_COLOR_AUTO, true, NULL, "dumb"));

	assert_int_equal(mg_cli_color_parse("always", &m, &err), 0);
	assert_int_equal(m, MG_CLI_COLOR_ALWAYS);
	assert_int_equal(mg_cli_color_parse("auto", &m, &err), 0);
	assert_int_equal(m, MG_CLI_COLOR_AUTO);
	assert_int_equal(mg_cli_color_parse("never", &m, &err), 0);
	assert_int_equal(m, MG_CLI_COLOR_NEVER);
	assert_int_equal(mg_cli_color_parse("yes", &m, &err), MG_EINVAL);
	assert_string_equal(err.msg,
			    "invalid colour mode 'yes': one of auto, always, never");
}

static void
test_output_formats(void **state)
{
	const unsigned get = MG_CLI_OUT_BIT(MG_CLI_OUT_WIDE) |
			     MG_CLI_OUT_BIT(MG_CLI_OUT_NAME) |
			     MG_CLI_OUT_BIT(MG_CLI_OUT_JSON) |
			     MG_CLI_OUT_BIT(MG_CLI_OUT_YAML);
	const unsigned version = MG_CLI_OUT_BIT(MG_CLI_OUT_JSON) |
				 MG_CLI_OUT_BIT(MG_CLI_OUT_YAML);
	struct mg_err err = MG_ERR_INIT;
	enum mg_cli_output o = MG_CLI_OUT_JSON;

	(void)state;
	assert_int_equal(mg_cli_output_parse(NULL, get, &o, &err), 0);
	assert_int_equal(o, MG_CLI_OUT_TABLE);
	assert_int_equal(mg_cli_output_parse("", get, &o, &err), 0);
	assert_int_equal(o, MG_CLI_OUT_TABLE);
	assert_int_equal(mg_cli_output_parse("wide", get, &o, &err), 0);
	assert_int_equal(o, MG_CLI_OUT_WIDE);
	assert_int_equal(mg_cli_output_parse("name", get, &o, &err), 0);
	assert_int_equal(o, MG_CLI_OUT_NAME);
	assert_int_equal(mg_cli_output_parse("yaml", get, &o, &err), 0);
	assert_int_equal(o, MG_CLI_OUT_YAML);
	assert_int_equal(mg_cli_output_parse("json", version, &o, &err), 0);
	assert_int_equal(o, MG_CLI_OUT_JSON);
	assert_int_equal(mg_cli_output_parse("xml", get, &o, &err), MG_EINVAL);
	assert_string_equal(err.msg, "unknown output format 'xml': one of json, "
				     "yaml, name, wide");
	assert_int_equal(mg_cli_output_parse("wide", version, &o, &err),
			 MG_EINVAL);
	assert_string_equal(err.msg,
			    "unknown output format 'wide': one of json, yaml");
	assert_string_equal(mg_cli_output_name(MG_CLI_OUT_YAML), "yaml");
}

static void
test_answers(void **state)
{
	(void)state;
	assert_true(mg_cli_answer_yes("y"));
	assert_true(mg_cli_answer_yes("Y"));
	assert_true(mg_cli_answer_yes("yes"));
	assert_true(mg_cli_answer_yes(" YeS \n"));
	assert_false(mg_cli_answer_yes(""));
	assert_false(mg_cli_answer_yes(NULL));
	assert_false(mg_cli_answer_yes("n"));
	assert_false(mg_cli_answer_yes("no"));
	assert_false(mg_cli_answer_yes("yess"));
	assert_false(mg_cli_answer_yes("ye"));
	assert_false(mg_cli_answer_yes("y e s"));
}

static char *
json_of(const char *text)
{
	struct mg_buf b = MG_BUF_INIT;
	cJSON *doc = NULL;

	assert_int_equal(mg_json_parse(&doc, text, strlen(text), "test", NULL), 0);
	mg_cli_json(&b, doc);
	cJSON_Delete(doc);
	return mg_buf_detach(&b, NULL);
}

static void
test_json_as_kubectl_prints_it(void **state)
{
	char *s;

	(void)state;
	s = json_of("{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":[],"
		    "\"metadata\":{\"resourceVersion\":\"\"}}");
	assert_string_equal(s, "{\n"
			       "    \"apiVersion\": \"v1\",\n"
			       "    \"items\": [],\n"
			       "    \"kind\": \"List\",\n"
			       "    \"metadata\": {\n"
			       "        \"resourceVersion\": \"\"\n"
			       "    }\n"
			       "}\n");
	free(s);
	s = json_of("{\"b\":[1,2.5,-3e-7,true,null,{}],\"a\":1e20}");
	assert_string_equal(s, "{\n"
			       "    \"a\": 100000000000000000000,\n"
			       "    \"b\": [\n"
			       "        1,\n"
			       "        2.5,\n"
			       "        -3e-7,\n"
			       "        true,\n"
			       "        null,\n"
			       "        {}\n"
			       "    ]\n"
			       "}\n");
	free(s);
	/* Go's escaping: HTML characters, short escapes, control
	 * characters in lowercase hex, U+2028, invalid UTF-8 */
	s = json_of("[\"<a&b>\",\"q\\\"\\\\\\n\\t\\b\\f\\r\",\"\\u001b\\u007f\","
		    "\"\\u2028é\",\"\xff\"]");
	assert_string_equal(s, "[\n"
			       "    \"\\u003ca\\u0026b\\u003e\",\n"
			       "    \"q\\\"\\\\\\n\\t\\b\\f\\r\",\n"
			       "    \"\\u001b\x7f\",\n"
			       "    \"\\u2028é\",\n"
			       "    \"\\ufffd\"\n"
			       "]\n");
	free(s);
	s = json_of("\"\xe0\x80\x80\xed\xa0\x80\"");
	/* an overlong form and a surrogate: one U+FFFD per byte */
	assert_string_equal(s, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"\n");
	free(s);
}

/* The keys stay where the document put them, at every level. */
static void
test_json_ordered_keeps_the_order(void **state)
{
	struct mg_buf b = MG_BUF_INIT;
	const char *text = "{\"z\":1,\"a\":{\"y\":[{\"b\":2,\"a\":\"<\"}],"
			   "\"x\":null}}";
	cJSON *doc = NULL;

	(void)state;
	assert_int_equal(mg_json_parse(&doc, text, strlen(text), "test", NULL), 0);
	mg_cli_json_ordered(&b, doc);
	assert_string_equal(b.data, "{\n"
				    "    \"z\": 1,\n"
				    "    \"a\": {\n"
				    "        \"y\": [\n"
				    "            {\n"
				    "                \"b\": 2,\n"
				    "                \"a\": \"\\u003c\"\n"
				    "            }\n"
				    "        ],\n"
				    "        \"x\": null\n"
				    "    }\n"
				    "}\n");
	cJSON_Delete(doc);
	mg_buf_release(&b);
}

static void
check_number(double v, const char *want)
{
	struct mg_buf b = MG_BUF_INIT;
	cJSON *n = cJSON_CreateNumber(v);

	mg_cli_json(&b, n);
	mg_buf_rtrim(&b);
	if (strcmp(b.data, want))
		fail_msg("%.17g: got '%s', want '%s'", v, b.data, want);
	cJSON_Delete(n);
	mg_buf_release(&b);
}

static void
test_json_numbers_as_go_writes_them(void **state)
{
	(void)state;
	check_number(0, "0");
	check_number(-0.0, "0");
	check_number(42, "42");
	check_number(-7, "-7");
	check_number(0.1, "0.1");
	check_number(1.0 / 3, "0.3333333333333333");
	check_number(123.456, "123.456");
	check_number(1e-6, "0.000001");
	check_number(1.5e-7, "1.5e-7");
	check_number(9.007199254740993e15, "9007199254740992");
	check_number(1e20, "100000000000000000000");
	check_number(1e21, "1e+21");
	check_number(1.25e300, "1.25e+300");
	check_number(5e-324, "5e-324");
}

static char *
cell(const cJSON *obj, const char *path, const char *type, time_t now)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_cli_printer_cell(&b, obj, path, type, now);
	return mg_buf_detach(&b, NULL);
}

#define CHECK_CELL(obj, path, type, now, want) do { \
	char *c_ = cell((obj), (path), (type), (now)); \
	assert_string_equal(c_, (want)); \
	free(c_); \
} while (0)

static void
test_printer_cells(void **state)
{
	const char *text =
		"{\"metadata\":{\"creationTimestamp\":\"2023-11-14T22:13:20Z\"},"
		"\"status\":{\"phase\":\"Healthy\",\"readyShards\":3,"
		"\"ratio\":0.5,\"ok\":true,\"when\":\"soon\",\"n\":null,"
		"\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},"
		"{\"type\":\"Available\",\"status\":\"True\"},"
		"{\"type\":\"Available\",\"status\":\"later\"}]}}";
	const time_t now = 1700000000 + 300;
	cJSON *o = NULL;

	(void)state;
	assert_int_equal(mg_json_parse(&o, text, strlen(text), "t", NULL), 0);
	CHECK_CELL(o, ".status.phase", "string", now, "Healthy");
	CHECK_CELL(o, ".status.conditions[?(@.type=='Available')].status",
		   "string", now, "True");
	CHECK_CELL(o, ".status.conditions[?(@.type==\"Ready\")].status",
		   "string", now, "False");
	CHECK_CELL(o, ".status.conditions[?(@.type=='Gone')].status", "string",
		   now, "");
	CHECK_CELL(o, ".status.conditions[1].type", "string", now, "Available");
	CHECK_CELL(o, ".status.conditions[9].type", "string", now, "");
	CHECK_CELL(o, ".metadata.creationTimestamp", "date", now, "5m");
	CHECK_CELL(o, ".status.when", "date", now, "<invalid>");
	CHECK_CELL(o, ".status.readyShards", "integer", now, "3");
	CHECK_CELL(o, ".status.ratio", "integer", now, "");
	CHECK_CELL(o, ".status.ratio", "number", now, "0.5");
	CHECK_CELL(o, ".status.phase", "integer", now, "");
	CHECK_CELL(o, ".status.ok", "boolean", now, "true");
	CHECK_CELL(o, ".status.readyShards", "string", now, "3");
	CHECK_CELL(o, ".status.n", "string", now, "");
	CHECK_CELL(o, ".status.missing.deeper", "string", now, "");
	CHECK_CELL(o, ".status.phase.deeper", "string", now, "");
	/* outside the grammar: empty, never a crash */
	CHECK_CELL(o, "status.phase", "string", now, "");
	CHECK_CELL(o, ".status.conditions[?(@.type=='Available'", "string", now,
		   "");
	CHECK_CELL(o, ".status.conditions[x]", "string", now, "");
	CHECK_CELL(o, ".", "string", now, "");
	cJSON_Delete(o);
}

static void
check_key(const char *key, const char *want)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_cli_humanize_key(&b, key);
	assert_string_equal(b.data, want);
	mg_buf_release(&b);
}

static void
test_humanize_key(void **state)
{
	(void)state;
	check_key("spec", "Spec");
	check_key("observedGeneration", "Observed Generation");
	check_key("podIP", "Pod IP");
	check_key("IPAddress", "IP Address");
	check_key("gatewayReadyReplicas", "Gateway Ready Replicas");
	check_key("s3", "S3");
	check_key("v1alpha1Thing", "V1alpha1 Thing");
	check_key("", "");
	check_key("minimal-pool-0", "minimal-pool-0");
	check_key("multigres.com/cell", "multigres.com/cell");
	check_key("zone_a", "zone_a");
}

static void
test_describe_tree(void **state)
{
	const char *text =
		"{\"phase\":\"Healthy\",\"observedGeneration\":3,"
		"\"cells\":[{\"name\":\"z1\",\"zone\":\"us-east-1a\"},"
		"{\"name\":\"z2\",\"emptyList\":[]}],"
		"\"tags\":[\"a\",\"b\"],\"images\":{},\"ready\":true,"
		"\"note\":\"one\\ntwo\",\"bad\":\"x\\u001by\"}";
	struct mg_buf b = MG_BUF_INIT;
	cJSON *doc = NULL;

	(void)state;
	assert_int_equal(mg_json_parse(&doc, text, strlen(text), "t", NULL), 0);
	mg_cli_describe_tree(&b, doc, 2);
	assert_string_equal(b.data,
			    "  Bad:                  x?y\n"
			    "  Cells:\n"
			    "    - Name:  z1\n"
			    "      Zone:  us-east-1a\n"
			    "    - Empty List:  <none>\n"
			    "      Name:        z2\n"
			    "  Images:               <none>\n"
			    "  Note:\n"
			    "    one\n"
			    "    two\n"
			    "  Observed Generation:  3\n"
			    "  Phase:                Healthy\n"
			    "  Ready:                true\n"
			    "  Tags:\n"
			    "    - a\n"
			    "    - b\n");
	mg_buf_reset(&b);
	cJSON_Delete(doc);
	doc = cJSON_CreateObject();
	mg_cli_describe_tree(&b, doc, 0);
	assert_string_equal(b.data, "<none>\n");
	cJSON_Delete(doc);
	mg_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_boundaries),
		cmocka_unit_test(test_age_since),
		cmocka_unit_test(test_request_timeout),
		cmocka_unit_test(test_color_decision),
		cmocka_unit_test(test_output_formats),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_json_as_kubectl_prints_it),
		cmocka_unit_test(test_json_ordered_keeps_the_order),
		cmocka_unit_test(test_json_numbers_as_go_writes_them),
		cmocka_unit_test(test_printer_cells),
		cmocka_unit_test(test_humanize_key),
		cmocka_unit_test(test_describe_tree),
	};

	return cmocka_run_group_tests_name("cliutil", tests, NULL, NULL);
}
