/*
 * model.h - the eight multigres.com/v1alpha1 kinds as C structs.
 *
 * mg_model_parse() turns a cJSON object (from the API server or a YAML file)
 * into a struct mg_model_obj; mg_model_emit() turns it back. Nothing is
 * lost on the way: every struct has an `unknown` object holding the members
 * the model does not know (newer upstream fields, managedFields, ...), and
 * they are emitted again after the known ones, so parse -> emit -> parse
 * gives the same JSON (null members aside: the API server prunes them, and
 * so does the model).
 *
 * The structs mirror upstream's Go types (api/v1alpha1), with snake_case
 * names. Absent and empty are kept apart, as in Go:
 *   - strings are char * (NULL: absent);
 *   - integers and booleans are struct mg_opt_i64 / mg_opt_bool (.set);
 *   - sub-objects are pointers (NULL: absent);
 *   - lists and maps are { present, n, v } with v an array of n items;
 *     maps of objects (pools, status.cells, ...) are arrays whose items
 *     carry their key in their first member (`name`);
 *   - Kubernetes core types (resources, affinity, tolerations,
 *     imagePullSecrets) stay cJSON sub-trees: they are Kubernetes's.
 * Timestamps stay strings as written (RFC 3339); mg_time_parse() reads them.
 *
 * Ownership: everything reachable from a struct mg_model_obj belongs to it
 * and goes with mg_model_free(). Callers may edit the structs (strings and
 * cJSON with the usual allocators: mg_xstrdup, cJSON_*) before emitting.
 *
 * The parse and emit engine is table-driven (model.c): one descriptor per
 * struct, one row per field with its JSON name and offsetof(). A test walks
 * the descriptors against the generated schema (schema_gen.c) so that the
 * two cannot disagree on names or types.
 */
#ifndef MG_MODEL_H
#define MG_MODEL_H

#include <cJSON.h>

#include "compat.h"
#include "schema.h"

struct mg_buf;
struct mg_err;

/* ---- building blocks ------------------------------------------------------ */

struct mg_opt_i64 {
	bool set;
	int64_t v;
};

struct mg_opt_bool {
	bool set;
	bool v;
};

struct mg_model_kv {
	char *key;
	char *value;
};

/* A map of strings (labels, podAnnotations, postgresConfig, podRoles). */
struct mg_model_strmap {
	bool present;
	size_t n;
	struct mg_model_kv *v;
};

/* A list of strings (cells, endpoints, finalizers). */
struct mg_model_strlist {
	bool present;
	size_t n;
	char **v;
};

/* The value of `key`, or NULL. */
const char *mg_model_strmap_get(const struct mg_model_strmap *m, const char *key);
/* Sets key (copying both strings), replacing an existing value. */
void mg_model_strmap_set(struct mg_model_strmap *m, const char *key, const char *value);
bool mg_model_strlist_has(const struct mg_model_strlist *l, const char *s);
/* Appends a copy of s. */
void mg_model_strlist_add(struct mg_model_strlist *l, const char *s);

/* ---- metadata and status pieces -------------------------------------------- */

struct mg_owner_ref {
	char *api_version;
	char *kind;
	char *name;
	char *uid;
	struct mg_opt_bool controller;
	struct mg_opt_bool block_owner_deletion;
	cJSON *unknown;
};

struct mg_owner_refs {
	bool present;
	size_t n;
	struct mg_owner_ref *v;
};

struct mg_object_meta {
	bool present;
	char *name;
	char *generate_name;
	char *namespace;
	char *uid;
	char *resource_version;
	struct mg_opt_i64 generation;
	char *creation_timestamp;
	char *deletion_timestamp;
	struct mg_model_strmap labels;
	struct mg_model_strmap annotations;
	struct mg_owner_refs owner_references;
	struct mg_model_strlist finalizers;
	cJSON *unknown; /* managedFields, selfLink, ... */
};

/* metav1.Condition */
struct mg_condition {
	char *type;
	char *status; /* "True", "False", "Unknown" */
	struct mg_opt_i64 observed_generation;
	char *last_transition_time;
	char *reason;
	char *message;
	cJSON *unknown;
};

struct mg_conditions {
	bool present;
	size_t n;
	struct mg_condition *v;
};

