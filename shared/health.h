/*
 * health.h - what is wrong with a snapshot, how badly, since when.
 *
 * mg_health_check() turns a snapshot and "now" into findings. The rules
 * are the Kubernetes-side checks of upstream's read-only observer
 * (reference: health-checks.md), computed from the objects alone; every
 * finding names its object, a stable code, a sentence and, when known,
 * since when. The status headline, its exit code, the TUI's colours and
 * the operator's conditions all come from these findings.
 *
 * Pure: no I/O, no clock. Grace periods need to know how long a state has
 * lasted: the objects' own times (conditions, deletion, requested-at,
 * managedFields), else what mg_snap_tick() remembered. When nothing tells,
 * the start is unknown (since == 0) and the rule reports at once: a
 * one-shot look cannot tell an outage from the first seconds of a
 * failover, and says so only when the evidence allows.
 *
 * The rules (code: severity; threshold):
 *
 * pods (all pods kept, pool pods or not)
 *   PodPending           error; phase Pending for more than 60 s
 *   PodCrashLooping      error; a container waiting in CrashLoopBackOff,
 *                        ImagePullBackOff or ErrImagePull
 *   PodNotReady          error; Running but not Ready for more than 30 s
 *   PodRestarts          warn: a container restarted within the last
 *                        5 min; error: that, with 3 or more restarts;
 *                        info: restarts longer ago
 *   PodOOMKilled         error; a container's last termination OOMKilled
 *   PodStuckTerminating  error; deleted more than 90 s ago
 *   PodCountMismatch     error; a pool x cell in the spec with another
 *                        number of pods (not terminating) than
 *                        replicasPerCell
 * objects
 *   OwnerMissing         error; a Cell, TableGroup or TopoServer without
 *                        an owner reference to its cluster (a local
 *                        TopoServer: or to its Cell), a Shard without
 *                        one to its TableGroup
 *   Orphaned             warn; a managed pod, PVC or Deployment without
 *                        any owner (PVCs labelled orphan-since are meant
 *                        to be)
 *   StuckTerminating     error; a Multigres object deleted more than
 *                        5 min ago
 *   GatewayMissing       error; a Cell without its multigateway Deployment
 *   MultiorchMissing     error; a Shard cell without its multiorch
 *                        Deployment
 *   GatewayNotReady      error when no replica is ready, warn when some
 *   MultiorchNotReady    the same for multiorch
 * status
 *   PhaseDegraded        error; phase Degraded or Unknown for more than
 *                        5 min (since: the newest condition transition)
 *   PhaseProgressing     warn; Progressing for more than 10 min
 *   GenerationLag        error; status.observedGeneration behind
 *                        metadata.generation for more than 60 s (since:
 *                        the last spec write in managedFields)
 *   PrimaryCount         error; a shard without exactly one PRIMARY pod
 *                        in podRoles for more than 30 s; info within
 *   StaleRole            warn; podRoles names a pod that does not exist,
 *                        for more than 30 s
 *   ReadyReplicasMismatch warn; status.readyReplicas differs from the
 *                        ready pods counted as the operator counts them
 *                        (not draining, not deleted)
 *   PoolsReadyMismatch   warn; status.poolsReady disagrees with the pods
 *   OrchReadyMismatch    warn; status.orchReady disagrees with the
 *                        multiorch Deployments
 *   CellsMismatch        error; the cluster's status.cells has missing or
 *                        extra entries for its spec.cells
 *   ReadyForDeletion     warn; a Shard says ReadyForDeletion while no
 *                        one is deleting it
 *   BackupStale          warn past 25 h since lastBackupTime (the
 *                        operator's threshold), error past 49 h
 *   BackupFailed         error; BackupHealthy False for reason
 *                        BackupFailed
 *   BackupUnhealthy      warn; BackupHealthy False for another reason
 *                        while the backup is recent
 *   NoBackup             warn; BackupHealthy is reported but no backup
 *                        has completed
 * drain
 *   DrainStuck           error; requested or acknowledged for more than
 *                        30 s, draining for more than 5 min
 *   DrainInProgress      info; a drain within those limits
 *   DrainBackwards       fatal; a drain state moved back
 *   MultipleDraining     error; more than one draining pod in a shard
 *                        that is not being deleted
 *   RollingUpdate        info; pods whose spec drifted
 * events (Warning events of the last opts.event_window seconds)
 *   Event                BackOff, FailedScheduling, FailedMount: error;
 *                        Unhealthy, EvictionThresholdMet and the
 *                        operator's BackupStale, ConfigError,
 *                        ExpandPVCFailed, PodReplaced, StatusError,
 *                        StuckTerminating, TopologyError: warn;
 *                        OOMKilling: fatal
 *
 * The Kubernetes-side rules that need objects a snapshot does not keep
 * (Services, endpoints) and the topology-side rules (poolers registered in
 * etcd) are not here.
 *
 * Severities follow health-checks.md except where a status field is read
 * against the pods it summarises (ReadyReplicasMismatch, PoolsReady-,
 * OrchReadyMismatch): the operator writes status after the pods change,
 * so a single read can fall between the two; these are warnings, as in
 * the observer's code.
 */
