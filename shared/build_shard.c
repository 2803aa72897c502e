#include "compat.h"
#include "build_shard.h"

#include "build_common.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "objmeta.h"
#include "xalloc.h"

#define must mg_build_must

#define TLS_DIR "/etc/multigres/tls"

struct shard {
	struct mg_build_ctx ctx;
	struct mg_name_shard_key key;
	const cJSON *labels; /* the Shard's own labels (may be NULL) */
	const char *topo_address;
	const char *topo_root;
};

static int
read_shard(struct shard *s, const cJSON *cr, const struct mg_build_opts *opts,
	   struct mg_err *err)
{
	int rc;

	rc = mg_build_ctx_init(&s->ctx, cr, "Shard", opts, err);
	if (rc)
		return rc;
	s->key.cluster = s->ctx.cluster;
	s->key.database = mg_build_spec_str(&s->ctx, "databaseName");
	s->key.tablegroup = mg_build_spec_str(&s->ctx, "tableGroupName");
	s->key.shard = mg_build_spec_str(&s->ctx, "shardName");
	if (!s->key.database || !s->key.tablegroup || !s->key.shard)
		return mg_err_set(err, MG_EINVAL,
				  "Shard '%s': spec.databaseName, "
				  "spec.tableGroupName and spec.shardName are "
				  "required",
				  s->ctx.name);
	s->topo_address = mg_build_spec_str(&s->ctx, "globalTopoServer.address");
	s->topo_root = mg_build_spec_str(&s->ctx, "globalTopoServer.rootPath");
	if (!s->topo_address || !s->topo_root)
		return mg_err_set(err, MG_EINVAL,
				  "Shard '%s': spec.globalTopoServer.address "
				  "and rootPath are required",
				  s->ctx.name);
	s->labels = mg_json_get(cr, "metadata.labels");
	return 0;
}

/* Is name already one of the strings of array? */
static bool
has_str(const cJSON *array, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, array)
		if (strcmp(c->valuestring, name) == 0)
			return true;
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/*
 * The cells that get a multiorch: spec.multiorch.cells as listed when not
 * empty, else the sorted union of the pools' cells. A new array of
 * strings.
 */
static int
multiorch_cells(cJSON **out, const struct shard *s, struct mg_err *err)
{
	const cJSON *cells = mg_json_get(s->ctx.spec, "multiorch.cells");
	const cJSON *map = mg_json_get(s->ctx.spec, "pools");
	const cJSON *p, *c;
	const char **names = NULL;
	size_t n = 0, alloc = 0, i;
	cJSON *list;

	*out = NULL;
	list = must(cJSON_CreateArray());
	if (cJSON_IsArray(cells) && cells->child) {
		cJSON_ArrayForEach(c, cells)
			if (cJSON_IsString(c) && !has_str(list, c->valuestring))
				mg_build_add_str(list, c->valuestring);
		*out = list;
		return 0;
	}
	cJSON_ArrayForEach(p, map) {
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(p,
								      "cells")) {
			if (!cJSON_IsString(c))
				continue;
			for (i = 0; i < n; i++)
				if (strcmp(names[i], c->valuestring) == 0)
					break;
			if (i < n)
				continue;
			names = mg_xgrow(names, sizeof(*names), n + 1, &alloc);
			names[n++] = c->valuestring;
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++)
		mg_build_add_str(list, names[i]);
	free(names);
	if (!list->child) {
		cJSON_Delete(list);
		return mg_err_set(err, MG_EINVAL,
				  "Shard '%s': no multiorch cell: "
				  "spec.multiorch.cells is empty and no pool "
				  "has cells",
				  s->ctx.name);
	}
	*out = list;
	return 0;
}

static const char *
log_level(const struct shard *s, const char *component)
{
	const cJSON *levels = mg_json_get(s->ctx.spec, "logLevels");
	const char *v = mg_json_str(levels, component);

	return v && v[0] ? v : MG_DEFAULT_LOG_LEVEL;
}

