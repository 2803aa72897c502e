#include "compat.h"
#include "backoff.h"

#include <errno.h>
#include <unistd.h>

long
mg_backoff_delay_ms(const struct mg_backoff *b, unsigned attempt,
		    uint32_t rnd)
{
	long d = b->base_ms;
	unsigned i;

	for (i = 0; i < attempt && d < b->cap_ms; i++)
		d *= 2;
	if (d > b->cap_ms)
		d = b->cap_ms;
	/* [d/2, d]: half fixed, half random. */
	return d / 2 + (long)((uint64_t)rnd % (uint64_t)(d - d / 2 + 1));
}

long
mg_backoff_retry_after_ms(const char *value, long cap_ms)
{
	char *end;
	long s;

	if (!value)
		return -1;
	while (*value == ' ')
		value++;
	errno = 0;
	s = strtol(value, &end, 10);
	while (*end == ' ' || *end == '\r' || *end == '\n')
		end++;
	if (errno || end == value || *end || s < 0)
		return -1;
	if (s > cap_ms / 1000)
		return cap_ms;
	return s * 1000;
}

uint32_t
mg_backoff_random(void)
{
	static uint32_t state;

	if (!state) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		state = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() ^ 0x9e3779b9u;
		if (!state)
			state = 1;
	}
	/* xorshift32 */
	state ^= state << 13;
	state ^= state >> 17;
	state ^= state << 5;
	return state;
}
