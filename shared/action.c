#include "compat.h"
#include "action.h"

#include <errno.h>
#include <stdarg.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "labels.h"
#include "names.h"
#include "xalloc.h"

#define POLICY_AT_LEAST_2            "AT_LEAST_2"
#define POLICY_MULTI_CELL_AT_LEAST_2 "MULTI_CELL_AT_LEAST_2"
#define COND_ROLLING_UPDATE          "RollingUpdate"

/* How many names a reason lists before "and N more". */
#define MAX_NAMED 4

static const char *const check_names[] = {
	[MG_ACTION_POD_DRAINING] = "pod-draining",
	[MG_ACTION_POD_TERMINATING] = "pod-terminating",
	[MG_ACTION_OTHER_DRAINING] = "other-draining",
	[MG_ACTION_PRIMARY_DRAINING] = "primary-draining",
	[MG_ACTION_NO_TAKEOVER] = "no-takeover",
	[MG_ACTION_QUORUM] = "quorum",
	[MG_ACTION_UNKNOWN_POLICY] = "unknown-policy",
	[MG_ACTION_NO_PRIMARY] = "no-primary",
	[MG_ACTION_SWITCH_IN_PROGRESS] = "switch-in-progress",
	[MG_ACTION_NO_HEALTHY_REPLICA] = "no-healthy-replica",
	[MG_ACTION_DRAIN_IN_FLIGHT] = "drain-in-flight",
	[MG_ACTION_ROLLING_UPDATE] = "rolling-update",
	[MG_ACTION_TARGET_UNSUPPORTED] = "target-unsupported",
};

const char *
mg_action_check_name(enum mg_action_check check)
{
	if ((size_t)check < ARRAY_SIZE(check_names) && check_names[check])
		return check_names[check];
	return "unknown";
}

bool
mg_action_verdict_has(const struct mg_action_verdict *v,
		      enum mg_action_check check)
{
	for (size_t i = 0; i < v->nreasons; i++)
		if (v->reasons[i].check == check)
			return true;
	return false;
}

static void refuse(struct mg_action_verdict *v, enum mg_action_check check,
		   bool forceable, const char *fmt, ...) MG_PRINTF(4, 5);

