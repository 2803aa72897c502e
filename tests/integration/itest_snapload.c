/*
 * snapload against the real control plane of tests/cluster/up: the minimal
 * snapshot fixture (tests/fixtures/snapshot/minimal.yaml) is created in a
 * namespace of its own, owner references pointing at the real uids and
 * statuses written through the status subresource; then one LIST per
 * kind must give the fixture's tree with exactly one request per kind, and
 * a watch must see a pod's change.
 *
 * Installs deploy/crds with kubectl when they are absent (and removes
 * them again). Needs MG_TEST_KUBECONFIG (tests/run sets it) and runs from
 * the top of the source tree. MG_ITEST_KEEP=1 leaves the namespace (and
 * the CRDs) in place for a look afterwards.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <unistd.h>

#include "../fixtures/snapshot/fixture.h"
#include "buf.h"
#include "err.h"
#include "health.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "snapload.h"
#include "snapshot.h"
#include "status.h"
#include "timeutil.h"
#include "xalloc.h"

#define POD "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-"

static struct mg_kubeconfig *kc;
static struct mg_kube *k;
static char ns[64];
static bool installed_crds;

static void
check(int rc, const struct mg_err *err)
{
	if (rc)
		fail_msg("%s (%d)", err->msg, rc);
}

static bool
crds_served(void)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *d = NULL;
	bool ok;

	check(mg_kube_discover(k, &d, &err), &err);
	ok = mg_kube_serves(d, "multigres.com/v1alpha1");
	cJSON_Delete(d);
	return ok;
}

static int
setup(void **state)
{
	struct mg_kubeconfig_opts o = { .kubeconfig =
						getenv("MG_TEST_KUBECONFIG") };
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res nsres = { "", "v1", "namespaces", NULL };
	cJSON *obj;
	int i;

	(void)state;
	check(mg_kubeconfig_load(&kc, &o, &err), &err);
	check(mg_kube_new(&k, kc, NULL, &err), &err);
	if (!crds_served()) {
		installed_crds = true;
		if (system("kubectl apply --server-side -k deploy/crds "
			   ">/dev/null && kubectl wait --for=condition="
			   "Established --timeout=60s crd --all >/dev/null"))
			fail_msg("cannot install deploy/crds");
		for (i = 0; i < 100 && !crds_served(); i++)
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	snprintf(ns, sizeof(ns), "itest-snapload-%d", (int)getpid());
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
	if (getenv("MG_ITEST_KEEP")) { /* for a look afterwards */
		mg_kube_free(k);
		mg_kubeconfig_free(kc);
		return 0;
	}
	mg_kube_delete(k, &nsres, ns, NULL, NULL, NULL);
	if (installed_crds &&
	    system("kubectl delete -k deploy/crds --ignore-not-found "
		   "--timeout=60s >/dev/null 2>&1"))
		fprintf(stderr, "itest_snapload: could not remove the CRDs\n");
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	return 0;
}

/* --- creating the fixture -------------------------------------------------------- */

static struct mg_kube_res
res_of(const char *kind)
{
	struct mg_kube_res r = { "multigres.com", "v1alpha1", NULL, ns };

	if (!strcmp(kind, "MultigresCluster"))
		r.resource = "multigresclusters";
	else if (!strcmp(kind, "Cell"))
		r.resource = "cells";
	else if (!strcmp(kind, "TableGroup"))
		r.resource = "tablegroups";
	else if (!strcmp(kind, "Shard"))
		r.resource = "shards";
	else if (!strcmp(kind, "TopoServer"))
		r.resource = "toposervers";
	else if (!strcmp(kind, "Deployment"))
		r = (struct mg_kube_res){ "apps", "v1", "deployments", ns };
	else if (!strcmp(kind, "Pod"))
		r = (struct mg_kube_res){ "", "v1", "pods", ns };
	else if (!strcmp(kind, "PersistentVolumeClaim"))
		r = (struct mg_kube_res){ "", "v1", "persistentvolumeclaims", ns };
	else if (!strcmp(kind, "Event"))
		r = (struct mg_kube_res){ "", "v1", "events", ns };
	else
		fail_msg("unknown kind %s", kind);
	return r;
}

/* fixture uid -> real uid */
struct uidmap {
	char *from[64], *to[64];
	int n;
};

static const char *
map_uid(const struct uidmap *m, const char *uid)
{
	int i;

	for (i = 0; uid && i < m->n; i++) {
		if (!strcmp(m->from[i], uid))
			return m->to[i];
	}
	return NULL;
}

static void
remap(const struct uidmap *m, cJSON *o, const char *path)
{
	cJSON *it;

	cJSON_ArrayForEach(it, mg_json_get(o, path)) {
		const char *u = map_uid(m, mg_json_str(it, "uid"));

		if (u)
			mg_json_set_str(it, "uid", u);
	}
}

