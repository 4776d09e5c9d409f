/* Hot ingest state: see cache.h for what it holds and when it is valid. */
#include "ingest/cache.h"
#include "ingest/cache_entry.h"
#include "config/config.h"
#include "ingest/defer_store.h"
#include "store/backends.h"
#include "store/strmap.h"
#include "timeline/append.h"
#include "util/jsonhold.h"
#include "util/jsonsnap.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

static struct rootly__ingest_cache *cache_of(rootly_ctx *ctx, bool create)
{
	if (!ctx->ingest_cache && create)
		ctx->ingest_cache = rootly__calloc(1, sizeof(*ctx->ingest_cache));
	return ctx->ingest_cache;
}

static void incident_free(cached_incident *c)
{
	if (!c)
		return;
	json_decref(c->pending);
	json_decref(c->doc);
	json_decref(c->fold_tl);
	rootly__fold_release(&c->fold);
	rootly__fold_release(&c->fold_taken);
	rootly__fold_release(&c->fold_pending);
	rootly__json_hold_free(c->hold);
	rootly_free(c->snapshot);
	rootly_free(c->id);
	rootly_free(c);
}

static void hint_free(group_hint *h)
{
	if (!h)
		return;
	rootly_free(h->group_key);
	rootly_free(h->incident_id);
	rootly_free(h);
}

/* The counters follow every state change: count out, change, count in. */
static void count(struct rootly__ingest_cache *c, const cached_incident *e, int sign)
{
	if (e->dirty || e->pending)
		c->deferred += (size_t)sign;
	if (e->dirty && !e->written)
		c->unflushed += (size_t)sign;
}

void rootly__cache_pend_add(struct rootly__ingest_cache *c, cached_incident *e)
{
	for (size_t i = 0; i < c->npend; i++)
		if (c->pend[i] == e)
			return;
	/* Never full: an entry is listed once and there are at most CACHE_MAX. */
	if (c->npend < CACHE_MAX)
		c->pend[c->npend++] = e;
}

static void pend_remove(struct rootly__ingest_cache *c, const cached_incident *e)
{
	for (size_t i = 0; i < c->npend; i++)
		if (c->pend[i] == e) {
			c->pend[i] = c->pend[--c->npend];
			return;
		}
}

/* e's hold is off the list searched by rootly__ingest_cache_note. */
static void held_remove(struct rootly__ingest_cache *c, const cached_incident *e)
{
	for (size_t i = 0; i < c->nheld; i++)
		if (c->held[i] == e) {
			c->held[i] = c->held[--c->nheld];
			return;
		}
}

static void remove_entry(struct rootly__ingest_cache *c, cached_incident *e)
{
	pend_remove(c, e);
	held_remove(c, e);
	count(c, e, -1);
	rootly__strmap_remove(&c->incidents, e->id);
	incident_free(e);
}

/* Visit every entry; fn may remove the one it is given (the map moves
 * slots on removal, so the walk starts over then; at most 128 entries). */
static void each_entry(struct rootly__ingest_cache *c, bool (*fn)(struct rootly__ingest_cache *, cached_incident *))
{
	for (size_t i = 0; c && c->incidents.count && i < c->incidents.cap; i++) {
		cached_incident *e = c->incidents.slots[i].key ? c->incidents.slots[i].value : NULL;
		if (e && fn(c, e))
			i = (size_t)-1;
	}
}

/* Whether a payload holds e's doc with a way back (the snapshot of
 * debug builds never exists without the hold). */
static bool has_undo(const cached_incident *e)
{
	return e->hold != NULL;
}

/* Let the undo record go (the payload's level ended). Debug builds check
 * the hold against the snapshot taken with it: a change nobody noted
 * would have made a rollback restore something else. */
static void drop_undo(struct rootly__ingest_cache *c, cached_incident *e)
{
#ifndef NDEBUG
	if (e->hold && e->snapshot) {
		json_t *held = rootly__json_hold_rebuild(e->hold);
		json_t *snap = rootly__json_unsnap(e->snapshot, e->snapshot_len);
		if (held && snap && !json_equal(held, snap)) {
			fprintf(stderr, "ingest cache: a member of held incident %s changed without "
				"rootly__ingest_cache_note (util/jsonhold.h)\n", e->id);
			abort();
		}
		json_decref(held);
		json_decref(snap);
	}
#endif
	if (e->hold)
		held_remove(c, e);
	rootly__json_hold_free(e->hold);
	e->hold = NULL;
	rootly_free(e->snapshot);
	e->snapshot = NULL;
}

