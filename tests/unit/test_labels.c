/*
 * Unit tests for shared/labels.[ch]: the values the Go operator reads are
 * spelled right (checked against multigres-operator-facts.md 3.3-3.5 and
 * 5.1, where each string is quoted), and the selector set is the one of
 * upstream's GetSelectorLabels.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "labels.h"

static void
test_keys_are_spelled_as_upstream(void **state)
{
	(void)state;
	assert_string_equal(MG_LABEL_APP_MANAGED_BY,
			    "app.kubernetes.io/managed-by");
	assert_string_equal(MG_MANAGED_BY, "multigres-operator");
	assert_string_equal(MG_COMPONENT_SHARD_POOL, "shard-pool");
	assert_string_equal(MG_LABEL_ORPHAN_SINCE, "multigres.com/orphan-since");
	assert_string_equal(MG_ANNOT_DRAIN_STATE, "drain.multigres.com/state");
	assert_string_equal(MG_ANNOT_DRAIN_REQUESTED_AT,
			    "drain.multigres.com/requested-at");
	assert_string_equal(MG_DRAIN_VALUE_READY_FOR_DELETION,
			    "ready-for-deletion");
	assert_string_equal(MG_ANNOT_PENDING_DELETION,
			    "multigres.com/pending-deletion");
	assert_string_equal(MG_FINALIZER_CLUSTER_CLEANUP,
			    "multigres.com/cluster-cleanup");
	assert_string_equal(MG_FINALIZER_SHARD_PVC_ORPHAN,
			    "multigres.com/shard-pvc-orphan");
	assert_string_equal(MG_ANNOT_PROMETHEUS_PORT, "prometheus.io/port");
	assert_string_equal(MG_PROMETHEUS_PORT, "9187");
}

static void
test_orphan_format_matches_go_layout(void **state)
{
	/* Go layout 2006-01-02T15-04-05Z applied to that very instant. */
	struct tm tm = { .tm_year = 106, .tm_mon = 0, .tm_mday = 2,
			 .tm_hour = 15, .tm_min = 4, .tm_sec = 5 };
	char out[32];

	(void)state;
	assert_int_equal(strftime(out, sizeof(out), MG_LABEL_ORPHAN_SINCE_FMT,
				  &tm),
			 20);
	assert_string_equal(out, "2006-01-02T15-04-05Z");
}

static void
test_selector_keys(void **state)
{
	(void)state;
	assert_int_equal(mg_label_selector_nkeys, 8);
	assert_true(mg_label_is_selector(MG_LABEL_APP_COMPONENT));
	assert_true(mg_label_is_selector(MG_LABEL_APP_INSTANCE));
	assert_true(mg_label_is_selector(MG_LABEL_CLUSTER));
	assert_true(mg_label_is_selector(MG_LABEL_CELL));
	assert_true(mg_label_is_selector(MG_LABEL_POOL));
	assert_false(mg_label_is_selector(MG_LABEL_APP_NAME));
	assert_false(mg_label_is_selector(MG_LABEL_APP_MANAGED_BY));
	assert_false(mg_label_is_selector(MG_LABEL_ZONE_ID));
	assert_false(mg_label_is_selector(MG_LABEL_ROLE));
	assert_false(mg_label_is_selector("multigres.com/Cell"));
	assert_false(mg_label_is_selector(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_are_spelled_as_upstream),
		cmocka_unit_test(test_orphan_format_matches_go_layout),
		cmocka_unit_test(test_selector_keys),
	};

	return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
