/*
 * kinds.h - the eight Multigres kinds as `get`, `describe` and completion
 * know them: names, short names, scope, and the printer columns of their
 * CRDs (deploy/crds), so that `kubectl multigres get` prints what
 * `kubectl get` prints.
 *
 * TODO(model): the names, short names and scope come from shared/model.h
 * (mg_model_kind_lookup) once it is merged; swap kind_lookup() and the
 * table's first five fields for it. The printer columns stay here: they
 * are presentation.
 */
#ifndef PLUGIN_KINDS_H
#define PLUGIN_KINDS_H

#include "compat.h"

struct cli_ctx;
struct mg_err;
struct mg_kube_res;

#define KIND_GROUP "multigres.com"
#define KIND_VERSION "v1alpha1"

/* A CRD additionalPrinterColumn; header already upper-cased as kubectl
 * shows it. priority > 0: only with -o wide. */
struct kind_column {
	const char *header;
	const char *type;
	const char *path;
	int priority;
};

struct kind {
	const char *kind;      /* MultigresCluster */
	const char *plural;    /* multigresclusters */
	const char *singular;  /* multigrescluster */
	const char *shortname; /* mgc */
	bool namespaced;
	const struct kind_column *columns; /* ends with a NULL header */
};

extern const struct kind kinds[];
extern const size_t nkinds;

/*
 * The kind a word names: plural, singular, short name or Kind (any
 * case), optionally qualified by the group (".multigres.com") or the
 * version and group (".v1alpha1.multigres.com"), as kubectl accepts.
 */
const struct kind *kind_lookup(const char *word);

/* The resource of kind k in namespace ns (NULL: all namespaces). */
void kind_res(const struct kind *k, const char *ns, struct mg_kube_res *res);

/*
 * cli_fail() for a request about kind k, except that the API server's
 * "404 page not found" or "could not find the requested resource" (the
 * CRD is not installed) is said as such. Returns CLI_FAILED.
 */
int kind_fail(const struct cli_ctx *ctx, const struct kind *k,
	      const struct mg_err *err);

#endif /* PLUGIN_KINDS_H */
