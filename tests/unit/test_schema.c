/*
 * Unit tests for shared/schema.c: the offline validator against the tables
 * gen-crds.py generates. The good samples and fixtures must pass; every bad
 * fixture of tests/fixtures/crds/bad must fail with the message (and rule)
 * its "# expect:" / "# rule:" header names, the same ones
 * tests/integration/crds.sh checks against a real API server.
 */
#include "compat.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "schema.h"
#include "xalloc.h"
#include "yaml_json.h"

#include "testlib.h"

/* ---- helpers ---------------------------------------------------------- */

/* The YAML files of a folder, sorted, NULL-terminated (free each). */
static char **
yaml_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, alloc = 0, i, j;

	if (!d)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		v = mg_xgrow(v, sizeof(*v), n + 2, &alloc);
		v[n++] = mg_xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (!v)
		fail_msg("no YAML files in %s", dir);
	v[n] = NULL;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

static void
free_files(char **v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static int
kind_of(const cJSON *doc)
{
	const char *api = mg_json_str(doc, "apiVersion");
	const char *kind = mg_json_str(doc, "kind");
	int k;

	if (!api || strcmp(api, MG_SCHEMA_API_VERSION) != 0 || !kind)
		return -1;
	for (k = 0; k < MG_KIND_COUNT; k++)
		if (strcmp(mg_kind_infos[k].name, kind) == 0)
			return k;
	return -1;
}

static char *
problems_text(const struct mg_findings *p)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_findings_format(p, &b);
	return mg_buf_detach(&b, NULL);
}

/* Validates y as a `kind` (strict) and returns the problems. */
static void
check(enum mg_kind kind, const char *y, struct mg_findings *p)
{
	cJSON *doc = mg_test_yaml(y);

	mg_findings_init(p);
	mg_schema_validate(kind, doc, MG_SCHEMA_STRICT, p);
	cJSON_Delete(doc);
}

static void
assert_problem(const struct mg_findings *p, enum mg_problem_type type,
	       const char *path, const char *message)
{
	const struct mg_finding *x = mg_findings_find(p, type, path);
	char *all = problems_text(p);

	if (!x)
		fail_msg("no problem of type %d at '%s' in:\n%s", (int)type,
			 path, all);
	if (message && strcmp(x->message, message) != 0)
		fail_msg("at '%s': want '%s', got '%s'", path, message,
			 x->message);
	free(all);
}

#define CLUSTER_HEAD                                                        \
	"apiVersion: multigres.com/v1alpha1\nkind: MultigresCluster\n"    \
	"metadata: {name: c}\n"                                            \
	"spec:\n"                                                          \
	"  postgresPasswordSecretRef: {name: pw, key: password}\n"

/* ---- the generated tables ------------------------------------------------- */

static void
test_tables_are_consistent(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < MG_KIND_COUNT; i++) {
		const struct mg_kind_info *k = &mg_kind_infos[i];

		assert_int_equal(k->kind, i);
		assert_true(k->namespaced);
		assert_int_equal(mg_schema_nodes[k->schema].type,
				 MG_SCHEMA_OBJECT);
		assert_int_not_equal(mg_schema_prop_node(k->schema, "spec"), 0);
		assert_int_not_equal(mg_schema_prop_node(k->schema, "metadata"),
				     0);
		assert_int_equal(mg_schema_prop_node(k->schema, "status") != 0,
				 k->has_status);
	}
	assert_string_equal(mg_kind_infos[MG_KIND_SHARD].short_name, "srd");
	assert_true(mg_kind_infos[MG_KIND_SHARD].has_scale);
	assert_false(mg_kind_infos[MG_KIND_CELL].has_scale);
	/* printer columns, as `kubectl get` shows them */
	assert_int_equal(mg_kind_infos[MG_KIND_MULTIGRESCLUSTER].ncolumns, 4);
	assert_string_equal(mg_kind_infos[MG_KIND_MULTIGRESCLUSTER].columns[3].name,
			    "Images");
	assert_int_equal(mg_kind_infos[MG_KIND_MULTIGRESCLUSTER].columns[3].priority,
			 1);
	assert_string_equal(mg_kind_infos[MG_KIND_CELL].columns[0].json_path,
			    ".status.gatewayReadyReplicas");
	assert_string_equal(mg_kind_infos[MG_KIND_TABLEGROUP].columns[0].type,
			    "integer");
	assert_null(mg_kind_infos[MG_KIND_SHARDTEMPLATE].columns);
	assert_int_equal(mg_kind_infos[MG_KIND_SHARDTEMPLATE].ncolumns, 0);
	/* every node's references stay inside the tables */
	for (i = 1; i < MG_SCHEMA_NNODES; i++) {
		const struct mg_schema_node *n = &mg_schema_nodes[i];

		assert_true(n->items < MG_SCHEMA_NNODES);
		assert_true(n->pattern < MG_SCHEMA_NPATTERNS);
		for (j = 0; j < n->nprops; j++)
			assert_true(mg_schema_props[n->props + j].node > 0 &&
				    mg_schema_props[n->props + j].node <
					    MG_SCHEMA_NNODES);
		for (j = 0; j < n->nrules; j++)
			assert_true(mg_schema_rule_refs[n->rules + j] <
				    MG_RULE_COUNT);
	}
	for (i = 0; i < MG_RULE_COUNT; i++)
		assert_int_equal(mg_schema_rules[i].uses_old_self,
				 strstr(mg_schema_rules[i].rule, "oldSelf") !=
					 NULL);
}

