/*
 * Unit tests for shared/drain.c.
 *
 * The step table has one row per case of multigres-operator-facts.md
 * 5.2/5.4 (behaviour on `main`) and a check that every (mode, state) pair
 * has at least one row. The pickers' tables follow 5.5 and 6.2. The RFC
 * 3339 vectors are what Go 1.26's time.Parse(time.RFC3339, s) returned for
 * the same strings (seconds since the epoch, nanoseconds, or an error).
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "drain.h"
#include "timeutil.h"
#include "err.h"
#include "labels.h"

/* 2026-08-21T10:00:00Z */
#define NOW 1787306400

#define FRESH    "2026-08-21T09:59:00Z" /* 60 s before NOW */
#define AT_LIMIT "2026-08-21T09:55:00Z" /* exactly 300 s */
#define TOO_OLD  "2026-08-21T09:54:59Z" /* 301 s */

#define CLEAR MG_DRAIN_ACT_CLEAR
#define SET   MG_DRAIN_ACT_SET_STATE
#define STAMP MG_DRAIN_ACT_SET_REQUESTED_AT
#define COUNT MG_DRAIN_ACT_COUNT_SUCCESS
#define PVC   MG_DRAIN_ACT_CLEANUP_PVC
#define DEL   MG_DRAIN_ACT_DELETE_POD
#define EVENT MG_DRAIN_ACT_EVENT
#define REQ   MG_DRAIN_ACT_REQUEUE

#define RECONCILE MG_DRAIN_MODE_RECONCILE
#define DELETION  MG_DRAIN_MODE_SHARD_DELETION

#define NONE     MG_DRAIN_NONE
#define REQUESTED MG_DRAIN_REQUESTED
#define DRAINING MG_DRAIN_DRAINING
#define ACKED    MG_DRAIN_ACKNOWLEDGED
#define READY    MG_DRAIN_READY_FOR_DELETION
#define UNKNOWN  MG_DRAIN_UNKNOWN

/*
 * One row: the pod (name "p-0" unless given, replicas_per_cell 2, in
 * spec, scheduled, not drifted, role REPLICA unless given), the pass, and
 * what must come out.
 */
struct step_case {
	const char *what;
	enum mg_drain_mode mode;
	enum mg_drain_state state;
	const char *pod;
	enum mg_drain_role role;
	const char *requested_at;
	bool terminating;
	long deleted_ago; /* seconds before NOW */
	bool unscheduled;
	bool drifted;
	bool not_in_spec;
	long now_nsec;
	/* expected */
	enum mg_drain_rule rule;
	enum mg_drain_state next;
	unsigned actions;
	const char *event;
	bool bad_requested_at;
};

