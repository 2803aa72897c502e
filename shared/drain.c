#include "compat.h"
#include "drain.h"

#include <assert.h>
#include <stdarg.h>

#include "err.h"
#include "labels.h"
#include "timeutil.h"
#include "names.h"

/* Indexed by enum mg_drain_state. */
static const char *const state_names[] = {
	[MG_DRAIN_NONE] = "",
	[MG_DRAIN_REQUESTED] = MG_DRAIN_VALUE_REQUESTED,
	[MG_DRAIN_DRAINING] = MG_DRAIN_VALUE_DRAINING,
	[MG_DRAIN_ACKNOWLEDGED] = MG_DRAIN_VALUE_ACKNOWLEDGED,
	[MG_DRAIN_READY_FOR_DELETION] = MG_DRAIN_VALUE_READY_FOR_DELETION,
	[MG_DRAIN_UNKNOWN] = "unknown",
};

_Static_assert(ARRAY_SIZE(state_names) == MG_DRAIN_NSTATES,
	       "one name per enum mg_drain_state");

/*
 * The forward edges of the machine, indexed by state: where one step
 * goes. NONE, READY_FOR_DELETION and UNKNOWN have no forward step.
 */
static const enum mg_drain_state forward[] = {
	[MG_DRAIN_NONE] = MG_DRAIN_NONE,
	[MG_DRAIN_REQUESTED] = MG_DRAIN_DRAINING,
	[MG_DRAIN_DRAINING] = MG_DRAIN_ACKNOWLEDGED,
	[MG_DRAIN_ACKNOWLEDGED] = MG_DRAIN_READY_FOR_DELETION,
	[MG_DRAIN_READY_FOR_DELETION] = MG_DRAIN_READY_FOR_DELETION,
	[MG_DRAIN_UNKNOWN] = MG_DRAIN_UNKNOWN,
};

_Static_assert(ARRAY_SIZE(forward) == MG_DRAIN_NSTATES,
	       "one forward edge per enum mg_drain_state");

/* Event types. The event reasons below are the Go operator's own. */
#define EV_NORMAL  "Normal"
#define EV_WARNING "Warning"

const char *
mg_drain_state_name(enum mg_drain_state state)
{
	assert((size_t)state < ARRAY_SIZE(state_names));
	return state_names[state];
}

enum mg_drain_state
mg_drain_state_parse(const char *value)
{
	size_t i;

	if (!value || !*value)
		return MG_DRAIN_NONE;
	for (i = MG_DRAIN_REQUESTED; i <= MG_DRAIN_READY_FOR_DELETION; i++)
		if (strcmp(value, state_names[i]) == 0)
			return (enum mg_drain_state)i;
	return MG_DRAIN_UNKNOWN;
}

enum mg_drain_role
mg_drain_role_parse(const char *value)
{
	if (!value)
		return MG_DRAIN_ROLE_UNKNOWN;
	if (strcmp(value, MG_ROLE_PRIMARY) == 0)
		return MG_DRAIN_ROLE_PRIMARY;
	if (strcmp(value, MG_ROLE_REPLICA) == 0)
		return MG_DRAIN_ROLE_REPLICA;
	if (strcmp(value, MG_ROLE_DRAINED) == 0)
		return MG_DRAIN_ROLE_DRAINED;
	if (strcmp(value, MG_ROLE_QUARANTINED) == 0)
		return MG_DRAIN_ROLE_QUARANTINED;
	return MG_DRAIN_ROLE_UNKNOWN;
}

/* ---- the step function ---- */

MG_PRINTF(2, 3) static void
say(char buf[256], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, 256, fmt, ap);
	va_end(ap);
}

static void
event(struct mg_drain_result *r, const char *type, const char *reason)
{
	r->actions |= MG_DRAIN_ACT_EVENT;
	r->event_type = type;
	r->event_reason = reason;
}

/* a is later than b by more than sec seconds */
static bool
older_than(struct timespec a, struct timespec b, long sec)
{
	long long d = (long long)a.tv_sec - (long long)b.tv_sec;

	return d > sec || (d == sec && a.tv_nsec > b.tv_nsec);
}

/*
 * A `requested` drain nobody needs any more: the pod is back within the
 * desired replicas with the desired spec (a scale-down or an update that
 * was reverted). A pod being deleted, or DRAINED, must finish its drain.
 */
static bool
request_is_stale(const struct mg_drain_pod *pod)
{
	long index;

	if (pod->state != MG_DRAIN_REQUESTED || pod->terminating ||
	    pod->role == MG_DRAIN_ROLE_DRAINED || !pod->in_spec)
		return false;
	if (!mg_name_pod_index(pod->name, &index) ||
	    index >= pod->replicas_per_cell)
		return false;
	return !pod->drifted;
}

