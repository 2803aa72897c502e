/*
 * schema.c - validates multigres.com objects against the generated CRD
 * tables, as kube-apiserver validates a custom resource.
 *
 * Two passes, as on the server: the OpenAPI checks first (types, bounds,
 * patterns, required fields, list-type invariants), then, only when none of
 * them is "blocking", the CEL rules. Both walk the value and, on update, the
 * old value beside it (correlated by field name, map key, or list-map key).
 */
#include "compat.h"

#include "schema.h"

#include <regex.h>
#include <stdarg.h>

#include "buf.h"
#include "err.h"
#include "timeutil.h"
#include "json.h"
#include "xalloc.h"

/* ---- table access ---------------------------------------------------------- */

static const struct mg_schema_node *
node_at(uint16_t i)
{
	if (i == 0 || i >= MG_SCHEMA_NNODES)
		MG_BUG("schema node index out of range");
	return &mg_schema_nodes[i];
}

uint16_t
mg_schema_prop_node(uint16_t node, const char *name)
{
	const struct mg_schema_node *n = node_at(node);
	size_t i;

	for (i = 0; i < n->nprops; i++)
		if (strcmp(mg_schema_props[n->props + i].name, name) == 0)
			return mg_schema_props[n->props + i].node;
	return 0;
}

/* ---- small helpers ------------------------------------------------------- */

/* A member that is there and not null (the server prunes nulls). */
static const cJSON *
get(const cJSON *o, const char *key)
{
	return mg_json_member(o, key);
}

static bool
has(const cJSON *o, const char *key)
{
	return get(o, key) != NULL;
}

/* Characters, as Go's utf8.RuneCountInString and CEL's size() count. */
static size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static bool
is_integral(const cJSON *v)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	return d > -9.2e18 && d < 9.2e18 && (double)(int64_t)d == d;
}

static int64_t
int_value(const cJSON *v)
{
	return (int64_t)v->valuedouble;
}

/* Go's strconv.Quote, for the ASCII control characters that matter. */
static void
add_quoted(struct mg_buf *b, const char *s)
{
	mg_buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			mg_buf_adds(b, "\\\"");
			break;
		case '\\':
			mg_buf_adds(b, "\\\\");
			break;
		case '\n':
			mg_buf_adds(b, "\\n");
			break;
		case '\t':
			mg_buf_adds(b, "\\t");
			break;
		case '\r':
			mg_buf_adds(b, "\\r");
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				mg_buf_addf(b, "\\x%02x", c);
			else
				mg_buf_addch(b, (char)c);
		}
	}
	mg_buf_addch(b, '"');
}

