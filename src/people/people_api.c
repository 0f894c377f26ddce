/* people_api.c — routes for people and households. county_staff, township_staff and
 * branch_secretary read and write within their subtree; volunteers read with phone
 * numbers masked; the admin and auditor roles see no personal data at all. */
#include "people/people_api.h"

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/mem.h"
#include "org/org.h"
#include "people/people.h"
#include "store/db.h"

#include <string.h>

enum {
	PEOPLE_NOT_FOUND = -100,
	PEOPLE_FORBIDDEN = -101,
	PEOPLE_NODE_NOT_FOUND = -102,
	PEOPLE_CODE_EXISTS = -103,
	PEOPLE_NO_COUNTY = -104,
	PEOPLE_HOUSEHOLD_NOT_FOUND = -105,
	PEOPLE_NO_ID = -106,
};

static const unsigned PEOPLE_READ = ROLES_PEOPLE | ROLE_VOLUNTEER;

struct people_ctx {
	struct http_req *r;
	const char *ref, *q, *action;
	struct org_node *node;
	int64_t id, node_id, household_id;
	char *path;
	json_t *out, *members;
	const char *code, *head_name, *address, *phone;
	int64_t members_count;
	struct people_person_in person;
	char *id_number;
};

static int people_reply_error(struct http_req *r, struct people_ctx *p, int rc)
{
	json_decref(p->out);
	p->out = NULL;
	switch (rc) {
	case PEOPLE_NOT_FOUND:
		return http_reply_problem(r, strstr(r->path, "households") ? "household.not_found"
									  : "person.not_found",
					  NULL, NULL);
	case PEOPLE_HOUSEHOLD_NOT_FOUND:
		return http_reply_problem(r, "household.not_found", NULL, "household");
	case PEOPLE_FORBIDDEN:
		return http_forbid(r, p->action, r->path, p->node_id);
	case PEOPLE_NODE_NOT_FOUND:
		return http_reply_problem(r, "org.node_not_found", p->ref, "node");
	case PEOPLE_CODE_EXISTS:
		return http_reply_problem(r, "household.code_exists", p->code, "code");
	case PEOPLE_NO_COUNTY:
		return http_reply_problem(r, "request.bad_field",
					  "node: people and households belong under a county",
					  "node");
	case PEOPLE_DUPLICATE_ID:
		return http_reply_problem(r, "person.id_number_exists", NULL, "id_number");
	case PEOPLE_NO_ID:
		return http_reply_problem(r, "person.not_found", "no ID-card number recorded", NULL);
	default:
		return http_reply_db_error(r, rc);
	}
}

/* Resolves p->ref (or the user's first grant that can read people) to p->node and checks
 * roles on it. */
static int people_node(struct db_conn *c, struct people_ctx *p, unsigned roles)
{
	int rc = auth_scope_node(c, p->r->arena, p->r->user, &p->ref, roles, &p->node);
	if (p->node)
		p->node_id = p->node->id;
	return rc == AUTH_SCOPE_NO_NODE	   ? PEOPLE_NODE_NOT_FOUND
	       : rc == AUTH_SCOPE_FORBIDDEN ? PEOPLE_FORBIDDEN
					    : rc;
}

static bool people_full_phone(struct people_ctx *p, const char *path)
{
	return auth_can(p->r->user, ROLES_PEOPLE, path);
}

static int people_audit(struct db_conn *c, struct people_ctx *p, const char *action,
			const char *object, const char *detail)
{
	struct audit_entry e = {.action = action, .object = object, .node_id = p->node_id,
				.result = "ok", .detail = detail};
	http_audit_actor(p->r, &e);
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

/* ---- lists ---- */

static int households_list_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_node(c, p, PEOPLE_READ);
	if (rc < 0)
		return rc;
	return people_store_households_list(c, p->node->path, p->q,
					    people_full_phone(p, p->node->path), p->out);
}

static int people_list_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_node(c, p, PEOPLE_READ);
	if (rc < 0)
		return rc;
	return people_store_people_list(c, p->node->path, p->household_id, p->q,
					people_full_phone(p, p->node->path), p->out);
}

