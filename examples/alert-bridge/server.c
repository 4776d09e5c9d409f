/*
 * The loop side of the bridge: h2o on libuv, routing, the job queue and
 * the group commit (one worker batch at a time, committed deferred, then
 * synced on the syncer thread before its answers go out), the connection
 * cap and the graceful stop. Everything here runs on the loop thread except
 * work_cb, on the commit worker's thread (lane.c), which is the only code
 * that changes the rootly_ctx; prep_task_work and retire_work, on the
 * prepare thread (--prepare-on pool), which only read its configuration
 * (rootly_ingest_prepare) and free parsed payloads; metrics_work_cb, on
 * libuv's pool, on the reader context; and the syncer thread (syncer.c),
 * which calls rootly_ctx_sync on it, the one call allowed off its thread.
 */
#include "bridge.h"
#include "lane.h"
#include "outbox.h"
#include "server.h"
#include "syncer.h"

#include <h2o.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

/* Committed batches waiting for their sync at most, so that answers held
 * back (memory) and their latency stay bounded: the worker takes no new
 * batch while this many wait, and held batches go to the syncer. */
#define SYNC_MAX 4

typedef struct batch {
	br_task task;            /* on the commit worker's lane */
	br_sync_item sync;       /* its durability token, on the syncer's queue */
	br_job *jobs;            /* processed in this batch */
	br_job *rest;            /* taken but left for the next batch (time bound) */
	unsigned n;
	int begin_rc, commit_rc;
	double seconds;          /* the whole batch */
	double commit_seconds;   /* rootly_ctx_batch_commit_deferred alone (no fsync) */
	bool wrote;              /* some job of the batch changed the store */
} batch;

static struct bridge {
	uv_loop_t *loop;
	rootly_ctx *rctx;
	br_options opts;
	h2o_globalconf_t gconf;
	h2o_context_t hctx;
	h2o_accept_ctx_t actx;
	uv_tcp_t listener;
	bool listening;
	unsigned conns;
	bool accept_pending;
	br_job *head, *tail;
	size_t queued;
	/* Intake: jobs in arrival order while alert payloads are prepared
	 * (admit); they move to the commit queue from the front, in order. */
	br_job *ihead, *itail;
	size_t intake;
	br_lane prepare;         /* --prepare-on pool: the prepare lane */
	batch *inflight;
	/* The commit worker: one thread of the bridge's own (lane.h), so that
	 * every batch runs on the same thread, its caches warm. */
	br_lane worker;
	unsigned syncing;        /* committed batches waiting for their sync (held or at the syncer) */
	unsigned sync_jobs;      /* the jobs of those batches */
	/* Committed batches not yet handed to the syncer (see sync_maybe),
	 * linked through their sync items. */
	br_sync_item *held, **held_tail;
	unsigned held_batches;
	unsigned at_syncer;      /* batches of the group the syncer has */
	double last_sync_s;      /* the last sync's duration */
	/* GET /metrics reads every incident: it runs on a reader context of
	 * its own (WAL readers do not wait for the writer), one at a time,
	 * so a scrape never holds up a group commit. */
	rootly_ctx *reader;
	br_job *mhead, *mtail;
	uv_work_t mwork;
	br_job *minflight;
	bool store_ok;
	/* Commit delay (see dispatch): the last batch's phases, the timer. */
	double last_handle_s, last_commit_s;
	uv_timer_t fill_timer;
	bool fill_waiting;
	uv_timer_t kick_timer;   /* a folded outbox kick (kick_outbox) */
	uint64_t last_kick;      /* uv_now of the last one; 0: none yet */
	bool stopping;
	uint64_t stop_deadline;
	uv_check_t check;
	uv_check_t retire_check; /* intake: frees retired prepared payloads when idle */
	uv_signal_t sigterm, sigint;
	uv_timer_t stop_timer;
	int exit_code;
} B;

/* --- answers ------------------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void respond(h2o_req_t *req, br_route route, uint64_t started, int status, const char *ctype,
	const char *body, size_t len, int retry_after, const br_job *job)
{
	req->res.status = status;
	req->res.reason = reason(status);
	req->res.content_length = len;
	if (ctype)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype, strlen(ctype));
	if (retry_after > 0) {
		char *v = h2o_mem_alloc_pool(&req->pool, 16);
		int n = snprintf(v, 16, "%d", retry_after);
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, v, (size_t)n);
	}
	if (route == BR_R_OTHER && status == 405)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET, POST"));
	br_metrics_request(route, status);
	br_log_request(req->method.base, req->method.len, req->path.base, req->path.len, status, len,
		(double)(br_now_ns() - started) / 1e6, job);
	if (len == 0) {
		/* No body buffer at all: h2o_send_inline would hand libuv the
		 * head plus an empty buffer, and libuv, finding that buffer
		 * still "unwritten" after the writev, waits for POLLOUT to write
		 * nothing: three epoll_ctl, a write(fd, "", 0) and a loop turn
		 * per answer (Alertmanager's API answers 200 with no body). */
		static h2o_generator_t empty = { NULL, NULL };
		h2o_start_response(req, &empty);
		h2o_send(req, NULL, 0, H2O_SEND_STATE_FINAL);
		return;
	}
	h2o_send_inline(req, body, len);
}

