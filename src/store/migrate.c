/* migrate.c — numbered migrations, each applied once in its own transaction and recorded
 * in schema_versions. */
#include "store/db_internal.h"

#include "core/clock.h"
#include "core/log.h"

#include <stdio.h>

static const char SQL_VERSIONS_CREATE[] =
	"CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER PRIMARY KEY, "
	"name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
static const char SQL_VERSION_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_versions";
static const char SQL_VERSION_HAS[] = "SELECT COUNT(*) FROM schema_versions WHERE version = ?";
static const char SQL_VERSION_ADD[] =
	"INSERT INTO schema_versions (version, name, applied_at) VALUES (?, ?, ?)";

struct migrate_step {
	const struct db_migration *m;
	bool applied;
};

static int migrate_create(struct db_conn *c, void *ctx)
{
	(void)ctx;
	return db_exec_script(c, SQL_VERSIONS_CREATE);
}

static int migrate_apply(struct db_conn *c, void *ctx)
{
	struct migrate_step *step = ctx;
	int64_t n = 0;
	int rc = db_query_int(c, &n, SQL_VERSION_HAS, "i", (int64_t)step->m->version);
	if (rc < 0)
		return rc;
	if (n > 0)
		return 0; /* another node applied it first */
	rc = db_exec_script(c, step->m->sql);
	if (rc < 0)
		return rc;
	rc = db_exec(c, SQL_VERSION_ADD, "iti", (int64_t)step->m->version, step->m->name,
		     clock_now_ms());
	if (rc < 0)
		return rc;
	step->applied = true;
	return 0;
}

static int migrate_read_version(struct db_conn *c, void *ctx)
{
	int64_t *v = ctx;
	return db_query_int(c, v, SQL_VERSION_MAX, "");
}

int db_schema_latest(void)
{
	int v = 0;
	for (int i = 0; i < db_migrations_count; i++)
		if (db_migrations[i].version > v)
			v = db_migrations[i].version;
	return v;
}

int db_schema_version(struct db *db)
{
	int64_t v = 0;
	if (db_read_run(db, migrate_read_version, &v) < 0)
		return -1;
	return (int)v;
}

int db_migrate(struct db *db, char *err, size_t errlen)
{
	int rc = db_tx_run(db, migrate_create, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create schema_versions");
		return rc;
	}
	int wanted = db->drv->backend == DB_SQLITE ? 1 : 2;
	for (int i = 0; i < db_migrations_count; i++) {
		const struct db_migration *m = &db_migrations[i];
		if (m->dialect != 0 && m->dialect != wanted)
			continue;
		struct migrate_step step = {.m = m};
		rc = db_tx_run(db, migrate_apply, &step);
		if (rc < 0) {
			snprintf(err, errlen, "migration %04d_%s failed (see the log above)", m->version,
				 m->name);
			return rc;
		}
		if (step.applied)
			log_info("migrate: applied %04d_%s", m->version, m->name);
	}
	return 0;
}
