/*
 * spechash.h - the drift hash the Go operator stamps on pool pods
 * (annotation multigres.com/spec-hash), computed byte for byte as
 * ComputeSpecHash of multigres-operator `main` does.
 * Reference: spec-hash.md 1.1-1.2 and multigres-operator-facts.md 4.
 *
 * The hash is FNV-1a 32-bit over one stream of pieces with no separators:
 * per init container then per container "name=", "image=", "cmd=",
 * "arg=", "env=" (+ "envValFrom=" JSON), "envFromSrc=" JSON, "res=" JSON,
 * "vm=" JSON, "sc=" JSON; then the volumes, the affinity and the
 * toleration list as bare JSON, the nodeSelector pairs by sorted key,
 * "tgp=", "sa=", "podsc=" JSON and "pgcfg=" (the pod's
 * multigres.com/postgres-config-hash annotation). The name/image/cmd/arg/
 * env/nodeSelector pieces are raw bytes; the JSON pieces are what Go's
 * encoding/json writes for the Kubernetes structs (gojson.h). Written as
 * 8 lowercase hex digits, big-endian, no prefix.
 *
 * Hash the *desired* pod (poolpod.h), never a live one: the API server
 * adds defaults to exactly the fields that are hashed (spec-hash.md 1.4).
 *
 * The pod is a cJSON Pod object (only metadata.annotations and spec are
 * read). Absent fields are Go zero values, as gojson.h describes; a field
 * of the wrong JSON type is MG_EINVAL naming its path
 * (spec.containers[1].env[0].valueFrom...). Inputs are borrowed.
 */
#ifndef MG_SPECHASH_H
#define MG_SPECHASH_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;

/* Hex digits in a spec-hash. */
#define MG_SPECHASH_LEN 8

/*
 * Writes the pod's spec-hash (8 hex digits and a NUL) into out. On error
 * out is the empty string.
 */
int mg_spechash_pod(const cJSON *pod, char out[MG_SPECHASH_LEN + 1],
		    struct mg_err *err);

/*
 * Appends the pieces the hash is computed over to out, each followed by
 * sep when sep is not NULL (the hash itself uses no separator: pass NULL
 * for the exact stream, "\n" to read or diff it piece by piece). On error
 * out is unchanged.
 */
int mg_spechash_stream(struct mg_buf *out, const cJSON *pod, const char *sep,
		       struct mg_err *err);

/* FNV-1a 32-bit of len bytes, as 8 lowercase hex digits. Cannot fail. */
void mg_spechash_bytes(const void *data, size_t len,
		       char out[MG_SPECHASH_LEN + 1]);

#endif /* MG_SPECHASH_H */
