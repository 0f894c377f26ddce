/* db.c — the backend-independent half of db.h: the connection pool, the statement cache,
 * transactions with retries, and the exec helpers. */
#include "store/db_internal.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { DB_TX_RETRIES = 12 };

void db_conn_set_error(struct db_conn *c, enum db_error_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->err_kind = kind;
}

struct db *db_open(const char *url, int pool_size, char *err, size_t errlen)
{
	const struct db_driver *drv = NULL;
	if (strncmp(url, "sqlite:", 7) == 0)
		drv = &db_sqlite_driver;
	else if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		drv = &db_pg_driver;
	if (!drv) {
		snprintf(err, errlen, "database URL must start with sqlite: or postgres:// (got '%s')",
			 url);
		return NULL;
	}
	if (pool_size < 1)
		pool_size = 1;
	struct db *db = xcalloc(1, sizeof(*db));
	db->drv = drv;
	db->url = xstrdup(url);
	db->pool_size = pool_size;
	db->conns = xcalloc((size_t)pool_size, sizeof(struct db_conn));
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->free_cond, NULL);
	for (int i = 0; i < pool_size; i++)
		db->conns[i].db = db;
	/* Open one connection now so a bad URL fails at start, not at the first request. */
	struct db_conn *c = &db->conns[0];
	if (drv->connect(c, url) < 0) {
		snprintf(err, errlen, "%s", c->err);
		db_close(db);
		return NULL;
	}
	c->open = true;
	return db;
}

/* Resets every statement used in the transaction that just ended, so none keeps a read
 * snapshot (SQLite) or a result (PostgreSQL) alive past it. */
static void db_release_stmts(struct db_conn *c)
{
	for (size_t i = 0; i < c->nused; i++) {
		c->db->drv->reset(c->used[i]);
		c->used[i]->used = false;
	}
	c->nused = 0;
}

static void db_mark_used(struct db_conn *c, struct db_stmt *s)
{
	if (s->used)
		return;
	if (c->nused == c->cap_used) {
		c->cap_used = c->cap_used ? c->cap_used * 2 : 16;
		c->used = xrealloc(c->used, c->cap_used * sizeof(*c->used));
	}
	c->used[c->nused++] = s;
	s->used = true;
}

static void db_cache_clear(struct db_conn *c)
{
	for (size_t i = 0; i < c->cache_cap; i++)
		if (c->cache[i].stmt)
			c->db->drv->finalize(c->cache[i].stmt);
	free(c->cache);
	c->cache = NULL;
	c->cache_cap = c->cache_len = 0;
	free(c->used);
	c->used = NULL;
	c->nused = c->cap_used = 0;
}

static void db_conn_shut(struct db_conn *c)
{
	if (!c->open)
		return;
	db_cache_clear(c);
	c->db->drv->disconnect(c);
	c->open = false;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->drv->close)
		db->drv->close(db);
	for (int i = 0; i < db->pool_size; i++)
		db_conn_shut(&db->conns[i]);
	pthread_mutex_destroy(&db->lock);
	pthread_cond_destroy(&db->free_cond);
	free(db->conns);
	free(db->url);
	free(db);
}

enum db_backend db_backend(const struct db *db)
{
	return db->drv->backend;
}

const char *db_backend_name(const struct db *db)
{
	return db->drv->name;
}

enum db_backend db_conn_backend(const struct db_conn *c)
{
	return c->db->drv->backend;
}

const char *db_conn_error(const struct db_conn *c)
{
	return c->err;
}

enum db_error_kind db_conn_error_kind(const struct db_conn *c)
{
	return c->err_kind;
}

/* Takes a free connection from the pool, opening it if needed; NULL if it cannot open. */
static struct db_conn *db_acquire(struct db *db)
{
	pthread_mutex_lock(&db->lock);
	struct db_conn *c = NULL;
	for (;;) {
		for (int i = 0; i < db->pool_size && !c; i++)
			if (!db->conns[i].in_use && db->conns[i].open)
				c = &db->conns[i];
		for (int i = 0; i < db->pool_size && !c; i++)
			if (!db->conns[i].in_use)
				c = &db->conns[i];
		if (c)
			break;
		pthread_cond_wait(&db->free_cond, &db->lock);
	}
	c->in_use = true;
	pthread_mutex_unlock(&db->lock);
	if (c->open && db->drv->broken(c)) {
		log_warn("db: connection lost, reconnecting");
		db_conn_shut(c);
	}
	if (!c->open) {
		if (db->drv->connect(c, db->url) < 0) {
			log_error("db: cannot connect: %s", c->err);
			pthread_mutex_lock(&db->lock);
			c->in_use = false;
			pthread_cond_signal(&db->free_cond);
			pthread_mutex_unlock(&db->lock);
			return NULL;
		}
		c->open = true;
	}
	c->err[0] = '\0';
	c->err_kind = DB_ERR_NONE;
	return c;
}

