/*
 * cliutil.c - the pure parts of a kubectl-like command line (see cliutil.h).
 */
#include "compat.h"

#include "cliutil.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>

#include "buf.h"
#include "err.h"
#include "gojson.h"
#include "json.h"
#include "timeutil.h"
#include "xalloc.h"

/* --- ages ------------------------------------------------------------------ */

void
mg_cli_age(char out[MG_CLI_AGE_LEN], int64_t s)
{
	int64_t m, h, d;

	if (s < -1) {
		snprintf(out, MG_CLI_AGE_LEN, "<invalid>");
		return;
	}
	if (s < 0)
		s = 0;
	if (s < 2 * 60) {
		snprintf(out, MG_CLI_AGE_LEN, "%llds", (long long)s);
		return;
	}
	m = s / 60;
	if (m < 10) {
		if (s % 60)
			snprintf(out, MG_CLI_AGE_LEN, "%lldm%llds", (long long)m,
				 (long long)(s % 60));
		else
			snprintf(out, MG_CLI_AGE_LEN, "%lldm", (long long)m);
		return;
	}
	if (m < 3 * 60) {
		snprintf(out, MG_CLI_AGE_LEN, "%lldm", (long long)m);
		return;
	}
	h = s / 3600;
	if (h < 8) {
		if (m % 60)
			snprintf(out, MG_CLI_AGE_LEN, "%lldh%lldm", (long long)h,
				 (long long)(m % 60));
		else
			snprintf(out, MG_CLI_AGE_LEN, "%lldh", (long long)h);
		return;
	}
	if (h < 48) {
		snprintf(out, MG_CLI_AGE_LEN, "%lldh", (long long)h);
		return;
	}
	d = h / 24;
	if (h < 24 * 8) {
		if (h % 24)
			snprintf(out, MG_CLI_AGE_LEN, "%lldd%lldh", (long long)d,
				 (long long)(h % 24));
		else
			snprintf(out, MG_CLI_AGE_LEN, "%lldd", (long long)d);
		return;
	}
	if (h < 24 * 365 * 2) {
		snprintf(out, MG_CLI_AGE_LEN, "%lldd", (long long)d);
		return;
	}
	if (h < 24 * 365 * 8 && d % 365) {
		snprintf(out, MG_CLI_AGE_LEN, "%lldy%lldd", (long long)(d / 365),
			 (long long)(d % 365));
		return;
	}
	snprintf(out, MG_CLI_AGE_LEN, "%lldy", (long long)(d / 365));
}

void
mg_cli_age_since(char out[MG_CLI_AGE_LEN], const char *stamp, time_t now)
{
	time_t t;

	if (!stamp || !*stamp || mg_time_parse(stamp, &t) != 0) {
		snprintf(out, MG_CLI_AGE_LEN, "<unknown>");
		return;
	}
	mg_cli_age(out, (int64_t)now - (int64_t)t);
}

/* --- --request-timeout ----------------------------------------------------- */

/* Nanoseconds per unit at s, and the unit's length; 0 when none. */
static double
unit_ns(const char *s, size_t *len)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 },
		{ "\xce\xbcs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 },
	};
	size_t i;

	/* "ms" comes before "m", so the longer unit wins. */
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		size_t n = strlen(units[i].name);

		if (!strncmp(s, units[i].name, n)) {
			*len = n;
			return units[i].ns;
		}
	}
	*len = 0;
	return 0;
}

int
mg_cli_parse_timeout(const char *s, long *ms, struct mg_err *err)
{
	const char *p = s;
	double total = 0;
	bool neg = false, digits_only = true;

	if (!s || !*s)
		goto bad;
	for (p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			digits_only = false;
	if (digits_only) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || v > (unsigned long long)LONG_MAX / 1000)
			goto bad;
		*ms = (long)v * 1000;
		return 0;
	}
	p = s;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*ms = 0;
		return 0;
	}
	if (!*p)
		goto bad;
	while (*p) {
		double v = 0, scale = 1, u;
		bool any = false;
		size_t ulen;

		for (; isdigit((unsigned char)*p); p++, any = true)
			v = v * 10 + (*p - '0');
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++, any = true) {
				scale /= 10;
				v += (*p - '0') * scale;
			}
		}
		if (!any)
			goto bad;
		u = unit_ns(p, &ulen);
		if (!ulen)
			goto bad;
		p += ulen;
		total += v * u;
		if (total > 9.2e18) /* Go's limit: int64 nanoseconds */
			goto bad;
	}
	if (neg && total > 0)
		return mg_err_set(err, MG_EINVAL,
				  "invalid timeout '%s': must not be negative", s);
	*ms = (long)(total / 1e6);
	if ((double)*ms * 1e6 < total)
		*ms += 1;
	return 0;