static void respond_error(h2o_req_t *req, br_route route, uint64_t started, int status, const char *code,
	const char *message, int retry_after)
{
	br_buf b = { 0 };
	br_buf_puts(&b, "{\"status\":\"error\",\"error\":");
	br_buf_json_str(&b, code);
	br_buf_puts(&b, ",\"message\":");
	br_buf_json_str(&b, message);
	br_buf_puts(&b, "}");
	char *text = br_buf_take(&b);
	respond(req, route, started, status, "application/json", text ? text : "{}", text ? strlen(text) : 2,
		retry_after, NULL);
	free(text);
}

/* --- jobs ------------------------------------------------------------------- */

/* Prepared payloads of finished jobs, freed on the prepare thread before
 * its next parse (retire_push) rather than here: freeing a parsed payload
 * (a walk over its trees) costs about a third of parsing it, and the loop
 * thread answers the requests. The trees are arena blocks
 * (src/core/arena.c): freeing them anywhere only counts them off their
 * chunks. */
static struct retired {
	rootly_ingest_prepared **v;
	size_t n, cap;
} R;

static void retired_free(rootly_ingest_prepared **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rootly_ingest_prepared_free(v[i]);
	free(v);
}

/* Whether payloads are prepared on the prepare lane (pool, or auto for big
 * bodies). */
static bool uses_lane(void)
{
	return B.opts.prepare_on == BR_PREPARE_POOL || B.opts.prepare_on == BR_PREPARE_AUTO;
}

static void retire_prepared(rootly_ingest_prepared *p)
{
	if (!p)
		return;
	if (!uses_lane() || R.n == R.cap) {
		if (!uses_lane()) {
			rootly_ingest_prepared_free(p);
			return;
		}
		size_t cap = R.cap ? R.cap * 2 : 64;
		rootly_ingest_prepared **v = realloc(R.v, cap * sizeof(*v));
		if (!v) {
			rootly_ingest_prepared_free(p);
			return;
		}
		R.v = v;
		R.cap = cap;
	}
	R.v[R.n++] = p;
}

/* After each loop iteration: when nothing is being prepared, queued or
 * committed, no prepare will come soon to take the retired payloads along:
 * send them to the prepare thread now rather than hold their memory. */
static void retire_push(void);

static void on_retire_check(uv_check_t *h)
{
	if (R.n && !B.ihead && !B.head && !B.inflight)
		retire_push();
}

static void job_unref(br_job *job)
{
	if (--job->refs > 0)
		return;
	free(job->body);
	free(job->arg);
	free(job->query);
	free(job->headers);
	free(job->prefix);
	free(job->resp);
	retire_prepared(job->prep);
	free(job);
}

/* h2o frees a request's pool when the request is done or its client went
 * away; the guard in that pool tells the job not to answer any more. */
static void on_req_dispose(void *p)
{
	br_job *job = *(br_job **)p;
	job->req = NULL;
	job_unref(job);
}

/* Copy the request headers into one block: the kv array, then the
 * NUL-terminated names and values. */
static bool copy_headers(br_job *job, const h2o_req_t *req)
{
	size_t n = req->headers.size, bytes = n * sizeof(rootly_kv);
	for (size_t i = 0; i < n; i++)
		bytes += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 2;
	char *block = malloc(bytes ? bytes : 1);
	if (!block)
		return false;
	rootly_kv *kv = (rootly_kv *)block;
	char *s = block + n * sizeof(rootly_kv);
	for (size_t i = 0; i < n; i++) {
		const h2o_header_t *h = &req->headers.entries[i];
		kv[i].key = s;
		memcpy(s, h->name->base, h->name->len);
		s[h->name->len] = '\0';
		s += h->name->len + 1;
		kv[i].value = s;
		memcpy(s, h->value.base, h->value.len);
		s[h->value.len] = '\0';
		s += h->value.len + 1;
	}
	job->headers = kv;
	job->headers_count = n;
	return true;
}

static void enqueue(br_job *job)
{
	job->next = NULL;
	if (B.tail)
		B.tail->next = job;
	else
		B.head = job;
	B.tail = job;
	B.queued++;
}

/* --- intake: alert payloads prepared off the commit worker ------------------ */

/*
 * An alert payload is authenticated and parsed (rootly_ingest_prepare)
 * before its job reaches the commit queue, so the worker only applies it
 * inside its batch: on the bridge's prepare thread (--prepare-on pool,
 * below) or on the loop thread (--prepare-on loop). The default, --prepare-on worker, keeps
 * rootly_ingest on the worker (docs/bridge.md has the measurements). A refused payload (401, 400, 422, 404...) is
 * answered from here and never enters a batch. Jobs reach the commit queue
 * in arrival order: one waiting for its payload holds up those behind it,
 * so a resolve never overtakes its firing alert.
 */
