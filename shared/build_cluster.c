#include "compat.h"
#include "build_cluster.h"

#include "build_common.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "objmeta.h"
#include "xalloc.h"

#define must mg_build_must

#define TLS_DIR      "/etc/multiadmin/tls"

struct cluster {
	struct mg_build_ctx ctx;
	const cJSON *admin;       /* spec.multiadmin.spec (may be NULL) */
	const cJSON *admin_place; /* spec.multiadmin.placement */
	const cJSON *web;         /* spec.multiadminWeb.spec */
	char *topo_address;
	const char *topo_root;
	char *admin_name, *web_name, *gw_name;
};

/* spec.<block>.spec, refusing a template the caller did not resolve. */
static int
inline_spec(const cJSON **out, const struct cluster *c, const char *block,
	    struct mg_err *err)
{
	const cJSON *b = mg_json_get(c->ctx.spec, block);
	const cJSON *s = mg_json_get(b, "spec");
	const char *ref = mg_json_str(b, "templateRef");

	*out = cJSON_IsObject(s) ? s : NULL;
	if (!*out && ref && ref[0])
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster '%s': spec.%s.templateRef "
				  "'%s' is not resolved (build from a resolved "
				  "cluster)",
				  c->ctx.name, block, ref);
	return 0;
}

static int
read_topo(struct cluster *c, struct mg_err *err)
{
	const cJSON *g = mg_json_get(c->ctx.spec, "globalTopoServer");
	const cJSON *ext = mg_json_get(g, "external");
	const cJSON *etcd = mg_json_get(g, "etcd");
	const char *ref = mg_json_str(g, "templateRef");

	if (cJSON_IsObject(ext)) {
		const char *ep = mg_json_str(ext, "endpoints.0");

		if (!ep || !ep[0])
			return mg_err_set(err, MG_EINVAL,
					  "MultigresCluster '%s': "
					  "spec.globalTopoServer.external."
					  "endpoints is empty",
					  c->ctx.name);
		c->topo_address = mg_xstrdup(ep);
		c->topo_root = mg_json_str(ext, "rootPath");
		if (!c->topo_root || !c->topo_root[0])
			c->topo_root = MG_DEFAULT_GLOBAL_TOPO_ROOT;
		return 0;
	}
	if (!cJSON_IsObject(etcd)) {
		if (ref && ref[0])
			return mg_err_set(err, MG_EINVAL,
					  "MultigresCluster '%s': "
					  "spec.globalTopoServer.templateRef "
					  "'%s' is not resolved (build from a "
					  "resolved cluster)",
					  c->ctx.name, ref);
		return mg_err_set(err, MG_EINVAL,
				  "MultigresCluster '%s': "
				  "spec.globalTopoServer has neither etcd nor "
				  "external",
				  c->ctx.name);
	}
	c->topo_address = mg_xasprintf("%s-global-topo.%s.svc:%d",
				       c->ctx.cluster, c->ctx.namespace,
				       MG_PORT_ETCD_CLIENT);
	c->topo_root = mg_json_str(etcd, "rootPath");
	if (!c->topo_root || !c->topo_root[0])
		c->topo_root = MG_DEFAULT_GLOBAL_TOPO_ROOT;
	return 0;
}

static int
read_cluster(struct cluster *c, const cJSON *cr,
	     const struct mg_build_opts *opts, struct mg_err *err)
{
	int rc;

	rc = mg_build_ctx_init(&c->ctx, cr, "MultigresCluster", opts, err);
	if (!rc)
		rc = read_topo(c, err);
	if (!rc)
		rc = inline_spec(&c->admin, c, "multiadmin", err);
	if (!rc)
		rc = inline_spec(&c->web, c, "multiadminWeb", err);
	if (!rc)
		rc = mg_name_multiadmin(&c->admin_name, c->ctx.cluster, err);
	if (!rc)
		rc = mg_name_multiadmin_web(&c->web_name, c->ctx.cluster, err);
	if (!rc)
		rc = mg_name_gateway_global(&c->gw_name, c->ctx.cluster, err);
	c->admin_place = mg_json_get(c->ctx.spec, "multiadmin.placement");
	return rc;
}

static void
release_cluster(struct cluster *c)
{
	free(c->topo_address);
	free(c->admin_name);
	free(c->web_name);
	free(c->gw_name);
}

