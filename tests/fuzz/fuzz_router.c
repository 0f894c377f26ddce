/* libFuzzer target: arbitrary paths and methods through the real route table. */
#include "core/mem.h"
#include "http/server_internal.h"
#include "routes.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const enum http_method methods[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH,
						   HTTP_DELETE, HTTP_OTHER};
	struct http_req r = {.arena = arena_new()};
	r.method = methods[data[0] % 6];
	bool test_mode = data[0] & 0x80;
	r.path = arena_strndup(r.arena, (const char *)data + 1, size - 1);
	unsigned allowed = 0;
	enum router_result m = router_match(routes, routes_count, &r, test_mode, &allowed);
	if (m == ROUTER_FOUND) {
		if (!r.route || r.route->method != r.method || r.nparams > HTTP_MAX_PARAMS)
			__builtin_trap();
		for (int i = 0; i < r.nparams; i++)
			if (!r.params[i][0] || strchr(r.params[i], '/'))
				__builtin_trap(); /* a parameter is one non-empty segment */
	} else if (m == ROUTER_NO_METHOD && (allowed == 0 || (allowed & r.method))) {
		__builtin_trap();
	}
	arena_free(r.arena);
	return 0;
}
