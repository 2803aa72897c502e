/*
 * finding.c - the list of findings (see finding.h).
 */
#include "compat.h"

#include "finding.h"

#include <stdarg.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

void
mg_findings_init(struct mg_findings *f)
{
	memset(f, 0, sizeof(*f));
}

void
mg_findings_release(struct mg_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].message);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static void
put(struct mg_findings *f, enum mg_severity sev, enum mg_problem_type type,
    int rule, const char *path, char *message)
{
	struct mg_finding *x;

	f->v = mg_xgrow(f->v, sizeof(*f->v), f->n + 1, &f->alloc);
	x = &f->v[f->n++];
	x->severity = sev;
	x->type = type;
	x->rule = rule;
	x->path = mg_xstrdup(path ? path : "");
	x->message = message;
}

void
mg_findings_add(struct mg_findings *f, enum mg_severity sev, const char *path,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(f, sev, MG_PROBLEM_ADMISSION, -1, path, mg_xvasprintf(fmt, ap));
	va_end(ap);
}

void
mg_findings_add_problem(struct mg_findings *f, enum mg_problem_type type,
			int rule, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(f, MG_SEV_ERROR, type, rule, path, mg_xvasprintf(fmt, ap));
	va_end(ap);
}

size_t
mg_findings_count(const struct mg_findings *f, enum mg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (f->v[i].severity == sev)
			n++;
	return n;
}

const struct mg_finding *
mg_findings_first(const struct mg_findings *f, enum mg_severity sev)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].severity == sev)
			return &f->v[i];
	return NULL;
}

const struct mg_finding *
mg_findings_find(const struct mg_findings *f, enum mg_problem_type type,
		 const char *path)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].type != type)
			continue;
		if (!path || strcmp(f->v[i].path, path) == 0)
			return &f->v[i];
	}
	return NULL;
}

static void
format_one(struct mg_buf *out, const struct mg_finding *x)
{
	if (x->path[0])
		mg_buf_addf(out, "%s: ", x->path);
	mg_buf_adds(out, x->message);
}

void
mg_findings_format(const struct mg_findings *f, struct mg_buf *out)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		format_one(out, &f->v[i]);
		mg_buf_addch(out, '\n');
	}
}

int
mg_findings_to_err(const struct mg_findings *f, const char *what,
		   struct mg_err *err)
{
	const struct mg_finding *first = f ? mg_findings_first(f, MG_SEV_ERROR)
					   : NULL;
	struct mg_buf b = MG_BUF_INIT;
	size_t errors;

	if (!first)
		return 0;
	errors = mg_findings_count(f, MG_SEV_ERROR);
	format_one(&b, first);
	if (errors > 1)
		mg_buf_addf(&b, " (and %zu more problem%s)", errors - 1,
			    errors == 2 ? "" : "s");
	mg_err_set(err, MG_EINVAL, "%s: %s", what, b.data);
	mg_buf_release(&b);
	return MG_EINVAL;
}
