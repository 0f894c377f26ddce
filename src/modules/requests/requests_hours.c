/* requests_hours.c — volunteers' service hours on an append-only double-entry ledger:
 * "pool:<node>" → "vol:<volunteer>", in minutes. The database refuses UPDATE and DELETE on
 * hours_transfers; hours_balances is a cache that requests_hours_check() recomputes. */
#include "modules/requests/requests.h"

#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char SQL_INSERT[] =
	"INSERT INTO hours_transfers (county_id, debit, credit, minutes, order_id, signup_id, "
	"created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_MOVE[] =
	"INSERT INTO hours_balances (account, county_id, minutes) VALUES (?, ?, ?) "
	"ON CONFLICT (account) DO UPDATE SET minutes = hours_balances.minutes + excluded.minutes";
static const char SQL_BALANCE[] = "SELECT minutes FROM hours_balances WHERE account = ?";
static const char SQL_SUMS[] =
	"SELECT account, SUM(m) FROM (SELECT credit AS account, minutes AS m FROM hours_transfers "
	"UNION ALL SELECT debit, -minutes FROM hours_transfers) t GROUP BY account ORDER BY account";
static const char SQL_CACHE[] = "SELECT account, minutes FROM hours_balances ORDER BY account";

int requests_hours_credit(struct db_conn *c, int64_t county_id, int64_t node_id, int64_t vol,
			  int64_t minutes, int64_t order_id, int64_t signup_id, int64_t now_ms)
{
	if (minutes <= 0)
		return 0;
	char pool[32], acct[32];
	snprintf(pool, sizeof(pool), "pool:%lld", (long long)node_id);
	snprintf(acct, sizeof(acct), "vol:%lld", (long long)vol);
	struct db_stmt *s = db_prepare(c, SQL_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, county_id);
	db_bind_text(s, 2, pool);
	db_bind_text(s, 3, acct);
	db_bind_int(s, 4, minutes);
	if (order_id)
		db_bind_int(s, 5, order_id);
	else
		db_bind_null(s, 5);
	if (signup_id)
		db_bind_int(s, 6, signup_id);
	else
		db_bind_null(s, 6);
	db_bind_int(s, 7, now_ms);
	int rc = db_step(s);
	if (rc < 0)
		return rc;
	rc = db_exec(c, SQL_MOVE, "tii", pool, county_id, -minutes);
	if (rc < 0)
		return rc;
	rc = db_exec(c, SQL_MOVE, "tii", acct, county_id, minutes);
	return rc < 0 ? rc : 0;
}

int requests_hours_balance(struct db_conn *c, int64_t vol, int64_t *minutes)
{
	char acct[32];
	snprintf(acct, sizeof(acct), "vol:%lld", (long long)vol);
	*minutes = 0;
	int rc = db_query_int(c, minutes, SQL_BALANCE, "t", acct);
	return rc < 0 ? rc : 0;
}

struct hours_check {
	FILE *out;
	int faults;
};

static int hours_check_tx(struct db_conn *c, void *ctx)
{
	struct hours_check *h = ctx;
	/* Both lists are ordered by account: walk them side by side. */
	struct db_stmt *a = db_prepare(c, SQL_SUMS);
	struct db_stmt *b = db_prepare(c, SQL_CACHE);
	if (!a || !b)
		return DB_HARD_ERROR;
	int ra = db_step(a), rb = db_step(b);
	while (ra == DB_ROW || rb == DB_ROW) {
		int cmp = ra != DB_ROW ? 1 : rb != DB_ROW ? -1
							  : strcmp(db_col_text(a, 0), db_col_text(b, 0));
		if (cmp == 0) {
			if (db_col_int(a, 1) != db_col_int(b, 1)) {
				fprintf(h->out, "hours: %s: balance says %lld minutes, the ledger %lld\n",
					db_col_text(b, 0), (long long)db_col_int(b, 1),
					(long long)db_col_int(a, 1));
				h->faults++;
			}
			if (strncmp(db_col_text(a, 0), "vol:", 4) == 0 && db_col_int(a, 1) < 0) {
				fprintf(h->out, "hours: %s is below zero\n", db_col_text(a, 0));
				h->faults++;
			}
			ra = db_step(a);
			rb = db_step(b);
		} else if (cmp < 0) {
			fprintf(h->out, "hours: %s has transfers but no balance\n", db_col_text(a, 0));
			h->faults++;
			ra = db_step(a);
		} else {
			if (db_col_int(b, 1) != 0) {
				fprintf(h->out, "hours: %s has a balance but no transfers\n",
					db_col_text(b, 0));
				h->faults++;
			}
			rb = db_step(b);
		}
	}
	return ra < 0 ? ra : rb < 0 ? rb : 0;
}

int requests_hours_check(struct db *db, FILE *out)
{
	struct hours_check h = {out, 0};
	int rc = db_read_run(db, hours_check_tx, &h);
	return rc < 0 ? rc : h.faults;
}