/* The condition of `type`, or NULL. */
const struct mg_condition *mg_conditions_find(const struct mg_conditions *c,
					      const char *type);

/* Fields every status of a child kind starts with. */
struct mg_status_common {
	struct mg_opt_i64 observed_generation;
	struct mg_conditions conditions;
	char *phase; /* Initializing, Progressing, Healthy, Degraded, Unknown */
	char *message;
};

/* ---- shared spec structs ------------------------------------------------------ */

/* PVCDeletionPolicy: "Retain" or "Delete" each. */
struct mg_pvc_policy {
	char *when_deleted;
	char *when_scaled;
	cJSON *unknown;
};

/* TopologyPruningConfig and InternalTLSConfig: { enabled }. */
struct mg_toggle {
	struct mg_opt_bool enabled;
	cJSON *unknown;
};

struct mg_storage_spec {
	char *size;
	char *class;
	struct mg_model_strlist access_modes;
	cJSON *unknown;
};

/* PodPlacementSpec */
struct mg_placement {
	cJSON *tolerations; /* []corev1.Toleration */
	cJSON *unknown;
};

/* The multigateway request buffer (MultigatewaySpec.buffer). */
struct mg_gateway_buffer {
	struct mg_opt_bool enabled;
	char *window;
	char *max_failover_duration;
	char *min_time_between_failovers;
	struct mg_opt_i64 size;
	struct mg_opt_i64 drain_concurrency;
	cJSON *unknown;
};

/*
 * StatelessSpec, and its extensions MultigatewaySpec (+ buffer) and
 * MultiorchSpec (+ placement, cells): one struct, the fields a use does
 * not have stay absent (the JSON of a multiadmin with a "buffer" keeps it
 * among the unknown members).
 */
struct mg_stateless_spec {
	struct mg_opt_i64 replicas;
	cJSON *resources; /* corev1.ResourceRequirements */
	cJSON *affinity;  /* corev1.Affinity */
	struct mg_model_strmap pod_annotations;
	struct mg_model_strmap pod_labels;
	struct mg_gateway_buffer *buffer; /* multigateway only */
	struct mg_placement *placement;   /* multiorch only */
	struct mg_model_strlist cells;          /* multiorch only */
	cJSON *unknown;
};

/* ContainerConfig (pool postgres / multipooler) */
struct mg_container_config {
	cJSON *resources;
	struct mg_opt_i64 run_as_user;
	struct mg_opt_i64 run_as_group;
	cJSON *unknown;
};

/* PoolSpec; an item of a `pools` map, its name being the key. */
struct mg_pool_spec {
	char *name;
	char *type; /* "readWrite" */
	struct mg_model_strlist cells;
	struct mg_opt_i64 replicas_per_cell;
	struct mg_storage_spec *storage;
	struct mg_container_config *postgres;
	struct mg_container_config *multipooler;
	cJSON *affinity;
	cJSON *tolerations;
	struct mg_opt_i64 fs_group;
	struct mg_pvc_policy *pvc_deletion_policy;
	cJSON *unknown;
};

struct mg_pools {
	bool present;
	size_t n;
	struct mg_pool_spec *v;
};

/* The pool named `name`, or NULL. */
struct mg_pool_spec *mg_pools_find(const struct mg_pools *p, const char *name);

/* Secret or ConfigMap key: postgresPasswordSecretRef, postgresConfigRef,
 * samplingConfigRef. */
struct mg_key_ref {
	char *name;
	char *key;
	cJSON *unknown;
};

struct mg_s3_backup {
	char *bucket;
	char *region;
	char *endpoint;
	char *key_prefix;
	struct mg_opt_bool use_env_credentials;
	char *credentials_secret;
	char *service_account_name;
	cJSON *unknown;
};

struct mg_backup_filesystem {
	char *path;
	struct mg_storage_spec *storage;
	cJSON *unknown;
};

/* { secretName }: pgbackrestTLS and encryption. */
struct mg_secret_name {
	char *secret_name;
	cJSON *unknown;
};

struct mg_backup_config {
	char *type; /* "filesystem" or "s3" */
	struct mg_backup_filesystem *filesystem;
	struct mg_s3_backup *s3;
	struct mg_secret_name *pgbackrest_tls;
	struct mg_secret_name *encryption;
	cJSON *unknown;
};

