/*
 * render.h - what the operator would make of a MultigresCluster, offline.
 *
 * `kubectl multigres render` (issue #4): the cluster with every template
 * and default applied and, with children, every object the operator would
 * create for it, in a stable order with stable keys so two renders diff
 * well. The same code serves a cluster read from files (templates from
 * files too) and one read from the API server (templates listed there):
 * the front-end only gathers the objects and prints the result.
 *
 * The steps, all pure (resolve.h, validate.h, defaults.h, the builders):
 *
 *   1. the namespace: the cluster's metadata.namespace, else
 *      opts->namespace, else "default" (both given and different is
 *      MG_EINVAL, as kubectl refuses it);
 *   2. admission, as the API server would run it: the CRD schema and its
 *      CEL rules on the cluster as given (mg_schema_validate: types,
 *      lengths, patterns, the v1alpha1 catalogue of one database
 *      `postgres`, its default table group `default` and shards named
 *      `0-inf`...; with opts->old, as an update: cells and pools are
 *      append-only), and when that passes the mutating webhook
 *      (mg_resolve_webhook_default), the schema again on the mutated
 *      object, then the validating webhook (mg_validate_cluster, with
 *      opts->old). Every finding is appended to `findings`; any error
 *      stops the render: MG_EINVAL with the first error, "<field path>:
 *      <message>" (and how many more), in err. Schema messages are the
 *      API server's ("Too long: may not be more than 25 bytes", a CEL
 *      rule's "Invalid value: ...: <upstream's message>"). Warnings do
 *      not stop it: the front-end prints them on stderr;
 *   3. images as the operator resolves them (mg_images_resolve): spec
 *      images, else the operator's MULTIGRES_IMAGE_* (opts->operator_env),
 *      else the compiled defaults; under the lazy strategy a recorded set
 *      is kept as the operator keeps it;
 *   4. mg_resolve_cluster, then the rendered cluster (mg_resolve_render).
 *
 * The result is a kubectl List {"apiVersion":"v1","kind":"List",
 * "items":[...]} whose items are, in this order:
 *
 *   1. the rendered MultigresCluster (always; alone without children);
 *   with opts->children:
 *   2. the custom resources of mg_resolve_cluster: the global TopoServer
 *      (managed etcd only), the Cells (spec order), the TableGroups (spec
 *      order), the Shards (table group by table group);
 *   3. mg_build_cluster_objects: the multiadmin and multiadmin-web
 *      Deployments and Services, the two global gateway Services;
 *   4. mg_build_topo_objects of the global TopoServer: the etcd
 *      StatefulSet, its peer and client Services;
 *   5. for each Cell: mg_build_cell_objects (its local TopoServer when
 *      it has a managed etcd, the multigateway Deployment and Service),
 *      then the etcd objects of that local TopoServer;
 *   6. for each Shard: mg_build_shard_objects (multiorch Deployments and
 *      Services per cell, the backup PVC, the PDB and headless Service per
 *      pool x cell), then for each pool by name, each of its cells as
 *      listed and each index from 0 to replicasPerCell - 1: the pool Pod
 *      (with its multigres.com/spec-hash) followed by its data PVC.
 *
 * Children are shown, not created: objects whose owner has no uid (any
 * child of a cluster that has none, and every grandchild) carry owner
 * references without a uid (objmeta.h). Not rendered: the per-shard
 * ConfigMaps and generated Secrets (build_shard.h says why), and the
 * postgres config hash the operator keeps in memory.
 *
 * Inputs are borrowed; *out is the caller's (cJSON_Delete), NULL on error.
 */
#ifndef MG_RENDER_H
#define MG_RENDER_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;
struct mg_findings;
struct mg_templates;

struct mg_render_opts {
	/* Also the child objects (the order above). */
	bool children;
	/* For a cluster without metadata.namespace; NULL: "default". */
	const char *namespace;
	/*
	 * The operator's environment, "NAME=value" strings ending with NULL
	 * (e.g. read from its Deployment), or NULL for none:
	 * MULTIGRES_IMAGE_* override default images, OTEL_* give the
	 * data-plane containers their telemetry settings. Never the caller's
	 * own environment by accident: pass it on purpose.
	 */
	const char *const *operator_env;
	/*
	 * What admission would look up. Offline these are unknown: a default
	 * StorageClass is assumed to exist (set no_default_storage_class
	 * when one was looked for and not found) and zones are not checked
	 * (nodes NULL; else an array or a NodeList).
	 */
	bool no_default_storage_class;
	const cJSON *nodes;
	/*
	 * Unknown fields are errors (kubectl's --validate=strict): set it
	 * for input from users; objects read from the API server have none.
	 * Without it they pass, and are carried along where the API server
	 * would have pruned them.
	 */
	bool strict;
	/*
	 * The stored MultigresCluster when `cluster` is a new version of it
	 * (the file of a cluster that exists): admission runs as an update
	 * (the CRD's transition rules, the webhook's update rules). NULL: a
	 * create.
	 */
	const cJSON *old;
};

