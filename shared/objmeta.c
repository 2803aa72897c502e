#include "compat.h"
#include "objmeta.h"

#include <assert.h>

#include "err.h"
#include "labels.h"
#include "xalloc.h"

static cJSON *
must(cJSON *item)
{
	if (!item)
		MG_BUG("cJSON out of memory");
	return item;
}

cJSON *
mg_objmeta_labels_new(const char *cluster, const char *component)
{
	cJSON *labels = must(cJSON_CreateObject());

	assert(cluster && component);
	mg_objmeta_set(labels, MG_LABEL_APP_NAME, MG_APP_NAME);
	mg_objmeta_set(labels, MG_LABEL_APP_INSTANCE, cluster);
	mg_objmeta_set(labels, MG_LABEL_APP_COMPONENT, component);
	mg_objmeta_set(labels, MG_LABEL_APP_PART_OF, MG_APP_NAME);
	mg_objmeta_set(labels, MG_LABEL_APP_MANAGED_BY, MG_MANAGED_BY);
	return labels;
}

void
mg_objmeta_add_ident(cJSON *labels, const struct mg_objmeta_ident *ident)
{
	const struct {
		const char *key, *value;
	} fields[] = {
		{ MG_LABEL_CLUSTER, ident->cluster },
		{ MG_LABEL_DATABASE, ident->database },
		{ MG_LABEL_TABLEGROUP, ident->tablegroup },
		{ MG_LABEL_SHARD, ident->shard },
		{ MG_LABEL_POOL, ident->pool },
		{ MG_LABEL_CELL, ident->cell },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].value)
			mg_objmeta_set(labels, fields[i].key, fields[i].value);
}

static int
cmp_keys(const void *a, const void *b)
{
	const cJSON *const *x = a, *const *y = b;

	return strcmp((*x)->string, (*y)->string);
}

/* Puts the members of map in key order (maps are small: a few labels). */
static void
sort_members(cJSON *map)
{
	cJSON **items, *c;
	size_t n = 0, i;

	for (c = map->child; c; c = c->next)
		n++;
	items = mg_xcalloc(n, sizeof(*items));
	for (i = 0; i < n; i++)
		items[i] = cJSON_DetachItemFromArray(map, 0);
	qsort(items, n, sizeof(*items), cmp_keys);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(map, items[i]); /* keeps ->string */
	free(items);
}

void
mg_objmeta_set(cJSON *map, const char *key, const char *value)
{
	cJSON *c, *last = NULL;

	assert(map && key && value);
	for (c = map->child; c; c = c->next) {
		if (strcmp(c->string, key) == 0) {
			cJSON_ReplaceItemInObjectCaseSensitive(
				map, key, must(cJSON_CreateString(value)));
			return;
		}
		last = c;
	}
	cJSON_AddItemToObject(map, key, must(cJSON_CreateString(value)));
	if (last && strcmp(last->string, key) > 0)
		sort_members(map);
}

