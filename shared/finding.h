/*
 * finding.h - what a check found wrong (or doubtful) in an object: a
 * severity, a kind of problem, the field path and a message.
 *
 * One list type for every checker: the CRD schema and its CEL rules
 * (schema.h: errors, each with the problem type and, for a rule, its
 * MG_RULE_* identifier), the model's parse (model.h) and the operator's
 * admission rules (validate.h: errors and warnings, type
 * MG_PROBLEM_ADMISSION). A caller can hand the same list to several of
 * them and print it once.
 *
 * Paths are field paths ("spec.cells[2].zoneId"), "" for the whole
 * object; messages do not repeat the path. The list owns its strings.
 */
#ifndef MG_FINDING_H
#define MG_FINDING_H

#include "compat.h"

struct mg_buf;
struct mg_err;

enum mg_severity {
	MG_SEV_ERROR,
	MG_SEV_WARNING,
};

enum mg_problem_type {
	MG_PROBLEM_UNKNOWN_FIELD, /* strict mode only */
	MG_PROBLEM_TYPE,          /* wrong JSON type, bad date-time */
	MG_PROBLEM_REQUIRED,
	MG_PROBLEM_ENUM,          /* "Unsupported value" */
	MG_PROBLEM_TOO_LONG,      /* maxLength */
	MG_PROBLEM_TOO_SHORT,     /* minLength */
	MG_PROBLEM_PATTERN,
	MG_PROBLEM_RANGE,         /* minimum, maximum */
	MG_PROBLEM_TOO_MANY,      /* maxItems, maxProperties */
	MG_PROBLEM_TOO_FEW,       /* minItems */
	MG_PROBLEM_DUPLICATE,     /* list-type set / map */
	MG_PROBLEM_RULE,          /* a CEL rule is false (or failed) */
	MG_PROBLEM_NOT_CHECKED,   /* CEL rules skipped after blocking problems */
	MG_PROBLEM_OBJECT,        /* not an object of a known kind */
	MG_PROBLEM_ADMISSION,     /* an admission webhook rule (validate.h) */
};

struct mg_finding {
	enum mg_severity severity;
	enum mg_problem_type type;
	int rule;      /* enum mg_schema_rule for MG_PROBLEM_RULE, else -1 */
	char *path;    /* "spec.cells[2].zoneId"; "" for the whole object */
	char *message; /* without the path */
};

/* A growing list; caller-owned storage. */
struct mg_findings {
	struct mg_finding *v;
	size_t n, alloc;
};

#define MG_FINDINGS_INIT { NULL, 0, 0 }

void mg_findings_init(struct mg_findings *f);
void mg_findings_release(struct mg_findings *f);

/* Appends an admission finding (type MG_PROBLEM_ADMISSION, rule -1);
 * path may be NULL for "". */
void mg_findings_add(struct mg_findings *f, enum mg_severity sev,
		     const char *path, const char *fmt, ...) MG_PRINTF(4, 5);

/* Appends an error of a schema type (rule: enum mg_schema_rule or -1). */
void mg_findings_add_problem(struct mg_findings *f, enum mg_problem_type type,
			     int rule, const char *path, const char *fmt, ...)
	MG_PRINTF(5, 6);

size_t mg_findings_count(const struct mg_findings *f, enum mg_severity sev);
/* The first finding of that severity, or NULL. */
const struct mg_finding *mg_findings_first(const struct mg_findings *f,
					   enum mg_severity sev);
/* The first finding of `type` at `path` (path NULL: any), or NULL. */
const struct mg_finding *mg_findings_find(const struct mg_findings *f,
					  enum mg_problem_type type,
					  const char *path);

/* Appends one "path: message" line per finding (the message alone when
 * the path is ""), whatever its severity. */
void mg_findings_format(const struct mg_findings *f, struct mg_buf *out);

/*
 * Fills err (MG_EINVAL) with "what: <first error>" plus "(and N more
 * problems)" when there are other errors, and returns MG_EINVAL; returns
 * 0 and leaves err alone when there is no error (warnings do not count).
 */
int mg_findings_to_err(const struct mg_findings *f, const char *what,
		       struct mg_err *err);

#endif /* MG_FINDING_H */
