/* live_room_internal.h — the room's insides, shared by live_room.c (state, building, the
 * hot list) and live_submit.c (questions in: group commit, moderation). Room locked unless
 * said. */
#ifndef TALA_LIVE_ROOM_INTERNAL_H
#define TALA_LIVE_ROOM_INTERNAL_H

#include "modules/live/live_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct text_clusterer;
struct text_wordlist;
struct submit_waiter;

enum { ST_OPEN, ST_ANSWERED, ST_DEFERRED };

/* A set of 64-bit hashes (distinct askers), open addressing; 0 marks a free slot. */
struct live_set {
	uint64_t *v;
	size_t n, cap;
};


/* A viewer's questions in this stream, for "my questions" without an index on the device
 * column (whose random leaf was a WAL page and a checkpoint copy a question): the device
 * key's hash → its question ids, oldest first; open addressing, h 0 marks a free slot. */
struct live_asked {
	uint64_t h;
	uint32_t n, cap;
	uint32_t kept; /* of them, not rejected (the viewer counts as an asker while > 0) */
	int64_t *ids;
};

struct live_asked_map {
	struct live_asked *v;
	size_t n, cap;
};

struct live_cluster {
	int64_t id, merged_into;
	char *title, *answer;
	int status;
	int64_t questions, upvotes;
	struct live_set askers;
	double heat;
	int64_t heat_ms;
	int64_t engine; /* the engine cluster it was opened for, -1 when none */
	int64_t question_id; /* its first visible question: where a viewer's upvote lands */
};

struct live_room {
	struct live_room *next; /* in the table */
	int64_t stream_id, county_id;
	pthread_mutex_t lock;
	bool built, stale;
	int64_t used_ms; /* last locked: an ended stream's room idle 10 min is emptied */
	char status[16];
	struct text_clusterer *tc;
	int64_t *emap; /* engine cluster → hot question id (0: none) */
	size_t emap_cap;
	struct live_cluster *cl;
	size_t ncl, capcl;
	size_t *slot; /* id hash → index + 1 into cl */
	size_t slot_cap;
	int64_t pinned;
	uint64_t version;
	char *hot20;
	uint64_t hot20_version;
	int64_t hot20_ms;
	struct text_wordlist *words;
	uint64_t words_gen;
	struct live_asked_map asked; /* every stored question, by device */
	/* the stream's counts as the staff see them (live_room_counts), kept as questions
	 * are stored and moderated instead of counted over all of them on every view:
	 * questions and askers not rejected, questions pending */
	int64_t n_kept, n_askers, n_pending;
	/* bumped by every change of those counts (stored questions, moderation, a build); the
	 * counts the database gave for the stream when the room was not built, and the value
	 * of changes they were counted at: valid while it is current */
	uint64_t changes, counted_at;
	bool have_counted;
	struct live_counts counted;
	/* group commit of viewers' questions: waiting submitters, and whether one leads */
	pthread_mutex_t qlock;
	struct submit_waiter *qhead, *qtail;
	/* the published top 20: read without the room lock while it is current */
	pthread_mutex_t pub_lock;
	char *pub;
	uint64_t pub_version;
	int64_t pub_ms;
	_Atomic uint64_t aversion; /* version, readable without the room lock */
	bool leading;   /* a batch of this room is being written */
	bool scheduled; /* on the committer's list */
};

extern _Atomic uint64_t live_words_gen; /* bumped when any sensitive-word list changes */
extern struct db *live_room_db;         /* the database the rooms are built from */

/* Notes question id (newer than any noted for device) as device's, stored with status
 * ("pending", "visible" or "rejected"): the stream's counts follow. */
void live_room_asked_add(struct live_room *r, const char *device, int64_t id,
			 const char *status);
/* A stored question of device moderated from status from to status to: the counts follow. */
void live_room_counts_moved(struct live_room *r, const char *device, const char *from,
			    const char *to);

/* A 64-bit hash of a string (never 0), and adding one to a set; true when it was new. */
uint64_t live_room_hash(const char *s);
bool live_room_set_add(struct live_set *s, uint64_t h);
/* The hot question id of r, or NULL; adding one (title copied). */
struct live_cluster *live_room_cluster(struct live_room *r, int64_t id);
struct live_cluster *live_room_cluster_add(struct live_room *r, int64_t id, const char *title);
/* The engine cluster → hot question map (0: none). */
void live_room_emap_set(struct live_room *r, int64_t engine, int64_t id);
int64_t live_room_emap_get(const struct live_room *r, int64_t engine);
/* Adds an event of weight w at time at to k's heat (any time order). */
void live_room_heat(struct live_cluster *k, int64_t at, double w);
/* After a change: the version grows, the top 20 is published, viewers are told. */
void live_room_changed(struct live_room *r);
/* The room of a stream that exists, from the table (not locked); locking it (built). */
int live_room_find(struct db *db, int64_t stream_id, struct live_room **out);
int live_room_lock(struct db *db, struct live_room *r);
/* Rebuilds r from the database (LIVE_NOT_FOUND, or a db status). */
int live_room_build(struct db *db, struct live_room *r);
/* Replaces r's word list. */
void live_room_set_words(struct live_room *r, char **words, size_t n);

#endif
