/*
 * Drain and switchover against the real control plane and the data-plane
 * simulator (tests/sim), started here and following this test's namespace:
 *
 *   - a Shard and three pool pods made as the operator would (podRoles
 *     written from the simulator's topology, as the operator does);
 *   - drain: the annotation appears; a dry run and a refused drain change
 *     nothing (resourceVersion unchanged); a stale resourceVersion fails
 *     cleanly; the wait follows the states by WATCH to ready-for-deletion,
 *     cancellation, deletion or its time limit;
 *   - switchover: the primary moves in the simulator and the result names
 *     old and new; a simulator fault is an error with its message and the
 *     primary stays where it was;
 *   - the service-proxy transport reaches the API server's proxy (which
 *     cannot reach the simulator: pod IPs are fake), so only its answers
 *     for a Service without endpoints and a missing Service are checked.
 *
 * Needs MG_TEST_KUBECONFIG and MG_TEST_ETCD (tests/run sets them) and
 * python3. Installs the Shard CRD from deploy/crds when it is absent and
 * removes it again at the end.
 */
#include "compat.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "labels.h"
#include "multiadmin.h"
#include "names.h"
#include "timeutil.h"
#include "xalloc.h"
#include "yaml_json.h"

#define NPODS 3
#define CRD_NAME "shards.multigres.com"

static struct mg_kubeconfig *kc;
static struct mg_kube *k, *k2; /* k2: the stand-in operator's client */
static struct mg_multiadmin *admin;
static char ns[64], top[PATH_MAX], tmp[PATH_MAX], shard_name[256], admin_url[128];
static char *pods[NPODS];
static bool crd_installed;
static pid_t sim_pid = -1;
static const struct mg_name_shard_key key = { "mc", "postgres", "default", "0-inf" };
static const struct mg_multiadmin_shard akey = { "postgres", "default", "0-inf" };

static struct mg_kube_res pods_res = { "", "v1", "pods", ns };
static struct mg_kube_res shards_res = { "multigres.com", "v1alpha1", "shards", ns };
static const struct mg_kube_res crd_res = { "apiextensions.k8s.io", "v1",
					    "customresourcedefinitions", NULL };

static void
check(int rc, const struct mg_err *err)
{
	if (rc)
		fail_msg("%s (%d)", err->msg, rc);
}

static void
sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L }, NULL);
}

/* The repository: the current folder, or above the test binary. */
static bool
find_top(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	ssize_t n;

	if (access("tests/sim/multigres_sim.py", R_OK) == 0 && getcwd(top, sizeof(top)))
		return true;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (int up = 0; up < 8; up++) {
		char *slash = strrchr(exe, '/');

		if (!slash || slash == exe)
			return false;
		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/tests/sim/multigres_sim.py", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(top, sizeof(top), "%s", exe);
			return true;
		}
	}
	return false;
}

/* --- the Shard CRD ------------------------------------------------------- */

static bool
crd_established(void)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *crd = NULL, *c;
	bool yes = false;

	if (mg_kube_get(k, &crd_res, CRD_NAME, NULL, &crd, &err))
		return false;
	mg_json_array_foreach(c, mg_json_get(crd, "status.conditions")) {
		const char *t = mg_json_str(c, "type"), *s = mg_json_str(c, "status");

		yes = yes || (t && s && !strcmp(t, "Established") && !strcmp(s, "True"));
	}
	cJSON_Delete(crd);
	return yes;
}

static void
ensure_crd(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf yaml = MG_BUF_INIT;
	cJSON *crd = NULL;
	char path[PATH_MAX + 64];
	int rc;

	/* one being deleted (an earlier run's) must go before it is made again */
	for (int i = 0; i < 300; i++) {
		bool going;

		rc = mg_kube_get(k, &crd_res, CRD_NAME, NULL, &crd, &err);
		going = rc == 0 && mg_json_get(crd, "metadata.deletionTimestamp");
		cJSON_Delete(crd);
		crd = NULL;
		if (!going)
			break;
		sleep_ms(100);
	}
	if (rc == 0)
		return;
	if (rc != MG_ENOTFOUND)
		fail_msg("%s", err.msg);
	snprintf(path, sizeof(path), "%s/deploy/crds/multigres.com_shards.yaml", top);
	check(mg_buf_read_file(&yaml, path, &err), &err);
	check(mg_yaml_parse(&crd, yaml.data, yaml.len, path, &err), &err);
	check(mg_kube_create(k, &crd_res, crd, NULL, &err), &err);
	crd_installed = true;
	cJSON_Delete(crd);
	mg_buf_release(&yaml);
	for (int i = 0; i < 300 && !crd_established(); i++)
		sleep_ms(100);
	if (!crd_established())
		fail_msg("CRD %s not Established within 30 s", CRD_NAME);
}

