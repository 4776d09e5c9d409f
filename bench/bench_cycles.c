/*
 * The cost of one Alertmanager notification for an alert with a history:
 * an alert that has been through N earlier incident cycles (fired,
 * declared an incident, resolved, incident resolved, quiet past the flap
 * window) fires again, and its repeats are timed.
 *
 *   bench_cycles DIR [N ...]      (default N: 1 10 100 1000)
 *
 * Each cycle leaves one alert record with the alert's fingerprint (the
 * dedup key), so the dedup lookup of each notification finds N of them.
 * For each N and each store (SQLite on disk in DIR, at synchronous=normal
 * so that a commit is timed without its fsync; memory:) it prints the
 * median wall time of REPEATS notifications of the alert's current cycle
 * (each answered "deduplicated": a lookup and no write), and that time
 * divided by the same store's time at the first N of the list, measured
 * in the same run: on a shared machine the ratio is what to read. A
 * lookup whose cost does not grow with the history keeps the ratio near 1.
 * It also prints the median time of the first notification of each of
 * the last (up to) 11 cycles, the context's first ingest (which makes the
 * tables) left out: the one that declares the cycle's incident
 * (the dedup lookup, the lookup of an open incident of the alert's group,
 * which holds the earlier cycles' incidents, and the declaration), and
 * the median time of listing the open incidents (rootly_incident_list_load
 * with open_only: one open among N resolved), and that of a workflow
 * timer tick over them (one timer workflow, not yet due).
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

#define REPEATS 41

static rootly_time g_now = 1795701566469LL;

static rootly_time fake_clock(void *payload)
{
	(void)payload;
	return g_now;
}

/* The alert's notification; each cycle starts a minute after the last
 * one's incident was resolved. */
