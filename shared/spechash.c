#include "compat.h"
#include "spechash.h"

#include <math.h>

#include "buf.h"
#include "err.h"
#include "gojson.h"
#include "labels.h"
#include "xalloc.h"

#define FNV32_OFFSET 0x811c9dc5u
#define FNV32_PRIME  0x01000193u

/* cJSON integers are doubles: exact up to 2^53. */
#define MAX_EXACT 9007199254740992.0

void
mg_spechash_bytes(const void *data, size_t len, char out[MG_SPECHASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	uint32_t h = FNV32_OFFSET;
	size_t i;
	int j;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV32_PRIME;
	}
	for (j = 0; j < MG_SPECHASH_LEN; j++)
		out[j] = hex[(h >> (28 - 4 * j)) & 0xf];
	out[MG_SPECHASH_LEN] = '\0';
}

/* The writer: pieces go to out, each followed by sep (if any). */
struct w {
	struct mg_buf *out;
	const char *sep;
	struct mg_buf path;
	struct mg_err *err;
};

static void
end_piece(struct w *w)
{
	if (w->sep)
		mg_buf_adds(w->out, w->sep);
}

static void
path_set(struct w *w, const char *fmt, ...) MG_PRINTF(2, 3);

static void
path_set(struct w *w, const char *fmt, ...)
{
	va_list ap;

	mg_buf_reset(&w->path);
	va_start(ap, fmt);
	mg_buf_vaddf(&w->path, fmt, ap);
	va_end(ap);
}

/* The member named key (the last one if it repeats), NULL if absent. */
static const cJSON *
member(const cJSON *obj, const char *key)
{
	const cJSON *c, *found = NULL;

	if (!cJSON_IsObject(obj))
		return NULL;
	cJSON_ArrayForEach(c, obj)
		if (c->string && !strcmp(c->string, key))
			found = c;
	return found;
}

