/* xlsx.c — libxlsxwriter workbooks written to a temp file and read back. */
#include "core/xlsx.h"

#include "core/mem.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int xlsx_open(struct xlsx *x)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->path, sizeof(x->path), "/tmp/tala-xlsx-XXXXXX");
	int fd = mkstemp(x->path);
	if (fd < 0)
		return -1;
	close(fd);
	lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
	x->wb = workbook_new_opt(x->path, &opts);
	if (!x->wb) {
		unlink(x->path);
		return -1;
	}
	x->header = workbook_add_format(x->wb);
	format_set_bold(x->header);
	format_set_bg_color(x->header, 0xE8F3EE);
	format_set_border(x->header, LXW_BORDER_THIN);
	x->number = workbook_add_format(x->wb);
	format_set_num_format(x->number, "#,##0");
	x->percent = workbook_add_format(x->wb);
	format_set_num_format(x->percent, "0.0%");
	return 0;
}

void xlsx_header(struct xlsx *x, lxw_worksheet *ws, const char *const *titles, int n)
{
	for (int i = 0; i < n; i++) {
		worksheet_write_string(ws, 0, (lxw_col_t)i, titles[i], x->header);
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, i == 0 ? 14 : 16, NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
}

int xlsx_finish(struct xlsx *x, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	lxw_error err = workbook_close(x->wb);
	x->wb = NULL;
	int rc = -1;
	int fd = err == LXW_NO_ERROR ? open(x->path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
		char *buf = xmalloc((size_t)st.st_size);
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (got == (size_t)st.st_size) {
			*data = buf;
			*len = got;
			rc = 0;
		} else {
			free(buf);
		}
	}
	if (fd >= 0)
		close(fd);
	unlink(x->path);
	return rc;
}