static void answer_job(br_job *job);
static void maybe_finish_stop(void);

static void intake_drain(void)
{
	while (B.ihead && B.ihead->prepared) {
		br_job *j = B.ihead;
		B.ihead = j->next;
		if (!B.ihead)
			B.itail = NULL;
		B.intake--;
		if (j->status) {
			answer_job(j); /* refused: answered without a batch */
			job_unref(j);
		} else {
			enqueue(j);
		}
	}
}

/* On the loop thread (--prepare-on loop). */
static void prepare_here(br_job *job)
{
	br_prepare(B.rctx, job);
	job->prepared = true;
}

/*
 * --prepare-on pool: each payload is one task on the prepare lane (a
 * thread of the bridge's own, lane.h), handed back to the loop as soon as
 * it is parsed, so the commit worker can apply the first payloads while
 * the lane parses the next ones. (One pool job for every waiting payload,
 * as before, handed them over only together: at 8 connections of 100
 * alerts the requests then moved as one convoy through parse, commit and
 * sync, and the worker idled during the parse.) Parsed payloads are
 * freed on the lane too (retire_task), before the next parse, which takes
 * their blocks from the lane's jansson block cache.
 */
typedef struct retire_task {
	br_task task;
	rootly_ingest_prepared **v;
	size_t n;
} retire_task;

static void retire_work(br_task *t)
{
	retire_task *rt = (retire_task *)t;
	retired_free(rt->v, rt->n);
	free(rt);
}

/* The retired payloads (R) go to the lane, to be freed before what is
 * pushed after them; on the loop when there is no memory for the task. */
static void retire_push(void)
{
	if (!R.n)
		return;
	retire_task *rt = malloc(sizeof(*rt));
	if (rt) {
		rt->task.work = retire_work;
		rt->task.done = NULL;
		rt->v = R.v;
		rt->n = R.n;
		br_lane_push(&B.prepare, &rt->task);
	} else {
		retired_free(R.v, R.n);
	}
	R.v = NULL;
	R.n = R.cap = 0;
}

static void prep_task_work(br_task *t)
{
	br_job *j = (br_job *)((char *)t - offsetof(br_job, ptask));
	if (br_prepare(B.rctx, j)) {
		/* The worker applies the parsed alerts: the text is done with. */
		free(j->body);
		j->body = NULL;
	}
}

static void prep_task_done(br_task *t)
{
	br_job *j = (br_job *)((char *)t - offsetof(br_job, ptask));
	j->prepared = true;
	intake_drain();
	maybe_finish_stop();
}

/* Send a job's payload to the prepare lane: jobs are pushed as they are
 * admitted, so the lane parses them in arrival order. */
static void prepare_on_lane(br_job *j)
{
	retire_push();
	j->ptask.work = prep_task_work;
	j->ptask.done = prep_task_done;
	br_lane_push(&B.prepare, &j->ptask);
}

static bool needs_prepare(const br_job *job)
{
	if (B.opts.prepare_on == BR_PREPARE_WORKER ||
	    (B.opts.prepare_on == BR_PREPARE_AUTO && job->body_len < BR_PREPARE_AUTO_MIN_BYTES))
		return false;
	return job->route == BR_R_AM_V2 || job->route == BR_R_ALERTS || job->route == BR_R_ENQUEUE;
}

/* A new job: to the commit queue, through the intake when its payload is
 * to be prepared or jobs ahead of it still are. */
static void admit(br_job *job)
{
	bool prep = needs_prepare(job);
	if (!prep && !B.ihead) {
		enqueue(job);
		return;
	}
	job->next = NULL;
	job->prepared = !prep;
	if (B.itail)
		B.itail->next = job;
	else
		B.ihead = job;
	B.itail = job;
	B.intake++;
	if (!prep)
		return;
	if (B.opts.prepare_on == BR_PREPARE_LOOP) {
		prepare_here(job);
		intake_drain();
		return;
	}
	prepare_on_lane(job);
}

/* --- the group commit -------------------------------------------------------- */

