/* sse_fanout.h — SSE fan-out processes: viewers' sockets handed from the server process to
 * `tala sse-fanout` children that own them, so the viewer count is not bound by the server's
 * descriptor limit and each event is written to every viewer of a child as one shared byte
 * string, without MHD's suspend/resume and per-connection memory pool.
 *
 * The server (sse.c) answers GET …/events through MHD as before; MHD sends the response head
 * (200, text/event-stream, chunked for HTTP/1.1). At the first call of the content reader the
 * head is on the wire and nothing else is buffered, and the connection is suspended (out of
 * MHD's epoll set); sse_fanout_take then passes a dup of the socket to the least-loaded child
 * (SCM_RIGHTS over a SOCK_SEQPACKET socketpair) with the topic and its latest event, and puts
 * a fresh unconnected socket in place of MHD's descriptor number (dup2). MHD then closes "its"
 * connection — shutdown(2), setsockopt, epoll and close(2) all reach the placeholder, never
 * the viewer's socket. docs/architecture.md "SSE fan-out" gives the reasons.
 *
 * Each event the hub publishes goes to every child once (sse_fanout_publish); children report
 * departed viewers back, so the server counts every viewer and applies the per-IP cap. A child
 * that dies is logged and respawned; its viewers' streams end and EventSource reconnects.
 * Children hold only viewers' sockets and public event bytes: no database, no keys, a minimal
 * environment, every other descriptor closed. */
#ifndef TALA_SSE_FANOUT_H
#define TALA_SSE_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Records on the socketpair (one record per SEQPACKET message): a header, the topic name,
 * then data. Server → child: FANOUT_EVENT (data: the event's text), FANOUT_VIEWER (data: the
 * topic's latest event text, may be empty; one descriptor attached; flags: FANOUT_CHUNKED).
 * Child → server: FANOUT_GONE (no topic; data: viewer ids as uint64_t). FANOUT_PING (header
 * only) goes to each child every second and comes straight back: a child that has not
 * answered for FANOUT_HUNG_MS is hung (a viewer handed to it would get nothing) and killed. */
enum fanout_type { FANOUT_EVENT = 'E', FANOUT_VIEWER = 'V', FANOUT_GONE = 'G', FANOUT_PING = 'P' };
enum { FANOUT_CHUNKED = 1 };
enum { FANOUT_HUNG_MS = 3000 };
enum { FANOUT_RECORD_MAX = 192 * 1024 }; /* largest record; a larger event is not fanned out */

struct fanout_hdr {
	uint8_t type;
	uint8_t flags;
	uint16_t topic_len;
	uint32_t data_len;
	uint64_t id;     /* the event's id */
	uint64_t viewer; /* FANOUT_VIEWER: the server's id of the viewer */
};

/* Starts n fan-out processes (0: none; every viewer stays in the server process). exe is the
 * server's binary (/proc/self/exe). Returns 0, or -1 when none could start (the caller goes
 * on without fan-out). */
int sse_fanout_start(int n);
/* Ends every child's streams (each viewer gets the stream's end), waits for the children
 * (up to ~3 s, then SIGKILL) and stops the monitor thread. */
void sse_fanout_stop(void);
/* Whether fan-out processes are running (new viewers may be handed off). */
bool sse_fanout_on(void);
/* Whether ip already has --per-ip-connections viewers in the children. */
bool sse_fanout_ip_full(const char *ip);
/* Hands the viewer's socket fd (a suspended MHD connection's descriptor, its head sent) to a
 * child with topic and the topic's latest event (text, len, id; text may be NULL). On 0 the
 * child owns the socket and fd refers to a placeholder socket that MHD may close; on -1
 * (no child, all full, send failed) nothing changed and the viewer stays in-process. */
int sse_fanout_take(int fd, const char *topic, const char *text, size_t len, uint64_t id,
		    bool chunked, const char *ip);
/* Sends (topic, text, id) to every child; caller holds the topic's lock (events of a topic
 * and hand-offs to it reach a child in the order they were made). */
void sse_fanout_publish(const char *topic, const char *text, size_t len, uint64_t id);
/* How many of topic's viewers the children hold. */
size_t sse_fanout_viewers(const char *topic);

/* `tala sse-fanout --fd N --parent PID`: the child's main (sse_child.c). */
int sse_child_main(int argc, char **argv);

#endif
