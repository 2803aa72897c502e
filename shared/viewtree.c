/*
 * viewtree.c - rows, expansion, filter, sort and selection of the
 * dashboard's tree (viewtree.h). Pure: no I/O, no clock, no curses.
 */
#include "compat.h"
#include "viewtree.h"

#include <ctype.h>
#include <regex.h>

#include "drain.h"
#include "err.h"
#include "snapshot.h"
#include "xalloc.h"

/* --- a small string-keyed hash map (open addressing) ----------------- */

struct slot {
	char *key; /* NULL: empty */
	size_t val;
};

struct smap {
	struct slot *slots;
	size_t n, cap; /* cap is 0 or a power of two */
	bool owns;     /* keys are copied and freed */
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void
smap_release(struct smap *m)
{
	if (m->owns)
		for (size_t i = 0; i < m->cap; i++)
			free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->n = m->cap = 0;
}

static struct slot *
smap_slot(const struct smap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1))
		if (!m->slots[i].key || !strcmp(m->slots[i].key, key))
			return &m->slots[i];
}

static bool
smap_get(const struct smap *m, const char *key, size_t *val)
{
	const struct slot *s = smap_slot(m, key);

	if (!s || !s->key)
		return false;
	if (val)
		*val = s->val;
	return true;
}

static void smap_put(struct smap *m, const char *key, size_t val);

static void
smap_grow(struct smap *m)
{
	struct smap bigger = { NULL, 0, m->cap ? m->cap * 2 : 16, m->owns };
	size_t i;

	bigger.slots = mg_xcalloc(bigger.cap, sizeof(*bigger.slots));
	for (i = 0; i < m->cap; i++) {
		struct slot *s;

		if (!m->slots[i].key)
			continue;
		s = smap_slot(&bigger, m->slots[i].key);
		*s = m->slots[i];
		bigger.n++;
	}
	free(m->slots);
	*m = bigger;
}

static void
smap_put(struct smap *m, const char *key, size_t val)
{
	struct slot *s;

	if ((m->n + 1) * 4 > m->cap * 3)
		smap_grow(m);
	s = smap_slot(m, key);
	if (!s->key) {
		s->key = m->owns ? mg_xstrdup(key) : (char *)(uintptr_t)key;
		m->n++;
	}
	s->val = val;
}

/* Removal by backward-shift deletion, so lookups stay correct. */
static void
smap_del(struct smap *m, const char *key)
{
	struct slot *s = smap_slot(m, key);
	size_t i, j, mask = m->cap - 1;

	if (!s || !s->key)
		return;
	if (m->owns)
		free(s->key);
	s->key = NULL;
	m->n--;
	i = (size_t)(s - m->slots);
	for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = hash_str(m->slots[j].key) & mask;
		bool stays = i <= j ? (i < home && home <= j) :
				      (i < home || home <= j);

		/* j may move back to the hole at i unless its home lies
		 * cyclically in (i, j] */
		if (!stays) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
}

static void
smap_clear(struct smap *m)
{
	bool owns = m->owns;

	smap_release(m);
	m->owns = owns;
}

/* --- the tree -------------------------------------------------------- */

enum field {
	F_KIND,
	F_NAME,
	F_ROLE,
	F_STATUS,
	F_DRAIN,
	F_CELL,
	F_NS,
	F_ANY,
};

static const char *const field_names[] = { "kind",  "name", "role", "status",
					   "drain", "cell", "ns" };

struct term {
	enum field field;
	bool neg;
	regex_t re;
};

struct mg_viewtree {
	struct mg_vt_node *nodes;
	size_t nnodes, anodes;
	size_t *order; /* pre-order of the sorted tree */
	size_t first_root;
	struct smap index; /* key -> node (borrowed keys) */

	struct mg_vt_row *rows;
	size_t nrows, arows;
	size_t sel; /* row, MG_VT_NONE when there are no rows */
	size_t top;
	char *sel_key;
	char **sel_path; /* ancestors of the selection, root first */
	size_t sel_depth;
	unsigned long gen;

	/* keys whose expansion differs from the default; one set for the
	 * unfiltered tree, one for the filtered one (everything expanded
	 * by default), cleared with each new filter */
	struct smap flip, flip_filter;

	char *filter;
	struct term *terms;
	size_t nterms;
	size_t nmatches;

	enum mg_vt_sort sort;
	bool reverse;
};

static const char *const kind_names[MG_VT_NKINDS] = {
	"cluster", "cell", "tablegroup", "shard", "pool", "pod", "other",
};

const char *
mg_vt_kind_name(enum mg_vt_kind kind)
{
	return (unsigned)kind < MG_VT_NKINDS ? kind_names[kind] : "?";
}

static const char *const sort_names[MG_VT_NSORTS] = {
	"name", "status", "role", "restarts", "age", "backup",
};

const char *
mg_vt_sort_name(enum mg_vt_sort sort)
{
	return (unsigned)sort < MG_VT_NSORTS ? sort_names[sort] : "?";
}