/* Labels of the multiorch objects of one cell. */
static cJSON *
multiorch_labels(const struct shard *s, const char *cell)
{
	struct mg_objmeta_ident id = { .database = s->key.database,
				       .tablegroup = s->key.tablegroup,
				       .cell = cell };
	cJSON *l = mg_objmeta_labels_new(s->ctx.cluster,
					 MG_COMPONENT_MULTIORCH);

	mg_objmeta_add_ident(l, &id);
	mg_objmeta_merge_under(l, s->labels);
	return l;
}

static int
multiorch_container(cJSON **out, const struct shard *s, const char *cell,
		    struct mg_err *err)
{
	const cJSON *spec = s->ctx.spec;
	const cJSON *obs = mg_json_get(spec, "observability");
	const char *image = mg_build_spec_str(&s->ctx, "images.multiorch");
	cJSON *c, *args, *ports, *env, *mounts;
	char *pooler_cn = NULL;
	int rc = 0;

	*out = NULL;
	c = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(c, "name", "multiorch"));
	must(cJSON_AddStringToObject(
		c, "image",
		image ? image
		      : mg_defaults_component(MG_COMP_MULTIORCH)->image));
	args = must(cJSON_AddArrayToObject(c, "args"));
	{
		char *a[] = {
			mg_xasprintf("--http-port=%d", MG_PORT_MULTIORCH_HTTP),
			mg_xasprintf("--grpc-port=%d", MG_PORT_MULTIORCH_GRPC),
			mg_xasprintf("--topo-global-server-addresses=%s",
				     s->topo_address),
			mg_xasprintf("--topo-global-root=%s", s->topo_root),
			mg_xasprintf("--cell=%s", cell),
			mg_xasprintf("--watch-targets=%s/%s/%s",
				     s->key.database, s->key.tablegroup,
				     s->key.shard),
			mg_xasprintf("--log-level=%s",
				     log_level(s, "multiorch")),
		};
		size_t i;

		mg_build_add_str(args, "multiorch");
		for (i = 0; i < ARRAY_SIZE(a); i++) {
			mg_build_add_str(args, a[i]);
			free(a[i]);
		}
	}
	if (mg_build_internal_tls(spec)) {
		rc = mg_name_internal_cert(&pooler_cn, "multipooler",
					   s->ctx.cluster, s->ctx.namespace,
					   err);
		if (rc)
			goto out;
		mg_build_add_tls_args(args, TLS_DIR, pooler_cn);
	}
	ports = must(cJSON_AddArrayToObject(c, "ports"));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "http", MG_PORT_MULTIORCH_HTTP));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "grpc", MG_PORT_MULTIORCH_GRPC));
	env = must(cJSON_CreateArray());
	mg_build_add_otel_env(env, obs, s->ctx.opts, s->ctx.project,
			      s->ctx.cluster, MG_COMPONENT_MULTIORCH);
	if (env->child)
		cJSON_AddItemToObject(c, "env", env);
	else
		cJSON_Delete(env);
	cJSON_AddItemToObject(
		c, "resources",
		mg_build_resources_new(mg_json_get(spec, "multiorch.resources"),
				       MG_COMP_MULTIORCH));
	mounts = must(cJSON_CreateArray());
	mg_build_add_otel_sampling(obs, NULL, mounts);
	if (mg_build_internal_tls(spec))
		cJSON_AddItemToArray(mounts,
				     mg_build_ro_mount_new("tls-certs", TLS_DIR));
	if (mounts->child)
		cJSON_AddItemToObject(c, "volumeMounts", mounts);
	else
		cJSON_Delete(mounts);
	mg_build_add_probes(c, MG_PORT_MULTIORCH_HTTP, "/ready", "/live",
			    "/ready");
out:
	free(pooler_cn);
	if (rc)
		cJSON_Delete(c);
	else
		*out = c;
	return rc;
}

