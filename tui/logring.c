/*
 * logring.c - the library's log sink while the dashboard owns the
 * terminal (app.h): nothing may reach stdout or stderr behind curses'
 * back, so lines go to a ring shown by the log view, and to a file when
 * --log-file asks. The action worker logs too, hence the lock.
 */
#include "compat.h"

#include <pthread.h>
#include <stdarg.h>

#include "app.h"

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static struct logline ring[LOGRING_LINES];
static size_t ring_next, ring_n;
static unsigned long ring_total;
static FILE *ring_file;

static void
add_line(enum mg_log_level level, const char *msg)
{
	struct logline *l;
	time_t now = time(NULL);

	pthread_mutex_lock(&ring_lock);
	l = &ring[ring_next];
	l->when = now;
	l->level = level;
	snprintf(l->msg, sizeof(l->msg), "%s", msg);
	ring_next = (ring_next + 1) % LOGRING_LINES;
	if (ring_n < LOGRING_LINES)
		ring_n++;
	ring_total++;
	if (ring_file) {
		struct tm tm;
		char ts[32] = "";

		if (gmtime_r(&now, &tm))
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(ring_file, "%s %s %s\n", ts, mg_log_level_name(level),
			msg);
		fflush(ring_file);
	}
	pthread_mutex_unlock(&ring_lock);
}

static void
sink(enum mg_log_level level, const char *msg, void *data)
{
	(void)data;
	add_line(level, msg);
}

int
logring_start(const char *file, enum mg_log_level max)
{
	if (file) {
		ring_file = fopen(file, "a");
		if (!ring_file)
			return -1;
	}
	mg_log_set_sink(sink, NULL, max);
	return 0;
}

void
logring_stop(void)
{
	mg_log_set_sink(NULL, NULL, MG_LOG_WARN);
	pthread_mutex_lock(&ring_lock);
	if (ring_file)
		fclose(ring_file);
	ring_file = NULL;
	pthread_mutex_unlock(&ring_lock);
}

size_t
logring_copy(struct logline *out, size_t max)
{
	size_t i, n, first;

	pthread_mutex_lock(&ring_lock);
	n = ring_n < max ? ring_n : max;
	first = (ring_next + LOGRING_LINES - n) % LOGRING_LINES;
	for (i = 0; i < n; i++)
		out[i] = ring[(first + i) % LOGRING_LINES];
	pthread_mutex_unlock(&ring_lock);
	return n;
}

unsigned long
logring_count(void)
{
	unsigned long n;

	pthread_mutex_lock(&ring_lock);
	n = ring_total;
	pthread_mutex_unlock(&ring_lock);
	return n;
}

void
logring_add(enum mg_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_line(level, msg);
}
