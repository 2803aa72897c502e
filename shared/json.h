/*
 * json.h - small helpers over cJSON.
 *
 * Ownership follows cJSON: the root owns its tree; items found by the
 * getters below are borrowed and live as long as the root. Getters take a
 * dotted path ("metadata.name", "spec.cells.0.zone": a number indexes an
 * array) and return NULL or the default when anything on the way is missing
 * or of another type. They never fail loudly: use mg_json_want_* where a
 * missing field is an error for the user.
 */
#ifndef MG_JSON_H
#define MG_JSON_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;

/* Parses len bytes of JSON. On error: MG_EPARSE naming `what` and the line
 * and column. *out is the new root (caller frees with cJSON_Delete). */
int mg_json_parse(cJSON **out, const char *data, size_t len, const char *what,
		  struct mg_err *err);

cJSON *mg_json_get(const cJSON *root, const char *path);
const char *mg_json_str(const cJSON *root, const char *path);
bool mg_json_bool(const cJSON *root, const char *path, bool dflt);
/* Integral numbers only; dflt when absent, not a number, or fractional. */
long long mg_json_int(const cJSON *root, const char *path, long long dflt);

/*
 * One member by its exact key (no path: keys such as "multigres.com/cluster"
 * hold dots), present and not JSON null; NULL when o is not an object. The
 * typed forms return NULL for a member of another type; mg_json_member_str
 * also for an empty string.
 */
const cJSON *mg_json_member(const cJSON *o, const char *key);
const cJSON *mg_json_member_obj(const cJSON *o, const char *key);
const cJSON *mg_json_member_arr(const cJSON *o, const char *key);
const char *mg_json_member_str(const cJSON *o, const char *key);

/* Like mg_json_str, but a missing or non-string field is MG_EINVAL naming
 * `what` and the path. */
int mg_json_want_str(const char **out, const cJSON *root, const char *path,
		     const char *what, struct mg_err *err);

/* Sets (replacing) a string member, creating the object if needed. */
void mg_json_set_str(cJSON *obj, const char *key, const char *value);

/* Appends compact (pretty=false) or indented JSON of item to out. */
void mg_json_print(struct mg_buf *out, const cJSON *item, bool pretty);

/* A new object with the same members, keys sorted byte-wise at every
 * level (arrays keep their order): for deterministic output. */
cJSON *mg_json_sorted(const cJSON *item);

#define mg_json_array_foreach(it, array) cJSON_ArrayForEach(it, array)

#endif /* MG_JSON_H */
