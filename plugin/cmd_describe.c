/*
 * cmd_describe.c - `describe KIND [NAME...]` and `describe KIND/NAME`:
 * an object in words: its metadata, its spec and status as readable trees,
 * its conditions as a table, and the recent events about it (found by
 * field selector on involvedObject, as kubectl describe finds them).
 */
#include "compat.h"

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "kinds.h"
#include "kube.h"
#include "timeutil.h"
#include "xalloc.h"

static const struct cli_flag describe_flags[] = {
	{ "selector", 'l', "SELECTOR",
	  "describe every object whose labels match (without NAME)", NULL, 0 },
	CLI_FLAG_END,
};

/* "Key:" and value rows of the header block, aligned like kubectl's. */
static void
row(struct mg_table *t, const char *key, const char *value)
{
	mg_table_add(t, key);
	mg_table_add(t, value && *value ? value : "<none>");
}

/* kubectl describe leaves it out too: a copy of the spec. */
#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* A map (labels) as "k=v" rows, or annotations as "k: v" rows. */
static void
map_rows(struct mg_table *t, const char *key, const cJSON *map,
	 const char *sep)
{
	cJSON *sorted = map ? mg_json_sorted(map) : NULL;
	const cJSON *it;
	bool first = true;

	cJSON_ArrayForEach(it, sorted) {
		if (!strcmp(it->string, LAST_APPLIED))
			continue;
		char *line = mg_xasprintf("%s%s%s", it->string, sep,
					  cJSON_IsString(it) ? it->valuestring : "");

		mg_table_add(t, first ? key : "");
		mg_table_add(t, line);
		free(line);
		first = false;
	}
	if (first)
		row(t, key, NULL);
	cJSON_Delete(sorted);
}

static void
header(struct cli_ctx *ctx, struct mg_buf *out, const cJSON *obj)
{
	const struct mg_table_opts opts = { 0, 2, 0 };
	const cJSON *meta = mg_json_get(obj, "metadata");
	const cJSON *it;
	struct mg_table t;
	struct mg_buf v = MG_BUF_INIT;
	char age[MG_CLI_AGE_LEN];
	const char *created = mg_json_str(meta, "creationTimestamp");
	const char *deleted = mg_json_str(meta, "deletionTimestamp");

	mg_table_init(&t, 2);
	row(&t, "Name:", mg_json_str(meta, "name"));
	row(&t, "Namespace:", mg_json_str(meta, "namespace"));
	row(&t, "Kind:", mg_json_str(obj, "kind"));
	row(&t, "API Version:", mg_json_str(obj, "apiVersion"));
	map_rows(&t, "Labels:", mg_json_get(meta, "labels"), "=");
	map_rows(&t, "Annotations:", mg_json_get(meta, "annotations"), ": ");
	mg_cli_age_since(age, created, ctx->now);
	mg_buf_addf(&v, "%s (%s ago)", created ? created : "<unknown>", age);
	row(&t, "Created:", v.data);
	if (deleted) {
		mg_buf_reset(&v);
		mg_cli_age_since(age, deleted, ctx->now);
		mg_buf_addf(&v, "%s (%s ago)", deleted, age);
		row(&t, "Deleting Since:", v.data);
	}
	mg_buf_reset(&v);
	mg_buf_addf(&v, "%lld", mg_json_int(meta, "generation", 0));
	if (mg_json_get(obj, "status.observedGeneration"))
		mg_buf_addf(&v, " (observed: %lld)",
			    mg_json_int(obj, "status.observedGeneration", 0));
	row(&t, "Generation:", v.data);
	mg_buf_reset(&v);
	cJSON_ArrayForEach(it, mg_json_get(meta, "ownerReferences"))
		mg_buf_addf(&v, "%s%s/%s", v.len ? ", " : "",
			    mg_json_str(it, "kind"), mg_json_str(it, "name"));
	row(&t, "Owners:", v.data);
	mg_buf_reset(&v);
	cJSON_ArrayForEach(it, mg_json_get(meta, "finalizers"))
		mg_buf_addf(&v, "%s%s", v.len ? ", " : "",
			    cJSON_IsString(it) ? it->valuestring : "");
	row(&t, "Finalizers:", v.data);
	mg_table_render(&t, out, &opts, false);
	mg_table_release(&t);
	mg_buf_release(&v);
}