static size_t notification(char *buf, size_t cap, const char *status, int cycle)
{
	time_t starts = (time_t)(1795701566LL + (long long)cycle * 7200LL);
	struct tm tm;
	char at[32];
	gmtime_r(&starts, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (size_t)snprintf(buf, cap,
		"{\"receiver\":\"bench\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\","
		"\"labels\":{\"alertname\":\"Flapping\",\"instance\":\"host-1\",\"service\":\"checkout-api\","
		"\"severity\":\"critical\"},\"annotations\":{\"summary\":\"flapping\"},"
		"\"startsAt\":\"%s\",\"endsAt\":\"0001-01-01T00:00:00Z\"}],"
		"\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"Flapping\\\"}\"}",
		status, status, at);
}

static rootly_ingest_outcome ingest(rootly_ctx *ctx, const char *status, int cycle, char *incident, size_t cap)
{
	char buf[1024];
	size_t len = notification(buf, sizeof(buf), status, cycle);
	rootly_ingest_result *r = NULL;
	bench_check(rootly_ingest(&r, ctx, "alertmanager", buf, len, NULL, 0), "ingest");
	const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
	rootly_ingest_outcome o = it->outcome;
	if (incident)
		snprintf(incident, cap, "%s", it->incident_id ? it->incident_id : "");
	rootly_ingest_result_free(r);
	return o;
}

/* One whole cycle: fire, resolve, resolve the incident by hand, then
 * wait out the flap window so that the next firing is a new cycle. The
 * firing's wall time goes to *declared. */
static void cycle(rootly_ctx *ctx, int c, double *declared)
{
	char incident[64];
	double t0 = bench_now_s();
	rootly_ingest_outcome o = ingest(ctx, "firing", c, incident, sizeof(incident));
	*declared = bench_now_s() - t0;
	if (o != ROOTLY_INGEST_CREATED) {
		fprintf(stderr, "cycle %d: the firing did not declare an incident\n", c);
		exit(1);
	}
	g_now += 60000;
	ingest(ctx, "resolved", c, NULL, 0);
	bench_check(rootly_incident_transition(ctx, incident, ROOTLY_STATUS_RESOLVED, "bench", NULL,
		ROOTLY_TRANSITION_OVERRIDE), "resolve incident");
	g_now += 7200000 - 60000;
}

/* Median seconds of listing the open incidents (the current cycle's). */
static double list_open(rootly_ctx *ctx)
{
	double t[11];
	for (int k = 0; k < 11; k++) {
		rootly_incident_filter f = ROOTLY_INCIDENT_FILTER_INIT;
		f.open_only = 1;
		rootly_incident_list *l = NULL;
		double t0 = bench_now_s();
		bench_check(rootly_incident_list_load(&l, ctx, &f), "list");
		t[k] = bench_now_s() - t0;
		if (rootly_incident_list_count(l) != 1) {
			fprintf(stderr, "listed %zu open incidents, not 1\n", rootly_incident_list_count(l));
			exit(1);
		}
		rootly_incident_list_free(l);
	}
	bench_sort(t, 11);
	return t[5];
}

/* Median seconds of a workflow timer tick (rootly_workflow_tick: the
 * dispatcher runs it every minute, in one write transaction) with one
 * timer workflow configured and one open incident among N resolved; the
 * timer is not yet due, so nothing fires and nothing is written. */
static double tick(rootly_ctx *ctx)
{
	static const char text[] = "version: 1\n"
		"workflows:\n"
		"  - name: reminder\n"
		"    every: 24h\n"
		"    actions: [{type: add_note, text: 'still open'}]\n";
	rootly_config *cfg = NULL;
	bench_check(rootly_config_load_buffer(&cfg, text, strlen(text), "yaml", NULL), "config");
	bench_check(rootly_ctx_set_config(ctx, cfg), "set_config");
	double t[11];
	for (int k = 0; k < 11; k++) {
		size_t fired = 0;
		double t0 = bench_now_s();
		bench_check(rootly_workflow_tick(ctx, g_now, &fired), "tick");
		t[k] = bench_now_s() - t0;
		if (fired != 0) {
			fprintf(stderr, "the tick fired %zu timers, not 0\n", fired);
			exit(1);
		}
	}
	bench_sort(t, 11);
	return t[5];
}

/* Median seconds of one repeat of the current cycle's firing, with
 * `cycles` cycles behind it; *declare the median of the last cycles'
 * first firings, *listing that of listing the open incidents. */
static double measure(const char *uri, int cycles, double *declare, double *listing, double *ticking)
{
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	o.clock = fake_clock;
	rootly_ctx *ctx = NULL;
	bench_check(rootly_ctx_open(&ctx, &o), "open");
	double d[11];
	int nd = 0;
	for (int c = 0; c < cycles; c++) {
		double one;
		cycle(ctx, c, &one);
		if (c >= cycles - 10 && c > 0) /* not the first ingest of the context: it makes the tables */
			d[nd++] = one;
	}
	/* the current cycle: declared once, then repeated */
	double t0 = bench_now_s();
	if (ingest(ctx, "firing", cycles, NULL, 0) != ROOTLY_INGEST_CREATED) {
		fprintf(stderr, "the current cycle did not declare an incident\n");
		exit(1);
	}
	d[nd++] = bench_now_s() - t0;
	bench_sort(d, (size_t)nd);
	*declare = d[nd / 2];
	double t[REPEATS];
	for (int k = 0; k < REPEATS; k++) {
		double r0 = bench_now_s();
		rootly_ingest_outcome out = ingest(ctx, "firing", cycles, NULL, 0);
		t[k] = bench_now_s() - r0;
		if (out != ROOTLY_INGEST_DEDUPLICATED) {
			fprintf(stderr, "repeat %d: %s, not deduplicated\n", k, rootly_ingest_outcome_name(out));
			exit(1);
		}
	}
	*listing = list_open(ctx);
	*ticking = tick(ctx);
	rootly_ctx_free(ctx);
	bench_sort(t, REPEATS);
	return t[REPEATS / 2];
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_cycles DIR [N ...]\n");
		return 2;
	}
	static const int defaults[] = { 1, 10, 100, 1000 };
	int count = argc > 2 ? argc - 2 : (int)(sizeof(defaults) / sizeof(defaults[0]));
	char path[520], uri[640];
	snprintf(path, sizeof(path), "%.480s/bench-cycles.db", argv[1]);
	snprintf(uri, sizeof(uri), "sqlite:%s?synchronous=normal", path);
	const char *stores[][2] = { { "sqlite", uri }, { "memory", "memory:" } };
	for (size_t s = 0; s < 2; s++) {
		double first = 0;
		for (int i = 0; i < count; i++) {
			int n = argc > 2 ? atoi(argv[2 + i]) : defaults[i];
			bench_unlink_db(path);
			double declare, listing, ticking;
			double t = measure(stores[s][1], n, &declare, &listing, &ticking);
			if (i == 0)
				first = t;
			printf("{\"bench\":\"cycles\",\"store\":\"%s\",\"earlier_cycles\":%d,\"us_per_notification\":%.1f,"
				"\"ratio_to_first\":%.2f,\"us_per_declaring_notification\":%.1f,\"us_per_open_listing\":%.1f,\"us_per_tick\":%.1f}\n",
				stores[s][0], n, t * 1e6, t / first, declare * 1e6, listing * 1e6, ticking * 1e6);
			fflush(stdout);
		}
	}
	bench_unlink_db(path);
	return 0;
}
