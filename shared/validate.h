/*
 * validate.h - the operator's admission rules for clusters and templates.
 *
 * What upstream's validating webhook refuses or warns about beyond the
 * CRD schema and its CEL rules (multigres-operator-facts.md 8.2), as pure
 * functions: the caller supplies what the webhook would look up (the
 * namespace's templates, whether a default StorageClass exists, the
 * nodes, the clusters of the namespace).
 *
 * The result is a list of findings instead of the webhook's single error:
 * every error and every warning, in the order the webhook checks them. A
 * webhook answers with the first error (or allows with the warnings); a
 * CLI can print them all. Resolution errors that a missing template
 * already explains are not repeated.
 *
 * Messages name the subject in single quotes. Where facts 8.2 gives
 * upstream's exact wording it is kept: "referenced <Kind> '<name>' not
 * found in namespace '<ns>'", the "invalid postgresConfig:" prefix, "A new
 * pool will be created.", "cannot delete <Kind> '<name>' because it is in
 * use by MultigresCluster '<cluster>'", and the child-CR refusal.
 *
 * Inputs are borrowed; findings own their strings.
 */
#ifndef MG_VALIDATE_H
#define MG_VALIDATE_H

#include <cJSON.h>

#include "compat.h"
#include "finding.h"

struct mg_err;
struct mg_templates;

/* Findings (finding.h) of type MG_PROBLEM_ADMISSION, errors and warnings. */

struct mg_validate_opts {
	const struct mg_templates *templates; /* the namespace's; NULL: none */
	/* For messages; NULL: the cluster's namespace, else "default". */
	const char *namespace;
	/* A StorageClass annotated (beta or GA) is-default-class "true". */
	bool has_default_storage_class;
	/*
	 * The cluster's Nodes (an array or a NodeList) for the "no node in
	 * this zone" warning; NULL when unknown (upstream skips the check
	 * when it cannot list nodes).
	 */
	const cJSON *nodes;
};

#define MG_VALIDATE_OPTS_INIT { NULL, NULL, false, NULL }

/*
 * The webhook's MultigresCluster rules on create (old NULL) and update
 * (old the stored object). `cluster` is what the mutating webhook
 * produced (mg_resolve_webhook_default), as upstream validates after
 * mutation. In order:
 *
 *  1. every template named exists (an explicit `default` too);
 *  2. postgresConfig of each shard's spec and overrides: names with a
 *     dot pass, operator-managed names are refused, other names must be
 *     PostgreSQL 17 parameters and values fit their type;
 *  3. external gateway / admin-web IPs parse (warning when enabled
 *     without IPs); etcd with one replica is a warning; cells whose zone
 *     or region no node carries are warnings;
 *  4. limits >= requests (etcd, multiadmin, multiadmin-web as written,
 *     each resolved gateway, multiorch and pool containers);
 *  5. each resolved gateway buffer: window and maxFailoverDuration
 *     positive, minTimeBetweenFailovers not negative, window <=
 *     maxFailoverDuration (unset sides at the binary's 10s/20s), skipped
 *     when disabled;
 *  6. every shard, resolved: pool names (1-25, DNS label), the shard and
 *     each pool reach at least one cell and only existing ones,
 *     multipooler runAsUser needs an equal postgres runAsUser; warnings
 *     for override pools the template lacks, durability the pools cannot
 *     meet, and a ReadWriteOnce filesystem backup shared by >1 pooler;
 *  7. a default StorageClass when any PVC has no class;
 *  8. update only: no pool storage.size decrease, etcd replicas
 *     unchanged.
 *
 * Returns 0 (findings appended to out), or MG_EINVAL when cluster is not
 * an object.
 */
int mg_validate_cluster(struct mg_findings *out, const cJSON *cluster,
			const cJSON *old, const struct mg_validate_opts *opts,
			struct mg_err *err);

/*
 * A template create (old NULL) or update. ShardTemplate: pool names and
 * postgresConfig. CellTemplate: its buffer (the window/maxFailover order
 * only when it sets both) and resources, then every cell of `clusters`
 * (an array or a LIST of MultigresClusters; ones being deleted are
 * skipped) whose template resolves to this one is resolved with the new
 * version in place of the stored one (`stored`, the namespace's current
 * templates): an error for each cell that becomes invalid, unless it was
 * already invalid with the stored version. CoreTemplate: nothing. An
 * update that leaves `spec` unchanged is never refused.
 */
int mg_validate_template(struct mg_findings *out, const cJSON *tpl,
			 const cJSON *old, const cJSON *clusters,
			 const struct mg_templates *stored,
			 struct mg_err *err);

/*
 * A template delete: refused while a cluster of `clusters` that is not
 * being deleted names it (templateDefaults or a component's ref). The
 * CellTemplate `default` is also refused when a cell that falls back to
 * it would resolve to an invalid config without it.
 */
int mg_validate_template_delete(struct mg_findings *out, const cJSON *tpl,
				const cJSON *clusters,
				const struct mg_templates *stored,
				struct mg_err *err);

/*
 * Child CRs (Cell, Shard, TableGroup, TopoServer) may only be written by
 * the operator's service account ("system:serviceaccount:<ns>:<sa>", sa
 * "multigres-operator" when NULL), the garbage collector or the namespace
 * controller. Appends an error for anyone else.
 */
void mg_validate_child_request(struct mg_findings *out, const char *kind,
			       const char *username, const char *operator_ns,
			       const char *operator_sa);

/*
 * PostgreSQL 17's built-in parameters (all 389 of REL_17_5's
 * guc_tables.c): name, broad type and context (pg_settings.context).
 */
enum mg_guc_type {
	MG_GUC_BOOL,
	MG_GUC_INTEGER,
	MG_GUC_REAL,
	MG_GUC_STRING,
	MG_GUC_ENUM,
};

struct mg_guc {
	const char *name;
	enum mg_guc_type type;
	const char *context; /* "postmaster", "sighup", "user", ... */
};

/* The parameter, case-insensitively, or NULL. */
const struct mg_guc *mg_guc_lookup(const char *name);

/*
 * Checks one postgresConfig map (NULL is fine). Appends one error at
 * `path` whose message starts "invalid postgresConfig: " and lists every
 * problem, names sorted; nothing when all is well.
 */
void mg_validate_postgres_config(struct mg_findings *out, const cJSON *conf,
				 const char *path);

#endif /* MG_VALIDATE_H */
