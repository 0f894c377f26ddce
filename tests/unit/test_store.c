/* Store tests, run on both backends: TALA_TEST_DB=sqlite (a temp file) or postgres (a fresh
 * database on the server at TALA_PG_ADMIN_URL; skipped with exit 77 when that is unset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "modules/points/points.h"
#include "org/org.h"
#include "store/db.h"

static struct db *db;
static char url[512], admin_url[512], dbname[64], tmpdir[64];

static int pg_admin(const char *sql)
{
	PGconn *c = PQconnectdb(admin_url);
	if (PQstatus(c) != CONNECTION_OK) {
		PQfinish(c);
		return -1;
	}
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	const char *which = getenv("TALA_TEST_DB");
	char err[256];
	if (crypto_init() < 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tala-store-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	if (which && strcmp(which, "postgres") == 0) {
		const char *admin = getenv("TALA_PG_ADMIN_URL");
		snprintf(admin_url, sizeof(admin_url), "%s", admin);
		snprintf(dbname, sizeof(dbname), "tala_store_%d", (int)getpid());
		char sql[128];
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
		if (pg_admin(sql) < 0)
			return -1;
		const char *slash = strrchr(admin, '/');
		snprintf(url, sizeof(url), "%.*s/%s", (int)(slash - admin), admin, dbname);
	} else {
		snprintf(url, sizeof(url), "sqlite:%s/store.db", tmpdir);
	}
	char key[128];
	snprintf(key, sizeof(key), "%s/key", tmpdir);
	if (crypto_load_key(key, true, err, sizeof(err)) < 0)
		return -1;
	db = db_open(url, 4, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return db_migrate(db, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	if (dbname[0]) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", dbname);
		pg_admin(sql);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_migrate_is_idempotent(void **state)
{
	(void)state;
	char err[256];
	assert_int_equal(db_schema_version(db), db_schema_latest());
	assert_int_equal(db_migrate(db, err, sizeof(err)), 0);
	assert_int_equal(db_schema_version(db), db_schema_latest());
}

static int create_scratch(struct db_conn *c, void *ctx)
{
	(void)ctx;
	return db_exec_script(c, "CREATE TABLE IF NOT EXISTS scratch (k TEXT PRIMARY KEY, v BIGINT, "
				 "note TEXT)");
}

static const char SQL_PUT[] = "INSERT INTO scratch (k, v, note) VALUES (?, ?, ?)";
static const char SQL_GET[] = "SELECT v, note FROM scratch WHERE k = ?";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM scratch WHERE k = ?";
static const char SQL_INC[] = "UPDATE scratch SET v = ? WHERE k = ?";

struct kv {
	const char *k, *note;
	int64_t v;
	bool found;
	char got_note[256];
	int fail_with;
};

static int put_tx(struct db_conn *c, void *ctx)
{
	struct kv *kv = ctx;
	int rc = db_exec(c, SQL_PUT, "tit", kv->k, kv->v, kv->note);
	if (rc < 0)
		return rc;
	return kv->fail_with ? kv->fail_with : rc;
}

static int get_tx(struct db_conn *c, void *ctx)
{
	struct kv *kv = ctx;
	struct db_stmt *s = db_prepare(c, SQL_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, kv->k);
	int rc = db_step(s);
	kv->found = rc == DB_ROW;
	if (rc == DB_ROW) {
		kv->v = db_col_int(s, 0);
		const char *n = db_col_text(s, 1);
		snprintf(kv->got_note, sizeof(kv->got_note), "%s", n ? n : "(null)");
	}
	return rc < 0 ? rc : 0;
}

static void test_commit_rollback_and_verbatim_text(void **state)
{
	(void)state;
	assert_int_equal(db_tx_run(db, create_scratch, NULL), 0);
	struct kv a = {.k = "a", .v = 1, .note = "'); DROP TABLE scratch;-- 呼特勒 '?'"};
	assert_int_equal(db_tx_run(db, put_tx, &a), 1);
	struct kv b = {.k = "b", .v = 2, .note = "gone", .fail_with = -1000};
	assert_int_equal(db_tx_run(db, put_tx, &b), -1000); /* the caller's code comes back */
	struct kv got = {.k = "a"};
	assert_int_equal(db_read_run(db, get_tx, &got), 0);
	assert_true(got.found);
	assert_int_equal(got.v, 1);
	assert_string_equal(got.got_note, a.note);
	struct kv gone = {.k = "b"};
	assert_int_equal(db_read_run(db, get_tx, &gone), 0);
	assert_false(gone.found); /* rolled back */
	struct kv n = {.k = "null", .v = 5, .note = NULL};
	assert_int_equal(db_tx_run(db, put_tx, &n), 1);
	struct kv gn = {.k = "null"};
	db_read_run(db, get_tx, &gn);
	assert_string_equal(gn.got_note, "(null)");
}

