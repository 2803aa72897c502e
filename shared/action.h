/*
 * action.h - the two operations on a live cluster: drain a pool pod and
 * switch a shard's primary over.
 *
 * Each is a plan followed by an apply step (design.md):
 *
 *   plan   pure: from objects the caller read (a pod, its Shard, the
 *          shard's pods, the poolers multiadmin reports) and `now`, what
 *          would change and why it is or is not safe. No I/O, no clock.
 *   apply  small: carries out a plan that is allowed, then (optionally)
 *          waits for the cluster to follow, reporting progress.
 *
 * A front-end (the plugin's `drain` and `switchover`, a TUI dialog) does:
 * load (the helpers below, or its own snapshot) -> plan -> print
 * mg_action_*_plan_text() -> stop on --dry-run or a refusal -> ask
 * plan.confirm -> apply -> wait -> print the result. In calls:
 *
 *   drain POD:   mg_action_load_pod -> mg_action_drain_plan
 *                -> mg_action_drain_apply -> mg_action_drain_wait
 *   switchover:  mg_action_load_shard (the Shard's name from names.h
 *                mg_name_shard_cr, or a pod's mg_action_pod_shard)
 *                -> mg_action_shard_key (the key and the cluster)
 *                -> mg_multiadmin_new_proxy(k, ns, cluster) or
 *                   mg_multiadmin_new_url(--admin-url)
 *                -> mg_multiadmin_poolers -> mg_action_switchover_plan
 *                -> mg_action_switchover_apply
 *                -> mg_action_switchover_result_text
 *
 * Refusals are data, not errors: a plan that may not be applied says so in
 * its verdict, each reason with a named check (mg_action_check_name()) and
 * a sentence. Some reasons can be overridden with `force`, some never (a
 * pod already draining: re-requesting would move its state backwards; a
 * switchover target: multiadmin cannot choose one). An error return
 * (struct mg_err) means the inputs were not what a plan needs: a pod that
 * is not a Multigres pool pod, a Shard that is not the pod's, a missing
 * field.
 *
 * Facts: multigres-operator-facts.md 5 (drain annotations, states, who
 * moves them), 6 (one drain at a time, PDB), 11.3 (podRoles, pooler to pod
 * matching), 16; multigres-upstream-facts.md 4.2 (switch-primary), 6
 * (durability policies).
 *
 * Ownership: plans and results are caller-owned storage filled by the
 * functions (strings malloc'd, freed by the _release functions). Input
 * cJSON trees are borrowed for the call only; nothing in a plan points
 * into them.
 */
#ifndef MG_ACTION_H
#define MG_ACTION_H

#include <cJSON.h>

#include "buf.h"
#include "compat.h"
#include "drain.h"
#include "multiadmin.h"
#include "timeutil.h"

struct mg_err;
struct mg_kube;

/* --- verdicts ---------------------------------------------------------------- */

/* The named checks a plan can fail. */
enum mg_action_check {
	/* drain */
	MG_ACTION_POD_DRAINING,      /* the pod already has a drain state (never forced) */
	MG_ACTION_POD_TERMINATING,   /* the pod is being deleted (never forced) */
	MG_ACTION_OTHER_DRAINING,    /* another pod of the shard is draining or terminating */
	MG_ACTION_PRIMARY_DRAINING,  /* the shard's primary is draining or terminating */
	MG_ACTION_NO_TAKEOVER,       /* the pod is the primary and no ready replica remains */
	MG_ACTION_QUORUM,            /* the durability policy would no longer be met */
	MG_ACTION_UNKNOWN_POLICY,    /* the Shard names a policy we cannot check */
	/* both */
	MG_ACTION_NO_PRIMARY,        /* no primary (podRoles for drain, topology for switchover) */
	/* switchover */
	MG_ACTION_SWITCH_IN_PROGRESS, /* a switchover or failover is visible (never forced) */
	MG_ACTION_NO_HEALTHY_REPLICA, /* nothing to promote (never forced) */
	MG_ACTION_DRAIN_IN_FLIGHT,   /* a pod of the shard is draining or terminating */
	MG_ACTION_ROLLING_UPDATE,    /* RollingUpdate is True or pods are drifted */
	MG_ACTION_TARGET_UNSUPPORTED, /* a new primary was asked for (never forced) */
};

/* "pod-draining", "pod-terminating", "other-draining", ...: stable names
 * for output formats and tests. */
