/* org_store.c — the SQL of the org tree and party organisations. */
#include "org/org.h"

#include "core/mem.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#define NODE_COLS                                                                          \
	"n.id, COALESCE(n.parent_id, 0), n.county_id, n.code, n.name, n.level, n.path, "   \
	"(SELECT COUNT(*) FROM org_nodes k WHERE k.parent_id = n.id)"

static const char SQL_BY_ID[] = "SELECT " NODE_COLS " FROM org_nodes n WHERE n.id = ?";
static const char SQL_BY_CODE[] = "SELECT " NODE_COLS " FROM org_nodes n WHERE n.code = ?";
static const char SQL_CHILDREN[] =
	"SELECT " NODE_COLS " FROM org_nodes n WHERE n.parent_id = ? ORDER BY n.code LIMIT 5000";
static const char SQL_INSERT[] =
	"INSERT INTO org_nodes (parent_id, code, name, level, path, county_id, created_at) "
	"VALUES (?, ?, ?, ?, '', ?, ?) RETURNING id";
static const char SQL_SET_PATH[] = "UPDATE org_nodes SET path = ?, county_id = ? WHERE id = ?";
static const char SQL_RENAME[] = "UPDATE org_nodes SET name = ? WHERE id = ?";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM org_nodes";
static const char SQL_ROOT[] =
	"INSERT INTO org_nodes (parent_id, code, name, level, path, county_id, created_at) "
	"VALUES (NULL, 'root', ?, 'region', '', 0, ?) RETURNING id";
static const char SQL_PARTY_LIST[] =
	"SELECT id, name, kind FROM party_orgs WHERE node_id = ? ORDER BY id";
static const char SQL_PARTY_INSERT[] =
	"INSERT INTO party_orgs (node_id, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id";

static struct org_node *org_row(struct db_stmt *s, struct arena *a)
{
	struct org_node *n = arena_alloc(a, sizeof(*n));
	n->id = db_col_int(s, 0);
	n->parent_id = db_col_int(s, 1);
	n->county_id = db_col_int(s, 2);
	n->code = arena_strdup(a, db_col_text(s, 3));
	n->name = arena_strdup(a, db_col_text(s, 4));
	n->level = arena_strdup(a, db_col_text(s, 5));
	n->path = arena_strdup(a, db_col_text(s, 6));
	n->children = db_col_int(s, 7);
	return n;
}

static json_t *org_row_json(struct db_stmt *s)
{
	int64_t parent = db_col_int(s, 1);
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:I}", "id", (json_int_t)db_col_int(s, 0), "code",
			 db_col_text(s, 3), "name", db_col_text(s, 4), "level", db_col_text(s, 5),
			 "parent_id", parent ? json_integer(parent) : json_null(), "children",
			 (json_int_t)db_col_int(s, 7));
}

int org_store_get(struct db_conn *c, struct arena *a, const char *ref, struct org_node **out)
{
	bool numeric = *ref && strspn(ref, "0123456789") == strlen(ref) && strlen(ref) <= 18;
	struct db_stmt *s = db_prepare(c, numeric ? SQL_BY_ID : SQL_BY_CODE);
	if (!s)
		return DB_HARD_ERROR;
	if (numeric)
		db_bind_int(s, 1, strtoll(ref, NULL, 10));
	else
		db_bind_text(s, 1, ref);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = org_row(s, a);
	return rc;
}

int org_store_children(struct db_conn *c, int64_t parent_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_CHILDREN);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, parent_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, org_row_json(s));
	return rc < 0 ? rc : (int)json_array_size(items);
}

int org_store_ancestors(struct db_conn *c, const char *path, json_t *items)
{
	/* path is "/1/5/23/": every id but the last is an ancestor. */
	const char *p = path;
	int64_t ids[16];
	int n = 0;
	while (*p && n < 16) {
		if (*p == '/') {
			p++;
			continue;
		}
		ids[n++] = strtoll(p, (char **)&p, 10);
	}
	for (int i = 0; i + 1 < n; i++) {
		struct db_stmt *s = db_prepare(c, SQL_BY_ID);
		if (!s)
			return DB_HARD_ERROR;
		db_bind_int(s, 1, ids[i]);
		int rc = db_step(s);
		if (rc < 0)
			return rc;
		if (rc == DB_ROW)
			json_array_append_new(items,
					      json_pack("{s:I, s:s, s:s, s:s}", "id",
							(json_int_t)db_col_int(s, 0), "code",
							db_col_text(s, 3), "name", db_col_text(s, 4),
							"level", db_col_text(s, 5)));
	}
	return 0;
}

int org_store_create(struct db_conn *c, const struct org_node *parent, const char *code,
		     const char *name, const char *level, int64_t now_ms, int64_t *id)
{
	int rc = db_query_int(c, id, SQL_INSERT, "itttii", parent->id, code, name, level,
			      parent->county_id, now_ms);
	if (rc < 0)
		return rc;
	char path[512];
	snprintf(path, sizeof(path), "%s%lld/", parent->path, (long long)*id);
	int64_t county = strcmp(level, "county") == 0 ? *id : parent->county_id;
	return db_exec(c, SQL_SET_PATH, "tii", path, county, *id);
}

int org_store_rename(struct db_conn *c, int64_t id, const char *name)
{
	return db_exec(c, SQL_RENAME, "ti", name, id);
}

int org_store_party_orgs(struct db_conn *c, int64_t node_id, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_PARTY_LIST);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, node_id);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "id",
						       (json_int_t)db_col_int(s, 0), "name",
						       db_col_text(s, 1), "kind", db_col_text(s, 2)));
	return rc < 0 ? rc : 0;
}

int org_store_party_org_create(struct db_conn *c, int64_t node_id, const char *name,
			       const char *kind, int64_t now_ms, int64_t *id)
{
	return db_query_int(c, id, SQL_PARTY_INSERT, "itti", node_id, name, kind, now_ms);
}

int org_store_ensure_root(struct db_conn *c, int64_t now_ms)
{
	int64_t n = 0;
	int rc = db_query_int(c, &n, SQL_COUNT, "");
	if (rc < 0 || n > 0)
		return rc < 0 ? rc : 0;
	int64_t id = 0;
	rc = db_query_int(c, &id, SQL_ROOT, "ti", "全区", now_ms);
	if (rc < 0)
		return rc;
	char path[32];
	snprintf(path, sizeof(path), "/%lld/", (long long)id);
	rc = db_exec(c, SQL_SET_PATH, "tii", path, (int64_t)0, id);
	return rc < 0 ? rc : 1;
}
