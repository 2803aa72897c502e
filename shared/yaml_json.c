#include "compat.h"
#include "yaml_json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <yaml.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

/* Documents are small; this only stops a hostile alias bomb. */
#define MAX_DEPTH 256

/* --- scalar typing -------------------------------------------------- */

static bool
is_one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

/* YAML 1.1's words, as kubectl's YAML reader (go-yaml v2) takes them. */
static const char *const true_words[] = { "true", "True", "TRUE", "yes",
					  "Yes", "YES", "on", "On", "ON",
					  "y", "Y", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", "no",
					   "No", "NO", "off", "Off", "OFF",
					   "n", "N", NULL };
static const char *const null_words[] = { "", "~", "null", "Null", "NULL",
					  NULL };

/* A number as YAML would read it: decimal or 0x integers, decimal floats. */
static bool
parse_number(const char *s, double *out)
{
	char *end;
	const char *p = s;

	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		unsigned long long v;

		if (!p[2])
			return false;
		errno = 0;
		v = strtoull(p + 2, &end, 16);
		if (errno || *end)
			return false;
		*out = *s == '-' ? -(double)v : (double)v;
		return true;
	}
	/* Digits, one dot, an exponent: nothing else (no inf, nan, hex
	 * floats, which strtod would take). */
	for (const char *q = p; *q; q++) {
		if (!strchr("0123456789.eE+-", *q))
			return false;
	}
	if (!strchr("0123456789.", *p) || (*p == '.' && !p[1]))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && end != s;
}

static cJSON *
plain_scalar(const char *s)
{
	double d;

	if (is_one_of(s, null_words))
		return cJSON_CreateNull();
	if (is_one_of(s, true_words))
		return cJSON_CreateTrue();
	if (is_one_of(s, false_words))
		return cJSON_CreateFalse();
	if (parse_number(s, &d))
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(s);
}

/* --- parse ------------------------------------------------------------ */

static int
convert(cJSON **out, yaml_document_t *doc, yaml_node_t *node, int depth,
	const char *what, struct mg_err *err)
{
	yaml_node_item_t *item;
	yaml_node_pair_t *pair;
	cJSON *obj = NULL, *child = NULL;
	int rc = 0;

	*out = NULL;
	if (depth > MAX_DEPTH)
		return mg_err_set(err, MG_EPARSE, "%s: nested too deeply at line %zu",
				  what, node->start_mark.line + 1);
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)node->data.scalar.value;

		/* libyaml's loader gives untagged scalars the str tag, so an
		 * explicit !!str on a plain scalar cannot be told apart: plain
		 * scalars are typed, quoted and block scalars are strings. */
		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			obj = plain_scalar(v);
		else
			obj = cJSON_CreateString(v);
		break;
	}
	case YAML_SEQUENCE_NODE:
		obj = cJSON_CreateArray();
		for (item = node->data.sequence.items.start;
		     item < node->data.sequence.items.top; item++) {
			rc = convert(&child, doc, yaml_document_get_node(doc, *item),
				     depth + 1, what, err);
			if (rc)
				goto out;
			cJSON_AddItemToArray(obj, child);
		}
		break;
	case YAML_MAPPING_NODE:
		obj = cJSON_CreateObject();
		for (pair = node->data.mapping.pairs.start;
		     pair < node->data.mapping.pairs.top; pair++) {
			yaml_node_t *k = yaml_document_get_node(doc, pair->key);
			const char *key;

			if (!k || k->type != YAML_SCALAR_NODE) {
				rc = mg_err_set(err, MG_EPARSE,
						"%s: line %zu: a mapping key must be a scalar",
						what, node->start_mark.line + 1);
				goto out;
			}
			key = (const char *)k->data.scalar.value;
			if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
				rc = mg_err_set(err, MG_EPARSE,
						"%s: line %zu: key '%s' appears twice",
						what, k->start_mark.line + 1, key);
				goto out;
			}
			rc = convert(&child, doc,
				     yaml_document_get_node(doc, pair->value),
				     depth + 1, what, err);
			if (rc)
				goto out;
			cJSON_AddItemToObject(obj, key, child);
		}
		break;
	default:
		obj = cJSON_CreateNull();
	}
	*out = obj;
	obj = NULL;
out:
	cJSON_Delete(obj);
	return rc;
}

static int
parser_error(yaml_parser_t *p, const char *what, struct mg_err *err)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	return mg_err_set(err, MG_EPARSE, "%s: line %zu column %zu: %s%s%s",
			  what, m->line + 1, m->column + 1,
			  p->problem ? p->problem : "invalid YAML",
			  p->context ? " " : "", p->context ? p->context : "");
}

static int
parse_stream(cJSON **out, const char *data, size_t len, const char *what,
	     bool all, struct mg_err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	cJSON *docs = cJSON_CreateArray(), *one = NULL;
	int rc = 0;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		MG_BUG("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			rc = parser_error(&parser, what, err);
			goto out;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		rc = convert(&one, &doc, root, 0, what, err);
		yaml_document_delete(&doc);
		if (rc)
			goto out;
		if (!all) {
			*out = one;
			goto out;
		}
		if (cJSON_IsNull(one))
			cJSON_Delete(one);
		else
			cJSON_AddItemToArray(docs, one);
		one = NULL;
	}
	if (all) {
		*out = docs;
		docs = NULL;
	} else {
		*out = cJSON_CreateNull();
	}
out:
	yaml_parser_delete(&parser);
	cJSON_Delete(docs);
	return rc;
}

