/*
 * Postmortem rendering of one incident with a long timeline, on SQLite.
 *
 * Builds an incident with N timeline events (notes, every 10th a chat
 * message) in one batch, then times rootly_postmortem_render in Markdown
 * and JSON; each render includes loading the incident, its timeline,
 * alerts and tasks from the store. Best of REPEAT runs.
 *
 * Output: one JSON object per line.
 * Usage: bench_postmortem [N] [REPEAT] [DIR]
 */
#include <string.h>

#include "bench_util.h"

typedef struct fake_clock {
	rootly_time now;
} fake_clock;

/* Each read advances 1 ms so events get distinct, increasing times. */
static rootly_time clock_read(void *payload)
{
	fake_clock *c = payload;
	return c->now++;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	const char *dir = argc > 3 ? argv[3] : "/tmp";
	char path[512], uri[600];
	snprintf(path, sizeof(path), "%s/bench-postmortem-%d.db", dir, (int)getpid());
	bench_unlink_db(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);

	fake_clock clock = { 1764165600000LL };
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	o.clock = clock_read;
	o.clock_payload = &clock;
	rootly_ctx *ctx = NULL;
	bench_check(rootly_ctx_open(&ctx, &o), "open");

	rootly_incident_options io = ROOTLY_INCIDENT_OPTIONS_INIT;
	const char *services[] = { "checkout-api" };
	io.title = "checkout-api p99 latency is above 2s";
	io.severity = ROOTLY_SEV1;
	io.services = services;
	io.services_count = 1;
	double t0 = bench_now_s();
	bench_check(rootly_ctx_batch_begin(ctx), "batch_begin");
	bench_check(rootly_incident_create(NULL, ctx, &io), "create");
	bench_check(rootly_incident_acknowledge(ctx, "INC-1", "alice"), "ack");
	bench_check(rootly_incident_assign_role(ctx, "INC-1", "commander", "alice", "bob"), "role");
	char text[160];
	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "observation %d: p99 at %d ms on checkout-api-%d | still degraded", i,
			2000 + i % 700, i % 12);
		if (i % 10 == 9)
			bench_check(rootly_incident_add_chat_message(ctx, "INC-1", "carol", text, 0, "#inc-1"), "chat");
		else
			bench_check(rootly_incident_add_note(ctx, "INC-1", text, "alice"), "note");
	}
	bench_check(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_STARTED, "alice", NULL, 0), "start");
	bench_check(rootly_incident_transition(ctx, "INC-1", ROOTLY_STATUS_RESOLVED, "alice", "rolled back", 0), "resolve");
	bench_check(rootly_ctx_batch_commit(ctx), "batch_commit");
	double setup = bench_now_s() - t0;
	printf("{\"bench\":\"postmortem_setup\",\"events\":%d,\"seconds\":%.3f}\n", n, setup);

	static const struct { const char *name; rootly_postmortem_format fmt; } formats[] = {
		{ "markdown", ROOTLY_POSTMORTEM_MARKDOWN }, { "json", ROOTLY_POSTMORTEM_JSON },
	};
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		double best = 1e9;
		size_t bytes = 0;
		for (int r = 0; r < repeat; r++) {
			char *out = NULL;
			double t = bench_now_s();
			bench_check(rootly_postmortem_render(&out, ctx, "INC-1", formats[f].fmt), "render");
			t = bench_now_s() - t;
			if (t < best)
				best = t;
			bytes = strlen(out);
			rootly_free(out);
		}
		printf("{\"bench\":\"postmortem_render\",\"format\":\"%s\",\"events\":%d,\"bytes\":%zu,"
			"\"seconds\":%.3f,\"target_seconds\":1.0}\n", formats[f].name, n, bytes, best);
	}
	rootly_ctx_free(ctx);
	bench_unlink_db(path);
	return 0;
}
