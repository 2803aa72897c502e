/*
 * The REST client against a scripted loopback HTTPS server (a test CA and
 * certificates made at test time): TLS verification, client certificates,
 * tokens, exec plugins and 401, 429 and 5xx retries, Status errors, and a
 * watch stream cut in the middle of a line. Also the pure parts: Status
 * parsing, backoff, ExecCredential parsing.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "buf.h"
#include "cred.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "kubeconfig.h"
#include "testlib.h"
#include "timeutil.h"
#include "xalloc.h"

static char *dir;
static struct mg_test_server srv, mtls;

static int
setup(void **state)
{
	(void)state;
	dir = mg_test_tmpdir();
	mg_test_certs(dir);
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	mg_test_server_start(&srv, dir, false);
	mg_test_server_start(&mtls, dir, true);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mg_test_server_stop(&srv);
	mg_test_server_stop(&mtls);
	mg_test_rmrf(dir);
	free(dir);
	return 0;
}

/* A kubeconfig for server with the given cluster and user fields. */
static struct mg_kubeconfig *
config(const char *server, const char *cluster_extra, const char *user)
{
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *text = mg_xasprintf(
		"current-context: t\n"
		"clusters: [{name: c, cluster: {server: '%s'%s}}]\n"
		"users: [{name: u, user: {%s}}]\n"
		"contexts: [{name: t, context: {cluster: c, user: u, namespace: t}}]\n",
		server, cluster_extra, user);
	char *path = mg_test_write(dir, "kubeconfig", text);
	struct mg_kubeconfig_opts o = { .kubeconfig = path };

	if (mg_kubeconfig_load(&kc, &o, &err))
		fail_msg("kubeconfig: %s", err.msg);
	free(text);
	free(path);
	return kc;
}

static struct mg_kube *
client(const struct mg_kubeconfig *kc)
{
	struct mg_kube_opts o = MG_KUBE_OPTS_INIT;
	struct mg_kube *k = NULL;
	struct mg_err err = MG_ERR_INIT;

	o.backoff_base_ms = 10;
	o.backoff_cap_ms = 50;
	o.timeout_ms = 5000;
	if (mg_kube_new(&k, kc, &o, &err))
		fail_msg("client: %s", err.msg);
	return k;
}

static cJSON *
requests(struct mg_test_server *s)
{
	char *text = mg_test_server_requests(s);
	cJSON *j = cJSON_Parse(text);

	free(text);
	return j;
}

#define CA ", certificate-authority: ca.crt"
#define OK_VERSION "[{\"json\": {\"major\": \"1\", \"minor\": \"35\", \"gitVersion\": \"v1.35.4\"}}]"

