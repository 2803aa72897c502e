#include "compat.h"
#include "build_common.h"

#include "buf.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "xalloc.h"

cJSON *
mg_build_must(cJSON *item)
{
	if (!item)
		MG_BUG("cJSON out of memory");
	return item;
}

#define must mg_build_must

bool
mg_build_resources_empty(const cJSON *res)
{
	static const char *const keys[] = { "requests", "limits", "claims" };
	size_t i;

	if (!cJSON_IsObject(res))
		return true;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, keys[i]);

		if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child)
			return false;
	}
	return true;
}

cJSON *
mg_build_resources_new(const cJSON *res, enum mg_component comp)
{
	cJSON *out;

	if (!mg_build_resources_empty(res))
		return must(cJSON_Duplicate(res, true));
	out = mg_defaults_resources(comp);
	return out ? out : must(cJSON_CreateObject());
}

static const char *
label(const cJSON *meta, const char *key)
{
	return mg_objmeta_get(cJSON_GetObjectItemCaseSensitive(meta, "labels"),
			      key);
}

int
mg_build_ctx_init(struct mg_build_ctx *ctx, const cJSON *cr, const char *kind,
		  const struct mg_build_opts *opts, struct mg_err *err)
{
	static const struct mg_build_opts no_opts = MG_BUILD_OPTS_INIT;
	static const cJSON empty = { .type = cJSON_Object };
	const cJSON *meta, *spec;
	const char *v;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	if (!cJSON_IsObject(cr))
		return mg_err_set(err, MG_EINVAL, "%s: not a JSON object",
				  kind);
	ctx->cr = cr;
	ctx->opts = opts ? opts : &no_opts;
	rc = mg_objmeta_owner_of(&ctx->owner, cr, kind, ctx->opts->owner_uid,
				 !ctx->opts->preview, err);
	if (rc)
		return rc;
	ctx->name = ctx->owner.name;
	meta = cJSON_GetObjectItemCaseSensitive(cr, "metadata");
	spec = cJSON_GetObjectItemCaseSensitive(cr, "spec");
	ctx->spec = cJSON_IsObject(spec) ? spec : &empty;

	ctx->namespace = ctx->opts->namespace;
	if (!ctx->namespace || !ctx->namespace[0])
		ctx->namespace = mg_json_str(meta, "namespace");
	if (!ctx->namespace || !ctx->namespace[0])
		return mg_err_set(err, MG_EINVAL,
				  "%s '%s': metadata.namespace is missing and "
				  "no namespace was given",
				  kind, ctx->name);

	if (strcmp(kind, "MultigresCluster") == 0)
		ctx->cluster = ctx->name;
	else
		ctx->cluster = label(meta, MG_LABEL_CLUSTER);
	if (!ctx->cluster || !ctx->cluster[0])
		return mg_err_set(err, MG_EINVAL,
				  "%s '%s': label '%s' is missing", kind,
				  ctx->name, MG_LABEL_CLUSTER);

	v = mg_objmeta_get(cJSON_GetObjectItemCaseSensitive(meta,
							    "annotations"),
			   MG_ANNOT_PROJECT_REF);
	ctx->project = v && v[0] ? v : ctx->cluster;
	return 0;
}

cJSON *
mg_build_meta_new(const struct mg_build_ctx *ctx, const char *name,
		  cJSON *labels, cJSON *annotations)
{
	cJSON *meta = mg_objmeta_new(name, ctx->namespace, labels,
				     annotations);

	mg_objmeta_set_owner(meta, &ctx->owner);
	return meta;
}

cJSON *
mg_build_deployment_new(const struct mg_build_ctx *ctx, const char *name,
			cJSON *labels, long replicas, cJSON *pod_labels,
			cJSON *pod_annotations, cJSON *pod_spec)
{
	cJSON *sel = mg_objmeta_selector_new(labels);
	cJSON *obj, *spec, *s, *tmpl;

	obj = mg_objmeta_object_new("apps/v1", "Deployment",
				    mg_build_meta_new(ctx, name, labels, NULL));
	spec = must(cJSON_AddObjectToObject(obj, "spec"));
	if (replicas >= 0)
		must(cJSON_AddNumberToObject(spec, "replicas",
					     (double)replicas));
	s = must(cJSON_AddObjectToObject(spec, "selector"));
	cJSON_AddItemToObject(s, "matchLabels", sel);
	tmpl = must(cJSON_AddObjectToObject(spec, "template"));
	cJSON_AddItemToObject(tmpl, "metadata",
			      mg_objmeta_new(NULL, NULL, pod_labels,
					     pod_annotations));
	cJSON_AddItemToObject(tmpl, "spec", pod_spec);
	return obj;
}

