/* db_sqlite.c — the SQLite driver of db.h: WAL, synchronous=FULL, BEGIN IMMEDIATE for writes,
 * WAL checkpoints on a thread of their own. */
#include "store/db_internal.h"

#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
	bool done;
};

static const char *sqlite_vfs_name; /* db_sqlite_vfs.c's, NULL: the default VFS */

static sqlite3 *sqlite_handle(struct db_conn *c)
{
	return c->handle;
}

static const char *sqlite_path(const char *url)
{
	return url + strlen("sqlite:");
}

/* Creates the directory that will hold path, if missing (one level: data/). */
static void sqlite_make_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return;
	char dir[4096];
	size_t n = (size_t)(slash - path);
	if (n >= sizeof(dir))
		return;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return;
}

/* Page cache per connection, KiB (SQLite's default is 2 MB). With a WAL of up to 10,000 pages
 * between checkpoints and an index's leaves written at random (the device index's, until
 * migration 0008 dropped it), 2 MB made the group committer read most pages it touched back
 * from the WAL or the database file (pread: 0.75 a question; 0.07 with 8 MB, 0 with 32 MB).
 * Bigger is not free: every COMMIT ends in sqlite3PcacheTruncate, whose scan of the cache's
 * hash table took 7 % of the committer's samples at 32 MB against 3 % at 8 MB. */
#define SQLITE_CACHE_KB "8192"

/* WAL checkpoints run on their own thread and connection, not in the COMMIT of whichever
 * writer takes the WAL past 1000 pages (SQLite's wal_autocheckpoint): that writer would copy
 * up to 1000 pages into the database file and fsync it while every request of its group
 * commit waits — the slowest commits of the submission bench (docs/performance.md). Each
 * connection's WAL hook only wakes the checkpointer, which checkpoints PASSIVE (it neither
 * waits for readers nor blocks writers). Durability is unchanged: COMMIT returns once the WAL
 * is fsynced (synchronous=FULL), checkpointed or not. Should the checkpointer fall behind (or
 * not start), the committing connection checkpoints by itself past SQLITE_CKPT_INLINE pages.
 * Checkpoints start at 10,000 pages (a 40 MB WAL), not 1000: a page written again before the
 * checkpoint is copied once — randomly written index leaves are, under a stream of questions
 * — which took the checkpointer from ~12 to ~3.5 µs of CPU a question (bench/http; < 1 µs
 * since migration 0008 dropped the device index, the one written at random). */
enum { SQLITE_CKPT_PAGES = 10000, SQLITE_CKPT_INLINE = 40000 };

struct sqlite_ckpt {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, failed, due, stop;
	char *path;
};

