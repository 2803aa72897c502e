/*
 * kube.h - the Kubernetes REST client, over libcurl.
 *
 * struct mg_kube is one connection's worth of state: the resolved
 * kubeconfig, credentials (static, token file re-read when it changes, or
 * an exec plugin's, cached until it expires and renewed on 401) and one
 * reused curl handle (HTTP/2 when the server offers it). It knows HTTP and
 * Kubernetes conventions and nothing of Multigres.
 *
 * Every non-2xx answer is parsed as a Kubernetes Status and lands in
 * struct mg_err: code (MG_ENOTFOUND 404, MG_ECONFLICT 409, MG_EAUTH
 * 401/403, MG_EGONE 410, MG_EINVAL 400/422, MG_ETIMEOUT 504, else MG_EAPI),
 * http_status, reason and the server's message. Transport failures are
 * MG_ETRANSPORT with curl's explanation.
 *
 * Retries: 429 (honouring Retry-After) for every verb, since the server did
 * not act; 5xx and transport errors for idempotent verbs only (GET, HEAD,
 * PUT, DELETE), with capped exponential backoff and jitter.
 *
 * The library never prints: requests are logged at debug level through
 * mg_log, without headers (credentials never reach the log).
 *
 * Watches run on struct mg_kube_loop, a curl multi handle, so that many can
 * stay open at once without blocking each other or an event loop.
 */
#ifndef MG_KUBE_H
#define MG_KUBE_H

#include <cJSON.h>
#include <curl/curl.h>

#include "compat.h"

struct mg_buf;
struct mg_err;
struct mg_kubeconfig;

struct mg_kube;

struct mg_kube_opts {
	long connect_timeout_ms; /* 0: curl's default */
	long timeout_ms;         /* per request, 0: none (not for watches) */
	unsigned retries;        /* extra attempts after the first */
	long backoff_base_ms;
	long backoff_cap_ms;
};

#define MG_KUBE_OPTS_INIT { 10000, 30000, 4, 200, 30000 }

/*
 * A new client for kc, which must outlive it. Errors: MG_ETRANSPORT if
 * curl cannot be set up, MG_EINVAL for an unusable server URL.
 */
int mg_kube_new(struct mg_kube **out, const struct mg_kubeconfig *kc,
		const struct mg_kube_opts *opts, struct mg_err *err);
void mg_kube_free(struct mg_kube *k);

/* The namespace the kubeconfig chose (-n, the context's, or "default"). */
const char *mg_kube_namespace(const struct mg_kube *k);
/* Requests sent so far (every attempt counts): for benchmarks. */
unsigned long mg_kube_requests(const struct mg_kube *k);

/* A resource: group "" is the core group (/api/v1). ns NULL or "" means
 * cluster-scoped, or all namespaces for lists and watches. */
struct mg_kube_res {
	const char *group;
	const char *version;
	const char *resource; /* plural, e.g. "pods" */
	const char *ns;
};

/* Appends the path of res (and name, subresource when not NULL). */
void mg_kube_path(struct mg_buf *out, const struct mg_kube_res *res,
		  const char *name, const char *sub);

/*
 * One request with retries. `path` is absolute ("/api/v1/pods?limit=1");
 * body may be NULL. The answer body goes to out (if not NULL) and the
 * status to *status (if not NULL), also on errors. Returns 0 for 2xx.
 */
int mg_kube_request(struct mg_kube *k, const char *method, const char *path,
		    const char *content_type, const char *body,
		    struct mg_buf *out, long *status, struct mg_err *err);

/* Fills err from a non-2xx answer (a Status, or anything else). */
int mg_kube_status_err(long http_status, const char *body, size_t len,
		       struct mg_err *err);

int mg_kube_get(struct mg_kube *k, const struct mg_kube_res *res,
		const char *name, const char *sub, cJSON **out,
		struct mg_err *err);

struct mg_list_opts {
	const char *label_selector;
	const char *field_selector;
	long limit;              /* page size; 0: 500 */
};

/*
 * Lists every page (following `continue`) into one List object: *out has
 * the last page's metadata (its resourceVersion is the list's) and all
 * items. An expired continue token is MG_EGONE.
 */
int mg_kube_list(struct mg_kube *k, const struct mg_kube_res *res,
		 const struct mg_list_opts *opts, cJSON **out,
		 struct mg_err *err);

int mg_kube_create(struct mg_kube *k, const struct mg_kube_res *res,
		   const cJSON *obj, cJSON **out, struct mg_err *err);

/* PUT of obj (named by its metadata.name); a stale metadata.resourceVersion
 * is MG_ECONFLICT. sub: NULL, "status" or "scale". */
