/*
 * cred.h - exec credential plugins (client.authentication.k8s.io v1 and
 * v1beta1), run as kubectl runs them.
 *
 * The plugin runs without a shell (fork + execve), with the caller's
 * environment plus the kubeconfig's `env` entries and KUBERNETES_EXEC_INFO
 * given to the child only. Standard input is the terminal only when the
 * interactive mode allows it and there is a terminal; stderr is the
 * caller's (plugins prompt there). Its stdout must be an ExecCredential of
 * the same apiVersion with a token or a client certificate and key.
 */
#ifndef MG_CRED_H
#define MG_CRED_H

#include "compat.h"
#include "kubeconfig.h"

struct mg_err;

struct mg_cred {
	char *token;             /* or NULL */
	struct mg_blob cert;     /* PEM, or empty */
	struct mg_blob key;
	time_t expiry;           /* 0: does not expire */
};

/*
 * Runs kc->exec and fills *out (caller-owned; release with
 * mg_cred_release). Errors name the plugin: MG_EIO (not found, cannot
 * run, non-zero exit), MG_EAUTH (output is not a usable ExecCredential),
 * MG_EINVAL (needs a terminal and there is none).
 */
int mg_cred_exec(struct mg_cred *out, const struct mg_kubeconfig *kc,
		 struct mg_err *err);

/* Parses an ExecCredential (the plugin's stdout); exposed for tests. */
int mg_cred_parse(struct mg_cred *out, const char *json, size_t len,
		  const char *api_version, const char *plugin,
		  struct mg_err *err);

/* True when c holds something and has not expired at `now`. */
bool mg_cred_valid(const struct mg_cred *c, time_t now);

void mg_cred_release(struct mg_cred *c);

#endif /* MG_CRED_H */
