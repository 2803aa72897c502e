#include "compat.h"
#include "multiadmin.h"

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "log.h"
#include "names.h"
#include "timeutil.h"
#include "xalloc.h"

#define MAX_BODY (16u << 20) /* one answer */
#define USER_AGENT "kubectl-multigres/" MG_VERSION

enum transport { T_PROXY, T_URL };

struct mg_multiadmin {
	enum transport t;
	char *where;                   /* for messages */
	/* T_PROXY */
	struct mg_kube *k;
	char *prefix;                  /* /api/v1/namespaces/.../proxy */
	/* T_URL */
	char *base;                    /* without a trailing '/' */
	struct mg_multiadmin_opts opts;
	char *ca_file;
	CURL *easy;
};

/* --- errors --------------------------------------------------------------- */

static const char *const grpc_names[] = {
	"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
	"NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
	"FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
	"Internal", "Unavailable", "DataLoss", "Unauthenticated",
};

/* Connect's spelling of the same codes, in the same order. */
static const char *const connect_names[] = {
	"ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded",
	"not_found", "already_exists", "permission_denied", "resource_exhausted",
	"failed_precondition", "aborted", "out_of_range", "unimplemented",
	"internal", "unavailable", "data_loss", "unauthenticated",
};

static int
code_for_grpc(long g)
{
	switch (g) {
	case 3:
	case 9: return MG_EINVAL;
	case 4: return MG_ETIMEOUT;
	case 5: return MG_ENOTFOUND;
	case 6:
	case 10: return MG_ECONFLICT;
	case 7:
	case 16: return MG_EAUTH;
	case 14: return MG_ETRANSPORT;
	}
	return MG_EAPI;
}

static int
code_for_http(long status)
{
	switch (status) {
	case 400: return MG_EINVAL;
	case 401:
	case 403: return MG_EAUTH;
	case 404: return MG_ENOTFOUND;
	case 409: return MG_ECONFLICT;
	case 503: return MG_ETRANSPORT;
	case 504: return MG_ETIMEOUT;
	}
	return MG_EAPI;
}

/* The gRPC code of a google.rpc.Status (number) or Connect error (name);
 * -1 when the body is neither. */
static long
body_grpc_code(const cJSON *doc)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "code");

	if (cJSON_IsNumber(c) && c->valuedouble >= 0 &&
	    c->valuedouble < (double)ARRAY_SIZE(grpc_names))
		return (long)c->valuedouble;
	if (cJSON_IsString(c))
		for (size_t i = 0; i < ARRAY_SIZE(connect_names); i++)
			if (!strcmp(c->valuestring, connect_names[i]))
				return (long)i;
	return -1;
}

int
mg_multiadmin_error(const char *what, long http_status, const char *body,
		    size_t len, struct mg_err *err)
{
	cJSON *doc = NULL;
	const char *msg = NULL;
	long g = -1;
	int rc;

	if (len && mg_json_parse(&doc, body, len, "error", NULL) == 0 &&
	    cJSON_IsObject(doc)) {
		g = body_grpc_code(doc);
		msg = mg_json_str(doc, "message");
	}
	if (g >= 0 && msg && *msg) {
		rc = mg_err_set(err, code_for_grpc(g), "%s: %s", what, msg);
	} else if (len) {
		char snip[160];
		size_t i;

		/* Not multiadmin's error shape: its start, printable only. */
		for (i = 0; i < len && i < sizeof(snip) - 1; i++)
			snip[i] = (body[i] >= 0x20 && body[i] < 0x7f) ? body[i] : ' ';
		snip[i] = '\0';
		while (i > 0 && snip[i - 1] == ' ')
			snip[--i] = '\0';
		rc = mg_err_set(err, g >= 0 ? code_for_grpc(g) : code_for_http(http_status),
				"%s: the server answered %ld: %s", what, http_status, snip);
	} else {
		rc = mg_err_set(err, code_for_http(http_status),
				"%s: the server answered %ld with no body", what,
				http_status);
	}
	if (err) {
		err->http_status = http_status;
		snprintf(err->reason, sizeof(err->reason), "%s",
			 g >= 0 ? grpc_names[g] : "");
	}
	cJSON_Delete(doc);
	return rc;
}

/* --- clients ---------------------------------------------------------------- */

