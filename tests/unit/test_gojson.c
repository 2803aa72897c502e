/*
 * Unit tests for shared/gojson.c.
 *
 * Where the expected values come from:
 *  - tests/fixtures/spechash/gojson-cases.tsv: inputs and the bytes Go's
 *    encoding/json wrote for them (its header says how they were made:
 *    spec-hash.md's Go-computed snippets first, then a scratch Go program
 *    with the real k8s.io/api types);
 *  - the HTML/control-character snippet of spec-hash.md 6.5 (Go), below;
 *  - the rules of spec-hash.md 4 for the string escapes not in a snippet.
 * Tests run from the top of the tree (make does that).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "gojson.h"
#include "testlib.h"
#include "xalloc.h"

#define FIXTURES "tests/fixtures/spechash/"

static bool
type_by_name(const char *name, enum mg_gojson_type *t, bool *slice)
{
	int i;

	*slice = !strncmp(name, "[]", 2);
	if (*slice)
		name += 2;
	for (i = 0; i < MG_GOJSON_NTYPES; i++) {
		if (!strcmp(mg_gojson_type_name((enum mg_gojson_type)i),
			    name)) {
			*t = (enum mg_gojson_type)i;
			return true;
		}
	}
	return false;
}

static void
test_cases(void **state)
{
	char *text = mg_test_read(FIXTURES "gojson-cases.tsv");
	char *line, *next;
	int n = 0;

	(void)state;
	for (line = text; line && *line; line = next) {
		char *in, *want;
		enum mg_gojson_type t = MG_GOJSON_NTYPES;
		bool slice = false;
		cJSON *v;
		struct mg_buf out = MG_BUF_INIT;
		struct mg_err err = MG_ERR_INIT;
		int rc;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || *line == '#')
			continue;
		in = strchr(line, '\t');
		assert_non_null(in);
		*in++ = '\0';
		want = strchr(in, '\t');
		assert_non_null(want);
		*want++ = '\0';
		assert_true(type_by_name(line, &t, &slice));
		v = cJSON_Parse(in);
		assert_non_null(v);
		rc = slice ? mg_gojson_encode_slice(&out, t, v, NULL, &err) :
			     mg_gojson_encode(&out, t, v, NULL, &err);
		if (rc || strcmp(out.data, want))
			print_error("%s %s\n want %s\n got  %s (%s)\n", line,
				    in, want, out.data, err.msg);
		assert_int_equal(rc, 0);
		assert_string_equal(out.data, want);
		mg_buf_release(&out);
		cJSON_Delete(v);
		n++;
	}
	assert_true(n > 80);
	free(text);
}

/* spec-hash.md 6.5: fieldPath with < > & U+2028 TAB 0x01 DEL. */
static void
test_snippet_escapes(void **state)
{
	struct mg_buf out = MG_BUF_INIT;
	cJSON *v = cJSON_CreateObject();

	(void)state;
	cJSON_AddStringToObject(v, "fieldPath",
				"a<b>&c\xe2\x80\xa8\t\x01\x7f");
	assert_int_equal(mg_gojson_encode(&out, MG_GOJSON_OBJECT_FIELD_SELECTOR,
					  v, NULL, NULL),
			 0);
	assert_string_equal(out.data, "{\"fieldPath\":"
				      "\"a\\u003cb\\u003e\\u0026c\\u2028\\t"
				      "\\u0001\x7f\"}");
	mg_buf_release(&out);
	cJSON_Delete(v);
}

/* spec-hash.md 4: the rest of the string rules, byte by byte. */
static void
test_string(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} v[] = {
		{ "", 0, "\"\"" },
		{ "plain /path", 11, "\"plain /path\"" },
		{ "\"\\", 2, "\"\\\"\\\\\"" },
		{ "\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"" },
		{ "\x00\x1f\x0b", 3, "\"\\u0000\\u001f\\u000b\"" },
		{ "\xe2\x80\xa9", 3, "\"\\u2029\"" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		/* U+FFFD itself is valid and written as is */
		{ "\xef\xbf\xbd", 3, "\"\xef\xbf\xbd\"" },
		/* invalid UTF-8: one \ufffd per byte */
		{ "\xff", 1, "\"\\ufffd\"" },
		{ "a\xe2\x82z", 4, "\"a\\ufffd\\ufffdz\"" },
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },        /* overlong */
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" }, /* surrogate */
		{ "\xf4\x90\x80\x80", 4,
		  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },             /* > U+10FFFF */
		{ "\xe2\x80", 2, "\"\\ufffd\\ufffd\"" },          /* truncated */
		{ "\x80", 1, "\"\\ufffd\"" },                    /* stray */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct mg_buf out = MG_BUF_INIT;

		mg_gojson_string(&out, v[i].in, v[i].len);
		assert_int_equal(out.len, strlen(v[i].want));
		assert_memory_equal(out.data, v[i].want, out.len);
		mg_buf_release(&out);
	}
}