cJSON *
mg_build_service_new(const struct mg_build_ctx *ctx, const char *name,
		     cJSON *labels, cJSON *annotations)
{
	cJSON *obj = mg_objmeta_object_new("v1", "Service",
					   mg_build_meta_new(ctx, name, labels,
							     annotations));

	must(cJSON_AddObjectToObject(obj, "spec"));
	return obj;
}

cJSON *
mg_build_container_port_new(const char *name, int port)
{
	cJSON *p = must(cJSON_CreateObject());

	must(cJSON_AddStringToObject(p, "name", name));
	must(cJSON_AddNumberToObject(p, "containerPort", port));
	must(cJSON_AddStringToObject(p, "protocol", "TCP"));
	return p;
}

cJSON *
mg_build_service_port_new(const char *name, int port, const char *target)
{
	cJSON *p = must(cJSON_CreateObject());

	must(cJSON_AddStringToObject(p, "name", name));
	must(cJSON_AddNumberToObject(p, "port", port));
	if (target)
		must(cJSON_AddStringToObject(p, "targetPort", target));
	else
		must(cJSON_AddNumberToObject(p, "targetPort", port));
	must(cJSON_AddStringToObject(p, "protocol", "TCP"));
	return p;
}

static cJSON *
http_probe(const char *path, int port, int period, int failures)
{
	cJSON *p = must(cJSON_CreateObject());
	cJSON *get = must(cJSON_AddObjectToObject(p, "httpGet"));

	must(cJSON_AddStringToObject(get, "path", path));
	must(cJSON_AddNumberToObject(get, "port", port));
	must(cJSON_AddNumberToObject(p, "periodSeconds", period));
	if (failures)
		must(cJSON_AddNumberToObject(p, "failureThreshold", failures));
	return p;
}

void
mg_build_add_probes(cJSON *container, int port, const char *startup,
		    const char *liveness, const char *readiness)
{
	cJSON_AddItemToObject(container, "startupProbe",
			      http_probe(startup, port, 5, 30));
	cJSON_AddItemToObject(container, "livenessProbe",
			      http_probe(liveness, port, 10, 0));
	cJSON_AddItemToObject(container, "readinessProbe",
			      http_probe(readiness, port, 5, 0));
}

void
mg_build_add_env(cJSON *env, const char *name, const char *value)
{
	cJSON *e = must(cJSON_CreateObject());

	must(cJSON_AddStringToObject(e, "name", name));
	must(cJSON_AddStringToObject(e, "value", value));
	cJSON_AddItemToArray(env, e);
}

void
mg_build_add_str(cJSON *array, const char *s)
{
	cJSON_AddItemToArray(array, must(cJSON_CreateString(s)));
}

