/*
 * The REST client against the real control plane of tests/cluster/up:
 * pagination, 409, every patch type, the status subresource, CRDs and
 * custom objects, deletion with propagation and garbage collection, RBAC
 * errors, a 410 forced by compacting etcd, and a watch that lives through
 * an API server restart without losing or repeating an event.
 *
 * Needs MG_TEST_KUBECONFIG, MG_TEST_OPERATOR_KUBECONFIG, MG_TEST_ETCD and
 * MG_TEST_CLUSTER_DIR (tests/run sets them).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "timeutil.h"
#include "xalloc.h"

static struct mg_kubeconfig *kc, *opkc;
static struct mg_kube *k, *op;
static char ns[64];
static struct mg_kube_res cms = { "", "v1", "configmaps", ns };

static void
check(int rc, const struct mg_err *err)
{
	if (rc)
		fail_msg("%s (%d)", err->msg, rc);
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

static int
setup(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };
	cJSON *obj;

	(void)state;
	k = connect_as("MG_TEST_KUBECONFIG", &kc);
	op = connect_as("MG_TEST_OPERATOR_KUBECONFIG", &opkc);
	snprintf(ns, sizeof(ns), "itest-kube-%d", (int)getpid());
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "Namespace");
	mg_json_set_str(cJSON_AddObjectToObject(obj, "metadata"), "name", ns);
	check(mg_kube_create(k, &nsres, obj, NULL, &err), &err);
	cJSON_Delete(obj);
	return 0;
}

static int
teardown(void **state)
{
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };

	(void)state;
	mg_kube_delete(k, &nsres, ns, NULL, NULL, NULL);
	mg_kube_free(k);
	mg_kube_free(op);
	mg_kubeconfig_free(kc);
	mg_kubeconfig_free(opkc);
	return 0;
}

static cJSON *
configmap(const char *name, const char *label, const char *value)
{
	char *text = mg_xasprintf(
		"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
		"\"labels\":{\"itest\":\"%s\"}},\"data\":{\"v\":\"%s\"}}",
		name, label, value);
	cJSON *j = cJSON_Parse(text);

	free(text);
	return j;
}

static void
create_cm(const char *name, const char *label, const char *value)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *cm = configmap(name, label, value);

	check(mg_kube_create(k, &cms, cm, NULL, &err), &err);
	cJSON_Delete(cm);
}

static void
test_version_and_discovery(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *v = NULL, *d = NULL;

	(void)state;
	check(mg_kube_version(k, &v, &err), &err);
	if (getenv("MG_TEST_KUBERNETES_VERSION"))
		assert_string_equal(mg_json_str(v, "gitVersion"),
				    getenv("MG_TEST_KUBERNETES_VERSION"));
	check(mg_kube_discover(k, &d, &err), &err);
	assert_true(mg_kube_serves(d, "v1"));
	assert_true(mg_kube_serves(d, "apps/v1"));
	assert_true(mg_kube_serves(d, "policy/v1"));
	assert_false(mg_kube_serves(d, "multigres.invalid/v9"));
	cJSON_Delete(v);
	cJSON_Delete(d);
}

static void
test_list_pages(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_list_opts lo = { .label_selector = "itest=page", .limit = 3 };
	unsigned long before;
	cJSON *list = NULL;
	char name[32];

	(void)state;
	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "page-%d", i);
		create_cm(name, "page", "x");
	}
	before = mg_kube_requests(k);
	check(mg_kube_list(k, &cms, &lo, &list, &err), &err);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(list, "items")), 7);
	assert_int_equal(mg_kube_requests(k) - before, 3); /* 3 + 3 + 1 */
	assert_non_null(mg_json_str(list, "metadata.resourceVersion"));
	assert_null(mg_json_get(list, "metadata.continue"));
	cJSON_Delete(list);
}

/* Compacts etcd up to its current revision. */
static void
compact_etcd(void)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *cm = NULL;
	char *cmd;

	create_cm("compact-mark", "mark", "x");
	check(mg_kube_get(k, &cms, "compact-mark", NULL, &cm, &err), &err);
	cmd = mg_xasprintf("curl -sf -X POST %s/v3/kv/compaction -d '{\"revision\":\"%s\",\"physical\":true}' >/dev/null",
			   getenv("MG_TEST_ETCD"), mg_json_str(cm, "metadata.resourceVersion"));
	assert_int_equal(system(cmd), 0);
	check(mg_kube_delete(k, &cms, "compact-mark", NULL, NULL, &err), &err);
	free(cmd);
	cJSON_Delete(cm);
}

