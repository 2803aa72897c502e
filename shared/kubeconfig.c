#include "compat.h"
#include "kubeconfig.h"

#include <errno.h>
#include <libgen.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "xalloc.h"
#include "yaml_json.h"

#define MAX_FILE (16u << 20)

/* One cluster, user or context entry, with the file that defined it. */
struct entry {
	const char *name;
	const cJSON *body; /* borrowed from a file's document */
	const char *file;
	char *dir;         /* folder of file, for relative paths */
};

struct entries {
	struct entry *v;
	size_t n, alloc;
};

struct merged {
	char *source;        /* "'a', 'b'" for messages */
	cJSON **docs;
	size_t ndocs;
	char **files;
	struct entries clusters, users, contexts;
	const char *current_context;
};

static void
merged_release(struct merged *m)
{
	size_t i;

	for (i = 0; i < m->ndocs; i++) {
		cJSON_Delete(m->docs[i]);
		free(m->files[i]);
	}
	free(m->docs);
	free(m->files);
	for (i = 0; i < m->clusters.n; i++)
		free(m->clusters.v[i].dir);
	for (i = 0; i < m->users.n; i++)
		free(m->users.v[i].dir);
	for (i = 0; i < m->contexts.n; i++)
		free(m->contexts.v[i].dir);
	free(m->clusters.v);
	free(m->users.v);
	free(m->contexts.v);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

static const struct entry *
find(const struct entries *es, const char *name)
{
	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].name, name))
			return &es->v[i];
	return NULL;
}

static char *
dir_of(const char *file)
{
	char *copy = mg_xstrdup(file), *d = mg_xstrdup(dirname(copy));

	free(copy);
	return d;
}

/* Adds the entries of one list ("clusters") of one file, first one wins. */
static int
add_entries(struct entries *es, const cJSON *doc, const char *list,
	    const char *body_key, const char *file, struct mg_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, list), *it;
	int i = 0;

	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return mg_err_set(err, MG_EPARSE,
				  "kubeconfig '%s': '%s' must be a list", file,
				  list);
	cJSON_ArrayForEach(it, arr) {
		const char *name = mg_json_str(it, "name");
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, body_key);

		if (!name || !*name)
			return mg_err_set(err, MG_EPARSE,
					  "kubeconfig '%s': %s[%d] has no name",
					  file, list, i);
		if (body && !cJSON_IsObject(body) && !cJSON_IsNull(body))
			return mg_err_set(err, MG_EPARSE,
					  "kubeconfig '%s': %s[%d] '%s': '%s' must be a mapping",
					  file, list, i, name, body_key);
		i++;
		if (find(es, name))
			continue;
		es->v = mg_xgrow(es->v, sizeof(*es->v), es->n + 1, &es->alloc);
		es->v[es->n++] = (struct entry){ name, body, file,
						 dir_of(file) };
	}
	return 0;
}

static int
load_file(struct merged *m, const char *path, bool must_exist,
	  struct mg_err *err)
{
	struct mg_buf b;
	cJSON *doc = NULL;
	int rc;

	mg_buf_init(&b, MAX_FILE);
	if (!must_exist && access(path, F_OK) != 0)
		return 0;
	rc = mg_buf_read_file(&b, path, err);
	if (rc) {
		mg_err_prefix(err, "kubeconfig");
		goto out;
	}
	{
		char *what = mg_xasprintf("kubeconfig '%s'", path);

		rc = mg_yaml_parse(&doc, b.data, b.len, what, err);
		free(what);
	}
	if (rc)
		goto out;
	if (cJSON_IsNull(doc)) {
		cJSON_Delete(doc);
		doc = cJSON_CreateObject();
	}
	if (!cJSON_IsObject(doc)) {
		rc = mg_err_set(err, MG_EPARSE,
				"kubeconfig '%s': not a mapping at the top",
				path);
		goto out;
	}
	m->docs = mg_xrealloc(m->docs, (m->ndocs + 1) * sizeof(*m->docs));
	m->files = mg_xrealloc(m->files, (m->ndocs + 1) * sizeof(*m->files));
	m->docs[m->ndocs] = doc;
	m->files[m->ndocs] = mg_xstrdup(path);
	path = m->files[m->ndocs++];
	doc = NULL;
	{
		const cJSON *d = m->docs[m->ndocs - 1];
		const char *cur = mg_json_str(d, "current-context");

		if ((rc = add_entries(&m->clusters, d, "clusters", "cluster",
				      path, err)) ||
		    (rc = add_entries(&m->users, d, "users", "user", path,
				      err)) ||
		    (rc = add_entries(&m->contexts, d, "contexts", "context",
				      path, err)))
			goto out;
		if (!m->current_context && cur && *cur)
			m->current_context = cur;
	}
out:
	cJSON_Delete(doc);
	mg_buf_release(&b);
	return rc;
}