static int people_list_common(struct http_req *r, db_tx_fn fn, const char *action)
{
	struct people_ctx p = {.r = r, .ref = http_query(r, "node"), .q = http_query(r, "q"),
			       .action = action, .out = json_array()};
	if ((p.ref && (!*p.ref || strlen(p.ref) > 64)) || (p.q && strlen(p.q) > 100)) {
		json_decref(p.out);
		return http_reply_problem(r, "request.bad_query", "node or q too long", NULL);
	}
	if (p.q && !*p.q)
		p.q = NULL;
	if (p.q && !http_utf8_valid(p.q, strlen(p.q), NULL)) {
		json_decref(p.out);
		return http_reply_problem(r, "request.invalid_utf8", NULL, "q");
	}
	if (http_query_int(r, "household", 0, 0, INT64_MAX / 2, &p.household_id) < 0) {
		json_decref(p.out);
		return HTTP_DONE;
	}
	int rc = db_read_run(r->db, fn, &p);
	if (rc < 0)
		return people_reply_error(r, &p, rc);
	return http_reply_json(r, 200, json_pack("{s:o}", "items", p.out));
}

int people_api_households_list(struct http_req *r)
{
	return people_list_common(r, households_list_tx, "household.list");
}

int people_api_people_list(struct http_req *r)
{
	return people_list_common(r, people_list_tx, "person.list");
}

/* ---- one household / person ---- */

static int household_get_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_store_household_node(c, p->id, p->r->arena, &p->path, &p->node_id);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return PEOPLE_NOT_FOUND;
	if (!auth_can(p->r->user, PEOPLE_READ, p->path))
		return PEOPLE_FORBIDDEN;
	bool full = people_full_phone(p, p->path);
	rc = people_store_household_get(c, p->id, full, &p->out);
	if (rc != DB_ROW)
		return rc < 0 ? rc : PEOPLE_NOT_FOUND;
	json_t *people = json_array();
	json_object_set_new(p->out, "people", people);
	return people_store_people_list(c, "/", p->id, NULL, full, people);
}

static int person_get_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_store_person_node(c, p->id, p->r->arena, &p->path, &p->node_id);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return PEOPLE_NOT_FOUND;
	if (!auth_can(p->r->user, PEOPLE_READ, p->path))
		return PEOPLE_FORBIDDEN;
	rc = people_store_person_get(c, p->id, people_full_phone(p, p->path), &p->out);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : PEOPLE_NOT_FOUND;
}

static int people_get_common(struct http_req *r, db_tx_fn fn, const char *action)
{
	struct people_ctx p = {.r = r, .action = action};
	if (http_parse_id(r->params[0], &p.id) < 0)
		return http_reply_problem(r, "request.bad_id", r->params[0], NULL);
	int rc = db_read_run(r->db, fn, &p);
	if (rc < 0)
		return people_reply_error(r, &p, rc);
	return http_reply_json(r, 200, p.out);
}

int people_api_household_get(struct http_req *r)
{
	return people_get_common(r, household_get_tx, "household.read");
}

int people_api_person_get(struct http_req *r)
{
	return people_get_common(r, person_get_tx, "person.read");
}

static int id_number_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_store_person_node(c, p->id, p->r->arena, &p->path, &p->node_id);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return PEOPLE_NOT_FOUND;
	if (!auth_can(p->r->user, ROLES_PEOPLE, p->path))
		return PEOPLE_FORBIDDEN;
	rc = people_store_id_number(c, p->id, &p->id_number);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return PEOPLE_NO_ID;
	return people_audit(c, p, "person.read_id_number",
			    arena_printf(p->r->arena, "person:%lld", (long long)p->id),
			    "full ID-card number shown");
}

int people_api_person_id_number(struct http_req *r)
{
	struct people_ctx p = {.r = r, .action = "person.read_id_number"};
	if (http_parse_id(r->params[0], &p.id) < 0)
		return http_reply_problem(r, "request.bad_id", r->params[0], NULL);
	/* A write transaction: the audit entry commits before the number leaves the server. */
	int rc = db_tx_run(r->db, id_number_tx, &p);
	if (rc < 0) {
		free(p.id_number);
		return people_reply_error(r, &p, rc);
	}
	json_t *body = json_pack("{s:s}", "id_number", p.id_number);
	free(p.id_number);
	return http_reply_json(r, 200, body);
}

/* ---- creating ---- */

/* Reads a person object's fields (shared by POST /people and household members).
 * Returns 0, or -1 after replying 400 naming prefix+field. */