static void
test_server_certificate_is_verified(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc;
	struct mg_kube *k;
	cJSON *v = NULL;

	(void)state;
	mg_test_server_script(&srv, "/version", OK_VERSION);
	/* No CA: the system store does not know the test CA. */
	kc = config(srv.url, "", "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_ETRANSPORT);
	assert_non_null(strstr(err.msg, "certificate"));
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	/* The wrong CA. */
	kc = config(srv.url, ", certificate-authority: other-ca.crt", "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_ETRANSPORT);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	/* The right CA; then tls-server-name, right and wrong. */
	kc = config(srv.url, CA, "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	assert_string_equal(mg_json_str(v, "gitVersion"), "v1.35.4");
	cJSON_Delete(v);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	kc = config(srv.url, CA ", tls-server-name: apiserver.test", "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	kc = config(srv.url, CA ", tls-server-name: wrong.test", "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_ETRANSPORT);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	/* insecure-skip-tls-verify, when asked for. */
	kc = config(srv.url, ", insecure-skip-tls-verify: true", "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	cJSON_Delete(requests(&srv));
}

static void
test_client_certificate_and_token(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc;
	struct mg_kube *k;
	cJSON *v = NULL, *reqs;

	(void)state;
	mg_test_server_script(&mtls, "/version", OK_VERSION);
	kc = config(mtls.url, CA, "token: t");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_ETRANSPORT);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	kc = config(mtls.url, CA, "client-certificate: client.crt, client-key: client.key");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	reqs = requests(&mtls);
	assert_string_equal(mg_json_str(reqs, "0.client_cn"), "alice");
	assert_null(mg_json_str(reqs, "0.authorization"));
	cJSON_Delete(reqs);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	mg_test_server_script(&srv, "/version", OK_VERSION);
	kc = config(srv.url, CA, "token: s3cret");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	reqs = requests(&srv);
	assert_string_equal(mg_json_str(reqs, "0.authorization"), "Bearer s3cret");
	assert_non_null(strstr(mg_json_str(reqs, "0.user_agent"), "kubectl-multigres/"));
	cJSON_Delete(reqs);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
}

static void
test_token_file_reread_when_it_changes(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc;
	struct mg_kube *k;
	cJSON *v = NULL, *reqs;
	char *tf;

	(void)state;
	tf = mg_test_write(dir, "tokfile", "first\n");
	mg_test_server_script(&srv, "/version", OK_VERSION);
	kc = config(srv.url, CA, "tokenFile: tokfile");
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	free(mg_test_write(dir, "tokfile", "second-longer\n"));
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	reqs = requests(&srv);
	assert_string_equal(mg_json_str(reqs, "0.authorization"), "Bearer first");
	assert_string_equal(mg_json_str(reqs, "1.authorization"), "Bearer second-longer");
	cJSON_Delete(reqs);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	free(tf);
}

/* An exec plugin that prints token N, counting its runs in a file. */
static void
write_plugin(const char *name, const char *expiry)
{
	char *script = mg_xasprintf(
		"#!/bin/sh\n"
		"n=$(cat \"$0.count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$0.count\"\n"
		"case \"$KUBERNETES_EXEC_INFO\" in *'\"kind\":\"ExecCredential\"'*) ;; *) exit 3;; esac\n"
		"[ \"$PLUGIN_ENV\" = from-kubeconfig ] || exit 4\n"
		"printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"token\":\"tok%%s\"%s}}' \"$n\"\n",
		expiry);
	char *path = mg_test_write(dir, name, script);

	chmod(path, 0755);
	free(script);
	free(path);
}

static int
plugin_runs(const char *name)
{
	char *path = mg_xasprintf("%s/%s.count", dir, name), *s;
	int n;

	if (access(path, F_OK)) {
		free(path);
		return 0;
	}
	s = mg_test_read(path);
	n = (int)strtol(s, NULL, 10);
	free(s);
	free(path);
	return n;
}

#define EXEC(cmd) "exec: {apiVersion: client.authentication.k8s.io/v1, command: " cmd \
	", interactiveMode: Never, env: [{name: PLUGIN_ENV, value: from-kubeconfig}]}"

static void
test_exec_plugin_cached_and_rerun_on_401(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc;
	struct mg_kube *k;
	cJSON *v = NULL, *reqs;

	(void)state;
	/* Valid for an hour: two requests, one run. */
	write_plugin("plug-cached", ", \"expirationTimestamp\": \"2999-01-01T00:00:00Z\"");
	mg_test_server_script(&srv, "/version", OK_VERSION);
	kc = config(srv.url, CA, EXEC("./plug-cached"));
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	assert_int_equal(plugin_runs("plug-cached"), 1);
	assert_null(getenv("PLUGIN_ENV")); /* the caller's environment is untouched */
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	cJSON_Delete(requests(&srv));

	/* The server accepts only the second token: 401, re-run, success. */
	write_plugin("plug-401", "");
	mg_test_server_script(&srv, "/version",
			      "[{\"auth\": \"Bearer tok2\", \"json\": {\"gitVersion\": \"v1.35.4\"}}]");
	kc = config(srv.url, CA, EXEC("./plug-401"));
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), 0);
	cJSON_Delete(v);
	assert_int_equal(plugin_runs("plug-401"), 2);
	reqs = requests(&srv);
	assert_int_equal(cJSON_GetArraySize(reqs), 2);
	assert_string_equal(mg_json_str(reqs, "1.authorization"), "Bearer tok2");
	cJSON_Delete(reqs);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
}

static void
test_exec_plugin_failures_are_named(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc;
	struct mg_kube *k;
	cJSON *v = NULL;
	char *p;

	(void)state;
	p = mg_test_write(dir, "plug-fails", "#!/bin/sh\necho 'cannot log in' >&2\nexit 1\n");
	chmod(p, 0755);
	free(p);
	p = mg_test_write(dir, "plug-garbage", "#!/bin/sh\necho 'hello, world'\n");
	chmod(p, 0755);
	free(p);
	p = mg_test_write(dir, "plug-wrongver",
			  "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"x\"}}'\n");
	chmod(p, 0755);
	free(p);

	kc = config(srv.url, CA, EXEC("./plug-fails"));
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_EIO);
	assert_non_null(strstr(err.msg, "plug-fails' exited with status 1"));
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	kc = config(srv.url, CA, EXEC("./plug-garbage"));
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_EAUTH);
	assert_non_null(strstr(err.msg, "not an ExecCredential"));
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	kc = config(srv.url, CA, EXEC("./plug-wrongver"));
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_EAUTH);
	assert_non_null(strstr(err.msg, "differs from the requested"));
	mg_kube_free(k);
	mg_kubeconfig_free(kc);

	kc = config(srv.url, CA, EXEC("no-such-plugin-anywhere"));
	k = client(kc);
	assert_int_equal(mg_kube_version(k, &v, &err), MG_EIO);
	assert_non_null(strstr(err.msg, "'no-such-plugin-anywhere' not found on PATH"));
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
	cJSON_Delete(requests(&srv));
}

