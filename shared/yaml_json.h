/*
 * yaml_json.h - YAML documents to cJSON and back, through libyaml.
 *
 * Plain scalars are typed as kubectl reads YAML (YAML 1.1 booleans true/false,
 * yes/no, on/off in three casings; null, ~ and empty as null; decimal and
 * hex integers and floats as numbers; everything quoted or else a string).
 * Anchors and aliases are expanded. Emitting quotes every string that would
 * read back as something else, so parse(emit(x)) == x.
 */
#ifndef MG_YAML_JSON_H
#define MG_YAML_JSON_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;

/*
 * Parses the first document of len bytes. An empty stream gives a JSON null.
 * Errors are MG_EPARSE naming `what`, the line and the column. *out is owned
 * by the caller.
 */
int mg_yaml_parse(cJSON **out, const char *data, size_t len, const char *what,
		  struct mg_err *err);

/* Every non-empty document of a stream, as a JSON array. */
int mg_yaml_parse_all(cJSON **out, const char *data, size_t len,
		      const char *what, struct mg_err *err);

/* Appends item as one YAML document (block style, keys in object order). */
int mg_yaml_emit(struct mg_buf *out, const cJSON *item, struct mg_err *err);

#endif /* MG_YAML_JSON_H */
