/*
 * buf.h - a growable byte buffer that is always NUL-terminated.
 *
 * struct mg_buf is caller-owned storage: MG_BUF_INIT or mg_buf_init(), then
 * mg_buf_release(). `data` is never NULL after init, so it can be printed
 * at once. A buffer may have a cap (`max`, 0 = none): appending past it
 * fails with MG_ETOOBIG and leaves the buffer as it was, which is how
 * network input is bounded (curl's dynbuf).
 */
#ifndef MG_BUF_H
#define MG_BUF_H

#include <stdarg.h>

#include "compat.h"

struct mg_err;

struct mg_buf {
	char *data;
	size_t len;
	size_t alloc; /* 0 while data points at the shared empty string */
	size_t max;   /* 0: no cap */
};

extern char mg_buf_empty[];
#define MG_BUF_INIT { mg_buf_empty, 0, 0, 0 }

void mg_buf_init(struct mg_buf *b, size_t max);
void mg_buf_release(struct mg_buf *b);
/* Like release, but wipes the bytes first: for buffers that held secrets. */
void mg_buf_release_secret(struct mg_buf *b);
void mg_buf_reset(struct mg_buf *b);

/* Appends; 0, or MG_ETOOBIG when the cap would be passed. */
int mg_buf_add(struct mg_buf *b, const void *data, size_t len);
int mg_buf_adds(struct mg_buf *b, const char *s);
int mg_buf_addch(struct mg_buf *b, char c);
int mg_buf_addf(struct mg_buf *b, const char *fmt, ...) MG_PRINTF(2, 3);
int mg_buf_vaddf(struct mg_buf *b, const char *fmt, va_list ap)
	MG_PRINTF(2, 0);

/* Removes trailing spaces, tabs and line ends. */
void mg_buf_rtrim(struct mg_buf *b);

/* Removes the first n bytes. */
void mg_buf_consume(struct mg_buf *b, size_t n);

/* Hands the bytes to the caller (free() them) and re-inits the buffer. */
char *mg_buf_detach(struct mg_buf *b, size_t *len);

/*
 * Reads a whole file into b (appending). MG_EIO with errno's text if it
 * cannot be read, MG_ETOOBIG past the cap.
 */
int mg_buf_read_file(struct mg_buf *b, const char *path, struct mg_err *err);

#endif /* MG_BUF_H */