int rootly__ingest_cache_note(rootly_ctx *ctx, const json_t *doc, const char *key)
{
	struct rootly__ingest_cache *c = ctx ? ctx->ingest_cache : NULL;
	for (size_t i = 0; c && i < c->nheld; i++)
		if (rootly__json_hold_object(c->held[i]->hold) == doc)
			return rootly__json_hold_note(c->held[i]->hold, key) < 0 ? rootly_error_set_oom() : 0;
	return 0;
}

int rootly__ingest_cache_take(rootly_ctx *ctx, const char *id, json_t **doc, int64_t *rev)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	*doc = NULL;
	cached_incident *e = c && id ? rootly__strmap_get(&c->incidents, id) : NULL;
	if (!e || e->superseded)
		return 0; /* the store answers */
	if (rootly__cache_dirty_idle(e)) {
		/* The attaches counted beside the document go into it: the
		 * earlier payloads' before the hold (they stand whatever this
		 * payload does), the open payload's after it, noted. */
		int rc = rootly__cache_added_apply(e, NULL);
		if (rc < 0)
			return rc;
		/* The payload may fail half-way: the entry keeps the state of
		 * the operations before it, as a hold of the document (the
		 * payload notes each member before it changes it, and copies a
		 * noted one before changing it in place). Out of memory for the
		 * hold's one small block, the payload fails: a snapshot instead
		 * (a third of the JSON text) would need more, and a fallback
		 * that rarely runs hid every later allocation of the payload
		 * from the fault-injection tests. Debug builds take a snapshot
		 * too, to check the hold against. */
		if (!(e->hold = rootly__json_hold_take(e->doc)))
			return rootly_error_set_oom();
		c->held[c->nheld++] = e; /* never full: one per entry */
#ifndef NDEBUG
		if (!(e->snapshot = rootly__json_snap(e->doc, &e->snapshot_len))) {
			drop_undo(c, e);
			return rootly_error_set_oom();
		}
#endif
		if ((rc = rootly__cache_added_apply(e, e->hold)) < 0) {
			/* The payload fails; half applied, doc is no state to keep:
			 * its rollback rebuilds it from the hold (roll_back_one). */
			json_decref(e->doc);
			e->doc = NULL;
			return rc;
		}
		rootly__cache_summary_drop(e);
		*doc = e->doc;
		*rev = e->rev;
		e->doc = NULL;
		return 0;
	}
	/* Counted attaches exist only beside a dirty idle entry (above). */
	assert(!rootly__cache_added_any(&e->added) && !rootly__cache_added_any(&e->added_pending));
	if (e->dirty || e->pending || e->written || has_undo(e)) {
		json_t *copy = e->pending || e->doc ? json_deep_copy(e->pending ? e->pending : e->doc) : NULL;
		if (!copy)
			return rootly_error_set_oom();
		*doc = copy;
		*rev = e->written ? e->written_rev : e->rev;
		e->used = c->tick;
		return 0;
	}
	rootly__strmap_remove(&c->incidents, id);
	*doc = e->doc;
	*rev = e->rev;
	e->doc = NULL;
	incident_free(e);
	return 0;
}

/* A new clean entry for `doc` (stolen on success). */
static cached_incident *new_entry(struct rootly__ingest_cache *c, json_t *doc, int64_t rev)
{
	const char *id = rootly__jstr(doc, "id");
	cached_incident *e = NULL;
	if (!c || !id || c->incidents.count >= CACHE_MAX || !rootly__strmap_reserve(&c->incidents, 1) ||
	    !(e = rootly__calloc(1, sizeof(*e))) || !(e->id = rootly__strdup(id))) {
		rootly_free(e);
		return NULL;
	}
	e->doc = doc;
	e->rev = rev;
	e->used = c->tick;
	rootly__strmap_put(&c->incidents, e->id, e);
	return e;
}

