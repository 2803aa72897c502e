/*
 * Unit tests for shared/model.c: the eight kinds as C structs. Every
 * multigres document of deploy/samples and tests/fixtures (crds/good,
 * crds/bad, model) must survive parse -> emit -> parse unchanged; typed
 * fields must hold what the YAML says; unknown members are kept in the
 * lenient modes and refused in the strict one.
 */
#include "compat.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "model.h"
#include "xalloc.h"
#include "yaml_json.h"

#include "testlib.h"

/* ---- helpers ---------------------------------------------------------- */

static char **
yaml_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, alloc = 0;

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

static bool
is_ours(const cJSON *doc)
{
	const char *api = mg_json_str(doc, "apiVersion");

	return api && strcmp(api, MG_SCHEMA_API_VERSION) == 0;
}

static char *
compact(const cJSON *j)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_json_print(&b, j, false);
	return mg_buf_detach(&b, NULL);
}

static struct mg_model_obj *
parse_ok(const cJSON *in, enum mg_model_strict strict)
{
	struct mg_model_obj *obj = NULL;
	struct mg_findings p = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;

	if (mg_model_parse(in, strict, &obj, &p, &err))
		fail_msg("parse: %s", err.msg);
	assert_non_null(obj);
	mg_findings_release(&p);
	return obj;
}

static struct mg_model_obj *
parse_file(const char *path, int index)
{
	cJSON *docs = mg_test_yaml_file(path);
	struct mg_model_obj *obj =
		parse_ok(cJSON_GetArrayItem(docs, index), MG_MODEL_CHECKED);

	cJSON_Delete(docs);
	return obj;
}

/* ---- tables ----------------------------------------------------------------- */

static void
test_tables_match_the_schema(void **state)
{
	struct mg_buf report = MG_BUF_INIT;
	size_t bad = mg_model_check_tables(&report);

	(void)state;
	if (bad)
		fail_msg("%zu mismatches:\n%s", bad, report.data);
	mg_buf_release(&report);
}

static void
test_kind_lookup(void **state)
{
	static const char *const shard[] = { "srd", "Shard", "shard", "shards",
					     "SHARDS", "shards.multigres.com",
					     "Shard.Multigres.Com",
					     "srd.v1alpha1.multigres.com" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(shard); i++) {
		const struct mg_kind_info *k = mg_model_kind_lookup(shard[i]);

		assert_non_null(k);
		assert_int_equal(k->kind, MG_KIND_SHARD);
	}
	for (i = 0; i < MG_KIND_COUNT; i++) {
		assert_ptr_equal(mg_model_kind_lookup(mg_kind_infos[i].short_name),
				 &mg_kind_infos[i]);
		assert_ptr_equal(mg_model_kind_lookup(mg_kind_infos[i].plural),
				 &mg_kind_infos[i]);
		assert_ptr_equal(mg_model_kind_lookup(mg_kind_infos[i].name),
				 &mg_kind_infos[i]);
	}
	assert_string_equal(mg_model_kind_lookup("mgc")->plural,
			    "multigresclusters");
	assert_string_equal(mg_model_kind_lookup("tps")->name, "TopoServer");
	assert_string_equal(mg_model_kind_lookup("cet")->name, "CellTemplate");
	assert_true(mg_model_kind_lookup("cel")->has_status);
	assert_null(mg_model_kind_lookup("pods"));
	assert_null(mg_model_kind_lookup("sh"));
	assert_null(mg_model_kind_lookup(".multigres.com"));
	assert_null(mg_model_kind_lookup("shards.v1.multigres.com"));
	assert_null(mg_model_kind_lookup("shards.v1alpha1"));
	assert_null(mg_model_kind_lookup(NULL));
}

/* ---- round trips -------------------------------------------------------------- */

static void
round_trip(const cJSON *doc, enum mg_model_strict strict, const char *where)
{
	struct mg_model_obj *a = parse_ok(doc, strict), *b;
	cJSON *out1 = NULL, *out2 = NULL;

	mg_model_emit(a, &out1);
	if (!cJSON_Compare(doc, out1, true)) {
		char *x = compact(doc), *y = compact(out1);

		fail_msg("%s: emit differs from the input:\n in: %s\nout: %s",
			 where, x, y);
	}
	b = parse_ok(out1, MG_MODEL_TRUSTED);
	mg_model_emit(b, &out2);
	assert_true(cJSON_Compare(out1, out2, true));
	mg_model_free(a);
	mg_model_free(b);
	cJSON_Delete(out1);
	cJSON_Delete(out2);
}

