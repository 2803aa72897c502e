/*
 * The multiadmin client: the service-proxy path, error bodies (gRPC
 * Status, Connect, plain text), the parsing of poolers and backups, and
 * both transports against the scripted loopback HTTPS server, which must
 * give the same answers for the same script.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "multiadmin.h"
#include "testlib.h"
#include "xalloc.h"

static char *dir;
static struct mg_test_server srv;

static int
setup(void **state)
{
	(void)state;
	dir = mg_test_tmpdir();
	mg_test_certs(dir);
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	mg_test_server_start(&srv, dir, false);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mg_test_server_stop(&srv);
	mg_test_rmrf(dir);
	free(dir);
	return 0;
}

/* --- the proxy path ----------------------------------------------------- */

static void
test_proxy_path(void **state)
{
	static const struct {
		const char *ns, *cluster, *want; /* want NULL: MG_EINVAL */
	} cases[] = {
		{ "t", "mc", "/api/v1/namespaces/t/services/mc-multiadmin:18000/proxy" },
		{ "prod-db", "minimal", "/api/v1/namespaces/prod-db/services/minimal-multiadmin:18000/proxy" },
		{ "", "mc", NULL },
		{ "t", "", NULL },
		{ "Bad_NS", "mc", NULL },
		{ "a/b", "mc", NULL },
		/* the Service name would be longer than a DNS label */
		{ "t", "a-cluster-name-that-is-much-too-long-for-a-service-name-x", NULL },
		{ "t", "Upper", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mg_buf b = MG_BUF_INIT;
		struct mg_err err = MG_ERR_INIT;
		int rc = mg_multiadmin_proxy_path(&b, cases[i].ns, cases[i].cluster, &err);

		if (cases[i].want) {
			assert_int_equal(rc, 0);
			assert_string_equal(b.data, cases[i].want);
		} else {
			assert_int_equal(rc, MG_EINVAL);
			assert_true(err.msg[0] != '\0');
		}
		mg_buf_release(&b);
	}
}

/* --- errors ----------------------------------------------------------------- */

static void
test_error_bodies(void **state)
{
	static const struct {
		long status;
		const char *body;
		int code;
		const char *reason, *msg;
	} cases[] = {
		{ 400, "{\"code\": 9, \"message\": \"no standby poolers available for promotion\", \"details\": []}",
		  MG_EINVAL, "FailedPrecondition", "x: no standby poolers available for promotion" },
		{ 404, "{\"code\": 5, \"message\": \"no PRIMARY pooler found for shard d/t/s\"}",
		  MG_ENOTFOUND, "NotFound", "x: no PRIMARY pooler found for shard d/t/s" },
		{ 500, "{\"code\": 13, \"message\": \"ResignLeadership failed: boom\", \"details\": []}",
		  MG_EAPI, "Internal", "x: ResignLeadership failed: boom" },
		{ 503, "{\"code\": 14, \"message\": \"down\"}", MG_ETRANSPORT, "Unavailable", "x: down" },
		{ 504, "{\"code\": 4, \"message\": \"slow\"}", MG_ETIMEOUT, "DeadlineExceeded", "x: slow" },
		/* Connect's shape */
		{ 400, "{\"code\": \"failed_precondition\", \"message\": \"nope\"}",
		  MG_EINVAL, "FailedPrecondition", "x: nope" },
		{ 409, "{\"code\": \"aborted\", \"message\": \"raced\"}", MG_ECONFLICT, "Aborted", "x: raced" },
		/* not multiadmin's shape: by HTTP status, the body's start shown */
		{ 404, "404 page not found\n", MG_ENOTFOUND, "", "x: the server answered 404: 404 page not found" },
		{ 405, "method not allowed", MG_EAPI, "", "x: the server answered 405: method not allowed" },
		{ 500, "", MG_EAPI, "", "x: the server answered 500 with no body" },
		{ 403, "{\"message\": \"no code\"}", MG_EAUTH, "", "x: the server answered 403: {\"message\": \"no code\"}" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mg_err err = MG_ERR_INIT;
		int rc = mg_multiadmin_error("x", cases[i].status, cases[i].body,
					     strlen(cases[i].body), &err);

		assert_int_equal(rc, cases[i].code);
		assert_int_equal(err.code, cases[i].code);
		assert_int_equal(err.http_status, cases[i].status);
		assert_string_equal(err.reason, cases[i].reason);
		assert_string_equal(err.msg, cases[i].msg);
	}
}

/* --- parsing -------------------------------------------------------------- */

/* Three poolers of postgres/default/0-inf in two cells, one of another shard,
 * one shut down. REST shape: every field, unset messages null. */
#define POOLERS_JSON \
	"{\"poolers\": [" \
	"{\"id\": {\"component\": \"MULTIPOOLER\", \"cell\": \"zone1\", \"name\": \"p-1\"}," \
	" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"default\", \"shard\": \"0-inf\"}," \
	" \"keyRange\": null, \"type\": \"PRIMARY\", \"servingStatus\": \"SERVING\", \"hostname\": \"pod-0\"," \
	" \"lifecycleStatus\": {\"status\": \"LIFECYCLE_ACTIVE\", \"reason\": \"pooler active\"}," \
	" \"routingState\": {\"role\": \"ROUTING_ROLE_PRIMARY\", \"rule\": {\"coordinatorTerm\": \"3\", \"leaderSubterm\": \"0\"}}}," \
	"{\"id\": {\"component\": \"MULTIPOOLER\", \"cell\": \"zone1\", \"name\": \"p-2\"}," \
	" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"default\", \"shard\": \"0-inf\"}," \
	" \"type\": \"REPLICA\", \"servingStatus\": \"SERVING\", \"hostname\": \"pod-1.hl.ns.svc.cluster.local\"," \
	" \"lifecycleStatus\": {\"status\": \"LIFECYCLE_ACTIVE\"}," \
	" \"routingState\": {\"role\": \"ROUTING_ROLE_REPLICA\", \"rule\": null}}," \
	"{\"id\": {\"cell\": \"zone2\", \"name\": \"p-3\"}," \
	" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"default\", \"shard\": \"0-inf\"}," \
	" \"servingStatus\": \"DISABLED\", \"hostname\": \"pod-2\"," \
	" \"lifecycleStatus\": {\"status\": \"LIFECYCLE_QUARANTINED\"}," \
	" \"routingState\": {\"role\": \"ROUTING_ROLE_REPLICA\"}}," \
	"{\"id\": {\"cell\": \"zone1\", \"name\": \"p-9\"}," \
	" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"other\", \"shard\": \"0-inf\"}," \
	" \"hostname\": \"x-0\", \"routingState\": {\"role\": \"ROUTING_ROLE_PRIMARY\"}}," \
	"{\"id\": {\"cell\": \"zone2\", \"name\": \"p-4\"}," \
	" \"shardKey\": {\"database\": \"postgres\", \"tableGroup\": \"default\", \"shard\": \"0-inf\"}," \
	" \"type\": \"UNKNOWN\", \"hostname\": \"pod-3\", \"lifecycleStatus\": {\"status\": \"LIFECYCLE_SHUTDOWN\"}," \
	" \"routingState\": null}" \
	"]}"

static const struct mg_multiadmin_shard KEY = { "postgres", "default", "0-inf" };

static void
check_poolers(const struct mg_multiadmin_poolers *l)
{
	size_t n;

	assert_int_equal(l->n, 4);
	assert_string_equal(l->items[0].cell, "zone1");
	assert_string_equal(l->items[0].name, "p-1");
	assert_string_equal(l->items[0].hostname, "pod-0");
	assert_int_equal(l->items[0].role, MG_MULTIADMIN_ROLE_PRIMARY);
	assert_int_equal(l->items[0].lifecycle, MG_MULTIADMIN_LC_ACTIVE);
	assert_int_equal(l->items[0].serving, MG_MULTIADMIN_SERVING);
	assert_int_equal(l->items[0].term, 3);
	assert_int_equal(l->items[1].role, MG_MULTIADMIN_ROLE_REPLICA);
	assert_int_equal(l->items[1].term, 0);
	assert_string_equal(l->items[1].tablegroup, "default");
	assert_int_equal(l->items[2].lifecycle, MG_MULTIADMIN_LC_QUARANTINED);
	assert_int_equal(l->items[2].serving, MG_MULTIADMIN_DISABLED);
	assert_false(mg_multiadmin_pooler_live(&l->items[2]));
	assert_int_equal(l->items[3].lifecycle, MG_MULTIADMIN_LC_SHUTDOWN);
	/* no routing state: the deprecated type decides */
	assert_int_equal(l->items[3].role, MG_MULTIADMIN_ROLE_UNKNOWN);
	assert_false(mg_multiadmin_pooler_live(&l->items[3]));
	assert_ptr_equal(mg_multiadmin_primary(l, &n), &l->items[0]);
	assert_int_equal(n, 1);
}

static void
test_parse_poolers(void **state)
{
	struct mg_multiadmin_poolers l = { NULL, 0 };
	struct mg_err err = MG_ERR_INIT;
	const char *v010 =
		"{\"poolers\": [{\"id\": {\"cell\": \"z\", \"name\": \"a\"},"
		" \"shard_key\": {\"database\": \"postgres\", \"table_group\": \"default\", \"shard\": \"0-inf\"},"
		" \"type\": \"PRIMARY\", \"serving_status\": \"NOT_SERVING\", \"hostname\": \"h\"}]}";

	(void)state;
	assert_int_equal(mg_multiadmin_parse_poolers(&l, POOLERS_JSON, strlen(POOLERS_JSON),
						     &KEY, &err), 0);
	check_poolers(&l);
	/* no filter: all five */
	assert_int_equal(mg_multiadmin_parse_poolers(&l, POOLERS_JSON, strlen(POOLERS_JSON),
						     NULL, &err), 0);
	assert_int_equal(l.n, 5);
	/* v0.1.0: snake_case, no routing state, NOT_SERVING */
	assert_int_equal(mg_multiadmin_parse_poolers(&l, v010, strlen(v010), &KEY, &err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].role, MG_MULTIADMIN_ROLE_PRIMARY);
	assert_int_equal(l.items[0].serving, MG_MULTIADMIN_DISABLED);
	assert_string_equal(l.items[0].tablegroup, "default");
	/* empty answers */
	assert_int_equal(mg_multiadmin_parse_poolers(&l, "{\"poolers\": []}", 15, &KEY, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(mg_multiadmin_parse_poolers(&l, "{}", 2, &KEY, &err), 0);
	assert_int_equal(l.n, 0);
	/* not an answer: the list is left as it was */
	assert_int_equal(mg_multiadmin_parse_poolers(&l, POOLERS_JSON, strlen(POOLERS_JSON),
						     &KEY, &err), 0);
	assert_int_equal(mg_multiadmin_parse_poolers(&l, "{\"poolers\": 3}", 14, &KEY, &err),
			 MG_EPARSE);
	assert_int_equal(mg_multiadmin_parse_poolers(&l, "[", 1, &KEY, &err), MG_EPARSE);
	assert_int_equal(l.n, 4);
	mg_multiadmin_poolers_release(&l);
	assert_null(l.items);
}

static void
test_pooler_pod_and_primary(void **state)
{
	struct mg_multiadmin_pooler p = { 0 };
	struct mg_multiadmin_poolers l = { NULL, 0 };
	struct mg_err err = MG_ERR_INIT;
	size_t n;
	const char *two =
		"{\"poolers\": ["
		"{\"id\": {\"cell\": \"z\", \"name\": \"a\"}, \"lifecycleStatus\": {\"status\": \"LIFECYCLE_ACTIVE\"},"
		" \"routingState\": {\"role\": \"ROUTING_ROLE_PRIMARY\", \"rule\": {\"coordinatorTerm\": \"4\"}}},"
		"{\"id\": {\"cell\": \"z\", \"name\": \"b\"}, \"lifecycleStatus\": {\"status\": \"LIFECYCLE_ACTIVE\"},"
		" \"routingState\": {\"role\": \"ROUTING_ROLE_PRIMARY\", \"rule\": {\"coordinatorTerm\": \"5\"}}},"
		"{\"id\": {\"cell\": \"z\", \"name\": \"c\"}, \"lifecycleStatus\": {\"status\": \"LIFECYCLE_QUARANTINED\"},"
		" \"routingState\": {\"role\": \"ROUTING_ROLE_PRIMARY\", \"rule\": {\"coordinatorTerm\": 9}}}]}";

	(void)state;
	p.name = (char *)(uintptr_t)"p-1";
	p.hostname = (char *)(uintptr_t)"pod-1.hl.ns.svc.cluster.local";
	assert_true(mg_multiadmin_pooler_is_pod(&p, "pod-1"));
	assert_true(mg_multiadmin_pooler_is_pod(&p, "p-1"));
	assert_false(mg_multiadmin_pooler_is_pod(&p, "pod-"));
	assert_false(mg_multiadmin_pooler_is_pod(&p, "pod-10"));
	assert_false(mg_multiadmin_pooler_is_pod(&p, ""));
	p.hostname = (char *)(uintptr_t)"pod-1";
	assert_true(mg_multiadmin_pooler_is_pod(&p, "pod-1"));

	/* two live primaries: the higher term wins; a quarantined one is not live */
	assert_int_equal(mg_multiadmin_parse_poolers(&l, two, strlen(two), NULL, &err), 0);
	assert_string_equal(mg_multiadmin_primary(&l, &n)->name, "b");
	assert_int_equal(n, 2);
	mg_multiadmin_poolers_release(&l);
	assert_null(mg_multiadmin_primary(&l, &n));
	assert_int_equal(n, 0);
}

#define BACKUPS_JSON \
	"{\"backups\": [" \
	"{\"backupId\": \"20261121-194953F\", \"database\": \"postgres\", \"tableGroup\": \"default\"," \
	" \"shard\": \"0-inf\", \"type\": \"full\", \"status\": \"BACKUP_STATUS_COMPLETE\"," \
	" \"backupSizeBytes\": \"62914560\", \"multipoolerServiceId\": \"p-1\"," \
	" \"startTimestamp\": \"2026-11-21T19:49:53Z\", \"stopTimestamp\": \"2026-11-21T19:50:53Z\"}," \
	"{\"backupId\": \"20261121-204953I\", \"database\": \"postgres\", \"tableGroup\": \"default\"," \
	" \"shard\": \"0-inf\", \"type\": \"incr\", \"status\": \"BACKUP_STATUS_INCOMPLETE\"," \
	" \"startTimestamp\": \"2026-11-21T20:49:53Z\", \"stopTimestamp\": null}," \
	"{\"backupId\": \"20261121-214953F\", \"database\": \"postgres\", \"tableGroup\": \"default\"," \
	" \"shard\": \"80-inf\", \"status\": \"BACKUP_STATUS_COMPLETE\"}" \
	"]}"

static void
check_backups(const struct mg_multiadmin_backups *l)
{
	assert_int_equal(l->n, 2);
	assert_string_equal(l->items[0].id, "20261121-194953F");
	assert_string_equal(l->items[0].type, "full");
	assert_string_equal(l->items[0].pooler, "p-1");
	assert_int_equal(l->items[0].status, MG_MULTIADMIN_BACKUP_COMPLETE);
	assert_int_equal(l->items[0].size, 62914560ULL);
	assert_true(l->items[0].has_stop);
	assert_int_equal(l->items[0].stop.tv_sec, 1795290653);
	assert_int_equal(l->items[1].status, MG_MULTIADMIN_BACKUP_INCOMPLETE);
	assert_true(l->items[1].has_start);
	assert_false(l->items[1].has_stop);
}

static void
test_parse_backups(void **state)
{
	struct mg_multiadmin_backups l = { NULL, 0 };
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_multiadmin_parse_backups(&l, BACKUPS_JSON, strlen(BACKUPS_JSON),
						     &KEY, &err), 0);
	check_backups(&l);
	assert_int_equal(mg_multiadmin_parse_backups(&l, "{\"backups\": []}", 15, &KEY, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(mg_multiadmin_parse_backups(&l, "{\"backups\": {}}", 15, &KEY, &err),
			 MG_EPARSE);
	mg_multiadmin_backups_release(&l);
}

/* --- both transports ------------------------------------------------------ */

#define PROXY "/api/v1/namespaces/t/services/mc-multiadmin:18000/proxy"

struct transport {
	struct mg_kubeconfig *kc;
	struct mg_kube *k;
	struct mg_multiadmin *a;
	const char *prefix; /* what the server sees before /api/v1/... */
};

static void
open_proxy(struct transport *t)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_opts o = MG_KUBE_OPTS_INIT;
	char *text = mg_xasprintf(
		"current-context: t\n"
		"clusters: [{name: c, cluster: {server: '%s', certificate-authority: ca.crt}}]\n"
		"users: [{name: u, user: {token: t}}]\n"
		"contexts: [{name: t, context: {cluster: c, user: u, namespace: t}}]\n",
		srv.url);
	char *path = mg_test_write(dir, "kubeconfig", text);
	struct mg_kubeconfig_opts ko = { .kubeconfig = path };

	o.retries = 1;
	o.backoff_base_ms = 10;
	o.backoff_cap_ms = 20;
	if (mg_kubeconfig_load(&t->kc, &ko, &err) || mg_kube_new(&t->k, t->kc, &o, &err) ||
	    mg_multiadmin_new_proxy(&t->a, t->k, "t", "mc", &err))
		fail_msg("%s", err.msg);
	t->prefix = PROXY;
	assert_string_equal(mg_multiadmin_where(t->a),
			    "service t/mc-multiadmin:18000 through the API server");
	free(text);
	free(path);
}

static void
open_url(struct transport *t)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_multiadmin_opts o = MG_MULTIADMIN_OPTS_INIT;
	char *ca = mg_xasprintf("%s/ca.crt", dir);
	char *url = mg_xasprintf("%s/", srv.url);

	memset(t, 0, sizeof(*t));
	o.ca_file = ca;
	if (mg_multiadmin_new_url(&t->a, url, &o, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(mg_multiadmin_where(t->a), srv.url); /* '/' dropped */
	t->prefix = "";
	free(ca);
	free(url);
}

static void
close_transport(struct transport *t)
{
	mg_multiadmin_free(t->a);
	mg_kube_free(t->k);
	mg_kubeconfig_free(t->kc);
}

static void
script(const struct transport *t, const char *path, const char *json)
{
	char *p = mg_xasprintf("%s%s", t->prefix, path);

	mg_test_server_script(&srv, p, json);
	free(p);
}

static cJSON *
requests(void)
{
	char *text = mg_test_server_requests(&srv);
	cJSON *j = cJSON_Parse(text);

	free(text);
	return j;
}

static void
check_one_request(const struct transport *t, const char *method, const char *path,
		  const char *body)
{
	cJSON *reqs = requests();
	char *want = mg_xasprintf("%s%s", t->prefix, path);

	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	assert_string_equal(mg_json_str(reqs, "0.method"), method);
	assert_string_equal(mg_json_str(reqs, "0.path"), want);
	assert_string_equal(mg_json_str(reqs, "0.accept"), "application/json");
	if (body) {
		assert_string_equal(mg_json_str(reqs, "0.body"), body);
		assert_string_equal(mg_json_str(reqs, "0.content_type"), "application/json");
	}
	free(want);
	cJSON_Delete(reqs);
}

/* The same calls and the same scripted answers through one transport. */
static void
exercise(struct transport *t)
{
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_multiadmin_backups bl = { NULL, 0 };
	struct mg_multiadmin_id old;
	struct mg_err err = MG_ERR_INIT;

	/* poolers: database only in the query, filtered here */
	{
		cJSON *resp = cJSON_CreateArray(), *one = cJSON_CreateObject();
		char *text;

		cJSON_AddItemToObject(one, "json", cJSON_Parse(POOLERS_JSON));
		cJSON_AddItemToArray(resp, one);
		text = cJSON_PrintUnformatted(resp);
		script(t, "/api/v1/poolers?database=postgres", text);
		cJSON_free(text);
		cJSON_Delete(resp);
	}
	assert_int_equal(mg_multiadmin_poolers(t->a, &KEY, &pl, &err), 0);
	check_poolers(&pl);
	check_one_request(t, "GET", "/api/v1/poolers?database=postgres", NULL);

	/* a topology failure: the server's message, the list untouched */
	script(t, "/api/v1/poolers?database=postgres",
	       "[{\"status\": 500, \"json\": {\"code\": 13, \"message\": \"failed to retrieve cell names: topo error [3]: deadline exceeded: cells\", \"details\": []}}]");
	assert_int_equal(mg_multiadmin_poolers(t->a, &KEY, &pl, &err), MG_EAPI);
	assert_string_equal(err.msg, "multiadmin poolers postgres/default/0-inf: failed to retrieve cell names: topo error [3]: deadline exceeded: cells");
	assert_string_equal(err.reason, "Internal");
	assert_int_equal(err.http_status, 500);
	assert_int_equal(pl.n, 4);
	cJSON_Delete(requests());

	/* backups */
	{
		cJSON *resp = cJSON_CreateArray(), *one = cJSON_CreateObject();
		char *text;

		cJSON_AddItemToObject(one, "json", cJSON_Parse(BACKUPS_JSON));
		cJSON_AddItemToArray(resp, one);
		text = cJSON_PrintUnformatted(resp);
		script(t, "/api/v1/backups?database=postgres&table_group=default&limit=5", text);
		cJSON_free(text);
		cJSON_Delete(resp);
	}
	assert_int_equal(mg_multiadmin_backups(t->a, &KEY, 5, &bl, &err), 0);
	check_backups(&bl);
	check_one_request(t, "GET", "/api/v1/backups?database=postgres&table_group=default&limit=5", NULL);

	/* switch-primary: the shard in the path, the reason in the body */
	script(t, "/api/v1/shards/postgres/default/0-inf/switch-primary",
	       "[{\"json\": {\"oldLeaderId\": {\"component\": \"MULTIPOOLER\", \"cell\": \"zone1\", \"name\": \"p-1\"}}}]");
	assert_int_equal(mg_multiadmin_switch_primary(t->a, &KEY, "planned \"x\"", &old, &err), 0);
	assert_string_equal(old.cell, "zone1");
	assert_string_equal(old.name, "p-1");
	check_one_request(t, "POST", "/api/v1/shards/postgres/default/0-inf/switch-primary",
			  "{\"reason\":\"planned \\\"x\\\"\"}");

	/* a failing switch-primary: the server's message, no retry */
	script(t, "/api/v1/shards/postgres/default/0-inf/switch-primary",
	       "[{\"status\": 500, \"json\": {\"code\": 13, \"message\": \"ResignLeadership failed: disk on fire\", \"details\": []}}]");
	assert_int_equal(mg_multiadmin_switch_primary(t->a, &KEY, NULL, &old, &err), MG_EAPI);
	assert_string_equal(err.msg, "multiadmin switch-primary postgres/default/0-inf: ResignLeadership failed: disk on fire");
	assert_string_equal(old.name, "");
	check_one_request(t, "POST", "/api/v1/shards/postgres/default/0-inf/switch-primary",
			  "{\"reason\":\"\"}");
	script(t, "/api/v1/shards/postgres/default/0-inf/switch-primary",
	       "[{\"status\": 400, \"json\": {\"code\": 9, \"message\": \"no standby poolers available for promotion\"}}]");
	assert_int_equal(mg_multiadmin_switch_primary(t->a, &KEY, "r", NULL, &err), MG_EINVAL);
	assert_string_equal(err.reason, "FailedPrecondition");
	cJSON_Delete(requests());

	/* names that need escaping stay one path segment */
	{
		const struct mg_multiadmin_shard odd = { "post gres", "a/b", "0-inf" };

		script(t, "/api/v1/shards/post%20gres/a%2Fb/0-inf/switch-primary", "[{\"json\": {}}]");
		assert_int_equal(mg_multiadmin_switch_primary(t->a, &odd, "r", &old, &err), 0);
		check_one_request(t, "POST", "/api/v1/shards/post%20gres/a%2Fb/0-inf/switch-primary", NULL);
	}

	/* a 2xx that is not an answer */
	script(t, "/api/v1/poolers?database=postgres", "[{\"body\": \"<html>\"}]");
	assert_int_equal(mg_multiadmin_poolers(t->a, &KEY, &pl, &err), MG_EPARSE);
	cJSON_Delete(requests());

	/* a key with a hole is refused before anything is sent */
	{
		const struct mg_multiadmin_shard nodb = { "", "default", "0-inf" };
		const struct mg_multiadmin_shard noshard = { "postgres", "default", NULL };

		assert_int_equal(mg_multiadmin_poolers(t->a, &nodb, &pl, &err), MG_EINVAL);
		assert_int_equal(mg_multiadmin_switch_primary(t->a, &noshard, "r", NULL, &err),
				 MG_EINVAL);
		assert_string_equal(err.msg, "multiadmin switch-primary postgres/default/: no shard given");
		{
			cJSON *reqs = requests();

			assert_int_equal(cJSON_GetArraySize(reqs), 0);
			cJSON_Delete(reqs);
		}
	}
	mg_multiadmin_poolers_release(&pl);
	mg_multiadmin_backups_release(&bl);
}

static void
test_through_the_proxy(void **state)
{
	struct transport t;
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	memset(&t, 0, sizeof(t));
	open_proxy(&t);
	exercise(&t);
	/* the proxy itself fails: the API server's Status is kept, with where */
	script(&t, "/api/v1/poolers?database=postgres",
	       "[{\"status\": 503, \"json\": {\"kind\": \"Status\", \"apiVersion\": \"v1\", \"status\": \"Failure\","
	       " \"message\": \"no endpoints available for service \\\"mc-multiadmin\\\"\","
	       " \"reason\": \"ServiceUnavailable\", \"code\": 503}}]");
	assert_int_equal(mg_multiadmin_poolers(t.a, &KEY, &pl, &err), MG_EAPI);
	assert_string_equal(err.msg, "multiadmin poolers postgres/default/0-inf: service t/mc-multiadmin:18000 "
			    "through the API server: no endpoints available for service \"mc-multiadmin\"");
	assert_string_equal(err.reason, "ServiceUnavailable");
	cJSON_Delete(requests());
	script(&t, "/api/v1/poolers?database=postgres",
	       "[{\"status\": 403, \"json\": {\"kind\": \"Status\", \"apiVersion\": \"v1\", \"status\": \"Failure\","
	       " \"message\": \"services \\\"mc-multiadmin:18000\\\" is forbidden\", \"reason\": \"Forbidden\", \"code\": 403}}]");
	assert_int_equal(mg_multiadmin_poolers(t.a, &KEY, &pl, &err), MG_EAUTH);
	cJSON_Delete(requests());
	close_transport(&t);
}

static void
test_at_a_url(void **state)
{
	struct transport t;
	struct mg_multiadmin *a = NULL;
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_multiadmin_opts o = MG_MULTIADMIN_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	open_url(&t);
	exercise(&t);
	close_transport(&t);

	/* bad URLs */
	assert_int_equal(mg_multiadmin_new_url(&a, "ftp://x", NULL, &err), MG_EINVAL);
	assert_int_equal(mg_multiadmin_new_url(&a, "http://", NULL, &err), MG_EINVAL);
	assert_int_equal(mg_multiadmin_new_url(&a, "127.0.0.1:18000", NULL, &err), MG_EINVAL);
	assert_null(a);

	/* TLS is verified: without the test CA the server is not trusted */
	assert_int_equal(mg_multiadmin_new_url(&a, srv.url, NULL, &err), 0);
	assert_int_equal(mg_multiadmin_poolers(a, &KEY, &pl, &err), MG_ETRANSPORT);
	assert_non_null(strstr(err.msg, srv.url));
	mg_multiadmin_free(a);

	/* nobody listening */
	o.connect_timeout_ms = 2000;
	assert_int_equal(mg_multiadmin_new_url(&a, "http://127.0.0.1:1", &o, &err), 0);
	assert_int_equal(mg_multiadmin_switch_primary(a, &KEY, "r", NULL, &err), MG_ETRANSPORT);
	assert_non_null(strstr(err.msg, "multiadmin switch-primary postgres/default/0-inf: multiadmin at http://127.0.0.1:1: "));
	mg_multiadmin_free(a);
	cJSON_Delete(requests());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_path),
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_parse_poolers),
		cmocka_unit_test(test_pooler_pod_and_primary),
		cmocka_unit_test(test_parse_backups),
		cmocka_unit_test(test_through_the_proxy),
		cmocka_unit_test(test_at_a_url),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