int
mg_vt_sort_parse(const char *name)
{
	size_t i, len = name ? strlen(name) : 0;
	int found = -1;

	if (!len)
		return -1;
	for (i = 0; i < MG_VT_NSORTS; i++) {
		if (!strcmp(sort_names[i], name))
			return (int)i;
		if (!strncmp(sort_names[i], name, len)) {
			if (found >= 0)
				return -1; /* ambiguous */
			found = (int)i;
		}
	}
	return found;
}

int
mg_vt_natcmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea, *eb;
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	if (*a == *b)
		return 0;
	return *a ? 1 : -1;
}

struct mg_viewtree *
mg_viewtree_new(void)
{
	struct mg_viewtree *vt = mg_xcalloc(1, sizeof(*vt));

	vt->flip.owns = true;
	vt->flip_filter.owns = true;
	vt->sel = MG_VT_NONE;
	vt->first_root = MG_VT_NONE;
	vt->filter = mg_xstrdup("");
	return vt;
}

static void
free_nodes(struct mg_viewtree *vt)
{
	size_t i;

	for (i = 0; i < vt->nnodes; i++) {
		struct mg_vt_node *n = &vt->nodes[i];

		free(n->key);
		free(n->name);
		free(n->ns);
		free(n->role);
		free(n->status);
		free(n->drain);
		free(n->cell);
		free(n->ref);
	}
	vt->nnodes = 0;
	vt->first_root = MG_VT_NONE;
	smap_clear(&vt->index);
}

static void
free_terms(struct term *terms, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		regfree(&terms[i].re);
	free(terms);
}

static void
free_sel_path(struct mg_viewtree *vt)
{
	size_t i;

	for (i = 0; i < vt->sel_depth; i++)
		free(vt->sel_path[i]);
	free(vt->sel_path);
	vt->sel_path = NULL;
	vt->sel_depth = 0;
}

void
mg_viewtree_free(struct mg_viewtree *vt)
{
	if (!vt)
		return;
	free_nodes(vt);
	free(vt->nodes);
	free(vt->order);
	smap_release(&vt->index);
	free(vt->rows);
	free(vt->sel_key);
	free_sel_path(vt);
	smap_release(&vt->flip);
	smap_release(&vt->flip_filter);
	free(vt->filter);
	free_terms(vt->terms, vt->nterms);
	free(vt);
}

void
mg_viewtree_begin(struct mg_viewtree *vt)
{
	free_nodes(vt);
	vt->nrows = 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? mg_xstrdup(s) : NULL;
}

size_t
mg_viewtree_add(struct mg_viewtree *vt, size_t parent,
		const struct mg_vt_item *item)
{
	struct mg_vt_node *n;
	size_t idx = vt->nnodes;

	if (!item->key)
		MG_BUG("viewtree: an item without a key");
	if (parent != MG_VT_NONE && parent >= vt->nnodes)
		MG_BUG("viewtree: parent not added yet");
	if (smap_get(&vt->index, item->key, NULL))
		MG_BUG("viewtree: a key added twice");
	vt->nodes = mg_xgrow(vt->nodes, sizeof(*vt->nodes), idx + 1,
			     &vt->anodes);
	n = &vt->nodes[idx];
	memset(n, 0, sizeof(*n));
	n->kind = item->kind;
	n->key = mg_xstrdup(item->key);
	n->name = mg_xstrdup(item->name ? item->name : item->key);
	n->ns = dup_or_null(item->ns);
	n->role = dup_or_null(item->role);
	n->status = dup_or_null(item->status);
	n->drain = dup_or_null(item->drain);
	n->cell = dup_or_null(item->cell);
	n->ref = dup_or_null(item->ref);
	n->ready = item->ready;
	n->drift = item->drift;
	n->backup_age = item->backup_age;
	n->restarts = item->restarts;
	n->age = item->age;
	n->sev = item->sev;
	n->collapsed_default = item->collapsed;
	n->parent = parent;
	n->first_child = n->next_sibling = MG_VT_NONE;
	n->depth = parent == MG_VT_NONE ? 0 : vt->nodes[parent].depth + 1;
	vt->nnodes++;
	/* the map borrows n->key, which stays put when the array moves */
	smap_put(&vt->index, n->key, idx);
	return idx;
}

