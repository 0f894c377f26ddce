/* libFuzzer target: the text engine. The input is a few comments, one per line; each goes
 * through normalisation, the display form, redaction, classification, the word list (built
 * from the first lines), similarity and a small clusterer that retires clusters, and all of
 * them through keywords, with the engine's promises checked: valid UTF-8 out, bounded
 * lengths, symmetric scores in [0, 1], a listed word found wherever its normal form
 * occurs. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_LINES = 32, MAX_WORDS = 3 };

static void check_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (k == 0)
			__builtin_trap();
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line[MAX_LINES];
	size_t len[MAX_LINES];
	size_t n = 0;
	const char *p = (const char *)data, *end = p + size;
	while (p <= end && n < MAX_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		line[n] = p;
		len[n] = nl ? (size_t)(nl - p) : (size_t)(end - p);
		n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	static char norm[3 * TEXT_MAX_INPUT + 1], norm2[3 * TEXT_MAX_INPUT + 1];
	char *words[MAX_WORDS];
	size_t nw = 0;
	for (size_t i = 0; i < n && nw < MAX_WORDS; i++) {
		words[nw] = malloc(len[i] + 1);
		memcpy(words[nw], line[i], len[i]);
		words[nw][len[i]] = 0; /* a NUL inside cuts the word short: fine */
		nw++;
	}
	struct text_wordlist *wl = text_wordlist_new((const char *const *)words, nw);
	struct text_clusterer *c = text_clusterer_new(&(struct text_cluster_opts){.max_clusters = 4});
	if (!wl || !c)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		size_t m = text_normalize(line[i], len[i], norm, sizeof(norm));
		if (m >= sizeof(norm) || m > 3 * len[i] || strlen(norm) != m)
			__builtin_trap();
		check_utf8(norm, m);
		char tiny[5];
		size_t t = text_normalize(line[i], len[i], tiny, sizeof(tiny));
		if (t > 4 || strlen(tiny) != t || memcmp(tiny, norm, t) != 0)
			__builtin_trap(); /* a short buffer holds a prefix of the full form */

		size_t dm = text_display(line[i], len[i], norm2, sizeof(norm2));
		if (dm >= sizeof(norm2) || dm > 3 * len[i] || strlen(norm2) != dm)
			__builtin_trap();
		check_utf8(norm2, dm);
		t = text_display(line[i], len[i], tiny, sizeof(tiny));
		if (t > 4 || strlen(tiny) != t || memcmp(tiny, norm2, t) != 0)
			__builtin_trap(); /* a short buffer holds a prefix of the full form */

		int found = -1;
		char *r = text_redact(line[i], len[i], &found);
		if (!r || found < 0 || strlen(r) > len[i])
			__builtin_trap();
		check_utf8(r, strlen(r));
		free(r);

		enum text_kind k = text_classify(line[i], len[i]);
		if (k != TEXT_QUESTION && k != TEXT_SUGGESTION && k != TEXT_SMALLTALK)
			__builtin_trap();

		const char *hit = NULL;
		bool matched = text_wordlist_match(wl, line[i], len[i], &hit);
		if (matched != (hit != NULL))
			__builtin_trap();
		for (size_t w = 0; w < nw && !matched; w++) {
			size_t wm = text_normalize(words[w], strlen(words[w]), norm2, sizeof(norm2));
			if (wm > 0 && memmem(norm, m, norm2, wm))
				__builtin_trap(); /* the word is there, the list missed it */
		}

		if (i > 0) {
			double ab = text_similarity(line[i - 1], len[i - 1], line[i], len[i]);
			double ba = text_similarity(line[i], len[i], line[i - 1], len[i - 1]);
			if (!(ab >= 0 && ab <= 1.0000001) || ab - ba > 1e-6 || ba - ab > 1e-6)
				__builtin_trap();
		}

		struct text_assignment pk = text_clusterer_peek(c, line[i], len[i]);
		size_t before = text_clusterer_count(c);
		struct text_assignment a = text_clusterer_add(c, line[i], len[i]);
		if ((m == 0) != (a.cluster < 0))
			__builtin_trap();
		if (a.cluster >= 0) {
			if (a.opened != (a.cluster == (int64_t)before) || pk.cluster >= (int64_t)before)
				__builtin_trap();
			if (!a.opened && pk.cluster != a.cluster)
				__builtin_trap(); /* peek foretells add */
			const char *title = text_clusterer_title(c, a.cluster);
			if (!title)
				__builtin_trap();
			check_utf8(title, strlen(title));
		}
	}
	char *texts[MAX_LINES], *kw[8];
	double kww[8];
	for (size_t i = 0; i < n; i++) {
		texts[i] = malloc(len[i] + 1);
		if (!texts[i])
			__builtin_trap();
		memcpy(texts[i], line[i], len[i]);
		texts[i][len[i]] = 0;
	}
	size_t nk = text_keywords((const char *const *)texts, n, 8, kw, kww);
	if (nk > 8)
		__builtin_trap();
	for (size_t i = 0; i < nk; i++) {
		if (strlen(kw[i]) < 2 || (i > 0 && kww[i] > kww[i - 1]))
			__builtin_trap();
		check_utf8(kw[i], strlen(kw[i]));
		free(kw[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	text_clusterer_free(c);
	text_wordlist_free(wl);
	for (size_t w = 0; w < nw; w++)
		free(words[w]);
	return 0;
}