/* ComponentLogLevels */
struct mg_log_levels {
	char *pgctld;
	char *multipooler;
	char *multiorch;
	char *multiadmin;
	char *multigateway;
	cJSON *unknown;
};

/* ObservabilityConfig */
struct mg_observability {
	char *otlp_endpoint;
	char *otlp_metrics_endpoint;
	char *otlp_protocol;
	char *traces_exporter;
	char *metrics_exporter;
	char *logs_exporter;
	char *metric_export_interval;
	char *metrics_temporality;
	char *histogram_aggregation;
	char *traces_sampler;
	struct mg_key_ref *sampling_config_ref;
	cJSON *unknown;
};

struct mg_etcd_spec {
	char *image;
	struct mg_opt_i64 replicas;
	struct mg_storage_spec *storage;
	cJSON *resources;
	char *root_path;
	struct mg_pvc_policy *pvc_deletion_policy;
	cJSON *unknown;
};

struct mg_external_topo {
	struct mg_model_strlist endpoints;
	char *implementation;
	char *ca_secret;
	char *client_cert_secret;
	char *root_path;
	cJSON *unknown;
};

/*
 * The topology server specs: GlobalTopoServerSpec (cluster: etcd | external
 * | templateRef), LocalTopoServerSpec (etcd | external), TopoServerSpec
 * (TopoServer and CoreTemplate: etcd). One struct; a use leaves the others
 * absent.
 */
struct mg_topo_spec {
	struct mg_etcd_spec *etcd;
	struct mg_external_topo *external;
	char *template_ref;
	struct mg_pvc_policy *pvc_deletion_policy;
	struct mg_placement *placement;
	cJSON *unknown;
};

/* GlobalTopoServerRef, on Cell, TableGroup and Shard. */
struct mg_global_topo_ref {
	char *address;
	char *root_path;
	char *implementation;
	cJSON *unknown;
};

/*
 * Images: ClusterImages (spec.images), the Cell's and the ShardImages, and
 * ComponentImages in the cluster's status: one struct.
 */
struct mg_images {
	char *image_pull_policy;
	cJSON *image_pull_secrets; /* []corev1.LocalObjectReference */
	char *multigateway;
	char *multiorch;
	char *multipooler;
	char *multiadmin;
	char *multiadmin_web;
	char *postgres;
	cJSON *unknown;
};

/* One entry of cellTopologyLabels: a cell and the node labels of its pods
 * (the JSON value is the label map itself: nothing else to keep). */
struct mg_cell_labels {
	char *cell;
	struct mg_model_strmap labels;
};

struct mg_cell_labels_map {
	bool present;
	size_t n;
	struct mg_cell_labels *v;
};

/* ---- templates ------------------------------------------------------------------ */

/* CoreTemplate spec */
struct mg_core_template_spec {
	struct mg_topo_spec *global_topo_server;
	struct mg_stateless_spec *multiadmin;
	struct mg_placement *multiadmin_placement;
	struct mg_stateless_spec *multiadmin_web;
	cJSON *unknown;
};

/* CellTemplate spec; also a cluster cell's overrides (no localTopoServer)
 * and inline spec. */
struct mg_cell_template_spec {
	struct mg_stateless_spec *multigateway;
	struct mg_placement *multigateway_placement;
	struct mg_topo_spec *local_topo_server;
	cJSON *unknown;
};

/* ShardTemplate spec; also a cluster shard's overrides (no
 * pvcDeletionPolicy) and inline spec. */
struct mg_shard_template_spec {
	struct mg_stateless_spec *multiorch;
	char *initdb_args;
	struct mg_key_ref *postgres_config_ref;
	struct mg_model_strmap postgres_config;
	struct mg_pools pools;
	struct mg_pvc_policy *pvc_deletion_policy;
	cJSON *unknown;
};

/* ---- MultigresCluster --------------------------------------------------------------- */

struct mg_cluster_cell {
	char *name;
	char *zone_id;
	char *region;
	char *cell_template;
	struct mg_cell_template_spec *overrides;
	struct mg_cell_template_spec *spec;
	cJSON *unknown;
};

struct mg_cluster_cells {
	bool present;
	size_t n;
	struct mg_cluster_cell *v;
};

