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

#endif
