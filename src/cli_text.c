/* cli_text.c — `tala text`: the text engine on the command line, for evaluation and for
 * batch work. `cluster` assigns id<TAB>text lines to hot-question clusters as they come;
 * `pairs` scores s1<TAB>s2 lines. No database, no configuration. */
#include "cli.h"
#include "text/text.h"
#include "text/text_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CLI_TEXT_LINE_MAX = 16384, CLI_TEXT_READ = 1 << 16, CLI_TEXT_OUT = 1 << 16 };

/* The cluster command's output lines, gathered here and handed to stdio a block at a time
 * (a printf per line cost more than the I/O). */
struct cli_text_out {
	size_t len;
	char buf[CLI_TEXT_OUT];
};

struct cli_text_reader {
	struct cli_text_out *out; /* written out before the reader waits for input */
	char *buf;
	size_t len, start;
	size_t cap;
	bool eof, skipping;
	long long lineno;
	int bad;
};

static void cli_text_usage(FILE *out)
{
	fprintf(out,
		"usage: tala text cluster [--threshold X] [--max-clusters N]\n"
		"       tala text pairs\n\n"
		"  cluster  reads id<TAB>text lines on stdin and writes id<TAB>cluster_id in input\n"
		"           order as it goes (-1: nothing left after normalisation)\n"
		"  pairs    reads s1<TAB>s2 lines (more columns are ignored) and writes\n"
		"           score<TAB>same (score 0..1, same 1 at the engine's pair threshold %.2f)\n\n"
		"  --threshold X      similarity a question needs to join a cluster (default %.2f)\n"
		"  --max-clusters N   clusters kept for joining; older ones retire (default 100000)\n\n"
		"A bad line (no tab, longer than %d bytes, invalid UTF-8) is reported on stderr and\n"
		"skipped; the exit status is then 1.\n",
		text_same_threshold(), text_clusterer_threshold(NULL), CLI_TEXT_LINE_MAX);
}

static void cli_text_out_flush(struct cli_text_out *o)
{
	if (o && o->len) {
		fwrite(o->buf, 1, o->len, stdout);
		o->len = 0;
	}
}

/* Appends id<TAB>cluster<LF> to o (id at most CLI_TEXT_LINE_MAX bytes). */
static void cli_text_out_line(struct cli_text_out *o, const char *id, size_t idlen,
			      long long cluster)
{
	_Static_assert(CLI_TEXT_LINE_MAX + 24 <= CLI_TEXT_OUT, "a line fits the buffer");
	if (o->len + idlen + 24 > sizeof(o->buf))
		cli_text_out_flush(o);
	char *p = o->buf + o->len;
	memcpy(p, id, idlen);
	p += idlen;
	*p++ = '\t';
	unsigned long long v = (unsigned long long)cluster;
	if (cluster < 0) {
		*p++ = '-';
		v = 0 - v;
	}
	char d[20];
	size_t n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = d[--n];
	*p++ = '\n';
	o->len = (size_t)(p - o->buf);
}

static bool cli_text_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		/* the three-byte forms of utf8_decode's fast path, without decoding them */
		if (c >= 0xE1 && c <= 0xEF && c != 0xED && len - i >= 3) {
			if (((p[i + 1] ^ 0x80) | (p[i + 2] ^ 0x80)) & 0xC0)
				return false;
			i += 3;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

static void cli_text_bad(struct cli_text_reader *r, const char *why)
{
	fprintf(stderr, "tala text: line %lld: %s\n", r->lineno, why);
	r->bad = 1;
}

/* The next good line (without its newline, NUL-terminated, in the reader's buffer), or NULL
 * at the end of input. Output is flushed before the reader waits for more input. */
static char *cli_text_line(struct cli_text_reader *r, size_t *len)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->len - r->start);
		if (nl || (r->eof && r->start < r->len)) {
			char *line = r->buf + r->start;
			size_t n = nl ? (size_t)(nl - line) : r->len - r->start;
			r->start += n + (nl ? 1 : 0);
			if (r->skipping) { /* the rest of an over-long line */
				r->skipping = false;
				continue;
			}
			r->lineno++;
			if (n > 0 && line[n - 1] == '\r')
				n--;
			line[n] = 0;
			if (n > CLI_TEXT_LINE_MAX) {
				cli_text_bad(r, "line too long");
				continue;
			}
			*len = n;
			return line;
		}
		if (r->eof)
			return NULL;
		/* keep the unfinished line, then read more */
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->len - r->start);
			r->len -= r->start;
			r->start = 0;
		}
		if (r->len > CLI_TEXT_LINE_MAX + 1) {
			r->lineno++;
			cli_text_bad(r, "line too long");
			r->len = 0;
			r->skipping = true;
		}
		cli_text_out_flush(r->out);
		fflush(stdout);
		ssize_t got = read(STDIN_FILENO, r->buf + r->len, r->cap - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r->eof = true;
			if (r->skipping) {
				r->skipping = false;
				r->len = 0;
			}
			continue;
		}
		r->len += (size_t)got;
		if (r->skipping) {
			char *e = memchr(r->buf, '\n', r->len);
			if (!e) {
				r->len = 0;
				continue;
			}
			r->skipping = false;
			r->start = (size_t)(e - r->buf) + 1;
		}
	}
}

