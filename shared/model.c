/*
 * model.c - parse, emit and free the multigres.com structs of model.h.
 *
 * One engine, driven by tables (as tmux drives its options and commands):
 * each struct has a `struct type` naming its fields, and each field its
 * JSON member, its kind and its offsetof(). Decoding, emitting, freeing
 * and the check against the generated schema all walk the same tables.
 *
 * Lists and maps of structs share one layout, { bool present; size_t n;
 * T *v; }; the engine reaches their members by offset and memcpy, so it
 * never reads one struct type through another. All struct pointers have
 * the same representation (C11 6.2.5p28), which is what lets one engine
 * store a `struct mg_pool_spec *` it only knows as bytes.
 */
#include "compat.h"

#include "model.h"

#include <stdarg.h>
#include <strings.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

/* ---- descriptors ------------------------------------------------------------ */

enum ftype {
	F_STR,     /* char * */
	F_INT,     /* struct mg_opt_i64 */
	F_BOOL,    /* struct mg_opt_bool */
	F_JSON,    /* cJSON *: any value, kept as is */
	F_STRMAP,  /* struct mg_model_strmap */
	F_STRLIST, /* struct mg_model_strlist */
	F_OBJ,     /* T *, sub */
	F_INLINE,  /* T embedded, sub; T has a `bool present` */
	F_LIST,    /* list of T (JSON array), sub */
	F_MAP,     /* list of T (JSON object), sub; T's first field is F_KEY */
	F_KEY,     /* char *: the key of a map item */
};

struct type;

struct field {
	const char *json; /* member name; NULL for F_KEY */
	enum ftype type;
	size_t off;
	const struct type *sub;
};

#define NO_OFF ((size_t)-1)

struct type {
	const char *name; /* for mg_model_check_tables */
	size_t size;
	const struct field *fields;
	size_t nfields;
	size_t unknown_off; /* cJSON *unknown, or NO_OFF */
	size_t present_off; /* bool present (F_INLINE), or NO_OFF */
	bool whole_value;   /* map item: fields[1] decodes the whole value */
};

/* The layout every list and map of structs has. */
struct mg_any;
struct list_layout {
	bool present;
	size_t n;
	struct mg_any *v;
};

