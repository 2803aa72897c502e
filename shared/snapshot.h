/*
 * snapshot.h - one in-memory view of Multigres clusters.
 *
 * Objects are fed one at a time with mg_snap_apply(): the items of a LIST
 * as ADDED, then WATCH events as they come (the same code path for a
 * one-shot `status` and for the live TUI). The snapshot joins them, by
 * labels and owner references, into a tree of logical nodes:
 *
 *   cluster ─┬─ cells (gateway Deployment, local TopoServer)
 *            ├─ table groups ── shards ── pools ── pool×cell ── pods, PVCs
 *            │                    └─ multiorch Deployments, backup PVC
 *            ├─ TopoServers
 *            └─ cluster-wide Deployments (multiadmin, multiadmin-web)
 *
 * A node exists as soon as anything names it: a Shard CR, or a pod whose
 * labels say which shard it belongs to. Its CR may therefore be absent
 * (node->obj.json == NULL): a pod seen before its Shard, a Cell whose
 * cluster was deleted. Nodes with neither a CR nor children disappear.
 * Events are attached to the object they are about (involvedObject uid,
 * else kind/namespace/name), newest first, capped.
 *
 * Indexes: every object is found by uid and by (kind, namespace, name) in
 * hash tables; logical nodes by their identity. Applying one event costs
 * O(log n) plus the work on the one shard or cell it touches.
 *
 * Change tracking: mg_snap_version() counts the changes; every object and
 * node carries `changed`, the version at which it (or anything below it)
 * last changed, so a UI redraws only the subtrees whose `changed` is newer
 * than what it drew.
 *
 * Lifetimes and ownership: the snapshot owns every struct and string it
 * hands out, and a copy of each object's JSON (obj.json, for a YAML view;
 * metadata.managedFields is dropped from it once read).
 * Pointers returned by the accessors and found in the structs stay valid
 * until the next mg_snap_apply() or mg_snap_free(); everything exposed is
 * read-only to the caller. Strings described as "from the JSON" point into
 * obj.json of that object (or of the object named).
 *
 * Pure: no I/O, no clock. Times are whole seconds since the epoch (time_t);
 * 0 means "unknown" or "absent" throughout (no Kubernetes object dates from
 * 1970). Not thread-safe: one thread feeds and reads it.
 */
#ifndef MG_SNAPSHOT_H
#define MG_SNAPSHOT_H

#include <cJSON.h>

#include "compat.h"
#include "drain.h"

struct mg_err;

/* The kinds a snapshot keeps. */
enum mg_snap_kind {
	MG_SNAP_CLUSTER,    /* multigres.com MultigresCluster */
	MG_SNAP_CELL,       /* multigres.com Cell */
	MG_SNAP_TABLEGROUP, /* multigres.com TableGroup */
	MG_SNAP_SHARD,      /* multigres.com Shard */
	MG_SNAP_TOPOSERVER, /* multigres.com TopoServer */
	MG_SNAP_POD,
	MG_SNAP_PVC,        /* PersistentVolumeClaim */
	MG_SNAP_DEPLOYMENT, /* apps/v1 Deployment */
	MG_SNAP_EVENT,      /* core/v1 Event */
};
#define MG_SNAP_NKINDS (MG_SNAP_EVENT + 1)

/* "MultigresCluster", "Cell", ..., "PersistentVolumeClaim", "Event". */
const char *mg_snap_kind_name(enum mg_snap_kind kind);
/* The inverse (exact Kubernetes kind); false for any other string. */
bool mg_snap_kind_parse(const char *kind, enum mg_snap_kind *out);

/* What happened to an object (a watch event; LIST items are ADDED). */
enum mg_snap_op {
	MG_SNAP_ADDED,
	MG_SNAP_MODIFIED, /* ADDED and MODIFIED are both "upsert" */
	MG_SNAP_DELETED,
};

