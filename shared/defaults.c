/*
 * defaults.c - the built-in defaults table and image-set resolution.
 */
#include "compat.h"

#include "defaults.h"

#include <ctype.h>

#include <openssl/evp.h>

#include "err.h"
#include "json.h"
#include "xalloc.h"

/*
 * One row per component, in enum order. Images: api/v1alpha1/
 * image_defaults.go on main; v0.11.1 values for reference. Resources and
 * replicas: pkg/resolver/defaults.go (facts 1.13).
 */
static const struct mg_default_component components[MG_COMP_COUNT] = {
	{ MG_COMP_POSTGRES, "postgres", "postgres", "postgres",
	  "MULTIGRES_IMAGE_POSTGRES",
	  "ghcr.io/multigres/pgctld:sha-66d2310",
	  "ghcr.io/multigres/pgctld:v0.1.0",
	  "100m", "256Mi", "512Mi", 0 },
	{ MG_COMP_MULTIADMIN, "multiadmin", "multiadmin", "multiadmin",
	  "MULTIGRES_IMAGE_MULTIADMIN",
	  "ghcr.io/multigres/multigres:sha-66d2310",
	  "ghcr.io/multigres/multigres:v0.1.0",
	  "100m", "128Mi", "256Mi", 1 },
	{ MG_COMP_MULTIADMIN_WEB, "multiadmin-web", "multiadminWeb",
	  "multiadminweb", "MULTIGRES_IMAGE_MULTIADMIN_WEB",
	  "ghcr.io/multigres/multiadmin-web:sha-64da1ab",
	  "ghcr.io/multigres/multiadmin-web:v0.1.0",
	  "50m", "64Mi", "128Mi", 1 },
	{ MG_COMP_MULTIORCH, "multiorch", "multiorch", "multiorch",
	  "MULTIGRES_IMAGE_MULTIORCH",
	  "ghcr.io/multigres/multigres:sha-66d2310",
	  "ghcr.io/multigres/multigres:v0.1.0",
	  "50m", "64Mi", "128Mi", 1 },
	{ MG_COMP_MULTIPOOLER, "multipooler", "multipooler", "multipooler",
	  "MULTIGRES_IMAGE_MULTIPOOLER",
	  "ghcr.io/multigres/multigres:sha-66d2310",
	  "ghcr.io/multigres/multigres:v0.1.0",
	  "100m", "128Mi", "256Mi", 0 },
	{ MG_COMP_MULTIGATEWAY, "multigateway", "multigateway", "multigateway",
	  "MULTIGRES_IMAGE_MULTIGATEWAY",
	  "ghcr.io/multigres/multigres:sha-66d2310",
	  "ghcr.io/multigres/multigres:v0.1.0",
	  "100m", "128Mi", "256Mi", 1 },
	{ MG_COMP_ETCD, "etcd", NULL, NULL, NULL,
	  "gcr.io/etcd-development/etcd:v3.6.7",
	  "gcr.io/etcd-development/etcd:v3.6.7",
	  "100m", "256Mi", "512Mi", 3 },
	{ MG_COMP_POSTGRES_EXPORTER, "postgres-exporter", NULL, NULL, NULL,
	  "quay.io/prometheuscommunity/postgres-exporter:v0.20.1",
	  "quay.io/prometheuscommunity/postgres-exporter:v0.18.1",
	  NULL, NULL, NULL, 0 },
};

/*
 * The order of ComponentImages' fields in Go, which is the order of its
 * JSON (annotation and status).
 */
static const enum mg_component json_order[MG_IMAGE_SET_N] = {
	MG_COMP_MULTIGATEWAY, MG_COMP_MULTIORCH, MG_COMP_MULTIPOOLER,
	MG_COMP_MULTIADMIN, MG_COMP_MULTIADMIN_WEB, MG_COMP_POSTGRES,
};