#define SAME_LAYOUT(S)                                                       \
	_Static_assert(offsetof(S, present) ==                                \
				       offsetof(struct list_layout, present) &&     \
			       offsetof(S, n) == offsetof(struct list_layout, n) && \
			       offsetof(S, v) == offsetof(struct list_layout, v) && \
			       sizeof(S) == sizeof(struct list_layout),             \
		       #S " is not laid out as a list")
SAME_LAYOUT(struct mg_owner_refs);
SAME_LAYOUT(struct mg_conditions);
SAME_LAYOUT(struct mg_pools);
SAME_LAYOUT(struct mg_cell_labels_map);
SAME_LAYOUT(struct mg_cluster_cells);
SAME_LAYOUT(struct mg_cluster_shards);
SAME_LAYOUT(struct mg_cluster_tablegroups);
SAME_LAYOUT(struct mg_cluster_databases);
SAME_LAYOUT(struct mg_cluster_cell_statuses);
SAME_LAYOUT(struct mg_cluster_db_statuses);
SAME_LAYOUT(struct mg_resolved_shards);

/* Field rows; T is the struct being described. */
#define STR(j, m) { j, F_STR, offsetof(T, m), NULL }
#define INT(j, m) { j, F_INT, offsetof(T, m), NULL }
#define BOOL(j, m) { j, F_BOOL, offsetof(T, m), NULL }
#define JSON(j, m) { j, F_JSON, offsetof(T, m), NULL }
#define STRMAP(j, m) { j, F_STRMAP, offsetof(T, m), NULL }
#define STRLIST(j, m) { j, F_STRLIST, offsetof(T, m), NULL }
#define OBJ(j, m, t) { j, F_OBJ, offsetof(T, m), &(t) }
#define INLINE(j, m, t) { j, F_INLINE, offsetof(T, m), &(t) }
#define LIST(j, m, t) { j, F_LIST, offsetof(T, m), &(t) }
#define MAP(j, m, t) { j, F_MAP, offsetof(T, m), &(t) }
#define KEY(m) { NULL, F_KEY, offsetof(T, m), NULL }

#define TYPE(var, S, rows)                                                   \
	static const struct type var = { #S, sizeof(S), rows, ARRAY_SIZE(rows), \
					 offsetof(S, unknown), NO_OFF, false }

static const struct type meta_t, owner_ref_t, condition_t, pvc_policy_t,
	toggle_t, storage_t, placement_t, buffer_t, stateless_t, multigateway_t,
	multiorch_t, container_t, pool_t, key_ref_t, s3_t, filesystem_t,
	secret_name_t, backup_t, log_levels_t, observability_t, etcd_t,
	external_topo_t, global_topo_t, local_topo_t, topo_server_t,
	global_topo_ref_t, cluster_images_t, cell_images_t, shard_images_t,
	component_images_t, cell_labels_t, core_template_t, cell_template_t,
	cell_overrides_t, shard_template_t, shard_overrides_t, shard_inline_t,
	cluster_shard_t, cluster_tablegroup_t, cluster_database_t,
	cluster_cell_t, multiadmin_t, multiadmin_web_t, image_update_t,
	template_defaults_t, external_access_t, cluster_spec_t,
	cell_status_item_t, db_status_item_t, endpoint_status_t,
	resolved_templates_t, images_status_t, cluster_status_t,
	topology_reconciliation_t, cell_spec_t, cell_status_t,
	resolved_shard_t, tablegroup_spec_t, tablegroup_status_t, shard_spec_t,
	pg_config_status_t, shard_status_t, toposerver_status_t;

/* ---- metadata ---- */

#define T struct mg_owner_ref
static const struct field owner_ref_f[] = {
	STR("apiVersion", api_version),
	STR("kind", kind),
	STR("name", name),
	STR("uid", uid),
	BOOL("controller", controller),
	BOOL("blockOwnerDeletion", block_owner_deletion),
};
TYPE(owner_ref_t, T, owner_ref_f);
#undef T

#define T struct mg_object_meta
static const struct field meta_f[] = {
	STR("name", name),
	STR("generateName", generate_name),
	STR("namespace", namespace),
	STR("uid", uid),
	STR("resourceVersion", resource_version),
	INT("generation", generation),
	STR("creationTimestamp", creation_timestamp),
	STR("deletionTimestamp", deletion_timestamp),
	STRMAP("labels", labels),
	STRMAP("annotations", annotations),
	LIST("ownerReferences", owner_references, owner_ref_t),
	STRLIST("finalizers", finalizers),
};
static const struct type meta_t = { "struct mg_object_meta", sizeof(T),
				    meta_f, ARRAY_SIZE(meta_f),
				    offsetof(T, unknown), offsetof(T, present),
				    false };
#undef T

#define T struct mg_condition
static const struct field condition_f[] = {
	STR("lastTransitionTime", last_transition_time),
	STR("message", message),
	INT("observedGeneration", observed_generation),
	STR("reason", reason),
	STR("status", status),
	STR("type", type),
};
TYPE(condition_t, T, condition_f);
#undef T

/* ---- shared spec structs ---- */

#define T struct mg_pvc_policy
static const struct field pvc_policy_f[] = {
	STR("whenDeleted", when_deleted),
	STR("whenScaled", when_scaled),
};
TYPE(pvc_policy_t, T, pvc_policy_f);
#undef T

#define T struct mg_toggle
static const struct field toggle_f[] = {
	BOOL("enabled", enabled),
};
TYPE(toggle_t, T, toggle_f);
#undef T

#define T struct mg_storage_spec
static const struct field storage_f[] = {
	STR("size", size),
	STR("class", class),
	STRLIST("accessModes", access_modes),
};
TYPE(storage_t, T, storage_f);
#undef T

#define T struct mg_placement
static const struct field placement_f[] = {
	JSON("tolerations", tolerations),
};
TYPE(placement_t, T, placement_f);
#undef T

#define T struct mg_gateway_buffer
static const struct field buffer_f[] = {
	BOOL("enabled", enabled),
	STR("window", window),
	STR("maxFailoverDuration", max_failover_duration),
	STR("minTimeBetweenFailovers", min_time_between_failovers),
	INT("size", size),
	INT("drainConcurrency", drain_concurrency),
};
TYPE(buffer_t, T, buffer_f);
#undef T

#define T struct mg_stateless_spec
#define STATELESS_ROWS                                                       \
	INT("replicas", replicas), JSON("resources", resources),             \
		JSON("affinity", affinity),                                 \
		STRMAP("podAnnotations", pod_annotations),                  \
		STRMAP("podLabels", pod_labels)
static const struct field stateless_f[] = { STATELESS_ROWS };
TYPE(stateless_t, T, stateless_f);
static const struct field multigateway_f[] = {
	STATELESS_ROWS,
	OBJ("buffer", buffer, buffer_t),
};
TYPE(multigateway_t, T, multigateway_f);
static const struct field multiorch_f[] = {
	STATELESS_ROWS,
	OBJ("placement", placement, placement_t),
	STRLIST("cells", cells),
};
TYPE(multiorch_t, T, multiorch_f);
#undef T

#define T struct mg_container_config
static const struct field container_f[] = {
	JSON("resources", resources),
	INT("runAsUser", run_as_user),
	INT("runAsGroup", run_as_group),
};
TYPE(container_t, T, container_f);
#undef T

#define T struct mg_pool_spec
static const struct field pool_f[] = {
	KEY(name),
	STR("type", type),
	STRLIST("cells", cells),
	INT("replicasPerCell", replicas_per_cell),
	OBJ("storage", storage, storage_t),
	OBJ("postgres", postgres, container_t),
	OBJ("multipooler", multipooler, container_t),
	JSON("affinity", affinity),
	JSON("tolerations", tolerations),
	INT("fsGroup", fs_group),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
};
TYPE(pool_t, T, pool_f);
#undef T

#define T struct mg_key_ref
static const struct field key_ref_f[] = {
	STR("name", name),
	STR("key", key),
};
TYPE(key_ref_t, T, key_ref_f);
#undef T

#define T struct mg_s3_backup
static const struct field s3_f[] = {
	STR("bucket", bucket),
	STR("region", region),
	STR("endpoint", endpoint),
	STR("keyPrefix", key_prefix),
	BOOL("useEnvCredentials", use_env_credentials),
	STR("credentialsSecret", credentials_secret),
	STR("serviceAccountName", service_account_name),
};
TYPE(s3_t, T, s3_f);
#undef T

#define T struct mg_backup_filesystem
static const struct field filesystem_f[] = {
	STR("path", path),
	OBJ("storage", storage, storage_t),
};
TYPE(filesystem_t, T, filesystem_f);
#undef T

#define T struct mg_secret_name
static const struct field secret_name_f[] = {
	STR("secretName", secret_name),
};
TYPE(secret_name_t, T, secret_name_f);
#undef T

#define T struct mg_backup_config
static const struct field backup_f[] = {
	STR("type", type),
	OBJ("filesystem", filesystem, filesystem_t),
	OBJ("s3", s3, s3_t),
	OBJ("pgbackrestTLS", pgbackrest_tls, secret_name_t),
	OBJ("encryption", encryption, secret_name_t),
};
TYPE(backup_t, T, backup_f);
#undef T

#define T struct mg_log_levels
static const struct field log_levels_f[] = {
	STR("pgctld", pgctld),
	STR("multipooler", multipooler),
	STR("multiorch", multiorch),
	STR("multiadmin", multiadmin),
	STR("multigateway", multigateway),
};
TYPE(log_levels_t, T, log_levels_f);
#undef T

#define T struct mg_observability
static const struct field observability_f[] = {
	STR("otlpEndpoint", otlp_endpoint),
	STR("otlpMetricsEndpoint", otlp_metrics_endpoint),
	STR("otlpProtocol", otlp_protocol),
	STR("tracesExporter", traces_exporter),
	STR("metricsExporter", metrics_exporter),
	STR("logsExporter", logs_exporter),
	STR("metricExportInterval", metric_export_interval),
	STR("metricsTemporality", metrics_temporality),
	STR("histogramAggregation", histogram_aggregation),
	STR("tracesSampler", traces_sampler),
	OBJ("samplingConfigRef", sampling_config_ref, key_ref_t),
};
TYPE(observability_t, T, observability_f);
#undef T

#define T struct mg_etcd_spec
static const struct field etcd_f[] = {
	STR("image", image),
	INT("replicas", replicas),
	OBJ("storage", storage, storage_t),
	JSON("resources", resources),
	STR("rootPath", root_path),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
};
TYPE(etcd_t, T, etcd_f);
#undef T

#define T struct mg_external_topo
static const struct field external_topo_f[] = {
	STRLIST("endpoints", endpoints),
	STR("implementation", implementation),
	STR("caSecret", ca_secret),
	STR("clientCertSecret", client_cert_secret),
	STR("rootPath", root_path),
};
TYPE(external_topo_t, T, external_topo_f);
#undef T

#define T struct mg_topo_spec
static const struct field global_topo_f[] = {
	OBJ("etcd", etcd, etcd_t),
	OBJ("external", external, external_topo_t),
	STR("templateRef", template_ref),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
	OBJ("placement", placement, placement_t),
};
TYPE(global_topo_t, T, global_topo_f);
static const struct field local_topo_f[] = {
	OBJ("etcd", etcd, etcd_t),
	OBJ("external", external, external_topo_t),
};
TYPE(local_topo_t, T, local_topo_f);
static const struct field topo_server_f[] = {
	OBJ("etcd", etcd, etcd_t),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
	OBJ("placement", placement, placement_t),
};
TYPE(topo_server_t, T, topo_server_f);
#undef T

#define T struct mg_global_topo_ref
static const struct field global_topo_ref_f[] = {
	STR("address", address),
	STR("rootPath", root_path),
	STR("implementation", implementation),
};
TYPE(global_topo_ref_t, T, global_topo_ref_f);
#undef T

#define T struct mg_images
static const struct field cluster_images_f[] = {
	STR("imagePullPolicy", image_pull_policy),
	JSON("imagePullSecrets", image_pull_secrets),
	STR("multigateway", multigateway),
	STR("multiorch", multiorch),
	STR("multipooler", multipooler),
	STR("multiadmin", multiadmin),
	STR("multiadminWeb", multiadmin_web),
	STR("postgres", postgres),
};
TYPE(cluster_images_t, T, cluster_images_f);
static const struct field cell_images_f[] = {
	STR("imagePullPolicy", image_pull_policy),
	JSON("imagePullSecrets", image_pull_secrets),
	STR("multigateway", multigateway),
};
TYPE(cell_images_t, T, cell_images_f);
static const struct field shard_images_f[] = {
	STR("imagePullPolicy", image_pull_policy),
	JSON("imagePullSecrets", image_pull_secrets),
	STR("multiorch", multiorch),
	STR("multipooler", multipooler),
	STR("postgres", postgres),
};
TYPE(shard_images_t, T, shard_images_f);
static const struct field component_images_f[] = {
	STR("multigateway", multigateway),
	STR("multiorch", multiorch),
	STR("multipooler", multipooler),
	STR("multiadmin", multiadmin),
	STR("multiadminWeb", multiadmin_web),
	STR("postgres", postgres),
};
TYPE(component_images_t, T, component_images_f);
#undef T

#define T struct mg_cell_labels
static const struct field cell_labels_f[] = {
	KEY(cell),
	STRMAP(NULL, labels),
};
static const struct type cell_labels_t = { "struct mg_cell_labels", sizeof(T),
					   cell_labels_f,
					   ARRAY_SIZE(cell_labels_f), NO_OFF,
					   NO_OFF, true };
#undef T

/* ---- templates ---- */

#define T struct mg_core_template_spec
static const struct field core_template_f[] = {
	OBJ("globalTopoServer", global_topo_server, topo_server_t),
	OBJ("multiadmin", multiadmin, stateless_t),
	OBJ("multiadminPlacement", multiadmin_placement, placement_t),
	OBJ("multiadminWeb", multiadmin_web, stateless_t),
};
TYPE(core_template_t, T, core_template_f);
#undef T

#define T struct mg_cell_template_spec
static const struct field cell_template_f[] = {
	OBJ("multigateway", multigateway, multigateway_t),
	OBJ("multigatewayPlacement", multigateway_placement, placement_t),
	OBJ("localTopoServer", local_topo_server, local_topo_t),
};
TYPE(cell_template_t, T, cell_template_f);
static const struct field cell_overrides_f[] = {
	OBJ("multigateway", multigateway, multigateway_t),
	OBJ("multigatewayPlacement", multigateway_placement, placement_t),
};
TYPE(cell_overrides_t, T, cell_overrides_f);
#undef T

#define T struct mg_shard_template_spec
#define SHARD_COMMON_ROWS                                                    \
	OBJ("multiorch", multiorch, multiorch_t),                            \
		STR("initdbArgs", initdb_args),                              \
		OBJ("postgresConfigRef", postgres_config_ref, key_ref_t),    \
		STRMAP("postgresConfig", postgres_config),                   \
		MAP("pools", pools, pool_t)
static const struct field shard_template_f[] = {
	SHARD_COMMON_ROWS,
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
};
TYPE(shard_template_t, T, shard_template_f);
static const struct field shard_overrides_f[] = { SHARD_COMMON_ROWS };
TYPE(shard_overrides_t, T, shard_overrides_f);
TYPE(shard_inline_t, T, shard_template_f);
#undef T

/* ---- MultigresCluster ---- */

#define T struct mg_cluster_shard
static const struct field cluster_shard_f[] = {
	STR("name", name),
	STR("shardTemplate", shard_template),
	OBJ("overrides", overrides, shard_overrides_t),
	OBJ("spec", spec, shard_inline_t),
	OBJ("backup", backup, backup_t),
};
TYPE(cluster_shard_t, T, cluster_shard_f);
#undef T

#define T struct mg_cluster_tablegroup
static const struct field cluster_tablegroup_f[] = {
	STR("name", name),
	BOOL("default", default_),
	LIST("shards", shards, cluster_shard_t),
	OBJ("backup", backup, backup_t),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
};
TYPE(cluster_tablegroup_t, T, cluster_tablegroup_f);
#undef T

#define T struct mg_cluster_database
static const struct field cluster_database_f[] = {
	STR("name", name),
	BOOL("default", default_),
	LIST("tablegroups", tablegroups, cluster_tablegroup_t),
	OBJ("backup", backup, backup_t),
	STR("durabilityPolicy", durability_policy),
};
TYPE(cluster_database_t, T, cluster_database_f);
#undef T

#define T struct mg_cluster_cell
static const struct field cluster_cell_f[] = {
	STR("name", name),
	STR("zoneId", zone_id),
	STR("region", region),
	STR("cellTemplate", cell_template),
	OBJ("overrides", overrides, cell_overrides_t),
	OBJ("spec", spec, cell_template_t),
};
TYPE(cluster_cell_t, T, cluster_cell_f);
#undef T

#define T struct mg_component_ref
static const struct field multiadmin_f[] = {
	OBJ("spec", spec, stateless_t),
	STR("templateRef", template_ref),
	OBJ("placement", placement, placement_t),
};
TYPE(multiadmin_t, T, multiadmin_f);
static const struct field multiadmin_web_f[] = {
	OBJ("spec", spec, stateless_t),
	STR("templateRef", template_ref),
};
TYPE(multiadmin_web_t, T, multiadmin_web_f);
#undef T

#define T struct mg_image_update_policy
static const struct field image_update_f[] = {
	STR("strategy", strategy),
	STR("acknowledgedRevision", acknowledged_revision),
};
TYPE(image_update_t, T, image_update_f);
#undef T

#define T struct mg_template_defaults
static const struct field template_defaults_f[] = {
	STR("coreTemplate", core_template),
	STR("cellTemplate", cell_template),
	STR("shardTemplate", shard_template),
};
TYPE(template_defaults_t, T, template_defaults_f);
#undef T

#define T struct mg_external_access
static const struct field external_access_f[] = {
	BOOL("enabled", enabled),
	STRLIST("externalIPs", external_ips),
	STRMAP("annotations", annotations),
};
TYPE(external_access_t, T, external_access_f);
#undef T

#define T struct mg_cluster_spec
static const struct field cluster_spec_f[] = {
	OBJ("images", images, cluster_images_t),
	OBJ("imageUpdatePolicy", image_update_policy, image_update_t),
	OBJ("logLevels", log_levels, log_levels_t),
	OBJ("templateDefaults", template_defaults, template_defaults_t),
	OBJ("globalTopoServer", global_topo_server, global_topo_t),
	OBJ("multiadmin", multiadmin, multiadmin_t),
	OBJ("multiadminWeb", multiadmin_web, multiadmin_web_t),
	LIST("cells", cells, cluster_cell_t),
	LIST("databases", databases, cluster_database_t),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
	OBJ("observability", observability, observability_t),
	OBJ("backup", backup, backup_t),
	OBJ("externalGateway", external_gateway, external_access_t),
	OBJ("externalAdminWeb", external_admin_web, external_access_t),
	OBJ("topologyPruning", topology_pruning, toggle_t),
	STR("durabilityPolicy", durability_policy),
	STR("postgresSuperuser", postgres_superuser),
	OBJ("postgresPasswordSecretRef", postgres_password_secret_ref,
	    key_ref_t),
	OBJ("internalTLS", internal_tls, toggle_t),
	STR("certCommonName", cert_common_name),
};
TYPE(cluster_spec_t, T, cluster_spec_f);
#undef T

#define T struct mg_cluster_cell_status
static const struct field cell_status_item_f[] = {
	KEY(name),
	BOOL("ready", ready),
	INT("gatewayReplicas", gateway_replicas),
};
TYPE(cell_status_item_t, T, cell_status_item_f);
#undef T

#define T struct mg_cluster_db_status
static const struct field db_status_item_f[] = {
	KEY(name),
	INT("readyShards", ready_shards),
	INT("totalShards", total_shards),
};
TYPE(db_status_item_t, T, db_status_item_f);
#undef T

#define T struct mg_endpoint_status
static const struct field endpoint_status_f[] = {
	STR("externalEndpoint", external_endpoint),
};
TYPE(endpoint_status_t, T, endpoint_status_f);
#undef T

#define T struct mg_resolved_templates
static const struct field resolved_templates_f[] = {
	STRLIST("coreTemplates", core_templates),
	STRLIST("cellTemplates", cell_templates),
	STRLIST("shardTemplates", shard_templates),
};
TYPE(resolved_templates_t, T, resolved_templates_f);
#undef T

#define T struct mg_images_status
static const struct field images_status_f[] = {
	STR("updateStrategy", update_strategy),
	OBJ("effective", effective, component_images_t),
	STR("source", source),
	OBJ("applied", applied, component_images_t),
	STR("appliedRevision", applied_revision),
	OBJ("available", available, component_images_t),
	STR("availableRevision", available_revision),
};
TYPE(images_status_t, T, images_status_f);
#undef T

#define COMMON_ROWS                                                          \
	INT("observedGeneration", common.observed_generation),               \
		LIST("conditions", common.conditions, condition_t),         \
		STR("phase", common.phase), STR("message", common.message)

#define T struct mg_cluster_status
static const struct field cluster_status_f[] = {
	COMMON_ROWS,
	MAP("cells", cells, cell_status_item_t),
	OBJ("gateway", gateway, endpoint_status_t),
	OBJ("adminWeb", admin_web, endpoint_status_t),
	MAP("databases", databases, db_status_item_t),
	OBJ("resolvedTemplates", resolved_templates, resolved_templates_t),
	OBJ("images", images, images_status_t),
};
TYPE(cluster_status_t, T, cluster_status_f);
#undef T

/* ---- Cell ---- */

#define T struct mg_topology_reconciliation
static const struct field topology_reconciliation_f[] = {
	BOOL("registerCell", register_cell),
	BOOL("prunePoolers", prune_poolers),
};
TYPE(topology_reconciliation_t, T, topology_reconciliation_f);
#undef T

#define T struct mg_cell_spec
static const struct field cell_spec_f[] = {
	STR("name", name),
	STR("zoneId", zone_id),
	STR("region", region),
	OBJ("images", images, cell_images_t),
	OBJ("multigateway", multigateway, multigateway_t),
	OBJ("multigatewayPlacement", multigateway_placement, placement_t),
	OBJ("globalTopoServer", global_topo_server, global_topo_ref_t),
	OBJ("topoServer", topo_server, local_topo_t),
	STRLIST("allCells", all_cells),
	OBJ("topologyReconciliation", topology_reconciliation,
	    topology_reconciliation_t),
	OBJ("observability", observability, observability_t),
	OBJ("logLevels", log_levels, log_levels_t),
	OBJ("internalTLS", internal_tls, toggle_t),
	STR("certCommonName", cert_common_name),
};
TYPE(cell_spec_t, T, cell_spec_f);
#undef T

#define T struct mg_cell_status
static const struct field cell_status_f[] = {
	COMMON_ROWS,
	INT("gatewayReplicas", gateway_replicas),
	INT("gatewayReadyReplicas", gateway_ready_replicas),
	STR("gatewayServiceName", gateway_service_name),
};
TYPE(cell_status_t, T, cell_status_f);
#undef T

/* ---- TableGroup ---- */

#define T struct mg_resolved_shard
static const struct field resolved_shard_f[] = {
	STR("name", name),
	OBJ("multiorch", multiorch, multiorch_t),
	STR("initdbArgs", initdb_args),
	OBJ("postgresConfigRef", postgres_config_ref, key_ref_t),
	STRMAP("postgresConfig", postgres_config),
	MAP("pools", pools, pool_t),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
	OBJ("backup", backup, backup_t),
};
TYPE(resolved_shard_t, T, resolved_shard_f);
#undef T

#define T struct mg_tablegroup_spec
static const struct field tablegroup_spec_f[] = {
	STR("databaseName", database_name),
	STR("tableGroupName", table_group_name),
	BOOL("default", default_),
	OBJ("images", images, shard_images_t),
	OBJ("globalTopoServer", global_topo_server, global_topo_ref_t),
	LIST("shards", shards, resolved_shard_t),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
	OBJ("internalTLS", internal_tls, toggle_t),
	OBJ("observability", observability, observability_t),
	OBJ("logLevels", log_levels, log_levels_t),
	OBJ("backup", backup, backup_t),
	MAP("cellTopologyLabels", cell_topology_labels, cell_labels_t),
	OBJ("topologyPruning", topology_pruning, toggle_t),
	STR("durabilityPolicy", durability_policy),
	STR("postgresSuperuser", postgres_superuser),
	OBJ("postgresPasswordSecretRef", postgres_password_secret_ref,
	    key_ref_t),
};
TYPE(tablegroup_spec_t, T, tablegroup_spec_f);
#undef T

#define T struct mg_tablegroup_status
static const struct field tablegroup_status_f[] = {
	COMMON_ROWS,
	INT("readyShards", ready_shards),
	INT("totalShards", total_shards),
};
TYPE(tablegroup_status_t, T, tablegroup_status_f);
#undef T

/* ---- Shard ---- */

#define T struct mg_shard_spec
static const struct field shard_spec_f[] = {
	STR("databaseName", database_name),
	STR("tableGroupName", table_group_name),
	STR("shardName", shard_name),
	OBJ("images", images, shard_images_t),
	OBJ("globalTopoServer", global_topo_server, global_topo_ref_t),
	OBJ("multiorch", multiorch, multiorch_t),
	STR("initdbArgs", initdb_args),
	OBJ("postgresConfigRef", postgres_config_ref, key_ref_t),
	STRMAP("postgresConfig", postgres_config),
	MAP("pools", pools, pool_t),
	OBJ("pvcDeletionPolicy", pvc_deletion_policy, pvc_policy_t),
	OBJ("internalTLS", internal_tls, toggle_t),
	OBJ("observability", observability, observability_t),
	OBJ("logLevels", log_levels, log_levels_t),
	OBJ("backup", backup, backup_t),
	OBJ("topologyPruning", topology_pruning, toggle_t),
	STR("durabilityPolicy", durability_policy),
	STR("postgresSuperuser", postgres_superuser),
	OBJ("postgresPasswordSecretRef", postgres_password_secret_ref,
	    key_ref_t),
	MAP("cellTopologyLabels", cell_topology_labels, cell_labels_t),
	INT("replicas", replicas),
};
TYPE(shard_spec_t, T, shard_spec_f);
#undef T

#define T struct mg_postgres_config_status
static const struct field pg_config_status_f[] = {
	BOOL("inProgress", in_progress),
	STR("lastAppliedAt", last_applied_at),
	STR("error", error),
};
TYPE(pg_config_status_t, T, pg_config_status_f);
#undef T

#define T struct mg_shard_status
static const struct field shard_status_f[] = {
	INT("observedGeneration", common.observed_generation),
	OBJ("postgresConfig", postgres_config, pg_config_status_t),
	LIST("conditions", common.conditions, condition_t),
	STR("phase", common.phase),
	STR("message", common.message),
	STRLIST("cells", cells),
	BOOL("orchReady", orch_ready),
	BOOL("poolsReady", pools_ready),
	STR("lastBackupTime", last_backup_time),
	STR("lastBackupType", last_backup_type),
	STRMAP("podRoles", pod_roles),
	INT("readyReplicas", ready_replicas),
};
TYPE(shard_status_t, T, shard_status_f);
#undef T

/* ---- TopoServer ---- */

#define T struct mg_toposerver_status
static const struct field toposerver_status_f[] = {
	COMMON_ROWS,
	STR("clientService", client_service),
	STR("peerService", peer_service),
};
TYPE(toposerver_status_t, T, toposerver_status_f);
#undef T

/* ---- the objects, one root per kind ---- */

#define T struct mg_model_obj
#define ROOT_ROWS(spec_t)                                                    \
	STR("apiVersion", api_version), STR("kind", kind_name),             \
		INLINE("metadata", metadata, meta_t),                       \
		OBJ("spec", spec, spec_t)
static const struct field cluster_obj_f[] = {
	ROOT_ROWS(cluster_spec_t),
	OBJ("status", status, cluster_status_t),
};
static const struct field cell_obj_f[] = {
	ROOT_ROWS(cell_spec_t),
	OBJ("status", status, cell_status_t),
};
static const struct field tablegroup_obj_f[] = {
	ROOT_ROWS(tablegroup_spec_t),
	OBJ("status", status, tablegroup_status_t),
};
static const struct field shard_obj_f[] = {
	ROOT_ROWS(shard_spec_t),
	OBJ("status", status, shard_status_t),
};
static const struct field toposerver_obj_f[] = {
	ROOT_ROWS(topo_server_t),
	OBJ("status", status, toposerver_status_t),
};
static const struct field core_template_obj_f[] = {
	ROOT_ROWS(core_template_t),
};
static const struct field cell_template_obj_f[] = {
	ROOT_ROWS(cell_template_t),
};
static const struct field shard_template_obj_f[] = {
	ROOT_ROWS(shard_template_t),
};

#define ROOT(S, rows) { #S, sizeof(S), rows, ARRAY_SIZE(rows), offsetof(S, unknown), NO_OFF, false }
static const struct type roots[MG_KIND_COUNT] = {
	[MG_KIND_MULTIGRESCLUSTER] = ROOT(T, cluster_obj_f),
	[MG_KIND_CELL] = ROOT(T, cell_obj_f),
	[MG_KIND_TABLEGROUP] = ROOT(T, tablegroup_obj_f),
	[MG_KIND_SHARD] = ROOT(T, shard_obj_f),
	[MG_KIND_TOPOSERVER] = ROOT(T, toposerver_obj_f),
	[MG_KIND_CORETEMPLATE] = ROOT(T, core_template_obj_f),
	[MG_KIND_CELLTEMPLATE] = ROOT(T, cell_template_obj_f),
	[MG_KIND_SHARDTEMPLATE] = ROOT(T, shard_template_obj_f),
};
#undef T

/* ---- raw access ------------------------------------------------------------------- */

static void *
ptr_get(const void *base, size_t off)
{
	struct mg_any *p;

	memcpy(&p, (const char *)base + off, sizeof(p));
	return p;
}

static void
ptr_set(void *base, size_t off, void *v)
{
	struct mg_any *p = v;

	memcpy((char *)base + off, &p, sizeof(p));
}

static void
list_get(const void *base, size_t off, bool *present, size_t *n, char **v)
{
	const char *l = (const char *)base + off;

	memcpy(present, l + offsetof(struct list_layout, present),
	       sizeof(*present));
	memcpy(n, l + offsetof(struct list_layout, n), sizeof(*n));
	*v = ptr_get(l, offsetof(struct list_layout, v));
}

static void
list_set(void *base, size_t off, size_t n, void *v)
{
	char *l = (char *)base + off;
	bool yes = true;

	memcpy(l + offsetof(struct list_layout, present), &yes, sizeof(yes));
	memcpy(l + offsetof(struct list_layout, n), &n, sizeof(n));
	ptr_set(l, offsetof(struct list_layout, v), v);
}

static char **
str_at(void *base, size_t off)
{
	return (char **)(void *)((char *)base + off);
}

static cJSON **
json_at(void *base, size_t off)
{
	return (cJSON **)(void *)((char *)base + off);
}

#define AT(type, base, off) ((type *)(void *)((char *)(base) + (off)))

/* ---- small helpers ------------------------------------------------------------ */

static bool
is_integral(const cJSON *v)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	return d > -9.2e18 && d < 9.2e18 && (double)(int64_t)d == d;
}

