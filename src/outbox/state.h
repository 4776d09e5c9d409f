/* The outbox's per-context state (ctx->outbox): registered transports,
 * transports built from configuration, dispatcher settings, the random
 * source for backoff jitter, and the libuv attachment. Created on first
 * use by rootly__outbox_state_get. */
#ifndef ROOTLY_SRC_OUTBOX_STATE_H
#define ROOTLY_SRC_OUTBOX_STATE_H

#include "outbox/outbox.h"
#include "rootly/outbox.h"
#include "rootly/sys/transport.h"

#define ROOTLY__CAP_COUNT 7

typedef struct rootly__outbox_settings {
	int64_t base_ms;            /* backoff_base, default 1 s */
	int64_t cap_ms;             /* backoff_cap, default 5 min */
	int max_attempts;           /* default 8; then the item is dead */
	int64_t lease_ms;           /* in_flight lease, default 60 s */
	int64_t timeout_ms;         /* per HTTP request, default 10 s */
	int64_t retry_after_max_ms; /* Retry-After honoured up to this, default 1 h */
	int64_t poll_ms;            /* loop: look for due items this often, default 1 s */
	size_t batch;               /* items claimed per transaction, default 32 */
	int64_t workflow_tick_ms;   /* loop: rootly_workflow_tick this often, default 60 s */
} rootly__outbox_settings;

typedef uint64_t (*rootly__outbox_rand_fn)(void *payload);

struct rootly__outbox_loop;

struct rootly__outbox_state {
	rootly_transport **user;       /* rootly_ctx_add_transport, newest first */
	size_t user_count;
	rootly_transport **built;      /* from configuration `transports` */
	size_t built_count;
	char *cap_error[ROOTLY__CAP_COUNT]; /* why a configured capability has no transport */
	const struct rootly_config *built_from;
	rootly__outbox_settings set;
	rootly__outbox_rand_fn rand;
	void *rand_payload;
	uint64_t rng;                  /* default generator's state (splitmix64) */
	struct rootly__outbox_loop *loop;
};

/* The context's outbox state, created on first use and brought in line
 * with the context's configuration (settings, configured transports).
 * NULL on allocation failure (error set). */
struct rootly__outbox_state *rootly__outbox_state_get(rootly_ctx *ctx);

/* The transport serving `cap` (a rootly_capability bit), or NULL with
 * *why (static or state-owned text) saying why there is none. */
rootly_transport *rootly__outbox_transport_for(struct rootly__outbox_state *st, unsigned cap, const char **why);

/* Tests: replace the jitter's random source (NULL restores the default). */
void rootly__outbox_set_random(rootly_ctx *ctx, rootly__outbox_rand_fn fn, void *payload);

/* Full-jitter exponential backoff (AWS "Exponential Backoff And Jitter"):
 * random(0, min(cap, base * 2^(attempt-1))), attempt >= 1 being the
 * attempts made so far; a Retry-After (>= 0) is a floor, itself capped by
 * retry_after_max. Never below 1 ms. */
int64_t rootly__outbox_backoff(const rootly__outbox_settings *s, int attempt, int64_t retry_after_ms,
	uint64_t random);

/* --- the dispatcher's steps (dispatch.c), shared with the loop ----------- */

typedef struct rootly__ob_job {
	json_t *doc;                  /* the claimed item, owned */
	int64_t rev;                  /* its revision after the claim */
	rootly_transport *t;          /* NULL: decided without a delivery */
	char *params_text;            /* resolved params */
	rootly_delivery d;
	rootly_delivery_result r;
	bool skipped;                 /* no transport: action.skipped */
	struct rootly__ob_job *next;  /* loop's list */
	void *loop_data;
} rootly__ob_job;

/* Claim up to `limit` items due at `cutoff` in one transaction; *jobs_out
 * is a list (jobs chained by next), NULL when nothing is due. */
int rootly__ob_claim(rootly_ctx *ctx, struct rootly__outbox_state *st, size_t limit, rootly_time cutoff,
	rootly__ob_job **jobs_out);
/* Resolve placeholders and pick the transport; 0 or ENOMEM/store errors.
 * A job that needs no delivery (skipped, bad placeholder) has t NULL and
 * r filled. */
int rootly__ob_prepare(rootly_ctx *ctx, struct rootly__outbox_state *st, rootly__ob_job *job);
/* Record the job's outcome (item state, incident integrations, timeline)
 * in one transaction. */
int rootly__ob_finish(rootly_ctx *ctx, struct rootly__outbox_state *st, rootly__ob_job *job);
void rootly__ob_job_free(rootly__ob_job *job);
/* The claim's lease has run out: the job must not be delivered (another
 * dispatcher may have claimed the item since). */
bool rootly__ob_lease_lost(rootly_ctx *ctx, const rootly__ob_job *job);

/* Merge a delivery's result into the incident document. */
int rootly__ob_apply_result(json_t *incident, const char *action, const json_t *result);
/* Replace {"$incident": "a.b.c"} objects in params with the incident's
 * values; 0, ROOTLY_ENOTFOUND (message names the path) or ROOTLY_ENOMEM. */
int rootly__ob_resolve(json_t *params, const json_t *incident);

/* Loop (loop.c). */
void rootly__outbox_loop_free(struct rootly__outbox_loop *l);
/* Deliveries the loop has in flight (they hold transport pointers). */
size_t rootly__outbox_loop_inflight(const struct rootly__outbox_loop *l);

#endif
