/*
 * drain.h - the pool-pod drain state machine, as pure decisions.
 *
 * The Go operator removes a pool pod gracefully by walking it through
 * states kept in two pod annotations, drain.multigres.com/state and
 * drain.multigres.com/requested-at (labels.h). Reference:
 * multigres-operator-facts.md 5 and 6.2; this module follows `main`
 * (pkg/data-handler/drain, pkg/resource-handler/controller/shard).
 *
 *   (none) --request--> requested --> draining --> acknowledged
 *          --> ready-for-deletion --> PVC cleanup, pod deleted
 *
 * One step per reconcile; a drain older than 5 minutes jumps straight to
 * ready-for-deletion; a `requested` drain that is no longer needed is
 * cancelled. On `main` the steps are annotation patches only: no RPC, no
 * topology write. The multipooler's own shutdown path and multiorch take
 * the pod out of the cohort, and multiorch fails over a deleted primary.
 *
 * Release v0.11.1 (and `main` from February to August 2026) differed:
 * requested -> draining asked the primary to drop a replica from its
 * cohort (UpdateConsensusRule REMOVE; earlier UpdateSynchronousStandbyList),
 * waiting while the primary itself was draining or not ready, and warned
 * (PrimaryDrain) when the pod was the primary; draining -> acknowledged
 * repeated that call; acknowledged -> ready-for-deletion and the timeout
 * deleted the pooler's topology record. None of that is done here.
 *
 * Who asks for a drain: scale-down (mg_drain_pick_scale_down), rolling
 * updates, replicas before the primary (mg_drain_pick_rolling), an
 * external `kubectl delete` and shard deletion (mg_drain_step), and a
 * PVC waiting for a filesystem resize (the caller: it is a PVC fact).
 * Since at most one pod of a pool x cell is draining at a time, no
 * replica starts draining while the primary drains.
 *
 * Everything here is pure: no I/O, no clock (the caller passes `now`),
 * no allocation. The decisions are returned as data (next state, a set of
 * actions, an event, a reason); the caller applies them. The functions
 * cannot fail; NULL pointers are programmer errors (assert).
 */
#ifndef MG_DRAIN_H
#define MG_DRAIN_H

#include "compat.h"

struct mg_err;

/* A drain older than this (strictly) is forced to ready-for-deletion. */
#define MG_DRAIN_TIMEOUT_SEC 300
/* The Go operator requeues the shard this soon after a drain advanced. */
#define MG_DRAIN_REQUEUE_SEC 2

/* "2006-01-02T15:04:05Z": the form the operator writes. */

enum mg_drain_state {
	MG_DRAIN_NONE,               /* no state annotation (or an empty one) */
	MG_DRAIN_REQUESTED,          /* "requested" */
	MG_DRAIN_DRAINING,           /* "draining" */
	MG_DRAIN_ACKNOWLEDGED,       /* "acknowledged" */
	MG_DRAIN_READY_FOR_DELETION, /* "ready-for-deletion" */
	MG_DRAIN_UNKNOWN,            /* an annotation with another value */
};
#define MG_DRAIN_NSTATES (MG_DRAIN_UNKNOWN + 1)

/*
 * The annotation value for a state. NONE gives "" and UNKNOWN "unknown";
 * neither is ever written. Never NULL.
 */
const char *mg_drain_state_name(enum mg_drain_state state);

/*
 * The state an annotation value stands for: NULL and "" are NONE (Go
 * reads a missing key as ""), the four values their state (exact,
 * case-sensitive match), anything else UNKNOWN.
 */
enum mg_drain_state mg_drain_state_parse(const char *value);

/* Times (requested-at) are read and written with timeutil.h. */

/* A pod's role as the Shard's status.podRoles gives it. */
enum mg_drain_role {
	MG_DRAIN_ROLE_UNKNOWN, /* absent or another value */
	MG_DRAIN_ROLE_PRIMARY,
	MG_DRAIN_ROLE_REPLICA,
	MG_DRAIN_ROLE_DRAINED,     /* v0.11.1 only; main does not report it */
	MG_DRAIN_ROLE_QUARANTINED, /* main */
};

/* "PRIMARY", "REPLICA", "DRAINED", "QUARANTINED"; else (or NULL) UNKNOWN. */
enum mg_drain_role mg_drain_role_parse(const char *value);

