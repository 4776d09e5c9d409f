/**
 * @file rootly/outbox.h
 * @brief The outbox and its dispatcher: delivering workflow actions to
 *        outside services, at least once, with retries and a dead letter.
 *
 * Workflow actions that need an outside service (a chat channel, a Jira
 * ticket, a status-page incident, a webhook) are written as outbox items in
 * the same storage transaction as the change that caused them. The
 * dispatcher hands due items to transports (rootly/sys/transport.h),
 * writes their results into the incident ("integrations") and onto its
 * timeline (action.delivered, action.failed, action.dead_lettered,
 * action.skipped), and retries retryable failures with full-jitter
 * exponential backoff (configuration section `outbox`). Items of one
 * workflow run are delivered in step order. See docs/outbox.md.
 *
 * Item states: pending, in_flight, delivered, failed, dead. An item left
 * in_flight by a process that died is taken up again when its lease
 * expires, with the same idempotency key.
 *
 * Threading: like every call on a context, from one thread at a time (the
 * loop's thread once a loop is attached).
 */
#ifndef INCLUDE_rootly_outbox_h__
#define INCLUDE_rootly_outbox_h__

#include "common.h"
#include "errors.h"
#include "ctx.h"

ROOTLY_BEGIN_DECL

struct rootly_transport;
struct uv_loop_s;

/**
 * Register a transport on the context. It serves the capabilities it is
 * tagged with, before any transport built from configuration (section
 * `transports`) and before transports registered earlier. The context
 * takes ownership of `t` on success only.
 * @return 0; ROOTLY_EINVALID (NULL, unknown version, a required slot NULL,
 *         no capability); ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_add_transport(rootly_ctx *ctx, struct rootly_transport *t);

/**
 * Deliver the items that are due now (the context's clock), without a
 * loop: claim, deliver synchronously, record the outcome; repeated until
 * nothing is due or `max` items (0 = no limit) were handled. Items
 * scheduled for a later retry stay pending. `handled_out` (may be NULL)
 * receives the number of items handed to a transport or skipped.
 * Delivery failures are not errors of this call (they are recorded on the
 * item and the timeline).
 * @return 0; storage errors (ROOTLY_EIO, ROOTLY_EBUSY, ...); ROOTLY_ENOMEM;
 *         ROOTLY_EINVALID if a loop is attached (the loop dispatches).
 */
ROOTLY_EXTERN(rootly_status) rootly_ctx_dispatch(rootly_ctx *ctx, size_t max, size_t *handled_out);

/**
 * When the next pending item is due (ms since the epoch), or 0 if none is
 * pending. @return 0 or a storage error.
 */
ROOTLY_EXTERN(rootly_status) rootly_outbox_next_due(rootly_ctx *ctx, rootly_time *due_out);

/**
 * The outbox items in `state` ("pending", "in_flight", "delivered",
 * "failed", "dead"; NULL = all), oldest due first, as a JSON array of item
 * documents (docs/outbox.md). Free *json_out with rootly_free.
 * @return 0, ROOTLY_EINVALID (unknown state), ROOTLY_ENOMEM, storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_outbox_list(char **json_out, rootly_ctx *ctx, const char *state);

/**
 * Put a failed or dead item back to pending, due now, with its attempt
 * count reset (an operator fixed the cause). The idempotency key is kept.
 * @return 0; ROOTLY_ENOTFOUND; ROOTLY_EILLEGAL (the item is pending,
 *         in flight or delivered); storage errors.
 */
ROOTLY_EXTERN(rootly_status) rootly_outbox_retry(rootly_ctx *ctx, const char *item_id);

/**
 * Run the dispatcher on a libuv loop (borrowed; it must outlive the
 * attachment): a timer claims due items, HTTP transports run on libcurl's
 * multi interface driven by the loop (uv_poll + uv_timer), and other
 * transports are called on the loop's thread. The context must then be
 * used from the loop's thread only.
 * @return 0; ROOTLY_EINVALID (already attached, NULL loop); ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_outbox_attach_loop(rootly_ctx *ctx, struct uv_loop_s *loop);

/**
 * Stop dispatching on the loop: deliveries in flight are abandoned (their
 * items are taken up again when the lease expires) and the handles are
 * closed; run the loop once more (uv_run) to let them finish closing.
 * No-op when nothing is attached.
 */
ROOTLY_EXTERN(void) rootly_outbox_detach_loop(rootly_ctx *ctx);

/**
 * Wake the attached dispatcher now (say after a commit that enqueued
 * items) instead of at its next poll. No-op without a loop.
 */
ROOTLY_EXTERN(void) rootly_outbox_kick(rootly_ctx *ctx);

ROOTLY_END_DECL

#endif
