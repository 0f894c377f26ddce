/* server.c — the libmicrohttpd daemon: limits, the per-request arena, body collection,
 * dispatch through the route table, the log line per request, and graceful shutdown. */
#include "http/server_internal.h"
#include "http/sse.h"

#include "auth/auth.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct http_server_opts server;
static struct router *server_router;
/* Requests between their first byte and their completion; keep-alive connections idle
 * between requests do not count, so shutdown need not wait for them. */
static _Atomic int server_in_flight;

static bool server_idle(void)
{
	return atomic_load(&server_in_flight) == 0;
}

static enum http_method server_method(const char *m)
{
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return HTTP_GET;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	if (strcmp(m, "PUT") == 0)
		return HTTP_PUT;
	if (strcmp(m, "PATCH") == 0)
		return HTTP_PATCH;
	if (strcmp(m, "DELETE") == 0)
		return HTTP_DELETE;
	return HTTP_OTHER;
}

static void server_client_ip(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(r->ip, sizeof(r->ip), "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->ip,
			  sizeof(r->ip));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->ip,
			  sizeof(r->ip));
	/* Behind nginx every peer is the proxy: take the client address it passes on, but only
	 * from a loopback peer and only when told to trust it. */
	if (cfg.trust_proxy && strncmp(r->ip, "127.", 4) == 0) {
		const char *real = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Real-IP");
		struct in6_addr a6;
		struct in_addr a4;
		if (real && strlen(real) < sizeof(r->ip) &&
		    (inet_pton(AF_INET, real, &a4) == 1 || inet_pton(AF_INET6, real, &a6) == 1))
			snprintf(r->ip, sizeof(r->ip), "%s", real);
	}
}

static bool server_is_api(const char *path)
{
	return strcmp(path, "/healthz") == 0 || strncmp(path, "/api/", 5) == 0 ||
	       strcmp(path, "/api") == 0 || strncmp(path, "/open311/", 9) == 0;
}

