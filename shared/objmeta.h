/*
 * objmeta.h - labels, metadata and owner references of the objects we build.
 *
 * Every object the Go operator creates carries the five standard labels
 * (app.kubernetes.io/name and part-of "multigres", instance = the cluster
 * name, component, managed-by "multigres-operator"), then the identity
 * labels (multigres.com/cluster, database, tablegroup, shard, pool, cell)
 * that say where it sits, and a controller owner reference to the custom
 * resource it was built from. Reference: multigres-operator-facts.md 3.3
 * and 6.4; labels.h for the keys.
 *
 * Maps (labels, annotations, selectors) are cJSON objects whose keys are
 * kept sorted byte-wise, as Go's encoding/json writes a map: the same input
 * always gives the same bytes.
 *
 * Ownership: functions named _new return a new cJSON tree the caller owns
 * (cJSON_Delete), unless it is handed to a function that says it takes it.
 * Everything else is borrowed. Out of memory aborts (as mg_x* do). Only
 * mg_objmeta_owner_of can fail.
 */
#ifndef MG_OBJMETA_H
#define MG_OBJMETA_H

#include <cJSON.h>

#include "compat.h"

struct mg_err;

/* The API group and version of every Multigres custom resource. */
#define MG_OBJMETA_API_VERSION "multigres.com/v1alpha1"

/*
 * Where an object sits: each non-NULL field becomes its multigres.com/
 * label (cluster, database, tablegroup, shard, pool, cell). Upstream sets a
 * different subset per object kind; the builders say which.
 */
struct mg_objmeta_ident {
	const char *cluster;
	const char *database;
	const char *tablegroup;
	const char *shard;
	const char *pool;
	const char *cell;
};

/*
 * The controller owner of an object: the custom resource it is built from.
 * Strings are borrowed. The reference always has controller and
 * blockOwnerDeletion true, as controller-runtime's SetControllerReference
 * writes it. uid may be NULL or "" only for objects that are shown, not
 * created (`render` of a cluster that does not exist yet): the reference
 * is then written without one, and the API server would refuse it.
 */
struct mg_objmeta_owner {
	const char *api_version;
	const char *kind;
	const char *name;
	const char *uid;
};

/* A new map holding the five standard labels for cluster and component. */
cJSON *mg_objmeta_labels_new(const char *cluster, const char *component);

/* Adds the identity labels of the non-NULL fields of ident to labels. */
void mg_objmeta_add_ident(cJSON *labels, const struct mg_objmeta_ident *ident);

/* Sets map[key] = value (a string), replacing, keeping keys sorted. */
void mg_objmeta_set(cJSON *map, const char *key, const char *value);

/* map[key] when it is a string, else NULL. map may be NULL. */
const char *mg_objmeta_get(const cJSON *map, const char *key);

/*
 * Adds every string member of extra whose key map does not have yet: what
 * map already holds wins. This is upstream's MergeLabels with map as the
 * standard set, so users' pod labels and a parent's labels never override
 * an operator label. extra may be NULL (nothing happens).
 */
void mg_objmeta_merge_under(cJSON *map, const cJSON *extra);

/* A new map with the members of labels that are selector keys (labels.h). */
cJSON *mg_objmeta_selector_new(const cJSON *labels);

/* A new, sorted copy of the string members of map (NULL: an empty map). */
cJSON *mg_objmeta_map_new(const cJSON *map);

/*
 * A new metadata object: name and namespace (each left out when NULL, as
 * in a pod template), labels and annotations. Takes labels and annotations (either may be NULL; an
 * empty annotations map is left out and freed).
 */
cJSON *mg_objmeta_new(const char *name, const char *namespace, cJSON *labels,
		      cJSON *annotations);

/* A new ownerReferences entry for owner. */
cJSON *mg_objmeta_owner_ref_new(const struct mg_objmeta_owner *owner);

/* Sets meta.ownerReferences to the single controller reference to owner. */
void mg_objmeta_set_owner(cJSON *meta, const struct mg_objmeta_owner *owner);

/*
 * A new object {apiVersion, kind, metadata: meta}; takes meta. The caller
 * adds spec (or data) after.
 */
cJSON *mg_objmeta_object_new(const char *api_version, const char *kind,
			     cJSON *meta);

/*
 * Reads the owner identity of a custom resource: apiVersion and kind (each
 * may be absent, then MG_OBJMETA_API_VERSION and `kind` are used; present
 * but different is an error), metadata.name, and metadata.uid unless
 * `uid` is given (the caller's override, e.g. from the informer). The
 * strings point into cr (or are the arguments). MG_EINVAL when the kind
 * or apiVersion differ, or the name is missing or empty, or the uid is
 * and need_uid is true (without it out->uid is NULL then).
 */
int mg_objmeta_owner_of(struct mg_objmeta_owner *out, const cJSON *cr,
			const char *kind, const char *uid, bool need_uid,
			struct mg_err *err);

#endif /* MG_OBJMETA_H */
