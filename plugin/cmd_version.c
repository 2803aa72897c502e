/*
 * cmd_version.c - `version`: this plugin's version, the API server's, and
 * the Multigres operator's when one is found.
 *
 * The operator is found as upstream installs it: Deployments labelled
 * app.kubernetes.io/name=multigres-operator in any namespace, else (when
 * listing every namespace is not allowed) the Deployment
 * multigres-operator-controller-manager in namespace multigres-operator
 * (multigres-operator-facts.md, 8.4 and 10). Its version is the
 * app.kubernetes.io/version label, else the tag of the image of its
 * "manager" container (or of its first one).
 */
#include "compat.h"

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "kube.h"

#define OPERATOR_LABEL "app.kubernetes.io/name=multigres-operator"
#define OPERATOR_NS "multigres-operator"
#define OPERATOR_NAME "multigres-operator-controller-manager"

static const struct cli_flag version_flags[] = {
	{ "client", 0, NULL, "print the client version only", NULL, 0 },
	{ "output", 'o', "FORMAT", "json or yaml", "json yaml", 0 },
	CLI_FLAG_END,
};

/* The image of the "manager" container, else of the first one. */
static const char *
operator_image(const cJSON *dep)
{
	const cJSON *cs = mg_json_get(dep, "spec.template.spec.containers");
	const cJSON *c;

	cJSON_ArrayForEach(c, cs) {
		const char *name = mg_json_str(c, "name");

		if (name && !strcmp(name, "manager"))
			return mg_json_str(c, "image");
	}
	return mg_json_str(dep, "spec.template.spec.containers.0.image");
}

/* The version label, else the image's tag (not a digest), else "". */
static void
operator_version(struct mg_buf *out, const cJSON *dep)
{
	const cJSON *labels = mg_json_get(dep, "metadata.labels");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels,
							  "app.kubernetes.io/version");
	const char *image = operator_image(dep), *slash, *colon;

	if (cJSON_IsString(v) && *v->valuestring) {
		mg_buf_adds(out, v->valuestring);
		return;
	}
	if (!image || strchr(image, '@'))
		return;
	slash = strrchr(image, '/');
	colon = strrchr(image, ':');
	if (colon && (!slash || colon > slash))
		mg_buf_adds(out, colon + 1);
}

/*
 * The operator Deployments: a JSON array of {namespace, name, version,
 * image} into *out (possibly empty). A failure of both ways to look is
 * returned in err.
 */
static int
find_operator(struct mg_kube *kube, cJSON **out, struct mg_err *err)
{
	const struct mg_kube_res all = { "apps", "v1", "deployments", NULL };
	const struct mg_kube_res one = { "apps", "v1", "deployments", OPERATOR_NS };
	struct mg_list_opts lo = { OPERATOR_LABEL, NULL, 0 };
	cJSON *list = NULL, *dep = NULL, *found = cJSON_CreateArray();
	const cJSON *items, *it;
	int rc;

	rc = mg_kube_list(kube, &all, &lo, &list, err);
	if (rc == MG_EAUTH) {
		/* not allowed to list every namespace: look where upstream
		 * installs it */
		rc = mg_kube_get(kube, &one, OPERATOR_NAME, NULL, &dep, err);
		if (rc == 0 || rc == MG_ENOTFOUND) {
			list = cJSON_CreateObject();
			cJSON_AddItemToObject(list, "items", cJSON_CreateArray());
			if (dep)
				cJSON_AddItemToArray(mg_json_get(list, "items"), dep);
			dep = NULL;
			rc = 0;
		}
	}
	if (rc)
		goto out;
	items = mg_json_get(list, "items");
	cJSON_ArrayForEach(it, items) {
		struct mg_buf ver = MG_BUF_INIT;
		cJSON *o = cJSON_CreateObject();
		const char *image = operator_image(it);

		operator_version(&ver, it);
		mg_json_set_str(o, "namespace", mg_json_str(it, "metadata.namespace"));
		mg_json_set_str(o, "name", mg_json_str(it, "metadata.name"));
		mg_json_set_str(o, "version", ver.data);
		mg_json_set_str(o, "image", image ? image : "");
		cJSON_AddItemToArray(found, o);
		mg_buf_release(&ver);
	}
	*out = found;
	found = NULL;
out:
	cJSON_Delete(found);
	cJSON_Delete(list);
	cJSON_Delete(dep);
	return rc;
}

