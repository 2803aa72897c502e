/*
 * timeutil.h - RFC 3339 times as Kubernetes writes them, and clocks.
 */
#ifndef MG_TIMEUTIL_H
#define MG_TIMEUTIL_H

#include "compat.h"

struct mg_err;

/* "YYYY-MM-DDTHH:MM:SSZ" */
#define MG_TIME_LEN 20

/*
 * Parses an RFC 3339 time as Go's time.Parse(time.RFC3339) reads it:
 * "YYYY-MM-DDTHH:MM:SS", optional fraction (nanoseconds kept), then "Z"
 * or "+hh:mm"/"-hh:mm". Year 0000-9999, real calendar days, hour 0-23
 * (one or two digits), minute and second 0-59. MG_EPARSE naming the value
 * otherwise; *out is only written on success.
 */
int mg_time_parse_ts(const char *s, struct timespec *out, struct mg_err *err);

/* The same, to whole seconds since the epoch. */
int mg_time_parse(const char *s, time_t *out);

/*
 * Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds), as Kubernetes
 * and the operator stamp times. MG_EINVAL when the year is outside
 * 0000-9999.
 */
int mg_time_format(char out[MG_TIME_LEN + 1], time_t t, struct mg_err *err);

/* Milliseconds of CLOCK_MONOTONIC, for timeouts and durations. */
int64_t mg_time_mono_ms(void);

#endif /* MG_TIMEUTIL_H */
