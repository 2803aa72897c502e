/*
 * screen.c - curses, kept in one file (screen.h).
 */
#include "compat.h"
#include "screen.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

static SCREEN *scr;
static bool active, colors, mouse_on, utf8;
static chtype style_attr[SCR_NSTYLES];
static int mouse_row, mouse_col, mouse_wheel;

/* for screen_emergency(): what screen_end would have sent, saved up front */
static struct termios saved_tio;
static bool have_tio;
static char restore_seq[256];
static size_t restore_len;

static void
save_seq(const char *cap)
{
	char *s = tigetstr(cap);
	size_t len;

	if (!s || s == (char *)-1)
		return;
	len = strlen(s);
	if (restore_len + len >= sizeof(restore_seq))
		return;
	memcpy(restore_seq + restore_len, s, len);
	restore_len += len;
}

enum { P_HEADER = 1, P_COLHEAD, P_SELECTED, P_OK, P_WARN, P_ERROR, P_FATAL,
       P_OFFLINE, P_HINT, P_MATCH, P_DIALOG, P_PRIMARY, P_DIM };

static void
setup_styles(void)
{
	size_t i;

	if (colors) {
		use_default_colors();
		init_pair(P_HEADER, COLOR_WHITE, COLOR_BLUE);
		init_pair(P_COLHEAD, COLOR_BLACK, COLOR_GREEN);
		init_pair(P_SELECTED, COLOR_BLACK, COLOR_CYAN);
		init_pair(P_OK, COLOR_GREEN, -1);
		init_pair(P_WARN, COLOR_YELLOW, -1);
		init_pair(P_ERROR, COLOR_RED, -1);
		init_pair(P_FATAL, COLOR_WHITE, COLOR_RED);
		init_pair(P_OFFLINE, COLOR_BLACK, COLOR_YELLOW);
		init_pair(P_HINT, COLOR_BLACK, COLOR_CYAN);
		init_pair(P_MATCH, COLOR_YELLOW, -1);
		init_pair(P_DIALOG, COLOR_WHITE, COLOR_BLUE);
		init_pair(P_PRIMARY, COLOR_CYAN, -1);
		init_pair(P_DIM, COLOR_BLUE, -1);
		style_attr[SCR_NORMAL] = A_NORMAL;
		style_attr[SCR_DIM] = COLOR_PAIR(P_DIM) | A_BOLD;
		style_attr[SCR_BOLD] = A_BOLD;
		style_attr[SCR_HEADER] = COLOR_PAIR(P_HEADER) | A_BOLD;
		style_attr[SCR_COLHEAD] = COLOR_PAIR(P_COLHEAD);
		style_attr[SCR_SELECTED] = COLOR_PAIR(P_SELECTED);
		style_attr[SCR_OK] = COLOR_PAIR(P_OK);
		style_attr[SCR_WARN] = COLOR_PAIR(P_WARN) | A_BOLD;
		style_attr[SCR_ERROR] = COLOR_PAIR(P_ERROR) | A_BOLD;
		style_attr[SCR_FATAL] = COLOR_PAIR(P_FATAL) | A_BOLD;
		style_attr[SCR_PROD] = COLOR_PAIR(P_FATAL) | A_BOLD;
		style_attr[SCR_OFFLINE] = COLOR_PAIR(P_OFFLINE) | A_BOLD;
		style_attr[SCR_KEY] = A_BOLD;
		style_attr[SCR_HINT] = COLOR_PAIR(P_HINT);
		style_attr[SCR_MATCH] = COLOR_PAIR(P_MATCH) | A_BOLD;
		style_attr[SCR_DIALOG] = COLOR_PAIR(P_DIALOG);
		style_attr[SCR_DIALOG_TITLE] = COLOR_PAIR(P_DIALOG) | A_BOLD;
		style_attr[SCR_PRIMARY] = COLOR_PAIR(P_PRIMARY) | A_BOLD;
		return;
	}
	/* monochrome: attributes carry every distinction */
	for (i = 0; i < SCR_NSTYLES; i++)
		style_attr[i] = A_NORMAL;
	style_attr[SCR_DIM] = A_DIM;
	style_attr[SCR_BOLD] = A_BOLD;
	style_attr[SCR_HEADER] = A_REVERSE;
	style_attr[SCR_COLHEAD] = A_BOLD | A_UNDERLINE;
	style_attr[SCR_SELECTED] = A_REVERSE;
	style_attr[SCR_WARN] = A_BOLD;
	style_attr[SCR_ERROR] = A_BOLD | A_UNDERLINE;
	style_attr[SCR_FATAL] = A_BOLD | A_REVERSE;
	style_attr[SCR_PROD] = A_BOLD | A_REVERSE;
	style_attr[SCR_OFFLINE] = A_BOLD | A_REVERSE;
	style_attr[SCR_KEY] = A_BOLD | A_REVERSE;
	style_attr[SCR_MATCH] = A_UNDERLINE;
	style_attr[SCR_DIALOG_TITLE] = A_BOLD | A_REVERSE;
	style_attr[SCR_PRIMARY] = A_BOLD;
}

int
screen_init(const struct screen_opts *opts)
{
	if (active)
		return 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	setlocale(LC_CTYPE, "");
	utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return -1;
	set_term(scr);
	active = true;
	restore_len = 0;
	save_seq("rmkx");
	save_seq("sgr0");
	save_seq("cnorm");
	save_seq("rmcup");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	leaveok(stdscr, TRUE);
	curs_set(0);
	colors = opts->color && has_colors() && start_color() == OK;
	setup_styles();
	mouse_on = false;
	if (opts->mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
				  BUTTON5_PRESSED,
			  NULL);
		mouseinterval(0);
		mouse_on = true;
	}
	return 0;
}

