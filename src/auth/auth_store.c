/* auth_store.c — the SQL of accounts, grants and sessions. */
#include "auth/auth.h"

#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char SQL_LOGIN_ROW[] =
	"SELECT id, pw_hash, failed_count, locked_until, pw_changed_at, totp_secret, disabled, "
	"totp_last_step FROM users WHERE username = ?";
static const char SQL_LOGIN_FAILED[] =
	"UPDATE users SET failed_count = failed_count + 1 WHERE id = ? RETURNING failed_count";
static const char SQL_LOCK[] = "UPDATE users SET failed_count = 0, locked_until = ? WHERE id = ?";
static const char SQL_LOGIN_OK[] =
	"UPDATE users SET failed_count = 0, locked_until = 0, "
	"totp_last_step = CASE WHEN ? > totp_last_step THEN ? ELSE totp_last_step END WHERE id = ?";
static const char SQL_SESSION_CREATE[] =
	"INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, ip) "
	"VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_SESSION_FIND[] =
	"SELECT s.id, s.user_id, s.csrf, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id "
	"WHERE s.token_hash = ? AND s.last_seen >= ? AND u.disabled = 0";
static const char SQL_SESSION_TOUCH[] = "UPDATE sessions SET last_seen = ? WHERE id = ?";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE id = ?";
static const char SQL_SESSION_EXPIRE[] = "DELETE FROM sessions WHERE last_seen < ?";
static const char SQL_USER_LOAD[] =
	"SELECT username, display_name, totp_secret IS NOT NULL, pw_changed_at FROM users "
	"WHERE id = ?";
static const char SQL_GRANTS_LOAD[] =
	"SELECT g.id, g.role, n.id, n.path, n.code, n.name, n.level FROM role_grants g "
	"JOIN org_nodes n ON n.id = g.node_id WHERE g.user_id = ? ORDER BY g.id";
static const char SQL_USER_CREATE[] =
	"INSERT INTO users (username, display_name, pw_hash, pw_changed_at, created_at) "
	"VALUES (?, ?, ?, ?, ?) RETURNING id";
static const char SQL_GRANT_ADD[] =
	"INSERT INTO role_grants (user_id, role, node_id, created_at) VALUES (?, ?, ?, ?) "
	"RETURNING id";
static const char SQL_GRANT_REMOVE[] = "DELETE FROM role_grants WHERE id = ? AND user_id = ?";
static const char SQL_UNLOCK[] = "UPDATE users SET failed_count = 0, locked_until = 0 WHERE id = ?";
static const char SQL_PASSWORD_SET[] =
	"UPDATE users SET pw_hash = ?, pw_changed_at = ?, failed_count = 0 WHERE id = ?";
static const char SQL_SESSIONS_OTHERS[] = "DELETE FROM sessions WHERE user_id = ? AND id <> ?";
static const char SQL_TOTP_PENDING[] = "UPDATE users SET totp_pending = ? WHERE id = ?";
static const char SQL_TOTP_PENDING_GET[] = "SELECT totp_pending FROM users WHERE id = ?";
static const char SQL_TOTP_ACTIVATE[] =
	"UPDATE users SET totp_secret = ?, totp_pending = NULL, totp_last_step = ? WHERE id = ?";
static const char SQL_USER_LIST[] =
	"SELECT DISTINCT u.id, u.username, u.display_name, u.locked_until, "
	"u.totp_secret IS NOT NULL FROM users u "
	"LEFT JOIN role_grants g ON g.user_id = u.id LEFT JOIN org_nodes n ON n.id = g.node_id "
	"WHERE ? = '/' OR n.path LIKE ? ORDER BY u.id LIMIT 1000";
static const char SQL_USER_GRANTS[] =
	"SELECT g.id, g.role, n.id, n.code, n.name, n.level FROM role_grants g "
	"JOIN org_nodes n ON n.id = g.node_id WHERE g.user_id = ? ORDER BY g.id";

