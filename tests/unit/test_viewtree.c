/*
 * Unit tests for shared/viewtree.[ch]: the dashboard's tree without a
 * terminal. Rows, guides, expand/collapse, selection across rebuilds,
 * filter with n/N, sort orders and scrolling.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "snapshot.h"
#include "viewtree.h"

/* tests/fixtures/tui/demo.json was made with
 *   gen.py full --shards 2 --now 1787400000 --namespace demo
 * cluster demo, table groups default and tg1, shard 0-inf each, pool main
 * of pods -0 (PRIMARY), -1 and -2 (REPLICA), last backup 3 h before now. */
#define DEMO_NOW ((time_t)1787400000)

/* A pod: name, role, ready, restarts, drain; sev from the caller. */
static size_t
add_pod(struct mg_viewtree *vt, size_t parent, const char *name,
	const char *role, int ready, long restarts, const char *drain,
	enum mg_vt_sev sev)
{
	struct mg_vt_item it = MG_VT_ITEM_INIT;
	char key[128];

	snprintf(key, sizeof(key), "Pod/ns/%s", name);
	it.kind = MG_VT_POD;
	it.key = key;
	it.name = name;
	it.ns = "ns";
	it.role = role;
	it.ready = ready;
	it.drift = 0;
	it.restarts = restarts;
	it.drain = drain;
	it.sev = sev;
	it.cell = "zone1";
	return mg_viewtree_add(vt, parent, &it);
}

static size_t
add_node(struct mg_viewtree *vt, size_t parent, enum mg_vt_kind kind,
	 const char *name, const char *status)
{
	struct mg_vt_item it = MG_VT_ITEM_INIT;
	char key[128];

	snprintf(key, sizeof(key), "%s/ns/%s", mg_vt_kind_name(kind), name);
	it.kind = kind;
	it.key = key;
	it.name = name;
	it.ns = "ns";
	it.status = status;
	return mg_viewtree_add(vt, parent, &it);
}

/*
 * mc
 *   zone1 (cell)                     <- cells come before table groups
 *   default (tablegroup)
 *     s-10 (shard)
 *       main (pool)
 *         s-10-pod-1 REPLICA
 *         s-10-pod-0 PRIMARY
 *     s-2 (shard)
 *       main (pool)
 *         s-2-pod-0 PRIMARY restarts 4, not ready, error
 *         s-2-pod-1 REPLICA draining
 * Added in a scrambled order to check that sorting happens. With
 * `drop_pod`, s-2-pod-1 is left out (a pod that went away).
 */
static void
build(struct mg_viewtree *vt, bool drop_pod)
{
	size_t c, tg, s10, s2, p;

	mg_viewtree_begin(vt);
	c = add_node(vt, MG_VT_NONE, MG_VT_CLUSTER, "mc", "Healthy");
	tg = add_node(vt, c, MG_VT_TABLEGROUP, "default", "Healthy");
	add_node(vt, c, MG_VT_CELL, "zone1", "Healthy");
	s2 = add_node(vt, tg, MG_VT_SHARD, "s-2", "Degraded");
	s10 = add_node(vt, tg, MG_VT_SHARD, "s-10", "Healthy");
	p = add_node(vt, s10, MG_VT_POOL, "s-10/main", NULL);
	add_pod(vt, p, "s-10-pod-1", "REPLICA", 1, 0, NULL, MG_VT_SEV_OK);
	add_pod(vt, p, "s-10-pod-0", "PRIMARY", 1, 1, NULL, MG_VT_SEV_OK);
	p = add_node(vt, s2, MG_VT_POOL, "s-2/main", NULL);
	add_pod(vt, p, "s-2-pod-0", "PRIMARY", 0, 4, NULL, MG_VT_SEV_ERROR);
	if (!drop_pod)
		add_pod(vt, p, "s-2-pod-1", "REPLICA", 1, 0, "draining",
			MG_VT_SEV_WARN);
	mg_viewtree_end(vt);
}

/* The rows as "name,name,..." with the depth as leading dots. */
static const char *
rows_str(const struct mg_viewtree *vt)
{
	static char out[2048];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < mg_viewtree_nrows(vt); i++) {
		const struct mg_vt_row *r = mg_viewtree_row(vt, i);
		unsigned d;

		if (i)
			len += (size_t)snprintf(out + len, sizeof(out) - len, ",");
		for (d = 0; d < r->depth; d++)
			len += (size_t)snprintf(out + len, sizeof(out) - len, ".");
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s",
					r->node->name);
	}
	return out;
}

static const char *
sel_name(const struct mg_viewtree *vt)
{
	const struct mg_vt_node *n = mg_viewtree_sel_node(vt);

	return n ? n->name : "(none)";
}

static void
select_name(struct mg_viewtree *vt, const char *name)
{
	size_t i;

	for (i = 0; i < mg_viewtree_nrows(vt); i++)
		if (!strcmp(mg_viewtree_row(vt, i)->node->name, name)) {
			mg_viewtree_move_to(vt, i);
			return;
		}
	fail_msg("no row '%s' in %s", name, rows_str(vt));
}

