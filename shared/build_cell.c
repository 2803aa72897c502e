#include "compat.h"
#include "build_cell.h"

#include "build_common.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "objmeta.h"
#include "xalloc.h"

#define must mg_build_must

#define TLS_DIR          "/etc/multigateway/tls"
#define TLS_INTERNAL_DIR "/etc/multigateway/tls-internal"

struct cell {
	struct mg_build_ctx ctx;
	const char *cell; /* spec.name */
	const char *zone_id, *region;
	const char *topo_address, *topo_root;
};

static int
read_cell(struct cell *c, const cJSON *cr, const struct mg_build_opts *opts,
	  struct mg_err *err)
{
	int rc;

	rc = mg_build_ctx_init(&c->ctx, cr, "Cell", opts, err);
	if (rc)
		return rc;
	c->cell = mg_build_spec_str(&c->ctx, "name");
	if (!c->cell)
		return mg_err_set(err, MG_EINVAL,
				  "Cell '%s': spec.name is missing",
				  c->ctx.name);
	c->zone_id = mg_build_spec_str(&c->ctx, "zoneId");
	c->region = mg_build_spec_str(&c->ctx, "region");
	c->topo_address = mg_build_spec_str(&c->ctx, "globalTopoServer.address");
	c->topo_root = mg_build_spec_str(&c->ctx, "globalTopoServer.rootPath");
	if (!c->topo_address || !c->topo_root)
		return mg_err_set(err, MG_EINVAL,
				  "Cell '%s': spec.globalTopoServer.address "
				  "and rootPath are required",
				  c->ctx.name);
	return 0;
}

/* The local TopoServer CR, when the cell has a managed etcd. */
static int
local_topo(cJSON *list, const struct cell *c, struct mg_err *err)
{
	const cJSON *etcd = mg_json_get(c->ctx.spec, "topoServer.etcd");
	const cJSON *policy;
	struct mg_objmeta_ident id = { .cluster = c->ctx.cluster,
				       .cell = c->cell };
	cJSON *labels, *ts, *spec;
	char *name = NULL;
	int rc;

	if (!cJSON_IsObject(etcd))
		return 0;
	rc = mg_name_local_topo(&name, c->ctx.name, err);
	if (rc)
		return rc;
	labels = mg_objmeta_labels_new(c->ctx.cluster, MG_COMPONENT_LOCAL_TOPO);
	mg_objmeta_add_ident(labels, &id);
	ts = mg_objmeta_object_new(MG_OBJMETA_API_VERSION, "TopoServer",
				   mg_build_meta_new(&c->ctx, name, labels,
						     NULL));
	spec = must(cJSON_AddObjectToObject(ts, "spec"));
	cJSON_AddItemToObject(spec, "etcd", must(cJSON_Duplicate(etcd, true)));
	policy = cJSON_GetObjectItemCaseSensitive(etcd, "pvcDeletionPolicy");
	if (cJSON_IsObject(policy))
		cJSON_AddItemToObject(spec, "pvcDeletionPolicy",
				      must(cJSON_Duplicate(policy, true)));
	cJSON_AddItemToArray(list, ts);
	free(name);
	return 0;
}

static cJSON *
gateway_labels(const struct cell *c)
{
	struct mg_objmeta_ident id = { .cell = c->cell };
	cJSON *l = mg_objmeta_labels_new(c->ctx.cluster,
					 MG_COMPONENT_MULTIGATEWAY);

	mg_objmeta_add_ident(l, &id);
	if (c->zone_id)
		mg_objmeta_set(l, MG_LABEL_ZONE_ID, c->zone_id);
	if (c->region)
		mg_objmeta_set(l, MG_LABEL_REGION, c->region);
	return l;
}

static void
add_pair(cJSON *args, const char *flag, const char *value)
{
	mg_build_add_str(args, flag);
	mg_build_add_str(args, value);
}

static void
add_pair_int(cJSON *args, const char *flag, long long value)
{
	char *v = mg_xasprintf("%lld", value);

	add_pair(args, flag, v);
	free(v);
}

