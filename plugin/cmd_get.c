/*
 * cmd_get.c - `get KIND[,KIND...] [NAME...]` and `get KIND/NAME...`: the
 * Multigres objects as `kubectl get` prints them (the CRDs' printer
 * columns, NAMESPACE with -A, kind-qualified names when several kinds
 * are shown), or as json, yaml, name or wide. "all" is every kind.
 */
#include "compat.h"

#include <ctype.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "kinds.h"
#include "kube.h"
#include "xalloc.h"

static const struct cli_flag get_flags[] = {
	{ "no-headers", 0, NULL, "print no header line", NULL, 0 },
	{ "output", 'o', "FORMAT", "json, yaml, name or wide",
	  "json yaml name wide", 0 },
	{ "selector", 'l', "SELECTOR",
	  "only objects whose labels match (e.g. a=b,c!=d)", NULL, 0 },
	{ "show-managed-fields", 0, NULL,
	  "keep metadata.managedFields in json and yaml output", NULL, 0 },
	CLI_FLAG_END,
};

struct target {
	const struct mg_kind_info *kind;
	const char *name; /* NULL: every object of the kind */
};

/* What was asked for, in order. */
struct request {
	struct target *t;
	size_t n;
	bool multi_kind; /* several kinds: names are kind-qualified */
	bool by_name;
};

static void
add_target(struct request *r, const struct mg_kind_info *k, const char *name)
{
	r->t = mg_xrealloc(r->t, (r->n + 1) * sizeof(*r->t));
	r->t[r->n].kind = k;
	r->t[r->n].name = name;
	r->n++;
}

static int
unknown_kind(struct cli_ctx *ctx, const char *word)
{
	struct mg_buf b = MG_BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < MG_KIND_COUNT; i++)
		mg_buf_addf(&b, "%s%s (%s)", i ? ", " : "", mg_kind_infos[i].plural,
			    mg_kind_infos[i].short_name);
	rc = cli_usagef(ctx, "unknown kind '%s': one of %s, or all", word, b.data);
	mg_buf_release(&b);
	return rc;
}

/* Fills r from the arguments; CLI_USAGE (printed) when they are wrong. */
static int
parse_targets(struct cli_ctx *ctx, struct request *r)
{
	char *kinds_arg, *word, *save = NULL;
	int i, rc = CLI_OK;
	size_t nk = 0;

	if (ctx->nargs == 0)
		return cli_usagef(ctx, "say which kind of object to get, e.g. "
				       "'get mgc' (or 'get all')");
	if (strchr(ctx->args[0], '/')) {
		for (i = 0; i < ctx->nargs; i++) {
			char *slash = strchr(ctx->args[i], '/');
			const struct mg_kind_info *k;

			if (!slash || !slash[1] || strchr(slash + 1, '/'))
				return cli_usagef(ctx, "'%s' is not KIND/NAME: "
						       "with one KIND/NAME, every "
						       "argument must be one",
						  ctx->args[i]);
			*slash = '\0';
			k = mg_model_kind_lookup(ctx->args[i]);
			if (!k)
				return unknown_kind(ctx, ctx->args[i]);
			add_target(r, k, slash + 1);
		}
		r->by_name = true;
		for (i = 1; (size_t)i < r->n; i++)
			if (r->t[i].kind != r->t[0].kind)
				r->multi_kind = true;
		return CLI_OK;
	}
	kinds_arg = mg_xstrdup(ctx->args[0]);
	for (word = strtok_r(kinds_arg, ",", &save); word;
	     word = strtok_r(NULL, ",", &save)) {
		const struct mg_kind_info *k = NULL;
		size_t j;

		if (!strcmp(word, "all")) {
			for (j = 0; j < MG_KIND_COUNT; j++, nk++) {
				if (ctx->nargs == 1)
					add_target(r, &mg_kind_infos[j], NULL);
				for (i = 1; i < ctx->nargs; i++)
					add_target(r, &mg_kind_infos[j], ctx->args[i]);
			}
			continue;
		}
		k = mg_model_kind_lookup(word);
		if (!k) {
			rc = unknown_kind(ctx, word);
			goto out;
		}
		nk++;
		if (ctx->nargs == 1)
			add_target(r, k, NULL);
		for (i = 1; i < ctx->nargs; i++)
			add_target(r, k, ctx->args[i]);
	}
	if (!nk)
		rc = cli_usagef(ctx, "say which kind of object to get");
	r->multi_kind = nk > 1;
	r->by_name = ctx->nargs > 1;
out:
	free(kinds_arg);
	return rc;
}

/* "multigrescluster.multigres.com/name" as -o name and several kinds do. */
static void
qualified(struct mg_buf *b, const struct mg_kind_info *k, const char *name)
{
	const char *p;

	for (p = k->name; *p; p++)
		mg_buf_addch(b, (char)tolower((unsigned char)*p));
	mg_buf_addf(b, "." MG_SCHEMA_GROUP "/%s", name ? name : "");
}

