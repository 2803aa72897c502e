/*
 * The action plans: every drain and switchover decision from a table of
 * small shards, the drain patch byte for byte, the texts front-ends show,
 * and the helpers that find a pod's Shard and the Shard's pods; the
 * switchover's wait against the scripted loopback server. Drain apply and
 * wait need an API server: tests/integration/itest_action.c.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "action.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "multiadmin.h"
#include "testlib.h"
#include "xalloc.h"

/* --- fixtures ------------------------------------------------------------ */

/* One pool pod of shard postgres/default/0-inf of cluster "mc". */
struct fpod {
	const char *name;   /* ends in -<index> */
	const char *role;   /* podRoles value, NULL: not listed */
	bool ready;
	const char *state;  /* drain state, NULL: none */
	const char *cell;   /* NULL: "a" */
	bool terminating;
	bool no_hash;       /* no spec-hash annotation */
};

#define MAXP 8

static cJSON *
make_pod(const struct fpod *f)
{
	cJSON *pod = cJSON_CreateObject(), *meta, *labels, *ann, *conds, *c;

	cJSON_AddStringToObject(pod, "apiVersion", "v1");
	cJSON_AddStringToObject(pod, "kind", "Pod");
	meta = cJSON_AddObjectToObject(pod, "metadata");
	cJSON_AddStringToObject(meta, "name", f->name);
	cJSON_AddStringToObject(meta, "namespace", "ns1");
	cJSON_AddStringToObject(meta, "uid", "uid-1");
	cJSON_AddStringToObject(meta, "resourceVersion", "41");
	if (f->terminating)
		cJSON_AddStringToObject(meta, "deletionTimestamp", "2026-11-21T20:40:00Z");
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, MG_LABEL_APP_COMPONENT, MG_COMPONENT_SHARD_POOL);
	cJSON_AddStringToObject(labels, MG_LABEL_CLUSTER, "mc");
	cJSON_AddStringToObject(labels, MG_LABEL_DATABASE, "postgres");
	cJSON_AddStringToObject(labels, MG_LABEL_TABLEGROUP, "default");
	cJSON_AddStringToObject(labels, MG_LABEL_SHARD, "0-inf");
	cJSON_AddStringToObject(labels, MG_LABEL_POOL, "main");
	cJSON_AddStringToObject(labels, MG_LABEL_CELL, f->cell ? f->cell : "a");
	ann = cJSON_AddObjectToObject(meta, "annotations");
	if (!f->no_hash)
		cJSON_AddStringToObject(ann, MG_ANNOT_SPEC_HASH, "0badf00d");
	if (f->state) {
		cJSON_AddStringToObject(ann, MG_ANNOT_DRAIN_STATE, f->state);
		cJSON_AddStringToObject(ann, MG_ANNOT_DRAIN_REQUESTED_AT, "2026-11-21T20:45:00Z");
	}
	conds = cJSON_AddArrayToObject(cJSON_AddObjectToObject(pod, "status"), "conditions");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "Ready");
	cJSON_AddStringToObject(c, "status", f->ready ? "True" : "False");
	cJSON_AddItemToArray(conds, c);
	return pod;
}

/* A List of the pods. */
static cJSON *
make_list(const struct fpod *pods, size_t n)
{
	cJSON *list = cJSON_CreateObject(), *items;

	cJSON_AddStringToObject(list, "kind", "PodList");
	items = cJSON_AddArrayToObject(list, "items");
	for (size_t i = 0; i < n && pods[i].name; i++)
		cJSON_AddItemToArray(items, make_pod(&pods[i]));
	return list;
}

/* The Shard, podRoles from the pods (FQDN keys when fqdn), replicasPerCell
 * 2 in cells a and b. */
static cJSON *
make_shard(const struct fpod *pods, size_t n, const char *policy, bool rolling, bool fqdn)
{
	cJSON *s = cJSON_CreateObject(), *meta, *spec, *pool, *cells, *status, *roles;

	cJSON_AddStringToObject(s, "apiVersion", "multigres.com/v1alpha1");
	cJSON_AddStringToObject(s, "kind", "Shard");
	meta = cJSON_AddObjectToObject(s, "metadata");
	cJSON_AddStringToObject(meta, "name", "mc-postgres-default-0-inf-x");
	cJSON_AddStringToObject(meta, "namespace", "ns1");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"), MG_LABEL_CLUSTER, "mc");
	spec = cJSON_AddObjectToObject(s, "spec");
	cJSON_AddStringToObject(spec, "databaseName", "postgres");
	cJSON_AddStringToObject(spec, "tableGroupName", "default");
	cJSON_AddStringToObject(spec, "shardName", "0-inf");
	if (policy)
		cJSON_AddStringToObject(spec, "durabilityPolicy", policy);
	pool = cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "pools"), "main");
	cJSON_AddStringToObject(pool, "type", "readWrite");
	cells = cJSON_AddArrayToObject(pool, "cells");
	cJSON_AddItemToArray(cells, cJSON_CreateString("a"));
	cJSON_AddItemToArray(cells, cJSON_CreateString("b"));
	cJSON_AddNumberToObject(pool, "replicasPerCell", 2);
	status = cJSON_AddObjectToObject(s, "status");
	roles = cJSON_AddObjectToObject(status, "podRoles");
	for (size_t i = 0; i < n && pods[i].name; i++) {
		if (!pods[i].role)
			continue;
		if (fqdn) {
			char *k = mg_xasprintf("%s.hl.ns1.svc.cluster.local", pods[i].name);

			cJSON_AddStringToObject(roles, k, pods[i].role);
			free(k);
		} else {
			cJSON_AddStringToObject(roles, pods[i].name, pods[i].role);
		}
	}
	if (rolling) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "type", "RollingUpdate");
		cJSON_AddStringToObject(c, "status", "True");
		cJSON_AddStringToObject(c, "reason", "PodsDrifted");
		cJSON_AddStringToObject(c, "message", "1 pods need update in pool main");
		cJSON_AddItemToArray(cJSON_AddArrayToObject(status, "conditions"), c);
	}
	return s;
}

#define NOW ((time_t)1795294253) /* 2026-11-21T20:50:53Z */

