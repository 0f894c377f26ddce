/* audit.c — appending to the SM3 hash chain, listing, and verifying it. */
#include "audit/audit.h"

#include "core/crypto.h"
#include "core/mem.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char SQL_HEAD_GET[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
static const char SQL_HEAD_GET_PG[] = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
static const char SQL_HEAD_INIT[] = "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)";
static const char SQL_HEAD_SET[] = "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1";
static const char SQL_INSERT[] =
	"INSERT INTO audit_log (seq, ts, user_id, username, action, object, node_id, ip, result, "
	"detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_ALL[] =
	"SELECT seq, ts, user_id, username, action, object, node_id, ip, result, detail, "
	"prev_hash, hash FROM audit_log ORDER BY seq";
static const char SQL_LIST[] =
	"SELECT a.seq, a.ts, a.username, a.action, a.object, a.node_id, a.ip, a.result, a.detail, "
	"n.code, n.name FROM audit_log a LEFT JOIN org_nodes n ON n.id = a.node_id "
	"WHERE (CAST(? AS BIGINT) = 0 OR a.ts >= ?) AND (CAST(? AS BIGINT) = 0 OR a.ts < ?) "
	"AND (CAST(? AS TEXT) IS NULL OR a.username = ?) "
	"AND (CAST(? AS TEXT) IS NULL OR a.action = ? "
	"OR (CAST(? AS INTEGER) > 0 AND substr(a.action, 1, CAST(? AS INTEGER)) = ?)) "
	"AND (CAST(? AS TEXT) = '/' OR n.path LIKE ?) AND (CAST(? AS BIGINT) = 0 OR a.seq < ?) "
	"ORDER BY a.seq DESC LIMIT ?";

static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

struct audit_hash_buf {
	char *p;
	size_t len, cap;
};

static void audit_hash_add(struct audit_hash_buf *b, const char *s)
{
	size_t n = strlen(s);
	char len[24];
	int k = snprintf(len, sizeof(len), "%zu:", n);
	if (b->len + (size_t)k + n + 1 > b->cap) {
		b->cap = (b->len + (size_t)k + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, len, (size_t)k);
	memcpy(b->p + b->len + (size_t)k, s, n);
	b->len += (size_t)k + n;
	b->p[b->len++] = ';';
}

/* The hash of one entry: HMAC-SM3 (the chain key) over length-prefixed fields and the
 * previous hash. */
static void audit_hash(int64_t seq, int64_t ts, int64_t user_id, const char *username,
		       const char *action, const char *object, int64_t node_id, const char *ip,
		       const char *result, const char *detail, const char *prev,
		       char out[CRYPTO_SM3_HEX])
{
	struct audit_hash_buf b = {0};
	char num[3][24];
	snprintf(num[0], sizeof(num[0]), "%lld", (long long)seq);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)ts);
	snprintf(num[2], sizeof(num[2]), "%lld/%lld", (long long)user_id, (long long)node_id);
	const char *fields[] = {num[0], num[1], num[2], username, action, object,
				ip,     result, detail, prev};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		audit_hash_add(&b, fields[i] ? fields[i] : "");
	crypto_chain_mac(b.p, b.len, out);
	free(b.p);
}

int64_t audit_append(struct db_conn *c, const struct audit_entry *e, int64_t now_ms)
{
	struct db_stmt *s = db_prepare(
		c, db_conn_backend(c) == DB_POSTGRES ? SQL_HEAD_GET_PG : SQL_HEAD_GET);
	if (!s)
		return DB_HARD_ERROR;
	int rc = db_step(s);
	if (rc < 0)
		return rc;
	int64_t seq = 0;
	char prev[CRYPTO_SM3_HEX];
	bool have_head = rc == DB_ROW;
	if (have_head) {
		seq = db_col_int(s, 0);
		snprintf(prev, sizeof(prev), "%s", db_col_text(s, 1));
	} else {
		snprintf(prev, sizeof(prev), "%s", GENESIS);
	}
	seq++;
	const char *username = e->username ? e->username : "-";
	const char *object = e->object ? e->object : "";
	const char *ip = e->ip ? e->ip : "";
	const char *result = e->result ? e->result : "ok";
	const char *detail = e->detail ? e->detail : "";
	char hash[CRYPTO_SM3_HEX];
	audit_hash(seq, now_ms, e->user_id, username, e->action, object, e->node_id, ip, result,
		   detail, prev, hash);
	s = db_prepare(c, SQL_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, seq);
	db_bind_int(s, 2, now_ms);
	if (e->user_id)
		db_bind_int(s, 3, e->user_id);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, username);
	db_bind_text(s, 5, e->action);
	db_bind_text(s, 6, object);
	if (e->node_id)
		db_bind_int(s, 7, e->node_id);
	else
		db_bind_null(s, 7);
	db_bind_text(s, 8, ip);
	db_bind_text(s, 9, result);
	db_bind_text(s, 10, detail);
	db_bind_text(s, 11, prev);
	db_bind_text(s, 12, hash);
	rc = db_step(s);
	if (rc < 0)
		return rc;
	rc = db_exec(c, have_head ? SQL_HEAD_SET : SQL_HEAD_INIT, "it", seq, hash);
	if (rc < 0)
		return rc;
	return seq;
}

struct audit_record_ctx {
	const struct audit_entry *e;
	int64_t now;
};