const struct mg_default_component *
mg_defaults_component(enum mg_component c)
{
	if ((unsigned)c >= MG_COMP_COUNT)
		MG_BUG("component out of range");
	return &components[c];
}

const struct mg_default_component *
mg_defaults_component_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < MG_COMP_COUNT; i++) {
		if (strcmp(components[i].name, name) == 0 ||
		    (components[i].images_key &&
		     strcmp(components[i].images_key, name) == 0))
			return &components[i];
	}
	return NULL;
}

cJSON *
mg_defaults_resources(enum mg_component c)
{
	const struct mg_default_component *row = mg_defaults_component(c);
	cJSON *res;

	if (!row->cpu_request && !row->memory_request && !row->memory_limit)
		return NULL;
	res = cJSON_CreateObject();
	if (row->memory_limit) {
		cJSON *limits = cJSON_AddObjectToObject(res, "limits");

		cJSON_AddStringToObject(limits, "memory", row->memory_limit);
	}
	if (row->cpu_request || row->memory_request) {
		cJSON *requests = cJSON_AddObjectToObject(res, "requests");

		if (row->cpu_request)
			cJSON_AddStringToObject(requests, "cpu",
						row->cpu_request);
		if (row->memory_request)
			cJSON_AddStringToObject(requests, "memory",
						row->memory_request);
	}
	return res;
}

void
mg_image_set_release(struct mg_image_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < MG_IMAGE_SET_N; i++) {
		free(set->image[i]);
		set->image[i] = NULL;
	}
}

void
mg_image_set_copy(struct mg_image_set *dst, const struct mg_image_set *src)
{
	size_t i;

	if (dst == src)
		return;
	mg_image_set_release(dst);
	for (i = 0; i < MG_IMAGE_SET_N; i++)
		dst->image[i] = src->image[i] ? mg_xstrdup(src->image[i]) : NULL;
}

bool
mg_image_set_is_complete(const struct mg_image_set *set)
{
	size_t i;

	for (i = 0; i < MG_IMAGE_SET_N; i++)
		if (!set->image[i] || !*set->image[i])
			return false;
	return true;
}

bool
mg_image_set_is_empty(const struct mg_image_set *set)
{
	size_t i;

	for (i = 0; i < MG_IMAGE_SET_N; i++)
		if (set->image[i] && *set->image[i])
			return false;
	return true;
}

static const char *
img_or_empty(const struct mg_image_set *set, size_t i)
{
	return set->image[i] ? set->image[i] : "";
}

bool
mg_image_set_equal(const struct mg_image_set *a, const struct mg_image_set *b)
{
	size_t i;

	for (i = 0; i < MG_IMAGE_SET_N; i++)
		if (strcmp(img_or_empty(a, i), img_or_empty(b, i)) != 0)
			return false;
	return true;
}

