/*
 * The store a context works through (src/ingest/defer_store.c): the
 * backend, with dirty ingest incidents written before anything but
 * ingest touches it.
 */
#ifndef ROOTLY_SRC_INGEST_DEFER_STORE_H
#define ROOTLY_SRC_INGEST_DEFER_STORE_H

#include "core/engine.h"

/* Wrap `inner` for `ctx`. On success *out owns `inner` (its free frees
 * both); on failure (ROOTLY_ENOMEM) the caller still owns `inner`. */
int rootly__defer_store_wrap(rootly_ctx *ctx, rootly_store *inner, rootly_store **out);
/* The backend under ctx->store (tests that arm a fault wrapper). */
rootly_store *rootly__ctx_backend(rootly_ctx *ctx);

#endif