static void
test_natural_order(void **state)
{
	(void)state;
	assert_true(mg_vt_natcmp("pod-2", "pod-10") < 0);
	assert_true(mg_vt_natcmp("pod-10", "pod-2") > 0);
	assert_true(mg_vt_natcmp("pod-02", "pod-2") == 0);
	assert_true(mg_vt_natcmp("a", "ab") < 0);
	assert_true(mg_vt_natcmp("x9y", "x10a") < 0);
	assert_true(mg_vt_natcmp("zone1", "zone1") == 0);
	assert_true(mg_vt_natcmp("0-inf", "80-inf") < 0);
}

static void
test_rows_in_sorted_tree_order(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	const struct mg_vt_row *r;

	(void)state;
	build(vt, false);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,...s-2/main,"
			    "....s-2-pod-0,....s-2-pod-1,..s-10,...s-10/main,"
			    "....s-10-pod-0,....s-10-pod-1");
	assert_int_equal(mg_viewtree_nnodes(vt), 11);
	assert_int_equal(mg_viewtree_count(vt, MG_VT_POD), 4);
	assert_int_equal(mg_viewtree_count(vt, MG_VT_SHARD), 2);
	/* pre-order of all nodes */
	assert_string_equal(mg_viewtree_node(vt, 0)->name, "mc");
	assert_string_equal(mg_viewtree_node(vt, 10)->name, "s-10-pod-1");

	/* the selection starts on the first row */
	assert_string_equal(sel_name(vt), "mc");

	/* guides: s-2's pool pods run under s-2, which has a later sibling */
	r = mg_viewtree_row(vt, 5); /* s-2-pod-0 */
	assert_int_equal(r->depth, 4);
	assert_false(r->last);
	assert_false(r->has_children);
	/* depth-1 "default" is the last child of mc: no guide at bit 0;
	 * s-2 (depth 2) has a later sibling: bit 1; the pool (depth 3) is
	 * the only child: no bit 2; the pod itself is not last: bit 3 */
	assert_int_equal(r->guides, (1u << 1) | (1u << 3));
	r = mg_viewtree_row(vt, 6);
	assert_true(r->last);
	r = mg_viewtree_row(vt, 1); /* zone1 */
	assert_false(r->last);
	r = mg_viewtree_row(vt, 0);
	assert_true(r->has_children);
	assert_true(r->expanded);
	mg_viewtree_free(vt);
}

static void
test_sums_over_subtrees(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	const struct mg_vt_node *n;

	(void)state;
	build(vt, false);
	n = mg_viewtree_find(vt, "shard/ns/s-2");
	assert_non_null(n);
	assert_int_equal(n->pods, 2);
	assert_int_equal(n->pods_ready, 1);
	assert_int_equal(n->pods_draining, 1);
	assert_int_equal(n->restarts_sum, 4);
	assert_int_equal(n->worst, MG_VT_SEV_ERROR);
	assert_int_equal(n->sev, MG_VT_SEV_OK);
	n = mg_viewtree_find(vt, "cluster/ns/mc");
	assert_int_equal(n->pods, 4);
	assert_int_equal(n->pods_ready, 3);
	assert_int_equal(n->restarts_sum, 5);
	assert_int_equal(n->worst, MG_VT_SEV_ERROR);
	n = mg_viewtree_find(vt, "cell/ns/zone1");
	assert_int_equal(n->pods, 0);
	assert_int_equal(n->restarts_sum, MG_VT_NA);
	assert_null(mg_viewtree_find(vt, "Pod/ns/nope"));
	mg_viewtree_free(vt);
}

static void
test_collapse_survives_rebuild(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();

	(void)state;
	build(vt, false);
	select_name(vt, "s-2");
	mg_viewtree_toggle(vt);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,..s-10,...s-10/main,"
			    "....s-10-pod-0,....s-10-pod-1");
	assert_false(mg_viewtree_row(vt, 3)->expanded);
	assert_true(mg_viewtree_row(vt, 3)->has_children);
	build(vt, false);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,..s-10,...s-10/main,"
			    "....s-10-pod-0,....s-10-pod-1");
	assert_string_equal(sel_name(vt), "s-2");
	/* right expands, right again goes to the first child */
	mg_viewtree_right(vt);
	assert_string_equal(sel_name(vt), "s-2");
	assert_true(mg_viewtree_row(vt, 3)->expanded);
	mg_viewtree_right(vt);
	assert_string_equal(sel_name(vt), "s-2/main");
	/* left on a collapsed (or childless) node goes to the parent */
	mg_viewtree_move(vt, 1);
	assert_string_equal(sel_name(vt), "s-2-pod-0");
	mg_viewtree_left(vt);
	assert_string_equal(sel_name(vt), "s-2/main");
	mg_viewtree_left(vt); /* collapses */
	assert_string_equal(sel_name(vt), "s-2/main");
	assert_false(mg_viewtree_row(vt, 4)->expanded);
	mg_viewtree_left(vt);
	assert_string_equal(sel_name(vt), "s-2");

	mg_viewtree_expand_all(vt, false);
	assert_string_equal(rows_str(vt), "mc");
	assert_string_equal(sel_name(vt), "mc");
	mg_viewtree_expand_all(vt, true);
	assert_int_equal(mg_viewtree_nrows(vt), 11);
	mg_viewtree_free(vt);
}

