/*
 * viewtree.h - the dashboard's tree as rows on a screen, without a screen.
 *
 * The TUI shows a cluster as a tree (cluster, cells, table groups, shards,
 * pools, pods). This module is everything about that tree that is not
 * drawing: which rows are visible (expand/collapse), which match the
 * filter (and n/N between matches), in which order siblings come (sort),
 * which row is selected and which is at the top of the window. It keeps
 * that state across rebuilds: the tree is rebuilt from the snapshot after
 * every batch of watch events, and the selection, the expanded and
 * collapsed nodes, the filter and the sort survive, because they are kept
 * by key, not by position.
 *
 * Building: mg_viewtree_begin(), then mg_viewtree_add() for every node,
 * parents before children, then mg_viewtree_end(), which sorts, filters,
 * flattens into rows and puts the selection back. Items are copied: the
 * caller's strings may go away after mg_viewtree_add. Rows and nodes are
 * borrowed and valid until the next mg_viewtree_begin or _free.
 *
 * Filter: whitespace-separated terms, all of which must match a node
 * (AND). A term is a POSIX extended regular expression, matched without
 * regard to case against the node's kind, name, role, status, drain state
 * and cell; "field:re" matches one field only (kind, name, role, status,
 * drain, cell, ns); a leading '!' negates the term. While a filter is set,
 * the rows are the matching nodes and their ancestors (shown for context,
 * not counted as matches).
 *
 * Nothing here does I/O or reads a clock: ages are computed by the caller.
 * Errors: only mg_viewtree_set_filter can fail (MG_EINVAL for a bad
 * pattern, which then leaves the previous filter in place).
 */
#ifndef MG_VIEWTREE_H
#define MG_VIEWTREE_H

#include "compat.h"

struct mg_err;

/* Node kinds, in the order they come among siblings. */
enum mg_vt_kind {
	MG_VT_CLUSTER,
	MG_VT_CELL,
	MG_VT_TABLEGROUP,
	MG_VT_SHARD,
	MG_VT_POOL,
	MG_VT_POD,
	MG_VT_OTHER, /* anything else the builder wants to show */
};
#define MG_VT_NKINDS (MG_VT_OTHER + 1)

/* "cluster", "cell", "tablegroup", "shard", "pool", "pod", "other". */
const char *mg_vt_kind_name(enum mg_vt_kind kind);

/* Severities, as health findings grade them (worst last). */
enum mg_vt_sev {
	MG_VT_SEV_OK,
	MG_VT_SEV_WARN,
	MG_VT_SEV_ERROR,
	MG_VT_SEV_FATAL,
};

/* "not applicable" for the integer fields of an item */
#define MG_VT_NA (-1)

/* One node as the builder gives it. Strings may be NULL. */
struct mg_vt_item {
	enum mg_vt_kind kind;
	const char *key;    /* unique and stable, e.g. "Shard/ns/name"; required */
	const char *name;   /* shown; NULL: the key */
	const char *ns;
	const char *role;   /* "PRIMARY", "REPLICA", ... */
	const char *status; /* phase, or a short summary */
	const char *drain;  /* drain state name */
	const char *cell;
	const char *ref;    /* the object behind the node, "Kind/ns/name" */
	int ready;          /* pods: 0 or 1; else MG_VT_NA */
	int drift;          /* pods: 0 or 1; else MG_VT_NA */
	long long backup_age; /* seconds since the last backup, or MG_VT_NA */
	long restarts;      /* pods; MG_VT_NA elsewhere */
	long long age;      /* seconds since creation, or MG_VT_NA */
	enum mg_vt_sev sev; /* the node's own worst finding */
	bool collapsed;     /* shown collapsed until the user expands it */
};

#define MG_VT_ITEM_INIT                                                      \
	{ MG_VT_OTHER, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,       \
	  MG_VT_NA, MG_VT_NA, MG_VT_NA, MG_VT_NA, MG_VT_NA, MG_VT_SEV_OK,    \
	  false }

/* A node after building: the item's fields (copied) and sums over the
 * subtree. Read-only for callers. */
struct mg_vt_node {
	enum mg_vt_kind kind;
	char *key, *name, *ns, *role, *status, *drain, *cell, *ref;
	int ready, drift;
	long long backup_age;
	long restarts;
	long long age;
	enum mg_vt_sev sev;
	bool collapsed_default;