static const struct step_case step_cases[] = {
	/* ---- RECONCILE: requests the step itself makes ---- */
	{ "no drain, nothing to do", RECONCILE, NONE, .requested_at = NULL,
	  .rule = MG_DRAIN_RULE_IDLE, .next = NONE },
	{ "no drain, drifted: the rolling picker decides, not the step",
	  RECONCILE, NONE, .drifted = true,
	  .rule = MG_DRAIN_RULE_IDLE, .next = NONE },
	{ "kubectl delete of a scheduled pod starts a drain", RECONCILE,
	  NONE, .terminating = true, .deleted_ago = 5,
	  .rule = MG_DRAIN_RULE_EXTERNAL_DELETION, .next = REQUESTED,
	  .actions = SET | STAMP | EVENT, .event = "ExternalDeletion" },
	{ "kubectl delete of an unscheduled pod: let it go", RECONCILE, NONE,
	  .terminating = true, .deleted_ago = 5, .unscheduled = true,
	  .rule = MG_DRAIN_RULE_IDLE, .next = NONE },

	/* ---- RECONCILE: cancellation of a stale request ---- */
	{ "requested, in range and up to date: cancelled", RECONCILE,
	  REQUESTED, .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_CANCEL, .next = NONE,
	  .actions = CLEAR | EVENT, .event = "DrainCancelled" },
	{ "cancellation is checked before the timeout", RECONCILE, REQUESTED,
	  .requested_at = TOO_OLD,
	  .rule = MG_DRAIN_RULE_CANCEL, .next = NONE,
	  .actions = CLEAR | EVENT, .event = "DrainCancelled" },
	{ "last index in range is still cancellable", RECONCILE, REQUESTED,
	  .pod = "p-1", .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_CANCEL, .next = NONE,
	  .actions = CLEAR | EVENT, .event = "DrainCancelled" },
	{ "requested but drifted: goes on", RECONCILE, REQUESTED,
	  .requested_at = FRESH, .drifted = true,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "requested, index beyond replicas (scale-down): goes on", RECONCILE,
	  REQUESTED, .pod = "p-2", .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "requested, terminating: must finish", RECONCILE, REQUESTED,
	  .requested_at = FRESH, .terminating = true, .deleted_ago = 10,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "requested, role DRAINED: must finish", RECONCILE, REQUESTED,
	  .role = MG_DRAIN_ROLE_DRAINED, .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "requested, pool not in spec: goes on", RECONCILE, REQUESTED,
	  .requested_at = FRESH, .not_in_spec = true,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "requested, no index in the name: goes on", RECONCILE, REQUESTED,
	  .pod = "pool-pod-x", .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "draining is never cancelled", RECONCILE, DRAINING,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = ACKED,
	  .actions = SET | REQ },

	/* ---- RECONCILE: the steps ---- */
	{ "primary goes the same way on main (no RPC, no PrimaryDrain)",
	  RECONCILE, REQUESTED, .role = MG_DRAIN_ROLE_PRIMARY,
	  .requested_at = FRESH, .drifted = true,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "acknowledged completes: metric and event", RECONCILE, ACKED,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_COMPLETE, .next = READY,
	  .actions = SET | COUNT | EVENT | REQ, .event = "DrainCompleted" },
	{ "ready-for-deletion: PVC cleanup and delete", RECONCILE, READY,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_REMOVE, .next = READY, .actions = PVC | DEL },
	{ "ready-for-deletion ignores the clock", RECONCILE, READY,
	  .requested_at = TOO_OLD, .terminating = true, .deleted_ago = 900,
	  .rule = MG_DRAIN_RULE_REMOVE, .next = READY, .actions = PVC | DEL },
	{ "unknown state value, fresh: left alone", RECONCILE, UNKNOWN,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_UNKNOWN_STATE, .next = UNKNOWN },
	{ "unknown state value without any clock: left alone", RECONCILE,
	  UNKNOWN,
	  .rule = MG_DRAIN_RULE_UNKNOWN_STATE, .next = UNKNOWN },

	/* ---- RECONCILE: the 5-minute timeout ---- */
	{ "requested 301 s ago: forced ready", RECONCILE, REQUESTED,
	  .requested_at = TOO_OLD, .drifted = true,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "exactly 300 s is not over the limit", RECONCILE, REQUESTED,
	  .requested_at = AT_LIMIT, .drifted = true,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "300 s and 1 ns is", RECONCILE, REQUESTED,
	  .requested_at = AT_LIMIT, .drifted = true, .now_nsec = 1,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "draining times out", RECONCILE, DRAINING, .requested_at = TOO_OLD,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "acknowledged times out without metric or event", RECONCILE, ACKED,
	  .requested_at = TOO_OLD,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "unknown state times out too", RECONCILE, UNKNOWN,
	  .requested_at = TOO_OLD,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "malformed requested-at counts as now, even when deleted long ago",
	  RECONCILE, REQUESTED, .requested_at = "yesterday", .drifted = true,
	  .terminating = true, .deleted_ago = 3600,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ, .bad_requested_at = true },
	{ "no requested-at: deletion timestamp 301 s ago times out",
	  RECONCILE, REQUESTED, .drifted = true, .terminating = true,
	  .deleted_ago = 301,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "no requested-at: deletion timestamp 300 s ago does not",
	  RECONCILE, REQUESTED, .drifted = true, .terminating = true,
	  .deleted_ago = 300,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "empty requested-at is absent: deletion timestamp counts",
	  RECONCILE, DRAINING, .requested_at = "", .terminating = true,
	  .deleted_ago = 400,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "no requested-at, not terminating: no clock, never times out",
	  RECONCILE, DRAINING,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = ACKED, .actions = SET | REQ },
	{ "requested-at with an offset is compared in UTC", RECONCILE,
	  REQUESTED, .requested_at = "2026-08-21T11:54:59+02:00",
	  .drifted = true,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "requested-at in the future does not time out", RECONCILE,
	  REQUESTED, .requested_at = "2026-08-21T11:00:00Z", .drifted = true,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },

	/* ---- SHARD_DELETION ---- */
	{ "shard deletion drains every pod", DELETION, NONE,
	  .rule = MG_DRAIN_RULE_SHARD_DELETION, .next = REQUESTED,
	  .actions = SET | STAMP | EVENT | REQ, .event = "DrainStarted" },
	{ "shard deletion waits for terminating pods", DELETION, NONE,
	  .terminating = true, .deleted_ago = 5,
	  .rule = MG_DRAIN_RULE_WAIT_TERMINATING, .next = NONE,
	  .actions = REQ },
	{ "terminating pods are not stepped, even when overdue", DELETION,
	  DRAINING, .requested_at = TOO_OLD, .terminating = true,
	  .deleted_ago = 400,
	  .rule = MG_DRAIN_RULE_WAIT_TERMINATING, .next = DRAINING,
	  .actions = REQ },
	{ "shard deletion never cancels", DELETION, REQUESTED,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = DRAINING,
	  .actions = SET | REQ },
	{ "shard deletion: draining steps", DELETION, DRAINING,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_ADVANCE, .next = ACKED, .actions = SET | REQ },
	{ "shard deletion: acknowledged completes", DELETION, ACKED,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_COMPLETE, .next = READY,
	  .actions = SET | COUNT | EVENT | REQ, .event = "DrainCompleted" },
	{ "shard deletion: ready pods are deleted, PVCs left alone",
	  DELETION, READY, .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_REMOVE, .next = READY, .actions = DEL | REQ },
	{ "shard deletion: timeout", DELETION, REQUESTED,
	  .requested_at = TOO_OLD,
	  .rule = MG_DRAIN_RULE_TIMEOUT, .next = READY, .actions = SET | REQ },
	{ "shard deletion: unknown state left alone", DELETION, UNKNOWN,
	  .requested_at = FRESH,
	  .rule = MG_DRAIN_RULE_UNKNOWN_STATE, .next = UNKNOWN,
	  .actions = REQ },
};

