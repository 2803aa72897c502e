/*
 * names.h - the names the Go operator gives to every object it manages.
 *
 * A C operator that takes over from the Go one (or a plugin that looks
 * for its objects) must find the same names byte for byte, so this module
 * follows pkg/util/name and the name builders of multigres-operator `main`
 * exactly. Reference: multigres-operator-facts.md, 3.1 and 3.2.
 *
 * The algorithm (mg_name_join):
 *   1. an 8-hex-digit FNV-1a 32-bit hash of the parts as given, each part
 *      followed by one 0x00 byte (mg_name_hash);
 *   2. every part mapped byte by byte: [a-z0-9-] kept, [A-Z] lowercased,
 *      anything else becomes one '-' (a multi-byte UTF-8 character gives a
 *      single '-'; an invalid UTF-8 byte gives one '-' per byte);
 *   3. an "x" put in front of the first part when it is empty or starts
 *      with a character the object kind does not allow first;
 *   4. the parts joined with '-', then "-" and the hash appended when that
 *      fits the kind's maximum length; otherwise the joined text is cut so
 *      that the result, with "---" and the hash, is exactly the maximum.
 *
 * Every name builder has the shape
 *
 *	int mg_name_xxx(char **out, <inputs>..., struct mg_err *err);
 *
 * On success it returns 0 and stores a malloc'd NUL-terminated string in
 * *out, which the caller frees with free(). On failure it returns
 * MG_EINVAL, fills err (which may be NULL) with a message naming the
 * object and what is wrong, and sets *out to NULL. Inputs are borrowed;
 * a NULL string argument is a programmer error (assert), an empty string
 * is an input like any other (the Go operator accepts it too).
 *
 * Hashed names are valid by construction. Names built by plain
 * concatenation (the Go operator does not check them) are checked against
 * the Kubernetes rule of the strictest object that carries them, so a bad
 * cluster name fails here instead of at the API server.
 */
#ifndef MG_NAMES_H
#define MG_NAMES_H

#include "compat.h"

struct mg_err;

/* Hex digits in a name hash: 4 bytes of FNV-1a 32-bit. */
#define MG_NAME_HASH_LEN 8

/*
 * Kubernetes limits used for checks: a DNS-1123/1035 label (Services,
 * hostnames) and a DNS-1123 subdomain (most other object names).
 */
#define MG_NAME_DNS_LABEL_MAX     63
#define MG_NAME_DNS_SUBDOMAIN_MAX 253

/* The public gateway TLS Secret written by cert-manager (a fixed name). */
#define MG_NAME_GATEWAY_TLS_SECRET "generated-certs"

/* Domain of the internal mTLS identities (mg_name_internal_cert). */
#define MG_NAME_INTERNAL_DOMAIN "multigres.internal"

/*
 * The constraint sets of pkg/util/name. Each has a maximum length and a
 * rule for the first character.
 */
enum mg_name_kind {
	MG_NAME_DEFAULT,     /* 253, first [a-z0-9]: CRs, Deployments */
	MG_NAME_SERVICE,     /* 63, first [a-z]: Services, PDBs, backup PVC */
	MG_NAME_STATEFULSET, /* 52, first [a-z]: local TopoServer */
	MG_NAME_POD,         /* 60, first [a-z]: pool pod / data PVC base */
};

/* Maximum length of a name of that kind (253, 63, 52 or 60). */
size_t mg_name_kind_max(enum mg_name_kind kind);

/*
 * The identity of a shard, as the Go operator reads it: the cluster from
 * the `multigres.com/cluster` label, the rest from the Shard spec. Names
 * below a shard are built from these logical parts, never from the
 * (already hashed) Shard CR name.
 */
struct mg_name_shard_key {
	const char *cluster;
	const char *database;
	const char *tablegroup;
	const char *shard;
};

/*
 * Writes the hash of the parts (8 lowercase hex digits and a NUL) into
 * out. Cannot fail.
 */
void mg_name_hash(char out[MG_NAME_HASH_LEN + 1], const char *const *parts,
		  size_t nparts);

/*
 * The generic join of step 1-4 above. MG_EINVAL when nparts is 0 (the Go
 * function returns "" there, which no object can be named; no caller in
 * upstream does it).
 */
int mg_name_join(char **out, enum mg_name_kind kind, const char *const *parts,
		 size_t nparts, struct mg_err *err);

/* Child CRs. Hashed (DEFAULT): cannot fail. */
int mg_name_cell_cr(char **out, const char *cluster, const char *cell,
		    struct mg_err *err);
int mg_name_tablegroup_cr(char **out, const char *cluster,
			  const char *database, const char *tablegroup,
			  struct mg_err *err);
int mg_name_shard_cr(char **out, const struct mg_name_shard_key *key,
		     struct mg_err *err);

/*
 * Topology servers. The global TopoServer CR, its etcd StatefulSet and
 * client Service are "<cluster>-global-topo" (checked as a Service name);
 * its peer Service "<toposerver>-headless" (Service name); the etcd PVCs
 * "data-<toposerver>-<ordinal>" (subdomain; ordinal >= 0). A cell's
 * managed local TopoServer is the StatefulSet-constrained hash of the Cell
 * CR name and "topo"; its client address is "<that>.<namespace>.svc:2379".
 */
