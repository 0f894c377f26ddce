/* sse_fanout.c — the server's side of the SSE fan-out processes (see sse_fanout.h): starting
 * and respawning `tala sse-fanout` children, handing viewers' sockets to them, sending them
 * every event, and counting the viewers they hold (per topic, per child, per client IP).
 *
 * Locking: fan_lock guards the viewer, topic and IP tables and each slot's count; a slot's
 * lock guards its socket and pid while a record is sent. Order: a topic's lock (sse.c), then
 * fan_lock or a slot's lock, never both of the last two at once. */
#include "http/sse_fanout.h"

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/sse.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum {
	FAN_SLOTS_MAX = 64,
	FAN_VBUCKETS = 1 << 15,
	FAN_IPBUCKETS = 1 << 12,
	FAN_SEND_TIMEOUT_MS = 2000, /* a child that takes no record for this long is killed */
	FAN_STOP_WAIT_MS = 3000,    /* at shutdown, then SIGKILL */
	FAN_CHILD_FD = 3,           /* the socketpair's end in the child */
};

struct fan_slot {
	pthread_mutex_t lock; /* sock and pid while sending */
	int sock;             /* -1 when the child is down */
	pid_t pid;
	unsigned gen;         /* bumped at each spawn; under lock */
	size_t n;             /* viewers it holds; under fan_lock */
	atomic_bool up;       /* its child is running: new viewers may go to it */
	int64_t retry_ms;     /* when to try spawning again */
	int64_t pong_ms;      /* when it last answered FANOUT_PING (monitor thread only) */
};

struct fan_topic {
	struct fan_topic *next;
	char name[SSE_TOPIC_MAX + 1];
	size_t n;
};

struct fan_ip {
	struct fan_ip *next;
	char ip[64];
	size_t n;
};

struct fan_viewer {
	struct fan_viewer *next;
	uint64_t id;
	struct fan_topic *topic;
	struct fan_ip *ip;
	int slot;
};

static pthread_mutex_t fan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fan_slot fan_slots[FAN_SLOTS_MAX];
static int fan_nslots;
static size_t fan_slot_cap; /* viewers a child can hold (its descriptor limit less a margin) */
static struct fan_viewer *fan_viewers[FAN_VBUCKETS];
static struct fan_ip *fan_ips[FAN_IPBUCKETS];
static struct fan_topic *fan_topics;
static uint64_t fan_next_id;
static atomic_bool fan_running, fan_stopping;
static int fan_wake = -1;
static pthread_t fan_monitor;
static bool fan_monitor_started;

static unsigned fan_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* fan_lock held. */
static struct fan_ip *fan_ip_find(const char *ip, bool create)
{
	unsigned b = fan_hash(ip) & (FAN_IPBUCKETS - 1);
	for (struct fan_ip *p = fan_ips[b]; p; p = p->next)
		if (strcmp(p->ip, ip) == 0)
			return p;
	if (!create)
		return NULL;
	struct fan_ip *p = xcalloc(1, sizeof(*p));
	snprintf(p->ip, sizeof(p->ip), "%s", ip);
	p->next = fan_ips[b];
	fan_ips[b] = p;
	return p;
}

/* fan_lock held. */
static void fan_ip_drop(struct fan_ip *p)
{
	if (--p->n > 0)
		return;
	unsigned b = fan_hash(p->ip) & (FAN_IPBUCKETS - 1);
	for (struct fan_ip **pp = &fan_ips[b]; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			free(p);
			return;
		}
	}
}