struct mg_cluster_shard {
	char *name;
	char *shard_template;
	struct mg_shard_template_spec *overrides;
	struct mg_shard_template_spec *spec;
	struct mg_backup_config *backup;
	cJSON *unknown;
};

struct mg_cluster_shards {
	bool present;
	size_t n;
	struct mg_cluster_shard *v;
};

struct mg_cluster_tablegroup {
	char *name;
	struct mg_opt_bool default_;
	struct mg_cluster_shards shards;
	struct mg_backup_config *backup;
	struct mg_pvc_policy *pvc_deletion_policy;
	cJSON *unknown;
};

struct mg_cluster_tablegroups {
	bool present;
	size_t n;
	struct mg_cluster_tablegroup *v;
};

struct mg_cluster_database {
	char *name;
	struct mg_opt_bool default_;
	struct mg_cluster_tablegroups tablegroups;
	struct mg_backup_config *backup;
	char *durability_policy;
	cJSON *unknown;
};

struct mg_cluster_databases {
	bool present;
	size_t n;
	struct mg_cluster_database *v;
};

/* multiadmin / multiadminWeb: inline spec or a CoreTemplate. */
struct mg_component_ref {
	struct mg_stateless_spec *spec;
	char *template_ref;
	struct mg_placement *placement; /* multiadmin only */
	cJSON *unknown;
};

struct mg_image_update_policy {
	char *strategy; /* "immediate" or "lazy" */
	char *acknowledged_revision;
	cJSON *unknown;
};

struct mg_template_defaults {
	char *core_template;
	char *cell_template;
	char *shard_template;
	cJSON *unknown;
};

/* externalGateway / externalAdminWeb */
struct mg_external_access {
	struct mg_opt_bool enabled;
	struct mg_model_strlist external_ips;
	struct mg_model_strmap annotations;
	cJSON *unknown;
};

struct mg_cluster_spec {
	struct mg_images *images;
	struct mg_image_update_policy *image_update_policy;
	struct mg_log_levels *log_levels;
	struct mg_template_defaults *template_defaults;
	struct mg_topo_spec *global_topo_server;
	struct mg_component_ref *multiadmin;
	struct mg_component_ref *multiadmin_web;
	struct mg_cluster_cells cells;
	struct mg_cluster_databases databases;
	struct mg_pvc_policy *pvc_deletion_policy;
	struct mg_observability *observability;
	struct mg_backup_config *backup;
	struct mg_external_access *external_gateway;
	struct mg_external_access *external_admin_web;
	struct mg_toggle *topology_pruning;
	char *durability_policy;
	char *postgres_superuser;
	struct mg_key_ref *postgres_password_secret_ref;
	struct mg_toggle *internal_tls;
	char *cert_common_name;
	cJSON *unknown;
};

struct mg_cluster_cell_status {
	char *name; /* the cell */
	struct mg_opt_bool ready;
	struct mg_opt_i64 gateway_replicas;
	cJSON *unknown;
};

struct mg_cluster_cell_statuses {
	bool present;
	size_t n;
	struct mg_cluster_cell_status *v;
};

struct mg_cluster_db_status {
	char *name; /* the database */
	struct mg_opt_i64 ready_shards;
	struct mg_opt_i64 total_shards;
	cJSON *unknown;
};

struct mg_cluster_db_statuses {
	bool present;
	size_t n;
	struct mg_cluster_db_status *v;
};

/* status.gateway / status.adminWeb */
struct mg_endpoint_status {
	char *external_endpoint;
	cJSON *unknown;
};

struct mg_resolved_templates {
	struct mg_model_strlist core_templates;
	struct mg_model_strlist cell_templates;
	struct mg_model_strlist shard_templates;
	cJSON *unknown;
};

struct mg_images_status {
	char *update_strategy;
	struct mg_images *effective;
	char *source; /* explicit, defaults, mixed */
	struct mg_images *applied;
	char *applied_revision;
	struct mg_images *available;
	char *available_revision;
	cJSON *unknown;
};

struct mg_cluster_status {
	struct mg_status_common common;
	struct mg_cluster_cell_statuses cells;
	struct mg_endpoint_status *gateway;
	struct mg_endpoint_status *admin_web;
	struct mg_cluster_db_statuses databases;
	struct mg_resolved_templates *resolved_templates;
	struct mg_images_status *images;
	cJSON *unknown;
};

