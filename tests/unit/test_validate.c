/*
 * Unit tests for shared/validate.c.
 *
 * One failing and one passing case per rule of
 * multigres-operator-facts.md 8.2 (cluster create/update, warnings,
 * templates, deletes, child CRs). Exact messages are asserted where the
 * facts give upstream's wording; elsewhere the test looks for the
 * subject and the path.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "resolve.h"
#include "validate.h"
#include "xalloc.h"
#include "yaml_json.h"

#include "testlib.h"

#define FIXTURES "tests/fixtures/resolve/"

/* A cluster: head plus spec lines; cells a (zone z1) and b (zone z2)
 * unless the lines bring their own. */
#define HEAD                                                             \
	"apiVersion: multigres.com/v1alpha1\n"                           \
	"kind: MultigresCluster\n"                                       \
	"metadata: {name: c, namespace: ns}\n"                           \
	"spec:\n"                                                        \
	"  postgresPasswordSecretRef: {name: pw, key: password}\n"
#define CELLS "  cells: [{name: a, zoneId: z1}, {name: b, zoneId: z2}]\n"
#define SHARD(body)                                                      \
	"  databases:\n"                                                 \
	"  - name: postgres\n"                                           \
	"    default: true\n"                                            \
	"    tablegroups:\n"                                             \
	"    - name: default\n"                                          \
	"      default: true\n"                                          \
	"      shards:\n"                                                \
	"      - name: 0-inf\n" body

/* Findings for a cluster given as YAML (webhook defaulting first). */
struct run {
	struct mg_findings f;
	struct mg_validate_opts opts;
	struct mg_templates *t;
};

static void
run_init(struct run *r)
{
	struct mg_findings init = MG_FINDINGS_INIT;
	struct mg_validate_opts o = MG_VALIDATE_OPTS_INIT;

	r->f = init;
	r->opts = o;
	r->opts.has_default_storage_class = true;
	r->t = NULL;
}

static cJSON *
defaulted(const char *text, const struct mg_templates *t)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *c = mg_test_yaml(text);

	/* Resolution errors are the validator's to report: ignore here. */
	(void)mg_resolve_webhook_default(c, t, &err);
	return c;
}

static void
validate(struct run *r, const char *text, const char *old_text)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *c = defaulted(text, r->t), *old = NULL;

	if (old_text)
		old = defaulted(old_text, r->t);
	r->opts.templates = r->t;
	mg_findings_release(&r->f);
	assert_int_equal(mg_validate_cluster(&r->f, c, old, &r->opts, &err),
			 0);
	cJSON_Delete(c);
	cJSON_Delete(old);
}

/* Is there a finding of that severity whose message contains `text`? */
static const struct mg_finding *
has(const struct mg_findings *f, enum mg_severity sev, const char *text)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].severity == sev && strstr(f->v[i].message, text))
			return &f->v[i];
	return NULL;
}

static void
dump(const struct mg_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		print_message("  %s %s: %s\n",
			      f->v[i].severity == MG_SEV_ERROR ? "E" : "W",
			      f->v[i].path, f->v[i].message);
}

#define assert_has(f, sev, text)                                         \
	do {                                                             \
		if (!has((f), (sev), (text))) {                          \
			dump(f);                                         \
			fail_msg("no finding with \"%s\"", (text));      \
		}                                                        \
	} while (0)
#define assert_not(f, sev, text)                                         \
	do {                                                             \
		if (has((f), (sev), (text))) {                           \
			dump(f);                                         \
			fail_msg("unexpected finding \"%s\"", (text));   \
		}                                                        \
	} while (0)
#define assert_no_errors(f)                                              \
	do {                                                             \
		if (mg_findings_count((f), MG_SEV_ERROR)) {              \
			dump(f);                                         \
			fail_msg("unexpected errors");                   \
		}                                                        \
	} while (0)

/* ------------------------------------------------------------------ */

static void
test_findings_list(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;

	(void)state;
	assert_null(mg_findings_first(&f, MG_SEV_ERROR));
	mg_findings_add(&f, MG_SEV_WARNING, NULL, "w%d", 1);
	mg_findings_add(&f, MG_SEV_ERROR, "spec.x", "e%d", 2);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 1);
	assert_int_equal(mg_findings_count(&f, MG_SEV_WARNING), 1);
	assert_string_equal(mg_findings_first(&f, MG_SEV_ERROR)->message, "e2");
	assert_string_equal(mg_findings_first(&f, MG_SEV_ERROR)->path, "spec.x");
	assert_string_equal(mg_findings_first(&f, MG_SEV_WARNING)->path, "");
	mg_findings_release(&f);
	assert_int_equal(f.n, 0);
}

