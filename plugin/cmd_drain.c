/*
 * cmd_drain.c - `drain POD`: asks the operator to drain a pool pod, the
 * way the operator reads such a request: the drain annotations
 * (drain.multigres.com/state=requested and requested-at), sent as one
 * merge patch that carries the pod's resourceVersion.
 *
 * A front-end over shared/action.h: load the pod, its Shard and the
 * shard's pods, plan, print the plan, stop on a refusal (unless --force
 * and every reason can be forced) or --dry-run, confirm, apply, and with
 * --wait follow the drain states the operator writes.
 */
#include "compat.h"

#include "action.h"
#include "actcli.h"
#include "buf.h"
#include "cli.h"
#include "err.h"
#include "timeutil.h"
#include "xalloc.h"

static const struct cli_flag drain_flags[] = {
	CLI_FLAG_DRY_RUN,
	{ "force", 0, NULL,
	  "drain even though a check refuses (not the checks that cannot be forced)",
	  NULL, 0 },
	{ "timeout", 0, "DURATION",
	  "how long --wait waits (e.g. 90s, 10m; default 6m)", NULL, 0 },
	{ "wait", 0, NULL,
	  "follow the drain states until the pod is ready for deletion or gone",
	  NULL, 0 },
	CLI_FLAG_YES,
	CLI_FLAG_END,
};

/* "pod/NAME" and "pods/NAME" name a pod too, as kubectl takes them. */
static const char *
pod_name(const char *arg)
{
	if (!strncmp(arg, "pod/", 4))
		return arg + 4;
	if (!strncmp(arg, "pods/", 5))
		return arg + 5;
	return arg;
}

static void
on_state(void *data, const char *pod, enum mg_drain_state state,
	 int64_t elapsed_ms)
{
	(void)data;
	(void)pod;
	actcli_progress(elapsed_ms, state == MG_DRAIN_NONE ? "no drain state"
							   : mg_drain_state_name(state));
}

/* --wait: follows the drain; CLI_OK when it finished. */
static int
wait_drain(struct cli_ctx *ctx, struct mg_kube *kube,
	   const struct mg_action_drain_plan *plan, long timeout_ms)
{
	struct mg_action_drain_wait_opts wo = { timeout_ms, false, on_state, NULL };
	enum mg_action_drain_outcome outcome = MG_ACTION_DRAIN_READY;
	struct mg_err err = MG_ERR_INIT;
	int64_t t0 = mg_time_mono_ms();
	double secs;

	printf("Waiting for the operator to drain pod %s/%s (up to %s):\n",
	       plan->ns, plan->pod,
	       cli_flag_set(ctx, "timeout") ? cli_flag_value(ctx, "timeout") : "6m");
	fflush(stdout);
	if (mg_action_drain_wait(kube, plan, &wo, &outcome, &err)) {
		/* a timeout of the wait, not of the API server */
		if (err.code == MG_ETIMEOUT)
			return cli_errorf(ctx, "%s", err.msg);
		return cli_fail(ctx, &err);
	}
	secs = (double)(mg_time_mono_ms() - t0) / 1000;
	switch (outcome) {
	case MG_ACTION_DRAIN_READY:
		printf("Drained: pod %s/%s is ready for deletion (%.1f s); the operator "
		       "deletes it next\n", plan->ns, plan->pod, secs);
		return CLI_OK;
	case MG_ACTION_DRAIN_DELETED:
		printf("Drained: pod %s/%s was deleted (%.1f s)\n", plan->ns, plan->pod,
		       secs);
		return CLI_OK;
	case MG_ACTION_DRAIN_CANCELLED:
		break;
	}
	return cli_errorf(ctx,
			  "the drain of pod %s/%s was cancelled after %.1f s: its drain "
			  "annotations were removed (the operator cancels a drain it finds "
			  "unneeded; see its DrainCancelled event)",
			  plan->ns, plan->pod, secs);
}

