/*
 * kubeconfig.h - where to connect and as whom, resolved as kubectl does.
 *
 * Sources, in order: --kubeconfig (that file only; it must exist), else the
 * KUBECONFIG list (':'-separated, missing files skipped, merged: the first
 * file to name a cluster, user or context wins the whole entry, and
 * current-context comes from the first file that sets one), else
 * ~/.kube/config, else the in-cluster service account
 * (KUBERNETES_SERVICE_HOST/_PORT and the files in its folder).
 *
 * Then --context, --cluster, --user and -n override the context's choices;
 * the namespace falls back to the context's, then (in-cluster) the service
 * account's, then "default". Relative paths in a file resolve against that
 * file's folder. Certificate and key files are read at load time, so every
 * credential is in memory from then on (nothing secret is written to disk);
 * only token files are re-read by the client when they change.
 *
 * Errors name the file and the field: "kubeconfig '/h/.kube/config':
 * context 'prod' not found".
 */
#ifndef MG_KUBECONFIG_H
#define MG_KUBECONFIG_H

#include <cJSON.h>

#include "compat.h"

struct mg_err;

#define MG_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct mg_kubeconfig_opts {
	const char *kubeconfig; /* --kubeconfig */
	const char *context;    /* --context */
	const char *cluster;    /* --cluster */
	const char *user;       /* --user */
	const char *ns;         /* -n/--namespace */
	const char *sa_dir;     /* in-cluster folder; NULL: MG_SA_DIR */
};

enum mg_exec_interactive {
	MG_EXEC_NEVER,
	MG_EXEC_IF_AVAILABLE,
	MG_EXEC_ALWAYS,
};

struct mg_exec_config {
	char *api_version;   /* client.authentication.k8s.io/v1 or v1beta1 */
	char *command;       /* absolute, or a bare name looked up on PATH */
	char **args;         /* NULL-terminated */
	char **env;          /* NULL-terminated "NAME=value" */
	enum mg_exec_interactive interactive;
	bool provide_cluster_info;
	char *install_hint;
	cJSON *cluster_config; /* the cluster's exec extension, or NULL */
};

/* Bytes held in memory; wiped when freed. */
struct mg_blob {
	unsigned char *data;
	size_t len;
};

struct mg_kubeconfig {
	char *source;        /* the files, or "in-cluster": for messages */
	char *context;       /* "" when none was used */
	char *cluster_name;
	char *user_name;
	char *ns;
	bool ns_explicit;    /* -n given, or set by the context */
	bool in_cluster;

	char *server;
	struct mg_blob ca;   /* PEM; len 0: the system's trust store */
	bool insecure;       /* insecure-skip-tls-verify */
	char *tls_server_name;
	char *proxy_url;
	bool disable_compression;

	struct mg_blob client_cert; /* PEM; len 0: none */
	struct mg_blob client_key;
	char *token;         /* static token, or NULL */
	char *token_file;    /* re-read when it changes; NULL: none */
	char *username, *password;
	struct mg_exec_config *exec;
};

/*
 * Loads and resolves the configuration. *out is owned by the caller
 * (mg_kubeconfig_free). Errors: MG_ENOTFOUND (no configuration, or a named
 * context, cluster or user missing), MG_EPARSE (a file is not a kubeconfig),
 * MG_EIO (a referenced file cannot be read), MG_EINVAL (conflicting or
 * malformed fields, an expired certificate).
 */
int mg_kubeconfig_load(struct mg_kubeconfig **out,
		       const struct mg_kubeconfig_opts *opts,
		       struct mg_err *err);
void mg_kubeconfig_free(struct mg_kubeconfig *kc);

/*
 * The merged view of the files (not in-cluster), shaped as `kubectl config
 * view --raw -o json` prints it: clusters, users and contexts sorted by
 * name, paths as written. For completion of context names and for tests.
 */
int mg_kubeconfig_merge(cJSON **out, const struct mg_kubeconfig_opts *opts,
			struct mg_err *err);

void mg_exec_config_free(struct mg_exec_config *ex);

#endif /* MG_KUBECONFIG_H */