/* One status condition. Strings from the JSON (NULL when absent). */
struct mg_snap_cond {
	const char *type;
	const char *status; /* "True", "False", "Unknown" */
	const char *reason;
	const char *message;
	time_t since;       /* lastTransitionTime */
};

struct mg_snap_event;

/* What every kept object has. Strings from the JSON unless said. */
struct mg_snap_obj {
	enum mg_snap_kind kind;
	cJSON *json;        /* owned copy; NULL for a node whose CR is absent */
	const char *ns;     /* never NULL ("" when cluster-scoped or absent) */
	const char *name;   /* never NULL */
	const char *uid;    /* NULL when absent */
	const char *resource_version;
	long long generation;          /* metadata.generation, 0 if absent */
	long long observed_generation; /* status.observedGeneration, -1 absent */
	time_t created;                /* metadata.creationTimestamp */
	time_t deleting;               /* metadata.deletionTimestamp, 0: not */
	/*
	 * The newest managedFields time of a write that was not to the status
	 * subresource: when the spec (or metadata) last changed, as far as
	 * the object tells. Evidence for how long a generation lag has lasted.
	 */
	time_t spec_changed;
	const char *phase;   /* status.phase (pods too), NULL if absent */
	const char *message; /* status.message */
	struct mg_snap_cond *conds; /* status.conditions, in object order */
	size_t nconds;
	/* The controller owner reference (else the first one), or NULLs. */
	const char *owner_kind, *owner_name, *owner_uid;
	size_t nowners;    /* metadata.ownerReferences entries */
	/* Recent events about this object, newest first, at most
	 * opts.events_per_object. */
	struct mg_snap_event **events;
	size_t nevents;
	uint64_t changed;  /* mg_snap_version() when last changed */
};

/* The condition of that type, or NULL. */
const struct mg_snap_cond *mg_snap_cond(const struct mg_snap_obj *obj,
					const char *type);

/* An Event. The involved strings are from the JSON. */
struct mg_snap_event {
	struct mg_snap_obj obj;
	const char *type;    /* "Normal", "Warning" */
	const char *reason;
	const char *note;    /* message */
	long count;          /* count, or series.count; 1 when absent */
	time_t first, last;  /* firstTimestamp / lastTimestamp (or eventTime,
				series.lastObservedTime) */
	const char *involved_kind, *involved_ns, *involved_name,
		*involved_uid;
	const struct mg_snap_obj *about; /* the object, when kept; else NULL */
};

/* Is the pod's spec what the operator would build now? */
enum mg_snap_drift {
	MG_SNAP_DRIFT_UNKNOWN, /* no hash function, or it failed */
	MG_SNAP_DRIFT_NONE,    /* spec-hash matches */
	MG_SNAP_DRIFT_YES,     /* spec-hash missing or different */
};

struct mg_snap_poolcell;
struct mg_snap_pool;
struct mg_snap_shard;
struct mg_snap_tablegroup;
struct mg_snap_cell;
struct mg_snap_cluster;