static size_t
round_trip_folder(const char *dir, enum mg_model_strict strict)
{
	char **files = yaml_files(dir);
	size_t i, n = 0;

	for (i = 0; files[i]; i++) {
		cJSON *docs = mg_test_yaml_file(files[i]), *doc;
		int j = 0;

		cJSON_ArrayForEach(doc, docs) {
			char *where = mg_xasprintf("%s#%d", files[i], j++);

			if (is_ours(doc)) {
				round_trip(doc, strict, where);
				n++;
			}
			free(where);
		}
		cJSON_Delete(docs);
	}
	free_files(files);
	return n;
}

static void
test_round_trip_every_document(void **state)
{
	(void)state;
	assert_true(round_trip_folder("deploy/samples", MG_MODEL_STRICT) >= 8);
	assert_true(round_trip_folder("tests/fixtures/crds/good",
				      MG_MODEL_STRICT) == 4);
	assert_true(round_trip_folder("tests/fixtures/model", MG_MODEL_STRICT) >=
		    5);
	/* the bad ones break rules, not shapes: the model keeps them whole */
	assert_true(round_trip_folder("tests/fixtures/crds/bad",
				      MG_MODEL_TRUSTED) >= 50);
	/* and wrong types are kept as unknown members, whole */
	assert_true(round_trip_folder("tests/fixtures/model/bad",
				      MG_MODEL_TRUSTED) >= 9);
}

/* ---- typed fields ------------------------------------------------------------------- */