static void
test_minimal_sample_clean(void **state)
{
	cJSON *docs = mg_test_yaml_file("deploy/samples/minimal.yaml"), *c, *d;
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_validate_opts o = MG_VALIDATE_OPTS_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	c = NULL;
	cJSON_ArrayForEach(d, docs)
		if (!strcmp(mg_json_str(d, "kind"), "MultigresCluster"))
			c = d;
	assert_int_equal(mg_resolve_webhook_default(c, NULL, &err), 0);
	o.has_default_storage_class = true;
	assert_int_equal(mg_validate_cluster(&f, c, NULL, &o, &err), 0);
	assert_no_errors(&f);
	/* Two poolers share the ReadWriteOnce backup volume. */
	assert_has(&f, MG_SEV_WARNING, "ReadWriteOnce");
	assert_int_equal(f.n, 1);
	mg_findings_release(&f);

	/* Rule 7: no class anywhere, no default StorageClass. */
	o.has_default_storage_class = false;
	assert_int_equal(mg_validate_cluster(&f, c, NULL, &o, &err), 0);
	assert_has(&f, MG_SEV_ERROR, "no default StorageClass");
	assert_has(&f, MG_SEV_ERROR, "spec.globalTopoServer.etcd.storage.class");
	assert_has(&f, MG_SEV_ERROR, "shard '0-inf' pool 'default' storage.class");
	assert_has(&f, MG_SEV_ERROR, "shard '0-inf' backup filesystem storage.class");
	mg_findings_release(&f);
	assert_int_equal(mg_validate_cluster(&f, cJSON_GetArrayItem(docs, 0), NULL, &o, &err), 0);
	mg_findings_release(&f);
	assert_int_equal(mg_validate_cluster(&f, NULL, NULL, &o, &err),
			 MG_EINVAL);
	cJSON_Delete(docs);
}

static void
test_storage_class_set(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	r.opts.has_default_storage_class = false;
	validate(&r,
		 HEAD CELLS
		 "  globalTopoServer: {etcd: {storage: {class: sc}}}\n"
		 "  backup: {type: filesystem, filesystem: {storage: {class: sc}}}\n"
		 SHARD("        spec: {pools: {p: {cells: [a], storage: {class: sc}}}}\n"),
		 NULL);
	assert_not(&r.f, MG_SEV_ERROR, "StorageClass");
	mg_findings_release(&r.f);
}

static void
test_template_existence(void **state)
{
	static const struct {
		const char *spec, *msg, *path;
	} cases[] = {
		{ "  templateDefaults: {coreTemplate: x}\n",
		  "referenced CoreTemplate 'x' not found in namespace 'ns'",
		  "spec.templateDefaults.coreTemplate" },
		{ "  multiadmin: {templateRef: x}\n",
		  "referenced CoreTemplate 'x' not found in namespace 'ns'",
		  "spec.multiadmin.templateRef" },
		{ "  globalTopoServer: {templateRef: x}\n",
		  "referenced CoreTemplate 'x' not found in namespace 'ns'",
		  "spec.globalTopoServer.templateRef" },
		{ "  multiadminWeb: {templateRef: x}\n",
		  "referenced CoreTemplate 'x' not found in namespace 'ns'",
		  "spec.multiadminWeb.templateRef" },
		{ "  templateDefaults: {cellTemplate: x}\n",
		  "referenced CellTemplate 'x' not found in namespace 'ns'",
		  "spec.templateDefaults.cellTemplate" },
		{ "  cells: [{name: a, zoneId: z, cellTemplate: x}]\n",
		  "referenced CellTemplate 'x' not found in namespace 'ns'",
		  "spec.cells[0].cellTemplate" },
		{ "  templateDefaults: {shardTemplate: x}\n",
		  "referenced ShardTemplate 'x' not found in namespace 'ns'",
		  "spec.templateDefaults.shardTemplate" },
		{ CELLS SHARD("        shardTemplate: x\n"),
		  "referenced ShardTemplate 'x' not found in namespace 'ns'",
		  "spec.databases[0].tablegroups[0].shards[0].shardTemplate" },
		/* An explicit `default` must exist too (unlike an empty ref). */
		{ "  cells: [{name: a, zoneId: z, cellTemplate: default}]\n",
		  "referenced CellTemplate 'default' not found in namespace 'ns'",
		  "spec.cells[0].cellTemplate" },
	};
	struct run r;
	const struct mg_finding *f;
	char *text;
	size_t i;

	(void)state;
	run_init(&r);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		text = mg_xasprintf(HEAD "%s", cases[i].spec);
		validate(&r, text, NULL);
		f = mg_findings_first(&r.f, MG_SEV_ERROR);
		assert_non_null(f);
		assert_string_equal(f->message, cases[i].msg);
		assert_string_equal(f->path, cases[i].path);
		/* Not repeated as a resolution error. */
		assert_not(&r.f, MG_SEV_ERROR, "cannot resolve");
		free(text);
	}
	/* Passing: the templates exist. */
	{
		cJSON *docs = mg_test_yaml_file(FIXTURES "chain-templates.yaml");

		r.t = mg_templates_new();
		assert_true(mg_templates_add_list(r.t, docs, NULL, NULL) > 0);
		validate(&r, HEAD CELLS
			 "  templateDefaults: {coreTemplate: td, cellTemplate: td,"
			 " shardTemplate: td}\n"
			 "  multiadmin: {templateRef: explicit}\n",
			 NULL);
		assert_not(&r.f, MG_SEV_ERROR, "not found");
		mg_templates_free(r.t);
		cJSON_Delete(docs);
	}
	mg_findings_release(&r.f);
}

