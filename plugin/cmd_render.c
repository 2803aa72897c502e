/*
 * cmd_render.c - `render [CLUSTER] [-f FILE...] [--children] [-o yaml|json]`:
 * a MultigresCluster with every template and default applied and, with
 * --children, the objects the operator would create for it (render.h).
 *
 * Offline (-f): the cluster and its templates come from the files; the
 * API server is not contacted. Online (CLUSTER without -f): the stored
 * cluster and the templates of its namespace are read from the API
 * server. Online with files (-f ... --online): the files' cluster against
 * the namespace's templates (the files' templates replacing those of the
 * same kind and name), as an update of the stored cluster when there is
 * one. Either way render only reads: GET and LIST, never a write.
 *
 * Before anything is rendered every multigres.com object of the files is
 * checked against its CRD, strictly (unknown fields are errors). Problems
 * are printed one per line, "FILE: Kind/name: path: message", warnings
 * with "Warning: " before them; the render goes to stdout only when there
 * is no error.
 */
#include "compat.h"

#include <errno.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "kinds.h"
#include "kube.h"
#include "log.h"
#include "model.h"
#include "render.h"
#include "resolve.h"
#include "xalloc.h"

#define STDIN_NAME "<stdin>"

static const struct cli_flag render_flags[] = {
	{ "children", 0, NULL,
	  "also the objects the operator would create for the cluster", NULL,
	  0 },
	{ "filename", 'f', "FILE",
	  "a file of objects (YAML or JSON, several documents; - is stdin); "
	  "may be repeated",
	  "@file", CLI_FLAG_LIST },
	{ "online", 0, NULL,
	  "with -f: use the namespace's templates and the stored cluster "
	  "from the API server",
	  NULL, 0 },
	{ "output", 'o', "FORMAT", "yaml (the default) or json", "yaml json",
	  0 },
	CLI_FLAG_END,
};

/* The objects in.objects[start..end) came from file. */
struct source {
	size_t start, end;
	const char *file;
};

struct run {
	struct cli_ctx *ctx;
	struct mg_render_input in;
	struct source *src;
	size_t nsrc;
	struct mg_findings f;
};

/* "FILE: Kind/name" (or "Kind/name" for an object of the cluster). */
static void
where(struct mg_buf *b, const char *file, const cJSON *obj)
{
	const char *kind = mg_json_str(obj, "kind");
	const char *name = mg_json_str(obj, "metadata.name");

	mg_buf_reset(b);
	if (file)
		mg_buf_addf(b, "%s: ", file);
	mg_buf_addf(b, "%s/%s", kind ? kind : "object", name ? name : "");
}

/* Prints the findings of severity sev from index start; returns how many. */
static size_t
print_findings(const struct mg_findings *f, size_t start,
	       enum mg_severity sev, const char *at)
{
	size_t i, n = 0;

	for (i = start; i < f->n; i++) {
		const struct mg_finding *x = &f->v[i];

		if (x->severity != sev)
			continue;
		fprintf(stderr, "%s%s: %s%s%s\n",
			sev == MG_SEV_WARNING ? "Warning: " : "", at, x->path,
			x->path[0] ? ": " : "", x->message);
		n++;
	}
	return n;
}

/* The file an object of the input came from, or NULL. */
static const char *
file_of(const struct run *r, const cJSON *obj)
{
	const cJSON *o;
	size_t i = 0, k;

	cJSON_ArrayForEach(o, r->in.objects) {
		if (o == obj)
			break;
		i++;
	}
	for (k = 0; k < r->nsrc; k++)
		if (i >= r->src[k].start && i < r->src[k].end)
			return r->src[k].file;
	return NULL;
}

static int
read_stdin(struct mg_buf *b, struct mg_err *err)
{
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (mg_buf_add(b, chunk, n))
			return mg_err_set(err, MG_ETOOBIG,
					  "standard input is larger than %zu "
					  "bytes",
					  b->max);
	if (ferror(stdin))
		return mg_err_set(err, MG_EIO, "cannot read standard input: %s",
				  strerror(errno));
	return 0;
}

/*
 * Reads one file into the input and checks its multigres.com objects
 * against their CRDs (strictly), printing every problem. Returns CLI_OK,
 * or CLI_FAILED (printed).
 */