static void
test_shard_fields(void **state)
{
	struct mg_model_obj *o =
		parse_file("tests/fixtures/model/shard-with-status.yaml", 0);
	const struct mg_shard_spec *s;
	const struct mg_shard_status *st;
	const struct mg_pool_spec *pool;
	const struct mg_condition *c;

	(void)state;
	assert_int_equal(o->kind, MG_KIND_SHARD);
	assert_string_equal(o->metadata.name,
			    "demo-postgres-default-0-inf-6c1b2f3a");
	assert_string_equal(o->metadata.namespace, "prod");
	assert_string_equal(o->metadata.uid,
			    "7d9c1f5e-4b2a-4f0e-9a51-2f6f3c1d8e77");
	assert_string_equal(o->metadata.resource_version, "48213");
	assert_true(o->metadata.generation.set);
	assert_int_equal(o->metadata.generation.v, 3);
	assert_string_equal(o->metadata.creation_timestamp,
			    "2026-08-01T09:30:00Z");
	assert_null(o->metadata.deletion_timestamp);
	assert_string_equal(mg_model_strmap_get(&o->metadata.labels,
					  "multigres.com/shard"),
			    "0-inf");
	assert_string_equal(mg_model_strmap_get(&o->metadata.annotations,
					  "multigres.com/spec-hash"),
			    "3f2a9c");
	assert_int_equal(o->metadata.owner_references.n, 1);
	assert_string_equal(o->metadata.owner_references.v[0].kind,
			    "TableGroup");
	assert_true(o->metadata.owner_references.v[0].controller.v);
	assert_true(mg_model_strlist_has(&o->metadata.finalizers,
				   "multigres.com/shard-drain"));
	/* managedFields is Kubernetes's business: kept, not modelled */
	assert_non_null(cJSON_GetObjectItem(o->metadata.unknown,
					    "managedFields"));

	s = o->spec.shard;
	assert_string_equal(s->shard_name, "0-inf");
	assert_string_equal(s->images->postgres,
			    "ghcr.io/multigres/pgctld:sha-66d2310");
	assert_string_equal(mg_json_str(s->images->image_pull_secrets, "0.name"),
			    "regcred");
	assert_string_equal(s->global_topo_server->root_path, "/multigres/global");
	assert_int_equal(s->multiorch->replicas.v, 1);
	assert_int_equal(s->multiorch->cells.n, 2);
	assert_string_equal(mg_json_str(s->multiorch->resources,
					"limits.memory"),
			    "128Mi");
	assert_string_equal(mg_model_strmap_get(&s->postgres_config, "shared_buffers"),
			    "256MB");
	assert_int_equal(s->pools.n, 2);
	pool = mg_pools_find(&s->pools, "main-app");
	assert_non_null(pool);
	assert_string_equal(pool->type, "readWrite");
	assert_int_equal(pool->replicas_per_cell.v, 2);
	assert_true(mg_model_strlist_has(&pool->cells, "zone-b"));
	assert_string_equal(pool->storage->class, "fast");
	assert_int_equal(pool->postgres->run_as_user.v, 999);
	assert_int_equal(pool->multipooler->run_as_user.v, 999);
	assert_false(pool->multipooler->run_as_group.set);
	assert_int_equal(pool->fs_group.v, 999);
	assert_string_equal(pool->pvc_deletion_policy->when_deleted, "Retain");
	assert_string_equal(mg_json_str(pool->tolerations, "0.key"), "dedicated");
	pool = mg_pools_find(&s->pools, "analytics");
	assert_non_null(pool);
	assert_false(pool->replicas_per_cell.set);
	assert_null(pool->storage);
	assert_null(mg_pools_find(&s->pools, "nope"));
	assert_true(s->internal_tls->enabled.set);
	assert_false(s->internal_tls->enabled.v);
	assert_string_equal(s->log_levels->multiorch, "debug");
	assert_null(s->log_levels->multigateway);
	assert_string_equal(s->backup->type, "s3");
	assert_string_equal(s->backup->s3->key_prefix, "demo/");
	assert_true(s->backup->s3->use_env_credentials.v);
	assert_string_equal(s->backup->encryption->secret_name, "backup-keys");
	assert_null(s->backup->filesystem);
	assert_int_equal(s->cell_topology_labels.n, 2);
	assert_string_equal(s->cell_topology_labels.v[1].cell, "zone-b");
	assert_string_equal(mg_model_strmap_get(&s->cell_topology_labels.v[1].labels,
					  "topology.kubernetes.io/zone"),
			    "eu-west-1b");
	assert_int_equal(s->replicas.v, 5);

	st = o->status.shard;
	assert_ptr_equal(mg_model_status_common(o), &st->common);
	assert_int_equal(st->common.observed_generation.v, 3);
	assert_string_equal(st->common.phase, "Progressing");
	assert_string_equal(st->common.message, "waiting for pods");
	assert_int_equal(st->common.conditions.n, 2);
	c = mg_conditions_find(&st->common.conditions, "Available");
	assert_non_null(c);
	assert_string_equal(c->status, "False");
	assert_string_equal(c->reason, "NotAllPodsReady");
	assert_int_equal(c->observed_generation.v, 3);
	c = mg_conditions_find(&st->common.conditions, "BackupHealthy");
	assert_string_equal(c->last_transition_time,
			    "2026-08-01T07:40:12.123456Z");
	assert_null(mg_conditions_find(&st->common.conditions, "Ready"));
	assert_false(st->postgres_config->in_progress.v);
	assert_true(st->postgres_config->in_progress.set);
	assert_true(st->orch_ready.v);
	assert_false(st->pools_ready.v);
	assert_true(st->pools_ready.set);
	assert_string_equal(st->last_backup_time, "2026-08-01T07:40:00Z");
	assert_string_equal(st->last_backup_type, "full");
	assert_int_equal(st->pod_roles.n, 4);
	assert_string_equal(mg_model_strmap_get(&st->pod_roles,
					  "demo-postgres-default-0-inf-main-app-"
					  "zone-a-0"),
			    "PRIMARY");
	assert_string_equal(mg_model_strmap_get(&st->pod_roles,
					  "demo-postgres-default-0-inf-analytics-"
					  "zone-b-0"),
			    "QUARANTINED");
	assert_int_equal(st->ready_replicas.v, 4);
	assert_true(mg_model_strlist_has(&st->cells, "zone-a"));
	mg_model_free(o);
}