static void
test_retries_429_and_5xx(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc = config(srv.url, CA, "token: t");
	struct mg_kube *k = client(kc);
	struct mg_kube_res cm = { "", "v1", "configmaps", "t" };
	cJSON *v = NULL, *reqs, *obj = cJSON_Parse("{\"metadata\":{\"name\":\"x\"}}");
	int64_t t0;

	(void)state;
	/* 429 with Retry-After: 1, then success; POST too (not acted on). */
	mg_test_server_script(&srv, "/api/v1/namespaces/t/configmaps",
			      "[{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}, \"json\": {\"kind\": \"Status\", \"code\": 429, \"reason\": \"TooManyRequests\", \"message\": \"slow down\"}},"
			      " {\"status\": 201, \"json\": {\"metadata\": {\"name\": \"x\"}}}]");
	t0 = mg_time_mono_ms();
	assert_int_equal(mg_kube_create(k, &cm, obj, &v, &err), 0);
	assert_true(mg_time_mono_ms() - t0 >= 900);
	cJSON_Delete(v);
	reqs = requests(&srv);
	assert_int_equal(cJSON_GetArraySize(reqs), 2);
	cJSON_Delete(reqs);

	/* 503 then success: GET retries... */
	mg_test_server_script(&srv, "/api/v1/namespaces/t/configmaps/x",
			      "[{\"status\": 503, \"body\": \"overloaded\"}, {\"json\": {\"metadata\": {\"name\": \"x\"}}}]");
	assert_int_equal(mg_kube_get(k, &cm, "x", NULL, &v, &err), 0);
	cJSON_Delete(v);
	cJSON_Delete(requests(&srv));
	/* ...POST does not. */
	mg_test_server_script(&srv, "/api/v1/namespaces/t/configmaps",
			      "[{\"status\": 503, \"body\": \"overloaded\"}, {\"status\": 201, \"json\": {}}]");
	assert_int_equal(mg_kube_create(k, &cm, obj, &v, &err), MG_EAPI);
	assert_int_equal(err.http_status, 503);
	assert_string_equal(err.msg, "the server answered 503: overloaded");
	reqs = requests(&srv);
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	cJSON_Delete(reqs);

	/* A 500 that stays: retries run out, the Status is kept. */
	mg_test_server_script(&srv, "/api/v1/namespaces/t/configmaps/x",
			      "[{\"status\": 500, \"json\": {\"kind\": \"Status\", \"code\": 500, \"reason\": \"InternalError\", \"message\": \"etcd is sad\"}}]");
	assert_int_equal(mg_kube_get(k, &cm, "x", NULL, &v, &err), MG_EAPI);
	assert_string_equal(err.reason, "InternalError");
	assert_string_equal(err.msg, "etcd is sad");
	reqs = requests(&srv);
	assert_int_equal(cJSON_GetArraySize(reqs), 5); /* 1 + 4 retries */
	cJSON_Delete(reqs);
	cJSON_Delete(obj);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
}

static void
test_status_errors(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	const char *nf = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
			 "\"message\":\"pods \\\"x\\\" not found\",\"reason\":\"NotFound\",\"code\":404}";

	(void)state;
	assert_int_equal(mg_kube_status_err(404, nf, strlen(nf), &err), MG_ENOTFOUND);
	assert_string_equal(err.msg, "pods \"x\" not found");
	assert_string_equal(err.reason, "NotFound");
	assert_int_equal(err.http_status, 404);
	assert_int_equal(mg_kube_status_err(409, "", 0, &err), MG_ECONFLICT);
	assert_string_equal(err.msg, "the server answered 409 with no body");
	assert_int_equal(mg_kube_status_err(403, "<html>\n", 7, &err), MG_EAUTH);
	assert_string_equal(err.msg, "the server answered 403: <html> ");
	assert_int_equal(mg_kube_status_err(410, "{}", 2, &err), MG_EGONE);
	assert_int_equal(mg_kube_status_err(422, "{}", 2, &err), MG_EINVAL);
}