int auth_store_login_row(struct db_conn *c, const char *username, struct auth_login_row *out)
{
	memset(out, 0, sizeof(*out));
	struct db_stmt *s = db_prepare(c, SQL_LOGIN_ROW);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, username);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	out->id = db_col_int(s, 0);
	snprintf(out->pw_hash, sizeof(out->pw_hash), "%s", db_col_text(s, 1));
	out->failed_count = db_col_int(s, 2);
	out->locked_until = db_col_int(s, 3);
	out->pw_changed_at = db_col_int(s, 4);
	const char *sealed = db_col_text(s, 5);
	out->totp_secret = sealed ? crypto_open(sealed) : NULL;
	out->disabled = db_col_int(s, 6) != 0;
	out->totp_last_step = db_col_int(s, 7);
	return DB_ROW;
}

int auth_store_login_failed(struct db_conn *c, int64_t user_id, int64_t now_ms)
{
	int64_t count = 0;
	int rc = db_query_int(c, &count, SQL_LOGIN_FAILED, "i", user_id);
	if (rc < 0)
		return rc;
	if (count < cfg.lockout_failures)
		return 0;
	rc = db_exec(c, SQL_LOCK, "ii", now_ms + cfg.lockout_minutes * 60000, user_id);
	return rc < 0 ? rc : 1;
}

int auth_store_login_ok(struct db_conn *c, int64_t user_id, int64_t totp_step)
{
	return db_exec(c, SQL_LOGIN_OK, "iii", totp_step, totp_step, user_id);
}

int auth_store_session_create(struct db_conn *c, int64_t user_id, const char *token_hash,
			      const char *csrf, int64_t now_ms, const char *ip)
{
	/* Sweep sessions idle past the timeout while we hold the write lock anyway. */
	int rc = db_exec(c, SQL_SESSION_EXPIRE, "i", now_ms - cfg.idle_timeout * 60000);
	if (rc < 0)
		return rc;
	return db_exec(c, SQL_SESSION_CREATE, "titiit", token_hash, user_id, csrf, now_ms, now_ms, ip);
}

int auth_store_session_find(struct db_conn *c, const char *token_hash, int64_t now_ms,
			    int64_t *session_id, int64_t *user_id, char csrf[65],
			    int64_t *last_seen)
{
	struct db_stmt *s = db_prepare(c, SQL_SESSION_FIND);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, token_hash);
	db_bind_int(s, 2, now_ms - cfg.idle_timeout * 60000);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	*session_id = db_col_int(s, 0);
	*user_id = db_col_int(s, 1);
	snprintf(csrf, 65, "%s", db_col_text(s, 2));
	*last_seen = db_col_int(s, 3);
	return DB_ROW;
}

int auth_store_session_touch(struct db_conn *c, int64_t session_id, int64_t now_ms)
{
	return db_exec(c, SQL_SESSION_TOUCH, "ii", now_ms, session_id);
}

int auth_store_session_delete(struct db_conn *c, int64_t session_id)
{
	return db_exec(c, SQL_SESSION_DELETE, "i", session_id);
}

int auth_store_user_load(struct db_conn *c, struct arena *a, int64_t user_id,
			 struct auth_user **out)
{
	struct db_stmt *s = db_prepare(c, SQL_USER_LOAD);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, user_id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	struct auth_user *u = arena_alloc(a, sizeof(*u));
	u->id = user_id;
	u->username = arena_strdup(a, db_col_text(s, 0));
	u->display_name = arena_strdup(a, db_col_text(s, 1));
	u->totp = db_col_int(s, 2) != 0;
	int64_t changed = db_col_int(s, 3);
	u->password_expired = cfg.password_max_age > 0 &&
			      changed + cfg.password_max_age * 86400000LL < clock_now_ms();
	s = db_prepare(c, SQL_GRANTS_LOAD);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, user_id);
	int cap = 4;
	u->grants = arena_alloc(a, sizeof(struct auth_grant) * (size_t)cap);
	while ((rc = db_step(s)) == DB_ROW) {
		if (u->ngrants == cap) {
			struct auth_grant *g = arena_alloc(a, sizeof(*g) * (size_t)cap * 2);
			memcpy(g, u->grants, sizeof(*g) * (size_t)cap);
			u->grants = g;
			cap *= 2;
		}
		struct auth_grant *g = &u->grants[u->ngrants++];
		g->id = db_col_int(s, 0);
		g->role = auth_role_parse(db_col_text(s, 1));
		g->node_id = db_col_int(s, 2);
		g->node_path = arena_strdup(a, db_col_text(s, 3));
		g->node_code = arena_strdup(a, db_col_text(s, 4));
		g->node_name = arena_strdup(a, db_col_text(s, 5));
		g->node_level = arena_strdup(a, db_col_text(s, 6));
	}
	if (rc < 0)
		return rc;
	*out = u;
	return DB_ROW;
}

