/*
 * kube_internal.h - what kube.c shares with kube_watch.c. Not for the
 * front-ends.
 */
#ifndef MG_KUBE_INTERNAL_H
#define MG_KUBE_INTERNAL_H

#include "kube.h"

void mg_kube_setup_handle(struct mg_kube *k, CURL *h);
int mg_kube_apply_auth(struct mg_kube *k, CURL *h, struct curl_slist **hdrs,
		       bool refresh, struct mg_err *err);
void mg_kube_free_headers(struct curl_slist *h);
const char *mg_kube_base(const struct mg_kube *k);
void mg_kube_count_request(struct mg_kube *k);
const struct mg_kube_opts *mg_kube_opts(const struct mg_kube *k);
void mg_kube_add_query(struct mg_buf *b, const char *key, const char *value);

#endif /* MG_KUBE_INTERNAL_H */