int mg_name_global_topo(char **out, const char *cluster, struct mg_err *err);
int mg_name_topo_headless(char **out, const char *toposerver,
			  struct mg_err *err);
int mg_name_topo_pvc(char **out, const char *toposerver, long ordinal,
		     struct mg_err *err);
int mg_name_local_topo(char **out, const char *cell_cr, struct mg_err *err);
int mg_name_local_topo_address(char **out, const char *cell_cr,
			       const char *namespace, struct mg_err *err);

/*
 * Cluster-wide singletons, plain concatenations checked as Service names:
 * "<cluster>-multiadmin" (Deployment and Service), "<cluster>-multiadmin-web"
 * (Deployment and Service), "<cluster>-multigateway" (global gateway
 * Service) and "<cluster>-multigateway-replica" (replica gateway Service).
 */
int mg_name_multiadmin(char **out, const char *cluster, struct mg_err *err);
int mg_name_multiadmin_web(char **out, const char *cluster,
			   struct mg_err *err);
int mg_name_gateway_global(char **out, const char *cluster,
			   struct mg_err *err);
int mg_name_gateway_replica(char **out, const char *cluster,
			    struct mg_err *err);

/* Per-cell multigateway: Deployment (DEFAULT) and Service (SERVICE). */
int mg_name_gateway_deployment(char **out, const char *cluster,
			       const char *cell, struct mg_err *err);
int mg_name_gateway_service(char **out, const char *cluster, const char *cell,
			    struct mg_err *err);

/* Per-shard, per-cell multiorch: Deployment (DEFAULT), Service (SERVICE). */
int mg_name_multiorch_deployment(char **out,
				 const struct mg_name_shard_key *key,
				 const char *cell, struct mg_err *err);
int mg_name_multiorch_service(char **out, const struct mg_name_shard_key *key,
			      const char *cell, struct mg_err *err);

/*
 * Pool pods and their data PVCs: the POD-constrained hash of cluster,
 * database, tablegroup, shard, "pool", pool, cell, then "-<index>"
 * ("data-" in front for the PVC). MG_EINVAL for a negative index, and for
 * a pod name longer than a DNS label (the pod's hostname is its name; the
 * Go operator reserves room for indexes 0-99).
 */
int mg_name_pool_pod(char **out, const struct mg_name_shard_key *key,
		     const char *pool, const char *cell, long index,
		     struct mg_err *err);
int mg_name_pool_pvc(char **out, const struct mg_name_shard_key *key,
		     const char *pool, const char *cell, long index,
		     struct mg_err *err);

/* Per pool x cell: headless Service and PodDisruptionBudget (SERVICE). */
int mg_name_pool_headless(char **out, const struct mg_name_shard_key *key,
			  const char *pool, const char *cell,
			  struct mg_err *err);
int mg_name_pool_pdb(char **out, const struct mg_name_shard_key *key,
		     const char *pool, const char *cell, struct mg_err *err);

/* The shard's shared backup PVC: SERVICE hash of "backup-data" + shard. */
int mg_name_backup_pvc(char **out, const struct mg_name_shard_key *key,
		       struct mg_err *err);

/* A pooler's service id: "p-" and the hash of the pod name alone. */
int mg_name_pooler_service_id(char **out, const char *pod,
			      struct mg_err *err);

/* "<pod>.<headless>.<namespace>.svc.cluster.local". */
int mg_name_pool_pod_fqdn(char **out, const char *pod, const char *headless,
			  const char *namespace, struct mg_err *err);

/* Objects named after the Shard CR: "<shard CR name>-<suffix>". */
enum mg_name_shard_obj {
	MG_NAME_PG_HBA,           /* ConfigMap "-pg-hba" */
	MG_NAME_POSTGRES_CONFIG,  /* ConfigMap "-postgres-config" */
	MG_NAME_EXPORTER_QUERIES, /* ConfigMap "-exporter-queries" */
	MG_NAME_PGBACKREST_CA,    /* Secret "-pgbackrest-ca" */
	MG_NAME_PGBACKREST_TLS,   /* Secret "-pgbackrest-tls" */
};

/* Checked as a DNS subdomain (these are ConfigMaps and Secrets). */
int mg_name_shard_object(char **out, const char *shard_cr,
			 enum mg_name_shard_obj which, struct mg_err *err);

/*
 * The internal mTLS certificate (and its Secret) of a component
 * ("multiadmin", "multigateway", "multiorch", "multipooler"):
 * "<component>.<cluster>.<namespace>.multigres.internal". MG_EINVAL when
 * any input is empty (the Go function returns "" then) or the result is
 * not a DNS subdomain.
 */
int mg_name_internal_cert(char **out, const char *component,
			  const char *cluster, const char *namespace,
			  struct mg_err *err);

/*
 * The replica index of a pool pod: the integer after the last '-' of its
 * name, read as Go's strconv.Atoi does (an optional sign, decimal digits,
 * no overflow). Returns false, leaving *index alone, when there is no '-'
 * or the tail is not such an integer.
 */
bool mg_name_pod_index(const char *pod, long *index);

#endif /* MG_NAMES_H */
