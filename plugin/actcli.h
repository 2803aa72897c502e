/*
 * actcli.h - what the commands that act on a live cluster (drain,
 * switchover) share beyond cli.h: their --timeout flag, the confirmation
 * question from a plan, and the progress lines of a wait.
 */
#ifndef PLUGIN_ACTCLI_H
#define PLUGIN_ACTCLI_H

#include "compat.h"

struct cli_ctx;

/*
 * The --timeout flag in milliseconds: *ms is 0 when it was not given.
 * A value that is not a duration, or 0, is a usage error, and so is
 * --timeout without --wait (nothing else waits). Returns CLI_OK, or
 * CLI_USAGE having said why.
 */
int actcli_timeout(const struct cli_ctx *ctx, long *ms);

/*
 * A plan's question ("Drain pod ns/x (...)?") in the form cli_confirm()
 * asks and quotes it: first letter lowercased, no trailing '?'.
 * malloc'd.
 */
char *actcli_question(const char *confirm);

/* One progress line on stdout, flushed: elapsed seconds, then text. */
void actcli_progress(int64_t elapsed_ms, const char *text);

#endif /* PLUGIN_ACTCLI_H */