/*
 * Reads the files the options and the environment name. Finding no file at
 * all is not an error here: *found says whether any was read.
 */
static int
merge_files(struct merged *m, const struct mg_kubeconfig_opts *opts,
	    bool *found, struct mg_err *err)
{
	struct mg_buf src = MG_BUF_INIT;
	const char *env = getenv("KUBECONFIG");
	int rc = 0;

	memset(m, 0, sizeof(*m));
	*found = false;
	if (opts && opts->kubeconfig) {
		rc = load_file(m, opts->kubeconfig, true, err);
	} else if (env && *env) {
		char *list = mg_xstrdup(env), *p = list, *colon;

		do {
			colon = strchr(p, ':');
			if (colon)
				*colon = '\0';
			if (*p)
				rc = load_file(m, p, false, err);
			p = colon + 1;
		} while (!rc && colon);
		free(list);
	} else {
		const char *home = getenv("HOME");

		if (home && *home) {
			char *path = mg_xasprintf("%s/.kube/config", home);

			rc = load_file(m, path, false, err);
			free(path);
		}
	}
	for (size_t i = 0; i < m->ndocs; i++)
		mg_buf_addf(&src, "%s'%s'", i ? ", " : "", m->files[i]);
	m->source = mg_buf_detach(&src, NULL);
	*found = m->ndocs > 0;
	return rc;
}

/* --- fields ------------------------------------------------------------ */

struct place {
	const char *file;
	const char *kind; /* "cluster", "user" */
	const char *name;
};

static int
field_err(const struct place *pl, struct mg_err *err, int code,
	  const char *field, const char *what)
{
	return mg_err_set(err, code, "kubeconfig '%s': %s '%s': '%s' %s",
			  pl->file, pl->kind, pl->name, field, what);
}

static int
get_str(char **out, const cJSON *body, const char *field,
	const struct place *pl, struct mg_err *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, field);

	*out = NULL;
	if (!it || cJSON_IsNull(it))
		return 0;
	if (!cJSON_IsString(it))
		return field_err(pl, err, MG_EINVAL, field, "must be a string");
	if (*it->valuestring)
		*out = mg_xstrdup(it->valuestring);
	return 0;
}

static int
get_bool(bool *out, const cJSON *body, const char *field,
	 const struct place *pl, struct mg_err *err)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, field);

	*out = false;
	if (!it || cJSON_IsNull(it))
		return 0;
	if (!cJSON_IsBool(it))
		return field_err(pl, err, MG_EINVAL, field, "must be true or false");
	*out = cJSON_IsTrue(it);
	return 0;
}

/* A path as written in a file: absolute, or relative to the file's folder. */
static char *
resolve_path(const char *dir, const char *p)
{
	if (p[0] == '/' || p[0] == '\0')
		return mg_xstrdup(p);
	if (p[0] == '~' && p[1] == '/' && getenv("HOME"))
		return mg_xasprintf("%s/%s", getenv("HOME"), p + 2);
	return mg_xasprintf("%s/%s", dir, p);
}