/* --- the simulator ----------------------------------------------------------- */

/* Whatever happens to the tests, the simulator does not outlive them. */
static void
stop_sim(void)
{
	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, NULL, 0);
		sim_pid = -1;
	}
}

static void
start_sim(void)
{
	char script[PATH_MAX + 64], state[PATH_MAX + 64], log[PATH_MAX + 64], root[96];
	const char *kcpath = getenv("MG_TEST_KUBECONFIG"), *etcd = getenv("MG_TEST_ETCD");
	struct mg_buf text = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *doc = NULL;

	snprintf(script, sizeof(script), "%s/tests/sim/multigres_sim.py", top);
	snprintf(state, sizeof(state), "%s/sim.json", tmp);
	snprintf(log, sizeof(log), "%s/sim.log", tmp);
	snprintf(root, sizeof(root), "/itest-action-%d/global", (int)getpid());
	sim_pid = fork();
	if (sim_pid < 0)
		fail_msg("fork: %s", strerror(errno));
	if (sim_pid == 0) {
		int out = open("/dev/null", O_WRONLY), errfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(out, 1);
		dup2(errfd, 2);
		setenv("MG_SIM_QUIET", "1", 1);
		execlp("python3", "python3", script, "--kubeconfig", kcpath, "--namespace", ns,
		       "--etcd", etcd, "--root", root, "--admin-port", "0", "--state-file", state,
		       "--switch-delay", "0.5", (char *)NULL);
		_exit(127);
	}
	atexit(stop_sim);
	for (int i = 0; i < 300; i++) {
		if (access(state, R_OK) == 0)
			break;
		if (waitpid(sim_pid, NULL, WNOHANG) == sim_pid) {
			sim_pid = -1;
			fail_msg("the simulator exited; see %s", log);
		}
		sleep_ms(100);
	}
	check(mg_buf_read_file(&text, state, &err), &err);
	check(mg_json_parse(&doc, text.data, text.len, state, &err), &err);
	snprintf(admin_url, sizeof(admin_url), "%s", mg_json_str(doc, "adminUrl"));
	cJSON_Delete(doc);
	mg_buf_release(&text);
	check(mg_multiadmin_new_url(&admin, admin_url, NULL, &err), &err);
}

static size_t
discard(char *p, size_t size, size_t n, void *data)
{
	(void)p;
	(void)data;
	return size * n;
}

/* The simulator's control API (/_sim/...). */
static void
sim_control(const char *method, const char *path, const char *body)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	char *url = mg_xasprintf("%s%s", admin_url, path);
	long status = 0;
	CURLcode cc;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (cc != CURLE_OK || status != 200)
		fail_msg("%s %s: %s, status %ld", method, url, curl_easy_strerror(cc), status);
	free(url);
}

/* --- fixture: a Shard and its pods, as the operator makes them ------------- */

static void
create_shard(void)
{
	struct mg_err err = MG_ERR_INIT;
	char *name = NULL, *text;
	cJSON *obj;
	int rc = 0;

	check(mg_name_shard_cr(&name, &key, &err), &err);
	snprintf(shard_name, sizeof(shard_name), "%s", name);
	text = mg_xasprintf(
		"{\"apiVersion\": \"multigres.com/v1alpha1\", \"kind\": \"Shard\","
		" \"metadata\": {\"name\": \"%s\", \"labels\": {\"%s\": \"mc\", \"%s\": \"%s\","
		"  \"%s\": \"mc\", \"%s\": \"%s\", \"%s\": \"%s\", \"%s\": \"%s\"}},"
		" \"spec\": {\"databaseName\": \"postgres\", \"tableGroupName\": \"default\","
		"  \"shardName\": \"0-inf\", \"durabilityPolicy\": \"AT_LEAST_2\","
		"  \"images\": {\"multiorch\": \"m\", \"multipooler\": \"m\", \"postgres\": \"p\"},"
		"  \"globalTopoServer\": {\"address\": \"mc-global-topo.%s.svc:2379\","
		"   \"rootPath\": \"/multigres/global\", \"implementation\": \"etcd\"},"
		"  \"postgresPasswordSecretRef\": {\"name\": \"pw\", \"key\": \"password\"},"
		"  \"multiorch\": {\"cells\": [\"zone1\"]},"
		"  \"pools\": {\"main\": {\"type\": \"readWrite\", \"cells\": [\"zone1\"], \"replicasPerCell\": %d}},"
		"  \"replicas\": %d}}",
		name, MG_LABEL_APP_INSTANCE, MG_LABEL_APP_COMPONENT, MG_COMPONENT_SHARD,
		MG_LABEL_CLUSTER, MG_LABEL_DATABASE, "postgres", MG_LABEL_TABLEGROUP, "default",
		MG_LABEL_SHARD, "0-inf", ns, NPODS, NPODS);
	obj = cJSON_Parse(text);
	assert_non_null(obj);
	/* a CRD just Established may not be served for a moment yet */
	for (int i = 0; i < 100; i++) {
		rc = mg_kube_create(k, &shards_res, obj, NULL, &err);
		if (rc != MG_ENOTFOUND)
			break;
		sleep_ms(100);
	}
	check(rc, &err);
	cJSON_Delete(obj);
	free(text);
	free(name);
}