int
mg_multiadmin_proxy_path(struct mg_buf *out, const char *ns,
			 const char *cluster, struct mg_err *err)
{
	char *svc = NULL;
	int rc;

	if (!ns || !*ns)
		return mg_err_set(err, MG_EINVAL, "multiadmin: no namespace given");
	if (!cluster || !*cluster)
		return mg_err_set(err, MG_EINVAL, "multiadmin: no cluster name given");
	for (const char *p = ns; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return mg_err_set(err, MG_EINVAL,
					  "multiadmin: namespace '%s' is not a DNS label", ns);
	rc = mg_name_multiadmin(&svc, cluster, err);
	if (rc)
		return rc;
	mg_buf_addf(out, "/api/v1/namespaces/%s/services/%s:%d/proxy", ns, svc,
		    MG_MULTIADMIN_HTTP_PORT);
	free(svc);
	return 0;
}

int
mg_multiadmin_new_proxy(struct mg_multiadmin **out, struct mg_kube *k,
			const char *ns, const char *cluster, struct mg_err *err)
{
	struct mg_buf p = MG_BUF_INIT;
	struct mg_multiadmin *a;
	int rc;

	*out = NULL;
	rc = mg_multiadmin_proxy_path(&p, ns, cluster, err);
	if (rc) {
		mg_buf_release(&p);
		return rc;
	}
	a = mg_xcalloc(1, sizeof(*a));
	a->t = T_PROXY;
	a->k = k;
	a->prefix = mg_buf_detach(&p, NULL);
	a->where = mg_xasprintf("service %s/%s-multiadmin:%d through the API server",
				ns, cluster, MG_MULTIADMIN_HTTP_PORT);
	*out = a;
	return 0;
}

int
mg_multiadmin_new_url(struct mg_multiadmin **out, const char *base_url,
		      const struct mg_multiadmin_opts *opts, struct mg_err *err)
{
	static const struct mg_multiadmin_opts dflt = MG_MULTIADMIN_OPTS_INIT;
	struct mg_multiadmin *a;
	size_t n;

	*out = NULL;
	if (!base_url || (strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)) ||
	    !base_url[strncmp(base_url, "http://", 7) ? 8 : 7])
		return mg_err_set(err, MG_EINVAL,
				  "multiadmin URL '%s': want http://HOST:PORT or https://HOST:PORT",
				  base_url ? base_url : "");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	a = mg_xcalloc(1, sizeof(*a));
	a->t = T_URL;
	n = strlen(base_url);
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	a->base = mg_xstrndup(base_url, n);
	a->where = mg_xstrdup(a->base);
	a->opts = opts ? *opts : dflt;
	if (a->opts.ca_file)
		a->ca_file = mg_xstrdup(a->opts.ca_file);
	a->opts.ca_file = a->ca_file;
	a->easy = curl_easy_init();
	if (!a->easy) {
		mg_multiadmin_free(a);
		return mg_err_set(err, MG_ETRANSPORT, "cannot initialise libcurl");
	}
	*out = a;
	return 0;
}

void
mg_multiadmin_free(struct mg_multiadmin *a)
{
	if (!a)
		return;
	if (a->easy)
		curl_easy_cleanup(a->easy);
	free(a->where);
	free(a->prefix);
	free(a->base);
	free(a->ca_file);
	free(a);
}

const char *
mg_multiadmin_where(const struct mg_multiadmin *a)
{
	return a->where;
}

/* --- requests ------------------------------------------------------------- */

static size_t
collect(char *p, size_t size, size_t n, void *data)
{
	return mg_buf_add(data, p, size * n) ? 0 : size * n;
}