int mg_kube_update(struct mg_kube *k, const struct mg_kube_res *res,
		   const cJSON *obj, const char *sub, cJSON **out,
		   struct mg_err *err);

enum mg_patch_type {
	MG_PATCH_MERGE,     /* application/merge-patch+json */
	MG_PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
	MG_PATCH_JSON,      /* application/json-patch+json */
	MG_PATCH_APPLY,     /* server-side apply */
};

struct mg_patch_opts {
	enum mg_patch_type type;
	const char *field_manager; /* required for apply */
	bool force;                /* apply: take fields from other managers */
	const char *sub;           /* NULL, "status", "scale" */
	bool dry_run;              /* dryRun=All: validated, not stored */
};

int mg_kube_patch(struct mg_kube *k, const struct mg_kube_res *res,
		  const char *name, const struct mg_patch_opts *opts,
		  const char *patch, cJSON **out, struct mg_err *err);

struct mg_delete_opts {
	const char *propagation;      /* NULL, Foreground, Background, Orphan */
	const char *uid;              /* precondition, or NULL */
	const char *resource_version; /* precondition, or NULL */
	bool dry_run;
};

/* *out (may be NULL) gets what the server answered: the object, or a Status. */
int mg_kube_delete(struct mg_kube *k, const struct mg_kube_res *res,
		   const char *name, const struct mg_delete_opts *opts,
		   cJSON **out, struct mg_err *err);

/* GET /version. */
int mg_kube_version(struct mg_kube *k, cJSON **out, struct mg_err *err);

/* The group/versions the server serves, as an array of strings
 * ("v1", "apps/v1", "multigres.com/v1alpha1", ...). */
int mg_kube_discover(struct mg_kube *k, cJSON **out, struct mg_err *err);
/* True when the server serves group/version (discovery result). */
bool mg_kube_serves(const cJSON *discovery, const char *group_version);

/* --- watches -------------------------------------------------------- */

enum mg_watch_event {
	MG_WATCH_ADDED,
	MG_WATCH_MODIFIED,
	MG_WATCH_DELETED,
	MG_WATCH_BOOKMARK, /* obj has only metadata.resourceVersion */
	MG_WATCH_SYNCED,   /* a (re)list finished: the caller's view is whole */
	MG_WATCH_ERROR,    /* obj: {"message": ...}; the watch keeps trying */
};

const char *mg_watch_event_name(enum mg_watch_event ev);

/* obj is borrowed for the duration of the call. */
typedef void (*mg_watch_fn)(void *data, enum mg_watch_event ev,
			    const cJSON *obj);

struct mg_watch_opts {
	const char *label_selector;
	const char *field_selector;
	int timeout_s; /* server-side timeoutSeconds per stream; 0: 300 */
};

struct mg_kube_loop;
struct mg_watch;

int mg_kube_loop_new(struct mg_kube_loop **out, struct mg_kube *k,
		     struct mg_err *err);
/* Stops and frees every watch of the loop, then the loop. */
void mg_kube_loop_free(struct mg_kube_loop *l);

/*
 * Starts a watch: a paginated LIST whose items arrive as ADDED, then
 * SYNCED, then the WATCH stream from the list's resourceVersion with
 * bookmarks. A cut stream is resumed from the last resourceVersion seen; a
 * 410 Gone (or a restarted server that no longer knows it) relists and
 * delivers only the differences (ADDED, MODIFIED, DELETED), so the caller
 * neither loses nor sees twice an event. Failures are reported as
 * MG_WATCH_ERROR and retried with backoff, forever, until stopped.
 * res is copied. *out (may be NULL) is owned by the loop.
 */
int mg_kube_watch(struct mg_kube_loop *l, const struct mg_kube_res *res,
		  const struct mg_watch_opts *opts, mg_watch_fn fn, void *data,
		  struct mg_watch **out, struct mg_err *err);
void mg_watch_stop(struct mg_watch *w);
/* True while a stream is open and the last (re)list succeeded. */
bool mg_watch_healthy(const struct mg_watch *w);

/*
 * Runs the loop for at most timeout_ms: waits on the watches' sockets and
 * on `extra` file descriptors (curl_multi_poll's form; their revents are
 * set), handles what is ready and calls the watch callbacks. Returns 0, or
 * MG_ETRANSPORT if curl itself failed.
 */
int mg_kube_loop_run(struct mg_kube_loop *l, int timeout_ms,
		     struct curl_waitfd *extra, unsigned nextra,
		     struct mg_err *err);
/* Makes a mg_kube_loop_run that is waiting return at once (thread-safe). */
void mg_kube_loop_wakeup(struct mg_kube_loop *l);

#endif /* MG_KUBE_H */
