#ifndef ROOTLY_SRC_INGEST_APPLY_H
#define ROOTLY_SRC_INGEST_APPLY_H

#include <jansson.h>

#include "ingest/result.h"

/* Apply an array of normalized alerts (docs/data-model.md, `alert`, without
 * id) inside the caller's transaction, adding one row per alert to result. */
int rootly__ingest_apply(rootly_ctx *ctx, json_t *alerts, rootly_ingest_result *result);

#endif
