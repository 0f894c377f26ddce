/* similarity.c — how alike two questions are: weighted Jaccard of their shingle sets
 * (shingle.c), and the engine's own same-or-not decision at its tuned threshold. */
#include "text/text.h"
#include "text/text_internal.h"

/* Tuned for pair accuracy on LCQMC dev (0.6935 there), reported on the other pair sets: see
 * docs/text.md. The clusterer has its own default, tuned on a stream (cluster.c). */
#define SIMILARITY_THRESHOLD 0.69

double text_similarity(const char *a, size_t alen, const char *b, size_t blen)
{
	struct text_shingles sa, sb;
	shingle_text(a, alen, &sa);
	shingle_text(b, blen, &sb);
	if (sa.n == 0 || sb.n == 0)
		return 0.0;
	/* the same set summed in two orders can come out a rounding above 1 */
	double s = shingle_jaccard(&sa, &sb);
	return s < 1.0 ? s : 1.0;
}

double text_same_threshold(void)
{
	return SIMILARITY_THRESHOLD;
}

bool text_same(const char *a, size_t alen, const char *b, size_t blen)
{
	return text_similarity(a, alen, b, blen) >= SIMILARITY_THRESHOLD;
}
