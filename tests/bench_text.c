/* bench_text — in-process speed of the text engine, in questions per CPU second:
 * normalisation alone, normalisation + shingles, and normalise + assign with a clusterer,
 * over a file of questions (the text after the last tab of each line) repeated N times.
 * Usage: bench_text FILE [N]   (not a test: run by hand, see docs/text.md) */
#include "text/text.h"
#include "text/text_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_text FILE [N]\n");
		return 2;
	}
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	if (reps < 1)
		reps = 1;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	for (size_t got; buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0;) {
		len += got;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	if (!buf)
		return 1;
	buf[len] = 0;
	size_t n = 0, ncap = 1024;
	const char **q = malloc(ncap * sizeof(*q));
	size_t *ql = malloc(ncap * sizeof(*ql));
	for (char *p = buf, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		*nl = 0;
		char *t = strrchr(p, '\t');
		t = t ? t + 1 : p;
		if (n == ncap) {
			q = realloc(q, (ncap *= 2) * sizeof(*q));
			ql = realloc(ql, ncap * sizeof(*ql));
		}
		if (p != buf || !(p[0] >= 'a' && p[0] <= 'z')) { /* a header row: a name first */
			q[n] = t;
			ql[n++] = strlen(t);
		}
		if (nl == buf + len)
			break;
	}
	static char out[3 * TEXT_MAX_INPUT + 1];
	static struct text_shingles s;
	uint32_t cps[64];
	size_t sink = 0;
	double t0 = bench_cpu();
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n; i++)
			sink += text_normalize(q[i], ql[i], out, sizeof(out));
	double t1 = bench_cpu();
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n; i++) {
			shingle_build(cps, text_normalize_cps(q[i], ql[i], cps, 64), &s);
			sink += s.n;
		}
	double t2 = bench_cpu();
	for (int r = 0; r < reps; r++) {
		struct text_clusterer *c = text_clusterer_new(NULL);
		for (size_t i = 0; i < n; i++)
			sink += (size_t)text_clusterer_add(c, q[i], ql[i]).cluster;
		text_clusterer_free(c);
	}
	double t3 = bench_cpu();
	struct text_clusterer *c = text_clusterer_new(NULL);
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n; i++)
			sink += (size_t)text_clusterer_add(c, q[i], ql[i]).cluster;
	size_t clusters = text_clusterer_count(c);
	text_clusterer_free(c);
	double t4 = bench_cpu();
	double total = (double)n * reps;
	printf("%zu questions × %d\n", n, reps);
	printf("normalise                          %10.0f questions/CPU s\n", total / (t1 - t0));
	printf("normalise + shingles               %10.0f questions/CPU s\n", total / (t2 - t1));
	printf("normalise + assign (fresh each)    %10.0f questions/CPU s\n", total / (t3 - t2));
	printf("normalise + assign (one clusterer) %10.0f questions/CPU s (%zu clusters)\n",
	       total / (t4 - t3), clusters);
	free(q);
	free(ql);
	free(buf);
	return sink == 0;
}
