/* live_internal.h — what the files of the live module share: the in-memory rooms
 * (live_room.c), the SQL (live_store.c) and the handlers' plumbing (live_api.c). */
#ifndef TALA_LIVE_INTERNAL_H
#define TALA_LIVE_INTERNAL_H

#include "modules/live/live.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db;
struct db_conn;
struct http_req;
struct org_node;

/* ---- store (live_store.c): each runs inside the caller's transaction ---- */

/* A stream's counts as the staff see them: questions and askers not rejected, groups not
 * merged, questions pending, and hot questions (groups with ≥ 2 visible questions: the
 * report's). */
struct live_counts {
	int64_t questions, askers, clusters, pending, hot;
};

struct live_stream {
	int64_t id, county_id, node_id, scheduled_at, started_at, ended_at, pinned, created_at;
	struct live_counts counts; /* 0 unless added (live_store_stream_counts, live_room_counts) */
	const char *title, *topics, *platform, *platform_url, *host_name, *join_code, *status;
	const char *node_path, *node_code, *node_name;
};

/* By id, or by join code. DB_ROW, DB_DONE or an error; strings are arena-owned. The counts
 * are left 0: they scan the stream's questions, and only the staff's stream views and list
 * show them (live_room_counts, else live_store_stream_counts). */
int live_store_stream_get(struct db_conn *c, struct arena *a, int64_t id,
			  struct live_stream **out);
int live_store_stream_by_code(struct db_conn *c, struct arena *a, const char *code,
			      struct live_stream **out);
/* Counts stream_id's questions and groups into *out. 0 or an error. */
int live_store_stream_counts(struct db_conn *c, int64_t stream_id, struct live_counts *out);
/* The API's stream object. */
json_t *live_stream_json(const struct live_stream *s);
/* The streams under path (status NULL: any), newest first, at most 500, their counts 0: an
 * arena array in *out. */
int live_store_streams(struct db_conn *c, struct arena *a, const char *path, const char *status,
		       struct live_stream ***out, size_t *n);
int live_store_join_code_taken(struct db_conn *c, const char *code);
int live_store_stream_insert(struct db_conn *c, const struct live_stream *s, int64_t user_id,
			     int64_t *id);
int live_store_stream_update(struct db_conn *c, const struct live_stream *s);
int live_store_stream_status(struct db_conn *c, int64_t id, const char *status, int64_t at);
int live_store_stream_pin(struct db_conn *c, int64_t id, int64_t cluster_id);

struct live_cluster_row {
	int64_t id, stream_id, merged_into, answered_by, answered_at, created_at;
	const char *title, *status, *answer;
};
int live_store_cluster_get(struct db_conn *c, struct arena *a, int64_t id,
			   struct live_cluster_row **out);
int live_store_cluster_insert(struct db_conn *c, int64_t stream_id, const char *title,
			      int64_t now, int64_t *id);
int live_store_cluster_title(struct db_conn *c, int64_t id, const char *title);
int live_store_cluster_status(struct db_conn *c, int64_t id, const char *status);
int live_store_cluster_answer(struct db_conn *c, int64_t id, const char *answer, int64_t user,
			      int64_t now);
int live_store_cluster_merge(struct db_conn *c, int64_t from, int64_t into);
int live_store_cluster_edit(struct db_conn *c, int64_t stream_id, const char *action,
			    int64_t from, int64_t to, const char *qids, int64_t user, int64_t now);

struct live_question_row {
	int64_t id, stream_id, cluster_id, upvotes, created_at;
	const char *text, *kind, *status, *device, *moderation, *nickname, *source;
};
int live_store_question_get(struct db_conn *c, struct arena *a, int64_t id,
			    struct live_question_row **out);
/* Inserts a question; *id 0 when (stream, source, ext_id) existed already. */
int live_store_question_insert(struct db_conn *c, const struct live_submit *in,
			       int64_t cluster_id, const char *text, const char *nickname,
			       const char *phone_masked, const char *kind, const char *status,
			       const char *moderation, int64_t at, int64_t *id);
int live_store_question_place(struct db_conn *c, int64_t id, const char *status,
			      int64_t cluster_id);
int live_store_question_move(struct db_conn *c, int64_t id, int64_t cluster_id);
int live_store_ext_exists(struct db_conn *c, int64_t stream_id, const char *source,
			  const char *ext_id);
