/*
 * In-process ingest of N distinct Alertmanager alerts into SQLite on disk.
 *
 * Modes (each on a fresh database; pick some by name after the three
 * numbers, default all):
 *   declare        batched, every alert its own group: each declares an incident
 *   attach         batched, alerts fall into 100 groups: most attach
 *   memory         the declare work on the memory: store (the engine alone)
 *   group100       100-alert group notifications, 10 payloads per commit
 *   attach_am      attach, with the envelope Alertmanager really sends for a
 *                  one-alert group (commonLabels and commonAnnotations repeat
 *                  the alert's labels and annotations; the other modes send
 *                  them empty)
 *   declare_v2     batched, API v2 postable-alerts bodies of one alert each
 *                  (what Prometheus and the bridge's benchmark send; the
 *                  API has no group key: each alert declares an incident)
 *   resolve        batched, N firing alerts then their N resolutions
 *                  (dedup lookups and updates; timed: the resolve half)
 *   resolve_grouped
 *                  resolve with the alerts in 100 groups (N/100 alerts an
 *                  incident): whether a resolution's cost grows with its
 *                  incident (it did while it read the incident's alerts
 *                  to see whether one was still active)
 *   single_full    one rootly_ingest = one durable transaction, synchronous=FULL
 *   single_normal  the same with synchronous=NORMAL
 *   floor          raw SQLite running only the statements a declare / an
 *                  attach needs on the store's schema: the bound for
 *                  these rows (see run_floor). Compare its
 *                  cpu_us_per_alert with the engine's: its fsyncs are
 *                  inline, so its wall clock waits where a pipelined mode
 *                  overlaps, and its checkpoints run on the timed thread,
 *                  where the engine's run on a thread of their own
 *   floor_attach   the floor's attach half alone (attach_am_pipelined's bound)
 *   declare_pipelined, attach_pipelined, attach_am_pipelined,
 *   group100_pipelined
 *                  the same shapes, each batch's fsync made on a syncer
 *                  thread while the next batch is ingested (as rootly-bridge
 *                  commits; see g_pipe below)
 * Every run that ingests payloads composes them before its clock starts
 * (payloads_add): composing them is the sender's work, not the ingest's.
 * (floor fills its fixed-size rows inside the clock.)
 * Baseline, same run, next to each SQLite mode: raw sqlite3 inserts of the
 * same payload bytes into a two-column table with the same journal
 * settings and commit size, so numbers on a noisy shared machine are read
 * as ratios (ratio_to_baseline = our alerts/s / baseline rows/s).
 * max_commit_ms is the longest rootly_ctx_batch_commit of the run;
 * close_ms the closing of the context at its end (counted in seconds);
 * thread_cpu_us_per_alert the CPU of the ingesting thread alone (SQLite's
 * WAL checkpoints run on a thread of their own), thread_sys_us_per_alert
 * the part of it spent in the kernel (writes, page faults).
 * cpu_us_per_alert is user+system CPU of the process during the run: on a
 * shared machine it is steadier than the wall clock. written_bytes_per_alert
 * is what the run handed to write(2)/pwrite(2) (WAL, checkpoints, temporary
 * files), from /proc/self/io. probe_ns is the machine's memory latency
 * (bench_probe.h) just before the clock starts and after the run's
 * database is closed: read a rate against it. Every timed run ends with
 * closing the database, which checkpoints the WAL: the cost of a WAL is
 * only deferred until then, not saved.
 *
 * Output: one JSON object per line.
 * Usage: bench_ingest [N] [BATCH] [DIR] [MODE...]
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_probe.h"
#include "bench_util.h"
#include "rootly/sys/store.h"

typedef struct timing {
	double wall, cpu;
	double written; /* bytes handed to write(2)/pwrite(2) (Linux /proc/self/io wchar), 0 if unknown */
	double thread_cpu; /* CPU of the ingesting thread alone (cpu includes SQLite's checkpoint thread) */
	double max_commit; /* the longest batch commit, seconds */
	double close; /* closing the context (its final checkpoint), seconds; part of wall */
	double probe_before, probe_after; /* bench_probe_ns() just outside the clock */
	double thread_sys; /* the part of thread_cpu spent in the kernel (writes, page faults) */
} timing;

/* The longest rootly_ctx_batch_commit of the current run, in seconds
 * (goal G4: maintenance never blocks ingest for more than 5 ms; a commit
 * itself waits for one fsync). */
static double g_max_commit;

static double thread_sys_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Pipelined modes (`*_pipelined`): each batch is committed with
 * rootly_ctx_batch_commit_deferred and made durable by a syncer thread
 * (rootly_ctx_sync) while the next batch is ingested, as the bridge does;
 * at most one batch waits for its sync while the next one is built, and
 * the run's time ends only when the last batch is durable. */
