#include "compat.h"
#include "json.h"

#include <errno.h>
#include <math.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

int
mg_json_parse(cJSON **out, const char *data, size_t len, const char *what,
	      struct mg_err *err)
{
	const char *end = NULL;
	cJSON *root;
	size_t off, line = 1, col = 1, i;

	*out = NULL;
	root = cJSON_ParseWithLengthOpts(data, len, &end, false);
	if (root) {
		*out = root;
		return 0;
	}
	off = end && end >= data ? (size_t)(end - data) : 0;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (len == 0)
		return mg_err_set(err, MG_EPARSE, "%s: empty document", what);
	return mg_err_set(err, MG_EPARSE, "%s: invalid JSON at line %zu column %zu",
			  what, line, col);
}

cJSON *
mg_json_get(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	const char *p = path;

	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char key[256];

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (cJSON_IsArray(cur)) {
			char *e;
			long idx;

			errno = 0;
			idx = strtol(key, &e, 10);
			if (errno || *e || e == key || idx < 0)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else if (cJSON_IsObject(cur)) {
			cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		} else {
			return NULL;
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return (cJSON *)(uintptr_t)cur;
}

const char *
mg_json_str(const cJSON *root, const char *path)
{
	const cJSON *it = mg_json_get(root, path);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

bool
mg_json_bool(const cJSON *root, const char *path, bool dflt)
{
	const cJSON *it = mg_json_get(root, path);

	return cJSON_IsBool(it) ? cJSON_IsTrue(it) : dflt;
}

long long
mg_json_int(const cJSON *root, const char *path, long long dflt)
{
	const cJSON *it = mg_json_get(root, path);
	double d;

	if (!cJSON_IsNumber(it))
		return dflt;
	d = it->valuedouble;
	if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
		return dflt;
	return (long long)d;
}

int
mg_json_want_str(const char **out, const cJSON *root, const char *path,
		 const char *what, struct mg_err *err)
{
	const cJSON *it = mg_json_get(root, path);

	if (!it)
		return mg_err_set(err, MG_EINVAL, "%s: '%s' is missing", what,
				  path);
	if (!cJSON_IsString(it))
		return mg_err_set(err, MG_EINVAL, "%s: '%s' must be a string",
				  what, path);
	*out = it->valuestring;
	return 0;
}

void
mg_json_set_str(cJSON *obj, const char *key, const char *value)
{
	cJSON *s = cJSON_CreateString(value);

	if (!s)
		MG_BUG("cJSON out of memory");
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, s);
	else
		cJSON_AddItemToObject(obj, key, s);
}

void
mg_json_print(struct mg_buf *out, const cJSON *item, bool pretty)
{
	char *s = pretty ? cJSON_Print(item) : cJSON_PrintUnformatted(item);

	if (!s)
		MG_BUG("cJSON out of memory");
	mg_buf_adds(out, s);
	cJSON_free(s);
}

struct kv {
	const char *key;
	const cJSON *val;
};

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

cJSON *
mg_json_sorted(const cJSON *item)
{
	const cJSON *c;
	cJSON *copy;
	struct kv *kids;
	size_t n = 0, i;

	if (cJSON_IsArray(item)) {
		copy = cJSON_CreateArray();
		cJSON_ArrayForEach(c, item)
			cJSON_AddItemToArray(copy, mg_json_sorted(c));
		return copy;
	}
	if (!cJSON_IsObject(item))
		return cJSON_Duplicate(item, true);
	cJSON_ArrayForEach(c, item)
		n++;
	kids = mg_xcalloc(n, sizeof(*kids));
	i = 0;
	cJSON_ArrayForEach(c, item) {
		kids[i].key = c->string;
		kids[i++].val = c;
	}
	qsort(kids, n, sizeof(*kids), cmp_keys);
	copy = cJSON_CreateObject();
	for (i = 0; i < n; i++)
		cJSON_AddItemToObject(copy, kids[i].key,
				      mg_json_sorted(kids[i].val));
	free(kids);
	return copy;
}

const cJSON *
mg_json_member(const cJSON *o, const char *key)
{
	const cJSON *it;

	if (!cJSON_IsObject(o))
		return NULL;
	it = cJSON_GetObjectItemCaseSensitive(o, key);
	return (it && !cJSON_IsNull(it)) ? it : NULL;
}

const cJSON *
mg_json_member_obj(const cJSON *o, const char *key)
{
	const cJSON *it = mg_json_member(o, key);

	return cJSON_IsObject(it) ? it : NULL;
}

const cJSON *
mg_json_member_arr(const cJSON *o, const char *key)
{
	const cJSON *it = mg_json_member(o, key);

	return cJSON_IsArray(it) ? it : NULL;
}

const char *
mg_json_member_str(const cJSON *o, const char *key)
{
	const cJSON *it = mg_json_member(o, key);

	return (cJSON_IsString(it) && it->valuestring[0]) ? it->valuestring :
							    NULL;
}
