/* sse_child.c — `tala sse-fanout`, one SSE fan-out process (see sse_fanout.h). One thread,
 * one epoll set: the socketpair to the server and the viewers' sockets (non-blocking,
 * edge-triggered). An event is kept once per topic, framed once (chunk header, text, CRLF)
 * and written to each viewer from that one buffer. A viewer whose socket is full keeps the
 * event it is part-way through; when it drains it takes the topic's latest, never a backlog.
 * A viewer that hangs up (EPOLLRDHUP, HUP, ERR, EOF, a write error) is closed at once and
 * reported to the server. `event: ping` after SSE_PING_MS without a write. On EOF from the
 * server, SIGTERM or the server's death (PR_SET_PDEATHSIG) every stream is ended and the
 * process exits. */
#include "http/sse_fanout.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/sse.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	CHILD_DRAIN_MAX = 65536, /* a viewer that sends more than this after its request goes */
	CHILD_GONE_BATCH = 4096, /* viewer ids per FANOUT_GONE record */
	CHILD_EVENTS = 256,
	CHILD_PASS_CHECK = 512, /* viewers written between two looks at the server's records */
	CHILD_SNDBUF = 64 * 1024, /* a viewer socket's send buffer (the kernel doubles it) */
};

/* An event as written: "%zx\r\n" text "\r\n"; raw (HTTP/1.0) viewers get text alone. */
struct cmsg {
	long refs;
	uint64_t id;
	size_t hdr, len; /* chunk header length, text length */
	char bytes[];
};

struct ctopic;

struct cviewer {
	int fd;
	bool chunked, ping;
	struct ctopic *topic;
	size_t idx; /* in topic->v */
	struct cmsg *cur;
	size_t off;
	uint64_t seq; /* the topic's seq of the event last taken */
	int64_t last_ms;
	uint64_t id;
};

struct ctopic {
	struct ctopic *next;
	char name[SSE_TOPIC_MAX + 1];
	struct cmsg *latest;
	uint64_t seq;
	struct cviewer **v;
	size_t n, cap;
	bool dirty; /* latest changed since the last pass */
};

static struct cviewer **child_by_fd;
static size_t child_by_fd_cap;
static struct ctopic *child_topics;
static uint64_t *child_gone;
static size_t child_ngone, child_gone_cap;
static struct cmsg *child_ping;
static int child_ctl = -1;
static volatile sig_atomic_t child_stop;
static bool child_parent_gone;

static void child_on_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

static struct cmsg *cmsg_new(const char *text, size_t len, uint64_t id)
{
	struct cmsg *m = xmalloc(sizeof(*m) + len + 24);
	m->refs = 1;
	m->id = id;
	int h = snprintf(m->bytes, 20, "%zx\r\n", len);
	m->hdr = h > 0 ? (size_t)h : 0;
	m->len = len;
	memcpy(m->bytes + m->hdr, text, len);
	memcpy(m->bytes + m->hdr + len, "\r\n", 2);
	return m;
}

static void cmsg_unref(struct cmsg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

static struct ctopic *ctopic_get(const char *name, size_t len)
{
	for (struct ctopic *t = child_topics; t; t = t->next)
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0)
			return t;
	struct ctopic *t = xcalloc(1, sizeof(*t));
	memcpy(t->name, name, len);
	t->next = child_topics;
	child_topics = t;
	return t;
}

/* Notes a departed viewer for the next FANOUT_GONE record. */
static void child_gone_add(uint64_t id)
{
	if (child_ngone == child_gone_cap) {
		child_gone_cap = child_gone_cap ? child_gone_cap * 2 : 256;
		child_gone = xrealloc(child_gone, child_gone_cap * sizeof(*child_gone));
	}
	child_gone[child_ngone++] = id;
}

static void child_viewer_close(struct cviewer *v, bool report)
{
	struct ctopic *t = v->topic;
	close(v->fd); /* also leaves the epoll set: this was the socket's last descriptor */
	child_by_fd[v->fd] = NULL;
	t->v[v->idx] = t->v[--t->n];
	t->v[v->idx]->idx = v->idx;
	cmsg_unref(v->cur);
	if (report)
		child_gone_add(v->id);
	free(v);
}

