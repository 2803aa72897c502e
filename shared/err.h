/*
 * err.h - the one error report of the library.
 *
 * Every function that can fail returns 0 or a negative MG_E* code and fills
 * a caller-owned struct mg_err (which may be NULL). The library fills it and
 * never prints it: front-ends decide what the user sees. The struct is a
 * fixed buffer, so reporting an error never allocates.
 *
 * Messages are lowercase, without a trailing period, name the subject in
 * single quotes and say where: "kubeconfig '/h/.kube/config': context 'x'
 * not found".
 */
#ifndef MG_ERR_H
#define MG_ERR_H

#include "compat.h"

enum mg_errcode {
	MG_OK = 0,
	MG_EINVAL = -1,    /* bad input from the caller or the user */
	MG_ENOTFOUND = -2, /* 404, or a named thing that does not exist */
	MG_ECONFLICT = -3, /* 409: stale resourceVersion, already exists */
	MG_EAUTH = -4,     /* 401/403, or no usable credentials */
	MG_ETRANSPORT = -5, /* connection, TLS, DNS: curl said no */
	MG_EAPI = -6,      /* any other non-2xx answer from the server */
	MG_EPARSE = -7,    /* malformed JSON, YAML, PEM... */
	MG_EIO = -8,       /* a file or process could not be read or run */
	MG_ETIMEOUT = -9,  /* a deadline passed */
	MG_EGONE = -10,    /* 410: resourceVersion too old; relist */
	MG_ETOOBIG = -11,  /* a buffer's cap was exceeded */
};

struct mg_err {
	int code;          /* enum mg_errcode */
	long http_status;  /* 0 when no HTTP answer was involved */
	char reason[64];   /* Kubernetes Status.reason, e.g. "AlreadyExists" */
	char msg[512];
};

#define MG_ERR_INIT { 0, 0, "", "" }

/*
 * Sets err (if not NULL) to code and the formatted message, clearing the
 * HTTP fields, and returns code, so that `return mg_err_set(err, ...)` works.
 */
int mg_err_set(struct mg_err *err, int code, const char *fmt, ...)
	MG_PRINTF(3, 4);

/*
 * Puts "prefix: " before the message already in err, keeping the code:
 * for adding the place (a file, an object) to an error from below.
 */
int mg_err_prefix(struct mg_err *err, const char *fmt, ...) MG_PRINTF(2, 3);

void mg_err_clear(struct mg_err *err);

/* A short constant name for a code: "not found", "conflict"... */
const char *mg_err_name(int code);

#endif /* MG_ERR_H */