static void *sqlite_ckpt_main(void *arg)
{
	struct sqlite_ckpt *k = arg;
	pthread_setname_np(pthread_self(), "tala-ckpt");
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(k->path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				 sqlite_vfs_name);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(h, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
	pthread_mutex_lock(&k->lock);
	if (rc != SQLITE_OK) {
		log_warn("sqlite: no checkpointer connection (%s); writers checkpoint themselves",
			 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		k->failed = true;
	}
	while (!k->stop && !k->failed) {
		if (!k->due) {
			pthread_cond_wait(&k->cond, &k->lock);
			continue;
		}
		k->due = false;
		pthread_mutex_unlock(&k->lock);
		rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("sqlite: checkpoint: %s", sqlite3_errmsg(h));
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	sqlite3_close(h);
	return NULL;
}

static int sqlite_wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct sqlite_ckpt *k = arg;
	if (pages < SQLITE_CKPT_PAGES)
		return SQLITE_OK;
	bool self = pages >= SQLITE_CKPT_INLINE;
	pthread_mutex_lock(&k->lock);
	if (!k->started && !k->failed && !k->stop) {
		k->started = pthread_create(&k->thread, NULL, sqlite_ckpt_main, k) == 0;
		k->failed = !k->started;
	}
	if (k->failed || k->stop) {
		self = true;
	} else {
		k->due = true;
		pthread_cond_signal(&k->cond);
	}
	pthread_mutex_unlock(&k->lock);
	if (self)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* The database's checkpointer, made by its first connection (db->lock taken here: connect
 * is never called with it held). */
static struct sqlite_ckpt *sqlite_ckpt_of(struct db *db, const char *path)
{
	pthread_mutex_lock(&db->lock);
	struct sqlite_ckpt *k = db->drv_state;
	if (!k) {
		k = xcalloc(1, sizeof(*k));
		pthread_mutex_init(&k->lock, NULL);
		pthread_cond_init(&k->cond, NULL);
		k->path = xstrdup(path);
		db->drv_state = k;
	}
	pthread_mutex_unlock(&db->lock);
	return k;
}

static void sqlite_close_db(struct db *db)
{
	struct sqlite_ckpt *k = db->drv_state;
	if (!k)
		return;
	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_cond_signal(&k->cond);
	bool started = k->started;
	pthread_mutex_unlock(&k->lock);
	if (started)
		pthread_join(k->thread, NULL);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k->path);
	free(k);
	db->drv_state = NULL;
}

/* Process-wide set-up before SQLite's first use: allocation statistics off — with them on (the
 * default) every sqlite3_malloc and sqlite3_free takes one global mutex, shared by the group
 * committer and every worker's connection, and tala never reads them; then the VFS that
 * gathers WAL writes (db_sqlite_vfs.c), which every connection opens its database with. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* SQLITE_MISUSE if already initialised */
	sqlite_vfs_name = db_sqlite_vfs();
	if (!sqlite_vfs_name)
		log_warn("sqlite: no WAL-gathering VFS; using the default one");
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static int sqlite_connect(struct db_conn *c, const char *url)
{
	pthread_once(&sqlite_once, sqlite_configure);
	const char *path = sqlite_path(url);
	if (!*path) {
		db_conn_set_error(c, DB_ERR_OTHER, "sqlite: empty path in database URL");
		return -1;
	}
	sqlite_make_parent(path);
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 sqlite_vfs_name);
	if (rc != SQLITE_OK) {
		db_conn_set_error(c, DB_ERR_OTHER, "sqlite: cannot open %s: %s", path,
				  h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return -1;
	}
	sqlite3_busy_timeout(h, 5000);
	char *msg = NULL;
	rc = sqlite3_exec(h,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			  "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" SQLITE_CACHE_KB ";",
			  NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		db_conn_set_error(c, DB_ERR_OTHER, "sqlite: %s: %s", path, msg ? msg : "pragma failed");
		sqlite3_free(msg);
		sqlite3_close(h);
		return -1;
	}
	sqlite3_wal_hook(h, sqlite_wal_hook, sqlite_ckpt_of(c->db, path));
	c->handle = h;
	return 0;
}

static void sqlite_disconnect(struct db_conn *c)
{
	sqlite3_close_v2(sqlite_handle(c));
	c->handle = NULL;
}

static int sqlite_status(struct db_conn *c, int rc)
{
	int primary = rc & 0xff;
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
		db_conn_set_error(c, DB_ERR_NONE, "sqlite: %s", sqlite3_errmsg(sqlite_handle(c)));
		return DB_SOFT_ERROR;
	}
	enum db_error_kind kind = DB_ERR_OTHER;
	if (primary == SQLITE_CONSTRAINT) {
		switch (rc) {
		case SQLITE_CONSTRAINT_UNIQUE:
		case SQLITE_CONSTRAINT_PRIMARYKEY:
			kind = DB_ERR_UNIQUE;
			break;
		case SQLITE_CONSTRAINT_FOREIGNKEY:
			kind = DB_ERR_FOREIGN;
			break;
		default:
			kind = DB_ERR_CHECK;
		}
	}
	db_conn_set_error(c, kind, "sqlite: %s", sqlite3_errmsg(sqlite_handle(c)));
	return DB_HARD_ERROR;
}

