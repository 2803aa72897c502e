/*
 * defaults.h - the operator's built-in defaults, in one place.
 *
 * Everything the Go operator (multigres-operator `main`) falls back to when
 * neither the cluster, nor a template, nor the namespace's `default`
 * template says otherwise: level 4 of the resolution chain (resolve.h).
 * Reference: multigres-operator-facts.md 1.12, 1.13, 2 and 7.
 *
 * Two parts:
 *  - scalar settings, as macros below (one line each);
 *  - one row per component in a table (defaults.c): its default image and
 *    the MULTIGRES_IMAGE_* variable that overrides it, its default
 *    resources and replicas. Pinning a new image is a one-line change
 *    there. Look rows up with mg_defaults_component().
 *
 * Images follow upstream's rule, per component of the image set: an
 * explicit spec.images.<component> wins, then the operator's environment
 * override (trimmed; empty means unset), then the compiled default. This
 * module never reads the environment itself: callers pass a lookup
 * function (mg_defaults_env_fn), so tests and the plugin can pass anything.
 *
 * Ownership: table rows and macro strings are static. Functions that
 * return cJSON give the caller a new tree (cJSON_Delete it); struct
 * mg_image_set owns its strings (mg_image_set_release).
 */
#ifndef MG_DEFAULTS_H
#define MG_DEFAULTS_H

#include <cJSON.h>

#include "compat.h"

struct mg_err;

/*
 * Scalar defaults. Where upstream's last release (v0.11.1) differs from
 * `main`, the value here is main's and the comment says what changed.
 */
#define MG_DEFAULT_IMAGE_PULL_POLICY "IfNotPresent"
#define MG_DEFAULT_LOG_LEVEL         "info"
#define MG_DEFAULT_DURABILITY_POLICY "AT_LEAST_2"
#define MG_DURABILITY_MULTI_CELL     "MULTI_CELL_AT_LEAST_2"
#define MG_DEFAULT_POSTGRES_SUPERUSER "postgres" /* a CRD default */

/*
 * Cluster spec.pvcDeletionPolicy when absent (webhook, and the CRD's
 * object default): Delete/Delete on main since 2026-08-04; v0.11.1 (and
 * the user docs) Retain/Delete. The field-level CRD defaults of a
 * partially written policy object are Retain (whenDeleted) and Delete
 * (whenScaled) in both.
 */
#define MG_DEFAULT_PVC_WHEN_DELETED       "Delete"
#define MG_DEFAULT_PVC_WHEN_SCALED        "Delete"
#define MG_DEFAULT_PVC_WHEN_DELETED_V0111 "Retain"
#define MG_CRD_DEFAULT_PVC_WHEN_DELETED   "Retain"
#define MG_CRD_DEFAULT_PVC_WHEN_SCALED    "Delete"

/* The mandatory system catalogue of v1alpha1. */
#define MG_DEFAULT_DATABASE   "postgres"
#define MG_DEFAULT_TABLEGROUP "default"
#define MG_DEFAULT_SHARD      "0-inf"

/* The pool a shard gets when it resolves with none. */
#define MG_DEFAULT_POOL_NAME "default"
#define MG_DEFAULT_POOL_TYPE "readWrite"
/* replicasPerCell when unset; 2 when the pool has exactly one cell. */
#define MG_DEFAULT_POOL_REPLICAS_PER_CELL        1
#define MG_DEFAULT_POOL_REPLICAS_PER_CELL_SINGLE 2

/* The name a template of every kind falls back to. */
#define MG_DEFAULT_TEMPLATE_NAME "default"

/* Storage. The resolver uses 1Gi for pools and etcd; the TopoServer
 * builder's own fallback (when a TopoServer has no size) is 10Gi. */
