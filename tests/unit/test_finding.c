/*
 * Unit tests for shared/finding.[ch]: the one list type of the schema,
 * the model and the admission rules.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "finding.h"
#include "schema_gen.h"

static void
test_add_and_find(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	const struct mg_finding *x;

	(void)state;
	mg_findings_add(&f, MG_SEV_WARNING, NULL, "etcd has %d replica", 1);
	mg_findings_add_problem(&f, MG_PROBLEM_RULE, MG_RULE_SHARD_NAME_0_INF,
				"spec.x", "Invalid value: \"%s\"", "0-7f");
	mg_findings_add(&f, MG_SEV_ERROR, "spec.cells[0]", "no zone");
	assert_int_equal(f.n, 3);
	assert_int_equal(mg_findings_count(&f, MG_SEV_ERROR), 2);
	assert_int_equal(mg_findings_count(&f, MG_SEV_WARNING), 1);

	x = &f.v[0];
	assert_int_equal(x->type, MG_PROBLEM_ADMISSION);
	assert_int_equal(x->rule, -1);
	assert_string_equal(x->path, "");
	assert_string_equal(x->message, "etcd has 1 replica");

	x = mg_findings_first(&f, MG_SEV_ERROR);
	assert_ptr_equal(x, &f.v[1]);
	assert_int_equal(x->rule, MG_RULE_SHARD_NAME_0_INF);
	assert_ptr_equal(mg_findings_find(&f, MG_PROBLEM_RULE, "spec.x"), x);
	assert_null(mg_findings_find(&f, MG_PROBLEM_RULE, "spec.y"));
	assert_ptr_equal(mg_findings_find(&f, MG_PROBLEM_ADMISSION, NULL),
			 &f.v[0]);
	assert_null(mg_findings_find(&f, MG_PROBLEM_TYPE, NULL));
	mg_findings_release(&f);
	assert_int_equal(f.n, 0);
	assert_null(f.v);
	mg_findings_release(NULL);
}

static void
test_format(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_buf b = MG_BUF_INIT;

	(void)state;
	mg_findings_add_problem(&f, MG_PROBLEM_REQUIRED, -1, "spec.a",
				"Required value");
	mg_findings_add(&f, MG_SEV_WARNING, "", "a warning");
	mg_findings_format(&f, &b);
	assert_string_equal(b.data, "spec.a: Required value\na warning\n");
	mg_buf_release(&b);
	mg_findings_release(&f);
}

/* Only errors make an error; warnings are not counted among them. */
static void
test_to_err(void **state)
{
	struct mg_findings f = MG_FINDINGS_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_findings_to_err(NULL, "x", &err), 0);
	mg_findings_add(&f, MG_SEV_WARNING, "spec.w", "only a warning");
	assert_int_equal(mg_findings_to_err(&f, "x", &err), 0);
	assert_string_equal(err.msg, "");
	mg_findings_add(&f, MG_SEV_ERROR, "spec.a", "first");
	assert_int_equal(mg_findings_to_err(&f, "Shard 's'", &err), MG_EINVAL);
	assert_string_equal(err.msg, "Shard 's': spec.a: first");
	mg_findings_add_problem(&f, MG_PROBLEM_TYPE, -1, "spec.b", "second");
	assert_int_equal(mg_findings_to_err(&f, "Shard 's'", &err), MG_EINVAL);
	assert_string_equal(err.msg,
			    "Shard 's': spec.a: first (and 1 more problem)");
	mg_findings_add_problem(&f, MG_PROBLEM_TYPE, -1, "", "third");
	assert_int_equal(mg_findings_to_err(&f, "S", &err), MG_EINVAL);
	assert_string_equal(err.msg, "S: spec.a: first (and 2 more problems)");
	mg_findings_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_find),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_to_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