static void
blob_release(struct mg_blob *b)
{
	if (b->data)
		explicit_bzero(b->data, b->len);
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* PEM from `<field>-data` (base64) or else from the file `<field>`. */
static int
get_pem(struct mg_blob *out, const cJSON *body, const char *field,
	const char *dir, const struct place *pl, struct mg_err *err)
{
	char data_field[64];
	char *data = NULL, *path = NULL, *abs = NULL;
	struct mg_buf b;
	int rc;

	mg_buf_init(&b, MAX_FILE);
	snprintf(data_field, sizeof(data_field), "%s-data", field);
	if ((rc = get_str(&data, body, data_field, pl, err)) ||
	    (rc = get_str(&path, body, field, pl, err)))
		goto out;
	if (data) {
		if (mg_base64_decode(&b, data, strlen(data))) {
			rc = field_err(pl, err, MG_EINVAL, data_field,
				       "is not valid base64");
			goto out;
		}
	} else if (path) {
		abs = resolve_path(dir, path);
		rc = mg_buf_read_file(&b, abs, err);
		if (rc) {
			mg_err_prefix(err, "kubeconfig '%s': %s '%s': %s",
				      pl->file, pl->kind, pl->name, field);
			goto out;
		}
	}
	if (b.len) {
		out->len = b.len;
		out->data = (unsigned char *)mg_buf_detach(&b, NULL);
	}
out:
	mg_free_secret(data);
	free(path);
	free(abs);
	mg_buf_release_secret(&b);
	return rc;
}

static void
asn1_time_str(const ASN1_TIME *t, char *out, size_t n)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(out, n, "an unreadable date");
}

/* Every certificate in the PEM must parse and be within its validity. */
static int
check_certs(const struct mg_blob *pem, const char *field,
	    const struct place *pl, struct mg_err *err)
{
	BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
	X509 *x;
	int n = 0, rc = 0;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		char when[64];

		n++;
		if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
			asn1_time_str(X509_get0_notAfter(x), when, sizeof(when));
			rc = mg_err_set(err, MG_EINVAL,
					"kubeconfig '%s': %s '%s': %s: certificate expired at %s",
					pl->file, pl->kind, pl->name, field, when);
		} else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
			asn1_time_str(X509_get0_notBefore(x), when, sizeof(when));
			rc = mg_err_set(err, MG_EINVAL,
					"kubeconfig '%s': %s '%s': %s: certificate is not valid before %s",
					pl->file, pl->kind, pl->name, field, when);
		}
		X509_free(x);
		if (rc)
			break;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (!rc && n == 0)
		rc = mg_err_set(err, MG_EINVAL,
				"kubeconfig '%s': %s '%s': %s: no PEM certificate found",
				pl->file, pl->kind, pl->name, field);
	return rc;
}

static int
check_key(const struct mg_blob *pem, const struct place *pl,
	  struct mg_err *err)
{
	BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	int rc = 0;

	if (!k)
		rc = mg_err_set(err, MG_EINVAL,
				"kubeconfig '%s': %s '%s': client-key: no PEM private key found",
				pl->file, pl->kind, pl->name);
	EVP_PKEY_free(k);
	ERR_clear_error();
	BIO_free(bio);
	return rc;
}

/* --- exec ------------------------------------------------------------ */

void
mg_exec_config_free(struct mg_exec_config *ex)
{
	char **p;

	if (!ex)
		return;
	free(ex->api_version);
	free(ex->command);
	for (p = ex->args; p && *p; p++)
		free(*p);
	free(ex->args);
	for (p = ex->env; p && *p; p++)
		mg_free_secret(*p);
	free(ex->env);
	free(ex->install_hint);
	cJSON_Delete(ex->cluster_config);
	free(ex);
}

