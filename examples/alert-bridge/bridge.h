/*
 * rootly-bridge: an HTTP front end of librootly on h2o and libuv.
 *
 * Threads (docs/bridge.md, "Threads and group commit"): the loop thread
 * runs h2o (parsing, limits, answers) and never changes the rootly_ctx
 * after start-up; every request that needs the store becomes a `job`
 * (method, route, copied body and headers) on a queue; with --prepare-on
 * pool or loop, alert payloads once authenticated and parsed there
 * (rootly_ingest_prepare, which other threads may call while the worker
 * uses the ctx; on the bridge's prepare thread, or the loop). The commit
 * worker, one thread of the bridge's own (lane.c), takes one batch of jobs
 * at a time, runs them inside one store batch
 * (rootly_ctx_batch_begin .. commit_deferred) and hands the batch with its
 * durability token to the syncer thread (syncer.c), which makes it durable
 * (rootly_ctx_sync) and hands the answers to the loop; the loop sends them
 * only then. While the disk works, the worker runs the next batch; while
 * the worker runs, the loop keeps parsing and queueing.
 */
#ifndef ROOTLY_BRIDGE_H
#define ROOTLY_BRIDGE_H

#include <rootly.h>

#include "lane.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* --- routes -------------------------------------------------------------- */

typedef enum br_route {
	BR_R_AM_V2 = 0,       /* POST /api/v2/alerts */
	BR_R_ALERTS,          /* POST /v1/alerts/{source} */
	BR_R_ENQUEUE,         /* POST /v2/enqueue */
	BR_R_INCIDENTS,       /* GET /v1/incidents */
	BR_R_INCIDENT,        /* GET /v1/incidents/{id} */
	BR_R_TIMELINE,        /* GET /v1/incidents/{id}/timeline */
	BR_R_POSTMORTEM,      /* GET /v1/incidents/{id}/postmortem */
	BR_R_STATUS,          /* POST /v1/incidents/{id}/status */
	BR_R_METRICS,         /* GET /metrics */
	BR_R_HEALTHZ,         /* GET /healthz */
	BR_R_READYZ,          /* GET /readyz */
	BR_R_OTHER,           /* no route, wrong method, limits */
	BR_R_COUNT
} br_route;

extern const char *const br_route_names[BR_R_COUNT];

/* True for routes that write alerts (their answers depend on a commit). */
static inline bool br_route_writes(br_route r)
{
	return r == BR_R_AM_V2 || r == BR_R_ALERTS || r == BR_R_ENQUEUE || r == BR_R_STATUS;
}

/* --- one queued request ---------------------------------------------------- */

/* Ingest outcomes counted per source type (index = rootly_ingest_outcome). */
#define BR_OUTCOMES 7

typedef struct br_job {
	struct br_job *next;
	/* Set on the loop thread; NULL once h2o disposed the request (the
	 * client went away): the answer is then dropped, the work is not. */
	void *req;
	int refs;                 /* the queue and the request's pool guard */
	br_route route;
	uint64_t started_ns;      /* when the request arrived (latency log) */
	/* Request, copied out of h2o's pool so the worker never reads
	 * memory the loop may free. */
	char *body; size_t body_len;
	char *arg;                /* source name or incident reference */
	char *query;              /* text after '?', or NULL */
	rootly_kv *headers; size_t headers_count;
	bool want_json;           /* Accept asks for JSON (postmortem) */
	/* Alert routes: the payload authenticated and parsed off the commit
	 * worker (br_prepare); NULL when the worker ingests it whole. */
	rootly_ingest_prepared *prep;
	bool prepared;            /* br_prepare has run (prep, or an answer) */
	br_task ptask;            /* its prepare, on the prepare lane (--prepare-on pool) */
	char *prefix;             /* /metrics: the loop's counters, as text */
	/* Answer, filled by the worker. */
	int status;
	const char *content_type;
	char *resp; size_t resp_len;   /* malloc'd */
	int retry_after;          /* seconds; 0 = no header */
	bool wrote;               /* the answer depends on the batch's commit */
	/* What the job did, folded into the counters on the loop thread. */
	const char *source_type;  /* static string: "alertmanager-v2", ... */
	const char *result;       /* "ok", "invalid", "auth", "unavailable", ... */
	unsigned outcomes[BR_OUTCOMES];
	unsigned alerts;
} br_job;

