/* clock.h — the wall clock in epoch milliseconds, with an offset tests can move. */
#ifndef TALA_CLOCK_H
#define TALA_CLOCK_H

#include <stdint.h>

/* Epoch milliseconds (UTC) plus the test offset. */
int64_t clock_now_ms(void);
/* Moves the clock forward by ms (tests only: the server exposes it when started with
 * TALA_TEST_CLOCK=1). */
void clock_advance_ms(int64_t ms);
/* Monotonic milliseconds, for durations. */
int64_t clock_mono_ms(void);

#endif