static void
create_one(struct uidmap *m, const cJSON *fix)
{
	struct mg_err err = MG_ERR_INIT;
	const char *kind = mg_json_str(fix, "kind");
	struct mg_kube_res r = res_of(kind);
	cJSON *o = cJSON_Duplicate(fix, 1), *md = mg_json_get(o, "metadata");
	cJSON *status = cJSON_DetachItemFromObject(o, "status");
	cJSON *made = NULL;

	mg_json_set_str(md, "namespace", ns);
	cJSON_DeleteItemFromObject(md, "uid");
	cJSON_DeleteItemFromObject(md, "resourceVersion");
	cJSON_DeleteItemFromObject(md, "creationTimestamp");
	cJSON_DeleteItemFromObject(md, "generation");
	/* no operator here to let go of them */
	cJSON_DeleteItemFromObject(md, "finalizers");
	remap(m, md, "ownerReferences");
	if (!strcmp(kind, "Pod")) {
		/* let the scheduler and kwok run it */
		cJSON_DeleteItemFromObject(mg_json_get(o, "spec"), "nodeName");
		cJSON_DeleteItemFromObject(mg_json_get(o, "spec"), "volumes");
	}
	if (!strcmp(kind, "Event")) {
		cJSON *io = mg_json_get(o, "involvedObject");
		const char *u = map_uid(m, mg_json_str(io, "uid"));

		mg_json_set_str(io, "namespace", ns);
		if (u)
			mg_json_set_str(io, "uid", u);
		cJSON_DeleteItemFromObject(io, "resourceVersion");
	}
	check(mg_kube_create(k, &r, o, &made, &err), &err);
	assert_true(m->n < 64);
	m->from[m->n] = mg_xstrdup(mg_json_str(fix, "metadata.uid"));
	m->to[m->n++] = mg_xstrdup(mg_json_str(made, "metadata.uid"));
	if (status && !strcmp(r.group, "multigres.com")) {
		cJSON *upd = cJSON_Duplicate(made, 1), *out = NULL;

		cJSON_DeleteItemFromObject(upd, "status");
		cJSON_AddItemToObject(upd, "status", status);
		status = NULL;
		check(mg_kube_update(k, &r, upd, "status", &out, &err), &err);
		cJSON_Delete(upd);
		cJSON_Delete(out);
	}
	cJSON_Delete(status);
	cJSON_Delete(made);
	cJSON_Delete(o);
}

static void
create_fixture(void)
{
	cJSON *objs = fixture_objs("minimal");
	struct uidmap m = { { NULL }, { NULL }, 0 };
	const cJSON *it;
	int i;

	cJSON_ArrayForEach(it, objs)
		create_one(&m, it);
	for (i = 0; i < m.n; i++) {
		free(m.from[i]);
		free(m.to[i]);
	}
	cJSON_Delete(objs);
}

/* --- the tests --------------------------------------------------------------------- */

static const struct mg_snap_shard *
the_shard(const struct mg_snap *s)
{
	size_t n;
	struct mg_snap_cluster *const *cl = mg_snap_clusters(s, &n);

	assert_int_equal(n, 1);
	assert_int_equal(cl[0]->ntgs, 1);
	assert_int_equal(cl[0]->tgs[0]->nshards, 1);
	return cl[0]->tgs[0]->shards[0];
}

static void
test_list(void **state)
{
	struct mg_snapload_opts o = MG_SNAPLOAD_OPTS_INIT;
	struct mg_snap *s = mg_snap_new(NULL), *none = mg_snap_new(NULL);
	struct mg_err err = MG_ERR_INIT;
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts so = MG_STATUS_OPTS_INIT;
	struct mg_buf out = MG_BUF_INIT;
	const struct mg_snap_shard *sh;
	const struct mg_snap_poolcell *pc;
	unsigned long reqs = 0;
	size_t n;

	(void)state;
	create_fixture();
	o.ns = ns;
	o.cluster = "minimal";
	check(mg_snapload_list(k, s, &o, &reqs, &err), &err);
	/* one request per kind: nine kinds, one page each */
	assert_int_equal(reqs, 9);
	sh = the_shard(s);
	assert_non_null(sh->obj.json);
	assert_string_equal(sh->name, "0-inf");
	assert_int_equal(mg_snap_clusters(s, &n)[0]->ncells, 1);
	assert_non_null(mg_snap_clusters(s, &n)[0]->cells[0]->gateway);
	assert_int_equal(mg_snap_clusters(s, &n)[0]->ntopos, 1);
	assert_int_equal(mg_snap_clusters(s, &n)[0]->ndeploys, 2);
	assert_int_equal(sh->norch, 1);
	assert_non_null(sh->backup_pvc);
	assert_int_equal(sh->nroles, 3);
	assert_int_equal(sh->npools, 1);
	pc = sh->pools[0]->cells[0];
	assert_string_equal(pc->cell, "zone-a");
	assert_int_equal(pc->npods, 3);
	assert_int_equal(pc->npvcs, 3);
	assert_string_equal(pc->pods[0]->obj.name, POD "0");
	assert_int_equal(pc->pods[0]->role, MG_DRAIN_ROLE_PRIMARY);
	assert_int_equal(pc->pods[2]->drain, MG_DRAIN_DRAINING);
	assert_true(sh->last_backup > 0);
	assert_true(sh->obj.nevents >= 2);
	/* the whole chain on top of it */
	mg_snap_tick(s, time(NULL));
	mg_health_check(s, time(NULL), NULL, &r);
	so.now = time(NULL);
	so.ns = ns;
	so.cluster = "minimal";
	check(mg_status_render(&out, s, &r, &so, &err), &err);
	assert_non_null(strstr(out.data, "cluster minimal"));
	assert_non_null(strstr(out.data, "pod " POD "2"));
	/* another cluster's name: nothing, in as many requests */
	o.cluster = "nope";
	check(mg_snapload_list(k, none, &o, &reqs, &err), &err);
	assert_int_equal(reqs, 9);
	mg_snap_clusters(none, &n);
	assert_int_equal(n, 0);
	mg_buf_release(&out);
	mg_health_report_release(&r);
	mg_snap_free(s);
	mg_snap_free(none);
}