static void db_release(struct db_conn *c)
{
	struct db *db = c->db;
	pthread_mutex_lock(&db->lock);
	c->in_use = false;
	pthread_cond_signal(&db->free_cond);
	pthread_mutex_unlock(&db->lock);
}

static void db_backoff(int attempt)
{
	/* 1, 2, 4 … ms, capped at 64 ms, plus jitter from the clock. */
	int64_t ms = (int64_t)1 << (attempt < 6 ? attempt : 6);
	ms += clock_mono_ms() % 3;
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
	nanosleep(&ts, NULL);
}

static int db_run(struct db *db, db_tx_fn fn, void *ctx, bool write)
{
	struct db_conn *c = db_acquire(db);
	if (!c)
		return DB_HARD_ERROR;
	int rc = DB_HARD_ERROR;
	for (int attempt = 0; attempt < DB_TX_RETRIES; attempt++) {
		rc = db->drv->begin(c, write);
		if (rc == DB_SOFT_ERROR) {
			db_backoff(attempt);
			continue;
		}
		if (rc < 0)
			break;
		rc = fn(c, ctx);
		db_release_stmts(c);
		if (rc < 0) {
			db->drv->rollback(c);
			if (rc == DB_SOFT_ERROR) {
				db_backoff(attempt);
				continue;
			}
			break;
		}
		int crc = db->drv->commit(c);
		if (crc == DB_SOFT_ERROR) {
			db->drv->rollback(c);
			rc = DB_SOFT_ERROR;
			db_backoff(attempt);
			continue;
		}
		if (crc < 0) {
			db->drv->rollback(c);
			rc = crc;
		}
		break;
	}
	if (rc == DB_SOFT_ERROR)
		log_warn("db: transaction gave up after %d retries: %s", DB_TX_RETRIES, c->err);
	else if (rc == DB_HARD_ERROR && c->err[0])
		log_error("db: %s", c->err);
	db_release(c);
	return rc;
}

int db_tx_run(struct db *db, db_tx_fn fn, void *ctx)
{
	return db_run(db, fn, ctx, true);
}

int db_read_run(struct db *db, db_tx_fn fn, void *ctx)
{
	return db_run(db, fn, ctx, false);
}

static size_t db_cache_hash(const char *sql, size_t cap)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 7) & (cap - 1);
}

static void db_cache_put(struct db_conn *c, const char *sql, struct db_stmt *s)
{
	if ((c->cache_len + 1) * 2 > c->cache_cap) {
		size_t cap = c->cache_cap ? c->cache_cap * 2 : 64;
		struct db_cache_slot *old = c->cache;
		size_t old_cap = c->cache_cap;
		c->cache = xcalloc(cap, sizeof(*c->cache));
		c->cache_cap = cap;
		c->cache_len = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].sql)
				db_cache_put(c, old[i].sql, old[i].stmt);
		free(old);
	}
	size_t i = db_cache_hash(sql, c->cache_cap);
	while (c->cache[i].sql)
		i = (i + 1) & (c->cache_cap - 1);
	c->cache[i].sql = sql;
	c->cache[i].stmt = s;
	c->cache_len++;
}

struct db_stmt *db_prepare(struct db_conn *c, const char *sql)
{
	if (c->cache_cap) {
		size_t i = db_cache_hash(sql, c->cache_cap);
		while (c->cache[i].sql) {
			if (c->cache[i].sql == sql) {
				struct db_stmt *s = c->cache[i].stmt;
				c->db->drv->reset(s);
				db_mark_used(c, s);
				return s;
			}
			i = (i + 1) & (c->cache_cap - 1);
		}
	}
	struct db_stmt *s = c->db->drv->prepare(c, sql);
	if (!s) {
		log_error("db: prepare failed: %s: %.200s", c->err, sql);
		return NULL;
	}
	s->conn = c;
	s->sql = sql;
	db_cache_put(c, sql, s);
	db_mark_used(c, s);
	return s;
}