/* The pod spec of one cell's multiorch; takes container. */
static int
multiorch_pod(cJSON **out, const struct shard *s, const char *cell,
	      cJSON *container, struct mg_err *err)
{
	const cJSON *spec = s->ctx.spec;
	const cJSON *mo = mg_json_get(spec, "multiorch");
	const cJSON *v, *topo;
	cJSON *pod, *volumes, *tol;
	char *cert = NULL;
	int rc = 0;

	*out = NULL;
	pod = must(cJSON_CreateObject());
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(pod, "containers")),
			     container);
	topo = cJSON_GetObjectItemCaseSensitive(
		mg_json_get(spec, "cellTopologyLabels"), cell);
	if (cJSON_IsObject(topo) && topo->child)
		cJSON_AddItemToObject(pod, "nodeSelector",
				      mg_objmeta_map_new(topo));
	v = mg_json_get(mo, "affinity");
	if (cJSON_IsObject(v))
		cJSON_AddItemToObject(pod, "affinity",
				      must(cJSON_Duplicate(v, true)));
	tol = mg_build_tolerations_new(mg_json_get(mo, "placement"));
	if (tol)
		cJSON_AddItemToObject(pod, "tolerations", tol);
	volumes = must(cJSON_AddArrayToObject(pod, "volumes"));
	mg_build_add_otel_sampling(mg_json_get(spec, "observability"), volumes,
				   NULL);
	if (mg_build_internal_tls(spec)) {
		rc = mg_name_internal_cert(&cert, "multiorch", s->ctx.cluster,
					   s->ctx.namespace, err);
		if (rc)
			goto out;
		cJSON_AddItemToArray(volumes,
				     mg_build_secret_volume_new("tls-certs",
								cert));
	}
	if (!volumes->child)
		cJSON_DeleteItemFromObjectCaseSensitive(pod, "volumes");
out:
	free(cert);
	if (rc)
		cJSON_Delete(pod);
	else
		*out = pod;
	return rc;
}

static int
multiorch_deployment(cJSON *list, const struct shard *s, const char *cell,
		     struct mg_err *err)
{
	const cJSON *mo = mg_json_get(s->ctx.spec, "multiorch");
	cJSON *labels, *c = NULL, *pod = NULL;
	char *name = NULL;
	int rc;

	rc = mg_name_multiorch_deployment(&name, &s->key, cell, err);
	if (!rc)
		rc = multiorch_container(&c, s, cell, err);
	if (!rc)
		rc = multiorch_pod(&pod, s, cell, c, err);
	else
		cJSON_Delete(c);
	if (rc)
		goto out;
	labels = multiorch_labels(s, cell);
	cJSON_AddItemToArray(list, mg_build_stateless_deployment_new(
					   &s->ctx, name, labels, mo,
					   MG_COMP_MULTIORCH, pod));
out:
	free(name);
	return rc;
}

static int
multiorch_service(cJSON *list, const struct shard *s, const char *cell,
		  struct mg_err *err)
{
	cJSON *svc, *labels, *spec, *ports;
	char *name = NULL;
	int rc;

	rc = mg_name_multiorch_service(&name, &s->key, cell, err);
	if (rc)
		return rc;
	labels = multiorch_labels(s, cell);
	svc = mg_build_service_new(&s->ctx, name, labels, NULL);
	spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	must(cJSON_AddStringToObject(spec, "type", "ClusterIP"));
	cJSON_AddItemToObject(spec, "selector",
			      mg_objmeta_selector_new(labels));
	ports = must(cJSON_AddArrayToObject(spec, "ports"));
	cJSON_AddItemToArray(ports,
			     mg_build_service_port_new(
				     "http", MG_PORT_MULTIORCH_HTTP, "http"));
	cJSON_AddItemToArray(ports,
			     mg_build_service_port_new(
				     "grpc", MG_PORT_MULTIORCH_GRPC, "grpc"));
	cJSON_AddItemToArray(list, svc);
	free(name);
	return 0;
}