static int cli_text_parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

static int cli_text_parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 100000000ULL || s[0] == '-')
		return -1;
	*out = (size_t)v;
	return 0;
}

static int cli_text_run(bool pairs, const struct text_cluster_opts *opts)
{
	struct cli_text_reader r = {.cap = CLI_TEXT_LINE_MAX + CLI_TEXT_READ};
	struct text_clusterer *c = NULL;
	int rc = 1;
	r.buf = malloc(r.cap + 1);
	if (!r.buf)
		goto fail;
	if (!pairs) {
		c = text_clusterer_new(opts);
		r.out = malloc(sizeof(*r.out));
		if (!c || !r.out)
			goto fail;
		r.out->len = 0;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16); /* flushed whenever input runs dry */
	char *line;
	size_t len;
	for (;;) {
		line = cli_text_line(&r, &len);
		if (!line)
			break;
		char *tab = memchr(line, '\t', len);
		if (!tab) {
			cli_text_bad(&r, "no tab");
			continue;
		}
		if (!cli_text_utf8_ok(line, len)) {
			cli_text_bad(&r, "invalid UTF-8");
			continue;
		}
		const char *a = line, *b = tab + 1;
		size_t alen = (size_t)(tab - line), blen = len - alen - 1;
		if (pairs) {
			const char *t2 = memchr(b, '\t', blen);
			if (t2)
				blen = (size_t)(t2 - b);
			double s = text_similarity(a, alen, b, blen);
			printf("%.4f\t%d\n", s, s >= text_same_threshold() ? 1 : 0);
		} else {
			struct text_assignment as = text_clusterer_add(c, b, blen);
			cli_text_out_line(r.out, a, alen, (long long)as.cluster);
		}
	}
	cli_text_out_flush(r.out);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tala text: writing: %s\n", strerror(errno));
		goto fail;
	}
	rc = r.bad;
fail:
	if (rc != 0 && !r.bad && (!r.buf || (!pairs && (!c || !r.out))))
		fprintf(stderr, "tala text: out of memory\n");
	text_clusterer_free(c);
	free(r.out);
	free(r.buf);
	return rc;
}

int cli_text(int argc, char **argv)
{
	if (argc < 2) {
		cli_text_usage(stderr);
		return 2;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
		cli_text_usage(stdout);
		return 0;
	}
	bool pairs;
	if (strcmp(sub, "cluster") == 0) {
		pairs = false;
	} else if (strcmp(sub, "pairs") == 0) {
		pairs = true;
	} else {
		fprintf(stderr, "tala text: unknown command '%s'\n\n", sub);
		cli_text_usage(stderr);
		return 2;
	}
	struct text_cluster_opts opts = {0};
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_text_usage(stdout);
			return 0;
		}
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
		bool thr = !pairs && nlen == 11 && strncmp(a, "--threshold", 11) == 0;
		bool max = !pairs && nlen == 14 && strncmp(a, "--max-clusters", 14) == 0;
		if (!thr && !max) {
			fprintf(stderr, "tala text: unknown argument '%s' (see --help)\n", a);
			return 2;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "tala text: %s needs a value\n", a);
			return 2;
		}
		if (thr && cli_text_parse_double(val, &opts.threshold) < 0) {
			fprintf(stderr, "tala text: --threshold wants a number in (0, 1]\n");
			return 2;
		}
		if (max && cli_text_parse_size(val, &opts.max_clusters) < 0) {
			fprintf(stderr, "tala text: --max-clusters wants a positive whole number\n");
			return 2;
		}
	}
	return cli_text_run(pairs, &opts);
}