static struct {
	bool on;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	rootly_ctx *ctx;
	uint64_t issued, synced; /* tokens */
	uint64_t prev;           /* the token before the newest */
	bool stop;
} g_pipe = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void *syncer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_pipe.mu);
	for (;;) {
		while (!g_pipe.stop && g_pipe.synced >= g_pipe.issued)
			pthread_cond_wait(&g_pipe.cv, &g_pipe.mu);
		if (g_pipe.synced >= g_pipe.issued)
			break;
		uint64_t t = g_pipe.issued;
		pthread_mutex_unlock(&g_pipe.mu);
		bench_check(rootly_ctx_sync(g_pipe.ctx, t), "sync");
		pthread_mutex_lock(&g_pipe.mu);
		g_pipe.synced = t;
		pthread_cond_broadcast(&g_pipe.cv);
	}
	pthread_mutex_unlock(&g_pipe.mu);
	return NULL;
}

static void pipe_start(rootly_ctx *ctx)
{
	if (!g_pipe.on)
		return;
	g_pipe.ctx = ctx;
	g_pipe.issued = g_pipe.synced = g_pipe.prev = 0;
	g_pipe.stop = false;
	if (pthread_create(&g_pipe.thread, NULL, syncer_main, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		exit(1);
	}
}

/* Wait until every committed batch is durable and stop the syncer. */
static void pipe_drain(void)
{
	if (!g_pipe.on)
		return;
	pthread_mutex_lock(&g_pipe.mu);
	g_pipe.stop = true;
	pthread_cond_broadcast(&g_pipe.cv);
	pthread_mutex_unlock(&g_pipe.mu);
	pthread_join(g_pipe.thread, NULL);
}

static void commit_timed(rootly_ctx *ctx)
{
	double t0 = bench_now_s();
	if (g_pipe.on) {
		uint64_t token = 0;
		bench_check(rootly_ctx_batch_commit_deferred(ctx, &token), "batch_commit_deferred");
		pthread_mutex_lock(&g_pipe.mu);
		if (token > g_pipe.issued)
			g_pipe.issued = token;
		pthread_cond_broadcast(&g_pipe.cv);
		/* bounded: the batch before this one must be durable before the
		 * next one starts */
		while (g_pipe.synced < g_pipe.prev)
			pthread_cond_wait(&g_pipe.cv, &g_pipe.mu);
		g_pipe.prev = token;
		pthread_mutex_unlock(&g_pipe.mu);
	} else {
		bench_check(rootly_ctx_batch_commit(ctx), "batch_commit");
	}
	double d = bench_now_s() - t0;
	if (d > g_max_commit)
		g_max_commit = d;
}

static double wchar(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	double v = 0;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "wchar:", 6))
			v = atof(line + 6);
	if (f)
		fclose(f);
	return v;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static timing clock_start(void)
{
	g_max_commit = 0;
	timing t = { bench_now_s(), cpu_s(), wchar(), thread_cpu_s(), 0, 0, 0, 0, thread_sys_s() };
	return t;
}

/* The memory probe, then the clocks. The probe after a run is taken when
 * its timed work has ended: after close_timed, where a run closes its
 * context. */
static timing start(void)
{
	double probe = bench_probe_ns();
	timing t = clock_start();
	t.probe_before = probe;
	return t;
}

static timing stop(timing t0)
{
	timing t = { bench_now_s() - t0.wall, cpu_s() - t0.cpu, wchar() - t0.written, thread_cpu_s() - t0.thread_cpu,
		g_max_commit, 0, t0.probe_before, 0, thread_sys_s() - t0.thread_sys };
	return t;
}

static int make_payload(char *buf, size_t cap, int i, int groups, const char *status)
{
	int g = groups ? i % groups : i;
	return snprintf(buf, cap,
		"{\"receiver\":\"bench\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\","
		"\"service\":\"svc-%d\",\"severity\":\"critical\",\"team\":\"team-%d\"},"
		"\"annotations\":{\"summary\":\"p99 latency above 2s on host-%d\",\"runbook_url\":\"https://runbooks.example.com/x\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"%s\","
		"\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=up\"}],"
		"\"groupLabels\":{\"group\":\"g%d\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}\n",
		status, status, g, i, i % 50, i % 20, i,
		strcmp(status, "resolved") ? "0001-01-01T00:00:00Z" : "2026-11-26T14:09:26.469Z", g, g);
}

/* The API v2 body of one alert, as Prometheus posts it: no status (an
 * endsAt ahead of now keeps it firing), no grouping. */
