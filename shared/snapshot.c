/*
 * snapshot.c - objects joined into clusters (see snapshot.h).
 *
 * Inside: one string-keyed hash table per kind ("ns/name" -> object), one
 * for uids, one per logical node level (clusters, cells, table groups,
 * shards, keyed by identity), and one for event groups (the events about
 * one object). Node arrays are kept sorted on insert; they are small (a
 * shard has at most 8 pools of at most 10 cells), so inserting shifts.
 */
#include "snapshot.h"

#include <assert.h>

#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "timeutil.h"
#include "xalloc.h"

/* --- a small string-keyed hash table ------------------------------------ */

struct ht_ent {
	char *key; /* NULL: empty; TOMB: deleted */
	void *val;
	uint32_t hash;
};

struct ht {
	struct ht_ent *e;
	size_t cap;  /* a power of two, or 0 */
	size_t n;    /* live entries */
	size_t used; /* live + tombstones */
};

static char tomb_mark;
#define TOMB (&tomb_mark)

static uint32_t
ht_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static struct ht_ent *
ht_slot(const struct ht *t, const char *key, uint32_t h)
{
	size_t mask = t->cap - 1, i = h & mask;
	struct ht_ent *tomb = NULL;

	for (;;) {
		struct ht_ent *e = &t->e[i];

		if (!e->key)
			return tomb ? tomb : e;
		if (e->key == TOMB) {
			if (!tomb)
				tomb = e;
		} else if (e->hash == h && !strcmp(e->key, key)) {
			return e;
		}
		i = (i + 1) & mask;
	}
}

static void *
ht_get(const struct ht *t, const char *key)
{
	struct ht_ent *e;

	if (!t->cap)
		return NULL;
	e = ht_slot(t, key, ht_hash(key));
	return e->key && e->key != TOMB ? e->val : NULL;
}

static void
ht_resize(struct ht *t, size_t cap)
{
	struct ht_ent *old = t->e;
	size_t oldcap = t->cap, i;

	t->e = mg_xcalloc(cap, sizeof(*t->e));
	t->cap = cap;
	t->used = t->n;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key && old[i].key != TOMB)
			*ht_slot(t, old[i].key, old[i].hash) = old[i];
	}
	free(old);
}

/* Inserts or replaces; the key is copied. */
static void
ht_put(struct ht *t, const char *key, void *val)
{
	uint32_t h = ht_hash(key);
	struct ht_ent *e;

	if ((t->used + 1) * 4 >= t->cap * 3)
		ht_resize(t, t->cap ? (t->n * 2 >= t->cap ? t->cap * 2 : t->cap)
				    : 16);
	e = ht_slot(t, key, h);
	if (e->key && e->key != TOMB) {
		e->val = val;
		return;
	}
	if (!e->key)
		t->used++;
	e->key = mg_xstrdup(key);
	e->hash = h;
	e->val = val;
	t->n++;
}

static void
ht_del(struct ht *t, const char *key)
{
	struct ht_ent *e;

	if (!t->cap)
		return;
	e = ht_slot(t, key, ht_hash(key));
	if (!e->key || e->key == TOMB)
		return;
	free(e->key);
	e->key = TOMB;
	e->val = NULL;
	t->n--;
}

static void
ht_release(struct ht *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		if (t->e[i].key && t->e[i].key != TOMB)
			free(t->e[i].key);
	}
	free(t->e);
	memset(t, 0, sizeof(*t));
}

#define ht_foreach(t, i, v)                                                    \
	for ((i) = 0; (i) < (t)->cap; (i)++)                                   \
		if (((v) = ((t)->e[i].key && (t)->e[i].key != TOMB)           \
				   ? (t)->e[i].val                             \
				   : NULL) != NULL)

/* --- sorted pointer arrays ---------------------------------------------- */

#define SORTED(name, T, cmp)                                                   \
	static void name##_insert(T ***arr, size_t *n, T *x)                   \
	{                                                                      \
		size_t lo = 0, hi = *n;                                        \
		while (lo < hi) {                                              \
			size_t mid = (lo + hi) / 2;                            \
			if (cmp((*arr)[mid], x) <= 0)                          \
				lo = mid + 1;                                  \
			else                                                   \
				hi = mid;                                      \
		}                                                              \
		*arr = mg_xrealloc(*arr, (*n + 1) * sizeof(**arr));            \
		memmove(*arr + lo + 1, *arr + lo, (*n - lo) * sizeof(**arr));  \
		(*arr)[lo] = x;                                                \
		(*n)++;                                                        \
	}                                                                      \
	static void name##_remove(T ***arr, size_t *n, const T *x)             \
	{                                                                      \
		size_t i;                                                      \
		for (i = 0; i < *n; i++) {                                     \
			if ((*arr)[i] == x) {                                  \
				memmove(*arr + i, *arr + i + 1,                \
					(*n - i - 1) * sizeof(**arr));         \
				(*n)--;                                        \
				return;                                        \
			}                                                      \
		}                                                              \
	}

/* Frees a string the public structs show as const. */
static void
freec(const char *p)
{
	free((void *)(uintptr_t)p);
}

static int
strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int
cmp_cluster(const struct mg_snap_cluster *a, const struct mg_snap_cluster *b)
{
	int c = strcmp(a->ns, b->ns);

	return c ? c : strcmp(a->name, b->name);
}

static int
cmp_cell(const struct mg_snap_cell *a, const struct mg_snap_cell *b)
{
	return strcmp(a->name, b->name);
}

static int
cmp_tg(const struct mg_snap_tablegroup *a, const struct mg_snap_tablegroup *b)
{
	int c = strcmp(a->database, b->database);

	return c ? c : strcmp(a->name, b->name);
}

static int
cmp_shard(const struct mg_snap_shard *a, const struct mg_snap_shard *b)
{
	return strcmp(a->name, b->name);
}

static int
cmp_pool(const struct mg_snap_pool *a, const struct mg_snap_pool *b)
{
	return strcmp(a->name, b->name);
}

static int
cmp_pc(const struct mg_snap_poolcell *a, const struct mg_snap_poolcell *b)
{
	return strcmp(a->cell, b->cell);
}

static int
cmp_pod(const struct mg_snap_pod *a, const struct mg_snap_pod *b)
{
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return strcmp(a->obj.name, b->obj.name);
}

static int
cmp_pvc(const struct mg_snap_pvc *a, const struct mg_snap_pvc *b)
{
	return strcmp(a->obj.name, b->obj.name);
}

static int
cmp_orch(const struct mg_snap_deploy *a, const struct mg_snap_deploy *b)
{
	int c = strcmp0(a->cell, b->cell);

	return c ? c : strcmp(a->obj.name, b->obj.name);
}

static int
cmp_deploy(const struct mg_snap_deploy *a, const struct mg_snap_deploy *b)
{
	return strcmp(a->obj.name, b->obj.name);
}

static int
cmp_obj(const struct mg_snap_obj *a, const struct mg_snap_obj *b)
{
	return strcmp(a->name, b->name);
}

SORTED(clusters, struct mg_snap_cluster, cmp_cluster)
SORTED(cells, struct mg_snap_cell, cmp_cell)
SORTED(tgs, struct mg_snap_tablegroup, cmp_tg)
SORTED(shards, struct mg_snap_shard, cmp_shard)
SORTED(pools, struct mg_snap_pool, cmp_pool)
SORTED(pcs, struct mg_snap_poolcell, cmp_pc)
SORTED(pods, struct mg_snap_pod, cmp_pod)
SORTED(pvcs, struct mg_snap_pvc, cmp_pvc)
SORTED(orchs, struct mg_snap_deploy, cmp_orch)
SORTED(deploys, struct mg_snap_deploy, cmp_deploy)
SORTED(objs, struct mg_snap_obj, cmp_obj)

/* --- internal object types ---------------------------------------------- */

struct egroup; /* the events about one object */

struct event_i {
	struct mg_snap_event pub;
	struct egroup *g;
	struct event_i *prev, *next; /* arrival order, for the global cap */
};

struct egroup {
	char *key;
	struct mg_snap_event **evs; /* newest first */
	size_t n;
	struct mg_snap_obj *about;
};

/* Nodes carry the names they were created under (the identity). */
struct cluster_i {
	struct mg_snap_cluster pub;
	char *key;
};

struct cell_i {
	struct mg_snap_cell pub;
	char *key, *ph_name;
};

struct tg_i {
	struct mg_snap_tablegroup pub;
	char *key, *ph_name;
};

struct shard_i {
	struct mg_snap_shard pub;
	char *key, *ph_name;
	long long hash_gen; /* generation the pods' desired hashes are for */
	bool role_seen;     /* the missing-role anomaly was seen by a tick */
	bool primary_seen;  /* the primary anomaly was seen by a tick */
};

struct pc_i {
	struct mg_snap_poolcell pub;
};

struct pod_i {
	struct mg_snap_pod pub;
	long long hash_gen; /* shard generation desired_hash is for; -1 none */
};

struct deploy_i {
	struct mg_snap_deploy pub;
	struct mg_snap_cluster *cluster;
	struct mg_snap_cell *cell;
	struct mg_snap_shard *shard;
};

struct topo_i {
	struct mg_snap_obj pub;
	struct mg_snap_cluster *cluster;
	struct mg_snap_cell *cell;
};

struct mg_snap {
	struct mg_snap_opts opts;
	char *cluster_filter;
	uint64_t version;
	uint64_t last_tick;
	bool ticked;
	struct ht kinds[MG_SNAP_NKINDS]; /* "ns/name" -> object */
	struct ht uids;                  /* uid -> object */
	struct ht nclusters, ncells, ntgs, nshards; /* identity -> node */
	struct ht egroups;               /* involved key -> group */
	struct mg_snap_cluster **clusters;
	size_t nclust;
	struct event_i *ev_head, *ev_tail;
	size_t nevents;
};

/* --- helpers over JSON ---------------------------------------------------- */

