/*
 * poolpod.h - the desired pool pod and its data PVC, built from a Shard
 * exactly as multigres-operator `main` (39a7efcd) builds them
 * (BuildPoolPod), so that the spec-hash computed here equals the one the
 * Go operator stamps and compares. Reference: spec-hash.md 2 (every
 * hashed field), multigres-operator-facts.md 3.2-3.4 (names, labels,
 * annotations), 6.4 (PVCs) and 16 (ports).
 *
 * Inputs:
 *  - the Shard CR as cJSON (the JSON of deploy/crds/multigres.com_shards
 *    .yaml, as the API server returns it). The Go operator's cluster
 *    controller writes it with every default already resolved (images,
 *    resources, log levels, backup), so nothing is defaulted here except
 *    what BuildPoolPod itself defaults (the images when empty, the
 *    superuser, the 999 identities). The cluster name is the Shard's
 *    multigres.com/cluster label;
 *  - the pool (a key of spec.pools), the cell and the replica index;
 *  - struct mg_poolpod_opts for what the Shard does not hold: see there.
 *
 * What is not hashed is built too, for an operator that creates the pod:
 * labels (mg_build_pool_labels_new: the Shard's, under the standard and
 * identity ones, exactly what the pool's headless Service and
 * PodDisruptionBudget select on; maps sorted by key), the project-ref, Prometheus and config-hash annotations, container ports
 * (the pool's headless Service targets http, grpc, postgres and metrics
 * by name), the /live probes, the sidecar's restartPolicy, hostname and
 * subdomain. Those follow multigres-operator's builder at 39a7efcd as read
 * there (no image pull policy or pull secrets are set on pool pods).
 *
 * Ownership: *out is a new tree owned by the caller (cJSON_Delete); NULL
 * on error. Inputs are borrowed. Errors: MG_ENOTFOUND when the pool is not
 * in spec.pools; MG_EINVAL for a Shard field of the wrong type (naming its
 * path), a bad quantity, a name that cannot be built, or runtime
 * identities BuildPoolPod refuses (multipooler.runAsUser set and
 * postgres.runAsUser unset or different) - the Go operator then builds no
 * pod and reports no drift.
 */
#ifndef MG_POOLPOD_H
#define MG_POOLPOD_H

#include <cJSON.h>

#include "compat.h"
#include "spechash.h"

struct mg_err;

struct mg_poolpod_opts {
	/* The namespace; NULL: the Shard's metadata.namespace. */
	const char *namespace;
	/*
	 * The Go operator process's environment, "NAME=value" strings,
	 * NULL-terminated, or NULL for none. Only the OTEL_* variables are
	 * read: where spec.observability leaves a value empty, the pods get
	 * the operator's own (spec-hash.md 2.1 hidden input 2). A plugin
	 * reads them from the operator Deployment's container env.
	 */
	const char *const *environ;
	/*
	 * The postgres restart hash the Go operator renders on every
	 * reconcile and keeps only in memory (hidden input 1, 64 hex
	 * digits): it becomes the pod's multigres.com/postgres-config-hash
	 * annotation and the "pgcfg=" piece of the hash. NULL: use the
	 * Shard's own annotation, normally absent. A plugin without a config
	 * renderer can pass the live pod's annotation: then a config change
	 * the operator has not rolled out yet does not show as drift.
	 */
	const char *postgres_config_hash;
	/*
	 * Likewise the reload hash (annotation
	 * multigres.com/postgres-reload-hash, not hashed). NULL: the
	 * Shard's own annotation, if any.
	 */
	const char *postgres_reload_hash;
};

#define MG_POOLPOD_OPTS_INIT { NULL, NULL, NULL, NULL }

/*
 * The desired Pod: metadata (name, namespace, labels, annotations with
 * multigres.com/spec-hash, a controller ownerReference to the Shard,
 * without a uid when the Shard has none: objmeta.h) and spec. opts may be
 * NULL (all defaults).
 */
int mg_poolpod_build(cJSON **out, const cJSON *shard, const char *pool,
		     const char *cell, long index,
		     const struct mg_poolpod_opts *opts, struct mg_err *err);

/*
 * The desired data PVC "data-<pod>": labels as the pod's, access modes
 * (spec.pools[pool].storage.accessModes, else ReadWriteOnce), the storage
 * request (storage.size, else 1Gi) and class (when set). It gets a
 * controller ownerReference to the Shard only when the effective
 * whenDeleted policy (pool over shard, else Retain) is Delete
 * (multigres-operator-facts.md 6.4).
 */
int mg_poolpod_build_pvc(cJSON **out, const cJSON *shard, const char *pool,
			 const char *cell, long index,
			 const struct mg_poolpod_opts *opts,
			 struct mg_err *err);

/*
 * The spec-hash the Go operator expects on that pod: what `status`
 * compares with the live annotation (drift = absent or different).
 * On error out is the empty string.
 */
int mg_poolpod_desired_hash(const cJSON *shard, const char *pool,
			    const char *cell, long index,
			    const struct mg_poolpod_opts *opts,
			    char out[MG_SPECHASH_LEN + 1], struct mg_err *err);

/*
 * The desired hash of a live pool pod, as a snapshot's mg_snap_hash_fn
 * (snapshot.h): mg_poolpod_desired_hash from its Shard, with the live
 * pod's own multigres.com/postgres-config-hash annotation standing in
 * for the hash the operator keeps in memory, and no operator OTEL_*
 * environment. data is unused. Returns 0, or -1 (logged at debug level)
 * when the Shard cannot give a pod for that pool, cell and index.
 */
int mg_poolpod_snap_hash(void *data, const cJSON *shard, const cJSON *pod,
			 const char *pool, const char *cell, long index,
			 char out[MG_SPECHASH_LEN + 1]);

#endif /* MG_POOLPOD_H */