static int
load_file(struct run *r, const char *path)
{
	struct mg_buf data = MG_BUF_INIT, at = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	const char *name = strcmp(path, "-") == 0 ? STDIN_NAME : path;
	size_t before = (size_t)cJSON_GetArraySize(r->in.objects), i = 0;
	size_t errors = 0;
	const cJSON *o;
	int rc;

	rc = strcmp(path, "-") == 0 ? read_stdin(&data, &err)
				    : mg_buf_read_file(&data, path, &err);
	if (!rc)
		rc = mg_render_input_add(&r->in, data.data, data.len, name,
					 &err);
	mg_buf_release(&data);
	if (rc)
		return cli_errorf(r->ctx, "%s", err.msg);
	r->src = mg_xrealloc(r->src, (r->nsrc + 1) * sizeof(*r->src));
	r->src[r->nsrc].start = before;
	r->src[r->nsrc].end = (size_t)cJSON_GetArraySize(r->in.objects);
	r->src[r->nsrc].file = name;
	r->nsrc++;

	cJSON_ArrayForEach(o, r->in.objects) {
		const char *api = mg_json_str(o, "apiVersion");
		const struct mg_kind_info *k;
		size_t start = r->f.n;

		if (i++ < before || !api || strcmp(api, MG_SCHEMA_API_VERSION))
			continue;
		/* mg_render_input_add refused any other kind */
		k = mg_model_kind_lookup(mg_json_str(o, "kind"));
		if (!k)
			continue;
		mg_schema_validate(k->kind, o, MG_SCHEMA_STRICT, &r->f);
		where(&at, name, o);
		errors += print_findings(&r->f, start, MG_SEV_ERROR, at.data);
	}
	mg_buf_release(&at);
	return errors ? CLI_FAILED : CLI_OK;
}

/* LIST of one resource into *out; CLI_OK or CLI_FAILED (printed). */
static int
list_kind(struct cli_ctx *ctx, struct mg_kube *kube, enum mg_kind kind,
	  const char *ns, cJSON **out)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_kube_res res;

	kind_res_of(kind, ns, &res);
	if (mg_kube_list(kube, &res, NULL, out, &err))
		return kind_fail(ctx, &mg_kind_infos[kind], &err);
	return CLI_OK;
}

/*
 * What admission looks up beyond the namespace: the nodes (zone
 * warnings) and the StorageClasses (the default-class rule). Either may be
 * forbidden to the user; then it stays unknown, as offline.
 */
static void
cluster_facts(struct mg_kube *kube, struct mg_render_opts *opts,
	      cJSON **nodes, cJSON **classes)
{
	static const struct mg_kube_res node_res = { "", "v1", "nodes", NULL };
	static const struct mg_kube_res sc_res = { "storage.k8s.io", "v1",
						   "storageclasses", NULL };
	struct mg_err err = MG_ERR_INIT;

	if (mg_kube_list(kube, &node_res, NULL, nodes, &err) == 0)
		opts->nodes = *nodes;
	else
		mg_log(MG_LOG_INFO, "render: nodes unknown (%s): zones not "
				    "checked", err.msg);
	if (mg_kube_list(kube, &sc_res, NULL, classes, &err) == 0)
		opts->no_default_storage_class =
			!mg_render_default_storage_class(*classes);
	else
		mg_log(MG_LOG_INFO, "render: StorageClasses unknown (%s): a "
				    "default one is assumed", err.msg);
}

