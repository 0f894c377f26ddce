/* xlsx_read.c — the first worksheet of an XLSX file as a grid of strings. */
#include "core/xlsx_read.h"

#include "core/mem.h"

#include <libxml/xmlreader.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>

enum { XLSX_MAX_PART = 16 << 20, XLSX_MAX_CELL = 4000 };

/* Reads one member of the archive into a NUL-terminated malloc'd buffer. */
static char *xlsx_part(zip_t *z, const char *name, size_t *len, char *err, size_t errlen)
{
	zip_stat_t st;
	if (zip_stat(z, name, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE)) {
		snprintf(err, errlen, "not a spreadsheet: %s is missing", name);
		return NULL;
	}
	if (st.size > XLSX_MAX_PART) {
		snprintf(err, errlen, "%s unpacks to more than 16 MiB", name);
		return NULL;
	}
	zip_file_t *f = zip_fopen(z, name, 0);
	if (!f) {
		snprintf(err, errlen, "cannot read %s", name);
		return NULL;
	}
	char *buf = xmalloc((size_t)st.size + 1);
	zip_int64_t n = zip_fread(f, buf, st.size);
	zip_fclose(f);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		free(buf);
		snprintf(err, errlen, "cannot read %s", name);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

struct strs {
	char **v;
	size_t n, cap;
};

static void strs_push(struct strs *s, char *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = v;
}

/* Appends text to a growing cell value, bounded. */
static void text_add(char **dst, size_t *len, const char *text)
{
	size_t n = strlen(text);
	if (*len + n > XLSX_MAX_CELL)
		n = XLSX_MAX_CELL - *len;
	*dst = xrealloc(*dst, *len + n + 1);
	memcpy(*dst + *len, text, n);
	*len += n;
	(*dst)[*len] = '\0';
}

static int xlsx_shared(const char *xml, size_t len, struct strs *out)
{
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)len, NULL, "UTF-8", XML_PARSE_NONET);
	if (!r)
		return -1;
	char *cur = NULL;
	size_t curlen = 0;
	bool in_si = false, in_t = false;
	int rc;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		if (type == XML_READER_TYPE_ELEMENT && strcmp(name, "si") == 0) {
			in_si = true;
			cur = xstrdup("");
			curlen = 0;
			if (xmlTextReaderIsEmptyElement(r)) {
				strs_push(out, cur);
				cur = NULL;
				in_si = false;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, "si") == 0) {
			strs_push(out, cur ? cur : xstrdup(""));
			cur = NULL;
			in_si = false;
		} else if (type == XML_READER_TYPE_ELEMENT && strcmp(name, "t") == 0) {
			in_t = !xmlTextReaderIsEmptyElement(r);
		} else if (type == XML_READER_TYPE_END_ELEMENT && strcmp(name, "t") == 0) {
			in_t = false;
		} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) &&
			   in_si && in_t) {
			text_add(&cur, &curlen, (const char *)xmlTextReaderConstValue(r));
		}
		if (out->n > 1000000)
			break;
	}
	free(cur);
	xmlFreeTextReader(r);
	return rc == 0 ? 0 : -1;
}

/* "BC12" → column 54 (0-based), or -1. */
static int xlsx_col(const char *ref)
{
	int col = 0, n = 0;
	for (const char *p = ref; *p >= 'A' && *p <= 'Z'; p++, n++) {
		col = col * 26 + (*p - 'A' + 1);
		if (col > XLSX_MAX_COLS)
			return -1;
	}
	return n ? col - 1 : -1;
}