/* s without leading and trailing white space, malloc'd; NULL if empty. */
static char *
trimmed(const char *s)
{
	size_t len;

	if (!s)
		return NULL;
	while (*s && isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return len ? mg_xstrndup(s, len) : NULL;
}

void
mg_defaults_image_set(struct mg_image_set *out, mg_defaults_env_fn env,
		      void *ctx)
{
	size_t i;
	char *v;

	mg_image_set_release(out);
	for (i = 0; i < MG_IMAGE_SET_N; i++) {
		v = env ? trimmed(env(components[i].env, ctx)) : NULL;
		out->image[i] = v ? v : mg_xstrdup(components[i].image);
	}
}

void
mg_image_set_from_spec(struct mg_image_set *out, const cJSON *spec_images)
{
	size_t i;

	mg_image_set_release(out);
	for (i = 0; i < MG_IMAGE_SET_N; i++) {
		const char *v =
			mg_json_str(spec_images, components[i].images_key);

		if (v && *v)
			out->image[i] = mg_xstrdup(v);
	}
}

bool
mg_image_set_from_json(struct mg_image_set *out, const cJSON *obj)
{
	mg_image_set_release(out);
	if (!cJSON_IsObject(obj))
		return false;
	mg_image_set_from_spec(out, obj);
	if (mg_image_set_is_complete(out))
		return true;
	mg_image_set_release(out);
	return false;
}

cJSON *
mg_image_set_to_json(const struct mg_image_set *set)
{
	cJSON *obj = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < MG_IMAGE_SET_N; i++) {
		enum mg_component c = json_order[i];

		if (set->image[c] && *set->image[c])
			cJSON_AddStringToObject(obj, components[c].images_key,
						set->image[c]);
	}
	return obj;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
mg_image_set_revision(const struct mg_image_set *set,
		      char out[MG_IMAGE_REVISION_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	char *lines[MG_IMAGE_SET_N];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *md_ctx;
	size_t i;

	for (i = 0; i < MG_IMAGE_SET_N; i++)
		lines[i] = mg_xasprintf("%s=%s", components[i].revision_key,
					img_or_empty(set, i));
	qsort(lines, MG_IMAGE_SET_N, sizeof(lines[0]), cmp_str);

	md_ctx = EVP_MD_CTX_new();
	if (!md_ctx || EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) != 1)
		MG_BUG("cannot start SHA-256");
	for (i = 0; i < MG_IMAGE_SET_N; i++) {
		if (i > 0)
			EVP_DigestUpdate(md_ctx, "\n", 1);
		EVP_DigestUpdate(md_ctx, lines[i], strlen(lines[i]));
		free(lines[i]);
	}
	if (EVP_DigestFinal_ex(md_ctx, md, &mdlen) != 1 || mdlen < 6)
		MG_BUG("cannot finish SHA-256");
	EVP_MD_CTX_free(md_ctx);
	for (i = 0; i < MG_IMAGE_REVISION_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[MG_IMAGE_REVISION_LEN] = '\0';
}

void
mg_images_result_release(struct mg_images_result *r)
{
	if (!r)
		return;
	mg_image_set_release(&r->effective);
	mg_image_set_release(&r->applied);
	cJSON_Delete(r->status);
	free(r->annotation);
	memset(r, 0, sizeof(*r));
}

#define APPLIED_IMAGES_ANNOTATION "multigres.com/applied-images"
#define FULLY_PINNED_VALUE        "\"fully-pinned\""

/*
 * The set the operator last committed to: the annotation first, then
 * status.images.applied. *invalid when the annotation was present but
 * unusable. Returns whether a set was found.
 */
static bool
recorded_images(struct mg_image_set *out, const cJSON *cluster,
		bool *invalid)
{
	const cJSON *ann;

	*invalid = false;
	ann = cJSON_GetObjectItemCaseSensitive(
		mg_json_get(cluster, "metadata.annotations"),
		APPLIED_IMAGES_ANNOTATION);
	if (ann) {
		const char *raw = cJSON_IsString(ann) ? ann->valuestring : "";
		cJSON *parsed;

		if (strcmp(raw, FULLY_PINNED_VALUE) == 0)
			return false;
		parsed = cJSON_Parse(raw);
		if (mg_image_set_from_json(out, parsed)) {
			cJSON_Delete(parsed);
			return true;
		}
		cJSON_Delete(parsed);
		*invalid = true;
	}
	return mg_image_set_from_json(out,
				      mg_json_get(cluster,
						  "status.images.applied"));
}

static void
add_set(cJSON *obj, const char *key, const struct mg_image_set *set)
{
	cJSON_AddItemToObject(obj, key, mg_image_set_to_json(set));
}

int
mg_images_resolve(struct mg_images_result *out, const cJSON *cluster,
		  const struct mg_image_set *available, const char *strategy,
		  struct mg_err *err)
{
	struct mg_image_set explicit_set = MG_IMAGE_SET_INIT;
	struct mg_image_set recorded = MG_IMAGE_SET_INIT;
	char rec_rev[MG_IMAGE_REVISION_LEN + 1] = "";
	const char *spec_strategy, *ack, *source;
	bool have_recorded, invalid, lazy;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	mg_image_set_from_spec(&explicit_set,
			       mg_json_get(cluster, "spec.images"));

	if (mg_image_set_is_complete(&explicit_set)) {
		mg_image_set_copy(&out->effective, &explicit_set);
		out->status = cJSON_CreateObject();
		add_set(out->status, "effective", &explicit_set);
		cJSON_AddStringToObject(out->status, "source", "explicit");
		out->reason = "FullyPinned";
		out->annotation = mg_xstrdup(FULLY_PINNED_VALUE);
		goto out;
	}

	source = mg_image_set_is_empty(&explicit_set) ? "defaults" : "mixed";
	if (!strategy || !*strategy)
		strategy = "immediate";
	spec_strategy = mg_json_str(cluster, "spec.imageUpdatePolicy.strategy");
	if (spec_strategy && *spec_strategy)
		strategy = spec_strategy;
	lazy = strcmp(strategy, "lazy") == 0;
	ack = mg_json_str(cluster,
			  "spec.imageUpdatePolicy.acknowledgedRevision");
	if (!ack)
		ack = "";

	mg_image_set_revision(available, out->available_revision);
	have_recorded = recorded_images(&recorded, cluster, &invalid);
	out->record_invalid = invalid;
	if (invalid && !have_recorded && lazy) {
		rc = mg_err_set(err, MG_EINVAL,
				"cannot resolve images with the lazy update "
				"strategy: annotation '%s' is invalid and "
				"status.images has no complete applied set",
				APPLIED_IMAGES_ANNOTATION);
		goto out;
	}
	if (have_recorded)
		mg_image_set_revision(&recorded, rec_rev);

	if (strcmp(strategy, "immediate") == 0 && *ack &&
	    strcmp(ack, out->available_revision) != 0 &&
	    (!have_recorded || strcmp(ack, rec_rev) != 0))
		out->ack_ignored = true;

	mg_image_set_copy(&out->applied, available);
	out->reason = "UpToDate";
	if (lazy && have_recorded &&
	    strcmp(rec_rev, out->available_revision) != 0 &&
	    strcmp(ack, out->available_revision) != 0) {
		mg_image_set_copy(&out->applied, &recorded);
		out->pending = true;
		out->reason = (!*ack || strcmp(ack, rec_rev) == 0) ?
				      "AwaitingAcknowledgement" :
				      "RevisionMismatch";
	}
	mg_image_set_revision(&out->applied, out->applied_revision);
	out->switched = have_recorded &&
			strcmp(rec_rev, out->applied_revision) != 0;

	{
		cJSON *ann = mg_image_set_to_json(&out->applied);
		char *text = cJSON_PrintUnformatted(ann);

		if (!text)
			MG_BUG("out of memory printing JSON");
		out->annotation = mg_xstrdup(text);
		cJSON_free(text);
		cJSON_Delete(ann);
	}

	mg_image_set_copy(&out->effective, &explicit_set);
	for (i = 0; i < MG_IMAGE_SET_N; i++)
		if (!out->effective.image[i] && out->applied.image[i])
			out->effective.image[i] =
				mg_xstrdup(out->applied.image[i]);

	out->status = cJSON_CreateObject();
	cJSON_AddStringToObject(out->status, "updateStrategy", strategy);
	add_set(out->status, "effective", &out->effective);
	cJSON_AddStringToObject(out->status, "source", source);
	add_set(out->status, "applied", &out->applied);
	cJSON_AddStringToObject(out->status, "appliedRevision",
				out->applied_revision);
	add_set(out->status, "available", available);
	cJSON_AddStringToObject(out->status, "availableRevision",
				out->available_revision);
out:
	mg_image_set_release(&explicit_set);
	mg_image_set_release(&recorded);
	if (rc)
		mg_images_result_release(out);
	return rc;
}