static void
test_cell_tablegroup_toposerver_fields(void **state)
{
	struct mg_model_obj *o =
		parse_file("tests/fixtures/model/cell-with-status.yaml", 0);
	const struct mg_cell_spec *c = o->spec.cell;

	(void)state;
	assert_string_equal(o->metadata.deletion_timestamp,
			    "2026-08-02T10:00:00Z");
	assert_string_equal(c->name, "zone-a");
	assert_string_equal(c->zone_id, "euw1-az1");
	assert_null(c->region);
	assert_int_equal(c->multigateway->replicas.v, 2);
	assert_true(c->multigateway->buffer->enabled.v);
	assert_string_equal(c->multigateway->buffer->window, "10s");
	assert_int_equal(c->multigateway->buffer->size.v, 1000);
	assert_false(c->multigateway->buffer->drain_concurrency.set);
	assert_string_equal(mg_model_strmap_get(&c->multigateway->pod_labels, "team"),
			    "db");
	assert_string_equal(c->topo_server->external->endpoints.v[0],
			    "https://etcd.example:2379");
	assert_null(c->topo_server->etcd);
	assert_true(c->topology_reconciliation->prune_poolers.v);
	assert_string_equal(c->observability->sampling_config_ref->name, "otel");
	assert_int_equal(o->status.cell->gateway_replicas.v, 2);
	assert_int_equal(o->status.cell->gateway_ready_replicas.v, 1);
	assert_string_equal(o->status.cell->common.phase, "Healthy");
	mg_model_free(o);

	o = parse_file("tests/fixtures/model/tablegroup-with-status.yaml", 0);
	assert_int_equal(o->kind, MG_KIND_TABLEGROUP);
	assert_true(o->spec.tablegroup->default_.v);
	assert_int_equal(o->spec.tablegroup->shards.n, 2);
	assert_string_equal(o->spec.tablegroup->shards.v[0].initdb_args,
			    "--data-checksums");
	assert_string_equal(o->spec.tablegroup->shards.v[0].postgres_config_ref->key,
			    "postgresql.conf");
	assert_int_equal(o->spec.tablegroup->shards.v[0].pools.v[0].replicas_per_cell.v,
			 3);
	assert_string_equal(o->spec.tablegroup->shards.v[0].backup->filesystem->storage->size,
			    "10Gi");
	assert_true(o->spec.tablegroup->shards.v[1].pools.present);
	assert_int_equal(o->spec.tablegroup->shards.v[1].pools.n, 0);
	assert_int_equal(o->status.tablegroup->ready_shards.v, 1);
	assert_int_equal(o->status.tablegroup->total_shards.v, 2);
	assert_false(o->status.tablegroup->common.conditions.present);
	mg_model_free(o);

	o = parse_file("tests/fixtures/model/toposerver-with-status.yaml", 0);
	assert_int_equal(o->spec.toposerver->etcd->replicas.v, 3);
	assert_string_equal(o->spec.toposerver->etcd->storage->size, "1Gi");
	assert_string_equal(o->status.toposerver->peer_service,
			    "demo-global-topo-headless");
	assert_string_equal(mg_model_status_common(o)->conditions.v[0].type,
			    "Ready");
	mg_model_free(o);
}

static void
test_cluster_fields(void **state)
{
	struct mg_model_obj *o =
		parse_file("tests/fixtures/model/cluster-with-status.yaml", 0);
	const struct mg_cluster_spec *s = o->spec.cluster;
	const struct mg_cluster_status *st = o->status.cluster;
	const struct mg_cluster_shard *shard;

	(void)state;
	assert_string_equal(s->template_defaults->shard_template, "default");
	assert_string_equal(s->global_topo_server->template_ref, "default");
	assert_null(s->global_topo_server->etcd);
	assert_string_equal(s->multiadmin->template_ref, "default");
	assert_null(s->multiadmin->spec);
	assert_true(s->external_gateway->enabled.v);
	assert_string_equal(s->external_gateway->external_ips.v[0], "10.0.0.5");
	assert_int_equal(s->cells.n, 2);
	assert_string_equal(s->cells.v[0].cell_template, "default");
	assert_string_equal(s->cells.v[1].region, "eu-west-1");
	assert_int_equal(s->cells.v[1].overrides->multigateway->replicas.v, 3);
	assert_int_equal(s->databases.n, 1);
	assert_true(s->databases.v[0].default_.v);
	shard = &s->databases.v[0].tablegroups.v[0].shards.v[0];
	assert_string_equal(shard->name, "0-inf");
	assert_string_equal(shard->shard_template, "default");
	assert_int_equal(shard->overrides->pools.n, 1);
	assert_string_equal(shard->overrides->pools.v[0].name, "main-app");
	assert_int_equal(shard->overrides->pools.v[0].cells.n, 2);
	assert_null(shard->spec);
	assert_string_equal(s->postgres_password_secret_ref->name, "demo-admin");

	assert_int_equal(st->common.observed_generation.v, 7);
	assert_int_equal(st->cells.n, 2);
	assert_string_equal(st->cells.v[1].name, "zone-b");
	assert_int_equal(st->cells.v[1].gateway_replicas.v, 3);
	assert_true(st->cells.v[1].ready.v);
	assert_string_equal(st->databases.v[0].name, "postgres");
	assert_int_equal(st->databases.v[0].total_shards.v, 1);
	assert_string_equal(st->gateway->external_endpoint, "10.0.0.5");
	assert_null(st->admin_web);
	assert_true(mg_model_strlist_has(&st->resolved_templates->cell_templates,
				   "default"));
	assert_string_equal(st->images->effective->multiadmin_web,
			    "ghcr.io/multigres/multiadmin-web:sha-64da1ab");
	assert_null(st->images->applied);
	assert_string_equal(st->images->available_revision, "51818592d94d");
	mg_model_free(o);
}