static void work_cb(br_task *t)
{
	batch *b = (batch *)t;
	uint64_t t0 = br_now_ns(), limit = (uint64_t)B.opts.batch_max_ms * 1000000u;
	b->begin_rc = rootly_ctx_batch_begin(B.rctx);
	if (b->begin_rc < 0) {
		br_log(BR_LOG_ERROR, "batch begin: %s", rootly_error_last()->message);
		for (br_job *j = b->jobs; j; j = j->next)
			br_answer_unavailable(j);
		return;
	}
	br_job **link = &b->jobs;
	unsigned done = 0;
	for (br_job *j = b->jobs; j; j = j->next) {
		/* Bounded in time as well as count: a batch of slow requests
		 * (big payloads, a long list) commits what it has and leaves the
		 * rest to the next batch, so early requests are not held. */
		if (done > 0 && br_now_ns() - t0 > limit) {
			b->rest = j;
			*link = NULL;
			break;
		}
		br_handle(B.rctx, j, &B.opts);
		b->wrote = b->wrote || j->wrote;
		done++;
		link = &j->next;
	}
	b->n = done;
	uint64_t tc = br_now_ns();
	/* Committed and visible, but durable only once the syncer thread's
	 * rootly_ctx_sync returns: the answers wait for that (on_synced). */
	b->commit_rc = rootly_ctx_batch_commit_deferred(B.rctx, &b->sync.token);
	b->commit_seconds = (double)(br_now_ns() - tc) / 1e9;
	if (b->commit_rc < 0) {
		/* Nothing of this batch is stored: no answer may say otherwise. */
		br_log(BR_LOG_ERROR, "batch commit: %s", rootly_error_last()->message);
		for (br_job *j = b->jobs; j; j = j->next)
			br_answer_unavailable(j);
	}
	b->seconds = (double)(br_now_ns() - t0) / 1e9;
}

static void answer_job(br_job *job)
{
	h2o_req_t *req = job->req;
	br_metrics_job(job);
	if (req) {
		respond(req, job->route, job->started_ns, job->status ? job->status : 503,
			job->content_type, job->resp ? job->resp : "", job->resp ? job->resp_len : 0,
			job->retry_after, job);
	}
}

static void dispatch(void);
static void dispatch_now(void);
static void maybe_finish_stop(void);

/*
 * The outbox dispatcher is woken after each committed batch that wrote
 * (a workflow may have enqueued items), but not more often than every
 * KICK_MIN_MS: each wake-up costs it a claim (a transaction on its own
 * connection to the store) and libuv's uv_async_send makes the woken
 * thread spin until the sender's write(2) returns; at one alert per
 * request that was up to a thousand of each a second, 4-6% of the
 * bridge's CPU. A kick inside the interval is folded into one at its end,
 * so an item waits at most KICK_MIN_MS longer.
 */
#define KICK_MIN_MS 10

static void kick_outbox_now(void)
{
	B.last_kick = uv_now(B.loop);
	br_outbox_kick();
}

static void on_kick_timer(uv_timer_t *t)
{
	kick_outbox_now();
}

static void kick_outbox(void)
{
	if (uv_is_active((uv_handle_t *)&B.kick_timer))
		return; /* a folded kick is due: it covers this one */
	uint64_t since = uv_now(B.loop) - B.last_kick;
	if (B.last_kick == 0 || since >= KICK_MIN_MS)
		kick_outbox_now();
	else
		uv_timer_start(&B.kick_timer, on_kick_timer, KICK_MIN_MS - since, 0);
}

/* The batch is over (durable, or failed): its answers go out. */
static void finish_batch(batch *b, double sync_seconds)
{
	B.store_ok = b->begin_rc >= 0 && b->commit_rc >= 0 && b->sync.rc >= 0;
	/* A committed change may have enqueued outbox items (workflows). */
	if (B.store_ok && b->wrote)
		kick_outbox();
	if (b->begin_rc >= 0)
		br_metrics_commit(b->seconds, b->commit_seconds, sync_seconds, b->n);
	for (br_job *j = b->jobs, *next; j; j = next) {
		next = j->next;
		answer_job(j);
		job_unref(j);
	}
	free(b);
	dispatch();
	maybe_finish_stop();
}

static void sync_maybe(void);

/* Loop thread: the syncer is done with a batch. */
static void on_synced(br_sync_item *item)
{
	batch *b = (batch *)((char *)item - offsetof(batch, sync));
	B.syncing--;
	B.sync_jobs -= b->n;
	B.last_sync_s = item->sync_seconds;
	if (--B.at_syncer == 0)
		sync_maybe(); /* the next group, before this one's answers */
	if (item->rc < 0) {
		/* Committed but not known durable: no answer may say stored. */
		for (br_job *j = b->jobs; j; j = j->next)
			br_answer_unavailable(j);
	}
	finish_batch(b, item->wait_seconds);
}

