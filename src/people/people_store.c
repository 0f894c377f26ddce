/* people_store.c — the SQL of people and households. */
#include "people/people.h"

#include "core/crypto.h"
#include "core/mem.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char SQL_PERSON_INSERT[] =
	"INSERT INTO people (county_id, node_id, household_id, name, gender, birth_date, id_enc, "
	"id_index, id_mask, phone, relation, is_party_member, created_at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_HOUSEHOLD_INSERT[] =
	"INSERT INTO households (county_id, node_id, code, head_name, address, phone, members, "
	"created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_HOUSEHOLD_SET_CODE[] = "UPDATE households SET code = ? WHERE id = ?";
static const char SQL_HOUSEHOLD_CODE_TAKEN[] = "SELECT COUNT(*) FROM households WHERE code = ?";
static const char SQL_PERSON_NODE[] =
	"SELECT n.path, n.id FROM people p JOIN org_nodes n ON n.id = p.node_id WHERE p.id = ?";
static const char SQL_HOUSEHOLD_NODE[] =
	"SELECT n.path, n.id FROM households h JOIN org_nodes n ON n.id = h.node_id WHERE h.id = ?";
#define PERSON_COLS                                                                        \
	"p.id, p.name, p.gender, p.birth_date, p.id_mask, p.phone, p.household_id, p.relation, " \
	"p.is_party_member, n.id, n.code, n.name, n.level"
static const char SQL_PEOPLE_LIST[] =
	"SELECT " PERSON_COLS " FROM people p JOIN org_nodes n ON n.id = p.node_id "
	"WHERE n.path LIKE ? AND (CAST(? AS BIGINT) = 0 OR p.household_id = ?) "
	"AND (CAST(? AS TEXT) IS NULL OR p.name LIKE ?) ORDER BY p.id LIMIT 500";
static const char SQL_PERSON_GET[] =
	"SELECT " PERSON_COLS " FROM people p JOIN org_nodes n ON n.id = p.node_id WHERE p.id = ?";
#define HOUSEHOLD_COLS                                                                     \
	"h.id, h.code, h.head_name, h.address, h.phone, h.members, n.id, n.code, n.name, n.level"
static const char SQL_HOUSEHOLDS_LIST[] =
	"SELECT " HOUSEHOLD_COLS " FROM households h JOIN org_nodes n ON n.id = h.node_id "
	"WHERE n.path LIKE ? AND (CAST(? AS TEXT) IS NULL OR h.head_name LIKE ? OR h.code = ?) "
	"ORDER BY h.id LIMIT 500";
static const char SQL_HOUSEHOLD_GET[] =
	"SELECT " HOUSEHOLD_COLS " FROM households h JOIN org_nodes n ON n.id = h.node_id "
	"WHERE h.id = ?";
static const char SQL_ID_NUMBER[] = "SELECT id_enc FROM people WHERE id = ?";
static const char SQL_ID_INDEX[] = "SELECT COUNT(*) FROM people WHERE id_index = ?";

static json_t *people_node_json(struct db_stmt *s, int col)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(s, col), "code",
			 db_col_text(s, col + 1), "name", db_col_text(s, col + 2), "level",
			 db_col_text(s, col + 3));
}

static json_t *people_phone_json(const char *phone, bool full)
{
	if (!phone)
		return json_null();
	if (full)
		return json_string(phone);
	char masked[32];
	people_phone_mask(phone, masked, sizeof(masked));
	return json_string(masked);
}

static json_t *people_person_json(struct db_stmt *s, bool full_phone)
{
	json_t *hh = db_col_is_null(s, 6) ? json_null() : json_integer(db_col_int(s, 6));
	return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:b, s:o}", "id",
			 (json_int_t)db_col_int(s, 0), "name", db_col_text(s, 1), "gender",
			 db_col_text(s, 2), "birth_date", db_col_text(s, 3), "id_number",
			 db_col_text(s, 4), "phone", people_phone_json(db_col_text(s, 5), full_phone),
			 "household_id", hh, "relation", db_col_text(s, 7), "is_party_member",
			 (int)db_col_int(s, 8), "node", people_node_json(s, 9));
}

static json_t *people_household_json(struct db_stmt *s, bool full_phone)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:o}", "id", (json_int_t)db_col_int(s, 0),
			 "code", db_col_text(s, 1), "head_name", db_col_text(s, 2), "address",
			 db_col_text(s, 3), "phone", people_phone_json(db_col_text(s, 4), full_phone),
			 "members", (json_int_t)db_col_int(s, 5), "node", people_node_json(s, 6));
}

int people_store_person_create(struct db_conn *c, const struct org_node *node,
			       const struct people_person_in *p, int64_t now_ms, int64_t *id)
{
	char *sealed = NULL;
	char index[CRYPTO_SM3_HEX] = "", mask[19] = "";
	if (p->id_number) {
		char canon[19];
		snprintf(canon, sizeof(canon), "%s", p->id_number);
		if (canon[17] == 'x')
			canon[17] = 'X';
		crypto_blind_index(canon, index);
		int64_t n = 0;
		int rc = db_query_int(c, &n, SQL_ID_INDEX, "t", index);
		if (rc < 0)
			return rc;
		if (n > 0)
			return PEOPLE_DUPLICATE_ID;
		sealed = crypto_seal(canon);
		people_id_number_mask(canon, mask);
	}
	struct db_stmt *s = db_prepare(c, SQL_PERSON_INSERT);
	if (!s) {
		free(sealed);
		return DB_HARD_ERROR;
	}
	db_bind_int(s, 1, node->county_id);
	db_bind_int(s, 2, node->id);
	if (p->household_id)
		db_bind_int(s, 3, p->household_id);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, p->name);
	db_bind_text(s, 5, p->gender);
	db_bind_text(s, 6, p->birth_date);
	db_bind_text(s, 7, sealed);
	db_bind_text(s, 8, sealed ? index : NULL);
	db_bind_text(s, 9, sealed ? mask : NULL);
	db_bind_text(s, 10, p->phone);
	db_bind_text(s, 11, p->relation);
	db_bind_int(s, 12, p->is_party_member);
	db_bind_int(s, 13, now_ms);
	free(sealed);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_col_int(s, 0);
	while (rc == DB_ROW)
		rc = db_step(s);
	return rc;
}