void rootly__ingest_cache_give(rootly_ctx *ctx, json_t *doc, int64_t rev)
{
	struct rootly__ingest_cache *c = cache_of(ctx, true);
	cached_incident *old = c ? rootly__strmap_get(&c->incidents, rootly__jstr(doc, "id")) : NULL;
	if (old && !old->doc && has_undo(old) && !old->pending) {
		/* taken, and handed back unchanged */
		old->doc = doc;
		old->used = c->tick;
		drop_undo(c, old);
		return;
	}
	if (old && (old->dirty || old->pending || old->written || has_undo(old))) {
		json_decref(doc); /* a copy of it: the entry is newer than the store */
		return;
	}
	if (old)
		remove_entry(c, old);
	if (!new_entry(c, doc, rev))
		json_decref(doc); /* not cached: the store answers next time */
}

bool rootly__ingest_cache_may_defer(const rootly_ctx *ctx)
{
	return ctx->batch_open && !(ctx->config && ctx->config->workflows);
}

int rootly__ingest_cache_defer(rootly_ctx *ctx, json_t *doc, int64_t rev, rootly__fold *fold)
{
	/* Only incidents already in the store: a new one is written at once,
	 * so that every incident a group lookup can need is in the store's
	 * group index (the document, here, has the latest status). */
	if (!rootly__ingest_cache_may_defer(ctx) || rev <= 0)
		return 0;
	if (fold && fold->count && !fold->with_at)
		return 0; /* built as a payload's own event (attach_fold.c): written now */
	struct rootly__ingest_cache *c = cache_of(ctx, true);
	if (!c)
		return 0;
	cached_incident *e = rootly__strmap_get(&c->incidents, rootly__jstr(doc, "id"));
	if (!e) {
		e = new_entry(c, json_incref(doc), rev);
		if (!e) {
			json_decref(doc);
			return 0; /* no room: written now */
		}
		/* no committed state of its own: the store's (rev) stands until
		 * the payload's level commits */
		json_decref(e->doc);
		e->doc = NULL;
	}
	/* The payload's attaches after the batch's (same source: attach_fold.c
	 * wrote the batch's first otherwise). Appended in place: a rollback
	 * truncates them away (roll_back_one). */
	if (fold && fold->count) {
		int rc = rootly__fold_merge(&e->fold, fold);
		if (rc < 0)
			return rc;
	}
	count(c, e, -1);
	json_decref(e->pending);
	e->pending = doc;
	count(c, e, +1);
	rootly__cache_pend_add(c, e);
	return 1;
}

static bool promote_one(struct rootly__ingest_cache *c, cached_incident *e)
{
	/* joined to fold when the payload ended, or taken with the document */
	assert(!e->fold_pending.count);
	if (rootly__cache_added_any(&e->added_pending)) {
		/* attaches counted by the fast path (cache_attach.c): the entry
		 * stays dirty and idle, its fold longer */
		rootly__cache_added_promote(e);
		e->fold_mark = rootly__fold_mark_of(&e->fold);
	}
	if (!e->pending)
		return false;
	count(c, e, -1);
	json_decref(e->doc);
	e->doc = e->pending;
	e->pending = NULL;
	e->dirty = true;
	rootly__cache_summary_read(e); /* of the new doc, hot now */
	drop_undo(c, e);
	rootly__fold_release(&e->fold_taken); /* on the timeline of doc now */
	e->fold_mark = rootly__fold_mark_of(&e->fold);
	count(c, e, +1);
	return false;
}

void rootly__ingest_cache_promote(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c)
		return;
	for (size_t i = 0; i < c->npend; i++)
		promote_one(c, c->pend[i]);
	c->npend = 0;
}

static bool roll_back_one(struct rootly__ingest_cache *c, cached_incident *e)
{
	count(c, e, -1);
	json_decref(e->pending);
	e->pending = NULL;
	memset(&e->added_pending, 0, sizeof(e->added_pending));
	rootly__fold_release(&e->fold_pending);
	/* The failed payload's attaches go; the earlier payloads' stay. */
	if (e->fold_taken.count) {
		rootly__fold_release(&e->fold);
		e->fold = e->fold_taken;
		memset(&e->fold_taken, 0, sizeof(e->fold_taken));
	} else {
		rootly__fold_truncate(&e->fold, e->fold_mark);
	}
	if (has_undo(e) && !e->doc) {
		/* the payload that held it failed: back to its state before
		 * (NULL: out of memory) */
		e->doc = rootly__json_hold_rebuild(e->hold);
		rootly__cache_summary_drop(e);
		if (!e->doc) {
			c->restore_failed = true;
			e->dirty = false;
		}
	}
	drop_undo(c, e);
	count(c, e, +1);
	if (e->dirty)
		return false;
	remove_entry(c, e);
	return true;
}

