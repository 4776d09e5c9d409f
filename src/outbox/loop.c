/*
 * The dispatcher on a libuv loop (rootly_outbox_attach_loop): a timer
 * claims due items; HTTP transports run their exchanges on libcurl's multi
 * interface, driven by the loop (uv_poll per socket, a uv_timer for curl's
 * timeouts, curl_multi_socket_action), so many deliveries are in flight at
 * once on one thread; other transports are called on the loop's thread.
 * Outcomes are recorded exactly as rootly_ctx_dispatch records them.
 * A third timer runs rootly_workflow_tick every `outbox.workflow_tick`
 * (default 60 s), so repeating workflow timers fire on any program that
 * attaches a loop, without calling tick itself.
 */
#include "outbox/state.h"

#include <stdio.h>
#include <uv.h>

#include "rootly/workflow.h"
#include "transport/transport.h"

struct rootly__outbox_loop {
	rootly_ctx *ctx;
	uv_loop_t *uv;
	uv_timer_t tick;        /* claim due items */
	uv_timer_t curl_timer;  /* libcurl's timeout */
	uv_timer_t wf_timer;    /* rootly_workflow_tick, repeating */
	CURLM *multi;
	size_t inflight;
	rootly__ob_job *running; /* jobs with a request in flight */
	int open_handles;       /* closed asynchronously; freed at 0 */
	bool detached;
};

typedef struct async_http {
	rootly__exchange *ex;
	CURL *easy;
	rootly__http_req req;
	rootly_buf sink;
} async_http;

typedef struct sock_ctx {
	uv_poll_t poll;
	curl_socket_t fd;
	struct rootly__outbox_loop *l;
} sock_ctx;

static void schedule(struct rootly__outbox_loop *l, uint64_t ms);

static void handle_closed(uv_handle_t *h)
{
	struct rootly__outbox_loop *l = h->data;
	if (--l->open_handles == 0)
		rootly_free(l);
}

static void sock_closed(uv_handle_t *h)
{
	rootly_free(h->data);
}

static void unlink_job(struct rootly__outbox_loop *l, rootly__ob_job *job)
{
	for (rootly__ob_job **p = &l->running; *p; p = &(*p)->next)
		if (*p == job) {
			*p = job->next;
			break;
		}
	job->next = NULL;
}

static void async_free(async_http *a)
{
	if (!a)
		return;
	if (a->easy)
		curl_easy_cleanup(a->easy);
	rootly__http_req_clear(&a->req);
	rootly_buf_dispose(&a->sink);
	rootly__exchange_free(a->ex);
	rootly_free(a);
}

/* Record a job's outcome and let the next items come. */
static void complete(struct rootly__outbox_loop *l, rootly__ob_job *job)
{
	struct rootly__outbox_state *st = l->ctx->outbox;
	/* A failure to record leaves the item in flight: its lease brings it back. */
	rootly__ctx_fail(l->ctx, rootly__ob_finish(l->ctx, st, job));
	async_free(job->loop_data);
	rootly__ob_job_free(job);
	l->inflight--;
	schedule(l, 0);
}

/* Send the exchange's current request; false when it could not start. */
static bool send_request(struct rootly__outbox_loop *l, rootly__ob_job *job)
{
	async_http *a = job->loop_data;
	rootly_buf_dispose(&a->sink);
	a->sink = (rootly_buf)ROOTLY_BUF_INIT;
	rootly__http_setup(a->easy, a->ex->t, &a->req, &a->sink);
	curl_easy_setopt(a->easy, CURLOPT_PRIVATE, job);
	if (curl_multi_add_handle(l->multi, a->easy) != CURLM_OK) {
		rootly__ex_fail(&job->r, ROOTLY_DELIVERY_RETRY, "curl_multi_add_handle failed");
		return false;
	}
	job->next = l->running;
	l->running = job;
	return true;
}

static void check_multi(struct rootly__outbox_loop *l)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(l->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode cc = msg->data.result;
		rootly__ob_job *job = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&job);
		curl_multi_remove_handle(l->multi, easy);
		unlink_job(l, job);
		async_http *a = job->loop_data;
		rootly__http_resp resp;
		rootly__http_response(easy, (int)cc, &a->sink, &resp);
		rootly__http_req_clear(&a->req);
		int more = a->ex->step(a->ex, &resp, &a->req, &job->r);
		if (more > 0 && send_request(l, job))
			continue;
		complete(l, job);
	}
}