#define MG_RENDER_OPTS_INIT { false, NULL, NULL, false, NULL, false, NULL }

/*
 * Renders `cluster` (a MultigresCluster object) with the templates of its
 * namespace (`templates`, NULL for none) into *out, a List as above.
 * findings (may be NULL) gets every admission finding, warnings included,
 * also on error. Errors: MG_EINVAL (not a MultigresCluster, no name, a
 * namespace mismatch, an admission error - a missing template is one -,
 * an object that cannot be built); err names the field path.
 */
int mg_render(cJSON **out, const cJSON *cluster,
	      const struct mg_templates *templates,
	      const struct mg_render_opts *opts, struct mg_findings *findings,
	      struct mg_err *err);

enum mg_render_format {
	MG_RENDER_YAML, /* one document per item, "---" between them */
	MG_RENDER_JSON, /* the bare object when there is one item, else
			 * the List; indented, a newline at the end */
};

/*
 * Appends the List (mg_render's output) in the format. Keys keep the
 * order they have (mg_render's is stable). On error out is unchanged.
 */
int mg_render_emit(struct mg_buf *out, const cJSON *list,
		   enum mg_render_format format, struct mg_err *err);

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

/*
 * The objects of one or more inputs (files, or stdin): multi-document
 * YAML or JSON, Lists flattened (an item without a kind takes it from the
 * List's, "CellTemplateList" giving "CellTemplate"). Sorted into the
 * clusters to render, the templates, and everything else (Secrets,
 * child CRs, any other kind: kept, not rendered).
 */
struct mg_render_input {
	cJSON *objects; /* every object, in input order; owned */
	size_t clusters, templates, others;
};

#define MG_RENDER_INPUT_INIT { NULL, 0, 0, 0 }

void mg_render_input_release(struct mg_render_input *in);

/*
 * Adds the objects of len bytes of YAML or JSON; `what` names the input
 * in messages ("cluster.yaml", "-"). Errors, naming `what` and the object
 * ("object 3"): MG_EPARSE for bad YAML; MG_EINVAL for an object that is
 * not a JSON object or has no kind or apiVersion, a multigres.com kind
 * that does not exist ("unknown kind 'MultigresClustr'") or a version
 * other than v1alpha1. Nothing is added on error.
 */
int mg_render_input_add(struct mg_render_input *in, const char *data,
			size_t len, const char *what, struct mg_err *err);

/*
 * The cluster to render (borrowed from in): the one named `name`, or the
 * only one when name is NULL. MG_ENOTFOUND when there is none, or none of
 * that name (the message lists the names there are); MG_EINVAL when there
 * are several and no name was chosen (the message lists them).
 */
int mg_render_input_cluster(const struct mg_render_input *in,
			    const char *name, const cJSON **cluster,
			    struct mg_err *err);

/*
 * A new template set of the input's templates in `namespace` (those that
 * name another namespace are skipped, as they would be online); the
 * objects stay borrowed from in. Errors: a template without a name.
 */
int mg_render_input_templates(const struct mg_render_input *in,
			      const char *namespace, struct mg_templates **out,
			      struct mg_err *err);

/*
 * The same into an existing set t: the input's templates replace those
 * of t with the same kind and name (the files over what a cluster has).
 * Returns how many were added, or MG_EINVAL (a template without a name;
 * t then holds those added before it).
 */
int mg_render_input_add_templates(const struct mg_render_input *in,
				  const char *namespace, struct mg_templates *t,
				  struct mg_err *err);

/*
 * The defaults of its CRD (`default` in the OpenAPI schema), applied in
 * place to a multigres.com/v1alpha1 object of a known kind as the API
 * server applies them when it decodes one: in every object that is
 * present, each missing property that has a default gets it (then its
 * own properties are defaulted in turn); list items and map values
 * alike. E.g. spec.postgresSuperuser "postgres", a pvcDeletionPolicy's
 * missing side ("Retain" when deleted, "Delete" when scaled). Anything
 * else (another kind, not an object) is left alone. mg_render_input_add
 * and mg_render apply them, so a render from files matches one of the
 * same objects stored by the API server.
 */
void mg_render_schema_defaults(cJSON *obj);

/*
 * Whether a StorageClass among `classes` (an array, or a StorageClassList
 * as listed) is the default: annotated storageclass.kubernetes.io/
 * is-default-class, or its beta spelling, "true" (what
 * mg_render_opts.no_default_storage_class negates).
 */
bool mg_render_default_storage_class(const cJSON *classes);

#endif /* MG_RENDER_H */
