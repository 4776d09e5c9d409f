/*
 * The context's view of its store while ingest defers incident writes
 * (ingest/cache.h): every call is forwarded to the real backend, but a
 * call from anything other than ingest first writes the dirty incidents,
 * so no reader or writer ever sees an incident older than the alerts and
 * timeline events already stored for it. Opening a transaction flushes
 * too: the flush then lands at the level that holds the earlier payloads,
 * not inside an operation that may roll back.
 *
 * rollback, commit and free never flush: tx_end decides what a commit or
 * rollback does with dirty entries (core/ctx.c).
 */
#include "ingest/defer_store.h"
#include "ingest/cache.h"

typedef struct defer_store {
	rootly_store base;
	rootly_store *inner;
	rootly_ctx *ctx;
	int depth;       /* open transaction levels */
	int flush_depth; /* the level a flush wrote in, until it ends; 0: none */
} defer_store;

/* Write the dirty incidents at the current level. In a level above the
 * batch's, the writes are confirmed or undone with that level (an
 * operation that fails leaves the store as it found it); at the batch's
 * own level only the batch's end can undo them, and then the whole cache
 * goes. */
static int settle(defer_store *d)
{
	rootly_ctx *ctx = d->ctx;
	if (ctx->ingest_active || !rootly__ingest_cache_dirty(ctx))
		return 0;
	ctx->ingest_active = true; /* the flush's own writes pass straight through */
	int rc = rootly__ingest_cache_flush(ctx, d->depth > 1);
	ctx->ingest_active = false;
	if (d->depth <= 1)
		rootly__ingest_cache_confirm_written(ctx);
	else if (!d->flush_depth)
		d->flush_depth = d->depth;
	return rc;
}

#define INNER(st) (((defer_store *)(st))->inner)
#define SETTLE(st) do { int src_ = settle((defer_store *)(st)); if (src_ < 0) return src_; } while (0)

static void level_ended(defer_store *d, bool committed)
{
	if (d->flush_depth && d->depth == d->flush_depth) {
		if (committed)
			rootly__ingest_cache_confirm_written(d->ctx);
		else
			rootly__ingest_cache_undo_written(d->ctx);
		d->flush_depth = 0;
	}
	d->depth--;
}

static rootly_status d_begin(rootly_store *st)
{
	defer_store *d = (defer_store *)st;
	int rc = d->inner->begin(d->inner);
	if (rc < 0)
		return rc;
	d->depth++;
	/* Under the write lock now: the ingest cache checks what it kept
	 * from the last transaction against other connections' commits. */
	if (d->depth == 1)
		rootly__ingest_cache_began(d->ctx);
	/* Inside the new level: if the operation fails, its rollback takes
	 * the flush's writes with it and the entries are dirty again. */
	if ((rc = settle(d)) < 0) {
		rootly__saved_error saved;
		rootly__error_save(&saved);
		d->inner->rollback(d->inner);
		level_ended(d, false);
		rootly__error_restore(&saved);
	}
	return rc;
}

static rootly_status d_commit(rootly_store *st)
{
	defer_store *d = (defer_store *)st;
	int rc = d->inner->commit(d->inner);
	if (rc >= 0) /* on failure the level stays open (store.h) */
		level_ended(d, true);
	return rc;
}

static rootly_status d_commit_deferred(rootly_store *st, uint64_t *token)
{
	defer_store *d = (defer_store *)st;
	int rc = d->inner->commit_deferred(d->inner, token);
	if (rc >= 0)
		level_ended(d, true);
	return rc;
}

/* Any thread (store.h): touches nothing of the wrapper's. */
static rootly_status d_sync(rootly_store *st, uint64_t token)
{
	rootly_store *inner = INNER(st);
	return inner->sync(inner, token);
}

static rootly_status d_rollback(rootly_store *st)
{
	defer_store *d = (defer_store *)st;
	int rc = d->inner->rollback(d->inner);
	/* The whole transaction undone: nothing the ingest cache holds can be
	 * trusted (tx_end clears it too; this covers every other path). */
	if (d->depth == 1)
		rootly__ingest_cache_clear(d->ctx);
	if (d->depth > 0)
		level_ended(d, false);
	return rc;
}

static rootly_status d_record_get(rootly_store *st, const char *collection, const char *id,
	rootly_record_cb cb, void *payload)
{
	SETTLE(st);
	return INNER(st)->record_get(INNER(st), collection, id, cb, payload);
}

static rootly_status d_record_put(rootly_store *st, const char *collection, const rootly_record *rec,
	int64_t expected_revision, int64_t *new_revision)
{
	SETTLE(st);
	return INNER(st)->record_put(INNER(st), collection, rec, expected_revision, new_revision);
}

static rootly_status d_record_delete(rootly_store *st, const char *collection, const char *id)
{
	SETTLE(st);
	return INNER(st)->record_delete(INNER(st), collection, id);
}

static rootly_status d_record_find(rootly_store *st, const char *collection, const rootly_record_query *q,
	rootly_record_cb cb, void *payload)
{
	SETTLE(st);
	return INNER(st)->record_find(INNER(st), collection, q, cb, payload);
}

static rootly_status d_stream_append(rootly_store *st, const char *stream, int64_t seq, const char *data,
	size_t len)
{
	SETTLE(st);
	return INNER(st)->stream_append(INNER(st), stream, seq, data, len);
}

static rootly_status d_stream_read(rootly_store *st, const char *stream, int64_t from_seq, size_t max,
	rootly_stream_cb cb, void *payload)
{
	SETTLE(st);
	return INNER(st)->stream_read(INNER(st), stream, from_seq, max, cb, payload);
}

static rootly_status d_stream_last(rootly_store *st, const char *stream, int64_t *seq_out)
{
	SETTLE(st);
	return INNER(st)->stream_last(INNER(st), stream, seq_out);
}

static rootly_status d_sequence_next(rootly_store *st, const char *name, int64_t *value_out)
{
	SETTLE(st);
	return INNER(st)->sequence_next(INNER(st), name, value_out);
}

static rootly_status d_check(rootly_store *st)
{
	SETTLE(st);
	return INNER(st)->check ? INNER(st)->check(INNER(st)) : 0;
}

static void d_free(rootly_store *st)
{
	if (!st)
		return;
	INNER(st)->free(INNER(st));
	rootly_free(st);
}

rootly_store *rootly__ctx_backend(rootly_ctx *ctx)
{
	return ((defer_store *)ctx->store)->inner;
}

int rootly__defer_store_wrap(rootly_ctx *ctx, rootly_store *inner, rootly_store **out)
{
	defer_store *d = rootly__calloc(1, sizeof(*d));
	if (!d)
		return rootly_error_set_oom();
	d->base.version = ROOTLY_STORE_VERSION;
	d->base.flags = inner->flags;
	d->base.name = inner->name;
	d->base.begin = d_begin;
	d->base.commit = d_commit;
	d->base.rollback = d_rollback;
	d->base.record_get = d_record_get;
	d->base.record_put = d_record_put;
	d->base.record_delete = d_record_delete;
	d->base.record_find = d_record_find;
	d->base.stream_append = d_stream_append;
	d->base.stream_read = d_stream_read;
	d->base.stream_last = d_stream_last;
	d->base.sequence_next = d_sequence_next;
	d->base.check = inner->check ? d_check : NULL;
	d->base.free = d_free;
	if (inner->version >= 2) {
		d->base.commit_deferred = inner->commit_deferred ? d_commit_deferred : NULL;
		d->base.sync = inner->sync ? d_sync : NULL;
	}
	d->inner = inner;
	d->ctx = ctx;
	*out = &d->base;
	return 0;
}
