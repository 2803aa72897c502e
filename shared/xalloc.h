/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Out of memory aborts the program (tmux, git, htop do the same): the
 * library serves only our own programs, and an operator that runs out of
 * memory is better restarted than limping on. So no caller checks for NULL.
 */
#ifndef MG_XALLOC_H
#define MG_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "compat.h"

void *mg_xmalloc(size_t size);
void *mg_xcalloc(size_t n, size_t size);
void *mg_xrealloc(void *ptr, size_t size);
/* Grows an array of *alloc elements of size `size` to hold at least `need`. */
void *mg_xgrow(void *ptr, size_t size, size_t need, size_t *alloc);
char *mg_xstrdup(const char *s);
/* Copies at most n bytes of s and terminates; s may be shorter. */
char *mg_xstrndup(const char *s, size_t n);
char *mg_xasprintf(const char *fmt, ...) MG_PRINTF(1, 2);
char *mg_xvasprintf(const char *fmt, va_list ap) MG_PRINTF(1, 0);
/* Wipes and frees a NUL-terminated secret; NULL is fine. */
void mg_free_secret(char *s);

#endif /* MG_XALLOC_H */
