#ifndef ROOTLY_SRC_INGEST_AUTH_H
#define ROOTLY_SRC_INGEST_AUTH_H

#include "config/config.h"

/* Check a request's credentials for a configured source, on the raw body,
 * before anything is parsed. 0, ROOTLY_EAUTH (message says why, never the
 * expected value) or ROOTLY_EINVALID (unusable settings). */
int rootly__ingest_authenticate(const rootly_source_config *src, const rootly_kv *headers, size_t n,
	const char *body, size_t len, rootly_time now);

#endif