	/* the subtree, this node included */
	enum mg_vt_sev worst;    /* worst severity */
	unsigned pods, pods_ready, pods_drifted, pods_draining;
	long restarts_sum;       /* restarts of the pods, MG_VT_NA if none */
	long long backup_oldest; /* largest backup_age, MG_VT_NA if none */

	/* links (indices into the node array; SIZE_MAX: none) */
	size_t parent, first_child, next_sibling;
	unsigned depth;
	bool match; /* matches the filter (true when there is none) */
	bool shown; /* matches, or has a matching descendant */
};

#define MG_VT_NONE SIZE_MAX

/* One visible row. */
struct mg_vt_row {
	const struct mg_vt_node *node;
	unsigned depth;
	bool has_children; /* children that the filter lets through */
	bool expanded;
	bool last;         /* last visible sibling: draw └ rather than ├ */
	/* bit d (d < depth, d < 64): the ancestor at depth d+1 has a later
	 * visible sibling, so a vertical guide is drawn in that column */
	uint64_t guides;
};

enum mg_vt_sort {
	MG_VT_SORT_NAME,     /* natural order: "pod-2" before "pod-10" */
	MG_VT_SORT_STATUS,   /* worst severity in the subtree first */
	MG_VT_SORT_ROLE,     /* PRIMARY, REPLICA, others, none */
	MG_VT_SORT_RESTARTS, /* most restarts (in the subtree) first */
	MG_VT_SORT_AGE,      /* youngest first */
	MG_VT_SORT_BACKUP,   /* oldest backup first */
};
#define MG_VT_NSORTS (MG_VT_SORT_BACKUP + 1)

/* "name", "status", "role", "restarts", "age", "backup". */
const char *mg_vt_sort_name(enum mg_vt_sort sort);
/* The order a name (or a unique prefix) stands for; -1 if none. */
int mg_vt_sort_parse(const char *name);

/* Natural comparison: runs of digits compare as numbers. */
int mg_vt_natcmp(const char *a, const char *b);

struct mg_viewtree;

struct mg_viewtree *mg_viewtree_new(void);
void mg_viewtree_free(struct mg_viewtree *vt);

/* Starts a rebuild: drops the nodes, keeps the state. */
void mg_viewtree_begin(struct mg_viewtree *vt);
/*
 * Adds a node under `parent` (an index returned by an earlier add, or
 * MG_VT_NONE for a top-level node) and returns its index. A key already
 * added is a programmer error (MG_BUG), as is a parent not yet added.
 */
size_t mg_viewtree_add(struct mg_viewtree *vt, size_t parent,
		       const struct mg_vt_item *item);
/* Finishes a rebuild: sums, sorts, filters, rows, selection. */
void mg_viewtree_end(struct mg_viewtree *vt);

/* Every node, in sorted tree order after mg_viewtree_end (pre-order). */
size_t mg_viewtree_nnodes(const struct mg_viewtree *vt);
const struct mg_vt_node *mg_viewtree_node(const struct mg_viewtree *vt,
					  size_t i);
/* The parent of a node, or NULL for a top-level one. */
const struct mg_vt_node *mg_viewtree_parent(const struct mg_viewtree *vt,
					    const struct mg_vt_node *n);
/* The node of a key, or NULL. */
const struct mg_vt_node *mg_viewtree_find(const struct mg_viewtree *vt,
					  const char *key);
/* How many nodes of a kind there are (filter or not). */
size_t mg_viewtree_count(const struct mg_viewtree *vt, enum mg_vt_kind kind);

/* Bumped whenever the rows, the selection or the top row changed. */
unsigned long mg_viewtree_generation(const struct mg_viewtree *vt);

/* --- rows and selection -------------------------------------------- */

size_t mg_viewtree_nrows(const struct mg_viewtree *vt);
const struct mg_vt_row *mg_viewtree_row(const struct mg_viewtree *vt,
					size_t i);
/* The selected row, or MG_VT_NONE when there are no rows. */
size_t mg_viewtree_sel(const struct mg_viewtree *vt);
/* Its node, or NULL. */
const struct mg_vt_node *mg_viewtree_sel_node(const struct mg_viewtree *vt);

