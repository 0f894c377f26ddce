/* cluster.c — online clustering of questions into hot questions (热点问题), and heat.
 *
 * Each cluster keeps up to CL_MEMBERS stored members (their shingle sets and raw text); a
 * question joins the cluster of its most similar stored member when the weighted Jaccard
 * similarity reaches the threshold. Candidates come from an inverted index (shingle hash →
 * chain of postings, newest first): only the chains of the question's rarest shingles are
 * walked, as many as it takes to cover (1 − threshold) of its weight, since a member that
 * shares none of them cannot reach the threshold (prefix filtering). Memory is bounded by
 * max_clusters: past it the least recently joined cluster is retired and its postings go
 * stale; the index is rebuilt from the live members when stale postings outnumber live ones.
 * All storage grows geometrically and is reused, so adding a question does not allocate. */
#include "text/text.h"
#include "text/text_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
	CL_MEMBERS = 4,	   /* stored members per cluster (the first ones) */
	CL_DOC_CPS = 64,   /* a question is compared on its first 64 characters */
	CL_SCAN = 4096,	   /* postings walked per question at most */
	CL_CANDS = 24,	   /* candidates scored exactly per question */
	CL_CLASSES = 8,	   /* block size classes: 128 << k bytes */
	CL_CHUNK = 1 << 16 /* bytes carved into blocks at a time */
};
#define CL_NONE UINT32_MAX
#define CL_DF_MASK ((1U << 18) - 1)
#define CL_DF_K 100.0f /* smoothing of the stream's document frequencies */
enum { CL_LOG_TAB = 1024 };
#define CL_DEFAULT_MAX 100000

/* ---- blocks: size-classed free lists over big chunks ------------------------------- */

struct cl_chunk {
	struct cl_chunk *next;
};

struct cl_pool {
	void *free[CL_CLASSES];
	struct cl_chunk *chunks;
	char *cur; /* unused rest of the newest chunk */
	size_t left;
};

static unsigned pool_class(size_t size)
{
	unsigned k = 0;
	while (((size_t)128 << k) < size)
		k++;
	return k;
}

static void *pool_get(struct cl_pool *p, unsigned k)
{
	size_t size = (size_t)128 << k;
	if (p->free[k]) {
		void *b = p->free[k];
		memcpy(&p->free[k], b, sizeof(void *));
		return b;
	}
	if (p->left < size) {
		size_t want = CL_CHUNK > size + 64 ? CL_CHUNK : size + 64;
		struct cl_chunk *ch = malloc(want);
		if (!ch)
			return NULL;
		ch->next = p->chunks;
		p->chunks = ch;
		p->cur = (char *)ch + 64;
		p->left = want - 64;
	}
	void *b = p->cur;
	p->cur += size;
	p->left -= size;
	return b;
}

static void pool_put(struct cl_pool *p, void *b, unsigned k)
{
	memcpy(b, &p->free[k], sizeof(void *));
	p->free[k] = b;
}

/* ---- the clusterer ------------------------------------------------------------------ */

struct cl_doc {
	uint32_t cluster; /* slot, CL_NONE when free */
	uint32_t gen;	  /* bumped when the doc is freed: postings with an old gen are stale */
	uint32_t n;	  /* shingles */
	uint32_t cls;	  /* block size class */
	uint32_t intent;
	float total;
	uint32_t *hash; /* in block: hash[n], w[n], text NUL-terminated */
	float *w;
	char *text;
};

struct cl_cluster {
	int64_t id;
	uint32_t prev, next; /* LRU list, most recently joined first */
	uint32_t ndocs, rep;
	uint32_t docs[CL_MEMBERS];
	float simsum[CL_MEMBERS];
	bool live;
};

struct cl_entry {     /* inverted index: shingle hash → chain */
	uint32_t key; /* 0 = empty (a shingle hash never is 0) */
	uint32_t head;
	uint32_t len;
};

struct cl_posting {
	uint32_t doc, gen, next;
};

struct cl_scratch { /* per-query work space (the clusterer is used by one thread) */
	float *acc;	 /* by doc */
	uint32_t *touched;
};