static void
refuse(struct mg_action_verdict *v, enum mg_action_check check, bool forceable,
       const char *fmt, ...)
{
	struct mg_action_reason *r;
	va_list ap;

	if (v->nreasons >= ARRAY_SIZE(v->reasons))
		return;
	r = &v->reasons[v->nreasons++];
	r->check = check;
	r->forceable = forceable;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

static void
decide(struct mg_action_verdict *v, bool force)
{
	bool all_forceable = true;

	for (size_t i = 0; i < v->nreasons; i++)
		all_forceable = all_forceable && v->reasons[i].forceable;
	v->allowed = v->nreasons == 0 || (force && all_forceable);
	v->forced = v->allowed && v->nreasons > 0;
}

static void
verdict_text(const struct mg_action_verdict *v, struct mg_buf *out)
{
	if (v->allowed && !v->forced) {
		mg_buf_adds(out, "Allowed: every check passed\n");
		return;
	}
	mg_buf_adds(out, v->forced ? "Allowed only because it is forced, over:\n" : "Refused:\n");
	for (size_t i = 0; i < v->nreasons; i++)
		mg_buf_addf(out, "  - %s: %s%s\n", mg_action_check_name(v->reasons[i].check),
			    v->reasons[i].text,
			    v->forced || v->reasons[i].forceable ? "" : " (cannot be forced)");
	if (!v->allowed) {
		bool any = false;

		for (size_t i = 0; i < v->nreasons; i++)
			any = any || v->reasons[i].forceable;
		if (any)
			mg_buf_adds(out, "Force overrides only the reasons not marked \"cannot be forced\"\n");
	}
}

/* --- reading objects --------------------------------------------------------- */

/* A label or annotation (map is "labels" or "annotations"); NULL if absent. */
static const char *
meta_str(const cJSON *obj, const char *map, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "metadata"), map);
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(m, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const char *
str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static bool
condition_true(const cJSON *obj, const char *type, const char **message)
{
	const cJSON *c;

	mg_json_array_foreach(c, mg_json_get(obj, "status.conditions")) {
		const char *t = mg_json_str(c, "type"), *s = mg_json_str(c, "status");

		if (t && !strcmp(t, type)) {
			if (message)
				*message = mg_json_str(c, "message");
			return s && !strcmp(s, "True");
		}
	}
	return false;
}

/* What the plans need of one pool pod; borrowed from the JSON. */
struct pod_info {
	const cJSON *obj;
	const char *name, *uid, *rv;
	const char *cluster, *database, *tablegroup, *shard, *pool, *cell;
	const char *state_value, *requested_at, *deleted_at;
	enum mg_drain_state state;
	const char *role_value; /* NULL when podRoles does not name the pod */
	enum mg_drain_role role;
	bool ready, terminating, has_spec_hash, has_index;
	long index;
};

/* podRoles[name], or an entry "<name>.<...>" (facts 11.3). */
static const char *
pod_role(const cJSON *roles, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(roles, name);
	size_t n = strlen(name);

	if (cJSON_IsString(it))
		return it->valuestring;
	mg_json_array_foreach(it, roles)
		if (cJSON_IsString(it) && it->string && !strncmp(it->string, name, n) &&
		    it->string[n] == '.')
			return it->valuestring;
	return NULL;
}

static void
read_pod(const cJSON *obj, const cJSON *roles, struct pod_info *p)
{
	memset(p, 0, sizeof(*p));
	p->obj = obj;
	p->name = str_or(mg_json_str(obj, "metadata.name"), "");
	p->uid = str_or(mg_json_str(obj, "metadata.uid"), "");
	p->rv = mg_json_str(obj, "metadata.resourceVersion");
	p->cluster = meta_str(obj, "labels", MG_LABEL_CLUSTER);
	p->database = meta_str(obj, "labels", MG_LABEL_DATABASE);
	p->tablegroup = meta_str(obj, "labels", MG_LABEL_TABLEGROUP);
	p->shard = meta_str(obj, "labels", MG_LABEL_SHARD);
	p->pool = str_or(meta_str(obj, "labels", MG_LABEL_POOL), "");
	p->cell = str_or(meta_str(obj, "labels", MG_LABEL_CELL), "");
	p->state_value = meta_str(obj, "annotations", MG_ANNOT_DRAIN_STATE);
	p->state = mg_drain_state_parse(p->state_value);
	p->requested_at = meta_str(obj, "annotations", MG_ANNOT_DRAIN_REQUESTED_AT);
	p->has_spec_hash = meta_str(obj, "annotations", MG_ANNOT_SPEC_HASH) != NULL;
	p->deleted_at = mg_json_str(obj, "metadata.deletionTimestamp");
	p->terminating = mg_json_get(obj, "metadata.deletionTimestamp") != NULL &&
			 !cJSON_IsNull(mg_json_get(obj, "metadata.deletionTimestamp"));
	p->ready = condition_true(obj, "Ready", NULL);
	p->role_value = pod_role(roles, p->name);
	p->role = mg_drain_role_parse(p->role_value);
	p->has_index = mg_name_pod_index(p->name, &p->index);
}

/* Draining for the one-at-a-time rules: a drain state or a deletion. */
static bool
busy(const struct pod_info *p)
{
	return p->state != MG_DRAIN_NONE || p->terminating;
}

/* "state 'draining', requested at T" or "terminating since T". */
static void
busy_text(struct mg_buf *b, const struct pod_info *p)
{
	if (p->state != MG_DRAIN_NONE) {
		mg_buf_addf(b, "state '%s'", str_or(p->state_value, ""));
		if (p->requested_at && *p->requested_at)
			mg_buf_addf(b, ", requested at %s", p->requested_at);
	} else {
		mg_buf_addf(b, "terminating since %s", str_or(p->deleted_at, "?"));
	}
}

static bool
is_pool_pod(const struct pod_info *p)
{
	const char *c = meta_str(p->obj, "labels", MG_LABEL_APP_COMPONENT);

	return c && !strcmp(c, MG_COMPONENT_SHARD_POOL) && p->cluster && p->database &&
	       p->tablegroup && p->shard;
}

/* What the plans need of a Shard; borrowed. */
struct shard_info {
	const char *name, *ns, *cluster, *database, *tablegroup, *shard, *policy;
	const cJSON *pools, *roles;
	bool rolling;
	const char *rolling_msg;
};

static int
read_shard(const cJSON *obj, struct shard_info *s, struct mg_err *err)
{
	memset(s, 0, sizeof(*s));
	s->name = str_or(mg_json_str(obj, "metadata.name"), "");
	s->ns = str_or(mg_json_str(obj, "metadata.namespace"), "");
	s->cluster = meta_str(obj, "labels", MG_LABEL_CLUSTER);
	if (!mg_json_str(obj, "spec.databaseName") || !mg_json_str(obj, "spec.tableGroupName") ||
	    !mg_json_str(obj, "spec.shardName"))
		return mg_err_set(err, MG_EINVAL,
				  "Shard '%s': spec.databaseName, spec.tableGroupName and "
				  "spec.shardName are required", s->name);
	s->database = mg_json_str(obj, "spec.databaseName");
	s->tablegroup = mg_json_str(obj, "spec.tableGroupName");
	s->shard = mg_json_str(obj, "spec.shardName");
	s->policy = mg_json_str(obj, "spec.durabilityPolicy");
	if (!s->policy || !*s->policy)
		s->policy = POLICY_AT_LEAST_2;
	s->pools = mg_json_get(obj, "spec.pools");
	s->roles = mg_json_get(obj, "status.podRoles");
	s->rolling = condition_true(obj, COND_ROLLING_UPDATE, &s->rolling_msg);
	return 0;
}

static bool
pod_of_shard(const struct pod_info *p, const struct shard_info *s)
{
	return p->database && !strcmp(p->database, s->database) && p->tablegroup &&
	       !strcmp(p->tablegroup, s->tablegroup) && p->shard && !strcmp(p->shard, s->shard) &&
	       (!s->cluster || (p->cluster && !strcmp(p->cluster, s->cluster)));
}

static const cJSON *
pods_array(const cJSON *pods)
{
	if (cJSON_IsArray(pods))
		return pods;
	return cJSON_GetObjectItemCaseSensitive(pods, "items");
}

static int
cmp_pod(const void *a, const void *b)
{
	return strcmp(((const struct pod_info *)a)->name, ((const struct pod_info *)b)->name);
}

/*
 * The shard's pool pods, sorted by name; `target` (may be NULL) replaces
 * the list's entry of the same name. *out is malloc'd.
 */
static size_t
collect_pods(struct pod_info **out, const cJSON *pods, const cJSON *target,
	     const struct shard_info *s)
{
	struct pod_info *v = NULL, p;
	size_t n = 0, alloc = 0;
	const char *tname = target ? mg_json_str(target, "metadata.name") : NULL;
	const cJSON *it;

	if (target) {
		v = mg_xgrow(v, sizeof(*v), n + 1, &alloc);
		read_pod(target, s->roles, &v[n++]);
	}
	mg_json_array_foreach(it, pods_array(pods)) {
		read_pod(it, s->roles, &p);
		if (!*p.name || (tname && !strcmp(p.name, tname)) || !is_pool_pod(&p) ||
		    !pod_of_shard(&p, s))
			continue;
		v = mg_xgrow(v, sizeof(*v), n + 1, &alloc);
		v[n++] = p;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pod);
	*out = v;
	return n;
}

/* Appends "a, b, c and 2 more". */
static void
add_names(struct mg_buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && i < MAX_NAMED; i++)
		mg_buf_addf(b, "%s%s", i ? ", " : "", names[i]);
	if (n > MAX_NAMED)
		mg_buf_addf(b, " and %zu more", n - MAX_NAMED);
}

static bool
pool_spec(const struct shard_info *s, const char *pool, const char *cell,
	  long *replicas_per_cell)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(s->pools, pool), *c;
	bool in_cell = false;

	*replicas_per_cell = 1;
	if (!*pool || !cJSON_IsObject(ps))
		return false;
	*replicas_per_cell = (long)mg_json_int(ps, "replicasPerCell", 1);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ps, "cells")) == 0)
		return true; /* materialised later as every cell */
	mg_json_array_foreach(c, cJSON_GetObjectItemCaseSensitive(ps, "cells"))
		in_cell = in_cell || (cJSON_IsString(c) && !strcmp(c->valuestring, cell));
	return in_cell;
}

static const char *
role_text(const struct pod_info *p)
{
	return p->role_value ? p->role_value : "no role in status.podRoles";
}

/* A pooler that acknowledges writes after the drain (see action.h). */
static bool
remains(const struct pod_info *p)
{
	return p->ready && !busy(p) &&
	       (p->role == MG_DRAIN_ROLE_PRIMARY || p->role == MG_DRAIN_ROLE_REPLICA);
}

static char *
xstr(const char *s)
{
	return mg_xstrdup(s ? s : "");
}

/* --- shared helpers -------------------------------------------------------- */

void
mg_action_objects_release(struct mg_action_objects *o)
{
	cJSON_Delete(o->pod);
	cJSON_Delete(o->shard);
	cJSON_Delete(o->pods);
	o->pod = o->shard = o->pods = NULL;
}

