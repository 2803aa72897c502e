/*
 * build_topo.h - the etcd objects the Go operator makes for a TopoServer.
 *
 * From one TopoServer custom resource (the global one of a cluster, or a
 * cell's local one; its multigres.com/cluster label names the cluster),
 * mg_build_topo_objects appends to `out`, in the order upstream's
 * TopoServer controller applies them:
 *
 *   1. the etcd StatefulSet, named like the TopoServer: parallel pod
 *      management, rolling updates, serviceName the peer Service, one
 *      container "etcd" configured by environment (facts 16: ETCD_NAME
 *      from the pod name, data in /var/lib/etcd, listening on [::] 2379,
 *      2380 and metrics 2381, advertising the pod's name under the peer
 *      Service, a static initial cluster of every ordinal, state new,
 *      token = the TopoServer name), probes /readyz and /livez on 2381, a
 *      "data" volume claim template (spec.etcd.storage: size, else 10Gi;
 *      class; access modes, else ReadWriteOnce), and a PVC retention
 *      policy that always retains on deletion (the cluster's finalizer
 *      deletes topology PVCs) and deletes on scale-down only when
 *      spec.pvcDeletionPolicy.whenScaled is Delete;
 *   2. the peer Service "<name>-headless" (clusterIP None, client and
 *      peer ports, not-ready addresses published, PreferDualStack);
 *   3. the client Service "<name>" (ClusterIP, client port,
 *      PreferDualStack).
 *
 * Labels: the standard ones with component toposerver, under the
 * TopoServer's own labels (so also cluster, and cell for a local one);
 * selectors keep the identity keys. Every object has a controller owner
 * reference to the TopoServer.
 *
 * Fallbacks (build_common.h): 3 replicas, the etcd resources when
 * spec.etcd.resources is empty, the default etcd image.
 *
 * Returns 0, or MG_EINVAL naming the TopoServer and the field (missing
 * cluster label, replicas not from 1 to 999); `out` is left untouched on error.
 * opts may be NULL.
 */
#ifndef MG_BUILD_TOPO_H
#define MG_BUILD_TOPO_H

#include <cJSON.h>

#include "compat.h"

struct mg_build_opts;
struct mg_err;

int mg_build_topo_objects(const cJSON *toposerver,
			  const struct mg_build_opts *opts, cJSON *out,
			  struct mg_err *err);

#endif /* MG_BUILD_TOPO_H */
