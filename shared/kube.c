#include "compat.h"
#include "kube.h"

#include <errno.h>
#include <sys/stat.h>

#include "backoff.h"
#include "buf.h"
#include "cred.h"
#include "err.h"
#include "json.h"
#include "kube_internal.h"
#include "kubeconfig.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

#define MAX_BODY (512u << 20)  /* one answer */
#define USER_AGENT "kubectl-multigres/" MG_VERSION

struct mg_kube {
	const struct mg_kubeconfig *kc;
	struct mg_kube_opts opts;
	CURL *easy;
	char *base;                   /* scheme://host:port[/prefix] */
	struct curl_slist *connect_to; /* tls-server-name: dial the real host */
	struct mg_cred cred;          /* from the exec plugin */
	char *file_token;             /* from kc->token_file */
	struct stat file_token_st;
	unsigned long nreq;
};

/* --- set-up ------------------------------------------------------------ */

static int
parse_server(struct mg_kube *k, struct mg_err *err)
{
	const struct mg_kubeconfig *kc = k->kc;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = 0;

	if (!u || curl_url_set(u, CURLUPART_URL, kc->server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		rc = mg_err_set(err, MG_EINVAL, "kubeconfig %s: server '%s' is not a URL",
				kc->source, kc->server);
		goto out;
	}
	if (strcmp(scheme, "https") && strcmp(scheme, "http")) {
		rc = mg_err_set(err, MG_EINVAL,
				"kubeconfig %s: server '%s': scheme must be https or http",
				kc->source, kc->server);
		goto out;
	}
	{
		size_t n = strlen(path);

		while (n && path[n - 1] == '/')
			path[--n] = '\0';
	}
	if (kc->tls_server_name) {
		/* Speak to tls-server-name (SNI and certificate check) while
		 * dialling the real host. */
		char *c = mg_xasprintf("%s:%s:%s:%s", kc->tls_server_name, port,
				       host, port);

		k->connect_to = curl_slist_append(NULL, c);
		free(c);
		k->base = mg_xasprintf("%s://%s:%s%s", scheme, kc->tls_server_name,
				       port, path);
	} else {
		k->base = mg_xasprintf("%s://%s:%s%s", scheme, host, port, path);
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

int
mg_kube_new(struct mg_kube **out, const struct mg_kubeconfig *kc,
	    const struct mg_kube_opts *opts, struct mg_err *err)
{
	static const struct mg_kube_opts dflt = MG_KUBE_OPTS_INIT;
	static bool curl_ready;
	struct mg_kube *k = mg_xcalloc(1, sizeof(*k));
	int rc;

	*out = NULL;
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	k->kc = kc;
	k->opts = opts ? *opts : dflt;
	k->easy = curl_easy_init();
	if (!k->easy) {
		rc = mg_err_set(err, MG_ETRANSPORT, "cannot initialise libcurl");
		goto fail;
	}
	rc = parse_server(k, err);
	if (rc)
		goto fail;
	*out = k;
	return 0;
fail:
	mg_kube_free(k);
	return rc;
}

void
mg_kube_free(struct mg_kube *k)
{
	if (!k)
		return;
	curl_easy_cleanup(k->easy);
	curl_slist_free_all(k->connect_to);
	mg_cred_release(&k->cred);
	mg_free_secret(k->file_token);
	free(k->base);
	free(k);
}

const char *
mg_kube_namespace(const struct mg_kube *k)
{
	return k->kc->ns;
}

unsigned long
mg_kube_requests(const struct mg_kube *k)
{
	return k->nreq;
}

static void
set_blob(CURL *h, CURLoption opt, const struct mg_blob *b)
{
	struct curl_blob blob = { b->data, b->len, CURL_BLOB_COPY };

	curl_easy_setopt(h, opt, &blob);
}

/* Connection and TLS options shared by every handle. */
static void
setup_handle(struct mg_kube *k, CURL *h)
{
	const struct mg_kubeconfig *kc = k->kc;

	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	if (k->opts.connect_timeout_ms)
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
				 k->opts.connect_timeout_ms);
	if (!kc->disable_compression)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (kc->ca.len)
		set_blob(h, CURLOPT_CAINFO_BLOB, &kc->ca);
	if (kc->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (kc->client_cert.len) {
		set_blob(h, CURLOPT_SSLCERT_BLOB, &kc->client_cert);
		set_blob(h, CURLOPT_SSLKEY_BLOB, &kc->client_key);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (k->connect_to)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, k->connect_to);
	if (kc->proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, kc->proxy_url);
}

/* --- credentials --------------------------------------------------------- */

/* The token file, re-read whenever it changed (rotated service-account
 * tokens). */
static const char *
file_token(struct mg_kube *k, struct mg_err *err)
{
	struct stat st;
	struct mg_buf b;

	if (stat(k->kc->token_file, &st) != 0) {
		mg_err_set(err, MG_EAUTH, "token file '%s': %s", k->kc->token_file,
			   strerror(errno));
		return NULL;
	}
	if (k->file_token && st.st_ino == k->file_token_st.st_ino &&
	    st.st_mtime == k->file_token_st.st_mtime &&
	    st.st_size == k->file_token_st.st_size)
		return k->file_token;
	mg_buf_init(&b, 1 << 20);
	if (mg_buf_read_file(&b, k->kc->token_file, err)) {
		mg_buf_release_secret(&b);
		mg_err_prefix(err, "token file");
		if (err) /* callers may pass no err */
			err->code = MG_EAUTH;
		return NULL;
	}
	mg_buf_rtrim(&b);
	mg_free_secret(k->file_token);
	k->file_token = mg_buf_detach(&b, NULL);
	k->file_token_st = st;
	mg_log(MG_LOG_DEBUG, "read token file '%s'", k->kc->token_file);
	return k->file_token;
}

/*
 * Puts the credentials on handle h: a bearer header into *hdrs, basic auth
 * or a client certificate on the handle. refresh: re-run the exec plugin
 * even if its credential has not expired (after a 401).
 */
static int
apply_auth(struct mg_kube *k, CURL *h, struct curl_slist **hdrs, bool refresh,
	   struct mg_err *err)
{
	const struct mg_kubeconfig *kc = k->kc;
	const char *token = kc->token;

	if (kc->exec) {
		if (refresh || !mg_cred_valid(&k->cred, time(NULL))) {
			mg_cred_release(&k->cred);
			mg_log(MG_LOG_DEBUG, "running exec plugin '%s'",
			       kc->exec->command);
			if (mg_cred_exec(&k->cred, kc, err))
				return err ? err->code : MG_EAUTH;
		}
		if (k->cred.token)
			token = k->cred.token;
		if (k->cred.cert.len) {
			set_blob(h, CURLOPT_SSLCERT_BLOB, &k->cred.cert);
			set_blob(h, CURLOPT_SSLKEY_BLOB, &k->cred.key);
		}
	}
	if (!token && kc->token_file) {
		token = file_token(k, err);
		if (!token)
			return MG_EAUTH;
	}
	if (token) {
		char *header = mg_xasprintf("Authorization: Bearer %s", token);
		*hdrs = curl_slist_append(*hdrs, header);
		mg_free_secret(header);
	} else if (kc->username) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, kc->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
				 kc->password ? kc->password : "");
	}
	return 0;
}

/* Wipes the Authorization header's token before freeing the list. */
static void
free_headers(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		if (!strncmp(p->data, "Authorization:", 14))
			explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

/* --- errors ------------------------------------------------------------- */

static int
code_for(long status)
{
	switch (status) {
	case 400:
	case 422: return MG_EINVAL;
	case 401:
	case 403: return MG_EAUTH;
	case 404: return MG_ENOTFOUND;
	case 409: return MG_ECONFLICT;
	case 410: return MG_EGONE;
	case 504: return MG_ETIMEOUT;
	}
	return MG_EAPI;
}

int
mg_kube_status_err(long http_status, const char *body, size_t len,
		   struct mg_err *err)
{
	cJSON *doc = NULL;
	const char *msg = NULL, *reason = NULL;
	long code = http_status;
	int rc;

	if (len && mg_json_parse(&doc, body, len, "status", NULL) == 0 &&
	    mg_json_str(doc, "kind") && !strcmp(mg_json_str(doc, "kind"), "Status")) {
		msg = mg_json_str(doc, "message");
		reason = mg_json_str(doc, "reason");
		code = (long)mg_json_int(doc, "code", http_status);
	}
	if (msg && *msg) {
		rc = mg_err_set(err, code_for(code), "%s", msg);
	} else if (len) {
		/* Not a Status (a proxy, a load balancer): show its start,
		 * printable characters only. */
		char snip[160];
		size_t i;

		for (i = 0; i < len && i < sizeof(snip) - 1; i++)
			snip[i] = (body[i] >= 0x20 && body[i] < 0x7f) ? body[i] : ' ';
		snip[i] = '\0';
		rc = mg_err_set(err, code_for(code), "the server answered %ld: %s",
				http_status, snip);
	} else {
		rc = mg_err_set(err, code_for(code), "the server answered %ld with no body",
				http_status);
	}
	if (err) {
		err->http_status = http_status;
		snprintf(err->reason, sizeof(err->reason), "%s", reason ? reason : "");
	}
	cJSON_Delete(doc);
	return rc;
}

/* --- synchronous requests ------------------------------------------------- */

static size_t
collect(char *p, size_t size, size_t n, void *data)
{
	return mg_buf_add(data, p, size * n) ? 0 : size * n;
}

static bool
idempotent(const char *method)
{
	return !strcmp(method, "GET") || !strcmp(method, "HEAD") ||
	       !strcmp(method, "PUT") || !strcmp(method, "DELETE");
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long
retry_after(CURL *h, long cap)
{
	struct curl_header *hd;

	if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
		return -1;
	return mg_backoff_retry_after_ms(hd->value, cap);
}

int
mg_kube_request(struct mg_kube *k, const char *method, const char *path,
		const char *content_type, const char *body, struct mg_buf *out,
		long *status, struct mg_err *err)
{
	const struct mg_backoff bo = { k->opts.backoff_base_ms, k->opts.backoff_cap_ms };
	struct mg_buf resp;
	char *url = mg_xasprintf("%s%s", k->base, path);
	char errbuf[CURL_ERROR_SIZE];
	bool refreshed = false, safe = idempotent(method);
	unsigned attempt = 0;
	long code = 0;
	int rc = 0;

	mg_buf_init(&resp, MAX_BODY);
	for (;;) {
		struct curl_slist *hdrs = NULL;
		CURLcode cc;
		int64_t t0 = mg_time_mono_ms();
		long wait;

		mg_buf_reset(&resp);
		curl_easy_reset(k->easy);
		setup_handle(k, k->easy);
		errbuf[0] = '\0';
		curl_easy_setopt(k->easy, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(k->easy, CURLOPT_URL, url);
		curl_easy_setopt(k->easy, CURLOPT_CUSTOMREQUEST, method);
		if (!strcmp(method, "HEAD"))
			curl_easy_setopt(k->easy, CURLOPT_NOBODY, 1L);
		if (body) {
			curl_easy_setopt(k->easy, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(k->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		}
		if (k->opts.timeout_ms)
			curl_easy_setopt(k->easy, CURLOPT_TIMEOUT_MS, k->opts.timeout_ms);
		curl_easy_setopt(k->easy, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(k->easy, CURLOPT_WRITEDATA, &resp);
		hdrs = curl_slist_append(hdrs, "Accept: application/json");
		if (content_type) {
			char *ct = mg_xasprintf("Content-Type: %s", content_type);

			hdrs = curl_slist_append(hdrs, ct);
			free(ct);
		}
		rc = apply_auth(k, k->easy, &hdrs, false, err);
		if (rc) {
			free_headers(hdrs);
			goto out;
		}
		curl_easy_setopt(k->easy, CURLOPT_HTTPHEADER, hdrs);
		cc = curl_easy_perform(k->easy);
		k->nreq++;
		free_headers(hdrs);
		code = 0;
		curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &code);
		mg_log(MG_LOG_DEBUG, "%s %s -> %ld (%lld ms)%s%s", method, url, code,
		       (long long)(mg_time_mono_ms() - t0), cc ? ": " : "",
		       cc ? (errbuf[0] ? errbuf : curl_easy_strerror(cc)) : "");
		if (cc != CURLE_OK) {
			if (cc == CURLE_WRITE_ERROR && resp.len >= MAX_BODY - 65536) {
				rc = mg_err_set(err, MG_ETOOBIG, "%s %s: answer larger than %u bytes",
						method, path, MAX_BODY);
				goto out;
			}
			if (attempt < k->opts.retries &&
			    (safe || cc == CURLE_COULDNT_CONNECT)) {
				pause_ms(mg_backoff_delay_ms(&bo, attempt++, mg_backoff_random()));
				continue;
			}
			rc = mg_err_set(err, cc == CURLE_OPERATION_TIMEDOUT ? MG_ETIMEOUT : MG_ETRANSPORT,
					"%s %s: %s", method, k->base,
					errbuf[0] ? errbuf : curl_easy_strerror(cc));
			goto out;
		}
		if (code >= 200 && code < 300)
			break;
		if (code == 401 && k->kc->exec && !refreshed) {
			/* The cached credential was refused: run the plugin
			 * again, once. */
			refreshed = true;
			mg_cred_release(&k->cred);
			continue;
		}
		if (attempt < k->opts.retries &&
		    (code == 429 || (code >= 500 && code != 501 && safe))) {
			wait = retry_after(k->easy, 60000);
			if (wait < 0)
				wait = mg_backoff_delay_ms(&bo, attempt, mg_backoff_random());
			attempt++;
			mg_log(MG_LOG_DEBUG, "retrying in %ld ms", wait);
			pause_ms(wait);
			continue;
		}
		rc = mg_kube_status_err(code, resp.data, resp.len, err);
		break;
	}
out:
	if (status)
		*status = code;
	if (out)
		mg_buf_add(out, resp.data, resp.len);
	mg_buf_release(&resp);
	free(url);
	return rc;
}

/* --- typed verbs ------------------------------------------------------------ */

void
mg_kube_path(struct mg_buf *out, const struct mg_kube_res *res,
	     const char *name, const char *sub)
{
	if (!res->group || !*res->group)
		mg_buf_addf(out, "/api/%s", res->version);
	else
		mg_buf_addf(out, "/apis/%s/%s", res->group, res->version);
	if (res->ns && *res->ns)
		mg_buf_addf(out, "/namespaces/%s", res->ns);
	mg_buf_addf(out, "/%s", res->resource);
	if (name)
		mg_buf_addf(out, "/%s", name);
	if (sub)
		mg_buf_addf(out, "/%s", sub);
}

static void
add_query(struct mg_buf *b, const char *key, const char *value)
{
	char *esc;

	if (!value || !*value)
		return;
	esc = curl_easy_escape(NULL, value, 0);
	mg_buf_addf(b, "%c%s=%s", strchr(b->data, '?') ? '&' : '?', key, esc);
	curl_free(esc);
}

/* A request whose JSON answer goes to *out (when out is not NULL). */
static int
json_request(struct mg_kube *k, const char *method, const char *path,
	     const char *ctype, const char *body, cJSON **out,
	     struct mg_err *err)
{
	struct mg_buf resp = MG_BUF_INIT;
	int rc;

	if (out)
		*out = NULL;
	rc = mg_kube_request(k, method, path, ctype, body, &resp, NULL, err);
	if (!rc && out)
		rc = mg_json_parse(out, resp.data, resp.len, path, err);
	mg_buf_release(&resp);
	return rc;
}

int
mg_kube_get(struct mg_kube *k, const struct mg_kube_res *res, const char *name,
	    const char *sub, cJSON **out, struct mg_err *err)
{
	struct mg_buf p = MG_BUF_INIT;
	int rc;

	mg_kube_path(&p, res, name, sub);
	rc = json_request(k, "GET", p.data, NULL, NULL, out, err);
	mg_buf_release(&p);
	return rc;
}

int
mg_kube_list(struct mg_kube *k, const struct mg_kube_res *res,
	     const struct mg_list_opts *opts, cJSON **out, struct mg_err *err)
{
	cJSON *all = NULL, *page = NULL, *items;
	char *cont = NULL;
	int rc = 0;

	*out = NULL;
	do {
		struct mg_buf p = MG_BUF_INIT;
		char limit[32];
		const char *c;

		mg_kube_path(&p, res, NULL, NULL);
		snprintf(limit, sizeof(limit), "%ld",
			 opts && opts->limit ? opts->limit : 500L);
		add_query(&p, "limit", limit);
		if (opts) {
			add_query(&p, "labelSelector", opts->label_selector);
			add_query(&p, "fieldSelector", opts->field_selector);
		}
		add_query(&p, "continue", cont);
		rc = json_request(k, "GET", p.data, NULL, NULL, &page, err);
		mg_buf_release(&p);
		if (rc)
			goto out;
		free(cont);
		c = mg_json_str(page, "metadata.continue");
		cont = c && *c ? mg_xstrdup(c) : NULL;
		if (!all) {
			all = page;
		} else {
			cJSON *it, *dst = cJSON_GetObjectItem(all, "items");

			items = cJSON_DetachItemFromObject(page, "items");
			while (items && (it = cJSON_DetachItemViaPointer(items, items->child)))
				cJSON_AddItemToArray(dst, it);
			cJSON_Delete(items);
			cJSON_ReplaceItemInObject(all, "metadata",
						  cJSON_DetachItemFromObject(page, "metadata"));
			cJSON_Delete(page);
		}
		page = NULL;
	} while (cont);
	if (!cJSON_GetObjectItem(all, "items") ||
	    cJSON_IsNull(cJSON_GetObjectItem(all, "items")))
		cJSON_ReplaceItemInObject(all, "items", cJSON_CreateArray());
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(all, "metadata"), "continue");
	*out = all;
	all = NULL;
out:
	free(cont);
	cJSON_Delete(all);
	return rc;
}

static char *
print_obj(const cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);

	if (!s)
		MG_BUG("cJSON out of memory");
	return s;
}

int
mg_kube_create(struct mg_kube *k, const struct mg_kube_res *res,
	       const cJSON *obj, cJSON **out, struct mg_err *err)
{
	struct mg_buf p = MG_BUF_INIT;
	char *body = print_obj(obj);
	int rc;

	mg_kube_path(&p, res, NULL, NULL);
	rc = json_request(k, "POST", p.data, "application/json", body, out, err);
	mg_buf_release(&p);
	cJSON_free(body);
	return rc;
}

int
mg_kube_update(struct mg_kube *k, const struct mg_kube_res *res,
	       const cJSON *obj, const char *sub, cJSON **out,
	       struct mg_err *err)
{
	struct mg_buf p = MG_BUF_INIT;
	const char *name = mg_json_str(obj, "metadata.name");
	char *body;
	int rc;

	if (!name)
		return mg_err_set(err, MG_EINVAL, "update: object has no metadata.name");
	body = print_obj(obj);
	mg_kube_path(&p, res, name, sub);
	rc = json_request(k, "PUT", p.data, "application/json", body, out, err);
	mg_buf_release(&p);
	cJSON_free(body);
	return rc;
}

int
mg_kube_patch(struct mg_kube *k, const struct mg_kube_res *res,
	      const char *name, const struct mg_patch_opts *opts,
	      const char *patch, cJSON **out, struct mg_err *err)
{
	static const char *const types[] = {
		[MG_PATCH_MERGE] = "application/merge-patch+json",
		[MG_PATCH_STRATEGIC] = "application/strategic-merge-patch+json",
		[MG_PATCH_JSON] = "application/json-patch+json",
		[MG_PATCH_APPLY] = "application/apply-patch+yaml",
	};
	struct mg_buf p = MG_BUF_INIT;
	int rc;

	if (opts->type == MG_PATCH_APPLY && (!opts->field_manager || !*opts->field_manager))
		return mg_err_set(err, MG_EINVAL, "server-side apply needs a field manager");
	mg_kube_path(&p, res, name, opts->sub);
	add_query(&p, "fieldManager", opts->field_manager);
	if (opts->type == MG_PATCH_APPLY && opts->force)
		add_query(&p, "force", "true");
	if (opts->dry_run)
		add_query(&p, "dryRun", "All");
	rc = json_request(k, "PATCH", p.data, types[opts->type], patch, out, err);
	mg_buf_release(&p);
	return rc;
}

int
mg_kube_delete(struct mg_kube *k, const struct mg_kube_res *res,
	       const char *name, const struct mg_delete_opts *opts,
	       cJSON **out, struct mg_err *err)
{
	struct mg_buf p = MG_BUF_INIT;
	cJSON *del = cJSON_CreateObject();
	char *body;
	int rc;

	cJSON_AddStringToObject(del, "kind", "DeleteOptions");
	cJSON_AddStringToObject(del, "apiVersion", "v1");
	if (opts && opts->propagation)
		cJSON_AddStringToObject(del, "propagationPolicy", opts->propagation);
	if (opts && (opts->uid || opts->resource_version)) {
		cJSON *pre = cJSON_AddObjectToObject(del, "preconditions");

		if (opts->uid)
			cJSON_AddStringToObject(pre, "uid", opts->uid);
		if (opts->resource_version)
			cJSON_AddStringToObject(pre, "resourceVersion", opts->resource_version);
	}
	if (opts && opts->dry_run)
		cJSON_AddItemToObject(del, "dryRun",
				      cJSON_CreateStringArray((const char *const[]){ "All" }, 1));
	body = print_obj(del);
	mg_kube_path(&p, res, name, NULL);
	rc = json_request(k, "DELETE", p.data, "application/json", body, out, err);
	mg_buf_release(&p);
	cJSON_free(body);
	cJSON_Delete(del);
	return rc;
}

int
mg_kube_version(struct mg_kube *k, cJSON **out, struct mg_err *err)
{
	return json_request(k, "GET", "/version", NULL, NULL, out, err);
}

int
mg_kube_discover(struct mg_kube *k, cJSON **out, struct mg_err *err)
{
	cJSON *core = NULL, *groups = NULL, *list = cJSON_CreateArray(), *it, *v;
	int rc;

	*out = NULL;
	if ((rc = json_request(k, "GET", "/api", NULL, NULL, &core, err)) ||
	    (rc = json_request(k, "GET", "/apis", NULL, NULL, &groups, err)))
		goto out;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(core, "versions"))
		if (cJSON_IsString(it))
			cJSON_AddItemToArray(list, cJSON_CreateString(it->valuestring));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(groups, "groups"))
		cJSON_ArrayForEach(v, cJSON_GetObjectItem(it, "versions"))
			if (mg_json_str(v, "groupVersion"))
				cJSON_AddItemToArray(list,
					cJSON_CreateString(mg_json_str(v, "groupVersion")));
	*out = list;
	list = NULL;
out:
	cJSON_Delete(core);
	cJSON_Delete(groups);
	cJSON_Delete(list);
	return rc;
}

bool
mg_kube_serves(const cJSON *discovery, const char *group_version)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, discovery)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, group_version))
			return true;
	return false;
}

/* --- for kube_watch.c ------------------------------------------------------ */

void
mg_kube_setup_handle(struct mg_kube *k, CURL *h)
{
	setup_handle(k, h);
}

int
mg_kube_apply_auth(struct mg_kube *k, CURL *h, struct curl_slist **hdrs,
		   bool refresh, struct mg_err *err)
{
	return apply_auth(k, h, hdrs, refresh, err);
}

void
mg_kube_free_headers(struct curl_slist *h)
{
	free_headers(h);
}

const char *
mg_kube_base(const struct mg_kube *k)
{
	return k->base;
}

void
mg_kube_count_request(struct mg_kube *k)
{
	k->nreq++;
}

const struct mg_kube_opts *
mg_kube_opts(const struct mg_kube *k)
{
	return &k->opts;
}

void
mg_kube_add_query(struct mg_buf *b, const char *key, const char *value)
{
	add_query(b, key, value);
}
