#include "compat.h"
#include "log.h"

#include <stdarg.h>

static mg_log_sink_fn log_sink;
static void *log_data;
static enum mg_log_level log_max = MG_LOG_WARN;

void
mg_log_set_sink(mg_log_sink_fn sink, void *data, enum mg_log_level max)
{
	log_sink = sink;
	log_data = data;
	log_max = max;
}

bool
mg_log_enabled(enum mg_log_level level)
{
	return log_sink && level <= log_max;
}

void
mg_log(enum mg_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!mg_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_sink(level, line, log_data);
}

const char *
mg_log_level_name(enum mg_log_level level)
{
	static const char *const names[] = { "error", "warn", "info",
					     "debug" };

	return level <= MG_LOG_DEBUG ? names[level] : "?";
}
