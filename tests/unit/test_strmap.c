/*
 * Unit tests for shared/strmap.[ch]: a long random sequence of puts and
 * deletes is checked against a plain array after every step, which covers
 * growth, replacement, probing runs that wrap around the table end and
 * backward-shift deletion.
 */
#include "compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <cmocka.h>

#include "strmap.h"

#define NKEYS 300

static void
test_basic_put_get_del(void **state)
{
	struct mg_strmap m = MG_STRMAP_INIT;
	int a = 1, b = 2;

	(void)state;
	assert_null(mg_strmap_get(&m, "x"));
	assert_null(mg_strmap_del(&m, "x"));
	assert_null(mg_strmap_put(&m, "x", &a));
	assert_ptr_equal(mg_strmap_get(&m, "x"), &a);
	assert_ptr_equal(mg_strmap_put(&m, "x", &b), &a);
	assert_ptr_equal(mg_strmap_get(&m, "x"), &b);
	assert_int_equal(m.len, 1);
	assert_ptr_equal(mg_strmap_del(&m, "x"), &b);
	assert_null(mg_strmap_get(&m, "x"));
	assert_int_equal(m.len, 0);
	mg_strmap_release(&m);
}

static void
test_random_against_array(void **state)
{
	struct mg_strmap m = MG_STRMAP_INIT;
	static int vals[NKEYS];
	bool present[NKEYS] = { false };
	unsigned seed = 12345;
	char key[32];

	(void)state;
	for (int step = 0; step < 20000; step++) {
		int k;

		seed = seed * 1103515245u + 12345u;
		k = (int)((seed >> 8) % NKEYS);
		snprintf(key, sizeof(key), "ns/pod-%d", k);
		if ((seed >> 20) % 3) {
			void *old = mg_strmap_put(&m, key, &vals[k]);

			assert_ptr_equal(old, present[k] ? &vals[k] : NULL);
			present[k] = true;
		} else {
			void *old = mg_strmap_del(&m, key);

			assert_ptr_equal(old, present[k] ? &vals[k] : NULL);
			present[k] = false;
		}
		if (step % 97 == 0) {
			size_t n = 0;

			for (int i = 0; i < NKEYS; i++) {
				snprintf(key, sizeof(key), "ns/pod-%d", i);
				assert_ptr_equal(mg_strmap_get(&m, key),
						 present[i] ? &vals[i] : NULL);
				n += present[i];
			}
			assert_int_equal(m.len, n);
		}
	}
	mg_strmap_release(&m);
}

static void
test_iteration_visits_each_once(void **state)
{
	struct mg_strmap m = MG_STRMAP_INIT;
	int seen[50] = { 0 }, vals[50];
	char key[16];
	const char *k;
	void *v;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		mg_strmap_put(&m, key, &vals[i]);
	}
	for (size_t it = 0; mg_strmap_next(&m, &it, &k, &v);) {
		int i = (int)((int *)v - vals);

		assert_true(i >= 0 && i < 50);
		snprintf(key, sizeof(key), "k%d", i);
		assert_string_equal(k, key);
		seen[i]++;
		n++;
	}
	assert_int_equal(n, 50);
	for (int i = 0; i < 50; i++)
		assert_int_equal(seen[i], 1);
	mg_strmap_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_put_get_del),
		cmocka_unit_test(test_random_against_array),
		cmocka_unit_test(test_iteration_visits_each_once),
	};

	return cmocka_run_group_tests_name("strmap", tests, NULL, NULL);
}
