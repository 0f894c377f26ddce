/* live.h — live Q&A (政务直播问答): streams, viewers' questions, hot questions (热点问题).
 *
 * A question goes through one path whoever sends it (the phone page, an import of outside
 * comments, the demo loader): live_question_submit() redacts phone and ID numbers, tells
 * questions from suggestions and small talk, sends sensitive words to moderation, assigns
 * a visible question to a hot question with the text engine, stores it (its row and, for a
 * new hot question, the stream_clusters row commit in one transaction) and then updates the
 * stream's in-memory room, from which the hot list and the SSE events are served.
 * See docs/live.md for the API contract. */
#ifndef TALA_LIVE_H
#define TALA_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

enum {
	LIVE_TEXT_MAX = 500,     /* characters of a question */
	LIVE_NICK_MAX = 20,      /* characters of a nickname */
	LIVE_DEVICE_MAX = 72,    /* bytes of a stored device key, with the NUL */
	LIVE_HOT_MAX = 200,      /* longest hot list served */
	LIVE_EVENT_ITEMS = 20,   /* hot questions in an SSE event */
};

/* What live_question_submit and the module's store return besides db statuses. */
enum live_outcome {
	LIVE_NOT_FOUND = -500,        /* no such stream */
	LIVE_ENDED = -501,            /* the stream has ended */
	LIVE_BAD_TRANSITION = -502,
	LIVE_CLUSTER_NOT_FOUND = -503,
	LIVE_QUESTION_NOT_FOUND = -504,
	LIVE_FORBIDDEN = -505,
	LIVE_NODE_NOT_FOUND = -506,
	LIVE_EXISTS = -507,
	LIVE_BAD_INPUT = -508,
	LIVE_BAD_KEY = -509,          /* an unknown, revoked or out-of-area api_key */
};

/* One message to submit. */
struct live_submit {
	int64_t stream_id;
	const char *text;     /* as typed (valid UTF-8, 1–LIVE_TEXT_MAX characters, not blank) */
	const char *nickname; /* NULL or ≤ LIVE_NICK_MAX characters */
	const char *phone;    /* NULL, or a phone number: only its masked form is stored */
	const char *device;   /* who asked: live_device_key() for a viewer, "platform:user" for
			       * an imported comment */
	const char *source;   /* "viewer" (NULL) or the outside platform's name */
	const char *ext_id;   /* the outside platform's comment id (imports), or NULL */
	int64_t at_ms;        /* when it was asked; 0: now */
};

struct live_submit_result {
	int64_t id;         /* stream_questions.id */
	int64_t cluster_id; /* its hot question, 0 unless a visible question */
	const char *status; /* "visible" or "pending" (static) */
	const char *kind;   /* "question", "suggestion" or "smalltalk" (static) */
	char *text;         /* the text as shown (redacted), malloc'd: the caller frees it */
	bool duplicate;     /* an import whose (source, ext_id) was already stored: nothing added */
};

/* Submits one message to a stream that is scheduled or live. Returns 0 with *out filled,
 * LIVE_NOT_FOUND, LIVE_ENDED, or a db status (< 0). Thread-safe; serialises the writers of
 * one stream. */
int live_question_submit(struct db *db, const struct live_submit *in,
			 struct live_submit_result *out);

/* Like live_question_submit without blocking: queues the message for the module's committer
 * thread, which writes it with the others queued (group commit), stores the outcome in *out
 * and *rc (as live_question_submit returns it) and then calls done(arg) from its own thread.
 * Returns 0 when queued (done will be called exactly once), or LIVE_NOT_FOUND / a db status
 * at once (done is not called). in and its strings must stay valid until done. */
int live_question_submit_async(struct db *db, const struct live_submit *in,
			       struct live_submit_result *out, int *rc, void (*done)(void *arg),
			       void *arg);

/* Submits n messages of one stream in one transaction (imports); results[i] for in[i].
 * Same returns as live_question_submit; on an error nothing is stored. */
int live_question_submit_many(struct db *db, const struct live_submit *in, size_t n,
			      struct live_submit_result *results);

/* The stored key of a viewer: a keyed hash (HMAC-SM3) of the device token, or of the
 * client address when token is NULL, as "d:HEX" / "ip:HEX". Needs the data key. */
void live_device_key(const char *token, const char *ip, char out[LIVE_DEVICE_MAX]);

/* True for a device token the phone page may send: 16–64 of [A-Za-z0-9_-]. */
bool live_device_token_valid(const char *token);

/* A fresh join code: 6 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ. */
void live_join_code(char out[7]);
/* True for a string shaped like a join code. */
bool live_join_code_valid(const char *code);

enum { LIVE_URL_MAX = 512 };
/* The phone page's join link of a code: <--public-url>/m/#/live/<code> (what the QR code
 * encodes). */
void live_join_url(const char *code, char out[LIVE_URL_MAX]);

/* The title a hot question opens with: its first question's display form (text_display:
 * simplified script, no greeting or emoji), or the text itself when nothing would be left.
 * Malloc'd; the caller frees it. */
char *live_cluster_title(const char *text);

/* Forgets the in-memory state of a stream (rebuilt from the database on next use), after a
 * change made behind the module's back (tests, the demo loader's bulk SQL). */
void live_room_forget(int64_t stream_id);

/* Frees every room (at exit). */
void live_rooms_free(void);
/* How many streams' rooms are built in memory now (/healthz shows it). Rooms of ended
 * streams unused for 10 minutes are emptied. */
size_t live_rooms_built(void);

#endif
