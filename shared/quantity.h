/*
 * quantity.h - Kubernetes resource quantities ("100m", "1Gi", "1e3"), read
 * and written exactly as apimachinery's resource.Quantity does
 * (k8s.io/apimachinery v0.35.0, the version multigres-operator `main`
 * builds with). Reference: spec-hash.md section 5.
 *
 * Why byte-exactness matters: the Go operator decodes every quantity of a
 * Shard CR (ParseQuantity), copies it into the pods it builds, and hashes
 * their JSON (MarshalJSON). A quantity that kept its original text is
 * written back verbatim ("0100m" stays "0100m"); any other one is written
 * in canonical form ("1000Mi" stays, "1024Mi" becomes "1Gi", "0.5" becomes
 * "500m"). mg_quantity_parse + mg_quantity_format reproduce that round
 * trip; the hash of a pod is only right when they do.
 *
 * The value is held exactly (a decimal digit string and a power of ten),
 * so any quantity apimachinery accepts is representable, however long.
 *
 * Ownership: struct mg_quantity is caller-owned storage; mg_quantity_parse
 * fills it, mg_quantity_release frees what it points to (NULL-safe, and
 * safe on a zeroed struct). Errors: MG_EINVAL when Go would refuse the text
 * (the message names it and says why).
 */
#ifndef MG_QUANTITY_H
#define MG_QUANTITY_H

#include <cJSON.h>

#include "compat.h"

struct mg_buf;
struct mg_err;

/* How a quantity is written: the suffix family of the text it came from. */
enum mg_quantity_format {
	MG_QUANTITY_DECIMAL_SI,       /* "", n u m k M G T P E */
	MG_QUANTITY_BINARY_SI,        /* Ki Mi Gi Ti Pi Ei */
	MG_QUANTITY_DECIMAL_EXPONENT, /* e3, E-6 */
};

struct mg_quantity {
	bool negative;
	char *digits;  /* the magnitude, no leading zeros; "0" for zero */
	int64_t exp10; /* value = (negative ? -1 : 1) * digits * 10^exp10 */
	enum mg_quantity_format format;
	char *text;    /* the remembered original text, or NULL */
};

#define MG_QUANTITY_INIT { false, NULL, 0, MG_QUANTITY_DECIMAL_SI, NULL }

/*
 * Parses s as resource.ParseQuantity does (no surrounding blanks: callers
 * that read JSON use mg_quantity_parse_json, which trims as Go does).
 * Any earlier content of *q is released first. On error *q is the zero
 * quantity.
 *
 * Deliberate divergence: a decimal exponent beyond +-10^9 ("1e99999999999")
 * is refused; Go silently wraps it to 32 bits.
 */
int mg_quantity_parse(struct mg_quantity *q, const char *s,
		      struct mg_err *err);

/*
 * Reads a quantity from JSON as Quantity.UnmarshalJSON does: a string
 * (trimmed of blanks), null (the zero quantity), or a number. A number is
 * first written the way the API server stores it (Go's encoding of an
 * int64 or float64: 2, 0.5, 1e+21) and then parsed: cJSON keeps only the
 * double, so a number's original spelling ("1e3") is not seen. The API
 * server rewrites numbers in custom resources that way too, so objects
 * read from it agree. MG_EINVAL for any other JSON type.
 */
int mg_quantity_parse_json(struct mg_quantity *q, const cJSON *v,
			   struct mg_err *err);

void mg_quantity_release(struct mg_quantity *q);

/*
 * Appends the text Quantity.String / MarshalJSON writes (without the
 * quotes): the remembered text, else the canonical form.
 */
void mg_quantity_format(const struct mg_quantity *q, struct mg_buf *out);

/*
 * Convenience: parse s and append its formatted text to out. On error
 * out is unchanged.
 */
int mg_quantity_canonical(struct mg_buf *out, const char *s,
			  struct mg_err *err);

/* Compares the values (not the texts): <0, 0 or >0 like strcmp. */
int mg_quantity_cmp(const struct mg_quantity *a, const struct mg_quantity *b);

#endif /* MG_QUANTITY_H */
