/* sse.c — the SSE hub: topics, their latest event, their viewers (suspended connections,
 * or handed to the fan-out processes of sse_fanout.c), coalesced renders and pings on one
 * hub thread. See sse.h.
 *
 * Locking: the hub lock guards the topic list and the dirty flags; each topic's lock guards
 * its viewers, their positions and its latest event. A viewer is suspended and resumed only
 * under its topic's lock, so a resume never misses a viewer that is about to suspend. */
#include "http/sse.h"

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "http/server_internal.h"
#include "http/sse_fanout.h"

#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct sse_msg {
	_Atomic long refs;
	size_t len;
	uint64_t id;
	char text[];
};

struct sse_topic;

struct sse_sub {
	struct sse_sub *prev, *next;
	struct sse_topic *topic;
	struct MHD_Connection *conn;
	struct sse_msg *cur; /* being written */
	size_t off;
	uint64_t seq;        /* the topic's seq of the last event taken */
	int64_t last_ms;     /* when something was last written */
	int fd;              /* the viewer's socket, -1 if unknown */
	bool suspended, ping;
	bool gone;           /* the viewer hung up while suspended: end with an error */
	bool handoff;        /* to be handed to a fan-out process at the reader's first call */
	bool handed;         /* a fan-out process has its socket: end this MHD side quietly */
	bool chunked;        /* the response is chunked (HTTP/1.1) */
	struct http_req *req; /* valid until the connection completes */
	char ip[64];
};

struct sse_topic {
	struct sse_topic *next;
	char name[SSE_TOPIC_MAX + 1];
	pthread_mutex_t lock;
	struct sse_sub *subs;
	size_t nsubs;
	struct sse_msg *latest;
	uint64_t seq;
	/* under the hub lock */
	bool dirty;
	const char *event;
	sse_render_fn render;
};

static pthread_mutex_t hub_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hub_cond;
static struct sse_topic *hub_topics;
static bool hub_dirty, hub_running;
static atomic_bool hub_stopping;
static pthread_t hub_thread;

static struct sse_msg *sse_ping_msg; /* made by sse_start, never freed (refs start high) */
static const char SSE_PING[] = "event: ping\ndata: {}\n\n";

static void sse_msg_unref(struct sse_msg *m)
{
	if (m && atomic_fetch_sub(&m->refs, 1) == 1)
		free(m);
}

static struct sse_msg *sse_msg_new(const char *event, const char *data, uint64_t id)
{
	size_t cap = strlen(event) + strlen(data) + 64;
	struct sse_msg *m = xmalloc(sizeof(*m) + cap);
	atomic_init(&m->refs, 1);
	m->id = id;
	int n = snprintf(m->text, cap, "event: %s\nid: %llu\ndata: %s\n\n", event,
			 (unsigned long long)id, data);
	m->len = n > 0 ? (size_t)n : 0;
	return m;
}

