/*
 * Folding attaches: the alerts that join the same incident become ONE
 * alert.attached event, not one each -- a group notification of 100 alerts
 * hashes, writes and stores one event, not 100 (the body: fold.h).
 *
 * A payload's attaches wait in its touched incident. At the end of the
 * payload they are written, or, when the incident's write is deferred
 * inside a batch (cache.h), they join the batch's pending attaches for the
 * incident and become one event when the incident is flushed: so a
 * thousand one-alert payloads attaching to one incident write one event.
 *
 * Order: the pending attaches of an incident (the batch's first, then the
 * payload's) are written before any other event of that incident
 * (rootly__ingest_event, refires, an alert of another source); anything
 * else touching the store flushes the deferred incidents first. A failed
 * payload drops its own: they were its own buffers, or appends to the
 * batch's that its level's rollback truncates.
 */
#include "ingest/cache.h"
#include "ingest/state.h"
#include "timeline/append.h"

void rootly__fold_dispose(touched *t)
{
	rootly__fold_release(&t->fold);
}

/* The batch's pending attaches for t's incident, written now onto t's
 * copy of it (the event's time: when its last alert was received). */
static int flush_batch(apply_state *st, touched *t)
{
	const rootly__fold *f = rootly__ingest_cache_fold(st->ctx, t->doc);
	if (!f)
		return 0;
	int rc = rootly__fold_append(st->ctx, t->doc, f, f->last_at);
	if (rc < 0)
		return rc;
	t->dirty = true;
	rootly__ingest_cache_fold_taken(st->ctx, rootly__jstr(t->doc, "id"));
	return 0;
}

int rootly__fold_add(apply_state *st, touched *t, const json_t *alert)
{
	const char *source = rootly__jstr(alert, "source");
	/* The event's actor is the source: alerts from another one (not within
	 * one payload today; across a batch's payloads, possibly) start their
	 * own event. */
	int rc;
	if (t->fold.count && !rootly__fold_same_actor(&t->fold, source) && (rc = rootly__fold_flush(st, t)) < 0)
		return rc;
	if (t->fold.count == 0) {
		const rootly__fold *batch = rootly__ingest_cache_fold(st->ctx, t->doc);
		if (batch && !rootly__fold_same_actor(batch, source) && (rc = flush_batch(st, t)) < 0)
			return rc;
	}
	/* Only attaches that may wait for later payloads' (an incident in
	 * the store whose write a batch defers: cache.h) need their own time. */
	bool with_at = t->rev > 0 && rootly__ingest_cache_may_defer(st->ctx);
	return rootly__fold_push(&t->fold, alert, source, st->now, with_at);
}

int rootly__fold_flush(apply_state *st, touched *t)
{
	int rc = flush_batch(st, t);
	if (rc < 0 || t->fold.count == 0)
		return rc;
	t->dirty = true;
	rc = rootly__fold_append(st->ctx, t->doc, &t->fold, 0);
	rootly__fold_release(&t->fold);
	return rc;
}
