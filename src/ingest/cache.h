/*
 * Hot ingest state (src/ingest/cache.c): incident documents the open
 * transaction has written, and which incident collects a group, so that
 * the payloads of a batch attaching to the same incidents neither look the
 * group up nor read and parse the incident again.
 *
 * Inside an outermost store transaction the write lock is held, so
 * nothing but this context changes the store. The clean entries and the
 * group hints outlive a commit (rootly__ingest_cache_committed) only on a
 * backend that can tell whether another connection committed since
 * (SQLite's PRAGMA data_version; the memory store is private), and the
 * next outermost begin drops them all if one did
 * (rootly__ingest_cache_began). Cleared when the outermost level rolls
 * back; a nested level's rollback drops the clean entries and hints
 * (they may be what it wrote). Every incident write of this context goes
 * through rootly__incident_store, which forgets the document it writes;
 * ingest puts its own back afterwards with the new revision. A hint is
 * checked against its incident's document (group, open, window), and
 * only ingest declares incidents with a group key. A stale entry could
 * at worst fail a revision check; it can never be stored.
 *
 * Deferred incident writes: inside a batch (rootly_ctx_batch_begin), a
 * payload's changes to an incident (alert count, timeline head) can stay
 * in the cache as a dirty entry instead of being written, so that a
 * thousand one-alert payloads attaching to one incident write it once,
 * and write their alerts as one alert.attached (attach_fold.c).
 * A dirty entry is newer than the store, so it is written (flushed)
 * before anything else can read the incident: before the outermost
 * commit, and before any store access by anything but ingest
 * (ingest/defer_store.c wraps the context's store). When a payload's
 * level rolls back, its own (pending) states go and the earlier payloads'
 * dirty states stay. Only when no workflows are configured: their conditions read
 * incidents inside the payload's own level.
 */
#ifndef ROOTLY_SRC_INGEST_CACHE_H
#define ROOTLY_SRC_INGEST_CACHE_H

#include "core/engine.h"
#include "ingest/fold.h"

/* The cached document of incident `id`, handed over to the caller, with
 * its stored revision; *doc NULL when not cached. A clean entry leaves
 * the cache; a dirty one stays (it is the only copy of the earlier
 * payloads' changes): the caller gets the document itself under a hold
 * (util/jsonhold.h), and must call rootly__ingest_cache_note before each
 * change of one of its members, or a deep copy when it is already held.
 * @return 0, or ROOTLY_ENOMEM (copying a dirty entry). */
int rootly__ingest_cache_take(rootly_ctx *ctx, const char *id, json_t **doc, int64_t *rev);
/* Call before changing member `key` of incident document `doc` in any way
 * (replaced, added, deleted, or a nested value changed in place) while
 * ingesting: when the cache holds doc for the open payload, the member's
 * value now is recorded for a rollback. Any other doc: nothing to do.
 * Any thread that owns ctx. @return 0, or ROOTLY_ENOMEM (then do not
 * change the member). */
int rootly__ingest_cache_note(rootly_ctx *ctx, const json_t *doc, const char *key);
/* Cache `doc` (stolen: the cache owns the reference, or releases it when
 * it cannot keep it), exactly as stored at revision `rev`. */
void rootly__ingest_cache_give(rootly_ctx *ctx, json_t *doc, int64_t rev);
/* Keep `doc`, changed by the open payload but not written, as the
 * pending state of its incident (stolen when kept: 1), and the payload's
 * pending attaches `fold` (may be NULL) after the batch's for the incident
 * (moved when kept: the incident's flush writes them as one event). `rev` is the
 * stored revision; an incident not stored yet (0) is never deferred. It becomes the entry's dirty state
 * when the payload's level commits (promote) and is dropped if it rolls
 * back (rolled_back). 0: not kept (deferring is off, or no room for a
 * new entry); the caller still owns `doc` and writes it now.
 * ROOTLY_ENOMEM: out of memory (caller still owns doc). */
int rootly__ingest_cache_defer(rootly_ctx *ctx, json_t *doc, int64_t rev, rootly__fold *fold);
/* The batch's pending attaches for the incident `doc` (deferred, not on
 * its timeline yet), or NULL. Costs nothing while nothing is deferred. */
const rootly__fold *rootly__ingest_cache_fold(rootly_ctx *ctx, const json_t *doc);
/* The open payload has written them onto its own copy of the incident:
 * they are kept aside until its level commits (then gone) or rolls back
 * (then pending again). */
void rootly__ingest_cache_fold_taken(rootly_ctx *ctx, const char *id);
void rootly__ingest_cache_promote(rootly_ctx *ctx);
/* A level inside a batch rolled back: drop the pending states, the clean
 * entries and the group hints; keep the dirty states (the earlier
 * payloads' changes, still to be written). */