static void
add_number(struct mg_buf *b, double d)
{
	char tmp[40];

	if (d > -9.2e18 && d < 9.2e18 && (double)(int64_t)d == d) {
		mg_buf_addf(b, "%lld", (long long)(int64_t)d);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	mg_buf_adds(b, tmp);
}

/* A value as Go's %v / json.Marshal render it in a field error. */
static void
add_value(struct mg_buf *b, const cJSON *v)
{
	char *s;

	if (cJSON_IsString(v)) {
		add_quoted(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		add_number(b, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		mg_buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (!v || cJSON_IsNull(v)) {
		mg_buf_adds(b, "null");
	} else {
		s = cJSON_PrintUnformatted(v);
		if (!s)
			MG_BUG("cJSON_PrintUnformatted failed");
		mg_buf_adds(b, s);
		cJSON_free(s);
	}
}

/* The JSON type name the OpenAPI validator reports for a value. */
static const char *
json_type(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return is_integral(v) ? "integer" : "number";
	if (cJSON_IsArray(v))
		return "array";
	return "object";
}

static const char *
schema_type_name(const struct mg_schema_node *n)
{
	switch ((enum mg_schema_type)n->type) {
	case MG_SCHEMA_OBJECT:
		return "object";
	case MG_SCHEMA_ARRAY:
		return "array";
	case MG_SCHEMA_STRING:
		return "string";
	case MG_SCHEMA_INTEGER:
		return "integer";
	case MG_SCHEMA_NUMBER:
		return "number";
	case MG_SCHEMA_BOOLEAN:
		return "boolean";
	case MG_SCHEMA_INT_OR_STRING:
		return "integer,string";
	case MG_SCHEMA_NONE:
		break;
	}
	return "";
}

static bool
same_or_both_absent(const cJSON *a, const cJSON *b)
{
	if (!a || !b)
		return !a && !b;
	return cJSON_Compare(a, b, true);
}

/* ---- patterns -------------------------------------------------------------- */

static regex_t re_cache[MG_SCHEMA_NPATTERNS];
static bool re_ready[MG_SCHEMA_NPATTERNS];

static bool
pattern_match(unsigned idx, const char *s)
{
	if (idx == 0 || idx >= MG_SCHEMA_NPATTERNS)
		MG_BUG("pattern index out of range");
	if (!re_ready[idx]) {
		if (regcomp(&re_cache[idx], mg_schema_patterns[idx].posix,
			    REG_EXTENDED | REG_NOSUB) != 0)
			MG_BUG("a generated schema pattern does not compile");
		re_ready[idx] = true;
	}
	return regexec(&re_cache[idx], s, 0, NULL, 0) == 0;
}

/* ---- the walk ---------------------------------------------------------------- */

struct walk {
	struct mg_findings *probs;
	unsigned opts;
	struct mg_buf path;
	size_t found;
	size_t blocking; /* problems that keep the CEL rules from running */
	bool status_relative; /* "in body" names start below status */
};

/*
 * The name OpenAPI messages give a value ("<name> in body ..."): its path,
 * except under the status of a kind with a status subresource, which the
 * server validates on its own, naming values from there.
 */
static const char *
body_name(const struct walk *w)
{
	if (w->status_relative && strncmp(w->path.data, "status.", 7) == 0)
		return w->path.data + 7;
	return w->path.data;
}

static size_t
push_key(struct walk *w, const char *key)
{
	size_t len = w->path.len;

	if (len)
		mg_buf_addch(&w->path, '.');
	mg_buf_adds(&w->path, key);
	return len;
}

static size_t
push_index(struct walk *w, size_t i)
{
	size_t len = w->path.len;

	mg_buf_addf(&w->path, "[%zu]", i);
	return len;
}

static void
pop(struct walk *w, size_t len)
{
	w->path.len = len;
	if (w->path.alloc)
		w->path.data[len] = '\0';
}

/* Takes msg (released here). */
static void
report(struct walk *w, enum mg_problem_type type, int rule, struct mg_buf *msg)
{
	mg_findings_add_problem(w->probs, type, rule, w->path.data, "%s",
				msg->data);
	mg_buf_release(msg);
	w->found++;
	switch (type) {
	case MG_PROBLEM_TYPE:
	case MG_PROBLEM_REQUIRED:
	case MG_PROBLEM_ENUM:
	case MG_PROBLEM_TOO_LONG:
	case MG_PROBLEM_TOO_MANY:
		w->blocking++;
		break;
	default:
		break;
	}
}

static void
reportf(struct walk *w, enum mg_problem_type type, const char *fmt, ...)
	MG_PRINTF(3, 4);

static void
reportf(struct walk *w, enum mg_problem_type type, const char *fmt, ...)
{
	struct mg_buf msg = MG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	mg_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	report(w, type, -1, &msg);
}

/* "Invalid value: <v>: <path> in body <what>" */
static void
report_invalid(struct walk *w, enum mg_problem_type type, const cJSON *v,
	       const char *what)
{
	struct mg_buf msg = MG_BUF_INIT;

	mg_buf_adds(&msg, "Invalid value: ");
	add_value(&msg, v);
	mg_buf_addf(&msg, ": %s in body %s", body_name(w), what);
	report(w, type, -1, &msg);
}

static void
report_type(struct walk *w, const char *want, const char *got)
{
	struct mg_buf msg = MG_BUF_INIT;

	mg_buf_adds(&msg, "Invalid value: ");
	add_quoted(&msg, got);
	mg_buf_addf(&msg, ": %s in body must be of type %s: ", body_name(w),
		    want);
	add_quoted(&msg, got);
	report(w, MG_PROBLEM_TYPE, -1, &msg);
}

static void
report_missing(struct walk *w, const char *key)
{
	size_t len = push_key(w, key);

	reportf(w, MG_PROBLEM_REQUIRED, "Required value");
	pop(w, len);
}

static void
report_unknown(struct walk *w, const char *key)
{
	size_t len;

	if (!(w->opts & MG_SCHEMA_STRICT))
		return;
	len = push_key(w, key);
	reportf(w, MG_PROBLEM_UNKNOWN_FIELD, "unknown field \"%s\"",
		w->path.data);
	pop(w, len);
}

static void
report_too_many(struct walk *w, size_t n, int64_t max)
{
	reportf(w, MG_PROBLEM_TOO_MANY, "Too many: %zu: must have at most %lld %s",
		n, (long long)max, max == 1 ? "item" : "items");
}

/* The item of a list-type map in old with the same keys as item, or NULL. */
static const cJSON *
old_list_item(const struct mg_schema_node *n, const cJSON *old,
	      const cJSON *item)
{
	const cJSON *o;
	size_t k;

	if (n->list_type != MG_SCHEMA_LIST_MAP || !cJSON_IsArray(old) ||
	    !cJSON_IsObject(item))
		return NULL;
	cJSON_ArrayForEach(o, old) {
		bool same = cJSON_IsObject(o);

		for (k = 0; same && k < n->nmap_keys; k++) {
			const char *key = mg_schema_strings[n->map_keys + k];

			same = same_or_both_absent(get(item, key), get(o, key));
		}
		if (same)
			return o;
	}
	return NULL;
}

static const cJSON *
old_member(const cJSON *old, const char *key)
{
	return get(old, key);
}

static void check_value(struct walk *w, uint16_t ni, const cJSON *v,
			const cJSON *old);

/*
 * ObjectMeta and OwnerReference are Kubernetes's: checked by field type,
 * as the server's strict decoding of them would.
 */
struct meta_field {
	const char *name;
	/* s string, i integer, b boolean, m string map, l string list,
	 * o object (opaque), r list of owner references, f list of
	 * managed fields entries */
	char kind;
};

static void check_fields(struct walk *w, const cJSON *v,
			 const struct meta_field *fields, size_t nfields);

static void
check_owner_ref(struct walk *w, const cJSON *v)
{
	static const struct meta_field fields[] = {
		{ "apiVersion", 's' },
		{ "kind", 's' },
		{ "name", 's' },
		{ "uid", 's' },
		{ "controller", 'b' },
		{ "blockOwnerDeletion", 'b' },
	};

	check_fields(w, v, fields, ARRAY_SIZE(fields));
}

static void
check_managed_fields(struct walk *w, const cJSON *v)
{
	static const struct meta_field fields[] = {
		{ "manager", 's' },
		{ "operation", 's' },
		{ "apiVersion", 's' },
		{ "time", 's' },
		{ "fieldsType", 's' },
		{ "fieldsV1", 'o' },
		{ "subresource", 's' },
	};

	check_fields(w, v, fields, ARRAY_SIZE(fields));
}

static void
check_meta(struct walk *w, const cJSON *v)
{
	static const struct meta_field fields[] = {
		{ "name", 's' },
		{ "generateName", 's' },
		{ "namespace", 's' },
		{ "selfLink", 's' },
		{ "uid", 's' },
		{ "resourceVersion", 's' },
		{ "generation", 'i' },
		{ "creationTimestamp", 's' },
		{ "deletionTimestamp", 's' },
		{ "deletionGracePeriodSeconds", 'i' },
		{ "labels", 'm' },
		{ "annotations", 'm' },
		{ "ownerReferences", 'r' },
		{ "finalizers", 'l' },
		{ "managedFields", 'f' },
	};

	check_fields(w, v, fields, ARRAY_SIZE(fields));
}

static void
check_meta_value(struct walk *w, char kind, const cJSON *c)
{
	const cJSON *x;
	size_t i = 0, len;

	switch (kind) {
	case 's':
		if (!cJSON_IsString(c))
			report_type(w, "string", json_type(c));
		return;
	case 'i':
		if (!is_integral(c))
			report_type(w, "integer", json_type(c));
		return;
	case 'b':
		if (!cJSON_IsBool(c))
			report_type(w, "boolean", json_type(c));
		return;
	case 'o':
		if (!cJSON_IsObject(c))
			report_type(w, "object", json_type(c));
		return;
	case 'm':
		if (!cJSON_IsObject(c)) {
			report_type(w, "object", json_type(c));
			return;
		}
		cJSON_ArrayForEach(x, c) {
			len = push_key(w, x->string);
			if (!cJSON_IsString(x) && !cJSON_IsNull(x))
				report_type(w, "string", json_type(x));
			pop(w, len);
		}
		return;
	default:
		break;
	}
	if (!cJSON_IsArray(c)) {
		report_type(w, "array", json_type(c));
		return;
	}
	cJSON_ArrayForEach(x, c) {
		len = push_index(w, i++);
		if (kind == 'r')
			check_owner_ref(w, x);
		else if (kind == 'f')
			check_managed_fields(w, x);
		else if (!cJSON_IsString(x))
			report_type(w, "string", json_type(x));
		pop(w, len);
	}
}

static void
check_fields(struct walk *w, const cJSON *v, const struct meta_field *fields,
	     size_t nfields)
{
	const cJSON *c;
	size_t i, len;

	if (!cJSON_IsObject(v)) {
		report_type(w, "object", json_type(v));
		return;
	}
	cJSON_ArrayForEach(c, v) {
		if (cJSON_IsNull(c))
			continue;
		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].name, c->string) == 0)
				break;
		if (i == nfields) {
			report_unknown(w, c->string);
			continue;
		}
		len = push_key(w, c->string);
		check_meta_value(w, fields[i].kind, c);
		pop(w, len);
	}
}

static void
check_object(struct walk *w, const struct mg_schema_node *n, const cJSON *v,
	     const cJSON *old)
{
	const cJSON *c;
	size_t count = 0, i, len;
	uint16_t sub;

	cJSON_ArrayForEach(c, v) {
		if (cJSON_IsNull(c))
			continue;
		count++;
		sub = 0;
		for (i = 0; i < n->nprops; i++) {
			if (strcmp(mg_schema_props[n->props + i].name,
				   c->string) == 0) {
				sub = mg_schema_props[n->props + i].node;
				break;
			}
		}
		if (!sub)
			sub = n->items; /* a map's value, or 0 */
		if (!sub) {
			if (!(n->flags & MG_SCHEMA_PRESERVE_UNKNOWN))
				report_unknown(w, c->string);
			continue;
		}
		len = push_key(w, c->string);
		check_value(w, sub, c, old_member(old, c->string));
		pop(w, len);
	}
	for (i = 0; i < n->nrequired; i++) {
		const char *key = mg_schema_strings[n->required + i];

		if (!has(v, key))
			report_missing(w, key);
	}
	if ((n->flags & MG_SCHEMA_HAS_MAX_PROPERTIES) &&
	    count > (size_t)n->max_properties)
		report_too_many(w, count, n->max_properties);
}

/* Duplicates of a set or of a map's keys: the second of each is reported. */
static void
check_unique(struct walk *w, const struct mg_schema_node *n, const cJSON *v)
{
	size_t count = (size_t)cJSON_GetArraySize(v), i, j, k, len;
	const cJSON **keys;
	const cJSON *it;

	if (count < 2)
		return;
	keys = mg_xcalloc(count, sizeof(*keys));
	i = 0;
	cJSON_ArrayForEach(it, v) {
		keys[i++] = it;
	}
	for (i = 1; i < count; i++) {
		size_t before = 0;

		for (j = 0; j < i; j++) {
			bool same;

			if (n->list_type == MG_SCHEMA_LIST_SET) {
				same = cJSON_Compare(keys[i], keys[j], true);
			} else {
				same = true;
				for (k = 0; same && k < n->nmap_keys; k++) {
					const char *key =
						mg_schema_strings[n->map_keys + k];

					same = same_or_both_absent(
						get(keys[i], key),
						get(keys[j], key));
				}
			}
			if (same)
				before++;
		}
		if (before != 1)
			continue;
		len = push_index(w, i);
		{
			struct mg_buf msg = MG_BUF_INIT;

			mg_buf_adds(&msg, "Duplicate value: ");
			if (n->list_type == MG_SCHEMA_LIST_SET) {
				add_value(&msg, keys[i]);
			} else {
				const char *sep = "";

				mg_buf_addch(&msg, '{');
				for (k = 0; k < n->nmap_keys; k++) {
					const char *key =
						mg_schema_strings[n->map_keys + k];
					const cJSON *kv = get(keys[i], key);

					if (!kv)
						continue;
					mg_buf_addf(&msg, "%s\"%s\":", sep, key);
					add_value(&msg, kv);
					sep = ",";
				}
				mg_buf_addch(&msg, '}');
			}
			report(w, MG_PROBLEM_DUPLICATE, -1, &msg);
		}
		pop(w, len);
	}
	free(keys);
}

static void
check_array(struct walk *w, const struct mg_schema_node *n, const cJSON *v,
	    const cJSON *old)
{
	size_t count = (size_t)cJSON_GetArraySize(v), i = 0;
	const cJSON *it;
	bool objects = true;

	if ((n->flags & MG_SCHEMA_HAS_MAX_ITEMS) && count > (size_t)n->max_items)
		report_too_many(w, count, n->max_items);
	if ((n->flags & MG_SCHEMA_HAS_MIN_ITEMS) &&
	    count < (size_t)n->min_items) {
		struct mg_buf msg = MG_BUF_INIT;

		mg_buf_addf(&msg,
			    "Invalid value: %zu: %s in body should have at "
			    "least %d items",
			    count, body_name(w), (int)n->min_items);
		report(w, MG_PROBLEM_TOO_FEW, -1, &msg);
	}
	cJSON_ArrayForEach(it, v) {
		size_t len = push_index(w, i++);

		if (n->items)
			check_value(w, n->items, it, old_list_item(n, old, it));
		if (n->list_type == MG_SCHEMA_LIST_MAP && !cJSON_IsObject(it)) {
			objects = false;
			report_invalid(w, MG_PROBLEM_TYPE, it,
				       "must be an object for an array of "
				       "list-type map");
		}
		pop(w, len);
	}
	if (objects && (n->list_type == MG_SCHEMA_LIST_SET ||
			n->list_type == MG_SCHEMA_LIST_MAP))
		check_unique(w, n, v);
}

static void
check_string(struct walk *w, const struct mg_schema_node *n, const cJSON *v)
{
	const char *s = v->valuestring;
	size_t chars = utf8_len(s);
	struct timespec ts;

	if (n->format == MG_SCHEMA_FMT_DATE_TIME &&
	    mg_time_parse_ts(s, &ts, NULL) != 0) {
		struct mg_buf msg = MG_BUF_INIT;

		mg_buf_adds(&msg, "Invalid value: ");
		add_quoted(&msg, s);
		mg_buf_addf(&msg, ": %s in body must be of type date-time: ",
			    body_name(w));
		add_quoted(&msg, s);
		report(w, MG_PROBLEM_TYPE, -1, &msg);
	}
	if ((n->flags & MG_SCHEMA_HAS_MAX_LENGTH) &&
	    chars > (size_t)n->max_length)
		reportf(w, MG_PROBLEM_TOO_LONG,
			"Too long: may not be more than %d %s",
			(int)n->max_length, n->max_length == 1 ? "byte" : "bytes");
	if ((n->flags & MG_SCHEMA_HAS_MIN_LENGTH) &&
	    chars < (size_t)n->min_length) {
		char what[64];

		snprintf(what, sizeof(what), "should be at least %d chars long",
			 (int)n->min_length);
		report_invalid(w, MG_PROBLEM_TOO_SHORT, v, what);
	}
	if (n->pattern && !pattern_match(n->pattern, s)) {
		struct mg_buf msg = MG_BUF_INIT;

		mg_buf_adds(&msg, "Invalid value: ");
		add_quoted(&msg, s);
		mg_buf_addf(&msg, ": %s in body should match '%s'",
			    body_name(w), mg_schema_patterns[n->pattern].go);
		report(w, MG_PROBLEM_PATTERN, -1, &msg);
	}
	if (n->nenums) {
		struct mg_buf msg = MG_BUF_INIT;
		size_t i;

		for (i = 0; i < n->nenums; i++)
			if (strcmp(mg_schema_strings[n->enums + i], s) == 0)
				return;
		mg_buf_adds(&msg, "Unsupported value: ");
		add_quoted(&msg, s);
		mg_buf_adds(&msg, ": supported values: ");
		for (i = 0; i < n->nenums; i++) {
			if (i)
				mg_buf_adds(&msg, ", ");
			add_quoted(&msg, mg_schema_strings[n->enums + i]);
		}
		report(w, MG_PROBLEM_ENUM, -1, &msg);
	}
}

static void
check_integer(struct walk *w, const struct mg_schema_node *n, const cJSON *v)
{
	int64_t x = int_value(v);
	char what[80];

	if ((n->flags & MG_SCHEMA_HAS_MINIMUM) && x < n->minimum) {
		snprintf(what, sizeof(what),
			 "should be greater than or equal to %lld",
			 (long long)n->minimum);
		report_invalid(w, MG_PROBLEM_RANGE, v, what);
	}
	if ((n->flags & MG_SCHEMA_HAS_MAXIMUM) && x > n->maximum) {
		snprintf(what, sizeof(what), "should be less than or equal to %lld",
			 (long long)n->maximum);
		report_invalid(w, MG_PROBLEM_RANGE, v, what);
	}
}

static void
check_value(struct walk *w, uint16_t ni, const cJSON *v, const cJSON *old)
{
	const struct mg_schema_node *n = node_at(ni);

	/* Ratcheting: what did not change is not checked again. */
	if (old && cJSON_Compare(v, old, true))
		return;
	if (n->flags & MG_SCHEMA_OBJECT_META) {
		check_meta(w, v);
		return;
	}
	switch ((enum mg_schema_type)n->type) {
	case MG_SCHEMA_OBJECT:
		if (!cJSON_IsObject(v))
			break;
		check_object(w, n, v, old);
		return;
	case MG_SCHEMA_ARRAY:
		if (!cJSON_IsArray(v))
			break;
		check_array(w, n, v, old);
		return;
	case MG_SCHEMA_STRING:
		if (!cJSON_IsString(v))
			break;
		check_string(w, n, v);
		return;
	case MG_SCHEMA_INTEGER:
		if (!is_integral(v))
			break;
		check_integer(w, n, v);
		return;
	case MG_SCHEMA_NUMBER:
		if (!cJSON_IsNumber(v))
			break;
		return;
	case MG_SCHEMA_BOOLEAN:
		if (!cJSON_IsBool(v))
			break;
		return;
	case MG_SCHEMA_INT_OR_STRING:
		if (is_integral(v))
			return;
		if (!cJSON_IsString(v))
			break;
		check_string(w, n, v);
		return;
	case MG_SCHEMA_NONE:
		return;
	}
	report_type(w, schema_type_name(n), json_type(v));
	if (n->type == MG_SCHEMA_INT_OR_STRING) {
		/* the server also reports its anyOf, without a path */
		struct mg_buf msg = MG_BUF_INIT;
		char *path = mg_xstrdup(w->path.data);

		mg_buf_addf(&msg, "Invalid value: \"\": \"%s\" must validate at "
				  "least one schema (anyOf)",
			    body_name(w));
		pop(w, 0);
		report(w, MG_PROBLEM_TYPE, -1, &msg);
		mg_buf_adds(&w->path, path);
		free(path);
		report_type(w, "integer", json_type(v));
	}
}

/* ---- CEL rules ------------------------------------------------------------------ */

enum cel {
	CEL_TRUE,
	CEL_FALSE,
	CEL_ERROR, /* the expression could not be evaluated: detail says why */
	CEL_SKIP,  /* a transition rule without an old value */
};

static enum cel
no_such_key(struct mg_buf *detail, const char *key)
{
	mg_buf_addf(detail, "no such key: %s", key);
	return CEL_ERROR;
}

static enum cel
no_overload(struct mg_buf *detail)
{
	mg_buf_adds(detail, "no such overload");
	return CEL_ERROR;
}

static enum cel
cel_bool(bool b)
{
	return b ? CEL_TRUE : CEL_FALSE;
}

/* size(self.key) > 0 for an optional string field. */
static bool
nonempty(const cJSON *o, const char *key)
{
	const cJSON *x = get(o, key);

	return cJSON_IsString(x) && x->valuestring[0];
}

/* Every key of map self has at most `max` characters (`strict`: fewer). */
static enum cel
keys_shorter(const cJSON *self, size_t max, bool strict)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, self) {
		size_t n = utf8_len(c->string);

		if (strict ? n >= max : n > max)
			return CEL_FALSE;
	}
	return CEL_TRUE;
}

