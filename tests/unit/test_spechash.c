/*
 * Unit tests for shared/spechash.c.
 *
 * Where the expected values come from (see also
 * tests/fixtures/spechash/README.md):
 *  - the sanity vectors, E1-E3 and the lengths and hashes of A-D: the
 *    table of spec-hash.md 1.1 and 6.2, computed by the reference's author
 *    with Go's encoding/json and hash/fnv (not by us);
 *  - stream-{a,b,c,d}.txt: the pieces of spec-hash.md 6.3 (A, copied) and
 *    6.4 (B-D, A plus the documented deltas; their Go hashes agree);
 *  - pod-{a,b,c,d}.json: the desired pods, written by make-pods.py from
 *    the builder description in spec-hash.md 2;
 *  - the rules of spec-hash.md 1.2 for the small cases below (which piece
 *    appears when); those hashes are not asserted, only the streams.
 * Tests run from the top of the tree (make does that).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "spechash.h"
#include "testlib.h"
#include "xalloc.h"

#define FIXTURES "tests/fixtures/spechash/"

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

static char *
load_text(const char *name)
{
	char *path = mg_xasprintf(FIXTURES "%s", name);
	char *text = mg_test_read(path);

	free(path);
	return text;
}

/* spec-hash.md 1.1: the empty input and "a". */
static void
test_fnv(void **state)
{
	char h[MG_SPECHASH_LEN + 1];

	(void)state;
	mg_spechash_bytes("", 0, h);
	assert_string_equal(h, "811c9dc5");
	mg_spechash_bytes("a", 1, h);
	assert_string_equal(h, "e40c292c");
}

static void
check_pod(const char *json, const char *want_stream, const char *want_hash)
{
	cJSON *pod = cJSON_Parse(json);
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	char h[MG_SPECHASH_LEN + 1];

	assert_non_null(pod);
	assert_int_equal(mg_spechash_stream(&b, pod, NULL, &err), 0);
	assert_string_equal(b.data, want_stream);
	assert_int_equal(mg_spechash_pod(pod, h, &err), 0);
	if (want_hash)
		assert_string_equal(h, want_hash);
	mg_buf_release(&b);
	cJSON_Delete(pod);
}

/* spec-hash.md 6.2, E1-E3. */
static void
test_small_vectors(void **state)
{
	(void)state;
	check_pod("{}", "", "811c9dc5");
	check_pod("{\"spec\":{}}", "", "811c9dc5");
	check_pod("{\"spec\":{\"terminationGracePeriodSeconds\":30}}",
		  "tgp=30", "c4bd17e8");
	check_pod("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}",
		  "name=cimage=ires={}", "bd053a7c");
}

struct vector {
	const char *name;
	size_t len;
	const char *hash;
};

/* spec-hash.md 6.2: stream length and hash of A-D (Go). */
static const struct vector vectors[] = {
	{ "a", 3175, "060fbd2e" },
	{ "b", 3323, "285998d3" },
	{ "c", 3645, "3defc839" },
	{ "d", 4412, "6370bfd7" },
};

static void
test_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		char *podname = mg_xasprintf("pod-%s.json", vectors[i].name);
		char *streamname = mg_xasprintf("stream-%s.txt",
						vectors[i].name);
		cJSON *pod = load_json(podname);
		char *want = load_text(streamname);
		struct mg_buf lines = MG_BUF_INIT, raw = MG_BUF_INIT;
		struct mg_err err = MG_ERR_INIT;
		char h[MG_SPECHASH_LEN + 1];

		/* piece by piece first: a mismatch shows where */
		assert_int_equal(mg_spechash_stream(&lines, pod, "\n", &err),
				 0);
		if (strcmp(lines.data, want))
			print_error("vector %s:\n%s\n", vectors[i].name,
				    lines.data);
		assert_string_equal(lines.data, want);
		assert_int_equal(mg_spechash_stream(&raw, pod, NULL, &err), 0);
		assert_int_equal(raw.len, vectors[i].len);
		assert_int_equal(mg_spechash_pod(pod, h, &err), 0);
		assert_string_equal(h, vectors[i].hash);
		mg_buf_release(&lines);
		mg_buf_release(&raw);
		free(want);
		cJSON_Delete(pod);
		free(streamname);
		free(podname);
	}
}

