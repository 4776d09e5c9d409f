/*
 * Workflow evaluation cost per event with 100 workflows configured
 * (issue 4, point 8), against a baseline measured in the same run.
 *
 * One incident on the memory: store (so that the numbers are CPU, not
 * disk); the event is a severity change (rootly_incident_update_apply
 * toggling SEV2/SEV3): one load, one timeline append, one store -- the
 * baseline. Then the same operation with 100 workflows that all listen to
 * severity_changed and whose conditions do not match (services any of
 * [svc-i], severity, a label), so every event evaluates 100 condition
 * trees and runs nothing; and with 100 workflows listening to another
 * trigger (the observe fast path only). A note (not a trigger) is timed
 * too. The three contexts are timed in interleaved rounds and the median
 * round of each is kept, so the machine's noise hits all alike.
 *
 * Output: one JSON object per line (ns per event, and the ratios).
 * Usage: bench_workflow [EVENTS_PER_ROUND] [ROUNDS] [WORKFLOWS] [ONLY]
 * ONLY = base | eval | other: time only that context's severity changes
 * (for callgrind: instructions of round_ns / events, exact and noise-free:
 *   valgrind --tool=callgrind --toggle-collect=round_ns bench_workflow 1000 1 100 eval).
 */
#include <string.h>

#include "bench_util.h"

typedef struct fake_clock {
	rootly_time now;
} fake_clock;

static rootly_time clock_read(void *payload)
{
	fake_clock *c = payload;
	return c->now++;
}

/* `n` workflows on `trigger` whose conditions never hold for the incident. */
static char *config_text(int n, const char *trigger)
{
	size_t cap = 512 + (size_t)n * 400;
	char *s = malloc(cap);
	size_t len = (size_t)snprintf(s, cap, "version: 1\n");
	if (n)
		len += (size_t)snprintf(s + len, cap - len, "workflows:\n");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
			"  - name: wf-%d\n"
			"    triggers: [%s]\n"
			"    conditions:\n"
			"      - {field: severity, operator: any, values: [SEV0, SEV1, SEV2, SEV3]}\n"
			"      - any:\n"
			"          - {field: services, operator: any, values: [svc-%d, svc-%d-b]}\n"
			"          - {field: labels.team, operator: is, value: team-%d}\n"
			"    actions: [{type: add_note, text: 'wf-%d {{ incident.title }}'}]\n",
			i, trigger, i, i, i, i);
	return s;
}

static rootly_ctx *open_ctx(fake_clock *clock, int workflows, const char *trigger)
{
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = "memory:";
	o.clock = clock_read;
	o.clock_payload = clock;
	rootly_ctx *ctx = NULL;
	bench_check(rootly_ctx_open(&ctx, &o), "open");
	char *text = config_text(workflows, trigger);
	rootly_config *cfg = NULL;
	bench_check(rootly_config_load_buffer(&cfg, text, strlen(text), "yaml", NULL), "config");
	free(text);
	bench_check(rootly_ctx_set_config(ctx, cfg), "set_config");
	rootly_incident_options io = ROOTLY_INCIDENT_OPTIONS_INIT;
	const char *services[] = { "checkout-api" };
	rootly_kv labels[] = { { "team", "e-commerce-backend" } };
	io.title = "checkout-api p99 latency is above 2s";
	io.severity = ROOTLY_SEV2;
	io.services = services;
	io.services_count = 1;
	io.labels = labels;
	io.labels_count = 1;
	bench_check(rootly_incident_create(NULL, ctx, &io), "create");
	return ctx;
}