bad:
	return mg_err_set(err, MG_EINVAL,
			  "invalid timeout '%s': a whole number of seconds, or a "
			  "number with a unit (e.g. 1s, 2m, 3h)", s ? s : "");
}

/* --- colour and output formats -------------------------------------------- */

int
mg_cli_color_parse(const char *s, enum mg_cli_color *out, struct mg_err *err)
{
	if (s && !strcmp(s, "auto"))
		*out = MG_CLI_COLOR_AUTO;
	else if (s && !strcmp(s, "always"))
		*out = MG_CLI_COLOR_ALWAYS;
	else if (s && !strcmp(s, "never"))
		*out = MG_CLI_COLOR_NEVER;
	else
		return mg_err_set(err, MG_EINVAL,
				  "invalid colour mode '%s': one of auto, always, never",
				  s ? s : "");
	return 0;
}

bool
mg_cli_color_use(enum mg_cli_color mode, bool is_tty, const char *no_color,
		 const char *term)
{
	switch (mode) {
	case MG_CLI_COLOR_ALWAYS:
		return true;
	case MG_CLI_COLOR_NEVER:
		return false;
	case MG_CLI_COLOR_AUTO:
		break;
	}
	if (!is_tty)
		return false;
	if (no_color && *no_color)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return true;
}

static const char *const output_names[] = {
	[MG_CLI_OUT_TABLE] = "",
	[MG_CLI_OUT_WIDE] = "wide",
	[MG_CLI_OUT_NAME] = "name",
	[MG_CLI_OUT_JSON] = "json",
	[MG_CLI_OUT_YAML] = "yaml",
};

const char *
mg_cli_output_name(enum mg_cli_output o)
{
	return (size_t)o < ARRAY_SIZE(output_names) ? output_names[o] : "?";
}

int
mg_cli_output_parse(const char *s, unsigned allowed, enum mg_cli_output *out,
		    struct mg_err *err)
{
	/* The order of the list in messages: kubectl's help order. */
	static const enum mg_cli_output order[] = {
		MG_CLI_OUT_JSON, MG_CLI_OUT_YAML, MG_CLI_OUT_NAME, MG_CLI_OUT_WIDE,
	};
	struct mg_buf list = MG_BUF_INIT;
	size_t i;
	int rc;

	if (!s || !*s) {
		*out = MG_CLI_OUT_TABLE;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if ((allowed & MG_CLI_OUT_BIT(order[i])) &&
		    !strcmp(s, output_names[order[i]])) {
			*out = order[i];
			return 0;
		}
	}
	for (i = 0; i < ARRAY_SIZE(order); i++)
		if (allowed & MG_CLI_OUT_BIT(order[i]))
			mg_buf_addf(&list, "%s%s", list.len ? ", " : "",
				    output_names[order[i]]);
	rc = mg_err_set(err, MG_EINVAL, "unknown output format '%s': one of %s",
			s, list.len ? list.data : "(none)");
	mg_buf_release(&list);
	return rc;
}

bool
mg_cli_answer_yes(const char *a)
{
	size_t n;

	if (!a)
		return false;
	while (*a == ' ' || *a == '\t')
		a++;
	n = strlen(a);
	while (n && (a[n - 1] == ' ' || a[n - 1] == '\t' || a[n - 1] == '\n' ||
		     a[n - 1] == '\r'))
		n--;
	if (n == 1)
		return a[0] == 'y' || a[0] == 'Y';
	if (n == 3)
		return (a[0] == 'y' || a[0] == 'Y') && (a[1] == 'e' || a[1] == 'E') &&
		       (a[2] == 's' || a[2] == 'S');
	return false;
}

/* --- JSON as kubectl prints it --------------------------------------------- */

/* Strings as kubectl (Go's encoding/json) escapes them: gojson's rules. */
static void
json_string(struct mg_buf *out, const char *str)
{
	mg_gojson_string(out, str, strlen(str));
}

