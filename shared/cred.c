#include "compat.h"
#include "cred.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "timeutil.h"
#include "xalloc.h"

extern char **environ;

#define MAX_OUTPUT (1u << 20)

void
mg_cred_release(struct mg_cred *c)
{
	if (!c)
		return;
	mg_free_secret(c->token);
	if (c->cert.data)
		explicit_bzero(c->cert.data, c->cert.len);
	if (c->key.data)
		explicit_bzero(c->key.data, c->key.len);
	free(c->cert.data);
	free(c->key.data);
	memset(c, 0, sizeof(*c));
}

bool
mg_cred_valid(const struct mg_cred *c, time_t now)
{
	if (!c->token && !c->cert.len)
		return false;
	return !c->expiry || now < c->expiry;
}

static void
take_str(struct mg_blob *b, const char *s)
{
	b->len = strlen(s);
	b->data = (unsigned char *)mg_xstrdup(s);
}

int
mg_cred_parse(struct mg_cred *out, const char *json, size_t len,
	      const char *api_version, const char *plugin, struct mg_err *err)
{
	cJSON *doc = NULL;
	const char *av, *kind, *tok, *cert, *key, *exp;
	char *what = mg_xasprintf("exec plugin '%s': output", plugin);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = mg_json_parse(&doc, json, len, what, err);
	if (rc) {
		rc = mg_err_set(err, MG_EAUTH,
				"exec plugin '%s': output is not an ExecCredential (not JSON)",
				plugin);
		goto out;
	}
	av = mg_json_str(doc, "apiVersion");
	kind = mg_json_str(doc, "kind");
	if (!kind || strcmp(kind, "ExecCredential")) {
		rc = mg_err_set(err, MG_EAUTH,
				"exec plugin '%s': output kind is '%s', want ExecCredential",
				plugin, kind ? kind : "");
		goto out;
	}
	if (!av || strcmp(av, api_version)) {
		rc = mg_err_set(err, MG_EAUTH,
				"exec plugin '%s': output apiVersion '%s' differs from the requested '%s'",
				plugin, av ? av : "", api_version);
		goto out;
	}
	tok = mg_json_str(doc, "status.token");
	cert = mg_json_str(doc, "status.clientCertificateData");
	key = mg_json_str(doc, "status.clientKeyData");
	exp = mg_json_str(doc, "status.expirationTimestamp");
	if (tok && !*tok)
		tok = NULL;
	if (!tok && !(cert && key)) {
		rc = mg_err_set(err, MG_EAUTH,
				"exec plugin '%s': output has neither status.token nor status.clientCertificateData and clientKeyData",
				plugin);
		goto out;
	}
	if ((cert && !key) || (key && !cert)) {
		rc = mg_err_set(err, MG_EAUTH,
				"exec plugin '%s': clientCertificateData and clientKeyData go together",
				plugin);
		goto out;
	}
	if (exp && mg_time_parse(exp, &out->expiry)) {
		rc = mg_err_set(err, MG_EAUTH,
				"exec plugin '%s': expirationTimestamp '%s' is not an RFC 3339 time",
				plugin, exp);
		goto out;
	}
	if (tok)
		out->token = mg_xstrdup(tok);
	if (cert) {
		take_str(&out->cert, cert);
		take_str(&out->key, key);
	}
out:
	if (rc)
		mg_cred_release(out);
	if (doc) {
		/* The token is in the tree: wipe it before freeing. */
		cJSON *st = cJSON_GetObjectItem(doc, "status"), *it;

		cJSON_ArrayForEach(it, st)
			if (cJSON_IsString(it))
				explicit_bzero(it->valuestring, strlen(it->valuestring));
		cJSON_Delete(doc);
	}
	free(what);
	return rc;
}

/* The ExecCredential the plugin gets in KUBERNETES_EXEC_INFO. */
static char *
exec_info(const struct mg_kubeconfig *kc, bool interactive)
{
	const struct mg_exec_config *ex = kc->exec;
	cJSON *doc = cJSON_CreateObject(), *spec;
	struct mg_buf b = MG_BUF_INIT;

	cJSON_AddStringToObject(doc, "apiVersion", ex->api_version);
	cJSON_AddStringToObject(doc, "kind", "ExecCredential");
	spec = cJSON_AddObjectToObject(doc, "spec");
	cJSON_AddBoolToObject(spec, "interactive", interactive);
	if (ex->provide_cluster_info) {
		cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");

		cJSON_AddStringToObject(cl, "server", kc->server);
		if (kc->tls_server_name)
			cJSON_AddStringToObject(cl, "tls-server-name", kc->tls_server_name);
		if (kc->insecure)
			cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", true);
		if (kc->ca.len) {
			struct mg_buf ca = MG_BUF_INIT;

			mg_base64_encode(&ca, kc->ca.data, kc->ca.len);
			cJSON_AddStringToObject(cl, "certificate-authority-data", ca.data);
			mg_buf_release(&ca);
		}
		if (kc->proxy_url)
			cJSON_AddStringToObject(cl, "proxy-url", kc->proxy_url);
		if (kc->disable_compression)
			cJSON_AddBoolToObject(cl, "disable-compression", true);
		if (ex->cluster_config)
			cJSON_AddItemToObject(cl, "config",
					      cJSON_Duplicate(ex->cluster_config, true));
	}
	mg_json_print(&b, doc, false);
	cJSON_Delete(doc);
	return mg_buf_detach(&b, NULL);
}