static void on_poll(uv_poll_t *h, int status, int events)
{
	sock_ctx *s = h->data;
	int flags = 0, running;
	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	struct rootly__outbox_loop *l = s->l;
	curl_multi_socket_action(l->multi, s->fd, flags, &running);
	check_multi(l);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct rootly__outbox_loop *l = userp;
	sock_ctx *s = socketp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			uv_poll_stop(&s->poll);
			uv_close((uv_handle_t *)&s->poll, sock_closed);
			curl_multi_assign(l->multi, fd, NULL);
		}
		return 0;
	}
	if (!s) {
		s = rootly__calloc(1, sizeof(*s));
		if (!s)
			return -1;
		s->fd = fd;
		s->l = l;
		if (uv_poll_init_socket(l->uv, &s->poll, fd) != 0) {
			rootly_free(s);
			return -1;
		}
		s->poll.data = s;
		curl_multi_assign(l->multi, fd, s);
	}
	int events = 0;
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, on_poll);
	return 0;
}

static void on_curl_timeout(uv_timer_t *t)
{
	struct rootly__outbox_loop *l = t->data;
	int running;
	curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi(l);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct rootly__outbox_loop *l = userp;
	(void)multi;
	if (timeout_ms < 0)
		uv_timer_stop(&l->curl_timer);
	else
		uv_timer_start(&l->curl_timer, on_curl_timeout, (uint64_t)timeout_ms, 0);
	return 0;
}

/* Start one claimed job: an HTTP exchange on the multi handle, or a
 * synchronous delivery for any other transport. */
static void start(struct rootly__outbox_loop *l, rootly__ob_job *job)
{
	struct rootly__outbox_state *st = l->ctx->outbox;
	if (rootly__ob_lease_lost(l->ctx, job)) {
		rootly__ob_job_free(job);
		return;
	}
	l->inflight++;
	int rc = rootly__ob_prepare(l->ctx, st, job);
	if (rc < 0) {
		/* Cannot even prepare (store, memory): leave it to the lease. */
		rootly__ctx_fail(l->ctx, rc);
		rootly__ob_job_free(job);
		l->inflight--;
		return;
	}
	if (!job->t) {
		complete(l, job);
		return;
	}
	if (job->t->deliver != rootly__http_deliver) {
		if (job->t->deliver(job->t, &job->d, &job->r) < 0)
			rootly__ex_fail(&job->r, ROOTLY_DELIVERY_RETRY, "transport %s: %s", job->t->name,
				rootly_error_last()->message);
		complete(l, job);
		return;
	}
	async_http *a = rootly__calloc(1, sizeof(*a));
	if (!a) {
		rootly__ex_fail(&job->r, ROOTLY_DELIVERY_RETRY, "out of memory");
		complete(l, job);
		return;
	}
	job->loop_data = a;
	a->ex = rootly__exchange_new((rootly__http_transport *)job->t, &job->d, &job->r);
	if (!a->ex || a->ex->step(a->ex, NULL, &a->req, &job->r) <= 0) {
		complete(l, job);
		return;
	}
	a->easy = curl_easy_init();
	if (!a->easy) {
		rootly__ex_fail(&job->r, ROOTLY_DELIVERY_RETRY, "curl_easy_init failed");
		complete(l, job);
		return;
	}
	if (!send_request(l, job))
		complete(l, job);
}

static void on_tick(uv_timer_t *t)
{
	struct rootly__outbox_loop *l = t->data;
	rootly_ctx *ctx = l->ctx;
	struct rootly__outbox_state *st = rootly__outbox_state_get(ctx);
	if (!st) {
		schedule(l, 1000);
		return;
	}
	size_t room = st->set.batch > l->inflight ? st->set.batch - l->inflight : 0;
	if (room) {
		rootly__ob_job *jobs = NULL;
		int rc = rootly__ob_claim(ctx, st, room, rootly_ctx_now(ctx), &jobs);
		if (rc < 0)
			rootly__ctx_fail(ctx, rc);
		while (jobs && !l->detached) {
			rootly__ob_job *job = jobs;
			jobs = job->next;
			job->next = NULL;
			start(l, job);
		}
		while (jobs) { /* detached while starting: the lease brings them back */
			rootly__ob_job *job = jobs;
			jobs = job->next;
			rootly__ob_job_free(job);
		}
	}
	if (l->detached)
		return;
	/* Next look: the earliest due item, at most poll_ms away. */
	rootly_time due = 0, now = rootly_ctx_now(ctx);
	uint64_t wait = (uint64_t)st->set.poll_ms;
	if (l->inflight < st->set.batch && rootly_outbox_next_due(ctx, &due) == 0 && due && due > now &&
	    (uint64_t)(due - now) < wait)
		wait = (uint64_t)(due - now);
	if (!uv_is_active((uv_handle_t *)&l->tick))
		uv_timer_start(&l->tick, on_tick, wait, 0);
}