/* What the machine needs to know about one pool pod. Borrowed strings. */
struct mg_drain_pod {
	const char *name;
	enum mg_drain_state state;
	/* requested-at annotation value; NULL or "" when absent */
	const char *requested_at;
	bool terminating;            /* metadata.deletionTimestamp is set */
	struct timespec deletion_ts; /* that timestamp, when terminating */
	bool scheduled;              /* condition PodScheduled is True */
	bool ready;                  /* condition Ready is True */
	enum mg_drain_role role;
	/* spec-hash missing or not the desired one; false while terminating */
	bool drifted;
	/*
	 * The pod's pool x cell is known: its pool and cell labels are set
	 * and the pool is in the Shard spec. Only then can a request be
	 * found stale.
	 */
	bool in_spec;
	long replicas_per_cell; /* that pool's desired replicas (default 1) */
};

/* Which pass runs the machine. */
enum mg_drain_mode {
	/* The shard's normal reconcile (data-plane phase for the steps,
	 * scale-down phase for the removal of ready-for-deletion pods). */
	MG_DRAIN_MODE_RECONCILE,
	/* The Shard carries multigres.com/pending-deletion: every pod is
	 * drained and deleted, nothing is cancelled, PVCs are left to the
	 * Shard's finalizer. */
	MG_DRAIN_MODE_SHARD_DELETION,
};

/* What the caller should do, as a set of bits, applied in this order. */
enum mg_drain_action {
	/* Remove both drain annotations (one merge patch). */
	MG_DRAIN_ACT_CLEAR = 1u << 0,
	/* Set the state annotation to mg_drain_state_name(next). */
	MG_DRAIN_ACT_SET_STATE = 1u << 1,
	/* In the same patch, set requested-at to
	 * mg_time_format(now). */
	MG_DRAIN_ACT_SET_REQUESTED_AT = 1u << 2,
	/* Count multigres_operator_drain_operations_total{result="success"}. */
	MG_DRAIN_ACT_COUNT_SUCCESS = 1u << 3,
	/* Orphan or delete the pod's data PVC by policy (facts 6.4). */
	MG_DRAIN_ACT_CLEANUP_PVC = 1u << 4,
	/* Delete the pod. */
	MG_DRAIN_ACT_DELETE_POD = 1u << 5,
	/* Record event_type/event_reason/event_msg on the Shard. */
	MG_DRAIN_ACT_EVENT = 1u << 6,
	/* Requeue the Shard after MG_DRAIN_REQUEUE_SEC. */
	MG_DRAIN_ACT_REQUEUE = 1u << 7,
};

/* The rule that decided a step: for logs, tests and --dry-run. */
enum mg_drain_rule {
	MG_DRAIN_RULE_IDLE,              /* nothing to do */
	MG_DRAIN_RULE_EXTERNAL_DELETION, /* deleted from outside: request */
	MG_DRAIN_RULE_SHARD_DELETION,    /* shard going away: request */
	MG_DRAIN_RULE_CANCEL,            /* stale request: clear */
	MG_DRAIN_RULE_TIMEOUT,           /* older than 5 min: ready */
	MG_DRAIN_RULE_ADVANCE,           /* one step forward */
	MG_DRAIN_RULE_COMPLETE,          /* acknowledged -> ready */
	MG_DRAIN_RULE_REMOVE,            /* ready: clean up and delete */
	MG_DRAIN_RULE_WAIT_TERMINATING,  /* shard deletion: pod going */
	MG_DRAIN_RULE_UNKNOWN_STATE,     /* unrecognised state: left alone */
};

/* The decision for one pod. Self-contained: no pointers into inputs. */
struct mg_drain_result {
	enum mg_drain_rule rule;
	enum mg_drain_state next; /* state once the actions are applied */
	unsigned actions;         /* enum mg_drain_action bits */
	const char *event_type;   /* "Normal"/"Warning" with ACT_EVENT, else NULL */
	const char *event_reason; /* e.g. "DrainCompleted", else NULL */
	char event_msg[256];
	char reason[256];         /* why, in a sentence, for logs */
	/* requested-at was set but not RFC 3339: the Go operator logs an
	 * error and then cannot time this drain out */
	bool bad_requested_at;
};