/* ---- good input ---------------------------------------------------------------- */

static void
validate_folder(const char *dir, size_t *seen)
{
	char **files = yaml_files(dir);
	size_t i;

	for (i = 0; files[i]; i++) {
		cJSON *docs = mg_test_yaml_file(files[i]), *doc;

		cJSON_ArrayForEach(doc, docs) {
			struct mg_findings p = MG_FINDINGS_INIT;
			int k = kind_of(doc);

			if (k < 0)
				continue;
			(*seen)++;
			mg_schema_validate((enum mg_kind)k, doc,
					   MG_SCHEMA_STRICT, &p);
			if (p.n) {
				char *t = problems_text(&p);

				fail_msg("%s (%s %s):\n%s", files[i],
					 mg_kind_infos[k].name,
					 mg_json_str(doc, "metadata.name"), t);
			}
			mg_findings_release(&p);
		}
		cJSON_Delete(docs);
	}
	free_files(files);
}

static void
test_samples_and_good_fixtures_are_valid(void **state)
{
	size_t seen = 0;

	(void)state;
	validate_folder("deploy/samples", &seen);
	validate_folder("tests/fixtures/crds/good", &seen);
	assert_true(seen >= 12);
}

/* ---- the bad fixtures: same rule and message as the API server ----------------------- */

static char *
header_line(const char *text, const char *key)
{
	const char *p = strstr(text, key), *e;

	if (!p)
		return NULL;
	p += strlen(key);
	e = strchr(p, '\n');
	return mg_xstrndup(p, e ? (size_t)(e - p) : strlen(p));
}

static void
test_bad_fixtures_fail_with_upstream_messages(void **state)
{
	char **files = yaml_files("tests/fixtures/crds/bad");
	bool seen_rule[MG_RULE_COUNT] = { false };
	size_t i, r;

	(void)state;
	for (i = 0; files[i]; i++) {
		struct mg_buf text = MG_BUF_INIT;
		struct mg_findings p = MG_FINDINGS_INIT;
		struct mg_err err = MG_ERR_INIT;
		char *expect, *rule, *mode, *all;
		cJSON *docs = NULL, *doc, *old = NULL;
		const struct mg_finding *hit = NULL;
		int k;
		size_t j;

		if (mg_buf_read_file(&text, files[i], &err))
			fail_msg("%s", err.msg);
		expect = header_line(text.data, "# expect: ");
		rule = header_line(text.data, "# rule: ");
		mode = header_line(text.data, "# mode: ");
		if (!expect || !rule)
			fail_msg("%s: no '# expect:' or '# rule:' line", files[i]);
		if (mg_yaml_parse_all(&docs, text.data, text.len, files[i], &err))
			fail_msg("%s", err.msg);
		doc = cJSON_GetArrayItem(docs, 0);
		if (mode && strncmp(mode, "update", 6) == 0) {
			/* the original must be fine on its own */
			old = doc;
			doc = cJSON_GetArrayItem(docs, 1);
			k = kind_of(old);
			assert_true(k >= 0);
			mg_schema_validate((enum mg_kind)k, old,
					   MG_SCHEMA_STRICT, &p);
			if (p.n)
				fail_msg("%s: the original is refused:\n%s",
					 files[i], problems_text(&p));
			/* and the transition rule needs the old object */
			mg_schema_validate((enum mg_kind)k, doc,
					   MG_SCHEMA_STRICT, &p);
			if (p.n)
				fail_msg("%s: the update alone is refused:\n%s",
					 files[i], problems_text(&p));
		}
		k = kind_of(doc);
		assert_true(k >= 0);
		mg_schema_validate_update((enum mg_kind)k, doc, old,
					  MG_SCHEMA_STRICT, &p);
		for (j = 0; j < p.n && !hit; j++)
			if (p.v[j].type == MG_PROBLEM_RULE &&
			    strstr(p.v[j].message, expect))
				hit = &p.v[j];
		all = problems_text(&p);
		if (!hit)
			fail_msg("%s: no problem with '%s' in:\n%s", files[i],
				 expect, all);
		/* the message ends with upstream's, and names its rule */
		assert_string_equal(hit->message + strlen(hit->message) -
					    strlen(expect),
				    expect);
		assert_string_equal(mg_schema_rules[hit->rule].rule, rule);
		assert_string_equal(mg_schema_rules[hit->rule].message, expect);
		seen_rule[hit->rule] = true;
		free(all);
		free(expect);
		free(rule);
		free(mode);
		cJSON_Delete(docs);
		mg_findings_release(&p);
		mg_buf_release(&text);
	}
	free_files(files);
	for (r = 0; r < MG_RULE_COUNT; r++)
		if (!seen_rule[r])
			fail_msg("no bad fixture for rule %s",
				 mg_schema_rules[r].rule);
}