/* Moves the selection by delta rows, clamped to the first and last row. */
void mg_viewtree_move(struct mg_viewtree *vt, long delta);
/* Selects row i (clamped). */
void mg_viewtree_move_to(struct mg_viewtree *vt, size_t row);
/* Selects the node of key, expanding its ancestors; false if not shown. */
bool mg_viewtree_select_key(struct mg_viewtree *vt, const char *key);

/* --- expand and collapse ------------------------------------------- */

/* Expands (true) or collapses the selected node. */
void mg_viewtree_expand(struct mg_viewtree *vt, bool expand);
/* Enter: flips the selected node. */
void mg_viewtree_toggle(struct mg_viewtree *vt);
/* Left: collapses an expanded node, else goes to the parent. */
void mg_viewtree_left(struct mg_viewtree *vt);
/* Right: expands a collapsed node, else goes to the first child. */
void mg_viewtree_right(struct mg_viewtree *vt);
/* Every node expanded, or every node with children collapsed. */
void mg_viewtree_expand_all(struct mg_viewtree *vt, bool expand);

/* --- filter -------------------------------------------------------- */

/*
 * Sets the filter (NULL or "" clears it) and selects the first match at
 * or after the selection. MG_EINVAL naming the term for a bad regular
 * expression or an unknown field; the old filter then stays.
 */
int mg_viewtree_set_filter(struct mg_viewtree *vt, const char *pattern,
			   struct mg_err *err);
/* The filter in force, or "" for none. */
const char *mg_viewtree_filter(const struct mg_viewtree *vt);
/* Matching nodes among the rows (0 without a filter). */
size_t mg_viewtree_nmatches(const struct mg_viewtree *vt);
/*
 * n (dir > 0) and N (dir < 0): selects the next or previous matching row,
 * wrapping around. False when no row matches.
 */
bool mg_viewtree_next_match(struct mg_viewtree *vt, int dir);

/* --- sort ---------------------------------------------------------- */

void mg_viewtree_set_sort(struct mg_viewtree *vt, enum mg_vt_sort sort,
			  bool reverse);
enum mg_vt_sort mg_viewtree_sort(const struct mg_viewtree *vt, bool *reverse);

/* --- scrolling ----------------------------------------------------- */

/*
 * The first row to show in a window of `height` rows: the previous top,
 * moved as little as possible to keep the selection in view (with one row
 * of context above and below where there is room).
 */
size_t mg_viewtree_top(struct mg_viewtree *vt, size_t height);

/* --- from a snapshot ------------------------------------------------- */

struct mg_snap;
struct mg_snap_obj;

/* A node's severity, from health findings about obj (which may have no
 * JSON: a shard seen only through its pods). */
typedef enum mg_vt_sev (*mg_vt_sev_fn)(void *data,
				       const struct mg_snap_obj *obj);

struct mg_vt_build_opts {
	time_t now;        /* for ages */
	mg_vt_sev_fn sev;  /* NULL: every node OK */
	void *sev_data;
	bool show_ns;      /* clusters named "ns/name" (several namespaces) */
};

/*
 * Rebuilds the tree from a snapshot (begin, add, end): every cluster,
 * its cells, then its table groups ("database/name") with their shards,
 * pools and pods (the pods of every cell of a pool, each with its cell).
 * Keys follow identity, not objects, so a node keeps its key (and its
 * expansion and selection) when its CR appears or goes:
 *   cluster/<ns>/<name>, cell/<ns>/<cluster>/<cell>,
 *   tablegroup/<ns>/<cluster>/<db>/<tg>, shard/<ns>/<cluster>/<db>/<tg>/<shard>,
 *   pool/<ns>/<cluster>/<db>/<tg>/<shard>/<pool>, Pod/<ns>/<name>.
 * `ref` is "Kind/ns/name" of the node's object when the snapshot has it.
 * Pods carry the role from status.podRoles, readiness, drift, drain
 * state, restarts and their shard's backup age; a pod's status is its
 * waiting reason, "Terminating" or its phase.
 */
void mg_viewtree_build(struct mg_viewtree *vt, const struct mg_snap *snap,
		       const struct mg_vt_build_opts *opts);

#endif /* MG_VIEWTREE_H */