struct text_clusterer {
	double threshold;
	size_t max_clusters;
	int64_t next_id;
	struct cl_pool pool;
	struct cl_doc *docs;
	uint32_t ndocs, cap_docs, free_doc;
	struct cl_cluster *clusters;
	uint32_t nclusters, cap_clusters, free_cluster, live;
	uint32_t lru_head, lru_tail;
	struct {
		int64_t *ids; /* id → slot, open addressing; -1 = empty */
		uint32_t *slots;
		uint32_t mask;
	} map;
	struct cl_entry *index;
	uint32_t index_mask, index_used;
	struct cl_posting *postings;
	uint32_t npostings, cap_postings, stale;
	struct cl_scratch *scratch;
	uint64_t nquestions; /* added, for the stream's document frequencies */
	uint32_t *df;	     /* questions with a shingle, by hash & CL_DF_MASK */
	float logtab[CL_LOG_TAB]; /* log(i + 1) */
};

static uint32_t cl_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static int cl_grow(void **p, uint32_t *cap, size_t elem, uint32_t need)
{
	if (need <= *cap)
		return 0;
	uint32_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* ---- id map ---- */

static int cl_map_init(struct text_clusterer *c, uint32_t cap)
{
	c->map.ids = malloc(cap * sizeof(*c->map.ids));
	c->map.slots = malloc(cap * sizeof(*c->map.slots));
	if (!c->map.ids || !c->map.slots)
		return -1;
	for (uint32_t i = 0; i < cap; i++)
		c->map.ids[i] = -1;
	c->map.mask = cap - 1;
	return 0;
}

static uint32_t cl_map_find(const struct text_clusterer *c, int64_t id)
{
	for (uint32_t i = cl_mix((uint64_t)id) & c->map.mask;; i = (i + 1) & c->map.mask) {
		if (c->map.ids[i] == id)
			return c->map.slots[i];
		if (c->map.ids[i] < 0)
			return CL_NONE;
	}
}

static void cl_map_put(struct text_clusterer *c, int64_t id, uint32_t slot)
{
	uint32_t i = cl_mix((uint64_t)id) & c->map.mask;
	while (c->map.ids[i] >= 0)
		i = (i + 1) & c->map.mask;
	c->map.ids[i] = id;
	c->map.slots[i] = slot;
}

static void cl_map_del(struct text_clusterer *c, int64_t id)
{
	uint32_t m = c->map.mask;
	uint32_t i = cl_mix((uint64_t)id) & m;
	while (c->map.ids[i] != id) {
		if (c->map.ids[i] < 0)
			return;
		i = (i + 1) & m;
	}
	/* backward-shift deletion keeps every probe chain whole */
	for (uint32_t j = (i + 1) & m; c->map.ids[j] >= 0; j = (j + 1) & m) {
		uint32_t home = cl_mix((uint64_t)c->map.ids[j]) & m;
		if (((j - home) & m) >= ((j - i) & m)) {
			c->map.ids[i] = c->map.ids[j];
			c->map.slots[i] = c->map.slots[j];
			i = j;
		}
	}
	c->map.ids[i] = -1;
}

static int cl_map_grow(struct text_clusterer *c)
{
	if ((size_t)c->live * 2 < c->map.mask + 1)
		return 0;
	int64_t *ids = c->map.ids;
	uint32_t *slots = c->map.slots;
	uint32_t old = c->map.mask + 1;
	if (cl_map_init(c, old * 2) < 0) {
		free(c->map.ids);
		free(c->map.slots);
		c->map.ids = ids;
		c->map.slots = slots;
		c->map.mask = old - 1;
		return -1;
	}
	for (uint32_t i = 0; i < old; i++)
		if (ids[i] >= 0)
			cl_map_put(c, ids[i], slots[i]);
	free(ids);
	free(slots);
	return 0;
}

/* ---- inverted index ---- */

static struct cl_entry *cl_index_find(const struct text_clusterer *c, uint32_t key)
{
	for (uint32_t i = cl_mix(key) & c->index_mask;; i = (i + 1) & c->index_mask) {
		if (c->index[i].key == key)
			return &c->index[i];
		if (c->index[i].key == 0)
			return NULL;
	}
}

static struct cl_entry *cl_index_slot(struct text_clusterer *c, uint32_t key)
{
	uint32_t i = cl_mix(key) & c->index_mask;
	while (c->index[i].key != key && c->index[i].key != 0)
		i = (i + 1) & c->index_mask;
	if (c->index[i].key == 0) {
		c->index[i] = (struct cl_entry){.key = key, .head = CL_NONE, .len = 0};
		c->index_used++;
	}
	return &c->index[i];
}

static int cl_index_alloc(struct text_clusterer *c, uint32_t cap)
{
	struct cl_entry *e = calloc(cap, sizeof(*e));
	if (!e)
		return -1;
	free(c->index);
	c->index = e;
	c->index_mask = cap - 1;
	c->index_used = 0;
	return 0;
}

static int cl_index_doc(struct text_clusterer *c, uint32_t d)
{
	struct cl_doc *doc = &c->docs[d];
	if (cl_grow((void **)&c->postings, &c->cap_postings, sizeof(*c->postings),
		    c->npostings + doc->n) < 0)
		return -1;
	if ((size_t)(c->index_used + doc->n) * 2 > (size_t)c->index_mask + 1)
		return 1; /* the caller rebuilds a bigger index */
	for (uint32_t i = 0; i < doc->n; i++) {
		struct cl_entry *e = cl_index_slot(c, doc->hash[i]);
		uint32_t p = c->npostings++;
		c->postings[p] = (struct cl_posting){.doc = d, .gen = doc->gen, .next = e->head};
		e->head = p;
		e->len++;
	}
	return 0;
}

/* Rebuilds the index from the live members: drops stale postings, grows the table. */
static int cl_index_rebuild(struct text_clusterer *c, uint32_t extra)
{
	size_t need = extra;
	for (uint32_t d = 0; d < c->ndocs; d++)
		if (c->docs[d].cluster != CL_NONE)
			need += c->docs[d].n;
	uint32_t cap = c->index_mask + 1;
	while ((size_t)cap < need * 2 + 64)
		cap *= 2;
	if (cl_index_alloc(c, cap) < 0)
		return -1;
	c->npostings = 0;
	c->stale = 0;
	for (uint32_t d = 0; d < c->ndocs; d++)
		if (c->docs[d].cluster != CL_NONE && cl_index_doc(c, d) != 0)
			return -1;
	return 0;
}

/* ---- docs ---- */

/* Stores a member; returns its doc index or CL_NONE when out of memory. */
static uint32_t cl_doc_new(struct text_clusterer *c, uint32_t slot, const struct text_shingles *q,
			   const char *text, size_t len)
{
	uint32_t d;
	if (c->free_doc != CL_NONE) {
		d = c->free_doc;
		c->free_doc = c->docs[d].cluster == CL_NONE ? c->docs[d].n : CL_NONE;
	} else {
		if (cl_grow((void **)&c->docs, &c->cap_docs, sizeof(*c->docs), c->ndocs + 1) < 0)
			return CL_NONE;
		float *acc = realloc(c->scratch->acc, c->cap_docs * sizeof(float));
		if (acc)
			c->scratch->acc = acc;
		uint32_t *t = realloc(c->scratch->touched, c->cap_docs * sizeof(uint32_t));
		if (t)
			c->scratch->touched = t;
		if (!acc || !t)
			return CL_NONE;
		c->scratch->acc[c->ndocs] = 0;
		d = c->ndocs++;
		c->docs[d].gen = 0;
	}
	struct cl_doc *doc = &c->docs[d];
	size_t tl = text_cut(text, len);
	size_t size = (size_t)q->n * (sizeof(uint32_t) + sizeof(float)) + tl + 1;
	doc->cls = pool_class(size);
	char *b = doc->cls < CL_CLASSES ? pool_get(&c->pool, doc->cls) : NULL;
	if (!b) {
		doc->cluster = CL_NONE;
		doc->n = c->free_doc;
		c->free_doc = d;
		return CL_NONE;
	}
	doc->cluster = slot;
	doc->n = q->n;
	doc->total = q->total;
	doc->intent = q->intent;
	doc->hash = (uint32_t *)(void *)b;
	doc->w = (float *)(void *)(b + (size_t)q->n * sizeof(uint32_t));
	doc->text = b + (size_t)q->n * (sizeof(uint32_t) + sizeof(float));
	memcpy(doc->hash, q->hash, q->n * sizeof(uint32_t));
	memcpy(doc->w, q->w, q->n * sizeof(float));
	/* the raw text, with any invalid UTF-8 left out */
	size_t o = 0;
	for (size_t i = 0; i < tl;) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)text + i, tl - i, &cp);
		if (k == 0) {
			i++;
			continue;
		}
		memcpy(doc->text + o, text + i, k);
		o += k;
		i += k;
	}
	doc->text[o] = 0;
	int rc = cl_index_doc(c, d);
	if (rc > 0)
		rc = cl_index_rebuild(c, 0);
	if (rc < 0) {
		doc->cluster = CL_NONE; /* not findable; freed with the clusterer */
		return CL_NONE;
	}
	return d;
}