static void
test_collapsed_by_default(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_vt_item it = MG_VT_ITEM_INIT;
	size_t root, p;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		mg_viewtree_begin(vt);
		it.kind = MG_VT_CLUSTER;
		it.key = "c";
		it.collapsed = false;
		root = mg_viewtree_add(vt, MG_VT_NONE, &it);
		it.kind = MG_VT_POOL;
		it.key = "p";
		it.collapsed = true;
		p = mg_viewtree_add(vt, root, &it);
		it.kind = MG_VT_POD;
		it.key = "x";
		it.collapsed = false;
		mg_viewtree_add(vt, p, &it);
		mg_viewtree_end(vt);
		if (!round) {
			assert_string_equal(rows_str(vt), "c,.p");
			mg_viewtree_move(vt, 1);
			mg_viewtree_toggle(vt);
		}
	}
	assert_string_equal(rows_str(vt), "c,.p,..x");
	mg_viewtree_free(vt);
}

static void
test_selection_survives_reorder_and_removal(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();

	(void)state;
	build(vt, false);
	select_name(vt, "s-10-pod-1");
	assert_int_equal(mg_viewtree_sel(vt), 10);
	/* a new sort moves the row; the selection follows the node */
	mg_viewtree_set_sort(vt, MG_VT_SORT_NAME, true);
	assert_string_equal(sel_name(vt), "s-10-pod-1");
	assert_int_equal(mg_viewtree_sel(vt), 5);
	mg_viewtree_set_sort(vt, MG_VT_SORT_NAME, false);

	/* the selected pod goes away: its pool is selected */
	select_name(vt, "s-2-pod-1");
	build(vt, true);
	assert_string_equal(sel_name(vt), "s-2/main");
	/* and stays there when the pod comes back */
	build(vt, false);
	assert_string_equal(sel_name(vt), "s-2/main");

	/* no rows at all: no selection; back to the first row after */
	select_name(vt, "s-10-pod-0");
	mg_viewtree_begin(vt);
	mg_viewtree_end(vt);
	assert_int_equal(mg_viewtree_nrows(vt), 0);
	assert_int_equal(mg_viewtree_sel(vt), MG_VT_NONE);
	assert_null(mg_viewtree_sel_node(vt));
	mg_viewtree_move(vt, 1); /* no rows: nothing happens */
	mg_viewtree_toggle(vt);
	build(vt, false);
	assert_string_equal(sel_name(vt), "mc");

	assert_true(mg_viewtree_select_key(vt, "Pod/ns/s-2-pod-1"));
	assert_string_equal(sel_name(vt), "s-2-pod-1");
	assert_false(mg_viewtree_select_key(vt, "Pod/ns/nope"));
	/* select_key expands the way down */
	mg_viewtree_expand_all(vt, false);
	assert_true(mg_viewtree_select_key(vt, "Pod/ns/s-10-pod-0"));
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,..s-10,...s-10/main,"
			    "....s-10-pod-0,....s-10-pod-1");
	mg_viewtree_free(vt);
}

static void
test_move_clamps(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();

	(void)state;
	build(vt, false);
	mg_viewtree_move(vt, -5);
	assert_int_equal(mg_viewtree_sel(vt), 0);
	mg_viewtree_move(vt, 3);
	assert_int_equal(mg_viewtree_sel(vt), 3);
	mg_viewtree_move(vt, 1000);
	assert_int_equal(mg_viewtree_sel(vt), 10);
	mg_viewtree_move(vt, -4);
	assert_int_equal(mg_viewtree_sel(vt), 6);
	mg_viewtree_move_to(vt, 99);
	assert_int_equal(mg_viewtree_sel(vt), 10);
	mg_viewtree_free(vt);
}

