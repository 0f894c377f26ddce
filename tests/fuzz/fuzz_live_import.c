/* libFuzzer target: the live import's line parsers (JSON lines and CSV records) over
 * arbitrary bytes, with their promises as the oracle: a record always advances, its fields
 * are NUL-terminated, a JSON line is either accepted with text or refused with a reason. */
#include "modules/live/live_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *f[16];
	while (p < end) {
		const char *before = p;
		int n = live_csv_record(&p, end, f, 16);
		if (n < 0)
			break;
		if (p <= before || p > end || n > 16)
			__builtin_trap();
		for (int i = 0; i < n; i++) {
			(void)strlen(f[i]);
			free(f[i]);
		}
	}
	struct live_import_line l;
	const char *why = NULL;
	if (live_import_parse_json((const char *)data, size, &l, &why) == 0) {
		if (!l.text || !l.platform[0] || !l.comment_id[0])
			__builtin_trap();
		free(l.text);
	} else if (!why || l.text) {
		__builtin_trap();
	}
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t t = 0;
	(void)live_parse_time(s, &t);
	char mask[24];
	live_phone_mask(s, mask);
	if (strlen(mask) > 11)
		__builtin_trap();
	free(s);
	return 0;
}