static int make_v2_payload(char *buf, size_t cap, int i, const char *ends_at)
{
	return snprintf(buf, cap,
		"[{\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\","
		"\"service\":\"svc-%d\",\"severity\":\"critical\",\"team\":\"team-%d\"},"
		"\"annotations\":{\"summary\":\"p99 latency above 2s on host-%d\",\"runbook_url\":\"https://runbooks.example.com/x\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"%s\","
		"\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=up\"}]\n",
		i, i, i % 50, i % 20, i, ends_at);
}

/* make_payload's alert in the envelope Alertmanager sends for a group of
 * one: the common labels and annotations are the alert's own. (Without
 * the alert's fingerprint, as in the other modes.) */
static int make_am_payload(char *buf, size_t cap, int i, int groups)
{
	int g = i % groups;
	return snprintf(buf, cap,
		"{\"receiver\":\"bench\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\","
		"\"service\":\"svc-%d\",\"severity\":\"critical\",\"team\":\"team-%d\"},"
		"\"annotations\":{\"summary\":\"p99 latency above 2s on host-%d\",\"runbook_url\":\"https://runbooks.example.com/x\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
		"\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=up\"}],"
		"\"groupLabels\":{\"group\":\"g%d\"},"
		"\"commonLabels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\","
		"\"service\":\"svc-%d\",\"severity\":\"critical\",\"team\":\"team-%d\"},"
		"\"commonAnnotations\":{\"summary\":\"p99 latency above 2s on host-%d\",\"runbook_url\":\"https://runbooks.example.com/x\"},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}\n",
		g, i, i % 50, i % 20, i, g, g, i, i % 50, i % 20, i, g);
}

/* One webhook carrying `count` alerts of one group (a group notification). */
static int make_group_payload(char *buf, size_t cap, int first, int count, int group)
{
	int len = snprintf(buf, cap, "{\"receiver\":\"bench\",\"status\":\"firing\",\"alerts\":[");
	for (int k = 0; k < count; k++) {
		int i = first + k;
		len += snprintf(buf + len, cap - (size_t)len,
			"%s{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\","
			"\"instance\":\"host-%d\",\"service\":\"svc-%d\",\"severity\":\"critical\",\"team\":\"team-%d\"},"
			"\"annotations\":{\"summary\":\"p99 latency above 2s on host-%d\"},"
			"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
			"\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=up\"}",
			k ? "," : "", group, i, group % 50, group % 20, i);
	}
	len += snprintf(buf + len, cap - (size_t)len,
		"],\"groupLabels\":{\"group\":\"g%d\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}\n", group, group);
	return len;
}

static rootly_ctx *open_ctx(const char *dir, const char *sync, char *path, size_t cap)
{
	char uri[600];
	snprintf(path, cap, "%s/bench-ingest.db", dir);
	bench_unlink_db(path);
	/* BENCH_SQLITE_OPTS adds store URI options (e.g. checkpoint=inline)
	 * for A/B runs. */
	const char *extra = getenv("BENCH_SQLITE_OPTS");
	if (!strcmp(sync, "memory"))
		snprintf(uri, sizeof(uri), "memory:");
	else
		snprintf(uri, sizeof(uri), "sqlite:%s?synchronous=%s%s%s", path, sync, extra ? "&" : "",
			extra ? extra : "");
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	rootly_ctx *ctx = NULL;
	bench_check(rootly_ctx_open(&ctx, &o), "open");
	return ctx;
}

/* Closing is part of the work: it checkpoints what the WAL still holds
 * into the database file, a cost the WAL only defers. */
static void close_timed(rootly_ctx *ctx, timing *t)
{
	timing t0 = clock_start();
	rootly_ctx_free(ctx);
	timing c = stop(t0);
	t->probe_after = bench_probe_ns();
	t->close = c.wall;
	t->wall += c.wall;
	t->cpu += c.cpu;
	t->written += c.written;
	t->thread_cpu += c.thread_cpu;
	t->thread_sys += c.thread_sys;
}

static long count_incidents(rootly_ctx *ctx)
{
	rootly_incident_list *l = NULL;
	bench_check(rootly_incident_list_load(&l, ctx, NULL), "list");
	long n = (long)rootly_incident_list_count(l);
	rootly_incident_list_free(l);
	return n;
}

/* The payloads of a run, composed before its clock starts: composing them
 * (snprintf, about 2% of a pinned run) is the sender's work, wrk's for the
 * bridge, not the ingest's. One buffer, `off[i]` where payload i starts. */
typedef struct payloads {
	char *text;
	size_t len, cap, *off, offcap;
	int n;
} payloads;

/* Append payload s[0..len): len as snprintf returned it for a buffer of
 * `room` bytes, so a payload that did not fit stops the run. */
