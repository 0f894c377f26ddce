/* auth_api.c — routes for signing in and out, the signed-in user, password and TOTP
 * enrolment, and account administration (security_admin). */
#include "auth/auth_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/ratelimit.h"
#include "http/server_internal.h"
#include "org/org.h"
#include "store/db.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Store-level outcomes a transaction hands back to its handler (below DB_HARD_ERROR). */
enum {
	AUTH_LOCKED = -100,
	AUTH_NOT_FOUND = -101,
	AUTH_EXISTS = -102,
	AUTH_FORBIDDEN = -103,
	AUTH_NODE_NOT_FOUND = -104,
};

json_t *auth_user_json(const struct auth_user *u)
{
	json_t *roles = json_array();
	for (int i = 0; i < u->ngrants; i++) {
		const struct auth_grant *g = &u->grants[i];
		json_array_append_new(
			roles, json_pack("{s:I, s:s, s:{s:I, s:s, s:s, s:s}}", "id", (json_int_t)g->id,
					 "role", auth_role_name(g->role), "node", "id",
					 (json_int_t)g->node_id, "code", g->node_code, "name",
					 g->node_name, "level", g->node_level));
	}
	return json_pack("{s:I, s:s, s:s, s:b, s:b, s:o}", "id", (json_int_t)u->id, "username",
			 u->username, "display_name", u->display_name, "totp", u->totp,
			 "password_expired", u->password_expired, "roles", roles);
}

/* ---- sign in ---- */

static char auth_dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t auth_dummy_once = PTHREAD_ONCE_INIT;

static void auth_dummy_init(void)
{
	if (crypto_password_hash("tala-dummy-password", auth_dummy_hash, sizeof(auth_dummy_hash)) < 0)
		abort();
}

struct login_ctx {
	struct http_req *r;
	const char *username, *password, *totp;
	struct auth_login_row row;
	bool found;
	int64_t now, totp_step;
	const char *outcome; /* audit detail */
	char token[65], token_hash[CRYPTO_SM3_HEX], csrf[33];
	struct auth_user *user;
	bool locked_now;
};

static int login_read_tx(struct db_conn *c, void *ctx)
{
	struct login_ctx *l = ctx;
	int rc = auth_store_login_row(c, l->username, &l->row);
	l->found = rc == DB_ROW;
	return rc < 0 ? rc : 0;
}

static int login_audit(struct db_conn *c, struct login_ctx *l, const char *result)
{
	struct audit_entry e = {.action = "session.login", .object = "user",
				.result = result, .detail = l->outcome};
	http_audit_actor(l->r, &e);
	e.user_id = l->found ? l->row.id : 0;
	e.username = l->username;
	int64_t rc = audit_append(c, &e, l->now);
	return rc < 0 ? (int)rc : 0;
}

static int login_failed_tx(struct db_conn *c, void *ctx)
{
	struct login_ctx *l = ctx;
	if (l->found) {
		int rc = auth_store_login_failed(c, l->row.id, l->now);
		if (rc < 0)
			return rc;
		l->locked_now = rc == 1;
	}
	return login_audit(c, l, "failed");
}

static int login_denied_tx(struct db_conn *c, void *ctx)
{
	return login_audit(c, ctx, "denied");
}

static int login_ok_tx(struct db_conn *c, void *ctx)
{
	struct login_ctx *l = ctx;
	struct auth_login_row again;
	int rc = auth_store_login_row(c, l->username, &again);
	free(again.totp_secret);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || again.locked_until > l->now)
		return AUTH_LOCKED;
	rc = auth_store_login_ok(c, l->row.id, l->totp_step);
	if (rc < 0)
		return rc;
	rc = auth_store_session_create(c, l->row.id, l->token_hash, l->csrf, l->now, l->r->ip);
	if (rc < 0)
		return rc;
	rc = auth_store_user_load(c, l->r->arena, l->row.id, &l->user);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	l->outcome = "signed in";
	return login_audit(c, l, "ok");
}

static int auth_login_finish(struct login_ctx *l, int rc)
{
	free(l->row.totp_secret);
	return rc;
}

