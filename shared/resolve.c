/*
 * resolve.c - template and default resolution, the webhook's defaulting,
 * the child CRs and the rendered cluster.
 *
 * The rules follow pkg/resolver, pkg/webhook/handlers/defaulter.go and
 * the cluster and table-group builders of multigres-operator `main`
 * (facts 2, 1.4-1.9, 3.2, 3.3, 7), restated over cJSON: "unset" is what
 * Go's zero value is after decoding the same JSON (an absent or null key,
 * an empty string; an empty list for the fields that test len()).
 */
#include "compat.h"

#include "resolve.h"

#include "buf.h"
#include "defaults.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "objmeta.h"
#include "quantity.h"
#include "xalloc.h"

#define API_VERSION MG_OBJMETA_API_VERSION

/* ------------------------------------------------------------------ */
/* Small JSON helpers                                                  */
/* ------------------------------------------------------------------ */

/* Short names for json.h's member getters, used on every other line. */
#define item(o, key) mg_json_member((o), (key))
#define obj(o, key)  mg_json_member_obj((o), (key))
#define arr(o, key)  mg_json_member_arr((o), (key))
#define sval(o, key) mg_json_member_str((o), (key))

static bool
nonempty_array(const cJSON *a)
{
	return cJSON_IsArray(a) && a->child != NULL;
}

static bool
nonempty_object(const cJSON *o)
{
	return cJSON_IsObject(o) && o->child != NULL;
}

static cJSON *
dup(const cJSON *x)
{
	return x ? cJSON_Duplicate(x, true) : NULL;
}

/* Sets o[key] = v (taking v), keeping the key's place; v NULL deletes. */
static void
put(cJSON *o, const char *key, cJSON *v)
{
	if (!v) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

static void
put_str(cJSON *o, const char *key, const char *v)
{
	put(o, key, cJSON_CreateString(v));
}

/* o[key] as an object, created (or replacing a non-object) if needed. */
static cJSON *
ensure(cJSON *o, const char *key)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsObject(it))
		return it;
	it = cJSON_CreateObject();
	put(o, key, it);
	return it;
}

/* Copies src[key] into dst[key] when src has it (not null). */
static void
copy_key(cJSON *dst, const cJSON *src, const char *key)
{
	const cJSON *it = item(src, key);

	if (it)
		cJSON_AddItemToObject(dst, key, dup(it));
}

/* Copies a non-empty string member. */
static void
copy_str(cJSON *dst, const cJSON *src, const char *key)
{
	const char *v = sval(src, key);

	if (v)
		cJSON_AddStringToObject(dst, key, v);
}

static const cJSON *
nth(const cJSON *array, size_t i)
{
	return cJSON_IsArray(array) ? cJSON_GetArrayItem(array, (int)i) : NULL;
}

/* A Kubernetes ResourceRequirements is "zero" when it has no requests,
 * limits or claims at all (Go's nil maps); {"requests":{}} is not. */
static bool
resources_set(const cJSON *r)
{
	return item(r, "requests") || item(r, "limits") || item(r, "claims");
}

/* ------------------------------------------------------------------ */
/* Key order                                                           */
/* ------------------------------------------------------------------ */

/*
 * The shape of a Go type, for printing our outputs in its field order:
 * either a struct (fields in order; unknown keys stay after them) or a map
 * (keys sorted, each value of shape `values`). Resource lists also turn
 * numbers into strings, as Go's resource.Quantity prints them.
 */
struct shape;
struct field {
	const char *key;
	const struct shape *shape;
};
struct shape {
	const struct field *fields; /* NULL: a map */
	const struct shape *values;
	bool quantities;
};

static const struct shape s_resource_list = { NULL, NULL, true };
static const struct shape s_string_map = { NULL, NULL, false };

/* corev1.Toleration, and the CRDs' PodPlacementSpec. */
static const struct field f_toleration[] = {
	{ "key", NULL },    { "operator", NULL },	   { "value", NULL },
	{ "effect", NULL }, { "tolerationSeconds", NULL }, { NULL, NULL },
};
static const struct shape s_toleration = { f_toleration, NULL, false };
static const struct field f_placement[] = {
	{ "nodeSelector", &s_string_map },
	{ "tolerations", &s_toleration },
	{ "affinity", NULL },
	{ NULL, NULL },
};
static const struct shape s_placement = { f_placement, NULL, false };

static const struct field f_resources[] = {
	{ "limits", &s_resource_list },
	{ "requests", &s_resource_list },
	{ "claims", NULL },
	{ NULL, NULL },
};
static const struct shape s_resources = { f_resources, NULL, false };

#define STATELESS_FIELDS                                                   \
	{ "replicas", NULL }, { "resources", &s_resources },               \
		{ "affinity", NULL }, { "podAnnotations", &s_string_map }, \
	{                                                                  \
		"podLabels", &s_string_map                                 \
	}

static const struct field f_stateless[] = {
	STATELESS_FIELDS,
	{ NULL, NULL },
};
static const struct shape s_stateless = { f_stateless, NULL, false };

static const struct field f_buffer[] = {
	{ "enabled", NULL }, { "window", NULL },
	{ "maxFailoverDuration", NULL }, { "minTimeBetweenFailovers", NULL },
	{ "size", NULL }, { "drainConcurrency", NULL }, { NULL, NULL },
};
static const struct shape s_buffer = { f_buffer, NULL, false };

static const struct field f_gateway[] = {
	STATELESS_FIELDS,
	{ "buffer", &s_buffer },
	{ NULL, NULL },
};
static const struct shape s_gateway = { f_gateway, NULL, false };

static const struct field f_multiorch[] = {
	STATELESS_FIELDS,
	{ "placement", &s_placement },
	{ "cells", NULL },
	{ NULL, NULL },
};
static const struct shape s_multiorch = { f_multiorch, NULL, false };

static const struct field f_storage[] = {
	{ "size", NULL }, { "class", NULL }, { "accessModes", NULL },
	{ NULL, NULL },
};
static const struct shape s_storage = { f_storage, NULL, false };

static const struct field f_container[] = {
	{ "resources", &s_resources }, { "runAsUser", NULL },
	{ "runAsGroup", NULL }, { NULL, NULL },
};
static const struct shape s_container = { f_container, NULL, false };

static const struct field f_pvc[] = {
	{ "whenDeleted", NULL }, { "whenScaled", NULL }, { NULL, NULL },
};
static const struct shape s_pvc = { f_pvc, NULL, false };

static const struct field f_pool[] = {
	{ "type", NULL },
	{ "cells", NULL },
	{ "replicasPerCell", NULL },
	{ "storage", &s_storage },
	{ "postgres", &s_container },
	{ "multipooler", &s_container },
	{ "affinity", NULL },
	{ "tolerations", &s_toleration },
	{ "fsGroup", NULL },
	{ "pvcDeletionPolicy", &s_pvc },
	{ NULL, NULL },
};
static const struct shape s_pool = { f_pool, NULL, false };
static const struct shape s_pools = { NULL, &s_pool, false };

static const struct field f_etcd[] = {
	{ "image", NULL },	       { "replicas", NULL },
	{ "storage", &s_storage },     { "resources", &s_resources },
	{ "rootPath", NULL },	       { "pvcDeletionPolicy", &s_pvc },
	{ NULL, NULL },
};
static const struct shape s_etcd = { f_etcd, NULL, false };

static const struct field f_external[] = {
	{ "endpoints", NULL }, { "implementation", NULL },
	{ "caSecret", NULL },  { "clientCertSecret", NULL },
	{ "rootPath", NULL },  { NULL, NULL },
};
static const struct shape s_external = { f_external, NULL, false };

static const struct field f_global_topo[] = {
	{ "etcd", &s_etcd },	     { "external", &s_external },
	{ "templateRef", NULL },     { "pvcDeletionPolicy", &s_pvc },
	{ "placement", &s_placement }, { NULL, NULL },
};
static const struct shape s_global_topo = { f_global_topo, NULL, false };

static const struct field f_local_topo[] = {
	{ "etcd", &s_etcd }, { "external", &s_external }, { NULL, NULL },
};
static const struct shape s_local_topo = { f_local_topo, NULL, false };

static const struct field f_fs[] = {
	{ "path", NULL }, { "storage", &s_storage }, { NULL, NULL },
};
static const struct shape s_fs = { f_fs, NULL, false };

static const struct field f_s3[] = {
	{ "bucket", NULL },	       { "region", NULL },
	{ "endpoint", NULL },	       { "keyPrefix", NULL },
	{ "useEnvCredentials", NULL }, { "credentialsSecret", NULL },
	{ "serviceAccountName", NULL }, { NULL, NULL },
};
static const struct shape s_s3 = { f_s3, NULL, false };

static const struct field f_backup[] = {
	{ "type", NULL },	   { "filesystem", &s_fs },
	{ "s3", &s_s3 },	   { "pgbackrestTLS", NULL },
	{ "encryption", NULL },	   { NULL, NULL },
};
static const struct shape s_backup = { f_backup, NULL, false };

/* A reference to one key of a ConfigMap or Secret. */
static const struct field f_key_ref[] = {
	{ "name", NULL }, { "key", NULL }, { "optional", NULL }, { NULL, NULL },
};
static const struct shape s_key_ref = { f_key_ref, NULL, false };

static const struct field f_shard_resolved[] = {
	{ "name", NULL },
	{ "multiorch", &s_multiorch },
	{ "initdbArgs", NULL },
	{ "postgresConfigRef", &s_key_ref },
	{ "postgresConfig", &s_string_map },
	{ "pools", &s_pools },
	{ "pvcDeletionPolicy", &s_pvc },
	{ "backup", &s_backup },
	{ NULL, NULL },
};
static const struct shape s_shard_resolved = { f_shard_resolved, NULL,
					       false };

static const struct field f_images[] = {
	{ "imagePullPolicy", NULL }, { "imagePullSecrets", NULL },
	{ "multigateway", NULL },    { "multiorch", NULL },
	{ "multipooler", NULL },     { "multiadmin", NULL },
	{ "multiadminWeb", NULL },   { "postgres", NULL },
	{ NULL, NULL },
};
static const struct shape s_images = { f_images, NULL, false };

static const struct field f_log_levels[] = {
	{ "pgctld", NULL },    { "multipooler", NULL },
	{ "multiorch", NULL }, { "multiadmin", NULL },
	{ "multigateway", NULL }, { NULL, NULL },
};
static const struct shape s_log_levels = { f_log_levels, NULL, false };

/*
 * The specs of the child CRs and of the rendered cluster, in the order
 * the code below builds them: a final normalize() sorts what was copied
 * from the input as it was (placement, observability, ...).
 */
static const struct field f_topo_ref[] = {
	{ "address", NULL }, { "rootPath", NULL }, { "implementation", NULL },
	{ NULL, NULL },
};
static const struct shape s_topo_ref = { f_topo_ref, NULL, false };
static const struct shape s_map_of_maps = { NULL, &s_string_map, false };

static const struct field f_toposerver_spec[] = {
	{ "etcd", &s_etcd }, { "pvcDeletionPolicy", &s_pvc },
	{ "placement", &s_placement }, { NULL, NULL },
};
static const struct shape s_toposerver_spec = { f_toposerver_spec, NULL,
						false };

static const struct field f_cell_images[] = {
	{ "imagePullPolicy", NULL }, { "imagePullSecrets", NULL },
	{ "multigateway", NULL }, { NULL, NULL },
};
static const struct shape s_cell_images = { f_cell_images, NULL, false };

static const struct field f_topo_recon[] = {
	{ "registerCell", NULL }, { "prunePoolers", NULL }, { NULL, NULL },
};
static const struct shape s_topo_recon = { f_topo_recon, NULL, false };