static cJSON *
cluster_labels(const struct cluster *c, const char *component)
{
	struct mg_objmeta_ident id = { .cluster = c->ctx.cluster };
	cJSON *l = mg_objmeta_labels_new(c->ctx.cluster, component);

	mg_objmeta_add_ident(l, &id);
	return l;
}

/* The image pull secrets of spec.images, on a pod spec. */
static void
add_pull_secrets(cJSON *pod, const struct cluster *c)
{
	const cJSON *s = mg_json_get(c->ctx.spec, "images.imagePullSecrets");

	if (cJSON_IsArray(s) && s->child)
		cJSON_AddItemToObject(pod, "imagePullSecrets",
				      must(cJSON_Duplicate(s, true)));
}

static const char *
image(const struct cluster *c, const char *field, enum mg_component comp)
{
	const cJSON *images = mg_json_get(c->ctx.spec, "images");
	const char *v = mg_json_str(images, field);

	return v && v[0] ? v : mg_defaults_component(comp)->image;
}

static cJSON *
pod_labels_new(const cJSON *labels, const cJSON *spec)
{
	cJSON *l = mg_objmeta_map_new(labels);

	mg_objmeta_merge_under(l, mg_json_get(spec, "podLabels"));
	return l;
}

static long
replicas(const cJSON *spec, enum mg_component comp)
{
	return mg_json_int(spec, "replicas",
			   mg_defaults_component(comp)->replicas);
}

static int
multiadmin_container(cJSON **out, const struct cluster *c, cJSON *volumes,
		     struct mg_err *err)
{
	const cJSON *obs = mg_json_get(c->ctx.spec, "observability");
	const char *level = mg_build_spec_str(&c->ctx, "logLevels.multiadmin");
	cJSON *ct, *args, *ports, *env, *mounts;
	char *cn = NULL, *cert = NULL;
	int rc = 0;

	*out = NULL;
	ct = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(ct, "name", "multiadmin"));
	must(cJSON_AddStringToObject(
		ct, "image", image(c, "multiadmin", MG_COMP_MULTIADMIN)));
	mg_build_add_str(must(cJSON_AddArrayToObject(ct, "command")),
			 "/multigres/bin/multiadmin");
	args = must(cJSON_AddArrayToObject(ct, "args"));
	{
		char *a[] = {
			mg_xasprintf("--http-port=%d", MG_PORT_MULTIADMIN_HTTP),
			mg_xasprintf("--grpc-port=%d", MG_PORT_MULTIADMIN_GRPC),
			mg_xasprintf("--topo-global-server-addresses=%s",
				     c->topo_address),
			mg_xasprintf("--topo-global-root=%s", c->topo_root),
			mg_xstrdup("--service-map=grpc-multiadmin"),
			mg_xstrdup("--pprof-http=true"),
			mg_xasprintf("--log-level=%s",
				     level ? level : MG_DEFAULT_LOG_LEVEL),
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(a); i++) {
			mg_build_add_str(args, a[i]);
			free(a[i]);
		}
	}
	ports = must(cJSON_AddArrayToObject(ct, "ports"));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "http", MG_PORT_MULTIADMIN_HTTP));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "grpc", MG_PORT_MULTIADMIN_GRPC));
	cJSON_AddItemToObject(ct, "resources",
			      mg_build_resources_new(mg_json_get(c->admin,
								 "resources"),
						     MG_COMP_MULTIADMIN));
	env = must(cJSON_CreateArray());
	mg_build_add_otel_env(env, obs, c->ctx.opts, NULL, NULL, NULL);
	if (env->child)
		cJSON_AddItemToObject(ct, "env", env);
	else
		cJSON_Delete(env);
	mounts = must(cJSON_CreateArray());
	mg_build_add_otel_sampling(obs, volumes, mounts);
	if (mg_build_internal_tls(c->ctx.spec)) {
		rc = mg_name_internal_cert(&cert, "multiadmin", c->ctx.cluster,
					   c->ctx.namespace, err);
		if (!rc)
			rc = mg_name_internal_cert(&cn, "multipooler",
						   c->ctx.cluster,
						   c->ctx.namespace, err);
		if (rc) {
			cJSON_Delete(mounts);
			goto out;
		}
		cJSON_AddItemToArray(volumes, mg_build_secret_volume_new(
						      "tls-certs", cert));
		cJSON_AddItemToArray(mounts,
				     mg_build_ro_mount_new("tls-certs", TLS_DIR));
		mg_build_add_tls_args(args, TLS_DIR, cn);
	}
	if (mounts->child)
		cJSON_AddItemToObject(ct, "volumeMounts", mounts);
	else
		cJSON_Delete(mounts);
	mg_build_add_probes(ct, MG_PORT_MULTIADMIN_HTTP, "/ready", "/live",
			    "/ready");