#ifndef MG_HEALTH_H
#define MG_HEALTH_H

#include "compat.h"
#include "snapshot.h"

struct mg_buf;

enum mg_health_sev {
	MG_HEALTH_NONE,  /* no finding at all (a report's worst only) */
	MG_HEALTH_INFO,
	MG_HEALTH_WARN,
	MG_HEALTH_ERROR,
	MG_HEALTH_FATAL,
};

/* Thresholds, in seconds. */
#define MG_HEALTH_PENDING_SEC         60
#define MG_HEALTH_NOT_READY_SEC       30
#define MG_HEALTH_TERMINATING_SEC     90
#define MG_HEALTH_RESTART_WINDOW_SEC  300
#define MG_HEALTH_RESTART_ERROR_COUNT 3
#define MG_HEALTH_CR_TERMINATING_SEC  300
#define MG_HEALTH_DEGRADED_SEC        300
#define MG_HEALTH_PROGRESSING_SEC     600
#define MG_HEALTH_GENERATION_SEC      60
#define MG_HEALTH_PRIMARY_GRACE_SEC   30
#define MG_HEALTH_STALE_ROLE_SEC      30
#define MG_HEALTH_BACKUP_WARN_SEC     (25 * 3600)
#define MG_HEALTH_BACKUP_ERROR_SEC    (49 * 3600)
#define MG_HEALTH_DRAIN_REQUESTED_SEC 30
#define MG_HEALTH_DRAIN_DRAINING_SEC  300
#define MG_HEALTH_DRAIN_ACK_SEC       30
#define MG_HEALTH_EVENT_WINDOW_SEC    900

struct mg_health_finding {
	enum mg_health_sev sev;
	const char *code;     /* one of the codes above (static) */
	enum mg_snap_kind kind;
	char *ns, *name;      /* the object */
	char *cluster;        /* its cluster's name ("" when unknown) */
	/* How people name the object: "pod <name>", "shard postgres/default/
	 * 0-inf", "cell zone-a", "cluster minimal", "tablegroup
	 * postgres/default", "toposerver <name>", "deployment <name>",
	 * "pvc <name>". */
	char *subject;
	/* The object in the snapshot: valid until the snapshot changes. */
	const struct mg_snap_obj *obj;
	char *message;        /* one sentence, no trailing period */
	time_t since;         /* when it started, 0 when unknown */
};

/* Findings sorted by cluster (namespace, name), then severity (worst
 * first), kind, object name and code. */
struct mg_health_report {
	struct mg_health_finding *v;
	size_t n;
	enum mg_health_sev worst;
};

#define MG_HEALTH_REPORT_INIT { NULL, 0, MG_HEALTH_NONE }

struct mg_health_opts {
	/* Warning events whose last time is within this many seconds of
	 * now count; 0: MG_HEALTH_EVENT_WINDOW_SEC. */
	long event_window;
};

#define MG_HEALTH_OPTS_INIT { 0 }

/*
 * Checks every cluster of the snapshot at time `now` (opts may be NULL).
 * The report is the caller's (mg_health_report_release); an earlier
 * content of *out is released first. Cannot fail.
 */
void mg_health_check(const struct mg_snap *s, time_t now,
		     const struct mg_health_opts *opts,
		     struct mg_health_report *out);
void mg_health_report_release(struct mg_health_report *r);

/* "info", "warn", "error", "fatal" ("ok" for NONE). */
const char *mg_health_sev_name(enum mg_health_sev sev);

/* The worst severity among the findings of one cluster. */
enum mg_health_sev mg_health_worst(const struct mg_health_report *r,
				   const char *ns, const char *cluster);

/* The cluster's verdict: "Healthy" (nothing worse than info), "Warning",
 * "Degraded" (error) or "Failed" (fatal). */
const char *mg_health_verdict(enum mg_health_sev worst);

/* The exit status of `status`: 0 up to warn, 1 for error and fatal. */
int mg_health_exit_code(enum mg_health_sev worst);

/*
 * Appends the headline of one cluster (ns, name), without a newline:
 * "Healthy", or the verdict and why: "Degraded: <the worst finding's
 * message> (and 2 more problems)".
 */
void mg_health_headline(struct mg_buf *out, const struct mg_health_report *r,
			const char *ns, const char *cluster);

/*
 * A duration as kubectl prints ages: "45s", "3m20s", "25m", "5h12m", "30h",
 * "3d4h", "12d", "2y100d". Negative durations print as "0s".
 */
void mg_health_duration(char out[24], long long secs);

#endif /* MG_HEALTH_H */
