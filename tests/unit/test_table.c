/*
 * Unit tests for shared/table.[ch]: the layout of kubectl's tabwriter
 * (minimum width 6, padding 3 for `get`), character widths, cleaning of
 * cells and colour.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "table.h"

static char *
render(struct mg_table *t, const struct mg_table_opts *o, bool color)
{
	struct mg_buf b = MG_BUF_INIT;

	mg_table_render(t, &b, o, color);
	return mg_buf_detach(&b, NULL);
}

static void
test_get_layout(void **state)
{
	const struct mg_table_opts o = MG_TABLE_GET;
	struct mg_table t;
	char *s;

	(void)state;
	mg_table_init(&t, 4);
	mg_table_add(&t, "NAME");
	mg_table_add(&t, "AVAILABLE");
	mg_table_add(&t, "AGE");
	mg_table_add(&t, "PHASE");
	mg_table_add(&t, "minimal");
	mg_table_add(&t, "True");
	mg_table_add(&t, "5m");
	mg_table_add(&t, "Healthy");
	mg_table_add(&t, "b");
	mg_table_add(&t, "");
	mg_table_add(&t, "10d");
	mg_table_add(&t, "");
	assert_int_equal(mg_table_rows(&t), 3);
	s = render(&t, &o, false);
	/* NAME: widest 7 + 3 = 10; AVAILABLE 9 + 3 = 12; AGE 3 + 3 = 6 (the
	 * minimum); the last column unpadded, so an empty last cell leaves
	 * the padding of the one before it. */
	assert_string_equal(s,
			    "NAME      AVAILABLE   AGE   PHASE\n"
			    "minimal   True        5m    Healthy\n"
			    "b                     10d   \n");
	free(s);
	mg_table_release(&t);
}

static void
test_minimum_width(void **state)
{
	const struct mg_table_opts o = MG_TABLE_GET;
	struct mg_table t;
	char *s;

	(void)state;
	mg_table_init(&t, 2);
	mg_table_add(&t, "A");
	mg_table_add(&t, "B");
	s = render(&t, &o, false);
	assert_string_equal(s, "A     B\n");
	free(s);
	mg_table_release(&t);
}

static void
test_describe_layout_and_indent(void **state)
{
	const struct mg_table_opts o = MG_TABLE_DESCRIBE;
	struct mg_table t;
	char *s;

	(void)state;
	mg_table_init(&t, 3);
	mg_table_add(&t, "Type");
	mg_table_add(&t, "Status");
	mg_table_add(&t, "Message");
	mg_table_add(&t, "Available");
	mg_table_add(&t, "True");
	mg_table_add(&t, "ok");
	s = render(&t, &o, false);
	assert_string_equal(s,
			    "  Type       Status  Message\n"
			    "  Available  True    ok\n");
	free(s);
	mg_table_release(&t);
}

static void
test_widths_count_characters(void **state)
{
	const struct mg_table_opts o = MG_TABLE_GET;
	struct mg_table t;
	char *s;

	(void)state;
	assert_int_equal(mg_table_width("zürich"), 6);
	assert_int_equal(mg_table_width("\xe6\x9d\xb1\xe4\xba\xac"), 2);
	mg_table_init(&t, 2);
	mg_table_add(&t, "zürich-1");
	mg_table_add(&t, "x");
	mg_table_add(&t, "a");
	mg_table_add(&t, "y");
	s = render(&t, &o, false);
	assert_string_equal(s, "zürich-1   x\n"
			       "a          y\n");
	free(s);
	mg_table_release(&t);
}

static void
test_cells_are_cleaned(void **state)
{
	const struct mg_table_opts o = MG_TABLE_GET;
	struct mg_table t;
	char *s;

	(void)state;
	mg_table_init(&t, 2);
	mg_table_add(&t, "line one\nline two");
	mg_table_add(&t, "\033[2Jboom\tx");
	mg_table_add(&t, NULL);
	mg_table_addf(&t, "%d pods", 3);
	s = render(&t, &o, false);
	assert_string_equal(s, "line one...   ?[2Jboom x\n"
			       "              3 pods\n");
	free(s);
	mg_table_release(&t);
}

static void
test_color_wraps_text_not_padding(void **state)
{
	const struct mg_table_opts o = MG_TABLE_GET;
	struct mg_table t;
	char *s;

	(void)state;
	mg_table_init(&t, 2);
	mg_table_add_sgr(&t, "False", "31");
	mg_table_add(&t, "x");
	mg_table_add_sgr(&t, "", "31"); /* empty: nothing to colour */
	mg_table_add_sgr(&t, "Healthy", "32");
	s = render(&t, &o, true);
	assert_string_equal(s, "\033[31mFalse\033[0m   x\n"
			       "        \033[32mHealthy\033[0m\n");
	free(s);
	s = render(&t, &o, false);
	assert_string_equal(s, "False   x\n"
			       "        Healthy\n");
	free(s);
	mg_table_release(&t);
}

static void
test_partial_row_and_empty_table(void **state)
{
	const struct mg_table_opts o = MG_TABLE_GET;
	struct mg_table t;
	char *s;

	(void)state;
	mg_table_init(&t, 3);
	assert_int_equal(mg_table_rows(&t), 0);
	s = render(&t, &o, false);
	assert_string_equal(s, "");
	free(s);
	mg_table_add(&t, "a");
	mg_table_add(&t, "b");
	assert_int_equal(mg_table_rows(&t), 1);
	s = render(&t, &o, false);
	assert_string_equal(s, "a     b\n");
	free(s);
	mg_table_release(&t);
	mg_table_release(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_layout),
		cmocka_unit_test(test_minimum_width),
		cmocka_unit_test(test_describe_layout_and_indent),
		cmocka_unit_test(test_widths_count_characters),
		cmocka_unit_test(test_cells_are_cleaned),
		cmocka_unit_test(test_color_wraps_text_not_padding),
		cmocka_unit_test(test_partial_row_and_empty_table),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
