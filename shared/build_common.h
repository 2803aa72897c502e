/*
 * build_common.h - what the object builders share.
 *
 * The builders (build_shard.h, build_cell.h, build_topo.h,
 * build_cluster.h) turn one custom resource, as the API server returns it
 * (a cJSON tree), into the Kubernetes objects the Go operator creates for
 * it: complete objects with apiVersion, kind, metadata (labels, owner
 * reference) and spec, ready to be sent with server-side apply (field
 * manager MG_BUILD_FIELD_MANAGER, force). They are pure: no I/O, no
 * environment reads; what is not in the resource comes in
 * struct mg_build_opts. Reference: multigres-operator-facts.md 1, 3, 6.3,
 * 6.4, 7 and 16, and multigres-upstream-facts.md 5 for the flags.
 *
 * This header holds the options and the small makers of container parts
 * the builders have in common: ports, probes, environment
 * (OpenTelemetry), TLS arguments and volumes, Go durations.
 *
 * Ownership: functions named _new return a cJSON tree the caller owns
 * unless it is handed on to a function that takes it. cJSON arguments are
 * borrowed unless said otherwise. Out of memory aborts.
 */
#ifndef MG_BUILD_COMMON_H
#define MG_BUILD_COMMON_H

#include <cJSON.h>

#include "compat.h"
#include "defaults.h"
#include "objmeta.h"

struct mg_err;

/* The field manager of the Go operator's server-side applies. */
#define MG_BUILD_FIELD_MANAGER "multigres-operator"

/*
 * What a builder needs that is not in the custom resource.
 *
 * namespace: where the objects go; NULL means the resource's
 * metadata.namespace (one of the two is required).
 * owner_uid: the uid for the owner references; NULL means the resource's
 * metadata.uid (one of the two is required: the API server refuses an
 * owner reference without a uid).
 * env: the operator's own environment, "NAME=value" strings ending with
 * NULL (environ will do), or NULL for none. Only the OTEL_* variables are
 * read: the data-plane containers inherit the operator's telemetry
 * settings where the resource's spec.observability leaves them empty.
 * preview: the objects are to be shown, not created (render.h): a
 * resource without a uid is accepted and the owner references are
 * written without one (the API server would refuse them).
 */
struct mg_build_opts {
	const char *namespace;
	const char *owner_uid;
	const char *const *env;
	bool preview;
};

#define MG_BUILD_OPTS_INIT { NULL, NULL, NULL, false }

/* Ports (multigres-operator-facts.md 16). */
#define MG_PORT_MULTIPOOLER_HTTP 15200
#define MG_PORT_MULTIPOOLER_GRPC 15270
#define MG_PORT_POSTGRES         5432
#define MG_PORT_POSTGRES_REPLICA 5433
#define MG_PORT_EXPORTER         9187
#define MG_PORT_MULTIORCH_HTTP   15300
#define MG_PORT_MULTIORCH_GRPC   15370
#define MG_PORT_GATEWAY_HTTP     15100
#define MG_PORT_GATEWAY_GRPC     15170
#define MG_PORT_MULTIADMIN_HTTP  18000
#define MG_PORT_MULTIADMIN_GRPC  18070
#define MG_PORT_ADMIN_WEB_HTTP   18100
#define MG_PORT_ETCD_CLIENT      2379
#define MG_PORT_ETCD_PEER        2380
#define MG_PORT_ETCD_METRICS     2381

/*
 * The built-in fallbacks (image, replicas, resources, log level, storage)
 * are those of defaults.h: mg_defaults_component() and the MG_DEFAULT_*
 * macros. Only when the resource leaves a field unset.
 */

/*
 * Is a resources block (requests, limits, claims) absent or empty? Only
 * then do the fallbacks apply: a partial block replaces them entirely.
 */
bool mg_build_resources_empty(const cJSON *resources);

/*
 * A copy of resources, or the default resources of comp
 * (mg_defaults_resources) when it is empty.
 */
cJSON *mg_build_resources_new(const cJSON *resources, enum mg_component comp);

/*
 * What every builder reads first from its resource: name, namespace,
 * cluster (the multigres.com/cluster label, or the name itself for a
 * MultigresCluster), the observability project (annotation
 * multigres.com/project-ref, else the cluster) and the owner. Strings are
 * borrowed from cr and opts. MG_EINVAL naming the resource when one is
 * missing.
 */
struct mg_build_ctx {
	const cJSON *cr;
	const cJSON *spec; /* cr's spec (never NULL: an empty object is used) */
	const struct mg_build_opts *opts;
	const char *name;
	const char *namespace;
	const char *cluster;
	const char *project;
	struct mg_objmeta_owner owner;
};

int mg_build_ctx_init(struct mg_build_ctx *ctx, const cJSON *cr,
		      const char *kind, const struct mg_build_opts *opts,
		      struct mg_err *err);

/* A non-empty string at a dotted path of the CR's spec, or NULL. */
const char *mg_build_spec_str(const struct mg_build_ctx *ctx,
			      const char *path);

/*
 * A new metadata object in the context's namespace with the controller
 * owner reference to the context's resource. Takes labels and annotations
 * (either may be NULL).
 */
cJSON *mg_build_meta_new(const struct mg_build_ctx *ctx, const char *name,
			 cJSON *labels, cJSON *annotations);