const char *
mg_build_getenv(const struct mg_build_opts *opts, const char *name)
{
	const char *const *e;
	size_t len = strlen(name);

	if (!opts || !opts->env)
		return NULL;
	for (e = opts->env; *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return (*e)[len + 1] ? *e + len + 1 : NULL;
	return NULL;
}

/* The spec.observability field, else the operator's variable. */
static const char *
otel_value(const cJSON *obs, const char *field,
	   const struct mg_build_opts *opts, const char *var)
{
	const char *v = field ? mg_json_str(obs, field) : NULL;

	return v && v[0] ? v : mg_build_getenv(opts, var);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* [*b, *e) without surrounding white space. */
static void
trim(const char **b, const char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
}

/* Is the key of the entry [b, e) ("key=value") one of keys[0..nkeys)? */
static bool
is_our_key(const char *b, const char *e, const char *const *keys,
	   size_t nkeys)
{
	const char *eq = memchr(b, '=', (size_t)(e - b));
	size_t i;

	if (!eq)
		return false;
	e = eq;
	trim(&b, &e);
	for (i = 0; i < nkeys; i++)
		if (strlen(keys[i]) == (size_t)(e - b) &&
		    memcmp(keys[i], b, (size_t)(e - b)) == 0)
			return true;
	return false;
}

/*
 * The operator's OTEL_RESOURCE_ATTRIBUTES entries, split at commas not
 * escaped by a backslash, trimmed, empty ones and those whose key is one
 * of ours (keys[0..nkeys)) dropped, each followed by a comma into out.
 */
static void
foreign_attributes(struct mg_buf *out, const char *raw,
		   const char *const *keys, size_t nkeys)
{
	const char *start = raw, *p;
	bool escaped = false;

	for (p = raw;; p++) {
		const char *b = start, *e = p;

		if (*p && escaped) {
			escaped = false;
			continue;
		}
		if (*p == '\\') {
			escaped = true;
			continue;
		}
		if (*p && *p != ',')
			continue;
		start = p + 1;
		trim(&b, &e);
		if (b < e && !is_our_key(b, e, keys, nkeys)) {
			mg_buf_add(out, b, (size_t)(e - b));
			mg_buf_addch(out, ',');
		}
		if (!*p)
			break;
	}
}

void
mg_build_add_otel_env(cJSON *env, const cJSON *obs,
		      const struct mg_build_opts *opts, const char *project,
		      const char *cluster, const char *component)
{
	static const struct {
		const char *field, *var;
	} rest[] = {
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
	const char *endpoint, *metrics, *v;
	const cJSON *ref;
	size_t i;

	if (!cJSON_IsObject(obs))
		obs = NULL;
	endpoint = otel_value(obs, "otlpEndpoint", opts,
			      "OTEL_EXPORTER_OTLP_ENDPOINT");
	if (endpoint && strcmp(endpoint, "disabled") == 0)
		return;
	metrics = otel_value(obs, "otlpMetricsEndpoint", opts,
			     "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
	if (!endpoint && !metrics)
		return;
	if (endpoint)
		mg_build_add_env(env, "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
	if (metrics)
		mg_build_add_env(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
				 metrics);
	for (i = 0; i < ARRAY_SIZE(rest); i++) {
		v = otel_value(obs, rest[i].field, opts, rest[i].var);
		if (v)
			mg_build_add_env(env, rest[i].var, v);
	}
	if (component) {
		const char *keys[3], *vals[3];
		const char *attrs[] = { project, cluster, component };
		static const char *const names[] = { "multigres.project",
						     "multigres.cluster",
						     "multigres.component" };
		struct mg_buf b = MG_BUF_INIT;
		size_t n = 0;

		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (attrs[i] && attrs[i][0]) {
				keys[n] = names[i];
				vals[n++] = attrs[i];
			}
		}
		if (n) {
			v = mg_build_getenv(opts, "OTEL_RESOURCE_ATTRIBUTES");
			if (v)
				foreign_attributes(&b, v, keys, n);
			for (i = 0; i < n; i++)
				mg_buf_addf(&b, "%s%s=%s", i ? "," : "",
					    keys[i], vals[i]);
			mg_build_add_env(env, "OTEL_RESOURCE_ATTRIBUTES",
					 b.data);
			mg_buf_release(&b);
		}
	}
	ref = obs ? cJSON_GetObjectItemCaseSensitive(obs, "samplingConfigRef")
		  : NULL;
	if (cJSON_IsObject(ref)) {
		char *path;

		v = mg_json_str(ref, "key");
		path = mg_xasprintf("/etc/otel/%s",
				    v && v[0] ? v : "sampling-config.yaml");
		mg_build_add_env(env, "OTEL_TRACES_SAMPLER_CONFIG", path);
		free(path);
	}
}

void
mg_build_add_otel_sampling(const cJSON *obs, cJSON *volumes, cJSON *mounts)
{
	const cJSON *ref;
	const char *name;

	ref = cJSON_IsObject(obs)
		      ? cJSON_GetObjectItemCaseSensitive(obs,
							 "samplingConfigRef")
		      : NULL;
	if (!cJSON_IsObject(ref))
		return;
	name = mg_json_str(ref, "name");
	if (volumes) {
		cJSON *vol = must(cJSON_CreateObject());
		cJSON *cm;

		must(cJSON_AddStringToObject(vol, "name",
					     "otel-sampling-config"));
		cm = must(cJSON_AddObjectToObject(vol, "configMap"));
		must(cJSON_AddStringToObject(cm, "name", name ? name : ""));
		cJSON_AddItemToArray(volumes, vol);
	}
	if (mounts)
		cJSON_AddItemToArray(mounts,
				     mg_build_ro_mount_new("otel-sampling-config",
							   "/etc/otel"));
}

cJSON *
mg_build_secret_volume_new(const char *name, const char *secret)
{
	cJSON *vol = must(cJSON_CreateObject());
	cJSON *s;

	must(cJSON_AddStringToObject(vol, "name", name));
	s = must(cJSON_AddObjectToObject(vol, "secret"));
	must(cJSON_AddStringToObject(s, "secretName", secret));
	must(cJSON_AddNumberToObject(s, "defaultMode", 0444));
	return vol;
}

cJSON *
mg_build_ro_mount_new(const char *name, const char *path)
{
	cJSON *m = must(cJSON_CreateObject());

	must(cJSON_AddStringToObject(m, "name", name));
	must(cJSON_AddStringToObject(m, "mountPath", path));
	must(cJSON_AddBoolToObject(m, "readOnly", true));
	return m;
}

void
mg_build_add_tls_args(cJSON *args, const char *dir,
		      const char *pooler_server_name)
{
	static const char *const flags[] = {
		"--grpc-cert",		 "tls.crt", "--grpc-key",
		"tls.key",		 "--grpc-ca", "ca.crt",
		"--grpc-server-ca",	 "ca.crt", "--multipooler-grpc-cert",
		"tls.crt",		 "--multipooler-grpc-key", "tls.key",
		"--multipooler-grpc-ca", "ca.crt",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i += 2) {
		char *path = mg_xasprintf("%s/%s", dir, flags[i + 1]);

		mg_build_add_str(args, flags[i]);
		mg_build_add_str(args, path);
		free(path);
	}
	mg_build_add_str(args, "--multipooler-grpc-server-name");
	mg_build_add_str(args, pooler_server_name);
	mg_build_add_str(args, "--multipooler-grpc-require-tls");
}

bool
mg_build_internal_tls(const cJSON *spec)
{
	const cJSON *v = mg_json_get(spec, "internalTLS.enabled");

	return cJSON_IsTrue(v);
}

cJSON *
mg_build_tolerations_new(const cJSON *placement)
{
	const cJSON *t = cJSON_IsObject(placement)
				 ? cJSON_GetObjectItemCaseSensitive(placement,
								    "tolerations")
				 : NULL;

	if (!cJSON_IsArray(t) || !t->child)
		return NULL;
	return must(cJSON_Duplicate(t, true));
}

cJSON *
mg_build_pod_annotations_new(const cJSON *pod_annotations,
			     const char *project)
{
	cJSON *a = mg_objmeta_map_new(pod_annotations);

	cJSON_DeleteItemFromObjectCaseSensitive(a, MG_ANNOT_PROMETHEUS_SCRAPE);
	cJSON_DeleteItemFromObjectCaseSensitive(a, MG_ANNOT_PROMETHEUS_PORT);
	cJSON_DeleteItemFromObjectCaseSensitive(a, MG_ANNOT_PROMETHEUS_PATH);
	mg_objmeta_set(a, MG_ANNOT_PROJECT_REF, project);
	return a;
}

/* Go durations: nanoseconds in an int64, units as time.ParseDuration. */
#define NS_MAX ((uint64_t)1 << 63)

static uint64_t
unit_ns(const char *u, size_t n)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ULL },
		{ "us", 1000ULL },
		{ "\xc2\xb5s", 1000ULL }, /* U+00B5 micro sign */
		{ "\xce\xbcs", 1000ULL }, /* U+03BC Greek mu */
		{ "ms", 1000000ULL },
		{ "s", 1000000000ULL },
		{ "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i].name) == n &&
		    memcmp(units[i].name, u, n) == 0)
			return units[i].ns;
	return 0;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses like time.ParseDuration; false on any error. */
static bool
parse_duration(const char *s, int64_t *out)
{
	uint64_t d = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s) {
		uint64_t v = 0, f = 0, unit;
		double scale = 1;
		bool pre = false, post = false;
		const char *u;

		if (*s != '.' && !is_digit(*s))
			return false;
		for (; is_digit(*s); s++) {
			if (v > (NS_MAX - 1) / 10)
				return false;
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > NS_MAX - 1)
				return false;
			pre = true;
		}
		if (*s == '.') {
			bool overflow = false;

			/* Digits past what fits are ignored, as Go does. */
			for (s++; is_digit(*s); s++) {
				post = true;
				if (overflow)
					continue;
				if (f > (NS_MAX - 1) / 10) {
					overflow = true;
					continue;
				}
				f = f * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
		}
		if (!pre && !post)
			return false;
		for (u = s; *s && *s != '.' && !is_digit(*s); s++)
			;
		unit = unit_ns(u, (size_t)(s - u));
		if (!unit)
			return false;
		if (v > NS_MAX / unit)
			return false;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > NS_MAX)
				return false;
		}
		d += v;
		if (d > NS_MAX)
			return false;
	}
	if (neg) {
		*out = d == NS_MAX ? INT64_MIN : -(int64_t)d;
		return true;
	}
	if (d > NS_MAX - 1)
		return false;
	*out = (int64_t)d;
	return true;
}

