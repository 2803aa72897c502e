/*
 * table.h - text tables laid out as kubectl lays them out.
 *
 * kubectl pads every column but the last to the width of its widest cell
 * plus a padding, and to at least a minimum width (Go's tabwriter: 6 and
 * 3 for `get`, 0 and 2 for `describe`); widths count characters, not
 * bytes. A cell keeps only its first line, followed by "..." when it had
 * more, as kubectl does; tabs and other control characters become spaces
 * and '?', so cluster data cannot move the cursor or change the colours
 * of the terminal it is printed on.
 *
 * struct mg_table is caller-owned: mg_table_init(), cells added row after
 * row (the first row is usually the header), mg_table_render() into a
 * buffer, mg_table_release(). Cells are copied.
 */
#ifndef MG_TABLE_H
#define MG_TABLE_H

#include "compat.h"

struct mg_buf;

struct mg_table_opts {
	unsigned minwidth; /* a padded column is at least this wide */
	unsigned padding;  /* spaces after the widest cell of a column */
	unsigned indent;   /* spaces before every line */
};

/* `kubectl get` and `kubectl describe` (its event and condition lists). */
#define MG_TABLE_GET { 6, 3, 0 }
#define MG_TABLE_DESCRIBE { 0, 2, 2 }

struct mg_table_cell {
	char *text;
	const char *sgr; /* ANSI SGR parameters ("1;31"), or NULL */
};

struct mg_table {
	size_t ncols;
	struct mg_table_cell *cells;
	size_t ncells, alloc;
};

void mg_table_init(struct mg_table *t, size_t ncols);
void mg_table_release(struct mg_table *t);

/* Appends one cell (NULL is an empty cell); rows fill left to right. */
void mg_table_add(struct mg_table *t, const char *text);
/* The same, shown with SGR parameters sgr (a static string) when the
 * table is rendered with colour. */
void mg_table_add_sgr(struct mg_table *t, const char *text, const char *sgr);
void mg_table_addf(struct mg_table *t, const char *fmt, ...) MG_PRINTF(2, 3);

/* Complete rows so far (a partial last row counts as one). */
size_t mg_table_rows(const struct mg_table *t);

/*
 * Appends the table to out, one line per row ending in '\n'. The last
 * column is not padded (but the others are, so a row whose last cell is
 * empty ends in spaces, as kubectl's output does). color: wrap cells that
 * have SGR parameters in escape sequences (padding stays outside).
 */
void mg_table_render(const struct mg_table *t, struct mg_buf *out,
		     const struct mg_table_opts *opts, bool color);

/* Characters (UTF-8 code points) in s, as the layout counts them. */
size_t mg_table_width(const char *s);

#endif /* MG_TABLE_H */
