/*
 * cmd_complete.c - `__complete WORDS... CURRENT`, hidden: the completion
 * engine behind the bash, zsh and fish scripts and behind kubectl's own
 * completion (which runs kubectl_complete-multigres, a link to us, with
 * the same words).
 *
 * The protocol is cobra's, as kubectl expects from plugins: one candidate
 * per line, optionally followed by a tab and a description, then a line
 * ":<directive>" where the directive is a bit set: 4 "do not fall back to
 * file names", 0 "nothing special" (the shell may complete file names).
 *
 * It walks the words as the parser would (global flags anywhere, the
 * command, its flags, its positional arguments) and completes the last:
 * flag names, flag values (fixed words, namespaces, kubeconfig contexts,
 * clusters and users, file names), command names, and the command's
 * positional arguments by the hints of its table row (kinds, and object,
 * cluster, shard and pod names read from the cluster the flags so far
 * point at, with a short timeout and no retries). Errors print nothing:
 * a dead API server never spoils a prompt.
 */
#include "compat.h"

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "kinds.h"
#include "kube.h"
#include "kubeconfig.h"
#include "labels.h"
#include "xalloc.h"

#define DIRECTIVE_DEFAULT 0
#define DIRECTIVE_NOFILE 4
#define TIMEOUT_MS 3000

struct walk {
	struct cli_ctx ctx;               /* globals and the command */
	const struct cli_flag *pending;   /* a flag still wanting its value */
	bool pending_global;
	bool dashdash;
	char **pos;
	int npos;
	const char *cur;                  /* the word being completed */
	int directive;
};

static void
emit(struct walk *w, const char *cand, const char *desc)
{
	if (strncmp(cand, w->cur, strlen(w->cur)))
		return;
	if (desc && *desc)
		printf("%s\t%s\n", cand, desc);
	else
		printf("%s\n", cand);
}

/* Records a global flag's value (only those that choose the cluster). */
static void
take_value(struct walk *w, const struct cli_flag *f, bool global,
	   const char *v)
{
	struct cli_globals *g = &w->ctx.g;

	if (!global)
		return;
	if (!strcmp(f->name, "kubeconfig"))
		g->kubeconfig = v;
	else if (!strcmp(f->name, "context"))
		g->context = v;
	else if (!strcmp(f->name, "cluster"))
		g->cluster = v;
	else if (!strcmp(f->name, "user"))
		g->user = v;
	else if (!strcmp(f->name, "namespace"))
		g->ns = v;
	else if (!strcmp(f->name, "request-timeout"))
		mg_cli_parse_timeout(v, &g->timeout_ms, NULL);
}

static const struct cli_flag *
find_flag(const struct walk *w, const char *name, char c, bool *global)
{
	const struct cli_flag *f = NULL;

	if (w->ctx.cmd)
		f = name ? cli_flag_find(w->ctx.cmd->flags, name)
			 : cli_flag_find_short(w->ctx.cmd->flags, c);
	*global = !f;
	if (!f)
		f = name ? cli_flag_find(cli_global_flags, name)
			 : cli_flag_find_short(cli_global_flags, c);
	return f;
}

static bool
wants_value(const struct cli_flag *f)
{
	return f && f->arg && !(f->attrs & CLI_FLAG_COUNT);
}

/* Walks the words before the current one. false: nothing to complete. */
static bool
walk_words(struct walk *w, int n, char **words)
{
	int i;

	for (i = 0; i < n; i++) {
		char *word = words[i];
		const struct cli_flag *f;
		bool global;

		if (w->pending) {
			take_value(w, w->pending, w->pending_global, word);
			w->pending = NULL;
			continue;
		}
		if (!w->dashdash && !strcmp(word, "--")) {
			w->dashdash = true;
		} else if (!w->dashdash && word[0] == '-' && word[1] == '-') {
			char name[64];
			const char *eq = strchr(word, '=');
			size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);

			if (len >= sizeof(name))
				continue;
			memcpy(name, word + 2, len);
			name[len] = '\0';
			f = find_flag(w, name, 0, &global);
			if (eq && f)
				take_value(w, f, global, eq + 1);
			else if (wants_value(f)) {
				w->pending = f;
				w->pending_global = global;
			}
		} else if (!w->dashdash && word[0] == '-' && word[1]) {
			const char *p;

			for (p = word + 1; *p; p++) {
				f = find_flag(w, NULL, *p, &global);
				if (!wants_value(f))
					continue;
				if (p[1])
					take_value(w, f, global,
						   p[1] == '=' ? p + 2 : p + 1);
				else {
					w->pending = f;
					w->pending_global = global;
				}
				break;
			}
		} else if (!w->ctx.cmd) {
			const struct cli_cmd *c = cli_cmd_find(word);

			if (!c || (c->attrs & CLI_CMD_HIDDEN))
				return false;
			w->ctx.cmd = c;
		} else {
			w->pos = mg_xrealloc(w->pos, (size_t)(w->npos + 1) *
							    sizeof(*w->pos));
			w->pos[w->npos++] = word;
		}
	}
	return true;
}