static void
test_templates(void **state)
{
	cJSON *docs = mg_test_yaml_file("deploy/samples/templates.yaml"), *doc;
	int seen = 0;

	(void)state;
	cJSON_ArrayForEach(doc, docs) {
		struct mg_model_obj *o;

		if (!is_ours(doc))
			continue;
		o = parse_ok(doc, MG_MODEL_STRICT);
		assert_null(mg_model_status_common(o));
		switch (o->kind) {
		case MG_KIND_CORETEMPLATE:
			assert_non_null(o->spec.core_template);
			seen |= 1;
			break;
		case MG_KIND_CELLTEMPLATE:
			assert_non_null(o->spec.cell_template);
			seen |= 2;
			break;
		case MG_KIND_SHARDTEMPLATE:
			assert_true(o->spec.shard_template->pools.present);
			seen |= 4;
			break;
		default:
			fail_msg("unexpected kind %d", (int)o->kind);
		}
		mg_model_free(o);
	}
	assert_int_equal(seen, 7);
	cJSON_Delete(docs);
}

/* ---- unknown members and the three modes -------------------------------------------- */

static const char unknown_doc[] =
	"apiVersion: multigres.com/v1alpha1\n"
	"kind: ShardTemplate\n"
	"metadata: {name: t, color: red}\n"
	"topLevel: {a: 1}\n"
	"spec:\n"
	"  future: [1, 2]\n"
	"  multiorch: {replicas: 1, buffer: {size: 3}}\n"
	"  pools:\n"
	"    main:\n"
	"      cells: [a]\n"
	"      priority: high\n"
	"      storage: {size: 1Gi, iops: 3000}\n";

static void
test_unknown_members_are_kept(void **state)
{
	cJSON *in = mg_test_yaml(unknown_doc), *out = NULL;
	struct mg_model_obj *o = parse_ok(in, MG_MODEL_CHECKED);
	const struct mg_shard_template_spec *s = o->spec.shard_template;

	(void)state;
	assert_non_null(cJSON_GetObjectItem(o->unknown, "topLevel"));
	assert_string_equal(mg_json_str(o->metadata.unknown, "color"), "red");
	assert_non_null(cJSON_GetObjectItem(s->unknown, "future"));
	/* a multiorch has no buffer: kept as unknown, not modelled */
	assert_null(s->multiorch->buffer);
	assert_int_equal(mg_json_int(s->multiorch->unknown, "buffer.size", 0), 3);
	assert_string_equal(mg_json_str(s->pools.v[0].unknown, "priority"),
			    "high");
	assert_int_equal(mg_json_int(s->pools.v[0].storage->unknown, "iops", 0),
			 3000);
	assert_int_equal(cJSON_GetArraySize(s->pools.v[0].unknown), 1);
	mg_model_emit(o, &out);
	assert_true(cJSON_Compare(in, out, true));
	mg_model_free(o);
	cJSON_Delete(in);
	cJSON_Delete(out);
}

static void
test_strict_refuses_unknown_members(void **state)
{
	cJSON *in = mg_test_yaml(unknown_doc);
	struct mg_model_obj *o = NULL;
	struct mg_findings p = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_model_parse(in, MG_MODEL_STRICT, &o, &p, &err),
			 MG_EINVAL);
	assert_null(o);
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_UNKNOWN_FIELD,
					 "spec.pools.main.priority"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_UNKNOWN_FIELD,
					 "spec.pools.main.storage.iops"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_UNKNOWN_FIELD,
					 "spec.multiorch.buffer"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_UNKNOWN_FIELD,
					 "metadata.color"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_UNKNOWN_FIELD,
					 "topLevel"));
	assert_int_equal(p.n, 6);
	/* the first one in document order names the object and the rest */
	assert_string_equal(err.msg, "ShardTemplate 't': metadata.color: "
				     "unknown field \"metadata.color\" (and 5 "
				     "more problems)");
	mg_findings_release(&p);
	cJSON_Delete(in);
}

static void
test_checked_refuses_bad_values_with_paths(void **state)
{
	cJSON *in = mg_test_yaml("apiVersion: multigres.com/v1alpha1\n"
			 "kind: MultigresCluster\n"
			 "metadata: {name: demo}\n"
			 "spec:\n"
			 "  cells: [{name: zone-a, zoneId: "
			 "'0123456789012345678901234567890123456789"
			 "012345678901234567890123'}]\n"
			 "  logLevels: {pgctld: chatty}\n"
			 "  multiadmin: {spec: {replicas: many}}\n");
	struct mg_model_obj *o = NULL;
	struct mg_findings p = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_model_parse(in, MG_MODEL_CHECKED, &o, &p, &err),
			 MG_EINVAL);
	assert_null(o);
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_TOO_LONG,
					 "spec.cells[0].zoneId"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_ENUM,
					 "spec.logLevels.pgctld"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_TYPE,
					 "spec.multiadmin.spec.replicas"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_REQUIRED,
					 "spec.postgresPasswordSecretRef"));
	assert_true(strncmp(err.msg, "MultigresCluster 'demo': spec.", 30) == 0);
	mg_findings_release(&p);
	/* problems may be NULL */
	assert_int_equal(mg_model_parse(in, MG_MODEL_CHECKED, &o, NULL, &err),
			 MG_EINVAL);
	cJSON_Delete(in);
}

