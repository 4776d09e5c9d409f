/*
 * The bridge's own counters (loop thread only): requests by route and
 * status, ingested alerts by source and outcome, ingest requests by result,
 * and the commit latency histogram. GET /metrics renders them on the loop
 * thread and the worker appends what the store knows (handlers.c).
 */
#include "bridge.h"
#include "syncer.h"

#include <stdlib.h>
#include <string.h>

const char *const br_route_names[BR_R_COUNT] = {
	"/api/v2/alerts", "/v1/alerts", "/v2/enqueue", "/v1/incidents", "/v1/incidents/{id}",
	"/v1/incidents/{id}/timeline", "/v1/incidents/{id}/postmortem", "/v1/incidents/{id}/status",
	"/metrics", "/healthz", "/readyz", "other",
};

static const char *const k_outcomes[BR_OUTCOMES] = {
	"created", "attached", "deduplicated", "resolved", "acknowledged", "dropped", "rejected",
};

/* Status codes are few: keep them per route in a small open list. */
#define MAX_CODES 12
static struct { int code; unsigned long long n; } requests[BR_R_COUNT][MAX_CODES];

/* Sources: named by the request path, so bounded to avoid a label per
 * garbage name: after 32 distinct names the rest count as "other". */
#define MAX_SOURCES 32
#define MAX_RESULTS 10
static struct src_counters {
	char name[48];
	unsigned long long outcomes[BR_OUTCOMES];
	struct { const char *result; unsigned long long n; } results[MAX_RESULTS];
} sources[MAX_SOURCES + 1];
static size_t nsources;

static const double k_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define NBOUNDS (sizeof(k_bounds) / sizeof(k_bounds[0]))
static unsigned long long commit_buckets[NBOUNDS];
static unsigned long long commit_count, batch_jobs;
static double commit_sum, fsync_sum, sync_sum;
static unsigned long long synced_batches;

void br_metrics_request(br_route route, int status)
{
	for (int i = 0; i < MAX_CODES; i++) {
		if (requests[route][i].code == status || requests[route][i].code == 0) {
			requests[route][i].code = status;
			requests[route][i].n++;
			return;
		}
	}
}

static struct src_counters *source(const char *name)
{
	for (size_t i = 0; i < nsources; i++)
		if (!strcmp(sources[i].name, name))
			return &sources[i];
	if (nsources < MAX_SOURCES && strlen(name) < sizeof(sources[0].name)) {
		/* Only names made of label-safe characters get their own series. */
		for (const char *p = name; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '-' || *p == '_' || *p == '.'))
				goto other;
		strcpy(sources[nsources].name, name);
		return &sources[nsources++];
	}
other:
	strcpy(sources[MAX_SOURCES].name, "other");
	return &sources[MAX_SOURCES];
}

void br_metrics_job(const br_job *job)
{
	if (!job->source_type)
		return;
	struct src_counters *s = source(job->source_type);
	for (int i = 0; i < BR_OUTCOMES; i++)
		s->outcomes[i] += job->outcomes[i];
	const char *r = job->result ? job->result : "error";
	for (int i = 0; i < MAX_RESULTS; i++) {
		if (!s->results[i].result || !strcmp(s->results[i].result, r)) {
			s->results[i].result = r;
			s->results[i].n++;
			return;
		}
	}
}

void br_metrics_commit(double seconds, double commit_seconds, double sync_seconds, unsigned jobs)
{
	fsync_sum += commit_seconds;
	sync_sum += sync_seconds;
	synced_batches += sync_seconds > 0;
	/* The histogram is the batch's latency up to durable: the worker's
	 * part and the wait for the sync. */
	double total = seconds + sync_seconds;
	for (size_t i = 0; i < NBOUNDS; i++)
		if (total <= k_bounds[i])
			commit_buckets[i]++;
	commit_count++;
	commit_sum += total;
	batch_jobs += jobs;
}

