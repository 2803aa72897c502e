#include "compat.h"
#include "quantity.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

/*
 * The algorithm follows apimachinery's pkg/api/resource (quantity.go,
 * suffix.go, amount.go) step by step; spec-hash.md 5.1-5.3 describes it.
 * Go keeps small values in an int64 and falls back to an arbitrary
 * precision decimal; both give the same text for the same value, so one
 * exact representation (decimal digits and a power of ten) serves here.
 */

/* Decimal exponents beyond this are refused (Go wraps them to int32). */
#define MAX_EXP10 1000000000LL

/* resource.maxInt64Factors: decimal digits the int64 fast path takes. */
#define MAX_INT64_FACTORS 18

/* resource.Nano: the finest scale; anything finer is rounded up. */
#define NANO_EXP10 (-9)

static const char zero_digits[] = "0";

/* The pieces of parseQuantityString. */
struct parts {
	bool positive;
	const char *value; /* sign, digits and '.': what inf.Dec parses */
	size_t value_len;
	const char *num; /* integer digits without leading zeros, or "0" */
	size_t num_len;
	const char *denom; /* fraction digits, possibly none */
	size_t denom_len;
	const char *suffix;
	size_t suffix_len;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * parseQuantityString: a sign, digits with an optional '.', then a suffix
 * made of the letters "eEinumkKMGTP", an optional sign and digits. Returns
 * false when something else follows (ErrFormatWrong).
 */
static bool
split(const char *str, size_t end, struct parts *p)
{
	size_t pos = 0, i, start;

	memset(p, 0, sizeof(*p));
	p->positive = true;
	p->denom = str;
	p->suffix = str;
	if (pos < end && (str[0] == '-' || str[0] == '+')) {
		p->positive = str[0] == '+';
		pos++;
	}
	/* Leading zeros; a string of zeros alone is the number 0. */
	for (i = pos;; i++) {
		if (i >= end) {
			p->num = p->value = zero_digits;
			p->num_len = p->value_len = 1;
			return true;
		}
		if (str[i] != '0')
			break;
		pos++;
	}
	for (i = pos;; i++) {
		if (i >= end) {
			p->num = str + pos;
			p->num_len = end - pos;
			p->value = str;
			p->value_len = end;
			return true;
		}
		if (!is_digit(str[i]))
			break;
	}
	p->num = str + pos;
	p->num_len = i - pos;
	pos = i;
	if (p->num_len == 0) {
		p->num = zero_digits;
		p->num_len = 1;
	}
	if (pos < end && str[pos] == '.') {
		pos++;
		for (i = pos;; i++) {
			if (i >= end) {
				p->denom = str + pos;
				p->denom_len = end - pos;
				p->value = str;
				p->value_len = end;
				return true;
			}
			if (!is_digit(str[i]))
				break;
		}
		/* Go accepts "1.G" (no fraction digits) too. */
		p->denom = str + pos;
		p->denom_len = i - pos;
		pos = i;
	}
	p->value = str;
	p->value_len = pos;
	start = pos;
	for (i = pos;; i++) {
		if (i >= end) {
			p->suffix = str + start;
			p->suffix_len = end - start;
			return true;
		}
		if (!strchr("eEinumkKMGTP", str[i]))
			break;
	}
	pos = i;
	if (str[pos] == '+' || str[pos] == '-')
		pos++;
	for (i = pos;; i++) {
		if (i >= end) {
			p->suffix = str + start;
			p->suffix_len = end - start;
			return true;
		}
		if (!is_digit(str[i]))
			return false;
	}
}

static const struct {
	const char *suffix;
	int exp; /* power of 10 (decimal) or of 2 (binary) */
	enum mg_quantity_format format;
} suffixes[] = {
	{ "n", -9, MG_QUANTITY_DECIMAL_SI },
	{ "u", -6, MG_QUANTITY_DECIMAL_SI },
	{ "m", -3, MG_QUANTITY_DECIMAL_SI },
	{ "", 0, MG_QUANTITY_DECIMAL_SI },
	{ "k", 3, MG_QUANTITY_DECIMAL_SI },
	{ "M", 6, MG_QUANTITY_DECIMAL_SI },
	{ "G", 9, MG_QUANTITY_DECIMAL_SI },
	{ "T", 12, MG_QUANTITY_DECIMAL_SI },
	{ "P", 15, MG_QUANTITY_DECIMAL_SI },
	{ "E", 18, MG_QUANTITY_DECIMAL_SI },
	{ "Ki", 10, MG_QUANTITY_BINARY_SI },
	{ "Mi", 20, MG_QUANTITY_BINARY_SI },
	{ "Gi", 30, MG_QUANTITY_BINARY_SI },
	{ "Ti", 40, MG_QUANTITY_BINARY_SI },
	{ "Pi", 50, MG_QUANTITY_BINARY_SI },
	{ "Ei", 60, MG_QUANTITY_BINARY_SI },
};

/*
 * suffixHandler.interpret: the tables first (so "E" is exa), then
 * e<int> / E<int>. *ok false: an unknown suffix (ErrSuffix).
 */
static int
interpret(const struct parts *p, int64_t *exp, enum mg_quantity_format *fmt,
	  bool *ok)
{
	size_t i;
	char buf[32], *end;
	long long v;

	*ok = false;
	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		if (strlen(suffixes[i].suffix) == p->suffix_len &&
		    !memcmp(suffixes[i].suffix, p->suffix, p->suffix_len)) {
			*exp = suffixes[i].exp;
			*fmt = suffixes[i].format;
			*ok = true;
			return 0;
		}
	}
	if (p->suffix_len < 2 || (p->suffix[0] != 'e' && p->suffix[0] != 'E'))
		return 0;
	/* strconv.ParseInt: an optional sign, then at least one digit. */
	if (p->suffix_len - 1 >= sizeof(buf))
		return MG_EINVAL;
	memcpy(buf, p->suffix + 1, p->suffix_len - 1);
	buf[p->suffix_len - 1] = '\0';
	if (!is_digit(buf[buf[0] == '+' || buf[0] == '-']))
		return 0;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (*end)
		return 0;
	if (errno || v > MAX_EXP10 || v < -MAX_EXP10)
		return MG_EINVAL;
	*exp = v;
	*fmt = MG_QUANTITY_DECIMAL_EXPONENT;
	*ok = true;
	return 0;
}

