/* db.h — the one SQL API of Tala, over SQLite (default) and PostgreSQL (libpq).
 *
 * SQL is written once with `?` placeholders in the subset both dialects share; the
 * PostgreSQL driver rewrites the placeholders. Statements are prepared once per connection
 * and cached by their SQL text's address, so pass string literals (or other SQL whose
 * storage outlives the connection).
 *
 * Every write runs inside db_tx_run(), which retries soft errors (SQLITE_BUSY, PG 40001
 * and 40P01) and commits before it returns. Reads run in db_read_run().
 *
 * Times are epoch milliseconds (BIGINT) in both dialects; see docs/db.md. */
#ifndef TALA_DB_H
#define TALA_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The status every database call returns. Values >= 0 are a row count (or DB_DONE). */
enum db_status {
	DB_HARD_ERROR = -2, /* a bug, a broken connection, a constraint the caller did not expect */
	DB_SOFT_ERROR = -1, /* serialisation failure or busy: the transaction may be retried */
	DB_DONE = 0,        /* no (more) rows */
	DB_ROW = 1,         /* db_step: a row is ready */
};

/* A constraint violation is reported as DB_HARD_ERROR with db_conn_error_kind() set. */
enum db_error_kind {
	DB_ERR_NONE = 0,
	DB_ERR_UNIQUE,  /* unique or primary key violated */
	DB_ERR_FOREIGN, /* foreign key violated */
	DB_ERR_CHECK,   /* check or not-null violated */
	DB_ERR_OTHER,
};

enum db_backend {
	DB_SQLITE,
	DB_POSTGRES,
};

struct db;      /* a database: a pool of connections */
struct db_conn; /* one connection, owned by one thread at a time */
struct db_stmt; /* a prepared statement on one connection */

/* Opens the database named by url: "sqlite:PATH" or "postgres://…" / "postgresql://…".
 * pool_size connections are opened lazily. Returns NULL and writes a message to err. */
struct db *db_open(const char *url, int pool_size, char *err, size_t errlen);
void db_close(struct db *db);
enum db_backend db_backend(const struct db *db);
/* "sqlite" or "postgres" */
const char *db_backend_name(const struct db *db);

typedef int (*db_tx_fn)(struct db_conn *c, void *ctx);

/* Runs fn in a write transaction (SQLite: BEGIN IMMEDIATE), commits, and retries the whole
 * transaction on DB_SOFT_ERROR (a bounded number of times, with backoff). fn returns < 0 to
 * roll back: that value is returned as is (callers may use their own negative codes below
 * DB_HARD_ERROR). Returns fn's non-negative value after a successful commit. */
int db_tx_run(struct db *db, db_tx_fn fn, void *ctx);
/* Runs fn in a read-only snapshot (no commit needed); same return convention. */
int db_read_run(struct db *db, db_tx_fn fn, void *ctx);

/* Returns the backend of the connection, so a store function can pick a dialect variant. */
enum db_backend db_conn_backend(const struct db_conn *c);
/* The last error message on this connection ("" when none), owned by the connection. */
const char *db_conn_error(const struct db_conn *c);
enum db_error_kind db_conn_error_kind(const struct db_conn *c);

/* Returns the cached prepared statement for sql on c (preparing it on first use), reset
 * and with no parameters bound; NULL on error. The statement belongs to the connection. */
struct db_stmt *db_prepare(struct db_conn *c, const char *sql);

/* Binds parameter idx (1-based). Text is copied. A NULL text binds SQL NULL. */
void db_bind_int(struct db_stmt *s, int idx, int64_t v);
void db_bind_text(struct db_stmt *s, int idx, const char *v);
void db_bind_null(struct db_stmt *s, int idx);
void db_bind_double(struct db_stmt *s, int idx, double v);

/* Advances: DB_ROW while rows remain, then DB_DONE; or an error status. */
int db_step(struct db_stmt *s);
/* Columns of the current row (0-based). Text stays valid until the next step or reset. */
int64_t db_col_int(struct db_stmt *s, int col);
double db_col_double(struct db_stmt *s, int col);
const char *db_col_text(struct db_stmt *s, int col); /* NULL for SQL NULL */
bool db_col_is_null(struct db_stmt *s, int col);
/* Rows changed by the last completed write statement. */
int64_t db_changes(struct db_stmt *s);
/* SQLite only (aborts on PostgreSQL): the rowid of the row the connection's last INSERT
 * added. For hot INSERTs that skip RETURNING, whose result table costs SQLite about a third
 * of a small insert; check db_changes first — an INSERT that added nothing leaves it as it was. */
int64_t db_last_insert_id(struct db_conn *c);

/* Runs a statement that returns no rows: prepare, bind via fmt, step to the end.
 * fmt has one letter per parameter: i (int64_t), t (const char *, NULL = SQL NULL),
 * d (double), n (null, no argument). Returns rows changed (>= 0) or an error status. */
int db_exec(struct db_conn *c, const char *sql, const char *fmt, ...);
/* Like db_exec for a query that returns at most one row with one integer column
 * (for example INSERT … RETURNING id). Writes it to *out. Returns DB_ROW, DB_DONE or an
 * error status. */
int db_query_int(struct db_conn *c, int64_t *out, const char *sql, const char *fmt, ...);

/* Like db_query_int for a query with one integer column and many rows: writes up to max
 * values to out. Returns how many (>= 0) or an error status. */
int db_query_ints(struct db_conn *c, int64_t *out, int max, const char *sql, const char *fmt,
		  ...);

/* Runs a script of several statements without parameters (migrations). */
int db_exec_script(struct db_conn *c, const char *sql);

/* Applies every migration not yet recorded in schema_versions, each in its own
 * transaction. Returns 0 or a negative status; writes a message to err. */
int db_migrate(struct db *db, char *err, size_t errlen);
/* Latest migration number compiled in, and the number applied to this database. */
int db_schema_latest(void);
int db_schema_version(struct db *db);

/* Copies a consistent snapshot of the database to path (SQLite: VACUUM INTO; PostgreSQL:
 * pg_dump). Returns 0 or a negative status; writes a message to err. */
int db_backup(struct db *db, const char *path, char *err, size_t errlen);

#endif
