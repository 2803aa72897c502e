/*
 * cmd_switchover.c - `switchover SHARD`: a controlled switchover through
 * multiadmin's REST API (switch-primary): the primary resigns and
 * multiorch promotes a standby of its choosing. multiadmin is reached
 * through the API server's service proxy, or at --admin-url.
 *
 * A front-end over shared/action.h: load the Shard and its pods, ask
 * multiadmin for the shard's poolers, plan (preflight checks), print the
 * plan, stop on a refusal or --dry-run, confirm, send switch-primary, and
 * with --wait poll topology until another primary serves.
 *
 * SHARD is the Shard's name, "shard/NAME", CLUSTER/DATABASE/TABLEGROUP/
 * SHARD (the name the operator gives that shard), or a cluster's name
 * when that cluster has one Shard.
 */
#include "compat.h"

#include "action.h"
#include "actcli.h"
#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "kube.h"
#include "labels.h"
#include "multiadmin.h"
#include "names.h"
#include "xalloc.h"

static const struct cli_flag switchover_flags[] = {
	{ "admin-ca", 0, "FILE",
	  "with an https --admin-url: the CA bundle to trust", "@file", 0 },
	{ "admin-url", 0, "URL",
	  "reach multiadmin at URL (a port-forward...) instead of through the API server",
	  NULL, 0 },
	CLI_FLAG_DRY_RUN,
	{ "force", 0, NULL,
	  "switch over while a drain or rolling update is in flight", NULL, 0 },
	{ "timeout", 0, "DURATION",
	  "how long --wait waits for a new primary (default 60s)", NULL, 0 },
	{ "to", 0, "POD",
	  "refused: multiadmin cannot choose the new primary", NULL, 0 },
	{ "wait", 0, NULL, "wait until topology shows a new primary", NULL, 0 },
	CLI_FLAG_YES,
	CLI_FLAG_END,
};

static const struct mg_kube_res shards_res = { "multigres.com", "v1alpha1",
					       "shards", NULL };

/*
 * The Shard name the argument spells, without I/O: NAME, shard/NAME
 * (shards/, srd/), or CLUSTER/DATABASE/TABLEGROUP/SHARD. *name is
 * malloc'd; CLI_USAGE (printed) for anything else.
 */
