/*
 * multiadmin.h - a narrow client for multiadmin's REST API.
 *
 * multiadmin (one per cluster, Service "<cluster>-multiadmin", HTTP port
 * 18000) serves the Multigres data plane's admin API as JSON under
 * /api/v1/... (multigres-upstream-facts.md 4.2-4.3). We use three calls:
 * the poolers of a shard, the backups of a shard and switch-primary.
 *
 * One interface, two transports:
 *   - through the API server's service proxy, with the mg_kube client
 *     (credentials and TLS from the kubeconfig; works from a laptop):
 *     /api/v1/namespaces/<ns>/services/<cluster>-multiadmin:18000/proxy/...
 *   - at a base URL (--admin-url: a port-forward, in-cluster service DNS,
 *     or the test simulator), with a curl handle of its own.
 * Callers cannot tell them apart except by mg_multiadmin_where().
 *
 * Errors: multiadmin answers failures with a JSON google.rpc.Status
 * ({"code": <gRPC code>, "message": ...}; Connect-style string codes are
 * read too). It lands in struct mg_err with the server's message, the
 * gRPC code's name in err->reason (e.g. "FailedPrecondition") and the
 * HTTP status; the code maps NotFound to MG_ENOTFOUND, InvalidArgument and
 * FailedPrecondition to MG_EINVAL, AlreadyExists and Aborted to
 * MG_ECONFLICT, DeadlineExceeded to MG_ETIMEOUT, Unauthenticated and
 * PermissionDenied to MG_EAUTH, Unavailable to MG_ETRANSPORT, the rest to
 * MG_EAPI. A failure of the proxy itself (no endpoints, RBAC) keeps the
 * API server's Status as mg_kube reports it. Messages start with what was
 * asked: "multiadmin switch-primary postgres/default/0-inf: ...".
 *
 * Ownership: a client borrows the mg_kube it was made with (which must
 * outlive it) and owns everything else. Lists are caller-owned storage
 * filled by the calls and emptied with their _release.
 */
#ifndef MG_MULTIADMIN_H
#define MG_MULTIADMIN_H

#include "compat.h"

struct mg_buf;
struct mg_err;
struct mg_kube;

/* multiadmin's HTTP port (operator facts 16). */
#define MG_MULTIADMIN_HTTP_PORT 18000

struct mg_multiadmin;

struct mg_multiadmin_opts {
	long connect_timeout_ms; /* 0: curl's default */
	long timeout_ms;         /* per request; 0: none */
	/* https base URLs only: a PEM CA bundle to trust instead of the
	 * system store; NULL: the system store */
	const char *ca_file;
};

#define MG_MULTIADMIN_OPTS_INIT { 5000, 30000, NULL }

/*
 * The service-proxy prefix for cluster's multiadmin in namespace ns,
 * appended to out: "/api/v1/namespaces/<ns>/services/<cluster>-multiadmin:
 * 18000/proxy" (no trailing slash). MG_EINVAL when ns or cluster is empty
 * or the Service name would not be valid.
 */
int mg_multiadmin_proxy_path(struct mg_buf *out, const char *ns,
			     const char *cluster, struct mg_err *err);

/* A client through the API server's service proxy. k is borrowed. */
int mg_multiadmin_new_proxy(struct mg_multiadmin **out, struct mg_kube *k,
			    const char *ns, const char *cluster,
			    struct mg_err *err);

/*
 * A client at base_url ("http://127.0.0.1:18000", a trailing '/' is
 * fine). MG_EINVAL unless it is an http:// or https:// URL; opts may be
 * NULL (MG_MULTIADMIN_OPTS_INIT).
 */
int mg_multiadmin_new_url(struct mg_multiadmin **out, const char *base_url,
			  const struct mg_multiadmin_opts *opts,
			  struct mg_err *err);

void mg_multiadmin_free(struct mg_multiadmin *a);

/* Where the client goes, for messages: the base URL, or
 * "service <ns>/<cluster>-multiadmin:18000 through the API server". */
const char *mg_multiadmin_where(const struct mg_multiadmin *a);

/* A shard's identity in topology (borrowed strings). */
struct mg_multiadmin_shard {
	const char *database;
	const char *tablegroup;
	const char *shard;
};

/* routingState.role; a missing routing state is UNKNOWN. */
enum mg_multiadmin_role {
	MG_MULTIADMIN_ROLE_UNKNOWN,
	MG_MULTIADMIN_ROLE_PRIMARY,
	MG_MULTIADMIN_ROLE_REPLICA,
};

/* lifecycleStatus.status */
enum mg_multiadmin_lifecycle {
	MG_MULTIADMIN_LC_UNKNOWN,
	MG_MULTIADMIN_LC_STARTING,
	MG_MULTIADMIN_LC_ACTIVE,
	MG_MULTIADMIN_LC_STOPPING,
	MG_MULTIADMIN_LC_SHUTDOWN,
	MG_MULTIADMIN_LC_QUARANTINED,
};

/* servingStatus; a missing value is SERVING (the proto default). */
enum mg_multiadmin_serving {
	MG_MULTIADMIN_SERVING,
	MG_MULTIADMIN_DISABLED, /* also v0.1.0's NOT_SERVING */
	MG_MULTIADMIN_DRAINING,
	MG_MULTIADMIN_SERVING_OTHER,
};