/* Writes what v has not had yet until done or the socket is full. Returns -1 when v was
 * closed (a write error: the viewer left). */
static int child_viewer_flush(struct cviewer *v, int64_t now)
{
	for (;;) {
		if (!v->cur) {
			struct ctopic *t = v->topic;
			if (t->latest && v->seq != t->seq) {
				v->cur = t->latest;
				v->seq = t->seq;
				v->ping = false;
			} else if (v->ping) {
				v->cur = child_ping;
				v->ping = false;
			} else {
				return 0;
			}
			v->cur->refs++;
			v->off = 0;
		}
		const char *p = v->chunked ? v->cur->bytes : v->cur->bytes + v->cur->hdr;
		size_t len = v->chunked ? v->cur->hdr + v->cur->len + 2 : v->cur->len;
		ssize_t k = send(v->fd, p + v->off, len - v->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0; /* EPOLLOUT (edge) calls again */
			if (errno == EINTR)
				continue;
			child_viewer_close(v, true);
			return -1;
		}
		v->off += (size_t)k;
		v->last_ms = now;
		if (v->off == len) {
			cmsg_unref(v->cur);
			v->cur = NULL;
		}
	}
}

/* Makes m the latest event of t (unless t holds a newer one); the next pass over t writes
 * it. Takes m. */
static void child_publish(struct ctopic *t, struct cmsg *m)
{
	if (t->latest && m->id <= t->latest->id) {
		cmsg_unref(m);
		return;
	}
	cmsg_unref(t->latest);
	t->latest = m;
	t->seq++;
	t->dirty = true;
}

static int child_read_ctl(int ep);

/* Writes t's latest event to every viewer of t that is not part-way through an earlier one.
 * Every CHILD_PASS_CHECK viewers it takes the server's new records, so a newer event that
 * arrives during a long pass goes to the rest of this pass at once (and to the viewers
 * already done in the next): under a burst a viewer waits for about one pass, and events
 * queued meanwhile coalesce into the latest instead of a pass each. */
static void child_pass(int ep, struct ctopic *t)
{
	t->dirty = false;
	int64_t now = clock_mono_ms(), start = now;
	size_t n = t->n;
	/* Downwards: a closed viewer's slot takes the last one, already written; viewers added
	 * meanwhile go at the end and were written when added. */
	for (size_t i = t->n; i-- > 0;) {
		if (i < t->n && !t->v[i]->cur)
			child_viewer_flush(t->v[i], now);
		if (i % CHILD_PASS_CHECK == 0 && i > 0) {
			if (child_read_ctl(ep) < 0)
				child_parent_gone = true;
			now = clock_mono_ms();
		}
	}
	log_debug("sse-fanout: a pass over %zu viewers of %s took %lld ms", n, t->name,
		  (long long)(clock_mono_ms() - start));
}

static void child_add_viewer(int ep, int fd, struct ctopic *t, bool chunked, uint64_t id)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		close(fd);
		child_gone_add(id);
		return;
	}
	/* MHD may have left the socket corked after the head: push what follows at once. A
	 * fixed send buffer of CHILD_SNDBUF (no autotuning up to tcp_wmem's megabytes): a
	 * viewer that reads slowly holds a few events in the kernel, then its socket is full
	 * and it gets the latest event when it drains, not a backlog. */
	int off = 0, on = 1, sndbuf = CHILD_SNDBUF;
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if ((size_t)fd >= child_by_fd_cap) {
		size_t cap = child_by_fd_cap ? child_by_fd_cap : 1024;
		while (cap <= (size_t)fd)
			cap *= 2;
		child_by_fd = xrealloc(child_by_fd, cap * sizeof(*child_by_fd));
		memset(child_by_fd + child_by_fd_cap, 0, (cap - child_by_fd_cap) * sizeof(*child_by_fd));
		child_by_fd_cap = cap;
	}
	struct cviewer *v = xcalloc(1, sizeof(*v));
	v->fd = fd;
	v->chunked = chunked;
	v->topic = t;
	v->id = id;
	v->last_ms = clock_mono_ms();
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	v->idx = t->n;
	t->v[t->n++] = v;
	child_by_fd[fd] = v;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = fd};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		child_viewer_close(v, true);
		return;
	}
	child_viewer_flush(v, clock_mono_ms());
}