static int
backup_pvc(cJSON *list, const struct shard *s, struct mg_err *err)
{
	const cJSON *backup = mg_json_get(s->ctx.spec, "backup");
	const char *type = mg_json_str(backup, "type");
	const cJSON *storage = NULL, *modes;
	const char *size = NULL, *class = NULL, *when_deleted;
	struct mg_objmeta_ident id = { .cluster = s->ctx.cluster,
				       .database = s->key.database,
				       .tablegroup = s->key.tablegroup,
				       .shard = s->key.shard };
	cJSON *labels, *meta, *pvc, *spec, *req;
	char *name = NULL;
	int rc;

	if (type && strcmp(type, "s3") == 0)
		return 0;
	rc = mg_name_backup_pvc(&name, &s->key, err);
	if (rc)
		return rc;
	if (type && strcmp(type, "filesystem") == 0)
		storage = mg_json_get(backup, "filesystem.storage");
	size = mg_json_str(storage, "size");
	class = mg_json_str(storage, "class");
	modes = mg_json_get(storage, "accessModes");

	labels = mg_objmeta_labels_new(s->ctx.cluster,
				       MG_COMPONENT_SHARD_POOL);
	mg_objmeta_add_ident(labels, &id);
	when_deleted = mg_json_str(s->ctx.spec,
				   "pvcDeletionPolicy.whenDeleted");
	if (when_deleted && strcmp(when_deleted, "Delete") == 0)
		meta = mg_build_meta_new(&s->ctx, name, labels, NULL);
	else
		meta = mg_objmeta_new(name, s->ctx.namespace, labels, NULL);
	pvc = mg_objmeta_object_new("v1", "PersistentVolumeClaim", meta);
	spec = must(cJSON_AddObjectToObject(pvc, "spec"));
	if (cJSON_IsArray(modes) && modes->child) {
		cJSON_AddItemToObject(spec, "accessModes",
				      must(cJSON_Duplicate(modes, true)));
	} else {
		cJSON *m = must(cJSON_AddArrayToObject(spec, "accessModes"));

		mg_build_add_str(m, MG_DEFAULT_ACCESS_MODE);
	}
	req = must(cJSON_AddObjectToObject(
		must(cJSON_AddObjectToObject(spec, "resources")), "requests"));
	must(cJSON_AddStringToObject(req, "storage",
				     size && size[0]
					     ? size
					     : MG_DEFAULT_BACKUP_STORAGE_SIZE));
	if (class && class[0])
		must(cJSON_AddStringToObject(spec, "storageClassName", class));
	cJSON_AddItemToArray(list, pvc);
	free(name);
	return 0;
}

static int
pool_pdb(cJSON *list, const struct shard *s, const char *pool,
	 const char *cell, struct mg_err *err)
{
	struct mg_objmeta_ident id = { s->ctx.cluster,	 s->key.database,
				       s->key.tablegroup, s->key.shard,
				       pool,		 cell };
	cJSON *labels, *pdb, *spec, *sel;
	char *name = NULL;
	int rc;

	rc = mg_name_pool_pdb(&name, &s->key, pool, cell, err);
	if (rc)
		return rc;
	labels = mg_objmeta_labels_new(s->ctx.cluster,
				       MG_COMPONENT_SHARD_POOL);
	mg_objmeta_add_ident(labels, &id);
	sel = mg_objmeta_selector_new(labels);
	pdb = mg_objmeta_object_new("policy/v1", "PodDisruptionBudget",
				    mg_build_meta_new(&s->ctx, name, labels,
						      NULL));
	spec = must(cJSON_AddObjectToObject(pdb, "spec"));
	must(cJSON_AddNumberToObject(spec, "maxUnavailable", 1));
	cJSON_AddItemToObject(must(cJSON_AddObjectToObject(spec, "selector")),
			      "matchLabels", sel);
	cJSON_AddItemToArray(list, pdb);
	free(name);
	return 0;
}

cJSON *
mg_build_pool_labels_new(const struct mg_name_shard_key *key,
			 const cJSON *shard_labels, const char *pool,
			 const char *cell)
{
	struct mg_objmeta_ident id = { .database = key->database,
				       .tablegroup = key->tablegroup,
				       .shard = key->shard,
				       .pool = pool,
				       .cell = cell };
	cJSON *labels = mg_objmeta_labels_new(key->cluster,
					      MG_COMPONENT_SHARD_POOL);

	mg_objmeta_add_ident(labels, &id);
	mg_objmeta_merge_under(labels, shard_labels);
	return labels;
}

