/* Unit tests of src/core/mem.c: arenas and allocation wrappers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/mem.h"

static int cleanup_calls;
static void count_cleanup(void *p)
{
	cleanup_calls += *(int *)p;
}

static void test_arena_alloc_is_zeroed_and_aligned(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	for (size_t n = 1; n < 20000; n = n * 3 + 1) {
		unsigned char *p = arena_alloc(a, n);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xAB, n);
	}
	arena_free(a);
}

static void test_arena_strings(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	assert_string_equal(arena_strdup(a, "呼特勒嘎查"), "呼特勒嘎查");
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(arena_printf(a, "%s-%d", "node", 42), "node-42");
	char *big = arena_alloc(a, 100000); /* larger than a block */
	memset(big, 'x', 99999);
	assert_int_equal(strlen(big), 99999);
	arena_free(a);
}

static void test_arena_runs_cleanups_once_each(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	int one = 1, ten = 10;
	cleanup_calls = 0;
	arena_defer(a, count_cleanup, &one);
	arena_defer(a, count_cleanup, &ten);
	assert_int_equal(cleanup_calls, 0);
	arena_free(a);
	assert_int_equal(cleanup_calls, 11);
}

static void test_xasprintf_formats(void **state)
{
	(void)state;
	char *s = xasprintf("%s/%lld", "path", 12345LL);
	assert_string_equal(s, "path/12345");
	free(s);
	char *d = xstrndup("abc", 2);
	assert_string_equal(d, "ab");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alloc_is_zeroed_and_aligned),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_runs_cleanups_once_each),
		cmocka_unit_test(test_xasprintf_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
