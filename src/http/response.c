/* response.c — replies: JSON, empty, bytes, and problem+json errors. Every reply carries
 * the security headers and, for the API, Cache-Control: no-store. */
#include "http/http.h"
#include "http/problem.h"
#include "http/server_internal.h"

#include "core/log.h"
#include "core/mem.h"
#include "store/db.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

void http_response_headers(struct http_req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->retry_after > 0) {
		char v[24];
		snprintf(v, sizeof(v), "%d", r->retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
}

static int response_queue(struct http_req *r, int status, struct MHD_Response *resp)
{
	r->status = status;
	r->replied = true;
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int http_reply_bytes(struct http_req *r, int status, const char *content_type, void *data,
		     size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	http_response_headers(r, resp);
	if (content_type)
		MHD_add_response_header(resp, "Content-Type", content_type);
	return response_queue(r, status, resp);
}

int http_reply_json(struct http_req *r, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		abort(); /* out of memory inside jansson */
	return http_reply_bytes(r, status, "application/json; charset=utf-8", text, strlen(text));
}

void http_json_string(struct membuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s) {
		membuf_append(b, "null", 4);
		return;
	}
	size_t len = strlen(s), run = 0; /* s[i - run .. i) is waiting to be copied as it is */
	membuf_append(b, "\"", 1);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c >= 0x20 && c != '"' && c != '\\' ? http_utf8_char(s + i, len - i) : 0;
		if (k) {
			i += k;
			run += k;
			continue;
		}
		membuf_append(b, s + i - run, run);
		run = 0;
		char esc[6] = {'\\', (char)c};
		size_t n = 2;
		if (c >= 0x80) { /* not UTF-8 */
			memcpy(esc, "\\ufffd", 6);
			n = 6;
		} else if (c < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		membuf_append(b, esc, n);
		i++;
	}
	membuf_append(b, s + len - run, run);
	membuf_append(b, "\"", 1);
}

int http_reply_empty(struct http_req *r, int status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	http_response_headers(r, resp);
	return response_queue(r, status, resp);
}

int http_problem_status(const char *code)
{
	const struct problem *p = problem_find(code);
	return p ? p->status : 500;
}

int http_reply_problem(struct http_req *r, const char *code, const char *detail,
		       const char *field)
{
	const struct problem *p = problem_find(code);
	if (!p) {
		log_error("http: unregistered problem code '%s'", code);
		p = problem_find("internal");
	}
	if (http_path_open311(r->path)) /* Open311 clients read errors in the spec's shape */
		return http_reply_open311_error(r, p->status, detail ? detail : p->title);
	json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:s}", "type",
				 "https://tala.example/problems/", "title", p->title, "title_zh",
				 p->title_zh, "status", p->status, "code", p->code);
	char *type = xasprintf("/docs/errors.md#%s", p->code);
	json_object_set_new(body, "type", json_string(type));
	free(type);
	if (detail)
		json_object_set_new(body, "detail", json_string(detail));
	if (field)
		json_object_set_new(body, "field", json_string(field));
	if (p->status < 500)
		log_debug("http: %s %s -> %d %s%s%s", r->method_name, r->path, p->status, p->code,
			  detail ? ": " : "", detail ? detail : "");
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return http_reply_bytes(r, p->status, "application/problem+json; charset=utf-8", text,
				strlen(text));
}

int http_reply_db_error(struct http_req *r, int rc)
{
	if (rc == DB_SOFT_ERROR)
		return http_reply_problem(r, "db.unavailable", "the database stayed busy; retry", NULL);
	return http_reply_problem(r, "internal", NULL, NULL);
}

int http_reply_download(struct http_req *r, const char *content_type, const char *filename,
			void *data, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	http_response_headers(r, resp);
	MHD_add_response_header(resp, "Content-Type", content_type);
	/* RFC 6266: an ASCII fallback and the UTF-8 name (percent-encoded). */
	char enc[512];
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)filename; *p && o + 4 < sizeof(enc); p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_')
			enc[o++] = (char)*p;
		else
			o += (size_t)snprintf(enc + o, sizeof(enc) - o, "%%%02X", *p);
	}
	enc[o] = '\0';
	char *cd = arena_printf(r->arena, "attachment; filename=\"download%s\"; filename*=UTF-8''%s",
				strrchr(filename, '.') ? strrchr(filename, '.') : "", enc);
	MHD_add_response_header(resp, "Content-Disposition", cd);
	return response_queue(r, 200, resp);
}

void http_suspend(struct http_req *r)
{
	r->suspended = true;
	MHD_suspend_connection(r->conn);
}

void http_resume(struct http_req *r)
{
	MHD_resume_connection(r->conn);
}