int auth_api_login(struct http_req *r)
{
	struct login_ctx l = {.r = r};
	struct json_field spec[] = {
		{"username", JF_STRING, true, 64, &l.username, NULL},
		{"password", JF_STRING, true, 128, &l.password, NULL},
		{"totp", JF_STRING, false, 6, &l.totp, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	/* Per client IP: enough for a service hall behind one address, too few for guessing
	 * passwords across many accounts (the per-account lockout covers one account). */
	if (!ratelimit_take("login", r->ip, cfg.login_rate, cfg.login_rate, clock_now_ms()))
		return http_reply_problem(r, "rate.limited", "too many sign-in attempts from this address",
					  NULL);
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	pthread_once(&auth_dummy_once, auth_dummy_init);
	int rc = db_read_run(r->db, login_read_tx, &l);
	if (rc < 0)
		return auth_login_finish(&l, http_reply_db_error(r, rc));
	l.now = clock_now_ms();
	if (l.found && l.row.locked_until > l.now) {
		/* Verify anyway so a locked account answers in the same time as any other. */
		crypto_password_verify(l.row.pw_hash, l.password);
		l.outcome = "account locked";
		rc = db_tx_run(r->db, login_denied_tx, &l);
		if (rc < 0)
			return auth_login_finish(&l, http_reply_db_error(r, rc));
		return auth_login_finish(&l, http_reply_problem(r, "auth.locked", NULL, NULL));
	}
	bool ok = crypto_password_verify(l.found ? l.row.pw_hash : auth_dummy_hash, l.password) &&
		  l.found && !l.row.disabled;
	const char *problem = "auth.bad_credentials";
	if (ok && l.row.totp_secret) {
		if (!l.totp) {
			/* Right password, code missing: ask for it without counting a failure. */
			return auth_login_finish(&l,
						 http_reply_problem(r, "auth.totp_required", NULL, NULL));
		}
		l.totp_step = auth_totp_check(l.row.totp_secret, l.totp, l.now, l.row.totp_last_step);
		if (l.totp_step < 0) {
			ok = false;
			problem = "auth.totp_invalid";
		}
	}
	if (!ok) {
		l.outcome = strcmp(problem, "auth.totp_invalid") == 0 ? "wrong one-time code"
			    : l.found				    ? "wrong password"
								    : "unknown username";
		rc = db_tx_run(r->db, login_failed_tx, &l);
		if (rc < 0)
			return auth_login_finish(&l, http_reply_db_error(r, rc));
		return auth_login_finish(&l, http_reply_problem(r, problem, NULL, NULL));
	}
	crypto_token(l.token, 32);
	crypto_token(l.csrf, 16);
	crypto_sm3_hex(l.token, strlen(l.token), l.token_hash);
	rc = db_tx_run(r->db, login_ok_tx, &l);
	if (rc == AUTH_LOCKED)
		return auth_login_finish(&l, http_reply_problem(r, "auth.locked", NULL, NULL));
	if (rc < 0)
		return auth_login_finish(&l, http_reply_db_error(r, rc));
	r->set_cookie = session_cookie(r, l.token, false);
	l.user->csrf = l.csrf;
	json_t *body = json_pack("{s:o, s:s}", "user", auth_user_json(l.user), "csrf_token", l.csrf);
	return auth_login_finish(&l, http_reply_json(r, 200, body));
}

/* ---- the signed-in user ---- */

int auth_api_me(struct http_req *r)
{
	return http_reply_json(r, 200, json_pack("{s:o, s:s}", "user", auth_user_json(r->user),
						  "csrf_token", r->user->csrf));
}

struct simple_ctx {
	struct http_req *r;
	int64_t user_id, grant_id, node_id;
	const char *text, *text2;
	const char *action, *object;
	struct org_node *node;
	unsigned role;
	struct auth_user *user;
};

static int auth_audit_ok(struct db_conn *c, struct simple_ctx *s, const char *detail)
{
	struct audit_entry e = {.action = s->action, .object = s->object, .node_id = s->node_id,
				.result = "ok", .detail = detail};
	http_audit_actor(s->r, &e);
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

static int logout_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_store_session_delete(c, s->r->user->session_id);
	if (rc < 0)
		return rc;
	return auth_audit_ok(c, s, "signed out");
}

int auth_api_logout(struct http_req *r)
{
	struct simple_ctx s = {.r = r, .action = "session.logout", .object = "session"};
	int rc = db_tx_run(r->db, logout_tx, &s);
	if (rc < 0)
		return http_reply_db_error(r, rc);
	r->set_cookie = session_cookie(r, NULL, true);
	return http_reply_empty(r, 204);
}

static int password_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_store_password_set(c, s->user_id, s->text, clock_now_ms());
	if (rc < 0)
		return rc;
	/* A changed password signs out every other device. */
	rc = auth_store_sessions_end_others(c, s->user_id, s->r->user->session_id);
	if (rc < 0)
		return rc;
	return auth_audit_ok(c, s, "password changed; other sessions ended");
}

struct pw_verify_ctx {
	const char *username;
	struct auth_login_row row;
};

static int pw_verify_tx(struct db_conn *c, void *ctx)
{
	struct pw_verify_ctx *p = ctx;
	int rc = auth_store_login_row(c, p->username, &p->row);
	return rc < 0 ? rc : 0;
}

int auth_api_password(struct http_req *r)
{
	const char *old_pw = NULL, *new_pw = NULL;
	struct json_field spec[] = {
		{"old_password", JF_STRING, true, 128, &old_pw, NULL},
		{"new_password", JF_STRING, true, 128, &new_pw, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	char why[160];
	if (auth_password_check(new_pw, r->user->username, why, sizeof(why)) < 0)
		return http_reply_problem(r, "auth.weak_password", why, "new_password");
	struct pw_verify_ctx p = {.username = r->user->username};
	int rc = db_read_run(r->db, pw_verify_tx, &p);
	free(p.row.totp_secret);
	if (rc < 0)
		return http_reply_db_error(r, rc);
	if (!crypto_password_verify(p.row.pw_hash, old_pw))
		return http_reply_problem(r, "auth.bad_credentials", "old_password is wrong",
					  "old_password");
	if (strcmp(old_pw, new_pw) == 0)
		return http_reply_problem(r, "auth.weak_password", "must differ from the old one",
					  "new_password");
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_password_hash(new_pw, hash, sizeof(hash)) < 0)
		return http_reply_problem(r, "internal", NULL, NULL);
	struct simple_ctx s = {.r = r, .user_id = r->user->id, .text = hash,
			       .action = "user.password_change", .object = "user"};
	rc = db_tx_run(r->db, password_tx, &s);
	if (rc < 0)
		return http_reply_db_error(r, rc);
	return http_reply_empty(r, 204);
}

static int totp_start_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_store_totp_pending(c, s->user_id, s->text);
	if (rc < 0)
		return rc;
	return auth_audit_ok(c, s, "TOTP enrolment started");
}

int auth_api_totp_start(struct http_req *r)
{
	if (r->user->totp) {
		/* Replacing an enrolled second factor needs the current one. */
		const char *code = NULL;
		struct json_field spec[] = {
			{"totp", JF_STRING, true, 6, &code, NULL},
			{NULL, 0, false, 0, NULL, NULL},
		};
		if (http_json_fields(r, spec) < 0)
			return HTTP_DONE;
		struct pw_verify_ctx p = {.username = r->user->username};
		int rc = db_read_run(r->db, pw_verify_tx, &p);
		bool ok = rc >= 0 && p.row.totp_secret &&
			  auth_totp_check(p.row.totp_secret, code, clock_now_ms(), 0) >= 0;
		free(p.row.totp_secret);
		if (rc < 0)
			return http_reply_db_error(r, rc);
		if (!ok)
			return http_reply_problem(r, "auth.totp_invalid",
						  "the current one-time code is needed to replace it",
						  "totp");
	}
	char secret[33];
	auth_totp_new_secret(secret);
	struct simple_ctx s = {.r = r, .user_id = r->user->id, .text = secret,
			       .action = "user.totp_start", .object = "user"};
	int rc = db_tx_run(r->db, totp_start_tx, &s);
	if (rc < 0)
		return http_reply_db_error(r, rc);
	char *uri = arena_printf(r->arena, "otpauth://totp/Tala:%s?secret=%s&issuer=Tala&digits=6&period=30",
				 r->user->username, secret);
	return http_reply_json(r, 200, json_pack("{s:s, s:s}", "secret", secret, "uri", uri));
}

static int totp_confirm_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	char *secret = NULL;
	int rc = auth_store_totp_pending_get(c, s->user_id, &secret);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return AUTH_NOT_FOUND;
	int64_t step = auth_totp_check(secret, s->text, clock_now_ms(), 0);
	if (step < 0) {
		free(secret);
		return AUTH_FORBIDDEN;
	}
	rc = auth_store_totp_activate(c, s->user_id, secret, step);
	free(secret);
	if (rc < 0)
		return rc;
	return auth_audit_ok(c, s, "TOTP enrolled");
}

