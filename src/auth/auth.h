/* auth.h — accounts, roles scoped to the org tree, sessions, the password policy, TOTP.
 *
 * A role granted on a node is valid for the node's whole subtree. Nodes carry a
 * materialised path ("/1/5/23/"), so "node N is inside grant G" is "N.path starts with
 * G.path". Separation of duties (三权分立): system_admin runs the org tree, security_admin
 * accounts and roles, auditor reads the audit log; none of them reads people's data. */
#ifndef TALA_AUTH_H
#define TALA_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <stdint.h>

struct arena;
struct db_conn;

enum auth_role {
	ROLE_SYSTEM_ADMIN = 1 << 0,
	ROLE_SECURITY_ADMIN = 1 << 1,
	ROLE_AUDITOR = 1 << 2,
	ROLE_COUNTY_STAFF = 1 << 3,
	ROLE_TOWNSHIP_STAFF = 1 << 4,
	ROLE_BRANCH_SECRETARY = 1 << 5,
	ROLE_VOLUNTEER = 1 << 6,
};

enum {
	ROLES_ALL = 0x7f,
	/* Staff roles: all but volunteer; they may be required to use TOTP. */
	ROLES_STAFF = ROLES_ALL & ~ROLE_VOLUNTEER,
	/* Roles that work with people and households in their area. */
	ROLES_PEOPLE = ROLE_COUNTY_STAFF | ROLE_TOWNSHIP_STAFF | ROLE_BRANCH_SECRETARY,
	/* Roles that may edit the org tree below their node. */
	ROLES_ORG_WRITE = ROLE_SYSTEM_ADMIN | ROLE_COUNTY_STAFF,
};

struct auth_grant {
	int64_t id;
	unsigned role;
	int64_t node_id;
	const char *node_path, *node_code, *node_name, *node_level;
};

struct auth_user {
	int64_t id;
	const char *username;
	const char *display_name;
	bool totp;              /* enrolled */
	bool password_expired;  /* must change the password before anything else */
	int64_t session_id;
	const char *csrf;
	struct auth_grant *grants;
	int ngrants;
};

/* "system_admin" … for a role bit; NULL for anything else. */
const char *auth_role_name(unsigned role);
/* The role bit for a name, or 0. */
unsigned auth_role_parse(const char *name);

/* True when one of the user's grants has a role in roles and covers node_path. */
bool auth_can(const struct auth_user *u, unsigned roles, const char *node_path);
/* True when the user holds any role in roles anywhere. */
bool auth_has_role(const struct auth_user *u, unsigned roles);

/* Checks a new password against the policy (length and character classes from the config,
 * not the username). Returns 0, or -1 with a reason in why. */
int auth_password_check(const char *password, const char *username, char *why, size_t whylen);

/* TOTP (RFC 6238, 30 s steps, ±1 step): a new base32 secret (out needs 33 bytes). */
void auth_totp_new_secret(char out[33]);
/* Validates code against the base32 secret at time now_ms. Returns the matched time step
 * (> last_step, to refuse replays) or -1. */
int64_t auth_totp_check(const char *secret_b32, const char *code, int64_t now_ms,
			int64_t last_step);
/* The code for a secret at a time (tests and the demo). out needs 7 bytes. */
int auth_totp_code(const char *secret_b32, int64_t now_ms, char out[7]);

/* ---- scope (auth_scope.c) ---- */

struct org_node;
enum { AUTH_SCOPE_NO_NODE = -90, AUTH_SCOPE_FORBIDDEN = -91 };

/* Resolves *ref (a node code or id; when NULL, the node of the user's first grant with one of
 * roles, written back to *ref) and checks the user holds one of roles on it (roles 0: no
 * check, for public endpoints). Returns 0 with *out set, AUTH_SCOPE_NO_NODE,
 * AUTH_SCOPE_FORBIDDEN, or a db status. */
int auth_scope_node(struct db_conn *c, struct arena *a, const struct auth_user *u,
		    const char **ref, unsigned roles, struct org_node **out);

/* ---- store (auth_store.c); each runs inside the caller's transaction ---- */

struct auth_login_row {
	int64_t id;
	char pw_hash[160];
	int64_t failed_count, locked_until, pw_changed_at, totp_last_step;
	char *totp_secret; /* decrypted base32, malloc'd, or NULL */
	bool disabled;
};

/* Loads the login fields of username. Returns DB_ROW, DB_DONE (no such user) or an error. */
int auth_store_login_row(struct db_conn *c, const char *username, struct auth_login_row *out);
/* Counts a failed login; locks the account when the count reaches the configured limit.
 * Returns 1 when this failure locked it, 0 when not, or an error. */
int auth_store_login_failed(struct db_conn *c, int64_t user_id, int64_t now_ms);
int auth_store_login_ok(struct db_conn *c, int64_t user_id, int64_t totp_step);
/* Creates a session; token_hash is SM3(token). */
int auth_store_session_create(struct db_conn *c, int64_t user_id, const char *token_hash,
			      const char *csrf, int64_t now_ms, const char *ip);
/* Finds a live session (last seen within the idle timeout). DB_ROW, DB_DONE or an error. */
int auth_store_session_find(struct db_conn *c, const char *token_hash, int64_t now_ms,
			    int64_t *session_id, int64_t *user_id, char csrf[65],
			    int64_t *last_seen);
int auth_store_session_touch(struct db_conn *c, int64_t session_id, int64_t now_ms);
int auth_store_session_delete(struct db_conn *c, int64_t session_id);
/* Loads a user with grants into arena-owned memory. DB_ROW, DB_DONE or an error. */
int auth_store_user_load(struct db_conn *c, struct arena *a, int64_t user_id,
			 struct auth_user **out);
/* Creates a user; returns the id (> 0), or an error (DB_ERR_UNIQUE kind on a taken name). */
int auth_store_user_create(struct db_conn *c, const char *username, const char *display_name,
			   const char *pw_hash, int64_t now_ms, int64_t *id);
int auth_store_grant_add(struct db_conn *c, int64_t user_id, unsigned role, int64_t node_id,
			 int64_t now_ms, int64_t *grant_id);
/* Removes a grant of user_id; DB_DONE when there is none. */
int auth_store_grant_remove(struct db_conn *c, int64_t user_id, int64_t grant_id);
int auth_store_unlock(struct db_conn *c, int64_t user_id);
int auth_store_password_set(struct db_conn *c, int64_t user_id, const char *pw_hash,
			    int64_t now_ms);
/* Ends every session of user_id but keep_session (after a password change). */
int auth_store_sessions_end_others(struct db_conn *c, int64_t user_id, int64_t keep_session);
/* Stores (sealed) a pending TOTP secret, or moves the pending one to active (confirm). */
int auth_store_totp_pending(struct db_conn *c, int64_t user_id, const char *secret_b32);
int auth_store_totp_pending_get(struct db_conn *c, int64_t user_id, char **secret_b32);
int auth_store_totp_activate(struct db_conn *c, int64_t user_id, const char *secret_b32,
			     int64_t step);
/* Lists users holding a grant inside the subtree at path (all users for "/"), as a JSON
 * appended to the JSON array items, each with its grants. */
int auth_store_user_list(struct db_conn *c, const char *path, json_t *items);

#endif