void rootly__ingest_cache_rolled_back(rootly_ctx *ctx);
/* Whether payloads may defer incident writes now (inside a batch, no
 * workflows configured). */
bool rootly__ingest_cache_may_defer(const rootly_ctx *ctx);
/* Whether some entry is dirty and not written by a flush yet. */
bool rootly__ingest_cache_dirty(const rootly_ctx *ctx);
/* Write every dirty entry (not the pending states) at the current
 * transaction level (`undoable`: one that rolls back if this fails; else
 * a failure after an entry's alert.attached reached the stream marks the
 * batch torn: it rolls back), its pending attaches first as one alert.attached;
 * they are "written" until that level commits (confirm_written: clean at
 * the new revision, the attaches gone) or rolls back (undo_written: dirty
 * again, the attaches pending and the document's head as before). A failure returns the error; the entries
 * written before it stay written. */
int rootly__ingest_cache_flush(rootly_ctx *ctx, bool undoable);
void rootly__ingest_cache_confirm_written(rootly_ctx *ctx);
void rootly__ingest_cache_undo_written(rootly_ctx *ctx);
/* Drop incident `id` (it is being written by someone else). A dirty one
 * has been flushed before anyone else writes: if written inside the
 * writer's level, it is kept (superseded) in case that level rolls back. */
void rootly__ingest_cache_forget(rootly_ctx *ctx, const char *id);

/* The fast path of an attach (cache_attach.c): a new firing `alert`,
 * received `now`, joins incident `id` (NULL: the one the group hint
 * names for `group_key`) when the cache can take it without the
 * incident's document (a dirty, idle entry; open; of the group; created
 * at or after `not_before`; a fold of the same source), with the same
 * effect as the usual path (take, rootly__link_alert, defer): its
 * alert_count, alerts_active and detected_at are counted beside the
 * document, the alert joins the payload's pending alert.attached for the
 * incident. The caller passes `id` when the payload came to a held
 * incident of the group before (apply.c, touched_for_group); NULL when
 * it came to none. Returns 1 (alert's incident_id set; *incident_id and
 * *incident_ref valid until the payload's level ends), 0 (take the
 * usual path; nothing changed) or ROOTLY_ENOMEM (the payload fails; its
 * rollback undoes the rest). */
int rootly__ingest_cache_attach(rootly_ctx *ctx, const char *id, const char *group_key, int64_t not_before,
	json_t *alert, rootly_time now, const char **incident_id, const char **incident_ref);
/* Whether incident `id`, held in the cache (dirty and idle), collects
 * `group_key` now: open, of that group, created at or after not_before. */
bool rootly__ingest_cache_held_collects(rootly_ctx *ctx, const char *id, const char *group_key, int64_t not_before);
/* The payload's last alert is applied: its fast-path attaches join the
 * batch's for each incident (as rootly__ingest_cache_defer joins a
 * payload's fold). 0, or ROOTLY_ENOMEM (the payload fails). */
int rootly__ingest_cache_payload_end(rootly_ctx *ctx);
/* The payload has taken incident `id`'s document: the attaches it made
 * by the fast path move to `into` (its touched incident's fold, empty),
 * to be written or deferred with the document as the usual path's are.
 * True when there were any (the document then has the payload's counts
 * too: it must be written or deferred). */
bool rootly__ingest_cache_take_attached(rootly_ctx *ctx, const char *id, rootly__fold *into);
/* On by default; the tests turn it off to compare both paths. */
extern bool rootly__ingest_fast_attach;

/* The incident last found or declared as the newest open one collecting
 * `group_key`, or NULL. A hint: the caller checks the document. */
const char *rootly__ingest_cache_group(rootly_ctx *ctx, const char *group_key);
void rootly__ingest_cache_set_group(rootly_ctx *ctx, const char *group_key, const char *incident_id);

/* The outermost level committed: keep the clean entries and the hints
 * for the next transaction when the backend can tell whether anyone else
 * writes meanwhile (at most CACHE_MAX/2 of each; else all go). */
void rootly__ingest_cache_committed(rootly_ctx *ctx);
/* An outermost level began (the write lock is held): what an earlier
 * one kept goes if another connection committed since. */
void rootly__ingest_cache_began(rootly_ctx *ctx);
/* Forget everything, dirty entries included (rollback of the outermost
 * level, end of the outermost transaction after a flush). */
void rootly__ingest_cache_clear(rootly_ctx *ctx);
/* Release the cache (rootly_ctx_free). */
void rootly__ingest_cache_free(rootly_ctx *ctx);

#endif
