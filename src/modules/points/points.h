/* points.h — village household points (积分制) and the points store (积分超市).
 *
 * Scoring items belong to a village and are versioned: revising one retires the old version
 * and keeps it. A quarter is a period: open → closed → publicity (公示, N days, objections
 * heard) → sealed with an SM3 hash. A committee member enters a scoring entry (idempotency
 * key: same key and body → the same entry, other body → conflict); a second member approves
 * it (maker ≠ checker), which posts a double-entry transfer on the ledger.
 *
 * The ledger (points_transfers) is append-only — the database refuses UPDATE and DELETE.
 * Accounts: "hh:<household>" (never below zero), "pool:<village>" (issues points) and
 * "store:<village>" (receives redeemed points). Transfers are single-phase ("posted") or
 * two-phase: a "pending" hold later settled by exactly one "post" or "void" (TigerBeetle's
 * model). points_balances caches posted and pending sums per account in the same
 * transaction; points_check() recomputes them from the transfers and verifies the seals. */
#ifndef TALA_POINTS_H
#define TALA_POINTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct arena;
struct db;
struct db_conn;

/* Outcomes below DB_HARD_ERROR that handlers turn into problem codes. */
enum points_error {
	POINTS_NOT_FOUND = -300,
	POINTS_FORBIDDEN = -301,
	POINTS_INSUFFICIENT = -302,   /* the household's points would go below zero */
	POINTS_IDEMPOTENCY = -303,    /* same key, other body */
	POINTS_MAKER_CHECKER = -304,  /* the maker cannot approve their own entry */
	POINTS_BAD_STATE = -305,      /* not allowed in the entry's or period's current state */
	POINTS_NO_PERIOD = -306,      /* the village has no open period */
	POINTS_OUT_OF_STOCK = -307,
	POINTS_EXISTS = -308,         /* an item code or period name taken */
	POINTS_EVIDENCE = -309,       /* the item requires evidence */
	POINTS_ALREADY_REVERSED = -310,
};

enum points_phase { POINTS_POSTED, POINTS_PENDING, POINTS_POST, POINTS_VOID };

struct points_transfer {
	int64_t county_id, node_id;
	const char *debit, *credit;
	int64_t amount;
	enum points_phase phase;
	int64_t pending_id, entry_id, redemption_id;
};

/* Appends a transfer and moves the cached balances with it. A household account may not
 * end below zero (posted minus pending): POINTS_INSUFFICIENT, and the caller rolls back.
 * A post or void must name a pending transfer not yet settled, with the same accounts and
 * amount. Returns 0 with *id set, or a negative status. */
int points_ledger_post(struct db_conn *c, const struct points_transfer *t, int64_t now_ms,
		       int64_t *id);
/* Posted and pending sums of an account (0, 0 for an account never used). */
int points_ledger_balance(struct db_conn *c, const char *account, int64_t *posted,
			  int64_t *pending);
/* Writes "hh:12" style account names. */
void points_account(char out[32], const char *kind, int64_t id);

/* The SM3 seal of a period: its id and name and every entry decided in it with its
 * transfer, in id order. out gets 64 hex digits. */
int points_period_hash(struct db_conn *c, int64_t period_id, char out[65]);

/* Recomputes every balance from the transfers, checks two-phase transfers and household
 * accounts, and verifies every sealed period. One line per fault to out; returns the
 * number of faults or a negative db status. Used by `tala check`. */
int points_check(struct db *db, FILE *out);

/* Masks a name for public display: "巴特尔" → "巴*尔", "王建国" → "王*国", "托娅" → "托*". */
void points_mask_name(const char *name, char *out, size_t outlen);

#endif
