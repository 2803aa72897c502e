/*
 * resolve.h - templates and defaults, resolved as the Go operator does.
 *
 * A MultigresCluster names what it wants per component; the operator
 * fills the rest from four levels, highest first (facts 2):
 *
 *   1. the component itself: an inline `spec`, `overrides`, or an
 *      explicit template (globalTopoServer/multiadmin/multiadminWeb
 *      `templateRef`, cells[].cellTemplate, shards[].shardTemplate);
 *   2. the cluster's spec.templateDefaults.{core,cell,shard}Template;
 *   3. the namespace's template named `default` of that kind;
 *   4. the built-in defaults (defaults.h).
 *
 * Per component the merge is: template (base), then `overrides`, then the
 * inline `spec`, then level-4 defaults filling only what is still unset.
 * Scalars and pointers: set wins. `resources`, `affinity`, placement and
 * a topology server's `external` replace as a block; podAnnotations,
 * podLabels and postgresConfig merge per key; pools merge by name (field
 * by field), a new name adds a pool; the gateway buffer and etcd merge
 * per field; non-empty cell lists and tolerations replace. Backups
 * inherit Cluster > Database > TableGroup > ShardConfig (MergeBackupConfig
 * rules, mg_resolve_merge_backup), then default to a filesystem
 * repository at /backups of 10Gi. PVC deletion policies merge per field,
 * child over parent (mg_resolve_merge_pvc_policy).
 *
 * Template lookup: an empty ref (after level 2) or the ref `default`
 * means the namespace's `default` template, silently empty when there is
 * none; any other missing ref is MG_ENOTFOUND with the message
 * "<path>: referenced <Kind> '<name>' not found", path being the field the
 * ref came from (spec.cells[1].cellTemplate, spec.templateDefaults...).
 *
 * Everything here is pure: objects in, new objects out. Inputs are
 * borrowed and never modified unless a function says so; every cJSON
 * handed out is owned by the caller (cJSON_Delete). Output objects have
 * their keys in the Go types' field order and their maps (labels,
 * podAnnotations, postgresConfig, pools, resource lists) sorted by key, so
 * two runs over the same input print the same bytes. Resource quantities
 * are written as Go writes a resource.Quantity (quantity.h): a JSON
 * number becomes a string, "0.5" becomes "500m", "1024Mi" "1Gi".
 *
 * Versions: upstream `main` (facts 0). Where release v0.11.1 differs the
 * code says so in a comment.
 */
#ifndef MG_RESOLVE_H
#define MG_RESOLVE_H

#include <cJSON.h>

#include "compat.h"

struct mg_err;
struct mg_image_set;

/* ------------------------------------------------------------------ */
/* Template sets                                                       */
/* ------------------------------------------------------------------ */

enum mg_template_kind {
	MG_TEMPLATE_CORE,
	MG_TEMPLATE_CELL,
	MG_TEMPLATE_SHARD,
	MG_TEMPLATE_KINDS
};

/* "CoreTemplate", "CellTemplate", "ShardTemplate". */
const char *mg_template_kind_name(enum mg_template_kind kind);
/* The kind named by a `kind` string; false when it is none of them. */
bool mg_template_kind_parse(const char *kind, enum mg_template_kind *out);

/*
 * The templates of one namespace, by kind and name. Entries are borrowed:
 * the objects must outlive the set. A later entry with the same kind and
 * name replaces the earlier one.
 */
struct mg_templates;

struct mg_templates *mg_templates_new(void);
/* A copy of the index (the objects stay borrowed). */
struct mg_templates *mg_templates_dup(const struct mg_templates *t);
void mg_templates_free(struct mg_templates *t);

/*
 * Adds one template object (kind from its `kind`, name from
 * metadata.name). MG_EINVAL when it is not a template or has no name.
 */
int mg_templates_add(struct mg_templates *t, const cJSON *obj,
		     struct mg_err *err);

/*
 * Adds every template among `objs`: a JSON array of objects (e.g. the
 * documents of YAML files) or a Kubernetes LIST ({"kind":"CellTemplate
 * List","items":[...]}, items without a kind take it from the list's).
 * Other kinds are skipped. When namespace is not NULL, objects whose
 * metadata.namespace is set and different are skipped too. Returns the
 * number added, or MG_EINVAL for a template without a name.
 */
int mg_templates_add_list(struct mg_templates *t, const cJSON *objs,
			  const char *namespace, struct mg_err *err);

/* The template, borrowed, or NULL. t may be NULL (an empty set). */
const cJSON *mg_templates_get(const struct mg_templates *t,
			      enum mg_template_kind kind, const char *name);
size_t mg_templates_count(const struct mg_templates *t);

/* ------------------------------------------------------------------ */
/* Merges shared with other modules                                    */
/* ------------------------------------------------------------------ */