static void cl_doc_free(struct text_clusterer *c, uint32_t d)
{
	struct cl_doc *doc = &c->docs[d];
	size_t n = doc->n;
	pool_put(&c->pool, doc->hash, doc->cls);
	doc->gen++;
	doc->cluster = CL_NONE;
	doc->n = c->free_doc; /* the free list runs through n */
	c->free_doc = d;
	c->stale += (uint32_t)n;
}

/* Weighted Jaccard of a question and a stored member. */
static double cl_doc_sim(const struct text_shingles *q, const struct cl_doc *d)
{
	float shared = 0;
	uint32_t i = 0, j = 0;
	while (i < q->n && j < d->n) {
		if (q->hash[i] < d->hash[j]) {
			i++;
		} else if (q->hash[i] > d->hash[j]) {
			j++;
		} else {
			shared += q->w[i] < d->w[j] ? q->w[i] : d->w[j];
			i++;
			j++;
		}
	}
	return shingle_score(q->total, d->total, q->intent, d->intent, shared);
}

/* ---- LRU ---- */

static void cl_lru_unlink(struct text_clusterer *c, uint32_t s)
{
	struct cl_cluster *k = &c->clusters[s];
	if (k->prev != CL_NONE)
		c->clusters[k->prev].next = k->next;
	else
		c->lru_head = k->next;
	if (k->next != CL_NONE)
		c->clusters[k->next].prev = k->prev;
	else
		c->lru_tail = k->prev;
	k->prev = k->next = CL_NONE;
}