static void
test_filter_keeps_ancestors_and_cycles(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_err err = MG_ERR_INIT;
	unsigned long gen;

	(void)state;
	build(vt, false);
	assert_int_equal(mg_viewtree_set_filter(vt, "primary", &err), 0);
	assert_string_equal(mg_viewtree_filter(vt), "primary");
	assert_string_equal(rows_str(vt),
			    "mc,.default,..s-2,...s-2/main,....s-2-pod-0,"
			    "..s-10,...s-10/main,....s-10-pod-0");
	assert_int_equal(mg_viewtree_nmatches(vt), 2);
	assert_false(mg_viewtree_row(vt, 0)->node->match);
	/* the selection moved onto the first match */
	assert_string_equal(sel_name(vt), "s-2-pod-0");
	assert_true(mg_viewtree_next_match(vt, 1));
	assert_string_equal(sel_name(vt), "s-10-pod-0");
	assert_true(mg_viewtree_next_match(vt, 1)); /* wraps */
	assert_string_equal(sel_name(vt), "s-2-pod-0");
	assert_true(mg_viewtree_next_match(vt, -1)); /* wraps back */
	assert_string_equal(sel_name(vt), "s-10-pod-0");
	assert_true(mg_viewtree_next_match(vt, -1));
	assert_string_equal(sel_name(vt), "s-2-pod-0");

	/* the filter holds across a rebuild */
	build(vt, false);
	assert_int_equal(mg_viewtree_nmatches(vt), 2);
	assert_string_equal(sel_name(vt), "s-2-pod-0");

	/* a bad pattern is refused and the old filter stays */
	gen = mg_viewtree_generation(vt);
	assert_int_equal(mg_viewtree_set_filter(vt, "(oops", &err), MG_EINVAL);
	assert_non_null(strstr(err.msg, "(oops"));
	assert_string_equal(mg_viewtree_filter(vt), "primary");
	assert_int_equal(mg_viewtree_generation(vt), gen);
	assert_int_equal(mg_viewtree_set_filter(vt, "colour:red", &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "unknown field 'colour'"));

	/* clearing it brings everything back, selection kept */
	assert_int_equal(mg_viewtree_set_filter(vt, "", &err), 0);
	assert_int_equal(mg_viewtree_nrows(vt), 11);
	assert_int_equal(mg_viewtree_nmatches(vt), 0);
	assert_false(mg_viewtree_next_match(vt, 1));
	assert_string_equal(sel_name(vt), "s-2-pod-0");
	assert_true(mg_viewtree_row(vt, 0)->node->match);
	mg_viewtree_free(vt);
}

static void
test_filter_terms(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	build(vt, false);
	/* AND of terms, field terms, negation, regular expressions */
	assert_int_equal(mg_viewtree_set_filter(vt, "kind:pod !role:primary",
						&err), 0);
	assert_int_equal(mg_viewtree_nmatches(vt), 2);
	assert_string_equal(rows_str(vt),
			    "mc,.default,..s-2,...s-2/main,....s-2-pod-1,"
			    "..s-10,...s-10/main,....s-10-pod-1");
	assert_int_equal(mg_viewtree_set_filter(vt, "drain:drain", &err), 0);
	assert_int_equal(mg_viewtree_nmatches(vt), 1);
	assert_string_equal(sel_name(vt), "s-2-pod-1");
	assert_int_equal(mg_viewtree_set_filter(vt, "^s-10-pod-[0-9]$", &err),
			 0);
	assert_int_equal(mg_viewtree_nmatches(vt), 2);
	assert_int_equal(mg_viewtree_set_filter(vt, "status:degraded", &err),
			 0);
	assert_string_equal(rows_str(vt), "mc,.default,..s-2");
	/* a matched node's children show only if they match too */
	assert_true(mg_viewtree_row(vt, 2)->node->match);
	assert_false(mg_viewtree_row(vt, 2)->has_children);
	assert_int_equal(mg_viewtree_set_filter(vt, "nothing-like-this", &err),
			 0);
	assert_int_equal(mg_viewtree_nrows(vt), 0);
	assert_int_equal(mg_viewtree_sel(vt), MG_VT_NONE);
	assert_false(mg_viewtree_next_match(vt, 1));
	/* the namespace is not searched unless asked for */
	assert_int_equal(mg_viewtree_set_filter(vt, "^ns$", &err), 0);
	assert_int_equal(mg_viewtree_nrows(vt), 0);
	assert_int_equal(mg_viewtree_set_filter(vt, "ns:^ns$", &err), 0);
	assert_int_equal(mg_viewtree_nrows(vt), 11);
	mg_viewtree_free(vt);
}

static void
test_collapse_while_filtered(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	build(vt, false);
	select_name(vt, "s-10");
	mg_viewtree_toggle(vt); /* collapsed in the plain tree */
	assert_int_equal(mg_viewtree_set_filter(vt, "pod-1", &err), 0);
	/* under a filter everything starts expanded */
	assert_string_equal(rows_str(vt),
			    "mc,.default,..s-2,...s-2/main,....s-2-pod-1,"
			    "..s-10,...s-10/main,....s-10-pod-1");
	select_name(vt, "s-2");
	mg_viewtree_toggle(vt);
	assert_string_equal(rows_str(vt),
			    "mc,.default,..s-2,..s-10,...s-10/main,"
			    "....s-10-pod-1");
	/* back to the plain tree: its own collapsed node again */
	assert_int_equal(mg_viewtree_set_filter(vt, NULL, &err), 0);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,...s-2/main,"
			    "....s-2-pod-0,....s-2-pod-1,..s-10");
	mg_viewtree_free(vt);
}

