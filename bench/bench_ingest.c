/*
 * In-process ingest of N distinct Alertmanager alerts into SQLite on disk.
 *
 * Modes (each on a fresh database):
 *   per_alert_tx   one rootly_ingest call = one durable transaction per alert
 *   batched        rootly_ctx_batch_begin/commit around BATCH alerts
 * Shapes:
 *   declare        every alert has its own group: each declares an incident
 *   attach         alerts fall into 100 groups: most attach to an incident
 * Baseline, same run: raw sqlite3 inserts of the same payload bytes into a
 * two-column table with the same journal settings, so numbers on a noisy
 * shared machine are read as ratios.
 *
 * Output: one JSON object per line.
 * Usage: bench_ingest [N] [BATCH] [DIR]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rootly.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int make_payload(char *buf, size_t cap, int i, int groups)
{
	int g = groups ? i % groups : i;
	return snprintf(buf, cap,
		"{\"receiver\":\"bench\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
		"\"labels\":{\"alertname\":\"HighLatency\",\"group\":\"g%d\",\"instance\":\"host-%d\","
		"\"service\":\"svc-%d\",\"severity\":\"critical\",\"team\":\"team-%d\"},"
		"\"annotations\":{\"summary\":\"p99 latency above 2s on host-%d\",\"runbook_url\":\"https://runbooks.example.com/x\"},"
		"\"startsAt\":\"2026-11-26T13:59:26.469Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
		"\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=up\"}],"
		"\"groupLabels\":{\"group\":\"g%d\"},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"http://am:9093\",\"version\":\"4\",\"groupKey\":\"{}:{group=\\\"g%d\\\"}\","
		"\"truncatedAlerts\":0}\n",
		g, i, i % 50, i % 20, i, g, g);
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

static void cleanup(const char *path)
{
	char p[600];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static double run_rootly(const char *dir, const char *sync, int n, int batch, int groups, long *incidents)
{
	char path[512], uri[600];
	snprintf(path, sizeof(path), "%s/bench-ingest.db", dir);
	cleanup(path);
	if (!strcmp(sync, "memory"))
		snprintf(uri, sizeof(uri), "memory:");
	else
		snprintf(uri, sizeof(uri), "sqlite:%s?synchronous=%s", path, sync);
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	rootly_ctx *ctx = NULL;
	if (rootly_ctx_open(&ctx, &o) != 0) {
		fprintf(stderr, "open: %s\n", rootly_error_last()->message);
		exit(1);
	}
	char buf[2048];
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		if (batch > 1 && i % batch == 0 && rootly_ctx_batch_begin(ctx) != 0)
			exit(1);
		int len = make_payload(buf, sizeof(buf), i, groups);
		if (rootly_ingest(NULL, ctx, "alertmanager", buf, (size_t)len, NULL, 0) != 0) {
			fprintf(stderr, "ingest %d: %s\n", i, rootly_error_last()->message);
			exit(1);
		}
		if (batch > 1 && (i % batch == batch - 1 || i == n - 1) && rootly_ctx_batch_commit(ctx) != 0) {
			fprintf(stderr, "commit: %s\n", rootly_error_last()->message);
			exit(1);
		}
	}
	double dt = now_s() - t0;
	rootly_incident_list *l = NULL;
	rootly_incident_list_load(&l, ctx, NULL);
	*incidents = (long)rootly_incident_list_count(l);
	rootly_incident_list_free(l);
	rootly_ctx_free(ctx);
	cleanup(path);
	return dt;
}

/* Group notifications of `per` alerts each, one rootly_ingest per payload,
 * batched like the bridge does. */
