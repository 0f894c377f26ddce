/* router.c — matching a request against the static route table. HEAD matches as GET.
 *
 * The table is indexed once by each pattern's first three segments ("/api/v1/streams"): a
 * path is only tried against the routes whose key is its own, plus the few whose key holds a
 * parameter, in table order. A linear walk of the ~140 routes, matched character by
 * character, was 7 % of the HTTP workers' time on the submission path (perf, bench/http). */
#include "http/server_internal.h"

#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

struct router_bucket {
	char *key;
	size_t klen;
	size_t *idx; /* ascending: the key's routes merged with the wildcard ones */
	size_t n;
};

struct router {
	const struct route *routes;
	size_t nroutes;
	struct router_bucket *buckets;
	size_t nbuckets;
	size_t *wild; /* routes whose key holds a parameter, ascending */
	size_t nwild;
};

/* The length of s up to its fourth '/' (its first three segments), or all of it. */
static size_t router_key_len(const char *s)
{
	int slashes = 0;
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] == '/' && ++slashes == 4)
			break;
	return i;
}

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

static struct router_bucket *router_bucket_of(const struct router *rt, const char *key,
					      size_t len)
{
	for (size_t i = 0; i < rt->nbuckets; i++)
		if (rt->buckets[i].klen == len && memcmp(rt->buckets[i].key, key, len) == 0)
			return &rt->buckets[i];
	return NULL;
}

struct router *router_new(const struct route *routes, size_t n)
{
	struct router *rt = xcalloc(1, sizeof(*rt));
	rt->routes = routes;
	rt->nroutes = n;
	rt->buckets = xcalloc(n ? n : 1, sizeof(*rt->buckets));
	rt->wild = xcalloc(n ? n : 1, sizeof(*rt->wild));
	for (size_t i = 0; i < n; i++) {
		const char *pat = routes[i].pattern;
		size_t len = router_key_len(pat);
		if (memchr(pat, '{', len)) {
			rt->wild[rt->nwild++] = i;
			continue;
		}
		if (!router_bucket_of(rt, pat, len)) {
			rt->buckets[rt->nbuckets].key = xstrndup(pat, len);
			rt->buckets[rt->nbuckets++].klen = len;
		}
	}
	/* Each bucket: its routes and the wildcard ones, in table order. */
	for (size_t b = 0; b < rt->nbuckets; b++) {
		struct router_bucket *k = &rt->buckets[b];
		k->idx = xcalloc(n, sizeof(*k->idx));
		for (size_t i = 0; i < n; i++) {
			const char *pat = routes[i].pattern;
			size_t len = router_key_len(pat);
			if (memchr(pat, '{', len) || (len == k->klen && memcmp(pat, k->key, len) == 0))
				k->idx[k->n++] = i;
		}
	}
	return rt;
}

void router_free(struct router *rt)
{
	if (!rt)
		return;
	for (size_t b = 0; b < rt->nbuckets; b++) {
		free(rt->buckets[b].key);
		free(rt->buckets[b].idx);
	}
	free(rt->buckets);
	free(rt->wild);
	free(rt);
}

enum router_result router_match(const struct router *rt, struct http_req *r, bool test_mode,
				unsigned *allowed)
{
	*allowed = 0;
	enum http_method m = r->method;
	size_t len = router_key_len(r->path);
	const size_t *idx = rt->wild;
	size_t n = rt->nwild;
	const struct router_bucket *k = router_bucket_of(rt, r->path, len);
	if (k) {
		idx = k->idx;
		n = k->n;
	}
	for (size_t j = 0; j < n; j++) {
		const struct route *route = &rt->routes[idx[j]];
		if ((route->flags & ROUTE_TEST) && !test_mode)
			continue;
		if (!router_path_match(route->pattern, r->path, r, false))
			continue;
		if (route->method == m) {
			router_path_match(route->pattern, r->path, r, true);
			r->route = route;
			return ROUTER_FOUND;
		}
		*allowed |= route->method;
	}
	return *allowed ? ROUTER_NO_METHOD : ROUTER_NO_PATH;
}