struct mg_snap_pod {
	struct mg_snap_obj obj;
	/* app.kubernetes.io/component and the identity labels (from the JSON;
	 * NULL when absent) */
	const char *component, *cluster, *database, *tablegroup, *shard_name,
		*pool, *cell;
	struct mg_snap_poolcell *pc; /* NULL: not a pool pod, or unplaced */
	long index;        /* replica index from the name, -1 if none */
	const char *node;  /* spec.nodeName */
	bool scheduled;    /* condition PodScheduled True */
	bool ready;        /* condition Ready True */
	time_t ready_since; /* that condition's lastTransitionTime */
	int restarts;      /* sum of restartCount over all containers */
	/* The first waiting container's reason (CrashLoopBackOff,
	 * ImagePullBackOff, ...), NULL when none waits with a reason. */
	const char *waiting_reason;
	/* lastState.terminated.reason of the container that terminated most
	 * recently (OOMKilled, Error, ...), and when; NULL/0 if none. */
	const char *last_term_reason;
	time_t last_term_at;
	/* Crash-looping as the operator's phase rule sees it (facts 1.11):
	 * waiting with CrashLoopBackOff, OOMKilled or ImagePullBackOff, or
	 * terminated with restartCount >= 3; false while being deleted. */
	bool crashloop;
	/* From the shard's status.podRoles (key = pod name, or a key
	 * "<pod>.<...>"). role_name is NULL when the pod is not listed. */
	enum mg_drain_role role;
	const char *role_name;
	/* Drift: spec-hash annotation vs the desired hash (opts.desired_hash) */
	enum mg_snap_drift drift;
	const char *spec_hash;    /* annotation, NULL when absent */
	char desired_hash[9];     /* "" when unknown */
	/* Drain: the state annotation, and since when (requested-at, else
	 * the deletion timestamp; 0 unknown). */
	enum mg_drain_state drain;
	const char *drain_value;  /* the raw annotation, NULL when absent */
	const char *drain_requested_at; /* raw annotation, NULL when absent */
	time_t drain_since;
	/* While this snapshot watched the pod (same uid), its drain state
	 * went back to an earlier state (e.g. draining -> requested); going
	 * back to none is a cancellation, not this. Stays set. */
	bool drain_backwards;
};

struct mg_snap_pvc {
	struct mg_snap_obj obj;
	const char *component, *pool, *cell;
	const char *capacity;      /* status.capacity.storage, else the request */
	const char *storage_class; /* spec.storageClassName */
	const char *orphan_since;  /* label multigres.com/orphan-since */
	long index;                /* from the name, -1 if none */
	/* Where it hangs: a pool×cell (data PVC), a shard (backup PVC), or
	 * neither. */
	struct mg_snap_poolcell *pc;
	struct mg_snap_shard *shard;
};

struct mg_snap_deploy {
	struct mg_snap_obj obj;
	const char *component; /* multigateway, multiorch, multiadmin, ... */
	const char *cell;      /* label multigres.com/cell */
	long replicas;         /* spec.replicas (1 when absent) */
	long ready;            /* status.readyReplicas (0 when absent) */
	long updated;          /* status.updatedReplicas */
	long available;        /* status.availableReplicas */
};

/* One status.podRoles entry of a shard. */
struct mg_snap_role {
	const char *key;   /* from the JSON */
	char *pod;         /* owned: key up to its first '.' */
	const char *value; /* from the JSON */
	enum mg_drain_role role;
	struct mg_snap_pod *found; /* that pod, when the snapshot has it */
};

/* One pool in one cell. */
struct mg_snap_poolcell {
	struct mg_snap_pool *pool;
	const char *cell;      /* owned by the snapshot */
	bool in_spec;          /* the cell is in the pool's spec */
	long desired;          /* replicasPerCell (facts 1.13), -1 unknown */
	struct mg_snap_pod **pods; /* by index, then name */
	size_t npods;
	struct mg_snap_pvc **pvcs; /* by name */
	size_t npvcs;
	/* Counts over the pods not being deleted; nprimary counts every pod
	 * podRoles calls PRIMARY, terminating or not. */
	size_t nready, nprimary, ndrifted, ndraining, nterminating;
	uint64_t changed;
};

struct mg_snap_pool {
	struct mg_snap_shard *shard;
	const char *name;      /* owned */
	const cJSON *spec;     /* spec.pools.<name> of the Shard, or NULL */
	long replicas_per_cell; /* -1 when not in the spec */
	struct mg_snap_poolcell **cells; /* by cell name */
	size_t ncells;
	uint64_t changed;
};