static void after_work_cb(br_task *t)
{
	batch *b = (batch *)t;
	B.inflight = NULL;
	if (b->begin_rc >= 0) {
		/* The commit delay weighs handling against the whole durable
		 * commit: the commit and the sync that makes it durable. */
		B.last_commit_s = b->commit_seconds + B.last_sync_s;
		B.last_handle_s = b->seconds - b->commit_seconds;
	}
	/* Jobs left by the time bound go back to the front of the queue. */
	if (b->rest) {
		br_job *last = b->rest;
		size_t n = 1;
		while (last->next) {
			last = last->next;
			n++;
		}
		last->next = B.head;
		if (!B.head)
			B.tail = last;
		B.head = b->rest;
		B.queued += n;
	}
	/* Every committed batch waits for its sync, read-only ones included:
	 * their token is the last commit's, so they never show data that is
	 * not durable yet. Token 0: already durable (or nothing committed). */
	if (b->begin_rc >= 0 && b->commit_rc >= 0 && b->sync.token != 0) {
		B.syncing++;
		b->sync.next = NULL;
		*B.held_tail = &b->sync;
		B.held_tail = &b->sync.next;
		B.held_batches++;
		B.sync_jobs += b->n;
		sync_maybe();
		dispatch(); /* the worker goes on while the disk works */
		return;
	}
	finish_batch(b, 0);
}

/*
 * Held batches go to the syncer as one group whenever it is idle: one
 * sync (one fsync) at a time, and the batches the worker commits while it
 * runs make up the next group, so fsyncs coalesce by themselves. Whether
 * waiting to fill a group pays is decided before the batch, by the commit
 * delay below, which counts the sync as part of the commit.
 */
static void sync_maybe(void)
{
	if (B.at_syncer || !B.held)
		return;
	br_sync_item *group = B.held;
	B.at_syncer = B.held_batches;
	B.held = NULL;
	B.held_tail = &B.held;
	B.held_batches = 0;
	br_syncer_push(group);
}

static void on_fill_timer(uv_timer_t *t)
{
	B.fill_waiting = false;
	dispatch_now();
}

/*
 * Commit delay. When the durable commit (the deferred commit plus its
 * sync: the fsync) costs more than handling the batch, waiting a moment
 * for more requests pays: each
 * HTTP/1 connection has at most one request outstanding, and with N
 * connections the answers of one batch otherwise come back while the
 * next, half-full batch commits, so the clients settle into two groups
 * taking turns (N/2 requests per fsync). Waiting until every connection
 * has a request queued (at most 1 ms, 2 ms when the last commit took
 * 2 ms or more: libuv timers count milliseconds) puts them all into one
 * commit. Idle keep-alive connections only cost that bounded wait. With one connection, or when handling
 * dominates, or while stopping, the batch goes at once. Connections whose
 * request waits for its sync cannot send another: they are not waited for.
 */
static void dispatch(void)
{
	if (B.inflight || !B.head || B.syncing >= SYNC_MAX)
		return;
	bool commit_bound = B.last_commit_s > B.last_handle_s && B.last_commit_s > 0.0002;
	if (commit_bound && !B.stopping && B.queued + B.sync_jobs < B.conns && B.queued < B.opts.batch_max) {
		if (!B.fill_waiting) {
			uint64_t ms = B.last_commit_s >= 0.002 ? 2 : 1;
			B.fill_waiting = true;
			uv_timer_start(&B.fill_timer, on_fill_timer, ms, 0);
		}
		return;
	}
	dispatch_now();
}

static void dispatch_now(void)
{
	if (B.inflight || !B.head || B.syncing >= SYNC_MAX)
		return;
	if (B.fill_waiting) {
		B.fill_waiting = false;
		uv_timer_stop(&B.fill_timer);
	}
	batch *b = calloc(1, sizeof(*b));
	if (!b)
		return; /* retried at the next loop iteration */
	b->task.work = work_cb;
	b->task.done = after_work_cb;
	br_job **link = &b->jobs;
	unsigned n = 0;
	while (B.head && n < B.opts.batch_max) {
		br_job *j = B.head;
		B.head = j->next;
		B.queued--;
		if (j->route == BR_R_METRICS && !j->prefix)
			j->prefix = br_metrics_text(B.queued, B.conns);
		*link = j;
		link = &j->next;
		j->next = NULL;
		n++;
	}
	if (!B.head)
		B.tail = NULL;
	B.inflight = b;
	br_lane_push(&B.worker, &b->task);
}

static void metrics_work_cb(uv_work_t *w)
{
	br_handle(B.reader, B.minflight, &B.opts);
}

static void dispatch_metrics(void);

static void metrics_after_cb(uv_work_t *w, int status)
{
	br_job *j = B.minflight;
	B.minflight = NULL;
	answer_job(j);
	job_unref(j);
	dispatch_metrics();
	maybe_finish_stop();
}

static void dispatch_metrics(void)
{
	if (B.minflight || !B.mhead)
		return;
	br_job *j = B.mhead;
	B.mhead = j->next;
	if (!B.mhead)
		B.mtail = NULL;
	j->next = NULL;
	j->prefix = br_metrics_text(B.queued, B.conns);
	B.minflight = j;
	uv_queue_work(B.loop, &B.mwork, metrics_work_cb, metrics_after_cb);
}

/* After each loop iteration's I/O: what arrived forms the next batch. */
static void on_check(uv_check_t *h)
{
	dispatch();
	br_log_flush();
}

/* --- routing ---------------------------------------------------------------- */