const char *
mg_model_strmap_get(const struct mg_model_strmap *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return m->v[i].value;
	return NULL;
}

void
mg_model_strmap_set(struct mg_model_strmap *m, const char *key, const char *value)
{
	size_t i;

	m->present = true;
	for (i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].key, key) == 0) {
			free(m->v[i].value);
			m->v[i].value = mg_xstrdup(value);
			return;
		}
	}
	m->v = mg_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n].key = mg_xstrdup(key);
	m->v[m->n].value = mg_xstrdup(value);
	m->n++;
}

bool
mg_model_strlist_has(const struct mg_model_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
mg_model_strlist_add(struct mg_model_strlist *l, const char *s)
{
	l->present = true;
	l->v = mg_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = mg_xstrdup(s);
}

const struct mg_condition *
mg_conditions_find(const struct mg_conditions *c, const char *type)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].type && strcmp(c->v[i].type, type) == 0)
			return &c->v[i];
	return NULL;
}

struct mg_pool_spec *
mg_pools_find(const struct mg_pools *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

/* ---- decode ---------------------------------------------------------------------- */

struct dctx {
	struct mg_findings *probs; /* shape notes (TRUSTED input) */
	struct mg_buf path;
};

static size_t
push(struct dctx *c, const char *key)
{
	size_t len = c->path.len;

	if (len)
		mg_buf_addch(&c->path, '.');
	mg_buf_adds(&c->path, key);
	return len;
}

static void
pop(struct dctx *c, size_t len)
{
	c->path.len = len;
	if (c->path.alloc)
		c->path.data[len] = '\0';
}

static void decode_obj(const struct type *t, const cJSON *in, void *base,
		       struct dctx *c);

/* Whether a member has the shape field f needs (shallowly for structs). */
static bool
shape_ok(const struct field *f, const cJSON *m)
{
	const cJSON *x;

	switch (f->type) {
	case F_STR:
		return cJSON_IsString(m);
	case F_INT:
		return is_integral(m);
	case F_BOOL:
		return cJSON_IsBool(m);
	case F_JSON:
		return true;
	case F_STRMAP:
		if (!cJSON_IsObject(m))
			return false;
		cJSON_ArrayForEach(x, m) {
			if (!cJSON_IsString(x) && !cJSON_IsNull(x))
				return false;
		}
		return true;
	case F_STRLIST:
		if (!cJSON_IsArray(m))
			return false;
		cJSON_ArrayForEach(x, m) {
			if (!cJSON_IsString(x))
				return false;
		}
		return true;
	case F_OBJ:
	case F_INLINE:
		return cJSON_IsObject(m);
	case F_LIST:
		if (!cJSON_IsArray(m))
			return false;
		cJSON_ArrayForEach(x, m) {
			if (!cJSON_IsObject(x))
				return false;
		}
		return true;
	case F_MAP:
		if (!cJSON_IsObject(m))
			return false;
		cJSON_ArrayForEach(x, m) {
			if (cJSON_IsNull(x))
				continue;
			if (f->sub->whole_value ? !shape_ok(&f->sub->fields[1], x)
						: !cJSON_IsObject(x))
				return false;
		}
		return true;
	case F_KEY:
		break;
	}
	return false;
}

/* Decodes m into field f of base; m has the right shape. */
static void
decode_field(const struct field *f, const cJSON *m, void *base,
	     struct dctx *c)
{
	const cJSON *x;
	size_t n, i, len;
	char *v;

	switch (f->type) {
	case F_STR:
		*str_at(base, f->off) = mg_xstrdup(m->valuestring);
		break;
	case F_INT:
		AT(struct mg_opt_i64, base, f->off)->set = true;
		AT(struct mg_opt_i64, base, f->off)->v = (int64_t)m->valuedouble;
		break;
	case F_BOOL:
		AT(struct mg_opt_bool, base, f->off)->set = true;
		AT(struct mg_opt_bool, base, f->off)->v = cJSON_IsTrue(m);
		break;
	case F_JSON:
		*json_at(base, f->off) = cJSON_Duplicate(m, true);
		if (!*json_at(base, f->off))
			MG_BUG("cJSON_Duplicate failed");
		break;
	case F_STRMAP: {
		struct mg_model_strmap *sm = AT(struct mg_model_strmap, base, f->off);

		sm->present = true;
		cJSON_ArrayForEach(x, m) {
			if (!cJSON_IsNull(x))
				mg_model_strmap_set(sm, x->string, x->valuestring);
		}
		break;
	}
	case F_STRLIST: {
		struct mg_model_strlist *sl = AT(struct mg_model_strlist, base, f->off);

		sl->present = true;
		cJSON_ArrayForEach(x, m) {
			mg_model_strlist_add(sl, x->valuestring);
		}
		break;
	}
	case F_OBJ:
		v = mg_xcalloc(1, f->sub->size);
		decode_obj(f->sub, m, v, c);
		ptr_set(base, f->off, v);
		break;
	case F_INLINE:
		*AT(bool, base, f->off + f->sub->present_off) = true;
		decode_obj(f->sub, m, (char *)base + f->off, c);
		break;
	case F_LIST:
		n = (size_t)cJSON_GetArraySize(m);
		v = n ? mg_xcalloc(n, f->sub->size) : NULL;
		i = 0;
		cJSON_ArrayForEach(x, m) {
			len = c->path.len;
			mg_buf_addf(&c->path, "[%zu]", i);
			decode_obj(f->sub, x, v + i * f->sub->size, c);
			pop(c, len);
			i++;
		}
		list_set(base, f->off, n, v);
		break;
	case F_MAP:
		n = 0;
		cJSON_ArrayForEach(x, m) {
			n += !cJSON_IsNull(x);
		}
		v = n ? mg_xcalloc(n, f->sub->size) : NULL;
		i = 0;
		cJSON_ArrayForEach(x, m) {
			char *item = v + i * f->sub->size;

			if (cJSON_IsNull(x))
				continue;
			*str_at(item, f->sub->fields[0].off) =
				mg_xstrdup(x->string);
			len = push(c, x->string);
			if (f->sub->whole_value)
				decode_field(&f->sub->fields[1], x, item, c);
			else
				decode_obj(f->sub, x, item, c);
			pop(c, len);
			i++;
		}
		list_set(base, f->off, n, v);
		break;
	case F_KEY:
		MG_BUG("a map key is not a member");
	}
}

static void
keep_unknown(const struct type *t, void *base, const cJSON *m)
{
	cJSON **u, *dup;

	if (t->unknown_off == NO_OFF)
		MG_BUG("no place for unknown members");
	u = json_at(base, t->unknown_off);
	if (!*u)
		*u = cJSON_CreateObject();
	dup = cJSON_Duplicate(m, true);
	if (!*u || !dup)
		MG_BUG("cJSON allocation failed");
	cJSON_AddItemToObject(*u, m->string, dup);
}

static const struct field *
find_field(const struct type *t, const char *json)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].json && strcmp(t->fields[i].json, json) == 0)
			return &t->fields[i];
	return NULL;
}

