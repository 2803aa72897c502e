/*
 * labels.h - the metadata keys and values the Go operator writes.
 *
 * Every label key, annotation key, finalizer and well-known value that
 * multigres-operator `main` puts on objects, in one place, so that our
 * plugin, TUI and operator select and patch exactly what the Go operator
 * does. Reference: multigres-operator-facts.md 3.3-3.5 and 5.1. Strings
 * only: there is nothing to own or free. The few helpers at the end
 * (labels.c) cannot fail.
 */
#ifndef MG_LABELS_H
#define MG_LABELS_H

#include "compat.h"

/*
 * Standard Kubernetes labels, on every managed object: name and part-of
 * are "multigres", instance is the cluster name, component one of the
 * MG_COMPONENT_* values, managed-by "multigres-operator". The operator's
 * informer cache only sees Secrets, Services, Pods and StatefulSets
 * outside its own namespace when they carry the managed-by label.
 * (`version` is declared upstream but not written on objects.)
 */
#define MG_LABEL_APP_NAME       "app.kubernetes.io/name"
#define MG_LABEL_APP_INSTANCE   "app.kubernetes.io/instance"
#define MG_LABEL_APP_VERSION    "app.kubernetes.io/version"
#define MG_LABEL_APP_COMPONENT  "app.kubernetes.io/component"
#define MG_LABEL_APP_PART_OF    "app.kubernetes.io/part-of"
#define MG_LABEL_APP_MANAGED_BY "app.kubernetes.io/managed-by"

#define MG_APP_NAME   "multigres" /* value of name and part-of */
#define MG_MANAGED_BY "multigres-operator"

/* Values of app.kubernetes.io/component. */
#define MG_COMPONENT_MULTIADMIN     "multiadmin"
#define MG_COMPONENT_MULTIADMIN_WEB "multiadmin-web"
#define MG_COMPONENT_MULTIGATEWAY   "multigateway"
#define MG_COMPONENT_GLOBAL_TOPO    "global-topo"
#define MG_COMPONENT_TOPOSERVER     "toposerver"
#define MG_COMPONENT_CELL           "cell"
#define MG_COMPONENT_SHARD          "shard"
#define MG_COMPONENT_TABLEGROUP     "tablegroup"
/* Pool pods, pool PVCs, PDBs, headless Services and the backup PVC. */
#define MG_COMPONENT_SHARD_POOL     "shard-pool"
#define MG_COMPONENT_MULTIORCH      "multiorch"
#define MG_COMPONENT_PGBACKREST_TLS "pgbackrest-tls"
/*
 * Less visible component values upstream also writes: a cell's managed
 * local TopoServer CR (its etcd objects are "toposerver" again), and the
 * three per-shard ConfigMaps (pg_hba template, rendered postgresql.conf,
 * postgres_exporter queries).
 */
#define MG_COMPONENT_LOCAL_TOPO       "local-topo"
#define MG_COMPONENT_PG_HBA_CONFIG    "pg-hba-config"
#define MG_COMPONENT_POSTGRES_CONFIG  "postgres-config"
#define MG_COMPONENT_EXPORTER_QUERIES "postgres-exporter-queries"

/*
 * Identity labels: where an object sits in the cluster. These six, with
 * component and instance, are the only keys used in selectors (see
 * mg_label_is_selector); zone-id and region are informational.
 */
#define MG_LABEL_CLUSTER    "multigres.com/cluster"
#define MG_LABEL_DATABASE   "multigres.com/database"
#define MG_LABEL_TABLEGROUP "multigres.com/tablegroup"
#define MG_LABEL_SHARD      "multigres.com/shard"
#define MG_LABEL_POOL       "multigres.com/pool"
#define MG_LABEL_CELL       "multigres.com/cell"
#define MG_LABEL_ZONE_ID    "multigres.com/zone-id"
#define MG_LABEL_REGION     "multigres.com/region"

/*
 * A pod's notable topology role, kept as a label so that PVC cleanup
 * still knows after the topology entry is gone. The only value written
 * is DRAINED (MG_ROLE_DRAINED); the label is removed otherwise.
 */
#define MG_LABEL_ROLE "multigres.com/role"

/*
 * An orphaned PVC (owner reference removed, kept for later reuse or for
 * multigres-gc): the UTC time it was orphaned, with dashes in the time
 * part because ':' is not allowed in label values. Go layout
 * "2006-01-02T15-04-05Z"; MG_LABEL_ORPHAN_SINCE_FMT is the same for
 * strftime().
 */
#define MG_LABEL_ORPHAN_SINCE     "multigres.com/orphan-since"
#define MG_LABEL_ORPHAN_SINCE_FMT "%Y-%m-%dT%H-%M-%SZ"

/* Which template produced an object. */
#define MG_LABEL_CELL_TEMPLATE  "multigres.com/cell-template"
#define MG_LABEL_SHARD_TEMPLATE "multigres.com/shard-template"

/*
 * On the MultigresCluster: set to "true" while it references a template
 * of that kind, removed when it no longer does.
 */