/* Looks a bare command up on PATH, as execvp would. */
static char *
find_on_path(const char *cmd)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0 ? mg_xstrdup(cmd) : NULL;
	copy = mg_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p = mg_xasprintf("%s/%s", *dir ? dir : ".", cmd);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
			found = p;
			break;
		}
		free(p);
	}
	free(copy);
	return found;
}

/* environ, minus names the plugin config sets, plus those, plus the info. */
static char **
child_env(const struct mg_exec_config *ex, char *info)
{
	size_t n = 0, k = 0, i;
	char **env, **e;

	for (e = environ; *e; e++)
		n++;
	for (e = ex->env; e && *e; e++)
		n++;
	env = mg_xcalloc(n + 2, sizeof(*env));
	for (e = environ; *e; e++) {
		size_t len = strcspn(*e, "=");
		bool overridden = !strncmp(*e, "KUBERNETES_EXEC_INFO=", 21);

		for (char **x = ex->env; x && *x && !overridden; x++)
			overridden = !strncmp(*e, *x, len) && (*x)[len] == '=';
		if (!overridden)
			env[k++] = *e;
	}
	for (i = 0; ex->env && ex->env[i]; i++)
		env[k++] = ex->env[i];
	env[k++] = info;
	env[k] = NULL;
	return env;
}

int
mg_cred_exec(struct mg_cred *out, const struct mg_kubeconfig *kc,
	     struct mg_err *err)
{
	const struct mg_exec_config *ex = kc->exec;
	struct mg_buf output;
	char *path = NULL, *info_json = NULL, *info = NULL, **env = NULL,
	     **argv = NULL;
	bool interactive;
	int pipefd[2] = { -1, -1 }, status, rc = 0;
	size_t nargs = 0, i;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	mg_buf_init(&output, MAX_OUTPUT);
	interactive = ex->interactive != MG_EXEC_NEVER && isatty(STDIN_FILENO);
	if (ex->interactive == MG_EXEC_ALWAYS && !interactive) {
		rc = mg_err_set(err, MG_EINVAL,
				"exec plugin '%s' needs a terminal (interactiveMode: Always) and stdin is not one",
				ex->command);
		goto out;
	}
	path = find_on_path(ex->command);
	if (!path) {
		rc = mg_err_set(err, MG_EIO, "exec plugin '%s' not found%s%s%s",
				ex->command, strchr(ex->command, '/') ? "" : " on PATH",
				ex->install_hint ? ": " : "",
				ex->install_hint ? ex->install_hint : "");
		goto out;
	}
	info_json = exec_info(kc, interactive);
	info = mg_xasprintf("KUBERNETES_EXEC_INFO=%s", info_json);
	env = child_env(ex, info);
	while (ex->args && ex->args[nargs])
		nargs++;
	argv = mg_xcalloc(nargs + 2, sizeof(*argv));
	argv[0] = path;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = ex->args[i];
	if (pipe(pipefd)) {
		rc = mg_err_set(err, MG_EIO, "exec plugin '%s': pipe: %s",
				ex->command, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = mg_err_set(err, MG_EIO, "exec plugin '%s': fork: %s",
				ex->command, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		if (!interactive) {
			int devnull = open("/dev/null", O_RDONLY);

			if (devnull >= 0) {
				dup2(devnull, STDIN_FILENO);
				close(devnull);
			}
		}
		signal(SIGPIPE, SIG_DFL);
		execve(path, argv, env);
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		char chunk[4096];
		ssize_t n = read(pipefd[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (mg_buf_add(&output, chunk, (size_t)n)) {
			kill(pid, SIGKILL);
			break;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (output.len >= MAX_OUTPUT) {
		rc = mg_err_set(err, MG_EAUTH, "exec plugin '%s': output larger than %u bytes",
				ex->command, MAX_OUTPUT);
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !output.len) {
		rc = mg_err_set(err, MG_EIO, "exec plugin '%s' could not be run",
				ex->command);
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = mg_err_set(err, MG_EIO, "exec plugin '%s' %s %d", ex->command,
				WIFEXITED(status) ? "exited with status" : "was killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	rc = mg_cred_parse(out, output.data, output.len, ex->api_version,
			   ex->command, err);
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	mg_buf_release_secret(&output);
	free(path);
	free(info_json);
	free(info);
	free(env);
	free(argv);
	return rc;
}