/* ns per event for `n` severity changes (or notes). */
static double round_ns(rootly_ctx *ctx, int n, int notes, int *toggle)
{
	rootly_incident_update u = ROOTLY_INCIDENT_UPDATE_INIT;
	double t0 = bench_now_s();
	for (int i = 0; i < n; i++) {
		if (notes) {
			bench_check(rootly_incident_add_note(ctx, "INC-1", "still degraded", "alice"), "note");
		} else {
			u.severity = (*toggle ^= 1) ? ROOTLY_SEV3 : ROOTLY_SEV2;
			bench_check(rootly_incident_update_apply(ctx, "INC-1", &u), "update");
		}
	}
	return (bench_now_s() - t0) * 1e9 / n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	int workflows = argc > 3 ? atoi(argv[3]) : 100;
	const char *only = argc > 4 ? argv[4] : NULL;
	if (n < 1 || rounds < 1 || rounds > 99 || workflows < 1)
		return fprintf(stderr, "usage: bench_workflow [EVENTS_PER_ROUND] [ROUNDS<100] [WORKFLOWS] [base|eval|other]\n"), 2;
	if (only) {
		fake_clock c = { 1764165600000LL };
		int tg = 0;
		rootly_ctx *ctx = open_ctx(&c, strcmp(only, "base") ? workflows : 0,
			strcmp(only, "other") ? "severity_changed" : "task_completed");
		double ns = round_ns(ctx, n, 0, &tg);
		printf("{\"bench\":\"workflow\",\"only\":\"%s\",\"events\":%d,\"ns_per_event\":%.0f}\n", only, n, ns);
		rootly_ctx_free(ctx);
		return 0;
	}
	fake_clock c0 = { 1764165600000LL }, c1 = c0, c2 = c0;
	rootly_ctx *base = open_ctx(&c0, 0, "severity_changed");
	rootly_ctx *eval = open_ctx(&c1, workflows, "severity_changed");
	rootly_ctx *other = open_ctx(&c2, workflows, "task_completed");
	double t_base[100], t_eval[100], t_other[100], n_base[100], n_eval[100];
	int tg0 = 0, tg1 = 0, tg2 = 0;
	/* warm-up: allocator, caches */
	round_ns(base, n / 10 + 1, 0, &tg0);
	round_ns(eval, n / 10 + 1, 0, &tg1);
	round_ns(other, n / 10 + 1, 0, &tg2);
	for (int r = 0; r < rounds; r++) {
		t_base[r] = round_ns(base, n, 0, &tg0);
		t_eval[r] = round_ns(eval, n, 0, &tg1);
		t_other[r] = round_ns(other, n, 0, &tg2);
		n_base[r] = round_ns(base, n, 1, &tg0);
		n_eval[r] = round_ns(eval, n, 1, &tg1);
	}
	bench_sort(t_base, (size_t)rounds);
	bench_sort(t_eval, (size_t)rounds);
	bench_sort(t_other, (size_t)rounds);
	bench_sort(n_base, (size_t)rounds);
	bench_sort(n_eval, (size_t)rounds);
	int m = rounds / 2;
	/* Sanity: nothing ran (the conditions never hold). */
	char *runs = NULL;
	bench_check(rootly_workflow_runs(&runs, eval, "INC-1"), "runs");
	if (strcmp(runs, "[]") != 0) {
		fprintf(stderr, "a workflow ran: the benchmark's conditions are wrong\n");
		return 1;
	}
	rootly_free(runs);
	printf("{\"bench\":\"workflow\",\"case\":\"severity_change\",\"workflows\":0,\"events\":%d,\"rounds\":%d,"
		"\"ns_per_event\":%.0f}\n", n, rounds, t_base[m]);
	printf("{\"bench\":\"workflow\",\"case\":\"severity_change\",\"workflows\":%d,\"evaluated\":%d,\"ns_per_event\":%.0f,"
		"\"extra_ns_per_event\":%.0f,\"extra_ns_per_workflow\":%.1f,\"ratio_to_baseline\":%.3f}\n",
		workflows, workflows, t_eval[m], t_eval[m] - t_base[m], (t_eval[m] - t_base[m]) / workflows,
		t_eval[m] / t_base[m]);
	printf("{\"bench\":\"workflow\",\"case\":\"severity_change\",\"workflows\":%d,\"evaluated\":0,"
		"\"trigger\":\"task_completed\",\"ns_per_event\":%.0f,\"extra_ns_per_event\":%.0f,\"ratio_to_baseline\":%.3f}\n",
		workflows, t_other[m], t_other[m] - t_base[m], t_other[m] / t_base[m]);
	printf("{\"bench\":\"workflow\",\"case\":\"note\",\"workflows\":0,\"ns_per_event\":%.0f}\n", n_base[m]);
	printf("{\"bench\":\"workflow\",\"case\":\"note\",\"workflows\":%d,\"ns_per_event\":%.0f,\"ratio_to_baseline\":%.3f}\n",
		workflows, n_eval[m], n_eval[m] / n_base[m]);
	rootly_ctx_free(base);
	rootly_ctx_free(eval);
	rootly_ctx_free(other);
	return 0;
}