/* The topic named name, created when create is set; hub lock held. */
static struct sse_topic *sse_topic_find(const char *name, bool create)
{
	for (struct sse_topic *t = hub_topics; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	if (!create)
		return NULL;
	struct sse_topic *t = xcalloc(1, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	pthread_mutex_init(&t->lock, NULL);
	t->next = hub_topics;
	hub_topics = t;
	return t;
}

static struct sse_topic *sse_topic_get(const char *name, bool create)
{
	pthread_mutex_lock(&hub_lock);
	struct sse_topic *t = sse_topic_find(name, create);
	pthread_mutex_unlock(&hub_lock);
	return t;
}

/* Resumes every suspended viewer of t; topic lock held. */
static void sse_wake_all(struct sse_topic *t)
{
	for (struct sse_sub *s = t->subs; s; s = s->next) {
		if (s->suspended) {
			s->suspended = false;
			MHD_resume_connection(s->conn);
		}
	}
}

static void sse_publish_topic(struct sse_topic *t, const char *event, const char *data,
			      uint64_t id)
{
	pthread_mutex_lock(&t->lock);
	if (t->latest && id <= t->latest->id) {
		pthread_mutex_unlock(&t->lock);
		return;
	}
	struct sse_msg *m = sse_msg_new(event, data, id);
	sse_msg_unref(t->latest);
	t->latest = m;
	t->seq++;
	sse_fanout_publish(t->name, m->text, m->len, m->id);
	sse_wake_all(t);
	pthread_mutex_unlock(&t->lock);
}

void sse_publish(const char *topic, const char *event, const char *data, uint64_t id)
{
	struct sse_topic *t = sse_topic_get(topic, true);
	sse_publish_topic(t, event, data, id);
}

size_t sse_viewers(const char *topic)
{
	struct sse_topic *t = sse_topic_get(topic, false);
	if (!t)
		return 0;
	pthread_mutex_lock(&t->lock);
	size_t n = t->nsubs;
	pthread_mutex_unlock(&t->lock);
	return n + sse_fanout_viewers(topic);
}

void sse_touch(const char *topic, const char *event, sse_render_fn render)
{
	pthread_mutex_lock(&hub_lock);
	if (hub_running && !atomic_load(&hub_stopping)) {
		struct sse_topic *t = sse_topic_find(topic, true);
		if (!t->dirty) {
			t->dirty = true;
			t->event = event;
			t->render = render;
			if (!hub_dirty) {
				hub_dirty = true;
				pthread_cond_signal(&hub_cond);
			}
		}
	}
	pthread_mutex_unlock(&hub_lock);
}

/* Hands s to a fan-out process; topic lock held, called by the content reader the first
 * time, so MHD has sent the whole response head and holds nothing else to write. Suspending
 * takes the connection out of MHD's epoll set at once (internal_suspend_connection_ in
 * 0.9.75), so the descriptor can change under MHD: sse_fanout_take puts a placeholder socket
 * in its place, and what MHD does on closing it (shutdown(SHUT_WR) in
 * MHD_connection_mark_closed_, epoll removal, close) never reaches the viewer's socket. The
 * resumed reader then ends this side with END_WITH_ERROR. Whether or not the hand-off
 * worked, the reader returns 0 and is called again after the resume. */
static void sse_handoff(struct sse_sub *s, struct sse_topic *t)
{
	MHD_suspend_connection(s->conn);
	int rc = sse_fanout_take(s->fd, t->name, t->latest ? t->latest->text : NULL,
				 t->latest ? t->latest->len : 0, t->latest ? t->latest->id : 0,
				 s->chunked, s->ip);
	if (rc == 0) {
		s->handed = true;
		t->nsubs--; /* counted by the fan-out side now */
		s->req->sse_handed = true;
	}
	MHD_resume_connection(s->conn);
}

/* The content reader: writes what the viewer has not had yet, else suspends. */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct sse_sub *s = cls;
	struct sse_topic *t = s->topic;
	size_t n = 0;
	pthread_mutex_lock(&t->lock);
	if (s->handoff) {
		s->handoff = false;
		if (!atomic_load(&hub_stopping)) {
			sse_handoff(s, t);
			pthread_mutex_unlock(&t->lock);
			return 0;
		}
	}
	if (s->gone || s->handed) {
		/* MHD closes the connection (and its descriptor) now. */
		pthread_mutex_unlock(&t->lock);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	while (n < max) {
		if (s->cur) {
			size_t k = s->cur->len - s->off;
			if (k > max - n)
				k = max - n;
			memcpy(buf + n, s->cur->text + s->off, k);
			n += k;
			s->off += k;
			if (s->off == s->cur->len) {
				sse_msg_unref(s->cur);
				s->cur = NULL;
			}
			continue;
		}
		if (t->latest && s->seq != t->seq) {
			s->cur = t->latest;
			atomic_fetch_add(&s->cur->refs, 1);
			s->off = 0;
			s->seq = t->seq;
			s->ping = false;
			continue;
		}
		if (s->ping && sse_ping_msg) {
			s->ping = false;
			s->cur = sse_ping_msg;
			atomic_fetch_add(&s->cur->refs, 1);
			s->off = 0;
			continue;
		}
		break;
	}
	if (n > 0) {
		s->last_ms = clock_mono_ms();
		pthread_mutex_unlock(&t->lock);
		return (ssize_t)n;
	}
	if (atomic_load(&hub_stopping)) {
		pthread_mutex_unlock(&t->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static void sse_free(void *cls)
{
	struct sse_sub *s = cls;
	struct sse_topic *t = s->topic;
	pthread_mutex_lock(&t->lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		t->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (!s->handed)
		t->nsubs--;
	sse_msg_unref(s->cur);
	pthread_mutex_unlock(&t->lock);
	free(s);
}

int sse_reply(struct http_req *r, const char *topic, const char *event, const char *data,
	      uint64_t id)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd = ci ? (int)ci->connect_fd : -1;
	/* A handed-off viewer no longer counts in MHD's --per-ip-connections: the same cap on
	 * the viewers the fan-out processes hold. */
	bool fan = fd >= 0 && r->method == HTTP_GET && sse_fanout_on();
	if (fan && sse_fanout_ip_full(r->ip))
		return http_reply_problem(r, "rate.limited", "too many live viewers from this address",
					  NULL);
	struct sse_topic *t = sse_topic_get(topic, true);
	sse_publish_topic(t, event, data, id);
	struct sse_sub *s = xcalloc(1, sizeof(*s));
	s->topic = t;
	s->conn = r->conn;
	s->last_ms = clock_mono_ms();
	s->fd = fd;
	s->handoff = fan;
	s->chunked = !r->http10;
	s->req = r;
	snprintf(s->ip, sizeof(s->ip), "%s", r->ip);
	pthread_mutex_lock(&t->lock);
	s->next = t->subs;
	if (t->subs)
		t->subs->prev = s;
	t->subs = s;
	t->nsubs++;
	pthread_mutex_unlock(&t->lock);
	struct MHD_Response *resp =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, sse_read, s, sse_free);
	if (!resp) {
		sse_free(s);
		return MHD_NO;
	}
	http_response_headers(r, resp);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	r->status = 200;
	r->replied = true;
	enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A suspended connection is not in MHD's epoll set, so MHD would notice a viewer that hung
 * up only on the next write (an event or the ping, and the first write to a closed socket
 * succeeds). Polls the suspended viewers' sockets of t (timeout 0, one poll(2) for the
 * topic) and resumes the ones whose peer closed or reset, marked gone: their reader ends
 * the stream with an error and MHD closes the connection at once. Viewers do not send after
 * their request, so end of input (POLLRDHUP) means they left; pending input alone (POLLIN)
 * is left alone. Topic lock held: a suspended connection is not closed meanwhile, so its
 * descriptor is still its own. */
static void sse_sweep_topic(struct sse_topic *t, struct pollfd **pfd, struct sse_sub ***who,
			    size_t *cap)
{
	size_t n = 0;
	for (struct sse_sub *s = t->subs; s; s = s->next) {
		if (!s->suspended || s->fd < 0)
			continue;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*pfd = xrealloc(*pfd, *cap * sizeof(**pfd));
			*who = xrealloc(*who, *cap * sizeof(**who));
		}
		(*pfd)[n] = (struct pollfd){.fd = s->fd, .events = POLLRDHUP};
		(*who)[n++] = s;
	}
	if (n == 0 || poll(*pfd, (nfds_t)n, 0) <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!((*pfd)[i].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)))
			continue;
		struct sse_sub *s = (*who)[i];
		s->gone = true;
		s->suspended = false;
		MHD_resume_connection(s->conn);
	}
}

static void sse_sweep(void)
{
	static struct pollfd *pfd; /* the hub thread's only */
	static struct sse_sub **who;
	static size_t cap;
	pthread_mutex_lock(&hub_lock);
	struct sse_topic *first = hub_topics;
	pthread_mutex_unlock(&hub_lock);
	for (struct sse_topic *t = first; t; t = t->next) {
		pthread_mutex_lock(&t->lock);
		sse_sweep_topic(t, &pfd, &who, &cap);
		pthread_mutex_unlock(&t->lock);
	}
}

static void sse_ping_scan(void)
{
	int64_t now = clock_mono_ms();
	pthread_mutex_lock(&hub_lock);
	struct sse_topic *first = hub_topics;
	pthread_mutex_unlock(&hub_lock);
	/* Topics are never freed while the hub runs; new ones are added at the head. */
	for (struct sse_topic *t = first; t; t = t->next) {
		pthread_mutex_lock(&t->lock);
		for (struct sse_sub *s = t->subs; s; s = s->next) {
			if (s->handed || now - s->last_ms < SSE_PING_MS || s->ping)
				continue;
			s->ping = true;
			if (s->suspended) {
				s->suspended = false;
				MHD_resume_connection(s->conn);
			}
		}
		pthread_mutex_unlock(&t->lock);
	}
}

struct sse_job {
	struct sse_topic *t;
	const char *event;
	sse_render_fn render;
};

static void sse_deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *sse_hub(void *arg)
{
	(void)arg;
	int64_t next_ping = clock_mono_ms() + 1000;
	struct sse_job *jobs = NULL;
	size_t cap = 0;
	pthread_mutex_lock(&hub_lock);
	while (!atomic_load(&hub_stopping)) {
		if (!hub_dirty) {
			struct timespec ts;
			int64_t wait = next_ping - clock_mono_ms();
			sse_deadline(&ts, wait > 0 ? wait : 0);
			pthread_cond_timedwait(&hub_cond, &hub_lock, &ts);
		}
		if (atomic_load(&hub_stopping))
			break;
		if (hub_dirty) {
			/* Let a burst of changes gather, then render each topic once. */
			pthread_mutex_unlock(&hub_lock);
			struct timespec nap = {.tv_sec = 0, .tv_nsec = SSE_COALESCE_MS * 1000000L};
			nanosleep(&nap, NULL);
			pthread_mutex_lock(&hub_lock);
			size_t n = 0;
			for (struct sse_topic *t = hub_topics; t; t = t->next) {
				if (!t->dirty)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					jobs = xrealloc(jobs, cap * sizeof(*jobs));
				}
				jobs[n++] = (struct sse_job){t, t->event, t->render};
				t->dirty = false;
			}
			hub_dirty = false;
			pthread_mutex_unlock(&hub_lock);
			for (size_t i = 0; i < n; i++) {
				uint64_t id = 0;
				char *data = jobs[i].render(jobs[i].t->name, &id);
				if (data)
					sse_publish_topic(jobs[i].t, jobs[i].event, data, id);
				free(data);
			}
			pthread_mutex_lock(&hub_lock);
		}
		if (clock_mono_ms() >= next_ping) {
			pthread_mutex_unlock(&hub_lock);
			sse_sweep();
			sse_ping_scan();
			pthread_mutex_lock(&hub_lock);
			next_ping = clock_mono_ms() + 1000;
		}
	}
	pthread_mutex_unlock(&hub_lock);
	free(jobs);
	return NULL;
}

