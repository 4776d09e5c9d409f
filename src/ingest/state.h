/* Internal state of one payload's application (src/ingest/). */
#ifndef ROOTLY_SRC_INGEST_STATE_H
#define ROOTLY_SRC_INGEST_STATE_H

#include "core/engine.h"
#include "config/config.h"
#include "ingest/fold.h"
#include "ingest/result.h"
#include "util/buf.h"

/* Incidents touched by the payload, kept in memory and stored once at the
 * end, so a group of N alerts costs one incident write, not N. */
typedef struct touched {
	json_t *doc;   /* NULL while `held` */
	int64_t rev;   /* 0 = new */
	bool dirty;
	/* Attached to by the fast path (rootly__attach_held): the document
	 * stays in the ingest cache, this is only the incident's place in the
	 * order the payload came to its incidents, which decides which one a
	 * later alert of the group joins. Taken into the entry (doc set,
	 * held false) as soon as the payload needs the document. */
	bool held;
	char held_id[40];
	/* Alerts attached by this payload and not yet on the timeline: they
	 * become one alert.attached event (attach_fold.c), or join the batch's
	 * pending ones for the incident when its write is deferred (cache.c). */
	rootly__fold fold;
} touched;

/* o[key] = v (stolen, also on failure) for a literal key of ours: no
 * UTF-8 check of the key, whose length is a constant once inlined. The
 * same member, in the same place, as json_object_set_new. */
static inline int rootly__set_member(json_t *o, const char *key, json_t *v)
{
	return json_object_setn_new_nocheck(o, key, strlen(key), v);
}

typedef struct apply_state {
	rootly_ctx *ctx;
	const rootly_config *cfg;        /* may be NULL */
	const rootly_source_config *src; /* may be NULL */
	rootly_time now;
	touched *incidents;
	size_t count, cap;
	rootly_ingest_result *result;
} apply_state;

int rootly__touched_by_id(apply_state *st, const char *id, touched **out);
/* The newest open incident collecting group_key (within the source's
 * group window), or *out = NULL. */
int rootly__open_incident_for_group(apply_state *st, const char *group_key, touched **out);
/* A new firing alert attached, stored and reported without taking the
 * incident's document, when the batch holds it (ingest/cache.h,
 * rootly__ingest_cache_attach): 1 done, 0 take the usual path (nothing
 * changed), < 0 the error. */
int rootly__attach_held(apply_state *st, json_t *alert, const char *group_key);
int rootly__alert_store(rootly_ctx *ctx, json_t *alert, int64_t expected_rev);
int rootly__record_outcome(apply_state *st, rootly_ingest_outcome o, const json_t *alert, const json_t *inc,
	const char *reason);
/* Link a (new or re-firing) alert to an incident's document and timeline.
 * kind "alert.attached": the event waits to be folded with the payload's
 * other attaches to the same incident (attach_fold.c); "alert.refired":
 * written now; NULL: no event (the alert declared the incident, and its
 * incident.created carries it). `counted`: the alert was active on this
 * incident already (a new cycle of a firing alert), so the incident's
 * alerts_active stays as it is. */
int rootly__link_alert(apply_state *st, touched *t, json_t *alert, const char *kind, bool counted);
/* Append an event to a touched incident's timeline (body stolen), after
 * writing the attaches still pending for it, so the timeline keeps the
 * order in which things happened. */
int rootly__ingest_event(apply_state *st, touched *t, const char *actor, const char *kind, json_t *body);

/* Folding attaches (attach_fold.c). */
/* Queue an alert.attached for `alert`, received now, on t (written by
 * the next flush, or deferred with the incident). */
int rootly__fold_add(apply_state *st, touched *t, const json_t *alert);
/* Write t's pending attaches: the batch's for the incident (cache.c),
 * then the payload's, each as one event (nothing when none). */
int rootly__fold_flush(apply_state *st, touched *t);
/* Drop t's pending attaches (the payload failed, or they were written). */
void rootly__fold_dispose(touched *t);
/* Declare an incident for a firing alert (default rule + route decision). */
int rootly__declare(apply_state *st, json_t *alert, const char *group_key, const rootly_route_decision *d,
	touched **out);

/* The alert lifecycle (lifecycle.c). prev: the latest stored alert with
 * the same dedup key, or NULL. */
int rootly__apply_firing(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev,
	const rootly_route_decision *d);
int rootly__apply_resolved(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev);
int rootly__apply_acknowledged(apply_state *st, json_t *alert, json_t *prev, int64_t prev_rev);

#endif
