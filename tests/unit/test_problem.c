/* Checks that docs/errors.md lists exactly the registered problem codes with their HTTP
 * statuses, so the documented table cannot drift from the code. Runs from the repo root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/problem.h"

static char *read_doc(void)
{
	FILE *f = fopen("docs/errors.md", "r");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_every_code_is_documented_with_its_status(void **state)
{
	(void)state;
	char *doc = read_doc();
	assert_non_null(doc);
	for (size_t i = 0; problem_at(i); i++) {
		const struct problem *p = problem_at(i);
		char row[160];
		snprintf(row, sizeof(row), "| `%s` | %d |", p->code, p->status);
		if (!strstr(doc, row))
			fail_msg("docs/errors.md lacks the row starting '%s'", row);
	}
}

static void test_every_documented_code_exists(void **state)
{
	(void)state;
	char *doc = read_doc();
	assert_non_null(doc);
	for (char *p = strstr(doc, "| `"); p; p = strstr(p + 1, "| `")) {
		char code[96];
		char *end = strchr(p + 3, '`');
		assert_non_null(end);
		snprintf(code, sizeof(code), "%.*s", (int)(end - p - 3), p + 3);
		if (!problem_find(code))
			fail_msg("docs/errors.md lists '%s', which the server does not know", code);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_is_documented_with_its_status),
		cmocka_unit_test(test_every_documented_code_exists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
