/* ratelimit.c — a fixed, set-associative table of token buckets with striped locks. A new
 * key takes a free slot or one whose bucket has refilled completely; when every slot of its
 * set is in use, the fullest bucket gives way, so a crowd of limited clients cannot lock an
 * innocent one out. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <string.h>

enum { RL_SLOTS = 8192, RL_WAYS = 4, RL_LOCKS = 64, RL_KEY = 80 };

struct rl_bucket {
	char key[RL_KEY];
	double tokens;
	int64_t last_ms;
};

static struct rl_bucket rl_table[RL_SLOTS];
static pthread_mutex_t rl_locks[RL_LOCKS] = {[0 ... RL_LOCKS - 1] = PTHREAD_MUTEX_INITIALIZER};

static uint64_t rl_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static double rl_level(const struct rl_bucket *b, double per_minute, double burst, int64_t now)
{
	double t = b->tokens + (double)(now - b->last_ms) * per_minute / 60000.0;
	return t > burst ? burst : t;
}

/* Takes (take) or gives back (!take) one token; *wait_ms (may be NULL) gets how long until
 * a token is there when none was. */
static bool rl_op(const char *cls, const char *key, double per_minute, double burst,
		  int64_t now_ms, bool take, int64_t *wait_ms)
{
	char full[RL_KEY];
	size_t cl = strlen(cls);
	if (cl > 16)
		cl = 16;
	memcpy(full, cls, cl);
	full[cl] = ':';
	size_t kl = strlen(key);
	if (kl > RL_KEY - cl - 2)
		kl = RL_KEY - cl - 2;
	memcpy(full + cl + 1, key, kl);
	full[cl + 1 + kl] = '\0';
	uint64_t h = rl_hash(full);
	size_t set = (size_t)(h % (RL_SLOTS / RL_WAYS)) * RL_WAYS;
	pthread_mutex_t *lock = &rl_locks[set % RL_LOCKS];
	pthread_mutex_lock(lock);
	struct rl_bucket *b = NULL, *victim = NULL;
	for (size_t i = set; i < set + RL_WAYS; i++) {
		if (strcmp(rl_table[i].key, full) == 0) {
			b = &rl_table[i];
			break;
		}
		/* A free slot, or one that has refilled completely, can be taken over. */
		if (!victim && (!rl_table[i].key[0] ||
				rl_level(&rl_table[i], per_minute, burst, now_ms) >= burst))
			victim = &rl_table[i];
	}
	if (!b && !victim) {
		victim = &rl_table[set];
		for (size_t i = set + 1; i < set + RL_WAYS; i++)
			if (rl_level(&rl_table[i], per_minute, burst, now_ms) >
			    rl_level(victim, per_minute, burst, now_ms))
				victim = &rl_table[i];
	}
	if (!b) {
		b = victim;
		memcpy(b->key, full, sizeof(full));
		b->tokens = burst;
		b->last_ms = now_ms;
	}
	b->tokens = rl_level(b, per_minute, burst, now_ms);
	b->last_ms = now_ms;
	bool ok = true;
	if (!take) {
		b->tokens = b->tokens + 1.0 > burst ? burst : b->tokens + 1.0;
	} else if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
	} else {
		ok = false;
		if (wait_ms)
			*wait_ms = (int64_t)((1.0 - b->tokens) * 60000.0 / per_minute) + 1;
	}
	pthread_mutex_unlock(lock);
	return ok;
}

bool ratelimit_take(const char *cls, const char *key, double per_minute, double burst,
		    int64_t now_ms)
{
	return rl_op(cls, key, per_minute, burst, now_ms, true, NULL);
}

bool ratelimit_take_wait(const char *cls, const char *key, double per_minute, double burst,
			 int64_t now_ms, int64_t *wait_ms)
{
	return rl_op(cls, key, per_minute, burst, now_ms, true, wait_ms);
}

void ratelimit_give(const char *cls, const char *key, double per_minute, double burst,
		    int64_t now_ms)
{
	rl_op(cls, key, per_minute, burst, now_ms, false, NULL);
}