static void
test_backoff(void **state)
{
	const struct mg_backoff b = { 100, 1000 };

	(void)state;
	assert_int_equal(mg_backoff_delay_ms(&b, 0, 0), 50);
	assert_int_equal(mg_backoff_delay_ms(&b, 0, 50), 100);
	assert_int_equal(mg_backoff_delay_ms(&b, 3, 0), 400);
	assert_int_equal(mg_backoff_delay_ms(&b, 30, 0), 500);
	assert_int_equal(mg_backoff_delay_ms(&b, 30, 500), 1000);
	for (uint32_t r = 0; r < 2000; r += 7) {
		long d = mg_backoff_delay_ms(&b, 2, r);

		assert_true(d >= 200 && d <= 400);
	}
	assert_int_equal(mg_backoff_retry_after_ms("3", 60000), 3000);
	assert_int_equal(mg_backoff_retry_after_ms(" 120 ", 60000), 60000);
	assert_int_equal(mg_backoff_retry_after_ms("Wed, 21 Oct 2015", 60000), -1);
	assert_int_equal(mg_backoff_retry_after_ms(NULL, 60000), -1);
}

static void
test_exec_credential_parsing(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_cred c;
	const char *v1 = "client.authentication.k8s.io/v1";
	const char *ok = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			 "\"status\":{\"clientCertificateData\":\"CERT\",\"clientKeyData\":\"KEY\","
			 "\"expirationTimestamp\":\"2026-11-21T20:33:18+01:00\"}}";
	const char *bad_time = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			       "\"status\":{\"token\":\"x\",\"expirationTimestamp\":\"tomorrow\"}}";
	const char *no_cred = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}";
	time_t t;

	(void)state;
	assert_int_equal(mg_cred_parse(&c, ok, strlen(ok), v1, "p", &err), 0);
	assert_int_equal(c.cert.len, 4);
	assert_int_equal(mg_time_parse("2026-11-21T19:33:18Z", &t), 0);
	assert_int_equal(c.expiry, t);
	assert_true(mg_cred_valid(&c, t - 1));
	assert_false(mg_cred_valid(&c, t));
	mg_cred_release(&c);
	assert_int_equal(mg_cred_parse(&c, bad_time, strlen(bad_time), v1, "p", &err), MG_EAUTH);
	assert_non_null(strstr(err.msg, "'tomorrow' is not an RFC 3339 time"));
	assert_int_equal(mg_cred_parse(&c, no_cred, strlen(no_cred), v1, "p", &err), MG_EAUTH);
	assert_non_null(strstr(err.msg, "neither status.token"));
}

/* --- a watch stream cut in the middle of a line ---------------------- */

struct seen {
	struct mg_buf log;
	int synced;
};

static void
record(void *data, enum mg_watch_event ev, const cJSON *obj)
{
	struct seen *s = data;

	if (ev == MG_WATCH_SYNCED) {
		s->synced++;
		mg_buf_addf(&s->log, "SYNCED;");
	} else if (ev != MG_WATCH_BOOKMARK && ev != MG_WATCH_ERROR) {
		mg_buf_addf(&s->log, "%s %s %s;", mg_watch_event_name(ev),
			    mg_json_str(obj, "metadata.name"),
			    mg_json_str(obj, "metadata.resourceVersion"));
	}
}

#define POD(n, rv) "{\\\"metadata\\\":{\\\"name\\\":\\\"" n "\\\",\\\"uid\\\":\\\"uid-" n "\\\",\\\"resourceVersion\\\":\\\"" rv "\\\"}}"
#define EV(t, n, rv) "{\\\"type\\\":\\\"" t "\\\",\\\"object\\\":" POD(n, rv) "}\\n"
#define PODJ(n, rv) "{\"metadata\":{\"name\":\"" n "\",\"uid\":\"uid-" n "\",\"resourceVersion\":\"" rv "\"}}"
#define PODS "/api/v1/namespaces/t/pods"

static void
run_until(struct mg_kube_loop *l, struct seen *s, const char *want)
{
	struct mg_err err = MG_ERR_INIT;

	for (int i = 0; i < 500 && !strstr(s->log.data, want); i++)
		assert_int_equal(mg_kube_loop_run(l, 20, NULL, 0, &err), 0);
	if (!strstr(s->log.data, want))
		fail_msg("never saw '%s'; saw '%s'", want, s->log.data);
}

