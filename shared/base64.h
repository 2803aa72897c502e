/*
 * base64.h - standard base64 (RFC 4648 §4, padded), as Kubernetes encodes
 * []byte fields in JSON and as etcd's JSON gateway encodes keys and values.
 */
#ifndef MG_BASE64_H
#define MG_BASE64_H

#include "compat.h"

struct mg_buf;

/* Appends the encoding of len bytes to out. */
void mg_base64_encode(struct mg_buf *out, const void *data, size_t len);

/*
 * Appends the decoded bytes of s to out. Line breaks are skipped (Go's
 * decoder does the same); anything else that is not base64, or a missing
 * pad, is MG_EPARSE (the caller names the field).
 */
int mg_base64_decode(struct mg_buf *out, const char *s, size_t len);

#endif /* MG_BASE64_H */