static const struct field f_cell_spec[] = {
	{ "name", NULL },
	{ "zoneId", NULL },
	{ "region", NULL },
	{ "images", &s_cell_images },
	{ "multigateway", &s_gateway },
	{ "multigatewayPlacement", &s_placement },
	{ "globalTopoServer", &s_topo_ref },
	{ "topoServer", &s_local_topo },
	{ "allCells", NULL },
	{ "topologyReconciliation", &s_topo_recon },
	{ "observability", NULL },
	{ "logLevels", &s_log_levels },
	{ "internalTLS", NULL },
	{ "certCommonName", NULL },
	{ NULL, NULL },
};
static const struct shape s_cell_spec = { f_cell_spec, NULL, false };

static const struct field f_shard_images[] = {
	{ "imagePullPolicy", NULL }, { "imagePullSecrets", NULL },
	{ "multiorch", NULL },	     { "multipooler", NULL },
	{ "postgres", NULL },	     { NULL, NULL },
};
static const struct shape s_shard_images = { f_shard_images, NULL, false };

static const struct field f_tablegroup_spec[] = {
	{ "databaseName", NULL },
	{ "tableGroupName", NULL },
	{ "default", NULL },
	{ "images", &s_shard_images },
	{ "globalTopoServer", &s_topo_ref },
	{ "shards", &s_shard_resolved },
	{ "pvcDeletionPolicy", &s_pvc },
	{ "internalTLS", NULL },
	{ "observability", NULL },
	{ "logLevels", &s_log_levels },
	{ "backup", &s_backup },
	{ "cellTopologyLabels", &s_map_of_maps },
	{ "topologyPruning", NULL },
	{ "durabilityPolicy", NULL },
	{ "postgresSuperuser", NULL },
	{ "postgresPasswordSecretRef", &s_key_ref },
	{ NULL, NULL },
};
static const struct shape s_tablegroup_spec = { f_tablegroup_spec, NULL,
						false };

static const struct field f_shard_spec[] = {
	{ "databaseName", NULL },
	{ "tableGroupName", NULL },
	{ "shardName", NULL },
	{ "images", &s_shard_images },
	{ "globalTopoServer", &s_topo_ref },
	{ "multiorch", &s_multiorch },
	{ "initdbArgs", NULL },
	{ "postgresConfigRef", &s_key_ref },
	{ "postgresConfig", &s_string_map },
	{ "pools", &s_pools },
	{ "pvcDeletionPolicy", &s_pvc },
	{ "internalTLS", NULL },
	{ "observability", NULL },
	{ "logLevels", &s_log_levels },
	{ "backup", &s_backup },
	{ "topologyPruning", NULL },
	{ "durabilityPolicy", NULL },
	{ "postgresSuperuser", NULL },
	{ "postgresPasswordSecretRef", &s_key_ref },
	{ "cellTopologyLabels", &s_map_of_maps },
	{ "replicas", NULL },
	{ NULL, NULL },
};
static const struct shape s_shard_spec = { f_shard_spec, NULL, false };

/* The rendered cluster (mg_resolve_render). */
static const struct field f_render_cell_spec[] = {
	{ "multigateway", &s_gateway },
	{ "multigatewayPlacement", &s_placement },
	{ "localTopoServer", &s_local_topo },
	{ NULL, NULL },
};
static const struct shape s_render_cell_spec = { f_render_cell_spec, NULL,
						 false };
static const struct field f_render_cell[] = {
	{ "name", NULL },
	{ "zoneId", NULL },
	{ "region", NULL },
	{ "spec", &s_render_cell_spec },
	{ NULL, NULL },
};
static const struct shape s_render_cell = { f_render_cell, NULL, false };

static const struct field f_render_shard_spec[] = {
	{ "multiorch", &s_multiorch },
	{ "initdbArgs", NULL },
	{ "postgresConfigRef", &s_key_ref },
	{ "postgresConfig", &s_string_map },
	{ "pools", &s_pools },
	{ "pvcDeletionPolicy", &s_pvc },
	{ NULL, NULL },
};
static const struct shape s_render_shard_spec = { f_render_shard_spec, NULL,
						  false };
static const struct field f_render_shard[] = {
	{ "name", NULL },
	{ "spec", &s_render_shard_spec },
	{ "backup", &s_backup },
	{ NULL, NULL },
};
static const struct shape s_render_shard = { f_render_shard, NULL, false };
static const struct field f_render_tablegroup[] = {
	{ "name", NULL },
	{ "default", NULL },
	{ "shards", &s_render_shard },
	{ "backup", &s_backup },
	{ "pvcDeletionPolicy", &s_pvc },
	{ NULL, NULL },
};
static const struct shape s_render_tablegroup = { f_render_tablegroup, NULL,
						  false };
static const struct field f_render_database[] = {
	{ "name", NULL },
	{ "default", NULL },
	{ "tablegroups", &s_render_tablegroup },
	{ "backup", &s_backup },
	{ "durabilityPolicy", NULL },
	{ NULL, NULL },
};
static const struct shape s_render_database = { f_render_database, NULL,
						false };
static const struct field f_render_admin[] = {
	{ "spec", &s_stateless }, { "placement", &s_placement },
	{ NULL, NULL },
};
static const struct shape s_render_admin = { f_render_admin, NULL, false };
static const struct field f_render_spec[] = {
	{ "images", &s_images },
	{ "imageUpdatePolicy", NULL },
	{ "logLevels", &s_log_levels },
	{ "globalTopoServer", &s_global_topo },
	{ "multiadmin", &s_render_admin },
	{ "multiadminWeb", &s_render_admin },
	{ "cells", &s_render_cell },
	{ "databases", &s_render_database },
	{ "pvcDeletionPolicy", &s_pvc },
	{ "observability", NULL },
	{ "backup", &s_backup },
	{ "externalGateway", NULL },
	{ "externalAdminWeb", NULL },
	{ "topologyPruning", NULL },
	{ "durabilityPolicy", NULL },
	{ "postgresSuperuser", NULL },
	{ "postgresPasswordSecretRef", &s_key_ref },
	{ "internalTLS", NULL },
	{ "certCommonName", NULL },
	{ NULL, NULL },
};
static const struct shape s_render_spec = { f_render_spec, NULL, false };

static int
cmp_items(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string,
		      (*(cJSON *const *)b)->string);
}

/*
 * A resource quantity as a Go-built object shows it: decoded into a
 * resource.Quantity and written back (quantity.h), so a JSON number
 * becomes a string and "0.5" becomes "500m". A value Go would refuse is
 * left as it is, for validation to report.
 */
static void
canonical_quantity(cJSON *parent, cJSON *it)
{
	struct mg_quantity q = MG_QUANTITY_INIT;
	struct mg_buf text = MG_BUF_INIT;

	if ((cJSON_IsString(it) || cJSON_IsNumber(it)) &&
	    mg_quantity_parse_json(&q, it, NULL) == 0) {
		mg_quantity_format(&q, &text);
		if (!cJSON_IsString(it) || strcmp(text.data, it->valuestring))
			/* Replaces (and frees) it; the key is copied first. */
			cJSON_ReplaceItemInObjectCaseSensitive(
				parent, it->string,
				cJSON_CreateString(text.data));
	}
	mg_quantity_release(&q);
	mg_buf_release(&text);
}

static void normalize(cJSON *o, const struct shape *s);

/*
 * Normalises a value of shape s (each item of an array). A value of no
 * known shape (s NULL: affinity, tolerations, placement, observability,
 * ...) gets its keys sorted at every level, as the API server writes a
 * custom resource back: the output never depends on the input's order.
 */
static void
normalize_value(cJSON *v, const struct shape *s)
{
	cJSON *e;

	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v)
			normalize_value(e, s);
	} else {
		normalize(v, s ? s : &s_string_map);
	}
}

/*
 * Orders o's keys as shape s says, recursively: a struct's fields in
 * order, then the keys it does not know, sorted; a map's keys sorted.
 */
static void
normalize(cJSON *o, const struct shape *s)
{
	cJSON **kids, *c, *next;
	size_t n = 0, i, k;
	const struct field *f;

	if (!cJSON_IsObject(o) || !s)
		return;
	for (c = o->child; c; c = c->next)
		n++;
	if (n == 0)
		return;
	kids = mg_xcalloc(n, sizeof(*kids));
	for (c = o->child, i = 0; c; c = next, i++) {
		next = c->next;
		kids[i] = cJSON_DetachItemViaPointer(o, c);
	}
	if (!s->fields) {
		qsort(kids, n, sizeof(*kids), cmp_items);
		for (i = 0; i < n; i++) {
			cJSON_AddItemToArray(o, kids[i]);
			if (s->quantities)
				canonical_quantity(o, kids[i]);
			else
				normalize_value(kids[i], s->values);
		}
		free(kids);
		return;
	}
	for (f = s->fields; f->key; f++) {
		for (k = 0; k < n; k++) {
			if (kids[k] && strcmp(kids[k]->string, f->key) == 0) {
				cJSON_AddItemToArray(o, kids[k]);
				normalize_value(kids[k], f->shape);
				kids[k] = NULL;
				break;
			}
		}
	}
	/* The rest, sorted (NULLs last). */
	for (i = 0, k = 0; k < n; k++)
		if (kids[k])
			kids[i++] = kids[k];
	qsort(kids, i, sizeof(*kids), cmp_items);
	for (k = 0; k < i; k++) {
		cJSON_AddItemToArray(o, kids[k]);
		normalize_value(kids[k], NULL);
	}
	free(kids);
}

/* ------------------------------------------------------------------ */
/* Template sets                                                       */
/* ------------------------------------------------------------------ */

static const char *const kind_names[MG_TEMPLATE_KINDS] = {
	"CoreTemplate", "CellTemplate", "ShardTemplate"
};

const char *
mg_template_kind_name(enum mg_template_kind kind)
{
	if ((unsigned)kind >= MG_TEMPLATE_KINDS)
		MG_BUG("template kind out of range");
	return kind_names[kind];
}

bool
mg_template_kind_parse(const char *kind, enum mg_template_kind *out)
{
	size_t i;

	for (i = 0; kind && i < MG_TEMPLATE_KINDS; i++) {
		if (strcmp(kind, kind_names[i]) == 0) {
			*out = (enum mg_template_kind)i;
			return true;
		}
	}
	return false;
}

struct tpl_entry {
	enum mg_template_kind kind;
	const char *name;
	const cJSON *obj;
};

struct mg_templates {
	struct tpl_entry *v;
	size_t n, alloc;
};

struct mg_templates *
mg_templates_new(void)
{
	return mg_xcalloc(1, sizeof(struct mg_templates));
}

struct mg_templates *
mg_templates_dup(const struct mg_templates *t)
{
	struct mg_templates *d = mg_templates_new();

	if (t && t->n) {
		d->v = mg_xcalloc(t->n, sizeof(*d->v));
		memcpy(d->v, t->v, t->n * sizeof(*d->v));
		d->n = d->alloc = t->n;
	}
	return d;
}