int auth_store_user_create(struct db_conn *c, const char *username, const char *display_name,
			   const char *pw_hash, int64_t now_ms, int64_t *id)
{
	return db_query_int(c, id, SQL_USER_CREATE, "tttii", username, display_name, pw_hash, now_ms,
			    now_ms);
}

int auth_store_grant_add(struct db_conn *c, int64_t user_id, unsigned role, int64_t node_id,
			 int64_t now_ms, int64_t *grant_id)
{
	return db_query_int(c, grant_id, SQL_GRANT_ADD, "itii", user_id, auth_role_name(role),
			    node_id, now_ms);
}

int auth_store_grant_remove(struct db_conn *c, int64_t user_id, int64_t grant_id)
{
	return db_exec(c, SQL_GRANT_REMOVE, "ii", grant_id, user_id);
}

int auth_store_unlock(struct db_conn *c, int64_t user_id)
{
	return db_exec(c, SQL_UNLOCK, "i", user_id);
}

int auth_store_password_set(struct db_conn *c, int64_t user_id, const char *pw_hash,
			    int64_t now_ms)
{
	return db_exec(c, SQL_PASSWORD_SET, "tii", pw_hash, now_ms, user_id);
}

int auth_store_sessions_end_others(struct db_conn *c, int64_t user_id, int64_t keep_session)
{
	return db_exec(c, SQL_SESSIONS_OTHERS, "ii", user_id, keep_session);
}

int auth_store_totp_pending(struct db_conn *c, int64_t user_id, const char *secret_b32)
{
	char *sealed = crypto_seal(secret_b32);
	int rc = db_exec(c, SQL_TOTP_PENDING, "ti", sealed, user_id);
	free(sealed);
	return rc;
}

int auth_store_totp_pending_get(struct db_conn *c, int64_t user_id, char **secret_b32)
{
	*secret_b32 = NULL;
	struct db_stmt *s = db_prepare(c, SQL_TOTP_PENDING_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, user_id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	const char *sealed = db_col_text(s, 0);
	if (!sealed)
		return DB_DONE;
	*secret_b32 = crypto_open(sealed);
	return *secret_b32 ? DB_ROW : DB_HARD_ERROR;
}

int auth_store_totp_activate(struct db_conn *c, int64_t user_id, const char *secret_b32,
			     int64_t step)
{
	char *sealed = crypto_seal(secret_b32);
	int rc = db_exec(c, SQL_TOTP_ACTIVATE, "tii", sealed, step, user_id);
	free(sealed);
	return rc;
}

int auth_store_user_list(struct db_conn *c, const char *path, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_USER_LIST);
	if (!s)
		return DB_HARD_ERROR;
	char like[300];
	snprintf(like, sizeof(like), "%s%%", path);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, like);
	int rc;
	int64_t now = clock_now_ms();
	while ((rc = db_step(s)) == DB_ROW) {
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:s, s:b, s:b, s:[]}", "id",
						(json_int_t)db_col_int(s, 0), "username",
						db_col_text(s, 1), "display_name", db_col_text(s, 2),
						"locked", db_col_int(s, 3) > now, "totp",
						(int)db_col_int(s, 4), "roles"));
	}
	if (rc < 0)
		return rc;
	size_t i;
	json_t *u;
	json_array_foreach(items, i, u)
	{
		s = db_prepare(c, SQL_USER_GRANTS);
		if (!s)
			return DB_HARD_ERROR;
		db_bind_int(s, 1, json_integer_value(json_object_get(u, "id")));
		json_t *roles = json_object_get(u, "roles");
		while ((rc = db_step(s)) == DB_ROW)
			json_array_append_new(
				roles, json_pack("{s:I, s:s, s:{s:I, s:s, s:s, s:s}}", "id",
						 (json_int_t)db_col_int(s, 0), "role", db_col_text(s, 1),
						 "node", "id", (json_int_t)db_col_int(s, 2), "code",
						 db_col_text(s, 3), "name", db_col_text(s, 4), "level",
						 db_col_text(s, 5)));
		if (rc < 0)
			return rc;
	}
	return (int)json_array_size(items);
}
