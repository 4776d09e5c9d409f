/*
 * Pending alert.attached events as text (src/ingest/fold.c): the alerts
 * that join one incident and are not on its timeline yet, kept so that
 * they become ONE event. A payload keeps its own (attach_fold.c); inside a
 * batch, an incident whose write is deferred keeps the batch's in its
 * cache entry until the incident is flushed (cache.c).
 *
 * The event body: one alert: exactly the single-alert body {alert_id,
 * fingerprint, source, starts_at, status, summary}. N > 1: the first
 * alert's fields, "count": N and "alerts": [{alert_id, at?, fingerprint,
 * starts_at, status, summary}, ...] (all N, in the order received). "at",
 * when each alert was received, is there when the alerts may come from
 * several payloads (the incident's write may be deferred in a batch);
 * within one payload they all came at the event's time. Every body is
 * canonical text (members in key order), hashed and stored as is.
 */
#ifndef ROOTLY_SRC_INGEST_FOLD_H
#define ROOTLY_SRC_INGEST_FOLD_H

#include <jansson.h>
#include <stdbool.h>

#include "rootly/common.h"
#include "rootly/ctx.h"
#include "util/buf.h"

typedef struct rootly__fold {
	size_t count;
	/* first: the first alert's whole single-alert body; split: the offset
	 * just after its alert_id member; src_from/to: where its source member
	 * lies. items: the alerts[] members, built once a second alert comes. */
	size_t split, src_from, src_to;
	rootly_time first_at, last_at; /* when the first / last alert was received */
	bool with_at; /* the items carry "at" (set by the first push) */
	rootly_buf first;
	rootly_buf items;
	char *actor; /* the alerts' source: the event's actor */
} rootly__fold;

/* What a fold held at some point, to go back to it (a payload's level
 * rolled back). Only appends happen in between. */
typedef struct rootly__fold_mark {
	size_t count, items_len;
	rootly_time last_at;
} rootly__fold_mark;

/* The alert's event fields {alert_id, fingerprint, [source,] starts_at,
 * status, summary} as a canonical JSON object. */
void rootly__alert_event_fields(rootly_buf *b, const json_t *alert, bool with_source);

bool rootly__fold_same_actor(const rootly__fold *f, const char *actor);
/* Append `alert` received at `at`; `source` is its source
 * (rootly__jstr(alert, "source"): the caller has looked it up to check
 * the actor). An empty fold takes it as the actor, and with_at.
 * ROOTLY_ENOMEM leaves f to be disposed or truncated. */
int rootly__fold_push(rootly__fold *f, const json_t *alert, const char *source, rootly_time at, bool with_at);
/* Move src's alerts after dst's (same actor and both with_at, or dst
 * empty); src is left empty. ROOTLY_ENOMEM: dst to be truncated to its mark, src disposed. */
int rootly__fold_merge(rootly__fold *dst, rootly__fold *src);
/* The event body of a non-empty fold: *text points into f or into tmp
 * (dispose it after). ROOTLY_ENOMEM. */
int rootly__fold_body(const rootly__fold *f, rootly_buf *tmp, const char **text, size_t *len);
/* Append a non-empty fold to `incident`'s timeline as one alert.attached
 * by its actor, at `at` (0: the context's clock). ROOTLY_ENOMEM, storage
 * errors (rootly__timeline_append_text). */
int rootly__fold_append(rootly_ctx *ctx, json_t *incident, const rootly__fold *f, rootly_time at);
rootly__fold_mark rootly__fold_mark_of(const rootly__fold *f);
/* Back to what `m` recorded (allocates nothing). */
void rootly__fold_truncate(rootly__fold *f, rootly__fold_mark m);
void rootly__fold_release(rootly__fold *f);

#endif