static enum cel
map_sizes(const cJSON *self, size_t key_below, size_t value_below,
	  struct mg_buf *detail)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, self) {
		if (utf8_len(c->string) >= key_below)
			return CEL_FALSE;
		if (!cJSON_IsString(c))
			return no_overload(detail);
		if (utf8_len(c->valuestring) >= value_below)
			return CEL_FALSE;
	}
	return CEL_TRUE;
}

/* oldSelf.all(x, x in self) for lists of scalars. */
static enum cel
list_keeps(const cJSON *self, const cJSON *old)
{
	const cJSON *o, *c;

	cJSON_ArrayForEach(o, old) {
		bool found = false;

		cJSON_ArrayForEach(c, self) {
			if (cJSON_Compare(o, c, true)) {
				found = true;
				break;
			}
		}
		if (!found)
			return CEL_FALSE;
	}
	return CEL_TRUE;
}

static enum cel
eval_rule(enum mg_schema_rule r, const cJSON *self, const cJSON *old,
	  struct mg_buf *detail)
{
	const cJSON *x, *y;
	int n, errors;

	/* transition rules need an old value, of the same shape (an old
	 * object may be invalid: ratcheting let it stay) */
	if (mg_schema_rules[r].uses_old_self &&
	    (!old || cJSON_IsArray(old) != cJSON_IsArray(self) ||
	     cJSON_IsObject(old) != cJSON_IsObject(self)))
		return CEL_SKIP;
	switch (r) {
	case MG_RULE_CLUSTER_NAME_MAX_25:
		x = get(self, "metadata");
		if (!x)
			return no_such_key(detail, "metadata");
		x = get(x, "name");
		if (!x)
			return no_such_key(detail, "name");
		if (!cJSON_IsString(x))
			return no_overload(detail);
		return cel_bool(utf8_len(x->valuestring) <= 25);
	case MG_RULE_CELLS_APPEND_ONLY:
		cJSON_ArrayForEach(x, old) {
			const cJSON *name = get(x, "name"), *c;
			bool found = false;

			if (!name)
				return no_such_key(detail, "name");
			cJSON_ArrayForEach(c, self) {
				const cJSON *cname = get(c, "name");

				if (!cname)
					return no_such_key(detail, "name");
				if (cJSON_Compare(name, cname, true))
					found = true;
			}
			if (!found)
				return CEL_FALSE;
		}
		return CEL_TRUE;
	case MG_RULE_DATABASES_ONLY_POSTGRES:
		/* false wins over an error in both && and all() */
		errors = 0;
		cJSON_ArrayForEach(x, self) {
			const cJSON *name = get(x, "name");
			bool name_false, name_error = !cJSON_IsString(name);

			name_false = !name_error &&
				     strcmp(name->valuestring, "postgres") != 0;
			y = get(x, "default");
			if (name_false || (y && !cJSON_IsTrue(y)))
				return CEL_FALSE;
			if (name_error || !y)
				errors++;
		}
		if (errors)
			return no_such_key(detail, "default");
		return CEL_TRUE;
	case MG_RULE_TABLEGROUPS_ONE_DEFAULT:
		n = 0;
		cJSON_ArrayForEach(x, self) {
			if (cJSON_IsTrue(get(x, "default")))
				n++;
		}
		return cel_bool(n == 1);
	case MG_RULE_DEFAULT_TABLEGROUP_NAME:
		if (!cJSON_IsTrue(get(self, "default")))
			return CEL_TRUE;
		x = get(self, "name");
		if (!x)
			return no_such_key(detail, "name");
		return cel_bool(cJSON_IsString(x) &&
				strcmp(x->valuestring, "default") == 0);
	case MG_RULE_SHARD_NAME_0_INF:
		return cel_bool(cJSON_IsString(self) &&
				strcmp(self->valuestring, "0-inf") == 0);
	case MG_RULE_NOT_SPEC_AND_SHARD_TEMPLATE:
		return cel_bool(!(has(self, "spec") && has(self, "shardTemplate")));
	case MG_RULE_NOT_SPEC_AND_OVERRIDES:
		return cel_bool(!(has(self, "spec") && has(self, "overrides")));
	case MG_RULE_NOT_SPEC_AND_CELL_TEMPLATE:
		return cel_bool(!(has(self, "spec") && has(self, "cellTemplate")));
	case MG_RULE_NOT_ZONE_AND_REGION:
		return cel_bool(!(has(self, "zoneId") && has(self, "region")));
	case MG_RULE_ZONE_OR_REGION:
		return cel_bool(has(self, "zoneId") || has(self, "region"));
	case MG_RULE_POOL_NAMES_MAX_25:
		return keys_shorter(self, 25, false);
	case MG_RULE_POOL_NAMES_UNDER_63:
		return keys_shorter(self, 63, true);
	case MG_RULE_POOLS_APPEND_ONLY:
		cJSON_ArrayForEach(x, old) {
			if (!cJSON_GetObjectItemCaseSensitive(self, x->string))
				return CEL_FALSE;
		}
		return CEL_TRUE;
	case MG_RULE_POOL_CELLS_APPEND_ONLY:
		return list_keeps(self, old);
	case MG_RULE_BACKUP_S3_NEEDS_CONFIG:
	case MG_RULE_BACKUP_FILESYSTEM_NEEDS_CONFIG: {
		const char *t = r == MG_RULE_BACKUP_S3_NEEDS_CONFIG ? "s3"
								    : "filesystem";

		x = get(self, "type");
		if (!x)
			return no_such_key(detail, "type");
		if (!cJSON_IsString(x))
			return no_overload(detail);
		return cel_bool(strcmp(x->valuestring, t) != 0 || has(self, t));
	}
	case MG_RULE_BACKUP_ENCRYPTION_IMMUTABLE:
		x = get(self, "encryption");
		y = get(old, "encryption");
		return cel_bool((x != NULL) == (y != NULL) &&
				(!x || cJSON_Compare(x, y, true)));
	case MG_RULE_S3_NOT_IRSA_AND_SECRET:
		return cel_bool(!(nonempty(self, "serviceAccountName") &&
				  nonempty(self, "credentialsSecret")));
	case MG_RULE_S3_NOT_IRSA_AND_ENV:
		return cel_bool(!(nonempty(self, "serviceAccountName") &&
				  cJSON_IsTrue(get(self, "useEnvCredentials"))));
	case MG_RULE_GLOBAL_TOPO_EXACTLY_ONE:
		return cel_bool(has(self, "etcd") + has(self, "external") +
					has(self, "templateRef") ==
				1);
	case MG_RULE_SPEC_OR_TEMPLATE_REF:
		return cel_bool(has(self, "spec") || has(self, "templateRef"));
	case MG_RULE_NOT_SPEC_AND_TEMPLATE_REF:
		return cel_bool(!(has(self, "spec") && has(self, "templateRef")));
	case MG_RULE_ETCD_OR_EXTERNAL:
		return cel_bool(has(self, "etcd") || has(self, "external"));
	case MG_RULE_NOT_ETCD_AND_EXTERNAL:
		return cel_bool(!(has(self, "etcd") && has(self, "external")));
	case MG_RULE_ETCD_REQUIRED:
		return cel_bool(has(self, "etcd"));
	case MG_RULE_ETCD_REPLICAS_ODD:
		if (!is_integral(self))
			return no_overload(detail);
		return cel_bool(int_value(self) % 2 == 1);
	case MG_RULE_ENDPOINTS_ARE_URLS:
		cJSON_ArrayForEach(x, self) {
			if (!cJSON_IsString(x))
				return no_overload(detail);
			if (strncmp(x->valuestring, "http://", 7) != 0 &&
			    strncmp(x->valuestring, "https://", 8) != 0)
				return CEL_FALSE;
		}
		return CEL_TRUE;
	case MG_RULE_NO_RESERVED_ANNOTATIONS:
		cJSON_ArrayForEach(x, get(self, "annotations")) {
			if (strncmp(x->string, "multigres.com/", 14) == 0)
				return CEL_FALSE;
		}
		return CEL_TRUE;
	case MG_RULE_POD_ANNOTATIONS_SIZE:
		return map_sizes(self, 64, 256, detail);
	case MG_RULE_POD_LABELS_SIZE:
		return map_sizes(self, 64, 64, detail);
	case MG_RULE_COUNT:
		break;
	}
	MG_BUG("unknown CEL rule");
}