static struct mg_kube *
client(struct walk *w)
{
	struct mg_kube *kube = NULL;

	w->ctx.quiet = true;
	w->ctx.retries = 0;
	if (w->ctx.g.timeout_ms <= 0 || w->ctx.g.timeout_ms > TIMEOUT_MS)
		w->ctx.g.timeout_ms = TIMEOUT_MS;
	if (cli_client(&w->ctx, &kube, NULL))
		return NULL;
	return kube;
}

/* How a candidate is described: by default its status.phase. */
typedef void (*describe_fn)(const cJSON *obj, struct mg_buf *out);

/* A pool pod: its shard as CLUSTER/DATABASE/TABLEGROUP/SHARD, its phase,
 * and its drain state when it has one. */
static void
describe_pod(const cJSON *obj, struct mg_buf *out)
{
	const cJSON *labels = mg_json_get(obj, "metadata.labels");
	const cJSON *ann = mg_json_get(obj, "metadata.annotations");
	const cJSON *drain = cJSON_GetObjectItemCaseSensitive(ann, MG_ANNOT_DRAIN_STATE);
	const char *keys[] = { MG_LABEL_CLUSTER, MG_LABEL_DATABASE, MG_LABEL_TABLEGROUP,
			       MG_LABEL_SHARD };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, keys[i]);

		mg_buf_addf(out, "%s%s", i ? "/" : "", cJSON_IsString(v) ? v->valuestring : "?");
	}
	if (mg_json_str(obj, "status.phase"))
		mg_buf_addf(out, ", %s", mg_json_str(obj, "status.phase"));
	if (cJSON_IsString(drain) && *drain->valuestring)
		mg_buf_addf(out, ", drain: %s", drain->valuestring);
}

/* A Shard: CLUSTER/DATABASE/TABLEGROUP/SHARD, the other way to name it. */
static void
describe_shard(const cJSON *obj, struct mg_buf *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(mg_json_get(obj, "metadata.labels"),
							  MG_LABEL_CLUSTER);

	mg_buf_addf(out, "%s/%s/%s/%s", cJSON_IsString(v) ? v->valuestring : "?",
		    mg_json_str(obj, "spec.databaseName") ? mg_json_str(obj, "spec.databaseName") : "?",
		    mg_json_str(obj, "spec.tableGroupName") ? mg_json_str(obj, "spec.tableGroupName") : "?",
		    mg_json_str(obj, "spec.shardName") ? mg_json_str(obj, "spec.shardName") : "?");
	if (mg_json_str(obj, "status.phase"))
		mg_buf_addf(out, ", %s", mg_json_str(obj, "status.phase"));
}

/* Names of res's objects (those matching label), described by desc (NULL:
 * their phase), prefixed by prefix. */
static void
list_names(struct walk *w, const struct mg_kube_res *res, const char *label,
	   const char *prefix, describe_fn desc)
{
	struct mg_list_opts lo = { label, NULL, 0 };
	struct mg_kube *kube = client(w);
	struct mg_kube_res r = *res;
	struct mg_buf d = MG_BUF_INIT;
	cJSON *list = NULL;
	const cJSON *it;

	if (!kube)
		return;
	if (!r.ns && strcmp(r.resource, "namespaces"))
		r.ns = cli_namespace(&w->ctx);
	if (mg_kube_list(kube, &r, &lo, &list, NULL))
		return;
	cJSON_ArrayForEach(it, mg_json_get(list, "items")) {
		const char *name = mg_json_str(it, "metadata.name");
		char *cand;

		if (!name)
			continue;
		mg_buf_reset(&d);
		if (desc)
			desc(it, &d);
		else if (mg_json_str(it, "status.phase"))
			mg_buf_adds(&d, mg_json_str(it, "status.phase"));
		cand = mg_xasprintf("%s%s", prefix, name);
		emit(w, cand, d.len ? d.data : NULL);
		free(cand);
	}
	mg_buf_release(&d);
	cJSON_Delete(list);
}

