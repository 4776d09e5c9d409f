/*
 * Attaching to an incident the batch holds, without its document.
 *
 * In an alert storm most payloads are one new alert for an incident an
 * earlier payload of the batch already changed (a dirty entry, cache.h).
 * The usual path takes that document, notes and rewrites three of its
 * members (alert_count, alerts_active, detected_at), reads four more
 * (group_key, status, created_at, ref) and puts it back. By then the
 * document is cold: 100 incidents fed in turn push each other out of a
 * 512 KiB L2, and each member looked up costs about three cache misses
 * (a simulated 512 KiB L2 put 38 of an attached alert's 99 read misses
 * there; docs/benchmarks.md, "Session 14").
 *
 * Here the entry answers instead: a summary of what the checks read
 * (read once for each state of the document), and the attaches counted
 * beside it (rootly__cache_added) until someone needs the document:
 * taking it (rootly__ingest_cache_take), flushing it. The alert joins the
 * batch's pending alert.attached for the incident (the fold), exactly as
 * the usual path's fold would have after the payload (attach_fold.c).
 *
 * When: the entry is dirty and idle (not pending, written, superseded or
 * held by a payload, its document present), the incident open and in the
 * window, the fold empty or of the same source with times, and the first
 * incident of the group the payload came to is this one or none (the
 * usual path joins that first one: apply.c keeps each held incident's
 * place among the payload's, and takes it there when the payload needs
 * its document). Anything else takes the usual path. Rollback: a
 * payload's counts are `added_pending` until its level commits
 * (promote_one), dropped when it rolls back, and its fold appends are cut
 * at the entry's fold mark (roll_back_one).
 */
#include "ingest/cache_entry.h"
#include "ingest/state.h"

bool rootly__cache_added_any(const rootly__cache_added *a)
{
	return a->alert_count || a->alerts_active || a->detected_at;
}

void rootly__cache_summary_drop(cached_incident *e)
{
	e->summary.ok = false;
}

