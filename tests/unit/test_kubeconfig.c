/*
 * Unit tests for shared/kubeconfig.c: kubectl's merge rules, overrides,
 * relative paths, every credential kind, in-cluster config and the errors
 * for bad input. Where kubectl is on PATH, the merged view is compared with
 * `kubectl config view --raw -o json` for the same KUBECONFIG.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kubeconfig.h"
#include "testlib.h"
#include "xalloc.h"

static char *dir;

static int
setup(void **state)
{
	(void)state;
	dir = mg_test_tmpdir();
	mg_test_certs(dir);
	setenv("HOME", dir, 1);
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mg_test_rmrf(dir);
	free(dir);
	return 0;
}

static const char file_a[] =
	"apiVersion: v1\nkind: Config\n"
	"clusters:\n"
	"- name: c1\n  cluster: {server: 'https://127.0.0.1:1', certificate-authority: ../ca.crt}\n"
	"users:\n"
	"- name: u1\n  user: {token: token-a}\n"
	"- name: ex\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
	"      command: ./bin/plug\n      args: [get, '--x=1']\n"
	"      env: [{name: FOO, value: bar}]\n      interactiveMode: Never\n"
	"contexts:\n"
	"- name: x1\n  context: {cluster: c1, user: u1}\n"
	"- name: xe\n  context: {cluster: c1, user: ex, namespace: team}\n";

static const char file_b[] =
	"apiVersion: v1\nkind: Config\ncurrent-context: x2\n"
	"clusters:\n"
	"- name: c1\n  cluster: {server: 'https://shadowed.invalid'}\n"
	"- name: c2\n  cluster: {server: 'https://127.0.0.1:2', insecure-skip-tls-verify: true}\n"
	"users:\n- name: u1\n  user: {token: token-b}\n"
	"contexts:\n- name: x2\n  context: {cluster: c2, user: u1, namespace: ns2}\n";

static char *
write_ab(void)
{
	char *a = mg_test_write(dir, "sub/a.yaml", file_a);
	char *b = mg_test_write(dir, "b.yaml", file_b);
	char *list = mg_xasprintf("%s:%s/missing.yaml::%s", a, dir, b);

	free(a);
	free(b);
	return list;
}

static void
test_merge_first_file_wins(void **state)
{
	struct mg_kubeconfig_opts o = { 0 };
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *list = write_ab();

	(void)state;
	setenv("KUBECONFIG", list, 1);
	/* current-context comes from b (a has none); user u1 from a. */
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_string_equal(kc->context, "x2");
	assert_string_equal(kc->server, "https://127.0.0.1:2");
	assert_string_equal(kc->token, "token-a");
	assert_string_equal(kc->ns, "ns2");
	assert_true(kc->insecure);
	mg_kubeconfig_free(kc);

	/* c1 from a (whole entry, never combined with b's). */
	o.context = "x1";
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_string_equal(kc->server, "https://127.0.0.1:1");
	assert_string_equal(kc->ns, "default");
	assert_false(kc->ns_explicit);
	assert_true(kc->ca.len > 100);
	mg_kubeconfig_free(kc);
	unsetenv("KUBECONFIG");
	free(list);
}

static void
test_overrides(void **state)
{
	struct mg_kubeconfig_opts o = { 0 };
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *list = write_ab();

	(void)state;
	setenv("KUBECONFIG", list, 1);
	o.context = "x2";
	o.cluster = "c1";
	o.ns = "mine";
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_string_equal(kc->server, "https://127.0.0.1:1");
	assert_string_equal(kc->ns, "mine");
	assert_true(kc->ns_explicit);
	mg_kubeconfig_free(kc);

	o = (struct mg_kubeconfig_opts){ .context = "prod" };
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), MG_ENOTFOUND);
	assert_null(kc);
	assert_non_null(strstr(err.msg, "context 'prod' not found (contexts: x1, xe, x2)"));
	assert_non_null(strstr(err.msg, "sub/a.yaml'"));

	o = (struct mg_kubeconfig_opts){ .context = "x1", .user = "nobody" };
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), MG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "user 'nobody' not found (named by context 'x1')"));
	unsetenv("KUBECONFIG");
	free(list);
}

