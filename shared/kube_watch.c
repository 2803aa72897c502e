/*
 * Watches on a curl multi handle: list, then watch from the list's
 * resourceVersion, resume after a cut, relist on 410 and deliver only the
 * differences. Every watch remembers, per object uid, the last
 * resourceVersion it delivered, which is what makes "no event lost, none
 * seen twice" hold across reconnects and relists.
 */
#include "compat.h"
#include "kube.h"

#include <stdarg.h>

#include "backoff.h"
#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube_internal.h"
#include "log.h"
#include "strmap.h"
#include "timeutil.h"
#include "xalloc.h"

#define MAX_LINE (64u << 20)
#define PAGE "500"

struct known {
	char *uid;
	char *rv;
	cJSON *stub; /* what a DELETED found by a relist carries */
	bool seen;
	size_t idx;  /* its place in mg_watch.known */
};

enum wstate { W_IDLE, W_LISTING, W_WATCHING };

struct mg_watch {
	struct mg_kube_loop *loop;
	struct mg_watch *next;
	char *group, *version, *resource, *ns, *labels, *fields;
	struct mg_kube_res res;
	int timeout_s;
	mg_watch_fn fn;
	void *data;

	enum wstate state;
	bool next_is_list;    /* when IDLE: what to start at next_at */
	int64_t next_at;
	CURL *easy;
	struct curl_slist *hdrs;
	struct mg_buf body;   /* a list page, or the partial stream line */
	char *cont;
	char *rv;
	struct known **known;  /* in no order; removal swaps in the last */
	size_t nknown, aknown;
	struct mg_strmap by_uid; /* uid -> struct known */
	unsigned failures;
	bool gone;            /* the stream said 410: relist */
	bool stream_data;     /* the current stream delivered something */
	bool healthy;
	bool synced_once;
	bool reauth;          /* next request re-runs the exec plugin */
	char errbuf[CURL_ERROR_SIZE];
};

struct mg_kube_loop {
	struct mg_kube *k;
	CURLM *multi;
	struct mg_watch *watches;
};

const char *
mg_watch_event_name(enum mg_watch_event ev)
{
	static const char *const names[] = { "ADDED", "MODIFIED", "DELETED",
					     "BOOKMARK", "SYNCED", "ERROR" };

	return (unsigned)ev < ARRAY_SIZE(names) ? names[ev] : "?";
}

int
mg_kube_loop_new(struct mg_kube_loop **out, struct mg_kube *k,
		 struct mg_err *err)
{
	struct mg_kube_loop *l = mg_xcalloc(1, sizeof(*l));

	l->k = k;
	l->multi = curl_multi_init();
	if (!l->multi) {
		free(l);
		*out = NULL;
		return mg_err_set(err, MG_ETRANSPORT, "cannot initialise curl multi");
	}
	/* Many watches share one HTTP/2 connection where the server allows. */
	curl_multi_setopt(l->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	*out = l;
	return 0;
}

static void
known_clear(struct mg_watch *w)
{
	for (size_t i = 0; i < w->nknown; i++) {
		free(w->known[i]->uid);
		free(w->known[i]->rv);
		cJSON_Delete(w->known[i]->stub);
		free(w->known[i]);
	}
	free(w->known);
	mg_strmap_release(&w->by_uid);
	w->known = NULL;
	w->nknown = w->aknown = 0;
}

static void
end_request(struct mg_watch *w)
{
	if (w->easy) {
		curl_multi_remove_handle(w->loop->multi, w->easy);
		curl_easy_cleanup(w->easy);
		w->easy = NULL;
	}
	mg_kube_free_headers(w->hdrs);
	w->hdrs = NULL;
}

static void
watch_free(struct mg_watch *w)
{
	end_request(w);
	known_clear(w);
	mg_buf_release(&w->body);
	free(w->group);
	free(w->version);
	free(w->resource);
	free(w->ns);
	free(w->labels);
	free(w->fields);
	free(w->cont);
	free(w->rv);
	free(w);
}

void
mg_kube_loop_free(struct mg_kube_loop *l)
{
	struct mg_watch *w, *next;

	if (!l)
		return;
	for (w = l->watches; w; w = next) {
		next = w->next;
		watch_free(w);
	}
	curl_multi_cleanup(l->multi);
	free(l);
}

/* --- the known set ----------------------------------------------------- */

static struct known *
known_find(struct mg_watch *w, const char *uid)
{
	return mg_strmap_get(&w->by_uid, uid);
}

static cJSON *
make_stub(const cJSON *obj)
{
	static const char *const keep[] = { "name", "namespace", "uid",
					    "resourceVersion", "labels" };
	cJSON *stub = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(stub, "metadata");
	const cJSON *src = cJSON_GetObjectItem(obj, "metadata");

	if (mg_json_str(obj, "apiVersion"))
		cJSON_AddStringToObject(stub, "apiVersion", mg_json_str(obj, "apiVersion"));
	if (mg_json_str(obj, "kind"))
		cJSON_AddStringToObject(stub, "kind", mg_json_str(obj, "kind"));
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		const cJSON *v = cJSON_GetObjectItem(src, keep[i]);

		if (v)
			cJSON_AddItemToObject(md, keep[i], cJSON_Duplicate(v, true));
	}
	return stub;
}

