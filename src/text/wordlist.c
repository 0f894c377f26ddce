/* wordlist.c — the sensitive-word list: an Aho–Corasick automaton over the UTF-8 bytes of
 * the normalised words, so one pass over a normalised message finds any listed word (傻Ｂ,
 * 傻B and 傻b all match 傻b). Transitions live in one open-addressing hash table keyed by
 * (node, byte); built once, read-only afterwards. */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdlib.h>
#include <string.h>

enum { WORDLIST_BUF = 3 * TEXT_MAX_INPUT + 1 };

struct wl_node {
	int32_t fail;
	int32_t word;	 /* index of the listed word ending here, or -1 */
	int32_t out;	 /* nearest node on the fail chain with a word, or -1 */
	int32_t child;	 /* first child, -1 if none (for building: the children as a list) */
	int32_t sibling; /* next child of the same parent, -1 if none */
	unsigned char byte; /* the byte that leads here */
};

struct wl_edge {
	uint32_t key; /* node << 8 | byte, + 1 (0 = empty) */
	int32_t to;
};

struct text_wordlist {
	char **words; /* as given */
	size_t nwords;
	struct wl_node *nodes;
	size_t nnodes;
	struct wl_edge *edges;
	uint32_t mask;
};

static uint32_t wl_hash(uint32_t key)
{
	key ^= key >> 16;
	key *= 0x7feb352dU;
	key ^= key >> 15;
	key *= 0x846ca68bU;
	key ^= key >> 16;
	return key;
}

static int32_t wl_goto(const struct text_wordlist *wl, int32_t node, unsigned char b)
{
	uint32_t key = (((uint32_t)node << 8) | b) + 1;
	for (uint32_t i = wl_hash(key) & wl->mask;; i = (i + 1) & wl->mask) {
		if (wl->edges[i].key == key)
			return wl->edges[i].to;
		if (wl->edges[i].key == 0)
			return -1;
	}
}

static void wl_put(struct text_wordlist *wl, int32_t node, unsigned char b, int32_t to)
{
	uint32_t key = (((uint32_t)node << 8) | b) + 1;
	uint32_t i = wl_hash(key) & wl->mask;
	while (wl->edges[i].key != 0)
		i = (i + 1) & wl->mask;
	wl->edges[i].key = key;
	wl->edges[i].to = to;
}

struct text_wordlist *text_wordlist_new(const char *const *words, size_t n)
{
	struct text_wordlist *wl = calloc(1, sizeof(*wl));
	char *buf = malloc(WORDLIST_BUF);
	int32_t *queue = NULL;
	if (!wl || !buf)
		goto fail;
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += words[i] ? strlen(words[i]) * 3 : 0;
	wl->words = calloc(n ? n : 1, sizeof(*wl->words));
	wl->nodes = malloc(total * sizeof(*wl->nodes));
	size_t cap = 16;
	while (cap < 2 * total)
		cap <<= 1;
	wl->mask = (uint32_t)(cap - 1);
	wl->edges = calloc(cap, sizeof(*wl->edges));
	queue = malloc(total * sizeof(*queue));
	if (!wl->words || !wl->nodes || !wl->edges || !queue)
		goto fail;
	wl->nodes[0] = (struct wl_node){.fail = 0, .word = -1, .out = -1, .child = -1,
					.sibling = -1};
	wl->nnodes = 1;
	for (size_t i = 0; i < n; i++) {
		if (!words[i])
			continue;
		size_t len = strlen(words[i]);
		size_t m = text_normalize(words[i], len, buf, WORDLIST_BUF);
		if (m == 0)
			continue;
		wl->words[wl->nwords] = strdup(words[i]);
		if (!wl->words[wl->nwords])
			goto fail;
		int32_t node = 0;
		for (size_t j = 0; j < m; j++) {
			unsigned char b = (unsigned char)buf[j];
			int32_t next = wl_goto(wl, node, b);
			if (next < 0) {
				next = (int32_t)wl->nnodes++;
				wl->nodes[next] = (struct wl_node){.fail = 0, .word = -1, .out = -1,
								   .child = -1,
								   .sibling = wl->nodes[node].child,
								   .byte = b};
				wl->nodes[node].child = next;
				wl_put(wl, node, b, next);
			}
			node = next;
		}
		if (wl->nodes[node].word < 0)
			wl->nodes[node].word = (int32_t)wl->nwords;
		wl->nwords++;
	}
	/* breadth-first: a node's fail link is the longest proper suffix that is in the trie */
	size_t head = 0, tail = 0;
	for (int32_t c = wl->nodes[0].child; c >= 0; c = wl->nodes[c].sibling) {
		wl->nodes[c].fail = 0;
		queue[tail++] = c;
	}
	while (head < tail) {
		int32_t u = queue[head++];
		for (int32_t c = wl->nodes[u].child; c >= 0; c = wl->nodes[c].sibling) {
			unsigned char b = wl->nodes[c].byte;
			int32_t f = wl->nodes[u].fail;
			int32_t t;
			for (;;) {
				t = wl_goto(wl, f, (unsigned char)b);
				if (t >= 0 || f == 0)
					break;
				f = wl->nodes[f].fail;
			}
			wl->nodes[c].fail = t >= 0 && t != c ? t : 0;
			int32_t fc = wl->nodes[c].fail;
			wl->nodes[c].out = wl->nodes[fc].word >= 0 ? fc : wl->nodes[fc].out;
			queue[tail++] = c;
		}
	}
	free(queue);
	free(buf);
	return wl;
fail:
	free(queue);
	free(buf);
	text_wordlist_free(wl);
	return NULL;
}

void text_wordlist_free(struct text_wordlist *wl)
{
	if (!wl)
		return;
	for (size_t i = 0; i < wl->nwords; i++)
		free(wl->words[i]);
	free(wl->words);
	free(wl->nodes);
	free(wl->edges);
	free(wl);
}

bool text_wordlist_match(const struct text_wordlist *wl, const char *in, size_t len,
			 const char **hit)
{
	char buf[WORDLIST_BUF];
	if (hit)
		*hit = NULL;
	if (!wl || wl->nwords == 0)
		return false;
	size_t m = text_normalize(in, len, buf, sizeof(buf));
	int32_t node = 0;
	for (size_t i = 0; i < m; i++) {
		unsigned char b = (unsigned char)buf[i];
		int32_t t;
		for (;;) {
			t = wl_goto(wl, node, b);
			if (t >= 0 || node == 0)
				break;
			node = wl->nodes[node].fail;
		}
		node = t >= 0 ? t : 0;
		int32_t w = wl->nodes[node].word >= 0 ? node : wl->nodes[node].out;
		if (w >= 0) {
			if (hit)
				*hit = wl->words[wl->nodes[w].word];
			return true;
		}
	}
	return false;
}