static void
create_pod(int i)
{
	struct mg_err err = MG_ERR_INIT;
	char *text;
	cJSON *obj;

	text = mg_xasprintf(
		"{\"apiVersion\": \"v1\", \"kind\": \"Pod\","
		" \"metadata\": {\"name\": \"%s\","
		"  \"labels\": {\"%s\": \"multigres\", \"%s\": \"mc\", \"%s\": \"%s\", \"%s\": \"mc\","
		"   \"%s\": \"postgres\", \"%s\": \"default\", \"%s\": \"0-inf\", \"%s\": \"main\", \"%s\": \"zone1\"},"
		"  \"annotations\": {\"%s\": \"0badf00d\"}},"
		" \"spec\": {\"containers\": [{\"name\": \"multipooler\", \"image\": \"ghcr.io/multigres/multigres:x\"}]}}",
		pods[i], MG_LABEL_APP_NAME, MG_LABEL_APP_INSTANCE, MG_LABEL_APP_COMPONENT,
		MG_COMPONENT_SHARD_POOL, MG_LABEL_CLUSTER, MG_LABEL_DATABASE, MG_LABEL_TABLEGROUP,
		MG_LABEL_SHARD, MG_LABEL_POOL, MG_LABEL_CELL, MG_ANNOT_SPEC_HASH);
	obj = cJSON_Parse(text);
	assert_non_null(obj);
	check(mg_kube_create(k, &pods_res, obj, NULL, &err), &err);
	cJSON_Delete(obj);
	free(text);
}

static bool
all_ready(void)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *list = NULL, *it;
	int ready = 0;

	if (mg_kube_list(k, &pods_res, NULL, &list, &err))
		return false;
	mg_json_array_foreach(it, mg_json_get(list, "items")) {
		const cJSON *c;

		mg_json_array_foreach(c, mg_json_get(it, "status.conditions"))
			if (mg_json_str(c, "type") && !strcmp(mg_json_str(c, "type"), "Ready") &&
			    mg_json_str(c, "status") && !strcmp(mg_json_str(c, "status"), "True"))
				ready++;
	}
	cJSON_Delete(list);
	return ready == NPODS;
}

/* Topology as multiadmin has it, once NPODS live poolers and a primary
 * show; fails after 30 s. */
static void
wait_topology(struct mg_multiadmin_poolers *pl)
{
	struct mg_err err = MG_ERR_INIT;

	for (int i = 0; i < 150; i++) {
		size_t n = 0, np = 0;

		if (mg_multiadmin_poolers(admin, &akey, pl, &err) == 0) {
			for (size_t j = 0; j < pl->n; j++)
				n += mg_multiadmin_pooler_live(&pl->items[j]);
			if (n == NPODS && mg_multiadmin_primary(pl, &np) && np == 1)
				return;
		}
		sleep_ms(200);
	}
	fail_msg("the simulator did not register %d poolers with one primary: %s", NPODS, err.msg);
}

/* What the operator does: podRoles from topology, into the Shard's status. */
static void
sync_roles(void)
{
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_patch_opts po = { MG_PATCH_MERGE, NULL, false, "status", false };
	struct mg_err err = MG_ERR_INIT;
	cJSON *patch = cJSON_CreateObject(), *roles, *st;
	char *text;

	wait_topology(&pl);
	st = cJSON_AddObjectToObject(patch, "status");

	/* required by the schema; the operator always writes them */
	cJSON_AddBoolToObject(st, "orchReady", true);
	cJSON_AddBoolToObject(st, "poolsReady", true);
	roles = cJSON_AddObjectToObject(st, "podRoles");
	for (size_t i = 0; i < pl.n; i++)
		for (int j = 0; j < NPODS; j++)
			if (mg_multiadmin_pooler_is_pod(&pl.items[i], pods[j]))
				cJSON_AddStringToObject(roles, pods[j],
							pl.items[i].role == MG_MULTIADMIN_ROLE_PRIMARY
								? "PRIMARY" : "REPLICA");
	text = cJSON_PrintUnformatted(patch);
	check(mg_kube_patch(k, &shards_res, shard_name, &po, text, NULL, &err), &err);
	cJSON_free(text);
	cJSON_Delete(patch);
	mg_multiadmin_poolers_release(&pl);
}