static double run_groups(const char *dir, int n, int per, int batch_payloads)
{
	char path[512], uri[600];
	snprintf(path, sizeof(path), "%s/bench-ingest.db", dir);
	cleanup(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	rootly_ctx *ctx = NULL;
	if (rootly_ctx_open(&ctx, &o) != 0)
		exit(1);
	size_t cap = (size_t)per * 600 + 1024;
	char *buf = malloc(cap);
	double t0 = now_s();
	int payloads = n / per;
	for (int p = 0; p < payloads; p++) {
		if (p % batch_payloads == 0 && rootly_ctx_batch_begin(ctx) != 0)
			exit(1);
		int len = make_group_payload(buf, cap, p * per, per, p);
		if (rootly_ingest(NULL, ctx, "alertmanager", buf, (size_t)len, NULL, 0) != 0) {
			fprintf(stderr, "ingest: %s\n", rootly_error_last()->message);
			exit(1);
		}
		if ((p % batch_payloads == batch_payloads - 1 || p == payloads - 1) && rootly_ctx_batch_commit(ctx) != 0)
			exit(1);
	}
	double dt = now_s() - t0;
	free(buf);
	rootly_ctx_free(ctx);
	cleanup(path);
	return dt;
}

static double run_baseline(const char *dir, const char *sync, int n, int batch)
{
	char path[512], pragma[64];
	snprintf(path, sizeof(path), "%s/bench-baseline.db", dir);
	cleanup(path);
	sqlite3 *db;
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	snprintf(pragma, sizeof(pragma), "PRAGMA synchronous=%s", sync);
	sqlite3_exec(db, pragma, NULL, NULL, NULL);
	sqlite3_exec(db, "CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT)", NULL, NULL, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?1, ?2)", -1, &st, NULL);
	char buf[2048], key[32];
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		if (i % batch == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		int len = make_payload(buf, sizeof(buf), i, 0);
		snprintf(key, sizeof(key), "%d", i);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, buf, len, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
		if (i % batch == batch - 1 || i == n - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	double dt = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	cleanup(path);
	return dt;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int batch = argc > 2 ? atoi(argv[2]) : 1000;
	const char *dir = argc > 3 ? argv[3] : ".";
	int n_single = n / 10 > 2000 ? 2000 : n / 10; /* one fsync per alert is slow by nature */
	static const struct { const char *shape; int groups; } shapes[] = { { "declare", 0 }, { "attach", 100 } };
	for (int s = 0; s < 2; s++) {
		long inc = 0;
		double dt = run_rootly(dir, "full", n, batch, shapes[s].groups, &inc);
		double base = run_baseline(dir, "full", n, batch);
		printf("{\"bench\":\"ingest\",\"mode\":\"batched\",\"batch\":%d,\"shape\":\"%s\",\"synchronous\":\"full\","
			"\"alerts\":%d,\"incidents\":%ld,\"seconds\":%.3f,\"alerts_per_s\":%.0f,"
			"\"baseline_rows_per_s\":%.0f,\"ratio_to_baseline\":%.3f}\n",
			batch, shapes[s].shape, n, inc, dt, n / dt, n / base, base / dt);
		fflush(stdout);
	}
	{
		/* The engine alone: same work on the in-memory store. */
		long inc = 0;
		double dt = run_rootly(dir, "memory", n, batch, 0, &inc);
		printf("{\"bench\":\"ingest\",\"mode\":\"batched\",\"batch\":%d,\"shape\":\"declare\",\"store\":\"memory\","
			"\"alerts\":%d,\"incidents\":%ld,\"seconds\":%.3f,\"alerts_per_s\":%.0f}\n", batch, n, inc, dt, n / dt);
		fflush(stdout);
	}
	{
		/* 100-alert group notifications (one incident each), 10 per commit. */
		double dt = run_groups(dir, n, 100, 10);
		printf("{\"bench\":\"ingest\",\"mode\":\"batched\",\"shape\":\"group_of_100\",\"payloads_per_commit\":10,"
			"\"synchronous\":\"full\",\"alerts\":%d,\"incidents\":%d,\"seconds\":%.3f,\"alerts_per_s\":%.0f}\n",
			n, n / 100, dt, n / dt);
		fflush(stdout);
	}
	const char *syncs[] = { "full", "normal" };
	for (int k = 0; k < 2; k++) {
		long inc = 0;
		double dt = run_rootly(dir, syncs[k], n_single, 1, 0, &inc);
		double base = run_baseline(dir, syncs[k], n_single, 1);
		printf("{\"bench\":\"ingest\",\"mode\":\"per_alert_tx\",\"shape\":\"declare\",\"synchronous\":\"%s\","
			"\"alerts\":%d,\"incidents\":%ld,\"seconds\":%.3f,\"alerts_per_s\":%.0f,"
			"\"baseline_commits_per_s\":%.0f,\"ratio_to_baseline\":%.3f}\n",
			syncs[k], n_single, inc, dt, n_single / dt, n_single / base, base / dt);
		fflush(stdout);
	}
	return 0;
}