static void
test_trusted_keeps_wrong_types(void **state)
{
	cJSON *in = mg_test_yaml("apiVersion: multigres.com/v1alpha1\n"
			 "kind: Cell\n"
			 "metadata: {name: c, labels: {a: 1}}\n"
			 "spec: {name: c, multigateway: {replicas: '2', "
			 "podLabels: {x: v}}, allCells: zone-a}\n"
			 "status: {gatewayReplicas: 1.5, phase: Healthy}\n");
	struct mg_model_obj *o = NULL;
	struct mg_findings p = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = NULL;

	(void)state;
	assert_int_equal(mg_model_parse(in, MG_MODEL_TRUSTED, &o, &p, &err), 0);
	assert_false(o->spec.cell->multigateway->replicas.set);
	assert_string_equal(mg_json_str(o->spec.cell->multigateway->unknown,
					"replicas"),
			    "2");
	assert_string_equal(mg_model_strmap_get(&o->spec.cell->multigateway->pod_labels,
					  "x"),
			    "v");
	assert_false(o->spec.cell->all_cells.present);
	assert_false(o->metadata.labels.present);
	assert_false(o->status.cell->gateway_replicas.set);
	assert_string_equal(o->status.cell->common.phase, "Healthy");
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_TYPE,
					 "spec.multigateway.replicas"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_TYPE, "spec.allCells"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_TYPE, "metadata.labels"));
	assert_non_null(mg_findings_find(&p, MG_PROBLEM_TYPE,
					 "status.gatewayReplicas"));
	assert_int_equal(p.n, 4);
	mg_model_emit(o, &out);
	assert_true(cJSON_Compare(in, out, true));
	mg_model_free(o);
	mg_findings_release(&p);
	cJSON_Delete(in);
	cJSON_Delete(out);
}

static void
test_not_a_multigres_object(void **state)
{
	static const char *const docs[] = {
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
		"apiVersion: multigres.com/v2\nkind: Shard\nmetadata: {name: s}\n",
		"kind: Shard\nmetadata: {name: s}\n",
		"metadata: {name: s}\n",
		"[1, 2]\n",
	};
	static const char *const want[] = {
		"object: kind: Unsupported value: \"Pod\": supported values: "
		"\"MultigresCluster\", \"Cell\", \"TableGroup\", \"Shard\", "
		"\"TopoServer\", \"CoreTemplate\", \"CellTemplate\", "
		"\"ShardTemplate\"",
		"Shard 's': apiVersion: Unsupported value: "
		"\"multigres.com/v2\": supported values: "
		"\"multigres.com/v1alpha1\"",
		"Shard 's': apiVersion: Unsupported value: null: supported "
		"values: \"multigres.com/v1alpha1\"",
		"object: kind: Required value: supported values: "
		"\"MultigresCluster\", \"Cell\", \"TableGroup\", \"Shard\", "
		"\"TopoServer\", \"CoreTemplate\", \"CellTemplate\", "
		"\"ShardTemplate\"",
		"object: not an object but an array",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(docs); i++) {
		cJSON *in = mg_test_yaml(docs[i]);
		struct mg_model_obj *o = NULL;
		struct mg_err err = MG_ERR_INIT;

		assert_int_equal(mg_model_parse(in, MG_MODEL_TRUSTED, &o, NULL,
						&err),
				 MG_EINVAL);
		assert_null(o);
		assert_string_equal(err.msg, want[i]);
		cJSON_Delete(in);
	}
}