/* ---- every line the real API server gave, recorded ---------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Our problems for a bad example, one "path: message" line each, sorted. */
static char *
offline_lines(const char *path)
{
	struct mg_buf text = MG_BUF_INIT, out = MG_BUF_INIT;
	struct mg_findings p = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *docs = NULL, *doc, *old = NULL;
	char **lines;
	size_t i;
	int k;

	if (mg_buf_read_file(&text, path, &err) ||
	    mg_yaml_parse_all(&docs, text.data, text.len, path, &err))
		fail_msg("%s", err.msg);
	doc = cJSON_GetArrayItem(docs, 0);
	if (strstr(text.data, "\n# mode: update") ||
	    strncmp(text.data, "# mode: update", 14) == 0) {
		old = doc;
		doc = cJSON_GetArrayItem(docs, 1);
	}
	k = kind_of(doc);
	assert_true(k >= 0);
	mg_schema_validate_update((enum mg_kind)k, doc, old, MG_SCHEMA_STRICT,
				  &p);
	lines = mg_xcalloc(p.n + 1, sizeof(*lines));
	for (i = 0; i < p.n; i++)
		lines[i] = p.v[i].path[0] ? mg_xasprintf("%s: %s", p.v[i].path,
							 p.v[i].message)
					  : mg_xstrdup(p.v[i].message);
	qsort(lines, p.n, sizeof(*lines), cmp_str);
	for (i = 0; i < p.n; i++) {
		mg_buf_addf(&out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	mg_findings_release(&p);
	cJSON_Delete(docs);
	mg_buf_release(&text);
	return mg_buf_detach(&out, NULL);
}

static void
test_same_lines_as_the_api_server(void **state)
{
	struct mg_buf golden = MG_BUF_INIT, want = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	char *line, *save = NULL, *file = NULL;
	size_t files = 0;

	(void)state;
	if (mg_buf_read_file(&golden, "tests/fixtures/model/server-messages.txt",
			     &err))
		fail_msg("%s", err.msg);
	/* a sentinel section closes the last one */
	mg_buf_adds(&golden, "== END\n");
	for (line = strtok_r(golden.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (strncmp(line, "== ", 3) != 0) {
			mg_buf_addf(&want, "%s\n", line);
			continue;
		}
		if (file) {
			char *got = offline_lines(file);

			if (strcmp(got, want.data) != 0)
				fail_msg("%s:\nthe API server said:\n%soffline:\n%s",
					 file, want.data, got);
			free(got);
			files++;
		}
		file = line + 3;
		mg_buf_reset(&want);
	}
	/* every bad fixture of crds/ and model/ was recorded */
	assert_true(files >= 61);
	mg_buf_release(&want);
	mg_buf_release(&golden);
}

/* ---- the OpenAPI checks, with paths and the server's wording --------------------- */

static void
test_unknown_fields_only_in_strict_mode(void **state)
{
	const char *y = CLUSTER_HEAD
		"  bogus: 1\n"
		"  cells:\n"
		"    - {name: a, zoneId: z, extra: true}\n"
		"  multiadmin: {spec: {replicas: 1, affinity: {nodeAffinity: "
		"{weird: 2}}}}\n";
	struct mg_findings p;
	cJSON *doc = mg_test_yaml(y);

	(void)state;
	check(MG_KIND_MULTIGRESCLUSTER, y, &p);
	assert_problem(&p, MG_PROBLEM_UNKNOWN_FIELD, "spec.bogus",
		       "unknown field \"spec.bogus\"");
	assert_problem(&p, MG_PROBLEM_UNKNOWN_FIELD, "spec.cells[0].extra",
		       NULL);
	assert_problem(&p, MG_PROBLEM_UNKNOWN_FIELD,
		       "spec.multiadmin.spec.affinity.nodeAffinity.weird", NULL);
	assert_int_equal(p.n, 3);
	mg_findings_release(&p);

	mg_findings_init(&p);
	assert_int_equal(mg_schema_validate(MG_KIND_MULTIGRESCLUSTER, doc, 0,
					    &p),
			 0);
	mg_findings_release(&p);
	cJSON_Delete(doc);
}

static void
test_wrong_types(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_MULTIGRESCLUSTER,
	      CLUSTER_HEAD "  cells: {name: a}\n"
			   "  multiadmin: {spec: {replicas: three}}\n"
			   "  internalTLS: {enabled: 'yes'}\n"
			   "  globalTopoServer: {etcd: {replicas: 1.5}}\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_TYPE, "spec.cells",
		       "Invalid value: \"object\": spec.cells in body must be "
		       "of type array: \"object\"");
	assert_problem(&p, MG_PROBLEM_TYPE, "spec.multiadmin.spec.replicas",
		       "Invalid value: \"string\": spec.multiadmin.spec."
		       "replicas in body must be of type integer: \"string\"");
	assert_problem(&p, MG_PROBLEM_TYPE, "spec.internalTLS.enabled", NULL);
	assert_problem(&p, MG_PROBLEM_TYPE, "spec.globalTopoServer.etcd.replicas",
		       "Invalid value: \"number\": spec.globalTopoServer.etcd."
		       "replicas in body must be of type integer: \"number\"");
	/* a wrong type blocks the CEL rules, as on the server */
	assert_problem(&p, MG_PROBLEM_NOT_CHECKED, "", NULL);
	assert_null(mg_findings_find(&p, MG_PROBLEM_RULE, NULL));
	mg_findings_release(&p);
}

static void
test_lengths_patterns_enums_and_ranges(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_MULTIGRESCLUSTER,
	      CLUSTER_HEAD
	      "  cells:\n"
	      "    - {name: a, zoneId: z}\n"
	      "    - {name: b, zoneId: z}\n"
	      "    - {name: Bad_Name, zoneId: '"
	      "0123456789012345678901234567890123456789012345678901234567890123'}\n"
	      "    - {name: 'abcdefghijabcdefghijabcdefghijk', region: ''}\n"
	      "  logLevels: {pgctld: loud}\n"
	      "  multiadmin: {spec: {replicas: 129}}\n"
	      "  multiadminWeb: {spec: {replicas: -1}}\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_TOO_LONG, "spec.cells[2].zoneId",
		       "Too long: may not be more than 63 bytes");
	assert_problem(&p, MG_PROBLEM_PATTERN, "spec.cells[2].name",
		       "Invalid value: \"Bad_Name\": spec.cells[2].name in "
		       "body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'");
	assert_problem(&p, MG_PROBLEM_TOO_LONG, "spec.cells[3].name",
		       "Too long: may not be more than 30 bytes");
	assert_problem(&p, MG_PROBLEM_TOO_SHORT, "spec.cells[3].region",
		       "Invalid value: \"\": spec.cells[3].region in body "
		       "should be at least 1 chars long");
	assert_problem(&p, MG_PROBLEM_ENUM, "spec.logLevels.pgctld",
		       "Unsupported value: \"loud\": supported values: "
		       "\"debug\", \"info\", \"warn\", \"error\"");
	assert_problem(&p, MG_PROBLEM_RANGE, "spec.multiadmin.spec.replicas",
		       "Invalid value: 129: spec.multiadmin.spec.replicas in "
		       "body should be less than or equal to 128");
	assert_problem(&p, MG_PROBLEM_RANGE, "spec.multiadminWeb.spec.replicas",
		       "Invalid value: -1: spec.multiadminWeb.spec.replicas in "
		       "body should be greater than or equal to 0");
	assert_int_equal(p.n, 8); /* the 7 above and the CEL notice */
	mg_findings_release(&p);
}

static void
test_lengths_count_characters(void **state)
{
	struct mg_findings p;

	(void)state;
	/* 63 "é" (126 bytes) fit a zone of at most 63 characters */
	check(MG_KIND_MULTIGRESCLUSTER,
	      CLUSTER_HEAD "  cells: [{name: a, zoneId: "
			   "'\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251\303\251\303\251\303\251"
			   "\303\251\303\251\303\251'}]\n",
	      &p);
	assert_int_equal(p.n, 0);
	mg_findings_release(&p);
}

static void
test_required_fields(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_MULTIGRESCLUSTER,
	      "apiVersion: multigres.com/v1alpha1\nkind: MultigresCluster\n"
	      "metadata: {name: c}\n"
	      "spec:\n"
	      "  postgresPasswordSecretRef: {name: pw, key: null}\n"
	      "  cells: [{zoneId: z}]\n"
	      "  backup: {filesystem: {}}\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_REQUIRED, "spec.postgresPasswordSecretRef.key",
		       "Required value");
	assert_problem(&p, MG_PROBLEM_REQUIRED, "spec.cells[0].name", NULL);
	assert_problem(&p, MG_PROBLEM_REQUIRED, "spec.backup.type", NULL);
	assert_problem(&p, MG_PROBLEM_NOT_CHECKED, "", NULL);
	mg_findings_release(&p);

	check(MG_KIND_SHARD,
	      "apiVersion: multigres.com/v1alpha1\nkind: Shard\n"
	      "metadata: {name: s}\nspec: {}\n"
	      "status: {orchReady: true}\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_REQUIRED, "spec.databaseName", NULL);
	assert_problem(&p, MG_PROBLEM_REQUIRED, "spec.pools", NULL);
	assert_problem(&p, MG_PROBLEM_REQUIRED, "status.poolsReady", NULL);
	assert_null(mg_findings_find(&p, MG_PROBLEM_REQUIRED, "status.orchReady"));
	mg_findings_release(&p);
}

static void
test_too_many_and_too_few(void **state)
{
	struct mg_findings p;
	struct mg_buf y = MG_BUF_INIT;
	int i;

	(void)state;
	mg_buf_adds(&y, CLUSTER_HEAD "  cells:\n");
	for (i = 0; i < 51; i++)
		mg_buf_addf(&y, "    - {name: c%d, zoneId: z}\n", i);
	mg_buf_adds(&y, "  externalGateway: {enabled: true, annotations: {");
	for (i = 0; i < 21; i++)
		mg_buf_addf(&y, "%sa%d: x", i ? ", " : "", i);
	mg_buf_adds(&y, "}}\n  databases: [{name: postgres, default: true, "
			"tablegroups: [{name: default, default: true, shards: "
			"[{name: 0-inf, spec: {pools: {p: {cells: []}}}}]}]}]\n");
	check(MG_KIND_MULTIGRESCLUSTER, y.data, &p);
	assert_problem(&p, MG_PROBLEM_TOO_MANY, "spec.cells",
		       "Too many: 51: must have at most 50 items");
	assert_problem(&p, MG_PROBLEM_TOO_MANY, "spec.externalGateway.annotations",
		       "Too many: 21: must have at most 20 items");
	assert_problem(&p, MG_PROBLEM_TOO_FEW,
		       "spec.databases[0].tablegroups[0].shards[0].spec.pools.p."
		       "cells",
		       "Invalid value: 0: spec.databases[0].tablegroups[0]."
		       "shards[0].spec.pools.p.cells in body should have at "
		       "least 1 items");
	mg_findings_release(&p);
	mg_buf_release(&y);
}

static void
test_duplicate_list_keys(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_MULTIGRESCLUSTER,
	      CLUSTER_HEAD "  cells:\n"
			   "    - {name: a, zoneId: z1}\n"
			   "    - {name: b, zoneId: z2}\n"
			   "    - {name: a, zoneId: z3}\n"
			   "    - {name: a, zoneId: z4}\n"
			   "  databases: [{name: postgres, default: true, "
			   "tablegroups: [{name: default, default: true, "
			   "shards: [{name: 0-inf, spec: {pools: {main-app: "
			   "{cells: [a, b, a]}}}}]}]}]\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_DUPLICATE, "spec.cells[2]",
		       "Duplicate value: {\"name\":\"a\"}");
	/* only the second of three equal keys, as the server does */
	assert_null(mg_findings_find(&p, MG_PROBLEM_DUPLICATE, "spec.cells[3]"));
	assert_problem(&p, MG_PROBLEM_DUPLICATE,
		       "spec.databases[0].tablegroups[0].shards[0].spec.pools."
		       "main-app.cells[2]",
		       "Duplicate value: \"a\"");
	/* duplicates do not block the CEL rules */
	assert_null(mg_findings_find(&p, MG_PROBLEM_NOT_CHECKED, NULL));
	mg_findings_release(&p);
}