/* A printer column's header as kubectl shows it: upper-cased. */
static void
header(struct mg_buf *b, const char *name)
{
	mg_buf_reset(b);
	for (; *name; name++)
		mg_buf_addch(b, (char)toupper((unsigned char)*name));
}

/* One kind's table, as kubectl prints it. */
static void
print_table(struct cli_ctx *ctx, const struct mg_kind_info *k,
	    const cJSON *items, bool multi, bool wide)
{
	const struct mg_table_opts opts = MG_TABLE_GET;
	const struct mg_kind_column *cols;
	struct mg_table t;
	struct mg_buf cell = MG_BUF_INIT;
	const cJSON *it;
	size_t ncols = 1, n, c;

	cols = kind_columns(k, &n);
	if (ctx->g.all_namespaces)
		ncols++;
	for (c = 0; c < n; c++)
		if (wide || cols[c].priority == 0)
			ncols++;
	mg_table_init(&t, ncols);
	if (!cli_flag_set(ctx, "no-headers")) {
		if (ctx->g.all_namespaces)
			mg_table_add(&t, "NAMESPACE");
		mg_table_add(&t, "NAME");
		for (c = 0; c < n; c++) {
			if (!wide && cols[c].priority != 0)
				continue;
			header(&cell, cols[c].name);
			mg_table_add(&t, cell.data);
		}
	}
	cJSON_ArrayForEach(it, items) {
		if (ctx->g.all_namespaces)
			mg_table_add(&t, mg_json_str(it, "metadata.namespace"));
		mg_buf_reset(&cell);
		if (multi)
			qualified(&cell, k, mg_json_str(it, "metadata.name"));
		else
			mg_buf_adds(&cell, mg_json_str(it, "metadata.name")
					   ? mg_json_str(it, "metadata.name") : "");
		mg_table_add(&t, cell.data);
		for (c = 0; c < n; c++) {
			if (!wide && cols[c].priority != 0)
				continue;
			mg_buf_reset(&cell);
			mg_cli_printer_cell(&cell, it, cols[c].json_path,
					    cols[c].type, ctx->now);
			mg_table_add_sgr(&t, cell.data, cli_status_sgr(cell.data));
		}
	}
	cli_print_table(ctx, &t, &opts);
	mg_table_release(&t);
	mg_buf_release(&cell);
}

/* What -o json|yaml prints of an object: its type always set, and (as
 * kubectl does) no managedFields unless asked. */
static void
ensure_type(cJSON *obj, const struct mg_kind_info *k, bool managed_fields)
{
	if (!managed_fields)
		cJSON_DeleteItemFromObjectCaseSensitive(mg_json_get(obj, "metadata"),
							"managedFields");
	if (!mg_json_str(obj, "apiVersion"))
		mg_json_set_str(obj, "apiVersion", MG_SCHEMA_GROUP "/" MG_SCHEMA_VERSION);
	if (!mg_json_str(obj, "kind"))
		mg_json_set_str(obj, "kind", k->name);
}