/* Type errors name the field path; the buffer is left alone. */
static void
test_errors(void **state)
{
	static const struct {
		enum mg_gojson_type t;
		const char *in;
		const char *msg;
	} v[] = {
		{ MG_GOJSON_AFFINITY,
		  "{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":{}}}}",
		  "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: expected an array" },
		{ MG_GOJSON_AFFINITY,
		  "{\"podAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":\"1\"}]}}",
		  "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: expected an integer" },
		{ MG_GOJSON_AFFINITY, "[]", "spec.affinity: expected an object" },
		{ MG_GOJSON_RESOURCE_REQUIREMENTS,
		  "{\"limits\":{\"cpu\":\"lots\"}}",
		  "spec.affinity.limits[cpu]: quantity 'lots'" },
		{ MG_GOJSON_RESOURCE_REQUIREMENTS, "{\"limits\":{\"cpu\":true}}",
		  "spec.affinity.limits[cpu]: quantity: expected a string or a number" },
		{ MG_GOJSON_VOLUME, "{\"name\":\"x\",\"nfs\":{}}",
		  "spec.affinity.nfs: this volume source is not supported" },
		{ MG_GOJSON_VOLUME_MOUNT, "{\"readOnly\":\"yes\"}",
		  "spec.affinity.readOnly: expected true or false" },
		{ MG_GOJSON_VOLUME_MOUNT, "{\"name\":7}",
		  "spec.affinity.name: expected a string" },
		{ MG_GOJSON_KEY_TO_PATH, "{\"mode\":1.5}",
		  "spec.affinity.mode: expected an integer" },
		{ MG_GOJSON_KEY_TO_PATH, "{\"mode\":4294967296}",
		  "spec.affinity.mode: expected a 32-bit integer" },
		{ MG_GOJSON_TOLERATION, "{\"tolerationSeconds\":1e300}",
		  "spec.affinity.tolerationSeconds: expected an integer within +-2^53" },
		{ MG_GOJSON_LABEL_SELECTOR, "{\"matchLabels\":{\"a\":1}}",
		  "spec.affinity.matchLabels[a]: expected a string" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		struct mg_buf out = MG_BUF_INIT;
		struct mg_err err = MG_ERR_INIT;
		cJSON *j = cJSON_Parse(v[i].in);

		assert_non_null(j);
		mg_buf_adds(&out, "keep");
		assert_int_equal(mg_gojson_encode(&out, v[i].t, j,
						  "spec.affinity", &err),
				 MG_EINVAL);
		if (strncmp(err.msg, v[i].msg, strlen(v[i].msg)))
			print_error("got '%s'\n", err.msg);
		assert_int_equal(strncmp(err.msg, v[i].msg, strlen(v[i].msg)),
				 0);
		assert_string_equal(out.data, "keep");
		mg_buf_release(&out);
		cJSON_Delete(j);
	}
}

static void
test_slice(void **state)
{
	struct mg_buf out = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *obj = cJSON_Parse("{}");

	(void)state;
	assert_int_equal(mg_gojson_encode_slice(&out, MG_GOJSON_TOLERATION,
						NULL, NULL, NULL),
			 0);
	assert_string_equal(out.data, "null");
	assert_int_equal(mg_gojson_encode_slice(&out, MG_GOJSON_TOLERATION,
						obj, "spec.tolerations", &err),
			 MG_EINVAL);
	assert_string_equal(err.msg, "spec.tolerations: expected an array");
	assert_string_equal(out.data, "null");
	/* a zero struct at the top */
	mg_buf_reset(&out);
	assert_int_equal(mg_gojson_encode(&out, MG_GOJSON_POD_AFFINITY_TERM,
					  NULL, NULL, NULL),
			 0);
	assert_string_equal(out.data, "{\"topologyKey\":\"\"}");
	mg_buf_release(&out);
	cJSON_Delete(obj);
}

/* normalize gives a tree that encodes to the same bytes again. */
static void
test_normalize(void **state)
{
	cJSON *in = cJSON_Parse(
		"{\"limits\":{\"memory\":\"1024Mi\",\"cpu\":0.5},\"junk\":1,"
		"\"requests\":{}}");
	cJSON *norm = NULL;
	struct mg_buf a = MG_BUF_INIT, b = MG_BUF_INIT;
	char *s;

	(void)state;
	assert_int_equal(mg_gojson_normalize(&norm,
					     MG_GOJSON_RESOURCE_REQUIREMENTS,
					     in, NULL, NULL),
			 0);
	s = cJSON_PrintUnformatted(norm);
	assert_string_equal(s, "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}");
	cJSON_free(s);
	assert_int_equal(mg_gojson_encode(&a, MG_GOJSON_RESOURCE_REQUIREMENTS,
					  in, NULL, NULL),
			 0);
	assert_int_equal(mg_gojson_encode(&b, MG_GOJSON_RESOURCE_REQUIREMENTS,
					  norm, NULL, NULL),
			 0);
	assert_string_equal(a.data, b.data);
	cJSON_Delete(norm);
	cJSON_Delete(in);

	in = cJSON_Parse("[{\"key\":\"k\",\"x\":1}]");
	assert_int_equal(mg_gojson_normalize_slice(&norm, MG_GOJSON_TOLERATION,
						   in, NULL, NULL),
			 0);
	s = cJSON_PrintUnformatted(norm);
	assert_string_equal(s, "[{\"key\":\"k\"}]");
	cJSON_free(s);
	cJSON_Delete(norm);
	cJSON_Delete(in);

	in = cJSON_Parse("{\"name\":3}");
	assert_int_equal(mg_gojson_normalize(&norm, MG_GOJSON_VOLUME, in, NULL,
					     NULL),
			 MG_EINVAL);
	assert_null(norm);
	cJSON_Delete(in);
	mg_buf_release(&a);
	mg_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_snippet_escapes),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_slice),
		cmocka_unit_test(test_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