static void
decode_obj(const struct type *t, const cJSON *in, void *base, struct dctx *c)
{
	const cJSON *m;
	const struct field *f;
	size_t len;

	cJSON_ArrayForEach(m, in) {
		if (cJSON_IsNull(m))
			continue; /* pruned, as the API server does */
		f = find_field(t, m->string);
		len = push(c, m->string);
		if (!f) {
			keep_unknown(t, base, m);
		} else if (!shape_ok(f, m)) {
			/* only from TRUSTED input: keep it, say so */
			keep_unknown(t, base, m);
			if (c->probs)
				mg_findings_add_problem(c->probs, MG_PROBLEM_TYPE, -1,
						c->path.data,
						"kept as an unknown member: not "
						"of the type the model expects");
		} else {
			decode_field(f, m, base, c);
		}
		pop(c, len);
	}
}

/* ---- emit ----------------------------------------------------------------------------- */

static cJSON *emit_obj(const struct type *t, const void *base);

static void
add(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		MG_BUG("cJSON allocation failed");
	cJSON_AddItemToObject(obj, key, item);
}

/* The JSON of field f of base, or NULL when it is absent. */
static cJSON *
emit_field(const struct field *f, const void *base)
{
	const char *b = base;
	cJSON *out = NULL;
	size_t i, n;
	bool present;
	char *v;

	switch (f->type) {
	case F_STR: {
		const char *s = *(char *const *)(const void *)(b + f->off);

		return s ? cJSON_CreateString(s) : NULL;
	}
	case F_INT: {
		const struct mg_opt_i64 *x =
			(const struct mg_opt_i64 *)(const void *)(b + f->off);

		return x->set ? cJSON_CreateNumber((double)x->v) : NULL;
	}
	case F_BOOL: {
		const struct mg_opt_bool *x =
			(const struct mg_opt_bool *)(const void *)(b + f->off);

		return x->set ? cJSON_CreateBool(x->v) : NULL;
	}
	case F_JSON: {
		const cJSON *x = *(cJSON *const *)(const void *)(b + f->off);

		return x ? cJSON_Duplicate(x, true) : NULL;
	}
	case F_STRMAP: {
		const struct mg_model_strmap *sm =
			(const struct mg_model_strmap *)(const void *)(b + f->off);

		if (!sm->present)
			return NULL;
		out = cJSON_CreateObject();
		for (i = 0; i < sm->n; i++)
			add(out, sm->v[i].key, cJSON_CreateString(sm->v[i].value));
		return out;
	}
	case F_STRLIST: {
		const struct mg_model_strlist *sl =
			(const struct mg_model_strlist *)(const void *)(b + f->off);

		if (!sl->present)
			return NULL;
		out = cJSON_CreateArray();
		for (i = 0; i < sl->n; i++)
			cJSON_AddItemToArray(out, cJSON_CreateString(sl->v[i]));
		return out;
	}
	case F_OBJ:
		v = ptr_get(b, f->off);
		return v ? emit_obj(f->sub, v) : NULL;
	case F_INLINE:
		if (!*(const bool *)(const void *)(b + f->off +
						     f->sub->present_off))
			return NULL;
		return emit_obj(f->sub, b + f->off);
	case F_LIST:
		list_get(b, f->off, &present, &n, &v);
		if (!present)
			return NULL;
		out = cJSON_CreateArray();
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(out, emit_obj(f->sub,
							   v + i * f->sub->size));
		return out;
	case F_MAP:
		list_get(b, f->off, &present, &n, &v);
		if (!present)
			return NULL;
		out = cJSON_CreateObject();
		for (i = 0; i < n; i++) {
			const char *item = v + i * f->sub->size;
			const char *key = *(char *const *)(const void *)(
				item + f->sub->fields[0].off);

			add(out, key,
			    f->sub->whole_value
				    ? emit_field(&f->sub->fields[1], item)
				    : emit_obj(f->sub, item));
		}
		return out;
	case F_KEY:
		break;
	}
	return NULL;
}