/* One pooler record. Owned strings, never NULL ("" when absent). */
struct mg_multiadmin_pooler {
	char *cell;     /* id.cell */
	char *name;     /* id.name: the service id */
	char *database; /* shardKey */
	char *tablegroup;
	char *shard;
	char *hostname; /* the pod name or its FQDN */
	enum mg_multiadmin_role role;
	enum mg_multiadmin_lifecycle lifecycle;
	enum mg_multiadmin_serving serving;
	long long term; /* routingState.rule.coordinatorTerm; 0 when absent */
};

struct mg_multiadmin_poolers {
	struct mg_multiadmin_pooler *items;
	size_t n;
};

void mg_multiadmin_poolers_release(struct mg_multiadmin_poolers *l);

/*
 * The poolers of a shard: GET /api/v1/poolers?database=<db> (every cell),
 * then kept when the shard key matches (multiadmin cannot filter by shard
 * itself, facts 4.2). out is filled (previous content released) only on
 * success.
 */
int mg_multiadmin_poolers(struct mg_multiadmin *a,
			  const struct mg_multiadmin_shard *key,
			  struct mg_multiadmin_poolers *out,
			  struct mg_err *err);

/* The parsing half of the above, for tests: a GetPoolers answer, filtered
 * by key when it is not NULL. MG_EPARSE for a body that is not one. */
int mg_multiadmin_parse_poolers(struct mg_multiadmin_poolers *out,
				const char *json, size_t len,
				const struct mg_multiadmin_shard *key,
				struct mg_err *err);

/* Live: neither SHUTDOWN nor QUARANTINED (the operator's rule, facts 11.3). */
bool mg_multiadmin_pooler_live(const struct mg_multiadmin_pooler *p);

/*
 * Does the record belong to pod? As the operator matches them (facts
 * 11.3): id.name is the pod name, the hostname is the pod name, or the
 * hostname starts with "<pod>.".
 */
bool mg_multiadmin_pooler_is_pod(const struct mg_multiadmin_pooler *p,
				 const char *pod);

/*
 * The shard's primary: the live record with role PRIMARY and the highest
 * term (a switchover briefly shows two; the higher rule wins). NULL when
 * there is none. *nprimaries (may be NULL) gets how many live records
 * claim PRIMARY.
 */
const struct mg_multiadmin_pooler *
mg_multiadmin_primary(const struct mg_multiadmin_poolers *l,
		      size_t *nprimaries);

const char *mg_multiadmin_role_name(enum mg_multiadmin_role r);
const char *mg_multiadmin_lifecycle_name(enum mg_multiadmin_lifecycle lc);
const char *mg_multiadmin_serving_name(enum mg_multiadmin_serving s);

/* BackupInfo.status */
enum mg_multiadmin_backup_status {
	MG_MULTIADMIN_BACKUP_UNKNOWN,
	MG_MULTIADMIN_BACKUP_INCOMPLETE,
	MG_MULTIADMIN_BACKUP_COMPLETE,
	MG_MULTIADMIN_BACKUP_FAILED,
};

/* One backup. Owned strings, never NULL. */
struct mg_multiadmin_backup {
	char *id;       /* backupId, e.g. "20261121-194953F" */
	char *database;
	char *tablegroup;
	char *shard;
	char *type;     /* "full", "diff", "incr" */
	char *pooler;   /* multipoolerServiceId */
	enum mg_multiadmin_backup_status status;
	bool has_start, has_stop;
	struct timespec start, stop; /* startTimestamp, stopTimestamp */
	unsigned long long size;     /* backupSizeBytes */
};

struct mg_multiadmin_backups {
	struct mg_multiadmin_backup *items;
	size_t n;
};

void mg_multiadmin_backups_release(struct mg_multiadmin_backups *l);

/*
 * GET /api/v1/backups?database=&table_group=[&limit=] (limit 0: none).
 * multiadmin answers for the table group and ignores the shard; entries
 * of another shard are dropped here. Order as multiadmin gives it
 * (oldest first).
 */
int mg_multiadmin_backups(struct mg_multiadmin *a,
			  const struct mg_multiadmin_shard *key,
			  unsigned limit, struct mg_multiadmin_backups *out,
			  struct mg_err *err);

int mg_multiadmin_parse_backups(struct mg_multiadmin_backups *out,
				const char *json, size_t len,
				const struct mg_multiadmin_shard *key,
				struct mg_err *err);

/* A pooler id (cell and service id), as switch-primary names it. */
struct mg_multiadmin_id {
	char cell[64];
	char name[128];
};

/*
 * POST /api/v1/shards/<db>/<tg>/<shard>/switch-primary {"reason": ...}.
 * multiadmin asks the primary to resign and answers at once with its id
 * (old_leader, may be NULL); multiorch promotes a replica later, and the
 * caller cannot choose which (facts 4.2). reason may be NULL.
 */
int mg_multiadmin_switch_primary(struct mg_multiadmin *a,
				 const struct mg_multiadmin_shard *key,
				 const char *reason,
				 struct mg_multiadmin_id *old_leader,
				 struct mg_err *err);

/*
 * Fills err from a failed answer: `what` (e.g. "multiadmin poolers") is
 * put in front of the server's message. Returns the error code. Used by
 * both transports; public for tests.
 */
int mg_multiadmin_error(const char *what, long http_status, const char *body,
			size_t len, struct mg_err *err);

#endif /* MG_MULTIADMIN_H */