/* A digit string without leading zeros ("0" when there is nothing). */
static char *
digits_dup(const char *s, size_t n)
{
	while (n > 1 && *s == '0') {
		s++;
		n--;
	}
	if (n == 0 || (n == 1 && *s == '0'))
		return mg_xstrdup("0");
	return mg_xstrndup(s, n);
}

static bool
digits_zero(const char *d)
{
	return d[0] == '0' && d[1] == '\0';
}

/* d * m for a small m, in place (d is reallocated). */
static char *
digits_mul(char *d, unsigned m)
{
	size_t n = strlen(d), i;
	char *r = mg_xmalloc(n + 12);
	unsigned long long carry = 0;
	size_t k = n + 11;

	r[k] = '\0';
	for (i = n; i-- > 0;) {
		carry += (unsigned long long)(d[i] - '0') * m;
		r[--k] = (char)('0' + carry % 10);
		carry /= 10;
	}
	while (carry) {
		r[--k] = (char)('0' + carry % 10);
		carry /= 10;
	}
	free(d);
	d = digits_dup(r + k, strlen(r + k));
	free(r);
	return d;
}

/* d + 1, in place. */
static char *
digits_inc(char *d)
{
	size_t n = strlen(d), i;
	char *r;

	for (i = n; i-- > 0;) {
		if (d[i] != '9') {
			d[i]++;
			return d;
		}
		d[i] = '0';
	}
	r = mg_xmalloc(n + 2);
	r[0] = '1';
	memcpy(r + 1, d, n + 1);
	free(d);
	return r;
}

/*
 * Compares |a| = ad * 10^ae with |b|: by order of magnitude first, then
 * digit by digit (trailing zeros do not count).
 */
