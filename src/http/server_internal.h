/* server_internal.h — what the pieces of src/http/ share with each other and with main.c. */
#ifndef TALA_SERVER_INTERNAL_H
#define TALA_SERVER_INTERNAL_H

#include "http/http.h"

struct http_server_opts {
	const struct route *routes;
	size_t nroutes;
	struct db *db;
	const char *web_dir;
	bool test_mode;
};

/* Serves until SIGTERM or SIGINT, then stops accepting, finishes the requests in flight
 * and returns 0; returns -1 when the daemon cannot start. */
int http_serve(const struct http_server_opts *o);

enum router_result { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };
struct router;
/* Indexes a route table (which must outlive the router) by its patterns' first three
 * segments. Freed with router_free. */
struct router *router_new(const struct route *routes, size_t n);
void router_free(struct router *rt);
/* Finds the route for r->method and r->path, filling r->params; the first matching route
 * in table order wins. On ROUTER_NO_METHOD, *allowed holds the methods the path accepts. */
enum router_result router_match(const struct router *rt, struct http_req *r, bool test_mode,
				unsigned *allowed);

/* Loads the signed-in user from the session cookie (r->user stays NULL without one).
 * Returns 0, or -1 after replying with an error. */
int session_attach(struct http_req *r);
/* Checks the CSRF header of a state-changing request made with the session cookie.
 * Returns 0, or -1 after replying 403. */
int session_check_csrf(struct http_req *r);
/* The Set-Cookie value that sets or clears the session cookie. */
const char *session_cookie(struct http_req *r, const char *token, bool clear);

struct MHD_Response;
/* Adds the headers every API answer carries (security, no-store, Set-Cookie). */
void http_response_headers(struct http_req *r, struct MHD_Response *resp);
/* An Open311 error with an Allow header (a 405 under /open311/). */
int http_open311_error_allow(struct http_req *r, int status, const char *description,
			     const char *allow);

/* Serves a file of the built web app (GET/HEAD) or the app's index for unknown paths. */
int static_serve(struct http_req *r, const char *web_dir);

#endif
