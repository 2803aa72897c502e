/*
 * snapload.c - LIST and WATCH into a snapshot (see snapload.h).
 */
#include "snapload.h"

#include "buf.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "labels.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"

struct kind_res {
	enum mg_snap_kind kind;
	const char *group, *version, *resource;
};

/* In the order of a LIST: parents first, so that fewer placeholders are
 * made; events last, when their objects are known. */
static const struct kind_res kinds[] = {
	{ MG_SNAP_CLUSTER, "multigres.com", "v1alpha1", "multigresclusters" },
	{ MG_SNAP_CELL, "multigres.com", "v1alpha1", "cells" },
	{ MG_SNAP_TABLEGROUP, "multigres.com", "v1alpha1", "tablegroups" },
	{ MG_SNAP_SHARD, "multigres.com", "v1alpha1", "shards" },
	{ MG_SNAP_TOPOSERVER, "multigres.com", "v1alpha1", "toposervers" },
	{ MG_SNAP_DEPLOYMENT, "apps", "v1", "deployments" },
	{ MG_SNAP_PVC, "", "v1", "persistentvolumeclaims" },
	{ MG_SNAP_POD, "", "v1", "pods" },
	{ MG_SNAP_EVENT, "", "v1", "events" },
};

/* The selectors of a kind (see the table in snapload.h). */
static void
selectors(const struct kind_res *kr, const struct mg_snapload_opts *o,
	  struct mg_buf *label, struct mg_buf *field)
{
	const char *c = o->cluster && *o->cluster ? o->cluster : NULL;

	switch (kr->kind) {
	case MG_SNAP_CLUSTER:
		if (c)
			mg_buf_addf(field, "metadata.name=%s", c);
		break;
	case MG_SNAP_CELL:
	case MG_SNAP_TABLEGROUP:
	case MG_SNAP_SHARD:
	case MG_SNAP_TOPOSERVER:
		if (c)
			mg_buf_addf(label, "%s=%s", MG_LABEL_CLUSTER, c);
		break;
	case MG_SNAP_POD:
	case MG_SNAP_PVC:
	case MG_SNAP_DEPLOYMENT:
		mg_buf_addf(label, "%s=%s", MG_LABEL_APP_PART_OF, MG_APP_NAME);
		if (c)
			mg_buf_addf(label, ",%s=%s", MG_LABEL_APP_INSTANCE, c);
		break;
	case MG_SNAP_EVENT:
		break;
	}
}

static bool
wanted(const struct mg_snapload_opts *o, enum mg_snap_kind k)
{
	return !o->kinds || (o->kinds & (1u << k));
}

static int
list_one(struct mg_kube *k, struct mg_snap *s, const struct kind_res *kr,
	 const struct mg_snapload_opts *o, struct mg_err *err)
{
	struct mg_kube_res res = { kr->group, kr->version, kr->resource, o->ns };
	struct mg_buf label = MG_BUF_INIT, field = MG_BUF_INIT;
	struct mg_list_opts lo = { NULL, NULL, 0 };
	cJSON *list = NULL;
	const cJSON *it;
	int rc;

	selectors(kr, o, &label, &field);
	lo.label_selector = label.len ? label.data : NULL;
	lo.field_selector = field.len ? field.data : NULL;
	rc = mg_kube_list(k, &res, &lo, &list, err);
	if (rc == MG_ENOTFOUND && *kr->group && strcmp(kr->group, "apps")) {
		mg_err_prefix(err, "the Multigres CRDs are not installed "
				   "(listing %s)", kr->resource);
		goto out;
	}
	if (rc) {
		mg_err_prefix(err, "listing %s", kr->resource);
		goto out;
	}
	mg_json_array_foreach(it, mg_json_get(list, "items")) {
		rc = mg_snap_apply(s, kr->kind, MG_SNAP_ADDED, it, err);
		if (rc) {
			mg_err_prefix(err, "listing %s", kr->resource);
			goto out;
		}
	}
out:
	cJSON_Delete(list);
	mg_buf_release(&label);
	mg_buf_release(&field);
	return rc;
}

int
mg_snapload_list(struct mg_kube *k, struct mg_snap *s,
		 const struct mg_snapload_opts *opts, unsigned long *requests,
		 struct mg_err *err)
{
	struct mg_snapload_opts dflt = MG_SNAPLOAD_OPTS_INIT;
	unsigned long before = mg_kube_requests(k);
	size_t i;
	int rc = 0;