/*
 * Decides the next step for one pool pod at time `now`, as the Go
 * operator's passes do:
 *
 * RECONCILE
 *   none, terminating and scheduled: request (Warning ExternalDeletion);
 *     terminating but never scheduled: let it go. The Go operator takes
 *     at most one such action per pool x cell and reconcile.
 *   requested, not terminating, role not DRAINED, in_spec, index below
 *     replicas_per_cell and not drifted: cancel (Normal DrainCancelled).
 *     Checked before the timeout.
 *   ready-for-deletion: clean up the PVC, delete the pod.
 *   any other state (unknown values too), drain older than 5 minutes:
 *     ready-for-deletion, no event, no metric. The age counts from
 *     requested-at; from the deletion timestamp when requested-at is
 *     absent; a malformed requested-at counts as "now" (never times out).
 *   requested -> draining -> acknowledged -> ready-for-deletion, one per
 *     call; the last step counts a success and records Normal
 *     DrainCompleted. Every patch asks for a requeue.
 * SHARD_DELETION (every result asks for a requeue)
 *   terminating: wait (the caller treats a pod terminating for over 60 s
 *     as gone; that is not a drain decision);
 *   none: request (Normal DrainStarted);
 *   ready-for-deletion: delete the pod (no PVC cleanup);
 *   otherwise: timeout and steps as above, no cancellation.
 */
void mg_drain_step(const struct mg_drain_pod *pod, enum mg_drain_mode mode,
		   struct timespec now, struct mg_drain_result *out);

/* The pods of one pool x cell, for the pickers below. */
struct mg_drain_pool {
	const struct mg_drain_pod *pods;
	size_t npods;
	/* replicasPerCell plus the pods whose role is DRAINED */
	long effective_replicas;
	/* this reconcile already created, deleted or requested something */
	bool action_taken;
};

/*
 * Is a drain under way in the pool: a pod with a drain state other than
 * ready-for-deletion, or a terminating pod? New drains wait for it.
 */
bool mg_drain_pool_busy(const struct mg_drain_pool *pool);

enum mg_drain_pick_rule {
	MG_DRAIN_PICK_NOTHING,      /* nothing to drain */
	MG_DRAIN_PICK_ACTION_TAKEN, /* something else happened this pass */
	MG_DRAIN_PICK_BUSY,         /* a drain is under way */
	MG_DRAIN_PICK_BLOCKED,      /* scale-down: pool not healthy */
	MG_DRAIN_PICK_EXTRA,        /* scale-down victim */
	MG_DRAIN_PICK_REPLICA,      /* rolling update: a non-primary */
	MG_DRAIN_PICK_PRIMARY,      /* rolling update: the primary, last */
};

/*
 * The pod to request a drain for (SET_STATE requested and
 * SET_REQUESTED_AT on pods[pod]), or pod == -1. An event goes with a pick
 * and with BLOCKED.
 */
struct mg_drain_pick {
	enum mg_drain_pick_rule rule;
	long pod;                 /* index into pool->pods, or -1 */
	const char *event_type;   /* NULL when there is no event */
	const char *event_reason;
	char event_msg[256];
	char reason[256];
};

/*
 * Scale-down (facts 6.2). Extra pods are those not ready-for-deletion
 * whose index cannot be read or is >= effective_replicas. Nothing is
 * picked when an action was taken (a ready-for-deletion pod counts: this
 * pass deletes it), the pool is busy or there are no extras. BLOCKED
 * (Warning ScaleDownBlocked) when a pod that stays (index below
 * effective_replicas, no drain state, not terminating, role neither
 * DRAINED nor QUARANTINED) is not Ready. Otherwise the extra pod with the
 * highest score wins, index - 1000 if PRIMARY + 500 if not Ready, the
 * first by name on a tie (Normal DrainStarted).
 */
void mg_drain_pick_scale_down(const struct mg_drain_pool *pool,
			      struct mg_drain_pick *out);

/*
 * Rolling update (facts 5.5), run after scale-down. Nothing when an
 * action was taken, the pool is busy or no pod with index below
 * effective_replicas is drifted. Otherwise the first drifted pod by name
 * (byte order, so "x-10" before "x-2") whose role is not PRIMARY (Normal
 * PodUpdated); only when there is none, the drifted primary (Normal
 * RollingUpdateStarted; no switchover is asked for, multiorch fails over
 * once the pod is deleted).
 */
void mg_drain_pick_rolling(const struct mg_drain_pool *pool,
			   struct mg_drain_pick *out);

#endif /* MG_DRAIN_H */
