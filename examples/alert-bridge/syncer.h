/*
 * The syncer thread of the bridge (syncer.c): the commit worker commits a
 * batch without waiting for the disk (rootly_ctx_batch_commit_deferred)
 * and hands it here with its token; this thread makes it durable
 * (rootly_ctx_sync) and hands it back to the loop, which only then sends
 * the batch's answers. One sync covers every batch queued meanwhile.
 */
#ifndef ROOTLY_BRIDGE_SYNCER_H
#define ROOTLY_BRIDGE_SYNCER_H

#include <rootly.h>
#include <stdint.h>
#include <uv.h>

/* Embedded in the caller's batch. */
typedef struct br_sync_item {
	struct br_sync_item *next;
	uint64_t token;          /* from rootly_ctx_batch_commit_deferred */
	int rc;                  /* rootly_ctx_sync's result (set by the syncer) */
	double wait_seconds;     /* from the hand-over to the end of its sync */
	double sync_seconds;     /* the rootly_ctx_sync call that covered it */
	uint64_t pushed_ns;
} br_sync_item;

/* Called on the loop thread for each item, in the order pushed, once its
 * sync has returned (rc 0: durable; otherwise it must not be answered as
 * stored). */
typedef void (*br_sync_done_fn)(br_sync_item *item);

/* Start the thread; `ctx` is the commit worker's context (only
 * rootly_ctx_sync is called on it). Returns 0 or a libuv/errno code. */
int br_syncer_start(uv_loop_t *loop, rootly_ctx *ctx, br_sync_done_fn done);

/* Loop thread: queue items (a list linked by `next`, in commit order)
 * for one sync. */
void br_syncer_push(br_sync_item *items);

/* Loop thread, once nothing is pushed any more and every item came back:
 * stop and join the thread, close the loop's handle. */
void br_syncer_stop(void);

/* Loop thread: syncs made so far (each may cover several items). */
unsigned long long br_syncer_syncs(void);

#endif