static void
run_step(const struct step_case *c, struct mg_drain_result *r)
{
	struct mg_drain_pod pod = {
		.name = c->pod ? c->pod : "p-0",
		.state = c->state,
		.requested_at = c->requested_at,
		.terminating = c->terminating,
		.deletion_ts = { NOW - c->deleted_ago, 0 },
		.scheduled = !c->unscheduled,
		.ready = true,
		.role = c->role ? c->role : MG_DRAIN_ROLE_REPLICA,
		.drifted = c->drifted,
		.in_spec = !c->not_in_spec,
		.replicas_per_cell = 2,
	};
	struct timespec now = { NOW, c->now_nsec };

	mg_drain_step(&pod, c->mode, now, r);
}

static void
test_step_table(void **state)
{
	bool seen[2][MG_DRAIN_NSTATES] = { { false } };
	size_t i;
	int m, s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(step_cases); i++) {
		const struct step_case *c = &step_cases[i];
		struct mg_drain_result r;

		run_step(c, &r);
		seen[c->mode][c->state] = true;
		if (r.rule != c->rule || r.next != c->next ||
		    r.actions != c->actions ||
		    r.bad_requested_at != c->bad_requested_at)
			fail_msg("row %zu '%s': rule %d next %s actions %#x bad %d"
				 "; want rule %d next %s actions %#x bad %d",
				 i, c->what, r.rule, mg_drain_state_name(r.next),
				 r.actions, r.bad_requested_at, c->rule,
				 mg_drain_state_name(c->next), c->actions,
				 c->bad_requested_at);
		if (c->event) {
			if (!r.event_reason ||
			    strcmp(r.event_reason, c->event) != 0)
				fail_msg("row %zu '%s': event %s, want %s", i,
					 c->what, r.event_reason, c->event);
			assert_non_null(strstr(r.event_msg,
					       c->pod ? c->pod : "p-0"));
		} else if (r.event_reason || r.event_type) {
			fail_msg("row %zu '%s': unexpected event %s", i,
				 c->what, r.event_reason);
		}
		/* Every decision says why. */
		if (r.reason[0] == '\0')
			fail_msg("row %zu '%s': no reason", i, c->what);
	}
	/* The table covers every state in both passes. */
	for (m = 0; m < 2; m++)
		for (s = 0; s < MG_DRAIN_NSTATES; s++)
			if (!seen[m][s])
				fail_msg("no row for mode %d state %s", m,
					 mg_drain_state_name(s));
}

