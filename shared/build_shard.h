/*
 * build_shard.h - the Kubernetes objects the Go operator makes for a Shard.
 *
 * From one Shard custom resource (as the API server returns it; its
 * multigres.com/cluster label names the cluster), mg_build_shard_objects
 * appends to `out`, in this order (the order upstream's shard controller
 * applies them):
 *
 *   1. for each multiorch cell - spec.multiorch.cells as listed, else the
 *      sorted union of the pools' cells - the multiorch Deployment and its
 *      ClusterIP Service (ports http 15300, grpc 15370);
 *   2. the shard's shared backup PersistentVolumeClaim, unless
 *      spec.backup.type is s3 (upstream also makes it when spec.backup is
 *      absent; size 10Gi and ReadWriteOnce unless the filesystem storage
 *      says otherwise). Its owner reference is set only when
 *      spec.pvcDeletionPolicy.whenDeleted is Delete (facts 6.4);
 *   3. for each pool, by name, and each of its cells as listed: the
 *      PodDisruptionBudget (maxUnavailable 1, selecting that pool x cell)
 *      and the headless Service of the pool's pods (http 15200, grpc
 *      15270, postgres 5432, metrics 9187, not-ready addresses published).
 *
 * Not built here: the pool pods and their data PVCs (poolpod.h), the
 * per-shard ConfigMaps (pg_hba template, rendered postgresql.conf,
 * postgres_exporter queries: their content is upstream's embedded files
 * and renderer, which the facts do not give) and the generated pgBackRest
 * TLS Secrets.
 *
 * Names follow names.h, labels objmeta.h: multiorch objects carry the
 * standard labels (component multiorch), cell, database and tablegroup,
 * under the Shard's own labels (so also cluster and shard); the pool
 * Service the same with component shard-pool and pool; the PDB and the
 * backup PVC only their identity labels. Every object but a retained
 * backup PVC has a controller owner reference to the Shard.
 *
 * Fallbacks (build_common.h): one multiorch replica per cell, the
 * multiorch resources when spec.multiorch.resources is empty, the default
 * multiorch image, log level info.
 *
 * Returns 0, or MG_EINVAL naming the Shard and the field (a missing
 * identity field or label, a pool without cells, no multiorch cell at
 * all, a missing global topology address); `out` is left untouched on
 * error. opts may be NULL (namespace and uid come from the resource).
 */
#ifndef MG_BUILD_SHARD_H
#define MG_BUILD_SHARD_H

#include <cJSON.h>

#include "compat.h"

struct mg_build_opts;
struct mg_err;
struct mg_name_shard_key;

int mg_build_shard_objects(const cJSON *shard,
			   const struct mg_build_opts *opts, cJSON *out,
			   struct mg_err *err);

/*
 * The labels of a pool x cell's objects that select its pods: the pool
 * pods themselves (poolpod.h), their headless Service, and the superset
 * the PodDisruptionBudget's selector picks from. The standard labels
 * (component shard-pool, instance key->cluster), shard, cell, pool,
 * database and tablegroup, under the Shard's own labels (shard_labels,
 * may be NULL), so the cluster label comes from there as upstream has it.
 * A new map (objmeta.h); cannot fail.
 */
cJSON *mg_build_pool_labels_new(const struct mg_name_shard_key *key,
				const cJSON *shard_labels, const char *pool,
				const char *cell);

#endif /* MG_BUILD_SHARD_H */