const char *mg_action_check_name(enum mg_action_check check);

#define MG_ACTION_MAX_REASONS 8

struct mg_action_reason {
	enum mg_action_check check;
	bool forceable;
	char text[384]; /* one sentence, no trailing period */
};

struct mg_action_verdict {
	/* May be applied: no reasons, or force and every reason forceable. */
	bool allowed;
	/* Allowed only because force overrode the reasons. */
	bool forced;
	struct mg_action_reason reasons[MG_ACTION_MAX_REASONS];
	size_t nreasons;
};

/* Did the verdict list this check? */
bool mg_action_verdict_has(const struct mg_action_verdict *v,
			   enum mg_action_check check);

/* --- inputs shared by both plans ---------------------------------------- */

/*
 * The objects a plan reads, as the loaders below fetch them: the pod to
 * drain (NULL for a switchover), its Shard, and the Shard's pool pods (a
 * List object or an array of pods). Owned by whoever filled it;
 * mg_action_objects_release frees what it holds.
 */
struct mg_action_objects {
	cJSON *pod;
	cJSON *shard;
	cJSON *pods;
};

void mg_action_objects_release(struct mg_action_objects *o);

/*
 * The Shard a pool pod belongs to: the name in its controller owner
 * reference of kind Shard, else built from its labels as the operator names
 * Shards (names.h). MG_EINVAL, naming the pod, when it is not a Multigres
 * pool pod (component label not "shard-pool", or an identity label
 * missing). *out is malloc'd.
 */
int mg_action_pod_shard(char **out, const cJSON *pod, struct mg_err *err);

/*
 * The label selector of a Shard's pool pods, appended to out:
 * "app.kubernetes.io/component=shard-pool,multigres.com/cluster=C,
 * multigres.com/database=D,multigres.com/tablegroup=T,multigres.com/shard=S".
 * MG_EINVAL when the Shard lacks its cluster label or spec names.
 */
int mg_action_shard_selector(struct mg_buf *out, const cJSON *shard,
			     struct mg_err *err);

/*
 * The shard's key in topology, borrowed from the Shard object (valid while
 * it lives), and its cluster (the multigres.com/cluster label; may be
 * NULL). MG_EINVAL when a spec name is missing.
 */
int mg_action_shard_key(struct mg_multiadmin_shard *key, const char **cluster,
			const cJSON *shard, struct mg_err *err);

/* I/O: GET the pod, its Shard (mg_action_pod_shard) and LIST the Shard's
 * pods. On error *out is released. */
int mg_action_load_pod(struct mg_kube *k, const char *ns, const char *pod,
		       struct mg_action_objects *out, struct mg_err *err);

/* I/O: GET the Shard and LIST its pods (out->pod stays NULL). */
int mg_action_load_shard(struct mg_kube *k, const char *ns, const char *shard,
			 struct mg_action_objects *out, struct mg_err *err);

/* --- drain ------------------------------------------------------------------- */

struct mg_action_drain_input {
	const cJSON *pod;   /* the pod to drain */
	const cJSON *shard; /* its Shard */
	const cJSON *pods;  /* the Shard's pods: a List or an array; pods of
			     * other shards are ignored, the pod itself is
			     * taken from `pod` */
	time_t now;         /* becomes requested-at */
	bool force;         /* override the forceable reasons */
};

struct mg_action_drain_plan {
	struct mg_action_verdict verdict;
	char *ns;
	char *pod;
	char *uid;
	char *resource_version; /* the precondition of the patch */
	char *shard;            /* the Shard CR's name */
	char *cluster, *database, *tablegroup, *shard_name;
	char *pool, *cell;      /* "" when the labels lack them */
	enum mg_drain_role role; /* from status.podRoles */
	char requested_at[MG_TIME_LEN + 1];
	/* The JSON merge patch apply sends, also when refused (what would
	 * change): metadata.resourceVersion and the two drain annotations
	 * (state "requested", requested-at now in RFC 3339 UTC). */
	char *patch;
	/* What the drain does and why it is (un)safe, one line each ending
	 * in '\n'; shown by --dry-run and confirmation dialogs. */
	struct mg_buf summary;
	/* A yes/no question for the confirmation prompt, no newline. */
	char *confirm;
};

