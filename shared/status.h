/*
 * status.h - `kubectl multigres status` as text, JSON or YAML, in a buffer.
 *
 * Renders the clusters of a snapshot with their health findings: a
 * headline per cluster (health.h), then a tree cluster -> cells,
 * toposervers -> table groups -> shards (multiorch, pools x cells -> pods)
 * in aligned columns (NAME STATUS READY ROLE AGE DETAILS), then the
 * problems. -v (verbose 1) adds PVCs, the cluster-wide Deployments, the
 * findings of severity info and the recent Warning events; verbose 2
 * adds Normal events and every condition.
 *
 * JSON and YAML carry everything whatever the verbosity, in the schema of
 * docs/status-schema.md ("schemaVersion": MG_STATUS_SCHEMA_VERSION), with
 * keys in a fixed order. Fields are added within a version; renaming or
 * removing one, or changing its meaning, bumps it.
 *
 * Pure: the caller passes "now" and decides whether the text has colour
 * (ANSI escapes; pass false for a pipe, NO_COLOR, TERM=dumb). Nothing is
 * printed; errors go to struct mg_err.
 */
#ifndef MG_STATUS_H
#define MG_STATUS_H

#include <cJSON.h>

#include "compat.h"
#include "health.h"
#include "snapshot.h"

struct mg_buf;
struct mg_err;

#define MG_STATUS_SCHEMA_VERSION 1

/* How many events a cluster lists (newest first). */
#define MG_STATUS_MAX_EVENTS 20

enum mg_status_format {
	MG_STATUS_TEXT,
	MG_STATUS_JSON,
	MG_STATUS_YAML,
};

struct mg_status_opts {
	enum mg_status_format format;
	int verbose;         /* 0, 1 (-v), 2 (-vv) */
	bool color;          /* text: ANSI colours */
	bool ascii;          /* text: draw the tree with ASCII, not UTF-8 */
	/* Only this cluster (namespace and name); cluster NULL: every
	 * cluster of the snapshot. */
	const char *ns;
	const char *cluster;
	time_t now;
};

#define MG_STATUS_OPTS_INIT { MG_STATUS_TEXT, 0, false, false, NULL, NULL, 0 }

/*
 * Appends the status of the chosen clusters to out. The report must come
 * from mg_health_check on the same snapshot. MG_ENOTFOUND when
 * opts->cluster names a cluster the snapshot does not have; MG_EINVAL
 * for a time that cannot be formatted.
 */
int mg_status_render(struct mg_buf *out, const struct mg_snap *s,
		     const struct mg_health_report *r,
		     const struct mg_status_opts *opts, struct mg_err *err);

/*
 * The JSON document of the schema (what MG_STATUS_JSON prints), for
 * callers that want the data: the caller frees it with cJSON_Delete.
 * Same errors as mg_status_render.
 */
int mg_status_json(cJSON **out, const struct mg_snap *s,
		   const struct mg_health_report *r,
		   const struct mg_status_opts *opts, struct mg_err *err);

/*
 * The exit status for the chosen clusters: mg_health_exit_code of the
 * worst finding among them (0 healthy or warnings, 1 degraded or failed).
 */
int mg_status_exit_code(const struct mg_snap *s,
			const struct mg_health_report *r,
			const struct mg_status_opts *opts);

#endif /* MG_STATUS_H */