static void
test_exec_config_resolved(void **state)
{
	struct mg_kubeconfig_opts o = { .context = "xe" };
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *list = write_ab(), *want;

	(void)state;
	setenv("KUBECONFIG", list, 1);
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_non_null(kc->exec);
	want = mg_xasprintf("%s/sub/./bin/plug", dir);
	assert_string_equal(kc->exec->command, want);
	assert_string_equal(kc->exec->args[0], "get");
	assert_string_equal(kc->exec->args[1], "--x=1");
	assert_null(kc->exec->args[2]);
	assert_string_equal(kc->exec->env[0], "FOO=bar");
	assert_int_equal(kc->exec->interactive, MG_EXEC_NEVER);
	assert_string_equal(kc->ns, "team");
	mg_kubeconfig_free(kc);
	free(want);
	unsetenv("KUBECONFIG");
	free(list);
}

static void
test_kubeconfig_flag_is_exclusive_and_must_exist(void **state)
{
	struct mg_kubeconfig_opts o = { 0 };
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *list = write_ab(), *b = mg_xasprintf("%s/b.yaml", dir);
	char *missing = mg_xasprintf("%s/nope.yaml", dir);

	(void)state;
	setenv("KUBECONFIG", list, 1);
	o.kubeconfig = b;
	o.context = "x1"; /* only in a: must not be found */
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), MG_ENOTFOUND);
	o.kubeconfig = missing;
	o.context = NULL;
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), MG_EIO);
	assert_non_null(strstr(err.msg, "nope.yaml': No such file or directory"));
	unsetenv("KUBECONFIG");
	free(list);
	free(b);
	free(missing);
}

static void
test_no_configuration_at_all(void **state)
{
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_kubeconfig_load(&kc, NULL, &err), MG_ENOTFOUND);
	assert_non_null(strstr(err.msg, "no configuration"));
}

static void
test_home_config_and_data_fields(void **state)
{
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *ca_path = mg_xasprintf("%s/ca.crt", dir);
	char *cert_path = mg_xasprintf("%s/client.crt", dir);
	char *key_path = mg_xasprintf("%s/client.key", dir);
	char *ca = mg_test_file_b64(ca_path), *cert = mg_test_file_b64(cert_path),
	     *key = mg_test_file_b64(key_path);
	char *cfg = mg_xasprintf(
		"current-context: c\n"
		"clusters: [{name: k, cluster: {server: 'https://h:6443', certificate-authority-data: %s, certificate-authority: /nonexistent, tls-server-name: apiserver.test}}]\n"
		"users: [{name: u, user: {client-certificate-data: %s, client-key: ../client.key}}]\n"
		"contexts: [{name: c, context: {cluster: k, user: u}}]\n",
		ca, cert);
	char *path = mg_test_write(dir, ".kube/config", cfg);
	char *keytext = mg_test_read(key_path);

	(void)state;
	(void)key;
	assert_int_equal(mg_kubeconfig_load(&kc, NULL, &err), 0);
	/* -data wins over the path, which is never read. */
	assert_true(kc->ca.len > 100);
	assert_int_equal(kc->client_key.len, strlen(keytext));
	assert_memory_equal(kc->client_key.data, keytext, kc->client_key.len);
	assert_string_equal(kc->tls_server_name, "apiserver.test");
	assert_null(kc->token);
	mg_kubeconfig_free(kc);
	unlink(path);
	free(path);
	free(cfg);
	free(ca);
	free(cert);
	free(key);
	free(ca_path);
	free(cert_path);
	free(key_path);
	free(keytext);
}

