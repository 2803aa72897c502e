/*
 * gojson.h - JSON exactly as Go's encoding/json writes a Kubernetes struct.
 *
 * The Go operator hashes pool pods by feeding json.Marshal output of
 * k8s.io/api core/v1 structs (v0.35) into FNV-1a (spechash.h). To get the
 * same bytes from a cJSON tree, this module encodes the tree *as if* it had
 * been decoded into the Go struct first and then marshalled: a table per
 * struct type gives the field order, the omitempty tags, pointer-ness and
 * the nested types. Reference: spec-hash.md sections 3 and 4; the tables
 * were checked against k8s.io/api v0.35.4 types.go (field for field).
 *
 * Decoding symmetry (spec-hash.md 3.6), i.e. what each input means:
 *  - a member that is absent or JSON null is the Go zero value: a nil
 *    pointer, slice or map (written "null" unless omitempty), "" / 0 /
 *    false, a zero struct (always written: omitempty never drops a
 *    struct), a zero Quantity ("0");
 *  - a present member is non-nil: a pointer field is written even when it
 *    points at false, 0, "" or {}; [] and {} are empty but non-nil;
 *  - keys are matched case-sensitively, as the Kubernetes decoder
 *    (sigs.k8s.io/json) does, and when a key repeats the last one counts;
 *  - keys the struct does not have are dropped, as Go's decoder drops
 *    unknown fields (the API server prunes them from custom resources
 *    anyway);
 *  - a value of the wrong JSON type is an error (MG_EINVAL naming the
 *    field path), as it is for Go's decoder: the Go operator would not
 *    build the pod at all;
 *  - integers must be whole numbers within the Go type's range; int64
 *    fields are limited to +-2^53, what a cJSON double holds exactly;
 *  - Quantity fields are canonicalised (quantity.h);
 *  - volume sources and projections the pool pod never uses (nfs, csi,
 *    ephemeral, ... 25 of the 30) are refused with MG_EINVAL rather than
 *    guessed: a wrong guess would be a silently wrong hash.
 *
 * Output follows json.Marshal: no whitespace, struct fields in declaration
 * order (inline structs promoted in place), map keys sorted bytewise,
 * HTML-safe string escaping (see mg_gojson_string).
 *
 * Every function appends to a caller-owned mg_buf and leaves it unchanged
 * on error. Inputs are borrowed.
 */
#ifndef MG_GOJSON_H
#define MG_GOJSON_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;

