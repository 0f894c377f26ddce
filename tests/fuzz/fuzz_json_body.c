/* libFuzzer target: a request body through the JSON parser, the depth check and a field
 * spec with every field type — the path every POST body takes. */
#include "core/mem.h"
#include "http/http.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *code = NULL;
	char detail[256];
	json_t *j = http_json_parse((const char *)data, size, 16, &code, detail, sizeof(detail));
	if (!j) {
		if (!code)
			__builtin_trap(); /* every refusal names a problem code */
		return 0;
	}
	struct arena *a = arena_new();
	const char *s = NULL, *ref = NULL, *field = NULL, *why = NULL;
	int64_t n = 0;
	bool b = false, present = false;
	json_t *any = NULL;
	struct json_field spec[] = {
		{"username", JF_STRING, false, 64, &s, &present},
		{"node", JF_REF, false, 0, &ref, NULL},
		{"household", JF_INT, false, 0, &n, NULL},
		{"is_party_member", JF_BOOL, false, 0, &b, NULL},
		{"members", JF_JSON, false, 0, &any, NULL},
		{"name", JF_STRING, true, 50, &s, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_spec(j, spec, a, &field, &why) < 0) {
		if (!field || !why)
			__builtin_trap();
	} else {
		size_t cps = 0;
		if (!s || !http_utf8_valid(s, strlen(s), &cps) || cps > 50)
			__builtin_trap(); /* an accepted string is valid and within its limit */
	}
	arena_free(a);
	json_decref(j);
	return 0;
}