void
mg_templates_free(struct mg_templates *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

size_t
mg_templates_count(const struct mg_templates *t)
{
	return t ? t->n : 0;
}

static struct tpl_entry *
find_entry(const struct mg_templates *t, enum mg_template_kind kind,
	   const char *name)
{
	size_t i;

	for (i = 0; t && name && i < t->n; i++)
		if (t->v[i].kind == kind && strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

static int
add_kind(struct mg_templates *t, const cJSON *o, enum mg_template_kind kind,
	 struct mg_err *err)
{
	const char *name = mg_json_str(o, "metadata.name");
	struct tpl_entry *e;

	if (!name || !*name)
		return mg_err_set(err, MG_EINVAL, "%s without metadata.name",
				  kind_names[kind]);
	e = find_entry(t, kind, name);
	if (!e) {
		t->v = mg_xgrow(t->v, sizeof(*t->v), t->n + 1, &t->alloc);
		e = &t->v[t->n++];
	}
	e->kind = kind;
	e->name = name;
	e->obj = o;
	return 0;
}

int
mg_templates_add(struct mg_templates *t, const cJSON *o, struct mg_err *err)
{
	enum mg_template_kind kind;
	const char *k = mg_json_str(o, "kind");

	if (!mg_template_kind_parse(k, &kind))
		return mg_err_set(err, MG_EINVAL,
				  "object of kind '%s' is not a template",
				  k ? k : "");
	return add_kind(t, o, kind, err);
}

int
mg_templates_add_list(struct mg_templates *t, const cJSON *objs,
		      const char *namespace, struct mg_err *err)
{
	const cJSON *items = objs, *it;
	char *item_kind = NULL;
	enum mg_template_kind kind;
	int added = 0, rc;

	if (cJSON_IsObject(objs)) {
		const char *list_kind = mg_json_str(objs, "kind");
		size_t len = list_kind ? strlen(list_kind) : 0;

		items = arr(objs, "items");
		if (len > 4 && strcmp(list_kind + len - 4, "List") == 0)
			item_kind = mg_xstrndup(list_kind, len - 4);
	}
	cJSON_ArrayForEach(it, items) {
		const char *k = mg_json_str(it, "kind"), *ns;

		if (!k)
			k = item_kind;
		if (!mg_template_kind_parse(k, &kind))
			continue;
		ns = mg_json_str(it, "metadata.namespace");
		if (namespace && ns && *ns && strcmp(ns, namespace) != 0)
			continue;
		rc = add_kind(t, it, kind, err);
		if (rc) {
			free(item_kind);
			return rc;
		}
		added++;
	}
	free(item_kind);
	return added;
}

const cJSON *
mg_templates_get(const struct mg_templates *t, enum mg_template_kind kind,
		 const char *name)
{
	const struct tpl_entry *e = find_entry(t, kind, name);

	return e ? e->obj : NULL;
}

/*
 * The template a reference selects. An empty ref or `default` selects the
 * namespace's `default` template and is silently empty (*out NULL) when
 * there is none; another missing ref is MG_ENOTFOUND naming `path`.
 */
static int
lookup(const cJSON **out, const struct mg_templates *t,
       enum mg_template_kind kind, const char *ref, const char *path,
       struct mg_err *err)
{
	bool fallback = !ref || !*ref ||
			strcmp(ref, MG_DEFAULT_TEMPLATE_NAME) == 0;

	*out = mg_templates_get(t, kind,
				fallback ? MG_DEFAULT_TEMPLATE_NAME : ref);
	if (!*out && !fallback)
		return mg_err_set(err, MG_ENOTFOUND,
				  "%s: referenced %s '%s' not found", path,
				  kind_names[kind], ref);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Merges                                                              */
/* ------------------------------------------------------------------ */

/* base[key] = copy of ovr[key] when ovr has it (not null). */
static void
take_item(cJSON *base, const cJSON *ovr, const char *key)
{
	const cJSON *it = item(ovr, key);

	if (it)
		put(base, key, dup(it));
}

/* The same for a non-empty string. */
static void
take_str(cJSON *base, const cJSON *ovr, const char *key)
{
	const char *v = sval(ovr, key);

	if (v)
		put_str(base, key, v);
}

/* The same for a non-empty list. */
static void
take_list(cJSON *base, const cJSON *ovr, const char *key)
{
	const cJSON *it = arr(ovr, key);

	if (nonempty_array(it))
		put(base, key, dup(it));
}

static void
take_resources(cJSON *base, const cJSON *ovr)
{
	const cJSON *r = obj(ovr, "resources");

	if (resources_set(r))
		put(base, "resources", dup(r));
}

/* Per-key merge of a string map (podAnnotations, podLabels...). */
static void
merge_map(cJSON *base, const cJSON *ovr, const char *key)
{
	const cJSON *m = obj(ovr, key), *kv;
	cJSON *dst;

	if (!nonempty_object(m))
		return;
	dst = ensure(base, key);
	cJSON_ArrayForEach(kv, m)
		put(dst, kv->string, dup(kv));
}

static void
merge_stateless(cJSON *base, const cJSON *ovr)
{
	take_item(base, ovr, "replicas");
	take_resources(base, ovr);
	take_item(base, ovr, "affinity");
	merge_map(base, ovr, "podAnnotations");
	merge_map(base, ovr, "podLabels");
}

static void
merge_gateway(cJSON *base, const cJSON *ovr)
{
	static const char *const keys[] = {
		"enabled", "window", "maxFailoverDuration",
		"minTimeBetweenFailovers", "size", "drainConcurrency",
	};
	const cJSON *ob;
	cJSON *bb;
	size_t i;

	if (!ovr)
		return;
	merge_stateless(base, ovr);
	ob = obj(ovr, "buffer");
	if (!ob)
		return;
	bb = ensure(base, "buffer");
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		take_item(bb, ob, keys[i]);
}

static void
merge_multiorch(cJSON *base, const cJSON *ovr)
{
	if (!ovr)
		return;
	merge_stateless(base, ovr);
	take_item(base, ovr, "placement");
	take_list(base, ovr, "cells");
}

static void
merge_storage(cJSON *base, const cJSON *ovr)
{
	const cJSON *os = obj(ovr, "storage");
	cJSON *bs;

	if (!os)
		return;
	if (!sval(os, "size") && !sval(os, "class") &&
	    !nonempty_array(arr(os, "accessModes")))
		return;
	bs = ensure(base, "storage");
	take_str(bs, os, "size");
	take_str(bs, os, "class");
	take_list(bs, os, "accessModes");
}

static void
merge_container(cJSON *base, const cJSON *ovr, const char *key)
{
	const cJSON *oc = obj(ovr, key);
	cJSON *bc;

	if (!oc)
		return;
	if (!resources_set(obj(oc, "resources")) && !item(oc, "runAsUser") &&
	    !item(oc, "runAsGroup"))
		return;
	bc = ensure(base, key);
	take_resources(bc, oc);
	take_item(bc, oc, "runAsUser");
	take_item(bc, oc, "runAsGroup");
}

static void
merge_pool(cJSON *base, const cJSON *ovr)
{
	take_str(base, ovr, "type");
	take_list(base, ovr, "cells");
	take_item(base, ovr, "replicasPerCell");
	merge_storage(base, ovr);
	merge_container(base, ovr, "postgres");
	merge_container(base, ovr, "multipooler");
	take_item(base, ovr, "affinity");
	take_list(base, ovr, "tolerations");
	take_item(base, ovr, "fsGroup");
	take_item(base, ovr, "pvcDeletionPolicy");
}

/* Pools by name: an existing pool is merged field-wise, a new one added. */
static void
merge_pools(cJSON *pools, const cJSON *ovr)
{
	const cJSON *p;
	cJSON *b;

	cJSON_ArrayForEach(p, obj(ovr, "pools")) {
		if (!cJSON_IsObject(p))
			continue;
		b = cJSON_GetObjectItemCaseSensitive(pools, p->string);
		if (cJSON_IsObject(b))
			merge_pool(b, p);
		else
			put(pools, p->string, dup(p));
	}
}

static void
merge_etcd(cJSON *base, const cJSON *ovr)
{
	take_str(base, ovr, "image");
	take_item(base, ovr, "replicas");
	merge_storage(base, ovr);
	take_resources(base, ovr);
	take_str(base, ovr, "rootPath");
	take_item(base, ovr, "pvcDeletionPolicy");
}

/* postgresConfig per key, override wins; NULL when the result is empty. */
static void
merge_pgconf(cJSON **conf, const cJSON *ovr)
{
	const cJSON *m = obj(ovr, "postgresConfig"), *kv;

	if (!nonempty_object(m))
		return;
	if (!*conf)
		*conf = cJSON_CreateObject();
	cJSON_ArrayForEach(kv, m)
		put(*conf, kv->string, dup(kv));
}

cJSON *
mg_resolve_merge_pvc_policy(const cJSON *child, const cJSON *parent)
{
	const char *wd, *ws;
	cJSON *m;

	child = cJSON_IsObject(child) ? child : NULL;
	parent = cJSON_IsObject(parent) ? parent : NULL;
	if (!child)
		return dup(parent);
	wd = sval(child, "whenDeleted");
	if (!wd)
		wd = sval(parent, "whenDeleted");
	ws = sval(child, "whenScaled");
	if (!ws)
		ws = sval(parent, "whenScaled");
	if (!wd && !ws)
		return NULL;
	m = cJSON_CreateObject();
	if (wd)
		cJSON_AddStringToObject(m, "whenDeleted", wd);
	if (ws)
		cJSON_AddStringToObject(m, "whenScaled", ws);
	return m;
}

cJSON *
mg_resolve_merge_backup(const cJSON *child, const cJSON *parent)
{
	const char *ctype, *ptype, *mtype;
	cJSON *merged, *dst;

	child = cJSON_IsObject(child) ? child : NULL;
	parent = cJSON_IsObject(parent) ? parent : NULL;
	if (!child && !parent)
		return NULL;
	if (!child)
		return dup(parent);
	if (!parent)
		return dup(child);
	ctype = sval(child, "type");
	ptype = sval(parent, "type");
	if (ctype && (!ptype || strcmp(ctype, ptype) != 0))
		return dup(child);

	merged = dup(parent);
	mtype = sval(merged, "type");
	if (mtype && strcmp(mtype, "filesystem") == 0) {
		const cJSON *cfs = obj(child, "filesystem");

		dst = ensure(merged, "filesystem");
		if (cfs) {
			take_str(dst, cfs, "path");
			merge_storage(dst, cfs);
		}
	} else if (mtype && strcmp(mtype, "s3") == 0) {
		const cJSON *cs3 = obj(child, "s3");

		dst = ensure(merged, "s3");
		if (cs3) {
			const cJSON *u;

			take_str(dst, cs3, "bucket");
			take_str(dst, cs3, "region");
			take_str(dst, cs3, "endpoint");
			take_str(dst, cs3, "keyPrefix");
			/* Always the child's: Go cannot tell false from unset. */
			u = item(cs3, "useEnvCredentials");
			if (cJSON_IsTrue(u))
				put(dst, "useEnvCredentials", cJSON_CreateTrue());
			else
				put(dst, "useEnvCredentials", NULL);
			take_str(dst, cs3, "credentialsSecret");
			take_str(dst, cs3, "serviceAccountName");
		}
	}
	take_item(merged, child, "pgbackrestTLS");
	take_item(merged, child, "encryption");
	return merged;
}

/* ------------------------------------------------------------------ */
/* Level-4 defaults                                                    */
/* ------------------------------------------------------------------ */

static void
default_stateless(cJSON *spec, enum mg_component c)
{
	if (!item(spec, "replicas"))
		put(spec, "replicas",
		    cJSON_CreateNumber(mg_defaults_component(c)->replicas));
	if (!resources_set(obj(spec, "resources")))
		put(spec, "resources", mg_defaults_resources(c));
}

static void
default_etcd(cJSON *etcd, const char *root)
{
	cJSON *storage;

	if (!sval(etcd, "image"))
		put_str(etcd, "image",
			mg_defaults_component(MG_COMP_ETCD)->image);
	storage = ensure(etcd, "storage");
	if (!sval(storage, "size"))
		put_str(storage, "size", MG_DEFAULT_ETCD_STORAGE_SIZE);
	if (!item(etcd, "replicas"))
		put(etcd, "replicas",
		    cJSON_CreateNumber(
			    mg_defaults_component(MG_COMP_ETCD)->replicas));
	if (!sval(etcd, "rootPath"))
		put_str(etcd, "rootPath", root);
	if (!resources_set(obj(etcd, "resources")))
		put(etcd, "resources", mg_defaults_resources(MG_COMP_ETCD));
}

static void
default_external(cJSON *ext, const char *root)
{
	if (!sval(ext, "implementation"))
		put_str(ext, "implementation", MG_DEFAULT_TOPO_IMPLEMENTATION);
	if (!sval(ext, "rootPath"))
		put_str(ext, "rootPath", root);
}

static void
default_local_topo(cJSON *lt, const char *cell)
{
	char *root;
	cJSON *e;

	if (!lt)
		return;
	root = mg_xasprintf(MG_DEFAULT_LOCAL_TOPO_ROOT_FMT, cell);
	e = cJSON_GetObjectItemCaseSensitive(lt, "etcd");
	if (cJSON_IsObject(e))
		default_etcd(e, root);
	e = cJSON_GetObjectItemCaseSensitive(lt, "external");
	if (cJSON_IsObject(e))
		default_external(e, root);
	free(root);
}

static void
default_pool(cJSON *pool)
{
	cJSON *storage, *c;

	if (!item(pool, "replicasPerCell"))
		put(pool, "replicasPerCell",
		    cJSON_CreateNumber(MG_DEFAULT_POOL_REPLICAS_PER_CELL));
	storage = ensure(pool, "storage");
	if (!sval(storage, "size"))
		put_str(storage, "size", MG_DEFAULT_POOL_STORAGE_SIZE);
	c = ensure(pool, "postgres");
	if (!resources_set(obj(c, "resources")))
		put(c, "resources", mg_defaults_resources(MG_COMP_POSTGRES));
	c = ensure(pool, "multipooler");
	if (!resources_set(obj(c, "resources")))
		put(c, "resources", mg_defaults_resources(MG_COMP_MULTIPOOLER));
}

static void
default_backup(cJSON *b)
{
	cJSON *fs, *storage;
	const char *type = sval(b, "type");

	if (!type) {
		put_str(b, "type", MG_DEFAULT_BACKUP_TYPE);
		type = MG_DEFAULT_BACKUP_TYPE;
	}
	if (strcmp(type, "filesystem") != 0)
		return;
	fs = ensure(b, "filesystem");
	if (!sval(fs, "path"))
		put_str(fs, "path", MG_DEFAULT_BACKUP_PATH);
	storage = ensure(fs, "storage");
	if (!sval(storage, "size"))
		put_str(storage, "size", MG_DEFAULT_BACKUP_STORAGE_SIZE);
}

/* The cluster backup the webhook writes when there is none. */
static cJSON *
default_cluster_backup(void)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "type", MG_DEFAULT_BACKUP_TYPE);
	default_backup(b);
	return b;
}

/* ------------------------------------------------------------------ */
/* Components                                                          */
/* ------------------------------------------------------------------ */

static const cJSON *
spec_of(const cJSON *cluster)
{
	return obj(cluster, "spec");
}

/*
 * A component's template ref, with level 2: its own ref, else the
 * cluster's templateDefaults entry. *path names where it came from.
 */
static const char *
ref_with_default(const cJSON *cluster, const char *own, const char *own_path,
		 const char *td_key, char **path)
{
	const char *ref = own;

	if (ref) {
		*path = mg_xstrdup(own_path);
		return ref;
	}
	*path = mg_xasprintf("spec.templateDefaults.%s", td_key);
	return sval(obj(spec_of(cluster), "templateDefaults"), td_key);
}

static int
core_template(const cJSON **tpl, const cJSON *cluster, const char *component,
	      const struct mg_templates *t, struct mg_err *err)
{
	const cJSON *c = obj(spec_of(cluster), component);
	char *own_path = mg_xasprintf("spec.%s.templateRef", component);
	char *path = NULL;
	const char *ref;
	int rc;

	ref = ref_with_default(cluster, sval(c, "templateRef"), own_path,
			       "coreTemplate", &path);
	rc = lookup(tpl, t, MG_TEMPLATE_CORE, ref, path, err);
	free(own_path);
	free(path);
	return rc;
}

int
mg_resolve_global_topo(cJSON **out, const cJSON *cluster,
		       const struct mg_templates *t, struct mg_err *err)
{
	const cJSON *tpl, *tgts, *spec, *e;
	cJSON *res, *etcd;
	int rc;

	*out = NULL;
	rc = core_template(&tpl, cluster, "globalTopoServer", t, err);
	if (rc)
		return rc;
	spec = obj(spec_of(cluster), "globalTopoServer");
	tgts = obj(obj(tpl, "spec"), "globalTopoServer");

	res = cJSON_CreateObject();
	if (tgts) {
		copy_key(res, tgts, "etcd");
		copy_key(res, tgts, "pvcDeletionPolicy");
		copy_key(res, tgts, "placement");
	} else {
		cJSON_AddItemToObject(res, "etcd", cJSON_CreateObject());
	}
	if (obj(spec, "external")) {
		put(res, "external", dup(obj(spec, "external")));
		put(res, "etcd", NULL);
	} else if ((e = obj(spec, "etcd")) != NULL) {
		merge_etcd(ensure(res, "etcd"), e);
	}
	etcd = cJSON_GetObjectItemCaseSensitive(res, "etcd");
	if (cJSON_IsObject(etcd))
		default_etcd(etcd, MG_DEFAULT_GLOBAL_TOPO_ROOT);
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(res, "external")))
		default_external(cJSON_GetObjectItemCaseSensitive(res,
								  "external"),
				 MG_DEFAULT_GLOBAL_TOPO_ROOT);
	take_item(res, spec, "pvcDeletionPolicy");
	/* Placement is main's; v0.11.1 had none for the topology. */
	take_item(res, spec, "placement");
	normalize(res, &s_global_topo);
	*out = res;
	return 0;
}