static int server_reply_405(struct http_req *r, unsigned allowed)
{
	static const struct {
		unsigned m;
		const char *name;
	} names[] = {{HTTP_GET, "GET, HEAD"}, {HTTP_POST, "POST"}, {HTTP_PUT, "PUT"},
		     {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}};
	char allow[64] = "";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(allowed & names[i].m))
			continue;
		if (allow[0])
			strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
		strncat(allow, names[i].name, sizeof(allow) - strlen(allow) - 1);
	}
	if (http_path_open311(r->path))
		return http_open311_error_allow(r, 405, "Method not allowed", allow);
	const char *json = "{\"type\":\"/docs/errors.md#request.method_not_allowed\","
			   "\"title\":\"Method not allowed\",\"title_zh\":\"不支持该请求方法\","
			   "\"status\":405,\"code\":\"request.method_not_allowed\"}";
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
	http_response_headers(r, resp);
	MHD_add_response_header(resp, "Content-Type", "application/problem+json; charset=utf-8");
	MHD_add_response_header(resp, "Allow", allow);
	r->status = 405;
	r->replied = true;
	enum MHD_Result ret = MHD_queue_response(r->conn, 405, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Runs the matched route's handler; a handler that neither replied nor suspended is a bug,
 * answered with a 500. */
static int server_call_handler(struct http_req *r)
{
	int ret = r->route->handler(r);
	if (!r->replied && r->suspended)
		return MHD_YES; /* answered when resumed (http_suspend) */
	if (!r->replied) {
		log_error("http: handler for %s %s did not reply", r->method_name, r->path);
		return http_reply_problem(r, "internal", NULL, NULL);
	}
	return ret;
}

static int server_dispatch(struct http_req *r)
{
	if (!server_is_api(r->path)) {
		if (r->method != HTTP_GET)
			return server_reply_405(r, HTTP_GET);
		return static_serve(r, server.web_dir);
	}
	unsigned allowed = 0;
	enum router_result m = router_match(server_router, r, server.test_mode, &allowed);
	if (m == ROUTER_NO_PATH)
		return http_reply_problem(r, "request.not_found", NULL, NULL);
	if (m == ROUTER_NO_METHOD)
		return server_reply_405(r, allowed);
	if (session_attach(r) < 0)
		return MHD_YES;
	if (!(r->route->flags & ROUTE_PUBLIC) && !r->user)
		return http_reply_problem(r, "auth.required", NULL, NULL);
	if (session_check_csrf(r) < 0)
		return MHD_YES;
	if (r->user && !(r->route->flags & ROUTE_SETUP)) {
		if (r->user->password_expired)
			return http_reply_problem(r, "auth.password_expired", NULL, NULL);
		if (cfg.totp_staff && !r->user->totp && auth_has_role(r->user, ROLES_STAFF))
			return http_reply_problem(r, "auth.totp_enrolment_required", NULL, NULL);
	}
	return server_call_handler(r);
}

/* Called by MHD with the full request URI (path and query) before anything else: the request
 * context starts here, so the URL limit counts the query too. */
static void *server_uri_start(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	struct arena *a = arena_new();
	struct http_req *r = arena_alloc(a, sizeof(*r));
	r->arena = a;
	r->uri_len = strlen(uri);
	r->start_ms = clock_mono_ms();
	atomic_fetch_add(&server_in_flight, 1);
	return r;
}

static enum MHD_Result server_access(void *cls, struct MHD_Connection *conn, const char *url,
				     const char *method, const char *version,
				     const char *upload_data, size_t *upload_data_size,
				     void **con_cls)
{
	(void)cls;
	struct http_req *r = *con_cls;
	if (!r) {
		r = server_uri_start(NULL, url, conn);
		*con_cls = r;
	}
	if (!r->conn) {
		struct arena *a = r->arena;
		r->conn = conn;
		r->db = server.db;
		r->method = server_method(method);
		r->http10 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
		r->method_name = arena_strdup(a, method);
		r->path = arena_strdup(a, url);
		server_client_ip(r);
		if (r->uri_len > (size_t)cfg.max_url || strlen(url) > (size_t)cfg.max_url)
			return http_reply_problem(r, "request.url_too_long", NULL, NULL);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)cfg.max_body)
			return http_reply_problem(r, "request.body_too_large", NULL, NULL);
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES; /* an early error reply went out; ignore the rest of the body */
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		if (r->body_len + n > (size_t)cfg.max_body) {
			r->body_too_big = true;
		} else if (!r->body_too_big) {
			if (r->body_len + n + 1 > r->body_cap) {
				r->body_cap = (r->body_len + n + 1) * 2;
				if (r->body_cap > (size_t)cfg.max_body + 1)
					r->body_cap = (size_t)cfg.max_body + 1;
				r->body = xrealloc(r->body, r->body_cap);
			}
			memcpy(r->body + r->body_len, upload_data, n);
			r->body_len += n;
			r->body[r->body_len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->body_too_big)
		return http_reply_problem(r, "request.body_too_large", NULL, NULL);
	/* Resumed after http_suspend: the route, the session and the checks were done on the
	 * first call. */
	int ret = r->suspended ? server_call_handler(r) : server_dispatch(r);
	return ret == MHD_YES ? MHD_YES : MHD_NO;
}

static void server_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			     enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct http_req *r = *con_cls;
	if (!r)
		return;
	if (r->conn)
		log_access("%s %s %d %lldms %s %s%s", r->method_name, r->path, r->status,
			 (long long)(clock_mono_ms() - r->start_ms), r->ip,
			 r->user ? r->user->username : "-",
			 r->sse_handed ? " (sse fan-out)"
			 : toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	free(r->body);
	arena_free(r->arena);
	*con_cls = NULL;
	atomic_fetch_sub(&server_in_flight, 1);
}

static void server_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	/* Our only content reader (SSE) ends a stream with an "error" when the viewer left or
	 * was handed to a fan-out process: not worth a warning per viewer. */
	if (strstr(line, "(application error generating response)") ||
	    strstr(line, "(application reported error generating data)"))
		log_debug("mhd: %s", line);
	else
		log_warn("mhd: %s", line);
}

static int server_parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return -1;
	char host[64];
	size_t hl = (size_t)(colon - listen);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	char *end = NULL;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

/* A workaround for libmicrohttpd 0.9.75 (Debian 12), whose epoll loop drains the kernel's
 * ready list in rounds of 128 (its MAX_EVENTS) and, when a round comes back full, waits
 * again with the same timeout before handling any of them: with exactly 128 connections of
 * a worker ready at once and nothing else arriving, they wait for the next event or for the
 * timeout (up to --conn-timeout). Seen as a stalled benchmark at 256 keep-alive connections
 * on 2 workers (128 each) and 512 on 4; the API test test_connections.FullEpollRoundTest
 * reproduces it. MHD's calls resolve to this definition (the executable's symbols come first);
 * after a full round the next wait does not block, which is what the loop means. Our own
 * code calls epoll_pwait, so it is not affected. */
int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);
int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	static _Thread_local bool full;
	int n = epoll_pwait(epfd, events, maxevents, full ? 0 : timeout, NULL);
	full = n == maxevents;
	return n;
}

/* The listening socket is ours, not MHD's: one thread accepts and hands each connection to
 * MHD_add_connection, which gives it to the worker its descriptor number picks (fd mod
 * workers), so consecutive connections go round the workers. When each worker accepted for
 * itself, the first awake took up to ten at a time: a burst of 256 keep-alive connections
 * landed 95k/67k/19k/18k requests on the four workers in an 8 s run, and the connections of
 * the crowded ones waited longest (docs/performance.md). */
struct server_acceptor {
	struct MHD_Daemon *d;
	int fd;
	atomic_bool stopping;
	pthread_t thread;
};

static int server_listen(const struct sockaddr_in *sa, unsigned *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in got;
	socklen_t len = sizeof(got);
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 1024) < 0 ||
	    getsockname(fd, (struct sockaddr *)&got, &len) < 0) {
		int e = errno;
		close(fd);
		errno = e; /* for the caller's message */
		return -1;
	}
	*port = ntohs(got.sin_port);
	return fd;
}

