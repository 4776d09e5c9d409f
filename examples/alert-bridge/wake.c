/*
 * An eventfd polled by the loop, armed at most once between two callbacks
 * (wake.h). Why this is safe: the sender publishes under the consumer's
 * mutex, then arms; the loop disarms, then takes that mutex. If the
 * sender found the wake armed, the loop's disarm comes after the sender's
 * arm, so the loop takes the mutex after the sender released it and sees
 * what was published.
 */
#include "wake.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void on_poll(uv_poll_t *p, int status, int events)
{
	br_wake *w = p->data;
	uint64_t v;
	/* Non-blocking: EAGAIN when a callback already took the count. */
	while (read(w->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	atomic_store(&w->armed, false);
	w->cb(w);
}

int br_wake_init(br_wake *w, uv_loop_t *loop, void (*cb)(br_wake *w))
{
	w->cb = cb;
	atomic_init(&w->armed, false);
	w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	int rc = uv_poll_init(loop, &w->poll, w->fd);
	if (rc == 0) {
		w->poll.data = w;
		rc = uv_poll_start(&w->poll, UV_READABLE, on_poll);
		if (rc != 0)
			uv_close((uv_handle_t *)&w->poll, NULL);
	}
	if (rc != 0) {
		close(w->fd);
		w->fd = -1;
	}
	return rc;
}

void br_wake_send(br_wake *w)
{
	if (atomic_exchange(&w->armed, true))
		return; /* the loop has not run the callback since: it will */
	uint64_t one = 1;
	while (write(w->fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void br_wake_close(br_wake *w)
{
	if (w->fd < 0)
		return;
	/* uv_close takes the fd out of the loop's epoll set at once. */
	uv_close((uv_handle_t *)&w->poll, NULL);
	close(w->fd);
	w->fd = -1;
}