static void
expect_error(const char *cfg, int code, const char *fragment)
{
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *path = mg_test_write(dir, "bad.yaml", cfg);
	struct mg_kubeconfig_opts o = { .kubeconfig = path };

	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), code);
	assert_null(kc);
	if (!strstr(err.msg, fragment))
		fail_msg("error '%s' lacks '%s'", err.msg, fragment);
	assert_non_null(strstr(err.msg, "bad.yaml'"));
	unlink(path);
	free(path);
}

#define CTX "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"

static void
test_bad_input_is_named(void **state)
{
	(void)state;
	expect_error("clusters: [\n", MG_EPARSE, "line ");
	expect_error("- a\n- b\n", MG_EPARSE, "not a mapping");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 5}}]\nusers: [{name: u, user: {}}]\n",
		     MG_EINVAL, "cluster 'k': 'server' must be a string");
	expect_error(CTX "clusters: [{name: k, cluster: {}}]\nusers: [{name: u, user: {}}]\n",
		     MG_EINVAL, "cluster 'k': 'server' is required");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x', insecure-skip-tls-verify: maybe}}]\nusers: [{name: u}]\n",
		     MG_EINVAL, "'insecure-skip-tls-verify' must be true or false");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x', certificate-authority-data: '!!!'}}]\nusers: [{name: u}]\n",
		     MG_EINVAL, "'certificate-authority-data' is not valid base64");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x', certificate-authority: nothere.crt}}]\nusers: [{name: u}]\n",
		     MG_EIO, "certificate-authority: cannot read '");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {token: t, username: a, password: b}}]\n",
		     MG_EINVAL, "user 'u': more than one authentication method");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {client-certificate: client.crt}}]\n",
		     MG_EINVAL, "'client-key' is required with client-certificate");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {client-certificate: expired.crt, client-key: expired.key}}]\n",
		     MG_EINVAL, "user 'u': client-certificate: certificate expired at ");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {client-certificate: ca.key, client-key: client.key}}]\n",
		     MG_EINVAL, "client-certificate: no PEM certificate found");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {client-certificate: client.crt, client-key: client.crt}}]\n",
		     MG_EINVAL, "client-key: no PEM private key found");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: x}}}]\n",
		     MG_EINVAL, "'exec.interactiveMode' is required");
	expect_error(CTX "clusters: [{name: k, cluster: {server: 'https://x'}}]\nusers: [{name: u, user: {exec: {apiVersion: v9, command: x}}}]\n",
		     MG_EINVAL, "'exec.apiVersion' must be");
	expect_error("clusters: [{cluster: {server: 'https://x'}}]\n",
		     MG_EPARSE, "clusters[0] has no name");
}

static void
test_in_cluster(void **state)
{
	struct mg_kubeconfig_opts o = { 0 };
	struct mg_kubeconfig *kc = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *sa = mg_xasprintf("%s/sa", dir), *f, *ca = mg_xasprintf("%s/ca.crt", dir);
	char *catext = mg_test_read(ca);

	(void)state;
	free(mg_test_write(dir, "sa/token", "sa-token\n"));
	free(mg_test_write(dir, "sa/namespace", "multigres-system\n"));
	f = mg_test_write(dir, "sa/ca.crt", catext);
	o.sa_dir = sa;
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_true(kc->in_cluster);
	assert_string_equal(kc->server, "https://[fd00::1]:443");
	assert_string_equal(kc->ns, "multigres-system");
	assert_non_null(strstr(kc->token_file, "/sa/token"));
	assert_int_equal(kc->ca.len, strlen(catext));
	mg_kubeconfig_free(kc);

	/* -n wins over the service account's namespace. */
	o.ns = "other";
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_string_equal(kc->ns, "other");
	mg_kubeconfig_free(kc);

	/* A kubeconfig, when there is one, wins over in-cluster. */
	free(mg_test_write(dir, ".kube/config",
			   "current-context: c\nclusters: [{name: k, cluster: {server: 'https://from-file'}}]\n"
			   "contexts: [{name: c, context: {cluster: k}}]\n"));
	o.ns = NULL;
	assert_int_equal(mg_kubeconfig_load(&kc, &o, &err), 0);
	assert_false(kc->in_cluster);
	assert_string_equal(kc->server, "https://from-file");
	mg_kubeconfig_free(kc);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	free(f);
	free(ca);
	free(catext);
	free(sa);
	mg_test_rmrf(dir);
	mkdir(dir, 0700);
	mg_test_certs(dir);
}

