/*
 * In-process ingest of N distinct Alertmanager alerts into SQLite on disk.
 *
 * Modes (each on a fresh database; pick some by name after the three
 * numbers, default all):
 *   declare        batched, every alert its own group: each declares an incident
 *   attach         batched, alerts fall into 100 groups: most attach
 *   memory         the declare work on the memory: store (the engine alone)
 *   group100       100-alert group notifications, 10 payloads per commit
 *   resolve        batched, N firing alerts then their N resolutions
 *                  (dedup lookups and updates; timed: the resolve half)
 *   single_full    one rootly_ingest = one durable transaction, synchronous=FULL
 *   single_normal  the same with synchronous=NORMAL
 * Baseline, same run, next to each SQLite mode: raw sqlite3 inserts of the
 * same payload bytes into a two-column table with the same journal
 * settings and commit size, so numbers on a noisy shared machine are read
 * as ratios (ratio_to_baseline = our alerts/s / baseline rows/s).
 * cpu_us_per_alert is user+system CPU of the process during the run: on a
 * shared machine it is steadier than the wall clock. written_bytes_per_alert
 * is what the run handed to write(2)/pwrite(2) (WAL, checkpoints, temporary
 * files), from /proc/self/io. Every timed run ends with closing the
 * database, which checkpoints the WAL: the cost of a WAL is only deferred
 * until then, not saved.
 *
 * Output: one JSON object per line.
 * Usage: bench_ingest [N] [BATCH] [DIR] [MODE...]
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

typedef struct timing {
	double wall, cpu;
	double written; /* bytes handed to write(2)/pwrite(2) (Linux /proc/self/io wchar), 0 if unknown */
} timing;

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

static timing start(void)
{
	timing t = { bench_now_s(), cpu_s(), wchar() };
	return t;
}

static timing stop(timing t0)
{
	timing t = { bench_now_s() - t0.wall, cpu_s() - t0.cpu, wchar() - t0.written };
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
	if (!strcmp(sync, "memory"))
		snprintf(uri, sizeof(uri), "memory:");
	else
		snprintf(uri, sizeof(uri), "sqlite:%s?synchronous=%s", path, sync);
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
	timing t0 = start();
	rootly_ctx_free(ctx);
	timing c = stop(t0);
	t->wall += c.wall;
	t->cpu += c.cpu;
	t->written += c.written;
}

static long count_incidents(rootly_ctx *ctx)
{
	rootly_incident_list *l = NULL;
	bench_check(rootly_incident_list_load(&l, ctx, NULL), "list");
	long n = (long)rootly_incident_list_count(l);
	rootly_incident_list_free(l);
	return n;
}

/* N single-alert payloads of `status`, `batch` per commit (1: no batch). */
static void ingest_run(rootly_ctx *ctx, int n, int batch, int groups, const char *status)
{
	char buf[2048];
	for (int i = 0; i < n; i++) {
		if (batch > 1 && i % batch == 0)
			bench_check(rootly_ctx_batch_begin(ctx), "batch_begin");
		int len = make_payload(buf, sizeof(buf), i, groups, status);
		bench_check(rootly_ingest(NULL, ctx, "alertmanager", buf, (size_t)len, NULL, 0), "ingest");
		if (batch > 1 && (i % batch == batch - 1 || i == n - 1))
			bench_check(rootly_ctx_batch_commit(ctx), "batch_commit");
	}
}

static timing run_rootly(const char *dir, const char *sync, int n, int batch, int groups, long *incidents)
{
	char path[512];
	rootly_ctx *ctx = open_ctx(dir, sync, path, sizeof(path));
	timing t0 = start();
	ingest_run(ctx, n, batch, groups, "firing");
	timing t = stop(t0);
	*incidents = count_incidents(ctx);
	close_timed(ctx, &t);
	bench_unlink_db(path);
	return t;
}

/* N firing alerts (untimed), then their N resolutions (timed). */
static timing run_resolve(const char *dir, int n, int batch, long *incidents)
{
	char path[512];
	rootly_ctx *ctx = open_ctx(dir, "full", path, sizeof(path));
	ingest_run(ctx, n, batch, 0, "firing");
	timing t0 = start();
	ingest_run(ctx, n, batch, 0, "resolved");
	timing t = stop(t0);
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
	timing t0 = start();
	int payloads = n / per;
	for (int p = 0; p < payloads; p++) {
		if (p % batch_payloads == 0)
			bench_check(rootly_ctx_batch_begin(ctx), "batch_begin");
		int len = make_group_payload(buf, cap, p * per, per, p);
		bench_check(rootly_ingest(NULL, ctx, "alertmanager", buf, (size_t)len, NULL, 0), "ingest");
		if (p % batch_payloads == batch_payloads - 1 || p == payloads - 1)
			bench_check(rootly_ctx_batch_commit(ctx), "batch_commit");
	}
	timing t = stop(t0);
	free(buf);
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
	timing t0 = start();
	for (int i = 0; i < n; i++) {
		if (i % batch == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		int len = make_payload(buf, sizeof(buf), i, 0, "firing");
		snprintf(key, sizeof(key), "%d", i);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, buf, len, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % batch == batch - 1 || i == n - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(st);
	sqlite3_close(db); /* checkpoints, like closing a context */
	timing t = stop(t0);
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
		"\"written_bytes_per_alert\":%.0f",
		mode, shape, sync, batch, n, incidents, t.wall, n / t.wall, t.cpu * 1e6 / n, t.written / n);
	if (base)
		printf(",\"baseline_rows_per_s\":%.0f,\"baseline_cpu_us_per_row\":%.1f,\"ratio_to_baseline\":%.3f",
			n / base->wall, base->cpu * 1e6 / n, base->wall / t.wall);
	printf("}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
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
	if (wanted(argc, argv, "resolve")) {
		t = run_resolve(dir, n, batch, &inc);
		base = run_baseline(dir, "full", n, batch);
		report("batched", "resolve", "full", batch, n, inc, t, &base);
	}
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