void rootly__ingest_cache_rolled_back(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c)
		return;
	/* Clean entries and hints may be what the undone level wrote; the
	 * pending states were its own. Dirty states belong to the levels
	 * before it, which still stand. */
	c->restore_failed = false;
	each_entry(c, roll_back_one);
	c->npend = 0; /* every pending state went */
	/* Out of memory bringing an earlier payload's state back: the batch
	 * can no longer commit what its earlier payloads stored consistently. */
	if (c->restore_failed)
		ctx->batch_broken = true;
	for (size_t i = 0; c->groups.count && i < c->groups.cap; i++) {
		if (c->groups.slots[i].key)
			hint_free(c->groups.slots[i].value);
		c->groups.slots[i].key = NULL;
	}
	c->groups.count = 0;
}

bool rootly__ingest_cache_dirty(const rootly_ctx *ctx)
{
	return ctx->ingest_cache && ctx->ingest_cache->unflushed > 0;
}

/* A flush's fold event undone: the document's head goes back (the
 * stream's rollback took the event). Allocates nothing: the member exists. */
static void restore_timeline(cached_incident *e)
{
	if (!e->fold_tl)
		return;
	json_object_set_new(e->doc, "timeline", e->fold_tl);
	e->fold_tl = NULL;
}

/* The batch's attaches to e as one event, its time when the last of them
 * was received; the head before it is kept until the write is confirmed. */
static int write_fold(rootly_ctx *ctx, cached_incident *e)
{
	if (!e->fold.count)
		return 0;
	json_t *tl = json_object_get(e->doc, "timeline");
	if (!(e->fold_tl = json_deep_copy(tl ? tl : json_null())))
		return rootly_error_set_oom();
	return rootly__fold_append(ctx, e->doc, &e->fold, e->fold.last_at);
}

int rootly__ingest_cache_flush(rootly_ctx *ctx, bool undoable)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	for (size_t i = 0; c && c->unflushed && i < c->incidents.cap; i++) {
		cached_incident *e = c->incidents.slots[i].key ? c->incidents.slots[i].value : NULL;
		if (!e || !e->dirty || e->written || !e->doc)
			continue;
		int64_t rev = e->rev;
		/* no payload is open here: nothing is counted for one */
		assert(!rootly__cache_added_any(&e->added_pending));
		int rc = rootly__cache_added_apply(e, NULL);
		if (rc < 0)
			return rc;
		rc = write_fold(ctx, e);
		if (rc < 0 || (rc = rootly__incident_write(ctx, e->doc, e->rev, &rev)) < 0) {
			/* The event may be in the stream already: where no rollback of
			 * this level will take it away, the batch must not commit. */
			if (e->fold_tl && !undoable)
				ctx->batch_torn = true;
			restore_timeline(e);
			return rc;
		}
		count(c, e, -1);
		e->written = true;
		e->written_rev = rev;
		count(c, e, +1);
	}
	return 0;
}

static bool confirm_one(struct rootly__ingest_cache *c, cached_incident *e)
{
	if (!e->written)
		return false;
	if (e->superseded) {
		remove_entry(c, e);
		return true;
	}
	count(c, e, -1);
	e->written = false;
	e->dirty = false;
	e->rev = e->written_rev;
	rootly__fold_release(&e->fold); /* on the stored timeline now */
	e->fold_mark = rootly__fold_mark_of(&e->fold);
	json_decref(e->fold_tl);
	e->fold_tl = NULL;
	count(c, e, +1);
	return false;
}

void rootly__ingest_cache_confirm_written(rootly_ctx *ctx)
{
	each_entry(cache_of(ctx, false), confirm_one);
}

static bool undo_one(struct rootly__ingest_cache *c, cached_incident *e)
{
	if (!e->written)
		return false;
	count(c, e, -1);
	e->written = false;
	e->superseded = false;
	restore_timeline(e); /* the fold is pending again */
	count(c, e, +1);
	return false;
}

void rootly__ingest_cache_undo_written(rootly_ctx *ctx)
{
	each_entry(cache_of(ctx, false), undo_one);
}