static bool copy_in(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

/* Read e->doc's summary. False (and no summary) when the document lacks
 * what the fast path needs to leave it as the usual path would: the three
 * members it changes present, alerts_active an integer (an incident from
 * before the count gets it on its first resolution, lifecycle.c); or when
 * its group key or ref does not fit the summary. Allocates nothing. */
bool rootly__cache_summary_read(cached_incident *e)
{
	rootly__cache_summary_drop(e);
	const json_t *doc = e->doc;
	json_t *active = json_object_get(doc, "alerts_active");
	const char *group = rootly__jstr(doc, "group_key"), *ref = rootly__jstr(doc, "ref");
	if (!json_is_integer(active) || !json_is_integer(json_object_get(doc, "alert_count")) ||
	    !json_is_integer(json_object_get(doc, "detected_at")) || !group || !ref)
		return false;
	rootly__cache_summary *s = &e->summary;
	if (!copy_in(s->group_key, sizeof(s->group_key), group) || !copy_in(s->ref, sizeof(s->ref), ref))
		return false;
	s->open = rootly__status_open(rootly__jstr(doc, "status"));
	s->created_at = rootly__jint(doc, "created_at");
	s->detected_at = rootly__jint(doc, "detected_at");
	s->ok = true;
	return true;
}

/* One counted member into doc: noted first when held. */
static int apply_member(json_t *doc, rootly__json_hold *hold, const char *key, int64_t value)
{
	if (hold && rootly__json_hold_note(hold, key) < 0)
		return rootly_error_set_oom();
	/* The member exists (summary_read): replaced in place. */
	return rootly__set_member(doc, key, json_integer(value)) < 0 ? rootly_error_set_oom() : 0;
}

int rootly__cache_added_apply(cached_incident *e, rootly__json_hold *hold)
{
	rootly__cache_added *a = hold ? &e->added_pending : &e->added;
	json_t *doc = hold ? rootly__json_hold_object(hold) : e->doc;
	int rc;
	if (a->alert_count) {
		if ((rc = apply_member(doc, hold, "alert_count", rootly__jint(doc, "alert_count") + a->alert_count)) < 0)
			return rc;
		a->alert_count = 0;
	}
	if (a->alerts_active) {
		if ((rc = apply_member(doc, hold, "alerts_active", rootly__jint(doc, "alerts_active") + a->alerts_active)) < 0)
			return rc;
		a->alerts_active = 0;
	}
	if (a->detected_at) {
		if ((rc = apply_member(doc, hold, "detected_at", a->detected_at)) < 0)
			return rc;
		e->summary.detected_at = a->detected_at;
		a->detected_at = 0;
	}
	return 0;
}

void rootly__cache_added_promote(cached_incident *e)
{
	e->added.alert_count += e->added_pending.alert_count;
	e->added.alerts_active += e->added_pending.alerts_active;
	if (e->added_pending.detected_at)
		e->added.detected_at = e->added_pending.detected_at;
	memset(&e->added_pending, 0, sizeof(e->added_pending));
}

/* The detected_at the document would have now. */
static int64_t detected_now(const cached_incident *e)
{
	if (e->added_pending.detected_at)
		return e->added_pending.detected_at;
	return e->added.detected_at ? e->added.detected_at : e->summary.detected_at;
}

bool rootly__ingest_fast_attach = true;

/* The entry of incident `id` when it is dirty and idle, its summary read,
 * and it collects `group_key` now; else NULL. */
static cached_incident *idle_collecting(struct rootly__ingest_cache *c, const char *id, const char *group_key,
	int64_t not_before)
{
	cached_incident *e = id ? rootly__strmap_get(&c->incidents, id) : NULL;
	if (!e || !rootly__cache_dirty_idle(e))
		return NULL;
	if (!e->summary.ok && !rootly__cache_summary_read(e))
		return NULL;
	if (!e->summary.open || e->summary.created_at < not_before || strcmp(e->summary.group_key, group_key) != 0)
		return NULL;
	return e;
}

bool rootly__ingest_cache_held_collects(rootly_ctx *ctx, const char *id, const char *group_key, int64_t not_before)
{
	return ctx->ingest_cache && idle_collecting(ctx->ingest_cache, id, group_key, not_before);
}

int rootly__ingest_cache_attach(rootly_ctx *ctx, const char *id, const char *group_key, int64_t not_before,
	json_t *alert, rootly_time now, const char **incident_id, const char **incident_ref)
{
	struct rootly__ingest_cache *c = ctx->ingest_cache;
	if (!rootly__ingest_fast_attach || !c || !c->deferred || !rootly__ingest_cache_may_defer(ctx))
		return 0;
	if (!id)
		id = rootly__ingest_cache_group(ctx, group_key);
	cached_incident *e = idle_collecting(c, id, group_key, not_before);
	/* The usual path would write a fold of another source first. */
	const char *source = rootly__jstr(alert, "source");
	if (!e || (e->fold.count && !(e->fold.with_at && rootly__fold_same_actor(&e->fold, source))) ||
	    (e->fold_pending.count && !rootly__fold_same_actor(&e->fold_pending, source)))
		return 0;
	/* As rootly__link_alert does for a new alert: until the fold takes
	 * it, a failure changes nothing here. */
	if (rootly__set_member(alert, "incident_id", json_string_nocheck(e->id)) < 0)
		return rootly_error_set_oom();
	/* with its time, as rootly__fold_add keeps an attach that may wait */
	int rc = rootly__fold_push(&e->fold_pending, alert, source, now, true);
	if (rc < 0)
		return rc; /* the payload fails: its rollback drops fold_pending */
	int64_t starts = rootly__jint(alert, "starts_at");
	e->added_pending.alert_count++;
	e->added_pending.alerts_active++;
	if (starts > 0 && starts < detected_now(e))
		e->added_pending.detected_at = starts;
	e->used = c->tick;
	rootly__cache_pend_add(c, e);
	*incident_id = e->id;
	*incident_ref = e->summary.ref;
	return 1;
}

int rootly__ingest_cache_payload_end(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = ctx->ingest_cache;
	for (size_t i = 0; c && i < c->npend; i++) {
		cached_incident *e = c->pend[i];
		/* after the batch's, as rootly__ingest_cache_defer joins them */
		int rc = e->fold_pending.count ? rootly__fold_merge(&e->fold, &e->fold_pending) : 0;
		if (rc < 0)
			return rc;
	}
	return 0;
}

bool rootly__ingest_cache_take_attached(rootly_ctx *ctx, const char *id, rootly__fold *into)
{
	struct rootly__ingest_cache *c = ctx->ingest_cache;
	cached_incident *e = c && id ? rootly__strmap_get(&c->incidents, id) : NULL;
	if (!e || !e->fold_pending.count)
		return false;
	rootly__fold_release(into); /* empty: a payload takes a document once */
	*into = e->fold_pending;
	memset(&e->fold_pending, 0, sizeof(e->fold_pending));
	return true;
}