/* Staff list: status, kind NULL for any; cluster 0 for any. */
int live_store_questions_json(struct db_conn *c, int64_t stream_id, const char *status,
			      const char *kind, int64_t cluster, int limit, json_t *items);
enum { LIVE_MINE_MAX = 100 }; /* "my questions": the newest this many */
/* Public lists: visible questions newest first; or, with device, that device's own among
 * ids (newest first, from live_room_asked): each row is checked to be the stream's and the
 * device's, and one gone since is skipped. */
int live_store_public_questions_json(struct db_conn *c, int64_t stream_id, const char *device,
				     const int64_t *ids, size_t nids, json_t *items);
/* One vote per device; *added false when it had voted; *count the question's votes now. */
int live_store_vote(struct db_conn *c, int64_t qid, const char *device, int64_t now,
		    bool *added, int64_t *count);

/* An unrevoked api_key (`tala apikey add`) by its SM3 hash: DB_ROW with its id, name and
 * node path, or DB_DONE. */
int live_store_api_key(struct db_conn *c, struct arena *a, const char *key_hash, int64_t *id,
		       const char **name, const char **path);
int live_store_viewers_add(struct db_conn *c, int64_t stream_id, int64_t at, int64_t viewers,
			   const char *source, int64_t user);
int live_store_viewers_json(struct db_conn *c, int64_t stream_id, json_t *items);
int live_store_timeline_json(struct db_conn *c, int64_t stream_id, int64_t from, int64_t to,
			     json_t *items);

int live_store_words_json(struct db_conn *c, int64_t county_id, json_t *items);
int live_store_word_add(struct db_conn *c, int64_t county_id, const char *word, int64_t user,
			int64_t now, int64_t *id);
/* Deletes word id of county; DB_DONE when there is none. */
int live_store_word_delete(struct db_conn *c, int64_t county_id, int64_t id);

/* Everything a room is built from. */
struct live_load_cluster {
	int64_t id, merged_into;
	char *title, *answer, *status;
};
struct live_load_question {
	int64_t id, cluster_id, created_at, upvotes;
	char *text, *device, *kind, *status;
};
struct live_load_vote {
	int64_t cluster_id, at;
};
struct live_load {
	int64_t county_id, pinned;
	char status[16];
	struct live_load_cluster *clusters;
	size_t nclusters;
	struct live_load_question *questions;
	size_t nquestions;
	struct live_load_vote *votes;
	size_t nvotes;
	char **words;
	size_t nwords;
};
/* DB_ROW with *l filled (free with live_load_free), DB_DONE: no such stream. */
int live_store_load(struct db_conn *c, int64_t stream_id, struct live_load *l);
void live_load_free(struct live_load *l);
/* The county's sensitive words, malloc'd (free each and the array). */
int live_store_words(struct db_conn *c, int64_t county_id, char ***words, size_t *n);

/* ---- rooms (live_room.c) ---- */

struct live_room;
/* Work done inside a room's transaction after the module's own (an audit entry). */
typedef int (*live_tx_extra_fn)(struct db_conn *c, void *ctx);

/* The room of stream_id, built from the database when needed, locked: release it with
 * live_room_release. LIVE_NOT_FOUND when there is no such stream, or a db status. */
int live_room_acquire(struct db *db, int64_t stream_id, struct live_room **out);
void live_room_release(struct live_room *room);
/* The ids of device's questions in room's stream (rejected ones too), newest first, at most
 * max: "my questions" come from the room, not from an index on the device column. */
size_t live_room_asked(struct live_room *room, const char *device, int64_t *out, size_t max);
/* The version of the room's hot list (grows with every change). */
uint64_t live_room_version(const struct live_room *room);
/* The published top 20 of stream_id (JSON array text, malloc'd) and its version, without
 * taking the room lock; NULL when there is none current (then acquire the room). */
char *live_room_snapshot(struct db *db, int64_t stream_id, uint64_t *version);
/* The top limit hot questions as a JSON array text, malloc'd. */
char *live_room_hot_text(struct live_room *room, int limit);
/* One hot question as in the hot list, or NULL when the room lacks it (new reference). */
json_t *live_room_hot_one(struct live_room *room, int64_t cluster_id);
/* The SSE event data of the room: {"stream_id","version","items":[top 20]}, malloc'd. */
char *live_room_event_text(struct live_room *room, uint64_t *version);
/* The answered hot questions, newest first (new reference). */
json_t *live_room_answered_json(struct live_room *room);
int64_t live_room_pinned(const struct live_room *room);
/* "scheduled", "live" or "ended". */
const char *live_room_stream_status(const struct live_room *room);
/* The staff's counts of stream_id (questions, askers, clusters, pending, hot: as
 * live_store_stream_counts) from its room: true when the room is built (a live stream's
 * is), or has the database's counts from since its last change. Otherwise the caller counts
 * in the database and hands the counts to live_room_counts_keep with *changes, so that an
 * ended stream is counted once, not on every view (a view builds no room). Takes the room
 * lock: never inside a transaction. */
