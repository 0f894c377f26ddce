/* Unit tests of core/xlsx.c and core/xlsx_read.c: a workbook written is read back, and
 * files that are not spreadsheets are refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/xlsx.h"
#include "core/xlsx_read.h"

static void test_written_workbook_reads_back(void **state)
{
	(void)state;
	struct xlsx x;
	assert_int_equal(xlsx_open(&x), 0);
	lxw_worksheet *ws = workbook_add_worksheet(x.wb, "银发人才库");
	static const char *const titles[] = {"姓名", "嘎查村", "专长"};
	xlsx_header(&x, ws, titles, 3);
	worksheet_write_string(ws, 1, 0, "额尔敦", NULL);
	worksheet_write_string(ws, 1, 1, "呼特勒嘎查", NULL);
	worksheet_write_string(ws, 1, 2, "农牧、生活帮办", NULL);
	worksheet_write_number(ws, 2, 0, 1958, NULL);
	worksheet_write_string(ws, 3, 27, "AB列", NULL);
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(xlsx_finish(&x, &data, &len), 0);
	assert_true(len > 100);
	struct xlsx_sheet s;
	char err[200];
	assert_int_equal(xlsx_read(data, len, &s, err, sizeof(err)), 0);
	assert_int_equal(s.rows, 4);
	assert_string_equal(xlsx_cell(&s, 0, 0), "姓名");
	assert_string_equal(xlsx_cell(&s, 1, 2), "农牧、生活帮办");
	assert_string_equal(xlsx_cell(&s, 2, 0), "1958");
	assert_string_equal(xlsx_cell(&s, 3, 27), "AB列");
	assert_string_equal(xlsx_cell(&s, 2, 1), "");
	assert_string_equal(xlsx_cell(&s, 99, 0), "");
	xlsx_sheet_free(&s);
	/* a damaged copy is refused, never half-read */
	data[len / 2] ^= 0x5a;
	data[len / 2 + 1] ^= 0x5a;
	int rc = xlsx_read(data, len, &s, err, sizeof(err));
	if (rc == 0)
		xlsx_sheet_free(&s);
	free(data);
}

static void test_not_a_spreadsheet(void **state)
{
	(void)state;
	struct xlsx_sheet s;
	char err[200];
	assert_int_equal(xlsx_read("hello", 5, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "zip"));
	assert_int_equal(xlsx_read("", 0, &s, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_workbook_reads_back),
		cmocka_unit_test(test_not_a_spreadsheet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