/* The struct types that can be encoded (k8s.io/api core/v1 unless noted). */
enum mg_gojson_type {
	/* resources */
	MG_GOJSON_RESOURCE_REQUIREMENTS,
	MG_GOJSON_RESOURCE_CLAIM,
	/* container level */
	MG_GOJSON_VOLUME_MOUNT,
	MG_GOJSON_SECURITY_CONTEXT,
	MG_GOJSON_CAPABILITIES,
	MG_GOJSON_SE_LINUX_OPTIONS,
	MG_GOJSON_WINDOWS_SECURITY_CONTEXT_OPTIONS,
	MG_GOJSON_SECCOMP_PROFILE,
	MG_GOJSON_APP_ARMOR_PROFILE,
	MG_GOJSON_ENV_VAR_SOURCE,
	MG_GOJSON_OBJECT_FIELD_SELECTOR,
	MG_GOJSON_RESOURCE_FIELD_SELECTOR,
	MG_GOJSON_CONFIG_MAP_KEY_SELECTOR,
	MG_GOJSON_SECRET_KEY_SELECTOR,
	MG_GOJSON_FILE_KEY_SELECTOR,
	MG_GOJSON_ENV_FROM_SOURCE,
	MG_GOJSON_CONFIG_MAP_ENV_SOURCE,
	MG_GOJSON_SECRET_ENV_SOURCE,
	/* volumes */
	MG_GOJSON_VOLUME,
	MG_GOJSON_HOST_PATH_VOLUME_SOURCE,
	MG_GOJSON_EMPTY_DIR_VOLUME_SOURCE,
	MG_GOJSON_SECRET_VOLUME_SOURCE,
	MG_GOJSON_PVC_VOLUME_SOURCE,
	MG_GOJSON_DOWNWARD_API_VOLUME_SOURCE,
	MG_GOJSON_CONFIG_MAP_VOLUME_SOURCE,
	MG_GOJSON_PROJECTED_VOLUME_SOURCE,
	MG_GOJSON_VOLUME_PROJECTION,
	MG_GOJSON_SECRET_PROJECTION,
	MG_GOJSON_DOWNWARD_API_PROJECTION,
	MG_GOJSON_DOWNWARD_API_VOLUME_FILE,
	MG_GOJSON_CONFIG_MAP_PROJECTION,
	MG_GOJSON_SERVICE_ACCOUNT_TOKEN_PROJECTION,
	MG_GOJSON_CLUSTER_TRUST_BUNDLE_PROJECTION,
	MG_GOJSON_POD_CERTIFICATE_PROJECTION,
	MG_GOJSON_KEY_TO_PATH,
	/* scheduling */
	MG_GOJSON_AFFINITY,
	MG_GOJSON_NODE_AFFINITY,
	MG_GOJSON_NODE_SELECTOR,
	MG_GOJSON_NODE_SELECTOR_TERM,
	MG_GOJSON_NODE_SELECTOR_REQUIREMENT,
	MG_GOJSON_PREFERRED_SCHEDULING_TERM,
	MG_GOJSON_POD_AFFINITY,
	MG_GOJSON_POD_ANTI_AFFINITY,
	MG_GOJSON_WEIGHTED_POD_AFFINITY_TERM,
	MG_GOJSON_POD_AFFINITY_TERM,
	MG_GOJSON_LABEL_SELECTOR, /* apimachinery meta/v1 */
	MG_GOJSON_LABEL_SELECTOR_REQUIREMENT, /* apimachinery meta/v1 */
	MG_GOJSON_TOLERATION,
	/* pod level */
	MG_GOJSON_POD_SECURITY_CONTEXT,
	MG_GOJSON_SYSCTL,
	MG_GOJSON_NTYPES
};

/* The Go name of a type ("ResourceRequirements"), for messages. */
const char *mg_gojson_type_name(enum mg_gojson_type type);

/*
 * Appends json.Marshal of a value of the struct type: value is a cJSON
 * object, or NULL / JSON null for the zero struct (so an empty
 * ResourceRequirements gives "{}" and a zero PodAffinityTerm
 * "{\"topologyKey\":\"\"}"). `path` (may be NULL) prefixes the field
 * paths in error messages, e.g. "spec.affinity". MG_EINVAL on a type
 * mismatch, a bad quantity or an unsupported volume source.
 */
int mg_gojson_encode(struct mg_buf *out, enum mg_gojson_type type,
		     const cJSON *value, const char *path, struct mg_err *err);

/*
 * Appends json.Marshal of a slice of the struct type: value is a cJSON
 * array, or NULL / null for a nil slice ("null"). B3 of the spec-hash
 * marshals []Toleration this way.
 */
int mg_gojson_encode_slice(struct mg_buf *out, enum mg_gojson_type elem,
			   const cJSON *value, const char *path,
			   struct mg_err *err);

/*
 * Appends a Go string as encoding/json writes it with HTML escaping on:
 * \" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx (lowercase hex),
 * < > & as \u003c \u003e \u0026, U+2028/U+2029 as \u2028/\u2029, each
 * byte of invalid UTF-8 as \ufffd; everything else (DEL, '/', valid
 * non-ASCII) verbatim. len bytes of s (which may hold NULs).
 */
void mg_gojson_string(struct mg_buf *out, const char *s, size_t len);

/*
 * A new cJSON tree holding what the Go operator would hold after decoding
 * `value` into the type and encoding it again: unknown keys dropped,
 * quantities canonical, nulls and zero values as Go writes them. For
 * copying user-controlled parts of a Shard (affinity, tolerations,
 * resources) into a desired object. *out is owned by the caller
 * (cJSON_Delete); NULL on error.
 */
int mg_gojson_normalize(cJSON **out, enum mg_gojson_type type,
			const cJSON *value, const char *path,
			struct mg_err *err);
int mg_gojson_normalize_slice(cJSON **out, enum mg_gojson_type elem,
			      const cJSON *value, const char *path,
			      struct mg_err *err);

#endif /* MG_GOJSON_H */
