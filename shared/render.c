/*
 * render.c - the rendered cluster and its children, and the input they
 * come from. See render.h for the steps and the order of the list.
 */
#include "compat.h"

#include "render.h"

#include "buf.h"
#include "build_cell.h"
#include "build_cluster.h"
#include "build_common.h"
#include "build_shard.h"
#include "build_topo.h"
#include "defaults.h"
#include "err.h"
#include "json.h"
#include "poolpod.h"
#include "resolve.h"
#include "schema.h"
#include "validate.h"
#include "xalloc.h"
#include "yaml_json.h"

#define CLUSTER_KIND "MultigresCluster"
#define OUR_GROUP    "multigres.com"
#define OUR_VERSION  "v1alpha1"

static cJSON *
must(cJSON *x)
{
	if (!x)
		MG_BUG("cJSON out of memory");
	return x;
}

static cJSON *
dup(const cJSON *x)
{
	return must(cJSON_Duplicate(x, true));
}

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

static const cJSON *
member(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key)
				 : NULL;
}

static const char *
str_member(const cJSON *o, const char *key)
{
	const cJSON *v = member(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
str_is(const cJSON *o, const char *key, const char *want)
{
	const char *v = str_member(o, key);

	return v && strcmp(v, want) == 0;
}

/* ------------------------------------------------------------------ */
/* Admission                                                           */
/* ------------------------------------------------------------------ */

/*
 * The CRD schema and its CEL rules on cluster (an update of opts->old
 * when given), as the API server checks an object; findings appended.
 */
static void
check_schema(const cJSON *cluster, const struct mg_render_opts *opts,
	     bool strict, struct mg_findings *f)
{
	mg_schema_validate_update(MG_KIND_MULTIGRESCLUSTER, cluster, opts->old,
				  strict ? MG_SCHEMA_STRICT : 0, f);
}

/* MG_EINVAL naming the first error among findings from `start` on. */
static int
first_error(const struct mg_findings *f, size_t start, struct mg_err *err)
{
	const struct mg_finding *first = NULL;
	size_t errors = 0, i;

	for (i = start; i < f->n; i++) {
		if (f->v[i].severity != MG_SEV_ERROR)
			continue;
		if (!first)
			first = &f->v[i];
		errors++;
	}
	if (!first)
		return 0;
	if (errors > 1)
		return mg_err_set(err, MG_EINVAL, "%s%s%s (and %zu more)",
				  first->path, first->path[0] ? ": " : "",
				  first->message, errors - 1);
	return mg_err_set(err, MG_EINVAL, "%s%s%s", first->path,
			  first->path[0] ? ": " : "", first->message);
}

/*
 * What the API server would run on a create (or, with opts->old, an
 * update): the schema on what was sent, the mutating webhook, the schema
 * on its result, the validating webhook. Findings from index f->n on are
 * this call's; the first error stops the render.
 */
static int
admit(const cJSON *cluster, const struct mg_templates *t, const char *ns,
      const struct mg_render_opts *opts, struct mg_findings *f,
      struct mg_err *err)
{
	struct mg_validate_opts vo = MG_VALIDATE_OPTS_INIT;
	struct mg_err merr = MG_ERR_INIT;
	size_t start = f->n;
	cJSON *mutated;
	int mrc, rc;

	/* A malformed object is refused before the webhooks see it. */
	check_schema(cluster, opts, opts->strict, f);
	rc = first_error(f, start, err);
	if (rc)
		return rc;
	mutated = dup(cluster);
	mrc = mg_resolve_webhook_default(mutated, t, &merr);
	if (mrc) {
		/* Validate what there is: the findings say it all. */
		cJSON_Delete(mutated);
		mutated = dup(cluster);
		mg_resolve_static_defaults(mutated, t);
	} else {
		check_schema(mutated, opts, false, f);
	}
	vo.templates = t;
	vo.namespace = ns;
	vo.has_default_storage_class = !opts->no_default_storage_class;
	vo.nodes = opts->nodes;
	rc = mg_validate_cluster(f, mutated, opts->old, &vo, err);
	cJSON_Delete(mutated);
	if (rc)
		return rc;
	rc = first_error(f, start, err);
	if (!rc && mrc)
		return mg_err_set(err, MG_EINVAL, "%s", merr.msg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Children                                                            */
/* ------------------------------------------------------------------ */

/* mg_defaults_env_fn over the operator's "NAME=value" list. */
static const char *
operator_env(const char *name, void *ctx)
{
	return mg_build_getenv(ctx, name);
}

static void
add_copies(cJSON *items, const cJSON *array)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, array)
		cJSON_AddItemToArray(items, dup(it));
}

/* The etcd objects of every TopoServer among objs, appended to items. */
static int
add_topo_objects(cJSON *items, const cJSON *objs,
		 const struct mg_build_opts *bo, struct mg_err *err)
{
	const cJSON *o;
	int rc;

	cJSON_ArrayForEach(o, objs) {
		if (!str_is(o, "kind", "TopoServer"))
			continue;
		rc = mg_build_topo_objects(o, bo, items, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* For every pool, cell and index: the pod, then its data PVC. */
static int
add_pool_pods(cJSON *items, const cJSON *shard,
	      const struct mg_poolpod_opts *po, struct mg_err *err)
{
	const cJSON *pool, *cell;
	cJSON *obj = NULL;
	long i;
	int rc;

	cJSON_ArrayForEach(pool, mg_json_get(shard, "spec.pools")) {
		long n = (long)mg_json_int(pool, "replicasPerCell", 1);

		cJSON_ArrayForEach(cell, member(pool, "cells")) {
			if (!cJSON_IsString(cell))
				continue;
			for (i = 0; i < n; i++) {
				rc = mg_poolpod_build(&obj, shard, pool->string,
						      cell->valuestring, i, po,
						      err);
				if (rc)
					return rc;
				cJSON_AddItemToArray(items, obj);
				rc = mg_poolpod_build_pvc(&obj, shard,
							  pool->string,
							  cell->valuestring, i,
							  po, err);
				if (rc)
					return rc;
				cJSON_AddItemToArray(items, obj);
			}
		}
	}
	return 0;
}

static int
add_children(cJSON *items, const struct mg_resolved *r,
	     const cJSON *rendered, const cJSON *input,
	     struct mg_build_opts *bo, struct mg_poolpod_opts *po,
	     struct mg_err *err)
{
	cJSON *tmp = NULL;
	const cJSON *o;
	int rc;

	if (r->toposerver)
		cJSON_AddItemToArray(items, dup(r->toposerver));
	add_copies(items, r->cells);
	add_copies(items, r->tablegroups);
	add_copies(items, r->shards);

	/* The rendered cluster has no uid; the input may have one. */
	bo->owner_uid = mg_json_str(input, "metadata.uid");
	rc = mg_build_cluster_objects(rendered, bo, items, err);
	bo->owner_uid = NULL;
	if (!rc && r->toposerver)
		rc = mg_build_topo_objects(r->toposerver, bo, items, err);
	cJSON_ArrayForEach(o, r->cells) {
		if (rc)
			break;
		tmp = must(cJSON_CreateArray());
		rc = mg_build_cell_objects(o, bo, tmp, err);
		if (!rc)
			rc = add_topo_objects(tmp, tmp, bo, err);
		mg_build_move_all(items, tmp);
		cJSON_Delete(tmp);
	}
	cJSON_ArrayForEach(o, r->shards) {
		if (rc)
			break;
		rc = mg_build_shard_objects(o, bo, items, err);
		if (!rc)
			rc = add_pool_pods(items, o, po, err);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Render                                                              */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* The CRD's defaults                                                  */
/* ------------------------------------------------------------------ */

/* The node of member `name` of object node n: a property, else the
 * node of the map's values, else 0. */
static uint16_t
member_node(const struct mg_schema_node *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->nprops; i++)
		if (strcmp(mg_schema_props[n->props + i].name, name) == 0)
			return mg_schema_props[n->props + i].node;
	return n->items;
}

static void
default_value(cJSON *v, uint16_t ni)
{
	const struct mg_schema_node *n;
	cJSON *c;

	if (ni == 0 || ni >= MG_SCHEMA_NNODES)
		return;
	n = &mg_schema_nodes[ni];
	if (n->flags & MG_SCHEMA_OBJECT_META)
		return;
	if (n->type == MG_SCHEMA_OBJECT && cJSON_IsObject(v)) {
		size_t i;

		for (i = 0; i < n->nprops; i++) {
			const struct mg_schema_prop *p =
				&mg_schema_props[n->props + i];
			const char *d = mg_schema_nodes[p->node].default_json;

			if (d && !cJSON_GetObjectItemCaseSensitive(v, p->name))
				cJSON_AddItemToObject(v, p->name,
						      must(cJSON_Parse(d)));
		}
		cJSON_ArrayForEach(c, v)
			default_value(c, member_node(n, c->string));
	} else if (n->type == MG_SCHEMA_ARRAY && cJSON_IsArray(v)) {
		cJSON_ArrayForEach(c, v)
			default_value(c, n->items);
	}
}

void
mg_render_schema_defaults(cJSON *obj)
{
	const char *kind = str_member(obj, "kind");
	size_t i;

	if (!str_is(obj, "apiVersion", MG_SCHEMA_API_VERSION) || !kind)
		return;
	for (i = 0; i < MG_KIND_COUNT; i++)
		if (strcmp(kind, mg_kind_infos[i].name) == 0)
			default_value(obj, mg_kind_infos[i].schema);
}

/* The cluster's namespace after step 1 of render.h, set in work. */
static int
settle_namespace(cJSON *work, const char *given, const char **ns,
		 struct mg_err *err)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(work, "metadata");
	const char *own = str_member(meta, "namespace");

	if (own && own[0] && given && given[0] && strcmp(own, given) != 0)
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster '%s': metadata.namespace "
				  "is '%s' but namespace '%s' was asked for",
				  str_member(meta, "name"), own, given);
	if (!own || !own[0])
		mg_json_set_str(meta, "namespace",
				given && given[0] ? given : "default");
	*ns = str_member(meta, "namespace");
	return 0;
}

static int
check_cluster(const cJSON *cluster, struct mg_err *err)
{
	const char *kind = str_member(cluster, "kind");
	const char *api = str_member(cluster, "apiVersion");
	const char *name = str_member(member(cluster, "metadata"), "name");

	if (!cJSON_IsObject(cluster))
		return mg_err_set(err, MG_EINVAL,
				  "a MultigresCluster must be a JSON object");
	if (kind && strcmp(kind, CLUSTER_KIND) != 0)
		return mg_err_set(err, MG_EINVAL,
				  "%s '%s' is not a MultigresCluster", kind,
				  or_empty(name));
	if (api && strcmp(api, OUR_GROUP "/" OUR_VERSION) != 0)
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster '%s': apiVersion '%s' is "
				  "not " OUR_GROUP "/" OUR_VERSION,
				  or_empty(name), api);
	if (!name || !name[0])
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster: metadata.name is missing");
	if (!cJSON_IsObject(member(cluster, "metadata")))
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster: metadata is not an "
				  "object");
	return 0;
}

int
mg_render(cJSON **out, const cJSON *cluster, const struct mg_templates *t,
	  const struct mg_render_opts *opts, struct mg_findings *findings,
	  struct mg_err *err)
{
	static const struct mg_render_opts no_opts = MG_RENDER_OPTS_INIT;
	struct mg_findings own = MG_FINDINGS_INIT;
	struct mg_findings *f = findings ? findings : &own;
	struct mg_build_opts bo = MG_BUILD_OPTS_INIT;
	struct mg_poolpod_opts po = MG_POOLPOD_OPTS_INIT;
	struct mg_resolve_opts ro = MG_RESOLVE_OPTS_INIT;
	struct mg_image_set available = MG_IMAGE_SET_INIT;
	struct mg_images_result images;
	struct mg_resolved r;
	cJSON *work = NULL, *list = NULL, *items, *rendered;
	const char *ns = NULL;
	int rc;

	*out = NULL;
	memset(&images, 0, sizeof(images));
	memset(&r, 0, sizeof(r));
	if (!opts)
		opts = &no_opts;
	rc = check_cluster(cluster, err);
	if (rc)
		goto out;
	work = dup(cluster);
	if (!str_member(work, "apiVersion"))
		mg_json_set_str(work, "apiVersion", MG_SCHEMA_API_VERSION);
	mg_render_schema_defaults(work);
	rc = settle_namespace(work, opts->namespace, &ns, err);
	if (rc)
		goto out;
	rc = admit(work, t, ns, opts, f, err);
	if (rc)
		goto out;

	bo.namespace = ns;
	bo.env = opts->operator_env;
	bo.preview = true;
	mg_defaults_image_set(&available, operator_env, &bo);
	rc = mg_images_resolve(&images, work, &available, NULL, err);
	if (rc)
		goto out;
	ro.templates = t;
	ro.images = &images.effective;
	ro.namespace = ns;
	rc = mg_resolve_cluster(&r, work, &ro, err);
	if (rc)
		goto out;

	list = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(list, "apiVersion", "v1"));
	must(cJSON_AddStringToObject(list, "kind", "List"));
	items = must(cJSON_AddArrayToObject(list, "items"));
	rendered = must(mg_resolve_render(&r));
	cJSON_AddItemToArray(items, rendered);
	if (opts->children) {
		po.namespace = ns;
		po.environ = opts->operator_env;
		rc = add_children(items, &r, rendered, cluster, &bo, &po, err);
		if (rc)
			goto out;
	}
	*out = list;
	list = NULL;
out:
	cJSON_Delete(list);
	cJSON_Delete(work);
	mg_resolved_release(&r);
	mg_images_result_release(&images);
	mg_image_set_release(&available);
	mg_findings_release(&own);
	return rc;
}

int
mg_render_emit(struct mg_buf *out, const cJSON *list,
	       enum mg_render_format format, struct mg_err *err)
{
	const cJSON *items = member(list, "items"), *it;
	struct mg_buf b = MG_BUF_INIT;
	int rc = 0;

	if (!cJSON_IsArray(items))
		return mg_err_set(err, MG_EINVAL,
				  "render: not a List of objects");
	if (format == MG_RENDER_JSON) {
		mg_json_print(&b, items->child && !items->child->next
					  ? items->child
					  : list,
			      true);
		mg_buf_addch(&b, '\n');
	} else {
		cJSON_ArrayForEach(it, items) {
			if (it != items->child)
				mg_buf_adds(&b, "---\n");
			rc = mg_yaml_emit(&b, it, err);
			if (rc)
				break;
		}
	}
	if (!rc)
		mg_buf_add(out, b.data, b.len);
	mg_buf_release(&b);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

void
mg_render_input_release(struct mg_render_input *in)
{
	if (!in)
		return;
	cJSON_Delete(in->objects);
	memset(in, 0, sizeof(*in));
}

/* Is apiVersion (may be NULL) one of the multigres.com group? */
static bool
is_ours(const char *api)
{
	size_t n = strlen(OUR_GROUP);

	return api && strncmp(api, OUR_GROUP, n) == 0 && api[n] == '/';
}

static bool
is_our_kind(const char *kind)
{
	size_t i;

	for (i = 0; i < MG_KIND_COUNT; i++)
		if (strcmp(kind, mg_kind_infos[i].name) == 0)
			return true;
	return false;
}

/* Checks one object; n counts the objects of the input (for messages). */
static int
check_object(const cJSON *o, const char *what, size_t n, struct mg_err *err)
{
	const char *kind = str_member(o, "kind");
	const char *api = str_member(o, "apiVersion");
	const char *name = str_member(member(o, "metadata"), "name");

	if (!cJSON_IsObject(o))
		return mg_err_set(err, MG_EINVAL,
				  "%s: object %zu: not a Kubernetes object "
				  "(a mapping with apiVersion and kind)",
				  what, n);
	if (!kind || !kind[0])
		return mg_err_set(err, MG_EINVAL,
				  "%s: object %zu%s%s%s: no kind", what, n,
				  name ? " '" : "", or_empty(name),
				  name ? "'" : "");
	if (!api || !api[0])
		return mg_err_set(err, MG_EINVAL,
				  "%s: object %zu (%s '%s'): no apiVersion",
				  what, n, kind, or_empty(name));
	if (!is_ours(api))
		return 0;
	if (!is_our_kind(kind))
		return mg_err_set(err, MG_EINVAL,
				  "%s: object %zu: unknown kind '%s' in %s "
				  "(it has MultigresCluster, CoreTemplate, "
				  "CellTemplate, ShardTemplate, Cell, "
				  "TableGroup, Shard and TopoServer)",
				  what, n, kind, api);
	if (strcmp(api, OUR_GROUP "/" OUR_VERSION) != 0)
		return mg_err_set(err, MG_EINVAL,
				  "%s: object %zu (%s '%s'): apiVersion '%s' "
				  "is not served, " OUR_GROUP "/" OUR_VERSION
				  " is",
				  what, n, kind, or_empty(name), api);
	return 0;
}

/*
 * Moves the objects of doc into objs, a List's items one by one (an item
 * without kind or apiVersion takes the List's).
 */
static void
flatten(cJSON *objs, cJSON *doc)
{
	const char *kind = str_member(doc, "kind");
	const char *api = str_member(doc, "apiVersion");
	cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items"), *it;
	size_t n = kind ? strlen(kind) : 0;

	if (n < 4 || strcmp(kind + n - 4, "List") != 0 ||
	    !cJSON_IsArray(items)) {
		cJSON_AddItemToArray(objs, doc);
		return;
	}
	while ((it = cJSON_DetachItemFromArray(items, 0))) {
		if (cJSON_IsObject(it) && !str_member(it, "kind") && n > 4) {
			char *k = mg_xstrndup(kind, n - 4);

			mg_json_set_str(it, "kind", k);
			free(k);
		}
		if (cJSON_IsObject(it) && !str_member(it, "apiVersion") && api)
			mg_json_set_str(it, "apiVersion", api);
		cJSON_AddItemToArray(objs, it);
	}
	cJSON_Delete(doc);
}

int
mg_render_input_add(struct mg_render_input *in, const char *data,
		    size_t len, const char *what, struct mg_err *err)
{
	cJSON *docs = NULL, *objs = NULL, *d, *o;
	size_t n = 0;
	int rc;

	rc = mg_yaml_parse_all(&docs, data, len, what, err);
	if (rc)
		return rc;
	objs = must(cJSON_CreateArray());
	while ((d = cJSON_DetachItemFromArray(docs, 0)))
		flatten(objs, d);
	cJSON_ArrayForEach(o, objs) {
		rc = check_object(o, what, ++n, err);
		if (rc)
			goto out;
	}
	if (!in->objects)
		in->objects = must(cJSON_CreateArray());
	while ((o = cJSON_DetachItemFromArray(objs, 0))) {
		const char *kind = str_member(o, "kind");
		enum mg_template_kind tk;

		mg_render_schema_defaults(o);
		if (is_ours(str_member(o, "apiVersion")) &&
		    strcmp(kind, CLUSTER_KIND) == 0)
			in->clusters++;
		else if (is_ours(str_member(o, "apiVersion")) &&
			 mg_template_kind_parse(kind, &tk))
			in->templates++;
		else
			in->others++;
		cJSON_AddItemToArray(in->objects, o);
	}
out:
	cJSON_Delete(objs);
	cJSON_Delete(docs);
	return rc;
}

static bool
is_cluster(const cJSON *o)
{
	return is_ours(str_member(o, "apiVersion")) &&
	       str_is(o, "kind", CLUSTER_KIND);
}

/* "'a', 'b' and 'c'": the clusters' names. */
static void
cluster_names(struct mg_buf *b, const struct mg_render_input *in)
{
	const cJSON *o;
	size_t k = 0;

	cJSON_ArrayForEach(o, in->objects) {
		if (!is_cluster(o))
			continue;
		if (k)
			mg_buf_adds(b, k + 1 == in->clusters ? " and " : ", ");
		mg_buf_addf(b, "'%s'",
			    or_empty(mg_json_str(o, "metadata.name")));
		k++;
	}
}

int
mg_render_input_cluster(const struct mg_render_input *in, const char *name,
			const cJSON **cluster, struct mg_err *err)
{
	struct mg_buf names = MG_BUF_INIT;
	const cJSON *o;
	int rc;

	*cluster = NULL;
	if (!in->clusters)
		return mg_err_set(err, MG_ENOTFOUND,
				  "no MultigresCluster in the input (%zu "
				  "template%s, %zu other object%s)",
				  in->templates, in->templates == 1 ? "" : "s",
				  in->others, in->others == 1 ? "" : "s");
	cJSON_ArrayForEach(o, in->objects) {
		if (!is_cluster(o))
			continue;
		if (name ? str_is(member(o, "metadata"), "name", name)
			 : in->clusters == 1) {
			*cluster = o;
			return 0;
		}
	}
	cluster_names(&names, in);
	if (name)
		rc = mg_err_set(err, MG_ENOTFOUND,
				"no MultigresCluster '%s' in the input (there "
				"%s %s)",
				name, in->clusters == 1 ? "is" : "are",
				names.data);
	else
		rc = mg_err_set(err, MG_EINVAL,
				"the input has %zu MultigresClusters (%s): "
				"name the one to render",
				in->clusters, names.data);
	mg_buf_release(&names);
	return rc;
}

int
mg_render_input_add_templates(const struct mg_render_input *in,
			      const char *namespace, struct mg_templates *t,
			      struct mg_err *err)
{
	const cJSON *o;
	int rc, n = 0;

	cJSON_ArrayForEach(o, in->objects) {
		const char *ns = mg_json_str(o, "metadata.namespace");
		enum mg_template_kind k;

		if (!is_ours(str_member(o, "apiVersion")) ||
		    !mg_template_kind_parse(or_empty(str_member(o, "kind")),
					    &k))
			continue;
		if (namespace && ns && ns[0] && strcmp(ns, namespace) != 0)
			continue;
		rc = mg_templates_add(t, o, err);
		if (rc)
			return rc;
		n++;
	}
	return n;
}

int
mg_render_input_templates(const struct mg_render_input *in,
			  const char *namespace, struct mg_templates **out,
			  struct mg_err *err)
{
	struct mg_templates *t = mg_templates_new();
	int rc;

	*out = NULL;
	rc = mg_render_input_add_templates(in, namespace, t, err);
	if (rc < 0) {
		mg_templates_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

bool
mg_render_default_storage_class(const cJSON *classes)
{
	static const char *const keys[] = {
		"storageclass.kubernetes.io/is-default-class",
		"storageclass.beta.kubernetes.io/is-default-class",
	};
	const cJSON *items = cJSON_IsArray(classes) ? classes
						     : member(classes, "items");
	const cJSON *sc;
	size_t i;

	cJSON_ArrayForEach(sc, items) {
		const cJSON *ann = member(member(sc, "metadata"), "annotations");

		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (str_is(ann, keys[i], "true"))
				return true;
	}
	return false;
}
