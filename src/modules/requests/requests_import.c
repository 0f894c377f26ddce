/* requests_import.c — POST /api/v1/volunteers/import?node=REF: the talent pool from an XLSX
 * sheet laid out like the export (银发人才库.xlsx). All rows or none: a sheet with any bad
 * row is refused with every problem listed by row and column. */
#include "modules/requests/requests_api.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/xlsx_read.h"
#include "modules/requests/requests_api_common.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_VILLAGE[] =
	"SELECT id, county_id FROM org_nodes WHERE (name = ? OR code = ?) AND path LIKE ? "
	"AND level IN ('village','group') ORDER BY id LIMIT 1";
static const char SQL_EXISTS[] =
	"SELECT COUNT(*) FROM volunteers WHERE node_id = ? AND name = ? AND COALESCE(phone, '') = ?";
static const char SQL_INSERT[] =
	"INSERT INTO volunteers (county_id, node_id, name, phone, birth_year, specialties, "
	"max_active, no_night, health_note, insurance_until, available, grid_member, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static const struct {
	const char *zh, *code;
} import_specialties[] = {
	{"医疗", "medicine"}, {"农牧", "agriculture"}, {"法律", "law"},     {"调解", "mediation"},
	{"教育", "education"}, {"生活帮办", "daily"},  {"水电暖", "repair"},
};

enum { COL_NAME, COL_VILLAGE, COL_PHONE, COL_BIRTH, COL_SPEC, COL_MAX, COL_NIGHT, COL_HEALTH,
       COL_INSURANCE, COL_AVAILABLE, COL_GRID, COL_COUNT };
static const char *const import_titles[COL_COUNT] = {"姓名", "嘎查村", "电话", "出生年份", "专长",
						      "最多在办", "不接夜间", "健康备注",
						      "保险有效至", "可接单", "网格员"};

struct import_ctx {
	struct requests_ctx q;
	struct xlsx_sheet sheet;
	int col[COL_COUNT];
	json_t *errors;
	int created, skipped;
};

static void import_error(struct import_ctx *im, int row, const char *column, const char *msg)
{
	if (json_array_size(im->errors) < 100)
		json_array_append_new(im->errors, json_pack("{s:i, s:s, s:s}", "row", row + 1,
							    "column", column, "message", msg));
}

static const char *cell(struct import_ctx *im, int row, int c)
{
	return im->col[c] < 0 ? "" : xlsx_cell(&im->sheet, row, im->col[c]);
}

/* "医疗,农牧" or "medicine,agriculture" (、，, or spaces between) → "medicine,agriculture". */
static bool import_specialties_parse(const char *in, char *out, size_t outlen)
{
	out[0] = '\0';
	char buf[400];
	snprintf(buf, sizeof(buf), "%s", in);
	/* normalise the separators to commas */
	char norm[400] = "";
	for (const char *p = buf; *p;) {
		if (strncmp(p, "、", 3) == 0 || strncmp(p, "，", 3) == 0) {
			strncat(norm, ",", sizeof(norm) - strlen(norm) - 1);
			p += 3;
		} else if (*p == ' ') {
			strncat(norm, ",", sizeof(norm) - strlen(norm) - 1);
			p++;
		} else {
			strncat(norm, (char[]){*p, 0}, sizeof(norm) - strlen(norm) - 1);
			p++;
		}
	}
	int n = 0;
	for (char *tok = norm, *end; tok && *tok; tok = end ? end + 1 : NULL) {
		end = strchr(tok, ',');
		if (end)
			*end = '\0';
		if (!*tok)
			continue;
		const char *code = NULL;
		for (size_t i = 0; i < sizeof(import_specialties) / sizeof(import_specialties[0]); i++)
			if (strcmp(tok, import_specialties[i].zh) == 0 ||
			    strcmp(tok, import_specialties[i].code) == 0)
				code = import_specialties[i].code;
		if (!code)
			return false;
		if (n++)
			strncat(out, ",", outlen - strlen(out) - 1);
		strncat(out, code, outlen - strlen(out) - 1);
	}
	return n > 0;
}

static int yesno(const char *s, int def)
{
	if (!*s)
		return def;
	if (strcmp(s, "是") == 0 || strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "否") == 0 || strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
		return 0;
	return -1;
}