/* One request at the base URL; the answer in out, the status in *status. */
static int
url_request(struct mg_multiadmin *a, const char *method, const char *path,
	    const char *body, struct mg_buf *out, long *status,
	    const char *what, struct mg_err *err)
{
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	char *url = mg_xasprintf("%s%s", a->base, path);
	CURL *h = a->easy;
	CURLcode cc;
	int64_t t0 = mg_time_mono_ms();
	int rc = 0;

	*status = 0;
	curl_easy_reset(h);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (a->opts.connect_timeout_ms)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, a->opts.connect_timeout_ms);
	if (a->opts.timeout_ms)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, a->opts.timeout_ms);
	if (a->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, a->ca_file);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (body) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	mg_log(MG_LOG_DEBUG, "%s %s -> %ld (%lld ms)%s%s", method, url, *status,
	       (long long)(mg_time_mono_ms() - t0), cc ? ": " : "",
	       cc ? (errbuf[0] ? errbuf : curl_easy_strerror(cc)) : "");
	if (cc == CURLE_WRITE_ERROR && out->max && out->len + CURL_MAX_WRITE_SIZE >= out->max)
		rc = mg_err_set(err, MG_ETOOBIG, "%s: answer larger than %u bytes",
				what, MAX_BODY);
	else if (cc != CURLE_OK)
		rc = mg_err_set(err, cc == CURLE_OPERATION_TIMEDOUT ? MG_ETIMEOUT : MG_ETRANSPORT,
				"%s: multiadmin at %s: %s", what, a->base,
				errbuf[0] ? errbuf : curl_easy_strerror(cc));
	curl_slist_free_all(hdrs);
	free(url);
	return rc;
}

/* Is body the API server's own Status (the proxy failed, not multiadmin)? */
static bool
kube_status(const struct mg_buf *body)
{
	cJSON *doc = NULL;
	bool yes;

	if (mg_json_parse(&doc, body->data, body->len, "status", NULL))
		return false;
	yes = mg_json_str(doc, "kind") && !strcmp(mg_json_str(doc, "kind"), "Status") &&
	      mg_json_str(doc, "apiVersion");
	cJSON_Delete(doc);
	return yes;
}

/*
 * One request through either transport; 0 and the body in out for a 2xx
 * answer. `what` names the call in errors.
 */
static int
request(struct mg_multiadmin *a, const char *method, const char *path,
	const char *body, struct mg_buf *out, const char *what,
	struct mg_err *err)
{
	long status = 0;
	int rc;

	if (a->t == T_URL) {
		rc = url_request(a, method, path, body, out, &status, what, err);
		if (rc)
			return rc;
		if (status >= 200 && status < 300)
			return 0;
		return mg_multiadmin_error(what, status, out->data, out->len, err);
	} else {
		char *full = mg_xasprintf("%s%s", a->prefix, path);

		rc = mg_kube_request(a->k, method, full,
				     body ? "application/json" : NULL, body, out,
				     &status, err);
		free(full);
		if (!rc)
			return 0;
		if (status < 400 || kube_status(out)) {
			/* transport trouble, or the proxy itself said no */
			mg_err_prefix(err, "%s: %s", what, a->where);
			return rc;
		}
		return mg_multiadmin_error(what, status, out->data, out->len, err);
	}
}

/* A request whose JSON answer is parsed into *doc. */
static int
json_request(struct mg_multiadmin *a, const char *method, const char *path,
	     const char *body, cJSON **doc, const char *what, struct mg_err *err)
{
	struct mg_buf resp;
	int rc;

	mg_buf_init(&resp, MAX_BODY);
	*doc = NULL;
	rc = request(a, method, path, body, &resp, what, err);
	if (!rc)
		rc = mg_json_parse(doc, resp.data, resp.len, what, err);
	mg_buf_release(&resp);
	return rc;
}

static void
add_query(struct mg_buf *b, const char *key, const char *value)
{
	char *esc = curl_easy_escape(NULL, value, 0);

	mg_buf_addf(b, "%c%s=%s", strchr(b->data, '?') ? '&' : '?', key, esc);
	curl_free(esc);
}

static void
add_segment(struct mg_buf *b, const char *seg)
{
	char *esc = curl_easy_escape(NULL, seg, 0);

	mg_buf_addf(b, "/%s", esc);
	curl_free(esc);
}

static int
check_key(const struct mg_multiadmin_shard *key, bool need_shard,
	  const char *what, struct mg_err *err)
{
	if (!key->database || !*key->database)
		return mg_err_set(err, MG_EINVAL, "%s: no database given", what);
	if (!key->tablegroup || !*key->tablegroup)
		return mg_err_set(err, MG_EINVAL, "%s: no table group given", what);
	if (need_shard && (!key->shard || !*key->shard))
		return mg_err_set(err, MG_EINVAL, "%s: no shard given", what);
	return 0;
}

