/* xlsx.h — spreadsheets for download, through libxlsxwriter: a workbook is written to a
 * private temporary file and read back into memory for the reply. */
#ifndef TALA_XLSX_H
#define TALA_XLSX_H

#include <stddef.h>
#include <xlsxwriter.h>

struct xlsx {
	lxw_workbook *wb;
	lxw_format *header, *number, *percent;
	char path[64];
};

/* Starts a workbook with the shared formats. Returns 0, or -1 when no temp file can be made. */
int xlsx_open(struct xlsx *x);
/* Writes a header row of titles at row 0 and sets column widths. */
void xlsx_header(struct xlsx *x, lxw_worksheet *ws, const char *const *titles, int n);
/* Closes the workbook and hands back its bytes (malloc'd, the caller frees). 0 or -1. */
int xlsx_finish(struct xlsx *x, char **data, size_t *len);

#endif