static int sqlite_simple(struct db_conn *c, const char *sql)
{
	int rc = sqlite3_exec(sqlite_handle(c), sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sqlite_status(c, sqlite3_extended_errcode(sqlite_handle(c)));
	return 0;
}

static int sqlite_begin(struct db_conn *c, bool write)
{
	return sqlite_simple(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static int sqlite_commit(struct db_conn *c)
{
	return sqlite_simple(c, "COMMIT");
}

static int sqlite_rollback(struct db_conn *c)
{
	if (sqlite3_get_autocommit(sqlite_handle(c)))
		return 0;
	return sqlite_simple(c, "ROLLBACK");
}

static struct db_stmt *sqlite_prepare(struct db_conn *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(sqlite_handle(c), sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		sqlite_status(c, rc);
		return NULL;
	}
	struct sqlite_stmt *s = xcalloc(1, sizeof(*s));
	s->st = st;
	return &s->base;
}

static struct sqlite_stmt *sqlite_stmt_of(struct db_stmt *s)
{
	return (struct sqlite_stmt *)s;
}

static void sqlite_finalize(struct db_stmt *s)
{
	sqlite3_finalize(sqlite_stmt_of(s)->st);
	free(s);
}

static void sqlite_reset(struct db_stmt *s)
{
	sqlite3_reset(sqlite_stmt_of(s)->st);
	sqlite3_clear_bindings(sqlite_stmt_of(s)->st);
	sqlite_stmt_of(s)->done = false;
}

static void sqlite_bind_int(struct db_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(sqlite_stmt_of(s)->st, idx, v);
}

static void sqlite_bind_text(struct db_stmt *s, int idx, const char *v)
{
	sqlite3_bind_text(sqlite_stmt_of(s)->st, idx, v, -1, SQLITE_TRANSIENT);
}

static void sqlite_bind_null(struct db_stmt *s, int idx)
{
	sqlite3_bind_null(sqlite_stmt_of(s)->st, idx);
}

static void sqlite_bind_double(struct db_stmt *s, int idx, double v)
{
	sqlite3_bind_double(sqlite_stmt_of(s)->st, idx, v);
}

static int sqlite_step(struct db_stmt *s)
{
	struct sqlite_stmt *ss = sqlite_stmt_of(s);
	if (ss->done)
		return DB_DONE;
	int rc = sqlite3_step(ss->st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		ss->done = true;
		return DB_DONE;
	}
	int status = sqlite_status(s->conn, sqlite3_extended_errcode(sqlite_handle(s->conn)));
	sqlite3_reset(ss->st);
	return status;
}

static int64_t sqlite_col_int(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(sqlite_stmt_of(s)->st, col);
}

static double sqlite_col_double(struct db_stmt *s, int col)
{
	return sqlite3_column_double(sqlite_stmt_of(s)->st, col);
}

static const char *sqlite_col_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(sqlite_stmt_of(s)->st, col);
}

static bool sqlite_col_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(sqlite_stmt_of(s)->st, col) == SQLITE_NULL;
}

static int64_t sqlite_changes(struct db_stmt *s)
{
	return sqlite3_changes64(sqlite_handle(s->conn));
}

static int64_t sqlite_last_insert_id(struct db_conn *c)
{
	return sqlite3_last_insert_rowid(sqlite_handle(c));
}

static int sqlite_exec_script(struct db_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sqlite_handle(c), sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int status = sqlite_status(c, sqlite3_extended_errcode(sqlite_handle(c)));
		if (msg)
			db_conn_set_error(c, c->err_kind, "sqlite: %s", msg);
		sqlite3_free(msg);
		return status;
	}
	return 0;
}

static int sqlite_backup(struct db_conn *c, const char *url, const char *path)
{
	(void)url;
	struct stat st;
	if (stat(path, &st) == 0) {
		db_conn_set_error(c, DB_ERR_OTHER, "backup: %s exists; choose a new file", path);
		return DB_HARD_ERROR;
	}
	sqlite3_stmt *st2 = NULL;
	int rc = sqlite3_prepare_v2(sqlite_handle(c), "VACUUM INTO ?", -1, &st2, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st2, 1, path, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st2);
	}
	int status = rc == SQLITE_DONE ? 0 : sqlite_status(c, sqlite3_extended_errcode(sqlite_handle(c)));
	sqlite3_finalize(st2);
	return status;
}

static bool sqlite_broken(struct db_conn *c)
{
	(void)c;
	return false;
}

const struct db_driver db_sqlite_driver = {
	.backend = DB_SQLITE,
	.name = "sqlite",
	.connect = sqlite_connect,
	.disconnect = sqlite_disconnect,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.reset = sqlite_reset,
	.bind_int = sqlite_bind_int,
	.bind_text = sqlite_bind_text,
	.bind_null = sqlite_bind_null,
	.bind_double = sqlite_bind_double,
	.step = sqlite_step,
	.col_int = sqlite_col_int,
	.col_double = sqlite_col_double,
	.col_text = sqlite_col_text,
	.col_is_null = sqlite_col_is_null,
	.changes = sqlite_changes,
	.last_insert_id = sqlite_last_insert_id,
	.exec_script = sqlite_exec_script,
	.backup = sqlite_backup,
	.broken = sqlite_broken,
	.close = sqlite_close_db,
};