static void cl_lru_front(struct text_clusterer *c, uint32_t s)
{
	struct cl_cluster *k = &c->clusters[s];
	k->prev = CL_NONE;
	k->next = c->lru_head;
	if (c->lru_head != CL_NONE)
		c->clusters[c->lru_head].prev = s;
	c->lru_head = s;
	if (c->lru_tail == CL_NONE)
		c->lru_tail = s;
}

static void cl_retire(struct text_clusterer *c, uint32_t s)
{
	struct cl_cluster *k = &c->clusters[s];
	cl_lru_unlink(c, s);
	for (uint32_t i = 0; i < k->ndocs; i++)
		cl_doc_free(c, k->docs[i]);
	cl_map_del(c, k->id);
	k->live = false;
	k->ndocs = 0;
	k->next = c->free_cluster;
	c->free_cluster = s;
	c->live--;
}

/* ---- public ---- */

struct text_clusterer *text_clusterer_new(const struct text_cluster_opts *opts)
{
	struct text_clusterer *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->threshold = opts && opts->threshold > 0 ? opts->threshold : text_same_threshold();
	c->max_clusters = opts && opts->max_clusters > 0 ? opts->max_clusters : CL_DEFAULT_MAX;
	if (c->max_clusters > UINT32_MAX / 4)
		c->max_clusters = UINT32_MAX / 4;
	c->free_doc = c->free_cluster = CL_NONE;
	c->lru_head = c->lru_tail = CL_NONE;
	c->scratch = calloc(1, sizeof(*c->scratch));
	c->df = calloc(CL_DF_MASK + 1, sizeof(*c->df));
	for (int i = 0; i < CL_LOG_TAB; i++)
		c->logtab[i] = logf((float)i + 1.0f);
	if (!c->scratch || !c->df || cl_map_init(c, 64) < 0 || cl_index_alloc(c, 1024) < 0) {
		text_clusterer_free(c);
		return NULL;
	}
	return c;
}

void text_clusterer_free(struct text_clusterer *c)
{
	if (!c)
		return;
	while (c->pool.chunks) {
		struct cl_chunk *n = c->pool.chunks->next;
		free(c->pool.chunks);
		c->pool.chunks = n;
	}
	if (c->scratch) {
		free(c->scratch->acc);
		free(c->scratch->touched);
		free(c->scratch);
	}
	free(c->docs);
	free(c->clusters);
	free(c->map.ids);
	free(c->map.slots);
	free(c->index);
	free(c->postings);
	free(c->df);
	free(c);
}

struct cl_best {
	uint32_t slot;
	double score;
};

