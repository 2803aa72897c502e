#include "compat.h"
#include "build_topo.h"

#include <stdarg.h>

#include "buf.h"
#include "build_common.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "names.h"
#include "objmeta.h"
#include "xalloc.h"

#define must mg_build_must

#define DATA_DIR "/var/lib/etcd"

/*
 * Upstream has no upper bound; ours keeps ETCD_INITIAL_CLUSTER (one entry
 * per member) from growing without limit on a typing mistake.
 */
#define MAX_REPLICAS 999

struct topo {
	struct mg_build_ctx ctx;
	const cJSON *etcd; /* spec.etcd, may be NULL */
	char *headless;
	long replicas;
};

static cJSON *
topo_labels(const struct topo *t)
{
	cJSON *l = mg_objmeta_labels_new(t->ctx.cluster,
					 MG_COMPONENT_TOPOSERVER);

	mg_objmeta_merge_under(l, mg_json_get(t->ctx.cr, "metadata.labels"));
	return l;
}

static void
add_field_env(cJSON *env, const char *name, const char *path)
{
	cJSON *e = must(cJSON_CreateObject());
	cJSON *ref;

	must(cJSON_AddStringToObject(e, "name", name));
	ref = must(cJSON_AddObjectToObject(
		must(cJSON_AddObjectToObject(e, "valueFrom")), "fieldRef"));
	must(cJSON_AddStringToObject(ref, "fieldPath", path));
	cJSON_AddItemToArray(env, e);
}

static void
add_envf(cJSON *env, const char *name, const char *fmt, ...) MG_PRINTF(3, 4);

static void
add_envf(cJSON *env, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = mg_xvasprintf(fmt, ap);
	va_end(ap);
	mg_build_add_env(env, name, v);
	free(v);
}

static cJSON *
etcd_env(const struct topo *t)
{
	const char *name = t->ctx.name, *ns = t->ctx.namespace;
	cJSON *env = must(cJSON_CreateArray());
	struct mg_buf peers = MG_BUF_INIT;
	long i;

	add_field_env(env, "POD_NAME", "metadata.name");
	add_field_env(env, "POD_NAMESPACE", "metadata.namespace");
	mg_build_add_env(env, "ETCD_NAME", "$(POD_NAME)");
	mg_build_add_env(env, "ETCD_DATA_DIR", DATA_DIR);
	add_envf(env, "ETCD_LISTEN_CLIENT_URLS", "http://[::]:%d",
		 MG_PORT_ETCD_CLIENT);
	add_envf(env, "ETCD_LISTEN_PEER_URLS", "http://[::]:%d",
		 MG_PORT_ETCD_PEER);
	add_envf(env, "ETCD_LISTEN_METRICS_URLS", "http://[::]:%d",
		 MG_PORT_ETCD_METRICS);
	add_envf(env, "ETCD_ADVERTISE_CLIENT_URLS",
		 "http://$(POD_NAME).%s.$(POD_NAMESPACE).svc.cluster.local:%d",
		 t->headless, MG_PORT_ETCD_CLIENT);
	add_envf(env, "ETCD_INITIAL_ADVERTISE_PEER_URLS",
		 "http://$(POD_NAME).%s.$(POD_NAMESPACE).svc.cluster.local:%d",
		 t->headless, MG_PORT_ETCD_PEER);
	mg_build_add_env(env, "ETCD_INITIAL_CLUSTER_STATE", "new");
	mg_build_add_env(env, "ETCD_INITIAL_CLUSTER_TOKEN", name);
	for (i = 0; i < t->replicas; i++)
		mg_buf_addf(&peers,
			    "%s%s-%ld=http://%s-%ld.%s.%s.svc.cluster.local:%d",
			    i ? "," : "", name, i, name, i, t->headless, ns,
			    MG_PORT_ETCD_PEER);
	mg_build_add_env(env, "ETCD_INITIAL_CLUSTER", peers.data);
	mg_buf_release(&peers);
	return env;
}