int
mg_resolve_multiadmin(cJSON **spec_out, cJSON **placement,
		      const cJSON *cluster, const struct mg_templates *t,
		      struct mg_err *err)
{
	const cJSON *tpl, *tspec, *c;
	cJSON *res, *pl;
	int rc;

	*spec_out = NULL;
	if (placement)
		*placement = NULL;
	rc = core_template(&tpl, cluster, "multiadmin", t, err);
	if (rc)
		return rc;
	tspec = obj(tpl, "spec");
	c = obj(spec_of(cluster), "multiadmin");
	res = dup(obj(tspec, "multiadmin"));
	if (!res)
		res = cJSON_CreateObject();
	pl = dup(obj(tspec, "multiadminPlacement"));
	if (obj(c, "spec"))
		merge_stateless(res, obj(c, "spec"));
	if (obj(c, "placement")) {
		cJSON_Delete(pl);
		pl = dup(obj(c, "placement"));
	}
	default_stateless(res, MG_COMP_MULTIADMIN);
	normalize(res, &s_stateless);
	normalize(pl, &s_placement);
	*spec_out = res;
	if (placement)
		*placement = pl;
	else
		cJSON_Delete(pl);
	return 0;
}

int
mg_resolve_multiadmin_web(cJSON **spec_out, const cJSON *cluster,
			  const struct mg_templates *t, struct mg_err *err)
{
	const cJSON *tpl, *c;
	cJSON *res;
	int rc;

	*spec_out = NULL;
	rc = core_template(&tpl, cluster, "multiadminWeb", t, err);
	if (rc)
		return rc;
	c = obj(spec_of(cluster), "multiadminWeb");
	res = dup(obj(obj(tpl, "spec"), "multiadminWeb"));
	if (!res)
		res = cJSON_CreateObject();
	if (obj(c, "spec"))
		merge_stateless(res, obj(c, "spec"));
	default_stateless(res, MG_COMP_MULTIADMIN_WEB);
	normalize(res, &s_stateless);
	*spec_out = res;
	return 0;
}

