/* db_internal.h — what db.c shares with the SQLite and PostgreSQL drivers. Not for modules. */
#ifndef TALA_DB_INTERNAL_H
#define TALA_DB_INTERNAL_H

#include "store/db.h"

#include <pthread.h>

/* Every driver's statement starts with this header. */
struct db_stmt {
	struct db_conn *conn;
	const char *sql; /* the cache key: the caller's SQL text */
	bool used;       /* handed out in the current transaction; reset when it ends */
};

struct db_driver {
	enum db_backend backend;
	const char *name;
	/* Opens c->handle for url; returns 0 or -1 with c->err set. */
	int (*connect)(struct db_conn *c, const char *url);
	void (*disconnect)(struct db_conn *c);
	/* Runs BEGIN (write: BEGIN IMMEDIATE / SERIALIZABLE), COMMIT or ROLLBACK. */
	int (*begin)(struct db_conn *c, bool write);
	int (*commit)(struct db_conn *c);
	int (*rollback)(struct db_conn *c);
	struct db_stmt *(*prepare)(struct db_conn *c, const char *sql);
	void (*finalize)(struct db_stmt *s);
	void (*reset)(struct db_stmt *s);
	void (*bind_int)(struct db_stmt *s, int idx, int64_t v);
	void (*bind_text)(struct db_stmt *s, int idx, const char *v);
	void (*bind_null)(struct db_stmt *s, int idx);
	void (*bind_double)(struct db_stmt *s, int idx, double v);
	int (*step)(struct db_stmt *s);
	int64_t (*col_int)(struct db_stmt *s, int col);
	double (*col_double)(struct db_stmt *s, int col);
	const char *(*col_text)(struct db_stmt *s, int col);
	bool (*col_is_null)(struct db_stmt *s, int col);
	int64_t (*changes)(struct db_stmt *s);
	int64_t (*last_insert_id)(struct db_conn *c); /* SQLite only; NULL elsewhere */
	int (*exec_script)(struct db_conn *c, const char *sql);
	/* Writes a snapshot of the database to path. */
	int (*backup)(struct db_conn *c, const char *url, const char *path);
	/* True when the connection is lost and must be reopened. */
	bool (*broken)(struct db_conn *c);
	/* Optional: frees what the driver keeps per database (db->drv_state, e.g. a thread);
	 * called by db_close before the connections close. */
	void (*close)(struct db *db);
};

struct db_cache_slot {
	const char *sql;
	struct db_stmt *stmt;
};

struct db_conn {
	struct db *db;
	void *handle;
	bool open, in_use;
	char err[512];
	enum db_error_kind err_kind;
	struct db_cache_slot *cache; /* open addressing, keyed by SQL address */
	size_t cache_cap, cache_len;
	struct db_stmt **used; /* statements handed out in the current transaction */
	size_t nused, cap_used;
};

struct db {
	const struct db_driver *drv;
	char *url;
	pthread_mutex_t lock;
	pthread_cond_t free_cond;
	int pool_size;
	struct db_conn *conns;
	void *drv_state; /* the driver's, set under lock; freed by drv->close */
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

/* Sets c->err (printf-style) and the error kind. */
void db_conn_set_error(struct db_conn *c, enum db_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Registers (once; not thread-safe: db_sqlite.c calls it under pthread_once) the SQLite VFS
 * that gathers a WAL file's writes into one write per commit (db_sqlite_vfs.c) and returns
 * its name, or NULL if it could not be registered (connections then use the default VFS). */
const char *db_sqlite_vfs(void);

/* The migrations compiled in (generated from src/store/migrations/ by scripts/embed_sql.py). */
struct db_migration {
	int version;
	const char *name;
	int dialect; /* 0: both, 1: SQLite only, 2: PostgreSQL only */
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const int db_migrations_count;

#endif