static void
test_nulls_are_pruned(void **state)
{
	cJSON *in = mg_test_yaml("apiVersion: multigres.com/v1alpha1\n"
			 "kind: CellTemplate\n"
			 "metadata: {name: t, labels: {a: null, b: c}}\n"
			 "spec: {multigateway: null, localTopoServer: "
			 "{etcd: {replicas: 1, image: null}}}\n");
	cJSON *want = mg_test_yaml("apiVersion: multigres.com/v1alpha1\n"
			   "kind: CellTemplate\n"
			   "metadata: {name: t, labels: {b: c}}\n"
			   "spec: {localTopoServer: {etcd: {replicas: 1}}}\n");
	struct mg_model_obj *o = parse_ok(in, MG_MODEL_STRICT);
	cJSON *out = NULL;

	(void)state;
	assert_null(o->spec.cell_template->multigateway);
	assert_null(o->spec.cell_template->local_topo_server->etcd->image);
	mg_model_emit(o, &out);
	assert_true(cJSON_Compare(want, out, true));
	mg_model_free(o);
	cJSON_Delete(in);
	cJSON_Delete(want);
	cJSON_Delete(out);
}

/* ---- editing and updates ------------------------------------------------------------------- */

static void
test_edit_then_emit(void **state)
{
	struct mg_model_obj *o =
		parse_file("tests/fixtures/crds/good/shard.yaml", 0);
	struct mg_pool_spec *pool;
	cJSON *out = NULL;

	(void)state;
	pool = mg_pools_find(&o->spec.shard->pools, "default");
	assert_non_null(pool);
	pool->replicas_per_cell.v = 3;
	mg_model_strlist_add(&pool->cells, "zone-b");
	mg_model_strmap_set(&o->metadata.labels, "team", "db");
	mg_model_strmap_set(&o->metadata.labels, "team", "dba");
	free(o->spec.shard->durability_policy);
	o->spec.shard->durability_policy = mg_xstrdup("MULTI_CELL_AT_LEAST_2");
	mg_model_emit(o, &out);
	assert_int_equal(mg_json_int(out, "spec.pools.default.replicasPerCell", 0),
			 3);
	assert_string_equal(mg_json_str(out, "spec.pools.default.cells.1"),
			    "zone-b");
	assert_string_equal(mg_json_str(out, "metadata.labels.team"), "dba");
	assert_string_equal(mg_json_str(out, "spec.durabilityPolicy"),
			    "MULTI_CELL_AT_LEAST_2");
	mg_model_free(o);
	cJSON_Delete(out);
}

static void
test_check_update(void **state)
{
	cJSON *docs = mg_test_yaml_file("tests/fixtures/crds/bad/cells-append-only.yaml");
	struct mg_model_obj *old = parse_ok(cJSON_GetArrayItem(docs, 0),
					    MG_MODEL_CHECKED);
	struct mg_model_obj *neu = parse_ok(cJSON_GetArrayItem(docs, 1),
					    MG_MODEL_CHECKED);
	struct mg_findings p = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_model_check_update(old, neu, true, &p, &err),
			 MG_EINVAL);
	assert_string_equal(err.msg, "MultigresCluster 'bad-cells-append': "
				     "spec.cells: Invalid value: Cells cannot "
				     "be removed or renamed (Append-Only)");
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].rule, MG_RULE_CELLS_APPEND_ONLY);
	mg_findings_release(&p);
	/* adding the cell back is fine */
	assert_int_equal(mg_model_check_update(neu, old, true, NULL, &err), 0);
	/* so is an unchanged object */
	assert_int_equal(mg_model_check_update(old, old, true, NULL, &err), 0);
	mg_model_free(old);
	mg_model_free(neu);
	cJSON_Delete(docs);
}

/* ---- robustness: every member of a real document, of every other type -------------- */

struct member {
	cJSON *node, *parent;
	bool top;    /* a member of the object itself (kind, apiVersion, ...) */
	bool opaque; /* inside managedFields' fieldsV1: nobody types that */
};

/* Every member below node, depth first. */
static void
collect(cJSON *node, bool top, bool opaque, struct member **v, size_t *n,
	size_t *alloc)
{
	cJSON *c;

	cJSON_ArrayForEach(c, node) {
		bool o = opaque || (c->string && strcmp(c->string, "fieldsV1") == 0);

		*v = mg_xgrow(*v, sizeof(**v), *n + 1, alloc);
		(*v)[(*n)++] = (struct member){ c, node, top, o };
		collect(c, false, o, v, n, alloc);
	}
}

static cJSON *
other_value(const cJSON *was, int k)
{
	switch (k) {
	case 0:
		return cJSON_IsNumber(was) ? NULL : cJSON_CreateNumber(7.5);
	case 1:
		return cJSON_IsString(was) ? NULL : cJSON_CreateString("x y");
	case 2:
		return cJSON_IsBool(was) ? NULL : cJSON_CreateTrue();
	case 3:
		return cJSON_IsArray(was) ? NULL : cJSON_CreateArray();
	case 4:
		return cJSON_IsObject(was) ? NULL : cJSON_CreateObject();
	default:
		return cJSON_CreateNull();
	}
}