/* fan_lock held; topics are kept (few, named by stream) until stop. */
static struct fan_topic *fan_topic_find(const char *name, bool create)
{
	for (struct fan_topic *t = fan_topics; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	if (!create)
		return NULL;
	struct fan_topic *t = xcalloc(1, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->next = fan_topics;
	fan_topics = t;
	return t;
}

/* Records a viewer given to slot; fan_lock held. */
static uint64_t fan_viewer_add(int slot, const char *topic, const char *ip)
{
	struct fan_viewer *v = xcalloc(1, sizeof(*v));
	v->id = ++fan_next_id;
	v->slot = slot;
	v->topic = fan_topic_find(topic, true);
	v->ip = fan_ip_find(ip, true);
	v->topic->n++;
	v->ip->n++;
	fan_slots[slot].n++;
	unsigned b = (unsigned)(v->id & (FAN_VBUCKETS - 1));
	v->next = fan_viewers[b];
	fan_viewers[b] = v;
	return v->id;
}

static void fan_viewer_free(struct fan_viewer *v)
{
	v->topic->n--;
	fan_ip_drop(v->ip);
	fan_slots[v->slot].n--;
	free(v);
}

/* Forgets viewer id (it left, or its hand-off failed); fan_lock held. */
static void fan_viewer_del(uint64_t id)
{
	unsigned b = (unsigned)(id & (FAN_VBUCKETS - 1));
	for (struct fan_viewer **pp = &fan_viewers[b]; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct fan_viewer *v = *pp;
			*pp = v->next;
			fan_viewer_free(v);
			return;
		}
	}
}

/* Forgets every viewer of slot (its child died); fan_lock held. Returns how many. */
static size_t fan_viewer_del_slot(int slot)
{
	size_t n = 0;
	for (size_t b = 0; b < FAN_VBUCKETS; b++) {
		for (struct fan_viewer **pp = &fan_viewers[b]; *pp;) {
			struct fan_viewer *v = *pp;
			if (v->slot != slot) {
				pp = &v->next;
				continue;
			}
			*pp = v->next;
			fan_viewer_free(v);
			n++;
		}
	}
	return n;
}

/* The environment a child gets: sanitizer settings and the log level, nothing else (no
 * database URL, no key file). */
static char **fan_child_env(void)
{
	static const char *keep[] = {"ASAN_OPTIONS=", "LSAN_OPTIONS=", "UBSAN_OPTIONS=", "TALA_LOG="};
	size_t n = 0;
	for (char **e = environ; *e; e++)
		n++;
	char **env = xcalloc(n + 1, sizeof(*env));
	size_t k = 0;
	for (char **e = environ; *e; e++)
		for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			if (strncmp(*e, keep[i], strlen(keep[i])) == 0)
				env[k++] = *e;
	return env;
}

/* Starts slot i's child. Returns 0 or -1. */
static int fan_spawn(int i)
{
	struct fan_slot *s = &fan_slots[i];
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_error("sse: fan-out socketpair: %s", strerror(errno));
		return -1;
	}
	if (sv[1] == FAN_CHILD_FD) { /* dup2 onto itself would keep FD_CLOEXEC */
		int f = fcntl(sv[1], F_DUPFD_CLOEXEC, FAN_CHILD_FD + 1);
		close(sv[1]);
		sv[1] = f;
	}
	int buf = 1 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	struct timeval tv = {.tv_sec = FAN_SEND_TIMEOUT_MS / 1000,
			     .tv_usec = (FAN_SEND_TIMEOUT_MS % 1000) * 1000};
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	char fd_arg[16], parent_arg[24];
	snprintf(fd_arg, sizeof(fd_arg), "%d", FAN_CHILD_FD);
	snprintf(parent_arg, sizeof(parent_arg), "%ld", (long)getpid());
	char *argv[] = {"tala", "sse-fanout", "--fd", fd_arg, "--parent", parent_arg, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], FAN_CHILD_FD);
	char **env = fan_child_env();
	pid_t pid = -1;
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(sv[1]);
	if (rc != 0) {
		log_error("sse: cannot start a fan-out process: %s", strerror(rc));
		close(sv[0]);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	s->sock = sv[0];
	s->pid = pid;
	s->gen++;
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->up, true);
	s->pong_ms = clock_mono_ms(); /* time to start up counts as an answer */
	log_info("sse: fan-out process %d started (pid %d)", i, (int)pid);
	return 0;
}