void
screen_end(void)
{
	if (!active)
		return;
	active = false;
	if (mouse_on)
		mousemask(0, NULL);
	curs_set(1);
	endwin();
	delscreen(scr);
	scr = NULL;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	fflush(stdout);
}

/* write(2) until done or failed: async-signal-safe. */
static void
write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void
screen_emergency(void)
{
	static const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1006l";

	if (!active)
		return;
	if (mouse_on)
		write_all(mouse_off, sizeof(mouse_off) - 1);
	write_all(restore_seq, restore_len);
	write_all("\r\n", 2);
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

bool
screen_active(void)
{
	return active;
}

bool
screen_utf8(void)
{
	return utf8;
}

bool
screen_has_color(void)
{
	return colors;
}

void
screen_resize(void)
{
	struct winsize ws;

	if (!active)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

int
screen_rows(void)
{
	return active ? LINES : 0;
}

int
screen_cols(void)
{
	return active ? COLS : 0;
}

int
screen_getkey(void)
{
	MEVENT ev;
	int c;

	if (!active)
		return TK_NONE;
	c = wgetch(stdscr);
	switch (c) {
	case ERR:
		return TK_NONE;
	case KEY_UP:
		return TK_UP;
	case KEY_DOWN:
		return TK_DOWN;
	case KEY_LEFT:
		return TK_LEFT;
	case KEY_RIGHT:
		return TK_RIGHT;
	case KEY_HOME:
	case KEY_A1:
		return TK_HOME;
	case KEY_END:
	case KEY_C1:
		return TK_END;
	case KEY_PPAGE:
		return TK_PGUP;
	case KEY_NPAGE:
		return TK_PGDN;
	case KEY_DC:
		return TK_DELETE;
	case KEY_BTAB:
		return TK_BTAB;
	case KEY_BACKSPACE:
	case 8:
	case 127:
		return TK_BACKSPACE;
	case KEY_ENTER:
	case '\r':
	case '\n':
		return TK_ENTER;
	case KEY_RESIZE:
		return TK_RESIZE;
	case KEY_MOUSE:
		if (getmouse(&ev) != OK)
			return TK_NONE;
		mouse_row = ev.y;
		mouse_col = ev.x;
		mouse_wheel = (ev.bstate & BUTTON4_PRESSED)   ? -1 :
			      (ev.bstate & BUTTON5_PRESSED)   ? 1 :
								0;
		return TK_MOUSE;
	default:
		break;
	}
	if (c >= KEY_F(1) && c <= KEY_F(10))
		return TK_F1 + (c - KEY_F(1));
	if (c > 0xff)
		return TK_NONE; /* another special key: ignored */
	return c;
}

void
screen_mouse(int *row, int *col, int *wheel)
{
	*row = mouse_row;
	*col = mouse_col;
	*wheel = mouse_wheel;
}

int
screen_put(int row, int col, enum screen_style style, const char *s, int width)
{
	wchar_t buf[512];
	mbstate_t st;
	int used = 0, n = 0;
	size_t len = strlen(s);

	if (!active || width <= 0 || row < 0 || row >= LINES || col >= COLS)
		return 0;
	if (col + width > COLS)
		width = COLS - col;
	memset(&st, 0, sizeof(st));
	while (len && n < (int)ARRAY_SIZE(buf) - 1) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &st);
		int w;

		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			wc = L'?';
			k = 1;
		} else if (k == 0) {
			break;
		}
		w = wcwidth(wc);
		if (w < 0 || !iswprint(wc)) {
			wc = L'?';
			w = 1;
		}
		if (used + w > width)
			break;
		buf[n++] = wc;
		used += w;
		s += k;
		len -= k;
	}
	buf[n] = L'\0';
	attrset(style_attr[style]);
	mvaddnwstr(row, col, buf, n);
	attrset(A_NORMAL);
	return used;
}

void
screen_fill(int row, int col, int width, enum screen_style style)
{
	if (!active || width <= 0 || row < 0 || row >= LINES || col >= COLS)
		return;
	if (col + width > COLS)
		width = COLS - col;
	mvhline(row, col, ' ' | style_attr[style], width);
}

/*
 * Box-drawing characters as Unicode where the locale is UTF-8 (drawn as
 * text, so every terminal and `tmux capture-pane` shows the same), else
 * as ASCII: the alternate character set is left alone.
 */
void
screen_glyph(int row, int col, enum screen_style style, enum screen_glyph g)
{
	static const wchar_t wide[] = { L'\x2502', L'\x251c', L'\x2514',
					L'\x2500' };
	static const char ascii[] = { '|', '|', '`', '-' };
	wchar_t w[2] = { 0, 0 };
	cchar_t cc;

	if (!active || row < 0 || row >= LINES || col < 0 || col >= COLS ||
	    (unsigned)g >= ARRAY_SIZE(ascii))
		return;
	if (!utf8) {
		mvaddch(row, col, (chtype)ascii[g] | style_attr[style]);
		return;
	}
	w[0] = wide[g];
	setcchar(&cc, w, style_attr[style] & A_ATTRIBUTES & ~A_COLOR,
		 (short)PAIR_NUMBER(style_attr[style]), NULL);
	mvadd_wch(row, col, &cc);
}

void
screen_cursor(int row, int col)
{
	if (!active)
		return;
	if (row < 0) {
		leaveok(stdscr, TRUE);
		curs_set(0);
		return;
	}
	leaveok(stdscr, FALSE);
	move(row, col);
	curs_set(1);
}

void
screen_flush(void)
{
	if (!active)
		return;
	wnoutrefresh(stdscr);
	doupdate();
}

void
screen_redraw_all(void)
{
	if (active)
		clearok(curscr, TRUE);
}