struct mg_snap_shard {
	struct mg_snap_obj obj; /* json NULL: the Shard CR is not (yet) seen */
	struct mg_snap_tablegroup *tg;
	const char *database, *tablegroup, *name; /* owned: "postgres",
						     "default", "0-inf" */
	struct mg_snap_pool **pools; /* by name */
	size_t npools;
	struct mg_snap_role *roles;  /* status.podRoles, by key */
	size_t nroles;
	struct mg_snap_deploy **orch; /* multiorch Deployments, by cell */
	size_t norch;
	struct mg_snap_pvc *backup_pvc; /* or NULL */
	time_t last_backup;             /* status.lastBackupTime */
	const char *last_backup_type;   /* status.lastBackupType */
	long replicas;       /* spec.replicas, -1 absent */
	long ready_replicas; /* status.readyReplicas, -1 absent */
	bool orch_ready, pools_ready;   /* status */
	const struct mg_snap_cond *available, *rolling, *backup,
		*ready_for_deletion;    /* conditions, or NULL */
	time_t pending_deletion;        /* annotation, 0 if absent */
	/* Totals over the pool×cells. */
	size_t npods, nready, nprimary, ndrifted, ndraining;
	/*
	 * Since when the shard has not had exactly one PRIMARY among its pods
	 * (0 while it has one). A shard has one primary whatever its pools
	 * and cells: every pool replicates from it. mg_snap_tick() keeps
	 * this: the tick that first saw it, or, for what the first tick
	 * already found, the last sign of change among the pods (created,
	 * deleted, readiness flipped, a container terminated); 0 when there
	 * is no such sign.
	 */
	time_t primary_issue_since;
	/* podRoles names a pod the snapshot does not have: since when (the
	 * tick that first saw it; 0 for what the first tick found). */
	time_t missing_role_since;
	uint64_t changed;
};

struct mg_snap_tablegroup {
	struct mg_snap_obj obj;
	struct mg_snap_cluster *cluster;
	const char *database, *name; /* owned */
	struct mg_snap_shard **shards; /* by name */
	size_t nshards;
	long ready_shards, total_shards; /* status, -1 absent */
	uint64_t changed;
};

struct mg_snap_cell {
	struct mg_snap_obj obj;
	struct mg_snap_cluster *cluster;
	const char *name;            /* owned: the logical cell name */
	const char *zone, *region;   /* spec.zoneId / spec.region */
	long gateway_replicas;       /* status, -1 absent */
	long gateway_ready;          /* status.gatewayReadyReplicas, -1 */
	struct mg_snap_deploy *gateway; /* the multigateway Deployment */
	struct mg_snap_obj *topo;       /* local TopoServer, or NULL */
	uint64_t changed;
};

struct mg_snap_cluster {
	struct mg_snap_obj obj;
	const char *ns, *name;        /* owned */
	struct mg_snap_cell **cells;  /* by name */
	size_t ncells;
	struct mg_snap_tablegroup **tgs; /* by database, then name */
	size_t ntgs;
	struct mg_snap_obj **topos;   /* TopoServers, by name */
	size_t ntopos;
	struct mg_snap_deploy **deploys; /* cluster-wide Deployments, by name */
	size_t ndeploys;
	uint64_t changed;
};

/*
 * The desired spec-hash of pool pod `index` of pool × cell, given the
 * Shard object and the live pod (for example a wrapper of
 * mg_poolpod_desired_hash, which may take inputs the Shard does not hold
 * from the pod, such as its postgres-config-hash annotation). Writes 8
 * hex digits and a NUL to out and returns 0; anything else means
 * "unknown" (the pod's drift is then MG_SNAP_DRIFT_UNKNOWN). Called again
 * when the pod changes or the Shard's generation does.
 */
typedef int (*mg_snap_hash_fn)(void *data, const cJSON *shard,
			       const cJSON *pod, const char *pool,
			       const char *cell, long index, char out[9]);