static void put_sources(br_buf *b)
{
	br_buf_puts(b, "# HELP rootly_bridge_alerts_total Alerts ingested, by source and outcome.\n"
		"# TYPE rootly_bridge_alerts_total counter\n");
	for (size_t i = 0; i <= MAX_SOURCES; i++) {
		if (!sources[i].name[0])
			continue;
		for (int o = 0; o < BR_OUTCOMES; o++)
			br_buf_printf(b, "rootly_bridge_alerts_total{source=\"%s\",outcome=\"%s\"} %llu\n",
				sources[i].name, k_outcomes[o], sources[i].outcomes[o]);
	}
	br_buf_puts(b, "# HELP rootly_bridge_ingest_requests_total Ingest requests, by source and result.\n"
		"# TYPE rootly_bridge_ingest_requests_total counter\n");
	for (size_t i = 0; i <= MAX_SOURCES; i++)
		for (int r = 0; r < MAX_RESULTS && sources[i].results[r].result; r++)
			br_buf_printf(b, "rootly_bridge_ingest_requests_total{source=\"%s\",result=\"%s\"} %llu\n",
				sources[i].name, sources[i].results[r].result, sources[i].results[r].n);
}

char *br_metrics_text(size_t queued, unsigned conns)
{
	br_buf b = { 0 };
	br_buf_puts(&b, "# HELP rootly_bridge_requests_total HTTP requests answered, by route and status code.\n"
		"# TYPE rootly_bridge_requests_total counter\n");
	for (int r = 0; r < BR_R_COUNT; r++)
		for (int i = 0; i < MAX_CODES && requests[r][i].code; i++)
			br_buf_printf(&b, "rootly_bridge_requests_total{route=\"%s\",code=\"%d\"} %llu\n",
				br_route_names[r], requests[r][i].code, requests[r][i].n);
	put_sources(&b);
	br_buf_puts(&b, "# HELP rootly_bridge_commit_duration_seconds Time of one group commit (batch), "
		"from the first operation to the durable commit (its sync included).\n"
		"# TYPE rootly_bridge_commit_duration_seconds histogram\n");
	for (size_t i = 0; i < NBOUNDS; i++)
		br_buf_printf(&b, "rootly_bridge_commit_duration_seconds_bucket{le=\"%g\"} %llu\n",
			k_bounds[i], commit_buckets[i]);
	br_buf_printf(&b, "rootly_bridge_commit_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		"rootly_bridge_commit_duration_seconds_sum %.6f\n"
		"rootly_bridge_commit_duration_seconds_count %llu\n",
		commit_count, commit_sum, commit_count);
	/* Where the worker's time goes: running the requests (parsing, rules,
	 * writes) against the commit itself (deferred: no fsync). The fsync
	 * is the syncer thread's: batches wait for it off the worker. */
	br_buf_printf(&b, "# HELP rootly_bridge_worker_seconds_total Worker time by phase: handling the batch's "
		"requests, and the commit (without its fsync).\n"
		"# TYPE rootly_bridge_worker_seconds_total counter\n"
		"rootly_bridge_worker_seconds_total{phase=\"handle\"} %.6f\n"
		"rootly_bridge_worker_seconds_total{phase=\"commit\"} %.6f\n",
		commit_sum - sync_sum - fsync_sum, fsync_sum);
	br_buf_printf(&b, "# HELP rootly_bridge_sync_wait_seconds_total Time committed batches waited for their sync "
		"(the WAL fsync) on the syncer thread, summed over batches.\n"
		"# TYPE rootly_bridge_sync_wait_seconds_total counter\n"
		"rootly_bridge_sync_wait_seconds_total %.6f\n"
		"# HELP rootly_bridge_synced_batches_total Batches answered after a sync on the syncer thread.\n"
		"# TYPE rootly_bridge_synced_batches_total counter\n"
		"rootly_bridge_synced_batches_total %llu\n"
		"# HELP rootly_bridge_syncs_total Syncs made by the syncer thread (one covers every batch waiting).\n"
		"# TYPE rootly_bridge_syncs_total counter\n"
		"rootly_bridge_syncs_total %llu\n", sync_sum, synced_batches, br_syncer_syncs());
	br_buf_printf(&b, "# HELP rootly_bridge_batched_requests_total Requests handled inside group commits.\n"
		"# TYPE rootly_bridge_batched_requests_total counter\n"
		"rootly_bridge_batched_requests_total %llu\n"
		"# HELP rootly_bridge_queued_requests Requests waiting for the next group commit.\n"
		"# TYPE rootly_bridge_queued_requests gauge\n"
		"rootly_bridge_queued_requests %zu\n"
		"# HELP rootly_bridge_connections Open client connections.\n"
		"# TYPE rootly_bridge_connections gauge\n"
		"rootly_bridge_connections %u\n", batch_jobs, queued, conns);
	return br_buf_take(&b);
}
