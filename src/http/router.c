/* router.c — matching a request against the static route table. HEAD matches as GET. */
#include "http/server_internal.h"

#include "core/mem.h"

#include <string.h>

static bool router_path_match(const char *pattern, const char *path, struct http_req *r,
			      bool capture)
{
	const char *p = pattern, *u = path;
	int nparams = 0;
	while (*p && *u) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(u, '/');
			size_t len = end ? (size_t)(end - u) : strlen(u);
			if (len == 0 || nparams >= HTTP_MAX_PARAMS)
				return false;
			if (capture)
				r->params[nparams] = arena_strndup(r->arena, u, len);
			nparams++;
			p += 2;
			u += len;
			continue;
		}
		if (*p != *u)
			return false;
		p++;
		u++;
	}
	if (*p || *u)
		return false;
	if (capture)
		r->nparams = nparams;
	return true;
}

enum router_result router_match(const struct route *routes, size_t n, struct http_req *r,
				bool test_mode, unsigned *allowed)
{
	*allowed = 0;
	enum http_method m = r->method;
	for (size_t i = 0; i < n; i++) {
		const struct route *rt = &routes[i];
		if ((rt->flags & ROUTE_TEST) && !test_mode)
			continue;
		if (!router_path_match(rt->pattern, r->path, r, false))
			continue;
		if (rt->method == m) {
			router_path_match(rt->pattern, r->path, r, true);
			r->route = rt;
			return ROUTER_FOUND;
		}
		*allowed |= rt->method;
	}
	return *allowed ? ROUTER_NO_METHOD : ROUTER_NO_PATH;
}
