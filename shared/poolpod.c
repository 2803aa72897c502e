#include "compat.h"
#include "poolpod.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>

#include "buf.h"
#include "build_shard.h"
#include "defaults.h"
#include "err.h"
#include "gojson.h"
#include "json.h"
#include "labels.h"
#include "log.h"
#include "names.h"
#include "objmeta.h"
#include "quantity.h"
#include "spechash.h"
#include "xalloc.h"

/*
 * Built-in values of BuildPoolPod (multigres-operator `main` 39a7efcd,
 * spec-hash.md 2.3) come from the defaults table (defaults.h).
 */
static const char *
default_image(enum mg_component c)
{
	return mg_defaults_component(c)->image;
}

#define MODE_0444            292 /* secret volumes */
#define MODE_0440            288 /* the pgBackRest certificates */

#define SHARD_KIND "Shard"

/* Paths and ports inside the pool pod (spec-hash.md 2.3, facts 16). */
#define POOLER_DIR          "/var/lib/pooler"
#define PGDATA              "/var/lib/pooler/pg_data"
#define PASSWORD_DIR        "/etc/postgres-password"
#define PASSWORD_FILE       "/etc/postgres-password/password"
#define PGCTLD_DIR          "/etc/pgctld"
#define PG_CONFIG_DIR       "/etc/pgctld/postgres-config"
#define PGBACKREST_CERT_DIR "/certs/pgbackrest"
#define CIPHER_DIR          "/secrets/pgbackrest-cipher"
#define TLS_DIR             "/etc/multigres/tls"
#define OTEL_DIR            "/etc/otel"
#define EXPORTER_DIR        "/etc/postgres-exporter"
#define SAMPLING_DEFAULT_KEY "sampling-config.yaml"

#define PORT_PGCTLD_GRPC 15470
#define PORT_PGCTLD_HTTP 15400
#define PORT_POSTGRES    5432
#define PORT_PGBACKREST  8432
#define PORT_POOLER_HTTP 15200
#define PORT_POOLER_GRPC 15270
#define PORT_EXPORTER    9187

/* The exporter's connection string: fixed, '&' and all (spec-hash 2.3). */
#define EXPORTER_DSN                                                    \
	"localhost:5432/postgres?sslmode=disable&connect_timeout=5&options=" \
	"-c%20statement_timeout%3D8s"