static void
kind_names(struct walk *w)
{
	const char *slash = strchr(w->cur, '/');
	size_t i;

	if (slash) {
		/* KIND/NAME: complete the name after the kind */
		char *kw = mg_xstrndup(w->cur, (size_t)(slash - w->cur));
		const struct mg_kind_info *k = mg_model_kind_lookup(kw);
		char *prefix = mg_xasprintf("%s/", kw);
		struct mg_kube_res res;

		if (k) {
			kind_res(k, NULL, &res);
			list_names(w, &res, NULL, prefix, NULL);
		}
		free(prefix);
		free(kw);
		return;
	}
	for (i = 0; i < MG_KIND_COUNT; i++) {
		const struct mg_kind_info *k = &mg_kind_infos[i];

		if (!strncmp(k->plural, w->cur, strlen(w->cur)))
			emit(w, k->plural, k->name);
		else if (!strncmp(k->short_name, w->cur, strlen(w->cur)))
			emit(w, k->short_name, k->name);
		else
			emit(w, k->singular, k->name);
	}
	emit(w, "all", "every Multigres kind");
}

/* The hint for positional argument i: the i-th word of `complete`, or
 * the last one when it ends in "...". */
static char *
hint_for(const char *complete, int i)
{
	const char *p = complete;
	int n = 0;

	while (p && *p) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		bool repeat = len > 3 && !strncmp(p + len - 3, "...", 3);

		if (n == i || (!end && repeat && i > n))
			return mg_xstrndup(p, repeat ? len - 3 : len);
		n++;
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static void
positional(struct walk *w)
{
	const struct cli_cmd *cmd = w->ctx.cmd;
	char *hint = hint_for(cmd->complete, w->npos);
	struct mg_kube_res res;
	size_t i;

	if (!hint)
		return;
	if (!strcmp(hint, "kind")) {
		kind_names(w);
	} else if (!strcmp(hint, "object") && w->npos > 0 &&
		   !strchr(w->pos[0], '/')) {
		/* the first kind of "mgc,cel" names the objects */
		char *first = mg_xstrndup(w->pos[0], strcspn(w->pos[0], ","));
		const struct mg_kind_info *k = mg_model_kind_lookup(first);

		if (k) {
			kind_res(k, NULL, &res);
			list_names(w, &res, NULL, "", NULL);
		}
		free(first);
	} else if (!strcmp(hint, "cluster")) {
		kind_res_of(MG_KIND_MULTIGRESCLUSTER, NULL, &res);
		list_names(w, &res, NULL, "", NULL);
	} else if (!strcmp(hint, "shard")) {
		kind_res_of(MG_KIND_SHARD, NULL, &res);
		list_names(w, &res, NULL, "", describe_shard);
	} else if (!strcmp(hint, "pod")) {
		const struct mg_kube_res pods = { "", "v1", "pods", NULL };

		list_names(w, &pods, MG_LABEL_APP_COMPONENT "=" MG_COMPONENT_SHARD_POOL, "",
			   describe_pod);
	} else if (!strcmp(hint, "command")) {
		for (i = 0; cli_commands[i]; i++)
			if (!(cli_commands[i]->attrs & CLI_CMD_HIDDEN))
				emit(w, cli_commands[i]->name,
				     cli_commands[i]->summary);
	} else if (!strcmp(hint, "shell")) {
		emit(w, "bash", NULL);
		emit(w, "fish", NULL);
		emit(w, "zsh", NULL);
	}
	free(hint);
}

/* Names of the kubeconfig's contexts, clusters or users. */
static void
kubeconfig_names(struct walk *w, const char *what, const char *prefix)
{
	struct mg_kubeconfig_opts ko = { 0 };
	cJSON *doc = NULL;
	const cJSON *it;
	char *cand;

	ko.kubeconfig = w->ctx.g.kubeconfig;
	if (mg_kubeconfig_merge(&doc, &ko, NULL))
		return;
	cJSON_ArrayForEach(it, mg_json_get(doc, what)) {
		const char *name = mg_json_str(it, "name");

		if (!name)
			continue;
		cand = mg_xasprintf("%s%s", prefix, name);
		emit(w, cand, NULL);
		free(cand);
	}
	cJSON_Delete(doc);
}

/* The value of flag f; candidates are prefixed by prefix ("--output=").
 * w->cur holds the whole word, prefix included. */
static void
flag_value(struct walk *w, const struct cli_flag *f, const char *prefix)
{
	const char *spec = f->complete;

	if (!spec)
		return;
	if (!strcmp(spec, "@file")) {
		w->directive = DIRECTIVE_DEFAULT;
	} else if (!strcmp(spec, "@namespace")) {
		const struct mg_kube_res ns = { "", "v1", "namespaces", NULL };

		list_names(w, &ns, NULL, prefix, NULL);
	} else if (!strcmp(spec, "@context")) {
		kubeconfig_names(w, "contexts", prefix);
	} else if (!strcmp(spec, "@cluster")) {
		kubeconfig_names(w, "clusters", prefix);
	} else if (!strcmp(spec, "@user")) {
		kubeconfig_names(w, "users", prefix);
	} else {
		const char *p = spec;

		while (*p) {
			size_t len = strcspn(p, " ");
			char *cand = mg_xasprintf("%s%.*s", prefix, (int)len, p);

			emit(w, cand, NULL);
			free(cand);
			p += len;
			while (*p == ' ')
				p++;
		}
	}
}

static void
flag_names(struct walk *w, const struct cli_flag *f)
{
	char buf[80];

	for (; f && f->name; f++) {
		snprintf(buf, sizeof(buf), "--%s", f->name);
		emit(w, buf, f->help);
		if (f->shorthand && (!strcmp(w->cur, "-") ||
				     (w->cur[0] == '-' && w->cur[1] != '-'))) {
			snprintf(buf, sizeof(buf), "-%c", f->shorthand);
			emit(w, buf, f->help);
		}
	}
}

int
cli_complete(int nwords, char **words)
{
	struct walk w;
	const struct cli_flag *f;
	bool global;
	size_t i;

	memset(&w, 0, sizeof(w));
	cli_ctx_init(&w.ctx, "kubectl-multigres");
	w.directive = DIRECTIVE_NOFILE;
	w.cur = nwords > 0 ? words[nwords - 1] : "";
	if (!walk_words(&w, nwords > 0 ? nwords - 1 : 0, words))
		goto out;

	if (w.pending) {
		flag_value(&w, w.pending, "");
	} else if (!w.dashdash && !strncmp(w.cur, "--", 2) && strchr(w.cur, '=')) {
		char *name = mg_xstrndup(w.cur + 2,
					 (size_t)(strchr(w.cur, '=') - w.cur - 2));
		char *prefix = mg_xstrndup(w.cur, (size_t)(strchr(w.cur, '=') -
							   w.cur + 1));

		f = find_flag(&w, name, 0, &global);
		if (wants_value(f))
			flag_value(&w, f, prefix);
		free(name);
		free(prefix);
	} else if (!w.dashdash && w.cur[0] == '-' && w.cur[1] &&
		   w.cur[1] != '-' && w.cur[2] == '=') {
		/* -o=VALUE */
		f = find_flag(&w, NULL, w.cur[1], &global);
		if (wants_value(f)) {
			char prefix[4] = { w.cur[0], w.cur[1], '=', '\0' };

			flag_value(&w, f, prefix);
		}
	} else if (!w.dashdash && w.cur[0] == '-') {
		if (w.ctx.cmd)
			flag_names(&w, w.ctx.cmd->flags);
		flag_names(&w, cli_global_flags);
	} else if (!w.ctx.cmd) {
		for (i = 0; cli_commands[i]; i++)
			if (!(cli_commands[i]->attrs & CLI_CMD_HIDDEN))
				emit(&w, cli_commands[i]->name,
				     cli_commands[i]->summary);
	} else if (w.ctx.cmd->complete) {
		positional(&w);
	}
out:
	printf(":%d\n", w.directive);
	fflush(stdout);
	free(w.pos);
	cli_ctx_release(&w.ctx);
	return CLI_OK;
}

static int
exec_complete(struct cli_ctx *ctx)
{
	return cli_complete(ctx->nargs, ctx->args);
}

const struct cli_cmd cli_cmd_complete = {
	.name = "__complete",
	.usage = "[WORDS...] CURRENT",
	.summary = "complete a command line (for the shell scripts)",
	.help = "Print the completions of the last word, cobra-style.",
	.attrs = CLI_CMD_HIDDEN | CLI_CMD_RAW,
	.exec = exec_complete,
};
