/* libFuzzer target: form-encoded bodies (Open311 POST requests) through the form parser. */
#include "core/mem.h"
#include "http/http.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct http_form f;
	const char *why = NULL;
	if (http_form_parse((const char *)data, size, a, &f, &why) == 0) {
		const char *names[] = {"api_key", "service_code", "description", "lat", "long",
				       "attribute[urgency]"};
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *v = http_form_get(&f, names[i]);
			if (v && !http_utf8_valid(v, strlen(v), NULL))
				__builtin_trap(); /* an accepted value is valid UTF-8 */
		}
	} else if (!why) {
		__builtin_trap(); /* every refusal says why */
	}
	arena_free(a);
	return 0;
}
