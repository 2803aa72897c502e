/*
 * backoff.h - capped exponential backoff with jitter, as a pure function.
 *
 * delay(attempt) = min(cap, base * 2^attempt), then jittered down to a
 * value in [delay/2, delay] by `rnd` (so many clients retrying at once
 * spread out). The caller supplies the random number, which keeps the
 * function testable.
 */
#ifndef MG_BACKOFF_H
#define MG_BACKOFF_H

#include "compat.h"

struct mg_backoff {
	long base_ms;
	long cap_ms;
};

#define MG_BACKOFF_INIT { 200, 30000 }

long mg_backoff_delay_ms(const struct mg_backoff *b, unsigned attempt,
			 uint32_t rnd);

/*
 * The delay a Retry-After header asks for, in ms: delta-seconds only (what
 * the API server sends), capped at cap_ms. -1 when absent or not a number.
 */
long mg_backoff_retry_after_ms(const char *value, long cap_ms);

/* A random number for the jitter (not for secrets). */
uint32_t mg_backoff_random(void);

#endif /* MG_BACKOFF_H */