const char *
mg_objmeta_get(const cJSON *map, const char *key)
{
	const cJSON *v = map ? cJSON_GetObjectItemCaseSensitive(map, key)
			     : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void
mg_objmeta_merge_under(cJSON *map, const cJSON *extra)
{
	const cJSON *c;

	if (!cJSON_IsObject(extra))
		return;
	cJSON_ArrayForEach(c, extra)
		if (cJSON_IsString(c) && c->string &&
		    !cJSON_GetObjectItemCaseSensitive(map, c->string))
			mg_objmeta_set(map, c->string, c->valuestring);
}

cJSON *
mg_objmeta_selector_new(const cJSON *labels)
{
	cJSON *sel = must(cJSON_CreateObject());
	const cJSON *c;

	cJSON_ArrayForEach(c, labels)
		if (cJSON_IsString(c) && mg_label_is_selector(c->string))
			mg_objmeta_set(sel, c->string, c->valuestring);
	return sel;
}

cJSON *
mg_objmeta_map_new(const cJSON *map)
{
	cJSON *copy = must(cJSON_CreateObject());

	mg_objmeta_merge_under(copy, map);
	return copy;
}

cJSON *
mg_objmeta_new(const char *name, const char *namespace, cJSON *labels,
	       cJSON *annotations)
{
	cJSON *meta = must(cJSON_CreateObject());

	if (name)
		must(cJSON_AddStringToObject(meta, "name", name));
	if (namespace)
		must(cJSON_AddStringToObject(meta, "namespace", namespace));
	if (labels)
		cJSON_AddItemToObject(meta, "labels", labels);
	if (annotations && annotations->child)
		cJSON_AddItemToObject(meta, "annotations", annotations);
	else
		cJSON_Delete(annotations);
	return meta;
}

cJSON *
mg_objmeta_owner_ref_new(const struct mg_objmeta_owner *owner)
{
	cJSON *ref = must(cJSON_CreateObject());

	assert(owner->api_version && owner->kind && owner->name);
	must(cJSON_AddStringToObject(ref, "apiVersion", owner->api_version));
	must(cJSON_AddStringToObject(ref, "kind", owner->kind));
	must(cJSON_AddStringToObject(ref, "name", owner->name));
	if (owner->uid && owner->uid[0])
		must(cJSON_AddStringToObject(ref, "uid", owner->uid));
	must(cJSON_AddBoolToObject(ref, "controller", true));
	must(cJSON_AddBoolToObject(ref, "blockOwnerDeletion", true));
	return ref;
}

void
mg_objmeta_set_owner(cJSON *meta, const struct mg_objmeta_owner *owner)
{
	cJSON *refs = must(cJSON_CreateArray());

	cJSON_AddItemToArray(refs, mg_objmeta_owner_ref_new(owner));
	if (cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences"))
		cJSON_ReplaceItemInObjectCaseSensitive(meta, "ownerReferences",
						       refs);
	else
		cJSON_AddItemToObject(meta, "ownerReferences", refs);
}

cJSON *
mg_objmeta_object_new(const char *api_version, const char *kind, cJSON *meta)
{
	cJSON *obj = must(cJSON_CreateObject());

	must(cJSON_AddStringToObject(obj, "apiVersion", api_version));
	must(cJSON_AddStringToObject(obj, "kind", kind));
	cJSON_AddItemToObject(obj, "metadata", meta);
	return obj;
}

int
mg_objmeta_owner_of(struct mg_objmeta_owner *out, const cJSON *cr,
		    const char *kind, const char *uid, bool need_uid,
		    struct mg_err *err)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(cr, "metadata");
	const cJSON *v;
	const char *name;

	v = cJSON_GetObjectItemCaseSensitive(meta, "name");
	name = cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
	if (!name)
		return mg_err_set(err, MG_EINVAL, "%s: metadata.name is missing",
				  kind);
	out->name = name;
	out->api_version = MG_OBJMETA_API_VERSION;
	out->kind = kind;
	v = cJSON_GetObjectItemCaseSensitive(cr, "apiVersion");
	if (cJSON_IsString(v) && strcmp(v->valuestring, out->api_version))
		return mg_err_set(err, MG_EINVAL,
				  "%s '%s': apiVersion '%s' is not '%s'", kind,
				  name, v->valuestring, out->api_version);
	v = cJSON_GetObjectItemCaseSensitive(cr, "kind");
	if (cJSON_IsString(v) && strcmp(v->valuestring, kind))
		return mg_err_set(err, MG_EINVAL, "%s '%s': kind is '%s'",
				  kind, name, v->valuestring);
	if (!uid || !uid[0]) {
		v = cJSON_GetObjectItemCaseSensitive(meta, "uid");
		uid = cJSON_IsString(v) ? v->valuestring : NULL;
	}
	if ((!uid || !uid[0]) && need_uid)
		return mg_err_set(err, MG_EINVAL,
				  "%s '%s': metadata.uid is missing (an owner "
				  "reference needs it)",
				  kind, name);
	out->uid = uid && uid[0] ? uid : NULL;
	return 0;
}
