/*
 * The cost of a dispatch against the outbox's history: after N items
 * have been delivered, one new item is enqueued and dispatched
 * (rootly_ctx_dispatch: a claim transaction, the delivery on the record:
 * transport, the outcome's transaction), and the median of REPEATS such
 * dispatches is reported for each N, with its ratio to the first N of
 * the list, on the memory store and on SQLite (synchronous=normal, so
 * that the time is the library's and not an fsync's), in DIR.
 *
 *   bench_outbox_history DIR [N ...]      (default N: 100 1000 10000)
 *
 * A delivered item stays in the outbox (`rootly outbox list delivered`),
 * so a dispatcher whose claim reads past the delivered items slows down
 * for the life of the database; one that reads only the live items keeps
 * the ratio near 1 (docs/benchmarks.md, "Session 18").
 */
#include <string.h>

#include "bench_outbox.h"

#define REPEATS 9
#define CHUNK 5000 /* items enqueued (and then delivered) per transaction while the history grows */

static void dispatch_all(rootly_ctx *ctx, size_t expect)
{
	size_t handled = 0;
	bench_check(rootly_ctx_dispatch(ctx, 0, &handled), "dispatch");
	if (handled != expect) {
		fprintf(stderr, "dispatched %zu items, not %zu\n", handled, expect);
		exit(1);
	}
}

static void run(const char *store, const char *uri, const int *ns, int count)
{
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	rootly_ctx *ctx;
	bench_check(rootly_ctx_open(&ctx, &o), "open");
	static const char yaml[] = "version: 1\ntransports:\n  webhook: { type: record }\noutbox:\n  batch: 32\n";
	rootly_config *cfg;
	rootly_config_report *rep = NULL;
	bench_check(rootly_config_load_buffer(&cfg, yaml, strlen(yaml), "yaml", &rep), "config");
	rootly_config_report_free(rep);
	bench_check(rootly_ctx_set_config(ctx, cfg), "config");
	rootly_incident_options io = ROOTLY_INCIDENT_OPTIONS_INIT;
	io.title = "bench";
	rootly_incident *inc;
	bench_check(rootly_incident_create(&inc, ctx, &io), "incident");
	int done = 0;
	double first = 0;
	for (int i = 0; i < count; i++) {
		while (done < ns[i]) {
			int n = ns[i] - done > CHUNK ? CHUNK : ns[i] - done;
			bench_outbox_enqueue(ctx, rootly_incident_id(inc), 9, done, n);
			dispatch_all(ctx, (size_t)n);
			done += n;
		}
		double t[REPEATS];
		for (int k = 0; k < REPEATS; k++) {
			bench_outbox_enqueue(ctx, rootly_incident_id(inc), 9, done++, 1);
			double t0 = bench_now_s();
			dispatch_all(ctx, 1);
			t[k] = bench_now_s() - t0;
		}
		bench_sort(t, REPEATS);
		double med = t[REPEATS / 2];
		if (i == 0)
			first = med;
		printf("{\"bench\":\"outbox_history\",\"store\":\"%s\",\"delivered_before\":%d,\"us_per_dispatch\":%.1f,"
			"\"ratio_to_first\":%.2f}\n", store, ns[i], med * 1e6, med / first);
		fflush(stdout);
	}
	rootly_incident_free(inc);
	rootly_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_outbox_history DIR [N ...]\n");
		return 2;
	}
	static const int defaults[] = { 100, 1000, 10000 };
	int count = argc > 2 ? argc - 2 : (int)(sizeof(defaults) / sizeof(defaults[0]));
	int ns[32];
	if (count > 32)
		count = 32;
	for (int i = 0; i < count; i++) {
		ns[i] = argc > 2 ? atoi(argv[2 + i]) : defaults[i];
		if (ns[i] < 0 || (i > 0 && ns[i] < ns[i - 1])) {
			fprintf(stderr, "bench_outbox_history: N must be ascending and not negative\n");
			return 2;
		}
	}
	char path[520], uri[640];
	snprintf(path, sizeof(path), "%.480s/bench-outbox-history.db", argv[1]);
	snprintf(uri, sizeof(uri), "sqlite:%s?synchronous=normal", path);
	run("memory", "memory:", ns, count);
	bench_unlink_db(path);
	run("sqlite", uri, ns, count);
	bench_unlink_db(path);
	return 0;
}