static int
mag_cmp(const char *ad, int64_t ae, const char *bd, int64_t be)
{
	size_t an = strlen(ad), bn = strlen(bd), i;
	bool az = digits_zero(ad), bz = digits_zero(bd);
	int64_t am, bm;

	if (az || bz)
		return az && bz ? 0 : az ? -1 : 1;
	am = (int64_t)an + ae;
	bm = (int64_t)bn + be;
	if (am != bm)
		return am < bm ? -1 : 1;
	for (i = 0; i < an || i < bn; i++) {
		char x = i < an ? ad[i] : '0', y = i < bn ? bd[i] : '0';

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static void
set(struct mg_quantity *q, bool negative, char *digits, int64_t exp10,
    enum mg_quantity_format format, const char *text)
{
	q->negative = negative && !digits_zero(digits);
	q->digits = digits;
	q->exp10 = exp10;
	q->format = format;
	q->text = text ? mg_xstrdup(text) : NULL;
}

/*
 * The int64 fast path of ParseQuantity. Returns true when it applies (and
 * fills q), false when Go falls through to the arbitrary-precision path.
 */
static bool
fast_path(struct mg_quantity *q, const char *str, const struct parts *p,
	  int64_t exp, enum mg_quantity_format fmt)
{
	int64_t scale = 0, precision, value = 0, result;
	unsigned shift = 0;
	char shifted[2 * MAX_INT64_FACTORS + 2];
	size_t n, i;
	bool keep;

	if (fmt == MG_QUANTITY_BINARY_SI) {
		if (p->denom_len != 0)
			return false;
		shift = (unsigned)exp;
		/* float32(exponent)*3/10 is exact for 10, 20 ... 60 */
		precision = 15 - (int64_t)p->num_len - exp * 3 / 10 - 1;
	} else {
		scale = exp;
		precision = MAX_INT64_FACTORS -
			    (int64_t)(p->num_len + p->denom_len);
	}
	if (precision < 0)
		return false;
	scale -= (int64_t)p->denom_len;
	if (scale < NANO_EXP10)
		return false;
	n = p->num_len + p->denom_len;
	if (n >= sizeof(shifted))
		return false;
	memcpy(shifted, p->num, p->num_len);
	memcpy(shifted + p->num_len, p->denom, p->denom_len);
	shifted[n] = '\0';
	for (i = 0; i < n; i++)
		value = value * 10 + (shifted[i] - '0');
	/* int64Multiply(value, 1 << shift) */
	if (shift && value > (INT64_MAX >> shift))
		return false;
	result = value << shift;
	if (fmt == MG_QUANTITY_BINARY_SI)
		keep = (value & 7) != 0;
	else
		keep = scale % 3 == 0 &&
		       !(n >= 3 && !memcmp(shifted + n - 3, "000", 3)) &&
		       shifted[0] != '0';
	set(q, !p->positive, mg_xasprintf("%lld", (long long)result), scale,
	    fmt, keep ? str : NULL);
	return true;
}

/* The inf.Dec path: exact arithmetic, rounding up to 1n, the 2^63 cap. */
static int
slow_path(struct mg_quantity *q, const char *str, const struct parts *p,
	  int64_t exp, enum mg_quantity_format fmt, struct mg_err *err)
{
	char *d = mg_xmalloc(p->value_len + 1);
	size_t n = 0, i;
	int64_t frac = 0, e;
	bool dot = false, negative = false, any = false;

	/* inf.Dec.SetString: a sign first, digits, at most one '.' */
	for (i = 0; i < p->value_len; i++) {
		char c = p->value[i];

		if (i == 0 && (c == '+' || c == '-')) {
			negative = c == '-';
		} else if (c == '.') {
			dot = true;
		} else {
			d[n++] = c;
			any = true;
			if (dot)
				frac++;
		}
	}
	if (!any) {
		free(d);
		return mg_err_set(err, MG_EINVAL,
				  "quantity '%s': no digits", str);
	}
	{
		char *t = digits_dup(d, n);

		free(d);
		d = t;
	}
	e = -frac;
	if (fmt == MG_QUANTITY_BINARY_SI) {
		for (i = 0; i < (size_t)exp / 10; i++)
			d = digits_mul(d, 1024);
	} else {
		e += exp;
	}
	if (!digits_zero(d) && e < NANO_EXP10) {
		int64_t drop = NANO_EXP10 - e;
		size_t len = strlen(d);

		if ((int64_t)len <= drop) {
			free(d);
			d = mg_xstrdup("1"); /* nonzero: rounds up to 1n */
		} else {
			bool rest = false;

			for (i = len - (size_t)drop; i < len; i++)
				rest |= d[i] != '0';
			d[len - (size_t)drop] = '\0';
			if (rest)
				d = digits_inc(d);
		}
		e = NANO_EXP10;
	}
	if (fmt == MG_QUANTITY_BINARY_SI) {
		static const char max_int64[] = "9223372036854775807";

		if (mag_cmp(d, e, max_int64, 0) > 0) {
			free(d);
			d = mg_xstrdup(max_int64);
			e = 0;
		}
		if (!digits_zero(d) && mag_cmp(d, e, "1", 0) < 0)
			fmt = MG_QUANTITY_DECIMAL_SI;
	}
	set(q, negative, d, e, fmt, NULL);
	return 0;
}

void
mg_quantity_release(struct mg_quantity *q)
{
	if (!q)
		return;
	free(q->digits);
	free(q->text);
	q->negative = false;
	q->digits = NULL;
	q->exp10 = 0;
	q->format = MG_QUANTITY_DECIMAL_SI;
	q->text = NULL;
}

int
mg_quantity_parse(struct mg_quantity *q, const char *s, struct mg_err *err)
{
	struct parts p;
	int64_t exp = 0;
	enum mg_quantity_format fmt = MG_QUANTITY_DECIMAL_SI;
	bool ok;
	int rc;

	mg_quantity_release(q);
	q->digits = mg_xstrdup("0");
	if (!*s)
		return mg_err_set(err, MG_EINVAL, "quantity '': empty");
	if (!strcmp(s, "0")) {
		q->text = mg_xstrdup("0");
		return 0;
	}
	if (!split(s, strlen(s), &p))
		return mg_err_set(err, MG_EINVAL,
				  "quantity '%s': does not match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
				  s);
	rc = interpret(&p, &exp, &fmt, &ok);
	if (rc)
		return mg_err_set(err, MG_EINVAL,
				  "quantity '%s': exponent out of range", s);
	if (!ok)
		return mg_err_set(err, MG_EINVAL,
				  "quantity '%s': unable to parse quantity's suffix",
				  s);
	free(q->digits);
	q->digits = NULL;
	if (fast_path(q, s, &p, exp, fmt))
		return 0;
	rc = slow_path(q, s, &p, exp, fmt, err);
	if (rc)
		q->digits = mg_xstrdup("0");
	return rc;
}

/*
 * A float64 as Go's encoding/json writes it (and so as the API server
 * stores a number it decoded as a float): the shortest decimal that reads
 * back as the same double, in %f style for 1e-6 <= |f| < 1e21, else %e
 * style with "e-07" shortened to "e-7".
 */
static void
go_float(struct mg_buf *out, double f)
{
	char buf[64], digits[32], *p;
	int prec, exp10 = 0, nd = 0, i;
	double a = fabs(f);

	if (f == 0) {
		mg_buf_adds(out, signbit(f) ? "-0" : "0");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	/* buf is "-d.ddde+XX": collect the digits and the exponent. */
	for (p = buf; *p && *p != 'e'; p++)
		if (is_digit(*p) && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *p;
	digits[nd] = '\0';
	if (*p == 'e')
		exp10 = (int)strtol(p + 1, NULL, 10);
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	if (f < 0)
		mg_buf_addch(out, '-');
	if (a < 1e-6 || a >= 1e21) {
		mg_buf_addch(out, digits[0]);
		if (nd > 1) {
			mg_buf_addch(out, '.');
			mg_buf_adds(out, digits + 1);
		}
		/* Go writes at least two exponent digits ("e+21"), and
		 * encoding/json then turns "e-07" into "e-7". */
		if (exp10 < 0)
			mg_buf_addf(out, "e-%d", -exp10);
		else
			mg_buf_addf(out, "e+%02d", exp10);
		return;
	}
	/* %f style: digits d1..dn with the point after position exp10+1. */
	if (exp10 < 0) {
		mg_buf_adds(out, "0.");
		for (i = 0; i < -exp10 - 1; i++)
			mg_buf_addch(out, '0');
		mg_buf_adds(out, digits);
		return;
	}
	for (i = 0; i <= exp10 || i < nd; i++) {
		if (i == exp10 + 1)
			mg_buf_addch(out, '.');
		mg_buf_addch(out, i < nd ? digits[i] : '0');
	}
}

static void
trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

int
mg_quantity_parse_json(struct mg_quantity *q, const cJSON *v,
		       struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT;
	const char *s;
	size_t n;
	int rc;

	if (!v || cJSON_IsNull(v)) {
		mg_quantity_release(q);
		q->digits = mg_xstrdup("0");
		return 0;
	}
	if (cJSON_IsString(v)) {
		s = v->valuestring;
		n = strlen(s);
		trim(&s, &n);
		mg_buf_add(&b, s, n);
	} else if (cJSON_IsNumber(v)) {
		go_float(&b, v->valuedouble);
	} else {
		mg_quantity_release(q);
		q->digits = mg_xstrdup("0");
		return mg_err_set(err, MG_EINVAL,
				  "quantity: expected a string or a number");
	}
	rc = mg_quantity_parse(q, b.data, err);
	mg_buf_release(&b);
	return rc;
}

static const char *
decimal_suffix(int64_t e, enum mg_quantity_format fmt, char *buf, size_t n)
{
	size_t i;

	if (fmt == MG_QUANTITY_DECIMAL_EXPONENT) {
		if (e == 0)
			return "";
		snprintf(buf, n, "e%lld", (long long)e);
		return buf;
	}
	for (i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (suffixes[i].format == MG_QUANTITY_DECIMAL_SI &&
		    suffixes[i].exp == e)
			return suffixes[i].suffix;
	return ""; /* upstream quirk: no suffix at all ("1000E" is "1") */
}

static void
format_decimal(const struct mg_quantity *q, enum mg_quantity_format fmt,
	       struct mg_buf *out)
{
	size_t n = strlen(q->digits);
	int64_t e = q->exp10;
	char sbuf[32];

	/* Every factor of ten into the exponent, then floor it to 3k. */
	while (n > 1 && q->digits[n - 1] == '0') {
		n--;
		e++;
	}
	if (q->negative)
		mg_buf_addch(out, '-');
	mg_buf_add(out, q->digits, n);
	while (e % 3 != 0) {
		mg_buf_addch(out, '0');
		e--;
	}
	mg_buf_adds(out, decimal_suffix(e, fmt, sbuf, sizeof(sbuf)));
}

/* Is the value an integer, and if so (and it fits) what is it? */
static bool
as_uint64(const struct mg_quantity *q, uint64_t *v)
{
	size_t n = strlen(q->digits), i, keep;

	if (q->exp10 < 0) {
		if ((uint64_t)-q->exp10 >= n)
			return false;
		keep = n - (size_t)-q->exp10;
		for (i = keep; i < n; i++)
			if (q->digits[i] != '0')
				return false;
	} else {
		keep = n;
	}
	*v = 0;
	for (i = 0; i < keep; i++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(q->digits[i] - '0');
	}
	for (i = 0; q->exp10 > 0 && i < (uint64_t)q->exp10; i++) {
		if (*v > UINT64_MAX / 10)
			return false;
		*v *= 10;
	}
	return true;
}

void
mg_quantity_format(const struct mg_quantity *q, struct mg_buf *out)
{
	static const char *const bin[] = { "", "Ki", "Mi", "Gi",
					   "Ti", "Pi", "Ei" };
	uint64_t v;
	unsigned k = 0;

	if (q->text) {
		mg_buf_adds(out, q->text);
		return;
	}
	if (!q->digits || digits_zero(q->digits)) {
		mg_buf_addch(out, '0');
		return;
	}
	if (q->format != MG_QUANTITY_BINARY_SI ||
	    mag_cmp(q->digits, q->exp10, "1024", 0) < 0 || !as_uint64(q, &v)) {
		format_decimal(q,
			       q->format == MG_QUANTITY_BINARY_SI ?
				       MG_QUANTITY_DECIMAL_SI :
				       q->format,
			       out);
		return;
	}
	while (v >= 1024 && v % 1024 == 0 && k + 1 < ARRAY_SIZE(bin)) {
		v /= 1024;
		k++;
	}
	mg_buf_addf(out, "%s%llu%s", q->negative ? "-" : "",
		    (unsigned long long)v, bin[k]);
}

int
mg_quantity_canonical(struct mg_buf *out, const char *s, struct mg_err *err)
{
	struct mg_quantity q = MG_QUANTITY_INIT;
	int rc;

	rc = mg_quantity_parse(&q, s, err);
	if (!rc)
		mg_quantity_format(&q, out);
	mg_quantity_release(&q);
	return rc;
}

int
mg_quantity_cmp(const struct mg_quantity *a, const struct mg_quantity *b)
{
	const char *ad = a->digits ? a->digits : zero_digits;
	const char *bd = b->digits ? b->digits : zero_digits;
	int c;

	if (a->negative != b->negative)
		return a->negative ? -1 : 1;
	c = mag_cmp(ad, a->exp10, bd, b->exp10);
	return a->negative ? -c : c;
}
