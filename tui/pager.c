/*
 * pager.c - a scrollable text (app.h): the YAML, help and log views.
 */
#include "compat.h"

#include "app.h"
#include "screen.h"
#include "xalloc.h"

void
pager_init(struct pager *p)
{
	memset(p, 0, sizeof(*p));
	mg_buf_init(&p->text, 0);
}

void
pager_release(struct pager *p)
{
	mg_buf_release(&p->text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
}

void
pager_set(struct pager *p, const char *title, const char *text, size_t len,
	  bool keep)
{
	size_t i, alloc = 0;

	snprintf(p->title, sizeof(p->title), "%s", title);
	mg_buf_reset(&p->text);
	mg_buf_add(&p->text, text, len);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
	for (i = 0; i < p->text.len; i++) {
		if (i == 0 || p->text.data[i - 1] == '\n') {
			p->lines = mg_xgrow(p->lines, sizeof(*p->lines),
					    p->nlines + 1, &alloc);
			p->lines[p->nlines++] = i;
		}
	}
	if (!keep) {
		p->top = 0;
		p->left = 0;
	}
	if (p->top >= p->nlines)
		p->top = p->nlines ? p->nlines - 1 : 0;
}

const char *
pager_line(const struct pager *p, size_t i, size_t *len)
{
	const char *s, *nl;

	if (i >= p->nlines) {
		*len = 0;
		return "";
	}
	s = p->text.data + p->lines[i];
	nl = memchr(s, '\n', p->text.len - p->lines[i]);
	*len = nl ? (size_t)(nl - s) : p->text.len - p->lines[i];
	return s;
}

bool
pager_key(struct pager *p, int key, size_t height)
{
	size_t last = p->nlines > height ? p->nlines - height : 0;
	size_t page = height > 1 ? height - 1 : 1;

	switch (key) {
	case TK_UP:
	case 'k':
		if (p->top)
			p->top--;
		break;
	case TK_DOWN:
	case 'j':
		if (p->top < last)
			p->top++;
		break;
	case TK_PGUP:
	case 'b':
	case TK_CTRL_B:
		p->top = p->top > page ? p->top - page : 0;
		break;
	case TK_PGDN:
	case ' ':
	case TK_CTRL_F:
		p->top = p->top + page < last ? p->top + page : last;
		break;
	case TK_HOME:
	case 'g':
		p->top = 0;
		break;
	case TK_END:
	case 'G':
		p->top = last;
		break;
	case TK_LEFT:
	case 'h':
		p->left = p->left > 8 ? p->left - 8 : 0;
		break;
	case TK_RIGHT:
	case 'l':
		p->left += 8;
		break;
	default:
		return false;
	}
	p->follow = p->top == last;
	return true;
}