int auth_api_totp_confirm(struct http_req *r)
{
	const char *code = NULL;
	struct json_field spec[] = {
		{"totp", JF_STRING, true, 6, &code, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	struct simple_ctx s = {.r = r, .user_id = r->user->id, .text = code,
			       .action = "user.totp_confirm", .object = "user"};
	int rc = db_tx_run(r->db, totp_confirm_tx, &s);
	if (rc == AUTH_NOT_FOUND)
		return http_reply_problem(r, "auth.totp_not_pending", NULL, NULL);
	if (rc == AUTH_FORBIDDEN)
		return http_reply_problem(r, "auth.totp_invalid", NULL, "totp");
	if (rc < 0)
		return http_reply_db_error(r, rc);
	return http_reply_empty(r, 204);
}

/* ---- account administration (security_admin, within the admin's subtree) ---- */

/* The path of the security_admin grant that covers everything this admin may manage:
 * the shortest (highest) one. */
static const char *auth_admin_path(const struct auth_user *u)
{
	const char *best = NULL;
	for (int i = 0; i < u->ngrants; i++)
		if (u->grants[i].role == ROLE_SECURITY_ADMIN &&
		    (!best || strlen(u->grants[i].node_path) < strlen(best)))
			best = u->grants[i].node_path;
	return best;
}

struct users_list_ctx {
	struct http_req *r;
	const char *path, *node;
	json_t *items;
};

static int users_list_tx(struct db_conn *c, void *ctx)
{
	struct users_list_ctx *u = ctx;
	if (u->node) {
		/* ?node=REF narrows the list to accounts with a grant in that subtree. */
		struct org_node *n = NULL;
		int rc = org_store_get(c, u->r->arena, u->node, &n);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW)
			return AUTH_NODE_NOT_FOUND;
		if (!auth_can(u->r->user, ROLE_SECURITY_ADMIN, n->path))
			return AUTH_FORBIDDEN;
		u->path = n->path;
	}
	return auth_store_user_list(c, u->path, u->items);
}

int auth_api_users_list(struct http_req *r)
{
	const char *path = auth_admin_path(r->user);
	if (!path)
		return http_forbid(r, "user.list", "users", 0);
	struct users_list_ctx u = {.r = r, .path = path, .node = http_query(r, "node"),
				   .items = json_array()};
	if (u.node && (!*u.node || strlen(u.node) > 64)) {
		json_decref(u.items);
		return http_reply_problem(r, "request.bad_query", "node: a code or id", "node");
	}
	/* A root admin (path "/<root>/") sees every account, grants or not. */
	if (!u.node && org_path_is_root(path))
		u.path = "/";
	int rc = db_read_run(r->db, users_list_tx, &u);
	if (rc < 0) {
		json_decref(u.items);
		if (rc == AUTH_NODE_NOT_FOUND)
			return http_reply_problem(r, "org.node_not_found", u.node, "node");
		if (rc == AUTH_FORBIDDEN)
			return http_forbid(r, "user.list", "users", 0);
		return http_reply_db_error(r, rc);
	}
	return http_reply_json(r, 200, json_pack("{s:o}", "items", u.items));
}

static int auth_node_in_scope(struct db_conn *c, struct simple_ctx *s, const char *ref)
{
	int rc = org_store_get(c, s->r->arena, ref, &s->node);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return AUTH_NODE_NOT_FOUND;
	s->node_id = s->node->id;
	if (!auth_can(s->r->user, ROLE_SECURITY_ADMIN, s->node->path))
		return AUTH_FORBIDDEN;
	return 0;
}

static int user_create_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_node_in_scope(c, s, s->object);
	if (rc < 0)
		return rc;
	int64_t id = 0;
	rc = auth_store_user_create(c, s->text, s->text2, s->action, clock_now_ms(), &id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? AUTH_EXISTS : rc;
	int64_t grant = 0;
	rc = auth_store_grant_add(c, id, s->role, s->node->id, clock_now_ms(), &grant);
	if (rc < 0)
		return rc;
	s->user_id = id;
	struct audit_entry e = {.action = "user.create",
				.object = arena_printf(s->r->arena, "user:%lld", (long long)id),
				.node_id = s->node->id, .result = "ok",
				.detail = arena_printf(s->r->arena, "%s as %s on %s", s->text,
						       auth_role_name(s->role), s->node->code)};
	http_audit_actor(s->r, &e);
	int64_t arc = audit_append(c, &e, clock_now_ms());
	if (arc < 0)
		return (int)arc;
	rc = auth_store_user_load(c, s->r->arena, id, &s->user);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

static bool auth_username_valid(const char *u)
{
	size_t n = strlen(u);
	if (n < 2 || n > 64)
		return false;
	for (const char *p = u; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		      *p == '-'))
			return false;
	return true;
}

int auth_api_users_create(struct http_req *r)
{
	const char *username = NULL, *display = NULL, *password = NULL, *role = NULL, *node = NULL;
	struct json_field spec[] = {
		{"username", JF_STRING, true, 64, &username, NULL},
		{"display_name", JF_STRING, true, 64, &display, NULL},
		{"password", JF_STRING, true, 128, &password, NULL},
		{"role", JF_STRING, true, 32, &role, NULL},
		{"node", JF_REF, true, 0, &node, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (!auth_has_role(r->user, ROLE_SECURITY_ADMIN))
		return http_forbid(r, "user.create", "users", 0);
	if (!auth_username_valid(username))
		return http_reply_problem(r, "request.bad_field",
					  "username: 2–64 of a-z, 0-9, _ . -", "username");
	unsigned role_bit = auth_role_parse(role);
	if (!role_bit)
		return http_reply_problem(r, "request.bad_field", "role: unknown role", "role");
	char why[160];
	if (auth_password_check(password, username, why, sizeof(why)) < 0)
		return http_reply_problem(r, "auth.weak_password", why, "password");
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_password_hash(password, hash, sizeof(hash)) < 0)
		return http_reply_problem(r, "internal", NULL, NULL);
	struct simple_ctx s = {.r = r, .text = username, .text2 = display, .action = hash,
			       .object = node, .role = role_bit};
	int rc = db_tx_run(r->db, user_create_tx, &s);
	if (rc == AUTH_NODE_NOT_FOUND)
		return http_reply_problem(r, "org.node_not_found", node, "node");
	if (rc == AUTH_FORBIDDEN)
		return http_forbid(r, "user.create", "users", s.node_id);
	if (rc == AUTH_EXISTS)
		return http_reply_problem(r, "user.exists", username, "username");
	if (rc < 0)
		return http_reply_db_error(r, rc);
	return http_reply_json(r, 201, auth_user_json(s.user));
}

/* Loads the target user and checks the admin may manage them: not themselves, and every
 * grant of theirs (if any) inside the admin's scope. */
static int auth_target_user(struct db_conn *c, struct simple_ctx *s)
{
	if (s->user_id == s->r->user->id)
		return AUTH_FORBIDDEN - 10; /* self */
	int rc = auth_store_user_load(c, s->r->arena, s->user_id, &s->user);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return AUTH_NOT_FOUND;
	for (int i = 0; i < s->user->ngrants; i++)
		if (!auth_can(s->r->user, ROLE_SECURITY_ADMIN, s->user->grants[i].node_path))
			return AUTH_FORBIDDEN;
	return 0;
}

static int grant_add_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_target_user(c, s);
	if (rc < 0)
		return rc;
	rc = auth_node_in_scope(c, s, s->text);
	if (rc < 0)
		return rc;
	rc = auth_store_grant_add(c, s->user_id, s->role, s->node->id, clock_now_ms(), &s->grant_id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? AUTH_EXISTS : rc;
	return auth_audit_ok(c, s,
			     arena_printf(s->r->arena, "granted %s on %s to %s",
					  auth_role_name(s->role), s->node->code, s->user->username));
}

static int auth_users_reply(struct http_req *r, struct simple_ctx *s, int rc, int ok_status)
{
	if (rc == AUTH_FORBIDDEN - 10)
		return http_reply_problem(r, "auth.self_grant", NULL, NULL);
	if (rc == AUTH_FORBIDDEN)
		return http_forbid(r, s->action, s->object, s->node_id);
	if (rc == AUTH_NOT_FOUND)
		return http_reply_problem(r, "user.not_found", NULL, NULL);
	if (rc == AUTH_NODE_NOT_FOUND)
		return http_reply_problem(r, "org.node_not_found", s->text, "node");
	if (rc == AUTH_EXISTS)
		return http_reply_problem(r, "grant.exists", NULL, NULL);
	if (rc == DB_DONE && ok_status == 204)
		return http_reply_problem(r, "grant.not_found", NULL, NULL);
	if (rc < 0)
		return http_reply_db_error(r, rc);
	if (ok_status == 201)
		return http_reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)s->grant_id));
	return http_reply_empty(r, ok_status);
}

