/* live_import.c — POST /api/v1/streams/{id}/import: comments from outside platforms
 * (Douyin, Kuaishou, WeChat Channels) as JSON lines, or CSV with a header row
 * (Content-Type: text/csv), fields platform, comment_id, user, time, text. Each comment goes
 * through live_question_submit_many like a viewer's question; (platform, comment_id) makes
 * it idempotent. A bad line is reported by number and the rest go in. */
#include "modules/live/live_api.h"

#include "audit/audit.h"
#include "core/clock.h"
#include "core/mem.h"
#include "modules/live/live_internal.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

enum { IMPORT_MAX_LINES = 20000, IMPORT_CHUNK = 2000, IMPORT_REJECTS_MAX = 1000 };

struct import_ctx {
	struct live_ctx q;
	json_t *rejected;
	int64_t imported, duplicates;
	struct live_submit *in;
	struct live_import_line *lines;
	char (*devices)[LIVE_DEVICE_MAX + 100];
	size_t n;
};

static void reject(struct import_ctx *im, int64_t line, const char *why)
{
	if (json_array_size(im->rejected) < IMPORT_REJECTS_MAX)
		json_array_append_new(im->rejected,
				      json_pack("{s:I, s:s}", "line", (json_int_t)line, "reason", why));
}

/* Checks a parsed line and queues it; the reason of a refusal otherwise. */
static const char *import_check(const struct live_import_line *l)
{
	size_t cps = 0;
	if (!l->platform[0] || strspn(l->platform, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
				       strlen(l->platform) ||
	    strcmp(l->platform, "viewer") == 0)
		return "platform: lowercase letters, digits, _ or - (not viewer)";
	if (!l->comment_id[0] || !http_utf8_valid(l->comment_id, strlen(l->comment_id), NULL))
		return "comment_id: required";
	if (!http_utf8_valid(l->user, strlen(l->user), NULL))
		return "user: not valid UTF-8";
	if (!l->text || !http_utf8_valid(l->text, strlen(l->text), &cps))
		return "text: not valid UTF-8";
	if (cps == 0 || http_text_blank(l->text))
		return "text: required";
	if (cps > LIVE_TEXT_MAX)
		return "text: longer than 500 characters";
	if (l->time_ms < 0 || l->time_ms > 8000000000000LL)
		return "time: out of range";
	return NULL;
}

static int import_flush(struct import_ctx *im)
{
	if (!im->n)
		return 0;
	struct live_submit_result *res = xcalloc(im->n, sizeof(*res));
	for (size_t i = 0; i < im->n; i++) {
		struct live_import_line *l = &im->lines[i];
		struct live_submit *s = &im->in[i];
		if (l->user[0])
			snprintf(im->devices[i], sizeof(im->devices[i]), "%s:%s", l->platform, l->user);
		else
			snprintf(im->devices[i], sizeof(im->devices[i]), "%s:#%s", l->platform,
				 l->comment_id);
		*s = (struct live_submit){.stream_id = im->q.id, .text = l->text,
					  .device = im->devices[i], .source = l->platform,
					  .ext_id = l->comment_id, .at_ms = l->time_ms};
	}
	int rc = live_question_submit_many(im->q.r->db, im->in, im->n, res);
	for (size_t i = 0; i < im->n; i++) {
		if (rc >= 0) {
			if (res[i].duplicate)
				im->duplicates++;
			else
				im->imported++;
		}
		free(res[i].text);
		free(im->lines[i].text);
		im->lines[i].text = NULL;
	}
	free(res);
	im->n = 0;
	return rc < 0 ? rc : 0;
}

static int import_add(struct import_ctx *im, struct live_import_line *l, int64_t line)
{
	const char *why = import_check(l);
	if (why) {
		reject(im, line, why);
		free(l->text);
		return 0;
	}
	im->lines[im->n++] = *l;
	return im->n == IMPORT_CHUNK ? import_flush(im) : 0;
}

static int import_jsonl(struct import_ctx *im, const char *p, const char *end)
{
	int64_t line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		line++;
		const char *b = p;
		p = nl ? nl + 1 : end;
		while (b < e && (*b == ' ' || *b == '\t' || *b == '\r'))
			b++;
		const char *t = e;
		while (t > b && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
			t--;
		if (t == b)
			continue;
		if (line > IMPORT_MAX_LINES)
			return LIVE_BAD_INPUT;
		struct live_import_line l;
		const char *why = NULL;
		if (live_import_parse_json(b, (size_t)(t - b), &l, &why) < 0) {
			reject(im, line, why);
			continue;
		}
		int rc = import_add(im, &l, line);
		if (rc < 0)
			return rc;
	}
	return 0;
}

enum { F_PLATFORM, F_COMMENT, F_USER, F_TIME, F_TEXT, F_COUNT };
static const char *const csv_names[F_COUNT] = {"platform", "comment_id", "user", "time", "text"};

static void free_fields(char **f, int n)
{
	for (int i = 0; i < n; i++)
		free(f[i]);
}

static int import_csv(struct import_ctx *im, const char *p, const char *end)
{
	char *f[32];
	int col[F_COUNT] = {-1, -1, -1, -1, -1};
	if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* Excel's byte-order mark */
	int n = live_csv_record(&p, end, f, 32);
	if (n < 0)
		return LIVE_BAD_INPUT;
	for (int i = 0; i < n; i++) {
		char *h = f[i];
		while (*h == ' ')
			h++;
		size_t hl = strlen(h);
		while (hl && h[hl - 1] == ' ')
			h[--hl] = '\0';
		for (int k = 0; k < F_COUNT; k++)
			if (strcmp(h, csv_names[k]) == 0 && col[k] < 0)
				col[k] = i;
	}
	free_fields(f, n);
	if (col[F_PLATFORM] < 0 || col[F_COMMENT] < 0 || col[F_TEXT] < 0)
		return LIVE_BAD_INPUT - 1;
	int64_t line = 1, records = 0;
	while (p < end) {
		int64_t at_line = line + 1;
		const char *start = p;
		n = live_csv_record(&p, end, f, 32);
		for (const char *s = start; s < p; s++)
			line += *s == '\n';
		if (p == start)
			break;
		if (n < 0) {
			reject(im, at_line, "an unterminated quote");
			return 0;
		}
		if (n == 1 && !f[0][0]) {
			free_fields(f, n);
			continue; /* a blank line */
		}
		if (++records > IMPORT_MAX_LINES) {
			free_fields(f, n);
			return LIVE_BAD_INPUT;
		}
		struct live_import_line l;
		memset(&l, 0, sizeof(l));
		const char *why = NULL;
		const char *v[F_COUNT];
		for (int k = 0; k < F_COUNT; k++)
			v[k] = col[k] >= 0 && col[k] < n ? f[col[k]] : "";
		if (strlen(v[F_PLATFORM]) >= sizeof(l.platform))
			why = "platform: at most 32 characters";
		else if (strlen(v[F_COMMENT]) >= sizeof(l.comment_id))
			why = "comment_id: at most 128 characters";
		else if (strlen(v[F_USER]) >= sizeof(l.user))
			why = "user: at most 64 characters";
		else if (*v[F_TIME] && live_parse_time(v[F_TIME], &l.time_ms) < 0)
			why = "time: epoch ms or YYYY-MM-DD HH:MM:SS";
		if (why) {
			reject(im, at_line, why);
			free_fields(f, n);
			continue;
		}
		snprintf(l.platform, sizeof(l.platform), "%s", v[F_PLATFORM]);
		snprintf(l.comment_id, sizeof(l.comment_id), "%s", v[F_COMMENT]);
		snprintf(l.user, sizeof(l.user), "%s", v[F_USER]);
		l.text = xstrdup(v[F_TEXT]);
		free_fields(f, n);
		int rc = import_add(im, &l, at_line);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int import_scope_tx(struct db_conn *c, void *ctx)
{
	struct import_ctx *im = ctx;
	return live_stream_load(c, &im->q, LIVE_WRITE);
}

static int import_audit_tx(struct db_conn *c, void *ctx)
{
	struct import_ctx *im = ctx;
	return live_audit(c, &im->q, arena_printf(im->q.r->arena, "stream:%lld", (long long)im->q.id),
			  arena_printf(im->q.r->arena, "%lld imported, %lld duplicates, %zu rejected",
				       (long long)im->imported, (long long)im->duplicates,
				       json_array_size(im->rejected)));
}

int live_api_import(struct http_req *r)
{
	struct import_ctx im = {.q = {.r = r, .action = "live.import"}};
	if (live_param_id(r, 0, &im.q.id) < 0)
		return HTTP_DONE;
	if (!r->body_len)
		return http_reply_problem(r, "live.bad_import", "the body holds no comments", NULL);
	const char *ct = http_header(r, "Content-Type");
	bool csv = ct && strncmp(ct, "text/csv", 8) == 0;
	/* Refuse an oversized batch before anything goes in (blank lines count here). */
	size_t lines = r->body[r->body_len - 1] != '\n';
	for (const char *s = r->body; s < r->body + r->body_len; s++)
		lines += *s == '\n';
	if (lines > IMPORT_MAX_LINES + (csv ? 1 : 0))
		return http_reply_problem(r, "live.bad_import", "at most 20000 lines per call", NULL);
	int rc = db_read_run(r->db, import_scope_tx, &im);
	if (rc < 0)
		return live_reply_error(&im.q, rc);
	im.rejected = json_array();
	im.in = xcalloc(IMPORT_CHUNK, sizeof(*im.in));
	im.lines = xcalloc(IMPORT_CHUNK, sizeof(*im.lines));
	im.devices = xcalloc(IMPORT_CHUNK, sizeof(*im.devices));
	const char *p = r->body, *end = r->body + r->body_len;
	rc = csv ? import_csv(&im, p, end) : import_jsonl(&im, p, end);
	if (rc >= 0)
		rc = import_flush(&im);
	for (size_t i = 0; i < im.n; i++)
		free(im.lines[i].text);
	free(im.in);
	free(im.lines);
	free(im.devices);
	if (rc == LIVE_BAD_INPUT || rc == LIVE_BAD_INPUT - 1) {
		json_decref(im.rejected);
		return http_reply_problem(r, "live.bad_import",
					  rc == LIVE_BAD_INPUT
						  ? "at most 20000 lines, and quotes closed"
						  : "CSV needs a header row with platform, comment_id, "
						    "text (user, time optional)",
					  NULL);
	}
	if (rc >= 0 && (im.imported || im.duplicates))
		rc = db_tx_run(r->db, import_audit_tx, &im);
	if (rc < 0) {
		json_decref(im.rejected);
		return live_reply_error(&im.q, rc);
	}
	return http_reply_json(r, 200,
			       json_pack("{s:I, s:I, s:o}", "imported", (json_int_t)im.imported,
					 "duplicates", (json_int_t)im.duplicates, "rejected",
					 im.rejected));
}
