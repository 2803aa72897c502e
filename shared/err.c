#include "compat.h"
#include "err.h"

#include <stdarg.h>

int
mg_err_set(struct mg_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->http_status = 0;
	err->reason[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
mg_err_prefix(struct mg_err *err, const char *fmt, ...)
{
	char prefix[256];
	size_t plen, room, olen;
	va_list ap;

	if (!err)
		return MG_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Shift the old message right and put "prefix: " in front; the
	 * tail is cut if it no longer fits. */
	plen = strlen(prefix) + 2;
	room = sizeof(err->msg) - 1 - plen;
	olen = strnlen(err->msg, room);
	memmove(err->msg + plen, err->msg, olen);
	err->msg[plen + olen] = '\0';
	memcpy(err->msg, prefix, plen - 2);
	memcpy(err->msg + plen - 2, ": ", 2);
	return err->code;
}

void
mg_err_clear(struct mg_err *err)
{
	if (err)
		*err = (struct mg_err)MG_ERR_INIT;
}

const char *
mg_err_name(int code)
{
	switch (code) {
	case MG_OK: return "ok";
	case MG_EINVAL: return "invalid";
	case MG_ENOTFOUND: return "not found";
	case MG_ECONFLICT: return "conflict";
	case MG_EAUTH: return "unauthorized";
	case MG_ETRANSPORT: return "transport";
	case MG_EAPI: return "api";
	case MG_EPARSE: return "parse";
	case MG_EIO: return "io";
	case MG_ETIMEOUT: return "timeout";
	case MG_EGONE: return "gone";
	case MG_ETOOBIG: return "too big";
	}
	return "unknown";
}