/* ---- Cell ---------------------------------------------------------------------------- */

struct mg_topology_reconciliation {
	struct mg_opt_bool register_cell;
	struct mg_opt_bool prune_poolers;
	cJSON *unknown;
};

struct mg_cell_spec {
	char *name;
	char *zone_id;
	char *region;
	struct mg_images *images;
	struct mg_stateless_spec *multigateway;
	struct mg_placement *multigateway_placement;
	struct mg_global_topo_ref *global_topo_server;
	struct mg_topo_spec *topo_server;
	struct mg_model_strlist all_cells;
	struct mg_topology_reconciliation *topology_reconciliation;
	struct mg_observability *observability;
	struct mg_log_levels *log_levels;
	struct mg_toggle *internal_tls;
	char *cert_common_name;
	cJSON *unknown;
};

struct mg_cell_status {
	struct mg_status_common common;
	struct mg_opt_i64 gateway_replicas;
	struct mg_opt_i64 gateway_ready_replicas;
	char *gateway_service_name;
	cJSON *unknown;
};

/* ---- TableGroup ------------------------------------------------------------------------ */

/* ShardResolvedSpec: one item of a TableGroup's spec.shards. */
struct mg_resolved_shard {
	char *name;
	struct mg_stateless_spec *multiorch;
	char *initdb_args;
	struct mg_key_ref *postgres_config_ref;
	struct mg_model_strmap postgres_config;
	struct mg_pools pools;
	struct mg_pvc_policy *pvc_deletion_policy;
	struct mg_backup_config *backup;
	cJSON *unknown;
};

struct mg_resolved_shards {
	bool present;
	size_t n;
	struct mg_resolved_shard *v;
};

struct mg_tablegroup_spec {
	char *database_name;
	char *table_group_name;
	struct mg_opt_bool default_;
	struct mg_images *images;
	struct mg_global_topo_ref *global_topo_server;
	struct mg_resolved_shards shards;
	struct mg_pvc_policy *pvc_deletion_policy;
	struct mg_toggle *internal_tls;
	struct mg_observability *observability;
	struct mg_log_levels *log_levels;
	struct mg_backup_config *backup;
	struct mg_cell_labels_map cell_topology_labels;
	struct mg_toggle *topology_pruning;
	char *durability_policy;
	char *postgres_superuser;
	struct mg_key_ref *postgres_password_secret_ref;
	cJSON *unknown;
};

struct mg_tablegroup_status {
	struct mg_status_common common;
	struct mg_opt_i64 ready_shards;
	struct mg_opt_i64 total_shards;
	cJSON *unknown;
};

/* ---- Shard --------------------------------------------------------------------------------- */

struct mg_shard_spec {
	char *database_name;
	char *table_group_name;
	char *shard_name;
	struct mg_images *images;
	struct mg_global_topo_ref *global_topo_server;
	struct mg_stateless_spec *multiorch;
	char *initdb_args;
	struct mg_key_ref *postgres_config_ref;
	struct mg_model_strmap postgres_config;
	struct mg_pools pools;
	struct mg_pvc_policy *pvc_deletion_policy;
	struct mg_toggle *internal_tls;
	struct mg_observability *observability;
	struct mg_log_levels *log_levels;
	struct mg_backup_config *backup;
	struct mg_toggle *topology_pruning;
	char *durability_policy;
	char *postgres_superuser;
	struct mg_key_ref *postgres_password_secret_ref;
	struct mg_cell_labels_map cell_topology_labels;
	struct mg_opt_i64 replicas; /* backs the scale subresource */
	cJSON *unknown;
};

/* Shard status.postgresConfig */
struct mg_postgres_config_status {
	struct mg_opt_bool in_progress;
	char *last_applied_at;
	char *error;
	cJSON *unknown;
};

struct mg_shard_status {
	struct mg_status_common common;
	struct mg_postgres_config_status *postgres_config;
	struct mg_model_strlist cells;
	struct mg_opt_bool orch_ready;
	struct mg_opt_bool pools_ready;
	char *last_backup_time;
	char *last_backup_type; /* full, diff, incr */
	struct mg_model_strmap pod_roles; /* pod name -> PRIMARY, REPLICA, ... */
	struct mg_opt_i64 ready_replicas;
	cJSON *unknown;
};