/* Checks listed in a verdict, in order, as "a,b,c". */
static char *
checks(const struct mg_action_verdict *v)
{
	struct mg_buf b = MG_BUF_INIT;

	for (size_t i = 0; i < v->nreasons; i++)
		mg_buf_addf(&b, "%s%s", i ? "," : "", mg_action_check_name(v->reasons[i].check));
	return mg_buf_detach(&b, NULL);
}

/* --- drain decisions ------------------------------------------------------ */

#define R(name) { name, "REPLICA", true, NULL, NULL, false, false }
#define P(name) { name, "PRIMARY", true, NULL, NULL, false, false }

static const struct drain_case {
	const char *what;
	struct fpod pods[MAXP];
	size_t target;       /* index into pods */
	const char *policy;  /* NULL: unset (AT_LEAST_2) */
	bool force, fqdn;
	bool allowed, forced;
	const char *checks;  /* expected reasons, in order */
} drain_cases[] = {
	{ "a replica of a healthy shard", { P("p-0"), R("p-1"), R("p-2") }, 1,
	  NULL, false, false, true, false, "" },
	{ "the primary, with ready replicas to take over", { P("p-0"), R("p-1"), R("p-2") }, 0,
	  NULL, false, false, true, false, "" },
	{ "the primary, replicas not ready",
	  { P("p-0"), { "p-1", "REPLICA", false, NULL, NULL, false, false },
	    { "p-2", "REPLICA", false, NULL, NULL, false, false } }, 0,
	  NULL, false, false, false, false, "no-takeover,quorum" },
	{ "two poolers under AT_LEAST_2", { P("p-0"), R("p-1") }, 1,
	  "AT_LEAST_2", false, false, false, false, "quorum" },
	{ "two poolers, forced", { P("p-0"), R("p-1") }, 1,
	  NULL, true, false, true, true, "quorum" },
	{ "already draining (never forced)",
	  { P("p-0"), R("p-1"), R("p-2"), { "p-3", "REPLICA", true, "draining", NULL, false, false } }, 3,
	  NULL, true, false, false, false, "pod-draining" },
	{ "an unknown drain state counts as draining",
	  { P("p-0"), R("p-1"), R("p-2"), { "p-3", "REPLICA", true, "weird", NULL, false, false } }, 3,
	  NULL, false, false, false, false, "pod-draining" },
	{ "being deleted (never forced)",
	  { P("p-0"), R("p-1"), R("p-2"), { "p-3", "REPLICA", true, NULL, NULL, true, false } }, 3,
	  NULL, true, false, false, false, "pod-terminating" },
	{ "another replica draining",
	  { P("p-0"), R("p-1"), R("p-2"), { "p-3", "REPLICA", true, "requested", NULL, false, false } }, 1,
	  NULL, false, false, false, false, "other-draining" },
	{ "another replica terminating, forced",
	  { P("p-0"), R("p-1"), R("p-2"), { "p-3", "REPLICA", true, NULL, NULL, true, false } }, 1,
	  NULL, true, false, true, true, "other-draining" },
	{ "the primary draining: said once, as primary-draining",
	  { { "p-0", "PRIMARY", true, "draining", NULL, false, false }, R("p-1"), R("p-2"), R("p-3") }, 1,
	  NULL, false, false, false, false, "primary-draining" },
	{ "no primary in podRoles",
	  { R("p-0"), R("p-1"), R("p-2") }, 1, NULL, false, false, false, false, "no-primary" },
	{ "podRoles keyed by FQDN", { P("p-0"), R("p-1"), R("p-2") }, 2,
	  NULL, false, true, true, false, "" },
	{ "a quarantined pooler acknowledges nothing",
	  { P("p-0"), R("p-1"), { "p-2", "QUARANTINED", true, NULL, NULL, false, false } }, 1,
	  NULL, false, false, false, false, "quorum" },
	{ "a pod without a role acknowledges nothing",
	  { P("p-0"), R("p-1"), { "p-2", NULL, true, NULL, NULL, false, false } }, 1,
	  NULL, false, false, false, false, "quorum" },
	{ "multi-cell: the only pooler of cell b",
	  { P("p-0"), R("p-1"), { "p-2", "REPLICA", true, NULL, "b", false, false } }, 2,
	  "MULTI_CELL_AT_LEAST_2", false, false, false, false, "quorum" },
	{ "multi-cell: a replica of cell a, b keeps one",
	  { P("p-0"), R("p-1"), { "p-2", "REPLICA", true, NULL, "b", false, false } }, 1,
	  "MULTI_CELL_AT_LEAST_2", false, false, true, false, "" },
	{ "multi-cell: the primary of a, b takes over",
	  { P("p-0"), R("p-1"), { "p-2", "REPLICA", true, NULL, "b", false, false } }, 0,
	  "MULTI_CELL_AT_LEAST_2", false, false, true, false, "" },
	{ "an unknown durability policy", { P("p-0"), R("p-1"), R("p-2") }, 1,
	  "AT_LEAST_3", false, false, false, false, "unknown-policy" },
	{ "an unknown durability policy, forced", { P("p-0"), R("p-1"), R("p-2") }, 1,
	  "AT_LEAST_3", true, false, true, true, "unknown-policy" },
	{ "everything wrong at once, forced: not allowed (pod-draining)",
	  { { "p-0", "PRIMARY", true, "requested", NULL, false, false },
	    { "p-1", "REPLICA", false, NULL, NULL, false, false } }, 0,
	  NULL, true, false, false, false, "pod-draining,no-takeover,quorum" },
};