int
mg_resolve_cell(cJSON **gateway, cJSON **placement, cJSON **local_topo,
		const cJSON *cluster, size_t index,
		const struct mg_templates *t, struct mg_err *err)
{
	const cJSON *cell = nth(arr(spec_of(cluster), "cells"), index);
	const cJSON *tpl, *tspec, *ov, *in;
	cJSON *gw, *pl, *lt, *buf;
	char *own_path, *path = NULL;
	const char *ref;
	int rc;

	if (gateway)
		*gateway = NULL;
	if (placement)
		*placement = NULL;
	if (local_topo)
		*local_topo = NULL;
	if (!cJSON_IsObject(cell))
		return mg_err_set(err, MG_EINVAL, "spec.cells[%zu]: no such cell",
				  index);
	own_path = mg_xasprintf("spec.cells[%zu].cellTemplate", index);
	ref = ref_with_default(cluster, sval(cell, "cellTemplate"), own_path,
			       "cellTemplate", &path);
	rc = lookup(&tpl, t, MG_TEMPLATE_CELL, ref, path, err);
	free(own_path);
	free(path);
	if (rc)
		return rc;

	tspec = obj(tpl, "spec");
	gw = dup(obj(tspec, "multigateway"));
	if (!gw)
		gw = cJSON_CreateObject();
	lt = dup(obj(tspec, "localTopoServer"));
	pl = dup(obj(tspec, "multigatewayPlacement"));

	ov = obj(cell, "overrides");
	merge_gateway(gw, obj(ov, "multigateway"));
	if (obj(ov, "multigatewayPlacement")) {
		cJSON_Delete(pl);
		pl = dup(obj(ov, "multigatewayPlacement"));
	}
	in = obj(cell, "spec");
	merge_gateway(gw, obj(in, "multigateway"));
	if (obj(in, "multigatewayPlacement")) {
		cJSON_Delete(pl);
		pl = dup(obj(in, "multigatewayPlacement"));
	}
	if (obj(in, "localTopoServer")) {
		cJSON_Delete(lt);
		lt = dup(obj(in, "localTopoServer"));
	}

	default_stateless(gw, MG_COMP_MULTIGATEWAY);
	/* Failover buffering on unless disabled (main; v0.11.1 had no
	 * buffer settings). */
	buf = ensure(gw, "buffer");
	if (!item(buf, "enabled"))
		put(buf, "enabled", cJSON_CreateTrue());
	default_local_topo(lt, sval(cell, "name") ? sval(cell, "name") : "");
	normalize(gw, &s_gateway);
	normalize(pl, &s_placement);
	normalize(lt, &s_local_topo);

	if (gateway)
		*gateway = gw;
	else
		cJSON_Delete(gw);
	if (placement)
		*placement = pl;
	else
		cJSON_Delete(pl);
	if (local_topo)
		*local_topo = lt;
	else
		cJSON_Delete(lt);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The cluster's cell names, sorted, as a new array. */
static cJSON *
sorted_cells(const cJSON *cluster)
{
	const cJSON *c;
	const char **names;
	size_t n = 0, i;
	cJSON *a = cJSON_CreateArray();

	cJSON_ArrayForEach(c, arr(spec_of(cluster), "cells"))
		n++;
	if (n == 0)
		return a;
	names = mg_xcalloc(n, sizeof(*names));
	n = 0;
	cJSON_ArrayForEach(c, arr(spec_of(cluster), "cells"))
		if (sval(c, "name"))
			names[n++] = sval(c, "name");
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
	free(names);
	return a;
}

static size_t
count_cells(const cJSON *cluster)
{
	return (size_t)cJSON_GetArraySize(arr(spec_of(cluster), "cells"));
}

int
mg_resolve_shard(cJSON **out, const cJSON *cluster, size_t dbi, size_t tgi,
		 size_t si, bool materialize, const struct mg_templates *t,
		 struct mg_err *err)
{
	const cJSON *spec = spec_of(cluster);
	const cJSON *db = nth(arr(spec, "databases"), dbi);
	const cJSON *tg = nth(arr(db, "tablegroups"), tgi);
	const cJSON *cfg = nth(arr(tg, "shards"), si);
	const cJSON *tpl, *tspec, *ov, *in, *p;
	cJSON *res, *orch, *pools, *pool, *backup, *b1, *conf = NULL;
	cJSON *pvc = NULL, *pgref = NULL;
	const char *initdb = NULL, *ref;
	char *own_path, *path = NULL;
	size_t ncells = count_cells(cluster), eff;
	int rc;

	*out = NULL;
	if (!cJSON_IsObject(cfg))
		return mg_err_set(err, MG_EINVAL,
				  "spec.databases[%zu].tablegroups[%zu]."
				  "shards[%zu]: no such shard",
				  dbi, tgi, si);
	own_path = mg_xasprintf("spec.databases[%zu].tablegroups[%zu]."
				"shards[%zu].shardTemplate",
				dbi, tgi, si);
	ref = ref_with_default(cluster, sval(cfg, "shardTemplate"), own_path,
			       "shardTemplate", &path);
	rc = lookup(&tpl, t, MG_TEMPLATE_SHARD, ref, path, err);
	free(own_path);
	free(path);
	if (rc)
		return rc;

	/* Backups: Cluster > Database > TableGroup, the base. */
	b1 = mg_resolve_merge_backup(obj(db, "backup"), obj(spec, "backup"));
	backup = mg_resolve_merge_backup(obj(tg, "backup"), b1);
	cJSON_Delete(b1);

	/* 1. The template. */
	tspec = obj(tpl, "spec");
	orch = dup(obj(tspec, "multiorch"));
	if (!orch)
		orch = cJSON_CreateObject();
	pools = cJSON_CreateObject();
	cJSON_ArrayForEach(p, obj(tspec, "pools"))
		if (cJSON_IsObject(p))
			cJSON_AddItemToObject(pools, p->string, dup(p));
	pvc = dup(obj(tspec, "pvcDeletionPolicy"));
	initdb = sval(tspec, "initdbArgs");
	pgref = dup(obj(tspec, "postgresConfigRef"));
	/* Inline postgresConfig is main's (v0.11.1: postgresConfigRef only). */
	merge_pgconf(&conf, tspec);

	/* 2. Overrides, 3. the inline spec. */
	ov = obj(cfg, "overrides");
	in = obj(cfg, "spec");
	if (ov) {
		merge_multiorch(orch, obj(ov, "multiorch"));
		merge_pools(pools, ov);
		if (sval(ov, "initdbArgs"))
			initdb = sval(ov, "initdbArgs");
		if (obj(ov, "postgresConfigRef")) {
			cJSON_Delete(pgref);
			pgref = dup(obj(ov, "postgresConfigRef"));
		}
		merge_pgconf(&conf, ov);
	}
	if (in) {
		merge_multiorch(orch, obj(in, "multiorch"));
		merge_pools(pools, in);
		if (obj(in, "pvcDeletionPolicy")) {
			cJSON_Delete(pvc);
			pvc = dup(obj(in, "pvcDeletionPolicy"));
		}
		if (sval(in, "initdbArgs"))
			initdb = sval(in, "initdbArgs");
		if (obj(in, "postgresConfigRef")) {
			cJSON_Delete(pgref);
			pgref = dup(obj(in, "postgresConfigRef"));
		}
		merge_pgconf(&conf, in);
	}
	/* 4. The shard's own backup over the inherited one. */
	if (obj(cfg, "backup")) {
		b1 = mg_resolve_merge_backup(obj(cfg, "backup"), backup);
		cJSON_Delete(backup);
		backup = b1;
	}

	/* Level-4 defaults. */
	default_stateless(orch, MG_COMP_MULTIORCH);
	if (!backup)
		backup = cJSON_CreateObject();
	default_backup(backup);
	if (materialize && !nonempty_array(arr(orch, "cells")) && ncells > 0)
		put(orch, "cells", sorted_cells(cluster));
	if (!pools->child) {
		pool = cJSON_AddObjectToObject(pools, MG_DEFAULT_POOL_NAME);
		cJSON_AddStringToObject(pool, "type", MG_DEFAULT_POOL_TYPE);
		if (nonempty_array(arr(orch, "cells")))
			cJSON_AddItemToObject(pool, "cells",
					      dup(arr(orch, "cells")));
	}
	cJSON_ArrayForEach(pool, pools) {
		const cJSON *cells =
			cJSON_GetObjectItemCaseSensitive(pool, "cells");

		if (materialize && !nonempty_array(cells) && ncells > 0)
			put(pool, "cells", sorted_cells(cluster));
		if (!item(pool, "replicasPerCell")) {
			eff = (size_t)cJSON_GetArraySize(arr(pool, "cells"));
			if (eff == 0)
				eff = ncells;
			/* AT_LEAST_2 needs two poolers: a one-cell pool
			 * runs two there. */
			if (eff == 1)
				put(pool, "replicasPerCell",
				    cJSON_CreateNumber(
					    MG_DEFAULT_POOL_REPLICAS_PER_CELL_SINGLE));
		}
		default_pool(pool);
	}

	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "name",
				sval(cfg, "name") ? sval(cfg, "name") : "");
	cJSON_AddItemToObject(res, "multiorch", orch);
	if (initdb)
		cJSON_AddStringToObject(res, "initdbArgs", initdb);
	if (pgref)
		cJSON_AddItemToObject(res, "postgresConfigRef", pgref);
	if (conf)
		cJSON_AddItemToObject(res, "postgresConfig", conf);
	cJSON_AddItemToObject(res, "pools", pools);
	if (pvc)
		cJSON_AddItemToObject(res, "pvcDeletionPolicy", pvc);
	cJSON_AddItemToObject(res, "backup", backup);
	normalize(res, &s_shard_resolved);
	*out = res;
	return 0;
}

cJSON *
mg_resolve_global_topo_ref(const cJSON *gt, const char *cluster,
			   const char *namespace)
{
	const cJSON *etcd = obj(gt, "etcd"), *ext = obj(gt, "external");
	const cJSON *ep;
	cJSON *ref = cJSON_CreateObject();
	char *addr = NULL;
	const char *root = "", *impl = "";

	if (etcd)
		addr = mg_xasprintf("%s-global-topo.%s.svc:%d", cluster,
				    namespace, MG_DEFAULT_TOPO_CLIENT_PORT);
	else if ((ep = nth(arr(ext, "endpoints"), 0)) && cJSON_IsString(ep))
		addr = mg_xstrdup(ep->valuestring);
	if (ext) {
		root = sval(ext, "rootPath") ? sval(ext, "rootPath") : "";
		impl = sval(ext, "implementation") ?
			       sval(ext, "implementation") :
			       "";
	} else if (etcd) {
		root = sval(etcd, "rootPath") ? sval(etcd, "rootPath") : "";
		impl = MG_DEFAULT_TOPO_IMPLEMENTATION;
	}
	cJSON_AddStringToObject(ref, "address", addr ? addr : "");
	cJSON_AddStringToObject(ref, "rootPath", root);
	cJSON_AddStringToObject(ref, "implementation", impl);
	free(addr);
	return ref;
}

/* ------------------------------------------------------------------ */
/* Template use                                                        */
/* ------------------------------------------------------------------ */

/* Adds s to a sorted, unique array of strings. */
static void
add_sorted_unique(cJSON *a, const char *s)
{
	cJSON *c;
	int i = 0;

	if (!s)
		return;
	for (c = a->child; c; c = c->next, i++) {
		int cmp = strcmp(c->valuestring, s);

		if (cmp == 0)
			return;
		if (cmp > 0) {
			cJSON_InsertItemInArray(a, i, cJSON_CreateString(s));
			return;
		}
	}
	cJSON_AddItemToArray(a, cJSON_CreateString(s));
}

/* Adds every template ref of a kind the cluster names to a. */
static void
collect_refs(const cJSON *cluster, enum mg_template_kind kind, cJSON *a)
{
	const cJSON *spec = spec_of(cluster), *td = obj(spec, "templateDefaults");
	const cJSON *c, *db, *tg, *sh;

	switch (kind) {
	case MG_TEMPLATE_CORE:
		add_sorted_unique(a, sval(td, "coreTemplate"));
		add_sorted_unique(a, sval(obj(spec, "globalTopoServer"),
					  "templateRef"));
		add_sorted_unique(a, sval(obj(spec, "multiadmin"),
					  "templateRef"));
		add_sorted_unique(a, sval(obj(spec, "multiadminWeb"),
					  "templateRef"));
		break;
	case MG_TEMPLATE_CELL:
		add_sorted_unique(a, sval(td, "cellTemplate"));
		cJSON_ArrayForEach(c, arr(spec, "cells"))
			add_sorted_unique(a, sval(c, "cellTemplate"));
		break;
	case MG_TEMPLATE_SHARD:
		add_sorted_unique(a, sval(td, "shardTemplate"));
		cJSON_ArrayForEach(db, arr(spec, "databases"))
			cJSON_ArrayForEach(tg, arr(db, "tablegroups"))
				cJSON_ArrayForEach(sh, arr(tg, "shards"))
					add_sorted_unique(
						a, sval(sh, "shardTemplate"));
		break;
	default:
		MG_BUG("template kind out of range");
	}
}

cJSON *
mg_resolve_templates_in_use(const cJSON *cluster)
{
	static const char *const keys[MG_TEMPLATE_KINDS] = {
		"coreTemplates", "cellTemplates", "shardTemplates"
	};
	cJSON *out = cJSON_CreateObject();
	size_t k;

	for (k = 0; k < MG_TEMPLATE_KINDS; k++) {
		cJSON *a = cJSON_CreateArray();

		collect_refs(cluster, (enum mg_template_kind)k, a);
		if (a->child)
			cJSON_AddItemToObject(out, keys[k], a);
		else
			cJSON_Delete(a);
	}
	return out;
}

cJSON *
mg_resolve_tracking_labels(const cJSON *cluster)
{
	static const char *const labels[MG_TEMPLATE_KINDS] = {
		MG_LABEL_USES_CORE_TEMPLATE, MG_LABEL_USES_CELL_TEMPLATE,
		MG_LABEL_USES_SHARD_TEMPLATE
	};
	cJSON *out = cJSON_CreateObject();
	size_t k;

	for (k = 0; k < MG_TEMPLATE_KINDS; k++) {
		cJSON *a = cJSON_CreateArray();

		collect_refs(cluster, (enum mg_template_kind)k, a);
		if (a->child)
			cJSON_AddStringToObject(out, labels[k], MG_LABEL_TRUE);
		cJSON_Delete(a);
	}
	return out;
}

/* ------------------------------------------------------------------ */
/* Webhook defaulting                                                  */
/* ------------------------------------------------------------------ */

static void
default_str(cJSON *o, const char *key, const char *v)
{
	if (!sval(o, key))
		put_str(o, key, v);
}

/* {"name": name, "default": true} */
static cJSON *
named_default(const char *name)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddTrueToObject(o, "default");
	return o;
}

/* The shard `0-inf` a table group without shards gets. */
static cJSON *
system_shard(bool has_cells, bool inject)
{
	cJSON *shard = cJSON_CreateObject(), *sspec;

	cJSON_AddStringToObject(shard, "name", MG_DEFAULT_SHARD);
	if (!has_cells)
		return shard;
	/* Cells stay unset: "run everywhere". */
	sspec = cJSON_AddObjectToObject(shard, "spec");
	cJSON_AddObjectToObject(sspec, "multiorch");
	if (inject) {
		cJSON *pool = cJSON_AddObjectToObject(
			cJSON_AddObjectToObject(sspec, "pools"),
			MG_DEFAULT_POOL_NAME);

		cJSON_AddStringToObject(pool, "type", MG_DEFAULT_POOL_TYPE);
	}
	return shard;
}