static void
test_sort_orders(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	bool rev = true;

	(void)state;
	build(vt, false);
	assert_int_equal(mg_viewtree_sort(vt, &rev), MG_VT_SORT_NAME);
	assert_false(rev);

	/* reverse name order; kinds keep their order (cell first) */
	mg_viewtree_set_sort(vt, MG_VT_SORT_NAME, true);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-10,...s-10/main,"
			    "....s-10-pod-1,....s-10-pod-0,..s-2,...s-2/main,"
			    "....s-2-pod-1,....s-2-pod-0");
	assert_int_equal(mg_viewtree_sort(vt, &rev), MG_VT_SORT_NAME);
	assert_true(rev);

	mg_viewtree_set_sort(vt, MG_VT_SORT_ROLE, false);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,...s-2/main,"
			    "....s-2-pod-0,....s-2-pod-1,..s-10,...s-10/main,"
			    "....s-10-pod-0,....s-10-pod-1");

	/* worst first: s-2 holds an error; within it the error pod first */
	build(vt, false);
	mg_viewtree_set_sort(vt, MG_VT_SORT_STATUS, false);
	assert_string_equal(mg_viewtree_row(vt, 3)->node->name, "s-2");
	assert_string_equal(mg_viewtree_row(vt, 5)->node->name, "s-2-pod-0");
	mg_viewtree_set_sort(vt, MG_VT_SORT_STATUS, true);
	assert_string_equal(mg_viewtree_row(vt, 3)->node->name, "s-10");

	/* most restarts first, summed over subtrees */
	mg_viewtree_set_sort(vt, MG_VT_SORT_RESTARTS, false);
	assert_string_equal(rows_str(vt),
			    "mc,.zone1,.default,..s-2,...s-2/main,"
			    "....s-2-pod-0,....s-2-pod-1,..s-10,...s-10/main,"
			    "....s-10-pod-0,....s-10-pod-1");

	/* the order holds across rebuilds */
	build(vt, false);
	assert_string_equal(mg_viewtree_row(vt, 5)->node->name, "s-2-pod-0");
	assert_string_equal(mg_viewtree_row(vt, 9)->node->name, "s-10-pod-0");

	assert_int_equal(mg_vt_sort_parse("restarts"), MG_VT_SORT_RESTARTS);
	assert_int_equal(mg_vt_sort_parse("res"), MG_VT_SORT_RESTARTS);
	assert_int_equal(mg_vt_sort_parse("b"), MG_VT_SORT_BACKUP);
	assert_int_equal(mg_vt_sort_parse("r"), -1); /* role or restarts */
	assert_int_equal(mg_vt_sort_parse(""), -1);
	assert_int_equal(mg_vt_sort_parse("colour"), -1);
	assert_string_equal(mg_vt_sort_name(MG_VT_SORT_AGE), "age");
	mg_viewtree_free(vt);
}

static void
test_sort_by_age_and_backup(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_vt_item it = MG_VT_ITEM_INIT;
	static const struct {
		const char *key;
		long long age, backup;
	} shards[] = { { "a", 300, 7200 }, { "b", 10, MG_VT_NA },
		       { "c", MG_VT_NA, 90000 }, { "d", 60, 60 } };
	size_t i, root;

	(void)state;
	mg_viewtree_begin(vt);
	it.kind = MG_VT_TABLEGROUP;
	it.key = "tg";
	root = mg_viewtree_add(vt, MG_VT_NONE, &it);
	for (i = 0; i < ARRAY_SIZE(shards); i++) {
		it.kind = MG_VT_SHARD;
		it.key = shards[i].key;
		it.age = shards[i].age;
		it.backup_age = shards[i].backup;
		mg_viewtree_add(vt, root, &it);
	}
	mg_viewtree_end(vt);
	mg_viewtree_set_sort(vt, MG_VT_SORT_AGE, false);
	assert_string_equal(rows_str(vt), "tg,.b,.d,.a,.c");
	mg_viewtree_set_sort(vt, MG_VT_SORT_BACKUP, false);
	assert_string_equal(rows_str(vt), "tg,.c,.a,.d,.b");
	assert_int_equal(mg_viewtree_find(vt, "tg")->backup_oldest, 90000);
	mg_viewtree_free(vt);
}

static void
test_scrolling_keeps_selection_in_view(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();

	(void)state;
	build(vt, false); /* 11 rows */
	assert_int_equal(mg_viewtree_top(vt, 5), 0);
	mg_viewtree_move_to(vt, 4);
	assert_int_equal(mg_viewtree_top(vt, 5), 1); /* one row below */
	mg_viewtree_move_to(vt, 10);
	assert_int_equal(mg_viewtree_top(vt, 5), 6);
	mg_viewtree_move_to(vt, 7);
	assert_int_equal(mg_viewtree_top(vt, 5), 6); /* still in view */
	mg_viewtree_move_to(vt, 6);
	assert_int_equal(mg_viewtree_top(vt, 5), 5); /* one row above */
	mg_viewtree_move_to(vt, 0);
	assert_int_equal(mg_viewtree_top(vt, 5), 0);
	/* a tall window never scrolls */
	mg_viewtree_move_to(vt, 10);
	assert_int_equal(mg_viewtree_top(vt, 40), 0);
	/* rows shrinking under a scrolled window pull it back */
	assert_int_equal(mg_viewtree_top(vt, 3), 8);
	mg_viewtree_expand_all(vt, false);
	assert_int_equal(mg_viewtree_top(vt, 3), 0);
	assert_int_equal(mg_viewtree_top(vt, 0), 0);
	mg_viewtree_free(vt);
}