/* Waits up to ms for pid; SIGKILL after that. Returns its wait status. */
static int fan_reap(pid_t pid, int64_t ms)
{
	int st = 0;
	int64_t end = clock_mono_ms() + ms;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return st;
		if (clock_mono_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return st;
		}
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* Slot i's child closed its end (it exited or was killed): reap, log, forget its viewers. */
static void fan_slot_down(int i)
{
	struct fan_slot *s = &fan_slots[i];
	atomic_store(&s->up, false);
	pthread_mutex_lock(&s->lock);
	int sock = s->sock;
	pid_t pid = s->pid;
	s->sock = -1;
	s->pid = 0;
	s->gen++;
	pthread_mutex_unlock(&s->lock);
	if (sock < 0)
		return;
	close(sock);
	int st = pid > 0 ? fan_reap(pid, 1000) : 0;
	pthread_mutex_lock(&fan_lock);
	size_t n = fan_viewer_del_slot(i);
	pthread_mutex_unlock(&fan_lock);
	char how[48];
	if (WIFSIGNALED(st))
		snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(st));
	else
		snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(st));
	log_warn("sse: fan-out process %d (pid %d) ended (%s); its %zu viewers' streams ended; "
		 "respawning", i, (int)pid, how, n);
	s->retry_ms = 0;
}

/* Reads slot i's records (departed viewers). Returns -1 when the child is gone. */
static int fan_read(int i, int sock)
{
	uint64_t buf[(sizeof(struct fanout_hdr) + 4096 * sizeof(uint64_t)) / sizeof(uint64_t) + 1];
	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		struct fanout_hdr h;
		if ((size_t)n < sizeof(h))
			continue;
		memcpy(&h, buf, sizeof(h));
		if (h.type == FANOUT_PING) {
			fan_slots[i].pong_ms = clock_mono_ms();
			continue;
		}
		if (h.type != FANOUT_GONE || sizeof(h) + (size_t)h.data_len != (size_t)n ||
		    h.data_len % sizeof(uint64_t) != 0) {
			log_error("sse: fan-out process %d sent a malformed record", i);
			continue;
		}
		const uint64_t *ids = (const uint64_t *)(const void *)((const char *)buf + sizeof(h));
		size_t k = h.data_len / sizeof(uint64_t);
		pthread_mutex_lock(&fan_lock);
		for (size_t j = 0; j < k; j++)
			fan_viewer_del(ids[j]);
		pthread_mutex_unlock(&fan_lock);
	}
}

/* The monitor thread: departures from every child, children that die, respawns. */
/* Pings every child that is up (never blocking: a full socket skips a ping) and kills one
 * that has not answered for FANOUT_HUNG_MS; its end then comes as EOF (fan_slot_down). */