static void
test_formats_and_quantities(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_SHARD,
	      "apiVersion: multigres.com/v1alpha1\nkind: Shard\n"
	      "metadata: {name: s}\n"
	      "spec:\n"
	      "  databaseName: postgres\n  tableGroupName: default\n"
	      "  shardName: 0-inf\n"
	      "  images: {multiorch: a, multipooler: b, postgres: c}\n"
	      "  globalTopoServer: {address: x, rootPath: /r, implementation: etcd}\n"
	      "  postgresPasswordSecretRef: {name: pw, key: password}\n"
	      "  multiorch: {resources: {requests: {cpu: 100m, memory: 1}, "
	      "limits: {memory: lots}}}\n"
	      "  pools: {}\n"
	      "status:\n"
	      "  orchReady: true\n  poolsReady: true\n"
	      "  lastBackupTime: yesterday\n"
	      "  conditions:\n"
	      "    - {type: Available, status: 'True', reason: Ok, message: '',"
	      " lastTransitionTime: '2026-01-01T00:00:00Z'}\n"
	      "    - {type: Available, status: Maybe, reason: 'not ok', "
	      "message: '', lastTransitionTime: '2026-01-01T00:00:00.5+02:00'}\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_TYPE, "status.lastBackupTime",
		       "Invalid value: \"yesterday\": lastBackupTime in body "
		       "must be of type date-time: \"yesterday\"");
	assert_problem(&p, MG_PROBLEM_PATTERN,
		       "spec.multiorch.resources.limits.memory", NULL);
	assert_null(mg_findings_find(&p, MG_PROBLEM_PATTERN,
				     "spec.multiorch.resources.requests.cpu"));
	assert_problem(&p, MG_PROBLEM_ENUM, "status.conditions[1].status", NULL);
	assert_problem(&p, MG_PROBLEM_PATTERN, "status.conditions[1].reason",
		       NULL);
	assert_problem(&p, MG_PROBLEM_DUPLICATE, "status.conditions[1]",
		       "Duplicate value: {\"type\":\"Available\"}");
	assert_null(mg_findings_find(&p, MG_PROBLEM_TYPE,
				     "status.conditions[1].lastTransitionTime"));
	assert_int_equal(p.n, 6);
	mg_findings_release(&p);
}

