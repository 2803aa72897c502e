/*
 * build_cluster.h - the cluster-wide objects the Go operator makes for a
 * MultigresCluster.
 *
 * The input is a resolved MultigresCluster: templates already applied, so
 * spec.globalTopoServer holds etcd or external, and spec.multiadmin and
 * spec.multiadminWeb hold an inline spec (a bare templateRef is refused;
 * an absent block means all fallbacks), and spec.images the effective
 * images. mg_build_cluster_objects appends to `out`, in the order
 * upstream's cluster controller applies them:
 *
 *   1. the multiadmin Deployment and Service "<cluster>-multiadmin"
 *      (http 18000, grpc 18070; --service-map=grpc-multiadmin);
 *   2. the multiadmin-web Deployment and Service
 *      "<cluster>-multiadmin-web" (http 18100; MULTIADMIN_API_URL and
 *      POSTGRES_HOST pointing at the two Services of this cluster);
 *   3. the global gateway Service "<cluster>-multigateway" (postgres 5432)
 *      and "<cluster>-multigateway-replica" (pg-replica 5433), selecting
 *      the multigateway pods of every cell. spec.externalGateway and
 *      spec.externalAdminWeb, when enabled, add their externalIPs and
 *      annotations to the gateway and admin-web Services.
 *
 * The custom resources the cluster controller creates - the global
 * TopoServer "<cluster>-global-topo" (applied first upstream), the Cells
 * and the TableGroups - are not built here: resolve.h builds them with
 * the templates at hand (mg_resolve_cluster: toposerver, cells,
 * tablegroups), once.
 *
 * multiadmin reaches the global topology at "<cluster>-global-topo.
 * <namespace>.svc:2379" with root spec.globalTopoServer.etcd.rootPath
 * (default /multigres/global) for a managed etcd, and at the first
 * external endpoint and its rootPath otherwise. (Upstream always passes
 * the managed address and /multigres/global, which is the same for a
 * managed etcd with the default root.)
 *
 * Labels: the standard ones and multigres.com/cluster. Every object has a
 * controller owner reference to the MultigresCluster.
 *
 * Returns 0, or MG_EINVAL naming the cluster and the field (an unresolved
 * templateRef, no global topology, an external topology without
 * endpoints); `out` is left untouched on error. opts may be NULL.
 */
#ifndef MG_BUILD_CLUSTER_H
#define MG_BUILD_CLUSTER_H

#include <cJSON.h>

#include "compat.h"

struct mg_build_opts;
struct mg_err;

int mg_build_cluster_objects(const cJSON *cluster,
			     const struct mg_build_opts *opts, cJSON *out,
			     struct mg_err *err);

#endif /* MG_BUILD_CLUSTER_H */