/*
 * Plans the drain of in->pod. The checks (each a reason when it fails):
 *
 *   pod-draining      the pod has a drain state already (its state and
 *                     requested-at are named); never forced
 *   pod-terminating   the pod is being deleted (the operator drains it
 *                     itself); never forced
 *   other-draining    another pod of the shard is draining or terminating
 *                     (the operator drains one pod at a time)
 *   primary-draining  the shard's primary is draining or terminating
 *   no-primary        status.podRoles names no PRIMARY (a failover may be
 *                     under way)
 *   no-takeover       the pod is the PRIMARY and no other pod is a Ready,
 *                     non-draining REPLICA that multiorch could promote
 *   quorum            the durability policy would not be met by the
 *                     poolers that remain (below)
 *   unknown-policy    spec.durabilityPolicy is neither AT_LEAST_2 nor
 *                     MULTI_CELL_AT_LEAST_2
 *
 * Our reading of the durability facts (upstream 6): a policy counts the
 * nodes that acknowledge a write, the primary included, and upstream says
 * AT_LEAST_2 needs two poolers before a leader can be elected. So the
 * poolers that "remain" are the shard's other pods that are Ready, have
 * no drain state, are not terminating and are PRIMARY or REPLICA in
 * status.podRoles (a QUARANTINED or unregistered pooler acknowledges
 * nothing). AT_LEAST_2 (the default when the field is empty) needs at
 * least 2 of them; MULTI_CELL_AT_LEAST_2 needs them to span at least 2
 * cells (multigres.com/cell labels). The pod being drained is counted out
 * even though it is recreated afterwards: the check is about the time in
 * between.
 *
 * MG_EINVAL when the pod is not a pool pod, the Shard is not the pod's
 * (cluster label, database, table group, shard), or the pod has no name
 * or resourceVersion. *out is always initialised; release it.
 */
int mg_action_drain_plan(struct mg_action_drain_plan *out,
			 const struct mg_action_drain_input *in,
			 struct mg_err *err);

void mg_action_drain_plan_release(struct mg_action_drain_plan *p);

/*
 * Appends the plan for people: the summary, the patch, and the verdict
 * ("Refused:" and one line per reason, saying which force overrides; or
 * "Allowed" / "Allowed only because it is forced").
 */
void mg_action_drain_plan_text(const struct mg_action_drain_plan *p,
			       struct mg_buf *out);

/*
 * I/O: sends the plan's merge patch to the pod. MG_EINVAL without a
 * request when the plan is not allowed. The patch carries the plan's
 * resourceVersion, so a pod that changed since it was read fails with
 * MG_ECONFLICT and nothing is written ("plan again"). dry_run asks the
 * server to validate only (dryRun=All). *out (may be NULL) gets the pod
 * as the server returned it.
 */
int mg_action_drain_apply(struct mg_kube *k,
			  const struct mg_action_drain_plan *p, bool dry_run,
			  cJSON **out, struct mg_err *err);

enum mg_action_drain_outcome {
	MG_ACTION_DRAIN_READY,     /* state ready-for-deletion */
	MG_ACTION_DRAIN_DELETED,   /* the pod is gone (or replaced: new uid) */
	MG_ACTION_DRAIN_CANCELLED, /* the annotations were removed (DrainCancelled) */
};

const char *mg_action_drain_outcome_name(enum mg_action_drain_outcome o);

/* Called when the pod's drain state is first seen and whenever it
 * changes; elapsed since the wait began. It runs inside the watch loop
 * and may make requests of its own (the watch has its own connection). */
typedef void (*mg_action_drain_progress_fn)(void *data, const char *pod,
					    enum mg_drain_state state,
					    int64_t elapsed_ms);

struct mg_action_drain_wait_opts {
	long timeout_ms;        /* 0: 6 minutes (the operator forces a drain after 5) */
	bool until_deleted;     /* keep waiting past ready-for-deletion */
	mg_action_drain_progress_fn progress; /* may be NULL */
	void *data;
};

/*
 * I/O: follows the planned pod by WATCH (field selector on its name)
 * until its drain state is ready-for-deletion (unless until_deleted), it
 * is deleted or replaced by a pod of another uid, or the annotations go
 * away while it is not terminating (cancelled). MG_ETIMEOUT naming the
 * last state seen (and the watch's last error, if any) when the time runs
 * out. opts may be NULL.
 */
int mg_action_drain_wait(struct mg_kube *k,
			 const struct mg_action_drain_plan *p,
			 const struct mg_action_drain_wait_opts *opts,
			 enum mg_action_drain_outcome *outcome,
			 struct mg_err *err);