static size_t
mutate_each_member(const cJSON *doc)
{
	struct member *orig = NULL;
	size_t n = 0, alloc = 0, i, tried = 0;
	enum mg_kind kind = mg_model_kind_lookup(mg_json_str(doc, "kind"))->kind;
	int k;

	collect((cJSON *)(uintptr_t)doc, true, false, &orig, &n, &alloc);
	for (i = 0; i < n; i++) {
		const char *name = orig[i].node->string ? orig[i].node->string
							: "[]";
		/* changing kind or apiVersion makes it another object */
		bool ours = !(orig[i].top && (strcmp(name, "kind") == 0 ||
					      strcmp(name, "apiVersion") == 0));

		for (k = 0; k < 6; k++) {
			cJSON *dup = cJSON_Duplicate(doc, true), *out = NULL;
			cJSON *repl = other_value(orig[i].node, k);
			struct mg_findings p = MG_FINDINGS_INIT;
			struct mg_model_obj *o = NULL;
			struct member *m = NULL;
			size_t mn = 0, ma = 0;
			int rc;

			if (!repl) {
				cJSON_Delete(dup);
				continue;
			}
			collect(dup, true, false, &m, &mn, &ma);
			assert_int_equal(mn, n);
			if (cJSON_IsObject(m[i].parent))
				assert_true(cJSON_ReplaceItemInObjectCaseSensitive(
					m[i].parent, m[i].node->string, repl));
			else
				assert_true(cJSON_ReplaceItemViaPointer(
					m[i].parent, m[i].node, repl));
			free(m);
			tried++;

			/* the validator finds it (a null is pruned instead) */
			mg_schema_validate(kind, dup, MG_SCHEMA_STRICT, &p);
			if (k < 5 && ours && !orig[i].opaque && p.n == 0)
				fail_msg("no problem after changing member %zu "
					 "('%s') to type %d:\n%s",
					 i, name, k, compact(dup));
			mg_findings_release(&p);

			/* trusted input keeps everything it cannot type */
			rc = mg_model_parse(dup, MG_MODEL_TRUSTED, &o, NULL, NULL);
			if (ours) {
				assert_int_equal(rc, 0);
				mg_model_emit(o, &out);
				if (k < 5 && !cJSON_Compare(dup, out, true))
					fail_msg("member %zu ('%s') type %d:\n in: "
						 "%s\nout: %s",
						 i, name, k, compact(dup),
						 compact(out));
			} else {
				assert_int_equal(rc, MG_EINVAL);
			}
			mg_model_free(o);
			cJSON_Delete(out);
			/* and the checked modes refuse it without crashing */
			rc = mg_model_parse(dup, MG_MODEL_STRICT, &o, NULL, NULL);
			if (k < 5 && !orig[i].opaque && rc != MG_EINVAL)
				fail_msg("member %zu ('%s') of type %d: parsed",
					 i, name, k);
			mg_model_free(o);
			cJSON_Delete(dup);
		}
	}
	free(orig);
	return tried;
}

static void
test_every_member_of_every_other_type(void **state)
{
	static const char *const files[] = {
		"tests/fixtures/model/shard-with-status.yaml",
		"tests/fixtures/model/cluster-with-status.yaml",
		"tests/fixtures/model/cell-with-status.yaml",
		"tests/fixtures/model/tablegroup-with-status.yaml",
		"deploy/samples/inline.yaml",
	};
	size_t i, tried = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		cJSON *docs = mg_test_yaml_file(files[i]), *doc;

		cJSON_ArrayForEach(doc, docs) {
			if (is_ours(doc))
				tried += mutate_each_member(doc);
		}
		cJSON_Delete(docs);
	}
	assert_true(tried > 1500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_match_the_schema),
		cmocka_unit_test(test_kind_lookup),
		cmocka_unit_test(test_round_trip_every_document),
		cmocka_unit_test(test_shard_fields),
		cmocka_unit_test(test_cell_tablegroup_toposerver_fields),
		cmocka_unit_test(test_cluster_fields),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_unknown_members_are_kept),
		cmocka_unit_test(test_strict_refuses_unknown_members),
		cmocka_unit_test(test_checked_refuses_bad_values_with_paths),
		cmocka_unit_test(test_trusted_keeps_wrong_types),
		cmocka_unit_test(test_not_a_multigres_object),
		cmocka_unit_test(test_nulls_are_pruned),
		cmocka_unit_test(test_edit_then_emit),
		cmocka_unit_test(test_check_update),
		cmocka_unit_test(test_every_member_of_every_other_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