/* --- parsing ---------------------------------------------------------------- */

/* A member by its lowerCamelCase name (HEAD) or snake_case one (v0.1.0). */
static const cJSON *
member(const cJSON *obj, const char *camel, const char *snake)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, camel);

	if ((!it || cJSON_IsNull(it)) && snake)
		it = cJSON_GetObjectItemCaseSensitive(obj, snake);
	return it;
}

static char *
dup_member(const cJSON *obj, const char *camel, const char *snake)
{
	const cJSON *it = member(obj, camel, snake);

	return mg_xstrdup(cJSON_IsString(it) ? it->valuestring : "");
}

/* An enum given by name (or by number, as some codecs write them). */
static int
enum_value(const cJSON *it, const char *const *names, size_t n, int dflt)
{
	if (cJSON_IsNumber(it)) {
		for (size_t i = 0; i < n; i++)
			if (names[i] && (double)i == it->valuedouble)
				return (int)i;
		return dflt;
	}
	if (!cJSON_IsString(it))
		return dflt;
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(it->valuestring, names[i]))
			return (int)i;
	return dflt;
}

static long long
int64_value(const cJSON *it)
{
	if (cJSON_IsNumber(it))
		return (long long)it->valuedouble;
	if (cJSON_IsString(it)) {
		char *end;
		long long v = strtoll(it->valuestring, &end, 10);

		return *end ? 0 : v;
	}
	return 0;
}

static const char *const lifecycle_names[] = {
	[MG_MULTIADMIN_LC_UNKNOWN] = "LIFECYCLE_UNKNOWN",
	[MG_MULTIADMIN_LC_STARTING] = "LIFECYCLE_STARTING",
	[MG_MULTIADMIN_LC_ACTIVE] = "LIFECYCLE_ACTIVE",
	[MG_MULTIADMIN_LC_STOPPING] = "LIFECYCLE_STOPPING",
	[MG_MULTIADMIN_LC_SHUTDOWN] = "LIFECYCLE_SHUTDOWN",
	[MG_MULTIADMIN_LC_QUARANTINED] = "LIFECYCLE_QUARANTINED",
};

const char *
mg_multiadmin_lifecycle_name(enum mg_multiadmin_lifecycle lc)
{
	return (size_t)lc < ARRAY_SIZE(lifecycle_names) ? lifecycle_names[lc] : "?";
}

const char *
mg_multiadmin_role_name(enum mg_multiadmin_role r)
{
	switch (r) {
	case MG_MULTIADMIN_ROLE_PRIMARY: return "PRIMARY";
	case MG_MULTIADMIN_ROLE_REPLICA: return "REPLICA";
	case MG_MULTIADMIN_ROLE_UNKNOWN: break;
	}
	return "UNKNOWN";
}

const char *
mg_multiadmin_serving_name(enum mg_multiadmin_serving s)
{
	switch (s) {
	case MG_MULTIADMIN_SERVING: return "SERVING";
	case MG_MULTIADMIN_DISABLED: return "DISABLED";
	case MG_MULTIADMIN_DRAINING: return "DRAINING";
	case MG_MULTIADMIN_SERVING_OTHER: break;
	}
	return "OTHER";
}

static enum mg_multiadmin_role
parse_role(const cJSON *p)
{
	/* routing role numbers: UNKNOWN 0, PRIMARY 1, REPLICA 2 */
	static const char *const routing[] = {
		"ROUTING_ROLE_UNKNOWN", "ROUTING_ROLE_PRIMARY", "ROUTING_ROLE_REPLICA",
	};
	/* the deprecated pooler type, used when there is no routing state */
	static const char *const type[] = { "UNKNOWN", "PRIMARY", "REPLICA" };
	const cJSON *rs = member(p, "routingState", "routing_state");

	if (cJSON_IsObject(rs))
		return (enum mg_multiadmin_role)enum_value(
			cJSON_GetObjectItemCaseSensitive(rs, "role"), routing,
			ARRAY_SIZE(routing), 0);
	return (enum mg_multiadmin_role)enum_value(member(p, "type", NULL), type,
						   ARRAY_SIZE(type), 0);
}

