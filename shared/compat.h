/*
 * compat.h - first include of every C file in the project.
 *
 * Pulls in the system headers almost every file needs, gives the project's
 * small portability macros, and bans the C library functions we never want
 * to see (git's banned.h idea): a banned call fails to compile.
 */
#ifndef MG_COMPAT_H
#define MG_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MG_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define MG_UNUSED __attribute__((unused))
#define MG_NORETURN __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A programmer error: abort with the place. Never an error code. */
#define MG_BUG(msg) mg_bug(__FILE__, __LINE__, (msg))
MG_NORETURN void mg_bug(const char *file, int line, const char *msg);

/* Secrets are wiped before they are freed (glibc >= 2.25 has it). */
void explicit_bzero(void *s, size_t n);

#ifndef MG_ALLOW_BANNED
#define MG_BANNED(func) sorry_##func##_is_banned_in_this_project
#undef strcpy
#define strcpy(a, b) MG_BANNED(strcpy)
#undef strcat
#define strcat(a, b) MG_BANNED(strcat)
#undef strncpy
#define strncpy(a, b, n) MG_BANNED(strncpy)
#undef strncat
#define strncat(a, b, n) MG_BANNED(strncat)
#undef sprintf
#define sprintf(...) MG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) MG_BANNED(vsprintf)
#undef strtok
#define strtok(a, b) MG_BANNED(strtok)
#undef gets
#define gets(a) MG_BANNED(gets)
#undef atoi
#define atoi(a) MG_BANNED(atoi)
#undef atol
#define atol(a) MG_BANNED(atol)
#undef gmtime
#define gmtime(t) MG_BANNED(gmtime)
#undef localtime
#define localtime(t) MG_BANNED(localtime)
#undef ctime
#define ctime(t) MG_BANNED(ctime)
#undef asctime
#define asctime(t) MG_BANNED(asctime)
#endif

#endif /* MG_COMPAT_H */
