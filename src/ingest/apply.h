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

/* *active = how many alerts of incident `incident_id` are firing or
 * acknowledged, read from the alerts (the store's errors). */
int rootly__alerts_active_count(rootly_ctx *ctx, const char *incident_id, int64_t *active);

/* The incident document `inc`'s "alerts_active" against its alerts:
 * ROOTLY_ECORRUPT naming the incident and both numbers when they differ
 * (an incident from before that count has none, and passes). For
 * rootly_ctx_check. */
int rootly__ingest_check_active(rootly_ctx *ctx, const json_t *inc);

#endif