/* Every member of `ours` is in `theirs` with the same value (kubectl adds
 * defaults such as "env": null; those are not ours to print). */
static bool
subset(const cJSON *ours, const cJSON *theirs)
{
	const cJSON *f;

	if (!cJSON_IsObject(ours) || !cJSON_IsObject(theirs))
		return cJSON_Compare(ours, theirs, true);
	cJSON_ArrayForEach(f, ours)
		if (!subset(f, cJSON_GetObjectItem(theirs, f->string)))
			return false;
	return true;
}

/* The oracle: kubectl's own merged view of the same files. */
static void
test_merge_matches_kubectl(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf out = MG_BUF_INIT;
	cJSON *ours = NULL, *theirs = NULL, *o, *t;
	char *list = write_ab(), *cmd;
	const char *lists[] = { "clusters", "users", "contexts" };
	const char *bodies[] = { "cluster", "user", "context" };
	char line[4096];
	FILE *p;

	(void)state;
	if (system("command -v kubectl >/dev/null 2>&1") != 0) {
		print_message("skipped: no kubectl on PATH to compare with\n");
		free(list);
		skip();
	}
	setenv("KUBECONFIG", list, 1);
	cmd = mg_xasprintf("kubectl config view --raw -o json");
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		mg_buf_adds(&out, line);
	assert_int_equal(pclose(p), 0);
	assert_int_equal(mg_json_parse(&theirs, out.data, out.len, "kubectl", &err), 0);
	assert_int_equal(mg_kubeconfig_merge(&ours, NULL, &err), 0);
	assert_string_equal(mg_json_str(ours, "current-context"),
			    mg_json_str(theirs, "current-context"));
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		const cJSON *oa = cJSON_GetObjectItem(ours, lists[l]);
		const cJSON *ta = cJSON_GetObjectItem(theirs, lists[l]);

		assert_int_equal(cJSON_GetArraySize(oa), cJSON_GetArraySize(ta));
		for (int i = 0; i < cJSON_GetArraySize(oa); i++) {
			const cJSON *f;

			o = cJSON_GetArrayItem(oa, i);
			t = cJSON_GetArrayItem(ta, i);
			assert_string_equal(mg_json_str(o, "name"), mg_json_str(t, "name"));
			/* Every field we keep has kubectl's value. */
			cJSON_ArrayForEach(f, cJSON_GetObjectItem(o, bodies[l])) {
				const cJSON *tf = cJSON_GetObjectItem(
					cJSON_GetObjectItem(t, bodies[l]), f->string);

				if (!subset(f, tf))
					fail_msg("%s '%s': field '%s' differs from kubectl's",
						 lists[l], mg_json_str(o, "name"), f->string);
			}
		}
	}
	cJSON_Delete(ours);
	cJSON_Delete(theirs);
	mg_buf_release(&out);
	free(cmd);
	unsetenv("KUBECONFIG");
	free(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_first_file_wins),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_exec_config_resolved),
		cmocka_unit_test(test_kubeconfig_flag_is_exclusive_and_must_exist),
		cmocka_unit_test(test_no_configuration_at_all),
		cmocka_unit_test(test_home_config_and_data_fields),
		cmocka_unit_test(test_bad_input_is_named),
		cmocka_unit_test(test_in_cluster),
		cmocka_unit_test(test_merge_matches_kubectl),
	};

	return cmocka_run_group_tests_name("kubeconfig", tests, setup, teardown);
}
