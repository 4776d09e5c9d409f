/*
 * A model check of the incident's count of active alerts (alerts_active,
 * test_ingest_active.c has the cases one by one): random sequences of
 * Alertmanager notifications (firing, resolved, duplicates, new cycles,
 * warnings that a route only records) and PagerDuty events (trigger,
 * acknowledge, resolve), incident transitions (resolved by hand, closed,
 * cancelled), batches committed or rolled back, clock jumps past the flap
 * window and allocation failures; on SQLite two contexts in turn, and
 * incidents stripped of the count (as stored before it). After every step
 * rootly_ctx_check compares each incident's count with its alerts. The
 * step log is printed when it fails. ROOTLY_MODEL_SEEDS sets the number
 * of sequences (default 20 on memory:, 5 on SQLite).
 */
#include "fold_payload.h"

#include <time.h>

#include "rootly/sys/alloc.h"

static const char *k_cfg =
	"version: 1\n"
	"sources:\n"
	"  alertmanager:\n"
	"    group_by: [alertname]\n"
	"    flap_window: 10m\n"
	"  pagerduty: {}\n"
	"routes:\n"
	"  - name: warnings\n"
	"    match: ['severity=\"warning\"']\n"
	"    action: attach\n"
	"alerts:\n"
	"  on_last_resolved: mitigate\n";

static unsigned long long rs;
static unsigned rnd(unsigned n)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rs >> 33) % n);
}

static void iso(char *buf, size_t cap, int64_t ms)
{
	if (ms == 0) {
		snprintf(buf, cap, "0001-01-01T00:00:00Z");
		return;
	}
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char logbuf[1 << 20];
static size_t loglen;
#define LOG(...) do { if (loglen < sizeof(logbuf) - 512) loglen += (size_t)snprintf(logbuf + loglen, sizeof(logbuf) - loglen, __VA_ARGS__); } while (0)

static int64_t base_starts[4];

/* Log an ingest's outcomes (or its error) and free its result. */
static void log_result(int rc, rootly_ingest_result *r)
{
	LOG(" -> %d", rc);
	if (rc == 0)
		for (size_t i = 0; i < rootly_ingest_result_count(r); i++)
			LOG(" (%d %s)", (int)rootly_ingest_result_at(r, i)->outcome,
				rootly_ingest_result_at(r, i)->reason ? rootly_ingest_result_at(r, i)->reason : "");
	else
		LOG(" %s", rootly_error_last()->message);
	LOG("\n");
	rootly_ingest_result_free(r);
}

static void am_payload(rootly_ctx *ctx, rt_clock *clock)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	unsigned n = 1 + rnd(4);
	rootly_buf_puts(&b, "{\"receiver\":\"r\",\"status\":\"firing\",\"alerts\":[");
	LOG("am[");
	for (unsigned i = 0; i < n; i++) {
		unsigned name = rnd(6), g = rnd(2), sev = rnd(5) == 0;
		bool resolved = rnd(5) < 2;
		unsigned si = rnd(4);
		int64_t starts = base_starts[si];
		char s1[40], s2[40];
		iso(s1, sizeof(s1), starts);
		int64_t ends = resolved ? clock->now - rnd(3) * 1000 : (rnd(2) ? 0 : clock->now + 300000);
		if (resolved && ends < starts)
			ends = starts;
		iso(s2, sizeof(s2), ends);
		rootly_buf_printf(&b, "%s{\"status\":\"%s\",\"labels\":{\"alertname\":\"G%u\",\"instance\":\"i%u\","
			"\"severity\":\"%s\"},\"annotations\":{\"summary\":\"x\"},"
			"\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"generatorURL\":\"\"}", i ? "," : "",
			resolved ? "resolved" : "firing", g, name, sev ? "warning" : "critical", s1, s2);
		LOG(" G%u/i%u%s%s s%u e%s", g, name, sev ? "w" : "", resolved ? "-" : "+", si, ends == 0 ? "0" : "t");
	}
	rootly_buf_puts(&b, "],\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
		"\"externalURL\":\"\",\"version\":\"4\",\"groupKey\":\"k\"}");
	LOG(" ]");
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, ctx, "alertmanager", b.ptr, b.len, NULL, 0);
	log_result(rc, r);
	rootly_buf_dispose(&b);
}

static void pd_payload(rootly_ctx *ctx)
{
	static const char *const actions[] = { "trigger", "acknowledge", "resolve" };
	const char *action = actions[rnd(3)];
	unsigned key = rnd(3);
	char body[512];
	int len = snprintf(body, sizeof(body), "{\"routing_key\":\"a1b2c3d4e5f60718293a4b5c6d7e8f90\",\"event_action\":\"%s\",\"dedup_key\":\"k%u\""
		"%s}", action, key, strcmp(action, "trigger") ? "" :
		",\"payload\":{\"summary\":\"down\",\"source\":\"db\",\"severity\":\"critical\"}");
	rootly_ingest_result *r = NULL;
	int rc = rootly_ingest(&r, ctx, "pagerduty", body, (size_t)len, NULL, 0);
	LOG("pd %s k%u", action, key);
	log_result(rc, r);
}