/* Many nodes and many expansion flips: the key sets grow and shrink. */
static void
test_many_nodes(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_vt_item it = MG_VT_ITEM_INIT;
	char key[32];
	size_t root, i, s;

	(void)state;
	mg_viewtree_begin(vt);
	it.kind = MG_VT_TABLEGROUP;
	it.key = "tg";
	root = mg_viewtree_add(vt, MG_VT_NONE, &it);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "shard-%zu", i);
		it.kind = MG_VT_SHARD;
		it.key = key;
		s = mg_viewtree_add(vt, root, &it);
		snprintf(key, sizeof(key), "pod-%zu", i);
		it.kind = MG_VT_POD;
		it.key = key;
		mg_viewtree_add(vt, s, &it);
	}
	mg_viewtree_end(vt);
	assert_int_equal(mg_viewtree_nrows(vt), 1001);
	assert_string_equal(mg_viewtree_row(vt, 3)->node->name, "shard-1");
	/* collapse every shard, then expand every other one */
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "shard-%zu", i);
		assert_true(mg_viewtree_select_key(vt, key));
		mg_viewtree_expand(vt, false);
	}
	assert_int_equal(mg_viewtree_nrows(vt), 501);
	for (i = 0; i < 500; i += 2) {
		snprintf(key, sizeof(key), "shard-%zu", i);
		assert_true(mg_viewtree_select_key(vt, key));
		mg_viewtree_expand(vt, true);
	}
	assert_int_equal(mg_viewtree_nrows(vt), 751);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "pod-%zu", i);
		assert_true(mg_viewtree_find(vt, key) != NULL);
	}
	/* each collapsed state is right, across a rebuild too */
	mg_viewtree_end(vt);
	for (i = 0; i < 500; i++) {
		const struct mg_vt_row *r;

		snprintf(key, sizeof(key), "shard-%zu", i);
		assert_true(mg_viewtree_select_key(vt, key));
		/* select_key expands ancestors, not the node itself */
		r = mg_viewtree_row(vt, mg_viewtree_sel(vt));
		assert_int_equal(r->expanded, i % 2 == 0);
	}
	mg_viewtree_free(vt);
}


/* --- from a snapshot ------------------------------------------------ */

static cJSON *
load_demo(void)
{
	struct mg_buf data = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *objs = NULL;
	const char *dir = getenv("MG_SRCDIR");
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/fixtures/tui/demo.json",
		 dir && *dir ? dir : ".");
	if (mg_buf_read_file(&data, path, &err) ||
	    mg_json_parse(&objs, data.data, data.len, path, &err))
		fail_msg("%s", err.msg);
	mg_buf_release(&data);
	return objs;
}

/* Applies the fixture's objects whose kind is `only` (NULL: all). */
static void
feed(struct mg_snap *snap, const cJSON *objs, const char *only,
     enum mg_snap_op op)
{
	const cJSON *o;
	struct mg_err err = MG_ERR_INIT;

	mg_json_array_foreach(o, objs) {
		enum mg_snap_kind kind;
		const char *k = mg_json_str(o, "kind");

		assert_true(mg_snap_kind_parse(k, &kind));
		if (only && strcmp(only, k))
			continue;
		assert_int_equal(mg_snap_apply(snap, kind, op, o, &err), 0);
	}
}

static void
build_demo(struct mg_viewtree *vt, const struct mg_snap *snap)
{
	struct mg_vt_build_opts bo = { DEMO_NOW, NULL, NULL, false };

	mg_viewtree_build(vt, snap, &bo);
}