/* Sums over subtrees: children come after their parent in the array. */
static void
aggregate(struct mg_viewtree *vt)
{
	size_t i;

	for (i = 0; i < vt->nnodes; i++) {
		struct mg_vt_node *n = &vt->nodes[i];
		bool pod = n->kind == MG_VT_POD;

		n->worst = n->sev;
		n->pods = pod;
		n->pods_ready = pod && n->ready == 1;
		n->pods_drifted = pod && n->drift == 1;
		n->pods_draining = pod && n->drain && *n->drain;
		n->restarts_sum = pod ? n->restarts : MG_VT_NA;
		n->backup_oldest = n->backup_age;
	}
	for (i = vt->nnodes; i-- > 0;) {
		struct mg_vt_node *n = &vt->nodes[i], *p;

		if (n->parent == MG_VT_NONE)
			continue;
		p = &vt->nodes[n->parent];
		if (n->worst > p->worst)
			p->worst = n->worst;
		p->pods += n->pods;
		p->pods_ready += n->pods_ready;
		p->pods_drifted += n->pods_drifted;
		p->pods_draining += n->pods_draining;
		if (n->restarts_sum != MG_VT_NA)
			p->restarts_sum = (p->restarts_sum == MG_VT_NA ? 0 :
					   p->restarts_sum) + n->restarts_sum;
		if (n->backup_oldest > p->backup_oldest)
			p->backup_oldest = n->backup_oldest;
	}
}

static int
role_rank(const char *role)
{
	if (!role || !*role)
		return 3;
	if (!strcmp(role, "PRIMARY"))
		return 0;
	if (!strcmp(role, "REPLICA"))
		return 1;
	return 2;
}

/* a < b -> -1; "not applicable" (negative) sorts after every value */
static int
cmp_desc(long long a, long long b)
{
	if (a == b)
		return 0;
	if (a < 0 || b < 0)
		return a < 0 ? 1 : -1;
	return a > b ? -1 : 1;
}

static int
cmp_asc(long long a, long long b)
{
	if (a == b)
		return 0;
	if (a < 0 || b < 0)
		return a < 0 ? 1 : -1;
	return a < b ? -1 : 1;
}

static int
cmp_nodes(const struct mg_viewtree *vt, size_t ia, size_t ib)
{
	const struct mg_vt_node *a = &vt->nodes[ia], *b = &vt->nodes[ib];
	int c = 0;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (vt->sort) {
	case MG_VT_SORT_NAME:
		break;
	case MG_VT_SORT_STATUS:
		c = a->worst == b->worst ? 0 : a->worst > b->worst ? -1 : 1;
		break;
	case MG_VT_SORT_ROLE:
		c = role_rank(a->role) - role_rank(b->role);
		break;
	case MG_VT_SORT_RESTARTS:
		c = cmp_desc(a->restarts_sum, b->restarts_sum);
		break;
	case MG_VT_SORT_AGE:
		c = cmp_asc(a->age, b->age);
		break;
	case MG_VT_SORT_BACKUP:
		c = cmp_desc(a->backup_oldest, b->backup_oldest);
		break;
	}
	if (!c)
		c = mg_vt_natcmp(a->name, b->name);
	if (!c)
		c = strcmp(a->key, b->key);
	return vt->reverse ? -c : c;
}