int
mg_action_pod_shard(char **out, const cJSON *pod, struct mg_err *err)
{
	struct pod_info p;
	const cJSON *ref;
	const char *comp;

	*out = NULL;
	read_pod(pod, NULL, &p);
	comp = meta_str(pod, "labels", MG_LABEL_APP_COMPONENT);
	if (!comp || strcmp(comp, MG_COMPONENT_SHARD_POOL))
		return mg_err_set(err, MG_EINVAL,
				  "pod '%s' is not a Multigres pool pod: label %s is %s%s%s, want '%s'",
				  p.name, MG_LABEL_APP_COMPONENT, comp ? "'" : "",
				  comp ? comp : "absent", comp ? "'" : "", MG_COMPONENT_SHARD_POOL);
	if (!is_pool_pod(&p))
		return mg_err_set(err, MG_EINVAL,
				  "pod '%s' is not a Multigres pool pod: it lacks one of the labels "
				  "%s, %s, %s, %s", p.name, MG_LABEL_CLUSTER, MG_LABEL_DATABASE,
				  MG_LABEL_TABLEGROUP, MG_LABEL_SHARD);
	mg_json_array_foreach(ref, mg_json_get(pod, "metadata.ownerReferences")) {
		const char *kind = mg_json_str(ref, "kind"), *api = mg_json_str(ref, "apiVersion");
		const char *name = mg_json_str(ref, "name");

		if (kind && !strcmp(kind, "Shard") && api && !strncmp(api, "multigres.com/", 14) &&
		    name && *name) {
			*out = mg_xstrdup(name);
			return 0;
		}
	}
	{
		const struct mg_name_shard_key key = { p.cluster, p.database, p.tablegroup, p.shard };

		return mg_name_shard_cr(out, &key, err);
	}
}

int
mg_action_shard_selector(struct mg_buf *out, const cJSON *shard,
			 struct mg_err *err)
{
	struct shard_info s;
	int rc = read_shard(shard, &s, err);

	if (rc)
		return rc;
	if (!s.cluster)
		return mg_err_set(err, MG_EINVAL, "Shard '%s' has no %s label", s.name,
				  MG_LABEL_CLUSTER);
	mg_buf_addf(out, "%s=%s,%s=%s,%s=%s,%s=%s,%s=%s", MG_LABEL_APP_COMPONENT,
		    MG_COMPONENT_SHARD_POOL, MG_LABEL_CLUSTER, s.cluster, MG_LABEL_DATABASE,
		    s.database, MG_LABEL_TABLEGROUP, s.tablegroup, MG_LABEL_SHARD, s.shard);
	return 0;
}

int
mg_action_shard_key(struct mg_multiadmin_shard *key, const char **cluster,
		    const cJSON *shard, struct mg_err *err)
{
	struct shard_info s;
	int rc = read_shard(shard, &s, err);

	if (rc)
		return rc;
	key->database = s.database;
	key->tablegroup = s.tablegroup;
	key->shard = s.shard;
	if (cluster)
		*cluster = s.cluster;
	return 0;
}

static const struct mg_kube_res shards_res = { "multigres.com", "v1alpha1", "shards", NULL };
static const struct mg_kube_res pods_res = { "", "v1", "pods", NULL };

static int
load_pods(struct mg_kube *k, const char *ns, struct mg_action_objects *o,
	  struct mg_err *err)
{
	struct mg_kube_res res = pods_res;
	struct mg_buf sel = MG_BUF_INIT;
	struct mg_list_opts lo = { 0 };
	int rc;

	res.ns = ns;
	rc = mg_action_shard_selector(&sel, o->shard, err);
	if (!rc) {
		lo.label_selector = sel.data;
		rc = mg_kube_list(k, &res, &lo, &o->pods, err);
	}
	mg_buf_release(&sel);
	return rc;
}

int
mg_action_load_shard(struct mg_kube *k, const char *ns, const char *shard,
		     struct mg_action_objects *out, struct mg_err *err)
{
	struct mg_kube_res res = shards_res;
	int rc;

	memset(out, 0, sizeof(*out));
	res.ns = ns;
	rc = mg_kube_get(k, &res, shard, NULL, &out->shard, err);
	if (rc) {
		mg_err_prefix(err, "Shard '%s/%s'", ns, shard);
		goto out;
	}
	rc = load_pods(k, ns, out, err);
out:
	if (rc)
		mg_action_objects_release(out);
	return rc;
}

int
mg_action_load_pod(struct mg_kube *k, const char *ns, const char *pod,
		   struct mg_action_objects *out, struct mg_err *err)
{
	struct mg_kube_res pres = pods_res, sres = shards_res;
	char *shard = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	pres.ns = sres.ns = ns;
	rc = mg_kube_get(k, &pres, pod, NULL, &out->pod, err);
	if (rc) {
		mg_err_prefix(err, "pod '%s/%s'", ns, pod);
		goto out;
	}
	rc = mg_action_pod_shard(&shard, out->pod, err);
	if (rc)
		goto out;
	rc = mg_kube_get(k, &sres, shard, NULL, &out->shard, err);
	if (rc) {
		mg_err_prefix(err, "Shard '%s/%s' of pod '%s'", ns, shard, pod);
		goto out;
	}
	rc = load_pods(k, ns, out, err);
out:
	free(shard);
	if (rc)
		mg_action_objects_release(out);
	return rc;
}

/* --- drain plan -------------------------------------------------------------- */

static void
drain_plan_init(struct mg_action_drain_plan *p)
{
	memset(p, 0, sizeof(*p));
	mg_buf_init(&p->summary, 0);
}

void
mg_action_drain_plan_release(struct mg_action_drain_plan *p)
{
	free(p->ns);
	free(p->pod);
	free(p->uid);
	free(p->resource_version);
	free(p->shard);
	free(p->cluster);
	free(p->database);
	free(p->tablegroup);
	free(p->shard_name);
	free(p->pool);
	free(p->cell);
	free(p->patch);
	free(p->confirm);
	mg_buf_release(&p->summary);
	drain_plan_init(p);
}

static char *
drain_patch(const char *rv, const char *now)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
	cJSON *ann;
	char *text, *copy;

	cJSON_AddStringToObject(meta, "resourceVersion", rv);
	ann = cJSON_AddObjectToObject(meta, "annotations");
	cJSON_AddStringToObject(ann, MG_ANNOT_DRAIN_STATE, MG_DRAIN_VALUE_REQUESTED);
	cJSON_AddStringToObject(ann, MG_ANNOT_DRAIN_REQUESTED_AT, now);
	text = cJSON_PrintUnformatted(root);
	copy = mg_xstrdup(text);
	cJSON_free(text);
	cJSON_Delete(root);
	return copy;
}

/* The durability check: adds a reason when the remaining poolers fall
 * short; writes one summary line either way. */