static bool
is_nil(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

/* A Go string field: "" when absent or null. */
static int
str_of(struct w *w, const cJSON *v, const char **out)
{
	if (is_nil(v)) {
		*out = "";
		return 0;
	}
	if (!cJSON_IsString(v))
		return mg_err_set(w->err, MG_EINVAL, "%s: expected a string",
				  w->path.data);
	*out = v->valuestring;
	return 0;
}

/* prefix + the string member key of obj, raw (Go's %s). */
static int
raw_piece(struct w *w, const char *prefix, const cJSON *obj, const char *key,
	  const char *where)
{
	const char *s;
	int rc;

	path_set(w, "%s.%s", where, key);
	rc = str_of(w, member(obj, key), &s);
	if (rc)
		return rc;
	mg_buf_adds(w->out, prefix);
	mg_buf_adds(w->out, s);
	end_piece(w);
	return 0;
}

/* A slice member: NULL when nil, an error when not an array. */
static int
slice_of(struct w *w, const cJSON *obj, const char *key, const char *where,
	 const cJSON **out)
{
	const cJSON *v = member(obj, key);

	*out = NULL;
	if (is_nil(v))
		return 0;
	if (!cJSON_IsArray(v))
		return mg_err_set(w->err, MG_EINVAL, "%s.%s: expected an array",
				  where, key);
	*out = v;
	return 0;
}

/* prefix + json.Marshal(value as type). */
static int
json_piece(struct w *w, const char *prefix, enum mg_gojson_type type,
	   const cJSON *v)
{
	int rc;

	mg_buf_adds(w->out, prefix);
	rc = mg_gojson_encode(w->out, type, v, w->path.data, w->err);
	if (!rc)
		end_piece(w);
	return rc;
}

/* "cmd=" / "arg=" for each element of a []string member. */
static int
strings_pieces(struct w *w, const char *prefix, const cJSON *c,
	       const char *key, const char *where)
{
	const cJSON *arr, *it;
	size_t i = 0;
	int rc;

	rc = slice_of(w, c, key, where, &arr);
	cJSON_ArrayForEach(it, arr) {
		const char *s;

		path_set(w, "%s.%s[%zu]", where, key, i++);
		rc = str_of(w, it, &s);
		if (rc)
			return rc;
		mg_buf_adds(w->out, prefix);
		mg_buf_adds(w->out, s);
		end_piece(w);
	}
	return rc;
}

/* A1-A10 for one container. */
static int
container(struct w *w, const cJSON *c, const char *where)
{
	const cJSON *env, *from, *mounts, *it, *sc;
	size_t i;
	int rc;

	if (!is_nil(c) && !cJSON_IsObject(c))
		return mg_err_set(w->err, MG_EINVAL, "%s: expected an object",
				  where);
	if ((rc = raw_piece(w, "name=", c, "name", where)) ||
	    (rc = raw_piece(w, "image=", c, "image", where)) ||
	    (rc = strings_pieces(w, "cmd=", c, "command", where)) ||
	    (rc = strings_pieces(w, "arg=", c, "args", where)))
		return rc;

	if ((rc = slice_of(w, c, "env", where, &env)))
		return rc;
	i = 0;
	cJSON_ArrayForEach(it, env) {
		const char *name, *value;
		const cJSON *vf;

		path_set(w, "%s.env[%zu]", where, i);
		if (!is_nil(it) && !cJSON_IsObject(it))
			return mg_err_set(w->err, MG_EINVAL,
					  "%s: expected an object",
					  w->path.data);
		path_set(w, "%s.env[%zu].name", where, i);
		if ((rc = str_of(w, member(it, "name"), &name)))
			return rc;
		path_set(w, "%s.env[%zu].value", where, i);
		if ((rc = str_of(w, member(it, "value"), &value)))
			return rc;
		mg_buf_addf(w->out, "env=%s=%s", name, value);
		end_piece(w);
		vf = member(it, "valueFrom");
		if (!is_nil(vf)) {
			char *prefix = mg_xasprintf("envValFrom=%s=", name);

			path_set(w, "%s.env[%zu].valueFrom", where, i);
			rc = json_piece(w, prefix, MG_GOJSON_ENV_VAR_SOURCE, vf);
			free(prefix);
			if (rc)
				return rc;
		}
		i++;
	}

	if ((rc = slice_of(w, c, "envFrom", where, &from)))
		return rc;
	i = 0;
	cJSON_ArrayForEach(it, from) {
		path_set(w, "%s.envFrom[%zu]", where, i++);
		if ((rc = json_piece(w, "envFromSrc=",
				     MG_GOJSON_ENV_FROM_SOURCE, it)))
			return rc;
	}

	path_set(w, "%s.resources", where);
	if ((rc = json_piece(w, "res=", MG_GOJSON_RESOURCE_REQUIREMENTS,
			     member(c, "resources"))))
		return rc;

	if ((rc = slice_of(w, c, "volumeMounts", where, &mounts)))
		return rc;
	i = 0;
	cJSON_ArrayForEach(it, mounts) {
		path_set(w, "%s.volumeMounts[%zu]", where, i++);
		if ((rc = json_piece(w, "vm=", MG_GOJSON_VOLUME_MOUNT, it)))
			return rc;
	}

	sc = member(c, "securityContext");
	if (!is_nil(sc)) {
		path_set(w, "%s.securityContext", where);
		if ((rc = json_piece(w, "sc=", MG_GOJSON_SECURITY_CONTEXT, sc)))
			return rc;
	}
	return 0;
}

struct kv {
	const char *key;
	const cJSON *val;
	size_t pos;
};

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* B4: key=value for each nodeSelector entry, keys sorted bytewise. */
static int
node_selector(struct w *w, const cJSON *ns)
{
	const cJSON *c;
	struct kv *kv;
	size_t n = 0, i;
	int rc = 0;

	if (is_nil(ns))
		return 0;
	if (!cJSON_IsObject(ns))
		return mg_err_set(w->err, MG_EINVAL,
				  "spec.nodeSelector: expected an object");
	cJSON_ArrayForEach(c, ns)
		n++;
	kv = mg_xcalloc(n ? n : 1, sizeof(*kv));
	n = 0;
	cJSON_ArrayForEach(c, ns) {
		kv[n].key = c->string ? c->string : "";
		kv[n].val = c;
		kv[n].pos = n;
		n++;
	}
	qsort(kv, n, sizeof(*kv), kv_cmp);
	for (i = 0; i < n && !rc; i++) {
		const char *v;

		/* a repeated key: Go's map keeps the last value */
		if (i + 1 < n && !strcmp(kv[i].key, kv[i + 1].key))
			continue;
		path_set(w, "spec.nodeSelector[%s]", kv[i].key);
		rc = str_of(w, kv[i].val, &v);
		if (!rc) {
			mg_buf_addf(w->out, "%s=%s", kv[i].key, v);
			end_piece(w);
		}
	}
	free(kv);
	return rc;
}

static int
stream(struct w *w, const cJSON *pod)
{
	static const char *const lists[] = { "initContainers", "containers" };
	const cJSON *spec = member(pod, "spec"), *arr, *it, *v;
	const char *s;
	size_t l, i;
	int rc;

	if (!cJSON_IsObject(pod))
		return mg_err_set(w->err, MG_EINVAL, "pod: expected an object");
	if (!is_nil(spec) && !cJSON_IsObject(spec))
		return mg_err_set(w->err, MG_EINVAL,
				  "spec: expected an object");

	/* A: init containers first, then containers, in order */
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		if ((rc = slice_of(w, spec, lists[l], "spec", &arr)))
			return rc;
		i = 0;
		cJSON_ArrayForEach(it, arr) {
			char *where = mg_xasprintf("spec.%s[%zu]", lists[l],
						   i++);

			rc = container(w, it, where);
			free(where);
			if (rc)
				return rc;
		}
	}

	/* B1: volumes, no prefix */
	if ((rc = slice_of(w, spec, "volumes", "spec", &arr)))
		return rc;
	i = 0;
	cJSON_ArrayForEach(it, arr) {
		path_set(w, "spec.volumes[%zu]", i++);
		if ((rc = json_piece(w, "", MG_GOJSON_VOLUME, it)))
			return rc;
	}

	/* B2: affinity when the pointer is set ({} included) */
	v = member(spec, "affinity");
	if (!is_nil(v)) {
		path_set(w, "spec.affinity");
		if ((rc = json_piece(w, "", MG_GOJSON_AFFINITY, v)))
			return rc;
	}

	/* B3: the whole toleration list, when it has an entry */
	if ((rc = slice_of(w, spec, "tolerations", "spec", &arr)))
		return rc;
	if (arr && arr->child) {
		rc = mg_gojson_encode_slice(w->out, MG_GOJSON_TOLERATION, arr,
					    "spec.tolerations", w->err);
		if (rc)
			return rc;
		end_piece(w);
	}

	/* B4 */
	if ((rc = node_selector(w, member(spec, "nodeSelector"))))
		return rc;

	/* B5: terminationGracePeriodSeconds (*int64) */
	v = member(spec, "terminationGracePeriodSeconds");
	if (!is_nil(v)) {
		double d = cJSON_IsNumber(v) ? v->valuedouble : 0.5;

		if (d != floor(d) || d < -MAX_EXACT || d > MAX_EXACT)
			return mg_err_set(w->err, MG_EINVAL,
					  "spec.terminationGracePeriodSeconds: expected an integer");
		mg_buf_addf(w->out, "tgp=%lld", (long long)d);
		end_piece(w);
	}

	/* B6: serviceAccountName when not empty */
	path_set(w, "spec.serviceAccountName");
	if ((rc = str_of(w, member(spec, "serviceAccountName"), &s)))
		return rc;
	if (*s) {
		mg_buf_addf(w->out, "sa=%s", s);
		end_piece(w);
	}

	/* B7: the pod security context when the pointer is set */
	v = member(spec, "securityContext");
	if (!is_nil(v)) {
		path_set(w, "spec.securityContext");
		if ((rc = json_piece(w, "podsc=",
				     MG_GOJSON_POD_SECURITY_CONTEXT, v)))
			return rc;
	}

	/* B8: the postgres config hash annotation when not empty */
	v = member(member(pod, "metadata"), "annotations");
	if (!is_nil(v) && !cJSON_IsObject(v))
		return mg_err_set(w->err, MG_EINVAL,
				  "metadata.annotations: expected an object");
	path_set(w, "metadata.annotations[" MG_ANNOT_POSTGRES_CONFIG_HASH "]");
	if ((rc = str_of(w, member(v, MG_ANNOT_POSTGRES_CONFIG_HASH), &s)))
		return rc;
	if (*s) {
		mg_buf_addf(w->out, "pgcfg=%s", s);
		end_piece(w);
	}
	return 0;
}

int
mg_spechash_stream(struct mg_buf *out, const cJSON *pod, const char *sep,
		   struct mg_err *err)
{
	struct mg_buf tmp = MG_BUF_INIT;
	struct w w;
	int rc;

	w.out = &tmp;
	w.sep = sep;
	w.err = err;
	mg_buf_init(&w.path, 0);
	rc = stream(&w, pod);
	if (!rc)
		mg_buf_add(out, tmp.data, tmp.len);
	mg_buf_release(&tmp);
	mg_buf_release(&w.path);
	return rc;
}

int
mg_spechash_pod(const cJSON *pod, char out[MG_SPECHASH_LEN + 1],
		struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT;
	int rc;

	out[0] = '\0';
	rc = mg_spechash_stream(&b, pod, NULL, err);
	if (!rc)
		mg_spechash_bytes(b.data, b.len, out);
	mg_buf_release(&b);
	return rc;
}
