/*
 * timeutil.h - RFC 3339 times as Kubernetes writes them, and clocks.
 */
#ifndef MG_TIMEUTIL_H
#define MG_TIMEUTIL_H

#include "compat.h"

/*
 * Parses "2026-11-21T20:33:18Z", with optional fractional seconds and a
 * numeric offset ("+02:00"), into seconds since the epoch. MG_EPARSE if
 * malformed.
 */
int mg_time_parse(const char *s, time_t *out);

/* Formats t as "2026-11-21T20:33:18Z" into out (at least 21 bytes). */
void mg_time_format(time_t t, char *out, size_t n);

/* Milliseconds of CLOCK_MONOTONIC, for timeouts and durations. */
int64_t mg_time_mono_ms(void);

#endif /* MG_TIMEUTIL_H */