/* The pod the simulator made primary. */
static int
primary_index(void)
{
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	const struct mg_multiadmin_pooler *p;
	int found = -1;

	wait_topology(&pl);
	p = mg_multiadmin_primary(&pl, NULL);
	for (int j = 0; j < NPODS; j++)
		if (mg_multiadmin_pooler_is_pod(p, pods[j]))
			found = j;
	mg_multiadmin_poolers_release(&pl);
	assert_true(found >= 0);
	return found;
}

static int
setup(void **state)
{
	struct mg_kubeconfig_opts o = { .kubeconfig = getenv("MG_TEST_KUBECONFIG") };
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };
	struct mg_err err = MG_ERR_INIT;
	cJSON *obj;
	char tmpl[] = "/tmp/itest-action.XXXXXX";

	(void)state;
	if (!o.kubeconfig || !getenv("MG_TEST_ETCD"))
		fail_msg("MG_TEST_KUBECONFIG and MG_TEST_ETCD must be set (tests/run)");
	if (!find_top())
		fail_msg("cannot find the repository (tests/sim/multigres_sim.py)");
	if (!mkdtemp(tmpl))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s", tmpl);
	check(mg_kubeconfig_load(&kc, &o, &err), &err);
	check(mg_kube_new(&k, kc, NULL, &err), &err);
	check(mg_kube_new(&k2, kc, NULL, &err), &err);
	snprintf(ns, sizeof(ns), "itest-action-%d", (int)getpid());
	obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "Namespace");
	mg_json_set_str(cJSON_AddObjectToObject(obj, "metadata"), "name", ns);
	check(mg_kube_create(k, &nsres, obj, NULL, &err), &err);
	cJSON_Delete(obj);
	ensure_crd();
	start_sim();
	create_shard();
	for (int i = 0; i < NPODS; i++) {
		check(mg_name_pool_pod(&pods[i], &key, "main", "zone1", i, &err), &err);
		create_pod(i);
	}
	for (int i = 0; i < 600 && !all_ready(); i++)
		sleep_ms(100);
	if (!all_ready())
		fail_msg("the pods did not become Ready within 60 s");
	sync_roles();
	return 0;
}

static int
teardown(void **state)
{
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };
	char cmd[PATH_MAX + 16];

	(void)state;
	stop_sim();
	mg_multiadmin_free(admin);
	if (k) {
		/* pods first, so the namespace goes at once (no kubelet) */
		struct mg_delete_opts del = { NULL, NULL, NULL, false };

		for (int i = 0; i < NPODS; i++)
			mg_kube_delete(k, &pods_res, pods[i], &del, NULL, NULL);
		mg_kube_delete(k, &nsres, ns, NULL, NULL, NULL);
		if (crd_installed)
			mg_kube_delete(k, &crd_res, CRD_NAME, NULL, NULL, NULL);
	}
	for (int i = 0; i < NPODS; i++)
		free(pods[i]);
	mg_kube_free(k);
	mg_kube_free(k2);
	mg_kubeconfig_free(kc);
	if (tmp[0]) {
		snprintf(cmd, sizeof(cmd), "%s/sim.log", tmp);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/sim.json", tmp);
		unlink(cmd);
		rmdir(tmp);
	}
	return 0;
}

/* --- helpers for the tests ------------------------------------------------- */

static cJSON *
get_pod(const char *name)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *pod = NULL;

	check(mg_kube_get(k, &pods_res, name, NULL, &pod, &err), &err);
	return pod;
}

static char *
pod_rv(const char *name)
{
	cJSON *pod = get_pod(name);
	char *rv = mg_xstrdup(mg_json_str(pod, "metadata.resourceVersion"));

	cJSON_Delete(pod);
	return rv;
}

