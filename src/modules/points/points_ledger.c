/* points_ledger.c — the append-only double-entry ledger, its balance cache, period seals and
 * the consistency check behind `tala check`. */
#include "modules/points/points.h"

#include "core/crypto.h"
#include "core/mem.h"
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char *const phase_names[] = {"posted", "pending", "post", "void"};

static const char SQL_TRANSFER_INSERT[] =
	"INSERT INTO points_transfers (county_id, node_id, debit, credit, amount, phase, "
	"pending_id, entry_id, redemption_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"RETURNING id";
static const char SQL_PENDING_GET[] =
	"SELECT debit, credit, amount, phase, (SELECT COUNT(*) FROM points_transfers s "
	"WHERE s.pending_id = t.id) FROM points_transfers t WHERE t.id = ?";
static const char SQL_BALANCE_MOVE[] =
	"INSERT INTO points_balances (account, county_id, posted, pending) VALUES (?, ?, ?, ?) "
	"ON CONFLICT (account) DO UPDATE SET posted = points_balances.posted + excluded.posted, "
	"pending = points_balances.pending + excluded.pending";
static const char SQL_BALANCE_GET[] =
	"SELECT posted, pending FROM points_balances WHERE account = ?";
static const char SQL_SEAL_ROWS[] =
	"SELECT e.id, e.household_id, e.points, e.status, COALESCE(e.reverses_id, 0), "
	"COALESCE((SELECT MIN(t.id) FROM points_transfers t WHERE t.entry_id = e.id), 0) "
	"FROM points_entries e WHERE e.period_id = ? AND e.status <> 'pending' ORDER BY e.id";
static const char SQL_PERIOD_NAME[] = "SELECT name FROM points_periods WHERE id = ?";
static const char SQL_ALL_TRANSFERS[] =
	"SELECT id, debit, credit, amount, phase, COALESCE(pending_id, 0) FROM points_transfers "
	"ORDER BY id";
static const char SQL_ALL_BALANCES[] =
	"SELECT account, posted, pending FROM points_balances ORDER BY account";
/* What each household's account should hold according to the business records: approved
 * entries less picked-up redemptions (posted), held redemptions (pending). */
static const char SQL_EXPECTED[] =
	"SELECT h.id, "
	"COALESCE((SELECT SUM(e.points) FROM points_entries e WHERE e.household_id = h.id "
	" AND e.status = 'approved'), 0) - "
	"COALESCE((SELECT SUM(r.amount) FROM points_redemptions r WHERE r.household_id = h.id "
	" AND r.status = 'picked_up'), 0), "
	"COALESCE((SELECT SUM(r.amount) FROM points_redemptions r WHERE r.household_id = h.id "
	" AND r.status = 'held'), 0) FROM households h ORDER BY h.id";
static const char SQL_ORPHANS[] =
	"SELECT COUNT(*) FROM points_transfers t WHERE t.entry_id IS NULL "
	"AND t.redemption_id IS NULL AND t.phase IN ('posted','pending') AND NOT EXISTS "
	"(SELECT 1 FROM points_redemptions r WHERE r.hold_id = t.id)";
static const char SQL_SEALED[] =
	"SELECT id, name, seal_hash FROM points_periods WHERE status = 'sealed' ORDER BY id";

void points_account(char out[32], const char *kind, int64_t id)
{
	snprintf(out, 32, "%s:%lld", kind, (long long)id);
}

static int points_balance_move(struct db_conn *c, const char *account, int64_t county,
			       int64_t posted, int64_t pending)
{
	return db_exec(c, SQL_BALANCE_MOVE, "tiii", account, county, posted, pending);
}