static int
exec_drain(struct cli_ctx *ctx)
{
	struct mg_action_objects objs = { NULL, NULL, NULL };
	struct mg_action_drain_plan plan;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT;
	struct mg_kube *kube = NULL;
	const char *ns, *pod;
	char *question = NULL;
	long timeout_ms;
	int rc;

	memset(&plan, 0, sizeof(plan));
	if (ctx->nargs == 0)
		return cli_usagef(ctx, "give the pod to drain");
	if (ctx->nargs > 1)
		return cli_usagef(ctx, "give one pod, not %d", ctx->nargs);
	if (ctx->g.all_namespaces)
		return cli_usagef(ctx, "a pod is drained in one namespace; drop -A or give -n");
	pod = pod_name(ctx->args[0]);
	if (!*pod || strchr(pod, '/'))
		return cli_usagef(ctx, "'%s' is not a pod name", ctx->args[0]);
	rc = actcli_timeout(ctx, &timeout_ms);
	if (rc)
		return rc;
	if (cli_client(ctx, &kube, &err))
		return cli_fail(ctx, &err);
	ns = cli_namespace(ctx);

	if (mg_action_load_pod(kube, ns, pod, &objs, &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	{
		const struct mg_action_drain_input in = {
			objs.pod, objs.shard, objs.pods, ctx->now,
			cli_flag_set(ctx, "force"),
		};

		if (mg_action_drain_plan(&plan, &in, &err)) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
	}
	mg_action_drain_plan_text(&plan, &text);
	cli_out(&text);
	fflush(stdout);

	if (!plan.verdict.allowed) {
		bool forceable = true;

		for (size_t i = 0; i < plan.verdict.nreasons; i++)
			forceable = forceable && plan.verdict.reasons[i].forceable;
		rc = cli_errorf(ctx, "drain of pod %s/%s refused; nothing was changed%s",
				plan.ns, plan.pod,
				forceable ? " (--force overrides these checks)" : "");
		goto out;
	}
	if (cli_dry_run(ctx)) {
		puts("Dry run: the patch was not sent");
		rc = CLI_OK;
		goto out;
	}
	question = actcli_question(plan.confirm);
	rc = cli_confirm(ctx, question, NULL);
	if (rc)
		goto out;
	if (mg_action_drain_apply(kube, &plan, false, NULL, &err)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	printf("pod/%s drain requested at %s\n", plan.pod, plan.requested_at);
	fflush(stdout);
	if (cli_flag_set(ctx, "wait"))
		rc = wait_drain(ctx, kube, &plan, timeout_ms);
out:
	free(question);
	mg_buf_release(&text);
	mg_action_drain_plan_release(&plan);
	mg_action_objects_release(&objs);
	return rc;
}

const struct cli_cmd cli_cmd_drain = {
	.name = "drain",
	.usage = "POD",
	.summary = "ask the operator to drain a pool pod",
	.help =
		"Ask the operator to drain a pool pod, the way it reads such a request:\n"
		"the annotations drain.multigres.com/state=requested and\n"
		"drain.multigres.com/requested-at, sent as one merge patch that applies\n"
		"only while the pod is as it was read. The operator then moves the pod\n"
		"through draining, acknowledged and ready-for-deletion, and deletes it.\n"
		"\n"
		"First the plan is printed: the pod and its shard, the patch, and the\n"
		"checks. The drain is refused when it would leave the shard without a\n"
		"serving primary or below its durability policy, when another pod of\n"
		"the shard is draining, or when the pod is draining or terminating\n"
		"already; --force overrides the checks that can be overridden.\n"
		"Then it asks for confirmation (--yes does not ask; without a terminal,\n"
		"it refuses unless --yes is given). --dry-run prints the plan and sends\n"
		"nothing. --wait follows the drain states until the pod is ready for\n"
		"deletion or gone.",
	.examples =
		"  # See what a drain would do\n"
		"  kubectl multigres drain mc-postgres-default-0-inf-pool-main-zone1-c3233457-1 --dry-run\n"
		"\n"
		"  # Drain a pod without asking, and wait for the operator\n"
		"  kubectl multigres -n prod drain POD --yes --wait --timeout 10m\n",
	.flags = drain_flags,
	.complete = "pod",
	.exec = exec_drain,
};