/* Sets out for a new request: state `requested`, stamped now. */
static void
request(struct mg_drain_result *out, enum mg_drain_rule rule)
{
	out->rule = rule;
	out->next = MG_DRAIN_REQUESTED;
	out->actions |= MG_DRAIN_ACT_SET_STATE | MG_DRAIN_ACT_SET_REQUESTED_AT;
}

/*
 * Timeout, then one forward step: the part both modes share, for states
 * requested, draining, acknowledged and unknown.
 */
static void
advance(const struct mg_drain_pod *pod, struct timespec now,
	struct mg_drain_result *out)
{
	struct timespec start = { 0, 0 };
	bool have_start = false;
	const char *from = mg_drain_state_name(pod->state);

	if (pod->requested_at && *pod->requested_at) {
		if (mg_time_parse_ts(pod->requested_at, &start, NULL) == 0) {
			have_start = true;
		} else {
			/* Go falls back to "now": this drain cannot time
			 * out until the annotation is fixed. */
			out->bad_requested_at = true;
			start = now;
			have_start = true;
		}
	} else if (pod->terminating) {
		start = pod->deletion_ts;
		have_start = true;
	}

	if (have_start && older_than(now, start, MG_DRAIN_TIMEOUT_SEC)) {
		out->rule = MG_DRAIN_RULE_TIMEOUT;
		out->next = MG_DRAIN_READY_FOR_DELETION;
		out->actions |= MG_DRAIN_ACT_SET_STATE | MG_DRAIN_ACT_REQUEUE;
		say(out->reason,
		    "drain of pod '%s' started %lld s ago, more than %d s: forced to %s",
		    pod->name, (long long)(now.tv_sec - start.tv_sec),
		    MG_DRAIN_TIMEOUT_SEC,
		    MG_DRAIN_VALUE_READY_FOR_DELETION);
		return;
	}

	switch (pod->state) {
	case MG_DRAIN_REQUESTED:
	case MG_DRAIN_DRAINING:
		out->rule = MG_DRAIN_RULE_ADVANCE;
		out->next = forward[pod->state];
		out->actions |= MG_DRAIN_ACT_SET_STATE | MG_DRAIN_ACT_REQUEUE;
		say(out->reason, "pod '%s' drain %s -> %s", pod->name, from,
		    mg_drain_state_name(out->next));
		break;
	case MG_DRAIN_ACKNOWLEDGED:
		out->rule = MG_DRAIN_RULE_COMPLETE;
		out->next = forward[pod->state];
		out->actions |= MG_DRAIN_ACT_SET_STATE |
				MG_DRAIN_ACT_COUNT_SUCCESS |
				MG_DRAIN_ACT_REQUEUE;
		event(out, EV_NORMAL, "DrainCompleted");
		say(out->event_msg, "Pod %s is drained and can be deleted",
		    pod->name);
		say(out->reason, "pod '%s' drain %s -> %s", pod->name, from,
		    mg_drain_state_name(out->next));
		break;
	default:
		out->rule = MG_DRAIN_RULE_UNKNOWN_STATE;
		say(out->reason,
		    "pod '%s' has a drain state the operator does not know; left alone",
		    pod->name);
		break;
	}
}

void
mg_drain_step(const struct mg_drain_pod *pod, enum mg_drain_mode mode,
	      struct timespec now, struct mg_drain_result *out)
{
	assert(pod && pod->name && out);
	assert((size_t)pod->state < MG_DRAIN_NSTATES);
	memset(out, 0, sizeof(*out));
	out->rule = MG_DRAIN_RULE_IDLE;
	out->next = pod->state;

	if (mode == MG_DRAIN_MODE_SHARD_DELETION) {
		/* The deletion pass polls every 2 s while any pod is left. */
		out->actions = MG_DRAIN_ACT_REQUEUE;
		if (pod->terminating) {
			out->rule = MG_DRAIN_RULE_WAIT_TERMINATING;
			say(out->reason, "pod '%s' is terminating", pod->name);
		} else if (pod->state == MG_DRAIN_NONE) {
			request(out, MG_DRAIN_RULE_SHARD_DELETION);
			event(out, EV_NORMAL, "DrainStarted");
			say(out->event_msg,
			    "Draining pod %s because its shard is being deleted",
			    pod->name);
			say(out->reason, "shard of pod '%s' is pending deletion",
			    pod->name);
		} else if (pod->state == MG_DRAIN_READY_FOR_DELETION) {
			/* PVCs are the Shard finalizer's business here. */
			out->rule = MG_DRAIN_RULE_REMOVE;
			out->actions |= MG_DRAIN_ACT_DELETE_POD;
			say(out->reason, "pod '%s' is drained: delete it",
			    pod->name);
		} else {
			advance(pod, now, out);
		}
		return;
	}