static void
check_quorum(struct mg_action_drain_plan *plan, const struct shard_info *s,
	     const struct pod_info *pods, size_t n, const struct pod_info *target)
{
	const char **names = mg_xcalloc(n + 1, sizeof(*names));
	const char **cells = mg_xcalloc(n + 1, sizeof(*cells));
	size_t nrem = 0, ncells = 0;
	struct mg_buf list = MG_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		const struct pod_info *p = &pods[i];
		bool seen = false;

		if (p == target || !remains(p))
			continue;
		names[nrem++] = p->name;
		for (size_t j = 0; j < ncells; j++)
			seen = seen || !strcmp(cells[j], p->cell);
		if (!seen)
			cells[ncells++] = p->cell;
	}
	add_names(&list, names, nrem);
	if (!strcmp(s->policy, POLICY_AT_LEAST_2)) {
		mg_buf_addf(&plan->summary,
			    "After the drain %zu ready pooler%s remain%s (%s); %s needs at least 2: %s\n",
			    nrem, nrem == 1 ? "" : "s", nrem == 1 ? "s" : "",
			    nrem ? list.data : "none", s->policy, nrem >= 2 ? "met" : "NOT met");
		if (nrem < 2)
			refuse(&plan->verdict, MG_ACTION_QUORUM, true,
			       "after draining '%s' %zu ready pooler%s would remain (%s); "
			       "durability policy %s needs at least 2 to acknowledge writes",
			       target->name, nrem, nrem == 1 ? "" : "s", nrem ? list.data : "none",
			       s->policy);
	} else if (!strcmp(s->policy, POLICY_MULTI_CELL_AT_LEAST_2)) {
		struct mg_buf cl = MG_BUF_INIT;

		add_names(&cl, cells, ncells);
		mg_buf_addf(&plan->summary,
			    "After the drain %zu ready pooler%s remain%s in %zu cell%s (%s); %s needs 2 cells: %s\n",
			    nrem, nrem == 1 ? "" : "s", nrem == 1 ? "s" : "", ncells,
			    ncells == 1 ? "" : "s", ncells ? cl.data : "none", s->policy,
			    ncells >= 2 ? "met" : "NOT met");
		if (ncells < 2)
			refuse(&plan->verdict, MG_ACTION_QUORUM, true,
			       "after draining '%s' the ready poolers would span %zu cell%s (%s); "
			       "durability policy %s needs poolers in at least 2 cells",
			       target->name, ncells, ncells == 1 ? "" : "s",
			       ncells ? cl.data : "none", s->policy);
		mg_buf_release(&cl);
	} else {
		mg_buf_addf(&plan->summary, "Durability policy '%s' is not one this tool can check\n",
			    s->policy);
		refuse(&plan->verdict, MG_ACTION_UNKNOWN_POLICY, true,
		       "Shard '%s' has durability policy '%s'; only %s and %s can be checked",
		       s->name, s->policy, POLICY_AT_LEAST_2, POLICY_MULTI_CELL_AT_LEAST_2);
	}
	mg_buf_release(&list);
	free(names);
	free(cells);
}

/* The drain checks on the target and its shard. */
static void
drain_checks(struct mg_action_drain_plan *plan, const struct shard_info *s,
	     const struct pod_info *pods, size_t n, const struct pod_info *t)
{
	const struct pod_info *primary = NULL;
	const char **takeover = mg_xcalloc(n + 1, sizeof(*takeover));
	size_t nothers = 0, ntake = 0;
	struct mg_buf b = MG_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		const struct pod_info *p = &pods[i];

		if (p->role == MG_DRAIN_ROLE_PRIMARY && (!primary || primary == t))
			primary = p;
		if (p == t)
			continue;
		/* a draining primary has its own reason below */
		if (busy(p) && p->role != MG_DRAIN_ROLE_PRIMARY)
			nothers++;
		if (p->role == MG_DRAIN_ROLE_REPLICA && p->ready && !busy(p))
			takeover[ntake++] = p->name;
	}

	if (t->state != MG_DRAIN_NONE) {
		mg_buf_reset(&b);
		busy_text(&b, t);
		refuse(&plan->verdict, MG_ACTION_POD_DRAINING, false,
		       "pod '%s' is already draining (%s); requesting again would move its "
		       "state backwards", t->name, b.data);
	}
	if (t->terminating)
		refuse(&plan->verdict, MG_ACTION_POD_TERMINATING, false,
		       "pod '%s' is being deleted (since %s); the operator drains a deleted pod "
		       "on its own", t->name, str_or(t->deleted_at, "?"));
	if (nothers) {
		mg_buf_reset(&b);
		for (size_t i = 0, k = 0; i < n && k < MAX_NAMED; i++) {
			if (&pods[i] == t || !busy(&pods[i]) || pods[i].role == MG_DRAIN_ROLE_PRIMARY)
				continue;
			mg_buf_addf(&b, "%s'%s' (", k ? ", " : "", pods[i].name);
			busy_text(&b, &pods[i]);
			mg_buf_adds(&b, ")");
			k++;
		}
		if (nothers > MAX_NAMED)
			mg_buf_addf(&b, " and %zu more", nothers - MAX_NAMED);
		refuse(&plan->verdict, MG_ACTION_OTHER_DRAINING, true,
		       "another pod of shard %s/%s/%s is draining: %s; the operator drains one "
		       "pod at a time", s->database, s->tablegroup, s->shard, b.data);
	}
	if (t->role == MG_DRAIN_ROLE_PRIMARY) {
		if (!ntake)
			refuse(&plan->verdict, MG_ACTION_NO_TAKEOVER, true,
			       "pod '%s' is the PRIMARY and no other pod is a Ready REPLICA without "
			       "a drain: the shard would be left without a serving primary",
			       t->name);
	} else if (!primary) {
		refuse(&plan->verdict, MG_ACTION_NO_PRIMARY, true,
		       "status.podRoles of Shard '%s' names no PRIMARY (a failover may be under "
		       "way); draining now could leave the shard without one", s->name);
	} else if (busy(primary)) {
		mg_buf_reset(&b);
		busy_text(&b, primary);
		refuse(&plan->verdict, MG_ACTION_PRIMARY_DRAINING, true,
		       "the shard's PRIMARY '%s' is draining (%s); draining '%s' as well could "
		       "leave no replica to take over", primary->name, b.data, t->name);
	}
	check_quorum(plan, s, pods, n, t);

	/* the summary's role line for a primary */
	if (t->role == MG_DRAIN_ROLE_PRIMARY) {
		mg_buf_reset(&b);
		add_names(&b, takeover, ntake);
		mg_buf_addf(&plan->summary,
			    "The pod is the PRIMARY: once it stops, multiorch promotes a replica "
			    "(ready now: %s) and writes pause for the failover; a switchover "
			    "first avoids the pause\n", ntake ? b.data : "none");
	}
	mg_buf_release(&b);
	free(takeover);
}