static void
conditions(struct cli_ctx *ctx, struct mg_buf *out, const cJSON *conds)
{
	const struct mg_table_opts opts = MG_TABLE_DESCRIBE;
	const cJSON *c;
	struct mg_table t;
	char age[MG_CLI_AGE_LEN];

	if (!cJSON_GetArraySize(conds)) {
		mg_buf_adds(out, "Conditions:  <none>\n");
		return;
	}
	mg_buf_adds(out, "Conditions:\n");
	mg_table_init(&t, 5);
	mg_table_add(&t, "Type");
	mg_table_add(&t, "Status");
	mg_table_add(&t, "Reason");
	mg_table_add(&t, "Age");
	mg_table_add(&t, "Message");
	mg_table_add(&t, "----");
	mg_table_add(&t, "------");
	mg_table_add(&t, "------");
	mg_table_add(&t, "---");
	mg_table_add(&t, "-------");
	cJSON_ArrayForEach(c, conds) {
		const char *status = mg_json_str(c, "status");

		mg_table_add(&t, mg_json_str(c, "type"));
		mg_table_add_sgr(&t, status, cli_status_sgr(status));
		mg_table_add(&t, mg_json_str(c, "reason"));
		mg_cli_age_since(age, mg_json_str(c, "lastTransitionTime"),
				 ctx->now);
		mg_table_add(&t, age);
		mg_table_add(&t, mg_json_str(c, "message"));
	}
	mg_table_render(&t, out, &opts, ctx->color);
	mg_table_release(&t);
}

/* The time an event last happened, as kubectl sorts them. */
static const char *
event_time(const cJSON *e)
{
	const char *keys[] = { "lastTimestamp", "eventTime", "firstTimestamp",
			       "metadata.creationTimestamp" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *s = mg_json_str(e, keys[i]);

		if (s && *s)
			return s;
	}
	return NULL;
}

static int
cmp_events(const void *a, const void *b)
{
	const char *x = event_time(*(const cJSON *const *)a);
	const char *y = event_time(*(const cJSON *const *)b);
	time_t tx = 0, ty = 0;

	if (x)
		mg_time_parse(x, &tx);
	if (y)
		mg_time_parse(y, &ty);
	return (tx > ty) - (tx < ty);
}

static void
events(struct cli_ctx *ctx, struct mg_kube *kube, struct mg_buf *out,
       const cJSON *obj)
{
	const struct mg_table_opts opts = MG_TABLE_DESCRIBE;
	const char *ns = mg_json_str(obj, "metadata.namespace");
	struct mg_kube_res res = { "", "v1", "events", ns };
	struct mg_list_opts lo = { NULL, NULL, 0 };
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf sel = MG_BUF_INIT, v = MG_BUF_INIT;
	cJSON *list = NULL;
	const cJSON **evs = NULL, *it;
	struct mg_table t;
	size_t n = 0, i;
	char age[MG_CLI_AGE_LEN], first[MG_CLI_AGE_LEN];

	mg_buf_addf(&sel, "involvedObject.name=%s,involvedObject.namespace=%s,"
			  "involvedObject.kind=%s,involvedObject.uid=%s",
		    mg_json_str(obj, "metadata.name"), ns ? ns : "",
		    mg_json_str(obj, "kind"), mg_json_str(obj, "metadata.uid"));
	lo.field_selector = sel.data;
	if (mg_kube_list(kube, &res, &lo, &list, &err)) {
		mg_buf_addf(out, "Events:  <unavailable: %s>\n", err.msg);
		goto out;
	}
	n = (size_t)cJSON_GetArraySize(mg_json_get(list, "items"));
	if (!n) {
		mg_buf_adds(out, "Events:  <none>\n");
		goto out;
	}
	evs = mg_xcalloc(n, sizeof(*evs));
	i = 0;
	cJSON_ArrayForEach(it, mg_json_get(list, "items"))
		evs[i++] = it;
	qsort(evs, n, sizeof(*evs), cmp_events);
	mg_buf_adds(out, "Events:\n");
	mg_table_init(&t, 5);
	mg_table_add(&t, "Type");
	mg_table_add(&t, "Reason");
	mg_table_add(&t, "Age");
	mg_table_add(&t, "From");
	mg_table_add(&t, "Message");
	mg_table_add(&t, "----");
	mg_table_add(&t, "------");
	mg_table_add(&t, "----");
	mg_table_add(&t, "----");
	mg_table_add(&t, "-------");
	for (i = 0; i < n; i++) {
		const cJSON *e = evs[i];
		const char *type = mg_json_str(e, "type");
		const char *from = mg_json_str(e, "source.component");
		long long count = mg_json_int(e, "count", 0);

		mg_table_add_sgr(&t, type, cli_status_sgr(type));
		mg_table_add(&t, mg_json_str(e, "reason"));
		mg_cli_age_since(age, event_time(e), ctx->now);
		mg_buf_reset(&v);
		if (count > 1 && mg_json_str(e, "firstTimestamp")) {
			mg_cli_age_since(first, mg_json_str(e, "firstTimestamp"),
					 ctx->now);
			mg_buf_addf(&v, "%s (x%lld over %s)", age, count, first);
		} else {
			mg_buf_adds(&v, age);
		}
		mg_table_add(&t, v.data);
		if (!from || !*from)
			from = mg_json_str(e, "reportingController");
		mg_table_add(&t, from);
		mg_table_add(&t, mg_json_str(e, "message"));
	}
	mg_table_render(&t, out, &opts, ctx->color);
	mg_table_release(&t);
out:
	free(evs);
	cJSON_Delete(list);
	mg_buf_release(&sel);
	mg_buf_release(&v);
}