static int dup_tx(struct db_conn *c, void *ctx)
{
	int *kind = ctx;
	int rc = db_exec(c, SQL_PUT, "tit", "dup", (int64_t)1, "x");
	if (rc < 0)
		return rc;
	rc = db_exec(c, SQL_PUT, "tit", "dup", (int64_t)2, "y");
	*kind = db_conn_error_kind(c);
	return rc;
}

static void test_unique_violation_is_reported_and_rolled_back(void **state)
{
	(void)state;
	int kind = 0;
	assert_int_equal(db_tx_run(db, dup_tx, &kind), DB_HARD_ERROR);
	assert_int_equal(kind, DB_ERR_UNIQUE);
	struct kv g = {.k = "dup"};
	db_read_run(db, get_tx, &g);
	assert_false(g.found);
}

static int same_stmt_tx(struct db_conn *c, void *ctx)
{
	(void)ctx;
	struct db_stmt *a = db_prepare(c, SQL_COUNT);
	struct db_stmt *b = db_prepare(c, SQL_COUNT);
	return a && a == b ? 0 : -1;
}

static void test_statements_are_cached_per_connection(void **state)
{
	(void)state;
	assert_int_equal(db_read_run(db, same_stmt_tx, NULL), 0);
}

static int inc_tx(struct db_conn *c, void *ctx)
{
	(void)ctx;
	struct db_stmt *s = db_prepare(c, SQL_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, "counter");
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	int64_t v = db_col_int(s, 0);
	return db_exec(c, SQL_INC, "it", v + 1, "counter");
}

static void *inc_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 40; i++)
		if (db_tx_run(db, inc_tx, NULL) < 0)
			return (void *)1;
	return NULL;
}

/* Read-modify-write from four threads: without serialisation and retries, updates would be
 * lost (SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE + retry on 40001). */
static void test_concurrent_increments_lose_nothing(void **state)
{
	(void)state;
	struct kv c = {.k = "counter", .v = 0, .note = "n"};
	assert_int_equal(db_tx_run(db, put_tx, &c), 1);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, inc_thread, NULL);
	for (int i = 0; i < 4; i++) {
		void *res = NULL;
		pthread_join(t[i], &res);
		assert_null(res);
	}
	struct kv g = {.k = "counter"};
	db_read_run(db, get_tx, &g);
	assert_int_equal(g.v, 160);
}

struct org_ctx {
	struct arena *a;
	struct org_node *root, *county, *village;
};