/* OTEL variables: the CRD field, else the operator's variable. */
static const struct {
	const char *field;
	const char *var;
} otel_vars[] = {
	{ "otlpEndpoint", "OTEL_EXPORTER_OTLP_ENDPOINT" },
	{ "otlpMetricsEndpoint", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT" },
	{ "otlpProtocol", "OTEL_EXPORTER_OTLP_PROTOCOL" },
	{ "tracesExporter", "OTEL_TRACES_EXPORTER" },
	{ "metricsExporter", "OTEL_METRICS_EXPORTER" },
	{ "logsExporter", "OTEL_LOGS_EXPORTER" },
	{ "metricExportInterval", "OTEL_METRIC_EXPORT_INTERVAL" },
	{ "metricsTemporality",
	  "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE" },
	{ "histogramAggregation",
	  "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION" },
	{ "tracesSampler", "OTEL_TRACES_SAMPLER" },
};

#define OTEL_RESOURCE_ATTRIBUTES "OTEL_RESOURCE_ATTRIBUTES"
#define OTEL_SAMPLER_CONFIG      "OTEL_TRACES_SAMPLER_CONFIG"
#define OTEL_DISABLED            "disabled"

/* Resource attribute keys the operator generates (and so replaces). */
static const char *const generated_attrs[] = {
	"multigres.project", "multigres.cluster", "multigres.component"
};

/* --- reading the Shard ------------------------------------------------ */

/*
 * Everything the builder reads, with a sticky error: the readers return
 * a zero value after the first error, and the builder checks c->rc at
 * the end (and where a wrong value would mislead what follows).
 */
struct ctx {
	struct mg_err *err;
	int rc;
	const struct mg_poolpod_opts *opts;

	const cJSON *shard, *meta, *spec, *pool, *backup, *s3, *obs;
	const char *pool_name, *cell, *pool_path;
	long index;

	const char *shard_name, *namespace, *cluster;
	const cJSON *shard_labels;
	struct mg_objmeta_owner owner;
	struct mg_name_shard_key key;
	const char *pgcfg_hash, *reload_hash, *project_ref;

	char *pod, *pvc, *service_id, *headless, *backup_pvc;
	char *pg_hba, *pg_config, *exporter_queries, *br_ca, *br_tls;
	char *tls_secret;
	char *pool_path_buf;
};

static void
fail(struct ctx *c, int code, const char *fmt, ...) MG_PRINTF(3, 4);

static void
fail(struct ctx *c, int code, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(c->err->msg)];

	if (c->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->rc = mg_err_set(c->err, code, "shard '%s': %s",
			   c->shard_name ? c->shard_name : "", msg);
}

static const cJSON *
member(const cJSON *obj, const char *key)
{
	const cJSON *m, *found = NULL;

	if (!cJSON_IsObject(obj))
		return NULL;
	cJSON_ArrayForEach(m, obj)
		if (m->string && !strcmp(m->string, key))
			found = m;
	return found;
}

static bool
is_nil(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

/* An object member: NULL when absent or null (a nil pointer in Go). */
static const cJSON *
obj_at(struct ctx *c, const cJSON *o, const char *key, const char *where)
{
	const cJSON *v = member(o, key);

	if (is_nil(v))
		return NULL;
	if (!cJSON_IsObject(v)) {
		fail(c, MG_EINVAL, "%s.%s: expected an object", where, key);
		return NULL;
	}
	return v;
}

static const cJSON *
arr_at(struct ctx *c, const cJSON *o, const char *key, const char *where)
{
	const cJSON *v = member(o, key);

	if (is_nil(v))
		return NULL;
	if (!cJSON_IsArray(v)) {
		fail(c, MG_EINVAL, "%s.%s: expected an array", where, key);
		return NULL;
	}
	return v;
}

/* A string member: "" when absent or null. */
static const char *
str_at(struct ctx *c, const cJSON *o, const char *key, const char *where)
{
	const cJSON *v = member(o, key);

	if (is_nil(v))
		return "";
	if (!cJSON_IsString(v)) {
		fail(c, MG_EINVAL, "%s.%s: expected a string", where, key);
		return "";
	}
	return v->valuestring;
}

/* An integer member (a *int64): false when absent or null. */
static bool
int_at(struct ctx *c, const cJSON *o, const char *key, const char *where,
       long long *out)
{
	const cJSON *v = member(o, key);
	double d;

	*out = 0;
	if (is_nil(v))
		return false;
	d = cJSON_IsNumber(v) ? v->valuedouble : 0.5;
	if (d != floor(d) || d < -9007199254740992.0 ||
	    d > 9007199254740992.0) {
		fail(c, MG_EINVAL, "%s.%s: expected an integer", where, key);
		return false;
	}
	*out = (long long)d;
	return true;
}

static bool
bool_at(struct ctx *c, const cJSON *o, const char *key, const char *where)
{
	const cJSON *v = member(o, key);

	if (is_nil(v))
		return false;
	if (!cJSON_IsBool(v)) {
		fail(c, MG_EINVAL, "%s.%s: expected true or false", where, key);
		return false;
	}
	return cJSON_IsTrue(v);
}

/* The operator's own environment variable, "" when unset. */
static const char *
operator_env(const struct ctx *c, const char *name)
{
	const char *const *e;
	size_t n = strlen(name);

	if (!c->opts->environ)
		return "";
	for (e = c->opts->environ; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return "";
}

/* --- building JSON ----------------------------------------------------- */

static cJSON *
must(cJSON *x)
{
	if (!x)
		MG_BUG("cJSON out of memory");
	return x;
}

static void
set_str(cJSON *o, const char *k, const char *v)
{
	must(cJSON_AddStringToObject(o, k, v));
}

static void
set_num(cJSON *o, const char *k, long long v)
{
	must(cJSON_AddNumberToObject(o, k, (double)v));
}

static void
set_bool(cJSON *o, const char *k, bool v)
{
	must(cJSON_AddBoolToObject(o, k, v));
}

static cJSON *
set_obj(cJSON *o, const char *k)
{
	return must(cJSON_AddObjectToObject(o, k));
}

static cJSON *
set_arr(cJSON *o, const char *k)
{
	return must(cJSON_AddArrayToObject(o, k));
}

static void
push(cJSON *arr, cJSON *item)
{
	cJSON_AddItemToArray(arr, must(item));
}

static void
push_str(cJSON *arr, const char *s)
{
	push(arr, cJSON_CreateString(s));
}

static void
push_strf(cJSON *arr, const char *fmt, ...) MG_PRINTF(2, 3);

static void
push_strf(cJSON *arr, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = mg_xvasprintf(fmt, ap);
	va_end(ap);
	push_str(arr, s);
	free(s);
}

static void
env_add(cJSON *env, const char *name, const char *value)
{
	cJSON *e = must(cJSON_CreateObject());

	set_str(e, "name", name);
	if (*value) /* EnvVar.value is omitempty */
		set_str(e, "value", value);
	push(env, e);
}

static void
env_add_secret(cJSON *env, const char *name, const char *secret,
	       const char *key)
{
	cJSON *e = must(cJSON_CreateObject());
	cJSON *ref;

	set_str(e, "name", name); /* no value: EnvVar.value is omitempty */
	ref = set_obj(set_obj(e, "valueFrom"), "secretKeyRef");
	set_str(ref, "name", secret);
	set_str(ref, "key", key);
	push(env, e);
}

static void
mount_add(cJSON *mounts, const char *name, const char *path, bool ro)
{
	cJSON *m = must(cJSON_CreateObject());

	set_str(m, "name", name);
	if (ro)
		set_bool(m, "readOnly", true);
	set_str(m, "mountPath", path);
	push(mounts, m);
}

static void
port_add(cJSON *ports, const char *name, int port)
{
	cJSON *p = must(cJSON_CreateObject());

	set_str(p, "name", name);
	set_num(p, "containerPort", port);
	set_str(p, "protocol", "TCP");
	push(ports, p);
}

static void
key_to_path(cJSON *items, const char *key, const char *path)
{
	cJSON *i = must(cJSON_CreateObject());

	set_str(i, "key", key);
	set_str(i, "path", path);
	push(items, i);
}

/*
 * A copy of a user-controlled Shard value as the Go operator holds it
 * after decoding (gojson.h): unknown keys dropped, quantities canonical.
 */
static cJSON *
normalized(struct ctx *c, enum mg_gojson_type type, bool slice,
	   const cJSON *v, const char *path)
{
	cJSON *out = NULL;
	int rc;

	if (c->rc)
		return NULL;
	rc = slice ? mg_gojson_normalize_slice(&out, type, v, path, c->err) :
		     mg_gojson_normalize(&out, type, v, path, c->err);
	if (rc) {
		c->rc = rc;
		mg_err_prefix(c->err, "shard '%s'", c->shard_name);
	}
	return out;
}

/* --- names and identity ------------------------------------------------ */

static void
name_rc(struct ctx *c, int rc)
{
	if (rc && !c->rc) {
		c->rc = rc;
		mg_err_prefix(c->err, "shard '%s'", c->shard_name);
	}
}

static int
ctx_init(struct ctx *c, const cJSON *shard, const char *pool,
	 const char *cell, long index, const struct mg_poolpod_opts *opts,
	 struct mg_err *err)
{
	static const struct mg_poolpod_opts no_opts = MG_POOLPOD_OPTS_INIT;
	const cJSON *labels, *annots, *pools;
	const char *ns;

	memset(c, 0, sizeof(*c));
	c->err = err;
	c->opts = opts ? opts : &no_opts;
	c->shard = shard;
	c->pool_name = pool;
	c->cell = cell;
	c->index = index;
	c->shard_name = "";
	if (!cJSON_IsObject(shard))
		return mg_err_set(err, MG_EINVAL,
				  "shard: expected a JSON object");

	c->meta = obj_at(c, shard, "metadata", "shard");
	c->shard_name = str_at(c, c->meta, "name", "metadata");
	if (!*c->shard_name)
		fail(c, MG_EINVAL, "metadata.name is empty");
	ns = str_at(c, c->meta, "namespace", "metadata");
	c->namespace = c->opts->namespace ? c->opts->namespace : ns;
	if (!c->rc)
		c->rc = mg_objmeta_owner_of(&c->owner, shard, SHARD_KIND, NULL,
					    false, err);
	labels = obj_at(c, c->meta, "labels", "metadata");
	c->shard_labels = labels;
	c->cluster = str_at(c, labels, MG_LABEL_CLUSTER, "metadata.labels");
	annots = obj_at(c, c->meta, "annotations", "metadata");
	c->pgcfg_hash = c->opts->postgres_config_hash ?
				c->opts->postgres_config_hash :
				str_at(c, annots, MG_ANNOT_POSTGRES_CONFIG_HASH,
				       "metadata.annotations");
	c->reload_hash = c->opts->postgres_reload_hash ?
				 c->opts->postgres_reload_hash :
				 str_at(c, annots,
					MG_ANNOT_POSTGRES_RELOAD_HASH,
					"metadata.annotations");
	/* the project-ref falls back to the cluster name */
	c->project_ref = str_at(c, annots, MG_ANNOT_PROJECT_REF,
				"metadata.annotations");
	if (!*c->project_ref)
		c->project_ref = c->cluster;

	c->spec = obj_at(c, shard, "spec", "shard");
	c->key.cluster = c->cluster;
	c->key.database = str_at(c, c->spec, "databaseName", "spec");
	c->key.tablegroup = str_at(c, c->spec, "tableGroupName", "spec");
	c->key.shard = str_at(c, c->spec, "shardName", "spec");

	pools = obj_at(c, c->spec, "pools", "spec");
	c->pool_path_buf = mg_xasprintf("spec.pools[%s]", pool);
	c->pool_path = c->pool_path_buf;
	if (!c->rc && !member(pools, pool))
		fail(c, MG_ENOTFOUND, "pool '%s' is not in spec.pools", pool);
	c->pool = obj_at(c, pools, pool, "spec.pools");
	c->backup = obj_at(c, c->spec, "backup", "spec");
	c->s3 = obj_at(c, c->backup, "s3", "spec.backup");
	c->obs = obj_at(c, c->spec, "observability", "spec");
	if (c->rc)
		return c->rc;

	name_rc(c, mg_name_pool_pod(&c->pod, &c->key, pool, cell, index, err));
	if (!c->rc)
		name_rc(c, mg_name_pool_pvc(&c->pvc, &c->key, pool, cell,
					    index, err));
	if (!c->rc)
		name_rc(c, mg_name_pooler_service_id(&c->service_id, c->pod,
						     err));
	if (!c->rc)
		name_rc(c, mg_name_pool_headless(&c->headless, &c->key, pool,
						 cell, err));
	if (!c->rc)
		name_rc(c, mg_name_backup_pvc(&c->backup_pvc, &c->key, err));
	if (!c->rc)
		name_rc(c, mg_name_shard_object(&c->pg_hba, c->shard_name,
						MG_NAME_PG_HBA, err));
	if (!c->rc)
		name_rc(c, mg_name_shard_object(&c->pg_config, c->shard_name,
						MG_NAME_POSTGRES_CONFIG, err));
	if (!c->rc)
		name_rc(c, mg_name_shard_object(&c->exporter_queries,
						c->shard_name,
						MG_NAME_EXPORTER_QUERIES, err));
	if (!c->rc)
		name_rc(c, mg_name_shard_object(&c->br_ca, c->shard_name,
						MG_NAME_PGBACKREST_CA, err));
	if (!c->rc)
		name_rc(c, mg_name_shard_object(&c->br_tls, c->shard_name,
						MG_NAME_PGBACKREST_TLS, err));
	return c->rc;
}

static void
ctx_release(struct ctx *c)
{
	free(c->pod);
	free(c->pvc);
	free(c->service_id);
	free(c->headless);
	free(c->backup_pvc);
	free(c->pg_hba);
	free(c->pg_config);
	free(c->exporter_queries);
	free(c->br_ca);
	free(c->br_tls);
	free(c->tls_secret);
	free(c->pool_path_buf);
}

/*
 * Metadata of pool pods and their PVCs (facts 3.3): the labels the pool's
 * headless Service and PodDisruptionBudget select on
 * (mg_build_pool_labels_new: the standard and identity labels over every
 * label of the Shard). The PVC sets the cluster label explicitly too.
 */
static cJSON *
new_meta(struct ctx *c, cJSON *obj, const char *name, bool cluster_label)
{
	cJSON *labels, *meta;

	labels = mg_build_pool_labels_new(&c->key, c->shard_labels,
					  c->pool_name, c->cell);
	if (cluster_label)
		mg_objmeta_set(labels, MG_LABEL_CLUSTER, c->cluster);
	meta = mg_objmeta_new(name, *c->namespace ? c->namespace : NULL, labels,
			      NULL);
	cJSON_AddItemToObject(obj, "metadata", meta);
	return meta;
}

/* --- the containers ---------------------------------------------------- */

struct identity {
	bool has_user, has_group;
	long long user, group;
};

static void
set_security_context(cJSON *ctr, const struct identity *id)
{
	cJSON *sc = set_obj(ctr, "securityContext");

	if (id->has_user)
		set_num(sc, "runAsUser", id->user);
	if (id->has_group)
		set_num(sc, "runAsGroup", id->group);
	set_bool(sc, "runAsNonRoot", true);
}

/*
 * path.Join(OTEL_DIR, key) as Go's path package cleans it: empty and "."
 * elements dropped, ".." climbs (never above "/").
 */
static char *
otel_path(const char *key)
{
	struct mg_buf b = MG_BUF_INIT;
	char *all = mg_xasprintf("%s/%s", OTEL_DIR, key), *p = all;

	while (*p) {
		char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *last = strrchr(b.data, '/');

			if (last) {
				b.len = (size_t)(last - b.data);
				b.data[b.len] = '\0';
			}
		} else {
			mg_buf_addch(&b, '/');
			mg_buf_add(&b, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (!b.len)
		mg_buf_addch(&b, '/');
	free(all);
	return mg_buf_detach(&b, NULL);
}

/*
 * Does this entry set one of the generated keys that has a value (so
 * that the generated one replaces it)? Only "key=value" entries count.
 */
static bool
replaced_attr(const char *entry, size_t n, const char *const values[])
{
	const char *eq = memchr(entry, '=', n);
	size_t k, i;

	if (!eq)
		return false;
	k = (size_t)(eq - entry);
	while (k && (entry[k - 1] == ' ' || entry[k - 1] == '\t'))
		k--;
	for (i = 0; i < ARRAY_SIZE(generated_attrs); i++)
		if (*values[i] && strlen(generated_attrs[i]) == k &&
		    !memcmp(entry, generated_attrs[i], k))
			return true;
	return false;
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\v' || ch == '\f';
}

/*
 * OTEL_RESOURCE_ATTRIBUTES: the operator's own list split on commas not
 * preceded by a backslash, entries trimmed, empty ones and the three
 * generated keys dropped; then project, cluster and component appended.
 */
static char *
resource_attributes(const struct ctx *c, const char *component)
{
	const char *in = operator_env(c, OTEL_RESOURCE_ATTRIBUTES);
	const char *values[] = { c->project_ref, c->cluster, component };
	struct mg_buf b = MG_BUF_INIT;
	const char *start = in, *p = in;
	size_t i;

	for (;;) {
		if (*p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		if (*p == ',' || !*p) {
			const char *s = start, *e = p;

			while (s < e && is_space(*s))
				s++;
			while (e > s && is_space(e[-1]))
				e--;
			if (e > s && !replaced_attr(s, (size_t)(e - s), values)) {
				if (b.len)
					mg_buf_addch(&b, ',');
				mg_buf_add(&b, s, (size_t)(e - s));
			}
			if (!*p)
				break;
			start = p + 1;
		}
		p++;
	}
	for (i = 0; i < ARRAY_SIZE(generated_attrs); i++)
		if (*values[i])
			mg_buf_addf(&b, "%s%s=%s", b.len ? "," : "",
				    generated_attrs[i], values[i]);
	return mg_buf_detach(&b, NULL);
}

/* The S3 variables, then the OTEL ones (spec-hash.md 2.3). */
static void
add_backup_otel_env(struct ctx *c, cJSON *env, const char *component)
{
	const cJSON *ref;
	const char *endpoint, *metrics;
	size_t i;

	if (c->backup && !strcmp(str_at(c, c->backup, "type", "spec.backup"),
				 "s3") && c->s3) {
		const char *region, *secret;

		region = str_at(c, c->s3, "region", "spec.backup.s3");
		secret = str_at(c, c->s3, "credentialsSecret",
				"spec.backup.s3");
		if (*region)
			env_add(env, "AWS_REGION", region);
		if (*secret) {
			env_add_secret(env, "AWS_ACCESS_KEY_ID", secret,
				       "AWS_ACCESS_KEY_ID");
			env_add_secret(env, "AWS_SECRET_ACCESS_KEY", secret,
				       "AWS_SECRET_ACCESS_KEY");
		}
	}

	endpoint = str_at(c, c->obs, otel_vars[0].field, "spec.observability");
	if (!*endpoint)
		endpoint = operator_env(c, otel_vars[0].var);
	metrics = str_at(c, c->obs, otel_vars[1].field, "spec.observability");
	if (!*metrics)
		metrics = operator_env(c, otel_vars[1].var);
	if (!strcmp(endpoint, OTEL_DISABLED) || (!*endpoint && !*metrics))
		return;
	for (i = 0; i < ARRAY_SIZE(otel_vars); i++) {
		const char *v = str_at(c, c->obs, otel_vars[i].field,
				       "spec.observability");

		if (!*v)
			v = operator_env(c, otel_vars[i].var);
		if (*v)
			env_add(env, otel_vars[i].var, v);
	}
	{
		char *attrs = resource_attributes(c, component);

		env_add(env, OTEL_RESOURCE_ATTRIBUTES, attrs);
		free(attrs);
	}
	ref = obj_at(c, c->obs, "samplingConfigRef", "spec.observability");
	if (ref) {
		const char *key = str_at(c, ref, "key",
					 "spec.observability.samplingConfigRef");
		char *path = otel_path(*key ? key : SAMPLING_DEFAULT_KEY);

		env_add(env, OTEL_SAMPLER_CONFIG, path);
		free(path);
	}
}

/*
 * A container's resources: the pool's block for it, as Go decoded it
 * (the resolver has already filled defaults into the Shard).
 */
static void
add_resources(struct ctx *c, cJSON *ctr, const char *which)
{
	char *path = mg_xasprintf("%s.%s", c->pool_path, which);
	const cJSON *cc = obj_at(c, c->pool, which, c->pool_path);
	char *rpath = mg_xasprintf("%s.resources", path);
	cJSON *res = normalized(c, MG_GOJSON_RESOURCE_REQUIREMENTS, false,
				member(cc, "resources"), rpath);

	cJSON_AddItemToObject(ctr, "resources",
			      res ? res : must(cJSON_CreateObject()));
	free(rpath);
	free(path);
}

/*
 * pgctld and multipooler: startup (every 5 s, 30 failures allowed),
 * liveness (every 10 s) and readiness (every 5 s), all GET /live on the
 * container's HTTP port. Not hashed.
 */
static void
add_probes(cJSON *ctr, int port)
{
	static const struct {
		const char *name;
		int period, failures;
	} probes[] = {
		{ "startupProbe", 5, 30 },
		{ "livenessProbe", 10, 0 },
		{ "readinessProbe", 5, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		cJSON *p = set_obj(ctr, probes[i].name);
		cJSON *get = set_obj(p, "httpGet");

		set_str(get, "path", "/live");
		set_num(get, "port", port);
		set_num(p, "periodSeconds", probes[i].period);
		if (probes[i].failures)
			set_num(p, "failureThreshold", probes[i].failures);
	}
}

static cJSON *
pgctld_container(struct ctx *c, const struct identity *id, const char *image)
{
	cJSON *ctr = must(cJSON_CreateObject());
	cJSON *args, *env, *mounts;
	const cJSON *logs = obj_at(c, c->spec, "logLevels", "spec");
	const char *su = str_at(c, c->spec, "postgresSuperuser", "spec");
	const char *initdb = str_at(c, c->spec, "initdbArgs", "spec");

	if (!*su)
		su = MG_DEFAULT_POSTGRES_SUPERUSER;
	set_str(ctr, "name", "postgres");
	set_str(ctr, "image", image);
	push_str(set_arr(ctr, "command"), "/usr/local/bin/pgctld");
	args = set_arr(ctr, "args");
	push_str(args, "server");
	push_str(args, "--pooler-dir=" POOLER_DIR);
	push_strf(args, "--grpc-port=%d", PORT_PGCTLD_GRPC);
	push_strf(args, "--pg-port=%d", PORT_POSTGRES);
	push_str(args, "--pg-listen-addresses=*");
	push_strf(args, "--log-level=%s",
		  str_at(c, logs, "pgctld", "spec.logLevels"));
	push_str(args, "--grpc-socket-file=" POOLER_DIR "/pgctld.sock");
	push_str(args, "--pg-hba-template=" PGCTLD_DIR "/pg_hba_template.conf");
	push_strf(args, "--http-port=%d", PORT_PGCTLD_HTTP);
	if (c->backup) {
		push_str(args, "--pgbackrest-cert-dir=" PGBACKREST_CERT_DIR);
		push_strf(args, "--pgbackrest-port=%d", PORT_PGBACKREST);
	}

	env = set_arr(ctr, "env");
	env_add(env, "PGDATA", PGDATA);
	env_add(env, "POSTGRES_USER", su);
	env_add(env, "POSTGRES_PASSWORD_FILE", PASSWORD_FILE);
	if (*initdb)
		env_add(env, "POSTGRES_INITDB_ARGS", initdb);
	env_add(env, "POSTGRES_INITDB_EXTRA_CONF",
		PG_CONFIG_DIR "/postgresql.conf");
	add_backup_otel_env(c, env, "pgctld");

	add_resources(c, ctr, "postgres");
	/* a native sidecar: not hashed */
	set_str(ctr, "restartPolicy", "Always");

	mounts = set_arr(ctr, "volumeMounts");
	mount_add(mounts, "pgdata", POOLER_DIR, false);
	mount_add(mounts, "backup-data", "/backups", false);
	mount_add(mounts, "socket-dir", "/var/run/postgresql", false);
	mount_add(mounts, "pg-hba-template", PGCTLD_DIR, true);
	mount_add(mounts, "postgres-password", PASSWORD_DIR, true);
	mount_add(mounts, "postgres-config", PG_CONFIG_DIR, true);
	if (c->backup)
		mount_add(mounts, "pgbackrest-certs", PGBACKREST_CERT_DIR,
			  true);
	if (obj_at(c, c->obs, "samplingConfigRef", "spec.observability"))
		mount_add(mounts, "otel-sampling-config", OTEL_DIR, true);

	add_probes(ctr, PORT_PGCTLD_HTTP);
	set_security_context(ctr, id);
	return ctr;
}

static cJSON *
pooler_container(struct ctx *c, const struct identity *id, const char *image,
		 bool tls)
{
	cJSON *ctr = must(cJSON_CreateObject());
	cJSON *args, *env, *mounts, *ports;
	const cJSON *logs = obj_at(c, c->spec, "logLevels", "spec");
	const cJSON *topo = obj_at(c, c->spec, "globalTopoServer", "spec");
	const char *su = str_at(c, c->spec, "postgresSuperuser", "spec");
	bool cipher = c->backup &&
		      obj_at(c, c->backup, "encryption", "spec.backup");

	if (!*su)
		su = MG_DEFAULT_POSTGRES_SUPERUSER;
	set_str(ctr, "name", "multipooler");
	set_str(ctr, "image", image);
	args = set_arr(ctr, "args");
	push_str(args, "multipooler");
	push_strf(args, "--http-port=%d", PORT_POOLER_HTTP);
	push_strf(args, "--grpc-port=%d", PORT_POOLER_GRPC);
	push_str(args, "--pooler-dir=" POOLER_DIR);
	push_str(args, "--socket-file=" POOLER_DIR "/pg_sockets/.s.PGSQL.5432");
	push_str(args, "--service-map=grpc-pooler");
	push_strf(args, "--topo-global-server-addresses=%s",
		  str_at(c, topo, "address", "spec.globalTopoServer"));
	push_strf(args, "--topo-global-root=%s",
		  str_at(c, topo, "rootPath", "spec.globalTopoServer"));
	push_strf(args, "--cell=%s", c->cell);
	push_strf(args, "--database=%s", c->key.database);
	push_strf(args, "--table-group=%s", c->key.tablegroup);
	push_strf(args, "--shard=%s", c->key.shard);
	push_strf(args, "--service-id=%s", c->service_id);
	push_strf(args, "--pgctld-addr=localhost:%d", PORT_PGCTLD_GRPC);
	push_strf(args, "--pg-port=%d", PORT_POSTGRES);
	push_str(args, "--connpool-global-capacity=40");
	push_str(args, "--connpool-admin-capacity=5");
	push_strf(args, "--log-level=%s",
		  str_at(c, logs, "multipooler", "spec.logLevels"));
	if (c->backup) {
		push_str(args, "--pgbackrest-cert-file=" PGBACKREST_CERT_DIR
			       "/pgbackrest.crt");
		push_str(args, "--pgbackrest-key-file=" PGBACKREST_CERT_DIR
			       "/pgbackrest.key");
		push_str(args, "--pgbackrest-ca-file=" PGBACKREST_CERT_DIR
			       "/ca.crt");
	}
	if (tls) { /* eight separate arguments */
		push_str(args, "--grpc-cert");
		push_str(args, TLS_DIR "/tls.crt");
		push_str(args, "--grpc-key");
		push_str(args, TLS_DIR "/tls.key");
		push_str(args, "--grpc-ca");
		push_str(args, TLS_DIR "/ca.crt");
		push_str(args, "--grpc-server-ca");
		push_str(args, TLS_DIR "/ca.crt");
	}
	if (cipher)
		push_str(args, "--pgbackrest-cipher-key-file=" CIPHER_DIR
			       "/keys.json");

	ports = set_arr(ctr, "ports");
	port_add(ports, "http", PORT_POOLER_HTTP);
	port_add(ports, "grpc", PORT_POOLER_GRPC);
	port_add(ports, "postgres", PORT_POSTGRES);

	env = set_arr(ctr, "env");
	env_add(env, "PGDATA", PGDATA);
	env_add(env, "POSTGRES_USER", su);
	env_add(env, "POSTGRES_PASSWORD_FILE", PASSWORD_FILE);
	add_backup_otel_env(c, env, "multipooler");

	add_resources(c, ctr, "multipooler");

	mounts = set_arr(ctr, "volumeMounts");
	mount_add(mounts, "pgdata", POOLER_DIR, false);
	mount_add(mounts, "backup-data", "/backups", false);
	mount_add(mounts, "socket-dir", "/var/run/postgresql", false);
	mount_add(mounts, "postgres-password", PASSWORD_DIR, true);
	if (c->backup)
		mount_add(mounts, "pgbackrest-certs", PGBACKREST_CERT_DIR,
			  true);
	if (cipher)
		mount_add(mounts, "pgbackrest-cipher", CIPHER_DIR, true);
	if (tls)
		mount_add(mounts, "tls-certs", TLS_DIR, true);
	if (obj_at(c, c->obs, "samplingConfigRef", "spec.observability"))
		mount_add(mounts, "otel-sampling-config", OTEL_DIR, true);

	add_probes(ctr, PORT_POOLER_HTTP);
	set_security_context(ctr, id);
	return ctr;
}

static cJSON *
exporter_container(struct ctx *c)
{
	static const struct identity id = { true, true,
					    MG_DEFAULT_POSTGRES_UID,
					    MG_DEFAULT_POSTGRES_GID };
	cJSON *ctr = must(cJSON_CreateObject());
	cJSON *args, *env, *mounts;
	const char *su = str_at(c, c->spec, "postgresSuperuser", "spec");

	if (!*su)
		su = MG_DEFAULT_POSTGRES_SUPERUSER;
	set_str(ctr, "name", "postgres-exporter");
	set_str(ctr, "image", default_image(MG_COMP_POSTGRES_EXPORTER));
	args = set_arr(ctr, "args");
	push_strf(args, "--web.listen-address=:%d", PORT_EXPORTER);
	push_str(args, "--extend.query-path=" EXPORTER_DIR "/queries.yml");
	port_add(set_arr(ctr, "ports"), "metrics", PORT_EXPORTER);
	env = set_arr(ctr, "env");
	env_add(env, "DATA_SOURCE_URI", EXPORTER_DSN);
	env_add(env, "DATA_SOURCE_USER", su);
	env_add(env, "DATA_SOURCE_PASS_FILE", PASSWORD_FILE);
	set_obj(ctr, "resources"); /* never set */
	mounts = set_arr(ctr, "volumeMounts");
	mount_add(mounts, "postgres-password", PASSWORD_DIR, true);
	mount_add(mounts, "postgres-exporter-queries", EXPORTER_DIR, true);
	set_security_context(ctr, &id);
	return ctr;
}

/*
 * The runtime identities (spec-hash.md 2.3): postgres from its pool
 * block; multipooler's user from its block or else postgres's, its group
 * from its block only; each still unset becomes 999 when the container
 * runs its default image.
 */
static int
identities(struct ctx *c, const char *pg_image, const char *mp_image,
	   struct identity *pg, struct identity *mp)
{
	char *pg_path = mg_xasprintf("%s.postgres", c->pool_path);
	char *mp_path = mg_xasprintf("%s.multipooler", c->pool_path);
	const cJSON *pgc = obj_at(c, c->pool, "postgres", c->pool_path);
	const cJSON *mpc = obj_at(c, c->pool, "multipooler", c->pool_path);

	memset(pg, 0, sizeof(*pg));
	memset(mp, 0, sizeof(*mp));
	pg->has_user = int_at(c, pgc, "runAsUser", pg_path, &pg->user);
	pg->has_group = int_at(c, pgc, "runAsGroup", pg_path, &pg->group);
	mp->has_user = int_at(c, mpc, "runAsUser", mp_path, &mp->user);
	mp->has_group = int_at(c, mpc, "runAsGroup", mp_path, &mp->group);
	if (!c->rc && mp->has_user && (!pg->has_user || pg->user != mp->user))
		fail(c, MG_EINVAL,
		     "%s.multipooler.runAsUser (%lld) must equal %s.postgres.runAsUser (%s): "
		     "both containers share the data directory",
		     c->pool_path, mp->user, c->pool_path,
		     pg->has_user ? "a different value" : "unset");
	if (!mp->has_user && pg->has_user) {
		mp->has_user = true;
		mp->user = pg->user;
	}
	if (!strcmp(pg_image, default_image(MG_COMP_POSTGRES))) {
		if (!pg->has_user)
			pg->user = MG_DEFAULT_POSTGRES_UID;
		if (!pg->has_group)
			pg->group = MG_DEFAULT_POSTGRES_GID;
		pg->has_user = pg->has_group = true;
	}
	if (!strcmp(mp_image, default_image(MG_COMP_MULTIPOOLER))) {
		if (!mp->has_user)
			mp->user = MG_DEFAULT_POSTGRES_UID;
		if (!mp->has_group)
			mp->group = MG_DEFAULT_POSTGRES_GID;
		mp->has_user = mp->has_group = true;
	}
	free(pg_path);
	free(mp_path);
	return c->rc;
}

/* --- the volumes ------------------------------------------------------- */

static cJSON *
volume(cJSON *vols, const char *name, const char *source)
{
	cJSON *v = must(cJSON_CreateObject());

	set_str(v, "name", name);
	push(vols, v);
	return set_obj(v, source);
}

static void
add_volumes(struct ctx *c, cJSON *spec, bool tls)
{
	cJSON *vols = set_arr(spec, "volumes"), *src;
	const cJSON *pw = obj_at(c, c->spec, "postgresPasswordSecretRef",
				 "spec");
	const cJSON *enc = obj_at(c, c->backup, "encryption", "spec.backup");
	const cJSON *br_tls = obj_at(c, c->backup, "pgbackrestTLS",
				     "spec.backup");
	const cJSON *sampling = obj_at(c, c->obs, "samplingConfigRef",
				       "spec.observability");
	const char *user_tls = str_at(c, br_tls, "secretName",
				      "spec.backup.pgbackrestTLS");

	set_str(volume(vols, "pgdata", "persistentVolumeClaim"), "claimName",
		c->pvc);
	/* "filesystem backup" (spec-hash.md 2.4) read as type filesystem */
	if (c->backup && !strcmp(str_at(c, c->backup, "type", "spec.backup"),
				 "filesystem"))
		set_str(volume(vols, "backup-data", "persistentVolumeClaim"),
			"claimName", c->backup_pvc);
	else
		volume(vols, "backup-data", "emptyDir");
	volume(vols, "socket-dir", "emptyDir");
	set_str(volume(vols, "pg-hba-template", "configMap"), "name",
		c->pg_hba);

	src = volume(vols, "postgres-password", "secret");
	set_str(src, "secretName",
		str_at(c, pw, "name", "spec.postgresPasswordSecretRef"));
	key_to_path(set_arr(src, "items"),
		    str_at(c, pw, "key", "spec.postgresPasswordSecretRef"),
		    "password");
	set_num(src, "defaultMode", MODE_0444);

	src = volume(vols, "postgres-config", "configMap");
	set_str(src, "name", c->pg_config);
	key_to_path(set_arr(src, "items"), "postgresql.conf",
		    "postgresql.conf");

	set_str(volume(vols, "postgres-exporter-queries", "configMap"), "name",
		c->exporter_queries);

	if (c->backup) {
		cJSON *sources, *s, *items;

		src = volume(vols, "pgbackrest-certs", "projected");
		sources = set_arr(src, "sources");
		if (*user_tls) {
			cJSON *proj = must(cJSON_CreateObject());

			s = set_obj(proj, "secret");
			set_str(s, "name", user_tls);
			items = set_arr(s, "items");
			key_to_path(items, "ca.crt", "ca.crt");
			key_to_path(items, "tls.crt", "pgbackrest.crt");
			key_to_path(items, "tls.key", "pgbackrest.key");
			push(sources, proj);
		} else {
			cJSON *proj = must(cJSON_CreateObject());

			s = set_obj(proj, "secret");
			set_str(s, "name", c->br_ca);
			key_to_path(set_arr(s, "items"), "ca.crt", "ca.crt");
			push(sources, proj);
			proj = must(cJSON_CreateObject());
			s = set_obj(proj, "secret");
			set_str(s, "name", c->br_tls);
			items = set_arr(s, "items");
			key_to_path(items, "tls.crt", "pgbackrest.crt");
			key_to_path(items, "tls.key", "pgbackrest.key");
			push(sources, proj);
		}
		set_num(src, "defaultMode", MODE_0440);
	}
	if (c->backup && enc) {
		src = volume(vols, "pgbackrest-cipher", "secret");
		set_str(src, "secretName",
			str_at(c, enc, "secretName", "spec.backup.encryption"));
		set_num(src, "defaultMode", MODE_0444);
	}
	if (tls) {
		src = volume(vols, "tls-certs", "secret");
		/* "" (and so omitted) when the cluster or namespace is */
		if (*c->cluster && *c->namespace) {
			name_rc(c, mg_name_internal_cert(&c->tls_secret,
							 "multipooler",
							 c->cluster,
							 c->namespace, c->err));
			if (c->tls_secret)
				set_str(src, "secretName", c->tls_secret);
		}
		set_num(src, "defaultMode", MODE_0444);
	}
	if (sampling)
		set_str(volume(vols, "otel-sampling-config", "configMap"),
			"name",
			str_at(c, sampling, "name",
			       "spec.observability.samplingConfigRef"));
}

/* --- the pod ----------------------------------------------------------- */

static int
build_pod(cJSON **out, struct ctx *c)
{
	const cJSON *images, *topo_labels, *ns, *v;
	const char *pg_image, *mp_image, *sa = "";
	struct identity pg, mp;
	long long fs_group;
	bool tls, has_fs_group;
	cJSON *pod, *meta, *annots, *spec;
	char hash[MG_SPECHASH_LEN + 1];
	int rc;

	*out = NULL;
	images = obj_at(c, c->spec, "images", "spec");
	pg_image = str_at(c, images, "postgres", "spec.images");
	if (!*pg_image)
		pg_image = default_image(MG_COMP_POSTGRES);
	mp_image = str_at(c, images, "multipooler", "spec.images");
	if (!*mp_image)
		mp_image = default_image(MG_COMP_MULTIPOOLER);
	if (identities(c, pg_image, mp_image, &pg, &mp))
		return c->rc;
	tls = bool_at(c, obj_at(c, c->spec, "internalTLS", "spec"), "enabled",
		      "spec.internalTLS");
	/*
	 * spec-hash.md 2.2 asks for backup, backup.s3 and the field to be
	 * set, not for type s3 (unlike the S3 variables): read literally.
	 */
	if (c->backup && c->s3)
		sa = str_at(c, c->s3, "serviceAccountName", "spec.backup.s3");
	has_fs_group = int_at(c, c->pool, "fsGroup", c->pool_path, &fs_group);

	pod = must(cJSON_CreateObject());
	set_str(pod, "apiVersion", "v1");
	set_str(pod, "kind", "Pod");
	meta = new_meta(c, pod, c->pod, false);
	annots = set_obj(meta, "annotations");
	mg_objmeta_set(annots, MG_ANNOT_PROMETHEUS_SCRAPE,
		       MG_PROMETHEUS_SCRAPE);
	mg_objmeta_set(annots, MG_ANNOT_PROMETHEUS_PORT, MG_PROMETHEUS_PORT);
	mg_objmeta_set(annots, MG_ANNOT_PROMETHEUS_PATH, MG_PROMETHEUS_PATH);
	mg_objmeta_set(annots, MG_ANNOT_PROJECT_REF, c->project_ref);
	if (*c->pgcfg_hash)
		mg_objmeta_set(annots, MG_ANNOT_POSTGRES_CONFIG_HASH,
			       c->pgcfg_hash);
	if (*c->reload_hash)
		mg_objmeta_set(annots, MG_ANNOT_POSTGRES_RELOAD_HASH,
			       c->reload_hash);
	mg_objmeta_set_owner(meta, &c->owner);

	spec = set_obj(pod, "spec");
	push(set_arr(spec, "initContainers"),
	     pgctld_container(c, &pg, pg_image));
	{
		cJSON *ctrs = set_arr(spec, "containers");

		push(ctrs, pooler_container(c, &mp, mp_image, tls));
		push(ctrs, exporter_container(c));
	}
	add_volumes(c, spec, tls);

	v = obj_at(c, c->pool, "affinity", c->pool_path);
	if (v) {
		char *p = mg_xasprintf("%s.affinity", c->pool_path);
		cJSON *aff = normalized(c, MG_GOJSON_AFFINITY, false, v, p);

		if (aff)
			cJSON_AddItemToObject(spec, "affinity", aff);
		free(p);
	}
	v = arr_at(c, c->pool, "tolerations", c->pool_path);
	if (v && v->child) {
		char *p = mg_xasprintf("%s.tolerations", c->pool_path);
		cJSON *tol = normalized(c, MG_GOJSON_TOLERATION, true, v, p);

		if (tol)
			cJSON_AddItemToObject(spec, "tolerations", tol);
		free(p);
	}
	topo_labels = obj_at(c, c->spec, "cellTopologyLabels", "spec");
	ns = obj_at(c, topo_labels, c->cell, "spec.cellTopologyLabels");
	if (ns && ns->child) {
		cJSON *sel = set_obj(spec, "nodeSelector");
		const cJSON *it;

		cJSON_ArrayForEach(it, ns) {
			if (!cJSON_IsString(it)) {
				fail(c, MG_EINVAL,
				     "spec.cellTopologyLabels[%s][%s]: expected a string",
				     c->cell, it->string);
				break;
			}
			if (cJSON_GetObjectItemCaseSensitive(sel, it->string))
				cJSON_DeleteItemFromObjectCaseSensitive(
					sel, it->string);
			set_str(sel, it->string, it->valuestring);
		}
	}
	set_num(spec, "terminationGracePeriodSeconds",
		MG_DEFAULT_POOL_TERMINATION_GRACE_S);
	if (*sa)
		set_str(spec, "serviceAccountName", sa);
	if (has_fs_group)
		set_num(set_obj(spec, "securityContext"), "fsGroup", fs_group);
	set_str(spec, "hostname", c->pod);
	set_str(spec, "subdomain", c->headless);

	if (c->rc) {
		cJSON_Delete(pod);
		return c->rc;
	}
	rc = mg_spechash_pod(pod, hash, c->err);
	if (rc) {
		cJSON_Delete(pod);
		return rc;
	}
	mg_objmeta_set(annots, MG_ANNOT_SPEC_HASH, hash);
	*out = pod;
	return 0;
}

int
mg_poolpod_build(cJSON **out, const cJSON *shard, const char *pool,
		 const char *cell, long index,
		 const struct mg_poolpod_opts *opts, struct mg_err *err)
{
	struct ctx c;
	int rc;

	assert(out && pool && cell);
	*out = NULL;
	rc = ctx_init(&c, shard, pool, cell, index, opts, err);
	if (!rc)
		rc = build_pod(out, &c);
	ctx_release(&c);
	return rc;
}

int
mg_poolpod_desired_hash(const cJSON *shard, const char *pool,
			const char *cell, long index,
			const struct mg_poolpod_opts *opts,
			char out[MG_SPECHASH_LEN + 1], struct mg_err *err)
{
	cJSON *pod = NULL;
	int rc;

	out[0] = '\0';
	rc = mg_poolpod_build(&pod, shard, pool, cell, index, opts, err);
	if (!rc)
		rc = mg_spechash_pod(pod, out, err);
	cJSON_Delete(pod);
	return rc;
}

/* --- the data PVC ------------------------------------------------------ */

int
mg_poolpod_build_pvc(cJSON **out, const cJSON *shard, const char *pool,
		     const char *cell, long index,
		     const struct mg_poolpod_opts *opts, struct mg_err *err)
{
	struct ctx c;
	const cJSON *storage, *modes, *it, *pool_policy, *shard_policy;
	const char *size, *class, *when_deleted;
	struct mg_buf qty = MG_BUF_INIT;
	cJSON *pvc = NULL, *meta, *spec;
	char *spath = NULL;
	int rc;

	assert(out && pool && cell);
	*out = NULL;
	rc = ctx_init(&c, shard, pool, cell, index, opts, err);
	if (rc)
		goto out;
	spath = mg_xasprintf("%s.storage", c.pool_path);
	storage = obj_at(&c, c.pool, "storage", c.pool_path);
	size = str_at(&c, storage, "size", spath);
	class = str_at(&c, storage, "class", spath);
	modes = arr_at(&c, storage, "accessModes", spath);
	pool_policy = obj_at(&c, c.pool, "pvcDeletionPolicy", c.pool_path);
	shard_policy = obj_at(&c, c.spec, "pvcDeletionPolicy", "spec");
	when_deleted = str_at(&c, pool_policy, "whenDeleted", c.pool_path);
	if (!*when_deleted)
		when_deleted = str_at(&c, shard_policy, "whenDeleted", "spec");
	if (c.rc) {
		rc = c.rc;
		goto out;
	}
	rc = mg_quantity_canonical(
		&qty, *size ? size : MG_DEFAULT_POOL_STORAGE_SIZE, err);
	if (rc) {
		mg_err_prefix(err, "shard '%s': %s.size", c.shard_name, spath);
		goto out;
	}

	pvc = must(cJSON_CreateObject());
	set_str(pvc, "apiVersion", "v1");
	set_str(pvc, "kind", "PersistentVolumeClaim");
	meta = new_meta(&c, pvc, c.pvc, true);
	if (!strcmp(when_deleted, "Delete"))
		mg_objmeta_set_owner(meta, &c.owner);
	spec = set_obj(pvc, "spec");
	{
		cJSON *am = set_arr(spec, "accessModes");

		cJSON_ArrayForEach(it, modes) {
			if (!cJSON_IsString(it)) {
				fail(&c, MG_EINVAL,
				     "%s.accessModes: expected strings", spath);
				break;
			}
			push_str(am, it->valuestring);
		}
		if (!am->child)
			push_str(am, MG_DEFAULT_ACCESS_MODE);
	}
	set_str(set_obj(set_obj(spec, "resources"), "requests"), "storage",
		qty.data);
	if (*class)
		set_str(spec, "storageClassName", class);
	rc = c.rc;
	if (!rc) {
		*out = pvc;
		pvc = NULL;
	}
out:
	cJSON_Delete(pvc);
	mg_buf_release(&qty);
	free(spath);
	ctx_release(&c);
	return rc;
}

int
mg_poolpod_snap_hash(void *data, const cJSON *shard, const cJSON *pod,
		     const char *pool, const char *cell, long index,
		     char out[MG_SPECHASH_LEN + 1])
{
	struct mg_poolpod_opts po = MG_POOLPOD_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	const char *cfg = mg_json_member_str(
		mg_json_member_obj(mg_json_member_obj(pod, "metadata"),
				   "annotations"),
		MG_ANNOT_POSTGRES_CONFIG_HASH);

	(void)data;
	po.postgres_config_hash = cfg;
	if (mg_poolpod_desired_hash(shard, pool, cell, index, &po, out, &err)) {
		mg_log(MG_LOG_DEBUG, "no desired hash for pod %s: %s",
		       mg_json_str(pod, "metadata.name") ?
		       mg_json_str(pod, "metadata.name") : "?", err.msg);
		return -1;
	}
	return 0;
}