static int
parse_exec(struct mg_exec_config **out, const cJSON *body, const char *dir,
	   const struct place *pl, struct mg_err *err)
{
	struct mg_exec_config *ex = mg_xcalloc(1, sizeof(*ex));
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(body, "args");
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(body, "env");
	const cJSON *it;
	char *cmd = NULL, *mode = NULL;
	size_t n = 0;
	int rc;

	if ((rc = get_str(&ex->api_version, body, "apiVersion", pl, err)) ||
	    (rc = get_str(&cmd, body, "command", pl, err)) ||
	    (rc = get_str(&mode, body, "interactiveMode", pl, err)) ||
	    (rc = get_str(&ex->install_hint, body, "installHint", pl, err)) ||
	    (rc = get_bool(&ex->provide_cluster_info, body,
			   "provideClusterInfo", pl, err)))
		goto out;
	if (!cmd) {
		rc = field_err(pl, err, MG_EINVAL, "exec.command", "is required");
		goto out;
	}
	if (!ex->api_version ||
	    (strcmp(ex->api_version, "client.authentication.k8s.io/v1") &&
	     strcmp(ex->api_version, "client.authentication.k8s.io/v1beta1"))) {
		rc = field_err(pl, err, MG_EINVAL, "exec.apiVersion",
			       "must be client.authentication.k8s.io/v1 or v1beta1");
		goto out;
	}
	/* A command with a slash is a path, relative to the file's folder;
	 * a bare name is looked up on PATH when it runs. */
	ex->command = strchr(cmd, '/') ? resolve_path(dir, cmd) : mg_xstrdup(cmd);
	if (!mode) {
		if (!strcmp(ex->api_version, "client.authentication.k8s.io/v1")) {
			rc = field_err(pl, err, MG_EINVAL, "exec.interactiveMode",
				       "is required for client.authentication.k8s.io/v1");
			goto out;
		}
		ex->interactive = MG_EXEC_IF_AVAILABLE;
	} else if (!strcmp(mode, "Never")) {
		ex->interactive = MG_EXEC_NEVER;
	} else if (!strcmp(mode, "IfAvailable")) {
		ex->interactive = MG_EXEC_IF_AVAILABLE;
	} else if (!strcmp(mode, "Always")) {
		ex->interactive = MG_EXEC_ALWAYS;
	} else {
		rc = field_err(pl, err, MG_EINVAL, "exec.interactiveMode",
			       "must be Never, IfAvailable or Always");
		goto out;
	}
	if (args && !cJSON_IsNull(args) && !cJSON_IsArray(args)) {
		rc = field_err(pl, err, MG_EINVAL, "exec.args", "must be a list");
		goto out;
	}
	ex->args = mg_xcalloc((size_t)cJSON_GetArraySize(args) + 1,
			      sizeof(*ex->args));
	n = 0;
	cJSON_ArrayForEach(it, args) {
		if (!cJSON_IsString(it)) {
			rc = field_err(pl, err, MG_EINVAL, "exec.args",
				       "must be a list of strings");
			goto out;
		}
		ex->args[n++] = mg_xstrdup(it->valuestring);
	}
	if (env && !cJSON_IsNull(env) && !cJSON_IsArray(env)) {
		rc = field_err(pl, err, MG_EINVAL, "exec.env", "must be a list");
		goto out;
	}
	ex->env = mg_xcalloc((size_t)cJSON_GetArraySize(env) + 1,
			     sizeof(*ex->env));
	n = 0;
	cJSON_ArrayForEach(it, env) {
		const char *k = mg_json_str(it, "name"), *v = mg_json_str(it, "value");

		if (!k || !*k || !v || strchr(k, '=')) {
			rc = field_err(pl, err, MG_EINVAL, "exec.env",
				       "entries need a name and a value");
			goto out;
		}
		ex->env[n++] = mg_xasprintf("%s=%s", k, v);
	}
	*out = ex;
	ex = NULL;
out:
	free(cmd);
	free(mode);
	mg_exec_config_free(ex);
	return rc;
}

/* --- resolution ---------------------------------------------------------- */

static int
resolve_cluster(struct mg_kubeconfig *kc, const struct entry *e,
		struct mg_err *err)
{
	const struct place pl = { e->file, "cluster", e->name };
	const cJSON *ext, *it;
	int rc;