static cJSON *
etcd_container(const struct topo *t)
{
	const char *image = mg_json_str(t->etcd, "image");
	cJSON *c = must(cJSON_CreateObject());
	cJSON *ports, *mounts, *m;

	must(cJSON_AddStringToObject(c, "name", "etcd"));
	must(cJSON_AddStringToObject(
		c, "image",
		image && image[0]
			? image
			: mg_defaults_component(MG_COMP_ETCD)->image));
	cJSON_AddItemToObject(c, "env", etcd_env(t));
	ports = must(cJSON_AddArrayToObject(c, "ports"));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "client", MG_PORT_ETCD_CLIENT));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "peer", MG_PORT_ETCD_PEER));
	cJSON_AddItemToArray(ports, mg_build_container_port_new(
					    "metrics", MG_PORT_ETCD_METRICS));
	cJSON_AddItemToObject(c, "resources",
			      mg_build_resources_new(mg_json_get(t->etcd,
								 "resources"),
						     MG_COMP_ETCD));
	mounts = must(cJSON_AddArrayToObject(c, "volumeMounts"));
	m = must(cJSON_CreateObject());
	must(cJSON_AddStringToObject(m, "name", "data"));
	must(cJSON_AddStringToObject(m, "mountPath", DATA_DIR));
	cJSON_AddItemToArray(mounts, m);
	mg_build_add_probes(c, MG_PORT_ETCD_METRICS, "/readyz", "/livez",
			    "/readyz");
	return c;
}

static cJSON *
claim_template(const struct topo *t)
{
	const cJSON *storage = mg_json_get(t->etcd, "storage");
	const cJSON *modes = mg_json_get(storage, "accessModes");
	const char *size = mg_json_str(storage, "size");
	const char *class = mg_json_str(storage, "class");
	cJSON *pvc = must(cJSON_CreateObject());
	cJSON *spec, *req;

	cJSON_AddItemToObject(pvc, "metadata",
			      mg_objmeta_new("data", NULL, NULL, NULL));
	spec = must(cJSON_AddObjectToObject(pvc, "spec"));
	if (cJSON_IsArray(modes) && modes->child) {
		cJSON_AddItemToObject(spec, "accessModes",
				      must(cJSON_Duplicate(modes, true)));
	} else {
		mg_build_add_str(must(cJSON_AddArrayToObject(spec,
							     "accessModes")),
				 MG_DEFAULT_ACCESS_MODE);
	}
	req = must(cJSON_AddObjectToObject(
		must(cJSON_AddObjectToObject(spec, "resources")), "requests"));
	must(cJSON_AddStringToObject(
		req, "storage",
		size && size[0] ? size : MG_DEFAULT_TOPOSERVER_STORAGE_SIZE));
	if (class && class[0])
		must(cJSON_AddStringToObject(spec, "storageClassName", class));
	return pvc;
}