/*
 * A new Deployment: selector = the selector keys of labels, pod template
 * with pod_labels and pod_annotations (may be NULL) and pod_spec.
 * replicas < 0 leaves the field out. Takes labels, pod_labels,
 * pod_annotations and pod_spec.
 */
cJSON *mg_build_deployment_new(const struct mg_build_ctx *ctx,
			       const char *name, cJSON *labels, long replicas,
			       cJSON *pod_labels, cJSON *pod_annotations,
			       cJSON *pod_spec);

/*
 * The Deployment of a per-cell stateless component (multigateway,
 * multiorch) from its StatelessSpec `spec`: pod labels = labels with the
 * user's podLabels merged under them, replicas from the spec else the
 * component's default, pod annotations as mg_build_pod_annotations_new.
 * Takes labels and pod_spec.
 */
cJSON *mg_build_stateless_deployment_new(const struct mg_build_ctx *ctx,
					 const char *name, cJSON *labels,
					 const cJSON *spec,
					 enum mg_component comp,
					 cJSON *pod_spec);

/*
 * A new Service with an empty spec the caller fills. Takes labels and
 * annotations (may be NULL).
 */
cJSON *mg_build_service_new(const struct mg_build_ctx *ctx, const char *name,
			    cJSON *labels, cJSON *annotations);

/* {"name", "containerPort", "protocol": "TCP"} */
cJSON *mg_build_container_port_new(const char *name, int port);

/*
 * {"name", "port", "targetPort", "protocol": "TCP"}: the target is the
 * named container port target, or the port number itself when NULL.
 */
cJSON *mg_build_service_port_new(const char *name, int port,
				 const char *target);

/*
 * Adds startupProbe (period 5 s, 30 failures), livenessProbe (10 s) and
 * readinessProbe (5 s), HTTP GETs of the three paths on port: the probe
 * set every upstream workload uses.
 */
void mg_build_add_probes(cJSON *container, int port, const char *startup,
			 const char *liveness, const char *readiness);

/* Appends {"name", "value"} to an env array. */
void mg_build_add_env(cJSON *env, const char *name, const char *value);

/* Appends a string to an array. */
void mg_build_add_str(cJSON *array, const char *s);

/* A value of opts->env, or NULL when unset or empty. */
const char *mg_build_getenv(const struct mg_build_opts *opts,
			    const char *name);

/*
 * Appends the OpenTelemetry variables of a data-plane container to env:
 * each field of spec.observability (obs, may be NULL), else the operator's
 * variable of the same name; nothing at all when the endpoint is
 * "disabled" or neither endpoint is set. When component is not NULL,
 * OTEL_RESOURCE_ATTRIBUTES gets the operator's attributes minus the three
 * it sets, then multigres.project, multigres.cluster and
 * multigres.component (multigres-operator-facts.md 1.10).
 */
void mg_build_add_otel_env(cJSON *env, const cJSON *obs,
			   const struct mg_build_opts *opts,
			   const char *project, const char *cluster,
			   const char *component);

/*
 * When obs names a samplingConfigRef: appends its ConfigMap volume to
 * volumes and the mount at /etc/otel to mounts (either may be NULL).
 */
void mg_build_add_otel_sampling(const cJSON *obs, cJSON *volumes,
				cJSON *mounts);

/* A Secret volume with mode 0444 (decimal 292, as JSON has no octal). */
cJSON *mg_build_secret_volume_new(const char *name, const char *secret);

/* {"name", "mountPath", "readOnly": true} */
cJSON *mg_build_ro_mount_new(const char *name, const char *path);

/*
 * The internal mTLS arguments of multiorch, multigateway and multiadmin:
 * the component's gRPC certificate from dir (tls.crt, tls.key, ca.crt),
 * and the same files to dial the poolers, checking their identity
 * pooler_server_name.
 */
void mg_build_add_tls_args(cJSON *args, const char *dir,
			   const char *pooler_server_name);

/* Is spec.internalTLS.enabled true? */
bool mg_build_internal_tls(const cJSON *spec);

/*
 * A copy of placement.tolerations when it is a non-empty array, else
 * NULL (placement may be NULL).
 */
cJSON *mg_build_tolerations_new(const cJSON *placement);

/*
 * The pod annotations of multiorch and multigateway pods: the user's
 * (pod_annotations, may be NULL) without the three prometheus.io keys,
 * plus multigres.com/project-ref = project.
 */
cJSON *mg_build_pod_annotations_new(const cJSON *pod_annotations,
				    const char *project);

/*
 * Reads a Go duration ("1m", "1.5s", "500ms", "1h2m") as Go's
 * time.ParseDuration does and writes it back as time.Duration's String()
 * ("1m0s", "1.5s", "500ms", "1h2m0s"): Kubernetes decodes the CR's
 * metav1.Duration that way, so the flags the Go operator passes are in
 * this form. *out is malloc'd. MG_EINVAL naming `what` for a value Go
 * refuses (no unit, unknown unit, overflow).
 */
int mg_build_go_duration(char **out, const char *in, const char *what,
			 struct mg_err *err);

/* item, or abort when it is NULL (cJSON out of memory). */
cJSON *mg_build_must(cJSON *item);

/*
 * Moves every item of from (an array) to the end of to, leaving from
 * empty.
 */
void mg_build_move_all(cJSON *to, cJSON *from);

#endif /* MG_BUILD_COMMON_H */