	switch (pod->state) {
	case MG_DRAIN_NONE:
		if (!pod->terminating) {
			say(out->reason, "pod '%s' is not draining", pod->name);
		} else if (!pod->scheduled) {
			say(out->reason,
			    "pod '%s' was deleted before it was scheduled; let go",
			    pod->name);
		} else {
			request(out, MG_DRAIN_RULE_EXTERNAL_DELETION);
			event(out, EV_WARNING, "ExternalDeletion");
			say(out->event_msg,
			    "Pod %s was deleted from outside the operator; draining it",
			    pod->name);
			say(out->reason, "pod '%s' deleted externally",
			    pod->name);
		}
		return;
	case MG_DRAIN_READY_FOR_DELETION:
		out->rule = MG_DRAIN_RULE_REMOVE;
		out->actions = MG_DRAIN_ACT_CLEANUP_PVC |
			       MG_DRAIN_ACT_DELETE_POD;
		say(out->reason,
		    "pod '%s' is drained: clean up its volume claim and delete it",
		    pod->name);
		return;
	default:
		break;
	}

	if (request_is_stale(pod)) {
		out->rule = MG_DRAIN_RULE_CANCEL;
		out->next = MG_DRAIN_NONE;
		out->actions = MG_DRAIN_ACT_CLEAR;
		event(out, EV_NORMAL, "DrainCancelled");
		say(out->event_msg,
		    "Drain of pod %s cancelled: it is wanted again as it is",
		    pod->name);
		say(out->reason,
		    "pod '%s' is within the desired replicas and up to date",
		    pod->name);
		return;
	}
	advance(pod, now, out);
}

/* ---- who gets the next drain ---- */

bool
mg_drain_pool_busy(const struct mg_drain_pool *pool)
{
	size_t i;

	assert(pool && (pool->pods || pool->npods == 0));
	for (i = 0; i < pool->npods; i++) {
		const struct mg_drain_pod *p = &pool->pods[i];

		if (p->state == MG_DRAIN_READY_FOR_DELETION)
			continue;
		if (p->state != MG_DRAIN_NONE || p->terminating)
			return true;
	}
	return false;
}

/* A ready-for-deletion pod is deleted by this very pass. */
static bool
pass_acts(const struct mg_drain_pool *pool)
{
	size_t i;

	if (pool->action_taken)
		return true;
	for (i = 0; i < pool->npods; i++)
		if (pool->pods[i].state == MG_DRAIN_READY_FOR_DELETION)
			return true;
	return false;
}

/* The common gate of both pickers; false (and out filled) to stop. */
static bool
may_pick(const struct mg_drain_pool *pool, struct mg_drain_pick *out)
{
	memset(out, 0, sizeof(*out));
	out->rule = MG_DRAIN_PICK_NOTHING;
	out->pod = -1;
	if (pass_acts(pool)) {
		out->rule = MG_DRAIN_PICK_ACTION_TAKEN;
		say(out->reason, "this pass already changed the pool");
		return false;
	}
	if (mg_drain_pool_busy(pool)) {
		out->rule = MG_DRAIN_PICK_BUSY;
		say(out->reason, "a drain or deletion is under way in the pool");
		return false;
	}
	return true;
}

/* Index of the pod, or `fallback` when it cannot be read. */
static long
index_or(const struct mg_drain_pod *p, long fallback)
{
	long index;

	return mg_name_pod_index(p->name, &index) ? index : fallback;
}

static bool
is_extra(const struct mg_drain_pool *pool, const struct mg_drain_pod *p)
{
	long index;

	if (p->state == MG_DRAIN_READY_FOR_DELETION)
		return false;
	return !mg_name_pod_index(p->name, &index) ||
	       index >= pool->effective_replicas;
}

void
mg_drain_pick_scale_down(const struct mg_drain_pool *pool,
			 struct mg_drain_pick *out)
{
	size_t i, nextra = 0;
	long best_score = 0;

	assert(pool && out);
	if (!may_pick(pool, out))
		return;
	for (i = 0; i < pool->npods; i++)
		nextra += is_extra(pool, &pool->pods[i]);
	if (nextra == 0) {
		say(out->reason, "no pod beyond the %ld desired",
		    pool->effective_replicas);
		return;
	}