static int
exec_render(struct cli_ctx *ctx)
{
	const unsigned formats = MG_CLI_OUT_BIT(MG_CLI_OUT_JSON) |
				 MG_CLI_OUT_BIT(MG_CLI_OUT_YAML);
	const char *const *files = cli_flag_values(ctx, "filename");
	struct run r;
	struct mg_render_opts opts = MG_RENDER_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf at = MG_BUF_INIT, out = MG_BUF_INIT;
	struct mg_templates *t = NULL;
	struct mg_kube *kube = NULL;
	enum mg_cli_output o;
	const cJSON *cluster = NULL;
	cJSON *live = NULL, *rendered = NULL, *nodes = NULL, *classes = NULL;
	cJSON *lists[3] = { NULL, NULL, NULL };
	const char *name = ctx->nargs ? ctx->args[0] : NULL, *ns;
	size_t i, stdins = 0, start;
	bool online;
	int rc = CLI_OK;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	if (mg_cli_output_parse(cli_flag_value(ctx, "output"), formats, &o,
				&err))
		return cli_usagef(ctx, "%s", err.msg);
	if (ctx->nargs > 1)
		return cli_usagef(ctx, "one cluster at a time: '%s' and '%s'",
				  ctx->args[0], ctx->args[1]);
	if (!files[0] && !name)
		return cli_usagef(ctx, "say what to render: -f FILE (offline) "
				       "or the name of a cluster (online)");
	if (ctx->g.all_namespaces)
		return cli_usagef(ctx, "a cluster renders in its own namespace: "
				       "drop -A");
	for (i = 0; files[i]; i++)
		if (strcmp(files[i], "-") == 0)
			stdins++;
	if (stdins > 1)
		return cli_usagef(ctx, "-f - (standard input) given %zu times",
				  stdins);
	online = !files[0] || cli_flag_set(ctx, "online");

	/* The files, each checked against the CRDs. */
	for (i = 0; files[i]; i++)
		if (load_file(&r, files[i]) != CLI_OK)
			rc = CLI_FAILED;
	if (rc)
		goto out;
	if (files[0] && mg_render_input_cluster(&r.in, name, &cluster, &err)) {
		rc = cli_errorf(ctx, "%s", err.msg);
		goto out;
	}

	if (online) {
		struct mg_kube_res res;
		const char *cname;

		if (cli_client(ctx, &kube, &err)) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
		ns = cluster ? mg_json_str(cluster, "metadata.namespace") : NULL;
		if (!ns || !ns[0])
			ns = cli_namespace(ctx);
		cname = cluster ? mg_json_str(cluster, "metadata.name") : name;
		kind_res_of(MG_KIND_MULTIGRESCLUSTER, ns, &res);
		if (mg_kube_get(kube, &res, cname, NULL, &live, &err)) {
			/* A cluster that does not exist yet is a create. */
			if (!cluster || err.code != MG_ENOTFOUND ||
			    !err.reason[0]) {
				rc = kind_fail(ctx,
					       &mg_kind_infos[MG_KIND_MULTIGRESCLUSTER],
					       &err);
				goto out;
			}
			mg_log(MG_LOG_INFO, "render: no MultigresCluster '%s' "
					    "in '%s': rendered as created",
			       cname, ns);
		}
		if (!cluster)
			cluster = live;
		else
			opts.old = live;
		t = mg_templates_new();
		for (i = 0; i < ARRAY_SIZE(lists); i++) {
			static const enum mg_kind kinds[] = {
				MG_KIND_CORETEMPLATE, MG_KIND_CELLTEMPLATE,
				MG_KIND_SHARDTEMPLATE,
			};

			rc = list_kind(ctx, kube, kinds[i], ns, &lists[i]);
			if (rc)
				goto out;
			if (mg_templates_add_list(t, lists[i], ns, &err) < 0) {
				rc = cli_errorf(ctx, "%s", err.msg);
				goto out;
			}
		}
		cluster_facts(kube, &opts, &nodes, &classes);
		/* -n against the file's namespace is mg_render's to refuse */
		opts.namespace = ctx->g.ns && ctx->g.ns[0] ? ctx->g.ns : ns;
	} else {
		/* The namespace mg_render settles on, for the templates. */
		ns = mg_json_str(cluster, "metadata.namespace");
		if (!ns || !ns[0])
			ns = ctx->g.ns && ctx->g.ns[0] ? ctx->g.ns : "default";
		opts.namespace = ctx->g.ns;
		t = mg_templates_new();
	}
	if (files[0] && mg_render_input_add_templates(&r.in, ns, t, &err) < 0) {
		rc = cli_errorf(ctx, "%s", err.msg);
		goto out;
	}

	opts.children = cli_flag_set(ctx, "children");
	opts.strict = files[0] != NULL;
	start = r.f.n;
	where(&at, files[0] ? file_of(&r, cluster) : NULL, cluster);
	if (mg_render(&rendered, cluster, t, &opts, &r.f, &err)) {
		print_findings(&r.f, start, MG_SEV_WARNING, at.data);
		if (!print_findings(&r.f, start, MG_SEV_ERROR, at.data))
			cli_errorf(ctx, "%s", err.msg);
		rc = CLI_FAILED;
		goto out;
	}
	print_findings(&r.f, start, MG_SEV_WARNING, at.data);
	if (mg_render_emit(&out, rendered,
			   o == MG_CLI_OUT_JSON ? MG_RENDER_JSON
						: MG_RENDER_YAML,
			   &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_out(&out);
out:
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		cJSON_Delete(lists[i]);
	cJSON_Delete(nodes);
	cJSON_Delete(classes);
	cJSON_Delete(rendered);
	cJSON_Delete(live);
	mg_templates_free(t);
	mg_findings_release(&r.f);
	mg_render_input_release(&r.in);
	free(r.src);
	mg_buf_release(&at);
	mg_buf_release(&out);
	return rc;
}

const struct cli_cmd cli_cmd_render = {
	.name = "render",
	.usage = "[CLUSTER] [-f FILE...]",
	.summary = "print a cluster as the operator resolves it, and its children",
	.help = "Print a MultigresCluster with every template and default applied\n"
		"and, with --children, the objects the operator would create for it,\n"
		"as YAML (one document each) or JSON, keys in a stable order so that\n"
		"two renders diff well.\n"
		"\n"
		"With -f the cluster and its templates come from the files, and the\n"
		"API server is not contacted: a default StorageClass is assumed and\n"
		"zones are not checked. CLUSTER picks one when the files hold\n"
		"several. With CLUSTER alone, the stored cluster and the templates\n"
		"of its namespace are read from the API server. With -f and --online,\n"
		"the files' cluster is rendered against the namespace's templates\n"
		"(the files' own replace those of the same kind and name) and, when\n"
		"it exists, as an update of the stored cluster: removed cells and\n"
		"pools are errors. Render never changes anything in the cluster.\n"
		"\n"
		"Every multigres.com object of the files is checked against its CRD\n"
		"first; unknown fields are errors. Problems are printed on stderr,\n"
		"one per line: FILE: Kind/name: field.path: message. Warnings start\n"
		"with 'Warning: ' and do not stop the render.",
	.examples = "  kubectl multigres render -f cluster.yaml\n"
		    "  kubectl multigres render -f templates.yaml -f cluster.yaml --children\n"
		    "  kubectl multigres render main -n prod -o json\n"
		    "  kubectl multigres render -f cluster.yaml --online -n prod\n",
	.flags = render_flags,
	.complete = "cluster",
	.exec = exec_render,
};
