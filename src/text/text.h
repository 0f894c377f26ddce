/* text.h — Tala's Chinese text engine for live Q&A (直播问答): normalisation, redaction,
 * classification, the sensitive-word list, similarity and online clustering of
 * near-duplicate questions into hot questions (热点问题).
 *
 * Pure C: no database, no HTTP, no file or network I/O, no global mutable state. Every
 * object is owned by its caller; a clusterer or word list is used by one thread at a time
 * (the caller locks). Input text is UTF-8; invalid bytes are dropped, never trusted. */
#ifndef TALA_TEXT_H
#define TALA_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest input the engine looks at, in bytes; longer text is cut at a character
 * boundary before it is normalised (a live comment is short; this bounds the work). */
enum { TEXT_MAX_INPUT = 2048 };

/* ---- normalisation (normalize.c) ---------------------------------------------------
 * NFKC (full/half width, compatibility forms), case fold, traditional → simplified,
 * emoji and symbols dropped, punctuation and spaces dropped, runs of one character
 * folded (哈哈哈哈 → 哈哈, 666666 → 666, ？？？ → nothing), filler particles kept.
 * Writes NUL-terminated UTF-8 to out (at most cap bytes including the NUL; output is never
 * longer than 3 × input + 1) and returns its length in bytes. */
size_t text_normalize(const char *in, size_t len, char *out, size_t cap);

/* ---- display form (display.c) ---------------------------------------------------
 * The form of a viewer's text to show (a hot question's title, other public text):
 * traditional → simplified, full-width letters and digits to half width, emoji and symbols
 * dropped, a run of one punctuation mark folded (？？？ → ？), spaces folded and trimmed,
 * greetings and words of address at the start dropped (主播好，/ 老师，/ 主播主播 …; 请问
 * stays). Chinese punctuation is kept. Text that is only a greeting is kept as it is.
 * Writes NUL-terminated UTF-8 to out (at most cap bytes including the NUL, cut at a
 * character boundary; 3 × len + 1 is always enough) and returns its length in bytes. */
size_t text_display(const char *in, size_t len, char *out, size_t cap);

/* ---- redaction (redact.c) ----------------------------------------------------------
 * Public text with mainland mobile numbers (1[3-9]x, 11 digits, also with spaces or
 * dashes inside, full-width digits too) and ID-card numbers (18 characters, last may be X)
 * masked: 138****5678, 1501**********1234. Other text is kept byte for byte (but, like
 * everywhere, invalid UTF-8 is dropped and input past TEXT_MAX_INPUT is cut). Returns a
 * malloc'd string (NULL only when out of memory); *found is set to the number masked. */
char *text_redact(const char *in, size_t len, int *found);

/* ---- classification (classify.c) ---------------------------------------------------*/
enum text_kind {
	TEXT_QUESTION = 0,   /* 请问草原补奖什么时候发？ */
	TEXT_SUGGESTION = 1, /* 建议多讲讲医保缴费 / 希望下次…… */
	TEXT_SMALLTALK = 2,  /* 主播好 / 666 / 来了 / 支持 / 👍 */
};
enum text_kind text_classify(const char *in, size_t len);
const char *text_kind_name(enum text_kind k); /* "question", "suggestion", "smalltalk" */

/* ---- sensitive words (wordlist.c) --------------------------------------------------
 * An editable list; matching is on normalised text, so 傻Ｂ and 傻b match 傻b. */
struct text_wordlist;
struct text_wordlist *text_wordlist_new(const char *const *words, size_t n);
void text_wordlist_free(struct text_wordlist *wl);
/* Returns true when in contains a listed word; *hit (may be NULL) gets the listed word as
 * given to text_wordlist_new (owned by the list). */
bool text_wordlist_match(const struct text_wordlist *wl, const char *in, size_t len,
			 const char **hit);

/* ---- similarity (similarity.c) -----------------------------------------------------
 * How alike two questions are, 0..1, on their normalised forms (weighted character
 * n-gram shingles). text_same() is the engine's own decision at its tuned threshold. */
double text_similarity(const char *a, size_t alen, const char *b, size_t blen);
double text_same_threshold(void);
bool text_same(const char *a, size_t alen, const char *b, size_t blen);

/* ---- online clustering (cluster.c) -------------------------------------------------
 * Each question is assigned once, as it arrives, to the most similar existing cluster
 * above the threshold, or opens a new cluster. Cluster ids are dense: 0, 1, 2, … in the
 * order clusters open. Memory is bounded by max_clusters: past it the least recently
 * joined cluster is retired (it keeps its id; later questions no longer join it). */
struct text_cluster_opts {
	double threshold;    /* 0 = the clusterer's tuned default (text_clusterer_threshold) */
	size_t max_clusters; /* 0 = 100000; at most 4194304 */
};
struct text_clusterer;
struct text_clusterer *text_clusterer_new(const struct text_cluster_opts *opts);
void text_clusterer_free(struct text_clusterer *c);

struct text_assignment {
	int64_t cluster; /* the cluster id, or -1 when the text is empty after normalisation */
	bool opened;     /* this question opened the cluster */
	double score;    /* similarity to the cluster it joined (1 when it opened one) */
};
struct text_assignment text_clusterer_add(struct text_clusterer *c, const char *text, size_t len);
/* Which cluster text would join, without adding it (-1: none above the threshold). */
struct text_assignment text_clusterer_peek(const struct text_clusterer *c, const char *text,
					   size_t len);
/* The cluster's title: the display form (text_display) of its representative question (the
 * stored member closest to the others), or the representative as given to _add when its
 * display form is empty; owned by the clusterer, valid until the next _add or _free. NULL
 * for an unknown or retired id. Computed when the representative changes: reading is cheap. */
const char *text_clusterer_title(const struct text_clusterer *c, int64_t cluster);
/* The threshold c assigns at; with c NULL, the tuned default (tuned on a question stream, so
 * not the same number as text_same_threshold(), which is tuned on question pairs). */
double text_clusterer_threshold(const struct text_clusterer *c);
size_t text_clusterer_count(const struct text_clusterer *c); /* clusters opened so far */

/* ---- keywords (keywords.c) ---------------------------------------------------------
 * The n most telling words or character n-grams of a set of texts (for the stream report),
 * by weight, as malloc'd strings in out[0..return); free each with free(). */
size_t text_keywords(const char *const *texts, size_t ntexts, size_t n, char **out,
		     double *weights);

/* ---- heat --------------------------------------------------------------------------
 * Time-decayed heat of a hot question: each event (a question, an upvote counting half)
 * contributes exp(-(now - t) / half_life × ln 2). Kept incrementally: call with the
 * previous heat and its time. */
double text_heat_add(double heat, int64_t heat_ms, int64_t now_ms, double weight);
double text_heat_at(double heat, int64_t heat_ms, int64_t now_ms);
enum { TEXT_HEAT_HALF_LIFE_MS = 10 * 60 * 1000 };

#endif