	if ((rc = get_str(&kc->server, e->body, "server", &pl, err)) ||
	    (rc = get_bool(&kc->insecure, e->body, "insecure-skip-tls-verify",
			   &pl, err)) ||
	    (rc = get_str(&kc->tls_server_name, e->body, "tls-server-name",
			  &pl, err)) ||
	    (rc = get_str(&kc->proxy_url, e->body, "proxy-url", &pl, err)) ||
	    (rc = get_bool(&kc->disable_compression, e->body,
			   "disable-compression", &pl, err)) ||
	    (rc = get_pem(&kc->ca, e->body, "certificate-authority", e->dir,
			  &pl, err)))
		return rc;
	if (!kc->server)
		return field_err(&pl, err, MG_EINVAL, "server", "is required");
	if (kc->ca.len && kc->insecure)
		return mg_err_set(err, MG_EINVAL,
				  "kubeconfig '%s': cluster '%s': certificate-authority and insecure-skip-tls-verify exclude each other",
				  e->file, e->name);
	if (kc->ca.len &&
	    (rc = check_certs(&kc->ca, "certificate-authority", &pl, err)))
		return rc;
	/* The data exec plugins may ask for (provideClusterInfo). */
	ext = cJSON_GetObjectItemCaseSensitive(e->body, "extensions");
	cJSON_ArrayForEach(it, ext) {
		const char *name = mg_json_str(it, "name");

		if (name && !strcmp(name, "client.authentication.k8s.io/exec")) {
			const cJSON *x = cJSON_GetObjectItemCaseSensitive(it, "extension");

			if (x && kc->exec)
				kc->exec->cluster_config = cJSON_Duplicate(x, true);
		}
	}
	return 0;
}

static int
resolve_user(struct mg_kubeconfig *kc, const struct entry *e,
	     struct mg_err *err)
{
	const struct place pl = { e->file, "user", e->name };
	const cJSON *exec = cJSON_GetObjectItemCaseSensitive(e->body, "exec");
	char *token_file = NULL;
	int rc;

	if ((rc = get_str(&kc->token, e->body, "token", &pl, err)) ||
	    (rc = get_str(&token_file, e->body, "tokenFile", &pl, err)) ||
	    (rc = get_str(&kc->username, e->body, "username", &pl, err)) ||
	    (rc = get_str(&kc->password, e->body, "password", &pl, err)) ||
	    (rc = get_pem(&kc->client_cert, e->body, "client-certificate",
			  e->dir, &pl, err)) ||
	    (rc = get_pem(&kc->client_key, e->body, "client-key", e->dir, &pl,
			  err)))
		goto out;
	if (token_file && !kc->token)
		kc->token_file = resolve_path(e->dir, token_file);
	if ((kc->token || kc->token_file) && (kc->username || kc->password)) {
		rc = mg_err_set(err, MG_EINVAL,
				"kubeconfig '%s': user '%s': more than one authentication method (token and username/password); only one is allowed",
				e->file, e->name);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(e->body, "auth-provider") && exec) {
		rc = mg_err_set(err, MG_EINVAL,
				"kubeconfig '%s': user '%s': exec and auth-provider exclude each other",
				e->file, e->name);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(e->body, "auth-provider")) {
		rc = mg_err_set(err, MG_EINVAL,
				"kubeconfig '%s': user '%s': auth-provider plugins are no longer supported; use an exec credential plugin",
				e->file, e->name);
		goto out;
	}
	if (kc->client_cert.len && !kc->client_key.len) {
		rc = field_err(&pl, err, MG_EINVAL, "client-key",
			       "is required with client-certificate");
		goto out;
	}
	if (kc->client_key.len && !kc->client_cert.len) {
		rc = field_err(&pl, err, MG_EINVAL, "client-certificate",
			       "is required with client-key");
		goto out;
	}
	if (kc->client_cert.len &&
	    ((rc = check_certs(&kc->client_cert, "client-certificate", &pl, err)) ||
	     (rc = check_key(&kc->client_key, &pl, err))))
		goto out;
	if (exec && !cJSON_IsNull(exec)) {
		if (!cJSON_IsObject(exec)) {
			rc = field_err(&pl, err, MG_EINVAL, "exec", "must be a mapping");
			goto out;
		}
		rc = parse_exec(&kc->exec, exec, e->dir, &pl, err);
	}
out:
	free(token_file);
	return rc;
}

static char *
read_small_file(const char *path)
{
	struct mg_buf b;

	mg_buf_init(&b, 1 << 20);
	if (mg_buf_read_file(&b, path, NULL)) {
		mg_buf_release(&b);
		return NULL;
	}
	mg_buf_rtrim(&b);
	return mg_buf_detach(&b, NULL);
}