/* The pod's drain annotation, malloc'd ("" when absent). */
static char *
pod_annotation(const char *name, const char *annot)
{
	cJSON *pod = get_pod(name);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(mg_json_get(pod, "metadata.annotations"), annot);
	char *s = mg_xstrdup(cJSON_IsString(v) ? v->valuestring : "");

	cJSON_Delete(pod);
	return s;
}

/* Sets (or with NULL clears both) drain annotations, with the given client. */
static void
set_state(struct mg_kube *c, const char *name, const char *value)
{
	struct mg_patch_opts po = { MG_PATCH_MERGE, NULL, false, NULL, false };
	struct mg_err err = MG_ERR_INIT;
	char *patch;

	if (value)
		patch = mg_xasprintf("{\"metadata\":{\"annotations\":{\"%s\":\"%s\"}}}",
				     MG_ANNOT_DRAIN_STATE, value);
	else
		patch = mg_xasprintf("{\"metadata\":{\"annotations\":{\"%s\":null,\"%s\":null}}}",
				     MG_ANNOT_DRAIN_STATE, MG_ANNOT_DRAIN_REQUESTED_AT);
	check(mg_kube_patch(c, &pods_res, name, &po, patch, NULL, &err), &err);
	free(patch);
}

/* Loads and plans the drain of pods[i] at the current time. */
static void
plan_drain(int i, bool force, struct mg_action_drain_plan *plan)
{
	struct mg_action_objects o;
	struct mg_err err = MG_ERR_INIT;

	check(mg_action_load_pod(k, ns, pods[i], &o, &err), &err);
	{
		const struct mg_action_drain_input in = { o.pod, o.shard, o.pods, time(NULL), force };

		check(mg_action_drain_plan(plan, &in, &err), &err);
	}
	mg_action_objects_release(&o);
}

/* A replica of the shard, other than `not`. */
static int
replica_index(int not)
{
	int p = primary_index();

	for (int j = 0; j < NPODS; j++)
		if (j != p && j != not)
			return j;
	return -1;
}

/* Before each test: no drain annotations, so one failure does not cascade. */
static int
clean_pods(void **state)
{
	struct mg_patch_opts po = { MG_PATCH_MERGE, NULL, false, NULL, false };
	char *patch = mg_xasprintf("{\"metadata\":{\"annotations\":{\"%s\":null,\"%s\":null}}}",
				   MG_ANNOT_DRAIN_STATE, MG_ANNOT_DRAIN_REQUESTED_AT);

	(void)state;
	for (int i = 0; i < NPODS; i++)
		mg_kube_patch(k, &pods_res, pods[i], &po, patch, NULL, NULL); /* gone: fine */
	free(patch);
	return 0;
}

/* --- drain --------------------------------------------------------------- */

static void
test_drain_apply(void **state)
{
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = NULL;
	char *rv, *val, *at;
	int r = replica_index(-1);

	(void)state;
	plan_drain(r, false, &plan);
	assert_true(plan.verdict.allowed);
	assert_string_equal(plan.shard, shard_name);
	assert_int_equal(plan.role, MG_DRAIN_ROLE_REPLICA);

	/* a dry run is validated by the server and stores nothing */
	rv = pod_rv(pods[r]);
	check(mg_action_drain_apply(k, &plan, true, &out, &err), &err);
	assert_string_equal(mg_json_str(cJSON_GetObjectItemCaseSensitive(
				mg_json_get(out, "metadata.annotations"), MG_ANNOT_DRAIN_STATE), ""),
			    "requested"); /* what it would be */
	cJSON_Delete(out);
	val = pod_annotation(pods[r], MG_ANNOT_DRAIN_STATE);
	assert_string_equal(val, "");
	free(val);
	{
		char *rv2 = pod_rv(pods[r]);

		assert_string_equal(rv, rv2);
		free(rv2);
	}

	/* for real: the annotations appear */
	check(mg_action_drain_apply(k, &plan, false, &out, &err), &err);
	assert_string_not_equal(mg_json_str(out, "metadata.resourceVersion"), rv);
	cJSON_Delete(out);
	val = pod_annotation(pods[r], MG_ANNOT_DRAIN_STATE);
	at = pod_annotation(pods[r], MG_ANNOT_DRAIN_REQUESTED_AT);
	assert_string_equal(val, "requested");
	assert_string_equal(at, plan.requested_at);
	free(val);
	free(at);
	free(rv);

	/* applying the same plan again: the pod changed, nothing is written */
	assert_int_equal(mg_action_drain_apply(k, &plan, false, NULL, &err), MG_ECONFLICT);
	assert_non_null(strstr(err.msg, "changed since the plan was made"));
	mg_action_drain_plan_release(&plan);

	/* planning it again: already draining, never forced */
	plan_drain(r, true, &plan);
	assert_false(plan.verdict.allowed);
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_POD_DRAINING));
	mg_action_drain_plan_release(&plan);
	set_state(k, pods[r], NULL);
}

