/*
 * One bridge-owned thread running the loop's tasks (lane.h). The hand-off
 * costs what uv_queue_work's did (a condition variable one way; the other
 * an eventfd, wake.h, without uv_async_t's spin); what changes is that
 * the tasks all run on this one thread.
 */
/* pthread_setname_np */
#define _GNU_SOURCE
#include "lane.h"

static void *lane_main(void *arg)
{
	br_lane *l = arg;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->pending && !l->stop)
			pthread_cond_wait(&l->wake, &l->mu);
		if (!l->pending)
			break;
		br_task *t = l->pending;
		l->pending = t->next;
		if (!l->pending)
			l->pending_tail = &l->pending;
		pthread_mutex_unlock(&l->mu);
		t->next = NULL;
		/* Read before work: a task without `done` may be freed by it. */
		bool back = t->done != NULL;
		t->work(t);
		pthread_mutex_lock(&l->mu);
		if (back) {
			*l->finished_tail = t;
			l->finished_tail = &t->next;
			pthread_mutex_unlock(&l->mu);
			br_wake_send(&l->back);
			pthread_mutex_lock(&l->mu);
		}
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void on_wake(br_wake *w)
{
	br_lane *l = w->data;
	pthread_mutex_lock(&l->mu);
	br_task *list = l->finished;
	l->finished = NULL;
	l->finished_tail = &l->finished;
	pthread_mutex_unlock(&l->mu);
	for (br_task *t = list, *next; t; t = next) {
		next = t->next;
		t->next = NULL;
		t->done(t);
	}
}

int br_lane_start(br_lane *l, uv_loop_t *loop, const char *name)
{
	l->pending = l->finished = NULL;
	l->pending_tail = &l->pending;
	l->finished_tail = &l->finished;
	l->stop = false;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->wake, NULL);
	l->back.data = l;
	int rc = br_wake_init(&l->back, loop, on_wake);
	if (rc != 0)
		return rc;
	rc = pthread_create(&l->thread, NULL, lane_main, l);
	if (rc != 0) {
		br_wake_close(&l->back);
		return -rc; /* libuv's convention: a negative errno */
	}
	pthread_setname_np(l->thread, name);
	l->started = true;
	return 0;
}

void br_lane_push(br_lane *l, br_task *t)
{
	t->next = NULL;
	pthread_mutex_lock(&l->mu);
	*l->pending_tail = t;
	l->pending_tail = &t->next;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->mu);
}

void br_lane_stop(br_lane *l)
{
	if (!l->started)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->wake);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	l->started = false;
	br_wake_close(&l->back);
}