static void
test_metadata_is_checked_shallowly(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_CELLTEMPLATE,
	      "apiVersion: multigres.com/v1alpha1\nkind: CellTemplate\n"
	      "metadata: {name: t, labels: {a: 1}, generation: x, color: red}\n"
	      "spec: {}\n",
	      &p);
	assert_problem(&p, MG_PROBLEM_TYPE, "metadata.labels.a", NULL);
	assert_problem(&p, MG_PROBLEM_TYPE, "metadata.generation", NULL);
	assert_problem(&p, MG_PROBLEM_UNKNOWN_FIELD, "metadata.color", NULL);
	assert_int_equal(p.n, 4); /* and the CEL notice */
	mg_findings_release(&p);
}

/* ---- CEL rules -------------------------------------------------------------------- */

static void
test_rule_messages_name_the_value(void **state)
{
	struct mg_findings p;

	(void)state;
	check(MG_KIND_MULTIGRESCLUSTER,
	      "apiVersion: multigres.com/v1alpha1\nkind: MultigresCluster\n"
	      "metadata: {name: a-name-longer-than-twenty-five}\n"
	      "spec:\n"
	      "  postgresPasswordSecretRef: {name: pw, key: password}\n"
	      "  globalTopoServer: {etcd: {replicas: 4}}\n"
	      "  databases: [{name: postgres, default: true, tablegroups: "
	      "[{name: default, default: true, shards: [{name: one}]}]}]\n",
	      &p);
	/* root rules have no path, as on the server */
	assert_problem(&p, MG_PROBLEM_RULE, "",
		       "Invalid value: MultigresCluster name must be at most 25 "
		       "characters");
	assert_problem(&p, MG_PROBLEM_RULE, "spec.globalTopoServer.etcd.replicas",
		       "Invalid value: 4: etcd replicas must be an odd number "
		       "(1, 3, 5); even numbers provide no additional fault "
		       "tolerance over the next lower odd number");
	assert_problem(&p, MG_PROBLEM_RULE,
		       "spec.databases[0].tablegroups[0].shards[0].name",
		       "Invalid value: \"one\": shardName must be strictly "
		       "equal to '0-inf' in this version");
	assert_int_equal(p.n, 3);
	mg_findings_release(&p);
}