static void payloads_add(payloads *p, const char *s, int len, size_t room)
{
	if (len < 0 || (size_t)len >= room) {
		fprintf(stderr, "bench_ingest: a payload of %d bytes does not fit its %zu-byte buffer\n", len, room);
		exit(1);
	}
	if (p->len + (size_t)len > p->cap) {
		p->cap = (p->len + (size_t)len) * 2;
		p->text = realloc(p->text, p->cap);
	}
	if ((size_t)p->n + 2 > p->offcap) {
		p->offcap = p->offcap ? p->offcap * 2 : 1024;
		p->off = realloc(p->off, sizeof(*p->off) * p->offcap);
	}
	if (!p->text || !p->off) {
		fprintf(stderr, "bench_ingest: out of memory for the payloads\n");
		exit(1);
	}
	memcpy(p->text + p->len, s, (size_t)len);
	p->off[p->n] = p->len;
	p->len += (size_t)len;
	p->off[++p->n] = p->len;
}

static const char *payload_at(const payloads *p, int i, size_t *len)
{
	*len = p->off[i + 1] - p->off[i];
	return p->text + p->off[i];
}

static void payloads_free(payloads *p)
{
	free(p->text);
	free(p->off);
	memset(p, 0, sizeof(*p));
}

/* N single-alert payloads of `status`, `batch` per commit (1: no batch). */
static bool g_am_envelope; /* attach_am: make_am_payload's shape */

static payloads single_payloads(int n, int groups, const char *status)
{
	payloads p = { 0 };
	char buf[2048];
	for (int i = 0; i < n; i++)
		payloads_add(&p, buf, g_am_envelope ? make_am_payload(buf, sizeof(buf), i, groups) :
			make_payload(buf, sizeof(buf), i, groups, status), sizeof(buf));
	return p;
}

static void ingest_run(rootly_ctx *ctx, const payloads *p, int batch, const char *source)
{
	for (int i = 0; i < p->n; i++) {
		if (batch > 1 && i % batch == 0)
			bench_check(rootly_ctx_batch_begin(ctx), "batch_begin");
		size_t len;
		const char *body = payload_at(p, i, &len);
		bench_check(rootly_ingest(NULL, ctx, source, body, len, NULL, 0), "ingest");
		if (batch > 1 && (i % batch == batch - 1 || i == p->n - 1))
			commit_timed(ctx);
	}
}

static timing run_rootly(const char *dir, const char *sync, int n, int batch, int groups, long *incidents)
{
	char path[512];
	rootly_ctx *ctx = open_ctx(dir, sync, path, sizeof(path));
	payloads p = single_payloads(n, groups, "firing");
	timing t0 = start();
	pipe_start(ctx);
	ingest_run(ctx, &p, batch, "alertmanager");
	pipe_drain();
	timing t = stop(t0);
	payloads_free(&p);
	*incidents = count_incidents(ctx);
	close_timed(ctx, &t);
	bench_unlink_db(path);
	return t;
}

/* N firing alerts (untimed), then their N resolutions (timed); `groups`
 * as in single_payloads (0: an incident per alert). */
static timing run_resolve(const char *dir, int n, int batch, int groups, long *incidents)
{
	char path[512];
	rootly_ctx *ctx = open_ctx(dir, "full", path, sizeof(path));
	payloads firing = single_payloads(n, groups, "firing"), resolved = single_payloads(n, groups, "resolved");
	ingest_run(ctx, &firing, batch, "alertmanager");
	timing t0 = start();
	ingest_run(ctx, &resolved, batch, "alertmanager");
	timing t = stop(t0);
	payloads_free(&firing);
	payloads_free(&resolved);
	*incidents = count_incidents(ctx);
	close_timed(ctx, &t);
	bench_unlink_db(path);
	return t;
}