static cJSON *
emit_obj(const struct type *t, const void *base)
{
	cJSON *out = cJSON_CreateObject(), *x;
	size_t i;

	if (!out)
		MG_BUG("cJSON allocation failed");
	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].type == F_KEY)
			continue;
		x = emit_field(&t->fields[i], base);
		if (x)
			add(out, t->fields[i].json, x);
	}
	if (t->unknown_off != NO_OFF) {
		const cJSON *u = *(cJSON *const *)(const void *)(
			(const char *)base + t->unknown_off);

		cJSON_ArrayForEach(x, u) {
			if (!cJSON_GetObjectItemCaseSensitive(out, x->string))
				add(out, x->string, cJSON_Duplicate(x, true));
		}
	}
	return out;
}

/* ---- free ------------------------------------------------------------------------------ */

static void free_obj(const struct type *t, void *base);

static void
free_field(const struct field *f, void *base)
{
	size_t i, n;
	bool present;
	char *v;

	switch (f->type) {
	case F_STR:
	case F_KEY:
		free(*str_at(base, f->off));
		break;
	case F_INT:
	case F_BOOL:
		break;
	case F_JSON:
		cJSON_Delete(*json_at(base, f->off));
		break;
	case F_STRMAP: {
		struct mg_model_strmap *sm = AT(struct mg_model_strmap, base, f->off);

		for (i = 0; i < sm->n; i++) {
			free(sm->v[i].key);
			free(sm->v[i].value);
		}
		free(sm->v);
		break;
	}
	case F_STRLIST: {
		struct mg_model_strlist *sl = AT(struct mg_model_strlist, base, f->off);

		for (i = 0; i < sl->n; i++)
			free(sl->v[i]);
		free(sl->v);
		break;
	}
	case F_OBJ:
		v = ptr_get(base, f->off);
		if (v) {
			free_obj(f->sub, v);
			free(v);
		}
		break;
	case F_INLINE:
		free_obj(f->sub, (char *)base + f->off);
		break;
	case F_LIST:
	case F_MAP:
		list_get(base, f->off, &present, &n, &v);
		for (i = 0; i < n; i++) {
			if (f->sub->whole_value) {
				free_field(&f->sub->fields[0], v + i * f->sub->size);
				free_field(&f->sub->fields[1], v + i * f->sub->size);
			} else {
				free_obj(f->sub, v + i * f->sub->size);
			}
		}
		free(v);
		break;
	}
}