static void
test_watch_cut_mid_line_resumes_without_loss_or_doubles(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kubeconfig *kc = config(srv.url, CA, "token: t");
	struct mg_kube *k = client(kc);
	struct mg_kube_loop *l = NULL;
	struct mg_kube_res pods = { "", "v1", "pods", "t" };
	struct seen s = { MG_BUF_INIT, 0 };
	cJSON *reqs, *it;
	int watches_from_11 = 0, watches_from_12 = 0, lists = 0;

	(void)state;
	cJSON_Delete(requests(&srv));
	mg_test_server_script(&srv, PODS "?limit=500",
		"[{\"json\": {\"kind\": \"PodList\", \"metadata\": {\"resourceVersion\": \"10\"}, \"items\": [" PODJ("a", "5") "]}},"
		" {\"json\": {\"kind\": \"PodList\", \"metadata\": {\"resourceVersion\": \"20\"}, \"items\": [" PODJ("a", "12") "," PODJ("c", "19") "]}}]");
	/* First stream: b added, then half a line, then the connection drops. */
	mg_test_server_script(&srv, PODS "?watch=1&allowWatchBookmarks=true&resourceVersion=10&timeoutSeconds=300",
		"[{\"chunks\": [\"" EV("ADDED", "b", "11") "\", \"{\\\"type\\\":\\\"MODIFIED\\\",\\\"obj\"], \"cut\": true}]");
	/* Resumed from 11: the modification arrives whole; the bookmark moves on. */
	mg_test_server_script(&srv, PODS "?watch=1&allowWatchBookmarks=true&resourceVersion=11&timeoutSeconds=300",
		"[{\"chunks\": [\"" EV("MODIFIED", "a", "12") "\", \"{\\\"type\\\":\\\"BOOKMARK\\\",\\\"object\\\":{\\\"metadata\\\":{\\\"resourceVersion\\\":\\\"15\\\"}}}\\n\"]}]");
	/* From 15 the server has forgotten: 410, relist, differences only. */
	mg_test_server_script(&srv, PODS "?watch=1&allowWatchBookmarks=true&resourceVersion=15&timeoutSeconds=300",
		"[{\"chunks\": [\"{\\\"type\\\":\\\"ERROR\\\",\\\"object\\\":{\\\"kind\\\":\\\"Status\\\",\\\"code\\\":410,\\\"reason\\\":\\\"Expired\\\",\\\"message\\\":\\\"too old resource version\\\"}}\\n\"]}]");
	mg_test_server_script(&srv, PODS "?watch=1&allowWatchBookmarks=true&resourceVersion=20&timeoutSeconds=300",
		"[{\"chunks\": [], \"delay\": 0.2}]");

	assert_int_equal(mg_kube_loop_new(&l, k, &err), 0);
	assert_int_equal(mg_kube_watch(l, &pods, NULL, record, &s, NULL, &err), 0);
	run_until(l, &s, "DELETED b");
	assert_string_equal(s.log.data,
			    "ADDED a 5;SYNCED;ADDED b 11;MODIFIED a 12;"
			    "ADDED c 19;DELETED b 11;SYNCED;");
	reqs = requests(&srv);
	cJSON_ArrayForEach(it, reqs) {
		const char *p = mg_json_str(it, "path");

		watches_from_11 += !!strstr(p, "resourceVersion=11&");
		watches_from_12 += !!strstr(p, "resourceVersion=12&");
		lists += !!strstr(p, "?limit=500");
		assert_string_equal(mg_json_str(it, "authorization"), "Bearer t");
	}
	assert_int_equal(watches_from_11, 1);
	assert_int_equal(watches_from_12, 0); /* the bookmark moved it to 15 */
	assert_int_equal(lists, 2);
	cJSON_Delete(reqs);
	mg_kube_loop_free(l);
	mg_buf_release(&s.log);
	mg_kube_free(k);
	mg_kubeconfig_free(kc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_certificate_is_verified),
		cmocka_unit_test(test_client_certificate_and_token),
		cmocka_unit_test(test_token_file_reread_when_it_changes),
		cmocka_unit_test(test_exec_plugin_cached_and_rerun_on_401),
		cmocka_unit_test(test_exec_plugin_failures_are_named),
		cmocka_unit_test(test_retries_429_and_5xx),
		cmocka_unit_test(test_status_errors),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_exec_credential_parsing),
		cmocka_unit_test(test_watch_cut_mid_line_resumes_without_loss_or_doubles),
	};

	return cmocka_run_group_tests_name("kube", tests, setup, teardown);
}