static void
test_build_from_snapshot(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_snap *snap = mg_snap_new(NULL);
	cJSON *objs = load_demo();
	const struct mg_vt_node *n;

	(void)state;
	feed(snap, objs, NULL, MG_SNAP_ADDED);
	build_demo(vt, snap);
	assert_string_equal(rows_str(vt),
			    "demo,.zone-a,.zone-b,.postgres/default,..0-inf,"
			    "...main,....demo-default-0-inf-main-a-0,"
			    "....demo-default-0-inf-main-a-1,"
			    "....demo-default-0-inf-main-a-2,.postgres/tg1,"
			    "..0-inf,...main,....demo-tg1-0-inf-main-a-0,"
			    "....demo-tg1-0-inf-main-a-1,"
			    "....demo-tg1-0-inf-main-a-2");
	assert_int_equal(mg_viewtree_count(vt, MG_VT_SHARD), 2);
	assert_int_equal(mg_viewtree_count(vt, MG_VT_POD), 6);

	n = mg_viewtree_find(vt, "Pod/demo/demo-default-0-inf-main-a-0");
	assert_non_null(n);
	assert_int_equal(n->kind, MG_VT_POD);
	assert_string_equal(n->role, "PRIMARY");
	assert_int_equal(n->ready, 1);
	assert_int_equal(n->restarts, 0);
	assert_int_equal(n->backup_age, 3 * 3600);
	assert_int_equal(n->age, 3600);
	assert_string_equal(n->cell, "zone-a");
	assert_string_equal(n->status, "Running");
	assert_null(n->drain);
	assert_int_equal(n->drift, MG_VT_NA); /* no hash function given */
	assert_string_equal(n->ref, "Pod/demo/demo-default-0-inf-main-a-0");

	n = mg_viewtree_find(vt,
			     "shard/demo/demo/postgres/default/0-inf");
	assert_non_null(n);
	assert_string_equal(n->status, "Healthy");
	assert_string_equal(n->ref,
			    "Shard/demo/demo-postgres-default-0-inf-bedd096a");
	assert_int_equal(n->pods, 3);
	assert_int_equal(n->pods_ready, 3);
	assert_int_equal(n->backup_age, 3 * 3600);
	n = mg_viewtree_find(vt, "pool/demo/demo/postgres/default/0-inf/main");
	assert_non_null(n);
	assert_null(n->ref); /* a pool has no object of its own */
	assert_string_equal(mg_viewtree_parent(vt, n)->name, "0-inf");
	n = mg_viewtree_find(vt, "cell/demo/demo/zone-b");
	assert_non_null(n);
	assert_string_equal(n->ref, "Cell/demo/demo-zone-b");
	n = mg_viewtree_find(vt, "cluster/demo/demo");
	assert_string_equal(n->ref, "MultigresCluster/demo/demo");
	assert_null(mg_viewtree_parent(vt, n));
	assert_int_equal(n->pods_ready, 6);

	cJSON_Delete(objs);
	mg_snap_free(snap);
	mg_viewtree_free(vt);
}

/* What a watch brings: a role change, a drain, a pod going and coming
 * back; the selection and the expansion hold. */
static void
test_build_follows_changes(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_snap *snap = mg_snap_new(NULL);
	cJSON *objs = load_demo(), *o, *roles, *pod = NULL;
	struct mg_err err = MG_ERR_INIT;
	const struct mg_vt_node *n;

	(void)state;
	feed(snap, objs, NULL, MG_SNAP_ADDED);
	build_demo(vt, snap);
	assert_true(mg_viewtree_select_key(vt,
					   "Pod/demo/demo-default-0-inf-main-a-1"));
	assert_true(mg_viewtree_select_key(vt,
					   "shard/demo/demo/postgres/tg1/0-inf"));
	mg_viewtree_toggle(vt); /* tg1's shard collapsed */
	assert_true(mg_viewtree_select_key(vt,
					   "Pod/demo/demo-default-0-inf-main-a-1"));

	/* the switchover: pod -1 becomes PRIMARY, -0 REPLICA */
	mg_json_array_foreach(o, objs) {
		if (strcmp(mg_json_str(o, "kind"), "Shard") ||
		    strcmp(mg_json_str(o, "spec.tableGroupName"), "default"))
			continue;
		roles = mg_json_get(o, "status.podRoles");
		mg_json_set_str(roles, "demo-default-0-inf-main-a-0", "REPLICA");
		mg_json_set_str(roles, "demo-default-0-inf-main-a-1", "PRIMARY");
		mg_json_set_str(mg_json_get(o, "metadata"), "resourceVersion",
				"5000");
		assert_int_equal(mg_snap_apply(snap, MG_SNAP_SHARD,
					       MG_SNAP_MODIFIED, o, &err), 0);
	}
	build_demo(vt, snap);
	n = mg_viewtree_sel_node(vt);
	assert_string_equal(n->name, "demo-default-0-inf-main-a-1");
	assert_string_equal(n->role, "PRIMARY");
	assert_string_equal(
		mg_viewtree_find(vt, "Pod/demo/demo-default-0-inf-main-a-0")->role,
		"REPLICA");
	/* tg1's shard is still collapsed */
	assert_null(strstr(rows_str(vt), "demo-tg1-0-inf-main-a-0"));

	/* a drain request on the selected pod */
	mg_json_array_foreach(o, objs)
		if (!strcmp(mg_json_str(o, "metadata.name"),
			    "demo-default-0-inf-main-a-1"))
			pod = o;
	assert_non_null(pod);
	mg_json_set_str(mg_json_get(pod, "metadata.annotations"),
			"drain.multigres.com/state", "draining");
	mg_json_set_str(mg_json_get(pod, "metadata"), "resourceVersion",
			"5001");
	assert_int_equal(mg_snap_apply(snap, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				       &err), 0);
	build_demo(vt, snap);
	n = mg_viewtree_sel_node(vt);
	assert_string_equal(n->drain, "draining");
	assert_int_equal(
		mg_viewtree_find(vt, "shard/demo/demo/postgres/default/0-inf")
			->pods_draining,
		1);

	/* the pod goes: the pool is selected; it comes back: still there */
	assert_int_equal(mg_snap_apply(snap, MG_SNAP_POD, MG_SNAP_DELETED, pod,
				       &err), 0);
	build_demo(vt, snap);
	assert_string_equal(mg_viewtree_sel_node(vt)->name, "main");
	assert_int_equal(mg_viewtree_count(vt, MG_VT_POD), 5);
	mg_json_set_str(mg_json_get(pod, "metadata"), "resourceVersion",
			"5002");
	assert_int_equal(mg_snap_apply(snap, MG_SNAP_POD, MG_SNAP_ADDED, pod,
				       &err), 0);
	build_demo(vt, snap);
	assert_int_equal(mg_viewtree_count(vt, MG_VT_POD), 6);
	assert_string_equal(mg_viewtree_sel_node(vt)->name, "main");

	cJSON_Delete(objs);
	mg_snap_free(snap);
	mg_viewtree_free(vt);
}