	if (!opts)
		opts = &dflt;
	for (i = 0; i < ARRAY_SIZE(kinds) && !rc; i++) {
		if (wanted(opts, kinds[i].kind))
			rc = list_one(k, s, &kinds[i], opts, err);
	}
	if (requests)
		*requests = mg_kube_requests(k) - before;
	return rc;
}

/* --- watches ------------------------------------------------------------------ */

struct one_watch {
	struct mg_snapload *parent;
	enum mg_snap_kind kind;
	struct mg_watch *w;
	bool synced;
};

struct mg_snapload {
	struct mg_snap *s;
	struct one_watch ws[ARRAY_SIZE(kinds)];
	size_t n;
	unsigned long errors, applied;
	char last_error[256];
	int64_t last_error_ms;
};

static void
on_event(void *data, enum mg_watch_event ev, const cJSON *obj)
{
	struct one_watch *ow = data;
	struct mg_snapload *p = ow->parent;
	struct mg_err err = MG_ERR_INIT;
	enum mg_snap_op op;

	switch (ev) {
	case MG_WATCH_ADDED:
		op = MG_SNAP_ADDED;
		break;
	case MG_WATCH_MODIFIED:
		op = MG_SNAP_MODIFIED;
		break;
	case MG_WATCH_DELETED:
		op = MG_SNAP_DELETED;
		break;
	case MG_WATCH_SYNCED:
		ow->synced = true;
		return;
	case MG_WATCH_ERROR: {
		const char *m = mg_json_str(obj, "message");

		p->errors++;
		p->last_error_ms = mg_time_mono_ms();
		snprintf(p->last_error, sizeof(p->last_error), "%s: %s",
			 mg_snap_kind_name(ow->kind), m ? m : "watch failed");
		return;
	}
	default:
		return;
	}
	if (mg_snap_apply(p->s, ow->kind, op, obj, &err))
		mg_log(MG_LOG_WARN, "snapload: %s", err.msg);
	else
		p->applied++;
}

int
mg_snapload_watch(struct mg_snapload **out, struct mg_kube_loop *loop,
		  struct mg_snap *s, const struct mg_snapload_opts *opts,
		  struct mg_err *err)
{
	struct mg_snapload_opts dflt = MG_SNAPLOAD_OPTS_INIT;
	struct mg_snapload *p = mg_xcalloc(1, sizeof(*p));
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!opts)
		opts = &dflt;
	p->s = s;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct kind_res *kr = &kinds[i];
		struct mg_kube_res res = { kr->group, kr->version, kr->resource,
					   opts->ns };
		struct mg_buf label = MG_BUF_INIT, field = MG_BUF_INIT;
		struct mg_watch_opts wo = { NULL, NULL, 0 };
		struct one_watch *ow;

		if (!wanted(opts, kr->kind))
			continue;
		ow = &p->ws[p->n++];
		ow->parent = p;
		ow->kind = kr->kind;
		selectors(kr, opts, &label, &field);
		wo.label_selector = label.len ? label.data : NULL;
		wo.field_selector = field.len ? field.data : NULL;
		rc = mg_kube_watch(loop, &res, &wo, on_event, ow, &ow->w, err);
		mg_buf_release(&label);
		mg_buf_release(&field);
		if (rc) {
			mg_err_prefix(err, "watching %s", kr->resource);
			mg_snapload_stop(p);
			return rc;
		}
	}
	*out = p;
	return 0;
}

void
mg_snapload_stop(struct mg_snapload *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		if (p->ws[i].w)
			mg_watch_stop(p->ws[i].w);
	}
	free(p);
}

bool
mg_snapload_synced(const struct mg_snapload *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (!p->ws[i].synced)
			return false;
	}
	return true;
}

bool
mg_snapload_healthy(const struct mg_snapload *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (!p->ws[i].w || !mg_watch_healthy(p->ws[i].w))
			return false;
	}
	return true;
}

unsigned long
mg_snapload_errors(const struct mg_snapload *p)
{
	return p->errors;
}

const char *
mg_snapload_last_error(const struct mg_snapload *p, int64_t *when_ms)
{
	if (when_ms)
		*when_ms = p->last_error_ms;
	return p->last_error;
}

unsigned long
mg_snapload_applied(const struct mg_snapload *p)
{
	return p->applied;
}