static void
run_rules(struct walk *w, const struct mg_schema_node *n, const cJSON *v,
	  const cJSON *old)
{
	size_t i;

	for (i = 0; i < n->nrules; i++) {
		enum mg_schema_rule r = mg_schema_rule_refs[n->rules + i];
		struct mg_buf detail = MG_BUF_INIT, msg = MG_BUF_INIT;
		enum cel res = eval_rule(r, v, old, &detail);

		mg_buf_adds(&msg, "Invalid value: ");
		if (res == CEL_FALSE) {
			if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) {
				add_value(&msg, v);
				mg_buf_adds(&msg, ": ");
			}
			mg_buf_adds(&msg, mg_schema_rules[r].message);
			report(w, MG_PROBLEM_RULE, (int)r, &msg);
		} else if (res == CEL_ERROR) {
			add_quoted(&msg, schema_type_name(n));
			mg_buf_addf(&msg, ": %s evaluating rule: %s", detail.data,
				    mg_schema_rules[r].message);
			report(w, MG_PROBLEM_RULE, (int)r, &msg);
		}
		mg_buf_release(&msg);
		mg_buf_release(&detail);
	}
}

static void
cel_value(struct walk *w, uint16_t ni, const cJSON *v, const cJSON *old)
{
	const struct mg_schema_node *n = node_at(ni);
	const cJSON *c;
	size_t i, len;

	if (!v || cJSON_IsNull(v))
		return;
	if (old && cJSON_Compare(v, old, true))
		return;
	run_rules(w, n, v, old);
	if (n->flags & MG_SCHEMA_OBJECT_META)
		return;
	if (n->type == MG_SCHEMA_OBJECT && cJSON_IsObject(v)) {
		cJSON_ArrayForEach(c, v) {
			uint16_t sub = 0;

			for (i = 0; i < n->nprops && !sub; i++)
				if (strcmp(mg_schema_props[n->props + i].name,
					   c->string) == 0)
					sub = mg_schema_props[n->props + i].node;
			if (!sub)
				sub = n->items;
			if (!sub)
				continue;
			len = push_key(w, c->string);
			cel_value(w, sub, c, old_member(old, c->string));
			pop(w, len);
		}
	} else if (n->type == MG_SCHEMA_ARRAY && cJSON_IsArray(v) && n->items) {
		i = 0;
		cJSON_ArrayForEach(c, v) {
			len = push_index(w, i++);
			cel_value(w, n->items, c, old_list_item(n, old, c));
			pop(w, len);
		}
	}
}