/* Records obj; returns the event to deliver, or -1 when it is not news. */
static int
known_update(struct mg_watch *w, const cJSON *obj)
{
	const char *uid = mg_json_str(obj, "metadata.uid");
	const char *rv = mg_json_str(obj, "metadata.resourceVersion");
	struct known *kn;

	if (!uid || !rv)
		return -1;
	kn = known_find(w, uid);
	if (kn) {
		kn->seen = true;
		if (!strcmp(kn->rv, rv))
			return -1;
		free(kn->rv);
		kn->rv = mg_xstrdup(rv);
		cJSON_Delete(kn->stub);
		kn->stub = make_stub(obj);
		return MG_WATCH_MODIFIED;
	}
	kn = mg_xmalloc(sizeof(*kn));
	*kn = (struct known){ mg_xstrdup(uid), mg_xstrdup(rv), make_stub(obj),
			      true, w->nknown };
	w->known = mg_xgrow(w->known, sizeof(*w->known), w->nknown + 1, &w->aknown);
	w->known[w->nknown++] = kn;
	mg_strmap_put(&w->by_uid, uid, kn);
	return MG_WATCH_ADDED;
}

static bool
known_remove(struct mg_watch *w, const char *uid)
{
	struct known *kn = uid ? known_find(w, uid) : NULL;

	if (!kn)
		return false;
	mg_strmap_del(&w->by_uid, uid);
	w->known[kn->idx] = w->known[--w->nknown];
	w->known[kn->idx]->idx = kn->idx;
	free(kn->uid);
	free(kn->rv);
	cJSON_Delete(kn->stub);
	free(kn);
	return true;
}

static void
set_rv(struct mg_watch *w, const char *rv)
{
	if (rv && *rv) {
		free(w->rv);
		w->rv = mg_xstrdup(rv);
	}
}

static void
report_error(struct mg_watch *w, const char *fmt, ...) MG_PRINTF(2, 3);

static void
report_error(struct mg_watch *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	cJSON *o;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg_log(MG_LOG_WARN, "watch %s: %s", w->resource, msg);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "message", msg);
	w->fn(w->data, MG_WATCH_ERROR, o);
	cJSON_Delete(o);
}

/* --- requests ------------------------------------------------------------- */

static size_t on_list_data(char *p, size_t size, size_t n, void *data);
static size_t on_stream_data(char *p, size_t size, size_t n, void *data);

static void
retry_later(struct mg_watch *w, bool relist)
{
	const struct mg_kube_opts *o = mg_kube_opts(w->loop->k);
	const struct mg_backoff bo = { o->backoff_base_ms, o->backoff_cap_ms };

	end_request(w);
	w->state = W_IDLE;
	w->healthy = false;
	w->next_is_list = relist;
	w->next_at = mg_time_mono_ms() +
		     mg_backoff_delay_ms(&bo, w->failures++, mg_backoff_random());
}

