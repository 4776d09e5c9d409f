/**
 * @file rootly/timeline.h
 * @brief The per-incident, append-only, hash-chained timeline.
 *
 * Each event carries its sequence number (1, 2, ...), time, actor, kind
 * (e.g. "incident.created", "status.changed", "note"), a JSON body, the
 * hash of the previous event and its own hash:
 *   hash = hex(SHA-256(prev_hash "\n" seq "\n" at "\n" actor "\n" kind "\n" body))
 * with prev_hash = 64 zeros for the first event. The incident record keeps
 * the head (count and last hash), so truncation is detected as well.
 * Thread: the context's thread.
 */
#ifndef INCLUDE_rootly_timeline_h__
#define INCLUDE_rootly_timeline_h__

#include "common.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

/** One event; every pointer is borrowed from the owning rootly_timeline. */
typedef struct rootly_event {
	int64_t seq;
	rootly_time at;
	const char *id;         /**< globally unique event id */
	const char *actor;
	const char *kind;
	const char *body;       /**< compact JSON object */
	const char *prev_hash;  /**< 64 hex characters */
	const char *hash;
} rootly_event;

typedef struct rootly_timeline rootly_timeline;

/**
 * Load the events of an incident with seq >= from_seq (1 = all).
 * Caller owns *out (rootly_timeline_free).
 * @return 0, ROOTLY_ENOTFOUND, ROOTLY_ECORRUPT (an entry is not valid JSON), storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_timeline_load(rootly_timeline **out, rootly_ctx *ctx,
	const char *incident_ref, int64_t from_seq);
ROOTLY_EXTERN(size_t) rootly_timeline_count(const rootly_timeline *tl);
/** Borrowed; NULL if out of range. */
ROOTLY_EXTERN(const rootly_event *) rootly_timeline_at(const rootly_timeline *tl, size_t i);
ROOTLY_EXTERN(void) rootly_timeline_free(rootly_timeline *tl);
/** The timeline as a JSON array (caller frees with rootly_free). */
ROOTLY_EXTERN(rootly_status) rootly_timeline_to_json(char **out, const rootly_timeline *tl);

/** The outcome of a verification. */
typedef struct rootly_verify_result {
	int64_t events;          /**< events checked */
	int64_t first_bad_seq;   /**< 0 when everything verified */
	char reason[200];        /**< what was wrong with first_bad_seq */
} rootly_verify_result;

/**
 * Recompute the hash chain of an incident's timeline and compare it with
 * the incident's recorded head. `out` may be NULL.
 * @return 0 when intact; ROOTLY_ECORRUPT when an event was changed, removed,
 *         inserted or reordered (first bad event in `out` and the message);
 *         ROOTLY_ENOTFOUND; storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_timeline_verify(rootly_ctx *ctx, const char *incident_ref,
	rootly_verify_result *out);

ROOTLY_END_DECL

#endif