/* A stable merge sort of node indices, since qsort has no context. */
static void
sort_indices(const struct mg_viewtree *vt, size_t *v, size_t *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_indices(vt, v, tmp, mid);
	sort_indices(vt, v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = cmp_nodes(vt, v[j], v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

static void
link_sorted(struct mg_viewtree *vt)
{
	size_t *kids = mg_xmalloc((vt->nnodes + 1) * sizeof(*kids));
	size_t *tmp = mg_xmalloc((vt->nnodes + 1) * sizeof(*tmp));
	size_t *start = mg_xcalloc(vt->nnodes + 2, sizeof(*start));
	size_t i, p, k, *fill;

	/* counting sort by parent; roots under slot nnodes */
	for (i = 0; i < vt->nnodes; i++) {
		p = vt->nodes[i].parent == MG_VT_NONE ? vt->nnodes :
							vt->nodes[i].parent;
		start[p + 1]++;
	}
	for (p = 1; p < vt->nnodes + 2; p++)
		start[p] += start[p - 1];
	fill = mg_xmalloc((vt->nnodes + 1) * sizeof(*fill));
	memcpy(fill, start, (vt->nnodes + 1) * sizeof(*fill));
	for (i = 0; i < vt->nnodes; i++) {
		p = vt->nodes[i].parent == MG_VT_NONE ? vt->nnodes :
							vt->nodes[i].parent;
		kids[fill[p]++] = i;
	}
	for (p = 0; p <= vt->nnodes; p++) {
		size_t *v = kids + start[p], n = start[p + 1] - start[p];
		size_t first = MG_VT_NONE;

		sort_indices(vt, v, tmp, n);
		for (k = n; k-- > 0;) {
			vt->nodes[v[k]].next_sibling = first;
			first = v[k];
		}
		if (p < vt->nnodes)
			vt->nodes[p].first_child = first;
		else
			vt->first_root = first;
	}
	/* pre-order */
	vt->order = mg_xrealloc(vt->order,
				(vt->nnodes + 1) * sizeof(*vt->order));
	k = 0;
	for (i = vt->first_root; i != MG_VT_NONE;) {
		const struct mg_vt_node *n = &vt->nodes[i];

		vt->order[k++] = i;
		if (n->first_child != MG_VT_NONE) {
			i = n->first_child;
			continue;
		}
		while (i != MG_VT_NONE && vt->nodes[i].next_sibling == MG_VT_NONE)
			i = vt->nodes[i].parent;
		if (i != MG_VT_NONE)
			i = vt->nodes[i].next_sibling;
	}
	free(fill);
	free(start);
	free(tmp);
	free(kids);
}

static const char *
node_field(const struct mg_vt_node *n, enum field f)
{
	const char *s = NULL;

	switch (f) {
	case F_KIND:
		s = mg_vt_kind_name(n->kind);
		break;
	case F_NAME:
		s = n->name;
		break;
	case F_ROLE:
		s = n->role;
		break;
	case F_STATUS:
		s = n->status;
		break;
	case F_DRAIN:
		s = n->drain;
		break;
	case F_CELL:
		s = n->cell;
		break;
	case F_NS:
		s = n->ns;
		break;
	case F_ANY:
		break;
	}
	return s ? s : "";
}

static bool
term_matches(const struct term *t, const struct mg_vt_node *n)
{
	bool m = false;

	if (t->field != F_ANY) {
		m = !regexec(&t->re, node_field(n, t->field), 0, NULL, 0);
	} else {
		enum field f;

		/* any field but the namespace, which every row shares */
		for (f = F_KIND; f < F_NS && !m; f++)
			m = !regexec(&t->re, node_field(n, f), 0, NULL, 0);
	}
	return m != t->neg;
}

static bool
node_matches(const struct mg_viewtree *vt, const struct mg_vt_node *n)
{
	size_t i;

	for (i = 0; i < vt->nterms; i++)
		if (!term_matches(&vt->terms[i], n))
			return false;
	return true;
}

static bool
is_expanded(const struct mg_viewtree *vt, const struct mg_vt_node *n)
{
	if (vt->nterms)
		return !smap_get(&vt->flip_filter, n->key, NULL);
	return n->collapsed_default == smap_get(&vt->flip, n->key, NULL);
}

static void
set_expanded(struct mg_viewtree *vt, const struct mg_vt_node *n, bool expand)
{
	struct smap *m = vt->nterms ? &vt->flip_filter : &vt->flip;
	bool dflt = vt->nterms ? true : !n->collapsed_default;

	if (expand == dflt)
		smap_del(m, n->key);
	else
		smap_put(m, n->key, 1);
}

static void
add_rows(struct mg_viewtree *vt, size_t first, unsigned depth, uint64_t guides)
{
	size_t i, next;

	for (i = first; i != MG_VT_NONE; i = next) {
		const struct mg_vt_node *n = &vt->nodes[i];
		struct mg_vt_row *r;
		size_t c;

		/* the next shown sibling */
		for (next = n->next_sibling;
		     next != MG_VT_NONE && !vt->nodes[next].shown;
		     next = vt->nodes[next].next_sibling)
			;
		if (!n->shown)
			continue;
		vt->rows = mg_xgrow(vt->rows, sizeof(*vt->rows), vt->nrows + 1,
				    &vt->arows);
		r = &vt->rows[vt->nrows++];
		r->node = n;
		r->depth = depth;
		r->has_children = false;
		for (c = n->first_child; c != MG_VT_NONE;
		     c = vt->nodes[c].next_sibling)
			if (vt->nodes[c].shown) {
				r->has_children = true;
				break;
			}
		r->expanded = r->has_children && is_expanded(vt, n);
		r->last = next == MG_VT_NONE;
		r->guides = guides;
		if (depth > 0 && depth <= 64 && !r->last)
			r->guides |= (uint64_t)1 << (depth - 1);
		if (r->expanded)
			add_rows(vt, c, depth + 1,
				 depth > 0 && depth <= 64 && !r->last ?
					 guides | (uint64_t)1 << (depth - 1) :
					 guides);
	}
}

static size_t
row_of_node(const struct mg_viewtree *vt, const struct mg_vt_node *n)
{
	size_t i;

	for (i = 0; i < vt->nrows; i++)
		if (vt->rows[i].node == n)
			return i;
	return MG_VT_NONE;
}

/* Remembers the selected node and its ancestors by key. */
static void
remember_sel(struct mg_viewtree *vt)
{
	const struct mg_vt_node *n;
	size_t d, p;

	vt->gen++;
	free(vt->sel_key);
	vt->sel_key = NULL;
	free_sel_path(vt);
	if (vt->sel == MG_VT_NONE)
		return;
	n = vt->rows[vt->sel].node;
	vt->sel_key = mg_xstrdup(n->key);
	vt->sel_depth = n->depth;
	vt->sel_path = mg_xcalloc(n->depth + 1, sizeof(*vt->sel_path));
	for (d = n->depth, p = n->parent; p != MG_VT_NONE;
	     p = vt->nodes[p].parent)
		vt->sel_path[--d] = mg_xstrdup(vt->nodes[p].key);
}

/* After the rows changed: the remembered node, else its deepest shown
 * ancestor, else the same row number. */
static void
restore_sel(struct mg_viewtree *vt)
{
	size_t idx, row = MG_VT_NONE, d;

	if (vt->sel_key && smap_get(&vt->index, vt->sel_key, &idx))
		row = row_of_node(vt, &vt->nodes[idx]);
	for (d = vt->sel_depth; row == MG_VT_NONE && d-- > 0;)
		if (smap_get(&vt->index, vt->sel_path[d], &idx))
			row = row_of_node(vt, &vt->nodes[idx]);
	if (row == MG_VT_NONE && vt->nrows)
		row = vt->sel == MG_VT_NONE ? 0 :
		      vt->sel < vt->nrows  ? vt->sel :
					     vt->nrows - 1;
	if (!vt->nrows)
		row = MG_VT_NONE;
	if (row != vt->sel || row == MG_VT_NONE ||
	    !vt->sel_key || strcmp(vt->rows[row].node->key, vt->sel_key)) {
		vt->sel = row;
		remember_sel(vt);
	}
}

static void
compute_matches(struct mg_viewtree *vt)
{
	size_t i;

	for (i = 0; i < vt->nnodes; i++) {
		vt->nodes[i].match = !vt->nterms ||
				     node_matches(vt, &vt->nodes[i]);
		vt->nodes[i].shown = vt->nodes[i].match;
	}
	for (i = vt->nnodes; i-- > 0;) {
		const struct mg_vt_node *n = &vt->nodes[i];

		if (n->shown && n->parent != MG_VT_NONE)
			vt->nodes[n->parent].shown = true;
	}
}

static void
layout(struct mg_viewtree *vt)
{
	vt->nrows = 0;
	add_rows(vt, vt->first_root, 0, 0);
	vt->nmatches = 0;
	if (vt->nterms)
		for (size_t i = 0; i < vt->nrows; i++)
			vt->nmatches += vt->rows[i].node->match;
	restore_sel(vt);
	if (vt->top >= vt->nrows)
		vt->top = vt->nrows ? vt->nrows - 1 : 0;
	vt->gen++;
}

void
mg_viewtree_end(struct mg_viewtree *vt)
{
	aggregate(vt);
	link_sorted(vt);
	compute_matches(vt);
	layout(vt);
}

size_t
mg_viewtree_nnodes(const struct mg_viewtree *vt)
{
	return vt->nnodes;
}

const struct mg_vt_node *
mg_viewtree_node(const struct mg_viewtree *vt, size_t i)
{
	return i < vt->nnodes && vt->order ? &vt->nodes[vt->order[i]] : NULL;
}

const struct mg_vt_node *
mg_viewtree_parent(const struct mg_viewtree *vt, const struct mg_vt_node *n)
{
	return n && n->parent != MG_VT_NONE ? &vt->nodes[n->parent] : NULL;
}

const struct mg_vt_node *
mg_viewtree_find(const struct mg_viewtree *vt, const char *key)
{
	size_t idx;

	return key && smap_get(&vt->index, key, &idx) ? &vt->nodes[idx] :
							 NULL;
}

size_t
mg_viewtree_count(const struct mg_viewtree *vt, enum mg_vt_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < vt->nnodes; i++)
		n += vt->nodes[i].kind == kind;
	return n;
}

unsigned long
mg_viewtree_generation(const struct mg_viewtree *vt)
{
	return vt->gen;
}

size_t
mg_viewtree_nrows(const struct mg_viewtree *vt)
{
	return vt->nrows;
}

const struct mg_vt_row *
mg_viewtree_row(const struct mg_viewtree *vt, size_t i)
{
	return i < vt->nrows ? &vt->rows[i] : NULL;
}

size_t
mg_viewtree_sel(const struct mg_viewtree *vt)
{
	return vt->sel;
}

const struct mg_vt_node *
mg_viewtree_sel_node(const struct mg_viewtree *vt)
{
	return vt->sel == MG_VT_NONE ? NULL : vt->rows[vt->sel].node;
}

void
mg_viewtree_move_to(struct mg_viewtree *vt, size_t row)
{
	if (!vt->nrows)
		return;
	if (row >= vt->nrows)
		row = vt->nrows - 1;
	if (row == vt->sel)
		return;
	vt->sel = row;
	remember_sel(vt);
}

void
mg_viewtree_move(struct mg_viewtree *vt, long delta)
{
	size_t row;

	if (!vt->nrows)
		return;
	row = vt->sel == MG_VT_NONE ? 0 : vt->sel;
	if (delta < 0)
		row = (size_t)-delta > row ? 0 : row - (size_t)-delta;
	else
		row = (size_t)delta >= vt->nrows - row ? vt->nrows - 1 :
							  row + (size_t)delta;
	mg_viewtree_move_to(vt, row);
}

bool
mg_viewtree_select_key(struct mg_viewtree *vt, const char *key)
{
	size_t idx, p, row;

	if (!smap_get(&vt->index, key, &idx) || !vt->nodes[idx].shown)
		return false;
	for (p = vt->nodes[idx].parent; p != MG_VT_NONE;
	     p = vt->nodes[p].parent)
		if (!is_expanded(vt, &vt->nodes[p]))
			set_expanded(vt, &vt->nodes[p], true);
	layout(vt);
	row = row_of_node(vt, &vt->nodes[idx]);
	if (row == MG_VT_NONE)
		return false;
	vt->sel = row;
	remember_sel(vt);
	return true;
}

void
mg_viewtree_expand(struct mg_viewtree *vt, bool expand)
{
	const struct mg_vt_row *r;

	if (vt->sel == MG_VT_NONE)
		return;
	r = &vt->rows[vt->sel];
	if (!r->has_children || r->expanded == expand)
		return;
	set_expanded(vt, r->node, expand);
	layout(vt);
}

void
mg_viewtree_toggle(struct mg_viewtree *vt)
{
	if (vt->sel != MG_VT_NONE)
		mg_viewtree_expand(vt, !vt->rows[vt->sel].expanded);
}

void
mg_viewtree_left(struct mg_viewtree *vt)
{
	const struct mg_vt_row *r;
	size_t row;

	if (vt->sel == MG_VT_NONE)
		return;
	r = &vt->rows[vt->sel];
	if (r->expanded) {
		mg_viewtree_expand(vt, false);
		return;
	}
	if (r->node->parent == MG_VT_NONE)
		return;
	row = row_of_node(vt, &vt->nodes[r->node->parent]);
	if (row != MG_VT_NONE)
		mg_viewtree_move_to(vt, row);
}

void
mg_viewtree_right(struct mg_viewtree *vt)
{
	const struct mg_vt_row *r;

	if (vt->sel == MG_VT_NONE)
		return;
	r = &vt->rows[vt->sel];
	if (!r->has_children)
		return;
	if (!r->expanded)
		mg_viewtree_expand(vt, true);
	else
		mg_viewtree_move(vt, 1);
}

void
mg_viewtree_expand_all(struct mg_viewtree *vt, bool expand)
{
	size_t i;

	for (i = 0; i < vt->nnodes; i++)
		if (vt->nodes[i].first_child != MG_VT_NONE)
			set_expanded(vt, &vt->nodes[i], expand);
	layout(vt);
}

/* --- filter ---------------------------------------------------------- */

static int
parse_filter(struct term **out, size_t *nout, const char *pattern,
	     struct mg_err *err)
{
	struct term *terms = NULL;
	size_t n = 0, alloc = 0;
	const char *p = pattern ? pattern : "";
	int rc = 0;

	while (*p) {
		const char *end, *colon, *re;
		char *word = NULL;
		struct term t = { F_ANY, false, { 0 } };
		int rerr;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (end = p; *end && !isspace((unsigned char)*end); end++)
			;
		word = mg_xstrndup(p, (size_t)(end - p));
		p = end;
		re = word;
		if (*re == '!') {
			t.neg = true;
			re++;
		}
		colon = strchr(re, ':');
		if (colon) {
			const char *c;
			size_t f, len = (size_t)(colon - re);
			bool letters = len > 0;

			for (c = re; c < colon; c++)
				letters = letters && isalpha((unsigned char)*c);
			if (letters) {
				for (f = 0; f < ARRAY_SIZE(field_names); f++)
					if (strlen(field_names[f]) == len &&
					    !strncmp(field_names[f], re, len))
						break;
				if (f == ARRAY_SIZE(field_names)) {
					rc = mg_err_set(err, MG_EINVAL,
							"filter '%s': unknown field '%.*s' (kind, name, role, status, drain, cell, ns)",
							word, (int)len, re);
					free(word);
					goto out;
				}
				t.field = (enum field)f;
				re = colon + 1;
			}
		}
		rerr = regcomp(&t.re, re, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rerr) {
			char why[128];

			regerror(rerr, &t.re, why, sizeof(why));
			rc = mg_err_set(err, MG_EINVAL, "filter '%s': %s",
					word, why);
			free(word);
			goto out;
		}
		free(word);
		terms = mg_xgrow(terms, sizeof(*terms), n + 1, &alloc);
		terms[n++] = t;
	}
out:
	if (rc) {
		free_terms(terms, n);
		return rc;
	}
	*out = terms;
	*nout = n;
	return 0;
}

int
mg_viewtree_set_filter(struct mg_viewtree *vt, const char *pattern,
		       struct mg_err *err)
{
	struct term *terms = NULL;
	size_t nterms = 0;
	int rc;

	rc = parse_filter(&terms, &nterms, pattern, err);
	if (rc)
		return rc;
	free_terms(vt->terms, vt->nterms);
	vt->terms = terms;
	vt->nterms = nterms;
	free(vt->filter);
	vt->filter = mg_xstrdup(nterms ? pattern : "");
	smap_clear(&vt->flip_filter);
	compute_matches(vt);
	layout(vt);
	/* onto the first match at or after the selection */
	if (vt->nterms && vt->sel != MG_VT_NONE && !vt->rows[vt->sel].node->match)
		for (size_t i = 0; i < vt->nrows; i++) {
			size_t r = (vt->sel + i) % vt->nrows;

			if (vt->rows[r].node->match) {
				mg_viewtree_move_to(vt, r);
				break;
			}
		}
	return 0;
}

const char *
mg_viewtree_filter(const struct mg_viewtree *vt)
{
	return vt->filter;
}

size_t
mg_viewtree_nmatches(const struct mg_viewtree *vt)
{
	return vt->nmatches;
}

bool
mg_viewtree_next_match(struct mg_viewtree *vt, int dir)
{
	size_t i, start;

	if (!vt->nterms || !vt->nmatches)
		return false;
	start = vt->sel == MG_VT_NONE ? 0 : vt->sel;
	for (i = 1; i <= vt->nrows; i++) {
		size_t r = dir >= 0 ? (start + i) % vt->nrows :
				      (start + vt->nrows - i % vt->nrows) %
					      vt->nrows;

		if (vt->rows[r].node->match) {
			mg_viewtree_move_to(vt, r);
			return true;
		}
	}
	return false;
}

/* --- sort and scrolling ---------------------------------------------- */

void
mg_viewtree_set_sort(struct mg_viewtree *vt, enum mg_vt_sort sort,
		     bool reverse)
{
	if ((unsigned)sort >= MG_VT_NSORTS)
		MG_BUG("viewtree: no such sort order");
	vt->sort = sort;
	vt->reverse = reverse;
	if (!vt->nnodes)
		return;
	link_sorted(vt);
	layout(vt);
}

enum mg_vt_sort
mg_viewtree_sort(const struct mg_viewtree *vt, bool *reverse)
{
	if (reverse)
		*reverse = vt->reverse;
	return vt->sort;
}

size_t
mg_viewtree_top(struct mg_viewtree *vt, size_t height)
{
	size_t top = vt->top, margin = height >= 5 ? 1 : 0;

	if (!height || !vt->nrows) {
		vt->top = 0;
		return 0;
	}
	if (vt->sel != MG_VT_NONE) {
		if (vt->sel < top + margin)
			top = vt->sel > margin ? vt->sel - margin : 0;
		else if (vt->sel + margin >= top + height)
			top = vt->sel + margin + 1 - height;
	}
	if (vt->nrows <= height)
		top = 0;
	else if (top > vt->nrows - height)
		top = vt->nrows - height;
	if (top != vt->top) {
		vt->top = top;
		vt->gen++;
	}
	return top;
}

/* --- from a snapshot -------------------------------------------------- */

struct build {
	struct mg_viewtree *vt;
	const struct mg_vt_build_opts *o;
	char key[1024], ref[600];
};

static enum mg_vt_sev
sev_of(const struct build *b, const struct mg_snap_obj *obj)
{
	return b->o->sev ? b->o->sev(b->o->sev_data, obj) : MG_VT_SEV_OK;
}

static long long
age_of(const struct build *b, time_t t)
{
	return t ? (long long)(b->o->now - t) : MG_VT_NA;
}

/* ref of an object the snapshot has (json not NULL), else NULL */
static const char *
ref_of(struct build *b, const struct mg_snap_obj *obj)
{
	if (!obj || !obj->json)
		return NULL;
	snprintf(b->ref, sizeof(b->ref), "%s/%s/%s",
		 mg_snap_kind_name(obj->kind), obj->ns, obj->name);
	return b->ref;
}

static const char *
pod_status(const struct mg_snap_pod *p)
{
	if (p->obj.deleting)
		return "Terminating";
	if (p->waiting_reason)
		return p->waiting_reason;
	return p->obj.phase ? p->obj.phase : "";
}

static void
build_pod(struct build *b, size_t parent, const struct mg_snap_shard *sh,
	  const struct mg_snap_pod *p)
{
	struct mg_vt_item it = MG_VT_ITEM_INIT;

	snprintf(b->key, sizeof(b->key), "Pod/%s/%s", p->obj.ns, p->obj.name);
	it.kind = MG_VT_POD;
	it.key = b->key;
	it.name = p->obj.name;
	it.ns = p->obj.ns;
	it.ref = ref_of(b, &p->obj);
	it.role = p->role_name;
	it.status = pod_status(p);
	it.drain = p->drain == MG_DRAIN_NONE ? NULL :
		   p->drain == MG_DRAIN_UNKNOWN ? p->drain_value :
						  mg_drain_state_name(p->drain);
	it.cell = p->cell;
	it.ready = p->ready;
	it.drift = p->drift == MG_SNAP_DRIFT_YES  ? 1 :
		   p->drift == MG_SNAP_DRIFT_NONE ? 0 :
						    MG_VT_NA;
	it.backup_age = age_of(b, sh->last_backup);
	it.restarts = p->restarts;
	it.age = age_of(b, p->obj.created);
	it.sev = sev_of(b, &p->obj);
	mg_viewtree_add(b->vt, parent, &it);
}

static void
build_shard(struct build *b, size_t parent, const char *prefix,
	    const struct mg_snap_shard *sh)
{
	struct mg_vt_item it = MG_VT_ITEM_INIT;
	char skey[768];
	size_t me, i, j, k;

	snprintf(skey, sizeof(skey), "shard/%s/%s", prefix, sh->name);
	it.kind = MG_VT_SHARD;
	it.key = skey;
	it.name = sh->name;
	it.ns = sh->obj.ns;
	it.ref = ref_of(b, &sh->obj);
	it.status = sh->obj.phase;
	it.backup_age = age_of(b, sh->last_backup);
	it.age = age_of(b, sh->obj.created);
	it.sev = sev_of(b, &sh->obj);
	me = mg_viewtree_add(b->vt, parent, &it);
	for (i = 0; i < sh->npools; i++) {
		const struct mg_snap_pool *pool = sh->pools[i];
		struct mg_vt_item pit = MG_VT_ITEM_INIT;
		size_t pn;

		snprintf(b->key, sizeof(b->key), "pool/%s/%s/%s", prefix,
			 sh->name, pool->name);
		pit.kind = MG_VT_POOL;
		pit.key = b->key;
		pit.name = pool->name;
		pit.ns = sh->obj.ns;
		pn = mg_viewtree_add(b->vt, me, &pit);
		for (j = 0; j < pool->ncells; j++)
			for (k = 0; k < pool->cells[j]->npods; k++)
				build_pod(b, pn, sh, pool->cells[j]->pods[k]);
	}
}

void
mg_viewtree_build(struct mg_viewtree *vt, const struct mg_snap *snap,
		  const struct mg_vt_build_opts *opts)
{
	struct build b;
	struct mg_snap_cluster *const *cl;
	size_t ncl, i, j, k;

	b.vt = vt;
	b.o = opts;
	mg_viewtree_begin(vt);
	cl = mg_snap_clusters(snap, &ncl);
	for (i = 0; i < ncl; i++) {
		const struct mg_snap_cluster *c = cl[i];
		struct mg_vt_item it = MG_VT_ITEM_INIT;
		char ckey[512], name[512];
		size_t cn;

		snprintf(ckey, sizeof(ckey), "cluster/%s/%s", c->ns, c->name);
		snprintf(name, sizeof(name), "%s%s%s",
			 opts->show_ns ? c->ns : "", opts->show_ns ? "/" : "",
			 c->name);
		it.kind = MG_VT_CLUSTER;
		it.key = ckey;
		it.name = name;
		it.ns = c->ns;
		it.ref = ref_of(&b, &c->obj);
		it.status = c->obj.phase;
		it.age = age_of(&b, c->obj.created);
		it.sev = sev_of(&b, &c->obj);
		cn = mg_viewtree_add(vt, MG_VT_NONE, &it);
		for (j = 0; j < c->ncells; j++) {
			const struct mg_snap_cell *cell = c->cells[j];
			struct mg_vt_item cit = MG_VT_ITEM_INIT;

			snprintf(b.key, sizeof(b.key), "cell/%s/%s/%s", c->ns,
				 c->name, cell->name);
			cit.kind = MG_VT_CELL;
			cit.key = b.key;
			cit.name = cell->name;
			cit.ns = c->ns;
			cit.ref = ref_of(&b, &cell->obj);
			cit.status = cell->obj.phase;
			cit.cell = cell->name;
			cit.age = age_of(&b, cell->obj.created);
			cit.sev = sev_of(&b, &cell->obj);
			mg_viewtree_add(vt, cn, &cit);
		}
		for (j = 0; j < c->ntgs; j++) {
			const struct mg_snap_tablegroup *tg = c->tgs[j];
			struct mg_vt_item tit = MG_VT_ITEM_INIT;
			char prefix[512], tname[300];
			size_t tn;

			snprintf(prefix, sizeof(prefix), "%s/%s/%s/%s", c->ns,
				 c->name, tg->database, tg->name);
			snprintf(b.key, sizeof(b.key), "tablegroup/%s", prefix);
			snprintf(tname, sizeof(tname), "%s/%s", tg->database,
				 tg->name);
			tit.kind = MG_VT_TABLEGROUP;
			tit.key = b.key;
			tit.name = tname;
			tit.ns = c->ns;
			tit.ref = ref_of(&b, &tg->obj);
			tit.status = tg->obj.phase;
			tit.age = age_of(&b, tg->obj.created);
			tit.sev = sev_of(&b, &tg->obj);
			tn = mg_viewtree_add(vt, cn, &tit);
			for (k = 0; k < tg->nshards; k++)
				build_shard(&b, tn, prefix, tg->shards[k]);
		}
	}
	mg_viewtree_end(vt);
}