/* Database `postgres`, table group `default`, shard `0-inf`. */
static void
system_catalogue(cJSON *spec, bool has_cells, bool inject)
{
	cJSON *db, *tg, *a;

	if (!nonempty_array(arr(spec, "databases"))) {
		a = cJSON_CreateArray();
		cJSON_AddItemToArray(a, named_default(MG_DEFAULT_DATABASE));
		put(spec, "databases", a);
	}
	cJSON_ArrayForEach(db, cJSON_GetObjectItemCaseSensitive(spec,
								"databases")) {
		if (!cJSON_IsObject(db))
			continue;
		if (!nonempty_array(arr(db, "tablegroups"))) {
			a = cJSON_CreateArray();
			cJSON_AddItemToArray(a,
					     named_default(MG_DEFAULT_TABLEGROUP));
			put(db, "tablegroups", a);
		}
		cJSON_ArrayForEach(tg, cJSON_GetObjectItemCaseSensitive(
					       db, "tablegroups")) {
			if (!cJSON_IsObject(tg) ||
			    nonempty_array(arr(tg, "shards")))
				continue;
			a = cJSON_CreateArray();
			cJSON_AddItemToArray(a, system_shard(has_cells, inject));
			put(tg, "shards", a);
		}
	}
}

bool
mg_resolve_static_defaults(cJSON *cluster, const struct mg_templates *t)
{
	static const char *const levels[] = {
		"pgctld", "multipooler", "multiorch", "multiadmin",
		"multigateway",
	};
	cJSON *spec, *x;
	bool inject;
	size_t i;

	spec = ensure(cluster, "spec");
	/* Images themselves are resolved at reconcile time (v0.11.1
	 * wrote them here). */
	default_str(ensure(spec, "images"), "imagePullPolicy",
		    MG_DEFAULT_IMAGE_PULL_POLICY);
	if (!obj(spec, "topologyPruning")) {
		x = cJSON_CreateObject();
		cJSON_AddTrueToObject(x, "enabled");
		put(spec, "topologyPruning", x);
	}
	default_str(spec, "durabilityPolicy", MG_DEFAULT_DURABILITY_POLICY);
	x = ensure(spec, "logLevels");
	for (i = 0; i < ARRAY_SIZE(levels); i++)
		default_str(x, levels[i], MG_DEFAULT_LOG_LEVEL);
	if (!obj(spec, "pvcDeletionPolicy")) {
		/* v0.11.1: Retain/Delete. */
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "whenDeleted",
					MG_DEFAULT_PVC_WHEN_DELETED);
		cJSON_AddStringToObject(x, "whenScaled",
					MG_DEFAULT_PVC_WHEN_SCALED);
		put(spec, "pvcDeletionPolicy", x);
	}
	if (!obj(spec, "backup"))
		put(spec, "backup", default_cluster_backup());

	/* The `default` pool goes inline unless a shard template may
	 * supply pools: one named in templateDefaults, or a `default`. */
	inject = !sval(obj(spec, "templateDefaults"), "shardTemplate") &&
		 !mg_templates_get(t, MG_TEMPLATE_SHARD,
				   MG_DEFAULT_TEMPLATE_NAME);
	system_catalogue(spec, count_cells(cluster) > 0, inject);
	return inject;
}

/* The shard's resolved spec as ShardInlineSpec (the webhook's step 3). */
static cJSON *
inline_shard_spec(const cJSON *resolved)
{
	cJSON *s = cJSON_CreateObject();

	copy_key(s, resolved, "multiorch");
	copy_key(s, resolved, "initdbArgs");
	copy_key(s, resolved, "postgresConfigRef");
	copy_key(s, resolved, "postgresConfig");
	copy_key(s, resolved, "pools");
	copy_key(s, resolved, "pvcDeletionPolicy");
	return s;
}

int
mg_resolve_each_shard(const cJSON *cluster, mg_resolve_shard_fn fn,
		      void *ctx)
{
	struct mg_shard_ref ref;
	cJSON *db, *tg, *sh;
	int rc;

	memset(&ref, 0, sizeof(ref));
	cJSON_ArrayForEach(db, arr(spec_of(cluster), "databases")) {
		ref.db = db;
		ref.tg_index = 0;
		cJSON_ArrayForEach(tg, arr(db, "tablegroups")) {
			ref.tg = tg;
			ref.shard_index = 0;
			cJSON_ArrayForEach(sh, arr(tg, "shards")) {
				ref.shard = sh;
				rc = fn(&ref, ctx);
				if (rc)
					return rc;
				ref.shard_index++;
			}
			ref.tg_index++;
		}
		ref.db_index++;
	}
	return 0;
}

struct webhook_ctx {
	const cJSON *cluster;
	const struct mg_templates *t;
	struct mg_err *err;
};

/* Step 3 for one shard that uses no template. */
static int
webhook_shard(const struct mg_shard_ref *ref, void *ctx)
{
	struct webhook_ctx *w = ctx;
	cJSON *resolved;
	int rc;

	if (!cJSON_IsObject(ref->shard) || sval(ref->shard, "shardTemplate"))
		return 0;
	rc = mg_resolve_shard(&resolved, w->cluster, ref->db_index,
			      ref->tg_index, ref->shard_index, false, w->t,
			      w->err);
	if (rc)
		return rc;
	put(ref->shard, "spec", inline_shard_spec(resolved));
	put(ref->shard, "backup", dup(obj(resolved, "backup")));
	cJSON_Delete(resolved);
	return 0;
}

/* Step 3 for the cells: each one without a template gets its spec. */
static int
webhook_cells(cJSON *cluster, const struct mg_templates *t,
	      struct mg_err *err)
{
	cJSON *cell, *x, *gw, *pl, *lt;
	size_t i = 0;
	int rc;

	cJSON_ArrayForEach(cell, arr(spec_of(cluster), "cells")) {
		if (cJSON_IsObject(cell) && !sval(cell, "cellTemplate")) {
			rc = mg_resolve_cell(&gw, &pl, &lt, cluster, i, t, err);
			if (rc)
				return rc;
			x = cJSON_CreateObject();
			cJSON_AddItemToObject(x, "multigateway", gw);
			if (pl)
				cJSON_AddItemToObject(
					x, "multigatewayPlacement", pl);
			if (lt)
				cJSON_AddItemToObject(x, "localTopoServer", lt);
			put(cell, "spec", x);
		}
		i++;
	}
	return 0;
}

int
mg_resolve_webhook_default(cJSON *cluster, const struct mg_templates *t,
			   struct mg_err *err)
{
	static const char *const td_keys[MG_TEMPLATE_KINDS] = {
		"coreTemplate", "cellTemplate", "shardTemplate"
	};
	cJSON *spec, *td, *x, *pl = NULL;
	bool core, cells_tpl, shards_tpl;
	size_t k;
	int rc;

	mg_resolve_static_defaults(cluster, t);
	spec = cJSON_GetObjectItemCaseSensitive(cluster, "spec");

	/* Step 2: promote implicit `default` templates. */
	for (k = 0; k < MG_TEMPLATE_KINDS; k++) {
		if (sval(obj(spec, "templateDefaults"), td_keys[k]) ||
		    !mg_templates_get(t, (enum mg_template_kind)k,
				      MG_DEFAULT_TEMPLATE_NAME))
			continue;
		td = ensure(spec, "templateDefaults");
		put_str(td, td_keys[k], MG_DEFAULT_TEMPLATE_NAME);
	}
	td = cJSON_GetObjectItemCaseSensitive(spec, "templateDefaults");
	core = sval(td, "coreTemplate") ||
	       mg_templates_get(t, MG_TEMPLATE_CORE, MG_DEFAULT_TEMPLATE_NAME);
	cells_tpl = sval(td, "cellTemplate") ||
		    mg_templates_get(t, MG_TEMPLATE_CELL,
				     MG_DEFAULT_TEMPLATE_NAME);
	shards_tpl = sval(td, "shardTemplate") ||
		     mg_templates_get(t, MG_TEMPLATE_SHARD,
				      MG_DEFAULT_TEMPLATE_NAME);