int points_ledger_balance(struct db_conn *c, const char *account, int64_t *posted,
			  int64_t *pending)
{
	*posted = *pending = 0;
	struct db_stmt *s = db_prepare(c, SQL_BALANCE_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_text(s, 1, account);
	int rc = db_step(s);
	if (rc == DB_ROW) {
		*posted = db_col_int(s, 0);
		*pending = db_col_int(s, 1);
	}
	return rc < 0 ? rc : 0;
}

/* Checks a post or void against the pending transfer it settles. */
static int points_check_settle(struct db_conn *c, const struct points_transfer *t)
{
	struct db_stmt *s = db_prepare(c, SQL_PENDING_GET);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, t->pending_id);
	int rc = db_step(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return POINTS_NOT_FOUND;
	if (strcmp(db_col_text(s, 3), "pending") != 0 || db_col_int(s, 4) > 0)
		return POINTS_BAD_STATE; /* not a hold, or already posted or voided */
	if (strcmp(db_col_text(s, 0), t->debit) != 0 || strcmp(db_col_text(s, 1), t->credit) != 0 ||
	    db_col_int(s, 2) != t->amount)
		return POINTS_BAD_STATE;
	return 0;
}

int points_ledger_post(struct db_conn *c, const struct points_transfer *t, int64_t now_ms,
		       int64_t *id)
{
	if (t->amount <= 0 || strcmp(t->debit, t->credit) == 0)
		return POINTS_BAD_STATE;
	int rc;
	if (t->phase == POINTS_POST || t->phase == POINTS_VOID) {
		rc = points_check_settle(c, t);
		if (rc < 0)
			return rc;
	}
	struct db_stmt *s = db_prepare(c, SQL_TRANSFER_INSERT);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, t->county_id);
	db_bind_int(s, 2, t->node_id);
	db_bind_text(s, 3, t->debit);
	db_bind_text(s, 4, t->credit);
	db_bind_int(s, 5, t->amount);
	db_bind_text(s, 6, phase_names[t->phase]);
	int64_t refs[] = {t->pending_id, t->entry_id, t->redemption_id};
	for (int i = 0; i < 3; i++) {
		if (refs[i])
			db_bind_int(s, 7 + i, refs[i]);
		else
			db_bind_null(s, 7 + i);
	}
	db_bind_int(s, 10, now_ms);
	rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : DB_HARD_ERROR;
	*id = db_col_int(s, 0);
	int64_t a = t->amount;
	switch (t->phase) {
	case POINTS_POSTED:
		rc = points_balance_move(c, t->debit, t->county_id, -a, 0);
		if (rc >= 0)
			rc = points_balance_move(c, t->credit, t->county_id, a, 0);
		break;
	case POINTS_PENDING:
		rc = points_balance_move(c, t->debit, t->county_id, 0, a);
		break;
	case POINTS_POST:
		rc = points_balance_move(c, t->debit, t->county_id, -a, -a);
		if (rc >= 0)
			rc = points_balance_move(c, t->credit, t->county_id, a, 0);
		break;
	case POINTS_VOID:
		rc = points_balance_move(c, t->debit, t->county_id, 0, -a);
		break;
	}
	if (rc < 0)
		return rc;
	if (strncmp(t->debit, "hh:", 3) == 0) {
		int64_t posted = 0, pending = 0;
		rc = points_ledger_balance(c, t->debit, &posted, &pending);
		if (rc < 0)
			return rc;
		if (posted - pending < 0)
			return POINTS_INSUFFICIENT;
	}
	return 0;
}

