/*
 * Waking the loop thread from another thread (wake.c), in place of
 * uv_async_t. libuv 1.44's uv_async_send marks the handle, then writes
 * its eventfd; the loop thread, woken by that write on the other core,
 * spins (pause loops, then sched_yield) until the sender's write(2) has
 * returned and the mark is complete. The bridge's threads hand a result
 * back after every batch and every sync: perf showed the loop thread
 * spinning for 7% of its samples at one alert per request. Here the
 * sender writes only when the wake is not already armed, and the loop
 * disarms it before it reads the queue: nobody waits for anybody.
 */
#ifndef ROOTLY_BRIDGE_WAKE_H
#define ROOTLY_BRIDGE_WAKE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <uv.h>

typedef struct br_wake {
	uv_poll_t poll;
	int fd;                   /* eventfd */
	atomic_bool armed;
	void (*cb)(struct br_wake *w);
	void *data;
} br_wake;

/* Loop thread: `cb` runs on the loop after one or more br_wake_send.
 * 0 or a libuv/errno code (negative). */
int br_wake_init(br_wake *w, uv_loop_t *loop, void (*cb)(br_wake *w));

/* Any thread, after publishing what the callback is to find (under the
 * lock the callback takes): the callback runs at least once after it. */
void br_wake_send(br_wake *w);

/* Loop thread, once no thread sends any more: stop polling, close the
 * eventfd and the handle (its memory is free once the loop ran again or
 * is not used any more). */
void br_wake_close(br_wake *w);

#endif