static int
exec_get(struct cli_ctx *ctx)
{
	const unsigned formats =
		MG_CLI_OUT_BIT(MG_CLI_OUT_WIDE) | MG_CLI_OUT_BIT(MG_CLI_OUT_NAME) |
		MG_CLI_OUT_BIT(MG_CLI_OUT_JSON) | MG_CLI_OUT_BIT(MG_CLI_OUT_YAML);
	struct mg_err err = MG_ERR_INIT;
	struct request r = { NULL, 0, false, false };
	struct mg_list_opts lo = { NULL, NULL, 0 };
	enum mg_cli_output o;
	struct mg_kube *kube;
	struct mg_buf b = MG_BUF_INIT;
	cJSON **found = NULL; /* per target: an array of items */
	cJSON *list = NULL, *single = NULL;
	size_t i, total = 0, kinds_shown = 0;
	bool managed = cli_flag_set(ctx, "show-managed-fields");
	int rc, failed = 0;

	if (mg_cli_output_parse(cli_flag_value(ctx, "output"), formats, &o,
				&err))
		return cli_usagef(ctx, "%s", err.msg);
	rc = parse_targets(ctx, &r);
	if (rc)
		goto out;
	lo.label_selector = cli_flag_value(ctx, "selector");
	if (r.by_name && lo.label_selector) {
		rc = cli_usagef(ctx, "-l/--selector selects among all objects; "
				     "it cannot be used with names");
		goto out;
	}
	if (r.by_name && ctx->g.all_namespaces) {
		rc = cli_usagef(ctx, "an object cannot be fetched by name across "
				     "all namespaces; drop -A or give -n");
		goto out;
	}
	if (cli_client(ctx, &kube, &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}

	found = mg_xcalloc(r.n, sizeof(*found));
	for (i = 0; i < r.n; i++) {
		struct mg_kube_res res;
		const char *ns = ctx->g.all_namespaces ? NULL : cli_namespace(ctx);
		cJSON *doc = NULL;

		kind_res(r.t[i].kind, ns, &res);
		found[i] = cJSON_CreateArray();
		if (r.t[i].name) {
			if (mg_kube_get(kube, &res, r.t[i].name, NULL, &doc, &err)) {
				/* kubectl reports each missing object and
				 * prints the others */
				kind_fail(ctx, r.t[i].kind, &err);
				failed = 1;
				if (err.code != MG_ENOTFOUND)
					break;
				continue;
			}
			ensure_type(doc, r.t[i].kind, managed);
			cJSON_AddItemToArray(found[i], doc);
		} else {
			cJSON *items, *it;

			if (mg_kube_list(kube, &res, &lo, &doc, &err)) {
				kind_fail(ctx, r.t[i].kind, &err);
				failed = 1;
				break;
			}
			items = cJSON_DetachItemFromObjectCaseSensitive(doc, "items");
			cJSON_ArrayForEach(it, items)
				ensure_type(it, r.t[i].kind, managed);
			if (items) {
				cJSON_Delete(found[i]);
				found[i] = items;
			}
			cJSON_Delete(doc);
		}
		total += (size_t)cJSON_GetArraySize(found[i]);
	}

	if (o == MG_CLI_OUT_JSON || o == MG_CLI_OUT_YAML) {
		cJSON *items;

		if (r.n == 1 && r.t[0].name && cJSON_GetArraySize(found[0]) == 1) {
			single = cJSON_DetachItemFromArray(found[0], 0);
			if (cli_print_doc(ctx, single, o))
				failed = 1;
			goto done;
		}
		if (r.by_name && total == 0)
			goto done; /* kubectl prints nothing but the errors */
		list = cJSON_CreateObject();
		mg_json_set_str(list, "apiVersion", "v1");
		items = cJSON_AddArrayToObject(list, "items");
		for (i = 0; i < r.n; i++) {
			cJSON *it;

			while ((it = cJSON_DetachItemFromArray(found[i], 0)))
				cJSON_AddItemToArray(items, it);
		}
		mg_json_set_str(list, "kind", "List");
		mg_json_set_str(cJSON_AddObjectToObject(list, "metadata"),
				"resourceVersion", "");
		if (cli_print_doc(ctx, list, o))
			failed = 1;
		goto done;
	}

	if (total == 0) {
		if (!r.by_name && !failed) {
			if (ctx->g.all_namespaces)
				fputs("No resources found\n", stderr);
			else
				fprintf(stderr, "No resources found in %s namespace.\n",
					cli_namespace(ctx));
		}
		goto done;
	}
	if (o == MG_CLI_OUT_NAME) {
		for (i = 0; i < r.n; i++) {
			const cJSON *it;

			cJSON_ArrayForEach(it, found[i]) {
				qualified(&b, r.t[i].kind,
					  mg_json_str(it, "metadata.name"));
				mg_buf_addch(&b, '\n');
			}
		}
		cli_out(&b);
		goto done;
	}
	/* One table per kind, in the order asked, a blank line between. */
	for (i = 0; i < r.n; i++) {
		cJSON *items = found[i];
		size_t j;

		if (i > 0 && r.t[i - 1].kind == r.t[i].kind)
			continue; /* joined into the first target's table */
		for (j = i + 1; j < r.n && r.t[j].kind == r.t[i].kind; j++) {
			cJSON *it;

			while ((it = cJSON_DetachItemFromArray(found[j], 0)))
				cJSON_AddItemToArray(items, it);
		}
		if (!cJSON_GetArraySize(items))
			continue;
		fflush(stdout);
		if (kinds_shown++)
			fputc('\n', stdout);
		print_table(ctx, r.t[i].kind, items, r.multi_kind,
			    o == MG_CLI_OUT_WIDE);
	}
done:
	rc = failed ? CLI_FAILED : CLI_OK;
out:
	for (i = 0; found && i < r.n; i++)
		cJSON_Delete(found[i]);
	free(found);
	free(r.t);
	cJSON_Delete(list);
	cJSON_Delete(single);
	mg_buf_release(&b);
	return rc;
}

const struct cli_cmd cli_cmd_get = {
	.name = "get",
	.usage = "KIND[,KIND...] [NAME...] | KIND/NAME...",
	.summary = "list Multigres objects as kubectl get does",
	.help = "List Multigres objects, or show some by name, with the columns\n"
		"their CRDs define (the same as 'kubectl get'). KIND is a plural,\n"
		"singular or short name: multigresclusters (mgc), cells (cel),\n"
		"tablegroups (tbg), shards (srd), toposervers (tps), coretemplates\n"
		"(cot), celltemplates (cet), shardtemplates (sht); 'all' is every\n"
		"kind. A missing object is an error (status 1); the others are\n"
		"still printed.",
	.examples = "  kubectl multigres get mgc\n"
		    "  kubectl multigres get shards -A -o wide\n"
		    "  kubectl multigres get cel,tbg -l multigres.com/cluster=prod\n"
		    "  kubectl multigres get mgc/prod -o yaml\n",
	.flags = get_flags,
	.complete = "kind object...",
	.exec = exec_get,
};