static bool seg_ok(const char *s, size_t n)
{
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

static bool is(const h2o_iovec_t *m, const char *lit)
{
	return m->len == strlen(lit) && !memcmp(m->base, lit, m->len);
}

/* Which route, and its path argument (source or incident reference). */
static br_route route_of(const char *p, size_t n, const char **arg, size_t *arg_len, bool *want_post)
{
	*arg = NULL;
	*arg_len = 0;
#define EQ(lit) (n == sizeof(lit) - 1 && !memcmp(p, lit, n))
#define PFX(lit) (n > sizeof(lit) - 1 && !memcmp(p, lit, sizeof(lit) - 1))
	if (EQ("/api/v2/alerts")) { *want_post = true; return BR_R_AM_V2; }
	if (EQ("/v2/enqueue") || EQ("/v2/enqueue/")) { *want_post = true; return BR_R_ENQUEUE; }
	if (EQ("/metrics")) { *want_post = false; return BR_R_METRICS; }
	if (EQ("/healthz")) { *want_post = false; return BR_R_HEALTHZ; }
	if (EQ("/readyz")) { *want_post = false; return BR_R_READYZ; }
	if (EQ("/v1/incidents") || EQ("/v1/incidents/")) { *want_post = false; return BR_R_INCIDENTS; }
	if (PFX("/v1/alerts/")) {
		*arg = p + 11;
		*arg_len = n - 11;
		*want_post = true;
		return seg_ok(*arg, *arg_len) ? BR_R_ALERTS : BR_R_OTHER;
	}
	if (PFX("/v1/incidents/")) {
		const char *id = p + 14, *end = p + n, *slash = memchr(id, '/', (size_t)(end - id));
		*arg = id;
		*arg_len = (size_t)((slash ? slash : end) - id);
		if (!seg_ok(*arg, *arg_len))
			return BR_R_OTHER;
		*want_post = false;
		if (!slash)
			return BR_R_INCIDENT;
		size_t rl = (size_t)(end - slash);
		if (rl == 9 && !memcmp(slash, "/timeline", 9))
			return BR_R_TIMELINE;
		if (rl == 11 && !memcmp(slash, "/postmortem", 11))
			return BR_R_POSTMORTEM;
		if (rl == 7 && !memcmp(slash, "/status", 7)) {
			*want_post = true;
			return BR_R_STATUS;
		}
	}
#undef EQ
#undef PFX
	return BR_R_OTHER;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
	uint64_t started = br_now_ns();
	/* path_normalized: without the query, "." and ".." resolved. */
	size_t plen = req->path_normalized.len;
	const char *path = req->path_normalized.base;
	const char *arg;
	size_t arg_len;
	bool want_post = false;
	br_route route = route_of(path, plen, &arg, &arg_len, &want_post);
	bool get = is(&req->method, "GET") || is(&req->method, "HEAD"), post = is(&req->method, "POST");

	/* h2o reads at most H2O_MAX_REQLEN (about 400 KiB) of request head;
	 * the bridge's own bound is tighter. */
	size_t head = req->path.len + req->method.len;
	for (size_t i = 0; i < req->headers.size; i++)
		head += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
	if (head > B.opts.max_header) {
		respond_error(req, BR_R_OTHER, started, 431, "headers_too_large",
			"the request's headers are larger than the limit", 0);
		return 0;
	}
	if (route == BR_R_OTHER) {
		respond_error(req, route, started, 404, "not_found", "no such endpoint", 0);
		return 0;
	}
	if (want_post ? !post : !get) {
		respond_error(req, BR_R_OTHER, started, 405, "method_not_allowed",
			want_post ? "this endpoint takes POST" : "this endpoint takes GET", 0);
		return 0;
	}
	if (route == BR_R_HEALTHZ) {
		respond(req, route, started, 200, "application/json", "{\"status\":\"ok\"}", 15, 0, NULL);
		return 0;
	}
	if (route == BR_R_READYZ) {
		if (B.stopping)
			respond_error(req, route, started, 503, "stopping", "the bridge is shutting down", 1);
		else if (B.queued >= B.opts.queue_max)
			respond_error(req, route, started, 503, "overloaded", "too many requests queued", 1);
		else if (B.store_ok)
			respond(req, route, started, 200, "application/json", "{\"status\":\"ready\"}", 18, 0, NULL);
		else
			goto queue; /* the last commit failed: probe the store with a transaction */
		return 0;
	}
	if (B.stopping) {
		respond_error(req, route, started, 503, "stopping", "the bridge is shutting down; retry", 1);
		return 0;
	}
	if (B.queued + B.intake >= B.opts.queue_max) {
		respond_error(req, route, started, 503, "overloaded", "too many requests queued; retry later", 1);
		return 0;
	}

	br_job *job;
	br_job **guard;
queue:
	guard = NULL;
	job = calloc(1, sizeof(*job));
	if (!job)
		goto oom;
	job->route = route;
	job->started_ns = started;
	if (arg && !(job->arg = br_strndup(arg, arg_len)))
		goto oom;
	if (req->query_at != SIZE_MAX &&
	    !(job->query = br_strndup(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1)))
		goto oom;
	if (post) {
		const char *body = req->entity.base ? req->entity.base : "";
		if (!(job->body = br_strndup(body, req->entity.base ? req->entity.len : 0)))
			goto oom;
		job->body_len = req->entity.base ? req->entity.len : 0;
	}
	if (route == BR_R_ALERTS || route == BR_R_ENQUEUE || route == BR_R_AM_V2) {
		if (!copy_headers(job, req))
			goto oom;
		job->source_type = route == BR_R_AM_V2 ? "alertmanager-v2" : route == BR_R_ENQUEUE ? "pagerduty" : job->arg;
	}
	if (route == BR_R_POSTMORTEM) {
		ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT, -1);
		if (i >= 0) {
			const h2o_iovec_t *v = &req->headers.entries[i].value;
			for (size_t k = 0; k + 16 <= v->len && !job->want_json; k++)
				job->want_json = !strncasecmp(v->base + k, "application/json", 16);
		}
	}
	if (!(guard = h2o_mem_alloc_shared(&req->pool, sizeof(*guard), on_req_dispose)))
		goto oom;
	*guard = job;
	job->req = req;
	job->refs = 2;
	if (route == BR_R_METRICS && B.reader) {
		if (B.mtail)
			B.mtail->next = job;
		else
			B.mhead = job;
		B.mtail = job;
		dispatch_metrics();
		return 0;
	}
	admit(job);
	return 0;
oom:
	if (job) {
		job->refs = 1;
		job_unref(job);
	}
	respond_error(req, route, started, 503, "overloaded", "out of memory; retry later", 1);
	return 0;
}