static int people_person_fields(struct http_req *r, json_t *obj, const char *prefix,
				struct people_person_in *in)
{
	static const char *const names[] = {"name", "gender", "birth_date", "id_number", "phone",
					     "relation"};
	const char **outs[] = {&in->name, &in->gender, &in->birth_date, &in->id_number, &in->phone,
			       &in->relation};
	static const size_t max[] = {50, 1, 10, 18, 20, 20};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *v = json_object_get(obj, names[i]);
		const char *field = arena_printf(r->arena, "%s%s", prefix, names[i]);
		if (!v || json_is_null(v)) {
			if (i == 0) {
				http_reply_problem(r, "request.bad_field", "required", field);
				return -1;
			}
			continue;
		}
		size_t cps = 0;
		if (!json_is_string(v) ||
		    strlen(json_string_value(v)) != json_string_length(v) ||
		    !http_utf8_valid(json_string_value(v), json_string_length(v), &cps) ||
		    cps > max[i] || (i == 0 && http_text_blank(json_string_value(v)))) {
			http_reply_problem(r, "request.bad_field",
					   arena_printf(r->arena, "a string of at most %zu characters",
							max[i]),
					   field);
			return -1;
		}
		*outs[i] = json_string_value(v);
	}
	if (in->gender && strcmp(in->gender, "m") != 0 && strcmp(in->gender, "f") != 0) {
		http_reply_problem(r, "request.bad_field", "gender: m or f",
				   arena_printf(r->arena, "%sgender", prefix));
		return -1;
	}
	if (in->birth_date && !people_birth_date_valid(in->birth_date)) {
		http_reply_problem(r, "request.bad_field", "birth_date: YYYY-MM-DD, a real date",
				   arena_printf(r->arena, "%sbirth_date", prefix));
		return -1;
	}
	if (in->id_number && !people_id_number_valid(in->id_number)) {
		http_reply_problem(r, "person.bad_id_number", NULL,
				   arena_printf(r->arena, "%sid_number", prefix));
		return -1;
	}
	if (in->phone && !people_phone_valid(in->phone)) {
		http_reply_problem(r, "request.bad_field", "phone: 5–20 digits",
				   arena_printf(r->arena, "%sphone", prefix));
		return -1;
	}
	json_t *pm = json_object_get(obj, "is_party_member");
	if (pm && !json_is_null(pm)) {
		if (!json_is_boolean(pm)) {
			http_reply_problem(r, "request.bad_field", "true or false",
					   arena_printf(r->arena, "%sis_party_member", prefix));
			return -1;
		}
		in->is_party_member = json_is_true(pm);
	}
	return 0;
}

static int person_create_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	if (!p->node->county_id)
		return PEOPLE_NO_COUNTY;
	if (p->household_id) {
		char *hpath = NULL;
		int64_t hnode = 0;
		rc = people_store_household_node(c, p->household_id, p->r->arena, &hpath, &hnode);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW || !auth_can(p->r->user, ROLES_PEOPLE, hpath))
			return PEOPLE_HOUSEHOLD_NOT_FOUND;
		p->person.household_id = p->household_id;
	}
	rc = people_store_person_create(c, p->node, &p->person, clock_now_ms(), &p->id);
	if (rc < 0)
		return rc;
	char *object = arena_printf(p->r->arena, "person:%lld", (long long)p->id);
	rc = people_audit(c, p, "person.create", object, p->person.name);
	if (rc < 0)
		return rc;
	rc = people_store_person_get(c, p->id, true, &p->out);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int people_api_person_create(struct http_req *r)
{
	struct people_ctx p = {.r = r, .action = "person.create"};
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &p.ref, NULL},
		{"household", JF_INT, false, 0, &p.household_id, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0 || people_person_fields(r, r->json, "", &p.person) < 0)
		return HTTP_DONE;
	if (p.household_id < 0)
		return http_reply_problem(r, "request.bad_field", "a household id", "household");
	int rc = db_tx_run(r->db, person_create_tx, &p);
	if (rc < 0)
		return people_reply_error(r, &p, rc);
	return http_reply_json(r, 201, p.out);
}

