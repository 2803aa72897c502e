/*
 * log.h - the library's only way to say something.
 *
 * The library never writes to stdout or stderr. It calls mg_log(), which
 * hands the line to the sink the program installed (default: none, the line
 * is dropped). The plugin's sink writes to stderr under -v, the TUI's to a
 * file, the operator's as logfmt. Never log secrets.
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include "compat.h"

enum mg_log_level {
	MG_LOG_ERROR,
	MG_LOG_WARN,
	MG_LOG_INFO,
	MG_LOG_DEBUG,
};

/* Receives one message without a trailing newline. */
typedef void (*mg_log_sink_fn)(enum mg_log_level level, const char *msg,
			       void *data);

/* Installs sink (NULL: drop everything) and the most verbose level kept. */
void mg_log_set_sink(mg_log_sink_fn sink, void *data, enum mg_log_level max);
bool mg_log_enabled(enum mg_log_level level);
void mg_log(enum mg_log_level level, const char *fmt, ...) MG_PRINTF(2, 3);
const char *mg_log_level_name(enum mg_log_level level);

#endif /* MG_LOG_H */
