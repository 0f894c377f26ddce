/* live_faq.h — the FAQ (常见问题) that answered hot questions become: kept per county, searched
 * by staff, and suggested to a viewer while typing a question on the phone page so the
 * answer is seen before the question is asked again (docs/live.md "Across streams, FAQ"). */
#ifndef TALA_LIVE_FAQ_H
#define TALA_LIVE_FAQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct db_conn;
struct http_req;

enum {
	LIVE_FAQ_QUESTION_MAX = 200, /* code points */
	LIVE_FAQ_ANSWER_MAX = 2000,
	LIVE_FAQ_TOPIC_MAX = 50,
	LIVE_FAQ_QUERY_MAX = 200,
	LIVE_FAQ_SUGGEST_MAX = 3,
	LIVE_FAQ_SCAN_MAX = 10000, /* entries of one county a search looks at */
};

/* Creates or updates the FAQ entry of an answered hot question, inside the caller's write
 * transaction (call it after writing the answer): question = the cluster's title, answer =
 * its answer, topic = the stream's topic the question is about (its words in the question,
 * else the most similar; the first topic when none is alike, "" without topics), asked =
 * its visible questions, node = the stream's node. Updating brings the answer and the count
 * up to date and keeps the question (staff may have reworded it) and whether it is active. Returns DB_ROW when written, DB_DONE when the cluster does not exist
 * or is not answered, or a db error. */
int live_faq_from_cluster(struct db_conn *c, int64_t cluster_id, int64_t user_id);

/* How alike a search q is to an entry: the text engine's similarity on the question, raised
 * when the normalised q occurs inside the normalised question or answer. 0..1. */
double live_faq_score(const char *q_norm, const char *q, const char *question,
		      const char *answer);

/* Appends to items up to limit entries of county_id (active only unless all) on nodes
 * under or above path, ranked by score against q (NULL: by times asked), skipping offset;
 * only entries scoring at least floor when q is given. *total gets the number matching.
 * Each item is the entry object ({"id","question","answer","topic","node",…}); brief
 * leaves only id, question, answer and score. Returns >= 0 or a db error. */
int live_faq_search(struct db_conn *c, int64_t county_id, const char *path, const char *q,
		    bool all, double floor, int64_t limit, int64_t offset, bool brief,
		    json_t *items, int64_t *total);

/* The similarity below which an entry is not shown for a search / a viewer's suggestion. */
double live_faq_search_floor(void);
double live_faq_suggest_floor(void);

/* Routes (live_faq_api.c). */
int live_faq_api_list(struct http_req *r);
int live_faq_api_create(struct http_req *r);
int live_faq_api_update(struct http_req *r);
int live_faq_api_delete(struct http_req *r);
int live_faq_api_public_suggest(struct http_req *r);

#endif