static const char *
label(const cJSON *o, const char *key)
{
	const cJSON *l = mg_json_get(o, "metadata.labels");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(l, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *
annotation(const cJSON *o, const char *key)
{
	const cJSON *l = mg_json_get(o, "metadata.annotations");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(l, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static time_t
ptime(const char *s)
{
	time_t t;

	if (!s || !*s || mg_time_parse(s, &t))
		return 0;
	return t;
}

static time_t
jtime(const cJSON *o, const char *path)
{
	return ptime(mg_json_str(o, path));
}

static const char *
nz(const char *s)
{
	return s && *s ? s : NULL;
}

static bool
rv_older(const char *a, const char *b)
{
	char *ea, *eb;
	unsigned long long x, y;

	if (!a || !b || !*a || !*b)
		return false;
	x = strtoull(a, &ea, 10);
	y = strtoull(b, &eb, 10);
	if (*ea || *eb)
		return false;
	return x < y;
}

/* --- kinds ------------------------------------------------------------------ */

static const char *const kind_names[MG_SNAP_NKINDS] = {
	"MultigresCluster", "Cell", "TableGroup", "Shard", "TopoServer",
	"Pod", "PersistentVolumeClaim", "Deployment", "Event",
};

const char *
mg_snap_kind_name(enum mg_snap_kind kind)
{
	return (unsigned)kind < MG_SNAP_NKINDS ? kind_names[kind] : "?";
}

bool
mg_snap_kind_parse(const char *kind, enum mg_snap_kind *out)
{
	size_t i;

	for (i = 0; kind && i < MG_SNAP_NKINDS; i++) {
		if (!strcmp(kind, kind_names[i])) {
			*out = (enum mg_snap_kind)i;
			return true;
		}
	}
	return false;
}

/* --- the common object part ------------------------------------------------ */

static void
obj_release(struct mg_snap_obj *o)
{
	cJSON_Delete(o->json);
	free(o->conds);
	o->json = NULL;
	o->conds = NULL;
	o->nconds = 0;
}

/* Fills the common fields from json (taken over: o owns it from now). */
static void
obj_fill(struct mg_snap_obj *o, cJSON *json)
{
	const cJSON *conds = mg_json_get(json, "status.conditions");
	const cJSON *it, *owners;
	size_t n = 0;
	const char *ns;

	obj_release(o);
	o->json = json;
	ns = mg_json_str(json, "metadata.namespace");
	o->ns = ns ? ns : "";
	o->name = mg_json_str(json, "metadata.name");
	o->uid = nz(mg_json_str(json, "metadata.uid"));
	o->resource_version = mg_json_str(json, "metadata.resourceVersion");
	o->generation = mg_json_int(json, "metadata.generation", 0);
	o->observed_generation =
		mg_json_int(json, "status.observedGeneration", -1);
	o->created = jtime(json, "metadata.creationTimestamp");
	o->deleting = jtime(json, "metadata.deletionTimestamp");
	o->spec_changed = 0;
	mg_json_array_foreach(it, mg_json_get(json, "metadata.managedFields")) {
		const char *sub = mg_json_str(it, "subresource");
		time_t t = jtime(it, "time");

		if ((!sub || strcmp(sub, "status")) && t > o->spec_changed)
			o->spec_changed = t;
	}
	/* often the biggest part of an object, and read by nobody else */
	cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(json, "metadata"),
						"managedFields");
	o->phase = mg_json_str(json, "status.phase");
	o->message = mg_json_str(json, "status.message");
	if (cJSON_IsArray(conds) && cJSON_GetArraySize(conds) > 0) {
		o->conds = mg_xcalloc((size_t)cJSON_GetArraySize(conds),
				      sizeof(*o->conds));
		mg_json_array_foreach(it, conds) {
			struct mg_snap_cond *c = &o->conds[n];

			c->type = mg_json_str(it, "type");
			if (!c->type)
				continue;
			c->status = mg_json_str(it, "status");
			c->reason = mg_json_str(it, "reason");
			c->message = mg_json_str(it, "message");
			c->since = jtime(it, "lastTransitionTime");
			n++;
		}
	}
	o->nconds = n;
	o->owner_kind = o->owner_name = o->owner_uid = NULL;
	owners = mg_json_get(json, "metadata.ownerReferences");
	o->nowners = cJSON_IsArray(owners)
			     ? (size_t)cJSON_GetArraySize(owners) : 0;
	mg_json_array_foreach(it, owners) {
		if (!o->owner_kind || mg_json_bool(it, "controller", false)) {
			o->owner_kind = mg_json_str(it, "kind");
			o->owner_name = mg_json_str(it, "name");
			o->owner_uid = mg_json_str(it, "uid");
		}
	}
}

const struct mg_snap_cond *
mg_snap_cond(const struct mg_snap_obj *obj, const char *type)
{
	size_t i;

	for (i = 0; obj && i < obj->nconds; i++) {
		if (!strcmp(obj->conds[i].type, type))
			return &obj->conds[i];
	}
	return NULL;
}

/* --- change tracking -------------------------------------------------------- */

static void touch_shard(struct mg_snap *s, struct mg_snap_shard *sh);

static void
touch_cluster(struct mg_snap *s, struct mg_snap_cluster *c)
{
	if (c)
		c->changed = c->obj.changed = s->version;
}

static void
touch_cell(struct mg_snap *s, struct mg_snap_cell *c)
{
	if (!c)
		return;
	c->changed = c->obj.changed = s->version;
	touch_cluster(s, c->cluster);
}

static void
touch_tg(struct mg_snap *s, struct mg_snap_tablegroup *tg)
{
	if (!tg)
		return;
	tg->changed = tg->obj.changed = s->version;
	touch_cluster(s, tg->cluster);
}

static void
touch_shard(struct mg_snap *s, struct mg_snap_shard *sh)
{
	if (!sh)
		return;
	sh->changed = sh->obj.changed = s->version;
	touch_tg(s, sh->tg);
}

static void
touch_pc(struct mg_snap *s, struct mg_snap_poolcell *pc)
{
	if (!pc)
		return;
	pc->changed = s->version;
	pc->pool->changed = s->version;
	touch_shard(s, pc->pool->shard);
}

/* Marks obj and everything above it as changed. */
static void
touch_obj(struct mg_snap *s, struct mg_snap_obj *o)
{
	o->changed = s->version;
	switch (o->kind) {
	case MG_SNAP_CLUSTER:
		touch_cluster(s, (struct mg_snap_cluster *)o);
		break;
	case MG_SNAP_CELL:
		touch_cell(s, (struct mg_snap_cell *)o);
		break;
	case MG_SNAP_TABLEGROUP:
		touch_tg(s, (struct mg_snap_tablegroup *)o);
		break;
	case MG_SNAP_SHARD:
		touch_shard(s, (struct mg_snap_shard *)o);
		break;
	case MG_SNAP_POD:
		touch_pc(s, ((struct mg_snap_pod *)o)->pc);
		break;
	case MG_SNAP_PVC: {
		struct mg_snap_pvc *v = (struct mg_snap_pvc *)o;

		touch_pc(s, v->pc);
		touch_shard(s, v->shard);
		break;
	}
	case MG_SNAP_TOPOSERVER: {
		struct topo_i *t = (struct topo_i *)o;

		touch_cell(s, t->cell);
		touch_cluster(s, t->cluster);
		break;
	}
	case MG_SNAP_DEPLOYMENT:
	case MG_SNAP_EVENT:
		break; /* their parents are touched where they are attached */
	}
}

/* --- nodes -------------------------------------------------------------------- */

static char *
mkkey(const char *const *parts, size_t n)
{
	size_t len = 1, i;
	char *k, *p;

	for (i = 0; i < n; i++)
		len += strlen(parts[i] ? parts[i] : "") + 1;
	k = p = mg_xmalloc(len);
	for (i = 0; i < n; i++) {
		size_t l = strlen(parts[i] ? parts[i] : "");

		if (i)
			*p++ = '/';
		memcpy(p, parts[i] ? parts[i] : "", l);
		p += l;
	}
	*p = '\0';
	return k;
}

static void
node_placeholder(struct mg_snap_obj *o, enum mg_snap_kind kind,
		 const char *ns, const char *name)
{
	o->kind = kind;
	o->ns = ns;
	o->name = name;
	o->uid = NULL;
	o->resource_version = NULL;
	o->generation = 0;
	o->observed_generation = -1;
	o->created = o->deleting = o->spec_changed = 0;
	o->phase = o->message = NULL;
	o->owner_kind = o->owner_name = o->owner_uid = NULL;
	o->nowners = 0;
}

static struct mg_snap_cluster *
get_cluster(struct mg_snap *s, const char *ns, const char *name)
{
	const char *parts[] = { ns, name };
	char *key = mkkey(parts, 2);
	struct cluster_i *c = ht_get(&s->nclusters, key);

	if (c) {
		free(key);
		return &c->pub;
	}
	c = mg_xcalloc(1, sizeof(*c));
	c->key = key;
	c->pub.ns = mg_xstrdup(ns);
	c->pub.name = mg_xstrdup(name);
	node_placeholder(&c->pub.obj, MG_SNAP_CLUSTER, c->pub.ns, c->pub.name);
	ht_put(&s->nclusters, key, c);
	clusters_insert(&s->clusters, &s->nclust, &c->pub);
	touch_cluster(s, &c->pub);
	return &c->pub;
}

static struct mg_snap_cell *
get_cell(struct mg_snap *s, const char *ns, const char *cluster,
	 const char *name)
{
	const char *parts[] = { ns, cluster, name };
	char *key = mkkey(parts, 3);
	struct cell_i *c = ht_get(&s->ncells, key);

	if (c) {
		free(key);
		return &c->pub;
	}
	c = mg_xcalloc(1, sizeof(*c));
	c->key = key;
	c->pub.cluster = get_cluster(s, ns, cluster);
	c->pub.name = mg_xstrdup(name);
	if (mg_name_cell_cr(&c->ph_name, cluster, name, NULL))
		c->ph_name = mg_xstrdup(name);
	node_placeholder(&c->pub.obj, MG_SNAP_CELL, c->pub.cluster->ns,
			 c->ph_name);
	c->pub.gateway_replicas = c->pub.gateway_ready = -1;
	ht_put(&s->ncells, key, c);
	cells_insert(&c->pub.cluster->cells, &c->pub.cluster->ncells, &c->pub);
	touch_cell(s, &c->pub);
	return &c->pub;
}

static struct mg_snap_tablegroup *
get_tg(struct mg_snap *s, const char *ns, const char *cluster, const char *db,
       const char *name)
{
	const char *parts[] = { ns, cluster, db, name };
	char *key = mkkey(parts, 4);
	struct tg_i *t = ht_get(&s->ntgs, key);

	if (t) {
		free(key);
		return &t->pub;
	}
	t = mg_xcalloc(1, sizeof(*t));
	t->key = key;
	t->pub.cluster = get_cluster(s, ns, cluster);
	t->pub.database = mg_xstrdup(db);
	t->pub.name = mg_xstrdup(name);
	if (mg_name_tablegroup_cr(&t->ph_name, cluster, db, name, NULL))
		t->ph_name = mg_xstrdup(name);
	node_placeholder(&t->pub.obj, MG_SNAP_TABLEGROUP, t->pub.cluster->ns,
			 t->ph_name);
	t->pub.ready_shards = t->pub.total_shards = -1;
	ht_put(&s->ntgs, key, t);
	tgs_insert(&t->pub.cluster->tgs, &t->pub.cluster->ntgs, &t->pub);
	touch_tg(s, &t->pub);
	return &t->pub;
}

static struct mg_snap_shard *
get_shard(struct mg_snap *s, const char *ns, const char *cluster,
	  const char *db, const char *tg, const char *name)
{
	const char *parts[] = { ns, cluster, db, tg, name };
	char *key = mkkey(parts, 5);
	struct shard_i *sh = ht_get(&s->nshards, key);
	struct mg_name_shard_key nk = { cluster, db, tg, name };

	if (sh) {
		free(key);
		return &sh->pub;
	}
	sh = mg_xcalloc(1, sizeof(*sh));
	sh->key = key;
	sh->hash_gen = -1;
	sh->pub.tg = get_tg(s, ns, cluster, db, tg);
	sh->pub.database = sh->pub.tg->database;
	sh->pub.tablegroup = sh->pub.tg->name;
	sh->pub.name = mg_xstrdup(name);
	if (mg_name_shard_cr(&sh->ph_name, &nk, NULL))
		sh->ph_name = mg_xstrdup(name);
	node_placeholder(&sh->pub.obj, MG_SNAP_SHARD, sh->pub.tg->obj.ns,
			 sh->ph_name);
	/* the table group's ns may point into its JSON: use the cluster's */
	sh->pub.obj.ns = sh->pub.tg->cluster->ns;
	sh->pub.replicas = sh->pub.ready_replicas = -1;
	ht_put(&s->nshards, key, sh);
	shards_insert(&sh->pub.tg->shards, &sh->pub.tg->nshards, &sh->pub);
	touch_shard(s, &sh->pub);
	return &sh->pub;
}

static struct mg_snap_pool *
get_pool(struct mg_snap *s, struct mg_snap_shard *sh, const char *name)
{
	struct mg_snap_pool *p;
	size_t i;

	for (i = 0; i < sh->npools; i++) {
		if (!strcmp(sh->pools[i]->name, name))
			return sh->pools[i];
	}
	p = mg_xcalloc(1, sizeof(*p));
	p->shard = sh;
	p->name = mg_xstrdup(name);
	p->replicas_per_cell = -1;
	pools_insert(&sh->pools, &sh->npools, p);
	p->changed = s->version;
	touch_shard(s, sh);
	return p;
}

static struct mg_snap_poolcell *
get_pc(struct mg_snap *s, struct mg_snap_pool *p, const char *cell)
{
	struct pc_i *pc;
	size_t i;

	for (i = 0; i < p->ncells; i++) {
		if (!strcmp(p->cells[i]->cell, cell))
			return p->cells[i];
	}
	pc = mg_xcalloc(1, sizeof(*pc));
	pc->pub.pool = p;
	pc->pub.cell = mg_xstrdup(cell);
	pc->pub.desired = -1;
	pcs_insert(&p->cells, &p->ncells, &pc->pub);
	touch_pc(s, &pc->pub);
	return &pc->pub;
}

/*
 * Frees nodes that have neither a CR nor anything below them. A pruned
 * pool x cell prunes its pool, a pruned pool does not prune its shard
 * (callers do, once they are done with it); from the shard up, pruning
 * goes all the way.
 */
static void
prune_cluster(struct mg_snap *s, struct mg_snap_cluster *c)
{
	struct cluster_i *ci = (struct cluster_i *)c;

	if (c->obj.json || c->ncells || c->ntgs || c->ntopos || c->ndeploys)
		return;
	ht_del(&s->nclusters, ci->key);
	clusters_remove(&s->clusters, &s->nclust, c);
	free(c->cells);
	free(c->tgs);
	free(c->topos);
	free(c->deploys);
	freec(c->ns);
	freec(c->name);
	free(ci->key);
	free(ci);
}

static void
prune_cell(struct mg_snap *s, struct mg_snap_cell *c)
{
	struct cell_i *ci = (struct cell_i *)c;
	struct mg_snap_cluster *cl = c->cluster;

	if (c->obj.json || c->gateway || c->topo)
		return;
	ht_del(&s->ncells, ci->key);
	cells_remove(&cl->cells, &cl->ncells, c);
	freec(c->name);
	free(ci->ph_name);
	free(ci->key);
	free(ci);
	touch_cluster(s, cl);
	prune_cluster(s, cl);
}

static void
prune_tg(struct mg_snap *s, struct mg_snap_tablegroup *t)
{
	struct tg_i *ti = (struct tg_i *)t;
	struct mg_snap_cluster *cl = t->cluster;

	if (t->obj.json || t->nshards)
		return;
	ht_del(&s->ntgs, ti->key);
	tgs_remove(&cl->tgs, &cl->ntgs, t);
	free(t->shards);
	freec(t->database);
	freec(t->name);
	free(ti->ph_name);
	free(ti->key);
	free(ti);
	touch_cluster(s, cl);
	prune_cluster(s, cl);
}

static void
free_roles(struct mg_snap_shard *sh)
{
	size_t i;

	for (i = 0; i < sh->nroles; i++)
		free(sh->roles[i].pod);
	free(sh->roles);
	sh->roles = NULL;
	sh->nroles = 0;
}

static void
prune_shard(struct mg_snap *s, struct mg_snap_shard *sh)
{
	struct shard_i *si = (struct shard_i *)sh;
	struct mg_snap_tablegroup *tg = sh->tg;

	if (sh->obj.json || sh->npools || sh->norch || sh->backup_pvc)
		return;
	ht_del(&s->nshards, si->key);
	shards_remove(&tg->shards, &tg->nshards, sh);
	free_roles(sh);
	free(sh->pools);
	free(sh->orch);
	freec(sh->name);
	free(si->ph_name);
	free(si->key);
	free(si);
	touch_tg(s, tg);
	prune_tg(s, tg);
}

static void
prune_pool(struct mg_snap *s, struct mg_snap_pool *p)
{
	struct mg_snap_shard *sh = p->shard;

	if (p->spec || p->ncells)
		return;
	pools_remove(&sh->pools, &sh->npools, p);
	free(p->cells);
	freec(p->name);
	free(p);
	touch_shard(s, sh);
}

static void
prune_pc(struct mg_snap *s, struct mg_snap_poolcell *pc)
{
	struct mg_snap_pool *p = pc->pool;

	if (pc->in_spec || pc->npods || pc->npvcs)
		return;
	pcs_remove(&p->cells, &p->ncells, pc);
	free(pc->pods);
	free(pc->pvcs);
	freec(pc->cell);
	free(pc);
	p->changed = s->version;
	touch_shard(s, p->shard);
	prune_pool(s, p);
}

/* --- events --------------------------------------------------------------- */

static void
egroup_publish(struct egroup *g)
{
	if (g->about) {
		g->about->events = g->evs;
		g->about->nevents = g->n;
	}
}

static struct egroup *
egroup_for_obj(struct mg_snap *s, const struct mg_snap_obj *o)
{
	struct egroup *g = NULL;
	char *key;
	const char *parts[3];

	if (o->uid)
		g = ht_get(&s->egroups, o->uid);
	if (g)
		return g;
	parts[0] = mg_snap_kind_name(o->kind);
	parts[1] = o->ns;
	parts[2] = o->name;
	key = mkkey(parts, 3);
	g = ht_get(&s->egroups, key);
	free(key);
	return g;
}

/* An object arrived (or changed name/uid): its events find it. */
static void
events_attach(struct mg_snap *s, struct mg_snap_obj *o)
{
	struct egroup *g = egroup_for_obj(s, o);
	size_t i;

	o->events = NULL;
	o->nevents = 0;
	if (!g)
		return;
	g->about = o;
	for (i = 0; i < g->n; i++)
		g->evs[i]->about = o;
	egroup_publish(g);
}

/* An object leaves: its events stay, about nothing, until capped out. */
static void
events_detach(struct mg_snap *s, struct mg_snap_obj *o)
{
	struct egroup *g = egroup_for_obj(s, o);
	size_t i;

	o->events = NULL;
	o->nevents = 0;
	if (!g || g->about != o)
		return;
	g->about = NULL;
	for (i = 0; i < g->n; i++)
		g->evs[i]->about = NULL;
}

static void event_remove(struct mg_snap *s, struct event_i *e);

/* --- generic object removal from the tables ------------------------------- */

static char *
obj_key(const struct mg_snap_obj *o)
{
	const char *parts[] = { o->ns, o->name };

	return mkkey(parts, 2);
}

static void
tables_add(struct mg_snap *s, struct mg_snap_obj *o)
{
	char *key = obj_key(o);

	ht_put(&s->kinds[o->kind], key, o);
	free(key);
	if (o->uid)
		ht_put(&s->uids, o->uid, o);
}

static void
tables_del(struct mg_snap *s, struct mg_snap_obj *o)
{
	char *key = obj_key(o);

	if (ht_get(&s->kinds[o->kind], key) == o)
		ht_del(&s->kinds[o->kind], key);
	free(key);
	if (o->uid && ht_get(&s->uids, o->uid) == o)
		ht_del(&s->uids, o->uid);
}

/* --- pods ------------------------------------------------------------------ */

static void
pod_role(struct mg_snap_pod *p, const struct mg_snap_shard *sh)
{
	const struct mg_snap_role *prefix = NULL;
	size_t i;

	p->role = MG_DRAIN_ROLE_UNKNOWN;
	p->role_name = NULL;
	for (i = 0; sh && i < sh->nroles; i++) {
		const struct mg_snap_role *r = &sh->roles[i];

		if (strcmp(r->pod, p->obj.name))
			continue;
		if (!strcmp(r->key, p->obj.name)) {
			prefix = r;
			break;
		}
		if (!prefix)
			prefix = r;
	}
	if (prefix) {
		p->role = prefix->role;
		p->role_name = prefix->value;
	}
}

static void
pod_drift(struct mg_snap *s, struct mg_snap_pod *p)
{
	struct pod_i *pi = (struct pod_i *)p;
	const struct mg_snap_shard *sh = p->pc ? p->pc->pool->shard : NULL;

	if (p->obj.deleting) {
		p->drift = MG_SNAP_DRIFT_NONE;
		return;
	}
	if (sh && sh->obj.json && s->opts.desired_hash && p->index >= 0 &&
	    pi->hash_gen != sh->obj.generation) {
		char out[9] = "";

		if (s->opts.desired_hash(s->opts.hash_data, sh->obj.json,
					 p->obj.json, p->pc->pool->name,
					 p->pc->cell, p->index, out) == 0 &&
		    strlen(out) == 8)
			memcpy(p->desired_hash, out, 9);
		else
			p->desired_hash[0] = '\0';
		pi->hash_gen = sh->obj.generation;
	} else if (!sh || !sh->obj.json || !s->opts.desired_hash ||
		   p->index < 0) {
		p->desired_hash[0] = '\0';
		pi->hash_gen = -1;
	}
	if (!p->desired_hash[0])
		p->drift = MG_SNAP_DRIFT_UNKNOWN;
	else if (p->spec_hash && !strcmp(p->spec_hash, p->desired_hash))
		p->drift = MG_SNAP_DRIFT_NONE;
	else
		p->drift = MG_SNAP_DRIFT_YES;
}

static void
pc_recount(struct mg_snap_poolcell *pc)
{
	size_t i;

	pc->nready = pc->nprimary = pc->ndrifted = pc->ndraining = 0;
	pc->nterminating = 0;
	for (i = 0; i < pc->npods; i++) {
		const struct mg_snap_pod *p = pc->pods[i];

		if (p->role == MG_DRAIN_ROLE_PRIMARY)
			pc->nprimary++;
		if (p->obj.deleting) {
			pc->nterminating++;
			continue;
		}
		pc->nready += p->ready;
		pc->ndrifted += p->drift == MG_SNAP_DRIFT_YES;
		pc->ndraining += p->drain != MG_DRAIN_NONE;
	}
}

static void
shard_recount(struct mg_snap_shard *sh)
{
	size_t i, j;

	sh->npods = sh->nready = sh->nprimary = 0;
	sh->ndrifted = sh->ndraining = 0;
	for (i = 0; i < sh->npools; i++) {
		for (j = 0; j < sh->pools[i]->ncells; j++) {
			struct mg_snap_poolcell *pc = sh->pools[i]->cells[j];

			pc_recount(pc);
			sh->npods += pc->npods - pc->nterminating;
			sh->nready += pc->nready;
			sh->nprimary += pc->nprimary;
			sh->ndrifted += pc->ndrifted;
			sh->ndraining += pc->ndraining;
		}
	}
}

/* Links podRoles entries to the pods the snapshot has. */
static void
shard_link_roles(struct mg_snap *s, struct mg_snap_shard *sh)
{
	size_t i;

	for (i = 0; i < sh->nroles; i++) {
		const char *parts[] = { sh->obj.ns, sh->roles[i].pod };
		char *key = mkkey(parts, 2);
		struct mg_snap_pod *p = ht_get(&s->kinds[MG_SNAP_POD], key);

		free(key);
		sh->roles[i].found = p && p->pc && p->pc->pool->shard == sh
					     ? p : NULL;
	}
}

static void
pod_parse(struct mg_snap_pod *p)
{
	const cJSON *j = p->obj.json;
	const char *lists[] = { "status.initContainerStatuses",
				"status.containerStatuses" };
	const cJSON *it;
	size_t l;

	p->component = label(j, MG_LABEL_APP_COMPONENT);
	p->cluster = label(j, MG_LABEL_CLUSTER);
	if (!p->cluster)
		p->cluster = label(j, MG_LABEL_APP_INSTANCE);
	p->database = label(j, MG_LABEL_DATABASE);
	p->tablegroup = label(j, MG_LABEL_TABLEGROUP);
	p->shard_name = label(j, MG_LABEL_SHARD);
	p->pool = label(j, MG_LABEL_POOL);
	p->cell = label(j, MG_LABEL_CELL);
	if (!mg_name_pod_index(p->obj.name, &p->index) || p->index < 0)
		p->index = -1;
	p->node = mg_json_str(j, "spec.nodeName");
	p->scheduled = p->ready = false;
	p->ready_since = 0;
	mg_json_array_foreach(it, mg_json_get(j, "status.conditions")) {
		const char *type = mg_json_str(it, "type");
		const char *st = mg_json_str(it, "status");
		bool on = st && !strcmp(st, "True");

		if (!type)
			continue;
		if (!strcmp(type, "Ready")) {
			p->ready = on;
			p->ready_since = jtime(it, "lastTransitionTime");
		} else if (!strcmp(type, "PodScheduled")) {
			p->scheduled = on;
		}
	}
	p->restarts = 0;
	p->waiting_reason = p->last_term_reason = NULL;
	p->last_term_at = 0;
	p->crashloop = false;
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		mg_json_array_foreach(it, mg_json_get(j, lists[l])) {
			long long rc = mg_json_int(it, "restartCount", 0);
			const char *w = mg_json_str(it, "state.waiting.reason");
			const char *tr =
				mg_json_str(it, "lastState.terminated.reason");
			time_t ta = jtime(it,
					  "lastState.terminated.finishedAt");

			p->restarts += (int)rc;
			if (w && !p->waiting_reason)
				p->waiting_reason = w;
			if (tr && (!p->last_term_reason || ta > p->last_term_at)) {
				p->last_term_reason = tr;
				p->last_term_at = ta;
			}
			if (w && (!strcmp(w, "CrashLoopBackOff") ||
				  !strcmp(w, "OOMKilled") ||
				  !strcmp(w, "ImagePullBackOff")))
				p->crashloop = true;
			if (mg_json_get(it, "state.terminated") && rc >= 3)
				p->crashloop = true;
		}
	}
	if (p->obj.deleting)
		p->crashloop = false;
	p->spec_hash = annotation(j, MG_ANNOT_SPEC_HASH);
	p->drain_value = annotation(j, MG_ANNOT_DRAIN_STATE);
	p->drain = mg_drain_state_parse(p->drain_value);
	p->drain_requested_at = annotation(j, MG_ANNOT_DRAIN_REQUESTED_AT);
	p->drain_since = ptime(p->drain_requested_at);
	if (!p->drain_since && p->drain != MG_DRAIN_NONE)
		p->drain_since = p->obj.deleting;
}

/* The pool x cell a pool pod (or PVC) belongs to, created if need be. */
static struct mg_snap_poolcell *
place(struct mg_snap *s, const struct mg_snap_obj *o, const char *component,
      const char *pool, const char *cell)
{
	const cJSON *j = o->json;
	const char *cluster = label(j, MG_LABEL_CLUSTER);
	const char *db = label(j, MG_LABEL_DATABASE);
	const char *tg = label(j, MG_LABEL_TABLEGROUP);
	const char *shard = label(j, MG_LABEL_SHARD);
	struct mg_snap_shard *sh = NULL;

	if (!component || strcmp(component, MG_COMPONENT_SHARD_POOL) || !pool ||
	    !cell)
		return NULL;
	if (!cluster)
		cluster = label(j, MG_LABEL_APP_INSTANCE);
	if (cluster && db && tg && shard) {
		sh = get_shard(s, o->ns, cluster, db, tg, shard);
	} else if (o->owner_uid && o->owner_kind &&
		   !strcmp(o->owner_kind, "Shard")) {
		struct mg_snap_obj *own = ht_get(&s->uids, o->owner_uid);

		if (own && own->kind == MG_SNAP_SHARD)
			sh = (struct mg_snap_shard *)own;
	}
	if (!sh)
		return NULL;
	return get_pc(s, get_pool(s, sh, pool), cell);
}

static void
pod_unplace(struct mg_snap *s, struct mg_snap_pod *p)
{
	struct mg_snap_poolcell *pc = p->pc;
	struct mg_snap_shard *sh;

	if (!pc)
		return;
	sh = pc->pool->shard;
	touch_pc(s, pc);
	pods_remove(&pc->pods, &pc->npods, p);
	p->pc = NULL;
	shard_link_roles(s, sh);
	shard_recount(sh);
	prune_pc(s, pc);
	prune_shard(s, sh);
}

/* The order of the drain states; NONE and UNKNOWN have none (-1). */
static int
drain_rank(enum mg_drain_state st)
{
	switch (st) {
	case MG_DRAIN_REQUESTED:
		return 1;
	case MG_DRAIN_DRAINING:
		return 2;
	case MG_DRAIN_ACKNOWLEDGED:
		return 3;
	case MG_DRAIN_READY_FOR_DELETION:
		return 4;
	default:
		return -1;
	}
}

static void
pod_apply(struct mg_snap *s, struct mg_snap_pod *p, cJSON *json)
{
	struct mg_snap_poolcell *pc;
	enum mg_drain_state before = p->obj.json ? p->drain : MG_DRAIN_NONE;
	char *uid_before = p->obj.uid ? mg_xstrdup(p->obj.uid) : NULL;

	pod_unplace(s, p);
	obj_fill(&p->obj, json);
	tables_add(s, &p->obj);
	pod_parse(p);
	if (strcmp0(uid_before, p->obj.uid))
		p->drain_backwards = false;
	else if (drain_rank(p->drain) > 0 &&
		 drain_rank(p->drain) < drain_rank(before))
		p->drain_backwards = true;
	free(uid_before);
	pc = place(s, &p->obj, p->component, p->pool, p->cell);
	if (pc) {
		struct mg_snap_shard *sh = pc->pool->shard;

		p->pc = pc;
		pods_insert(&pc->pods, &pc->npods, p);
		pod_role(p, sh);
		pod_drift(s, p);
		shard_link_roles(s, sh);
		shard_recount(sh);
	} else {
		p->role = MG_DRAIN_ROLE_UNKNOWN;
		p->role_name = NULL;
		pod_drift(s, p);
	}
}

/* --- PVCs, Deployments, TopoServers -------------------------------------------- */

static void
pvc_unplace(struct mg_snap *s, struct mg_snap_pvc *v)
{
	if (v->pc) {
		struct mg_snap_poolcell *pc = v->pc;
		struct mg_snap_shard *sh = pc->pool->shard;

		touch_pc(s, pc);
		pvcs_remove(&pc->pvcs, &pc->npvcs, v);
		v->pc = NULL;
		prune_pc(s, pc);
		prune_shard(s, sh);
	}
	if (v->shard) {
		struct mg_snap_shard *sh = v->shard;

		touch_shard(s, sh);
		if (sh->backup_pvc == v)
			sh->backup_pvc = NULL;
		v->shard = NULL;
		prune_shard(s, sh);
	}
}

static void
pvc_apply(struct mg_snap *s, struct mg_snap_pvc *v, cJSON *json)
{
	const cJSON *j;

	pvc_unplace(s, v);
	obj_fill(&v->obj, json);
	tables_add(s, &v->obj);
	j = v->obj.json;
	v->component = label(j, MG_LABEL_APP_COMPONENT);
	v->pool = label(j, MG_LABEL_POOL);
	v->cell = label(j, MG_LABEL_CELL);
	v->capacity = mg_json_str(j, "status.capacity.storage");
	if (!v->capacity)
		v->capacity = mg_json_str(j, "spec.resources.requests.storage");
	v->storage_class = mg_json_str(j, "spec.storageClassName");
	v->orphan_since = label(j, MG_LABEL_ORPHAN_SINCE);
	if (!mg_name_pod_index(v->obj.name, &v->index) || v->index < 0)
		v->index = -1;
	if (v->pool) {
		v->pc = place(s, &v->obj, v->component, v->pool, v->cell);
		if (v->pc)
			pvcs_insert(&v->pc->pvcs, &v->pc->npvcs, v);
	} else if (v->component &&
		   !strcmp(v->component, MG_COMPONENT_SHARD_POOL)) {
		const char *cl = label(j, MG_LABEL_CLUSTER);
		const char *db = label(j, MG_LABEL_DATABASE);
		const char *tg = label(j, MG_LABEL_TABLEGROUP);
		const char *sn = label(j, MG_LABEL_SHARD);

		if (cl && db && tg && sn) {
			v->shard = get_shard(s, v->obj.ns, cl, db, tg, sn);
			v->shard->backup_pvc = v;
		}
	}
}

static void
deploy_detach(struct mg_snap *s, struct mg_snap_deploy *d)
{
	struct deploy_i *di = (struct deploy_i *)d;

	if (di->shard) {
		struct mg_snap_shard *sh = di->shard;

		orchs_remove(&sh->orch, &sh->norch, d);
		di->shard = NULL;
		touch_shard(s, sh);
		prune_shard(s, sh);
	}
	if (di->cell) {
		struct mg_snap_cell *c = di->cell;

		if (c->gateway == d)
			c->gateway = NULL;
		di->cell = NULL;
		touch_cell(s, c);
		prune_cell(s, c);
	}
	if (di->cluster) {
		struct mg_snap_cluster *c = di->cluster;

		deploys_remove(&c->deploys, &c->ndeploys, d);
		di->cluster = NULL;
		touch_cluster(s, c);
		prune_cluster(s, c);
	}
}

static void
deploy_apply(struct mg_snap *s, struct mg_snap_deploy *d, cJSON *json)
{
	const cJSON *j;
	const char *cluster, *comp;

	deploy_detach(s, d);
	obj_fill(&d->obj, json);
	tables_add(s, &d->obj);
	j = d->obj.json;
	comp = d->component = label(j, MG_LABEL_APP_COMPONENT);
	d->cell = label(j, MG_LABEL_CELL);
	d->replicas = (long)mg_json_int(j, "spec.replicas", 1);
	d->ready = (long)mg_json_int(j, "status.readyReplicas", 0);
	d->updated = (long)mg_json_int(j, "status.updatedReplicas", 0);
	d->available = (long)mg_json_int(j, "status.availableReplicas", 0);
	cluster = label(j, MG_LABEL_CLUSTER);
	if (!cluster)
		cluster = label(j, MG_LABEL_APP_INSTANCE);
	if (!cluster || !comp)
		return;
	if (!strcmp(comp, MG_COMPONENT_MULTIORCH)) {
		const char *db = label(j, MG_LABEL_DATABASE);
		const char *tg = label(j, MG_LABEL_TABLEGROUP);
		const char *sn = label(j, MG_LABEL_SHARD);
		struct mg_snap_shard *sh;

		if (!db || !tg || !sn)
			return;
		sh = get_shard(s, d->obj.ns, cluster, db, tg, sn);
		orchs_insert(&sh->orch, &sh->norch, d);
		((struct deploy_i *)d)->shard = sh;
		touch_shard(s, sh);
	} else if (!strcmp(comp, MG_COMPONENT_MULTIGATEWAY) && d->cell) {
		struct mg_snap_cell *c = get_cell(s, d->obj.ns, cluster,
						  d->cell);

		c->gateway = d;
		((struct deploy_i *)d)->cell = c;
		touch_cell(s, c);
	} else {
		struct mg_snap_cluster *c = get_cluster(s, d->obj.ns, cluster);

		deploys_insert(&c->deploys, &c->ndeploys, d);
		((struct deploy_i *)d)->cluster = c;
		touch_cluster(s, c);
	}
}

static void
topo_detach(struct mg_snap *s, struct topo_i *t)
{
	if (t->cell) {
		struct mg_snap_cell *c = t->cell;

		if (c->topo == &t->pub)
			c->topo = NULL;
		t->cell = NULL;
		touch_cell(s, c);
		prune_cell(s, c);
	}
	if (t->cluster) {
		struct mg_snap_cluster *c = t->cluster;

		objs_remove(&c->topos, &c->ntopos, &t->pub);
		t->cluster = NULL;
		touch_cluster(s, c);
		prune_cluster(s, c);
	}
}

static void
topo_apply(struct mg_snap *s, struct topo_i *t, cJSON *json)
{
	const cJSON *j;
	const char *cluster, *cell;

	topo_detach(s, t);
	obj_fill(&t->pub, json);
	tables_add(s, &t->pub);
	j = t->pub.json;
	cluster = label(j, MG_LABEL_CLUSTER);
	if (!cluster)
		cluster = label(j, MG_LABEL_APP_INSTANCE);
	cell = label(j, MG_LABEL_CELL);
	if (!cell && t->pub.owner_kind && !strcmp(t->pub.owner_kind, "Cell")) {
		const struct mg_snap_obj *own =
			t->pub.owner_uid ? ht_get(&s->uids, t->pub.owner_uid)
					 : NULL;

		if (own && own->kind == MG_SNAP_CELL) {
			const struct mg_snap_cell *oc =
				(const struct mg_snap_cell *)own;

			cell = oc->name;
			if (!cluster)
				cluster = oc->cluster->name;
		}
	}
	if (!cluster && t->pub.owner_kind &&
	    !strcmp(t->pub.owner_kind, "MultigresCluster"))
		cluster = t->pub.owner_name;
	if (!cluster)
		return;
	t->cluster = get_cluster(s, t->pub.ns, cluster);
	objs_insert(&t->cluster->topos, &t->cluster->ntopos, &t->pub);
	if (cell) {
		t->cell = get_cell(s, t->pub.ns, cluster, cell);
		t->cell->topo = &t->pub;
	}
}

/* --- CR nodes -------------------------------------------------------------------- */

/* The cluster name a CR or child names, from labels or the owner. */
static const char *
obj_cluster(const struct mg_snap *s, const struct mg_snap_obj *o)
{
	const char *c = label(o->json, MG_LABEL_CLUSTER);

	if (!c)
		c = label(o->json, MG_LABEL_APP_INSTANCE);
	if (!c && o->owner_kind) {
		const struct mg_snap_obj *own =
			o->owner_uid ? ht_get(&s->uids, o->owner_uid) : NULL;

		if (!strcmp(o->owner_kind, "MultigresCluster"))
			c = o->owner_name;
		else if (own && own->kind == MG_SNAP_TABLEGROUP)
			c = ((const struct mg_snap_tablegroup *)own)
				    ->cluster->name;
		else if (own && own->kind == MG_SNAP_CELL)
			c = ((const struct mg_snap_cell *)own)->cluster->name;
	}
	return c ? c : "";
}

/*
 * Takes the CR off its node (out of the tables, its events detached, its
 * JSON freed): the node becomes a placeholder again. Nothing is pruned.
 */
static void
cr_unfill(struct mg_snap *s, struct mg_snap_obj *o)
{
	events_detach(s, o);
	tables_del(s, o);
	obj_release(o);
	switch (o->kind) {
	case MG_SNAP_CLUSTER: {
		struct mg_snap_cluster *c = (struct mg_snap_cluster *)o;

		node_placeholder(o, o->kind, c->ns, c->name);
		touch_cluster(s, c);
		break;
	}
	case MG_SNAP_CELL: {
		struct cell_i *c = (struct cell_i *)o;

		node_placeholder(o, o->kind, c->pub.cluster->ns, c->ph_name);
		c->pub.zone = c->pub.region = NULL;
		c->pub.gateway_replicas = c->pub.gateway_ready = -1;
		touch_cell(s, &c->pub);
		break;
	}
	case MG_SNAP_TABLEGROUP: {
		struct tg_i *t = (struct tg_i *)o;

		node_placeholder(o, o->kind, t->pub.cluster->ns, t->ph_name);
		t->pub.ready_shards = t->pub.total_shards = -1;
		touch_tg(s, &t->pub);
		break;
	}
	case MG_SNAP_SHARD: {
		struct shard_i *si = (struct shard_i *)o;
		struct mg_snap_shard *sh = &si->pub;
		size_t i, j, k;

		node_placeholder(o, o->kind, sh->tg->cluster->ns, si->ph_name);
		free_roles(sh);
		sh->last_backup = 0;
		sh->last_backup_type = NULL;
		sh->replicas = sh->ready_replicas = -1;
		sh->orch_ready = sh->pools_ready = false;
		sh->available = sh->rolling = sh->backup = NULL;
		sh->ready_for_deletion = NULL;
		sh->pending_deletion = 0;
		si->hash_gen = -1;
		for (i = 0; i < sh->npools; i++) {
			struct mg_snap_pool *p = sh->pools[i];

			p->spec = NULL;
			p->replicas_per_cell = -1;
			for (j = 0; j < p->ncells; j++) {
				struct mg_snap_poolcell *pc = p->cells[j];

				pc->in_spec = false;
				pc->desired = -1;
				for (k = 0; k < pc->npods; k++) {
					pod_role(pc->pods[k], sh);
					pod_drift(s, pc->pods[k]);
				}
			}
		}
		shard_recount(sh);
		touch_shard(s, sh);
		break;
	}
	default:
		MG_BUG("cr_unfill: not a node kind");
	}
}

/* Prunes the pool x cells and pools of a shard that are empty and not in
 * its spec (the shard itself stays). */
static void
shard_prune_pools(struct mg_snap *s, struct mg_snap_shard *sh)
{
	size_t i, j;

	for (i = sh->npools; i-- > 0;) {
		struct mg_snap_pool *p = sh->pools[i];

		/* pruning the last pool x cell frees the pool: stop there */
		for (j = p->ncells; j-- > 0;)
			prune_pc(s, p->cells[j]);
	}
	for (i = sh->npools; i-- > 0;)
		prune_pool(s, sh->pools[i]);
}

/* cr_unfill, then prunes what is left empty. */
static void
cr_detach(struct mg_snap *s, struct mg_snap_obj *o)
{
	cr_unfill(s, o);
	switch (o->kind) {
	case MG_SNAP_CLUSTER:
		prune_cluster(s, (struct mg_snap_cluster *)o);
		break;
	case MG_SNAP_CELL:
		prune_cell(s, (struct mg_snap_cell *)o);
		break;
	case MG_SNAP_TABLEGROUP:
		prune_tg(s, (struct mg_snap_tablegroup *)o);
		break;
	case MG_SNAP_SHARD:
		shard_prune_pools(s, (struct mg_snap_shard *)o);
		prune_shard(s, (struct mg_snap_shard *)o);
		break;
	default:
		MG_BUG("cr_detach: not a node kind");
	}
}

static void
shard_parse(struct mg_snap *s, struct mg_snap_shard *sh)
{
	struct shard_i *si = (struct shard_i *)sh;
	const cJSON *j = sh->obj.json;
	const cJSON *pools = mg_json_get(j, "spec.pools");
	const cJSON *roles = mg_json_get(j, "status.podRoles");
	const cJSON *it;
	size_t i, k, n = 0;
	bool gen_changed = si->hash_gen != sh->obj.generation;

	sh->last_backup = jtime(j, "status.lastBackupTime");
	sh->last_backup_type = mg_json_str(j, "status.lastBackupType");
	sh->replicas = (long)mg_json_int(j, "spec.replicas", -1);
	sh->ready_replicas = (long)mg_json_int(j, "status.readyReplicas", -1);
	sh->orch_ready = mg_json_bool(j, "status.orchReady", false);
	sh->pools_ready = mg_json_bool(j, "status.poolsReady", false);
	sh->available = mg_snap_cond(&sh->obj, "Available");
	sh->rolling = mg_snap_cond(&sh->obj, "RollingUpdate");
	sh->backup = mg_snap_cond(&sh->obj, "BackupHealthy");
	sh->ready_for_deletion = mg_snap_cond(&sh->obj, "ReadyForDeletion");
	sh->pending_deletion =
		ptime(annotation(j, MG_ANNOT_PENDING_DELETION));
	/* podRoles, sorted by key */
	free_roles(sh);
	if (cJSON_IsObject(roles) && cJSON_GetArraySize(roles) > 0) {
		sh->roles = mg_xcalloc((size_t)cJSON_GetArraySize(roles),
				       sizeof(*sh->roles));
		cJSON_ArrayForEach(it, roles) {
			struct mg_snap_role r;
			const char *dot;

			if (!it->string || !cJSON_IsString(it))
				continue;
			r.key = it->string;
			dot = strchr(r.key, '.');
			r.pod = dot ? mg_xstrndup(r.key, (size_t)(dot - r.key))
				    : mg_xstrdup(r.key);
			r.value = it->valuestring;
			r.role = mg_drain_role_parse(r.value);
			r.found = NULL;
			for (k = n; k > 0 && strcmp(sh->roles[k - 1].key,
						    r.key) > 0; k--)
				sh->roles[k] = sh->roles[k - 1];
			sh->roles[k] = r;
			n++;
		}
	}
	sh->nroles = n;
	/* pools from the spec */
	for (i = 0; i < sh->npools; i++) {
		sh->pools[i]->spec = NULL;
		sh->pools[i]->replicas_per_cell = -1;
		for (k = 0; k < sh->pools[i]->ncells; k++) {
			sh->pools[i]->cells[k]->in_spec = false;
			sh->pools[i]->cells[k]->desired = -1;
		}
	}
	if (!cJSON_IsObject(pools))
		pools = NULL;
	cJSON_ArrayForEach(it, pools) {
		struct mg_snap_pool *p;
		const cJSON *c;

		if (!it->string)
			continue;
		p = get_pool(s, sh, it->string);
		p->spec = it;
		p->replicas_per_cell =
			(long)mg_json_int(it, "replicasPerCell", 1);
		cJSON_ArrayForEach(c, mg_json_get(it, "cells")) {
			struct mg_snap_poolcell *pc;

			if (!cJSON_IsString(c))
				continue;
			pc = get_pc(s, p, c->valuestring);
			pc->in_spec = true;
			pc->desired = p->replicas_per_cell;
		}
	}
	/* roles and drift of the pods, then prune what left the spec */
	if (gen_changed)
		si->hash_gen = sh->obj.generation;
	for (i = 0; i < sh->npools; i++) {
		struct mg_snap_pool *p = sh->pools[i];

		for (k = 0; k < p->ncells; k++) {
			struct mg_snap_poolcell *pc = p->cells[k];
			size_t m;

			for (m = 0; m < pc->npods; m++) {
				pod_role(pc->pods[m], sh);
				pod_drift(s, pc->pods[m]);
			}
		}
	}
	shard_link_roles(s, sh);
	shard_recount(sh);
	shard_prune_pools(s, sh);
}

/* The node of a CR's identity, created if need be. */
static struct mg_snap_obj *
cr_attach(struct mg_snap *s, enum mg_snap_kind kind, cJSON *json)
{
	struct mg_snap_obj tmp = { 0 };
	struct mg_snap_obj *node = NULL;
	const char *cluster, *ns;

	/* a throwaway parse for identity (owner, labels) */
	tmp.kind = kind;
	tmp.json = json;
	ns = mg_json_str(json, "metadata.namespace");
	ns = ns ? ns : "";
	tmp.owner_kind = tmp.owner_name = tmp.owner_uid = NULL;
	{
		const cJSON *it;

		mg_json_array_foreach(it,
				      mg_json_get(json,
						  "metadata.ownerReferences")) {
			if (!tmp.owner_kind ||
			    mg_json_bool(it, "controller", false)) {
				tmp.owner_kind = mg_json_str(it, "kind");
				tmp.owner_name = mg_json_str(it, "name");
				tmp.owner_uid = mg_json_str(it, "uid");
			}
		}
	}
	switch (kind) {
	case MG_SNAP_CLUSTER:
		node = &get_cluster(s, ns, mg_json_str(json, "metadata.name"))
				->obj;
		break;
	case MG_SNAP_CELL: {
		const char *name = nz(mg_json_str(json, "spec.name"));

		cluster = obj_cluster(s, &tmp);
		if (!name)
			name = label(json, MG_LABEL_CELL);
		if (!name)
			name = mg_json_str(json, "metadata.name");
		node = &get_cell(s, ns, cluster, name)->obj;
		break;
	}
	case MG_SNAP_TABLEGROUP: {
		const char *db = nz(mg_json_str(json, "spec.databaseName"));
		const char *tg = nz(mg_json_str(json, "spec.tableGroupName"));

		cluster = obj_cluster(s, &tmp);
		if (!db)
			db = label(json, MG_LABEL_DATABASE);
		if (!tg)
			tg = label(json, MG_LABEL_TABLEGROUP);
		if (!tg)
			tg = mg_json_str(json, "metadata.name");
		node = &get_tg(s, ns, cluster, db ? db : "", tg)->obj;
		break;
	}
	case MG_SNAP_SHARD: {
		const char *db = nz(mg_json_str(json, "spec.databaseName"));
		const char *tg = nz(mg_json_str(json, "spec.tableGroupName"));
		const char *sn = nz(mg_json_str(json, "spec.shardName"));

		cluster = obj_cluster(s, &tmp);
		if (!db)
			db = label(json, MG_LABEL_DATABASE);
		if (!tg)
			tg = label(json, MG_LABEL_TABLEGROUP);
		if (!sn)
			sn = label(json, MG_LABEL_SHARD);
		if (!sn)
			sn = mg_json_str(json, "metadata.name");
		node = &get_shard(s, ns, cluster, db ? db : "", tg ? tg : "",
				  sn)->obj;
		break;
	}
	default:
		MG_BUG("cr_attach: not a node kind");
	}
	return node;
}

static void
cr_fill(struct mg_snap *s, struct mg_snap_obj *node, cJSON *json)
{
	obj_fill(node, json);
	tables_add(s, node);
	events_attach(s, node);
	switch (node->kind) {
	case MG_SNAP_CLUSTER:
		touch_cluster(s, (struct mg_snap_cluster *)node);
		break;
	case MG_SNAP_CELL: {
		struct mg_snap_cell *c = (struct mg_snap_cell *)node;

		c->zone = mg_json_str(json, "spec.zoneId");
		c->region = mg_json_str(json, "spec.region");
		c->gateway_replicas =
			(long)mg_json_int(json, "status.gatewayReplicas", -1);
		c->gateway_ready = (long)mg_json_int(
			json, "status.gatewayReadyReplicas", -1);
		touch_cell(s, c);
		break;
	}
	case MG_SNAP_TABLEGROUP: {
		struct mg_snap_tablegroup *t =
			(struct mg_snap_tablegroup *)node;

		t->ready_shards =
			(long)mg_json_int(json, "status.readyShards", -1);
		t->total_shards =
			(long)mg_json_int(json, "status.totalShards", -1);
		touch_tg(s, t);
		break;
	}
	case MG_SNAP_SHARD:
		shard_parse(s, (struct mg_snap_shard *)node);
		touch_shard(s, (struct mg_snap_shard *)node);
		break;
	default:
		MG_BUG("cr_fill: not a node kind");
	}
}

/* --- events ------------------------------------------------------------------- */

static char *
event_group_key(const cJSON *j)
{
	const char *uid = nz(mg_json_str(j, "involvedObject.uid"));
	const char *parts[3];

	if (uid)
		return mg_xstrdup(uid);
	parts[0] = mg_json_str(j, "involvedObject.kind");
	parts[1] = mg_json_str(j, "involvedObject.namespace");
	parts[2] = mg_json_str(j, "involvedObject.name");
	return mkkey(parts, 3);
}

static int
cmp_ev(const struct mg_snap_event *a, const struct mg_snap_event *b)
{
	if (a->last != b->last)
		return a->last > b->last ? -1 : 1;
	return strcmp(a->obj.name, b->obj.name);
}

static void
egroup_sort(struct egroup *g)
{
	size_t i, k;

	for (i = 1; i < g->n; i++) {
		struct mg_snap_event *e = g->evs[i];

		for (k = i; k > 0 && cmp_ev(g->evs[k - 1], e) > 0; k--)
			g->evs[k] = g->evs[k - 1];
		g->evs[k] = e;
	}
}

static void
event_unlink(struct mg_snap *s, struct event_i *e)
{
	struct egroup *g = e->g;
	size_t i;

	if (e->prev)
		e->prev->next = e->next;
	else
		s->ev_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		s->ev_tail = e->prev;
	e->prev = e->next = NULL;
	s->nevents--;
	if (!g)
		return;
	for (i = 0; i < g->n; i++) {
		if (g->evs[i] == &e->pub) {
			memmove(g->evs + i, g->evs + i + 1,
				(g->n - i - 1) * sizeof(*g->evs));
			g->n--;
			break;
		}
	}
	e->g = NULL;
	if (g->about)
		touch_obj(s, g->about);
	egroup_publish(g);
	if (!g->n) {
		if (g->about) {
			g->about->events = NULL;
			g->about->nevents = 0;
		}
		ht_del(&s->egroups, g->key);
		free(g->evs);
		free(g->key);
		free(g);
	}
}

static void
event_remove(struct mg_snap *s, struct event_i *e)
{
	tables_del(s, &e->pub.obj);
	event_unlink(s, e);
	obj_release(&e->pub.obj);
	free(e);
}

static void
event_parse(struct mg_snap_event *e)
{
	const cJSON *j = e->obj.json;

	e->type = mg_json_str(j, "type");
	e->reason = mg_json_str(j, "reason");
	e->note = mg_json_str(j, "message");
	e->count = (long)mg_json_int(j, "count", 0);
	if (e->count <= 0)
		e->count = (long)mg_json_int(j, "series.count", 1);
	e->first = jtime(j, "firstTimestamp");
	if (!e->first)
		e->first = jtime(j, "eventTime");
	e->last = jtime(j, "lastTimestamp");
	if (!e->last)
		e->last = jtime(j, "series.lastObservedTime");
	if (!e->last)
		e->last = e->first;
	e->involved_kind = mg_json_str(j, "involvedObject.kind");
	e->involved_ns = mg_json_str(j, "involvedObject.namespace");
	e->involved_name = mg_json_str(j, "involvedObject.name");
	e->involved_uid = nz(mg_json_str(j, "involvedObject.uid"));
}

/* The object an event is about, when the snapshot keeps it. */
static struct mg_snap_obj *
event_about(const struct mg_snap *s, const struct mg_snap_event *e)
{
	struct mg_snap_obj *o = NULL;
	enum mg_snap_kind k;

	if (e->involved_uid)
		o = ht_get(&s->uids, e->involved_uid);
	if (!o && e->involved_kind && e->involved_name &&
	    mg_snap_kind_parse(e->involved_kind, &k)) {
		const char *parts[] = { e->involved_ns ? e->involved_ns : "",
					e->involved_name };
		char *key = mkkey(parts, 2);

		o = ht_get(&s->kinds[k], key);
		free(key);
		/* a node placeholder is not the object */
		if (o && !o->json)
			o = NULL;
	}
	return o;
}

static void
event_apply(struct mg_snap *s, struct event_i *e, cJSON *json)
{
	struct egroup *g;
	struct mg_snap_obj *about;
	char *gkey;
	size_t cap = s->opts.events_per_object;

	if (e->g)
		event_unlink(s, e);
	obj_fill(&e->pub.obj, json);
	tables_add(s, &e->pub.obj);
	event_parse(&e->pub);
	about = event_about(s, &e->pub);
	e->pub.about = about;
	gkey = about && about->uid ? mg_xstrdup(about->uid)
				   : event_group_key(json);
	g = ht_get(&s->egroups, gkey);
	if (!g) {
		g = mg_xcalloc(1, sizeof(*g));
		g->key = gkey;
		ht_put(&s->egroups, gkey, g);
	} else {
		free(gkey);
	}
	g->about = about;
	g->evs = mg_xrealloc(g->evs, (g->n + 1) * sizeof(*g->evs));
	g->evs[g->n++] = &e->pub;
	e->g = g;
	egroup_sort(g);
	/* arrival order */
	e->prev = s->ev_tail;
	e->next = NULL;
	if (s->ev_tail)
		s->ev_tail->next = e;
	else
		s->ev_head = e;
	s->ev_tail = e;
	s->nevents++;
	egroup_publish(g);
	if (g->about)
		touch_obj(s, g->about);
	while (g->n > cap) {
		struct event_i *old = (struct event_i *)g->evs[g->n - 1];

		event_remove(s, old);
		if (old == e)
			return;
	}
}

/* --- apply ------------------------------------------------------------------ */

/* The cluster an incoming object belongs to, for opts.cluster. */
static bool
wanted(const struct mg_snap *s, enum mg_snap_kind kind, const cJSON *json)
{
	const char *c;

	if (!s->cluster_filter)
		return true;
	if (kind == MG_SNAP_CLUSTER)
		c = mg_json_str(json, "metadata.name");
	else if (kind == MG_SNAP_EVENT)
		return true; /* no labels: kept, attached if its object is */
	else {
		c = label(json, MG_LABEL_CLUSTER);
		if (!c)
			c = label(json, MG_LABEL_APP_INSTANCE);
		if (!c) {
			const cJSON *it;

			mg_json_array_foreach(it, mg_json_get(json,
				"metadata.ownerReferences")) {
				const char *k = mg_json_str(it, "kind");

				if (k && !strcmp(k, "MultigresCluster"))
					c = mg_json_str(it, "name");
			}
		}
	}
	return c && !strcmp(c, s->cluster_filter);
}

static size_t
kind_size(enum mg_snap_kind kind)
{
	switch (kind) {
	case MG_SNAP_POD:
		return sizeof(struct pod_i);
	case MG_SNAP_PVC:
		return sizeof(struct mg_snap_pvc);
	case MG_SNAP_DEPLOYMENT:
		return sizeof(struct deploy_i);
	case MG_SNAP_EVENT:
		return sizeof(struct event_i);
	case MG_SNAP_TOPOSERVER:
		return sizeof(struct topo_i);
	default:
		MG_BUG("kind_size: a node kind");
	}
}

/* Removes a leaf object (not a CR node) completely. */
static void
leaf_delete(struct mg_snap *s, struct mg_snap_obj *o)
{
	switch (o->kind) {
	case MG_SNAP_POD: {
		struct mg_snap_pod *p = (struct mg_snap_pod *)o;

		events_detach(s, o);
		tables_del(s, o);
		pod_unplace(s, p);
		break;
	}
	case MG_SNAP_PVC:
		events_detach(s, o);
		tables_del(s, o);
		pvc_unplace(s, (struct mg_snap_pvc *)o);
		break;
	case MG_SNAP_DEPLOYMENT:
		events_detach(s, o);
		tables_del(s, o);
		deploy_detach(s, (struct mg_snap_deploy *)o);
		break;
	case MG_SNAP_TOPOSERVER:
		events_detach(s, o);
		tables_del(s, o);
		topo_detach(s, (struct topo_i *)o);
		break;
	case MG_SNAP_EVENT:
		event_remove(s, (struct event_i *)o);
		return;
	default:
		MG_BUG("leaf_delete: a node kind");
	}
	obj_release(o);
	free(o);
}

int
mg_snap_apply(struct mg_snap *s, enum mg_snap_kind kind, enum mg_snap_op op,
	      const cJSON *obj, struct mg_err *err)
{
	const char *name, *ns;
	char *key;
	struct mg_snap_obj *old;
	cJSON *json;

	if ((unsigned)kind >= MG_SNAP_NKINDS)
		return mg_err_set(err, MG_EINVAL, "snapshot: unknown kind %d",
				  (int)kind);
	if (!cJSON_IsObject(obj))
		return mg_err_set(err, MG_EINVAL,
				  "snapshot: a %s that is not a JSON object",
				  mg_snap_kind_name(kind));
	name = mg_json_str(obj, "metadata.name");
	if (!name || !*name)
		return mg_err_set(err, MG_EINVAL,
				  "snapshot: a %s without metadata.name",
				  mg_snap_kind_name(kind));
	ns = mg_json_str(obj, "metadata.namespace");
	{
		const char *parts[] = { ns ? ns : "", name };

		key = mkkey(parts, 2);
	}
	old = ht_get(&s->kinds[kind], key);
	free(key);
	if (op == MG_SNAP_DELETED) {
		if (!old)
			return 0;
		s->version++;
		if (kind <= MG_SNAP_SHARD)
			cr_detach(s, old);
		else
			leaf_delete(s, old);
		return 0;
	}
	if (old && old->resource_version &&
	    (rv_older(mg_json_str(obj, "metadata.resourceVersion"),
		      old->resource_version) ||
	     (op == MG_SNAP_MODIFIED &&
	      !strcmp0(mg_json_str(obj, "metadata.resourceVersion"),
		       old->resource_version))))
		return 0;
	if (!old && !wanted(s, kind, obj))
		return 0;
	if (old && !wanted(s, kind, obj)) {
		s->version++;
		if (kind <= MG_SNAP_SHARD)
			cr_detach(s, old);
		else
			leaf_delete(s, old);
		return 0;
	}
	s->version++;
	json = cJSON_Duplicate(obj, 1);
	if (!json)
		MG_BUG("cJSON_Duplicate: out of memory");
	if (kind <= MG_SNAP_SHARD) {
		struct mg_snap_obj *node = cr_attach(s, kind, json);

		if (old == node) {
			/* the same identity: refilled in place, so that the
			 * node keeps its children and memory */
			events_detach(s, node);
			tables_del(s, node);
		} else {
			/* moved (its labels changed): the old node lets go;
			 * pruning it cannot reach `node`, which has parents
			 * of its own */
			if (old)
				cr_detach(s, old);
			/* another CR held this identity: it loses it */
			if (node->json)
				cr_unfill(s, node);
		}
		cr_fill(s, node, json);
		return 0;
	}
	if (!old) {
		old = mg_xcalloc(1, kind_size(kind));
		old->kind = kind;
		if (kind == MG_SNAP_POD)
			((struct pod_i *)old)->hash_gen = -1;
	} else {
		events_detach(s, old);
		tables_del(s, old);
	}
	switch (kind) {
	case MG_SNAP_POD:
		((struct pod_i *)old)->hash_gen = -1;
		pod_apply(s, (struct mg_snap_pod *)old, json);
		break;
	case MG_SNAP_PVC:
		pvc_apply(s, (struct mg_snap_pvc *)old, json);
		break;
	case MG_SNAP_DEPLOYMENT:
		deploy_apply(s, (struct mg_snap_deploy *)old, json);
		break;
	case MG_SNAP_TOPOSERVER:
		topo_apply(s, (struct topo_i *)old, json);
		break;
	case MG_SNAP_EVENT:
		event_apply(s, (struct event_i *)old, json);
		while (s->nevents > s->opts.events_max && s->ev_head)
			event_remove(s, s->ev_head);
		return 0;
	default:
		MG_BUG("mg_snap_apply: kind");
	}
	events_attach(s, old);
	touch_obj(s, old);
	return 0;
}

/* --- tick ------------------------------------------------------------------- */

/* The latest sign of change among a shard's pods. */
static time_t
shard_evidence(const struct mg_snap_shard *sh)
{
	time_t t = 0;
	size_t i, j, k;

	for (i = 0; i < sh->npools; i++) {
		for (j = 0; j < sh->pools[i]->ncells; j++) {
			const struct mg_snap_poolcell *pc =
				sh->pools[i]->cells[j];

			for (k = 0; k < pc->npods; k++) {
				const struct mg_snap_pod *p = pc->pods[k];

				if (p->obj.created > t)
					t = p->obj.created;
				if (p->ready_since > t)
					t = p->ready_since;
				if (p->obj.deleting > t)
					t = p->obj.deleting;
				if (p->last_term_at > t)
					t = p->last_term_at;
			}
		}
	}
	return t;
}

void
mg_snap_tick(struct mg_snap *s, time_t now)
{
	size_t i, k;
	struct shard_i *si;

	ht_foreach(&s->nshards, i, si) {
		struct mg_snap_shard *sh = &si->pub;
		bool missing = false;

		if (s->ticked && sh->changed <= s->last_tick)
			continue;
		if (sh->nprimary == 1) {
			sh->primary_issue_since = 0;
			si->primary_seen = false;
		} else if (!si->primary_seen) {
			sh->primary_issue_since =
				s->ticked ? now : shard_evidence(sh);
			si->primary_seen = true;
		}
		for (k = 0; k < sh->nroles; k++)
			missing |= !sh->roles[k].found;
		if (!missing) {
			sh->missing_role_since = 0;
			si->role_seen = false;
		} else if (!si->role_seen) {
			sh->missing_role_since = s->ticked ? now : 0;
			si->role_seen = true;
		}
	}
	s->ticked = true;
	s->last_tick = s->version;
}

/* --- life cycle and accessors ------------------------------------------------ */

struct mg_snap *
mg_snap_new(const struct mg_snap_opts *opts)
{
	struct mg_snap *s = mg_xcalloc(1, sizeof(*s));

	if (opts)
		s->opts = *opts;
	if (!s->opts.events_per_object)
		s->opts.events_per_object = 20;
	if (!s->opts.events_max)
		s->opts.events_max = 10000;
	if (s->opts.cluster)
		s->cluster_filter = mg_xstrdup(s->opts.cluster);
	s->opts.cluster = s->cluster_filter;
	return s;
}

/* Every kept object of a kind, in an array the caller frees. */
static struct mg_snap_obj **
kind_objs(const struct mg_snap *s, enum mg_snap_kind k, size_t *n)
{
	struct mg_snap_obj **v = mg_xcalloc(s->kinds[k].n + 1, sizeof(*v));
	size_t i;
	void *o;

	*n = 0;
	ht_foreach(&s->kinds[k], i, o)
		v[(*n)++] = o;
	return v;
}

void
mg_snap_free(struct mg_snap *s)
{
	static const enum mg_snap_kind leaves[] = {
		MG_SNAP_POD, MG_SNAP_PVC, MG_SNAP_DEPLOYMENT,
		MG_SNAP_TOPOSERVER,
	};
	/* children before parents, so that pruning frees every node */
	static const enum mg_snap_kind nodes[] = {
		MG_SNAP_SHARD, MG_SNAP_TABLEGROUP, MG_SNAP_CELL,
		MG_SNAP_CLUSTER,
	};
	size_t k, i, n;

	if (!s)
		return;
	while (s->ev_head)
		event_remove(s, s->ev_head);
	for (k = 0; k < ARRAY_SIZE(leaves); k++) {
		struct mg_snap_obj **v = kind_objs(s, leaves[k], &n);

		for (i = 0; i < n; i++)
			leaf_delete(s, v[i]);
		free(v);
	}
	for (k = 0; k < ARRAY_SIZE(nodes); k++) {
		struct mg_snap_obj **v = kind_objs(s, nodes[k], &n);

		for (i = 0; i < n; i++)
			cr_detach(s, v[i]);
		free(v);
	}
	for (k = 0; k < MG_SNAP_NKINDS; k++)
		ht_release(&s->kinds[k]);
	ht_release(&s->uids);
	ht_release(&s->nclusters);
	ht_release(&s->ncells);
	ht_release(&s->ntgs);
	ht_release(&s->nshards);
	ht_release(&s->egroups);
	free(s->clusters);
	free(s->cluster_filter);
	free(s);
}

uint64_t
mg_snap_version(const struct mg_snap *s)
{
	return s->version;
}

struct mg_snap_cluster *const *
mg_snap_clusters(const struct mg_snap *s, size_t *n)
{
	*n = s->nclust;
	return s->clusters;
}

const struct mg_snap_cluster *
mg_snap_cluster(const struct mg_snap *s, const char *ns, const char *name)
{
	const char *parts[] = { ns ? ns : "", name };
	char *key = mkkey(parts, 2);
	const struct cluster_i *c = ht_get(&s->nclusters, key);

	free(key);
	return c ? &c->pub : NULL;
}

const struct mg_snap_obj *
mg_snap_find(const struct mg_snap *s, enum mg_snap_kind kind, const char *ns,
	     const char *name)
{
	const char *parts[] = { ns ? ns : "", name };
	char *key;
	const struct mg_snap_obj *o;

	if ((unsigned)kind >= MG_SNAP_NKINDS || !name)
		return NULL;
	key = mkkey(parts, 2);
	o = ht_get(&s->kinds[kind], key);
	free(key);
	return o;
}

const struct mg_snap_obj *
mg_snap_find_uid(const struct mg_snap *s, const char *uid)
{
	return uid ? ht_get(&s->uids, uid) : NULL;
}

size_t
mg_snap_count(const struct mg_snap *s, enum mg_snap_kind kind)
{
	return (unsigned)kind < MG_SNAP_NKINDS ? s->kinds[kind].n : 0;
}

void
mg_snap_foreach(const struct mg_snap *s, enum mg_snap_kind kind,
		void (*fn)(const struct mg_snap_obj *obj, void *data),
		void *data)
{
	const struct ht *t;
	size_t i;

	if ((unsigned)kind >= MG_SNAP_NKINDS)
		return;
	t = &s->kinds[kind];
	for (i = 0; i < t->cap; i++) {
		if (t->e[i].key && t->e[i].key != TOMB)
			fn(t->e[i].val, data);
	}
}

#define DOWNCAST(fn, T, K)                                                     \
	const T *fn(const struct mg_snap_obj *obj)                            \
	{                                                                      \
		return obj && obj->kind == (K) ? (const T *)obj : NULL;        \
	}

DOWNCAST(mg_snap_as_pod, struct mg_snap_pod, MG_SNAP_POD)
DOWNCAST(mg_snap_as_pvc, struct mg_snap_pvc, MG_SNAP_PVC)
DOWNCAST(mg_snap_as_deploy, struct mg_snap_deploy, MG_SNAP_DEPLOYMENT)
DOWNCAST(mg_snap_as_event, struct mg_snap_event, MG_SNAP_EVENT)
DOWNCAST(mg_snap_as_shard, struct mg_snap_shard, MG_SNAP_SHARD)
DOWNCAST(mg_snap_as_cell, struct mg_snap_cell, MG_SNAP_CELL)
DOWNCAST(mg_snap_as_tablegroup, struct mg_snap_tablegroup, MG_SNAP_TABLEGROUP)
DOWNCAST(mg_snap_as_cluster, struct mg_snap_cluster, MG_SNAP_CLUSTER)