static int auth_users_prepare(struct http_req *r, struct simple_ctx *s, const char *action)
{
	s->r = r;
	s->action = action;
	if (http_parse_id(r->params[0], &s->user_id) < 0) {
		http_reply_problem(r, "request.bad_id", r->params[0], NULL);
		return -1;
	}
	s->object = arena_printf(r->arena, "user:%lld", (long long)s->user_id);
	if (!auth_has_role(r->user, ROLE_SECURITY_ADMIN)) {
		http_forbid(r, action, s->object, 0);
		return -1;
	}
	return 0;
}

int auth_api_grant_add(struct http_req *r)
{
	struct simple_ctx s = {0};
	const char *role = NULL, *node = NULL;
	struct json_field spec[] = {
		{"role", JF_STRING, true, 32, &role, NULL},
		{"node", JF_REF, true, 0, &node, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0 || auth_users_prepare(r, &s, "user.grant_add") < 0)
		return HTTP_DONE;
	s.role = auth_role_parse(role);
	if (!s.role)
		return http_reply_problem(r, "request.bad_field", "role: unknown role", "role");
	s.text = node;
	return auth_users_reply(r, &s, db_tx_run(r->db, grant_add_tx, &s), 201);
}

static int grant_remove_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_target_user(c, s);
	if (rc < 0)
		return rc;
	rc = auth_store_grant_remove(c, s->user_id, s->grant_id);
	if (rc <= 0)
		return rc;
	rc = auth_audit_ok(c, s, arena_printf(s->r->arena, "removed grant %lld",
					      (long long)s->grant_id));
	return rc < 0 ? rc : 1;
}

int auth_api_grant_remove(struct http_req *r)
{
	struct simple_ctx s = {0};
	if (auth_users_prepare(r, &s, "user.grant_remove") < 0)
		return HTTP_DONE;
	if (http_parse_id(r->params[1], &s.grant_id) < 0)
		return http_reply_problem(r, "request.bad_id", r->params[1], NULL);
	return auth_users_reply(r, &s, db_tx_run(r->db, grant_remove_tx, &s), 204);
}

static int unlock_tx(struct db_conn *c, void *ctx)
{
	struct simple_ctx *s = ctx;
	int rc = auth_target_user(c, s);
	if (rc < 0)
		return rc;
	rc = auth_store_unlock(c, s->user_id);
	if (rc < 0)
		return rc;
	rc = auth_audit_ok(c, s, "unlocked");
	return rc < 0 ? rc : 1;
}

int auth_api_unlock(struct http_req *r)
{
	struct simple_ctx s = {0};
	if (auth_users_prepare(r, &s, "user.unlock") < 0)
		return HTTP_DONE;
	return auth_users_reply(r, &s, db_tx_run(r->db, unlock_tx, &s), 204);
}
