/* libFuzzer target: uploaded spreadsheets (the talent-pool import) through the XLSX reader. */
#include "core/xlsx_read.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsx_sheet s;
	char err[200];
	if (xlsx_read(data, size, &s, err, sizeof(err)) < 0) {
		if (!err[0])
			__builtin_trap(); /* every refusal says why */
		return 0;
	}
	for (int r = 0; r < s.rows; r++)
		for (int c = 0; c < s.cols; c++)
			(void)strlen(xlsx_cell(&s, r, c));
	xlsx_sheet_free(&s);
	return 0;
}