static void
run_drain_case(const struct drain_case *c)
{
	size_t n = 0;
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	cJSON *list, *shard, *pod;
	char *got;

	while (n < MAXP && c->pods[n].name)
		n++;
	list = make_list(c->pods, n);
	shard = make_shard(c->pods, n, c->policy, false, c->fqdn);
	pod = make_pod(&c->pods[c->target]);
	{
		const struct mg_action_drain_input in = { pod, shard, list, NOW, c->force };

		if (mg_action_drain_plan(&plan, &in, &err))
			fail_msg("%s: %s", c->what, err.msg);
	}
	got = checks(&plan.verdict);
	if (strcmp(got, c->checks) || plan.verdict.allowed != c->allowed ||
	    plan.verdict.forced != c->forced) {
		struct mg_buf t = MG_BUF_INIT;

		mg_action_drain_plan_text(&plan, &t);
		fail_msg("%s: checks '%s' allowed %d forced %d, want '%s' %d %d\n%s", c->what, got,
			 plan.verdict.allowed, plan.verdict.forced, c->checks, c->allowed,
			 c->forced, t.data);
	}
	for (size_t i = 0; i < plan.verdict.nreasons; i++) {
		const struct mg_action_reason *r = &plan.verdict.reasons[i];

		assert_true(r->text[0] != '\0');
		assert_true(mg_action_verdict_has(&plan.verdict, r->check));
		assert_int_equal(r->forceable, r->check != MG_ACTION_POD_DRAINING &&
					       r->check != MG_ACTION_POD_TERMINATING);
	}
	assert_string_equal(plan.pod, c->pods[c->target].name);
	assert_non_null(plan.patch);
	assert_non_null(plan.confirm);
	free(got);
	mg_action_drain_plan_release(&plan);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

static void
test_drain_decisions(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(drain_cases); i++)
		run_drain_case(&drain_cases[i]);
}

/* The plan's content for a typical case: patch, fields, summary, texts. */
static void
test_drain_plan_content(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1"), R("p-2"),
					    { "p-3", "REPLICA", true, NULL, "b", false, true } };
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT;
	cJSON *list = make_list(pods, 4), *shard = make_shard(pods, 4, NULL, false, false);
	cJSON *pod = make_pod(&pods[0]);
	const struct mg_action_drain_input in = { pod, shard, list, NOW, false };

	(void)state;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_true(plan.verdict.allowed);
	assert_string_equal(plan.patch,
			    "{\"metadata\":{\"resourceVersion\":\"41\",\"annotations\":{"
			    "\"drain.multigres.com/state\":\"requested\","
			    "\"drain.multigres.com/requested-at\":\"2026-11-21T20:50:53Z\"}}}");
	assert_string_equal(plan.ns, "ns1");
	assert_string_equal(plan.uid, "uid-1");
	assert_string_equal(plan.resource_version, "41");
	assert_string_equal(plan.shard, "mc-postgres-default-0-inf-x");
	assert_string_equal(plan.cluster, "mc");
	assert_string_equal(plan.pool, "main");
	assert_string_equal(plan.cell, "a");
	assert_int_equal(plan.role, MG_DRAIN_ROLE_PRIMARY);
	assert_string_equal(plan.requested_at, "2026-11-21T20:50:53Z");
	assert_string_equal(plan.confirm,
			    "Drain pod ns1/p-0 (PRIMARY of shard postgres/default/0-inf)?");
	assert_string_equal(plan.summary.data,
		"Pod ns1/p-0: PRIMARY, Ready, pool 'main', cell 'a', index 0\n"
		"Shard mc-postgres-default-0-inf-x (postgres/default/0-inf of cluster 'mc'), "
		"durability policy AT_LEAST_2: 4 pods, 4 ready poolers\n"
		"Change: annotate the pod drain.multigres.com/state=requested and "
		"drain.multigres.com/requested-at=2026-11-21T20:50:53Z (a merge patch, applied "
		"only while its resourceVersion is still 41)\n"
		"Then the operator moves it requested -> draining -> acknowledged -> "
		"ready-for-deletion (forced after 5 minutes) and deletes it, then creates it "
		"again (index 0 < replicasPerCell 2)\n"
		"Note: the operator cancels a requested drain of a pod that is up to date and "
		"within replicasPerCell (event DrainCancelled); unless multigres.com/spec-hash is "
		"stale, expect the drain to be cancelled rather than run\n"
		"After the drain 3 ready poolers remain (p-1, p-2, p-3); AT_LEAST_2 needs at "
		"least 2: met\n"
		"The pod is the PRIMARY: once it stops, multiorch promotes a replica (ready now: "
		"p-1, p-2, p-3) and writes pause for the failover; a switchover first avoids the "
		"pause\n");
	mg_action_drain_plan_text(&plan, &text);
	assert_non_null(strstr(text.data, "Patch: {\"metadata\":"));
	assert_non_null(strstr(text.data, "Allowed: every check passed\n"));
	mg_buf_release(&text);
	mg_action_drain_plan_release(&plan);
	cJSON_Delete(pod);

	/* an extra pod (index 3 >= 2) without spec-hash: not replaced, no note */
	pod = make_pod(&pods[3]);
	{
		const struct mg_action_drain_input in3 = { pod, shard, list, NOW, false };

		assert_int_equal(mg_action_drain_plan(&plan, &in3, &err), 0);
	}
	assert_non_null(strstr(plan.summary.data, "; no pod replaces it (index 3 >= replicasPerCell 2)\n"));
	assert_null(strstr(plan.summary.data, "DrainCancelled"));
	mg_action_drain_plan_release(&plan);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

