/*
 * kinds.c - the plugin's helpers over shared/'s kind table (see kinds.h).
 * The columns come from the CRDs through deploy/gen-crds.py; the
 * integration suite plugin.sh compares `get` with kubectl's own output
 * for every kind.
 */
#include "compat.h"

#include "kinds.h"

#include "cli.h"
#include "err.h"
#include "kube.h"

/* A CRD without printer columns gets the API server's default one. */
static const struct mg_kind_column default_columns[] = {
	{ "Age", "date", ".metadata.creationTimestamp", 0 },
};

void
kind_res(const struct mg_kind_info *k, const char *ns, struct mg_kube_res *res)
{
	res->group = MG_SCHEMA_GROUP;
	res->version = MG_SCHEMA_VERSION;
	res->resource = k->plural;
	res->ns = k->namespaced ? ns : NULL;
}

void
kind_res_of(enum mg_kind kind, const char *ns, struct mg_kube_res *res)
{
	kind_res(&mg_kind_infos[kind], ns, res);
}

const struct mg_kind_column *
kind_columns(const struct mg_kind_info *k, size_t *n)
{
	if (!k->columns || !k->ncolumns) {
		*n = ARRAY_SIZE(default_columns);
		return default_columns;
	}
	*n = k->ncolumns;
	return k->columns;
}

int
kind_fail(const struct cli_ctx *ctx, const struct mg_kind_info *k,
	  const struct mg_err *err)
{
	/* A group the server does not serve: a bare "404 page not found";
	 * a resource of a served group it does not know: this Status. */
	if (err->code == MG_ENOTFOUND &&
	    (!err->reason[0] ||
	     strstr(err->msg, "could not find the requested resource")))
		return cli_errorf(ctx, "the server has no %s." MG_SCHEMA_GROUP
				  "/" MG_SCHEMA_VERSION
				  ": are the Multigres CRDs installed?",
				  k->plural);
	return cli_fail(ctx, err);
}
