/* xlsx_read.h — reading the first worksheet of an XLSX file (for imports), with libzip and
 * libxml2. Bounded: at most XLSX_MAX_ROWS rows, XLSX_MAX_COLS columns, 16 MiB unpacked. */
#ifndef TALA_XLSX_READ_H
#define TALA_XLSX_READ_H

#include <stddef.h>

enum { XLSX_MAX_ROWS = 10000, XLSX_MAX_COLS = 64 };

struct xlsx_sheet {
	int rows, cols;
	char **cells; /* rows × cols, row-major; NULL for an empty cell; malloc'd */
};

/* Parses data (a whole .xlsx file). Returns 0, or -1 with a message in err. */
int xlsx_read(const void *data, size_t len, struct xlsx_sheet *out, char *err, size_t errlen);
/* The text of a cell, or "" when empty or out of range. */
const char *xlsx_cell(const struct xlsx_sheet *s, int row, int col);
void xlsx_sheet_free(struct xlsx_sheet *s);

#endif