static const struct step_case *
find_case(const char *what)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(step_cases); i++)
		if (strcmp(step_cases[i].what, what) == 0)
			return &step_cases[i];
	fail_msg("no row '%s'", what);
	return NULL;
}

static void
test_step_event_types_and_reasons(void **state)
{
	struct mg_drain_result r;

	(void)state;
	/* External deletion warns; the rest are Normal events. */
	run_step(find_case("kubectl delete of a scheduled pod starts a drain"),
		 &r);
	assert_string_equal(r.event_reason, "ExternalDeletion");
	assert_string_equal(r.event_type, "Warning");
	run_step(find_case("requested, in range and up to date: cancelled"),
		 &r);
	assert_string_equal(r.event_type, "Normal");
	/* The timeout reason gives the age and the limit. */
	run_step(find_case("requested 301 s ago: forced ready"), &r);
	assert_int_equal(r.rule, MG_DRAIN_RULE_TIMEOUT);
	assert_non_null(strstr(r.reason, "301 s ago"));
	assert_non_null(strstr(r.reason, "300 s"));
	assert_non_null(strstr(r.reason, "'p-0'"));
}

/* Walks one pod from request to deletion, applying each result. */
static void
test_step_walk(void **state)
{
	struct mg_drain_pod pod = {
		.name = "p-3", .state = MG_DRAIN_NONE, .requested_at = NULL,
		.terminating = true, .deletion_ts = { NOW, 0 },
		.scheduled = true, .ready = true,
		.role = MG_DRAIN_ROLE_REPLICA, .in_spec = true,
		.replicas_per_cell = 2,
	};
	static const enum mg_drain_state want[] = {
		MG_DRAIN_REQUESTED, MG_DRAIN_DRAINING, MG_DRAIN_ACKNOWLEDGED,
		MG_DRAIN_READY_FOR_DELETION,
	};
	char stamp[MG_TIME_LEN + 1];
	struct timespec now = { NOW, 0 };
	struct mg_drain_result r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		mg_drain_step(&pod, MG_DRAIN_MODE_RECONCILE, now, &r);
		assert_int_equal(r.next, want[i]);
		if (r.actions & MG_DRAIN_ACT_SET_REQUESTED_AT) {
			assert_int_equal(mg_time_format(stamp, now.tv_sec,
							      NULL),
					 MG_OK);
			pod.requested_at = stamp;
		}
		pod.state = mg_drain_state_parse(mg_drain_state_name(r.next));
		now.tv_sec += MG_DRAIN_REQUEUE_SEC;
	}
	assert_string_equal(stamp, "2026-08-21T10:00:00Z");
	mg_drain_step(&pod, MG_DRAIN_MODE_RECONCILE, now, &r);
	assert_int_equal(r.rule, MG_DRAIN_RULE_REMOVE);
}

/* ---- pickers ---- */

struct pick_pod {
	const char *name;
	enum mg_drain_state state;
	enum mg_drain_role role;
	bool not_ready;
	bool drifted;
	bool terminating;
};

struct pick_case {
	const char *what;
	bool rolling;
	long effective;
	bool action_taken;
	struct pick_pod pods[6];
	enum mg_drain_pick_rule rule;
	const char *picked; /* name, or NULL */
	const char *event;  /* reason, or NULL */
};

#define P   MG_DRAIN_ROLE_PRIMARY
#define R   MG_DRAIN_ROLE_REPLICA
#define Q   MG_DRAIN_ROLE_QUARANTINED
#define DR  MG_DRAIN_ROLE_DRAINED
#define UNK MG_DRAIN_ROLE_UNKNOWN