/* Refused and forced plans say so, and which reasons force cannot beat. */
static void
test_drain_texts(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1"),
					    { "p-2", "REPLICA", true, "acknowledged", NULL, false, false } };
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT;
	cJSON *list = make_list(pods, 3), *shard = make_shard(pods, 3, NULL, false, false);
	cJSON *pod = make_pod(&pods[2]);
	cJSON *pod1 = make_pod(&pods[1]);
	struct mg_action_drain_input in = { pod, shard, list, NOW, false };

	(void)state;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_false(plan.verdict.allowed);
	mg_action_drain_plan_text(&plan, &text);
	assert_non_null(strstr(text.data, "Refused:\n  - pod-draining: pod 'p-2' is already "
					  "draining (state 'acknowledged', requested at "
					  "2026-11-21T20:45:00Z); requesting again would move its "
					  "state backwards (cannot be forced)\n"));
	/* nothing else is wrong: p-0 and p-1 would remain */
	assert_int_equal(plan.verdict.nreasons, 1);
	assert_null(strstr(text.data, "Force overrides"));
	mg_buf_release(&text);
	mg_action_drain_plan_release(&plan);

	/* the replica next to it, forced past other-draining and quorum */
	in.pod = pod1;
	in.force = true;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_true(plan.verdict.allowed);
	assert_true(plan.verdict.forced);
	mg_action_drain_plan_text(&plan, &text);
	assert_non_null(strstr(text.data, "Allowed only because it is forced, over:\n"
					  "  - other-draining: another pod of shard "
					  "postgres/default/0-inf is draining: 'p-2' (state "
					  "'acknowledged', requested at 2026-11-21T20:45:00Z); the "
					  "operator drains one pod at a time\n"));
	assert_non_null(strstr(text.data, "  - quorum: after draining 'p-1' 1 ready pooler would "
					  "remain (p-0); durability policy AT_LEAST_2 needs at least "
					  "2 to acknowledge writes\n"));
	assert_null(strstr(text.data, "cannot be forced"));
	mg_action_drain_plan_release(&plan);
	mg_buf_reset(&text);
	/* not forced: refused, and the text says force would do */
	in.force = false;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_false(plan.verdict.allowed);
	mg_action_drain_plan_text(&plan, &text);
	assert_non_null(strstr(text.data, "Refused:\n  - other-draining: "));
	assert_non_null(strstr(text.data, "Force overrides only the reasons not marked"));
	assert_null(strstr(text.data, "(cannot be forced)"));
	assert_string_equal(plan.confirm, "Drain pod ns1/p-1 (REPLICA of shard postgres/default/0-inf)?");
	mg_action_drain_plan_release(&plan);
	in.force = true;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_string_equal(plan.confirm, "Drain pod ns1/p-1 (REPLICA of shard "
					  "postgres/default/0-inf), overriding the refusals above?");
	mg_buf_release(&text);
	mg_action_drain_plan_release(&plan);
	cJSON_Delete(pod);
	cJSON_Delete(pod1);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

/* Inputs that are not a pool pod of that Shard are errors, not refusals. */
static void
test_drain_bad_inputs(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1"), R("p-2") };
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	cJSON *list = make_list(pods, 3), *shard = make_shard(pods, 3, NULL, false, false);
	cJSON *pod = make_pod(&pods[1]);
	cJSON *labels = mg_json_get(pod, "metadata.labels");
	struct mg_action_drain_input in = { pod, shard, list, NOW, false };

	(void)state;
	/* another component */
	mg_json_set_str(labels, MG_LABEL_APP_COMPONENT, "multiorch");
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	assert_string_equal(err.msg, "pod 'p-1' is not a Multigres pool pod: label "
				     "app.kubernetes.io/component is 'multiorch', want 'shard-pool'");
	assert_null(plan.patch);
	mg_action_drain_plan_release(&plan);
	/* no component at all */
	cJSON_DeleteItemFromObjectCaseSensitive(labels, MG_LABEL_APP_COMPONENT);
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "is absent"));
	mg_action_drain_plan_release(&plan);
	/* an identity label missing */
	mg_json_set_str(labels, MG_LABEL_APP_COMPONENT, MG_COMPONENT_SHARD_POOL);
	cJSON_DeleteItemFromObjectCaseSensitive(labels, MG_LABEL_SHARD);
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "lacks one of the labels"));
	mg_action_drain_plan_release(&plan);
	/* the pod of another shard */
	mg_json_set_str(labels, MG_LABEL_SHARD, "80-inf");
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	assert_string_equal(err.msg, "pod 'p-1' belongs to shard postgres/default/80-inf of "
				     "cluster 'mc', not to Shard 'mc-postgres-default-0-inf-x' "
				     "(postgres/default/0-inf of cluster 'mc')");
	mg_action_drain_plan_release(&plan);
	/* of another cluster */
	mg_json_set_str(labels, MG_LABEL_SHARD, "0-inf");
	mg_json_set_str(labels, MG_LABEL_CLUSTER, "other");
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	mg_action_drain_plan_release(&plan);
	/* no resourceVersion: no precondition possible */
	mg_json_set_str(labels, MG_LABEL_CLUSTER, "mc");
	cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(pod, "metadata"), "resourceVersion");
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	assert_string_equal(err.msg, "pod 'p-1' has no metadata.resourceVersion");
	mg_action_drain_plan_release(&plan);
	/* a Shard without its names */
	mg_json_set_str(mg_json_get(pod, "metadata"), "resourceVersion", "41");
	cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(shard, "spec"), "shardName");
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "spec.shardName"));
	mg_action_drain_plan_release(&plan);
	/* a time that cannot be written */
	mg_json_set_str(mg_json_get(shard, "spec"), "shardName", "0-inf");
	in.now = (time_t)400000000000LL;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), MG_EINVAL);
	mg_action_drain_plan_release(&plan);
	/* and all is well again */
	in.now = NOW;
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_true(plan.verdict.allowed);
	mg_action_drain_plan_release(&plan);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

/* A pool of another shard in the list is ignored; an array works as well
 * as a List. */
static void
test_drain_pods_of_other_shards(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1"), R("p-2") };
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	cJSON *list = make_list(pods, 3), *shard = make_shard(pods, 3, NULL, false, false);
	cJSON *pod = make_pod(&pods[1]), *items = mg_json_get(list, "items");
	cJSON *stranger = make_pod(&pods[2]);
	struct mg_action_drain_input in = { pod, shard, items, NOW, false };

	(void)state;
	/* p-2 replaced by a pod of shard 80-inf: only p-0 would remain */
	cJSON_DeleteItemFromArray(items, 2);
	mg_json_set_str(mg_json_get(stranger, "metadata.labels"), MG_LABEL_SHARD, "80-inf");
	cJSON_AddItemToArray(items, stranger);
	assert_int_equal(mg_action_drain_plan(&plan, &in, &err), 0);
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_QUORUM));
	assert_non_null(strstr(plan.summary.data, ": 2 pods, 2 ready poolers\n"));
	mg_action_drain_plan_release(&plan);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

/* --- helpers ----------------------------------------------------------------- */

