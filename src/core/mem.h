/* mem.h — allocation wrappers that abort on out-of-memory, and a per-request arena.
 * The server calls these instead of malloc/calloc/realloc/strdup (see scripts/checksrc.sh). */
#ifndef TALA_MEM_H
#define TALA_MEM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formats into a new malloc'd string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer (data is malloc'd; the owner frees it), for output written in
 * pieces by a library callback (cairo's PNG and PDF streams). */
struct membuf {
	unsigned char *data;
	size_t len, cap;
};
/* Appends n bytes, growing the buffer by doubling; aborts on out-of-memory. */
void membuf_append(struct membuf *b, const void *data, size_t n);

/* An arena: many allocations freed at once. Cleanup callbacks registered on it run (last
 * registered first) when it is freed, so jansson values and other owned objects can hang
 * off a request. */
struct arena;
typedef void (*arena_cleanup_fn)(void *p);

struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Calls fn(p) when the arena is freed. */
void arena_defer(struct arena *a, arena_cleanup_fn fn, void *p);

#endif