static int org_tx(struct db_conn *c, void *ctx)
{
	struct org_ctx *o = ctx;
	int rc = org_store_ensure_root(c, clock_now_ms());
	if (rc < 0)
		return rc;
	rc = org_store_get(c, o->a, "root", &o->root);
	if (rc != DB_ROW)
		return DB_HARD_ERROR;
	int64_t id = 0;
	rc = org_store_create(c, o->root, "t-county", "巴林右旗", "county", clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	rc = org_store_get(c, o->a, "t-county", &o->county);
	if (rc != DB_ROW)
		return DB_HARD_ERROR;
	rc = org_store_create(c, o->county, "t-village", "呼特勒嘎查", "village", clock_now_ms(), &id);
	if (rc < 0)
		return rc;
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", (long long)id);
	rc = org_store_get(c, o->a, ref, &o->village);
	if (rc != DB_ROW)
		return DB_HARD_ERROR;
	rc = org_store_get(c, o->a, "root", &o->root); /* again, to count its child */
	return rc == DB_ROW ? 0 : DB_HARD_ERROR;
}

static void test_org_paths_and_county_ids(void **state)
{
	(void)state;
	struct org_ctx o = {.a = arena_new()};
	assert_int_equal(db_tx_run(db, org_tx, &o), 0);
	assert_string_equal(o.root->level, "region");
	char want[64];
	snprintf(want, sizeof(want), "%s%lld/", o.root->path, (long long)o.county->id);
	assert_string_equal(o.county->path, want);
	assert_int_equal(o.county->county_id, o.county->id);
	assert_int_equal(o.village->county_id, o.county->id);
	assert_int_equal(o.village->parent_id, o.county->id);
	assert_string_equal(o.village->code, "t-village");
	assert_int_equal(o.root->children, 1);
	arena_free(o.a);
}

static int audit_tx(struct db_conn *c, void *ctx)
{
	(void)ctx;
	for (int i = 0; i < 5; i++) {
		struct audit_entry e = {.username = "tester", .action = "test.write",
					.object = "scratch", .ip = "127.0.0.1", .result = "ok",
					.detail = "第几条"};
		int64_t rc = audit_append(c, &e, clock_now_ms());
		if (rc < 0)
			return (int)rc;
	}
	return 0;
}

static int tamper_tx(struct db_conn *c, void *ctx)
{
	return db_exec_script(c, ctx);
}

static void test_audit_chain_detects_edits_and_deletions(void **state)
{
	(void)state;
	FILE *devnull = fopen("/dev/null", "w");
	assert_int_equal(db_tx_run(db, audit_tx, NULL), 0);
	assert_int_equal(audit_verify(db, devnull), 0);
	/* a changed row */
	assert_int_equal(db_tx_run(db, tamper_tx, "UPDATE audit_log SET detail = 'x' WHERE seq = 2"), 0);
	assert_true(audit_verify(db, devnull) > 0);
	assert_int_equal(db_tx_run(db, tamper_tx, "UPDATE audit_log SET detail = '第几条' WHERE seq = 2"), 0);
	assert_int_equal(audit_verify(db, devnull), 0);
	/* a deleted last row */
	assert_int_equal(db_tx_run(db, tamper_tx,
				   "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"),
			 0);
	assert_true(audit_verify(db, devnull) > 0);
	fclose(devnull);
}

struct ledger_ctx {
	int step;
	int64_t hold;
	int64_t posted, pending;
};

static int ledger_tx(struct db_conn *c, void *ctx)
{
	struct ledger_ctx *l = ctx;
	int64_t id = 0;
	struct points_transfer t = {.county_id = 1, .node_id = 1, .debit = "pool:1",
				    .credit = "hh:1", .amount = 10, .phase = POINTS_POSTED};
	switch (l->step) {
	case 0: /* issue 10 */
		return points_ledger_post(c, &t, 1, &id);
	case 1: /* spend 11: refused, and the caller rolls back */
		t.debit = "hh:1";
		t.credit = "store:1";
		t.amount = 11;
		return points_ledger_post(c, &t, 1, &id);
	case 2: /* hold 6 */
		t.debit = "hh:1";
		t.credit = "store:1";
		t.amount = 6;
		t.phase = POINTS_PENDING;
		return points_ledger_post(c, &t, 1, &l->hold);
	case 3: /* a second hold of 6 exceeds what is available (10 - 6) */
		t.debit = "hh:1";
		t.credit = "store:1";
		t.amount = 6;
		t.phase = POINTS_PENDING;
		return points_ledger_post(c, &t, 1, &id);
	case 4: /* post the hold */
	case 5: /* … only once */
		t.debit = "hh:1";
		t.credit = "store:1";
		t.amount = 6;
		t.phase = POINTS_POST;
		t.pending_id = l->hold;
		return points_ledger_post(c, &t, 1, &id);
	case 6:
		return points_ledger_balance(c, "hh:1", &l->posted, &l->pending);
	default: /* the ledger refuses edits */
		return db_exec_script(c, "UPDATE points_transfers SET amount = 1");
	}
}

static void test_ledger_never_negative_and_settles_once(void **state)
{
	(void)state;
	struct ledger_ctx l = {0};
	int want[] = {0, POINTS_INSUFFICIENT, 0, POINTS_INSUFFICIENT, 0, POINTS_BAD_STATE, 0};
	for (l.step = 0; l.step < 7; l.step++)
		assert_int_equal(db_tx_run(db, ledger_tx, &l), want[l.step]);
	assert_int_equal(l.posted, 4);
	assert_int_equal(l.pending, 0);
	assert_int_equal(db_tx_run(db, ledger_tx, &l), DB_HARD_ERROR);
	/* The balances add up, but these transfers stand for no entry or redemption: the check
	 * reports exactly that one fault. */
	FILE *devnull = fopen("/dev/null", "w");
	assert_int_equal(points_check(db, devnull), 1);
	fclose(devnull);
}


static int fill_tx(struct db_conn *c, void *ctx)
{
	const char *blob = ctx;
	int rc = db_exec_script(c, "CREATE TABLE IF NOT EXISTS ckpt_fill (b TEXT NOT NULL)");
	for (int i = 0; i < 40 && rc >= 0; i++)
		rc = db_exec(c, "INSERT INTO ckpt_fill (b) VALUES (?)", "t", blob);
	return rc < 0 ? rc : 0;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* SQLite: once the WAL passes 10,000 pages it is copied into the database by the checkpointer
 * thread (tala-ckpt), not inside a writer's COMMIT; the writers never wait for it. */
static void test_sqlite_wal_is_checkpointed_in_the_background(void **state)
{
	(void)state;
	if (db_backend(db) != DB_SQLITE)
		skip();
	char path[600], blob[3001];
	snprintf(path, sizeof(path), "%s", url + strlen("sqlite:"));
	memset(blob, 'x', sizeof(blob) - 1);
	blob[sizeof(blob) - 1] = '\0';
	off_t before = file_size(path);
	/* ~12,000 pages of 4 KB, in 300 commits of ~40 pages: the WAL passes 10,000 once. */
	for (int i = 0; i < 300; i++)
		assert_int_equal(db_tx_run(db, fill_tx, blob), 0);
	bool grown = false, named = false;
	for (int i = 0; i < 300 && !grown; i++) {
		grown = file_size(path) > before + 10000 * 4096;
		if (!grown)
			usleep(10000);
	}
	assert_true(grown); /* pages reached the database file */
	DIR *d = opendir("/proc/self/task");
	assert_non_null(d);
	for (struct dirent *e = readdir(d); e && !named; e = readdir(d)) {
		char p[300], comm[64];
		snprintf(p, sizeof(p), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		named = fgets(comm, sizeof(comm), f) && strncmp(comm, "tala-ckpt", 9) == 0;
		fclose(f);
	}
	closedir(d);
	assert_true(named);
}

struct gather_ctx {
	int rows, from;
	int64_t count;
};

static int gather_tx(struct db_conn *c, void *ctx)
{
	struct gather_ctx *g = ctx;
	int rc = db_exec_script(c, "CREATE TABLE IF NOT EXISTS wal_gather (k INTEGER PRIMARY KEY, "
				   "b TEXT NOT NULL)");
	char blob[3001];
	for (int i = 0; i < g->rows && rc >= 0; i++) {
		memset(blob, 'a' + (g->from + i) % 26, sizeof(blob) - 1);
		blob[sizeof(blob) - 1] = '\0';
		rc = db_exec(c, "INSERT INTO wal_gather (k, b) VALUES (?, ?)", "it",
			     (int64_t)(g->from + i), blob);
	}
	return rc < 0 ? rc : 0;
}

static int gather_count_tx(struct db_conn *c, void *ctx)
{
	struct gather_ctx *g = ctx;
	int rc = db_query_int(c, &g->count,
			      "SELECT COUNT(*) FROM wal_gather WHERE length(b) = 3000 AND "
			      "substr(b, 1, 1) = char(97 + k % 26)",
			      "");
	return rc < 0 ? rc : 0;
}

/* Write system calls of this thread so far (/proc/thread-self/io), -1 if unknown. */
static long long thread_write_calls(void)
{
	FILE *f = fopen("/proc/thread-self/io", "r");
	if (!f)
		return -1;
	char line[128];
	long long n = -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "syscw: ", 7) == 0)
			n = strtoll(line + 7, NULL, 10);
	fclose(f);
	return n;
}

/* SQLite: a commit's WAL frames reach the file in one write per 64 KB (db_sqlite_vfs.c), not
 * two per page, and what was written that way is read back whole — also a transaction bigger
 * than the 4 MB buffer, and by the other connections of the pool. */
static void test_sqlite_wal_writes_are_gathered_per_commit(void **state)
{
	(void)state;
	if (db_backend(db) != DB_SQLITE)
		skip();
	struct gather_ctx g = {.rows = 100, .from = 0};
	assert_int_equal(db_tx_run(db, gather_tx, &g), 0); /* creates the table */
	g.from = 100;
	long long before = thread_write_calls();
	assert_int_equal(db_tx_run(db, gather_tx, &g), 0); /* ~100 pages, ~400 KB of WAL */
	long long after = thread_write_calls();
	if (before >= 0 && after >= 0)
		assert_true(after - before < 30); /* was ≥ 200: two per frame */
	g.from = 200;
	g.rows = 2000; /* ~8 MB: the buffer fills and is written twice before the commit */
	assert_int_equal(db_tx_run(db, gather_tx, &g), 0);
	for (int i = 0; i < 4; i++) { /* a few readers: the pool's other connections too */
		g.count = 0;
		assert_int_equal(db_read_run(db, gather_count_tx, &g), 0);
		assert_int_equal(g.count, 2200);
	}
}

int main(void)
{
	const char *which = getenv("TALA_TEST_DB");
	if (which && strcmp(which, "postgres") == 0 && !getenv("TALA_PG_ADMIN_URL")) {
		fprintf(stderr, "skipped: TALA_PG_ADMIN_URL is not set\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_is_idempotent),
		cmocka_unit_test(test_commit_rollback_and_verbatim_text),
		cmocka_unit_test(test_unique_violation_is_reported_and_rolled_back),
		cmocka_unit_test(test_statements_are_cached_per_connection),
		cmocka_unit_test(test_concurrent_increments_lose_nothing),
		cmocka_unit_test(test_org_paths_and_county_ids),
		cmocka_unit_test(test_audit_chain_detects_edits_and_deletions),
		cmocka_unit_test(test_ledger_never_negative_and_settles_once),
		cmocka_unit_test(test_sqlite_wal_is_checkpointed_in_the_background),
		cmocka_unit_test(test_sqlite_wal_writes_are_gathered_per_commit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
