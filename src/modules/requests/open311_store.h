/* open311_store.h — the SQL behind the Open311 GeoReport v2 API (open311_store.c): api keys,
 * the public view of orders as service requests, households by code (each in the caller's
 * transaction); and W3C times. */
#ifndef TALA_OPEN311_STORE_H
#define TALA_OPEN311_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db_conn;

/* An unrevoked api key by the SM3 hex of the key: DB_ROW with its id and node, or DB_DONE. */
int open311_store_key(struct db_conn *c, const char *key_hash, int64_t *id, int64_t *node_id);
/* A household by code under path (a village's subtree): DB_ROW with its id, or DB_DONE. */
int open311_store_household(struct db_conn *c, const char *code, const char *path, int64_t *id);

enum { OPEN311_MAX_CODES = 10, OPEN311_MAX_RESULTS = 1000 };

struct open311_filter {
	const char *path;                      /* orders on nodes under this path */
	int64_t from_ms, to_ms;                /* requested_datetime in [from, to] */
	const char *codes[OPEN311_MAX_CODES]; /* service codes; none: any */
	int ncodes;
	int status; /* 0 any, 1 open, 2 closed */
};

/* Appends the service requests matching f (newest first, at most 1,000) to items. */
int open311_store_requests(struct db_conn *c, const struct open311_filter *f, json_t *items);
/* Appends one service request to items: DB_ROW, or DB_DONE when there is no such order. */
int open311_store_request(struct db_conn *c, int64_t id, json_t *items);

/* The time limit the order's tier promises, said to the resident (service_notice). */
const char *open311_notice(const char *tier);
/* A UTC ms instant in W3C format in China Standard Time: 2026-11-26T15:02:45+08:00. */
void open311_time(int64_t ms, char out[32]);
/* A W3C datetime: YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.s]]TZD, TZD being Z or ±hh:mm (a space
 * stands for the '+' a query string turns into one). A bare date is its midnight in China
 * time (*date_only tells). */
int open311_parse_time(const char *s, int64_t *ms, bool *date_only);

#endif