/* Pods seen before their Shard: the shard node exists, without an
 * object; when the Shard arrives its node keeps its key (and state). */
static void
test_build_pods_before_shards(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_snap *snap = mg_snap_new(NULL);
	cJSON *objs = load_demo();
	const struct mg_vt_node *n;
	const char *key = "shard/demo/demo/postgres/default/0-inf";

	(void)state;
	feed(snap, objs, "Pod", MG_SNAP_ADDED);
	build_demo(vt, snap);
	n = mg_viewtree_find(vt, key);
	assert_non_null(n);
	assert_null(n->ref);
	assert_int_equal(n->pods, 3);
	assert_null(mg_viewtree_find(vt, "Pod/demo/demo-default-0-inf-main-a-0")
			    ->role);
	assert_true(mg_viewtree_select_key(vt, key));
	mg_viewtree_toggle(vt);
	feed(snap, objs, "Shard", MG_SNAP_ADDED);
	build_demo(vt, snap);
	n = mg_viewtree_sel_node(vt);
	assert_string_equal(n->key, key);
	assert_non_null(n->ref);
	assert_false(mg_viewtree_row(vt, mg_viewtree_sel(vt))->expanded);
	assert_string_equal(mg_viewtree_find(vt,
					     "Pod/demo/demo-default-0-inf-main-a-0")
				    ->role,
			    "PRIMARY");
	cJSON_Delete(objs);
	mg_snap_free(snap);
	mg_viewtree_free(vt);
}

/* Severities come from the caller's function, and sum up the tree. */
static enum mg_vt_sev
sev_not_ready(void *data, const struct mg_snap_obj *obj)
{
	const struct mg_snap_pod *p = mg_snap_as_pod(obj);

	(void)data;
	return p && !strcmp(p->obj.name, "demo-tg1-0-inf-main-a-2") ?
		       MG_VT_SEV_ERROR :
		       MG_VT_SEV_OK;
}

static void
test_build_severities(void **state)
{
	struct mg_viewtree *vt = mg_viewtree_new();
	struct mg_snap *snap = mg_snap_new(NULL);
	cJSON *objs = load_demo();
	struct mg_vt_build_opts bo = { DEMO_NOW, sev_not_ready, NULL, true };

	(void)state;
	feed(snap, objs, NULL, MG_SNAP_ADDED);
	mg_viewtree_build(vt, snap, &bo);
	assert_int_equal(mg_viewtree_find(vt, "cluster/demo/demo")->worst,
			 MG_VT_SEV_ERROR);
	assert_int_equal(mg_viewtree_find(vt, "cluster/demo/demo")->sev,
			 MG_VT_SEV_OK);
	assert_string_equal(mg_viewtree_find(vt, "cluster/demo/demo")->name,
			    "demo/demo"); /* show_ns */
	mg_viewtree_set_sort(vt, MG_VT_SORT_STATUS, false);
	/* the table group holding the error comes first */
	assert_string_equal(mg_viewtree_row(vt, 3)->node->name, "postgres/tg1");
	cJSON_Delete(objs);
	mg_snap_free(snap);
	mg_viewtree_free(vt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_natural_order),
		cmocka_unit_test(test_rows_in_sorted_tree_order),
		cmocka_unit_test(test_sums_over_subtrees),
		cmocka_unit_test(test_collapse_survives_rebuild),
		cmocka_unit_test(test_collapsed_by_default),
		cmocka_unit_test(test_selection_survives_reorder_and_removal),
		cmocka_unit_test(test_move_clamps),
		cmocka_unit_test(test_filter_keeps_ancestors_and_cycles),
		cmocka_unit_test(test_filter_terms),
		cmocka_unit_test(test_collapse_while_filtered),
		cmocka_unit_test(test_sort_orders),
		cmocka_unit_test(test_sort_by_age_and_backup),
		cmocka_unit_test(test_scrolling_keeps_selection_in_view),
		cmocka_unit_test(test_many_nodes),
		cmocka_unit_test(test_build_from_snapshot),
		cmocka_unit_test(test_build_follows_changes),
		cmocka_unit_test(test_build_pods_before_shards),
		cmocka_unit_test(test_build_severities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