out:
	free(cert);
	free(cn);
	if (rc)
		cJSON_Delete(ct);
	else
		*out = ct;
	return rc;
}

static int
multiadmin(cJSON *list, const struct cluster *c, struct mg_err *err)
{
	cJSON *labels, *pod, *ct = NULL, *volumes, *v, *svc, *spec, *ports;
	int rc;

	volumes = must(cJSON_CreateArray());
	rc = multiadmin_container(&ct, c, volumes, err);
	if (rc) {
		cJSON_Delete(volumes);
		return rc;
	}
	pod = must(cJSON_CreateObject());
	add_pull_secrets(pod, c);
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(pod, "containers")),
			     ct);
	v = mg_json_get(c->admin, "affinity");
	if (cJSON_IsObject(v))
		cJSON_AddItemToObject(pod, "affinity",
				      must(cJSON_Duplicate(v, true)));
	v = mg_build_tolerations_new(c->admin_place);
	if (v)
		cJSON_AddItemToObject(pod, "tolerations", v);
	if (volumes->child)
		cJSON_AddItemToObject(pod, "volumes", volumes);
	else
		cJSON_Delete(volumes);

	labels = cluster_labels(c, MG_COMPONENT_MULTIADMIN);
	cJSON_AddItemToArray(
		list,
		mg_build_deployment_new(
			&c->ctx, c->admin_name, mg_objmeta_map_new(labels),
			replicas(c->admin, MG_COMP_MULTIADMIN),
			pod_labels_new(labels, c->admin),
			mg_objmeta_map_new(mg_json_get(c->admin,
						       "podAnnotations")),
			pod));

	svc = mg_build_service_new(&c->ctx, c->admin_name, labels, NULL);
	spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	cJSON_AddItemToObject(spec, "selector",
			      mg_objmeta_selector_new(labels));
	must(cJSON_AddStringToObject(spec, "type", "ClusterIP"));
	ports = must(cJSON_AddArrayToObject(spec, "ports"));
	cJSON_AddItemToArray(ports, mg_build_service_port_new(
					    "http", MG_PORT_MULTIADMIN_HTTP,
					    NULL));
	cJSON_AddItemToArray(ports, mg_build_service_port_new(
					    "grpc", MG_PORT_MULTIADMIN_GRPC,
					    NULL));
	cJSON_AddItemToArray(list, svc);
	return 0;
}

/*
 * The annotations and externalIPs of spec.<block> (externalGateway or
 * externalAdminWeb) on a Service, when enabled. Annotations go on
 * meta, external IPs on spec.
 */
static void
add_external(cJSON *svc, const struct cluster *c, const char *block)
{
	const cJSON *ext = mg_json_get(c->ctx.spec, block);
	const cJSON *ips = mg_json_get(ext, "externalIPs");
	const cJSON *ann = mg_json_get(ext, "annotations");

	if (!cJSON_IsTrue(mg_json_get(ext, "enabled")))
		return;
	if (cJSON_IsObject(ann) && ann->child)
		cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(svc,
								       "metadata"),
				      "annotations", mg_objmeta_map_new(ann));
	if (cJSON_IsArray(ips) && ips->child)
		cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(svc,
								       "spec"),
				      "externalIPs",
				      must(cJSON_Duplicate(ips, true)));
}

