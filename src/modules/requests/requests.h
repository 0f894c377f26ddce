/* requests.h — 群众点单—支部派单—银发接单: a resident orders a service, the branch dispatches
 * it to a volunteer of the talent pool (银发人才库), the volunteer accepts and does it, a return
 * visit (回访) closes it.
 *
 * An order's life: new → offered (one volunteer at a time, with a time to answer) → accepted →
 * in_progress → done → closed by the return visit. A decline or an unanswered offer falls back
 * to the next ranked candidate; when nobody at the village level can take it the order
 * escalates to the township, then the county. An unsatisfied return visit reopens it (重办).
 * Every step is an order_events row, from which the hotline rates are computed. Finishing an
 * order credits the volunteer's service hours on an append-only ledger in the same
 * transaction. Time limits count working days on the Chinese calendar (holidays table). */
#ifndef TALA_REQUESTS_H
#define TALA_REQUESTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct db;
struct db_conn;

/* ---- the working-day calendar (requests_calendar.c) ---- */

enum { REQUESTS_CAL_MAX = 1024 };

/* Days that differ from the Monday–Friday rule: holidays and make-up workdays (调休). */
struct requests_calendar {
	int n;
	int day[REQUESTS_CAL_MAX]; /* yyyymmdd, sorted */
	char kind[REQUESTS_CAL_MAX]; /* 'h' holiday, 'w' workday */
};

/* Loads the holidays table. Returns 0 or a db status. */
int requests_calendar_load(struct db_conn *c, struct requests_calendar *cal);
/* True when yyyymmdd is a working day. */
bool requests_working_day(const struct requests_calendar *cal, int yyyymmdd);
/* The moment an order placed at created_ms (UTC ms) is due, by tier: "urgent" 2 hours,
 * "utility" (water, power, heating) 24 hours, "general" the end of the 7th working day after
 * the day it was placed, "complex" the 15th (China Standard Time, UTC+8). */
int64_t requests_due_at(const struct requests_calendar *cal, const char *tier, int64_t created_ms);
/* yyyymmdd of a UTC ms instant in China Standard Time. */
int requests_cst_day(int64_t ms);

/* ---- ranking volunteers for an order (requests_rank.c) ---- */

struct requests_candidate {
	int64_t id;
	const char *name, *specialties, *insurance_until;
	double lat, lon;
	bool has_location, available, no_night;
	int64_t active, max_active;
	double rating; /* 0 when not rated yet */
	int64_t ratings;
	int64_t avail_days, avail_from, avail_to; /* weekdays (Mon=1 … Sun=64), minutes of day */
	/* results */
	bool eligible;
	double score, distance_km;
	json_t *reasons; /* strings, in Chinese */
};

struct requests_need {
	const char *specialty;
	double lat, lon;
	bool has_location;
	bool night;        /* the order needs work at night (22:00–06:00) */
	const char *today; /* YYYY-MM-DD, for insurance */
	int weekday;       /* now, China time: 0 = Monday */
	int minute;        /* now, minutes since midnight China time */
};

/* Scores each candidate for the need and sorts them, eligible first, best first. Every
 * candidate gets reasons, the ineligible ones the reason they cannot take it. */
void requests_rank(struct requests_candidate *c, int n, const struct requests_need *need);
/* Great-circle distance in km. */
double requests_distance_km(double lat1, double lon1, double lat2, double lon2);

/* ---- the service-hours ledger (requests_hours.c) ---- */

/* Credits minutes to volunteer vol from the pool of node, in the caller's transaction. */
int requests_hours_credit(struct db_conn *c, int64_t county_id, int64_t node_id, int64_t vol,
			  int64_t minutes, int64_t order_id, int64_t signup_id, int64_t now_ms);
/* Minutes credited to a volunteer. */
int requests_hours_balance(struct db_conn *c, int64_t vol, int64_t *minutes);
/* Recomputes every hours balance from the transfers (tala check). Faults or a db status. */
int requests_hours_check(struct db *db, FILE *out);

#endif