/* --- switchover ----------------------------------------------------------- */

struct mg_action_switchover_input {
	const cJSON *shard;
	const cJSON *pods;  /* the Shard's pods: a List or an array */
	const struct mg_multiadmin_poolers *poolers; /* of this shard */
	/* A pod (or pooler id) the caller wants promoted: switch-primary
	 * cannot choose one, so this is a refusal, never ignored. */
	const char *to;
	/* Pods the caller knows to be drifted (spec-hash); a pod without a
	 * spec-hash annotation counts as drifted too. */
	const char *const *drifted;
	size_t ndrifted;
	bool force;         /* override drain-in-flight and rolling-update */
};

struct mg_action_switchover_plan {
	struct mg_action_verdict verdict;
	char *ns;
	char *shard;        /* the Shard CR's name */
	char *cluster, *database, *tablegroup, *shard_name;
	bool has_primary;
	struct mg_multiadmin_id primary; /* the live PRIMARY pooler */
	char *primary_pod;  /* its pod, "" when none matches */
	long long term;
	char **candidates;  /* pods of healthy replicas */
	size_t ncandidates;
	char **pods;        /* every pod of the shard, to name poolers later */
	size_t npods;
	struct mg_buf summary;
	char *confirm;
};

/*
 * Plans a switchover. Preflight checks (each a reason when it fails):
 *
 *   target-unsupported  `to` is set: multiadmin's switch-primary cannot
 *                       choose the new primary (multiorch promotes the
 *                       most advanced standby); never forced
 *   no-primary          topology shows no live PRIMARY pooler; never forced
 *   switch-in-progress  two live poolers claim PRIMARY, or the primary is
 *                       DRAINING (resigning); never forced
 *   no-healthy-replica  no pooler is a healthy replica: live, REPLICA,
 *                       SERVING, its pod Ready, without drain state, not
 *                       terminating and not QUARANTINED in podRoles (why
 *                       each replica is not is said); never forced
 *   drain-in-flight     a pod of the shard is draining or terminating
 *   rolling-update      condition RollingUpdate is True, or pods are
 *                       drifted
 *
 * MG_EINVAL when the Shard lacks its spec names. *out is always
 * initialised; release it.
 */
int mg_action_switchover_plan(struct mg_action_switchover_plan *out,
			      const struct mg_action_switchover_input *in,
			      struct mg_err *err);

void mg_action_switchover_plan_release(struct mg_action_switchover_plan *p);

void mg_action_switchover_plan_text(const struct mg_action_switchover_plan *p,
				    struct mg_buf *out);

/* Called when what the wait sees changes ("primary p-1 (pod-0) is
 * DRAINING"); elapsed since the request was sent. */
typedef void (*mg_action_switch_progress_fn)(void *data, const char *status,
					     int64_t elapsed_ms);

struct mg_action_switchover_opts {
	const char *reason;  /* sent to multiadmin; NULL: a default */
	long timeout_ms;     /* for a new primary to appear; 0: 60 s */
	long poll_ms;        /* 0: 250 ms */
	mg_action_switch_progress_fn progress; /* may be NULL */
	void *data;
};

struct mg_action_switchover_result {
	struct mg_multiadmin_id old_primary;
	char old_pod[254];
	struct mg_multiadmin_id new_primary;
	char new_pod[254];
	long long new_term;
	int64_t elapsed_ms;  /* from the request to the new primary */
};

/*
 * I/O: POSTs switch-primary for the planned shard, then polls the poolers
 * until a live PRIMARY other than the old one is SERVING. MG_EINVAL
 * without a request when the plan is not allowed; multiadmin's refusal as
 * its error with the server's message (nothing moved); MG_ETIMEOUT when no
 * new primary appeared in time (the old primary and the last thing seen
 * are named). opts may be NULL.
 */
int mg_action_switchover_apply(struct mg_multiadmin *a,
			       const struct mg_action_switchover_plan *p,
			       const struct mg_action_switchover_opts *opts,
			       struct mg_action_switchover_result *out,
			       struct mg_err *err);

/* "primary moved from pod-0 (zone1/p-1) to pod-1 (zone1/p-2), term 2,
 * in 1.2 s" and a newline. */
void mg_action_switchover_result_text(const struct mg_action_switchover_result *r,
				      struct mg_buf *out);

#endif /* MG_ACTION_H */