/* The --buffer-* flags of the buffer fields that are set. */
static int
buffer_args(cJSON *args, const struct cell *c, struct mg_err *err)
{
	static const struct {
		const char *field, *flag;
	} durations[] = {
		{ "window", "--buffer-window" },
		{ "maxFailoverDuration", "--buffer-max-failover-duration" },
		{ "minTimeBetweenFailovers",
		  "--buffer-min-time-between-failovers" },
	};
	static const struct {
		const char *field, *flag;
	} ints[] = {
		{ "size", "--buffer-size" },
		{ "drainConcurrency", "--buffer-drain-concurrency" },
	};
	const cJSON *buf = mg_json_get(c->ctx.spec, "multigateway.buffer");
	const cJSON *v;
	size_t i;

	if (!cJSON_IsObject(buf))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(buf, "enabled");
	if (cJSON_IsBool(v))
		mg_build_add_str(args, cJSON_IsTrue(v) ? "--buffer-enabled=true"
							: "--buffer-enabled=false");
	for (i = 0; i < ARRAY_SIZE(durations); i++) {
		char *d = NULL, *what;
		int rc;

		v = cJSON_GetObjectItemCaseSensitive(buf, durations[i].field);
		if (!cJSON_IsString(v))
			continue;
		what = mg_xasprintf("Cell '%s': spec.multigateway.buffer.%s",
				    c->ctx.name, durations[i].field);
		rc = mg_build_go_duration(&d, v->valuestring, what, err);
		free(what);
		if (rc)
			return rc;
		add_pair(args, durations[i].flag, d);
		free(d);
	}
	for (i = 0; i < ARRAY_SIZE(ints); i++) {
		v = cJSON_GetObjectItemCaseSensitive(buf, ints[i].field);
		if (cJSON_IsNumber(v))
			add_pair_int(args, ints[i].flag,
				     mg_json_int(buf, ints[i].field, 0));
	}
	return 0;
}

static const char *
log_level(const struct cell *c)
{
	const char *v = mg_json_str(c->ctx.spec, "logLevels.multigateway");

	return v && v[0] ? v : MG_DEFAULT_LOG_LEVEL;
}

static int
gateway_container(cJSON **out, const struct cell *c, struct mg_err *err)
{
	static const struct {
		const char *name;
		int port;
	} ports[] = {
		{ "http", MG_PORT_GATEWAY_HTTP },
		{ "grpc", MG_PORT_GATEWAY_GRPC },
		{ "postgres", MG_PORT_POSTGRES },
		{ "pg-replica", MG_PORT_POSTGRES_REPLICA },
	};
	const cJSON *spec = c->ctx.spec;
	const cJSON *obs = mg_json_get(spec, "observability");
	const char *image = mg_build_spec_str(&c->ctx, "images.multigateway");
	cJSON *ct, *args, *p, *env, *mounts;
	char *pooler_cn = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	ct = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(ct, "name", "multigateway"));
	must(cJSON_AddStringToObject(
		ct, "image",
		image ? image
		      : mg_defaults_component(MG_COMP_MULTIGATEWAY)->image));
	args = must(cJSON_AddArrayToObject(ct, "args"));
	mg_build_add_str(args, "multigateway");
	add_pair_int(args, "--http-port", MG_PORT_GATEWAY_HTTP);
	add_pair_int(args, "--grpc-port", MG_PORT_GATEWAY_GRPC);
	add_pair_int(args, "--pg-port", MG_PORT_POSTGRES);
	add_pair_int(args, "--pg-replica-port", MG_PORT_POSTGRES_REPLICA);
	add_pair(args, "--topo-global-server-addresses", c->topo_address);
	add_pair(args, "--topo-global-root", c->topo_root);
	add_pair(args, "--cell", c->cell);
	add_pair(args, "--log-level", log_level(c));
	rc = buffer_args(args, c, err);
	if (rc)
		goto out;
	if (mg_build_internal_tls(spec)) {
		rc = mg_name_internal_cert(&pooler_cn, "multipooler",
					   c->ctx.cluster, c->ctx.namespace,
					   err);
		if (rc)
			goto out;
		mg_build_add_tls_args(args, TLS_INTERNAL_DIR, pooler_cn);
	}
	if (mg_build_spec_str(&c->ctx, "certCommonName")) {
		add_pair(args, "--pg-tls-cert-file", TLS_DIR "/tls.crt");
		add_pair(args, "--pg-tls-key-file", TLS_DIR "/tls.key");
	}
	p = must(cJSON_AddArrayToObject(ct, "ports"));
	for (i = 0; i < ARRAY_SIZE(ports); i++)
		cJSON_AddItemToArray(p, mg_build_container_port_new(
						ports[i].name, ports[i].port));
	env = must(cJSON_CreateArray());
	mg_build_add_otel_env(env, obs, c->ctx.opts, c->ctx.project,
			      c->ctx.cluster, MG_COMPONENT_MULTIGATEWAY);
	if (env->child)
		cJSON_AddItemToObject(ct, "env", env);
	else
		cJSON_Delete(env);
	cJSON_AddItemToObject(ct, "resources",
			      mg_build_resources_new(
				      mg_json_get(spec, "multigateway.resources"),
				      MG_COMP_MULTIGATEWAY));
	mounts = must(cJSON_CreateArray());
	mg_build_add_otel_sampling(obs, NULL, mounts);
	if (mg_build_internal_tls(spec))
		cJSON_AddItemToArray(mounts,
				     mg_build_ro_mount_new("tls-certs-internal",
							   TLS_INTERNAL_DIR));
	if (mg_build_spec_str(&c->ctx, "certCommonName"))
		cJSON_AddItemToArray(mounts,
				     mg_build_ro_mount_new("tls-certs", TLS_DIR));
	if (mounts->child)
		cJSON_AddItemToObject(ct, "volumeMounts", mounts);
	else
		cJSON_Delete(mounts);
	mg_build_add_probes(ct, MG_PORT_GATEWAY_HTTP, "/ready", "/live",
			    "/ready");
