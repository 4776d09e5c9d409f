/*
 * The syncer thread (syncer.h). The loop pushes committed batches in
 * commit order; the thread takes everything pending, syncs the newest
 * token once (which covers the older ones: tokens increase in commit
 * order) and hands the whole group back through a br_wake (wake.h). While it
 * waits for the disk the worker commits the next batches, which the next
 * sync covers together: fsyncs coalesce without any timer.
 */
/* pthread_setname_np */
#define _GNU_SOURCE
#include "syncer.h"
#include "bridge.h"
#include "wake.h"

#include <pthread.h>
#include <stdbool.h>

static struct syncer {
	rootly_ctx *ctx;
	br_sync_done_fn done;
	br_wake back;             /* hands synced groups to the loop */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	/* under mu */
	br_sync_item *pending, **pending_tail;
	br_sync_item *finished, **finished_tail;
	bool stop;
	unsigned long long syncs;
} S;

static void *syncer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&S.mu);
	for (;;) {
		while (!S.pending && !S.stop)
			pthread_cond_wait(&S.wake, &S.mu);
		if (!S.pending)
			break;
		br_sync_item *group = S.pending;
		S.pending = NULL;
		S.pending_tail = &S.pending;
		pthread_mutex_unlock(&S.mu);
		uint64_t token = 0;
		for (br_sync_item *i = group; i; i = i->next)
			token = i->token > token ? i->token : token;
		uint64_t t0 = br_now_ns();
		int rc = rootly_ctx_sync(S.ctx, token);
		if (rc < 0)
			br_log(BR_LOG_ERROR, "sync of the committed batches failed: %s", rootly_error_last()->message);
		uint64_t now = br_now_ns();
		br_sync_item *last = group;
		for (br_sync_item *i = group; i; i = i->next) {
			i->rc = rc;
			i->wait_seconds = (double)(now - i->pushed_ns) / 1e9;
			i->sync_seconds = (double)(now - t0) / 1e9;
			last = i;
		}
		pthread_mutex_lock(&S.mu);
		S.syncs++;
		*S.finished_tail = group;
		S.finished_tail = &last->next;
		pthread_mutex_unlock(&S.mu);
		br_wake_send(&S.back);
		pthread_mutex_lock(&S.mu);
	}
	pthread_mutex_unlock(&S.mu);
	return NULL;
}

static void on_wake(br_wake *w)
{
	(void)w;
	pthread_mutex_lock(&S.mu);
	br_sync_item *list = S.finished;
	S.finished = NULL;
	S.finished_tail = &S.finished;
	pthread_mutex_unlock(&S.mu);
	for (br_sync_item *i = list, *next; i; i = next) {
		next = i->next;
		i->next = NULL;
		S.done(i);
	}
}

int br_syncer_start(uv_loop_t *loop, rootly_ctx *ctx, br_sync_done_fn done)
{
	S.ctx = ctx;
	S.done = done;
	S.pending = S.finished = NULL;
	S.pending_tail = &S.pending;
	S.finished_tail = &S.finished;
	S.stop = false;
	S.syncs = 0;
	pthread_mutex_init(&S.mu, NULL);
	pthread_cond_init(&S.wake, NULL);
	int rc = br_wake_init(&S.back, loop, on_wake);
	if (rc != 0)
		return rc;
	rc = pthread_create(&S.thread, NULL, syncer_main, NULL);
	if (rc != 0) {
		br_wake_close(&S.back);
		return rc;
	}
	pthread_setname_np(S.thread, "br-sync");
	S.started = true;
	return 0;
}

void br_syncer_push(br_sync_item *items)
{
	uint64_t now = br_now_ns();
	br_sync_item *last = items;
	for (br_sync_item *i = items; i; i = i->next) {
		i->rc = 0;
		i->pushed_ns = now;
		last = i;
	}
	pthread_mutex_lock(&S.mu);
	*S.pending_tail = items;
	S.pending_tail = &last->next;
	pthread_cond_signal(&S.wake);
	pthread_mutex_unlock(&S.mu);
}

void br_syncer_stop(void)
{
	if (!S.started)
		return;
	pthread_mutex_lock(&S.mu);
	S.stop = true;
	pthread_cond_signal(&S.wake);
	pthread_mutex_unlock(&S.mu);
	pthread_join(S.thread, NULL);
	S.started = false;
	br_wake_close(&S.back);
}

unsigned long long br_syncer_syncs(void)
{
	pthread_mutex_lock(&S.mu);
	unsigned long long n = S.syncs;
	pthread_mutex_unlock(&S.mu);
	return n;
}