static int
start(struct mg_watch *w, bool list)
{
	struct mg_kube *k = w->loop->k;
	struct mg_buf url = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;

	end_request(w);
	mg_buf_reset(&w->body);
	mg_buf_adds(&url, mg_kube_base(k));
	mg_kube_path(&url, &w->res, NULL, NULL);
	if (list) {
		mg_kube_add_query(&url, "limit", PAGE);
		mg_kube_add_query(&url, "continue", w->cont);
	} else {
		mg_kube_add_query(&url, "watch", "1");
		mg_kube_add_query(&url, "allowWatchBookmarks", "true");
		mg_kube_add_query(&url, "resourceVersion", w->rv);
		char num[32];

		snprintf(num, sizeof(num), "%d", w->timeout_s);
		mg_kube_add_query(&url, "timeoutSeconds", num);
	}
	mg_kube_add_query(&url, "labelSelector", w->labels);
	mg_kube_add_query(&url, "fieldSelector", w->fields);
	w->easy = curl_easy_init();
	mg_kube_setup_handle(k, w->easy);
	w->hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (mg_kube_apply_auth(k, w->easy, &w->hdrs, w->reauth, &err)) {
		report_error(w, "%s", err.msg);
		mg_buf_release(&url);
		retry_later(w, list);
		return -1;
	}
	w->reauth = false;
	curl_easy_setopt(w->easy, CURLOPT_HTTPHEADER, w->hdrs);
	curl_easy_setopt(w->easy, CURLOPT_URL, url.data);
	curl_easy_setopt(w->easy, CURLOPT_PRIVATE, w);
	curl_easy_setopt(w->easy, CURLOPT_ERRORBUFFER, w->errbuf);
	curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION,
			 list ? on_list_data : on_stream_data);
	curl_easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
	if (list && mg_kube_opts(k)->timeout_ms)
		curl_easy_setopt(w->easy, CURLOPT_TIMEOUT_MS, mg_kube_opts(k)->timeout_ms);
	w->errbuf[0] = '\0';
	w->state = list ? W_LISTING : W_WATCHING;
	w->stream_data = false;
	w->gone = false;
	mg_log(MG_LOG_DEBUG, "%s %s", list ? "LIST" : "WATCH", url.data);
	mg_buf_release(&url);
	mg_kube_count_request(k);
	curl_multi_add_handle(w->loop->multi, w->easy);
	return 0;
}

int
mg_kube_watch(struct mg_kube_loop *l, const struct mg_kube_res *res,
	      const struct mg_watch_opts *opts, mg_watch_fn fn, void *data,
	      struct mg_watch **out, struct mg_err *err)
{
	struct mg_watch *w = mg_xcalloc(1, sizeof(*w));

	(void)err;
	w->loop = l;
	w->group = mg_xstrdup(res->group ? res->group : "");
	w->version = mg_xstrdup(res->version);
	w->resource = mg_xstrdup(res->resource);
	w->ns = mg_xstrdup(res->ns ? res->ns : "");
	w->res = (struct mg_kube_res){ w->group, w->version, w->resource, w->ns };
	if (opts && opts->label_selector)
		w->labels = mg_xstrdup(opts->label_selector);
	if (opts && opts->field_selector)
		w->fields = mg_xstrdup(opts->field_selector);
	w->timeout_s = opts && opts->timeout_s ? opts->timeout_s : 300;
	w->fn = fn;
	w->data = data;
	mg_buf_init(&w->body, MAX_LINE);
	w->next = l->watches;
	l->watches = w;
	start(w, true);
	if (out)
		*out = w;
	return 0;
}

void
mg_watch_stop(struct mg_watch *w)
{
	struct mg_watch **p;

	if (!w)
		return;
	for (p = &w->loop->watches; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			break;
		}
	}
	watch_free(w);
}