const rootly__fold *rootly__ingest_cache_fold(rootly_ctx *ctx, const json_t *doc)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c || !c->deferred)
		return NULL; /* before looking the id up: every payload asks */
	const char *id = rootly__jstr(doc, "id");
	cached_incident *e = id ? rootly__strmap_get(&c->incidents, id) : NULL;
	return e && e->fold.count && !e->written && !e->superseded ? &e->fold : NULL;
}

void rootly__ingest_cache_fold_taken(rootly_ctx *ctx, const char *id)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	cached_incident *e = c && id ? rootly__strmap_get(&c->incidents, id) : NULL;
	if (!e || !e->fold.count)
		return;
	rootly__fold_release(&e->fold_taken);
	e->fold_taken = e->fold;
	memset(&e->fold, 0, sizeof(e->fold));
}

void rootly__ingest_cache_forget(rootly_ctx *ctx, const char *id)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	cached_incident *e = c && id ? rootly__strmap_get(&c->incidents, id) : NULL;
	if (!e)
		return;
	/* Written by a flush inside the operation that now rewrites it: if
	 * that operation rolls back, the entry is again the only copy. */
	if (e->written) {
		e->superseded = true;
		return;
	}
	remove_entry(c, e);
}

const char *rootly__ingest_cache_group(rootly_ctx *ctx, const char *group_key)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	group_hint *h = c && group_key ? rootly__strmap_get(&c->groups, group_key) : NULL;
	if (!h)
		return NULL;
	h->used = c->tick;
	return h->incident_id;
}

void rootly__ingest_cache_set_group(rootly_ctx *ctx, const char *group_key, const char *incident_id)
{
	struct rootly__ingest_cache *c = cache_of(ctx, true);
	if (!c || !group_key || !incident_id)
		return;
	group_hint *h = NULL;
	if (c->groups.count >= CACHE_MAX || !rootly__strmap_reserve(&c->groups, 1) ||
	    !(h = rootly__calloc(1, sizeof(*h))) || !(h->group_key = rootly__strdup(group_key)) ||
	    !(h->incident_id = rootly__strdup(incident_id))) {
		hint_free(h);
		/* An old hint must not outlive a newer incident it does not name. */
		hint_free(rootly__strmap_remove(&c->groups, group_key));
		return;
	}
	hint_free(rootly__strmap_remove(&c->groups, group_key));
	h->used = c->tick;
	rootly__strmap_put(&c->groups, h->group_key, h);
}

void rootly__ingest_cache_clear(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c)
		return;
	/* Values are freed slot by slot, then the slots emptied; the slot
	 * arrays are kept for the next batch. */
	for (size_t i = 0; c->incidents.count && i < c->incidents.cap; i++) {
		if (c->incidents.slots[i].key)
			incident_free(c->incidents.slots[i].value);
		c->incidents.slots[i].key = NULL;
	}
	c->incidents.count = 0;
	c->deferred = 0;
	c->unflushed = 0;
	c->npend = 0;
	c->nheld = 0;
	for (size_t i = 0; c->groups.count && i < c->groups.cap; i++) {
		if (c->groups.slots[i].key)
			hint_free(c->groups.slots[i].value);
		c->groups.slots[i].key = NULL;
	}
	c->groups.count = 0;
}

/* The backend's others-committed number: false when it cannot tell
 * (another backend than SQLite and memory: nothing outlives a commit). */
static bool backend_gen(rootly_ctx *ctx, uint64_t *gen)
{
	rootly_store *b = rootly__ctx_backend(ctx);
	*gen = 0;
	if (rootly__store_memory_is(b))
		return true; /* private: only this context writes it */
	return rootly__store_sqlite_others_gen(b, gen);
}

/* Only copies of what is stored outlive the transaction; anything else
 * (cannot be left after a flush, but is never kept) goes. */
static bool drop_unsettled(struct rootly__ingest_cache *c, cached_incident *e)
{
	if (!e->doc || e->dirty || e->pending || e->written || e->superseded || has_undo(e) || e->fold.count ||
	    e->fold_taken.count || e->fold_tl) {
		remove_entry(c, e);
		return true;
	}
	return false;
}

