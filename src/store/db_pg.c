/* db_pg.c — the PostgreSQL driver of db.h (libpq). `?` placeholders become $1, $2 …;
 * statements are prepared once per connection; write transactions run SERIALIZABLE and
 * serialisation failures (40001) and deadlocks (40P01) are soft errors that db_tx_run retries. */
#include "store/db_internal.h"

#include "core/mem.h"

#include <errno.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

enum { PG_MAX_PARAMS = 64 };

struct pg_stmt {
	struct db_stmt base;
	char name[24];
	int nparams;
	char *params[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
	int64_t changes;
	bool executed;
};

struct pg_conn {
	PGconn *pg;
	unsigned next_stmt;
};

static struct pg_conn *pg_of(struct db_conn *c)
{
	return c->handle;
}

static struct pg_stmt *pg_stmt_of(struct db_stmt *s)
{
	return (struct pg_stmt *)s;
}

static int pg_connect(struct db_conn *c, const char *url)
{
	PGconn *pg = PQconnectdb(url);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		const char *m = pg ? PQerrorMessage(pg) : "out of memory";
		db_conn_set_error(c, DB_ERR_OTHER, "postgres: cannot connect: %.*s",
				  (int)strcspn(m, "\n"), m);
		PQfinish(pg);
		return -1;
	}
	PGresult *r = PQexec(pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
	PQclear(r);
	struct pg_conn *pc = xcalloc(1, sizeof(*pc));
	pc->pg = pg;
	c->handle = pc;
	return 0;
}

static void pg_disconnect(struct db_conn *c)
{
	struct pg_conn *pc = pg_of(c);
	PQfinish(pc->pg);
	free(pc);
	c->handle = NULL;
}

/* Maps a failed result to a db status and sets the connection's error. */
static int pg_status(struct db_conn *c, PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(pg_of(c)->pg);
	int len = (int)strcspn(msg, "\n");
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)) {
		db_conn_set_error(c, DB_ERR_NONE, "postgres: %.*s", len, msg);
		return DB_SOFT_ERROR;
	}
	enum db_error_kind kind = DB_ERR_OTHER;
	if (state && strcmp(state, "23505") == 0)
		kind = DB_ERR_UNIQUE;
	else if (state && strcmp(state, "23503") == 0)
		kind = DB_ERR_FOREIGN;
	else if (state && (strcmp(state, "23502") == 0 || strcmp(state, "23514") == 0))
		kind = DB_ERR_CHECK;
	db_conn_set_error(c, kind, "postgres: %s: %.*s", state ? state : "?", len, msg);
	return DB_HARD_ERROR;
}

static int pg_simple(struct db_conn *c, const char *sql)
{
	PGresult *r = PQexec(pg_of(c)->pg, sql);
	int rc = 0;
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_status(c, r);
	PQclear(r);
	return rc;
}