/* About half the incidents lose their count, as if stored before it. */
static void strip(const char *uri)
{
	rt_sqlite_exec(uri, "UPDATE r_incident SET json = json_remove(json, '$.alerts_active')"
		" WHERE abs(random()) % 2 = 0");
}

static void run(const char *uri, unsigned seed, int steps)
{
	rs = seed;
	loglen = 0;
	rt_clock clock = { 1795701600000, 10 };
	bool two = strncmp(uri, "sqlite:", 7) == 0;
	rootly_ctx *ctxs[2];
	ctxs[0] = rt_ctx_open(uri, &clock);
	rt_ctx_configure(ctxs[0], k_cfg);
	ctxs[1] = two ? rt_ctx_open(uri, &clock) : ctxs[0];
	if (two)
		rt_ctx_configure(ctxs[1], k_cfg);
	rootly_ctx *ctx = ctxs[0];
	bool batch = false;
	for (int s = 0; s < steps; s++) {
		if (two && !batch && rnd(4) == 0) {
			ctx = ctxs[rnd(2)];
			LOG("ctx %d\n", ctx == ctxs[1]);
		}
		if (two && !batch && rnd(25) == 0) {
			strip(uri);
			LOG("strip\n");
		}
		for (int i = 0; i < 4; i++)
			if (rnd(8) == 0 || base_starts[i] == 0)
				base_starts[i] = clock.now - rnd(600) * 1000;
		unsigned op = rnd(20);
		bool fault = rnd(4) == 0;
		uint64_t at = 1 + rnd(rnd(2) ? 60 : 1500);
		if (fault) {
			LOG("[fault at %llu] ", (unsigned long long)at);
			rootly_alloc_fault_arm(at, rnd(3) == 0);
		}
		if (op < 11) {
			am_payload(ctx, &clock);
		} else if (op < 13) {
			pd_payload(ctx);
		} else if (op < 15) {
			char ref[16];
			snprintf(ref, sizeof(ref), "INC-%u", 1 + rnd(6));
			static const rootly_incident_status to[] = { ROOTLY_STATUS_STARTED, ROOTLY_STATUS_MITIGATED,
				ROOTLY_STATUS_RESOLVED, ROOTLY_STATUS_CLOSED, ROOTLY_STATUS_CANCELLED, ROOTLY_STATUS_RESOLVED };
			rootly_incident_status t = to[rnd(6)];
			int rc = rootly_incident_transition(ctx, ref, t, "alice", NULL, ROOTLY_TRANSITION_OVERRIDE);
			LOG("transition %s -> %d: %d\n", ref, (int)t, rc);
		} else if (op < 16) {
			if (!batch) {
				int brc = rootly_ctx_batch_begin(ctx);
				batch = brc == 0;
				LOG("batch begin -> %d\n", brc);
			}
		} else if (op < 18) {
			if (batch) {
				bool commit = rnd(3) != 0;
				int rc = commit ? rootly_ctx_batch_commit(ctx) : rootly_ctx_batch_rollback(ctx);
				LOG("batch %s -> %d\n", commit ? "commit" : "rollback", rc);
				batch = false;
			}
		} else {
			int64_t jump = rnd(2) ? 60000 : 700000;
			clock.now += jump;
			LOG("clock +%lld\n", (long long)jump);
		}
		if (fault)
			LOG("[fault fired: %d]\n", rootly_alloc_fault_arm(0, 0) >= at);
		int rc = rootly_ctx_check(ctx);
		if (rc == ROOTLY_ENOMEM)
			rc = rootly_ctx_check(ctx);
		if (rc) {
			fprintf(stderr, "%s", logbuf);
			fail_msg("seed %u step %d: check -> %d: %s", seed, s, rc, rootly_error_last()->message);
		}
	}
	if (batch && rootly_ctx_batch_commit(ctx) != 0)
		LOG("final commit failed: %s\n", rootly_error_last()->message);
	rt_ok(rootly_ctx_check(ctx));
	if (two)
		rootly_ctx_free(ctxs[1]);
	rootly_ctx_free(ctxs[0]);
}

static unsigned seeds(unsigned dflt)
{
	const char *e = getenv("ROOTLY_MODEL_SEEDS");
	return e ? (unsigned)atoi(e) : dflt;
}

static void test_random_memory(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= seeds(20); seed++)
		run("memory:", seed, 300);
}

static void test_random_sqlite(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= seeds(5); seed++) {
		char uri[256];
		snprintf(uri, sizeof(uri), "%s", rt_tmp_sqlite_uri());
		run(uri, seed * 7919, 300);
		rt_sqlite_remove(uri + strlen("sqlite:"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_memory),
		cmocka_unit_test(test_random_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