/* ---- entry points ------------------------------------------------------------ */

static size_t
validate(uint16_t node, const cJSON *value, const cJSON *old, const char *path,
	 unsigned opts, bool status_relative, struct mg_findings *probs)
{
	struct walk w = { probs, opts, MG_BUF_INIT, 0, 0, status_relative };

	mg_buf_adds(&w.path, path ? path : "");
	check_value(&w, node, value, old);
	if (w.blocking) {
		pop(&w, 0); /* the server reports this one without a path */
		reportf(&w, MG_PROBLEM_NOT_CHECKED,
			"Invalid value: null: some validation rules were not "
			"checked because the object was invalid; correct the "
			"existing errors to complete validation");
	} else {
		cel_value(&w, node, value, old);
	}
	mg_buf_release(&w.path);
	return w.found;
}

size_t
mg_schema_validate_node(uint16_t node, const cJSON *value, const cJSON *old,
			const char *path, unsigned opts,
			struct mg_findings *probs)
{
	return validate(node, value, old, path, opts, false, probs);
}

size_t
mg_schema_validate(enum mg_kind kind, const cJSON *obj, unsigned opts,
		   struct mg_findings *probs)
{
	return mg_schema_validate_update(kind, obj, NULL, opts, probs);
}

size_t
mg_schema_validate_update(enum mg_kind kind, const cJSON *obj,
			  const cJSON *old, unsigned opts,
			  struct mg_findings *probs)
{
	if ((unsigned)kind >= MG_KIND_COUNT)
		MG_BUG("bad kind");
	return validate(mg_kind_infos[kind].schema, obj, old, "", opts,
			mg_kind_infos[kind].has_status, probs);
}