static int household_create_tx(struct db_conn *c, void *ctx)
{
	struct people_ctx *p = ctx;
	int rc = people_node(c, p, ROLES_PEOPLE);
	if (rc < 0)
		return rc;
	if (!p->node->county_id)
		return PEOPLE_NO_COUNTY;
	rc = people_store_household_create(c, p->node, p->code, p->head_name, p->address, p->phone,
					   p->members_count, clock_now_ms(), &p->id);
	if (rc < 0)
		return db_conn_error_kind(c) == DB_ERR_UNIQUE ? PEOPLE_CODE_EXISTS : rc;
	size_t i;
	json_t *m;
	json_array_foreach(p->members, i, m)
	{
		struct people_person_in in = {0};
		/* Fields were checked before the transaction; read them again here. */
		in.name = json_string_value(json_object_get(m, "name"));
		in.gender = json_string_value(json_object_get(m, "gender"));
		in.birth_date = json_string_value(json_object_get(m, "birth_date"));
		in.id_number = json_string_value(json_object_get(m, "id_number"));
		in.phone = json_string_value(json_object_get(m, "phone"));
		in.relation = json_string_value(json_object_get(m, "relation"));
		in.is_party_member = json_is_true(json_object_get(m, "is_party_member"));
		in.household_id = p->id;
		int64_t pid = 0;
		rc = people_store_person_create(c, p->node, &in, clock_now_ms(), &pid);
		if (rc < 0)
			return rc;
	}
	char *object = arena_printf(p->r->arena, "household:%lld", (long long)p->id);
	rc = people_audit(c, p, "household.create", object, p->head_name);
	if (rc < 0)
		return rc;
	rc = people_store_household_get(c, p->id, true, &p->out);
	return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_HARD_ERROR;
}

int people_api_household_create(struct http_req *r)
{
	struct people_ctx p = {.r = r, .action = "household.create"};
	json_t *members = NULL;
	struct json_field spec[] = {
		{"node", JF_REF, true, 0, &p.ref, NULL},
		{"head_name", JF_STRING, true, 50, &p.head_name, NULL},
		{"members", JF_JSON, false, 0, &members, NULL},
		{"address", JF_STRING, false, 200, &p.address, NULL},
		{"phone", JF_STRING, false, 20, &p.phone, NULL},
		{"code", JF_STRING, false, 64, &p.code, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (http_text_blank(p.head_name))
		return http_reply_problem(r, "request.bad_field", "head_name: required", "head_name");
	if (p.code && !org_code_valid(p.code))
		return http_reply_problem(r, "request.bad_field", "code: 1–64 of A-Z a-z 0-9 _ . -, not only digits",
					  "code");
	if (p.phone && !people_phone_valid(p.phone))
		return http_reply_problem(r, "request.bad_field", "phone: 5–20 digits", "phone");
	p.members = json_array();
	p.members_count = 1;
	if (members && json_is_integer(members)) {
		p.members_count = json_integer_value(members);
		if (p.members_count < 1 || p.members_count > 99) {
			json_decref(p.members);
			return http_reply_problem(r, "request.bad_field", "members: 1 to 99", "members");
		}
	} else if (members && json_is_array(members)) {
		if (json_array_size(members) < 1 || json_array_size(members) > 30) {
			json_decref(p.members);
			return http_reply_problem(r, "request.bad_field",
						  "members: a list of 1 to 30 people", "members");
		}
		size_t i;
		json_t *m;
		json_array_foreach(members, i, m)
		{
			struct people_person_in in = {0};
			const char *prefix = arena_printf(r->arena, "members[%zu].", i);
			if (!json_is_object(m)) {
				json_decref(p.members);
				return http_reply_problem(r, "request.bad_field", "a person object",
							  arena_printf(r->arena, "members[%zu]", i));
			}
			if (people_person_fields(r, m, prefix, &in) < 0) {
				json_decref(p.members);
				return HTTP_DONE;
			}
			json_array_append(p.members, m);
		}
		p.members_count = (int64_t)json_array_size(members);
	} else if (members) {
		json_decref(p.members);
		return http_reply_problem(r, "request.bad_field",
					  "members: a count or a list of people", "members");
	}
	int rc = db_tx_run(r->db, household_create_tx, &p);
	json_decref(p.members);
	if (rc < 0)
		return people_reply_error(r, &p, rc);
	return http_reply_json(r, 201, p.out);
}