static const struct pick_case pick_cases[] = {
	/* ---- scale-down (facts 6.2) ---- */
	{ "no extra pod", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R } },
	  MG_DRAIN_PICK_NOTHING, NULL, NULL },
	{ "highest index goes first", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R }, { "p-3", .role = R },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "p-3", "DrainStarted" },
	{ "the primary is disfavoured", false, 2, false,
	  { { "p-0", .role = R }, { "p-1", .role = R }, { "p-2", .role = R },
	    { "p-3", .role = P } },
	  MG_DRAIN_PICK_EXTRA, "p-2", "DrainStarted" },
	{ "but not excluded", false, 2, false,
	  { { "p-0", .role = R }, { "p-1", .role = R }, { "p-2", .role = P } },
	  MG_DRAIN_PICK_EXTRA, "p-2", "DrainStarted" },
	{ "a non-ready extra goes first", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R },
	    { "p-2", .role = R, .not_ready = true }, { "p-3", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "p-2", "DrainStarted" },
	{ "a non-ready pod that stays blocks", false, 2, false,
	  { { "p-0", .role = P, .not_ready = true }, { "p-1", .role = R },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_BLOCKED, NULL, "ScaleDownBlocked" },
	{ "a quarantined pod does not block", false, 2, false,
	  { { "p-0", .role = Q, .not_ready = true }, { "p-1", .role = P },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "p-2", "DrainStarted" },
	{ "a DRAINED pod does not block", false, 2, false,
	  { { "p-0", .role = DR, .not_ready = true }, { "p-1", .role = P },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "p-2", "DrainStarted" },
	{ "a non-ready extra does not block its own removal", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R },
	    { "p-2", .role = R, .not_ready = true } },
	  MG_DRAIN_PICK_EXTRA, "p-2", "DrainStarted" },
	{ "one drain at a time", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .state = DRAINING, .role = R },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_BUSY, NULL, NULL },
	{ "a terminating pod counts as a drain", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R, .terminating = true },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_BUSY, NULL, NULL },
	{ "one action per pass", false, 2, true,
	  { { "p-0", .role = P }, { "p-1", .role = R }, { "p-2", .role = R } },
	  MG_DRAIN_PICK_ACTION_TAKEN, NULL, NULL },
	{ "deleting a ready-for-deletion pod is this pass's action", false, 2,
	  false,
	  { { "p-0", .role = P }, { "p-1", .role = R },
	    { "p-3", .state = READY, .role = R }, { "p-2", .role = R } },
	  MG_DRAIN_PICK_ACTION_TAKEN, NULL, NULL },
	{ "a name without index is extra, score 0", false, 2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R }, { "p-x", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "p-x", "DrainStarted" },
	{ "a tie goes to the first name", false, 1, false,
	  { { "p-0", .role = P }, { "q-3", .role = R }, { "p-3", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "p-3", "DrainStarted" },
	{ "score, not name order: x-10 over x-9", false, 2, false,
	  { { "x-0", .role = P }, { "x-1", .role = R }, { "x-9", .role = R },
	    { "x-10", .role = R } },
	  MG_DRAIN_PICK_EXTRA, "x-10", "DrainStarted" },

	/* ---- rolling update (facts 5.5) ---- */
	{ "nothing drifted", true, 3, false,
	  { { "p-0", .role = P }, { "p-1", .role = R }, { "p-2", .role = R } },
	  MG_DRAIN_PICK_NOTHING, NULL, NULL },
	{ "replicas before the primary", true, 3, false,
	  { { "p-0", .role = P, .drifted = true },
	    { "p-2", .role = R, .drifted = true },
	    { "p-1", .role = R, .drifted = true } },
	  MG_DRAIN_PICK_REPLICA, "p-1", "PodUpdated" },
	{ "the primary last", true, 3, false,
	  { { "p-0", .role = R }, { "p-1", .role = P, .drifted = true },
	    { "p-2", .role = R } },
	  MG_DRAIN_PICK_PRIMARY, "p-1", "RollingUpdateStarted" },
	{ "no replica drain while the primary drains", true, 3, false,
	  { { "p-0", .state = REQUESTED, .role = P },
	    { "p-1", .role = R, .drifted = true }, { "p-2", .role = R } },
	  MG_DRAIN_PICK_BUSY, NULL, NULL },
	{ "no primary drain while a replica drains", true, 3, false,
	  { { "p-0", .role = P, .drifted = true },
	    { "p-1", .state = ACKED, .role = R }, { "p-2", .role = R } },
	  MG_DRAIN_PICK_BUSY, NULL, NULL },
	{ "nothing after another action", true, 3, true,
	  { { "p-0", .role = P }, { "p-1", .role = R, .drifted = true } },
	  MG_DRAIN_PICK_ACTION_TAKEN, NULL, NULL },
	{ "nothing while a ready pod is being deleted", true, 3, false,
	  { { "p-0", .role = P }, { "p-1", .role = R, .drifted = true },
	    { "p-2", .state = READY, .role = R } },
	  MG_DRAIN_PICK_ACTION_TAKEN, NULL, NULL },
	{ "byte order of names: x-10 before x-2", true, 11, false,
	  { { "x-0", .role = P }, { "x-2", .role = R, .drifted = true },
	    { "x-10", .role = R, .drifted = true } },
	  MG_DRAIN_PICK_REPLICA, "x-10", "PodUpdated" },
	{ "an unknown role is not the primary", true, 3, false,
	  { { "p-0", .role = P, .drifted = true },
	    { "p-1", .role = UNK, .drifted = true } },
	  MG_DRAIN_PICK_REPLICA, "p-1", "PodUpdated" },
	{ "drift beyond the desired replicas does not start an update", true,
	  2, false,
	  { { "p-0", .role = P }, { "p-1", .role = R },
	    { "p-2", .role = R, .drifted = true } },
	  MG_DRAIN_PICK_NOTHING, NULL, NULL },
};

static void
test_pick_table(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pick_cases); i++) {
		const struct pick_case *c = &pick_cases[i];
		struct mg_drain_pod pods[6];
		struct mg_drain_pool pool;
		struct mg_drain_pick out;
		const char *got;

		memset(pods, 0, sizeof(pods));
		for (n = 0; n < ARRAY_SIZE(c->pods) && c->pods[n].name; n++) {
			pods[n].name = c->pods[n].name;
			pods[n].state = c->pods[n].state;
			pods[n].role = c->pods[n].role;
			pods[n].ready = !c->pods[n].not_ready;
			pods[n].drifted = c->pods[n].drifted;
			pods[n].terminating = c->pods[n].terminating;
			pods[n].scheduled = true;
			pods[n].in_spec = true;
			pods[n].replicas_per_cell = c->effective;
		}
		pool.pods = pods;
		pool.npods = n;
		pool.effective_replicas = c->effective;
		pool.action_taken = c->action_taken;
		if (c->rolling)
			mg_drain_pick_rolling(&pool, &out);
		else
			mg_drain_pick_scale_down(&pool, &out);

		got = out.pod >= 0 ? pods[out.pod].name : NULL;
		if (out.rule != c->rule ||
		    (got == NULL) != (c->picked == NULL) ||
		    (got && strcmp(got, c->picked) != 0))
			fail_msg("pick row %zu '%s': rule %d pod %s; want rule %d pod %s",
				 i, c->what, out.rule, got ? got : "-",
				 c->rule, c->picked ? c->picked : "-");
		if ((out.event_reason == NULL) != (c->event == NULL) ||
		    (c->event && strcmp(out.event_reason, c->event) != 0))
			fail_msg("pick row %zu '%s': event %s, want %s", i,
				 c->what, out.event_reason, c->event);
		if (c->event && got)
			assert_non_null(strstr(out.event_msg, got));
		if (out.reason[0] == '\0')
			fail_msg("pick row %zu '%s': no reason", i, c->what);
	}
}

