/*
 * A lane (lane.c): one thread owned by the bridge that runs tasks in the
 * order the loop pushes them and hands each back to the loop (wake.h).
 * The commit worker runs on one (docs/bridge.md, "Threads and group
 * commit"): unlike libuv's pool, where consecutive batches landed
 * on whichever of its threads woke, every batch then runs on the same
 * thread, with the same jansson block cache (src/core/alloc.c) and warm
 * CPU caches.
 */
#ifndef ROOTLY_BRIDGE_LANE_H
#define ROOTLY_BRIDGE_LANE_H

#include <pthread.h>
#include <stdbool.h>
#include <uv.h>

#include "wake.h"

typedef struct br_task {
	struct br_task *next;
	void (*work)(struct br_task *t);   /* on the lane's thread */
	/* Then on the loop thread; NULL: the task does not come back (its
	 * `work` may free it). */
	void (*done)(struct br_task *t);
} br_task;

typedef struct br_lane {
	br_wake back;             /* hands finished tasks to the loop */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	/* under mu */
	br_task *pending, **pending_tail;
	br_task *finished, **finished_tail;
	bool stop;
} br_lane;

/* Loop thread: start the lane's thread, named `name` (at most 15
 * characters: what top -H, perf and the tests see). 0 or a negative
 * libuv/errno code (uv_strerror). */
int br_lane_start(br_lane *l, uv_loop_t *loop, const char *name);

/* Loop thread: queue a task; its `done` runs on the loop once `work`
 * returned. Tasks run one at a time, in push order. */
void br_lane_push(br_lane *l, br_task *t);

/* Loop thread, once every pushed task came back (its `done` ran): stop
 * and join the thread, close the loop's handle. Idempotent. */
void br_lane_stop(br_lane *l);

#endif
