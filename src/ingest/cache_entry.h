/*
 * The ingest cache's entries (src/ingest/cache.c, cache_attach.c): private
 * to those two files.
 */
#ifndef ROOTLY_SRC_INGEST_CACHE_ENTRY_H
#define ROOTLY_SRC_INGEST_CACHE_ENTRY_H

#include "ingest/cache.h"
#include "store/strmap.h"
#include "util/jsonhold.h"

/* Attaches the fast path made to an incident without changing its
 * document: each field is what is still to be applied to doc (zeroed
 * field by field as it is applied, so a failure half-way leaves the rest
 * to apply). */
typedef struct rootly__cache_added {
	int64_t alert_count;   /* added to "alert_count" */
	int64_t alerts_active; /* added to "alerts_active" */
	int64_t detected_at;   /* the new "detected_at", 0: unchanged */
} rootly__cache_added;

/* What the fast path reads of doc, read once for each state of it (the
 * document is cold by the time the next alert for it comes: each member
 * looked up there cost about three cache misses). Valid while `ok`;
 * dropped whenever doc is replaced or leaves the entry (a flush changes
 * only members it does not hold; detected_at is kept in step when the
 * counts are applied). */
typedef struct rootly__cache_summary {
	bool ok;
	bool open;            /* status in_triage, started or mitigated */
	int64_t created_at;
	int64_t detected_at;  /* doc's, before `added` */
	/* Copies, in place: reading the summary allocates nothing, so a
	 * payload's allocations fail the same way whether it reads one or
	 * not (the fault tests walk them). A longer key: no summary, the
	 * usual path runs. */
	char group_key[160];
	char ref[32];
} rootly__cache_summary;

/* The incidents a batch keeps attaching to; past it nothing new is
 * cached (the store still answers). Small on purpose: with 4,096, a batch
 * where every alert declares its own incident kept a thousand documents
 * alive to the end of the batch and freed them together, and glibc's
 * malloc spent the difference consolidating (declare 33 -> 50 us CPU per
 * alert on the memory store at the same instruction count). */
#define CACHE_MAX 128

typedef struct cached_incident {
	char *id;        /* the map's key */
	json_t *doc;     /* NULL only while a new incident's first state is pending */
	int64_t rev;     /* the store's revision of the incident (0: not stored) */
	bool dirty;      /* doc is newer than the store */
	json_t *pending; /* the open payload's state: becomes doc when its level
	                  * commits, is dropped when it rolls back */
	bool written;    /* a flush wrote doc, at written_rev, inside a level
	                  * that has not committed yet */
	int64_t written_rev;
	bool superseded; /* written, then rewritten by the operation itself */
	uint64_t used;   /* the cache's tick when last handed out or put back */
	/* While a payload holds doc (taken): the document and its members
	 * as they were before each change (util/jsonhold.h), to put back if
	 * that payload's level rolls back. Debug builds keep a snapshot too
	 * (util/jsonsnap.h), and check that the hold still says the same
	 * (every change was noted) whenever it is let go. */
	rootly__json_hold *hold;
	char *snapshot; /* debug builds only, taken with the hold */
	size_t snapshot_len;
	/* The batch's attaches not on the timeline yet: written as one event
	 * when the entry is flushed (attach_fold.c). fold_mark: what fold held
	 * when the open payload began (its level's rollback goes back to it);
	 * fold_taken: fold as it was when the open payload wrote it onto its
	 * own copy; fold_tl: doc's timeline head before a flush wrote fold,
	 * put back if that flush's level rolls back. */
	rootly__fold fold;
	rootly__fold_mark fold_mark;
	rootly__fold fold_taken;
	json_t *fold_tl;
	/* Attaches counted here and not in doc yet (cache_attach.c): the open
	 * payload's, and the earlier payloads' of the batch. Only ever
	 * non-zero while the entry is dirty and idle (see there). */
	rootly__cache_added added_pending, added;
	/* The open payload's attaches by the fast path, as the usual path
	 * keeps them in its touched incident: joined to `fold` when the
	 * payload ends (rootly__ingest_cache_payload_end), handed to the
	 * payload if it takes the document first. */
	rootly__fold fold_pending;
	rootly__cache_summary summary;
} cached_incident;

typedef struct group_hint {
	char *group_key; /* the map's key */
	char *incident_id;
	uint64_t used;   /* the cache's tick when last set or read */
} group_hint;

struct rootly__ingest_cache {
	rootly__strmap incidents; /* id -> cached_incident */
	rootly__strmap groups;    /* group key -> group_hint */
	size_t deferred;          /* entries not (only) a copy of the store: dirty or pending */
	size_t unflushed;         /* dirty and not written */
	bool restore_failed;      /* set by roll_back_one */
	/* The entries holding a pending state, so that promoting (after every
	 * payload of a batch) visits them and not every cached incident. */
	cached_incident *pend[CACHE_MAX];
	size_t npend;
	/* The entries with a hold (the open payload's incidents), which
	 * rootly__ingest_cache_note searches: usually one or two. */
	cached_incident *held[CACHE_MAX];
	size_t nheld;
	/* The backend's others-committed number (store/backends.h) when the
	 * last outermost transaction began: entries kept from it are checked
	 * against it when the next one begins. */
	uint64_t gen;
	bool have_gen;
	/* Counts outermost commits: what was used least recently goes first
	 * when the kept entries are trimmed (trim). */
	uint64_t tick;
};

/* Dirty and idle: newer than the store, and neither pending, written,
 * superseded nor held by a payload. rootly__ingest_cache_take hands such
 * a document over under a hold; the fast path attaches beside it. */
static inline bool rootly__cache_dirty_idle(const cached_incident *e)
{
	return e->dirty && !e->pending && !e->written && !e->superseded && e->doc && !e->hold;
}

/* In cache.c: */
/* e holds a pending state now: on the list promote visits (once). */
void rootly__cache_pend_add(struct rootly__ingest_cache *c, cached_incident *e);

/* In cache_attach.c: */
/* Forget e's summary (its document changed or left the entry). */
void rootly__cache_summary_drop(cached_incident *e);
/* Read e->doc's summary now (promote_one: the document a payload just
 * changed is in the cache; the next alert for it would find it cold).
 * False when the fast path cannot take this document. */
bool rootly__cache_summary_read(cached_incident *e);
/* Apply e's counted attaches to e->doc: the earlier payloads' (`added`)
 * when hold is NULL; the open payload's (`added_pending`), each member
 * noted in `hold` first, otherwise. 0, or ROOTLY_ENOMEM with what is left
 * to apply still counted. */
int rootly__cache_added_apply(cached_incident *e, rootly__json_hold *hold);
/* The open payload committed: its counted attaches join the batch's. */
void rootly__cache_added_promote(cached_incident *e);
bool rootly__cache_added_any(const rootly__cache_added *a);

#endif