static void
test_rule_evaluation_errors(void **state)
{
	struct mg_findings p;

	(void)state;
	/* db.default == true with no default: CEL's "no such key" */
	check(MG_KIND_MULTIGRESCLUSTER,
	      CLUSTER_HEAD "  databases: [{name: postgres}]\n", &p);
	assert_problem(&p, MG_PROBLEM_RULE, "spec.databases",
		       "Invalid value: \"array\": no such key: default "
		       "evaluating rule: in v1alpha1, only the single system "
		       "database named 'postgres' (marked default: true) is "
		       "supported");
	assert_int_equal(p.n, 1);
	mg_findings_release(&p);
	/* but a false operand wins over the error */
	check(MG_KIND_MULTIGRESCLUSTER,
	      CLUSTER_HEAD "  databases: [{name: other}]\n", &p);
	assert_problem(&p, MG_PROBLEM_RULE, "spec.databases",
		       "Invalid value: in v1alpha1, only the single system "
		       "database named 'postgres' (marked default: true) is "
		       "supported");
	mg_findings_release(&p);
}

static void
test_rule_paths_through_maps(void **state)
{
	struct mg_findings p;
	cJSON *old, *doc;
#define POOL_CELLS(cells)                                                    \
	CLUSTER_HEAD                                                         \
	"  cells: [{name: a, zoneId: z1}, {name: b, zoneId: z2}]\n"         \
	"  databases: [{name: postgres, default: true, tablegroups: "       \
	"[{name: default, default: true, shards: [{name: 0-inf, "           \
	"overrides: {pools: {main-app: {cells: [" cells "]}}}}]}]}]\n"
	const char *y1 = POOL_CELLS("a, b"), *y2 = POOL_CELLS("b");

	(void)state;
	old = mg_test_yaml(y1);
	doc = mg_test_yaml(y2);
	mg_findings_init(&p);
	assert_int_equal(mg_schema_validate(MG_KIND_MULTIGRESCLUSTER, doc,
					    MG_SCHEMA_STRICT, &p),
			 0);
	mg_schema_validate_update(MG_KIND_MULTIGRESCLUSTER, doc, old,
				  MG_SCHEMA_STRICT, &p);
	assert_problem(&p, MG_PROBLEM_RULE,
		       "spec.databases[0].tablegroups[0].shards[0].overrides."
		       "pools.main-app.cells",
		       "Invalid value: Cells cannot be removed from a pool "
		       "(Append-Only)");
	assert_int_equal(p.n, 1);
	mg_findings_release(&p);
	/* the other way round is an addition: fine */
	mg_findings_init(&p);
	assert_int_equal(mg_schema_validate_update(MG_KIND_MULTIGRESCLUSTER,
						   old, doc, MG_SCHEMA_STRICT,
						   &p),
			 0);
	mg_findings_release(&p);
	cJSON_Delete(old);
	cJSON_Delete(doc);
}