/* ---- TopoServer -------------------------------------------------------------------------- */

struct mg_toposerver_status {
	struct mg_status_common common;
	char *client_service;
	char *peer_service;
	cJSON *unknown;
};

/* ---- objects ------------------------------------------------------------------------------- */

/*
 * One object of any of the eight kinds. spec and status point at the
 * struct of obj->kind (status NULL when absent, always for templates).
 */
struct mg_model_obj {
	enum mg_kind kind;
	char *api_version;
	char *kind_name;
	struct mg_object_meta metadata;
	union {
		struct mg_cluster_spec *cluster;
		struct mg_cell_spec *cell;
		struct mg_tablegroup_spec *tablegroup;
		struct mg_shard_spec *shard;
		struct mg_topo_spec *toposerver;
		struct mg_core_template_spec *core_template;
		struct mg_cell_template_spec *cell_template;
		struct mg_shard_template_spec *shard_template;
	} spec;
	union {
		struct mg_cluster_status *cluster;
		struct mg_cell_status *cell;
		struct mg_tablegroup_status *tablegroup;
		struct mg_shard_status *shard;
		struct mg_toposerver_status *toposerver;
	} status;
	cJSON *unknown;
};

/* The status fields every kind with a status has, or NULL. */
const struct mg_status_common *mg_model_status_common(
	const struct mg_model_obj *obj);

/* ---- kinds -------------------------------------------------------------------------------- */

/*
 * The kind named by name: kind ("Shard"), plural ("shards"), singular,
 * short name ("srd"), case-insensitively, optionally followed by
 * ".multigres.com" or ".v1alpha1.multigres.com" (as kubectl accepts
 * "shards.multigres.com"). NULL when none matches. The result also has the
 * scope, subresources and printer columns of the kind's CRD.
 */
const struct mg_kind_info *mg_model_kind_lookup(const char *name);

/* ---- parse and emit ----------------------------------------------------------------------- */

enum mg_model_strict {
	/*
	 * Objects read from the API server: already validated there, so
	 * no validation here; a member of an unexpected type is kept among
	 * the unknown ones (and noted in probs) rather than failing.
	 */
	MG_MODEL_TRUSTED,
	/* Input from users: every schema and CEL problem fails the parse;
	 * unknown fields are kept. */
	MG_MODEL_CHECKED,
	/* As CHECKED, and unknown fields are problems too (kubectl's
	 * --validate=strict). */
	MG_MODEL_STRICT,
};

/*
 * Parses one object. Its kind comes from its "kind" member (and its
 * apiVersion must be multigres.com/v1alpha1). Problems go to probs (may be
 * NULL), with field paths; with MG_MODEL_TRUSTED the members kept because
 * of their type are noted there too (MG_PROBLEM_TYPE), on success.
 *
 * Returns 0 and *out (free with mg_model_free), or MG_EINVAL with err
 * naming the first problem: not an object, not one of the eight kinds, or
 * (CHECKED, STRICT) any validation problem.
 */
int mg_model_parse(const cJSON *in, enum mg_model_strict strict,
		   struct mg_model_obj **out, struct mg_findings *probs,
		   struct mg_err *err);

/*
 * Builds the JSON of obj: known members in schema order, then the unknown
 * ones. *out is a new tree for the caller to cJSON_Delete.
 */
void mg_model_emit(const struct mg_model_obj *obj, cJSON **out);

void mg_model_free(struct mg_model_obj *obj);

/*
 * Validates the update of old into obj (both emitted first): the schema,
 * the CEL rules including the transition ones (append-only cells and
 * pools, immutable backup encryption), ratcheting unchanged values.
 * Returns 0, or MG_EINVAL with err naming the first problem; all of them
 * go to probs (may be NULL).
 */
int mg_model_check_update(const struct mg_model_obj *old,
			  const struct mg_model_obj *obj, bool strict,
			  struct mg_findings *probs, struct mg_err *err);

/*
 * Walks the model's descriptor tables against the generated schema:
 * every field must be a property of the right type, and every property of
 * the schema a field (or a documented exception). Appends a line per
 * mismatch to report and returns how many there were. For tests.
 */
size_t mg_model_check_tables(struct mg_buf *report);

#endif /* MG_MODEL_H */