static void
free_obj(const struct type *t, void *base)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		free_field(&t->fields[i], base);
	if (t->unknown_off != NO_OFF)
		cJSON_Delete(*json_at(base, t->unknown_off));
}

/* ---- public API ------------------------------------------------------------------------ */

/* Whether name[0..*len) ends with suffix; if so, drops it from *len. */
static bool
drop_suffix(const char *name, size_t *len, const char *suffix)
{
	size_t n = strlen(suffix);

	if (*len <= n || strncasecmp(name + *len - n, suffix, n) != 0)
		return false;
	*len -= n;
	return true;
}

const struct mg_kind_info *
mg_model_kind_lookup(const char *name)
{
	size_t len, i;

	if (!name)
		return NULL;
	len = strlen(name);
	if (drop_suffix(name, &len, "." MG_SCHEMA_GROUP))
		drop_suffix(name, &len, "." MG_SCHEMA_VERSION);
	for (i = 0; i < MG_KIND_COUNT; i++) {
		const struct mg_kind_info *k = &mg_kind_infos[i];
		const char *names[] = { k->name, k->plural, k->singular,
					k->short_name };
		size_t j;

		for (j = 0; j < ARRAY_SIZE(names); j++)
			if (strlen(names[j]) == len &&
			    strncasecmp(names[j], name, len) == 0)
				return k;
	}
	return NULL;
}