/*
 * MergeBackupConfig(child, parent): NULL when both are; a copy of the
 * other when one is; a copy of child when it names another type;
 * otherwise the parent with the child's non-empty filesystem (path,
 * storage size/class, non-empty accessModes) or s3 fields over it
 * (useEnvCredentials always from a child s3 block), and the child's
 * pgbackrestTLS and encryption when set. Returns a new object or NULL.
 */
cJSON *mg_resolve_merge_backup(const cJSON *child, const cJSON *parent);

/*
 * MergePVCDeletionPolicy(child, parent): the parent (copied) when child is
 * NULL; else per field child over parent; NULL when both fields end up
 * empty.
 */
cJSON *mg_resolve_merge_pvc_policy(const cJSON *child, const cJSON *parent);

/* ------------------------------------------------------------------ */
/* Webhook defaulting                                                  */
/* ------------------------------------------------------------------ */

/*
 * Step 1 of the mutating webhook (PopulateClusterDefaults), in place on a
 * MultigresCluster: imagePullPolicy, topologyPruning {enabled: true},
 * durabilityPolicy, the five log levels, pvcDeletionPolicy
 * Delete/Delete, a filesystem backup, and the system catalogue: database
 * `postgres`, table group `default`, shard `0-inf` where absent. When the
 * cluster has cells the injected shard gets an inline spec, with a
 * `default` readWrite pool unless spec.templateDefaults.shardTemplate is
 * set or a ShardTemplate `default` exists in t. Component images are
 * never written (main; v0.11.1 did). Returns true when upstream records
 * the "implicit default pool" decision (an ImplicitDefault event): no
 * shard template default and no `default` ShardTemplate.
 */
bool mg_resolve_static_defaults(cJSON *cluster, const struct mg_templates *t);

/*
 * Steps 1-3 of the mutating webhook, in place: step 1 above; step 2
 * promotes each empty templateDefaults.* to `default` when t has such a
 * template; step 3 writes the resolved spec inline for every component
 * that uses no template at all (global topology, multiadmin and its
 * placement, multiadmin-web, each cell's spec, each shard's spec and
 * backup; shard cell lists are not materialised). Step 4 (trace
 * annotations) is the caller's. Errors: a missing explicit template.
 *
 * Upstream quirk kept on purpose: a cell or shard that has `overrides`
 * and no template gets `spec` written next to them, which the CRD's CEL
 * rule then refuses.
 */
int mg_resolve_webhook_default(cJSON *cluster, const struct mg_templates *t,
			       struct mg_err *err);

/* ------------------------------------------------------------------ */
/* Per-component resolution                                            */
/* ------------------------------------------------------------------ */

/*
 * Each takes a cluster that has had its static defaults applied (the
 * webhook's or mg_resolve_static_defaults). Outputs are new objects.
 */

/* GlobalTopoServerSpec: etcd (defaulted) or external (defaulted). */
int mg_resolve_global_topo(cJSON **out, const cJSON *cluster,
			   const struct mg_templates *t, struct mg_err *err);

/* Multiadmin StatelessSpec and its placement (*placement may be NULL). */
int mg_resolve_multiadmin(cJSON **spec, cJSON **placement,
			  const cJSON *cluster, const struct mg_templates *t,
			  struct mg_err *err);

/* Multiadmin-web StatelessSpec. */
int mg_resolve_multiadmin_web(cJSON **spec, const cJSON *cluster,
			      const struct mg_templates *t,
			      struct mg_err *err);

/*
 * Cell spec.cells[index]: the MultigatewaySpec (buffer.enabled defaulted
 * to true), its placement (or NULL) and the local topology server (or
 * NULL). Any out pointer may be NULL when not wanted. The cell's template
 * falls back to templateDefaults.cellTemplate. (To judge a template
 * edit, resolve against a mg_templates_dup with the new version added.)
 */
int mg_resolve_cell(cJSON **gateway, cJSON **placement, cJSON **local_topo,
		    const cJSON *cluster, size_t index,
		    const struct mg_templates *t, struct mg_err *err);

/*
 * The shard spec.databases[db].tablegroups[tg].shards[shard], as a
 * TableGroup's spec.shards[] entry (ShardResolvedSpec: name, multiorch,
 * initdbArgs, postgresConfigRef, postgresConfig, pools,
 * pvcDeletionPolicy, backup). With materialize, empty multiorch and pool
 * cell lists become all the cluster's cells, sorted (the reconciler's
 * view); without, they stay empty (the webhook's). A shard that resolves
 * with no pool gets `default` (readWrite, the multiorch cells); a pool
 * without replicasPerCell gets 2 when it has exactly one cell (counting
 * all cluster cells when its list is empty), else 1.
 */
int mg_resolve_shard(cJSON **out, const cJSON *cluster, size_t db, size_t tg,
		     size_t shard, bool materialize,
		     const struct mg_templates *t, struct mg_err *err);