static void *server_accept_main(void *arg)
{
	struct server_acceptor *a = arg;
	pthread_setname_np(pthread_self(), "tala-accept");
	while (!atomic_load(&a->stopping)) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(a->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			/* MHD closes it when a limit (total, per address) refuses it. */
			MHD_add_connection(a->d, fd, (const struct sockaddr *)&peer, len);
			continue;
		}
		if (atomic_load(&a->stopping))
			break;
		if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN || errno == EPROTO ||
		    errno == EPERM)
			continue; /* that connection is gone; the next one */
		/* Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) or worse: the
		 * backlog waits while connections end; never stop taking connections. */
		if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
			log_error("serve: accept: %s", strerror(errno));
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Stops taking connections: wakes the blocked accept and waits for the thread. */
static void server_accept_stop(struct server_acceptor *a)
{
	atomic_store(&a->stopping, true);
	shutdown(a->fd, SHUT_RDWR);
	pthread_join(a->thread, NULL);
	close(a->fd);
}

int http_serve(const struct http_server_opts *o)
{
	server = *o;
	struct sockaddr_in sa;
	if (server_parse_listen(cfg.listen, &sa) < 0) {
		log_error("serve: --listen must be IPv4ADDR:PORT (got '%s')", cfg.listen);
		return -1;
	}
	/* Block the stop signals in every thread; this one waits for them below. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Live viewers hold a connection each (SSE): allow as many descriptors as we may. */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
	    nofile.rlim_cur < (rlim_t)cfg.max_connections + 64)
		log_warn("serve: the descriptor limit (%llu) is below --max-connections (%lld)",
			 (unsigned long long)nofile.rlim_cur, (long long)cfg.max_connections);
	if (sse_start() < 0)
		return -1;
	server_router = router_new(server.routes, server.nroutes);
	/* The access log: one write(2) per thread every few ms, not one per request. */
	if (log_buffer_start() < 0)
		log_warn("serve: no log flusher thread; the access log is written line by line");

	/* Each connection's memory pool, SSE viewers' included (its pages are touched, so it is
	 * RSS): the longest URL allowed plus 16 KB holds a request's headers (up to ~14 KB with
	 * a 2 KB URL; nginx passes header lines up to 8 KB) and MHD's write buffer for the 8 KB
	 * SSE block. Bodies are copied out by server_access, not kept in the pool. 32 KB cost
	 * ~10 KB more RSS a viewer (docs/performance.md). MHD_USE_TURBO: a new connection is read
	 * at once rather than after another epoll round, and closing skips shutdown(2); -8 % CPU
	 * per question in bench/http. */
	struct server_acceptor acc = {.stopping = false};
	unsigned port = 0;
	acc.fd = server_listen(&sa, &port);
	struct MHD_Daemon *d = NULL;
	if (acc.fd >= 0)
		d = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
				MHD_USE_NO_LISTEN_SOCKET,
			0, NULL, NULL, server_access, NULL, MHD_OPTION_EXTERNAL_LOGGER, server_mhd_log,
			NULL, MHD_OPTION_URI_LOG_CALLBACK, server_uri_start, NULL,
			MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)cfg.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			(unsigned)cfg.per_ip_connections, MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned)cfg.conn_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			(size_t)(cfg.max_url + 16384), MHD_OPTION_NOTIFY_COMPLETED, server_completed,
			NULL, MHD_OPTION_END);
	acc.d = d;
	if (d && pthread_create(&acc.thread, NULL, server_accept_main, &acc) != 0) {
		MHD_stop_daemon(d);
		d = NULL;
	}
	if (!d) {
		if (acc.fd < 0)
			log_error("serve: cannot listen on %s: %s", cfg.listen,
				  errno == EADDRINUSE	  ? "the port is in use"
				  : errno == EADDRNOTAVAIL ? "not an address of this machine"
							   : strerror(errno));
		else
			log_error("serve: cannot start the HTTP workers");
		if (acc.fd >= 0)
			close(acc.fd);
		sse_stop();
		log_buffer_stop();
		router_free(server_router);
		server_router = NULL;
		return -1;
	}
	char addr[64];
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	log_info("tala: listening on http://%s:%u (%s, %lld threads)", addr, port,
		 db_backend_name(server.db), (long long)cfg.threads);
	int sig = 0;
	sigwait(&stop, &sig);
	log_info("tala: %s received; finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	server_accept_stop(&acc);
	/* Event streams end now (they would never finish by themselves). */
	sse_stop();
	/* No new connections now; give the ones open up to 10 s to finish their requests. */
	for (int i = 0; i < 1000; i++) {
		const union MHD_DaemonInfo *ci =
			MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!ci || ci->num_connections == 0 || server_idle())
			break;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(d);
	log_buffer_stop(); /* every access line is out before "stopped" */
	router_free(server_router);
	server_router = NULL;
	log_info("tala: stopped");
	return 0;
}
