/*
 * Property test over generated alert streams (10,000 streams).
 *
 * Each stream is a random sequence of Alertmanager webhook notifications
 * drawn from a small alphabet of label sets, groups and statuses, so that
 * repeats, flaps and collisions are frequent. Every outcome is compared with
 * a reference model of the rules:
 *   - an alert's identity is its label set (fingerprint): distinct label
 *     sets are never merged into one alert, identical ones always are;
 *   - a firing alert joins the open incident of its group, or declares one;
 *   - re-sent firing -> deduplicated; resolved after firing -> resolved;
 *     firing after resolved while its incident is open -> attached again.
 * The same streams are then replayed on SQLite with the database closed and
 * reopened at random points; the outcomes must be identical.
 */
#include "rootly_test.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STREAMS 10000
#define MAX_EVENTS 12
#define LABELSETS 4
#define GROUPS 2

typedef struct {
	unsigned labelset, group, resolved;
} event;

typedef struct {
	unsigned n;
	event ev[MAX_EVENTS];
} stream;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void gen(stream *s)
{
	s->n = 1 + rnd(MAX_EVENTS);
	for (unsigned i = 0; i < s->n; i++) {
		s->ev[i].labelset = rnd(LABELSETS);
		/* a label set always belongs to the same group, as with Alertmanager */
		s->ev[i].group = s->ev[i].labelset % GROUPS;
		s->ev[i].resolved = rnd(3) == 0;
	}
}

static int payload(char *buf, size_t cap, unsigned stream_no, const event *e)
{
	return snprintf(buf, cap,
		"{\"receiver\":\"prop\",\"status\":\"%s\",\"alerts\":[{\"status\":\"%s\","
		"\"labels\":{\"alertname\":\"A%u\",\"stream\":\"s%u\",\"set\":\"%u\"},\"annotations\":{},"
		"\"startsAt\":\"2026-11-26T10:00:00Z\",\"endsAt\":\"%s\"}],"
		"\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},\"externalURL\":\"\","
		"\"version\":\"4\",\"groupKey\":\"{}:{stream=\\\"s%u\\\",g=\\\"%u\\\"}\",\"truncatedAlerts\":0}",
		e->resolved ? "resolved" : "firing", e->resolved ? "resolved" : "firing",
		e->group, stream_no, e->labelset,
		e->resolved ? "2026-11-26T10:05:00Z" : "0001-01-01T00:00:00Z", stream_no, e->group);
}

/* The reference model for one stream: expected outcome per event. */
static void model(const stream *s, rootly_ingest_outcome *out, int *incident_of_event)
{
	int state[LABELSETS];      /* 0 unknown, 1 firing, 2 resolved */
	int alert_incident[LABELSETS];
	int group_incident[GROUPS];
	int next_incident = 0;
	for (int i = 0; i < LABELSETS; i++)
		state[i] = 0, alert_incident[i] = -1;
	for (int g = 0; g < GROUPS; g++)
		group_incident[g] = -1;
	for (unsigned i = 0; i < s->n; i++) {
		const event *e = &s->ev[i];
		int *st = &state[e->labelset];
		incident_of_event[i] = -1;
		if (e->resolved) {
			if (*st == 1) {
				out[i] = ROOTLY_INGEST_RESOLVED;
				*st = 2;
			} else if (*st == 2) {
				out[i] = ROOTLY_INGEST_DEDUPLICATED;
			} else {
				out[i] = ROOTLY_INGEST_RESOLVED; /* recorded without an incident */
				*st = 2;
				alert_incident[e->labelset] = -2; /* known, never linked */
				continue;
			}
			incident_of_event[i] = alert_incident[e->labelset];
			continue;
		}
		if (*st == 1) {
			out[i] = ROOTLY_INGEST_DEDUPLICATED;
		} else if (*st == 2 && alert_incident[e->labelset] >= 0) {
			out[i] = ROOTLY_INGEST_ATTACHED; /* flap back into its open incident */
		} else if (group_incident[e->group] >= 0) {
			out[i] = ROOTLY_INGEST_ATTACHED;
			alert_incident[e->labelset] = group_incident[e->group];
		} else {
			out[i] = ROOTLY_INGEST_CREATED;
			group_incident[e->group] = next_incident++;
			alert_incident[e->labelset] = group_incident[e->group];
		}
		*st = 1;
		incident_of_event[i] = alert_incident[e->labelset];
	}
}

typedef struct {
	rootly_ingest_outcome outcome;
	char incident[32];
	char fingerprint[17];
} got;