int points_period_hash(struct db_conn *c, int64_t period_id, char out[65])
{
	struct db_stmt *s = db_prepare(c, SQL_PERIOD_NAME);
	if (!s)
		return DB_HARD_ERROR;
	db_bind_int(s, 1, period_id);
	int rc = db_step(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : POINTS_NOT_FOUND;
	size_t cap = 256, len = 0;
	char *buf = xmalloc(cap);
	len = (size_t)snprintf(buf, cap, "period %lld %s\n", (long long)period_id,
			       db_col_text(s, 0));
	if (len >= cap) {
		free(buf);
		return POINTS_BAD_STATE;
	}
	s = db_prepare(c, SQL_SEAL_ROWS);
	if (!s) {
		free(buf);
		return DB_HARD_ERROR;
	}
	db_bind_int(s, 1, period_id);
	while ((rc = db_step(s)) == DB_ROW) {
		char line[160];
		int n = snprintf(line, sizeof(line), "%lld %lld %lld %s %lld %lld\n",
				 (long long)db_col_int(s, 0), (long long)db_col_int(s, 1),
				 (long long)db_col_int(s, 2), db_col_text(s, 3),
				 (long long)db_col_int(s, 4), (long long)db_col_int(s, 5));
		if (len + (size_t)n + 1 > cap) {
			cap = (len + (size_t)n + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	if (rc >= 0)
		crypto_sm3_hex(buf, len, out);
	free(buf);
	return rc < 0 ? rc : 0;
}

/* ---- the check ---- */

struct points_sum {
	char account[40];
	int64_t posted, pending;
};

struct points_check_ctx {
	FILE *out;
	int faults;
	struct points_sum *sums;
	size_t n, cap;
};

static struct points_sum *points_sum_of(struct points_check_ctx *k, const char *account)
{
	/* Accounts arrive unsorted; a linear probe over a sorted insert would do for a county,
	 * but keep it simple and O(n log n): binary search, insert in place. */
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(k->sums[mid].account, account);
		if (cmp == 0)
			return &k->sums[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 256;
		k->sums = xrealloc(k->sums, k->cap * sizeof(*k->sums));
	}
	memmove(&k->sums[lo + 1], &k->sums[lo], (k->n - lo) * sizeof(*k->sums));
	k->n++;
	struct points_sum *p = &k->sums[lo];
	memset(p, 0, sizeof(*p));
	snprintf(p->account, sizeof(p->account), "%s", account);
	return p;
}

static int points_check_tx(struct db_conn *c, void *ctx)
{
	struct points_check_ctx *k = ctx;
	struct db_stmt *s = db_prepare(c, SQL_ALL_TRANSFERS);
	if (!s)
		return DB_HARD_ERROR;
	int rc;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *phase = db_col_text(s, 4);
		int64_t a = db_col_int(s, 3);
		struct points_sum *d = points_sum_of(k, db_col_text(s, 1));
		if (strcmp(phase, "posted") == 0 || strcmp(phase, "post") == 0) {
			d->posted -= a;
			points_sum_of(k, db_col_text(s, 2))->posted += a;
			d = points_sum_of(k, db_col_text(s, 1)); /* the insert may have moved it */
		}
		if (strcmp(phase, "pending") == 0)
			d->pending += a;
		else if (strcmp(phase, "post") == 0 || strcmp(phase, "void") == 0)
			d->pending -= a;
	}
	if (rc < 0)
		return rc;
	/* Compare with the cache, both ways. */
	s = db_prepare(c, SQL_ALL_BALANCES);
	if (!s)
		return DB_HARD_ERROR;
	size_t seen = 0;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *acct = db_col_text(s, 0);
		struct points_sum *p = points_sum_of(k, acct);
		seen++;
		if (p->posted != db_col_int(s, 1) || p->pending != db_col_int(s, 2)) {
			fprintf(k->out,
				"points: %s: balance says %lld posted / %lld pending, the ledger %lld / "
				"%lld\n",
				acct, (long long)db_col_int(s, 1), (long long)db_col_int(s, 2),
				(long long)p->posted, (long long)p->pending);
			k->faults++;
		}
	}
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < k->n; i++) {
		struct points_sum *p = &k->sums[i];
		if (strncmp(p->account, "hh:", 3) == 0 && p->posted - p->pending < 0) {
			fprintf(k->out, "points: %s is below zero (%lld)\n", p->account,
				(long long)(p->posted - p->pending));
			k->faults++;
		}
		if (p->pending < 0) {
			fprintf(k->out, "points: %s settles more than it held\n", p->account);
			k->faults++;
		}
	}
	if (seen != k->n) {
		fprintf(k->out, "points: %zu accounts in the ledger, %zu in the balance table\n", k->n,
			seen);
		k->faults++;
	}
	/* Every transfer stands for an entry or a redemption, and every household holds what
	 * its entries and redemptions say: a transfer slipped in beside them shows here. */
	int64_t orphans = 0;
	rc = db_query_int(c, &orphans, SQL_ORPHANS, "");
	if (rc < 0)
		return rc;
	if (orphans) {
		fprintf(k->out, "points: %lld transfer(s) with no entry or redemption behind them\n",
			(long long)orphans);
		k->faults++;
	}
	s = db_prepare(c, SQL_EXPECTED);
	if (!s)
		return DB_HARD_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		char acct[32];
		points_account(acct, "hh", db_col_int(s, 0));
		int64_t posted = 0, pending = 0;
		/* look up without inserting: households never scored have no sums */
		size_t lo = 0, hi = k->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int cmp = strcmp(k->sums[mid].account, acct);
			if (cmp == 0) {
				posted = k->sums[mid].posted;
				pending = k->sums[mid].pending;
				break;
			}
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (posted != db_col_int(s, 1) || pending != db_col_int(s, 2)) {
			fprintf(k->out,
				"points: %s: the ledger holds %lld posted / %lld pending, its entries and "
				"redemptions say %lld / %lld\n",
				acct, (long long)posted, (long long)pending, (long long)db_col_int(s, 1),
				(long long)db_col_int(s, 2));
			k->faults++;
		}
	}
	if (rc < 0)
		return rc;
	/* Sealed periods. */
	s = db_prepare(c, SQL_SEALED);
	if (!s)
		return DB_HARD_ERROR;
	int64_t ids[1024];
	char hashes[1024][65];
	int nseal = 0;
	while ((rc = db_step(s)) == DB_ROW && nseal < 1024) {
		ids[nseal] = db_col_int(s, 0);
		snprintf(hashes[nseal], 65, "%s", db_col_text(s, 2) ? db_col_text(s, 2) : "");
		nseal++;
	}
	if (rc < 0)
		return rc;
	for (int i = 0; i < nseal; i++) {
		char h[65];
		rc = points_period_hash(c, ids[i], h);
		if (rc < 0)
			return rc;
		if (strcmp(h, hashes[i]) != 0) {
			fprintf(k->out, "points: sealed period %lld no longer matches its seal\n",
				(long long)ids[i]);
			k->faults++;
		}
	}
	return 0;
}

int points_check(struct db *db, FILE *out)
{
	struct points_check_ctx k = {.out = out};
	int rc = db_read_run(db, points_check_tx, &k);
	free(k.sums);
	return rc < 0 ? rc : k.faults;
}

void points_mask_name(const char *name, char *out, size_t outlen)
{
	/* Keep the first and (for three or more characters) the last character. */
	const unsigned char *p = (const unsigned char *)name;
	size_t starts[64], n = 0, len = strlen(name);
	for (size_t i = 0; i < len && n < 64; i++)
		if ((p[i] & 0xC0) != 0x80)
			starts[n++] = i;
	if (n == 0) {
		snprintf(out, outlen, "*");
		return;
	}
	size_t first = (n > 1 ? starts[1] : len);
	if (n <= 2) {
		snprintf(out, outlen, "%.*s*", (int)first, name);
		return;
	}
	snprintf(out, outlen, "%.*s*%s", (int)first, name, name + starts[n - 1]);
}