bool live_room_counts(struct db *db, int64_t stream_id, struct live_counts *out,
		      uint64_t *changes);
/* Keeps counts the database gave after live_room_counts said *changes, unless the stream's
 * questions changed since (then they may be either side of the change). */
void live_room_counts_keep(int64_t stream_id, uint64_t changes, const struct live_counts *c);
/* The same from a room the caller holds (live_room_acquire). */
void live_room_counts_held(const struct live_room *room, struct live_counts *out);
/* Rebuilds the room from the database now (after merges and splits). */
int live_room_rebuild(struct db *db, struct live_room *room);
/* After-commit updates of host actions; each bumps the version and tells the viewers. */
void live_room_set_stream_status(struct live_room *room, const char *status);
void live_room_set_pinned(struct live_room *room, int64_t cluster_id);
void live_room_set_cluster(struct live_room *room, int64_t cluster_id, const char *status,
			   const char *answer);
void live_room_upvoted(struct live_room *room, int64_t cluster_id, int64_t at);
/* Approves (clusters it, within a transaction that also runs extra) or rejects a question
 * of the room's stream. LIVE_QUESTION_NOT_FOUND, LIVE_BAD_TRANSITION or a db status. */
int live_room_moderate(struct db *db, struct live_room *room, int64_t qid, bool approve,
		       live_tx_extra_fn extra, void *ctx, int64_t *cluster_id);
/* Tells the module the sensitive-word lists changed (rooms reload theirs). */
void live_words_changed(void);

/* ---- pure helpers (live.c, live_room.c) ---- */

/* The hot list's order of a before b (< 0), after (> 0): pinned first, then heat
 * descending, then the older hot question (smaller id). */
int live_hot_order(bool pinned_a, double heat_a, int64_t id_a, bool pinned_b, double heat_b,
		   int64_t id_b);

/* Masks a phone number for storage: digits only kept, 138****5678; "" when it has too few
 * digits. out needs 24 bytes. */
void live_phone_mask(const char *phone, char out[24]);

/* One line of an import: JSON object or CSV fields in the header's order. */
struct live_import_line {
	char platform[33], comment_id[129], user[65];
	int64_t time_ms; /* 0 when not given */
	char *text;      /* malloc'd */
};
/* Parses a JSON line. Returns 0, or -1 with a reason (static string). */
int live_import_parse_json(const char *line, size_t len, struct live_import_line *out,
			   const char **why);
/* Splits one CSV record (RFC 4180: quotes, doubled quotes) from *p up to end into at most
 * max fields (malloc'd; free each); advances *p past the record. Returns the field count or
 * -1 on an unterminated quote. */
int live_csv_record(const char **p, const char *end, char **fields, int max);
/* A time: epoch ms (digits) or "YYYY-MM-DD HH:MM[:SS]" China time. Returns 0 or -1. */
int live_parse_time(const char *s, int64_t *out);

/* ---- handler plumbing (live_api.c) ---- */

struct live_ctx {
	struct http_req *r;
	const char *action, *ref;
	int64_t id, cid, qid, node_id;
	struct live_stream *stream;
	/* the staff's counts of the stream read from its room before the transaction (a room
	 * is never locked inside one), or NULL: stream_out then counts in the database */
	const struct live_counts *counted;
	struct org_node *node;
	json_t *out;
	int status;
	void *extra;
};
int live_reply_error(struct live_ctx *q, int rc);
/* Parses r->params[i] as an id into *out; replies 400 and returns -1 when bad. */
int live_param_id(struct http_req *r, int i, int64_t *out);
/* Loads stream q->id into q->stream and checks the user holds roles on its node. */
int live_stream_load(struct db_conn *c, struct live_ctx *q, unsigned roles);
int live_audit(struct db_conn *c, struct live_ctx *q, const char *object, const char *detail);

/* Roles that may read, and that may run, a stream. */
extern const unsigned LIVE_READ, LIVE_WRITE;

#endif