static void run_stream(rootly_ctx *ctx, unsigned stream_no, const stream *s, got *res)
{
	char buf[1024];
	for (unsigned i = 0; i < s->n; i++) {
		int len = payload(buf, sizeof(buf), stream_no, &s->ev[i]);
		rootly_ingest_result *r = NULL;
		int rc = rootly_ingest(&r, ctx, "alertmanager", buf, (size_t)len, NULL, 0);
		if (rc != 0)
			fail_msg("stream %u event %u: %s", stream_no, i, rootly_error_last()->message);
		const rootly_ingest_item *it = rootly_ingest_result_at(r, 0);
		res[i].outcome = it->outcome;
		snprintf(res[i].incident, sizeof(res[i].incident), "%s", it->incident_ref ? it->incident_ref : "-");
		snprintf(res[i].fingerprint, sizeof(res[i].fingerprint), "%s", it->fingerprint);
		rootly_ingest_result_free(r);
	}
}

static void check_against_model(unsigned stream_no, const stream *s, const got *res)
{
	rootly_ingest_outcome expect[MAX_EVENTS];
	int inc[MAX_EVENTS];
	model(s, expect, inc);
	for (unsigned i = 0; i < s->n; i++) {
		if (res[i].outcome != expect[i])
			fail_msg("stream %u event %u (set %u, %s): got %s, model says %s", stream_no, i,
				s->ev[i].labelset, s->ev[i].resolved ? "resolved" : "firing",
				rootly_ingest_outcome_name(res[i].outcome), rootly_ingest_outcome_name(expect[i]));
		for (unsigned j = 0; j < i; j++) {
			bool same_set = s->ev[j].labelset == s->ev[i].labelset;
			/* identity: same label set <=> same fingerprint */
			if (same_set != (strcmp(res[i].fingerprint, res[j].fingerprint) == 0))
				fail_msg("stream %u: events %u and %u merged wrongly", stream_no, j, i);
			/* same model incident <=> same stored incident */
			if (inc[i] >= 0 && inc[j] >= 0 &&
			    (inc[i] == inc[j]) != (strcmp(res[i].incident, res[j].incident) == 0))
				fail_msg("stream %u: events %u and %u: incident %s vs %s, model %d vs %d",
					stream_no, j, i, res[j].incident, res[i].incident, inc[j], inc[i]);
		}
	}
}

static void test_streams(void **state)
{
	(void)state;
	static stream streams[STREAMS];
	static got mem[STREAMS][MAX_EVENTS];
	got sq[MAX_EVENTS];
	/* ROOTLY_PROPERTY_STREAMS lowers the count for slow runs (valgrind). */
	unsigned count = STREAMS;
	const char *env = getenv("ROOTLY_PROPERTY_STREAMS");
	if (env && (unsigned)atoi(env) > 0 && (unsigned)atoi(env) < STREAMS)
		count = (unsigned)atoi(env);
	for (unsigned k = 0; k < count; k++)
		gen(&streams[k]);

	rt_clock clock = { 1795701600000, 1 };
	rootly_ctx *ctx = rt_ctx_open("memory:", &clock);
	for (unsigned k = 0; k < count; k++) {
		run_stream(ctx, k, &streams[k], mem[k]);
		check_against_model(k, &streams[k], mem[k]);
	}
	rootly_ctx_free(ctx);

	/* The same streams on SQLite, closing and reopening the database at
	 * random points (mid-stream too). Outcomes must match exactly. */
	char path[128], uri[200];
	snprintf(path, sizeof(path), "/tmp/rootly-prop-%d.db", (int)getpid());
	snprintf(uri, sizeof(uri), "sqlite:%s?synchronous=normal", path);
	unlink(path);
	rt_clock clock2 = { 1795701600000, 1 };
	ctx = rt_ctx_open(uri, &clock2);
	unsigned reopens = 0;
	for (unsigned k = 0; k < count; k++) {
		const stream *s = &streams[k];
		unsigned cut = rnd(50) == 0 ? rnd(s->n) : s->n; /* reopen inside ~2% of streams */
		stream head = *s, tail = *s;
		head.n = cut;
		tail.n = s->n - cut;
		memcpy(tail.ev, s->ev + cut, tail.n * sizeof(event));
		run_stream(ctx, k, &head, sq);
		if (cut < s->n) {
			rootly_ctx_free(ctx);
			ctx = rt_ctx_open(uri, &clock2);
			reopens++;
			run_stream(ctx, k, &tail, sq + cut);
		}
		for (unsigned i = 0; i < s->n; i++)
			if (sq[i].outcome != mem[k][i].outcome || strcmp(sq[i].incident, mem[k][i].incident) ||
			    strcmp(sq[i].fingerprint, mem[k][i].fingerprint))
				fail_msg("stream %u event %u differs on sqlite after %u reopens", k, i, reopens);
	}
	rt_ok(rootly_ctx_check(ctx));
	rootly_ctx_free(ctx);
	char p[160];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	print_message("%u streams checked against the model; %u database reopens\n", count, reopens);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
