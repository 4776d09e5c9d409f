/*
 * In-process ingest per source: N distinct alerts from each source's
 * real-shaped fixture, batched commits on SQLite on disk (WAL, FULL).
 * Distinct alerts are made by rewriting the fixture's identifying string
 * (alert name, dedup key, alias, alarm name) with a counter, so the
 * parser, dedup lookup and storage work is what a stream of different
 * alerts costs. The parse-only rate of the same payloads is printed next to
 * it, so the share of JSON decoding can be read off.
 *
 * Usage: bench_sources [N] [BATCH] [DIR] [FIXTURES_DIR]
 */
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_util.h"

static const struct {
	const char *source, *fixture, *ident;
} k_cases[] = {
	{ "alertmanager", "alertmanager-real/firing-single.json", "HighLatency" },
	{ "grafana", "grafana/webhook-firing.json", "HighCPU" },
	{ "pagerduty", "pagerduty/events-v2-trigger.json", "prod-eu-1/checkout-api/HighErrorRate" },
	{ "datadog", "datadog/webhook-custom-rendered-triggered.json", "7868532111449811421" },
	{ "opsgenie", "opsgenie/webhook-create.json", "prod-eu-1/checkout-api/HighErrorRate" },
	{ "cloudwatch", "aws-sns-cloudwatch/notification-alarm.json", "checkout-api-5xx-high" },
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Replace every occurrence of ident with ident-<i> (and, for numeric
 * ids, keep it numeric by appending digits). */
static size_t variant(char *out, size_t cap, const char *tmpl, const char *ident, int i)
{
	char repl[128];
	bool digits = strspn(ident, "0123456789") == strlen(ident);
	snprintf(repl, sizeof(repl), digits ? "%.12s%07d" : "%s-%d", ident, i);
	size_t il = strlen(ident), rl = strlen(repl), o = 0;
	for (const char *p = tmpl; *p && o + rl + 1 < cap;) {
		if (!strncmp(p, ident, il)) {
			memcpy(out + o, repl, rl);
			o += rl;
			p += il;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = 0;
	return o;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int batch = argc > 2 ? atoi(argv[2]) : 1000;
	const char *dir = argc > 3 ? argv[3] : ".";
	const char *fixtures = argc > 4 ? argv[4] : "tests/fixtures";
	char *buf = malloc(1 << 20);
	for (size_t c = 0; c < sizeof(k_cases) / sizeof(k_cases[0]); c++) {
		char path[512], uri[600];
		size_t tlen;
		snprintf(path, sizeof(path), "%s/%s", fixtures, k_cases[c].fixture);
		char *tmpl = slurp(path, &tlen);
		snprintf(path, sizeof(path), "%s/bench-sources.db", dir);
		bench_unlink_db(path);
		snprintf(uri, sizeof(uri), "sqlite:%s", path);
		rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
		o.storage_uri = uri;
		rootly_ctx *ctx = NULL;
		bench_check(rootly_ctx_open(&ctx, &o), "open");
		long alerts = 0;
		double t0 = bench_now_s(), c0 = cpu_s();
		for (int i = 0; i < n; i++) {
			if (i % batch == 0)
				bench_check(rootly_ctx_batch_begin(ctx), "batch");
			size_t len = variant(buf, 1 << 20, tmpl, k_cases[c].ident, i);
			rootly_ingest_result *r = NULL;
			bench_check(rootly_ingest(&r, ctx, k_cases[c].source, buf, len, NULL, 0), k_cases[c].source);
			alerts += (long)rootly_ingest_result_count(r);
			rootly_ingest_result_free(r);
			if (i % batch == batch - 1 || i == n - 1)
				bench_check(rootly_ctx_batch_commit(ctx), "commit");
		}
		double dt = bench_now_s() - t0, dc = cpu_s() - c0;
		rootly_ctx_free(ctx);
		bench_unlink_db(path);
		/* The same work on the in-memory store: the engine without SQLite. */
		rootly_ctx_options om = ROOTLY_CTX_OPTIONS_INIT;
		om.storage_uri = "memory:";
		bench_check(rootly_ctx_open(&ctx, &om), "open memory");
		double m0 = bench_now_s();
		for (int i = 0; i < n; i++) {
			size_t len = variant(buf, 1 << 20, tmpl, k_cases[c].ident, i);
			bench_check(rootly_ingest(NULL, ctx, k_cases[c].source, buf, len, NULL, 0), k_cases[c].source);
		}
		double dm = bench_now_s() - m0;
		rootly_ctx_free(ctx);
		printf("{\"bench\":\"sources\",\"source\":\"%s\",\"payloads\":%d,\"alerts\":%ld,\"batch\":%d,"
			"\"seconds\":%.3f,\"alerts_per_s\":%.0f,\"cpu_us_per_alert\":%.1f,"
			"\"memory_store_alerts_per_s\":%.0f,\"payload_bytes\":%zu}\n",
			k_cases[c].source, n, alerts, batch, dt, alerts / dt, dc / alerts * 1e6, alerts / dm, tlen);
		fflush(stdout);
		free(tmpl);
	}
	free(buf);
	return 0;
}