static void
multiadmin_web(cJSON *list, const struct cluster *c)
{
	const char *user = mg_build_spec_str(&c->ctx, "postgresSuperuser");
	cJSON *labels, *pod, *ct, *env, *v, *svc, *spec;
	char *s;

	ct = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(ct, "name", "multiadmin-web"));
	must(cJSON_AddStringToObject(ct, "image",
				     image(c, "multiadminWeb",
					   MG_COMP_MULTIADMIN_WEB)));
	env = must(cJSON_AddArrayToObject(ct, "env"));
	mg_build_add_env(env, "HOSTNAME", "::");
	s = mg_xasprintf("http://%s:%d", c->admin_name,
			 MG_PORT_MULTIADMIN_HTTP);
	mg_build_add_env(env, "MULTIADMIN_API_URL", s);
	free(s);
	mg_build_add_env(env, "POSTGRES_HOST", c->gw_name);
	s = mg_xasprintf("%d", MG_PORT_POSTGRES);
	mg_build_add_env(env, "POSTGRES_PORT", s);
	free(s);
	mg_build_add_env(env, "POSTGRES_DATABASE", MG_DEFAULT_DATABASE);
	mg_build_add_env(env, "POSTGRES_USER",
			 user ? user : MG_DEFAULT_POSTGRES_SUPERUSER);
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(ct, "ports")),
			     mg_build_container_port_new(
				     "http", MG_PORT_ADMIN_WEB_HTTP));
	cJSON_AddItemToObject(ct, "resources",
			      mg_build_resources_new(mg_json_get(c->web,
								 "resources"),
						     MG_COMP_MULTIADMIN_WEB));
	mg_build_add_probes(ct, MG_PORT_ADMIN_WEB_HTTP, "/", "/", "/");

	pod = must(cJSON_CreateObject());
	add_pull_secrets(pod, c);
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(pod, "containers")),
			     ct);
	v = mg_json_get(c->web, "affinity");
	if (cJSON_IsObject(v))
		cJSON_AddItemToObject(pod, "affinity",
				      must(cJSON_Duplicate(v, true)));

	labels = cluster_labels(c, MG_COMPONENT_MULTIADMIN_WEB);
	cJSON_AddItemToArray(
		list,
		mg_build_deployment_new(
			&c->ctx, c->web_name, mg_objmeta_map_new(labels),
			replicas(c->web, MG_COMP_MULTIADMIN_WEB),
			pod_labels_new(labels, c->web),
			mg_objmeta_map_new(mg_json_get(c->web,
						       "podAnnotations")),
			pod));

	svc = mg_build_service_new(&c->ctx, c->web_name, labels, NULL);
	spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	cJSON_AddItemToObject(spec, "selector",
			      mg_objmeta_selector_new(labels));
	must(cJSON_AddStringToObject(spec, "type", "ClusterIP"));
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(spec, "ports")),
			     mg_build_service_port_new(
				     "http", MG_PORT_ADMIN_WEB_HTTP, NULL));
	add_external(svc, c, "externalAdminWeb");
	cJSON_AddItemToArray(list, svc);
}

/* A cluster-wide gateway Service: every cell's multigateway pods. */
static void
gateway_service(cJSON *list, const struct cluster *c, const char *name,
		const char *port_name, int port, const char *external)
{
	cJSON *labels = cluster_labels(c, MG_COMPONENT_MULTIGATEWAY);
	cJSON *svc = mg_build_service_new(&c->ctx, name, labels, NULL);
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	cJSON *sel;

	/* No cell label: the pods of all cells. */
	sel = must(cJSON_AddObjectToObject(spec, "selector"));
	mg_objmeta_set(sel, MG_LABEL_APP_COMPONENT, MG_COMPONENT_MULTIGATEWAY);
	mg_objmeta_set(sel, MG_LABEL_APP_INSTANCE, c->ctx.cluster);
	must(cJSON_AddStringToObject(spec, "type", "ClusterIP"));
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(spec, "ports")),
			     mg_build_service_port_new(port_name, port,
						       port_name));
	if (external)
		add_external(svc, c, external);
	cJSON_AddItemToArray(list, svc);
}

int
mg_build_cluster_objects(const cJSON *cr, const struct mg_build_opts *opts,
			 cJSON *out, struct mg_err *err)
{
	struct cluster c;
	cJSON *list = NULL;
	char *replica = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = read_cluster(&c, cr, opts, err);
	if (!rc)
		rc = mg_name_gateway_replica(&replica, c.ctx.cluster, err);
	if (rc)
		goto out;
	list = must(cJSON_CreateArray());
	rc = multiadmin(list, &c, err);
	if (rc)
		goto out;
	multiadmin_web(list, &c);
	gateway_service(list, &c, c.gw_name, "postgres", MG_PORT_POSTGRES,
			"externalGateway");
	gateway_service(list, &c, replica, "pg-replica",
			MG_PORT_POSTGRES_REPLICA, NULL);
	mg_build_move_all(out, list);
out:
	cJSON_Delete(list);
	free(replica);
	release_cluster(&c);
	return rc;
}
