/* sse_client.c — many SSE viewers in one process, for bench/sse. Opens N connections to
 * GET PATH on HOST:PORT (at RATE new connections per second, 0: as fast as it can), reads each
 * response with a small chunked decoder and records, per viewer, the time it first saw each
 * event `id:`. Runs at most SECONDS, or until the file STOPFILE exists, then writes
 *   c <viewer> <connect_us> <first_event_us>|-1          one per viewer that connected
 *   r <viewer> <id> <us>                                  one per event id received
 *   f <viewer> <reason>                                   one per viewer refused or failed
 *   p <viewer> <page_us>                                  with -J: when it had the page
 * to OUT (times: CLOCK_REALTIME microseconds) and a summary on stderr. With -J PAGE, each
 * viewer first fetches GET PAGE (the join page a phone opens from the QR code) and then asks
 * for the events on the same connection, as the web app does.
 * epoll, non-blocking sockets, one thread. Build: cc -O2 -o sse_client sse_client.c
 * Usage: sse_client -p PORT -P PATH -n N [-r RATE] [-t SECONDS] [-b BINDADDR] [-s STOPFILE]
 *        [-J PAGE] -o OUT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_CONNECTING, ST_PAGE_HEADERS, ST_PAGE_BODY, ST_HEADERS, ST_SIZE, ST_DATA,
       ST_DATA_CRLF, ST_DONE };

struct viewer {
	int fd, state;
	long long connect_us, first_us, page_us;
	size_t page_left; /* the page's body bytes still to come (its Content-Length) */
	size_t chunk_left; /* bytes left in the current chunk */
	unsigned hdr_match;  /* how much of "\r\n\r\n" has been seen */
	int status;
	char line[48];     /* the start of the current body line */
	unsigned line_len;
	char sizebuf[20];
	unsigned size_len;
	const char *fail;
};

struct rec {
	int viewer;
	unsigned long long id;
	long long us;
};

static struct viewer *vs;
static struct rec *recs;
static size_t nrecs, caprecs;
static char request[512], page_request[512];
static size_t request_len, page_request_len;

static long long now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void record(int v, unsigned long long id)
{
	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 65536;
		recs = realloc(recs, caprecs * sizeof(*recs));
		if (!recs) {
			perror("realloc");
			exit(1);
		}
	}
	recs[nrecs++] = (struct rec){v, id, now_us()};
}

static void body_line_end(struct viewer *w, int v)
{
	if (w->line_len > 4 && memcmp(w->line, "id: ", 4) == 0) {
		w->line[w->line_len < sizeof(w->line) ? w->line_len : sizeof(w->line) - 1] = 0;
		record(v, strtoull(w->line + 4, NULL, 10));
		if (w->first_us < 0)
			w->first_us = now_us();
	}
	w->line_len = 0;
}

/* The page is in: ask for the events on the same connection. */
static void page_done(struct viewer *w)
{
	w->page_us = now_us();
	w->status = 0;
	w->line_len = 0;
	w->hdr_match = 0;
	if (write(w->fd, request, request_len) != (ssize_t)request_len) {
		w->fail = "write";
		w->state = ST_DONE;
		return;
	}
	w->state = ST_HEADERS;
}