/* The live cluster whose stored member is most like q. */
static struct cl_best cl_find(const struct text_clusterer *c, const struct text_shingles *q)
{
	struct cl_best best = {CL_NONE, 0.0};
	if (c->live == 0 || q->n == 0)
		return best;
	/* the question's shingles, rarest (shortest chain) first */
	uint32_t order[TEXT_MAX_SHINGLES];
	uint32_t lens[TEXT_MAX_SHINGLES];
	uint32_t heads[TEXT_MAX_SHINGLES];
	for (uint32_t i = 0; i < q->n; i++) {
		const struct cl_entry *e = cl_index_find(c, q->hash[i]);
		lens[i] = e ? e->len : 0;
		heads[i] = e ? e->head : CL_NONE;
		uint32_t j = i;
		while (j > 0 && lens[order[j - 1]] > lens[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	struct cl_scratch *s = c->scratch;
	uint32_t ntouched = 0, scanned = 0;
	float need = (float)((1.0 - c->threshold) * q->total), covered = 0;
	for (uint32_t oi = 0; oi < q->n && covered <= need && scanned < CL_SCAN; oi++) {
		uint32_t i = order[oi];
		float w = q->w[i];
		for (uint32_t p = heads[i]; p != CL_NONE && scanned < CL_SCAN;
		     p = c->postings[p].next) {
			const struct cl_posting *ps = &c->postings[p];
			scanned++;
			if (c->docs[ps->doc].gen != ps->gen || c->docs[ps->doc].cluster == CL_NONE)
				continue;
			if (s->acc[ps->doc] == 0)
				s->touched[ntouched++] = ps->doc;
			s->acc[ps->doc] += w;
		}
		covered += w;
	}
	/* the best partial overlaps are scored exactly */
	uint32_t cand[CL_CANDS];
	float cw[CL_CANDS];
	uint32_t nc = 0;
	for (uint32_t t = 0; t < ntouched; t++) {
		uint32_t d = s->touched[t];
		float a = s->acc[d];
		s->acc[d] = 0;
		if (nc < CL_CANDS) {
			cand[nc] = d;
			cw[nc++] = a;
			continue;
		}
		uint32_t lo = 0;
		for (uint32_t k = 1; k < nc; k++)
			if (cw[k] < cw[lo])
				lo = k;
		if (a > cw[lo]) {
			cand[lo] = d;
			cw[lo] = a;
		}
	}
	uint32_t seen[CL_CANDS];
	uint32_t nseen = 0;
	for (uint32_t k = 0; k < nc; k++) {
		uint32_t slot = c->docs[cand[k]].cluster;
		bool dup = false;
		for (uint32_t j = 0; j < nseen; j++)
			dup = dup || seen[j] == slot;
		if (dup)
			continue;
		seen[nseen++] = slot;
		const struct cl_cluster *cl = &c->clusters[slot];
		/* average link over the stored members: one stray member does not drag in
		 * questions like it (single link chains same-topic questions together) */
		double sum = 0;
		for (uint32_t j = 0; j < cl->ndocs; j++)
			sum += cl_doc_sim(q, &c->docs[cl->docs[j]]);
		double sc = sum / cl->ndocs;
		if (sc > best.score || (sc == best.score && best.slot != CL_NONE &&
					cl->id < c->clusters[best.slot].id)) {
			best.score = sc;
			best.slot = slot;
		}
	}
	return best;
}

/* Damps the weights of shingles frequent in this stream (the topic every question of a
 * stream on 草原补奖 shares), so that what differs decides: w × d^(1/4) with
 * d = log((N + K) / (df + 1)) / log(N + K), N questions so far, df those with the shingle. */
static void cl_reweight(const struct text_clusterer *c, struct text_shingles *q)
{
	float lognk = logf((float)c->nquestions + CL_DF_K);
	float total = 0;
	for (uint32_t i = 0; i < q->n; i++) {
		uint32_t df = c->df[q->hash[i] & CL_DF_MASK];
		float ldf = df < CL_LOG_TAB ? c->logtab[df] : logf((float)df + 1.0f);
		float d = (lognk - ldf) / lognk;
		d = d > 1 ? 1 : d < 0.05f ? 0.05f : d;
		q->w[i] *= sqrtf(sqrtf(d));
		total += q->w[i];
	}
	q->total = total;
}

static void cl_count(struct text_clusterer *c, const struct text_shingles *q)
{
	c->nquestions++;
	for (uint32_t i = 0; i < q->n; i++)
		c->df[q->hash[i] & CL_DF_MASK]++;
}

static size_t cl_prepare(const struct text_clusterer *c, const char *text, size_t len,
			 struct text_shingles *q, struct text_shingles *raw)
{
	uint32_t cps[CL_DOC_CPS];
	size_t n = text_normalize_cps(text, len, cps, CL_DOC_CPS);
	shingle_build(cps, n, raw);
	*q = *raw;
	cl_reweight(c, q);
	return n;
}

struct text_assignment text_clusterer_peek(const struct text_clusterer *c, const char *text,
					   size_t len)
{
	struct text_assignment a = {-1, false, 0.0};
	struct text_shingles q, raw;
	if (!c || cl_prepare(c, text, len, &q, &raw) == 0)
		return a;
	struct cl_best b = cl_find(c, &q);
	if (b.slot != CL_NONE && b.score >= c->threshold) {
		a.cluster = c->clusters[b.slot].id;
		a.score = b.score;
	}
	return a;
}

/* Stores q as a member of cluster slot s when it has room, and moves the representative
 * to the stored member most like the others. */
static void cl_remember(struct text_clusterer *c, uint32_t s, const struct text_shingles *q,
			const char *text, size_t len)
{
	if (c->clusters[s].ndocs >= CL_MEMBERS)
		return;
	uint32_t d = cl_doc_new(c, s, q, text, len);
	if (d == CL_NONE)
		return;
	struct cl_cluster *k = &c->clusters[s];
	uint32_t m = k->ndocs;
	k->docs[m] = d;
	k->simsum[m] = 0;
	for (uint32_t i = 0; i < m; i++) {
		float sim = (float)cl_doc_sim(q, &c->docs[k->docs[i]]);
		k->simsum[i] += sim;
		k->simsum[m] += sim;
	}
	k->ndocs = m + 1;
	for (uint32_t i = 0; i < k->ndocs; i++)
		if (k->simsum[i] > k->simsum[k->rep])
			k->rep = i;
}

struct text_assignment text_clusterer_add(struct text_clusterer *c, const char *text, size_t len)
{
	struct text_assignment a = {-1, false, 0.0};
	struct text_shingles q, raw;
	if (!c || cl_prepare(c, text, len, &q, &raw) == 0)
		return a;
	struct cl_best b = cl_find(c, &q);
	cl_count(c, &raw);
	if (b.slot != CL_NONE && b.score >= c->threshold) {
		cl_lru_unlink(c, b.slot);
		cl_lru_front(c, b.slot);
		cl_remember(c, b.slot, &q, text, len);
		a.cluster = c->clusters[b.slot].id;
		a.score = b.score;
		return a;
	}
	while (c->live >= c->max_clusters && c->lru_tail != CL_NONE)
		cl_retire(c, c->lru_tail);
	if (c->stale > 4096 && c->stale > c->npostings - c->stale)
		(void)cl_index_rebuild(c, 0);
	uint32_t s;
	if (c->free_cluster != CL_NONE) {
		s = c->free_cluster;
		c->free_cluster = c->clusters[s].next;
	} else {
		if (cl_grow((void **)&c->clusters, &c->cap_clusters, sizeof(*c->clusters),
			    c->nclusters + 1) < 0)
			return a;
		s = c->nclusters++;
	}
	struct cl_cluster *k = &c->clusters[s];
	*k = (struct cl_cluster){.id = c->next_id++, .prev = CL_NONE, .next = CL_NONE,
				 .live = true};
	c->live++;
	cl_lru_front(c, s);
	if (cl_map_grow(c) == 0)
		cl_map_put(c, k->id, s);
	cl_remember(c, s, &q, text, len);
	a.cluster = k->id;
	a.opened = true;
	a.score = 1.0;
	return a;
}

const char *text_clusterer_title(const struct text_clusterer *c, int64_t cluster)
{
	if (!c || cluster < 0)
		return NULL;
	uint32_t s = cl_map_find(c, cluster);
	if (s == CL_NONE || c->clusters[s].ndocs == 0)
		return NULL;
	const struct cl_cluster *k = &c->clusters[s];
	return c->docs[k->docs[k->rep]].text;
}

size_t text_clusterer_count(const struct text_clusterer *c)
{
	return c ? (size_t)c->next_id : 0;
}

/* ---- heat ---- */

double text_heat_at(double heat, int64_t heat_ms, int64_t now_ms)
{
	if (now_ms <= heat_ms)
		return heat;
	return heat * exp(-(double)(now_ms - heat_ms) / TEXT_HEAT_HALF_LIFE_MS * M_LN2);
}

double text_heat_add(double heat, int64_t heat_ms, int64_t now_ms, double weight)
{
	return text_heat_at(heat, heat_ms, now_ms) + weight;
}