static cJSON *
statefulset(const struct topo *t)
{
	const char *when_scaled = mg_json_str(t->ctx.spec,
					      "pvcDeletionPolicy.whenScaled");
	cJSON *labels = topo_labels(t);
	cJSON *sel = mg_objmeta_selector_new(labels);
	cJSON *tmpl_labels = mg_objmeta_map_new(labels);
	cJSON *sts, *spec, *tmpl, *pod, *tol, *ret;

	sts = mg_objmeta_object_new("apps/v1", "StatefulSet",
				    mg_build_meta_new(&t->ctx, t->ctx.name,
						      labels, NULL));
	spec = must(cJSON_AddObjectToObject(sts, "spec"));
	must(cJSON_AddStringToObject(spec, "serviceName", t->headless));
	must(cJSON_AddNumberToObject(spec, "replicas", (double)t->replicas));
	cJSON_AddItemToObject(must(cJSON_AddObjectToObject(spec, "selector")),
			      "matchLabels", sel);
	must(cJSON_AddStringToObject(spec, "podManagementPolicy", "Parallel"));
	must(cJSON_AddStringToObject(must(cJSON_AddObjectToObject(
					     spec, "updateStrategy")),
				     "type", "RollingUpdate"));
	tmpl = must(cJSON_AddObjectToObject(spec, "template"));
	cJSON_AddItemToObject(tmpl, "metadata",
			      mg_objmeta_new(NULL, NULL, tmpl_labels, NULL));
	pod = must(cJSON_AddObjectToObject(tmpl, "spec"));
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(pod, "containers")),
			     etcd_container(t));
	tol = mg_build_tolerations_new(mg_json_get(t->ctx.spec, "placement"));
	if (tol)
		cJSON_AddItemToObject(pod, "tolerations", tol);
	cJSON_AddItemToArray(must(cJSON_AddArrayToObject(
				     spec, "volumeClaimTemplates")),
			     claim_template(t));
	ret = must(cJSON_AddObjectToObject(
		spec, "persistentVolumeClaimRetentionPolicy"));
	must(cJSON_AddStringToObject(ret, "whenDeleted", "Retain"));
	must(cJSON_AddStringToObject(ret, "whenScaled",
				     when_scaled &&
						     strcmp(when_scaled,
							    "Delete") == 0
					     ? "Delete"
					     : "Retain"));
	return sts;
}

static cJSON *
service(const struct topo *t, const char *name, bool headless)
{
	cJSON *labels = topo_labels(t);
	cJSON *svc = mg_build_service_new(&t->ctx, name, labels, NULL);
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(svc, "spec");
	cJSON *ports;

	must(cJSON_AddStringToObject(spec, "ipFamilyPolicy",
				     "PreferDualStack"));
	if (headless)
		must(cJSON_AddStringToObject(spec, "clusterIP", "None"));
	else
		must(cJSON_AddStringToObject(spec, "type", "ClusterIP"));
	cJSON_AddItemToObject(spec, "selector",
			      mg_objmeta_selector_new(labels));
	ports = must(cJSON_AddArrayToObject(spec, "ports"));
	cJSON_AddItemToArray(ports,
			     mg_build_service_port_new(
				     "client", MG_PORT_ETCD_CLIENT, "client"));
	if (headless) {
		cJSON_AddItemToArray(ports,
				     mg_build_service_port_new(
					     "peer", MG_PORT_ETCD_PEER, "peer"));
		must(cJSON_AddBoolToObject(spec, "publishNotReadyAddresses",
					   true));
	}
	return svc;
}

int
mg_build_topo_objects(const cJSON *cr, const struct mg_build_opts *opts,
		      cJSON *out, struct mg_err *err)
{
	struct topo t;
	const cJSON *r;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = mg_build_ctx_init(&t.ctx, cr, "TopoServer", opts, err);
	if (rc)
		return rc;
	t.etcd = mg_json_get(t.ctx.spec, "etcd");
	if (!cJSON_IsObject(t.etcd))
		t.etcd = NULL;
	t.replicas = mg_defaults_component(MG_COMP_ETCD)->replicas;
	r = mg_json_get(t.etcd, "replicas");
	if (r) {
		t.replicas = mg_json_int(t.etcd, "replicas", -1);
		if (t.replicas < 1 || t.replicas > MAX_REPLICAS)
			return mg_err_set(err, MG_EINVAL,
					  "TopoServer '%s': spec.etcd.replicas "
					  "must be a whole number from 1 to %d",
					  t.ctx.name, MAX_REPLICAS);
	}
	rc = mg_name_topo_headless(&t.headless, t.ctx.name, err);
	if (rc)
		return rc;
	cJSON_AddItemToArray(out, statefulset(&t));
	cJSON_AddItemToArray(out, service(&t, t.headless, true));
	cJSON_AddItemToArray(out, service(&t, t.ctx.name, false));
	free(t.headless);
	return 0;
}