	/* Step 3: materialise components that use no template. */
	if (!core && !sval(obj(spec, "globalTopoServer"), "templateRef")) {
		rc = mg_resolve_global_topo(&x, cluster, t, err);
		if (rc)
			return rc;
		put(spec, "globalTopoServer", x);
	}
	if (!core && !sval(obj(spec, "multiadmin"), "templateRef")) {
		rc = mg_resolve_multiadmin(&x, &pl, cluster, t, err);
		if (rc)
			return rc;
		put(ensure(spec, "multiadmin"), "spec", x);
		if (pl)
			put(ensure(spec, "multiadmin"), "placement", pl);
	}
	if (!core && !sval(obj(spec, "multiadminWeb"), "templateRef")) {
		rc = mg_resolve_multiadmin_web(&x, cluster, t, err);
		if (rc)
			return rc;
		put(ensure(spec, "multiadminWeb"), "spec", x);
	}
	if (!cells_tpl) {
		rc = webhook_cells(cluster, t, err);
		if (rc)
			return rc;
	}
	if (!shards_tpl) {
		struct webhook_ctx w = { cluster, t, err };

		return mg_resolve_each_shard(cluster, webhook_shard, &w);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Child CRs                                                           */
/* ------------------------------------------------------------------ */

/* The standard labels and multigres.com/cluster (objmeta.h). */
static cJSON *
std_labels(const char *cluster, const char *component)
{
	struct mg_objmeta_ident id = { .cluster = cluster };
	cJSON *l = mg_objmeta_labels_new(cluster, component);

	mg_objmeta_add_ident(l, &id);
	return l;
}

/* {"multigres.com/project-ref": v} when the owner has one, else NULL. */
static cJSON *
project_ref_annotations(const cJSON *owner)
{
	const char *v = sval(obj(obj(owner, "metadata"), "annotations"),
			     MG_ANNOT_PROJECT_REF);
	cJSON *a;

	if (!v)
		return NULL;
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, MG_ANNOT_PROJECT_REF, v);
	return a;
}

/*
 * A new CR with metadata and a controller reference to owner (of kind
 * owner_kind; without a uid when the owner has none, objmeta.h); takes
 * labels and annotations.
 */
static cJSON *
new_cr(const char *kind, const char *name, const char *ns, cJSON *labels,
       cJSON *annotations, const cJSON *owner, const char *owner_kind)
{
	const char *oname = mg_json_str(owner, "metadata.name");
	struct mg_objmeta_owner o = { API_VERSION, owner_kind,
				      oname ? oname : "",
				      mg_json_str(owner, "metadata.uid") };
	cJSON *meta = mg_objmeta_new(name, ns, labels, annotations);

	mg_objmeta_set_owner(meta, &o);
	return mg_objmeta_object_new(API_VERSION, kind, meta);
}

static bool
pruning_enabled(const cJSON *spec)
{
	const cJSON *e = item(obj(spec, "topologyPruning"), "enabled");

	return !e || !cJSON_IsFalse(e);
}

static cJSON *
build_toposerver(const cJSON *cluster, const char *cname, const char *ns,
		 const cJSON *gt, struct mg_err *err)
{
	const cJSON *etcd = obj(gt, "etcd");
	cJSON *cr, *spec, *e, *global, *final;
	char *name = NULL;

	if (!etcd)
		return NULL;
	if (mg_name_global_topo(&name, cname, err))
		return NULL;
	cr = new_cr("TopoServer", name, ns,
		    std_labels(cname, MG_COMPONENT_GLOBAL_TOPO), NULL, cluster,
		    "MultigresCluster");
	free(name);
	spec = cJSON_AddObjectToObject(cr, "spec");
	e = cJSON_AddObjectToObject(spec, "etcd");
	copy_key(e, etcd, "image");
	copy_key(e, etcd, "replicas");
	copy_key(e, etcd, "storage");
	copy_key(e, etcd, "resources");
	copy_key(e, etcd, "rootPath");
	/* Etcd > GlobalTopoServer > MultigresCluster. */
	global = mg_resolve_merge_pvc_policy(obj(gt, "pvcDeletionPolicy"),
					     obj(spec_of(cluster),
						 "pvcDeletionPolicy"));
	final = mg_resolve_merge_pvc_policy(obj(etcd, "pvcDeletionPolicy"),
					    global);
	cJSON_Delete(global);
	if (final)
		cJSON_AddItemToObject(spec, "pvcDeletionPolicy", final);
	copy_key(spec, gt, "placement");
	normalize(spec, &s_toposerver_spec);
	return cr;
}

/* Cell spec.cells[i] as a Cell CR. */
static int
build_cell(cJSON **out, const cJSON *cluster, const char *cname,
	   const char *ns, size_t i, const cJSON *topo_ref,
	   const struct mg_templates *t, struct mg_err *err)
{
	const cJSON *spec = spec_of(cluster);
	const cJSON *cell = nth(arr(spec, "cells"), i), *c;
	const char *cellname = sval(cell, "name") ? sval(cell, "name") : "";
	cJSON *gw, *pl, *lt, *cr, *cs, *images, *labels, *all, *tr;
	char *name = NULL;
	int rc;

	*out = NULL;
	rc = mg_resolve_cell(&gw, &pl, &lt, cluster, i, t, err);
	if (rc)
		return rc;
	mg_name_cell_cr(&name, cname, cellname, NULL);
	labels = std_labels(cname, MG_COMPONENT_CELL);
	mg_objmeta_set(labels, MG_LABEL_CELL, cellname);
	cr = new_cr("Cell", name, ns, labels, project_ref_annotations(cluster),
		    cluster, "MultigresCluster");
	free(name);

	cs = cJSON_AddObjectToObject(cr, "spec");
	cJSON_AddStringToObject(cs, "name", cellname);
	copy_str(cs, cell, "zoneId");
	copy_str(cs, cell, "region");
	images = cJSON_AddObjectToObject(cs, "images");
	copy_str(images, obj(spec, "images"), "imagePullPolicy");
	copy_key(images, obj(spec, "images"), "imagePullSecrets");
	cJSON_AddStringToObject(
		images, "multigateway",
		sval(obj(spec, "images"), "multigateway") ?
			sval(obj(spec, "images"), "multigateway") :
			"");
	cJSON_AddItemToObject(cs, "multigateway", gw);
	if (pl)
		cJSON_AddItemToObject(cs, "multigatewayPlacement", pl);
	cJSON_AddItemToObject(cs, "globalTopoServer", dup(topo_ref));
	if (lt)
		cJSON_AddItemToObject(cs, "topoServer", lt);
	all = cJSON_CreateArray();
	cJSON_ArrayForEach(c, arr(spec, "cells"))
		if (sval(c, "name"))
			cJSON_AddItemToArray(all,
					     cJSON_CreateString(sval(c, "name")));
	if (all->child)
		cJSON_AddItemToObject(cs, "allCells", all);
	else
		cJSON_Delete(all);
	tr = cJSON_AddObjectToObject(cs, "topologyReconciliation");
	cJSON_AddTrueToObject(tr, "registerCell");
	cJSON_AddBoolToObject(tr, "prunePoolers", pruning_enabled(spec));
	copy_key(cs, spec, "observability");
	copy_key(cs, spec, "logLevels");
	/* Children get internalTLS on main, not in v0.11.1. */
	copy_key(cs, spec, "internalTLS");
	copy_str(cs, spec, "certCommonName");
	normalize(cs, &s_cell_spec);
	*out = cr;
	return 0;
}

/* cell name -> {node label: value} for cells with a zone or region. */
static cJSON *
cell_topology_labels(const cJSON *spec)
{
	const cJSON *c;
	cJSON *m = cJSON_CreateObject(), *l;

	cJSON_ArrayForEach(c, arr(spec, "cells")) {
		if (!sval(c, "name"))
			continue;
		if (sval(c, "zoneId")) {
			l = cJSON_CreateObject();
			cJSON_AddStringToObject(l, MG_NODE_LABEL_ZONE_ID,
						sval(c, "zoneId"));
		} else if (sval(c, "region")) {
			l = cJSON_CreateObject();
			cJSON_AddStringToObject(l, MG_NODE_LABEL_REGION,
						sval(c, "region"));
		} else {
			continue;
		}
		put(m, sval(c, "name"), l);
	}
	if (!m->child) {
		cJSON_Delete(m);
		return NULL;
	}
	normalize(m, &s_string_map);
	return m;
}

static void
add_shard_images(cJSON *images, const cJSON *spec_images)
{
	static const char *const keys[] = { "multiorch", "multipooler",
					    "postgres" };
	size_t i;

	copy_str(images, spec_images, "imagePullPolicy");
	copy_key(images, spec_images, "imagePullSecrets");
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		cJSON_AddStringToObject(images, keys[i],
					sval(spec_images, keys[i]) ?
						sval(spec_images, keys[i]) :
						"");
}

/* Table group (db, tg) as a TableGroup CR, with its shards resolved. */
static int
build_tablegroup(cJSON **out, const cJSON *cluster, const char *cname,
		 const char *ns, size_t dbi, size_t tgi, const cJSON *topo_ref,
		 const struct mg_templates *t, struct mg_err *err)
{
	const cJSON *spec = spec_of(cluster);
	const cJSON *db = nth(arr(spec, "databases"), dbi);
	const cJSON *tg = nth(arr(db, "tablegroups"), tgi), *sh;
	const char *dbname = sval(db, "name") ? sval(db, "name") : "";
	const char *tgname = sval(tg, "name") ? sval(tg, "name") : "";
	const char *dur;
	cJSON *cr, *ts, *shards, *resolved, *labels, *x, *b1;
	char *name = NULL;
	size_t si = 0;

	*out = NULL;
	shards = cJSON_CreateArray();
	cJSON_ArrayForEach(sh, arr(tg, "shards")) {
		int rc = mg_resolve_shard(&resolved, cluster, dbi, tgi, si++,
					  true, t, err);

		if (rc) {
			cJSON_Delete(shards);
			return rc;
		}
		cJSON_AddItemToArray(shards, resolved);
	}

	mg_name_tablegroup_cr(&name, cname, dbname, tgname, NULL);
	labels = std_labels(cname, MG_COMPONENT_TABLEGROUP);
	mg_objmeta_set(labels, MG_LABEL_DATABASE, dbname);
	mg_objmeta_set(labels, MG_LABEL_TABLEGROUP, tgname);
	cr = new_cr("TableGroup", name, ns, labels,
		    project_ref_annotations(cluster), cluster,
		    "MultigresCluster");
	free(name);

	ts = cJSON_AddObjectToObject(cr, "spec");
	cJSON_AddStringToObject(ts, "databaseName", dbname);
	cJSON_AddStringToObject(ts, "tableGroupName", tgname);
	if (cJSON_IsTrue(item(tg, "default")))
		cJSON_AddTrueToObject(ts, "default");
	add_shard_images(cJSON_AddObjectToObject(ts, "images"),
			 obj(spec, "images"));
	cJSON_AddItemToObject(ts, "globalTopoServer", dup(topo_ref));
	cJSON_AddItemToObject(ts, "shards", shards);
	x = mg_resolve_merge_pvc_policy(obj(tg, "pvcDeletionPolicy"),
					obj(spec, "pvcDeletionPolicy"));
	if (x)
		cJSON_AddItemToObject(ts, "pvcDeletionPolicy", x);
	copy_key(ts, spec, "internalTLS");
	copy_key(ts, spec, "observability");
	copy_key(ts, spec, "logLevels");
	normalize(cJSON_GetObjectItemCaseSensitive(ts, "logLevels"),
		  &s_log_levels);
	b1 = mg_resolve_merge_backup(obj(db, "backup"), obj(spec, "backup"));
	x = mg_resolve_merge_backup(obj(tg, "backup"), b1);
	cJSON_Delete(b1);
	if (x) {
		normalize(x, &s_backup);
		cJSON_AddItemToObject(ts, "backup", x);
	}
	x = cell_topology_labels(spec);
	if (x)
		cJSON_AddItemToObject(ts, "cellTopologyLabels", x);
	copy_key(ts, spec, "topologyPruning");
	dur = sval(db, "durabilityPolicy");
	if (!dur)
		dur = sval(spec, "durabilityPolicy");
	if (dur)
		cJSON_AddStringToObject(ts, "durabilityPolicy", dur);
	copy_str(ts, spec, "postgresSuperuser");
	x = dup(obj(spec, "postgresPasswordSecretRef"));
	if (!x) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", "");
		cJSON_AddStringToObject(x, "key", "");
	}
	cJSON_AddItemToObject(ts, "postgresPasswordSecretRef", x);
	normalize(ts, &s_tablegroup_spec);
	*out = cr;
	return 0;
}

cJSON *
mg_resolve_shard_cr(const cJSON *tablegroup, const cJSON *shard)
{
	const cJSON *ts = obj(tablegroup, "spec"), *p;
	const char *cname = sval(obj(obj(tablegroup, "metadata"), "labels"),
				 MG_LABEL_CLUSTER);
	struct mg_name_shard_key key;
	cJSON *cr, *ss, *labels, *x;
	char *name = NULL;
	long long total = 0;

	key.cluster = cname ? cname : "";
	key.database = sval(ts, "databaseName") ? sval(ts, "databaseName") :
						  "";
	key.tablegroup = sval(ts, "tableGroupName") ?
				 sval(ts, "tableGroupName") :
				 "";
	key.shard = sval(shard, "name") ? sval(shard, "name") : "";
	mg_name_shard_cr(&name, &key, NULL);
	labels = std_labels(key.cluster, MG_COMPONENT_SHARD);
	mg_objmeta_set(labels, MG_LABEL_DATABASE, key.database);
	mg_objmeta_set(labels, MG_LABEL_TABLEGROUP, key.tablegroup);
	mg_objmeta_set(labels, MG_LABEL_SHARD, key.shard);
	cr = new_cr("Shard", name, mg_json_str(tablegroup, "metadata.namespace") ?
			 mg_json_str(tablegroup, "metadata.namespace") : "",
		    labels, project_ref_annotations(tablegroup), tablegroup,
		    "TableGroup");
	free(name);

	ss = cJSON_AddObjectToObject(cr, "spec");
	cJSON_AddStringToObject(ss, "databaseName", key.database);
	cJSON_AddStringToObject(ss, "tableGroupName", key.tablegroup);
	cJSON_AddStringToObject(ss, "shardName", key.shard);
	copy_key(ss, ts, "images");
	copy_key(ss, ts, "globalTopoServer");
	x = dup(obj(shard, "multiorch"));
	cJSON_AddItemToObject(ss, "multiorch", x ? x : cJSON_CreateObject());
	copy_str(ss, shard, "initdbArgs");
	copy_key(ss, shard, "postgresConfigRef");
	copy_key(ss, shard, "postgresConfig");
	x = dup(obj(shard, "pools"));
	cJSON_AddItemToObject(ss, "pools", x ? x : cJSON_CreateObject());
	/* Shard > TableGroup. */
	x = mg_resolve_merge_pvc_policy(obj(shard, "pvcDeletionPolicy"),
					obj(ts, "pvcDeletionPolicy"));
	if (x)
		cJSON_AddItemToObject(ss, "pvcDeletionPolicy", x);
	copy_key(ss, ts, "internalTLS");
	copy_key(ss, ts, "observability");
	copy_key(ss, ts, "logLevels");
	copy_key(ss, shard, "backup");
	copy_key(ss, ts, "topologyPruning");
	copy_str(ss, ts, "durabilityPolicy");
	copy_str(ss, ts, "postgresSuperuser");
	copy_key(ss, ts, "postgresPasswordSecretRef");
	copy_key(ss, ts, "cellTopologyLabels");
	cJSON_ArrayForEach(p, obj(shard, "pools"))
		total += mg_json_int(p, "replicasPerCell", 1) *
			 cJSON_GetArraySize(arr(p, "cells"));
	cJSON_AddNumberToObject(ss, "replicas", (double)total);
	normalize(ss, &s_shard_spec);
	return cr;
}

