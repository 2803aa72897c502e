/*
 * prompt.c - the one-line editor (prompt.h).
 */
#include "compat.h"
#include "prompt.h"

#include "screen.h"
#include "xalloc.h"

static bool
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

void
prompt_init(struct prompt *p)
{
	memset(p, 0, sizeof(*p));
	mg_buf_init(&p->line, 4096);
}

void
prompt_release(struct prompt *p)
{
	size_t i;

	for (i = 0; i < p->nhist; i++)
		free(p->hist[i]);
	free(p->saved);
	mg_buf_release(&p->line);
	p->nhist = 0;
	p->saved = NULL;
}

static void
set_line(struct prompt *p, const char *text)
{
	mg_buf_reset(&p->line);
	if (text)
		mg_buf_adds(&p->line, text);
	p->cur = p->line.len;
}

void
prompt_start(struct prompt *p, const char *text)
{
	set_line(p, text);
	p->hpos = p->nhist;
	free(p->saved);
	p->saved = NULL;
}

void
prompt_remember(struct prompt *p, const char *line)
{
	if (!line || !*line)
		return;
	if (p->nhist && !strcmp(p->hist[p->nhist - 1], line))
		return;
	if (p->nhist == PROMPT_HISTORY) {
		free(p->hist[0]);
		memmove(p->hist, p->hist + 1,
			(PROMPT_HISTORY - 1) * sizeof(*p->hist));
		p->nhist--;
	}
	p->hist[p->nhist++] = mg_xstrdup(line);
}

static void
insert(struct prompt *p, const char *s, size_t n)
{
	struct mg_buf tail = MG_BUF_INIT;

	mg_buf_add(&tail, p->line.data + p->cur, p->line.len - p->cur);
	p->line.len = p->cur;
	p->line.data[p->cur] = '\0';
	if (mg_buf_add(&p->line, s, n) == 0)
		p->cur += n;
	mg_buf_add(&p->line, tail.data, tail.len);
	mg_buf_release(&tail);
}

static void
erase(struct prompt *p, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(p->line.data + from, p->line.data + to, p->line.len - to + 1);
	p->line.len -= to - from;
	p->cur = from;
}

static size_t
prev_char(const struct prompt *p, size_t at)
{
	while (at > 0 && is_cont((unsigned char)p->line.data[--at]))
		;
	return at;
}

static size_t
next_char(const struct prompt *p, size_t at)
{
	if (at < p->line.len)
		at++;
	while (at < p->line.len && is_cont((unsigned char)p->line.data[at]))
		at++;
	return at;
}

static void
history(struct prompt *p, int dir)
{
	if (dir < 0 && p->hpos == 0)
		return;
	if (dir > 0 && p->hpos >= p->nhist)
		return;
	if (p->hpos == p->nhist) {
		free(p->saved);
		p->saved = mg_xstrdup(p->line.data);
	}
	p->hpos = dir < 0 ? p->hpos - 1 : p->hpos + 1;
	set_line(p, p->hpos == p->nhist ? p->saved : p->hist[p->hpos]);
}

/* Tab: completes the first word to the longest common prefix. */
static void
complete(struct prompt *p)
{
	const char *const *w;
	const char *first = NULL;
	size_t len = p->cur, common = 0;

	if (!p->words || memchr(p->line.data, ' ', p->cur))
		return;
	for (w = p->words; *w; w++) {
		size_t i;

		if (strncmp(*w, p->line.data, len))
			continue;
		if (!first) {
			first = *w;
			common = strlen(*w);
			continue;
		}
		for (i = len; i < common && (*w)[i] == first[i]; i++)
			;
		common = i;
	}
	if (!first)
		return;
	if (common > len)
		insert(p, first + len, common - len);
	if (!first[common] && common == strlen(first)) {
		/* a unique, whole word: add the space after it */
		bool unique = true;

		for (w = p->words; *w; w++)
			if (*w != first && !strncmp(*w, first, common))
				unique = false;
		if (unique && p->cur == p->line.len)
			insert(p, " ", 1);
	}
}

enum prompt_result
prompt_key(struct prompt *p, int key)
{
	size_t at;

	switch (key) {
	case TK_ENTER:
		return PROMPT_DONE;
	case TK_ESC:
		return PROMPT_CANCELLED;
	case TK_BACKSPACE:
		if (!p->line.len)
			return PROMPT_CANCELLED;
		erase(p, prev_char(p, p->cur), p->cur);
		break;
	case TK_DELETE:
	case TK_CTRL_D:
		erase(p, p->cur, next_char(p, p->cur));
		break;
	case TK_LEFT:
	case TK_CTRL_B:
		p->cur = prev_char(p, p->cur);
		break;
	case TK_RIGHT:
	case TK_CTRL_F:
		p->cur = next_char(p, p->cur);
		break;
	case TK_HOME:
	case TK_CTRL_A:
		p->cur = 0;
		break;
	case TK_END:
	case TK_CTRL_E:
		p->cur = p->line.len;
		break;
	case TK_CTRL_U:
		erase(p, 0, p->cur);
		break;
	case TK_CTRL_K:
		p->line.len = p->cur;
		p->line.data[p->cur] = '\0';
		break;
	case TK_CTRL_W:
		at = p->cur;
		while (at > 0 && p->line.data[at - 1] == ' ')
			at--;
		while (at > 0 && p->line.data[at - 1] != ' ')
			at--;
		erase(p, at, p->cur);
		break;
	case TK_UP:
	case TK_CTRL_P:
		history(p, -1);
		break;
	case TK_DOWN:
	case TK_CTRL_N:
		history(p, 1);
		break;
	case TK_TAB:
		complete(p);
		break;
	default:
		if (key >= 0x20 && key <= 0xff && key != 0x7f) {
			char c = (char)key;

			insert(p, &c, 1);
		}
		break;
	}
	return PROMPT_EDITING;
}

size_t
prompt_cursor_col(const struct prompt *p)
{
	size_t i, col = 0;

	for (i = 0; i < p->cur; i++)
		col += !is_cont((unsigned char)p->line.data[i]);
	return col;
}