void db_bind_int(struct db_stmt *s, int idx, int64_t v)
{
	s->conn->db->drv->bind_int(s, idx, v);
}

void db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	if (!v)
		s->conn->db->drv->bind_null(s, idx);
	else
		s->conn->db->drv->bind_text(s, idx, v);
}

void db_bind_null(struct db_stmt *s, int idx)
{
	s->conn->db->drv->bind_null(s, idx);
}

void db_bind_double(struct db_stmt *s, int idx, double v)
{
	s->conn->db->drv->bind_double(s, idx, v);
}

int db_step(struct db_stmt *s)
{
	return s->conn->db->drv->step(s);
}

int64_t db_col_int(struct db_stmt *s, int col)
{
	return s->conn->db->drv->col_int(s, col);
}

double db_col_double(struct db_stmt *s, int col)
{
	return s->conn->db->drv->col_double(s, col);
}

const char *db_col_text(struct db_stmt *s, int col)
{
	return s->conn->db->drv->col_text(s, col);
}

bool db_col_is_null(struct db_stmt *s, int col)
{
	return s->conn->db->drv->col_is_null(s, col);
}

int64_t db_changes(struct db_stmt *s)
{
	return s->conn->db->drv->changes(s);
}

int64_t db_last_insert_id(struct db_conn *c)
{
	if (!c->db->drv->last_insert_id)
		abort(); /* a caller's bug: only the SQLite variant of a statement asks */
	return c->db->drv->last_insert_id(c);
}

static void db_bind_va(struct db_stmt *s, const char *fmt, va_list ap)
{
	int idx = 1;
	for (const char *f = fmt; f && *f; f++, idx++) {
		switch (*f) {
		case 'i':
			db_bind_int(s, idx, va_arg(ap, int64_t));
			break;
		case 't':
			db_bind_text(s, idx, va_arg(ap, const char *));
			break;
		case 'd':
			db_bind_double(s, idx, va_arg(ap, double));
			break;
		case 'n':
			db_bind_null(s, idx);
			break;
		default:
			log_error("db: bad bind format '%c'", *f);
			abort();
		}
	}
}

int db_exec(struct db_conn *c, const char *sql, const char *fmt, ...)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	va_list ap;
	va_start(ap, fmt);
	db_bind_va(s, fmt, ap);
	va_end(ap);
	int rc;
	do {
		rc = db_step(s);
	} while (rc == DB_ROW);
	if (rc < 0)
		return rc;
	int64_t n = db_changes(s);
	return n > 1000000000 ? 1000000000 : (int)n;
}

int db_query_int(struct db_conn *c, int64_t *out, const char *sql, const char *fmt, ...)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	va_list ap;
	va_start(ap, fmt);
	db_bind_va(s, fmt, ap);
	va_end(ap);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*out = db_col_int(s, 0);
		/* Drain so a write with RETURNING completes. */
		int rc2;
		do {
			rc2 = db_step(s);
		} while (rc2 == DB_ROW);
		if (rc2 < 0)
			return rc2;
	}
	return rc;
}

int db_query_ints(struct db_conn *c, int64_t *out, int max, const char *sql, const char *fmt,
		  ...)
{
	struct db_stmt *s = db_prepare(c, sql);
	if (!s)
		return DB_HARD_ERROR;
	va_list ap;
	va_start(ap, fmt);
	db_bind_va(s, fmt, ap);
	va_end(ap);
	int n = 0, rc;
	while ((rc = db_step(s)) == DB_ROW && n < max)
		out[n++] = db_col_int(s, 0);
	return rc < 0 ? rc : n;
}

int db_exec_script(struct db_conn *c, const char *sql)
{
	return c->db->drv->exec_script(c, sql);
}

int db_backup(struct db *db, const char *path, char *err, size_t errlen)
{
	struct db_conn *c = db_acquire(db);
	if (!c) {
		snprintf(err, errlen, "cannot connect to the database");
		return DB_HARD_ERROR;
	}
	int rc = db->drv->backup(c, db->url, path);
	if (rc < 0)
		snprintf(err, errlen, "%s", c->err);
	db_release(c);
	return rc;
}
