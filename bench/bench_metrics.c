/*
 * Metrics aggregation over many incidents, on SQLite.
 *
 * Creates N incidents in batches with varied severities, services, teams
 * and lifecycles (acknowledged or not, mitigated, resolved with or without
 * mitigation, left open, cancelled), stamped by a fake clock; then times
 * rootly_metrics_aggregate ungrouped and by severity, service and team.
 * Each aggregate reads and parses every incident from the store. Best of
 * REPEAT runs.
 *
 * Output: one JSON object per line.
 * Usage: bench_metrics [N] [REPEAT] [DIR]
 */
#include <string.h>

#include "bench_util.h"

#define BATCH 5000
#define T0 1735689600000LL /* 2025-01-01 */

typedef struct fake_clock {
	rootly_time now;
} fake_clock;

static rootly_time clock_read(void *payload)
{
	return ((fake_clock *)payload)->now;
}

/* A small deterministic generator, so every run builds the same data. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void make_incident(rootly_ctx *ctx, fake_clock *clock, int i)
{
	static const char *const services[] = {
		"checkout-api", "payments", "search", "catalog", "auth", "cart", "shipping", "inventory",
		"recommendations", "notifications", "gateway", "billing",
	};
	static const char *const teams[] = { "e-commerce", "platform", "data", "identity", "sre" };
	rootly_time start = T0 + (rootly_time)i * 60000;  /* one incident a minute */
	clock->now = start;
	const char *svc[2] = { services[rnd(12)], services[rnd(12)] };
	const char *team[1] = { teams[rnd(5)] };
	rootly_incident_options o = ROOTLY_INCIDENT_OPTIONS_INIT;
	o.title = "bench incident";
	o.severity = rnd(10) == 0 ? ROOTLY_SEV_UNSET : (int)rnd(5);
	o.services = svc;
	o.services_count = 1 + rnd(2);
	o.teams = team;
	o.teams_count = 1;
	o.detected_at = start - rnd(120000);  /* the alert fired a little earlier */
	rootly_incident *inc = NULL;
	bench_check(rootly_incident_create(&inc, ctx, &o), "create");
	char ref[32];
	snprintf(ref, sizeof(ref), "%s", rootly_incident_ref(inc));
	rootly_incident_free(inc);

	uint32_t fate = rnd(100);
	if (fate < 3) {
		clock->now += 30000;
		bench_check(rootly_incident_transition(ctx, ref, ROOTLY_STATUS_CANCELLED, NULL, NULL, 0), "cancel");
		return;
	}
	if (fate < 90) {
		clock->now += 10000 + rnd(900000);
		bench_check(rootly_incident_acknowledge(ctx, ref, "oncall"), "ack");
	}
	clock->now += 1000;
	bench_check(rootly_incident_transition(ctx, ref, ROOTLY_STATUS_STARTED, NULL, NULL, 0), "start");
	if (fate >= 95)
		return;  /* still open */
	/* 60% mitigated then resolved, 10% mitigated and still open, 25%
	 * resolved straight from started (mitigation skipped). */
	if (fate < 70) {
		clock->now += 60000 + rnd(3600000);
		bench_check(rootly_incident_transition(ctx, ref, ROOTLY_STATUS_MITIGATED, NULL, NULL, 0), "mitigate");
		if (fate >= 60)
			return;
	}
	clock->now += 60000 + rnd(7200000);
	bench_check(rootly_incident_transition(ctx, ref, ROOTLY_STATUS_RESOLVED, NULL, NULL, 0), "resolve");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	char path[512], uri[600];
	snprintf(path, sizeof(path), "%s/bench-metrics-%d.db", dir, (int)getpid());
	bench_unlink_db(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);

	fake_clock clock = { T0 };
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	o.clock = clock_read;
	o.clock_payload = &clock;
	rootly_ctx *ctx = NULL;
	bench_check(rootly_ctx_open(&ctx, &o), "open");

	double t0 = bench_now_s();
	for (int i = 0; i < n; i++) {
		if (i % BATCH == 0)
			bench_check(rootly_ctx_batch_begin(ctx), "batch_begin");
		make_incident(ctx, &clock, i);
		if (i % BATCH == BATCH - 1 || i == n - 1)
			bench_check(rootly_ctx_batch_commit(ctx), "batch_commit");
	}
	printf("{\"bench\":\"metrics_setup\",\"incidents\":%d,\"seconds\":%.3f}\n", n, bench_now_s() - t0);

	static const struct { const char *name; rootly_metrics_group by; } groups[] = {
		{ "none", ROOTLY_METRICS_GROUP_NONE }, { "severity", ROOTLY_METRICS_GROUP_SEVERITY },
		{ "service", ROOTLY_METRICS_GROUP_SERVICE }, { "team", ROOTLY_METRICS_GROUP_TEAM },
	};
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		rootly_metrics_query q = ROOTLY_METRICS_QUERY_INIT;
		q.group_by = groups[g].by;
		double best = 1e9;
		size_t rows = 0;
		int64_t counted = 0, ttr_p50 = 0;
		for (int r = 0; r < repeat; r++) {
			rootly_metrics_report *rep = NULL;
			double t = bench_now_s();
			bench_check(rootly_metrics_aggregate(&rep, ctx, &q), "aggregate");
			t = bench_now_s() - t;
			if (t < best)
				best = t;
			rows = rootly_metrics_report_count(rep);
			counted = 0;
			for (size_t i = 0; i < rows; i++)
				counted += rootly_metrics_report_at(rep, i)->incidents;
			ttr_p50 = rows ? rootly_metrics_report_at(rep, 0)->ttr.p50 : -1;
			rootly_metrics_report_free(rep);
		}
		printf("{\"bench\":\"metrics_aggregate\",\"group_by\":\"%s\",\"incidents\":%d,\"rows\":%zu,"
			"\"counted\":%lld,\"first_row_ttr_p50_ms\":%lld,\"seconds\":%.3f,\"target_seconds\":1.0}\n",
			groups[g].name, n, rows, (long long)counted, (long long)ttr_p50, best);
	}
	rootly_ctx_free(ctx);
	bench_unlink_db(path);
	return 0;
}