int
mg_yaml_parse(cJSON **out, const char *data, size_t len, const char *what,
	      struct mg_err *err)
{
	return parse_stream(out, data, len, what, false, err);
}

int
mg_yaml_parse_all(cJSON **out, const char *data, size_t len,
		  const char *what, struct mg_err *err)
{
	return parse_stream(out, data, len, what, true, err);
}

/* --- emit ------------------------------------------------------------- */

static int
write_handler(void *data, unsigned char *bytes, size_t size)
{
	return mg_buf_add(data, bytes, size) == 0;
}

/*
 * A YAML 1.1 reader (PyYAML, go-yaml v2) takes "2026-08-22", "2026-8-2"
 * or "2026-08-22T12:00:00Z" unquoted for a timestamp: quoted, as kubectl
 * prints creationTimestamp, they stay strings. Any string that starts
 * like one of them is quoted.
 */
static bool
looks_like_timestamp(const char *s)
{
	int i, n;

	for (i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	for (int part = 0; part < 2; part++) {
		if (s[i++] != '-')
			return false;
		for (n = 0; n < 2 && isdigit((unsigned char)s[i]); n++)
			i++;
		if (!n)
			return false;
	}
	return !s[i] || strchr("Tt \t", s[i]);
}

static bool
needs_quotes(const char *s)
{
	cJSON *as = plain_scalar(s);
	bool q = !cJSON_IsString(as) || looks_like_timestamp(s);

	cJSON_Delete(as);
	return q;
}

static int
emit_scalar(yaml_emitter_t *em, const char *tag, const char *v,
	    yaml_scalar_style_t style)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)(uintptr_t)tag,
				     (yaml_char_t *)(uintptr_t)v,
				     (int)strlen(v), 1, 1, style);
	return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int
emit_string(yaml_emitter_t *em, const char *s)
{
	yaml_scalar_style_t st = YAML_ANY_SCALAR_STYLE;

	if (needs_quotes(s))
		st = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else if (strchr(s, '\n'))
		st = YAML_LITERAL_SCALAR_STYLE;
	return emit_scalar(em, YAML_STR_TAG, s, st);
}

static void
format_number(char *out, size_t n, double d)
{
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(out, n, "%.0f", d);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, n, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static int
emit_node(yaml_emitter_t *em, const cJSON *it, int depth)
{
	yaml_event_t ev;
	const cJSON *c;

	if (depth > MAX_DEPTH)
		return -1;
	if (cJSON_IsObject(it)) {
		yaml_mapping_start_event_initialize(&ev, NULL,
			(yaml_char_t *)(uintptr_t)YAML_MAP_TAG, 1,
			YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return -1;
		cJSON_ArrayForEach(c, it) {
			if (emit_string(em, c->string) ||
			    emit_node(em, c, depth + 1))
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	if (cJSON_IsArray(it)) {
		yaml_sequence_start_event_initialize(&ev, NULL,
			(yaml_char_t *)(uintptr_t)YAML_SEQ_TAG, 1,
			cJSON_GetArraySize(it) ? YAML_BLOCK_SEQUENCE_STYLE
					       : YAML_FLOW_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return -1;
		cJSON_ArrayForEach(c, it) {
			if (emit_node(em, c, depth + 1))
				return -1;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	if (cJSON_IsString(it))
		return emit_string(em, it->valuestring);
	if (cJSON_IsNumber(it)) {
		char num[64];

		format_number(num, sizeof(num), it->valuedouble);
		return emit_scalar(em, YAML_INT_TAG, num,
				   YAML_PLAIN_SCALAR_STYLE);
	}
	if (cJSON_IsBool(it))
		return emit_scalar(em, YAML_BOOL_TAG,
				   cJSON_IsTrue(it) ? "true" : "false",
				   YAML_PLAIN_SCALAR_STYLE);
	return emit_scalar(em, YAML_NULL_TAG, "null", YAML_PLAIN_SCALAR_STYLE);
}

int
mg_yaml_emit(struct mg_buf *out, const cJSON *item, struct mg_err *err)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int rc = 0;

	if (!yaml_emitter_initialize(&em))
		MG_BUG("yaml_emitter_initialize");
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_indent(&em, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(&em, &ev))
		goto fail;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(&em, &ev))
		goto fail;
	if (emit_node(&em, item, 0))
		goto fail;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(&em, &ev))
		goto fail;
	yaml_stream_end_event_initialize(&ev);
	if (!yaml_emitter_emit(&em, &ev) || !yaml_emitter_flush(&em))
		goto fail;
	goto out;
fail:
	rc = mg_err_set(err, em.error == YAML_WRITER_ERROR ? MG_ETOOBIG : MG_EINVAL,
			"cannot emit YAML: %s",
			em.problem ? em.problem : "nested too deeply");
out:
	yaml_emitter_delete(&em);
	return rc;
}
