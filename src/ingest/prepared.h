/*
 * A payload prepared for ingest (rootly_ingest_prepare): checked,
 * authenticated and parsed, not yet applied. rootly_ingest is prepare +
 * apply on a stack object; the public functions wrap the same two steps.
 */
#ifndef ROOTLY_SRC_INGEST_PREPARED_H
#define ROOTLY_SRC_INGEST_PREPARED_H

#include "core/engine.h"
#include "config/config.h"
#include "core/arena.h"

struct rootly_ingest_prepared {
	const rootly_ctx *ctx;            /* prepared for this context only */
	uint64_t config_gen;              /* ctx->config_gen when prepared */
	const rootly_source_config *src;  /* borrowed from that configuration */
	json_t *alerts;                   /* normalised alerts (owned) */
	/* Public prepares only: shallow copies of the alerts, made on the
	 * preparing thread. The first apply uses `alerts` in place (applying
	 * changes top-level members of each alert), so the context's thread
	 * copies nothing; a later apply works on a copy of these. */
	json_t *pristine;
	bool applied;                     /* `alerts` used (changed) by an apply */
	rootly__arena_spans spans;        /* where the trees lie (core/arena.h) */
};

/* Everything rootly_ingest does before it touches the store: source
 * lookup, enabled check, authentication on the raw bytes, parsing. Reads
 * only ctx->config, ctx->config_gen and the clock; records a failure in
 * the calling thread's error (rootly_error_last), never on the ctx. */
int rootly__ingest_prepare(struct rootly_ingest_prepared *p, rootly_ctx *ctx, const char *source,
	const char *body, size_t len, const rootly_kv *headers, size_t headers_count);

/* Apply p in one transaction (nested in an open batch). Without
 * p->pristine (rootly_ingest) the alerts are changed in place; with it, p
 * can be applied again (see above). Failures are not recorded on the ctx. */
int rootly__ingest_apply_prepared(rootly_ingest_result **out, rootly_ctx *ctx,
	struct rootly_ingest_prepared *p);

#endif