static void
test_pod_shard_and_selector(void **state)
{
	static const struct fpod f = P("p-0");
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf sel = MG_BUF_INIT;
	struct mg_multiadmin_shard key;
	const char *cluster;
	cJSON *pod = make_pod(&f), *shard = make_shard(&f, 1, NULL, false, false), *ref;
	char *name = NULL;

	(void)state;
	/* from the labels, as the operator names Shards (facts 3.2 example) */
	mg_json_set_str(mg_json_get(pod, "metadata.labels"), MG_LABEL_CLUSTER, "minimal");
	assert_int_equal(mg_action_pod_shard(&name, pod, &err), 0);
	assert_string_equal(name, "minimal-postgres-default-0-inf-1e3c045c");
	free(name);
	/* the controller owner reference wins */
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "apiVersion", "multigres.com/v1alpha1");
	cJSON_AddStringToObject(ref, "kind", "Shard");
	cJSON_AddStringToObject(ref, "name", "the-shard");
	cJSON_AddBoolToObject(ref, "controller", true);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(mg_json_get(pod, "metadata"), "ownerReferences"), ref);
	assert_int_equal(mg_action_pod_shard(&name, pod, &err), 0);
	assert_string_equal(name, "the-shard");
	free(name);
	/* not a pool pod */
	mg_json_set_str(mg_json_get(pod, "metadata.labels"), MG_LABEL_APP_COMPONENT, "multigateway");
	assert_int_equal(mg_action_pod_shard(&name, pod, &err), MG_EINVAL);
	assert_null(name);

	assert_int_equal(mg_action_shard_selector(&sel, shard, &err), 0);
	assert_string_equal(sel.data, "app.kubernetes.io/component=shard-pool,"
				      "multigres.com/cluster=mc,multigres.com/database=postgres,"
				      "multigres.com/tablegroup=default,multigres.com/shard=0-inf");
	assert_int_equal(mg_action_shard_key(&key, &cluster, shard, &err), 0);
	assert_string_equal(key.database, "postgres");
	assert_string_equal(key.tablegroup, "default");
	assert_string_equal(key.shard, "0-inf");
	assert_string_equal(cluster, "mc");
	cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(shard, "metadata"), "labels");
	mg_buf_reset(&sel);
	assert_int_equal(mg_action_shard_selector(&sel, shard, &err), MG_EINVAL);
	assert_string_equal(err.msg, "Shard 'mc-postgres-default-0-inf-x' has no multigres.com/cluster label");
	mg_buf_release(&sel);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
}

static void
test_check_names(void **state)
{
	(void)state;
	assert_string_equal(mg_action_check_name(MG_ACTION_POD_DRAINING), "pod-draining");
	assert_string_equal(mg_action_check_name(MG_ACTION_TARGET_UNSUPPORTED), "target-unsupported");
	assert_string_equal(mg_action_check_name((enum mg_action_check)99), "unknown");
	for (int c = MG_ACTION_POD_DRAINING; c <= MG_ACTION_TARGET_UNSUPPORTED; c++)
		assert_string_not_equal(mg_action_check_name((enum mg_action_check)c), "unknown");
	assert_string_equal(mg_action_drain_outcome_name(MG_ACTION_DRAIN_CANCELLED), "cancelled");
}

/* --- switchover decisions ---------------------------------------------------- */

/* One pooler record: hostname is the pod name. */
struct fpooler {
	const char *name, *hostname, *cell, *role, *lifecycle, *serving;
	int term;
};

#define PL(sid, pod, role, term) { sid, pod, "a", role, "LIFECYCLE_ACTIVE", "SERVING", term }

static void
make_poolers(struct mg_multiadmin_poolers *out, const struct fpooler *f, size_t n)
{
	cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "poolers");
	struct mg_err err = MG_ERR_INIT;
	char *text;

	for (size_t i = 0; i < n && f[i].name; i++) {
		cJSON *p = cJSON_CreateObject(), *id, *sk, *rs;
		char term[16];

		id = cJSON_AddObjectToObject(p, "id");
		cJSON_AddStringToObject(id, "cell", f[i].cell);
		cJSON_AddStringToObject(id, "name", f[i].name);
		sk = cJSON_AddObjectToObject(p, "shardKey");
		cJSON_AddStringToObject(sk, "database", "postgres");
		cJSON_AddStringToObject(sk, "tableGroup", "default");
		cJSON_AddStringToObject(sk, "shard", "0-inf");
		cJSON_AddStringToObject(p, "hostname", f[i].hostname);
		cJSON_AddStringToObject(p, "servingStatus", f[i].serving);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(p, "lifecycleStatus"), "status",
					f[i].lifecycle);
		rs = cJSON_AddObjectToObject(p, "routingState");
		cJSON_AddStringToObject(rs, "role", f[i].role);
		snprintf(term, sizeof(term), "%d", f[i].term);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(rs, "rule"), "coordinatorTerm", term);
		cJSON_AddItemToArray(arr, p);
	}
	text = cJSON_PrintUnformatted(doc);
	if (mg_multiadmin_parse_poolers(out, text, strlen(text), NULL, &err))
		fail_msg("%s", err.msg);
	cJSON_free(text);
	cJSON_Delete(doc);
}

#define PRI "ROUTING_ROLE_PRIMARY"
#define REP "ROUTING_ROLE_REPLICA"
#define STD_POOLERS PL("s-0", "p-0", PRI, 1), PL("s-1", "p-1", REP, 0), PL("s-2", "p-2", REP, 0)