/*
 * A double as Go's encoding/json writes it: the shortest digits that read
 * back as the same double, in plain notation from 1e-6 up to 1e21 and in
 * exponent notation ("1e+21", "1.5e-7") outside.
 */
static void
json_number(struct mg_buf *out, double v)
{
	char tmp[64], digits[24];
	double a = v < 0 ? -v : v;
	size_t nd = 0;
	int p, e;
	char *q;

	if (v != v || v > DBL_MAX || v < -DBL_MAX) { /* NaN, infinities */
		mg_buf_adds(out, "null");
		return;
	}
	if (a == 0) {
		mg_buf_adds(out, "0");
		return;
	}
	for (p = 0; p <= 16; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp is "-d.ddde-XX": collect the digits and the exponent */
	for (q = tmp; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[nd++] = *q;
	digits[nd] = '\0';
	e = (int)strtol(q + 1, NULL, 10);
	if (v < 0)
		mg_buf_addch(out, '-');
	if (a < 1e-6 || a >= 1e21) {
		mg_buf_addch(out, digits[0]);
		if (nd > 1)
			mg_buf_addf(out, ".%s", digits + 1);
		mg_buf_addf(out, "e%c%0*d", e < 0 ? '-' : '+', e < 0 ? 1 : 2,
			    e < 0 ? -e : e);
		return;
	}
	if (e >= 0) {
		size_t i;

		for (i = 0; i <= (size_t)e; i++)
			mg_buf_addch(out, i < nd ? digits[i] : '0');
		if (nd > (size_t)e + 1)
			mg_buf_addf(out, ".%s", digits + e + 1);
	} else {
		mg_buf_adds(out, "0.");
		for (p = 0; p < -e - 1; p++)
			mg_buf_addch(out, '0');
		mg_buf_adds(out, digits);
	}
}

static void
json_indent(struct mg_buf *out, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		mg_buf_adds(out, "    ");
}

static void
json_value(struct mg_buf *out, const cJSON *item, int depth)
{
	const cJSON *c;

	if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
		bool obj = cJSON_IsObject(item);

		if (!item->child) {
			mg_buf_adds(out, obj ? "{}" : "[]");
			return;
		}
		mg_buf_adds(out, obj ? "{\n" : "[\n");
		for (c = item->child; c; c = c->next) {
			json_indent(out, depth + 1);
			if (obj) {
				json_string(out, c->string ? c->string : "");
				mg_buf_adds(out, ": ");
			}
			json_value(out, c, depth + 1);
			mg_buf_adds(out, c->next ? ",\n" : "\n");
		}
		json_indent(out, depth);
		mg_buf_addch(out, obj ? '}' : ']');
	} else if (cJSON_IsString(item)) {
		json_string(out, item->valuestring ? item->valuestring : "");
	} else if (cJSON_IsNumber(item)) {
		json_number(out, item->valuedouble);
	} else if (cJSON_IsTrue(item)) {
		mg_buf_adds(out, "true");
	} else if (cJSON_IsFalse(item)) {
		mg_buf_adds(out, "false");
	} else {
		mg_buf_adds(out, "null");
	}
}

void
mg_cli_json(struct mg_buf *out, const cJSON *item)
{
	cJSON *sorted = mg_json_sorted(item);

	json_value(out, sorted, 0);
	mg_buf_addch(out, '\n');
	cJSON_Delete(sorted);
}

void
mg_cli_json_ordered(struct mg_buf *out, const cJSON *item)
{
	json_value(out, item, 0);
	mg_buf_addch(out, '\n');
}

/* --- printer columns ------------------------------------------------------ */

/* Reads a name: letters, digits, '_' and '-' up to the next '.', '[', '='. */
static size_t
path_name(const char *p, char *name, size_t size)
{
	size_t n = 0;

	while (p[n] && p[n] != '.' && p[n] != '[' && p[n] != '=' &&
	       p[n] != ')' && n + 1 < size) {
		name[n] = p[n];
		n++;
	}
	name[n] = '\0';
	return n;
}

/* "[?(@.key=='value')]" at p: the first element of arr that matches, and
 * the length of the filter in *len (0: not a filter we read). */
static const cJSON *
path_filter(const cJSON *arr, const char *p, size_t *len)
{
	char key[128], val[256];
	const char *q = p, *end;
	const cJSON *it;
	char quote;
	size_t n;

	*len = 0;
	if (strncmp(q, "[?(@.", 5))
		return NULL;
	q += 5;
	n = path_name(q, key, sizeof(key));
	if (!n || strncmp(q + n, "==", 2))
		return NULL;
	q += n + 2;
	quote = *q;
	if (quote != '\'' && quote != '"')
		return NULL;
	end = strchr(q + 1, quote);
	if (!end || (size_t)(end - q - 1) >= sizeof(val) ||
	    strncmp(end + 1, ")]", 2))
		return NULL;
	memcpy(val, q + 1, (size_t)(end - q - 1));
	val[end - q - 1] = '\0';
	*len = (size_t)(end + 3 - p);
	if (!cJSON_IsArray(arr))
		return NULL;
	cJSON_ArrayForEach(it, arr) {
		const cJSON *f = cJSON_IsObject(it)
			? cJSON_GetObjectItemCaseSensitive(it, key) : NULL;

		if (cJSON_IsString(f) && !strcmp(f->valuestring, val))
			return it;
	}
	return NULL;
}

static const cJSON *
path_eval(const cJSON *cur, const char *p)
{
	char name[256];

	while (cur && *p) {
		if (*p == '.') {
			size_t n = path_name(p + 1, name, sizeof(name));

			if (!n)
				return NULL;
			cur = cJSON_IsObject(cur)
				? cJSON_GetObjectItemCaseSensitive(cur, name) : NULL;
			p += n + 1;
		} else if (p[0] == '[' && p[1] == '?') {
			size_t n;

			cur = path_filter(cur, p, &n);
			if (!n)
				return NULL;
			p += n;
		} else if (p[0] == '[') {
			char *end;
			long i = strtol(p + 1, &end, 10);

			if (end == p + 1 || *end != ']' || i < 0)
				return NULL;
			cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)i)
						 : NULL;
			p = end + 1;
		} else {
			return NULL;
		}
	}
	return cur;
}