bool
mg_watch_healthy(const struct mg_watch *w)
{
	return w->healthy;
}

/* --- the list phase --------------------------------------------------------- */

static size_t
on_list_data(char *p, size_t size, size_t n, void *data)
{
	struct mg_watch *w = data;

	return mg_buf_add(&w->body, p, size * n) ? 0 : size * n;
}

static void
list_page_done(struct mg_watch *w)
{
	cJSON *page = NULL, *it;
	const char *cont;

	if (mg_json_parse(&page, w->body.data, w->body.len, "list", NULL)) {
		report_error(w, "list of %s: the answer is not JSON", w->resource);
		retry_later(w, true);
		return;
	}
	if (!w->cont) /* first page: everything known is unseen so far */
		for (size_t i = 0; i < w->nknown; i++)
			w->known[i]->seen = false;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(page, "items")) {
		int ev = known_update(w, it);

		if (ev >= 0)
			w->fn(w->data, (enum mg_watch_event)ev, it);
	}
	cont = mg_json_str(page, "metadata.continue");
	free(w->cont);
	w->cont = cont && *cont ? mg_xstrdup(cont) : NULL;
	if (w->cont) {
		cJSON_Delete(page);
		start(w, true);
		return;
	}
	/* Whatever the list no longer has was deleted while we were away. */
	for (size_t i = 0; i < w->nknown;) {
		if (!w->known[i]->seen) {
			cJSON *stub = w->known[i]->stub;

			w->known[i]->stub = NULL;
			w->fn(w->data, MG_WATCH_DELETED, stub);
			cJSON_Delete(stub);
			known_remove(w, w->known[i]->uid);
			continue;
		}
		i++;
	}
	set_rv(w, mg_json_str(page, "metadata.resourceVersion"));
	cJSON_Delete(page);
	w->failures = 0;
	w->healthy = true;
	w->synced_once = true;
	w->fn(w->data, MG_WATCH_SYNCED, NULL);
	start(w, false);
}

/* --- the watch phase ---------------------------------------------------------- */

static void
handle_event(struct mg_watch *w, const char *line, size_t len)
{
	cJSON *ev = NULL;
	const cJSON *obj;
	const char *type;
	int out;

	if (mg_json_parse(&ev, line, len, "watch event", NULL)) {
		mg_log(MG_LOG_WARN, "watch %s: an event that is not JSON was skipped",
		       w->resource);
		return;
	}
	type = mg_json_str(ev, "type");
	obj = cJSON_GetObjectItem(ev, "object");
	if (!type || !obj) {
		cJSON_Delete(ev);
		return;
	}
	w->stream_data = true;
	if (!strcmp(type, "ERROR")) {
		long code = (long)mg_json_int(obj, "code", 0);

		if (code == 410)
			w->gone = true;
		else
			report_error(w, "watch of %s: %s", w->resource,
				     mg_json_str(obj, "message") ? mg_json_str(obj, "message") : "error event");
		cJSON_Delete(ev);
		return;
	}
	if (!strcmp(type, "BOOKMARK")) {
		set_rv(w, mg_json_str(obj, "metadata.resourceVersion"));
		w->fn(w->data, MG_WATCH_BOOKMARK, obj);
	} else if (!strcmp(type, "DELETED")) {
		set_rv(w, mg_json_str(obj, "metadata.resourceVersion"));
		if (known_remove(w, mg_json_str(obj, "metadata.uid")))
			w->fn(w->data, MG_WATCH_DELETED, obj);
	} else if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) {
		set_rv(w, mg_json_str(obj, "metadata.resourceVersion"));
		out = known_update(w, obj);
		if (out >= 0)
			w->fn(w->data, (enum mg_watch_event)out, obj);
	}
	cJSON_Delete(ev);
}