static int pg_begin(struct db_conn *c, bool write)
{
	return pg_simple(c, write ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
				  : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static int pg_commit(struct db_conn *c)
{
	return pg_simple(c, "COMMIT");
}

static int pg_rollback(struct db_conn *c)
{
	if (PQtransactionStatus(pg_of(c)->pg) == PQTRANS_IDLE)
		return 0;
	return pg_simple(c, "ROLLBACK");
}

/* Rewrites ? placeholders to $n outside quotes; returns the new text and the count. */
static char *pg_rewrite(const char *sql, int *nparams)
{
	size_t len = strlen(sql);
	char *out = xmalloc(len * 4 + 1);
	size_t o = 0;
	int n = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			out[o++] = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			out[o++] = *p;
		} else if (*p == '?') {
			o += (size_t)snprintf(out + o, 8, "$%d", ++n);
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	*nparams = n;
	return out;
}

static struct db_stmt *pg_prepare(struct db_conn *c, const char *sql)
{
	struct pg_conn *pc = pg_of(c);
	int n = 0;
	char *text = pg_rewrite(sql, &n);
	if (n > PG_MAX_PARAMS) {
		db_conn_set_error(c, DB_ERR_OTHER, "postgres: more than %d parameters", PG_MAX_PARAMS);
		free(text);
		return NULL;
	}
	struct pg_stmt *s = xcalloc(1, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "t%u", pc->next_stmt++);
	s->nparams = n;
	PGresult *r = PQprepare(pc->pg, s->name, text, 0, NULL);
	free(text);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_status(c, r);
		PQclear(r);
		free(s);
		return NULL;
	}
	PQclear(r);
	return &s->base;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = pg_stmt_of(st);
	for (int i = 0; i < s->nparams; i++) {
		free(s->params[i]);
		s->params[i] = NULL;
	}
	PQclear(s->res);
	s->res = NULL;
	s->executed = false;
	s->row = -1;
	s->nrows = 0;
	s->changes = 0;
}

static void pg_finalize(struct db_stmt *st)
{
	pg_reset(st);
	free(st);
}

static void pg_set_param(struct db_stmt *st, int idx, char *v)
{
	struct pg_stmt *s = pg_stmt_of(st);
	if (idx < 1 || idx > s->nparams) {
		free(v);
		return;
	}
	free(s->params[idx - 1]);
	s->params[idx - 1] = v;
}

static void pg_bind_int(struct db_stmt *s, int idx, int64_t v)
{
	pg_set_param(s, idx, xasprintf("%lld", (long long)v));
}

static void pg_bind_text(struct db_stmt *s, int idx, const char *v)
{
	pg_set_param(s, idx, xstrdup(v));
}

static void pg_bind_null(struct db_stmt *s, int idx)
{
	pg_set_param(s, idx, NULL);
}

static void pg_bind_double(struct db_stmt *s, int idx, double v)
{
	pg_set_param(s, idx, xasprintf("%.17g", v));
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = pg_stmt_of(st);
	if (!s->executed) {
		s->executed = true;
		s->res = PQexecPrepared(pg_of(st->conn)->pg, s->name, s->nparams,
					(const char *const *)s->params, NULL, NULL, 0);
		ExecStatusType es = PQresultStatus(s->res);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
			int rc = pg_status(st->conn, s->res);
			PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		s->nrows = es == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		const char *t = PQcmdTuples(s->res);
		s->changes = t && *t ? strtoll(t, NULL, 10) : 0;
		s->row = -1;
	}
	if (!s->res)
		return DB_DONE;
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	struct pg_stmt *s = pg_stmt_of(st);
	if (!s->res || s->row < 0 || s->row >= s->nrows || col >= PQnfields(s->res))
		return NULL;
	if (PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_col_int(struct db_stmt *s, int col)
{
	const char *v = pg_col_text(s, col);
	if (!v)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1; /* boolean */
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *s, int col)
{
	const char *v = pg_col_text(s, col);
	return v ? strtod(v, NULL) : 0.0;
}

static bool pg_col_is_null(struct db_stmt *s, int col)
{
	return pg_col_text(s, col) == NULL;
}

static int64_t pg_changes(struct db_stmt *s)
{
	return pg_stmt_of(s)->changes;
}

static int pg_exec_script(struct db_conn *c, const char *sql)
{
	return pg_simple(c, sql);
}

static int pg_backup(struct db_conn *c, const char *url, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		db_conn_set_error(c, DB_ERR_OTHER, "backup: %s exists; choose a new file", path);
		return DB_HARD_ERROR;
	}
	char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--file", (char *)path,
			"--dbname", (char *)url, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, environ);
	if (rc != 0) {
		db_conn_set_error(c, DB_ERR_OTHER, "backup: cannot run pg_dump: %s", strerror(rc));
		return DB_HARD_ERROR;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		db_conn_set_error(c, DB_ERR_OTHER, "backup: pg_dump failed (status %d)", status);
		return DB_HARD_ERROR;
	}
	return 0;
}

static bool pg_broken(struct db_conn *c)
{
	return PQstatus(pg_of(c)->pg) != CONNECTION_OK;
}

const struct db_driver db_pg_driver = {
	.backend = DB_POSTGRES,
	.name = "postgres",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.bind_double = pg_bind_double,
	.step = pg_step,
	.col_int = pg_col_int,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.col_is_null = pg_col_is_null,
	.changes = pg_changes,
	.exec_script = pg_exec_script,
	.backup = pg_backup,
	.broken = pg_broken,
};