void
mg_cli_printer_cell(struct mg_buf *out, const cJSON *obj,
		    const char *json_path, const char *type, time_t now)
{
	const cJSON *v = path_eval(obj, json_path);

	if (!v || cJSON_IsNull(v))
		return;
	if (!strcmp(type, "date")) {
		char age[MG_CLI_AGE_LEN];
		time_t t;

		if (!cJSON_IsString(v))
			return;
		if (mg_time_parse(v->valuestring, &t) != 0) {
			mg_buf_adds(out, "<invalid>");
			return;
		}
		mg_cli_age(age, (int64_t)now - (int64_t)t);
		mg_buf_adds(out, age);
	} else if (!strcmp(type, "integer")) {
		if (cJSON_IsNumber(v) && v->valuedouble > -9e18 &&
		    v->valuedouble < 9e18 &&
		    v->valuedouble == (double)(long long)v->valuedouble)
			mg_buf_addf(out, "%lld", (long long)v->valuedouble);
	} else if (!strcmp(type, "number")) {
		if (cJSON_IsNumber(v))
			json_number(out, v->valuedouble);
	} else if (!strcmp(type, "boolean")) {
		if (cJSON_IsBool(v))
			mg_buf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsString(v)) {
		mg_buf_adds(out, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		json_number(out, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		mg_buf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	} else {
		mg_json_print(out, v, false);
	}
}

/* --- describe -------------------------------------------------------------- */

void
mg_cli_humanize_key(struct mg_buf *out, const char *key)
{
	size_t i, n = strlen(key);

	/* Keys that are data, not field names (pod names, label keys),
	 * are shown as they are. */
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)key[i])) {
			mg_buf_adds(out, key);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (i > 0 && isupper(c)) {
			unsigned char prev = (unsigned char)key[i - 1];
			unsigned char next = (unsigned char)key[i + 1];

			/* "podIP" -> "Pod IP"; "IPAddress" -> "IP Address" */
			if (islower(prev) || isdigit(prev) ||
			    (isupper(prev) && islower(next)))
				mg_buf_addch(out, ' ');
		}
		mg_buf_addch(out, (char)(i == 0 ? toupper(c) : c));
	}
}

static void
spaces(struct mg_buf *out, int n)
{
	while (n-- > 0)
		mg_buf_addch(out, ' ');
}