struct mg_snap_opts {
	mg_snap_hash_fn desired_hash; /* NULL: drift unknown */
	void *hash_data;
	/* Keep only objects of this cluster (its name; labels
	 * multigres.com/cluster or app.kubernetes.io/instance). NULL: all.
	 * Events carry no labels: they are all kept (within events_max),
	 * since their object may come later; only those about kept objects
	 * are attached to anything. */
	const char *cluster;
	size_t events_per_object; /* 0: 20 */
	size_t events_max;        /* all events; 0: 10000 (oldest go first) */
};

#define MG_SNAP_OPTS_INIT { NULL, NULL, NULL, 0, 0 }

struct mg_snap;

/* A new empty snapshot. opts is copied (and its strings); may be NULL. */
struct mg_snap *mg_snap_new(const struct mg_snap_opts *opts);
void mg_snap_free(struct mg_snap *s);

/*
 * Applies one object. obj is borrowed (a copy is kept). ADDED/MODIFIED
 * insert or replace; DELETED removes (unknown objects are ignored). An
 * object older than the one kept (by resourceVersion, when both are
 * numbers) is ignored, so a slow LIST cannot undo a newer WATCH event.
 * Objects of another cluster than opts.cluster are ignored (0).
 * Errors: MG_EINVAL when obj is not an object or has no metadata.name
 * (the snapshot is unchanged).
 */
int mg_snap_apply(struct mg_snap *s, enum mg_snap_kind kind,
		  enum mg_snap_op op, const cJSON *obj, struct mg_err *err);

/*
 * Records `now` as the time of the current state, for the findings that
 * need a grace period (pool×cell without exactly one PRIMARY, podRoles
 * naming a missing pod; obj-level lags use the objects' own times). Cheap:
 * looks only at what changed since the last tick. Call it after a batch
 * of applies and before health checks.
 */
void mg_snap_tick(struct mg_snap *s, time_t now);

/* The change counter: grows with every apply that changed something. */
uint64_t mg_snap_version(const struct mg_snap *s);

/* Clusters, by namespace then name. */
struct mg_snap_cluster *const *mg_snap_clusters(const struct mg_snap *s,
						size_t *n);
/* The cluster node (ns, name), or NULL. */
const struct mg_snap_cluster *mg_snap_cluster(const struct mg_snap *s,
					      const char *ns,
					      const char *name);

/* Lookups: NULL when not kept. ns "" for cluster-scoped. */
const struct mg_snap_obj *mg_snap_find(const struct mg_snap *s,
				       enum mg_snap_kind kind, const char *ns,
				       const char *name);
const struct mg_snap_obj *mg_snap_find_uid(const struct mg_snap *s,
					   const char *uid);

/* Objects kept of a kind (nodes without a CR are not counted). */
size_t mg_snap_count(const struct mg_snap *s, enum mg_snap_kind kind);

/*
 * Calls fn for every kept object of a kind, in no particular order. fn
 * must not apply to the snapshot.
 */
void mg_snap_foreach(const struct mg_snap *s, enum mg_snap_kind kind,
		     void (*fn)(const struct mg_snap_obj *obj, void *data),
		     void *data);

/*
 * Down-casts (obj must be of that kind, else NULL). The node kinds
 * (cluster, cell, table group, shard) give the node the CR is attached to.
 */
const struct mg_snap_pod *mg_snap_as_pod(const struct mg_snap_obj *obj);
const struct mg_snap_pvc *mg_snap_as_pvc(const struct mg_snap_obj *obj);
const struct mg_snap_deploy *mg_snap_as_deploy(const struct mg_snap_obj *obj);
const struct mg_snap_event *mg_snap_as_event(const struct mg_snap_obj *obj);
const struct mg_snap_shard *mg_snap_as_shard(const struct mg_snap_obj *obj);
const struct mg_snap_cell *mg_snap_as_cell(const struct mg_snap_obj *obj);
const struct mg_snap_tablegroup *
mg_snap_as_tablegroup(const struct mg_snap_obj *obj);
const struct mg_snap_cluster *
mg_snap_as_cluster(const struct mg_snap_obj *obj);

#endif /* MG_SNAPSHOT_H */