/* Reads the records the server sent. Returns -1 when the server is gone (EOF or error). */
static int child_read_ctl(int ep)
{
	static char *buf;
	if (!buf)
		buf = xmalloc(FANOUT_RECORD_MAX);
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(int) * 4)];
		struct iovec iov = {.iov_base = buf, .iov_len = FANOUT_RECORD_MAX};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(child_ctl, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		int fd = -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfd; i++) {
				int f;
				memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (fd < 0)
					fd = f;
				else
					close(f);
			}
		}
		struct fanout_hdr h;
		if ((size_t)n < sizeof(h)) {
			log_error("sse-fanout: short record (%zd bytes)", n);
			goto skip;
		}
		memcpy(&h, buf, sizeof(h));
		if (h.type == FANOUT_PING) {
			struct fanout_hdr pong = {.type = FANOUT_PING};
			if (send(child_ctl, &pong, sizeof(pong), MSG_NOSIGNAL) < 0 && errno != EINTR)
				child_parent_gone = true;
			goto skip;
		}
		if (h.topic_len == 0 || h.topic_len > SSE_TOPIC_MAX ||
		    sizeof(h) + h.topic_len + (size_t)h.data_len != (size_t)n) {
			log_error("sse-fanout: malformed record");
			goto skip;
		}
		struct ctopic *t = ctopic_get(buf + sizeof(h), h.topic_len);
		const char *data = buf + sizeof(h) + h.topic_len;
		if (h.data_len > 0)
			child_publish(t, cmsg_new(data, h.data_len, h.id));
		if (h.type == FANOUT_VIEWER && fd >= 0) {
			child_add_viewer(ep, fd, t, h.flags & FANOUT_CHUNKED, h.viewer);
			fd = -1;
		} else if (h.type == FANOUT_VIEWER) {
			/* The descriptor did not arrive (MSG_CTRUNC: out of descriptors): the
			 * kernel closed it; the server must not count the viewer. */
			log_error("sse-fanout: a viewer's socket did not arrive");
			child_gone_add(h.viewer);
		}
	skip:
		if (fd >= 0)
			close(fd);
	}
}

static void child_report_gone(void)
{
	size_t at = 0;
	while (at < child_ngone && !child_parent_gone) {
		size_t k = child_ngone - at;
		if (k > CHILD_GONE_BATCH)
			k = CHILD_GONE_BATCH;
		struct fanout_hdr h = {.type = FANOUT_GONE, .data_len = (uint32_t)(k * sizeof(uint64_t))};
		struct iovec iov[2] = {{&h, sizeof(h)}, {child_gone + at, k * sizeof(uint64_t)}};
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
		if (sendmsg(child_ctl, &mh, MSG_NOSIGNAL) < 0) {
			if (errno == EINTR)
				continue;
			child_parent_gone = true;
			break;
		}
		at += k;
	}
	child_ngone = 0;
}

static void child_ping_scan(int64_t now)
{
	for (struct ctopic *t = child_topics; t; t = t->next) {
		for (size_t i = t->n; i-- > 0;) {
			struct cviewer *v = t->v[i];
			if (v->cur || now - v->last_ms < SSE_PING_MS)
				continue;
			v->ping = true;
			child_viewer_flush(v, now);
		}
	}
}

/* Ends every stream (the last chunk where a viewer is between events) and frees all. */
static void child_end_all(void)
{
	for (struct ctopic *t = child_topics; t;) {
		while (t->n > 0) {
			struct cviewer *v = t->v[t->n - 1];
			if (v->chunked && !v->cur)
				(void)!send(v->fd, "0\r\n\r\n", 5, MSG_NOSIGNAL | MSG_DONTWAIT);
			child_viewer_close(v, false);
		}
		struct ctopic *next = t->next;
		cmsg_unref(t->latest);
		free(t->v);
		free(t);
		t = next;
	}
	child_topics = NULL;
	free(child_by_fd);
	free(child_gone);
	cmsg_unref(child_ping);
}