int
mg_action_drain_plan(struct mg_action_drain_plan *out,
		     const struct mg_action_drain_input *in, struct mg_err *err)
{
	struct shard_info s;
	struct pod_info *pods = NULL, *t;
	char *shard_cr = NULL;
	long rpc;
	bool in_spec;
	size_t n, nready = 0;
	int rc;

	drain_plan_init(out);
	rc = mg_action_pod_shard(&shard_cr, in->pod, err);
	if (rc)
		goto out;
	rc = read_shard(in->shard, &s, err);
	if (rc)
		goto out;
	if (!mg_json_str(in->pod, "metadata.name") || !*mg_json_str(in->pod, "metadata.name")) {
		rc = mg_err_set(err, MG_EINVAL, "the pod to drain has no metadata.name");
		goto out;
	}
	n = collect_pods(&pods, in->pods, in->pod, &s);
	t = &pods[0];
	for (size_t i = 0; i < n; i++)
		if (!strcmp(pods[i].name, mg_json_str(in->pod, "metadata.name")))
			t = &pods[i];
	if (!pod_of_shard(t, &s)) {
		rc = mg_err_set(err, MG_EINVAL,
				"pod '%s' belongs to shard %s/%s/%s of cluster '%s', not to "
				"Shard '%s' (%s/%s/%s of cluster '%s')", t->name, t->database,
				t->tablegroup, t->shard, t->cluster, s.name, s.database,
				s.tablegroup, s.shard, str_or(s.cluster, "?"));
		goto out;
	}
	if (!t->rv || !*t->rv) {
		rc = mg_err_set(err, MG_EINVAL, "pod '%s' has no metadata.resourceVersion", t->name);
		goto out;
	}
	rc = mg_time_format(out->requested_at, in->now, err);
	if (rc)
		goto out;

	out->ns = xstr(mg_json_str(in->pod, "metadata.namespace"));
	if (!*out->ns) {
		free(out->ns);
		out->ns = xstr(s.ns);
	}
	out->pod = xstr(t->name);
	out->uid = xstr(t->uid);
	out->resource_version = xstr(t->rv);
	out->shard = xstr(s.name);
	out->cluster = xstr(t->cluster);
	out->database = xstr(s.database);
	out->tablegroup = xstr(s.tablegroup);
	out->shard_name = xstr(s.shard);
	out->pool = xstr(t->pool);
	out->cell = xstr(t->cell);
	out->role = t->role;
	out->patch = drain_patch(t->rv, out->requested_at);

	for (size_t i = 0; i < n; i++)
		nready += remains(&pods[i]);
	mg_buf_addf(&out->summary, "Pod %s/%s: %s, %s, pool '%s', cell '%s'", out->ns, t->name,
		    role_text(t), t->ready ? "Ready" : "not Ready", t->pool, t->cell);
	if (t->has_index)
		mg_buf_addf(&out->summary, ", index %ld", t->index);
	mg_buf_addf(&out->summary,
		    "\nShard %s (%s/%s/%s of cluster '%s'), durability policy %s: %zu pod%s, "
		    "%zu ready pooler%s\n", s.name, s.database, s.tablegroup, s.shard,
		    str_or(s.cluster, "?"), s.policy, n, n == 1 ? "" : "s", nready,
		    nready == 1 ? "" : "s");
	mg_buf_addf(&out->summary,
		    "Change: annotate the pod %s=%s and %s=%s (a merge patch, applied only "
		    "while its resourceVersion is still %s)\n", MG_ANNOT_DRAIN_STATE,
		    MG_DRAIN_VALUE_REQUESTED, MG_ANNOT_DRAIN_REQUESTED_AT, out->requested_at, t->rv);
	in_spec = pool_spec(&s, t->pool, t->cell, &rpc);
	mg_buf_adds(&out->summary,
		    "Then the operator moves it requested -> draining -> acknowledged -> "
		    "ready-for-deletion (forced after 5 minutes) and deletes it");
	if (!in_spec)
		mg_buf_addf(&out->summary, "; pool '%s' in cell '%s' is not in the Shard's spec, "
			    "so no pod replaces it\n", t->pool, t->cell);
	else if (t->has_index && t->index < rpc)
		mg_buf_addf(&out->summary, ", then creates it again (index %ld < replicasPerCell %ld)\n",
			    t->index, rpc);
	else if (t->has_index)
		mg_buf_addf(&out->summary, "; no pod replaces it (index %ld >= replicasPerCell %ld)\n",
			    t->index, rpc);
	else
		mg_buf_adds(&out->summary, "; its name has no index, so no pod replaces it\n");
	if (in_spec && t->has_index && t->index < rpc && t->has_spec_hash &&
	    t->state == MG_DRAIN_NONE && !t->terminating)
		mg_buf_addf(&out->summary,
			    "Note: the operator cancels a requested drain of a pod that is up to "
			    "date and within replicasPerCell (event DrainCancelled); unless %s is "
			    "stale, expect the drain to be cancelled rather than run\n",
			    MG_ANNOT_SPEC_HASH);
	drain_checks(out, &s, pods, n, t);
	decide(&out->verdict, in->force);
	out->confirm = mg_xasprintf("Drain pod %s/%s (%s of shard %s/%s/%s)%s?", out->ns, t->name,
				    t->role_value ? t->role_value : "no role", s.database,
				    s.tablegroup, s.shard,
				    out->verdict.forced ? ", overriding the refusals above" : "");
out:
	free(pods);
	free(shard_cr);
	return rc;
}

void
mg_action_drain_plan_text(const struct mg_action_drain_plan *p, struct mg_buf *out)
{
	mg_buf_add(out, p->summary.data, p->summary.len);
	if (p->patch)
		mg_buf_addf(out, "Patch: %s\n", p->patch);
	verdict_text(&p->verdict, out);
}

/* --- drain apply and wait ---------------------------------------------------- */

int
mg_action_drain_apply(struct mg_kube *k, const struct mg_action_drain_plan *p,
		      bool dry_run, cJSON **out, struct mg_err *err)
{
	struct mg_kube_res res = pods_res;
	struct mg_patch_opts po = { MG_PATCH_MERGE, NULL, false, NULL, dry_run };
	int rc;

	if (out)
		*out = NULL;
	if (!p->pod || !p->patch)
		return mg_err_set(err, MG_EINVAL, "drain: no plan");
	if (!p->verdict.allowed)
		return mg_err_set(err, MG_EINVAL, "drain of pod '%s' refused: %s%s", p->pod,
				  p->verdict.nreasons ? p->verdict.reasons[0].text : "not allowed",
				  p->verdict.nreasons > 1 ? " (and more)" : "");
	res.ns = p->ns;
	rc = mg_kube_patch(k, &res, p->pod, &po, p->patch, out, err);
	if (rc == MG_ECONFLICT)
		return mg_err_prefix(err, "pod '%s/%s' changed since the plan was made "
				     "(resourceVersion %s); nothing was written, plan again",
				     p->ns, p->pod, p->resource_version);
	if (rc)
		return mg_err_prefix(err, "drain of pod '%s/%s'", p->ns, p->pod);
	return 0;
}

const char *
mg_action_drain_outcome_name(enum mg_action_drain_outcome o)
{
	switch (o) {
	case MG_ACTION_DRAIN_READY: return "ready-for-deletion";
	case MG_ACTION_DRAIN_DELETED: return "deleted";
	case MG_ACTION_DRAIN_CANCELLED: return "cancelled";
	}
	return "?";
}