/* Which pieces appear, and raw versus JSON (spec-hash.md 1.2, 7). */
static void
test_pieces(void **state)
{
	(void)state;
	/* & stays raw in env, becomes \u0026 inside JSON */
	check_pod("{\"spec\":{\"containers\":[{\"name\":\"c\",\"env\":["
		  "{\"name\":\"A\",\"value\":\"x&y\"},"
		  "{\"name\":\"B\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"a&b\"}}},"
		  "{\"name\":\"C\",\"value\":\"\",\"valueFrom\":null}],"
		  "\"envFrom\":[{\"secretRef\":{\"name\":\"s\"}}],"
		  "\"command\":[\"a\",\"b\"],\"args\":[\"<x>\"]}]}}",
		  "name=cimage=cmd=acmd=barg=<x>env=A=x&yenv=B="
		  "envValFrom=B={\"fieldRef\":{\"fieldPath\":\"a\\u0026b\"}}"
		  "env=C=envFromSrc={\"secretRef\":{\"name\":\"s\"}}res={}",
		  NULL);
	/* a non-nil empty affinity hashes as {}; null is nil */
	check_pod("{\"spec\":{\"affinity\":{}}}", "{}", NULL);
	check_pod("{\"spec\":{\"affinity\":null,\"securityContext\":null}}",
		  "", NULL);
	check_pod("{\"spec\":{\"securityContext\":{}}}", "podsc={}", NULL);
	/* no toleration piece for an empty list */
	check_pod("{\"spec\":{\"tolerations\":[]}}", "", NULL);
	check_pod("{\"spec\":{\"tolerations\":[{}]}}", "[{}]", NULL);
	/* nodeSelector: sorted bytewise, raw, no separator */
	check_pod("{\"spec\":{\"nodeSelector\":{\"b\":\"2\",\"B\":\"<\",\"a.b\":\"3\",\"a-b\":\"4\"}}}",
		  "B=<a-b=4a.b=3b=2", NULL);
	check_pod("{\"spec\":{\"nodeSelector\":{}}}", "", NULL);
	/* sa and pgcfg only when not empty; tgp whenever set */
	check_pod("{\"spec\":{\"serviceAccountName\":\"\","
		  "\"terminationGracePeriodSeconds\":0},"
		  "\"metadata\":{\"annotations\":{"
		  "\"multigres.com/postgres-config-hash\":\"\"}}}",
		  "tgp=0", NULL);
	check_pod("{\"spec\":{\"serviceAccountName\":\"sa1\"},"
		  "\"metadata\":{\"annotations\":{"
		  "\"multigres.com/postgres-config-hash\":\"ab\"}}}",
		  "sa=sa1pgcfg=ab", NULL);
	/* init containers first; sc only when set; res always */
	check_pod("{\"spec\":{\"containers\":[{\"name\":\"b\",\"securityContext\":{}}],"
		  "\"initContainers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1000m\"}}}]}}",
		  "name=aimage=res={\"limits\":{\"cpu\":\"1\"}}"
		  "name=bimage=res={}sc={}",
		  NULL);
	/* volume mounts: readOnly before mountPath */
	check_pod("{\"spec\":{\"containers\":[{\"volumeMounts\":[{\"mountPath\":\"/m\",\"readOnly\":true,\"name\":\"v\"}]}],"
		  "\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}]}}",
		  "name=image=res={}vm={\"name\":\"v\",\"readOnly\":true,\"mountPath\":\"/m\"}"
		  "{\"name\":\"v\",\"emptyDir\":{}}",
		  NULL);
}

/* A separator shows the pieces; the hash never sees it. */
static void
test_separator(void **state)
{
	cJSON *pod = cJSON_Parse(
		"{\"spec\":{\"terminationGracePeriodSeconds\":30,"
		"\"serviceAccountName\":\"s\"}}");
	struct mg_buf b = MG_BUF_INIT;

	(void)state;
	assert_int_equal(mg_spechash_stream(&b, pod, " | ", NULL), 0);
	assert_string_equal(b.data, "tgp=30 | sa=s | ");
	mg_buf_release(&b);
	cJSON_Delete(pod);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *pod;
		const char *msg;
	} v[] = {
		{ "[]", "pod: expected an object" },
		{ "{\"spec\":[]}", "spec: expected an object" },
		{ "{\"spec\":{\"containers\":{}}}",
		  "spec.containers: expected an array" },
		{ "{\"spec\":{\"containers\":[{\"name\":1}]}}",
		  "spec.containers[0].name: expected a string" },
		{ "{\"spec\":{\"initContainers\":[{\"args\":[\"a\",2]}]}}",
		  "spec.initContainers[0].args[1]: expected a string" },
		{ "{\"spec\":{\"containers\":[{},{\"env\":[{\"name\":\"x\",\"valueFrom\":{\"secretKeyRef\":{\"key\":3}}}]}]}}",
		  "spec.containers[1].env[0].valueFrom.secretKeyRef.key: expected a string" },
		{ "{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"cpu\":\"x\"}}}]}}",
		  "spec.containers[0].resources.limits[cpu]: quantity 'x'" },
		{ "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"csi\":{}}]}}",
		  "spec.volumes[0].csi: this volume source is not supported" },
		{ "{\"spec\":{\"terminationGracePeriodSeconds\":\"30\"}}",
		  "spec.terminationGracePeriodSeconds: expected an integer" },
		{ "{\"spec\":{\"nodeSelector\":{\"a\":1}}}",
		  "spec.nodeSelector[a]: expected a string" },
		{ "{\"metadata\":{\"annotations\":[]}}",
		  "metadata.annotations: expected an object" },
		{ "{\"spec\":{\"tolerations\":[{\"tolerationSeconds\":\"x\"}]}}",
		  "spec.tolerations[0].tolerationSeconds: expected an integer" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		cJSON *pod = cJSON_Parse(v[i].pod);
		struct mg_err err = MG_ERR_INIT;
		struct mg_buf b = MG_BUF_INIT;
		char h[MG_SPECHASH_LEN + 1] = "x";

		assert_non_null(pod);
		assert_int_equal(mg_spechash_pod(pod, h, &err), MG_EINVAL);
		assert_string_equal(h, "");
		if (strncmp(err.msg, v[i].msg, strlen(v[i].msg)))
			print_error("got '%s'\n", err.msg);
		assert_int_equal(strncmp(err.msg, v[i].msg, strlen(v[i].msg)),
				 0);
		mg_buf_adds(&b, "keep");
		assert_int_equal(mg_spechash_stream(&b, pod, NULL, NULL),
				 MG_EINVAL);
		assert_string_equal(b.data, "keep");
		mg_buf_release(&b);
		cJSON_Delete(pod);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv),
		cmocka_unit_test(test_small_vectors),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_separator),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