static void
test_refused_drain_changes_nothing(void **state)
{
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	int r = replica_index(-1), other = replica_index(r);
	char *before, *after;

	(void)state;
	/* another pod draining: the next drain is refused */
	set_state(k, pods[r], "draining");
	plan_drain(other, false, &plan);
	assert_false(plan.verdict.allowed);
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_OTHER_DRAINING));
	/* with one replica draining, only the primary would remain */
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_QUORUM));
	before = pod_rv(pods[other]);
	assert_int_equal(mg_action_drain_apply(k, &plan, false, NULL, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "refused"));
	after = pod_rv(pods[other]);
	assert_string_equal(before, after);
	free(before);
	free(after);
	mg_action_drain_plan_release(&plan);

	/* the primary, with its only other replica draining: no takeover */
	plan_drain(primary_index(), false, &plan);
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_OTHER_DRAINING));
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_QUORUM));
	assert_false(plan.verdict.allowed);
	mg_action_drain_plan_release(&plan);
	set_state(k, pods[r], NULL);
}

static void
test_conflict_fails_cleanly(void **state)
{
	struct mg_action_drain_plan plan;
	struct mg_patch_opts po = { MG_PATCH_MERGE, NULL, false, NULL, false };
	struct mg_err err = MG_ERR_INIT;
	int r = replica_index(-1);
	char *val;

	(void)state;
	plan_drain(r, false, &plan);
	assert_true(plan.verdict.allowed);
	/* someone changes the pod between plan and apply */
	check(mg_kube_patch(k2, &pods_res, pods[r], &po,
			    "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}", NULL, &err), &err);
	assert_int_equal(mg_action_drain_apply(k, &plan, false, NULL, &err), MG_ECONFLICT);
	assert_int_equal(err.http_status, 409);
	assert_non_null(strstr(err.msg, "nothing was written, plan again"));
	val = pod_annotation(pods[r], MG_ANNOT_DRAIN_STATE);
	assert_string_equal(val, "");
	free(val);
	mg_action_drain_plan_release(&plan);
}

/* The stand-in operator: moves the drain one step per event seen. */
struct stand_in {
	enum mg_drain_state seen[16];
	int nseen;
	bool cancel;      /* clear the annotations at `requested` */
	bool delete_pod;  /* delete the pod at ready-for-deletion */
	bool idle;        /* do nothing */
};

static void
stand_in_progress(void *data, const char *pod, enum mg_drain_state st, int64_t elapsed)
{
	struct stand_in *s = data;
	struct mg_err err = MG_ERR_INIT;

	(void)elapsed;
	if (s->nseen < 16)
		s->seen[s->nseen++] = st;
	if (s->idle)
		return;
	switch (st) {
	case MG_DRAIN_REQUESTED:
		set_state(k2, pod, s->cancel ? NULL : "draining");
		break;
	case MG_DRAIN_DRAINING:
		set_state(k2, pod, "acknowledged");
		break;
	case MG_DRAIN_ACKNOWLEDGED:
		set_state(k2, pod, "ready-for-deletion");
		break;
	case MG_DRAIN_READY_FOR_DELETION:
		if (s->delete_pod)
			check(mg_kube_delete(k2, &pods_res, pod, NULL, NULL, &err), &err);
		break;
	default:
		break;
	}
}

static void
drain_and_wait(int i, struct stand_in *s, bool until_deleted, long timeout_ms,
	       int want_rc, enum mg_action_drain_outcome want)
{
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	struct mg_action_drain_wait_opts wo = { timeout_ms, until_deleted, stand_in_progress, s };
	enum mg_action_drain_outcome got = (enum mg_action_drain_outcome)-1;
	int rc;

	plan_drain(i, false, &plan);
	assert_true(plan.verdict.allowed);
	check(mg_action_drain_apply(k, &plan, false, NULL, &err), &err);
	rc = mg_action_drain_wait(k, &plan, &wo, &got, &err);
	if (rc != want_rc)
		fail_msg("wait: %d (%s), want %d", rc, err.msg, want_rc);
	if (!rc)
		assert_int_equal(got, want);
	else
		assert_non_null(strstr(err.msg, "still in state 'requested' after 1.5 s"));
	mg_action_drain_plan_release(&plan);
}