static int
exec_version(struct cli_ctx *ctx)
{
	const unsigned formats = MG_CLI_OUT_BIT(MG_CLI_OUT_JSON) |
				 MG_CLI_OUT_BIT(MG_CLI_OUT_YAML);
	struct mg_err err = MG_ERR_INIT, operr = MG_ERR_INIT;
	enum mg_cli_output o;
	struct mg_kube *kube;
	struct mg_buf b = MG_BUF_INIT;
	cJSON *doc = cJSON_CreateObject(), *server = NULL, *ops = NULL;
	cJSON *client;
	const cJSON *it;
	int rc = CLI_OK, oprc = 0;

	if (ctx->nargs)
		rc = cli_usagef(ctx, "version takes no arguments");
	else if (mg_cli_output_parse(cli_flag_value(ctx, "output"), formats, &o,
				     &err))
		rc = cli_usagef(ctx, "%s", err.msg);
	if (rc)
		goto out;

	client = cJSON_AddObjectToObject(doc, "clientVersion");
	mg_json_set_str(client, "version", "v" MG_VERSION);
	if (!cli_flag_set(ctx, "client")) {
		if (cli_client(ctx, &kube, &err) ||
		    mg_kube_version(kube, &server, &err)) {
			rc = CLI_FAILED;
		} else {
			cJSON_AddItemToObject(doc, "serverVersion", server);
			oprc = find_operator(kube, &ops, &operr);
			if (ops)
				cJSON_AddItemToObject(doc, "operators", ops);
		}
	}

	if (o != MG_CLI_OUT_TABLE) {
		if (cli_print_doc(ctx, doc, o))
			rc = CLI_FAILED;
	} else {
		mg_buf_addf(&b, "Client Version: v%s\n", MG_VERSION);
		if (server)
			mg_buf_addf(&b, "Server Version: %s\n",
				    mg_json_str(server, "gitVersion")
				    ? mg_json_str(server, "gitVersion") : "unknown");
		if (oprc) {
			mg_buf_addf(&b, "Operator Version: unknown (%s)\n",
				    operr.msg);
		} else if (ops && !cJSON_GetArraySize(ops)) {
			mg_buf_adds(&b, "Operator Version: not found (no Deployment "
					"labelled " OPERATOR_LABEL ")\n");
		}
		cJSON_ArrayForEach(it, ops) {
			const char *v = mg_json_str(it, "version");

			mg_buf_addf(&b, "Operator Version: %s (%s/%s)\n",
				    v && *v ? v : "unknown",
				    mg_json_str(it, "namespace"),
				    mg_json_str(it, "name"));
		}
		cli_out(&b);
	}
	if (rc == CLI_FAILED) {
		fflush(stdout);
		cli_fail(ctx, &err);
	}
out:
	cJSON_Delete(doc);
	mg_buf_release(&b);
	return rc;
}

const struct cli_cmd cli_cmd_version = {
	.name = "version",
	.usage = "",
	.summary = "print the plugin, API server and operator versions",
	.help = "Print the version of this plugin, of the Kubernetes API server and\n"
		"of the Multigres operator: Deployments labelled\n"
		OPERATOR_LABEL " (else " OPERATOR_NS "/" OPERATOR_NAME "),\n"
		"their app.kubernetes.io/version label or their image tag. Without\n"
		"an operator the command still succeeds and says so.",
	.examples = "  kubectl multigres version\n"
		    "  kubectl multigres version --client\n"
		    "  kubectl multigres version -o json\n",
	.flags = version_flags,
	.exec = exec_version,
};