static const struct switch_case {
	const char *what;
	struct fpod pods[MAXP];
	struct fpooler poolers[MAXP];
	const char *to;
	bool rolling, force;
	const char *drifted;    /* one drifted pod name, or NULL */
	bool allowed, forced;
	const char *checks;
	size_t ncandidates;
} switch_cases[] = {
	{ "a healthy shard", { P("p-0"), R("p-1"), R("p-2") }, { STD_POOLERS },
	  NULL, false, false, NULL, true, false, "", 2 },
	{ "a target cannot be honoured (never forced)", { P("p-0"), R("p-1"), R("p-2") }, { STD_POOLERS },
	  "p-2", false, true, NULL, false, false, "target-unsupported", 2 },
	{ "no primary in topology", { P("p-0"), R("p-1"), R("p-2") },
	  { PL("s-0", "p-0", REP, 1), PL("s-1", "p-1", REP, 0), PL("s-2", "p-2", REP, 0) },
	  NULL, false, true, NULL, false, false, "no-primary", 3 },
	{ "a quarantined primary is no primary", { P("p-0"), R("p-1"), R("p-2") },
	  { { "s-0", "p-0", "a", PRI, "LIFECYCLE_QUARANTINED", "DISABLED", 1 },
	    PL("s-1", "p-1", REP, 0), PL("s-2", "p-2", REP, 0) },
	  NULL, false, false, NULL, false, false, "no-primary", 2 },
	{ "two primaries: a failover under way", { P("p-0"), R("p-1"), R("p-2") },
	  { PL("s-0", "p-0", PRI, 1), PL("s-1", "p-1", PRI, 2), PL("s-2", "p-2", REP, 0) },
	  NULL, false, true, NULL, false, false, "switch-in-progress", 1 },
	{ "the primary is resigning", { P("p-0"), R("p-1"), R("p-2") },
	  { { "s-0", "p-0", "a", PRI, "LIFECYCLE_ACTIVE", "DRAINING", 1 },
	    PL("s-1", "p-1", REP, 0), PL("s-2", "p-2", REP, 0) },
	  NULL, false, false, NULL, false, false, "switch-in-progress", 2 },
	{ "no healthy replica: not ready, quarantined, disabled, no pod",
	  { P("p-0"), { "p-1", "REPLICA", false, NULL, NULL, false, false },
	    { "p-2", "QUARANTINED", true, NULL, NULL, false, false }, R("p-3") },
	  { PL("s-0", "p-0", PRI, 1), PL("s-1", "p-1", REP, 0), PL("s-2", "p-2", REP, 0),
	    { "s-3", "p-3", "a", REP, "LIFECYCLE_ACTIVE", "DISABLED", 0 }, PL("s-9", "ghost", REP, 0) },
	  NULL, false, true, NULL, false, false, "no-healthy-replica", 0 },
	{ "a draining replica is not a candidate, and a drain is in flight",
	  { P("p-0"), { "p-1", "REPLICA", true, "requested", NULL, false, false }, R("p-2") },
	  { STD_POOLERS }, NULL, false, false, NULL, false, false, "drain-in-flight", 1 },
	{ "a drain in flight, forced", { P("p-0"), R("p-1"), R("p-2"),
	  { "p-3", "REPLICA", true, NULL, NULL, true, false } }, { STD_POOLERS },
	  NULL, false, true, NULL, true, true, "drain-in-flight", 2 },
	{ "RollingUpdate is True", { P("p-0"), R("p-1"), R("p-2") }, { STD_POOLERS },
	  NULL, true, false, NULL, false, false, "rolling-update", 2 },
	{ "a drifted pod named by the caller", { P("p-0"), R("p-1"), R("p-2") }, { STD_POOLERS },
	  NULL, false, false, "p-2", false, false, "rolling-update", 2 },
	{ "a pod without spec-hash is drifted, forced",
	  { P("p-0"), R("p-1"), { "p-2", "REPLICA", true, NULL, NULL, false, true } }, { STD_POOLERS },
	  NULL, false, true, NULL, true, true, "rolling-update", 2 },
	{ "FQDN hostnames match their pods", { P("p-0"), R("p-1") },
	  { PL("s-0", "p-0.hl.ns1.svc.cluster.local", PRI, 4), PL("s-1", "p-1.hl.ns1.svc.cluster.local", REP, 0) },
	  NULL, false, false, NULL, true, false, "", 1 },
};

static void
run_switch_case(const struct switch_case *c)
{
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_action_switchover_plan plan;
	struct mg_err err = MG_ERR_INIT;
	size_t n = 0, np = 0;
	cJSON *list, *shard;
	const char *drifted[1] = { c->drifted };
	char *got;

	while (n < MAXP && c->pods[n].name)
		n++;
	while (np < MAXP && c->poolers[np].name)
		np++;
	list = make_list(c->pods, n);
	shard = make_shard(c->pods, n, NULL, c->rolling, false);
	make_poolers(&pl, c->poolers, np);
	{
		const struct mg_action_switchover_input in = {
			shard, list, &pl, c->to, drifted, c->drifted ? 1 : 0, c->force,
		};

		if (mg_action_switchover_plan(&plan, &in, &err))
			fail_msg("%s: %s", c->what, err.msg);
	}
	got = checks(&plan.verdict);
	if (strcmp(got, c->checks) || plan.verdict.allowed != c->allowed ||
	    plan.verdict.forced != c->forced || plan.ncandidates != c->ncandidates) {
		struct mg_buf t = MG_BUF_INIT;

		mg_action_switchover_plan_text(&plan, &t);
		fail_msg("%s: checks '%s' allowed %d forced %d candidates %zu, want '%s' %d %d %zu\n%s",
			 c->what, got, plan.verdict.allowed, plan.verdict.forced, plan.ncandidates,
			 c->checks, c->allowed, c->forced, c->ncandidates, t.data);
	}
	for (size_t i = 0; i < plan.verdict.nreasons; i++) {
		enum mg_action_check k = plan.verdict.reasons[i].check;

		assert_int_equal(plan.verdict.reasons[i].forceable,
				 k == MG_ACTION_DRAIN_IN_FLIGHT || k == MG_ACTION_ROLLING_UPDATE);
	}
	assert_int_equal(plan.npods, n);
	assert_non_null(plan.confirm);
	free(got);
	mg_action_switchover_plan_release(&plan);
	mg_multiadmin_poolers_release(&pl);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

static void
test_switchover_decisions(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(switch_cases); i++)
		run_switch_case(&switch_cases[i]);
}

