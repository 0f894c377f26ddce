/* libFuzzer target: arbitrary paths and methods through the real route table, checked against
 * a plain walk of the table (the router indexes it by the first three segments; the first
 * matching route, 404 and 405 with its methods must come out the same). */
#include "core/mem.h"
#include "http/server_internal.h"
#include "routes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pattern syntax, matched naively: "{}" is one non-empty segment. */
static bool ref_path_match(const char *p, const char *u)
{
	int nparams = 0;
	while (*p && *u) {
		if (p[0] == '{' && p[1] == '}') {
			size_t len = strcspn(u, "/");
			if (len == 0 || nparams++ >= HTTP_MAX_PARAMS)
				return false;
			p += 2;
			u += len;
		} else if (*p++ != *u++) {
			return false;
		}
	}
	return !*p && !*u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router *rt;
	if (!rt)
		rt = router_new(routes, routes_count);
	if (size < 1)
		return 0;
	static const enum http_method methods[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH,
						   HTTP_DELETE, HTTP_OTHER};
	struct http_req r = {.arena = arena_new()};
	r.method = methods[data[0] % 6];
	bool test_mode = data[0] & 0x80;
	r.path = arena_strndup(r.arena, (const char *)data + 1, size - 1);
	unsigned allowed = 0;
	enum router_result m = router_match(rt, &r, test_mode, &allowed);
	if (m == ROUTER_FOUND) {
		if (!r.route || r.route->method != r.method || r.nparams > HTTP_MAX_PARAMS)
			__builtin_trap();
		for (int i = 0; i < r.nparams; i++)
			if (!r.params[i][0] || strchr(r.params[i], '/'))
				__builtin_trap(); /* a parameter is one non-empty segment */
	} else if (m == ROUTER_NO_METHOD && (allowed == 0 || (allowed & r.method))) {
		__builtin_trap();
	}
	const struct route *want = NULL;
	unsigned want_allowed = 0;
	for (size_t i = 0; i < routes_count && !want; i++) {
		if ((routes[i].flags & ROUTE_TEST) && !test_mode)
			continue;
		if (!ref_path_match(routes[i].pattern, r.path))
			continue;
		if (routes[i].method == r.method)
			want = &routes[i];
		else
			want_allowed |= routes[i].method;
	}
	if (want ? m != ROUTER_FOUND || r.route != want
		 : m == ROUTER_FOUND || allowed != want_allowed)
		__builtin_trap(); /* the index changed the answer */
	arena_free(r.arena);
	return 0;
}