int sse_start(void)
{
	if (!sse_ping_msg) {
		sse_ping_msg = xmalloc(sizeof(*sse_ping_msg) + sizeof(SSE_PING));
		atomic_init(&sse_ping_msg->refs, 1L << 40);
		sse_ping_msg->id = 0;
		sse_ping_msg->len = sizeof(SSE_PING) - 1;
		memcpy(sse_ping_msg->text, SSE_PING, sizeof(SSE_PING));
	}
	/* Children first, before the hub thread (posix_spawn is safe later too: respawns). */
	if (cfg.sse_procs > 0 && sse_fanout_start((int)cfg.sse_procs) < 0)
		log_warn("sse: continuing without fan-out processes (--sse-procs 0)");
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hub_cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_store(&hub_stopping, false);
	pthread_mutex_lock(&hub_lock);
	hub_running = true;
	pthread_mutex_unlock(&hub_lock);
	if (pthread_create(&hub_thread, NULL, sse_hub, NULL) != 0) {
		hub_running = false;
		log_error("sse: cannot start the hub thread");
		return -1;
	}
	return 0;
}

void sse_stop(void)
{
	pthread_mutex_lock(&hub_lock);
	bool running = hub_running;
	atomic_store(&hub_stopping, true);
	pthread_cond_signal(&hub_cond);
	pthread_mutex_unlock(&hub_lock);
	if (running)
		pthread_join(hub_thread, NULL);
	pthread_mutex_lock(&hub_lock);
	hub_running = false;
	struct sse_topic *first = hub_topics;
	pthread_mutex_unlock(&hub_lock);
	/* Every viewer's reader now ends its stream; the children end theirs. */
	for (struct sse_topic *t = first; t; t = t->next) {
		pthread_mutex_lock(&t->lock);
		sse_wake_all(t);
		pthread_mutex_unlock(&t->lock);
	}
	sse_fanout_stop();
}