#define MG_LABEL_USES_CORE_TEMPLATE  "multigres.com/uses-core-template"
#define MG_LABEL_USES_CELL_TEMPLATE  "multigres.com/uses-cell-template"
#define MG_LABEL_USES_SHARD_TEMPLATE "multigres.com/uses-shard-template"
#define MG_LABEL_TRUE                "true"

/*
 * Node labels a cell's zoneId / region become in the pool pods'
 * nodeSelector (not labels on our objects).
 */
#define MG_NODE_LABEL_ZONE_ID "topology.k8s.aws/zone-id"
#define MG_NODE_LABEL_REGION  "topology.kubernetes.io/region"

/*
 * Pod roles as shard status.podRoles reports them (from topology).
 * DRAINED is no longer produced on `main` (v0.11.1 produced it from
 * PoolerType_DRAINED); QUARANTINED replaced it there.
 */
#define MG_ROLE_PRIMARY     "PRIMARY"
#define MG_ROLE_REPLICA     "REPLICA"
#define MG_ROLE_DRAINED     "DRAINED"
#define MG_ROLE_QUARANTINED "QUARANTINED"

/* Drift and configuration hashes on pool pods (and, for config, shards). */
#define MG_ANNOT_SPEC_HASH            "multigres.com/spec-hash"
#define MG_ANNOT_POSTGRES_CONFIG_HASH "multigres.com/postgres-config-hash"
#define MG_ANNOT_POSTGRES_RELOAD_HASH "multigres.com/postgres-reload-hash"

/*
 * On the MultigresCluster: JSON of the default image set the operator
 * committed to, or the value "fully-pinned".
 */
#define MG_ANNOT_APPLIED_IMAGES        "multigres.com/applied-images"
#define MG_APPLIED_IMAGES_FULLY_PINNED "fully-pinned"

/*
 * The drain state machine lives in these two pod annotations and nowhere
 * else (see drain.h): the state, and the RFC 3339 UTC time the drain was
 * requested.
 */
#define MG_ANNOT_DRAIN_STATE        "drain.multigres.com/state"
#define MG_ANNOT_DRAIN_REQUESTED_AT "drain.multigres.com/requested-at"

#define MG_DRAIN_VALUE_REQUESTED          "requested"
#define MG_DRAIN_VALUE_DRAINING           "draining"
#define MG_DRAIN_VALUE_ACKNOWLEDGED       "acknowledged"
#define MG_DRAIN_VALUE_READY_FOR_DELETION "ready-for-deletion"

/*
 * On a Shard, TableGroup or Cell its parent wants gone: the RFC 3339 UTC
 * time of the request. The child answers with condition ReadyForDeletion.
 */
#define MG_ANNOT_PENDING_DELETION "multigres.com/pending-deletion"

/*
 * Observability identity, copied from the cluster to its children and
 * pods; consumers fall back to the cluster name when it is absent.
 */
#define MG_ANNOT_PROJECT_REF "multigres.com/project-ref"

/*
 * W3C trace context the mutating webhook puts on a MultigresCluster.
 * traceparent-ts is in Unix seconds; a context older than 10 minutes is
 * linked rather than used as parent.
 */
#define MG_ANNOT_TRACEPARENT    "multigres.com/traceparent"
#define MG_ANNOT_TRACESTATE     "multigres.com/tracestate"
#define MG_ANNOT_TRACEPARENT_TS "multigres.com/traceparent-ts"

/*
 * On the webhook configurations when the operator manages the webhook
 * certificates itself.
 */
#define MG_ANNOT_CERT_STRATEGY       "multigres.com/cert-strategy"
#define MG_CERT_STRATEGY_SELF_SIGNED "self-signed"

/* Prometheus discovery of the postgres exporter, on pool pods. */
#define MG_ANNOT_PROMETHEUS_SCRAPE "prometheus.io/scrape"
#define MG_ANNOT_PROMETHEUS_PORT   "prometheus.io/port"
#define MG_ANNOT_PROMETHEUS_PATH   "prometheus.io/path"
#define MG_PROMETHEUS_SCRAPE       "true"
#define MG_PROMETHEUS_PORT         "9187"
#define MG_PROMETHEUS_PATH         "/metrics"

/*
 * The prefix user annotations on the external gateway and admin-web
 * Services may not use.
 */
#define MG_ANNOT_RESERVED_PREFIX "multigres.com/"

/*
 * Finalizers. cluster-cleanup (MultigresCluster): delete the cluster's
 * Cells and TableGroups and the topology PVCs, then let go.
 * shard-pvc-orphan (Shard): delete Deployments and pods, then delete or
 * orphan each PVC by policy, then let go.
 */
#define MG_FINALIZER_CLUSTER_CLEANUP  "multigres.com/cluster-cleanup"
#define MG_FINALIZER_SHARD_PVC_ORPHAN "multigres.com/shard-pvc-orphan"

/* The label keys allowed in selectors, in the order listed above. */
extern const char *const mg_label_selector_keys[];
extern const size_t mg_label_selector_nkeys;

/* Is key one of the selector keys? Case-sensitive, as label keys are. */
bool mg_label_is_selector(const char *key);

#endif /* MG_LABELS_H */