static enum mg_multiadmin_serving
parse_serving(const cJSON *it)
{
	/* HEAD: SERVING 0, DISABLED 1, DRAINING 4; v0.1.0: NOT_SERVING 1 */
	static const char *const names[] = {
		"SERVING", "DISABLED", NULL, NULL, "DRAINING",
	};
	int v;

	if (!it || cJSON_IsNull(it))
		return MG_MULTIADMIN_SERVING;
	if (cJSON_IsString(it) && !strcmp(it->valuestring, "NOT_SERVING"))
		return MG_MULTIADMIN_DISABLED;
	v = enum_value(it, names, ARRAY_SIZE(names), -1);
	switch (v) {
	case 0: return MG_MULTIADMIN_SERVING;
	case 1: return MG_MULTIADMIN_DISABLED;
	case 4: return MG_MULTIADMIN_DRAINING;
	}
	return MG_MULTIADMIN_SERVING_OTHER;
}

/* Does a record's shard key match key? A NULL shard matches any. */
static bool
key_matches(const struct mg_multiadmin_shard *key, const char *db,
	    const char *tg, const char *shard)
{
	if (!key)
		return true;
	if (key->database && *key->database && strcmp(key->database, db))
		return false;
	if (key->tablegroup && *key->tablegroup && strcmp(key->tablegroup, tg))
		return false;
	if (shard && key->shard && *key->shard && strcmp(key->shard, shard))
		return false;
	return true;
}

static void
pooler_release(struct mg_multiadmin_pooler *p)
{
	free(p->cell);
	free(p->name);
	free(p->database);
	free(p->tablegroup);
	free(p->shard);
	free(p->hostname);
}

void
mg_multiadmin_poolers_release(struct mg_multiadmin_poolers *l)
{
	for (size_t i = 0; i < l->n; i++)
		pooler_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int
mg_multiadmin_parse_poolers(struct mg_multiadmin_poolers *out,
			    const char *json, size_t len,
			    const struct mg_multiadmin_shard *key,
			    struct mg_err *err)
{
	struct mg_multiadmin_poolers l = { NULL, 0 };
	size_t alloc = 0;
	const cJSON *arr, *it;
	cJSON *doc = NULL;
	int rc;

	rc = mg_json_parse(&doc, json, len, "multiadmin poolers", err);
	if (rc)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(doc, "poolers");
	if (!cJSON_IsObject(doc) || (arr && !cJSON_IsArray(arr) && !cJSON_IsNull(arr))) {
		cJSON_Delete(doc);
		return mg_err_set(err, MG_EPARSE,
				  "multiadmin poolers: the answer has no 'poolers' list");
	}
	mg_json_array_foreach(it, arr) {
		const cJSON *id = member(it, "id", NULL);
		const cJSON *sk = member(it, "shardKey", "shard_key");
		const cJSON *lc = member(it, "lifecycleStatus", "lifecycle_status");
		const cJSON *rs = member(it, "routingState", "routing_state");
		struct mg_multiadmin_pooler p;

		if (!cJSON_IsObject(it))
			continue;
		p.cell = dup_member(id, "cell", NULL);
		p.name = dup_member(id, "name", NULL);
		p.database = dup_member(sk, "database", NULL);
		p.tablegroup = dup_member(sk, "tableGroup", "table_group");
		p.shard = dup_member(sk, "shard", NULL);
		p.hostname = dup_member(it, "hostname", NULL);
		p.role = parse_role(it);
		p.lifecycle = (enum mg_multiadmin_lifecycle)enum_value(
			cJSON_GetObjectItemCaseSensitive(lc, "status"), lifecycle_names,
			ARRAY_SIZE(lifecycle_names), MG_MULTIADMIN_LC_UNKNOWN);
		p.serving = parse_serving(member(it, "servingStatus", "serving_status"));
		p.term = int64_value(member(mg_json_get(rs, "rule"), "coordinatorTerm",
					    "coordinator_term"));
		if (!key_matches(key, p.database, p.tablegroup, p.shard)) {
			pooler_release(&p);
			continue;
		}
		l.items = mg_xgrow(l.items, sizeof(*l.items), l.n + 1, &alloc);
		l.items[l.n++] = p;
	}
	cJSON_Delete(doc);
	mg_multiadmin_poolers_release(out);
	*out = l;
	return 0;
}

bool
mg_multiadmin_pooler_live(const struct mg_multiadmin_pooler *p)
{
	return p->lifecycle != MG_MULTIADMIN_LC_SHUTDOWN &&
	       p->lifecycle != MG_MULTIADMIN_LC_QUARANTINED;
}

bool
mg_multiadmin_pooler_is_pod(const struct mg_multiadmin_pooler *p,
			    const char *pod)
{
	size_t n = strlen(pod);

	if (!n)
		return false;
	if (!strcmp(p->name, pod) || !strcmp(p->hostname, pod))
		return true;
	return !strncmp(p->hostname, pod, n) && p->hostname[n] == '.';
}

const struct mg_multiadmin_pooler *
mg_multiadmin_primary(const struct mg_multiadmin_poolers *l, size_t *nprimaries)
{
	const struct mg_multiadmin_pooler *best = NULL;
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct mg_multiadmin_pooler *p = &l->items[i];

		if (p->role != MG_MULTIADMIN_ROLE_PRIMARY || !mg_multiadmin_pooler_live(p))
			continue;
		n++;
		if (!best || p->term > best->term)
			best = p;
	}
	if (nprimaries)
		*nprimaries = n;
	return best;
}

