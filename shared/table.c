/*
 * table.c - text tables laid out as kubectl lays them out (see table.h).
 */
#include "compat.h"

#include "table.h"

#include <stdarg.h>

#include "buf.h"
#include "xalloc.h"

void
mg_table_init(struct mg_table *t, size_t ncols)
{
	if (ncols == 0)
		MG_BUG("a table needs at least one column");
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void
mg_table_release(struct mg_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i].text);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* The first line of s, control characters replaced, "..." if cut. */
static char *
clean(const char *s)
{
	struct mg_buf b = MG_BUF_INIT;
	const char *p;

	for (p = s ? s : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n' || c == '\r' || c == '\f') {
			mg_buf_adds(&b, "...");
			break;
		}
		if (c == '\t')
			mg_buf_addch(&b, ' ');
		else if (c < 0x20 || c == 0x7f)
			mg_buf_addch(&b, '?');
		else
			mg_buf_addch(&b, (char)c);
	}
	return mg_buf_detach(&b, NULL);
}

void
mg_table_add_sgr(struct mg_table *t, const char *text, const char *sgr)
{
	t->cells = mg_xgrow(t->cells, sizeof(*t->cells), t->ncells + 1,
			    &t->alloc);
	t->cells[t->ncells].text = clean(text);
	t->cells[t->ncells].sgr = sgr;
	t->ncells++;
}

void
mg_table_add(struct mg_table *t, const char *text)
{
	mg_table_add_sgr(t, text, NULL);
}

void
mg_table_addf(struct mg_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = mg_xvasprintf(fmt, ap);
	va_end(ap);
	mg_table_add(t, s);
	free(s);
}

size_t
mg_table_rows(const struct mg_table *t)
{
	return (t->ncells + t->ncols - 1) / t->ncols;
}

size_t
mg_table_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
mg_table_render(const struct mg_table *t, struct mg_buf *out,
		const struct mg_table_opts *opts, bool color)
{
	size_t *width = mg_xcalloc(t->ncols, sizeof(*width));
	size_t i, col;

	for (i = 0; i < t->ncells; i++) {
		size_t w = mg_table_width(t->cells[i].text) + opts->padding;

		col = i % t->ncols;
		if (w > width[col])
			width[col] = w;
	}
	for (col = 0; col < t->ncols; col++)
		if (width[col] < opts->minwidth)
			width[col] = opts->minwidth;

	for (i = 0; i < t->ncells; i++) {
		const struct mg_table_cell *c = &t->cells[i];
		bool last;
		size_t w;

		col = i % t->ncols;
		last = col == t->ncols - 1 || i == t->ncells - 1;
		if (col == 0) {
			for (w = 0; w < opts->indent; w++)
				mg_buf_addch(out, ' ');
		}
		if (color && c->sgr && *c->text)
			mg_buf_addf(out, "\033[%sm%s\033[0m", c->sgr, c->text);
		else
			mg_buf_adds(out, c->text);
		if (last) {
			/* The last column is not padded; the ones before it
			 * are, even when the last cell is empty (kubectl too). */
			mg_buf_addch(out, '\n');
			continue;
		}
		for (w = mg_table_width(c->text); w < width[col]; w++)
			mg_buf_addch(out, ' ');
	}
	free(width);
}