static void child_usage(void)
{
	fprintf(stderr, "usage: tala sse-fanout --fd N --parent PID (started by tala serve)\n");
}

int sse_child_main(int argc, char **argv)
{
	long fd = -1, parent = -1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--fd") == 0)
			fd = strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--parent") == 0)
			parent = strtol(argv[i + 1], NULL, 10);
	}
	if (fd < 3 || fd > 1023 || parent <= 1) {
		child_usage();
		return 2;
	}
	child_ctl = (int)fd;
	const char *lvl = getenv("TALA_LOG");
	if (lvl && strcmp(lvl, "debug") == 0)
		log_set_level(LOG_DEBUG);
	/* Die with the server; it may have died before this line. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_NAME, "tala-sse-fanout"); /* not "exe" (/proc/self/exe) in ps and top */
	if (getppid() != (pid_t)parent)
		return 0;
	/* Hold nothing of the server's: every descriptor but stdio and the socketpair goes. */
	if (child_ctl > 3)
		close_range(3, (unsigned)child_ctl - 1, 0);
	close_range((unsigned)child_ctl + 1, ~0U, 0);
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN); /* a terminal's ^C: the server ends us in order */
	struct sigaction sa = {.sa_handler = child_on_term};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigset_t term, during;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &during);
	sigdelset(&during, SIGTERM);

	static const char ping[] = "event: ping\ndata: {}\n\n";
	child_ping = cmsg_new(ping, sizeof(ping) - 1, 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event cev = {.events = EPOLLIN, .data.fd = child_ctl};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, child_ctl, &cev) < 0) {
		log_error("sse-fanout: epoll: %s", strerror(errno));
		return 1;
	}
	log_debug("sse-fanout: pid %d ready", (int)getpid());
	struct epoll_event evs[CHILD_EVENTS];
	int64_t next_ping = clock_mono_ms() + 1000;
	char scratch[4096];
	while (!child_stop && !child_parent_gone) {
		int64_t wait = next_ping - clock_mono_ms();
		int n = epoll_pwait(ep, evs, CHILD_EVENTS, wait > 0 ? (int)wait : 0, &during);
		if (n < 0 && errno != EINTR) {
			log_error("sse-fanout: epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			int f = evs[i].data.fd;
			uint32_t e = evs[i].events;
			if (f == child_ctl) {
				if (child_read_ctl(ep) < 0)
					child_parent_gone = true;
				continue;
			}
			struct cviewer *v = (size_t)f < child_by_fd_cap ? child_by_fd[f] : NULL;
			if (!v)
				continue;
			if (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				child_viewer_close(v, true);
				continue;
			}
			if (e & EPOLLIN) {
				/* Viewers send nothing after their request: discard, and notice EOF. */
				size_t got = 0;
				bool closed = false;
				for (;;) {
					ssize_t k = recv(f, scratch, sizeof(scratch), MSG_DONTWAIT);
					if (k > 0 && (got += (size_t)k) <= CHILD_DRAIN_MAX)
						continue;
					if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
						break;
					if (k < 0 && errno == EINTR)
						continue;
					closed = true;
					break;
				}
				if (closed) {
					child_viewer_close(v, true);
					continue;
				}
			}
			if (e & EPOLLOUT)
				child_viewer_flush(v, clock_mono_ms());
		}
		bool again;
		do {
			again = false;
			for (struct ctopic *t = child_topics; t && !child_parent_gone; t = t->next) {
				if (t->dirty) {
					child_pass(ep, t);
					again = again || t->dirty;
				}
			}
		} while (again && !child_stop && !child_parent_gone);
		int64_t now = clock_mono_ms();
		if (now >= next_ping) {
			child_ping_scan(now);
			next_ping = now + 1000;
		}
		if (child_ngone)
			child_report_gone();
	}
	child_end_all();
	close(ep);
	close(child_ctl);
	return 0;
}