static void
test_blocked_event_is_a_warning(void **state)
{
	struct mg_drain_pod pods[] = {
		{ .name = "p-0", .role = MG_DRAIN_ROLE_PRIMARY, .ready = false },
		{ .name = "p-1", .ready = true },
		{ .name = "p-2", .ready = true },
		{ .name = "p-3", .ready = true },
	};
	struct mg_drain_pool pool = { pods, ARRAY_SIZE(pods), 2, false };
	struct mg_drain_pick out;

	(void)state;
	mg_drain_pick_scale_down(&pool, &out);
	assert_int_equal(out.rule, MG_DRAIN_PICK_BLOCKED);
	assert_string_equal(out.event_type, "Warning");
	assert_non_null(strstr(out.event_msg, "2 extra pod(s)"));
	assert_non_null(strstr(out.event_msg, "p-0"));
	assert_false(mg_drain_pool_busy(&pool));
	pods[3].state = MG_DRAIN_READY_FOR_DELETION;
	assert_false(mg_drain_pool_busy(&pool));
	pods[3].state = MG_DRAIN_UNKNOWN;
	assert_true(mg_drain_pool_busy(&pool));
}

/* ---- parse/format ---- */

static void
test_state_names_round_trip(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < MG_DRAIN_NSTATES; s++)
		assert_int_equal(mg_drain_state_parse(mg_drain_state_name(s)),
				 s);
	assert_string_equal(mg_drain_state_name(MG_DRAIN_REQUESTED),
			    MG_DRAIN_VALUE_REQUESTED);
	assert_string_equal(mg_drain_state_name(MG_DRAIN_READY_FOR_DELETION),
			    "ready-for-deletion");
	assert_string_equal(mg_drain_state_name(MG_DRAIN_NONE), "");
	assert_int_equal(mg_drain_state_parse(NULL), MG_DRAIN_NONE);
	assert_int_equal(mg_drain_state_parse(""), MG_DRAIN_NONE);
	assert_int_equal(mg_drain_state_parse("draining"), MG_DRAIN_DRAINING);
	assert_int_equal(mg_drain_state_parse("acknowledged"),
			 MG_DRAIN_ACKNOWLEDGED);
	assert_int_equal(mg_drain_state_parse("Requested"), MG_DRAIN_UNKNOWN);
	assert_int_equal(mg_drain_state_parse("requested "), MG_DRAIN_UNKNOWN);
	assert_int_equal(mg_drain_state_parse("none"), MG_DRAIN_UNKNOWN);

	assert_int_equal(mg_drain_role_parse("PRIMARY"), MG_DRAIN_ROLE_PRIMARY);
	assert_int_equal(mg_drain_role_parse("REPLICA"), MG_DRAIN_ROLE_REPLICA);
	assert_int_equal(mg_drain_role_parse("DRAINED"), MG_DRAIN_ROLE_DRAINED);
	assert_int_equal(mg_drain_role_parse("QUARANTINED"),
			 MG_DRAIN_ROLE_QUARANTINED);
	assert_int_equal(mg_drain_role_parse("primary"), MG_DRAIN_ROLE_UNKNOWN);
	assert_int_equal(mg_drain_role_parse(NULL), MG_DRAIN_ROLE_UNKNOWN);
}

