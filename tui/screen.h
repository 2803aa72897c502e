/*
 * screen.h - the terminal, and the only door to curses.
 *
 * Every curses call of the dashboard is in screen.c (tmux keeps its
 * terminal code the same way behind tty.c): the rest of tui/ draws with
 * the primitives below and reads keys as TK_* codes, so it compiles and
 * reasons without <curses.h>.
 *
 * Drawing goes to curses' virtual screen; screen_flush() sends only the cells
 * that differ from what the terminal shows (doupdate), so a frame that
 * redraws a region with the same text costs no output and never flickers.
 * Nothing here erases the terminal except screen_redraw_all (Ctrl-L).
 *
 * Styles are roles (normal, selected, warning...), mapped to colours when
 * the terminal has them and colour is wanted, else to attributes only
 * (bold, reverse, underline, dim): monochrome keeps every distinction.
 *
 * Restoring the terminal: screen_end() on every normal way out, and
 * screen_emergency() from a fatal-signal handler (async-signal-safe: it
 * writes the saved terminfo strings and the saved termios, nothing else).
 */
#ifndef MG_TUI_SCREEN_H
#define MG_TUI_SCREEN_H

#include "compat.h"

enum screen_style {
	SCR_NORMAL,
	SCR_DIM,
	SCR_BOLD,
	SCR_HEADER,   /* the top line */
	SCR_COLHEAD,  /* column titles */
	SCR_SELECTED, /* the selected row */
	SCR_OK,
	SCR_WARN,
	SCR_ERROR,
	SCR_FATAL,
	SCR_PROD,     /* production banner */
	SCR_OFFLINE,  /* API server unreachable banner */
	SCR_KEY,      /* a key in the hint bar */
	SCR_HINT,     /* the hint bar */
	SCR_MATCH,    /* a row matching the filter */
	SCR_DIALOG,
	SCR_DIALOG_TITLE,
	SCR_PRIMARY,  /* the role PRIMARY */
	SCR_NSTYLES,
};

/* Keys: printable ASCII as themselves, the rest as these codes. */
enum {
	TK_NONE = -1,
	TK_ENTER = '\n',
	TK_TAB = '\t',
	TK_ESC = 27,
	TK_BACKSPACE = 127,
	TK_UP = 0x1000,
	TK_DOWN,
	TK_LEFT,
	TK_RIGHT,
	TK_HOME,
	TK_END,
	TK_PGUP,
	TK_PGDN,
	TK_DELETE,
	TK_BTAB,
	TK_F1,
	TK_F2,
	TK_F3,
	TK_F4,
	TK_F5,
	TK_F6,
	TK_F7,
	TK_F8,
	TK_F9,
	TK_F10,
	TK_RESIZE,
	TK_MOUSE, /* screen_mouse() tells where */
	TK_CTRL_A = 1,
	TK_CTRL_B = 2,
	TK_CTRL_D = 4,
	TK_CTRL_E = 5,
	TK_CTRL_F = 6,
	TK_CTRL_K = 11,
	TK_CTRL_L = 12,
	TK_CTRL_N = 14,
	TK_CTRL_P = 16,
	TK_CTRL_U = 21,
	TK_CTRL_W = 23,
};

/* Glyphs that have a line-drawing form (or an ASCII one). */
enum screen_glyph {
	SCR_G_VLINE,
	SCR_G_LTEE,   /* ├ */
	SCR_G_LLCORNER, /* └ */
	SCR_G_HLINE,
};

struct screen_opts {
	bool color; /* use colours when the terminal has them */
	bool mouse;
};

/*
 * Takes the terminal: curses on, cbreak, no echo, keypad, invisible
 * cursor, the alternate screen. -1 when the terminal cannot be used
 * (no TERM, not a terminal); nothing is left changed then.
 */
int screen_init(const struct screen_opts *opts);
/* Gives the terminal back as it was. Safe to call twice. */
void screen_end(void);
/* From a fatal-signal handler: the same, with async-signal-safe calls. */
void screen_emergency(void);
bool screen_active(void);
bool screen_has_color(void);
/* The locale is UTF-8: "…" and box-drawing characters can be shown. */
bool screen_utf8(void);

/* Takes the size the terminal now has (after SIGWINCH). */
void screen_resize(void);
int screen_rows(void);
int screen_cols(void);

/* The next key, or TK_NONE when none is waiting (never blocks). */
int screen_getkey(void);
/* After TK_MOUSE: the cell clicked, and whether it was the wheel
 * (wheel: -1 up, 1 down, 0 a click). */
void screen_mouse(int *row, int *col, int *wheel);

/* Writes at most `width` columns of s at (row, col); returns columns
 * written. Control characters show as '?'. */
int screen_put(int row, int col, enum screen_style style, const char *s, int width);
/* Fills `width` columns from (row, col) with spaces of a style. */
void screen_fill(int row, int col, int width, enum screen_style style);
/* One glyph at (row, col). */
void screen_glyph(int row, int col, enum screen_style style, enum screen_glyph g);
/* Puts the cursor there and shows it (prompt), or hides it (row < 0). */
void screen_cursor(int row, int col);

/* Sends what changed to the terminal. */
void screen_flush(void);
/* Ctrl-L: forget what the terminal shows and repaint everything. */
void screen_redraw_all(void);

#endif /* MG_TUI_SCREEN_H */
