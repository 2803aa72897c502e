/*
 * snapload.h - filling a snapshot from the API server (the I/O side of
 * snapshot.h, on top of kube.h).
 *
 * One-shot (`status`): mg_snapload_list() makes one LIST per kind (every
 * page of it), each narrowed as far as the API allows:
 *
 *   MultigresCluster   fieldSelector metadata.name=<cluster> when one is
 *                      named
 *   Cell, TableGroup,  labelSelector multigres.com/cluster=<cluster> when
 *   Shard, TopoServer  one is named
 *   Pod, PVC,          labelSelector app.kubernetes.io/part-of=multigres
 *   Deployment         (plus app.kubernetes.io/instance=<cluster>)
 *   Event              everything in the namespace (events carry no
 *                      labels); the snapshot keeps those about its objects
 *
 * Live (`status --watch`, the TUI): mg_snapload_watch() starts one watch
 * per kind on a mg_kube_loop with the same selectors; every event goes
 * through mg_snap_apply, so the snapshot stays current while the caller
 * runs the loop. The caller calls mg_snap_tick() and redraws as it sees
 * fit (mg_snap_version() tells whether anything changed).
 *
 * Ownership: the snapshot and the client/loop are the caller's and must
 * outlive what is loaded or watched; strings in the options are copied.
 */
#ifndef MG_SNAPLOAD_H
#define MG_SNAPLOAD_H

#include "compat.h"
#include "snapshot.h"

struct mg_err;
struct mg_kube;
struct mg_kube_loop;

struct mg_snapload_opts {
	const char *ns;      /* NULL or "": every namespace */
	const char *cluster; /* NULL: every cluster */
	/* Bits (1u << enum mg_snap_kind) of the kinds to load; 0: all. */
	unsigned kinds;
};

#define MG_SNAPLOAD_OPTS_INIT { NULL, NULL, 0 }

/*
 * Lists every kind into s (as ADDED). *requests (may be NULL) gets the
 * number of HTTP requests made. Stops at the first failure: MG_ENOTFOUND
 * with "the Multigres CRDs are not installed" when the API group is
 * missing, else the client's error prefixed with the kind.
 */
int mg_snapload_list(struct mg_kube *k, struct mg_snap *s,
		     const struct mg_snapload_opts *opts,
		     unsigned long *requests, struct mg_err *err);

struct mg_snapload;

/* Starts the watches. MG_ETRANSPORT if the loop cannot take them. */
int mg_snapload_watch(struct mg_snapload **out, struct mg_kube_loop *loop,
		      struct mg_snap *s, const struct mg_snapload_opts *opts,
		      struct mg_err *err);
/* Stops the watches (the loop stays) and frees. NULL is fine. Call it
 * before mg_kube_loop_free, which frees the watches itself. */
void mg_snapload_stop(struct mg_snapload *w);

/* Every watch has delivered its first complete list. */
bool mg_snapload_synced(const struct mg_snapload *w);
/* Every watch has an open stream and a good last list: false while the
 * API server cannot be reached ("API server unreachable"). */
bool mg_snapload_healthy(const struct mg_snapload *w);
/* Watch failures so far, and the last one's message ("" if none) and
 * mg_time_mono_ms() time (0 if none). */
unsigned long mg_snapload_errors(const struct mg_snapload *w);
const char *mg_snapload_last_error(const struct mg_snapload *w,
				   int64_t *when_ms);
/* Events applied to the snapshot so far (ADDED/MODIFIED/DELETED). */
unsigned long mg_snapload_applied(const struct mg_snapload *w);

#endif /* MG_SNAPLOAD_H */