static void
test_switchover_plan_content(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1"),
					    { "p-2", "REPLICA", false, NULL, NULL, false, false } };
	static const struct fpooler fp[] = { PL("s-0", "p-0.hl.ns1.svc.cluster.local", PRI, 7),
					     PL("s-1", "p-1", REP, 0), PL("s-2", "p-2", REP, 0),
					     PL("s-3", "ghost", REP, 0) };
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_action_switchover_plan plan;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT;
	cJSON *list = make_list(pods, 3), *shard = make_shard(pods, 3, NULL, false, false);
	struct mg_action_switchover_input in = { shard, list, &pl, NULL, NULL, 0, false };

	(void)state;
	make_poolers(&pl, fp, 4);
	assert_int_equal(mg_action_switchover_plan(&plan, &in, &err), 0);
	assert_true(plan.verdict.allowed);
	assert_true(plan.has_primary);
	assert_string_equal(plan.primary.cell, "a");
	assert_string_equal(plan.primary.name, "s-0");
	assert_string_equal(plan.primary_pod, "p-0");
	assert_int_equal(plan.term, 7);
	assert_int_equal(plan.ncandidates, 1);
	assert_string_equal(plan.candidates[0], "p-1");
	assert_string_equal(plan.database, "postgres");
	assert_string_equal(plan.shard_name, "0-inf");
	assert_string_equal(plan.confirm,
			    "Switch over shard postgres/default/0-inf in namespace ns1 (primary now p-0)?");
	mg_action_switchover_plan_text(&plan, &text);
	assert_string_equal(text.data,
		"Shard mc-postgres-default-0-inf-x (postgres/default/0-inf of cluster 'mc') in "
		"namespace ns1: 3 pods\n"
		"Primary now: p-0 (pooler a/s-0, term 7)\n"
		"Healthy replicas: p-1\n"
		"Change: multiadmin switch-primary postgres/default/0-inf: the primary resigns "
		"(writes pause and the gateways buffer them), then multiorch promotes the most "
		"advanced standby; which one cannot be chosen\n"
		"Then: wait until topology shows another PRIMARY\n"
		"Allowed: every check passed\n");
	mg_buf_release(&text);
	mg_action_switchover_plan_release(&plan);

	/* asking for p-1: refused, and the text says why and who could win */
	in.to = "p-1";
	assert_int_equal(mg_action_switchover_plan(&plan, &in, &err), 0);
	assert_false(plan.verdict.allowed);
	assert_string_equal(plan.verdict.reasons[0].text,
			    "'p-1' was asked for as the new primary, but multiadmin's "
			    "switch-primary cannot choose it: multiorch promotes the most advanced "
			    "standby (healthy replicas now: p-1)");
	mg_action_switchover_plan_release(&plan);

	/* only unhealthy replicas: each one's problem is named */
	in.to = NULL;
	mg_json_set_str(mg_json_get(shard, "status.podRoles"), "p-1", "QUARANTINED");
	assert_int_equal(mg_action_switchover_plan(&plan, &in, &err), 0);
	assert_string_equal(plan.verdict.reasons[0].text,
			    "no healthy replica to promote (Ready, REPLICA, SERVING, not draining, "
			    "not quarantined): p-1 (a/s-1): QUARANTINED in status.podRoles; "
			    "p-2 (a/s-2): pod not Ready; ghost (a/s-3): no pod of the shard matches it");
	mg_action_switchover_plan_release(&plan);

	/* no poolers at all (multiadmin saw nothing) */
	in.poolers = NULL;
	assert_int_equal(mg_action_switchover_plan(&plan, &in, &err), 0);
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_NO_PRIMARY));
	assert_true(mg_action_verdict_has(&plan.verdict, MG_ACTION_NO_HEALTHY_REPLICA));
	assert_string_equal(plan.primary_pod, "");
	mg_action_switchover_plan_release(&plan);

	/* a Shard without names is an error */
	cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(shard, "spec"), "databaseName");
	assert_int_equal(mg_action_switchover_plan(&plan, &in, &err), MG_EINVAL);
	mg_action_switchover_plan_release(&plan);
	mg_multiadmin_poolers_release(&pl);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

static void
test_switchover_result_text(void **state)
{
	struct mg_action_switchover_result r = {
		{ "a", "s-0" }, "p-0", { "b", "s-2" }, "p-2", 8, 1234,
	};
	struct mg_buf b = MG_BUF_INIT;

	(void)state;
	mg_action_switchover_result_text(&r, &b);
	assert_string_equal(b.data, "primary moved from p-0 (a/s-0) to p-2 (b/s-2), term 8, in 1.2 s\n");
	mg_buf_release(&b);
}