/* Go 1.26 time.Parse(time.RFC3339, s): unix seconds and nanoseconds. */
static const struct {
	const char *s;
	bool ok;
	long long sec;
	long nsec;
} time_cases[] = {
	{ "2026-08-21T10:00:00Z", true, 1787306400, 0 },
	{ "2026-08-21T09:54:59Z", true, 1787306099, 0 },
	{ "2026-08-21T12:00:00+02:00", true, 1787306400, 0 },
	{ "2026-08-21T05:04:59-05:00", true, 1787306699, 0 },
	{ "2026-08-21T10:00:00-00:00", true, 1787306400, 0 },
	{ "2024-02-29T00:00:00Z", true, 1709164800, 0 },
	{ "2000-02-29T00:00:00Z", true, 951782400, 0 },
	{ "2026-08-21T1:00:00Z", true, 1787274000, 0 },
	{ "2026-08-21T10:00:00.5Z", true, 1787306400, 500000000 },
	{ "2026-08-21T10:00:00,123456789123Z", true, 1787306400, 123456789 },
	{ "2026-08-21T10:00:00.000000001Z", true, 1787306400, 1 },
	{ "1969-12-31T23:59:59.5Z", true, -1, 500000000 },
	{ "2026-08-21T10:00:00+24:00", true, 1787220000, 0 },
	{ "2026-08-21T10:00:00+05:60", true, 1787284800, 0 },
	{ "0000-01-01T00:00:00Z", true, -62167219200LL, 0 },
	{ "1970-01-01T00:00:00Z", true, 0, 0 },
	{ "9999-12-31T23:59:59Z", true, 253402300799LL, 0 },
	{ "2026-02-29T00:00:00Z", false, 0, 0 },
	{ "1900-02-29T00:00:00Z", false, 0, 0 },
	{ "2026-04-31T10:00:00Z", false, 0, 0 },
	{ "2026-00-10T10:00:00Z", false, 0, 0 },
	{ "2026-13-10T10:00:00Z", false, 0, 0 },
	{ "2026-08-00T10:00:00Z", false, 0, 0 },
	{ "2026-08-21 10:00:00Z", false, 0, 0 },
	{ "2026-08-21T10:00:00", false, 0, 0 },
	{ "2026-08-21T24:00:00Z", false, 0, 0 },
	{ "2026-08-21T10:60:00Z", false, 0, 0 },
	{ "2026-08-21T10:00:60Z", false, 0, 0 },
	{ "2026-8-21T10:00:00Z", false, 0, 0 },
	{ "2026-08-21T10:00:00+25:00", false, 0, 0 },
	{ "2026-08-21T10:00:00+05:61", false, 0, 0 },
	{ "2026-08-21T10:00:00+0200", false, 0, 0 },
	{ "2026-08-21T10:00:00+02", false, 0, 0 },
	{ "2026-08-21T10:00:00z", false, 0, 0 },
	{ "2026-08-21t10:00:00Z", false, 0, 0 },
	{ "2026-08-21T10:00:00Z ", false, 0, 0 },
	{ "2026-08-21T10:00:00.Z", false, 0, 0 },
	{ "2026-08-21T10:00:00Z07:00", false, 0, 0 },
	{ "10000-01-01T00:00:00Z", false, 0, 0 },
	{ "+026-08-21T10:00:00Z", false, 0, 0 },
	{ "yesterday", false, 0, 0 },
	{ "", false, 0, 0 },
};