static const struct mg_kind_info *
kind_exact(const char *name)
{
	size_t i;

	for (i = 0; name && i < MG_KIND_COUNT; i++)
		if (strcmp(mg_kind_infos[i].name, name) == 0)
			return &mg_kind_infos[i];
	return NULL;
}

int
mg_model_parse(const cJSON *in, enum mg_model_strict strict,
	       struct mg_model_obj **out, struct mg_findings *probs,
	       struct mg_err *err)
{
	struct mg_findings local = MG_FINDINGS_INIT, view;
	struct mg_findings *p = probs ? probs : &local;
	struct dctx c = { NULL, MG_BUF_INIT };
	const struct mg_kind_info *info = NULL;
	const cJSON *kind, *api, *name;
	struct mg_model_obj *obj;
	char *what = NULL;
	size_t before = p->n, i;
	int rc = 0;

	*out = NULL;
	if (!cJSON_IsObject(in)) {
		mg_findings_add_problem(p, MG_PROBLEM_OBJECT, -1, "",
				"not an object but %s",
				cJSON_IsArray(in) ? "an array" : "a scalar");
		goto out;
	}
	kind = cJSON_GetObjectItemCaseSensitive(in, "kind");
	api = cJSON_GetObjectItemCaseSensitive(in, "apiVersion");
	name = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(in, "metadata"), "name");
	info = kind_exact(cJSON_IsString(kind) ? kind->valuestring : NULL);
	if (!info) {
		struct mg_buf msg = MG_BUF_INIT;

		mg_buf_adds(&msg, cJSON_IsString(kind) ? "Unsupported value: "
						       : "Required value: ");
		if (cJSON_IsString(kind))
			mg_buf_addf(&msg, "\"%s\": ", kind->valuestring);
		mg_buf_adds(&msg, "supported values: ");
		for (i = 0; i < MG_KIND_COUNT; i++)
			mg_buf_addf(&msg, "%s\"%s\"", i ? ", " : "",
				    mg_kind_infos[i].name);
		mg_findings_add_problem(p, MG_PROBLEM_OBJECT, -1, "kind", "%s", msg.data);
		mg_buf_release(&msg);
		goto out;
	}
	if (!cJSON_IsString(api) ||
	    strcmp(api->valuestring, MG_SCHEMA_API_VERSION) != 0) {
		mg_findings_add_problem(p, MG_PROBLEM_OBJECT, -1, "apiVersion",
				"Unsupported value: %s%s%s: supported values: "
				"\"" MG_SCHEMA_API_VERSION "\"",
				cJSON_IsString(api) ? "\"" : "",
				cJSON_IsString(api) ? api->valuestring : "null",
				cJSON_IsString(api) ? "\"" : "");
		goto out;
	}
	if (strict != MG_MODEL_TRUSTED &&
	    mg_schema_validate(info->kind, in,
			       strict == MG_MODEL_STRICT ? MG_SCHEMA_STRICT : 0,
			       p))
		goto out;
	obj = mg_xcalloc(1, sizeof(*obj));
	obj->kind = info->kind;
	c.probs = strict == MG_MODEL_TRUSTED ? p : NULL;
	decode_obj(&roots[info->kind], in, obj, &c);
	mg_buf_release(&c.path);
	*out = obj;
	goto done;