/* --- configuration and the server ----------------------------------------- */

typedef struct br_options {
	const char *listen;        /* "127.0.0.1:9095" */
	const char *db;            /* store URI or SQLite path */
	const char *config;        /* configuration file or NULL */
	int log_level;             /* BR_LOG_* */
	size_t max_body;           /* bytes; 413 above */
	size_t max_header;         /* bytes of request line + headers; 431 above */
	unsigned max_conns;
	unsigned batch_max;        /* jobs per commit */
	unsigned batch_max_ms;     /* time spent filling one commit */
	unsigned queue_max;        /* queued jobs before answering 503 */
	unsigned req_timeout_ms;   /* HTTP/1 header+body timeout */
	unsigned idle_timeout_ms;  /* HTTP/2 idle timeout */
	unsigned list_limit;       /* default page of GET /v1/incidents */
	bool no_outbox;            /* leave outbox delivery to another process */
	int prepare_on;            /* BR_PREPARE_*: where alert payloads are parsed */
} br_options;

/* Where alert payloads are authenticated and parsed: the bridge's prepare
 * thread ("pool"), the loop thread, the commit worker inside rootly_ingest,
 * or ("auto", the default) the prepare thread for bodies of
 * BR_PREPARE_AUTO_MIN_BYTES or more and the worker for smaller ones
 * (docs/bridge.md, "Parsing off the commit worker", for why). */
enum { BR_PREPARE_POOL = 0, BR_PREPARE_LOOP = 1, BR_PREPARE_WORKER = 2, BR_PREPARE_AUTO = 3 };

/* A body this large carries enough alerts that parsing it on the prepare
 * thread, in parallel with the worker, gains more than the extra hop
 * through that thread costs; a one-alert body (about 500 bytes) is
 * latency-bound, and the hop only delays it. */
#define BR_PREPARE_AUTO_MIN_BYTES 4096u

enum { BR_LOG_ERROR = 0, BR_LOG_WARN = 1, BR_LOG_INFO = 2, BR_LOG_DEBUG = 3 };

/* --- worker side (handlers.c) ----------------------------------------------- */

/* Authenticate and parse an alert job's payload (rootly_ingest_prepare):
 * any thread, while the worker uses the context. True when job->prep is
 * set; false when the payload was refused and the job holds its answer
 * (the same answer the worker would have given). */
bool br_prepare(rootly_ctx *ctx, br_job *job);

/* Run one job on the worker thread (inside the open batch). */
void br_handle(rootly_ctx *ctx, br_job *job, const br_options *opts);

/* Replace a job's answer by a JSON error; `message` is shown to the client. */
void br_answer_error(br_job *job, int status, const char *code, const char *message);
/* The job's answer for a storage failure: 503 + Retry-After, no internals. */
void br_answer_unavailable(br_job *job);
/* Set the job's body (takes ownership of a malloc'd string). */
void br_answer(br_job *job, int status, const char *ctype, char *body);

/* --- metrics (metrics.c), loop thread only ------------------------------- */

void br_metrics_request(br_route route, int status);
void br_metrics_job(const br_job *job);
/* One batch: the worker's whole time on it, its commit alone (deferred, no
 * fsync), the wait for its sync on the syncer thread (0: none). */
void br_metrics_commit(double seconds, double commit_seconds, double sync_seconds, unsigned jobs);
/* The counters as Prometheus text (malloc'd). */
char *br_metrics_text(size_t queued, unsigned conns);

/* --- logging (log.c) ------------------------------------------------------ */

extern int br_log_level;
void br_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line per request, key=value, quoted where needed. */
void br_log_request(const char *method, size_t mlen, const char *path, size_t plen,
	int status, size_t bytes, double ms, const br_job *job);
void br_log_flush(void);

/* --- small helpers (util.c) ----------------------------------------------- */

uint64_t br_now_ns(void);
char *br_strndup(const char *s, size_t n);
/* A JSON string literal of `s` appended to a malloc'd buffer. */
typedef struct br_buf { char *p; size_t len, cap; bool oom; } br_buf;
void br_buf_put(br_buf *b, const char *s, size_t n);
void br_buf_puts(br_buf *b, const char *s);
void br_buf_printf(br_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void br_buf_json_str(br_buf *b, const char *s);
char *br_buf_take(br_buf *b);

#endif