struct drain_wait {
	const struct mg_action_drain_plan *plan;
	const struct mg_action_drain_wait_opts *opts;
	int64_t t0;
	bool seen, done;
	enum mg_drain_state last;
	enum mg_action_drain_outcome outcome;
	char error[256];
};

static void
drain_event(void *data, enum mg_watch_event ev, const cJSON *obj)
{
	struct drain_wait *w = data;
	const char *name, *uid;
	struct pod_info p;

	if (w->done)
		return;
	switch (ev) {
	case MG_WATCH_ERROR:
		snprintf(w->error, sizeof(w->error), "%s",
			 str_or(mg_json_str(obj, "message"), "watch error"));
		return;
	case MG_WATCH_BOOKMARK:
		return;
	case MG_WATCH_SYNCED:
		if (!w->seen) { /* listed, and not there */
			w->outcome = MG_ACTION_DRAIN_DELETED;
			w->done = true;
		}
		return;
	case MG_WATCH_DELETED:
		name = mg_json_str(obj, "metadata.name");
		if (name && !strcmp(name, w->plan->pod)) {
			w->outcome = MG_ACTION_DRAIN_DELETED;
			w->done = true;
		}
		return;
	case MG_WATCH_ADDED:
	case MG_WATCH_MODIFIED:
		break;
	}
	name = mg_json_str(obj, "metadata.name");
	uid = mg_json_str(obj, "metadata.uid");
	if (!name || strcmp(name, w->plan->pod))
		return;
	if (uid && *w->plan->uid && strcmp(uid, w->plan->uid)) {
		/* the operator deleted it and created its successor */
		w->outcome = MG_ACTION_DRAIN_DELETED;
		w->done = true;
		return;
	}
	read_pod(obj, NULL, &p);
	if (!w->seen || p.state != w->last) {
		w->seen = true;
		w->last = p.state;
		if (w->opts->progress)
			w->opts->progress(w->opts->data, w->plan->pod, p.state,
					  mg_time_mono_ms() - w->t0);
	}
	if (p.state == MG_DRAIN_READY_FOR_DELETION && !w->opts->until_deleted) {
		w->outcome = MG_ACTION_DRAIN_READY;
		w->done = true;
	} else if (p.state == MG_DRAIN_NONE && !p.terminating) {
		w->outcome = MG_ACTION_DRAIN_CANCELLED;
		w->done = true;
	}
}

int
mg_action_drain_wait(struct mg_kube *k, const struct mg_action_drain_plan *p,
		     const struct mg_action_drain_wait_opts *opts,
		     enum mg_action_drain_outcome *outcome, struct mg_err *err)
{
	static const struct mg_action_drain_wait_opts dflt = { 0, false, NULL, NULL };
	struct mg_kube_res res = pods_res;
	struct mg_watch_opts wo = { NULL, NULL, 0 };
	struct mg_kube_loop *loop = NULL;
	struct drain_wait w;
	struct mg_buf sel = MG_BUF_INIT;
	long timeout;
	int64_t deadline;
	int rc;

	if (!opts)
		opts = &dflt;
	if (!p->pod)
		return mg_err_set(err, MG_EINVAL, "drain wait: no plan");
	timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 6 * 60 * 1000L;
	memset(&w, 0, sizeof(w));
	w.plan = p;
	w.opts = opts;
	w.t0 = mg_time_mono_ms();
	deadline = w.t0 + timeout;
	res.ns = p->ns;
	mg_buf_addf(&sel, "metadata.name=%s", p->pod);
	wo.field_selector = sel.data;
	rc = mg_kube_loop_new(&loop, k, err);
	if (rc)
		goto out;
	rc = mg_kube_watch(loop, &res, &wo, drain_event, &w, NULL, err);
	if (rc)
		goto out;
	while (!w.done) {
		int64_t left = deadline - mg_time_mono_ms();

		if (left <= 0) {
			rc = mg_err_set(err, MG_ETIMEOUT,
					"pod '%s/%s': drain %s%s%s after %.1f s%s%s", p->ns, p->pod,
					w.seen ? "still in state '" : "state never seen",
					w.seen ? mg_drain_state_name(w.last) : "",
					w.seen ? "'" : "", (double)timeout / 1000,
					w.error[0] ? "; last watch error: " : "", w.error);
			goto out;
		}
		rc = mg_kube_loop_run(loop, left < 500 ? (int)left : 500, NULL, 0, err);
		if (rc)
			goto out;
	}
	if (outcome)
		*outcome = w.outcome;
out:
	mg_kube_loop_free(loop);
	mg_buf_release(&sel);
	return rc;
}

/* --- switchover plan --------------------------------------------------------- */

static void
switchover_plan_init(struct mg_action_switchover_plan *p)
{
	memset(p, 0, sizeof(*p));
	mg_buf_init(&p->summary, 0);
}

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
mg_action_switchover_plan_release(struct mg_action_switchover_plan *p)
{
	free(p->ns);
	free(p->shard);
	free(p->cluster);
	free(p->database);
	free(p->tablegroup);
	free(p->shard_name);
	free(p->primary_pod);
	free_strv(p->candidates, p->ncandidates);
	free_strv(p->pods, p->npods);
	mg_buf_release(&p->summary);
	free(p->confirm);
	switchover_plan_init(p);
}

static const struct pod_info *
pod_for_pooler(const struct pod_info *pods, size_t n,
	       const struct mg_multiadmin_pooler *pl)
{
	for (size_t i = 0; i < n; i++)
		if (mg_multiadmin_pooler_is_pod(pl, pods[i].name))
			return &pods[i];
	return NULL;
}

static bool
in_list(const char *name, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i], name))
			return true;
	return false;
}

/* Why a replica pooler cannot be promoted, or NULL when it can. */
static const char *
replica_problem(const struct mg_multiadmin_pooler *pl, const struct pod_info *pod,
		char *buf, size_t len)
{
	if (!mg_multiadmin_pooler_live(pl) || pl->lifecycle != MG_MULTIADMIN_LC_ACTIVE)
		snprintf(buf, len, "lifecycle %s", mg_multiadmin_lifecycle_name(pl->lifecycle));
	else if (pl->serving != MG_MULTIADMIN_SERVING)
		snprintf(buf, len, "%s", mg_multiadmin_serving_name(pl->serving));
	else if (!pod)
		snprintf(buf, len, "no pod of the shard matches it");
	else if (pod->role == MG_DRAIN_ROLE_QUARANTINED)
		snprintf(buf, len, "QUARANTINED in status.podRoles");
	else if (pod->state != MG_DRAIN_NONE)
		snprintf(buf, len, "draining (state '%s')", str_or(pod->state_value, ""));
	else if (pod->terminating)
		snprintf(buf, len, "terminating");
	else if (!pod->ready)
		snprintf(buf, len, "pod not Ready");
	else
		return NULL;
	return buf;
}