out:
	what = info ? mg_xasprintf("%s '%s'", info->name,
				   cJSON_IsString(name) ? name->valuestring : "")
		    : mg_xstrdup("object");
	view.v = p->v + before;
	view.n = p->n - before;
	view.alloc = 0;
	rc = mg_findings_to_err(&view, what, err);
done:
	free(what);
	mg_findings_release(&local);
	return rc;
}

void
mg_model_emit(const struct mg_model_obj *obj, cJSON **out)
{
	*out = emit_obj(&roots[obj->kind], obj);
}

void
mg_model_free(struct mg_model_obj *obj)
{
	if (!obj)
		return;
	free_obj(&roots[obj->kind], obj);
	free(obj);
}

const struct mg_status_common *
mg_model_status_common(const struct mg_model_obj *obj)
{
	switch (obj->kind) {
	case MG_KIND_MULTIGRESCLUSTER:
		return obj->status.cluster ? &obj->status.cluster->common : NULL;
	case MG_KIND_CELL:
		return obj->status.cell ? &obj->status.cell->common : NULL;
	case MG_KIND_TABLEGROUP:
		return obj->status.tablegroup ? &obj->status.tablegroup->common
					      : NULL;
	case MG_KIND_SHARD:
		return obj->status.shard ? &obj->status.shard->common : NULL;
	case MG_KIND_TOPOSERVER:
		return obj->status.toposerver ? &obj->status.toposerver->common
					      : NULL;
	case MG_KIND_CORETEMPLATE:
	case MG_KIND_CELLTEMPLATE:
	case MG_KIND_SHARDTEMPLATE:
	case MG_KIND_COUNT:
		break;
	}
	return NULL;
}

int
mg_model_check_update(const struct mg_model_obj *old,
		      const struct mg_model_obj *obj, bool strict,
		      struct mg_findings *probs, struct mg_err *err)
{
	struct mg_findings local = MG_FINDINGS_INIT, view;
	struct mg_findings *p = probs ? probs : &local;
	size_t before = p->n;
	cJSON *a = NULL, *b = NULL;
	char *what;
	int rc;

	if (old->kind != obj->kind) {
		mg_findings_add_problem(p, MG_PROBLEM_OBJECT, -1, "kind",
				"Invalid value: \"%s\": field is immutable",
				mg_kind_infos[obj->kind].name);
	} else {
		mg_model_emit(old, &a);
		mg_model_emit(obj, &b);
		mg_schema_validate_update(obj->kind, b, a,
					  strict ? MG_SCHEMA_STRICT : 0, p);
	}
	what = mg_xasprintf("%s '%s'", mg_kind_infos[obj->kind].name,
			    obj->metadata.name ? obj->metadata.name : "");
	view.v = p->v + before;
	view.n = p->n - before;
	view.alloc = 0;
	rc = mg_findings_to_err(&view, what, err);
	free(what);
	cJSON_Delete(a);
	cJSON_Delete(b);
	mg_findings_release(&local);
	return rc;
}

/* ---- the tables against the schema ------------------------------------------------------- */

static size_t check_type(const struct type *t, uint16_t node, const char *path,
			 struct mg_buf *report);

static size_t
mismatch(struct mg_buf *report, const char *path, const char *what)
{
	mg_buf_addf(report, "%s: %s\n", path, what);
	return 1;
}

static size_t
check_field(const struct field *f, uint16_t pn, const char *path,
	    struct mg_buf *report)
{
	const struct mg_schema_node *s = &mg_schema_nodes[pn];
	const struct mg_schema_node *items =
		s->items ? &mg_schema_nodes[s->items] : NULL;

	switch (f->type) {
	case F_STR:
		if (s->type != MG_SCHEMA_STRING)
			return mismatch(report, path, "not a string in the schema");
		return 0;
	case F_INT:
		if (s->type != MG_SCHEMA_INTEGER)
			return mismatch(report, path, "not an integer in the schema");
		return 0;
	case F_BOOL:
		if (s->type != MG_SCHEMA_BOOLEAN)
			return mismatch(report, path, "not a boolean in the schema");
		return 0;
	case F_JSON:
		return 0;
	case F_STRMAP:
		if (s->type != MG_SCHEMA_OBJECT || !items ||
		    items->type != MG_SCHEMA_STRING)
			return mismatch(report, path,
					"not a map of strings in the schema");
		return 0;
	case F_STRLIST:
		if (s->type != MG_SCHEMA_ARRAY || !items ||
		    items->type != MG_SCHEMA_STRING)
			return mismatch(report, path,
					"not a list of strings in the schema");
		return 0;
	case F_OBJ:
	case F_INLINE:
		if (s->type != MG_SCHEMA_OBJECT || s->items)
			return mismatch(report, path, "not an object in the schema");
		if (s->flags & MG_SCHEMA_OBJECT_META)
			return 0; /* ObjectMeta: Kubernetes's */
		return check_type(f->sub, pn, path, report);
	case F_LIST:
		if (s->type != MG_SCHEMA_ARRAY || !items ||
		    items->type != MG_SCHEMA_OBJECT)
			return mismatch(report, path,
					"not a list of objects in the schema");
		return check_type(f->sub, s->items, path, report);
	case F_MAP:
		if (s->type != MG_SCHEMA_OBJECT || !items)
			return mismatch(report, path, "not a map in the schema");
		if (f->sub->whole_value)
			return check_field(&f->sub->fields[1], s->items, path,
					   report);
		return check_type(f->sub, s->items, path, report);
	case F_KEY:
		break;
	}
	return 0;
}

static size_t
check_type(const struct type *t, uint16_t node, const char *path,
	   struct mg_buf *report)
{
	const struct mg_schema_node *s = &mg_schema_nodes[node];
	size_t bad = 0, i, j, last = 0;
	char *sub;

	for (i = 0; i < t->nfields; i++) {
		const struct field *f = &t->fields[i];
		size_t idx = SIZE_MAX;

		if (f->type == F_KEY) {
			if (i != 0)
				bad += mismatch(report, path, "a map key not first");
			continue;
		}
		for (j = 0; j < s->nprops; j++)
			if (strcmp(mg_schema_props[s->props + j].name, f->json) == 0)
				idx = j;
		sub = mg_xasprintf("%s.%s", path, f->json);
		if (idx == SIZE_MAX) {
			bad += mismatch(report, sub, "not in the schema");
		} else {
			if (idx < last)
				bad += mismatch(report, sub,
						"out of the schema's order");
			last = idx;
			bad += check_field(f, mg_schema_props[s->props + idx].node,
					   sub, report);
		}
		free(sub);
	}
	for (j = 0; j < s->nprops; j++) {
		const char *name = mg_schema_props[s->props + j].name;

		if (!find_field(t, name)) {
			char *what = mg_xasprintf("not in the model (%s)",
						  t->name);

			sub = mg_xasprintf("%s.%s", path, name);
			bad += mismatch(report, sub, what);
			free(sub);
			free(what);
		}
	}
	if (t->unknown_off == NO_OFF && !t->whole_value)
		bad += mismatch(report, path, "no place for unknown members");
	return bad;
}

size_t
mg_model_check_tables(struct mg_buf *report)
{
	size_t bad = 0, k;

	for (k = 0; k < MG_KIND_COUNT; k++)
		bad += check_type(&roots[k], mg_kind_infos[k].schema,
				  mg_kind_infos[k].name, report);
	return bad;
}