#define MG_DEFAULT_POOL_STORAGE_SIZE        "1Gi"
#define MG_DEFAULT_ETCD_STORAGE_SIZE        "1Gi"
#define MG_DEFAULT_TOPOSERVER_STORAGE_SIZE  "10Gi"
#define MG_DEFAULT_ACCESS_MODE              "ReadWriteOnce"

/* Topology. A cell's local etcd root is "/multigres/<cell>". */
#define MG_DEFAULT_GLOBAL_TOPO_ROOT    "/multigres/global"
#define MG_DEFAULT_LOCAL_TOPO_ROOT_FMT "/multigres/%s"
#define MG_DEFAULT_TOPO_IMPLEMENTATION "etcd"
#define MG_DEFAULT_TOPO_CLIENT_PORT    2379

/* Backups: a filesystem repository on a shared PVC per shard. */
#define MG_DEFAULT_BACKUP_TYPE         "filesystem"
#define MG_DEFAULT_BACKUP_PATH         "/backups"
#define MG_DEFAULT_BACKUP_STORAGE_SIZE "10Gi"

/* Pool pods. UID/GID only when the component runs its default image. */
#define MG_DEFAULT_POOL_TERMINATION_GRACE_S 30
#define MG_DEFAULT_POSTGRES_UID             999
#define MG_DEFAULT_POSTGRES_GID             999

/*
 * Components. The first MG_IMAGE_SET_N are the "image set": the images a
 * cluster may pin in spec.images and the operator's environment may
 * override; their revision identifies a default set (facts 1.12).
 */
enum mg_component {
	MG_COMP_POSTGRES,       /* pgctld image; pool's postgres container */
	MG_COMP_MULTIADMIN,
	MG_COMP_MULTIADMIN_WEB,
	MG_COMP_MULTIORCH,
	MG_COMP_MULTIPOOLER,    /* also the pool's multipooler container */
	MG_COMP_MULTIGATEWAY,
	MG_COMP_ETCD,           /* spec'd per etcd (EtcdSpec.image) */
	MG_COMP_POSTGRES_EXPORTER, /* not configurable */
	MG_COMP_COUNT
};

#define MG_IMAGE_SET_N 6

struct mg_default_component {
	enum mg_component id;
	const char *name; /* "multiadmin-web" */
	/* Key in spec.images and status.images.*: "multiadminWeb"; NULL
	 * outside the image set. */
	const char *images_key;
	/* Its line in the revision: "multiadminweb"; NULL outside the set. */
	const char *revision_key;
	/* "MULTIGRES_IMAGE_MULTIADMIN_WEB"; NULL when none. */
	const char *env;
	const char *image;       /* compiled default on main */
	const char *image_v0111; /* release v0.11.1's, for reference */
	/* Default resources; NULL when not set. No CPU limits by default. */
	const char *cpu_request;
	const char *memory_request;
	const char *memory_limit;
	int replicas;            /* default replicas; 0 when not applicable */
};

/* The row of a component. c must be a valid enum value. */
const struct mg_default_component *mg_defaults_component(enum mg_component c);

/* The row whose name or images_key is `name`, or NULL. */
const struct mg_default_component *mg_defaults_component_by_name(
	const char *name);

/*
 * The default resources of a component as a new ResourceRequirements
 * object ({"limits":{"memory":..},"requests":{"cpu":..,"memory":..}}, in
 * Go's field order), or NULL when it has none.
 */
cJSON *mg_defaults_resources(enum mg_component c);

/*
 * Environment lookup: returns the value of `name` or NULL. The string is
 * borrowed (it need only live until the call returns).
 */
typedef const char *(*mg_defaults_env_fn)(const char *name, void *ctx);

/* A complete or partial image set: NULL entries are unset. Owns strings. */
struct mg_image_set {
	char *image[MG_IMAGE_SET_N];
};

#define MG_IMAGE_SET_INIT { { NULL } }

void mg_image_set_release(struct mg_image_set *set);
void mg_image_set_copy(struct mg_image_set *dst,
		       const struct mg_image_set *src);