int
mg_action_switchover_plan(struct mg_action_switchover_plan *out,
			  const struct mg_action_switchover_input *in,
			  struct mg_err *err)
{
	static const struct mg_multiadmin_poolers none = { NULL, 0 };
	const struct mg_multiadmin_poolers *pl = in->poolers ? in->poolers : &none;
	const struct mg_multiadmin_pooler *primary;
	struct shard_info s;
	struct pod_info *pods = NULL;
	struct mg_buf why = MG_BUF_INIT, b = MG_BUF_INIT;
	const char **drifted = NULL, **busy_pods = NULL;
	size_t n, nprim = 0, ndrift = 0, nbusy = 0, nwhy = 0;
	int rc;

	switchover_plan_init(out);
	rc = read_shard(in->shard, &s, err);
	if (rc)
		goto out;
	n = collect_pods(&pods, in->pods, NULL, &s);
	out->ns = xstr(s.ns);
	out->shard = xstr(s.name);
	out->cluster = xstr(s.cluster);
	out->database = xstr(s.database);
	out->tablegroup = xstr(s.tablegroup);
	out->shard_name = xstr(s.shard);
	out->pods = mg_xcalloc(n + 1, sizeof(*out->pods));
	for (size_t i = 0; i < n; i++)
		out->pods[out->npods++] = xstr(pods[i].name);
	out->candidates = mg_xcalloc(pl->n + 1, sizeof(*out->candidates));

	primary = mg_multiadmin_primary(pl, &nprim);
	if (primary) {
		const struct pod_info *pp = pod_for_pooler(pods, n, primary);

		out->has_primary = true;
		snprintf(out->primary.cell, sizeof(out->primary.cell), "%s", primary->cell);
		snprintf(out->primary.name, sizeof(out->primary.name), "%s", primary->name);
		out->primary_pod = xstr(pp ? pp->name : "");
		out->term = primary->term;
	} else {
		out->primary_pod = xstr("");
	}

	/* healthy replicas, and why the others are not */
	for (size_t i = 0; i < pl->n; i++) {
		const struct mg_multiadmin_pooler *r = &pl->items[i];
		const struct pod_info *pod;
		char buf[128];
		const char *problem;

		if (r->role == MG_MULTIADMIN_ROLE_PRIMARY || r->lifecycle == MG_MULTIADMIN_LC_SHUTDOWN)
			continue;
		pod = pod_for_pooler(pods, n, r);
		problem = replica_problem(r, pod, buf, sizeof(buf));
		if (!problem) {
			out->candidates[out->ncandidates++] = xstr(pod->name);
		} else if (nwhy++ < MAX_NAMED) {
			mg_buf_addf(&why, "%s%s (%s/%s): %s", nwhy > 1 ? "; " : "",
				    pod ? pod->name : r->hostname, r->cell, r->name, problem);
		}
	}
	if (nwhy > MAX_NAMED)
		mg_buf_addf(&why, "; and %zu more", nwhy - MAX_NAMED);

	busy_pods = mg_xcalloc(n + 1, sizeof(*busy_pods));
	drifted = mg_xcalloc(n + 1, sizeof(*drifted));
	for (size_t i = 0; i < n; i++) {
		if (busy(&pods[i]))
			busy_pods[nbusy++] = pods[i].name;
		if (!pods[i].terminating &&
		    (!pods[i].has_spec_hash || in_list(pods[i].name, in->drifted, in->ndrifted)))
			drifted[ndrift++] = pods[i].name;
	}

	/* the checks, most fundamental first */
	if (in->to && *in->to) {
		mg_buf_reset(&b);
		add_names(&b, (const char *const *)out->candidates, out->ncandidates);
		refuse(&out->verdict, MG_ACTION_TARGET_UNSUPPORTED, false,
		       "'%s' was asked for as the new primary, but multiadmin's switch-primary "
		       "cannot choose it: multiorch promotes the most advanced standby (healthy "
		       "replicas now: %s)", in->to, out->ncandidates ? b.data : "none");
	}
	if (!primary)
		refuse(&out->verdict, MG_ACTION_NO_PRIMARY, false,
		       "topology shows no live PRIMARY pooler for %s/%s/%s: there is nothing to "
		       "switch over", s.database, s.tablegroup, s.shard);
	else if (nprim > 1)
		refuse(&out->verdict, MG_ACTION_SWITCH_IN_PROGRESS, false,
		       "%zu poolers claim PRIMARY for %s/%s/%s: a switchover or failover is under "
		       "way", nprim, s.database, s.tablegroup, s.shard);
	else if (primary->serving == MG_MULTIADMIN_DRAINING)
		refuse(&out->verdict, MG_ACTION_SWITCH_IN_PROGRESS, false,
		       "the PRIMARY %s/%s is DRAINING: it is already resigning", primary->cell,
		       primary->name);
	if (!out->ncandidates)
		refuse(&out->verdict, MG_ACTION_NO_HEALTHY_REPLICA, false,
		       "no healthy replica to promote (Ready, REPLICA, SERVING, not draining, not "
		       "quarantined)%s%s", nwhy ? ": " : "", why.data);
	if (nbusy) {
		mg_buf_reset(&b);
		for (size_t i = 0, k = 0; i < n && k < MAX_NAMED; i++) {
			if (!busy(&pods[i]))
				continue;
			mg_buf_addf(&b, "%s'%s' (", k ? ", " : "", pods[i].name);
			busy_text(&b, &pods[i]);
			mg_buf_adds(&b, ")");
			k++;
		}
		if (nbusy > MAX_NAMED)
			mg_buf_addf(&b, " and %zu more", nbusy - MAX_NAMED);
		refuse(&out->verdict, MG_ACTION_DRAIN_IN_FLIGHT, true,
		       "a drain is in flight in the shard: %s", b.data);
	}
	if (s.rolling || ndrift) {
		mg_buf_reset(&b);
		if (s.rolling)
			mg_buf_addf(&b, "condition %s is True%s%s%s", COND_ROLLING_UPDATE,
				    s.rolling_msg ? " (" : "", str_or(s.rolling_msg, ""),
				    s.rolling_msg ? ")" : "");
		if (ndrift) {
			mg_buf_addf(&b, "%sdrifted pod%s: ", s.rolling ? "; " : "",
				    ndrift == 1 ? "" : "s");
			add_names(&b, drifted, ndrift);
		}
		refuse(&out->verdict, MG_ACTION_ROLLING_UPDATE, true,
		       "a rolling update is in flight: %s", b.data);
	}
	decide(&out->verdict, in->force);