static void
test_postgres_config(void **state)
{
	struct run r;
	const struct mg_finding *f;

	(void)state;
	run_init(&r);
	validate(&r, HEAD CELLS
		 SHARD("        spec:\n"
		       "          postgresConfig:\n"
		       "            wal_level: replica\n"
		       "            Port: '5433'\n"
		       "            no_such_thing: '1'\n"
		       "            max_connections: lots\n"
		       "            fsync: maybe\n"
		       "            random_page_cost: fast\n"),
		 NULL);
	f = mg_findings_first(&r.f, MG_SEV_ERROR);
	assert_non_null(f);
	assert_string_equal(f->path, "spec.databases[0].tablegroups[0]."
				     "shards[0].spec.postgresConfig");
	assert_true(strncmp(f->message, "invalid postgresConfig: ", 24) == 0);
	/* All problems in one message, names sorted byte-wise. */
	assert_string_equal(
		f->message,
		"invalid postgresConfig: parameter \"Port\" cannot be set: set "
		"by the operator on the pgctld command line; parameter "
		"\"fsync\" takes a bool value, not \"maybe\"; parameter "
		"\"max_connections\" takes a integer value, not \"lots\"; "
		"unknown parameter \"no_such_thing\"; parameter "
		"\"random_page_cost\" takes a real value, not \"fast\"; "
		"parameter \"wal_level\" cannot be set: multigres needs "
		"wal_level=logical");

	/* Overrides are checked too; good values pass. */
	validate(&r, HEAD CELLS
		 SHARD("        overrides:\n"
		       "          postgresConfig:\n"
		       "            max_connections: '200'\n"
		       "            shared_buffers: 128MB\n"
		       "            statement_timeout: 5 min\n"
		       "            fsync: 'OFF'\n"
		       "            jit: '1'\n"
		       "            random_page_cost: '1.5'\n"
		       "            search_path: anything goes\n"
		       "            cron.database_name: postgres\n"
		       "            MAX_WAL_SIZE: 1GB\n"),
		 NULL);
	assert_not(&r.f, MG_SEV_ERROR, "postgresConfig");
	validate(&r, HEAD CELLS
		 SHARD("        overrides: {postgresConfig: {hba_file: /x}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "\"hba_file\" cannot be set");
	/* Reported where written; the webhook also merged it into the
	 * inline spec it materialised, which is reported first. */
	assert_int_equal(mg_findings_count(&r.f, MG_SEV_ERROR), 2);
	assert_string_equal(r.f.v[1].path,
			    "spec.databases[0].tablegroups[0].shards[0]."
			    "overrides.postgresConfig");
	mg_findings_release(&r.f);
}

static void
test_guc_lookup(void **state)
{
	const struct mg_guc *g;

	(void)state;
	g = mg_guc_lookup("max_connections");
	assert_non_null(g);
	assert_int_equal(g->type, MG_GUC_INTEGER);
	assert_string_equal(g->context, "postmaster");
	g = mg_guc_lookup("  Work_Mem ");
	assert_non_null(g);
	assert_string_equal(g->name, "work_mem");
	assert_string_equal(g->context, "user");
	assert_int_equal(mg_guc_lookup("summarize_wal")->type, MG_GUC_BOOL);
	assert_int_equal(mg_guc_lookup("wal_level")->type, MG_GUC_ENUM);
	assert_int_equal(mg_guc_lookup("random_page_cost")->type, MG_GUC_REAL);
	assert_int_equal(mg_guc_lookup("search_path")->type, MG_GUC_STRING);
	assert_null(mg_guc_lookup("nope"));
	assert_null(mg_guc_lookup(""));
	assert_null(mg_guc_lookup(NULL));
	/* First and last of the sorted table. */
	assert_non_null(mg_guc_lookup("allow_alter_system"));
	assert_non_null(mg_guc_lookup("zero_damaged_pages"));
}

static void
test_external_ips(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	validate(&r, HEAD CELLS
		 "  externalGateway: {enabled: true, externalIPs: ['1.2.3.4', "
		 "'999.1.1.1']}\n"
		 "  externalAdminWeb: {enabled: true, externalIPs: ['fe80::1', "
		 "'nope']}\n",
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "'999.1.1.1' is not an IP address");
	assert_has(&r.f, MG_SEV_ERROR, "'nope' is not an IP address");
	assert_not(&r.f, MG_SEV_ERROR, "'1.2.3.4'");
	assert_not(&r.f, MG_SEV_ERROR, "'fe80::1'");
	assert_not(&r.f, MG_SEV_WARNING, "without externalIPs");
	validate(&r, HEAD CELLS
		 "  externalGateway: {enabled: true}\n"
		 "  externalAdminWeb: {enabled: false, externalIPs: [bad]}\n",
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING, "externalGateway is enabled without");
	assert_not(&r.f, MG_SEV_WARNING, "externalAdminWeb");
	assert_no_errors(&r.f);
	mg_findings_release(&r.f);
}

static void
test_resources(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "merge-templates.yaml");
	cJSON *bad = mg_test_yaml("kind: CellTemplate\n"
			  "metadata: {name: bad}\n"
			  "spec: {multigateway: {resources: {requests: {memory: 2Gi},"
			  " limits: {memory: 1Gi}}}}\n");
	struct run r;

	(void)state;
	run_init(&r);
	validate(&r, HEAD CELLS
		 "  globalTopoServer: {etcd: {resources: {requests: {cpu: '1'},"
		 " limits: {cpu: 500m}}}}\n"
		 "  multiadmin: {spec: {resources: {requests: {memory: 1Gi},"
		 " limits: {memory: 1000Mi}}}}\n"
		 "  multiadminWeb: {spec: {resources: {requests: {cpu: 2},"
		 " limits: {cpu: 1}}}}\n"
		 SHARD("        spec:\n"
		       "          multiorch: {resources: {requests: {cpu: 200m},"
		       " limits: {cpu: 100m}}}\n"
		       "          pools:\n"
		       "            p:\n"
		       "              postgres: {resources: {requests: {memory: 2Gi},"
		       " limits: {memory: 1Gi}}}\n"
		       "              multipooler: {resources: {requests: {memory: 2G},"
		       " limits: {memory: 1.5G}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "etcd: cpu limit (500m) is below its request (1)");
	assert_has(&r.f, MG_SEV_ERROR, "multiadmin: memory limit (1000Mi)");
	assert_has(&r.f, MG_SEV_ERROR, "multiadmin-web: cpu limit (1) is below its request (2)");
	assert_has(&r.f, MG_SEV_ERROR, "shard '0-inf' multiorch: cpu limit");
	assert_has(&r.f, MG_SEV_ERROR, "shard '0-inf' pool 'p' postgres: memory");
	assert_has(&r.f, MG_SEV_ERROR, "shard '0-inf' pool 'p' multipooler: memory");

	/* Equal, or equal in other units, pass. */
	validate(&r, HEAD CELLS
		 "  multiadmin: {spec: {resources: {requests: {memory: 1Gi, cpu: 1},"
		 " limits: {memory: 1024Mi, cpu: 1000m}}}}\n",
		 NULL);
	assert_no_errors(&r.f);

	/* Compared exactly, however large (resource.Quantity.Cmp). */
	validate(&r, HEAD CELLS
		 "  multiadmin: {spec: {resources: {requests: {memory:"
		 " '10000000000000000000000000000000000000001'},"
		 " limits: {memory: '1e40'}}}}\n",
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "multiadmin: memory limit (10e39)");
	validate(&r, HEAD CELLS
		 "  multiadmin: {spec: {resources: {requests: {cpu: 1n},"
		 " limits: {cpu: '0.000000001'}}}}\n",
		 NULL);
	assert_no_errors(&r.f);

	/* A gateway resolved from a template. */
	r.t = mg_templates_new();
	assert_true(mg_templates_add_list(r.t, docs, NULL, NULL) > 0);
	assert_int_equal(mg_templates_add(r.t, bad, NULL), 0);
	validate(&r, HEAD "  cells: [{name: a, zoneId: z, cellTemplate: bad}]\n",
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR,
		   "cell 'a' multigateway (resolved): memory limit (1Gi)");
	assert_string_equal(mg_findings_first(&r.f, MG_SEV_ERROR)->path,
			    "spec.cells[0]");
	validate(&r, HEAD "  cells: [{name: a, zoneId: z, cellTemplate: cell}]\n",
		 NULL);
	assert_no_errors(&r.f);
	mg_templates_free(r.t);
	mg_findings_release(&r.f);
	cJSON_Delete(bad);
	cJSON_Delete(docs);
}

static void
test_gateway_buffer(void **state)
{
	static const struct {
		const char *buffer;
		const char *error; /* NULL: passes */
	} cases[] = {
		{ "{window: 0s}", "window '0s' must be a positive duration" },
		{ "{maxFailoverDuration: 0s}",
		  "maxFailoverDuration '0s' must be a positive duration" },
		{ "{minTimeBetweenFailovers: -1s}",
		  "minTimeBetweenFailovers '-1s' must not be negative" },
		{ "{window: soon}", "window 'soon' is not a duration" },
		/* Unset maxFailoverDuration is the binary's 20s. */
		{ "{window: 30s}", "window (30s) must not exceed "
				   "maxFailoverDuration (20s); an unset one" },
		{ "{window: 1m, maxFailoverDuration: 59s}",
		  "window (1m) must not exceed maxFailoverDuration (59s)" },
		{ "{window: 30s, enabled: false}", NULL },
		{ "{window: 20s, maxFailoverDuration: 20s}", NULL },
		{ "{window: 1.5s, maxFailoverDuration: 1m30s,"
		  " minTimeBetweenFailovers: '0'}", NULL },
		{ "{maxFailoverDuration: 5s}", "window (10s) must not exceed" },
		{ "{window: 500ms, maxFailoverDuration: 1us}",
		  "window (500ms) must not exceed" },
	};
	struct run r;
	char *text;
	size_t i;

	(void)state;
	run_init(&r);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		text = mg_xasprintf(HEAD
				    "  cells: [{name: a, zoneId: z, spec: "
				    "{multigateway: {buffer: %s}}}]\n",
				    cases[i].buffer);
		validate(&r, text, NULL);
		if (cases[i].error) {
			assert_has(&r.f, MG_SEV_ERROR, cases[i].error);
			assert_has(&r.f, MG_SEV_ERROR, "cell 'a'");
		} else {
			assert_no_errors(&r.f);
		}
		free(text);
	}
	mg_findings_release(&r.f);
}

static void
test_shard_logic(void **state)
{
	struct run r;

	(void)state;
	run_init(&r);
	/* Pool names: format and length. */
	validate(&r, HEAD CELLS
		 SHARD("        spec: {pools: {Bad_Name: {}, "
		       "abcdefghijklmnopqrstuvwxyz: {}, fine-1: {}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "pool name 'Bad_Name' must be lowercase");
	assert_has(&r.f, MG_SEV_ERROR,
		   "pool name 'abcdefghijklmnopqrstuvwxyz' must be 1 to 25");
	assert_not(&r.f, MG_SEV_ERROR, "'fine-1'");

	/* No cells at all: shard and pool reach none. */
	validate(&r, HEAD, NULL);
	assert_has(&r.f, MG_SEV_ERROR, "shard '0-inf' runs in no cell");
	assert_has(&r.f, MG_SEV_ERROR, "pool 'default' of shard '0-inf' runs in no cell");

	/* Unknown cells. */
	validate(&r, HEAD CELLS
		 SHARD("        spec: {multiorch: {cells: [a, zz]},"
		       " pools: {p: {cells: [b, yy]}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "shard '0-inf' names cell 'zz'");
	assert_has(&r.f, MG_SEV_ERROR, "pool 'p' of shard '0-inf' names cell 'yy'");
	assert_not(&r.f, MG_SEV_ERROR, "cell 'a',");

	/* runAsUser: multipooler needs the same postgres user. */
	validate(&r, HEAD CELLS
		 SHARD("        spec:\n"
		       "          pools:\n"
		       "            p1: {multipooler: {runAsUser: 1000}}\n"
		       "            p2: {multipooler: {runAsUser: 1000},"
		       " postgres: {runAsUser: 1001}}\n"
		       "            p3: {multipooler: {runAsUser: 7},"
		       " postgres: {runAsUser: 7}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_ERROR, "pool 'p1': multipooler runAsUser 1000 needs");
	assert_has(&r.f, MG_SEV_ERROR,
		   "pool 'p2': postgres runAsUser 1001 and multipooler runAsUser 1000");
	assert_not(&r.f, MG_SEV_ERROR, "'p3'");

	/* A valid shard. */
	validate(&r, HEAD CELLS
		 SHARD("        spec: {multiorch: {cells: [a]},"
		       " pools: {p: {cells: [a, b]}}}\n"),
		 NULL);
	assert_no_errors(&r.f);
	mg_findings_release(&r.f);
}

static void
test_warnings(void **state)
{
	cJSON *docs = mg_test_yaml_file(FIXTURES "merge-templates.yaml");
	cJSON *nodes = mg_test_yaml("kind: NodeList\n"
			    "items:\n"
			    "- metadata: {name: n1, labels: {topology.k8s.aws/zone-id: z1}}\n"
			    "- metadata: {name: n2, labels: {topology.kubernetes.io/region: r1}}\n");
	struct run r;

	(void)state;
	run_init(&r);
	r.t = mg_templates_new();
	assert_true(mg_templates_add_list(r.t, docs, NULL, NULL) > 0);

	/* Override pools the template lacks. */
	validate(&r, HEAD "  cells: [{name: zone-a, zoneId: z1}, {name: b, zoneId: z2}]\n"
		 SHARD("        shardTemplate: shard\n"
		       "        overrides: {pools: {main-app: {}, extra: {}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING,
		   "Pool 'extra' defined in overrides for shard '0-inf' does "
		   "not exist in template 'shard'. A new pool will be created.");
	assert_not(&r.f, MG_SEV_WARNING, "Pool 'main-app'");
	assert_no_errors(&r.f);

	/* The fallback template when there is none: every pool is new. */
	validate(&r, HEAD CELLS
		 SHARD("        overrides: {pools: {extra: {}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING,
		   "Pool 'extra' defined in overrides for shard '0-inf' does "
		   "not exist in template ''.");
	/* A missing explicit template: reported once, no warning. */
	validate(&r, HEAD CELLS
		 SHARD("        shardTemplate: gone\n"
		       "        overrides: {pools: {extra: {}}}\n"),
		 NULL);
	assert_not(&r.f, MG_SEV_WARNING, "Pool 'extra'");
	assert_int_equal(mg_findings_count(&r.f, MG_SEV_ERROR), 1);

	/* Topology: zone z2 and region r2 are on no node. */
	r.opts.nodes = nodes;
	validate(&r, HEAD
		 "  cells: [{name: a, zoneId: z1}, {name: b, zoneId: z2},"
		 " {name: c, region: r1}, {name: d, region: r2}]\n",
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING,
		   "cell 'b': no node is labelled topology.k8s.aws/zone-id=z2");
	assert_has(&r.f, MG_SEV_WARNING,
		   "cell 'd': no node is labelled topology.kubernetes.io/region=r2");
	assert_not(&r.f, MG_SEV_WARNING, "cell 'a':");
	assert_not(&r.f, MG_SEV_WARNING, "cell 'c':");
	r.opts.nodes = NULL;
	validate(&r, HEAD "  cells: [{name: b, zoneId: z2}]\n", NULL);
	assert_not(&r.f, MG_SEV_WARNING, "no node");

	/* etcd with one replica. */
	validate(&r, HEAD CELLS "  globalTopoServer: {etcd: {replicas: 1}}\n",
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING, "etcd has 1 replica");
	validate(&r, HEAD CELLS, NULL);
	assert_not(&r.f, MG_SEV_WARNING, "etcd has 1 replica");

	/* Durability: one pooler; MULTI_CELL in one cell. */
	validate(&r, HEAD CELLS
		 SHARD("        spec: {pools: {p: {cells: [a], replicasPerCell: 1}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING,
		   "pool 'p' of shard '0-inf' has replicasPerCell=1 in 1 cell(s), 1 in all");
	validate(&r, HEAD CELLS "  durabilityPolicy: MULTI_CELL_AT_LEAST_2\n"
		 SHARD("        spec: {pools: {p: {cells: [a]}}}\n"),
		 NULL);
	assert_has(&r.f, MG_SEV_WARNING, "is in 1 cell(s); durability policy "
					 "\"MULTI_CELL_AT_LEAST_2\" needs");
	validate(&r, HEAD CELLS "  durabilityPolicy: MULTI_CELL_AT_LEAST_2\n",
		 NULL);
	assert_not(&r.f, MG_SEV_WARNING, "durability");

	/* A shared RWO backup volume; RWX is fine. */
	validate(&r, HEAD CELLS, NULL);
	assert_has(&r.f, MG_SEV_WARNING, "ReadWriteOnce volume that 2 poolers");
	validate(&r, HEAD CELLS
		 "  backup: {type: filesystem, filesystem: {storage:"
		 " {accessModes: [ReadWriteMany]}}}\n",
		 NULL);
	assert_not(&r.f, MG_SEV_WARNING, "ReadWriteOnce");
	validate(&r, HEAD CELLS "  backup: {type: s3, s3: {bucket: b, region: r}}\n",
		 NULL);
	assert_not(&r.f, MG_SEV_WARNING, "ReadWriteOnce");

	mg_findings_release(&r.f);
	mg_templates_free(r.t);
	cJSON_Delete(nodes);
	cJSON_Delete(docs);
}

static void
test_update_rules(void **state)
{
	struct run r;
	static const char before[] =
		HEAD CELLS SHARD("        spec: {pools: {p: {storage: {size: 10Gi}}}}\n");

	(void)state;
	run_init(&r);
	validate(&r,
		 HEAD CELLS SHARD("        spec: {pools: {p: {storage: {size: 9Gi}}}}\n"),
		 before);
	assert_has(&r.f, MG_SEV_ERROR,
		   "storage.size of pool postgres/default/0-inf/p cannot "
		   "decrease (10Gi to 9Gi)");
	assert_has(&r.f, MG_SEV_ERROR, "cannot shrink a PVC");
	validate(&r,
		 HEAD CELLS SHARD("        spec: {pools: {p: {storage: {size: 10240Mi}}}}\n"),
		 before);
	assert_no_errors(&r.f);
	/* The same sizes on create are fine. */
	validate(&r,
		 HEAD CELLS SHARD("        spec: {pools: {p: {storage: {size: 9Gi}}}}\n"),
		 NULL);
	assert_no_errors(&r.f);

	/* etcd replicas are fixed at creation (default 3). */
	validate(&r, HEAD CELLS "  globalTopoServer: {etcd: {replicas: 5}}\n",
		 HEAD CELLS);
	assert_has(&r.f, MG_SEV_ERROR, "etcd replicas cannot change after "
				       "creation (3 to 5)");
	assert_string_equal(mg_findings_first(&r.f, MG_SEV_ERROR)->path,
			    "spec.globalTopoServer.etcd.replicas");
	validate(&r, HEAD CELLS "  globalTopoServer: {etcd: {replicas: 3}}\n",
		 HEAD CELLS);
	assert_no_errors(&r.f);
	/* Switching to an external topology is not this rule's business. */
	validate(&r, HEAD CELLS
		 "  globalTopoServer: {external: {endpoints: ['http://e:2379']}}\n",
		 HEAD CELLS);
	assert_not(&r.f, MG_SEV_ERROR, "replicas");
	mg_findings_release(&r.f);
}

/* ------------------------------------------------------------------ */
/* Templates                                                           */
/* ------------------------------------------------------------------ */

static void
test_template_content(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *st = mg_test_yaml("kind: ShardTemplate\n"
			 "metadata: {name: s}\n"
			 "spec:\n"
			 "  pools: {Bad: {}, ok: {}}\n"
			 "  postgresConfig: {listen_addresses: '*'}\n");
	cJSON *good = mg_test_yaml("kind: ShardTemplate\n"
			   "metadata: {name: s}\n"
			   "spec: {pools: {ok: {}}, postgresConfig: {work_mem: 4MB}}\n");
	cJSON *ct = mg_test_yaml("kind: CellTemplate\n"
			 "metadata: {name: c}\n"
			 "spec:\n"
			 "  multigateway:\n"
			 "    buffer: {window: 30s, maxFailoverDuration: 10s}\n"
			 "    resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}\n");
	cJSON *partial = mg_test_yaml("kind: CellTemplate\n"
			      "metadata: {name: c}\n"
			      "spec: {multigateway: {buffer: {window: 30s}}}\n");
	cJSON *core = mg_test_yaml("kind: CoreTemplate\nmetadata: {name: x}\n");
	cJSON *secret = mg_test_yaml("kind: Secret\nmetadata: {name: x}\n");

	(void)state;
	assert_int_equal(mg_validate_template(&f, st, NULL, NULL, NULL, &err), 0);
	assert_has(&f, MG_SEV_ERROR, "pool name 'Bad'");
	assert_has(&f, MG_SEV_ERROR, "invalid postgresConfig: parameter "
				     "\"listen_addresses\" cannot be set");
	assert_not(&f, MG_SEV_ERROR, "'ok'");
	mg_findings_release(&f);
	/* Unchanged spec on update: never refused. */
	assert_int_equal(mg_validate_template(&f, st, st, NULL, NULL, &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(mg_validate_template(&f, good, NULL, NULL, NULL, &err), 0);
	assert_int_equal(f.n, 0);

	assert_int_equal(mg_validate_template(&f, ct, NULL, NULL, NULL, &err), 0);
	assert_has(&f, MG_SEV_ERROR, "CellTemplate 'c': multigateway buffer "
				     "window (30s) must not exceed");
	assert_has(&f, MG_SEV_ERROR, "CellTemplate 'c' multigateway: cpu limit");
	mg_findings_release(&f);
	/* One side only: a cluster may bring the other. */
	assert_int_equal(mg_validate_template(&f, partial, NULL, NULL, NULL, &err),
			 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(mg_validate_template(&f, core, NULL, NULL, NULL, &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(mg_validate_template(&f, secret, NULL, NULL, NULL, &err),
			 MG_EINVAL);
	cJSON_Delete(st);
	cJSON_Delete(good);
	cJSON_Delete(ct);
	cJSON_Delete(partial);
	cJSON_Delete(core);
	cJSON_Delete(secret);
}

static void
test_cell_template_consumers(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_templates *stored = mg_templates_new();
	cJSON *old = mg_test_yaml("kind: CellTemplate\n"
			  "metadata: {name: default}\n"
			  "spec: {multigateway: {buffer: {maxFailoverDuration: 60s}}}\n");
	cJSON *shorter = mg_test_yaml("kind: CellTemplate\n"
			      "metadata: {name: default}\n"
			      "spec: {multigateway: {buffer: {maxFailoverDuration: 25s}}}\n");
	/* c1 relies on the template's 60s for its 30s window; c2 uses
	 * another template; c3 is being deleted; c4 was already broken. */
	cJSON *clusters = mg_test_yaml(
		"kind: MultigresClusterList\n"
		"items:\n"
		"- metadata: {name: c1}\n"
		"  spec: {cells: [{name: a, overrides: {multigateway: {buffer: {window: 30s}}}}]}\n"
		"- metadata: {name: c2}\n"
		"  spec: {cells: [{name: a, cellTemplate: other,"
		" overrides: {multigateway: {buffer: {window: 30s}}}}]}\n"
		"- metadata: {name: c3, deletionTimestamp: '2026-01-01T00:00:00Z'}\n"
		"  spec: {cells: [{name: a, overrides: {multigateway: {buffer: {window: 30s}}}}]}\n"
		"- metadata: {name: c4}\n"
		"  spec: {cells: [{name: a, overrides: {multigateway: {buffer: {window: 2m}}}}]}\n");
	const struct mg_finding *x;

	(void)state;
	assert_int_equal(mg_templates_add(stored, old, &err), 0);
	assert_int_equal(mg_validate_template(&f, shorter, old, clusters, stored,
					      &err),
			 0);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 1);
	x = mg_findings_first(&f, MG_SEV_ERROR);
	assert_non_null(strstr(x->message, "MultigresCluster 'c1' cell 'a'"));
	assert_non_null(strstr(x->message, "window (30s) must not exceed "
					   "maxFailoverDuration (25s)"));
	assert_string_equal(x->path, "spec.cells[0]");
	mg_findings_release(&f);
	/* A harmless edit passes. */
	assert_int_equal(mg_validate_template(&f, old, shorter, clusters, stored,
					      &err),
			 0);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 0);

	/* Deleting `default` would leave c1 at the binary's 20s. */
	assert_int_equal(mg_validate_template_delete(&f, old, clusters, stored,
						     &err),
			 0);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 1);
	assert_has(&f, MG_SEV_ERROR,
		   "cannot delete CellTemplate 'default': consumers would "
		   "resolve an invalid config without it: MultigresCluster "
		   "'c1' cell 'a'");
	mg_findings_release(&f);
	mg_templates_free(stored);
	cJSON_Delete(old);
	cJSON_Delete(shorter);
	cJSON_Delete(clusters);
}

static void
test_template_delete_in_use(void **state)
{
	static const struct {
		const char *kind, *name, *spec;
		bool in_use;
	} cases[] = {
		{ "CoreTemplate", "t", "templateDefaults: {coreTemplate: t}", true },
		{ "CoreTemplate", "t", "multiadmin: {templateRef: t}", true },
		{ "CoreTemplate", "t", "globalTopoServer: {templateRef: t}", true },
		{ "CoreTemplate", "t", "multiadminWeb: {templateRef: t}", true },
		{ "CoreTemplate", "t", "multiadminWeb: {templateRef: u}", false },
		{ "CellTemplate", "t", "templateDefaults: {cellTemplate: t}", true },
		{ "CellTemplate", "t", "cells: [{name: a, cellTemplate: t}]", true },
		{ "CellTemplate", "t", "templateDefaults: {coreTemplate: t}", false },
		{ "ShardTemplate", "t", "templateDefaults: {shardTemplate: t}", true },
		{ "ShardTemplate", "t",
		  "databases: [{name: postgres, tablegroups: [{name: default,"
		  " shards: [{name: 0-inf, shardTemplate: t}]}]}]", true },
		{ "ShardTemplate", "t", "cells: [{name: a, cellTemplate: t}]", false },
	};
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *tpl, *clusters;
	char *text, *want;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		text = mg_xasprintf("kind: %s\nmetadata: {name: %s}\n",
				    cases[i].kind, cases[i].name);
		tpl = mg_test_yaml(text);
		free(text);
		text = mg_xasprintf("- metadata: {name: gone, deletionTimestamp: x}\n"
				    "  spec: {%s}\n"
				    "- metadata: {name: user}\n"
				    "  spec: {%s}\n",
				    cases[i].spec, cases[i].spec);
		clusters = mg_test_yaml(text);
		free(text);
		assert_int_equal(mg_validate_template_delete(&f, tpl, clusters,
							     NULL, &err),
				 0);
		if (cases[i].in_use) {
			want = mg_xasprintf("cannot delete %s '%s' because it "
					    "is in use by MultigresCluster "
					    "'user'",
					    cases[i].kind, cases[i].name);
			assert_int_equal(f.n, 1);
			assert_string_equal(f.v[0].message, want);
			free(want);
		} else {
			assert_int_equal(f.n, 0);
		}
		mg_findings_release(&f);
		cJSON_Delete(tpl);
		cJSON_Delete(clusters);
	}
}

static void
test_child_requests(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;

	(void)state;
	mg_validate_child_request(&f, "Shard",
				  "system:serviceaccount:mg-system:multigres-operator",
				  "mg-system", NULL);
	mg_validate_child_request(&f, "Cell",
				  "system:serviceaccount:mg-system:custom",
				  "mg-system", "custom");
	mg_validate_child_request(&f, "Cell",
				  "system:serviceaccount:kube-system:generic-garbage-collector",
				  "mg-system", NULL);
	mg_validate_child_request(&f, "Cell",
				  "system:serviceaccount:kube-system:namespace-controller",
				  "mg-system", NULL);
	assert_int_equal(f.n, 0);
	mg_validate_child_request(&f, "TableGroup", "alice", "mg-system", NULL);
	mg_validate_child_request(&f, NULL, NULL, "mg-system", NULL);
	mg_validate_child_request(&f, "Shard",
				  "system:serviceaccount:other:multigres-operator",
				  "mg-system", NULL);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.v[0].message,
			    "direct modification of TableGroup is prohibited; "
			    "this resource is managed by the MultigresCluster "
			    "parent object");
	assert_non_null(strstr(f.v[1].message, "of Resource is"));
	mg_findings_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_list),
		cmocka_unit_test(test_minimal_sample_clean),
		cmocka_unit_test(test_storage_class_set),
		cmocka_unit_test(test_template_existence),
		cmocka_unit_test(test_postgres_config),
		cmocka_unit_test(test_guc_lookup),
		cmocka_unit_test(test_external_ips),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_gateway_buffer),
		cmocka_unit_test(test_shard_logic),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_update_rules),
		cmocka_unit_test(test_template_content),
		cmocka_unit_test(test_cell_template_consumers),
		cmocka_unit_test(test_template_delete_in_use),
		cmocka_unit_test(test_child_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