static void
test_drain_wait(void **state)
{
	struct stand_in s;
	int r = replica_index(-1);

	(void)state;
	/* walked to ready-for-deletion: every state reported once, in order */
	memset(&s, 0, sizeof(s));
	drain_and_wait(r, &s, false, 20000, 0, MG_ACTION_DRAIN_READY);
	assert_int_equal(s.nseen, 4);
	assert_int_equal(s.seen[0], MG_DRAIN_REQUESTED);
	assert_int_equal(s.seen[1], MG_DRAIN_DRAINING);
	assert_int_equal(s.seen[2], MG_DRAIN_ACKNOWLEDGED);
	assert_int_equal(s.seen[3], MG_DRAIN_READY_FOR_DELETION);
	set_state(k, pods[r], NULL);

	/* the operator cancels it */
	memset(&s, 0, sizeof(s));
	s.cancel = true;
	drain_and_wait(r, &s, false, 20000, 0, MG_ACTION_DRAIN_CANCELLED);
	assert_int_equal(s.nseen, 2);
	assert_int_equal(s.seen[1], MG_DRAIN_NONE);

	/* nobody moves it: the time limit, naming the state */
	memset(&s, 0, sizeof(s));
	s.idle = true;
	drain_and_wait(r, &s, false, 1500, MG_ETIMEOUT, MG_ACTION_DRAIN_READY);
	set_state(k, pods[r], NULL);
}

/* --- switchover ------------------------------------------------------------ */

static void
plan_switchover(struct mg_action_switchover_plan *plan, const char *to)
{
	struct mg_action_objects o;
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_err err = MG_ERR_INIT;

	check(mg_action_load_shard(k, ns, shard_name, &o, &err), &err);
	check(mg_multiadmin_poolers(admin, &akey, &pl, &err), &err);
	{
		const struct mg_action_switchover_input in = { o.shard, o.pods, &pl, to, NULL, 0, false };

		check(mg_action_switchover_plan(plan, &in, &err), &err);
	}
	mg_multiadmin_poolers_release(&pl);
	mg_action_objects_release(&o);
}

static void
switch_progress(void *data, const char *status, int64_t elapsed)
{
	(void)elapsed;
	(void)status;
	(*(int *)data)++;
}

static void
test_switchover(void **state)
{
	struct mg_action_switchover_plan plan;
	struct mg_action_switchover_result res;
	struct mg_err err = MG_ERR_INIT;
	int calls = 0, old = primary_index(), now;
	struct mg_action_switchover_opts so = { "itest", 20000, 100, switch_progress, &calls };
	struct mg_buf text = MG_BUF_INIT;

	(void)state;
	/* a wished-for target is refused, not ignored */
	plan_switchover(&plan, pods[replica_index(-1)]);
	assert_false(plan.verdict.allowed);
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_TARGET_UNSUPPORTED));
	mg_action_switchover_plan_release(&plan);

	plan_switchover(&plan, NULL);
	if (!plan.verdict.allowed) {
		mg_action_switchover_plan_text(&plan, &text);
		fail_msg("switchover refused:\n%s", text.data);
	}
	assert_string_equal(plan.primary_pod, pods[old]);
	assert_int_equal(plan.ncandidates, NPODS - 1);
	check(mg_action_switchover_apply(admin, &plan, &so, &res, &err), &err);
	assert_string_equal(res.old_pod, pods[old]);
	assert_string_not_equal(res.new_pod, pods[old]);
	assert_true(res.new_term > plan.term);
	assert_true(res.elapsed_ms >= 400); /* the simulator's switch delay */
	assert_true(calls >= 1);
	now = primary_index();
	assert_string_equal(res.new_pod, pods[now]);
	assert_int_not_equal(now, old);
	mg_action_switchover_result_text(&res, &text);
	assert_non_null(strstr(text.data, pods[old]));
	assert_non_null(strstr(text.data, pods[now]));
	mg_buf_release(&text);
	mg_action_switchover_plan_release(&plan);
	sync_roles();
}

static void
test_switchover_fault(void **state)
{
	struct mg_action_switchover_plan plan;
	struct mg_action_switchover_result res;
	struct mg_err err = MG_ERR_INIT;
	int old = primary_index();
	struct mg_action_switchover_opts so = { "itest fault", 5000, 100, NULL, NULL };

	(void)state;
	sim_control("POST", "/_sim/faults", "{\"switchFail\": \"disk on fire\"}");
	plan_switchover(&plan, NULL);
	assert_true(plan.verdict.allowed);
	assert_int_equal(mg_action_switchover_apply(admin, &plan, &so, &res, &err), MG_EAPI);
	assert_string_equal(err.msg, "multiadmin switch-primary postgres/default/0-inf: "
				     "ResignLeadership failed: disk on fire");
	assert_int_equal(err.http_status, 500);
	sleep_ms(1000); /* longer than the switch delay: nothing may move */
	assert_int_equal(primary_index(), old);
	sim_control("DELETE", "/_sim/faults", NULL);
	mg_action_switchover_plan_release(&plan);
}