static int audit_record_tx(struct db_conn *c, void *ctx)
{
	struct audit_record_ctx *a = ctx;
	int64_t rc = audit_append(c, a->e, a->now);
	return rc < 0 ? (int)rc : 0;
}

int audit_record(struct db *db, const struct audit_entry *e, int64_t now_ms)
{
	struct audit_record_ctx a = {e, now_ms};
	return db_tx_run(db, audit_record_tx, &a);
}

int audit_list(struct db_conn *c, const struct audit_filter *f, json_t *items, int64_t *next)
{
	struct db_stmt *s = db_prepare(c, SQL_LIST);
	if (!s)
		return DB_HARD_ERROR;
	/* Only a trailing '*' is a wildcard: "org.*" matches by prefix, byte for byte (no LIKE:
	 * its case folding and % _ wildcards differ between the backends). */
	char prefix[128], scope[300];
	const char *action = f->action;
	size_t alen = action ? strlen(action) : 0;
	int64_t plen = 0;
	prefix[0] = '\0';
	if (action && alen > 1 && action[alen - 1] == '*') {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(alen - 1), action);
		plen = (int64_t)strlen(prefix);
	}
	snprintf(scope, sizeof(scope), "%s%%", f->scope_path);
	db_bind_int(s, 1, f->from_ms);
	db_bind_int(s, 2, f->from_ms);
	db_bind_int(s, 3, f->to_ms);
	db_bind_int(s, 4, f->to_ms);
	db_bind_text(s, 5, f->username);
	db_bind_text(s, 6, f->username);
	db_bind_text(s, 7, action);
	db_bind_text(s, 8, action);
	db_bind_int(s, 9, plen);
	db_bind_int(s, 10, plen);
	db_bind_text(s, 11, prefix);
	db_bind_text(s, 12, f->scope_path);
	db_bind_text(s, 13, scope);
	db_bind_int(s, 14, f->before_seq);
	db_bind_int(s, 15, f->before_seq);
	db_bind_int(s, 16, f->limit + 1);
	int rc, n = 0;
	*next = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t seq = db_col_int(s, 0);
		if (n == f->limit) {
			*next = seq + 1; /* before_seq is exclusive: resume at this row */
			break;
		}
		json_t *node = json_null();
		if (!db_col_is_null(s, 5))
			node = json_pack("{s:I, s:s?, s:s?}", "id", (json_int_t)db_col_int(s, 5), "code",
					 db_col_text(s, 9), "name", db_col_text(s, 10));
		json_array_append_new(
			items, json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "id",
					 (json_int_t)seq, "ts", (json_int_t)db_col_int(s, 1), "user",
					 db_col_text(s, 2), "action", db_col_text(s, 3), "object",
					 db_col_text(s, 4), "node", node, "ip", db_col_text(s, 6),
					 "result", db_col_text(s, 7), "detail", db_col_text(s, 8)));
		n++;
	}
	if (rc < 0)
		return rc;
	return n;
}

struct audit_verify_ctx {
	FILE *out;
	int faults;
};

static int audit_verify_tx(struct db_conn *c, void *ctx)
{
	struct audit_verify_ctx *v = ctx;
	struct db_stmt *s = db_prepare(c, SQL_ALL);
	if (!s)
		return DB_HARD_ERROR;
	char prev[CRYPTO_SM3_HEX];
	snprintf(prev, sizeof(prev), "%s", GENESIS);
	int64_t expect = 1;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t seq = db_col_int(s, 0);
		if (seq != expect) {
			fprintf(v->out, "audit: entries %lld to %lld are missing\n", (long long)expect,
				(long long)seq - 1);
			v->faults++;
		}
		const char *stored_prev = db_col_text(s, 10);
		const char *stored = db_col_text(s, 11);
		if (strcmp(stored_prev, prev) != 0) {
			fprintf(v->out, "audit: entry %lld does not follow the entry before it\n",
				(long long)seq);
			v->faults++;
		}
		char hash[CRYPTO_SM3_HEX];
		audit_hash(seq, db_col_int(s, 1), db_col_int(s, 2), db_col_text(s, 3),
			   db_col_text(s, 4), db_col_text(s, 5), db_col_int(s, 6), db_col_text(s, 7),
			   db_col_text(s, 8), db_col_text(s, 9), stored_prev, hash);
		if (strcmp(hash, stored) != 0) {
			fprintf(v->out, "audit: entry %lld was changed after it was written\n",
				(long long)seq);
			v->faults++;
		}
		snprintf(prev, sizeof(prev), "%s", stored);
		expect = seq + 1;
	}
	if (rc < 0)
		return rc;
	s = db_prepare(c, SQL_HEAD_GET);
	if (!s)
		return DB_HARD_ERROR;
	rc = db_step(s);
	if (rc < 0)
		return rc;
	int64_t head_seq = rc == DB_ROW ? db_col_int(s, 0) : 0;
	const char *head_hash = rc == DB_ROW ? db_col_text(s, 1) : GENESIS;
	if (head_seq != expect - 1 || strcmp(head_hash, prev) != 0) {
		fprintf(v->out, "audit: the chain ends at entry %lld but its head says %lld: "
				"entries were removed or added\n",
			(long long)expect - 1, (long long)head_seq);
		v->faults++;
	}
	return 0;
}

int audit_verify(struct db *db, FILE *out)
{
	struct audit_verify_ctx v = {out, 0};
	int rc = db_read_run(db, audit_verify_tx, &v);
	return rc < 0 ? rc : v.faults;
}