/* ------------------------------------------------------------------ */
/* The whole cluster                                                   */
/* ------------------------------------------------------------------ */

void
mg_resolved_release(struct mg_resolved *r)
{
	if (!r)
		return;
	cJSON_Delete(r->cluster);
	cJSON_Delete(r->global_topo);
	cJSON_Delete(r->global_topo_ref);
	cJSON_Delete(r->multiadmin);
	cJSON_Delete(r->multiadmin_placement);
	cJSON_Delete(r->multiadmin_web);
	cJSON_Delete(r->toposerver);
	cJSON_Delete(r->cells);
	cJSON_Delete(r->tablegroups);
	cJSON_Delete(r->shards);
	cJSON_Delete(r->resolved_templates);
	memset(r, 0, sizeof(*r));
}

/* Fills unset spec.images from the effective set (or the defaults). */
static void
complete_images(cJSON *cluster, const struct mg_image_set *given)
{
	struct mg_image_set defaults = MG_IMAGE_SET_INIT;
	const struct mg_image_set *set = given;
	cJSON *images = ensure(ensure(cluster, "spec"), "images");
	size_t i;

	if (!set) {
		mg_defaults_image_set(&defaults, NULL, NULL);
		set = &defaults;
	}
	for (i = 0; i < MG_IMAGE_SET_N; i++) {
		const struct mg_default_component *row =
			mg_defaults_component((enum mg_component)i);

		if (!sval(images, row->images_key) && set->image[i])
			put_str(images, row->images_key, set->image[i]);
	}
	normalize(images, &s_images);
	mg_image_set_release(&defaults);
}

int
mg_resolve_cluster(struct mg_resolved *out, const cJSON *cluster,
		   const struct mg_resolve_opts *opts, struct mg_err *err)
{
	static const struct mg_resolve_opts no_opts = MG_RESOLVE_OPTS_INIT;
	const struct mg_templates *t;
	const cJSON *spec, *db, *tg, *s;
	const char *cname, *ns;
	cJSON *x, *tgcr;
	size_t i, dbi, tgi;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &no_opts;
	t = opts->templates;
	if (!cJSON_IsObject(cluster))
		return mg_err_set(err, MG_EINVAL,
				  "a MultigresCluster must be an object");
	cname = mg_json_str(cluster, "metadata.name");
	if (!cname || !*cname)
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster without metadata.name");
	ns = mg_json_str(cluster, "metadata.namespace");
	if (!ns || !*ns)
		ns = opts->namespace ? opts->namespace : "default";

	out->cluster = dup(cluster);
	put_str(ensure(out->cluster, "metadata"), "namespace", ns);
	mg_resolve_static_defaults(out->cluster, t);
	complete_images(out->cluster, opts->images);
	spec = spec_of(out->cluster);

	rc = mg_resolve_global_topo(&out->global_topo, out->cluster, t, err);
	if (rc)
		goto out;
	out->global_topo_ref =
		mg_resolve_global_topo_ref(out->global_topo, cname, ns);
	rc = mg_resolve_multiadmin(&out->multiadmin, &out->multiadmin_placement,
				   out->cluster, t, err);
	if (rc)
		goto out;
	rc = mg_resolve_multiadmin_web(&out->multiadmin_web, out->cluster, t,
				       err);
	if (rc)
		goto out;
	if (obj(out->global_topo, "etcd")) {
		out->toposerver = build_toposerver(out->cluster, cname, ns,
						   out->global_topo, err);
		if (!out->toposerver) {
			rc = MG_EINVAL;
			goto out;
		}
	}

	out->cells = cJSON_CreateArray();
	for (i = 0; i < count_cells(out->cluster); i++) {
		rc = build_cell(&x, out->cluster, cname, ns, i,
				out->global_topo_ref, t, err);
		if (rc)
			goto out;
		cJSON_AddItemToArray(out->cells, x);
	}

	out->tablegroups = cJSON_CreateArray();
	out->shards = cJSON_CreateArray();
	dbi = 0;
	cJSON_ArrayForEach(db, arr(spec, "databases")) {
		tgi = 0;
		cJSON_ArrayForEach(tg, arr(db, "tablegroups")) {
			rc = build_tablegroup(&tgcr, out->cluster, cname, ns,
					      dbi, tgi, out->global_topo_ref, t,
					      err);
			if (rc)
				goto out;
			cJSON_AddItemToArray(out->tablegroups, tgcr);
			cJSON_ArrayForEach(s, arr(obj(tgcr, "spec"), "shards"))
				cJSON_AddItemToArray(out->shards,
						     mg_resolve_shard_cr(tgcr,
									 s));
			tgi++;
		}
		dbi++;
	}
	out->resolved_templates = mg_resolve_templates_in_use(out->cluster);
out:
	if (rc)
		mg_resolved_release(out);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */
/* ------------------------------------------------------------------ */

static cJSON *
render_metadata(const cJSON *meta)
{
	cJSON *m = cJSON_CreateObject(), *a;

	copy_str(m, meta, "name");
	copy_str(m, meta, "namespace");
	if (nonempty_object(obj(meta, "labels"))) {
		a = dup(obj(meta, "labels"));
		normalize(a, &s_string_map);
		cJSON_AddItemToObject(m, "labels", a);
	}
	if (nonempty_object(obj(meta, "annotations"))) {
		a = dup(obj(meta, "annotations"));
		put(a, "kubectl.kubernetes.io/last-applied-configuration", NULL);
		normalize(a, &s_string_map);
		if (a->child)
			cJSON_AddItemToObject(m, "annotations", a);
		else
			cJSON_Delete(a);
	}
	return m;
}

static cJSON *
render_cell(const cJSON *cfg, const cJSON *cr)
{
	const cJSON *cs = obj(cr, "spec");
	cJSON *c = cJSON_CreateObject(), *s;

	copy_str(c, cfg, "name");
	copy_str(c, cfg, "zoneId");
	copy_str(c, cfg, "region");
	s = cJSON_AddObjectToObject(c, "spec");
	copy_key(s, cs, "multigateway");
	copy_key(s, cs, "multigatewayPlacement");
	if (obj(cs, "topoServer"))
		cJSON_AddItemToObject(s, "localTopoServer",
				      dup(obj(cs, "topoServer")));
	return c;
}

static cJSON *
render_tablegroup(const cJSON *cfg, const cJSON *cr)
{
	const cJSON *sh;
	cJSON *tg = cJSON_CreateObject(), *shards;

	copy_key(tg, cfg, "name");
	copy_key(tg, cfg, "default");
	shards = cJSON_AddArrayToObject(tg, "shards");
	cJSON_ArrayForEach(sh, arr(obj(cr, "spec"), "shards")) {
		cJSON *s = cJSON_CreateObject(), *ss;

		copy_key(s, sh, "name");
		ss = cJSON_AddObjectToObject(s, "spec");
		copy_key(ss, sh, "multiorch");
		copy_key(ss, sh, "initdbArgs");
		copy_key(ss, sh, "postgresConfigRef");
		copy_key(ss, sh, "postgresConfig");
		copy_key(ss, sh, "pools");
		copy_key(ss, sh, "pvcDeletionPolicy");
		copy_key(s, sh, "backup");
		cJSON_AddItemToArray(shards, s);
	}
	copy_key(tg, cfg, "backup");
	copy_key(tg, cfg, "pvcDeletionPolicy");
	return tg;
}

/* The cluster's cells, each with its Cell CR's resolved spec. */
static cJSON *
render_cells(const cJSON *spec, const cJSON *cell_crs)
{
	const cJSON *c;
	cJSON *a = cJSON_CreateArray();
	size_t i = 0;

	cJSON_ArrayForEach(c, arr(spec, "cells"))
		cJSON_AddItemToArray(a, render_cell(c, nth(cell_crs, i++)));
	return a;
}

/* The databases, each table group with its TableGroup CR's shards. */
static cJSON *
render_databases(const cJSON *spec, const cJSON *tg_crs)
{
	const cJSON *db, *tg;
	cJSON *dbs = cJSON_CreateArray();
	size_t tgi = 0;

	cJSON_ArrayForEach(db, arr(spec, "databases")) {
		cJSON *d = cJSON_CreateObject(), *tgs;

		copy_key(d, db, "name");
		copy_key(d, db, "default");
		tgs = cJSON_AddArrayToObject(d, "tablegroups");
		cJSON_ArrayForEach(tg, arr(db, "tablegroups"))
			cJSON_AddItemToArray(
				tgs, render_tablegroup(tg, nth(tg_crs, tgi++)));
		copy_key(d, db, "backup");
		copy_key(d, db, "durabilityPolicy");
		cJSON_AddItemToArray(dbs, d);
	}
	return dbs;
}

static bool
rendered_key(const cJSON *os, const char *key)
{
	static const char *const handled[] = {
		"images", "imageUpdatePolicy", "logLevels", "templateDefaults",
		"globalTopoServer", "multiadmin", "multiadminWeb", "cells",
		"databases",
	};
	size_t i;

	if (cJSON_GetObjectItemCaseSensitive(os, key))
		return true;
	for (i = 0; i < ARRAY_SIZE(handled); i++)
		if (strcmp(key, handled[i]) == 0)
			return true;
	return false;
}

cJSON *
mg_resolve_render(const struct mg_resolved *r)
{
	static const char *const tail[] = {
		"pvcDeletionPolicy", "observability", "backup",
		"externalGateway", "externalAdminWeb", "topologyPruning",
		"durabilityPolicy", "postgresSuperuser",
		"postgresPasswordSecretRef", "internalTLS", "certCommonName",
	};
	const cJSON *spec, *it;
	cJSON *out, *os, *x;
	size_t i;

	if (!r || !r->cluster)
		return NULL;
	spec = spec_of(r->cluster);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "apiVersion", API_VERSION);
	cJSON_AddStringToObject(out, "kind", "MultigresCluster");
	cJSON_AddItemToObject(out, "metadata",
			      render_metadata(obj(r->cluster, "metadata")));
	os = cJSON_AddObjectToObject(out, "spec");
	copy_key(os, spec, "images");
	copy_key(os, spec, "imageUpdatePolicy");
	copy_key(os, spec, "logLevels");
	normalize(cJSON_GetObjectItemCaseSensitive(os, "logLevels"),
		  &s_log_levels);
	cJSON_AddItemToObject(os, "globalTopoServer", dup(r->global_topo));
	x = cJSON_AddObjectToObject(os, "multiadmin");
	cJSON_AddItemToObject(x, "spec", dup(r->multiadmin));
	if (r->multiadmin_placement)
		cJSON_AddItemToObject(x, "placement",
				      dup(r->multiadmin_placement));
	x = cJSON_AddObjectToObject(os, "multiadminWeb");
	cJSON_AddItemToObject(x, "spec", dup(r->multiadmin_web));
	if (arr(spec, "cells"))
		cJSON_AddItemToObject(os, "cells", render_cells(spec, r->cells));
	cJSON_AddItemToObject(os, "databases",
			      render_databases(spec, r->tablegroups));
	for (i = 0; i < ARRAY_SIZE(tail); i++)
		copy_key(os, spec, tail[i]);
	normalize(cJSON_GetObjectItemCaseSensitive(os, "backup"), &s_backup);
	/* Anything else the cluster carries, as given. */
	cJSON_ArrayForEach(it, spec)
		if (!rendered_key(os, it->string))
			cJSON_AddItemToObject(os, it->string, dup(it));
	normalize(os, &s_render_spec);
	return out;
}