	/* the summary */
	mg_buf_addf(&out->summary, "Shard %s (%s/%s/%s of cluster '%s') in namespace %s: %zu pod%s\n",
		    s.name, s.database, s.tablegroup, s.shard, str_or(s.cluster, "?"), s.ns, n,
		    n == 1 ? "" : "s");
	if (primary)
		mg_buf_addf(&out->summary, "Primary now: %s (pooler %s/%s, term %lld)\n",
			    *out->primary_pod ? out->primary_pod : primary->hostname,
			    primary->cell, primary->name, primary->term);
	else
		mg_buf_adds(&out->summary, "Primary now: none in topology\n");
	mg_buf_reset(&b);
	add_names(&b, (const char *const *)out->candidates, out->ncandidates);
	mg_buf_addf(&out->summary, "Healthy replicas: %s\n", out->ncandidates ? b.data : "none");
	mg_buf_addf(&out->summary,
		    "Change: multiadmin switch-primary %s/%s/%s: the primary resigns (writes "
		    "pause and the gateways buffer them), then multiorch promotes the most "
		    "advanced standby; which one cannot be chosen\n",
		    s.database, s.tablegroup, s.shard);
	mg_buf_adds(&out->summary, "Then: wait until topology shows another PRIMARY\n");
	out->confirm = mg_xasprintf("Switch over shard %s/%s/%s in namespace %s (primary now %s)%s?",
				    s.database, s.tablegroup, s.shard, s.ns,
				    primary ? (*out->primary_pod ? out->primary_pod : primary->name)
					    : "none",
				    out->verdict.forced ? ", overriding the refusals above" : "");
out:
	mg_buf_release(&why);
	mg_buf_release(&b);
	free(busy_pods);
	free(drifted);
	free(pods);
	return rc;
}

void
mg_action_switchover_plan_text(const struct mg_action_switchover_plan *p,
			       struct mg_buf *out)
{
	mg_buf_add(out, p->summary.data, p->summary.len);
	verdict_text(&p->verdict, out);
}

/* --- switchover apply ------------------------------------------------------- */

/* The pod a pooler runs in: a planned pod, else the hostname's first label. */
static void
pooler_pod(char *out, size_t len, const struct mg_action_switchover_plan *p,
	   const struct mg_multiadmin_pooler *pl)
{
	const char *dot;

	for (size_t i = 0; i < p->npods; i++)
		if (mg_multiadmin_pooler_is_pod(pl, p->pods[i])) {
			snprintf(out, len, "%s", p->pods[i]);
			return;
		}
	dot = strchr(pl->hostname, '.');
	snprintf(out, len, "%.*s", dot ? (int)(dot - pl->hostname) : (int)strlen(pl->hostname),
		 pl->hostname);
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
mg_action_switchover_apply(struct mg_multiadmin *a,
			   const struct mg_action_switchover_plan *p,
			   const struct mg_action_switchover_opts *opts,
			   struct mg_action_switchover_result *out,
			   struct mg_err *err)
{
	static const struct mg_action_switchover_opts dflt = { NULL, 0, 0, NULL, NULL };
	const struct mg_multiadmin_shard key = { p->database, p->tablegroup, p->shard_name };
	struct mg_multiadmin_poolers pl = { NULL, 0 };
	struct mg_multiadmin_id old;
	struct mg_err perr = MG_ERR_INIT;
	char status[640] = "", last[640] = "";
	long timeout, poll;
	int64_t t0, deadline;
	int rc;

	if (!opts)
		opts = &dflt;
	memset(out, 0, sizeof(*out));
	if (!p->database)
		return mg_err_set(err, MG_EINVAL, "switchover: no plan");
	if (!p->verdict.allowed)
		return mg_err_set(err, MG_EINVAL, "switchover of shard %s/%s/%s refused: %s%s",
				  p->database, p->tablegroup, p->shard_name,
				  p->verdict.nreasons ? p->verdict.reasons[0].text : "not allowed",
				  p->verdict.nreasons > 1 ? " (and more)" : "");
	timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 60000;
	poll = opts->poll_ms > 0 ? opts->poll_ms : 250;
	t0 = mg_time_mono_ms();
	rc = mg_multiadmin_switch_primary(a, &key,
					  opts->reason ? opts->reason : "planned switchover (kubectl-multigres)",
					  &old, err);
	if (rc)
		return rc;
	if (!old.name[0])
		old = p->primary; /* an answer without the id: the planned one */
	out->old_primary = old;
	snprintf(out->old_pod, sizeof(out->old_pod), "%s", p->primary_pod ? p->primary_pod : "");
	deadline = t0 + timeout;
	for (;;) {
		const struct mg_multiadmin_pooler *now;

		if (mg_multiadmin_poolers(a, &key, &pl, &perr) == 0) {
			size_t nprim;

			now = mg_multiadmin_primary(&pl, &nprim);
			for (size_t i = 0; i < pl.n; i++)
				if (!strcmp(pl.items[i].cell, old.cell) && !strcmp(pl.items[i].name, old.name))
					pooler_pod(out->old_pod, sizeof(out->old_pod), p, &pl.items[i]);
			if (now && (strcmp(now->cell, old.cell) || strcmp(now->name, old.name)) &&
			    now->serving == MG_MULTIADMIN_SERVING) {
				out->new_primary = (struct mg_multiadmin_id){ "", "" };
				snprintf(out->new_primary.cell, sizeof(out->new_primary.cell), "%s", now->cell);
				snprintf(out->new_primary.name, sizeof(out->new_primary.name), "%s", now->name);
				pooler_pod(out->new_pod, sizeof(out->new_pod), p, now);
				out->new_term = now->term;
				out->elapsed_ms = mg_time_mono_ms() - t0;
				rc = 0;
				break;
			}
			if (now)
				snprintf(status, sizeof(status), "primary is still %s/%s (%s)%s", now->cell,
					 now->name, mg_multiadmin_serving_name(now->serving),
					 nprim > 1 ? ", another pooler claims PRIMARY" : "");
			else
				snprintf(status, sizeof(status), "no live PRIMARY in topology");
		} else {
			snprintf(status, sizeof(status), "cannot read the poolers: %s", perr.msg);
		}
		if (strcmp(status, last)) {
			memcpy(last, status, sizeof(last));
			if (opts->progress)
				opts->progress(opts->data, status, mg_time_mono_ms() - t0);
		}
		if (mg_time_mono_ms() + poll > deadline) {
			rc = mg_err_set(err, MG_ETIMEOUT,
					"switch-primary for %s/%s/%s was accepted (old primary %s/%s) "
					"but no new primary appeared within %.1f s: %s", p->database,
					p->tablegroup, p->shard_name, old.cell, old.name,
					(double)timeout / 1000, status);
			break;
		}
		pause_ms(poll);
	}
	mg_multiadmin_poolers_release(&pl);
	return rc;
}

void
mg_action_switchover_result_text(const struct mg_action_switchover_result *r,
				 struct mg_buf *out)
{
	mg_buf_addf(out, "primary moved from %s (%s/%s) to %s (%s/%s), term %lld, in %lld.%01lld s\n",
		    r->old_pod[0] ? r->old_pod : "?", r->old_primary.cell, r->old_primary.name,
		    r->new_pod[0] ? r->new_pod : "?", r->new_primary.cell, r->new_primary.name,
		    r->new_term, (long long)(r->elapsed_ms / 1000),
		    (long long)(r->elapsed_ms % 1000 / 100));
}