static void
restart_apiserver(void)
{
	const char *scripts = getenv("MG_TEST_CLUSTER_SCRIPTS");
	char *cmd = mg_xasprintf("%s/restart-apiserver '%s'", scripts ? scripts : "tests/cluster",
				 getenv("MG_TEST_CLUSTER_DIR"));

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/*
 * Since 1.34 the API server answers continue tokens from its watch-cache
 * snapshots, which a compaction of etcd does not touch; after a restart
 * the snapshots are gone and the token must be read from etcd: 410.
 */
static void
test_continue_after_compaction_is_gone(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf p = MG_BUF_INIT, body = MG_BUF_INIT;
	cJSON *page = NULL;
	char *esc;
	const char *cont;
	long status = 0;

	(void)state;
	create_cm("gone-1", "gone", "x");
	create_cm("gone-2", "gone", "x");
	mg_kube_path(&p, &cms, NULL, NULL);
	mg_buf_adds(&p, "?limit=1&labelSelector=itest%3Dgone");
	check(mg_kube_request(k, "GET", p.data, NULL, NULL, &body, NULL, &err), &err);
	assert_int_equal(mg_json_parse(&page, body.data, body.len, "page", &err), 0);
	cont = mg_json_str(page, "metadata.continue");
	assert_non_null(cont);
	compact_etcd();
	restart_apiserver();
	esc = curl_easy_escape(NULL, cont, 0);
	mg_buf_reset(&p);
	mg_kube_path(&p, &cms, NULL, NULL);
	mg_buf_addf(&p, "?limit=1&labelSelector=itest%%3Dgone&continue=%s", esc);
	assert_int_equal(mg_kube_request(k, "GET", p.data, NULL, NULL, NULL, &status, &err),
			 MG_EGONE);
	assert_int_equal(status, 410);
	assert_string_equal(err.reason, "Expired");
	curl_free(esc);
	cJSON_Delete(page);
	mg_buf_release(&p);
	mg_buf_release(&body);
}

static void
test_stale_update_conflicts(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *a = NULL, *b = NULL, *out = NULL;

	(void)state;
	create_cm("conflict", "c", "0");
	check(mg_kube_get(k, &cms, "conflict", NULL, &a, &err), &err);
	b = cJSON_Duplicate(a, true);
	mg_json_set_str(cJSON_GetObjectItem(a, "data"), "v", "1");
	check(mg_kube_update(k, &cms, a, NULL, &out, &err), &err);
	cJSON_Delete(out);
	mg_json_set_str(cJSON_GetObjectItem(b, "data"), "v", "2");
	assert_int_equal(mg_kube_update(k, &cms, b, NULL, &out, &err), MG_ECONFLICT);
	assert_int_equal(err.http_status, 409);
	assert_string_equal(err.reason, "Conflict");
	assert_non_null(strstr(err.msg, "the object has been modified"));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_patches(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_patch_opts merge = { MG_PATCH_MERGE, NULL, false, NULL, false };
	struct mg_patch_opts json = { MG_PATCH_JSON, NULL, false, NULL, false };
	struct mg_patch_opts smp = { MG_PATCH_STRATEGIC, NULL, false, NULL, false };
	struct mg_patch_opts apply = { MG_PATCH_APPLY, "itest-a", false, NULL, false };
	struct mg_patch_opts apply_b = { MG_PATCH_APPLY, "itest-b", false, NULL, false };
	struct mg_patch_opts dry = { MG_PATCH_MERGE, NULL, false, NULL, true };
	cJSON *out = NULL;

	(void)state;
	create_cm("patched", "p", "0");
	check(mg_kube_patch(k, &cms, "patched", &merge, "{\"data\":{\"m\":\"1\"}}", &out, &err), &err);
	assert_string_equal(mg_json_str(out, "data.m"), "1");
	cJSON_Delete(out);
	check(mg_kube_patch(k, &cms, "patched", &json,
			    "[{\"op\":\"replace\",\"path\":\"/data/v\",\"value\":\"j\"}]", &out, &err), &err);
	assert_string_equal(mg_json_str(out, "data.v"), "j");
	cJSON_Delete(out);
	check(mg_kube_patch(k, &cms, "patched", &smp, "{\"data\":{\"s\":\"1\"}}", &out, &err), &err);
	assert_string_equal(mg_json_str(out, "data.s"), "1");
	cJSON_Delete(out);
	check(mg_kube_patch(k, &cms, "patched", &dry, "{\"data\":{\"d\":\"1\"}}", &out, &err), &err);
	cJSON_Delete(out);
	check(mg_kube_get(k, &cms, "patched", NULL, &out, &err), &err);
	assert_null(mg_json_str(out, "data.d")); /* dry run stored nothing */
	cJSON_Delete(out);

	/* Server-side apply: one manager owns a field; another conflicts
	 * unless it forces. */
	check(mg_kube_patch(k, &cms, "applied", &apply,
			    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},\"data\":{\"owner\":\"a\"}}",
			    &out, &err), &err);
	cJSON_Delete(out);
	assert_int_equal(mg_kube_patch(k, &cms, "applied", &apply_b,
				       "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},\"data\":{\"owner\":\"b\"}}",
				       &out, &err), MG_ECONFLICT);
	assert_non_null(strstr(err.msg, "itest-a"));
	apply_b.force = true;
	check(mg_kube_patch(k, &cms, "applied", &apply_b,
			    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"},\"data\":{\"owner\":\"b\"}}",
			    &out, &err), &err);
	assert_string_equal(mg_json_str(out, "data.owner"), "b");
	cJSON_Delete(out);
}

#define CRD "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\"," \
	"\"metadata\":{\"name\":\"widgets.itest.multigres.test\"},\"spec\":{\"group\":\"itest.multigres.test\"," \
	"\"names\":{\"plural\":\"widgets\",\"singular\":\"widget\",\"kind\":\"Widget\"},\"scope\":\"Namespaced\"," \
	"\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,\"subresources\":{\"status\":{}}," \
	"\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\"," \
	"\"properties\":{\"size\":{\"type\":\"integer\",\"minimum\":1}}},\"status\":{\"type\":\"object\"," \
	"\"properties\":{\"phase\":{\"type\":\"string\"}}}}}}}]}}"

static void
test_crd_custom_objects_and_status(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res crds = { "apiextensions.k8s.io", "v1", "customresourcedefinitions", NULL };
	struct mg_kube_res widgets = { "itest.multigres.test", "v1", "widgets", ns };
	struct mg_patch_opts merge = { MG_PATCH_MERGE, NULL, false, NULL, false };
	struct mg_patch_opts status = { MG_PATCH_MERGE, NULL, false, "status", false };
	cJSON *crd = cJSON_Parse(CRD), *out = NULL, *w;
	int i, rc = -1;

	(void)state;
	rc = mg_kube_create(k, &crds, crd, NULL, &err);
	if (rc != MG_ECONFLICT)
		check(rc, &err);
	cJSON_Delete(crd);
	/* Established takes a moment: retry the create until it is served. */
	w = cJSON_Parse("{\"apiVersion\":\"itest.multigres.test/v1\",\"kind\":\"Widget\","
			"\"metadata\":{\"name\":\"w1\"},\"spec\":{\"size\":3},\"status\":{\"phase\":\"ignored\"}}");
	for (i = 0; i < 200; i++) {
		rc = mg_kube_create(k, &widgets, w, &out, &err);
		if (rc != MG_ENOTFOUND)
			break;
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	}
	check(rc, &err);
	assert_null(mg_json_str(out, "status.phase")); /* status is not set by create */
	cJSON_Delete(out);
	/* Schema validation on the real server. */
	mg_json_set_str(cJSON_GetObjectItem(w, "metadata"), "name", "w2");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(w, "spec"), "size", cJSON_CreateNumber(0));
	assert_int_equal(mg_kube_create(k, &widgets, w, NULL, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.size"));
	cJSON_Delete(w);
	check(mg_kube_patch(k, &widgets, "w1", &status, "{\"status\":{\"phase\":\"Ready\"}}", &out, &err), &err);
	assert_string_equal(mg_json_str(out, "status.phase"), "Ready");
	cJSON_Delete(out);
	/* The main resource ignores status; the status subresource ignores spec. */
	check(mg_kube_patch(k, &widgets, "w1", &merge, "{\"spec\":{\"size\":5},\"status\":{\"phase\":\"X\"}}", &out, &err), &err);
	assert_string_equal(mg_json_str(out, "status.phase"), "Ready");
	assert_int_equal(mg_json_int(out, "spec.size", 0), 5);
	cJSON_Delete(out);
	check(mg_kube_get(k, &widgets, "w1", "status", &out, &err), &err);
	assert_string_equal(mg_json_str(out, "status.phase"), "Ready");
	cJSON_Delete(out);
}

static void
test_delete_propagation_and_gc(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_delete_opts fg = { "Foreground", NULL, NULL, false };
	struct mg_delete_opts wrong_uid = { NULL, "not-the-uid", NULL, false };
	cJSON *owner = NULL, *child;
	char *text;
	int i, rc = 0;

	(void)state;
	create_cm("owner", "gc", "x");
	check(mg_kube_get(k, &cms, "owner", NULL, &owner, &err), &err);
	text = mg_xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"child\","
			    "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\","
			    "\"uid\":\"%s\",\"blockOwnerDeletion\":true}]}}",
			    mg_json_str(owner, "metadata.uid"));
	child = cJSON_Parse(text);
	check(mg_kube_create(k, &cms, child, NULL, &err), &err);
	/* A precondition that does not hold deletes nothing. */
	assert_int_equal(mg_kube_delete(k, &cms, "owner", &wrong_uid, NULL, &err), MG_ECONFLICT);
	check(mg_kube_delete(k, &cms, "owner", &fg, NULL, &err), &err);
	for (i = 0; i < 300; i++) {
		cJSON *x = NULL;

		rc = mg_kube_get(k, &cms, "child", NULL, &x, &err);
		cJSON_Delete(x);
		if (rc == MG_ENOTFOUND)
			break;
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	assert_int_equal(rc, MG_ENOTFOUND); /* the garbage collector took it */
	cJSON_Delete(owner);
	cJSON_Delete(child);
	free(text);
}

static void
test_rbac_denied_is_eauth_with_message(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res nodes = { "", "v1", "nodes", NULL };
	struct mg_kube_res roles = { "rbac.authorization.k8s.io", "v1", "clusterroles", NULL };
	cJSON *out = NULL;

	(void)state;
	assert_int_equal(mg_kube_delete(op, &nodes, "any-node", NULL, NULL, &err), MG_EAUTH);
	assert_int_equal(err.http_status, 403);
	assert_string_equal(err.reason, "Forbidden");
	assert_non_null(strstr(err.msg, "cannot delete resource \"nodes\""));
	assert_int_equal(mg_kube_list(op, &roles, NULL, &out, &err), MG_EAUTH);
	/* What it may do, it can. */
	check(mg_kube_list(op, &cms, NULL, &out, &err), &err);
	cJSON_Delete(out);
}

/* --- a watch across a restart -------------------------------------------- */

struct tally {
	struct mg_buf log;
	int added, modified, deleted, synced, bookmarks, errors;
};

static void
count(void *data, enum mg_watch_event ev, const cJSON *obj)
{
	struct tally *t = data;

	switch (ev) {
	case MG_WATCH_ADDED: t->added++; break;
	case MG_WATCH_MODIFIED: t->modified++; break;
	case MG_WATCH_DELETED: t->deleted++; break;
	case MG_WATCH_SYNCED: t->synced++; return;
	case MG_WATCH_BOOKMARK: t->bookmarks++; return;
	case MG_WATCH_ERROR: t->errors++; return;
	}
	mg_buf_addf(&t->log, "%s %s %s;", mg_watch_event_name(ev),
		    mg_json_str(obj, "metadata.name"), mg_json_str(obj, "data.v"));
}

static void
spin(struct mg_kube_loop *l, struct tally *t, bool (*done)(const struct tally *),
     int max_ms)
{
	struct mg_err err = MG_ERR_INIT;
	int64_t end = mg_time_mono_ms() + max_ms;

	while (!done(t) && mg_time_mono_ms() < end)
		check(mg_kube_loop_run(l, 50, NULL, 0, &err), &err);
}

static bool
synced1(const struct tally *t)
{
	return t->synced >= 1;
}

static bool
three_events(const struct tally *t)
{
	return t->added + t->modified + t->deleted >= 3;
}

static bool
bookmarked(const struct tally *t)
{
	return t->bookmarks >= 1;
}

static bool
after_restart(const struct tally *t)
{
	return strstr(t->log.data, "MODIFIED w-b after;") &&
	       strstr(t->log.data, "DELETED w-a") &&
	       strstr(t->log.data, "ADDED w-c after;");
}

static void
test_watch_bookmarks_and_restart(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_loop *l = NULL;
	struct mg_watch_opts wo = { .label_selector = "itest=watch", .timeout_s = 6 };
	struct mg_patch_opts merge = { MG_PATCH_MERGE, NULL, false, NULL, false };
	struct tally t = { MG_BUF_INIT, 0, 0, 0, 0, 0, 0 };
	cJSON *out = NULL;
	int before;

	(void)state;
	create_cm("w-a", "watch", "before");
	check(mg_kube_loop_new(&l, k, &err), &err);
	check(mg_kube_watch(l, &cms, &wo, count, &t, NULL, &err), &err);
	spin(l, &t, synced1, 10000);
	assert_int_equal(t.synced, 1);
	assert_string_equal(t.log.data, "ADDED w-a before;");
	create_cm("w-b", "watch", "before");
	check(mg_kube_patch(k, &cms, "w-a", &merge, "{\"data\":{\"v\":\"changed\"}}", &out, &err), &err);
	cJSON_Delete(out);
	spin(l, &t, three_events, 10000);
	assert_string_equal(t.log.data, "ADDED w-a before;ADDED w-b before;MODIFIED w-a changed;");
	/* The server sends a bookmark shortly before a stream's
	 * timeoutSeconds run out, when the store has moved on past what the
	 * watch saw: a change our selector does not match moves it. */
	create_cm("w-noise", "noise", "x");
	spin(l, &t, bookmarked, 20000);
	assert_true(t.bookmarks >= 1);

	/*
	 * While the loop is not reading: a change, a compaction, a restart.
	 * The resumed watch asks for a revision the new server no longer
	 * has: 410, relist, and only the differences are delivered.
	 */
	check(mg_kube_patch(k, &cms, "w-b", &merge, "{\"data\":{\"v\":\"mid\"}}", &out, &err), &err);
	cJSON_Delete(out);
	compact_etcd();
	restart_apiserver();
	before = t.added + t.modified + t.deleted;
	check(mg_kube_patch(k, &cms, "w-b", &merge, "{\"data\":{\"v\":\"after\"}}", &out, &err), &err);
	cJSON_Delete(out);
	check(mg_kube_delete(k, &cms, "w-a", NULL, NULL, &err), &err);
	create_cm("w-c", "watch", "after");
	spin(l, &t, after_restart, 30000);
	assert_true(after_restart(&t));
	assert_true(t.synced >= 2); /* it relisted */
	/* No event twice: w-b once (mid folded into after, or both if the
	 * mid one was read before the cut), w-a deleted once, w-c once. */
	assert_in_range(t.added + t.modified + t.deleted - before, 3, 4);
	assert_null(strstr(strstr(t.log.data, "DELETED w-a") + 1, "DELETED w-a"));
	assert_null(strstr(strstr(t.log.data, "ADDED w-c") + 1, "ADDED w-c"));
	mg_kube_loop_free(l);
	mg_buf_release(&t.log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_and_discovery),
		cmocka_unit_test(test_list_pages),
		cmocka_unit_test(test_continue_after_compaction_is_gone),
		cmocka_unit_test(test_stale_update_conflicts),
		cmocka_unit_test(test_patches),
		cmocka_unit_test(test_crd_custom_objects_and_status),
		cmocka_unit_test(test_delete_propagation_and_gc),
		cmocka_unit_test(test_rbac_denied_is_eauth_with_message),
		cmocka_unit_test(test_watch_bookmarks_and_restart),
	};

	if (!getenv("MG_TEST_KUBECONFIG")) {
		printf("itest_kube: skipped: no control plane (MG_TEST_KUBECONFIG unset)\n");
		return 0;
	}
	return cmocka_run_group_tests_name("itest_kube", tests, setup, teardown);
}
