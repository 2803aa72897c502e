/*
 * build_cell.h - the Kubernetes objects the Go operator makes for a Cell.
 *
 * From one Cell custom resource (its multigres.com/cluster label names
 * the cluster, spec.name the cell), mg_build_cell_objects appends to
 * `out`, in the order upstream's cell controller applies them:
 *
 *   1. the cell's managed local TopoServer custom resource, only when
 *      spec.topoServer.etcd is set (an external local topology is the
 *      user's): named after the Cell CR (names.h), component local-topo,
 *      spec.etcd a copy of the cell's and spec.pvcDeletionPolicy the
 *      etcd's own; build_topo.h turns it into etcd objects in turn;
 *   2. the multigateway Deployment: args --http-port 15100, --grpc-port
 *      15170, --pg-port 5432, --pg-replica-port 5433, the global topology
 *      address and root, --cell, --log-level; the --buffer-* flags only for
 *      the spec.multigateway.buffer fields that are set (durations written
 *      as Go writes them, "1m" becomes "1m0s"); internal mTLS flags and
 *      volume with spec.internalTLS.enabled; the public TLS Secret
 *      generated-certs with spec.certCommonName; nodeSelector from zoneId
 *      (topology.k8s.aws/zone-id) or region (topology.kubernetes.io/region);
 *   3. its ClusterIP Service (http 15100, grpc 15170, postgres 5432).
 *
 * Gateway objects carry the standard labels (component multigateway), the
 * cell label and zone-id or region; not the Cell's own labels (as
 * upstream). All have a controller owner reference to the Cell.
 *
 * Fallbacks (build_common.h): one gateway replica, the multigateway
 * resources when spec.multigateway.resources is empty, the default image,
 * log level info.
 *
 * Returns 0, or MG_EINVAL naming the Cell and the field (missing
 * spec.name, cluster label, global topology address or root; a buffer
 * duration Go would refuse); `out` is left untouched on error. opts may be
 * NULL.
 */
#ifndef MG_BUILD_CELL_H
#define MG_BUILD_CELL_H

#include <cJSON.h>

#include "compat.h"

struct mg_build_opts;
struct mg_err;

int mg_build_cell_objects(const cJSON *cell, const struct mg_build_opts *opts,
			  cJSON *out, struct mg_err *err);

#endif /* MG_BUILD_CELL_H */
