/*
 * prompt.h - the one-line editor of the filter (/) and command (:) lines.
 *
 * Emacs-style keys (left/right, Home/End, Ctrl-A/E, Backspace, Delete,
 * Ctrl-U/K/W), history on Up/Down (and Ctrl-P/N) kept per prompt, and
 * completion on Tab from a caller's word list. Bytes are stored as typed
 * (UTF-8 passes through); the cursor moves by whole UTF-8 characters. No
 * curses: keys are screen.h TK_* codes, drawing is the caller's.
 */
#ifndef MG_TUI_PROMPT_H
#define MG_TUI_PROMPT_H

#include "compat.h"

#include "buf.h"

#define PROMPT_HISTORY 100

struct prompt {
	struct mg_buf line;
	size_t cur;         /* byte offset of the cursor */
	char *hist[PROMPT_HISTORY]; /* oldest first */
	size_t nhist;
	size_t hpos;        /* nhist: editing a new line */
	char *saved;        /* the new line while browsing history */
	const char *const *words; /* completion candidates, NULL-terminated */
};

enum prompt_result {
	PROMPT_EDITING,
	PROMPT_DONE,      /* Enter: the line is in p->line */
	PROMPT_CANCELLED, /* Esc, or Backspace on an empty line */
};

void prompt_init(struct prompt *p);
void prompt_release(struct prompt *p);
/* Starts editing a new line, with initial text (may be NULL). */
void prompt_start(struct prompt *p, const char *text);
enum prompt_result prompt_key(struct prompt *p, int key);
/* Adds a line to the history (not empty, not the same as the last). */
void prompt_remember(struct prompt *p, const char *line);
/* Columns from the start of the line to the cursor (for placing it). */
size_t prompt_cursor_col(const struct prompt *p);

#endif /* MG_TUI_PROMPT_H */