int people_store_household_create(struct db_conn *c, const struct org_node *node,
				  const char *code, const char *head_name, const char *address,
				  const char *phone, int64_t members, int64_t now_ms, int64_t *id)
{
	char tmp[40];
	if (!code) {
		/* A unique placeholder until the id is known, then the readable code. */
		char tok[33];
		crypto_token(tok, 16);
		snprintf(tmp, sizeof(tmp), "~%s", tok);
	}
	int rc = db_query_int(c, id, SQL_HOUSEHOLD_INSERT, "iittttii", node->county_id, node->id,
			      code ? code : tmp, head_name, address ? address : "", phone, members,
			      now_ms);
	if (rc < 0 || code)
		return rc;
	/* node code + "-" + id, or with a suffix when someone chose that code by hand. (Checked
	 * first: a failed UPDATE would abort a PostgreSQL transaction.) */
	char gen[96];
	for (int n = 1;; n++) {
		if (n == 1)
			snprintf(gen, sizeof(gen), "%s-%lld", node->code, (long long)*id);
		else
			snprintf(gen, sizeof(gen), "%s-%lld-%d", node->code, (long long)*id, n);
		int64_t taken = 0;
		rc = db_query_int(c, &taken, SQL_HOUSEHOLD_CODE_TAKEN, "t", gen);
		if (rc < 0)
			return rc;
		if (!taken)
			break;
	}
	return db_exec(c, SQL_HOUSEHOLD_SET_CODE, "ti", gen, *id);
}

static int people_store_node_of(struct db_conn *c, const char *sql, int64_t id, struct arena *a,
				char **path, int64_t *node_id)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*path = arena_strdup(a, db_col_text(s, 0));
		*node_id = db_col_int(s, 1);
	}
	return rc;
}

int people_store_person_node(struct db_conn *c, int64_t id, struct arena *a, char **path,
			     int64_t *node_id)
{
	return people_store_node_of(c, SQL_PERSON_NODE, id, a, path, node_id);
}

int people_store_household_node(struct db_conn *c, int64_t id, struct arena *a, char **path,
				int64_t *node_id)
{
	return people_store_node_of(c, SQL_HOUSEHOLD_NODE, id, a, path, node_id);
}

int people_store_people_list(struct db_conn *c, const char *path, int64_t household_id,
			     const char *q, bool full_phone, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_PEOPLE_LIST);
	if (!s)
		return DB_HARD_ERROR;
	char like[300], qlike[200];
	snprintf(like, sizeof(like), "%s%%", path);
	snprintf(qlike, sizeof(qlike), "%%%s%%", q ? q : "");
	db_bind_text(s, 1, like);
	db_bind_int(s, 2, household_id);
	db_bind_int(s, 3, household_id);
	db_bind_text(s, 4, q);
	db_bind_text(s, 5, qlike);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, people_person_json(s, full_phone));
	return rc < 0 ? rc : (int)json_array_size(items);
}

int people_store_person_get(struct db_conn *c, int64_t id, bool full_phone, json_t **out)
{
	struct db_stmt *s = db_prepare(c, SQL_PERSON_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = people_person_json(s, full_phone);
	return rc;
}

int people_store_households_list(struct db_conn *c, const char *path, const char *q,
				 bool full_phone, json_t *items)
{
	struct db_stmt *s = db_prepare(c, SQL_HOUSEHOLDS_LIST);
	if (!s)
		return DB_HARD_ERROR;
	char like[300], qlike[200];
	snprintf(like, sizeof(like), "%s%%", path);
	snprintf(qlike, sizeof(qlike), "%%%s%%", q ? q : "");
	db_bind_text(s, 1, like);
	db_bind_text(s, 2, q);
	db_bind_text(s, 3, qlike);
	db_bind_text(s, 4, q);
	int rc;
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(items, people_household_json(s, full_phone));
	return rc < 0 ? rc : (int)json_array_size(items);
}

int people_store_household_get(struct db_conn *c, int64_t id, bool full_phone, json_t **out)
{
	struct db_stmt *s = db_prepare(c, SQL_HOUSEHOLD_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == DB_ROW)
		*out = people_household_json(s, full_phone);
	return rc;
}

int people_store_id_number(struct db_conn *c, int64_t id, char **out)
{
	*out = NULL;
	struct db_stmt *s = db_prepare(c, SQL_ID_NUMBER);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc;
	const char *sealed = db_col_text(s, 0);
	if (!sealed)
		return DB_DONE;
	*out = crypto_open(sealed);
	return *out ? DB_ROW : DB_HARD_ERROR;
}