/* Apply refuses a plan that is not allowed before any I/O (NULL clients). */
static void
test_apply_refuses_refused_plans(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1") };
	struct mg_action_drain_plan dp;
	struct mg_action_switchover_plan sp;
	struct mg_action_switchover_result res;
	struct mg_err err = MG_ERR_INIT;
	cJSON *list = make_list(pods, 2), *shard = make_shard(pods, 2, NULL, false, false);
	cJSON *pod = make_pod(&pods[1]);
	const struct mg_action_drain_input din = { pod, shard, list, NOW, false };
	const struct mg_action_switchover_input sin = { shard, list, NULL, NULL, NULL, 0, false };

	(void)state;
	assert_int_equal(mg_action_drain_plan(&dp, &din, &err), 0);
	assert_false(dp.verdict.allowed);
	assert_int_equal(mg_action_drain_apply(NULL, &dp, false, NULL, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "drain of pod 'p-1' refused: after draining 'p-1'"));
	assert_int_equal(mg_action_switchover_plan(&sp, &sin, &err), 0);
	assert_int_equal(mg_action_switchover_apply(NULL, &sp, NULL, &res, &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "switchover of shard postgres/default/0-inf refused: "
					"topology shows no live PRIMARY"));
	mg_action_switchover_plan_release(&sp);
	mg_action_drain_plan_release(&dp);
	cJSON_Delete(pod);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

/* --- switchover apply against a scripted multiadmin ------------------- */

static void
progress_log(void *data, const char *status, int64_t elapsed)
{
	(void)elapsed;
	mg_buf_addf(data, "%s\n", status);
}

/* A GetPoolers answer: s-0 (p-0) and s-1 (p-1), the primary's serving
 * status and the term given. */
static char *
poolers_answer(const char *primary, const char *serving, int term)
{
	return mg_xasprintf(
		"{\"json\": {\"poolers\": ["
		"{\"id\": {\"cell\": \"a\", \"name\": \"s-0\"}, \"hostname\": \"p-0\","
		" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"default\", \"shard\": \"0-inf\"},"
		" \"servingStatus\": \"%s\", \"lifecycleStatus\": {\"status\": \"LIFECYCLE_ACTIVE\"},"
		" \"routingState\": {\"role\": \"%s\", \"rule\": {\"coordinatorTerm\": \"1\"}}},"
		"{\"id\": {\"cell\": \"a\", \"name\": \"s-1\"}, \"hostname\": \"p-1.hl.ns1.svc.cluster.local\","
		" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"default\", \"shard\": \"0-inf\"},"
		" \"servingStatus\": \"SERVING\", \"lifecycleStatus\": {\"status\": \"LIFECYCLE_ACTIVE\"},"
		" \"routingState\": {\"role\": \"%s\", \"rule\": {\"coordinatorTerm\": \"%d\"}}}]}}",
		!strcmp(primary, "s-0") ? serving : "SERVING",
		!strcmp(primary, "s-0") ? PRI : REP, !strcmp(primary, "s-1") ? PRI : REP, term);
}

static void
test_switchover_apply_scripted(void **state)
{
	static const struct fpod pods[] = { P("p-0"), R("p-1") };
	static const struct fpooler fp[] = { PL("s-0", "p-0", PRI, 1), PL("s-1", "p-1", REP, 0) };
	char *dir = mg_test_tmpdir(), *ca = mg_xasprintf("%s/ca.crt", dir), *script;
	char *a1 = poolers_answer("s-0", "DRAINING", 0), *a2 = poolers_answer("s-1", "", 2);
	char *a3 = poolers_answer("s-0", "SERVING", 0);
	struct mg_test_server srv;
	struct mg_multiadmin_opts mo = MG_MULTIADMIN_OPTS_INIT;
	struct mg_multiadmin *a = NULL;
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_action_switchover_plan plan;
	struct mg_action_switchover_result res;
	struct mg_buf log = MG_BUF_INIT;
	struct mg_action_switchover_opts so = { NULL, 5000, 10, progress_log, &log };
	struct mg_err err = MG_ERR_INIT;
	cJSON *list = make_list(pods, 2), *shard = make_shard(pods, 2, NULL, false, false);
	const struct mg_action_switchover_input in = { shard, list, &pl, NULL, NULL, 0, false };

	(void)state;
	mg_test_certs(dir);
	mg_test_server_start(&srv, dir, false);
	mo.ca_file = ca;
	assert_int_equal(mg_multiadmin_new_url(&a, srv.url, &mo, &err), 0);
	make_poolers(&pl, fp, 2);
	assert_int_equal(mg_action_switchover_plan(&plan, &in, &err), 0);
	assert_true(plan.verdict.allowed);

	/* accepted; the primary resigns, then s-1 (p-1) is promoted */
	mg_test_server_script(&srv, "/api/v1/shards/postgres/default/0-inf/switch-primary",
			      "[{\"json\": {\"oldLeaderId\": {\"cell\": \"a\", \"name\": \"s-0\"}}}]");
	script = mg_xasprintf("[%s, %s, %s]", a1, a1, a2);
	mg_test_server_script(&srv, "/api/v1/poolers?database=postgres", script);
	free(script);
	assert_int_equal(mg_action_switchover_apply(a, &plan, &so, &res, &err), 0);
	assert_string_equal(res.old_primary.name, "s-0");
	assert_string_equal(res.old_pod, "p-0");
	assert_string_equal(res.new_primary.cell, "a");
	assert_string_equal(res.new_primary.name, "s-1");
	assert_string_equal(res.new_pod, "p-1");
	assert_int_equal(res.new_term, 2);
	/* reported once, though seen twice */
	assert_string_equal(log.data, "primary is still a/s-0 (DRAINING)\n");
	{
		char *text = mg_test_server_requests(&srv);
		cJSON *reqs = cJSON_Parse(text);

		assert_int_equal(cJSON_GetArraySize(reqs), 4);
		assert_string_equal(mg_json_str(reqs, "0.body"),
				    "{\"reason\":\"planned switchover (kubectl-multigres)\"}");
		cJSON_Delete(reqs);
		free(text);
	}

	/* accepted, but the old primary stays: the time limit, naming it */
	mg_buf_reset(&log);
	script = mg_xasprintf("[%s]", a3);
	mg_test_server_script(&srv, "/api/v1/poolers?database=postgres", script);
	free(script);
	so.timeout_ms = 300;
	assert_int_equal(mg_action_switchover_apply(a, &plan, &so, &res, &err), MG_ETIMEOUT);
	assert_string_equal(err.msg, "switch-primary for postgres/default/0-inf was accepted "
				     "(old primary a/s-0) but no new primary appeared within 0.3 s: "
				     "primary is still a/s-0 (SERVING)");

	/* refused by multiadmin: its message, no polling */
	mg_test_server_script(&srv, "/api/v1/shards/postgres/default/0-inf/switch-primary",
			      "[{\"status\": 400, \"json\": {\"code\": 9, \"message\": \"no standby poolers available for promotion\"}}]");
	free(mg_test_server_requests(&srv));
	assert_int_equal(mg_action_switchover_apply(a, &plan, &so, &res, &err), MG_EINVAL);
	assert_string_equal(err.msg, "multiadmin switch-primary postgres/default/0-inf: no "
				     "standby poolers available for promotion");
	{
		char *text = mg_test_server_requests(&srv);
		cJSON *reqs = cJSON_Parse(text);

		assert_int_equal(cJSON_GetArraySize(reqs), 1);
		cJSON_Delete(reqs);
		free(text);
	}
	mg_buf_release(&log);
	mg_action_switchover_plan_release(&plan);
	mg_multiadmin_poolers_release(&pl);
	mg_multiadmin_free(a);
	mg_test_server_stop(&srv);
	mg_test_rmrf(dir);
	free(dir);
	free(ca);
	free(a1);
	free(a2);
	free(a3);
	cJSON_Delete(shard);
	cJSON_Delete(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drain_decisions),
		cmocka_unit_test(test_drain_plan_content),
		cmocka_unit_test(test_drain_texts),
		cmocka_unit_test(test_drain_bad_inputs),
		cmocka_unit_test(test_drain_pods_of_other_shards),
		cmocka_unit_test(test_pod_shard_and_selector),
		cmocka_unit_test(test_check_names),
		cmocka_unit_test(test_switchover_decisions),
		cmocka_unit_test(test_switchover_plan_content),
		cmocka_unit_test(test_switchover_result_text),
		cmocka_unit_test(test_apply_refuses_refused_plans),
		cmocka_unit_test(test_switchover_apply_scripted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