static int
load_in_cluster(struct mg_kubeconfig *kc, const struct mg_kubeconfig_opts *opts,
		struct mg_err *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = opts && opts->sa_dir ? opts->sa_dir : MG_SA_DIR;
	char *path = NULL;
	struct mg_buf ca;
	int rc = 0;

	mg_buf_init(&ca, MAX_FILE);
	kc->in_cluster = true;
	kc->source = mg_xstrdup("in-cluster");
	kc->context = mg_xstrdup("");
	kc->server = strchr(host, ':') ? mg_xasprintf("https://[%s]:%s", host, port)
				       : mg_xasprintf("https://%s:%s", host, port);
	kc->token_file = mg_xasprintf("%s/token", dir);
	if (access(kc->token_file, R_OK) != 0) {
		rc = mg_err_set(err, MG_EIO,
				"in-cluster configuration: cannot read '%s': %s",
				kc->token_file, strerror(errno));
		goto out;
	}
	path = mg_xasprintf("%s/ca.crt", dir);
	if (mg_buf_read_file(&ca, path, NULL) == 0 && ca.len) {
		kc->ca.len = ca.len;
		kc->ca.data = (unsigned char *)mg_buf_detach(&ca, NULL);
	}
	free(path);
	path = mg_xasprintf("%s/namespace", dir);
	if (!kc->ns)
		kc->ns = read_small_file(path);
out:
	free(path);
	mg_buf_release(&ca);
	return rc;
}

static char *
context_names(const struct merged *m)
{
	struct mg_buf b = MG_BUF_INIT;

	for (size_t i = 0; i < m->contexts.n && i < 10; i++)
		mg_buf_addf(&b, "%s%s", i ? ", " : "", m->contexts.v[i].name);
	if (m->contexts.n > 10)
		mg_buf_adds(&b, ", ...");
	if (!m->contexts.n)
		mg_buf_adds(&b, "none");
	return mg_buf_detach(&b, NULL);
}

int
mg_kubeconfig_load(struct mg_kubeconfig **out,
		   const struct mg_kubeconfig_opts *opts, struct mg_err *err)
{
	struct mg_kubeconfig *kc = mg_xcalloc(1, sizeof(*kc));
	struct merged m;
	const struct entry *ctx = NULL, *cl, *us = NULL;
	const char *ctx_name, *cl_name = NULL, *us_name = NULL;
	bool found;
	int rc;

	*out = NULL;
	rc = merge_files(&m, opts, &found, err);
	if (rc)
		goto out;
	if (opts && opts->ns && *opts->ns) {
		kc->ns = mg_xstrdup(opts->ns);
		kc->ns_explicit = true;
	}
	if (!found || (!m.contexts.n && !m.clusters.n)) {
		if (getenv("KUBERNETES_SERVICE_HOST") && getenv("KUBERNETES_SERVICE_PORT") &&
		    !(opts && (opts->context || opts->cluster))) {
			rc = load_in_cluster(kc, opts, err);
			goto finish;
		}
		rc = mg_err_set(err, MG_ENOTFOUND, found ?
				"kubeconfig %s: no clusters or contexts defined" :
				"no configuration: use --kubeconfig, set KUBECONFIG, or create ~/.kube/config%s",
				found ? m.source : "");
		goto out;
	}
	kc->source = mg_xstrdup(m.source);
	ctx_name = opts && opts->context ? opts->context : m.current_context;
	if (ctx_name && *ctx_name) {
		ctx = find(&m.contexts, ctx_name);
		if (!ctx) {
			char *names = context_names(&m);

			rc = mg_err_set(err, MG_ENOTFOUND,
					"kubeconfig %s: context '%s' not found (contexts: %s)",
					m.source, ctx_name, names);
			free(names);
			goto out;
		}
		cl_name = mg_json_str(ctx->body, "cluster");
		us_name = mg_json_str(ctx->body, "user");
		if (!kc->ns && mg_json_str(ctx->body, "namespace") &&
		    *mg_json_str(ctx->body, "namespace")) {
			kc->ns = mg_xstrdup(mg_json_str(ctx->body, "namespace"));
			kc->ns_explicit = true;
		}
	}
	kc->context = mg_xstrdup(ctx ? ctx->name : "");
	if (opts && opts->cluster)
		cl_name = opts->cluster;
	if (opts && opts->user)
		us_name = opts->user;
	if (!cl_name || !*cl_name) {
		char *names = context_names(&m);

		rc = mg_err_set(err, MG_ENOTFOUND, ctx ?
				"kubeconfig %s: context '%s' names no cluster" :
				"kubeconfig %s: no current context; use --context (contexts: %s)",
				m.source, ctx ? ctx->name : names);
		free(names);
		goto out;
	}
	cl = find(&m.clusters, cl_name);
	if (!cl) {
		rc = mg_err_set(err, MG_ENOTFOUND,
				"kubeconfig %s: cluster '%s' not found%s%s%s",
				m.source, cl_name, ctx ? " (named by context '" : "",
				ctx ? ctx->name : "", ctx ? "')" : "");
		goto out;
	}
	if (us_name && *us_name) {
		us = find(&m.users, us_name);
		if (!us) {
			rc = mg_err_set(err, MG_ENOTFOUND,
					"kubeconfig %s: user '%s' not found%s%s%s",
					m.source, us_name,
					ctx ? " (named by context '" : "",
					ctx ? ctx->name : "", ctx ? "')" : "");
			goto out;
		}
	}
	kc->cluster_name = mg_xstrdup(cl->name);
	kc->user_name = mg_xstrdup(us ? us->name : "");
	if (us && (rc = resolve_user(kc, us, err)))
		goto out;
	if ((rc = resolve_cluster(kc, cl, err)))
		goto out;
finish:
	if (rc)
		goto out;
	if (!kc->ns)
		kc->ns = mg_xstrdup("default");
	*out = kc;
	kc = NULL;
out:
	merged_release(&m);
	mg_kubeconfig_free(kc);
	return rc;
}

