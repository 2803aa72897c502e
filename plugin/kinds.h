/*
 * kinds.h - what the plugin adds to the kind table of shared/ (model.h:
 * mg_model_kind_lookup, mg_kind_infos with names, scope and the printer
 * columns of the CRDs in deploy/crds): the REST resource of a kind, the
 * columns `get` shows, and the error for a kind the server does not serve.
 */
#ifndef PLUGIN_KINDS_H
#define PLUGIN_KINDS_H

#include "compat.h"

#include "model.h"

struct cli_ctx;
struct mg_err;
struct mg_kube_res;

/* The resource of kind k in namespace ns (NULL: all namespaces). */
void kind_res(const struct mg_kind_info *k, const char *ns,
	      struct mg_kube_res *res);

/* The resource of the kind with that enum (for fixed kinds). */
void kind_res_of(enum mg_kind kind, const char *ns, struct mg_kube_res *res);

/*
 * The columns `get` shows for k: its CRD's printer columns, or the API
 * server's default (AGE from .metadata.creationTimestamp) for a CRD
 * without any. Headers are as in the CRD ("Available"); kubectl shows
 * them upper-cased.
 */
const struct mg_kind_column *kind_columns(const struct mg_kind_info *k,
					  size_t *n);

/*
 * cli_fail() for a request about kind k, except that the API server's
 * "404 page not found" or "could not find the requested resource" (the
 * CRD is not installed) is said as such. Returns CLI_FAILED.
 */
int kind_fail(const struct cli_ctx *ctx, const struct mg_kind_info *k,
	      const struct mg_err *err);

#endif /* PLUGIN_KINDS_H */
