/* org.h — the organisation tree (组织架构): region → city (盟市) → county (旗县) →
 * town (苏木乡镇) → village (嘎查村) → group (小组), and the party organisations on it.
 * Each node keeps a materialised path of ids ("/1/5/23/") for subtree checks and the id of
 * the county above or at it (county_id, the sharding key of county data). */
#ifndef TALA_ORG_H
#define TALA_ORG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db;
struct db_conn;

struct org_node {
	int64_t id, parent_id, county_id, children;
	const char *code, *name, *level, *path;
};

/* The rank of a level token (region 0 … group 5), or -1 for an unknown token. */
int org_level_rank(const char *level);
/* True for the path of a tree root ("/1/"). */
bool org_path_is_root(const char *path);
/* True when code is 1–64 characters of [A-Za-z0-9_.-], not all digits (a reference that
 * is all digits is an id). */
bool org_code_valid(const char *code);

/* Finds a node by reference: its numeric id or its code. DB_ROW, DB_DONE or an error. */
int org_store_get(struct db_conn *c, struct arena *a, const char *ref, struct org_node **out);
/* Appends the children of parent_id to items (ordered by code). */
int org_store_children(struct db_conn *c, int64_t parent_id, json_t *items);
/* Appends the nodes on path (root first, excluding the node itself) to items. */
int org_store_ancestors(struct db_conn *c, const char *path, json_t *items);
/* Creates a node under parent. DB_ERR_UNIQUE kind when the code is taken. */
int org_store_create(struct db_conn *c, const struct org_node *parent, const char *code,
		     const char *name, const char *level, int64_t now_ms, int64_t *id);
int org_store_rename(struct db_conn *c, int64_t id, const char *name);
/* Party organisations of a node. */
int org_store_party_orgs(struct db_conn *c, int64_t node_id, json_t *items);
int org_store_party_org_create(struct db_conn *c, int64_t node_id, const char *name,
			       const char *kind, int64_t now_ms, int64_t *id);
/* Creates the root node (code "root", level "region") when the tree is empty. */
int org_store_ensure_root(struct db_conn *c, int64_t now_ms);

/* {"id","code","name","level"} */
json_t *org_node_brief(const struct org_node *n);
/* The full node object of the API (brief + parent_id, children). */
json_t *org_node_json(const struct org_node *n);

#endif