/* --- connections ------------------------------------------------------------ */

static void accept_one(void);

static void on_conn_close(uv_handle_t *h)
{
	free(h);
	B.conns--;
	if (B.accept_pending && B.listening) {
		B.accept_pending = false;
		accept_one();
	}
	maybe_finish_stop();
}

static void free_handle(uv_handle_t *h)
{
	free(h);
}

static void accept_one(void)
{
	uv_tcp_t *conn = malloc(sizeof(*conn));
	if (!conn)
		return;
	uv_tcp_init(B.loop, conn);
	if (uv_accept((uv_stream_t *)&B.listener, (uv_stream_t *)conn) != 0) {
		uv_close((uv_handle_t *)conn, free_handle);
		return;
	}
	uv_tcp_nodelay(conn, 1);
	B.conns++;
	h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)conn, on_conn_close);
	h2o_accept(&B.actx, sock);
}

/* At the connection cap, the new connection is left in the listener:
 * libuv stops polling the listening socket until uv_accept is called,
 * which happens when a connection closes. The kernel's backlog then
 * holds further clients (backpressure, not errors). */
static void on_connect(uv_stream_t *listener, int status)
{
	if (status != 0)
		return;
	if (B.conns >= B.opts.max_conns) {
		B.accept_pending = true;
		return;
	}
	accept_one();
}

/* --- stopping ------------------------------------------------------------------- */

static void on_stop_timer(uv_timer_t *t)
{
	maybe_finish_stop();
}

static void maybe_finish_stop(void)
{
	if (!B.stopping)
		return;
	bool idle = !B.inflight && !B.syncing && !B.head && !B.minflight && !B.mhead && !B.ihead;
	/* In-flight commits and syncs are finished and answered; give the answers a
	 * moment to drain before the process exits. */
	if (idle && (B.conns == 0 || br_now_ns() > B.stop_deadline)) {
		br_log(BR_LOG_INFO, "stopped: every accepted request was answered");
		uv_stop(B.loop);
	}
}

static void on_signal(uv_signal_t *s, int signum)
{
	if (B.stopping)
		return;
	br_log(BR_LOG_INFO, "signal %d: stop accepting, finish queued requests, exit", signum);
	B.stopping = true;
	sync_maybe(); /* held batches go now */
	B.stop_deadline = br_now_ns() + 2000000000u;
	if (B.listening) {
		B.listening = false;
		uv_close((uv_handle_t *)&B.listener, NULL);
	}
	h2o_context_request_shutdown(&B.hctx);
	uv_timer_start(&B.stop_timer, on_stop_timer, 20, 20);
	maybe_finish_stop();
}

/* --- start-up ------------------------------------------------------------------ */

static int parse_listen(const char *s, struct sockaddr_storage *sa)
{
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	char host[64];
	size_t hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || colon[1] == '\0')
		return -1;
	if (host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		return uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)sa);
	}
	return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)sa);
}

bool br_listen_valid(const char *listen)
{
	struct sockaddr_storage sa;
	return parse_listen(listen, &sa) == 0;
}