/* Feeds received bytes through the HTTP/chunked state machine. */
static void feed(struct viewer *w, int v, const char *p, size_t n)
{
	for (size_t i = 0; i < n && w->state != ST_DONE; i++) {
		char c = p[i];
		switch (w->state) {
		case ST_PAGE_HEADERS:
			/* the status line, then each header line for Content-Length */
			if (c == '\n') {
				w->line[w->line_len < sizeof(w->line) ? w->line_len : sizeof(w->line) - 1] = 0;
				if (w->status == 0) /* "HTTP/1.1 200 OK" */
					w->status = w->line_len >= 12 ? atoi(w->line + 9) : -1;
				else if (strncasecmp(w->line, "content-length:", 15) == 0)
					w->page_left = strtoul(w->line + 15, NULL, 10);
				w->line_len = 0;
			} else if (c != '\r' && w->line_len < sizeof(w->line) - 1) {
				w->line[w->line_len++] = c;
			}
			if (c == "\r\n\r\n"[w->hdr_match])
				w->hdr_match++;
			else
				w->hdr_match = c == '\r' ? 1 : 0;
			if (w->hdr_match == 4) {
				if (w->status != 200) {
					w->fail = "page status";
					w->state = ST_DONE;
				} else if (w->page_left == 0) {
					page_done(w);
				} else {
					w->state = ST_PAGE_BODY;
				}
			}
			break;
		case ST_PAGE_BODY: {
			size_t span = n - i < w->page_left ? n - i : w->page_left;
			w->page_left -= span;
			i += span - 1;
			if (w->page_left == 0)
				page_done(w);
			break;
		}
		case ST_HEADERS:
			if (w->status == 0 && w->line_len < 12) {
				w->line[w->line_len++] = c;
				if (w->line_len == 12)
					w->status = atoi(w->line + 9);
			}
			if (c == "\r\n\r\n"[w->hdr_match])
				w->hdr_match++;
			else
				w->hdr_match = c == '\r' ? 1 : 0;
			if (w->hdr_match == 4) {
				w->line_len = 0;
				if (w->status != 200) {
					w->fail = "status";
					w->state = ST_DONE;
				} else {
					w->state = ST_SIZE;
				}
			}
			break;
		case ST_SIZE:
			if (c == '\n') {
				w->sizebuf[w->size_len] = 0;
				w->chunk_left = strtoul(w->sizebuf, NULL, 16);
				w->size_len = 0;
				if (w->chunk_left == 0) {
					w->fail = "stream ended";
					w->state = ST_DONE;
				} else {
					w->state = ST_DATA;
				}
			} else if (c != '\r' && w->size_len < sizeof(w->sizebuf) - 1) {
				w->sizebuf[w->size_len++] = c;
			}
			break;
		case ST_DATA: {
			/* The chunk's bytes at hand in one go (memchr for line ends): the client must
			 * read far faster than the server writes, or its own backlog is measured. */
			size_t span = n - i < w->chunk_left ? n - i : w->chunk_left;
			const char *q = p + i, *e = q + span;
			while (q < e) {
				const char *nl = memchr(q, '\n', (size_t)(e - q));
				const char *stop = nl ? nl : e;
				size_t k = (size_t)(stop - q);
				if (w->line_len < sizeof(w->line) - 1) {
					size_t room = sizeof(w->line) - 1 - w->line_len;
					memcpy(w->line + w->line_len, q, k < room ? k : room);
				}
				w->line_len += (unsigned)k;
				if (!nl)
					break;
				body_line_end(w, v);
				q = nl + 1;
			}
			w->chunk_left -= span;
			i += span - 1;
			if (w->chunk_left == 0)
				w->state = ST_DATA_CRLF;
			break;
		}
		case ST_DATA_CRLF:
			if (c == '\n')
				w->state = ST_SIZE;
			break;
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: sse_client -p PORT -P PATH -n N [-r RATE] [-t SECONDS] "
			"[-b BINDADDR] [-s STOPFILE] [-J PAGE] -o OUT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int port = 0, n = 0, opt;
	double rate = 0, seconds = 30;
	const char *path = NULL, *out = NULL, *bind_addr = NULL, *stopfile = NULL, *page = NULL;
	while ((opt = getopt(argc, argv, "p:P:n:r:t:b:s:J:o:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'P': path = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'b': bind_addr = optarg; break;
		case 's': stopfile = optarg; break;
		case 'J': page = optarg; break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	if (port <= 0 || !path || n <= 0 || !out || seconds <= 0 || seconds > 3600)
		usage();
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if ((long long)rl.rlim_cur < n + 16) {
			fprintf(stderr, "sse_client: %d viewers need %d descriptors, the limit is %lld\n",
				n, n + 16, (long long)rl.rlim_cur);
			return 2;
		}
	}
	request_len = (size_t)snprintf(request, sizeof(request),
				       "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
				       "Accept: text/event-stream\r\n\r\n", path, port);
	if (page)
		page_request_len = (size_t)snprintf(page_request, sizeof(page_request),
						    "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
						    "Accept: application/json\r\n\r\n", page, port);
	vs = calloc((size_t)n, sizeof(*vs));
	int ep = epoll_create1(0);
	if (!vs || ep < 0) {
		perror("sse_client");
		return 1;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	struct sockaddr_in ba = {.sin_family = AF_INET};
	if (bind_addr)
		inet_pton(AF_INET, bind_addr, &ba.sin_addr);

	long long start = now_us(), end = start + (long long)(seconds * 1e6);
	int opened = 0, live = 0, failed = 0;
	struct epoll_event evs[512];
	char buf[65536];
	while (now_us() < end) {
		/* open the viewers due by now */
		long long t = now_us();
		int due = rate > 0 ? (int)((double)(t - start) * rate / 1e6) + 1 : n;
		if (due > n)
			due = n;
		for (int k = 0; opened < due && k < 2000; k++, opened++) {
			struct viewer *w = &vs[opened];
			w->first_us = w->page_us = -1;
			w->connect_us = now_us();
			w->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (w->fd < 0) {
				w->fail = "socket";
				w->state = ST_DONE;
				failed++;
				continue;
			}
			/* Choose the port at connect(2), by the whole address pair: a port bound
			 * by bind(2) stays out of every later connect's choice while it lingers in
			 * TIME_WAIT, and two runs back to back would run out of ports. */
			int one = 1;
			if (bind_addr)
				setsockopt(w->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
			if (bind_addr && bind(w->fd, (struct sockaddr *)&ba, sizeof(ba)) < 0) {
				w->fail = "bind";
			} else if (connect(w->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
				   errno != EINPROGRESS) {
				w->fail = "connect";
			}
			if (w->fail) {
				close(w->fd);
				w->fd = -1;
				w->state = ST_DONE;
				failed++;
				continue;
			}
			w->state = ST_CONNECTING;
			struct epoll_event e = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP,
						.data.u32 = (uint32_t)opened};
			epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &e);
			live++;
		}
		if (stopfile && access(stopfile, F_OK) == 0)
			break;
		int timeout = opened < n ? 1 : 50;
		int got = epoll_wait(ep, evs, 512, timeout);
		for (int i = 0; i < got; i++) {
			int v = (int)evs[i].data.u32;
			struct viewer *w = &vs[v];
			if (w->state == ST_DONE)
				continue;
			if (w->state == ST_CONNECTING) {
				int err = 0;
				socklen_t el = sizeof(err);
				getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err) {
					w->fail = "refused";
					goto drop;
				}
				const char *req = page ? page_request : request;
				size_t len = page ? page_request_len : request_len;
				if (write(w->fd, req, len) != (ssize_t)len) {
					w->fail = "write";
					goto drop;
				}
				w->state = page ? ST_PAGE_HEADERS : ST_HEADERS;
				struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)v};
				epoll_ctl(ep, EPOLL_CTL_MOD, w->fd, &e);
				continue;
			}
			for (;;) {
				ssize_t r = read(w->fd, buf, sizeof(buf));
				if (r > 0) {
					feed(w, v, buf, (size_t)r);
					if (w->state == ST_DONE)
						goto drop;
					continue;
				}
				if (r < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				w->fail = r == 0 ? "closed by server" : "read";
				goto drop;
			}
			continue;
		drop:
			epoll_ctl(ep, EPOLL_CTL_DEL, w->fd, NULL);
			close(w->fd);
			w->fd = -1;
			w->state = ST_DONE;
			live--;
			failed++;
		}
	}
	FILE *f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 1;
	}
	int with_event = 0;
	for (int v = 0; v < opened; v++) {
		if (vs[v].first_us >= 0)
			with_event++;
		if (vs[v].fail)
			fprintf(f, "f %d %s\n", v, vs[v].fail);
		else
			fprintf(f, "c %d %lld %lld\n", v, vs[v].connect_us, vs[v].first_us);
		if (vs[v].page_us >= 0)
			fprintf(f, "p %d %lld\n", v, vs[v].page_us);
	}
	for (size_t i = 0; i < nrecs; i++)
		fprintf(f, "r %d %llu %lld\n", recs[i].viewer, recs[i].id, recs[i].us);
	fclose(f);
	fprintf(stderr, "sse_client: %d opened, %d connected at the end, %d failed, %d got an event, "
			"%zu events\n", opened, live, failed, with_event, nrecs);
	for (int v = 0; v < opened; v++)
		if (vs[v].fd >= 0)
			close(vs[v].fd);
	return 0;
}