static int
shard_name(struct cli_ctx *ctx, const char *arg, char **name)
{
	static const char *const prefixes[] = { "shard/", "shards/", "srd/" };
	const char *p = arg;
	char *parts[4] = { NULL, NULL, NULL, NULL };
	size_t n = 0;
	int rc = CLI_OK;

	*name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(arg, prefixes[i], strlen(prefixes[i]))) {
			arg += strlen(prefixes[i]);
			break;
		}
	if (!strchr(arg, '/')) {
		if (!*arg)
			return cli_usagef(ctx, "'%s' names no shard", p);
		*name = mg_xstrdup(arg);
		return CLI_OK;
	}
	for (p = arg; n < ARRAY_SIZE(parts); n++) {
		size_t len = strcspn(p, "/");

		parts[n] = mg_xstrndup(p, len);
		p += len;
		if (!*p || !parts[n][0])
			break;
		p++;
	}
	if (n != 3 || *p || !parts[3][0]) {
		rc = cli_usagef(ctx, "'%s': give a Shard name or CLUSTER/DATABASE/TABLEGROUP/SHARD",
				arg);
	} else {
		const struct mg_name_shard_key key = { parts[0], parts[1], parts[2], parts[3] };
		struct mg_err err = MG_ERR_INIT;

		if (mg_name_shard_cr(name, &key, &err))
			rc = cli_usagef(ctx, "'%s': %s", arg, err.msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		free(parts[i]);
	return rc;
}

/*
 * Loads the Shard the argument names (and its pods). A plain name that is
 * no Shard may be a cluster's: its only Shard is taken; several are a
 * usage error naming them.
 */
static int
load_shard(struct cli_ctx *ctx, struct mg_kube *kube, const char *ns,
	   const char *arg, struct mg_action_objects *objs)
{
	struct mg_kube_res res = shards_res;
	struct mg_err err = MG_ERR_INIT, lerr = MG_ERR_INIT;
	struct mg_buf sel = MG_BUF_INIT, names = MG_BUF_INIT;
	struct mg_list_opts lo = { NULL, NULL, 0 };
	cJSON *list = NULL;
	const cJSON *it;
	char *name = NULL;
	int rc, n;

	rc = shard_name(ctx, arg, &name);
	if (rc)
		return rc;
	rc = mg_action_load_shard(kube, ns, name, objs, &err);
	if (rc != MG_ENOTFOUND || strchr(arg, '/')) {
		rc = rc ? cli_fail(ctx, &err) : CLI_OK;
		goto out;
	}
	/* not a Shard: a cluster with one? */
	res.ns = ns;
	mg_buf_addf(&sel, "%s=%s", MG_LABEL_CLUSTER, name);
	lo.label_selector = sel.data;
	if (mg_kube_list(kube, &res, &lo, &list, &lerr)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	n = cJSON_GetArraySize(mg_json_get(list, "items"));
	if (n == 0) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	mg_json_array_foreach(it, mg_json_get(list, "items"))
		mg_buf_addf(&names, "%s%s", names.len ? ", " : "",
			    mg_json_str(it, "metadata.name"));
	if (n > 1) {
		rc = cli_usagef(ctx, "cluster '%s' has %d shards (%s): name one", name, n,
				names.data);
		goto out;
	}
	rc = mg_action_load_shard(kube, ns, names.data, objs, &err);
	rc = rc ? cli_fail(ctx, &err) : CLI_OK;
out:
	cJSON_Delete(list);
	mg_buf_release(&sel);
	mg_buf_release(&names);
	free(name);
	return rc;
}

/*
 * An error of a multiadmin call. At --admin-url it is multiadmin's own
 * (its message, gRPC code and HTTP status); through the proxy an API
 * server answer is worded as kubectl words them. A wait that ran out is
 * neither.
 */
static int
admin_fail(const struct cli_ctx *ctx, bool direct, const struct mg_err *err)
{
	if (direct && err->http_status && err->reason[0])
		return cli_errorf(ctx, "%s (%s, HTTP %ld)", err->msg, err->reason,
				  err->http_status);
	if (direct || (!err->http_status && err->code != MG_ETRANSPORT))
		return cli_errorf(ctx, "%s", err->msg);
	cli_fail(ctx, err);
	if (err->code == MG_ENOTFOUND || err->code == MG_ETRANSPORT ||
	    err->http_status == 503)
		cli_errorf(ctx, "multiadmin was asked through the API server's service "
			   "proxy; --admin-url reaches it another way (a port-forward...)");
	return CLI_FAILED;
}

/* The wait's lines; the header once switch-primary was accepted. */
struct progress {
	const struct cli_ctx *ctx;
	const struct mg_action_switchover_plan *plan;
	bool header;
};

static void
on_progress(void *data, const char *status, int64_t elapsed_ms)
{
	struct progress *pr = data;

	if (!pr->header) {
		printf("switch-primary accepted; waiting for a new primary of %s/%s/%s "
		       "(up to %s):\n", pr->plan->database, pr->plan->tablegroup,
		       pr->plan->shard_name,
		       cli_flag_set(pr->ctx, "timeout") ? cli_flag_value(pr->ctx, "timeout")
							: "60s");
		pr->header = true;
	}
	actcli_progress(elapsed_ms, status);
}

static int
run(struct cli_ctx *ctx, struct mg_multiadmin *admin, bool direct,
    const struct mg_action_switchover_plan *plan, long timeout_ms)
{
	const struct mg_multiadmin_shard key = { plan->database, plan->tablegroup,
						 plan->shard_name };
	struct progress pr = { ctx, plan, false };
	struct mg_action_switchover_opts so = { NULL, timeout_ms, 0, on_progress, &pr };
	struct mg_action_switchover_result res;
	struct mg_multiadmin_id old;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf b = MG_BUF_INIT;

	if (!cli_flag_set(ctx, "wait")) {
		if (mg_multiadmin_switch_primary(admin, &key, NULL, &old, &err))
			return admin_fail(ctx, direct, &err);
		printf("switch-primary accepted: the primary %s (%s/%s) is resigning; "
		       "multiorch promotes a standby next (--wait follows it)\n",
		       *plan->primary_pod ? plan->primary_pod : "?",
		       old.name[0] ? old.cell : plan->primary.cell,
		       old.name[0] ? old.name : plan->primary.name);
		return CLI_OK;
	}
	if (mg_action_switchover_apply(admin, plan, &so, &res, &err))
		return admin_fail(ctx, direct, &err);
	mg_buf_adds(&b, "Switched over: ");
	mg_action_switchover_result_text(&res, &b);
	cli_out(&b);
	mg_buf_release(&b);
	return CLI_OK;
}

static int
exec_switchover(struct cli_ctx *ctx)
{
	struct mg_action_objects objs = { NULL, NULL, NULL };
	struct mg_multiadmin_poolers poolers = { NULL, 0 };
	struct mg_action_switchover_plan plan;
	struct mg_multiadmin_shard key;
	struct mg_multiadmin_opts mo = MG_MULTIADMIN_OPTS_INIT;
	struct mg_multiadmin *admin = NULL;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT;
	struct mg_kube *kube = NULL;
	const char *ns, *cluster = NULL, *url = cli_flag_value(ctx, "admin-url");
	char *question = NULL;
	long timeout_ms;
	int rc;

	memset(&plan, 0, sizeof(plan));
	if (ctx->nargs == 0)
		return cli_usagef(ctx, "give the shard to switch over");
	if (ctx->nargs > 1)
		return cli_usagef(ctx, "give one shard, not %d", ctx->nargs);
	if (ctx->g.all_namespaces)
		return cli_usagef(ctx, "a shard is in one namespace; drop -A or give -n");
	if (cli_flag_set(ctx, "admin-ca") && !url)
		return cli_usagef(ctx, "--admin-ca is for an https --admin-url");
	rc = actcli_timeout(ctx, &timeout_ms);
	if (rc)
		return rc;
	if (cli_client(ctx, &kube, &err))
		return cli_fail(ctx, &err);
	ns = cli_namespace(ctx);

	rc = load_shard(ctx, kube, ns, ctx->args[0], &objs);
	if (rc)
		goto out;
	if (mg_action_shard_key(&key, &cluster, objs.shard, &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (url) {
		mo.ca_file = cli_flag_value(ctx, "admin-ca");
		if (ctx->g.timeout_ms >= 0)
			mo.timeout_ms = ctx->g.timeout_ms;
		if (mg_multiadmin_new_url(&admin, url, &mo, &err)) {
			rc = cli_usagef(ctx, "--admin-url: %s", err.msg);
			goto out;
		}
	} else if (!cluster) {
		rc = cli_errorf(ctx, "Shard '%s' has no %s label, so its multiadmin is "
				"unknown; give --admin-url",
				mg_json_str(objs.shard, "metadata.name"), MG_LABEL_CLUSTER);
		goto out;
	} else if (mg_multiadmin_new_proxy(&admin, kube, ns, cluster, &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (mg_multiadmin_poolers(admin, &key, &poolers, &err)) {
		rc = admin_fail(ctx, url != NULL, &err);
		goto out;
	}
	{
		const struct mg_action_switchover_input in = {
			objs.shard, objs.pods, &poolers, cli_flag_value(ctx, "to"),
			NULL, 0, cli_flag_set(ctx, "force"),
		};

		if (mg_action_switchover_plan(&plan, &in, &err)) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
	}
	mg_action_switchover_plan_text(&plan, &text);
	cli_out(&text);
	fflush(stdout);

	if (!plan.verdict.allowed) {
		bool forceable = true;

		for (size_t i = 0; i < plan.verdict.nreasons; i++)
			forceable = forceable && plan.verdict.reasons[i].forceable;
		if (mg_action_verdict_has(&plan.verdict, MG_ACTION_TARGET_UNSUPPORTED))
			rc = cli_errorf(ctx, "--to cannot be honoured: multiadmin's switch-primary "
					"does not let anyone choose the new primary; nothing was sent");
		else
			rc = cli_errorf(ctx, "switchover of shard %s/%s/%s refused; nothing was "
					"sent%s", plan.database, plan.tablegroup, plan.shard_name,
					forceable ? " (--force overrides these checks)" : "");
		goto out;
	}
	if (cli_dry_run(ctx)) {
		printf("Dry run: switch-primary was not sent to %s\n", mg_multiadmin_where(admin));
		rc = CLI_OK;
		goto out;
	}
	question = actcli_question(plan.confirm);
	rc = cli_confirm(ctx, question, NULL);
	if (rc)
		goto out;
	rc = run(ctx, admin, url != NULL, &plan, timeout_ms);
out:
	free(question);
	mg_buf_release(&text);
	mg_action_switchover_plan_release(&plan);
	mg_multiadmin_poolers_release(&poolers);
	mg_multiadmin_free(admin);
	mg_action_objects_release(&objs);
	return rc;
}

const struct cli_cmd cli_cmd_switchover = {
	.name = "switchover",
	.usage = "SHARD",
	.summary = "move a shard's primary to a standby, in a controlled way",
	.help =
		"Switch a shard's primary over through multiadmin's switch-primary: the\n"
		"primary resigns (writes pause; the gateways buffer them) and multiorch\n"
		"promotes the most advanced standby. Which standby cannot be chosen:\n"
		"--to is refused, plainly.\n"
		"\n"
		"SHARD is a Shard's name (or shard/NAME), CLUSTER/DATABASE/TABLEGROUP/SHARD,\n"
		"or a cluster's name when the cluster has one shard.\n"
		"\n"
		"multiadmin is reached through the API server's service proxy\n"
		"(service CLUSTER-multiadmin, port 18000), or at --admin-url (a\n"
		"port-forward, for example).\n"
		"\n"
		"First the plan is printed: the primary, the healthy replicas, and the\n"
		"checks: a healthy replica must exist and no switchover may be under\n"
		"way (these cannot be forced); no drain or rolling update may be in\n"
		"flight (--force overrides). Then it asks for confirmation (--yes does\n"
		"not ask; without a terminal, it refuses unless --yes is given).\n"
		"--dry-run prints the plan and sends nothing. --wait polls topology until\n"
		"another primary serves and reports the old and new primary and the\n"
		"time it took.",
	.examples =
		"  # The plan for a cluster's only shard\n"
		"  kubectl multigres switchover main --dry-run\n"
		"\n"
		"  # Through a port-forward, without asking, following the switchover\n"
		"  kubectl port-forward svc/main-multiadmin 18000 &\n"
		"  kubectl multigres switchover main/postgres/default/0-inf \\\n"
		"      --admin-url http://127.0.0.1:18000 --yes --wait\n",
	.flags = switchover_flags,
	.complete = "shard",
	.exec = exec_switchover,
};