void
mg_kubeconfig_free(struct mg_kubeconfig *kc)
{
	if (!kc)
		return;
	free(kc->source);
	free(kc->context);
	free(kc->cluster_name);
	free(kc->user_name);
	free(kc->ns);
	free(kc->server);
	blob_release(&kc->ca);
	free(kc->tls_server_name);
	free(kc->proxy_url);
	blob_release(&kc->client_cert);
	blob_release(&kc->client_key);
	mg_free_secret(kc->token);
	free(kc->token_file);
	free(kc->username);
	mg_free_secret(kc->password);
	mg_exec_config_free(kc->exec);
	free(kc);
}

/* --- merged view ----------------------------------------------------------- */

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

static cJSON *
entries_json(struct entries *es, const char *body_key)
{
	cJSON *arr = cJSON_CreateArray();

	qsort(es->v, es->n, sizeof(*es->v), cmp_entry);
	for (size_t i = 0; i < es->n; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", es->v[i].name);
		cJSON_AddItemToObject(e, body_key,
				      es->v[i].body ? cJSON_Duplicate(es->v[i].body, true)
						    : cJSON_CreateObject());
		cJSON_AddItemToArray(arr, e);
	}
	return arr;
}

int
mg_kubeconfig_merge(cJSON **out, const struct mg_kubeconfig_opts *opts,
		    struct mg_err *err)
{
	struct merged m;
	cJSON *doc;
	bool found;
	int rc;

	*out = NULL;
	rc = merge_files(&m, opts, &found, err);
	if (rc)
		goto out;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "kind", "Config");
	cJSON_AddStringToObject(doc, "apiVersion", "v1");
	cJSON_AddItemToObject(doc, "clusters", entries_json(&m.clusters, "cluster"));
	cJSON_AddItemToObject(doc, "users", entries_json(&m.users, "user"));
	cJSON_AddItemToObject(doc, "contexts", entries_json(&m.contexts, "context"));
	cJSON_AddStringToObject(doc, "current-context",
				m.current_context ? m.current_context : "");
	*out = doc;
out:
	merged_release(&m);
	return rc;
}