	/* Health gate: every pod that stays must be Ready. */
	for (i = 0; i < pool->npods; i++) {
		const struct mg_drain_pod *p = &pool->pods[i];
		long index;

		if (p->state != MG_DRAIN_NONE || p->terminating)
			continue;
		if (!mg_name_pod_index(p->name, &index) ||
		    index >= pool->effective_replicas)
			continue;
		if (p->role == MG_DRAIN_ROLE_DRAINED ||
		    p->role == MG_DRAIN_ROLE_QUARANTINED)
			continue;
		if (!p->ready) {
			out->rule = MG_DRAIN_PICK_BLOCKED;
			out->event_type = EV_WARNING;
			out->event_reason = "ScaleDownBlocked";
			say(out->event_msg,
			    "Scale-down of %zu extra pod(s) deferred: pod %s is not ready",
			    nextra, p->name);
			say(out->reason, "pod '%s' stays and is not ready",
			    p->name);
			return;
		}
	}

	/* Victim: highest score; strict '>' keeps the first by name. */
	for (i = 0; i < pool->npods; i++) {
		const struct mg_drain_pod *p = &pool->pods[i];
		long score;

		if (!is_extra(pool, p))
			continue;
		/*
		 * Go's int arithmetic wraps; unsigned arithmetic does the
		 * same here without undefined behaviour for absurd indexes.
		 */
		score = index_or(p, 0);
		if (p->role == MG_DRAIN_ROLE_PRIMARY)
			score = (long)((unsigned long)score - 1000ul);
		if (!p->ready)
			score = (long)((unsigned long)score + 500ul);
		if (out->pod < 0 || score > best_score ||
		    (score == best_score &&
		     strcmp(p->name, pool->pods[out->pod].name) < 0)) {
			out->pod = (long)i;
			best_score = score;
		}
	}
	out->rule = MG_DRAIN_PICK_EXTRA;
	out->event_type = EV_NORMAL;
	out->event_reason = "DrainStarted";
	say(out->event_msg, "Draining pod %s to scale the pool down",
	    pool->pods[out->pod].name);
	say(out->reason, "pod '%s' is beyond the %ld desired (score %ld)",
	    pool->pods[out->pod].name, pool->effective_replicas, best_score);
}

void
mg_drain_pick_rolling(const struct mg_drain_pool *pool,
		      struct mg_drain_pick *out)
{
	long replica = -1, primary = -1;
	size_t i, ndrifted = 0;

	assert(pool && out);
	if (!may_pick(pool, out))
		return;
	for (i = 0; i < pool->npods; i++) {
		const struct mg_drain_pod *p = &pool->pods[i];
		long index;

		if (p->drifted && !p->terminating &&
		    mg_name_pod_index(p->name, &index) &&
		    index < pool->effective_replicas)
			ndrifted++;
	}
	if (ndrifted == 0) {
		say(out->reason, "every pod is up to date");
		return;
	}

	/* By name: the first drifted non-primary, else the last drifted
	 * primary (there is normally only one). */
	for (i = 0; i < pool->npods; i++) {
		const struct mg_drain_pod *p = &pool->pods[i];

		if (!p->drifted)
			continue;
		if (p->role != MG_DRAIN_ROLE_PRIMARY) {
			if (replica < 0 ||
			    strcmp(p->name, pool->pods[replica].name) < 0)
				replica = (long)i;
		} else if (primary < 0 ||
			   strcmp(p->name, pool->pods[primary].name) >= 0) {
			primary = (long)i;
		}
	}
	if (replica >= 0) {
		out->rule = MG_DRAIN_PICK_REPLICA;
		out->pod = replica;
		out->event_type = EV_NORMAL;
		out->event_reason = "PodUpdated";
		say(out->event_msg, "Draining out-of-date pod %s to update it",
		    pool->pods[replica].name);
		say(out->reason, "pod '%s' is out of date and not the primary",
		    pool->pods[replica].name);
	} else if (primary >= 0 &&
		   pool->pods[primary].state == MG_DRAIN_NONE) {
		out->rule = MG_DRAIN_PICK_PRIMARY;
		out->pod = primary;
		out->event_type = EV_NORMAL;
		out->event_reason = "RollingUpdateStarted";
		say(out->event_msg,
		    "Draining out-of-date primary %s last; multiorch will elect a new primary",
		    pool->pods[primary].name);
		say(out->reason,
		    "primary '%s' is the only out-of-date pod left",
		    pool->pods[primary].name);
	} else {
		say(out->reason, "no out-of-date pod can be drained");
	}
}