static size_t
on_stream_data(char *p, size_t size, size_t n, void *data)
{
	struct mg_watch *w = data;
	long code = 0;
	char *nl;

	curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &code);
	if (mg_buf_add(&w->body, p, size * n))
		return 0; /* a line past MAX_LINE: drop the stream */
	if (code != 200)
		return size * n; /* an error body: read at the end */
	while ((nl = memchr(w->body.data, '\n', w->body.len))) {
		size_t len = (size_t)(nl - w->body.data);

		if (len)
			handle_event(w, w->body.data, len);
		mg_buf_consume(&w->body, len + 1);
		if (w->gone)
			return 0; /* stop reading: relist */
	}
	return size * n;
}

static void
request_done(struct mg_watch *w, CURLcode cc)
{
	long code = 0;
	struct mg_err err = MG_ERR_INIT;
	bool list = w->state == W_LISTING;

	curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &code);
	if (!list && w->gone) {
		mg_log(MG_LOG_INFO, "watch %s: resourceVersion too old, relisting",
		       w->resource);
		free(w->cont);
		w->cont = NULL;
		start(w, true);
		return;
	}
	if (cc != CURLE_OK && code != 200 && code != 0) {
		/* fall through to the status handling below */
	} else if (cc != CURLE_OK) {
		if (!list && w->stream_data) {
			/* A stream that worked and then broke: resume now. */
			start(w, false);
			return;
		}
		if (w->healthy || w->failures == 0)
			report_error(w, "%s: %s", mg_kube_base(w->loop->k),
				     w->errbuf[0] ? w->errbuf : curl_easy_strerror(cc));
		retry_later(w, list ? true : !w->synced_once);
		return;
	}
	if (code == 200) {
		if (list) {
			list_page_done(w);
		} else {
			/* The server closed the stream (timeoutSeconds): go on. */
			w->failures = 0;
			start(w, false);
		}
		return;
	}
	if (code == 410) {
		free(w->cont);
		w->cont = NULL;
		start(w, true);
		return;
	}
	if (code == 401 && !w->reauth) {
		w->reauth = true;
		start(w, list);
		return;
	}
	mg_kube_status_err(code, w->body.data, w->body.len, &err);
	report_error(w, "%s of %s: %s", list ? "list" : "watch", w->resource, err.msg);
	retry_later(w, list);
}

int
mg_kube_loop_run(struct mg_kube_loop *l, int timeout_ms,
		 struct curl_waitfd *extra, unsigned nextra, struct mg_err *err)
{
	struct mg_watch *w, *next;
	CURLMsg *msg;
	int64_t now = mg_time_mono_ms();
	int running, left, numfds;
	long wait = timeout_ms;

	for (w = l->watches; w; w = w->next)
		if (w->state == W_IDLE && w->next_at - now < wait)
			wait = w->next_at - now > 0 ? (long)(w->next_at - now) : 0;
	if (curl_multi_poll(l->multi, extra, nextra, (int)wait, &numfds) != CURLM_OK)
		return mg_err_set(err, MG_ETRANSPORT, "curl_multi_poll failed");
	if (curl_multi_perform(l->multi, &running) != CURLM_OK)
		return mg_err_set(err, MG_ETRANSPORT, "curl_multi_perform failed");
	while ((msg = curl_multi_info_read(l->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		w = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&w);
		if (w)
			request_done(w, msg->data.result);
	}
	/* A stream resumed after a failure (without a relist) is healthy
	 * again once the server has answered 200, events or not. */
	for (w = l->watches; w; w = w->next) {
		long code = 0;

		if (w->state != W_WATCHING || w->healthy || !w->synced_once)
			continue;
		curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200) {
			w->healthy = true;
			w->failures = 0;
		}
	}
	now = mg_time_mono_ms();
	for (w = l->watches; w; w = next) {
		next = w->next;
		if (w->state == W_IDLE && w->next_at <= now)
			start(w, w->next_is_list);
	}
	return 0;
}

void
mg_kube_loop_wakeup(struct mg_kube_loop *l)
{
	curl_multi_wakeup(l->multi);
}