static int import_tx(struct db_conn *c, void *ctx)
{
	struct import_ctx *im = ctx;
	struct requests_ctx *q = &im->q;
	im->created = im->skipped = 0;
	json_array_clear(im->errors);
	int rc = requests_node(c, q, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", q->node->path);
	for (int row = 1; row < im->sheet.rows; row++) {
		const char *name = cell(im, row, COL_NAME);
		bool empty = true;
		for (int k = 0; k < COL_COUNT && empty; k++)
			empty = !*cell(im, row, k);
		if (empty)
			continue;
		if (!*name || http_text_blank(name) || strlen(name) > 150) {
			import_error(im, row, "姓名", "必填，最多 50 字");
			continue;
		}
		struct db_stmt *s = db_prepare(c, SQL_VILLAGE);
		if (!s)
			return DB_HARD_ERROR;
		db_bind_text(s, 1, cell(im, row, COL_VILLAGE));
		db_bind_text(s, 2, cell(im, row, COL_VILLAGE));
		db_bind_text(s, 3, like);
		rc = db_step(s);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW) {
			import_error(im, row, "嘎查村", "不在本辖区的嘎查村");
			continue;
		}
		int64_t village = db_col_int(s, 0), county = db_col_int(s, 1);
		char spec[200];
		if (!import_specialties_parse(cell(im, row, COL_SPEC), spec, sizeof(spec))) {
			import_error(im, row, "专长", "医疗、农牧、法律、调解、教育、生活帮办、水电暖");
			continue;
		}
		const char *phone = cell(im, row, COL_PHONE);
		if (*phone && !people_phone_valid(phone)) {
			import_error(im, row, "电话", "5–20 位数字");
			continue;
		}
		const char *by = cell(im, row, COL_BIRTH);
		long birth = *by ? strtol(by, NULL, 10) : 0;
		if (*by && (birth < 1920 || birth > 2010)) {
			import_error(im, row, "出生年份", "1920–2010");
			continue;
		}
		const char *mx = cell(im, row, COL_MAX);
		long max_active = *mx ? strtol(mx, NULL, 10) : 2;
		if (max_active < 1 || max_active > 20) {
			import_error(im, row, "最多在办", "1–20");
			continue;
		}
		const char *ins = cell(im, row, COL_INSURANCE);
		if (*ins && !people_birth_date_valid(ins)) {
			import_error(im, row, "保险有效至", "YYYY-MM-DD");
			continue;
		}
		int night = yesno(cell(im, row, COL_NIGHT), 0), avail = yesno(cell(im, row, COL_AVAILABLE), 1);
		int grid = yesno(cell(im, row, COL_GRID), 0);
		if (night < 0 || avail < 0 || grid < 0) {
			import_error(im, row, night < 0 ? "不接夜间" : avail < 0 ? "可接单" : "网格员",
				     "是 或 否");
			continue;
		}
		const char *health = cell(im, row, COL_HEALTH);
		/* the same person in the same village is already in the pool: importing the
		 * export again adds nobody twice */
		int64_t seen = 0;
		rc = db_query_int(c, &seen, SQL_EXISTS, "itt", village, name, phone);
		if (rc < 0)
			return rc;
		if (seen) {
			im->skipped++;
			continue;
		}
		if (!json_array_size(im->errors)) {
			s = db_prepare(c, SQL_INSERT);
			if (!s)
				return DB_HARD_ERROR;
			db_bind_int(s, 1, county);
			db_bind_int(s, 2, village);
			db_bind_text(s, 3, name);
			db_bind_text(s, 4, *phone ? phone : NULL);
			if (birth)
				db_bind_int(s, 5, birth);
			else
				db_bind_null(s, 5);
			db_bind_text(s, 6, spec);
			db_bind_int(s, 7, max_active);
			db_bind_int(s, 8, night);
			db_bind_text(s, 9, strlen(health) > 600 ? "" : health);
			db_bind_text(s, 10, *ins ? ins : NULL);
			db_bind_int(s, 11, avail);
			db_bind_int(s, 12, grid);
			db_bind_int(s, 13, clock_now_ms());
			rc = db_step(s);
			if (rc < 0)
				return rc;
			im->created++;
		}
	}
	if (json_array_size(im->errors))
		return REQ_BAD_STATE - 2000; /* roll back: all rows or none */
	rc = requests_audit(c, q, "volunteers",
			    arena_printf(q->r->arena, "imported %d volunteers (%d already there)",
					 im->created, im->skipped));
	if (rc < 0)
		return rc;
	q->out = json_pack("{s:i, s:i}", "created", im->created, "skipped", im->skipped);
	return 0;
}

int requests_api_volunteers_import(struct http_req *r)
{
	struct import_ctx im = {.q = {.r = r, .action = "volunteer.import",
				      .ref = http_query(r, "node")}};
	if (im.q.ref && (!*im.q.ref || strlen(im.q.ref) > 64))
		return http_reply_problem(r, "request.bad_query", "node", "node");
	char err[200];
	if (!r->body_len || xlsx_read(r->body, r->body_len, &im.sheet, err, sizeof(err)) < 0)
		return http_reply_problem(r, "request.bad_file", r->body_len ? err : "send the .xlsx file as the body", NULL);
	for (int k = 0; k < COL_COUNT; k++) {
		im.col[k] = -1;
		for (int c = 0; c < im.sheet.cols; c++)
			if (strcmp(xlsx_cell(&im.sheet, 0, c), import_titles[k]) == 0)
				im.col[k] = c;
	}
	if (im.col[COL_NAME] < 0 || im.col[COL_VILLAGE] < 0 || im.col[COL_SPEC] < 0) {
		xlsx_sheet_free(&im.sheet);
		return http_reply_problem(r, "request.bad_file",
					  "the first row needs the columns 姓名, 嘎查村 and 专长 "
					  "(as in the export)",
					  NULL);
	}
	im.errors = json_array();
	int rc = db_tx_run(r->db, import_tx, &im);
	xlsx_sheet_free(&im.sheet);
	if (rc == REQ_BAD_STATE - 2000) {
		json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:o}", "type",
					 "/docs/errors.md#request.bad_file", "title",
					 "Some rows of the file are invalid", "title_zh",
					 "文件中有不合格的行", "status", 400, "code", "request.bad_file",
					 "detail", "nothing was imported", "errors", im.errors);
		char *text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		return http_reply_bytes(r, 400, "application/problem+json; charset=utf-8", text,
					strlen(text));
	}
	json_decref(im.errors);
	if (rc < 0)
		return requests_reply_error(&im.q, rc);
	return http_reply_json(r, 201, im.q.out);
}