/* Runs the loop until cond(s) or the deadline; false on timeout. */
static bool
run_until(struct mg_kube_loop *l, struct mg_snap *s,
	  bool (*cond)(const struct mg_snap *s, const struct mg_snapload *w),
	  const struct mg_snapload *w, int timeout_ms)
{
	int64_t end = mg_time_mono_ms() + timeout_ms;
	struct mg_err err = MG_ERR_INIT;

	while (!cond(s, w)) {
		if (mg_time_mono_ms() > end)
			return false;
		check(mg_kube_loop_run(l, 200, NULL, 0, &err), &err);
	}
	return true;
}

static bool
synced(const struct mg_snap *s, const struct mg_snapload *w)
{
	(void)s;
	return mg_snapload_synced(w);
}

static bool
pod1_requested(const struct mg_snap *s, const struct mg_snapload *w)
{
	const struct mg_snap_pod *p =
		mg_snap_as_pod(mg_snap_find(s, MG_SNAP_POD, ns, POD "1"));

	(void)w;
	return p && p->drain == MG_DRAIN_REQUESTED;
}

static bool
pod1_gone(const struct mg_snap *s, const struct mg_snapload *w)
{
	(void)w;
	return !mg_snap_find(s, MG_SNAP_POD, ns, POD "1");
}

static void
test_watch(void **state)
{
	struct mg_snapload_opts o = MG_SNAPLOAD_OPTS_INIT;
	struct mg_snap *s = mg_snap_new(NULL);
	struct mg_kube_loop *l = NULL;
	struct mg_snapload *w = NULL;
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res pods = { "", "v1", "pods", ns };
	struct mg_patch_opts po = { MG_PATCH_MERGE, NULL, false, NULL, false };
	struct mg_delete_opts dopts = { NULL, NULL, NULL, false };
	uint64_t v;
	int64_t when;

	(void)state;
	o.ns = ns;
	o.cluster = "minimal";
	check(mg_kube_loop_new(&l, k, &err), &err);
	check(mg_snapload_watch(&w, l, s, &o, &err), &err);
	assert_true(run_until(l, s, synced, w, 20000));
	assert_true(mg_snapload_healthy(w));
	assert_int_equal(mg_snapload_errors(w), 0);
	assert_string_equal(mg_snapload_last_error(w, &when), "");
	assert_int_equal(the_shard(s)->pools[0]->cells[0]->npods, 3);
	assert_true(mg_snapload_applied(w) > 0);

	v = mg_snap_version(s);
	check(mg_kube_patch(k, &pods, POD "1", &po,
			    "{\"metadata\":{\"annotations\":{"
			    "\"drain.multigres.com/state\":\"requested\"}}}",
			    NULL, &err),
	      &err);
	assert_true(run_until(l, s, pod1_requested, w, 10000));
	assert_true(mg_snap_version(s) > v);
	assert_int_equal(the_shard(s)->ndraining, 2);

	dopts.propagation = "Background";
	check(mg_kube_delete(k, &pods, POD "1", &dopts, NULL, &err), &err);
	/* kwok finishes the deletion; the pod leaves the snapshot */
	assert_true(run_until(l, s, pod1_gone, w, 20000));
	assert_null(the_shard(s)->roles[1].found);

	mg_snapload_stop(w);
	mg_kube_loop_free(l);
	mg_snap_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_watch),
	};

	if (!getenv("MG_TEST_KUBECONFIG")) {
		printf("itest_snapload: skipped: no control plane "
		       "(MG_TEST_KUBECONFIG unset)\n");
		return 0;
	}
	return cmocka_run_group_tests_name("itest_snapload", tests, setup,
					   teardown);
}
