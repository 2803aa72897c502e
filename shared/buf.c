#include "compat.h"
#include "buf.h"

#include <errno.h>

#include "err.h"
#include "xalloc.h"

char mg_buf_empty[1];

void
mg_buf_init(struct mg_buf *b, size_t max)
{
	b->data = mg_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void
mg_buf_release(struct mg_buf *b)
{
	if (b->alloc)
		free(b->data);
	mg_buf_init(b, b->max);
}

void
mg_buf_release_secret(struct mg_buf *b)
{
	if (b->alloc)
		explicit_bzero(b->data, b->alloc);
	mg_buf_release(b);
}

void
mg_buf_reset(struct mg_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->data[0] = '\0';
}

static int
grow(struct mg_buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		return MG_ETOOBIG;
	need = b->len + extra + 1;
	if (b->max && b->len + extra > b->max)
		return MG_ETOOBIG;
	if (need <= b->alloc)
		return 0;
	if (!b->alloc) {
		size_t n = need < 64 ? 64 : need;

		b->data = mg_xmalloc(n);
		b->data[0] = '\0';
		b->alloc = n;
		return 0;
	}
	b->data = mg_xgrow(b->data, 1, need, &b->alloc);
	return 0;
}

int
mg_buf_add(struct mg_buf *b, const void *data, size_t len)
{
	if (grow(b, len))
		return MG_ETOOBIG;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
mg_buf_adds(struct mg_buf *b, const char *s)
{
	return mg_buf_add(b, s, strlen(s));
}

int
mg_buf_addch(struct mg_buf *b, char c)
{
	return mg_buf_add(b, &c, 1);
}

int
mg_buf_vaddf(struct mg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		MG_BUG("bad format");
	if (grow(b, (size_t)n))
		return MG_ETOOBIG;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
mg_buf_addf(struct mg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
mg_buf_rtrim(struct mg_buf *b)
{
	while (b->len && strchr(" \t\r\n", b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

void
mg_buf_consume(struct mg_buf *b, size_t n)
{
	if (n >= b->len) {
		mg_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char *
mg_buf_detach(struct mg_buf *b, size_t *len)
{
	char *p = b->alloc ? b->data : mg_xstrdup("");

	if (len)
		*len = b->len;
	mg_buf_init(b, b->max);
	return p;
}

int
mg_buf_read_file(struct mg_buf *b, const char *path, struct mg_err *err)
{
	FILE *f;
	char chunk[8192];
	size_t n;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f)
		return mg_err_set(err, MG_EIO, "cannot read '%s': %s", path,
				  strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (mg_buf_add(b, chunk, n)) {
			rc = mg_err_set(err, MG_ETOOBIG,
					"'%s' is larger than %zu bytes", path,
					b->max);
			goto out;
		}
	}
	if (ferror(f))
		rc = mg_err_set(err, MG_EIO, "cannot read '%s': %s", path,
				strerror(errno));
out:
	explicit_bzero(chunk, sizeof(chunk));
	fclose(f);
	return rc;
}