/*
 * Calls fn for every shard of spec.databases[].tablegroups[].shards[], in
 * order, with its objects (borrowed from cluster; fn may modify them but
 * not the lists) and indexes. Stops at, and returns, the first non-zero
 * value fn returns; 0 otherwise.
 */
struct mg_shard_ref {
	cJSON *db, *tg, *shard;
	size_t db_index, tg_index, shard_index;
};
typedef int (*mg_resolve_shard_fn)(const struct mg_shard_ref *ref,
				   void *ctx);
int mg_resolve_each_shard(const cJSON *cluster, mg_resolve_shard_fn fn,
			  void *ctx);

/*
 * The GlobalTopoServerRef children carry: managed etcd
 * "<cluster>-global-topo.<ns>.svc:2379", its rootPath, implementation
 * "etcd"; external: the first endpoint verbatim, its rootPath and
 * implementation. global_topo is mg_resolve_global_topo's output.
 */
cJSON *mg_resolve_global_topo_ref(const cJSON *global_topo,
				  const char *cluster, const char *namespace);

/* status.resolvedTemplates: the refs in use per kind, sorted, unique. */
cJSON *mg_resolve_templates_in_use(const cJSON *cluster);

/*
 * The multigres.com/uses-{core,cell,shard}-template labels the cluster
 * should carry ({"...": "true"}; absent keys are to be removed).
 */
cJSON *mg_resolve_tracking_labels(const cJSON *cluster);

/* ------------------------------------------------------------------ */
/* Whole cluster: the child CRs and the rendered cluster               */
/* ------------------------------------------------------------------ */

struct mg_resolve_opts {
	const struct mg_templates *templates; /* NULL: no templates */
	/*
	 * The effective images (mg_images_resolve's `effective`). NULL:
	 * spec.images completed from the compiled defaults.
	 */
	const struct mg_image_set *images;
	/* Used when the cluster has no metadata.namespace; NULL: "default". */
	const char *namespace;
};

#define MG_RESOLVE_OPTS_INIT { NULL, NULL, NULL }

/*
 * What the operator derives from one MultigresCluster. Every member is
 * owned; members that do not apply are NULL.
 */
struct mg_resolved {
	cJSON *cluster;         /* static defaults, spec.images completed */
	cJSON *global_topo;     /* resolved GlobalTopoServerSpec */
	cJSON *global_topo_ref; /* GlobalTopoServerRef for the children */
	cJSON *multiadmin;      /* StatelessSpec */
	cJSON *multiadmin_placement; /* PodPlacementSpec, or NULL */
	cJSON *multiadmin_web;  /* StatelessSpec */
	/* The global TopoServer CR ("<cluster>-global-topo"), built here
	 * only (build_cluster.h does not); NULL for an external one. */
	cJSON *toposerver;
	cJSON *cells;           /* array of Cell CRs, in spec order */
	cJSON *tablegroups;     /* array of TableGroup CRs, in spec order */
	cJSON *shards;          /* array of Shard CRs, in table group order */
	cJSON *resolved_templates; /* status.resolvedTemplates */
};

/*
 * Resolves everything: the cluster's static defaults (on a copy), the
 * global topology, multiadmin(-web), every cell and shard (cell lists
 * materialised), then builds the child CRs with upstream's names
 * (names.h), labels (objmeta.h), project-ref annotation and controller
 * owner references (to the cluster; Shards to their TableGroup; the uid
 * copied from the owner's metadata.uid when it has one). Errors: a
 * missing explicit template, or a name that cannot be built (MG_EINVAL).
 * out is zeroed first and released on error.
 */
int mg_resolve_cluster(struct mg_resolved *out, const cJSON *cluster,
		       const struct mg_resolve_opts *opts, struct mg_err *err);
void mg_resolved_release(struct mg_resolved *r);

/*
 * The Shard CR the TableGroup controller builds for one of its
 * spec.shards[] entries: name and labels from the TableGroup's
 * multigres.com/cluster label and spec names, images, topology ref and
 * the shared settings copied from the TableGroup, pvcDeletionPolicy
 * merged shard over table group, replicas = sum of replicasPerCell
 * (default 1) x cells over the pools, owner the TableGroup.
 */
cJSON *mg_resolve_shard_cr(const cJSON *tablegroup, const cJSON *shard);

/*
 * The "rendered" MultigresCluster: the cluster with every template and
 * default applied inline (templateDefaults and template refs gone, each
 * component's resolved spec in place, shard backups resolved, cell lists
 * materialised, spec.images completed), metadata reduced to name,
 * namespace, labels and annotations (less kubectl's last-applied
 * configuration), no status. Deterministic. Note: applying it would pin
 * the images.
 */
cJSON *mg_resolve_render(const struct mg_resolved *r);

#endif /* MG_RESOLVE_H */