static int
pool_service(cJSON *list, const struct shard *s, const char *pool,
	     const char *cell, struct mg_err *err)
{
	static const struct {
		const char *name;
		int port;
	} ports[] = {
		{ "http", MG_PORT_MULTIPOOLER_HTTP },
		{ "grpc", MG_PORT_MULTIPOOLER_GRPC },
		{ "postgres", MG_PORT_POSTGRES },
		{ "metrics", MG_PORT_EXPORTER },
	};
	cJSON *labels, *svc, *spec, *p;
	char *name = NULL;
	size_t i;
	int rc;

	rc = mg_name_pool_headless(&name, &s->key, pool, cell, err);
	if (rc)
		return rc;
	labels = mg_build_pool_labels_new(&s->key, s->labels, pool, cell);
	svc = mg_build_service_new(&s->ctx, name, labels, NULL);
	spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	must(cJSON_AddStringToObject(spec, "clusterIP", "None"));
	cJSON_AddItemToObject(spec, "selector",
			      mg_objmeta_selector_new(labels));
	p = must(cJSON_AddArrayToObject(spec, "ports"));
	for (i = 0; i < ARRAY_SIZE(ports); i++)
		cJSON_AddItemToArray(p, mg_build_service_port_new(
						ports[i].name, ports[i].port,
						ports[i].name));
	must(cJSON_AddBoolToObject(spec, "publishNotReadyAddresses", true));
	cJSON_AddItemToArray(list, svc);
	free(name);
	return 0;
}

static int
cmp_items(const void *a, const void *b)
{
	const cJSON *const *x = a, *const *y = b;

	return strcmp((*x)->string, (*y)->string);
}

static int
pools(cJSON *list, const struct shard *s, struct mg_err *err)
{
	const cJSON *map = mg_json_get(s->ctx.spec, "pools");
	const cJSON **sorted = NULL, *p, *c;
	size_t n = 0, alloc = 0, i;
	int rc = 0;

	cJSON_ArrayForEach(p, map) {
		sorted = mg_xgrow(sorted, sizeof(*sorted), n + 1, &alloc);
		sorted[n++] = p;
	}
	if (n)
		qsort(sorted, n, sizeof(*sorted), cmp_items);
	for (i = 0; i < n && !rc; i++) {
		const cJSON *cells;

		p = sorted[i];
		cells = cJSON_GetObjectItemCaseSensitive(p, "cells");
		if (!cJSON_IsArray(cells) || !cells->child) {
			rc = mg_err_set(err, MG_EINVAL,
					"Shard '%s': spec.pools.%s.cells is "
					"empty",
					s->ctx.name, p->string);
			break;
		}
		cJSON_ArrayForEach(c, cells) {
			if (!cJSON_IsString(c))
				continue;
			rc = pool_pdb(list, s, p->string, c->valuestring, err);
			if (!rc)
				rc = pool_service(list, s, p->string,
						  c->valuestring, err);
			if (rc)
				break;
		}
	}
	free(sorted);
	return rc;
}

int
mg_build_shard_objects(const cJSON *cr, const struct mg_build_opts *opts,
		       cJSON *out, struct mg_err *err)
{
	struct shard s;
	cJSON *list = NULL, *cells = NULL;
	const cJSON *c;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = read_shard(&s, cr, opts, err);
	if (rc)
		return rc;
	rc = multiorch_cells(&cells, &s, err);
	if (rc)
		return rc;
	list = must(cJSON_CreateArray());
	cJSON_ArrayForEach(c, cells) {
		rc = multiorch_deployment(list, &s, c->valuestring, err);
		if (!rc)
			rc = multiorch_service(list, &s, c->valuestring, err);
		if (rc)
			goto out;
	}
	rc = backup_pvc(list, &s, err);
	if (!rc)
		rc = pools(list, &s, err);
	if (!rc)
		mg_build_move_all(out, list);
out:
	cJSON_Delete(cells);
	cJSON_Delete(list);
	return rc;
}
