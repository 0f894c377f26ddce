/* session.c — the session cookie and CSRF tokens: finds the signed-in user for a request. */
#include "http/server_internal.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "store/db.h"

#include <microhttpd.h>
#include <string.h>

enum { SESSION_TOUCH_MS = 60000 };

struct session_find {
	struct http_req *r;
	char token_hash[CRYPTO_SM3_HEX];
	int64_t session_id, user_id, last_seen, now;
	char csrf[65];
	struct auth_user *user;
};

static int session_find_tx(struct db_conn *c, void *ctx)
{
	struct session_find *f = ctx;
	int rc = auth_store_session_find(c, f->token_hash, f->now, &f->session_id, &f->user_id,
					 f->csrf, &f->last_seen);
	if (rc != DB_ROW)
		return rc;
	return auth_store_user_load(c, f->r->arena, f->user_id, &f->user);
}

static int session_touch_tx(struct db_conn *c, void *ctx)
{
	struct session_find *f = ctx;
	return auth_store_session_touch(c, f->session_id, f->now);
}

int session_attach(struct http_req *r)
{
	const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "tala_session");
	if (!token || strlen(token) != 64)
		return 0;
	struct session_find f = {.r = r, .now = clock_now_ms()};
	crypto_sm3_hex(token, strlen(token), f.token_hash);
	int rc = db_read_run(r->db, session_find_tx, &f);
	if (rc < 0) {
		http_reply_db_error(r, rc);
		return -1;
	}
	if (rc != DB_ROW || !f.user)
		return 0; /* unknown or idle past the timeout: treated as signed out */
	if (f.now - f.last_seen > SESSION_TOUCH_MS) {
		rc = db_tx_run(r->db, session_touch_tx, &f);
		if (rc < 0) {
			http_reply_db_error(r, rc);
			return -1;
		}
	}
	f.user->session_id = f.session_id;
	f.user->csrf = arena_strdup(r->arena, f.csrf);
	r->user = f.user;
	r->session_token = arena_strdup(r->arena, token);
	return 0;
}

int session_check_csrf(struct http_req *r)
{
	if (r->method == HTTP_GET || !r->session_token)
		return 0;
	const char *sent = http_header(r, "X-CSRF-Token");
	if (!sent || !r->user || !crypto_str_eq(sent, r->user->csrf)) {
		http_reply_problem(r, "csrf.missing",
				   "send the csrf_token from the login answer in X-CSRF-Token", NULL);
		return -1;
	}
	return 0;
}

const char *session_cookie(struct http_req *r, const char *token, bool clear)
{
	const char *secure = cfg.cookie_secure ? "; Secure" : "";
	if (clear)
		return arena_printf(r->arena, "tala_session=; Path=/; HttpOnly; SameSite=Strict; "
					      "Max-Age=0%s",
				    secure);
	return arena_printf(r->arena, "tala_session=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
			    secure);
}

void http_audit_actor(struct http_req *r, struct audit_entry *e)
{
	e->user_id = r->user ? r->user->id : 0;
	e->username = r->user ? r->user->username : "-";
	e->ip = r->ip;
}

int http_forbid(struct http_req *r, const char *action, const char *object, int64_t node_id)
{
	struct audit_entry e = {.action = action, .object = object, .node_id = node_id,
				.result = "denied", .detail = r->path};
	http_audit_actor(r, &e);
	int rc = audit_record(r->db, &e, clock_now_ms());
	if (rc < 0)
		return http_reply_db_error(r, rc);
	return http_reply_problem(r, "auth.forbidden", NULL, NULL);
}
