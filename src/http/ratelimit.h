/* ratelimit.h — token buckets keyed by a string (client IP, device id …), in memory, for
 * public endpoints: a bucket holds up to `burst` tokens and refills at `per_minute`. */
#ifndef TALA_RATELIMIT_H
#define TALA_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

/* Takes one token from the bucket of (cls, key); false when it is empty (answer 429).
 * Thread-safe. Buckets live in a fixed table; an idle bucket may be recycled. */
bool ratelimit_take(const char *cls, const char *key, double per_minute, double burst,
		    int64_t now_ms);

/* Like ratelimit_take; when the bucket is empty, *wait_ms gets the milliseconds until it
 * holds a token again (for Retry-After). */
bool ratelimit_take_wait(const char *cls, const char *key, double per_minute, double burst,
			 int64_t now_ms, int64_t *wait_ms);
/* Gives a token back (a request that passed this bucket was refused by a later one). */
void ratelimit_give(const char *cls, const char *key, double per_minute, double burst,
		    int64_t now_ms);

#endif