static int xlsx_sheet_parse(const char *xml, size_t len, const struct strs *shared,
			    struct xlsx_sheet *out, char *err, size_t errlen)
{
	xmlTextReaderPtr r = xmlReaderForMemory(xml, (int)len, NULL, "UTF-8", XML_PARSE_NONET);
	if (!r) {
		snprintf(err, errlen, "the worksheet is not XML");
		return -1;
	}
	out->cols = XLSX_MAX_COLS;
	size_t cap = 0;
	int row = -1, col = -1, next_col = 0;
	char type[16] = "";
	char *val = NULL;
	size_t vlen = 0;
	bool in_v = false, in_t = false;
	int rc;
	while ((rc = xmlTextReaderRead(r)) == 1) {
		int nt = xmlTextReaderNodeType(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		if (nt == XML_READER_TYPE_ELEMENT && strcmp(name, "row") == 0) {
			row++;
			next_col = 0;
			if (row >= XLSX_MAX_ROWS) {
				snprintf(err, errlen, "more than %d rows", XLSX_MAX_ROWS);
				rc = -2;
				break;
			}
			size_t need = (size_t)(row + 1) * XLSX_MAX_COLS;
			if (need > cap) {
				size_t ncap = cap ? cap * 2 : XLSX_MAX_COLS * 64;
				while (ncap < need)
					ncap *= 2;
				out->cells = xrealloc(out->cells, ncap * sizeof(char *));
				memset(out->cells + cap, 0, (ncap - cap) * sizeof(char *));
				cap = ncap;
			}
			out->rows = row + 1;
		} else if (nt == XML_READER_TYPE_ELEMENT && strcmp(name, "c") == 0 && row >= 0) {
			char *ref = (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)"r");
			char *t = (char *)xmlTextReaderGetAttribute(r, (const xmlChar *)"t");
			col = ref ? xlsx_col(ref) : next_col;
			snprintf(type, sizeof(type), "%s", t ? t : "n");
			xmlFree(ref);
			xmlFree(t);
			next_col = col + 1;
			free(val);
			val = NULL;
			vlen = 0;
			if (xmlTextReaderIsEmptyElement(r))
				col = -1;
		} else if (nt == XML_READER_TYPE_ELEMENT && (strcmp(name, "v") == 0 || strcmp(name, "t") == 0)) {
			in_v = strcmp(name, "v") == 0;
			in_t = !in_v;
		} else if (nt == XML_READER_TYPE_END_ELEMENT && (strcmp(name, "v") == 0 || strcmp(name, "t") == 0)) {
			in_v = in_t = false;
		} else if ((nt == XML_READER_TYPE_TEXT || nt == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) &&
			   (in_v || in_t) && col >= 0) {
			text_add(&val, &vlen, (const char *)xmlTextReaderConstValue(r));
		} else if (nt == XML_READER_TYPE_END_ELEMENT && strcmp(name, "c") == 0) {
			if (col >= 0 && col < XLSX_MAX_COLS && row >= 0 && val) {
				char *cell = val;
				val = NULL;
				if (strcmp(type, "s") == 0) {
					char *end = NULL;
					long idx = strtol(cell, &end, 10);
					bool ok = end != cell && *end == '\0' && idx >= 0 &&
						  (size_t)idx < shared->n;
					free(cell);
					cell = ok ? xstrdup(shared->v[idx]) : NULL;
				}
				char **slot = &out->cells[(size_t)row * XLSX_MAX_COLS + (size_t)col];
				free(*slot);
				*slot = cell;
			}
			col = -1;
		}
	}
	free(val);
	xmlFreeTextReader(r);
	if (rc == -1) {
		snprintf(err, errlen, "the worksheet is not well-formed XML");
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

int xlsx_read(const void *data, size_t len, struct xlsx_sheet *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	zip_error_t zerr;
	zip_error_init(&zerr);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : NULL;
	if (!z) {
		if (src)
			zip_source_free(src);
		zip_error_fini(&zerr);
		snprintf(err, errlen, "not an XLSX file (not a zip archive)");
		return -1;
	}
	zip_error_fini(&zerr);
	struct strs shared = {0};
	size_t slen = 0, wlen = 0;
	int rc = -1;
	char *sxml = NULL, *wxml = NULL;
	if (zip_name_locate(z, "xl/sharedStrings.xml", 0) >= 0) {
		sxml = xlsx_part(z, "xl/sharedStrings.xml", &slen, err, errlen);
		if (!sxml || xlsx_shared(sxml, slen, &shared) < 0) {
			if (sxml)
				snprintf(err, errlen, "the shared strings are not well-formed XML");
			goto done;
		}
	}
	wxml = xlsx_part(z, "xl/worksheets/sheet1.xml", &wlen, err, errlen);
	if (!wxml)
		goto done;
	rc = xlsx_sheet_parse(wxml, wlen, &shared, out, err, errlen);
done:
	for (size_t i = 0; i < shared.n; i++)
		free(shared.v[i]);
	free(shared.v);
	free(sxml);
	free(wxml);
	zip_discard(z);
	if (rc < 0)
		xlsx_sheet_free(out);
	return rc;
}

const char *xlsx_cell(const struct xlsx_sheet *s, int row, int col)
{
	if (row < 0 || row >= s->rows || col < 0 || col >= s->cols || !s->cells)
		return "";
	const char *v = s->cells[(size_t)row * XLSX_MAX_COLS + (size_t)col];
	return v ? v : "";
}

void xlsx_sheet_free(struct xlsx_sheet *s)
{
	if (s->cells)
		for (size_t i = 0; i < (size_t)s->rows * XLSX_MAX_COLS; i++)
			free(s->cells[i]);
	free(s->cells);
	memset(s, 0, sizeof(*s));
}
