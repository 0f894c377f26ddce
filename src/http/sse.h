/* sse.h — server-sent events (text/event-stream) for many idle viewers without a thread
 * each. A viewer's connection answers with a response whose content reader writes the
 * events pending for it and otherwise suspends the connection (MHD_suspend_connection), so
 * an idle viewer costs no CPU; a change resumes the topic's viewers. Events are coalesced:
 * a topic marked changed is rendered once by the hub thread at most every SSE_COALESCE_MS
 * and every viewer gets the latest state (intermediate states may be skipped). Viewers that
 * got nothing for SSE_PING_MS receive `event: ping`. Once a second the hub polls the
 * suspended viewers' sockets (one poll(2) per topic, timeout 0) and ends the streams of
 * viewers that hung up, so their connection and descriptor go within about a second.
 * With fan-out processes running (`--sse-procs`, sse_fanout.h) a viewer is handed to one of
 * them once MHD has sent the response head, and each event goes once to every process. */
#ifndef TALA_SSE_H
#define TALA_SSE_H

#include <stddef.h>
#include <stdint.h>

struct http_req;

enum {
	SSE_COALESCE_MS = 100,  /* a change reaches viewers within about this, plus rendering */
	SSE_PING_MS = 15000,    /* `event: ping` after this long without an event */
	SSE_TOPIC_MAX = 48,     /* longest topic name */
};

/* Renders the current state of topic as an event's data (one line of JSON, no newline),
 * malloc'd; *id gets its version (a later state has a larger id). NULL: nothing to send. */
typedef char *(*sse_render_fn)(const char *topic, uint64_t *id);

/* Answers r with an event stream on topic. The first event sent is (event, data, id) unless
 * the topic already holds a newer one. data is copied. Returns what a handler returns. */
int sse_reply(struct http_req *r, const char *topic, const char *event, const char *data,
	      uint64_t id);

/* Tells the hub that topic changed: within SSE_COALESCE_MS it calls render (on the hub
 * thread, with no lock of ours held) and sends the result as `event` to every viewer of
 * topic. Cheap and thread-safe; several calls before the render coalesce into one. Without
 * a running hub (CLI commands) it does nothing. */
void sse_touch(const char *topic, const char *event, sse_render_fn render);

/* Publishes (event, data, id) on topic now (ignored when the topic holds a newer id). */
void sse_publish(const char *topic, const char *event, const char *data, uint64_t id);

/* How many viewers topic has now. */
size_t sse_viewers(const char *topic);

/* Starts the hub thread (pings and coalesced renders); sse_stop ends every stream (each
 * viewer's response finishes), stops the thread and must run before the daemon stops. */
int sse_start(void);
void sse_stop(void);

#endif
