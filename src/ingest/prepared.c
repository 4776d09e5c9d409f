/*
 * Prepared payloads: rootly_ingest split in two, so that a host can
 * authenticate and parse payloads on threads of its own and keep only the
 * store work on the context's thread (the bridge's commit worker).
 */
#include "ingest/prepared.h"
#include "ingest/apply.h"
#include "core/arena.h"

/* The alerts as a new array of shallow copies: applying sets and removes
 * top-level members of each alert (id, fingerprint, group_key,
 * routing_key...), never anything nested, so a copy of the top level
 * stays as prepare made it while the original is applied. */
static int copy_alerts(const json_t *alerts, json_t **out)
{
	size_t n = json_array_size(alerts);
	json_t *copy = json_array();
	uint64_t failed = rootly__alloc_failures();
	for (size_t i = 0; copy && i < n; i++) {
		json_t *a = json_copy(json_array_get(alerts, i));
		if (!a || json_array_append_new(copy, a) < 0) {
			json_decref(copy);
			copy = NULL;
		}
	}
	/* json_copy ignores a failed member insertion: count the failures. */
	if (copy && rootly__alloc_failures() != failed) {
		json_decref(copy);
		copy = NULL;
	}
	*out = copy;
	return copy ? 0 : rootly_error_set_oom();
}

int rootly__ingest_apply_prepared(rootly_ingest_result **out, rootly_ctx *ctx,
	struct rootly_ingest_prepared *p)
{
	json_t *alerts = p->alerts, *copy = NULL;
	int rc = 0;
	if (p->pristine && p->applied) {
		if ((rc = copy_alerts(p->pristine, &copy)) < 0)
			return rc;
		alerts = copy;
	}
	/* From here on `alerts` may be changed, also by a failed apply. */
	if (!copy)
		p->applied = true;
	rootly_ingest_result *r = rootly__calloc(1, sizeof(*r));
	if (!r) {
		json_decref(copy);
		return rootly_error_set_oom();
	}
	/* Ingest reads and writes past its own deferred incident writes
	 * (ingest/cache.h); anything else flushes them first. */
	ctx->ingest_active = true;
	rc = rootly__tx_begin(ctx);
	if (rc >= 0) {
		rc = rootly__ingest_apply(ctx, p->src, alerts, r);
		/* Everything that can fail happens before the commit: a reported
		 * failure must mean nothing was stored. */
		if (rc >= 0)
			rc = rootly__ingest_result_finish(r);
		rc = rootly__tx_end(ctx, rc);
	}
	ctx->ingest_active = false;
	json_decref(copy);
	if (rc < 0 || !out) {
		rootly_ingest_result_free(r);
		return rc < 0 ? rc : 0;
	}
	*out = r;
	return 0;
}

rootly_status rootly_ingest_prepare(rootly_ingest_prepared **out, rootly_ctx *ctx, const char *source,
	const char *body, size_t len, const rootly_kv *headers, size_t headers_count)
{
	if (!out || !ctx)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ingest_prepare: %s is NULL", out ? "ctx" : "out");
	*out = NULL;
	/* No rootly__ctx_fail here: the ctx's own error belongs to its thread
	 * (docs/threading.md); the failure is in rootly_error_last(). */
	struct rootly_ingest_prepared tmp;
	/* The trees are made here and read and freed on other threads: they
	 * come from this thread's arena chunk (core/arena.c). */
	rootly__arena_spans spans;
	rootly__arena_enter();
	rootly__arena_record(&spans);
	int rc = rootly__ingest_prepare(&tmp, ctx, source, body, len, headers, headers_count);
	rootly__arena_record(NULL);
	/* The copy for a second apply is made here, off the context's thread
	 * (not recorded: the first apply does not read it). */
	if (rc >= 0 && (rc = copy_alerts(tmp.alerts, &tmp.pristine)) < 0)
		json_decref(tmp.alerts);
	rootly__arena_leave();
	if (rc < 0) {
		rootly__arena_unpin(&spans);
		return rc;
	}
	rootly_ingest_prepared *p = rootly__calloc(1, sizeof(*p));
	if (!p) {
		json_decref(tmp.alerts);
		json_decref(tmp.pristine);
		rootly__arena_unpin(&spans);
		return rootly_error_set_oom();
	}
	*p = tmp;
	p->spans = spans;
	*out = p;
	return 0;
}

rootly_status rootly_ingest_apply_prepared(rootly_ingest_result **out, rootly_ctx *ctx,
	rootly_ingest_prepared *p)
{
	if (out)
		*out = NULL;
	if (!ctx || !p)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ingest_apply_prepared: %s is NULL", ctx ? "prepared" : "ctx"));
	if (p->ctx != ctx)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ingest_apply_prepared: the payload was prepared for another context"));
	/* The source settings the payload was checked with belong to the
	 * configuration of that time; once replaced they are freed. */
	if (p->config_gen != ctx->config_gen)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_ingest_apply_prepared: the context's configuration was replaced after the payload "
			"was prepared; prepare it again"));
	/* The first apply walks the trees prepare made on another thread. */
	if (!p->applied)
		rootly__arena_warm(&p->spans);
	/* What the apply makes comes from arena chunks too, when no code but
	 * ours runs inside it: a store of the embedder's own (and a clock,
	 * rootly_ctx_now) may free what jansson gives it with free(). */
	if (ctx->store_builtin)
		rootly__arena_enter();
	int rc = rootly__ingest_apply_prepared(out, ctx, p);
	if (ctx->store_builtin)
		rootly__arena_leave();
	return rootly__ctx_fail(ctx, rc);
}

void rootly_ingest_prepared_free(rootly_ingest_prepared *p)
{
	if (!p)
		return;
	json_decref(p->alerts);
	json_decref(p->pristine);
	rootly__arena_unpin(&p->spans);
	rootly_free(p);
}