/* A scalar's text; control characters become '?'. */
static void
scalar_text(struct mg_buf *out, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		const char *s;

		for (s = v->valuestring ? v->valuestring : ""; *s; s++)
			mg_buf_addch(out, ((unsigned char)*s < 0x20 || *s == 0x7f)
					  ? '?' : *s);
	} else if (cJSON_IsNumber(v)) {
		json_number(out, v->valuedouble);
	} else if (cJSON_IsTrue(v)) {
		mg_buf_adds(out, "true");
	} else if (cJSON_IsFalse(v)) {
		mg_buf_adds(out, "false");
	} else {
		mg_buf_adds(out, "<none>");
	}
}

static bool
is_container(const cJSON *v)
{
	return cJSON_IsObject(v) || cJSON_IsArray(v);
}

static bool
is_multiline(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring && strchr(v->valuestring, '\n');
}

static void tree_value(struct mg_buf *out, const cJSON *v, int indent);

static void
multiline(struct mg_buf *out, const char *s, int indent)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t i;

		spaces(out, indent);
		for (i = 0; i < n; i++)
			mg_buf_addch(out, ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
					  ? '?' : s[i]);
		mg_buf_addch(out, '\n');
		s += n + (nl ? 1 : 0);
	}
}

/*
 * The members of an object, one per line; the first line starts with
 * `first` (e.g. "- ") after `indent` spaces, the others with as many
 * spaces. Scalar values line up after the longest key.
 */
static void
tree_object(struct mg_buf *out, const cJSON *obj, int indent, const char *first)
{
	cJSON *sorted = mg_json_sorted(obj);
	struct mg_buf key = MG_BUF_INIT;
	const cJSON *c;
	size_t width = 0;
	int lead = (int)strlen(first);
	bool at_first = true;

	for (c = sorted->child; c; c = c->next) {
		if ((is_container(c) && c->child) || is_multiline(c))
			continue;
		mg_buf_reset(&key);
		mg_cli_humanize_key(&key, c->string);
		if (key.len + 1 > width)
			width = key.len + 1;
	}
	for (c = sorted->child; c; c = c->next) {
		spaces(out, indent);
		if (at_first)
			mg_buf_adds(out, first);
		else
			spaces(out, lead);
		at_first = false;
		mg_buf_reset(&key);
		mg_cli_humanize_key(&key, c->string);
		mg_buf_add(out, key.data, key.len);
		mg_buf_addch(out, ':');
		if ((is_container(c) && c->child) || is_multiline(c)) {
			mg_buf_addch(out, '\n');
			if (is_multiline(c))
				multiline(out, c->valuestring, indent + lead + 2);
			else
				tree_value(out, c, indent + lead + 2);
			continue;
		}
		spaces(out, (int)(width - key.len - 1) + 2);
		scalar_text(out, c);
		mg_buf_addch(out, '\n');
	}
	cJSON_Delete(sorted);
	mg_buf_release(&key);
}

static void
tree_value(struct mg_buf *out, const cJSON *v, int indent)
{
	const cJSON *c;

	if (cJSON_IsObject(v) && v->child) {
		tree_object(out, v, indent, "");
	} else if (cJSON_IsArray(v) && v->child) {
		for (c = v->child; c; c = c->next) {
			if (cJSON_IsObject(c) && c->child) {
				tree_object(out, c, indent, "- ");
			} else if (is_multiline(c)) {
				spaces(out, indent);
				mg_buf_adds(out, "-\n");
				multiline(out, c->valuestring, indent + 2);
			} else if (cJSON_IsArray(c) && c->child) {
				spaces(out, indent);
				mg_buf_adds(out, "-\n");
				tree_value(out, c, indent + 2);
			} else {
				spaces(out, indent);
				mg_buf_adds(out, "- ");
				if (is_container(c))
					mg_buf_adds(out, "<none>");
				else
					scalar_text(out, c);
				mg_buf_addch(out, '\n');
			}
		}
	} else if (is_container(v)) {
		spaces(out, indent);
		mg_buf_adds(out, "<none>\n");
	} else if (is_multiline(v)) {
		multiline(out, v->valuestring, indent);
	} else {
		spaces(out, indent);
		scalar_text(out, v);
		mg_buf_addch(out, '\n');
	}
}

void
mg_cli_describe_tree(struct mg_buf *out, const cJSON *item, int indent)
{
	tree_value(out, item, indent);
}