/*
 * Writes the last prec decimal digits of v backwards before *w as a
 * fraction (".5"), trailing zeros and an all-zero fraction left out;
 * returns v without those digits.
 */
static uint64_t
frac_back(char *buf, size_t *w, uint64_t v, int prec)
{
	bool print = false;
	int i;

	for (i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(v % 10);

		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--*w] = '.';
	return v;
}

static void
int_back(char *buf, size_t *w, uint64_t v)
{
	do {
		buf[--*w] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
}

static void
str_back(char *buf, size_t *w, const char *s)
{
	size_t n = strlen(s);

	*w -= n;
	memcpy(buf + *w, s, n);
}

/* As time.Duration's String(). */
static char *
format_duration(int64_t d)
{
	char buf[40];
	size_t w = sizeof(buf) - 1;
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	buf[w] = '\0';
	if (u < 1000000000ULL) {
		int prec;

		if (u == 0)
			return mg_xstrdup("0s");
		if (u < 1000ULL) {
			prec = 0;
			str_back(buf, &w, "ns");
		} else if (u < 1000000ULL) {
			prec = 3;
			str_back(buf, &w, "\xc2\xb5s");
		} else {
			prec = 6;
			str_back(buf, &w, "ms");
		}
		u = frac_back(buf, &w, u, prec);
		int_back(buf, &w, u);
	} else {
		str_back(buf, &w, "s");
		u = frac_back(buf, &w, u, 9);
		int_back(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			str_back(buf, &w, "m");
			int_back(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				str_back(buf, &w, "h");
				int_back(buf, &w, u);
			}
		}
	}
	if (d < 0)
		buf[--w] = '-';
	return mg_xstrdup(buf + w);
}

int
mg_build_go_duration(char **out, const char *in, const char *what,
		     struct mg_err *err)
{
	int64_t d;

	*out = NULL;
	if (!parse_duration(in, &d))
		return mg_err_set(err, MG_EINVAL,
				  "%s: '%s' is not a duration (like 10s, 1m30s "
				  "or 500ms)",
				  what, in);
	*out = format_duration(d);
	return 0;
}

void
mg_build_move_all(cJSON *to, cJSON *from)
{
	cJSON *it;

	while ((it = cJSON_DetachItemFromArray(from, 0)))
		cJSON_AddItemToArray(to, it);
}

cJSON *
mg_build_stateless_deployment_new(const struct mg_build_ctx *ctx,
				  const char *name, cJSON *labels,
				  const cJSON *spec, enum mg_component comp,
				  cJSON *pod_spec)
{
	cJSON *pod_labels = mg_objmeta_map_new(labels);

	mg_objmeta_merge_under(pod_labels, mg_json_get(spec, "podLabels"));
	return mg_build_deployment_new(
		ctx, name, labels,
		mg_json_int(spec, "replicas",
			    mg_defaults_component(comp)->replicas),
		pod_labels,
		mg_build_pod_annotations_new(mg_json_get(spec, "podAnnotations"),
					     ctx->project),
		pod_spec);
}

const char *
mg_build_spec_str(const struct mg_build_ctx *ctx, const char *path)
{
	const char *v = mg_json_str(ctx->spec, path);

	return v && v[0] ? v : NULL;
}
