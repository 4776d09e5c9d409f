/* Internal state of one payload's application (src/ingest/). */
#ifndef ROOTLY_SRC_INGEST_STATE_H
#define ROOTLY_SRC_INGEST_STATE_H

#include "core/engine.h"
#include "config/config.h"
#include "ingest/result.h"

/* Incidents touched by the payload, kept in memory and stored once at the
 * end, so a group of N alerts costs one incident write, not N. */
typedef struct touched {
	json_t *doc;
	int64_t rev;   /* 0 = new */
	bool dirty;
} touched;

typedef struct apply_state {
	rootly_ctx *ctx;
	const rootly_config *cfg;        /* may be NULL */
	const rootly_source_config *src; /* may be NULL */
	rootly_time now;
	touched *incidents;
	size_t count, cap;
	rootly_ingest_result *result;
} apply_state;

bool rootly__status_open(const char *status);
int rootly__touched_by_id(apply_state *st, const char *id, touched **out);
/* The newest open incident collecting group_key (within the source's
 * group window), or *out = NULL. */
int rootly__open_incident_for_group(apply_state *st, const char *group_key, touched **out);
int rootly__alert_store(rootly_ctx *ctx, json_t *alert, int64_t expected_rev);
int rootly__record_outcome(apply_state *st, rootly_ingest_outcome o, const json_t *alert, const json_t *inc,
	const char *reason);
/* Link a (new or re-firing) alert to an incident's document and timeline. */
int rootly__link_alert(apply_state *st, touched *t, json_t *alert, const char *kind);
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