/* Last: it leaves the shard without a primary. */
static void
test_switchover_no_election(void **state)
{
	struct mg_action_switchover_plan plan;
	struct mg_action_switchover_result res;
	struct mg_err err = MG_ERR_INIT;
	struct mg_action_switchover_opts so = { "itest no election", 1500, 100, NULL, NULL };

	(void)state;
	/* accepted, but no new primary in time */
	sim_control("POST", "/_sim/faults", "{\"noElection\": true}");
	plan_switchover(&plan, NULL);
	assert_true(plan.verdict.allowed);
	assert_int_equal(mg_action_switchover_apply(admin, &plan, &so, &res, &err), MG_ETIMEOUT);
	assert_non_null(strstr(err.msg, "was accepted"));
	assert_non_null(strstr(err.msg, "no new primary appeared within 1.5 s"));
	mg_action_switchover_plan_release(&plan);
	sim_control("DELETE", "/_sim/faults", NULL);
}

/* Waiting until the pod is gone: the stand-in deletes it when ready. */
static void
test_drain_until_deleted(void **state)
{
	struct stand_in s;
	int r = replica_index(-1);

	(void)state;
	memset(&s, 0, sizeof(s));
	s.delete_pod = true;
	drain_and_wait(r, &s, true, 20000, 0, MG_ACTION_DRAIN_DELETED);
	assert_int_equal(s.seen[s.nseen - 1], MG_DRAIN_READY_FOR_DELETION);
}

/* The service-proxy transport against the real API server. */
static void
test_proxy_transport(void **state)
{
	struct mg_kube_res svcs = { "", "v1", "services", ns };
	struct mg_kube_res eps = { "", "v1", "endpoints", ns };
	struct mg_multiadmin *a = NULL;
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_err err = MG_ERR_INIT;
	cJSON *svc = cJSON_Parse(
		"{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"mc-multiadmin\"},"
		" \"spec\": {\"selector\": {\"app\": \"nothing-here\"},"
		"  \"ports\": [{\"name\": \"http\", \"port\": 18000}, {\"name\": \"grpc\", \"port\": 18070}]}}");

	(void)state;
	check(mg_kube_create(k, &svcs, svc, NULL, &err), &err);
	cJSON_Delete(svc);
	/* the proxy reads the Endpoints the controller makes (empty here) */
	for (int i = 0; i < 300; i++) {
		cJSON *ep = NULL;

		if (mg_kube_get(k, &eps, "mc-multiadmin", NULL, &ep, NULL) == 0) {
			cJSON_Delete(ep);
			break;
		}
		sleep_ms(100);
	}
	check(mg_multiadmin_new_proxy(&a, k, ns, "mc", &err), &err);
	/* port 18000 is found by number; with no endpoints the proxy says so */
	assert_int_not_equal(mg_multiadmin_poolers(a, &akey, &pl, &err), 0);
	assert_int_equal(err.http_status, 503);
	assert_non_null(strstr(err.msg, "multiadmin poolers postgres/default/0-inf: service "));
	assert_non_null(strstr(err.msg, "through the API server: "));
	assert_non_null(strstr(err.msg, "no endpoints available for service"));
	mg_multiadmin_free(a);
	/* a cluster without multiadmin */
	check(mg_multiadmin_new_proxy(&a, k, ns, "other", &err), &err);
	assert_int_equal(mg_multiadmin_poolers(a, &akey, &pl, &err), MG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "\"other-multiadmin\" not found"));
	mg_multiadmin_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_drain_apply, clean_pods),
		cmocka_unit_test_setup(test_refused_drain_changes_nothing, clean_pods),
		cmocka_unit_test_setup(test_conflict_fails_cleanly, clean_pods),
		cmocka_unit_test_setup(test_drain_wait, clean_pods),
		cmocka_unit_test_setup(test_switchover, clean_pods),
		cmocka_unit_test_setup(test_switchover_fault, clean_pods),
		cmocka_unit_test_setup(test_proxy_transport, clean_pods),
		cmocka_unit_test_setup(test_drain_until_deleted, clean_pods),
		cmocka_unit_test_setup(test_switchover_no_election, clean_pods),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
