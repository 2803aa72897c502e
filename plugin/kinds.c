/*
 * kinds.c - the Multigres kinds and their printer columns (see kinds.h).
 * The columns copy the CRDs in deploy/crds; the integration suite plugin.sh
 * compares `get` with kubectl's own output for every kind, so a column
 * that drifts from its CRD fails there.
 */
#include "compat.h"

#include "kinds.h"

#include <strings.h>

#include "cli.h"
#include "err.h"
#include "kube.h"

#define AVAILABLE ".status.conditions[?(@.type=='Available')].status"

static const struct kind_column cluster_columns[] = {
	{ "AVAILABLE", "string", AVAILABLE, 0 },
	{ "AGE", "date", ".metadata.creationTimestamp", 0 },
	{ "PHASE", "string", ".status.phase", 0 },
	{ "IMAGES", "string", ".status.images.appliedRevision", 1 },
	{ NULL, NULL, NULL, 0 },
};

static const struct kind_column cell_columns[] = {
	{ "GATEWAY", "integer", ".status.gatewayReadyReplicas", 0 },
	{ "READY", "string", AVAILABLE, 0 },
	{ "PHASE", "string", ".status.phase", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct kind_column tablegroup_columns[] = {
	{ "SHARDS", "integer", ".status.readyShards", 0 },
	{ "PHASE", "string", ".status.phase", 0 },
	{ NULL, NULL, NULL, 0 },
};

/* Shard and TopoServer (whose READY stays empty: its controller sets a
 * Ready condition, the column reads Available, as upstream's does). */
static const struct kind_column ready_phase_columns[] = {
	{ "READY", "string", AVAILABLE, 0 },
	{ "PHASE", "string", ".status.phase", 0 },
	{ NULL, NULL, NULL, 0 },
};

/* A CRD without printer columns gets the API server's default one. */
static const struct kind_column default_columns[] = {
	{ "AGE", "date", ".metadata.creationTimestamp", 0 },
	{ NULL, NULL, NULL, 0 },
};

const struct kind kinds[] = {
	{ "MultigresCluster", "multigresclusters", "multigrescluster", "mgc",
	  true, cluster_columns },
	{ "Cell", "cells", "cell", "cel", true, cell_columns },
	{ "TableGroup", "tablegroups", "tablegroup", "tbg", true,
	  tablegroup_columns },
	{ "Shard", "shards", "shard", "srd", true, ready_phase_columns },
	{ "TopoServer", "toposervers", "toposerver", "tps", true,
	  ready_phase_columns },
	{ "CoreTemplate", "coretemplates", "coretemplate", "cot", true,
	  default_columns },
	{ "CellTemplate", "celltemplates", "celltemplate", "cet", true,
	  default_columns },
	{ "ShardTemplate", "shardtemplates", "shardtemplate", "sht", true,
	  default_columns },
};

const size_t nkinds = ARRAY_SIZE(kinds);

/* word without a ".multigres.com" or ".v1alpha1.multigres.com" suffix. */
static size_t
base_len(const char *word)
{
	static const char *const suffixes[] = {
		"." KIND_VERSION "." KIND_GROUP, "." KIND_GROUP,
	};
	size_t n = strlen(word), i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t m = strlen(suffixes[i]);

		if (n > m && !strcasecmp(word + n - m, suffixes[i]))
			return n - m;
	}
	return n;
}

static bool
same(const char *name, const char *word, size_t n)
{
	return strlen(name) == n && !strncasecmp(name, word, n);
}

const struct kind *
kind_lookup(const char *word)
{
	size_t n = base_len(word), i;

	for (i = 0; i < nkinds; i++) {
		const struct kind *k = &kinds[i];

		if (same(k->plural, word, n) || same(k->singular, word, n) ||
		    same(k->shortname, word, n) || same(k->kind, word, n))
			return k;
	}
	return NULL;
}

void
kind_res(const struct kind *k, const char *ns, struct mg_kube_res *res)
{
	res->group = KIND_GROUP;
	res->version = KIND_VERSION;
	res->resource = k->plural;
	res->ns = k->namespaced ? ns : NULL;
}

int
kind_fail(const struct cli_ctx *ctx, const struct kind *k,
	  const struct mg_err *err)
{
	/* A group the server does not serve: a bare "404 page not found";
	 * a resource of a served group it does not know: this Status. */
	if (err->code == MG_ENOTFOUND &&
	    (!err->reason[0] ||
	     strstr(err->msg, "could not find the requested resource")))
		return cli_errorf(ctx, "the server has no %s." KIND_GROUP "/"
				  KIND_VERSION ": are the Multigres CRDs installed?",
				  k->plural);
	return cli_fail(ctx, err);
}