out:
	free(pooler_cn);
	if (rc)
		cJSON_Delete(ct);
	else
		*out = ct;
	return rc;
}

/* The gateway pod spec; takes container. */
static int
gateway_pod(cJSON **out, const struct cell *c, cJSON *container,
	    struct mg_err *err)
{
	const cJSON *spec = c->ctx.spec;
	const cJSON *v;
	cJSON *pod, *volumes, *tol, *sel;
	char *cert = NULL;
	int rc = 0;

	*out = NULL;
	pod = must(cJSON_CreateObject());
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(pod, "containers")),
			     container);
	v = mg_json_get(spec, "multigateway.affinity");
	if (cJSON_IsObject(v))
		cJSON_AddItemToObject(pod, "affinity",
				      must(cJSON_Duplicate(v, true)));
	tol = mg_build_tolerations_new(
		mg_json_get(spec, "multigatewayPlacement"));
	if (tol)
		cJSON_AddItemToObject(pod, "tolerations", tol);
	if (c->zone_id || c->region) {
		sel = must(cJSON_AddObjectToObject(pod, "nodeSelector"));
		if (c->zone_id)
			mg_objmeta_set(sel, MG_NODE_LABEL_ZONE_ID, c->zone_id);
		else
			mg_objmeta_set(sel, MG_NODE_LABEL_REGION, c->region);
	}
	volumes = must(cJSON_AddArrayToObject(pod, "volumes"));
	mg_build_add_otel_sampling(mg_json_get(spec, "observability"), volumes,
				   NULL);
	if (mg_build_internal_tls(spec)) {
		rc = mg_name_internal_cert(&cert, "multigateway",
					   c->ctx.cluster, c->ctx.namespace,
					   err);
		if (rc)
			goto out;
		cJSON_AddItemToArray(volumes,
				     mg_build_secret_volume_new(
					     "tls-certs-internal", cert));
	}
	if (mg_build_spec_str(&c->ctx, "certCommonName"))
		cJSON_AddItemToArray(volumes,
				     mg_build_secret_volume_new(
					     "tls-certs",
					     MG_NAME_GATEWAY_TLS_SECRET));
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
gateway_deployment(cJSON *list, const struct cell *c, struct mg_err *err)
{
	const cJSON *gw = mg_json_get(c->ctx.spec, "multigateway");
	cJSON *labels, *ct = NULL, *pod = NULL;
	char *name = NULL;
	int rc;

	rc = mg_name_gateway_deployment(&name, c->ctx.cluster, c->cell, err);
	if (!rc)
		rc = gateway_container(&ct, c, err);
	if (!rc)
		rc = gateway_pod(&pod, c, ct, err);
	if (rc)
		goto out;
	labels = gateway_labels(c);
	cJSON_AddItemToArray(list, mg_build_stateless_deployment_new(
					   &c->ctx, name, labels, gw,
					   MG_COMP_MULTIGATEWAY, pod));
out:
	free(name);
	return rc;
}

static int
gateway_service(cJSON *list, const struct cell *c, struct mg_err *err)
{
	cJSON *labels, *svc, *spec, *ports;
	char *name = NULL;
	int rc;

	rc = mg_name_gateway_service(&name, c->ctx.cluster, c->cell, err);
	if (rc)
		return rc;
	labels = gateway_labels(c);
	svc = mg_build_service_new(&c->ctx, name, labels, NULL);
	spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	must(cJSON_AddStringToObject(spec, "type", "ClusterIP"));
	cJSON_AddItemToObject(spec, "selector",
			      mg_objmeta_selector_new(labels));
	ports = must(cJSON_AddArrayToObject(spec, "ports"));
	cJSON_AddItemToArray(ports, mg_build_service_port_new(
					    "http", MG_PORT_GATEWAY_HTTP, "http"));
	cJSON_AddItemToArray(ports, mg_build_service_port_new(
					    "grpc", MG_PORT_GATEWAY_GRPC, "grpc"));
	cJSON_AddItemToArray(ports,
			     mg_build_service_port_new(
				     "postgres", MG_PORT_POSTGRES, "postgres"));
	cJSON_AddItemToArray(list, svc);
	free(name);
	return 0;
}

int
mg_build_cell_objects(const cJSON *cr, const struct mg_build_opts *opts,
		      cJSON *out, struct mg_err *err)
{
	struct cell c;
	cJSON *list;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = read_cell(&c, cr, opts, err);
	if (rc)
		return rc;
	list = must(cJSON_CreateArray());
	rc = local_topo(list, &c, err);
	if (!rc)
		rc = gateway_deployment(list, &c, err);
	if (!rc)
		rc = gateway_service(list, &c, err);
	if (!rc)
		mg_build_move_all(out, list);
	cJSON_Delete(list);
	return rc;
}
