/*
 * Unit tests for shared/objmeta.[ch]: the standard and identity labels,
 * sorted maps, the merge rule (operator labels win), selectors, metadata
 * and controller owner references as controller-runtime writes them.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "labels.h"
#include "objmeta.h"

static char *
compact(const cJSON *j)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_json_print(&b, j, false);
	return b.data;
}

static void
assert_json(const cJSON *j, const char *want)
{
	char *got = compact(j);

	assert_string_equal(got, want);
	free(got);
}

static void
test_standard_labels(void **state)
{
	cJSON *l = mg_objmeta_labels_new("minimal", MG_COMPONENT_MULTIORCH);

	(void)state;
	/* Five keys, sorted as Go writes a map. */
	assert_json(l, "{\"app.kubernetes.io/component\":\"multiorch\","
		       "\"app.kubernetes.io/instance\":\"minimal\","
		       "\"app.kubernetes.io/managed-by\":\"multigres-operator\","
		       "\"app.kubernetes.io/name\":\"multigres\","
		       "\"app.kubernetes.io/part-of\":\"multigres\"}");
	cJSON_Delete(l);
}

static void
test_ident_labels_only_given_fields(void **state)
{
	struct mg_objmeta_ident id = { .cluster = "c", .shard = "0-inf",
				       .cell = "zone-a" };
	cJSON *l = cJSON_CreateObject();

	(void)state;
	mg_objmeta_add_ident(l, &id);
	assert_json(l, "{\"multigres.com/cell\":\"zone-a\","
		       "\"multigres.com/cluster\":\"c\","
		       "\"multigres.com/shard\":\"0-inf\"}");
	cJSON_Delete(l);
}

static void
test_set_keeps_sorted_and_replaces(void **state)
{
	cJSON *m = cJSON_CreateObject();

	(void)state;
	mg_objmeta_set(m, "m", "1");
	mg_objmeta_set(m, "z", "2");
	mg_objmeta_set(m, "a", "3");
	mg_objmeta_set(m, "n", "4");
	mg_objmeta_set(m, "m", "5");
	assert_json(m, "{\"a\":\"3\",\"m\":\"5\",\"n\":\"4\",\"z\":\"2\"}");
	assert_string_equal(mg_objmeta_get(m, "n"), "4");
	assert_null(mg_objmeta_get(m, "b"));
	assert_null(mg_objmeta_get(NULL, "b"));
	cJSON_Delete(m);
}

static void
test_merge_under_operator_labels_win(void **state)
{
	cJSON *l = mg_objmeta_labels_new("c", "multigateway");
	cJSON *user = cJSON_Parse(
		"{\"app.kubernetes.io/component\":\"evil\",\"team\":\"db\","
		"\"n\":1}");

	(void)state;
	mg_objmeta_merge_under(l, user);
	assert_string_equal(mg_objmeta_get(l, MG_LABEL_APP_COMPONENT),
			    "multigateway");
	assert_string_equal(mg_objmeta_get(l, "team"), "db");
	assert_null(cJSON_GetObjectItemCaseSensitive(l, "n")); /* not a string */
	mg_objmeta_merge_under(l, NULL);
	cJSON_Delete(user);
	cJSON_Delete(l);
}

static void
test_selector_keeps_identity_only(void **state)
{
	struct mg_objmeta_ident id = { "c", "postgres", "default", "0-inf",
				       "main", "zone-a" };
	cJSON *l = mg_objmeta_labels_new("c", MG_COMPONENT_SHARD_POOL);
	cJSON *sel;

	(void)state;
	mg_objmeta_add_ident(l, &id);
	mg_objmeta_set(l, MG_LABEL_ZONE_ID, "use1-az1");
	sel = mg_objmeta_selector_new(l);
	assert_json(sel, "{\"app.kubernetes.io/component\":\"shard-pool\","
			 "\"app.kubernetes.io/instance\":\"c\","
			 "\"multigres.com/cell\":\"zone-a\","
			 "\"multigres.com/cluster\":\"c\","
			 "\"multigres.com/database\":\"postgres\","
			 "\"multigres.com/pool\":\"main\","
			 "\"multigres.com/shard\":\"0-inf\","
			 "\"multigres.com/tablegroup\":\"default\"}");
	cJSON_Delete(sel);
	cJSON_Delete(l);
}