/* Workflow timers: a tick at the context's clock (an injected clock is
 * honoured); its runs commit their outbox items, delivered right away. */
static void on_workflow_tick(uv_timer_t *t)
{
	struct rootly__outbox_loop *l = t->data;
	size_t fired = 0;
	if (l->detached)
		return;
	/* A failure stores nothing of the tick; the next one finds the same
	 * timers due. It stays readable as the context's last error. */
	int rc = rootly_workflow_tick(l->ctx, 0, &fired);
	if (rc >= 0 && fired)
		schedule(l, 0);
}

static void schedule(struct rootly__outbox_loop *l, uint64_t ms)
{
	if (!l->detached)
		uv_timer_start(&l->tick, on_tick, ms, 0);
}

rootly_status rootly_outbox_attach_loop(rootly_ctx *ctx, struct uv_loop_s *loop)
{
	struct rootly__outbox_state *st = ctx ? rootly__outbox_state_get(ctx) : NULL;
	if (!ctx || !loop)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_outbox_attach_loop: NULL argument"));
	if (!st)
		return rootly__ctx_fail(ctx, ROOTLY_ENOMEM);
	if (st->loop)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_outbox_attach_loop: a loop is already attached"));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct rootly__outbox_loop *l = rootly__calloc(1, sizeof(*l));
	if (!l)
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	l->multi = curl_multi_init();
	if (!l->multi) {
		rootly_free(l);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	l->ctx = ctx;
	l->uv = loop;
	uv_timer_init(loop, &l->tick);
	uv_timer_init(loop, &l->curl_timer);
	uv_timer_init(loop, &l->wf_timer);
	l->tick.data = l;
	l->curl_timer.data = l;
	l->wf_timer.data = l;
	l->open_handles = 3;
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
	st->loop = l;
	schedule(l, 0);
	uv_timer_start(&l->wf_timer, on_workflow_tick, (uint64_t)st->set.workflow_tick_ms,
		(uint64_t)st->set.workflow_tick_ms);
	return 0;
}

void rootly__outbox_loop_free(struct rootly__outbox_loop *l)
{
	if (!l || l->detached)
		return;
	l->detached = true;
	/* Abandon what is in flight: the items stay in_flight until their
	 * lease runs out, then any dispatcher delivers them again. */
	while (l->running) {
		rootly__ob_job *job = l->running;
		l->running = job->next;
		async_http *a = job->loop_data;
		curl_multi_remove_handle(l->multi, a->easy);
		async_free(a);
		job->loop_data = NULL;
		rootly__ob_job_free(job);
	}
	curl_multi_cleanup(l->multi);
	l->multi = NULL;
	uv_timer_stop(&l->tick);
	uv_timer_stop(&l->curl_timer);
	uv_timer_stop(&l->wf_timer);
	uv_close((uv_handle_t *)&l->tick, handle_closed);
	uv_close((uv_handle_t *)&l->curl_timer, handle_closed);
	uv_close((uv_handle_t *)&l->wf_timer, handle_closed);
}

size_t rootly__outbox_loop_inflight(const struct rootly__outbox_loop *l)
{
	return l ? l->inflight : 0;
}

void rootly_outbox_detach_loop(rootly_ctx *ctx)
{
	if (!ctx || !ctx->outbox || !ctx->outbox->loop)
		return;
	rootly__outbox_loop_free(ctx->outbox->loop);
	ctx->outbox->loop = NULL;
}

void rootly_outbox_kick(rootly_ctx *ctx)
{
	if (ctx && ctx->outbox && ctx->outbox->loop)
		schedule(ctx->outbox->loop, 0);
}
