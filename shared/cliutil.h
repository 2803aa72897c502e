/*
 * cliutil.h - the pure parts of a kubectl-like command line: ages as kubectl
 * prints them, --request-timeout values, the colour decision, output
 * format names, yes/no answers, kubectl's JSON layout and the readable
 * tree `describe` prints.
 *
 * Nothing here reads the environment, the clock or a terminal: callers
 * pass "now", isatty() and getenv() results in, so every rule is a unit
 * test away. Output goes into caller-owned struct mg_buf.
 */
#ifndef MG_CLIUTIL_H
#define MG_CLIUTIL_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;

/* Room for any age: "<invalid>", "2y364d", "1234567y"... and the NUL. */
#define MG_CLI_AGE_LEN 24

/*
 * An age as kubectl prints one (apimachinery's HumanDuration): seconds
 * below 2 minutes ("90s"), then "3m20s" up to 10 minutes, minutes up to 3
 * hours, "5h30m" up to 8 hours, hours up to 2 days, "3d4h" up to 8 days,
 * days up to 2 years, "3y12d" up to 8 years, then years. A clock skew of
 * up to a second reads "0s"; more is "<invalid>".
 */
void mg_cli_age(char out[MG_CLI_AGE_LEN], int64_t seconds);

/*
 * The age at `now` of an RFC 3339 stamp (metadata.creationTimestamp...);
 * "<unknown>" when stamp is NULL, empty or not a time, as kubectl does.
 */
void mg_cli_age_since(char out[MG_CLI_AGE_LEN], const char *stamp, time_t now);

/*
 * A --request-timeout value as kubectl reads it: a bare non-negative
 * integer is seconds, anything else a Go duration ("1m30s", "500ms",
 * "1.5h"; units ns, us, µs, ms, s, m, h). 0 means no timeout. *ms is
 * rounded up to whole milliseconds (a positive value never becomes 0).
 * MG_EINVAL for anything else, negative durations included.
 */
int mg_cli_parse_timeout(const char *s, long *ms, struct mg_err *err);

enum mg_cli_color {
	MG_CLI_COLOR_AUTO,
	MG_CLI_COLOR_ALWAYS,
	MG_CLI_COLOR_NEVER,
};

/* "auto", "always" or "never"; MG_EINVAL naming the value otherwise. */
int mg_cli_color_parse(const char *s, enum mg_cli_color *out,
		       struct mg_err *err);

/*
 * Whether to colour: always and never are what they say (an explicit flag
 * wins over the environment, as no-color.org asks); auto colours only a
 * terminal, and not when NO_COLOR is set to a non-empty value or TERM is
 * "dumb". no_color and term are getenv() results (NULL when unset).
 */
bool mg_cli_color_use(enum mg_cli_color mode, bool is_tty,
		      const char *no_color, const char *term);

enum mg_cli_output {
	MG_CLI_OUT_TABLE, /* no -o */
	MG_CLI_OUT_WIDE,
	MG_CLI_OUT_NAME,
	MG_CLI_OUT_JSON,
	MG_CLI_OUT_YAML,
};

/* Bits of enum mg_cli_output a command accepts: 1u << MG_CLI_OUT_... */
#define MG_CLI_OUT_BIT(o) (1u << (o))

/*
 * Parses an -o value (NULL or "" is the table) among the formats in
 * `allowed`. MG_EINVAL listing the allowed ones otherwise:
 * "unknown output format 'xml': one of json, yaml, name, wide".
 */
int mg_cli_output_parse(const char *s, unsigned allowed,
			enum mg_cli_output *out, struct mg_err *err);
const char *mg_cli_output_name(enum mg_cli_output o);

/* y, yes (any case, surrounding blanks ignored) is yes; all else is no. */
bool mg_cli_answer_yes(const char *answer);

/*
 * Appends item as `kubectl get -o json` prints it: keys sorted at every
 * level, four-space indentation, Go's escaping (<, > and & as \u003c...,
 * invalid UTF-8 as U+FFFD), numbers in Go's shortest form (plain from
 * 1e-6 to 1e21, "1e+21" and "1.5e-7" outside), and a final newline.
 */
void mg_cli_json(struct mg_buf *out, const cJSON *item);
/* The same with the keys in the order item has them (for documents whose
 * schema fixes the order, such as `status -o json`). */
void mg_cli_json_ordered(struct mg_buf *out, const cJSON *item);

/*
 * "observedGeneration" -> "Observed Generation", "podIP" -> "Pod IP",
 * "spec" -> "Spec": a field name as `describe` shows it. A key with
 * anything but letters and digits ("pool-0", "multigres.com/cell") is
 * data, not a field name, and stays as it is.
 */
void mg_cli_humanize_key(struct mg_buf *out, const char *key);

/*
 * Appends the readable tree `describe` prints for an object's member
 * (spec, status...): keys humanized and sorted, "Key:  value" for
 * scalars, nested objects indented by two, array items introduced by
 * "- ", empty objects and arrays as "<none>". Every line starts with
 * `indent` spaces. Control characters in values are shown as '?'.
 */
void mg_cli_describe_tree(struct mg_buf *out, const cJSON *item, int indent);

/*
 * A CRD printer column's cell for obj, as the API server's table printer
 * fills it: json_path is the column's jsonPath (".status.phase": fields,
 * [N] indexes, and [?(@.field=='value')] filters keeping the first match);
 * type is the column's: "date" is the age at `now` of a time ("<invalid>"
 * when it is not one), "integer", "number" and "boolean" print only
 * values of that type, "string" prints any scalar. A value that is
 * missing, or a path outside this grammar, gives an empty cell.
 */
void mg_cli_printer_cell(struct mg_buf *out, const cJSON *obj,
			 const char *json_path, const char *type, time_t now);

#endif /* MG_CLIUTIL_H */
