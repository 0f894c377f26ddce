/* clock.c — wall clock with a test offset. */
#include "core/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t clock_offset_ms;

int64_t clock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&clock_offset_ms);
}

void clock_advance_ms(int64_t ms)
{
	atomic_fetch_add(&clock_offset_ms, ms);
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