static void fan_ping(int64_t now)
{
	struct fanout_hdr h = {.type = FANOUT_PING};
	for (int i = 0; i < fan_nslots; i++) {
		struct fan_slot *s = &fan_slots[i];
		pthread_mutex_lock(&s->lock);
		if (s->sock >= 0) {
			(void)!send(s->sock, &h, sizeof(h), MSG_NOSIGNAL | MSG_DONTWAIT);
			if (now - s->pong_ms > FANOUT_HUNG_MS && s->pid > 0) {
				log_error("sse: fan-out process %d (pid %d) has not answered for %d ms; "
					  "killing it", i, (int)s->pid, FANOUT_HUNG_MS);
				kill(s->pid, SIGKILL);
				s->pong_ms = now; /* once */
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
}

static void *fan_monitor_main(void *arg)
{
	(void)arg;
	struct pollfd pfd[FAN_SLOTS_MAX + 1];
	int who[FAN_SLOTS_MAX + 1];
	int64_t next_ping = 0;
	while (!atomic_load(&fan_stopping)) {
		if (clock_mono_ms() >= next_ping) {
			fan_ping(clock_mono_ms());
			next_ping = clock_mono_ms() + 1000;
		}
		int n = 0;
		pfd[n] = (struct pollfd){.fd = fan_wake, .events = POLLIN};
		who[n++] = -1;
		int64_t now = clock_mono_ms();
		for (int i = 0; i < fan_nslots; i++) {
			struct fan_slot *s = &fan_slots[i];
			pthread_mutex_lock(&s->lock);
			int sock = s->sock;
			pthread_mutex_unlock(&s->lock);
			if (sock < 0) {
				if (now >= s->retry_ms && fan_spawn(i) < 0)
					s->retry_ms = now + 1000;
				continue;
			}
			pfd[n] = (struct pollfd){.fd = sock, .events = POLLIN};
			who[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, 1000) <= 0)
			continue;
		for (int j = 1; j < n; j++) {
			if (!pfd[j].revents)
				continue;
			if (fan_read(who[j], pfd[j].fd) < 0 || (pfd[j].revents & (POLLHUP | POLLERR)))
				fan_slot_down(who[j]);
		}
	}
	return NULL;
}

int sse_fanout_start(int n)
{
	if (n <= 0)
		return 0;
	if (n > FAN_SLOTS_MAX)
		n = FAN_SLOTS_MAX;
	struct rlimit nofile;
	rlim_t lim = 1024;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0)
		lim = nofile.rlim_max == RLIM_INFINITY ? 1u << 20 : nofile.rlim_max;
	fan_slot_cap = lim > 128 ? (size_t)lim - 64 : 64;
	fan_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fan_wake < 0) {
		log_error("sse: eventfd: %s", strerror(errno));
		return -1;
	}
	atomic_store(&fan_stopping, false);
	fan_nslots = n;
	int started = 0;
	for (int i = 0; i < n; i++) {
		pthread_mutex_init(&fan_slots[i].lock, NULL);
		fan_slots[i].sock = -1;
		if (fan_spawn(i) == 0)
			started++;
		else
			fan_slots[i].retry_ms = clock_mono_ms() + 1000;
	}
	if (started == 0 || pthread_create(&fan_monitor, NULL, fan_monitor_main, NULL) != 0) {
		log_error("sse: no fan-out processes; live viewers stay in the server process");
		atomic_store(&fan_stopping, true);
		sse_fanout_stop();
		return -1;
	}
	fan_monitor_started = true;
	atomic_store(&fan_running, true);
	log_info("sse: %d fan-out processes, up to %zu viewers each", n, fan_slot_cap);
	return 0;
}

void sse_fanout_stop(void)
{
	if (fan_nslots == 0)
		return;
	atomic_store(&fan_running, false);
	atomic_store(&fan_stopping, true);
	if (fan_monitor_started) {
		uint64_t one = 1;
		(void)!write(fan_wake, &one, sizeof(one));
		pthread_join(fan_monitor, NULL);
		fan_monitor_started = false;
	}
	/* EOF on its socket: each child ends its streams and exits. */
	for (int i = 0; i < fan_nslots; i++) {
		struct fan_slot *s = &fan_slots[i];
		pthread_mutex_lock(&s->lock);
		if (s->sock >= 0)
			shutdown(s->sock, SHUT_WR);
		pthread_mutex_unlock(&s->lock);
	}
	for (int i = 0; i < fan_nslots; i++) {
		struct fan_slot *s = &fan_slots[i];
		pthread_mutex_lock(&s->lock);
		int sock = s->sock;
		pid_t pid = s->pid;
		s->sock = -1;
		atomic_store(&s->up, false);
		s->pid = 0;
		pthread_mutex_unlock(&s->lock);
		if (pid > 0) {
			int st = fan_reap(pid, FAN_STOP_WAIT_MS);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				log_warn("sse: fan-out process %d (pid %d) did not end cleanly", i, (int)pid);
		}
		if (sock >= 0)
			close(sock);
		pthread_mutex_destroy(&s->lock);
	}
	pthread_mutex_lock(&fan_lock);
	for (int i = 0; i < fan_nslots; i++)
		fan_viewer_del_slot(i);
	while (fan_topics) {
		struct fan_topic *t = fan_topics;
		fan_topics = t->next;
		free(t);
	}
	fan_nslots = 0;
	pthread_mutex_unlock(&fan_lock);
	if (fan_wake >= 0)
		close(fan_wake);
	fan_wake = -1;
}

bool sse_fanout_on(void)
{
	return atomic_load(&fan_running);
}

bool sse_fanout_ip_full(const char *ip)
{
	pthread_mutex_lock(&fan_lock);
	struct fan_ip *p = fan_ip_find(ip, false);
	bool full = p && (int64_t)p->n >= cfg.per_ip_connections;
	pthread_mutex_unlock(&fan_lock);
	return full;
}

size_t sse_fanout_viewers(const char *topic)
{
	pthread_mutex_lock(&fan_lock);
	struct fan_topic *t = fan_topic_find(topic, false);
	size_t n = t ? t->n : 0;
	pthread_mutex_unlock(&fan_lock);
	return n;
}

/* Sends one record to slot i (if its child is up, and still the child of generation gen
 * when gen is not 0), with fd attached when fd >= 0. Returns 0 or -1. */
static int fan_send(int i, unsigned gen, const struct fanout_hdr *h, const char *topic,
		    const char *data, int fd)
{
	struct fan_slot *s = &fan_slots[i];
	struct iovec iov[3] = {{(void *)h, sizeof(*h)},
			       {(void *)topic, h->topic_len},
			       {(void *)data, h->data_len}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = h->data_len ? 3 : 2};
	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof(c.buf);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	int rc = -1;
	pthread_mutex_lock(&s->lock);
	if (s->sock >= 0 && (gen == 0 || gen == s->gen)) {
		ssize_t n;
		do
			n = sendmsg(s->sock, &mh, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n >= 0) {
			rc = 0;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			/* Stuck for FAN_SEND_TIMEOUT_MS: the monitor respawns it once it is gone. */
			log_error("sse: fan-out process %d (pid %d) takes no records; killing it", i,
				  (int)s->pid);
			kill(s->pid, SIGKILL);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int sse_fanout_take(int fd, const char *topic, const char *text, size_t len, uint64_t id,
		    bool chunked, const char *ip)
{
	if (!atomic_load(&fan_running) || fd < 0)
		return -1;
	size_t tlen = strlen(topic);
	if (!text || sizeof(struct fanout_hdr) + tlen + len > FANOUT_RECORD_MAX)
		len = 0;
	/* The least-loaded child that is up and not full (one being respawned holds none and
	 * would otherwise win every choice until it is back). */
	pthread_mutex_lock(&fan_lock);
	int best = -1;
	for (int i = 0; i < fan_nslots; i++) {
		if (fan_slots[i].n >= fan_slot_cap || !atomic_load(&fan_slots[i].up))
			continue;
		if (best < 0 || fan_slots[i].n < fan_slots[best].n)
			best = i;
	}
	if (best < 0) {
		pthread_mutex_unlock(&fan_lock);
		return -1;
	}
	uint64_t vid = fan_viewer_add(best, topic, ip); /* before sending: it may leave at once */
	pthread_mutex_unlock(&fan_lock);
	pthread_mutex_lock(&fan_slots[best].lock);
	unsigned gen = fan_slots[best].gen;
	bool up = fan_slots[best].sock >= 0;
	pthread_mutex_unlock(&fan_slots[best].lock);
	/* The placeholder first: once the child has the socket, MHD's descriptor must be able
	 * to stop being it. */
	int ph = up ? socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
	int dup = ph >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	struct fanout_hdr h = {.type = FANOUT_VIEWER, .flags = chunked ? FANOUT_CHUNKED : 0,
			       .topic_len = (uint16_t)tlen, .data_len = (uint32_t)len, .id = id,
			       .viewer = vid};
	int rc = dup >= 0 ? fan_send(best, gen, &h, topic, text, dup) : -1;
	if (rc == 0 && dup3(ph, fd, O_CLOEXEC) < 0) {
		/* Cannot happen with valid descriptors; MHD would shut the viewer's socket. */
		log_error("sse: dup3: %s", strerror(errno));
		abort();
	}
	if (dup >= 0)
		close(dup);
	if (ph >= 0)
		close(ph);
	if (rc < 0) {
		pthread_mutex_lock(&fan_lock);
		fan_viewer_del(vid);
		pthread_mutex_unlock(&fan_lock);
	}
	return rc;
}

void sse_fanout_publish(const char *topic, const char *text, size_t len, uint64_t id)
{
	if (!atomic_load(&fan_running))
		return;
	size_t tlen = strlen(topic);
	if (sizeof(struct fanout_hdr) + tlen + len > FANOUT_RECORD_MAX) {
		log_error("sse: event of %zu bytes on %s is too large for the fan-out processes", len,
			  topic);
		return;
	}
	struct fanout_hdr h = {.type = FANOUT_EVENT, .topic_len = (uint16_t)tlen,
			       .data_len = (uint32_t)len, .id = id};
	for (int i = 0; i < fan_nslots; i++)
		fan_send(i, 0, &h, topic, text, -1);
}