static void
test_time_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(time_cases); i++) {
		struct timespec ts = { 42, 42 };
		struct mg_err err = MG_ERR_INIT;
		int rc = mg_time_parse_ts(time_cases[i].s, &ts, &err);

		if (time_cases[i].ok) {
			if (rc != MG_OK || (long long)ts.tv_sec !=
						   time_cases[i].sec ||
			    ts.tv_nsec != time_cases[i].nsec)
				fail_msg("'%s': rc %d, %lld.%09ld", time_cases[i].s,
					 rc, (long long)ts.tv_sec, ts.tv_nsec);
		} else {
			if (rc != MG_EPARSE || ts.tv_sec != 42)
				fail_msg("'%s' accepted", time_cases[i].s);
			assert_non_null(strstr(err.msg, "RFC 3339"));
		}
	}
}

static void
test_time_format_round_trip(void **state)
{
	static const long long secs[] = {
		0, 1787306400, 951782400, -62167219200LL, 253402300799LL, -1,
	};
	static const char *const want[] = {
		"1970-01-01T00:00:00Z", "2026-08-21T10:00:00Z",
		"2000-02-29T00:00:00Z", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z",
	};
	char out[MG_TIME_LEN + 1];
	struct mg_err err = MG_ERR_INIT;
	struct timespec ts;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		assert_int_equal(mg_time_format(out, (time_t)secs[i],
						      NULL),
				 MG_OK);
		assert_string_equal(out, want[i]);
		assert_int_equal(mg_time_parse_ts(out, &ts, NULL), MG_OK);
		assert_int_equal((long long)ts.tv_sec, secs[i]);
		assert_int_equal(ts.tv_nsec, 0);
	}
	assert_int_equal(mg_time_format(out, (time_t)253402300800LL,
					      &err),
			 MG_EINVAL);
	assert_string_equal(out, "");
	assert_non_null(strstr(err.msg, "0000-9999"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_table),
		cmocka_unit_test(test_step_event_types_and_reasons),
		cmocka_unit_test(test_step_walk),
		cmocka_unit_test(test_pick_table),
		cmocka_unit_test(test_blocked_event_is_a_warning),
		cmocka_unit_test(test_state_names_round_trip),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format_round_trip),
	};

	return cmocka_run_group_tests_name("drain", tests, NULL, NULL);
}
