/*
 * The outbox (DESIGN §6): workflow actions that need an outside service are
 * written as records of collection "outbox" in the same transaction as the
 * change that caused them; the dispatcher (dispatch.c) delivers them later
 * through transports, with retries and a dead-letter state.
 *
 * Item document (collection "outbox"; docs/outbox.md):
 *   { id, incident_id, workflow, run_id, step, action, params,
 *     idempotency_key, state, attempts, created_at, due_at, lease_until,
 *     updated_at, last_error, result }
 * Indexed fields: status = state, key = idempotency key, group_key = run id
 * (NULL for a manual action), service = incident id, severity = action,
 * time = due_at (when the dispatcher may next look at it).
 *
 * States: pending -> in_flight -> delivered | failed | dead, and back to
 * pending (a retry) from in_flight.
 */
#ifndef ROOTLY_SRC_OUTBOX_OUTBOX_H
#define ROOTLY_SRC_OUTBOX_OUTBOX_H

#include <jansson.h>

#include "core/engine.h"

#define ROOTLY__OUTBOX_COLLECTION "outbox"

typedef struct rootly__outbox_spec {
	const char *incident_id;      /* required */
	const char *workflow;         /* workflow name; NULL for a manual action */
	const char *run_id;           /* ULID of the workflow run (rootly__new_id) */
	int step;                     /* order in the run: an item is not delivered before the
	                                 run's earlier steps are done (delivered, failed or dead) */
	const char *action;           /* a capability name (docs/outbox.md) */
	const json_t *params;         /* rendered parameters; borrowed (copied by the call) */
	const char *idempotency_key;  /* NULL = "<run_id>:<step>" (the item id without a run) */
} rootly__outbox_spec;

/* Write one outbox item. Must be called inside the engine transaction of
 * the change that triggered it (between rootly__tx_begin and
 * rootly__tx_end), so the item exists iff the change committed. id_out (27
 * bytes) may be NULL. ROOTLY_EINVALID (missing incident_id or action,
 * params not an object or NULL), ROOTLY_ENOMEM, store errors. */
int rootly__outbox_enqueue(rootly_ctx *ctx, const rootly__outbox_spec *spec, char *id_out);

/* Free the context's outbox state (transports, loop attachment); called by
 * rootly_ctx_free. NULL-safe. */
void rootly__outbox_state_free(struct rootly__outbox_state *st);

/* Store an item document (indexes derived from it) with a revision check. */
int rootly__outbox_put(rootly_ctx *ctx, json_t *doc, int64_t expected_rev, int64_t *new_rev);

/* The indexed time of a finished item (delivered, failed, dead): this
 * plus the time it finished (its due_at), after every live item's due
 * time (rootly__outbox_put). */
#define ROOTLY__OB_FINISHED_TIME ((int64_t)1 << 62)

/* State names. */
#define ROOTLY__OB_PENDING "pending"
#define ROOTLY__OB_IN_FLIGHT "in_flight"
#define ROOTLY__OB_DELIVERED "delivered"
#define ROOTLY__OB_FAILED "failed"
#define ROOTLY__OB_DEAD "dead"

#endif