static void
test_list_map_items_correlate_by_key(void **state)
{
	struct mg_findings p = MG_FINDINGS_INIT;
	cJSON *old = mg_test_yaml(CLUSTER_HEAD
			  "  databases: [{name: postgres, default: true, "
			  "backup: {type: s3, s3: {bucket: b, region: r}, "
			  "encryption: {secretName: k}}, tablegroups: [{name: "
			  "default, default: true}]}]\n");
	cJSON *same = cJSON_Duplicate(old, true), *changed;
	cJSON *db = cJSON_GetArrayItem(mg_json_get(same, "spec.databases"), 0);

	(void)state;
	/* reordering nothing, touching another field: no transition problem */
	cJSON_AddStringToObject(db, "durabilityPolicy", "AT_LEAST_2");
	assert_int_equal(mg_schema_validate_update(MG_KIND_MULTIGRESCLUSTER,
						   same, old, MG_SCHEMA_STRICT,
						   &p),
			 0);
	changed = cJSON_Duplicate(same, true);
	mg_json_set_str(mg_json_get(changed, "spec.databases.0.backup.encryption"),
			"secretName", "other");
	mg_schema_validate_update(MG_KIND_MULTIGRESCLUSTER, changed, old,
				  MG_SCHEMA_STRICT, &p);
	assert_problem(&p, MG_PROBLEM_RULE, "spec.databases[0].backup",
		       "Invalid value: encryption is immutable and cannot be "
		       "added, removed, or changed after creation");
	mg_findings_release(&p);
	cJSON_Delete(old);
	cJSON_Delete(same);
	cJSON_Delete(changed);
}

