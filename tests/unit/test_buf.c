/* Unit tests for shared/buf.c and shared/err.c. */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"

static void
test_buf_grows_and_terminates(void **state)
{
	struct mg_buf b = MG_BUF_INIT;
	int i;

	(void)state;
	assert_string_equal(b.data, "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(mg_buf_addf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 2000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data, "0,1,2,", 6);
	mg_buf_consume(&b, 1990);
	assert_string_equal(b.data, "5,6,7,8,9,");
	mg_buf_release(&b);
	assert_string_equal(b.data, "");
}

static void
test_buf_cap_refuses_and_keeps_content(void **state)
{
	struct mg_buf b;

	(void)state;
	mg_buf_init(&b, 8);
	assert_int_equal(mg_buf_adds(&b, "12345"), 0);
	assert_int_equal(mg_buf_adds(&b, "6789"), MG_ETOOBIG);
	assert_string_equal(b.data, "12345");
	assert_int_equal(mg_buf_adds(&b, "678"), 0);
	assert_string_equal(b.data, "12345678");
	mg_buf_release(&b);
}

static void
test_buf_rtrim(void **state)
{
	struct mg_buf b = MG_BUF_INIT;

	(void)state;
	mg_buf_rtrim(&b);
	assert_int_equal(b.len, 0);
	mg_buf_adds(&b, " tok en \t\r\n\n");
	mg_buf_rtrim(&b);
	assert_string_equal(b.data, " tok en");
	assert_int_equal(b.len, 7);
	mg_buf_release(&b);
}

static void
test_buf_read_missing_file_names_it(void **state)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_buf_read_file(&b, "/nonexistent/x.yaml", &err),
			 MG_EIO);
	assert_int_equal(err.code, MG_EIO);
	assert_non_null(strstr(err.msg, "'/nonexistent/x.yaml'"));
	assert_non_null(strstr(err.msg, "No such file"));
	mg_buf_release(&b);
}

static void
test_err_prefix_keeps_code(void **state)
{
	struct mg_err err = MG_ERR_INIT;

	(void)state;
	assert_int_equal(mg_err_set(&err, MG_ENOTFOUND, "context '%s' not found",
				    "prod"),
			 MG_ENOTFOUND);
	mg_err_prefix(&err, "kubeconfig '%s'", "/h/.kube/config");
	assert_string_equal(err.msg,
			    "kubeconfig '/h/.kube/config': context 'prod' not found");
	assert_int_equal(err.code, MG_ENOTFOUND);
	assert_int_equal(mg_err_set(NULL, MG_EIO, "x"), MG_EIO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows_and_terminates),
		cmocka_unit_test(test_buf_cap_refuses_and_keeps_content),
		cmocka_unit_test(test_buf_rtrim),
		cmocka_unit_test(test_buf_read_missing_file_names_it),
		cmocka_unit_test(test_err_prefix_keeps_code),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