bool mg_image_set_is_complete(const struct mg_image_set *set);
bool mg_image_set_is_empty(const struct mg_image_set *set);
bool mg_image_set_equal(const struct mg_image_set *a,
			const struct mg_image_set *b);

/*
 * The operator's available default set: the compiled defaults, each
 * replaced by its MULTIGRES_IMAGE_* value when env returns one that is
 * not empty after trimming spaces. env may be NULL (no overrides).
 * Releases what *out held.
 */
void mg_defaults_image_set(struct mg_image_set *out, mg_defaults_env_fn env,
			   void *ctx);

/*
 * The explicit images of a cluster: the non-empty string members of
 * spec_images (a ClusterImages object, may be NULL). Pull policy and
 * secrets are not part of the set.
 */
void mg_image_set_from_spec(struct mg_image_set *out,
			    const cJSON *spec_images);

/*
 * Reads a ComponentImages object ({"multigateway":..,..}). Returns false
 * (and leaves *out empty) unless it is an object naming every component
 * with a non-empty string: a partial record is not trusted.
 */
bool mg_image_set_from_json(struct mg_image_set *out, const cJSON *obj);

/* The set as a ComponentImages object (Go field order, unset omitted). */
cJSON *mg_image_set_to_json(const struct mg_image_set *set);

/*
 * The revision of a set: the first 12 hex digits of the SHA-256 of the
 * lines "<revision_key>=<image>" sorted and joined by "\n" (unset images
 * count as ""). out gets 12 digits and a NUL.
 */
#define MG_IMAGE_REVISION_LEN 12
void mg_image_set_revision(const struct mg_image_set *set,
			   char out[MG_IMAGE_REVISION_LEN + 1]);

/*
 * Image resolution for one reconcile (upstream's resolveImages), pure:
 *
 *  - every image pinned in spec.images: source "explicit", condition
 *    reason FullyPinned, annotation "\"fully-pinned\"" (with the quotes);
 *  - otherwise the strategy is spec.imageUpdatePolicy.strategy, else the
 *    operator's (`strategy`, NULL meaning "immediate"); the recorded set
 *    is the applied-images annotation when it parses complete, else
 *    status.images.applied when complete. Under "lazy", a recorded set
 *    whose revision differs from the available one is kept (reason
 *    AwaitingAcknowledgement, or RevisionMismatch when
 *    acknowledgedRevision names neither) unless acknowledgedRevision is
 *    the available revision. Unset spec images are filled from the
 *    applied set.
 *
 * On success *out holds the effective and applied sets, the new
 * status.images object, the condition reason (static string), whether a
 * rollout is pending, the annotation value to record, and flags the
 * caller turns into events. MG_EINVAL under "lazy" when the annotation is
 * present but unusable and status has no complete applied set (upstream
 * refuses to guess then). cluster is a MultigresCluster object.
 */
struct mg_images_result {
	struct mg_image_set effective;
	struct mg_image_set applied;
	char applied_revision[MG_IMAGE_REVISION_LEN + 1];
	char available_revision[MG_IMAGE_REVISION_LEN + 1];
	cJSON *status; /* status.images; owned */
	/* ImageRolloutPending's reason: UpToDate, FullyPinned,
	 * AwaitingAcknowledgement or RevisionMismatch (static). */
	const char *reason;
	bool pending;        /* ImageRolloutPending is True */
	char *annotation;    /* multigres.com/applied-images value; owned */
	bool record_invalid; /* the annotation was there but unusable */
	bool ack_ignored;    /* acknowledgedRevision is moot (immediate) */
	bool switched;       /* applied differs from the recorded set */
};

void mg_images_result_release(struct mg_images_result *r);

int mg_images_resolve(struct mg_images_result *out, const cJSON *cluster,
		      const struct mg_image_set *available,
		      const char *strategy, struct mg_err *err);

#endif /* MG_DEFAULTS_H */