int
mg_multiadmin_poolers(struct mg_multiadmin *a,
		      const struct mg_multiadmin_shard *key,
		      struct mg_multiadmin_poolers *out, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT, resp;
	char what[256];
	int rc;

	snprintf(what, sizeof(what), "multiadmin poolers %s/%s/%s",
		 key->database ? key->database : "", key->tablegroup ? key->tablegroup : "",
		 key->shard ? key->shard : "");
	rc = check_key(key, false, what, err);
	if (rc)
		return rc;
	/* database only: with shard as well every cell fails (facts 4.2) */
	mg_buf_adds(&path, "/api/v1/poolers");
	add_query(&path, "database", key->database);
	mg_buf_init(&resp, MAX_BODY);
	rc = request(a, "GET", path.data, NULL, &resp, what, err);
	if (!rc)
		rc = mg_multiadmin_parse_poolers(out, resp.data, resp.len, key, err);
	mg_buf_release(&resp);
	mg_buf_release(&path);
	return rc;
}

/* --- backups ------------------------------------------------------------- */

static void
backup_release(struct mg_multiadmin_backup *b)
{
	free(b->id);
	free(b->database);
	free(b->tablegroup);
	free(b->shard);
	free(b->type);
	free(b->pooler);
}

void
mg_multiadmin_backups_release(struct mg_multiadmin_backups *l)
{
	for (size_t i = 0; i < l->n; i++)
		backup_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static bool
time_member(const cJSON *obj, const char *camel, const char *snake,
	    struct timespec *out)
{
	const cJSON *it = member(obj, camel, snake);

	return cJSON_IsString(it) && mg_time_parse_ts(it->valuestring, out, NULL) == 0;
}

int
mg_multiadmin_parse_backups(struct mg_multiadmin_backups *out,
			    const char *json, size_t len,
			    const struct mg_multiadmin_shard *key,
			    struct mg_err *err)
{
	static const char *const status_names[] = {
		"BACKUP_STATUS_UNKNOWN", "BACKUP_STATUS_INCOMPLETE",
		"BACKUP_STATUS_COMPLETE", "BACKUP_STATUS_FAILED",
	};
	struct mg_multiadmin_backups l = { NULL, 0 };
	size_t alloc = 0;
	const cJSON *arr, *it;
	cJSON *doc = NULL;
	int rc;

	rc = mg_json_parse(&doc, json, len, "multiadmin backups", err);
	if (rc)
		return rc;
	arr = cJSON_GetObjectItemCaseSensitive(doc, "backups");
	if (!cJSON_IsObject(doc) || (arr && !cJSON_IsArray(arr) && !cJSON_IsNull(arr))) {
		cJSON_Delete(doc);
		return mg_err_set(err, MG_EPARSE,
				  "multiadmin backups: the answer has no 'backups' list");
	}
	mg_json_array_foreach(it, arr) {
		struct mg_multiadmin_backup b;
		long long size;

		if (!cJSON_IsObject(it))
			continue;
		memset(&b, 0, sizeof(b));
		b.id = dup_member(it, "backupId", "backup_id");
		b.database = dup_member(it, "database", NULL);
		b.tablegroup = dup_member(it, "tableGroup", "table_group");
		b.shard = dup_member(it, "shard", NULL);
		b.type = dup_member(it, "type", NULL);
		b.pooler = dup_member(it, "multipoolerServiceId", "multipooler_service_id");
		b.status = (enum mg_multiadmin_backup_status)enum_value(
			member(it, "status", NULL), status_names, ARRAY_SIZE(status_names),
			MG_MULTIADMIN_BACKUP_UNKNOWN);
		b.has_start = time_member(it, "startTimestamp", "start_timestamp", &b.start);
		b.has_stop = time_member(it, "stopTimestamp", "stop_timestamp", &b.stop);
		size = int64_value(member(it, "backupSizeBytes", "backup_size_bytes"));
		b.size = size > 0 ? (unsigned long long)size : 0;
		/* an entry without a shard is kept: older answers leave it out */
		if (!key_matches(key, b.database, b.tablegroup, *b.shard ? b.shard : NULL)) {
			backup_release(&b);
			continue;
		}
		l.items = mg_xgrow(l.items, sizeof(*l.items), l.n + 1, &alloc);
		l.items[l.n++] = b;
	}
	cJSON_Delete(doc);
	mg_multiadmin_backups_release(out);
	*out = l;
	return 0;
}

int
mg_multiadmin_backups(struct mg_multiadmin *a,
		      const struct mg_multiadmin_shard *key, unsigned limit,
		      struct mg_multiadmin_backups *out, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT, resp;
	char what[256];
	int rc;

	snprintf(what, sizeof(what), "multiadmin backups %s/%s/%s",
		 key->database ? key->database : "", key->tablegroup ? key->tablegroup : "",
		 key->shard ? key->shard : "");
	rc = check_key(key, false, what, err);
	if (rc)
		return rc;
	mg_buf_adds(&path, "/api/v1/backups");
	add_query(&path, "database", key->database);
	add_query(&path, "table_group", key->tablegroup);
	if (limit) {
		char n[16];

		snprintf(n, sizeof(n), "%u", limit);
		add_query(&path, "limit", n);
	}
	mg_buf_init(&resp, MAX_BODY);
	rc = request(a, "GET", path.data, NULL, &resp, what, err);
	if (!rc)
		rc = mg_multiadmin_parse_backups(out, resp.data, resp.len, key, err);
	mg_buf_release(&resp);
	mg_buf_release(&path);
	return rc;
}

/* --- switch-primary ------------------------------------------------------ */

int
mg_multiadmin_switch_primary(struct mg_multiadmin *a,
			     const struct mg_multiadmin_shard *key,
			     const char *reason, struct mg_multiadmin_id *old_leader,
			     struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT;
	cJSON *body = cJSON_CreateObject(), *doc = NULL;
	const cJSON *id;
	char what[256], *text = NULL;
	int rc;

	if (old_leader)
		memset(old_leader, 0, sizeof(*old_leader));
	snprintf(what, sizeof(what), "multiadmin switch-primary %s/%s/%s",
		 key->database ? key->database : "", key->tablegroup ? key->tablegroup : "",
		 key->shard ? key->shard : "");
	rc = check_key(key, true, what, err);
	if (rc)
		goto out;
	mg_buf_adds(&path, "/api/v1/shards");
	add_segment(&path, key->database);
	add_segment(&path, key->tablegroup);
	add_segment(&path, key->shard);
	mg_buf_adds(&path, "/switch-primary");
	cJSON_AddStringToObject(body, "reason", reason ? reason : "");
	text = cJSON_PrintUnformatted(body);
	rc = json_request(a, "POST", path.data, text, &doc, what, err);
	if (rc)
		goto out;
	id = member(doc, "oldLeaderId", "old_leader_id");
	if (old_leader && cJSON_IsObject(id)) {
		const char *cell = mg_json_str(id, "cell"), *name = mg_json_str(id, "name");

		snprintf(old_leader->cell, sizeof(old_leader->cell), "%s", cell ? cell : "");
		snprintf(old_leader->name, sizeof(old_leader->name), "%s", name ? name : "");
	}
out:
	cJSON_Delete(doc);
	cJSON_Delete(body);
	cJSON_free(text);
	mg_buf_release(&path);
	return rc;
}