/* What an entry or hint kept past a commit costs is memory (a document
 * each), and room: a full map refuses new entries. Past TRIM_AT, only
 * the TRIM_TO used most recently stay, so a batch always finds room and
 * incidents no longer fed leave (100 incidents fed in turn, as in
 * bench_ingest attach, all stay). */
#define TRIM_AT (CACHE_MAX - CACHE_MAX / 8)
#define TRIM_TO (CACHE_MAX / 2)

/* The tick from which on entries stay so that at most TRIM_TO do: ages
 * (commits since last used) counted, the youngest kept first. A tick
 * shared by more than fit goes whole. */
#define AGES 64
static uint64_t trim_cutoff(uint64_t tick, const uint64_t *used, size_t n)
{
	size_t by_age[AGES] = { 0 };
	for (size_t i = 0; i < n; i++)
		if (tick - used[i] < AGES)
			by_age[tick - used[i]]++;
	size_t kept = 0, age = 0;
	while (age < AGES && kept + by_age[age] <= TRIM_TO)
		kept += by_age[age++];
	return age > tick ? 0 : tick + 1 - age; /* the ages below `age` stay */
}

static void trim(struct rootly__ingest_cache *c)
{
	uint64_t used[CACHE_MAX];
	void *gone[CACHE_MAX];
	size_t n = 0, ngone = 0;
	if (c->incidents.count > TRIM_AT) {
		for (size_t i = 0; i < c->incidents.cap && n < CACHE_MAX; i++)
			if (c->incidents.slots[i].key)
				used[n++] = ((cached_incident *)c->incidents.slots[i].value)->used;
		uint64_t cutoff = trim_cutoff(c->tick, used, n);
		/* Listed first, removed after: the map moves slots on removal. */
		for (size_t i = 0; i < c->incidents.cap && ngone < CACHE_MAX; i++) {
			cached_incident *e = c->incidents.slots[i].key ? c->incidents.slots[i].value : NULL;
			if (e && e->used < cutoff)
				gone[ngone++] = e;
		}
		for (size_t i = 0; i < ngone; i++)
			remove_entry(c, gone[i]);
	}
	if (c->groups.count > TRIM_AT) {
		n = ngone = 0;
		for (size_t i = 0; i < c->groups.cap && n < CACHE_MAX; i++)
			if (c->groups.slots[i].key)
				used[n++] = ((group_hint *)c->groups.slots[i].value)->used;
		uint64_t cutoff = trim_cutoff(c->tick, used, n);
		for (size_t i = 0; i < c->groups.cap && ngone < CACHE_MAX; i++) {
			group_hint *h = c->groups.slots[i].key ? c->groups.slots[i].value : NULL;
			if (h && h->used < cutoff)
				gone[ngone++] = h;
		}
		for (size_t i = 0; i < ngone; i++) {
			group_hint *h = gone[i];
			rootly__strmap_remove(&c->groups, h->group_key);
			hint_free(h);
		}
	}
}

void rootly__ingest_cache_committed(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c)
		return;
	uint64_t gen;
	if (!backend_gen(ctx, &gen)) {
		rootly__ingest_cache_clear(ctx);
		return;
	}
	/* Entries other than copies of the store are counted in deferred
	 * (an undo record or pending attaches only exist beside them). */
	if (c->deferred)
		each_entry(c, drop_unsettled);
	c->npend = 0;
	trim(c);
	c->tick++;
}

void rootly__ingest_cache_began(rootly_ctx *ctx)
{
	struct rootly__ingest_cache *c = cache_of(ctx, false);
	if (!c)
		return;
	uint64_t gen;
	bool known = backend_gen(ctx, &gen);
	/* Whatever is left from before this transaction is trusted only if
	 * nobody else committed since the last one began. */
	if ((c->incidents.count || c->groups.count) && (!known || !c->have_gen || gen != c->gen))
		rootly__ingest_cache_clear(ctx);
	c->gen = gen;
	c->have_gen = known;
}

void rootly__ingest_cache_free(rootly_ctx *ctx)
{
	if (!ctx || !ctx->ingest_cache)
		return;
	rootly__ingest_cache_clear(ctx);
	rootly__strmap_dispose(&ctx->ingest_cache->incidents);
	rootly__strmap_dispose(&ctx->ingest_cache->groups);
	rootly_free(ctx->ingest_cache);
	ctx->ingest_cache = NULL;
}