int br_server_run(rootly_ctx *rctx, rootly_ctx *reader, const br_options *opts, const char *ready_file)
{
	memset(&B, 0, sizeof(B));
	B.loop = uv_default_loop();
	B.rctx = rctx;
	B.reader = reader;
	B.opts = *opts;
	B.store_ok = true;

	struct sockaddr_storage sa;
	if (parse_listen(opts->listen, &sa) != 0) {
		br_log(BR_LOG_ERROR, "--listen %s: expected ADDRESS:PORT, e.g. 127.0.0.1:9095", opts->listen);
		return 2;
	}

	h2o_config_init(&B.gconf);
	B.gconf.max_request_entity_size = opts->max_body;
	B.gconf.http1.req_timeout = opts->req_timeout_ms;
	B.gconf.http2.idle_timeout = opts->idle_timeout_ms;
	B.gconf.server_name = h2o_iovec_init(H2O_STRLIT("rootly-bridge"));
	h2o_hostconf_t *host = h2o_config_register_host(&B.gconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
	h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
	h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
	handler->on_req = on_req;
	h2o_context_init(&B.hctx, B.loop, &B.gconf);
	B.actx.ctx = &B.hctx;
	B.actx.hosts = B.gconf.hosts;

	int rc = uv_tcp_init(B.loop, &B.listener);
	if (rc == 0)
		rc = uv_tcp_bind(&B.listener, (struct sockaddr *)&sa, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&B.listener, 1024, on_connect);
	if (rc != 0) {
		br_log(BR_LOG_ERROR, "listen on %s: %s", opts->listen, uv_strerror(rc));
		return 1;
	}
	B.listening = true;

	struct sockaddr_storage bound;
	int blen = sizeof(bound);
	char addr[80] = "?";
	uv_tcp_getsockname(&B.listener, (struct sockaddr *)&bound, &blen);
	if (bound.ss_family == AF_INET6) {
		char ip[64];
		uv_ip6_name((struct sockaddr_in6 *)&bound, ip, sizeof(ip));
		snprintf(addr, sizeof(addr), "[%s]:%d", ip, ntohs(((struct sockaddr_in6 *)&bound)->sin6_port));
	} else {
		char ip[64];
		uv_ip4_name((struct sockaddr_in *)&bound, ip, sizeof(ip));
		snprintf(addr, sizeof(addr), "%s:%d", ip, ntohs(((struct sockaddr_in *)&bound)->sin_port));
	}

	rc = br_syncer_start(B.loop, rctx, on_synced);
	if (rc != 0) {
		br_log(BR_LOG_ERROR, "cannot start the syncer thread: %s", uv_strerror(rc));
		return 1;
	}
	rc = br_lane_start(&B.worker, B.loop, "br-commit");
	if (rc == 0 && uses_lane() && (rc = br_lane_start(&B.prepare, B.loop, "br-prepare")) != 0)
		br_lane_stop(&B.worker);
	if (rc != 0) {
		br_log(BR_LOG_ERROR, "cannot start the commit worker or prepare thread: %s", uv_strerror(rc));
		br_syncer_stop();
		return 1;
	}
	uv_check_init(B.loop, &B.check);
	uv_check_start(&B.check, on_check);
	uv_check_init(B.loop, &B.retire_check);
	uv_check_start(&B.retire_check, on_retire_check);
	uv_timer_init(B.loop, &B.stop_timer);
	uv_timer_init(B.loop, &B.fill_timer);
	uv_timer_init(B.loop, &B.kick_timer);
	B.held_tail = &B.held;
	uv_signal_init(B.loop, &B.sigterm);
	uv_signal_start(&B.sigterm, on_signal, SIGTERM);
	uv_signal_init(B.loop, &B.sigint);
	uv_signal_start(&B.sigint, on_signal, SIGINT);

	br_log(BR_LOG_INFO, "listening on %s (HTTP/1.1, HTTP/2 cleartext)", addr);
	br_log_flush();
	if (ready_file) {
		/* Written whole, then renamed: a reader never sees half of it. */
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", ready_file);
		FILE *f = fopen(tmp, "w");
		if (!f || fprintf(f, "%s\n", addr) < 0 || fclose(f) != 0 || rename(tmp, ready_file) != 0) {
			br_log(BR_LOG_ERROR, "--ready-file %s: cannot write it", ready_file);
			return 1;
		}
	}

	uv_run(B.loop, UV_RUN_DEFAULT);
	retired_free(R.v, R.n);
	R.v = NULL;
	R.n = R.cap = 0;
	/* Stopped only with no batch waiting for a sync (maybe_finish_stop):
	 * the thread ends before the caller frees the context. */
	br_syncer_stop();
	/* Likewise the worker (nothing in flight): its thread-local caches go. */
	br_lane_stop(&B.worker);
	br_lane_stop(&B.prepare); /* frees the retired payloads it still has */
	br_log_flush();
	return B.exit_code;
}