static void
test_update_ratchets_unchanged_values(void **state)
{
	struct mg_findings p = MG_FINDINGS_INIT;
	cJSON *old = mg_test_yaml(CLUSTER_HEAD "  cells: [{name: a}]\n"
				       "  logLevels: {pgctld: loud}\n");
	cJSON *doc = cJSON_Duplicate(old, true);

	(void)state;
	/* both problems were there before: an update keeping them is fine */
	mg_json_set_str(mg_json_get(doc, "spec"), "durabilityPolicy", "x");
	assert_int_equal(mg_schema_validate_update(MG_KIND_MULTIGRESCLUSTER,
						   doc, old, MG_SCHEMA_STRICT,
						   &p),
			 0);
	/* a create of the same is not */
	assert_true(mg_schema_validate(MG_KIND_MULTIGRESCLUSTER, doc,
				       MG_SCHEMA_STRICT, &p) >= 2);
	mg_findings_release(&p);
	cJSON_Delete(old);
	cJSON_Delete(doc);
}

static void
test_problems_to_err(void **state)
{
	struct mg_findings p;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	check(MG_KIND_CELLTEMPLATE,
	      "apiVersion: multigres.com/v1alpha1\nkind: CellTemplate\n"
	      "metadata: {name: t}\n"
	      "spec: {multigateway: {replicas: 1, bogus: 1}, "
	      "localTopoServer: {}}\n",
	      &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(mg_findings_to_err(&p, "celltemplate 't'", &err),
			 MG_EINVAL);
	assert_string_equal(err.msg, "celltemplate 't': spec.multigateway.bogus: "
				     "unknown field \"spec.multigateway.bogus\""
				     " (and 1 more problem)");
	mg_findings_release(&p);
	mg_err_clear(&err);
	assert_int_equal(mg_findings_to_err(&p, "x", &err), 0);
	assert_int_equal(err.code, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_are_consistent),
		cmocka_unit_test(test_samples_and_good_fixtures_are_valid),
		cmocka_unit_test(test_bad_fixtures_fail_with_upstream_messages),
		cmocka_unit_test(test_same_lines_as_the_api_server),
		cmocka_unit_test(test_unknown_fields_only_in_strict_mode),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_lengths_patterns_enums_and_ranges),
		cmocka_unit_test(test_lengths_count_characters),
		cmocka_unit_test(test_required_fields),
		cmocka_unit_test(test_too_many_and_too_few),
		cmocka_unit_test(test_duplicate_list_keys),
		cmocka_unit_test(test_formats_and_quantities),
		cmocka_unit_test(test_metadata_is_checked_shallowly),
		cmocka_unit_test(test_rule_messages_name_the_value),
		cmocka_unit_test(test_rule_evaluation_errors),
		cmocka_unit_test(test_rule_paths_through_maps),
		cmocka_unit_test(test_list_map_items_correlate_by_key),
		cmocka_unit_test(test_update_ratchets_unchanged_values),
		cmocka_unit_test(test_problems_to_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
