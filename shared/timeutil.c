#include "compat.h"
#include "timeutil.h"

#include <assert.h>

#include "err.h"


static bool
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in(int month, long year)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };

	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (the usual era-based civil-to-days conversion).
 */
static long long
days_from_civil(long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits at *p into *v; advances *p. */
static bool
digits(const char **p, int n, long *v)
{
	long x = 0;
	int i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return true;
}

static bool
lit(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

int
mg_time_parse_ts(const char *s, struct timespec *out, struct mg_err *err)
{
	const char *p = s;
	long year, month, day, hour, min, sec, oh = 0, om = 0, nsec = 0;
	long long t;
	int sign = 0, nd;

	assert(s && out);
	if (!digits(&p, 4, &year) || !lit(&p, '-') ||
	    !digits(&p, 2, &month) || !lit(&p, '-') || !digits(&p, 2, &day) ||
	    !lit(&p, 'T'))
		goto bad;
	/* Go's layout "15" takes one or two digits for the hour. */
	if (!digits(&p, 1, &hour))
		goto bad;
	if (*p >= '0' && *p <= '9')
		hour = hour * 10 + (*p++ - '0');
	if (!lit(&p, ':') || !digits(&p, 2, &min) || !lit(&p, ':') ||
	    !digits(&p, 2, &sec))
		goto bad;
	if ((*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9') {
		/* Nanoseconds from the first nine digits; the rest are
		 * read and dropped. */
		p++;
		for (nd = 0; *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 9)
				nsec = nsec * 10 + (*p - '0');
		for (; nd < 9; nd++)
			nsec *= 10;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh) || !lit(&p, ':') ||
		    !digits(&p, 2, &om) || oh > 24 || om > 60)
			goto bad;
	} else {
		goto bad;
	}
	if (*p != '\0' || month < 1 || month > 12 || day < 1 ||
	    day > days_in((int)month, year) || hour > 23 || min > 59 ||
	    sec > 59)
		goto bad;

	t = days_from_civil(year, (int)month, (int)day) * 86400LL +
	    hour * 3600 + min * 60 + sec;
	/* Local time = UTC + offset, so UTC = local - offset. */
	t -= sign * (oh * 3600 + om * 60);
	out->tv_sec = (time_t)t;
	out->tv_nsec = nsec;
	return MG_OK;
bad:
	return mg_err_set(err, MG_EPARSE, "'%s' is not an RFC 3339 time", s);
}

int
mg_time_format(char out[MG_TIME_LEN + 1], time_t t,
		     struct mg_err *err)
{
	char tmp[64]; /* room for any int, so the compiler sees no cut */
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		out[0] = '\0';
		return mg_err_set(err, MG_EINVAL,
				  "time %lld is outside the years 0000-9999",
				  (long long)t);
	}
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	assert(strlen(tmp) == MG_TIME_LEN);
	memcpy(out, tmp, MG_TIME_LEN + 1);
	return MG_OK;
}

int
mg_time_parse(const char *s, time_t *out)
{
	struct timespec ts;
	int rc = mg_time_parse_ts(s, &ts, NULL);

	if (!rc)
		*out = ts.tv_sec;
	return rc;
}

int64_t
mg_time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