/* N one-alert API v2 bodies, `batch` per commit. */
static timing run_v2(const char *dir, int n, int batch, long *incidents)
{
	char path[512], buf[2048], ends[40];
	rootly_ctx *ctx = open_ctx(dir, "full", path, sizeof(path));
	/* Prometheus sends endsAt = now + 4 evaluation intervals. */
	time_t later = time(NULL) + 3600;
	struct tm tm;
	gmtime_r(&later, &tm);
	strftime(ends, sizeof(ends), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	payloads p = { 0 };
	for (int i = 0; i < n; i++)
		payloads_add(&p, buf, make_v2_payload(buf, sizeof(buf), i, ends), sizeof(buf));
	timing t0 = start();
	ingest_run(ctx, &p, batch, "alertmanager-v2");
	timing t = stop(t0);
	payloads_free(&p);
	*incidents = count_incidents(ctx);
	close_timed(ctx, &t);
	bench_unlink_db(path);
	return t;
}

/* Group notifications of `per` alerts each, one rootly_ingest per payload,
 * batched like the bridge does. */
static timing run_groups(const char *dir, int n, int per, int batch_payloads)
{
	char path[512];
	rootly_ctx *ctx = open_ctx(dir, "full", path, sizeof(path));
	size_t cap = (size_t)per * 600 + 1024;
	char *buf = malloc(cap);
	if (!buf) {
		fprintf(stderr, "bench_ingest: out of memory\n");
		exit(1);
	}
	payloads p = { 0 };
	for (int i = 0; i < n / per; i++)
		payloads_add(&p, buf, make_group_payload(buf, cap, i * per, per, i), cap);
	free(buf);
	timing t0 = start();
	pipe_start(ctx);
	ingest_run(ctx, &p, batch_payloads, "alertmanager");
	pipe_drain();
	timing t = stop(t0);
	payloads_free(&p);
	close_timed(ctx, &t);
	bench_unlink_db(path);
	return t;
}

static timing run_baseline(const char *dir, const char *sync, int n, int batch)
{
	char path[512], pragma[64];
	snprintf(path, sizeof(path), "%s/bench-baseline.db", dir);
	bench_unlink_db(path);
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous=%s", sync);
	sqlite3_exec(db, pragma, NULL, NULL, NULL);
	sqlite3_exec(db, "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT)", NULL, NULL, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1, ?2)", -1, &st, NULL);
	char buf[2048], key[32];
	payloads p = { 0 }, keys = { 0 };
	for (int i = 0; i < n; i++) {
		payloads_add(&p, buf, make_payload(buf, sizeof(buf), i, 0, "firing"), sizeof(buf));
		payloads_add(&keys, key, snprintf(key, sizeof(key), "%d", i), sizeof(key));
	}
	timing t0 = start();
	for (int i = 0; i < n; i++) {
		if (i % batch == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		size_t len, klen;
		const char *v = payload_at(&p, i, &len), *k = payload_at(&keys, i, &klen);
		sqlite3_bind_text(st, 1, k, (int)klen, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v, (int)len, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % batch == batch - 1 || i == n - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(st);
	sqlite3_close(db); /* checkpoints, like closing a context */
	timing t = stop(t0);
	payloads_free(&p);
	payloads_free(&keys);
	bench_unlink_db(path);
	return t;
}

/* ---- the raw-SQLite floor ---------------------------------------------------
 * The SQL an alert must run, and nothing else: on the store's own schema
 * (created by opening the store), the statements the SQLite store runs for
 * Alertmanager alerts (schema v5, logged through the SQLite store's
 * statements with a shim around sqlite3_step, session 13; since v6 the
 * log entries are packed, 64 a row, and since v7 each holds its record's
 * time: floor_log), with rows of the
 * sizes the engine stores (alert document 440 bytes, incident 655, a
 * declared incident's timeline entry 740, one commit's folded entries of
 * an incident 2,265), in batches like the engine's. Lookups by key and
 * group key run no SQL (the store's in-memory key map answers a miss, and
 * the engine's batch cache holds the incidents it attaches to).
 * declare, per alert: incident number, one timeline entry, the incident
 * (since v8 its group key in an index, not a log), the alert and its log
 * entry (key and group key in one). attach (`groups` incidents, declared as above on first sight), per
 * alert: the alert and its log entry; per commit, for each incident the
 * batch touched: its indexed fields read (the store's revision check), the
 * row rewritten, one timeline entry.
 * No JSON, no hashing, no engine: what SQLite alone costs for these rows. */
/* A document of exactly `len` bytes (SQLite does not look inside; the
 * cost of making it stays small next to the statements). */
static void fill(char *buf, size_t len, const char *head, int i)
{
	int n = snprintf(buf, len + 1, "{\"%s\":%d,\"pad\":\"", head, i);
	memset(buf + n, 'x', len - 2 - (size_t)n);
	buf[len - 2] = '"';
	buf[len - 1] = '}';
	buf[len] = '\0';
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	return st;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "step: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_reset(st);
}

/* A ULID-like, time-ordered id. */
static void floor_id(char *out, long n)
{
	snprintf(out, 27, "01M8CD%020ld", n);
}

enum { FLOOR_ALERT = 440, FLOOR_INCIDENT = 655, FLOOR_CREATED = 740, FLOOR_FOLDED = 2265 };

/* A key log's pack of the open transaction (schema v6,
 * src/store/sqlite_keymap.h): entries in memory, one row when 64 of
 * them (or 3,900 bytes) are in, and at the commit. */
typedef struct floor_pack {
	sqlite3_stmt *ins, *last;
	char bytes[4096];
	size_t len;
	int n;
	bool known; /* MAX(seq) read in this transaction */
} floor_pack;

typedef struct floor_sql {
	sqlite3 *db;
	sqlite3_stmt *ins_alert, *ins_incident, *indexed, *upd, *app, *seq;
	floor_pack log_alert;
} floor_sql;

static void bind_record(sqlite3_stmt *st, const char *id, const char *json, int len, const char *status,
	const char *key, const char *group, const char *severity, int64_t time)
{
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json, len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, "svc-1", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, severity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, time);
}

static void floor_pack_flush(floor_sql *f, floor_pack *p)
{
	if (!p->n)
		return;
	p->bytes[0] = 2; /* format 2 (schema v7): entries with their record's time */
	p->bytes[1] = (char)p->n;
	sqlite3_bind_blob(p->ins, 1, p->bytes, (int)p->len, SQLITE_STATIC);
	step_done(f->db, p->ins);
	p->n = 0;
	p->len = 0;
}

/* A log entry: key and group key (either may be NULL), record id, then
 * the record's time (8 bytes). */
static void floor_log(floor_sql *f, floor_pack *p, const char *key, const char *group_key, const char *id)
{
	size_t kl = key ? strlen(key) + 1 : 0, gl = group_key ? strlen(group_key) + 1 : 0, il = strlen(id) + 1;
	if (!p->known) {
		if (sqlite3_step(p->last) != SQLITE_ROW) {
			fprintf(stderr, "floor: %s\n", sqlite3_errmsg(f->db));
			exit(1);
		}
		sqlite3_reset(p->last);
		p->known = true;
	}
	if (p->n && (p->n == 64 || p->len + 1 + kl + gl + il + 8 > 3900))
		floor_pack_flush(f, p);
	if (!p->n)
		p->len = 2;
	p->bytes[p->len++] = (char)((key ? 1 : 0) | (group_key ? 2 : 0));
	memcpy(p->bytes + p->len, key, kl);
	memcpy(p->bytes + p->len + kl, group_key, gl);
	memcpy(p->bytes + p->len + kl + gl, id, il);
	p->len += kl + gl + il;
	int64_t time = 1795701566469LL;
	memcpy(p->bytes + p->len, &time, 8); /* (little-endian, as the store writes it on x86) */
	p->len += 8;
	p->n++;
}

static void floor_commit(floor_sql *f)
{
	floor_pack_flush(f, &f->log_alert);
	f->log_alert.known = false;
	sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL);
}

static void floor_event(floor_sql *f, const char *incident, int64_t seq, int len, int i)
{
	char stream[64], ev[FLOOR_FOLDED + 1];
	snprintf(stream, sizeof(stream), "timeline/%s", incident);
	fill(ev, (size_t)len, "event", i);
	sqlite3_bind_text(f->app, 1, stream, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(f->app, 2, seq);
	sqlite3_bind_blob(f->app, 3, ev, len, SQLITE_TRANSIENT);
	step_done(f->db, f->app);
}

/* A declared incident: number, first timeline entry, row (its group key
 * indexed: schema v8). */
static void floor_declare(floor_sql *f, const char *iid, const char *gk, long number, int i)
{
	char inc[FLOOR_INCIDENT + 1], ref[32];
	step_done(f->db, f->seq);
	floor_event(f, iid, 1, FLOOR_CREATED, i);
	fill(inc, FLOOR_INCIDENT, "incident", i);
	snprintf(ref, sizeof(ref), "INC-%ld", number);
	bind_record(f->ins_incident, iid, inc, FLOOR_INCIDENT, "in_triage", ref, gk, "SEV1", 1795712877799LL + i);
	step_done(f->db, f->ins_incident);
}

static timing run_floor(const char *dir, int n, int batch, int groups)
{
	char path[512], uri[600];
	snprintf(path, sizeof(path), "%s/bench-floor.db", dir);
	bench_unlink_db(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	rootly_store *store = NULL;
	bench_check(rootly_store_open(&store, uri), "floor store");
	/* A collection's tables are made by its first write. */
	static const char *const colls[] = { "alert", "incident" };
	for (size_t k = 0; k < 2; k++) {
		rootly_record r = { "floor-seed", 0, "{}", NULL, NULL, NULL, NULL, NULL, 0 };
		bench_check(store->record_put(store, colls[k], &r, 0, NULL), "floor table");
		bench_check(store->record_delete(store, colls[k], "floor-seed"), "floor table");
	}
	store->free(store);
	floor_sql f;
	sqlite3_open(path, &f.db);
	sqlite3_exec(f.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-32768", NULL, NULL,
		NULL);
	static const char ins_sql[] = "INSERT INTO %s (id, revision, time, status, key, group_key, service, severity,"
		" json) VALUES (?2, 1, ?9, ?4, ?5, ?6, ?7, ?8, ?3)";
	char sql[512];
	snprintf(sql, sizeof(sql), ins_sql, "r_alert");
	f.ins_alert = prep(f.db, sql);
	snprintf(sql, sizeof(sql), ins_sql, "r_incident");
	f.ins_incident = prep(f.db, sql);
	memset(&f.log_alert, 0, sizeof(f.log_alert));
	f.log_alert.ins = prep(f.db, "INSERT INTO p_r_alert (key, group_key, id) VALUES (?1, NULL, '')");
	f.log_alert.last = prep(f.db, "SELECT MAX(seq) FROM p_r_alert");
	f.indexed = prep(f.db, "SELECT revision, status, key, group_key, service, severity, time FROM r_incident"
		" WHERE id = ?2");
	f.upd = prep(f.db, "UPDATE r_incident SET revision = revision + 1, json = ?3 WHERE id = ?2 AND revision = ?10");
	f.app = prep(f.db, "INSERT INTO streams (stream, seq, data) VALUES (?1, ?2, ?3)");
	f.seq = prep(f.db, "UPDATE sequences SET value = value + 1 WHERE name = 'incident_number'");
	sqlite3_stmt *seq_new = prep(f.db, "INSERT INTO sequences (name, value) VALUES ('incident_number', 0)");
	step_done(f.db, seq_new);
	sqlite3_finalize(seq_new);
	char alert[FLOOR_ALERT + 1], inc[FLOOR_INCIDENT + 1], aid[32], iid[32], fp[20], gk[40];
	long ids = 0, number = 0;
	size_t ng = (size_t)(groups ? groups : 1);
	int64_t *revs = calloc(ng, sizeof(int64_t)), *seqs = calloc(ng, sizeof(int64_t));
	bool *touched = calloc(ng, sizeof(bool));
	char (*gids)[32] = calloc(ng, 32);
	timing t0 = start();
	for (int i = 0; i < n; i++) {
		if (i % batch == 0)
			sqlite3_exec(f.db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		int g = groups ? i % groups : i;
		snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ull);
		snprintf(gk, sizeof(gk), "{}:{group=\"g%d\"}", g);
		floor_id(aid, ++ids);
		const char *incident = iid;
		if (!groups || !revs[g]) {
			floor_id(iid, ++ids);
			floor_declare(&f, iid, gk, ++number, i);
			if (groups) {
				memcpy(gids[g], iid, 27);
				revs[g] = 1;
				seqs[g] = 1;
			}
		}
		if (groups) {
			incident = gids[g];
			touched[g] = true;
		}
		fill(alert, FLOOR_ALERT, "alert", i);
		bind_record(f.ins_alert, aid, alert, FLOOR_ALERT, "firing", fp, incident, "critical", 1795701566469LL);
		step_done(f.db, f.ins_alert);
		floor_log(&f, &f.log_alert, fp, incident, aid);
		if (i % batch == batch - 1 || i == n - 1) {
			for (int k = 0; groups && k < groups; k++) {
				if (!touched[k])
					continue;
				touched[k] = false;
				sqlite3_bind_text(f.indexed, 2, gids[k], -1, SQLITE_STATIC);
				step_done(f.db, f.indexed);
				fill(inc, FLOOR_INCIDENT, "incident", i);
				sqlite3_bind_text(f.upd, 2, gids[k], -1, SQLITE_STATIC);
				sqlite3_bind_text(f.upd, 3, inc, FLOOR_INCIDENT, SQLITE_STATIC);
				sqlite3_bind_int64(f.upd, 10, revs[k]++);
				step_done(f.db, f.upd);
				floor_event(&f, gids[k], ++seqs[k], FLOOR_FOLDED, i);
			}
			floor_commit(&f);
		}
	}
	sqlite3_stmt *all[] = { f.ins_alert, f.log_alert.ins, f.log_alert.last, f.ins_incident, f.indexed, f.upd, f.app,
		f.seq };
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		sqlite3_finalize(all[k]);
	sqlite3_close(f.db);
	timing t = stop(t0);
	t.probe_after = bench_probe_ns();
	free(revs);
	free(seqs);
	free(touched);
	free(gids);
	bench_unlink_db(path);
	return t;
}

static bool wanted(int argc, char **argv, const char *mode)
{
	if (argc <= 4)
		return true;
	for (int i = 4; i < argc; i++)
		if (!strcmp(argv[i], mode))
			return true;
	return false;
}

static void report(const char *mode, const char *shape, const char *sync, int batch, int n, long incidents,
	timing t, const timing *base)
{
	printf("{\"bench\":\"ingest\",\"mode\":\"%s\",\"shape\":\"%s\",\"synchronous\":\"%s\",\"batch\":%d,"
		"\"alerts\":%d,\"incidents\":%ld,\"seconds\":%.3f,\"alerts_per_s\":%.0f,\"cpu_us_per_alert\":%.1f,"
		"\"thread_cpu_us_per_alert\":%.1f,\"written_bytes_per_alert\":%.0f,\"max_commit_ms\":%.1f,"
		"\"close_ms\":%.1f,\"probe_ns\":[%.1f,%.1f],\"thread_sys_us_per_alert\":%.1f",
		mode, shape, sync, batch, n, incidents, t.wall, n / t.wall, t.cpu * 1e6 / n, t.thread_cpu * 1e6 / n,
		t.written / n, t.max_commit * 1e3, t.close * 1e3, t.probe_before, t.probe_after, t.thread_sys * 1e6 / n);
	if (base)
		printf(",\"baseline_rows_per_s\":%.0f,\"baseline_cpu_us_per_row\":%.1f,\"ratio_to_baseline\":%.3f",
			n / base->wall, base->cpu * 1e6 / n, base->wall / t.wall);
	printf("}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	/* As rootly-bridge does (docs/bridge.md): SQLite's memory statistics
	 * take a process-wide mutex on every allocation SQLite makes, and a
	 * program that reads none of them turns them off before SQLite is first
	 * used; a library cannot make that call for its host. The baseline gets
	 * the same setting. BENCH_SQLITE_MEMSTATUS=1 keeps them. */
	if (!getenv("BENCH_SQLITE_MEMSTATUS"))
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int batch = argc > 2 ? atoi(argv[2]) : 1000;
	const char *dir = argc > 3 ? argv[3] : ".";
	int n_single = n / 10 > 2000 ? 2000 : n / 10; /* one fsync per alert is slow by nature */
	long inc = 0;
	timing t, base;
	if (wanted(argc, argv, "declare")) {
		t = run_rootly(dir, "full", n, batch, 0, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "declare", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "attach")) {
		t = run_rootly(dir, "full", n, batch, 100, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "attach", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "attach_am")) {
		g_am_envelope = true;
		t = run_rootly(dir, "full", n, batch, 100, &inc);
		g_am_envelope = false;
		base = run_baseline(dir, "full", n, batch);
		report("batched", "attach_am", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "memory")) {
		/* The engine alone: the declare work on the in-memory store. */
		t = run_rootly(dir, "memory", n, batch, 0, &inc);
		report("batched", "declare", "memory", batch, n, inc, t, NULL);
	}
	if (wanted(argc, argv, "group100")) {
		/* 100-alert group notifications (one incident each), 10 per commit. */
		t = run_groups(dir, n, 100, 10);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "group_of_100", "full", 1000, n, n / 100, t, &base);
	}
	if (wanted(argc, argv, "declare_v2")) {
		t = run_v2(dir, n, batch, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "declare_v2", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "resolve")) {
		t = run_resolve(dir, n, batch, 0, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "resolve", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "resolve_grouped")) {
		t = run_resolve(dir, n, batch, 100, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "resolve_grouped", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "floor")) {
		t = run_floor(dir, n, batch, 0);
		base = run_baseline(dir, "full", n, batch);
		report("sqlite_floor", "declare", "full", batch, n, n, t, &base);
	}
	/* (attach alone too: the bound of attach_am_pipelined, the pass rule's shape) */
	if (wanted(argc, argv, "floor") || wanted(argc, argv, "floor_attach")) {
		t = run_floor(dir, n, batch, 100);
		base = run_baseline(dir, "full", n, batch);
		report("sqlite_floor", "attach", "full", batch, n, 100, t, &base);
	}
	/* The same shapes with the fsync on a syncer thread. */
	g_pipe.on = true;
	if (wanted(argc, argv, "declare_pipelined")) {
		t = run_rootly(dir, "full", n, batch, 0, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("pipelined", "declare", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "attach_pipelined")) {
		t = run_rootly(dir, "full", n, batch, 100, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("pipelined", "attach", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "attach_am_pipelined")) {
		g_am_envelope = true;
		t = run_rootly(dir, "full", n, batch, 100, &inc);
		g_am_envelope = false;
		base = run_baseline(dir, "full", n, batch);
		report("pipelined", "attach_am", "full", batch, n, inc, t, &base);
	}
	if (wanted(argc, argv, "group100_pipelined")) {
		t = run_groups(dir, n, 100, 10);
		base = run_baseline(dir, "full", n, batch);
		report("pipelined", "group_of_100", "full", 1000, n, n / 100, t, &base);
	}
	g_pipe.on = false;
	static const char *const singles[][2] = { { "single_full", "full" }, { "single_normal", "normal" } };
	for (int k = 0; k < 2; k++) {
		if (!wanted(argc, argv, singles[k][0]))
			continue;
		t = run_rootly(dir, singles[k][1], n_single, 1, 0, &inc);
		base = run_baseline(dir, singles[k][1], n_single, 1);
		report("per_alert_tx", "declare", singles[k][1], 1, n_single, inc, t, &base);
	}
	return 0;
}
