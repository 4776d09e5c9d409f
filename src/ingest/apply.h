#ifndef ROOTLY_SRC_INGEST_APPLY_H
#define ROOTLY_SRC_INGEST_APPLY_H

#include <jansson.h>

#include "config/config.h"
#include "ingest/result.h"

/* Apply an array of normalized alerts (docs/data-model.md, `alert`, without
 * id) inside the caller's transaction, adding one row per alert to result.
 * `src` (may be NULL) is the configured source: grouping and windows; the
 * context's configuration supplies routes, silences and severities. */
int rootly__ingest_apply(rootly_ctx *ctx, const rootly_source_config *src, json_t *alerts,
	rootly_ingest_result *result);

#endif