static void
test_metadata_and_owner(void **state)
{
	struct mg_objmeta_owner o = { MG_OBJMETA_API_VERSION, "Shard", "s",
				      "u-1" };
	cJSON *meta = mg_objmeta_new("x", "ns", mg_objmeta_labels_new("c", "k"),
				     cJSON_CreateObject());
	cJSON *obj;

	(void)state;
	/* An empty annotations map is left out. */
	assert_null(cJSON_GetObjectItemCaseSensitive(meta, "annotations"));
	mg_objmeta_set_owner(meta, &o);
	mg_objmeta_set_owner(meta, &o); /* replaces, never two */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
				 meta, "ownerReferences")),
			 1);
	assert_json(cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences"),
		    "[{\"apiVersion\":\"multigres.com/v1alpha1\","
		    "\"kind\":\"Shard\",\"name\":\"s\",\"uid\":\"u-1\","
		    "\"controller\":true,\"blockOwnerDeletion\":true}]");
	obj = mg_objmeta_object_new("v1", "Service", meta);
	assert_string_equal(mg_json_str(obj, "metadata.namespace"), "ns");
	assert_string_equal(mg_json_str(obj, "kind"), "Service");
	cJSON_Delete(obj);

	meta = mg_objmeta_new(NULL, NULL, NULL, NULL);
	assert_json(meta, "{}");
	cJSON_Delete(meta);
}

static void
test_owner_of(void **state)
{
	struct mg_objmeta_owner o;
	struct mg_err err = MG_ERR_INIT;
	cJSON *cr = cJSON_Parse(
		"{\"apiVersion\":\"multigres.com/v1alpha1\",\"kind\":\"Cell\","
		"\"metadata\":{\"name\":\"c1\",\"uid\":\"abc\"}}");

	(void)state;
	assert_int_equal(mg_objmeta_owner_of(&o, cr, "Cell", NULL, true, &err), 0);
	assert_string_equal(o.uid, "abc");
	assert_string_equal(o.name, "c1");
	assert_string_equal(o.kind, "Cell");
	assert_int_equal(mg_objmeta_owner_of(&o, cr, "Cell", "override", true, &err),
			 0);
	assert_string_equal(o.uid, "override");
	assert_int_equal(mg_objmeta_owner_of(&o, cr, "Shard", NULL, true, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "kind is 'Cell'"));
	cJSON_Delete(cr);

	cr = cJSON_Parse("{\"metadata\":{\"name\":\"c1\"}}");
	assert_int_equal(mg_objmeta_owner_of(&o, cr, "Cell", NULL, true, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "metadata.uid"));
	/* Shown, not created: no uid, and a reference without one. */
	assert_int_equal(mg_objmeta_owner_of(&o, cr, "Cell", NULL, false,
					     &err),
			 0);
	assert_null(o.uid);
	{
		cJSON *ref = mg_objmeta_owner_ref_new(&o);

		assert_json(ref, "{\"apiVersion\":\"multigres.com/v1alpha1\","
				 "\"kind\":\"Cell\",\"name\":\"c1\","
				 "\"controller\":true,"
				 "\"blockOwnerDeletion\":true}");
		cJSON_Delete(ref);
	}
	cJSON_Delete(cr);
	cr = cJSON_Parse("{\"metadata\":{\"uid\":\"x\"}}");
	assert_int_equal(mg_objmeta_owner_of(&o, cr, "Cell", NULL, true, &err),
			 MG_EINVAL);
	assert_non_null(strstr(err.msg, "metadata.name"));
	cJSON_Delete(cr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_labels),
		cmocka_unit_test(test_ident_labels_only_given_fields),
		cmocka_unit_test(test_set_keeps_sorted_and_replaces),
		cmocka_unit_test(test_merge_under_operator_labels_win),
		cmocka_unit_test(test_selector_keeps_identity_only),
		cmocka_unit_test(test_metadata_and_owner),
		cmocka_unit_test(test_owner_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
