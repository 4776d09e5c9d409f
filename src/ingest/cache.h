/*
 * Hot ingest state (src/ingest/cache.c): incident documents the open
 * transaction has written, and which incident collects a group, so that
 * the payloads of a batch attaching to the same incidents neither look the
 * group up nor read and parse the incident again.
 *
 * Valid only inside one outermost store transaction: the write lock is
 * held, so nothing but this context changes the store. Cleared when any
 * level rolls back and when the outermost level ends (ctx.c), so it never
 * outlives what it mirrors. Every incident write goes through
 * rootly__incident_store, which forgets the document it writes; ingest
 * puts its own back afterwards with the new revision. A stale entry could
 * at worst fail a revision check; it can never be stored.
 */
#ifndef ROOTLY_SRC_INGEST_CACHE_H
#define ROOTLY_SRC_INGEST_CACHE_H

#include "core/engine.h"

/* The cached document of incident `id`, handed over to the caller (it
 * leaves the cache), with its stored revision; NULL when not cached. */
json_t *rootly__ingest_cache_take(rootly_ctx *ctx, const char *id, int64_t *rev);
/* Cache `doc` (stolen: the cache owns the reference, or releases it when
 * it cannot keep it), exactly as stored at revision `rev`. */
void rootly__ingest_cache_give(rootly_ctx *ctx, json_t *doc, int64_t rev);
/* Drop incident `id` (it is being written by someone else). */
void rootly__ingest_cache_forget(rootly_ctx *ctx, const char *id);

/* The incident last found or declared as the newest open one collecting
 * `group_key`, or NULL. A hint: the caller checks the document. */
const char *rootly__ingest_cache_group(rootly_ctx *ctx, const char *group_key);
void rootly__ingest_cache_set_group(rootly_ctx *ctx, const char *group_key, const char *incident_id);

/* Forget everything (rollback, end of the outermost transaction). */
void rootly__ingest_cache_clear(rootly_ctx *ctx);
/* Release the cache (rootly_ctx_free). */
void rootly__ingest_cache_free(rootly_ctx *ctx);

#endif