static void
describe_one(struct cli_ctx *ctx, struct mg_kube *kube, const cJSON *obj,
	     struct mg_buf *out)
{
	const cJSON *spec = mg_json_get(obj, "spec");
	const cJSON *status = mg_json_get(obj, "status");
	cJSON *rest = NULL;

	header(ctx, out, obj);
	if (spec) {
		mg_buf_adds(out, "Spec:\n");
		mg_cli_describe_tree(out, spec, 2);
	}
	if (status) {
		rest = cJSON_Duplicate(status, true);
		cJSON_DeleteItemFromObjectCaseSensitive(rest, "conditions");
		cJSON_DeleteItemFromObjectCaseSensitive(rest, "observedGeneration");
		mg_buf_adds(out, "Status:\n");
		mg_cli_describe_tree(out, rest, 2);
		cJSON_Delete(rest);
	} else {
		mg_buf_adds(out, "Status:  <none>\n");
	}
	conditions(ctx, out, mg_json_get(obj, "status.conditions"));
	events(ctx, kube, out, obj);
}

static int
exec_describe(struct cli_ctx *ctx)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_list_opts lo = { NULL, NULL, 0 };
	struct mg_buf b = MG_BUF_INIT;
	const struct mg_kind_info *k;
	struct mg_kube_res res;
	struct mg_kube *kube;
	char *kind_word = NULL, *slash, *one_name = NULL;
	char **names;
	cJSON *list = NULL;
	const cJSON *it;
	int nnames, i, rc = CLI_OK, shown = 0;

	if (ctx->nargs == 0)
		return cli_usagef(ctx, "say what to describe: KIND [NAME...] or "
				       "KIND/NAME");
	kind_word = mg_xstrdup(ctx->args[0]);
	names = ctx->args + 1;
	nnames = ctx->nargs - 1;
	slash = strchr(kind_word, '/');
	if (slash) {
		if (ctx->nargs > 1 || !slash[1]) {
			rc = cli_usagef(ctx, "give one KIND/NAME, or KIND NAME...");
			goto out;
		}
		*slash = '\0';
		one_name = slash + 1;
		names = &one_name;
		nnames = 1;
	}
	k = mg_model_kind_lookup(kind_word);
	if (!k) {
		rc = cli_usagef(ctx, "unknown kind '%s'; see 'kubectl multigres "
				     "get --help' for the kinds", kind_word);
		goto out;
	}
	lo.label_selector = cli_flag_value(ctx, "selector");
	if (nnames && lo.label_selector) {
		rc = cli_usagef(ctx, "-l/--selector cannot be used with names");
		goto out;
	}
	if (nnames && ctx->g.all_namespaces) {
		rc = cli_usagef(ctx, "an object cannot be fetched by name across "
				     "all namespaces; drop -A or give -n");
		goto out;
	}
	if (cli_client(ctx, &kube, &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	kind_res(k, ctx->g.all_namespaces ? NULL : cli_namespace(ctx), &res);
	for (i = 0; i < nnames; i++) {
		cJSON *obj = NULL;

		if (mg_kube_get(kube, &res, names[i], NULL, &obj, &err)) {
			rc = kind_fail(ctx, k, &err);
			continue;
		}
		if (shown++)
			mg_buf_adds(&b, "\n\n");
		describe_one(ctx, kube, obj, &b);
		cJSON_Delete(obj);
	}
	if (!nnames) {
		if (mg_kube_list(kube, &res, &lo, &list, &err)) {
			rc = kind_fail(ctx, k, &err);
			goto out;
		}
		cJSON_ArrayForEach(it, mg_json_get(list, "items")) {
			if (shown++)
				mg_buf_adds(&b, "\n\n");
			describe_one(ctx, kube, it, &b);
		}
		if (!shown && ctx->g.all_namespaces)
			fputs("No resources found\n", stderr);
		else if (!shown)
			fprintf(stderr, "No resources found in %s namespace.\n",
				cli_namespace(ctx));
	}
	cli_out(&b);
out:
	cJSON_Delete(list);
	free(kind_word);
	mg_buf_release(&b);
	return rc;
}

const struct cli_cmd cli_cmd_describe = {
	.name = "describe",
	.usage = "KIND [NAME...] | KIND/NAME",
	.summary = "show an object in words, with its conditions and events",
	.help = "Show Multigres objects in words: metadata, the spec and status as\n"
		"readable trees, the conditions as a table and the events about the\n"
		"object (oldest first). Without NAME, every object of KIND in the\n"
		"namespace (or matching -l). KIND as for 'get'. A missing object is\n"
		"an error (status 1).",
	.examples = "  kubectl multigres describe mgc prod\n"
		    "  kubectl multigres describe shard/prod-postgres-default-0-inf-1a2b3c4d\n"
		    "  kubectl multigres describe cells -l multigres.com/cluster=prod\n",
	.flags = describe_flags,
	.complete = "kind object...",
	.exec = exec_describe,
};
